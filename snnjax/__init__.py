"""snnjax: differentiable spiking-neuron dynamics in JAX."""

import importlib.metadata

from . import compat as compat, surrogate as surrogate
from .integrate import run as run
from .layers import AbstractLayer as AbstractLayer, Flatten as Flatten, Linear as Linear
from .network import Sequential as Sequential
from .neurons._base import AbstractNeuron as AbstractNeuron
from .neurons.alpha import Alpha as Alpha, AlphaState as AlphaState
from .neurons.if_ import IF as IF, IFState as IFState
from .neurons.li import LI as LI, LIState as LIState
from .neurons.lif import LIF as LIF, LIFState as LIFState
from .neurons.recurrent import (
    RecurrentLIF as RecurrentLIF,
    RecurrentLIFState as RecurrentLIFState,
    RecurrentSynaptic as RecurrentSynaptic,
    RecurrentSynapticState as RecurrentSynapticState,
)
from .neurons.synaptic import Synaptic as Synaptic, SynapticState as SynapticState
from .neurons.wrappers import (
    GradedSpikes as GradedSpikes,
    WinnerTakeAll as WinnerTakeAll,
)

try:
    __version__ = importlib.metadata.version("snnjax")
except importlib.metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "IF",
    "LI",
    "LIF",
    "AbstractLayer",
    "AbstractNeuron",
    "Alpha",
    "AlphaState",
    "Flatten",
    "GradedSpikes",
    "IFState",
    "LIFState",
    "LIState",
    "Linear",
    "RecurrentLIF",
    "RecurrentLIFState",
    "RecurrentSynaptic",
    "RecurrentSynapticState",
    "Sequential",
    "Synaptic",
    "SynapticState",
    "WinnerTakeAll",
    "__version__",
    "compat",
    "run",
    "surrogate",
]
