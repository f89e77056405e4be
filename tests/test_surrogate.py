"""Surrogate spike functions: Heaviside forward, documented derivative, transforms.

Expected derivatives are the class-docstring formulas, written out again here
in NumPy float64; nothing is taken from the library's own output.
"""

import math

import chex
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import snnjax
import snnjax.surrogate as sg
from tests.helpers import ALL_SURROGATES

SURROGATES = pytest.mark.parametrize("name", list(ALL_SURROGATES))

# Grid on [-1.887, 1.913] in steps of 0.1: 0.013 away from every kink of the
# registered surrogates (0, Boxcar edges at |x| = w/2 = 0.5, Triangle support
# edge at |x| = w = 1) and from the PiecewiseQuadratic edges 1/alpha below.
GRID = np.linspace(-1.9, 1.9, 39) + 0.013


def _hyper(s, attr):
    """A surrogate hyperparameter as a Python float (an input, not an output)."""
    return float(np.asarray(getattr(s, attr), dtype=np.float64))


def _expected_derivative(s, x):
    """The derivative formula of each class docstring, in NumPy float64."""
    x = np.asarray(x, dtype=np.float64)
    kind = type(s).__name__
    if kind == "StraightThrough":  # sigma'(x) = 1
        return np.ones_like(x)
    if kind == "Sigmoid":  # k s (1 - s), s = 1 / (1 + exp(-k x))
        k = _hyper(s, "slope")
        sig = 1.0 / (1.0 + np.exp(-k * x))
        return k * sig * (1.0 - sig)
    if kind == "FastSigmoid":  # 1 / (k |x| + 1)^2
        k = _hyper(s, "slope")
        return 1.0 / (k * np.abs(x) + 1.0) ** 2
    if kind == "ATan":  # (k / 2) / (1 + (pi/2 k x)^2)
        k = _hyper(s, "slope")
        return (k / 2.0) / (1.0 + (np.pi / 2.0 * k * x) ** 2)
    if kind == "Triangle":  # k max(0, 1 - |x| / w)
        k, w = _hyper(s, "slope"), _hyper(s, "width")
        return k * np.maximum(0.0, 1.0 - np.abs(x) / w)
    if kind == "SingleExponential":  # a / w exp(-|x| / w)
        w, a = _hyper(s, "width"), _hyper(s, "scale")
        return a / w * np.exp(-np.abs(x) / w)
    if kind == "Gaussian":  # a / (sqrt(2 pi) w) exp(-x^2 / (2 w^2))
        w, a = _hyper(s, "width"), _hyper(s, "scale")
        return a / (np.sqrt(2.0 * np.pi) * w) * np.exp(-(x**2) / (2.0 * w**2))
    if kind == "Boxcar":  # a / w on |x| < w / 2, else 0
        w, a = _hyper(s, "width"), _hyper(s, "scale")
        return np.where(np.abs(x) < w / 2.0, a / w, 0.0)
    if kind == "Custom":  # the registered factory's function: exp(-x^2)
        return np.exp(-(x**2))
    raise KeyError(f"no reference formula for {kind}; add one here")


def _assert_close(actual, expected, *, rtol, atol):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64), expected, rtol=rtol, atol=atol
    )


def _assert_close_f32(actual, expected):
    """float32 against a float64 formula: absolute error relative to the peak.

    `k s (1 - s)` loses digits to cancellation in `1 - s` when `s` is near 1,
    so float32 values far in the tail carry an error of about eps * peak.
    """
    expected = np.asarray(expected, dtype=np.float64)
    peak = max(1.0, float(np.max(np.abs(expected))))
    _assert_close(actual, expected, rtol=1e-5, atol=1e-6 * peak)


# --------------------------------------------------------------------- forward


@SURROGATES
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16, jnp.float16])
def test_forward_is_heaviside(name, dtype):
    s = ALL_SURROGATES[name]()
    x = jnp.array([-2.0, -1e-3, -0.0, 0.0, 1e-3, 2.0], dtype)
    strict = s(x)
    inclusive = s(x, inclusive=True)
    assert strict.dtype == dtype
    assert inclusive.dtype == dtype
    np.testing.assert_array_equal(
        np.asarray(strict, np.float64), [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    )
    # -0.0 >= 0 is true in IEEE arithmetic.
    np.testing.assert_array_equal(
        np.asarray(inclusive, np.float64), [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    )
    np.testing.assert_array_equal(
        np.asarray(sg.heaviside(x, s), np.float64), np.asarray(strict, np.float64)
    )


@SURROGATES
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16, jnp.float16])
def test_gradient_dtype_preserved(name, dtype):
    s = ALL_SURROGATES[name]()
    x = jnp.array([-0.3, 0.1, 0.4], dtype)
    g = jax.grad(lambda x: jnp.sum(s(x)))(x)
    assert g.dtype == dtype


@SURROGATES
def test_forward_scalar_exact_zero(name):
    s = ALL_SURROGATES[name]()
    zero = jnp.zeros((), jnp.float32)
    assert float(s(zero)) == 0.0
    assert float(s(zero, inclusive=True)) == 1.0


# ------------------------------------------------------------------ derivative


@SURROGATES
def test_derivative_matches_docstring_formula_float32(name):
    s = ALL_SURROGATES[name]()
    x = jnp.asarray(GRID, jnp.float32)
    d = s.derivative(x)
    assert d.dtype == jnp.float32
    assert d.shape == x.shape
    expected = _expected_derivative(s, np.asarray(x))
    _assert_close_f32(d, expected)


@SURROGATES
def test_derivative_matches_docstring_formula_float64(name):
    with jax.enable_x64(True):
        s = ALL_SURROGATES[name]()
        x = jnp.asarray(GRID, jnp.float64)
        d = s.derivative(x)
        assert d.dtype == jnp.float64
        _assert_close(d, _expected_derivative(s, GRID), rtol=1e-12, atol=1e-15)


@SURROGATES
def test_spike_grad_equals_derivative(name):
    s = ALL_SURROGATES[name]()
    x = jnp.asarray(GRID, jnp.float32)
    g = jax.vmap(jax.grad(lambda xi: s(xi)))(x)
    g_inclusive = jax.vmap(jax.grad(lambda xi: s(xi, inclusive=True)))(x)
    chex.assert_trees_all_close(g, s.derivative(x), rtol=1e-6, atol=0.0)
    chex.assert_trees_all_close(g_inclusive, s.derivative(x), rtol=1e-6, atol=0.0)
    # and against the independent formula, so the check is not circular
    _assert_close_f32(g, _expected_derivative(s, GRID))


@SURROGATES
def test_derivative_is_grad_of_primitive_float64(name):
    with jax.enable_x64(True):
        s = ALL_SURROGATES[name]()
        x = jnp.asarray(GRID, jnp.float64)
        g = jax.vmap(jax.grad(s.primitive))(x)
        d = s.derivative(x)
        assert g.dtype == d.dtype == jnp.float64
        _assert_close(g, np.asarray(d), rtol=1e-10, atol=1e-14)


# --------------------------------------------------- hyperparameters: zero grad


@SURROGATES
def test_hyperparameters_get_exactly_zero_gradient(name):
    s = ALL_SURROGATES[name]()
    x = jnp.asarray(GRID, jnp.float32)
    w = jnp.linspace(-1.0, 2.0, x.size, dtype=jnp.float32)

    def loss(params):
        surrogate, xs = params
        return jnp.sum(surrogate(xs) * w)

    g_surrogate, g_x = eqx.filter_grad(loss)((s, x))
    for leaf in jax.tree.leaves(g_surrogate):
        np.testing.assert_array_equal(np.asarray(leaf), 0.0)
    assert bool(jnp.any(g_x != 0))
    # forward-mode agrees: a tangent on the hyperparameters changes nothing
    params, static = eqx.partition(s, eqx.is_inexact_array)
    if jax.tree.leaves(params):
        ones = jax.tree.map(jnp.ones_like, params)
        _, tangent_out = jax.jvp(
            lambda p: loss((eqx.combine(p, static), x)), (params,), (ones,)
        )
        assert float(tangent_out) == 0.0


# ------------------------------------------------------------------ transforms


@SURROGATES
def test_jit_equals_eager(name):
    s = ALL_SURROGATES[name]()
    x = jnp.asarray(GRID, jnp.float32)
    fwd = eqx.filter_jit(lambda s, x: s(x))(s, x)
    deriv = eqx.filter_jit(lambda s, x: s.derivative(x))(s, x)
    chex.assert_trees_all_equal(fwd, s(x))
    chex.assert_trees_all_close(deriv, s.derivative(x), rtol=1e-6, atol=0.0)


@SURROGATES
def test_grad_of_jit_equals_jit_of_grad(name):
    s = ALL_SURROGATES[name]()
    x = jnp.asarray(GRID, jnp.float32)
    w = jnp.linspace(-1.0, 2.0, x.size, dtype=jnp.float32)

    def f(x):
        return jnp.sum(s(x) * w)

    g1 = jax.grad(jax.jit(f))(x)
    g2 = jax.jit(jax.grad(f))(x)
    chex.assert_trees_all_close(g1, g2, rtol=1e-6, atol=0.0)
    _assert_close_f32(g1, _expected_derivative(s, GRID) * np.asarray(w))


SWEEPS = [
    ("Sigmoid", "slope", [1.0, 4.0, 10.0, 25.0]),
    ("FastSigmoid", "slope", [1.0, 5.0, 25.0, 100.0]),
    ("ATan", "slope", [0.5, 1.0, 2.0, 4.0]),
    ("Triangle", "width", [0.25, 0.5, 1.5, 2.0]),
    ("SingleExponential", "scale", [0.5, 1.0, 2.0, 3.0]),
    ("Gaussian", "width", [0.2, 0.5, 1.0, 2.0]),
    ("Boxcar", "width", [0.5, 0.8, 1.5, 2.0]),
]


@pytest.mark.parametrize(("cls_name", "field", "values"), SWEEPS)
def test_vmap_over_hyperparameter_sweep_equals_loop(cls_name, field, values):
    cls = getattr(sg, cls_name)
    ks = jnp.array(values, jnp.float32)
    batch = eqx.filter_vmap(lambda k: cls(**{field: k}))(ks)
    assert getattr(batch, field).shape == (len(values),)
    x = jnp.asarray(GRID, jnp.float32)

    derivs = eqx.filter_vmap(lambda s: s.derivative(x))(batch)
    grads = eqx.filter_vmap(lambda s: jax.vmap(jax.grad(lambda xi: s(xi)))(x))(batch)
    spikes = eqx.filter_vmap(lambda s: s(x))(batch)
    assert derivs.shape == (len(values), x.size)
    for i, value in enumerate(values):
        single = cls(**{field: value})
        chex.assert_trees_all_close(
            derivs[i], single.derivative(x), rtol=1e-6, atol=1e-7
        )
        chex.assert_trees_all_close(
            grads[i], single.derivative(x), rtol=1e-6, atol=1e-7
        )
        chex.assert_trees_all_equal(spikes[i], single(x))
        _assert_close_f32(derivs[i], _expected_derivative(single, GRID))


def test_vmap_sweep_in_the_brief_form():
    ks = jnp.array([1.0, 2.0, 8.0])
    batch = eqx.filter_vmap(lambda k: snnjax.surrogate.Sigmoid(slope=k))(ks)
    x = jnp.asarray(GRID, jnp.float32)
    got = jax.vmap(lambda s: s.derivative(x))(batch)
    for i, k in enumerate([1.0, 2.0, 8.0]):
        sig = 1.0 / (1.0 + np.exp(-k * GRID))
        _assert_close_f32(got[i], k * sig * (1.0 - sig))


# ----------------------------------------------------------------- value checks

POSITIVE_ARGS = [
    ("Sigmoid", "slope"),
    ("FastSigmoid", "slope"),
    ("ATan", "slope"),
    ("Triangle", "slope"),
    ("Triangle", "width"),
    ("SingleExponential", "width"),
    ("SingleExponential", "scale"),
    ("Gaussian", "width"),
    ("Gaussian", "scale"),
    ("Boxcar", "width"),
    ("Boxcar", "scale"),
]
BAD_VALUES = [0.0, -1.0, math.nan, math.inf, -math.inf]


@pytest.mark.parametrize(("cls_name", "arg"), POSITIVE_ARGS)
@pytest.mark.parametrize("bad", BAD_VALUES, ids=str)
def test_nonpositive_or_nonfinite_hyperparameter_raises(cls_name, arg, bad):
    cls = getattr(sg, cls_name)
    with pytest.raises(ValueError, match=f"`{arg}`"):
        cls(**{arg: bad})


@pytest.mark.parametrize(("cls_name", "arg"), POSITIVE_ARGS)
def test_one_bad_element_in_an_array_hyperparameter_raises(cls_name, arg):
    cls = getattr(sg, cls_name)
    with pytest.raises(ValueError, match=f"`{arg}`"):
        cls(**{arg: jnp.array([1.0, 0.5, -2.0])})
    cls(**{arg: jnp.array([1.0, 0.5, 2.0])})  # all positive: fine


def test_custom_non_callable_raises_type_error():
    with pytest.raises(TypeError, match="derivative_fn"):
        sg.Custom(3.0)  # type: ignore[arg-type]


def test_custom_wrong_shape_raises_value_error():
    s = sg.Custom(lambda x: jnp.sum(x))
    x = jnp.array([-0.2, 0.1, 0.3])
    with pytest.raises(ValueError, match="shape"):
        s.derivative(x)
    with pytest.raises(ValueError, match="shape"):
        jax.grad(lambda x: jnp.sum(s(x)))(x)


def test_integer_input_to_heaviside_raises_type_error():
    s = sg.FastSigmoid()
    with pytest.raises(TypeError, match=r"(?i)float"):
        sg.heaviside(jnp.array([0, 1, 2]), s)


def test_abstract_primitive_raises_not_implemented():
    s = sg.Custom(lambda x: jnp.ones_like(x))
    with pytest.raises(NotImplementedError, match="primitive"):
        s.primitive(jnp.zeros(3))


# ------------------------------------------------------------- aliases / compat


def test_superspike_is_fast_sigmoid():
    assert sg.SuperSpike is sg.FastSigmoid


@pytest.mark.parametrize("alpha", [0.5, 2.0, 4.0])
def test_atan_snntorch_and_spikingjelly_parameterizations_agree(alpha):
    st = snnjax.compat.snntorch.surrogate.atan(alpha=alpha)
    sj = snnjax.compat.spikingjelly.activation_based.surrogate.ATan(alpha=alpha)
    x = jnp.asarray(GRID, jnp.float32)
    d_st = jax.vmap(jax.grad(lambda xi: st(xi)))(x)
    d_sj = jax.vmap(jax.grad(lambda xi: sj(xi)))(x)
    chex.assert_trees_all_equal(d_st, d_sj)
    # (a/2) / (1 + (pi a x / 2)^2): the derivative both libraries' code runs
    expected = (alpha / 2.0) / (1.0 + (np.pi * alpha * GRID / 2.0) ** 2)
    _assert_close_f32(d_st, expected)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_spikingjelly_piecewise_quadratic(alpha):
    s = snnjax.compat.spikingjelly.activation_based.surrogate.PiecewiseQuadratic(
        alpha=alpha
    )
    x = jnp.asarray(GRID, jnp.float32)
    expected = np.maximum(0.0, alpha - alpha**2 * np.abs(GRID))
    _assert_close_f32(s.derivative(x), expected)
    _assert_close_f32(jax.vmap(jax.grad(lambda xi: s(xi)))(x), expected)
