r"""Neurons with a refractory counter and a spike trace (pysnn's neuron family).

These models keep, next to the membrane, a *trace* of their own spikes (the
postsynaptic trace that trace-based STDP rules read) and a refractory counter
in time units. Every relaxing quantity (membrane, trace, adaptive threshold)
is updated by a decay strategy: [`Decay`][snnjax.Decay] multiplies by a
factor per step (pysnn `update_type="linear"`), [`EulerDecay`][snnjax.EulerDecay]
takes one forward-Euler step of a time constant (pysnn `"exponential"`).

The refractory counter is a float, as in pysnn: it is set to the refractory
duration on a spike, counts down by $\Delta t$ per step and the membrane is
frozen until it equals 0 *exactly*. The duration must therefore be a whole
multiple of $\Delta t$ in floating point: use dyadic values (such as 0.5, 1,
2) for both, whose countdown is exact in every float dtype.
"""

import abc
from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, ATan
from ._base import AbstractNeuron, SpikeTest, detach_if, fire, reset_now

_SPIKE_TESTS = (">=", ">")

# ------------------------------------------------------------------ strategies


def _cast(name: str, value: Array, like: Array) -> Array:
    """`value` cast to `like`'s dtype and broadcast to its shape, named on error."""
    try:
        shape = jnp.broadcast_shapes(value.shape, like.shape)
    except ValueError:
        shape = None
    if shape != like.shape:
        raise ValueError(
            f"`{name}` has shape {value.shape}, which does not broadcast to the "
            f"state shape {like.shape}; per-neuron parameters must match the "
            "trailing (feature) axes of the input."
        )
    return jnp.broadcast_to(value.astype(like.dtype), like.shape)


class AbstractDecay(eqx.Module):
    r"""How a state variable $y$ relaxes towards a rest value in one step.

    A decay strategy is called as `relax(y, drive, rest=..., gate=..., dt=...)`
    with the drive $u$ (what pushes $y$ away from rest: input current, spikes),
    an optional rest value $y_0$ (0 when absent) and an optional gate
    $g \in \{0, 1\}$ (1 when absent) that freezes the update, and returns
    $y_t$. Subclasses write the formula in their docstring, in the order the
    code computes it.
    """

    @abc.abstractmethod
    def relax(
        self,
        y: Float[Array, "*shape"],
        drive: Float[Array, "*shape"],
        *,
        rest: Float[Array, "*shape"] | None = None,
        gate: Float[Array, "*shape"] | None = None,
        dt: Float[Array, "*shape"],
    ) -> Float[Array, "*shape"]:
        """One step of the relaxation of `y`; see the class docstring."""


class Decay(AbstractDecay):
    r"""Decay by a constant factor per step (pysnn `update_type="linear"`).

    $$ y_t = y_0 + \big((y_{t-1} - y_0)\, d + u_t\big)\, g_t $$

    computed in this order; without a rest value it is
    $y_t = (y_{t-1} d + u_t) g_t$ and without a gate the factor $g_t$ is
    dropped. The drive is added in full every step, so a constant drive $u$
    settles at $y_0 + u / (1 - d)$. $d = e^{-\Delta t/\tau}$ is the exact
    discretisation of $\tau\,\dot y = -(y - y_0)$ between inputs (see
    `from_tau`). A gated update with $g = 0$ sets $y$ to $y_0$ (pysnn's
    linear LIF holds a refractory membrane at `v_rest`).

    Args:
        factor: decay factor per step, $d \in [0, 1]$; scalar or per neuron.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> decay = snn.Decay(0.5)
        >>> y = jnp.array([1.0])
        >>> decay.relax(y, jnp.array([0.25]), dt=jnp.array([1.0])).tolist()
        [0.75]
    """

    factor: Float[Array, "*#shape"]

    def __init__(self, factor: ParamLike):
        self.factor = _checks.check_range(
            "factor", _checks.as_param("factor", factor), lower=0.0, upper=1.0
        )

    @classmethod
    def from_tau(cls, tau: ParamLike, *, dt: ScalarLike = 1.0) -> "Decay":
        r"""Exact decay of a time constant: $d = e^{-\Delta t/\tau}$.

        Args:
            tau: time constant $\tau > 0$ (unit of `dt`).
            dt: time step $\Delta t > 0$.
        """
        positive = {"lower": 0.0, "lower_open": True}
        tau = _checks.check_range("tau", _checks.as_param("tau", tau), **positive)
        dt = _checks.check_range("dt", _checks.as_param("dt", dt), **positive)
        return cls(jnp.exp(-dt / tau))

    def relax(
        self,
        y: Float[Array, "*shape"],
        drive: Float[Array, "*shape"],
        *,
        rest: Float[Array, "*shape"] | None = None,
        gate: Float[Array, "*shape"] | None = None,
        dt: Float[Array, "*shape"],
    ) -> Float[Array, "*shape"]:
        r"""$y_0 + ((y - y_0) d + u) g$; see the class docstring."""
        del dt  # a factor per step already includes the step size
        d = _cast("factor", self.factor, y)
        out = (y if rest is None else y - rest) * d + drive
        if gate is not None:
            out = out * gate
        return out if rest is None else rest + out


class EulerDecay(AbstractDecay):
    r"""Forward-Euler step of a time constant (pysnn `update_type="exponential"`).

    $$ \tau \frac{dy}{dt} = -(y - y_0) + u $$

    one explicit Euler step of size $\Delta t$, computed in this order:

    $$ y_t = y_{t-1} + \Big(\frac{\Delta t}{\tau}
       \big(-(y_{t-1} - y_0) + u_t\big)\Big)\, g_t $$

    (without a rest value $-(y - y_0)$ is $-y$; without a gate $g_t$ is
    dropped). A constant drive settles at $y_0 + u$, and a gated update with
    $g = 0$ leaves $y$ unchanged. The step is stable for
    $\Delta t \le 2\tau$ and monotone for $\Delta t \le \tau$.

    Args:
        tau: time constant $\tau > 0$, in the unit of the model's `dt`; scalar
            or per neuron.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> decay = snn.EulerDecay(tau=4.0)
        >>> y = jnp.array([1.0])
        >>> decay.relax(y, jnp.array([0.0]), dt=jnp.array([1.0])).tolist()
        [0.75]
    """

    tau: Float[Array, "*#shape"]

    def __init__(self, tau: ParamLike):
        self.tau = _checks.check_range(
            "tau", _checks.as_param("tau", tau), lower=0.0, lower_open=True
        )

    def relax(
        self,
        y: Float[Array, "*shape"],
        drive: Float[Array, "*shape"],
        *,
        rest: Float[Array, "*shape"] | None = None,
        gate: Float[Array, "*shape"] | None = None,
        dt: Float[Array, "*shape"],
    ) -> Float[Array, "*shape"]:
        r"""$y + ((\Delta t/\tau)(-(y - y_0) + u)) g$; see the class docstring."""
        tau = _cast("tau", self.tau, y)
        step = (dt / tau) * ((-y if rest is None else -(y - rest)) + drive)
        if gate is not None:
            step = step * gate
        return y + step


# ------------------------------------------------------- shared pure functions


def refractory_countdown(
    refrac: Float[Array, "*shape"],
    spikes: Float[Array, "*shape"],
    *,
    refractory: Float[Array, "*shape"],
    dt: Float[Array, "*shape"],
) -> Float[Array, "*shape"]:
    r"""pysnn's refractory counter update, run after the spike of the step.

    Where the refractory duration $T_\text{ref} > 0$:
    $c \leftarrow c - \Delta t$ where $c > 0$, then
    $c \leftarrow c + T_\text{ref}\, s$. With $T_\text{ref} = 0$ the counter
    is left as it is (pysnn skips the update). The counter carries no gradient.
    """
    refrac = jax.lax.stop_gradient(refrac)
    counted = jnp.where(refrac > 0, refrac - dt, refrac)
    counted = counted + refractory * jax.lax.stop_gradient(spikes)
    return jnp.where(refractory > 0, counted, refrac)


def _not_refractory(refrac: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
    # pysnn compares the float counter with 0 exactly (non_refrac)
    return (refrac == 0).astype(refrac.dtype)


def _check_refractory(
    refractory: Array, dt: Array, *, name: str = "refractory"
) -> Array:
    """`refractory` must be >= 0 and a whole multiple of `dt` (pysnn asserts it)."""
    refractory = _checks.check_range(name, refractory, lower=0.0)
    shape = jnp.broadcast_shapes(refractory.shape, dt.shape)
    a, b = jnp.broadcast_to(refractory, shape), jnp.broadcast_to(dt, shape)
    bad = jnp.remainder(a, b) != 0
    message = (
        f"`{name}` must be a whole multiple of `dt` (the refractory counter "
        "counts down by dt and must reach 0 exactly; use dyadic values such as "
        f"dt=0.5, {name}=2.0)"
    )
    if _checks._is_concrete(bad):
        if np.asarray(bad).any():
            raise ValueError(
                f"{message}; got {name}={np.asarray(refractory)}, dt={np.asarray(dt)}."
            )
        return refractory
    return eqx.error_if(refractory, bad, f"{message}.")


def _positive(name: str, value: ParamLike) -> Array:
    return _checks.check_range(
        name, _checks.as_param(name, value), lower=0.0, lower_open=True
    )


def _finite(name: str, value: ParamLike) -> Array:
    return _checks.check_finite(name, _checks.as_param(name, value))


def _check_decay(name: str, value: object) -> AbstractDecay:
    if not isinstance(value, AbstractDecay):
        raise TypeError(
            f"`{name}` must be a decay strategy, `snnjax.Decay(factor)` or "
            f"`snnjax.EulerDecay(tau)`; got {value!r}."
        )
    return value


def _frozen_decay(model: AbstractNeuron, name: str) -> AbstractDecay:
    """Decay strategy `name` of `model`, frozen unless in `model.learn`."""
    value = getattr(model, name)
    return value if name in model.learn else jax.lax.stop_gradient(value)


def _fixed(model: AbstractNeuron, name: str, like: Array) -> Array:
    """`dt` or the refractory duration: never trained, cast and broadcast."""
    value = jax.lax.stop_gradient(getattr(model, name))
    return jnp.broadcast_to(value.astype(like.dtype), like.shape)


def _initial(
    model: AbstractNeuron, name: str, shape: tuple[int, ...], dtype: Any
) -> Array:
    """Parameter `name` as an initial state (gradient only when learned)."""
    value = getattr(model, name)
    if name not in model.learn:
        value = jax.lax.stop_gradient(value)
    return jnp.broadcast_to(value.astype(dtype), shape)


# ------------------------------------------------------------------ TraceIF


class TraceIFState(eqx.Module):
    """State of [`TraceIF`][snnjax.TraceIF]: membrane, spike trace, refractory counter.

    `refrac` is the remaining refractory time (unit of `dt`); 0 means the
    neuron integrates.
    """

    v: Float[Array, "*shape"]
    trace: Float[Array, "*shape"]
    refrac: Float[Array, "*shape"]


def trace_if_step(
    x: Float[Array, "*shape"],
    state: TraceIFState,
    *,
    threshold: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
    gain: Float[Array, "*shape"],
    trace_gain: Float[Array, "*shape"],
    trace_decay: AbstractDecay,
    refractory: Float[Array, "*shape"],
    dt: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    spike_test: SpikeTest,
    detach_reset: bool,
) -> tuple[Float[Array, "*shape"], TraceIFState]:
    """One step; returns `(spikes, new_state)`. See [`TraceIF`][snnjax.TraceIF]."""
    gate = _not_refractory(state.refrac)
    h = state.v + (gain * x) * gate
    spikes = fire(h, threshold, surrogate, spike_test)
    trace = trace_decay.relax(state.trace, trace_gain * spikes, dt=dt)
    refrac = refractory_countdown(state.refrac, spikes, refractory=refractory, dt=dt)
    s = detach_if(spikes, detach_reset)
    v = reset_now(h, s, reset="zero", threshold=threshold, v_reset=v_rest)
    return spikes, TraceIFState(v=v, trace=trace, refrac=refrac)


class TraceIF(AbstractNeuron[TraceIFState]):
    r"""Integrate-and-fire neuron with a refractory period and a spike trace.

    $$ \frac{dv}{dt} = a_v\, I(t) $$

    (no leak). Discrete update, in the order the code runs it (pysnn
    `IFNeuron.forward`), with the refractory gate $g_t = [c_{t-1} = 0]$
    (exact float equality) and $H$ the spike test (`>=` by default):

    $$ h_t = v_{t-1} + (a_v x_t)\, g_t, \qquad s_t = H(h_t - \vartheta) $$

    $$ z_t = \mathcal{D}_z(z_{t-1};\ a_z s_t) $$

    $$ c_t = \begin{cases}
        \big(c_{t-1} - \Delta t\,[c_{t-1} > 0]\big) + T_\text{ref}\, s_t
            & T_\text{ref} > 0 \\
        c_{t-1} & T_\text{ref} = 0
       \end{cases}, \qquad
       v_t = \bar s_t\, v_\text{rest} + (1 - \bar s_t)\, h_t $$

    where $z$ is the trace, $\mathcal{D}_z$ the trace decay strategy
    ([`Decay`][snnjax.Decay]: $z_t = z_{t-1} d_z + a_z s_t$;
    [`EulerDecay`][snnjax.EulerDecay]:
    $z_t = z_{t-1} + (\Delta t/\tau_z)(-z_{t-1} + a_z s_t)$), $c$ the refractory
    counter and $\bar s_t = s_t$, or `stop_gradient(s_t)` with
    `detach_reset=True`. The counter carries no gradient. After a spike the
    membrane stays at $v_\text{rest}$ for $T_\text{ref}/\Delta t$ steps. The
    state after step $t$ is $(v_t, z_t, c_t)$, what pysnn holds after its
    forward. Initial state: $v = v_\text{rest}$, $z = 0$, $c = 0$.

    Args:
        threshold: firing threshold $\vartheta$ (membrane units), finite.
        v_rest: resting potential: the initial membrane and the reset value.
        gain: input gain $a_v$ (membrane units per input unit; pysnn `alpha_v`).
        trace_gain: trace drive per spike $a_z$ (pysnn `alpha_t`).
        trace_decay: decay strategy of the trace, `Decay(factor)` or
            `EulerDecay(tau)` (default `Decay(0.5)`).
        refractory: refractory duration $T_\text{ref} \ge 0$ in the unit of
            `dt`, a whole multiple of `dt` (pysnn `duration_refrac`).
        dt: time step $\Delta t > 0$ (refractory countdown, `EulerDecay`).
        spike_test: `">="` (pysnn) or `">"`.
        detach_reset: reset with `stop_gradient(spikes)`.
        surrogate: surrogate derivative of the spike (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of
            `{"threshold", "v_rest", "gain", "trace_gain", "trace_decay"}`.

    Raises:
        ValueError: a parameter out of range, or `refractory` not a whole
            multiple of `dt`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.TraceIF(threshold=1.0, gain=0.5, refractory=2.0)
        >>> xs = jnp.ones((6, 1))
        >>> spikes, state, rec = snn.run(
        ...     neuron, xs, neuron.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()
        [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        >>> rec.refrac[:, 0].tolist()
        [0.0, 2.0, 1.0, 0.0, 0.0, 2.0]
        >>> rec.trace[:, 0].tolist()
        [0.0, 1.0, 0.5, 0.25, 0.125, 1.0625]

    References:
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014),
        ch. 1.3 and 19.2 (spike traces for STDP), doi:10.1017/CBO9781107447615.
        Morrison, Diesmann & Gerstner, *Phenomenological models of synaptic
        plasticity based on spike timing*, Biol. Cybern. 98 (2008),
        doi:10.1007/s00422-008-0233-1.
    """

    threshold: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    gain: Float[Array, "*#shape"]
    trace_gain: Float[Array, "*#shape"]
    trace_decay: AbstractDecay
    refractory: Float[Array, "*#shape"]
    dt: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    spike_test: SpikeTest = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        threshold: ParamLike = 1.0,
        *,
        v_rest: ParamLike = 0.0,
        gain: ParamLike = 1.0,
        trace_gain: ParamLike = 1.0,
        trace_decay: AbstractDecay = Decay(0.5),
        refractory: ParamLike = 0.0,
        dt: ParamLike = 1.0,
        spike_test: str = ">=",
        detach_reset: bool = False,
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
    ):
        _checks.check_option("spike_test", spike_test, _SPIKE_TESTS)
        self.learn = _checks.check_learn(
            learn, ("threshold", "v_rest", "gain", "trace_gain", "trace_decay")
        )
        self.threshold = _finite("threshold", threshold)
        self.v_rest = _finite("v_rest", v_rest)
        self.gain = _finite("gain", gain)
        self.trace_gain = _finite("trace_gain", trace_gain)
        self.trace_decay = _check_decay("trace_decay", trace_decay)
        self.dt = _positive("dt", dt)
        self.refractory = _check_refractory(
            _checks.as_param("refractory", refractory), self.dt
        )
        self.surrogate = surrogate
        self.spike_test = cast(SpikeTest, spike_test)
        self.detach_reset = detach_reset

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> TraceIFState:
        r"""$v = v_\text{rest}$, trace and refractory counter 0."""
        zeros = jnp.zeros(shape, dtype)
        v = _initial(self, "v_rest", shape, dtype)
        return TraceIFState(v=v, trace=zeros, refrac=zeros)

    def step(
        self, x: Float[Array, "*shape"], state: TraceIFState
    ) -> tuple[Float[Array, "*shape"], TraceIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        return trace_if_step(
            x,
            state,
            threshold=self.param("threshold", x),
            v_rest=self.param("v_rest", x),
            gain=self.param("gain", x),
            trace_gain=self.param("trace_gain", x),
            trace_decay=_frozen_decay(self, "trace_decay"),
            refractory=_fixed(self, "refractory", x),
            dt=_fixed(self, "dt", x),
            surrogate=self.surrogate,
            spike_test=self.spike_test,
            detach_reset=self.detach_reset,
        )


# ----------------------------------------------------------------- TraceLIF


class TraceLIFState(eqx.Module):
    """State of [`TraceLIF`][snnjax.TraceLIF]: membrane, trace, refractory counter.

    `refrac` is the remaining refractory time (unit of `dt`); 0 means the
    neuron integrates.
    """

    v: Float[Array, "*shape"]
    trace: Float[Array, "*shape"]
    refrac: Float[Array, "*shape"]


def trace_lif_charge(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    gate: Float[Array, "*shape"],
    *,
    decay: AbstractDecay,
    v_rest: Float[Array, "*shape"],
    gain: Float[Array, "*shape"],
    dt: Float[Array, "*shape"],
) -> Float[Array, "*shape"]:
    """Gated leaky integration: `decay.relax(v, gain * x, rest=v_rest, gate=gate)`."""
    return decay.relax(v, gain * x, rest=v_rest, gate=gate, dt=dt)


def trace_lif_step(
    x: Float[Array, "*shape"],
    state: TraceLIFState,
    *,
    threshold: Float[Array, "*shape"],
    v_rest: Float[Array, "*shape"],
    gain: Float[Array, "*shape"],
    decay: AbstractDecay,
    trace_gain: Float[Array, "*shape"],
    trace_decay: AbstractDecay,
    refractory: Float[Array, "*shape"],
    dt: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    spike_test: SpikeTest,
    detach_reset: bool,
) -> tuple[Float[Array, "*shape"], TraceLIFState]:
    """One step; returns `(spikes, new_state)`. See [`TraceLIF`][snnjax.TraceLIF]."""
    gate = _not_refractory(state.refrac)
    h = trace_lif_charge(x, state.v, gate, decay=decay, v_rest=v_rest, gain=gain, dt=dt)
    spikes = fire(h, threshold, surrogate, spike_test)
    trace = trace_decay.relax(state.trace, trace_gain * spikes, dt=dt)
    refrac = refractory_countdown(state.refrac, spikes, refractory=refractory, dt=dt)
    s = detach_if(spikes, detach_reset)
    v = reset_now(h, s, reset="zero", threshold=threshold, v_reset=v_rest)
    return spikes, TraceLIFState(v=v, trace=trace, refrac=refrac)


class TraceLIF(AbstractNeuron[TraceLIFState]):
    r"""Leaky integrate-and-fire neuron with a refractory period and a spike trace.

    $$ \tau_v \frac{dv}{dt} = -(v - v_\text{rest}) + a_v\, I(t) $$

    Discrete update, in the order the code runs it (pysnn `LIFNeuron.forward`),
    with the refractory gate $g_t = [c_{t-1} = 0]$ (exact float equality) and
    $H$ the spike test (`>=` by default). The membrane decay strategy
    $\mathcal{D}_v$ gives the charge step

    $$ h_t = \begin{cases}
        v_\text{rest} + \big((v_{t-1} - v_\text{rest})\, d_v + a_v x_t\big)\, g_t
            & \text{Decay}(d_v) \\
        v_{t-1} + \big(\tfrac{\Delta t}{\tau_v}
            (-(v_{t-1} - v_\text{rest}) + a_v x_t)\big)\, g_t
            & \text{EulerDecay}(\tau_v)
       \end{cases} $$

    then

    $$ s_t = H(h_t - \vartheta), \qquad z_t = \mathcal{D}_z(z_{t-1};\ a_z s_t) $$

    $$ c_t = \begin{cases}
        \big(c_{t-1} - \Delta t\,[c_{t-1} > 0]\big) + T_\text{ref}\, s_t
            & T_\text{ref} > 0 \\
        c_{t-1} & T_\text{ref} = 0
       \end{cases}, \qquad
       v_t = \bar s_t\, v_\text{rest} + (1 - \bar s_t)\, h_t $$

    with the trace $z$ updated by its own strategy ($z_t = z_{t-1} d_z + a_z s_t$
    or $z_t = z_{t-1} + (\Delta t/\tau_z)(-z_{t-1} + a_z s_t)$), $c$ the
    refractory counter (no gradient) and $\bar s_t = s_t$, or
    `stop_gradient(s_t)` with `detach_reset=True`. After a spike the membrane
    stays at $v_\text{rest}$ for $T_\text{ref}/\Delta t$ steps. Initial state:
    $v = v_\text{rest}$, $z = 0$, $c = 0$.

    Fed with the drive $x_t = \sum_k (x_{t,k} - z^\text{pre}_{t,k})$ (input
    spikes minus presynaptic traces) and `EulerDecay` for both membrane and
    trace, this is the neuron of Paredes-Valles et al. (pysnn `FedeNeuron`).

    Args:
        threshold: firing threshold $\vartheta$ (membrane units), finite.
        v_rest: resting potential: initial membrane, leak target, reset value.
        gain: input gain $a_v$ (pysnn `alpha_v`).
        decay: membrane decay strategy, `Decay(factor)` or `EulerDecay(tau)`
            (default `Decay(0.9)`).
        trace_gain: trace drive per spike $a_z$ (pysnn `alpha_t`).
        trace_decay: trace decay strategy (default `Decay(0.5)`).
        refractory: refractory duration $T_\text{ref} \ge 0$ in the unit of
            `dt`, a whole multiple of `dt` (pysnn `duration_refrac`).
        dt: time step $\Delta t > 0$.
        spike_test: `">="` (pysnn) or `">"`.
        detach_reset: reset with `stop_gradient(spikes)`.
        surrogate: surrogate derivative of the spike (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of `{"threshold",
            "v_rest", "gain", "decay", "trace_gain", "trace_decay"}`.

    Raises:
        ValueError: a parameter out of range, or `refractory` not a whole
            multiple of `dt`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> lif = snn.TraceLIF(threshold=1.0, decay=snn.Decay(0.5), refractory=1.0)
        >>> xs = jnp.full((7, 1), 0.6)
        >>> spikes, state, rec = snn.run(lif, xs, lif.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()
        [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        >>> rec.trace[:, 0].tolist()
        [0.0, 0.0, 1.0, 0.5, 0.25, 0.125, 1.0625]

    References:
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014),
        ch. 1.3, doi:10.1017/CBO9781107447615.
        Paredes-Valles, Scheper & de Croon, *Unsupervised learning of a
        hierarchical spiking neural network for optical flow estimation*,
        IEEE TPAMI 42 (2020), doi:10.1109/TPAMI.2019.2903179.
    """

    threshold: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    gain: Float[Array, "*#shape"]
    decay: AbstractDecay
    trace_gain: Float[Array, "*#shape"]
    trace_decay: AbstractDecay
    refractory: Float[Array, "*#shape"]
    dt: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    spike_test: SpikeTest = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        threshold: ParamLike = 1.0,
        *,
        v_rest: ParamLike = 0.0,
        gain: ParamLike = 1.0,
        decay: AbstractDecay = Decay(0.9),
        trace_gain: ParamLike = 1.0,
        trace_decay: AbstractDecay = Decay(0.5),
        refractory: ParamLike = 0.0,
        dt: ParamLike = 1.0,
        spike_test: str = ">=",
        detach_reset: bool = False,
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
    ):
        _checks.check_option("spike_test", spike_test, _SPIKE_TESTS)
        self.learn = _checks.check_learn(
            learn,
            ("threshold", "v_rest", "gain", "decay", "trace_gain", "trace_decay"),
        )
        self.threshold = _finite("threshold", threshold)
        self.v_rest = _finite("v_rest", v_rest)
        self.gain = _finite("gain", gain)
        self.decay = _check_decay("decay", decay)
        self.trace_gain = _finite("trace_gain", trace_gain)
        self.trace_decay = _check_decay("trace_decay", trace_decay)
        self.dt = _positive("dt", dt)
        self.refractory = _check_refractory(
            _checks.as_param("refractory", refractory), self.dt
        )
        self.surrogate = surrogate
        self.spike_test = cast(SpikeTest, spike_test)
        self.detach_reset = detach_reset

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> TraceLIFState:
        r"""$v = v_\text{rest}$, trace and refractory counter 0."""
        zeros = jnp.zeros(shape, dtype)
        v = _initial(self, "v_rest", shape, dtype)
        return TraceLIFState(v=v, trace=zeros, refrac=zeros)

    def step(
        self, x: Float[Array, "*shape"], state: TraceLIFState
    ) -> tuple[Float[Array, "*shape"], TraceLIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        return trace_lif_step(
            x,
            state,
            threshold=self.param("threshold", x),
            v_rest=self.param("v_rest", x),
            gain=self.param("gain", x),
            decay=_frozen_decay(self, "decay"),
            trace_gain=self.param("trace_gain", x),
            trace_decay=_frozen_decay(self, "trace_decay"),
            refractory=_fixed(self, "refractory", x),
            dt=_fixed(self, "dt", x),
            surrogate=self.surrogate,
            spike_test=self.spike_test,
            detach_reset=self.detach_reset,
        )


# ---------------------------------------------------------------- TraceALIF


class TraceALIFState(eqx.Module):
    """State of [`TraceALIF`][snnjax.TraceALIF]: membrane, trace, counter, threshold.

    `thresh` is the current (adaptive) threshold of each neuron.
    """

    v: Float[Array, "*shape"]
    trace: Float[Array, "*shape"]
    refrac: Float[Array, "*shape"]
    thresh: Float[Array, "*shape"]


def trace_alif_step(
    x: Float[Array, "*shape"],
    state: TraceALIFState,
    *,
    v_rest: Float[Array, "*shape"],
    gain: Float[Array, "*shape"],
    decay: AbstractDecay,
    trace_gain: Float[Array, "*shape"],
    trace_decay: AbstractDecay,
    threshold_gain: Float[Array, "*shape"],
    threshold_decay: AbstractDecay,
    refractory: Float[Array, "*shape"],
    dt: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    spike_test: SpikeTest,
    detach_reset: bool,
) -> tuple[Float[Array, "*shape"], TraceALIFState]:
    """One step; returns `(spikes, new_state)`. See [`TraceALIF`][snnjax.TraceALIF]."""
    gate = _not_refractory(state.refrac)
    h = trace_lif_charge(x, state.v, gate, decay=decay, v_rest=v_rest, gain=gain, dt=dt)
    spikes = fire(h, state.thresh, surrogate, spike_test)
    trace = trace_decay.relax(state.trace, trace_gain * spikes, dt=dt)
    thresh = threshold_decay.relax(state.thresh, threshold_gain * spikes, dt=dt)
    refrac = refractory_countdown(state.refrac, spikes, refractory=refractory, dt=dt)
    s = detach_if(spikes, detach_reset)
    v = reset_now(h, s, reset="zero", threshold=state.thresh, v_reset=v_rest)
    return spikes, TraceALIFState(v=v, trace=trace, refrac=refrac, thresh=thresh)


class TraceALIF(AbstractNeuron[TraceALIFState]):
    r"""Adaptive-threshold LIF neuron with a refractory period and a spike trace.

    The membrane is that of [`TraceLIF`][snnjax.TraceLIF]; the threshold
    $\theta$ is a state that jumps with every spike and relaxes towards **0**
    (not towards its initial value):

    $$ \tau_\theta \frac{d\theta}{dt} = -\theta + a_\theta\, S(t) $$

    Discrete update, in the order the code runs it (pysnn
    `AdaptiveLIFNeuron.forward`), with $g_t = [c_{t-1} = 0]$:

    $$ h_t = \mathcal{D}_v(v_{t-1};\ a_v x_t,\ \text{rest } v_\text{rest},
       \text{ gate } g_t), \qquad s_t = H(h_t - \theta_{t-1}) $$

    $$ z_t = \mathcal{D}_z(z_{t-1};\ a_z s_t), \qquad
       \theta_t = \mathcal{D}_\theta(\theta_{t-1};\ a_\theta s_t) $$

    $$ c_t = \begin{cases}
        \big(c_{t-1} - \Delta t\,[c_{t-1} > 0]\big) + T_\text{ref}\, s_t
            & T_\text{ref} > 0 \\
        c_{t-1} & T_\text{ref} = 0
       \end{cases}, \qquad
       v_t = \bar s_t\, v_\text{rest} + (1 - \bar s_t)\, h_t $$

    where each $\mathcal{D}$ is a decay strategy (see
    [`TraceLIF`][snnjax.TraceLIF] for $\mathcal{D}_v$; for the threshold,
    `Decay`: $\theta_t = \theta_{t-1} d_\theta + a_\theta s_t$, `EulerDecay`:
    $\theta_t = \theta_{t-1} + (\Delta t/\tau_\theta)(-\theta_{t-1} + a_\theta
    s_t)$). The spike of step $t$ uses the threshold before its update. The
    reset and the refractory counter are those of `TraceLIF`. Initial state:
    $v = v_\text{rest}$, $z = 0$, $c = 0$, $\theta = \vartheta$ (`threshold`).

    Args:
        threshold: initial threshold $\vartheta$, finite (pysnn `thresh`); it
            only sets the initial state.
        v_rest: resting potential: initial membrane, leak target, reset value.
        gain: input gain $a_v$ (pysnn `alpha_v`).
        decay: membrane decay strategy (default `Decay(0.9)`).
        trace_gain: trace drive per spike $a_z$ (pysnn `alpha_t`).
        trace_decay: trace decay strategy (default `Decay(0.5)`).
        threshold_gain: threshold drive per spike $a_\theta$ (pysnn
            `alpha_thresh`).
        threshold_decay: threshold decay strategy (default `Decay(0.9)`).
        refractory: refractory duration $T_\text{ref} \ge 0$ in the unit of
            `dt`, a whole multiple of `dt`.
        dt: time step $\Delta t > 0$.
        spike_test: `">="` (pysnn) or `">"`.
        detach_reset: reset with `stop_gradient(spikes)`.
        surrogate: surrogate derivative of the spike (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of `{"threshold",
            "v_rest", "gain", "decay", "trace_gain", "trace_decay",
            "threshold_gain", "threshold_decay"}`. A learned `threshold`
            receives its gradient through the initial state.

    Raises:
        ValueError: a parameter out of range, or `refractory` not a whole
            multiple of `dt`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> alif = snn.TraceALIF(
        ...     threshold=1.0, decay=snn.Decay(0.0), threshold_gain=0.5,
        ...     threshold_decay=snn.Decay(0.5))
        >>> xs = jnp.full((4, 1), 0.7)
        >>> spikes, state, rec = snn.run(
        ...     alif, xs, alif.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()
        [0.0, 1.0, 0.0, 1.0]
        >>> rec.thresh[:, 0].tolist()
        [0.5, 0.75, 0.375, 0.6875]

    References:
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014),
        ch. 6.1 (adaptation), doi:10.1017/CBO9781107447615.
        Bellec et al., *Long short-term memory and learning-to-learn in
        networks of spiking neurons*, NeurIPS 2018, arXiv:1803.09574.
    """

    threshold: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    gain: Float[Array, "*#shape"]
    decay: AbstractDecay
    trace_gain: Float[Array, "*#shape"]
    trace_decay: AbstractDecay
    threshold_gain: Float[Array, "*#shape"]
    threshold_decay: AbstractDecay
    refractory: Float[Array, "*#shape"]
    dt: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    spike_test: SpikeTest = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        threshold: ParamLike = 1.0,
        *,
        v_rest: ParamLike = 0.0,
        gain: ParamLike = 1.0,
        decay: AbstractDecay = Decay(0.9),
        trace_gain: ParamLike = 1.0,
        trace_decay: AbstractDecay = Decay(0.5),
        threshold_gain: ParamLike = 0.1,
        threshold_decay: AbstractDecay = Decay(0.9),
        refractory: ParamLike = 0.0,
        dt: ParamLike = 1.0,
        spike_test: str = ">=",
        detach_reset: bool = False,
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
    ):
        _checks.check_option("spike_test", spike_test, _SPIKE_TESTS)
        self.learn = _checks.check_learn(
            learn,
            (
                "threshold",
                "v_rest",
                "gain",
                "decay",
                "trace_gain",
                "trace_decay",
                "threshold_gain",
                "threshold_decay",
            ),
        )
        self.threshold = _finite("threshold", threshold)
        self.v_rest = _finite("v_rest", v_rest)
        self.gain = _finite("gain", gain)
        self.decay = _check_decay("decay", decay)
        self.trace_gain = _finite("trace_gain", trace_gain)
        self.trace_decay = _check_decay("trace_decay", trace_decay)
        self.threshold_gain = _finite("threshold_gain", threshold_gain)
        self.threshold_decay = _check_decay("threshold_decay", threshold_decay)
        self.dt = _positive("dt", dt)
        self.refractory = _check_refractory(
            _checks.as_param("refractory", refractory), self.dt
        )
        self.surrogate = surrogate
        self.spike_test = cast(SpikeTest, spike_test)
        self.detach_reset = detach_reset

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> TraceALIFState:
        r"""$v = v_\text{rest}$, trace and counter 0, $\theta = \vartheta$."""
        zeros = jnp.zeros(shape, dtype)
        return TraceALIFState(
            v=_initial(self, "v_rest", shape, dtype),
            trace=zeros,
            refrac=zeros,
            thresh=_initial(self, "threshold", shape, dtype),
        )

    def step(
        self, x: Float[Array, "*shape"], state: TraceALIFState
    ) -> tuple[Float[Array, "*shape"], TraceALIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        return trace_alif_step(
            x,
            state,
            v_rest=self.param("v_rest", x),
            gain=self.param("gain", x),
            decay=_frozen_decay(self, "decay"),
            trace_gain=self.param("trace_gain", x),
            trace_decay=_frozen_decay(self, "trace_decay"),
            threshold_gain=self.param("threshold_gain", x),
            threshold_decay=_frozen_decay(self, "threshold_decay"),
            refractory=_fixed(self, "refractory", x),
            dt=_fixed(self, "dt", x),
            surrogate=self.surrogate,
            spike_test=self.spike_test,
            detach_reset=self.detach_reset,
        )


# --------------------------------------------------------------- InputTrace


class InputTraceState(eqx.Module):
    """State of [`InputTrace`][snnjax.InputTrace]: the trace of the input spikes."""

    trace: Float[Array, "*shape"]


def input_trace_step(
    x: Float[Array, "*shape"],
    state: InputTraceState,
    *,
    trace_gain: Float[Array, "*shape"],
    trace_decay: AbstractDecay,
    dt: Float[Array, "*shape"],
) -> tuple[Float[Array, "*shape"], InputTraceState]:
    """One step; returns `(x, new_state)`. See [`InputTrace`][snnjax.InputTrace]."""
    trace = trace_decay.relax(state.trace, trace_gain * x, dt=dt)
    return x, InputTraceState(trace=trace)


class InputTrace(AbstractNeuron[InputTraceState]):
    r"""Input layer that passes spikes through and keeps their trace.

    $$ \tau_z \frac{dz}{dt} = -z + a_z\, S(t) $$

    Discrete update (pysnn `Input.forward`): the output is the input,
    $y_t = x_t$, and the trace is updated by its decay strategy,

    $$ z_t = \begin{cases}
        z_{t-1} d_z + a_z x_t & \text{Decay}(d_z) \\
        z_{t-1} + \tfrac{\Delta t}{\tau_z}(-z_{t-1} + a_z x_t)
            & \text{EulerDecay}(\tau_z)
       \end{cases} $$

    This is the presynaptic trace that trace-based STDP rules read. The input
    is usually spikes in $\{0, 1\}$ (as floats), but any value is traced.
    Initial state: $z = 0$.

    Args:
        trace_gain: trace drive per input spike $a_z$ (pysnn `alpha_t`).
        trace_decay: trace decay strategy (default `Decay(0.5)`).
        dt: time step $\Delta t > 0$ (used by `EulerDecay`).
        learn: parameters that receive gradients, subset of
            `{"trace_gain", "trace_decay"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> layer = snn.InputTrace(trace_decay=snn.Decay(0.5))
        >>> xs = jnp.array([[1.0], [0.0], [1.0]])
        >>> out, state, rec = snn.run(layer, xs, layer.init_state((1,)), record=True)
        >>> out[:, 0].tolist(), rec.trace[:, 0].tolist()
        ([1.0, 0.0, 1.0], [1.0, 0.5, 1.25])

    References:
        Morrison, Diesmann & Gerstner, *Phenomenological models of synaptic
        plasticity based on spike timing*, Biol. Cybern. 98 (2008),
        doi:10.1007/s00422-008-0233-1.
    """

    trace_gain: Float[Array, "*#shape"]
    trace_decay: AbstractDecay
    dt: Float[Array, "*#shape"]
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        *,
        trace_gain: ParamLike = 1.0,
        trace_decay: AbstractDecay = Decay(0.5),
        dt: ParamLike = 1.0,
        learn: Collection[str] = frozenset(),
    ):
        self.learn = _checks.check_learn(learn, ("trace_gain", "trace_decay"))
        self.trace_gain = _finite("trace_gain", trace_gain)
        self.trace_decay = _check_decay("trace_decay", trace_decay)
        self.dt = _positive("dt", dt)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> InputTraceState:
        """Trace 0."""
        return InputTraceState(trace=jnp.zeros(shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: InputTraceState
    ) -> tuple[Float[Array, "*shape"], InputTraceState]:
        """One step of the update above; returns `(x, new_state)`."""
        return input_trace_step(
            x,
            state,
            trace_gain=self.param("trace_gain", x),
            trace_decay=_frozen_decay(self, "trace_decay"),
            dt=_fixed(self, "dt", x),
        )
