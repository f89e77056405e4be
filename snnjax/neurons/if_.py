"""Integrate-and-fire neuron without leak (spikingjelly `IFNode`)."""

from collections.abc import Collection
from typing import cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike
from ..surrogate import AbstractSurrogate, ATan
from ._base import (
    AbstractNeuron,
    Reset,
    SpikeTest,
    detach_if,
    fire,
    reset_now,
    validate_options,
)


class IFState(eqx.Module):
    """State of [`IF`][snnjax.IF]: the membrane potential `v`."""

    v: Float[Array, "*shape"]


def if_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One IF step; returns `(spikes, v_new)`. See [`IF`][snnjax.IF]."""
    h = v + x
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    return spikes, reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)


class IF(AbstractNeuron[IFState]):
    r"""Integrate-and-fire neuron (perfect integrator, no leak).

    $$ \frac{dv}{dt} = R\, I(t) $$

    Discrete update, in the order the code runs it (charge, fire, reset, as
    spikingjelly's `IFNode`):

    $$ h_t = v_{t-1} + x_t, \qquad s_t = H(h_t - \vartheta) $$

    $$ v_t = \begin{cases}
        h_t - \bar s_t \vartheta & \text{reset="subtract" (soft reset)} \\
        \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero" (hard)} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    with $H$ the spike test (`>` or `>=`) and $\bar s_t = s_t$, or
    `stop_gradient(s_t)` with `detach_reset=True`. The state is the post-reset
    membrane. Default initial state: $v = v_\text{reset}$ for `reset="zero"`,
    $v = 0$ otherwise (spikingjelly's convention).

    Args:
        threshold: firing threshold $\vartheta$, finite; scalar or per neuron.
        reset: `"subtract"`, `"zero"` (set to `v_reset`) or `"none"`.
        v_reset: reset value for `reset="zero"`, below `threshold`.
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">"` or `">="` (spikingjelly).
        surrogate: surrogate derivative of the spike (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of
            `{"threshold", "v_reset"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.IF(threshold=1.0, reset="zero")
        >>> xs = jnp.full((4, 1), 0.4)
        >>> spikes, state = snn.run(neuron, xs, neuron.init_state((1,)))
        >>> spikes[:, 0].tolist()
        [0.0, 0.0, 1.0, 0.0]

    References:
        Lapicque (1907); Brunel & van Rossum, *Lapicque's 1907 paper*,
        Biol. Cybern. 97 (2007), doi:10.1007/s00422-007-0190-0.
    """

    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        threshold: ParamLike = 1.0,
        *,
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("threshold", "v_reset"),
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
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> IFState:
        r"""$v = v_\text{reset}$ for `reset="zero"`, else $v = 0$."""
        if self.reset == "zero":
            v0 = jax.lax.stop_gradient(self.v_reset).astype(dtype)
            return IFState(v=jnp.broadcast_to(v0, shape))
        return IFState(v=jnp.zeros(shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: IFState
    ) -> tuple[Float[Array, "*shape"], IFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v = if_step(
            x,
            state.v,
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, IFState(v=v)
