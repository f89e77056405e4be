"""`snnjax.run`: outputs, recording, unroll, generic models and input checks."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import snnjax as snn


def test_run_equals_python_loop(key):
    lif = snn.LIF(beta=0.8)
    xs = jax.random.uniform(key, (15, 2, 3), minval=0.0, maxval=1.5)
    state = lif.init_state(xs.shape[1:])
    outs, states = [], []
    for x in xs:
        out, state = lif(x, state)
        outs.append(out)
        states.append(state.v)
    got, final, rec = snn.run(lif, xs, lif.init_state(xs.shape[1:]), record=True)
    np.testing.assert_array_equal(got, jnp.stack(outs))
    np.testing.assert_array_equal(rec.v, jnp.stack(states))
    np.testing.assert_array_equal(final.v, state.v)


@pytest.mark.parametrize("unroll", [1, 3, True])
def test_unroll_does_not_change_results(unroll, key):
    syn = snn.Synaptic(alpha=0.5, beta=0.8)
    xs = jax.random.uniform(key, (10, 4), minval=0.0, maxval=1.5)
    ref = snn.run(syn, xs, syn.init_state((4,)))
    got = snn.run(syn, xs, syn.init_state((4,)), unroll=unroll)
    chex_equal = jax.tree_util.tree_map(np.testing.assert_array_equal, got, ref)
    assert chex_equal is not None


def test_generic_callable_model():
    # any (x, state) -> (y, state) module works, e.g. a running sum
    class Accumulate(eqx.Module):
        def __call__(self, x, state):
            state = state + x
            return 2 * state, state

    outs, final = snn.run(Accumulate(), jnp.ones((4, 2)), jnp.zeros(2))
    np.testing.assert_array_equal(outs[:, 0], [2, 4, 6, 8])
    np.testing.assert_array_equal(final, [4, 4])


def test_record_false_returns_pair():
    lif = snn.LIF()
    result = snn.run(lif, jnp.ones((3, 1)), lif.init_state((1,)))
    assert len(result) == 2


def test_batch_major_input_gets_time_axis_hint():
    lif = snn.LIF()
    batch_major = jnp.ones((8, 100, 5))  # (batch, time, features): a common slip
    with pytest.raises(ValueError, match="time-major"):
        snn.run(lif, batch_major, lif.init_state((8, 5)))


def test_integer_input_rejected():
    lif = snn.LIF()
    with pytest.raises(TypeError, match="floating-point"):
        snn.run(lif, jnp.ones((3, 2), jnp.int32), lif.init_state((2,)))


def test_scalar_input_rejected():
    # Under the test-suite's jaxtyping hook the annotation (" time *shape")
    # rejects it first (TypeError naming `xs`); without it, run's own
    # ValueError ("leading time axis") does.
    lif = snn.LIF()
    with pytest.raises((TypeError, ValueError), match="xs"):
        snn.run(lif, jnp.asarray(1.0), lif.init_state(()))


def test_bad_unroll():
    lif = snn.LIF()
    with pytest.raises(ValueError, match="`unroll`"):
        snn.run(lif, jnp.ones((3, 2)), lif.init_state((2,)), unroll=0)


def test_state_dtype_mismatch():
    lif = snn.LIF()
    with pytest.raises(TypeError, match="dtype"):
        snn.run(lif, jnp.ones((3, 2), jnp.bfloat16), lif.init_state((2,)))
