"""Losses and metrics against NumPy formulas, gradients by hand, transforms."""

import functools as ft

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest
from jax.test_util import check_grads

import snnjax as snn

T, B, C = 6, 4, 3

# Most tests call the losses through `eqx.filter_jit`: one compilation per
# signature instead of one per eager op keeps the file fast. Eager equals jit
# is checked once.
ce_count = eqx.filter_jit(snn.loss.ce_count)
ce_max_membrane = eqx.filter_jit(snn.loss.ce_max_membrane)
ce_mean_membrane = eqx.filter_jit(snn.loss.ce_mean_membrane)
mse_count = eqx.filter_jit(snn.loss.mse_count)
rate_regularizer = eqx.filter_jit(snn.loss.rate_regularizer)
accuracy = eqx.filter_jit(snn.loss.accuracy)


def _spikes(key, shape=(T, B, C), p=0.4, dtype=jnp.float32):
    return jr.bernoulli(key, p, shape).astype(dtype)


def _labels():
    return jnp.array([0, 2, 1, 2])


def _log_softmax(z):
    z = np.asarray(z, np.float64)
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def _ce(logits, labels):
    return -np.mean(_log_softmax(logits)[np.arange(len(labels)), labels])


def _softmax(z):
    return np.exp(_log_softmax(z))


def _one_hot(labels, classes):
    return np.eye(classes)[np.asarray(labels)]


# ------------------------------------------------------------ reference


def test_ce_count_matches_numpy(key):
    spikes, labels = _spikes(key), _labels()
    ref = _ce(np.asarray(spikes, np.float64).sum(0), np.asarray(labels))
    np.testing.assert_allclose(ce_count(spikes, labels), ref, rtol=1e-6)


def test_ce_count_by_hand():
    # counts (2, 0) and (1, 1): -log(e^2 / (e^2 + 1)) and log 2
    spikes = jnp.array([[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]])
    expected = (np.log(1 + np.exp(-2.0)) + np.log(2.0)) / 2
    np.testing.assert_allclose(ce_count(spikes, jnp.array([0, 1])), expected, rtol=1e-6)


def test_ce_membrane_losses_match_numpy(key):
    v, labels = jr.normal(key, (T, B, C)), _labels()
    vn, yn = np.asarray(v, np.float64), np.asarray(labels)
    np.testing.assert_allclose(
        ce_max_membrane(v, labels), _ce(vn.max(0), yn), rtol=1e-6
    )
    np.testing.assert_allclose(
        ce_mean_membrane(v, labels), _ce(vn.mean(0), yn), rtol=1e-6
    )


def test_mse_count_matches_numpy_and_snntorch_rule(key):
    spikes, labels = _spikes(key), _labels()
    counts = np.asarray(spikes, np.float64).sum(0)
    # snntorch: targets T * rate (8 of 10 steps -> here 0.5 * 6 = 3, 0.25 * 6 = 1.5)
    target = np.where(_one_hot(labels, C) == 1, 0.5 * T, 0.25 * T)
    ref = np.mean((counts - target) ** 2) / T
    out = mse_count(spikes, labels, correct_rate=0.5, incorrect_rate=0.25)
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    # counts exactly on target give zero loss
    perfect = jnp.zeros((10, 1, 2)).at[:8, 0, 1].set(1.0).at[:2, 0, 0].set(1.0)
    assert float(mse_count(perfect, jnp.array([1]))) == 0.0


def test_rate_regularizer_matches_numpy(key):
    spikes = _spikes(key, (T, B, 2, 5), p=0.3)
    rates = np.asarray(spikes, np.float64).mean((0, 1))  # (2, 5)
    lower = np.array([0.2, 0.3, 0.35, 0.1, 0.0])  # per neuron along the last axis
    upper = 0.35
    ref_lo = np.mean(np.maximum(lower - rates, 0) ** 2)
    ref_hi = np.mean(np.maximum(rates - upper, 0) ** 2)

    # array bounds are traced under filter_jit: one compilation for all values
    def reg(lower, upper):
        return rate_regularizer(
            spikes, lower=jnp.asarray(lower, jnp.float32), upper=jnp.asarray(upper)
        )

    np.testing.assert_allclose(reg(lower, upper), ref_lo + ref_hi, rtol=1e-5)
    np.testing.assert_allclose(rate_regularizer(spikes, upper=upper), ref_hi, rtol=1e-5)
    assert ref_lo > 0 and ref_hi > 0  # both terms are exercised
    # rates inside the bounds cost nothing
    assert float(reg(np.zeros(5), 1.0)) == 0.0


def test_accuracy_by_hand():
    # counts per sample: [2, 1, 0] -> 0; [0, 2, 2] -> tie, lowest index 1;
    # [0, 0, 0] -> 0; [1, 0, 2] -> 2
    spikes = jnp.array(
        [
            [[1, 1, 0], [0, 1, 1], [0, 0, 0], [1, 0, 1]],
            [[1, 0, 0], [0, 1, 1], [0, 0, 0], [0, 0, 1]],
        ],
        jnp.float32,
    )
    labels = jnp.array([0, 1, 2, 1])  # correct, correct, wrong, wrong
    acc = accuracy(spikes, labels)
    assert acc.dtype == jnp.float32 and float(acc) == 0.5
    assert float(accuracy(spikes, jnp.array([0, 1, 0, 2]))) == 1.0


# ------------------------------------------------------------- gradients


def test_gradients_match_formulas(key):
    # d/ds of each loss, written out by hand, in float64
    def grad(f, **kw):
        return jax.jit(jax.grad(lambda x, y: f(x, y, **kw)))

    def reg(s, _, **kw):
        return snn.loss.rate_regularizer(s, **kw)

    with jax.enable_x64(True):
        spikes = _spikes(key, dtype=jnp.float64)
        v = jr.normal(jr.key(1), (T, B, C), jnp.float64)
        labels = _labels()
        onehot = _one_hot(labels, C)
        sn, vn = np.asarray(spikes), np.asarray(v)

        # cross-entropy of counts: (softmax(n) - onehot) / B at every step
        g = grad(snn.loss.ce_count)(spikes, labels)
        ref = (_softmax(sn.sum(0)) - onehot) / B
        np.testing.assert_allclose(g, np.broadcast_to(ref, (T, B, C)), rtol=1e-10)

        # mean membrane: the same over T
        g = grad(snn.loss.ce_mean_membrane)(v, labels)
        ref = (_softmax(vn.mean(0)) - onehot) / (B * T)
        np.testing.assert_allclose(g, np.broadcast_to(ref, (T, B, C)), rtol=1e-10)

        # max membrane: only at the step of each maximum
        g = grad(snn.loss.ce_max_membrane)(v, labels)
        at_max = vn == vn.max(0, keepdims=True)
        ref = at_max * ((_softmax(vn.max(0)) - onehot) / B)[None]
        np.testing.assert_allclose(g, ref, rtol=1e-10, atol=1e-15)

        # mse, mean((n - target)^2) / T: 2 (n - target) / (B C T) at every step
        g = grad(snn.loss.mse_count)(spikes, labels)
        target = T * np.where(onehot == 1, 0.8, 0.2)
        ref = 2 * (sn.sum(0) - target) / (B * C * T)
        np.testing.assert_allclose(g, np.broadcast_to(ref, (T, B, C)), rtol=1e-10)

        # regularizer: (-2 relu(lower - r) + 2 relu(r - upper)) / (N T B)
        lower, upper = 0.45, 0.5
        g = grad(reg, lower=lower, upper=upper)(spikes, labels)
        r = sn.mean((0, 1))
        per = -2 * np.maximum(lower - r, 0) + 2 * np.maximum(r - upper, 0)
        assert np.any(per != 0)
        ref = np.broadcast_to(per / (C * T * B), (T, B, C))
        np.testing.assert_allclose(g, ref, rtol=1e-10)


def test_check_grads_finite_differences(key):
    # every loss at once, against finite differences (float64)
    def total(x, labels):
        return (
            snn.loss.ce_count(x, labels)
            + snn.loss.ce_mean_membrane(x, labels)
            + snn.loss.ce_max_membrane(x, labels)  # smooth away from ties
            + snn.loss.mse_count(x, labels)
            + snn.loss.rate_regularizer(x, lower=0.45, upper=0.55)
        )

    with jax.enable_x64(True):
        x = jr.uniform(key, (T, B, C), jnp.float64)
        labels = _labels()
        f = jax.jit(lambda x: total(x, labels))
        check_grads(f, (x,), order=1, modes=("rev",), eps=1e-6)


# ------------------------------------------------------------ transforms


LOSSES = ["ce_count", "ce_max_membrane", "ce_mean_membrane", "mse_count", "accuracy"]


def test_eager_jit_and_vmap_agree(key):
    spikes = _spikes(key, (3, T, B, C))  # an ensemble of 3 outputs
    labels = _labels()
    for name in LOSSES:
        loss = getattr(snn.loss, name)
        eager = [loss(spikes[i], labels) for i in range(3)]
        batched = jax.jit(jax.vmap(loss, in_axes=(0, None)))(spikes, labels)
        np.testing.assert_allclose(batched, eager, rtol=1e-6)
        np.testing.assert_allclose(
            globals()[name](spikes[0], labels), eager[0], rtol=1e-6
        )
    reg = ft.partial(snn.loss.rate_regularizer, upper=0.3)
    np.testing.assert_allclose(
        jax.jit(jax.vmap(reg))(spikes), [reg(spikes[i]) for i in range(3)], rtol=1e-6
    )


def test_dtypes(key):
    spikes, labels = _spikes(key), _labels()
    half = spikes.astype(jnp.bfloat16)
    for name in LOSSES[:4]:
        loss = globals()[name]  # the jitted version
        out = loss(half, labels)
        assert out.dtype == jnp.bfloat16
        np.testing.assert_allclose(
            out.astype(jnp.float32), loss(spikes, labels), rtol=1e-2
        )
        grad = jax.jit(jax.grad(getattr(snn.loss, name)))(half, labels)
        assert grad.dtype == jnp.bfloat16
    assert accuracy(half, labels).dtype == jnp.float32
    assert rate_regularizer(half, upper=0.1).dtype == jnp.bfloat16
    # integer spike counts are accepted; numpy int64 labels too
    np.testing.assert_allclose(
        ce_count(spikes.astype(jnp.int32), np.asarray(labels, np.int64)),
        ce_count(spikes, labels),
    )


# ---------------------------------------------------------------- errors


def test_shape_and_label_errors(key):
    spikes = _spikes(key)
    # under the test-suite's jaxtyping hook the annotations reject these first
    # (TypeError naming the parameter); without it, the ValueErrors below do
    with pytest.raises((TypeError, ValueError), match="spikes"):
        snn.loss.ce_count(spikes[0], _labels())
    with pytest.raises((TypeError, ValueError), match="labels"):
        snn.loss.ce_count(spikes, jnp.array([0, 1, 2]))
    with pytest.raises(TypeError, match="labels"):
        snn.loss.accuracy(spikes, jnp.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"`labels` must be finite and in \[0, 2\]"):
        snn.loss.ce_count(spikes, jnp.array([0, 1, 3, 1]))
    with pytest.raises(ValueError, match="`labels`"):
        snn.loss.mse_count(spikes, jnp.array([0, -1, 2, 1]))
    f = eqx.filter_jit(snn.loss.ce_max_membrane)
    with pytest.raises(eqx.EquinoxRuntimeError, match="`labels`"):
        f(spikes, jnp.array([0, 1, 3, 1]))


def test_own_messages():
    # the messages users get without the jaxtyping hook
    from snnjax.loss import _labels as check_labels, _time_major

    with pytest.raises(
        ValueError, match=r"`v` must be time-major.*got shape \(4, 3\).*`v\[:, None\]`"
    ):
        _time_major("v", jnp.ones((4, 3)))
    with pytest.raises(ValueError, match=r"got shape \(4, 3, 2, 1\)\.$"):
        _time_major("v", jnp.ones((4, 3, 2, 1)))
    with pytest.raises(ValueError, match=r"\(time, batch, \*neurons\)"):
        _time_major("spikes", jnp.ones((4, 3)), neurons=True)
    x = jnp.ones((T, B, C))
    with pytest.raises(ValueError, match=r"shape \(batch,\) = \(4,\).*got \(5,\)"):
        check_labels(jnp.zeros(5, jnp.int32), x, "spikes")
    with pytest.raises(ValueError, match=r"looks batch-major.*jnp\.swapaxes"):
        check_labels(jnp.zeros(T, jnp.int32), x, "spikes")
    with pytest.raises(TypeError, match=r"integer class indices.*argmax"):
        check_labels(jnp.zeros((B, C)), x, "spikes")


def test_option_errors(key):
    spikes, labels = _spikes(key), _labels()
    with pytest.raises(ValueError, match="`correct_rate` must be finite and in"):
        snn.loss.mse_count(spikes, labels, correct_rate=1.5)
    with pytest.raises(ValueError, match="`incorrect_rate`"):
        snn.loss.mse_count(spikes, labels, incorrect_rate=-0.1)
    reg = snn.loss.rate_regularizer
    with pytest.raises(ValueError, match="needs `lower`, `upper` or both"):
        reg(spikes)
    with pytest.raises(ValueError, match="`lower` must be finite"):
        reg(spikes, lower=-0.1)
    with pytest.raises(ValueError, match=r"`upper - lower` must be finite"):
        reg(spikes, lower=0.5, upper=0.2)
    # the hook's `*#neurons` annotation may reject it first (TypeError)
    with pytest.raises((TypeError, ValueError), match="upper"):
        reg(spikes, upper=jnp.array([0.1, 0.2]))
    with pytest.raises((TypeError, ValueError), match="spikes"):
        reg(spikes[0], upper=0.1)
