"""A delayed-recall task that needs memory beyond any membrane: adaptation learns it.

Each trial is a spike raster over `cue + delay + recall` time steps. During the
cue window one of two input populations fires (which one is the bit to
remember); then comes a long delay with sparse background spikes on every
input; finally a recall population fires and the network must report the bit
from a leaky-integrator (`snn.LI`) readout averaged over the recall window.

A feed-forward LIF network cannot solve it: its membranes forget the cue with
factor `beta = exp(-1/tau_mem)` per step, so after the delay the cue's trace is
`exp(-delay/tau_mem)` (`exp(-30)`, about 1e-13, at full size) of its size,
below float32 resolution and far below the background fluctuations: the
output cannot depend on the cue. The recurrent adaptive network
(`snn.ALIFRecurrent`) keeps the bit in its thresholds: neurons driven by the
cue adapt (each spike raises the threshold by
`adapt_scale * (1 - exp(-1/tau_adapt))`, 0.033 with the defaults), the
threshold relaxes with `tau_adapt` (600 steps), and at recall they fire less
than the others. The example trains three networks with the same sizes, data
and optimiser (Adam, backpropagation through time with surrogate gradients)
and compares them:
`ALIFRecurrent` (recurrent + adaptive), `RecurrentLIF` (recurrent, no
adaptation) and `LIF` (feed-forward).

Run:

    python examples/temporal.py

Runtime: about a minute on 2 CPU cores. Expected output (a progress bar per
network, then):

    adaptive recurrent (ALIFRecurrent):  test accuracy 1.000
    recurrent (RecurrentLIF):            test accuracy 0.480
    feed-forward (LIF):                  test accuracy 0.467
"""

import argparse
import functools as ft
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import optax
from jaxtyping import Array, Float, Int, PRNGKeyArray
from tqdm import tqdm

import snnjax as snn

NUM_CLASSES = 2
KINDS = ("adaptive_recurrent", "recurrent", "feedforward")
LABELS = {
    "adaptive_recurrent": "adaptive recurrent (ALIFRecurrent)",
    "recurrent": "recurrent (RecurrentLIF)",
    "feedforward": "feed-forward (LIF)",
}
SHORT = {
    "adaptive_recurrent": "ALIF rec.",
    "recurrent": "LIF rec.",
    "feedforward": "LIF f.f.",
}


def make_trials(
    key: PRNGKeyArray,
    batch: int,
    *,
    group: int,
    cue: int,
    delay: int,
    recall: int,
    cue_rate: float = 0.5,
    noise_rate: float = 0.02,
) -> tuple[Float[Array, "time batch channels"], Int[Array, " batch"]]:
    """Spike rasters `(time, batch, 3 * group)` and the remembered bits.

    Channels `[0, group)` fire at `cue_rate` during the cue if the bit is 0,
    channels `[group, 2 group)` if it is 1; channels `[2 group, 3 group)` fire
    at `cue_rate` during the recall window; outside these windows every
    channel fires at `noise_rate` (background).
    """
    label_key, spike_key = jr.split(key)
    labels = jr.bernoulli(label_key, 0.5, (batch,)).astype(jnp.int32)
    num_steps = cue + delay + recall
    steps = jnp.arange(num_steps)[:, None, None]
    channel = jnp.arange(3 * group)[None, None, :]
    population = channel // group  # 0, 1: the two cues; 2: the recall signal
    in_cue = (steps < cue) & (population == labels[None, :, None])
    in_recall = (steps >= cue + delay) & (population == 2)
    active = jnp.broadcast_to(in_cue | in_recall, (num_steps, batch, 3 * group))
    rates = jnp.where(active, cue_rate, noise_rate)
    spikes = jr.bernoulli(spike_key, rates)
    return spikes.astype(jnp.float32), labels


class Network(eqx.Module):
    """Linear -> hidden spiking layer -> Linear -> LI readout."""

    encoder: snn.Linear
    hidden: snn.ALIFRecurrent | snn.RecurrentLIF | snn.LIF
    decoder: snn.Linear
    readout: snn.LI

    def __init__(
        self,
        kind: str,
        *,
        in_features: int,
        hidden: int,
        tau_mem: float,
        tau_adapt: float,
        adapt_scale: float,
        key: PRNGKeyArray,
    ):
        enc_key, rec_key, dec_key = jr.split(key, 3)
        self.encoder = snn.Linear(in_features, hidden, key=enc_key)
        surrogate = snn.surrogate.FastSigmoid(slope=10.0)
        bound = 1 / hidden**0.5
        weight = jr.uniform(rec_key, (hidden, hidden), minval=-bound, maxval=bound)
        beta = float(jnp.exp(-1 / tau_mem))
        if kind == "adaptive_recurrent":
            self.hidden = snn.ALIFRecurrent.from_tau(
                tau_mem,
                tau_adapt,
                weight=weight,
                adapt_scale=adapt_scale,
                surrogate=surrogate,
                learn={"weight"},
            )
        elif kind == "recurrent":
            self.hidden = snn.RecurrentLIF(
                beta, weight=weight, surrogate=surrogate, learn={"weight"}
            )
        elif kind == "feedforward":
            self.hidden = snn.LIF(beta=beta, surrogate=surrogate)
        else:
            raise ValueError(f"`kind` must be one of {KINDS}; got {kind!r}.")
        self.decoder = snn.Linear(hidden, NUM_CLASSES, key=dec_key)
        self.readout = snn.LI(beta=beta)

    def __call__(
        self, xs: Float[Array, "time batch channels"]
    ) -> Float[Array, "time batch classes"]:
        currents = self.encoder(xs)  # all time steps in one matmul
        state = self.hidden.init_state(currents.shape[1:])
        spikes, _ = snn.run(self.hidden, currents, state)
        out = self.decoder(spikes)
        v, _ = snn.run(self.readout, out, self.readout.init_state(out.shape[1:]))
        return v


def loss_fn(
    model: Network,
    xs: Float[Array, "time batch channels"],
    labels: Int[Array, " batch"],
    recall: int,
) -> tuple[Float[Array, ""], Float[Array, "batch classes"]]:
    logits = model(xs)[-recall:].mean(axis=0)  # mean readout over the recall
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return loss, logits


@eqx.filter_jit
def train_step(model, opt_state, key, *, optimizer, batch, task):
    xs, labels = make_trials(key, batch, **task)
    grad_fn = eqx.filter_value_and_grad(loss_fn, has_aux=True)
    (loss, _), grads = grad_fn(model, xs, labels, task["recall"])
    updates, opt_state = optimizer.update(
        grads, opt_state, eqx.filter(model, eqx.is_array)
    )
    return eqx.apply_updates(model, updates), opt_state, loss


@eqx.filter_jit
def evaluate(model, key, *, batch, task) -> Float[Array, ""]:
    xs, labels = make_trials(key, batch, **task)
    _, logits = loss_fn(model, xs, labels, task["recall"])
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def train(
    kind: str,
    *,
    num_iterations: int,
    batch_size: int,
    hidden: int,
    task: dict,
    learning_rate: float,
    tau_mem: float,
    tau_adapt: float,
    adapt_scale: float,
    seed: int,
) -> tuple[list[float], float]:
    """Train one network on fresh trials each step; return losses and test accuracy."""
    model_key, data_key, test_key = jr.split(jr.key(seed), 3)
    model = Network(
        kind,
        in_features=3 * task["group"],
        hidden=hidden,
        tau_mem=tau_mem,
        tau_adapt=tau_adapt,
        adapt_scale=adapt_scale,
        key=model_key,
    )
    # Weakly typed parameters (Python floats) would turn float32 after the first
    # update and trigger a second compilation; make them float32 from the start.
    model = jax.tree.map(
        lambda x: x.astype(x.dtype) if eqx.is_inexact_array(x) else x, model
    )
    optimizer = optax.adam(learning_rate)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    step = ft.partial(train_step, optimizer=optimizer, batch=batch_size, task=task)
    losses = []
    keys = jr.split(data_key, num_iterations)
    for k in (bar := tqdm(keys, desc=kind)):
        model, opt_state, loss = step(model, opt_state, k)
        losses.append(float(loss))
        bar.set_postfix(loss=f"{losses[-1]:.3f}")
    accuracy = float(evaluate(model, test_key, batch=512, task=task))
    return losses, accuracy


def plot(result: dict, path: str) -> None:
    from matplotlib.figure import Figure  # no pyplot: PNGs render with Agg

    fig = Figure(figsize=(9, 3.2), layout="tight")
    ax_loss, ax_acc = fig.subplots(1, 2, width_ratios=(2, 1))
    kinds = list(result["test_accuracy"])
    for kind in kinds:
        ax_loss.plot(result["train_loss"][kind], label=LABELS[kind])
    ax_loss.axhline(float(jnp.log(2.0)), color="grey", ls=":", label="chance")
    ax_loss.set(xlabel="training step", ylabel="cross-entropy loss")
    ax_loss.legend(fontsize=8)
    accs = [result["test_accuracy"][kind] for kind in kinds]
    ax_acc.bar(range(len(kinds)), accs, color=[f"C{i}" for i in range(len(kinds))])
    ax_acc.axhline(0.5, color="grey", ls=":")
    ax_acc.set_xticks(range(len(kinds)), [SHORT[kind] for kind in kinds])
    ax_acc.set(ylabel="test accuracy", ylim=(0, 1))
    fig.savefig(path)


def main(
    *,
    num_iterations: int = 300,
    batch_size: int = 64,
    hidden: int = 64,
    group: int = 8,
    cue: int = 10,
    delay: int = 300,
    recall: int = 10,
    learning_rate: float = 5e-3,
    tau_mem: float = 10.0,
    tau_adapt: float = 600.0,
    adapt_scale: float = 20.0,
    kinds: tuple[str, ...] = KINDS,
    seed: int = 0,
    plot_path: str | None = None,
) -> dict:
    """Train each network kind; print and return test accuracies and losses."""
    start = time.perf_counter()
    task = {"group": group, "cue": cue, "delay": delay, "recall": recall}
    result: dict = {"test_accuracy": {}, "train_loss": {}}
    for kind in kinds:
        losses, accuracy = train(
            kind,
            num_iterations=num_iterations,
            batch_size=batch_size,
            hidden=hidden,
            task=task,
            learning_rate=learning_rate,
            tau_mem=tau_mem,
            tau_adapt=tau_adapt,
            adapt_scale=adapt_scale,
            seed=seed,
        )
        result["train_loss"][kind] = losses
        result["test_accuracy"][kind] = accuracy
    result["seconds"] = time.perf_counter() - start
    for kind in kinds:
        label = LABELS[kind] + ":"
        print(f"{label:36s} test accuracy {result['test_accuracy'][kind]:.3f}")
    print(f"wall time: {result['seconds']:.1f} s")
    if plot_path is not None:
        plot(result, plot_path)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--num-iterations", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--delay", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="temporal.png", help="PNG path")
    args = parser.parse_args()
    main(
        num_iterations=args.num_iterations,
        batch_size=args.batch_size,
        hidden=args.hidden,
        delay=args.delay,
        seed=args.seed,
        plot_path=args.plot,
    )
