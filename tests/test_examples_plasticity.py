"""The STDP and checkpoint-resume examples, with tiny sizes.

`test_resume_is_bit_identical` stops a run half-way and resumes it in this
process (fast). The slow test runs `examples/resume.py` in a subprocess,
kills it with SIGKILL once checkpoints exist, resumes it in a second
subprocess and checks that the final parameters equal an uninterrupted run's
bit for bit (about 20 s alone, a minute on a loaded 2-core machine: two
fresh Python processes importing JAX and compiling).
"""

import os
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from tests.test_examples import EXAMPLES, load_example


def test_stdp_tiny(tmp_path):
    stdp = load_example("stdp")
    plot_path = tmp_path / "weights.png"
    # 20 chunks = 40 s of simulated time; from seed 0 the neuron already stops
    # firing in most noise segments (false alarms about 0.06) and still fires
    # in every pattern segment (the full run: 150 chunks, 1.00 / 0.03)
    result = stdp.main(
        num_chunks=20, test_segments=40, plot_path=str(plot_path), progress=False
    )
    hits_before, false_before = result["before"]
    hits_after, false_after = result["after"]
    assert false_before > 0.9  # untrained, the neuron fires everywhere
    assert hits_after >= 0.75
    assert false_after <= 0.25
    assert hits_after - false_after > hits_before - false_before + 0.5
    assert result["pattern_weight"] > result["other_weight"]
    weight = result["weight"]
    assert weight.shape == (400,)
    assert weight.min() >= 0.0 and weight.max() <= 1.0
    assert plot_path.stat().st_size > 0


def _resume_cmd(directory, *extra):
    return [
        sys.executable,
        str(EXAMPLES / "resume.py"),
        "--steps", "24", "--every", "4", "--dir", str(directory),
        "--no-progress", *extra,
    ]  # fmt: skip


def _leaves_equal(a, b):
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b),
                    strict=True):  # fmt: skip
        if hasattr(x, "dtype"):
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_resume_is_bit_identical(tmp_path):
    resume = load_example("resume")
    kw = {"checkpoint_every": 4, "progress": False}
    with jax.numpy_dtype_promotion("standard"):
        straight = resume.main(num_steps=16, directory=str(tmp_path / "a"), **kw)
        # "interrupted" after step 8 (its last checkpoint), then resumed
        resume.main(num_steps=8, directory=str(tmp_path / "b"), **kw)
        resumed = resume.main(
            num_steps=16, directory=str(tmp_path / "b"), resume=True, **kw
        )
    assert straight["start"] == 0 and resumed["start"] == 8
    _leaves_equal(resumed["model"], straight["model"])
    assert resumed["loss"] == straight["loss"]


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_resume_after_sigkill_is_bit_identical(tmp_path):
    import snnjax as snn

    # a persistent compilation cache lets the second process skip compiling
    env = {
        **os.environ,
        "JAX_PLATFORMS": "cpu",
        "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "xla_cache"),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
    }
    directory = tmp_path / "ckpt"
    # 1. a run that is killed while it trains (0.2 s per step after compiling)
    proc = subprocess.Popen(
        _resume_cmd(directory, "--step-delay", "0.2"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while len(snn.checkpoint.list_checkpoints(directory)) < 2:
            assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "no checkpoints after 120 s"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    last = snn.checkpoint.latest(directory)
    assert last is not None
    killed_at = snn.checkpoint.read_info(last).step
    assert 8 <= killed_at < 24

    # 2. resumed in a fresh process
    out = subprocess.run(
        _resume_cmd(directory, "--resume", "--out", str(tmp_path / "resumed.ckpt")),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    resumed_from = int(out.rsplit("resumed from step ", 1)[1].split(")")[0])
    assert resumed_from >= killed_at

    # 3. the uninterrupted run, here (same code, same XLA CPU backend)
    with jax.numpy_dtype_promotion("standard"):
        result = load_example("resume").main(
            num_steps=24,
            checkpoint_every=4,
            directory=str(tmp_path / "straight"),
            out=str(tmp_path / "straight.ckpt"),
            progress=False,
        )
    assert result["start"] == 0
    resumed = snn.checkpoint.load(tmp_path / "resumed.ckpt", result["model"])
    _leaves_equal(resumed, result["model"])
    # the whole files agree too (the header holds the payload's SHA-256)
    resumed_bytes = (tmp_path / "resumed.ckpt").read_bytes()
    assert resumed_bytes == (tmp_path / "straight.ckpt").read_bytes()
