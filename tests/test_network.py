"""Linear, Flatten and Sequential: layer-major equals step-major, state plumbing."""

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import snnjax as snn


def _net(key):
    k1, k2 = jr.split(key)
    return snn.Sequential(
        [
            snn.Linear(6, 16, key=k1),
            snn.LIF(beta=0.9, threshold=0.5),
            snn.Linear(16, 3, key=k2),
            snn.Synaptic(alpha=0.5, beta=0.8, threshold=0.3),
        ]
    )


def test_linear_matches_matmul(key):
    layer = snn.Linear(5, 4, key=key)
    x = jr.normal(jr.key(1), (7, 2, 5))
    ref = np.asarray(x) @ np.asarray(layer.weight).T + np.asarray(layer.bias)
    np.testing.assert_allclose(layer(x), ref, rtol=1e-5, atol=1e-6)
    assert snn.Linear(5, 4, use_bias=False, key=key).bias is None
    # torch/eqx initialisation bounds: |w| <= 1/sqrt(in_features)
    assert float(jnp.max(jnp.abs(layer.weight))) <= 1 / np.sqrt(5)


def test_linear_accepts_integer_spikes(key):
    layer = snn.Linear(3, 2, key=key)
    spikes = jnp.array([[1, 0, 1]], jnp.int32)
    np.testing.assert_allclose(layer(spikes), layer(spikes.astype(jnp.float32)))


def test_layer_major_equals_step_major(key):
    net = _net(key)
    xs = jr.uniform(jr.key(2), (30, 4, 6), minval=0.0, maxval=1.0)
    state = net.init_state(xs.shape[1:])
    out_l, final_l, rec_l = snn.run(net, xs, state, record=True)
    out_s, final_s, rec_s = snn.run(net, xs, state, record=True, layer_major=False)
    assert out_l.sum() > 0  # spikes reach the output
    np.testing.assert_array_equal(out_l, out_s)
    for a, b in zip(jax.tree.leaves(final_l), jax.tree.leaves(final_s), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert rec_l[0] is None and rec_l[1].v.shape == (30, 4, 16)
    np.testing.assert_allclose(rec_l[3].v, rec_s[3].v, rtol=1e-6, atol=1e-6)


def test_gradients_equal_in_both_orders(key):
    net = _net(key)
    xs = jr.uniform(jr.key(3), (20, 2, 6))

    def loss(model, layer_major):
        out, _ = snn.run(
            model, xs, model.init_state(xs.shape[1:]), layer_major=layer_major
        )
        return jnp.sum(out)

    g_l = eqx.filter_grad(loss)(net, True)
    g_s = eqx.filter_grad(loss)(net, False)
    assert float(jnp.abs(g_l.blocks[0].weight).sum()) > 0
    for a, b in zip(jax.tree.leaves(g_l), jax.tree.leaves(g_s), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_jit_and_vmap_over_batch(key):
    net = _net(key)
    xs = jr.uniform(jr.key(4), (10, 3, 6))
    run = eqx.filter_jit(lambda m, x: snn.run(m, x, m.init_state(x.shape[1:]))[0])
    batched = jax.vmap(lambda x: run(net, x), in_axes=1, out_axes=1)(xs[:, :, None, :])
    np.testing.assert_array_equal(batched[:, :, 0, :], run(net, xs))


def test_flatten_and_init_state_shapes(key):
    net = snn.Sequential([snn.Flatten(2), snn.Linear(6, 4, key=key), snn.LIF()])
    state = net.init_state((5, 2, 3))
    assert state[0] is None and state[1] is None and state[2].v.shape == (5, 4)
    out, _ = snn.run(net, jnp.ones((7, 5, 2, 3)), state)
    assert out.shape == (7, 5, 4)


def test_errors(key):
    with pytest.raises(ValueError, match="`blocks` must hold"):
        snn.Sequential([])
    with pytest.raises(TypeError, match="blocks"):
        snn.Sequential([lambda x: x])
    with pytest.raises(ValueError, match="`in_features`"):
        snn.Linear(0, 3, key=key)
    with pytest.raises(ValueError, match="must end with 3 features"):
        snn.Linear(3, 2, key=key)(jnp.ones((4, 5)))
    with pytest.raises(ValueError, match="`ndim`"):
        snn.Flatten(0)
    net = _net(key)
    with pytest.raises(ValueError, match="one entry per block"):
        snn.run(net, jnp.ones((3, 2, 6)), (None,))
