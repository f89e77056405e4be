"""Training checkpoints that cannot lose data: atomic save, checked load.

A checkpoint stores any pytree (typically `{"model": model, "opt_state":
opt_state, "step": step}`) with Equinox's leaf serialisation
(`eqx.tree_serialise_leaves`, one `.npy` record per array leaf) behind a
small JSON header. A file is laid out as

1. the magic line `SNNJAX-CHECKPOINT` and a newline;
2. one line of JSON: `format_version`, `step`, the user's `metadata`, the
   number of array leaves, the payload length in bytes and its SHA-256;
3. the payload, exactly as `eqx.tree_serialise_leaves` writes it.

**Atomic.** [`save`][snnjax.checkpoint.save] writes to a temporary file in
the target directory, flushes and `fsync`s it, renames it over the target
with `os.replace` (atomic on POSIX and Windows) and `fsync`s the directory. A
process killed at any moment leaves either the previous file or the new one,
never a partial one (at worst a stray hidden `.*.tmp` file, which
[`latest`][snnjax.checkpoint.latest] ignores).

**Safe to load.** Loading never executes code from the file: the header is
parsed with `json`, every array with `numpy.load(..., allow_pickle=False)`
(object arrays are refused), and nothing is unpickled. The payload is read
against a template pytree `like` of the same structure; its length, checksum,
number of leaves, and every leaf's shape and dtype are checked (each record's
`.npy` header before numpy allocates the array it announces), and any
mismatch raises [`CheckpointError`][snnjax.checkpoint.CheckpointError] (a
`ValueError`) naming the file and what is wrong.
"""

import contextlib
import dataclasses
import hashlib
import io
import json
import math
import os
import pathlib
import re
import tempfile
import tokenize
from collections.abc import Mapping
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import jax.tree_util as jtu
import numpy as np

__all__ = [
    "CheckpointError",
    "CheckpointInfo",
    "latest",
    "list_checkpoints",
    "load",
    "read_info",
    "save",
    "save_step",
]

FORMAT_VERSION = 1
_MAGIC = b"SNNJAX-CHECKPOINT\n"
_MAX_HEADER = 1 << 20  # bytes; a longer first line is not a header
_NAME = re.compile(r"^ckpt-(\d+)\.snnjax$")
_HEADER_KEYS = (
    "format_version",
    "step",
    "metadata",
    "num_arrays",
    "payload_bytes",
    "sha256",
)

PathLike = str | os.PathLike[str]


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt, truncated or does not match `like`.

    A `ValueError`; the message names the file and what is wrong.
    """


class _CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """A missing checkpoint: also a `FileNotFoundError`."""


@dataclasses.dataclass(frozen=True)
class CheckpointInfo:
    """The JSON header of a checkpoint file.

    Attributes:
        step: the training step it was saved at.
        format_version: the file format version (currently 1).
        metadata: the JSON-compatible mapping passed to `save`.
    """

    step: int
    format_version: int
    metadata: dict[str, Any]


# ------------------------------------------------------------------- leaves


def _is_key(x: Any) -> bool:
    return isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


def _write_leaf(f: io.BytesIO, x: Any) -> None:
    # typed PRNG keys cannot go through numpy: store their raw uint32 data
    if _is_key(x):
        jnp.save(f, jr.key_data(x))
    else:
        eqx.default_serialise_filter_spec(f, x)


def _num_arrays(tree: Any) -> int:
    return sum(1 for leaf in jtu.tree_leaves(tree) if eqx.is_array_like(leaf))


def _read_leaf(f: io.BytesIO, like: Any, where: str, path: pathlib.Path) -> Any:
    """One leaf from the payload, checked against its template leaf `like`."""
    if not eqx.is_array_like(like):
        return like  # not serialised (functions, None, ...): keep the template's
    _check_record(f, like, where, path)
    try:
        if isinstance(like, np.ndarray):
            arr = np.load(f, allow_pickle=False)
        else:
            arr = jnp.load(f, allow_pickle=False)  # restores bfloat16
    except _PARSE_ERRORS as err:
        raise _unreadable(path, where, err) from err
    if _is_key(like):
        expected = jr.key_data(like)
        _check_leaf(arr, expected.shape, expected.dtype, where, path)
        return jr.wrap_key_data(arr, impl=jr.key_impl(like))
    if isinstance(like, (jax.Array, np.ndarray)):
        _check_leaf(arr, like.shape, like.dtype, where, path)
        return arr
    # a Python or NumPy scalar leaf, such as an int step counter
    if arr.shape != ():
        raise CheckpointError(
            f"checkpoint {str(path)!r}: leaf `{where}` is a scalar in `like` but "
            f"has shape {arr.shape} in the file."
        )
    return type(like)(arr.item())


# what numpy's `.npy` reader raises on malformed bytes: its header parser
# tokenizes and `literal_eval`s the header text (TokenError, SyntaxError) and
# may build a dtype from arbitrary descriptors (TypeError)
_PARSE_ERRORS = (
    ValueError,
    EOFError,
    OSError,
    SyntaxError,
    TypeError,
    tokenize.TokenError,
)
_MAX_SCALAR_BYTES = 16


def _unreadable(path: pathlib.Path, where: str, err: BaseException) -> CheckpointError:
    return CheckpointError(
        f"checkpoint {str(path)!r}: cannot read the array for leaf `{where}` "
        f"({err!r}); the file is corrupt or was written from another pytree."
    )


def _check_record(f: io.BytesIO, like: Any, where: str, path: pathlib.Path) -> None:
    """Check a `.npy` record's header against `like` before numpy reads it.

    `numpy.load` allocates the array the header announces before reading its
    data, so a forged header of a few bytes could ask for terabytes. The shape
    must equal the template's (a Python scalar: shape `()`), the item size
    must match, and the payload must hold that many bytes; `f` is left where
    the record starts.
    """
    start = f.tell()
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except _PARSE_ERRORS as err:
        raise _unreadable(path, where, err) from err
    finally:
        data_start = f.tell()
        f.seek(start)
    if dtype.hasobject:
        refused = ValueError("object arrays are refused, never unpickled")
        raise _unreadable(path, where, refused)
    if _is_key(like):
        like = jr.key_data(like)
    if not isinstance(like, (jax.Array, np.ndarray)):
        if shape != () or dtype.itemsize > _MAX_SCALAR_BYTES:
            raise CheckpointError(
                f"checkpoint {str(path)!r}: leaf `{where}` is a scalar in `like` "
                f"but {dtype}{list(shape)} in the file."
            )
    elif shape != like.shape or dtype.itemsize != np.dtype(like.dtype).itemsize:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: leaf `{where}` is {dtype}{list(shape)} in "
            f"the file but {np.dtype(like.dtype)}{list(like.shape)} in `like`; "
            "build `like` with the same model sizes, dtypes and optimizer."
        )
    nbytes = math.prod(shape) * dtype.itemsize
    if data_start + nbytes > len(f.getbuffer()):
        raise CheckpointError(
            f"checkpoint {str(path)!r}: the array for leaf `{where}` is cut short "
            f"(needs {nbytes} bytes); the file is corrupt."
        )


def _check_leaf(
    arr: Any, shape: tuple[int, ...], dtype: Any, where: str, path: pathlib.Path
) -> None:
    if arr.shape != shape or arr.dtype != dtype:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: leaf `{where}` is {arr.dtype}{list(arr.shape)} "
            f"in the file but {np.dtype(dtype)}{list(shape)} in `like`; build "
            "`like` with the same model sizes, dtypes and optimizer."
        )


# ------------------------------------------------------------- file format


def _encode(tree: Any, step: int, metadata: Mapping[str, Any] | None) -> bytes:
    payload = io.BytesIO()
    eqx.tree_serialise_leaves(payload, tree, filter_spec=_write_leaf)
    data = payload.getvalue()
    header = {
        "format": "snnjax-checkpoint",
        "format_version": FORMAT_VERSION,
        "step": step,
        "metadata": dict(metadata or {}),
        "num_arrays": _num_arrays(tree),
        "payload_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    try:
        line = json.dumps(header, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"`metadata` must be a JSON-compatible mapping (str keys; str, int, "
            f"finite float, bool, None, lists and dicts of them); got "
            f"{metadata!r} ({err})."
        ) from err
    return _MAGIC + line.encode() + b"\n" + data


def _decode(path: pathlib.Path) -> tuple[dict[str, Any], bytes]:
    """Header and verified payload of the file at `path`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise _CheckpointNotFoundError(f"no checkpoint file at {str(path)!r}.") from err
    except IsADirectoryError as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is a directory; pass a file, e.g. "
            f"`snnjax.checkpoint.latest({str(path)!r})`."
        ) from err
    name = f"checkpoint {str(path)!r}"
    if not raw.startswith(_MAGIC):
        raise CheckpointError(
            f"{name} is not an snnjax checkpoint: it does not start with "
            f"{_MAGIC[:-1].decode()!r} (garbage, another format, or an empty file)."
        )
    end = raw.find(b"\n", len(_MAGIC), len(_MAGIC) + _MAX_HEADER)
    if end < 0:
        raise CheckpointError(f"{name} has no complete header line (truncated).")
    try:
        header = json.loads(raw[len(_MAGIC) : end])
    except ValueError as err:  # includes invalid UTF-8
        raise CheckpointError(f"{name} has a corrupt header ({err}).") from err
    missing = [
        k for k in _HEADER_KEYS if not isinstance(header, dict) or k not in header
    ]
    if missing:
        raise CheckpointError(f"{name} has a corrupt header: no {missing}.")
    kinds = {
        "format_version": "a non-negative int",
        "step": "a non-negative int",
        "num_arrays": "a non-negative int",
        "payload_bytes": "a non-negative int",
        "sha256": "a hex string",
        "metadata": "a JSON object",
    }
    for key, kind in kinds.items():
        value = header[key]
        if kind == "a hex string":
            ok = isinstance(value, str)
        elif kind == "a JSON object":
            ok = isinstance(value, dict)
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not ok:
            raise CheckpointError(
                f"{name} has a corrupt header: `{key}` must be {kind}; got {value!r}."
            )
    version = header["format_version"]
    expected_bytes = header["payload_bytes"]
    digest = header["sha256"]
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{name} has format version {version!r}; this snnjax reads versions "
            f"up to {FORMAT_VERSION}. Upgrade snnjax."
        )
    payload = raw[end + 1 :]
    if len(payload) != expected_bytes:
        what = "truncated" if len(payload) < expected_bytes else "too long"
        raise CheckpointError(
            f"{name} is {what}: its payload has {len(payload)} bytes, the header "
            f"says {expected_bytes}."
        )
    if hashlib.sha256(payload).hexdigest() != digest:
        raise CheckpointError(
            f"{name} is corrupt: the SHA-256 of its payload does not match the header."
        )
    return header, payload


def save(
    path: PathLike,
    tree: Any,
    *,
    step: int = 0,
    metadata: Mapping[str, Any] | None = None,
) -> pathlib.Path:
    """Write `tree` to `path` atomically, with a header holding `step`.

    The file is written to a temporary file next to `path`, flushed and
    `fsync`ed, then renamed over `path` (`os.replace`), and the directory is
    `fsync`ed: after a crash, `path` holds either its previous content or
    the complete new checkpoint. Missing parent directories are created.

    Args:
        path: destination file.
        tree: any pytree; its array leaves (JAX, NumPy, Python scalars and
            typed PRNG keys) are stored, other leaves (functions, `None`)
            are not and come back from the template at load time.
        step: the training step, a non-negative int, stored in the header.
        metadata: optional JSON-compatible mapping stored in the header.

    Returns:
        The path written.

    Raises:
        ValueError: a negative or non-integer `step`.
        TypeError: `metadata` that is not JSON-compatible.

    Examples:
        >>> import tempfile, pathlib
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> tree = {"w": jnp.arange(3.0), "step": 7}
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = snn.checkpoint.save(pathlib.Path(tmp) / "a.ckpt", tree, step=7)
        ...     back = snn.checkpoint.load(path, tree)
        ...     info = snn.checkpoint.read_info(path)
        >>> back["w"].tolist(), back["step"], info.step
        ([0.0, 1.0, 2.0], 7, 7)
    """
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"`step` must be a non-negative int; got {step!r}.")
    path = pathlib.Path(path)
    data = _encode(tree, step, metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    done = False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        done = True
    finally:
        if not done:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    _fsync_directory(path.parent)
    return path


def _fsync_directory(directory: pathlib.Path) -> None:
    """Persist a rename: fsync the directory entry (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load(path: PathLike, like: Any) -> Any:
    """Read a checkpoint written by `save` into the structure of `like`.

    Args:
        path: the checkpoint file.
        like: a template pytree of the saved structure: same tree, same leaf
            shapes and dtypes (e.g. a freshly built model and `optimizer.init`
            of its parameters), with concrete arrays as leaves.

    Returns:
        A pytree like `like` with the stored leaves (JAX arrays where `like`
        has JAX arrays, NumPy where it has NumPy, Python scalars where it has
        Python scalars; leaves that are not arrays are taken from `like`).

    Raises:
        CheckpointError: (a `ValueError`) the file is missing (then also a
            `FileNotFoundError`), not a checkpoint, truncated, corrupt,
            of a newer format, or does not match `like` (number of leaves, a
            leaf's shape or dtype); the message names the file and the leaf.
    """
    path = pathlib.Path(path)
    header, payload = _decode(path)
    expected = _num_arrays(like)
    if header["num_arrays"] != expected:
        raise CheckpointError(
            f"checkpoint {str(path)!r} holds {header['num_arrays']} arrays but "
            f"`like` has {expected}; build `like` with the same structure as the "
            "saved pytree."
        )
    f = io.BytesIO(payload)
    leaves, treedef = jtu.tree_flatten_with_path(like)
    out = [_read_leaf(f, leaf, jtu.keystr(where), path) for where, leaf in leaves]
    if f.tell() != len(payload):
        raise CheckpointError(
            f"checkpoint {str(path)!r} has {len(payload) - f.tell()} unread payload "
            "bytes after the last leaf of `like`; the structures differ."
        )
    return jtu.tree_unflatten(treedef, out)


def read_info(path: PathLike) -> CheckpointInfo:
    """The header of a checkpoint (step, format version, metadata), verified.

    Raises:
        CheckpointError: as [`load`][snnjax.checkpoint.load], except the
            checks against a template.
    """
    header, _ = _decode(pathlib.Path(path))
    return CheckpointInfo(
        step=int(header["step"]),
        format_version=int(header["format_version"]),
        metadata=dict(header["metadata"]),
    )


# -------------------------------------------------------- directory rotation


def list_checkpoints(directory: PathLike) -> list[pathlib.Path]:
    """Checkpoints `ckpt-<step>.snnjax` in `directory`, oldest step first.

    Temporary files of interrupted saves are ignored; a missing directory
    has no checkpoints.
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        match = _NAME.match(entry.name)
        if match is not None and entry.is_file():
            found.append((int(match.group(1)), entry))
    return [entry for _, entry in sorted(found)]


def latest(directory: PathLike) -> pathlib.Path | None:
    """The checkpoint of the highest step in `directory`, or `None` if none.

    Examples:
        >>> import tempfile
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     for step in (10, 20, 30):
        ...         _ = snn.checkpoint.save_step(tmp, jnp.zeros(2), step=step, keep=2)
        ...     names = [p.name for p in snn.checkpoint.list_checkpoints(tmp)]
        ...     newest = snn.checkpoint.latest(tmp).name
        >>> names, newest
        (['ckpt-000000020.snnjax', 'ckpt-000000030.snnjax'], 'ckpt-000000030.snnjax')
    """
    found = list_checkpoints(directory)
    return found[-1] if found else None


def save_step(
    directory: PathLike,
    tree: Any,
    *,
    step: int,
    keep: int | None = 3,
    metadata: Mapping[str, Any] | None = None,
) -> pathlib.Path:
    """Save `tree` as `directory/ckpt-<step>.snnjax` and keep the newest `keep`.

    The new file is written atomically (see [`save`][snnjax.checkpoint.save])
    *before* older ones are deleted, so a crash never leaves the directory
    without a complete checkpoint. Files are ordered by the step in their
    name; with `keep=k` all but the `k` highest steps are removed.

    Args:
        directory: checkpoint directory (created if missing).
        tree: the pytree to save.
        step: the training step, a non-negative int (also the file name).
        keep: how many checkpoints to keep, at least 1; `None` keeps all.
        metadata: optional JSON-compatible mapping stored in the header.

    Returns:
        The path of the new checkpoint.

    Raises:
        ValueError: `keep` below 1, or a bad `step` (see `save`).
    """
    if keep is not None and (isinstance(keep, bool) or keep < 1):
        raise ValueError(f"`keep` must be a positive int or None; got {keep!r}.")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"`step` must be a non-negative int; got {step!r}.")
    directory = pathlib.Path(directory)
    path = save(
        directory / f"ckpt-{step:09d}.snnjax", tree, step=step, metadata=metadata
    )
    if keep is not None:
        for old in list_checkpoints(directory)[:-keep]:
            old.unlink(missing_ok=True)
    return path
