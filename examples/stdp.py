"""A LIF neuron learns a repeating spike pattern hidden in noise with STDP.

After Masquelier, Guyonneau & Thorpe (2008), scaled down: 400 afferents fire
as Poisson processes (20 Hz, time step 1 ms, so one spike per 50 ms segment
on average). A fixed 50 ms pattern, in which each of the first 200
afferents fires exactly once at its own random time, replaces their noise in
a quarter of the segments; the other 200 keep firing at random. Every
afferent has the same mean rate everywhere, so the pattern is invisible in
the rates: only the spike timing repeats. One LIF neuron (membrane time
constant 10 ms) receives all afferents through plastic weights, updated
online by pair-based STDP (`snn.plasticity.STDP`, hard bounds in [0, 1],
both trace time constants 16 ms, depression 12 % stronger than potentiation) inside one
`snn.run` scan per chunk, without any gradient.

Random inputs are depressed on average, while the afferents that fire in
the pattern just before the neuron's spikes are potentiated (Masquelier's
latency learning); the neuron ends up firing at the pattern's occurrences
and staying silent elsewhere. Selectivity is measured on a fresh test
sequence (same pattern, new noise, 80 segments) with frozen weights, before
and after learning: the *hit* rate is the fraction of pattern segments with
at least one output spike, the *false-alarm* rate the fraction of noise
segments with one.

Run:

    python examples/stdp.py

Runtime: about 20 s on 2 CPU cores (imports and compilation included; 300 s
of simulated time). Expected output, after a progress bar over the 150
training chunks:

    before: hits 1.00, false alarms 1.00
    after:  hits 1.00, false alarms 0.03
    weights: pattern afferents 0.29, others 0.09

and `stdp_weights.png` (`plot_path`): the mean weights during training, and
each pattern afferent's final weight against its spike time in the pattern
(the potentiated ones fire early in the pattern).
"""

import functools as ft
import time

import equinox as eqx
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jaxtyping import Array, Bool, Float, PRNGKeyArray
from tqdm import tqdm

import snnjax as snn


def make_inputs(
    key: PRNGKeyArray,
    pattern: Bool[Array, "length n"],
    *,
    num_segments: int,
    rate: float,
    pattern_fraction: float,
) -> tuple[Float[Array, "time n"], Bool[Array, " segments"]]:
    """Poisson spikes with `pattern` copied into a fraction of the segments.

    The pattern covers the first half of the afferents; in a pattern segment
    the other half keep firing at random. Returns the spikes (time-major)
    and which segments hold the pattern.
    """
    length, n = pattern.shape
    k_noise, k_where = jr.split(key)
    noise = jr.bernoulli(k_noise, rate, (num_segments, length, n))
    is_pattern = jr.bernoulli(k_where, pattern_fraction, (num_segments,))
    in_pattern = jnp.arange(n) < n // 2
    use_pattern = is_pattern[:, None, None] & in_pattern[None, None, :]
    spikes = jnp.where(use_pattern, pattern[None], noise)
    return spikes.reshape(num_segments * length, n).astype(jnp.float32), is_pattern


class Learner(eqx.Module):
    """One LIF neuron with plastic input weights: a step function for `snn.run`."""

    neuron: snn.LIF
    rule: snn.plasticity.STDP
    learning: bool = eqx.field(static=True)

    def __call__(self, x, carry):
        weight, v_state, traces = carry
        spikes, v_state = self.neuron(weight @ x, v_state)
        if self.learning:
            weight, traces = self.rule.update(weight, x, spikes, traces)
        return spikes, (weight, v_state, traces)

    def init(self, weight: Float[Array, "1 n"]):
        n = weight.shape[1]
        return (weight, self.neuron.init_state((1,)), self.rule.init_state(n, 1))


@ft.partial(eqx.filter_jit, donate="none")
def run_chunk(learner: Learner, xs: Array, carry):
    """One scan over a chunk; also returns the weight after every step."""

    def step(x, c):
        spikes, c = learner(x, c)
        return (spikes, c[0][0]), c

    (spikes, weights), carry = snn.run(step, xs, carry)
    return spikes[:, 0], weights, carry


def selectivity(
    spikes: Float[Array, " time"], is_pattern: Bool[Array, " segments"]
) -> tuple[float, float]:
    """(hit rate over pattern segments, false-alarm rate over noise segments)."""
    fired = np.asarray(spikes).reshape(is_pattern.shape[0], -1).sum(1) > 0
    where = np.asarray(is_pattern)
    return float(fired[where].mean()), float(fired[~where].mean())


def main(
    *,
    num_afferents: int = 400,
    pattern_steps: int = 50,
    num_chunks: int = 150,
    segments_per_chunk: int = 40,
    test_segments: int = 80,
    rate: float = 0.02,
    pattern_fraction: float = 0.25,
    threshold: float = 22.0,
    a_plus: float = 0.02,
    a_minus: float = 0.0224,
    tau_plus: float = 16.0,
    tau_minus: float = 16.0,
    seed: int = 0,
    plot_path: str | None = "stdp_weights.png",
    progress: bool = True,
) -> dict:
    """Train with STDP; returns selectivity before/after and the weights."""
    start = time.perf_counter()
    k_pattern, k_weight, k_test, k_train = jr.split(jr.key(seed), 4)
    # each pattern afferent fires once, at a random time of the pattern: on
    # average one spike per segment, as the noise (`rate * pattern_steps`)
    times = jr.randint(k_pattern, (num_afferents,), 0, pattern_steps)
    pattern = jnp.arange(pattern_steps)[:, None] == times[None, :]
    inputs = ft.partial(
        make_inputs, pattern=pattern, rate=rate, pattern_fraction=pattern_fraction
    )
    neuron = snn.LIF(beta=float(np.exp(-1 / 10)), threshold=threshold, reset="zero")
    rule = snn.plasticity.STDP.from_tau(
        a_plus, a_minus, tau_plus=tau_plus, tau_minus=tau_minus, w_min=0.0, w_max=1.0
    )
    learner = Learner(neuron, rule, learning=True)
    frozen = Learner(neuron, rule, learning=False)
    weight = jr.uniform(k_weight, (1, num_afferents), minval=0.4, maxval=0.6)

    test_xs, test_is_pattern = inputs(k_test, num_segments=test_segments)
    before_spikes, _, _ = run_chunk(frozen, test_xs, frozen.init(weight))
    before = selectivity(before_spikes, test_is_pattern)

    carry = learner.init(weight)
    history = [np.asarray(weight[0])]
    for chunk in tqdm(range(num_chunks), disable=not progress, desc="STDP"):
        xs, _ = inputs(jr.fold_in(k_train, chunk), num_segments=segments_per_chunk)
        _, weights, carry = run_chunk(learner, xs, carry)
        history.append(np.asarray(weights[-1]))
    weight = carry[0]

    after_spikes, _, _ = run_chunk(frozen, test_xs, frozen.init(weight))
    after = selectivity(after_spikes, test_is_pattern)
    final = np.asarray(weight[0])
    half = num_afferents // 2
    result = {
        "before": before,
        "after": after,
        "pattern_weight": float(final[:half].mean()),
        "other_weight": float(final[half:].mean()),
        "weight": final,
        "seconds": time.perf_counter() - start,
    }
    if plot_path is not None:
        steps = segments_per_chunk * pattern_steps
        _plot(np.stack(history), np.asarray(times), steps, plot_path)
    return result


def _plot(
    history: np.ndarray, times: np.ndarray, steps_per_chunk: int, path: str
) -> None:
    """Mean weights over training; final weight against pattern spike time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    half = history.shape[1] // 2
    seconds = np.arange(history.shape[0]) * steps_per_chunk / 1000.0
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for part, label, color in (
        (history[:, :half], "pattern afferents", "tab:red"),
        (history[:, half:], "other afferents", "tab:blue"),
    ):
        ax1.plot(seconds, part.mean(1), color=color, label=f"{label}: mean")
        ax1.plot(seconds, (part > 0.5).mean(1), color=color, ls="--",
                 label=f"{label}: fraction > 0.5")  # fmt: skip
    ax1.set(xlabel="simulated time (s)", ylabel="weight / fraction",
            title="STDP weight evolution")  # fmt: skip
    ax1.legend(fontsize=8)
    ax2.scatter(times[:half], history[-1, :half], s=8, color="tab:red")
    ax2.set(xlabel="spike time in the pattern (ms)", ylabel="final weight",
            title="pattern afferents after learning")  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    result = main()
    for when in ("before", "after"):
        hits, false_alarms = result[when]
        print(f"{when + ':':7} hits {hits:.2f}, false alarms {false_alarms:.2f}")
    print(
        f"weights: pattern afferents {result['pattern_weight']:.2f}, "
        f"others {result['other_weight']:.2f}"
    )
    print(f"wall time: {result['seconds']:.1f} s")
