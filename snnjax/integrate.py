"""The one time integrator: `run`, a `jax.lax.scan` over the leading time axis."""

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeVar, cast, overload

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Shaped

from . import _adjoint, _bptt
from ._bptt import check_bptt
from .layers import AbstractLayer
from .network import Recurrent, Sequential, check_state_tuple
from .neurons._base import AbstractNeuron, check_input, check_state
from .neurons.alif import ALIFRecurrent
from .neurons.lif import LIF
from .neurons.multispike_recurrent import MultiSpikeLIFRecurrent
from .neurons.recurrent import RecurrentLIF, RecurrentSynaptic, recurrent_input

StateT = TypeVar("StateT")
Model = Callable[[Array, Any], tuple[Any, Any]]


@overload
def run(
    model: Model,
    xs: Shaped[ArrayLike, " time *shape"],
    state: StateT,
    *,
    record: Literal[False] = False,
    unroll: int | bool = 1,
    layer_major: bool = True,
    bptt: str = "auto",
    segment_length: int | None = None,
    time_parallel: bool = False,
) -> tuple[Any, StateT]: ...


@overload
def run(
    model: Model,
    xs: Shaped[ArrayLike, " time *shape"],
    state: StateT,
    *,
    record: Literal[True],
    unroll: int | bool = 1,
    layer_major: bool = True,
    bptt: str = "auto",
    segment_length: int | None = None,
    time_parallel: bool = False,
) -> tuple[Any, StateT, StateT]: ...


def run(
    model: Model,
    xs: Shaped[ArrayLike, " time *shape"],
    state: StateT,
    *,
    record: bool = False,
    unroll: int | bool = 1,
    layer_major: bool = True,
    bptt: str = "auto",
    segment_length: int | None = None,
    time_parallel: bool = False,
) -> tuple[Any, StateT] | tuple[Any, StateT, StateT]:
    r"""Integrate a model over a time-major input sequence.

    For $t = 0, \dots, T-1$ it computes
    $(y_t, z_t) = \text{model}(x_t, z_{t-1})$ with $z_{-1}$ = `state`, as one
    `jax.lax.scan` over the leading axis of `xs`. It composes with `jax.jit`,
    `jax.grad` (backpropagation through time) and `jax.vmap` (over a batch axis
    of `xs` and `state`, or over a batch of models built with
    `eqx.filter_vmap`).

    Args:
        model: a neuron (or any callable `(x_t, state) -> (y_t, state)`, such
            as an Equinox module).
        xs: inputs, time-major: shape `(time, *shape)`.
        state: initial state, e.g. `model.init_state(xs.shape[1:], xs.dtype)`.
        record: also return the state after every step, stacked over time.
            Each model's state after step $t$ is what its seed library reports
            for that step (snntorch's pre-reset `mem` with the delayed reset,
            spikingjelly's post-reset `v_seq`), so `record.v[t]` matches it.
        unroll: steps unrolled per scan iteration (`jax.lax.scan`'s `unroll`;
            `True` unrolls fully). Changes speed and compile time, never
            results.
        layer_major: for a [`Sequential`][snnjax.Sequential], run each block
            over the whole sequence in turn (layers as one batched call,
            neurons as one scan each) instead of one scan over the stack.
            Both orders give the same results; layer-major turns per-step
            matmuls into one large matmul. `record` then holds a tuple with
            one record per block (`None` for stateless layers).
        bptt: what backpropagation through time stores per step.
            `"auto"` (default): for a plain `LIF` (without `state_quant` or
            the `"delayed+immediate"` timing, and with `record=False`) a
            hand-derived adjoint that stores the charged membrane per step and
            writes the input gradient into that buffer (no second
            sequence-sized buffer; about 0.7x the time of plain autodiff on
            long sequences); otherwise the residuals JAX's reverse mode picks;
            and the feedback-weight gradient of
            recurrent blocks ([`Recurrent`][snnjax.Recurrent] with an snnjax
            layer as connection, `RecurrentLIF`, `RecurrentSynaptic`,
            `ALIFRecurrent`, `MultiSpikeLIFRecurrent`) computed after the scan
            as one batched matmul instead of an accumulation inside it (a
            `custom_vjp`; about 30% faster for such a block).
            `"autodiff"`: JAX's reverse mode of the scan with nothing custom
            (the only mode that supports forward-mode `jax.jvp` through `LIF`
            and those recurrent blocks). `"recompute"`: only the state; the backward
            pass recomputes each step's intermediates from it, which saves
            memory for models with more residuals than state variables (e.g.
            `ALIF`) at the cost of one extra forward step per step.
            `"segments"`: only the state every `segment_length` steps; the
            backward pass re-runs one segment at a time, so stored residuals
            grow as $O(\sqrt{T})$ instead of $O(T)$ (for long sequences; one
            extra forward pass). Same gradients in every mode; no effect
            without differentiation.
        segment_length: steps per segment for `bptt="segments"` (default
            $\lceil\sqrt{T}\rceil$, which minimises stored residuals).
        time_parallel: evaluate reset-free linear blocks
            ([`LI`][snnjax.LI]) over all steps at once with
            `jax.lax.associative_scan` ($O(\log T)$ depth) instead of the
            sequential scan. Same results up to float rounding; slower on CPU
            (2-9x measured), so off by default; aimed at accelerators and long
            sequences (not measured there yet).

    Returns:
        `(outputs, final_state)`, where `outputs` stacks the per-step outputs
        over time (`outputs.shape == (time, *shape)` for a neuron); with
        `record=True`, `(outputs, final_state, record)` where `record` is the
        state pytree with a leading time axis (`record.v.shape == xs.shape`).

    Raises:
        ValueError: `xs` has no time axis, or the state does not match one time
            step of `xs` (for a neuron: every state array has shape
            `xs.shape[1:]`).
        TypeError: `xs` is not floating point, or the state dtype differs.
        ValueError: `bptt` is not `"auto"`, `"autodiff"`, `"recompute"` or
            `"segments"`; `segment_length` is not a positive int, or is
            given with another `bptt`.
        TypeError: `time_parallel` is not a bool.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> lif = snn.LIF(beta=0.5)
        >>> xs = jnp.ones((3, 2))
        >>> spikes, state, rec = snn.run(lif, xs, lif.init_state((2,)), record=True)
        >>> rec.v[:, 0].tolist()
        [1.0, 0.5, 0.25]
    """
    xs = jnp.asarray(xs)
    if xs.ndim < 1:
        raise ValueError(
            f"`xs` must have a leading time axis, shape (time, *shape); "
            f"got a scalar of shape {xs.shape}."
        )
    if isinstance(unroll, bool):
        pass
    elif not isinstance(unroll, int) or unroll < 1:
        raise ValueError(f"`unroll` must be a positive int or a bool; got {unroll!r}.")
    plan = check_bptt(bptt, segment_length)
    if not isinstance(time_parallel, bool):
        raise TypeError(f"`time_parallel` must be a bool; got {time_parallel!r}.")
    if isinstance(model, AbstractNeuron):
        check_input(xs)
        _check_time_major(model, state, xs)
    if isinstance(model, Sequential) and layer_major:
        outs, final, rec = _run_layer_major(
            model, xs, state, record, unroll, plan, time_parallel
        )
    elif isinstance(model, AbstractNeuron):
        outs, final, rec = _sequence(
            model, xs, state, record, unroll, plan, time_parallel
        )
    else:
        outs, final, rec = _scan(model, xs, state, record, unroll, plan)
    if record:
        return outs, final, rec
    return outs, final


def _scan(
    model: Model,
    xs: Array,
    state: Any,
    record: bool,
    unroll: int | bool,
    plan: _bptt.Plan = _bptt.Plan(),
) -> tuple[Any, Any, Any]:
    """The library's only `lax.scan`: `(outputs, final_state, record or None)`."""

    def body(carry, x):
        out, new = model(x, carry)
        return new, (out, new if record else None)

    final, (outs, rec) = _bptt.scan(body, state, xs, unroll=unroll, plan=plan)
    return outs, final, rec


def _run_layer_major(
    net: Sequential,
    xs: Array,
    state: Any,
    record: bool,
    unroll: int | bool,
    plan: _bptt.Plan = _bptt.Plan(),
    time_parallel: bool = False,
) -> tuple[Any, Any, Any]:
    """Each block over the whole sequence: layers at once, neurons scanned."""
    check_state_tuple(net, state)
    finals, records = [], []
    for block, s in zip(net.blocks, state, strict=True):
        if isinstance(block, AbstractNeuron):
            check_input(xs)
            _check_time_major(block, s, xs)
            xs, s, r = _sequence(block, xs, s, record, unroll, plan, time_parallel)
        else:
            xs, r = block(xs), None
        finals.append(s)
        records.append(r)
    return xs, tuple(finals), tuple(records) if record else None


def _sequence(
    block: AbstractNeuron,
    xs: Array,
    state: Any,
    record: bool,
    unroll: int | bool,
    plan: _bptt.Plan = _bptt.Plan(),
    time_parallel: bool = False,
) -> tuple[Any, Any, Any]:
    """One block over the whole sequence: its `run_sequence` if it has one.

    A block may define `run_sequence(xs, state, *, record)` when it can process
    all time steps at once without a scan (a constant dropout mask, a linear
    filter evaluated in parallel over time); it must return what `_scan` would.
    """
    parallel = getattr(block, "run_parallel", None) if time_parallel else None
    if parallel is not None:  # opt-in: associative scan over time (LI)
        return parallel(xs, state, record=record)
    whole = getattr(block, "run_sequence", None)
    if whole is not None:
        return whole(xs, state, record=record)
    if plan.mode == "auto" and _adjoint.applies(block, record) and xs.shape[0] > 0:
        outs, final = _adjoint.lif_sequence(cast(LIF, block), xs, state, unroll)
        return outs, final, None
    feedback = _feedback(block) if plan.mode != "autodiff" else None
    if feedback is not None and xs.shape[0] > 0:
        return _hoisted_sequence(block, feedback, xs, state, record, unroll, plan)
    return _scan(block, xs, state, record, unroll, plan)


class _Feedback(NamedTuple):
    """How a recurrent block feeds its previous output back into its input.

    The block's step adds `current(block, previous)` to its input `x_t`, where
    `previous` is its output of the step before (`initial(state)` at $t=0$),
    and `current` is time-distributed (it maps a whole `(T, ...)` sequence of
    previous outputs in one call). `fields` name the block's parameters that
    only `current` uses: their gradients are hoisted out of the scan.
    """

    fields: tuple[str, ...]
    current: Callable[[Any, Array], Array]
    initial: Callable[[Any], Array]


def _feedback(block: Any) -> _Feedback | None:
    if isinstance(block, Recurrent) and isinstance(block.connection, AbstractLayer):
        return _Feedback(
            fields=("connection",),
            current=lambda b, previous: b.connection(previous),
            initial=lambda state: state.spikes,
        )
    if isinstance(
        block, RecurrentLIF | RecurrentSynaptic | ALIFRecurrent | MultiSpikeLIFRecurrent
    ):  # each adds recurrent_input(state.z, weight, bias) to x; output = new z
        return _Feedback(
            fields=("weight", "bias"),
            current=lambda b, previous: recurrent_input(
                previous,
                b.param("weight", previous),
                None if b.bias is None else b.param("bias", previous),
            ),
            initial=lambda state: state.z,
        )
    return None


def _hoisted_sequence(
    block: Any,
    feedback: _Feedback,
    xs: Array,
    state: Any,
    record: bool,
    unroll: int | bool,
    plan: _bptt.Plan,
) -> tuple[Any, Any, Any]:
    r"""`_scan` of a recurrent block with its feedback gradients outside the scan.

    The feedback parameters enter the scan's VJP as constants, so reverse mode
    does not accumulate their gradient step by step; `bwd` takes the per-step
    input gradients $g_t$ from that VJP (the feedback current is added to
    $x_t$, so $g_t$ is also its gradient) and differentiates the feedback of
    all previous outputs $s_{t-1}$ at once: $\sum_t g_t s_{t-1}^	op$ for a
    weight matrix, as one matmul over all time steps and batch rows.
    """
    dynamic, static = eqx.partition(block, eqx.is_inexact_array)
    spec = eqx.tree_at(
        lambda b: [getattr(b, f) for f in feedback.fields],
        jax.tree.map(lambda _: False, dynamic),
        replace=[True] * len(feedback.fields),
        is_leaf=lambda x: x is None,
    )
    hoisted, rest = eqx.partition(dynamic, spec)

    def scan_with(hoisted: Any) -> Callable[..., Any]:
        def scan(rest: Any, xs: Array, state: Any) -> Any:
            model = eqx.combine(hoisted, rest, static)
            return _scan(model, xs, state, record, unroll, plan)

        return scan

    @jax.custom_vjp
    def sequence(hoisted: Any, rest: Any, xs: Array, state: Any) -> Any:
        return scan_with(hoisted)(rest, xs, state)

    def fwd(hoisted: Any, rest: Any, xs: Array, state: Any) -> Any:
        # `hoisted` is a constant of this VJP: no per-step accumulation
        out, vjp = jax.vjp(scan_with(hoisted), rest, xs, state)
        start = feedback.initial(state)
        previous = jnp.concatenate([start[None], out[0][:-1].astype(start.dtype)])
        return out, (hoisted, rest, vjp, previous)

    def bwd(res: Any, cotangent: Any) -> Any:
        hoisted, rest, vjp, previous = res
        d_rest, d_xs, d_state = vjp(cotangent)

        def current(hoisted: Any) -> Array:
            return feedback.current(eqx.combine(hoisted, rest, static), previous)

        fed, current_vjp = jax.vjp(current, hoisted)
        (d_hoisted,) = current_vjp(d_xs.astype(fed.dtype))
        return d_hoisted, d_rest, d_xs, d_state

    sequence.defvjp(fwd, bwd)
    return sequence(hoisted, rest, xs, state)


def _check_time_major(model: AbstractNeuron, state: Any, xs: Array) -> None:
    """State shapes must equal one time step of `xs`; hint at batch-major input."""
    step_shape = xs.shape[1:]
    leaves = jax.tree_util.tree_leaves(state)
    shapes = {getattr(leaf, "shape", None) for leaf in leaves}
    if shapes and shapes != {step_shape}:
        (got,) = shapes if len(shapes) == 1 else (sorted(map(str, shapes)),)
        hint = ""
        if xs.ndim >= 2 and got == (xs.shape[0], *xs.shape[2:]):
            hint = (
                " The state matches `xs` with its first two axes swapped: `run` "
                "expects time-major input (time, batch, ...); transpose a "
                "batch-major array with `jnp.swapaxes(xs, 0, 1)`."
            )
        raise ValueError(
            f"`state` has shape {got}, but one time step of `xs` has shape "
            f"{step_shape} (`xs.shape` = {xs.shape}); create it with "
            f"`model.init_state(xs.shape[1:], xs.dtype)`.{hint}"
        )
    check_state(model, state, step_shape, xs.dtype)
