"""RecurrentLIF: feedback by hand, equivalence with LIF, properties, errors."""

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.compat import snntorch


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:]), record=True)


def _run(model, xs):
    out, _, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    return np.asarray(out), np.asarray(rec.v), np.asarray(rec.z)


def test_zero_feedback_equals_lif(key):
    xs = jax.random.uniform(key, (20, 3, 4), minval=0.0, maxval=1.5)
    rec = snn.RecurrentLIF(beta=0.8, weight=jnp.zeros((4, 4)))
    lif = snn.LIF(beta=0.8)
    out_r, v_r, z_r = _run(rec, xs)
    out_l, _, rec_l = _jit_run(lif, xs)
    np.testing.assert_array_equal(out_r, out_l)
    np.testing.assert_allclose(v_r, rec_l.v, rtol=1e-6, atol=1e-6)  # fusion order
    np.testing.assert_array_equal(z_r, out_r)


def test_all_to_all_feedback_by_hand():
    # neuron 0 spikes at t0 and excites neuron 1 by 0.75 at t1
    w = jnp.array([[0.0, 0.0], [0.75, 0.0]])
    xs = np.array([[1.5, 0.0], [0.0, 0.5], [0.0, 0.0]])
    out, v, _ = _run(snn.RecurrentLIF(beta=0.5, weight=w), xs)
    np.testing.assert_array_equal(out, [[1, 0], [0, 1], [0, 0]])
    np.testing.assert_allclose(v[1], [0.25, 0.25])  # 0.5 + 0.75 - 1
    np.testing.assert_allclose(v[2], [0.125, 0.125])


def test_delayed_zero_resets_whole_membrane():
    xs = np.array([[1.5], [0.25]])
    _, v, _ = _run(
        snn.RecurrentLIF(
            beta=0.5, weight=jnp.zeros(1), reset="zero", reset_timing="delayed"
        ),
        xs,
    )
    np.testing.assert_allclose(v[:, 0], [1.5, 0.0])  # this step's input lost too


@settings(max_examples=20, deadline=None)
@given(xs=st.lists(st.floats(-2.0, 3.0, width=32), min_size=1, max_size=15))
def test_spikes_binary_and_rest(xs):
    model = snn.RecurrentLIF(beta=0.9, weight=jnp.full((1, 1), 0.5))
    out, _, _ = _run(model, np.asarray(xs)[:, None])
    assert set(np.unique(out)) <= {0.0, 1.0}
    out, v, _ = _run(model, np.zeros((len(xs), 1)))
    assert not out.any() and not v.any()


def test_random_weights_need_a_key_and_match_torch_bounds(key):
    m = snn.RecurrentLIF.random(16, key=key)
    assert m.weight.shape == (16, 16) and m.bias.shape == (16,)
    assert float(jnp.max(jnp.abs(m.weight))) <= 0.25
    assert (
        snn.RecurrentLIF.random(4, key=key, all_to_all=False).weight.tolist()
        == [1.0] * 4
    )


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        ({"weight": jnp.ones((2, 3))}, ValueError, "`weight` must have shape"),
        (
            {"weight": jnp.ones(3), "bias": jnp.ones(2)},
            ValueError,
            "`bias` must have shape",
        ),
        (
            {"weight": jnp.ones(3), "reset_timing": "delayed+immediate"},
            ValueError,
            "`reset_timing` must be one of",
        ),
        ({"weight": jnp.ones(3), "learn": {"tau"}}, ValueError, "`learn`"),
    ],
)
def test_invalid_construction(kwargs, err, match):
    with pytest.raises(err, match=match):
        snn.RecurrentLIF(**kwargs)


def test_init_state_checks_neuron_count():
    m = snn.RecurrentLIF(weight=jnp.ones(3))
    with pytest.raises(ValueError, match="must end with the 3 neurons"):
        m.init_state((2, 4))


def test_compat_rleaky(key):
    with pytest.raises(ValueError, match="needs its recurrent weights"):
        snntorch.RLeaky(beta=0.9, linear_features=4)
    m = snntorch.RLeaky(beta=0.9, linear_features=4, key=key)
    assert m.weight.shape == (4, 4) and m.learn == {"weight", "bias"}
    one = snntorch.RLeaky(beta=0.9, all_to_all=False, V=0.5, linear_features=3)
    assert one.weight.tolist() == [0.5] * 3 and one.learn == {"weight"}
    with pytest.raises(NotImplementedError, match="reset_delay"):
        snntorch.RLeaky(beta=0.9, linear_features=4, key=key, reset_delay=False)
    with pytest.raises(NotImplementedError, match="conv2d_channels"):
        snntorch.RLeaky(beta=0.9, conv2d_channels=3, kernel_size=3)
    with pytest.raises(ValueError, match="`recurrent_weight` must have shape"):
        snntorch.RLeaky(beta=0.9, linear_features=4, recurrent_weight=jnp.ones((3, 3)))
    alpha = snntorch.Alpha(alpha=0.9, beta=0.8)
    assert isinstance(alpha, snn.Alpha) and alpha.reset == "zero"


def test_recurrent_synaptic_by_hand():
    # alpha = beta = 0.5, one-to-one V = 1: the spike at t0 feeds 1.0 into i
    m = snn.RecurrentSynaptic(alpha=0.5, beta=0.5, weight=jnp.array([1.0]))
    xs = jnp.array([[1.5], [0.0], [0.0]])
    out, _, rec = snn.run(m, xs, m.init_state((1,)), record=True)
    np.testing.assert_allclose(rec.i[:, 0], [1.5, 1.75, 0.875 + 1.0])
    # v: 1.5 -> spike -> 0.5; 0.25 + 1.75 = 2.0 -> spike -> 1.0; 0.5 + 1.875
    np.testing.assert_allclose(rec.v[:, 0], [0.5, 1.0, 1.375])
    np.testing.assert_array_equal(out[:, 0], [1, 1, 1])


def test_recurrent_synaptic_zero_feedback_equals_synaptic(key):
    xs = jax.random.uniform(key, (15, 2, 3), minval=0.0, maxval=1.2)
    for timing, reset in [("immediate", "subtract"), ("delayed", "zero")]:
        kw = {"reset": reset, "reset_timing": timing}
        rs = snn.RecurrentSynaptic(0.6, 0.8, weight=jnp.zeros((3, 3)), **kw)
        sy = snn.Synaptic(0.6, 0.8, **kw)
        out_r, _, rec_r = snn.run(rs, xs, rs.init_state((2, 3)), record=True)
        out_s, _, rec_s = snn.run(sy, xs, sy.init_state((2, 3)), record=True)
        np.testing.assert_array_equal(out_r, out_s)
        np.testing.assert_allclose(rec_r.v, rec_s.v, rtol=1e-6, atol=1e-6)


def test_compat_rsynaptic(key):
    m = snntorch.RSynaptic(alpha=0.8, beta=0.9, linear_features=3, key=key)
    assert isinstance(m, snn.RecurrentSynaptic) and m.reset_timing == "delayed"
    assert m.learn == {"weight", "bias"}
    one = snntorch.RSynaptic(
        alpha=0.8,
        beta=0.9,
        all_to_all=False,
        V=0.5,
        linear_features=3,
        learn_recurrent=False,
        learn_alpha=True,
    )
    assert one.weight.tolist() == [0.5] * 3 and one.learn == {"alpha"}
    with pytest.raises(ValueError, match="`alpha`"):
        snntorch.RSynaptic(alpha=1.5, beta=0.9, linear_features=3, key=key)
