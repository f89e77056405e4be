"""sinabs' namespace, torch-free: `sinabs.layers.X` and `sinabs.activation.X`.

Replace `import sinabs` by `from snnjax.compat import sinabs` and the layer
constructors build native snnjax models with sinabs' behaviour:
[`snnjax.MultiSpikeLIF`][snnjax.MultiSpikeLIF] for `IAF` and `LIF`,
[`snnjax.ALIF`][snnjax.ALIF] and [`snnjax.ALIFRecurrent`][snnjax.ALIFRecurrent]
for `ALIF` and `ALIFRecurrent`. Run them with [`snnjax.run`][snnjax.run] on
*time-major* input, `(time, batch, ...)`: sinabs layers take
`(batch, time, ...)`, so transpose with `jnp.swapaxes(x, 0, 1)`. The state
fields `v`, `i`, `b` are sinabs' `v_mem`, `i_syn`, `b`; sinabs' stored
`spike_threshold` is `model.spike_threshold(state)`.
"""

from . import activation as activation, layers as layers

__all__ = ["activation", "layers"]
