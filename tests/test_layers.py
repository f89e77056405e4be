"""Conv, pooling, masked Linear, Dropout, Recurrent and Sequential checks."""

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import snnjax as snn

# --- independent numpy references ------------------------------------------


def conv_ref(x, w, b, stride, padding, dilation, groups):
    """Direct-loop cross-correlation of (N, C, *spatial) as torch defines it."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    nd = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0), *((p, p) for p in padding)])
    n = x.shape[0]
    c_out, c_per = w.shape[:2]
    kernel = w.shape[2:]
    span = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    out_sp = [(x.shape[2 + i] - span[i]) // stride[i] + 1 for i in range(nd)]
    y = np.zeros((n, c_out, *out_sp))
    per_out = c_out // groups
    for o in range(c_out):
        g = o // per_out
        for idx in np.ndindex(*out_sp):
            acc = np.zeros(n)
            for ci in range(c_per):
                for kidx in np.ndindex(*kernel):
                    pos = tuple(
                        idx[i] * stride[i] + kidx[i] * dilation[i] for i in range(nd)
                    )
                    acc += w[o, ci, *kidx] * x[:, g * c_per + ci, *pos]
            y[(slice(None), o, *idx)] = acc + (0.0 if b is None else b[o])
    return y


def pool_ref(x, kernel, stride, padding, kind):
    x = np.asarray(x, np.float64)
    nd = len(kernel)
    fill = -np.inf if kind == "max" else 0.0
    x = np.pad(
        x, [(0, 0)] * (x.ndim - nd) + [(p, p) for p in padding], constant_values=fill
    )
    out_sp = [(x.shape[-nd + i] - kernel[i]) // stride[i] + 1 for i in range(nd)]
    y = np.zeros((*x.shape[:-nd], *out_sp))
    for idx in np.ndindex(*out_sp):
        window = x[
            (
                ...,
                *(
                    slice(idx[i] * stride[i], idx[i] * stride[i] + kernel[i])
                    for i in range(nd)
                ),
            )
        ].reshape(*x.shape[:-nd], -1)
        red = {"max": np.max, "sum": np.sum, "avg": np.mean}[kind](window, axis=-1)
        y[(..., *idx)] = red
    return y


# --- convolutions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "kw", "in_shape"),
    [
        (snn.Conv1d, {"kernel_size": 3, "padding": 1}, (2, 3, 7)),
        (snn.Conv1d, {"kernel_size": 2, "stride": 2, "dilation": 2}, (2, 4, 9)),
        (snn.Conv2d, {"kernel_size": 3}, (2, 2, 5, 6)),
        (
            snn.Conv2d,
            {"kernel_size": (2, 3), "stride": (2, 1), "padding": (1, 0), "groups": 2},
            (2, 4, 5, 5),
        ),
    ],
)
def test_conv_matches_direct_loop(cls, kw, in_shape):
    c_in = in_shape[1]
    conv = cls(c_in, 4, key=jr.key(1), **kw)
    x = jr.normal(jr.key(2), (3, *in_shape))  # an extra leading time axis
    y = conv(x)
    nd = len(in_shape) - 2
    ref = conv_ref(
        np.asarray(x).reshape(-1, *in_shape[1:]),
        conv.weight,
        conv.bias,
        conv.stride,
        conv.padding,
        conv.dilation,
        conv.groups,
    )
    assert y.shape == (3, in_shape[0], *ref.shape[1:])
    assert len(conv.kernel_size) == nd
    np.testing.assert_allclose(y.reshape(ref.shape), ref, rtol=1e-5, atol=1e-5)


def test_conv_init_bounds_and_no_bias(key):
    conv = snn.Conv2d(3, 5, 3, groups=1, use_bias=False, key=key)
    assert conv.bias is None and conv.weight.shape == (5, 3, 3, 3)
    assert float(jnp.max(jnp.abs(conv.weight))) <= 1 / np.sqrt(3 * 9)
    # integer spikes are cast to the weight dtype
    x = jnp.ones((2, 3, 4, 4), jnp.int32)
    np.testing.assert_array_equal(conv(x), conv(x.astype(jnp.float32)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"in_channels": 0}, "`in_channels` must be a positive int; got 0"),
        ({"kernel_size": (3,)}, "`kernel_size` must be an int >= 1 or a sequence of 2"),
        ({"stride": 0}, "`stride` must be an int >= 1"),
        ({"padding": -1}, "`padding` must be an int >= 0"),
        ({"groups": 3}, r"`groups` \(3\) must divide `in_channels` \(2\)"),
    ],
)
def test_conv_rejects_bad_arguments(kwargs, match):
    args = {"in_channels": 2, "out_channels": 4, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        snn.Conv2d(**args, key=jr.key(0))


def test_conv_rejects_wrong_channels(key):
    conv = snn.Conv2d(3, 4, 3, key=key)
    with pytest.raises(ValueError, match="expects 3 input channels at axis -3"):
        conv(jnp.ones((2, 4, 8, 8)))
    with pytest.raises(ValueError, match=r"expects inputs ending with \(channels"):
        conv(jnp.ones((8, 8)))


# --- pooling ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["avg", "sum", "max"])
@pytest.mark.parametrize(
    ("nd", "kernel", "stride", "padding"),
    [(1, 3, None, 1), (2, 2, None, 0), (2, (3, 2), (1, 2), (1, 0))],
)
def test_pools_match_numpy(kind, nd, kernel, stride, padding):
    cls = {
        ("avg", 1): snn.AvgPool1d,
        ("avg", 2): snn.AvgPool2d,
        ("sum", 1): snn.SumPool1d,
        ("sum", 2): snn.SumPool2d,
        ("max", 1): snn.MaxPool1d,
        ("max", 2): snn.MaxPool2d,
    }[kind, nd]
    pool = cls(kernel, stride, padding)
    x = jr.normal(jr.key(3), (2, 3, 2, *(7,) * nd))
    ref = pool_ref(x, pool.kernel_size, pool.stride, pool.padding, kind)
    np.testing.assert_allclose(pool(x), ref, rtol=1e-6, atol=1e-6)
    assert pool.stride == (pool.kernel_size if stride is None else pool.stride)


def test_pool_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`padding` must be at most half"):
        snn.MaxPool2d(2, padding=2)
    with pytest.raises(ValueError, match="`kernel_size` must be an int >= 1"):
        snn.SumPool2d(0)
    with pytest.raises(ValueError, match=r"expects inputs ending with"):
        snn.AvgPool2d(2)(jnp.ones((4, 4)))


# --- masked Linear ------------------------------------------------------------


def test_masked_linear_uses_only_unmasked_weights(key):
    mask = 1 - jnp.eye(4)  # no self-connections
    layer = snn.Linear(4, 4, mask=mask, key=key)
    assert layer.mask is not None and layer.mask.dtype == jnp.bool_
    np.testing.assert_array_equal(jnp.diag(layer.weight), 0.0)
    # even if the stored weight is changed, the masked entries stay unused
    poked = eqx.tree_at(lambda m: m.weight, layer, jnp.ones((4, 4)))
    x = jnp.arange(4.0)
    np.testing.assert_allclose(poked(x), x.sum() - x + poked.bias, rtol=1e-6)
    grad = eqx.filter_grad(lambda m: m(x).sum())(layer)
    np.testing.assert_array_equal(jnp.diag(grad.weight), 0.0)
    assert float(jnp.abs(grad.weight).sum()) > 0
    # the boolean mask is not a trainable leaf
    trainable = eqx.filter(layer, eqx.is_inexact_array)
    assert trainable.mask is None


def test_boolean_mask_under_strict_promotion(key):
    # the test suite runs with strict dtype promotion: a bool mask must not be
    # compared with Python ints
    layer = snn.Linear(4, 4, mask=~jnp.eye(4, dtype=bool), key=key)
    np.testing.assert_array_equal(jnp.diag(layer.weight), 0.0)
    assert float(jnp.abs(layer.weight).sum()) > 0


def test_masked_linear_rejects_bad_masks(key):
    with pytest.raises(ValueError, match=r"`mask` must have shape .* \(3, 2\)"):
        snn.Linear(2, 3, mask=jnp.ones((2, 3)), key=key)
    with pytest.raises(ValueError, match="`mask` must hold only 0 and 1"):
        snn.Linear(2, 2, mask=jnp.full((2, 2), 0.5), key=key)


# --- Dropout ----------------------------------------------------------------


def test_dropout_mask_constant_over_time_and_rescaled(key):
    drop = snn.Dropout(0.25)
    xs = jnp.ones((5, 4000))
    state = drop.init_state(xs.shape[1:], key=key)
    ys, _ = snn.run(drop, xs, state)
    kept = ys[0] > 0
    np.testing.assert_array_equal(ys, jnp.broadcast_to(ys[0], ys.shape))
    np.testing.assert_allclose(ys[0][kept], 1 / 0.75, rtol=1e-6)
    # 4000 Bernoulli(0.75) draws: the standard deviation of the mean is 0.007
    assert abs(float(kept.astype(jnp.float32).mean()) - 0.75) < 0.03
    # layer-major inside a Sequential equals the scanned step-major order
    net = snn.Sequential([drop, snn.LIF(beta=0.5)])
    s0 = net.init_state(xs.shape[1:], key=key)
    out_l, _, rec_l = snn.run(net, xs, s0, record=True)
    out_s, _, rec_s = snn.run(net, xs, s0, record=True, layer_major=False)
    np.testing.assert_array_equal(out_l, out_s)
    np.testing.assert_array_equal(rec_l[0].mask, rec_s[0].mask)


def test_dropout_inference_and_errors(key):
    x = jnp.ones((3, 6))
    drop = snn.Dropout(0.5)
    eval_net = eqx.nn.inference_mode(snn.Sequential([drop, snn.LIF(beta=0.5)]))
    assert eval_net.blocks[0].inference
    np.testing.assert_array_equal(eval_net.init_state((6,))[0].mask, 1.0)
    with pytest.raises(ValueError, match="`key` is required to draw the Dropout"):
        snn.Sequential([drop, snn.LIF(beta=0.5)]).init_state((6,))
    with pytest.raises(ValueError, match=r"`p` must be a number in \[0, 1\); got 1.0"):
        snn.Dropout(1.0)
    ys, _ = snn.run(snn.Dropout(0.5, inference=True), x, drop.init_state((6,), key=key))
    assert ys.shape == x.shape


# --- Recurrent wrapper -------------------------------------------------------


def test_recurrent_wrapper_equals_recurrent_lif(key):
    n = 6
    w = jr.normal(key, (n, n)) * 0.4
    native = snn.RecurrentLIF(beta=0.8, weight=w, reset_timing="delayed")
    layer = eqx.tree_at(
        lambda m: m.weight, snn.Linear(n, n, use_bias=False, key=key), w
    )
    wrapped = snn.Recurrent(snn.LIF(beta=0.8, reset_timing="delayed"), layer)
    xs = jr.uniform(jr.key(5), (40, 3, n), maxval=0.7)
    out_n, _, rec_n = snn.run(native, xs, native.init_state(xs.shape[1:]), record=True)
    out_w, _, rec_w = snn.run(
        wrapped, xs, wrapped.init_state(xs.shape[1:]), record=True
    )
    assert 0 < float(out_n.mean()) < 1
    np.testing.assert_array_equal(out_w, out_n)
    np.testing.assert_allclose(rec_w.neuron.v, rec_n.v, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(rec_w.spikes, rec_n.z)


def test_recurrent_wrapper_equals_sinabs_alif_recurrent(key):
    n = 5
    w = jr.normal(key, (n, n)) * 0.3
    kw = {"tau_mem": 10.0, "tau_adapt": 20.0, "adapt_scale": 1.8}
    native = snn.ALIFRecurrent.from_tau(**kw, weight=w)
    layer = eqx.tree_at(
        lambda m: m.weight, snn.Linear(n, n, use_bias=False, key=key), w
    )
    wrapped = snn.Recurrent(snn.ALIF.from_tau(**kw), layer)
    xs = jr.uniform(jr.key(6), (40, 2, n), maxval=0.6)
    out_n, _ = snn.run(native, xs, native.init_state(xs.shape[1:]))
    out_w, _ = snn.run(wrapped, xs, wrapped.init_state(xs.shape[1:]))
    assert float(out_n.sum()) > 0
    np.testing.assert_array_equal(out_w, out_n)


def test_recurrent_wrapper_with_masked_feedback_transforms(key):
    n = 4
    conn = snn.Linear(n, n, mask=1 - jnp.eye(n), key=key)
    model = snn.Recurrent(snn.LIF(beta=0.9, learn={"beta"}), conn)
    xs = jr.uniform(jr.key(7), (15, 2, n))

    def loss(m, xs):
        out, _ = snn.run(m, xs, m.init_state(xs.shape[1:]))
        return out.sum()

    value = eqx.filter_jit(loss)(model, xs)
    np.testing.assert_allclose(value, loss(model, xs), rtol=1e-6)
    grads = eqx.filter_grad(loss)(model, xs)
    assert float(jnp.abs(grads.connection.weight).sum()) > 0
    assert float(grads.neuron.beta) != 0.0
    batched = jax.vmap(lambda x: loss(model, x[:, None]))(jnp.swapaxes(xs, 0, 1))
    np.testing.assert_allclose(batched.sum(), value, rtol=1e-5)


def test_recurrent_wrapper_errors(key):
    with pytest.raises(
        ValueError, match=r"in_features == out_features; got Linear\(3, 4\)"
    ):
        snn.Recurrent(snn.LIF(), snn.Linear(3, 4, key=key))
    with pytest.raises(TypeError, match="`neuron` must be an snnjax neuron"):
        snn.Recurrent(snn.Linear(3, 3, key=key), snn.Linear(3, 3, key=key))
    bad = snn.Recurrent(snn.LIF(), lambda s: s[..., :2])
    with pytest.raises(ValueError, match=r"`connection` maps the output shape \(3,\)"):
        bad(jnp.ones(3), bad.init_state((3,)))


# --- Sequential with every layer kind, and its errors -------------------------


def _conv_net(key):
    k1, k2, k3 = jr.split(key, 3)
    return snn.Sequential(
        [
            snn.Conv2d(1, 4, 3, padding=1, key=k1),
            snn.LIF(beta=0.8, threshold=0.5),
            snn.MaxPool2d(2),
            snn.Flatten(3),
            snn.Dropout(0.2),
            snn.Linear(4 * 4 * 4, 10, key=k2),
            snn.Recurrent(snn.LIF(beta=0.9), snn.Linear(10, 10, key=k3)),
        ]
    )


def test_conv_network_layer_major_equals_step_major(key):
    net = _conv_net(key)
    xs = jr.bernoulli(jr.key(8), 0.4, (12, 2, 1, 8, 8)).astype(jnp.float32)
    state = net.init_state(xs.shape[1:], key=jr.key(9))
    out_l, fin_l = snn.run(net, xs, state)
    out_s, fin_s = snn.run(net, xs, state, layer_major=False)
    assert out_l.shape == (12, 2, 10) and float(out_l.sum()) > 0
    np.testing.assert_array_equal(out_l, out_s)
    for a, b in zip(jax.tree.leaves(fin_l), jax.tree.leaves(fin_s), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    def loss(m, layer_major):
        out, _ = snn.run(m, xs, state, layer_major=layer_major)
        return out.sum()

    g_l = eqx.filter_grad(loss)(net, True)
    g_s = eqx.filter_grad(loss)(net, False)
    assert float(jnp.abs(g_l.blocks[0].weight).sum()) > 0
    for a, b in zip(jax.tree.leaves(g_l), jax.tree.leaves(g_s), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_sequential_rejects_mismatched_linear_sizes(key):
    k1, k2 = jr.split(key)
    with pytest.raises(
        ValueError, match=r"block 2 \(Linear\) takes 5 input features, but block 0"
    ):
        snn.Sequential([snn.Linear(3, 4, key=k1), snn.LIF(), snn.Linear(5, 2, key=k2)])
    net = snn.Sequential(
        [snn.Conv2d(1, 2, 3, key=k1), snn.Flatten(3), snn.Linear(9, 2, key=k2)]
    )
    with pytest.raises(ValueError, match=r"block 2 \(Linear\) cannot take the output"):
        net.init_state((1, 1, 6, 6))  # 2*4*4 = 32 features, not 9


def test_sequential_rejects_state_of_another_network(key):
    net = snn.Sequential([snn.Linear(3, 4, key=key), snn.LIF()])
    other = snn.Sequential([snn.Linear(3, 4, key=key), snn.Synaptic()])
    xs = jnp.ones((5, 2, 3))
    with pytest.raises(
        ValueError, match=r"`state\[1\]` is a SynapticState, but block 1"
    ):
        snn.run(net, xs, other.init_state(xs.shape[1:]))
    with pytest.raises(
        ValueError, match=r"one entry per block \(2\); got a tuple of 3"
    ):
        snn.run(net, xs, (None, None, None))
    with pytest.raises(
        ValueError, match=r"`state\[0\]` must be None for the stateless"
    ):
        snn.run(net, xs, (net.init_state((2, 3))[1],) * 2)
    # a state for another width fails in the neuron with the shapes named
    wide = snn.Sequential([snn.Linear(3, 8, key=key), snn.LIF()])
    with pytest.raises(ValueError, match=r"\(2, 8\).*\(2, 4\)"):
        snn.run(net, xs, wide.init_state(xs.shape[1:]))


def test_batch_major_input_gets_a_transpose_hint(key):
    net = snn.Sequential([snn.Linear(3, 4, key=key), snn.LIF()])
    batch_major = jnp.ones((5, 7, 3))  # batch 5, time 7
    with pytest.raises(ValueError, match=r"jnp.swapaxes\(xs, 0, 1\)"):
        snn.run(net, batch_major, net.init_state((5, 3)))


# --- jit / grad / vmap for every new layer -----------------------------------

LAYERS = {
    "Conv1d": (lambda k: snn.Conv1d(2, 3, 3, padding=1, key=k), (4, 2, 6)),
    "Conv2d": (lambda k: snn.Conv2d(2, 3, 3, stride=2, key=k), (4, 2, 7, 7)),
    "AvgPool1d": (lambda k: snn.AvgPool1d(2), (4, 2, 6)),
    "AvgPool2d": (lambda k: snn.AvgPool2d(2), (4, 2, 6, 6)),
    "SumPool1d": (lambda k: snn.SumPool1d(3, 1), (4, 2, 6)),
    "SumPool2d": (lambda k: snn.SumPool2d(2), (4, 2, 6, 6)),
    "MaxPool1d": (lambda k: snn.MaxPool1d(2), (4, 2, 6)),
    "MaxPool2d": (lambda k: snn.MaxPool2d(3, 2, 1), (4, 2, 6, 6)),
    "Linear-masked": (
        lambda k: snn.Linear(5, 3, mask=jnp.tri(3, 5), key=k),
        (4, 5),
    ),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_jit_grad_vmap(name, key):
    build, shape = LAYERS[name]
    layer = build(key)
    x = jr.normal(jr.key(11), shape)
    y = layer(x)
    np.testing.assert_allclose(
        eqx.filter_jit(lambda m, v: m(v))(layer, x), y, rtol=1e-6
    )
    # vmap over the leading axis equals the call on all rows at once
    np.testing.assert_allclose(jax.vmap(layer)(x), y, rtol=1e-6, atol=1e-6)
    # every layer but max pooling is affine, y = A x + c, so the input
    # gradient of sum(y) is A^T 1 and <A^T 1, x> = sum(y) - sum(layer(0))
    grad_x = jax.grad(lambda v: jnp.sum(layer(v)))(x)
    assert grad_x.shape == x.shape and bool(jnp.all(jnp.isfinite(grad_x)))
    if name.startswith("MaxPool"):  # each window routes 1 to its maximum
        np.testing.assert_allclose(float(grad_x.sum()), y.size)
    else:
        offset = float(jnp.sum(layer(jnp.zeros_like(x))))
        np.testing.assert_allclose(
            float(jnp.sum(grad_x * x)), float(jnp.sum(y)) - offset, rtol=1e-4, atol=1e-4
        )
