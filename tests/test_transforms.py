"""The transform suite every registered neuron model passes.

Each test is parametrised over `ALL_NEURONS` (see `tests/helpers.py`), so a
model registered there is enrolled here: jit, vmap over a batch, filter_vmap
over a parameter ensemble, grad/jit commutation, no retracing on new parameter
values, dtypes, `record`/`unroll`, frozen and learned parameters, and
gradient checks in float64.
"""

import chex
import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import jax.test_util
import numpy as np
import pytest

import snnjax
from tests.helpers import ALL_NEURONS, SMOOTH_GRADIENT, SWEEP, SWEEP_VALUES, inputs

NEURONS = pytest.mark.parametrize("name", list(ALL_NEURONS))
SHAPE = (3, 5)
# models that emit spikes through a surrogate (LI / LI-syn are readouts)
SPIKING = {name for name, make in ALL_NEURONS.items() if hasattr(make(), "surrogate")}

run_jit = eqx.filter_jit(snnjax.run)


def _owner(model):
    """The module that holds the swept parameter (a wrapper's inner neuron)."""
    if isinstance(model, snnjax.GradedSpikes | snnjax.WinnerTakeAll):
        return model.neuron
    return model


def _is_spiking(model):
    return hasattr(model, "surrogate")


def _random_state(model, rng, shape=SHAPE):
    """`init_state` plus a random offset on every leaf (below threshold)."""
    state = model.init_state(shape)
    return jax.tree.map(
        lambda leaf: leaf + jnp.asarray(rng.uniform(-0.3, 0.4, shape), leaf.dtype),
        state,
    )


def _loss_weights(key, shape):
    k1, k2 = jr.split(key)
    return jr.normal(k1, shape), jr.normal(k2, shape)


def _loss(model, xs, r, r2):
    """sum(outputs * R) + 0.1 * sum(record.v * R2), as in the reference data."""
    outs, _, rec = snnjax.run(
        model, xs, model.init_state(xs.shape[1:], xs.dtype), record=True
    )
    return jnp.sum(outs * r) + 0.1 * jnp.sum(rec.v * r2)


def _assert_spikes_binary(model, outs):
    if _is_spiking(model):
        values = np.unique(np.asarray(outs, dtype=np.float64))
        assert set(values.tolist()) <= {0.0, 1.0}


# ------------------------------------------------------------------------- jit


@NEURONS
def test_jit_equals_eager(name, key):
    model = ALL_NEURONS[name]()
    xs = inputs(key)
    state = model.init_state(xs.shape[1:], xs.dtype)
    eager = snnjax.run(model, xs, state, record=True)
    jitted = run_jit(model, xs, state, record=True)
    chex.assert_trees_all_equal(jitted, eager)
    _assert_spikes_binary(model, eager[0])


# ------------------------------------------------------------------------ vmap


@NEURONS
def test_vmap_over_batch_equals_loop(name):
    # time-major inputs (time, batch, *shape): map over axis 1 of xs and axis 0
    # of the state, as a user batching `run` over examples would.
    model = ALL_NEURONS[name]()
    batch = 3
    xs = inputs(jr.key(1), (12, batch, *SHAPE))
    rng = np.random.default_rng(1)
    singles = [_random_state(model, rng) for _ in range(batch)]
    states = jax.tree.map(lambda *a: jnp.stack(a), *singles)

    outs, finals, recs = jax.jit(
        jax.vmap(
            lambda x, s: snnjax.run(model, x, s, record=True),
            in_axes=(1, 0),
            out_axes=(1, 0, 1),
        )
    )(xs, states)
    assert outs.shape == xs.shape
    for b in range(batch):
        out_b, final_b, rec_b = run_jit(model, xs[:, b], singles[b], record=True)
        chex.assert_trees_all_close(outs[:, b], out_b, rtol=1e-6, atol=1e-6)
        chex.assert_trees_all_close(
            jax.tree.map(lambda a, b=b: a[b], finals),
            final_b,
            rtol=1e-6,
            atol=1e-6,
        )
        chex.assert_trees_all_close(
            jax.tree.map(lambda a, b=b: a[:, b], recs), rec_b, rtol=1e-6, atol=1e-6
        )


@NEURONS
def test_filter_vmap_parameter_ensemble_equals_loop(name, key):
    factory, param = ALL_NEURONS[name], SWEEP[name]
    values = jnp.linspace(*SWEEP_VALUES[param], 4)
    models = eqx.filter_jit(eqx.filter_vmap(lambda p: factory(**{param: p})))(values)
    assert getattr(_owner(models), param).shape == (4,)
    xs = inputs(key)

    def run_one(m):
        return snnjax.run(m, xs, m.init_state(xs.shape[1:], xs.dtype), record=True)

    outs, finals, recs = eqx.filter_jit(eqx.filter_vmap(run_one))(models)
    assert outs.shape == (4, *xs.shape)
    for i in range(4):
        single = factory(**{param: values[i]})
        out_i, final_i, rec_i = run_jit(
            single, xs, single.init_state(xs.shape[1:], xs.dtype), record=True
        )
        chex.assert_trees_all_close(outs[i], out_i, rtol=1e-6, atol=1e-6)
        chex.assert_trees_all_close(
            jax.tree.map(lambda a, i=i: a[i], (finals, recs)),
            (final_i, rec_i),
            rtol=1e-6,
            atol=1e-6,
        )
    # the sweep changes the dynamics: the first and last members differ
    assert not bool(jnp.allclose(recs.v[0], recs.v[-1]))


# ------------------------------------------------------------------------ grad


@NEURONS
def test_grad_of_jit_equals_jit_of_grad(name, key):
    model = ALL_NEURONS[name]()
    k_x, k_r = jr.split(key)
    xs = inputs(k_x)
    r, r2 = _loss_weights(k_r, xs.shape)

    def f(x):
        return _loss(model, x, r, r2)

    g1 = jax.grad(jax.jit(f))(xs)
    g2 = jax.jit(jax.grad(f))(xs)
    assert g1.shape == xs.shape
    assert bool(jnp.any(g1 != 0))
    chex.assert_trees_all_close(g1, g2, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------- retracing


@NEURONS
def test_new_parameter_values_do_not_retrace(name, key):
    factory, param = ALL_NEURONS[name], SWEEP[name]
    lo, hi = SWEEP_VALUES[param]

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def f(model, xs):
        return snnjax.run(model, xs, model.init_state(xs.shape[1:], xs.dtype))

    xs = inputs(key)
    _, final_lo = f(factory(**{param: lo}), xs)
    _, final_hi = f(factory(**{param: hi}), xs)  # would raise on a retrace
    # the second call really used the new value
    assert not bool(jnp.array_equal(final_lo.v, final_hi.v))


# ---------------------------------------------------------------------- dtypes


@NEURONS
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16])
def test_dtype_in_equals_dtype_out(name, dtype, key):
    model = ALL_NEURONS[name]()
    xs = inputs(key).astype(dtype)
    state = model.init_state(xs.shape[1:], dtype)
    for leaf in jax.tree.leaves(state):
        assert leaf.dtype == dtype
    outs, final, rec = run_jit(model, xs, state, record=True)
    assert outs.dtype == dtype
    assert outs.shape == xs.shape
    for leaf in jax.tree.leaves((final, rec)):
        assert leaf.dtype == dtype
    _assert_spikes_binary(model, outs)
    g = jax.jit(
        jax.grad(lambda x: jnp.sum(snnjax.run(model, x, state)[0]).astype(jnp.float32))
    )(xs)
    assert g.dtype == dtype


@NEURONS
def test_float64(name, key):
    xs32 = inputs(key)  # float32 draw, shared by both runs
    model32 = ALL_NEURONS[name]()
    outs32, _ = run_jit(model32, xs32, model32.init_state(xs32.shape[1:]))
    with jax.enable_x64(True):
        model = ALL_NEURONS[name]()
        xs = xs32.astype(jnp.float64)
        state = model.init_state(xs.shape[1:], jnp.float64)
        outs, final, rec = run_jit(model, xs, state, record=True)
        assert outs.dtype == jnp.float64
        for leaf in jax.tree.leaves((final, rec)):
            assert leaf.dtype == jnp.float64
        _assert_spikes_binary(model, outs)
        g = jax.jit(jax.grad(lambda x: jnp.sum(snnjax.run(model, x, state)[0])))(xs)
        assert g.dtype == jnp.float64
    # the float32 run gives the same spikes (inputs are far from threshold)
    if _is_spiking(model):
        np.testing.assert_array_equal(np.asarray(outs32, np.float64), np.asarray(outs))
    else:
        np.testing.assert_allclose(outs32, outs, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------- record


@NEURONS
def test_record_shape_and_last_step_is_final_state(name, key):
    model = ALL_NEURONS[name]()
    xs = inputs(key)
    outs, final, rec = run_jit(
        model, xs, model.init_state(xs.shape[1:], xs.dtype), record=True
    )
    assert rec.v.shape == xs.shape
    for leaf in jax.tree.leaves(rec):
        assert leaf.shape == xs.shape
    chex.assert_trees_all_equal(jax.tree.map(lambda a: a[-1], rec), final)
    outs2, final2 = run_jit(model, xs, model.init_state(xs.shape[1:], xs.dtype))
    chex.assert_trees_all_equal((outs2, final2), (outs, final))


@NEURONS
def test_unroll_gives_the_same_results(name, key):
    model = ALL_NEURONS[name]()
    xs = inputs(key)
    state = model.init_state(xs.shape[1:], xs.dtype)
    base = run_jit(model, xs, state, record=True, unroll=1)
    for unroll in (4, True):
        got = run_jit(model, xs, state, record=True, unroll=unroll)
        chex.assert_trees_all_close(got, base, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------- frozen / learned grads


@eqx.filter_jit
def _grad_model(model, xs, r, r2):
    return eqx.filter_grad(lambda m: _loss(m, xs, r, r2))(model)


@NEURONS
def test_frozen_parameters_get_exactly_zero_gradient(name, key):
    model = ALL_NEURONS[name]()
    assert model.learn == frozenset()
    k_x, k_r = jr.split(key)
    xs = inputs(k_x)
    r, r2 = _loss_weights(k_r, xs.shape)
    grads = _grad_model(model, xs, r, r2)
    leaves = jax.tree.leaves(grads)
    assert leaves  # the model has parameter leaves to check
    for leaf in leaves:
        np.testing.assert_array_equal(np.asarray(leaf), 0.0)


@NEURONS
def test_learned_parameter_gets_nonzero_gradient(name, key):
    param = SWEEP[name]
    model = ALL_NEURONS[name](learn={param})
    k_x, k_r = jr.split(key)
    xs = inputs(k_x, high=2.5)  # strong enough that every model spikes
    r, r2 = _loss_weights(k_r, xs.shape)
    outs, _ = run_jit(model, xs, model.init_state(xs.shape[1:], xs.dtype))
    if name in SPIKING:
        assert float(jnp.sum(outs)) > 0  # spikes happen
    grads = _grad_model(model, xs, r, r2)
    assert float(jnp.abs(getattr(_owner(grads), param))) > 0
    # every other parameter (surrogate hyperparameters included) stays frozen
    others = eqx.tree_at(lambda g: getattr(_owner(g), param), grads, replace=None)
    for leaf in jax.tree.leaves(others):
        np.testing.assert_array_equal(np.asarray(leaf), 0.0)


# ----------------------------------------------------- gradient checks, float64

GRAD_SHAPE = (6, 2, 5)  # features = 5 like SHAPE (recurrent models fix n)


def _smooth_model(name, **kw):
    """The registered model with a smooth test surrogate (spiking models)."""
    factory = ALL_NEURONS[name]
    if name in SPIKING:
        kw = {"surrogate": snnjax.surrogate.Sigmoid(slope=1.0), **kw}
    return factory(**kw)


@NEURONS
def test_jvp_and_vjp_are_transposes_float64(name):
    # <J u, w> == <u, J^T w>: catches a custom JVP rule that is not linear in
    # its tangent, a wrong transpose anywhere in the scan, or a custom VJP
    # (bptt="auto" on recurrent blocks) that is not the JVP's transpose.
    with jax.enable_x64(True):
        model = _smooth_model(name)
        k_x, k_u, k_w = jr.split(jr.key(3), 3)
        xs = inputs(k_x, GRAD_SHAPE)
        state = model.init_state(xs.shape[1:], xs.dtype)

        def f(x, bptt="auto"):
            outs, _, rec = snnjax.run(model, x, state, record=True, bptt=bptt)
            return outs, rec

        @jax.jit
        def inner_products(x, u, w):
            # forward mode needs plain autodiff; reverse mode runs the default
            # (recurrent blocks: the hoisted custom_vjp), so this also checks
            # that the custom VJP is the exact transpose of the plain JVP
            _, jvp_out = jax.jvp(lambda x: f(x, "autodiff"), (x,), (u,))
            _, vjp_fn = jax.vjp(f, x)
            (vjp_out,) = vjp_fn(w)
            lhs = sum(
                jnp.vdot(a, b)
                for a, b in zip(
                    jax.tree.leaves(jvp_out), jax.tree.leaves(w), strict=True
                )
            )
            return lhs, jnp.vdot(u, vjp_out)

        u = jr.normal(k_u, xs.shape)
        w = jax.tree.map(lambda a: jr.normal(k_w, a.shape), jax.eval_shape(f, xs))
        lhs, rhs = inner_products(xs, u, w)
        assert float(jnp.abs(lhs)) > 0
        np.testing.assert_allclose(float(lhs), float(rhs), rtol=1e-10)


@pytest.mark.parametrize("name", SMOOTH_GRADIENT)
def test_check_grads_float64(name):
    # check_grads compares against finite differences of the forward pass. For
    # LI / LI-syn the forward is smooth: check the full loss. Spiking forwards
    # are step functions, so there we check `record.v` with reset="none", where
    # the membrane does not depend on the spikes and the forward is smooth.
    with jax.enable_x64(True):
        k_x, k_r = jr.split(jr.key(4))
        xs = inputs(k_x, GRAD_SHAPE)
        r, r2 = _loss_weights(k_r, xs.shape)
        if name in SPIKING:
            model = _smooth_model(name, reset="none")

            @jax.jit
            def f(x):
                _, _, rec = snnjax.run(
                    model, x, model.init_state(x.shape[1:], x.dtype), record=True
                )
                return jnp.sum(rec.v * r2)
        else:
            model = _smooth_model(name)

            @jax.jit
            def f(x):
                return _loss(model, x, r, r2)

        jax.test_util.check_grads(f, (xs,), order=1, modes=("fwd", "rev"))
        assert float(jnp.max(jnp.abs(jax.grad(f)(xs)))) > 0


@pytest.mark.parametrize("name", sorted(SPIKING & set(SMOOTH_GRADIENT)))
def test_spike_gradient_uses_the_surrogate_float64(name):
    # One step from rest, a single neuron: d s_0 / d x_0 is sigma'(h_0 - theta)
    # with h_0 = x_0 for these models (state 0, gain 1); the test surrogate's
    # derivative is k s (1 - s), s = 1 / (1 + exp(-k u)), k = 1.
    with jax.enable_x64(True):
        model = _smooth_model(name)
        values = np.array([0.3, 1.7, 0.95, -0.4])
        xs = jnp.asarray(values, jnp.float64).reshape(1, 4)  # one step, 4 neurons
        state = model.init_state((4,), jnp.float64)

        @jax.jit
        def grad_spikes(x):
            # each spike depends only on its own input: the gradient of the
            # sum is the diagonal of the Jacobian
            return jax.grad(lambda x: jnp.sum(snnjax.run(model, x, state)[0]))(x)

        u = values - 1.0  # threshold 1
        sig = 1.0 / (1.0 + np.exp(-u))
        expected = sig * (1.0 - sig)
        np.testing.assert_allclose(grad_spikes(xs)[0], expected, rtol=1e-12)
