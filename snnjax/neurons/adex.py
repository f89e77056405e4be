"""Adaptive exponential integrate-and-fire neuron (norse `LIFAdEx`)."""

from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, FastSigmoid
from ._base import (
    AbstractNeuron,
    Reset,
    SpikeTest,
    detach_if,
    fire,
    reset_now,
    validate_options,
)
from .cuba import _cuba_params, _decay_from_tau, _decays_from_tau

_ADEX_PARAMS = (
    "alpha",
    "beta",
    "rho",
    "threshold",
    "v_leak",
    "v_reset",
    "delta_T",
    "adaptation_coupling",
    "adaptation_jump",
)


class AdExState(eqx.Module):
    """State of [`AdEx`][snnjax.AdEx]: membrane `v`, current `i`, adaptation `w`."""

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"]
    w: Float[Array, "*shape"]


def adex_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"],
    w: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    rho: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    delta_T: Float[Array, "*shape"],
    adaptation_coupling: Float[Array, "*shape"],
    adaptation_jump: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
) -> tuple[
    Float[Array, "*shape"],
    Float[Array, "*shape"],
    Float[Array, "*shape"],
    Float[Array, "*shape"],
]:
    """One step; returns `(spikes, v_new, i_new, w_new)`. See [`AdEx`][snnjax.AdEx]."""
    j = i + x
    exp_term = delta_T * jnp.exp((v - threshold) / delta_T)
    # norse's Euler increment, with 1 - beta = dt / tau_mem
    h = v + (1 - beta) * ((((v_leak - v) + exp_term) + j) - w)
    w_decayed = w + (1 - rho) * (adaptation_coupling * (v - v_leak) - w)
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    v_new = reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)
    return spikes, v_new, alpha * j, w_decayed + s * adaptation_jump


class AdEx(AbstractNeuron[AdExState]):
    r"""Adaptive exponential integrate-and-fire neuron (norse `LIFAdEx`).

    $$ \tau_\text{mem} \frac{dv}{dt} = (v_\text{leak} - v)
         + \Delta_T e^{(v - \vartheta)/\Delta_T} + i - w, \qquad
       \tau_\text{syn} \frac{di}{dt} = -i, \qquad
       \tau_w \frac{dw}{dt} = a (v - v_\text{leak}) - w, $$

    with the input arriving as jumps of the current $i$ and $w \leftarrow w + b$
    at each spike. Discrete update, in the order the code runs it (norse 1.1.0
    `lif_adex_feed_forward_step`, forward Euler with
    $1 - \beta = \Delta t/\tau_\text{mem}$, $1 - \alpha = \Delta t/\tau_\text{syn}$,
    $1 - \rho = \Delta t/\tau_w$):

    $$ j_t = i_{t-1} + x_t, \qquad
       h_t = v_{t-1} + (1 - \beta) \left( (v_\text{leak} - v_{t-1})
         + \Delta_T e^{(v_{t-1} - \vartheta)/\Delta_T} + j_t - w_{t-1} \right),
       \qquad i_t = \alpha\, j_t $$

    $$ \tilde w_t = w_{t-1} + (1 - \rho) \left( a (v_{t-1} - v_\text{leak})
         - w_{t-1} \right) $$

    $$ s_t = H(h_t - \vartheta), \qquad
       v_t = \bar s_t v_\text{reset} + (1 - \bar s_t) h_t, \qquad
       w_t = \tilde w_t + \bar s_t\, b $$

    The exponential and the adaptation use the membrane of the previous step;
    $\vartheta$ is both the exponential's rheobase and the spike threshold
    (norse's `v_th`). $H$ is the spike test (`>`) with a surrogate derivative,
    $\bar s_t = s_t$ (not detached, as norse) or `stop_gradient(s_t)` with
    `detach_reset=True` (then for the adaptation jump too). `reset="subtract"`
    gives $v_t = h_t - \bar s_t \vartheta$ and `"none"` $v_t = h_t$. Default
    initial state: $v = v_\text{leak}$, $i = w = 0$.

    Args:
        alpha: synaptic decay per step, $\alpha \in [0, 1]$.
        beta: membrane decay per step, $\beta \in [0, 1]$.
        rho: adaptation decay per step, $\rho \in [0, 1]$ ($1 - \Delta t/\tau_w$).
        threshold: spike threshold and rheobase $\vartheta$ (membrane units).
        delta_T: slope factor $\Delta_T > 0$ of the exponential (membrane units).
        adaptation_coupling: subthreshold adaptation $a$ (norse's
            `adaptation_current`), finite.
        adaptation_jump: spike-triggered adaptation $b$ (norse's
            `adaptation_spike`), finite.
        v_leak: resting potential and initial membrane.
        v_reset: value set by `reset="zero"`, below `threshold`.
        reset: `"zero"` (norse), `"subtract"` or `"none"`.
        detach_reset: use `stop_gradient(spikes)` in the reset and the jump.
        spike_test: `">"` (norse) or `">="`.
        surrogate: surrogate derivative (default `FastSigmoid(slope=1.0)`).
        learn: parameters that receive gradients, subset of `{"alpha", "beta",
            "rho", "threshold", "v_leak", "v_reset", "delta_T",
            "adaptation_coupling", "adaptation_jump"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.AdEx(alpha=0.0, beta=0.5, rho=0.5, threshold=1.0,
        ...                   delta_T=1.0, adaptation_coupling=1.0,
        ...                   adaptation_jump=0.25)
        >>> xs = jnp.array([[4.0], [0.0]])
        >>> spikes, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()  # h_0 = 0.5 (e^-1 + 4) > 1
        [1.0, 0.0]
        >>> rec.w[:, 0].tolist()  # w_0 = 0 + b, w_1 = 0.25 + 0.5 (0 - 0.25)
        [0.25, 0.125]

    References:
        Brette & Gerstner, *Adaptive exponential integrate-and-fire model as an
        effective description of neuronal activity*, J. Neurophysiol. 94 (2005),
        doi:10.1152/jn.00686.2005.
        Pehle & Pedersen, *Norse* (2021), doi:10.5281/zenodo.4422025.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    rho: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    delta_T: Float[Array, "*#shape"]
    adaptation_coupling: Float[Array, "*#shape"]
    adaptation_jump: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        alpha: ParamLike = 0.8,
        beta: ParamLike = 0.9,
        rho: ParamLike = 0.998,
        threshold: ParamLike = 1.0,
        *,
        delta_T: ParamLike = 0.5,
        adaptation_coupling: ParamLike = 4.0,
        adaptation_jump: ParamLike = 0.02,
        v_leak: ParamLike = 0.0,
        v_reset: ParamLike = 0.0,
        reset: str = "zero",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = FastSigmoid(1.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset, spike_test=spike_test, learn=learn, allowed_learn=_ADEX_PARAMS
        )
        params = _cuba_params(alpha, beta, threshold, v_leak, v_reset, reset)
        self.alpha = params["alpha"]
        self.beta = params["beta"]
        self.threshold = params["threshold"]
        self.v_leak = params["v_leak"]
        self.v_reset = params["v_reset"]
        self.rho = _checks.check_range(
            "rho", _checks.as_param("rho", rho), lower=0.0, upper=1.0
        )
        self.delta_T = _checks.check_range(
            "delta_T", _checks.as_param("delta_T", delta_T), lower=0.0, lower_open=True
        )
        self.adaptation_coupling = _checks.check_finite(
            "adaptation_coupling",
            _checks.as_param("adaptation_coupling", adaptation_coupling),
        )
        self.adaptation_jump = _checks.check_finite(
            "adaptation_jump", _checks.as_param("adaptation_jump", adaptation_jump)
        )
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    @classmethod
    def from_tau(
        cls,
        tau_syn: ParamLike,
        tau_mem: ParamLike,
        tau_w: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        discretisation: str = "euler",
        **kwargs: Any,
    ) -> "AdEx":
        r"""Build from time constants.

        `discretisation="euler"` (norse's): $\alpha = 1 - \Delta t/\tau_\text{syn}$,
        $\beta = 1 - \Delta t/\tau_\text{mem}$, $\rho = 1 - \Delta t/\tau_w$ (needs
        $\Delta t \le \tau$); `"exact"`: $e^{-\Delta t/\tau}$ for each.

        Args:
            tau_syn: synaptic time constant $> 0$ (unit of `dt`).
            tau_mem: membrane time constant $> 0$.
            tau_w: adaptation time constant $> 0$.
            threshold: spike threshold and rheobase.
            dt: time step $> 0$.
            discretisation: `"euler"` or `"exact"`.
            **kwargs: the other `AdEx` arguments.
        """
        alpha, beta = _decays_from_tau(tau_syn, tau_mem, dt, discretisation)
        rho = _decay_from_tau("tau_w", tau_w, dt, discretisation)
        return cls(alpha, beta, rho, threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> AdExState:
        r"""$v = v_\text{leak}$, $i = w = 0$, shape `shape`."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), shape)
        zeros = jnp.zeros(shape, dtype)
        return AdExState(v=v, i=zeros, w=zeros)

    def step(
        self, x: Float[Array, "*shape"], state: AdExState
    ) -> tuple[Float[Array, "*shape"], AdExState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, i, w = adex_step(
            x,
            state.v,
            state.i,
            state.w,
            **{name: self.param(name, x) for name in _ADEX_PARAMS},
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, AdExState(v=v, i=i, w=w)
