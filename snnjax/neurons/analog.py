"""LIF variants with a non-standard output or fire stage: `LIAF` and `KLIF`.

Both charge like spikingjelly's `LIFNode` (`snnjax.neurons.lif.lif_charge`).
`LIAF` outputs an analog activation of the membrane instead of the spike;
`KLIF` fires on a learnably scaled, rectified membrane.
"""

from collections.abc import Callable, Collection
from typing import Any, Literal, cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, Sigmoid
from ._base import (
    AbstractNeuron,
    Reset,
    SpikeTest,
    detach_if,
    fire,
    reset_now,
    validate_options,
)
from .lif import lif_charge

Activation = Literal["relu", "identity", "sigmoid", "tanh"]
ACTIVATIONS: tuple[str, ...] = ("relu", "identity", "sigmoid", "tanh")

_ACTIVATION_FNS: dict[str, Callable[[Array], Array]] = {
    "relu": jax.nn.relu,
    "identity": lambda h: h,
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
}


def _beta_params(
    beta: ParamLike, threshold: ParamLike, reset: str, v_reset: ParamLike
) -> tuple[Array, Array, Array]:
    """`beta` in [0, 1], finite `threshold`, `v_reset` (below it for "zero")."""
    beta_arr = _checks.check_range(
        "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
    )
    thr = _checks.check_finite("threshold", _checks.as_param("threshold", threshold))
    v_r = _checks.check_finite("v_reset", _checks.as_param("v_reset", v_reset))
    if reset == "zero":
        v_r = _checks.check_less(
            "v_reset", v_r, "threshold", thr, why=' for reset="zero"'
        )
    return beta_arr, thr, v_r


def _beta_from_tau(tau: ParamLike, dt: ScalarLike) -> Array:
    tau = _checks.check_range(
        "tau", _checks.as_param("tau", tau), lower=0.0, lower_open=True
    )
    dt = _checks.check_range(
        "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
    )
    return jnp.exp(-dt / tau)


def _rest(v_leak: Array, shape: tuple[int, ...], dtype: jnp.dtype | type) -> Array:
    return jnp.broadcast_to(jax.lax.stop_gradient(v_leak).astype(dtype), shape)


# -------------------------------------------------------------------- LIAF


class LIAFState(eqx.Module):
    """State of [`LIAF`][snnjax.LIAF]: the membrane potential `v`."""

    v: Float[Array, "*shape"]


def liaf_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    activation: Activation,
    threshold_related: bool,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
    decay_input: bool,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One LIAF step; returns `(y, v_new)`. See [`LIAF`][snnjax.LIAF]."""
    h = lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=decay_input)
    act = _ACTIVATION_FNS[activation]
    y = act(h - threshold) if threshold_related else act(h)
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    return y, reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)


class LIAF(AbstractNeuron[LIAFState]):
    r"""Leaky integrate-and-analog-fire neuron: a LIF with an analog output.

    The membrane behaves exactly as a [`LIF`][snnjax.LIF] (it spikes and
    resets), but the output is an activation of the membrane instead of the
    spike. Discrete update, in the order the code runs it (spikingjelly's
    `LIAFNode`), with $g = 1 - \beta$ if `decay_input` else $g = 1$:

    $$ h_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g\, x_t $$

    $$ y_t = \begin{cases}
        f(h_t - \vartheta) & \text{threshold_related=True (TR mode)} \\
        f(h_t) & \text{threshold_related=False}
       \end{cases}, \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract" (soft reset)} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero" (hard)} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    where $f$ is the `activation`, $H$ the spike test (`>=` by default) and
    $\bar s_t = s_t$, or `stop_gradient(s_t)` with `detach_reset=True`. The
    output $y_t$ is *not* binary; the spike $s_t$ only drives the reset (and its
    surrogate carries the gradient through it). The state is the post-reset
    membrane; the default initial state is $v = v_\text{leak}$.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$ (spikingjelly:
            $1 - 1/\tau$); scalar or per neuron.
        threshold: firing threshold $\vartheta$, finite.
        activation: $f$, one of `"relu"`, `"identity"`, `"sigmoid"`, `"tanh"`.
        threshold_related: output $f(h_t - \vartheta)$ instead of $f(h_t)$.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: reset value for `reset="zero"`, below `threshold`.
        v_leak: potential the membrane decays towards, and the initial
            membrane (spikingjelly: `v_reset`, or 0 for a soft reset).
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">="` (spikingjelly) or `">"`.
        decay_input: scale the input by $1 - \beta$ (spikingjelly
            `decay_input=True`).
        surrogate: surrogate derivative of the reset spike (default
            `Sigmoid(4.0)`).
        learn: parameters that receive gradients, subset of
            `{"beta", "threshold", "v_reset", "v_leak"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> liaf = snn.LIAF(beta=0.5, activation="relu", threshold_related=True)
        >>> xs = jnp.full((3, 1), 1.5)
        >>> y, state, rec = snn.run(liaf, xs, liaf.init_state((1,)), record=True)
        >>> y[:, 0].tolist(), rec.v[:, 0].tolist()
        ([0.0, 0.125, 0.0], [0.75, 0.0, 0.75])

    References:
        Wu et al., *LIAF-Net: Leaky integrate and analog fire network for
        lightweight and efficient spatiotemporal information processing*,
        IEEE Trans. Neural Netw. Learn. Syst. 33 (2022),
        doi:10.1109/TNNLS.2021.3073016, arXiv:2011.06176.
    """

    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    activation: Activation = eqx.field(static=True)
    threshold_related: bool = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.5,
        threshold: ParamLike = 1.0,
        *,
        activation: str = "relu",
        threshold_related: bool = True,
        reset: str = "zero",
        v_reset: ParamLike = 0.0,
        v_leak: ParamLike = 0.0,
        detach_reset: bool = False,
        spike_test: str = ">=",
        decay_input: bool = True,
        surrogate: AbstractSurrogate = Sigmoid(4.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("beta", "threshold", "v_reset", "v_leak"),
        )
        _checks.check_option("activation", activation, ACTIVATIONS)
        self.beta, self.threshold, self.v_reset = _beta_params(
            beta, threshold, reset, v_reset
        )
        self.v_leak = _checks.check_finite("v_leak", _checks.as_param("v_leak", v_leak))
        self.surrogate = surrogate
        self.activation = cast(Activation, activation)
        self.threshold_related = threshold_related
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.decay_input = decay_input
        self.learn = frozenset(learn)

    @classmethod
    def from_tau(
        cls,
        tau: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "LIAF":
        r"""Build from a membrane time constant: $\beta = e^{-\Delta t / \tau}$.

        Args:
            tau: membrane time constant $\tau > 0$ (same unit as `dt`).
            threshold: firing threshold.
            dt: time step $\Delta t > 0$.
            **kwargs: the other `LIAF` arguments.
        """
        return cls(_beta_from_tau(tau, dt), threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> LIAFState:
        r"""Membrane at rest: $v = v_\text{leak}$, shape `shape`."""
        return LIAFState(v=_rest(self.v_leak, shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: LIAFState
    ) -> tuple[Float[Array, "*shape"], LIAFState]:
        """One step of the update above; returns `(y, new_state)`."""
        y, v = liaf_step(
            x,
            state.v,
            beta=self.param("beta", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            v_leak=self.param("v_leak", x),
            surrogate=self.surrogate,
            activation=self.activation,
            threshold_related=self.threshold_related,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
            decay_input=self.decay_input,
        )
        return y, LIAFState(v=v)


# -------------------------------------------------------------------- KLIF


class KLIFState(eqx.Module):
    """State of [`KLIF`][snnjax.KLIF]: the membrane potential `v`."""

    v: Float[Array, "*shape"]


def klif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    beta: Float[Array, "*shape"],
    k: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    scale_reset: bool,
    detach_reset: bool,
    spike_test: SpikeTest,
    decay_input: bool,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One KLIF step; returns `(spikes, v_new)`. See [`KLIF`][snnjax.KLIF]."""
    h = lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=decay_input)
    f = jax.nn.relu(k * h)
    spikes = fire(f, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    if not scale_reset:
        return spikes, reset_now(
            f, s, reset=reset, threshold=threshold, v_reset=v_reset
        )
    if reset == "subtract":
        return spikes, (f - s * threshold) / k
    if reset == "zero":
        return spikes, (1 - s) * (f / k) + s * v_reset
    return spikes, f / k


class KLIF(AbstractNeuron[KLIFState]):
    r"""K-based leaky integrate-and-fire neuron: fires on a scaled, rectified membrane.

    A LIF whose spike test and reset act on $F = \mathrm{ReLU}(k h)$, with $k$ a
    learnable scale that tunes the effective slope of the surrogate gradient.
    Discrete update, in the order the code runs it (spikingjelly's
    `KLIFNode`), with $g = 1 - \beta$ if `decay_input` else $g = 1$:

    $$ h_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g\, x_t,
       \qquad F_t = \max(0, k\, h_t), \qquad s_t = H(F_t - \vartheta) $$

    $$ v_t = \begin{cases}
        F_t - \bar s_t \vartheta & \text{reset="subtract"} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) F_t & \text{reset="zero"} \\
        F_t & \text{reset="none"}
       \end{cases} \quad \text{or, with scale_reset,} \quad
       v_t = \begin{cases}
        (F_t - \bar s_t \vartheta) / k & \text{"subtract"} \\
        (1 - \bar s_t) F_t / k + \bar s_t v_\text{reset} & \text{"zero"} \\
        F_t / k & \text{"none"}
       \end{cases} $$

    with $H$ the spike test (`>=` by default) and $\bar s_t = s_t$, or
    `stop_gradient(s_t)` with `detach_reset=True`. The derivative of the
    rectifier at $k h_t = 0$ is 0 (as torch's). The state is the post-reset
    membrane; the default initial state is $v = v_\text{leak}$. $k$ receives
    gradients by default (`learn={"k"}`), as spikingjelly's `nn.Parameter`.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$ (spikingjelly:
            $1 - 1/\tau$); scalar or per neuron.
        k: scale $k > 0$ of the membrane before rectification (dimensionless;
            spikingjelly initialises it to 1).
        threshold: firing threshold $\vartheta$, finite.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: reset value for `reset="zero"`, below `threshold`.
        v_leak: potential the membrane decays towards, and the initial
            membrane (spikingjelly: `v_reset`).
        scale_reset: divide the reset membrane by $k$ (spikingjelly
            `scale_reset`).
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">="` (spikingjelly) or `">"`.
        decay_input: scale the input by $1 - \beta$.
        surrogate: surrogate derivative of the spike (default `Sigmoid(4.0)`).
        learn: parameters that receive gradients, subset of
            `{"beta", "k", "threshold", "v_reset", "v_leak"}` (default `{"k"}`).

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> klif = snn.KLIF(beta=0.5, k=1.5)
        >>> xs = jnp.array([[-1.0], [1.0], [1.0]])
        >>> spikes, state, rec = snn.run(klif, xs, klif.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist(), rec.v[:, 0].tolist()
        ([0.0, 0.0, 1.0], [0.0, 0.75, 0.0])

    References:
        Jiang, Zhang, Liu & Cai, *KLIF: An optimized spiking neuron unit for
        tuning surrogate gradient slope and membrane potential*, ICASSP 2023,
        arXiv:2302.09238.
    """

    beta: Float[Array, "*#shape"]
    k: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    scale_reset: bool = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.5,
        threshold: ParamLike = 1.0,
        *,
        k: ParamLike = 1.0,
        reset: str = "zero",
        v_reset: ParamLike = 0.0,
        v_leak: ParamLike = 0.0,
        scale_reset: bool = False,
        detach_reset: bool = False,
        spike_test: str = ">=",
        decay_input: bool = True,
        surrogate: AbstractSurrogate = Sigmoid(4.0),
        learn: Collection[str] = frozenset({"k"}),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("beta", "k", "threshold", "v_reset", "v_leak"),
        )
        self.beta, self.threshold, self.v_reset = _beta_params(
            beta, threshold, reset, v_reset
        )
        self.k = _checks.check_range(
            "k", _checks.as_param("k", k), lower=0.0, lower_open=True
        )
        self.v_leak = _checks.check_finite("v_leak", _checks.as_param("v_leak", v_leak))
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.scale_reset = scale_reset
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.decay_input = decay_input
        self.learn = frozenset(learn)

    @classmethod
    def from_tau(
        cls,
        tau: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "KLIF":
        r"""Build from a membrane time constant: $\beta = e^{-\Delta t / \tau}$.

        Args:
            tau: membrane time constant $\tau > 0$ (same unit as `dt`).
            threshold: firing threshold.
            dt: time step $\Delta t > 0$.
            **kwargs: the other `KLIF` arguments.
        """
        return cls(_beta_from_tau(tau, dt), threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> KLIFState:
        r"""Membrane at rest: $v = v_\text{leak}$, shape `shape`."""
        return KLIFState(v=_rest(self.v_leak, shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: KLIFState
    ) -> tuple[Float[Array, "*shape"], KLIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v = klif_step(
            x,
            state.v,
            beta=self.param("beta", x),
            k=self.param("k", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            v_leak=self.param("v_leak", x),
            surrogate=self.surrogate,
            reset=self.reset,
            scale_reset=self.scale_reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
            decay_input=self.decay_input,
        )
        return spikes, KLIFState(v=v)
