"""spikingjelly's surrogate classes, returning snnjax surrogates.

Pass them as `surrogate_function=` to the neurons in
`snnjax.compat.spikingjelly.activation_based.neuron`, as in spikingjelly.
"""

from .... import surrogate as _s
from ...._custom_types import ParamLike
from ..._common import unsupported

__all__ = ["ATan", "PiecewiseQuadratic", "Sigmoid"]


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
    return _s.Triangle(slope=alpha, width=1.0 / alpha)
