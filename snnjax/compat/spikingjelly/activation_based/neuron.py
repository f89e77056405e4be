"""spikingjelly's `activation_based.neuron` constructors, returning snnjax models."""

import math

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer
from jaxtyping import Array

from .... import _checks, surrogate as _surrogate
from ...._custom_types import ParamLike
from ....neurons.analog import KLIF, LIAF
from ....neurons.if_ import IF
from ....neurons.lif import LIF
from ....neurons.nonlinear import EIF, QIF, AdaptiveQIF
from ....neurons.plif import ParametricLIF
from ....neurons.synaptic import Synaptic
from ..._common import unsupported

__all__ = [
    "CUBALIFNode",
    "EIFNode",
    "IFNode",
    "IzhikevichNode",
    "KLIFNode",
    "LIAFNode",
    "LIFNode",
    "ParametricLIFNode",
    "QIFNode",
]

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


# ------------------------------------------------- models added after IF / LIF


def _tau_above_one(name: str, tau: ParamLike) -> Array:
    # spikingjelly: `assert isinstance(tau, float) and tau > 1.`
    return _checks.check_range(
        name, _checks.as_param(name, tau), lower=1.0, lower_open=True
    )


def _rest_not_below_reset(v_rest: ParamLike, v_reset: ParamLike) -> Array:
    """`v_rest`, checked against spikingjelly's `assert v_rest >= v_reset`."""
    rest = _checks.check_finite("v_rest", _checks.as_param("v_rest", v_rest))
    reset = _checks.as_param("v_reset", v_reset)
    bad = rest < reset
    message = "`v_rest` must not be below `v_reset` (spikingjelly asserts it)"
    if isinstance(rest, Tracer) or isinstance(reset, Tracer):
        return eqx.error_if(rest, bad, f"{message}.")
    if np.asarray(bad).any():
        raise ValueError(
            f"{message}; got v_rest={np.asarray(rest)}, v_reset={np.asarray(reset)}."
        )
    return rest


def _reset(v_reset: ParamLike | None) -> tuple[str, ParamLike]:
    """spikingjelly's `v_reset`: a value is a hard reset, `None` a soft one."""
    if v_reset is None:
        return "subtract", 0.0
    return "zero", v_reset


def ParametricLIFNode(
    init_tau: ParamLike = 2.0,
    decay_input: bool = True,
    v_threshold: ParamLike = 1.0,
    v_reset: ParamLike | None = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> ParametricLIF:
    r"""spikingjelly `ParametricLIFNode` as a [`ParametricLIF`][snnjax.ParametricLIF].

    $1/\tau = q = \mathrm{sigmoid}(w)$, the learnable $w$ starting at
    $-\log(\tau_0 - 1)$. With $v_r$ = `v_reset` (0 for a soft reset):
    $h_t = v_{t-1} + (x_t - (v_{t-1} - v_r))\,q$ (`decay_input=True`) or
    $h_t = v_{t-1} - (v_{t-1} - v_r)\,q + x_t$; $s_t = [h_t \ge \vartheta]$;
    then the hard or soft reset of `IFNode`. `w` is learnable
    (`learn={"w"}`), as spikingjelly's `nn.Parameter`.

    Args:
        init_tau: initial time constant $\tau_0 > 1$ (spikingjelly asserts it).
        decay_input: scale the input by $q$ too.
        v_threshold: firing threshold.
        v_reset: reset value, or `None` for a soft reset.
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: accepted, no effect.
        backend: accepted, no effect.
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.ParametricLIF` starting at `v = v_reset` (0 for a soft reset).

    Raises:
        ValueError: `init_tau <= 1`, or `v_reset >= v_threshold`.
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    tau = _tau_above_one("init_tau", init_tau)
    # spikingjelly computes -log(init_tau - 1) in double precision, then casts
    w = -math.log(init_tau - 1.0) if isinstance(init_tau, float) else -jnp.log(tau - 1)
    reset, v_r = _reset(v_reset)
    return ParametricLIF(
        w,
        v_threshold,
        reset=reset,
        v_reset=v_r,
        v_leak=v_r,
        decay_input=decay_input,
        detach_reset=detach_reset,
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )


def QIFNode(
    tau: ParamLike = 2.0,
    v_c: ParamLike = 0.8,
    a0: ParamLike = 1.0,
    v_threshold: ParamLike = 1.0,
    v_rest: ParamLike = 0.0,
    v_reset: ParamLike | None = -0.1,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> QIF:
    r"""spikingjelly `QIFNode` as an [`snnjax.QIF`][snnjax.QIF].

    $h_t = v_{t-1} + (x_t + a_0 (v_{t-1} - v_\text{rest})(v_{t-1} - v_c))/\tau$,
    $s_t = [h_t \ge \vartheta]$, then the hard reset to `v_reset` or, with
    `v_reset=None`, the soft reset.

    Args:
        tau: membrane time constant in steps, $\tau > 1$.
        v_c: critical voltage.
        a0: sharpness of the quadratic term, $a_0 > 0$.
        v_threshold: firing threshold.
        v_rest: resting potential, not below `v_reset`.
        v_reset: reset value (below `v_threshold`), or `None` for a soft reset.
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: accepted, no effect.
        backend: accepted, no effect.
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.QIF` starting at `v = v_reset` (0 for a soft reset).

    Raises:
        ValueError: where spikingjelly asserts: `tau <= 1`, `a0 <= 0`,
            `v_reset >= v_threshold` or `v_rest < v_reset`.
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    reset, v_r = _reset(v_reset)
    if v_reset is not None:
        v_rest = _rest_not_below_reset(v_rest, v_reset)
    return QIF(
        _tau_above_one("tau", tau),
        v_c=v_c,
        a0=a0,
        threshold=v_threshold,
        v_rest=v_rest,
        reset=reset,
        v_reset=v_r,
        detach_reset=detach_reset,
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )


def EIFNode(
    tau: ParamLike = 2.0,
    delta_T: ParamLike = 1.0,
    theta_rh: ParamLike = 0.8,
    v_threshold: ParamLike = 1.0,
    v_rest: ParamLike = 0.0,
    v_reset: ParamLike | None = -0.1,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> EIF:
    r"""spikingjelly `EIFNode` as an [`snnjax.EIF`][snnjax.EIF].

    $h_t = v_{t-1} + (x_t + v_\text{rest} - v_{t-1}
    + \Delta_T e^{(v_{t-1} - \theta_\text{rh})/\Delta_T})/\tau$,
    $s_t = [h_t \ge \vartheta]$, then the hard reset to `v_reset` or, with
    `v_reset=None`, the soft reset.

    Args:
        tau: membrane time constant in steps, $\tau > 1$.
        delta_T: slope factor $\Delta_T > 0$.
        theta_rh: rheobase threshold.
        v_threshold: firing threshold.
        v_rest: resting potential, not below `v_reset`.
        v_reset: reset value (below `v_threshold`), or `None` for a soft reset.
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: accepted, no effect.
        backend: accepted, no effect.
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.EIF` starting at `v = v_reset` (0 for a soft reset).

    Raises:
        ValueError: where spikingjelly asserts: `tau <= 1`, `delta_T <= 0`,
            `v_reset >= v_threshold` or `v_rest < v_reset`.
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    reset, v_r = _reset(v_reset)
    if v_reset is not None:
        v_rest = _rest_not_below_reset(v_rest, v_reset)
    return EIF(
        _tau_above_one("tau", tau),
        delta_T=delta_T,
        theta_rh=theta_rh,
        threshold=v_threshold,
        v_rest=v_rest,
        reset=reset,
        v_reset=v_r,
        detach_reset=detach_reset,
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )


def IzhikevichNode(
    tau: ParamLike = 2.0,
    v_c: ParamLike = 0.8,
    a0: ParamLike = 1.0,
    v_threshold: ParamLike = 1.0,
    v_reset: ParamLike | None = 0.0,
    v_rest: ParamLike = -0.1,
    w_rest: ParamLike = 0.0,
    tau_w: ParamLike = 2.0,
    a: ParamLike = 0.0,
    b: ParamLike = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> AdaptiveQIF:
    r"""spikingjelly `IzhikevichNode` as an [`snnjax.AdaptiveQIF`][snnjax.AdaptiveQIF].

    $h_t = v_{t-1} + (x_t + a_0 (v_{t-1} - v_\text{rest})(v_{t-1} - v_c)
    - w_{t-1})/\tau$; $w \leftarrow w + (a (h_t - v_\text{rest}) - w)/\tau_w$;
    $s_t = [h_t \ge \vartheta]$; the hard reset to `v_reset` (soft with
    `v_reset=None`) and $w \leftarrow w + b\,s_t$. The adaptation uses the
    pre-reset $h_t$ and the jump the non-detached spike, whatever
    `detach_reset`, as in spikingjelly.

    Args:
        tau: membrane time constant in steps, $\tau > 1$.
        v_c: critical voltage.
        a0: sharpness of the quadratic term, $a_0 > 0$.
        v_threshold: firing threshold.
        v_reset: reset value (below `v_threshold`), or `None` for a soft reset.
        v_rest: resting potential.
        w_rest: initial adaptation current.
        tau_w: adaptation time constant in steps, $\tau_w > 0$.
        a: subthreshold coupling.
        b: spike-triggered jump of the adaptation current.
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset the membrane with the detached spike.
        step_mode: accepted, no effect.
        backend: accepted, no effect.
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.AdaptiveQIF` starting at `v = v_reset` (0 for a soft reset)
        and `w = w_rest`.

    Raises:
        ValueError: where spikingjelly asserts (`tau <= 1`, `a0 <= 0`), and
            for `tau_w <= 0` or `v_reset >= v_threshold`.
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    reset, v_r = _reset(v_reset)
    return AdaptiveQIF(
        _tau_above_one("tau", tau),
        v_c=v_c,
        a0=a0,
        threshold=v_threshold,
        v_rest=v_rest,
        w_rest=w_rest,
        tau_w=tau_w,
        a=a,
        b=b,
        reset=reset,
        v_reset=v_r,
        detach_reset=detach_reset,
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )


# torch.nn activation names -> snnjax LIAF activations
_LIAF_ACTIVATIONS = {
    "ReLU": "relu",
    "Identity": "identity",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
}


def _liaf_activation(act: object) -> str:
    if not isinstance(act, str):
        raise TypeError(
            "`act` must name the activation, one of "
            f"{', '.join(repr(k) for k in _LIAF_ACTIVATIONS)} (torch.nn class "
            f"names; a torch module cannot be passed); got {act!r}."
        )
    if act in _LIAF_ACTIVATIONS.values():
        return act
    _checks.check_option("act", act, tuple(_LIAF_ACTIVATIONS))
    return _LIAF_ACTIVATIONS[act]


def LIAFNode(
    act: str,
    threshold_related: bool,
    tau: ParamLike = 2.0,
    decay_input: bool = True,
    v_threshold: ParamLike = 1.0,
    v_reset: ParamLike | None = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> LIAF:
    r"""spikingjelly `LIAFNode` as an [`snnjax.LIAF`][snnjax.LIAF].

    The `LIFNode` membrane (charge, $s_t = [h_t \ge \vartheta]$, hard or soft
    reset), but the output is $f(h_t - \vartheta)$
    (`threshold_related=True`) or $f(h_t)$ instead of the spike.

    Args:
        act: the activation $f$ by its torch.nn class name: `"ReLU"`,
            `"Identity"`, `"Sigmoid"` or `"Tanh"` (snnjax's lower-case names
            are accepted too).
        threshold_related: output $f(h_t - \vartheta)$ (TR mode).
        tau: membrane time constant in steps, $\tau > 1$.
        decay_input: divide the input by $\tau$ too.
        v_threshold: firing threshold.
        v_reset: reset value, or `None` for a soft reset.
        surrogate_function: surrogate of the reset spike (default
            `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: accepted, no effect.
        backend: must be `"torch"` (spikingjelly asserts it).
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.LIAF` with `beta = 1 - 1/tau`, starting at `v = v_reset`
        (0 for a soft reset).

    Raises:
        ValueError: `tau <= 1`, `backend != "torch"`, an unknown `act`, or
            `v_reset >= v_threshold`.
        TypeError: `act` is not a name.
    """
    _check_seed_only(step_mode, backend)
    del store_v_seq
    if backend != "torch":
        raise ValueError(
            f"`backend` must be 'torch' for LIAFNode (spikingjelly asserts it); "
            f"got {backend!r}."
        )
    activation = _liaf_activation(act)
    tau_arr = _tau_above_one("tau", tau)
    reset, v_r = _reset(v_reset)
    return LIAF(
        1 - 1 / tau_arr,
        v_threshold,
        activation=activation,
        threshold_related=threshold_related,
        reset=reset,
        v_reset=v_r,
        v_leak=v_r,
        detach_reset=detach_reset,
        spike_test=">=",
        decay_input=decay_input,
        surrogate=_check_surrogate(surrogate_function),
    )


def KLIFNode(
    scale_reset: bool = False,
    tau: ParamLike = 2.0,
    decay_input: bool = True,
    v_threshold: ParamLike = 1.0,
    v_reset: ParamLike | None = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Sigmoid(4.0),
    detach_reset: bool = False,
    step_mode: str = "s",
    backend: str = "torch",
    store_v_seq: bool = False,
) -> KLIF:
    r"""spikingjelly `KLIFNode` as an [`snnjax.KLIF`][snnjax.KLIF].

    The `LIFNode` charge $h_t$, then $F_t = \mathrm{ReLU}(k h_t)$ with a
    learnable $k$ (initially 1, `learn={"k"}`), $s_t = [F_t \ge \vartheta]$
    and the hard or soft reset applied to $F_t$ (divided by $k$ with
    `scale_reset=True`).

    spikingjelly 2.0.0's `KLIFNode(v_reset=None)` passes `None` into its
    TorchScript charge function, which takes a float, so a soft-reset KLIF does
    not run there; here it runs with the membrane leaking to 0, as
    spikingjelly's other soft-reset nodes.

    Args:
        scale_reset: divide the reset membrane by $k$.
        tau: membrane time constant in steps, $\tau > 1$.
        decay_input: divide the input by $\tau$ too.
        v_threshold: firing threshold.
        v_reset: reset value, or `None` for a soft reset.
        surrogate_function: surrogate (default `Sigmoid(alpha=4.0)`).
        detach_reset: reset with the detached spike.
        step_mode: accepted, no effect.
        backend: `"torch"`; `"cupy"` raises `NotImplementedError`, as in
            spikingjelly.
        store_v_seq: accepted, no effect.

    Returns:
        An `snnjax.KLIF` with `beta = 1 - 1/tau` and `k = 1`, starting at
        `v = v_reset` (0 for a soft reset).

    Raises:
        ValueError: `tau <= 1` or `v_reset >= v_threshold`.
        NotImplementedError: `backend="cupy"`.
    """
    if backend == "cupy":
        raise unsupported(
            "spikingjelly", "backend", backend, "spikingjelly's KLIFNode has no cupy"
        )
    _check_seed_only(step_mode, backend)
    del store_v_seq
    tau_arr = _tau_above_one("tau", tau)
    reset, v_r = _reset(v_reset)
    return KLIF(
        1 - 1 / tau_arr,
        v_threshold,
        k=1.0,
        reset=reset,
        v_reset=v_r,
        v_leak=v_r,
        scale_reset=scale_reset,
        detach_reset=detach_reset,
        spike_test=">=",
        decay_input=decay_input,
        surrogate=_check_surrogate(surrogate_function),
    )


def _decay(name: str, value: ParamLike) -> Array:
    # spikingjelly stores the decays as plain floats and checks nothing;
    # snnjax's `Synaptic` needs a decay factor in [0, 1].
    return _checks.check_range(
        name, _checks.as_param(name, value), lower=0.0, upper=1.0
    )


def CUBALIFNode(
    c_decay: ParamLike = 0.5,
    v_decay: ParamLike = 0.75,
    v_threshold: ParamLike = 0.5,
    v_reset: ParamLike | None = 0.0,
    surrogate_function: _surrogate.AbstractSurrogate = _surrogate.Boxcar(1.0, 1.0),
) -> Synaptic:
    r"""spikingjelly `CUBALIFNode` as an [`snnjax.Synaptic`][snnjax.Synaptic].

    The current-based LIF: the current $c$ decays by `c_decay` and takes the
    input, the membrane decays by `v_decay` and takes the new current, then
    spikingjelly's fire and reset within the same step:

    $$ c_t = \lambda_c\, c_{t-1} + x_t, \qquad
       h_t = \lambda_v\, v_{t-1} + c_t, \qquad
       s_t = [h_t \ge \vartheta] $$

    then $v_t = s_t v_\text{reset} + (1 - s_t) h_t$ (hard reset) or, with
    `v_reset=None`, $v_t = h_t - s_t \vartheta$ (soft reset). The current is
    never reset; the reset is not detached; no parameter is learnable. This is
    exactly `Synaptic(alpha=c_decay, beta=v_decay, threshold=v_threshold,
    reset_timing="immediate", spike_test=">=")` with the matching reset.

    Args:
        c_decay: current decay per step $\lambda_c \in [0, 1]$.
        v_decay: membrane decay per step $\lambda_v \in [0, 1]$.
        v_threshold: firing threshold $\vartheta$.
        v_reset: reset value (below `v_threshold`), or `None` for a soft reset.
        surrogate_function: surrogate (default `snnjax.surrogate.Boxcar(1.0,
            1.0)`, spikingjelly's default `Rect(alpha=1.0)`; spikingjelly's
            `Rect(alpha=a)` is `Boxcar(width=1/a, scale=1.0)`).

    Returns:
        An `snnjax.Synaptic` whose `init_state` is spikingjelly's: $c = 0$ and
        $v = v_\text{reset}$ (0 for a soft reset), through `v_init`.

    Raises:
        ValueError: `c_decay` or `v_decay` outside $[0, 1]$, or
            `v_reset >= v_threshold` (spikingjelly checks neither).
        TypeError: `surrogate_function` is not an snnjax surrogate.
    """
    reset, v_r = _reset(v_reset)
    return Synaptic(
        _decay("c_decay", c_decay),
        _decay("v_decay", v_decay),
        v_threshold,
        reset=reset,
        v_reset=v_r,
        v_init=v_r,
        reset_timing="immediate",
        spike_test=">=",
        surrogate=_check_surrogate(surrogate_function),
    )
