"""MultiSpikeLIF: reference math, sinabs quirks, properties, gradients, errors."""

import math

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.neurons.multispike import (
    clamp_below,
    multispike_fire,
    multispike_lif_step,
    multispike_reset,
)


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:]), record=True)


def _run(model, xs):
    out, _, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    i = None if rec.i is None else np.asarray(rec.i)
    return np.asarray(out), np.asarray(rec.v), i


def _reference(
    xs,
    *,
    beta,
    thr,
    alpha=None,
    spike_fn="multi",
    reset="subtract",
    v_reset=0.0,
    v_min=None,
    decay_input=False,
):
    """The documented update, written again in NumPy float64, step by step."""
    v, i, spikes, vs, cur = 0.0, 0.0, [], [], []
    for x in xs:
        i = x if alpha is None else alpha * (i + x)
        h = beta * v + ((1 - beta) * i if decay_input else i)
        if spike_fn == "single":
            s = float(h - thr >= 0)
        else:
            s = float(math.trunc(h / thr)) if h > 0 else 0.0
        if reset == "subtract":
            v = h - s * thr
        elif reset == "zero":
            v = h * float(s == 0) + v_reset
        else:
            v = h
        if v_min is not None:
            v = max(v - v_min, 0.0) + v_min
        spikes.append(s)
        vs.append(v)
        cur.append(i)
    return np.array(spikes), np.array(vs), np.array(cur)


def test_hand_computed_multi_spike_counts():
    # beta 1 (sinabs IAF): 2.5 holds two thresholds, the rest carries over
    out, v, i = _run(snn.MultiSpikeLIF(beta=1.0), [[2.5], [0.25], [0.5]])
    np.testing.assert_array_equal(out[:, 0], [2, 0, 1])
    np.testing.assert_allclose(v[:, 0], [0.5, 0.75, 0.25])
    assert i is None  # no synaptic current: not part of the state


def test_single_spike_fires_on_equality():
    xs = [[1.0]]  # h = threshold exactly: sinabs' SingleSpike uses >=
    out, v, _ = _run(snn.MultiSpikeLIF(beta=1.0, spike_fn="single"), xs)
    assert out[0, 0] == 1 and v[0, 0] == 0
    # MultiSpike: trunc(1 / 1) = 1 as well
    assert _run(snn.MultiSpikeLIF(beta=1.0), xs)[0][0, 0] == 1


def test_membrane_reset_adds_reset_value_every_step():
    # sinabs MembraneReset: v = [s == 0] h + reset_value at every step
    model = snn.MultiSpikeLIF(beta=1.0, spike_fn="single", reset="zero", v_reset=0.25)
    out, v, _ = _run(model, [[0.5], [0.5], [0.0]])
    np.testing.assert_array_equal(out[:, 0], [0, 1, 0])
    # 0.5 + 0.25; then 1.25 spikes -> 0 + 0.25; then 0.25 + 0.25 (no spike)
    np.testing.assert_allclose(v[:, 0], [0.75, 0.25, 0.5])


def test_synaptic_current_closed_form():
    # i_t = alpha (i_{t-1} + c) = c (alpha + ... + alpha^(t+1)), no spikes
    alpha, c, T = 0.5, 0.1, 8
    model = snn.MultiSpikeLIF(beta=0.9, threshold=10.0, alpha=alpha)
    _, _, i = _run(model, np.full((T, 1), c))
    assert i is not None
    t = np.arange(T)
    np.testing.assert_allclose(
        i[:, 0], c * alpha * (1 - alpha ** (t + 1)) / (1 - alpha), rtol=1e-6
    )


def test_decay_input_steady_state_is_input():
    beta, c, T = 0.5, 0.6, 12
    model = snn.MultiSpikeLIF(beta=beta, threshold=5.0, decay_input=True)
    _, v, _ = _run(model, np.full((T, 1), c))
    np.testing.assert_allclose(v[:, 0], c * (1 - beta ** (np.arange(T) + 1)), rtol=1e-6)


def test_floor_clamps_membrane():
    model = snn.MultiSpikeLIF(beta=1.0, v_min=-0.5)
    _, v, _ = _run(model, [[-2.0], [0.25]])
    np.testing.assert_allclose(v[:, 0], [-0.5, -0.25])


@pytest.mark.parametrize("spike_fn", ["single", "multi"])
@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"alpha": 0.6, "v_min": -0.3, "v_reset": 0.1},
        {"decay_input": True, "alpha": 0.8},
    ],
)
def test_matches_numpy_reference(spike_fn, reset, extra, key):
    xs = np.asarray(jax.random.uniform(key, (40, 1), minval=-0.5, maxval=2.8))
    kw = {"beta": 0.75, "threshold": 0.8, "spike_fn": spike_fn, "reset": reset}
    out, v, i = _run(snn.MultiSpikeLIF(**kw, **extra), xs)
    s_ref, v_ref, i_ref = _reference(
        xs[:, 0].astype(np.float64),
        beta=0.75,
        thr=0.8,
        spike_fn=spike_fn,
        reset=reset,
        **extra,
    )
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(v[:, 0], v_ref, rtol=1e-5, atol=1e-5)
    if "alpha" in extra:
        assert i is not None
        np.testing.assert_allclose(i[:, 0], i_ref, rtol=1e-5, atol=1e-5)
    if spike_fn == "multi" and reset == "subtract" and not extra:
        assert out.max() >= 2  # the input really produces counts


def test_pure_functions_match_module(key):
    x = jax.random.uniform(key, (4,), minval=0.0, maxval=3.0)
    model = snn.MultiSpikeLIF(beta=0.7, alpha=0.5, v_min=-1.0)
    state = model.init_state((4,))
    out, new = model(x, state)
    s, v, i = multispike_lif_step(
        x,
        state.v,
        state.i,
        alpha=jnp.full((4,), 0.5),
        beta=jnp.full((4,), 0.7),
        threshold=jnp.ones(4),
        v_reset=jnp.zeros(4),
        v_min=jnp.full((4,), -1.0),
        surrogate=model.surrogate,
        spike_fn="multi",
        reset="subtract",
        decay_input=False,
    )
    np.testing.assert_array_equal(out, s)
    np.testing.assert_array_equal(new.v, v)
    np.testing.assert_array_equal(new.i, i)


def test_from_tau_is_sinabs_decay():
    model = snn.MultiSpikeLIF.from_tau(10.0, tau_syn=5.0)
    assert model.alpha is not None
    np.testing.assert_allclose(model.beta, math.exp(-0.1), rtol=1e-7)
    np.testing.assert_allclose(model.alpha, math.exp(-0.2), rtol=1e-7)
    assert snn.MultiSpikeLIF.from_tau(10.0).alpha is None


# ------------------------------------------------------------------ gradients


def _grad_first_step(model, x):
    state = model.init_state((len(x),), jnp.float64)
    return jax.grad(lambda x: jnp.sum(model(x, state)[0]))(x)


def test_multi_spike_derivative_is_the_single_spike_surrogate():
    # sinabs: d s / d h = a/w exp(-|h - theta|/w), whatever the count
    with jax.enable_x64(True):
        w, a = 0.3, 1.5
        surrogate = snn.surrogate.SingleExponential(width=w, scale=a)
        x = jnp.array([0.4, 1.3, 2.5, 3.7], jnp.float64)
        expected = a / w * np.exp(-np.abs(np.asarray(x) - 1.0) / w)
        for spike_fn in ("single", "multi"):
            model = snn.MultiSpikeLIF(beta=1.0, spike_fn=spike_fn, surrogate=surrogate)
            np.testing.assert_allclose(_grad_first_step(model, x), expected, rtol=1e-12)


def test_multispike_fire_forward_is_the_count():
    v = jnp.array([-1.5, 0.0, 0.99, 1.0, 2.5, 7.9])
    s = multispike_fire(v, jnp.ones(6), snn.surrogate.StraightThrough(), "multi")
    np.testing.assert_array_equal(s, [0, 0, 0, 1, 2, 7])


def test_threshold_has_no_gradient_through_the_spike():
    # sinabs' spike functions return no gradient for the threshold; with the
    # zero reset the threshold has no other path
    with jax.enable_x64(True):
        x = jnp.array([[0.9, 1.2]], jnp.float64)

        def loss(thr, reset):
            m = snn.MultiSpikeLIF(
                beta=1.0, threshold=thr, reset=reset, learn={"threshold"}
            )
            out, _ = snn.run(m, x, m.init_state((2,), jnp.float64))
            return jnp.sum(out)

        assert float(jax.grad(loss)(1.0, "zero")) == 0.0

        # through the subtractive reset the threshold does get gradient
        def v_loss(thr):
            m = snn.MultiSpikeLIF(beta=1.0, threshold=thr, learn={"threshold"})
            _, final = snn.run(m, x, m.init_state((2,), jnp.float64))
            return jnp.sum(final.v)

        assert float(jax.grad(v_loss)(1.0)) == -1.0  # one spike: v = h - theta


def test_zero_reset_mask_and_floor_have_no_gradient():
    with jax.enable_x64(True):
        # spiking neuron under reset="zero": v = 0 + v_reset, no path to x
        m = snn.MultiSpikeLIF(beta=1.0, spike_fn="single", reset="zero")
        state = m.init_state((2,), jnp.float64)
        g = jax.grad(lambda x: jnp.sum(m(x, state)[1].v))(jnp.array([1.5, 0.5]))
        np.testing.assert_array_equal(g, [0.0, 1.0])
        # below the floor the membrane is constant; above it the subtractive
        # reset passes 1 - theta * sigma'(h - theta), sigma' = 2 exp(-|u| / 0.5)
        m = snn.MultiSpikeLIF(beta=1.0, v_min=-0.5)
        g = jax.grad(lambda x: jnp.sum(m(x, state)[1].v))(jnp.array([-2.0, -0.25]))
        np.testing.assert_allclose(g, [0.0, 1 - 2 * math.exp(-2.5)], rtol=1e-12)


def test_helpers_by_hand():
    h = jnp.array([2.5, 0.5])
    s = jnp.array([2.0, 0.0])
    thr, v_reset = jnp.ones(2), jnp.full((2,), 0.25)
    kw = {"threshold": thr, "v_reset": v_reset}
    np.testing.assert_allclose(
        multispike_reset(h, s, reset="subtract", **kw), [0.5, 0.5]
    )
    np.testing.assert_allclose(multispike_reset(h, s, reset="zero", **kw), [0.25, 0.75])
    np.testing.assert_allclose(multispike_reset(h, s, reset="none", **kw), h)
    np.testing.assert_allclose(
        clamp_below(jnp.array([-1.0, 1.0]), jnp.full((2,), -0.5)), [-0.5, 1.0]
    )
    assert clamp_below(h, None) is h


# ----------------------------------------------------------------- properties

_model_multi = snn.MultiSpikeLIF(beta=0.9, threshold=0.75)
_model_single = snn.MultiSpikeLIF(beta=0.9, alpha=0.5, spike_fn="single")


@settings(max_examples=30, deadline=None)
@given(xs=st.lists(st.floats(-2.0, 4.0, width=32), min_size=1, max_size=16))
def test_multi_counts_and_post_reset_range(xs):
    # fixed length (new lengths would recompile the jitted run), zero padded
    padded = np.zeros((20, 1), np.float32)
    padded[: len(xs), 0] = xs
    out, v, _ = _run(_model_multi, padded)
    assert np.all(out >= 0) and np.all(out == np.round(out))
    # a subtractive multi-spike reset leaves less than one threshold
    assert np.all(v < 0.75 + 1e-6)
    out_s, _, _ = _run(_model_single, padded)
    assert set(np.unique(out_s).tolist()) <= {0.0, 1.0}


@settings(max_examples=20, deadline=None)
@given(
    beta=st.floats(0.0, 1.0),
    alpha=st.floats(0.0, 1.0),
    spike_fn=st.sampled_from(["single", "multi"]),
    reset=st.sampled_from(["subtract", "zero"]),
)
def test_rest_stays_at_rest(beta, alpha, spike_fn, reset):
    model = snn.MultiSpikeLIF(beta=beta, alpha=alpha, spike_fn=spike_fn, reset=reset)
    out, v, i = _run(model, np.zeros((12, 2), np.float32))
    assert i is not None
    assert not out.any() and not v.any() and not i.any()


@settings(max_examples=20, deadline=None)
@given(c1=st.floats(0.0, 3.0), c2=st.floats(0.0, 3.0))
def test_count_non_decreasing_in_constant_input(c1, c2):
    lo, hi = sorted((c1, c2))
    n_lo = _run(_model_multi, np.full((10, 1), lo, np.float32))[0].sum()
    n_hi = _run(_model_multi, np.full((10, 1), hi, np.float32))[0].sum()
    assert n_hi >= n_lo


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"spike_fn": "max"}, "`spike_fn` must be one of 'single', 'multi'"),
        ({"reset": "substract"}, "`reset` must be one of"),
        ({"beta": 1.5}, r"`beta` must be finite and in \[0, 1\]"),
        ({"threshold": 0.0}, r"`threshold` must be finite and in \(0, inf\)"),
        ({"alpha": -0.1}, r"`alpha` must be finite and in \[0, 1\]"),
        ({"v_min": float("nan")}, "`v_min` must be finite"),
        ({"v_reset": float("inf")}, "`v_reset` must be finite"),
        ({"learn": {"alpha"}}, "`alpha` is None"),
        ({"learn": {"v_min"}}, "`v_min` is None"),
        ({"learn": {"tau"}}, "unknown parameters"),
    ],
)
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.MultiSpikeLIF(**kwargs)


def test_from_tau_errors():
    with pytest.raises(ValueError, match="`tau_mem` must be finite"):
        snn.MultiSpikeLIF.from_tau(0.0)
    with pytest.raises(ValueError, match="`tau_syn` must be finite"):
        snn.MultiSpikeLIF.from_tau(5.0, tau_syn=-1.0)


def test_state_without_current_is_rejected():
    model = snn.MultiSpikeLIF(alpha=0.5)
    state = snn.MultiSpikeLIFState(v=jnp.zeros(2), i=None)
    with pytest.raises(ValueError, match=r"`state\.i` is None"):
        model(jnp.ones(2), state)
    model = snn.MultiSpikeLIF()
    state = snn.MultiSpikeLIFState(v=jnp.zeros(2), i=jnp.zeros(2))
    with pytest.raises(ValueError, match=r"`state\.i` is given"):
        model(jnp.ones(2), state)
