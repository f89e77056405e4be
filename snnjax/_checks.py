"""Parameter conversion and value checks shared by every model.

Concrete values are checked eagerly and raise `ValueError` naming the argument,
the value and the allowed range. Traced values (a constructor called under
`jax.vmap`/`jax.jit`) are checked with `eqx.error_if`, so building a batch of
models for a parameter sweep still works and still fails loudly.
"""

from collections.abc import Collection

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer
from jaxtyping import Array, ArrayLike


def as_param(name: str, value: ArrayLike) -> Array:
    """Convert a numeric parameter to a floating JAX array.

    Python scalars stay weakly typed (so a bf16 model stays bf16); integer
    arrays become the default float dtype. Booleans, strings and `None` are
    rejected with a message naming the argument.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        raise TypeError(f"`{name}` must be a number or an array; got {value!r}.")
    if isinstance(value, int):
        value = float(value)  # a Python int literal, not a traced parameter
    arr = jnp.asarray(value)
    if not jnp.issubdtype(arr.dtype, jnp.floating):
        if jnp.issubdtype(arr.dtype, jnp.integer):
            arr = arr.astype(jnp.result_type(float))
        else:
            raise TypeError(
                f"`{name}` must be a real floating-point array; got dtype {arr.dtype}."
            )
    return arr


def _is_concrete(x: Array) -> bool:
    return not isinstance(x, Tracer)


def check_range(
    name: str,
    value: Array,
    *,
    lower: float | None = None,
    upper: float | None = None,
    lower_open: bool = False,
    upper_open: bool = False,
) -> Array:
    """Check `lower <= value <= upper` (or open bounds) and finiteness.

    Returns the value, wrapped in `eqx.error_if` when it is traced; callers
    must store the returned array.
    """
    bad = ~jnp.isfinite(value)
    if lower is not None:
        bad = bad | ((value <= lower) if lower_open else (value < lower))
    if upper is not None:
        bad = bad | ((value >= upper) if upper_open else (value > upper))
    lo = "-inf" if lower is None else f"{lower:g}"
    hi = "inf" if upper is None else f"{upper:g}"
    interval = f"{'(' if lower_open or lower is None else '['}{lo}, {hi}"
    interval += ")" if upper_open or upper is None else "]"
    message = f"`{name}` must be finite and in {interval}"
    if _is_concrete(value):
        bad_np = np.asarray(bad)
        if bad_np.any():
            got = np.asarray(value)
            shown = got if got.size <= 8 else got[bad_np][:8]
            raise ValueError(f"{message}; got {shown}.")
        return value
    return eqx.error_if(value, bad, f"{message}.")


def check_finite(name: str, value: Array) -> Array:
    """Check that every element is finite (no NaN or inf)."""
    return check_range(name, value)


def check_positive_int(name: str, value: object) -> int:
    """Return `value` if it is an int >= 1 (not a bool); else `ValueError`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be a positive int; got {value!r}.")
    return value


def check_option(name: str, value: object, allowed: Collection[object]) -> None:
    """Raise `ValueError` unless `value` is one of `allowed`."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"`{name}` must be one of {choices}; got {value!r}.")


def check_learn(learn: Collection[str], allowed: Collection[str]) -> frozenset[str]:
    """Validate a `learn` set of parameter names and return it frozen."""
    if isinstance(learn, str):
        raise TypeError(
            f"`learn` must be a collection of parameter names, e.g. {{{learn!r}}}; "
            f"got the string {learn!r}."
        )
    learn = frozenset(learn)
    unknown = sorted(learn - frozenset(allowed))
    if unknown:
        raise ValueError(
            f"`learn` names unknown parameters {unknown}; "
            f"this model can learn {sorted(allowed)}."
        )
    return learn


def check_less(
    name_low: str, low: Array, name_high: str, high: Array, *, why: str = ""
) -> Array:
    """Check `low < high` elementwise; returns `low` (wrapped when traced)."""
    bad = ~(low < high)
    message = f"`{name_low}` must be below `{name_high}`{why}"
    if _is_concrete(low) and _is_concrete(high):
        if np.asarray(bad).any():
            raise ValueError(
                f"{message}; got {name_low}={np.asarray(low)}, "
                f"{name_high}={np.asarray(high)}."
            )
        return low
    return eqx.error_if(low, bad, f"{message}.")


def check_different(name_a: str, a: Array, name_b: str, b: Array) -> Array:
    """Check `a != b` elementwise; returns `a` (wrapped when traced)."""
    bad = a == b
    message = f"`{name_a}` must differ from `{name_b}`"
    if _is_concrete(a) and _is_concrete(b):
        if np.asarray(bad).any():
            raise ValueError(f"{message}; both are {np.asarray(a)}.")
        return a
    return eqx.error_if(a, bad, f"{message}.")
