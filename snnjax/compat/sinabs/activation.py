"""sinabs' `activation` namespace: spike functions, resets and surrogates.

These are small descriptions that the constructors in
`snnjax.compat.sinabs.layers` turn into options of the native models, as
sinabs passes them to its layers: `spike_fn=MultiSpike` (the class itself),
`reset_fn=MembraneSubtract()`, `surrogate_grad_fn=SingleExponential()`.
sinabs' `SingleExponential` scales its width by the threshold, so it only
becomes an `snnjax.surrogate` once the layer's threshold is known.
"""

import dataclasses

from ..._custom_types import ParamLike, ScalarLike
from .._common import unsupported

__all__ = [
    "Gaussian",
    "Heaviside",
    "MaxSpike",
    "MembraneReset",
    "MembraneSubtract",
    "MultiGaussian",
    "MultiSpike",
    "PeriodicExponential",
    "SingleExponential",
    "SingleSpike",
]


class SingleSpike:
    r"""At most one spike per step: $s = [v - \vartheta \ge 0]$ (`spike_fn="single"`).

    Pass the class itself, `spike_fn=SingleSpike`, as in sinabs.
    """


class MultiSpike:
    r"""A spike count per step: $s = [v > 0]\,\mathrm{trunc}(v/\vartheta)$.

    `spike_fn="multi"`; its surrogate derivative is the single spike's. Pass the
    class itself, `spike_fn=MultiSpike`, as in sinabs.
    """


@dataclasses.dataclass(frozen=True)
class MaxSpike:
    """sinabs `MaxSpike(max_num_spikes_per_bin)`: a spike count clipped at a maximum.

    Only `max_num_spikes_per_bin=None` (no maximum: `MultiSpike`) is supported;
    the layers raise `NotImplementedError` for a finite maximum.

    Args:
        max_num_spikes_per_bin: the maximum count per step, or `None`.
    """

    max_num_spikes_per_bin: int | None = None


@dataclasses.dataclass(frozen=True)
class MembraneSubtract:
    r"""Subtract the threshold per spike, $v \leftarrow v - s\,\vartheta$.

    Args:
        subtract_value: `None` (or 0, which sinabs treats alike) subtracts the
            threshold; another value is supported only where it equals the
            fixed threshold of an `IAF`/`LIF` layer.
    """

    subtract_value: ParamLike | None = None


@dataclasses.dataclass(frozen=True)
class MembraneReset:
    r"""sinabs `MembraneReset`: $v \leftarrow [s = 0]\, v + v_\text{reset}$ (`"zero"`).

    sinabs adds `reset_value` at every step, spiking or not; the native models
    reproduce this (`reset="zero"`, `v_reset=reset_value`).

    Args:
        reset_value: the value added after the masked membrane.
    """

    reset_value: ParamLike = 0.0


@dataclasses.dataclass(frozen=True)
class SingleExponential:
    r"""sinabs `SingleExponential`: a two-sided exponential scaled by the threshold.

    $$ \sigma'(v) = \frac{a}{w\vartheta} e^{-|v - \vartheta| / (w\vartheta)} $$

    with $w$ = `grad_width` and $a$ = `grad_scale`. With a fixed threshold it
    becomes `snnjax.surrogate.SingleExponential(width=w * theta, scale=a)`; for
    the adaptive layers, whose threshold changes every step, it becomes
    `SingleExponential(width=w, scale=a)` with `relative_surrogate=True`.

    Args:
        grad_width: width relative to the threshold, $w > 0$.
        grad_scale: scale $a > 0$.
    """

    grad_width: ScalarLike = 0.5
    grad_scale: ScalarLike = 1.0


@dataclasses.dataclass(frozen=True)
class Gaussian:
    r"""sinabs `Gaussian`: $\sigma'(v) = a\,\mathcal{N}(v - \vartheta; \mu, \sigma^2)$.

    Not scaled by the threshold. With `mu=0` it becomes
    `snnjax.surrogate.Gaussian(width=sigma, scale=grad_scale)`; `mu != 0`
    raises `NotImplementedError` in the layers.

    Args:
        mu: centre offset (only 0 is supported).
        sigma: standard deviation $> 0$.
        grad_scale: scale $a > 0$.
    """

    mu: ScalarLike = 0.0
    sigma: ScalarLike = 0.5
    grad_scale: ScalarLike = 1.0


def Heaviside(window: ScalarLike = 1.0) -> None:
    """sinabs `Heaviside` surrogate: not supported (raises `NotImplementedError`).

    Args:
        window: sinabs' window below the threshold.
    """
    raise unsupported(
        "sinabs", "Heaviside", window, "one-sided surrogate not implemented"
    )


def MultiGaussian(*args: object, **kwargs: object) -> None:
    """sinabs `MultiGaussian` surrogate: not supported (`NotImplementedError`).

    Args:
        *args: sinabs' arguments.
        **kwargs: sinabs' arguments.
    """
    raise unsupported("sinabs", "MultiGaussian", (args, kwargs), "not implemented")


def PeriodicExponential(*args: object, **kwargs: object) -> None:
    """sinabs `PeriodicExponential` surrogate: not supported (`NotImplementedError`).

    Args:
        *args: sinabs' arguments.
        **kwargs: sinabs' arguments.
    """
    raise unsupported(
        "sinabs", "PeriodicExponential", (args, kwargs), "not implemented"
    )
