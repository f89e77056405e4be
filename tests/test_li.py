"""LI readout: closed-form responses, norse's order, properties and errors."""

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
    return np.asarray(out), np.asarray(rec.v), np.asarray(rec.i)


def test_output_is_membrane_and_leaky_sum():
    beta, T = 0.7, 10
    xs = np.ones((T, 1))
    out, v, i = _run(snn.LI(beta=beta), xs)
    np.testing.assert_array_equal(out, v)
    np.testing.assert_allclose(
        v[:, 0], (1 - beta ** (np.arange(T) + 1)) / (1 - beta), rtol=1e-5
    )
    assert not i.any()


def test_synaptic_current_jump_then_decay():
    # norse order: j = i + x feeds v in the same step, then i = alpha * j
    a, b, T = 0.5, 0.9, 8
    xs = np.zeros((T, 1))
    xs[0] = 1.0
    _out, v, i = _run(snn.LI(beta=b, alpha=a), xs)
    t = np.arange(T)
    np.testing.assert_allclose(i[:, 0], a ** (t + 1), rtol=1e-6)
    # v_t = sum_{k<=t} b^(t-k) a^k = (b^(t+1) - a^(t+1)) / (b - a)
    np.testing.assert_allclose(
        v[:, 0], (b ** (t + 1) - a ** (t + 1)) / (b - a), rtol=1e-5
    )


def test_decay_input_and_v_leak():
    beta, v_leak = 0.5, -0.25
    li = snn.LI(beta=beta, v_leak=v_leak, decay_input=True)
    assert li.init_state((1,)).v.tolist() == [v_leak]
    _, v, _ = _run(li, np.full((6, 1), 1.0))
    # fixed point: v* = v_leak + x
    t = np.arange(6)
    np.testing.assert_allclose(v[:, 0], v_leak + 1.0 * (1 - beta ** (t + 1)), rtol=1e-6)


def test_from_tau():
    li = snn.LI.from_tau(4.0, tau_syn=2.0, dt=1.0)
    np.testing.assert_allclose([li.beta, li.alpha], np.exp([-0.25, -0.5]), rtol=1e-6)
    assert snn.LI.from_tau(4.0).alpha == 0


@settings(max_examples=25, deadline=None)
@given(
    beta=st.floats(0.0, 1.0),
    alpha=st.floats(0.0, 1.0),
    v_leak=st.floats(-1.0, 1.0, width=32, allow_subnormal=False),
)
def test_rest_stays_at_rest(beta, alpha, v_leak):
    _, v, i = _run(snn.LI(beta=beta, alpha=alpha, v_leak=v_leak), np.zeros((6, 2)))
    assert (v == np.float32(v_leak)).all() and not i.any()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"beta": 2.0}, "`beta`"),
        ({"alpha": -0.5}, "`alpha`"),
        ({"learn": {"threshold"}}, "`learn` names unknown parameters"),
    ],
)
def test_invalid_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.LI(**kwargs)
