"""Leaky integrate-and-fire neuron (snntorch `Leaky`, spikingjelly `LIFNode`)."""

from collections.abc import Callable, Collection
from typing import Any, Literal, cast

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

ResetTiming = Literal["immediate", "delayed", "delayed+immediate"]
RESET_TIMINGS: tuple[str, ...] = ("immediate", "delayed", "delayed+immediate")


class LIFState(eqx.Module):
    """State of [`LIF`][snnjax.LIF]: the membrane potential `v`."""

    v: Float[Array, "*shape"]


def lif_charge(
    v: Float[Array, "*shape"],
    x: Float[Array, "*shape"],
    *,
    beta: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    decay_input: bool,
) -> Float[Array, "*shape"]:
    r"""Leaky integration $h = \beta (v - v_\text{leak}) + v_\text{leak} + g x$.

    The input gain is $g = 1 - \beta$ with `decay_input` (spikingjelly's
    $x/\tau$) and $g = 1$ otherwise.
    """
    gain = (1 - beta) if decay_input else 1
    return beta * (v - v_leak) + v_leak + gain * x


def _identity(x: Array) -> Array:
    return x


def lif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    reset_timing: ResetTiming,
    detach_reset: bool,
    spike_test: SpikeTest,
    decay_input: bool,
    state_quant: Callable[[Array], Array] | None = None,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One LIF step; returns `(spikes, v_new)`. See [`LIF`][snnjax.LIF]."""
    quant = _identity if state_quant is None else state_quant
    if reset_timing == "immediate":
        h = quant(lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=decay_input))
        spikes = fire(h, threshold, surrogate, spike_test)
        s = detach_if(spikes, detach_reset)
        return spikes, reset_now(
            h, s, reset=reset, threshold=threshold, v_reset=v_reset
        )
    # snntorch: the reset caused by the previous step's membrane is applied
    # now, from a detached spike recomputed on the stored (pre-reset) membrane.
    r = jax.lax.stop_gradient(fire(v, threshold, surrogate, spike_test))
    if reset == "subtract":
        h = lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=decay_input)
        h = h - r * threshold
    elif reset == "zero":  # snntorch Leaky zeroes the old membrane; x is kept
        v_old = (1 - r) * v + r * v_reset
        h = lif_charge(v_old, x, beta=beta, v_leak=v_leak, decay_input=decay_input)
    else:
        h = lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=decay_input)
    h = quant(h)
    spikes = fire(h, threshold, surrogate, spike_test)
    if reset_timing == "delayed" or reset == "none":
        return spikes, h
    # snntorch reset_delay=False: correct by (spike - delayed reset) now.
    d = detach_if(spikes, detach_reset) - r
    if reset == "subtract":
        return spikes, h - d * threshold
    return spikes, h - d * (h - v_reset)


class LIF(AbstractNeuron[LIFState]):
    r"""Leaky integrate-and-fire neuron.

    Continuous form (time constant $\tau$, resting potential $v_\text{leak}$):

    $$ \tau \frac{dv}{dt} = -(v - v_\text{leak}) + R\,I(t) $$

    Discrete update, with $\beta$ the decay per step, $g = 1 - \beta$ if
    `decay_input` else $g = 1$, and $H$ the spike test (`>` or `>=`, chosen by
    `spike_test`) with a surrogate derivative. With
    `reset_timing="immediate"` (spikingjelly, norse, sinabs order) each step
    runs charge, fire, reset:

    $$ h_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g\, x_t,
       \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract"} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero"} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    where $\bar s_t = s_t$, or `stop_gradient(s_t)` with `detach_reset=True`.
    The state $v_t$ is the post-reset membrane (spikingjelly's `v_seq`).

    With `reset_timing="delayed"` (snntorch's default `reset_delay=True`) the
    reset caused by a spike is applied at the *next* step, from a detached spike
    recomputed on the stored membrane, $r_t = \text{sg}(H(v_{t-1} - \vartheta))$:

    $$ v_t = \begin{cases}
        \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g x_t - r_t \vartheta
            & \text{"subtract"} \\
        \beta ((1 - r_t) v_{t-1} + r_t v_\text{reset} - v_\text{leak})
            + v_\text{leak} + g x_t & \text{"zero" (old membrane only)} \\
        \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g x_t & \text{"none"}
       \end{cases}, \qquad s_t = H(v_t - \vartheta) $$

    so the state is the *pre-reset* membrane (snntorch's returned `mem`).
    `reset_timing="delayed+immediate"` is snntorch's `reset_delay=False`: the
    delayed update above, then a correction by $d_t = \bar s_t - r_t$,
    $v_t \leftarrow v_t - d_t \vartheta$ ("subtract") or
    $v_t \leftarrow v_t - d_t (v_t - v_\text{reset})$ ("zero").

    The default initial state is $v = v_\text{leak}$.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$ (dimensionless);
            scalar or per neuron. $\beta = e^{-\Delta t/\tau}$ (see `from_tau`),
            spikingjelly's $1 - 1/\tau$. Not clamped: out-of-range values raise
            `ValueError` (or an `eqx.error_if` error when traced).
        threshold: firing threshold $\vartheta$ (membrane units), finite.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: value the membrane is set to by `reset="zero"`; must be below
            `threshold` for that reset.
        v_leak: resting potential the membrane decays towards, and the initial
            membrane.
        reset_timing: `"immediate"`, `"delayed"` or `"delayed+immediate"`, as
            above.
        detach_reset: reset with `stop_gradient(spikes)` (spikingjelly
            `detach_reset`).
        spike_test: `">"` (snntorch, norse) or `">="` (spikingjelly, sinabs).
        decay_input: scale the input by $1 - \beta$ (spikingjelly
            `decay_input=True`).
        surrogate: surrogate derivative of the spike (default `ATan(2.0)`).
        learn: names of the parameters that receive gradients (subset of
            `{"beta", "threshold", "v_reset", "v_leak"}`); others are frozen.
        state_quant: optional elementwise function applied to the charged
            membrane before the spike test (snntorch `state_quant`, e.g. a
            quantizer with a straight-through gradient); the stored state is
            its output.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> lif = snn.LIF(beta=0.9, threshold=1.0)
        >>> xs = jnp.full((5, 2), 0.6)
        >>> spikes, state = snn.run(lif, xs, lif.init_state(xs.shape[1:]))
        >>> spikes[:, 0].tolist()
        [0.0, 1.0, 0.0, 1.0, 0.0]

    References:
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1.3,
        doi:10.1017/CBO9781107447615.
        Eshraghian et al., *Training spiking neural networks using lessons from
        deep learning*, Proc. IEEE 111 (2023), doi:10.1109/JPROC.2023.3308088.
    """

    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    reset_timing: ResetTiming = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)
    state_quant: Callable[[Array], Array] | None = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        v_leak: ParamLike = 0.0,
        reset_timing: str = "immediate",
        detach_reset: bool = False,
        spike_test: str = ">",
        decay_input: bool = False,
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
        state_quant: Callable[[Array], Array] | None = None,
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("beta", "threshold", "v_reset", "v_leak"),
        )
        check_callable("state_quant", state_quant)
        _checks.check_option("reset_timing", reset_timing, RESET_TIMINGS)
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
        self.v_leak = _checks.check_finite("v_leak", _checks.as_param("v_leak", v_leak))
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.reset_timing = cast(ResetTiming, reset_timing)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.decay_input = decay_input
        self.learn = frozenset(learn)
        self.state_quant = state_quant

    @classmethod
    def from_tau(
        cls,
        tau: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "LIF":
        r"""Build from a membrane time constant: $\beta = e^{-\Delta t / \tau}$.

        Args:
            tau: membrane time constant $\tau > 0$ (same unit as `dt`).
            threshold: firing threshold.
            dt: time step $\Delta t > 0$.
            **kwargs: the other `LIF` arguments.
        """
        tau = _checks.check_range(
            "tau", _checks.as_param("tau", tau), lower=0.0, lower_open=True
        )
        dt = _checks.check_range(
            "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
        )
        return cls(jnp.exp(-dt / tau), threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> LIFState:
        r"""Membrane at rest: $v = v_\text{leak}$, shape `shape`."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), shape)
        return LIFState(v=v)

    def step(
        self, x: Float[Array, "*shape"], state: LIFState
    ) -> tuple[Float[Array, "*shape"], LIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v = lif_step(
            x,
            state.v,
            beta=self.param("beta", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            v_leak=self.param("v_leak", x),
            surrogate=self.surrogate,
            reset=self.reset,
            reset_timing=self.reset_timing,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
            decay_input=self.decay_input,
            state_quant=self.state_quant,
        )
        return spikes, LIFState(v=v)
