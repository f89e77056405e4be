"""spikingjelly's `activation_based.neuron` constructors, returning snnjax models."""

from .... import _checks, surrogate as _surrogate
from ...._custom_types import ParamLike
from ....neurons.if_ import IF
from ....neurons.lif import LIF
from ..._common import unsupported

__all__ = ["IFNode", "LIFNode"]

_STEP_MODES = ("s", "m")


def _check_seed_only(step_mode: str, backend: str) -> None:
    # step_mode/backend change how spikingjelly loops, never the math.
    _checks.check_option("step_mode", step_mode, _STEP_MODES)
    if backend not in ("torch", "cupy", "triton"):
        raise unsupported("spikingjelly", "backend", backend, "unknown backend")


def _check_surrogate(fn: object) -> _surrogate.AbstractSurrogate:
    if not isinstance(fn, _surrogate.AbstractSurrogate):
        raise TypeError(
            "`surrogate_function` must be an snnjax surrogate, e.g. "
            "`snnjax.compat.spikingjelly.activation_based.surrogate.ATan()`; "
            f"got {fn!r}."
        )
    return fn


def IFNode(
    v_threshold: ParamLike = 1.0,
    v_reset: ParamLike | None = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> IF:
    r"""spikingjelly `IFNode` as an [`snnjax.IF`][snnjax.IF].

    $h_t = v_{t-1} + x_t$, $s_t = [h_t \ge \vartheta]$, then
    $v_t = s_t v_\text{reset} + (1 - s_t) h_t$ (hard reset) or, with
    `v_reset=None`, $v_t = h_t - s_t \vartheta$ (soft reset).

    Args:
        v_threshold: firing threshold.
        v_reset: reset value, or `None` for a soft reset (subtract threshold).
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: `"s"` or `"m"`; accepted, no effect (use `snnjax.run`).
        backend: accepted, no effect.
        store_v_seq: accepted, no effect (use `snnjax.run(..., record=True)`).

    Returns:
        An `snnjax.IF` starting at `v = v_reset` (0 for a soft reset).
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    return IF(
        v_threshold,
        reset="subtract" if v_reset is None else "zero",
        v_reset=0.0 if v_reset is None else v_reset,
        detach_reset=detach_reset,
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )


def LIFNode(
    tau: ParamLike = 2.0,
    decay_input: bool = True,
    v_threshold: ParamLike = 1.0,
    v_reset: ParamLike | None = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> LIF:
    r"""spikingjelly `LIFNode` as an [`snnjax.LIF`][snnjax.LIF].

    With $v_r$ = `v_reset` (0 for a soft reset):
    $h_t = v_{t-1} + (x_t - (v_{t-1} - v_r))/\tau$ (`decay_input=True`) or
    $h_t = v_{t-1} - (v_{t-1} - v_r)/\tau + x_t$; $s_t = [h_t \ge \vartheta]$;
    then the hard or soft reset of `IFNode`.
    In snnjax terms: `LIF(beta=1 - 1/tau, v_leak=v_r, decay_input=...)`.

    Args:
        tau: membrane time constant in steps, $\tau > 1$ (spikingjelly asserts it).
        decay_input: divide the input by $\tau$ too.
        v_threshold: firing threshold.
        v_reset: reset value, or `None` for a soft reset.
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: accepted, no effect.
        backend: accepted, no effect.
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.LIF` starting at `v = v_reset` (0 for a soft reset).
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    tau_arr = _checks.check_range(
        "tau", _checks.as_param("tau", tau), lower=1.0, lower_open=True
    )
    v_r = 0.0 if v_reset is None else v_reset
    return LIF(
        1 - 1 / tau_arr,
        v_threshold,
        reset="subtract" if v_reset is None else "zero",
        v_reset=v_r,
        v_leak=v_r,
        decay_input=decay_input,
        detach_reset=detach_reset,
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )
