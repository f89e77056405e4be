"""The graph executor: one time step of a (possibly recurrent) NIR graph.

At each step the nodes run in a topological order of the graph without its
cycle-closing edges (found by a depth-first search from the `Input` node); a
cycle-closing edge delivers its source's output of the previous step; the
inputs of a node are summed. Neurons with `timing="pre"` (spyx) emit their
spikes from their stored membrane before anything else runs and integrate
their summed input after everything else, so a cycle through one of them
needs no delay.
"""

from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array

from ._nodes import Delay, Neuron


class GraphState(eqx.Module):
    """State of an imported graph.

    Attributes:
        nodes: the state of every stateful node, by node name.
        delayed: the previous-step output carried by each recurrent edge, in
            the order of the graph's `delayed` edges.
    """

    nodes: dict[str, Any]
    delayed: tuple[Array, ...]


def _stateful(node: object) -> bool:
    return isinstance(node, Neuron | Delay)


def schedule(
    names: Sequence[str],
    edges: Sequence[tuple[str, str]],
    start: str,
    stateful: set[str],
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Topological order and cycle-closing edges (DFS from `start`).

    Raises:
        ValueError: a cycle holds no stateful node (neuron or Delay), so it
            would need an instantaneous loop.
    """
    succ: dict[str, list[str]] = {n: [] for n in names}
    for a, b in edges:
        succ[a].append(b)
    colour: dict[str, int] = {}
    stack: list[str] = []
    back: list[tuple[str, str]] = []

    def visit(root: str) -> None:
        # iterative DFS (deep graphs must not hit Python's recursion limit)
        colour[root] = 1
        stack.append(root)
        todo = [(root, iter(succ[root]))]
        while todo:
            node, it = todo[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                todo.pop()
            elif colour.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                if not any(c in stateful for c in cycle):
                    path = " -> ".join([*cycle, nxt])
                    raise ValueError(
                        f"the graph has a cycle without a neuron or Delay node "
                        f"({path}); NIR cycles must pass through a stateful node."
                    )
                back.append((node, nxt))
            elif nxt not in colour:
                colour[nxt] = 1
                stack.append(nxt)
                todo.append((nxt, iter(succ[nxt])))

    visit(start)
    for n in names:
        if n not in colour:
            visit(n)
    fwd = [e for e in edges if e not in back]
    indeg = {n: 0 for n in names}
    for _, b in fwd:
        indeg[b] += 1
    ready = sorted((n for n in names if indeg[n] == 0), key=lambda n: (n != start, n))
    order: list[str] = []
    while ready:
        u = ready.pop(0)
        order.append(u)
        for a, b in fwd:
            if a == u:
                indeg[b] -= 1
                if indeg[b] == 0:
                    ready.append(b)
    return tuple(order), tuple(back)


class Graph(eqx.Module):
    """A NIR graph as an snnjax model: `(x_t, state) -> (y_t, state)`.

    Built by [`from_nir`][snnjax.nir.from_nir]; run it with
    `snnjax.run(model, xs, model.init_state(xs.shape[1:]))`.

    Attributes:
        nodes: the node modules by name (nested graphs are inlined, their
            node names joined with `.`).
        edges: every edge `(source, target)`.
    """

    nodes: dict[str, Any]
    edges: tuple[tuple[str, str], ...] = eqx.field(static=True)
    input_name: str = eqx.field(static=True)
    output_name: str = eqx.field(static=True)
    order: tuple[str, ...] = eqx.field(static=True)
    delayed: tuple[tuple[str, str], ...] = eqx.field(static=True)
    moore: tuple[str, ...] = eqx.field(static=True)
    shape_order: tuple[str, ...] = eqx.field(static=True)
    delayed_init: str = eqx.field(static=True)
    input_shape: tuple[int, ...] | None = eqx.field(static=True)
    dt: float = eqx.field(static=True)

    def _inputs(
        self, name: str, cache: dict[str, Array], state: GraphState | None
    ) -> list[Array]:
        terms = []
        for a, b in self.edges:
            if b != name:
                continue
            if (a, b) in self.delayed:
                if state is not None:
                    terms.append(state.delayed[self.delayed.index((a, b))])
            else:
                terms.append(cache[a])
        return terms

    def _sum(self, name: str, terms: list[Array]) -> Array:
        if not terms:
            raise ValueError(f"node {name!r} receives no input.")
        shapes = {t.shape for t in terms}
        if len(shapes) > 1:
            raise ValueError(
                f"node {name!r} receives inputs of different shapes "
                f"{sorted(shapes)}; the summed inputs of a node must agree."
            )
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    def __call__(self, x: Array, state: GraphState) -> tuple[Array, GraphState]:
        """One time step of the whole graph."""
        x = jnp.asarray(x)
        cache: dict[str, Array] = {}
        new_nodes = dict(state.nodes)
        for name in self.moore:
            cache[name] = self.nodes[name].emit(state.nodes[name])
        for name in self.order:
            if name in self.moore:
                continue
            node = self.nodes[name]
            u = (
                x
                if name == self.input_name
                else self._sum(name, self._inputs(name, cache, state))
            )
            if _stateful(node):
                cache[name], new_nodes[name] = node(u, state.nodes[name])
            else:
                cache[name] = node(u)
        for name in self.moore:
            u = self._sum(name, self._inputs(name, cache, state))
            new_nodes[name] = self.nodes[name].absorb(u, state.nodes[name], cache[name])
        delayed = tuple(cache[a].astype(x.dtype) for a, _ in self.delayed)
        return cache[self.output_name], GraphState(new_nodes, delayed)

    def shapes(
        self, shape: tuple[int, ...], dtype: Any = jnp.float32
    ) -> dict[str, tuple[jax.ShapeDtypeStruct, jax.ShapeDtypeStruct]]:
        """`(input, output)` shape of every node for one step of `shape`.

        Raises:
            ValueError: a node cannot take what its predecessors produce,
                naming the node.
        """
        spec = jax.ShapeDtypeStruct(tuple(shape), jnp.dtype(dtype))
        out: dict[str, tuple[jax.ShapeDtypeStruct, jax.ShapeDtypeStruct]] = {}
        cache: dict[str, jax.ShapeDtypeStruct] = {}
        for name in self.shape_order:
            node = self.nodes[name]
            if name == self.input_name:
                u = spec
            else:
                terms = [
                    cache[a]
                    for a, b in self.edges
                    if b == name and (a, b) not in self.delayed and a in cache
                ]
                if not terms:
                    raise ValueError(f"node {name!r} receives no input.")
                if len({t.shape for t in terms}) > 1:
                    got = sorted({t.shape for t in terms})
                    raise ValueError(
                        f"node {name!r} receives inputs of different shapes {got}."
                    )
                u = terms[0]
            try:
                if _stateful(node):
                    s = node.init_state(tuple(u.shape), u.dtype)
                    y = jax.eval_shape(lambda n, v, s: n(v, s)[0], node, u, s)
                else:
                    y = jax.eval_shape(lambda n, v: n(v), node, u)
            except (ValueError, TypeError) as err:
                raise ValueError(
                    f"node {name!r} ({type(node).__name__}) cannot take an input "
                    f"of shape {tuple(u.shape)}: {err}"
                ) from err
            if isinstance(node, Neuron) and y.shape != u.shape:
                raise ValueError(
                    f"node {name!r}: its parameters have a shape that does not "
                    f"match its input shape {tuple(u.shape)}."
                )
            cache[name] = y
            out[name] = (u, y)
        for a, b in self.delayed:
            if out[a][1].shape != out[b][0].shape:
                raise ValueError(
                    f"recurrent edge {a!r} -> {b!r} carries shape "
                    f"{tuple(out[a][1].shape)} but {b!r} takes "
                    f"{tuple(out[b][0].shape)}."
                )
        return out

    def init_state(
        self, shape: tuple[int, ...], dtype: Any = jnp.float32
    ) -> GraphState:
        """Initial state for one input step of `shape` (batch included).

        Neurons start from their convention's initial membrane; recurrent
        edges carry zeros at $t = 0$, or (`delayed_init="bias"`, snntorch)
        their source applied to zeros (an Affine's bias).
        """
        shapes = self.shapes(shape, dtype)
        nodes = {
            name: node.init_state(tuple(shapes[name][0].shape), dtype)
            for name, node in self.nodes.items()
            if _stateful(node)
        }
        delayed = []
        for a, _ in self.delayed:
            src = self.nodes[a]
            out_shape = tuple(shapes[a][1].shape)
            if self.delayed_init == "bias" and not _stateful(src):
                zeros = jnp.zeros(tuple(shapes[a][0].shape), dtype)
                delayed.append(jnp.asarray(src(zeros)).astype(dtype))
            else:
                delayed.append(jnp.zeros(out_shape, dtype))
        return GraphState(nodes, tuple(delayed))
