"""Constructors named and argued like snntorch's neurons, returning snnjax models.

`snnjax.compat.snntorch.Leaky(beta=0.9)` builds a native [`snnjax.LIF`][snnjax.LIF]
that reproduces `snntorch.Leaky(beta=0.9)` step for step: strict `>` spike
test, reset delayed by one step (`reset_delay=True`), states starting at zero.
Call it as `spikes, state = snnjax.run(neuron, xs, neuron.init_state(...))`;
the state field `v` is snntorch's `mem` and `i` is `syn`.

Differences that remain, by design:

* snntorch clamps `beta`/`alpha` to [0, 1] in every forward pass; snnjax
  rejects values outside [0, 1] when the model is built and does not clamp.
* `init_hidden=True` raises `NotImplementedError` (state is explicit);
  `state_quant` takes a JAX function (snntorch's quantizers are torch code).
* snntorch 1.0 `Synaptic.forward(x, syn, mem)` copies `mem` into `syn` when
  both are passed (a seed bug); snnjax uses the state it is given.
"""

from collections.abc import Callable
from typing import Literal

import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ... import surrogate as _surrogate
from ..._custom_types import ParamLike
from ...neurons._base import AbstractNeuron
from ...neurons.alpha import Alpha as _Alpha
from ...neurons.lif import LIF
from ...neurons.recurrent import RecurrentLIF, RecurrentSynaptic
from ...neurons.synaptic import Synaptic as _Synaptic
from ...neurons.wrappers import GradedSpikes, WinnerTakeAll
from .._common import learn_set, unsupported
from . import surrogate as surrogate

__all__ = ["Alpha", "Leaky", "RLeaky", "RSynaptic", "Synaptic", "surrogate"]

_RESETS = ("subtract", "zero", "none")


def _reject_unsupported(*, inhibition: bool, state_quant: object) -> None:
    if inhibition:
        raise unsupported("snntorch", "inhibition", inhibition, "planned here")
    if state_quant is not False:
        raise unsupported("snntorch", "state_quant", state_quant, "planned here")


def _is_one(value: object) -> bool:
    # a concrete scalar 1.0 (the seed default) needs no wrapper
    return isinstance(value, int | float) and value == 1


def _check_common(
    *,
    spike_grad: object,
    init_hidden: bool,
    inhibition: bool,
    state_quant: object,
    reset_mechanism: str,
) -> _surrogate.AbstractSurrogate:
    if init_hidden:
        raise unsupported(
            "snntorch",
            "init_hidden",
            init_hidden,
            "state is explicit in snnjax: pass it to the model or to snnjax.run",
        )
    if not isinstance(inhibition, bool):
        raise TypeError(f"`inhibition` must be a bool; got {inhibition!r}.")
    if state_quant is not False and not callable(state_quant):
        raise TypeError(
            f"`state_quant` must be False or a function; got {state_quant!r}."
        )
    if reset_mechanism not in _RESETS:
        raise ValueError(
            "`reset_mechanism` must be one of 'subtract', 'zero', 'none'; "
            f"got {reset_mechanism!r}."
        )
    if spike_grad is None:
        return _surrogate.ATan(2.0)
    if not isinstance(spike_grad, _surrogate.AbstractSurrogate):
        raise TypeError(
            "`spike_grad` must be an snnjax surrogate, e.g. "
            "`snnjax.compat.snntorch.surrogate.atan(alpha=2.0)`; "
            f"got {spike_grad!r}."
        )
    return spike_grad


def Leaky(
    beta: ParamLike,
    threshold: ParamLike = 1.0,
    spike_grad: _surrogate.AbstractSurrogate | None = None,
    surrogate_disable: bool = False,
    init_hidden: bool = False,
    inhibition: bool = False,
    learn_beta: bool = False,
    learn_threshold: bool = False,
    reset_mechanism: str = "subtract",
    state_quant: Literal[False] | Callable[[Array], Array] = False,
    output: bool = False,
    graded_spikes_factor: ParamLike = 1.0,
    learn_graded_spikes_factor: bool = False,
    reset_delay: bool = True,
) -> LIF | WinnerTakeAll | GradedSpikes:
    r"""snntorch `Leaky` as an [`snnjax.LIF`][snnjax.LIF].

    With $r_t = \text{sg}(H(v_{t-1} - \vartheta))$ and $H(u) = [u > 0]$:
    `"subtract"`: $v_t = \beta v_{t-1} + x_t - r_t\vartheta$;
    `"zero"`: $v_t = \beta (1 - r_t) v_{t-1} + x_t$;
    `"none"`: $v_t = \beta v_{t-1} + x_t$; then $s_t = H(v_t - \vartheta)$.
    `reset_delay=False` maps to `reset_timing="delayed+immediate"`.

    Args:
        beta: membrane decay in [0, 1], scalar or per neuron.
        threshold: firing threshold.
        spike_grad: a surrogate from `snnjax.compat.snntorch.surrogate` or
            `snnjax.surrogate`; `None` gives `atan(alpha=2.0)`.
        surrogate_disable: accepted; the forward pass is the same.
        init_hidden: must be `False` (state is explicit in snnjax).
        inhibition: only the neuron with the highest membrane along axis 1
            may spike: wraps the model in `snnjax.WinnerTakeAll(axis=1)`
            (with `reset_delay=True` only).
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        reset_mechanism: `"subtract"`, `"zero"` or `"none"`.
        state_quant: `False` or a JAX function applied to the membrane before
            the spike test (`LIF(state_quant=...)`); snntorch's own quantizers
            are torch functions and must be rewritten in JAX.
        output: accepted, no effect (states are always returned).
        graded_spikes_factor: spike amplitude; other than 1 wraps the model in
            `snnjax.GradedSpikes`.
        learn_graded_spikes_factor: train the spike amplitude.
        reset_delay: snntorch's reset timing (see above).

    Returns:
        An `snnjax.LIF` whose `init_state` is zero, like snntorch's (wrapped
        as described for `inhibition` and `graded_spikes_factor`).
    """
    surrogate_fn = _check_common(
        spike_grad=spike_grad,
        init_hidden=init_hidden,
        inhibition=inhibition,
        state_quant=state_quant,
        reset_mechanism=reset_mechanism,
    )
    del surrogate_disable, output  # no effect on the math
    if inhibition and not reset_delay:
        raise unsupported(
            "snntorch", "reset_delay", reset_delay, "not verified with inhibition"
        )
    model: AbstractNeuron = LIF(
        beta,
        threshold,
        reset=reset_mechanism,
        reset_timing="delayed" if reset_delay else "delayed+immediate",
        spike_test=">",
        surrogate=surrogate_fn,
        learn=learn_set({"beta": learn_beta, "threshold": learn_threshold}),
        state_quant=None if state_quant is False else state_quant,
    )
    if inhibition:
        model = WinnerTakeAll(model, axis=1)
    if learn_graded_spikes_factor or not _is_one(graded_spikes_factor):
        model = GradedSpikes(
            model,
            graded_spikes_factor,
            learn=learn_set({"factor": learn_graded_spikes_factor}),
        )
    return model


def Synaptic(
    alpha: ParamLike,
    beta: ParamLike,
    threshold: ParamLike = 1.0,
    spike_grad: _surrogate.AbstractSurrogate | None = None,
    surrogate_disable: bool = False,
    init_hidden: bool = False,
    inhibition: bool = False,
    learn_alpha: bool = False,
    learn_beta: bool = False,
    learn_threshold: bool = False,
    reset_mechanism: str = "subtract",
    state_quant: Literal[False] | Callable[[Array], Array] = False,
    output: bool = False,
    reset_delay: bool = True,
) -> _Synaptic | WinnerTakeAll:
    r"""snntorch `Synaptic` as an [`snnjax.Synaptic`][snnjax.Synaptic].

    $i_t = \alpha i_{t-1} + x_t$, $h_t = \beta v_{t-1} + i_t$, and with
    $r_t = \text{sg}(H(v_{t-1} - \vartheta))$: `"subtract"`:
    $v_t = h_t - r_t \vartheta$; `"zero"`: $v_t = h_t - r_t h_t$ (the whole new
    membrane); `"none"`: $v_t = h_t$; $s_t = H(v_t - \vartheta)$.

    snntorch 1.0's `Synaptic` computes its `reset_delay=False` correction on a
    local variable and returns the uncorrected membrane, so `reset_delay` has no
    effect there; this constructor reproduces that (both values give
    `reset_timing="delayed"`).

    Args:
        alpha: synaptic decay in [0, 1].
        beta: membrane decay in [0, 1].
        threshold: firing threshold.
        spike_grad: surrogate; `None` gives `atan(alpha=2.0)`.
        surrogate_disable: accepted; the forward pass is the same.
        init_hidden: must be `False`.
        inhibition: wrap in `snnjax.WinnerTakeAll(axis=1)` (see `Leaky`).
        learn_alpha: train `alpha`.
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        reset_mechanism: `"subtract"`, `"zero"` or `"none"`.
        state_quant: `False` or a JAX function applied to the current and the
            membrane before the spike test.
        output: accepted, no effect.
        reset_delay: accepted, no effect (see above).

    Returns:
        An `snnjax.Synaptic` with zero initial state (`i` is snntorch's `syn`,
        `v` its `mem`).
    """
    surrogate_fn = _check_common(
        spike_grad=spike_grad,
        init_hidden=init_hidden,
        inhibition=inhibition,
        state_quant=state_quant,
        reset_mechanism=reset_mechanism,
    )
    del surrogate_disable, output, reset_delay  # no effect in snntorch 1.0
    model = _Synaptic(
        alpha,
        beta,
        threshold,
        reset=reset_mechanism,
        reset_timing="delayed",
        spike_test=">",
        surrogate=surrogate_fn,
        learn=learn_set(
            {"alpha": learn_alpha, "beta": learn_beta, "threshold": learn_threshold}
        ),
        state_quant=None if state_quant is False else state_quant,
    )
    return WinnerTakeAll(model, axis=1) if inhibition else model


def Alpha(
    alpha: ParamLike,
    beta: ParamLike,
    threshold: ParamLike = 1.0,
    spike_grad: _surrogate.AbstractSurrogate | None = None,
    surrogate_disable: bool = False,
    init_hidden: bool = False,
    inhibition: bool = False,
    learn_alpha: bool = False,
    learn_beta: bool = False,
    learn_threshold: bool = False,
    reset_mechanism: str = "zero",
    state_quant: Literal[False] | Callable[[Array], Array] = False,
    output: bool = False,
) -> _Alpha:
    r"""snntorch `Alpha` as an [`snnjax.Alpha`][snnjax.Alpha].

    $\tau_\alpha = \ln\alpha / (\ln\beta - \ln\alpha) + 1$;
    $e_t = \alpha i^\text{exc}_{t-1} + x_t$, $n_t = \beta i^\text{inh}_{t-1} - x_t$,
    $v_t = \tau_\alpha (e_t + n_t)$, with snntorch's delayed resets (see
    `snnjax.Alpha`). The states `i_exc`, `i_inh`, `v` are snntorch's
    `syn_exc`, `syn_inh`, `mem`. snntorch 1.0 cannot build `Alpha` with
    `learn_alpha=True` (a seed bug); here it trains `alpha`.

    Args:
        alpha: excitatory decay in (0, 1).
        beta: inhibitory decay in (0, 1), different from `alpha`.
        threshold: firing threshold.
        spike_grad: surrogate; `None` gives `atan(alpha=2.0)`.
        surrogate_disable: accepted; the forward pass is the same.
        init_hidden: must be `False`.
        inhibition: must be `False` (not supported for `Alpha` yet).
        learn_alpha: train `alpha`.
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        reset_mechanism: `"zero"` (default), `"subtract"` or `"none"`.
        state_quant: must be `False`.
        output: accepted, no effect.

    Returns:
        An `snnjax.Alpha` with zero initial state.
    """
    surrogate_fn = _check_common(
        spike_grad=spike_grad,
        init_hidden=init_hidden,
        inhibition=inhibition,
        state_quant=state_quant,
        reset_mechanism=reset_mechanism,
    )
    del surrogate_disable, output
    _reject_unsupported(inhibition=inhibition, state_quant=state_quant)
    return _Alpha(
        alpha,
        beta,
        threshold,
        reset=reset_mechanism,
        spike_test=">",
        surrogate=surrogate_fn,
        learn=learn_set(
            {"alpha": learn_alpha, "beta": learn_beta, "threshold": learn_threshold}
        ),
    )


def RLeaky(
    beta: ParamLike,
    V: ParamLike = 1.0,
    all_to_all: bool = True,
    linear_features: int | None = None,
    conv2d_channels: int | None = None,
    kernel_size: int | None = None,
    threshold: ParamLike = 1.0,
    spike_grad: _surrogate.AbstractSurrogate | None = None,
    surrogate_disable: bool = False,
    init_hidden: bool = False,
    inhibition: bool = False,
    learn_beta: bool = False,
    learn_threshold: bool = False,
    learn_recurrent: bool = True,
    reset_mechanism: str = "subtract",
    state_quant: Literal[False] | Callable[[Array], Array] = False,
    output: bool = False,
    reset_delay: bool = True,
    *,
    recurrent_weight: Float[Array, "n n"] | None = None,
    recurrent_bias: Float[Array, " n"] | None = None,
    key: PRNGKeyArray | None = None,
) -> RecurrentLIF:
    r"""snntorch `RLeaky` as an [`snnjax.RecurrentLIF`][snnjax.RecurrentLIF].

    $v_t = \beta v_{t-1} + x_t + c_t - r_t \vartheta$ ("subtract") or
    $h_t - r_t h_t$ ("zero", the whole new membrane), with the feedback
    $c_t = z_{t-1} W^\top + b$ (`all_to_all=True`, an `nn.Linear(n, n)`) or
    $V z_{t-1}$ (one-to-one), $r_t = \text{sg}(H(v_{t-1} - \vartheta))$ and
    $s_t = H(v_t - \vartheta)$ with `>`. torch initialises the `nn.Linear`
    randomly; here pass its values as `recurrent_weight`/`recurrent_bias`
    (snnjax's extension: arrays, e.g. exported from a trained snntorch model)
    or a `key` to draw them as torch does.

    Args:
        beta: membrane decay in [0, 1].
        V: one-to-one feedback weight (scalar or `(n,)`), with `all_to_all=False`.
        all_to_all: dense feedback through `nn.Linear(n, n)`.
        linear_features: `n`, the number of neurons.
        conv2d_channels: convolutional feedback: not supported yet.
        kernel_size: convolutional feedback: not supported yet.
        threshold: firing threshold.
        spike_grad: surrogate; `None` gives `atan(alpha=2.0)`.
        surrogate_disable: accepted; the forward pass is the same.
        init_hidden: must be `False`.
        inhibition: must be `False`.
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        learn_recurrent: train the feedback weights (default, as in snntorch).
        reset_mechanism: `"subtract"`, `"zero"` or `"none"`.
        state_quant: must be `False`.
        output: accepted, no effect.
        reset_delay: must be `True` (`False` is not verified against snntorch).
        recurrent_weight: `(n, n)` feedback matrix (all-to-all).
        recurrent_bias: `(n,)` feedback bias (all-to-all).
        key: draws the all-to-all weights when they are not given.

    Returns:
        An `snnjax.RecurrentLIF` with `reset_timing="delayed"` and zero state.
    """
    surrogate_fn = _check_common(
        spike_grad=spike_grad,
        init_hidden=init_hidden,
        inhibition=inhibition,
        state_quant=state_quant,
        reset_mechanism=reset_mechanism,
    )
    del surrogate_disable, output
    _reject_unsupported(inhibition=inhibition, state_quant=state_quant)
    _reject_recurrent_options(
        conv2d_channels=conv2d_channels,
        kernel_size=kernel_size,
        reset_delay=reset_delay,
    )
    learn = learn_set({"beta": learn_beta, "threshold": learn_threshold})
    weight, bias, learn_w = _recurrent_weights(
        V=V,
        all_to_all=all_to_all,
        linear_features=linear_features,
        learn_recurrent=learn_recurrent,
        recurrent_weight=recurrent_weight,
        recurrent_bias=recurrent_bias,
        key=key,
    )
    return RecurrentLIF(
        beta,
        threshold,
        reset=reset_mechanism,
        reset_timing="delayed",
        spike_test=">",
        surrogate=surrogate_fn,
        learn=learn | learn_w,
        weight=weight,
        bias=bias,
    )


def _reject_recurrent_options(
    *, conv2d_channels: int | None, kernel_size: int | None, reset_delay: bool
) -> None:
    """Options of RLeaky/RSynaptic that snnjax does not reproduce (yet)."""
    if conv2d_channels is not None or kernel_size is not None:
        raise unsupported("snntorch", "conv2d_channels", conv2d_channels, "planned")
    if not reset_delay:
        raise unsupported(
            "snntorch", "reset_delay", reset_delay, "not verified against snntorch"
        )


def _recurrent_weights(
    *,
    V: ParamLike,
    all_to_all: bool,
    linear_features: int | None,
    learn_recurrent: bool,
    recurrent_weight: Float[Array, "n n"] | None,
    recurrent_bias: Float[Array, " n"] | None,
    key: PRNGKeyArray | None,
) -> tuple[Array, Array | None, frozenset[str]]:
    """The feedback `weight`, `bias` of RLeaky/RSynaptic and their learn names."""
    if not all_to_all:
        if linear_features is None:
            raise ValueError("`linear_features` (the number of neurons) is required.")
        weight = jnp.broadcast_to(jnp.asarray(V), (linear_features,))
        return weight, None, frozenset({"weight"} if learn_recurrent else ())
    learn = frozenset({"weight", "bias"} if learn_recurrent else ())
    if recurrent_weight is None:
        if key is None or linear_features is None:
            raise ValueError(
                "all-to-all feedback needs its recurrent weights: pass "
                "`recurrent_weight=` (and `recurrent_bias=`) arrays, or "
                "`linear_features=` and a `key=` to draw them as torch does."
            )
        drawn = RecurrentLIF.random(linear_features, key=key)
        return drawn.weight, drawn.bias, learn
    if linear_features is not None and recurrent_weight.shape != (
        linear_features,
        linear_features,
    ):
        raise ValueError(
            f"`recurrent_weight` must have shape ({linear_features}, "
            f"{linear_features}) for `linear_features={linear_features}`; "
            f"got {recurrent_weight.shape}."
        )
    return jnp.asarray(recurrent_weight), recurrent_bias, learn


def RSynaptic(
    alpha: ParamLike,
    beta: ParamLike,
    V: ParamLike = 1.0,
    all_to_all: bool = True,
    linear_features: int | None = None,
    conv2d_channels: int | None = None,
    kernel_size: int | None = None,
    threshold: ParamLike = 1.0,
    spike_grad: _surrogate.AbstractSurrogate | None = None,
    surrogate_disable: bool = False,
    init_hidden: bool = False,
    inhibition: bool = False,
    learn_alpha: bool = False,
    learn_beta: bool = False,
    learn_threshold: bool = False,
    learn_recurrent: bool = True,
    reset_mechanism: str = "subtract",
    state_quant: Literal[False] | Callable[[Array], Array] = False,
    output: bool = False,
    reset_delay: bool = True,
    *,
    recurrent_weight: Float[Array, "n n"] | None = None,
    recurrent_bias: Float[Array, " n"] | None = None,
    key: PRNGKeyArray | None = None,
) -> RecurrentSynaptic:
    r"""snntorch `RSynaptic` as an [`RecurrentSynaptic`][snnjax.RecurrentSynaptic].

    $i_t = \alpha i_{t-1} + x_t + c_t$ with the feedback $c_t$ of the previous
    spikes (see `RLeaky`), $v_t = \beta v_{t-1} + i_t - r_t\vartheta$
    ("subtract") or $h_t - r_t h_t$ ("zero"), $s_t = H(v_t - \vartheta)$.
    No reference recording backs this constructor yet: its equations follow
    snntorch's documented `RSynaptic` update and share `RLeaky`'s tested code.

    Args:
        alpha: synaptic decay in [0, 1].
        beta: membrane decay in [0, 1].
        V: one-to-one feedback weight, with `all_to_all=False`.
        all_to_all: dense feedback through `nn.Linear(n, n)`.
        linear_features: `n`, the number of neurons.
        conv2d_channels: convolutional feedback: not supported yet.
        kernel_size: convolutional feedback: not supported yet.
        threshold: firing threshold.
        spike_grad: surrogate; `None` gives `atan(alpha=2.0)`.
        surrogate_disable: accepted; the forward pass is the same.
        init_hidden: must be `False`.
        inhibition: must be `False`.
        learn_alpha: train `alpha`.
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        learn_recurrent: train the feedback weights (default).
        reset_mechanism: `"subtract"`, `"zero"` or `"none"`.
        state_quant: must be `False`.
        output: accepted, no effect.
        reset_delay: must be `True`.
        recurrent_weight: `(n, n)` feedback matrix (all-to-all).
        recurrent_bias: `(n,)` feedback bias (all-to-all).
        key: draws the all-to-all weights when they are not given.

    Returns:
        An `snnjax.RecurrentSynaptic` with `reset_timing="delayed"`.
    """
    surrogate_fn = _check_common(
        spike_grad=spike_grad,
        init_hidden=init_hidden,
        inhibition=inhibition,
        state_quant=state_quant,
        reset_mechanism=reset_mechanism,
    )
    del surrogate_disable, output
    _reject_unsupported(inhibition=inhibition, state_quant=state_quant)
    _reject_recurrent_options(
        conv2d_channels=conv2d_channels,
        kernel_size=kernel_size,
        reset_delay=reset_delay,
    )
    weight, bias, learn_w = _recurrent_weights(
        V=V,
        all_to_all=all_to_all,
        linear_features=linear_features,
        learn_recurrent=learn_recurrent,
        recurrent_weight=recurrent_weight,
        recurrent_bias=recurrent_bias,
        key=key,
    )
    learn = learn_set(
        {"alpha": learn_alpha, "beta": learn_beta, "threshold": learn_threshold}
    )
    return RecurrentSynaptic(
        alpha,
        beta,
        threshold,
        reset=reset_mechanism,
        reset_timing="delayed",
        spike_test=">",
        surrogate=surrogate_fn,
        learn=learn | learn_w,
        weight=weight,
        bias=bias,
    )
