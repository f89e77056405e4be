"""Pair-based STDP: the classic pair window, a naive reference loop, bounds,
transforms (jit, vmap over rules, scan) and every error message."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st


def _snn():
    import snnjax

    return snnjax


def _pair_trains(t_pre: int, t_post: int, num_steps: int = 12):
    pre = np.zeros((num_steps, 1), np.float32)
    post = np.zeros((num_steps, 1), np.float32)
    pre[t_pre, 0] = 1.0
    post[t_post, 0] = 1.0
    return jnp.asarray(pre), jnp.asarray(post)


def _run_rule(rule, weight, pres, posts, state=None):
    """The rule over a sequence inside `jax.lax.scan`; returns (weight, state)."""
    if state is None:
        state = rule.init_state(
            pres.shape[-1], posts.shape[-1], batch_shape=pres.shape[1:-1]
        )

    def body(carry, xs):
        w, s = carry
        w, s = rule.update(w, xs[0], xs[1], s)
        return (w, s), w

    (weight, state), _ = jax.lax.scan(body, (weight, state), (pres, posts))
    return weight, state


_run_jit = eqx.filter_jit(_run_rule)


# ------------------------------------------------------------- pair window


@pytest.mark.parametrize("delta", [1, 3, 7])
def test_pair_pre_before_post_potentiates(delta):
    rule = _snn().plasticity.STDP.from_tau(
        a_plus=0.05, a_minus=0.03, tau_plus=5.0, tau_minus=8.0
    )
    pres, posts = _pair_trains(2, 2 + delta)
    weight, _ = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    expected = 0.5 + 0.05 * math.exp(-delta / 5.0)
    np.testing.assert_allclose(float(weight[0, 0]), expected, rtol=1e-6)


@pytest.mark.parametrize("delta", [1, 3, 7])
def test_pair_post_before_pre_depresses(delta):
    rule = _snn().plasticity.STDP.from_tau(
        a_plus=0.05, a_minus=0.03, tau_plus=5.0, tau_minus=8.0
    )
    pres, posts = _pair_trains(2 + delta, 2)
    weight, _ = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    expected = 0.5 - 0.03 * math.exp(-delta / 8.0)
    np.testing.assert_allclose(float(weight[0, 0]), expected, rtol=1e-6)


def test_pair_with_dt_and_coincident_spikes():
    # delta = 3 steps of dt = 0.5 is 1.5 time units
    rule = _snn().plasticity.STDP.from_tau(
        a_plus=0.05, a_minus=0.03, tau_plus=5.0, tau_minus=8.0, dt=0.5
    )
    pres, posts = _pair_trains(1, 4)
    weight, _ = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    np.testing.assert_allclose(
        float(weight[0, 0]), 0.5 + 0.05 * math.exp(-1.5 / 5.0), rtol=1e-6
    )
    # a pre and a post spike in the same step: both terms count
    pres, posts = _pair_trains(4, 4)
    weight, _ = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    np.testing.assert_allclose(float(weight[0, 0]), 0.5 + 0.05 - 0.03, rtol=1e-6)


def test_pair_soft_bounds_scale_with_distance_to_bound():
    rule = _snn().plasticity.STDP.from_tau(
        a_plus=0.05, a_minus=0.03, tau_plus=5.0, tau_minus=8.0,
        w_min=-1.0, w_max=2.0, bounds="soft",
    )  # fmt: skip
    pres, posts = _pair_trains(2, 4)
    weight, _ = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    expected = 0.5 + 0.05 * math.exp(-2 / 5.0) * (2.0 - 0.5)
    np.testing.assert_allclose(float(weight[0, 0]), expected, rtol=1e-6)
    pres, posts = _pair_trains(4, 2)
    weight, _ = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    expected = 0.5 - 0.03 * math.exp(-2 / 8.0) * (0.5 - (-1.0))
    np.testing.assert_allclose(float(weight[0, 0]), expected, rtol=1e-6)


def test_pair_euler_traces():
    # EulerDecay: a spike raises the trace by dt/tau, then each step multiplies
    # it by (1 - dt/tau): pysnn's "exponential" trace with alpha_t = 1
    rule = _snn().plasticity.STDP.from_tau(
        a_plus=0.5, a_minus=0.25, tau_plus=4.0, tau_minus=2.0, trace="euler"
    )
    pres, posts = _pair_trains(1, 4)
    weight, state = _run_jit(rule, jnp.full((1, 1), 0.5), pres, posts)
    expected = 0.5 + 0.5 * 0.25 * 0.75**3
    np.testing.assert_allclose(float(weight[0, 0]), expected, rtol=1e-6)
    # final traces: pre spike at 1, post at 4, sequence of 12 steps
    np.testing.assert_allclose(float(state.pre_trace[0]), 0.25 * 0.75**10, rtol=1e-5)
    np.testing.assert_allclose(float(state.post_trace[0]), 0.5 * 0.5**7, rtol=1e-5)


# ------------------------------------------------------ reference loop


def _reference(weight, pres, posts, *, a_plus, a_minus, d_pre, d_post, lo, hi, soft):
    """Naive float64 loop over steps, batch elements and synapses."""
    weight = np.array(weight, np.float64)
    num_steps, batch, n_pre = pres.shape
    n_post = posts.shape[-1]
    z_pre = np.zeros((batch, n_pre))
    z_post = np.zeros((batch, n_post))
    for t in range(num_steps):
        for b in range(batch):
            for j in range(n_pre):
                z_pre[b, j] = z_pre[b, j] * d_pre[j] + pres[t, b, j]
            for i in range(n_post):
                z_post[b, i] = z_post[b, i] * d_post + posts[t, b, i]
        new = weight.copy()
        for i in range(n_post):
            for j in range(n_pre):
                ltp = sum(posts[t, b, i] * z_pre[b, j] for b in range(batch)) / batch
                ltd = sum(z_post[b, i] * pres[t, b, j] for b in range(batch)) / batch
                if soft:
                    dw = a_plus * (hi - weight[i, j]) * ltp
                    dw -= a_minus * (weight[i, j] - lo) * ltd
                else:
                    dw = a_plus * ltp - a_minus * ltd
                new[i, j] = min(max(weight[i, j] + dw, lo), hi)
        weight = new
    return weight, z_pre, z_post


@pytest.mark.parametrize("bounds", ["hard", "soft"])
def test_matches_naive_reference_with_batch(key, bounds):
    snn = _snn()
    k1, k2, k3 = jr.split(key, 3)
    pres = jr.bernoulli(k1, 0.3, (15, 2, 3)).astype(jnp.float32)
    posts = jr.bernoulli(k2, 0.3, (15, 2, 2)).astype(jnp.float32)
    weight = jr.uniform(k3, (2, 3), minval=0.2, maxval=0.8)
    d_pre = np.array([0.5, 0.75, 0.875])  # per presynaptic neuron
    rule = snn.plasticity.STDP(
        0.1, 0.12,
        pre_decay=snn.Decay(jnp.asarray(d_pre, jnp.float32)),
        post_decay=snn.Decay(0.625),
        w_min=0.25, w_max=0.75, bounds=bounds,
    )  # fmt: skip
    got, state = _run_jit(rule, weight, pres, posts)
    want, z_pre, z_post = _reference(
        weight, np.asarray(pres), np.asarray(posts), a_plus=0.1, a_minus=0.12,
        d_pre=d_pre, d_post=0.625, lo=0.25, hi=0.75, soft=bounds == "soft",
    )  # fmt: skip
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(state.pre_trace), z_pre, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(state.post_trace), z_post, rtol=1e-5)


# --------------------------------------------------------------- bounds


@eqx.filter_jit
def _one_step(rule, weight, pre, post, state):
    return rule.update(weight, pre, post, state)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    a_plus=st.floats(0.0, 3.0),
    a_minus=st.floats(0.0, 3.0),
    soft=st.booleans(),
)
def test_bounds_hold(seed, a_plus, a_minus, soft):
    snn = _snn()
    rule = snn.plasticity.STDP(
        a_plus, a_minus, w_min=-0.5, w_max=0.5, bounds="soft" if soft else "hard"
    )
    keys = jr.split(jr.key(seed), 5)
    weight = jr.uniform(keys[0], (3, 4), minval=-0.5, maxval=0.5)
    state = snn.plasticity.STDPState(
        pre_trace=jr.uniform(keys[1], (2, 4), maxval=5.0),
        post_trace=jr.uniform(keys[2], (2, 3), maxval=5.0),
    )
    pre = jr.bernoulli(keys[3], 0.5, (2, 4)).astype(jnp.float32)
    post = jr.bernoulli(keys[4], 0.5, (2, 3)).astype(jnp.float32)
    new, _ = _one_step(rule, weight, pre, post, state)
    assert float(new.min()) >= -0.5
    assert float(new.max()) <= 0.5


def test_soft_bounds_need_no_clip_for_small_steps():
    # a_plus * P + a_minus * D <= 1: the multiplicative update stays inside
    # (0, 1) on its own; checked by comparing with the unclipped formula
    snn = _snn()
    rule = snn.plasticity.STDP(0.2, 0.3, bounds="soft")
    weight = jnp.array([[0.0, 1.0, 0.5]])
    state = rule.init_state(3, 1)
    pre = jnp.ones((3,))
    post = jnp.ones((1,))
    new, _ = rule.update(weight, pre, post, state)
    # traces are 1 after the spikes: P = D = 1
    expected = np.array([0.0 + 0.2 * 1.0, 1.0 - 0.3 * 1.0, 0.5 + 0.1 - 0.15])
    np.testing.assert_allclose(np.asarray(new[0]), expected, rtol=1e-6)


# ----------------------------------------------------------- transforms


def test_jit_equals_eager_and_batch_mean(key):
    snn = _snn()
    k1, k2 = jr.split(key)
    pres = jr.bernoulli(k1, 0.4, (8, 3)).astype(jnp.float32)
    posts = jr.bernoulli(k2, 0.4, (8, 2)).astype(jnp.float32)
    rule = snn.plasticity.STDP(0.1, 0.05)
    weight = jnp.full((2, 3), 0.5)
    eager, eager_state = _run_rule(rule, weight, pres, posts)
    jitted, jit_state = _run_jit(rule, weight, pres, posts)
    np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))
    np.testing.assert_array_equal(
        np.asarray(eager_state.pre_trace), np.asarray(jit_state.pre_trace)
    )
    # a batch of two identical copies averages to the unbatched update
    doubled, _ = _run_jit(
        rule, weight, jnp.stack([pres, pres], 1), jnp.stack([posts, posts], 1)
    )
    np.testing.assert_allclose(np.asarray(doubled), np.asarray(jitted), rtol=1e-6)


def test_vmap_over_rules_equals_loop():
    snn = _snn()
    rates = jnp.array([0.01, 0.05, 0.2])
    taus = jnp.array([2.0, 5.0, 10.0])
    rules = eqx.filter_vmap(
        lambda a, tau: snn.plasticity.STDP.from_tau(a, 0.5 * a, tau_plus=tau)
    )(rates, taus)
    pres, posts = _pair_trains(1, 3)
    weight = jnp.full((1, 1), 0.5)
    swept = eqx.filter_vmap(lambda r: _run_rule(r, weight, pres, posts)[0])(rules)
    for k in range(3):
        rule = snn.plasticity.STDP.from_tau(
            float(rates[k]), 0.5 * float(rates[k]), tau_plus=float(taus[k])
        )
        single, _ = _run_jit(rule, weight, pres, posts)
        np.testing.assert_allclose(np.asarray(swept[k]), np.asarray(single), rtol=1e-6)
        expected = 0.5 + float(rates[k]) * math.exp(-2 / float(taus[k]))
        np.testing.assert_allclose(float(swept[k][0, 0]), expected, rtol=1e-6)


def test_inside_run_with_a_lif_layer(key):
    # a step function (input spikes -> LIF -> STDP) integrated by snnjax.run
    snn = _snn()
    rule = snn.plasticity.STDP(0.01, 0.012)
    lif = snn.LIF(beta=0.9, threshold=1.0)
    pres = jr.bernoulli(key, 0.3, (20, 4)).astype(jnp.float32)

    def step(x, carry):
        weight, v_state, traces = carry
        spikes, v_state = lif(weight @ x, v_state)
        weight, traces = rule.update(weight, x, spikes, traces)
        return spikes, (weight, v_state, traces)

    carry = (jnp.full((2, 4), 0.6), lif.init_state((2,)), rule.init_state(4, 2))
    spikes, (weight, _, _) = jax.jit(lambda c: snn.run(step, pres, c))(carry)
    assert spikes.shape == (20, 2)
    assert float(spikes.sum()) > 0
    assert not np.allclose(np.asarray(weight), 0.6)


def test_bfloat16_stays_bfloat16():
    snn = _snn()
    rule = snn.plasticity.STDP(0.1, 0.1)
    dtype = jnp.bfloat16
    state = rule.init_state(2, 1, dtype=dtype)
    weight, state = rule.update(
        jnp.full((1, 2), 0.5, dtype), jnp.ones((2,), dtype), jnp.ones((1,), dtype),
        state,
    )  # fmt: skip
    assert weight.dtype == dtype
    assert state.pre_trace.dtype == dtype


# --------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"a_plus": -0.1}, r"`a_plus` must be finite and in \[0, inf\)"),
        ({"a_minus": -0.1}, r"`a_minus` must be finite and in \[0, inf\)"),
        ({"w_min": float("-inf")}, r"`w_min` must be finite"),
        ({"w_max": float("nan")}, r"`w_max` must be finite"),
        ({"w_min": 1.0, "w_max": 1.0}, r"`w_min` must be below `w_max`"),
        ({"dt": 0.0}, r"`dt` must be finite and in \(0, inf\)"),
        ({"bounds": "clip"}, r"`bounds` must be one of 'hard', 'soft'; got 'clip'"),
    ],
)
def test_constructor_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _snn().plasticity.STDP(**kwargs)


# The next three checks are also enforced by the annotations, so under the
# test suite's jaxtyping hook the hook's TypeError (naming the argument) comes
# first; without the hook the library's own message does.


def test_decay_type_errors():
    snn = _snn()
    with pytest.raises(TypeError, match=r"pre_decay"):
        snn.plasticity.STDP(pre_decay=0.9)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"post_decay"):
        snn.plasticity.STDP(post_decay="exp")  # type: ignore[arg-type]


def test_dt_must_be_scalar():
    with pytest.raises(TypeError, match=r"dt"):
        _snn().plasticity.STDP(dt=jnp.ones(2))


def test_from_tau_errors():
    snn = _snn()
    with pytest.raises(ValueError, match=r"`trace` must be one of 'exact', 'euler'"):
        snn.plasticity.STDP.from_tau(trace="linear")
    with pytest.raises(ValueError, match=r"`tau` must be finite and in \(0, inf\)"):
        snn.plasticity.STDP.from_tau(tau_plus=0.0)


def test_traced_parameter_error_under_vmap():
    snn = _snn()
    with pytest.raises(Exception, match=r"`a_plus` must be finite and in \[0, inf\)"):
        rules = eqx.filter_vmap(lambda a: snn.plasticity.STDP(a))(jnp.array([-1.0]))
        jax.block_until_ready(rules.a_plus)


def test_init_state_errors():
    rule = _snn().plasticity.STDP()
    with pytest.raises(ValueError, match=r"`n_pre` must be a positive int; got 0"):
        rule.init_state(0, 2)
    with pytest.raises(ValueError, match=r"`n_post` must be a positive int; got -1"):
        rule.init_state(3, -1)


def test_update_shape_and_dtype_errors():
    snn = _snn()
    rule = snn.plasticity.STDP()
    state = rule.init_state(3, 2)
    w = jnp.zeros((2, 3))
    pre, post = jnp.zeros((3,)), jnp.zeros((2,))
    with pytest.raises(ValueError, match=r"`weight` must be a matrix .* got shape"):
        rule.update(jnp.zeros((6,)), pre, post, state)
    with pytest.raises(
        ValueError, match=r"`pre_spikes` must have shape \(\*batch, 3\)"
    ):
        rule.update(w, jnp.zeros((4,)), post, state)
    with pytest.raises(ValueError, match=r"`post_spikes` must have shape"):
        rule.update(w, pre, jnp.zeros((3,)), state)
    with pytest.raises(ValueError, match=r"must share their batch axes"):
        rule.update(w, jnp.zeros((2, 3)), jnp.zeros((5, 2)), state)
    with pytest.raises(ValueError, match=r"`state.pre_trace` has shape \(3,\)"):
        rule.update(w, jnp.zeros((4, 3)), jnp.zeros((4, 2)), state)
    with pytest.raises(TypeError, match=r"`pre_spikes` has dtype bool"):
        rule.update(w, pre.astype(bool), post, state)
    wide = snn.plasticity.STDP(a_plus=jnp.ones(4))
    with pytest.raises(ValueError, match=r"`a_plus` has shape \(4,\), which does"):
        wide.update(w, pre, post, state)
