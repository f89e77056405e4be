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
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jaxtyping import Array, ArrayLike, Bool, Float, PRNGKeyArray, Shaped

from ._checks import check_positive_int
from .neurons._base import AbstractNeuron


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

    With a `mask` $M$ (0/1 of the weight's shape, fixed, never trained) the
    layer computes $y = x (M \odot W)^\top + b$: a sparse or structured
    connection (e.g. a recurrent matrix without self-connections, or local
    receptive fields). Gradients reach only the unmasked weights.

    Args:
        in_features: size $n_\text{in}$ of the input's last axis.
        out_features: size $n_\text{out}$ of the output's last axis.
        use_bias: add the bias $b$.
        mask: optional 0/1 (or boolean) array of shape
            `(out_features, in_features)` selecting the connections.
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
    mask: Bool[Array, "out_features in_features"] | None
    in_features: int = eqx.field(static=True)
    out_features: int = eqx.field(static=True)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        use_bias: bool = True,
        mask: Shaped[ArrayLike, "out_features in_features"] | None = None,
        key: PRNGKeyArray,
    ):
        check_positive_int("in_features", in_features)
        check_positive_int("out_features", out_features)
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
        if mask is None:
            self.mask = None
        else:
            m = jnp.asarray(mask)
            if m.shape != (out_features, in_features):
                raise ValueError(
                    f"`mask` must have shape (out_features, in_features) = "
                    f"{(out_features, in_features)}; got {m.shape}."
                )
            if m.dtype != jnp.bool_ and not bool(jnp.all((m == 0) | (m == 1))):
                raise ValueError("`mask` must hold only 0 and 1 (or booleans).")
            # Boolean, so `eqx.is_inexact_array` filters (and optimisers) skip it.
            self.mask = m.astype(bool)
            self.weight = jnp.where(self.mask, self.weight, 0.0)

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
        weight = self.weight
        if self.mask is not None:
            weight = jnp.where(self.mask, weight, jnp.zeros((), weight.dtype))
        y = jnp.einsum("...i,oi->...o", x, weight.astype(x.dtype))
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
        self.ndim = check_positive_int("ndim", ndim)

    def __call__(self, x: Shaped[Array, "*batch features"]) -> Array:
        """Reshape `(*lead, *trailing)` to `(*lead, prod(trailing))`."""
        x = jnp.asarray(x)
        if x.ndim < self.ndim:
            raise ValueError(
                f"`x` needs at least {self.ndim} axes to flatten; got shape {x.shape}."
            )
        lead = x.shape[: x.ndim - self.ndim]
        return x.reshape(*lead, math.prod(x.shape[x.ndim - self.ndim :]))


def _int_tuple(name: str, value: object, n: int, *, minimum: int) -> tuple[int, ...]:
    """An int or a length-`n` sequence of ints, each >= `minimum`, as a tuple."""
    items = (value,) * n if isinstance(value, int) else value
    if (
        not isinstance(items, tuple | list)
        or len(items) != n
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in items)
        or min(items) < minimum
    ):
        raise ValueError(
            f"`{name}` must be an int >= {minimum} or a sequence of {n} such ints; "
            f"got {value!r}."
        )
    return tuple(items)


def _as_batch(
    x: Array, trailing: int, name: str, expected: str
) -> tuple[Array, tuple[int, ...]]:
    """Fold every axis before the last `trailing` into one batch axis."""
    if x.ndim < trailing:
        raise ValueError(
            f"`{name}` expects inputs ending with {expected} ({trailing} axes); "
            f"got shape {x.shape}."
        )
    lead = x.shape[: x.ndim - trailing]
    return x.reshape(math.prod(lead), *x.shape[x.ndim - trailing :]), lead


class _Conv(AbstractLayer):
    """N-dimensional convolution over the trailing `(C, *spatial)` axes."""

    weight: Float[Array, "out_channels in_per_group ..."]
    bias: Float[Array, " out_channels"] | None
    in_channels: int = eqx.field(static=True)
    out_channels: int = eqx.field(static=True)
    kernel_size: tuple[int, ...] = eqx.field(static=True)
    stride: tuple[int, ...] = eqx.field(static=True)
    padding: tuple[int, ...] = eqx.field(static=True)
    dilation: tuple[int, ...] = eqx.field(static=True)
    groups: int = eqx.field(static=True)

    num_spatial_dims: eqx.AbstractClassVar[int]

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        *,
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] = 0,
        dilation: int | tuple[int, ...] = 1,
        groups: int = 1,
        use_bias: bool = True,
        key: PRNGKeyArray,
    ):
        n = self.num_spatial_dims
        self.in_channels = check_positive_int("in_channels", in_channels)
        self.out_channels = check_positive_int("out_channels", out_channels)
        self.groups = check_positive_int("groups", groups)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"`groups` ({groups}) must divide `in_channels` ({in_channels}) "
                f"and `out_channels` ({out_channels})."
            )
        self.kernel_size = _int_tuple("kernel_size", kernel_size, n, minimum=1)
        self.stride = _int_tuple("stride", stride, n, minimum=1)
        self.padding = _int_tuple("padding", padding, n, minimum=0)
        self.dilation = _int_tuple("dilation", dilation, n, minimum=1)
        fan_in = in_channels // groups * math.prod(self.kernel_size)
        bound = 1 / math.sqrt(fan_in)
        kw, kb = jr.split(key)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = jr.uniform(kw, shape, minval=-bound, maxval=bound)
        self.bias = (
            jr.uniform(kb, (out_channels,), minval=-bound, maxval=bound)
            if use_bias
            else None
        )

    def __call__(self, x: Shaped[Array, "..."]) -> Array:
        """Convolve the trailing `(C, *spatial)` axes; leading axes are batch."""
        n = self.num_spatial_dims
        x = jnp.asarray(x)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(self.weight.dtype)
        name = type(self).__name__
        xb, lead = _as_batch(x, n + 1, name, "(channels, " + "spatial, " * n + ")")
        if xb.shape[1] != self.in_channels:
            raise ValueError(
                f"{name} expects {self.in_channels} input channels at axis "
                f"{-(n + 1)}; got shape {x.shape}."
            )
        y = jax.lax.conv_general_dilated(
            xb,
            self.weight.astype(x.dtype),
            window_strides=self.stride,
            padding=[(p, p) for p in self.padding],
            rhs_dilation=self.dilation,
            feature_group_count=self.groups,
        )
        if self.bias is not None:
            bias = self.bias.astype(x.dtype).reshape(-1, *(1,) * n)
            y = y + jnp.broadcast_to(bias, y.shape)
        return y.reshape(*lead, *y.shape[1:])


class Conv1d(_Conv):
    r"""1-D convolution of the trailing `(C, L)` axes, any leading axes.

    $y_{o,l} = b_o + \sum_{c,k} W_{o,c,k}\, x_{c,\, l s + k d - p}$ (cross-correlation
    as in `torch.nn.Conv1d`), with stride $s$, dilation $d$ and zero padding
    $p$ on both sides. All time steps and batch entries are convolved in one
    call. Initialisation as torch: $U(-1/\sqrt{\text{fan}_\text{in}},
    1/\sqrt{\text{fan}_\text{in}})$ with
    $\text{fan}_\text{in} = C_\text{in}/\text{groups} \cdot K$.

    Args:
        in_channels: input channels $C_\text{in}$.
        out_channels: output channels $C_\text{out}$.
        kernel_size: kernel length $K$.
        stride: stride $s$ (int or 1-tuple).
        padding: zeros added on both sides $p$ (int or 1-tuple).
        dilation: kernel dilation $d$ (int or 1-tuple).
        groups: blocked connections; must divide both channel counts.
        use_bias: add the bias $b$.
        key: a `jax.random` key for the initialisation.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> conv = snn.Conv1d(2, 4, 3, padding=1, key=jax.random.key(0))
        >>> conv(jnp.ones((10, 8, 2, 16))).shape  # (time, batch, C, L)
        (10, 8, 4, 16)
    """

    num_spatial_dims = 1


class Conv2d(_Conv):
    r"""2-D convolution of the trailing `(C, H, W)` axes, any leading axes.

    $y_{o,i,j} = b_o + \sum_{c,k,l} W_{o,c,k,l}\,
    x_{c,\, i s_0 + k d_0 - p_0,\, j s_1 + l d_1 - p_1}$ (cross-correlation as
    in `torch.nn.Conv2d`, weight shape `(C_out, C_in/groups, K_h, K_w)`), with
    zero padding on both sides. All time steps and batch entries are convolved
    in one call, so inside a [`Sequential`][snnjax.Sequential] a convolution
    over a whole spike sequence is one large operation.

    Args:
        in_channels: input channels $C_\text{in}$.
        out_channels: output channels $C_\text{out}$.
        kernel_size: $(K_h, K_w)$, or one int for both.
        stride: $(s_0, s_1)$, or one int.
        padding: zeros added on both sides $(p_0, p_1)$, or one int.
        dilation: $(d_0, d_1)$, or one int.
        groups: blocked connections; must divide both channel counts.
        use_bias: add the bias $b$.
        key: a `jax.random` key for the initialisation (torch's bounds).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> conv = snn.Conv2d(2, 8, 3, stride=2, key=jax.random.key(0))
        >>> conv(jnp.ones((5, 4, 2, 9, 9))).shape  # (time, batch, C, H, W)
        (5, 4, 8, 4, 4)
    """

    num_spatial_dims = 2


class _Pool(AbstractLayer):
    """Window reduction over the trailing spatial axes (channels untouched)."""

    kernel_size: tuple[int, ...] = eqx.field(static=True)
    stride: tuple[int, ...] = eqx.field(static=True)
    padding: tuple[int, ...] = eqx.field(static=True)

    num_spatial_dims: eqx.AbstractClassVar[int]
    kind: eqx.AbstractClassVar[str]

    def __init__(
        self,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] | None = None,
        padding: int | tuple[int, ...] = 0,
    ):
        n = self.num_spatial_dims
        self.kernel_size = _int_tuple("kernel_size", kernel_size, n, minimum=1)
        self.stride = (
            self.kernel_size
            if stride is None
            else _int_tuple("stride", stride, n, minimum=1)
        )
        self.padding = _int_tuple("padding", padding, n, minimum=0)
        for p, k in zip(self.padding, self.kernel_size, strict=True):
            if 2 * p > k:
                raise ValueError(
                    f"`padding` must be at most half of `kernel_size` "
                    f"{self.kernel_size} (as in torch); got {self.padding}."
                )

    def __call__(self, x: Shaped[Array, "..."]) -> Array:
        """Reduce windows of the trailing spatial axes."""
        n = self.num_spatial_dims
        x = jnp.asarray(x)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            x = x.astype(jnp.float32)
        name = type(self).__name__
        xb, lead = _as_batch(x, n + 1, name, "(channels, " + "spatial, " * n + ")")
        window = (1, 1, *self.kernel_size)
        strides = (1, 1, *self.stride)
        pads = ((0, 0), (0, 0), *((p, p) for p in self.padding))
        if self.kind == "max":
            init, op = -jnp.inf, jax.lax.max
        else:
            init, op = 0.0, jax.lax.add
        # a NumPy (never traced) identity lets JAX pick its differentiable
        # max/sum window primitives, also inside a scan
        y = jax.lax.reduce_window(
            xb, np.asarray(init, x.dtype), op, window, strides, pads
        )
        if self.kind == "avg":
            y = y / math.prod(self.kernel_size)
        return y.reshape(*lead, *y.shape[1:])


class AvgPool1d(_Pool):
    r"""Average over windows of the trailing length axis of `(C, L)`.

    $y_{c,i} = \frac{1}{K}\sum_{k<K} x_{c,\, i s + k - p}$, zero padding counted
    in the average (torch's default `count_include_pad=True`).

    Args:
        kernel_size: window size $K$.
        stride: window step $s$; defaults to `kernel_size`.
        padding: zeros added on both sides $p$; at most `kernel_size // 2`.
    """

    num_spatial_dims = 1
    kind = "avg"


class AvgPool2d(_Pool):
    r"""Average over windows of the trailing `(H, W)` axes of `(C, H, W)`.

    $y_{c,i,j} = \frac{1}{K_h K_w}\sum_{k,l} x_{c,\, i s_0 + k - p_0,\,
    j s_1 + l - p_1}$, zero padding counted in the average (torch's default
    `count_include_pad=True`; NIR's `AvgPool2d`).

    Args:
        kernel_size: $(K_h, K_w)$ or one int.
        stride: window step; defaults to `kernel_size`.
        padding: zeros added on both sides; at most half the window.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> x = jnp.arange(16.0).reshape(1, 4, 4)
        >>> snn.AvgPool2d(2)(x)[0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """

    num_spatial_dims = 2
    kind = "avg"


class SumPool1d(_Pool):
    r"""Sum over windows of the trailing length axis of `(C, L)`.

    $y_{c,i} = \sum_{k<K} x_{c,\, i s + k - p}$ (sinabs' and NIR's sum pooling).

    Args:
        kernel_size: window size $K$.
        stride: window step $s$; defaults to `kernel_size`.
        padding: zeros added on both sides $p$; at most `kernel_size // 2`.
    """

    num_spatial_dims = 1
    kind = "sum"


class SumPool2d(_Pool):
    r"""Sum over windows of the trailing `(H, W)` axes of `(C, H, W)`.

    $y_{c,i,j} = \sum_{k,l} x_{c,\, i s_0 + k - p_0,\, j s_1 + l - p_1}$
    (sinabs' `SumPool2d` and NIR's `SumPool2d`): spike counts are preserved.

    Args:
        kernel_size: $(K_h, K_w)$ or one int.
        stride: window step; defaults to `kernel_size`.
        padding: zeros added on both sides; at most half the window.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> snn.SumPool2d(2)(jnp.ones((3, 2, 4, 4))).shape
        (3, 2, 2, 2)
    """

    num_spatial_dims = 2
    kind = "sum"


class MaxPool1d(_Pool):
    r"""Maximum over windows of the trailing length axis of `(C, L)`.

    $y_{c,i} = \max_{k<K} x_{c,\, i s + k - p}$, padding with $-\infty$.

    Args:
        kernel_size: window size $K$.
        stride: window step $s$; defaults to `kernel_size`.
        padding: $-\infty$ added on both sides $p$; at most `kernel_size // 2`.
    """

    num_spatial_dims = 1
    kind = "max"


class MaxPool2d(_Pool):
    r"""Maximum over windows of the trailing `(H, W)` axes of `(C, H, W)`.

    $y_{c,i,j} = \max_{k,l} x_{c,\, i s_0 + k - p_0,\, j s_1 + l - p_1}$,
    padding with $-\infty$ (torch's `MaxPool2d`). On binary spikes it is an OR
    over the window.

    Args:
        kernel_size: $(K_h, K_w)$ or one int.
        stride: window step; defaults to `kernel_size`.
        padding: $-\infty$ added on both sides; at most half the window.
    """

    num_spatial_dims = 2
    kind = "max"


class DropoutState(eqx.Module):
    r"""The dropout mask of one sequence (drawn once, held constant over time).

    Attributes:
        mask: $m \in \{0, 1/(1-p)\}$, one entry per input element.
    """

    mask: Array


class Dropout(AbstractNeuron[DropoutState]):
    r"""Dropout with one mask per sequence, constant over time.

    $y_t = m \odot x_t$ with $m_i = \xi_i / (1 - p)$, $\xi_i \sim
    \text{Bernoulli}(1 - p)$ drawn once by `init_state` and reused at every
    time step. Dropping a *unit* for a whole sequence (rather than each step
    independently) is what regularises a spiking network: a fresh mask per
    step only adds noise that the membrane integrates away.

    The mask lives in the state, so it is explicit, reproducible and travels
    with the other states through [`snnjax.run`][snnjax.run] and
    [`Sequential`][snnjax.Sequential] (`net.init_state(shape, key=key)` draws
    it). With `inference=True` (or after `eqx.nn.inference_mode(net)`) the
    mask is all ones and no key is needed.

    Args:
        p: drop probability, in `[0, 1)`.
        inference: if `True`, the layer is the identity.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> drop = snn.Dropout(0.5)
        >>> state = drop.init_state((1000,), key=jax.random.key(0))
        >>> sorted(set(state.mask.tolist()))
        [0.0, 2.0]
        >>> ys, _ = snn.run(drop, jnp.ones((3, 1000)), state)
        >>> bool((ys[0] == ys[2]).all())  # the same units dropped at every step
        True
    """

    p: float = eqx.field(static=True)
    inference: bool = False
    learn: frozenset[str] = eqx.field(static=True, default=frozenset())

    def __init__(self, p: float = 0.5, *, inference: bool = False):
        if (
            not isinstance(p, int | float)
            or isinstance(p, bool)
            or not 0.0 <= float(p) < 1.0
        ):
            raise ValueError(f"`p` must be a number in [0, 1); got {p!r}.")
        self.p = float(p)
        self.inference = bool(inference)
        self.learn = frozenset()

    def init_state(
        self,
        shape: tuple[int, ...],
        dtype: jnp.dtype | type = jnp.float32,
        *,
        key: PRNGKeyArray | None = None,
    ) -> DropoutState:
        """Draw the mask for inputs of `shape` (ones when `inference` or `p == 0`).

        Raises:
            ValueError: `key` is missing in training mode.
        """
        if self.inference or self.p == 0.0:
            return DropoutState(jnp.ones(shape, dtype))
        if key is None:
            raise ValueError(
                "`key` is required to draw the Dropout mask in training mode: "
                "`init_state(shape, key=key)` (for a Sequential, "
                "`net.init_state(shape, key=key)`), or build the layer with "
                "`inference=True` / use `eqx.nn.inference_mode(net)`."
            )
        keep = jr.bernoulli(key, 1.0 - self.p, shape)
        scale = jnp.asarray(1.0 / (1.0 - self.p), dtype)
        return DropoutState(jnp.where(keep, scale, jnp.zeros((), dtype)))

    def step(
        self, x: Float[Array, "*shape"], state: DropoutState
    ) -> tuple[Float[Array, "*shape"], DropoutState]:
        r"""$y = m \odot x$; the mask is unchanged."""
        return x * state.mask, state

    def run_sequence(
        self, xs: Float[Array, " time *shape"], state: DropoutState, *, record: bool
    ) -> tuple[Array, DropoutState, DropoutState | None]:
        """The whole sequence at once: one broadcast multiply, no scan."""
        ys = xs * jnp.broadcast_to(state.mask, xs.shape)
        rec = None
        if record:
            rec = DropoutState(jnp.broadcast_to(state.mask, xs.shape))
        return ys, state, rec
