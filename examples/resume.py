"""Checkpointed training that survives being killed and resumes bit for bit.

Trains a small spiking network (64 inputs -> 32 LIF neurons -> a linear
readout of 10; rate-coded 8x8 digits from scikit-learn, 8 time steps) with
Adam and saves the whole training state (model, optimizer state, step) every
`checkpoint_every` steps with `snnjax.checkpoint.save_step`, which writes
atomically and keeps the newest three files. With `--resume` it continues
from the latest checkpoint.

Everything random is derived from the step number (the mini-batch order from
the epoch, the spike encoding from the step), so a run that is killed and
resumed computes exactly the same parameters as one that never stopped. Try:

    python examples/resume.py --dir /tmp/c1 --out /tmp/a.snnjax --fresh
    python examples/resume.py --dir /tmp/c2 --step-delay 0.1 --fresh &
    sleep 15; kill -9 $!
    python examples/resume.py --dir /tmp/c2 --out /tmp/b.snnjax --resume
    cmp /tmp/a.snnjax /tmp/b.snnjax && echo identical

Runtime: about 20 s on 2 shared CPU cores (9 s of CPU time, imports and
compilation included). Expected output: a progress bar over the 200 steps,
then

    final loss: 0.16 after 200 steps (resumed from step 0)
"""

import argparse
import functools as ft
import pathlib
import shutil
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import optax
from jaxtyping import Array, ArrayLike, Float, Int, PRNGKeyArray
from sklearn.datasets import load_digits
from tqdm import tqdm

import snnjax as snn

NUM_STEPS_SNN = 8  # time steps of the spike trains


class Net(eqx.Module):
    """Linear -> LIF -> Linear, layer-major through `snn.run`.

    The logits are the time average of the last Linear layer's output (a
    linear readout of the hidden spike trains).
    """

    net: snn.Sequential

    def __init__(self, *, hidden: int, key: PRNGKeyArray):
        k1, k2 = jr.split(key)
        surrogate = snn.surrogate.FastSigmoid(slope=25.0)
        self.net = snn.Sequential(
            [
                snn.Linear(64, hidden, key=k1),
                snn.LIF(beta=0.9, surrogate=surrogate),
                snn.Linear(hidden, 10, key=k2),
            ]
        )

    def __call__(self, xs: Float[Array, "time batch 64"]) -> Float[Array, "batch 10"]:
        outputs, _ = snn.run(self.net, xs, self.net.init_state(xs.shape[1:]))
        return outputs.mean(0)


def load_data() -> tuple[Float[Array, "n 64"], Int[Array, " n"]]:
    data, target = load_digits(return_X_y=True)
    return jnp.asarray(data / 16.0, jnp.float32), jnp.asarray(target, jnp.int32)


@ft.partial(jax.jit, static_argnames="batch_size")
def batch_for_step(
    step: Int[ArrayLike, ""],
    images: Array,
    labels: Array,
    *,
    batch_size: int,
    key: PRNGKeyArray,
) -> tuple[Array, Array, PRNGKeyArray]:
    """The mini-batch and encoding key of `step`: a function of the step only."""
    per_epoch = images.shape[0] // batch_size
    epoch, index = jnp.divmod(step, per_epoch)
    order = jr.permutation(jr.fold_in(key, epoch), images.shape[0])
    rows = jax.lax.dynamic_slice_in_dim(order, index * batch_size, batch_size)
    return images[rows], labels[rows], jr.fold_in(jr.fold_in(key, 10**6), step)


@ft.cache  # one compiled step per learning rate, shared by calls of `main`
def make_train_step(learning_rate: float):
    optimizer = optax.adam(learning_rate)

    @eqx.filter_jit
    def train_step(model, opt_state, images, labels, key):
        def loss_fn(model):
            probs = jnp.broadcast_to(images, (NUM_STEPS_SNN, *images.shape))
            xs = jr.bernoulli(key, probs).astype(images.dtype)
            logits = model(xs)
            return optax.softmax_cross_entropy_with_integer_labels(
                logits, labels
            ).mean()

        loss, grads = eqx.filter_value_and_grad(loss_fn)(model)
        updates, opt_state = optimizer.update(
            grads, opt_state, eqx.filter(model, eqx.is_array)
        )
        return eqx.apply_updates(model, updates), opt_state, loss

    return train_step


def main(
    *,
    num_steps: int = 200,
    checkpoint_every: int = 20,
    directory: str = "checkpoints",
    resume: bool = False,
    out: str | None = None,
    hidden: int = 32,
    batch_size: int = 32,
    learning_rate: float = 1e-2,
    step_delay: float = 0.0,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Train for `num_steps` steps, checkpointing; returns the final state."""
    images, labels = load_data()
    model_key, data_key = jr.split(jr.key(seed))
    optimizer = optax.adam(learning_rate)
    model = Net(hidden=hidden, key=model_key)
    state = {
        "model": model,
        "opt_state": optimizer.init(eqx.filter(model, eqx.is_array)),
        "step": 0,
    }
    start = 0
    path = snn.checkpoint.latest(directory) if resume else None
    if path is not None:
        state = snn.checkpoint.load(path, state)  # `state` is the template
        start = state["step"]
    train_step = make_train_step(learning_rate)
    model, opt_state = state["model"], state["opt_state"]
    loss = jnp.nan
    for step in tqdm(range(start, num_steps), disable=not progress, desc="train"):
        batch, target, key = batch_for_step(
            step, images, labels, batch_size=batch_size, key=data_key
        )
        model, opt_state, loss = train_step(model, opt_state, batch, target, key)
        if step_delay:
            time.sleep(step_delay)  # stands in for a long step, to be killed
        if (step + 1) % checkpoint_every == 0 or step + 1 == num_steps:
            state = {"model": model, "opt_state": opt_state, "step": step + 1}
            snn.checkpoint.save_step(directory, state, step=step + 1, keep=3)
    if out is not None:
        snn.checkpoint.save(out, model, step=num_steps)
    return {"model": model, "loss": float(loss), "start": start}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Checkpointed digits training.")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--dir", default="checkpoints")
    parser.add_argument("--out", default=None)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="delete --dir first")
    parser.add_argument("--step-delay", type=float, default=0.0)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(pathlib.Path(args.dir), ignore_errors=True)
    with jax.numpy_dtype_promotion("standard"):
        result = main(
            num_steps=args.steps,
            checkpoint_every=args.every,
            directory=args.dir,
            resume=args.resume,
            out=args.out,
            step_delay=args.step_delay,
            progress=not args.no_progress,
        )
    print(
        f"final loss: {result['loss']:.2f} after {args.steps} steps "
        f"(resumed from step {result['start']})"
    )
