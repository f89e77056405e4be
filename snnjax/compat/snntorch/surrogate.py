"""snntorch's surrogate namespace (`snntorch.surrogate`), returning snnjax surrogates.

Pass the result as `spike_grad=` to [`Leaky`][snnjax.compat.snntorch.Leaky] or
[`Synaptic`][snnjax.compat.snntorch.Synaptic], as in snntorch.
"""

from ... import surrogate as _s
from ..._custom_types import ParamLike

__all__ = ["atan", "fast_sigmoid", "sigmoid", "straight_through_estimator"]


def atan(alpha: ParamLike = 2.0) -> _s.ATan:
    r"""snntorch `atan(alpha)`: $\sigma'(u) = (\alpha/2)/(1 + (\pi \alpha u/2)^2)$.

    This is the derivative snntorch 1.0 computes (its docstring shows a
    $1/\pi$ form that its code does not use). Returns `snnjax.surrogate.ATan`.
    """
    return _s.ATan(slope=alpha)


def fast_sigmoid(slope: ParamLike = 25.0) -> _s.FastSigmoid:
    r"""snntorch `fast_sigmoid(slope)`: $\sigma'(u) = 1/(k|u| + 1)^2$, $k$ = `slope`."""
    return _s.FastSigmoid(slope=slope)


def sigmoid(slope: ParamLike = 25.0) -> _s.Sigmoid:
    r"""snntorch `sigmoid(slope)`: $\sigma'(u) = k e^{-ku}/(e^{-ku} + 1)^2$."""
    return _s.Sigmoid(slope=slope)


def straight_through_estimator() -> _s.StraightThrough:
    r"""snntorch `straight_through_estimator()`: $\sigma'(u) = 1$."""
    return _s.StraightThrough()
