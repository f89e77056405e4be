"""Migration layer: constructors named and argued like the seed libraries.

Each submodule mirrors one library's namespace and returns native snnjax
models that reproduce that library's numerics:

* `snnjax.compat.snntorch`: `Leaky`, `Synaptic`, `Alpha`, `RLeaky`,
  `RSynaptic`, and `surrogate` (`atan`, `fast_sigmoid`, `sigmoid`,
  `straight_through_estimator`);
* `snnjax.compat.spikingjelly`: `activation_based.neuron.IFNode`, `LIFNode`,
  `ParametricLIFNode`, `QIFNode`, `EIFNode`, `IzhikevichNode`, `LIAFNode`,
  `KLIFNode`, and `activation_based.surrogate` (`Sigmoid`, `ATan`,
  `PiecewiseQuadratic`, ...);
* `snnjax.compat.sinabs`: `layers.IAF`, `LIF`, `ALIF`, `ALIFRecurrent`, and
  `activation` (`SingleSpike`, `MultiSpike`, `MembraneSubtract`,
  `MembraneReset`, `SingleExponential`, ...);
* `snnjax.compat.norse`: `torch.LIF`, `LIFBoxCell`, `LIFRecurrent`, `LI`,
  `LIFAdEx`, `Izhikevich`, `LSNN`, `LIFRefracCell`, their parameter tuples and
  `lif_current_encoder`;
* `snnjax.compat.pysnn`: `neuron.IFNeuron`, `LIFNeuron`, `AdaptiveLIFNeuron`,
  `FedeNeuron`, `Input` and `fold`.
"""

from . import (
    norse as norse,
    pysnn as pysnn,
    sinabs as sinabs,
    snntorch as snntorch,
    spikingjelly as spikingjelly,
)

__all__ = ["norse", "pysnn", "sinabs", "snntorch", "spikingjelly"]
