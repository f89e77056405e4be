"""Synaptic: reference math, seed timings, properties and errors."""

import equinox as eqx
import hypothesis.strategies as st
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:]), record=True)


def _run(model, xs):
    out, _, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    return np.asarray(out), np.asarray(rec.i), np.asarray(rec.v)


def test_impulse_response_closed_form():
    # one unit impulse, no spikes: i_t = a^t, v_t = sum_k b^(t-k) a^k
    a, b, T = 0.6, 0.8, 12
    xs = np.zeros((T, 1))
    xs[0] = 1.0
    out, i, v = _run(snn.Synaptic(alpha=a, beta=b, threshold=10.0), xs)
    t = np.arange(T)
    np.testing.assert_allclose(i[:, 0], a**t, rtol=1e-5)
    np.testing.assert_allclose(
        v[:, 0], (b ** (t + 1) - a ** (t + 1)) / (b - a), rtol=1e-5
    )
    assert not out.any()


def test_delayed_zero_resets_whole_membrane_not_current():
    # snntorch Synaptic 'zero': after a spike the next membrane is zeroed
    # including that step's synaptic input; the current keeps decaying.
    xs = np.array([[1.5], [0.25], [0.0]])
    syn = snn.Synaptic(alpha=0.5, beta=0.5, reset="zero", reset_timing="delayed")
    out, i, v = _run(syn, xs)
    np.testing.assert_allclose(i[:, 0], [1.5, 1.0, 0.5])
    np.testing.assert_allclose(v[:, 0], [1.5, 0.0, 0.5])
    np.testing.assert_array_equal(out[:, 0], [1, 0, 0])


def test_immediate_and_delayed_subtract_by_hand():
    xs = np.array([[1.5], [0.0]])
    _, _, v = _run(snn.Synaptic(alpha=0.5, beta=0.5), xs)
    np.testing.assert_allclose(v[:, 0], [0.5, 0.25 + 0.75])  # 0.5*0.5 + i=0.75
    _, _, v = _run(snn.Synaptic(alpha=0.5, beta=0.5, reset_timing="delayed"), xs)
    np.testing.assert_allclose(v[:, 0], [1.5, 0.75 + 0.75 - 1.0])


def test_from_tau():
    syn = snn.Synaptic.from_tau(5.0, 10.0, dt=1.0)
    np.testing.assert_allclose([syn.alpha, syn.beta], np.exp([-0.2, -0.1]), rtol=1e-6)
    with pytest.raises(ValueError, match="`tau_syn`"):
        snn.Synaptic.from_tau(0.0, 1.0)


@settings(max_examples=25, deadline=None)
@given(
    alpha=st.floats(0.0, 1.0),
    beta=st.floats(0.0, 1.0),
    timing=st.sampled_from(["immediate", "delayed", "delayed+immediate"]),
)
def test_rest_stays_at_rest(alpha, beta, timing):
    out, i, v = _run(snn.Synaptic(alpha, beta, reset_timing=timing), np.zeros((8, 2)))
    assert not out.any() and not i.any() and not v.any()


@settings(max_examples=25, deadline=None)
@given(
    xs=st.lists(st.floats(-3.0, 3.0, width=32), min_size=1, max_size=20),
    reset=st.sampled_from(["subtract", "zero", "none"]),
)
def test_spikes_are_binary(xs, reset):
    out, _, _ = _run(snn.Synaptic(reset=reset), np.asarray(xs)[:, None])
    assert set(np.unique(out)) <= {0.0, 1.0}


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"alpha": 1.01}, "`alpha`"),
        ({"beta": -1.0}, "`beta`"),
        ({"reset": "soft"}, "`reset` must be one of"),
        ({"reset_timing": "never"}, "`reset_timing` must be one of"),
        ({"learn": {"tau"}}, "`learn` names unknown parameters"),
    ],
)
def test_invalid_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.Synaptic(**kwargs)


def test_state_mismatch_names_the_field():
    syn = snn.Synaptic()
    state = eqx.tree_at(lambda s: s.v, syn.init_state((3,)), jnp.zeros((4,)))
    with pytest.raises(ValueError, match=r"`state.v` has shape \(4,\)"):
        syn(jnp.ones((3,)), state)
