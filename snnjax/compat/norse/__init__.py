"""norse's namespace, torch-free: `snnjax.compat.norse.torch.LIF`, ...

Replace `import norse.torch as norse` by `import snnjax.compat.norse.torch as norse`:
the constructors (`LIF`, `LIFBoxCell`, `LIFRecurrent`, `LI`, `LIFAdEx`,
`Izhikevich`, `LSNN`, `LIFRefracCell`) take norse's parameter tuples or flat
keywords and build native snnjax models with norse 1.1.0's numerics. Run them
with [`snnjax.run`][snnjax.run].
"""

from . import torch as torch

__all__ = ["torch"]
