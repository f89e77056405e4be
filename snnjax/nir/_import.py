"""`from_nir`: a NIR graph (object or file) to an snnjax model."""

import inspect
import math
import os
from typing import Any

import equinox as eqx
import jax.numpy as jnp
import jax.random as jr
import numpy as np

from .. import layers
from .._checks import check_option
from ._graph import Graph, schedule
from ._nodes import (
    NEURON_KINDS,
    SPIKING,
    Delay,
    Flatten,
    Identity,
    Neuron,
    Scale,
    Threshold,
    neuron_coefficients,
)

DISCRETIZATIONS = ("euler", "exp")
PRESETS = (
    "snntorch",
    "snntorch-zero",
    "norse",
    "sinabs",
    "sinabs-single",
    "spikingjelly",
    "spyx",
)
NODE_TYPES = (
    "Input",
    "Output",
    "Affine",
    "Linear",
    "Scale",
    "Conv1d",
    "Conv2d",
    "Flatten",
    "SumPool2d",
    "AvgPool2d",
    "Delay",
    "Threshold",
    "NIRGraph",
    *NEURON_KINDS,
)
NEURON_FIELDS = {
    "LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
    "IF": ("r", "v_threshold", "v_reset"),
    "LI": ("tau", "r", "v_leak"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
    "I": ("r",),
}
_INSTALL = 'NIR support needs the `nir` package: pip install "snnjax[nir]".'


def import_nir() -> Any:
    """The `nir` module, or an ImportError saying how to install it."""
    try:
        import nir
    except ImportError as err:
        raise ImportError(_INSTALL) from err
    return nir


# ------------------------------------------------------------------ reading
class _OwnError(ValueError):
    """A problem `_scan_file` found and already named (node or path)."""


_CORRUPT = (
    OSError,
    RuntimeError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    AssertionError,
)


def _scan_file(path: str) -> None:
    """Check every node's `type` in the HDF5 file before `nir.read` sees it."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise _OwnError(
            f"{path!r} is not a NIR file: HDF5 cannot open it ({err})."
        ) from err
    with f:
        if "node" not in f:
            raise _OwnError(f"{path!r} is not a NIR file: it has no 'node' group.")

        def walk(group: Any, where: str) -> None:
            if not isinstance(group, h5py.Group) or not isinstance(
                group.get("type"), h5py.Dataset
            ):
                raise _OwnError(f"NIR node {where!r} in {path!r} has no 'type'.")
            raw = group["type"][()]
            kind = raw.decode() if isinstance(raw, bytes) else str(raw)
            if kind not in NODE_TYPES:
                raise _OwnError(
                    f"NIR node {where!r} has the unknown type {kind!r}; "
                    f"supported: {', '.join(NODE_TYPES)}."
                )
            if kind == "NIRGraph":
                if not isinstance(group.get("nodes"), h5py.Group):
                    raise _OwnError(f"NIR graph {where!r} has no 'nodes'.")
                for key in group["nodes"]:
                    walk(group["nodes"][key], f"{where}.{key}" if where else key)

        walk(f["node"], "")


def read(path: str | os.PathLike) -> Any:
    """`nir.read` a file, without its type check (norse/sinabs 1.0.4 files).

    The file is HDF5 data only: `nir.read` builds node dataclasses from a
    fixed list of types and never unpickles or evaluates anything; the types
    are checked here first so an unknown one is reported by node name.
    """
    nir = import_nir()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no NIR file at {path!r}.")
    kwargs = {}
    if "type_check" in inspect.signature(nir.read).parameters:
        kwargs["type_check"] = False  # our own checks below name the node
    try:
        _scan_file(path)
        return nir.read(path, **kwargs)
    except _OwnError:
        raise
    except _CORRUPT as err:
        # h5py raises OSError/RuntimeError on damaged HDF5 structures, and
        # `nir.read` whatever its dataclasses raise on malformed fields
        raise ValueError(
            f"could not read the NIR file {path!r} (corrupt, or not written by "
            f"`nir.write`): {err!r}"
        ) from err


# -------------------------------------------------------------- conventions
def convention(
    preset: str | None, kind: str, *, recurrent: bool, discretization: str
) -> dict[str, Any]:
    """The discretisation choices for one neuron node under `preset`."""
    c: dict[str, Any] = {
        "disc": discretization,
        "input_scale": "nir",
        "syn_input": "nir",
        "spike": "single",
        "spike_test": ">",
        "reset": "value",
        "timing": "post",
        "reset_order": "after_decay",
        "clamp_min": False,
        "v_init": "zero",
        "dt": None,
    }
    spiking = kind in SPIKING
    if preset == "snntorch" and spiking:
        c["reset"] = "subtract_delayed"
    elif preset == "snntorch-zero" and spiking:
        if kind == "CubaLIF" or recurrent:
            c["reset"] = "zero_delayed_whole"
    elif preset == "norse":
        c["v_init"] = "v_leak"
        c["syn_input"] = "jump"
        if kind in ("IF", "I"):
            c["dt"] = 1.0  # norse's IAFCell is dt-free: v += x
    elif preset == "sinabs":
        if spiking:
            c["spike"], c["reset"] = "multi", "subtract"
        if kind == "LI":
            c["input_scale"] = "unit"  # ExpLeak: norm_input=False by default
    elif preset == "sinabs-single":
        c["spike_test"] = ">="
    elif preset == "spikingjelly":
        c["spike_test"], c["v_init"] = ">=", "v_reset"
    elif preset == "spyx":
        c["input_scale"] = c["syn_input"] = "unit"
        if spiking:
            c["reset"], c["timing"] = "subtract", "pre"
            c["reset_order"] = "before_decay" if kind == "CubaLIF" else "after_decay"
    return c


def _is_standard(c: dict[str, Any]) -> bool:
    return (
        c["input_scale"] == "nir"
        and c["syn_input"] == "nir"
        and c["spike"] == "single"
        and c["spike_test"] == ">"
        and c["reset"] == "value"
        and c["timing"] == "post"
        and not c["clamp_min"]
        and c["v_init"] == "zero"
        and c["dt"] is None
    )


# ------------------------------------------------------------------ parsing
def _array(name: str, node: Any, field: str) -> Any:
    if not hasattr(node, field) or getattr(node, field) is None:
        raise ValueError(f"node {name!r} ({type(node).__name__}) lacks `{field}`.")
    try:
        value = np.asarray(getattr(node, field), dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"node {name!r}: `{field}` must be numeric; got {getattr(node, field)!r}."
        ) from err
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"node {name!r} ({type(node).__name__}): `{field}` must be finite; "
            f"got {value if value.size <= 8 else value[~np.isfinite(value)][:8]}."
        )
    return value


def _float32(name: str, kind: str, field: str, value: Any) -> Any:
    """`value` as a float32 JAX array, refusing what float32 cannot hold."""
    value = np.asarray(value, np.float64)
    if np.any(np.abs(value) > np.finfo(np.float32).max):
        raise ValueError(
            f"node {name!r} ({kind}): `{field}` exceeds the float32 range "
            f"(|x| <= {np.finfo(np.float32).max:.3g}); got max |x| = "
            f"{np.max(np.abs(value)):.3g}."
        )
    return jnp.asarray(value, "float32")


def _ints(name: str, field: str, value: Any, n: int) -> tuple[int, ...]:
    arr = np.atleast_1d(np.asarray(value))
    if arr.size == 1:
        arr = np.repeat(arr, n)
    if arr.shape != (n,) or not np.all(np.isfinite(arr.astype(np.float64))):
        raise ValueError(
            f"node {name!r}: `{field}` must be an int or {n} ints; got {value!r}."
        )
    if np.any(arr.astype(np.float64) != np.round(arr.astype(np.float64))):
        raise ValueError(f"node {name!r}: `{field}` must be integers; got {value!r}.")
    return tuple(int(v) for v in arr)


def _type_name(node: Any) -> str:
    return type(node).__name__


def inline(
    graph: Any, prefix: str = "", *, rnn_input_to_lif: bool = False
) -> tuple[dict[str, Any], list[tuple[str, str]], str, str]:
    """Flatten nested graphs: `(nodes, edges, input name, output name)`."""
    nodes: dict[str, Any] = {}
    edges: list[tuple[str, str]] = []
    ports: dict[str, tuple[str, str]] = {}
    where = prefix[:-1] or "the top-level graph"
    if not isinstance(graph.nodes, dict):
        raise ValueError(f"{where}: `nodes` must be a dict of nodes.")
    for key, node in graph.nodes.items():
        full = prefix + str(key)
        kind = _type_name(node)
        if kind not in NODE_TYPES:
            raise ValueError(
                f"node {full!r} has the unsupported type {kind!r}; supported: "
                f"{', '.join(NODE_TYPES)}."
            )
        if kind == "NIRGraph":
            sub_nodes, sub_edges, sub_in, sub_out = inline(
                node, full + ".", rnn_input_to_lif=rnn_input_to_lif
            )
            nodes.update(sub_nodes)
            edges.extend(sub_edges)
            ports[str(key)] = (sub_in, sub_out)
        else:
            nodes[full] = node
    for edge in graph.edges:
        if len(edge) != 2:
            raise ValueError(f"{where}: edge {edge!r} must be a (source, target) pair.")
        a, b = str(edge[0]), str(edge[1])
        for end in (a, b):
            if end not in graph.nodes:
                raise ValueError(
                    f"edge ({a!r}, {b!r}) in {where} refers to the unknown node "
                    f"{end!r}."
                )
        src = ports[a][1] if a in ports else prefix + a
        dst = ports[b][0] if b in ports else prefix + b
        edges.append((src, dst))
    ins = [prefix + str(k) for k, n in graph.nodes.items() if _type_name(n) == "Input"]
    outs = [
        prefix + str(k) for k, n in graph.nodes.items() if _type_name(n) == "Output"
    ]
    if len(ins) != 1 or len(outs) != 1:
        raise ValueError(
            f"{where} must have exactly one Input and one Output node; got "
            f"inputs {ins} and outputs {outs}."
        )
    if rnn_input_to_lif and prefix:
        # spyx writes '<k>.input -> <k>.w_rec' but adds the input to the neuron
        inner = [
            k
            for k, n in nodes.items()
            if k.startswith(prefix) and _type_name(n) in NEURON_KINDS
        ]
        if len(inner) == 1:
            edges = [
                (a, inner[0]) if a == ins[0] and b != inner[0] else (a, b)
                for a, b in edges
            ]
    return nodes, edges, ins[0], outs[0]


def _neuron(
    name: str, node: Any, c: dict[str, Any], dt: float, standard: bool
) -> Neuron:
    kind = _type_name(node)
    params = {f: _array(name, node, f) for f in NEURON_FIELDS[kind]}
    try:
        shape = np.broadcast_shapes(*(p.shape for p in params.values()))
    except ValueError as err:
        got = {f: p.shape for f, p in params.items()}
        raise ValueError(
            f"node {name!r} ({kind}): parameter shapes {got} do not agree."
        ) from err
    for f in ("tau", "tau_mem", "tau_syn"):
        if f in params and np.any(params[f] <= 0):
            raise ValueError(f"node {name!r} ({kind}): `{f}` must be > 0.")
    step_dt = dt if c["dt"] is None else c["dt"]
    coeffs = neuron_coefficients(
        kind,
        params,
        dt=step_dt,
        discretization=c["disc"],
        input_scale=c["input_scale"],
        syn_input=c["syn_input"],
    )

    def f32(a: Any, field: str) -> Any:
        return _float32(name, kind, field, np.broadcast_to(np.asarray(a), shape))

    zeros = np.zeros(shape)
    v_leak = params.get("v_leak", zeros)
    v_reset = params.get("v_reset", zeros)
    v_init = {"zero": zeros, "v_leak": v_leak, "v_reset": v_reset}[c["v_init"]]
    from ..surrogate import FastSigmoid

    return Neuron(
        kind=kind,
        nir_params=tuple(
            (k, v.shape, tuple(float(e) for e in v.ravel())) for k, v in params.items()
        ),
        decay=f32(coeffs["decay"], "decay"),
        gain=f32(coeffs["gain"], "gain"),
        syn_decay=f32(coeffs["syn_decay"], "syn_decay"),
        syn_gain=f32(coeffs["syn_gain"], "syn_gain"),
        v_leak=f32(v_leak, "v_leak"),
        threshold=f32(params.get("v_threshold", zeros), "v_threshold"),
        v_reset=f32(v_reset, "v_reset"),
        v_init=f32(v_init, "initial v"),
        surrogate=FastSigmoid(),
        spike=c["spike"],
        spike_test=c["spike_test"],
        reset=c["reset"],
        timing=c["timing"],
        reset_order=c["reset_order"],
        clamp_min=c["clamp_min"],
        standard=standard,
    )


def _conv_padding(
    name: str, node: Any, kernel: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[int, ...]:
    padding = node.padding
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding.lower() == "valid":
            return (0,) * len(kernel)
        if padding.lower() == "same":
            total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
            if any(t % 2 for t in total):
                raise ValueError(
                    f"node {name!r}: padding 'same' with an even kernel {kernel} "
                    "is asymmetric, which snnjax convolutions do not support."
                )
            return tuple(t // 2 for t in total)
        raise ValueError(
            f"node {name!r}: `padding` must be 'same', 'valid' or ints; "
            f"got {padding!r}."
        )
    return _ints(name, "padding", padding, len(kernel))


def _stateless(
    name: str, node: Any, *, dt: float, sample_ndim: int, flatten_order: str
) -> Any:
    kind = _type_name(node)
    key = jr.key(0)  # placeholder initialisation, overwritten below
    if kind in ("Input", "Output"):
        return Identity()
    if kind in ("Affine", "Linear"):
        weight = _array(name, node, "weight")
        if weight.ndim != 2 or 0 in weight.shape:
            raise ValueError(
                f"node {name!r} ({kind}): `weight` must be a non-empty "
                f"(out, in) matrix; got shape {weight.shape}."
            )
        out_f, in_f = weight.shape
        layer = layers.Linear(in_f, out_f, use_bias=kind == "Affine", key=key)
        layer = eqx.tree_at(
            lambda m: m.weight, layer, _float32(name, kind, "weight", weight)
        )
        if kind == "Affine":
            bias = _array(name, node, "bias")
            if bias.shape != (out_f,):
                raise ValueError(
                    f"node {name!r} (Affine): `bias` must have shape ({out_f},) "
                    f"to match `weight` {weight.shape}; got {bias.shape}."
                )
            layer = eqx.tree_at(
                lambda m: m.bias, layer, _float32(name, kind, "bias", bias)
            )
        return layer
    if kind == "Scale":
        return Scale(_float32(name, kind, "scale", _array(name, node, "scale")))
    if kind == "Threshold":
        return Threshold(
            _float32(name, kind, "threshold", _array(name, node, "threshold"))
        )
    if kind in ("Conv1d", "Conv2d"):
        n = 1 if kind == "Conv1d" else 2
        weight = _array(name, node, "weight")
        if weight.ndim != n + 2 or 0 in weight.shape:
            raise ValueError(
                f"node {name!r} ({kind}): `weight` must have shape (out, in/groups, "
                f"{'k' if n == 1 else 'kh, kw'}); got {weight.shape}."
            )
        groups = _ints(name, "groups", node.groups, 1)[0]
        kernel = tuple(int(k) for k in weight.shape[2:])
        dilation = _ints(name, "dilation", node.dilation, n)
        cls = layers.Conv1d if n == 1 else layers.Conv2d
        try:
            conv = cls(
                weight.shape[1] * groups,
                weight.shape[0],
                kernel,
                stride=_ints(name, "stride", node.stride, n),
                padding=_conv_padding(name, node, kernel, dilation),
                dilation=dilation,
                groups=groups,
                key=key,
            )
        except ValueError as err:
            raise ValueError(f"node {name!r} ({kind}): {err}") from err
        bias = _array(name, node, "bias")
        if bias.shape not in ((), (weight.shape[0],)):
            raise ValueError(
                f"node {name!r} ({kind}): `bias` must be a scalar or have shape "
                f"({weight.shape[0]},) to match `weight` {weight.shape}; got "
                f"{bias.shape}."
            )
        bias = np.broadcast_to(bias, (weight.shape[0],))
        conv = eqx.tree_at(
            lambda m: m.weight, conv, _float32(name, kind, "weight", weight)
        )
        return eqx.tree_at(lambda m: m.bias, conv, _float32(name, kind, "bias", bias))
    if kind in ("SumPool2d", "AvgPool2d"):
        cls = layers.SumPool2d if kind == "SumPool2d" else layers.AvgPool2d
        try:
            return cls(
                _ints(name, "kernel_size", node.kernel_size, 2),
                stride=_ints(name, "stride", node.stride, 2),
                padding=_ints(name, "padding", node.padding, 2),
            )
        except ValueError as err:
            raise ValueError(f"node {name!r} ({kind}): {err}") from err
    if kind == "Flatten":
        declared = (getattr(node, "input_type", None) or {}).get("input")
        nd = sample_ndim if declared is None else int(np.asarray(declared).size)
        start = _ints(name, "start_dim", node.start_dim, 1)[0]
        end = _ints(name, "end_dim", node.end_dim, 1)[0]
        if nd < 1 or not (-nd <= start < nd and -nd <= end < nd):
            raise ValueError(
                f"node {name!r} (Flatten): start_dim={start}, end_dim={end} do not "
                f"index a sample with {nd} axes."
            )
        return Flatten(start, end, nd, flatten_order)
    if kind == "Delay":
        delay = _array(name, node, "delay")
        steps = np.round(delay / dt)
        if np.any(delay < 0) or np.any(np.abs(steps * dt - delay) > 1e-6 * dt + 1e-12):
            raise ValueError(
                f"node {name!r} (Delay): `delay` {delay} must be non-negative "
                f"multiples of dt={dt}."
            )
        return Delay(
            jnp.asarray(steps, "int32"),
            jnp.asarray(delay, "float32"),
            int(steps.max()) if steps.size else 0,
        )
    raise ValueError(f"node {name!r} has the unsupported type {kind!r}.")


# ------------------------------------------------------------------- public
def _declared_shape(name: str, declared: Any) -> tuple[int, ...]:
    """The Input node's `input_type`, checked to be positive whole sizes."""
    try:
        sizes = np.atleast_1d(np.asarray(declared))
        ok = (
            sizes.ndim == 1
            and sizes.size > 0
            and np.issubdtype(sizes.dtype, np.number)
            and not np.iscomplexobj(sizes)
            and bool(np.all(np.isfinite(sizes)))
            and bool(np.all(sizes >= 1))
            and bool(np.all(sizes == np.round(sizes)))
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"node {name!r} (Input): `input_type` must list positive whole sizes; "
            f"got {declared!r}."
        )
    return tuple(int(s) for s in sizes)


def from_nir(
    graph_or_path: Any,
    *,
    dt: Any,
    discretization: str | None = None,
    preset: str | None = None,
) -> Graph:
    r"""Build an snnjax model from a NIR graph or a `.nir` file.

    NIR describes continuous-time dynamics without a time step, so `dt` and
    the discretisation are explicit. With time constant $\tau$ the membrane
    decay per step is

    $$ a = 1 - \frac{\Delta t}{\tau} \ \text{(`"euler"`)}, \qquad
       a = e^{-\Delta t/\tau} \ \text{(`"exp"`)}, $$

    and the NIR reading of each neuron is (strict `>`, reset to $v_\text{reset}$
    right after the spike, zero initial state):

    $$ i_t = a_s i_{t-1} + (1 - a_s) w_\text{in} x_t, \qquad
       h_t = a (v_{t-1} - v_\text{leak}) + v_\text{leak} + (1 - a) r\, d_t $$

    with $d_t = i_t$ for CubaLIF/CubaLI (else $x_t$; IF and I integrate
    $h_t = v_{t-1} + \Delta t\, r\, x_t$), then $z_t = H(h_t - \vartheta)$ and
    $v_t = v_\text{reset}$ where $z_t = 1$, else $h_t$. The graph runs node by
    node in topological order; the inputs of a node are summed; an edge that
    closes a cycle delivers its source's output of the previous step (zeros at
    $t = 0$); nested graphs are inlined (names joined with `.`).

    A `preset` replaces the NIR reading by what the named exporter computes
    for the same file (see the NIR page of the docs for every choice):
    `"snntorch"` (reset by subtraction one step late, `reset_mechanism=
    "subtract"`), `"snntorch-zero"` (`reset_mechanism="zero"`: Synaptic and
    recurrent layers zero the whole next membrane), `"norse"` (initial
    $v = v_\text{leak}$, input jumps into the current, IF with $\Delta t = 1$),
    `"sinabs"` (exact exponential, multi-spike, reset by subtraction),
    `"sinabs-single"` (exact exponential, `>=`), `"spikingjelly"` (`>=`,
    initial $v = v_\text{reset}$) and `"spyx"` (unscaled input, spike from the
    previous membrane before the update, reset by subtraction, channels-last
    flatten, recurrent sub-graph input added to the neuron).

    Args:
        graph_or_path: an `nir.NIRGraph` or the path of a `.nir` file (read
            with `nir.read`, which only reads HDF5 data; no code from the file
            is ever executed).
        dt: the time step $\Delta t$, in the unit of the file's time
            constants (> 0). Peer exporters: snntorch and spikingjelly 1e-4,
            norse 1e-3, sinabs and spyx 1.
        discretization: `"euler"` (forward Euler, default) or `"exp"` (exact
            exponential decay); `None` takes the preset's (`"exp"` for sinabs).
        preset: `None` (the NIR reading) or one of `"snntorch"`,
            `"snntorch-zero"`, `"norse"`, `"sinabs"`, `"sinabs-single"`,
            `"spikingjelly"`, `"spyx"`.

    Returns:
        A model with `init_state(shape, dtype=jnp.float32)` (`shape` is one
        input time step, batch included) and `__call__(x, state) -> (y,
        state)`: run it with `snnjax.run(model, xs, model.init_state(
        xs.shape[1:]))`.

    Raises:
        ImportError: the `nir` package is missing.
        FileNotFoundError: no file at the path.
        TypeError: `graph_or_path` is neither a NIR graph nor a path.
        ValueError: a bad `dt`, `discretization` or `preset`; a file that
            is not NIR or is damaged (naming the path); or a malformed
            graph (unknown node type, edges to unknown nodes, missing Input
            or Output, wrong or non-finite parameters, a cycle without a
            neuron, shapes that do not fit), naming the node.

    Examples:
        >>> import jax.numpy as jnp, nir, numpy as np
        >>> import snnjax as snn
        >>> graph = nir.NIRGraph.from_list(
        ...     nir.Affine(weight=np.ones((1, 1)), bias=np.zeros(1)),
        ...     nir.LIF(tau=np.array([2.0]), r=np.array([2.0]),
        ...             v_leak=np.zeros(1), v_threshold=np.array([1.5]),
        ...             v_reset=np.zeros(1)))
        >>> model = snn.nir.from_nir(graph, dt=1.0)  # decay 1/2, gain 1
        >>> xs = jnp.ones((4, 1, 1))
        >>> spikes, _ = snn.run(model, xs, model.init_state(xs.shape[1:]))
        >>> spikes[:, 0, 0].tolist()  # v = 1, 1.5, 1.75 (fires), 1
        [0.0, 0.0, 1.0, 0.0]
    """
    nir = import_nir()
    if isinstance(dt, bool) or not isinstance(dt, int | float | np.floating):
        raise TypeError(f"`dt` must be a positive number; got {dt!r}.")
    if not (math.isfinite(float(dt)) and dt > 0):
        raise ValueError(f"`dt` must be finite and > 0; got {dt!r}.")
    dt = float(dt)
    if preset is not None:
        check_option("preset", preset, PRESETS)
    if discretization is None:
        discretization = "exp" if preset in ("sinabs", "sinabs-single") else "euler"
    check_option("discretization", discretization, DISCRETIZATIONS)
    if isinstance(graph_or_path, str | os.PathLike):
        graph = read(graph_or_path)
    elif isinstance(graph_or_path, nir.NIRGraph):
        graph = graph_or_path
    else:
        raise TypeError(
            "`graph_or_path` must be an nir.NIRGraph or the path of a .nir file; "
            f"got {type(graph_or_path).__name__}."
        )
    nodes, edges, inp, out = inline(graph, rnn_input_to_lif=preset == "spyx")
    for name in nodes:
        if name != inp and not any(b == name for _, b in edges):
            raise ValueError(
                f"node {name!r} ({_type_name(nodes[name])}) has no incoming edge."
            )
    if any(b == inp for _, b in edges):
        raise ValueError(f"the Input node {inp!r} must not have incoming edges.")
    declared = (getattr(nodes[inp], "input_type", None) or {}).get("input")
    input_shape = None
    if declared is not None:
        input_shape = _declared_shape(inp, declared)
    kinds = {name: _type_name(n) for name, n in nodes.items()}
    stateful = {n for n, k in kinds.items() if k in NEURON_KINDS or k == "Delay"}
    names = list(nodes)
    shape_order, delayed_all = schedule(names, edges, inp, stateful)
    modules: dict[str, Any] = {}
    moore: list[str] = []
    for name, node in nodes.items():
        kind = kinds[name]
        if kind in NEURON_KINDS:
            recurrent = any(b == name for _, b in delayed_all)
            c = convention(
                preset, kind, recurrent=recurrent, discretization=discretization
            )
            modules[name] = _neuron(name, node, c, dt, _is_standard(c))
            if c["timing"] == "pre":
                moore.append(name)
        else:
            modules[name] = _stateless(
                name,
                node,
                dt=dt,
                sample_ndim=len(input_shape) if input_shape else 1,
                flatten_order="hwc" if preset == "spyx" else "chw",
            )
    if moore:
        run_edges = [e for e in edges if e[1] not in moore]
        order, delayed = schedule(names, run_edges, inp, stateful)
    else:
        order, delayed = shape_order, delayed_all
    model = Graph(
        nodes=modules,
        edges=tuple(edges),
        input_name=inp,
        output_name=out,
        order=order,
        delayed=delayed,
        moore=tuple(moore),
        shape_order=shape_order,
        delayed_init="bias" if preset in ("snntorch", "snntorch-zero") else "zeros",
        input_shape=input_shape,
        dt=dt,
    )
    if input_shape is not None:
        model.shapes(input_shape)  # fail now, naming the node, on shape errors
    return model
