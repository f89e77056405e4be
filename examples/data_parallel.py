"""Data-parallel training with `jax.sharding`: the digits MLP over a device mesh.

The spiking MLP of `examples/digits.py` (its model, loss and data are imported
from that file) is trained with its batch split over every device: a
one-axis `Mesh` named `"data"`, the time-major input `(time, batch, features)`
sharded along the batch with `NamedSharding(mesh, P(None, "data"))`, labels
with `P("data")`, and the model and optimiser state replicated (`P()`). The
step is one `eqx.filter_jit` call; XLA inserts the all-reduce of the gradients
itself (GSPMD), so the training code is the single-device code plus sharding
annotations. With the same data order and initial model, the loss trajectory
equals the single-device run up to float32 rounding (the gradient sums are
added in another order); `tests/test_examples_more.py` checks this on 4
simulated CPU devices. Over a long run the two trajectories eventually part:
once the rounding differences move one membrane across its threshold, a spike
flips and the runs continue as two different (equally good) trainings.

Try it on a CPU by simulating devices (the flag must be set before JAX starts):

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python examples/data_parallel.py

Runtime: about 20 s on 2 CPU cores with 4 simulated devices. Expected output,
after a progress bar over the epochs:

    4 devices; each holds a (25, 16, 64) shard of the (25, 64, 64) input
    test accuracy: 0.962 (450 images)
"""

import argparse
import functools as ft
import importlib.util
import time
from pathlib import Path

import equinox as eqx
import jax
import jax.random as jr
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from tqdm import tqdm


def _load_digits_example():
    """Import `examples/digits.py` by path (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "digits_example", Path(__file__).with_name("digits.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


digits = _load_digits_example()

# Shardings seen by the compiled step (filled while tracing, once per compile).
SEEN_SHARDINGS: list = []


@eqx.filter_jit
def train_step(model, opt_state, xs, labels, *, optimizer, mesh):
    replicated = NamedSharding(mesh, P())
    model, opt_state = eqx.filter_shard((model, opt_state), replicated)
    xs = eqx.filter_shard(xs, NamedSharding(mesh, P(None, "data")))
    labels = eqx.filter_shard(labels, NamedSharding(mesh, P("data")))
    jax.debug.inspect_array_sharding(xs, callback=SEEN_SHARDINGS.append)
    grad_fn = eqx.filter_value_and_grad(digits.loss_fn, has_aux=True)
    (loss, _), grads = grad_fn(model, xs, labels)
    updates, opt_state = optimizer.update(
        grads, opt_state, eqx.filter(model, eqx.is_array)
    )
    model = eqx.apply_updates(model, updates)
    model, opt_state = eqx.filter_shard((model, opt_state), replicated)
    return model, opt_state, loss


encode = eqx.filter_jit(digits.rate_encode)


def main(
    *,
    num_devices: int | None = None,
    num_epochs: int = 10,
    batch_size: int = 64,
    num_steps: int = 25,
    hidden: int = 128,
    learning_rate: float = 5e-3,
    beta: float = 0.9,
    seed: int = 0,
) -> dict:
    """Train with the batch sharded over `num_devices` (default: all devices)."""
    start = time.perf_counter()
    devices = jax.devices()[: num_devices or len(jax.devices())]
    if batch_size % len(devices):
        raise ValueError(
            f"`batch_size` ({batch_size}) must be divisible by the number of "
            f"devices ({len(devices)})."
        )
    mesh = Mesh(devices, axis_names=("data",))
    data = NamedSharding(mesh, P(None, "data"))  # (time, batch, features)
    label_sharding = NamedSharding(mesh, P("data"))
    replicated = NamedSharding(mesh, P())

    x_train, x_test, y_train, y_test = digits.load_split()
    key, model_key, test_key = jr.split(jr.key(seed), 3)
    model = digits.SpikingMLP((x_train.shape[1], hidden, 10), beta=beta, key=model_key)
    # Weakly typed parameters would turn float32 after the first update and
    # trigger a second compilation; make them float32 from the start.
    model = jax.tree.map(
        lambda x: x.astype(x.dtype) if eqx.is_inexact_array(x) else x, model
    )
    model = eqx.filter_shard(model, replicated)
    num_batches = x_train.shape[0] // batch_size
    optimizer = optax.adam(
        optax.cosine_decay_schedule(learning_rate, num_epochs * num_batches)
    )
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    # Commit the optimiser state to the mesh too, so that the step's input
    # shardings are the same at every call (one compilation).
    opt_state = eqx.filter_shard(opt_state, replicated)
    step = ft.partial(train_step, optimizer=optimizer, mesh=mesh)

    SEEN_SHARDINGS.clear()
    losses: list[float] = []
    input_sharding, input_shape = None, ()
    # The data order and encoding keys depend only on `seed`, never on the
    # devices; host-side (numpy) batching keeps the step the only device work.
    images, targets = np.asarray(x_train), np.asarray(y_train)
    rng = np.random.default_rng(seed)
    desc = f"epochs ({len(devices)} devices)"
    for epoch in (bar := tqdm(range(num_epochs), desc=desc)):
        order = rng.permutation(len(targets))[: num_batches * batch_size]
        for i, idx in enumerate(order.reshape(num_batches, batch_size)):
            k = jr.fold_in(key, epoch * num_batches + i)
            xs = encode(images[idx], num_steps=num_steps, key=k)
            xs = jax.device_put(xs, data)
            labels = jax.device_put(targets[idx], label_sharding)
            input_sharding, input_shape = xs.sharding, xs.shape
            model, opt_state, loss = step(model, opt_state, xs, labels)
            losses.append(float(loss))
        bar.set_postfix(loss=f"{losses[-1]:.3f}")

    x_test, y_test = jax.device_put((x_test, y_test), replicated)
    accuracy = float(
        digits.accuracy(model, x_test, y_test, key=test_key, num_steps=num_steps)
    )
    seconds = time.perf_counter() - start
    (seen,) = {(len(s.device_set), s.shard_shape(input_shape)) for s in SEEN_SHARDINGS}
    assert input_sharding is not None
    result = {
        "train_loss": losses,
        "test_accuracy": accuracy,
        "num_devices": len(devices),
        "input_shape": tuple(input_shape),
        # inside the compiled step (`jax.debug.inspect_array_sharding`)
        "step_input_devices": seen[0],
        "step_input_shard_shape": tuple(seen[1]),
        # the committed input array itself
        "input_shards": len(input_sharding.device_set),
        "input_shard_shape": tuple(input_sharding.shard_shape(input_shape)),
        "seconds": seconds,
    }
    print(
        f"{len(devices)} devices; each holds a {result['step_input_shard_shape']} "
        f"shard of the {result['input_shape']} input"
    )
    print(f"test accuracy: {accuracy:.3f} ({x_test.shape[0]} images)")
    print(f"wall time: {seconds:.1f} s")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--num-devices", type=int, default=None)
    parser.add_argument("--num-epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--num-steps", type=int, default=25)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args()
    main(
        num_devices=args.num_devices,
        num_epochs=args.num_epochs,
        batch_size=args.batch_size,
        num_steps=args.num_steps,
        hidden=args.hidden,
    )
