r"""Trace-based spike-timing-dependent plasticity (STDP), without gradients.

Pair-based STDP with all-to-all spike interactions: every synapse keeps a
presynaptic trace $z^+$ (a decaying memory of the input spikes) and every
postsynaptic neuron a trace $z^-$ of its own spikes. A postsynaptic spike
potentiates each synapse by $a_+$ times its presynaptic trace (LTP, "pre
before post"); a presynaptic spike depresses it by $a_-$ times the
postsynaptic trace (LTD, "post before pre"). The traces relax with the same
decay strategies as pysnn's neurons ([`Decay`][snnjax.Decay], pysnn's
`update_type="linear"`, or [`EulerDecay`][snnjax.EulerDecay], pysnn's
`"exponential"`).

Everything is a pure function of arrays: [`STDP.update`][snnjax.plasticity.STDP]
returns the new weight and traces, so a learning loop is a `jax.lax.scan`
(or [`snnjax.run`][snnjax.run] over a step function) and composes with
`jax.jit` and `jax.vmap` (also over a batch of rules built with
`eqx.filter_vmap`).
"""

from typing import Literal, cast

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from . import _checks
from ._custom_types import ParamLike, ScalarLike
from .neurons.trace import AbstractDecay, Decay, EulerDecay

__all__ = ["STDP", "STDPState", "stdp_step"]

Bounds = Literal["hard", "soft"]
_BOUNDS = ("hard", "soft")
_TRACES = ("exact", "euler")


class STDPState(eqx.Module):
    """Traces of an [`STDP`][snnjax.plasticity.STDP] rule.

    Attributes:
        pre_trace: presynaptic trace $z^+$, shape `(*batch, n_pre)`.
        post_trace: postsynaptic trace $z^-$, shape `(*batch, n_post)`.
    """

    pre_trace: Float[Array, "*batch n_pre"]
    post_trace: Float[Array, "*batch n_post"]


def _broadcast(value: Array, like: Array) -> Array:
    return jnp.broadcast_to(value.astype(like.dtype), like.shape)


def _param(name: str, value: Array, weight: Array) -> Array:
    """A parameter cast to the weight's dtype and broadcast to its shape."""
    try:
        shape = jnp.broadcast_shapes(value.shape, weight.shape)
    except ValueError:
        shape = None
    if shape != weight.shape:
        raise ValueError(
            f"`{name}` has shape {value.shape}, which does not broadcast to the "
            f"weight shape {weight.shape} (n_post, n_pre); use a scalar, "
            "(n_post, 1) per postsynaptic neuron or (n_pre,) per presynaptic one."
        )
    return _broadcast(value, weight)


def _check_shapes(
    weight: Array, pre_spikes: Array, post_spikes: Array, state: STDPState
) -> None:
    """Structure checks at trace time: shapes, ranks and dtypes must agree."""
    if weight.ndim != 2:
        raise ValueError(
            "`weight` must be a matrix of shape (n_post, n_pre), as "
            f"`snnjax.Linear.weight`; got shape {weight.shape}."
        )
    n_post, n_pre = weight.shape
    if pre_spikes.ndim < 1 or pre_spikes.shape[-1] != n_pre:
        raise ValueError(
            f"`pre_spikes` must have shape (*batch, {n_pre}) for a weight of "
            f"shape {weight.shape}; got {pre_spikes.shape}."
        )
    if post_spikes.ndim < 1 or post_spikes.shape[-1] != n_post:
        raise ValueError(
            f"`post_spikes` must have shape (*batch, {n_post}) for a weight of "
            f"shape {weight.shape}; got {post_spikes.shape}."
        )
    if pre_spikes.shape[:-1] != post_spikes.shape[:-1]:
        raise ValueError(
            "`pre_spikes` and `post_spikes` must share their batch axes; got "
            f"shapes {pre_spikes.shape} and {post_spikes.shape}."
        )
    for name, trace, spikes in (
        ("pre_trace", state.pre_trace, pre_spikes),
        ("post_trace", state.post_trace, post_spikes),
    ):
        if trace.shape != spikes.shape:
            raise ValueError(
                f"`state.{name}` has shape {trace.shape}, but the spikes have "
                f"shape {spikes.shape}; create the state with "
                "`rule.init_state(n_pre, n_post, batch_shape=spikes.shape[:-1])`."
            )
    for name, arr in (
        ("pre_spikes", pre_spikes),
        ("post_spikes", post_spikes),
        ("state.pre_trace", state.pre_trace),
        ("state.post_trace", state.post_trace),
    ):
        if arr.dtype != weight.dtype:
            raise TypeError(
                f"`{name}` has dtype {arr.dtype}, but `weight` has {weight.dtype}; "
                f"cast spikes with `.astype(weight.dtype)` and create the state "
                "with `dtype=weight.dtype`."
            )


def stdp_step(
    weight: Array,
    pre_spikes: Array,
    post_spikes: Array,
    state: STDPState,
    *,
    a_plus: Float[Array, "*#pre"],
    a_minus: Float[Array, "*#pre"],
    pre_decay: AbstractDecay,
    post_decay: AbstractDecay,
    w_min: Float[Array, "*#pre"],
    w_max: Float[Array, "*#pre"],
    bounds: Bounds,
    dt: Float[Array, ""],
) -> tuple[Float[Array, "n_post n_pre"], STDPState]:
    r"""One step of pair-based STDP; see [`STDP`][snnjax.plasticity.STDP] for the math.

    The traces are updated first (with this step's spikes), then the weight.
    Parameters broadcast against the weight `(n_post, n_pre)`. The array
    arguments are annotated as plain `Array` so that the shape and dtype checks
    here (with their messages) run even under a jaxtyping import hook.

    Args:
        weight: weight matrix `(n_post, n_pre)`.
        pre_spikes: presynaptic spikes `(*batch, n_pre)`, the weight's dtype.
        post_spikes: postsynaptic spikes `(*batch, n_post)`, the weight's dtype.
        state: traces after the previous step.
        a_plus: potentiation rate $a_+$.
        a_minus: depression rate $a_-$.
        pre_decay: presynaptic trace decay strategy.
        post_decay: postsynaptic trace decay strategy.
        w_min: lower weight bound.
        w_max: upper weight bound.
        bounds: `"hard"` or `"soft"`.
        dt: time step $\Delta t$.

    Returns:
        `(new_weight, new_state)`.
    """
    _check_shapes(weight, pre_spikes, post_spikes, state)
    step = _broadcast(dt, state.pre_trace)
    pre_trace = pre_decay.relax(state.pre_trace, pre_spikes, dt=step)
    step = _broadcast(dt, state.post_trace)
    post_trace = post_decay.relax(state.post_trace, post_spikes, dt=step)
    # sum over the batch axes of the outer products, then the batch mean
    batch = pre_spikes.shape[:-1]
    count = 1
    for n in batch:
        count *= n
    post_2d = post_spikes.reshape(count, -1)
    pre_2d = pre_spikes.reshape(count, -1)
    ltp = post_2d.T @ pre_trace.reshape(count, -1) / count
    ltd = post_trace.reshape(count, -1).T @ pre_2d / count
    a_plus, a_minus, w_min, w_max = (
        _param(name, value, weight)
        for name, value in (
            ("a_plus", a_plus),
            ("a_minus", a_minus),
            ("w_min", w_min),
            ("w_max", w_max),
        )
    )
    if bounds == "soft":
        delta = a_plus * (w_max - weight) * ltp - a_minus * (weight - w_min) * ltd
    else:
        delta = a_plus * ltp - a_minus * ltd
    new_weight = jnp.clip(weight + delta, w_min, w_max)
    return new_weight, STDPState(pre_trace=pre_trace, post_trace=post_trace)


def _check_decay(name: str, value: object) -> AbstractDecay:
    if not isinstance(value, AbstractDecay):
        raise TypeError(
            f"`{name}` must be a decay strategy, `snnjax.Decay(factor)` or "
            f"`snnjax.EulerDecay(tau)`; got {value!r}."
        )
    return value


def _nonnegative(name: str, value: ParamLike) -> Array:
    return _checks.check_range(name, _checks.as_param(name, value), lower=0.0)


class STDP(eqx.Module):
    r"""Pair-based spike-timing-dependent plasticity with pre/post traces.

    A synapse $W_{ij}$ connects presynaptic neuron $j$ (spikes
    $s^\text{pre}_j$) to postsynaptic neuron $i$ (spikes $s^\text{post}_i$);
    the weight has the layout of [`snnjax.Linear`][snnjax.Linear],
    `(n_post, n_pre)`. In continuous time the traces follow

    $$ \tau_+ \frac{dz^+_j}{dt} = -z^+_j + \sum_f \delta(t - t^f_j), \qquad
       \tau_- \frac{dz^-_i}{dt} = -z^-_i + \sum_f \delta(t - t^f_i) $$

    and the weight jumps by $a_+ z^+_j$ at each postsynaptic spike (LTP)
    and by $-a_- z^-_i$ at each presynaptic spike (LTD). Every pair of spikes
    interacts (all-to-all), so a single pair at $\delta = t_\text{post} -
    t_\text{pre}$ changes the weight by the classic window

    $$ \Delta W = \begin{cases} a_+\, e^{-\delta/\tau_+} & \delta > 0 \\
       -a_-\, e^{\delta/\tau_-} & \delta < 0. \end{cases} $$

    **Discrete update**, in the order the code computes it for step $t$ with
    spikes of shape `(*batch, n)` ($B$ = number of batch elements, 1 without
    batch axes):

    1. Traces, with this step's spikes (the decay strategies' formulas):
       $z^+_t = \mathcal{D}_+(z^+_{t-1};\ s^\text{pre}_t)$ and
       $z^-_t = \mathcal{D}_-(z^-_{t-1};\ s^\text{post}_t)$, where
       `Decay(d)` computes $z_t = d\, z_{t-1} + s_t$ and `EulerDecay(tau)`
       computes $z_t = z_{t-1} + \tfrac{\Delta t}{\tau}(-z_{t-1} + s_t)$.
    2. Batch-averaged correlations:

       $$ P_{ij} = \frac{1}{B} \sum_b s^\text{post}_{b,i}\, z^+_{b,j}, \qquad
          D_{ij} = \frac{1}{B} \sum_b z^-_{b,i}\, s^\text{pre}_{b,j} $$

    3. Weight change, with hard bounds (`bounds="hard"`, additive STDP)

       $$ W_t = \operatorname{clip}\big(W_{t-1} + a_+ P - a_- D,\
          w_\text{min},\ w_\text{max}\big) $$

       or soft bounds (`bounds="soft"`, multiplicative STDP: potentiation
       slows down near $w_\text{max}$, depression near $w_\text{min}$)

       $$ W_t = \operatorname{clip}\big(W_{t-1}
          + a_+ (w_\text{max} - W_{t-1}) P - a_- (W_{t-1} - w_\text{min}) D,\
          w_\text{min},\ w_\text{max}\big). $$

       With soft bounds the clip is inactive whenever
       $a_+ P_{ij} + a_- D_{ij} \le 1$ (then the update is a convex
       combination that stays in the interval); it only catches larger steps.

    With `Decay(exp(-dt/tau))` (what `from_tau(..., trace="exact")` builds)
    the traces decay exactly as the continuous ones between spikes, so the
    pair window above holds exactly at $\delta = k\,\Delta t$. A pre and a
    post spike in the same step give $a_+ - a_-$ (both terms count). With
    `EulerDecay`, a spike raises a trace by $\Delta t/\tau$, not 1 (pysnn's
    `"exponential"` traces with `alpha_t=1`). Batch elements share one
    weight matrix: their changes are averaged, so the learning rate does not
    depend on the batch size.

    Args:
        a_plus: potentiation rate $a_+ \ge 0$ (weight units per unit trace);
            scalar or broadcastable to the weight `(n_post, n_pre)`.
        a_minus: depression rate $a_- \ge 0$; as `a_plus`.
        pre_decay: decay strategy $\mathcal{D}_+$ of the presynaptic trace
            (default `Decay(exp(-1/20))`, $\tau_+ = 20$ steps); its parameter
            may be scalar or per presynaptic neuron.
        post_decay: decay strategy $\mathcal{D}_-$ of the postsynaptic trace
            (default `Decay(exp(-1/20))`); scalar or per postsynaptic neuron.
        w_min: lower weight bound, finite; scalar or broadcastable to the
            weight.
        w_max: upper weight bound, finite, above `w_min`.
        bounds: `"hard"` (additive update, then clip) or `"soft"`
            (multiplicative, see above).
        dt: time step $\Delta t > 0$ (used by `EulerDecay`).

    Raises:
        ValueError: a rate below 0, a non-finite bound, `w_min >= w_max`,
            `dt <= 0` or an unknown `bounds`.
        TypeError: a decay that is not a decay strategy.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> rule = snn.plasticity.STDP.from_tau(
        ...     a_plus=0.1, a_minus=0.1, tau_plus=10.0, tau_minus=10.0)
        >>> weight = jnp.full((1, 1), 0.5)
        >>> state = rule.init_state(1, 1)
        >>> pre = jnp.array([[1.0], [0.0], [0.0]])   # pre spike at step 0
        >>> post = jnp.array([[0.0], [0.0], [1.0]])  # post spike at step 2
        >>> for x, y in zip(pre, post):
        ...     weight, state = rule.update(weight, x, y, state)
        >>> round(float(weight[0, 0]), 4)  # 0.5 + 0.1 * exp(-2 / 10)
        0.5819

    References:
        Bi & Poo, *Synaptic modifications in cultured hippocampal neurons*,
        J. Neurosci. 18 (1998), doi:10.1523/JNEUROSCI.18-24-10464.1998.
        Song, Miller & Abbott, *Competitive Hebbian learning through
        spike-timing-dependent synaptic plasticity*, Nat. Neurosci. 3 (2000),
        doi:10.1038/78829.
        Morrison, Diesmann & Gerstner, *Phenomenological models of synaptic
        plasticity based on spike timing*, Biol. Cybern. 98 (2008),
        doi:10.1007/s00422-008-0233-1.
    """

    a_plus: Float[Array, "*#weight"]
    a_minus: Float[Array, "*#weight"]
    pre_decay: AbstractDecay
    post_decay: AbstractDecay
    w_min: Float[Array, "*#weight"]
    w_max: Float[Array, "*#weight"]
    dt: Float[Array, ""]
    bounds: Bounds = eqx.field(static=True)

    def __init__(
        self,
        a_plus: ParamLike = 0.01,
        a_minus: ParamLike = 0.01,
        *,
        pre_decay: AbstractDecay = Decay.from_tau(20.0),
        post_decay: AbstractDecay = Decay.from_tau(20.0),
        w_min: ParamLike = 0.0,
        w_max: ParamLike = 1.0,
        bounds: str = "hard",
        dt: ScalarLike = 1.0,
    ):
        _checks.check_option("bounds", bounds, _BOUNDS)
        self.bounds = cast(Bounds, bounds)
        self.a_plus = _nonnegative("a_plus", a_plus)
        self.a_minus = _nonnegative("a_minus", a_minus)
        self.pre_decay = _check_decay("pre_decay", pre_decay)
        self.post_decay = _check_decay("post_decay", post_decay)
        w_min_arr = _checks.check_finite("w_min", _checks.as_param("w_min", w_min))
        self.w_max = _checks.check_finite("w_max", _checks.as_param("w_max", w_max))
        self.w_min = _checks.check_less("w_min", w_min_arr, "w_max", self.w_max)
        self.dt = _checks.check_range(
            "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
        )
        if self.dt.ndim != 0:
            raise TypeError(f"`dt` must be a scalar; got shape {self.dt.shape}.")

    @classmethod
    def from_tau(
        cls,
        a_plus: ParamLike = 0.01,
        a_minus: ParamLike = 0.01,
        *,
        tau_plus: ParamLike = 20.0,
        tau_minus: ParamLike = 20.0,
        trace: str = "exact",
        w_min: ParamLike = 0.0,
        w_max: ParamLike = 1.0,
        bounds: str = "hard",
        dt: ScalarLike = 1.0,
    ) -> "STDP":
        r"""An STDP rule from the trace time constants $\tau_+$, $\tau_-$.

        Args:
            a_plus: potentiation rate $a_+ \ge 0$.
            a_minus: depression rate $a_- \ge 0$.
            tau_plus: presynaptic trace time constant $\tau_+ > 0$ (unit of
                `dt`); scalar or per presynaptic neuron.
            tau_minus: postsynaptic trace time constant $\tau_- > 0$.
            trace: `"exact"`: `Decay(exp(-dt/tau))`, the exact decay between
                spikes, a jump of 1 per spike (pysnn `update_type="linear"`
                with `tau_t = exp(-dt/tau)`); `"euler"`: `EulerDecay(tau)`, a
                forward-Euler step (pysnn `update_type="exponential"`).
            w_min: lower weight bound.
            w_max: upper weight bound, above `w_min`.
            bounds: `"hard"` or `"soft"`.
            dt: time step $\Delta t > 0$.
        """
        _checks.check_option("trace", trace, _TRACES)
        if trace == "exact":
            pre: AbstractDecay = Decay.from_tau(tau_plus, dt=dt)
            post: AbstractDecay = Decay.from_tau(tau_minus, dt=dt)
        else:
            pre, post = EulerDecay(tau_plus), EulerDecay(tau_minus)
        return cls(
            a_plus,
            a_minus,
            pre_decay=pre,
            post_decay=post,
            w_min=w_min,
            w_max=w_max,
            bounds=bounds,
            dt=dt,
        )

    def init_state(
        self,
        n_pre: int,
        n_post: int,
        *,
        batch_shape: tuple[int, ...] = (),
        dtype: jnp.dtype | type = jnp.float32,
    ) -> STDPState:
        """Zero traces of shapes `(*batch_shape, n_pre)` and `(*batch_shape, n_post)`.

        Args:
            n_pre: number of presynaptic neurons (the weight's second axis).
            n_post: number of postsynaptic neurons (the weight's first axis).
            batch_shape: leading batch axes of the spikes, if any.
            dtype: floating dtype of the traces (the weight's dtype).
        """
        _checks.check_positive_int("n_pre", n_pre)
        _checks.check_positive_int("n_post", n_post)
        return STDPState(
            pre_trace=jnp.zeros((*batch_shape, n_pre), dtype),
            post_trace=jnp.zeros((*batch_shape, n_post), dtype),
        )

    def update(
        self,
        weight: Array,
        pre_spikes: Array,
        post_spikes: Array,
        state: STDPState,
    ) -> tuple[Float[Array, "n_post n_pre"], STDPState]:
        """One plasticity step; returns `(new_weight, new_state)`.

        Args:
            weight: weight matrix `(n_post, n_pre)` before this step.
            pre_spikes: presynaptic spikes of this step, `(*batch, n_pre)`,
                in the weight's dtype.
            post_spikes: postsynaptic spikes of this step, `(*batch, n_post)`.
            state: traces after the previous step.

        Raises:
            ValueError: shapes that do not match the weight or each other.
            TypeError: spikes or traces of another dtype than the weight.
        """
        return stdp_step(
            weight,
            pre_spikes,
            post_spikes,
            state,
            a_plus=self.a_plus,
            a_minus=self.a_minus,
            pre_decay=self.pre_decay,
            post_decay=self.post_decay,
            w_min=self.w_min,
            w_max=self.w_max,
            bounds=self.bounds,
            dt=self.dt,
        )
