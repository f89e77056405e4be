"""LIF neuron with recurrent feedback of its own spikes (snntorch `RLeaky`)."""

import math
from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

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

_TIMINGS = ("immediate", "delayed")


class RecurrentLIFState(eqx.Module):
    """State of [`RecurrentLIF`][snnjax.RecurrentLIF]: membrane `v`, last spikes `z`."""

    v: Float[Array, "*shape"]
    z: Float[Array, "*shape"]


def recurrent_input(
    z: Float[Array, "*batch n"],
    weight: Float[Array, "n n"] | Float[Array, " n"],
    bias: Float[Array, " n"] | None,
) -> Float[Array, "*batch n"]:
    r"""Feedback current: $z W^\top + b$ (all-to-all) or $V \odot z$ (one-to-one)."""
    if weight.ndim == 2:
        out = jnp.einsum("...j,ij->...i", z, weight.astype(z.dtype))
    else:
        out = z * jnp.broadcast_to(weight.astype(z.dtype), z.shape)
    if bias is not None:
        out = out + jnp.broadcast_to(bias.astype(z.dtype), out.shape)
    return out


class RecurrentLIF(AbstractNeuron[RecurrentLIFState]):
    r"""Leaky integrate-and-fire neuron fed back with its previous spikes.

    With the recurrent current $c_t = z_{t-1} W^\top + b$ (all-to-all, `weight`
    of shape `(n, n)`) or $c_t = V \odot z_{t-1}$ (one-to-one, `weight` of
    shape `(n,)`), where $z_{t-1}$ are the previous step's spikes (not
    detached), the update is, with `reset_timing="immediate"`:

    $$ h_t = \beta v_{t-1} + x_t + c_t, \qquad s_t = H(h_t - \vartheta), $$

    then $v_t = h_t - \bar s_t \vartheta$ ("subtract"),
    $\bar s_t v_\text{reset} + (1 - \bar s_t) h_t$ ("zero") or $h_t$ ("none").
    With `reset_timing="delayed"` (snntorch `RLeaky`), using the detached
    $r_t = \text{sg}(H(v_{t-1} - \vartheta))$:
    $v_t = h_t - r_t\vartheta$ ("subtract"), $v_t = h_t - r_t (h_t - v_\text{reset})$
    ("zero": the whole new membrane, unlike `LIF`'s delayed zero) or $h_t$, and
    $s_t = H(v_t - \vartheta)$. The state holds $v_t$ and $z_t = s_t$; the
    initial state is zero. Inputs have shape `(*batch, n)`.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$.
        threshold: firing threshold $\vartheta$.
        weight: recurrent weights, `(n, n)` (all-to-all) or `(n,)` (one-to-one).
        bias: recurrent bias `(n,)` or `None`.
        reset: `"subtract"`, `"zero"` or `"none"`.
        v_reset: value of the `"zero"` reset; must be below `threshold` for it.
        reset_timing: `"immediate"` or `"delayed"` (snntorch).
        detach_reset: reset with `stop_gradient(spikes)` (immediate timing).
        spike_test: `">"` or `">="`.
        surrogate: surrogate derivative (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of
            `{"beta", "threshold", "v_reset", "weight", "bias"}`; default
            `{"weight", "bias"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.RecurrentLIF(beta=0.5, weight=jnp.array([0.5]))
        >>> xs = jnp.array([[1.5], [0.0], [0.0]])
        >>> spikes, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> rec.v[:, 0].tolist()  # 1.5 - 1, 0.25 + 0.5 (feedback), 0.375
        [0.5, 0.75, 0.375]

    References:
        Eshraghian et al., *Training spiking neural networks using lessons from
        deep learning*, Proc. IEEE 111 (2023), doi:10.1109/JPROC.2023.3308088.
    """

    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    weight: Float[Array, "n n"] | Float[Array, " n"] = eqx.field(
        metadata={"snnjax_weight": True}
    )
    bias: Float[Array, " n"] | None = eqx.field(metadata={"snnjax_weight": True})
    reset: Reset = eqx.field(static=True)
    reset_timing: str = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        weight: Float[ArrayLike, "*weight_shape"],
        bias: Float[ArrayLike, "*bias_shape"] | None = None,
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        reset_timing: str = "immediate",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset({"weight", "bias"}),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("beta", "threshold", "v_reset", "weight", "bias"),
        )
        _checks.check_option("reset_timing", reset_timing, _TIMINGS)
        self.beta = _checks.check_range(
            "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
        )
        self.threshold = _checks.check_finite(
            "threshold", _checks.as_param("threshold", threshold)
        )
        v_reset = _checks.check_finite("v_reset", _checks.as_param("v_reset", v_reset))
        if reset == "zero":  # a reset at or above threshold fires on every step
            v_reset = _checks.check_less(
                "v_reset", v_reset, "threshold", self.threshold, why=' for reset="zero"'
            )
        self.v_reset = v_reset
        self.weight, self.bias = _check_weights(weight, bias)
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.reset_timing = reset_timing
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    @classmethod
    def random(
        cls, n: int, *, key: PRNGKeyArray, all_to_all: bool = True, **kwargs: Any
    ) -> "RecurrentLIF":
        r"""Random recurrent weights as `torch.nn.Linear(n, n)` draws them.

        All-to-all: $W, b \sim U(-1/\sqrt{n}, 1/\sqrt{n})$; one-to-one: $V = 1$
        (snntorch's default) and no bias.

        Args:
            n: number of neurons.
            key: a `jax.random` key.
            all_to_all: dense feedback (else one-to-one).
            **kwargs: the other `RecurrentLIF` arguments.
        """
        if not all_to_all:
            return cls(weight=jnp.ones((n,)), **kwargs)
        bound = 1 / math.sqrt(n)
        kw, kb = jr.split(key)
        weight = jr.uniform(kw, (n, n), minval=-bound, maxval=bound)
        bias = jr.uniform(kb, (n,), minval=-bound, maxval=bound)
        return cls(weight=weight, bias=bias, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> RecurrentLIFState:
        """Zero membrane and no previous spikes."""
        _check_neuron_count(self.weight, shape)
        return RecurrentLIFState(v=jnp.zeros(shape, dtype), z=jnp.zeros(shape, dtype))

    def step(
        self, x: Float[Array, "*batch n"], state: RecurrentLIFState
    ) -> tuple[Float[Array, "*batch n"], RecurrentLIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        beta = self.param("beta", x)
        threshold = self.param("threshold", x)
        v_reset = self.param("v_reset", x)
        bias = None if self.bias is None else self.param("bias", x)
        c = recurrent_input(state.z, self.param("weight", x), bias)
        h = (beta * state.v + x) + c
        spikes, v = _fire_and_reset(self, h, state.v, threshold, v_reset)
        return spikes, RecurrentLIFState(v=v, z=spikes)


class RecurrentSynapticState(eqx.Module):
    """State of [`RecurrentSynaptic`][snnjax.RecurrentSynaptic]: `i`, `v`, `z`."""

    i: Float[Array, "*shape"]
    v: Float[Array, "*shape"]
    z: Float[Array, "*shape"]


class RecurrentSynaptic(AbstractNeuron[RecurrentSynapticState]):
    r"""Current-based LIF whose previous spikes feed its synaptic current.

    With the feedback $c_t = z_{t-1} W^\top + b$ (all-to-all) or
    $V \odot z_{t-1}$ (one-to-one) of the previous spikes $z_{t-1}$ (not
    detached), as snntorch's `RSynaptic`:

    $$ i_t = \alpha\, i_{t-1} + x_t + c_t, \qquad h_t = \beta v_{t-1} + i_t $$

    With `reset_timing="immediate"`: $s_t = H(h_t - \vartheta)$ and
    $v_t = h_t - \bar s_t\vartheta$ ("subtract"),
    $\bar s_t v_\text{reset} + (1 - \bar s_t) h_t$ ("zero") or $h_t$ ("none").
    With `reset_timing="delayed"` (snntorch), using the detached
    $r_t = \text{sg}(H(v_{t-1} - \vartheta))$: $v_t = h_t - r_t\vartheta$
    ("subtract"), $h_t - r_t (h_t - v_\text{reset})$ ("zero", the whole new
    membrane) or $h_t$, then $s_t = H(v_t - \vartheta)$. The current is never
    reset. The state holds $i_t$, $v_t$ and $z_t = s_t$; initially all zero.

    Args:
        alpha: synaptic decay per step, $\alpha \in [0, 1]$.
        beta: membrane decay per step, $\beta \in [0, 1]$.
        threshold: firing threshold $\vartheta$.
        weight: recurrent weights, `(n, n)` (all-to-all) or `(n,)` (one-to-one).
        bias: recurrent bias `(n,)` or `None`.
        reset: `"subtract"`, `"zero"` or `"none"`.
        v_reset: value of the `"zero"` reset; must be below `threshold` for it.
        reset_timing: `"immediate"` or `"delayed"` (snntorch).
        detach_reset: reset with `stop_gradient(spikes)` (immediate timing).
        spike_test: `">"` or `">="`.
        surrogate: surrogate derivative (default `ATan(2.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold", "v_reset", "weight", "bias"}`;
            default `{"weight", "bias"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.RecurrentSynaptic(alpha=0.5, beta=0.5, weight=jnp.array([1.0]))
        >>> xs = jnp.array([[1.5], [0.0]])
        >>> _, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> rec.i[:, 0].tolist()  # 1.5, then 0.75 + the fed-back spike 1.0
        [1.5, 1.75]

    References:
        Eshraghian et al., *Training spiking neural networks using lessons from
        deep learning*, Proc. IEEE 111 (2023), doi:10.1109/JPROC.2023.3308088.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    weight: Float[Array, "n n"] | Float[Array, " n"] = eqx.field(
        metadata={"snnjax_weight": True}
    )
    bias: Float[Array, " n"] | None = eqx.field(metadata={"snnjax_weight": True})
    reset: Reset = eqx.field(static=True)
    reset_timing: str = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        alpha: ParamLike = 0.8,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        weight: Float[ArrayLike, "*weight_shape"],
        bias: Float[ArrayLike, "*bias_shape"] | None = None,
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        reset_timing: str = "immediate",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = ATan(2.0),
        learn: Collection[str] = frozenset({"weight", "bias"}),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=("alpha", "beta", "threshold", "v_reset", "weight", "bias"),
        )
        _checks.check_option("reset_timing", reset_timing, _TIMINGS)
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
        if reset == "zero":  # a reset at or above threshold fires on every step
            v_reset = _checks.check_less(
                "v_reset", v_reset, "threshold", self.threshold, why=' for reset="zero"'
            )
        self.v_reset = v_reset
        self.weight, self.bias = _check_weights(weight, bias)
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.reset_timing = reset_timing
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> RecurrentSynapticState:
        """Zero current, membrane and previous spikes."""
        _check_neuron_count(self.weight, shape)
        zeros = jnp.zeros(shape, dtype)
        return RecurrentSynapticState(i=zeros, v=zeros, z=zeros)

    def step(
        self, x: Float[Array, "*batch n"], state: RecurrentSynapticState
    ) -> tuple[Float[Array, "*batch n"], RecurrentSynapticState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        threshold = self.param("threshold", x)
        v_reset = self.param("v_reset", x)
        bias = None if self.bias is None else self.param("bias", x)
        c = recurrent_input(state.z, self.param("weight", x), bias)
        i = self.param("alpha", x) * state.i + x + c
        h = self.param("beta", x) * state.v + i
        spikes, v = _fire_and_reset(self, h, state.v, threshold, v_reset)
        return spikes, RecurrentSynapticState(i=i, v=v, z=spikes)


def _fire_and_reset(
    neuron: "RecurrentLIF | RecurrentSynaptic",
    h: Array,
    v_prev: Array,
    threshold: Array,
    v_reset: Array,
) -> tuple[Array, Array]:
    """Spike and reset of the charged membrane `h`, shared by both models.

    Immediate timing resets in the same step; delayed timing (snntorch)
    applies the detached reset of the previous membrane `v_prev` to the whole
    new membrane before the spike test.
    """
    if neuron.reset_timing == "immediate":
        spikes = fire(h, threshold, neuron.surrogate, neuron.spike_test)
        s = detach_if(spikes, neuron.detach_reset)
        v = reset_now(h, s, reset=neuron.reset, threshold=threshold, v_reset=v_reset)
        return spikes, v
    r = jax.lax.stop_gradient(
        fire(v_prev, threshold, neuron.surrogate, neuron.spike_test)
    )
    if neuron.reset == "subtract":
        h = h - r * threshold
    elif neuron.reset == "zero":
        h = h - r * (h - v_reset)
    return fire(h, threshold, neuron.surrogate, neuron.spike_test), h


def _check_weights(
    weight: ArrayLike, bias: ArrayLike | None
) -> tuple[Array, Array | None]:
    """Validate a recurrent weight (n, n) or (n,) and an optional bias (n,)."""
    weight = _checks.check_finite("weight", _checks.as_param("weight", weight))
    if weight.ndim not in (1, 2) or (
        weight.ndim == 2 and weight.shape[0] != weight.shape[1]
    ):
        raise ValueError(
            "`weight` must have shape (n, n) (all-to-all) or (n,) (one-to-one); "
            f"got {weight.shape}."
        )
    if bias is not None:
        bias = _checks.check_finite("bias", _checks.as_param("bias", bias))
        if bias.shape != weight.shape[:1]:
            raise ValueError(
                f"`bias` must have shape {weight.shape[:1]} to match `weight`; "
                f"got {bias.shape}."
            )
    return weight, bias


def _check_neuron_count(weight: Array, shape: tuple[int, ...]) -> None:
    n = weight.shape[0]
    if not shape or shape[-1] != n:
        raise ValueError(
            f"`shape` must end with the {n} neurons of `weight`; got {shape}."
        )
