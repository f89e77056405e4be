"""Izhikevich neuron with its spiking-behaviour presets (norse `Izhikevich`)."""

import types
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

from .. import _checks
from .._custom_types import ParamLike
from ..surrogate import AbstractSurrogate, FastSigmoid
from ._base import AbstractNeuron, detach_if, fire, reset_now

_IZHIKEVICH_PARAMS = (
    "a",
    "b",
    "c",
    "d",
    "quadratic",
    "linear",
    "constant",
    "threshold",
    "dt",
)


class IzhikevichState(eqx.Module):
    """State of [`Izhikevich`][snnjax.Izhikevich]: membrane `v`, recovery `u`."""

    v: Float[Array, "*shape"]
    u: Float[Array, "*shape"]


class IzhikevichPreset(NamedTuple):
    """A spiking behaviour: parameters and initial state, in norse's units.

    `dt` is norse's `tau_inv * dt` for its default `dt = 0.001`; the optional
    `quadratic`, `linear`, `constant` are `None` when the behaviour uses the
    defaults 0.04, 5, 140.
    """

    a: float
    b: float
    c: float
    d: float
    v_rest: float
    u_rest: float
    dt: float = 0.25
    linear: float | None = None
    constant: float | None = None


def _preset(
    a: float,
    b: float,
    c: float,
    d: float,
    v_rest: float,
    *,
    tau_inv: float = 250.0,
    u_rest: float | None = None,
    linear: float | None = None,
    constant: float | None = None,
) -> IzhikevichPreset:
    # norse starts u at v_rest * b unless the behaviour says otherwise
    return IzhikevichPreset(
        a,
        b,
        c,
        d,
        v_rest,
        v_rest * b if u_rest is None else u_rest,
        tau_inv * 0.001,
        linear,
        constant,
    )


#: norse 1.1.0's spiking behaviours (`norse.torch.tonic_spiking`, ...), after
#: Izhikevich (2004), as parameters and initial state.
PRESETS: Mapping[str, IzhikevichPreset] = types.MappingProxyType(
    {
        "tonic_spiking": _preset(0.02, 0.2, -65.0, 6.0, -70.0),
        "phasic_spiking": _preset(0.02, 0.25, -65.0, 6.0, -64.0),
        "tonic_bursting": _preset(0.02, 0.2, -50.0, 2.0, -70.0),
        "phasic_bursting": _preset(0.02, 0.25, -55.0, 0.05, -64.0, tau_inv=200.0),
        "mixed_mode": _preset(0.02, 0.2, -55.0, 4.0, -70.0),
        "spike_frequency_adaptation": _preset(0.01, 0.2, -65.0, 8.0, -70.0),
        "class_1_exc": _preset(
            0.02, -0.1, -55.0, 6.0, -60.0, linear=4.1, constant=108.0
        ),
        "class_2_exc": _preset(0.2, 0.26, -65.0, 0.0, -64.0),
        "spike_latency": _preset(0.02, 0.2, -65.0, 6.0, -70.0),
        "subthreshold_oscillation": _preset(0.05, 0.26, -60.0, 0.0, -62.0),
        "resonator": _preset(0.1, 0.26, -60.0, -1.0, -62.0),
        "integrator": _preset(
            0.02, -0.1, -55.0, 6.0, -60.0, linear=4.1, constant=108.0
        ),
        "rebound_spike": _preset(0.03, 0.25, -60.0, 4.0, -64.0, tau_inv=200.0),
        "rebound_burst": _preset(0.03, 0.25, -52.0, 0.0, -64.0, tau_inv=200.0),
        "threshold_variability": _preset(0.03, 0.25, -60.0, 4.0, -64.0),
        "bistability": _preset(0.1, 0.26, -60.0, 0.0, -61.0),
        "dap": _preset(1.0, 0.2, -60.0, -21.0, -70.0, tau_inv=100.0),
        "accomodation": _preset(
            0.02, 1.0, -55.0, 4.0, -65.0, tau_inv=500.0, u_rest=-16.0
        ),
        "inhibition_induced_spiking": _preset(-0.02, -1.0, -60.0, 8.0, -63.8),
        "inhibition_induced_bursting": _preset(-0.026, -1.0, -45.0, -2.0, -63.8),
    }
)


def izhikevich_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    u: Float[Array, "*shape"],
    *,
    a: Float[Array, "*shape"],
    b: Float[Array, "*shape"],
    c: Float[Array, "*shape"],
    d: Float[Array, "*shape"],
    quadratic: Float[Array, "*shape"],
    linear: Float[Array, "*shape"],
    constant: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    dt: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    detach_reset: bool,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One step; returns `(spikes, v_new, u_new)`. See [`Izhikevich`][snnjax.Izhikevich].

    Written in norse's order of operations, so float32 runs round alike.
    """  # noqa: E501
    h = v + dt * ((((quadratic * v**2 + linear * v) + constant) - u) + x)
    u_decayed = u + (dt * a) * (b * v - u)
    spikes = fire(h, threshold, surrogate, ">")
    s = detach_if(spikes, detach_reset)
    v_new = reset_now(h, s, reset="zero", threshold=threshold, v_reset=c)
    return spikes, v_new, u_decayed + s * d


class Izhikevich(AbstractNeuron[IzhikevichState]):
    r"""Izhikevich's simple spiking neuron (norse `Izhikevich`).

    $$ \frac{dv}{dt} = k_2 v^2 + k_1 v + k_0 - u + I, \qquad
       \frac{du}{dt} = a (b v - u), $$

    and at a spike $v \leftarrow c$, $u \leftarrow u + d$ (time in ms, $v$ in mV;
    $k_2, k_1, k_0$ = `quadratic`, `linear`, `constant`, 0.04, 5 and 140 in
    Izhikevich's model). Discrete update, in the order the code runs it
    (norse 1.1.0 `izhikevich_feed_forward_step`, forward Euler with step
    $\Delta t$ = norse's `tau_inv * dt`):

    $$ h_t = v_{t-1} + \Delta t \left( k_2 v_{t-1}^2 + k_1 v_{t-1} + k_0
         - u_{t-1} + x_t \right), \qquad
       \tilde u_t = u_{t-1} + \Delta t\, a\, (b\, v_{t-1} - u_{t-1}) $$

    $$ s_t = H(h_t - \vartheta), \qquad
       v_t = \bar s_t\, c + (1 - \bar s_t) h_t, \qquad
       u_t = \tilde u_t + \bar s_t\, d $$

    with the strict spike test $H(y) = [y > 0]$ and its surrogate derivative,
    and $\bar s_t = s_t$ (not detached, as norse) or `stop_gradient(s_t)` with
    `detach_reset=True`. The default initial state is $v = v_\text{rest}$,
    $u = u_\text{rest}$ (norse's behaviours start at $u = b\, v_\text{rest}$, the
    default here). The spiking behaviours of Izhikevich (2004) as norse defines
    them are in `Izhikevich.PRESETS`; build one with
    `Izhikevich.preset("tonic_spiking")`.

    Args:
        a: recovery rate $a$ (1/ms).
        b: sensitivity $b$ of the recovery to the membrane.
        c: after-spike membrane reset $c$ (mV).
        d: after-spike recovery increment $d$.
        quadratic: coefficient $k_2$ of $v^2$.
        linear: coefficient $k_1$ of $v$.
        constant: constant drive $k_0$.
        threshold: spike threshold $\vartheta$ (mV), above `c`.
        dt: Euler step $\Delta t > 0$ (ms).
        v_rest: initial membrane (mV).
        u_rest: initial recovery variable; `None` gives $b\, v_\text{rest}$.
        detach_reset: reset with `stop_gradient(spikes)`.
        surrogate: surrogate derivative (default `FastSigmoid(slope=1.0)`,
            norse's `"super"`).
        learn: parameters that receive gradients, subset of `{"a", "b", "c",
            "d", "quadratic", "linear", "constant", "threshold", "dt"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.Izhikevich.preset("tonic_spiking")
        >>> state = neuron.init_state((1,))
        >>> float(state.v[0]), float(state.u[0])
        (-70.0, -14.0)
        >>> _, state = neuron(jnp.zeros(1), state)  # dv = 0.25 (196 - 350 + 140 + 14)
        >>> float(state.v[0])
        -70.0

    References:
        Izhikevich, *Simple model of spiking neurons*, IEEE Trans. Neural Netw.
        14 (2003), doi:10.1109/TNN.2003.820440.
        Izhikevich, *Which model to use for cortical spiking neurons?*, IEEE
        Trans. Neural Netw. 15 (2004), doi:10.1109/TNN.2004.832719.
    """

    PRESETS = PRESETS

    a: Float[Array, "*#shape"]
    b: Float[Array, "*#shape"]
    c: Float[Array, "*#shape"]
    d: Float[Array, "*#shape"]
    quadratic: Float[Array, "*#shape"]
    linear: Float[Array, "*#shape"]
    constant: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    dt: Float[Array, "*#shape"]
    v_rest: Float[Array, "*#shape"]
    u_rest: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    detach_reset: bool = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        a: ParamLike = 0.02,
        b: ParamLike = 0.2,
        c: ParamLike = -65.0,
        d: ParamLike = 6.0,
        *,
        quadratic: ParamLike = 0.04,
        linear: ParamLike = 5.0,
        constant: ParamLike = 140.0,
        threshold: ParamLike = 30.0,
        dt: ParamLike = 0.25,
        v_rest: ParamLike = -70.0,
        u_rest: ParamLike | None = None,
        detach_reset: bool = False,
        surrogate: AbstractSurrogate = FastSigmoid(1.0),
        learn: Collection[str] = frozenset(),
    ):
        self.learn = _checks.check_learn(learn, _IZHIKEVICH_PARAMS)
        finite = {
            "a": a,
            "b": b,
            "d": d,
            "quadratic": quadratic,
            "linear": linear,
            "constant": constant,
            "v_rest": v_rest,
        }
        for name, value in finite.items():
            setattr(
                self, name, _checks.check_finite(name, _checks.as_param(name, value))
            )
        self.threshold = _checks.check_finite(
            "threshold", _checks.as_param("threshold", threshold)
        )
        self.c = _checks.check_less(
            "c",
            _checks.check_finite("c", _checks.as_param("c", c)),
            "threshold",
            self.threshold,
            why=" (the reset must end the spike)",
        )
        self.dt = _checks.check_range(
            "dt", _checks.as_param("dt", dt), lower=0.0, lower_open=True
        )
        if u_rest is None:
            self.u_rest = self.b * self.v_rest
        else:
            self.u_rest = _checks.check_finite(
                "u_rest", _checks.as_param("u_rest", u_rest)
            )
        self.detach_reset = detach_reset
        self.surrogate = surrogate

    @classmethod
    def preset(cls, name: str, **kwargs: Any) -> "Izhikevich":
        """One of norse's spiking behaviours, by name (see `Izhikevich.PRESETS`).

        Args:
            name: a key of `Izhikevich.PRESETS`, e.g. `"tonic_spiking"`.
            **kwargs: overrides of the other `Izhikevich` arguments.
        """
        _checks.check_option("name", name, tuple(PRESETS))
        p = PRESETS[name]
        params: dict[str, Any] = {
            "a": p.a,
            "b": p.b,
            "c": p.c,
            "d": p.d,
            "dt": p.dt,
            "v_rest": p.v_rest,
            "u_rest": p.u_rest,
        }
        if p.linear is not None:
            params["linear"] = p.linear
        if p.constant is not None:
            params["constant"] = p.constant
        return cls(**{**params, **kwargs})

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> IzhikevichState:
        r"""$v = v_\text{rest}$, $u = u_\text{rest}$, shape `shape`."""

        def fill(value: Array) -> Array:
            return jnp.broadcast_to(jax.lax.stop_gradient(value).astype(dtype), shape)

        return IzhikevichState(v=fill(self.v_rest), u=fill(self.u_rest))

    def step(
        self, x: Float[Array, "*shape"], state: IzhikevichState
    ) -> tuple[Float[Array, "*shape"], IzhikevichState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, u = izhikevich_step(
            x,
            state.v,
            state.u,
            **{name: self.param(name, x) for name in _IZHIKEVICH_PARAMS},
            surrogate=self.surrogate,
            detach_reset=self.detach_reset,
        )
        return spikes, IzhikevichState(v=v, u=u)
