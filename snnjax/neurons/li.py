"""Non-spiking leaky integrator readout (norse `LI`, snntorch-style readout)."""

from collections.abc import Collection
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._bptt import li_run_parallel
from .._custom_types import ParamLike, ScalarLike
from ._base import AbstractNeuron


class LIState(eqx.Module):
    """State of [`LI`][snnjax.LI]: membrane `v` and synaptic current `i`."""

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"]


def li_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    decay_input: bool,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One LI step; returns `(v_new, i_new)`. See [`LI`][snnjax.LI]."""
    i_jump = i + x
    gain = (1 - beta) if decay_input else 1
    v = beta * (v - v_leak) + v_leak + gain * i_jump
    return v, alpha * i_jump


class LI(AbstractNeuron[LIState]):
    r"""Leaky integrator: a non-spiking readout whose output is the membrane.

    $$ \tau_\text{syn} \frac{di}{dt} = -i, \qquad
       \tau_\text{mem} \frac{dv}{dt} = -(v - v_\text{leak}) + i, $$

    with the input arriving as jumps of the current. Discrete update, in the
    order the code runs it (norse's `LI`: jump, integrate, decay):

    $$ j_t = i_{t-1} + x_t, \qquad
       v_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g\, j_t, \qquad
       i_t = \alpha\, j_t $$

    with $g = 1 - \beta$ if `decay_input` else $g = 1$. The output is $v_t$.
    With the default $\alpha = 0$ there is no synaptic memory and the update is
    $v_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + g x_t$, a leaky
    readout (snntorch `Leaky` with `reset_mechanism="none"`, without spikes).
    norse `LI(tau_syn_inv, tau_mem_inv, v_leak, dt)` is
    $\alpha = 1 - \Delta t\,\tau_\text{syn}^{-1}$,
    $\beta = 1 - \Delta t\,\tau_\text{mem}^{-1}$, `decay_input=True`. Default
    initial state: $v = v_\text{leak}$, $i = 0$.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$.
        alpha: synaptic decay per step, $\alpha \in [0, 1]$ (0: no current).
        v_leak: resting potential and initial membrane.
        decay_input: scale the input by $1 - \beta$ (forward-Euler form).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "v_leak"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> readout = snn.LI(beta=0.5)
        >>> xs = jnp.array([[1.0], [0.0], [0.0]])
        >>> v, _ = snn.run(readout, xs, readout.init_state((1,)))
        >>> v[:, 0].tolist()
        [1.0, 0.5, 0.25]

    References:
        Pehle & Pedersen, *Norse* (2021), doi:10.5281/zenodo.4422025.
    """

    beta: Float[Array, "*#shape"]
    alpha: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    decay_input: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.9,
        *,
        alpha: ParamLike = 0.0,
        v_leak: ParamLike = 0.0,
        decay_input: bool = False,
        learn: Collection[str] = frozenset(),
    ):
        self.learn = _checks.check_learn(learn, ("alpha", "beta", "v_leak"))
        self.beta = _checks.check_range(
            "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
        )
        self.alpha = _checks.check_range(
            "alpha", _checks.as_param("alpha", alpha), lower=0.0, upper=1.0
        )
        self.v_leak = _checks.check_finite("v_leak", _checks.as_param("v_leak", v_leak))
        self.decay_input = decay_input

    @classmethod
    def from_tau(
        cls,
        tau_mem: ParamLike,
        *,
        tau_syn: ParamLike | None = None,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "LI":
        r"""Exact discretisation: $\beta = e^{-\Delta t/\tau_\text{mem}}$ and
        $\alpha = e^{-\Delta t/\tau_\text{syn}}$ (or 0 without `tau_syn`).

        Args:
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            tau_syn: synaptic time constant $> 0$, or `None` for no current.
            dt: time step $> 0$.
            **kwargs: the other `LI` arguments.
        """  # noqa: D205
        positive = {"lower": 0.0, "lower_open": True}
        tau_mem = _checks.check_range(
            "tau_mem", _checks.as_param("tau_mem", tau_mem), **positive
        )
        dt = _checks.check_range("dt", _checks.as_param("dt", dt), **positive)
        alpha = 0.0
        if tau_syn is not None:
            tau_syn = _checks.check_range(
                "tau_syn", _checks.as_param("tau_syn", tau_syn), **positive
            )
            alpha = jnp.exp(-dt / tau_syn)
        return cls(jnp.exp(-dt / tau_mem), alpha=alpha, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> LIState:
        r"""$v = v_\text{leak}$, $i = 0$."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), shape)
        return LIState(v=v, i=jnp.zeros(shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: LIState
    ) -> tuple[Float[Array, "*shape"], LIState]:
        """One step of the update above; returns `(v, new_state)`."""
        v, i = li_step(
            x,
            state.v,
            state.i,
            alpha=self.param("alpha", x),
            beta=self.param("beta", x),
            v_leak=self.param("v_leak", x),
            decay_input=self.decay_input,
        )
        return v, LIState(v=v, i=i)

    def run_parallel(
        self, xs: Float[Array, " time *shape"], state: LIState, *, record: bool
    ) -> tuple[Array, LIState, LIState | None]:
        """All steps at once by associative scan (`run(..., time_parallel=True)`)."""
        return li_run_parallel(self, xs, state, record=record)
