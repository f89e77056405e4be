"""The hand-derived LIF adjoint that `run(..., bptt="auto")` uses for `LIF`."""

import itertools

import chex
import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import pytest

import snnjax as snn
from snnjax import _adjoint

from .helpers import grad_temp_bytes, inputs

ALL_PARAMS = {"beta", "threshold", "v_reset", "v_leak"}

# every reset rule x reset timing x detach; the spike test and the input decay
# alternate so that each reset rule and timing meets both of their values
OPTIONS = [
    (reset, timing, detach, ">=" if detach else ">", (i % 2) == 0)
    for i, (reset, timing, detach) in enumerate(
        itertools.product(
            ["subtract", "zero", "none"], ["immediate", "delayed"], [False, True]
        )
    )
]


def _lif(reset, timing, detach, spike_test, decay_input, learn=ALL_PARAMS, **kw):
    return snn.LIF(
        jnp.linspace(0.6, 0.95, 5),  # per neuron
        kw.pop("threshold", 1.0),
        reset=reset,
        reset_timing=timing,
        detach_reset=detach,
        spike_test=spike_test,
        decay_input=decay_input,
        v_reset=-0.2,
        v_leak=0.1,
        learn=learn,
        surrogate=kw.pop("surrogate", snn.surrogate.FastSigmoid(5.0)),
        **kw,
    )


def _grads(model, xs, weights, bptt):
    def loss(mx):
        m, x = mx
        spikes, final = snn.run(m, x, m.init_state(x.shape[1:], x.dtype), bptt=bptt)
        # a cotangent on the spikes and on the final state
        return jnp.sum(spikes * weights) + jnp.sum(final.v**2)

    return eqx.filter_jit(eqx.filter_grad(loss))((model, xs))


def _uses_adjoint(model, xs, **kw):
    def f(x):
        return snn.run(model, x, model.init_state(x.shape[1:], x.dtype), **kw)[0]

    return "custom_vjp" in str(jax.make_jaxpr(f)(xs))


@pytest.mark.parametrize(
    ("reset", "timing", "detach", "spike_test", "decay_input"), OPTIONS
)
def test_adjoint_equals_autodiff_float64(
    reset, timing, detach, spike_test, decay_input
):
    with jax.enable_x64(True):
        xs = 0.8 * jr.normal(jr.key(0), (30, 3, 5), jnp.float64) + 0.4
        weights = jr.normal(jr.key(1), xs.shape, jnp.float64)
        lif = _lif(reset, timing, detach, spike_test, decay_input)
        assert _uses_adjoint(lif, xs)
        want = _grads(lif, xs, weights, "autodiff")
        got = _grads(lif, xs, weights, "auto")
        chex.assert_trees_all_close(got, want, rtol=1e-10, atol=1e-12)
        # every learned parameter and the input get a nonzero gradient
        model_grads, x_grad = want
        for name in ("beta", "threshold", "v_leak"):
            assert float(jnp.max(jnp.abs(getattr(model_grads, name)))) > 0, name
        if reset == "zero":
            assert float(jnp.max(jnp.abs(model_grads.v_reset))) > 0
        assert float(jnp.max(jnp.abs(x_grad))) > 0
        # the forward pass is the generic step's, bit for bit
        state = lif.init_state(xs.shape[1:], xs.dtype)
        chex.assert_trees_all_equal(
            snn.run(lif, xs, state), snn.run(lif, xs, state, bptt="autodiff")
        )


@pytest.mark.parametrize("learn", [frozenset(), frozenset({"threshold"})])
def test_adjoint_frozen_parameters_and_float32(learn, key):
    xs = inputs(key, (20, 4, 5))
    weights = jr.normal(jr.key(2), xs.shape)
    # a threshold per batch row (3-D broadcasting) and the default ATan
    lif = snn.LIF(0.85, jnp.array([[0.8], [1.0], [1.2], [0.9]]), learn=learn)
    want = _grads(lif, xs, weights, "autodiff")
    got = _grads(lif, xs, weights, "auto")
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    assert got[0].threshold.shape == (4, 1)
    if not learn:
        assert float(jnp.abs(got[0].threshold).max()) == 0.0


def test_adjoint_in_a_parameter_sweep(key):
    # eqx.filter_vmap over LIFs with batched parameters, gradients per model
    xs = inputs(key, (15, 2, 5))
    lifs = eqx.filter_vmap(lambda b: snn.LIF(b, learn={"beta"}))(
        jnp.linspace(0.5, 0.95, 4)
    )

    def sweep(bptt):
        def loss(m):
            return jnp.sum(snn.run(m, xs, m.init_state(xs.shape[1:]), bptt=bptt)[0])

        return eqx.filter_jit(eqx.filter_vmap(eqx.filter_grad(loss)))(lifs)

    want, got = sweep("autodiff"), sweep("auto")
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    assert want.beta.shape == (4,)


def test_adjoint_in_a_network_is_taken_and_equal(key):
    k1, k2 = jr.split(key)
    net = snn.Sequential(
        [
            snn.Linear(5, 8, key=k1),
            snn.LIF(0.9, learn={"beta"}, surrogate=snn.surrogate.FastSigmoid(25.0)),
            snn.Linear(8, 3, key=k2),
            snn.LIF(0.8, reset_timing="delayed"),
        ]
    )
    xs = inputs(jr.key(3), (25, 4, 5))
    assert _uses_adjoint(net, xs)

    def grads(bptt):
        def loss(m):
            out, _ = snn.run(m, xs, m.init_state(xs.shape[1:]), bptt=bptt)
            return jnp.sum(out * jnp.broadcast_to(jnp.arange(3.0), out.shape))

        return eqx.filter_jit(eqx.filter_grad(loss))(net)

    want, got = grads("autodiff"), grads("auto")
    chex.assert_trees_all_close(got, want, rtol=1e-5, atol=1e-6)
    assert float(jnp.abs(want.blocks[0].weight).max()) > 0


def test_adjoint_keeps_one_sequence_buffer(key):
    # grad of sum(spikes * R) with respect to the input (the neuron-core
    # benchmark): autodiff's program holds the stored residual and the input
    # gradient in two sequence-sized buffers besides its output; the adjoint
    # writes the gradient into the residual's buffer, so its temporaries are
    # smaller than one sequence.
    lif = snn.LIF(0.9)
    xs = inputs(key, (200, 16, 64))
    weights = jr.normal(jr.key(3), xs.shape)
    sequence_bytes = xs.size * 4

    def temp_bytes(bptt):
        return grad_temp_bytes(lif, xs, weights, bptt)

    assert temp_bytes("autodiff") >= sequence_bytes
    assert temp_bytes("auto") < sequence_bytes // 4


def test_where_the_adjoint_applies(key):
    xs = inputs(key, (6, 2, 3))
    lif = snn.LIF(0.9)
    assert _uses_adjoint(lif, xs)
    assert not _uses_adjoint(lif, xs, bptt="autodiff")
    assert not _uses_adjoint(lif, xs, bptt="recompute")
    # recording, state_quant and snntorch's reset_delay=False take the scan
    assert not _adjoint.applies(lif, record=True)
    assert not _uses_adjoint(snn.LIF(0.9, state_quant=lambda v: v), xs)
    assert not _uses_adjoint(snn.LIF(0.9, reset_timing="delayed+immediate"), xs)
    assert not _uses_adjoint(snn.ParametricLIF(), xs)
    # an empty sequence still runs
    empty = jnp.zeros((0, 2, 3))
    out, final = snn.run(lif, empty, lif.init_state((2, 3)))
    assert out.shape == (0, 2, 3)
    chex.assert_trees_all_equal(final, lif.init_state((2, 3)))


def test_adjoint_checks_parameter_shapes(key):
    lif = snn.LIF(jnp.full((4,), 0.9))
    xs = inputs(key, (5, 2, 3))
    with pytest.raises(ValueError, match="`beta` has shape"):
        snn.run(lif, xs, lif.init_state((2, 3)))


@pytest.mark.parametrize(
    ("reset", "timing"), [("subtract", "immediate"), ("zero", "delayed")]
)
def test_second_order_gradient_through_the_adjoint(reset, timing, key):
    # the backward pass is differentiable JAX code: grad of grad equals plain
    # autodiff's and the finite difference of the gradient (spikes are
    # piecewise constant, so only the surrogate's own slope is differentiated)
    with jax.enable_x64(True):
        xs = 0.8 * jr.normal(key, (12, 3), jnp.float64) + 0.4
        surrogate = snn.surrogate.Sigmoid(slope=2.0)

        def loss(beta, bptt):
            lif = snn.LIF(
                beta,
                learn={"beta"},
                surrogate=surrogate,
                reset=reset,
                reset_timing=timing,
            )
            spikes, final = snn.run(lif, xs, lif.init_state((3,), xs.dtype), bptt=bptt)
            return jnp.sum(spikes * xs) + jnp.sum(final.v**2)

        beta = jnp.float64(0.8)
        first = jax.jit(jax.grad(loss), static_argnums=1)
        second = jax.jit(jax.grad(jax.grad(loss)), static_argnums=1)
        eps = 1e-6
        fd = (first(beta + eps, "auto") - first(beta - eps, "auto")) / (2 * eps)
        chex.assert_trees_all_close(first(beta, "auto"), first(beta, "autodiff"))
        chex.assert_trees_all_close(second(beta, "auto"), second(beta, "autodiff"))
        chex.assert_trees_all_close(second(beta, "auto"), fd, rtol=1e-6)


def test_adjoint_honours_unroll(key):
    # `run(..., unroll=)` reaches both loops of the adjoint; results are equal
    xs = inputs(key, (13, 2, 3))
    lif = snn.LIF(0.9, learn={"beta"})

    def grads(unroll):
        def loss(m):
            out, _ = snn.run(m, xs, m.init_state((2, 3)), unroll=unroll)
            return jnp.sum(out * xs)

        return eqx.filter_jit(eqx.filter_grad(loss))(lif)

    def unrolled(x):
        return snn.run(lif, x, lif.init_state((2, 3)), unroll=4)[0]

    assert "unroll=4" in str(jax.make_jaxpr(unrolled)(xs))
    chex.assert_trees_all_close(grads(4), grads(1), rtol=1e-6)
