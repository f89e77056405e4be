"""Fuzzing the two loaders of untrusted files: checkpoints and NIR graphs.

Each test mutates a valid file (truncation, bit flips, overwritten or inserted
bytes; for NIR also structured HDF5 edits: parameters of the wrong shape,
dtype or value, deleted or renamed groups, edges to nowhere) and loads the
result. The only acceptable outcomes are a successful load or a `ValueError`
(`CheckpointError` is one) whose message names the file or the node; any
other exception, a hang or a crash of the interpreter is a finding. The tests
are bounded by hypothesis' `max_examples` and marked slow.
"""

import hashlib
import io
import json
import pathlib
import shutil

import equinox as eqx
import h5py
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import optax
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import snnjax as snn
from snnjax import checkpoint as ckpt

pytestmark = pytest.mark.slow

NIR_DATA = pathlib.Path(__file__).parent / "nir_data"
# small graphs of every family the importer knows: feed-forward, recurrent,
# conv, nested sub-graphs (spyx recurrent), CubaLIF, IF/LI, Delay-free
NIR_SEEDS = [
    "snn_ff_leaky_subtract",
    "snn_rsynaptic_zero",
    "norse_ff_iaf_li",
    "sinabs_conv_lif",
    "sj_ff_cubalif_if",
    "spyx_rlif",
]
# about 40 s in all on one core (2,200 examples); run with
# `--hypothesis-show-statistics` to see how each mutation was answered
SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)


def _mutate(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    """Apply byte-level edits at relative positions in [0, 1)."""
    buf = bytearray(data)
    for kind, where, payload in edits:
        i = min(int(where * len(buf)), max(len(buf) - 1, 0))
        if kind == "truncate":
            del buf[i:]
        elif kind == "flip" and buf:
            buf[i] ^= 1 << (payload[0] % 8 if payload else 0)
        elif kind == "overwrite":
            buf[i : i + len(payload)] = payload
        elif kind == "insert":
            buf[i:i] = payload
        elif kind == "delete":
            del buf[i : i + max(len(payload), 1)]
    return bytes(buf)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["truncate", "flip", "overwrite", "insert", "delete"]),
        st.floats(0.0, 1.0, exclude_max=True),
        st.binary(min_size=0, max_size=16),
    ),
    min_size=1,
    max_size=4,
)


# ------------------------------------------------------------ checkpoints
def _template():
    """Every leaf kind a training checkpoint holds."""
    model = snn.Sequential([snn.Linear(3, 4, key=jr.key(0)), snn.LIF(beta=0.9)])
    opt_state = optax.adam(1e-3).init(eqx.filter(model, eqx.is_array))
    return {
        "model": model,
        "opt_state": opt_state,
        "step": 7,
        "key": jr.key(1),
        "numpy": np.arange(3, dtype=np.int64),
        "half": jnp.ones(2, jnp.bfloat16),
    }


def _reseal(raw: bytes) -> bytes:
    """Rewrite the header so length and checksum match a mutated payload.

    Without this almost every mutation stops at the checksum; resealing makes
    the fuzzer reach the array parser and the template checks.
    """
    magic = b"SNNJAX-CHECKPOINT\n"
    end = raw.index(b"\n", len(magic))
    header = json.loads(raw[len(magic) : end])
    payload = raw[end + 1 :]
    header["payload_bytes"] = len(payload)
    header["sha256"] = hashlib.sha256(payload).hexdigest()
    return magic + json.dumps(header).encode() + b"\n" + payload


def _reason(err: BaseException, path: str) -> str:
    """The first words of an error message, for hypothesis' statistics."""
    text = str(err).replace(repr(path), "").replace(path, "")
    return " ".join(text.split()[:4])


def _check_clear_error(err: ValueError, must_name: str) -> None:
    assert must_name in str(err), f"error does not name {must_name!r}: {err}"


@pytest.fixture(scope="module")
def saved_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ck") / "ckpt.snnjax"
    tree = _template()
    ckpt.save(path, tree, step=7, metadata={"run": "fuzz"})
    return path.read_bytes(), tree


def _load_mutated(tmp_path, raw, like, name):
    path = tmp_path / name
    path.write_bytes(raw)
    try:
        out = ckpt.load(path, like)
    except ValueError as err:
        _check_clear_error(err, str(path))
        event(f"refused: {_reason(err, str(path))}")
        return None
    event("loaded")
    # a load that succeeds must give the template's structure, shapes, dtypes
    for a, b in zip(jax.tree.leaves(out), jax.tree.leaves(like), strict=True):
        if hasattr(b, "shape"):
            assert jnp.shape(a) == jnp.shape(b) and a.dtype == b.dtype
    try:
        ckpt.read_info(path)
    except ValueError as err:  # pragma: no cover - load passed, so must this
        raise AssertionError(f"load passed but read_info failed: {err}") from err
    return out


@SETTINGS
@given(edits=EDITS, reseal=st.booleans())
def test_fuzz_checkpoint_bytes(tmp_path, saved_checkpoint, edits, reseal):
    raw, like = saved_checkpoint
    mutated = _mutate(raw, edits)
    if reseal:
        try:
            mutated = _reseal(mutated)
        except (ValueError, UnicodeDecodeError):
            pass  # header itself destroyed: load the bytes as they are
    _load_mutated(tmp_path, mutated, like, "m.snnjax")


@SETTINGS
@given(
    header=st.dictionaries(
        st.sampled_from(
            [
                "format_version",
                "step",
                "metadata",
                "num_arrays",
                "payload_bytes",
                "sha256",
                "format",
            ]
        ),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers(-(2**70), 2**70)
            | st.floats(allow_nan=False)
            | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=4), inner, max_size=3)
            ),
            max_leaves=6,
        ),
    )
)
def test_fuzz_checkpoint_header(tmp_path, saved_checkpoint, header):
    """Arbitrary JSON values for every header field, payload left intact."""
    raw, like = saved_checkpoint
    magic = b"SNNJAX-CHECKPOINT\n"
    end = raw.index(b"\n", len(magic))
    original = json.loads(raw[len(magic) : end])
    mutated = magic + json.dumps({**original, **header}).encode() + raw[end:]
    path = tmp_path / "h.snnjax"
    path.write_bytes(mutated)
    for reader in (lambda: ckpt.load(path, like), lambda: ckpt.read_info(path)):
        try:
            reader()
            event("loaded")
        except ValueError as err:
            _check_clear_error(err, str(path))
            event(f"refused: {_reason(err, str(path))}")


@SETTINGS
@given(
    leaf_bytes=st.binary(max_size=200),
    prefix=st.sampled_from([b"", b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00"]),
)
def test_fuzz_checkpoint_npy_records(tmp_path, saved_checkpoint, leaf_bytes, prefix):
    """A resealed payload whose first array record is arbitrary bytes."""
    raw, like = saved_checkpoint
    magic = b"SNNJAX-CHECKPOINT\n"
    end = raw.index(b"\n", len(magic))
    payload = raw[end + 1 :]
    first = np.load(io.BytesIO(payload), allow_pickle=False)
    size = io.BytesIO()
    np.save(size, first, allow_pickle=False)
    rest = payload[len(size.getvalue()) :]
    forged = raw[: end + 1] + prefix + leaf_bytes + rest
    _load_mutated(tmp_path, _reseal(forged), like, "n.snnjax")


def test_checkpoint_object_arrays_are_refused(tmp_path, saved_checkpoint):
    """A pickled object array in place of a leaf is never unpickled."""
    raw, like = saved_checkpoint
    magic = b"SNNJAX-CHECKPOINT\n"
    end = raw.index(b"\n", len(magic))
    evil = io.BytesIO()
    np.save(evil, np.array([print], dtype=object), allow_pickle=True)
    forged = _reseal(raw[: end + 1] + evil.getvalue() + raw[end + 1 :])
    path = tmp_path / "evil.snnjax"
    path.write_bytes(forged)
    with pytest.raises(ckpt.CheckpointError, match="cannot read the array"):
        ckpt.load(path, like)


# -------------------------------------------------------------------- NIR
def _from_nir(path):
    return snn.nir.from_nir(path, dt=1e-4)


def _check_nir(path: pathlib.Path) -> None:
    try:
        model = _from_nir(path)
    except ValueError as err:
        # either the file (path) or a node is named
        assert str(path) in str(err) or "node" in str(err), str(err)
        event(f"refused: {_reason(err, str(path))}")
        return
    event("loaded")
    # a graph that loads must also build its state and run one step
    shape = model.input_shape if hasattr(model, "input_shape") else None
    if shape is not None:
        xs = jnp.zeros((2, 1, *shape))
        try:
            snn.run(model, xs, model.init_state(xs.shape[1:]))
        except ValueError as err:
            assert "shape" in str(err) or "node" in str(err), str(err)


pytest.importorskip("nir")


@SETTINGS
@given(seed=st.sampled_from(NIR_SEEDS), edits=EDITS)
def test_fuzz_nir_bytes(tmp_path, seed, edits):
    raw = (NIR_DATA / f"{seed}.nir").read_bytes()
    path = tmp_path / "m.nir"
    path.write_bytes(_mutate(raw, edits))
    _check_nir(path)


def _datasets(group, prefix=""):
    out = []
    for key in group:
        item = group[key]
        name = f"{prefix}/{key}" if prefix else key
        if isinstance(item, h5py.Dataset):
            out.append(name)
        else:
            out.extend(_datasets(item, name))
    return out


def _groups(group, prefix=""):
    out = []
    for key in group:
        item = group[key]
        name = f"{prefix}/{key}" if prefix else key
        if isinstance(item, h5py.Group):
            out.append(name)
            out.extend(_groups(item, name))
    return out


REPLACEMENTS = st.one_of(
    st.just(np.float32(np.nan)),
    st.just(np.array([np.inf, -np.inf])),
    st.just(np.zeros((0,))),
    st.just(np.zeros((2, 3, 4, 5))),
    st.just(np.array([-1.0])),
    st.just(np.array([0.0])),
    st.just(np.array([1e38], dtype=np.float32)),
    st.just(np.array([[b"input", b"nowhere"]])),
    st.just(np.bytes_("LIF")),
    st.just(np.bytes_("NIRGraph")),
    st.just(np.bytes_("")),
    st.just(np.array([1, 2, 3], dtype=np.int64)),
    st.just(np.array([True])),
    st.just(np.array([1 + 2j])),
    st.integers(-3, 3).map(np.int64),
    st.binary(max_size=8).map(np.bytes_),
)


@SETTINGS
@given(
    seed=st.sampled_from(NIR_SEEDS),
    actions=st.lists(
        st.tuples(
            st.sampled_from(["replace", "delete", "delete_group", "rename"]),
            st.integers(0, 10_000),
            REPLACEMENTS,
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_fuzz_nir_structure(tmp_path, seed, actions):
    """Structured HDF5 edits: the file stays valid HDF5, the graph does not."""
    path = tmp_path / "s.nir"
    shutil.copyfile(NIR_DATA / f"{seed}.nir", path)
    with h5py.File(path, "r+") as f:
        for action, index, value in actions:
            if action in ("replace", "delete"):
                names = _datasets(f)
                if not names:
                    continue
                name = names[index % len(names)]
                del f[name]
                if action == "replace":
                    f[name] = value
            else:
                names = _groups(f)
                if not names:
                    continue
                name = names[index % len(names)]
                if action == "delete_group":
                    del f[name]
                elif (target := name.rsplit("/", 1)[0] + f"/renamed{index}") not in f:
                    f.move(name, target)
    _check_nir(path)


FLOAT_ARRAYS = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
)


@settings(SETTINGS, max_examples=200)  # each loaded graph compiles a run
@given(
    seed=st.sampled_from(NIR_SEEDS),
    picks=st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), FLOAT_ARRAYS),
        min_size=1,
        max_size=2,
    ),
)
def test_fuzz_nir_parameters(seed, picks):
    """Any node parameter replaced by an arbitrary array (shape, dtype, NaN)."""
    nir = pytest.importorskip("nir")
    graph = nir.read(NIR_DATA / f"{seed}.nir", type_check=False)
    for node_index, field_index, value in picks:
        nodes = _flat_nodes(graph)
        node = nodes[node_index % len(nodes)]
        fields = sorted(k for k, v in vars(node).items() if isinstance(v, np.ndarray))
        if fields:
            setattr(node, fields[field_index % len(fields)], value)
    try:
        model = snn.nir.from_nir(graph, dt=1e-4)
    except ValueError as err:
        assert "node" in str(err) or "edge" in str(err), str(err)
        event(f"refused: {_reason(err, '')}")
        return
    event("loaded")
    if model.input_shape is not None:
        xs = jnp.ones((2, 1, *model.input_shape))
        try:
            snn.run(model, xs, model.init_state(xs.shape[1:]))
        except ValueError as err:
            assert "shape" in str(err) or "node" in str(err), str(err)


def _flat_nodes(graph):
    out = []
    for node in graph.nodes.values():
        out.append(node)
        if hasattr(node, "nodes"):
            out.extend(_flat_nodes(node))
    return out
