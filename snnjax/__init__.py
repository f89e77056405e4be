"""snnjax: differentiable spiking-neuron dynamics in JAX."""

import importlib.metadata

from . import (
    checkpoint as checkpoint,
    compat as compat,
    encode as encode,
    loss as loss,
    nir as nir,
    plasticity as plasticity,
    surrogate as surrogate,
)
from .integrate import run as run
from .layers import (
    AbstractLayer as AbstractLayer,
    AvgPool1d as AvgPool1d,
    AvgPool2d as AvgPool2d,
    Conv1d as Conv1d,
    Conv2d as Conv2d,
    Dropout as Dropout,
    DropoutState as DropoutState,
    Flatten as Flatten,
    Linear as Linear,
    MaxPool1d as MaxPool1d,
    MaxPool2d as MaxPool2d,
    SumPool1d as SumPool1d,
    SumPool2d as SumPool2d,
)
from .network import (
    Recurrent as Recurrent,
    RecurrentState as RecurrentState,
    Sequential as Sequential,
)
from .neurons._base import AbstractNeuron as AbstractNeuron
from .neurons.adex import AdEx as AdEx, AdExState as AdExState
from .neurons.alif import (
    ALIF as ALIF,
    ALIFRecurrent as ALIFRecurrent,
    ALIFRecurrentState as ALIFRecurrentState,
    ALIFState as ALIFState,
)
from .neurons.alpha import Alpha as Alpha, AlphaState as AlphaState
from .neurons.analog import (
    KLIF as KLIF,
    LIAF as LIAF,
    KLIFState as KLIFState,
    LIAFState as LIAFState,
)
from .neurons.cuba import (
    CubaLIF as CubaLIF,
    CubaLIFRecurrent as CubaLIFRecurrent,
    CubaLIFRecurrentState as CubaLIFRecurrentState,
    CubaLIFState as CubaLIFState,
)
from .neurons.if_ import IF as IF, IFState as IFState
from .neurons.izhikevich import (
    Izhikevich as Izhikevich,
    IzhikevichState as IzhikevichState,
)
from .neurons.li import LI as LI, LIState as LIState
from .neurons.lif import LIF as LIF, LIFState as LIFState
from .neurons.lsnn import LSNN as LSNN, LSNNState as LSNNState
from .neurons.multispike import (
    MultiSpikeLIF as MultiSpikeLIF,
    MultiSpikeLIFState as MultiSpikeLIFState,
)
from .neurons.multispike_recurrent import (
    MultiSpikeLIFRecurrent as MultiSpikeLIFRecurrent,
    MultiSpikeLIFRecurrentState as MultiSpikeLIFRecurrentState,
)
from .neurons.nonlinear import (
    EIF as EIF,
    QIF as QIF,
    AdaptiveQIF as AdaptiveQIF,
    AdaptiveQIFState as AdaptiveQIFState,
    EIFState as EIFState,
    QIFState as QIFState,
)
from .neurons.plif import (
    ParametricLIF as ParametricLIF,
    ParametricLIFState as ParametricLIFState,
)
from .neurons.recurrent import (
    RecurrentLIF as RecurrentLIF,
    RecurrentLIFState as RecurrentLIFState,
    RecurrentSynaptic as RecurrentSynaptic,
    RecurrentSynapticState as RecurrentSynapticState,
)
from .neurons.refractory import (
    CubaLIFRefrac as CubaLIFRefrac,
    CubaLIFRefracState as CubaLIFRefracState,
)
from .neurons.synaptic import Synaptic as Synaptic, SynapticState as SynapticState
from .neurons.trace import (
    Decay as Decay,
    EulerDecay as EulerDecay,
    InputTrace as InputTrace,
    InputTraceState as InputTraceState,
    TraceALIF as TraceALIF,
    TraceALIFState as TraceALIFState,
    TraceIF as TraceIF,
    TraceIFState as TraceIFState,
    TraceLIF as TraceLIF,
    TraceLIFState as TraceLIFState,
)
from .neurons.wrappers import (
    GradedSpikes as GradedSpikes,
    WinnerTakeAll as WinnerTakeAll,
)

try:
    __version__ = importlib.metadata.version("snnjax")
except importlib.metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "ALIF",
    "EIF",
    "IF",
    "KLIF",
    "LI",
    "LIAF",
    "LIF",
    "LSNN",
    "QIF",
    "ALIFRecurrent",
    "ALIFRecurrentState",
    "ALIFState",
    "AbstractLayer",
    "AbstractNeuron",
    "AdEx",
    "AdExState",
    "AdaptiveQIF",
    "AdaptiveQIFState",
    "Alpha",
    "AlphaState",
    "AvgPool1d",
    "AvgPool2d",
    "Conv1d",
    "Conv2d",
    "CubaLIF",
    "CubaLIFRecurrent",
    "CubaLIFRecurrentState",
    "CubaLIFRefrac",
    "CubaLIFRefracState",
    "CubaLIFState",
    "Decay",
    "Dropout",
    "DropoutState",
    "EIFState",
    "EulerDecay",
    "Flatten",
    "GradedSpikes",
    "IFState",
    "InputTrace",
    "InputTraceState",
    "Izhikevich",
    "IzhikevichState",
    "KLIFState",
    "LIAFState",
    "LIFState",
    "LIState",
    "LSNNState",
    "Linear",
    "MaxPool1d",
    "MaxPool2d",
    "MultiSpikeLIF",
    "MultiSpikeLIFRecurrent",
    "MultiSpikeLIFRecurrentState",
    "MultiSpikeLIFState",
    "ParametricLIF",
    "ParametricLIFState",
    "QIFState",
    "Recurrent",
    "RecurrentLIF",
    "RecurrentLIFState",
    "RecurrentState",
    "RecurrentSynaptic",
    "RecurrentSynapticState",
    "Sequential",
    "SumPool1d",
    "SumPool2d",
    "Synaptic",
    "SynapticState",
    "TraceALIF",
    "TraceALIFState",
    "TraceIF",
    "TraceIFState",
    "TraceLIF",
    "TraceLIFState",
    "WinnerTakeAll",
    "__version__",
    "checkpoint",
    "compat",
    "encode",
    "loss",
    "nir",
    "plasticity",
    "run",
    "surrogate",
]
