"""Alpha: closed-form kernel, snntorch's resets by hand, properties, errors."""

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
    return np.asarray(out), rec


def test_impulse_response_is_difference_of_exponentials():
    # one impulse, no spike: v_t = tau_alpha (a^t - b^t),
    # with tau_alpha = ln a / (ln b - ln a) + 1
    a, b, T = 0.9, 0.7, 15
    xs = np.zeros((T, 1))
    xs[0] = 0.5
    out, rec = _run(snn.Alpha(alpha=a, beta=b, threshold=10.0), xs)
    tau = np.log(a) / (np.log(b) - np.log(a)) + 1
    t = np.arange(T)
    np.testing.assert_allclose(
        np.asarray(rec.v)[:, 0], tau * 0.5 * (a**t - b**t), rtol=1e-4, atol=1e-7
    )
    np.testing.assert_allclose(np.asarray(rec.i_exc)[:, 0], 0.5 * a**t, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(rec.i_inh)[:, 0], -0.5 * b**t, rtol=1e-5)
    assert not out.any()


def test_resets_by_hand():
    # alpha 0.5, beta 0.25: tau_alpha = 2. x = [4, 0]:
    # t0: e = 4, n = -4, v = 0 -> no spike; constant input to force a spike:
    xs = np.array([[0.0], [4.0], [0.0]])
    # t0: all 0. t1: e = 4, n = -4, v = 0. t2: e = 2, n = -1, v = 2 (spike).
    out, rec = _run(snn.Alpha(alpha=0.5, beta=0.25), xs)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(out[:, 0], [0, 0, 1])
    xs4 = np.array([[0.0], [4.0], [0.0], [0.0]])
    # t3 (zero reset, r = 1): e = 1, n = -0.25 -> all zeroed
    _, rec = _run(snn.Alpha(alpha=0.5, beta=0.25), xs4)
    np.testing.assert_allclose(np.asarray(rec.v)[3, 0], 0.0)
    # t3 (subtract, r = 1): e = 1 - 1, n = 0, v = 2*(1 - 0.25) + i_inh[2] = 1.5 - 1
    _, rec = _run(snn.Alpha(alpha=0.5, beta=0.25, reset="subtract"), xs4)
    np.testing.assert_allclose(np.asarray(rec.i_exc)[3, 0], 0.0)
    np.testing.assert_allclose(np.asarray(rec.i_inh)[3, 0], 0.0)
    np.testing.assert_allclose(np.asarray(rec.v)[3, 0], 0.5)


@settings(max_examples=25, deadline=None)
@given(a=st.floats(0.05, 0.95), b=st.floats(0.05, 0.95))
def test_rest_stays_at_rest(a, b):
    if abs(a - b) < 1e-3:
        return
    out, rec = _run(snn.Alpha(alpha=a, beta=b), np.zeros((8, 2)))
    assert not out.any() and not np.asarray(rec.v).any()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"alpha": 1.0}, "`alpha`"),
        ({"beta": 0.0}, "`beta`"),
        ({"alpha": 0.5, "beta": 0.5}, "`alpha` must differ from `beta`"),
        ({"reset": "hard"}, "`reset` must be one of"),
    ],
)
def test_invalid_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.Alpha(**kwargs)
