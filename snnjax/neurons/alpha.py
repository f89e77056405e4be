"""Alpha-kernel neuron: excitatory and inhibitory currents (snntorch `Alpha`)."""

from collections.abc import Collection
from typing import cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike
from ..surrogate import AbstractSurrogate, ATan
from ._base import AbstractNeuron, Reset, SpikeTest, fire, validate_options


class AlphaState(eqx.Module):
    """State of [`Alpha`][snnjax.Alpha]: currents `i_exc`, `i_inh` and membrane `v`."""

    i_exc: Float[Array, "*shape"]
    i_inh: Float[Array, "*shape"]
    v: Float[Array, "*shape"]


def alpha_step(
    x: Float[Array, "*shape"],
    i_exc: Float[Array, "*shape"],
    i_inh: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    spike_test: SpikeTest,
) -> tuple[
    Float[Array, "*shape"],
    Float[Array, "*shape"],
    Float[Array, "*shape"],
    Float[Array, "*shape"],
]:
    """One step; returns `(spikes, i_exc, i_inh, v)`. See [`Alpha`][snnjax.Alpha]."""
    r = jax.lax.stop_gradient(fire(v, threshold, surrogate, spike_test))
    tau_alpha = jnp.log(alpha) / (jnp.log(beta) - jnp.log(alpha)) + 1
    e = alpha * i_exc + x
    n = beta * i_inh - x
    m = tau_alpha * (e + n)
    if reset == "zero":
        e, n, m = e - e * r, n - n * r, m - m * r
    elif reset == "subtract":
        # snntorch 1.0: the excitatory current loses one threshold, the
        # inhibitory one is zeroed, and the membrane gains the previous i_inh.
        e, n, m = e - threshold * r, n - n * r, m + i_inh * r
    return fire(m, threshold, surrogate, spike_test), e, n, m


class Alpha(AbstractNeuron[AlphaState]):
    r"""Alpha-kernel neuron with excitatory and inhibitory currents (snntorch `Alpha`).

    The input drives an excitatory current decaying with $\alpha$ and an
    inhibitory one decaying with $\beta$; their difference is an alpha-shaped
    postsynaptic potential. There is no membrane leak term: the membrane is a
    scaled sum of the two currents. Discrete update (snntorch's order, reset
    delayed by one step), with $r_t = \text{sg}(H(v_{t-1} - \vartheta))$ and
    $\tau_\alpha = \frac{\ln \alpha}{\ln \beta - \ln \alpha} + 1$:

    $$ e_t = \alpha\, i^\text{exc}_{t-1} + x_t, \qquad
       n_t = \beta\, i^\text{inh}_{t-1} - x_t, \qquad
       m_t = \tau_\alpha (e_t + n_t) $$

    then, for `reset="zero"`:
    $i^\text{exc}_t = (1 - r_t) e_t$, $i^\text{inh}_t = (1 - r_t) n_t$,
    $v_t = (1 - r_t) m_t$; for `reset="subtract"` (snntorch 1.0's rule):
    $i^\text{exc}_t = e_t - r_t \vartheta$, $i^\text{inh}_t = (1 - r_t) n_t$,
    $v_t = m_t + r_t\, i^\text{inh}_{t-1}$; for `reset="none"` the three are
    $e_t, n_t, m_t$. Finally $s_t = H(v_t - \vartheta)$ with `>` (or `>=`). The
    state is the pre-spike-reset one snntorch returns. Initial state: zeros.

    Args:
        alpha: excitatory decay per step, $\alpha \in (0, 1)$, $\alpha \ne \beta$.
        beta: inhibitory decay per step, $\beta \in (0, 1)$.
        threshold: firing threshold $\vartheta$.
        reset: `"zero"` (snntorch's default for `Alpha`), `"subtract"` or `"none"`.
        spike_test: `">"` or `">="`.
        surrogate: surrogate derivative (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.Alpha(alpha=0.5, beta=0.25)
        >>> xs = jnp.array([[1.0], [0.0]])
        >>> _, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> rec.v[:, 0].tolist()  # tau_alpha = 2: 2*(1 - 1), 2*(0.5 - 0.25)
        [0.0, 0.5]

    References:
        Eshraghian et al., *Training spiking neural networks using lessons from
        deep learning*, Proc. IEEE 111 (2023), doi:10.1109/JPROC.2023.3308088.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        alpha: ParamLike = 0.9,
        beta: ParamLike = 0.8,
        threshold: ParamLike = 1.0,
        *,
        reset: str = "zero",
        spike_test: str = ">",
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("alpha", "beta", "threshold"),
        )
        open_unit = {"lower": 0.0, "upper": 1.0, "lower_open": True, "upper_open": True}
        alpha_arr = _checks.check_range(
            "alpha", _checks.as_param("alpha", alpha), **open_unit
        )
        self.beta = _checks.check_range(
            "beta", _checks.as_param("beta", beta), **open_unit
        )
        self.alpha = _checks.check_different("alpha", alpha_arr, "beta", self.beta)
        self.threshold = _checks.check_finite(
            "threshold", _checks.as_param("threshold", threshold)
        )
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> AlphaState:
        """All zeros."""
        zeros = jnp.zeros(shape, dtype)
        return AlphaState(i_exc=zeros, i_inh=zeros, v=zeros)

    def step(
        self, x: Float[Array, "*shape"], state: AlphaState
    ) -> tuple[Float[Array, "*shape"], AlphaState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, e, n, v = alpha_step(
            x,
            state.i_exc,
            state.i_inh,
            state.v,
            alpha=self.param("alpha", x),
            beta=self.param("beta", x),
            threshold=self.param("threshold", x),
            surrogate=self.surrogate,
            reset=self.reset,
            spike_test=self.spike_test,
        )
        return spikes, AlphaState(i_exc=e, i_inh=n, v=v)
