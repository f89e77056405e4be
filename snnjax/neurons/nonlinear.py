r"""Nonlinear integrate-and-fire neurons: `QIF`, `EIF` and `AdaptiveQIF`.

They follow spikingjelly's `QIFNode`, `EIFNode` and `IzhikevichNode`: one
forward-Euler step of the membrane equation with rate $1/\tau$ per step, then
the spike and the reset in the same step.
"""

from collections.abc import Collection
from typing import cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike
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


def _positive(name: str, value: ParamLike) -> Array:
    return _checks.check_range(
        name, _checks.as_param(name, value), lower=0.0, lower_open=True
    )


def _finite(name: str, value: ParamLike) -> Array:
    return _checks.check_finite(name, _checks.as_param(name, value))


def _reset_value(reset: str, v_reset: ParamLike, threshold: Array) -> Array:
    """`v_reset`, finite, and below `threshold` when the reset uses it."""
    value = _finite("v_reset", v_reset)
    if reset == "zero":
        value = _checks.check_less(
            "v_reset", value, "threshold", threshold, why=' for reset="zero"'
        )
    return value


def _initial_v(
    reset: str, v_reset: Array, shape: tuple[int, ...], dtype: jnp.dtype | type
) -> Array:
    # spikingjelly starts at v_reset, or at 0 for a soft reset (v_reset=None)
    if reset == "zero":
        v0 = jax.lax.stop_gradient(v_reset).astype(dtype)
        return jnp.broadcast_to(v0, shape)
    return jnp.zeros(shape, dtype)


# --------------------------------------------------------------------- QIF


class QIFState(eqx.Module):
    """State of [`QIF`][snnjax.QIF]: the membrane potential `v`."""

    v: Float[Array, "*shape"]


def qif_charge(
    v: Float[Array, "*shape"],
    x: Float[Array, "*shape"],
    *,
    tau: Float[Array, "*shape"],
    v_c: Float[Array, "*shape"],
    a0: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
) -> Float[Array, "*shape"]:
    r"""$h = v + (x + a_0 (v - v_\text{rest})(v - v_c)) / \tau$."""
    return v + (x + a0 * (v - v_rest) * (v - v_c)) / tau


def qif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    tau: Float[Array, "*shape"],
    v_c: Float[Array, "*shape"],
    a0: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One QIF step; returns `(spikes, v_new)`. See [`QIF`][snnjax.QIF]."""
    h = qif_charge(v, x, tau=tau, v_c=v_c, a0=a0, v_rest=v_rest)
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    return spikes, reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)


class QIF(AbstractNeuron[QIFState]):
    r"""Quadratic integrate-and-fire neuron.

    $$ \tau \frac{dv}{dt} = a_0 (v - v_\text{rest})(v - v_c) + R\,I(t) $$

    Below the critical voltage $v_c$ the membrane relaxes to $v_\text{rest}$;
    above it the quadratic term drives it upwards until the threshold.
    Discrete update, in the order the code runs it (charge, fire, reset, as
    spikingjelly's `QIFNode`):

    $$ h_t = v_{t-1} + \frac{x_t + a_0 (v_{t-1} - v_\text{rest})
       (v_{t-1} - v_c)}{\tau}, \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract" (soft reset)} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero" (hard)} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    with $H$ the spike test (`>=` by default, as spikingjelly) and
    $\bar s_t = s_t$, or `stop_gradient(s_t)` with `detach_reset=True`. The
    state is the post-reset membrane. Default initial state, as spikingjelly:
    $v = v_\text{reset}$ for `reset="zero"`, $v = 0$ otherwise. The defaults
    of every argument are spikingjelly's.

    Args:
        tau: membrane time constant $\tau > 0$ in time steps (spikingjelly
            requires $\tau > 1$); scalar or per neuron.
        v_c: critical voltage $v_c$ (membrane units), finite.
        a0: sharpness $a_0 > 0$ of the quadratic term (1 / membrane units).
        threshold: firing threshold $\vartheta$, finite.
        v_rest: resting potential $v_\text{rest}$, finite.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: reset value for `reset="zero"`, below `threshold`.
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">="` (spikingjelly) or `">"`.
        surrogate: surrogate derivative of the spike (default `Sigmoid(4.0)`).
        learn: parameters that receive gradients, subset of
            `{"tau", "v_c", "a0", "threshold", "v_rest", "v_reset"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> qif = snn.QIF(tau=2.0, v_c=0.5, v_reset=0.0)
        >>> xs = jnp.full((3, 1), 1.0)
        >>> spikes, state, rec = snn.run(qif, xs, qif.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist(), rec.v[:, 0].tolist()
        ([0.0, 1.0, 0.0], [0.5, 0.0, 0.5])

    References:
        Latham, Richmond, Nelson & Nirenberg, *Intrinsic dynamics in neuronal
        networks. I. Theory*, J. Neurophysiol. 83 (2000),
        doi:10.1152/jn.2000.83.2.808.
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 5.3,
        doi:10.1017/CBO9781107447615.
    """

    tau: Float[Array, "*#shape"]
    v_c: Float[Array, "*#shape"]
    a0: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        tau: ParamLike = 2.0,
        *,
        v_c: ParamLike = 0.8,
        a0: ParamLike = 1.0,
        threshold: ParamLike = 1.0,
        v_rest: ParamLike = 0.0,
        reset: str = "zero",
        v_reset: ParamLike = -0.1,
        detach_reset: bool = False,
        spike_test: str = ">=",
        surrogate: AbstractSurrogate = Sigmoid(4.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("tau", "v_c", "a0", "threshold", "v_rest", "v_reset"),
        )
        self.tau = _positive("tau", tau)
        self.v_c = _finite("v_c", v_c)
        self.a0 = _positive("a0", a0)
        self.threshold = _finite("threshold", threshold)
        self.v_rest = _finite("v_rest", v_rest)
        self.v_reset = _reset_value(reset, v_reset, self.threshold)
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> QIFState:
        r"""$v = v_\text{reset}$ for `reset="zero"`, else $v = 0$."""
        return QIFState(v=_initial_v(self.reset, self.v_reset, shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: QIFState
    ) -> tuple[Float[Array, "*shape"], QIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v = qif_step(
            x,
            state.v,
            tau=self.param("tau", x),
            v_c=self.param("v_c", x),
            a0=self.param("a0", x),
            v_rest=self.param("v_rest", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, QIFState(v=v)


# --------------------------------------------------------------------- EIF


class EIFState(eqx.Module):
    """State of [`EIF`][snnjax.EIF]: the membrane potential `v`."""

    v: Float[Array, "*shape"]


def eif_charge(
    v: Float[Array, "*shape"],
    x: Float[Array, "*shape"],
    *,
    tau: Float[Array, "*shape"],
    delta_T: Float[Array, "*shape"],
    theta_rh: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
) -> Float[Array, "*shape"]:
    r"""Euler charge of the EIF.

    $h = v + (x + v_\text{rest} - v + \Delta_T e^{(v - \theta_{rh})/\Delta_T})/\tau$.
    """
    return v + (x + v_rest - v + delta_T * jnp.exp((v - theta_rh) / delta_T)) / tau


def eif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    tau: Float[Array, "*shape"],
    delta_T: Float[Array, "*shape"],
    theta_rh: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One EIF step; returns `(spikes, v_new)`. See [`EIF`][snnjax.EIF]."""
    h = eif_charge(v, x, tau=tau, delta_T=delta_T, theta_rh=theta_rh, v_rest=v_rest)
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    return spikes, reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)


class EIF(AbstractNeuron[EIFState]):
    r"""Exponential integrate-and-fire neuron.

    $$ \tau \frac{dv}{dt} = -(v - v_\text{rest})
       + \Delta_T \exp\!\left(\frac{v - \theta_\text{rh}}{\Delta_T}\right)
       + R\,I(t) $$

    A LIF with an exponential spike-initiation current that takes over above
    the rheobase $\theta_\text{rh}$; it tends to the LIF as $\Delta_T \to 0$.
    Discrete update, in the order the code runs it (charge, fire, reset, as
    spikingjelly's `EIFNode`):

    $$ h_t = v_{t-1} + \frac{x_t + v_\text{rest} - v_{t-1}
       + \Delta_T \exp\left((v_{t-1} - \theta_\text{rh})/\Delta_T\right)}{\tau},
       \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract" (soft reset)} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero" (hard)} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    with $H$ the spike test (`>=` by default) and $\bar s_t = s_t$, or
    `stop_gradient(s_t)` with `detach_reset=True`. The state is the
    post-reset membrane. Default initial state, as spikingjelly:
    $v = v_\text{reset}$ for `reset="zero"`, $v = 0$ otherwise. The defaults
    of every argument are spikingjelly's.

    Args:
        tau: membrane time constant $\tau > 0$ in time steps (spikingjelly
            requires $\tau > 1$); scalar or per neuron.
        delta_T: sharpness $\Delta_T > 0$ of the spike initiation (membrane
            units); spikingjelly's `delta_T`.
        theta_rh: rheobase threshold $\theta_\text{rh}$ (membrane units), finite.
        threshold: firing threshold $\vartheta$, finite.
        v_rest: resting potential $v_\text{rest}$, finite.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: reset value for `reset="zero"`, below `threshold`.
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">="` (spikingjelly) or `">"`.
        surrogate: surrogate derivative of the spike (default `Sigmoid(4.0)`).
        learn: parameters that receive gradients, subset of
            `{"tau", "delta_T", "theta_rh", "threshold", "v_rest", "v_reset"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> eif = snn.EIF(tau=2.0, delta_T=1.0, theta_rh=0.0, v_reset=0.0)
        >>> xs = jnp.full((2, 1), 0.5)
        >>> spikes, state, rec = snn.run(eif, xs, eif.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist(), [round(v, 4) for v in rec.v[:, 0].tolist()]
        ([0.0, 1.0], [0.75, 0.0])

    References:
        Fourcaud-Trocme, Hansel, van Vreeswijk & Brunel, *How spike generation
        mechanisms determine the neuronal response to fluctuating inputs*,
        J. Neurosci. 23 (2003), doi:10.1523/JNEUROSCI.23-37-11628.2003.
    """

    tau: Float[Array, "*#shape"]
    delta_T: Float[Array, "*#shape"]
    theta_rh: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        tau: ParamLike = 2.0,
        *,
        delta_T: ParamLike = 1.0,
        theta_rh: ParamLike = 0.8,
        threshold: ParamLike = 1.0,
        v_rest: ParamLike = 0.0,
        reset: str = "zero",
        v_reset: ParamLike = -0.1,
        detach_reset: bool = False,
        spike_test: str = ">=",
        surrogate: AbstractSurrogate = Sigmoid(4.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=(
                "tau",
                "delta_T",
                "theta_rh",
                "threshold",
                "v_rest",
                "v_reset",
            ),
        )
        self.tau = _positive("tau", tau)
        self.delta_T = _positive("delta_T", delta_T)
        self.theta_rh = _finite("theta_rh", theta_rh)
        self.threshold = _finite("threshold", threshold)
        self.v_rest = _finite("v_rest", v_rest)
        self.v_reset = _reset_value(reset, v_reset, self.threshold)
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> EIFState:
        r"""$v = v_\text{reset}$ for `reset="zero"`, else $v = 0$."""
        return EIFState(v=_initial_v(self.reset, self.v_reset, shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: EIFState
    ) -> tuple[Float[Array, "*shape"], EIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v = eif_step(
            x,
            state.v,
            tau=self.param("tau", x),
            delta_T=self.param("delta_T", x),
            theta_rh=self.param("theta_rh", x),
            v_rest=self.param("v_rest", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, EIFState(v=v)


# ------------------------------------------------------------- AdaptiveQIF


class AdaptiveQIFState(eqx.Module):
    """State of [`AdaptiveQIF`][snnjax.AdaptiveQIF]: membrane `v`, adaptation `w`."""

    v: Float[Array, "*shape"]
    w: Float[Array, "*shape"]


def adaptive_qif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    w: Float[Array, "*shape"],
    *,
    tau: Float[Array, "*shape"],
    v_c: Float[Array, "*shape"],
    a0: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
    tau_w: Float[Array, "*shape"],
    a: Float[Array, "*shape"],
    b: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One step; returns `(spikes, v_new, w_new)`.

    See [`AdaptiveQIF`][snnjax.AdaptiveQIF].
    """
    h = v + (x + a0 * (v - v_rest) * (v - v_c) - w) / tau
    w = w + (1 / tau_w) * (a * (h - v_rest) - w)  # from the pre-reset h
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    if reset == "zero":
        # spikingjelly's AdaptBaseNode: (1 - s_d) h + s v_reset, the second
        # spike never detached
        v = (1 - s) * h + spikes * v_reset
    else:
        v = reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)
    return spikes, v, w + b * spikes  # the jump uses the non-detached spike


class AdaptiveQIF(AbstractNeuron[AdaptiveQIFState]):
    r"""Quadratic integrate-and-fire neuron with an adaptation current.

    spikingjelly's `IzhikevichNode`: a [`QIF`][snnjax.QIF] membrane driven down
    by an adaptation current $w$ that follows the membrane (subthreshold
    coupling $a$) and jumps by $b$ at each spike:

    $$ \tau \frac{dv}{dt} = a_0 (v - v_\text{rest})(v - v_c) - w + R\,I(t),
       \qquad \tau_w \frac{dw}{dt} = a (v - v_\text{rest}) - w
       + b \tau_w \textstyle\sum_k \delta(t - t_k) $$

    Discrete update, in the order the code runs it (charge, adapt, fire,
    reset, as spikingjelly's `AdaptBaseNode`):

    $$ h_t = v_{t-1} + \frac{x_t + a_0 (v_{t-1} - v_\text{rest})(v_{t-1} - v_c)
       - w_{t-1}}{\tau} $$

    $$ w'_t = w_{t-1} + \frac{1}{\tau_w}\left(a (h_t - v_\text{rest})
       - w_{t-1}\right), \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract" (soft reset)} \\
        (1 - \bar s_t) h_t + s_t v_\text{reset} & \text{reset="zero" (hard)} \\
        h_t & \text{reset="none"}
       \end{cases}, \qquad w_t = w'_t + b\, s_t $$

    with $H$ the spike test (`>=` by default) and $\bar s_t = s_t$, or
    `stop_gradient(s_t)` with `detach_reset=True`. As in spikingjelly, the
    adaptation sees the *pre-reset* $h_t$, and the jump $b\,s_t$ and the hard
    reset's $s_t v_\text{reset}$ term use the spike with its gradient whatever
    `detach_reset`. The state is the post-reset $v_t$ and $w_t$. Default
    initial state: $w = w_\text{rest}$, and $v = v_\text{reset}$ for
    `reset="zero"`, $v = 0$ otherwise. The defaults of every argument are
    spikingjelly's (so $a = b = 0$: no adaptation unless asked for).

    Args:
        tau: membrane time constant $\tau > 0$ in time steps (spikingjelly
            requires $\tau > 1$); scalar or per neuron.
        v_c: critical voltage $v_c$, finite.
        a0: sharpness $a_0 > 0$ of the quadratic term.
        threshold: firing threshold $\vartheta$, finite.
        v_rest: resting potential $v_\text{rest}$, finite.
        w_rest: initial adaptation current $w_\text{rest}$ (membrane units).
        tau_w: adaptation time constant $\tau_w > 0$ in time steps.
        a: subthreshold coupling $a$ of $w$ to the membrane, finite.
        b: jump $b$ of $w$ at each spike (membrane units), finite.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: reset value for `reset="zero"`, below `threshold`.
        detach_reset: reset the membrane with `stop_gradient(spikes)`.
        spike_test: `">="` (spikingjelly) or `">"`.
        surrogate: surrogate derivative of the spike (default `Sigmoid(4.0)`).
        learn: parameters that receive gradients, subset of `{"tau", "v_c",
            "a0", "threshold", "v_rest", "w_rest", "tau_w", "a", "b",
            "v_reset"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.AdaptiveQIF(tau=2.0, v_c=0.5, v_rest=0.0, tau_w=2.0,
        ...                          a=0.5, b=0.25)
        >>> xs = jnp.full((2, 1), 1.5)
        >>> spikes, state, rec = snn.run(
        ...     neuron, xs, neuron.init_state((1,)), record=True
        ... )
        >>> spikes[:, 0].tolist(), rec.v[:, 0].tolist(), rec.w[:, 0].tolist()
        ([0.0, 1.0], [0.75, 0.0], [0.1875, 0.71875])

    References:
        Izhikevich, *Simple model of spiking neurons*, IEEE Trans. Neural Netw.
        14 (2003), doi:10.1109/TNN.2003.820440.
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 6.1,
        doi:10.1017/CBO9781107447615.
    """

    tau: Float[Array, "*#shape"]
    v_c: Float[Array, "*#shape"]
    a0: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    w_rest: Float[Array, "*#shape"]
    tau_w: Float[Array, "*#shape"]
    a: Float[Array, "*#shape"]
    b: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        tau: ParamLike = 2.0,
        *,
        v_c: ParamLike = 0.8,
        a0: ParamLike = 1.0,
        threshold: ParamLike = 1.0,
        v_rest: ParamLike = -0.1,
        w_rest: ParamLike = 0.0,
        tau_w: ParamLike = 2.0,
        a: ParamLike = 0.0,
        b: ParamLike = 0.0,
        reset: str = "zero",
        v_reset: ParamLike = 0.0,
        detach_reset: bool = False,
        spike_test: str = ">=",
        surrogate: AbstractSurrogate = Sigmoid(4.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=(
                "tau",
                "v_c",
                "a0",
                "threshold",
                "v_rest",
                "w_rest",
                "tau_w",
                "a",
                "b",
                "v_reset",
            ),
        )
        self.tau = _positive("tau", tau)
        self.v_c = _finite("v_c", v_c)
        self.a0 = _positive("a0", a0)
        self.threshold = _finite("threshold", threshold)
        self.v_rest = _finite("v_rest", v_rest)
        self.w_rest = _finite("w_rest", w_rest)
        self.tau_w = _positive("tau_w", tau_w)
        self.a = _finite("a", a)
        self.b = _finite("b", b)
        self.v_reset = _reset_value(reset, v_reset, self.threshold)
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> AdaptiveQIFState:
        r"""$w = w_\text{rest}$; $v = v_\text{reset}$ for `reset="zero"`, else 0."""
        w = jnp.broadcast_to(jax.lax.stop_gradient(self.w_rest).astype(dtype), shape)
        return AdaptiveQIFState(
            v=_initial_v(self.reset, self.v_reset, shape, dtype), w=w
        )

    def step(
        self, x: Float[Array, "*shape"], state: AdaptiveQIFState
    ) -> tuple[Float[Array, "*shape"], AdaptiveQIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, w = adaptive_qif_step(
            x,
            state.v,
            state.w,
            tau=self.param("tau", x),
            v_c=self.param("v_c", x),
            a0=self.param("a0", x),
            v_rest=self.param("v_rest", x),
            tau_w=self.param("tau_w", x),
            a=self.param("a", x),
            b=self.param("b", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, AdaptiveQIFState(v=v, w=w)
