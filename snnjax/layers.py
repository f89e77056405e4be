"""Stateless layers that act on the trailing feature axes of any input.

A layer maps `x -> y` with no state. Because it acts only on the trailing
axes, the same call works on one time step `(*batch, features)` and on a whole
sequence `(time, *batch, features)`: inside [`Sequential`][snnjax.Sequential],
[`snnjax.run`][snnjax.run] applies each layer to all time steps at once (one
large matmul) and scans only the neuron dynamics.
"""

import abc
import math

import equinox as eqx
import jax.numpy as jnp
import jax.random as jr
from jaxtyping import Array, Float, PRNGKeyArray, Shaped


class AbstractLayer(eqx.Module):
    """Base class of the stateless layers: `y = layer(x)` on trailing axes."""

    @abc.abstractmethod
    def __call__(self, x: Shaped[Array, "*batch features"]) -> Array:
        """Apply the layer to the trailing axes of `x`."""


class Linear(AbstractLayer):
    r"""Affine map of the last axis: $y = x W^\top + b$.

    Applied to any number of leading axes (time, batch, ...) in one matmul.
    Weights and bias are initialised as `torch.nn.Linear` and `eqx.nn.Linear`
    do, $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$. Integer or boolean
    spike inputs are cast to the weight dtype.

    Args:
        in_features: size $n_\text{in}$ of the input's last axis.
        out_features: size $n_\text{out}$ of the output's last axis.
        use_bias: add the bias $b$.
        key: a `jax.random` key for the initialisation.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> layer = snn.Linear(3, 2, key=jax.random.key(0))
        >>> layer(jnp.ones((10, 4, 3))).shape  # (time, batch, features)
        (10, 4, 2)
    """

    weight: Float[Array, "out_features in_features"]
    bias: Float[Array, " out_features"] | None
    in_features: int = eqx.field(static=True)
    out_features: int = eqx.field(static=True)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        use_bias: bool = True,
        key: PRNGKeyArray,
    ):
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise ValueError(f"`{name}` must be a positive int; got {n!r}.")
        bound = 1 / math.sqrt(in_features)
        kw, kb = jr.split(key)
        self.weight = jr.uniform(
            kw, (out_features, in_features), minval=-bound, maxval=bound
        )
        self.bias = (
            jr.uniform(kb, (out_features,), minval=-bound, maxval=bound)
            if use_bias
            else None
        )
        self.in_features = in_features
        self.out_features = out_features

    def __call__(
        self, x: Shaped[Array, "*batch in_features"]
    ) -> Float[Array, "*batch out_features"]:
        r"""$x W^\top + b$ over the last axis."""
        x = jnp.asarray(x)
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"`x` must end with {self.in_features} features; got shape {x.shape}."
            )
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.weight.dtype)
        y = jnp.einsum("...i,oi->...o", x, self.weight.astype(x.dtype))
        if self.bias is not None:
            y = y + jnp.broadcast_to(self.bias.astype(x.dtype), y.shape)
        return y


class Flatten(AbstractLayer):
    """Merge the last `ndim` axes into one (e.g. `(C, H, W)` -> `C*H*W`).

    Args:
        ndim: how many trailing axes form one sample's features (>= 1).

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> snn.Flatten(3)(jnp.zeros((10, 4, 2, 5, 5))).shape
        (10, 4, 50)
    """

    ndim: int = eqx.field(static=True)

    def __init__(self, ndim: int = 1):
        if not isinstance(ndim, int) or isinstance(ndim, bool) or ndim < 1:
            raise ValueError(f"`ndim` must be a positive int; got {ndim!r}.")
        self.ndim = ndim

    def __call__(self, x: Shaped[Array, "*batch features"]) -> Array:
        """Reshape `(*lead, *trailing)` to `(*lead, prod(trailing))`."""
        x = jnp.asarray(x)
        if x.ndim < self.ndim:
            raise ValueError(
                f"`x` needs at least {self.ndim} axes to flatten; got shape {x.shape}."
            )
        lead = x.shape[: x.ndim - self.ndim]
        return x.reshape(*lead, math.prod(x.shape[x.ndim - self.ndim :]))
