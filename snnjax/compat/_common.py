"""Helpers shared by the compat constructors."""

from collections.abc import Mapping


def learn_set(flags: Mapping[str, bool]) -> frozenset[str]:
    """Names whose `learn_<name>` flag is set, e.g. `{"beta": True}` -> {"beta"}."""
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise TypeError(f"`learn_{name}` must be a bool; got {flag!r}.")
    return frozenset(name for name, flag in flags.items() if flag)


def unsupported(
    library: str, name: str, value: object, why: str
) -> NotImplementedError:
    """Error for a seed option snnjax does not (yet) reproduce."""
    return NotImplementedError(
        f"{library}: `{name}={value!r}` is not supported by snnjax.compat ({why})."
    )
