"""Constructors named and argued like snntorch's neurons, returning snnjax models.

`snnjax.compat.snntorch.Leaky(beta=0.9)` builds a native [`snnjax.LIF`][snnjax.LIF]
that reproduces `snntorch.Leaky(beta=0.9)` step for step: strict `>` spike
test, reset delayed by one step (`reset_delay=True`), states starting at zero.
Call it as `spikes, state = snnjax.run(neuron, xs, neuron.init_state(...))`;
the state field `v` is snntorch's `mem` and `i` is `syn`.

Differences that remain, by design:

* snntorch clamps `beta`/`alpha` to [0, 1] in every forward pass; snnjax
  rejects values outside [0, 1] when the model is built and does not clamp.
* `init_hidden`, `inhibition`, `state_quant` and graded spikes are not
  supported yet and raise `NotImplementedError`.
* snntorch 1.0 `Synaptic.forward(x, syn, mem)` copies `mem` into `syn` when
  both are passed (a seed bug); snnjax uses the state it is given.
"""

from collections.abc import Callable

from ... import surrogate as _surrogate
from ..._custom_types import ParamLike
from ...neurons.lif import LIF
from ...neurons.synaptic import Synaptic as _Synaptic
from .._common import learn_set, unsupported
from . import surrogate as surrogate

__all__ = ["Leaky", "Synaptic", "surrogate"]

_RESETS = ("subtract", "zero", "none")


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
    if inhibition:
        raise unsupported("snntorch", "inhibition", inhibition, "planned")
    if state_quant is not False:
        raise unsupported("snntorch", "state_quant", state_quant, "planned")
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
    state_quant: bool | Callable = False,
    output: bool = False,
    graded_spikes_factor: float = 1.0,
    learn_graded_spikes_factor: bool = False,
    reset_delay: bool = True,
) -> LIF:
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
        inhibition: must be `False` (not supported yet).
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        reset_mechanism: `"subtract"`, `"zero"` or `"none"`.
        state_quant: must be `False` (not supported yet).
        output: accepted, no effect (states are always returned).
        graded_spikes_factor: must be 1.0 (not supported yet).
        learn_graded_spikes_factor: must be `False`.
        reset_delay: snntorch's reset timing (see above).

    Returns:
        An `snnjax.LIF` whose `init_state` is zero, like snntorch's.
    """
    surrogate_fn = _check_common(
        spike_grad=spike_grad,
        init_hidden=init_hidden,
        inhibition=inhibition,
        state_quant=state_quant,
        reset_mechanism=reset_mechanism,
    )
    del surrogate_disable, output  # no effect on the math
    if graded_spikes_factor != 1.0 or learn_graded_spikes_factor:
        raise unsupported(
            "snntorch", "graded_spikes_factor", graded_spikes_factor, "planned"
        )
    return LIF(
        beta,
        threshold,
        reset=reset_mechanism,
        reset_timing="delayed" if reset_delay else "delayed+immediate",
        spike_test=">",
        surrogate=surrogate_fn,
        learn=learn_set({"beta": learn_beta, "threshold": learn_threshold}),
    )


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
    state_quant: bool | Callable = False,
    output: bool = False,
    reset_delay: bool = True,
) -> _Synaptic:
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
        inhibition: must be `False`.
        learn_alpha: train `alpha`.
        learn_beta: train `beta`.
        learn_threshold: train `threshold`.
        reset_mechanism: `"subtract"`, `"zero"` or `"none"`.
        state_quant: must be `False`.
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
    return _Synaptic(
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
    )
