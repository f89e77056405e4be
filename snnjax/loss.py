r"""Losses, regularizers and metrics for time-major network outputs.

All functions are pure and compose with `jax.jit`, `jax.vmap` and `jax.grad`.
Outputs are time-major, `(time, batch, classes)`, exactly what
[`snnjax.run`][snnjax.run] returns for a batch; labels are integer class
indices of shape `(batch,)`. Losses return a scalar in the floating dtype of
their input (computed in at least float32, so bfloat16 outputs do not lose the
softmax). The conventions follow snntorch's `functional` module.

Symbols: $s_{t,b,c}$ spikes and $v_{t,b,c}$ membrane potentials at step $t$
of sample $b$ for class $c$; $T$, $B$, $C$ the numbers of steps, samples and
classes; $y_b$ the label of sample $b$.
"""

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float, Integer, Real

from ._checks import check_range

__all__ = [
    "accuracy",
    "ce_count",
    "ce_max_membrane",
    "ce_mean_membrane",
    "mse_count",
    "rate_regularizer",
]


def _time_major(name: str, x: ArrayLike, *, neurons: bool = False) -> Array:
    """`x` as a float array `(time, batch, classes)` (`neurons`: `*neurons`)."""
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
        x = x.astype(jnp.result_type(float))
    elif not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"`{name}` must be a real array; got dtype {x.dtype}.")
    if x.ndim < 3 or (not neurons and x.ndim != 3):
        what = "(time, batch, *neurons)" if neurons else "(time, batch, classes)"
        hint = f" For a single sample add a batch axis: `{name}[:, None]`."
        raise ValueError(
            f"`{name}` must be time-major with shape {what}; got shape "
            f"{x.shape}.{hint if x.ndim == 2 else ''}"
        )
    return x


def _labels(labels: ArrayLike, x: Array, name: str) -> Array:
    """Integer labels of shape `(batch,)` in `[0, classes)`, checked against `x`."""
    labels = jnp.asarray(labels)
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(
            f"`labels` must hold integer class indices; got dtype {labels.dtype}. "
            "Convert one-hot targets with `jnp.argmax(targets, axis=-1)`."
        )
    time, batch, classes = x.shape
    if labels.shape != (batch,):
        hint = ""
        if labels.shape == (time,):
            hint = (
                f" `{name}` looks batch-major: losses expect time-major "
                f"(time, batch, classes); use `jnp.swapaxes({name}, 0, 1)`."
            )
        raise ValueError(
            f"`labels` must have shape (batch,) = ({batch},) to match `{name}` of "
            f"shape (time, batch, classes) = {x.shape}; got {labels.shape}.{hint}"
        )
    # the range check works on floats; class indices below 2**24 round-trip
    checked = check_range(
        "labels", labels.astype(jnp.float32), lower=0.0, upper=float(classes - 1)
    )
    return checked.astype(labels.dtype)


def _work(x: Array) -> Array:
    """`x` in at least float32 (softmax and squares lose too much in bf16)."""
    return x if jnp.finfo(x.dtype).bits >= 32 else x.astype(jnp.float32)


def _cross_entropy(logits: Array, labels: Array) -> Array:
    """Mean over the batch of the negative log-softmax at the labels."""
    log_p = jax.nn.log_softmax(logits, axis=-1)
    one_hot = jax.nn.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
    return -jnp.mean(jnp.sum(one_hot * log_p, axis=-1))


def ce_count(
    spikes: Real[ArrayLike, "time batch classes"],
    labels: Integer[ArrayLike, " batch"],
) -> Float[Array, ""]:
    r"""Cross-entropy of the softmax over spike counts.

    $$
    n_{b,c} = \sum_{t=0}^{T-1} s_{t,b,c}, \qquad
    L = -\frac{1}{B} \sum_{b=0}^{B-1}
        \log \frac{e^{n_{b,y_b}}}{\sum_{c} e^{n_{b,c}}} ,
    $$

    snntorch's `ce_count_loss` (without population codes). It raises the
    count of the labelled class relative to the others.

    Args:
        spikes: output spikes, time-major `(time, batch, classes)`.
        labels: integer class indices `(batch,)`, in $[0, C)$.

    Returns:
        The scalar loss $L$ in the floating dtype of `spikes`.

    Raises:
        ValueError: `spikes` is not 3-D, `labels` does not have shape
            `(batch,)`, or a label is outside $[0, C)$.
        TypeError: `labels` is not an integer array.

    Examples:
        Counts $(2, 0)$ with label 0 give $\log(1 + e^{-2}) \approx 0.1269$:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> spikes = jnp.array([[[1.0, 0.0]], [[1.0, 0.0]]])  # (time, batch, classes)
        >>> round(float(snn.loss.ce_count(spikes, jnp.array([0]))), 4)
        0.1269

    References:
        Eshraghian et al., Training spiking neural networks using lessons from
        deep learning, *Proc. IEEE* 111(9), 2023, sec. 4 (loss functions).
        doi:10.1109/JPROC.2023.3308088
    """
    spikes = _time_major("spikes", spikes)
    labels = _labels(labels, spikes, "spikes")
    counts = jnp.sum(_work(spikes), axis=0)
    return _cross_entropy(counts, labels).astype(spikes.dtype)


def ce_max_membrane(
    v: Float[ArrayLike, "time batch classes"],
    labels: Integer[ArrayLike, " batch"],
) -> Float[Array, ""]:
    r"""Cross-entropy of the softmax over the maximum membrane potential in time.

    $$
    m_{b,c} = \max_{t} v_{t,b,c}, \qquad
    L = -\frac{1}{B} \sum_{b} \log \frac{e^{m_{b,y_b}}}{\sum_{c} e^{m_{b,c}}} ,
    $$

    snntorch's `ce_max_membrane_loss`, the max-over-time readout of SpyTorch
    (usually on non-spiking [`LI`][snnjax.LI] output neurons). The gradient
    reaches only the step where each maximum is attained.

    Args:
        v: membrane potentials, time-major `(time, batch, classes)`.
        labels: integer class indices `(batch,)`, in $[0, C)$.

    Returns:
        The scalar loss $L$ in the floating dtype of `v`.

    Raises:
        ValueError: `v` is not 3-D, `labels` does not have shape `(batch,)`,
            or a label is outside $[0, C)$.
        TypeError: `labels` is not an integer array.

    Examples:
        Both classes peak at 1, so the softmax is uniform and $L = \ln 2$:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> v = jnp.array([[[0.0, 1.0]], [[1.0, 0.5]], [[0.5, 0.0]]])
        >>> round(float(snn.loss.ce_max_membrane(v, jnp.array([1]))), 4)
        0.6931

    References:
        Zenke and Vogels, The remarkable robustness of surrogate gradient
        learning for instilling complex function in spiking neural networks,
        *Neural Comput.* 33(4), 2021. doi:10.1162/neco_a_01367
    """
    v = _time_major("v", v)
    labels = _labels(labels, v, "v")
    return _cross_entropy(jnp.max(_work(v), axis=0), labels).astype(v.dtype)


def ce_mean_membrane(
    v: Float[ArrayLike, "time batch classes"],
    labels: Integer[ArrayLike, " batch"],
) -> Float[Array, ""]:
    r"""Cross-entropy of the softmax over the time-averaged membrane potential.

    $$
    \bar v_{b,c} = \frac{1}{T} \sum_{t} v_{t,b,c}, \qquad
    L = -\frac{1}{B} \sum_{b}
        \log \frac{e^{\bar v_{b,y_b}}}{\sum_{c} e^{\bar v_{b,c}}} .
    $$

    Every time step receives gradient (unlike the max readout of
    [`ce_max_membrane`][snnjax.loss.ce_max_membrane]).

    Args:
        v: membrane potentials, time-major `(time, batch, classes)`.
        labels: integer class indices `(batch,)`, in $[0, C)$.

    Returns:
        The scalar loss $L$ in the floating dtype of `v`.

    Raises:
        ValueError: `v` is not 3-D, `labels` does not have shape `(batch,)`,
            or a label is outside $[0, C)$.
        TypeError: `labels` is not an integer array.

    Examples:
        The means are $(1, 1)$, so $L = \ln 2$:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> v = jnp.array([[[0.0, 2.0]], [[2.0, 0.0]]])
        >>> round(float(snn.loss.ce_mean_membrane(v, jnp.array([0]))), 4)
        0.6931

    References:
        Cramer et al., The Heidelberg spiking data sets for the systematic
        evaluation of spiking neural networks, *IEEE Trans. Neural Netw.
        Learn. Syst.* 33(7), 2022. doi:10.1109/TNNLS.2020.3044364
    """
    v = _time_major("v", v)
    labels = _labels(labels, v, "v")
    return _cross_entropy(jnp.mean(_work(v), axis=0), labels).astype(v.dtype)


def mse_count(
    spikes: Real[ArrayLike, "time batch classes"],
    labels: Integer[ArrayLike, " batch"],
    *,
    correct_rate: float | Real[ArrayLike, ""] = 0.8,
    incorrect_rate: float | Real[ArrayLike, ""] = 0.2,
) -> Float[Array, ""]:
    r"""Mean squared error between spike counts and target counts.

    The labelled class should fire at `correct_rate` $r_+$ spikes per step,
    the others at `incorrect_rate` $r_-$:

    $$
    n_{b,c} = \sum_{t} s_{t,b,c}, \qquad
    \hat n_{b,c} = T\,\bigl(r_- + (r_+ - r_-)\,[c = y_b]\bigr), \qquad
    L = \frac{1}{T} \cdot \frac{1}{BC} \sum_{b,c} (n_{b,c} - \hat n_{b,c})^2 ,
    $$

    snntorch's `mse_count_loss` (including its division by $T$), except that
    the targets $T r_\pm$ are not truncated to integers, so the loss does not
    jump with $T$ (the two agree whenever $T r_\pm$ are integers).

    Args:
        spikes: output spikes, time-major `(time, batch, classes)`.
        labels: integer class indices `(batch,)`, in $[0, C)$.
        correct_rate: target rate $r_+ \in [0, 1]$ of the labelled class, in
            spikes per step.
        incorrect_rate: target rate $r_- \in [0, 1]$ of the other classes.

    Returns:
        The scalar loss $L$ in the floating dtype of `spikes`.

    Raises:
        ValueError: a shape or label is invalid (as for
            [`ce_count`][snnjax.loss.ce_count]) or a rate is outside $[0, 1]$.
        TypeError: `labels` is not an integer array.

    Examples:
        Over $T = 10$ steps the targets are $(8, 2)$; counts $(10, 0)$ give
        $L = \frac{1}{10} \cdot \frac{2^2 + 2^2}{2} = 0.4$:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> spikes = jnp.zeros((10, 1, 2)).at[:, 0, 0].set(1.0)
        >>> round(float(snn.loss.mse_count(spikes, jnp.array([0]))), 4)
        0.4

    References:
        Shrestha and Orchard, SLAYER: spike layer error reassignment in time,
        *NeurIPS* 2018. arXiv:1810.08646
    """
    spikes = _time_major("spikes", spikes)
    labels = _labels(labels, spikes, "spikes")
    work = _work(spikes)
    r_on = check_range(
        "correct_rate", jnp.asarray(correct_rate, work.dtype), lower=0.0, upper=1.0
    )
    r_off = check_range(
        "incorrect_rate", jnp.asarray(incorrect_rate, work.dtype), lower=0.0, upper=1.0
    )
    num_steps, _, classes = spikes.shape
    one_hot = jax.nn.one_hot(labels, classes, dtype=work.dtype)
    target = num_steps * (r_off + (r_on - r_off) * one_hot)
    counts = jnp.sum(work, axis=0)
    return (jnp.mean((counts - target) ** 2) / num_steps).astype(spikes.dtype)


def rate_regularizer(
    spikes: Real[ArrayLike, "time batch *neurons"],
    *,
    lower: float | Real[ArrayLike, "*#neurons"] | None = None,
    upper: float | Real[ArrayLike, "*#neurons"] | None = None,
) -> Float[Array, ""]:
    r"""Per-neuron penalty on firing rates below `lower` or above `upper`.

    Each neuron's rate is its mean over time and batch, in spikes per step;
    the penalty is the mean over neurons of the squared distance outside
    $[r_\text{lower}, r_\text{upper}]$:

    $$
    r_j = \frac{1}{TB} \sum_{t,b} s_{t,b,j}, \qquad
    L = \frac{1}{N} \sum_{j} \max(0,\, r_\text{lower} - r_j)^2
      + \frac{1}{N} \sum_{j} \max(0,\, r_j - r_\text{upper})^2 ,
    $$

    where $j$ runs over the $N$ neurons (all trailing axes) and a missing
    bound drops its term. Add it, scaled, to the task loss of a hidden layer
    to keep neurons from falling silent (`lower`) or saturating (`upper`).

    Args:
        spikes: spikes of a layer, time-major `(time, batch, *neurons)`.
        lower: minimum rate $r_\text{lower} \ge 0$, a scalar or one value
            per neuron (broadcastable to the neuron shape); `None` for none.
        upper: maximum rate $r_\text{upper} \ge 0$, likewise.

    Returns:
        The scalar penalty $L$ in the floating dtype of `spikes`.

    Raises:
        ValueError: `spikes` has fewer than 3 axes, neither bound is given, a
            bound is negative, not finite or not broadcastable to the neuron
            shape, or `lower > upper`.

    Examples:
        Two neurons firing at rates 1 and 0, with bounds $[0.1, 0.5]$:
        $L = \frac{0^2 + 0.1^2}{2} + \frac{0.5^2 + 0^2}{2} = 0.13$:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> spikes = jnp.zeros((4, 1, 2)).at[:, :, 0].set(1.0)
        >>> reg = snn.loss.rate_regularizer(spikes, lower=0.1, upper=0.5)
        >>> round(float(reg), 4)
        0.13

    References:
        Zenke and Vogels, The remarkable robustness of surrogate gradient
        learning for instilling complex function in spiking neural networks,
        *Neural Comput.* 33(4), 2021 (activity regularization).
        doi:10.1162/neco_a_01367
    """
    spikes = _time_major("spikes", spikes, neurons=True)
    if lower is None and upper is None:
        raise ValueError(
            "`rate_regularizer` needs `lower`, `upper` or both; got neither."
        )
    work = _work(spikes)
    rates = jnp.mean(work, axis=(0, 1))
    bounds = {}
    for name, bound in (("lower", lower), ("upper", upper)):
        if bound is None:
            continue
        bound = jnp.asarray(bound, work.dtype)
        try:
            ok = np.broadcast_shapes(bound.shape, rates.shape) == rates.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"`{name}` has shape {bound.shape}, which does not broadcast to the "
                f"neuron shape {rates.shape} (`spikes.shape[2:]`)."
            )
        bound = check_range(name, bound, lower=0.0)
        bounds[name] = jnp.broadcast_to(bound, rates.shape)
    penalty = jnp.zeros((), work.dtype)
    if "lower" in bounds:
        penalty = penalty + jnp.mean(jax.nn.relu(bounds["lower"] - rates) ** 2)
    if "upper" in bounds:
        penalty = penalty + jnp.mean(jax.nn.relu(rates - bounds["upper"]) ** 2)
    if len(bounds) == 2:
        gap = check_range("upper - lower", bounds["upper"] - bounds["lower"], lower=0.0)
        # under jit the check lives only if its result is used; 0 * gap is 0
        penalty = penalty + 0 * jnp.sum(gap)
    return penalty.astype(spikes.dtype)


def accuracy(
    spikes: Real[ArrayLike, "time batch classes"],
    labels: Integer[ArrayLike, " batch"],
) -> Float[Array, ""]:
    r"""Fraction of samples whose most active class is the label.

    $$
    \hat y_b = \operatorname*{arg\,max}_c \sum_t s_{t,b,c}, \qquad
    \mathrm{acc} = \frac{1}{B} \sum_b [\hat y_b = y_b] ,
    $$

    snntorch's `accuracy_rate`. Ties go to the lowest class index (so an
    output with no spikes at all predicts class 0). Not differentiable.

    Args:
        spikes: output spikes (or any per-step score), time-major
            `(time, batch, classes)`.
        labels: integer class indices `(batch,)`, in $[0, C)$.

    Returns:
        The accuracy in $[0, 1]$, a scalar of the default float dtype
        (float32), whatever the dtype of `spikes`.

    Raises:
        ValueError: a shape or label is invalid (as for
            [`ce_count`][snnjax.loss.ce_count]).
        TypeError: `labels` is not an integer array.

    Examples:
        Sample 0 fires most in class 1 (its label), sample 1 in class 0 (label
        1), so the accuracy is 1/2:

        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> spikes = jnp.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 1.0]]])
        >>> float(snn.loss.accuracy(spikes, jnp.array([1, 1])))
        0.5

    References:
        Eshraghian et al., Training spiking neural networks using lessons from
        deep learning, *Proc. IEEE* 111(9), 2023. doi:10.1109/JPROC.2023.3308088
    """
    spikes = _time_major("spikes", spikes)
    labels = _labels(labels, spikes, "spikes")
    predicted = jnp.argmax(jnp.sum(_work(spikes), axis=0), axis=-1)
    return jnp.mean((predicted == labels).astype(jnp.result_type(float)))
