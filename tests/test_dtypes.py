"""Dtype contract across every registered model.

* Floating inputs keep their dtype through every model: the output, the final
  state and every recorded state leaf. float32 and bfloat16 (and float64 with
  x64) are covered for every model in `test_transforms.py`; this file adds
  float16, which has the narrowest range (max 65504) and so also checks that
  no model overflows on ordinary inputs.
* Neurons take input *currents*: integer or boolean input raises `TypeError`
  with a hint to cast (a spike count fed straight into a membrane is almost
  always a missing `Linear`). `snnjax.Linear` accepts integer and boolean
  spikes and casts them to its weight dtype, so `Sequential([Linear, LIF])`
  takes raw spike trains.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import snnjax
from tests.helpers import ALL_NEURONS, inputs

SHAPE = (2, 5)
run_jit = eqx.filter_jit(snnjax.run)


@pytest.mark.parametrize("name", list(ALL_NEURONS))
def test_float16_in_float16_out(name):
    model = ALL_NEURONS[name]()
    xs = inputs(jr.key(0), (8, *SHAPE)).astype(jnp.float16)
    state = model.init_state(SHAPE, jnp.float16)
    outs, final, rec = run_jit(model, xs, state, record=True)
    assert outs.dtype == jnp.float16
    for leaf in jax.tree.leaves((state, final, rec)):
        assert leaf.dtype == jnp.float16
        assert bool(jnp.all(jnp.isfinite(leaf)))
    assert bool(jnp.all(jnp.isfinite(outs)))


@pytest.mark.parametrize("name", list(ALL_NEURONS))
@pytest.mark.parametrize("dtype", [jnp.int32, jnp.bool_])
def test_neurons_reject_integer_and_boolean_input(name, dtype):
    model = ALL_NEURONS[name]()
    xs = jnp.ones((4, *SHAPE), dtype)
    with pytest.raises(TypeError, match=r"input `x` must be a floating-point array"):
        snnjax.run(model, xs, model.init_state(SHAPE))


@pytest.mark.parametrize("dtype", [jnp.int32, jnp.int8, jnp.bool_])
def test_linear_casts_integer_and_boolean_spikes(dtype):
    layer = snnjax.Linear(3, 2, key=jr.key(0))
    spikes = jnp.asarray([[1, 0, 1], [0, 0, 1]]).astype(dtype)
    out = layer(spikes)
    assert out.dtype == layer.weight.dtype
    expected = np.asarray(spikes, np.float32) @ np.asarray(layer.weight).T
    expected = expected + np.asarray(layer.bias)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_sequential_takes_boolean_spike_trains():
    net = snnjax.Sequential([snnjax.Linear(3, 5, key=jr.key(1)), snnjax.LIF(beta=0.9)])
    xs = jr.bernoulli(jr.key(2), 0.5, (6, 4, 3))  # (time, batch, in) bool
    outs, _ = snnjax.run(net, xs, net.init_state(xs.shape[1:]))
    assert outs.shape == (6, 4, 5)
    assert outs.dtype == jnp.float32
    ref, _ = snnjax.run(net, xs.astype(jnp.float32), net.init_state(xs.shape[1:]))
    np.testing.assert_array_equal(np.asarray(outs), np.asarray(ref))
