"""Validation audit: every bad argument raises a clear error naming itself.

One test case per check. The generic sweeps (non-finite parameters, decays
outside [0, 1], unknown options, bad time constants) are generated from the
constructor signatures of the models registered in `tests/helpers.py`, so a
newly registered model is audited too; the model-specific and compat checks
follow, one test each. Concrete values raise `ValueError`/`TypeError` at
construction; traced values (a constructor under `vmap`/`jit`) raise through
`eqx.error_if` at run time.
"""

import inspect
import math
from typing import Any

import equinox as eqx
import jax.numpy as jnp
import pytest

import snnjax
import snnjax.surrogate as sg
from snnjax.compat import snntorch as st
from snnjax.compat.norse import torch as nt
from snnjax.compat.norse.torch import functional as nf
from snnjax.compat.sinabs import activation as sa, layers as sl
from snnjax.compat.spikingjelly.activation_based import (
    neuron as sjn,
    surrogate as sjs,
)
from tests.helpers import ALL_NEURONS


def _inner(model):
    return getattr(model, "neuron", model)


def _one_factory_per_class():
    """`{class name: factory}` over ALL_NEURONS, the first registration wins."""
    out = {}
    for factory in ALL_NEURONS.values():
        out.setdefault(type(_inner(factory())).__name__, factory)
    return out


FACTORIES = _one_factory_per_class()


def _numeric_params(cls):
    """Constructor arguments typed as numeric parameters (ParamLike/ScalarLike)."""
    names = []
    for name, p in inspect.signature(cls.__init__).parameters.items():
        ann = str(p.annotation)
        if name == "self" or p.annotation in (str, bool):
            continue
        if "float" in ann or "Float" in ann:
            names.append(name)
    return names


def _cls(name):
    return type(_inner(FACTORIES[name]()))


NUMERIC = [(m, p) for m in FACTORIES for p in _numeric_params(_cls(m))]
# per-step decays: a probability-like factor in [0, 1] (Alpha: open interval)
DECAY_NAMES = {"alpha", "beta", "rho"}
DECAYS = [(m, p) for m, p in NUMERIC if p in DECAY_NAMES]
OPTIONS = [
    (m, p)
    for m in FACTORIES
    for p, q in inspect.signature(_cls(m).__init__).parameters.items()
    if q.annotation is str
]
FROM_TAU = [
    (m, p)
    for m in FACTORIES
    if hasattr(_cls(m), "from_tau")
    for p in inspect.signature(_cls(m).from_tau).parameters
    if p.startswith("tau") or p == "dt"
]


def _from_tau_args(cls, **override):
    args = {}
    for name in inspect.signature(cls.from_tau).parameters:
        if name.startswith("tau") or name == "dt":
            args[name] = 4.0 if name != "dt" else 1.0
    return {**args, **override}


# -------------------------------------------------- generic: every model class


def test_the_audit_covers_every_registered_model_class():
    # one factory per class; the sweeps below are not empty
    assert len(FACTORIES) >= 25
    assert len(NUMERIC) >= 100
    assert len(OPTIONS) >= 40


@pytest.mark.parametrize(("model", "param"), NUMERIC)
@pytest.mark.parametrize("bad", [math.nan, math.inf], ids=["nan", "inf"])
def test_non_finite_parameter_is_rejected(model, param, bad):
    with pytest.raises(ValueError, match=rf"`{param}` must be finite"):
        FACTORIES[model](**{param: bad})


@pytest.mark.parametrize(("model", "param"), DECAYS)
@pytest.mark.parametrize("bad", [-0.1, 1.1])
def test_decay_outside_unit_interval_is_rejected(model, param, bad):
    with pytest.raises(ValueError, match=rf"`{param}` must be finite and in [\[(]0, 1"):
        FACTORIES[model](**{param: bad})


@pytest.mark.parametrize(("model", "param"), OPTIONS)
def test_unknown_option_is_rejected(model, param):
    with pytest.raises(ValueError, match=rf"`{param}` must be one of .*'bogus'"):
        FACTORIES[model](**{param: "bogus"})


@pytest.mark.parametrize(("model", "param"), FROM_TAU)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan])
def test_from_tau_rejects_non_positive_time(model, param, bad):
    cls = _cls(model)
    with pytest.raises(ValueError, match=rf"`{param}` must be finite and in \(0"):
        cls.from_tau(**_from_tau_args(cls, **{param: bad}))


@pytest.mark.parametrize("model", sorted(FACTORIES))
def test_learn_names_unknown_parameter(model):
    with pytest.raises(ValueError, match=r"`learn` names unknown parameters"):
        FACTORIES[model](learn={"no_such_parameter"})


@pytest.mark.parametrize("model", sorted(FACTORIES))
def test_learn_given_as_string(model):
    with pytest.raises(TypeError, match=r"`learn` must be a collection"):
        FACTORIES[model](learn="threshold")


@pytest.mark.parametrize("model", sorted(FACTORIES))
def test_boolean_parameter_is_rejected(model):
    param = "threshold" if "threshold" in _numeric_params(_cls(model)) else "beta"
    with pytest.raises(TypeError, match=rf"`{param}` must be a number"):
        FACTORIES[model](**{param: True})


# the zero reset sends the membrane to `v_reset`; at or above the threshold the
# neuron would fire on every step, so these models require v_reset < threshold
ZERO_RESET_BELOW_THRESHOLD = [
    m
    for m in FACTORIES
    if {"v_reset", "threshold"} <= set(_numeric_params(_cls(m)))
    and "reset" in inspect.signature(_cls(m).__init__).parameters
    and m
    not in {
        # sinabs' MembraneReset adds v_reset at every step (a bias, not a
        # reset target) and ALIF's threshold adapts: no fixed bound applies
        "MultiSpikeLIF",
        "MultiSpikeLIFRecurrent",
        "ALIF",
        "ALIFRecurrent",
    }
]


@pytest.mark.parametrize("model", ZERO_RESET_BELOW_THRESHOLD)
@pytest.mark.parametrize("v_reset", [1.0, 2.0], ids=["equal", "above"])
def test_zero_reset_at_or_above_threshold_is_rejected(model, v_reset):
    with pytest.raises(ValueError, match=r"`v_reset` must be below `threshold`"):
        FACTORIES[model](reset="zero", v_reset=v_reset, threshold=1.0)


def test_zero_reset_audit_includes_the_recurrent_models():
    # RecurrentLIF / RecurrentSynaptic gained the check in this audit
    assert {"RecurrentLIF", "RecurrentSynaptic", "LIF", "Synaptic"} <= set(
        ZERO_RESET_BELOW_THRESHOLD
    )


# ------------------------------------------------------------- traced values


def test_traced_decay_out_of_range_raises_at_run_time():
    make = eqx.filter_jit(eqx.filter_vmap(lambda b: snnjax.LIF(beta=b)))
    make(jnp.array([0.5, 0.9]))  # in range: fine
    with pytest.raises(RuntimeError, match=r"`beta` must be finite and in \[0, 1\]"):
        make(jnp.array([0.5, 1.5]))


def test_traced_surrogate_slope_raises_at_run_time():
    make = eqx.filter_jit(lambda k: sg.Sigmoid(slope=k))
    with pytest.raises(RuntimeError, match=r"`slope` must be finite and in \(0"):
        make(jnp.asarray(-1.0))


def test_traced_zero_reset_above_threshold_raises_at_run_time():
    make = eqx.filter_jit(
        lambda v: snnjax.RecurrentLIF(weight=jnp.ones(3), reset="zero", v_reset=v)
    )
    with pytest.raises(RuntimeError, match=r"`v_reset` must be below `threshold`"):
        make(jnp.asarray(1.5))


# ------------------------------------------------------------------ wrappers


def test_decay_factor_outside_unit_interval():
    with pytest.raises(ValueError, match=r"`factor` must be finite and in \[0, 1\]"):
        snnjax.Decay(1.5)


def test_euler_decay_non_positive_tau():
    with pytest.raises(ValueError, match=r"`tau` must be finite and in \(0"):
        snnjax.EulerDecay(0.0)


def test_decay_from_tau_non_positive_dt():
    with pytest.raises(ValueError, match=r"`dt` must be finite and in \(0"):
        snnjax.Decay.from_tau(5.0, dt=-1.0)


def test_graded_spikes_non_finite_factor():
    with pytest.raises(ValueError, match=r"`factor` must be finite"):
        snnjax.GradedSpikes(snnjax.LIF(), factor=math.nan)


def test_winner_take_all_axis_type():
    with pytest.raises(TypeError, match=r"axis"):
        snnjax.WinnerTakeAll(snnjax.LIF(), axis=1.0)  # pyright: ignore[reportArgumentType]  (the wrong type is the test)


def test_liaf_unknown_activation():
    with pytest.raises(ValueError, match=r"`activation` must be one of"):
        snnjax.LIAF(activation="softplus")


def test_liaf_tau_at_most_zero():
    with pytest.raises(ValueError, match=r"`tau` must be finite and in \(0"):
        snnjax.LIAF.from_tau(0.0)


# ---------------------------------------------------------------- surrogates

SURROGATE_HYPERPARAMETERS = [
    (sg.Sigmoid, "slope"),
    (sg.FastSigmoid, "slope"),
    (sg.ATan, "slope"),
    (sg.Triangle, "slope"),
    (sg.Triangle, "width"),
    (sg.SingleExponential, "width"),
    (sg.SingleExponential, "scale"),
    (sg.Gaussian, "width"),
    (sg.Gaussian, "scale"),
    (sg.Boxcar, "width"),
    (sg.Boxcar, "scale"),
]


@pytest.mark.parametrize(
    ("cls", "param"),
    SURROGATE_HYPERPARAMETERS,
    ids=[f"{c.__name__}-{p}" for c, p in SURROGATE_HYPERPARAMETERS],
)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_surrogate_hyperparameter_must_be_positive_and_finite(cls, param, bad):
    with pytest.raises(ValueError, match=rf"`{param}` must be finite and in \(0"):
        cls(**{param: bad})


def test_custom_surrogate_needs_a_function():
    with pytest.raises(TypeError):
        sg.Custom(1.0)  # pyright: ignore[reportArgumentType]  (the wrong type is the test)


# -------------------------------------------------------------- input / state


def test_integer_input_is_rejected_by_neurons():
    lif = snnjax.LIF()
    with pytest.raises(TypeError, match=r"input `x` must be a floating-point"):
        lif(jnp.ones(3, jnp.int32), lif.init_state((3,)))


def test_state_shape_mismatch():
    lif = snnjax.LIF()
    with pytest.raises(ValueError, match=r"`state.v` has shape \(4,\)"):
        lif(jnp.ones(3), lif.init_state((4,)))


def test_state_dtype_mismatch():
    lif = snnjax.LIF()
    with pytest.raises(TypeError, match=r"`state.v` has dtype bfloat16"):
        lif(jnp.ones(3), lif.init_state((3,), jnp.bfloat16))


def test_batch_major_sequence_is_caught():
    # (batch, time, features) given where (time, batch, features) is expected,
    # with the state built for one step of (batch, features)
    lif = snnjax.LIF()
    xs = jnp.ones((4, 10, 3))  # batch 4, time 10
    with pytest.raises(
        ValueError, match=r"has shape \(4, 3\).*expects time-major input"
    ):
        snnjax.run(lif, xs, lif.init_state((4, 3)))


def test_per_neuron_parameter_shape_mismatch():
    lif = snnjax.LIF(beta=jnp.full((4,), 0.9))
    with pytest.raises(ValueError, match=r"`beta` has shape \(4,\)"):
        lif(jnp.ones(3), lif.init_state((3,)))


# ----------------------------------------------------- compat: spikingjelly


def test_spikingjelly_lif_tau_must_exceed_one():
    with pytest.raises(ValueError, match=r"`tau` must be finite and in \(1, inf\)"):
        sjn.LIFNode(tau=1.0)


def test_spikingjelly_plif_init_tau_must_exceed_one():
    with pytest.raises(ValueError, match=r"`init_tau` must be finite and in \(1"):
        sjn.ParametricLIFNode(init_tau=0.5)


def test_spikingjelly_qif_a0_positive():
    with pytest.raises(ValueError, match=r"`a0` must be finite and in \(0"):
        sjn.QIFNode(a0=0.0)


def test_spikingjelly_eif_delta_t_positive():
    with pytest.raises(ValueError, match=r"`delta_T` must be finite and in \(0"):
        sjn.EIFNode(delta_T=-1.0)


def test_spikingjelly_izhikevich_a0_positive():
    with pytest.raises(ValueError, match=r"`a0` must be finite and in \(0"):
        sjn.IzhikevichNode(a0=-0.1)


def test_spikingjelly_izhikevich_tau_w_positive():
    with pytest.raises(ValueError, match=r"`tau_w` must be finite and in \(0"):
        sjn.IzhikevichNode(tau_w=0.0)


def test_spikingjelly_threshold_above_reset():
    with pytest.raises(ValueError, match=r"`v_reset` must be below `threshold`"):
        sjn.LIFNode(v_threshold=0.5, v_reset=0.5)


def test_spikingjelly_qif_rest_not_below_reset():
    with pytest.raises(ValueError, match=r"`v_rest` must not be below `v_reset`"):
        sjn.QIFNode(v_rest=-0.5, v_reset=-0.1)


def test_spikingjelly_eif_rest_not_below_reset():
    with pytest.raises(ValueError, match=r"`v_rest` must not be below `v_reset`"):
        sjn.EIFNode(v_rest=-0.5, v_reset=-0.1)


def test_spikingjelly_unknown_step_mode():
    with pytest.raises(ValueError, match=r"`step_mode` must be one of 's', 'm'"):
        sjn.LIFNode(step_mode="x")


def test_spikingjelly_cubalif_decay_range():
    with pytest.raises(ValueError, match=r"`c_decay` must be finite and in \[0, 1\]"):
        sjn.CUBALIFNode(c_decay=1.5)


def test_spikingjelly_surrogate_not_a_surrogate():
    with pytest.raises(TypeError):
        sjn.LIFNode(surrogate_function="sigmoid")  # pyright: ignore[reportArgumentType]  (the wrong type is the test)


def test_spikingjelly_piecewise_quadratic_zero_alpha():
    # was a ZeroDivisionError from 1/alpha before the check ran
    with pytest.raises(ValueError, match=r"`alpha` must be finite and in \(0"):
        sjs.PiecewiseQuadratic(alpha=0.0)


@pytest.mark.parametrize(
    "make", [sjs.Sigmoid, sjs.ATan, sjs.PiecewiseExp, sjs.Erf, sjs.SoftSign]
)
def test_spikingjelly_surrogate_non_positive_alpha(make):
    with pytest.raises(ValueError, match=r"must be finite and in \(0"):
        make(alpha=-1.0)


# ------------------------------------------------------------ compat: norse


@pytest.mark.parametrize("param", ["tau_syn_inv", "tau_mem_inv"])
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan])
def test_norse_lif_rates_positive(param, bad):
    with pytest.raises(ValueError, match=rf"`{param}` must be finite"):
        nt.LIF(p=nf.LIFParameters(**{param: bad}))


@pytest.mark.parametrize("bad", [0.0, -1e-3])
def test_norse_dt_positive(bad):
    with pytest.raises(ValueError, match=r"`dt` must be finite and in \(0"):
        nt.LIF(dt=bad)


def test_norse_euler_step_must_not_overshoot():
    # dt * tau_mem_inv > 1 would give a negative decay 1 - dt/tau
    with pytest.raises(ValueError, match=r"must be finite and in \(-inf, 1\]"):
        nt.LIF(dt=0.1)


def test_norse_unknown_method():
    with pytest.raises(ValueError, match=r"`method` must be one of"):
        nt.LIF(p=nf.LIFParameters(method="bogus"))


def test_norse_surrogate_alpha_non_finite():
    # "super" ignores alpha, but a NaN there is still caught
    with pytest.raises(ValueError, match=r"`alpha` must be finite"):
        nt.LIF(p=nf.LIFParameters(alpha=math.nan))


def test_norse_triangle_surrogate_alpha_positive():
    with pytest.raises(ValueError, match=r"`slope` must be finite and in \(0"):
        nt.LIF(p=nf.LIFParameters(method="triangle", alpha=0.0))


def test_norse_adex_delta_t_positive():
    with pytest.raises(ValueError, match=r"`delta_T` must be finite and in \(0"):
        nt.LIFAdEx(p=nf.LIFAdExParameters(delta_T=0.0))


def test_norse_refractory_steps_non_negative():
    with pytest.raises(ValueError, match=r"`refractory_steps` must be finite"):
        nt.LIFRefracCell(p=nf.LIFRefracParameters(rho_reset=-1.0))


def test_norse_izhikevich_tau_inv_positive():
    behaviour = nt.create_izhikevich_spiking_behavior(
        0.02, 0.2, -65.0, 8.0, -65.0, -13.0, tau_inv=-1.0
    )
    with pytest.raises(ValueError, match=r"`tau_inv` must be finite and in \(0"):
        nt.Izhikevich(spiking_method=behaviour)


# ----------------------------------------------------------- compat: sinabs


@pytest.mark.parametrize("param", ["tau_mem", "tau_syn"])
def test_sinabs_time_constants_positive(param):
    kw: dict[str, Any] = {"tau_mem": 5.0, param: 0.0}
    with pytest.raises(ValueError, match=rf"`{param}` must be finite and in \(0"):
        sl.LIF(**kw)


def test_sinabs_spike_threshold_positive():
    with pytest.raises(ValueError, match=r"`spike_threshold` must be finite and in"):
        sl.IAF(spike_threshold=0.0)


def test_sinabs_adaptation_time_constant_positive():
    with pytest.raises(ValueError, match=r"`tau_adapt` must be finite and in \(0"):
        sl.ALIF(tau_mem=5.0, tau_adapt=-1.0)


def test_sinabs_surrogate_width_positive():
    with pytest.raises(ValueError, match=r"`width` must be finite and in \(0"):
        sl.LIF(tau_mem=5.0, surrogate_grad_fn=sa.SingleExponential(grad_width=0.0))


def test_sinabs_recurrent_weights_finite():
    with pytest.raises(ValueError, match=r"`weight` must be finite"):
        sl.LIFRecurrent(tau_mem=5.0, rec_connect=jnp.full((3, 3), math.nan))


# ---------------------------------------------------------- compat: snntorch


def test_snntorch_beta_range():
    with pytest.raises(ValueError, match=r"`beta` must be finite and in \[0, 1\]"):
        st.Leaky(beta=1.5)


def test_snntorch_unknown_reset_mechanism():
    with pytest.raises(ValueError, match=r"`reset_mechanism` must be one of"):
        st.Leaky(beta=0.9, reset_mechanism="substract")


def test_snntorch_spike_grad_must_be_a_surrogate():
    with pytest.raises(TypeError, match=r"spike_grad"):
        st.Leaky(beta=0.9, spike_grad="atan")  # pyright: ignore[reportArgumentType]  (the wrong type is the test)


def test_snntorch_alpha_requires_distinct_decays():
    with pytest.raises(ValueError, match=r"`alpha` must differ from `beta`"):
        st.Alpha(alpha=0.8, beta=0.8)


NORSE_FIELDS = [
    (nf.LIFParameters, nt.LIF, "v_th"),
    (nf.LIFParameters, nt.LIF, "v_leak"),
    (nf.LIFParameters, nt.LIF, "v_reset"),
    (nf.LIFBoxParameters, nt.LIFBoxCell, "v_th"),
    (nf.LIParameters, nt.LI, "v_leak"),
    (nf.LSNNParameters, nt.LSNN, "beta"),
    (nf.LIFAdExParameters, nt.LIFAdEx, "adaptation_current"),
    (nf.LIFAdExParameters, nt.LIFAdEx, "adaptation_spike"),
]


@pytest.mark.parametrize(
    ("params", "make", "field"),
    NORSE_FIELDS,
    ids=[f"{p.__name__}-{f}" for p, _, f in NORSE_FIELDS],
)
def test_norse_non_finite_field_is_named_as_in_norse(params, make, field):
    # the snnjax model would report `threshold`, `adaptation_jump`, ...
    with pytest.raises(ValueError, match=rf"`{field}` must be finite"):
        make(p=params(**{field: math.nan}))


def test_norse_nested_refractory_parameters_are_checked():
    lif = nf.LIFParameters(v_th=math.inf)
    with pytest.raises(ValueError, match=r"`v_th` must be finite"):
        nt.LIFRefracCell(p=nf.LIFRefracParameters(lif=lif))


@pytest.mark.parametrize("field", ["sq", "mn", "bias", "v_th"])
def test_norse_izhikevich_behaviour_field_is_named_as_in_norse(field):
    params = nf.IzhikevichParameters(
        **{"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, field: math.nan}
    )
    behaviour = nt.IzhikevichSpikingBehavior(
        p=params, s=nt.IzhikevichState(v=-65.0, u=-13.0)
    )
    with pytest.raises(ValueError, match=rf"`{field}` must be finite"):
        nt.Izhikevich(spiking_method=behaviour)
