"""IF: reference math, properties and errors."""

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
    return np.asarray(out), np.asarray(rec.v)


def test_perfect_integration_below_threshold():
    xs = np.array([[0.25], [0.5], [-0.125]])
    out, v = _run(snn.IF(threshold=2.0), xs)
    np.testing.assert_array_equal(v[:, 0], np.cumsum(xs[:, 0]))
    assert not out.any()


def test_subtract_conserves_charge():
    # soft reset: n_t * threshold + v_t == sum of inputs (dyadic values: exact)
    xs = np.full((16, 1), 0.375)
    out, v = _run(snn.IF(threshold=1.0), xs)
    np.testing.assert_array_equal(np.cumsum(out[:, 0]) + v[:, 0], np.cumsum(xs[:, 0]))


def test_hard_reset_by_hand():
    # starts at v_reset = -0.5; x = 0.4: -0.1, 0.3, 0.7, 1.1 -> spike, -0.5, -0.1
    out, v = _run(snn.IF(reset="zero", v_reset=-0.5), np.full((5, 1), 0.4))
    np.testing.assert_array_equal(out[:, 0], [0, 0, 0, 1, 0])
    np.testing.assert_allclose(v[:, 0], [-0.1, 0.3, 0.7, -0.5, -0.1], rtol=1e-6)


def test_initial_state_follows_spikingjelly():
    assert snn.IF(reset="zero", v_reset=-0.5).init_state((2,)).v.tolist() == [-0.5] * 2
    assert snn.IF(reset="subtract", v_reset=-0.5).init_state((2,)).v.tolist() == [0, 0]


def test_inclusive_spike_test():
    xs = np.array([[0.5], [0.5]])
    assert _run(snn.IF(spike_test=">="), xs)[0][:, 0].tolist() == [0, 1]
    assert _run(snn.IF(spike_test=">"), xs)[0][:, 0].tolist() == [0, 0]


@settings(max_examples=30, deadline=None)
@given(
    c1=st.floats(0.0, 2.0),
    dc=st.floats(0.0, 1.0),
    reset=st.sampled_from(["subtract", "zero"]),
)
def test_spike_count_monotone_in_constant_input(c1, dc, reset):
    n1 = _run(snn.IF(reset=reset), np.full((25, 1), c1))[0].sum()
    n2 = _run(snn.IF(reset=reset), np.full((25, 1), c1 + dc))[0].sum()
    assert n2 >= n1


@settings(max_examples=30, deadline=None)
@given(xs=st.lists(st.floats(-3.0, 3.0, width=32), min_size=1, max_size=20))
def test_spikes_are_binary_and_zero_input_rests(xs):
    out, _ = _run(snn.IF(), np.asarray(xs)[:, None])
    assert set(np.unique(out)) <= {0.0, 1.0}
    out, v = _run(snn.IF(reset="zero", v_reset=-0.25), np.zeros((len(xs), 2)))
    assert not out.any() and (v == np.float32(-0.25)).all()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"reset": "hard"}, "`reset` must be one of"),
        ({"spike_test": "ge"}, "`spike_test` must be one of"),
        ({"threshold": float("nan")}, "`threshold`"),
        (
            {"reset": "zero", "threshold": 0.5, "v_reset": 0.5},
            "`v_reset` must be below",
        ),
        ({"learn": {"beta"}}, "`learn` names unknown parameters"),
    ],
)
def test_invalid_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.IF(**kwargs)
