"""ALIF and ALIFRecurrent: reference math, sinabs quirks, gradients, errors."""

import math
from typing import Any

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.neurons.alif import alif_step


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:]), record=True)


def _run(model, xs):
    out, _, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    return np.asarray(out), rec


def _reference(
    xs,
    *,
    beta,
    rho,
    thr,
    gamma,
    alpha=None,
    spike_fn="single",
    reset="subtract",
    v_reset=0.0,
    v_min=None,
    decay_input=False,
    weight=None,
):
    """The documented update in NumPy float64, one neuron vector per step."""
    n = xs.shape[1]
    v, i, b, z = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    out = {"s": [], "v": [], "i": [], "b": []}
    for x in xs:
        if weight is not None:
            x = x + z @ weight.T
        i = x if alpha is None else alpha * (i + x)
        if decay_input:
            i = (1 - beta) * i  # stored: compounds with a synaptic current
        h = beta * v + i
        theta = thr + gamma * b
        if spike_fn == "single":
            s = (h - theta >= 0).astype(float)
        else:
            s = np.where(h > 0, np.trunc(h / theta), 0.0)
        if reset == "subtract":
            v = h - s * theta
        elif reset == "zero":
            v = h * (s == 0) + v_reset
        else:
            v = h
        b = rho * b + (1 - rho) * s
        if v_min is not None:
            v = np.maximum(v - v_min, 0.0) + v_min
        z = s
        for k, val in zip("svib", (s, v, i, b), strict=True):
            out[k].append(val)
    return {k: np.array(val) for k, val in out.items()}


def test_hand_computed_adaptation():
    # thresholds 1, 1.5, 1.75: the third step's 1.625 stays below
    model = snn.ALIF(beta=0.5, rho=0.5, adapt_scale=1.0)
    out, rec = _run(model, np.full((3, 1), 1.5))
    np.testing.assert_array_equal(out[:, 0], [1, 1, 0])
    np.testing.assert_allclose(rec.v[:, 0], [0.5, 0.25, 1.625])
    np.testing.assert_allclose(rec.b[:, 0], [0.5, 0.75, 0.375])
    np.testing.assert_allclose(model.spike_threshold(rec)[:, 0], [1.5, 1.75, 1.375])
    assert rec.i is None


def test_adaptation_decays_geometrically():
    # one spike at t = 0, then silence: b_t = (1 - rho) rho^t
    rho, gamma, T = 0.8, 2.0, 10
    model = snn.ALIF(beta=0.5, rho=rho, adapt_scale=gamma)
    xs = np.zeros((T, 1))
    xs[0] = 1.2
    out, rec = _run(model, xs)
    assert out.sum() == 1
    expected = (1 - rho) * rho ** np.arange(T)
    np.testing.assert_allclose(rec.b[:, 0], expected, rtol=1e-6)
    np.testing.assert_allclose(
        model.spike_threshold(rec)[:, 0], 1 + gamma * expected, rtol=1e-6
    )


def test_norm_input_compounds_with_synaptic_current():
    # sinabs ALIF stores (1 - beta) i: i_t = k (i_{t-1} + c), k = (1 - beta) alpha
    beta, alpha, c, T = 0.5, 0.8, 0.3, 6
    model = snn.ALIF(beta=beta, threshold=10.0, alpha=alpha, decay_input=True)
    _, rec = _run(model, np.full((T, 1), c))
    k = (1 - beta) * alpha
    t = np.arange(T)
    np.testing.assert_allclose(
        rec.i[:, 0], c * k * (1 - k ** (t + 1)) / (1 - k), rtol=1e-6
    )


@pytest.mark.parametrize("spike_fn", ["single", "multi"])
@pytest.mark.parametrize("reset", ["subtract", "zero"])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"alpha": 0.6, "v_min": -0.3, "v_reset": 0.1},
        {"decay_input": True, "alpha": 0.8},
    ],
)
def test_matches_numpy_reference(spike_fn, reset, extra, key):
    xs = np.asarray(jax.random.uniform(key, (40, 2), minval=-0.5, maxval=3.0))
    kw: dict[str, Any] = {
        "beta": 0.75,
        "rho": 0.9,
        "threshold": 0.8,
        "adapt_scale": 0.5,
    }
    model = snn.ALIF(**kw, spike_fn=spike_fn, reset=reset, **extra)
    out, rec = _run(model, xs)
    ref = _reference(
        xs.astype(np.float64),
        beta=0.75,
        rho=0.9,
        thr=0.8,
        gamma=0.5,
        spike_fn=spike_fn,
        reset=reset,
        **extra,
    )
    np.testing.assert_array_equal(out, ref["s"])
    np.testing.assert_allclose(rec.v, ref["v"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rec.b, ref["b"], rtol=1e-5, atol=1e-6)
    if "alpha" in extra:
        np.testing.assert_allclose(rec.i, ref["i"], rtol=1e-5, atol=1e-5)
    assert out.sum() > 0


def test_recurrent_matches_numpy_reference(key):
    k_x, k_w = jax.random.split(key)
    xs = np.asarray(jax.random.uniform(k_x, (40, 3), minval=-0.5, maxval=2.5))
    w = np.asarray(jax.random.uniform(k_w, (3, 3), minval=-0.5, maxval=0.5))
    kw: dict[str, Any] = {"beta": 0.8, "rho": 0.9, "adapt_scale": 1.0, "alpha": 0.5}
    out, rec = _run(snn.ALIFRecurrent(**kw, weight=jnp.asarray(w)), xs)
    ref = _reference(
        xs.astype(np.float64),
        beta=0.8,
        rho=0.9,
        thr=1.0,
        gamma=1.0,
        alpha=0.5,
        weight=w,
    )
    np.testing.assert_array_equal(out, ref["s"])
    np.testing.assert_allclose(rec.v, ref["v"], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(rec.z, out)


def test_zero_adaptation_is_multispike_lif(key):
    xs = jax.random.uniform(key, (30, 4), minval=-0.5, maxval=2.0)
    alif = snn.ALIF(beta=0.8, adapt_scale=0.0, alpha=0.5, v_min=-0.2)
    lif = snn.MultiSpikeLIF(beta=0.8, alpha=0.5, v_min=-0.2, spike_fn="single")
    out_a, rec_a = _run(alif, xs)
    out_l, _, rec_l = _jit_run(lif, xs)
    np.testing.assert_array_equal(out_a, out_l)
    np.testing.assert_allclose(rec_a.v, rec_l.v, rtol=1e-6, atol=1e-6)  # fusion


def test_zero_feedback_is_alif(key):
    xs = jax.random.uniform(key, (30, 3, 4), minval=-0.5, maxval=2.0)
    kw = {"beta": 0.7, "rho": 0.85, "adapt_scale": 0.7, "spike_fn": "multi"}
    out_r, rec_r = _run(snn.ALIFRecurrent(**kw, weight=jnp.zeros((4, 4))), xs)
    out_a, rec_a = _run(snn.ALIF(**kw), xs)
    np.testing.assert_array_equal(out_r, out_a)
    np.testing.assert_array_equal(rec_r.v, rec_a.v)
    np.testing.assert_array_equal(rec_r.b, rec_a.b)


def test_one_to_one_feedback_by_hand():
    # neuron fires at t0 (x = 1.5), feeds back 0.75 to itself at t1
    model = snn.ALIFRecurrent(
        beta=0.5, rho=0.5, adapt_scale=1.0, weight=jnp.array([0.75])
    )
    out, rec = _run(model, [[1.5], [0.0]])
    np.testing.assert_array_equal(out[:, 0], [1, 0])  # 0.25 + 0.75 < 1.5
    np.testing.assert_allclose(rec.v[:, 0], [0.5, 1.0])


def test_pure_function_matches_module(key):
    x = jax.random.uniform(key, (4,), minval=0.0, maxval=3.0)
    model = snn.ALIF(beta=0.7, rho=0.8, alpha=0.5, spike_fn="multi")
    state = model.init_state((4,))
    out, new = model(x, state)
    full = jnp.ones(4)
    s, v, i, b = alif_step(
        x,
        state.v,
        state.i,
        state.b,
        alpha=0.5 * full,
        beta=0.7 * full,
        rho=0.8 * full,
        threshold=full,
        adapt_scale=1.8 * full,
        v_reset=0 * full,
        v_min=None,
        surrogate=model.surrogate,
        spike_fn="multi",
        reset="subtract",
        decay_input=False,
        relative_surrogate=False,
    )
    for a, b_ in ((out, s), (new.v, v), (new.i, i), (new.b, b)):
        np.testing.assert_array_equal(a, b_)


def test_from_tau_is_sinabs_decay():
    model = snn.ALIF.from_tau(10.0, 20.0, tau_syn=5.0)
    assert model.alpha is not None
    np.testing.assert_allclose(model.beta, math.exp(-0.1), rtol=1e-7)
    np.testing.assert_allclose(model.rho, math.exp(-0.05), rtol=1e-7)
    np.testing.assert_allclose(model.alpha, math.exp(-0.2), rtol=1e-7)
    rec = snn.ALIFRecurrent.from_tau(10.0, 20.0, weight=jnp.eye(2))
    np.testing.assert_allclose(rec.rho, math.exp(-0.05), rtol=1e-7)


# ------------------------------------------------------------------ gradients


def test_relative_surrogate_scales_width_by_threshold():
    # sinabs SingleExponential: a / (w theta) exp(-|h - theta| / (w theta))
    with jax.enable_x64(True):
        w, a, theta = 0.5, 1.0, 2.0
        x = jnp.array([1.0, 1.8, 2.5, 4.5], jnp.float64)
        for relative, width in ((True, w * theta), (False, w)):
            model = snn.ALIF(
                threshold=theta,
                relative_surrogate=relative,
                surrogate=snn.surrogate.SingleExponential(width=w, scale=a),
            )
            state = model.init_state((4,), jnp.float64)
            g = jax.grad(lambda x, m=model, s=state: jnp.sum(m(x, s)[0]))(x)
            expected = a / width * np.exp(-np.abs(np.asarray(x) - theta) / width)
            np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_threshold_enters_spike_test_without_gradient():
    # with reset="zero" the adaptive threshold reaches the loss only through
    # the spike test, which sinabs does not differentiate: zero gradient
    with jax.enable_x64(True):
        xs = jnp.asarray(np.linspace(0.5, 2.5, 20).reshape(10, 2), jnp.float64)

        def loss(gamma, reset):
            m = snn.ALIF(adapt_scale=gamma, reset=reset, learn={"adapt_scale"})
            out, _ = snn.run(m, xs, m.init_state((2,), jnp.float64))
            return jnp.sum(out)

        def v_loss(gamma):
            m = snn.ALIF(adapt_scale=gamma, learn={"adapt_scale"})
            _, _, rec = snn.run(m, xs, m.init_state((2,), jnp.float64), record=True)
            return jnp.sum(rec.v)

        assert float(jax.grad(loss)(1.0, "zero")) == 0.0
        # the subtractive reset subtracts theta_t: gradient flows through it
        assert float(jax.grad(v_loss)(1.0)) != 0.0


def test_recurrent_weight_gradient_by_hand():
    # reset="none": v_1 = beta v_0 + x_1 + W z_0, so d v_1[1] / d W[1, 0] = z_0[0]
    with jax.enable_x64(True):
        xs = jnp.array([[1.5, 0.0], [0.0, 0.0]], jnp.float64)

        def v1(w):
            m = snn.ALIFRecurrent(beta=0.5, weight=w, reset="none")
            _, _, rec = snn.run(m, xs, m.init_state((2,), jnp.float64), record=True)
            return rec.v[1, 1]

        g = jax.grad(v1)(jnp.zeros((2, 2), jnp.float64))
        np.testing.assert_array_equal(g, [[0.0, 0.0], [1.0, 0.0]])


# ----------------------------------------------------------------- properties

_alif = snn.ALIF(beta=0.9, rho=0.9, adapt_scale=1.0)


def _padded(xs, length=16):
    """A fixed-length column (new lengths would recompile the jitted run)."""
    out = np.zeros((length, 1), np.float32)
    out[: len(xs), 0] = xs
    return out


@settings(max_examples=30, deadline=None)
@given(xs=st.lists(st.floats(-2.0, 4.0, width=32), min_size=1, max_size=16))
def test_single_spikes_binary_and_adaptation_bounded(xs):
    out, rec = _run(_alif, _padded(xs))
    assert set(np.unique(out).tolist()) <= {0.0, 1.0}
    b = np.asarray(rec.b)
    assert np.all(b >= 0) and np.all(b <= 1 + 1e-6)  # convex mix of b and s
    assert np.all(np.asarray(_alif.spike_threshold(rec)) >= 1.0)


@settings(max_examples=20, deadline=None)
@given(
    beta=st.floats(0.0, 1.0),
    rho=st.floats(0.0, 1.0),
    gamma=st.floats(0.0, 3.0),
    spike_fn=st.sampled_from(["single", "multi"]),
)
def test_rest_stays_at_rest(beta, rho, gamma, spike_fn):
    model = snn.ALIF(beta=beta, rho=rho, adapt_scale=gamma, spike_fn=spike_fn)
    out, rec = _run(model, np.zeros((12, 2), np.float32))
    assert not out.any() and not np.asarray(rec.v).any()
    assert not np.asarray(rec.b).any()


@settings(max_examples=20, deadline=None)
@given(c=st.floats(1.0, 4.0))
def test_adaptation_slows_firing(c):
    # the same neuron without adaptation never fires less
    xs = np.full((30, 1), c, np.float32)
    adaptive = _run(_alif, xs)[0].sum()
    plain = _run(snn.ALIF(beta=0.9, rho=0.9, adapt_scale=0.0), xs)[0].sum()
    assert plain >= adaptive


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"spike_fn": "max"}, "`spike_fn` must be one of"),
        ({"reset": "substract"}, "`reset` must be one of"),
        ({"rho": 1.5}, r"`rho` must be finite and in \[0, 1\]"),
        ({"beta": -0.1}, r"`beta` must be finite and in \[0, 1\]"),
        ({"threshold": -1.0}, r"`threshold` must be finite and in \(0, inf\)"),
        ({"adapt_scale": -0.5}, r"`adapt_scale` must be finite and in \[0, inf\)"),
        ({"v_min": float("inf")}, "`v_min` must be finite"),
        ({"learn": {"alpha"}}, "`alpha` is None"),
        ({"learn": {"weight"}}, "unknown parameters"),
    ],
)
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.ALIF(**kwargs)


def test_recurrent_errors():
    with pytest.raises(ValueError, match=r"`weight` must have shape \(n, n\)"):
        snn.ALIFRecurrent(weight=jnp.ones((2, 3)))
    with pytest.raises(ValueError, match=r"`bias` must have shape \(2,\)"):
        snn.ALIFRecurrent(weight=jnp.ones((2, 2)), bias=jnp.ones(3))
    with pytest.raises(ValueError, match="must end with the 2 neurons"):
        snn.ALIFRecurrent(weight=jnp.ones((2, 2))).init_state((4, 3))
    with pytest.raises(ValueError, match="`tau_adapt` must be finite"):
        snn.ALIFRecurrent.from_tau(10.0, 0.0, weight=jnp.ones((2, 2)))


def test_state_without_current_is_rejected():
    model = snn.ALIF(alpha=0.5)
    state = snn.ALIFState(v=jnp.zeros(2), i=None, b=jnp.zeros(2))
    with pytest.raises(ValueError, match=r"`state\.i` is None"):
        model(jnp.ones(2), state)
    model = snn.ALIF()
    state = snn.ALIFState(v=jnp.zeros(2), i=jnp.zeros(2), b=jnp.zeros(2))
    with pytest.raises(ValueError, match=r"`state\.i` is given"):
        model(jnp.ones(2), state)
