"""Spiking Heidelberg Digits (SHD): load the HDF5 files with h5py and train an SNN.

SHD (Cramer et al., 2022) holds spoken digits 0-9 in English and German
(20 classes) as spike trains of 700 cochlea-model channels, about 1 s long.
This example does not download anything: get `shd_train.h5.gz` and
`shd_test.h5.gz` from https://zenkelab.org/datasets/ (mirror:
https://compneuro.net/datasets/), unpack them with `gunzip`, and pass the
directory. Without a directory it prints these instructions and exits.

Each file stores, for sample `n`, the ragged arrays `spikes/times[n]` (spike
times in seconds, float) and `spikes/units[n]` (channel indices `0..699`,
int), and `labels[n]` (the class, `0..19`). `load_shd` bins each sample into
`num_bins` bins of `dt` seconds: bin `k` counts the spikes with
`k * dt <= t < (k + 1) * dt` on each channel, so the result is a dense
float32 array of spike *counts*; spikes at `t >= num_bins * dt` are dropped
(not clipped into the last bin). `batches` cuts the binned data into
time-major `(time, batch, 700)` mini-batches.

The network is `Linear(700, 256) -> LIF -> Linear(256, 20) -> LI`, built with
`snn.Sequential` and run layer-major by `snn.run`; the loss is the
cross-entropy of the maximum readout membrane over time
(`snn.loss.ce_max_membrane`), trained with Adam.

Run:

    python examples/shd.py /path/to/shd          # the directory with the .h5 files

Runtime: with the defaults (100 bins of 10 ms, batch 64), one training step
took 140 ms on 2 shared CPU cores, about 20 s per epoch of SHD's 8156 training
samples (measured on a synthetic file of the same layout and size per sample;
the real data set was not available to us, so no accuracy is quoted).
"""

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import optax
from jaxtyping import Array, Float, Int, PRNGKeyArray
from tqdm import tqdm

import snnjax as snn

NUM_CHANNELS = 700
NUM_CLASSES = 20
DOWNLOAD = """\
SHD is not bundled. Download shd_train.h5.gz and shd_test.h5.gz from
    https://zenkelab.org/datasets/   (mirror: https://compneuro.net/datasets/)
unpack them (gunzip shd_*.h5.gz) and run
    python examples/shd.py /path/to/the/directory"""


def load_shd(
    path: str | Path, *, dt: float = 0.01, num_bins: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """Bin an SHD HDF5 file into spike counts.

    Args:
        path: an SHD `.h5` file (`spikes/times`, `spikes/units`, `labels`).
        dt: bin width in seconds.
        num_bins: number of bins kept; spikes at `t >= num_bins * dt` are dropped.

    Returns:
        `(counts, labels)`: float32 counts of shape `(samples, num_bins, 700)`
        (sample-major, as stored; `batches` makes them time-major) and int32
        labels of shape `(samples,)`.
    """
    import h5py  # optional dependency, only needed here

    if dt <= 0 or num_bins < 1:
        raise ValueError(f"need `dt` > 0 and `num_bins` >= 1; got {dt}, {num_bins}.")
    with h5py.File(path, "r") as f:
        times, units, labels = (
            _dataset(f, name) for name in ("spikes/times", "spikes/units", "labels")
        )
        labels = np.asarray(labels, dtype=np.int32)
        counts = np.zeros((len(labels), num_bins, NUM_CHANNELS), np.float32)
        for n in range(len(labels)):
            t = np.asarray(times[n], dtype=np.float64)
            u = np.asarray(units[n], dtype=np.int64)
            bins = np.floor(t / dt).astype(np.int64)
            keep = (bins >= 0) & (bins < num_bins)
            np.add.at(counts[n], (bins[keep], u[keep]), 1.0)
    return counts, labels


def _dataset(f, name: str):
    """`f[name]` if it is an HDF5 dataset, else a ValueError naming the file."""
    import h5py

    item = f.get(name)
    if not isinstance(item, h5py.Dataset):
        raise ValueError(
            f"{f.filename} is not in the SHD layout: it has no dataset `{name}` "
            "(expected `spikes/times`, `spikes/units` and `labels`)."
        )
    return item


def batches(
    counts: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    *,
    key: PRNGKeyArray | None = None,
) -> Iterator[tuple[Float[Array, "time batch 700"], Int[Array, " batch"]]]:
    """Time-major mini-batches, shuffled with `key` (in order without one).

    The last partial batch is dropped.
    """
    n = len(labels)
    order = np.arange(n) if key is None else np.asarray(jr.permutation(key, n))
    for start in range(0, n - batch_size + 1, batch_size):
        idx = order[start : start + batch_size]
        xs = jnp.asarray(np.swapaxes(counts[idx], 0, 1))  # (time, batch, 700)
        yield xs, jnp.asarray(labels[idx])


def make_network(*, hidden: int, beta: float, key: PRNGKeyArray) -> snn.Sequential:
    k1, k2 = jr.split(key)
    surrogate = snn.surrogate.FastSigmoid(slope=10.0)
    return snn.Sequential(
        [
            snn.Linear(NUM_CHANNELS, hidden, key=k1),
            snn.LIF(beta=beta, surrogate=surrogate),
            snn.Linear(hidden, NUM_CLASSES, key=k2),
            snn.LI(beta=beta),
        ]
    )


def loss_fn(
    net: snn.Sequential,
    xs: Float[Array, "time batch 700"],
    labels: Int[Array, " batch"],
) -> tuple[Float[Array, ""], Float[Array, "batch classes"]]:
    v, _ = snn.run(net, xs, net.init_state(xs.shape[1:]))
    return snn.loss.ce_max_membrane(v, labels), v.max(axis=0)


@eqx.filter_jit
def train_step(net, opt_state, xs, labels, *, optimizer):
    grad_fn = eqx.filter_value_and_grad(loss_fn, has_aux=True)
    (loss, _), grads = grad_fn(net, xs, labels)
    updates, opt_state = optimizer.update(
        grads, opt_state, eqx.filter(net, eqx.is_array)
    )
    return eqx.apply_updates(net, updates), opt_state, loss


@eqx.filter_jit
def correct(net, xs, labels) -> Int[Array, ""]:
    _, logits = loss_fn(net, xs, labels)
    return jnp.sum(jnp.argmax(logits, axis=-1) == labels)


def main(
    data_dir: str | None = None,
    *,
    num_epochs: int = 5,
    batch_size: int = 64,
    dt: float = 0.01,
    num_bins: int = 100,
    hidden: int = 256,
    learning_rate: float = 1e-3,
    beta: float = 0.95,
    max_samples: int | None = None,
    seed: int = 0,
) -> dict:
    """Train on `data_dir/shd_train.h5`, test on `data_dir/shd_test.h5`.

    With `data_dir=None`, print where to get SHD and return an empty dict.
    `max_samples` keeps only the first samples of each file (quick runs).
    """
    if data_dir is None:
        print(DOWNLOAD)
        return {}
    start = time.perf_counter()
    paths = [Path(data_dir) / f"shd_{split}.h5" for split in ("train", "test")]
    (x_train, y_train), (x_test, y_test) = (
        load_shd(p, dt=dt, num_bins=num_bins) for p in paths
    )
    if max_samples is not None:
        x_train, y_train = x_train[:max_samples], y_train[:max_samples]
        x_test, y_test = x_test[:max_samples], y_test[:max_samples]
    key, model_key = jr.split(jr.key(seed))
    net = make_network(hidden=hidden, beta=beta, key=model_key)
    # Weakly typed parameters would turn float32 after the first update and
    # trigger a second compilation; make them float32 from the start.
    net = jax.tree.map(
        lambda x: x.astype(x.dtype) if eqx.is_inexact_array(x) else x, net
    )
    optimizer = optax.adam(learning_rate)
    opt_state = optimizer.init(eqx.filter(net, eqx.is_array))

    losses: list[float] = []
    for _ in (bar := tqdm(range(num_epochs), desc="epochs")):
        key, epoch_key = jr.split(key)
        for xs, labels in batches(x_train, y_train, batch_size, key=epoch_key):
            net, opt_state, loss = train_step(
                net, opt_state, xs, labels, optimizer=optimizer
            )
            losses.append(float(loss))
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    test_batch = min(batch_size, len(y_test))
    hits = sum(
        int(correct(net, xs, labels))
        for xs, labels in batches(x_test, y_test, test_batch)
    )
    tested = (len(y_test) // test_batch) * test_batch
    accuracy = hits / tested
    seconds = time.perf_counter() - start
    print(f"test accuracy: {accuracy:.3f} ({tested} samples)")
    print(f"wall time: {seconds:.1f} s")
    return {"test_accuracy": accuracy, "train_loss": losses, "seconds": seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("data_dir", nargs="?", default=None,
                        help="directory with shd_train.h5 and shd_test.h5")  # fmt: skip
    parser.add_argument("--num-epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dt", type=float, default=0.01, help="bin width (s)")
    parser.add_argument("--num-bins", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--max-samples", type=int, default=None)
    args = parser.parse_args()
    main(
        args.data_dir,
        num_epochs=args.num_epochs,
        batch_size=args.batch_size,
        dt=args.dt,
        num_bins=args.num_bins,
        hidden=args.hidden,
        max_samples=args.max_samples,
    )
