"""Current-based LIF with an absolute refractory period (norse `LIFRefracCell`)."""

from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, FastSigmoid
from ._base import AbstractNeuron, Reset, SpikeTest, fire, validate_options
from .cuba import _CUBA_PARAMS, _cuba_params, _decays_from_tau, cuba_lif_step


class CubaLIFRefracState(eqx.Module):
    """State of [`CubaLIFRefrac`][snnjax.CubaLIFRefrac]: `v`, `i`, counter `refrac`."""

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"]
    refrac: Float[Array, "*shape"]


def cuba_lif_refrac_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"],
    refrac: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    refractory_steps: Float[Array, "*shape"],
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
    """One step; returns `(spikes, v, i, refrac)`. See [`CubaLIFRefrac`][snnjax.CubaLIFRefrac]."""  # noqa: E501
    spikes, v_lif, i_new = cuba_lif_step(
        x,
        v,
        i,
        alpha=alpha,
        beta=beta,
        threshold=threshold,
        v_leak=v_leak,
        v_reset=v_reset,
        surrogate=surrogate,
        reset=reset,
        detach_reset=detach_reset,
        spike_test=spike_test,
    )
    # norse: the refractory mask is a spike of the counter, with its surrogate
    m = fire(refrac, jnp.zeros_like(refrac), surrogate, ">")
    v_new = (1 - m) * v_lif + m * v
    s = (1 - m) * spikes
    refrac_new = (1 - s) * jax.nn.relu(refrac - m) + s * refractory_steps
    return s, v_new, i_new, refrac_new


class CubaLIFRefrac(AbstractNeuron[CubaLIFRefracState]):
    r"""Current-based LIF with an absolute refractory period (norse `LIFRefracCell`).

    A counter $r$ (`refrac`) is set to $R$ (`refractory_steps`) at each spike
    and counts down by one per step; while $r > 0$ the neuron cannot fire and
    its membrane is held. Discrete update, in the order the code runs it
    (norse 1.1.0 `lif_refrac_feed_forward_step`): first the `CubaLIF` step
    from $(v_{t-1}, i_{t-1})$, giving $\hat s_t$, $\hat v_t$ and $i_t$, then

    $$ m_t = H(r_{t-1}), \qquad
       v_t = (1 - m_t)\, \hat v_t + m_t\, v_{t-1}, \qquad
       s_t = (1 - m_t)\, \hat s_t $$

    $$ r_t = (1 - s_t) \max(0,\, r_{t-1} - m_t) + s_t R $$

    with $H(y) = [y > 0]$. The synaptic current keeps integrating during the
    refractory period. A spike at step $t$ therefore blocks the steps
    $t + 1, \dots, t + \lceil R \rceil$. As in norse the mask $m_t$ is a spike
    of the counter: it carries the surrogate derivative (with respect to
    $r_{t-1}$), and nothing is detached except, with `detach_reset=True`, the
    spike inside the `CubaLIF` reset. Default initial state:
    $v = v_\text{leak}$, $i = 0$, $r = 0$.

    Args:
        alpha: synaptic decay per step, $\alpha \in [0, 1]$.
        beta: membrane decay per step, $\beta \in [0, 1]$.
        threshold: firing threshold $\vartheta$.
        refractory_steps: refractory period $R \ge 0$ in steps (norse's
            `rho_reset`); the counter counts steps, whatever $\Delta t$.
        v_leak: resting potential and initial membrane.
        v_reset: value set by `reset="zero"`, below `threshold`.
        reset: `"zero"` (norse), `"subtract"` or `"none"`.
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">"` (norse) or `">="`.
        surrogate: surrogate derivative of the spike and of the mask (default
            `FastSigmoid(slope=1.0)`).
        learn: parameters that receive gradients, subset of `{"alpha", "beta",
            "threshold", "v_leak", "v_reset", "refractory_steps"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.CubaLIFRefrac(alpha=0.0, beta=0.0, refractory_steps=2.0)
        >>> xs = jnp.full((6, 1), 1.5)  # enough to fire at every free step
        >>> spikes, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()
        [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        >>> rec.refrac[:, 0].tolist()
        [2.0, 1.0, 0.0, 2.0, 1.0, 0.0]

    References:
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1.3,
        doi:10.1017/CBO9781107447615.
        Pehle & Pedersen, *Norse* (2021), doi:10.5281/zenodo.4422025.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    refractory_steps: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        alpha: ParamLike = 0.8,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        refractory_steps: ParamLike = 5.0,
        v_leak: ParamLike = 0.0,
        v_reset: ParamLike = 0.0,
        reset: str = "zero",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = FastSigmoid(1.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=(*_CUBA_PARAMS, "refractory_steps"),
        )
        params = _cuba_params(alpha, beta, threshold, v_leak, v_reset, reset)
        self.alpha = params["alpha"]
        self.beta = params["beta"]
        self.threshold = params["threshold"]
        self.v_leak = params["v_leak"]
        self.v_reset = params["v_reset"]
        self.refractory_steps = _checks.check_range(
            "refractory_steps",
            _checks.as_param("refractory_steps", refractory_steps),
            lower=0.0,
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
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        discretisation: str = "euler",
        **kwargs: Any,
    ) -> "CubaLIFRefrac":
        r"""Build from time constants, as [`CubaLIF.from_tau`][snnjax.CubaLIF.from_tau].

        Args:
            tau_syn: synaptic time constant $> 0$ (unit of `dt`).
            tau_mem: membrane time constant $> 0$.
            threshold: firing threshold.
            dt: time step $> 0$.
            discretisation: `"euler"` ($1 - \Delta t/\tau$) or `"exact"`.
            **kwargs: the other `CubaLIFRefrac` arguments (`refractory_steps`
                is in steps, not in the unit of `dt`).
        """
        alpha, beta = _decays_from_tau(tau_syn, tau_mem, dt, discretisation)
        return cls(alpha, beta, threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> CubaLIFRefracState:
        r"""$v = v_\text{leak}$, $i = 0$, $r = 0$, shape `shape`."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), shape)
        zeros = jnp.zeros(shape, dtype)
        return CubaLIFRefracState(v=v, i=zeros, refrac=zeros)

    def step(
        self, x: Float[Array, "*shape"], state: CubaLIFRefracState
    ) -> tuple[Float[Array, "*shape"], CubaLIFRefracState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, i, refrac = cuba_lif_refrac_step(
            x,
            state.v,
            state.i,
            state.refrac,
            **{
                name: self.param(name, x)
                for name in (*_CUBA_PARAMS, "refractory_steps")
            },
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, CubaLIFRefracState(v=v, i=i, refrac=refrac)
