"""Multi-spike leaky integrate-and-fire neuron (sinabs `IAF` and `LIF`).

The spike and reset functions here are shared with the adaptive model in
`alif.py`: sinabs' `SingleSpike`/`MultiSpike` spike generation,
`MembraneSubtract`/`MembraneReset` resets and the `min_v_mem` floor.
"""

from collections.abc import Collection
from typing import Any, Literal, cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, SingleExponential
from ._base import RESETS, AbstractNeuron, Reset, fire

SpikeFn = Literal["single", "multi"]
SPIKE_FNS: tuple[str, ...] = ("single", "multi")


class MultiSpikeLIFState(eqx.Module):
    """State of [`MultiSpikeLIF`][snnjax.MultiSpikeLIF]: membrane `v`, current `i`.

    `i` is `None` for a model without synaptic current (`alpha=None`).
    """

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"] | None


def multispike_fire(
    v: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    spike_fn: SpikeFn,
) -> Float[Array, "*shape"]:
    r"""sinabs' spike generation with the threshold detached.

    `"single"`: $s = H(v - \vartheta)$ with $H(u) = [u \ge 0]$.
    `"multi"`: the spike count $n = [v > 0]\,\mathrm{trunc}(v / \vartheta)$,
    written $s = H(v - \vartheta) + \mathrm{sg}(n - H(v - \vartheta))$ so that
    its derivative is the single spike's surrogate derivative whatever the
    count (as sinabs' `MultiSpike`). The threshold enters without gradient:
    sinabs' spike functions return no gradient for it.
    """
    threshold = jax.lax.stop_gradient(threshold)
    single = fire(v, threshold, surrogate, ">=")
    if spike_fn == "single":
        return single
    count = jnp.where(v > 0, jnp.trunc(v / threshold), jnp.zeros_like(v))
    return single + jax.lax.stop_gradient(count - single)


def multispike_reset(
    h: Float[Array, "*shape"],
    spikes: Float[Array, "*shape"],
    *,
    reset: Reset,
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
) -> Float[Array, "*shape"]:
    r"""sinabs' resets, applied in the step of the spike.

    * `"subtract"` (`MembraneSubtract`): $v = h - s\,\vartheta$, one threshold
      per spike of the count, with gradient through $s$ and $\vartheta$.
    * `"zero"` (`MembraneReset`): $v = [s = 0]\,h + v_\text{reset}$; the mask
      has no gradient, and $v_\text{reset}$ is added at every step, spiking or
      not (a sinabs quirk; with the default $v_\text{reset} = 0$ it is a reset
      to zero).
    * `"none"`: $v = h$.
    """
    if reset == "subtract":
        return h - spikes * threshold
    if reset == "zero":
        return h * (spikes == 0).astype(h.dtype) + v_reset
    return h


def clamp_below(
    v: Float[Array, "*shape"], v_min: Float[Array, "*shape"] | None
) -> Float[Array, "*shape"]:
    r"""sinabs' `min_v_mem` floor, $\mathrm{relu}(v - v_\text{min}) + v_\text{min}$.

    Written as sinabs computes it (not `maximum`), so values and the zero
    gradient at $v = v_\text{min}$ agree; `v_min=None` returns `v`.
    """
    if v_min is None:
        return v
    return jax.nn.relu(v - v_min) + v_min


def synaptic_current(
    x: Float[Array, "*shape"],
    i: Float[Array, "*shape"] | None,
    *,
    alpha: Float[Array, "*shape"] | None,
) -> Float[Array, "*shape"]:
    r"""sinabs' synaptic current $i_t = \alpha (i_{t-1} + x_t)$, or $x_t$ without one.

    The input is added *before* the decay, unlike snntorch's
    $\alpha i_{t-1} + x_t$. `alpha=None` (no synaptic current) needs `i=None`.
    """
    if alpha is None:
        if i is not None:
            raise ValueError(
                "`state.i` is given, but the model has no synaptic current "
                "(`alpha=None`); create the state with `model.init_state(x.shape)`."
            )
        return x
    if i is None:
        raise ValueError(
            "`state.i` is None, but the model has a synaptic current (`alpha`); "
            "create the state with `model.init_state(x.shape)`."
        )
    return alpha * (i + x)


def multispike_lif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"] | None,
    *,
    alpha: Float[Array, "*shape"] | None,
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    v_min: Float[Array, "*shape"] | None,
    surrogate: AbstractSurrogate,
    spike_fn: SpikeFn,
    reset: Reset,
    decay_input: bool,
) -> tuple[
    Float[Array, "*shape"], Float[Array, "*shape"], Float[Array, "*shape"] | None
]:
    """One step, `(spikes, v, i)`; see [`MultiSpikeLIF`][snnjax.MultiSpikeLIF]."""
    current = synaptic_current(x, i, alpha=alpha)
    drive = (1 - beta) * current if decay_input else current
    h = beta * v + drive
    spikes = multispike_fire(h, threshold, surrogate, spike_fn)
    v = multispike_reset(h, spikes, reset=reset, threshold=threshold, v_reset=v_reset)
    return spikes, clamp_below(v, v_min), None if alpha is None else current


class MultiSpikeLIF(AbstractNeuron[MultiSpikeLIFState]):
    r"""Leaky integrate-and-fire neuron that may emit several spikes per step.

    The integrate-and-fire layers of sinabs (`IAF`, `LIF`): a leaky membrane,
    optionally fed through an exponentially decaying synaptic current, that
    emits a spike *count* per step (one spike per threshold crossed, sinabs'
    `MultiSpike`) or a binary spike (`SingleSpike`). Continuous form:

    $$ \tau_\text{syn} \frac{di}{dt} = -i + I(t), \qquad
       \tau_\text{mem} \frac{dv}{dt} = -v + R\, i $$

    Discrete update, in the order the code runs it (sinabs'
    `lif_forward_single`), with $g = 1 - \beta$ if `decay_input` (sinabs'
    `norm_input`) else $g = 1$:

    $$ i_t = \alpha\,(i_{t-1} + x_t) \quad (\text{or } i_t = x_t
       \text{ with } \texttt{alpha=None}), \qquad h_t = \beta\, v_{t-1} + g\, i_t $$

    $$ s_t = \begin{cases}
        H(h_t - \vartheta) & \texttt{spike\_fn="single"} \\
        [h_t > 0]\, \mathrm{trunc}(h_t / \vartheta) & \texttt{spike\_fn="multi"}
       \end{cases}, \qquad H(u) = [u \ge 0] $$

    $$ v_t = \begin{cases}
        h_t - s_t \vartheta & \text{reset="subtract"} \\
        [s_t = 0]\, h_t + v_\text{reset} & \text{reset="zero"} \\
        h_t & \text{reset="none"}
       \end{cases}, \qquad
       v_t \leftarrow \mathrm{relu}(v_t - v_\text{min}) + v_\text{min} $$

    The last step (the floor) runs only when `v_min` is given. Gradients
    follow sinabs: $\partial s_t / \partial h_t$ is the surrogate derivative
    $\sigma'(h_t - \vartheta)$ for both spike functions (a count is written
    $H + \mathrm{sg}(n - H)$, so its derivative does not depend on the count);
    the threshold enters the spike test without gradient; the subtractive reset
    is not detached; the mask $[s_t = 0]$ of the `"zero"` reset has no
    gradient. Note sinabs' `MembraneReset` quirk, reproduced: $v_\text{reset}$
    is added at *every* step, spiking or not, so only $v_\text{reset} = 0$ is a
    true reset to a value. The state after a step is the post-reset,
    post-floor membrane $v_t$ and the synaptic current $i_t$ (un-normalised);
    the default initial state is zero.

    With `spike_fn="multi"` the output is a spike count (0, 1, 2, ...), not a
    binary spike. sinabs' `IAF` is `beta=1` (no leak) with `decay_input=False`.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$
            ($e^{-\Delta t/\tau_\text{mem}}$, see `from_tau`); 1 is the
            non-leaky integrate-and-fire neuron.
        threshold: spike threshold $\vartheta > 0$ (membrane units).
        alpha: synaptic-current decay per step, $\alpha \in [0, 1]$, or `None`
            (default) for no synaptic current ($i_t = x_t$, not stored).
        spike_fn: `"multi"` (spike count, default) or `"single"` (binary).
        reset: `"subtract"` (default), `"zero"` (sinabs `MembraneReset`, see
            above) or `"none"`.
        v_reset: sinabs' `reset_value` for `reset="zero"` (membrane units),
            added at every step.
        v_min: lower bound of the membrane (sinabs `min_v_mem`), or `None`.
        decay_input: scale the current by $1 - \beta$ (sinabs `norm_input`).
        surrogate: surrogate derivative of the spike (default
            `SingleExponential(width=0.5, scale=1.0)`, sinabs' default for
            threshold 1; sinabs scales the width by the threshold).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold", "v_reset", "v_min"}`. A learned
            threshold gets gradient only through the subtractive reset.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> iaf = snn.MultiSpikeLIF(beta=1.0)  # sinabs IAF with MultiSpike
        >>> xs = jnp.array([[2.5], [0.25], [0.5]])
        >>> spikes, _, rec = snn.run(iaf, xs, iaf.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()  # 2.5 holds two thresholds
        [2.0, 0.0, 1.0]
        >>> rec.v[:, 0].tolist()
        [0.5, 0.75, 0.25]

    References:
        SynSense, *sinabs* 3.1 (software), https://github.com/synsense/sinabs.
        Shrestha & Orchard, *SLAYER*, NeurIPS 2018, arXiv:1810.08646.
    """

    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    alpha: Float[Array, "*#shape"] | None
    v_reset: Float[Array, "*#shape"]
    v_min: Float[Array, "*#shape"] | None
    surrogate: AbstractSurrogate
    spike_fn: SpikeFn = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        alpha: ParamLike | None = None,
        spike_fn: str = "multi",
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        v_min: ParamLike | None = None,
        decay_input: bool = False,
        surrogate: AbstractSurrogate = SingleExponential(width=0.5, scale=1.0),
        learn: Collection[str] = frozenset(),
    ):
        _checks.check_option("spike_fn", spike_fn, SPIKE_FNS)
        _checks.check_option("reset", reset, RESETS)
        learn = _checks.check_learn(
            learn, ("alpha", "beta", "threshold", "v_reset", "v_min")
        )
        _check_optional_learned(learn, alpha=alpha, v_min=v_min)
        self.beta = _checks.check_range(
            "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
        )
        self.threshold = _checks.check_range(
            "threshold",
            _checks.as_param("threshold", threshold),
            lower=0.0,
            lower_open=True,
        )
        self.alpha = _optional_decay("alpha", alpha)
        self.v_reset = _checks.check_finite(
            "v_reset", _checks.as_param("v_reset", v_reset)
        )
        self.v_min = _optional_finite("v_min", v_min)
        self.surrogate = surrogate
        self.spike_fn = cast(SpikeFn, spike_fn)
        self.reset = cast(Reset, reset)
        self.decay_input = decay_input
        self.learn = learn

    @classmethod
    def from_tau(
        cls,
        tau_mem: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        tau_syn: ParamLike | None = None,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "MultiSpikeLIF":
        r"""Build from time constants: $\beta = e^{-\Delta t/\tau_\text{mem}}$,
        $\alpha = e^{-\Delta t/\tau_\text{syn}}$ (sinabs' `exp(-1/tau)` for
        $\Delta t = 1$).

        Args:
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            threshold: spike threshold.
            tau_syn: synaptic time constant $> 0$, or `None` for no synaptic
                current.
            dt: time step $> 0$.
            **kwargs: the other `MultiSpikeLIF` arguments.
        """  # noqa: D205
        dt = _positive("dt", dt)
        alpha = (
            None if tau_syn is None else jnp.exp(-dt / _positive("tau_syn", tau_syn))
        )
        beta = jnp.exp(-dt / _positive("tau_mem", tau_mem))
        return cls(beta, threshold, alpha=alpha, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> MultiSpikeLIFState:
        """$v = 0$ and, with a synaptic current, $i = 0$ (sinabs' zero state)."""
        i = None if self.alpha is None else jnp.zeros(shape, dtype)
        return MultiSpikeLIFState(v=jnp.zeros(shape, dtype), i=i)

    def step(
        self, x: Float[Array, "*shape"], state: MultiSpikeLIFState
    ) -> tuple[Float[Array, "*shape"], MultiSpikeLIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, i = multispike_lif_step(
            x,
            state.v,
            state.i,
            alpha=None if self.alpha is None else self.param("alpha", x),
            beta=self.param("beta", x),
            threshold=self.param("threshold", x),
            v_reset=self.param("v_reset", x),
            v_min=None if self.v_min is None else self.param("v_min", x),
            surrogate=self.surrogate,
            spike_fn=self.spike_fn,
            reset=self.reset,
            decay_input=self.decay_input,
        )
        return spikes, MultiSpikeLIFState(v=v, i=i)


def _positive(name: str, value: ScalarLike | ParamLike) -> Array:
    return _checks.check_range(
        name, _checks.as_param(name, value), lower=0.0, lower_open=True
    )


def _optional_decay(name: str, value: ParamLike | None) -> Array | None:
    if value is None:
        return None
    return _checks.check_range(
        name, _checks.as_param(name, value), lower=0.0, upper=1.0
    )


def _optional_finite(name: str, value: ParamLike | None) -> Array | None:
    if value is None:
        return None
    return _checks.check_finite(name, _checks.as_param(name, value))


def _check_optional_learned(learn: frozenset[str], **optional: object) -> None:
    """A parameter switched off with `None` cannot be in `learn`."""
    for name, value in optional.items():
        if value is None and name in learn:
            raise ValueError(
                f"`learn` names {name!r}, but `{name}` is None (switched off); "
                f"give `{name}` a value to learn it."
            )
