"""Checkpoints: round trips, atomic writes, rotation and every load error."""

import hashlib
import io
import json
import os

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import optax
import pytest


def _ckpt():
    import snnjax.checkpoint

    return snnjax.checkpoint


def _state(key, hidden: int = 4):
    import snnjax as snn

    model = snn.Sequential([snn.Linear(3, hidden, key=key), snn.LIF(beta=0.9)])
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    return {
        "model": model,
        "opt_state": opt_state,
        "step": 0,
        "key": jr.key(1),
        "numpy": np.arange(3, dtype=np.int64),
        "half": jnp.ones(2, jnp.bfloat16),
    }


def _changed(tree):
    """Every floating leaf moved, so a round trip cannot pass by accident."""

    def bump(x):
        if isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jnp.floating):
            return x + jnp.asarray(0.5, x.dtype)
        return x

    tree = jax.tree_util.tree_map(bump, tree)
    return {**tree, "step": 17, "key": jr.key(9), "numpy": np.array([4, 5, 6])}


def _assert_same(a, b):
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    assert ta == tb
    for x, y in zip(la, lb, strict=True):
        assert type(x) is type(y)
        if isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jax.dtypes.prng_key):
            x, y = jr.key_data(x), jr.key_data(y)
        if hasattr(x, "dtype"):
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
        else:
            assert x == y


def test_round_trip_model_optimizer_step_and_key(tmp_path, key):
    ckpt = _ckpt()
    saved = _changed(_state(key))
    path = ckpt.save(tmp_path / "run.ckpt", saved, step=17, metadata={"lr": 1e-3})
    loaded = ckpt.load(path, _state(key))
    _assert_same(loaded, saved)
    assert loaded["step"] == 17
    info = ckpt.read_info(path)
    assert info == ckpt.CheckpointInfo(step=17, format_version=1, metadata={"lr": 1e-3})


def test_payload_is_equinox_serialisation(tmp_path, key):
    ckpt = _ckpt()
    tree = {"w": jr.normal(key, (2, 3)), "n": 3}
    raw = ckpt.save(tmp_path / "a.ckpt", tree).read_bytes()
    magic, header, payload = raw.split(b"\n", 2)
    assert magic == b"SNNJAX-CHECKPOINT"
    assert json.loads(header)["sha256"] == hashlib.sha256(payload).hexdigest()
    like = {"w": jnp.zeros((2, 3)), "n": 0}
    back = eqx.tree_deserialise_leaves(io.BytesIO(payload), like)
    _assert_same(back, tree)


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    ckpt = _ckpt()
    path = ckpt.save(tmp_path / "a.ckpt", jnp.zeros(3), step=1)
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        ckpt.save(path, jnp.ones(3), step=2)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.ckpt"]


def test_rotation_and_latest(tmp_path):
    ckpt = _ckpt()
    assert ckpt.latest(tmp_path / "missing") is None
    assert ckpt.latest(tmp_path) is None
    for step in (5, 10, 15, 20):
        ckpt.save_step(tmp_path, jnp.full(2, float(step)), step=step, keep=2)
    (tmp_path / ".ckpt-000000025.snnjax.x1.tmp").write_bytes(b"partial")
    names = [p.name for p in ckpt.list_checkpoints(tmp_path)]
    assert names == ["ckpt-000000015.snnjax", "ckpt-000000020.snnjax"]
    newest = ckpt.latest(tmp_path)
    assert newest is not None and ckpt.read_info(newest).step == 20
    np.testing.assert_array_equal(np.asarray(ckpt.load(newest, jnp.zeros(2))), [20, 20])
    ckpt.save_step(tmp_path, jnp.zeros(2), step=30, keep=None)
    assert len(ckpt.list_checkpoints(tmp_path)) == 3


# ------------------------------------------------------------------ errors


def _write(tmp_path, tree=None):
    return _ckpt().save(tmp_path / "a.ckpt", jnp.arange(4.0) if tree is None else tree)


def _load_error(path, like=None):
    ckpt = _ckpt()
    with pytest.raises(ckpt.CheckpointError) as info:
        ckpt.load(path, jnp.zeros(4) if like is None else like)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)
    return str(info.value)


def test_missing_file(tmp_path):
    ckpt = _ckpt()
    path = tmp_path / "nope.ckpt"
    with pytest.raises(FileNotFoundError):
        ckpt.load(path, jnp.zeros(4))
    assert "no checkpoint file" in _load_error(path)


def test_directory_instead_of_file(tmp_path):
    assert "is a directory" in _load_error(tmp_path)


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage" * 10, b"PK\x03\x04zip"])
def test_garbage_bytes(tmp_path, content):
    path = tmp_path / "a.ckpt"
    path.write_bytes(content)
    assert "is not an snnjax checkpoint" in _load_error(path)


def test_truncated_payload(tmp_path):
    path = _write(tmp_path)
    path.write_bytes(path.read_bytes()[:-7])
    assert "is truncated" in _load_error(path)


def test_appended_bytes(tmp_path):
    path = _write(tmp_path)
    path.write_bytes(path.read_bytes() + b"junk")
    assert "is too long" in _load_error(path)


def test_truncated_header(tmp_path):
    path = _write(tmp_path)
    path.write_bytes(path.read_bytes()[:30])
    assert "no complete header line" in _load_error(path)


def test_flipped_payload_byte(tmp_path):
    path = _write(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert "SHA-256" in _load_error(path)


def _rewrite_header(path, **changes):
    magic, header, payload = path.read_bytes().split(b"\n", 2)
    fields = {**json.loads(header), **changes}
    fields = {k: v for k, v in fields.items() if v is not None}
    path.write_bytes(magic + b"\n" + json.dumps(fields).encode() + b"\n" + payload)


def test_corrupt_header(tmp_path):
    path = _write(tmp_path)
    magic, _, payload = path.read_bytes().split(b"\n", 2)
    path.write_bytes(magic + b"\n{not json\n" + payload)
    assert "corrupt header" in _load_error(path)
    path = _write(tmp_path)
    _rewrite_header(path, sha256=None)  # a required key missing
    assert "corrupt header" in _load_error(path)


def test_newer_format_version(tmp_path):
    path = _write(tmp_path)
    _rewrite_header(path, format_version=99)
    assert "format version 99" in _load_error(path)


def test_wrong_shape_in_like(tmp_path, key):
    path = _write(tmp_path, _state(key, hidden=4))
    message = _load_error(path, _state(key, hidden=5))
    assert (
        "float32[5, 3] in `like`" in message and "float32[4, 3] in the file" in message
    )


def test_wrong_dtype_in_like(tmp_path):
    path = _write(tmp_path)
    assert "float16[4] in `like`" in _load_error(path, jnp.zeros(4, jnp.float16))


def test_wrong_number_of_leaves(tmp_path):
    path = _write(tmp_path)
    message = _load_error(path, (jnp.zeros(4), jnp.zeros(1)))
    assert "holds 1 arrays but `like` has 2" in message


def test_scalar_leaf_mismatch(tmp_path):
    path = _write(tmp_path)
    assert "is a scalar in `like`" in _load_error(path, 0.0)


def test_unreadable_array_record(tmp_path):
    # a well-formed header over a payload that is not a .npy record
    path = tmp_path / "a.ckpt"
    payload = b"\x93NUMPY broken record"
    header = {
        "format": "snnjax-checkpoint", "format_version": 1, "step": 0,
        "metadata": {}, "num_arrays": 1, "payload_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }  # fmt: skip
    path.write_bytes(
        b"SNNJAX-CHECKPOINT\n" + json.dumps(header).encode() + b"\n" + payload
    )
    assert "cannot read the array for leaf" in _load_error(path)


def test_object_arrays_are_refused(tmp_path):
    # a pickled object array in the payload is never unpickled
    path = tmp_path / "a.ckpt"
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    payload = buffer.getvalue()
    header = {
        "format": "snnjax-checkpoint", "format_version": 1, "step": 0,
        "metadata": {}, "num_arrays": 1, "payload_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }  # fmt: skip
    path.write_bytes(
        b"SNNJAX-CHECKPOINT\n" + json.dumps(header).encode() + b"\n" + payload
    )
    assert "object arrays are refused, never unpickled" in _load_error(
        path, np.zeros(1)
    )


def test_unread_payload_bytes(tmp_path):
    # the header counts one array but two records follow
    path = tmp_path / "a.ckpt"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(2, np.float32))
    np.save(buffer, np.zeros(2, np.float32))
    payload = buffer.getvalue()
    header = {
        "format": "snnjax-checkpoint", "format_version": 1, "step": 0,
        "metadata": {}, "num_arrays": 1, "payload_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }  # fmt: skip
    path.write_bytes(
        b"SNNJAX-CHECKPOINT\n" + json.dumps(header).encode() + b"\n" + payload
    )
    assert "unread payload bytes" in _load_error(path, jnp.zeros(2))


def test_save_argument_errors(tmp_path):
    ckpt = _ckpt()
    with pytest.raises(ValueError, match=r"`step` must be a non-negative int; got -1"):
        ckpt.save(tmp_path / "a", jnp.zeros(1), step=-1)
    with pytest.raises(TypeError, match=r"`metadata` must be a JSON-compatible"):
        ckpt.save(tmp_path / "a", jnp.zeros(1), metadata={"x": object()})
    with pytest.raises(ValueError, match=r"`keep` must be a positive int or None"):
        ckpt.save_step(tmp_path, jnp.zeros(1), step=1, keep=0)
    with pytest.raises(ValueError, match=r"`step` must be a non-negative int; got -3"):
        ckpt.save_step(tmp_path, jnp.zeros(1), step=-3)
    assert list(tmp_path.iterdir()) == []
