r"""norse's `torch.functional` pieces: parameter tuples, surrogates, encoder, resets.

The parameter classes are `NamedTuple`s with norse 1.1.0's field names and
defaults (Python floats where norse stores 0-dim tensors); pass them as `p=` to
the constructors in [`snnjax.compat.norse.torch`][snnjax.compat.norse.torch].
A field may also be a JAX array (per neuron, or traced for a sweep).

norse selects the surrogate gradient with `method` and `alpha`; snnjax maps
them to surrogates (`threshold_surrogate`):

| norse `method` | derivative | snnjax surrogate |
|---|---|---|
| `"super"` | $1/(\lvert u \rvert + 1)^2$ (`alpha` ignored) | `FastSigmoid(1.0)` |
| `"triangle"` | $\alpha \max(0, 1 - \lvert u \rvert)$ | `Triangle(alpha, 1.0)` |
| `"tanh"` | $1 - \tanh^2(\alpha u)$ (no factor $\alpha$) | `HeaviTanh(alpha)` |

Other methods (`"heaviside"`, `"circ"`, `"heavi_erfc"`) raise
`NotImplementedError`.
"""

from collections.abc import Callable
from typing import NamedTuple

import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .... import _checks, surrogate as _s
from ...._custom_types import ParamLike, ScalarLike
from ....neurons.lif import lif_step
from ..._common import unsupported

__all__ = [
    "HeaviTanh",
    "IzhikevichParameters",
    "LIFAdExParameters",
    "LIFBoxParameters",
    "LIFParameters",
    "LIFRefracParameters",
    "LIParameters",
    "LSNNParameters",
    "decay_from_rate",
    "lif_current_encoder",
    "reset_subtract",
    "reset_value",
    "threshold_surrogate",
]

_UNSUPPORTED_METHODS = ("heaviside", "circ", "heavi_erfc", "tent", "logistic")


def reset_value(
    z: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    v_reset: ParamLike,
    v_th: ParamLike,
) -> Float[Array, "*shape"]:
    r"""norse's `reset_value`: $(1 - z) v + z\, v_\text{reset}$ (`v_th` unused)."""
    del v_th
    v_reset = jnp.broadcast_to(jnp.asarray(v_reset, v.dtype), v.shape)
    return (1 - z) * v + z * v_reset


def reset_subtract(
    z: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    v_reset: ParamLike,
    v_th: ParamLike,
) -> Float[Array, "*shape"]:
    r"""norse's `reset_subtract`: $(1 - z) v + z (v - v_\text{th})$ (`v_reset` unused)."""  # noqa: E501
    del v_reset
    v_th = jnp.broadcast_to(jnp.asarray(v_th, v.dtype), v.shape)
    return (1 - z) * v + z * (v - v_th)


class LIFParameters(NamedTuple):
    r"""norse `LIFParameters`: rates in 1/s (with `dt` in s), potentials, surrogate.

    Attributes:
        tau_syn_inv: inverse synaptic time constant $1/\tau_\text{syn}$.
        tau_mem_inv: inverse membrane time constant $1/\tau_\text{mem}$.
        v_leak: leak (resting) potential.
        v_th: threshold.
        v_reset: reset potential.
        method: surrogate method (`"super"`, `"triangle"`, `"tanh"`).
        alpha: surrogate hyperparameter.
    """

    tau_syn_inv: ParamLike = 1.0 / 5e-3
    tau_mem_inv: ParamLike = 1.0 / 1e-2
    v_leak: ParamLike = 0.0
    v_th: ParamLike = 1.0
    v_reset: ParamLike = 0.0
    method: str = "super"
    alpha: ParamLike = 100.0


class LIFBoxParameters(NamedTuple):
    """norse `LIFBoxParameters`: a LIF without synaptic current.

    Attributes:
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential.
        v_th: threshold.
        v_reset: reset potential (`reset_value`).
        method: surrogate method.
        alpha: surrogate hyperparameter.
        reset_method: `reset_value` / `reset_subtract` (the functions of this
            module) or their names.
    """

    tau_mem_inv: ParamLike = 1.0 / 1e-2
    v_leak: ParamLike = 0.0
    v_th: ParamLike = 1.0
    v_reset: ParamLike = 0.0
    method: str = "super"
    alpha: ParamLike = 100.0
    reset_method: Callable | str = reset_value


class LIParameters(NamedTuple):
    """norse `LIParameters`: the leaky integrator readout.

    Attributes:
        tau_syn_inv: inverse synaptic time constant.
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential.
    """

    tau_syn_inv: ParamLike = 1.0 / 5e-3
    tau_mem_inv: ParamLike = 1.0 / 1e-2
    v_leak: ParamLike = 0.0


class LIFAdExParameters(NamedTuple):
    """norse `LIFAdExParameters`: adaptive exponential LIF.

    Attributes:
        adaptation_current: subthreshold adaptation coupling $a$.
        adaptation_spike: spike-triggered adaptation $b$.
        delta_T: slope factor of the exponential.
        tau_ada_inv: inverse adaptation time constant.
        tau_syn_inv: inverse synaptic time constant.
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential.
        v_th: threshold and rheobase.
        v_reset: reset potential.
        method: surrogate method.
        alpha: surrogate hyperparameter (norse's default 0.0).
    """

    adaptation_current: ParamLike = 4.0
    adaptation_spike: ParamLike = 0.02
    delta_T: ParamLike = 0.5
    tau_ada_inv: ParamLike = 2.0
    tau_syn_inv: ParamLike = 1.0 / 5e-3
    tau_mem_inv: ParamLike = 1.0 / 1e-2
    v_leak: ParamLike = 0.0
    v_th: ParamLike = 1.0
    v_reset: ParamLike = 0.0
    method: str = "super"
    alpha: ParamLike = 0.0


class LSNNParameters(NamedTuple):
    """norse `LSNNParameters`: LIF with an adaptive threshold.

    Attributes:
        tau_syn_inv: inverse synaptic time constant.
        tau_mem_inv: inverse membrane time constant.
        tau_adapt_inv: inverse threshold-adaptation time constant.
        v_leak: leak potential.
        v_th: baseline threshold.
        v_reset: reset potential.
        beta: threshold increment per spike.
        method: surrogate method.
        alpha: surrogate hyperparameter.
    """

    tau_syn_inv: ParamLike = 1.0 / 5e-3
    tau_mem_inv: ParamLike = 1.0 / 1e-2
    tau_adapt_inv: ParamLike = 1.0 / 800
    v_leak: ParamLike = 0.0
    v_th: ParamLike = 1.0
    v_reset: ParamLike = 0.0
    beta: ParamLike = 1.8
    method: str = "super"
    alpha: ParamLike = 100.0


class LIFRefracParameters(NamedTuple):
    """norse `LIFRefracParameters`: a LIF plus a refractory counter.

    Attributes:
        lif: the `LIFParameters`.
        rho_reset: refractory period in steps.
    """

    lif: LIFParameters = LIFParameters()
    rho_reset: ParamLike = 5.0


class IzhikevichParameters(NamedTuple):
    """norse `IzhikevichParameters` (`a`, `b`, `c`, `d` have no default).

    Attributes:
        a: recovery rate.
        b: recovery sensitivity.
        c: after-spike membrane reset.
        d: after-spike recovery increment.
        sq: coefficient of $v^2$.
        mn: coefficient of $v$.
        bias: constant drive.
        v_th: threshold.
        tau_inv: time scale: the Euler step is `tau_inv * dt` (ms).
        method: surrogate method.
        alpha: surrogate hyperparameter.
    """

    a: ParamLike
    b: ParamLike
    c: ParamLike
    d: ParamLike
    sq: ParamLike = 0.04
    mn: ParamLike = 5.0
    bias: ParamLike = 140.0
    v_th: ParamLike = 30.0
    tau_inv: ParamLike = 250.0
    method: str = "super"
    alpha: ParamLike = 100.0


class HeaviTanh(_s.AbstractSurrogate):
    r"""norse's `"tanh"` surrogate (`HeaviTanh`).

    $$ \sigma'(x) = 1 - \tanh^2(k x), \qquad \sigma(x) = \frac{\tanh(k x)}{k} $$

    Value $\sigma(0) = 0$; peak $\sigma'(0) = 1$ whatever the slope; a larger
    `slope` $k$ (norse's `alpha`) narrows it. norse's derivative is not
    multiplied by $k$, so it is not the derivative of its forward
    approximation $\tfrac12 + \tfrac12 \tanh(k x)$.

    Args:
        slope: steepness $k > 0$.
    """

    slope: Float[Array, "*#shape"]

    def __init__(self, slope: ParamLike = 100.0):
        self.slope = _checks.check_range(
            "slope", _checks.as_param("slope", slope), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$1 - \tanh^2(kx)$."""
        k = jnp.asarray(self.slope).astype(x.dtype)
        # sech^2 = 1 - tanh^2, without the cancellation when tanh is near 1
        return 1 / jnp.cosh(k * x) ** 2

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\tanh(kx)/k$."""
        k = jnp.asarray(self.slope).astype(x.dtype)
        return jnp.tanh(k * x) / k


def threshold_surrogate(method: str, alpha: ParamLike) -> _s.AbstractSurrogate:
    """The snnjax surrogate for norse's `threshold(x, method, alpha)` (see above).

    Args:
        method: `"super"`, `"triangle"` or `"tanh"`.
        alpha: norse's surrogate hyperparameter (ignored by `"super"`).

    Raises:
        NotImplementedError: a norse method snnjax does not reproduce.
        ValueError: an unknown method, a non-finite `alpha`, or (`"triangle"`,
            `"tanh"`) a non-positive `alpha`.
    """
    if method == "super":
        # alpha is unused here, but a NaN/inf alpha is still a user error
        _checks.check_finite("alpha", _checks.as_param("alpha", alpha))
        return _s.FastSigmoid(slope=1.0)
    if method == "triangle":
        return _s.Triangle(slope=alpha, width=1.0)
    if method == "tanh":
        return HeaviTanh(slope=alpha)
    if method in _UNSUPPORTED_METHODS:
        raise unsupported(
            "norse", "method", method, "supported: 'super', 'triangle', 'tanh'"
        )
    raise ValueError(
        f"`method` must be one of 'super', 'triangle', 'tanh'; got {method!r}."
    )


def decay_from_rate(name: str, tau_inv: ParamLike, dt: ScalarLike) -> Array:
    r"""$1 - \Delta t\,\tau^{-1}$, with norse's rate and time step checked.

    `tau_inv` must be positive, `dt` positive, and `dt * tau_inv <= 1` (the
    forward-Euler step must not overshoot, so that the decay is in [0, 1]).
    """
    rate = _checks.check_range(
        name, _checks.as_param(name, tau_inv), lower=0.0, lower_open=True
    )
    step = _checks.check_range(
        "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
    )
    product = _checks.check_range(f"dt * {name}", step * rate, upper=1.0)
    return 1 - product


def lif_current_encoder(
    input_current: Float[ArrayLike, "*shape"],
    voltage: Float[ArrayLike, "*voltage_shape"],
    p: LIFParameters = LIFParameters(),
    dt: ScalarLike = 0.001,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    r"""norse `lif_current_encoder`: one step of a LIF driven by a constant current.

    $$ h = v + \Delta t\,\tau_\text{mem}^{-1} ((v_\text{leak} - v) + x), \qquad
       z = H(h - v_\text{th}), \qquad v' = h - z (h - v_\text{reset}) $$

    with the strict test $H(y) = [y > 0]$, `p.method`'s surrogate derivative and
    the reset not detached. Computed as [`snnjax.LIF`][snnjax.LIF]'s step with
    $\beta = 1 - \Delta t\,\tau_\text{mem}^{-1}$, `decay_input=True` and
    `reset="zero"`. Iterate it with a Python loop or `jax.lax.scan` to encode a
    current as a spike train.

    Args:
        input_current: the input current $x$.
        voltage: the membrane $v$ before the step, same shape.
        p: `LIFParameters` (`tau_syn_inv` is unused).
        dt: time step.

    Returns:
        `(z, voltage)`: the spikes and the membrane after the reset.

    Examples:
        >>> import jax.numpy as jnp
        >>> from snnjax.compat.norse.torch import LIFParameters, lif_current_encoder
        >>> p = LIFParameters(tau_mem_inv=1.0)
        >>> x = jnp.array([1.0, 3.0])
        >>> z, v = lif_current_encoder(x, jnp.zeros(2), p, dt=0.5)  # h = 0.5 x
        >>> z.tolist(), v.tolist()
        ([0.0, 1.0], [0.5, 0.0])
    """
    x = jnp.asarray(input_current)
    v = jnp.asarray(voltage)
    if v.shape != x.shape or v.dtype != x.dtype:
        raise ValueError(
            f"`voltage` must have the shape and dtype of `input_current` "
            f"{x.shape} {x.dtype}; got {v.shape} {v.dtype}."
        )
    beta = decay_from_rate("tau_mem_inv", p.tau_mem_inv, dt)

    def full(name: str, value: ParamLike) -> Array:
        arr = _checks.check_finite(name, _checks.as_param(name, value))
        return jnp.broadcast_to(arr.astype(x.dtype), x.shape)

    return lif_step(
        x,
        v,
        beta=jnp.broadcast_to(beta.astype(x.dtype), x.shape),
        threshold=full("v_th", p.v_th),
        v_reset=full("v_reset", p.v_reset),
        v_leak=full("v_leak", p.v_leak),
        surrogate=threshold_surrogate(p.method, p.alpha),
        reset="zero",
        reset_timing="immediate",
        detach_reset=False,
        spike_test=">",
        decay_input=True,
    )
