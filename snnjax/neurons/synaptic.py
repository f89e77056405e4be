"""Second-order (current-based) LIF neuron (snntorch `Synaptic`)."""

from collections.abc import Callable, Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, ATan
from ._base import (
    AbstractNeuron,
    Reset,
    SpikeTest,
    check_callable,
    detach_if,
    fire,
    reset_now,
    validate_options,
)
from .lif import RESET_TIMINGS, ResetTiming


class SynapticState(eqx.Module):
    """State of [`Synaptic`][snnjax.Synaptic]: synaptic current `i`, membrane `v`."""

    i: Float[Array, "*shape"]
    v: Float[Array, "*shape"]


def _identity(x: Array) -> Array:
    return x


def synaptic_step(
    x: Float[Array, "*shape"],
    i: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    reset_timing: ResetTiming,
    detach_reset: bool,
    spike_test: SpikeTest,
    state_quant: Callable[[Array], Array] | None = None,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One step; returns `(spikes, i_new, v_new)`. See [`Synaptic`][snnjax.Synaptic]."""
    quant = _identity if state_quant is None else state_quant
    i = alpha * i + x
    h = beta * v + i
    if reset_timing == "immediate":
        i, h = quant(i), quant(h)
        spikes = fire(h, threshold, surrogate, spike_test)
        s = detach_if(spikes, detach_reset)
        return (
            spikes,
            i,
            reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset),
        )
    # snntorch: reset from the previous (stored, pre-reset) membrane, detached.
    r = jax.lax.stop_gradient(fire(v, threshold, surrogate, spike_test))
    if reset == "subtract":
        h = h - r * threshold
    elif reset == "zero":  # snntorch Synaptic zeroes the whole new membrane
        h = h - r * (h - v_reset)
    i, h = quant(i), quant(h)
    spikes = fire(h, threshold, surrogate, spike_test)
    if reset_timing == "delayed" or reset == "none":
        return spikes, i, h
    d = detach_if(spikes, detach_reset) - r
    if reset == "subtract":
        return spikes, i, h - d * threshold
    return spikes, i, h - d * (h - v_reset)


class Synaptic(AbstractNeuron[SynapticState]):
    r"""Current-based (second-order) leaky integrate-and-fire neuron.

    $$ \tau_\text{syn} \frac{di}{dt} = -i + I(t), \qquad
       \tau_\text{mem} \frac{dv}{dt} = -v + R\, i $$

    Discrete update (snntorch `Synaptic`), with $\alpha$ the synaptic and
    $\beta$ the membrane decay per step:

    $$ i_t = \alpha\, i_{t-1} + x_t, \qquad h_t = \beta\, v_{t-1} + i_t $$

    With `reset_timing="immediate"`: $s_t = H(h_t - \vartheta)$, then
    $v_t = h_t - \bar s_t \vartheta$ ("subtract"),
    $v_t = \bar s_t v_\text{reset} + (1 - \bar s_t) h_t$ ("zero") or
    $v_t = h_t$ ("none"); the state is post-reset.

    With `reset_timing="delayed"` (snntorch default), using the detached
    $r_t = \text{sg}(H(v_{t-1} - \vartheta))$ from the stored membrane:

    $$ v_t = \begin{cases}
        h_t - r_t \vartheta & \text{"subtract"} \\
        h_t - r_t (h_t - v_\text{reset}) & \text{"zero" (the whole new membrane,
            this step's current included)} \\
        h_t & \text{"none"}
       \end{cases}, \qquad s_t = H(v_t - \vartheta) $$

    and the state is the pre-reset membrane. `"delayed+immediate"` (snntorch
    `reset_delay=False`) then corrects by $d_t = \bar s_t - r_t$:
    $v_t \leftarrow v_t - d_t\vartheta$ or $v_t - d_t (v_t - v_\text{reset})$.
    The synaptic current is never reset. $H$ is the spike test (`>` or `>=`),
    $\bar s_t$ the spike, detached with `detach_reset=True`. Default initial
    state: $i = 0$, $v = v_\text{init}$ (0 unless set).

    Args:
        alpha: synaptic-current decay per step, $\alpha \in [0, 1]$.
        beta: membrane decay per step, $\beta \in [0, 1]$.
        threshold: firing threshold $\vartheta$.
        reset: `"subtract"`, `"zero"` or `"none"`.
        v_reset: value set by `reset="zero"`, below `threshold`.
        v_init: membrane of the default initial state (snntorch: 0;
            spikingjelly's `CUBALIFNode` starts at `v_reset`). Not trained.
        reset_timing: `"immediate"`, `"delayed"` or `"delayed+immediate"`.
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">"` or `">="`.
        surrogate: surrogate derivative (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold", "v_reset"}`.
        state_quant: optional elementwise function applied to the current and
            the charged membrane before the spike test (snntorch
            `state_quant`); the stored state is its output.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.Synaptic(alpha=0.5, beta=0.5)
        >>> xs = jnp.array([[1.0], [0.0], [0.0]])
        >>> _, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> rec.v[:, 0].tolist()
        [1.0, 1.0, 0.75]

    References:
        Eshraghian et al., *Training spiking neural networks using lessons from
        deep learning*, Proc. IEEE 111 (2023), doi:10.1109/JPROC.2023.3308088.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    v_init: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    reset_timing: ResetTiming = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)
    state_quant: Callable[[Array], Array] | None = eqx.field(static=True)

    def __init__(
        self,
        alpha: ParamLike = 0.8,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        v_init: ParamLike = 0.0,
        reset_timing: str = "immediate",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
        state_quant: Callable[[Array], Array] | None = None,
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("alpha", "beta", "threshold", "v_reset"),
        )
        check_callable("state_quant", state_quant)
        _checks.check_option("reset_timing", reset_timing, RESET_TIMINGS)
        self.alpha = _checks.check_range(
            "alpha", _checks.as_param("alpha", alpha), lower=0.0, upper=1.0
        )
        self.beta = _checks.check_range(
            "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
        )
        self.threshold = _checks.check_finite(
            "threshold", _checks.as_param("threshold", threshold)
        )
        v_reset = _checks.check_finite("v_reset", _checks.as_param("v_reset", v_reset))
        if reset == "zero":
            v_reset = _checks.check_less(
                "v_reset",
                v_reset,
                "threshold",
                self.threshold,
                why=' for reset="zero"',
            )
        self.v_reset = v_reset
        self.v_init = _checks.check_finite("v_init", _checks.as_param("v_init", v_init))
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.reset_timing = cast(ResetTiming, reset_timing)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)
        self.state_quant = state_quant

    @classmethod
    def from_tau(
        cls,
        tau_syn: ParamLike,
        tau_mem: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "Synaptic":
        r"""Build from time constants: $\alpha = e^{-\Delta t/\tau_\text{syn}}$,
        $\beta = e^{-\Delta t/\tau_\text{mem}}$.

        Args:
            tau_syn: synaptic time constant $> 0$ (unit of `dt`).
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            threshold: firing threshold.
            dt: time step $> 0$.
            **kwargs: the other `Synaptic` arguments.
        """  # noqa: D205
        positive = {"lower": 0.0, "lower_open": True}
        tau_syn = _checks.check_range(
            "tau_syn", _checks.as_param("tau_syn", tau_syn), **positive
        )
        tau_mem = _checks.check_range(
            "tau_mem", _checks.as_param("tau_mem", tau_mem), **positive
        )
        dt = _checks.check_range("dt", _checks.as_param("dt", dt), **positive)
        return cls(jnp.exp(-dt / tau_syn), jnp.exp(-dt / tau_mem), threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> SynapticState:
        r"""$i = 0$ and $v = v_\text{init}$ (0 by default), shape `shape`."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_init).astype(dtype), shape)
        return SynapticState(i=jnp.zeros(shape, dtype), v=v)

    def step(
        self, x: Float[Array, "*shape"], state: SynapticState
    ) -> tuple[Float[Array, "*shape"], SynapticState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, i, v = synaptic_step(
            x,
            state.i,
            state.v,
            alpha=self.param("alpha", x),
            beta=self.param("beta", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            surrogate=self.surrogate,
            reset=self.reset,
            reset_timing=self.reset_timing,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
            state_quant=self.state_quant,
        )
        return spikes, SynapticState(i=i, v=v)
