"""LIF with an adaptive threshold, norse's LSNN neuron (norse `LSNN`)."""

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
from .lif import lif_charge

_LSNN_PARAMS = (
    "alpha",
    "beta",
    "rho",
    "threshold",
    "v_leak",
    "v_reset",
    "adaptation_jump",
)


class LSNNState(eqx.Module):
    """State of [`LSNN`][snnjax.LSNN]: `v`, current `i`, adaptive threshold `b`."""

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"]
    b: Float[Array, "*shape"]


def lsnn_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"],
    b: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    rho: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
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
    """One step; returns `(spikes, v_new, i_new, b_new)`. See [`LSNN`][snnjax.LSNN]."""
    h = lif_charge(v, i, beta=beta, v_leak=v_leak, decay_input=True)
    b_decayed = b + (1 - rho) * (threshold - b)
    spikes = fire(h, b_decayed, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    v_new = reset_now(h, s, reset=reset, threshold=b_decayed, v_reset=v_reset)
    return spikes, v_new, alpha * i + x, b_decayed + s * adaptation_jump


class LSNN(AbstractNeuron[LSNNState]):
    r"""Current-based LIF with an adaptive threshold (norse `LSNN`).

    $$ \tau_\text{syn} \frac{di}{dt} = -i, \qquad
       \tau_\text{mem} \frac{dv}{dt} = (v_\text{leak} - v) + i, \qquad
       \tau_b \frac{db}{dt} = \vartheta - b, $$

    where $b$ is the threshold itself: it relaxes towards the baseline
    $\vartheta$ and jumps by $\beta_b$ (`adaptation_jump`) at each spike, so a
    neuron that fired recently needs more input to fire again (Bellec et al.'s
    long short-term memory neurons). Discrete update, in the order the code
    runs it (norse 1.1.0 `lsnn_feed_forward_step`):

    $$ h_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak}
         + (1 - \beta)\, i_{t-1}, \qquad
       \tilde b_t = b_{t-1} + (1 - \rho) (\vartheta - b_{t-1}) $$

    $$ s_t = H(h_t - \tilde b_t), \qquad
       v_t = \bar s_t v_\text{reset} + (1 - \bar s_t) h_t, \qquad
       b_t = \tilde b_t + \bar s_t \beta_b, \qquad
       i_t = \alpha\, i_{t-1} + x_t $$

    Unlike [`CubaLIF`][snnjax.CubaLIF] the input jump comes *after* the
    integration, so the input $x_t$ reaches the membrane one step later. $H$ is
    the spike test (`>`) with a surrogate derivative, applied to
    $h_t - \tilde b_t$ (the gradient also flows into the threshold);
    $\bar s_t = s_t$ (norse's feed-forward `LSNN` detaches nothing) or
    `stop_gradient(s_t)` with `detach_reset=True` (reset and jump).
    `reset="subtract"` gives $v_t = h_t - \bar s_t \tilde b_t$ and `"none"`
    $v_t = h_t$. Default initial state: $v = v_\text{leak}$, $i = 0$,
    $b = \vartheta$.

    Args:
        alpha: synaptic decay per step, $\alpha \in [0, 1]$.
        beta: membrane decay per step, $\beta \in [0, 1]$.
        rho: threshold-adaptation decay per step, $\rho \in [0, 1]$
            ($1 - \Delta t/\tau_b$).
        threshold: baseline threshold $\vartheta$ (and initial $b$).
        adaptation_jump: threshold increment $\beta_b$ per spike (norse's
            `beta`), finite.
        v_leak: resting potential and initial membrane.
        v_reset: value set by `reset="zero"`, below `threshold`.
        reset: `"zero"` (norse), `"subtract"` or `"none"`.
        detach_reset: use `stop_gradient(spikes)` in the reset and the jump.
        spike_test: `">"` (norse) or `">="`.
        surrogate: surrogate derivative (default `FastSigmoid(slope=1.0)`).
        learn: parameters that receive gradients, subset of `{"alpha", "beta",
            "rho", "threshold", "v_leak", "v_reset", "adaptation_jump"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.LSNN(alpha=0.0, beta=0.0, rho=0.5, adaptation_jump=2.0)
        >>> xs = jnp.full((4, 1), 1.8)
        >>> spikes, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()  # the input arrives one step late
        [0.0, 1.0, 0.0, 1.0]
        >>> rec.b[:, 0].tolist()  # b relaxes halfway to 1, +2 per spike
        [1.0, 3.0, 2.0, 3.5]

    References:
        Bellec, Salaj, Subramoney, Legenstein & Maass, *Long short-term memory
        and learning-to-learn in networks of spiking neurons*, NeurIPS 2018,
        arXiv:1803.09574.
        Pehle & Pedersen, *Norse* (2021), doi:10.5281/zenodo.4422025.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    rho: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
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
        rho: ParamLike = 0.99875,
        threshold: ParamLike = 1.0,
        *,
        adaptation_jump: ParamLike = 1.8,
        v_leak: ParamLike = 0.0,
        v_reset: ParamLike = 0.0,
        reset: str = "zero",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = FastSigmoid(1.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset, spike_test=spike_test, learn=learn, allowed_learn=_LSNN_PARAMS
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
        tau_b: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        discretisation: str = "euler",
        **kwargs: Any,
    ) -> "LSNN":
        r"""Build from time constants.

        `discretisation="euler"` (norse's): $\alpha = 1 - \Delta t/\tau_\text{syn}$,
        $\beta = 1 - \Delta t/\tau_\text{mem}$, $\rho = 1 - \Delta t/\tau_b$ (needs
        $\Delta t \le \tau$); `"exact"`: $e^{-\Delta t/\tau}$ for each.

        Args:
            tau_syn: synaptic time constant $> 0$ (unit of `dt`).
            tau_mem: membrane time constant $> 0$.
            tau_b: threshold-adaptation time constant $> 0$.
            threshold: baseline threshold.
            dt: time step $> 0$.
            discretisation: `"euler"` or `"exact"`.
            **kwargs: the other `LSNN` arguments.
        """
        alpha, beta = _decays_from_tau(tau_syn, tau_mem, dt, discretisation)
        rho = _decay_from_tau("tau_b", tau_b, dt, discretisation)
        return cls(alpha, beta, rho, threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> LSNNState:
        r"""$v = v_\text{leak}$, $i = 0$, $b = \vartheta$, shape `shape`."""

        def fill(value: Array) -> Array:
            return jnp.broadcast_to(jax.lax.stop_gradient(value).astype(dtype), shape)

        return LSNNState(
            v=fill(self.v_leak), i=jnp.zeros(shape, dtype), b=fill(self.threshold)
        )

    def step(
        self, x: Float[Array, "*shape"], state: LSNNState
    ) -> tuple[Float[Array, "*shape"], LSNNState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, i, b = lsnn_step(
            x,
            state.v,
            state.i,
            state.b,
            **{name: self.param(name, x) for name in _LSNN_PARAMS},
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, LSNNState(v=v, i=i, b=b)
