"""sinabs' `layers` constructors, returning native snnjax models.

Every constructor takes sinabs' arguments, in sinabs' order, and returns a
model for [`snnjax.run`][snnjax.run], whose input is time-major
`(time, batch, ...)` (sinabs: `(batch, time, ...)`). sinabs trains its time
constants (`tau_*` are `nn.Parameter`s); the returned models learn the
corresponding decays `beta = exp(-1/tau_mem)`, `alpha = exp(-1/tau_syn)`,
`rho = exp(-1/tau_adapt)`. To train the time constants themselves, build the
model from them inside the loss (the constructors are differentiable in
`tau_*`). The threshold, `adapt_scale` and `min_v_mem` are frozen, as in
sinabs.

Accepted with no effect: `shape` (the state is explicit:
`model.init_state(x.shape[1:])`), `record_states` (use
`snnjax.run(..., record=True)`), `train_alphas` (see above).
"""

from typing import Any

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ... import _checks, surrogate as _surrogate
from ..._custom_types import ParamLike
from ...neurons.alif import ALIF as _ALIF, ALIFRecurrent as _ALIFRecurrent
from ...neurons.multispike import MultiSpikeLIF
from ...neurons.multispike_recurrent import MultiSpikeLIFRecurrent
from .._common import unsupported
from .activation import (
    Gaussian,
    MaxSpike,
    MembraneReset,
    MembraneSubtract,
    MultiSpike,
    SingleExponential,
    SingleSpike,
)

__all__ = ["ALIF", "IAF", "LIF", "ALIFRecurrent", "IAFRecurrent", "LIFRecurrent"]


def _spike_fn(fn: object) -> str:
    if fn is SingleSpike or isinstance(fn, SingleSpike):
        return "single"
    if fn is MultiSpike or isinstance(fn, MultiSpike):
        return "multi"
    if isinstance(fn, MaxSpike):
        if fn.max_num_spikes_per_bin is None:
            return "multi"
        raise unsupported(
            "sinabs",
            "MaxSpike(max_num_spikes_per_bin)",
            fn.max_num_spikes_per_bin,
            "only None (no maximum) is implemented",
        )
    raise TypeError(
        "`spike_fn` must be `snnjax.compat.sinabs.activation.SingleSpike`, "
        f"`MultiSpike` or `MaxSpike()`; got {fn!r}."
    )


def _reset(fn: object, threshold: ParamLike, *, adaptive: bool) -> dict[str, Any]:
    """`reset` and `v_reset` of the native model for a sinabs `reset_fn`."""
    if isinstance(fn, MembraneReset):
        return {"reset": "zero", "v_reset": fn.reset_value}
    if not isinstance(fn, MembraneSubtract):
        raise TypeError(
            "`reset_fn` must be `snnjax.compat.sinabs.activation.MembraneSubtract()` "
            f"or `MembraneReset()`; got {fn!r}."
        )
    value = fn.subtract_value
    # sinabs tests `if subtract_value:`, so 0 also subtracts the threshold
    if value is None or np.all(np.asarray(value) == 0):
        return {"reset": "subtract"}
    if not adaptive and np.array_equal(np.asarray(value), np.asarray(threshold)):
        return {"reset": "subtract"}
    raise unsupported(
        "sinabs",
        "MembraneSubtract(subtract_value)",
        value,
        "only the threshold itself (None) is implemented",
    )


def _surrogate_for(
    fn: object, threshold: ParamLike, *, adaptive: bool
) -> dict[str, Any]:
    """`surrogate` (and `relative_surrogate` when adaptive) for `surrogate_grad_fn`."""
    relative = False
    if isinstance(fn, _surrogate.AbstractSurrogate):
        surrogate = fn
    elif isinstance(fn, SingleExponential):
        # sinabs' width is grad_width times the threshold of the step
        relative = adaptive
        width = fn.grad_width if adaptive else fn.grad_width * jnp.asarray(threshold)
        surrogate = _surrogate.SingleExponential(width=width, scale=fn.grad_scale)
    elif isinstance(fn, Gaussian):
        if fn.mu != 0:
            raise unsupported("sinabs", "Gaussian(mu)", fn.mu, "only mu=0")
        surrogate = _surrogate.Gaussian(width=fn.sigma, scale=fn.grad_scale)
    else:
        raise TypeError(
            "`surrogate_grad_fn` must be `snnjax.compat.sinabs.activation."
            "SingleExponential(...)` or `Gaussian(...)`, or an snnjax surrogate; "
            f"got {fn!r}."
        )
    if adaptive:
        return {"surrogate": surrogate, "relative_surrogate": relative}
    return {"surrogate": surrogate}


def _rec_weights(rec_connect: object) -> tuple[Array, Array | None]:
    """`(weight, bias)` from an array or an `nn.Linear`-like `.weight`/`.bias`."""
    if isinstance(rec_connect, (jnp.ndarray, np.ndarray)):
        return jnp.asarray(rec_connect), None
    weight = getattr(rec_connect, "weight", None)
    if weight is None:
        raise TypeError(
            "`rec_connect` must be an (n, n) weight array (as `nn.Linear.weight`) "
            f"or an object with a `.weight` array; got {rec_connect!r}. "
            "Convolutional feedback is not supported."
        )
    bias = getattr(rec_connect, "bias", None)
    return jnp.asarray(weight), None if bias is None else jnp.asarray(bias)


def _threshold(spike_threshold: ParamLike) -> Array:
    # checked here so that the message names sinabs' argument
    return _checks.check_range(
        "spike_threshold",
        _checks.as_param("spike_threshold", spike_threshold),
        lower=0.0,
        lower_open=True,
    )


def _decay(name: str, tau: ParamLike) -> Array:
    tau = _checks.check_range(
        name, _checks.as_param(name, tau), lower=0.0, lower_open=True
    )
    return jnp.exp(-1.0 / tau)


def IAF(
    spike_threshold: ParamLike = 1.0,
    spike_fn: object = MultiSpike,
    reset_fn: object = MembraneSubtract(subtract_value=None),
    surrogate_grad_fn: object = SingleExponential(grad_width=0.5, grad_scale=1.0),
    tau_syn: ParamLike | None = None,
    min_v_mem: ParamLike | None = None,
    shape: object = None,
    record_states: bool = False,
) -> MultiSpikeLIF:
    r"""sinabs `IAF` as a non-leaky [`snnjax.MultiSpikeLIF`][snnjax.MultiSpikeLIF].

    $i_t = x_t$ (or $\alpha(i_{t-1} + x_t)$ with `tau_syn`), $h_t = v_{t-1} + i_t$,
    then sinabs' spike function, reset and `min_v_mem` floor.

    Args:
        spike_threshold: threshold $> 0$.
        spike_fn: `MultiSpike` (default), `SingleSpike` or `MaxSpike()`.
        reset_fn: `MembraneSubtract()` (default) or `MembraneReset(reset_value)`.
        surrogate_grad_fn: `SingleExponential(grad_width, grad_scale)` (width
            scaled by the threshold), `Gaussian(0, sigma, grad_scale)` or an
            snnjax surrogate.
        tau_syn: synaptic time constant (steps), or `None`; learned as `alpha`.
        min_v_mem: lower bound of the membrane, or `None`.
        shape: accepted, no effect.
        record_states: accepted, no effect.

    Returns:
        An `snnjax.MultiSpikeLIF(beta=1.0, decay_input=False, ...)` with zero
        initial state.
    """
    del shape, record_states
    spike_threshold = _threshold(spike_threshold)
    return MultiSpikeLIF(
        1.0,
        spike_threshold,
        alpha=None if tau_syn is None else _decay("tau_syn", tau_syn),
        spike_fn=_spike_fn(spike_fn),
        v_min=min_v_mem,
        decay_input=False,
        learn=frozenset() if tau_syn is None else frozenset({"alpha"}),
        **_reset(reset_fn, spike_threshold, adaptive=False),
        **_surrogate_for(surrogate_grad_fn, spike_threshold, adaptive=False),
    )


def LIF(
    tau_mem: ParamLike,
    tau_syn: ParamLike | None = None,
    spike_threshold: ParamLike = 1.0,
    spike_fn: object = MultiSpike,
    reset_fn: object = MembraneSubtract(subtract_value=None),
    surrogate_grad_fn: object = SingleExponential(grad_width=0.5, grad_scale=1.0),
    min_v_mem: ParamLike | None = None,
    train_alphas: bool = False,
    shape: object = None,
    norm_input: bool = True,
    record_states: bool = False,
) -> MultiSpikeLIF:
    r"""sinabs `LIF` as an [`snnjax.MultiSpikeLIF`][snnjax.MultiSpikeLIF].

    $\beta = e^{-1/\tau_\text{mem}}$, $\alpha = e^{-1/\tau_\text{syn}}$;
    $i_t = \alpha(i_{t-1} + x_t)$ (or $x_t$), $h_t = \beta v_{t-1} + g\, i_t$
    with $g = 1 - \beta$ if `norm_input`, then sinabs' spike function, reset
    and floor.

    Args:
        tau_mem: membrane time constant (steps) $> 0$; learned as `beta`.
        tau_syn: synaptic time constant, or `None`; learned as `alpha`.
        spike_threshold: threshold $> 0$.
        spike_fn: `MultiSpike` (default), `SingleSpike` or `MaxSpike()`.
        reset_fn: `MembraneSubtract()` (default) or `MembraneReset(reset_value)`.
        surrogate_grad_fn: `SingleExponential(...)` (default), `Gaussian(...)`
            or an snnjax surrogate.
        min_v_mem: lower bound of the membrane, or `None`.
        train_alphas: accepted; the model learns the decays either way.
        shape: accepted, no effect.
        norm_input: scale the current by $1 - \beta$ (`decay_input`).
        record_states: accepted, no effect.

    Returns:
        An `snnjax.MultiSpikeLIF` with zero initial state.
    """
    del train_alphas, shape, record_states
    spike_threshold = _threshold(spike_threshold)
    return MultiSpikeLIF.from_tau(
        tau_mem,
        spike_threshold,
        tau_syn=tau_syn,
        spike_fn=_spike_fn(spike_fn),
        v_min=min_v_mem,
        decay_input=norm_input,
        learn=frozenset({"beta"} if tau_syn is None else {"beta", "alpha"}),
        **_reset(reset_fn, spike_threshold, adaptive=False),
        **_surrogate_for(surrogate_grad_fn, spike_threshold, adaptive=False),
    )


def ALIF(
    tau_mem: ParamLike,
    tau_adapt: ParamLike,
    tau_syn: ParamLike | None = None,
    adapt_scale: ParamLike = 1.8,
    spike_threshold: ParamLike = 1.0,
    spike_fn: object = SingleSpike,
    reset_fn: object = MembraneSubtract(subtract_value=None),
    surrogate_grad_fn: object = SingleExponential(grad_width=0.5, grad_scale=1.0),
    min_v_mem: ParamLike | None = None,
    shape: object = None,
    train_alphas: bool = False,
    norm_input: bool = True,
    record_states: bool = False,
) -> _ALIF:
    r"""sinabs `ALIF` as an [`snnjax.ALIF`][snnjax.ALIF].

    $\beta = e^{-1/\tau_\text{mem}}$, $\rho = e^{-1/\tau_\text{adapt}}$,
    $\alpha = e^{-1/\tau_\text{syn}}$, threshold $\vartheta_t = b_0 +
    \gamma b_{t-1}$ with $b_0$ = `spike_threshold`, $\gamma$ = `adapt_scale`;
    the update (sinabs' `alif_forward_single`, with its `norm_input` quirk) is
    on [`snnjax.ALIF`][snnjax.ALIF].

    Args:
        tau_mem: membrane time constant (steps); learned as `beta`.
        tau_adapt: adaptation time constant; learned as `rho`.
        tau_syn: synaptic time constant, or `None`; learned as `alpha`.
        adapt_scale: threshold increase per unit of adaptation, $\ge 0$.
        spike_threshold: baseline threshold $b_0 > 0$.
        spike_fn: `SingleSpike` (default), `MultiSpike` or `MaxSpike()`.
        reset_fn: `MembraneSubtract()` (subtracts $\vartheta_t$) or
            `MembraneReset(reset_value)`.
        surrogate_grad_fn: `SingleExponential(...)` (relative to
            $\vartheta_t$), `Gaussian(...)` or an snnjax surrogate.
        min_v_mem: lower bound of the membrane, or `None`.
        shape: accepted, no effect.
        train_alphas: accepted; the model learns the decays either way.
        norm_input: scale (and store) the current by $1 - \beta$.
        record_states: accepted, no effect.

    Returns:
        An `snnjax.ALIF` with zero initial state.
    """
    del shape, train_alphas, record_states
    spike_threshold = _threshold(spike_threshold)
    return _ALIF.from_tau(
        tau_mem,
        tau_adapt,
        spike_threshold,
        tau_syn=tau_syn,
        adapt_scale=adapt_scale,
        spike_fn=_spike_fn(spike_fn),
        v_min=min_v_mem,
        decay_input=norm_input,
        learn=frozenset(
            {"beta", "rho"} if tau_syn is None else {"beta", "rho", "alpha"}
        ),
        **_reset(reset_fn, spike_threshold, adaptive=True),
        **_surrogate_for(surrogate_grad_fn, spike_threshold, adaptive=True),
    )


def ALIFRecurrent(
    tau_mem: ParamLike,
    tau_adapt: ParamLike,
    rec_connect: object,
    tau_syn: ParamLike | None = None,
    adapt_scale: ParamLike = 1.8,
    spike_threshold: ParamLike = 1.0,
    spike_fn: object = SingleSpike,
    reset_fn: object = MembraneSubtract(subtract_value=None),
    surrogate_grad_fn: object = SingleExponential(grad_width=0.5, grad_scale=1.0),
    min_v_mem: ParamLike | None = None,
    shape: object = None,
    train_alphas: bool = False,
    norm_input: bool = True,
    record_states: bool = False,
) -> _ALIFRecurrent:
    r"""sinabs `ALIFRecurrent` as an [`snnjax.ALIFRecurrent`][snnjax.ALIFRecurrent].

    As [`ALIF`][snnjax.compat.sinabs.layers.ALIF], with the previous step's
    spikes fed back through `rec_connect`: the input of step $t$ is
    $x_t + z_{t-1} W^\top (+ b)$.

    Args:
        tau_mem: membrane time constant (steps); learned as `beta`.
        tau_adapt: adaptation time constant; learned as `rho`.
        rec_connect: the feedback weights: an `(n, n)` array laid out as
            `nn.Linear(n, n).weight` (row $i$ feeds neuron $i$), or an object
            with `.weight` (and optional `.bias`) arrays. torch draws
            `nn.Linear` at random, so pass the values to reproduce a run.
            Learned (`weight`, `bias`).
        tau_syn: synaptic time constant, or `None`; learned as `alpha`.
        adapt_scale: threshold increase per unit of adaptation, $\ge 0$.
        spike_threshold: baseline threshold $b_0 > 0$.
        spike_fn: `SingleSpike` (default), `MultiSpike` or `MaxSpike()`.
        reset_fn: `MembraneSubtract()` or `MembraneReset(reset_value)`.
        surrogate_grad_fn: `SingleExponential(...)`, `Gaussian(...)` or an
            snnjax surrogate.
        min_v_mem: lower bound of the membrane, or `None`.
        shape: accepted, no effect.
        train_alphas: accepted; the model learns the decays either way.
        norm_input: scale (and store) the current by $1 - \beta$.
        record_states: accepted, no effect.

    Returns:
        An `snnjax.ALIFRecurrent` with zero initial state.
    """
    del shape, train_alphas, record_states
    spike_threshold = _threshold(spike_threshold)
    weight, bias = _rec_weights(rec_connect)
    learn = {"beta", "rho", "weight"} | ({"alpha"} if tau_syn is not None else set())
    return _ALIFRecurrent.from_tau(
        tau_mem,
        tau_adapt,
        spike_threshold,
        tau_syn=tau_syn,
        weight=weight,
        bias=bias,
        adapt_scale=adapt_scale,
        spike_fn=_spike_fn(spike_fn),
        v_min=min_v_mem,
        decay_input=norm_input,
        learn=frozenset(learn | ({"bias"} if bias is not None else set())),
        **_reset(reset_fn, spike_threshold, adaptive=True),
        **_surrogate_for(surrogate_grad_fn, spike_threshold, adaptive=True),
    )


def _rec_learn(bias: Array | None, tau_syn: ParamLike | None) -> set[str]:
    """The weights (and the synaptic decay, if any) are learned, as in sinabs."""
    return (
        {"weight"}
        | ({"bias"} if bias is not None else set())
        | ({"alpha"} if tau_syn is not None else set())
    )


def LIFRecurrent(
    tau_mem: ParamLike,
    rec_connect: object,
    tau_syn: ParamLike | None = None,
    spike_threshold: ParamLike = 1.0,
    spike_fn: object = MultiSpike,
    reset_fn: object = MembraneSubtract(subtract_value=None),
    surrogate_grad_fn: object = SingleExponential(grad_width=0.5, grad_scale=1.0),
    min_v_mem: ParamLike | None = None,
    train_alphas: bool = False,
    shape: object = None,
    norm_input: bool = True,
    record_states: bool = False,
) -> MultiSpikeLIFRecurrent:
    r"""sinabs `LIFRecurrent` as a recurrent multi-spike LIF.

    Returns an [`snnjax.MultiSpikeLIFRecurrent`][snnjax.MultiSpikeLIFRecurrent].

    As [`LIF`][snnjax.compat.sinabs.layers.LIF], with the previous step's
    output fed back through `rec_connect`: the input of step $t$ is
    $x_t + z_{t-1} W^\top (+ b)$, added before the synaptic current and the
    `norm_input` scaling.

    Args:
        tau_mem: membrane time constant (steps) $> 0$; learned as `beta`.
        rec_connect: the feedback weights: an `(n, n)` array laid out as
            `nn.Linear(n, n).weight` (row $i$ feeds neuron $i$), or an object
            with `.weight` (and optional `.bias`) arrays. torch draws
            `nn.Linear` at random, so pass the values to reproduce a run.
            Learned (`weight`, `bias`).
        tau_syn: synaptic time constant, or `None`; learned as `alpha`.
        spike_threshold: threshold $> 0$.
        spike_fn: `MultiSpike` (default), `SingleSpike` or `MaxSpike()`.
        reset_fn: `MembraneSubtract()` (default) or `MembraneReset(reset_value)`.
        surrogate_grad_fn: `SingleExponential(...)` (default), `Gaussian(...)`
            or an snnjax surrogate.
        min_v_mem: lower bound of the membrane, or `None`.
        train_alphas: accepted; the model learns the decays either way.
        shape: accepted, no effect.
        norm_input: scale the current by $1 - \beta$ (`decay_input`).
        record_states: accepted, no effect.

    Returns:
        An `snnjax.MultiSpikeLIFRecurrent` with zero initial state.
    """
    del train_alphas, shape, record_states
    spike_threshold = _threshold(spike_threshold)
    weight, bias = _rec_weights(rec_connect)
    return MultiSpikeLIFRecurrent.from_tau(
        tau_mem,
        spike_threshold,
        tau_syn=tau_syn,
        weight=weight,
        bias=bias,
        spike_fn=_spike_fn(spike_fn),
        v_min=min_v_mem,
        decay_input=norm_input,
        learn=frozenset(_rec_learn(bias, tau_syn) | {"beta"}),
        **_reset(reset_fn, spike_threshold, adaptive=False),
        **_surrogate_for(surrogate_grad_fn, spike_threshold, adaptive=False),
    )


def IAFRecurrent(
    rec_connect: object,
    spike_threshold: ParamLike = 1.0,
    spike_fn: object = MultiSpike,
    reset_fn: object = MembraneSubtract(subtract_value=None),
    surrogate_grad_fn: object = SingleExponential(grad_width=0.5, grad_scale=1.0),
    tau_syn: ParamLike | None = None,
    min_v_mem: ParamLike | None = None,
    shape: object = None,
    record_states: bool = False,
) -> MultiSpikeLIFRecurrent:
    r"""sinabs `IAFRecurrent` as a non-leaky recurrent multi-spike LIF.

    Returns an [`snnjax.MultiSpikeLIFRecurrent`][snnjax.MultiSpikeLIFRecurrent].

    As [`IAF`][snnjax.compat.sinabs.layers.IAF] ($\beta = 1$, no input
    normalisation), with the previous step's output fed back through
    `rec_connect`: the input of step $t$ is $x_t + z_{t-1} W^\top (+ b)$.

    Args:
        rec_connect: the feedback weights, as for
            [`LIFRecurrent`][snnjax.compat.sinabs.layers.LIFRecurrent].
        spike_threshold: threshold $> 0$.
        spike_fn: `MultiSpike` (default), `SingleSpike` or `MaxSpike()`.
        reset_fn: `MembraneSubtract()` (default) or `MembraneReset(reset_value)`.
        surrogate_grad_fn: `SingleExponential(...)` (default), `Gaussian(...)`
            or an snnjax surrogate.
        tau_syn: synaptic time constant (steps), or `None`; learned as `alpha`.
        min_v_mem: lower bound of the membrane, or `None`.
        shape: accepted, no effect.
        record_states: accepted, no effect.

    Returns:
        An `snnjax.MultiSpikeLIFRecurrent(beta=1.0, decay_input=False, ...)`
        with zero initial state.
    """
    del shape, record_states
    spike_threshold = _threshold(spike_threshold)
    weight, bias = _rec_weights(rec_connect)
    return MultiSpikeLIFRecurrent(
        1.0,
        spike_threshold,
        weight=weight,
        bias=bias,
        alpha=None if tau_syn is None else _decay("tau_syn", tau_syn),
        spike_fn=_spike_fn(spike_fn),
        v_min=min_v_mem,
        decay_input=False,
        learn=frozenset(_rec_learn(bias, tau_syn)),
        **_reset(reset_fn, spike_threshold, adaptive=False),
        **_surrogate_for(surrogate_grad_fn, spike_threshold, adaptive=False),
    )
