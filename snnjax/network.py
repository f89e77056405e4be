"""`Sequential`: a stack of layers and neurons with one explicit state pytree."""

from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Shaped

from .layers import AbstractLayer
from .neurons._base import AbstractNeuron

Block = AbstractLayer | AbstractNeuron


class Sequential(eqx.Module):
    r"""Layers and neurons applied in order, with their states in one tuple.

    For one time step, `y, state = net(x, state)` applies each block in turn:
    a stateless layer maps $x \mapsto f(x)$; a neuron maps
    $(x, z^{(k)}) \mapsto (s, z^{(k)})$ with its own state $z^{(k)}$. The state
    is a tuple with one entry per block (`None` for stateless layers), created
    by `init_state(shape, dtype)` from the shape of one time step of the input,
    batch included, so `snnjax.run(net, xs, net.init_state(xs.shape[1:]))`
    works as for a single neuron.

    Over a sequence, [`snnjax.run`][snnjax.run] executes a `Sequential`
    *layer-major* by default: each layer is applied to all time steps at once
    and each neuron is scanned over time on its whole input sequence. Since
    there is no feedback between blocks, this gives the same outputs and
    states as the step-major order (one scan over the whole stack), in fewer,
    larger operations.

    Args:
        blocks: the layers (`snnjax.Linear`, `snnjax.Flatten`, any
            `AbstractLayer`) and neurons, in order.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> k1, k2 = jax.random.split(jax.random.key(0))
        >>> net = snn.Sequential([snn.Linear(4, 8, key=k1), snn.LIF(beta=0.9),
        ...                       snn.Linear(8, 2, key=k2), snn.LIF(beta=0.9)])
        >>> xs = jnp.ones((10, 3, 4))  # (time, batch, features)
        >>> out, state = snn.run(net, xs, net.init_state(xs.shape[1:]))
        >>> out.shape, state[1].v.shape, state[0]
        ((10, 3, 2), (3, 8), None)
    """

    blocks: tuple[Block, ...]

    def __init__(self, blocks: Sequence[Block]):
        blocks = tuple(blocks)
        if not blocks:
            raise ValueError("`blocks` must hold at least one layer or neuron.")
        for i, block in enumerate(blocks):
            if not isinstance(block, AbstractLayer | AbstractNeuron):
                raise TypeError(
                    f"`blocks[{i}]` must be an snnjax layer or neuron; got "
                    f"{type(block).__name__}."
                )
        self.blocks = blocks

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> tuple[Any, ...]:
        """States for inputs of `shape` (one time step, batch included)."""
        states = []
        x = jax.ShapeDtypeStruct(tuple(shape), jnp.dtype(dtype))
        for block in self.blocks:
            if isinstance(block, AbstractNeuron):
                state = block.init_state(tuple(x.shape), x.dtype)
                states.append(state)
                x = jax.eval_shape(lambda b, xx, s: b(xx, s)[0], block, x, state)
            else:
                states.append(None)
                x = jax.eval_shape(lambda b, xx: b(xx), block, x)
        return tuple(states)

    def __call__(
        self, x: Shaped[Array, "*shape"], state: tuple[Any, ...]
    ) -> tuple[Array, tuple[Any, ...]]:
        """One time step through every block (step-major order)."""
        _check_state_tuple(self, state)
        new_states = []
        for block, s in zip(self.blocks, state, strict=True):
            if isinstance(block, AbstractNeuron):
                x, s = block(x, s)
            else:
                x = block(x)
            new_states.append(s)
        return x, tuple(new_states)


def _check_state_tuple(net: Sequential, state: object) -> None:
    if not isinstance(state, tuple) or len(state) != len(net.blocks):
        raise ValueError(
            f"`state` must be a tuple with one entry per block ({len(net.blocks)}); "
            "create it with `net.init_state(xs.shape[1:])`."
        )
