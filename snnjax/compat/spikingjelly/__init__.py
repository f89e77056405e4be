"""spikingjelly's namespace, torch-free: `spikingjelly.activation_based.neuron.X`.

Replace `from spikingjelly.activation_based import neuron, surrogate` by
`from snnjax.compat.spikingjelly.activation_based import neuron, surrogate` and
the constructors build native snnjax models with spikingjelly's behaviour:
`>=` spike test, charge/fire/reset in one step, hard reset to `v_reset` or soft
reset (`v_reset=None`), optional `detach_reset`, initial `v = v_reset` (0 for a
soft reset). Run them with [`snnjax.run`][snnjax.run]; the recorded `v` is
spikingjelly's `v_seq`.
"""

from . import activation_based as activation_based

__all__ = ["activation_based"]
