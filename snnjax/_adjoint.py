r"""A hand-derived adjoint for [`LIF`][snnjax.LIF] sequences (`bptt="auto"`).

Reverse mode of a plain `lax.scan` over LIF steps is correct but moves more
memory than the math needs: on XLA's CPU backend the program zero-fills a
fresh buffer for the stored residual, copies it, and zero-fills another for
the input gradient (8 sequence-sized passes over memory for `grad` of a loss
on the spikes, where reading $x$ and $R$ and writing $\partial L/\partial x$
are 3). Here `run` keeps one array per step, the charged membrane
$h_t$, and the backward pass is one reverse loop that reads $h_t$ and the
spike cotangent and writes $\partial L / \partial x_t$ *into the buffer of
$h_t$* it has just read, so no second sequence-sized buffer exists.

Adjoint of the LIF update (notation of the [`LIF`][snnjax.LIF] docstring;
$\sigma_t$ = `surrogate.derivative(h_t - threshold)`,
$\lambda_t = \partial L / \partial v_t$ through the later steps and the final
state, $\bar\sigma_t = 0$ with `detach_reset`, else $\sigma_t$):

* `reset_timing="immediate"`: $\mu_t = \partial L/\partial h_t =
  \bar y_t \sigma_t + \lambda_t\, \partial v_t/\partial h_t$ with
  $\partial v_t/\partial h_t = 1 - \vartheta \bar\sigma_t$ (subtract),
  $1 - s_t + (v_\text{reset} - h_t) \bar\sigma_t$ (zero), $1$ (none); then
  $\partial L/\partial x_t = g \mu_t$ and $\lambda_{t-1} = \beta \mu_t$.
* `reset_timing="delayed"` (the state is $h_t$, the reset
  $r_t = \text{sg}(H(v_{t-1} - \vartheta))$ is detached):
  $\mu_t = \bar y_t \sigma_t + \lambda_t$, $\partial L/\partial x_t = g \mu_t$,
  $\lambda_{t-1} = \beta \mu_t$, times $(1 - r_t)$ for the zero reset.

$\bar y_t$ is the cotangent of the spikes. Parameter gradients are the sums
over time and broadcast axes of $\mu_t\, \partial h_t / \partial p$ (and of the
reset terms for $\vartheta$ and $v_\text{reset}$), computed only for the
parameters in `learn`. `tests/test_adjoint.py` checks every option against
plain autodiff.
"""

import dataclasses
import functools
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .neurons._base import SpikeTest, check_param_shapes, reset_now
from .neurons.lif import LIF, LIFState, lif_charge

PARAMS = ("beta", "threshold", "v_reset", "v_leak")


def applies(model: object, record: bool) -> bool:
    """Whether `run(model, ...)` can use the LIF adjoint.

    Plain `LIF` without `state_quant` (an arbitrary function: its derivative is
    not known here), with the immediate or the delayed reset, and without
    `record` (the recorded post-reset states would be a second stored array).
    """
    return (
        type(model) is LIF
        and model.state_quant is None
        and model.reset_timing in ("immediate", "delayed")
        and not record
    )


def lif_sequence(
    model: LIF,
    xs: Float[Array, " time *shape"],
    state: LIFState,
    unroll: int | bool = 1,
) -> tuple[Float[Array, " time *shape"], LIFState]:
    """`run(model, xs, state)` for a LIF, with the adjoint above as its VJP."""
    check_param_shapes(model, xs.shape[1:])
    dtype = xs.dtype
    params = tuple(
        getattr(model, n).astype(dtype)
        if n in model.learn
        else jax.lax.stop_gradient(getattr(model, n)).astype(dtype)
        for n in PARAMS
    )
    surrogate_arrays, surrogate_static = eqx.partition(model.surrogate, eqx.is_array)
    config = _Config.of(model, surrogate_static, unroll)
    spikes, v = _sequence(config, params, surrogate_arrays, xs, state.v)
    return spikes, LIFState(v=v)


@dataclasses.dataclass(frozen=True)
class _Config:
    """The static part of one LIF: options, learn set, surrogate structure."""

    reset: str
    immediate: bool
    detach: bool
    spike_test: SpikeTest
    decay_input: bool
    learn: frozenset[str]
    surrogate_static: Any
    unroll: int | bool  # `run`'s, for both loops

    @classmethod
    def of(cls, model: LIF, surrogate_static: Any, unroll: int | bool) -> "_Config":
        return cls(
            reset=model.reset,
            immediate=model.reset_timing == "immediate",
            detach=model.detach_reset,
            spike_test=model.spike_test,
            decay_input=model.decay_input,
            learn=model.learn,
            surrogate_static=surrogate_static,
            unroll=unroll,
        )

    def surrogate(self, arrays: Any) -> Any:
        return eqx.combine(arrays, self.surrogate_static)


def _spike(v: Array, threshold: Array, spike_test: SpikeTest) -> Array:
    r"""$H(v - \vartheta)$ as `fire` computes it, without a derivative rule.

    Inside this custom VJP the spikes need no surrogate: the first derivative
    is the adjoint below, and a derivative of the adjoint itself (grad of
    grad) must see spikes as the piecewise-constant function they are, as
    plain autodiff does (tested against finite differences).
    """
    x = v - threshold
    return ((x >= 0) if spike_test == ">=" else (x > 0)).astype(v.dtype)


def _broadcast(params: tuple[Array, ...], like: Array) -> tuple[Array, ...]:
    return tuple(jnp.broadcast_to(p, like.shape) for p in params)


def _charge_fire_reset(
    config: _Config, params: tuple[Array, ...], v: Array, x: Array
) -> tuple[Array, Array, Array]:
    """One forward step: `(h, spikes, v_new)`, the same operations as `lif_step`."""
    beta, threshold, v_reset, v_leak = params
    if config.immediate:
        h = lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=config.decay_input)
        spikes = _spike(h, threshold, config.spike_test)
        v_new = reset_now(
            h, spikes, reset=config.reset, threshold=threshold, v_reset=v_reset
        )
        return h, spikes, v_new
    r = _spike(v, threshold, config.spike_test)
    if config.reset == "zero":
        v_old = (1 - r) * v + r * v_reset
        h = lif_charge(
            v_old, x, beta=beta, v_leak=v_leak, decay_input=config.decay_input
        )
    else:
        h = lif_charge(v, x, beta=beta, v_leak=v_leak, decay_input=config.decay_input)
        if config.reset == "subtract":
            h = h - r * threshold
    return h, _spike(h, threshold, config.spike_test), h


def _forward(
    config: _Config, params: tuple[Array, ...], xs: Array, v0: Array, keep_h: bool
) -> tuple[Array, Array, Array | None]:
    """The scan; the spikes need no surrogate here (see `_spike`)."""
    step_params = _broadcast(params, v0)

    def body(v: Array, x: Array) -> tuple[Array, Any]:
        h, spikes, v_new = _charge_fire_reset(config, step_params, v, x)
        return v_new, (spikes, h if keep_h else None)

    v, (spikes, hs) = jax.lax.scan(body, v0, xs, unroll=config.unroll)
    return spikes, v, hs


@functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
def _sequence(
    config: _Config,
    params: tuple[Array, ...],
    surrogate_arrays: Any,
    xs: Array,
    v0: Array,
) -> tuple[Array, Array]:
    del surrogate_arrays  # only the backward pass uses the surrogate
    spikes, v, _ = _forward(config, params, xs, v0, keep_h=False)
    return spikes, v


def _fwd(
    config: _Config,
    params: tuple[Array, ...],
    surrogate_arrays: Any,
    xs: Array,
    v0: Array,
) -> tuple[tuple[Array, Array], Any]:
    spikes, v, hs = _forward(config, params, xs, v0, keep_h=True)
    needs_x = config.decay_input and "beta" in config.learn
    residuals = (params, surrogate_arrays, hs, v0, xs if needs_x else None)
    return (spikes, v), residuals


def _reduce_to(g: Array, shape: tuple[int, ...]) -> Array:
    """Sum `g` over the axes a parameter of `shape` was broadcast along."""
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _bwd(config: _Config, residuals: Any, cotangents: Any) -> Any:
    params, surrogate_arrays, hs, v0, xs = residuals
    ct_spikes, ct_v = cotangents
    surrogate = config.surrogate(surrogate_arrays)
    beta, threshold, v_reset, v_leak = _broadcast(params, v0)
    live = not config.detach
    learned = tuple(n in config.learn for n in PARAMS)
    needs_prev = learned[0] or not config.immediate  # beta grads, delayed reset
    length = hs.shape[0]

    def previous_v(t: Array, buf: Array) -> Array:
        """$v_{t-1}$: the initial state at $t = 0$, else from $h_{t-1}$."""
        h_prev = buf[jnp.maximum(t - 1, 0)]
        if config.immediate:
            s_prev = _spike(h_prev, threshold, config.spike_test)
            v_prev = reset_now(
                h_prev, s_prev, reset=config.reset, threshold=threshold, v_reset=v_reset
            )
        else:
            v_prev = h_prev
        return jnp.where(t > 0, v_prev, v0)

    def body(i: Array, carry: Any) -> Any:
        lam, buf, acc = carry
        t = length - 1 - i
        h = buf[t]
        ct_y = ct_spikes[t]
        sigma = surrogate.derivative(h - threshold).astype(h.dtype)
        spikes = _spike(h, threshold, config.spike_test)
        prev = previous_v(t, buf) if needs_prev else None
        g_thr = -ct_y * sigma  # through the spike test
        g_vr = jnp.zeros_like(h)
        if config.immediate:
            sig = sigma if live else jnp.zeros_like(sigma)
            if config.reset == "subtract":
                dv_dh = 1 - threshold * sig
                g_thr = g_thr + lam * (threshold * sig - spikes)
            elif config.reset == "zero":
                dv_dh = (1 - spikes) + (v_reset - h) * sig
                g_thr = g_thr - lam * (v_reset - h) * sig
                g_vr = lam * spikes
            else:
                dv_dh = jnp.ones_like(h)
            mu = ct_y * sigma + lam * dv_dh
            lam_prev = beta * mu
            v_from = prev  # h = beta (v_prev - v_leak) + v_leak + g x
        else:
            mu = ct_y * sigma + lam
            assert prev is not None
            r = _spike(prev, threshold, config.spike_test)
            if config.reset == "zero":
                lam_prev = beta * (1 - r) * mu
                v_from = (1 - r) * prev + r * v_reset
                g_vr = mu * beta * r
            else:
                lam_prev = beta * mu
                v_from = prev
                if config.reset == "subtract":
                    g_thr = g_thr - mu * r
        gain = (1 - beta) if config.decay_input else 1
        new = []
        for name, on, total in zip(PARAMS, learned, acc, strict=True):
            if not on:
                new.append(total)
                continue
            if name == "beta":
                assert v_from is not None
                g = mu * (v_from - v_leak)
                if config.decay_input:
                    g = g - mu * xs[t]
            elif name == "threshold":
                g = g_thr
            elif name == "v_reset":
                g = g_vr
            else:
                g = mu * (1 - beta)
            new.append(total + g)
        buf = buf.at[t].set(gain * mu)  # dL/dx_t into h_t's slot, read above
        return lam_prev, buf, tuple(new)

    # per-element sums for learned parameters, a placeholder scalar otherwise
    acc0 = tuple(
        jnp.zeros_like(v0) if on else jnp.zeros((), v0.dtype) for on in learned
    )
    lam, d_xs, acc = jax.lax.fori_loop(
        0, length, body, (ct_v, hs, acc0), unroll=config.unroll
    )
    d_params = tuple(
        _reduce_to(total, p.shape) if on else jnp.zeros_like(p)
        for p, on, total in zip(params, learned, acc, strict=True)
    )
    d_surrogate = jax.tree.map(jnp.zeros_like, surrogate_arrays)
    return d_params, d_surrogate, d_xs, lam


_sequence.defvjp(_fwd, _bwd)
