"""Wrappers that change what a neuron emits: graded spikes, winner-take-all."""

from collections.abc import Collection
from typing import Generic, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Shaped

from .. import _checks
from .._custom_types import ParamLike
from ._base import AbstractNeuron

StateT = TypeVar("StateT")


class GradedSpikes(AbstractNeuron[StateT], Generic[StateT]):
    r"""Scale a neuron's spikes: graded spikes $g \cdot s_t$ (snntorch).

    $$ y_t = g\, s_t, \qquad (s_t, z_t) = \text{neuron}(x_t, z_{t-1}) $$

    The wrapped neuron's state and resets are unchanged (they use the binary
    spike); only the output is scaled. snntorch's `graded_spikes_factor`.

    Args:
        neuron: the spiking neuron to wrap.
        factor: spike amplitude $g$, scalar or per neuron, finite.
        learn: `{"factor"}` to train $g$ (snntorch
            `learn_graded_spikes_factor=True`); the wrapped neuron keeps its
            own `learn` set.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.GradedSpikes(snn.LIF(beta=0.5), factor=2.5)
        >>> out, _ = snn.run(neuron, jnp.array([[1.5], [0.0]]), neuron.init_state((1,)))
        >>> out[:, 0].tolist()
        [2.5, 0.0]

    References:
        Eshraghian et al., *Training spiking neural networks using lessons from
        deep learning*, Proc. IEEE 111 (2023), doi:10.1109/JPROC.2023.3308088.
    """

    neuron: AbstractNeuron[StateT]
    factor: Float[Array, "*#shape"]
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        neuron: AbstractNeuron[StateT],
        factor: ParamLike = 1.0,
        *,
        learn: Collection[str] = frozenset(),
    ):
        self.learn = _checks.check_learn(learn, ("factor",))
        self.neuron = neuron
        self.factor = _checks.check_finite("factor", _checks.as_param("factor", factor))

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> StateT:
        """The wrapped neuron's initial state."""
        return self.neuron.init_state(shape, dtype)

    def step(
        self, x: Shaped[Array, "*shape"], state: StateT
    ) -> tuple[Float[Array, "*shape"], StateT]:
        """The wrapped step with its output scaled by `factor`."""
        spikes, state = self.neuron.step(x, state)
        return spikes * self.param("factor", spikes), state


class WinnerTakeAll(AbstractNeuron[StateT], Generic[StateT]):
    r"""Let only the neuron with the highest membrane spike (snntorch `inhibition`).

    Along `axis`, with $k_t = \arg\max_j (v_{t,j} - \vartheta_j)$ on the
    wrapped neuron's new membrane $v_t$ (its state field `v`):

    $$ y_{t,j} = s_{t,j}\, [j = k_t] $$

    The wrapped neuron's state and resets are unchanged: a suppressed neuron
    is still reset as if it had fired (snntorch's behaviour with the delayed
    reset). The ranking uses the state `v` after the step: with
    `reset_timing="delayed"` (snntorch) that is the pre-reset membrane; with an
    immediate reset it is the post-reset membrane, which ranks neurons by the
    charge left after their reset. The wrapped neuron must have a `threshold`
    parameter and a state with a membrane `v` (`LIF`, `IF`, `Synaptic`,
    `RecurrentLIF`, ...).

    Args:
        neuron: the spiking neuron to wrap.
        axis: the axis of competing neurons (snntorch uses axis 1 of
            `(batch, neurons, ...)`; the default -1 is the feature axis).

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> wta = snn.WinnerTakeAll(snn.LIF(beta=0.5))
        >>> out, _ = snn.run(wta, jnp.array([[1.5, 2.0, 0.5]]), wta.init_state((3,)))
        >>> out[0].tolist()
        [0.0, 1.0, 0.0]

    References:
        Maass, *On the computational power of winner-take-all*, Neural
        Computation 12 (2000), doi:10.1162/089976600300014827.
    """

    neuron: AbstractNeuron[StateT]
    axis: int = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(self, neuron: AbstractNeuron[StateT], *, axis: int = -1):
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"`axis` must be an int; got {axis!r}.")
        self.neuron = neuron
        self.axis = axis
        self.learn = frozenset()

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> StateT:
        """The wrapped neuron's initial state."""
        if not -len(shape) <= self.axis < len(shape):
            raise ValueError(
                f"`axis` {self.axis} is out of range for inputs of shape {shape}."
            )
        return self.neuron.init_state(shape, dtype)

    def step(
        self, x: Shaped[Array, "*shape"], state: StateT
    ) -> tuple[Float[Array, "*shape"], StateT]:
        """The wrapped step, keeping only the spike of the winning neuron."""
        spikes, state = self.neuron.step(x, state)
        v: Array = state.v  # type: ignore[attr-defined]
        margin = jax.lax.stop_gradient(v - self.neuron.param("threshold", v))
        winner = jnp.argmax(margin, axis=self.axis, keepdims=True)
        positions = jax.lax.broadcasted_iota(winner.dtype, v.shape, self.axis % v.ndim)
        mask = (positions == winner).astype(spikes.dtype)
        return spikes * mask, state
