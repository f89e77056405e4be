"""spikingjelly's surrogate classes, returning snnjax surrogates.

Pass them as `surrogate_function=` to the neurons in
`snnjax.compat.spikingjelly.activation_based.neuron`, as in spikingjelly.
"""

import math

import jax.numpy as jnp
from jaxtyping import Array, Float

from .... import _checks, surrogate as _s
from ...._custom_types import ParamLike
from ..._common import unsupported

__all__ = [
    "ATan",
    "Erf",
    "PiecewiseExp",
    "PiecewiseLeakyReLU",
    "PiecewiseQuadratic",
    "Sigmoid",
    "SoftSign",
]


def _check_spiking(spiking: bool) -> None:
    if spiking is not True:
        raise unsupported(
            "spikingjelly",
            "spiking",
            spiking,
            "snnjax neurons always emit binary spikes; use the surrogate's "
            "`primitive` for a smooth activation",
        )


def Sigmoid(alpha: ParamLike = 4.0, spiking: bool = True) -> _s.Sigmoid:
    r"""spikingjelly `Sigmoid(alpha)`: $\alpha s (1 - s)$ with $s = s(\alpha x)$.

    Returns `snnjax.surrogate.Sigmoid(slope=alpha)`.
    """
    _check_spiking(spiking)
    return _s.Sigmoid(slope=alpha)


def ATan(alpha: ParamLike = 2.0, spiking: bool = True) -> _s.ATan:
    r"""spikingjelly `ATan(alpha)`: $\sigma'(x) = (\alpha/2)/(1 + (\pi\alpha x/2)^2)$.

    Returns `snnjax.surrogate.ATan(slope=alpha)`.
    """
    _check_spiking(spiking)
    return _s.ATan(slope=alpha)


def PiecewiseQuadratic(alpha: ParamLike = 1.0, spiking: bool = True) -> _s.Triangle:
    r"""spikingjelly `PiecewiseQuadratic(alpha)`: $\max(0, \alpha - \alpha^2|x|)$.

    Returns `snnjax.surrogate.Triangle(slope=alpha, width=1/alpha)`.
    """
    _check_spiking(spiking)
    alpha = _positive_alpha(alpha)  # checked before 1/alpha divides by zero
    return _s.Triangle(slope=alpha, width=1.0 / alpha)


def PiecewiseExp(alpha: ParamLike = 1.0, spiking: bool = True) -> _s.SingleExponential:
    r"""spikingjelly `PiecewiseExp(alpha)`: $\sigma'(x) = (\alpha/2) e^{-\alpha|x|}$.

    Returns `snnjax.surrogate.SingleExponential(width=1/alpha, scale=0.5)`.
    """
    _check_spiking(spiking)
    return _s.SingleExponential(width=1.0 / _positive_alpha(alpha), scale=0.5)


def Erf(alpha: ParamLike = 2.0, spiking: bool = True) -> _s.Gaussian:
    r"""spikingjelly `Erf(alpha)`: $\sigma'(x) = (\alpha/\sqrt{\pi}) e^{-\alpha^2 x^2}$.

    Returns `snnjax.surrogate.Gaussian(width=1/(sqrt(2) alpha), scale=1.0)`.
    """
    _check_spiking(spiking)
    return _s.Gaussian(width=1.0 / (math.sqrt(2.0) * _positive_alpha(alpha)), scale=1.0)


def _positive_alpha(alpha: ParamLike) -> Array:
    return _checks.check_range(
        "alpha", _checks.as_param("alpha", alpha), lower=0.0, lower_open=True
    )


class _SoftSign(_s.AbstractSurrogate):
    r"""spikingjelly's soft-sign surrogate.

    $$ \sigma'(x) = \frac{\alpha}{2 (1 + \alpha |x|)^2}, \qquad
       \sigma(x) = \frac{1}{2}\left(\frac{\alpha x}{1 + \alpha |x|} + 1\right) $$

    Value $\sigma(0) = 1/2$; peak $\sigma'(0) = \alpha/2$. It is
    `FastSigmoid(slope=alpha)` scaled by $\alpha/2$.
    """

    slope: Float[Array, "*#shape"]

    def __init__(self, slope: ParamLike):
        self.slope = _checks.check_range(
            "alpha", _checks.as_param("alpha", slope), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\alpha / (2 (1 + \alpha|x|)^2)$."""
        a = jnp.asarray(self.slope).astype(x.dtype)
        return a / (2 * (1 + a * jnp.abs(x)) ** 2)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$(\alpha x / (1 + \alpha|x|) + 1) / 2$."""
        a = jnp.asarray(self.slope).astype(x.dtype)
        return (a * x / (1 + a * jnp.abs(x)) + 1) / 2


def SoftSign(alpha: ParamLike = 2.0, spiking: bool = True) -> _s.AbstractSurrogate:
    r"""spikingjelly `SoftSign(alpha)`: $\sigma'(x) = \alpha / (2(1 + \alpha|x|)^2)$.

    Returns a surrogate with that derivative and the primitive
    $(\alpha x/(1 + \alpha|x|) + 1)/2$; `alpha > 0` (spikingjelly asserts it).
    """
    _check_spiking(spiking)
    return _SoftSign(alpha)


class _PiecewiseLeakyReLU(_s.AbstractSurrogate):
    r"""spikingjelly's piecewise leaky-ReLU surrogate, as its backward computes it.

    $$ \sigma'(x) = \begin{cases} 1/w & |x| < w \\ c & |x| \ge w \end{cases}
       \qquad \sigma(x) = \frac{\operatorname{clip}(x, -w, w)}{w}
       + c\,(x - \operatorname{clip}(x, -w, w)) $$

    Peak $\sigma'(0) = 1/w$. spikingjelly documents $1/(2w)$ inside the window
    (and its primitive has that slope), but its backward pass uses $1/w$;
    this class follows the backward.
    """

    width: Float[Array, "*#shape"]
    leak: Float[Array, "*#shape"]

    def __init__(self, width: ParamLike, leak: ParamLike):
        self.width = _checks.check_range(
            "w", _checks.as_param("w", width), lower=0.0, lower_open=True
        )
        self.leak = _checks.check_finite("c", _checks.as_param("c", leak))

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$1/w$ for $|x| < w$, else $c$."""
        w = jnp.asarray(self.width).astype(x.dtype)
        c = jnp.asarray(self.leak).astype(x.dtype)
        return jnp.where(jnp.abs(x) < w, 1 / w, c)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\mathrm{clip}(x, -w, w)/w + c\,(x - \mathrm{clip}(x, -w, w))$."""
        w = jnp.asarray(self.width).astype(x.dtype)
        c = jnp.asarray(self.leak).astype(x.dtype)
        inner = jnp.clip(x, -w, w)
        return inner / w + c * (x - inner)


def PiecewiseLeakyReLU(
    w: ParamLike = 1.0, c: ParamLike = 0.01, spiking: bool = True
) -> _s.AbstractSurrogate:
    r"""spikingjelly `PiecewiseLeakyReLU(w, c)`: $1/w$ on $|x| < w$, $c$ outside.

    This is the derivative spikingjelly's backward pass computes (its docstring
    says $1/(2w)$ inside the window). `w > 0` (spikingjelly asserts it).
    """
    _check_spiking(spiking)
    return _PiecewiseLeakyReLU(w, c)
