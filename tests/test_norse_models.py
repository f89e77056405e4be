"""norse-derived models: reference math, properties, gradients, compat and errors.

CubaLIF, CubaLIFRecurrent, AdEx, Izhikevich, LSNN and CubaLIFRefrac are checked
against their documented updates re-written in NumPy float64 (norse's Euler
form), closed forms and hand-computed steps; the compat constructors of
`snnjax.compat.norse.torch` against the native models they build.
"""

import math

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
import snnjax.compat.norse.torch as norse
from snnjax.compat.norse.torch import functional as F


@eqx.filter_jit
def _jit_run(model, xs, state):
    return snn.run(model, xs, state, record=True)


def _run(model, xs, state=None):
    xs = jnp.asarray(xs, jnp.float32)
    if state is None:
        state = model.init_state(xs.shape[1:])
    out, final, rec = _jit_run(model, xs, state)
    return np.asarray(out), rec, final


def _H(u):
    return (u > 0).astype(np.float64)


# ------------------------------------------------------------ NumPy references


def _ref_cuba(xs, *, c_syn, c_mem, v_th, v_leak=0.0, v_reset=0.0, reset="zero"):
    """norse's feed-forward LIF step, in norse's form, float64."""
    v = np.full(xs.shape[1:], v_leak, np.float64)
    i = np.zeros(xs.shape[1:])
    spikes, vs, is_ = [], [], []
    for x in xs:
        j = i + x
        h = v + c_mem * ((v_leak - v) + j)
        i = j - c_syn * j
        s = _H(h - v_th)
        v = {"zero": (1 - s) * h + s * v_reset, "subtract": h - s * v_th, "none": h}[
            reset
        ]
        spikes.append(s)
        vs.append(v)
        is_.append(i)
    return np.array(spikes), np.array(vs), np.array(is_)


def _ref_adex(xs, *, c_syn, c_mem, c_ada, v_th, delta_T, a, b, v_leak, v_reset):
    v = np.full(xs.shape[1:], v_leak, np.float64)
    i = np.zeros(xs.shape[1:])
    w = np.zeros(xs.shape[1:])
    out = []
    for x in xs:
        j = i + x
        h = v + c_mem * ((v_leak - v) + delta_T * np.exp((v - v_th) / delta_T) + j - w)
        i = j - c_syn * j
        w = w + c_ada * (a * (v - v_leak) - w)
        s = _H(h - v_th)
        v = (1 - s) * h + s * v_reset
        w = w + s * b
        out.append((s, v, i, w))
    return [np.array(a) for a in zip(*out, strict=True)]


def _ref_lsnn(xs, *, c_syn, c_mem, c_adapt, v_th, jump, v_leak=0.0, v_reset=0.0):
    v = np.full(xs.shape[1:], v_leak, np.float64)
    i = np.zeros(xs.shape[1:])
    b = np.full(xs.shape[1:], v_th, np.float64)
    out = []
    for x in xs:
        h = v + c_mem * ((v_leak - v) + i)
        i = i - c_syn * i
        b = b + c_adapt * (v_th - b)
        s = _H(h - b)
        v = (1 - s) * h + s * v_reset
        b = b + s * jump
        i = i + x
        out.append((s, v, i, b))
    return [np.array(a) for a in zip(*out, strict=True)]


def _ref_izhikevich(xs, *, a, b, c, d, h_step, v0, u0, v_th=30.0):
    v = np.full(xs.shape[1:], v0, np.float64)
    u = np.full(xs.shape[1:], u0, np.float64)
    out = []
    for x in xs:
        v_ = v + h_step * (0.04 * v**2 + 5 * v + 140 - u + x)
        u_ = u + h_step * a * (b * v - u)
        s = _H(v_ - v_th)
        v = (1 - s) * v_ + s * c
        u = u_ + s * d
        out.append((s, v, u))
    return [np.array(a) for a in zip(*out, strict=True)]


def _inputs(key, shape=(30, 2, 3), low=-0.5, high=3.0):
    return np.asarray(jr.uniform(key, shape, minval=low, maxval=high), np.float64)


# --------------------------------------------------------------------- CubaLIF


@pytest.mark.parametrize("reset", ["zero", "subtract", "none"])
def test_cuba_lif_matches_norse_equations(reset, key):
    xs = _inputs(key)
    neuron = snn.CubaLIF(
        alpha=0.8, beta=0.9, threshold=1.0, v_leak=0.1, v_reset=-0.2, reset=reset
    )
    out, rec, _ = _run(neuron, xs)
    s, v, i = _ref_cuba(
        xs, c_syn=0.2, c_mem=0.1, v_th=1.0, v_leak=0.1, v_reset=-0.2, reset=reset
    )
    assert s.any()
    np.testing.assert_array_equal(out, s)
    np.testing.assert_allclose(rec.v, v, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rec.i, i, rtol=1e-5, atol=1e-5)


def test_cuba_lif_single_pulse_closed_form():
    # x = x0 at t = 0 only, no spike: i_t = alpha^(t+1) x0 and
    # v_t = (1 - beta) x0 (beta^(t+1) - alpha^(t+1)) / (beta - alpha)
    alpha, beta, x0, T = 0.6, 0.9, 1.0, 15
    xs = np.zeros((T, 1))
    xs[0] = x0
    _, rec, _ = _run(snn.CubaLIF(alpha=alpha, beta=beta, threshold=5.0), xs)
    t = np.arange(T) + 1
    np.testing.assert_allclose(rec.i[:, 0], alpha**t * x0, rtol=1e-5)
    expected = (1 - beta) * x0 * (beta**t - alpha**t) / (beta - alpha)
    np.testing.assert_allclose(rec.v[:, 0], expected, rtol=1e-5)


def test_cuba_lif_input_reaches_membrane_in_the_same_step():
    # norse 1.1.0 jumps the current before integrating: h_0 = (1 - beta) x_0
    out, rec, _ = _run(snn.CubaLIF(alpha=0.5, beta=0.5), [[3.0]])
    assert out[0, 0] == 1.0  # 1.5 > 1
    assert float(rec.v[0, 0]) == 0.0  # reset to v_reset
    assert float(rec.i[0, 0]) == 1.5


def test_cuba_lif_strict_threshold():
    # h = 0.5 * 2 = 1.0 exactly: no spike with ">", a spike with ">="
    assert _run(snn.CubaLIF(alpha=0.0, beta=0.5), [[2.0]])[0][0, 0] == 0
    neuron = snn.CubaLIF(alpha=0.0, beta=0.5, spike_test=">=")
    assert _run(neuron, [[2.0]])[0][0, 0] == 1


def test_cuba_lif_from_tau():
    euler = snn.CubaLIF.from_tau(5.0, 10.0, dt=1.0)
    np.testing.assert_allclose([euler.alpha, euler.beta], [0.8, 0.9], rtol=1e-6)
    exact = snn.CubaLIF.from_tau(5.0, 10.0, dt=1.0, discretisation="exact")
    np.testing.assert_allclose(
        [exact.alpha, exact.beta], [math.exp(-0.2), math.exp(-0.1)], rtol=1e-6
    )
    with pytest.raises(ValueError, match="`dt / tau_mem`"):
        snn.CubaLIF.from_tau(5.0, 0.5, dt=1.0)
    with pytest.raises(ValueError, match="`tau_syn`"):
        snn.CubaLIF.from_tau(0.0, 1.0)
    with pytest.raises(ValueError, match="`dt`"):
        snn.CubaLIF.from_tau(1.0, 1.0, dt=-1.0)
    with pytest.raises(ValueError, match="`discretisation`"):
        snn.CubaLIF.from_tau(1.0, 1.0, discretisation="rk4")


def test_cuba_lif_detach_reset_changes_gradient_not_output(key):
    xs = jnp.asarray(_inputs(key), jnp.float32)

    def loss(x, detach):
        m = snn.CubaLIF(alpha=0.7, beta=0.7, detach_reset=detach)
        out, _, rec = snn.run(m, x, m.init_state(x.shape[1:]), record=True)
        return jnp.sum(rec.v), out

    (_, o0), g0 = jax.value_and_grad(loss, has_aux=True)(xs, False)
    (_, o1), g1 = jax.value_and_grad(loss, has_aux=True)(xs, True)
    np.testing.assert_array_equal(o0, o1)
    assert o0.sum() > 0
    assert not np.allclose(g0, g1)


def test_cuba_lif_errors():
    with pytest.raises(ValueError, match="`alpha`"):
        snn.CubaLIF(alpha=1.5)
    with pytest.raises(ValueError, match="`beta`"):
        snn.CubaLIF(beta=-0.1)
    with pytest.raises(ValueError, match="`v_reset` must be below `threshold`"):
        snn.CubaLIF(threshold=1.0, v_reset=1.0)
    snn.CubaLIF(threshold=1.0, v_reset=1.0, reset="subtract")  # no such rule
    with pytest.raises(ValueError, match="`reset`"):
        snn.CubaLIF(reset="value")
    with pytest.raises(ValueError, match="`spike_test`"):
        snn.CubaLIF(spike_test="<")
    with pytest.raises(ValueError, match="`learn`"):
        snn.CubaLIF(learn={"tau"})
    with pytest.raises(TypeError, match="threshold"):
        snn.CubaLIF(threshold="1")  # pyright: ignore[reportArgumentType] (tested)


# ----------------------------------------------------------- CubaLIFRecurrent


def _ref_recurrent(xs, w_in, w_rec, *, c_syn, c_mem, v_th):
    n = w_in.shape[0]
    v = np.zeros((*xs.shape[1:-1], n))
    i = np.zeros_like(v)
    z = np.zeros_like(v)
    spikes, vs = [], []
    for x in xs:
        j = i + x @ w_in.T + z @ w_rec.T
        h = v + c_mem * (-v + j)
        i = j - c_syn * j
        z = _H(h - v_th)
        v = (1 - z) * h
        spikes.append(z)
        vs.append(v)
    return np.array(spikes), np.array(vs)


def test_recurrent_matches_norse_equations_and_drops_autapses(key):
    k1, k2, k3 = jr.split(key, 3)
    w_in = np.asarray(jr.normal(k1, (4, 3)))
    w_rec = np.asarray(jr.normal(k2, (4, 4)))
    xs = _inputs(k3, (25, 2, 3), low=0.0, high=2.0)
    layer = snn.CubaLIFRecurrent(w_in, w_rec, alpha=0.8, beta=0.9)
    out, rec, _ = _run(layer, xs)
    assert out.shape == (25, 2, 4)
    no_diag = w_rec * (1 - np.eye(4))
    s, v = _ref_recurrent(xs, w_in, no_diag, c_syn=0.2, c_mem=0.1, v_th=1.0)
    assert s.any()
    np.testing.assert_array_equal(out, s)
    np.testing.assert_allclose(rec.v, v, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(rec.z, out)
    # autapses=True keeps the diagonal
    layer = snn.CubaLIFRecurrent(w_in, w_rec, alpha=0.8, beta=0.9, autapses=True)
    out, rec, _ = _run(layer, xs)
    s, v = _ref_recurrent(xs, w_in, w_rec, c_syn=0.2, c_mem=0.1, v_th=1.0)
    np.testing.assert_array_equal(out, s)


def test_recurrent_gradients_autapse_diagonal_and_detach(key):
    xs = jnp.asarray(_inputs(key, (20, 3), low=0.0, high=3.0), jnp.float32)
    w_in = jnp.eye(3)
    w_rec = 0.4 * jnp.ones((3, 3))

    def loss(w_rec, detach):
        layer = snn.CubaLIFRecurrent(
            w_in, w_rec, alpha=0.6, beta=0.7, detach_reset=detach
        )
        out, _, rec = snn.run(layer, xs, layer.init_state((3,)), record=True)
        return jnp.sum(rec.v) + jnp.sum(out)

    g = jax.grad(loss)(w_rec, True)
    np.testing.assert_array_equal(np.diag(g), 0.0)  # norse's autapse hook
    assert np.abs(g).sum() > 0
    assert not np.allclose(g, jax.grad(loss)(w_rec, False))


def test_recurrent_random_and_errors(key):
    layer = snn.CubaLIFRecurrent.random(3, 200, key=key)
    assert layer.input_weights.shape == (200, 3)
    np.testing.assert_allclose(np.std(layer.recurrent_weights), 0.1, rtol=0.05)
    assert layer.learn == {"input_weights", "recurrent_weights"}
    with pytest.raises(ValueError, match="`input_weights` must have shape"):
        snn.CubaLIFRecurrent(jnp.ones(3), jnp.ones((3, 3)))
    with pytest.raises(ValueError, match="`recurrent_weights` must have shape"):
        snn.CubaLIFRecurrent(jnp.ones((3, 2)), jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="`alpha` must be a scalar or have shape"):
        snn.CubaLIFRecurrent(jnp.ones((3, 2)), jnp.ones((3, 3)), alpha=jnp.ones(2))
    layer = snn.CubaLIFRecurrent(jnp.ones((3, 2)), jnp.ones((3, 3)))
    with pytest.raises(ValueError, match="must end with the 2 input features"):
        layer.init_state((4, 3))
    state = layer.init_state((4, 2))
    assert state.v.shape == (4, 3)
    with pytest.raises(ValueError, match=r"the input must have shape \(\*batch, 2\)"):
        layer(jnp.ones((4, 3)), state)
    with pytest.raises(ValueError, match=r"`state.v` has shape \(4, 3\)"):
        layer(jnp.ones((5, 2)), state)
    with pytest.raises(TypeError, match="has dtype float32"):
        layer(jnp.ones((4, 2), jnp.bfloat16), state)
    with pytest.raises(TypeError, match="floating-point"):
        layer(jnp.ones((4, 2), jnp.int32), state)


# ------------------------------------------------------------------------ AdEx


def test_adex_matches_norse_equations(key):
    xs = _inputs(key, high=4.0)
    kw = {"delta_T": 0.5, "a": 4.0, "b": 0.02, "v_leak": 0.0, "v_reset": -0.1}
    neuron = snn.AdEx(
        alpha=0.8,
        beta=0.9,
        rho=0.998,
        threshold=1.0,
        delta_T=0.5,
        adaptation_coupling=4.0,
        adaptation_jump=0.02,
        v_reset=-0.1,
    )
    out, rec, _ = _run(neuron, xs)
    s, v, i, w = _ref_adex(xs, c_syn=0.2, c_mem=0.1, c_ada=0.002, v_th=1.0, **kw)
    assert s.any()
    np.testing.assert_array_equal(out, s)
    for ours, theirs in ((rec.v, v), (rec.i, i), (rec.w, w)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_adex_subthreshold_adaptation_and_from_tau():
    # held at v - v_leak = 0.5 by hand: w relaxes to a * 0.5 with rate 1 - rho
    neuron = snn.AdEx.from_tau(
        5.0, 10.0, 4.0, dt=1.0, threshold=5.0, adaptation_coupling=2.0
    )
    np.testing.assert_allclose(
        [neuron.alpha, neuron.beta, neuron.rho], [0.8, 0.9, 0.75]
    )
    state = snn.AdExState(v=jnp.full((1,), 0.5), i=jnp.zeros(1), w=jnp.zeros(1))
    _, state = neuron(jnp.zeros(1), state)
    np.testing.assert_allclose(state.w, [0.25 * 2.0 * 0.5], rtol=1e-6)
    with pytest.raises(ValueError, match="`dt / tau_w`"):
        snn.AdEx.from_tau(5.0, 10.0, 0.5, dt=1.0)


def test_adex_errors():
    with pytest.raises(ValueError, match="`delta_T`"):
        snn.AdEx(delta_T=0.0)
    with pytest.raises(ValueError, match="`rho`"):
        snn.AdEx(rho=2.0)
    with pytest.raises(ValueError, match="`adaptation_jump`"):
        snn.AdEx(adaptation_jump=float("nan"))
    with pytest.raises(ValueError, match="`adaptation_coupling`"):
        snn.AdEx(adaptation_coupling=float("inf"))


# ------------------------------------------------------------------ Izhikevich


def test_izhikevich_presets_are_norse_behaviours():
    p = snn.Izhikevich.PRESETS
    assert len(p) == 20
    assert p["tonic_spiking"][:6] == (0.02, 0.2, -65.0, 6.0, -70.0, -70.0 * 0.2)
    assert p["accomodation"].u_rest == -16.0  # not b * v_rest
    assert p["phasic_bursting"].dt == 0.2  # tau_inv = 200
    assert p["class_1_exc"].linear == 4.1 and p["class_1_exc"].constant == 108.0
    neuron = snn.Izhikevich.preset("class_1_exc")
    np.testing.assert_allclose([neuron.linear, neuron.constant], [4.1, 108.0])
    with pytest.raises(ValueError, match="`name`"):
        snn.Izhikevich.preset("tonic")


def test_izhikevich_rest_and_hand_computed_spike():
    neuron = snn.Izhikevich.preset("tonic_spiking")
    out, rec, _ = _run(neuron, np.zeros((20, 1)))
    assert not out.any()
    np.testing.assert_array_equal(rec.v, -70.0)  # the fixed point of tonic spiking
    np.testing.assert_array_equal(rec.u, -14.0)
    # v = 25, u = 0, x = 0: h = 25 + 0.25 (25 + 125 + 140) = 97.5 > 30
    state = snn.IzhikevichState(v=jnp.full((1,), 25.0), u=jnp.zeros(1))
    spikes, state = neuron(jnp.zeros(1), state)
    assert spikes[0] == 1.0
    assert float(state.v[0]) == -65.0  # c
    # u: 0 + 0.25 * 0.02 * (0.2 * 25 - 0) + d = 0.025 + 6
    np.testing.assert_allclose(state.u, [6.025], rtol=1e-6)


def test_izhikevich_matches_norse_equations(key):
    xs = _inputs(key, (60, 2, 3), low=0.0, high=15.0)
    neuron = snn.Izhikevich.preset("tonic_spiking")
    out, rec, _ = _run(neuron, xs)
    s, v, u = _ref_izhikevich(
        xs, a=0.02, b=0.2, c=-65.0, d=6.0, h_step=0.25, v0=-70.0, u0=-14.0
    )
    assert s.any()
    np.testing.assert_array_equal(out, s)
    np.testing.assert_allclose(rec.v, v, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(rec.u, u, rtol=1e-4, atol=1e-4)


def test_izhikevich_errors():
    with pytest.raises(ValueError, match="`c` must be below `threshold`"):
        snn.Izhikevich(c=40.0)
    with pytest.raises(ValueError, match="`dt`"):
        snn.Izhikevich(dt=0.0)
    with pytest.raises(ValueError, match="`learn`"):
        snn.Izhikevich(learn={"v_rest"})
    assert float(snn.Izhikevich(b=0.25, v_rest=-64.0).u_rest) == -16.0


# ------------------------------------------------------------------------ LSNN


def test_lsnn_matches_norse_equations(key):
    xs = _inputs(key)
    neuron = snn.LSNN(alpha=0.8, beta=0.9, rho=0.95, threshold=1.0, adaptation_jump=0.5)
    out, rec, _ = _run(neuron, xs)
    s, v, i, b = _ref_lsnn(xs, c_syn=0.2, c_mem=0.1, c_adapt=0.05, v_th=1.0, jump=0.5)
    assert s.any()
    np.testing.assert_array_equal(out, s)
    for ours, theirs in ((rec.v, v), (rec.i, i), (rec.b, b)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_lsnn_input_arrives_one_step_late_and_b_starts_at_threshold():
    neuron = snn.LSNN(alpha=0.0, beta=0.0, threshold=0.7)
    state = neuron.init_state((1,))
    np.testing.assert_array_equal(state.b, np.float32(0.7))
    out, rec, _ = _run(neuron, [[5.0], [0.0], [0.0]])
    np.testing.assert_array_equal(out[:, 0], [0.0, 1.0, 0.0])
    np.testing.assert_allclose(rec.i[:, 0], [5.0, 0.0, 0.0])
    snn.LSNN.from_tau(5.0, 10.0, 100.0, dt=1.0)
    with pytest.raises(ValueError, match="`tau_b`"):
        snn.LSNN.from_tau(5.0, 10.0, -1.0)
    with pytest.raises(ValueError, match="`rho`"):
        snn.LSNN(rho=1.1)


# ---------------------------------------------------------------- CubaLIFRefrac


def test_refrac_holds_membrane_and_integrates_current():
    neuron = snn.CubaLIFRefrac(alpha=0.5, beta=0.5, refractory_steps=2.0)
    out, rec, _ = _run(neuron, [[4.0], [0.0], [0.0], [0.0]])
    np.testing.assert_array_equal(out[:, 0], [1.0, 0.0, 0.0, 0.0])
    # v is held at the reset value while refrac > 0; i keeps decaying
    np.testing.assert_allclose(rec.v[:3, 0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(rec.i[:, 0], [2.0, 1.0, 0.5, 0.25])
    np.testing.assert_allclose(rec.refrac[:, 0], [2.0, 1.0, 0.0, 0.0])
    # free again at step 3: h = 0.5 * 0 + 0.5 * (0.5 + 0) = 0.25
    np.testing.assert_allclose(rec.v[3, 0], 0.25)


def test_refrac_mask_carries_the_surrogate_gradient():
    # d refrac_1 / d (spike_0) = R and m_1 = H(refrac_0) with a surrogate: the
    # gradient of the step-1 spike reaches refrac_0 through the mask
    neuron = snn.CubaLIFRefrac(alpha=0.0, beta=0.0, refractory_steps=1.0)

    def spike(r0):
        state = snn.CubaLIFRefracState(v=jnp.zeros(1), i=jnp.zeros(1), refrac=r0)
        s, _ = neuron(jnp.full((1,), 2.0), state)
        return s[0]

    # s = (1 - H(r)) * 1: ds/dr = -sigma'(r) = -1 / (|r| + 1)^2 (FastSigmoid(1))
    assert float(jax.grad(spike)(jnp.full((1,), 0.5))[0]) == pytest.approx(-1 / 2.25)


def test_refrac_errors():
    with pytest.raises(ValueError, match="`refractory_steps`"):
        snn.CubaLIFRefrac(refractory_steps=-1.0)
    neuron = snn.CubaLIFRefrac.from_tau(5.0, 10.0, dt=1.0, refractory_steps=3.0)
    np.testing.assert_allclose(neuron.refractory_steps, 3.0)


# ---------------------------------------------------------------- properties

_RUN = eqx.filter_jit(lambda m, xs: snn.run(m, xs, m.init_state(xs.shape[1:])))


def _models(alpha, beta, threshold):
    return {
        "CubaLIF": snn.CubaLIF(alpha, beta, threshold),
        "LSNN": snn.LSNN(alpha, beta, 0.9, threshold),
        "CubaLIFRefrac": snn.CubaLIFRefrac(alpha, beta, threshold),
        "CubaLIFRecurrent": snn.CubaLIFRecurrent(
            jnp.eye(3), 0.5 * jnp.ones((3, 3)), alpha, beta, threshold
        ),
    }


@settings(max_examples=20, deadline=None)
@given(
    alpha=st.floats(0.0, 0.95),
    beta=st.floats(0.0, 0.95),
    threshold=st.floats(0.2, 2.0),
)
def test_rest_stays_at_rest(alpha, beta, threshold):
    xs = jnp.zeros((10, 3))
    for model in _models(alpha, beta, threshold).values():
        out, final = _RUN(model, xs)
        assert not np.asarray(out).any()
        for a, b in zip(
            jax.tree.leaves(final), jax.tree.leaves(model.init_state((3,))), strict=True
        ):
            np.testing.assert_array_equal(a, b)


@settings(max_examples=20, deadline=None)
@given(
    alpha=st.floats(0.0, 0.95),
    beta=st.floats(0.0, 0.95),
    threshold=st.floats(0.2, 2.0),
    seed=st.integers(0, 2**16),
)
def test_spikes_binary(alpha, beta, threshold, seed):
    xs = jr.uniform(jr.key(seed), (15, 3), minval=-1.0, maxval=3.0)
    for model in _models(alpha, beta, threshold).values():
        out, _ = _RUN(model, xs)
        assert set(np.unique(np.asarray(out)).tolist()) <= {0.0, 1.0}


@settings(max_examples=20, deadline=None)
@given(
    refractory=st.one_of(st.just(0.0), st.floats(0.01, 5.0)),
    seed=st.integers(0, 2**16),
)
def test_refractory_gaps_hold(refractory, seed):
    neuron = snn.CubaLIFRefrac(0.5, 0.3, 0.5, refractory_steps=refractory)
    xs = jr.uniform(jr.key(seed), (40, 4), minval=0.0, maxval=4.0)
    out = np.asarray(_RUN(neuron, xs)[0])
    gap = math.ceil(np.float32(refractory))
    for n in range(4):
        times = np.flatnonzero(out[:, n])
        assert times.size > 0
        assert np.all(np.diff(times) > gap)


@settings(max_examples=15, deadline=None)
@given(c=st.floats(0.0, 2.0), dc=st.floats(0.0, 1.0))
def test_cuba_lif_spike_count_non_decreasing_in_constant_input(c, dc):
    neuron = snn.CubaLIF(0.7, 0.8, 1.0)
    low = np.asarray(_RUN(neuron, jnp.full((40, 1), c))[0]).sum()
    high = np.asarray(_RUN(neuron, jnp.full((40, 1), c + dc))[0]).sum()
    assert high >= low


# ---------------------------------------------------------------------- compat


def test_compat_lif_p_and_flat_keywords_agree(key):
    xs = _inputs(key)
    p = norse.LIFParameters(tau_mem_inv=80.0, v_th=0.8, v_leak=0.1, v_reset=-0.2)
    a = norse.LIF(p, dt=0.002)
    b = norse.LIF(tau_mem_inv=80.0, v_th=0.8, v_leak=0.1, v_reset=-0.2, dt=0.002)
    assert isinstance(a, snn.CubaLIF) and a.reset == "zero" and not a.detach_reset
    jax.tree.map(np.testing.assert_array_equal, a, b)
    np.testing.assert_allclose([a.alpha, a.beta], [1 - 0.002 * 200, 1 - 0.002 * 80])
    out, rec, _ = _run(a, xs)
    s, v, _ = _ref_cuba(xs, c_syn=0.4, c_mem=0.16, v_th=0.8, v_leak=0.1, v_reset=-0.2)
    np.testing.assert_array_equal(out, s)
    np.testing.assert_allclose(rec.v, v, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(a.init_state((2,)).v, np.float32(0.1))  # v_leak
    assert norse.LIF(learn={"tau_mem_inv", "v_th"}).learn == {"beta", "threshold"}
    assert isinstance(
        norse.LIF(method="triangle", alpha=0.3).surrogate, snn.surrogate.Triangle
    )
    assert isinstance(norse.LIF(method="tanh").surrogate, F.HeaviTanh)


def test_compat_cells_are_the_layer_constructors():
    assert norse.LIFCell is norse.LIF and norse.LICell is norse.LI
    assert norse.LIFRecurrentCell is norse.LIFRecurrent
    assert norse.LIFAdExCell is norse.LIFAdEx and norse.LSNNCell is norse.LSNN
    assert norse.IzhikevichCell is norse.Izhikevich


def test_compat_argument_errors():
    with pytest.raises(ValueError, match="not both"):
        norse.LIF(norse.LIFParameters(), v_th=2.0)
    # (the jaxtyping test hook checks the annotation before our own message)
    with pytest.raises(TypeError, match=r"`p` must be a `LIFParameters`|'p'"):
        norse.LIF(norse.LIParameters())  # pyright: ignore[reportArgumentType] (tested)
    with pytest.raises(ValueError, match="`learn` names unknown"):
        norse.LIF(learn={"beta"})
    with pytest.raises(TypeError, match="`learn` must be a collection"):
        norse.LIF(learn="v_th")
    with pytest.raises(NotImplementedError, match="`method='heaviside'`"):
        norse.LIF(method="heaviside")
    with pytest.raises(ValueError, match="`method` must be one of"):
        norse.LIF(method="spline")
    with pytest.raises(NotImplementedError, match="`adjoint=True`"):
        norse.LIF(adjoint=True)
    with pytest.raises(ValueError, match=r"`dt \* tau_mem_inv`"):
        norse.LIF(tau_mem_inv=2000.0)
    with pytest.raises(ValueError, match="`tau_syn_inv`"):
        norse.LIF(tau_syn_inv=0.0)
    with pytest.raises(ValueError, match="`dt`"):
        norse.LI(dt=0.0)
    norse.LIF(sparse=True, record_states=True)  # accepted, no effect


def test_compat_lifbox_resets():
    value = norse.LIFBoxCell(tau_mem_inv=100.0)
    assert isinstance(value, snn.LIF)
    assert value.reset == "zero" and value.decay_input and value.spike_test == ">"
    np.testing.assert_allclose(value.beta, 0.9)
    for method in (norse.reset_subtract, "reset_subtract"):
        assert norse.LIFBoxCell(reset_method=method).reset == "subtract"
    assert norse.LIFBoxCell(reset_method="reset_value").reset == "zero"
    with pytest.raises(ValueError, match="`reset_method`"):
        norse.LIFBoxCell(reset_method="reset_zero")
    with pytest.raises(NotImplementedError, match="reset_method"):
        norse.LIFBoxCell(reset_method=lambda z, v, r, t: v)
    z = jnp.array([0.0, 1.0])
    v = jnp.array([0.5, 1.5])
    np.testing.assert_allclose(norse.reset_value(z, v, 0.0, 1.0), [0.5, 0.0])
    np.testing.assert_allclose(norse.reset_subtract(z, v, 0.0, 1.0), [0.5, 0.5])


def test_compat_li_and_lsnn_and_refrac_and_adex():
    li = norse.LI(norse.LIParameters(tau_syn_inv=100.0, tau_mem_inv=50.0, v_leak=0.2))
    np.testing.assert_allclose([li.alpha, li.beta, li.v_leak], [0.9, 0.95, 0.2])
    assert li.decay_input
    lsnn = norse.LSNN(beta=0.7, tau_adapt_inv=10.0, v_th=0.9)
    np.testing.assert_allclose([lsnn.rho, lsnn.adaptation_jump], [0.99, 0.7])
    np.testing.assert_allclose(lsnn.init_state((2,)).b, 0.9)  # b starts at v_th
    refrac = norse.LIFRefracCell(rho_reset=3.0, v_th=0.5)
    np.testing.assert_allclose([refrac.refractory_steps, refrac.threshold], [3.0, 0.5])
    same = norse.LIFRefracCell(
        norse.LIFRefracParameters(norse.LIFParameters(v_th=0.5), rho_reset=3.0)
    )
    np.testing.assert_allclose(same.threshold, refrac.threshold)
    with pytest.raises(ValueError, match="not both"):
        norse.LIFRefracCell(norse.LIFRefracParameters(), rho_reset=2.0)
    adex = norse.LIFAdEx(learn={"adaptation_current", "tau_ada_inv"})
    assert adex.learn == {"adaptation_coupling", "rho"}
    np.testing.assert_allclose(adex.rho, 0.998)


def test_compat_recurrent(key):
    with pytest.raises(ValueError, match="needs its weights"):
        norse.LIFRecurrent(2, 3)
    layer = norse.LIFRecurrent(2, 3, key=key)
    assert layer.input_weights.shape == (3, 2) and not layer.autapses
    assert layer.detach_reset and layer.learn == {"input_weights", "recurrent_weights"}
    w_rec = jnp.ones((3, 3))
    layer = norse.LIFRecurrent(2, 3, recurrent_weights=w_rec, key=key, autapses=True)
    np.testing.assert_array_equal(layer.recurrent_weights, w_rec)
    with pytest.raises(ValueError, match=r"\(hidden_size, input_size\) = \(3, 2\)"):
        norse.LIFRecurrent(2, 3, input_weights=jnp.ones((2, 3)), key=key)
    with pytest.raises(ValueError, match="`hidden_size` must be a positive int"):
        norse.LIFRecurrent(2, 0, key=key)


def test_compat_izhikevich_behaviours():
    a = norse.Izhikevich(norse.tonic_spiking)
    b = norse.Izhikevich(a=0.02, b=0.2, c=-65.0, d=6.0, v_rest=-70.0)
    c = norse.Izhikevich(p=norse.IzhikevichParameters(0.02, 0.2, -65, 6), v_rest=-70)
    for m in (a, b, c):
        np.testing.assert_allclose(
            [m.a, m.b, m.c, m.d, m.dt, m.v_rest, m.u_rest],
            [0.02, 0.2, -65.0, 6.0, 0.25, -70.0, -14.0],
            rtol=1e-6,
        )
    acc = norse.Izhikevich(norse.accomodation, dt=0.002)
    np.testing.assert_allclose([acc.dt, acc.u_rest], [1.0, -16.0])
    custom = norse.create_izhikevich_spiking_behavior(0.02, 0.2, -65, 6, -70, -70)
    assert custom.s.u == pytest.approx(-14.0)  # norse multiplies u_rest by b
    assert norse.class_1_exc.p.mn == 4.1 and norse.class_1_exc.p.bias == 108.0
    with pytest.raises(ValueError, match="`v_rest`"):
        norse.Izhikevich(a=0.02, b=0.2, c=-65.0, d=6.0)
    with pytest.raises(ValueError, match="not both"):
        norse.Izhikevich(norse.tonic_spiking, v_rest=-60.0)
    with pytest.raises(ValueError, match=r"missing \['d'\]"):
        norse.Izhikevich(a=0.02, b=0.2, c=-65.0, v_rest=-70.0)
    with pytest.raises(TypeError, match="spiking_method"):
        norse.Izhikevich(norse.IzhikevichParameters(0.02, 0.2, -65, 6))  # pyright: ignore[reportArgumentType] (tested)
    with pytest.raises(ValueError, match="`tau_inv`"):
        norse.Izhikevich(a=0.02, b=0.2, c=-65.0, d=6.0, v_rest=-70.0, tau_inv=0.0)


def test_lif_current_encoder():
    p = norse.LIFParameters(tau_mem_inv=1.0, v_leak=0.5, v_reset=-1.0)
    x = jnp.array([0.0, 4.0])
    z, v = norse.lif_current_encoder(x, jnp.zeros(2), p, dt=0.5)
    # h = 0.5 (0.5 + x): 0.25, 2.25 -> spike, reset to -1
    np.testing.assert_array_equal(z, [0.0, 1.0])
    np.testing.assert_allclose(v, [0.25, -1.0])
    g = jax.grad(lambda x: norse.lif_current_encoder(x, jnp.zeros(2), p, 0.5)[0].sum())
    # dz/dx = 0.5 / (|h - 1| + 1)^2 with "super"
    h = np.array([0.25, 2.25])
    np.testing.assert_allclose(g(x), 0.5 / (np.abs(h - 1) + 1) ** 2, rtol=1e-6)
    with pytest.raises(ValueError, match="`voltage` must have the shape"):
        norse.lif_current_encoder(x, jnp.zeros(3))


def test_heavi_tanh_surrogate():
    f = F.HeaviTanh(slope=2.0)
    x = jnp.linspace(-2.0, 2.0, 9)
    expected = 1 - np.tanh(2 * np.asarray(x, np.float64)) ** 2
    np.testing.assert_allclose(f.derivative(x), expected, rtol=1e-5)
    np.testing.assert_allclose(
        jax.vmap(jax.grad(f.primitive))(x), f.derivative(x), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(f(x), np.asarray(x) > 0)
    with pytest.raises(ValueError, match="`slope`"):
        F.HeaviTanh(slope=0.0)
