"""Encoders: statistics of rate codes, hand-computed latency and delta codes."""

import functools as ft
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import snnjax as snn

# Most tests call the encoders through `eqx.filter_jit` (Python numbers and
# options are static): one compilation per signature instead of one per eager
# op keeps the file fast. Eager behaviour is checked against jit once each.
rate = eqx.filter_jit(snn.encode.rate)
latency = eqx.filter_jit(snn.encode.latency)
delta = eqx.filter_jit(snn.encode.delta)

# ------------------------------------------------------------------ rate


def test_rate_bernoulli_mean_converges_to_x(key):
    x = jnp.array([0.0, 0.1, 0.5, 0.9, 1.0])
    num_steps = 20_000
    spikes = rate(x, num_steps=num_steps, key=key)
    assert spikes.shape == (num_steps, 5) and spikes.dtype == jnp.float32
    assert set(np.unique(spikes).tolist()) <= {0.0, 1.0}
    p = np.asarray(x, np.float64)
    # the mean of T Bernoulli(p) draws has std sqrt(p (1 - p) / T): allow 5 std
    tol = 5 * np.sqrt(p * (1 - p) / num_steps)
    np.testing.assert_array_less(np.abs(np.asarray(spikes).mean(0) - p), tol + 1e-12)
    # p = 0 never spikes, p = 1 always does (the tolerance above is 0 there)
    assert float(spikes[:, 0].sum()) == 0 and float(spikes[:, 4].sum()) == num_steps


def test_rate_gain_and_shape(key):
    x = jnp.full((2, 3), 0.25)
    spikes = rate(x, num_steps=8_000, key=key, gain=2.0)
    assert spikes.shape == (8_000, 2, 3)
    tol = 5 * math.sqrt(0.5 * 0.5 / 8_000)
    assert np.all(np.abs(np.asarray(spikes).mean(0) - 0.5) < tol)


def test_rate_poisson_mean_and_variance(key):
    lam = np.array([0.5, 2.0, 5.0])
    num_steps = 20_000
    counts = rate(
        jnp.asarray(lam, jnp.float32), num_steps=num_steps, key=key, method="poisson"
    )
    c = np.asarray(counts, np.float64)
    assert counts.dtype == jnp.float32 and np.all(c >= 0) and np.all(c == np.round(c))
    # mean: std sqrt(lam / T); sample variance of Poisson: std
    # sqrt((mu4 - sigma^4) / T) with mu4 = lam (1 + 3 lam), sigma^2 = lam
    np.testing.assert_array_less(np.abs(c.mean(0) - lam), 5 * np.sqrt(lam / num_steps))
    var_tol = 5 * np.sqrt((lam + 2 * lam**2) / num_steps)
    np.testing.assert_array_less(np.abs(c.var(0, ddof=1) - lam), var_tol)
    # Poisson rates above 1 spike per step are allowed, Bernoulli ones are not
    with pytest.raises(ValueError, match=r"`gain \* x` must be finite and in \[0, 1\]"):
        snn.encode.rate(jnp.asarray(lam), num_steps=2, key=key)


def test_rate_key_determinism_and_independence(key):
    x = jnp.full((4,), 0.5)
    a = rate(x, num_steps=500, key=key)
    np.testing.assert_array_equal(a, rate(x, num_steps=500, key=key))
    b = rate(x, num_steps=500, key=jr.key(1))
    assert not np.array_equal(a, b)
    # elements and steps are independent: the 4 columns differ
    assert len({tuple(col) for col in np.asarray(a).T.tolist()}) == 4


def test_rate_eager_jit_vmap_and_bfloat16(key):
    x = jnp.array([0.0, 0.25, 0.5, 1.0])  # exactly representable in bf16
    eager = snn.encode.rate(x, num_steps=30, key=key)
    np.testing.assert_array_equal(rate(x, num_steps=30, key=key), eager)
    s16 = rate(x.astype(jnp.bfloat16), num_steps=30, key=key)
    assert s16.dtype == jnp.bfloat16
    np.testing.assert_array_equal(s16.astype(jnp.float32), eager)
    keys = jr.split(key, 3)
    batched = jax.vmap(lambda k: rate(x, num_steps=30, key=k))(keys)
    for i in range(3):
        np.testing.assert_array_equal(batched[i], rate(x, num_steps=30, key=keys[i]))


def test_rate_errors(key):
    with pytest.raises(ValueError, match=r"`gain \* x`.*got \[-0.5\]"):
        snn.encode.rate(jnp.array([-0.5]), num_steps=3, key=key)
    with pytest.raises(ValueError, match=r"`gain \* x`"):
        snn.encode.rate(jnp.array([0.6]), num_steps=3, key=key, gain=2.0)
    with pytest.raises(
        ValueError, match=r"`gain \* x` must be finite and in \[0, inf\)"
    ):
        snn.encode.rate(jnp.array([-1.0]), num_steps=3, key=key, method="poisson")
    with pytest.raises(ValueError, match=r"`gain \* x`"):
        snn.encode.rate(jnp.array([jnp.nan]), num_steps=3, key=key)
    with pytest.raises(ValueError, match="`num_steps` must be a positive int"):
        snn.encode.rate(jnp.array([0.5]), num_steps=0, key=key)
    # under the test-suite's jaxtyping hook the Literal annotation rejects it
    # first (TypeError naming `method`); without it, check_option's ValueError
    with pytest.raises((TypeError, ValueError), match="method"):
        snn.encode.rate(jnp.array([0.5]), num_steps=3, key=key, method="gauss")  # pyright: ignore[reportArgumentType] (tested)
    # traced values are checked at run time
    f = eqx.filter_jit(lambda x: snn.encode.rate(x, num_steps=3, key=key))
    with pytest.raises(eqx.EquinoxRuntimeError, match=r"`gain \* x`"):
        f(jnp.array([1.5]))


# --------------------------------------------------------------- latency


def _first_spike(spikes):
    """First spike step per element, -1 where there is none."""
    s = np.asarray(spikes)
    return np.where(s.any(0), s.argmax(0), -1)


def test_latency_linear_snntorch_example():
    # snntorch's docstring example: times 4 * (1 - x) = 3.92, 2, 0
    x = jnp.array([0.02, 0.5, 1.0])
    spikes = latency(x, num_steps=5, method="linear", normalize=True)
    np.testing.assert_array_equal(_first_spike(spikes), [4, 2, 0])
    np.testing.assert_array_equal(np.asarray(spikes).sum(0), [1, 1, 1])


def test_latency_linear_by_hand():
    # tau * (1 - max(x, 0.01)) with tau = 4: 2.8, 0.4, 1.6, 3.96 (below threshold)
    x = jnp.array([0.3, 0.9, 0.6, 0.0])
    spikes = latency(x, num_steps=5, tau=4.0, method="linear")
    np.testing.assert_array_equal(_first_spike(spikes), [3, 0, 2, 4])
    clipped = latency(x, num_steps=5, tau=4.0, method="linear", clip=True)
    np.testing.assert_array_equal(_first_spike(clipped), [3, 0, 2, -1])
    # times past the window give no spike: tau = 10 puts x = 0.3 at 7
    late = latency(x, num_steps=5, tau=10.0, method="linear")
    np.testing.assert_array_equal(_first_spike(late), [-1, 1, 4, -1])


def test_latency_log_by_hand():
    # tau ln(x / (x - 0.5)), tau = 10: 10 ln 2 = 6.93, 10 ln 3 = 10.99,
    # 10 ln 6 = 17.92, 10 ln 11 = 23.98; x = 0.2 is below the threshold and its
    # time 10 ln(0.5 / 1e-7) = 154 is past the window
    x = jnp.array([1.0, 0.75, 0.6, 0.55, 0.2])
    spikes = latency(x, num_steps=30, tau=10.0, threshold=0.5)
    np.testing.assert_array_equal(_first_spike(spikes), [7, 11, 18, 24, -1])
    assert spikes.shape == (30, 5) and np.asarray(spikes).sum() == 4


def test_latency_log_normalized_matches_numpy():
    num_steps, thr, eps = 30, 0.05, 1e-7
    x = np.array([0.0, 0.03, 0.06, 0.1, 0.3, 0.7, 1.0, 2.0])
    xc = np.maximum(x, thr + eps)
    t = np.log(xc / (xc - thr)) / np.log((thr + eps) / eps) * (num_steps - 1)
    spikes = latency(
        jnp.asarray(x, jnp.float32), num_steps=num_steps, threshold=thr, normalize=True
    )
    np.testing.assert_array_equal(_first_spike(spikes), np.round(t))
    # inputs at or below the threshold land exactly on the last step
    assert _first_spike(spikes)[0] == _first_spike(spikes)[1] == num_steps - 1
    clipped = latency(
        jnp.asarray(x, jnp.float32),
        num_steps=num_steps,
        threshold=thr,
        normalize=True,
        clip=True,
    )
    np.testing.assert_array_equal(_first_spike(clipped)[:2], [-1, -1])


def test_latency_monotone_and_single_spike(key):
    x = jnp.sort(jr.uniform(key, (200,)))
    for method in ("log", "linear"):
        spikes = latency(x, num_steps=25, method=method, normalize=True)
        assert np.all(np.asarray(spikes).sum(0) == 1)  # normalized: all in window
        first = _first_spike(spikes)
        assert np.all(np.diff(first) <= 0)  # larger input, earlier (or same) spike


def test_latency_eager_jit_vmap_and_bfloat16():
    x = jnp.array([[0.0, 0.25], [0.5, 1.0]])
    eager = snn.encode.latency(x, num_steps=10, normalize=True)
    enc = ft.partial(latency, num_steps=10, normalize=True)
    np.testing.assert_array_equal(enc(x), eager)
    s16 = enc(x.astype(jnp.bfloat16))
    assert eager.dtype == jnp.float32 and s16.dtype == jnp.bfloat16
    np.testing.assert_array_equal(s16.astype(jnp.float32), eager)
    batched = jax.vmap(enc, out_axes=1)(x)  # vmap over rows, time stays first
    np.testing.assert_array_equal(batched, eager)


def test_latency_errors():
    x = jnp.array([0.5])
    with pytest.raises(ValueError, match=r"`x` must be finite and in \(-inf, 1\]"):
        snn.encode.latency(jnp.array([1.5]), num_steps=3, method="linear")
    with pytest.raises(ValueError, match="`x` must be finite"):
        snn.encode.latency(jnp.array([jnp.nan]), num_steps=3)
    with pytest.raises(ValueError, match=r"`threshold` must be finite and in \(0, 1\)"):
        snn.encode.latency(x, num_steps=3, threshold=1.0)
    with pytest.raises(ValueError, match="`threshold`"):
        snn.encode.latency(x, num_steps=3, threshold=0.0)
    with pytest.raises(ValueError, match="`tau`"):
        snn.encode.latency(x, num_steps=3, tau=0.0)
    with pytest.raises(ValueError, match="`epsilon`"):
        snn.encode.latency(x, num_steps=3, epsilon=-1e-7)
    with pytest.raises(ValueError, match="`num_steps`"):
        snn.encode.latency(x, num_steps=-1)
    with pytest.raises((TypeError, ValueError), match="method"):
        snn.encode.latency(x, num_steps=3, method="exp")  # pyright: ignore[reportArgumentType] (tested)


# ----------------------------------------------------------------- delta


def test_delta_by_hand():
    # (time, features); column 0 rises by exactly the threshold, column 1 falls
    x = jnp.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.5], [0.75, 0.0]])
    # differences against 0: [[0, 1], [.5, -.5], [.5, 0], [-.25, -.5]]
    np.testing.assert_array_equal(
        delta(x, threshold=0.5), [[0, 1], [1, 0], [1, 0], [0, 0]]
    )
    np.testing.assert_array_equal(
        delta(x, threshold=0.5, off_spike=True),
        [[0, 1], [1, -1], [1, 0], [0, -1]],
    )
    # padding compares step 0 with itself: no spike there
    np.testing.assert_array_equal(
        delta(x, threshold=0.5, padding=True, off_spike=True),
        [[0, 0], [1, -1], [1, 0], [0, -1]],
    )


def test_delta_eager_jit_and_bfloat16():
    x = jnp.array([0.0, 0.5, 0.25, 1.0])
    eager = snn.encode.delta(x, threshold=0.25, off_spike=True)
    np.testing.assert_array_equal(eager, [0, 1, -1, 1])
    np.testing.assert_array_equal(delta(x, threshold=0.25, off_spike=True), eager)
    out = delta(x.astype(jnp.bfloat16), threshold=0.25, off_spike=True)
    assert out.dtype == jnp.bfloat16 and out.shape == (4,)
    np.testing.assert_array_equal(out.astype(jnp.float32), eager)


def test_delta_errors():
    with pytest.raises(
        ValueError, match="`threshold` must be finite and in \\(0, inf\\)"
    ):
        snn.encode.delta(jnp.ones(3), threshold=0.0)
    # the annotation (" time *shape") rejects a scalar first under the hook
    with pytest.raises((TypeError, ValueError), match="x"):
        snn.encode.delta(jnp.asarray(1.0))


# ---------------------------------------------------------------- direct


def test_direct_repeats_input_and_feeds_run():
    x = jnp.array([[0.5, 2.0]])
    xs = snn.encode.direct(x, num_steps=4)
    assert xs.shape == (4, 1, 2)
    np.testing.assert_array_equal(xs, np.broadcast_to(np.asarray(x), (4, 1, 2)))
    lif = snn.LIF(beta=0.5)
    out, _ = snn.run(lif, xs, lif.init_state(x.shape))
    # v: 0.5, 0.75, 0.875, 0.9375 never reaches 1; v = 2 spikes at every step
    np.testing.assert_array_equal(out[:, 0], [[0, 1]] * 4)


def test_direct_dtypes_and_errors():
    assert snn.encode.direct(jnp.ones(2, jnp.bfloat16), num_steps=2).dtype == (
        jnp.bfloat16
    )
    assert snn.encode.direct(jnp.arange(3), num_steps=2).dtype == jnp.float32
    with pytest.raises(ValueError, match="`num_steps` must be a positive int"):
        snn.encode.direct(jnp.ones(2), num_steps=0)
