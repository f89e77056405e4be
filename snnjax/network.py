"""`Sequential`: a stack of layers and neurons with one explicit state pytree."""

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
from jaxtyping import Array, Float, PRNGKeyArray, Shaped

from .layers import AbstractLayer, Linear
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
        _check_linear_sizes(blocks)
        self.blocks = blocks

    def init_state(
        self,
        shape: tuple[int, ...],
        dtype: jnp.dtype | type = jnp.float32,
        *,
        key: PRNGKeyArray | None = None,
    ) -> tuple[Any, ...]:
        """States for inputs of `shape` (one time step, batch included).

        Args:
            shape: the shape of one input time step, batch included.
            dtype: the floating dtype of the inputs (and states).
            key: a `jax.random` key, needed only by blocks that draw random
                state ([`Dropout`][snnjax.Dropout] masks in training mode).

        Raises:
            ValueError: a block rejects the shape its predecessor produces
                (e.g. mismatched `Linear` sizes), naming the block.
        """
        states = []
        x = jax.ShapeDtypeStruct(tuple(shape), jnp.dtype(dtype))
        keys = (
            [None] * len(self.blocks)
            if key is None
            else jr.split(key, len(self.blocks))
        )
        for i, (block, k) in enumerate(zip(self.blocks, keys, strict=True)):
            try:
                if isinstance(block, AbstractNeuron):
                    if k is not None and _takes_key(block):
                        state = block.init_state(tuple(x.shape), x.dtype, key=k)
                    else:
                        state = block.init_state(tuple(x.shape), x.dtype)
                    states.append(state)
                    x = jax.eval_shape(lambda b, xx, s: b(xx, s)[0], block, x, state)
                else:
                    states.append(None)
                    x = jax.eval_shape(lambda b, xx: b(xx), block, x)
            except (ValueError, TypeError) as err:
                raise type(err)(
                    f"block {i} ({type(block).__name__}) cannot take the output of "
                    f"the blocks before it (shape {tuple(x.shape)}): {err}"
                ) from err
        return tuple(states)

    def __call__(
        self, x: Shaped[Array, "*shape"], state: tuple[Any, ...]
    ) -> tuple[Array, tuple[Any, ...]]:
        """One time step through every block (step-major order)."""
        check_state_tuple(self, state)
        new_states = []
        for block, s in zip(self.blocks, state, strict=True):
            if isinstance(block, AbstractNeuron):
                x, s = block(x, s)
            else:
                x = block(x)
            new_states.append(s)
        return x, tuple(new_states)


def _check_linear_sizes(blocks: tuple[Block, ...]) -> None:
    """Consecutive `Linear` layers (neurons between them) must agree on sizes."""
    features, source = None, None
    for i, block in enumerate(blocks):
        if isinstance(block, Linear):
            if features is not None and block.in_features != features:
                raise ValueError(
                    f"block {i} (Linear) takes {block.in_features} input features, "
                    f"but block {source} (Linear) produces {features}."
                )
            features, source = block.out_features, i
        elif not isinstance(block, AbstractNeuron):
            features = None  # a reshaping layer: sizes checked by init_state


def check_state_tuple(net: Sequential, state: object) -> None:
    """`state` must be a tuple with one entry per block, each of its block's kind.

    Catches a state made for another network: a different number of blocks,
    `None` where a neuron needs a state, or a state of another model's type.
    Shapes are checked by each neuron when it runs.
    """
    if not isinstance(state, tuple) or len(state) != len(net.blocks):
        got = f"a tuple of {len(state)}" if isinstance(state, tuple) else repr(state)
        raise ValueError(
            f"`state` must be a tuple with one entry per block ({len(net.blocks)}); "
            f"got {got}. Create it with `net.init_state(xs.shape[1:])`."
        )
    for i, (block, s) in enumerate(zip(net.blocks, state, strict=True)):
        stateful = isinstance(block, AbstractNeuron)
        if not stateful and s is not None:
            raise ValueError(
                f"`state[{i}]` must be None for the stateless block {i} "
                f"({type(block).__name__}); got {type(s).__name__}. Was the state "
                "made for another network? Use `net.init_state(xs.shape[1:])`."
            )
        if stateful:
            expected = jax.eval_shape(lambda: _init_one(block))  # noqa: B023
            if jax.tree.structure(expected) != jax.tree.structure(s):
                raise ValueError(
                    f"`state[{i}]` is a {type(s).__name__}, but block {i} "
                    f"({type(block).__name__}) needs a {type(expected).__name__}; "
                    "was the state made for another network? Use "
                    "`net.init_state(xs.shape[1:])`."
                )


def _init_one(block: AbstractNeuron) -> Any:
    if _takes_key(block):
        return block.init_state((1,), key=jr.key(0))
    return block.init_state((1,))


def _takes_key(block: AbstractNeuron) -> bool:
    return "key" in inspect.signature(block.init_state).parameters


class RecurrentState(eqx.Module):
    """State of a [`Recurrent`][snnjax.Recurrent] block.

    Attributes:
        neuron: the wrapped neuron's state.
        spikes: the block's output at the previous step, $s_{t-1}$ (zeros
            initially), fed back through the connection.
    """

    neuron: Any
    spikes: Array


class Recurrent(AbstractNeuron[RecurrentState]):
    r"""A neuron with feedback of its own previous output through any layer.

    $$
    s_t, z_t = \text{neuron}\big(x_t + C(s_{t-1}),\ z_{t-1}\big)
    $$

    where $C$ is the `connection` (e.g. an all-to-all
    [`Linear`][snnjax.Linear] $C(s) = s V^\top + b$, a masked `Linear` for
    sparse feedback, or any layer mapping the output shape to the input
    shape) and $s_{-1} = 0$. The recurrent current is added to the input
    current before the neuron's own update, which is how snntorch's `RLeaky`
    / `RSynaptic` (`all_to_all=True`) and sinabs' `LIFRecurrent` /
    `ALIFRecurrent` feed back their spikes: `Recurrent(LIF(...), Linear(n, n,
    use_bias=False))` reproduces [`RecurrentLIF`][snnjax.RecurrentLIF] with
    the same matrix, and `Recurrent(ALIF(...), connection)` sinabs'
    `ALIFRecurrent` (tested).

    Because of the feedback, the block is scanned step by step even inside a
    layer-major [`Sequential`][snnjax.Sequential] (the feed-forward layers
    around it still run over all time steps at once).

    Args:
        neuron: any snnjax neuron whose output has its input's shape.
        connection: a layer (callable) from the output shape to the input
            shape, e.g. `snnjax.Linear(n, n, key=key)`.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> rec = snn.Recurrent(snn.LIF(beta=0.9),
        ...                     snn.Linear(4, 4, use_bias=False, key=jax.random.key(0)))
        >>> xs = jnp.ones((10, 2, 4))
        >>> spikes, state = snn.run(rec, xs, rec.init_state(xs.shape[1:]))
        >>> spikes.shape, state.neuron.v.shape, state.spikes.shape
        ((10, 2, 4), (2, 4), (2, 4))
    """

    neuron: AbstractNeuron
    connection: Callable[[Array], Array]
    learn: frozenset[str] = eqx.field(static=True, default=frozenset())

    # `Any`: the checks below give clearer messages than a type-check hook.
    def __init__(self, neuron: Any, connection: Any):
        if not isinstance(neuron, AbstractNeuron):
            raise TypeError(
                f"`neuron` must be an snnjax neuron; got {type(neuron).__name__}."
            )
        if not callable(connection):
            raise TypeError(
                f"`connection` must be a layer (callable); got {connection!r}."
            )
        if isinstance(connection, Linear) and (
            connection.in_features != connection.out_features
        ):
            raise ValueError(
                "`connection` must map the output back to the input shape, so a "
                "Linear connection needs in_features == out_features; got "
                f"Linear({connection.in_features}, {connection.out_features})."
            )
        self.neuron = neuron
        self.connection = connection
        self.learn = frozenset()

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> RecurrentState:
        """The neuron's initial state and no previous spikes."""
        return RecurrentState(
            self.neuron.init_state(shape, dtype), jnp.zeros(shape, dtype)
        )

    def step(
        self, x: Float[Array, "*shape"], state: RecurrentState
    ) -> tuple[Float[Array, "*shape"], RecurrentState]:
        """Add the fed-back current, then advance the neuron one step."""
        feedback = jnp.asarray(self.connection(state.spikes))
        if feedback.shape != x.shape:
            raise ValueError(
                f"`connection` maps the output shape {state.spikes.shape} to "
                f"{feedback.shape}, but the input step has shape {x.shape}; it "
                "must map the output back to the input shape."
            )
        out, neuron_state = self.neuron(x + feedback.astype(x.dtype), state.neuron)
        return out, RecurrentState(neuron_state, out.astype(x.dtype))
