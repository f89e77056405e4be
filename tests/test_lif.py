"""LIF: reference math, seed timings, properties, gradients and errors."""

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.neurons.lif import lif_charge, lif_step


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:]), record=True)


def _run(model, xs):
    """Run on float32 `xs`; parameter values do not trigger recompilation."""
    out, final, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    return np.asarray(out), np.asarray(rec.v), final


def _reference_lif(
    xs, *, beta, thr, reset, timing, v_reset=0.0, v_leak=0.0, gain=1.0, inclusive=False
):
    """The documented update, written again in NumPy float64, step by step."""
    H = (lambda u: float(u >= 0)) if inclusive else (lambda u: float(u > 0))
    v, spikes, vs = v_leak, [], []
    for x in xs:
        if timing == "immediate":
            h = beta * (v - v_leak) + v_leak + gain * x
            s = H(h - thr)
            v = {"subtract": h - s * thr, "zero": s * v_reset + (1 - s) * h, "none": h}[
                reset
            ]
        else:
            r = H(v - thr)
            if reset == "subtract":
                h = beta * (v - v_leak) + v_leak + gain * x - r * thr
            elif reset == "zero":
                h = beta * ((1 - r) * v + r * v_reset - v_leak) + v_leak + gain * x
            else:
                h = beta * (v - v_leak) + v_leak + gain * x
            s = H(h - thr)
            v = h
            if timing == "delayed+immediate" and reset != "none":
                d = s - r
                v = h - d * thr if reset == "subtract" else h - d * (h - v_reset)
        spikes.append(s)
        vs.append(v)
    return np.array(spikes), np.array(vs)


def test_subthreshold_closed_form():
    # constant input c, no spikes: v_t = c (1 - beta^(t+1)) / (1 - beta)
    beta, c, T = 0.8, 0.1, 20
    lif = snn.LIF(beta=beta, threshold=10.0)
    out, v, _ = _run(lif, np.full((T, 1), c))
    t = np.arange(T)
    np.testing.assert_allclose(
        v[:, 0], c * (1 - beta ** (t + 1)) / (1 - beta), rtol=1e-5
    )
    assert not out.any()


def test_free_decay_towards_v_leak():
    # zero input from v0: v_t = v_leak + beta^(t+1) (v0 - v_leak)
    beta, v_leak, v0, T = 0.9, -0.5, 0.7, 15
    lif = snn.LIF(beta=beta, threshold=5.0, v_leak=v_leak)
    xs = jnp.zeros((T, 1))
    _, _, rec = snn.run(lif, xs, snn.LIFState(v=jnp.full((1,), v0)), record=True)
    t = np.arange(T)
    np.testing.assert_allclose(
        np.asarray(rec.v)[:, 0], v_leak + beta ** (t + 1) * (v0 - v_leak), rtol=1e-5
    )


def test_decay_input_steady_state_is_input():
    # g = 1 - beta: v_t = c (1 - beta^(t+1)) -> c
    beta, c, T = 0.5, 0.6, 12
    _, v, _ = _run(
        snn.LIF(beta=beta, threshold=5.0, decay_input=True), np.full((T, 1), c)
    )
    np.testing.assert_allclose(v[:, 0], c * (1 - beta ** (np.arange(T) + 1)), rtol=1e-6)


def test_hand_computed_first_spikes():
    # beta 0.5, threshold 1, x = 0.8: h = 0.8, 1.2 (spike, v = 0.2), 0.9, 1.25 ...
    out, v, _ = _run(snn.LIF(beta=0.5, threshold=1.0), np.full((4, 1), 0.8))
    np.testing.assert_array_equal(out[:, 0], [0, 1, 0, 1])
    np.testing.assert_allclose(v[:, 0], [0.8, 0.2, 0.9, 0.25], rtol=1e-6)


def test_delayed_reset_timings_by_hand():
    xs = np.array([[1.5], [0.0], [0.3]])
    # immediate subtract: spike at 0, v = 0.5, 0.25, 0.425
    out, v, _ = _run(snn.LIF(beta=0.5), xs)
    np.testing.assert_allclose(v[:, 0], [0.5, 0.25, 0.425])
    # delayed subtract (snntorch): stored mem is pre-reset; reset lands next step
    out, v, _ = _run(snn.LIF(beta=0.5, reset_timing="delayed"), xs)
    np.testing.assert_array_equal(out[:, 0], [1, 0, 0])
    np.testing.assert_allclose(v[:, 0], [1.5, 0.75 - 1.0, -0.125 + 0.3])
    # delayed zero (snntorch Leaky): old membrane zeroed, this step's input kept
    out, v, _ = _run(snn.LIF(beta=0.5, reset="zero", reset_timing="delayed"), xs)
    np.testing.assert_allclose(v[:, 0], [1.5, 0.0, 0.3])


def test_snntorch_no_delay_quirk_differs_from_immediate():
    # after x=2.5 the post-reset membrane 1.5 is still above threshold; snntorch's
    # reset_delay=False subtracts the delayed reset before the spike test.
    xs = np.array([[2.5], [0.5]])
    out_i, v_i, _ = _run(snn.LIF(beta=0.5), xs)
    out_q, v_q, _ = _run(snn.LIF(beta=0.5, reset_timing="delayed+immediate"), xs)
    np.testing.assert_array_equal(out_i[:, 0], [1, 1])
    np.testing.assert_array_equal(out_q[:, 0], [1, 0])
    np.testing.assert_allclose(v_i[:, 0], [1.5, 0.25])
    np.testing.assert_allclose(v_q[:, 0], [1.5, 1.25])  # 0.75 + 0.5 - 0 * 1


def test_spike_test_at_exact_threshold():
    xs = np.array([[1.0]])  # h = 1.0 exactly
    assert _run(snn.LIF(beta=0.5, spike_test=">"), xs)[0][0, 0] == 0
    assert _run(snn.LIF(beta=0.5, spike_test=">="), xs)[0][0, 0] == 1


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("timing", ["immediate", "delayed", "delayed+immediate"])
def test_matches_numpy_reference(reset, timing, key):
    xs = np.asarray(jax.random.uniform(key, (40, 1), minval=-0.3, maxval=1.1))
    kw = {"beta": 0.75, "threshold": 1.0, "v_reset": -0.2, "v_leak": 0.1}
    lif = snn.LIF(**kw, reset=reset, reset_timing=timing, decay_input=False)
    out, v, _ = _run(lif, xs)
    s_ref, v_ref = _reference_lif(
        xs[:, 0].astype(np.float64),
        beta=0.75,
        thr=1.0,
        reset=reset,
        timing=timing,
        v_reset=-0.2,
        v_leak=0.1,
    )
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(v[:, 0], v_ref, rtol=1e-5, atol=1e-5)


def test_pure_functions_match_module(key):
    x = jax.random.uniform(key, (4,))
    v = jnp.zeros(4)
    h = lif_charge(v, x, beta=jnp.full(4, 0.5), v_leak=jnp.zeros(4), decay_input=True)
    np.testing.assert_allclose(h, 0.5 * x)
    lif = snn.LIF(beta=0.5, decay_input=True)
    spikes, v1 = lif_step(
        x,
        v,
        beta=jnp.full(4, 0.5),
        threshold=jnp.ones(4),
        v_reset=jnp.zeros(4),
        v_leak=jnp.zeros(4),
        surrogate=lif.surrogate,
        reset="subtract",
        reset_timing="immediate",
        detach_reset=False,
        spike_test=">",
        decay_input=True,
    )
    out, state = lif(x, lif.init_state(x.shape))
    np.testing.assert_array_equal(out, spikes)
    np.testing.assert_array_equal(state.v, v1)


def test_per_neuron_parameters():
    betas = jnp.array([0.5, 0.9])
    lif = snn.LIF(beta=betas, threshold=10.0)
    _, v, _ = _run(lif, np.ones((3, 2, 2)))
    np.testing.assert_allclose(v[-1, 0], 1 + betas + betas**2, rtol=1e-6)


def test_from_tau():
    lif = snn.LIF.from_tau(10.0, dt=2.0)
    np.testing.assert_allclose(lif.beta, np.exp(-0.2), rtol=1e-6)
    with pytest.raises(ValueError, match="`tau`"):
        snn.LIF.from_tau(-1.0)
    with pytest.raises(ValueError, match="`dt`"):
        snn.LIF.from_tau(1.0, dt=0.0)


def test_detach_reset_changes_gradient_not_output(key):
    xs = jax.random.uniform(key, (20, 4), minval=0.0, maxval=1.5)

    def loss(x, detach):
        lif = snn.LIF(beta=0.9, detach_reset=detach)
        out, _, rec = snn.run(lif, x, lif.init_state(x.shape[1:]), record=True)
        return jnp.sum(rec.v), out

    (l0, o0), g0 = jax.value_and_grad(loss, has_aux=True)(xs, False)
    (l1, o1), g1 = jax.value_and_grad(loss, has_aux=True)(xs, True)
    np.testing.assert_array_equal(o0, o1)
    assert l0 == l1
    assert o0.sum() > 0
    assert not np.allclose(g0, g1)


def test_learn_threshold_gradient():
    xs = jnp.full((6, 1), 0.7)

    def loss(model):
        out, _, rec = snn.run(model, xs, model.init_state((1,)), record=True)
        return jnp.sum(out) + jnp.sum(rec.v)

    frozen = eqx.filter_grad(loss)(snn.LIF(beta=0.9))
    learned = eqx.filter_grad(loss)(snn.LIF(beta=0.9, learn={"threshold"}))
    assert frozen.threshold == 0 and frozen.beta == 0
    assert learned.threshold != 0 and learned.beta == 0


# ---------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None)
@given(
    beta=st.floats(0.0, 1.0),
    v_leak=st.floats(-1.0, 0.5, width=32, allow_subnormal=False),
    timing=st.sampled_from(["immediate", "delayed", "delayed+immediate"]),
    reset=st.sampled_from(["subtract", "zero", "none"]),
)
def test_rest_stays_at_rest(beta, v_leak, timing, reset):
    lif = snn.LIF(
        beta=beta,
        threshold=1.0,
        v_leak=v_leak,
        reset=reset,
        reset_timing=timing,
        v_reset=-1.5,
    )
    out, v, _ = _run(lif, np.zeros((10, 3)))
    assert not out.any()
    np.testing.assert_array_equal(v, np.full_like(v, np.float32(v_leak)))


@settings(max_examples=30, deadline=None)
@given(
    xs=st.lists(st.floats(-3.0, 3.0, width=32), min_size=1, max_size=20),
    timing=st.sampled_from(["immediate", "delayed", "delayed+immediate"]),
    reset=st.sampled_from(["subtract", "zero", "none"]),
)
def test_spikes_are_binary(xs, timing, reset):
    lif = snn.LIF(beta=0.8, reset=reset, reset_timing=timing)
    out, _, _ = _run(lif, np.asarray(xs)[:, None])
    assert set(np.unique(out)) <= {0.0, 1.0}


@settings(max_examples=30, deadline=None)
@given(
    c1=st.floats(0.0, 2.0),
    dc=st.floats(0.0, 1.0),
    beta=st.floats(0.0, 0.99),
    reset=st.sampled_from(["subtract", "zero"]),
)
def test_spike_count_monotone_in_constant_input(c1, dc, beta, reset):
    lif = snn.LIF(beta=beta, reset=reset)
    n1 = _run(lif, np.full((30, 1), c1))[0].sum()
    n2 = _run(lif, np.full((30, 1), c1 + dc))[0].sum()
    assert n2 >= n1


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"reset": "substract"}, "`reset` must be one of"),
        ({"reset_timing": "late"}, "`reset_timing` must be one of"),
        ({"spike_test": ">>"}, "`spike_test` must be one of"),
        ({"beta": 1.5}, r"`beta` must be finite and in \[0, 1\]"),
        ({"beta": -0.1}, "`beta`"),
        ({"beta": float("nan")}, "`beta`"),
        ({"threshold": float("inf")}, "`threshold`"),
        ({"v_leak": float("nan")}, "`v_leak`"),
        ({"reset": "zero", "v_reset": 1.0}, "`v_reset` must be below `threshold`"),
        ({"learn": {"tau"}}, "`learn` names unknown parameters"),
    ],
)
def test_invalid_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.LIF(**kwargs)


def test_learn_as_string_and_bool_parameter_rejected():
    with pytest.raises(TypeError, match="`learn` must be a collection"):
        snn.LIF(learn="beta")
    with pytest.raises(TypeError, match="`beta` must be a number"):
        snn.LIF(beta=True)


def test_traced_invalid_parameter_raises_under_jit():
    build = eqx.filter_jit(lambda b: snn.LIF(beta=b).beta)
    assert build(jnp.asarray(0.5)) == 0.5
    with pytest.raises(eqx.EquinoxRuntimeError, match="`beta`"):
        build(jnp.asarray(1.5))


def test_state_and_input_mismatch_errors():
    lif = snn.LIF()
    x = jnp.ones((2, 3))
    with pytest.raises(ValueError, match=r"`state.v` has shape \(3,\)"):
        lif(x, lif.init_state((3,)))
    with pytest.raises(TypeError, match="dtype"):
        lif(x, lif.init_state((2, 3), jnp.bfloat16))
    with pytest.raises(TypeError, match="floating-point"):
        lif(jnp.ones((2, 3), jnp.int32), lif.init_state((2, 3)))
    with pytest.raises(ValueError, match="`beta` has shape"):
        bad = snn.LIF(beta=jnp.full((2, 1), 0.5))  # would silently make (2, 3)->(2, 3)?
        bad(jnp.ones((3,)), bad.init_state((3,)))
