"""Memory-lean BPTT (`run(..., bptt=...)`), time-parallel LI, retracing."""

import functools as ft

import chex
import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import snnjax as snn
from snnjax._bptt import default_segment_length, linear_recurrence

from .helpers import ALL_NEURONS, grad_temp_bytes, inputs

# A spread of state structures: one array (LIF), two (Synaptic), three with an
# adaptive threshold (ALIF, LSNN); the network below adds feedback and LI.
MODELS = ["LIF", "Synaptic", "ALIF", "LSNN"]


# every lean mode against autodiff: recompute, segments of the default length
# (3 steps for T = 12), and 5-step segments with a 2-step remainder
LEAN = [("recompute", None), ("segments", None), ("segments", 5)]


def _loss(model, xs, weights, bptt, record, segment_length=None):
    state = model.init_state(xs.shape[1:], xs.dtype)
    result = snn.run(
        model, xs, state, record=record, bptt=bptt, segment_length=segment_length
    )
    outs, final = result[0], result[1]
    total = jnp.sum(outs * weights) + sum(jnp.sum(v) for v in jax.tree.leaves(final))
    if record:
        total = total + sum(
            jnp.sum(0.5 * leaf) for leaf in jax.tree.leaves(result[2]) if leaf.ndim
        )
    return total


@eqx.filter_jit
def _grads(model, xs, weights, bptt, record, segment_length=None):
    return eqx.filter_grad(
        lambda mx: _loss(mx[0], mx[1], weights, bptt, record, segment_length)
    )((model, xs))


def _learned(name):
    learn = {
        "LIF": {"beta", "threshold"},
        "Synaptic": {"alpha", "beta"},
        "ALIF": set(),
        "LSNN": {"beta", "rho"},
    }[name]
    return ALL_NEURONS[name](learn=learn) if learn else ALL_NEURONS[name]()


@pytest.mark.parametrize(("bptt", "segment_length"), LEAN)
@pytest.mark.parametrize("name", MODELS)
def test_lean_gradients_equal_autodiff(name, bptt, segment_length, key):
    model = _learned(name)
    xs = inputs(key)
    weights = jr.normal(jr.key(1), xs.shape)
    record = name in ("LIF", "LSNN")  # record=True on two models
    want = _grads(model, xs, weights, "autodiff", record)
    got = _grads(model, xs, weights, bptt, record, segment_length)
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    # the gradient is not trivially zero
    assert float(jnp.max(jnp.abs(want[1]))) > 0


def _network(key):
    k1, k2, k3 = jr.split(key, 3)
    return snn.Sequential(
        [
            snn.Linear(5, 6, key=k1),
            snn.LIF(0.9, learn={"beta"}),
            snn.Recurrent(snn.LIF(0.8), snn.Linear(6, 6, use_bias=False, key=k2)),
            snn.Linear(6, 3, key=k3),
            snn.LI(0.8, alpha=0.5),
        ]
    )


@pytest.mark.parametrize(("bptt", "segment_length"), LEAN)
@pytest.mark.parametrize(("record", "layer_major"), [(True, True), (False, False)])
def test_lean_gradients_equal_autodiff_sequential(
    record, layer_major, bptt, segment_length, key
):
    net = _network(key)
    xs = inputs(jr.key(2), (12, 2, 5))

    def grads(bptt, segment_length=None):
        def loss(m, x):
            state = m.init_state(x.shape[1:])
            res = snn.run(
                m,
                x,
                state,
                record=record,
                bptt=bptt,
                segment_length=segment_length,
                layer_major=layer_major,
            )
            total = jnp.sum(res[0] ** 2)
            if record:
                total = total + sum(jnp.sum(v) for v in jax.tree.leaves(res[2]))
            return total

        return eqx.filter_jit(eqx.filter_grad(loss))(net, xs)

    want, got = grads("autodiff"), grads(bptt, segment_length)
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    assert float(jnp.max(jnp.abs(want.blocks[0].weight))) > 0


@pytest.mark.parametrize(("bptt", "segment_length"), LEAN)
def test_lean_forward_equals_autodiff(bptt, segment_length, key):
    lif = ALL_NEURONS["LIF"]()
    xs = inputs(key)
    state = lif.init_state(xs.shape[1:])
    want = snn.run(lif, xs, state, record=True)
    got = snn.run(lif, xs, state, record=True, bptt=bptt, segment_length=segment_length)
    chex.assert_trees_all_equal(got, want)


@pytest.mark.parametrize("length", [1, 2, 3, 4, 11, 12, 13, 40])
def test_segments_of_every_length_cover_the_sequence(length, key):
    # segment lengths below, equal to and above T, with and without remainder
    lif = snn.LIF(0.7)
    xs = inputs(key, (12, 2))
    state = lif.init_state((2,))
    want = snn.run(lif, xs, state, record=True)
    got = snn.run(lif, xs, state, record=True, bptt="segments", segment_length=length)
    chex.assert_trees_all_equal(got, want)


def test_recompute_stores_less(key):
    # XLA's memory plan for a long ALIF scan's gradient: autodiff keeps three
    # residual arrays per step, "recompute" only the two state arrays (v, b).
    # (For LIF, autodiff already keeps a single array per step.)
    lif = snn.ALIF()
    xs = inputs(key, (200, 16, 64))

    def temp_bytes(bptt):
        def g(x):
            return jax.grad(
                lambda x: jnp.sum(
                    snn.run(lif, x, lif.init_state(x.shape[1:]), bptt=bptt)[0] * x
                )
            )(x)

        mem = jax.jit(g).lower(xs).compile().memory_analysis()
        if mem is None:
            pytest.skip("this backend gives no memory analysis")
        return mem.temp_size_in_bytes

    assert temp_bytes("recompute") < temp_bytes("autodiff")


def test_segments_store_sqrt_t_residuals(key):
    # LIF, T = 400, loss sum(spikes * R) with a fixed R (the neuron-core
    # benchmark): autodiff keeps one (16, 64) residual per step (400 x 4 KB);
    # segments of 20 steps keep 20 start states and one segment's 20 steps.
    lif = snn.LIF(0.9)
    xs = inputs(key, (400, 16, 64))
    weights = jr.normal(jr.key(3), xs.shape)
    step_bytes = 16 * 64 * 4

    def temp_bytes(bptt):
        return grad_temp_bytes(lif, xs, weights, bptt)

    saved = temp_bytes("autodiff") - temp_bytes("segments")
    # at least 250 of the 400 per-step residual arrays are gone
    assert saved >= 250 * step_bytes, saved / step_bytes


@pytest.mark.parametrize("lean", ["recompute", "segments"])
def test_lean_under_vmap(lean, key):
    lif = snn.LIF(0.9)
    xs = inputs(key, (10, 4, 3))

    @ft.partial(jax.jit, static_argnums=1)
    def g(x, bptt):
        return jax.grad(
            lambda x: jnp.sum(
                snn.run(lif, x, lif.init_state(x.shape[1:]), bptt=bptt)[0]
            )
        )(x)

    # vmap over the batch axis (axis 1) equals the per-example loop
    got = jax.vmap(lambda x: g(x, lean), in_axes=1, out_axes=1)(xs)
    want = np.stack([np.asarray(g(xs[:, b], "autodiff")) for b in range(4)], axis=1)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-7)


def test_bad_bptt():
    lif = snn.LIF(0.9)
    xs, state = jnp.ones((3, 2)), lif.init_state((2,))
    with pytest.raises(
        ValueError,
        match=(
            "`bptt` must be one of 'auto', 'autodiff', 'recompute', 'segments'; "
            "got 'fast'"
        ),
    ):
        snn.run(lif, xs, state, bptt="fast")
    with pytest.raises(ValueError, match="`segment_length` must be a positive int"):
        snn.run(lif, xs, state, bptt="segments", segment_length=0)
    with pytest.raises(ValueError, match='applies to bptt="segments" only'):
        snn.run(lif, xs, state, bptt="recompute", segment_length=4)


# ------------------------------------------- recurrent weight gradients hoisted


def _recurrent_block(kind, key):
    k1, k2 = jr.split(key)
    w = 2.0 * jr.normal(k1, (6, 6))
    if kind == "rlif":  # snntorch RLeaky: delayed reset, weight and bias learned
        neuron = snn.RecurrentLIF(
            0.9, weight=w, bias=0.1 * jnp.ones(6), reset_timing="delayed",
            learn={"weight", "bias", "beta"},
        )  # fmt: skip
        return neuron, (6,)
    if kind == "rlif-one-to-one":
        return snn.RecurrentLIF(0.8, weight=jnp.linspace(-1.0, 2.0, 6)), (6,)
    if kind == "rsynaptic-frozen":  # weight not learned: zero on both paths
        return snn.RecurrentSynaptic(weight=w, learn={"alpha"}), (6,)
    if kind == "r-alif":  # sinabs ALIFRecurrent
        return snn.ALIFRecurrent(weight=w, bias=0.1 * jnp.ones(6)), (6,)
    if kind == "r-multispike":  # sinabs LIFRecurrent: graded spike counts
        return snn.MultiSpikeLIFRecurrent(0.8, weight=0.5 * w), (6,)
    if kind == "conv":  # channels 3, length 4; time-distributed like Linear
        conn = snn.Conv1d(3, 3, 3, padding=1, key=k1)
        return snn.Recurrent(snn.LIF(0.8, learn={"beta"}), conn), (3, 4)
    mask = jr.bernoulli(k2, 0.6, (6, 6)) if kind == "masked" else None
    conn = snn.Linear(6, 6, mask=mask, key=k1)
    conn = eqx.tree_at(lambda c: c.weight, conn, 3.0 * conn.weight)  # busy loop
    return snn.Recurrent(snn.LSNN(learn={"beta", "rho"}), conn), (6,)


HOISTED = [
    ("linear", False),
    ("masked", True),
    ("conv", False),
    ("rlif", True),
    ("rlif-one-to-one", False),
    ("rsynaptic-frozen", False),
    ("r-alif", True),
    ("r-multispike", False),
]


@pytest.mark.parametrize("bptt", ["auto", "recompute", "segments"])
@pytest.mark.parametrize(("kind", "record"), HOISTED)
def test_hoisted_recurrent_gradients_equal_autodiff(kind, record, bptt, key):
    block, shape = _recurrent_block(kind, key)
    xs = inputs(jr.key(5), (12, 2, *shape))
    weights = jr.normal(jr.key(6), xs.shape)
    state0 = block.init_state(xs.shape[1:])
    # a nonzero initial output, so the t = 0 feedback term is exercised
    state0 = jax.tree.map(lambda a: a + 0.5, state0)

    def grads(mode):
        def loss(args):
            m, x, s0 = args
            res = snn.run(m, x, s0, record=record, bptt=mode)
            total = jnp.sum(res[0] * weights)
            total = total + sum(jnp.sum(v**2) for v in jax.tree.leaves(res[1]))
            if record:
                total = total + sum(
                    jnp.sum(jnp.tanh(v)) for v in jax.tree.leaves(res[2])
                )
            return total

        return eqx.filter_jit(eqx.filter_grad(loss))((block, xs, state0))

    want, got = grads("autodiff"), grads(bptt)
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-5)
    # the feedback weights (unless frozen), the input and the initial state
    # all receive a gradient
    weight = want[0].weight if kind.startswith("r") else want[0].connection.weight
    assert (float(jnp.max(jnp.abs(weight))) > 0) == (kind != "rsynaptic-frozen")
    assert float(jnp.max(jnp.abs(want[1]))) > 0
    assert max(float(jnp.max(jnp.abs(v))) for v in jax.tree.leaves(want[2])) > 0
    if kind == "masked":  # masked-out weights get no gradient on either path
        np.testing.assert_array_equal(
            np.asarray(got[0].connection.weight)[~np.asarray(block.connection.mask)],
            0.0,
        )


def test_hoisted_path_is_taken_in_a_sequential(key):
    block, _ = _recurrent_block("linear", key)
    net = snn.Sequential([snn.Linear(4, 6, key=jr.key(1)), block])
    xs = inputs(jr.key(2), (5, 2, 4))

    def jaxpr(mode):
        def loss(m):
            return jnp.sum(snn.run(m, xs, m.init_state(xs.shape[1:]), bptt=mode)[0])

        return str(jax.make_jaxpr(loss)(net))

    assert "custom_vjp" in jaxpr("auto")
    assert "custom_vjp" not in jaxpr("autodiff")


def test_hoisted_recurrent_under_vmap(key):
    block, _ = _recurrent_block("linear", key)
    xs = inputs(jr.key(3), (8, 3, 6))

    @jax.jit
    def grad_weight(x):
        def loss(w):
            m = eqx.tree_at(lambda b: b.connection.weight, block, w)
            return jnp.sum(snn.run(m, x, m.init_state(x.shape[1:]))[0] ** 2)

        return jax.grad(loss)(block.connection.weight)

    # vmap over examples (a leading axis added in front of time) equals a loop
    batch = jnp.stack([xs, 0.5 * xs, xs + 0.2])
    got = jax.vmap(grad_weight)(batch)
    want = np.stack([np.asarray(grad_weight(x)) for x in batch])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)


def test_forward_mode_needs_autodiff(key):
    block, _ = _recurrent_block("linear", key)
    xs = inputs(jr.key(4), (5, 2, 6))
    state0 = block.init_state((2, 6))

    def f(x, mode):
        return snn.run(block, x, state0, bptt=mode)[1].neuron.v

    # plain reverse mode supports jax.jvp; the hoisted custom_vjp does not
    _, tangent = jax.jvp(lambda x: f(x, "autodiff"), (xs,), (jnp.ones_like(xs),))
    assert tangent.shape == (2, 6)
    with pytest.raises(TypeError, match="custom_vjp"):
        jax.jvp(lambda x: f(x, "auto"), (xs,), (jnp.ones_like(xs),))


# ------------------------------------------------------- parallel-in-time linear


def test_linear_recurrence_equals_loop(key):
    ka, kb, kh = jr.split(key, 3)
    a = jr.uniform(ka, (17, 3), minval=0.0, maxval=1.0)
    b = jr.normal(kb, (17, 3))
    h0 = jr.normal(kh, (3,))
    got = jax.jit(linear_recurrence)(a, b, h0)
    h, want = np.asarray(h0), []
    for t in range(17):  # the definition, one step at a time
        h = np.asarray(a[t]) * h + np.asarray(b[t])
        want.append(h)
    np.testing.assert_allclose(np.asarray(got), np.stack(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("name", "record"), [("LI", False), ("LI-syn", True)])
def test_time_parallel_li_equals_scan(name, record, key):
    li = ALL_NEURONS[name](v_leak=0.2, learn={"alpha", "beta", "v_leak"})
    xs = inputs(key, (23, 3, 4))
    state = li.init_state(xs.shape[1:])
    state = type(state)(v=state.v + 0.3, i=state.i - 0.1)  # non-rest start

    def loss(m, parallel):
        res = snn.run(m, xs, state, record=record, time_parallel=parallel)
        return jnp.sum(res[0] * xs) + jnp.sum(res[1].v), res

    value_and_grad = eqx.filter_jit(eqx.filter_value_and_grad(loss, has_aux=True))
    (_, want), g_want = value_and_grad(li, False)
    (_, got), g_got = value_and_grad(li, True)
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    chex.assert_trees_all_close(g_got, g_want, rtol=1e-4, atol=1e-5)


def test_time_parallel_in_sequential(key):
    net = _network(key)
    xs = inputs(jr.key(3), (9, 2, 5))
    state = net.init_state(xs.shape[1:])
    run = eqx.filter_jit(
        lambda parallel: snn.run(net, xs, state, record=True, time_parallel=parallel)
    )
    want, got = run(False), run(True)
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)


def test_bad_time_parallel():
    li = snn.LI(0.9)
    # (under the test suite's jaxtyping hook the annotation check fires first)
    with pytest.raises(TypeError, match="time_parallel"):
        bad: object = "yes"
        snn.run(li, jnp.ones((3, 2)), li.init_state((2,)), time_parallel=bad)  # pyright: ignore[reportArgumentType] (tested)


# ------------------------------------------------------------------- retracing


def test_training_step_does_not_retrace_with_new_values(key):
    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def step(net, xs, labels):
        def loss(m):
            out, _ = snn.run(m, xs, m.init_state(xs.shape[1:]), bptt="recompute")
            return snn.loss.ce_count(out, labels)

        return eqx.filter_value_and_grad(loss)(net)

    k1, k2 = jr.split(key)
    net = snn.Sequential([snn.Linear(5, 4, key=k1), snn.LIF(0.9, learn={"beta"})])
    xs, labels = inputs(k2, (6, 2, 5)), jnp.array([0, 3])
    loss_a, grads = step(net, xs, labels)
    # new weights and a new beta: same structure, so no new trace
    net = eqx.apply_updates(net, jax.tree.map(lambda g: -0.5 * g, grads))
    net = eqx.tree_at(lambda n: n.blocks[1].beta, net, jnp.asarray(0.5))
    loss_b, _ = step(net, xs, labels)  # would raise on a retrace
    assert float(loss_a) != float(loss_b)


def test_default_segment_length():
    # a divisor of T near sqrt(T) (no slicing or concatenation), else ceil(sqrt(T))
    for length in range(1, 2000):
        k = default_segment_length(length)
        assert 1 <= k <= length
        ceil_sqrt = int(np.ceil(np.sqrt(length)))
        if length % k == 0:
            assert length // k + k <= 2.5 * np.sqrt(length), length
        else:
            assert k == ceil_sqrt, length
    assert default_segment_length(1000) == 25  # 40 segments of 25 steps
    assert default_segment_length(1009) == 32  # a prime: ceil(sqrt(1009))


def test_hoisted_recurrent_in_a_parameter_sweep():
    # eqx.filter_vmap over models whose masks (closed over by the custom VJP)
    # and weights are batched: the sweep's gradients equal plain autodiff's
    def make(k):
        k1, k2 = jr.split(k)
        mask = jr.bernoulli(k2, 0.5, (6, 6))
        return snn.Recurrent(
            snn.LIF(0.9, learn={"beta"}), snn.Linear(6, 6, mask=mask, key=k1)
        )

    models = eqx.filter_vmap(make)(jr.split(jr.key(0), 4))
    xs = inputs(jr.key(1), (10, 2, 6))

    def sweep_grads(mode):
        def loss(m):
            return jnp.sum(snn.run(m, xs, m.init_state((2, 6)), bptt=mode)[0] ** 2)

        return eqx.filter_jit(eqx.filter_vmap(eqx.filter_grad(loss)))(models)

    want, got = sweep_grads("autodiff"), sweep_grads("auto")
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    assert float(jnp.abs(want.connection.weight).sum()) > 0
