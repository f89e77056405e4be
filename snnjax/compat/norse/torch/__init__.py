r"""Constructors named and argued like norse's `norse.torch`, returning snnjax models.

Replace `import norse.torch as norse` by
`import snnjax.compat.norse.torch as norse` and `norse.LIF(p=LIFParameters(...),
dt=0.001)` builds a native [`snnjax.CubaLIF`][snnjax.CubaLIF] that reproduces
norse 1.1.0 step for step: current jump, Euler integration with
$\Delta t\,\tau^{-1}$, strict `>` spike test on the integrated membrane, reset.
Run it with `spikes, state = snnjax.run(model, xs, model.init_state(xs.shape[1:]))`;
`snnjax.run(..., record=True)` returns what norse's `record_states=True`
stacks. Each constructor takes norse's `p=<Model>Parameters(...)` **or** the
same fields as flat keywords (`LIF(tau_mem_inv=50.0, v_th=0.5, dt=0.001)`), not
both. `dt` and the rates share norse's units (seconds and 1/s by default).

Differences, by design:

* Parameters become per-step decays $1 - \Delta t\,\tau^{-1}$, which must lie
  in $[0, 1]$: `dt * tau_inv > 1` (an overshooting Euler step that norse runs
  silently) raises `ValueError`, as do non-positive rates and `dt`.
* A reset to `v_reset` needs `v_reset < v_th`.
* norse's parameters are plain tensors that no optimiser sees (only the random
  default weights of recurrent layers are `nn.Parameter`s); here every
  parameter is frozen except those named in `learn` (norse names, e.g.
  `learn={"tau_mem_inv", "v_th"}`, an snnjax extension).
* `sparse` and `record_states` are accepted and change nothing; `adjoint=True`
  and the surrogate methods other than `"super"`, `"triangle"` and `"tanh"`
  raise `NotImplementedError`.
* torch draws the default recurrent weights at random: pass them as arrays
  (`input_weights=`, `recurrent_weights=`) or a `key` to draw them as norse
  does.

norse's single-step cells are the same constructors, since an snnjax model is
called one step at a time and integrated with `snnjax.run`: `LIFCell` is
`LIF`, `LICell` is `LI`, `LIFRecurrentCell` is `LIFRecurrent`, `LIFAdExCell`
is `LIFAdEx`, `LSNNCell` is `LSNN` and `IzhikevichCell` is `Izhikevich`.
"""

from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple, TypeVar

import jax
import numpy as np
from jaxtyping import ArrayLike, Float, PRNGKeyArray

from .... import _checks
from ...._custom_types import ParamLike, ScalarLike
from ....neurons.adex import AdEx
from ....neurons.cuba import CubaLIF, CubaLIFRecurrent
from ....neurons.izhikevich import PRESETS, Izhikevich as _Izhikevich
from ....neurons.li import LI as _LI
from ....neurons.lif import LIF as _LIF
from ....neurons.lsnn import LSNN as _LSNN
from ....neurons.refractory import CubaLIFRefrac
from ..._common import unsupported
from . import functional as functional
from .functional import (
    HeaviTanh as HeaviTanh,
    IzhikevichParameters as IzhikevichParameters,
    LIFAdExParameters as LIFAdExParameters,
    LIFBoxParameters as LIFBoxParameters,
    LIFParameters as LIFParameters,
    LIFRefracParameters as LIFRefracParameters,
    LIParameters as LIParameters,
    LSNNParameters as LSNNParameters,
    decay_from_rate as _decay,
    lif_current_encoder as lif_current_encoder,
    reset_subtract as reset_subtract,
    reset_value as reset_value,
    threshold_surrogate as _surrogate,
)

__all__ = [
    "LI",
    "LIF",
    "LSNN",
    "HeaviTanh",
    "Izhikevich",
    "IzhikevichCell",
    "IzhikevichParameters",
    "IzhikevichSpikingBehavior",
    "IzhikevichState",
    "LICell",
    "LIFAdEx",
    "LIFAdExCell",
    "LIFAdExParameters",
    "LIFBoxCell",
    "LIFBoxParameters",
    "LIFCell",
    "LIFParameters",
    "LIFRecurrent",
    "LIFRecurrentCell",
    "LIFRefracCell",
    "LIFRefracParameters",
    "LIParameters",
    "LSNNCell",
    "LSNNParameters",
    "accomodation",
    "bistability",
    "class_1_exc",
    "class_2_exc",
    "create_izhikevich_spiking_behavior",
    "dap",
    "functional",
    "inhibition_induced_bursting",
    "inhibition_induced_spiking",
    "integrator",
    "lif_current_encoder",
    "mixed_mode",
    "phasic_bursting",
    "phasic_spiking",
    "rebound_burst",
    "rebound_spike",
    "reset_subtract",
    "reset_value",
    "resonator",
    "spike_frequency_adaptation",
    "spike_latency",
    "subthreshold_oscillation",
    "threshold_variability",
    "tonic_bursting",
    "tonic_spiking",
]

# norse parameter name -> snnjax field name, per model
_LIF_NAMES = {
    "tau_syn_inv": "alpha",
    "tau_mem_inv": "beta",
    "v_leak": "v_leak",
    "v_th": "threshold",
    "v_reset": "v_reset",
}
_BOX_NAMES = {
    "tau_mem_inv": "beta",
    "v_leak": "v_leak",
    "v_th": "threshold",
    "v_reset": "v_reset",
}
_LI_NAMES = {"tau_syn_inv": "alpha", "tau_mem_inv": "beta", "v_leak": "v_leak"}
_RECURRENT_NAMES = {
    **_LIF_NAMES,
    "input_weights": "input_weights",
    "recurrent_weights": "recurrent_weights",
}
_ADEX_NAMES = {
    **_LIF_NAMES,
    "adaptation_current": "adaptation_coupling",
    "adaptation_spike": "adaptation_jump",
    "delta_T": "delta_T",
    "tau_ada_inv": "rho",
}
_LSNN_NAMES = {**_LIF_NAMES, "tau_adapt_inv": "rho", "beta": "adaptation_jump"}
_REFRAC_NAMES = {**_LIF_NAMES, "rho_reset": "refractory_steps"}
_IZHIKEVICH_NAMES = {
    "a": "a",
    "b": "b",
    "c": "c",
    "d": "d",
    "sq": "quadratic",
    "mn": "linear",
    "bias": "constant",
    "v_th": "threshold",
    "tau_inv": "dt",
}


_P = TypeVar("_P", bound=tuple)


def _resolve(cls: type[_P], p: _P | None, keywords: Mapping[str, object]) -> _P:
    """`p`, or `cls(**keywords)` from the keywords that were given; not both."""
    given = {k: v for k, v in keywords.items() if v is not None}
    if p is not None:
        if given:
            raise ValueError(
                f"pass the parameters either as `p={cls.__name__}(...)` or as "
                f"keywords, not both; got `p` and {sorted(given)}."
            )
        if not isinstance(p, cls):
            raise TypeError(f"`p` must be a `{cls.__name__}`; got {type(p).__name__}.")
        _check_finite_fields(p)
        return p
    resolved = cls(**given)
    _check_finite_fields(resolved)
    return resolved


def _check_finite_fields(p: tuple) -> None:
    """NaN/inf in a norse parameter tuple, reported under norse's field name.

    The snnjax models check their own arguments too, but under snnjax names
    (`v_th` is `threshold` there); this names the field the user wrote.
    """
    fields = type(p)._fields  # pyright: ignore[reportAttributeAccessIssue]  (a NamedTuple)
    for name, value in zip(fields, p, strict=True):
        if isinstance(value, LIFParameters):  # nested in LIFRefracParameters
            _check_finite_fields(value)
        elif isinstance(value, bool):
            continue  # left to the model's own check (a TypeError)
        elif isinstance(value, float | int | np.ndarray | np.number | jax.Array):
            _checks.check_finite(name, _checks.as_param(name, value))


def _learn(learn: Collection[str], names: Mapping[str, str]) -> frozenset[str]:
    """Map a set of norse parameter names to the snnjax fields to train."""
    if isinstance(learn, str):
        raise TypeError(
            f"`learn` must be a collection of norse parameter names, e.g. "
            f"{{{learn!r}}}; got the string {learn!r}."
        )
    unknown = sorted(set(learn) - set(names))
    if unknown:
        raise ValueError(
            f"`learn` names unknown parameters {unknown}; this model can learn "
            f"{sorted(names)}."
        )
    return frozenset(names[n] for n in learn)


def _check_adjoint(adjoint: bool) -> None:
    if adjoint:
        raise unsupported(
            "norse",
            "adjoint",
            adjoint,
            "the adjoint gradient is not reproduced; use jax.grad (BPTT)",
        )


def LIF(
    p: LIFParameters | None = None,
    sparse: bool = False,
    adjoint: bool = False,
    *,
    dt: ScalarLike = 0.001,
    record_states: bool = False,
    tau_syn_inv: ParamLike | None = None,
    tau_mem_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    v_th: ParamLike | None = None,
    v_reset: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    learn: Collection[str] = frozenset(),
) -> CubaLIF:
    r"""norse `LIF` (and `LIFCell`) as an [`snnjax.CubaLIF`][snnjax.CubaLIF].

    With $c_\text{mem} = \Delta t\,\tau_\text{mem}^{-1}$,
    $c_\text{syn} = \Delta t\,\tau_\text{syn}^{-1}$: $j = i + x$,
    $h = v + c_\text{mem} ((v_\text{leak} - v) + j)$, $i' = j - c_\text{syn} j$,
    $z = [h > v_\text{th}]$, $v' = (1 - z) h + z\, v_\text{reset}$ (not
    detached). In snnjax terms `CubaLIF(alpha=1 - c_syn, beta=1 - c_mem,
    threshold=v_th, v_leak=v_leak, v_reset=v_reset)`.

    Args:
        p: `LIFParameters`, or `None` to use the keywords below.
        sparse: accepted, no effect.
        adjoint: must be `False`.
        dt: time step (unit of 1/`tau_*_inv`).
        record_states: accepted, no effect (use `snnjax.run(..., record=True)`).
        tau_syn_inv: inverse synaptic time constant (instead of `p`).
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential and initial membrane.
        v_th: threshold.
        v_reset: reset potential.
        method: surrogate method.
        alpha: surrogate hyperparameter.
        learn: norse names of the parameters to train.

    Returns:
        An `snnjax.CubaLIF` starting at $v = v_\text{leak}$, $i = 0$, as norse.
    """
    p = _resolve(
        LIFParameters,
        p,
        {
            "tau_syn_inv": tau_syn_inv,
            "tau_mem_inv": tau_mem_inv,
            "v_leak": v_leak,
            "v_th": v_th,
            "v_reset": v_reset,
            "method": method,
            "alpha": alpha,
        },
    )
    _check_adjoint(adjoint)
    del sparse, record_states
    return CubaLIF(
        _decay("tau_syn_inv", p.tau_syn_inv, dt),
        _decay("tau_mem_inv", p.tau_mem_inv, dt),
        p.v_th,
        v_leak=p.v_leak,
        v_reset=p.v_reset,
        reset="zero",
        detach_reset=False,
        spike_test=">",
        surrogate=_surrogate(p.method, p.alpha),
        learn=_learn(learn, _LIF_NAMES),
    )


def _box_reset(reset_method: Callable | str) -> str:
    if reset_method is reset_value or reset_method == "reset_value":
        return "zero"
    if reset_method is reset_subtract or reset_method == "reset_subtract":
        return "subtract"
    if isinstance(reset_method, str):
        raise ValueError(
            "`reset_method` must be `reset_value` or `reset_subtract`; "
            f"got {reset_method!r}."
        )
    raise unsupported(
        "norse", "reset_method", reset_method, "only reset_value and reset_subtract"
    )


def LIFBoxCell(
    p: LIFBoxParameters | None = None,
    *,
    dt: ScalarLike = 0.001,
    tau_mem_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    v_th: ParamLike | None = None,
    v_reset: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    reset_method: Callable | str | None = None,
    learn: Collection[str] = frozenset(),
) -> _LIF:
    r"""norse `LIFBoxCell` (LIF without current) as an [`snnjax.LIF`][snnjax.LIF].

    $h = v + \Delta t\,\tau_\text{mem}^{-1} ((x + v_\text{leak}) - v)$,
    $z = [h > v_\text{th}]$, then `reset_value`:
    $v' = (1 - z) h + z\, v_\text{reset}$ or `reset_subtract`:
    $v' = h - z\, v_\text{th}$ (not detached). In snnjax terms
    `LIF(beta=1 - dt * tau_mem_inv, threshold=v_th, v_leak=v_leak,
    v_reset=v_reset, decay_input=True, reset="zero" | "subtract")`.

    Args:
        p: `LIFBoxParameters`, or `None` to use the keywords below.
        dt: time step.
        tau_mem_inv: inverse membrane time constant (instead of `p`).
        v_leak: leak potential and initial membrane.
        v_th: threshold.
        v_reset: reset potential (`reset_value`).
        method: surrogate method.
        alpha: surrogate hyperparameter.
        reset_method: `reset_value` (default) or `reset_subtract`, the functions
            of `snnjax.compat.norse.torch` or their names.
        learn: norse names of the parameters to train.

    Returns:
        An `snnjax.LIF` starting at $v = v_\text{leak}$.
    """
    p = _resolve(
        LIFBoxParameters,
        p,
        {
            "tau_mem_inv": tau_mem_inv,
            "v_leak": v_leak,
            "v_th": v_th,
            "v_reset": v_reset,
            "method": method,
            "alpha": alpha,
            "reset_method": reset_method,
        },
    )
    return _LIF(
        _decay("tau_mem_inv", p.tau_mem_inv, dt),
        p.v_th,
        reset=_box_reset(p.reset_method),
        v_reset=p.v_reset,
        v_leak=p.v_leak,
        reset_timing="immediate",
        detach_reset=False,
        spike_test=">",
        decay_input=True,
        surrogate=_surrogate(p.method, p.alpha),
        learn=_learn(learn, _BOX_NAMES),
    )


def LI(
    p: LIParameters | None = None,
    *,
    dt: ScalarLike = 0.001,
    record_states: bool = False,
    tau_syn_inv: ParamLike | None = None,
    tau_mem_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    learn: Collection[str] = frozenset(),
) -> _LI:
    r"""norse `LI` (and `LICell`), the leaky integrator, as an [`snnjax.LI`][snnjax.LI].

    $j = i + x$, $v' = v + \Delta t\,\tau_\text{mem}^{-1} ((v_\text{leak} - v) + j)$,
    $i' = j - \Delta t\,\tau_\text{syn}^{-1} j$; the output is $v'$. In snnjax
    terms `LI(beta=1 - dt * tau_mem_inv, alpha=1 - dt * tau_syn_inv,
    v_leak=v_leak, decay_input=True)`.

    Args:
        p: `LIParameters`, or `None` to use the keywords below.
        dt: time step.
        record_states: accepted, no effect.
        tau_syn_inv: inverse synaptic time constant (instead of `p`).
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential and initial membrane.
        learn: norse names of the parameters to train.

    Returns:
        An `snnjax.LI` starting at $v = v_\text{leak}$, $i = 0$.
    """
    p = _resolve(
        LIParameters,
        p,
        {"tau_syn_inv": tau_syn_inv, "tau_mem_inv": tau_mem_inv, "v_leak": v_leak},
    )
    del record_states
    return _LI(
        _decay("tau_mem_inv", p.tau_mem_inv, dt),
        alpha=_decay("tau_syn_inv", p.tau_syn_inv, dt),
        v_leak=p.v_leak,
        decay_input=True,
        learn=_learn(learn, _LI_NAMES),
    )


def LIFRecurrent(
    input_size: int,
    hidden_size: int,
    sparse: bool = False,
    adjoint: bool = False,
    p: LIFParameters | None = None,
    *,
    input_weights: Float[ArrayLike, "hidden input"] | None = None,
    recurrent_weights: Float[ArrayLike, "hidden hidden"] | None = None,
    autapses: bool = False,
    dt: ScalarLike = 0.001,
    record_states: bool = False,
    tau_syn_inv: ParamLike | None = None,
    tau_mem_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    v_th: ParamLike | None = None,
    v_reset: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    key: PRNGKeyArray | None = None,
    learn: Collection[str] = frozenset({"input_weights", "recurrent_weights"}),
) -> CubaLIFRecurrent:
    r"""norse `LIFRecurrent` (and `LIFRecurrentCell`) as [`snnjax.CubaLIFRecurrent`][snnjax.CubaLIFRecurrent].

    $j = (i + x W_\text{in}^\top) + z W_\text{rec}^\top$, then the `LIF` update
    with the reset spike detached (norse's `lif_step`); the diagonal of
    $W_\text{rec}$ is zeroed (and gets no gradient) unless `autapses=True`.
    torch draws the default weights at random, $\mathcal{N}(0, 2/n)$: pass
    them as arrays or a `key` to draw them the same way.

    Args:
        input_size: number of input features `n_in`.
        hidden_size: number of neurons `n`.
        sparse: accepted, no effect.
        adjoint: must be `False`.
        p: `LIFParameters`, or `None` to use the keywords below.
        input_weights: `(hidden_size, input_size)` weights.
        recurrent_weights: `(hidden_size, hidden_size)` weights.
        autapses: keep self-connections.
        dt: time step.
        record_states: accepted, no effect.
        tau_syn_inv: inverse synaptic time constant (instead of `p`).
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential and initial membrane.
        v_th: threshold.
        v_reset: reset potential.
        method: surrogate method.
        alpha: surrogate hyperparameter.
        key: draws the weights that are not given.
        learn: norse names of the parameters to train (default the weights, the
            `nn.Parameter`s of norse's default layer).

    Returns:
        An `snnjax.CubaLIFRecurrent`; `init_state(x.shape[1:])` gives norse's
        default state ($v = v_\text{leak}$, $i = z = 0$).
    """  # noqa: E501
    p = _resolve(
        LIFParameters,
        p,
        {
            "tau_syn_inv": tau_syn_inv,
            "tau_mem_inv": tau_mem_inv,
            "v_leak": v_leak,
            "v_th": v_th,
            "v_reset": v_reset,
            "method": method,
            "alpha": alpha,
        },
    )
    _check_adjoint(adjoint)
    del sparse, record_states
    for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"`{name}` must be a positive int; got {size!r}.")
    if input_weights is None or recurrent_weights is None:
        if key is None:
            raise ValueError(
                "LIFRecurrent needs its weights: pass `input_weights=` and "
                "`recurrent_weights=` arrays, or a `key=` to draw the missing ones "
                "as norse does."
            )
        drawn = CubaLIFRecurrent.random(input_size, hidden_size, key=key)
        if input_weights is None:
            input_weights = drawn.input_weights
        if recurrent_weights is None:
            recurrent_weights = drawn.recurrent_weights
    w_in = _checks.as_param("input_weights", input_weights)
    if w_in.shape != (hidden_size, input_size):
        raise ValueError(
            f"`input_weights` must have shape (hidden_size, input_size) = "
            f"({hidden_size}, {input_size}); got {w_in.shape}."
        )
    return CubaLIFRecurrent(
        w_in,
        recurrent_weights,
        _decay("tau_syn_inv", p.tau_syn_inv, dt),
        _decay("tau_mem_inv", p.tau_mem_inv, dt),
        p.v_th,
        v_leak=p.v_leak,
        v_reset=p.v_reset,
        autapses=autapses,
        reset="zero",
        detach_reset=True,
        spike_test=">",
        surrogate=_surrogate(p.method, p.alpha),
        learn=_learn(learn, _RECURRENT_NAMES),
    )


def LIFAdEx(
    p: LIFAdExParameters | None = None,
    *,
    dt: ScalarLike = 0.001,
    record_states: bool = False,
    adaptation_current: ParamLike | None = None,
    adaptation_spike: ParamLike | None = None,
    delta_T: ParamLike | None = None,
    tau_ada_inv: ParamLike | None = None,
    tau_syn_inv: ParamLike | None = None,
    tau_mem_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    v_th: ParamLike | None = None,
    v_reset: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    learn: Collection[str] = frozenset(),
) -> AdEx:
    r"""norse `LIFAdEx` (and `LIFAdExCell`) as an [`snnjax.AdEx`][snnjax.AdEx].

    $j = i + x$, $h = v + c_\text{mem} ((v_\text{leak} - v)
    + \Delta_T e^{(v - v_\text{th})/\Delta_T} + j - a)$, $i' = j - c_\text{syn} j$,
    $a' = a + c_\text{ada} (a_\text{current} (v - v_\text{leak}) - a)$,
    $z = [h > v_\text{th}]$, $v' = (1 - z) h + z\, v_\text{reset}$,
    $a' \leftarrow a' + z\, a_\text{spike}$, with $c = \Delta t\,\tau^{-1}$. In
    snnjax terms `AdEx(alpha=1 - c_syn, beta=1 - c_mem, rho=1 - c_ada,
    threshold=v_th, delta_T=delta_T, adaptation_coupling=adaptation_current,
    adaptation_jump=adaptation_spike, ...)`; the adaptation state `a` is `w`.

    Args:
        p: `LIFAdExParameters`, or `None` to use the keywords below.
        dt: time step.
        record_states: accepted, no effect.
        adaptation_current: subthreshold adaptation coupling (instead of `p`).
        adaptation_spike: spike-triggered adaptation.
        delta_T: slope factor of the exponential.
        tau_ada_inv: inverse adaptation time constant.
        tau_syn_inv: inverse synaptic time constant.
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential and initial membrane.
        v_th: threshold and rheobase.
        v_reset: reset potential.
        method: surrogate method.
        alpha: surrogate hyperparameter.
        learn: norse names of the parameters to train.

    Returns:
        An `snnjax.AdEx` starting at $v = v_\text{leak}$, $i = w = 0$.
    """
    p = _resolve(
        LIFAdExParameters,
        p,
        {
            "adaptation_current": adaptation_current,
            "adaptation_spike": adaptation_spike,
            "delta_T": delta_T,
            "tau_ada_inv": tau_ada_inv,
            "tau_syn_inv": tau_syn_inv,
            "tau_mem_inv": tau_mem_inv,
            "v_leak": v_leak,
            "v_th": v_th,
            "v_reset": v_reset,
            "method": method,
            "alpha": alpha,
        },
    )
    del record_states
    return AdEx(
        _decay("tau_syn_inv", p.tau_syn_inv, dt),
        _decay("tau_mem_inv", p.tau_mem_inv, dt),
        _decay("tau_ada_inv", p.tau_ada_inv, dt),
        p.v_th,
        delta_T=p.delta_T,
        adaptation_coupling=p.adaptation_current,
        adaptation_jump=p.adaptation_spike,
        v_leak=p.v_leak,
        v_reset=p.v_reset,
        reset="zero",
        detach_reset=False,
        spike_test=">",
        surrogate=_surrogate(p.method, p.alpha),
        learn=_learn(learn, _ADEX_NAMES),
    )


def LSNN(
    p: LSNNParameters | None = None,
    adjoint: bool = False,
    *,
    dt: ScalarLike = 0.001,
    record_states: bool = False,
    tau_syn_inv: ParamLike | None = None,
    tau_mem_inv: ParamLike | None = None,
    tau_adapt_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    v_th: ParamLike | None = None,
    v_reset: ParamLike | None = None,
    beta: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    learn: Collection[str] = frozenset(),
) -> _LSNN:
    r"""norse `LSNN` (and `LSNNCell`), feed-forward, as an [`snnjax.LSNN`][snnjax.LSNN].

    $h = v + c_\text{mem} ((v_\text{leak} - v) + i)$, $i' = i - c_\text{syn} i$,
    $b' = b + c_\text{adapt} (v_\text{th} - b)$, $z = [h > b']$,
    $v' = (1 - z) h + z\, v_\text{reset}$, $b' \leftarrow b' + z \beta$,
    $i' \leftarrow i' + x$ (the input reaches $v$ one step later), with
    $c = \Delta t\,\tau^{-1}$; nothing detached. In snnjax terms
    `LSNN(alpha=1 - c_syn, beta=1 - c_mem, rho=1 - c_adapt, threshold=v_th,
    adaptation_jump=beta, ...)`.

    Args:
        p: `LSNNParameters`, or `None` to use the keywords below.
        adjoint: must be `False`.
        dt: time step.
        record_states: accepted, no effect.
        tau_syn_inv: inverse synaptic time constant (instead of `p`).
        tau_mem_inv: inverse membrane time constant.
        tau_adapt_inv: inverse threshold-adaptation time constant.
        v_leak: leak potential and initial membrane.
        v_th: baseline threshold and initial `b`.
        v_reset: reset potential.
        beta: threshold increment per spike (snnjax's `adaptation_jump`).
        method: surrogate method.
        alpha: surrogate hyperparameter.
        learn: norse names of the parameters to train.

    Returns:
        An `snnjax.LSNN` starting at $v = v_\text{leak}$, $i = 0$,
        $b = v_\text{th}$, as norse.
    """
    p = _resolve(
        LSNNParameters,
        p,
        {
            "tau_syn_inv": tau_syn_inv,
            "tau_mem_inv": tau_mem_inv,
            "tau_adapt_inv": tau_adapt_inv,
            "v_leak": v_leak,
            "v_th": v_th,
            "v_reset": v_reset,
            "beta": beta,
            "method": method,
            "alpha": alpha,
        },
    )
    _check_adjoint(adjoint)
    del record_states
    return _LSNN(
        _decay("tau_syn_inv", p.tau_syn_inv, dt),
        _decay("tau_mem_inv", p.tau_mem_inv, dt),
        _decay("tau_adapt_inv", p.tau_adapt_inv, dt),
        p.v_th,
        adaptation_jump=p.beta,
        v_leak=p.v_leak,
        v_reset=p.v_reset,
        reset="zero",
        detach_reset=False,
        spike_test=">",
        surrogate=_surrogate(p.method, p.alpha),
        learn=_learn(learn, _LSNN_NAMES),
    )


def LIFRefracCell(
    p: LIFRefracParameters | None = None,
    *,
    dt: ScalarLike = 0.001,
    tau_syn_inv: ParamLike | None = None,
    tau_mem_inv: ParamLike | None = None,
    v_leak: ParamLike | None = None,
    v_th: ParamLike | None = None,
    v_reset: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    rho_reset: ParamLike | None = None,
    learn: Collection[str] = frozenset(),
) -> CubaLIFRefrac:
    r"""norse `LIFRefracCell` as an [`snnjax.CubaLIFRefrac`][snnjax.CubaLIFRefrac].

    The `LIF` step, then with $m = [\rho > 0]$ (norse's threshold of the
    counter, with its surrogate): $v' = (1 - m) v_\text{LIF} + m v$,
    $z = (1 - m) z_\text{LIF}$,
    $\rho' = (1 - z) \max(0, \rho - m) + z\, \rho_\text{reset}$.
    The flat keywords are the `LIFParameters` fields plus `rho_reset`.

    Args:
        p: `LIFRefracParameters`, or `None` to use the keywords below.
        dt: time step.
        tau_syn_inv: inverse synaptic time constant (instead of `p`).
        tau_mem_inv: inverse membrane time constant.
        v_leak: leak potential and initial membrane.
        v_th: threshold.
        v_reset: reset potential.
        method: surrogate method.
        alpha: surrogate hyperparameter.
        rho_reset: refractory period in steps.
        learn: norse names of the parameters to train.

    Returns:
        An `snnjax.CubaLIFRefrac` starting at $v = v_\text{leak}$, $i = 0$ and a
        zero counter (`refrac` is norse's `rho`).
    """
    lif_keywords = {
        "tau_syn_inv": tau_syn_inv,
        "tau_mem_inv": tau_mem_inv,
        "v_leak": v_leak,
        "v_th": v_th,
        "v_reset": v_reset,
        "method": method,
        "alpha": alpha,
    }
    if p is None:
        lif = _resolve(LIFParameters, None, lif_keywords)
        p = _resolve(LIFRefracParameters, None, {"lif": lif, "rho_reset": rho_reset})
    else:
        p = _resolve(LIFRefracParameters, p, {**lif_keywords, "rho_reset": rho_reset})
    lp = p.lif
    return CubaLIFRefrac(
        _decay("tau_syn_inv", lp.tau_syn_inv, dt),
        _decay("tau_mem_inv", lp.tau_mem_inv, dt),
        lp.v_th,
        refractory_steps=p.rho_reset,
        v_leak=lp.v_leak,
        v_reset=lp.v_reset,
        reset="zero",
        detach_reset=False,
        spike_test=">",
        surrogate=_surrogate(lp.method, lp.alpha),
        learn=_learn(learn, _REFRAC_NAMES),
    )


# ------------------------------------------------------------------ Izhikevich


class IzhikevichState(NamedTuple):
    """norse `IzhikevichState` as the initial state of a spiking behaviour.

    Attributes:
        v: membrane potential.
        u: recovery variable.
    """

    v: ParamLike
    u: ParamLike


class IzhikevichSpikingBehavior(NamedTuple):
    """norse `IzhikevichSpikingBehavior`: parameters plus initial state.

    Attributes:
        p: the `IzhikevichParameters`.
        s: the initial `IzhikevichState`.
    """

    p: IzhikevichParameters
    s: IzhikevichState


def create_izhikevich_spiking_behavior(
    a: ParamLike,
    b: ParamLike,
    c: ParamLike,
    d: ParamLike,
    v_rest: ParamLike,
    u_rest: ParamLike,
    tau_inv: ParamLike = 250,
) -> IzhikevichSpikingBehavior:
    """norse `create_izhikevich_spiking_behavior`: a custom behaviour.

    As in norse, the initial recovery is `u_rest * b`.

    Args:
        a: recovery rate.
        b: recovery sensitivity.
        c: after-spike membrane reset.
        d: after-spike recovery increment.
        v_rest: initial membrane.
        u_rest: initial recovery divided by `b`.
        tau_inv: time scale (Euler step `tau_inv * dt`).
    """
    params = IzhikevichParameters(a=a, b=b, c=c, d=d, tau_inv=tau_inv)
    return IzhikevichSpikingBehavior(p=params, s=IzhikevichState(v_rest, u_rest * b))


def _behaviour(name: str) -> IzhikevichSpikingBehavior:
    preset = PRESETS[name]
    extra = {}
    if preset.linear is not None:
        extra["mn"] = preset.linear
    if preset.constant is not None:
        extra["bias"] = preset.constant
    params = IzhikevichParameters(
        a=preset.a,
        b=preset.b,
        c=preset.c,
        d=preset.d,
        tau_inv=preset.dt * 1000.0,  # the presets' Euler step is tau_inv * 0.001
        **extra,
    )
    return IzhikevichSpikingBehavior(
        params, IzhikevichState(preset.v_rest, preset.u_rest)
    )


tonic_spiking = _behaviour("tonic_spiking")
phasic_spiking = _behaviour("phasic_spiking")
tonic_bursting = _behaviour("tonic_bursting")
phasic_bursting = _behaviour("phasic_bursting")
mixed_mode = _behaviour("mixed_mode")
spike_frequency_adaptation = _behaviour("spike_frequency_adaptation")
class_1_exc = _behaviour("class_1_exc")
class_2_exc = _behaviour("class_2_exc")
spike_latency = _behaviour("spike_latency")
subthreshold_oscillation = _behaviour("subthreshold_oscillation")
resonator = _behaviour("resonator")
integrator = _behaviour("integrator")
rebound_spike = _behaviour("rebound_spike")
rebound_burst = _behaviour("rebound_burst")
threshold_variability = _behaviour("threshold_variability")
bistability = _behaviour("bistability")
dap = _behaviour("dap")
accomodation = _behaviour("accomodation")
inhibition_induced_spiking = _behaviour("inhibition_induced_spiking")
inhibition_induced_bursting = _behaviour("inhibition_induced_bursting")


def Izhikevich(
    spiking_method: IzhikevichSpikingBehavior | None = None,
    *,
    p: IzhikevichParameters | None = None,
    v_rest: ParamLike | None = None,
    dt: ScalarLike = 0.001,
    record_states: bool = False,
    a: ParamLike | None = None,
    b: ParamLike | None = None,
    c: ParamLike | None = None,
    d: ParamLike | None = None,
    sq: ParamLike | None = None,
    mn: ParamLike | None = None,
    bias: ParamLike | None = None,
    v_th: ParamLike | None = None,
    tau_inv: ParamLike | None = None,
    method: str | None = None,
    alpha: ParamLike | None = None,
    learn: Collection[str] = frozenset(),
) -> _Izhikevich:
    r"""norse `Izhikevich` (and `IzhikevichCell`) as an [`snnjax.Izhikevich`][snnjax.Izhikevich].

    With the Euler step $h = \tau^{-1} \Delta t$ (`tau_inv * dt`):
    $v' = v + h (sq\, v^2 + mn\, v + bias - u + x)$,
    $u' = u + h\, a (b v - u)$, $z = [v' > v_\text{th}]$,
    $v' \leftarrow (1 - z) v' + z c$, $u' \leftarrow u' + z d$ (not detached).
    Give norse's spiking behaviour (`tonic_spiking`, ... from this module, or
    `create_izhikevich_spiking_behavior`), or `p=IzhikevichParameters(...)` or
    the flat keywords together with `v_rest` (the initial $u$ is then
    $b\, v_\text{rest}$, as norse's behaviours).

    Args:
        spiking_method: an `IzhikevichSpikingBehavior`: parameters and initial
            state.
        p: `IzhikevichParameters` (instead of `spiking_method`).
        v_rest: initial membrane, with `p` or the keywords.
        dt: time step.
        record_states: accepted, no effect.
        a: recovery rate (instead of `p`).
        b: recovery sensitivity.
        c: after-spike membrane reset.
        d: after-spike recovery increment.
        sq: coefficient of $v^2$.
        mn: coefficient of $v$.
        bias: constant drive.
        v_th: threshold.
        tau_inv: time scale.
        method: surrogate method.
        alpha: surrogate hyperparameter.
        learn: norse names of the parameters to train (`tau_inv` trains the
            Euler step `dt` of the native model).

    Returns:
        An `snnjax.Izhikevich` whose `init_state` is the behaviour's state.
    """  # noqa: E501
    keywords = {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "sq": sq,
        "mn": mn,
        "bias": bias,
        "v_th": v_th,
        "tau_inv": tau_inv,
        "method": method,
        "alpha": alpha,
    }
    if spiking_method is not None:
        if not isinstance(spiking_method, IzhikevichSpikingBehavior):
            raise TypeError(
                "`spiking_method` must be an `IzhikevichSpikingBehavior`, e.g. "
                f"`tonic_spiking`; got {type(spiking_method).__name__}."
            )
        extra = sorted(
            k
            for k, v in {**keywords, "p": p, "v_rest": v_rest}.items()
            if v is not None
        )
        if extra:
            raise ValueError(
                "pass either `spiking_method` or the parameters (`p=` or keywords "
                f"with `v_rest=`), not both; got `spiking_method` and {extra}."
            )
        params, v0, u0 = spiking_method.p, spiking_method.s.v, spiking_method.s.u
        _check_finite_fields(params)
    else:
        missing = [k for k in ("a", "b", "c", "d") if keywords[k] is None]
        if p is None and missing:
            raise ValueError(
                f"norse's Izhikevich needs `spiking_method=` (e.g. `tonic_spiking`), "
                f"`p=IzhikevichParameters(...)` or the keywords a, b, c, d; "
                f"missing {missing}."
            )
        params = _resolve(IzhikevichParameters, p, keywords)
        if v_rest is None:
            raise ValueError(
                "`v_rest` (the initial membrane) is required with `p=` or the "
                "keywords; a spiking behaviour carries it instead."
            )
        v0 = v_rest
        u0 = _checks.as_param("b", params.b) * _checks.as_param("v_rest", v_rest)
    del record_states
    _checks.check_range(
        "tau_inv",
        _checks.as_param("tau_inv", params.tau_inv),
        lower=0.0,
        lower_open=True,
    )
    _checks.check_range("dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True)
    return _Izhikevich(
        params.a,
        params.b,
        params.c,
        params.d,
        quadratic=params.sq,
        linear=params.mn,
        constant=params.bias,
        threshold=params.v_th,
        dt=params.tau_inv * dt,  # a Python product when both are numbers, as norse
        v_rest=v0,
        u_rest=u0,
        surrogate=_surrogate(params.method, params.alpha),
        learn=_learn(learn, _IZHIKEVICH_NAMES),
    )


# norse's cells: the same models, called one step at a time
LIFCell = LIF
LICell = LI
LIFRecurrentCell = LIFRecurrent
LIFAdExCell = LIFAdEx
LSNNCell = LSNN
IzhikevichCell = Izhikevich
