"""MultiSpikeLIFRecurrent and sinabs' LIFRecurrent / IAFRecurrent: hand math, errors."""

import math
from types import SimpleNamespace

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.compat import sinabs


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:]), record=True)


def _run(model, xs):
    out, _, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    return out, rec


def _reference(
    xs,
    weight,
    bias=None,
    *,
    beta,
    thr=1.0,
    alpha=None,
    spike_fn="multi",
    reset="subtract",
    v_reset=0.0,
    v_min=None,
    decay_input=False,
):
    """sinabs' `lif_recurrent`, written again in NumPy float64 (time, n)."""
    xs = np.asarray(xs, np.float64)
    weight = np.asarray(weight, np.float64)
    n = xs.shape[1]
    v, i, z = np.zeros(n), np.zeros(n), np.zeros(n)
    spikes, vs, cur = [], [], []
    for x in xs:
        c = weight @ z if weight.ndim == 2 else weight * z
        if bias is not None:
            c = c + np.asarray(bias, np.float64)
        total = x + c
        i = total if alpha is None else alpha * (i + total)
        h = beta * v + ((1 - beta) * i if decay_input else i)
        if spike_fn == "single":
            s = (h >= thr).astype(np.float64)
        else:
            s = np.where(h > 0, np.trunc(h / thr), 0.0)
        if reset == "subtract":
            v = h - s * thr
        elif reset == "zero":
            v = h * (s == 0) + v_reset
        else:
            v = h
        if v_min is not None:
            v = np.maximum(v - v_min, 0.0) + v_min
        z = s
        spikes.append(s)
        vs.append(v)
        cur.append(i)
    return np.array(spikes), np.array(vs), np.array(cur)


_XS = np.random.default_rng(0).uniform(-0.5, 2.5, size=(12, 3, 4))


@pytest.mark.parametrize("spike_fn", ["single", "multi"])
@pytest.mark.parametrize("alpha", [None, 0.6])
@pytest.mark.parametrize("decay_input", [False, True])
@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_zero_feedback_is_multispike_lif_exactly(spike_fn, alpha, decay_input, reset):
    kw = {
        "beta": 0.7,
        "threshold": 0.8,
        "alpha": alpha,
        "spike_fn": spike_fn,
        "reset": reset,
        "v_min": -0.4,
        "decay_input": decay_input,
    }
    plain = snn.MultiSpikeLIF(**kw)
    rec_net = snn.MultiSpikeLIFRecurrent(
        **kw, weight=jnp.zeros((4, 4)), bias=jnp.zeros(4)
    )
    xs = _XS * (4.0 if decay_input else 1.0)  # (1 - beta) scales the input
    out_a, rec_a = _run(plain, xs)
    out_b, rec_b = _run(rec_net, xs)
    assert float(out_a.max()) >= (2 if spike_fn == "multi" else 1)  # counts occur
    np.testing.assert_array_equal(out_a, out_b)
    np.testing.assert_array_equal(rec_a.v, rec_b.v)
    if alpha is None:
        assert rec_a.i is None and rec_b.i is None
    else:
        np.testing.assert_array_equal(rec_a.i, rec_b.i)
    np.testing.assert_array_equal(rec_b.z, out_b)  # z holds the last output


def test_hand_computed_two_neuron_feedback():
    # W[i, j] feeds neuron i from neuron j; bias 0.25 on neuron 0, beta 0.5.
    # t0: c = b = (0.25, 0); h = (2.45, 0) -> 2 spikes, v = (0.45, 0)
    # t1: c = W (2, 0) + b = (0.25, 2.0); h = (0.475, 2.0) -> (0, 2), v = (0.475, 0)
    # t2: c = W (0, 2) + b = (-0.75, 0); h = (-0.5125, 0) -> (0, 0)
    w = jnp.array([[0.0, -0.5], [1.0, 0.0]])
    net = snn.MultiSpikeLIFRecurrent(beta=0.5, weight=w, bias=jnp.array([0.25, 0.0]))
    out, rec = _run(net, [[2.2, 0.0], [0.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(out, [[2, 0], [0, 2], [0, 0]])
    np.testing.assert_allclose(
        rec.v, [[0.45, 0.0], [0.475, 0.0], [-0.5125, 0.0]], rtol=1e-6
    )
    np.testing.assert_array_equal(rec.z, out)


def test_hand_computed_one_to_one_feedback_with_synaptic_current():
    # alpha 0.5, beta 0.5, decay_input (g = 0.5), V = (0.5, 1.0):
    # t0: i = 0.5 * 4 = 2, h = 0.5 * 2 = 1 -> 1 spike, v = 0
    # t1: c = 0.5 * 1; i = 0.5 * (2 + 0.5) = 1.25, h = 0.625 -> no spike
    net = snn.MultiSpikeLIFRecurrent(
        beta=0.5, alpha=0.5, decay_input=True, weight=jnp.array([0.5, 1.0])
    )
    out, rec = _run(net, [[4.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(out, [[1, 0], [0, 0]])
    np.testing.assert_allclose(rec.i, [[2.0, 0.0], [1.25, 0.0]])
    np.testing.assert_allclose(rec.v, [[0.0, 0.0], [0.625, 0.0]])


@pytest.mark.parametrize(
    "kw",
    [
        {"spike_fn": "multi"},
        {"spike_fn": "single", "alpha": 0.5, "reset": "zero", "v_min": -0.3},
        {
            "spike_fn": "multi",
            "alpha": 0.8,
            "decay_input": True,
            "v_reset": 0.1,
            "reset": "zero",
        },
    ],
)
def test_random_feedback_matches_reference(kw):
    rng = np.random.default_rng(1)
    w = rng.uniform(-0.6, 0.6, size=(4, 4))
    b = rng.uniform(-0.2, 0.2, size=4)
    xs = rng.uniform(-0.5, 2.5, size=(15, 4))
    net = snn.MultiSpikeLIFRecurrent(
        beta=0.8, threshold=0.7, weight=jnp.asarray(w), bias=jnp.asarray(b), **kw
    )
    out, rec = _run(net, xs)
    ref = dict(kw)
    ref["thr"] = 0.7
    s, v, i = _reference(xs, w, b, beta=0.8, **ref)
    np.testing.assert_array_equal(out, s)
    np.testing.assert_allclose(rec.v, v, atol=1e-5)
    if "alpha" in kw:
        np.testing.assert_allclose(rec.i, i, atol=1e-5)


def test_batched_input_feeds_each_sample_separately():
    w = jnp.array([[0.0, 0.0], [0.75, 0.0]])
    net = snn.MultiSpikeLIFRecurrent(beta=1.0, weight=w)
    xs = jnp.array([[[2.5, 0.5], [0.0, 0.5]], [[0.0, 0.0], [0.0, 0.0]]])  # (T, B, n)
    out, _ = _run(net, xs)
    np.testing.assert_array_equal(out[:, 0], [[2, 0], [0, 2]])  # the doctest
    np.testing.assert_array_equal(out[:, 1], [[0, 0], [0, 0]])  # no feedback


def test_gradient_reaches_the_recurrent_weight():
    w = jnp.array([[0.0, 0.0], [0.75, 0.0]])
    xs = jnp.array([[2.5, 0.5], [0.0, 0.0]])

    def loss(weight):
        net = snn.MultiSpikeLIFRecurrent(beta=1.0, weight=weight)
        _, _, rec = snn.run(net, xs, net.init_state((2,)), record=True)
        return jnp.sum(rec.v)

    g = jax.grad(loss)(w)
    # v_1 of neuron 1 = h - s * thr with h = 0.5 + 2 W[1, 0] (z_0 = 2 spikes), so
    # dv/dW[1, 0] = 2 (1 - sigma'(h - 1)), sigma'(u) = (1 / 0.5) exp(-|u| / 0.5)
    h = 0.5 + 2 * 0.75
    expected = 2 * (1 - 2.0 * math.exp(-abs(h - 1.0) / 0.5))
    np.testing.assert_allclose(g[1, 0], expected, rtol=1e-5)
    assert float(g[0, 1]) == 0.0  # neuron 1 never fired before the last step


@settings(max_examples=25, deadline=None)
@given(
    beta=st.floats(0.0, 1.0),
    thr=st.floats(0.2, 2.0),
    spike_fn=st.sampled_from(["single", "multi"]),
    scale=st.floats(-1.0, 1.0),
)
def test_properties(beta, thr, spike_fn, scale):
    w = scale * jnp.ones((3, 3))
    net = snn.MultiSpikeLIFRecurrent(beta, thr, weight=w, spike_fn=spike_fn)
    rest, rec = _run(net, np.zeros((6, 3)))
    assert not np.any(np.asarray(rest)) and not np.any(np.asarray(rec.v))
    out, _ = _run(net, np.random.default_rng(2).uniform(0, 3, size=(6, 3)))
    out = np.asarray(out)
    assert np.all(out >= 0) and np.all(out == np.trunc(out))
    if spike_fn == "single":
        assert set(np.unique(out)) <= {0.0, 1.0}


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 2), (2, 2, 2), ()])
def test_weight_shape_is_checked(shape):
    with pytest.raises(ValueError, match="`weight` must have shape"):
        snn.MultiSpikeLIFRecurrent(weight=jnp.zeros(shape))


def test_bias_shape_is_checked():
    with pytest.raises(ValueError, match="`bias` must have shape"):
        snn.MultiSpikeLIFRecurrent(weight=jnp.zeros((3, 3)), bias=jnp.zeros(2))


def test_neuron_count_is_checked():
    net = snn.MultiSpikeLIFRecurrent(weight=jnp.zeros((3, 3)))
    with pytest.raises(ValueError, match="must end with the 3 neurons"):
        net.init_state((2, 4))
    with pytest.raises(ValueError, match="must end with the 3 neurons"):
        net.init_state(())


def test_weight_must_be_finite():
    with pytest.raises(ValueError, match="weight"):
        snn.MultiSpikeLIFRecurrent(weight=jnp.array([1.0, jnp.nan]))


def test_parameter_and_option_errors():
    w = jnp.zeros(2)
    with pytest.raises(ValueError, match="threshold"):
        snn.MultiSpikeLIFRecurrent(threshold=0.0, weight=w)
    with pytest.raises(ValueError, match="beta"):
        snn.MultiSpikeLIFRecurrent(beta=1.5, weight=w)
    with pytest.raises(ValueError, match="alpha"):
        snn.MultiSpikeLIFRecurrent(alpha=-0.1, weight=w)
    with pytest.raises(ValueError, match="spike_fn"):
        snn.MultiSpikeLIFRecurrent(spike_fn="max", weight=w)
    with pytest.raises(ValueError, match="reset"):
        snn.MultiSpikeLIFRecurrent(reset="mean", weight=w)
    with pytest.raises(ValueError, match="switched off"):
        snn.MultiSpikeLIFRecurrent(weight=w, learn={"alpha"})
    with pytest.raises(ValueError, match="switched off"):
        snn.MultiSpikeLIFRecurrent(weight=w, learn={"v_min"})
    with pytest.raises(ValueError, match="tau_mem"):
        snn.MultiSpikeLIFRecurrent.from_tau(0.0, weight=w)


def test_from_tau_decays():
    net = snn.MultiSpikeLIFRecurrent.from_tau(
        10.0, tau_syn=5.0, dt=2.0, weight=jnp.zeros(2)
    )
    np.testing.assert_allclose(net.beta, math.exp(-0.2), rtol=1e-6)
    np.testing.assert_allclose(net.alpha, math.exp(-0.4), rtol=1e-6)


# --- compat: sinabs.layers.LIFRecurrent / IAFRecurrent ----------------------


def test_compat_zero_rec_connect_equals_lif_and_iaf():
    zeros = np.zeros((4, 4), np.float32)
    xs = jnp.asarray(_XS, jnp.float32)
    pairs = [
        (
            sinabs.layers.LIF(5.0, tau_syn=3.0),
            sinabs.layers.LIFRecurrent(5.0, zeros, tau_syn=3.0),
        ),
        (
            sinabs.layers.LIF(5.0, norm_input=False),
            sinabs.layers.LIFRecurrent(5.0, zeros, norm_input=False),
        ),
        (sinabs.layers.IAF(), sinabs.layers.IAFRecurrent(zeros)),
        (
            sinabs.layers.IAF(
                spike_fn=sinabs.activation.SingleSpike,
                reset_fn=sinabs.activation.MembraneReset(),
                tau_syn=2.0,
                min_v_mem=-1.0,
            ),
            sinabs.layers.IAFRecurrent(
                zeros,
                spike_fn=sinabs.activation.SingleSpike,
                reset_fn=sinabs.activation.MembraneReset(),
                tau_syn=2.0,
                min_v_mem=-1.0,
            ),
        ),
    ]
    for plain, recurrent in pairs:
        out_a, rec_a = _run(plain, xs)
        out_b, rec_b = _run(recurrent, xs)
        np.testing.assert_array_equal(out_a, out_b)
        np.testing.assert_array_equal(rec_a.v, rec_b.v)


def test_compat_lif_recurrent_maps_arguments():
    w = jnp.array([[0.0, -0.5], [1.0, 0.0]])
    b = jnp.array([0.25, 0.0])
    net = sinabs.layers.LIFRecurrent(
        tau_mem=4.0,
        rec_connect=SimpleNamespace(weight=w, bias=b),
        spike_threshold=2.0,
        min_v_mem=-1.0,
    )
    assert isinstance(net, snn.MultiSpikeLIFRecurrent)
    np.testing.assert_allclose(net.beta, math.exp(-0.25), rtol=1e-6)
    assert net.decay_input and net.spike_fn == "multi" and net.reset == "subtract"
    assert net.learn == frozenset({"beta", "weight", "bias"})
    np.testing.assert_array_equal(net.weight, w)
    np.testing.assert_array_equal(net.bias, b)
    np.testing.assert_allclose(net.surrogate.width, 1.0)  # 0.5 * threshold
    xs = np.random.default_rng(3).uniform(0, 6, size=(10, 2))
    out, rec = _run(net, xs)
    s, v, _ = _reference(
        xs, w, b, beta=math.exp(-0.25), thr=2.0, v_min=-1.0, decay_input=True
    )
    np.testing.assert_array_equal(out, s)
    np.testing.assert_allclose(rec.v, v, atol=1e-5)


def test_compat_iaf_recurrent_maps_arguments():
    net = sinabs.layers.IAFRecurrent(
        np.eye(3, dtype=np.float32), tau_syn=2.0, spike_fn=sinabs.activation.SingleSpike
    )
    assert isinstance(net, snn.MultiSpikeLIFRecurrent)
    assert float(net.beta) == 1.0 and not net.decay_input
    assert net.spike_fn == "single" and net.bias is None
    assert net.learn == frozenset({"weight", "alpha"})
    np.testing.assert_allclose(net.alpha, math.exp(-0.5), rtol=1e-6)


def test_compat_errors():
    with pytest.raises(TypeError, match="rec_connect"):
        sinabs.layers.LIFRecurrent(10.0, rec_connect=object())
    with pytest.raises(ValueError, match="spike_threshold"):
        sinabs.layers.IAFRecurrent(np.zeros((2, 2)), spike_threshold=0.0)
    with pytest.raises(ValueError, match="`weight` must have shape"):
        sinabs.layers.IAFRecurrent(np.zeros((2, 3)))
    with pytest.raises(NotImplementedError, match="MaxSpike"):
        sinabs.layers.LIFRecurrent(
            10.0, np.zeros((2, 2)), spike_fn=sinabs.activation.MaxSpike(3)
        )
