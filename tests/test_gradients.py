"""Gradient checks: finite differences, frozen parameters, no NaN at the edges.

`check_grads` compares reverse-mode autodiff with finite differences of the
forward pass. A spiking forward is a step function, so the comparison only
makes sense where every spike is locally constant *and* the surrogate
derivative is exactly zero: we use a compact-support test surrogate
(`Triangle(width=1e-3)`) and inputs whose spike trains do not change under
perturbations of 1e-2, so |h - threshold| > 1e-3 at every step. Then the
autodiff gradient is the true gradient of the piecewise-smooth forward,
resets included, and finite differences must agree (float64).
"""

import ast
import re

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import jax.test_util
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import snnjax
import snnjax.surrogate as sg
from tests.helpers import ALL_NEURONS, ALL_SURROGATES, SMOOTH_GRADIENT, SWEEP, inputs

GRAD_SHAPE = (6, 2, 5)


def _spiking(name):
    return hasattr(ALL_NEURONS[name](), "surrogate")


def _model(name, **kw):
    if _spiking(name):
        kw = {"surrogate": sg.Triangle(slope=1.0, width=1e-3), **kw}
    return ALL_NEURONS[name](**kw)


def _loss(model, xs, r, r2):
    outs, _, rec = snnjax.run(
        model, xs, model.init_state(xs.shape[1:], xs.dtype), record=True
    )
    return jnp.sum(outs * r) + 0.1 * jnp.sum(rec.v * r2)


def _far_from_threshold(model, xs):
    """Spikes unchanged under random perturbations of size 1e-2."""
    run = jax.jit(
        lambda x: snnjax.run(model, x, model.init_state(x.shape[1:], x.dtype))[0]
    )
    base = run(xs)
    for k in range(4):
        delta = 1e-2 * jr.uniform(jr.key(100 + k), xs.shape, xs.dtype, -1, 1)
        if not bool(jnp.array_equal(run(xs + delta), base)):
            return False
    return True


def _inputs_far_from_threshold(model):
    # the first of a fixed list of draws that satisfies the premise (readouts
    # without spikes are smooth everywhere: any draw will do)
    for seed in range(20):
        xs = inputs(jr.key(seed), GRAD_SHAPE, low=-0.5, high=1.6)
        if not hasattr(model, "surrogate") or _far_from_threshold(model, xs):
            return xs
    raise AssertionError("no input draw far enough from threshold")


@pytest.mark.parametrize("name", SMOOTH_GRADIENT)
def test_check_grads_through_spikes_and_resets_float64(name):
    with jax.enable_x64(True):
        model = _model(name)
        xs = _inputs_far_from_threshold(model)
        assert xs.dtype == jnp.float64
        k1, k2 = jr.split(jr.key(7))
        r, r2 = jr.normal(k1, xs.shape), jr.normal(k2, xs.shape)
        if _spiking(name):  # the premise is not vacuous: spikes and resets happen
            outs, _ = snnjax.run(model, xs, model.init_state(xs.shape[1:], xs.dtype))
            assert float(jnp.sum(outs)) > 0
        f = jax.jit(lambda x: _loss(model, x, r, r2))
        jax.test_util.check_grads(f, (xs,), order=1, modes=("rev",))
        assert float(jnp.max(jnp.abs(jax.grad(f)(xs)))) > 0


# a parameter that moves the membrane continuously (a threshold that only
# enters the spike test has a true gradient of zero away from it)
GRAD_PARAM = {**SWEEP, "ParametricLIF": "w", "QIF": "tau", "LI-syn": "beta"}


@pytest.mark.parametrize("name", SMOOTH_GRADIENT)
def test_check_grads_with_respect_to_a_learned_parameter_float64(name):
    param = GRAD_PARAM[name]
    with jax.enable_x64(True):
        model = _model(name)
        xs = _inputs_far_from_threshold(model)
        k1, k2 = jr.split(jr.key(8))
        r, r2 = jr.normal(k1, xs.shape), jr.normal(k2, xs.shape)
        value = jnp.asarray(getattr(model, param), jnp.float64)

        @jax.jit
        def f(p):
            return _loss(_model(name, **{param: p, "learn": {param}}), xs, r, r2)

        jax.test_util.check_grads(f, (value,), order=1, modes=("rev",), eps=1e-6)
        assert float(jnp.abs(jax.grad(f)(value))) > 0


# ------------------------------------------------------ frozen parameters


def _allowed_learn(factory):
    """The parameter names a model can learn, read from its own error message."""
    try:
        factory(learn={"__none__"})
    except ValueError as err:
        match = re.search(r"can learn (\[.*\])", str(err))
        assert match, str(err)
        return sorted(ast.literal_eval(match.group(1)))
    raise AssertionError("learn={'__none__'} was accepted")


FROZEN_MODELS = ["Synaptic", "ALIF-syn-multi-zero", "TraceLIF", "RecurrentLIF"]


@eqx.filter_jit
def _grads(model, xs, r, r2):
    return eqx.filter_grad(lambda m: _loss(m, xs, r, r2))(model)


@pytest.mark.parametrize("name", FROZEN_MODELS)
@settings(max_examples=3, deadline=None, derandomize=True)  # `learn` recompiles
@given(data=st.data())
def test_parameters_outside_learn_get_exactly_zero_gradient(name, data):
    default = ALL_NEURONS[name]()
    # optional parameters switched off (None) cannot be learned
    allowed = [
        p for p in _allowed_learn(ALL_NEURONS[name]) if getattr(default, p) is not None
    ]
    learned = data.draw(st.sets(st.sampled_from(allowed)))
    model = ALL_NEURONS[name](learn=learned)
    xs = inputs(jr.key(2), (8, 2, 5), high=2.5)
    k1, k2 = jr.split(jr.key(3))
    grads = _grads(model, xs, jr.normal(k1, xs.shape), jr.normal(k2, xs.shape))
    for field in allowed:
        if field not in learned:  # a leaf, or a module of leaves (Decay)
            for leaf in jax.tree.leaves(getattr(grads, field)):
                np.testing.assert_array_equal(np.asarray(leaf), 0.0)
    # surrogate hyperparameters are never trained (zero gradient by design)
    for leaf in jax.tree.leaves(grads.surrogate):
        np.testing.assert_array_equal(np.asarray(leaf), 0.0)


# ----------------------------------------------- no NaN at the hard spots

# (model, input that puts the step-0 membrane exactly on the threshold 1.0)
AT_THRESHOLD = {
    "LIF": 1.0,  # h = beta * 0 + x
    "IF": 1.0,
    "Synaptic": 1.0,  # i = x, h = beta * 0 + i
    "ParametricLIF": 1.0,  # decay_input=False: h = v + x at v = v_reset = 0
}


AT_THRESHOLD_CASES = [("LIF", s) for s in ALL_SURROGATES] + [
    (name, "ATan") for name in AT_THRESHOLD if name != "LIF"
]


@pytest.mark.parametrize(("name", "surrogate"), AT_THRESHOLD_CASES)
def test_gradient_is_finite_exactly_at_threshold(name, surrogate):
    model = ALL_NEURONS[name](surrogate=ALL_SURROGATES[surrogate]())
    xs = jnp.full((3, 4), AT_THRESHOLD[name])
    state = model.init_state((4,))

    @jax.jit
    def grad(x):
        return jax.grad(lambda x: jnp.sum(snnjax.run(model, x, state)[0]))(x)

    g = grad(xs)
    assert bool(jnp.all(jnp.isfinite(g)))
    assert float(jnp.abs(g[0, 0])) > 0  # the surrogate is active there


EXTREME_SURROGATES = {
    "Sigmoid-steep": lambda: sg.Sigmoid(slope=1e30),
    "Sigmoid-flat": lambda: sg.Sigmoid(slope=1e-30),
    "FastSigmoid-steep": lambda: sg.FastSigmoid(slope=1e30),
    "ATan-steep": lambda: sg.ATan(slope=1e30),
    "Triangle-narrow": lambda: sg.Triangle(slope=1.0, width=1e-30),
    "Triangle-tall": lambda: sg.Triangle(slope=1e30, width=1.0),
    "SingleExponential-narrow": lambda: sg.SingleExponential(width=1e-30),
    "SingleExponential-wide": lambda: sg.SingleExponential(width=1e30),
    # the Gaussian gave NaN here before (w^2 underflow, x^2 overflow)
    "Gaussian-narrow": lambda: sg.Gaussian(width=1e-30),
    "Gaussian-wide": lambda: sg.Gaussian(width=1e30),
    "Boxcar-narrow": lambda: sg.Boxcar(width=1e-30),
    "Boxcar-wide": lambda: sg.Boxcar(width=1e30),
}
PROBES = jnp.asarray([0.0, 1e-30, -1e-30, 1e-3, -0.5, 2.0, 1e30, -1e30], jnp.float32)


@pytest.mark.parametrize("surrogate", list(EXTREME_SURROGATES))
def test_extreme_surrogate_parameters_give_finite_derivatives(surrogate):
    s = EXTREME_SURROGATES[surrogate]()
    d = s.derivative(PROBES)
    g = jax.grad(lambda x: jnp.sum(s(x)))(PROBES)
    assert bool(jnp.all(jnp.isfinite(d))), d
    assert bool(jnp.all(jnp.isfinite(g))), g
    assert bool(jnp.all(d >= 0)), d
    np.testing.assert_array_equal(np.asarray(g), np.asarray(d))


def test_extreme_surrogate_in_a_run_gives_finite_gradients():
    model = snnjax.LIF(surrogate=sg.Gaussian(width=1e-30))
    xs = jnp.asarray([[1.0, 0.5], [0.0, 0.5], [1.0, 0.0]])  # step 0 on threshold
    state = model.init_state((2,))
    g = jax.grad(lambda x: jnp.sum(snnjax.run(model, x, state)[0]))(xs)
    assert bool(jnp.all(jnp.isfinite(g)))
