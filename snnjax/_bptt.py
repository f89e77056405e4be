r"""How backpropagation through time stores what the backward pass needs.

`snnjax.run(..., bptt=...)` picks one of these strategies for the scan over a
neuron's (or network's) steps:

* `"auto"` (the default): for a plain [`LIF`][snnjax.LIF] sequence, the
  hand-derived adjoint of `snnjax._adjoint` (one stored array per step, the
  input gradient written into its buffer); for other blocks
  `"autodiff"`'s residuals, and for a
  [`Recurrent`][snnjax.Recurrent] block whose connection is an snnjax layer,
  and for the neurons with built-in recurrent weights (`RecurrentLIF`,
  `RecurrentSynaptic`, `ALIFRecurrent`, `MultiSpikeLIFRecurrent`), the
  gradient of the feedback weights is taken *outside* the scan. Inside
  a plain scan, reverse mode adds $g_t s_{t-1}^\top$ into a weight-sized
  accumulator at every step (a small matmul and a read and write of the whole
  matrix per step); here the backward scan only returns the per-step input
  gradients $g_t$ and the weight gradient is one batched product
  $\sum_t g_t s_{t-1}^\top$ over all $T \times$ batch rows (a `custom_vjp`
  around the block). Same gradients up to summation order.
* `"autodiff"`: JAX's reverse mode of `lax.scan` as is. The forward pass keeps
  the residuals of every step that the backward pass reads, as JAX's partial
  evaluation picks them (measured with XLA's memory analysis on CPU): one
  array per step for `LIF` and `Synaptic`, three for `ALIF` and `LSNN`.
* `"recompute"`: the step function is wrapped in `jax.checkpoint` with the
  `nothing_saveable` policy, so the scan stores only its carry (the state) at
  each step; the backward pass recomputes that step's intermediates from the
  stored state and input. The residuals become exactly one state per step,
  which is less than autodiff's when a model has more residuals than state
  arrays (ALIF: 2 instead of 3), the same for LIF and LSNN, and more when it
  has fewer (Synaptic: 2 instead of 1); each step's forward math runs twice.
* `"segments"`: the sequence is cut into segments of $K$ steps (default
  near $\sqrt{T}$, see `default_segment_length`); an outer scan over
  segments stores only the state at each segment's start, and the backward
  pass re-runs one segment at a time (an inner scan with autodiff's
  residuals for its $K$ steps). Stored residuals drop from $T$ steps'
  worth to $T/K$ states plus $K$ steps: with $K = \sqrt{T}$, $O(\sqrt{T})$
  instead of $O(T)$, for one extra forward pass. The per-step outputs are
  stored in full either way (they are the result).

`"recompute"` and `"segments"` hoist recurrent weight gradients as `"auto"`
does. Only `"autodiff"` supports forward-mode differentiation (`jax.jvp`,
`jax.jacfwd`) through `LIF` and those recurrent blocks, which a `custom_vjp`
does not.

All give the same gradients (the same operations, recomputed), tested in
`tests/test_bptt.py`; measurements are in docs/benchmarks.md.

This module also holds the time-parallel evaluation of linear recurrences
$h_t = a_t h_{t-1} + b_t$ with `jax.lax.associative_scan`, used by the
reset-free leaky integrator [`LI`][snnjax.LI] when asked to.
"""

import dataclasses
import math
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from . import _checks

Bptt = Literal["auto", "autodiff", "recompute", "segments"]
BPTT_MODES: tuple[str, ...] = ("auto", "autodiff", "recompute", "segments")

F = TypeVar("F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class Plan:
    """How one `run` stores residuals: the mode and, for segments, $K$."""

    mode: Bptt = "auto"
    segment_length: int | None = None


def check_bptt(bptt: object, segment_length: object = None) -> Plan:
    """Validate `run`'s `bptt` and `segment_length`; returns the plan."""
    _checks.check_option("bptt", bptt, BPTT_MODES)
    if segment_length is not None:
        if bptt != "segments":
            raise ValueError(
                f'`segment_length` applies to bptt="segments" only; got '
                f"segment_length={segment_length!r} with bptt={bptt!r}."
            )
        _checks.check_positive_int("segment_length", segment_length)
    return Plan(cast(Bptt, bptt), cast(int | None, segment_length))


def default_segment_length(length: int) -> int:
    r"""$K$ for `T = length` steps: a divisor of $T$ near $\sqrt{T}$ if any.

    Stored residuals scale as $T/K + K$, smallest at $K = \sqrt{T}$. A $K$
    that divides $T$ avoids slicing the input and concatenating the outputs
    (two extra copies of the sequence), so the divisor of $T$ that minimises
    $T/K + K$ is taken when it costs at most 25% more than $2\sqrt{T}$;
    otherwise $\lceil\sqrt{T}\rceil$ with a shorter last segment.
    """
    best = math.isqrt(length - 1) + 1 if length > 1 else 1  # ceil(sqrt(T))
    divisors = [k for k in range(1, math.isqrt(length) + 1) if length % k == 0]
    k = max(divisors)  # the largest divisor <= sqrt(T): minimises T/K + K
    if length // k + k <= 1.25 * 2 * math.sqrt(length):
        return k
    return best


def scan(
    body: Callable[[Any, Any], tuple[Any, Any]],
    carry: Any,
    xs: Any,
    *,
    unroll: int | bool,
    plan: Plan,
) -> tuple[Any, Any]:
    """`jax.lax.scan(body, carry, xs)` storing residuals as `plan` says."""
    length = jax.tree.leaves(xs)[0].shape[0]
    if plan.mode != "segments" or length == 0:
        return jax.lax.scan(scan_body(body, plan.mode), carry, xs, unroll=unroll)
    k = min(plan.segment_length or default_segment_length(length), length)
    n, rest = divmod(length, k)

    def segment(c: Any, xseg: Any) -> tuple[Any, Any]:
        return jax.lax.scan(body, c, xseg, unroll=unroll)

    # the default policy saves nothing: the outer scan keeps the segment's
    # inputs (its start state; `xs` is held anyway) and recomputes the rest
    segment = jax.checkpoint(segment, prevent_cse=False)
    head = jax.tree.map(lambda x: x[: n * k].reshape(n, k, *x.shape[1:]), xs)
    carry, ys = jax.lax.scan(segment, carry, head)
    ys = jax.tree.map(lambda y: y.reshape(n * k, *y.shape[2:]), ys)
    if rest:
        carry, tail = segment(carry, jax.tree.map(lambda x: x[n * k :], xs))
        ys = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), ys, tail)
    return carry, ys


def scan_body(body: F, bptt: Bptt) -> F:
    """The scan body `(carry, x) -> (carry, y)` as `bptt` asks it to be stored.

    With `"recompute"`, `jax.checkpoint` with `nothing_saveable` makes the
    scan's partial evaluation keep only the body's inputs (the carry, i.e. the
    state, and the input step, which the scan already holds) and recompute the
    rest in the backward pass. `prevent_cse=False` is safe (and faster) inside
    a scan, as the `jax.checkpoint` documentation notes.
    """
    if bptt == "recompute":
        policy = jax.checkpoint_policies.nothing_saveable
        return cast(F, jax.checkpoint(body, policy=policy, prevent_cse=False))
    return body


def linear_recurrence(
    a: Float[Array, " time *shape"],
    b: Float[Array, " time *shape"],
    h0: Float[Array, "*shape"],
) -> Float[Array, " time *shape"]:
    r"""All $h_t = a_t h_{t-1} + b_t$ ($t = 0..T-1$, $h_{-1} = h_0$) in parallel.

    The pairs $(a, b)$ compose associatively,
    $(a_2, b_2) \circ (a_1, b_1) = (a_2 a_1,\ a_2 b_1 + b_2)$, so
    `jax.lax.associative_scan` evaluates every prefix in $O(\log T)$ depth;
    $h_{-1}$ enters as $b_0 \leftarrow a_0 h_{-1} + b_0$.
    """
    b = b.at[0].add(a[0] * h0)

    def combine(
        earlier: tuple[Array, Array], later: tuple[Array, Array]
    ) -> tuple[Array, Array]:
        a1, b1 = earlier
        a2, b2 = later
        return a2 * a1, a2 * b1 + b2

    _, h = jax.lax.associative_scan(combine, (a, b))
    return h


def li_sequence(
    xs: Float[Array, " time *shape"],
    v0: Float[Array, "*shape"],
    i0: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    decay_input: bool,
) -> tuple[Float[Array, " time *shape"], Float[Array, " time *shape"]]:
    r"""The [`LI`][snnjax.LI] update over a whole sequence, parallel in time.

    With $j_t = i_{t-1} + x_t$ and $i_t = \alpha j_t$, the jumps obey
    $j_t = \alpha j_{t-1} + x_t$ from $j_{-1} = i_{-1} / \alpha$, written as
    $j_0 = i_{-1} + x_0$; then $u_t = v_t - v_\text{leak}$ obeys
    $u_t = \beta u_{t-1} + g j_t$. Two linear recurrences; returns the
    sequences $(v_t)$ and $(i_t)$.
    """
    shape = xs.shape
    a_i = jnp.broadcast_to(alpha, shape)
    jumps = linear_recurrence(a_i, xs.at[0].add(i0), jnp.zeros_like(i0))
    gain = (1 - beta) if decay_input else jnp.ones((), xs.dtype)
    drive = jnp.broadcast_to(gain, shape) * jumps
    u = linear_recurrence(jnp.broadcast_to(beta, shape), drive, v0 - v_leak)
    vs = u + jnp.broadcast_to(v_leak, shape)
    return vs, jnp.broadcast_to(alpha, shape) * jumps


def li_run_parallel(
    model: Any, xs: Float[Array, " time *shape"], state: Any, *, record: bool
) -> tuple[Array, Any, Any]:
    """`LI.run_parallel`: what `run`'s scan returns, from `li_sequence`.

    `model` is an [`LI`][snnjax.LI] and `state` its `LIState` (typed `Any`:
    this module is imported by the neuron modules).
    """
    step = xs[0]
    vs, currents = li_sequence(
        xs,
        state.v,
        state.i,
        alpha=model.param("alpha", step),
        beta=model.param("beta", step),
        v_leak=model.param("v_leak", step),
        decay_input=model.decay_input,
    )
    final = type(state)(v=vs[-1], i=currents[-1])
    return vs, final, type(state)(v=vs, i=currents) if record else None
