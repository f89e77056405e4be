"""The neuron base class and the machinery shared by every model.

A neuron is an Equinox module with

* parameters as array leaves (scalar or per neuron, broadcast against the
  trailing axes of the input),
* options as static fields, validated at construction,
* a static `learn` set naming the parameters that receive gradients (all
  others pass through `jax.lax.stop_gradient`, so their gradient is exactly
  zero),
* an explicit state pytree created by `init_state(shape, dtype)`.

`AbstractNeuron.__call__(x, state)` validates the state against the input once
(at trace time) and calls the model's `step`, which holds the update in the
order the seed library runs it. The seeds do not share one phase order
(snntorch applies the reset at the next step, norse adds the input after
firing), so the template is "validate, then one pure step" rather than a fixed
charge/fire/reset sequence; the shared pieces (spike test, reset rules,
learnability) are functions here that every model calls.
"""

import abc
import dataclasses
from collections.abc import Collection
from typing import Any, Generic, Literal, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
from jaxtyping import Array, ArrayLike, Float, Shaped

from ..surrogate import AbstractSurrogate, heaviside

StateT = TypeVar("StateT")

SpikeTest = Literal[">", ">="]
Reset = Literal["subtract", "zero", "none"]
SPIKE_TESTS: tuple[str, ...] = (">", ">=")
RESETS: tuple[str, ...] = ("subtract", "zero", "none")


class AbstractNeuron(eqx.Module, Generic[StateT]):
    """Base class of every stateful neuron model.

    Subclasses implement `init_state` and `step`; calling a neuron,
    `out, state = neuron(x, state)`, checks that every state array has the
    shape and dtype of `x` and advances one time step. Use
    [`snnjax.run`][snnjax.run] to integrate over a sequence.
    """

    learn: eqx.AbstractVar[frozenset[str]]

    @abc.abstractmethod
    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> StateT:
        """The seed library's default initial state for inputs of `shape`."""

    @abc.abstractmethod
    def step(
        self, x: Float[Array, "*shape"], state: StateT
    ) -> tuple[Float[Array, "*shape"], StateT]:
        """Advance one time step: `(x_t, state) -> (output_t, new_state)`."""

    def __call__(
        self, x: Shaped[ArrayLike, "*shape"], state: StateT
    ) -> tuple[Float[Array, "*shape"], StateT]:
        """One time step with the input and state checked."""
        x = jnp.asarray(x)
        check_input(x)
        check_state(self, state, x.shape, x.dtype)
        check_param_shapes(self, x.shape)
        return self.step(x, state)

    def param(self, name: str, like: Array) -> Array:
        """Parameter `name` cast to `like`'s dtype, frozen unless in `learn`.

        Casting to the input dtype keeps bfloat16 runs in bfloat16 (as torch
        does with 0-dim parameters); broadcasting to `like.shape` is explicit
        so it also works under `jax_numpy_rank_promotion="raise"`.
        """
        value = getattr(self, name)
        if name not in self.learn:
            value = jax.lax.stop_gradient(value)
        if is_weight(self, name):  # a connection matrix: cast, never broadcast
            return value.astype(like.dtype)
        return jnp.broadcast_to(value.astype(like.dtype), like.shape)


def weight_field(**kwargs: Any) -> Any:
    """A dataclass field for a weight array (not a per-neuron parameter).

    Weights (recurrent matrices, ...) are exempt from the per-neuron shape check
    and are cast but not broadcast by `AbstractNeuron.param`.
    """
    return eqx.field(metadata={"snnjax_weight": True}, **kwargs)


def is_weight(model: eqx.Module, name: str) -> bool:
    """Whether field `name` of `model` was declared with `weight_field`."""
    for field in dataclasses.fields(model):
        if field.name == name:
            return bool(field.metadata.get("snnjax_weight", False))
    raise AttributeError(f"{type(model).__name__} has no field {name!r}.")


def check_input(x: Array) -> None:
    """Raise `TypeError` unless `x` is a floating-point array."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(
            f"the input `x` must be a floating-point array (an input current); "
            f"got dtype {x.dtype}. Cast spike inputs with `x.astype(jnp.float32)`."
        )


def check_state(
    model: eqx.Module, state: object, shape: tuple[int, ...], dtype: jnp.dtype
) -> None:
    """Every state array must have the input's shape and dtype."""
    name = type(model).__name__
    leaves = jtu.tree_leaves_with_path(state)
    if not leaves:
        raise TypeError(
            f"`state` for {name} holds no arrays; got {state!r}. "
            f"Use `{name.lower()}.init_state(x.shape)`."
        )
    for path, leaf in leaves:
        where = "state" + jtu.keystr(path)
        leaf_shape = getattr(leaf, "shape", None)
        if leaf_shape != shape:
            raise ValueError(
                f"`{where}` has shape {leaf_shape}, but the input step has shape "
                f"{shape}; create the state with `model.init_state(x.shape)` "
                "(for a sequence `xs` of shape (time, ...), "
                "`model.init_state(xs.shape[1:])`)."
            )
        leaf_dtype = getattr(leaf, "dtype", None)
        if leaf_dtype != dtype:
            raise TypeError(
                f"`{where}` has dtype {leaf_dtype}, but the input has dtype {dtype}; "
                "create the state with `model.init_state(x.shape, x.dtype)`."
            )


def check_param_shapes(model: eqx.Module, shape: tuple[int, ...]) -> None:
    """Parameters must broadcast to the input shape without changing it."""
    for field in dataclasses.fields(model):
        value = getattr(model, field.name)
        field_name = field.name
        if not isinstance(value, jax.Array) or field.metadata.get("snnjax_weight"):
            continue
        try:
            out = jnp.broadcast_shapes(value.shape, shape)
        except ValueError:
            out = None
        if out != shape:
            raise ValueError(
                f"`{field_name}` has shape {value.shape}, which does not broadcast "
                f"to the input shape {shape}; per-neuron parameters must match the "
                "trailing (feature) axes of the input."
            )


def check_callable(name: str, fn: object) -> None:
    """Raise `TypeError` unless `fn` is `None` or callable."""
    if fn is not None and not callable(fn):
        raise TypeError(f"`{name}` must be a function or None; got {fn!r}.")


def fire(
    v: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    spike_test: SpikeTest,
) -> Float[Array, "*shape"]:
    r"""Spikes $s = H(v - \vartheta)$ with `>` or `>=` and a surrogate gradient."""
    return heaviside(v - threshold, surrogate, inclusive=spike_test == ">=")


def detach_if(x: Array, detach: bool) -> Array:
    """`stop_gradient(x)` when `detach` (a static option) is set."""
    return jax.lax.stop_gradient(x) if detach else x


def reset_now(
    h: Float[Array, "*shape"],
    spikes: Float[Array, "*shape"],
    *,
    reset: Reset,
    threshold: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
) -> Float[Array, "*shape"]:
    r"""Reset in the same step as the spike (spikingjelly's order).

    * `"subtract"`: $v = h - s\,\vartheta$
    * `"zero"`: $v = s\,v_\text{reset} + (1 - s)\,h$
    * `"none"`: $v = h$
    """
    if reset == "subtract":
        return h - spikes * threshold
    if reset == "zero":
        return spikes * v_reset + (1 - spikes) * h
    return h


def validate_options(
    *,
    reset: str,
    spike_test: str,
    learn: Collection[str],
    allowed_learn: Collection[str],
) -> None:
    """Shared checks for the reset and spike-test options and the learn set."""
    from .._checks import check_learn, check_option

    check_option("reset", reset, RESETS)
    check_option("spike_test", spike_test, SPIKE_TESTS)
    check_learn(learn, allowed_learn)
