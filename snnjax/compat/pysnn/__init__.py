"""pysnn's namespace, torch-free: `pysnn.neuron.X` returns native snnjax models.

Replace `import pysnn` by `from snnjax.compat import pysnn` and
`pysnn.neuron.LIFNeuron(cells_shape=..., ...)` builds a
[`snnjax.TraceLIF`][snnjax.TraceLIF] with pysnn 0.1.1's numerics: `>=` spike
test, float refractory counter counted down by `dt`, reset to `v_rest` after
the trace update, `update_type="linear"` (decay factors) or `"exponential"`
(forward Euler). See `snnjax.compat.pysnn.neuron` for the differences in
calling convention (the synapse axis, the returned trace).
"""

from . import neuron as neuron

__all__ = ["neuron"]
