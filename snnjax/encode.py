r"""Encoders: turn static or analog data into time-major spike trains or currents.

Every encoder returns a time-major array `(time, *shape)` in the floating dtype
of its input (integer inputs become the default float dtype), ready for
[`snnjax.run`][snnjax.run]. Randomness comes only from a keyword-only `key`.
The conventions follow snntorch's `spikegen` module; where snnjax differs, the
docstring says so.
"""

from typing import Literal

import jax.numpy as jnp
import jax.random as jr
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray, Real

from ._checks import check_finite, check_option, check_positive_int, check_range
from ._custom_types import ScalarLike

__all__ = ["delta", "direct", "latency", "rate"]


def _float_input(name: str, x: ArrayLike) -> Array:
    """`x` as a strongly typed floating array; integers become the default float."""
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
        x = x.astype(jnp.result_type(float))
    elif not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"`{name}` must be a real array; got dtype {x.dtype}.")
    return jnp.asarray(x, dtype=x.dtype)  # drop a Python scalar's weak type


def _work_dtype(dtype: jnp.dtype) -> jnp.dtype:
    """At least float32: probabilities and spike times are too coarse in bf16/f16."""
    return jnp.dtype(dtype) if jnp.finfo(dtype).bits >= 32 else jnp.dtype(jnp.float32)


def _check_num_steps(num_steps: int) -> None:
    check_positive_int("num_steps", num_steps)


def _over_time(x: Array, num_steps: int) -> Array:
    """Broadcast `x` to `(num_steps, *x.shape)` (explicit: no rank promotion)."""
    return jnp.broadcast_to(x, (num_steps, *x.shape))


def rate(
    x: Real[ArrayLike, "*shape"],
    *,
    num_steps: int,
    key: PRNGKeyArray,
    gain: ScalarLike = 1.0,
    method: Literal["bernoulli", "poisson"] = "bernoulli",
) -> Float[Array, " time *shape"]:
    r"""Rate coding: independent random spikes whose mean is proportional to `x`.

    With `method="bernoulli"` (snntorch's `spikegen.rate`) every element spikes
    at each step with probability $p = g\,x$:

    $$
    s_{t,i} \sim \mathrm{Bernoulli}(g\,x_i), \qquad
    \mathbb{E}[s_{t,i}] = g\,x_i, \qquad t = 0, \dots, T-1 .
    $$

    With `method="poisson"` the output is a spike *count* per step,

    $$
    s_{t,i} \sim \mathrm{Poisson}(g\,x_i), \qquad
    \mathbb{E}[s_{t,i}] = \mathrm{Var}[s_{t,i}] = g\,x_i ,
    $$

    so $g\,x$ is a rate in spikes per step and may exceed 1. All draws are
    independent over time and elements.

    Unlike snntorch, which clips $g\,x$ to $[0, 1]$ silently, a value outside
    the allowed range is an error: a probability above 1 usually means the
    data were not normalised.

    Args:
        x: intensities, any shape; in $[0, 1]$ after the gain for
            `"bernoulli"`, non-negative for `"poisson"`.
        num_steps: number of time steps $T$ (a positive int).
        key: a `jax.random` key; the only source of randomness.
        gain: factor $g$ applied to `x` (a scalar).
        method: `"bernoulli"` (spikes in $\{0, 1\}$) or `"poisson"` (counts in
            $\{0, 1, 2, \dots\}$).

    Returns:
        Spikes of shape `(num_steps, *x.shape)` in the floating dtype of `x`.
        The random draws are made in at least float32, so a bfloat16 input
        gets the same spikes as its float32 copy.

    Raises:
        ValueError: `num_steps` is not a positive int; `method` is unknown;
            $g\,x$ is outside $[0, 1]$ (`"bernoulli"`), negative (`"poisson"`)
            or not finite. Under `jax.jit`, the range check becomes an
            `eqx.error_if` runtime error.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> import snnjax as snn
        >>> x = jnp.array([0.0, 0.5, 1.0])
        >>> spikes = snn.encode.rate(x, num_steps=1000, key=jax.random.key(0))
        >>> spikes.shape, spikes.dtype
        ((1000, 3), dtype('float32'))
        >>> spikes.mean(axis=0).round(1).tolist()  # never, half the time, always
        [0.0, 0.5, 1.0]

    References:
        Eshraghian et al., Training spiking neural networks using lessons from
        deep learning, *Proc. IEEE* 111(9), 2023, sec. 3 (rate coding).
        doi:10.1109/JPROC.2023.3308088
    """
    _check_num_steps(num_steps)
    check_option("method", method, ("bernoulli", "poisson"))
    x = _float_input("x", x)
    work = _work_dtype(x.dtype)
    p = jnp.asarray(gain, work) * x.astype(work)
    shape = (num_steps, *x.shape)
    if method == "bernoulli":
        p = check_range("gain * x", p, lower=0.0, upper=1.0)
        # u ~ U[0, 1): P(u < p) = p exactly, with p = 0 never and p = 1 always.
        spikes = jr.uniform(key, shape, work) < _over_time(p, num_steps)
    else:
        p = check_range("gain * x", p, lower=0.0)
        spikes = jr.poisson(key, _over_time(p, num_steps), shape)
    return spikes.astype(x.dtype)


def _latency_times(
    x: Array,
    *,
    num_steps: int,
    tau: Array,
    threshold: Array,
    epsilon: Array,
    method: str,
    normalize: bool,
) -> Array:
    """Continuous spike times of `latency` (see its docstring), same dtype as `x`."""
    if method == "linear":
        scale = jnp.asarray(num_steps - 1, x.dtype) if normalize else tau
        return scale * (1 - jnp.maximum(x, threshold))
    floor = threshold + epsilon

    def log_time(v: Array) -> Array:
        return jnp.log(v / (v - threshold))

    times = log_time(jnp.maximum(x, floor))
    if normalize:
        # the same expression at the floor, so inputs at or below the
        # threshold land exactly on the last step
        return times / log_time(floor) * (num_steps - 1)
    return tau * times


def latency(
    x: Real[ArrayLike, "*shape"],
    *,
    num_steps: int,
    tau: ScalarLike = 1.0,
    threshold: ScalarLike = 0.01,
    epsilon: ScalarLike = 1e-7,
    method: Literal["log", "linear"] = "log",
    normalize: bool = False,
    clip: bool = False,
) -> Float[Array, " time *shape"]:
    r"""Latency coding: one spike per input, earlier for larger inputs.

    Each element $x$ gets a spike time $t(x)$ and spikes once, at step
    $k = \operatorname{round}(t(x))$ (half to even, as `torch.round`), if
    $k \le T - 1$. With threshold $\vartheta$, time constant $\tau$ and
    $\epsilon$ (`epsilon`), following snntorch's `spikegen.latency`:

    - `method="log"` (the default; the time a leaky RC neuron driven by a
      constant current $x$ needs to reach $\vartheta$):

        $$
        t(x) = \tau \ln\frac{\tilde x}{\tilde x - \vartheta},
        \qquad \tilde x = \max(x, \vartheta + \epsilon),
        $$

        and with `normalize=True`, $t(x)\,(T - 1) / t(\vartheta)$, so that
        inputs at or below the threshold spike exactly at the last step
        $T - 1$ and $\tau$ cancels.

    - `method="linear"`:

        $$
        t(x) = \tau\,\bigl(1 - \max(x, \vartheta)\bigr),
        $$

        with $\tau$ replaced by $T - 1$ when `normalize=True` (so $x = 1$
        spikes at step 0 and $x = \vartheta$ at step
        $\operatorname{round}((T - 1)(1 - \vartheta))$).

    Inputs below the threshold get the latest time of the code; with
    `clip=True` they do not spike at all. A time that rounds past the last
    step gives no spike (the spike falls outside the window).

    Two deliberate differences from snntorch: the log code is normalised by
    the fixed time $t(\vartheta)$, not by the largest time in the tensor, so
    a sample's code does not depend on the rest of the batch (the two agree
    whenever some input is at or below the threshold); and an out-of-window
    time drops only that spike, where snntorch clamps it to the last step and
    then clears the whole last step.

    Args:
        x: intensities, any shape. For `"linear"` they must be at most 1
            (larger values would spike before step 0).
        num_steps: number of time steps $T$ (a positive int).
        tau: time constant $\tau > 0$, in steps; unused when `normalize=True`.
        threshold: $\vartheta \in (0, 1)$; inputs below it carry no
            information.
        epsilon: $\epsilon > 0$, keeps the log code finite at the threshold.
        method: `"log"` or `"linear"`.
        normalize: stretch the code over the window $[0, T - 1]$.
        clip: remove the spikes of inputs below the threshold ($x < \vartheta$).

    Returns:
        Spikes in $\{0, 1\}$ of shape `(num_steps, *x.shape)` in the floating
        dtype of `x`; each element spikes at most once. Times are computed in
        at least float32.

    Raises:
        ValueError: `num_steps`, `tau`, `threshold`, `epsilon` or `method` is
            invalid, `x` is not finite, or `x > 1` with `method="linear"`.

    Examples:
        snntorch's example: with $T = 5$ and `normalize=True`, the linear code
        puts $x = 0.02, 0.5, 1$ at $t = 4 \cdot 0.98 = 3.92$, $4 \cdot 0.5 = 2$
        and $0$:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> x = jnp.array([0.02, 0.5, 1.0])
        >>> spikes = snn.encode.latency(x, num_steps=5, method="linear",
        ...                             normalize=True)
        >>> spikes.sum(axis=0).tolist(), spikes.argmax(axis=0).tolist()
        ([1.0, 1.0, 1.0], [4, 2, 0])

        The log code with $\vartheta = 0.5$, $\tau = 10$: $t(1) = 10 \ln 2
        \approx 6.9$, $t(0.75) = 10 \ln 3 \approx 11.0$; $x = 0.2$ is below
        the threshold, its time $10 \ln(5 \cdot 10^6) \approx 154$ is past the
        window, so it never spikes:

        >>> x = jnp.array([1.0, 0.75, 0.2])
        >>> spikes = snn.encode.latency(x, num_steps=20, tau=10.0, threshold=0.5)
        >>> jnp.where(spikes.any(axis=0), spikes.argmax(axis=0), -1).tolist()
        [7, 11, -1]

    References:
        Eshraghian et al., Training spiking neural networks using lessons from
        deep learning, *Proc. IEEE* 111(9), 2023, sec. 3 (latency coding).
        doi:10.1109/JPROC.2023.3308088
    """
    _check_num_steps(num_steps)
    check_option("method", method, ("log", "linear"))
    x = _float_input("x", x)
    work = _work_dtype(x.dtype)
    xw = x.astype(work)
    xw = (
        check_range("x", xw, upper=1.0) if method == "linear" else check_finite("x", xw)
    )
    tau = check_range("tau", jnp.asarray(tau, work), lower=0.0, lower_open=True)
    threshold = check_range(
        "threshold",
        jnp.asarray(threshold, work),
        lower=0.0,
        upper=1.0,
        lower_open=True,
        upper_open=True,
    )
    epsilon = check_range(
        "epsilon", jnp.asarray(epsilon, work), lower=0.0, lower_open=True
    )
    times = _latency_times(
        xw,
        num_steps=num_steps,
        tau=tau,
        threshold=threshold,
        epsilon=epsilon,
        method=method,
        normalize=normalize,
    )
    # cap first: casting a huge time to int32 is undefined; num_steps is past the end
    steps = jnp.round(jnp.minimum(times, num_steps)).astype(jnp.int32)
    t = jnp.arange(num_steps, dtype=jnp.int32).reshape((num_steps,) + (1,) * x.ndim)
    spikes = jnp.broadcast_to(t, (num_steps, *x.shape)) == _over_time(steps, num_steps)
    if clip:
        spikes = spikes & _over_time(xw >= threshold, num_steps)
    return spikes.astype(x.dtype)


def delta(
    x: Real[ArrayLike, " time *shape"],
    *,
    threshold: ScalarLike = 0.1,
    off_spike: bool = False,
    padding: bool = False,
) -> Float[Array, " time *shape"]:
    r"""Delta modulation: spike where a time-major signal changes enough.

    With $x_{-1} = 0$ (or $x_{-1} = x_0$ when `padding=True`) and threshold
    $\vartheta$, as snntorch's `spikegen.delta`:

    $$
    s_t = H(x_t - x_{t-1} - \vartheta)
          - \mathbb{1}_\text{off}\, H(x_{t-1} - x_t - \vartheta),
    \qquad H(u) = [u \ge 0],
    $$

    i.e. an on-spike $+1$ where the signal rose by at least $\vartheta$
    since the previous step and, with `off_spike=True`, an off-spike $-1$
    where it fell by at least $\vartheta$. The comparison runs in the dtype
    of `x`.

    Args:
        x: a signal, time-major: shape `(time, *shape)`.
        threshold: $\vartheta > 0$, in the units of `x` (a scalar).
        off_spike: also emit $-1$ for decreases.
        padding: compare the first step with itself (no spike at $t = 0$)
            instead of with 0.

    Returns:
        Spikes in $\{0, 1\}$ (or $\{-1, 0, 1\}$ with `off_spike=True`), same
        shape and floating dtype as `x`.

    Raises:
        ValueError: `x` has no time axis or `threshold` is not positive and
            finite.

    Examples:
        The differences of `x` below are $0.4, 0.5, 0, -0.3, 0.6$ (the first
        one against 0):

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> x = jnp.array([0.4, 0.9, 0.9, 0.6, 1.2])
        >>> snn.encode.delta(x, threshold=0.25).tolist()
        [1.0, 1.0, 0.0, 0.0, 1.0]
        >>> snn.encode.delta(x, threshold=0.25, off_spike=True).tolist()
        [1.0, 1.0, 0.0, -1.0, 1.0]
        >>> snn.encode.delta(x, threshold=0.25, padding=True).tolist()
        [0.0, 1.0, 0.0, 0.0, 1.0]

    References:
        Eshraghian et al., Training spiking neural networks using lessons from
        deep learning, *Proc. IEEE* 111(9), 2023, sec. 3 (delta modulation).
        doi:10.1109/JPROC.2023.3308088
    """
    x = _float_input("x", x)
    if x.ndim < 1:
        raise ValueError(
            "`x` must be time-major with a leading time axis, shape "
            f"(time, *shape); got a scalar of shape {x.shape}."
        )
    threshold = check_range(
        "threshold", jnp.asarray(threshold, x.dtype), lower=0.0, lower_open=True
    )
    first = x[:1] if padding else jnp.zeros_like(x[:1])
    diff = x - jnp.concatenate([first, x[:-1]])
    spikes = (diff >= threshold).astype(x.dtype)
    if off_spike:
        spikes = spikes - (diff <= -threshold).astype(x.dtype)
    return spikes


def direct(
    x: Real[ArrayLike, "*shape"], *, num_steps: int
) -> Float[Array, " time *shape"]:
    r"""Direct (current) coding: feed the analog input unchanged at every step.

    $$ x_t = x, \qquad t = 0, \dots, T - 1 . $$

    The result is a broadcast view, so it costs no memory until a consumer
    materialises it. Use it as the input current of a first spiking layer,
    which then acts as a learnable encoder.

    Args:
        x: analog input, any shape.
        num_steps: number of time steps $T$ (a positive int).

    Returns:
        `x` repeated over a new leading time axis, shape
        `(num_steps, *x.shape)`, in the floating dtype of `x`.

    Raises:
        ValueError: `num_steps` is not a positive int.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> snn.encode.direct(jnp.array([0.5, 2.0]), num_steps=3).tolist()
        [[0.5, 2.0], [0.5, 2.0], [0.5, 2.0]]

    References:
        Rueckauer et al., Conversion of continuous-valued deep networks to
        efficient event-driven networks for image classification, *Front.
        Neurosci.* 11, 2017 (analog input to the first layer).
        doi:10.3389/fnins.2017.00682
    """
    _check_num_steps(num_steps)
    return _over_time(_float_input("x", x), num_steps)
