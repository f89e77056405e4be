r"""The NIR primitives that snnjax has no layer or neuron for, as Equinox modules.

Every node acts on the trailing (per-sample) axes of its input; any leading
axes are batch. Neuron parameters are stored twice: as the continuous-time NIR
parameters (`nir_params`, what [`to_nir`][snnjax.nir.to_nir] writes back) and
as the per-step coefficients the update uses (decays and input gains computed
in float64 from `dt` and the discretisation, then stored in float32).

The neuron update, in the order the code runs it (`timing="post"`, the NIR
reading): with the synaptic current (CubaLIF, CubaLI)
$i_t = a_s\, i_{t-1} + g_s\, x_t$ and the drive $d_t = i_t$ (else $d_t = x_t$),

$$ h_t = a\,(v_{t-1} - v_\text{leak}) + v_\text{leak} + g\, d_t $$

($a = 1$, $v_\text{leak} = 0$ for IF and I), then the spike $z_t = H(h_t - \vartheta)$
(`">"` or `">="`) or, with `spike="multi"`, $z_t = \lfloor h_t/\vartheta \rfloor$ for
$h_t > 0$, and the reset: `"value"` $v_t = v_\text{reset}$ where $z_t > 0$ else
$h_t$; `"subtract"` $v_t = h_t - z_t \vartheta$; `"none"` $v_t = h_t$;
`"subtract_delayed"` $h_t$ is first reduced by $z_{t-1}\vartheta$ and $v_t = h_t$;
`"zero_delayed_whole"` $h_t$ is first multiplied by $1 - z_{t-1}$ and $v_t = h_t$.
With `timing="pre"` (spyx) the spike is $z_t = H(v_{t-1} - \vartheta)$, computed
before the update, and the update subtracts $z_t \vartheta$ after the decay
(`reset_order="after_decay"`) or before it (`"before_decay"`).
"""

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from ..neurons._base import fire
from ..surrogate import AbstractSurrogate, FastSigmoid

SPIKING = ("LIF", "CubaLIF", "IF")
NEURON_KINDS = ("LIF", "CubaLIF", "IF", "LI", "CubaLI", "I")


def _cast(p: Array, like: Array) -> Array:
    """`p` in `like`'s dtype, broadcast explicitly to `like`'s shape."""
    return jnp.broadcast_to(p.astype(like.dtype), like.shape)


class NeuronState(eqx.Module):
    """State of an imported NIR neuron.

    Attributes:
        v: membrane potential after the last step (post-reset unless the reset
            is delayed).
        i: the decayed synaptic current $a_s i_t$ carried to the next step
            (zeros for kinds without one).
        z: the spikes of the last step (used by delayed resets).
    """

    v: Array
    i: Array
    z: Array


class Neuron(eqx.Module):
    r"""One NIR neuron node (LIF, CubaLIF, IF, LI, CubaLI or I) at a fixed `dt`.

    See the module docstring for the exact update. The static options select
    the convention (the NIR reading or a peer library's).
    """

    kind: str = eqx.field(static=True)
    # the file's parameters in float64, static (never trained, no gradient)
    nir_params: tuple[tuple[str, tuple[int, ...], tuple[float, ...]], ...] = eqx.field(
        static=True
    )
    decay: Array
    gain: Array
    syn_decay: Array
    syn_gain: Array
    v_leak: Array
    threshold: Array
    v_reset: Array
    v_init: Array
    surrogate: AbstractSurrogate
    spike: str = eqx.field(static=True)
    spike_test: str = eqx.field(static=True)
    reset: str = eqx.field(static=True)
    timing: str = eqx.field(static=True)
    reset_order: str = eqx.field(static=True)
    clamp_min: bool = eqx.field(static=True)
    standard: bool = eqx.field(static=True)

    def nir_arrays(self) -> dict[str, Any]:
        """The NIR parameters as float64 NumPy arrays (what `to_nir` writes)."""
        return {
            k: np.asarray(v, np.float64).reshape(shape)
            for k, shape, v in self.nir_params
        }

    @property
    def spiking(self) -> bool:
        """Whether the node emits spikes (else it outputs its membrane)."""
        return self.kind in SPIKING

    def init_state(
        self, shape: tuple[int, ...], dtype: Any = jnp.float32
    ) -> NeuronState:
        """Initial membrane `v_init`, zero current and no previous spikes."""
        zeros = jnp.zeros(shape, dtype)
        return NeuronState(_cast(self.v_init, zeros), zeros, zeros)

    def _integrate(self, x: Array, v: Array, i: Array) -> tuple[Array, Array]:
        if self.kind in ("CubaLIF", "CubaLI"):
            # the state carries the decayed current a_s i_{t-1}: the product is
            # rounded on its own, as in the NIR reference and snnjax's LI
            drive = i + _cast(self.syn_gain, x) * x
            i = _cast(self.syn_decay, x) * drive
        else:
            drive = x
        if self.kind in ("IF", "I"):
            return v + _cast(self.gain, x) * drive, i
        a, vl = _cast(self.decay, x), _cast(self.v_leak, x)
        return a * (v - vl) + vl + _cast(self.gain, x) * drive, i

    def _spikes(self, h: Array) -> Array:
        thr = _cast(self.threshold, h)
        s = fire(h, thr, self.surrogate, ">=" if self.spike_test == ">=" else ">")
        if self.spike == "single":
            return s
        count = jnp.where(h > 0, jnp.trunc(h / thr), jnp.zeros_like(h))
        return jax.lax.stop_gradient(count - s) + s

    def emit(self, state: NeuronState) -> Array:
        """`timing="pre"`: this step's spikes from the stored membrane only."""
        return self._spikes(state.v)

    def absorb(self, x: Array, state: NeuronState, z: Array) -> NeuronState:
        """`timing="pre"`: integrate `x` and subtract the emitted spikes `z`."""
        thr = _cast(self.threshold, x)
        if self.reset_order == "before_decay":
            v, i = self._integrate(x, state.v - z * thr, state.i)
        else:
            v, i = self._integrate(x, state.v, state.i)
            v = v - z * thr
        return NeuronState(v, i, z)

    def __call__(self, x: Array, state: NeuronState) -> tuple[Array, NeuronState]:
        """One step: `(x_t, state) -> (spikes or membrane, new state)`."""
        if not self.spiking:
            v, i = self._integrate(x, state.v, state.i)
            return v, NeuronState(v, i, state.z)
        if self.timing == "pre":
            z = self.emit(state)
            return z, self.absorb(x, state, z)
        h, i = self._integrate(x, state.v, state.i)
        thr = _cast(self.threshold, x)
        if self.reset == "subtract_delayed":
            h = h - state.z * thr
        elif self.reset == "zero_delayed_whole":
            h = h * (1 - state.z)
        z = self._spikes(h)
        if self.reset == "value":
            v = jnp.where(z > 0, _cast(self.v_reset, h), h)
        elif self.reset == "subtract":
            v = h - z * thr
        else:
            v = h
        if self.clamp_min:
            v = jnp.maximum(v, -thr)
        return z, NeuronState(v, i, z)


def neuron_coefficients(
    kind: str,
    params: dict[str, Any],
    *,
    dt: float,
    discretization: str,
    input_scale: str,
    syn_input: str,
) -> dict[str, Any]:
    r"""Per-step decays and gains (float64) from the NIR parameters.

    `input_scale="nir"`: gain $(1 - a) r$ (IF and I: $\Delta t\, r$);
    `"unit"`: gain 1. `syn_input="nir"`: current gain $(1 - a_s) w_\text{in}$;
    `"jump"`: $w_\text{in}$; `"unit"`: 1.
    """
    one = np.ones_like(params.get("r", np.float64(1.0)), dtype=np.float64)

    def decay(tau: Any) -> Any:
        ratio = dt / tau
        return np.exp(-ratio) if discretization == "exp" else 1.0 - ratio

    out: dict[str, Any] = {}
    if kind in ("IF", "I"):
        out["decay"] = one
        out["gain"] = dt * params["r"] if input_scale == "nir" else one
    else:
        tau = params["tau"] if "tau" in params else params["tau_mem"]
        a = decay(tau)
        out["decay"] = a
        out["gain"] = (1.0 - a) * params["r"] if input_scale == "nir" else one * 1.0
    if kind in ("CubaLIF", "CubaLI"):
        a_s = decay(params["tau_syn"])
        w_in = params["w_in"]
        out["syn_decay"] = a_s
        if syn_input == "nir":
            out["syn_gain"] = (1.0 - a_s) * w_in
        elif syn_input == "jump":
            out["syn_gain"] = np.asarray(w_in, np.float64)
        else:
            out["syn_gain"] = np.ones_like(a_s)
    else:
        out["syn_decay"] = np.zeros(())
        out["syn_gain"] = np.zeros(())
    return out


class Scale(eqx.Module):
    r"""NIR `Scale`: $y = s \odot x$ over the trailing axes."""

    scale: Array

    def __call__(self, x: Array) -> Array:
        """Scale `x` elementwise."""
        return x * _cast(self.scale, x)


class Threshold(eqx.Module):
    r"""NIR `Threshold`: $y = H(x - \vartheta)$ (strict `>`), surrogate gradient."""

    threshold: Array
    surrogate: AbstractSurrogate = FastSigmoid()

    def __call__(self, x: Array) -> Array:
        """Spikes where `x` exceeds the threshold."""
        return fire(x, _cast(self.threshold, x), self.surrogate, ">")


class Identity(eqx.Module):
    """NIR `Input` / `Output`: passes its input through."""

    def __call__(self, x: Array) -> Array:
        """Return `x`."""
        return x


class Flatten(eqx.Module):
    """NIR `Flatten(start_dim, end_dim)` over the per-sample axes.

    `sample_ndim` is the number of per-sample axes of the input (NIR indices
    exclude the batch); `order="hwc"` first moves the channel axis of a
    `(C, H, W)` sample last, as a channels-last library flattens (spyx).
    """

    start_dim: int = eqx.field(static=True)
    end_dim: int = eqx.field(static=True)
    sample_ndim: int = eqx.field(static=True)
    order: str = eqx.field(static=True, default="chw")

    def __call__(self, x: Array) -> Array:
        """Merge the per-sample axes `start_dim..end_dim`."""
        nd = self.sample_ndim
        lead = x.ndim - nd
        if lead < 0:
            raise ValueError(
                f"Flatten expects {nd} per-sample axes; got shape {x.shape}."
            )
        if self.order == "hwc" and nd == 3:
            x = jnp.moveaxis(x, lead, -1)
        start, end = self.start_dim % nd + lead, self.end_dim % nd + lead
        shape = (*x.shape[:start], -1, *x.shape[end + 1 :])
        return x.reshape(shape)


class Delay(eqx.Module):
    r"""NIR `Delay`: $y_t = x_{t - d}$ with $d = \text{round}(\tau_d/\Delta t)$ steps.

    The state holds the last `max(d)` inputs (zeros before the start).
    """

    steps: Array
    nir_delay: Array
    max_steps: int = eqx.field(static=True)

    def init_state(self, shape: tuple[int, ...], dtype: Any = jnp.float32) -> Array:
        """No past input: zeros of shape `(max_steps, *shape)`."""
        return jnp.zeros((self.max_steps, *shape), dtype)

    def __call__(self, x: Array, state: Array) -> tuple[Array, Array]:
        """Push `x`, return the input from `steps` steps ago."""
        history = jnp.concatenate([x[None], state], axis=0)
        idx = jnp.broadcast_to(self.steps, x.shape)[None]
        y = jnp.take_along_axis(history, idx, axis=0)[0]
        return y, history[: self.max_steps]
