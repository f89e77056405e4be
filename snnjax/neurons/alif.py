"""Adaptive-threshold LIF neurons (sinabs `ALIF`, `ALIFRecurrent`; Bellec's LSNN)."""

from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, SingleExponential
from ._base import RESETS, AbstractNeuron, Reset, weight_field
from .multispike import (
    SPIKE_FNS,
    SpikeFn,
    clamp_below,
    multispike_fire,
    multispike_reset,
    synaptic_current,
)
from .recurrent import recurrent_input

_LEARNABLE = ("alpha", "beta", "rho", "threshold", "adapt_scale", "v_reset", "v_min")


class ALIFState(eqx.Module):
    """State of [`ALIF`][snnjax.ALIF]: membrane `v`, current `i`, adaptation `b`.

    `i` is `None` for a model without synaptic current (`alpha=None`).
    """

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"] | None
    b: Float[Array, "*shape"]


class ALIFRecurrentState(eqx.Module):
    """State of [`ALIFRecurrent`][snnjax.ALIFRecurrent]: `v`, `i`, `b`, last spikes `z`.

    `i` is `None` for a model without synaptic current (`alpha=None`).
    """

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"] | None
    b: Float[Array, "*shape"]
    z: Float[Array, "*shape"]


class _RelativeToThreshold(AbstractSurrogate):
    r"""A surrogate evaluated in units of the threshold.

    $$ \tilde\sigma'(x) = \frac{1}{\vartheta}\,\sigma'\!\left(\frac{x}{\vartheta}
       \right) $$

    For `SingleExponential(width=w, scale=a)` this is sinabs' surrogate with
    `grad_width=w`, whose width is $w\vartheta$ for the current threshold.
    """

    base: AbstractSurrogate
    threshold: Float[Array, "*shape"]

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\sigma'(x/\vartheta)/\vartheta$ with the base surrogate's $\sigma'$."""
        threshold = self.threshold.astype(x.dtype)
        return self.base.derivative(x / threshold) / threshold


def alif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"] | None,
    b: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"] | None,
    beta: Float[Array, "*shape"],
    rho: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    adapt_scale: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    v_min: Float[Array, "*shape"] | None,
    surrogate: AbstractSurrogate,
    spike_fn: SpikeFn,
    reset: Reset,
    decay_input: bool,
    relative_surrogate: bool,
) -> tuple[
    Float[Array, "*shape"],
    Float[Array, "*shape"],
    Float[Array, "*shape"] | None,
    Float[Array, "*shape"],
]:
    """One step; returns `(spikes, v, i, b)`. See [`ALIF`][snnjax.ALIF]."""
    current = synaptic_current(x, i, alpha=alpha)
    if decay_input:  # sinabs' ALIF stores the normalised current (see docstring)
        current = (1 - beta) * current
    h = beta * v + current
    theta = threshold + adapt_scale * b
    if relative_surrogate:
        surrogate = _RelativeToThreshold(surrogate, jax.lax.stop_gradient(theta))
    spikes = multispike_fire(h, theta, surrogate, spike_fn)
    v = multispike_reset(h, spikes, reset=reset, threshold=theta, v_reset=v_reset)
    b = rho * b + (1 - rho) * spikes
    return spikes, clamp_below(v, v_min), None if alpha is None else current, b


def _alif_params(
    *,
    beta: ParamLike,
    rho: ParamLike,
    threshold: ParamLike,
    adapt_scale: ParamLike,
    alpha: ParamLike | None,
    v_reset: ParamLike,
    v_min: ParamLike | None,
    spike_fn: str,
    reset: str,
) -> tuple[Array, Array, Array, Array, Array | None, Array, Array | None]:
    """Validate the options and return the checked parameter arrays."""
    _checks.check_option("spike_fn", spike_fn, SPIKE_FNS)
    _checks.check_option("reset", reset, RESETS)

    def decay(name: str, value: ParamLike) -> Array:
        return _checks.check_range(
            name, _checks.as_param(name, value), lower=0.0, upper=1.0
        )

    return (
        decay("beta", beta),
        decay("rho", rho),
        _checks.check_range(
            "threshold",
            _checks.as_param("threshold", threshold),
            lower=0.0,
            lower_open=True,
        ),
        _checks.check_range(
            "adapt_scale", _checks.as_param("adapt_scale", adapt_scale), lower=0.0
        ),
        None if alpha is None else decay("alpha", alpha),
        _checks.check_finite("v_reset", _checks.as_param("v_reset", v_reset)),
        None
        if v_min is None
        else _checks.check_finite("v_min", _checks.as_param("v_min", v_min)),
    )


def _check_learn(
    learn: Collection[str],
    allowed: Collection[str],
    *,
    alpha: object,
    v_min: object,
) -> frozenset[str]:
    learn = _checks.check_learn(learn, allowed)
    for name, value in (("alpha", alpha), ("v_min", v_min)):
        if value is None and name in learn:
            raise ValueError(
                f"`learn` names {name!r}, but `{name}` is None (switched off); "
                f"give `{name}` a value to learn it."
            )
    return learn


def _decays(
    tau_mem: ParamLike, tau_adapt: ParamLike, tau_syn: ParamLike | None, dt: ScalarLike
) -> tuple[Array, Array, Array | None]:
    """`(beta, rho, alpha)` as `exp(-dt/tau)` from positive time constants."""

    def decay(name: str, tau: ParamLike) -> Array:
        tau = _checks.check_range(
            name, _checks.as_param(name, tau), lower=0.0, lower_open=True
        )
        return jnp.exp(-dt_checked / tau)

    dt_checked = _checks.check_range(
        "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
    )
    alpha = None if tau_syn is None else decay("tau_syn", tau_syn)
    return decay("tau_mem", tau_mem), decay("tau_adapt", tau_adapt), alpha


class ALIF(AbstractNeuron[ALIFState]):
    r"""Adaptive-threshold leaky integrate-and-fire neuron (Bellec's LSNN unit).

    Each spike raises the threshold, which then relaxes back to its baseline:

    $$ \tau_\text{mem} \frac{dv}{dt} = -v + R\, I(t), \qquad
       \tau_\text{adapt} \frac{db}{dt} = -b + \tau_\text{adapt} \sum_k
       \delta(t - t_k), \qquad \vartheta(t) = \vartheta + \gamma\, b(t) $$

    Discrete update, in the order the code runs it (sinabs'
    `alif_forward_single`), with $\vartheta$ the baseline threshold, $\gamma$
    the adaptation scale and $\rho$ the adaptation decay:

    $$ i_t = \alpha\,(i_{t-1} + x_t) \quad (\text{or } i_t = x_t
       \text{ with } \texttt{alpha=None}), \qquad
       i_t \leftarrow (1 - \beta)\, i_t \ \text{ if decay\_input} $$

    $$ h_t = \beta\, v_{t-1} + i_t, \qquad
       \vartheta_t = \vartheta + \gamma\, b_{t-1} $$

    $$ s_t = \begin{cases}
        H(h_t - \vartheta_t) & \texttt{spike\_fn="single"} \\
        [h_t > 0]\, \mathrm{trunc}(h_t / \vartheta_t) & \texttt{spike\_fn="multi"}
       \end{cases}, \qquad H(u) = [u \ge 0] $$

    $$ v_t = \begin{cases}
        h_t - s_t \vartheta_t & \text{reset="subtract"} \\
        [s_t = 0]\, h_t + v_\text{reset} & \text{reset="zero"} \\
        h_t & \text{reset="none"}
       \end{cases} $$

    $$ b_t = \rho\, b_{t-1} + (1 - \rho)\, s_t, \qquad
       v_t \leftarrow \mathrm{relu}(v_t - v_\text{min}) + v_\text{min} $$

    The floor runs only when `v_min` is given. Two sinabs quirks are kept: with
    `decay_input` (sinabs' `norm_input`) the *normalised* current
    $(1 - \beta)\, i_t$ is what the state stores, so with a synaptic current
    the factor $1 - \beta$ compounds from step to step (sinabs' `LIF` does not
    do this); and the `"zero"` reset (`MembraneReset`) adds $v_\text{reset}$ at
    every step, spiking or not. Gradients follow sinabs: the spike's
    derivative is the surrogate derivative at $h_t - \vartheta_t$ for both
    spike functions (a count is $H + \mathrm{sg}(n - H)$); $\vartheta_t$ enters
    the spike test without gradient, but the subtractive reset and the
    adaptation $b_t$ carry gradient through $s_t$ and $\vartheta_t$; the mask
    $[s_t = 0]$ has none. With `relative_surrogate=True` the surrogate is
    evaluated in units of the current threshold,
    $\sigma'((h_t - \vartheta_t)/\vartheta_t)/\vartheta_t$ (sinabs'
    `SingleExponential`, whose width is `grad_width` times the threshold of the
    step). The state after a step is $v_t$ (post reset and floor), $i_t$ and
    $b_t$; `spike_threshold(state)` gives $\vartheta + \gamma\, b_t$, the
    threshold of the next step (sinabs' stored `spike_threshold`). The default
    initial state is zero.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$
            ($e^{-\Delta t/\tau_\text{mem}}$, see `from_tau`).
        rho: adaptation decay per step, $\rho \in [0, 1]$
            ($e^{-\Delta t/\tau_\text{adapt}}$).
        threshold: baseline threshold $\vartheta > 0$ (sinabs `spike_threshold`,
            its `b0`).
        adapt_scale: threshold increase $\gamma \ge 0$ per unit of $b$ (membrane
            units; sinabs `adapt_scale`).
        alpha: synaptic-current decay per step in $[0, 1]$, or `None` (default)
            for no synaptic current.
        spike_fn: `"single"` (binary, default) or `"multi"` (spike count).
        reset: `"subtract"` (default; subtracts the current threshold
            $\vartheta_t$), `"zero"` (sinabs `MembraneReset`) or `"none"`.
        v_reset: sinabs' `reset_value` for `reset="zero"`, added at every step.
        v_min: lower bound of the membrane (sinabs `min_v_mem`), or `None`.
        decay_input: scale (and store) the current by $1 - \beta$ (sinabs
            `norm_input`).
        relative_surrogate: evaluate the surrogate in units of the current
            threshold (sinabs' `SingleExponential`); `False` evaluates it at
            $h_t - \vartheta_t$.
        surrogate: surrogate derivative (default
            `SingleExponential(width=0.5, scale=1.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "rho", "threshold", "adapt_scale", "v_reset",
            "v_min"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> alif = snn.ALIF(beta=0.5, rho=0.5, adapt_scale=1.0)
        >>> xs = jnp.full((3, 1), 1.5)
        >>> spikes, _, rec = snn.run(alif, xs, alif.init_state((1,)), record=True)
        >>> spikes[:, 0].tolist()  # the third step meets threshold 1.75
        [1.0, 1.0, 0.0]
        >>> rec.v[:, 0].tolist(), rec.b[:, 0].tolist()
        ([0.5, 0.25, 1.625], [0.5, 0.75, 0.375])

    References:
        Bellec, Salaj, Subramoney, Legenstein & Maass, *Long short-term memory
        and learning-to-learn in networks of spiking neurons*, NeurIPS 2018,
        arXiv:1803.09574.
        SynSense, *sinabs* 3.1 (software), https://github.com/synsense/sinabs.
    """

    beta: Float[Array, "*#shape"]
    rho: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    adapt_scale: Float[Array, "*#shape"]
    alpha: Float[Array, "*#shape"] | None
    v_reset: Float[Array, "*#shape"]
    v_min: Float[Array, "*#shape"] | None
    surrogate: AbstractSurrogate
    spike_fn: SpikeFn = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    relative_surrogate: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        beta: ParamLike = 0.9,
        rho: ParamLike = 0.95,
        threshold: ParamLike = 1.0,
        *,
        adapt_scale: ParamLike = 1.8,
        alpha: ParamLike | None = None,
        spike_fn: str = "single",
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        v_min: ParamLike | None = None,
        decay_input: bool = False,
        relative_surrogate: bool = False,
        surrogate: AbstractSurrogate = SingleExponential(width=0.5, scale=1.0),
        learn: Collection[str] = frozenset(),
    ):
        (
            self.beta,
            self.rho,
            self.threshold,
            self.adapt_scale,
            self.alpha,
            self.v_reset,
            self.v_min,
        ) = _alif_params(
            beta=beta,
            rho=rho,
            threshold=threshold,
            adapt_scale=adapt_scale,
            alpha=alpha,
            v_reset=v_reset,
            v_min=v_min,
            spike_fn=spike_fn,
            reset=reset,
        )
        self.learn = _check_learn(learn, _LEARNABLE, alpha=alpha, v_min=v_min)
        self.surrogate = surrogate
        self.spike_fn = cast(SpikeFn, spike_fn)
        self.reset = cast(Reset, reset)
        self.decay_input = decay_input
        self.relative_surrogate = relative_surrogate

    @classmethod
    def from_tau(
        cls,
        tau_mem: ParamLike,
        tau_adapt: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        tau_syn: ParamLike | None = None,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "ALIF":
        r"""Build from time constants: $\beta = e^{-\Delta t/\tau_\text{mem}}$,
        $\rho = e^{-\Delta t/\tau_\text{adapt}}$,
        $\alpha = e^{-\Delta t/\tau_\text{syn}}$.

        Args:
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            tau_adapt: adaptation time constant $> 0$.
            threshold: baseline threshold.
            tau_syn: synaptic time constant $> 0$, or `None`.
            dt: time step $> 0$.
            **kwargs: the other `ALIF` arguments.
        """  # noqa: D205
        beta, rho, alpha = _decays(tau_mem, tau_adapt, tau_syn, dt)
        return cls(beta, rho, threshold, alpha=alpha, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> ALIFState:
        """$v = b = 0$ and, with a synaptic current, $i = 0$."""
        i = None if self.alpha is None else jnp.zeros(shape, dtype)
        zeros = jnp.zeros(shape, dtype)
        return ALIFState(v=zeros, i=i, b=zeros)

    def spike_threshold(
        self, state: ALIFState | ALIFRecurrentState
    ) -> Float[Array, "*shape"]:
        r"""The threshold $\vartheta + \gamma b$ the next step will use.

        sinabs stores it as the state `spike_threshold`; it also works on a
        recorded state (`model.spike_threshold(record)`).
        """
        return _spike_threshold(self, state.b)

    def step(
        self, x: Float[Array, "*shape"], state: ALIFState
    ) -> tuple[Float[Array, "*shape"], ALIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, i, b = alif_step(
            x, state.v, state.i, state.b, **_step_params(self, x)
        )
        return spikes, ALIFState(v=v, i=i, b=b)


class ALIFRecurrent(AbstractNeuron[ALIFRecurrentState]):
    r"""Adaptive-threshold LIF neuron fed back with its previous spikes (sinabs).

    The [`ALIF`][snnjax.ALIF] update, with the input replaced by
    $x_t + c_t$, where the recurrent current is
    $c_t = z_{t-1} W^\top + b_\text{rec}$ (all-to-all, `weight` of shape
    `(n, n)`, sinabs' `rec_connect=nn.Linear(n, n)`) or $c_t = V \odot z_{t-1}$
    (one-to-one, `weight` of shape `(n,)`), and $z_{t-1} = s_{t-1}$ are the
    previous step's spikes (not detached; $z_{-1} = 0$). In code order:

    $$ i_t = \alpha\,(i_{t-1} + x_t + c_t) \ (\text{or } x_t + c_t), \qquad
       i_t \leftarrow (1 - \beta)\, i_t \ \text{ if decay\_input}, \qquad
       h_t = \beta\, v_{t-1} + i_t $$

    $$ \vartheta_t = \vartheta + \gamma\, b_{t-1}, \qquad
       s_t = H(h_t - \vartheta_t) \ \text{or} \
       [h_t > 0]\,\mathrm{trunc}(h_t/\vartheta_t), \qquad
       v_t = h_t - s_t \vartheta_t \ \text{or} \ [s_t = 0]\, h_t + v_\text{reset}
       \ \text{or} \ h_t $$

    $$ b_t = \rho\, b_{t-1} + (1 - \rho)\, s_t, \qquad
       v_t \leftarrow \mathrm{relu}(v_t - v_\text{min}) + v_\text{min},
       \qquad z_t = s_t $$

    with the options, quirks and gradients exactly as in
    [`ALIF`][snnjax.ALIF] (threshold detached in the spike test; reset and
    adaptation not detached; the recurrent spikes $z_{t-1}$ carry gradient).
    The state also holds $z_t = s_t$. Inputs have shape `(*batch, n)`.

    Args:
        beta: membrane decay per step, $\beta \in [0, 1]$.
        rho: adaptation decay per step, $\rho \in [0, 1]$.
        threshold: baseline threshold $\vartheta > 0$.
        weight: recurrent weights, `(n, n)` (row $i$ feeds neuron $i$, as
            `nn.Linear.weight`) or `(n,)` (one-to-one).
        bias: recurrent bias `(n,)` or `None` (sinabs' `nn.Linear(bias=False)`).
        adapt_scale: threshold increase $\gamma \ge 0$ per unit of $b$.
        alpha: synaptic-current decay in $[0, 1]$, or `None`.
        spike_fn: `"single"` (default) or `"multi"`.
        reset: `"subtract"` (default), `"zero"` or `"none"`.
        v_reset: sinabs' `reset_value`, added at every step by `"zero"`.
        v_min: lower bound of the membrane, or `None`.
        decay_input: scale (and store) the current by $1 - \beta$.
        relative_surrogate: evaluate the surrogate in units of the threshold.
        surrogate: surrogate derivative (default
            `SingleExponential(width=0.5, scale=1.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "rho", "threshold", "adapt_scale", "v_reset",
            "v_min", "weight", "bias"}`; default `{"weight", "bias"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> w = jnp.array([[0.0, 0.0], [1.5, 0.0]])  # neuron 0 excites neuron 1
        >>> net = snn.ALIFRecurrent(beta=0.5, rho=0.5, adapt_scale=1.0, weight=w)
        >>> xs = jnp.array([[1.5, 0.0], [0.0, 0.0]])
        >>> spikes, _, rec = snn.run(net, xs, net.init_state((2,)), record=True)
        >>> spikes.tolist()  # the feedback 1.5 makes neuron 1 fire at step 1
        [[1.0, 0.0], [0.0, 1.0]]
        >>> rec.v[1].tolist()  # 0.25 and 1.5 - 1
        [0.25, 0.5]

    References:
        Bellec, Salaj, Subramoney, Legenstein & Maass, *Long short-term memory
        and learning-to-learn in networks of spiking neurons*, NeurIPS 2018,
        arXiv:1803.09574.
    """

    beta: Float[Array, "*#shape"]
    rho: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    adapt_scale: Float[Array, "*#shape"]
    alpha: Float[Array, "*#shape"] | None
    v_reset: Float[Array, "*#shape"]
    v_min: Float[Array, "*#shape"] | None
    surrogate: AbstractSurrogate
    spike_fn: SpikeFn = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    decay_input: bool = eqx.field(static=True)
    relative_surrogate: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)
    # weights last: `weight_field()` reads as a default to type checkers
    weight: Float[Array, "n n"] | Float[Array, " n"] = weight_field()
    bias: Float[Array, " n"] | None = weight_field()

    def __init__(
        self,
        beta: ParamLike = 0.9,
        rho: ParamLike = 0.95,
        threshold: ParamLike = 1.0,
        *,
        weight: Float[ArrayLike, "*weight_shape"],
        bias: Float[ArrayLike, "*bias_shape"] | None = None,
        adapt_scale: ParamLike = 1.8,
        alpha: ParamLike | None = None,
        spike_fn: str = "single",
        reset: str = "subtract",
        v_reset: ParamLike = 0.0,
        v_min: ParamLike | None = None,
        decay_input: bool = False,
        relative_surrogate: bool = False,
        surrogate: AbstractSurrogate = SingleExponential(width=0.5, scale=1.0),
        learn: Collection[str] = frozenset({"weight", "bias"}),
    ):
        (
            self.beta,
            self.rho,
            self.threshold,
            self.adapt_scale,
            self.alpha,
            self.v_reset,
            self.v_min,
        ) = _alif_params(
            beta=beta,
            rho=rho,
            threshold=threshold,
            adapt_scale=adapt_scale,
            alpha=alpha,
            v_reset=v_reset,
            v_min=v_min,
            spike_fn=spike_fn,
            reset=reset,
        )
        self.learn = _check_learn(
            learn, (*_LEARNABLE, "weight", "bias"), alpha=alpha, v_min=v_min
        )
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
        self.weight = weight
        self.bias = bias
        self.surrogate = surrogate
        self.spike_fn = cast(SpikeFn, spike_fn)
        self.reset = cast(Reset, reset)
        self.decay_input = decay_input
        self.relative_surrogate = relative_surrogate

    @classmethod
    def from_tau(
        cls,
        tau_mem: ParamLike,
        tau_adapt: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        tau_syn: ParamLike | None = None,
        dt: ScalarLike = 1.0,
        **kwargs: Any,
    ) -> "ALIFRecurrent":
        r"""Build from time constants, as [`ALIF.from_tau`][snnjax.ALIF.from_tau].

        Args:
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            tau_adapt: adaptation time constant $> 0$.
            threshold: baseline threshold.
            tau_syn: synaptic time constant $> 0$, or `None`.
            dt: time step $> 0$.
            **kwargs: the other `ALIFRecurrent` arguments (`weight` is required).
        """
        beta, rho, alpha = _decays(tau_mem, tau_adapt, tau_syn, dt)
        return cls(beta, rho, threshold, alpha=alpha, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> ALIFRecurrentState:
        """Zero membrane, adaptation and feedback; $i = 0$ with a synaptic current."""
        n = self.weight.shape[0]
        if not shape or shape[-1] != n:
            raise ValueError(
                f"`shape` must end with the {n} neurons of `weight`; got {shape}."
            )
        i = None if self.alpha is None else jnp.zeros(shape, dtype)
        zeros = jnp.zeros(shape, dtype)
        return ALIFRecurrentState(v=zeros, i=i, b=zeros, z=zeros)

    def spike_threshold(
        self, state: ALIFState | ALIFRecurrentState
    ) -> Float[Array, "*shape"]:
        r"""The threshold $\vartheta + \gamma b$ the next step will use.

        sinabs stores it as the state `spike_threshold`; it also works on a
        recorded state (`model.spike_threshold(record)`).
        """
        return _spike_threshold(self, state.b)

    def step(
        self, x: Float[Array, "*batch n"], state: ALIFRecurrentState
    ) -> tuple[Float[Array, "*batch n"], ALIFRecurrentState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        bias = None if self.bias is None else self.param("bias", x)
        c = recurrent_input(state.z, self.param("weight", x), bias)
        spikes, v, i, b = alif_step(
            x + c, state.v, state.i, state.b, **_step_params(self, x)
        )
        return spikes, ALIFRecurrentState(v=v, i=i, b=b, z=spikes)


def _spike_threshold(model: ALIF | ALIFRecurrent, b: Array) -> Array:
    return model.param("threshold", b) + model.param("adapt_scale", b) * b


def _step_params(model: ALIF | ALIFRecurrent, x: Array) -> dict[str, Any]:
    """The keyword arguments of `alif_step`: parameters cast to `x`, options."""
    return {
        "alpha": None if model.alpha is None else model.param("alpha", x),
        "beta": model.param("beta", x),
        "rho": model.param("rho", x),
        "threshold": model.param("threshold", x),
        "adapt_scale": model.param("adapt_scale", x),
        "v_reset": model.param("v_reset", x),
        "v_min": None if model.v_min is None else model.param("v_min", x),
        "surrogate": model.surrogate,
        "spike_fn": model.spike_fn,
        "reset": model.reset,
        "decay_input": model.decay_input,
        "relative_surrogate": model.relative_surrogate,
    }
