"""Tiny runs of examples/temporal.py, sweep.py, data_parallel.py and shd.py."""

import importlib.util
import json
import math
import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str) -> ModuleType:
    """Import `examples/<name>.py` by path (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", EXAMPLES / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# As in tests/test_examples.py: optax's Adam needs the standard promotion rules,
# so the training `main`s run inside `jax.numpy_dtype_promotion("standard")`.


# --- temporal.py --------------------------------------------------------------


def test_temporal_trials_exact():
    temporal = load_example("temporal")
    # rate 1 in the active windows, no background: the raster is deterministic
    xs, labels = temporal.make_trials(
        jr.key(3), 4, group=2, cue=2, delay=3, recall=1, cue_rate=1.0, noise_rate=0.0
    )
    assert xs.shape == (6, 4, 6)
    assert xs.dtype == jnp.float32
    expected = np.zeros((6, 4, 6), np.float32)
    for b, label in enumerate(np.asarray(labels)):
        expected[:2, b, 2 * label : 2 * label + 2] = 1.0  # the cue population
        expected[5, b, 4:6] = 1.0  # the recall population
    np.testing.assert_array_equal(np.asarray(xs), expected)
    assert set(np.asarray(labels).tolist()) <= {0, 1}


def test_temporal_tiny(tmp_path):
    temporal = load_example("temporal")
    plot_path = tmp_path / "temporal.png"
    # delay 60 = 6 tau_mem: the feed-forward LIF keeps exp(-6) ~ 0.25 % of the
    # cue, buried in the background spikes; the adaptive thresholds
    # (tau_adapt = 600 steps) keep it. Seed 0: 1.0 vs 0.48.
    with jax.numpy_dtype_promotion("standard"):
        result = temporal.main(
            num_iterations=40,
            batch_size=32,
            hidden=16,
            delay=60,
            kinds=("adaptive_recurrent", "feedforward"),
            plot_path=str(plot_path),
        )
    accuracy = result["test_accuracy"]
    assert set(accuracy) == {"adaptive_recurrent", "feedforward"}
    assert len(result["train_loss"]["feedforward"]) == 40
    assert all(math.isfinite(x) for x in result["train_loss"]["adaptive_recurrent"])
    assert accuracy["adaptive_recurrent"] >= 0.9
    assert accuracy["feedforward"] <= 0.65  # chance is 0.5 (512 test trials)
    assert plot_path.stat().st_size > 0


# --- sweep.py -----------------------------------------------------------------


def naive_lif_rate(beta: float, threshold: float, xs: np.ndarray) -> float:
    """LIF defaults (subtract reset, `>`, v0 = 0) as a float32 numpy loop."""
    beta32, th32 = np.float32(beta), np.float32(threshold)
    v = np.zeros(xs.shape[1], np.float32)
    total = 0.0
    for x in xs:
        h = beta32 * v + x
        s = (h > th32).astype(np.float32)
        v = h - s * th32
        total += float(s.sum())
    return total / xs.size


def test_sweep_tiny(tmp_path):
    sweep = load_example("sweep")
    plot_path = tmp_path / "sweep.png"
    result = sweep.main(
        num_betas=3, num_thresholds=2, num_steps=30, batch=4, plot_path=str(plot_path)
    )
    assert result["n_configs"] == 6
    rates = np.asarray(result["rates"])
    assert rates.shape == (3, 2)
    assert result["sweep_traces"] == 1  # one compilation for the whole grid
    assert result["loop_traces"] == 1  # new parameter values never retrace
    np.testing.assert_array_equal(np.asarray(result["loop_rates"]), rates)
    xs = np.asarray(0.3 + 0.3 * jr.normal(jr.key(0), (30, 4)))
    betas, thresholds = (np.asarray(a) for a in sweep.grid(3, 2))
    expected = [[naive_lif_rate(b, t, xs) for t in thresholds] for b in betas]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    assert rates[0, 0] > rates[0, 1]  # a higher threshold fires less
    for name in ("sweep_seconds", "loop_seconds", "batched_seconds"):
        assert result[name] > 0
    assert result["speedup"] == pytest.approx(
        result["loop_seconds"] / result["sweep_seconds"]
    )
    assert plot_path.stat().st_size > 0


# --- data_parallel.py ---------------------------------------------------------

_DATA_PARALLEL = textwrap.dedent(
    """
    import importlib.util, json, sys
    import jax
    spec = importlib.util.spec_from_file_location("dp", sys.argv[1])
    dp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dp)
    sizes = dict(num_epochs=1, batch_size=256, num_steps=4, hidden=16)
    sharded = dp.main(**sizes)
    single = dp.main(num_devices=1, **sizes)
    try:
        dp.main(batch_size=30)
        error = None
    except ValueError as err:
        error = str(err)
    print(json.dumps({"sharded": sharded, "single": single, "error": error,
                      "devices": jax.device_count()}))
    """
)


def test_data_parallel_matches_single_device():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run(
        [sys.executable, "-c", _DATA_PARALLEL, str(EXAMPLES / "data_parallel.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    sharded, single = out["sharded"], out["single"]
    assert out["devices"] == 4
    assert sharded["num_devices"] == 4
    # the (time, batch, features) = (4, 256, 64) input, split along the batch
    assert sharded["step_input_devices"] == 4
    assert sharded["step_input_shard_shape"] == [4, 64, 64]
    assert sharded["input_shards"] == 4
    assert sharded["input_shard_shape"] == [4, 64, 64]
    assert single["step_input_shard_shape"] == [4, 256, 64]
    losses, reference = sharded["train_loss"], single["train_loss"]
    assert len(losses) == len(reference) == 1347 // 256
    np.testing.assert_allclose(losses, reference, rtol=1e-5, atol=1e-6)
    assert losses[-1] < losses[0]
    assert out["error"] == (
        "`batch_size` (30) must be divisible by the number of devices (4)."
    )


# --- shd.py -------------------------------------------------------------------


def write_shd(path: Path, times: list, units: list, labels: list) -> None:
    """A file in the SHD layout: ragged `spikes/times`, `spikes/units`, `labels`."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w") as f:
        spikes = f.create_group("spikes")
        t = spikes.create_dataset(
            "times", (len(times),), dtype=h5py.vlen_dtype(np.float32)
        )
        u = spikes.create_dataset(
            "units", (len(units),), dtype=h5py.vlen_dtype(np.uint16)
        )
        for n, (tn, un) in enumerate(zip(times, units, strict=True)):
            t[n] = np.asarray(tn, np.float32)
            u[n] = np.asarray(un, np.uint16)
        f.create_dataset("labels", data=np.asarray(labels, np.uint8))


# dt = 10 ms, 5 bins (50 ms); times sit inside their bins, away from the edges
TIMES = [[0.005, 0.006, 0.034, 0.5], [0.049, 0.051], [], [0.015]]
UNITS = [[3, 3, 699, 1], [0, 10], [], [42]]
LABELS = [3, 19, 0, 7]


def expected_counts() -> np.ndarray:
    counts = np.zeros((4, 5, 700), np.float32)
    counts[0, 0, 3] = 2.0  # two spikes of unit 3 in bin 0
    counts[0, 3, 699] = 1.0  # t = 34 ms -> bin 3; t = 0.5 s is dropped
    counts[1, 4, 0] = 1.0  # t = 49 ms -> bin 4; t = 51 ms is dropped
    counts[3, 1, 42] = 1.0  # sample 2 has no spikes
    return counts


def test_shd_binning_and_batches(tmp_path):
    shd = load_example("shd")
    path = tmp_path / "shd_train.h5"
    write_shd(path, TIMES, UNITS, LABELS)
    counts, labels = shd.load_shd(path, dt=0.01, num_bins=5)
    assert counts.dtype == np.float32
    assert labels.dtype == np.int32
    np.testing.assert_array_equal(counts, expected_counts())
    np.testing.assert_array_equal(labels, LABELS)
    (xs0, y0), (xs1, y1) = shd.batches(counts, labels, 2)
    np.testing.assert_array_equal(np.asarray(y0), [3, 19])
    np.testing.assert_array_equal(np.asarray(xs1[:, 1]), expected_counts()[3])
    assert xs0.shape == (5, 2, 700)  # time-major
    np.testing.assert_array_equal(np.asarray(xs0[:, 1]), expected_counts()[1])
    np.testing.assert_array_equal(np.asarray(y1), [0, 7])
    assert len(list(shd.batches(counts, labels, 3, key=jr.key(0)))) == 1


def test_shd_bad_bins(tmp_path):
    shd = load_example("shd")
    with pytest.raises(ValueError, match="`dt` > 0"):
        shd.load_shd(tmp_path / "missing.h5", dt=0.0)


def test_shd_wrong_layout(tmp_path):
    shd = load_example("shd")
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "not_shd.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("labels", data=np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="no dataset `spikes/times`"):
        shd.load_shd(path)


def test_shd_training(tmp_path):
    shd = load_example("shd")
    # 8 samples of two classes: class 0 fires units 0-9, class 1 units 10-19,
    # once per 10 ms bin (at the bin centres) for 50 ms.
    labels = [0, 1] * 4
    times = [[0.005 + 0.01 * k for k in range(5) for _ in range(10)]] * 8
    units = [[u + 10 * y for _ in range(5) for u in range(10)] for y in labels]
    for split in ("train", "test"):
        write_shd(tmp_path / f"shd_{split}.h5", times, units, labels)
    with jax.numpy_dtype_promotion("standard"):
        result = shd.main(
            str(tmp_path),
            num_epochs=4,
            batch_size=4,
            num_bins=5,
            hidden=8,
            learning_rate=2e-2,
        )
    losses = result["train_loss"]
    assert len(losses) == 8  # 4 epochs of 2 batches
    assert all(math.isfinite(x) for x in losses)
    assert sum(losses[-2:]) < sum(losses[:2])  # ln 20 ~ 3.0 at the start
    assert 0.0 <= result["test_accuracy"] <= 1.0


def test_shd_without_data_prints_download(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["shd.py"])
    runpy.run_path(str(EXAMPLES / "shd.py"), run_name="__main__")  # no SystemExit
    out = capsys.readouterr().out
    assert "https://zenkelab.org/datasets/" in out
    assert "shd_train.h5.gz" in out
