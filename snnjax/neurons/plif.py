"""Parametric LIF, learnable time constant (spikingjelly `ParametricLIFNode`)."""

from collections.abc import Collection
from typing import Any, cast

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


class ParametricLIFState(eqx.Module):
    """State of [`ParametricLIF`][snnjax.ParametricLIF]: the membrane `v`."""

    v: Float[Array, "*shape"]


def plif_charge(
    v: Float[Array, "*shape"],
    x: Float[Array, "*shape"],
    *,
    q: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    decay_input: bool,
) -> Float[Array, "*shape"]:
    r"""Charge with the rate $q = 1/\tau$ (spikingjelly's operation order).

    `decay_input`: $h = v + (x - (v - v_\text{leak}))\,q$; otherwise
    $h = v - (v - v_\text{leak})\,q + x$.
    """
    if decay_input:
        return v + (x - (v - v_leak)) * q
    return v - (v - v_leak) * q + x


def plif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    w: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
    decay_input: bool,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One PLIF step; returns `(spikes, v_new)`.

    See [`ParametricLIF`][snnjax.ParametricLIF].
    """
    h = plif_charge(v, x, q=jax.nn.sigmoid(w), v_leak=v_leak, decay_input=decay_input)
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    return spikes, reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)


class ParametricLIF(AbstractNeuron[ParametricLIFState]):
    r"""Parametric leaky integrate-and-fire neuron (PLIF, learnable time constant).

    A LIF whose inverse time constant is a sigmoid of a learnable weight $w$,
    so that $\tau = 1 / \mathrm{sigmoid}(w) > 1$ step always holds:

    $$ \tau \frac{dv}{dt} = -(v - v_\text{leak}) + R\,I(t),
       \qquad \frac{1}{\tau} = q = \frac{1}{1 + e^{-w}} $$

    Discrete update, in the order the code runs it (charge, fire, reset, as
    spikingjelly's `ParametricLIFNode`), with $q = \mathrm{sigmoid}(w)$:

    $$ h_t = \begin{cases}
        v_{t-1} + \left(x_t - (v_{t-1} - v_\text{leak})\right) q
            & \text{decay_input=True} \\
        v_{t-1} - (v_{t-1} - v_\text{leak})\, q + x_t & \text{decay_input=False}
       \end{cases}, \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract" (soft reset)} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero" (hard)} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    with $H$ the spike test (`>=` by default, as spikingjelly, or `>`) and
    $\bar s_t = s_t$, or `stop_gradient(s_t)` with `detach_reset=True`. The
    state $v_t$ is the post-reset membrane (spikingjelly's `v_seq`); the
    default initial state is $v = v_\text{leak}$. $w$ receives gradients by
    default (`learn={"w"}`), as spikingjelly's `nn.Parameter`. The defaults of
    the options are spikingjelly's (hard reset, `>=`, `Sigmoid(4.0)`).

    Args:
        w: weight of the inverse time constant, $1/\tau = \mathrm{sigmoid}(w)$
            (dimensionless, any finite real); scalar or per neuron. Use
            `from_tau` to start from a time constant:
            $w = -\log(\tau - 1)$, so $w = 0$ is $\tau = 2$ steps.
        threshold: firing threshold $\vartheta$ (membrane units), finite.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: value the membrane is set to by `reset="zero"`; must be below
            `threshold` for that reset.
        v_leak: potential the membrane decays towards, and the initial membrane
            (spikingjelly: `v_reset`, or 0 for a soft reset).
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">="` (spikingjelly) or `">"`.
        decay_input: scale the input by $q$ too (spikingjelly `decay_input`).
        surrogate: surrogate derivative of the spike (default `Sigmoid(4.0)`,
            spikingjelly's default).
        learn: parameters that receive gradients, subset of
            `{"w", "threshold", "v_reset", "v_leak"}` (default `{"w"}`).

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> plif = snn.ParametricLIF.from_tau(2.0)  # w = 0, q = 1/2
        >>> xs = jnp.full((4, 1), 1.5)
        >>> spikes, state, rec = snn.run(
        ...     plif, xs, plif.init_state((1,)), record=True
        ... )
        >>> spikes[:, 0].tolist(), rec.v[:, 0].tolist()
        ([0.0, 1.0, 0.0, 1.0], [0.75, 0.0, 0.75, 0.0])

    References:
        Fang et al., *Incorporating learnable membrane time constant to
        enhance learning of spiking neural networks*, ICCV 2021,
        arXiv:2007.05785.
    """

    w: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        w: ParamLike = 0.0,
        threshold: ParamLike = 1.0,
        *,
        reset: str = "zero",
        v_reset: ParamLike = 0.0,
        v_leak: ParamLike = 0.0,
        detach_reset: bool = False,
        spike_test: str = ">=",
        decay_input: bool = True,
        surrogate: AbstractSurrogate = Sigmoid(4.0),
        learn: Collection[str] = frozenset({"w"}),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("w", "threshold", "v_reset", "v_leak"),
        )
        self.w = _checks.check_finite("w", _checks.as_param("w", w))
        self.threshold = _checks.check_finite(
            "threshold", _checks.as_param("threshold", threshold)
        )
        v_reset = _checks.check_finite("v_reset", _checks.as_param("v_reset", v_reset))
        if reset == "zero":
            v_reset = _checks.check_less(
                "v_reset", v_reset, "threshold", self.threshold, why=' for reset="zero"'
            )
        self.v_reset = v_reset
        self.v_leak = _checks.check_finite("v_leak", _checks.as_param("v_leak", v_leak))
        self.surrogate = surrogate
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
    ) -> "ParametricLIF":
        r"""Build from an initial time constant: $w = -\log(\tau/\Delta t - 1)$.

        Then $\mathrm{sigmoid}(w) = \Delta t/\tau$; spikingjelly's `init_tau`
        is $\tau$ with $\Delta t = 1$.

        Args:
            tau: initial membrane time constant, $\tau > \Delta t$ (same unit
                as `dt`).
            threshold: firing threshold.
            dt: time step $\Delta t > 0$.
            **kwargs: the other `ParametricLIF` arguments.
        """
        tau = _checks.check_range(
            "tau", _checks.as_param("tau", tau), lower=0.0, lower_open=True
        )
        dt = _checks.check_range(
            "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
        )
        dt = _checks.check_less(
            "dt", dt, "tau", tau, why=" (1/tau = sigmoid(w) must stay below 1 per step)"
        )
        return cls(-jnp.log(tau / dt - 1), threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> ParametricLIFState:
        r"""Membrane at rest: $v = v_\text{leak}$, shape `shape`."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), shape)
        return ParametricLIFState(v=v)

    def step(
        self, x: Float[Array, "*shape"], state: ParametricLIFState
    ) -> tuple[Float[Array, "*shape"], ParametricLIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v = plif_step(
            x,
            state.v,
            w=self.param("w", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            v_leak=self.param("v_leak", x),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
            decay_input=self.decay_input,
        )
        return spikes, ParametricLIFState(v=v)
