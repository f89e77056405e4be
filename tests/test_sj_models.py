"""ParametricLIF, QIF, EIF, AdaptiveQIF, LIAF, KLIF and their spikingjelly compat.

Reference math is the documented update re-written in NumPy float64 (or a
closed form / hand computation); properties with hypothesis; errors for each
validation; the LIAF transform suite (LIAF's analog output keeps it out of
the binary-spike checks of `tests/test_transforms.py`).
"""

import math
from typing import Any

import chex
import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import jax.random as jr
import jax.test_util
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.compat.spikingjelly.activation_based import neuron, surrogate

# ------------------------------------------------------------------ helpers


@eqx.filter_jit
def _jit_run(model, xs, state):
    return snn.run(model, xs, state, record=True)


def _run(model, xs, state=None):
    """Run on float32 `xs` from the default (or given) state."""
    xs = jnp.asarray(xs, jnp.float32)
    if state is None:
        state = model.init_state(xs.shape[1:])
    out, _, rec = _jit_run(model, xs, state)
    return np.asarray(out), rec


def _H(u):
    return 1.0 if u >= 0 else 0.0


def _reset(h, s, reset, thr, v_reset):
    return {"subtract": h - s * thr, "zero": s * v_reset + (1 - s) * h, "none": h}[
        reset
    ]


def _inputs(seed, n=40, low=-0.3, high=1.2):
    return np.asarray(jr.uniform(jr.key(seed), (n,), minval=low, maxval=high))


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# ------------------------------------------------------------ ParametricLIF


def _ref_plif(xs, *, w, thr, reset, v_reset, v_leak, decay_input):
    q = _sigmoid(w)
    v, spikes, vs = v_leak, [], []
    for x in xs:
        if decay_input:
            h = v + (x - (v - v_leak)) * q
        else:
            h = v - (v - v_leak) * q + x
        s = _H(h - thr)
        v = _reset(h, s, reset, thr, v_reset)
        spikes.append(s)
        vs.append(v)
    return np.array(spikes), np.array(vs)


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("decay_input", [True, False])
def test_plif_matches_numpy_reference(reset, decay_input):
    xs = _inputs(1, high=1.8 if decay_input else 1.0)
    kw = {"w": 0.4, "v_reset": -0.2, "v_leak": 0.1}
    model = snn.ParametricLIF(
        kw["w"], 1.0, reset=reset, decay_input=decay_input, v_reset=-0.2, v_leak=0.1
    )
    out, rec = _run(model, xs[:, None])
    s_ref, v_ref = _ref_plif(
        xs.astype(np.float64), thr=1.0, reset=reset, decay_input=decay_input, **kw
    )
    assert s_ref.sum() > 0
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], v_ref, rtol=1e-5, atol=1e-5)


def test_plif_from_tau_and_lif_equivalence():
    # sigmoid(w) = dt / tau; a PLIF with frozen w is spikingjelly's LIF
    plif = snn.ParametricLIF.from_tau(8.0, dt=2.0)
    np.testing.assert_allclose(jax.nn.sigmoid(plif.w), 0.25, rtol=1e-6)
    np.testing.assert_allclose(plif.w, -math.log(3.0), rtol=1e-6)
    lif = snn.LIF(
        0.75, reset="zero", decay_input=True, spike_test=">=", surrogate=plif.surrogate
    )
    xs = _inputs(2, n=60, high=2.0)[:, None]
    out_p, rec_p = _run(plif, xs)
    out_l, rec_l = _run(lif, xs)
    np.testing.assert_array_equal(out_p, out_l)
    np.testing.assert_allclose(rec_p.v, rec_l.v, rtol=1e-6, atol=1e-6)


def test_plif_w_is_learnable_by_default():
    xs = jnp.asarray(_inputs(3, high=2.0)[:, None], jnp.float32)

    def loss(model):
        out, _, rec = snn.run(model, xs, model.init_state((1,)), record=True)
        return jnp.sum(out) + jnp.sum(rec.v)

    g = eqx.filter_grad(loss)(snn.ParametricLIF())
    assert snn.ParametricLIF().learn == frozenset({"w"})
    assert float(g.w) != 0 and float(g.threshold) == 0
    frozen = eqx.filter_grad(loss)(snn.ParametricLIF(learn=frozenset()))
    assert float(frozen.w) == 0


def test_plif_w_gradient_matches_finite_difference_float64():
    # the membrane (no reset) is smooth in w: d sum(v) / dw by central differences
    with jax.enable_x64(True):
        xs = jnp.asarray(_inputs(4, n=10), jnp.float64)[:, None]

        def f(w):
            model = snn.ParametricLIF(w, reset="none", decay_input=True)
            _, _, rec = snn.run(
                model, xs, model.init_state((1,), xs.dtype), record=True
            )
            return jnp.sum(rec.v)

        eps = 1e-6
        f_jit = jax.jit(f)
        fd = (f_jit(0.3 + eps) - f_jit(0.3 - eps)) / (2 * eps)
        np.testing.assert_allclose(jax.jit(jax.grad(f))(0.3), fd, rtol=1e-7)


# ---------------------------------------------------------------------- QIF


def _ref_qif(xs, *, tau, v_c, a0, v_rest, thr, reset, v_reset, v0):
    v, spikes, vs = v0, [], []
    for x in xs:
        h = v + (x + a0 * (v - v_rest) * (v - v_c)) / tau
        s = _H(h - thr)
        v = _reset(h, s, reset, thr, v_reset)
        spikes.append(s)
        vs.append(v)
    return np.array(spikes), np.array(vs)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_qif_matches_numpy_reference(reset):
    xs = _inputs(5, high=1.0)
    kw: dict[str, Any] = {"tau": 2.5, "v_c": 0.6, "a0": 0.8, "v_rest": -0.1}
    model = snn.QIF(**kw, threshold=1.0, reset=reset, v_reset=-0.2)
    out, rec = _run(model, xs[:, None])
    v0 = -0.2 if reset == "zero" else 0.0
    s_ref, v_ref = _ref_qif(xs, thr=1.0, reset=reset, v_reset=-0.2, v0=v0, **kw)
    assert s_ref.sum() > 0
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], v_ref, rtol=1e-5, atol=1e-5)


def test_qif_fixed_points_by_hand():
    # x = 0: v_rest (stable) and v_c (unstable) are fixed points; below v_c
    # the membrane relaxes to v_rest, above it escapes upwards to a spike.
    model = snn.QIF(tau=2.0, v_c=0.5, v_rest=0.0, v_reset=-0.1)
    xs = np.zeros((30, 4))
    v0 = jnp.array([0.0, 0.5, 0.45, 0.55])
    out, rec = _run(model, xs, snn.QIFState(v=v0))
    v = np.asarray(rec.v)
    np.testing.assert_array_equal(v[:, 0], 0.0)
    np.testing.assert_array_equal(v[:, 1], 0.5)
    assert np.all(np.diff(v[:, 2]) < 0) and abs(v[-1, 2]) < 1e-2
    assert out[:, 3].sum() > 0 and out[:, :3].sum() == 0
    # first step above v_c by hand: 0.55 + 0.55 * 0.05 / 2
    np.testing.assert_allclose(v[0, 3], 0.55 + 0.55 * 0.05 / 2, rtol=1e-6)


# ---------------------------------------------------------------------- EIF


def _ref_eif(xs, *, tau, delta_T, theta_rh, v_rest, thr, reset, v_reset, v0):
    v, spikes, vs = v0, [], []
    for x in xs:
        h = v + (x + v_rest - v + delta_T * math.exp((v - theta_rh) / delta_T)) / tau
        s = _H(h - thr)
        v = _reset(h, s, reset, thr, v_reset)
        spikes.append(s)
        vs.append(v)
    return np.array(spikes), np.array(vs)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_eif_matches_numpy_reference(reset):
    xs = _inputs(6, high=1.0)
    kw: dict[str, Any] = {"tau": 3.0, "delta_T": 0.5, "theta_rh": 0.6, "v_rest": -0.05}
    model = snn.EIF(**kw, threshold=1.0, reset=reset, v_reset=-0.1)
    out, rec = _run(model, xs[:, None])
    v0 = -0.1 if reset == "zero" else 0.0
    s_ref, v_ref = _ref_eif(xs, thr=1.0, reset=reset, v_reset=-0.1, v0=v0, **kw)
    assert s_ref.sum() > 0
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], v_ref, rtol=1e-5, atol=1e-5)


def test_eif_tends_to_lif_for_small_delta_T():
    # far below theta_rh, Delta_T exp((v - theta)/Delta_T) vanishes: the EIF is
    # spikingjelly's LIF, beta = 1 - 1/tau, leaking to v_rest, input / tau
    tau, v_rest = 4.0, -0.2
    eif = snn.EIF(tau, delta_T=0.01, theta_rh=5.0, threshold=10.0, v_rest=v_rest)
    lif = snn.LIF(1 - 1 / tau, 10.0, v_leak=v_rest, decay_input=True)
    xs = _inputs(7, n=30)[:, None]
    state = snn.EIFState(v=jnp.full((1,), v_rest))
    _, rec_e = _run(eif, xs, state)
    _, rec_l = _run(lif, xs)
    np.testing.assert_allclose(rec_e.v, rec_l.v, rtol=1e-5, atol=1e-6)


# -------------------------------------------------------------- AdaptiveQIF


def _ref_aqif(xs, *, p, reset):
    v = p["v_reset"] if reset == "zero" else 0.0
    w = p["w_rest"]
    spikes, vs, ws = [], [], []
    for x in xs:
        h = v + (x + p["a0"] * (v - p["v_rest"]) * (v - p["v_c"]) - w) / p["tau"]
        w = w + (p["a"] * (h - p["v_rest"]) - w) / p["tau_w"]
        s = _H(h - p["threshold"])
        v = _reset(h, s, reset, p["threshold"], p["v_reset"])
        w = w + p["b"] * s
        spikes.append(s)
        vs.append(v)
        ws.append(w)
    return np.array(spikes), np.array(vs), np.array(ws)


AQIF: dict[str, Any] = {
    "tau": 2.0,
    "v_c": 0.8,
    "a0": 1.0,
    "threshold": 1.0,
    "v_reset": 0.0,
    "v_rest": -0.1,
    "w_rest": 0.05,
    "tau_w": 3.0,
    "a": 0.2,
    "b": 0.1,
}


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
def test_adaptive_qif_matches_numpy_reference(reset):
    # without a reset the quadratic term blows the membrane up: a short run
    xs = _inputs(8, n=8 if reset == "none" else 40, high=1.4)
    model = snn.AdaptiveQIF(**AQIF, reset=reset)
    out, rec = _run(model, xs[:, None])
    s_ref, v_ref, w_ref = _ref_aqif(xs, p=AQIF, reset=reset)
    assert s_ref.sum() > 0
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], v_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(rec.w)[:, 0], w_ref, rtol=1e-5, atol=1e-5)


def test_adaptive_qif_detach_only_affects_membrane_reset_term_float64():
    # one step from v = w = 0 (v_rest = 0) with the test surrogate Sigmoid(1):
    # h = x / tau, w = a h / tau_w + b s, v = (1 - sg(s)) h + s v_reset.
    # d w/dx keeps b sigma' / tau even with detach_reset (spikingjelly quirk);
    # d v/dx = (1 - s)/tau + v_reset sigma'/tau (+ -h sigma'/tau undetached).
    tau, tau_w, a, b, v_reset = 2.0, 4.0, 0.5, 0.3, -0.4
    with jax.enable_x64(True):
        x0 = jnp.array([[2.2]])  # h = 1.1, spikes
        h = 1.1
        sig = _sigmoid(h - 1.0)
        dsig = sig * (1 - sig)

        def grads(detach):
            model = snn.AdaptiveQIF(
                tau, v_rest=0.0, tau_w=tau_w, a=a, b=b, v_reset=v_reset,
                detach_reset=detach, surrogate=snn.surrogate.Sigmoid(1.0),
            )  # fmt: skip
            state = snn.AdaptiveQIFState(
                v=jnp.zeros((1,), jnp.float64), w=jnp.zeros((1,), jnp.float64)
            )

            def final(x):
                return snn.run(model, x, state)[1]

            g_v = jax.jit(jax.grad(lambda x: jnp.sum(final(x).v)))(x0)
            g_w = jax.jit(jax.grad(lambda x: jnp.sum(final(x).w)))(x0)
            return g_v[0, 0], g_w[0, 0]

        gv_d, gw_d = grads(True)
        gv, gw = grads(False)
        np.testing.assert_allclose(gw_d, (a / tau_w + b * dsig) / tau, rtol=1e-12)
        np.testing.assert_allclose(gw, gw_d, rtol=1e-12)
        np.testing.assert_allclose(gv_d, (0.0 + v_reset * dsig) / tau, rtol=1e-12)
        np.testing.assert_allclose(
            gv, (0.0 - h * dsig + v_reset * dsig) / tau, rtol=1e-12
        )


# --------------------------------------------------------------------- LIAF

ACTS = {
    "relu": lambda u: max(u, 0.0),
    "identity": lambda u: u,
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
}


@pytest.mark.parametrize("activation", list(ACTS))
@pytest.mark.parametrize("threshold_related", [True, False])
def test_liaf_matches_numpy_reference(activation, threshold_related):
    beta, thr, v_reset = 0.6, 1.0, -0.1
    xs = _inputs(9, high=1.5)
    model = snn.LIAF(
        beta,
        thr,
        activation=activation,
        threshold_related=threshold_related,
        v_reset=v_reset,
        v_leak=v_reset,
    )
    out, rec = _run(model, xs[:, None])
    v, ys, vs = v_reset, [], []
    f = ACTS[activation]
    for x in xs:
        h = beta * (v - v_reset) + v_reset + (1 - beta) * x
        ys.append(f(h - thr) if threshold_related else f(h))
        s = _H(h - thr)
        v = s * v_reset + (1 - s) * h
        vs.append(v)
    np.testing.assert_allclose(out[:, 0], ys, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], vs, rtol=1e-5, atol=1e-6)


def test_liaf_membrane_is_the_lif_membrane():
    kw = {"reset": "subtract", "decay_input": False, "spike_test": ">="}
    liaf = snn.LIAF(0.7, 0.9, activation="tanh", **kw)
    lif = snn.LIF(0.7, 0.9, surrogate=liaf.surrogate, **kw)
    xs = _inputs(10, n=50)[:, None]
    _, rec_a = _run(liaf, xs)
    spikes, rec_l = _run(lif, xs)
    assert spikes.sum() > 0
    np.testing.assert_array_equal(rec_a.v, rec_l.v)


# --------------------------------------------------------------------- KLIF


def _ref_klif(xs, *, beta, k, thr, reset, scale_reset, v_reset, v_leak):
    v, spikes, vs = v_leak, [], []
    for x in xs:
        h = beta * (v - v_leak) + v_leak + (1 - beta) * x
        f = max(k * h, 0.0)
        s = _H(f - thr)
        if scale_reset:
            v = {
                "subtract": (f - s * thr) / k,
                "zero": (1 - s) * f / k + s * v_reset,
                "none": f / k,
            }[reset]
        else:
            v = _reset(f, s, reset, thr, v_reset)
        spikes.append(s)
        vs.append(v)
    return np.array(spikes), np.array(vs)


@pytest.mark.parametrize("reset", ["subtract", "zero", "none"])
@pytest.mark.parametrize("scale_reset", [False, True])
def test_klif_matches_numpy_reference(reset, scale_reset):
    xs = _inputs(11, low=-0.6, high=1.6)
    kw = {"beta": 0.5, "k": 1.3, "v_reset": -0.2, "v_leak": 0.0}
    model = snn.KLIF(
        kw["beta"],
        1.0,
        k=kw["k"],
        reset=reset,
        scale_reset=scale_reset,
        v_reset=-0.2,
        v_leak=0.0,
    )
    out, rec = _run(model, xs[:, None])
    s_ref, v_ref = _ref_klif(xs, thr=1.0, reset=reset, scale_reset=scale_reset, **kw)
    assert s_ref.sum() > 0
    np.testing.assert_array_equal(out[:, 0], s_ref)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], v_ref, rtol=1e-5, atol=1e-5)


def test_klif_with_unit_k_and_positive_input_is_lif():
    # k = 1 and a non-negative membrane: ReLU(k h) = h
    klif = snn.KLIF(0.5, 1.0)
    lif = snn.LIF(
        0.5, 1.0, reset="zero", decay_input=True, spike_test=">=",
        surrogate=klif.surrogate,
    )  # fmt: skip
    xs = _inputs(12, n=50, low=0.0, high=2.0)[:, None]
    out_k, rec_k = _run(klif, xs)
    out_l, rec_l = _run(lif, xs)
    np.testing.assert_array_equal(out_k, out_l)
    np.testing.assert_array_equal(rec_k.v, rec_l.v)


def test_klif_k_learnable_and_relu_gradient_zero_at_zero():
    assert snn.KLIF().learn == frozenset({"k"})
    with jax.enable_x64(True):
        # h = 0 exactly (v = 0, x = 0): torch and JAX give ReLU'(0) = 0
        model = snn.KLIF(0.5, surrogate=snn.surrogate.Sigmoid(1.0))
        state = model.init_state((1,), jnp.float64)

        def f(k, x):
            m = eqx.tree_at(lambda m: m.k, model, k)
            return jnp.sum(snn.run(m, x, state, record=True)[2].v)

        g_k, g_x = jax.grad(f, argnums=(0, 1))(jnp.asarray(1.0), jnp.zeros((1, 1)))
        assert float(g_k) == 0.0 and float(g_x[0, 0]) == 0.0
        # above zero, no spike: v = k h, d v / d k = h = x/2, d v / d x = k/2 -
        # the spike's surrogate term h sigma'(k h - 1) k / 2
        x = jnp.full((1, 1), 0.6)
        g_k, _ = jax.grad(f, argnums=(0, 1))(jnp.asarray(1.0), x)
        u = 0.3 - 1.0
        dsig = _sigmoid(u) * (1 - _sigmoid(u))
        np.testing.assert_allclose(g_k, 0.3 - 0.3 * 0.3 * dsig, rtol=1e-12)


# ---------------------------------------------------------------- properties

SPIKING = {
    "ParametricLIF": lambda p: snn.ParametricLIF(p, learn=frozenset()),
    "QIF": lambda p: snn.QIF(tau=1.5 + p),
    "EIF": lambda p: snn.EIF(tau=1.5 + p),
    "AdaptiveQIF": lambda p: snn.AdaptiveQIF(1.5 + p, a=0.2, b=0.1, tau_w=2.0),
    "KLIF": lambda p: snn.KLIF(0.5, k=0.5 + p, learn=frozenset()),
}


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(SPIKING)),
    p=st.floats(0.0, 2.0),
    xs=st.lists(st.floats(-2.0, 3.0, width=32), min_size=12, max_size=12),
)
def test_spikes_are_binary(name, p, xs):
    out, rec = _run(SPIKING[name](p), np.asarray(xs)[:, None])
    assert set(np.unique(out).tolist()) <= {0.0, 1.0}
    assert np.isfinite(np.asarray(rec.v)).all()


@settings(max_examples=30, deadline=None)
@given(
    v_rest=st.floats(-1.0, 0.5, width=32, allow_subnormal=False),
    tau=st.floats(1.0, 10.0),
    a=st.floats(-1.0, 1.0),
    leak=st.floats(-1.0, 0.5, width=32, allow_subnormal=False),
)
def test_rest_stays_at_rest(v_rest, tau, a, leak):
    # at v = v_rest (w = 0) the QIF / AdaptiveQIF right-hand side is exactly 0;
    # PLIF / KLIF / LIAF at v = v_leak with zero input do not move either
    zeros = np.zeros((8, 2))
    v0 = jnp.full((2,), v_rest, jnp.float32)
    qif = snn.QIF(tau, v_rest=v_rest, v_reset=-1.5)
    out, rec = _run(qif, zeros, snn.QIFState(v=v0))
    assert not out.any()
    np.testing.assert_array_equal(rec.v, np.broadcast_to(v0, rec.v.shape))
    aqif = snn.AdaptiveQIF(tau, v_rest=v_rest, a=a, b=0.5, v_reset=-1.5)
    state = snn.AdaptiveQIFState(v=v0, w=jnp.zeros((2,)))
    out, rec = _run(aqif, zeros, state)
    assert not out.any()
    np.testing.assert_array_equal(rec.v, np.broadcast_to(v0, rec.v.shape))
    np.testing.assert_array_equal(rec.w, 0.0)
    for model in (
        snn.ParametricLIF(1.0 / tau, v_leak=leak, v_reset=-1.5),
        snn.KLIF(1 - 1 / tau, v_leak=0.0),
        snn.LIAF(1 - 1 / tau, v_leak=leak, v_reset=-1.5, activation="tanh"),
    ):
        out, rec = _run(model, zeros)
        expected = np.float32(model.v_leak)
        np.testing.assert_array_equal(rec.v, np.full(rec.v.shape, expected))
        if isinstance(model, snn.LIAF):
            np.testing.assert_allclose(out, np.tanh(expected - 1.0), rtol=1e-6)
        else:
            assert not out.any()


@settings(max_examples=20, deadline=None)
@given(c=st.floats(0.0, 2.0), dc=st.floats(0.0, 1.0), w=st.floats(-2.0, 2.0))
def test_plif_spike_count_monotone_in_constant_input(c, dc, w):
    model = snn.ParametricLIF(w, reset="subtract", learn=frozenset())
    n1 = _run(model, np.full((30, 1), c))[0].sum()
    n2 = _run(model, np.full((30, 1), c + dc))[0].sum()
    assert n2 >= n1


# ------------------------------------------------- LIAF transform coverage


def _liaf(**kw):
    return snn.LIAF(**{"beta": 0.7, "activation": "tanh", **kw})


def test_liaf_jit_vmap_and_ensemble(key):
    model = _liaf()
    xs = jr.uniform(key, (10, 3, 4), minval=-0.5, maxval=1.6)
    state = model.init_state(xs.shape[1:])
    eager = snn.run(model, xs, state, record=True)
    chex.assert_trees_all_equal(_jit_run(model, xs, state), eager)
    # vmap over a batch axis (axis 1 of xs) equals a loop
    outs, _, recs = jax.vmap(
        lambda x, s: snn.run(model, x, s, record=True), in_axes=(1, 0), out_axes=1
    )(xs, state)
    for b in range(3):
        o, _, r = _jit_run(model, xs[:, b], model.init_state((4,)))
        chex.assert_trees_all_close((outs[:, b], recs.v[:, b]), (o, r.v), rtol=1e-6)
    # filter_vmap over a beta ensemble equals a loop of models
    betas = jnp.linspace(0.5, 0.95, 3)
    models = eqx.filter_vmap(lambda b: _liaf(beta=b))(betas)
    outs, _, recs = eqx.filter_vmap(
        lambda m: snn.run(m, xs, m.init_state(xs.shape[1:]), record=True)
    )(models)
    for i in range(3):
        o, _, r = _jit_run(_liaf(beta=betas[i]), xs, state)
        chex.assert_trees_all_close((outs[i], recs.v[i]), (o, r.v), rtol=1e-6)


def test_liaf_grad_jit_commute_retrace_and_dtypes(key):
    xs = jr.uniform(key, (10, 3, 4), minval=-0.5, maxval=1.6)
    r = jr.normal(jr.key(1), xs.shape)

    def f(model, x):
        state = model.init_state(x.shape[1:], x.dtype)
        out, _, rec = snn.run(model, x, state, record=True)
        return jnp.sum(out * r.astype(x.dtype)) + 0.1 * jnp.sum(rec.v)

    model = _liaf(learn={"beta"})
    g1 = jax.grad(jax.jit(f), argnums=1)(model, xs)
    g2 = jax.jit(jax.grad(f, argnums=1))(model, xs)
    chex.assert_trees_all_close(g1, g2, rtol=1e-5, atol=1e-6)
    gm = eqx.filter_jit(eqx.filter_grad(f))(model, xs)
    assert float(gm.beta) != 0 and float(gm.threshold) == 0

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def run(m, x):
        return snn.run(m, x, m.init_state(x.shape[1:], x.dtype))

    lo, hi = run(_liaf(beta=0.5), xs), run(_liaf(beta=0.9), xs)
    assert not bool(jnp.array_equal(lo[1].v, hi[1].v))
    for dtype in (jnp.bfloat16, jnp.float32):
        out, final, _ = _jit_run(
            _liaf(), xs.astype(dtype), _liaf().init_state(xs.shape[1:], dtype)
        )
        assert out.dtype == dtype and final.v.dtype == dtype


def test_liaf_float64_and_check_grads():
    xs32 = jr.uniform(jr.key(2), (5, 2, 3), minval=-0.5, maxval=1.4)
    out32, _ = _jit_run(_liaf(), xs32, _liaf().init_state((2, 3)))[:2]
    with jax.enable_x64(True):
        model = _liaf(reset="none", surrogate=snn.surrogate.Sigmoid(1.0))
        xs = xs32.astype(jnp.float64)
        out, final, _ = _jit_run(_liaf(), xs, _liaf().init_state((2, 3), xs.dtype))
        assert out.dtype == jnp.float64 and final.v.dtype == jnp.float64
        np.testing.assert_allclose(out32, out, rtol=1e-5, atol=1e-6)

        @jax.jit
        def f(x):
            state = model.init_state(x.shape[1:], x.dtype)
            out, _, rec = snn.run(model, x, state, record=True)
            return jnp.sum(out) + jnp.sum(rec.v**2)

        jax.test_util.check_grads(f, (xs,), order=1, modes=("fwd", "rev"))


# ---------------------------------------------- gradient checks, float64


@pytest.mark.parametrize(
    "make",
    [
        lambda: snn.EIF(reset="none", surrogate=snn.surrogate.Sigmoid(1.0)),
        lambda: snn.AdaptiveQIF(
            a=0.2, b=0.0, tau_w=3.0, reset="none", surrogate=snn.surrogate.Sigmoid(1.0)
        ),
        lambda: snn.KLIF(
            0.5, k=1.3, reset="none", surrogate=snn.surrogate.Sigmoid(1.0)
        ),
    ],
    ids=["EIF", "AdaptiveQIF", "KLIF"],
)
def test_check_grads_of_the_membrane_float64(make):
    # reset="none" (and b = 0) make the membrane independent of the spikes
    with jax.enable_x64(True):
        model = make()
        xs = jr.uniform(jr.key(5), (5, 2, 3), jnp.float64, minval=0.05, maxval=0.6)
        r = jr.normal(jr.key(6), xs.shape, jnp.float64)

        @jax.jit
        def f(x):
            _, _, rec = snn.run(
                model, x, model.init_state(x.shape[1:], x.dtype), record=True
            )
            return jnp.sum(rec.v * r)

        jax.test_util.check_grads(f, (xs,), order=1, modes=("fwd", "rev"))


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda: snn.ParametricLIF(float("nan")), "`w`"),
        (lambda: snn.ParametricLIF(threshold=float("inf")), "`threshold`"),
        (lambda: snn.ParametricLIF(v_reset=1.0), "`v_reset` must be below"),
        (lambda: snn.ParametricLIF(v_leak=float("nan")), "`v_leak`"),
        (lambda: snn.ParametricLIF(reset="hard"), "`reset` must be one of"),
        (lambda: snn.ParametricLIF(spike_test="=>"), "`spike_test` must be one of"),
        (lambda: snn.ParametricLIF(learn={"tau"}), "`learn` names unknown"),
        (lambda: snn.ParametricLIF.from_tau(1.0), "`dt` must be below `tau`"),
        (lambda: snn.ParametricLIF.from_tau(-2.0), "`tau`"),
        (lambda: snn.ParametricLIF.from_tau(2.0, dt=0.0), "`dt`"),
        (lambda: snn.QIF(tau=0.0), "`tau`"),
        (lambda: snn.QIF(a0=0.0), "`a0`"),
        (lambda: snn.QIF(v_c=float("inf")), "`v_c`"),
        (lambda: snn.QIF(v_rest=float("nan")), "`v_rest`"),
        (lambda: snn.QIF(v_reset=1.0), "`v_reset` must be below"),
        (lambda: snn.QIF(learn={"w"}), "`learn` names unknown"),
        (lambda: snn.EIF(tau=-1.0), "`tau`"),
        (lambda: snn.EIF(delta_T=0.0), "`delta_T`"),
        (lambda: snn.EIF(theta_rh=float("nan")), "`theta_rh`"),
        (lambda: snn.EIF(threshold=0.0, v_reset=0.5), "`v_reset` must be below"),
        (lambda: snn.AdaptiveQIF(tau_w=0.0), "`tau_w`"),
        (lambda: snn.AdaptiveQIF(a=float("nan")), "`a`"),
        (lambda: snn.AdaptiveQIF(b=float("inf")), "`b`"),
        (lambda: snn.AdaptiveQIF(w_rest=float("nan")), "`w_rest`"),
        (lambda: snn.AdaptiveQIF(a0=-1.0), "`a0`"),
        (lambda: snn.AdaptiveQIF(reset="zero", v_reset=2.0), "`v_reset` must be"),
        (lambda: snn.LIAF(activation="gelu"), "`activation` must be one of"),
        (lambda: snn.LIAF(beta=1.5), "`beta`"),
        (lambda: snn.LIAF(v_reset=1.0), "`v_reset` must be below"),
        (lambda: snn.LIAF.from_tau(0.0), "`tau`"),
        (lambda: snn.KLIF(k=0.0), "`k`"),
        (lambda: snn.KLIF(beta=-0.5), "`beta`"),
        (lambda: snn.KLIF(v_leak=float("nan")), "`v_leak`"),
        (lambda: snn.KLIF.from_tau(2.0, dt=-1.0), "`dt`"),
        (lambda: snn.KLIF(learn={"tau"}), "`learn` names unknown"),
    ],
)
def test_invalid_construction(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_traced_invalid_parameter_raises_under_jit():
    build = eqx.filter_jit(lambda t: snn.QIF(tau=t).tau)
    assert build(jnp.asarray(2.0)) == 2.0
    with pytest.raises(eqx.EquinoxRuntimeError, match="`tau`"):
        build(jnp.asarray(-1.0))


def test_from_tau_constructors():
    liaf = snn.LIAF.from_tau(10.0, dt=2.0)
    klif = snn.KLIF.from_tau(4.0, 0.8, dt=1.0, k=2.0)
    np.testing.assert_allclose(liaf.beta, math.exp(-0.2), rtol=1e-6)
    np.testing.assert_allclose(klif.beta, math.exp(-0.25), rtol=1e-6)
    assert float(klif.threshold) == np.float32(0.8) and float(klif.k) == 2.0


# ------------------------------------------------------------------ compat


def test_compat_maps_to_native_models_with_seed_defaults():
    plif = neuron.ParametricLIFNode()
    assert isinstance(plif, snn.ParametricLIF)
    assert (plif.reset, plif.spike_test, plif.decay_input) == ("zero", ">=", True)
    assert float(plif.w) == 0.0 and plif.learn == frozenset({"w"})
    assert float(neuron.ParametricLIFNode(init_tau=1.1).w) == np.float32(
        -math.log(0.1)
    )  # float64 then cast, as spikingjelly
    soft = neuron.ParametricLIFNode(init_tau=3.0, v_reset=None, decay_input=False)
    assert soft.reset == "subtract" and float(soft.v_leak) == 0.0
    qif = neuron.QIFNode()
    assert (
        isinstance(qif, snn.QIF)
        and qif.init_state((2,)).v.tolist() == [np.float32(-0.1)] * 2
    )
    assert (float(qif.tau), float(qif.v_c), float(qif.a0)) == (
        2.0,
        np.float32(0.8),
        1.0,
    )
    assert neuron.QIFNode(v_reset=None).init_state((1,)).v.tolist() == [0.0]
    eif = neuron.EIFNode(delta_T=0.5)
    assert isinstance(eif, snn.EIF) and float(eif.delta_T) == 0.5
    izh = neuron.IzhikevichNode(w_rest=0.25, a=0.2, b=0.1)
    st0 = izh.init_state((3,))
    assert isinstance(izh, snn.AdaptiveQIF)
    assert st0.v.tolist() == [0.0] * 3 and st0.w.tolist() == [0.25] * 3
    assert float(izh.v_rest) == np.float32(-0.1) and float(izh.tau_w) == 2.0
    liaf = neuron.LIAFNode("Tanh", False, tau=4.0)
    assert isinstance(liaf, snn.LIAF)
    assert (liaf.activation, liaf.threshold_related) == ("tanh", False)
    assert float(liaf.beta) == 0.75
    assert neuron.LIAFNode("relu", True).activation == "relu"
    klif = neuron.KLIFNode(scale_reset=True)
    assert isinstance(klif, snn.KLIF) and klif.scale_reset
    assert float(klif.k) == 1.0 and klif.learn == frozenset({"k"})
    assert neuron.KLIFNode(v_reset=None).reset == "subtract"
    for node in (plif, qif, eif, izh, liaf, klif):
        assert isinstance(node.surrogate, snn.surrogate.Sigmoid)
        assert float(node.surrogate.slope) == 4.0


def test_compat_constructors_are_vmappable():
    taus = jnp.array([1.5, 2.0, 4.0])
    qifs = eqx.filter_vmap(lambda t: neuron.QIFNode(tau=t))(taus)
    plifs = eqx.filter_vmap(lambda t: neuron.ParametricLIFNode(init_tau=t))(taus)
    assert qifs.tau.shape == (3,)
    np.testing.assert_allclose(plifs.w, -np.log(np.asarray(taus) - 1), rtol=1e-6)
    with pytest.raises(eqx.EquinoxRuntimeError, match="`v_rest` must not be below"):
        eqx.filter_jit(lambda r: neuron.QIFNode(v_rest=r).v_rest)(jnp.asarray(-0.5))


@pytest.mark.parametrize(
    "build,err,match",
    [
        (lambda: neuron.ParametricLIFNode(init_tau=1.0), ValueError, "`init_tau`"),
        (lambda: neuron.QIFNode(tau=1.0), ValueError, "`tau`"),
        (lambda: neuron.QIFNode(a0=0.0), ValueError, "`a0`"),
        (lambda: neuron.QIFNode(v_threshold=-0.1), ValueError, "`v_reset`"),
        (lambda: neuron.QIFNode(v_rest=-0.2), ValueError, "`v_rest` must not be"),
        (lambda: neuron.EIFNode(tau=0.5), ValueError, "`tau`"),
        (lambda: neuron.EIFNode(delta_T=0.0), ValueError, "`delta_T`"),
        (lambda: neuron.EIFNode(v_rest=-0.5), ValueError, "`v_rest` must not be"),
        (lambda: neuron.EIFNode(v_threshold=-0.2), ValueError, "`v_reset`"),
        (lambda: neuron.IzhikevichNode(tau=1.0), ValueError, "`tau`"),
        (lambda: neuron.IzhikevichNode(a0=-1.0), ValueError, "`a0`"),
        (lambda: neuron.IzhikevichNode(tau_w=0.0), ValueError, "`tau_w`"),
        (lambda: neuron.LIAFNode("ReLU", True, tau=1.0), ValueError, "`tau`"),
        (
            lambda: neuron.LIAFNode("ReLU", True, backend="cupy"),
            ValueError,
            "`backend` must be 'torch'",
        ),
        (lambda: neuron.LIAFNode("GELU", True), ValueError, "`act` must be one of"),
        (
            lambda: neuron.LIAFNode(jnp.tanh, True),  # pyright: ignore[reportArgumentType] - the wrong type is the test
            TypeError,
            "act",
        ),
        (lambda: neuron.KLIFNode(tau=1.0), ValueError, "`tau`"),
        (lambda: neuron.KLIFNode(backend="cupy"), NotImplementedError, "cupy"),
        (lambda: neuron.KLIFNode(step_mode="x"), ValueError, "`step_mode`"),
        (
            lambda: neuron.QIFNode(surrogate_function=max),  # pyright: ignore[reportArgumentType] - the wrong type is the test
            TypeError,
            "surrogate_function",
        ),
    ],
)
def test_compat_rejections(build, err, match):
    with pytest.raises(err, match=match):
        build()


def test_compat_soft_reset_izhikevich_and_seed_only_arguments():
    izh = neuron.IzhikevichNode(v_reset=None, a=0.2, b=0.1, tau_w=3.0)
    assert izh.reset == "subtract"
    xs = jnp.linspace(0.0, 2.0, 12).reshape(6, 2)
    a = neuron.EIFNode(step_mode="m", store_v_seq=True, backend="torch")
    b = neuron.EIFNode()
    np.testing.assert_array_equal(
        snn.run(a, xs, a.init_state((2,)))[0], snn.run(b, xs, b.init_state((2,)))[0]
    )


# --------------------------------------------------------- compat surrogates

X = np.linspace(-2.0, 2.0, 41)


@pytest.mark.parametrize(
    "make,formula",
    [
        (
            lambda: surrogate.PiecewiseExp(alpha=1.5),
            lambda x: 1.5 / 2 * np.exp(-1.5 * np.abs(x)),
        ),
        (lambda: surrogate.PiecewiseExp(), lambda x: 0.5 * np.exp(-np.abs(x))),
        (
            lambda: surrogate.Erf(alpha=2.0),
            lambda x: 2.0 / np.sqrt(np.pi) * np.exp(-4.0 * x**2),
        ),
        (
            lambda: surrogate.SoftSign(alpha=3.0),
            lambda x: 3.0 / (2 * (1 + np.abs(3.0 * x)) ** 2),
        ),
        (
            lambda: surrogate.PiecewiseLeakyReLU(w=0.5, c=0.05),
            lambda x: np.where(np.abs(x) < 0.5, 2.0, 0.05),
        ),
    ],
    ids=["PiecewiseExp", "PiecewiseExp-default", "Erf", "SoftSign", "PLReLU"],
)
def test_compat_surrogates_match_spikingjelly_backward(make, formula):
    with jax.enable_x64(True):
        sg = make()
        x = jnp.asarray(X, jnp.float64)
        np.testing.assert_allclose(sg.derivative(x), formula(X), rtol=1e-12)
        # the custom_jvp uses it, and the primitive integrates it (off kinks)
        g = jax.jit(jax.vmap(jax.grad(lambda u: sg(u))))(x)
        np.testing.assert_allclose(g, formula(X), rtol=1e-12)
        xs = jnp.asarray([-1.3, -0.2, 0.1, 0.37, 1.9], jnp.float64)
        gp = jax.jit(jax.vmap(jax.grad(sg.primitive)))(xs)
        np.testing.assert_allclose(gp, sg.derivative(xs), rtol=1e-10)


def test_compat_surrogate_values_and_rejections():
    assert float(surrogate.SoftSign(alpha=2.0).primitive(jnp.asarray(0.0))) == 0.5
    assert float(surrogate.SoftSign().derivative(jnp.asarray(0.0))) == 1.0
    # the window edge |x| = w is outside, as spikingjelly's `|x| < w` mask
    edge = surrogate.PiecewiseLeakyReLU(w=1.0, c=0.01).derivative(jnp.asarray(1.0))
    assert float(edge) == np.float32(0.01)
    for build in (
        lambda: surrogate.SoftSign(spiking=False),
        lambda: surrogate.Erf(spiking=False),
        lambda: surrogate.PiecewiseExp(spiking=False),
        lambda: surrogate.PiecewiseLeakyReLU(spiking=False),
    ):
        with pytest.raises(NotImplementedError, match="spiking"):
            build()
    for build in (
        lambda: surrogate.SoftSign(alpha=0.0),
        lambda: surrogate.Erf(alpha=-1.0),
        lambda: surrogate.PiecewiseExp(alpha=0.0),
    ):
        with pytest.raises(ValueError, match="`alpha`"):
            build()
    with pytest.raises(ValueError, match="`w`"):
        surrogate.PiecewiseLeakyReLU(w=0.0)
    with pytest.raises(ValueError, match="`c`"):
        surrogate.PiecewiseLeakyReLU(c=float("nan"))
