"""A parameter sweep: 1,000 LIF neurons, one compiled `vmap`, one heat map.

Because neuron parameters are array leaves, `eqx.filter_vmap` over the
constructor builds a *batch of models* (here a 40 x 25 grid over the membrane
decay `beta` and the threshold), and `eqx.filter_vmap` over a function of the
model runs all of them on the same input in one XLA program. The example

1. runs the whole grid with one `eqx.filter_jit(eqx.filter_vmap(...))` call,
   compiled once (a Python counter in the traced function proves it);
2. runs the same configurations in a Python loop over the jitted
   single-model function (same compiled program for every configuration:
   parameter values do not retrace) and checks it gives the same rates;
3. runs one model over a batch of the same total size (`n_configs * batch`
   trials) as the cost floor a sweep can hope for;
4. writes the firing-rate heat map and prints the wall times, the speed-up of
   the sweep over the loop and the ratio sweep / batched.

Every configuration sees the same input: `batch` trials of `num_steps` steps
of Gaussian input current (mean `0.3`, standard deviation `0.3`).

Run:

    python examples/sweep.py

Runtime: about 10 s on 2 CPU cores. Expected output (timings vary with load;
best of 10 calls each):

    1000 configurations x 64 trials x 200 steps; sweep traced 1 time(s)
    sweep (one vmap): 0.046 s; Python loop: 0.66 s; speed-up 14x
    batched single model: 0.037 s; sweep / batched: 1.24
"""

import argparse
import collections
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
from jaxtyping import Array, Float
from tqdm import tqdm

import snnjax as snn

# Incremented each time JAX traces `firing_rate` (a Python side effect runs only
# while tracing), so it counts compilations, not calls.
TRACES: collections.Counter[str] = collections.Counter()


def make_lif(beta: Float[Array, ""], threshold: Float[Array, ""]) -> snn.LIF:
    return snn.LIF(beta=beta, threshold=threshold)


def firing_rate(model: snn.LIF, xs: Float[Array, "time trials"]) -> Float[Array, ""]:
    """Mean spikes per step and trial of one model driven by `xs`."""
    TRACES["firing_rate"] += 1
    spikes, _ = snn.run(model, xs, model.init_state(xs.shape[1:], xs.dtype))
    return spikes.mean()


# One model -> a scalar rate; a batch of models (leading axis on every array
# leaf) -> one rate per model. Both jitted once at module level.
rate_single = eqx.filter_jit(firing_rate)
rate_sweep = eqx.filter_jit(
    eqx.filter_vmap(firing_rate, in_axes=(eqx.if_array(0), None))
)


def grid(
    num_betas: int, num_thresholds: int
) -> tuple[Float[Array, " betas"], Float[Array, " thresholds"]]:
    betas = jnp.linspace(0.5, 0.99, num_betas)
    thresholds = jnp.linspace(0.25, 3.0, num_thresholds)
    return betas, thresholds


def timed(fn, *args, repeats: int = 10) -> tuple[Array, float]:
    """Run once to compile, then the best wall time of `repeats` calls."""
    out = jax.block_until_ready(fn(*args))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = jax.block_until_ready(fn(*args))
        best = min(best, time.perf_counter() - start)
    return out, best


def plot_heat_map(
    rates: Float[Array, "betas thresholds"],
    betas: Float[Array, " betas"],
    thresholds: Float[Array, " thresholds"],
    path: str,
) -> None:
    from matplotlib.figure import Figure  # no pyplot: PNGs render with Agg

    fig = Figure(figsize=(5.5, 4), layout="tight")
    ax = fig.subplots()
    extent = (
        float(thresholds[0]), float(thresholds[-1]),
        float(betas[0]), float(betas[-1]),
    )  # fmt: skip
    image = ax.imshow(
        rates, origin="lower", aspect="auto", extent=extent, cmap="viridis"
    )
    fig.colorbar(image, ax=ax, label="firing rate (spikes / step)")
    ax.set(xlabel="threshold", ylabel="beta (membrane decay per step)")
    ax.set_title(f"LIF firing rate, {rates.size} configurations")
    fig.savefig(path)


def main(
    *,
    num_betas: int = 40,
    num_thresholds: int = 25,
    num_steps: int = 200,
    batch: int = 64,
    seed: int = 0,
    plot_path: str | None = None,
) -> dict:
    """Sweep, loop and batched run; print and return rates and timings."""
    TRACES.clear()
    betas, thresholds = grid(num_betas, num_thresholds)
    b, th = jnp.meshgrid(betas, thresholds, indexing="ij")
    models = eqx.filter_vmap(make_lif)(b.ravel(), th.ravel())  # the vmapped constructor
    n_configs = b.size
    xs = 0.3 + 0.3 * jr.normal(jr.key(seed), (num_steps, batch))

    rates, sweep_seconds = timed(rate_sweep, models, xs)
    sweep_traces = TRACES["firing_rate"]  # 1: compiled once for all configurations

    # The loop: one model at a time through the jitted single-model function.
    params, static = eqx.partition(models, eqx.is_array)
    singles = [
        eqx.combine(jax.tree.map(lambda p, i=i: p[i], params), static)
        for i in range(n_configs)
    ]
    rate_single(singles[0], xs).block_until_ready()  # compile outside the timing
    start = time.perf_counter()
    loop_rates = [rate_single(model, xs) for model in tqdm(singles, desc="loop")]
    loop_rates = jax.block_until_ready(jnp.stack(loop_rates))
    loop_seconds = time.perf_counter() - start
    loop_traces = TRACES["firing_rate"] - sweep_traces  # 1: values never retrace

    # The floor: one model over all trials of all configurations at once.
    big = jnp.tile(xs, (1, n_configs))
    _, batched_seconds = timed(rate_single, singles[0], big)

    result = {
        "rates": rates.reshape(num_betas, num_thresholds),
        "loop_rates": loop_rates.reshape(num_betas, num_thresholds),
        "betas": betas,
        "thresholds": thresholds,
        "n_configs": n_configs,
        "sweep_traces": sweep_traces,
        "loop_traces": loop_traces,
        "sweep_seconds": sweep_seconds,
        "loop_seconds": loop_seconds,
        "batched_seconds": batched_seconds,
        "speedup": loop_seconds / sweep_seconds,
        "sweep_over_batched": sweep_seconds / batched_seconds,
    }
    print(
        f"{n_configs} configurations x {batch} trials x {num_steps} steps; "
        f"sweep traced {result['sweep_traces']} time(s)"
    )
    print(
        f"sweep (one vmap): {sweep_seconds:.3f} s; Python loop: {loop_seconds:.2f} s; "
        f"speed-up {result['speedup']:.0f}x"
    )
    print(
        f"batched single model: {batched_seconds:.3f} s; "
        f"sweep / batched: {result['sweep_over_batched']:.2f}"
    )
    if plot_path is not None:
        plot_heat_map(result["rates"], betas, thresholds, plot_path)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--num-betas", type=int, default=40)
    parser.add_argument("--num-thresholds", type=int, default=25)
    parser.add_argument("--num-steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--plot", default="sweep.png", help="heat map PNG path")
    args = parser.parse_args()
    main(
        num_betas=args.num_betas,
        num_thresholds=args.num_thresholds,
        num_steps=args.num_steps,
        batch=args.batch,
        plot_path=args.plot,
    )
