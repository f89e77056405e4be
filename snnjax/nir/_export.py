"""`to_nir`: an snnjax model to a NIR graph."""

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import layers
from .._checks import check_option
from ..network import Recurrent, Sequential
from ..neurons.cuba import CubaLIF
from ..neurons.if_ import IF
from ..neurons.li import LI
from ..neurons.lif import LIF
from ..neurons.synaptic import Synaptic
from ._graph import Graph
from ._import import DISCRETIZATIONS, import_nir
from ._nodes import Delay, Flatten, Identity, Neuron, Scale, Threshold


def _np(x: Any) -> Any:
    return np.asarray(jax.device_get(x), dtype=np.float64)


class _Exporter:
    def __init__(self, nir: Any, dt: float, discretization: str, lossy: bool):
        self.nir, self.dt, self.disc, self.lossy = nir, dt, discretization, lossy

    def refuse(self, where: str, why: str) -> None:
        """Raise, or warn with `lossy=True`: the export would change the model."""
        message = f"{where}: {why}"
        if not self.lossy:
            raise ValueError(
                f"{message} NIR cannot express this; pass `lossy=True` to export "
                "the nearest NIR model anyway (with a warning)."
            )
        warnings.warn(f"{message} Exported approximately.", UserWarning, stacklevel=4)

    def tau(self, where: str, name: str, decay: Any) -> Any:
        """Time constant giving the per-step `decay` under the discretisation."""
        if (
            np.any(decay >= 1)
            or np.any(decay < 0)
            or (self.disc == "exp" and np.any(decay <= 0))
        ):
            raise ValueError(
                f"{where}: `{name}` must be in "
                f"{'(0, 1)' if self.disc == 'exp' else '[0, 1)'} to become a NIR "
                f"time constant with discretization={self.disc!r}; got {decay}."
            )
        if self.disc == "exp":
            return -self.dt / np.log(decay)
        return self.dt / (1.0 - decay)

    def check_common(self, where: str, block: Any, zero_init: Any) -> None:
        reset = getattr(block, "reset", "zero")
        if reset != "zero":
            self.refuse(
                where,
                f"reset={reset!r}, but NIR neurons only reset to `v_reset` right "
                "after the spike.",
            )
        timing = getattr(block, "reset_timing", "immediate")
        # LIF's delayed "zero" reset (snntorch Leaky) sets the stored membrane
        # to v_reset before the next charge: the same spikes as NIR's reset
        if timing != "immediate" and not (isinstance(block, LIF) and reset == "zero"):
            self.refuse(
                where,
                f"reset_timing={timing!r}; NIR resets in the same step.",
            )
        if getattr(block, "spike_test", ">") != ">":
            self.refuse(where, "spike_test='>=', but NIR fires on v > threshold.")
        if getattr(block, "state_quant", None) is not None:
            self.refuse(where, "state_quant is set; NIR has no quantisation.")
        if np.any(zero_init != 0):
            self.refuse(
                where,
                "the initial membrane is not 0 (it is v_leak or v_reset), but a NIR "
                "neuron starts at 0.",
            )

    def neuron(self, where: str, block: Any, sample: tuple[int, ...]) -> Any:
        """Parameters broadcast to one sample's shape (per-neuron arrays)."""
        nir = self.nir
        if isinstance(block, Neuron):
            if not block.standard:
                self.refuse(
                    where,
                    "this node was imported with a peer-library preset "
                    f"(reset={block.reset!r}, timing={block.timing!r}, "
                    f"spike={block.spike!r}, spike_test={block.spike_test!r}).",
                )
            p = block.nir_arrays()
            shape = np.broadcast_shapes(sample, *(v.shape for v in p.values()))
            return getattr(nir, block.kind)(
                **{k: np.broadcast_to(v, shape) for k, v in p.items()}
            )
        if isinstance(block, LIF):
            beta, thr = _np(block.beta), _np(block.threshold)
            v_leak, v_reset = _np(block.v_leak), _np(block.v_reset)
            self.check_common(where, block, v_leak)
            shape = np.broadcast_shapes(sample, beta.shape, thr.shape, v_leak.shape)
            tau = self.tau(where, "beta", beta)
            gain = (1.0 - beta) if block.decay_input else np.ones_like(beta)
            return nir.LIF(
                tau=np.broadcast_to(tau, shape),
                r=np.broadcast_to(gain / (1.0 - beta), shape),
                v_leak=np.broadcast_to(v_leak, shape),
                v_threshold=np.broadcast_to(thr, shape),
                v_reset=np.broadcast_to(v_reset, shape),
            )
        if isinstance(block, IF):
            thr, v_reset = _np(block.threshold), _np(block.v_reset)
            self.check_common(where, block, v_reset)
            shape = np.broadcast_shapes(sample, thr.shape, v_reset.shape)
            return nir.IF(
                r=np.full(shape, 1.0 / self.dt),
                v_threshold=np.broadcast_to(thr, shape),
                v_reset=np.broadcast_to(v_reset, shape),
            )
        if isinstance(block, LI):
            alpha, beta, v_leak = _np(block.alpha), _np(block.beta), _np(block.v_leak)
            if np.any(v_leak != 0):
                self.refuse(where, "the initial membrane v_leak is not 0.")
            shape = np.broadcast_shapes(sample, alpha.shape, beta.shape, v_leak.shape)
            tau = self.tau(where, "beta", beta)
            gain = (1.0 - beta) if block.decay_input else np.ones_like(beta)
            r = np.broadcast_to(gain / (1.0 - beta), shape)
            if np.all(alpha == 0):
                return nir.LI(
                    tau=np.broadcast_to(tau, shape),
                    r=r,
                    v_leak=np.broadcast_to(v_leak, shape),
                )
            return nir.CubaLI(
                tau_syn=np.broadcast_to(self.tau(where, "alpha", alpha), shape),
                tau_mem=np.broadcast_to(tau, shape),
                r=r,
                v_leak=np.broadcast_to(v_leak, shape),
                w_in=np.broadcast_to(1.0 / (1.0 - alpha), shape),
            )
        if isinstance(block, CubaLIF | Synaptic):
            alpha, beta, thr = _np(block.alpha), _np(block.beta), _np(block.threshold)
            v_reset = _np(block.v_reset)
            if isinstance(block, CubaLIF):
                v_leak, v0 = _np(block.v_leak), _np(block.v_leak)
                gain = 1.0 - beta  # norse form: (1 - beta) * (i + x)
            else:
                v_leak, v0 = np.zeros(()), _np(block.v_init)
                gain = np.ones_like(beta)
            self.check_common(where, block, v0)
            shape = np.broadcast_shapes(sample, alpha.shape, beta.shape, thr.shape)
            return nir.CubaLIF(
                tau_syn=np.broadcast_to(self.tau(where, "alpha", alpha), shape),
                tau_mem=np.broadcast_to(self.tau(where, "beta", beta), shape),
                r=np.broadcast_to(gain / (1.0 - beta), shape),
                v_leak=np.broadcast_to(v_leak, shape),
                v_threshold=np.broadcast_to(thr, shape),
                v_reset=np.broadcast_to(v_reset, shape),
                w_in=np.broadcast_to(1.0 / (1.0 - alpha), shape),
            )
        raise TypeError(
            f"{where}: {type(block).__name__} has no NIR counterpart; supported "
            "neurons: LIF, IF, LI, CubaLIF, Synaptic (and nodes from `from_nir`)."
        )

    def layer(self, where: str, block: Any, in_shape: tuple[int, ...]) -> Any:
        """`in_shape`: one sample's input shape (no batch)."""
        nir = self.nir
        if isinstance(block, layers.Linear):
            weight = _np(block.weight)
            if block.mask is not None:
                weight = weight * _np(block.mask)
            if block.bias is None:
                return nir.Linear(weight=weight)
            return nir.Affine(weight=weight, bias=_np(block.bias))
        if isinstance(block, layers.Conv1d | layers.Conv2d):
            cls = nir.Conv1d if isinstance(block, layers.Conv1d) else nir.Conv2d
            spatial = in_shape[1:]
            bias = (
                np.zeros(block.out_channels) if block.bias is None else _np(block.bias)
            )
            one = len(spatial) == 1
            return cls(
                input_shape=spatial[0] if one else tuple(spatial),
                weight=_np(block.weight),
                stride=block.stride[0] if one else block.stride,
                padding=block.padding[0] if one else block.padding,
                dilation=block.dilation[0] if one else block.dilation,
                groups=block.groups,
                bias=bias,
            )
        if isinstance(block, layers.SumPool2d | layers.AvgPool2d):
            cls = (
                nir.SumPool2d if isinstance(block, layers.SumPool2d) else nir.AvgPool2d
            )
            return cls(
                kernel_size=np.array(block.kernel_size),
                stride=np.array(block.stride),
                padding=np.array(block.padding),
            )
        if isinstance(block, layers.Flatten | Flatten):
            nd = len(in_shape)
            if isinstance(block, Flatten):
                if block.order != "chw":
                    self.refuse(where, "a channels-last (spyx) Flatten.")
                start, end = block.start_dim, block.end_dim
            else:
                start, end = nd - block.ndim, -1
            return nir.Flatten(
                input_type={"input": np.array(in_shape)}, start_dim=start, end_dim=end
            )
        if isinstance(block, Scale):
            return nir.Scale(scale=_np(block.scale))
        if isinstance(block, Threshold):
            return nir.Threshold(threshold=_np(block.threshold))
        if isinstance(block, Delay):
            return nir.Delay(delay=_np(block.nir_delay))
        raise TypeError(
            f"{where}: {type(block).__name__} has no NIR counterpart; supported "
            "layers: Linear, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten."
        )

    def node(self, where: str, block: Any, in_shape: tuple[int, ...]) -> Any:
        if isinstance(block, Neuron | LIF | IF | LI | CubaLIF | Synaptic):
            return self.neuron(where, block, in_shape)
        return self.layer(where, block, in_shape)


def _out_shape(block: Any, spec: jax.ShapeDtypeStruct) -> jax.ShapeDtypeStruct:
    if isinstance(block, layers.AbstractLayer | Scale | Threshold | Flatten):
        return jax.eval_shape(block, spec)
    return spec  # neurons and delays keep the shape


def _sequential_input_shape(blocks: tuple[Any, ...]) -> tuple[int, ...] | None:
    first = blocks[0]
    if isinstance(first, Recurrent):
        first = first.connection
    if isinstance(first, layers.Linear):
        return (first.in_features,)
    return None


def to_nir(
    model: Any,
    *,
    dt: Any,
    discretization: str = "euler",
    input_shape: tuple[int, ...] | None = None,
    lossy: bool = False,
) -> Any:
    r"""Export an snnjax model as an `nir.NIRGraph` (write it with `nir.write`).

    The per-step decays of the model become NIR time constants with the given
    `dt` and discretisation, the inverse of
    [`from_nir`][snnjax.nir.from_nir]:

    $$ \tau = \frac{\Delta t}{1 - \beta} \ \text{(`"euler"`)}, \qquad
       \tau = -\frac{\Delta t}{\ln \beta} \ \text{(`"exp"`)}, $$

    and the input gain $g$ of the update becomes $r = g / (1 - \beta)$ (IF:
    $r = 1/\Delta t$; CubaLIF/Synaptic: $w_\text{in} = 1/(1 - \alpha)$), so that
    `from_nir(to_nir(model, dt=dt), dt=dt)` computes the same numbers.
    Supported: [`Sequential`][snnjax.Sequential], a single block, a
    [`Recurrent`][snnjax.Recurrent] with a bias-free `Linear` connection (a
    cycle `k -> k.w_rec -> k`), and graphs from `from_nir`; blocks `Linear`
    (Affine, or Linear without bias), `Conv1d`, `Conv2d`, `SumPool2d`,
    `AvgPool2d`, `Flatten`, `LIF`, `IF`, `LI` (LI, or CubaLI when
    $\alpha \ne 0$), `CubaLIF` and `Synaptic` (CubaLIF).

    NIR neurons fire on $v > \vartheta$, reset to $v_\text{reset}$ in the same
    step and start from $v = 0$. A model that does anything else (reset by
    subtraction or none, a delayed reset other than `LIF`'s `"zero"`, `>=`, a
    non-zero initial membrane, a peer-library preset) raises `ValueError`;
    with `lossy=True` it is exported as the nearest NIR model with a
    `UserWarning`. (A `LIF` with `reset="zero"` and snntorch's delayed reset
    timing exports exactly: its stored membrane becomes $v_\text{reset}$
    before the next charge, which gives the same spikes.)

    Args:
        model: the snnjax model.
        dt: the time step $\Delta t$ of the model (> 0), in the time unit
            the file's time constants should have.
        discretization: `"euler"` or `"exp"`: how the model's decays were
            derived from time constants (use the same on import).
        input_shape: one sample's input shape, without batch (needed for
            convolutions; inferred from a leading `Linear` or an imported
            graph).
        lossy: export a model NIR cannot express exactly, with a warning.

    Returns:
        An `nir.NIRGraph` with nodes `input`, `0`, `1`, ..., `output` (a
        `Sequential`) or the imported graph's node names.

    Raises:
        ImportError: the `nir` package is missing.
        TypeError: a block has no NIR counterpart.
        ValueError: a bad `dt`/`discretization`, a missing `input_shape`, or a
            block NIR cannot express (without `lossy=True`), naming the block.

    Examples:
        >>> import jax, nir
        >>> import snnjax as snn
        >>> net = snn.Sequential([snn.Linear(3, 2, key=jax.random.key(0)),
        ...                       snn.LIF(beta=0.9, reset="zero")])
        >>> graph = snn.nir.to_nir(net, dt=1e-3)
        >>> sorted(graph.nodes), type(graph.nodes["1"]).__name__
        (['0', '1', 'input', 'output'], 'LIF')
        >>> round(float(graph.nodes["1"].tau[0]), 6)  # dt / (1 - beta)
        0.01
    """
    nir = import_nir()
    if isinstance(dt, bool) or not isinstance(dt, int | float | np.floating):
        raise TypeError(f"`dt` must be a positive number; got {dt!r}.")
    if not (math.isfinite(float(dt)) and dt > 0):
        raise ValueError(f"`dt` must be finite and > 0; got {dt!r}.")
    check_option("discretization", discretization, DISCRETIZATIONS)
    ex = _Exporter(nir, float(dt), discretization, lossy)
    if isinstance(model, Graph):
        shape = input_shape if input_shape is not None else model.input_shape
        if shape is None:
            raise ValueError("`input_shape` is needed: the graph declares none.")
        return _export_graph(ex, model, tuple(shape))
    blocks = model.blocks if isinstance(model, Sequential) else (model,)
    shape = input_shape if input_shape is not None else _sequential_input_shape(blocks)
    if shape is None:
        raise ValueError(
            "`input_shape` (one sample's shape, without batch, e.g. (2, 28, 28)) "
            "is needed when the model does not start with a Linear layer."
        )
    shape = tuple(int(s) for s in shape)
    nodes: dict[str, Any] = {"input": nir.Input(input_type={"input": np.array(shape)})}
    edges: list[tuple[str, str]] = []
    prev = "input"
    spec = jax.ShapeDtypeStruct((1, *shape), jnp.float32)
    for k, block in enumerate(blocks):
        name, where = str(k), f"block {k} ({type(block).__name__})"
        sample = tuple(spec.shape[1:])
        if isinstance(block, Recurrent):
            conn = block.connection
            if not isinstance(conn, layers.Linear):
                raise TypeError(f"{where}: the connection must be a Linear layer.")
            if conn.bias is not None:
                ex.refuse(
                    where,
                    "the connection has a bias, which snnjax adds at t = 0 while "
                    "a NIR recurrent edge carries 0 at t = 0; use "
                    "Linear(..., use_bias=False).",
                )
            nodes[name] = ex.neuron(where, block.neuron, sample)
            nodes[f"{name}.w_rec"] = ex.layer(where, conn, sample)
            edges += [(prev, name), (name, f"{name}.w_rec"), (f"{name}.w_rec", name)]
        else:
            nodes[name] = ex.node(where, block, sample)
            edges.append((prev, name))
            try:
                spec = _out_shape(block, spec)
            except (ValueError, TypeError) as err:
                raise ValueError(f"{where} rejects the shape {sample}: {err}") from err
        prev = name
    nodes["output"] = nir.Output(output_type={"output": np.array(spec.shape[1:])})
    edges.append((prev, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _export_graph(ex: _Exporter, model: Graph, shape: tuple[int, ...]) -> Any:
    nir = ex.nir
    shapes = model.shapes((1, *shape))
    edges = list(model.edges)
    nodes: dict[str, Any] = {}
    for name, block in model.nodes.items():
        sample = tuple(shapes[name][0].shape[1:])
        if name == model.input_name:
            nodes[name] = nir.Input(input_type={"input": np.array(shape)})
        elif name == model.output_name:
            nodes[name] = nir.Output(output_type={"output": np.array(sample)})
        elif isinstance(block, Identity):  # an inlined sub-graph's Input/Output
            preds = [a for a, b in edges if b == name]
            succs = [b for a, b in edges if a == name]
            edges = [e for e in edges if name not in e]
            edges += [(a, b) for a in preds for b in succs]
        else:
            nodes[name] = ex.node(f"node {name!r}", block, sample)
    if model.delayed_init != "zeros":
        ex.refuse("the graph", "its recurrent edges start from their bias.")
    return nir.NIRGraph(nodes=nodes, edges=edges)
