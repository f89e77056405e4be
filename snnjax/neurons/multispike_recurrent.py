"""Multi-spike LIF with spike feedback (sinabs `LIFRecurrent`, `IAFRecurrent`)."""

from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, SingleExponential
from ._base import RESETS, AbstractNeuron, Reset, weight_field
from .multispike import SPIKE_FNS, SpikeFn, multispike_lif_step
from .recurrent import recurrent_input

_LEARNABLE = ("alpha", "beta", "threshold", "v_reset", "v_min", "weight", "bias")


class MultiSpikeLIFRecurrentState(eqx.Module):
    """State of [`MultiSpikeLIFRecurrent`][snnjax.MultiSpikeLIFRecurrent]: `v, i, z`.

    `i` is `None` for a model without synaptic current (`alpha=None`); `z`
    holds the output of the last step (spike counts with `spike_fn="multi"`).
    """

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"] | None
    z: Float[Array, "*shape"]


class MultiSpikeLIFRecurrent(AbstractNeuron[MultiSpikeLIFRecurrentState]):
    r"""Multi-spike LIF neuron fed back with its previous output (sinabs).

    The [`MultiSpikeLIF`][snnjax.MultiSpikeLIF] update with the input
    replaced by $x_t + c_t$, as sinabs' `LIFRecurrent` and `IAFRecurrent`
    (`lif_recurrent`: the feedback is added to the input *before* the
    synaptic current and the `norm_input` scaling). The recurrent current is
    $c_t = z_{t-1} W^\top + b_\text{rec}$ (all-to-all, `weight` of shape
    `(n, n)`, sinabs' `rec_connect=nn.Linear(n, n)`) or
    $c_t = V \odot z_{t-1}$ (one-to-one, `weight` of shape `(n,)`), where
    $z_{t-1} = s_{t-1}$ is the previous step's output (a spike count with
    `spike_fn="multi"`; not detached; $z_{-1} = 0$). In code order, with
    $g = 1 - \beta$ if `decay_input` (sinabs' `norm_input`) else $g = 1$:

    $$ c_t = z_{t-1} W^\top + b_\text{rec}, \qquad
       i_t = \alpha\,(i_{t-1} + x_t + c_t) \ (\text{or } x_t + c_t), \qquad
       h_t = \beta\, v_{t-1} + g\, i_t $$

    $$ s_t = H(h_t - \vartheta) \ \text{or} \
       [h_t > 0]\,\mathrm{trunc}(h_t/\vartheta), \qquad
       v_t = h_t - s_t \vartheta \ \text{or} \ [s_t = 0]\, h_t + v_\text{reset}
       \ \text{or} \ h_t $$

    $$ v_t \leftarrow \mathrm{relu}(v_t - v_\text{min}) + v_\text{min}
       \ (\text{with } v_\text{min}), \qquad z_t = s_t $$

    with $H(u) = [u \ge 0]$ and the options, quirks and gradients of
    [`MultiSpikeLIF`][snnjax.MultiSpikeLIF] (threshold detached in the spike
    test; subtractive reset not detached; `"zero"` adds $v_\text{reset}$ at
    every step). The state holds $v_t$, $i_t$ (un-normalised, with a synaptic
    current) and $z_t = s_t$; the default initial state is zero. With all
    weights (and the bias) zero it is exactly `MultiSpikeLIF`. Inputs have
    shape `(*batch, n)`.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$; 1 is sinabs'
            non-leaky `IAFRecurrent`.
        threshold: spike threshold $\vartheta > 0$.
        weight: recurrent weights, `(n, n)` (row $i$ feeds neuron $i$, as
            `nn.Linear.weight`) or `(n,)` (one-to-one).
        bias: recurrent bias `(n,)` or `None` (`nn.Linear(bias=False)`).
        alpha: synaptic-current decay in $[0, 1]$, or `None` (default).
        spike_fn: `"multi"` (spike count, default) or `"single"`.
        reset: `"subtract"` (default), `"zero"` or `"none"`.
        v_reset: sinabs' `reset_value`, added at every step by `"zero"`.
        v_min: lower bound of the membrane (sinabs `min_v_mem`), or `None`.
        decay_input: scale the current by $1 - \beta$ (sinabs `norm_input`).
        surrogate: surrogate derivative (default
            `SingleExponential(width=0.5, scale=1.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold", "v_reset", "v_min", "weight",
            "bias"}`; default `{"weight", "bias"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> w = jnp.array([[0.0, 0.0], [0.75, 0.0]])  # neuron 0 excites neuron 1
        >>> net = snn.MultiSpikeLIFRecurrent(beta=1.0, weight=w)
        >>> xs = jnp.array([[2.5, 0.5], [0.0, 0.0]])
        >>> spikes, _, rec = snn.run(net, xs, net.init_state((2,)), record=True)
        >>> spikes.tolist()  # 2 spikes x 0.75 fed back: 0.5 + 1.5 = 2 thresholds
        [[2.0, 0.0], [0.0, 2.0]]
        >>> rec.v[1].tolist()
        [0.5, 0.0]

    References:
        SynSense, *sinabs* 3.1 (software), https://github.com/synsense/sinabs.
        Bellec, Salaj, Subramoney, Legenstein & Maass, *Long short-term memory
        and learning-to-learn in networks of spiking neurons*, NeurIPS 2018,
        arXiv:1803.09574.
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
    # weights last: `weight_field()` reads as a default to type checkers
    weight: Float[Array, "n n"] | Float[Array, " n"] = weight_field()
    bias: Float[Array, " n"] | None = weight_field()

    def __init__(
        self,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        weight: Float[ArrayLike, "*weight_shape"],
        bias: Float[ArrayLike, "*bias_shape"] | None = None,
        alpha: ParamLike | None = None,
        spike_fn: str = "multi",
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        v_min: ParamLike | None = None,
        decay_input: bool = False,
        surrogate: AbstractSurrogate = SingleExponential(width=0.5, scale=1.0),
        learn: Collection[str] = frozenset({"weight", "bias"}),
    ):
        _checks.check_option("spike_fn", spike_fn, SPIKE_FNS)
        _checks.check_option("reset", reset, RESETS)
        learn = _checks.check_learn(learn, _LEARNABLE)
        for name, value in (("alpha", alpha), ("v_min", v_min)):
            if value is None and name in learn:
                raise ValueError(
                    f"`learn` names {name!r}, but `{name}` is None (switched off); "
                    f"give `{name}` a value to learn it."
                )
        self.beta = _checks.check_range(
            "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
        )
        self.threshold = _checks.check_range(
            "threshold",
            _checks.as_param("threshold", threshold),
            lower=0.0,
            lower_open=True,
        )
        self.alpha = (
            None
            if alpha is None
            else _checks.check_range(
                "alpha", _checks.as_param("alpha", alpha), lower=0.0, upper=1.0
            )
        )
        self.v_reset = _checks.check_finite(
            "v_reset", _checks.as_param("v_reset", v_reset)
        )
        self.v_min = (
            None
            if v_min is None
            else _checks.check_finite("v_min", _checks.as_param("v_min", v_min))
        )
        self.weight, self.bias = _check_weights(weight, bias)
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
    ) -> "MultiSpikeLIFRecurrent":
        r"""Build from time constants: $\beta = e^{-\Delta t/\tau_\text{mem}}$,
        $\alpha = e^{-\Delta t/\tau_\text{syn}}$.

        Args:
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            threshold: spike threshold.
            tau_syn: synaptic time constant $> 0$, or `None`.
            dt: time step $> 0$.
            **kwargs: the other `MultiSpikeLIFRecurrent` arguments (`weight`
                is required).
        """  # noqa: D205
        dt = _positive("dt", dt)
        alpha = (
            None if tau_syn is None else jnp.exp(-dt / _positive("tau_syn", tau_syn))
        )
        beta = jnp.exp(-dt / _positive("tau_mem", tau_mem))
        return cls(beta, threshold, alpha=alpha, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> MultiSpikeLIFRecurrentState:
        """Zero membrane and feedback; $i = 0$ with a synaptic current."""
        n = self.weight.shape[0]
        if not shape or shape[-1] != n:
            raise ValueError(
                f"`shape` must end with the {n} neurons of `weight`; got {shape}."
            )
        i = None if self.alpha is None else jnp.zeros(shape, dtype)
        zeros = jnp.zeros(shape, dtype)
        return MultiSpikeLIFRecurrentState(v=zeros, i=i, z=zeros)

    def step(
        self, x: Float[Array, "*batch n"], state: MultiSpikeLIFRecurrentState
    ) -> tuple[Float[Array, "*batch n"], MultiSpikeLIFRecurrentState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        bias = None if self.bias is None else self.param("bias", x)
        c = recurrent_input(state.z, self.param("weight", x), bias)
        spikes, v, i = multispike_lif_step(
            x + c,
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
        return spikes, MultiSpikeLIFRecurrentState(v=v, i=i, z=spikes)


def _positive(name: str, value: ScalarLike | ParamLike) -> Array:
    return _checks.check_range(
        name, _checks.as_param(name, value), lower=0.0, lower_open=True
    )


def _check_weights(
    weight: ArrayLike, bias: ArrayLike | None
) -> tuple[Array, Array | None]:
    """Validate a recurrent weight `(n, n)` or `(n,)` and an optional bias `(n,)`."""
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
