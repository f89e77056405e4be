"""Migration layer: constructors named and argued like the seed libraries.

Each submodule mirrors one library's namespace and returns native snnjax
models that reproduce that library's numerics:

* `snnjax.compat.snntorch`: `Leaky`, `Synaptic`, and `surrogate`
  (`atan`, `fast_sigmoid`, `sigmoid`, `straight_through_estimator`);
* `snnjax.compat.spikingjelly`: `activation_based.neuron.IFNode`, `LIFNode`,
  and `activation_based.surrogate` (`Sigmoid`, `ATan`, `PiecewiseQuadratic`).
"""

from . import snntorch as snntorch, spikingjelly as spikingjelly

__all__ = ["snntorch", "spikingjelly"]
