r"""Long runs: T = 100,000 steps of a 64-neuron LIF layer in float32.

**Rounding bound.** With $u = 2^{-24}$ (float32 unit roundoff) one LIF step
computes $h = \mathrm{fl}(\mathrm{fl}(\beta v) + x)$ (or one fused
multiply-add, which is tighter), so against exact arithmetic on the same
float32 parameters and inputs

$$ |e_t| \le \beta |e_{t-1}| + u\,\big((1 + u)\,\beta |v_{t-1}| + |h_t|\big)
   \le \beta |e_{t-1}| + u\,(1 + u)\,(\beta M + H) $$

with $M \ge |v|$ and $H \ge |h|$. The decay contracts old errors, so for all
$t$: $|e_t| \le u (1 + u)(\beta M + H) / (1 - \beta)$: a bound that does
not grow with $T$. The reference is a plain NumPy float64 loop on the same
float32 values of $\beta$ and $x$ (its own error, ~1e-15, is negligible).

Spike trains are equal whenever the reference membrane never comes closer to
the threshold than the bound; each test checks that premise on the reference.

**Memory.** A forward-only run that returns the final state keeps XLA's
temporary memory constant in T (the scan carries only the state). Reducing
the *outputs* after `run` (e.g. `jnp.sum(spikes, 0)`) materialises all T
steps first; that is documented in docs/reliability.md.
"""

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import snnjax

T = 100_000
N = 64
BETA = 0.9
U = 2.0**-24

pytestmark = pytest.mark.slow


def _reference(beta32, xs32, *, threshold, reset):
    """float64 NumPy loop of the same LIF (immediate reset), returns (s, v, h)."""
    beta = np.float64(beta32)
    xs = np.asarray(xs32, np.float64)
    v = np.zeros(xs.shape[1])
    spikes, vs, margin = np.empty_like(xs), np.empty_like(xs), np.inf
    for t in range(xs.shape[0]):
        h = beta * v + xs[t]
        s = (h > threshold).astype(np.float64)
        margin = min(margin, float(np.min(np.abs(h - threshold))))
        v = h - s * threshold if reset == "subtract" else (1 - s) * h
        spikes[t], vs[t] = s, v
    return spikes, vs, margin


def _bound(beta, m, h):
    return U * (1 + U) * (beta * m + h) / (1 - beta)


@jax.jit
def _run32(xs):
    lif = snnjax.LIF(beta=BETA, threshold=1.0, reset="zero")
    s, _, rec = snnjax.run(lif, xs, lif.init_state(xs.shape[1:]), record=True)
    return s, rec.v


@jax.jit
def _run32_subthreshold(xs):
    lif = snnjax.LIF(beta=BETA, threshold=1.0)
    s, _, rec = snnjax.run(lif, xs, lif.init_state(xs.shape[1:]), record=True)
    return s, rec.v


def test_subthreshold_drift_stays_within_the_rounding_bound():
    # |x| <= 0.09 keeps |v| <= 0.09 / (1 - 0.9) = 0.9 < threshold: no spikes
    xs = jr.uniform(jr.key(0), (T, N), jnp.float32, -0.09, 0.09)
    s32, v32 = _run32_subthreshold(xs)
    beta32 = np.float32(BETA)
    s64, v64, margin = _reference(beta32, xs, threshold=1.0, reset="subtract")
    bound = _bound(float(beta32), 0.9, 0.9)  # 1.02e-6
    drift = float(np.max(np.abs(np.asarray(v32, np.float64) - v64)))
    assert margin > bound  # premise: the reference never nears the threshold
    np.testing.assert_array_equal(np.asarray(s32), s64)
    assert drift <= bound, (drift, bound)
    print(f"\nsubthreshold drift {drift:.3e} (bound {bound:.3e}) over T={T}")


def test_spiking_drift_and_spike_trains_over_long_runs():
    # constant drives above rheobase (x > 0.1): periodic firing; the zero
    # reset returns the membrane exactly to 0, so errors also cannot
    # accumulate across spikes
    drive = np.linspace(0.13, 0.7, N, dtype=np.float32)
    xs = jnp.broadcast_to(jnp.asarray(drive), (T, N))
    s32, v32 = _run32(xs)
    beta32 = np.float32(BETA)
    s64, v64, margin = _reference(beta32, xs, threshold=1.0, reset="zero")
    bound = _bound(float(beta32), 1.0, 1.0 + 0.7)
    drift = float(np.max(np.abs(np.asarray(v32, np.float64) - v64)))
    assert margin > bound, (margin, bound)
    assert s64.sum() > T  # really spiking: > 1 spike per neuron on average
    np.testing.assert_array_equal(np.asarray(s32), s64)
    assert drift <= bound, (drift, bound)
    print(f"\nspiking drift {drift:.3e} (bound {bound:.3e}) over T={T}")


def _temp_bytes(fn, steps):
    xs = jax.ShapeDtypeStruct((steps, N), jnp.float32)
    analysis = jax.jit(fn).lower(xs).compile().memory_analysis()
    assert analysis is not None
    return analysis.temp_size_in_bytes


def test_forward_only_memory_does_not_grow_with_time():
    lif = snnjax.LIF(beta=BETA)
    state = lif.init_state((N,))

    def final_state(xs):
        return snnjax.run(lif, xs, state)[1]

    short, long = _temp_bytes(final_state, 1_000), _temp_bytes(final_state, T)
    assert long == short
    assert long < 4 * N * 100  # a few state-sized buffers, not T x N
