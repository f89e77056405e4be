r"""Current-based LIF in norse's forward-Euler form (norse `LIF`, `LIFRecurrent`).

Both models integrate, with a time step $\Delta t$,

$$ \tau_\text{syn} \frac{di}{dt} = -i, \qquad
   \tau_\text{mem} \frac{dv}{dt} = (v_\text{leak} - v) + i, $$

with the input arriving as jumps of the current $i$. Per step the decays are
$\alpha = 1 - \Delta t/\tau_\text{syn}$ and $\beta = 1 - \Delta t/\tau_\text{mem}$
(norse's $1 - \Delta t\,\tau^{-1}$). The input jump is applied *before*
integrating, so an input reaches the membrane in the same step.
"""

import math
from collections.abc import Collection
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import jax.tree_util as jtu
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray, Shaped

from .. import _checks
from .._custom_types import ParamLike, ScalarLike
from ..surrogate import AbstractSurrogate, FastSigmoid
from ._base import (
    AbstractNeuron,
    Reset,
    SpikeTest,
    check_input,
    detach_if,
    fire,
    reset_now,
    validate_options,
)
from .lif import lif_charge

_DISCRETISATIONS = ("euler", "exact")
_CUBA_PARAMS = ("alpha", "beta", "threshold", "v_leak", "v_reset")


class CubaLIFState(eqx.Module):
    """State of [`CubaLIF`][snnjax.CubaLIF]: membrane `v`, synaptic current `i`."""

    v: Float[Array, "*shape"]
    i: Float[Array, "*shape"]


def cuba_lif_step(
    x: Float[Array, "*shape"],
    v: Float[Array, "*shape"],
    i: Float[Array, "*shape"],
    *,
    alpha: Float[Array, "*shape"],
    beta: Float[Array, "*shape"],
    threshold: Float[Array, "*shape"],
    v_leak: Float[Array, "*shape"],
    v_reset: Float[Array, "*shape"],
    surrogate: AbstractSurrogate,
    reset: Reset,
    detach_reset: bool,
    spike_test: SpikeTest,
) -> tuple[Float[Array, "*shape"], Float[Array, "*shape"], Float[Array, "*shape"]]:
    """One step; returns `(spikes, v_new, i_new)`. See [`CubaLIF`][snnjax.CubaLIF].

    The current jump is `j = i + x` (the recurrent model passes its input and
    feedback currents through `i` and `x`, in norse's order of summation).
    """
    j = i + x
    h = lif_charge(v, j, beta=beta, v_leak=v_leak, decay_input=True)
    spikes = fire(h, threshold, surrogate, spike_test)
    s = detach_if(spikes, detach_reset)
    v_new = reset_now(h, s, reset=reset, threshold=threshold, v_reset=v_reset)
    return spikes, v_new, alpha * j


def _decay_from_tau(
    name: str, tau: ParamLike, dt: ScalarLike, discretisation: str
) -> Array:
    """Decay per step from the time constant `name`: `1 - dt/tau` or `exp(-dt/tau)`."""
    _checks.check_option("discretisation", discretisation, _DISCRETISATIONS)
    positive = {"lower": 0.0, "lower_open": True}
    tau = _checks.check_range(name, _checks.as_param(name, tau), **positive)
    dt = _checks.check_range("dt", _checks.as_param("dt", dt), **positive)
    if discretisation == "exact":
        return jnp.exp(-dt / tau)
    # forward Euler is only a decay for dt <= tau
    return 1 - _checks.check_range(f"dt / {name}", dt / tau, upper=1.0)


def _decays_from_tau(
    tau_syn: ParamLike, tau_mem: ParamLike, dt: ScalarLike, discretisation: str
) -> tuple[Array, Array]:
    """`(alpha, beta)` from the synaptic and membrane time constants."""
    return (
        _decay_from_tau("tau_syn", tau_syn, dt, discretisation),
        _decay_from_tau("tau_mem", tau_mem, dt, discretisation),
    )


def _cuba_params(
    alpha: ParamLike,
    beta: ParamLike,
    threshold: ParamLike,
    v_leak: ParamLike,
    v_reset: ParamLike,
    reset: str,
) -> dict[str, Array]:
    """Convert and validate the parameters shared by the norse-style LIFs."""
    threshold_arr = _checks.check_finite(
        "threshold", _checks.as_param("threshold", threshold)
    )
    v_reset_arr = _checks.check_finite("v_reset", _checks.as_param("v_reset", v_reset))
    if reset == "zero":
        v_reset_arr = _checks.check_less(
            "v_reset", v_reset_arr, "threshold", threshold_arr, why=' for reset="zero"'
        )
    return {
        "alpha": _checks.check_range(
            "alpha", _checks.as_param("alpha", alpha), lower=0.0, upper=1.0
        ),
        "beta": _checks.check_range(
            "beta", _checks.as_param("beta", beta), lower=0.0, upper=1.0
        ),
        "threshold": threshold_arr,
        "v_leak": _checks.check_finite("v_leak", _checks.as_param("v_leak", v_leak)),
        "v_reset": v_reset_arr,
    }


class CubaLIF(AbstractNeuron[CubaLIFState]):
    r"""Current-based leaky integrate-and-fire neuron, norse's forward-Euler form.

    $$ \tau_\text{syn} \frac{di}{dt} = -i, \qquad
       \tau_\text{mem} \frac{dv}{dt} = (v_\text{leak} - v) + i, \qquad
       i \leftarrow i + x_t \text{ at each step.} $$

    Discrete update, in the order the code runs it (norse 1.1.0
    `lif_feed_forward_step`): the input jump, one Euler step of the membrane
    with the jumped current, the current decay, the spike on the integrated
    membrane, the reset.

    $$ j_t = i_{t-1} + x_t, \qquad
       h_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + (1 - \beta)\, j_t,
       \qquad i_t = \alpha\, j_t $$

    $$ s_t = H(h_t - \vartheta), \qquad
       v_t = \begin{cases}
         \bar s_t v_\text{reset} + (1 - \bar s_t) h_t & \text{reset="zero"} \\
         h_t - \bar s_t \vartheta & \text{reset="subtract"} \\
         h_t & \text{reset="none"}
       \end{cases} $$

    $H$ is the spike test (`>` by default, norse's) with a surrogate
    derivative; $\bar s_t = s_t$ (norse's feed-forward `LIF` does not detach
    the reset) or `stop_gradient(s_t)` with `detach_reset=True`. With
    $\beta = 1 - \Delta t\,\tau_\text{mem}^{-1}$ the membrane line is norse's
    $v + \Delta t\,\tau_\text{mem}^{-1} ((v_\text{leak} - v) + j)$, and with
    $\alpha = 1 - \Delta t\,\tau_\text{syn}^{-1}$ the current line is
    $j - \Delta t\,\tau_\text{syn}^{-1} j$. The state holds the post-reset
    $v_t$ and $i_t$, what norse records. Default initial state:
    $v = v_\text{leak}$, $i = 0$.

    Args:
        alpha: synaptic decay per step, $\alpha \in [0, 1]$
            ($1 - \Delta t/\tau_\text{syn}$); scalar or per neuron.
        beta: membrane decay per step, $\beta \in [0, 1]$
            ($1 - \Delta t/\tau_\text{mem}$).
        threshold: firing threshold $\vartheta$ (membrane units), finite.
        v_leak: resting potential and initial membrane.
        v_reset: value set by `reset="zero"`; below `threshold` for that reset.
        reset: `"zero"` (norse), `"subtract"` or `"none"`.
        detach_reset: reset with `stop_gradient(spikes)`.
        spike_test: `">"` (norse) or `">="`.
        surrogate: surrogate derivative (default `FastSigmoid(slope=1.0)`,
            norse 1.1.0's `"super"` method).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold", "v_leak", "v_reset"}`.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> neuron = snn.CubaLIF(alpha=0.5, beta=0.5)
        >>> xs = jnp.array([[1.0], [0.0], [0.0]])
        >>> _, _, rec = snn.run(neuron, xs, neuron.init_state((1,)), record=True)
        >>> rec.v[:, 0].tolist()  # 0.5 * 1, 0.25 + 0.5 * 0.5, 0.25 + 0.5 * 0.25
        [0.5, 0.5, 0.375]
        >>> rec.i[:, 0].tolist()
        [0.5, 0.25, 0.125]

    References:
        Pehle & Pedersen, *Norse: a deep learning library for spiking neural
        networks* (2021), doi:10.5281/zenodo.4422025.
        Gerstner, Kistler, Naud & Paninski, *Neuronal Dynamics* (2014), ch. 1,
        doi:10.1017/CBO9781107447615.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        alpha: ParamLike = 0.8,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        v_leak: ParamLike = 0.0,
        v_reset: ParamLike = 0.0,
        reset: str = "zero",
        detach_reset: bool = False,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = FastSigmoid(1.0),
        learn: Collection[str] = frozenset(),
    ):
        validate_options(
            reset=reset, spike_test=spike_test, learn=learn, allowed_learn=_CUBA_PARAMS
        )
        params = _cuba_params(alpha, beta, threshold, v_leak, v_reset, reset)
        self.alpha = params["alpha"]
        self.beta = params["beta"]
        self.threshold = params["threshold"]
        self.v_leak = params["v_leak"]
        self.v_reset = params["v_reset"]
        self.surrogate = surrogate
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    @classmethod
    def from_tau(
        cls,
        tau_syn: ParamLike,
        tau_mem: ParamLike,
        threshold: ParamLike = 1.0,
        *,
        dt: ScalarLike = 1.0,
        discretisation: str = "euler",
        **kwargs: Any,
    ) -> "CubaLIF":
        r"""Build from time constants.

        `discretisation="euler"` (norse's): $\alpha = 1 - \Delta t/\tau_\text{syn}$,
        $\beta = 1 - \Delta t/\tau_\text{mem}$, which needs
        $\Delta t \le \tau$; `"exact"`: $\alpha = e^{-\Delta t/\tau_\text{syn}}$,
        $\beta = e^{-\Delta t/\tau_\text{mem}}$.

        Args:
            tau_syn: synaptic time constant $> 0$ (unit of `dt`).
            tau_mem: membrane time constant $> 0$ (unit of `dt`).
            threshold: firing threshold.
            dt: time step $> 0$.
            discretisation: `"euler"` or `"exact"`.
            **kwargs: the other `CubaLIF` arguments.
        """
        alpha, beta = _decays_from_tau(tau_syn, tau_mem, dt, discretisation)
        return cls(alpha, beta, threshold, **kwargs)

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> CubaLIFState:
        r"""$v = v_\text{leak}$, $i = 0$, shape `shape`."""
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), shape)
        return CubaLIFState(v=v, i=jnp.zeros(shape, dtype))

    def step(
        self, x: Float[Array, "*shape"], state: CubaLIFState
    ) -> tuple[Float[Array, "*shape"], CubaLIFState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        spikes, v, i = cuba_lif_step(
            x,
            state.v,
            state.i,
            alpha=self.param("alpha", x),
            beta=self.param("beta", x),
            threshold=self.param("threshold", x),
            v_leak=self.param("v_leak", x),
            v_reset=self.param("v_reset", x),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, CubaLIFState(v=v, i=i)


# --------------------------------------------------------------------- recurrent


class CubaLIFRecurrentState(eqx.Module):
    """State of [`CubaLIFRecurrent`][snnjax.CubaLIFRecurrent]: `v`, `i`, spikes `z`."""

    v: Float[Array, "*batch n"]
    i: Float[Array, "*batch n"]
    z: Float[Array, "*batch n"]


def _linear(
    x: Float[Array, "*batch k"], weight: Float[Array, "n k"]
) -> Float[Array, "*batch n"]:
    r"""$x W^\top$ over the trailing axis (torch's `linear` without bias)."""
    return jnp.einsum("...k,nk->...n", x, weight)


class CubaLIFRecurrent(eqx.Module):
    r"""Current-based LIF layer with input and recurrent weights (norse `LIFRecurrent`).

    The input $x_t$ (shape `(*batch, n_in)`) and the previous step's spikes
    $z_{t-1}$ (shape `(*batch, n)`) jump the synaptic current through the
    weights $W_\text{in}$ (`(n, n_in)`) and $W_\text{rec}$ (`(n, n)`); the rest
    is [`CubaLIF`][snnjax.CubaLIF]. Discrete update, in the order the code runs
    it (norse 1.1.0 `lif_step`):

    $$ j_t = (i_{t-1} + x_t W_\text{in}^\top) + z_{t-1} \tilde W_\text{rec}^\top,
       \qquad
       h_t = \beta (v_{t-1} - v_\text{leak}) + v_\text{leak} + (1 - \beta)\, j_t,
       \qquad i_t = \alpha\, j_t $$

    $$ s_t = H(h_t - \vartheta), \qquad
       v_t = \bar s_t v_\text{reset} + (1 - \bar s_t) h_t \;\text{("zero")},
       \qquad z_t = s_t $$

    (or $h_t - \bar s_t\vartheta$ for `"subtract"`, $h_t$ for `"none"`), where
    $\tilde W_\text{rec}$ is $W_\text{rec}$ with its diagonal set to zero unless
    `autapses=True` (so the diagonal also gets zero gradient, as norse's hook
    does), $\bar s_t$ = `stop_gradient(s_t)` by default (norse's `lif_step`
    detaches the reset, unlike its feed-forward `LIF`; `detach_reset=False`
    keeps the gradient), and the fed-back $z_{t-1}$ is never detached. The
    state holds $v_t$, $i_t$, $z_t$; the default initial state is
    $v = v_\text{leak}$, $i = z = 0$.

    This is a layer, not an elementwise neuron: its input and state have
    different trailing sizes, so it is an `eqx.Module` with the neuron
    interface (`init_state`, `step`, `__call__`) rather than an
    [`AbstractNeuron`][snnjax.AbstractNeuron]. [`snnjax.run`][snnjax.run]
    integrates it like any neuron.

    Args:
        input_weights: $W_\text{in}$, shape `(n, n_in)`.
        recurrent_weights: $W_\text{rec}$, shape `(n, n)`.
        alpha: synaptic decay per step, $\alpha \in [0, 1]$; scalar or `(n,)`.
        beta: membrane decay per step, $\beta \in [0, 1]$.
        threshold: firing threshold $\vartheta$.
        v_leak: resting potential and initial membrane.
        v_reset: value set by `reset="zero"`, below `threshold`.
        autapses: keep the diagonal of $W_\text{rec}$ (self-connections).
        reset: `"zero"` (norse), `"subtract"` or `"none"`.
        detach_reset: reset with `stop_gradient(spikes)` (default, norse's).
        spike_test: `">"` (norse) or `">="`.
        surrogate: surrogate derivative (default `FastSigmoid(slope=1.0)`).
        learn: parameters that receive gradients, subset of
            `{"alpha", "beta", "threshold", "v_leak", "v_reset",
            "input_weights", "recurrent_weights"}`; default the two weights.

    Examples:
        >>> import jax.numpy as jnp
        >>> import snnjax as snn
        >>> layer = snn.CubaLIFRecurrent(
        ...     jnp.array([[1.0], [0.0]]),            # input -> neuron 0
        ...     jnp.array([[0.0, 0.0], [3.0, 0.0]]),  # neuron 0 -> neuron 1
        ...     alpha=0.0, beta=0.5)
        >>> xs = jnp.array([[3.0], [0.0], [0.0]])  # (time, n_in)
        >>> spikes, _ = snn.run(layer, xs, layer.init_state((1,)))
        >>> spikes.tolist()  # h_0 = (1.5, 0); neuron 1 then gets 3: h_1 = (0, 1.5)
        [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]

    References:
        Pehle & Pedersen, *Norse: a deep learning library for spiking neural
        networks* (2021), doi:10.5281/zenodo.4422025.
    """

    alpha: Float[Array, "*#shape"]
    beta: Float[Array, "*#shape"]
    threshold: Float[Array, "*#shape"]
    v_leak: Float[Array, "*#shape"]
    v_reset: Float[Array, "*#shape"]
    input_weights: Float[Array, "n n_in"]
    recurrent_weights: Float[Array, "n n"]
    surrogate: AbstractSurrogate
    autapses: bool = eqx.field(static=True)
    reset: Reset = eqx.field(static=True)
    detach_reset: bool = eqx.field(static=True)
    spike_test: SpikeTest = eqx.field(static=True)
    learn: frozenset[str] = eqx.field(static=True)

    def __init__(
        self,
        input_weights: Float[ArrayLike, "*w_in"],
        recurrent_weights: Float[ArrayLike, "*w_rec"],
        alpha: ParamLike = 0.8,
        beta: ParamLike = 0.9,
        threshold: ParamLike = 1.0,
        *,
        v_leak: ParamLike = 0.0,
        v_reset: ParamLike = 0.0,
        autapses: bool = False,
        reset: str = "zero",
        detach_reset: bool = True,
        spike_test: str = ">",
        surrogate: AbstractSurrogate = FastSigmoid(1.0),
        learn: Collection[str] = frozenset({"input_weights", "recurrent_weights"}),
    ):
        validate_options(
            reset=reset,
            spike_test=spike_test,
            learn=learn,
            allowed_learn=(*_CUBA_PARAMS, "input_weights", "recurrent_weights"),
        )
        w_in = _checks.check_finite(
            "input_weights", _checks.as_param("input_weights", input_weights)
        )
        w_rec = _checks.check_finite(
            "recurrent_weights",
            _checks.as_param("recurrent_weights", recurrent_weights),
        )
        if w_in.ndim != 2:
            raise ValueError(
                f"`input_weights` must have shape (n, n_in); got {w_in.shape}."
            )
        n = w_in.shape[0]
        if w_rec.shape != (n, n):
            raise ValueError(
                f"`recurrent_weights` must have shape ({n}, {n}) to match the {n} "
                f"neurons of `input_weights` {w_in.shape}; got {w_rec.shape}."
            )
        params = _cuba_params(alpha, beta, threshold, v_leak, v_reset, reset)
        for name, value in params.items():
            if not _broadcasts(value.shape, (n,)):
                raise ValueError(
                    f"`{name}` must be a scalar or have shape ({n},); "
                    f"got {value.shape}."
                )
        self.alpha = params["alpha"]
        self.beta = params["beta"]
        self.threshold = params["threshold"]
        self.v_leak = params["v_leak"]
        self.v_reset = params["v_reset"]
        self.input_weights = w_in
        self.recurrent_weights = w_rec
        self.surrogate = surrogate
        self.autapses = autapses
        self.reset = cast(Reset, reset)
        self.detach_reset = detach_reset
        self.spike_test = cast(SpikeTest, spike_test)
        self.learn = frozenset(learn)

    @classmethod
    def random(
        cls, n_in: int, n: int, *, key: PRNGKeyArray, **kwargs: Any
    ) -> "CubaLIFRecurrent":
        r"""Random weights as norse draws them: $W \sim \mathcal{N}(0, 2/n)$.

        Args:
            n_in: number of input features.
            n: number of neurons.
            key: a `jax.random` key.
            **kwargs: the other `CubaLIFRecurrent` arguments.
        """
        k_in, k_rec = jr.split(key)
        scale = math.sqrt(2.0 / n)
        w_in = scale * jr.normal(k_in, (n, n_in))
        w_rec = scale * jr.normal(k_rec, (n, n))
        return cls(w_in, w_rec, **kwargs)

    @property
    def n(self) -> int:
        """Number of neurons."""
        return self.input_weights.shape[0]

    @property
    def n_in(self) -> int:
        """Number of input features."""
        return self.input_weights.shape[1]

    def init_state(
        self, shape: tuple[int, ...], dtype: jnp.dtype | type = jnp.float32
    ) -> CubaLIFRecurrentState:
        r"""State for inputs of shape `shape = (*batch, n_in)`.

        Every state array has shape `(*batch, n)`: $v = v_\text{leak}$,
        $i = z = 0$.
        """
        if not shape or shape[-1] != self.n_in:
            raise ValueError(
                f"`shape` is the shape of one input step (*batch, n_in) and must "
                f"end with the {self.n_in} input features of `input_weights`; "
                f"got {shape}."
            )
        out = (*shape[:-1], self.n)
        v = jnp.broadcast_to(jax.lax.stop_gradient(self.v_leak).astype(dtype), out)
        zeros = jnp.zeros(out, dtype)
        return CubaLIFRecurrentState(v=v, i=zeros, z=zeros)

    def _param(self, name: str, like: Array) -> Array:
        value = getattr(self, name)
        if name not in self.learn:
            value = jax.lax.stop_gradient(value)
        value = value.astype(like.dtype)
        if name in ("input_weights", "recurrent_weights"):
            return value
        return jnp.broadcast_to(value, like.shape)

    def step(
        self, x: Float[Array, "*batch n_in"], state: CubaLIFRecurrentState
    ) -> tuple[Float[Array, "*batch n"], CubaLIFRecurrentState]:
        """One step of the update above; returns `(spikes, new_state)`."""
        v = state.v
        w_rec = self._param("recurrent_weights", v)
        if not self.autapses:
            w_rec = w_rec * (1 - jnp.eye(self.n, dtype=w_rec.dtype))
        # norse's order of summation: (i + x W_in^T) + z W_rec^T
        i_in = state.i + _linear(x, self._param("input_weights", v))
        spikes, v_new, i_new = cuba_lif_step(
            _linear(state.z, w_rec),
            v,
            i_in,
            alpha=self._param("alpha", v),
            beta=self._param("beta", v),
            threshold=self._param("threshold", v),
            v_leak=self._param("v_leak", v),
            v_reset=self._param("v_reset", v),
            surrogate=self.surrogate,
            reset=self.reset,
            detach_reset=self.detach_reset,
            spike_test=self.spike_test,
        )
        return spikes, CubaLIFRecurrentState(v=v_new, i=i_new, z=spikes)

    def __call__(
        self, x: Shaped[ArrayLike, "*batch n_in"], state: CubaLIFRecurrentState
    ) -> tuple[Float[Array, "*batch n"], CubaLIFRecurrentState]:
        """One time step with the input and state checked."""
        x = jnp.asarray(x)
        check_input(x)
        if x.ndim < 1 or x.shape[-1] != self.n_in:
            raise ValueError(
                f"the input must have shape (*batch, {self.n_in}) to match "
                f"`input_weights` {self.input_weights.shape}; got {x.shape}."
            )
        expected = (*x.shape[:-1], self.n)
        for path, leaf in jtu.tree_leaves_with_path(state):
            where = "state" + jtu.keystr(path)
            if getattr(leaf, "shape", None) != expected:
                raise ValueError(
                    f"`{where}` has shape {getattr(leaf, 'shape', None)}, but an input "
                    f"of shape {x.shape} needs a state of shape {expected}; create it "
                    "with `layer.init_state(x.shape, x.dtype)`."
                )
            dtype = getattr(leaf, "dtype", None)
            if dtype != x.dtype:
                raise TypeError(
                    f"`{where}` has dtype {dtype}, but the input "
                    f"has dtype {x.dtype}; create the state with "
                    "`layer.init_state(x.shape, x.dtype)`."
                )
        return self.step(x, state)


def _broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return jnp.broadcast_shapes(shape, target) == target
    except ValueError:
        return False
