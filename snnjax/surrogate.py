r"""Surrogate spike functions: a Heaviside forward with a smooth stand-in derivative.

Every spiking model in snnjax emits spikes through one `jax.custom_jvp` rule.
The forward pass is the exact step function

$$ H(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases} $$

(or $x \ge 0$ when a model fires on `>=`), and the backward pass replaces
$H'(x)$, which is zero almost everywhere, by the derivative $\sigma'(x)$ of a
smooth *primitive* $\sigma$. Each surrogate is a small Equinox module whose
hyperparameters are array leaves, so a `jax.vmap` over surrogates is a sweep.
Hyperparameters receive exactly zero gradient: the spike function does not
depend on them in the forward pass, and the surrogate derivative is a
modelling choice, not a differentiable quantity.
"""

import abc
import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from . import _checks
from ._custom_types import ParamLike

__all__ = [
    "ATan",
    "AbstractSurrogate",
    "Boxcar",
    "Custom",
    "FastSigmoid",
    "Gaussian",
    "Sigmoid",
    "SingleExponential",
    "StraightThrough",
    "SuperSpike",
    "Triangle",
    "heaviside",
]


class AbstractSurrogate(eqx.Module):
    r"""Base class of the surrogate spike functions.

    A surrogate is called on the distance to threshold $x = v - \vartheta$ and
    returns $H(x)$ in the forward pass, with `derivative(x)` as its derivative.
    To define a new family, subclass it and implement `derivative` (and,
    optionally, `primitive`, a smooth function whose derivative is
    `derivative`; the test-suite checks the two agree). For a one-off
    derivative without a class, use [`Custom`][snnjax.surrogate.Custom].

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> f = snn.surrogate.FastSigmoid(slope=25.0)
        >>> f(jnp.array([-0.1, 0.2])).tolist()
        [0.0, 1.0]
        >>> float(jax.grad(lambda x: f(x))(0.0))
        1.0
    """

    @abc.abstractmethod
    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """Stand-in for $dH/dx$ at `x`; the formula is in the class docstring."""

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """A smooth function whose derivative is `derivative` (for tests, plots)."""
        raise NotImplementedError(
            f"{type(self).__name__} defines no smooth primitive; "
            "only `derivative` is needed to train."
        )

    def __call__(
        self, x: Float[Array, "*shape"], *, inclusive: bool = False
    ) -> Float[Array, "*shape"]:
        """Spike: $H(x)$, i.e. `x > 0` (or `x >= 0` with `inclusive=True`)."""
        return heaviside(x, self, inclusive=inclusive)


@eqx.filter_custom_jvp
def _heaviside(x, surrogate, inclusive):
    # The only custom derivative rule in snnjax. `inclusive` is a Python bool
    # (static for filter_custom_jvp); the surrogate's array leaves are regular
    # inputs whose tangents are ignored: hyperparameters get zero gradient.
    fired = (x >= 0) if inclusive else (x > 0)
    return fired.astype(x.dtype)


@_heaviside.def_jvp
def _heaviside_jvp(primals, tangents, *, inclusive):
    x, surrogate = primals
    x_dot, _ = tangents
    out = _heaviside(x, surrogate, inclusive=inclusive)
    if x_dot is None:  # symbolic zero tangent
        return out, jnp.zeros_like(x)
    slope = surrogate.derivative(x).astype(x.dtype)
    return out, slope * x_dot


def heaviside(
    x: Float[Array, "*shape"], surrogate: AbstractSurrogate, *, inclusive: bool = False
) -> Float[Array, "*shape"]:
    r"""Heaviside step with a surrogate derivative.

    Forward: $H(x) = 1$ if $x > 0$ (or $x \ge 0$ with `inclusive=True`), else
    0, in the dtype of `x`. Derivative with respect to `x`:
    `surrogate.derivative(x)`; with respect to the surrogate's hyperparameters:
    exactly zero.

    Args:
        x: distance to threshold, any shape, floating dtype.
        surrogate: the surrogate that supplies the derivative.
        inclusive: fire on `x >= 0` (spikingjelly, sinabs) instead of `x > 0`
            (snntorch, norse).

    Returns:
        Spikes in {0, 1}, same shape and dtype as `x`.
    """
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"`x` must be a floating-point array; got dtype {x.dtype}.")
    return _heaviside(x, surrogate, inclusive=inclusive)


def _cast(p: Array, x: Array) -> Array:
    return jnp.asarray(p).astype(jnp.result_type(x))


class StraightThrough(AbstractSurrogate):
    r"""Straight-through estimator: the gradient passes unchanged.

    $$ \sigma'(x) = 1, \qquad \sigma(x) = x $$

    Peak $\sigma'(0) = 1$; no hyperparameters. snntorch's
    `straight_through_estimator`.
    """

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\sigma'(x) = 1$."""
        return jnp.ones_like(x)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\sigma(x) = x$."""
        return x


class Sigmoid(AbstractSurrogate):
    r"""Logistic-sigmoid surrogate.

    $$ \sigma(x) = \frac{1}{1 + e^{-k x}}, \qquad
       \sigma'(x) = k\, \sigma(x)\,(1 - \sigma(x)) $$

    Value $\sigma(0) = 1/2$; peak $\sigma'(0) = k/4$. A larger `slope` $k$ makes
    the surrogate narrower and taller. snntorch `sigmoid(slope=k)` (default 25)
    and spikingjelly `Sigmoid(alpha=k)` (default 4) are this function.

    Args:
        slope: steepness $k > 0$.
    """

    slope: Float[Array, "*#shape"]

    def __init__(self, slope: ParamLike = 4.0):
        self.slope = _checks.check_range(
            "slope", _checks.as_param("slope", slope), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$k\,\sigma(kx)(1-\sigma(kx))$."""
        k = _cast(self.slope, x)
        # s(kx) s(-kx) equals s (1 - s) without the cancellation in 1 - s
        return k * jax.nn.sigmoid(k * x) * jax.nn.sigmoid(-k * x)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """$1 / (1 + e^{-kx})$."""
        return jax.nn.sigmoid(_cast(self.slope, x) * x)


class FastSigmoid(AbstractSurrogate):
    r"""Fast sigmoid (SuperSpike) surrogate.

    $$ \sigma'(x) = \frac{1}{(k\,|x| + 1)^2}, \qquad
       \sigma(x) = \frac{x}{1 + k\,|x|} $$

    Peak $\sigma'(0) = 1$ whatever the slope; a larger `slope` $k$ narrows it.
    snntorch `fast_sigmoid(slope=k)` (default 25); Zenke & Ganguli's SuperSpike.
    norse 1.1.0's `"super"` method is `FastSigmoid(slope=1.0)` (it ignores its
    `alpha`).

    Args:
        slope: steepness $k > 0$.

    References:
        Zenke & Ganguli, *SuperSpike*, Neural Computation 30 (2018),
        doi:10.1162/neco_a_01086.
    """

    slope: Float[Array, "*#shape"]

    def __init__(self, slope: ParamLike = 25.0):
        self.slope = _checks.check_range(
            "slope", _checks.as_param("slope", slope), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """$1/(k|x|+1)^2$."""
        return 1 / (_cast(self.slope, x) * jnp.abs(x) + 1) ** 2

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """$x/(1+k|x|)$."""
        return x / (1 + _cast(self.slope, x) * jnp.abs(x))


SuperSpike = FastSigmoid


class ATan(AbstractSurrogate):
    r"""Arc-tangent surrogate.

    $$ \sigma(x) = \frac{1}{\pi} \arctan\!\left(\frac{\pi}{2} k x\right)
       + \frac{1}{2}, \qquad
       \sigma'(x) = \frac{k / 2}{1 + \left(\frac{\pi}{2} k x\right)^2} $$

    Value $\sigma(0) = 1/2$; peak $\sigma'(0) = k/2$. spikingjelly
    `ATan(alpha=k)` and snntorch `atan(alpha=k)` (both default $k = 2$) run
    exactly this derivative; snntorch's docstring prints a $1/\pi$ form that is
    not what its code computes.

    Args:
        slope: steepness $k > 0$.

    References:
        Fang et al., *Incorporating learnable membrane time constant*, ICCV 2021,
        arXiv:2007.05785.
    """

    slope: Float[Array, "*#shape"]

    def __init__(self, slope: ParamLike = 2.0):
        self.slope = _checks.check_range(
            "slope", _checks.as_param("slope", slope), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$(k/2)/(1+(\pi k x/2)^2)$."""
        k = _cast(self.slope, x)
        return (k / 2) / (1 + (math.pi / 2 * k * x) ** 2)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$\arctan(\pi k x/2)/\pi + 1/2$."""
        k = _cast(self.slope, x)
        return jnp.arctan(math.pi / 2 * k * x) / math.pi + 0.5


class Triangle(AbstractSurrogate):
    r"""Triangular (piecewise-linear) surrogate.

    $$ \sigma'(x) = k \max\!\left(0,\; 1 - \frac{|x|}{w}\right) $$

    $$ \sigma(x) = k \left( \operatorname{clip}(x, -w, w)
       - \frac{\operatorname{sign}(x)\,\operatorname{clip}(x, -w, w)^2}{2 w}
       \right) $$

    Peak $\sigma'(0) = k$, support $|x| < w$. norse's `"triangle"` method with
    `alpha=a` is `Triangle(slope=a, width=1.0)`; spikingjelly's
    `PiecewiseQuadratic(alpha=a)` is `Triangle(slope=a, width=1/a)`.

    Args:
        slope: peak height $k > 0$.
        width: half-width $w > 0$ of the support.

    References:
        Esser et al., *Convolutional networks for fast, energy-efficient
        neuromorphic computing*, PNAS 113 (2016), doi:10.1073/pnas.1604850113.
    """

    slope: Float[Array, "*#shape"]
    width: Float[Array, "*#shape"]

    def __init__(
        self,
        slope: ParamLike = 1.0,
        width: ParamLike = 1.0,
    ):
        self.slope = _checks.check_range(
            "slope", _checks.as_param("slope", slope), lower=0.0, lower_open=True
        )
        self.width = _checks.check_range(
            "width", _checks.as_param("width", width), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$k\max(0, 1-|x|/w)$."""
        k, w = _cast(self.slope, x), _cast(self.width, x)
        return k * jnp.maximum(0, 1 - jnp.abs(x) / w)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """Piecewise quadratic, constant outside $|x| < w$."""
        k, w = _cast(self.slope, x), _cast(self.width, x)
        c = jnp.clip(x, -w, w)
        return k * (c - jnp.sign(c) * c**2 / (2 * w))


class SingleExponential(AbstractSurrogate):
    r"""Two-sided exponential surrogate (sinabs `SingleExponential`).

    $$ \sigma'(x) = \frac{a}{w} e^{-|x|/w}, \qquad
       \sigma(x) = a\, \operatorname{sign}(x) \left(1 - e^{-|x|/w}\right) $$

    Peak $\sigma'(0) = a / w$. sinabs scales its width by the threshold:
    `SingleExponential(grad_width=g, grad_scale=a)` with threshold $\vartheta$ is
    `SingleExponential(width=g * theta, scale=a)`.

    Args:
        width: decay length $w > 0$.
        scale: integral scale $a > 0$.

    References:
        Shrestha & Orchard, *SLAYER*, NeurIPS 2018, arXiv:1810.08646.
    """

    width: Float[Array, "*#shape"]
    scale: Float[Array, "*#shape"]

    def __init__(
        self,
        width: ParamLike = 0.5,
        scale: ParamLike = 1.0,
    ):
        self.width = _checks.check_range(
            "width", _checks.as_param("width", width), lower=0.0, lower_open=True
        )
        self.scale = _checks.check_range(
            "scale", _checks.as_param("scale", scale), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """$(a/w) e^{-|x|/w}$."""
        w, a = _cast(self.width, x), _cast(self.scale, x)
        return a / w * jnp.exp(-jnp.abs(x) / w)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$a\,\mathrm{sign}(x)(1-e^{-|x|/w})$."""
        w, a = _cast(self.width, x), _cast(self.scale, x)
        return a * jnp.sign(x) * (1 - jnp.exp(-jnp.abs(x) / w))


class Gaussian(AbstractSurrogate):
    r"""Gaussian surrogate.

    $$ \sigma'(x) = \frac{a}{\sqrt{2\pi}\, w} e^{-x^2 / (2 w^2)}, \qquad
       \sigma(x) = \frac{a}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt{2}\, w}
       \right) $$

    Value $\sigma(0) = a/2$; peak $\sigma'(0) = a / (\sqrt{2\pi} w)$.

    Args:
        width: standard deviation $w > 0$.
        scale: integral $a > 0$ of the derivative.

    References:
        Yin et al., *Accurate and efficient time-domain classification with
        adaptive spiking recurrent neural networks*, Nat. Mach. Intell. 3 (2021),
        doi:10.1038/s42256-021-00397-w.
    """

    width: Float[Array, "*#shape"]
    scale: Float[Array, "*#shape"]

    def __init__(
        self,
        width: ParamLike = 0.5,
        scale: ParamLike = 1.0,
    ):
        self.width = _checks.check_range(
            "width", _checks.as_param("width", width), lower=0.0, lower_open=True
        )
        self.scale = _checks.check_range(
            "scale", _checks.as_param("scale", scale), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$a\,\mathcal{N}(x; 0, w^2)$."""
        w, a = _cast(self.width, x), _cast(self.scale, x)
        # (x/w)^2, not x^2/w^2: w^2 underflows to 0 for tiny widths (0/0 = NaN
        # at the threshold) and x^2 overflows for huge inputs (inf/inf = NaN)
        z = x / w
        return a / (math.sqrt(2 * math.pi) * w) * jnp.exp(-(z**2) / 2)

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$(a/2)(1+\mathrm{erf}(x/(\sqrt{2}w)))$."""
        w, a = _cast(self.width, x), _cast(self.scale, x)
        return a / 2 * (1 + jax.scipy.special.erf(x / (math.sqrt(2) * w)))


class Boxcar(AbstractSurrogate):
    r"""Boxcar (rectangular) surrogate.

    $$ \sigma'(x) = \frac{a}{w}\, \mathbb{1}\!\left[|x| < \frac{w}{2}\right],
       \qquad \sigma(x) = a\, \operatorname{clip}\!\left(\frac{x}{w} + \frac{1}{2},
       0, 1\right) $$

    Value $\sigma(0) = a/2$; peak $\sigma'(0) = a / w$ on a window of width
    $w$ centred on the threshold.

    Args:
        width: window width $w > 0$.
        scale: integral $a > 0$ of the derivative.

    References:
        Wu et al., *Spatio-temporal backpropagation for training
        high-performance spiking neural networks*, Front. Neurosci. 12 (2018),
        doi:10.3389/fnins.2018.00331.
    """

    width: Float[Array, "*#shape"]
    scale: Float[Array, "*#shape"]

    def __init__(
        self,
        width: ParamLike = 1.0,
        scale: ParamLike = 1.0,
    ):
        self.width = _checks.check_range(
            "width", _checks.as_param("width", width), lower=0.0, lower_open=True
        )
        self.scale = _checks.check_range(
            "scale", _checks.as_param("scale", scale), lower=0.0, lower_open=True
        )

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$(a/w)\,\mathbb{1}[|x| < w/2]$."""
        w, a = _cast(self.width, x), _cast(self.scale, x)
        return jnp.where(jnp.abs(x) < w / 2, a / w, jnp.zeros_like(x))

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        r"""$a\,\mathrm{clip}(x/w + 1/2, 0, 1)$."""
        w, a = _cast(self.width, x), _cast(self.scale, x)
        return a * jnp.clip(x / w + 0.5, 0, 1)


class Custom(AbstractSurrogate):
    r"""A surrogate defined by a user-supplied derivative function.

    $$ \sigma'(x) = f(x) $$

    where $f$ is any elementwise JAX function. Hyperparameters closed over by
    $f$ are constants; for sweepable hyperparameters subclass
    [`AbstractSurrogate`][snnjax.surrogate.AbstractSurrogate] and store them as
    array fields instead.

    Args:
        derivative_fn: elementwise function `x -> sigma'(x)` returning an array
            of the shape of `x`.
        primitive_fn: optional smooth function whose derivative is
            `derivative_fn` (used by `primitive`).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> f = snn.surrogate.Custom(lambda x: jnp.exp(-x**2))
        >>> float(jax.grad(lambda x: f(x))(0.0))
        1.0
    """

    derivative_fn: Callable[[Array], Array] = eqx.field(static=True)
    primitive_fn: Callable[[Array], Array] | None = eqx.field(static=True)

    def __init__(
        self,
        derivative_fn: Callable[[Array], Array],
        primitive_fn: Callable[[Array], Array] | None = None,
    ):
        if not callable(derivative_fn):
            raise TypeError(f"`derivative_fn` must be callable; got {derivative_fn!r}.")
        if primitive_fn is not None and not callable(primitive_fn):
            raise TypeError(f"`primitive_fn` must be callable; got {primitive_fn!r}.")
        self.derivative_fn = derivative_fn
        self.primitive_fn = primitive_fn

    def derivative(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """$f(x)$, the user function."""
        out = jnp.asarray(self.derivative_fn(x))
        if out.shape != x.shape:
            raise ValueError(
                f"`derivative_fn` must return the shape of its input {x.shape}; "
                f"got {out.shape}."
            )
        return out

    def primitive(self, x: Float[Array, "*shape"]) -> Float[Array, "*shape"]:
        """The user's `primitive_fn`."""
        if self.primitive_fn is None:
            return super().primitive(x)
        return self.primitive_fn(x)
