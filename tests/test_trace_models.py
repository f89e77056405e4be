"""pysnn-style neurons: decay strategies, refractory counter, traces, compat.

Reference values are derived by hand or in closed form from the documented
updates (see the docstrings of `snnjax.neurons.trace`), never from the code's
own output.
"""

from typing import Any

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
from snnjax.compat import pysnn
from snnjax.compat.pysnn.neuron import fold
from snnjax.neurons.trace import refractory_countdown, trace_lif_step


@eqx.filter_jit
def _jit_run(model, xs):
    return snn.run(model, xs, model.init_state(xs.shape[1:], xs.dtype), record=True)


def _run(model, xs):
    """Run on float32 `xs`; new parameter values do not recompile."""
    out, final, rec = _jit_run(model, jnp.asarray(xs, jnp.float32))
    return np.asarray(out), rec, final


def _build(kind, **kw):
    """The spiking models of the module, with the same threshold semantics."""
    if kind == "if":
        return snn.TraceIF(**kw)
    if kind == "lif":
        return snn.TraceLIF(decay=snn.Decay(0.75), **kw)
    if kind == "lif-euler":
        return snn.TraceLIF(decay=snn.EulerDecay(1.0), **kw)
    return snn.TraceALIF(decay=snn.Decay(0.75), threshold_gain=0.5, **kw)


KINDS = ["if", "lif", "lif-euler", "alif"]


# ---------------------------------------------------------- decay strategies


def test_decay_relax_by_hand():
    d = snn.Decay(0.5)
    y, u, dt = jnp.array([2.0]), jnp.array([0.25]), jnp.array([1.0])
    # y d + u = 1.25; with rest 1: 1 + ((2 - 1) 0.5 + 0.25) = 1.75
    assert d.relax(y, u, dt=dt).tolist() == [1.25]
    assert d.relax(y, u, rest=jnp.array([1.0]), dt=dt).tolist() == [1.75]
    # a closed gate sets y to the rest value
    gate = jnp.array([0.0])
    assert d.relax(y, u, rest=jnp.array([1.0]), gate=gate, dt=dt).tolist() == [1.0]


def test_euler_relax_by_hand():
    e = snn.EulerDecay(tau=4.0)
    y, u, dt = jnp.array([2.0]), jnp.array([1.0]), jnp.array([2.0])
    # y + (dt/tau)(-y + u) = 2 + 0.5 (-1) = 1.5; rest 1: 2 + 0.5 (-1 + 1) = 2
    assert e.relax(y, u, dt=dt).tolist() == [1.5]
    assert e.relax(y, u, rest=jnp.array([1.0]), dt=dt).tolist() == [2.0]
    # a closed gate leaves y unchanged
    gate = jnp.array([0.0])
    assert e.relax(y, u, rest=jnp.array([1.0]), gate=gate, dt=dt).tolist() == [2.0]


def test_decay_from_tau():
    np.testing.assert_allclose(snn.Decay.from_tau(4.0, dt=2.0).factor, np.exp(-0.5))
    with pytest.raises(ValueError, match="`tau`"):
        snn.Decay.from_tau(0.0)
    with pytest.raises(ValueError, match="`dt`"):
        snn.Decay.from_tau(1.0, dt=-1.0)


# ----------------------------------------------------------- closed forms


@pytest.mark.parametrize("strategy", ["decay", "euler"])
def test_subthreshold_membrane_closed_form(strategy):
    # constant input x from rest, no spike:
    # Decay(d):       v_t = v_rest + a x (1 - d^t) / (1 - d)
    # EulerDecay(tau): v_t = v_rest + a x (1 - (1 - k)^t), k = dt / tau
    v_rest, a, x, T = -0.25, 0.5, 0.75, 12
    t = np.arange(1, T + 1)
    if strategy == "decay":
        d = 0.8
        model = snn.TraceLIF(10.0, v_rest=v_rest, gain=a, decay=snn.Decay(d))
        expected = v_rest + a * x * (1 - d**t) / (1 - d)
    else:
        k = 0.5 / 4.0
        model = snn.TraceLIF(
            10.0, v_rest=v_rest, gain=a, decay=snn.EulerDecay(4.0), dt=0.5
        )
        expected = v_rest + a * x * (1 - (1 - k) ** t)
    out, rec, _ = _run(model, np.full((T, 1), x))
    assert not out.any()
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], expected, rtol=1e-6)


def test_if_integrates_without_leak():
    # v_t = v_rest + a * sum(x): no leak whatever the strategies
    xs = np.array([0.25, -0.5, 0.125, 0.5])
    model = snn.TraceIF(10.0, v_rest=0.5, gain=2.0)
    _, rec, _ = _run(model, xs[:, None])
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], 0.5 + 2.0 * np.cumsum(xs))


@pytest.mark.parametrize("strategy", ["decay", "euler"])
def test_trace_closed_forms(strategy):
    # one spike at t = 0, then silence; and a spike every step.
    # Decay(d):   z_t = a d^t            and a (1 - d^(t+1)) / (1 - d)
    # Euler(tau): z_t = k a (1 - k)^t    and a (1 - (1 - k)^(t+1)),  k = dt/tau
    a, T = 0.75, 10
    t = np.arange(T)
    if strategy == "decay":
        d = 0.6
        layer = snn.InputTrace(trace_gain=a, trace_decay=snn.Decay(d))
        single = a * d**t
        train = a * (1 - d ** (t + 1)) / (1 - d)
    else:
        k = 0.5 / 2.0
        layer = snn.InputTrace(trace_gain=a, trace_decay=snn.EulerDecay(2.0), dt=0.5)
        single = k * a * (1 - k) ** t
        train = a * (1 - (1 - k) ** (t + 1))
    spikes = np.zeros((T, 1))
    spikes[0] = 1.0
    out, rec, _ = _run(layer, spikes)
    np.testing.assert_array_equal(out, spikes)  # spikes pass through
    np.testing.assert_allclose(np.asarray(rec.trace)[:, 0], single, rtol=1e-6)
    _, rec, _ = _run(layer, np.ones((T, 1)))
    np.testing.assert_allclose(np.asarray(rec.trace)[:, 0], train, rtol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_neuron_trace_is_the_trace_of_its_spikes(kind):
    # the postsynaptic trace equals an InputTrace fed with the neuron's spikes
    xs = np.asarray(jr.uniform(jr.key(2), (30, 4), minval=0.0, maxval=1.5))
    model = _build(kind, trace_gain=0.5, trace_decay=snn.Decay(0.7))
    out, rec, _ = _run(model, xs)
    assert out.sum() > 0
    layer = snn.InputTrace(trace_gain=0.5, trace_decay=snn.Decay(0.7))
    _, rec_in, _ = _run(layer, out)
    np.testing.assert_allclose(rec.trace, rec_in.trace, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------- hand computed


def test_spike_test_is_inclusive_at_threshold():
    xs = np.array([[1.0]])  # h = 1.0 exactly
    assert _run(snn.TraceIF(1.0), xs)[0][0, 0] == 1.0
    assert _run(snn.TraceIF(1.0, spike_test=">"), xs)[0][0, 0] == 0.0


def test_refractory_hand_computed_if():
    # gain 1, threshold 1, refractory 1.5 with dt 0.5: frozen for 3 steps.
    # x = 1 fires at once; counter 1.5, 1.0, 0.5, 0.0 -> next spike at t = 4.
    model = snn.TraceIF(1.0, v_rest=-0.5, refractory=1.5, dt=0.5)
    out, rec, _ = _run(model, np.full((9, 1), 1.5))
    np.testing.assert_array_equal(out[:, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(
        np.asarray(rec.refrac)[:, 0], [1.5, 1.0, 0.5, 0.0, 1.5, 1.0, 0.5, 0.0, 1.5]
    )
    # reset to v_rest and frozen there while refractory, input ignored
    np.testing.assert_array_equal(np.asarray(rec.v)[:, 0], np.full(9, -0.5))


def test_refractory_gate_holds_or_sets_the_membrane():
    # pysnn: the linear LIF sets a refractory membrane to v_rest, the Euler LIF
    # and the IF keep it unchanged. Start refractory with v = 0.5, v_rest = 0.
    state = snn.TraceLIFState(
        v=jnp.array([0.5]), trace=jnp.zeros(1), refrac=jnp.array([1.0])
    )
    x = jnp.array([0.25])
    linear = snn.TraceLIF(decay=snn.Decay(0.5), refractory=1.0)
    euler = snn.TraceLIF(decay=snn.EulerDecay(2.0), refractory=1.0)
    assert linear(x, state)[1].v.tolist() == [0.0]
    assert euler(x, state)[1].v.tolist() == [0.5]
    if_state = snn.TraceIFState(v=state.v, trace=state.trace, refrac=state.refrac)
    assert snn.TraceIF(refractory=1.0)(x, if_state)[1].v.tolist() == [0.5]
    # the counter ran down to 0: the next step integrates again
    assert linear(x, state)[1].refrac.tolist() == [0.0]


def test_zero_refractory_leaves_the_counter_alone():
    # pysnn skips the countdown when duration_refrac = 0; a stale counter stays
    c = refractory_countdown(
        jnp.array([2.0]), jnp.array([1.0]), refractory=jnp.array([0.0]), dt=jnp.ones(1)
    )
    assert c.tolist() == [2.0]
    c = refractory_countdown(
        jnp.array([2.0]), jnp.array([1.0]), refractory=jnp.array([3.0]), dt=jnp.ones(1)
    )
    assert c.tolist() == [4.0]  # 2 - 1, then + 3 for the new spike


def test_adaptive_threshold_by_hand():
    # Decay(0) membrane: h_t = x_t. Threshold 1, Decay(0.5), gain 0.5:
    # t0: 0.7 < 1, theta 0.5; t1: 0.7 >= 0.5 spike, theta 0.25 + 0.5 = 0.75;
    # t2: 0.7 < 0.75, theta 0.375; t3: spike, theta 0.1875 + 0.5 = 0.6875
    alif = snn.TraceALIF(
        threshold=1.0,
        decay=snn.Decay(0.0),
        threshold_gain=0.5,
        threshold_decay=snn.Decay(0.5),
    )
    out, rec, _ = _run(alif, np.full((4, 1), 0.7))
    np.testing.assert_array_equal(out[:, 0], [0, 1, 0, 1])
    np.testing.assert_allclose(
        np.asarray(rec.thresh)[:, 0], [0.5, 0.75, 0.375, 0.6875], rtol=1e-6
    )


def test_adaptive_threshold_decays_towards_zero_not_its_start():
    # pysnn quirk: with v_rest = 0 and no input the threshold decays to 0 and
    # the resting neuron fires (v = 0 >= 0). Decay(0) gets there in one step.
    alif = snn.TraceALIF(threshold=1.0, threshold_decay=snn.Decay(0.0))
    out, rec, _ = _run(alif, np.zeros((3, 1)))
    np.testing.assert_array_equal(out[:, 0], [0, 1, 0])
    np.testing.assert_allclose(np.asarray(rec.thresh)[:, 0], [0.0, 0.1, 0.0])


def test_fede_is_the_euler_lif_on_the_net_drive():
    # FedeNeuron: v += (dt/tau)(-(v - v_rest) + a sum_k(x_k - pre_k)) [c == 0]
    x = np.array([[[0.5, 0.25]], [[0.75, 0.5]]], np.float32)  # (T=2, N=1, K=2)
    pre = np.array([[[0.25, 0.0]], [[0.125, 0.125]]], np.float32)
    fede = pysnn.neuron.FedeNeuron(
        (1,), thresh=10.0, v_rest=0.0, alpha_v=2.0, alpha_t=1.0, dt=1.0,
        duration_refrac=0.0, tau_v=4.0, tau_t=2.0,
    )  # fmt: skip
    _, rec, _ = _run(fede, fold(x - pre))
    # forcing: 2 * 0.5 = 1.0, then 2 * 1.0 = 2.0
    v1 = 0.25 * 1.0
    v2 = v1 + 0.25 * (-v1 + 2.0)
    np.testing.assert_allclose(np.asarray(rec.v)[:, 0], [v1, v2])


def test_pure_step_matches_module(key):
    x = jr.uniform(key, (4,), minval=0.0, maxval=2.0)
    model = snn.TraceLIF(decay=snn.Decay(0.5), refractory=1.0)
    state = model.init_state((4,))
    spikes, new = trace_lif_step(
        x,
        state,
        threshold=jnp.ones(4),
        v_rest=jnp.zeros(4),
        gain=jnp.ones(4),
        decay=snn.Decay(0.5),
        trace_gain=jnp.ones(4),
        trace_decay=snn.Decay(0.5),
        refractory=jnp.ones(4),
        dt=jnp.ones(4),
        surrogate=model.surrogate,
        spike_test=">=",
        detach_reset=False,
    )
    out, state1 = model(x, state)
    np.testing.assert_array_equal(out, spikes)
    for a, b in zip(jax.tree.leaves(state1), jax.tree.leaves(new), strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    n=st.integers(1, 4),
    dt=st.sampled_from([0.25, 0.5, 1.0, 2.0]),
    xs=st.lists(st.floats(-0.5, 2.0, width=32), min_size=25, max_size=25),
)
def test_refractory_gap_holds(kind, n, dt, xs):
    # after a spike at t: no spike at t+1 .. t+n (n = refractory / dt), the
    # membrane stays at v_rest and the counter reads refractory - k dt
    refractory = n * dt
    model = _build(kind, threshold=0.5, v_rest=-0.25, refractory=refractory, dt=dt)
    out, rec, _ = _run(model, np.asarray(xs)[:, None])
    s, v, c = out[:, 0], np.asarray(rec.v)[:, 0], np.asarray(rec.refrac)[:, 0]
    for t in np.flatnonzero(s):
        gap = slice(t + 1, min(t + n + 1, len(s)))
        assert not s[gap].any()
        np.testing.assert_array_equal(v[gap], np.float32(-0.25))
        k = np.arange(gap.stop - gap.start + 1)
        np.testing.assert_array_equal(c[t : gap.stop], refractory - k * dt)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 4), dt=st.sampled_from([0.25, 0.5, 1.0]))
def test_strong_input_fires_every_n_plus_one_steps(n, dt):
    # an input that crosses threshold in one step fires as soon as allowed
    model = snn.TraceIF(1.0, refractory=n * dt, dt=dt)
    out, _, _ = _run(model, np.full((12, 1), 2.0))
    expected = (np.arange(12) % (n + 1) == 0).astype(np.float32)
    np.testing.assert_array_equal(out[:, 0], expected)


@settings(max_examples=30, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    v_rest=st.floats(-1.0, -0.0625, width=32),
    threshold=st.floats(0.125, 2.0, width=32),
    refractory=st.sampled_from([0.0, 1.0, 2.0]),
)
def test_rest_stays_at_rest(kind, v_rest, threshold, refractory):
    # zero input from the initial state: nothing moves (v_rest < 0 so that the
    # adaptive threshold, which decays towards 0, stays above it)
    model = _build(kind, threshold=threshold, v_rest=v_rest, refractory=refractory)
    out, rec, _ = _run(model, np.zeros((10, 3)))
    assert not out.any()
    np.testing.assert_array_equal(np.asarray(rec.v), np.float32(v_rest))
    np.testing.assert_array_equal(np.asarray(rec.trace), 0.0)
    np.testing.assert_array_equal(np.asarray(rec.refrac), 0.0)


@settings(max_examples=20, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    xs=st.lists(st.floats(-3.0, 3.0, width=32), min_size=1, max_size=20),
)
def test_spikes_are_binary(kind, xs):
    out, _, _ = _run(_build(kind, refractory=1.0), np.asarray(xs)[:, None])
    assert set(np.unique(out)) <= {0.0, 1.0}


# -------------------------------------------------------------- gradients


@pytest.mark.parametrize("decay", ["decay", "euler"])
def test_check_grads_subthreshold_float64(decay):
    # below threshold and without refractory steps the forward is smooth
    with jax.enable_x64(True):
        strategy = snn.Decay(0.8) if decay == "decay" else snn.EulerDecay(2.0)
        model = snn.TraceLIF(100.0, decay=strategy, dt=0.5)
        xs = jr.uniform(jr.key(1), (8, 3), jnp.float64, minval=-1.0, maxval=1.0)
        r = jr.normal(jr.key(2), xs.shape, jnp.float64)

        @jax.jit
        def f(x):
            _, _, rec = snn.run(
                model, x, model.init_state(x.shape[1:], x.dtype), record=True
            )
            return jnp.sum(rec.v * r)

        jax.test_util.check_grads(f, (xs,), order=1, modes=("fwd", "rev"))


def test_input_trace_check_grads_float64():
    with jax.enable_x64(True):
        layer = snn.InputTrace(trace_decay=snn.EulerDecay(3.0), dt=0.5)
        xs = jr.uniform(jr.key(3), (6, 2), jnp.float64)

        def f(x):
            _, _, rec = snn.run(layer, x, layer.init_state((2,), x.dtype), record=True)
            return jnp.sum(rec.trace**2)

        jax.test_util.check_grads(f, (xs,), order=1, modes=("fwd", "rev"))


def test_spike_gradient_uses_the_surrogate_float64():
    # one step from rest (v_rest = 0, Decay): h = a x, ds/dx = a sigma'(a x - 1)
    # with sigma'(u) = s(u)(1 - s(u)), s the logistic function (slope 1)
    with jax.enable_x64(True):
        model = snn.TraceLIF(
            1.0, gain=0.5, decay=snn.Decay(0.5), surrogate=snn.surrogate.Sigmoid(1.0)
        )
        values = np.array([0.4, 3.0, 2.5, -1.0])
        xs = jnp.asarray(values).reshape(1, 4)
        state = model.init_state((4,), jnp.float64)
        g = jax.grad(lambda x: jnp.sum(snn.run(model, x, state)[0]))(xs)
        sig = 1 / (1 + np.exp(-(0.5 * values - 1.0)))
        np.testing.assert_allclose(g[0], 0.5 * sig * (1 - sig), rtol=1e-12)


def test_detach_reset_changes_gradient_not_output(key):
    xs = jr.uniform(key, (20, 4), minval=0.0, maxval=1.5)

    def loss(x, detach):
        m = snn.TraceLIF(decay=snn.Decay(0.8), detach_reset=detach)
        out, _, rec = snn.run(m, x, m.init_state(x.shape[1:]), record=True)
        return jnp.sum(rec.v), out

    (l0, o0), g0 = jax.value_and_grad(loss, has_aux=True)(xs, False)
    (l1, o1), g1 = jax.value_and_grad(loss, has_aux=True)(xs, True)
    np.testing.assert_array_equal(o0, o1)
    assert l0 == l1 and o0.sum() > 0
    assert not np.allclose(g0, g1)


def test_learned_decay_strategy_gets_gradient():
    xs = jnp.full((6, 2), 0.3)

    def loss(model):
        _, _, rec = snn.run(model, xs, model.init_state((2,)), record=True)
        return jnp.sum(rec.v)

    frozen = eqx.filter_grad(loss)(snn.TraceLIF(decay=snn.Decay(0.5)))
    learned = eqx.filter_grad(loss)(
        snn.TraceLIF(decay=snn.Decay(0.5), learn={"decay", "gain"})
    )
    assert frozen.decay.factor == 0 and frozen.gain == 0
    assert learned.decay.factor != 0 and learned.gain != 0
    assert learned.threshold == 0 and learned.dt == 0 and learned.refractory == 0


# ------------------------------------------ InputTrace under transforms
# (not in ALL_NEURONS: it has no membrane `v`, which the shared suite records)


def test_input_trace_jit_vmap_and_dtypes(key):
    layer = snn.InputTrace(trace_gain=0.5, trace_decay=snn.Decay(0.8))
    xs = (jr.uniform(key, (10, 3, 4)) > 0.5).astype(jnp.float32)
    state = layer.init_state((3, 4))
    eager = snn.run(layer, xs, state, record=True)
    jitted = eqx.filter_jit(snn.run)(layer, xs, state, record=True)
    for a, b in zip(jax.tree.leaves(eager), jax.tree.leaves(jitted), strict=True):
        np.testing.assert_array_equal(a, b)
    # vmap over the batch axis equals the per-example runs
    batched = jax.vmap(
        lambda x, s: snn.run(layer, x, s), in_axes=(1, 0), out_axes=(1, 0)
    )(xs, layer.init_state((3, 4)))
    for b in range(3):
        _, final_b = snn.run(layer, xs[:, b], layer.init_state((4,)))
        np.testing.assert_allclose(batched[1].trace[b], final_b.trace, rtol=1e-6)
    # bfloat16 in, bfloat16 out
    out, final = snn.run(
        layer, xs.astype(jnp.bfloat16), layer.init_state((3, 4), jnp.bfloat16)
    )
    assert out.dtype == final.trace.dtype == jnp.bfloat16


def test_input_trace_parameter_sweep_and_learning(key):
    xs = (jr.uniform(key, (10, 4)) > 0.5).astype(jnp.float32)
    gains = jnp.linspace(0.5, 2.0, 3)
    layers = eqx.filter_vmap(lambda a: snn.InputTrace(trace_gain=a))(gains)

    def final_trace(m):
        return snn.run(m, xs, m.init_state((4,)))[1].trace

    traces = eqx.filter_vmap(final_trace)(layers)
    for i in range(3):
        np.testing.assert_allclose(
            traces[i], final_trace(snn.InputTrace(trace_gain=gains[i])), rtol=1e-6
        )
    grads = eqx.filter_grad(lambda m: jnp.sum(final_trace(m)))(
        snn.InputTrace(learn={"trace_gain"})
    )
    assert grads.trace_gain != 0 and grads.trace_decay.factor == 0 and grads.dt == 0


def test_refractory_is_traceable_in_a_parameter_sweep():
    models = eqx.filter_vmap(lambda r: snn.TraceIF(refractory=r, dt=0.5))(
        jnp.array([0.0, 1.0, 1.5])
    )
    assert models.refractory.shape == (3,)
    build = eqx.filter_jit(lambda r: snn.TraceIF(refractory=r).refractory)
    with pytest.raises(eqx.EquinoxRuntimeError, match="whole multiple of `dt`"):
        build(jnp.asarray(0.5))


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "build,err,match",
    [
        (lambda: snn.TraceIF(refractory=1.5), ValueError, "whole multiple of `dt`"),
        (lambda: snn.TraceLIF(refractory=0.3, dt=0.1), ValueError, "`refractory`"),
        (lambda: snn.TraceIF(refractory=-1.0), ValueError, "`refractory` must be"),
        (lambda: snn.TraceIF(dt=0.0), ValueError, "`dt`"),
        (lambda: snn.TraceIF(threshold=float("nan")), ValueError, "`threshold`"),
        (lambda: snn.TraceIF(v_rest=float("inf")), ValueError, "`v_rest`"),
        (lambda: snn.TraceIF(gain=float("nan")), ValueError, "`gain`"),
        (lambda: snn.TraceIF(trace_gain=float("nan")), ValueError, "`trace_gain`"),
        (
            lambda: snn.TraceALIF(threshold_gain=float("inf")),
            ValueError,
            "`threshold_gain`",
        ),
        (lambda: snn.TraceIF(spike_test=">>"), ValueError, "`spike_test` must be"),
        (lambda: snn.TraceLIF(learn={"tau"}), ValueError, "unknown parameters"),
        (lambda: snn.InputTrace(dt=-1.0), ValueError, "`dt`"),
        (
            lambda: snn.Decay(1.5),
            ValueError,
            r"`factor` must be finite and in \[0, 1\]",
        ),
        (lambda: snn.EulerDecay(0.0), ValueError, "`tau`"),
        (
            lambda: snn.TraceLIF(decay=0.9),  # pyright: ignore[reportArgumentType]
            TypeError,
            "decay",
        ),
        (
            lambda: snn.TraceALIF(threshold_decay=None),  # pyright: ignore[reportArgumentType]
            TypeError,
            "threshold_decay",
        ),
        (
            lambda: snn.InputTrace(trace_decay=2.0),  # pyright: ignore[reportArgumentType]
            TypeError,
            "trace_decay",
        ),
    ],
)
def test_invalid_construction(build, err, match):
    with pytest.raises(err, match=match):
        build()


def test_shape_and_dtype_errors():
    model = snn.TraceLIF(decay=snn.Decay(jnp.full(3, 0.5)))
    with pytest.raises(ValueError, match="`factor` has shape"):
        model(jnp.ones((2, 4)), model.init_state((2, 4)))
    with pytest.raises(TypeError, match="floating-point"):
        layer = snn.InputTrace()
        layer(jnp.ones(3, bool), layer.init_state((3,)))
    with pytest.raises(ValueError, match=r"`state.v` has shape \(2,\)"):
        lif = snn.TraceLIF()
        lif(jnp.ones(3), lif.init_state((2,)))


# ----------------------------------------------------------------- compat


def test_own_type_messages():
    # under the test suite's jaxtyping hook the annotations reject these first;
    # users without the hook get these messages
    from snnjax.compat.pysnn.neuron import _cells
    from snnjax.neurons.trace import _check_decay

    with pytest.raises(TypeError, match="`decay` must be a decay strategy"):
        _check_decay("decay", 0.9)
    with pytest.raises(TypeError, match="`cells_shape` must be a tuple of ints"):
        _cells(3)
    with pytest.raises(TypeError, match="`cells_shape` must be a tuple of ints"):
        _cells((2.0, 3))


def test_compat_mapping():
    kw: dict[str, Any] = dict(thresh=1.0, v_rest=0.0, alpha_v=0.5, alpha_t=1.0, dt=1.0)
    n_if = pysnn.neuron.IFNeuron((2, 3), **kw, duration_refrac=2.0, tau_t=0.75)
    assert isinstance(n_if, snn.TraceIF) and isinstance(n_if.trace_decay, snn.Decay)
    assert n_if.gain.shape == (2, 3) and n_if.threshold.shape == (2, 3)
    assert float(n_if.refractory) == 2.0 and n_if.spike_test == ">="
    lif = pysnn.neuron.LIFNeuron(
        (2, 3), **kw, duration_refrac=0.0, tau_v=4.0, tau_t=2.0,
        update_type="exponential",
    )  # fmt: skip
    assert isinstance(lif.decay, snn.EulerDecay)
    assert isinstance(lif.trace_decay, snn.EulerDecay)
    alif = pysnn.neuron.AdaptiveLIFNeuron(
        (2, 3), **kw, duration_refrac=1.0, tau_v=0.5, tau_t=0.5,
        alpha_thresh=0.25, tau_thresh=0.875, store_trace=True,
    )  # fmt: skip
    assert isinstance(alif, snn.TraceALIF)
    assert isinstance(alif.threshold_decay, snn.Decay)
    np.testing.assert_array_equal(alif.threshold_decay.factor, np.full((2, 3), 0.875))
    assert alif.init_state((2, 3)).thresh.tolist() == [[1.0] * 3] * 2
    fede = pysnn.neuron.FedeNeuron((2, 3), **kw, duration_refrac=1.0, tau_v=3, tau_t=4)
    assert isinstance(fede, snn.TraceLIF) and isinstance(fede.decay, snn.EulerDecay)
    inp = pysnn.neuron.Input((2, 3), dt=1.0, alpha_t=0.5, tau_t=0.8)
    assert isinstance(inp, snn.InputTrace) and inp.trace_gain.shape == (2, 3)


def test_fold_sums_the_synapse_axis_and_concatenates_lists():
    a = jnp.arange(6.0).reshape(1, 2, 3)
    np.testing.assert_array_equal(fold(a), [[3.0, 12.0]])
    np.testing.assert_array_equal(fold([a, a[..., :1]]), [[3.0, 15.0]])


def test_cells_shape_checks_the_state_shape():
    lif = pysnn.neuron.LIFNeuron(
        (2, 3), thresh=1.0, v_rest=0.0, alpha_v=1.0, alpha_t=1.0, dt=1.0,
        duration_refrac=0.0, tau_v=0.5, tau_t=0.5,
    )  # fmt: skip
    out, _ = lif(jnp.ones((2, 3)), lif.init_state((2, 3)))
    assert out.shape == (2, 3)
    with pytest.raises(ValueError, match="does not broadcast"):
        lif(jnp.ones((3,)), lif.init_state((3,)))


_KW: dict[str, Any] = dict(
    cells_shape=(2, 3), thresh=1.0, v_rest=0.0, alpha_v=1.0, alpha_t=1.0
)


@pytest.mark.parametrize(
    "build,err,match",
    [
        (
            lambda: pysnn.neuron.LIFNeuron(
                **_KW, dt=1.0, duration_refrac=0.0, tau_v=1.5, tau_t=0.5
            ),
            ValueError,
            r"`tau_v` must be finite and in \[0, 1\]",
        ),
        (
            lambda: pysnn.neuron.IFNeuron(
                **_KW,
                dt=1.0,
                duration_refrac=0.0,
                tau_t=0.0,
                update_type="exponential",
            ),
            ValueError,
            "`tau_t`",
        ),
        (
            lambda: pysnn.neuron.IFNeuron(
                **_KW, dt=1.0, duration_refrac=0.0, tau_t=0.5, update_type="exp"
            ),
            ValueError,
            "`update_type` must be one of",
        ),
        (
            lambda: pysnn.neuron.IFNeuron(
                **_KW, dt=0.4, duration_refrac=1.0, tau_t=0.5
            ),
            ValueError,
            "`duration_refrac` must be a whole multiple of `dt`",
        ),
        (
            lambda: pysnn.neuron.IFNeuron(
                **_KW, dt=1.0, duration_refrac=-1.0, tau_t=0.5
            ),
            ValueError,
            "`duration_refrac`",
        ),
        (
            lambda: pysnn.neuron.Input((2, 3), dt=1.0, alpha_t=jnp.ones(4), tau_t=0.5),
            ValueError,
            "`alpha_t` has shape",
        ),
        (
            lambda: pysnn.neuron.Input([2, 0], dt=1.0, alpha_t=1.0, tau_t=0.5),
            ValueError,
            "`cells_shape` must hold positive",
        ),
        (
            lambda: pysnn.neuron.Input(3, dt=1.0, alpha_t=1.0, tau_t=0.5),  # pyright: ignore[reportArgumentType]
            TypeError,
            "cells_shape",
        ),
        (
            lambda: pysnn.neuron.Input((2.0,), dt=1.0, alpha_t=1.0, tau_t=0.5),  # pyright: ignore[reportArgumentType]
            TypeError,
            "cells_shape",
        ),
        (
            lambda: pysnn.neuron.Input((2,), dt=0.0, alpha_t=1.0, tau_t=0.5),
            ValueError,
            "`dt`",
        ),
    ],
)
def test_compat_rejections(build, err, match):
    with pytest.raises(err, match=match):
        build()
