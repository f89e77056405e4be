r"""pysnn 0.1.1's `pysnn.neuron` constructors, returning snnjax models.

Each constructor takes pysnn's arguments (same names, order and defaults) and
returns a native model of `snnjax.neurons.trace` that reproduces pysnn step
for step:

| pysnn | snnjax |
|---|---|
| `IFNeuron` | [`TraceIF`][snnjax.TraceIF] |
| `LIFNeuron` | [`TraceLIF`][snnjax.TraceLIF] |
| `AdaptiveLIFNeuron` | [`TraceALIF`][snnjax.TraceALIF] |
| `FedeNeuron` | [`TraceLIF`][snnjax.TraceLIF] with `EulerDecay` leaks |
| `Input` | [`InputTrace`][snnjax.InputTrace] |

`update_type="linear"` maps every `tau_*` (a decay factor per step, in
[0, 1]) to [`Decay(tau_*)`][snnjax.Decay]; `"exponential"` maps it (a time
constant) to [`EulerDecay(tau_*)`][snnjax.EulerDecay]. The `alpha_*` scales
become `gain`, `trace_gain` and `threshold_gain`, `duration_refrac` becomes
`refractory`, and `thresh` becomes `threshold`.

Calling convention, the differences from pysnn:

* **The synapse axis.** pysnn neurons receive `(*cells_shape, K)` (one entry
  per incoming synapse, as `pysnn.connection.Linear` produces) and sum the
  last axis. snnjax neurons receive the summed current, shape `cells_shape`:
  apply [`fold`][snnjax.compat.pysnn.neuron.fold] (pysnn's `BaseNeuron.fold`)
  to the input first, `snnjax.run(neuron, fold(xs), state)`. For
  `FedeNeuron.forward(x, pre_trace)` feed `fold(x - pre_trace)`.
* **Outputs.** pysnn's `forward` returns `(spikes, trace)` and keeps
  `v_cell`, `trace`, `refrac_counts` (and `thresh`) as buffers; snnjax returns
  `(spikes, state)` with the state fields `v`, `trace`, `refrac` (and
  `thresh`); `snnjax.run(..., record=True)` stacks them over time.
* **cells_shape** (batch included, as in pysnn) is the shape of the
  per-neuron buffers (`alpha_*`, `tau_*`, `thresh`): the returned model's
  parameters have that shape, so an input or state of another shape is
  rejected. Create the state with `neuron.init_state(cells_shape)`.
* **Gradients.** pysnn has none (boolean spikes, `requires_grad=False`);
  the snnjax models are differentiable, with the surrogate `ATan(2.0)`.
  Spikes and states are the same.
* **dtype.** pysnn computes in float32; snnjax computes in the input dtype.
"""

from collections.abc import Sequence

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from ... import _checks
from ..._custom_types import ParamLike
from ...neurons.trace import (
    AbstractDecay,
    Decay,
    EulerDecay,
    InputTrace,
    TraceALIF,
    TraceIF,
    TraceLIF,
    _check_refractory,
)

__all__ = [
    "AdaptiveLIFNeuron",
    "FedeNeuron",
    "IFNeuron",
    "Input",
    "LIFNeuron",
    "fold",
]

_UPDATE_TYPES = ("linear", "exponential")


def fold(
    x: Float[ArrayLike, "*shape synapses"] | Sequence[Float[ArrayLike, "..."]],
) -> Float[Array, "*shape"]:
    """pysnn's `BaseNeuron.fold`: sum the trailing synapse axis.

    A list or tuple of arrays is concatenated along the last axis first, as
    pysnn does. Works on a single step `(*cells_shape, K)` or a whole
    time-major sequence `(time, *cells_shape, K)`.

    Args:
        x: input with a trailing synapse axis, or a list/tuple of such inputs.

    Returns:
        `x.sum(-1)`: one input current per neuron.
    """
    if isinstance(x, list | tuple):
        x = jnp.concatenate([jnp.asarray(a) for a in x], axis=-1)
    return jnp.sum(jnp.asarray(x), axis=-1)


def _cells(cells_shape: object) -> tuple[int, ...]:
    message = (
        "`cells_shape` must be a tuple of ints (batch first, as in pysnn); "
        f"got {cells_shape!r}."
    )
    if not isinstance(cells_shape, list | tuple):
        raise TypeError(message)
    cells = tuple(cells_shape)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in cells):
        raise TypeError(message)
    if not cells or min(cells) < 1:
        raise ValueError(f"`cells_shape` must hold positive sizes; got {cells}.")
    return cells


def _per_cell(name: str, value: ParamLike, cells: tuple[int, ...]) -> Array:
    """A pysnn buffer `value * ones(cells_shape)`."""
    arr = _checks.as_param(name, value)
    try:
        return jnp.broadcast_to(arr, cells)
    except ValueError:
        raise ValueError(
            f"`{name}` has shape {arr.shape}, which does not broadcast to "
            f"`cells_shape` {cells}."
        ) from None


def _check_update_type(update_type: str) -> None:
    _checks.check_option("update_type", update_type, _UPDATE_TYPES)


def _decay(
    name: str, tau: ParamLike, update_type: str, cells: tuple[int, ...]
) -> AbstractDecay:
    """`tau_*` as a decay factor ("linear") or a time constant ("exponential")."""
    arr = _per_cell(name, tau, cells)
    if update_type == "linear":  # pysnn asserts 0 <= tau <= 1
        return Decay(_checks.check_range(name, arr, lower=0.0, upper=1.0))
    return EulerDecay(_checks.check_range(name, arr, lower=0.0, lower_open=True))


def _dt_refrac(dt: ParamLike, duration_refrac: ParamLike) -> tuple[Array, Array]:
    dt_arr = _checks.check_range(
        "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
    )
    refrac = _check_refractory(
        _checks.as_param("duration_refrac", duration_refrac),
        dt_arr,
        name="duration_refrac",
    )
    return dt_arr, refrac


def IFNeuron(
    cells_shape: Sequence[int],
    thresh: ParamLike,
    v_rest: ParamLike,
    alpha_v: ParamLike,
    alpha_t: ParamLike,
    dt: ParamLike,
    duration_refrac: ParamLike,
    tau_t: ParamLike,
    update_type: str = "linear",
    store_trace: bool = False,
) -> TraceIF:
    r"""pysnn `IFNeuron` as an [`snnjax.TraceIF`][snnjax.TraceIF].

    $v \leftarrow v + (\alpha_v I)\,[c = 0]$ (no leak whatever `update_type`),
    $s = [v \ge \vartheta]$, trace update (`update_type`), refractory count,
    reset to `v_rest`.

    Args:
        cells_shape: shape of the neuron layer, batch first.
        thresh: firing threshold.
        v_rest: resting (initial and reset) potential.
        alpha_v: input gain.
        alpha_t: trace drive per spike.
        dt: time step.
        duration_refrac: refractory duration, a whole multiple of `dt`.
        tau_t: trace decay factor in [0, 1] (`"linear"`) or time constant
            (`"exponential"`).
        update_type: `"linear"` or `"exponential"` (only the trace here).
        store_trace: accepted, no effect (use `snnjax.run(..., record=True)`).

    Returns:
        `TraceIF(thresh, v_rest=v_rest, gain=alpha_v, trace_gain=alpha_t,
        trace_decay=Decay(tau_t) or EulerDecay(tau_t), refractory=duration_refrac,
        dt=dt)` with the per-neuron parameters broadcast to `cells_shape`.
    """
    del store_trace
    cells = _cells(cells_shape)
    _check_update_type(update_type)
    dt_arr, refrac = _dt_refrac(dt, duration_refrac)
    return TraceIF(
        _per_cell("thresh", thresh, cells),
        v_rest=v_rest,
        gain=_per_cell("alpha_v", alpha_v, cells),
        trace_gain=_per_cell("alpha_t", alpha_t, cells),
        trace_decay=_decay("tau_t", tau_t, update_type, cells),
        refractory=refrac,
        dt=dt_arr,
    )


def LIFNeuron(
    cells_shape: Sequence[int],
    thresh: ParamLike,
    v_rest: ParamLike,
    alpha_v: ParamLike,
    alpha_t: ParamLike,
    dt: ParamLike,
    duration_refrac: ParamLike,
    tau_v: ParamLike,
    tau_t: ParamLike,
    update_type: str = "linear",
    store_trace: bool = False,
) -> TraceLIF:
    r"""pysnn `LIFNeuron` as an [`snnjax.TraceLIF`][snnjax.TraceLIF].

    `"linear"`: $v \leftarrow v_\text{rest} + ((v - v_\text{rest})\tau_v +
    \alpha_v I)[c = 0]$; `"exponential"`: $v \leftarrow v + ((\Delta t/\tau_v)
    (-(v - v_\text{rest}) + \alpha_v I))[c = 0]$; then $s = [v \ge \vartheta]$,
    trace update, refractory count, reset to `v_rest`.

    Args:
        cells_shape: shape of the neuron layer, batch first.
        thresh: firing threshold.
        v_rest: resting potential (initial, leak target, reset value).
        alpha_v: input gain.
        alpha_t: trace drive per spike.
        dt: time step.
        duration_refrac: refractory duration, a whole multiple of `dt`.
        tau_v: membrane decay factor in [0, 1] or time constant.
        tau_t: trace decay factor in [0, 1] or time constant.
        update_type: `"linear"` (decay factors) or `"exponential"` (Euler).
        store_trace: accepted, no effect.

    Returns:
        `TraceLIF(thresh, v_rest=v_rest, gain=alpha_v, decay=D(tau_v),
        trace_gain=alpha_t, trace_decay=D(tau_t), refractory=duration_refrac,
        dt=dt)` with `D` = `Decay` (linear) or `EulerDecay` (exponential).
    """
    del store_trace
    cells = _cells(cells_shape)
    _check_update_type(update_type)
    dt_arr, refrac = _dt_refrac(dt, duration_refrac)
    return TraceLIF(
        _per_cell("thresh", thresh, cells),
        v_rest=v_rest,
        gain=_per_cell("alpha_v", alpha_v, cells),
        decay=_decay("tau_v", tau_v, update_type, cells),
        trace_gain=_per_cell("alpha_t", alpha_t, cells),
        trace_decay=_decay("tau_t", tau_t, update_type, cells),
        refractory=refrac,
        dt=dt_arr,
    )


def AdaptiveLIFNeuron(
    cells_shape: Sequence[int],
    thresh: ParamLike,
    v_rest: ParamLike,
    alpha_v: ParamLike,
    alpha_t: ParamLike,
    dt: ParamLike,
    duration_refrac: ParamLike,
    tau_v: ParamLike,
    tau_t: ParamLike,
    alpha_thresh: ParamLike,
    tau_thresh: ParamLike,
    update_type: str = "linear",
    store_trace: bool = False,
) -> TraceALIF:
    r"""pysnn `AdaptiveLIFNeuron` as an [`snnjax.TraceALIF`][snnjax.TraceALIF].

    The `LIFNeuron` update, with the threshold a state that, after the trace
    update, follows $\theta \leftarrow \theta\,\tau_\theta + \alpha_\theta s$
    (`"linear"`) or $\theta \leftarrow \theta + (\Delta t/\tau_\theta)
    (-\theta + \alpha_\theta s)$ (`"exponential"`): it relaxes towards 0, not
    towards `thresh`, which only sets its initial value.

    Args:
        cells_shape: shape of the neuron layer, batch first.
        thresh: initial threshold.
        v_rest: resting potential (initial, leak target, reset value).
        alpha_v: input gain.
        alpha_t: trace drive per spike.
        dt: time step.
        duration_refrac: refractory duration, a whole multiple of `dt`.
        tau_v: membrane decay factor in [0, 1] or time constant.
        tau_t: trace decay factor in [0, 1] or time constant.
        alpha_thresh: threshold drive per spike.
        tau_thresh: threshold decay factor in [0, 1] or time constant.
        update_type: `"linear"` (decay factors) or `"exponential"` (Euler).
        store_trace: accepted, no effect.

    Returns:
        `TraceALIF(thresh, ..., threshold_gain=alpha_thresh,
        threshold_decay=D(tau_thresh))`, the other arguments as `LIFNeuron`.
    """
    del store_trace
    cells = _cells(cells_shape)
    _check_update_type(update_type)
    dt_arr, refrac = _dt_refrac(dt, duration_refrac)
    return TraceALIF(
        _per_cell("thresh", thresh, cells),
        v_rest=v_rest,
        gain=_per_cell("alpha_v", alpha_v, cells),
        decay=_decay("tau_v", tau_v, update_type, cells),
        trace_gain=_per_cell("alpha_t", alpha_t, cells),
        trace_decay=_decay("tau_t", tau_t, update_type, cells),
        threshold_gain=_per_cell("alpha_thresh", alpha_thresh, cells),
        threshold_decay=_decay("tau_thresh", tau_thresh, update_type, cells),
        refractory=refrac,
        dt=dt_arr,
    )


def FedeNeuron(
    cells_shape: Sequence[int],
    thresh: ParamLike,
    v_rest: ParamLike,
    alpha_v: ParamLike,
    alpha_t: ParamLike,
    dt: ParamLike,
    duration_refrac: ParamLike,
    tau_v: ParamLike,
    tau_t: ParamLike,
    store_trace: bool = False,
) -> TraceLIF:
    r"""pysnn `FedeNeuron` (Paredes-Valles et al.) as an [`snnjax.TraceLIF`][snnjax.TraceLIF].

    pysnn's `forward(x, pre_trace)` computes the forcing
    $\alpha_v \sum_k (x_k - z^\text{pre}_k)$ and then runs the exponential
    `LIFNeuron` update with it. That is `TraceLIF` with `EulerDecay` for
    membrane and trace, driven by `fold(x - pre_trace)`:

    ```python
    fede = pysnn.neuron.FedeNeuron(cells_shape, ...)
    spikes, state = snnjax.run(fede, fold(xs - pre_traces), fede.init_state(...))
    ```

    Args:
        cells_shape: shape of the neuron layer, batch first.
        thresh: firing threshold.
        v_rest: resting potential (initial, leak target, reset value).
        alpha_v: gain of the forcing.
        alpha_t: trace drive per spike.
        dt: time step.
        duration_refrac: refractory duration, a whole multiple of `dt`.
        tau_v: membrane time constant.
        tau_t: trace time constant.
        store_trace: accepted, no effect.

    Returns:
        `TraceLIF(thresh, v_rest=v_rest, gain=alpha_v, decay=EulerDecay(tau_v),
        trace_gain=alpha_t, trace_decay=EulerDecay(tau_t),
        refractory=duration_refrac, dt=dt)`.
    """  # noqa: E501
    return LIFNeuron(
        cells_shape,
        thresh,
        v_rest,
        alpha_v,
        alpha_t,
        dt,
        duration_refrac,
        tau_v,
        tau_t,
        update_type="exponential",
        store_trace=store_trace,
    )


def Input(
    cells_shape: Sequence[int],
    dt: ParamLike,
    alpha_t: ParamLike,
    tau_t: ParamLike,
    update_type: str = "linear",
) -> InputTrace:
    r"""pysnn `Input` as an [`snnjax.InputTrace`][snnjax.InputTrace].

    The input spikes pass through unchanged and update the trace,
    $z \leftarrow z\,\tau_t + \alpha_t x$ (`"linear"`) or
    $z \leftarrow z + (\Delta t/\tau_t)(-z + \alpha_t x)$ (`"exponential"`).
    Feed spikes as floats (`xs.astype(jnp.float32)`; pysnn converts
    booleans itself).

    Args:
        cells_shape: shape of the input layer, batch first.
        dt: time step.
        alpha_t: trace drive per spike.
        tau_t: trace decay factor in [0, 1] or time constant.
        update_type: `"linear"` or `"exponential"`.

    Returns:
        `InputTrace(trace_gain=alpha_t, trace_decay=D(tau_t), dt=dt)`.
    """
    cells = _cells(cells_shape)
    _check_update_type(update_type)
    dt_arr = _checks.check_range(
        "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
    )
    return InputTrace(
        trace_gain=_per_cell("alpha_t", alpha_t, cells),
        trace_decay=_decay("tau_t", tau_t, update_type, cells),
        dt=dt_arr,
    )
