"""GradedSpikes, WinnerTakeAll and state quantisation (snntorch options)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import snnjax as snn


def test_graded_spikes_scale_output_only(key):
    xs = jax.random.uniform(key, (20, 2, 3), minval=0.0, maxval=1.5)
    lif = snn.LIF(beta=0.8)
    graded = snn.GradedSpikes(lif, factor=jnp.array([0.5, 2.0, 3.0]))
    out_l, st_l = snn.run(lif, xs, lif.init_state((2, 3)))
    out_g, st_g = snn.run(graded, xs, graded.init_state((2, 3)))
    np.testing.assert_array_equal(out_g, np.asarray(out_l) * np.array([0.5, 2.0, 3.0]))
    np.testing.assert_array_equal(st_g.v, st_l.v)
    assert out_l.sum() > 0


def test_graded_factor_learnable_or_frozen():
    xs = jnp.full((5, 2), 1.2)

    def loss(m):
        return snn.run(m, xs, m.init_state((2,)))[0].sum()

    g_frozen = eqx.filter_grad(loss)(snn.GradedSpikes(snn.LIF(), 2.0))
    g_learn = eqx.filter_grad(loss)(snn.GradedSpikes(snn.LIF(), 2.0, learn={"factor"}))
    assert g_frozen.factor == 0
    # d/dg sum(g * s) = number of spikes (5 steps at 1.2 > 1 each: 5 per neuron)
    assert g_learn.factor == 10.0


def test_winner_take_all_one_spike_per_row():
    # pre-reset membranes with the delayed reset: 1.5, 2.0, 1.2 -> neuron 1 wins
    lif = snn.LIF(beta=0.5, reset_timing="delayed")
    wta = snn.WinnerTakeAll(lif)
    xs = jnp.array([[[1.5, 2.0, 1.2], [0.2, 1.1, 1.3]]])
    out, _ = snn.run(wta, xs, wta.init_state((2, 3)))
    np.testing.assert_array_equal(out[0], [[0, 1, 0], [0, 0, 1]])


def test_winner_only_if_it_fires():
    wta = snn.WinnerTakeAll(snn.LIF(beta=0.5, reset_timing="delayed"))
    out, _ = snn.run(wta, jnp.array([[0.5, 0.9]]), wta.init_state((2,)))
    np.testing.assert_array_equal(out, [[0, 0]])


def test_winner_take_all_axis_checked():
    wta = snn.WinnerTakeAll(snn.LIF(), axis=2)
    with pytest.raises(ValueError, match="`axis` 2 is out of range"):
        wta.init_state((3, 4))
    with pytest.raises(TypeError, match="axis"):
        snn.WinnerTakeAll(snn.LIF(), axis=1.0)


def test_state_quant_applies_before_the_spike_test():
    def quant(v):  # round to quarters
        return jnp.round(v * 4) / 4

    xs = jnp.array([[0.9], [0.0]])  # 0.9 -> 1.0 after rounding: not > 1
    lif = snn.LIF(beta=0.5, state_quant=quant)
    out, _, rec = snn.run(lif, xs, lif.init_state((1,)), record=True)
    np.testing.assert_array_equal(rec.v[:, 0], [1.0, 0.5])
    np.testing.assert_array_equal(out[:, 0], [0, 0])
    lif = snn.LIF(beta=0.5, spike_test=">=", state_quant=quant)
    out, _ = snn.run(lif, xs, lif.init_state((1,)))
    np.testing.assert_array_equal(out[:, 0], [1, 0])  # fires on the rounded 1.0
    syn = snn.Synaptic(alpha=0.5, beta=0.5, state_quant=quant)
    _, _, rec = snn.run(syn, jnp.array([[0.3]]), syn.init_state((1,)), record=True)
    np.testing.assert_array_equal(rec.i[:, 0], [0.25])
    with pytest.raises(TypeError, match="state_quant"):
        snn.LIF(state_quant=1.0)
