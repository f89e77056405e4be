"""Small-instance factories shared by the cross-cutting test suites.

Registering a model or surrogate here enrols it in `test_transforms.py`,
`test_surrogate.py` and the property tests.
"""

import jax.numpy as jnp


def _snn():
    import snnjax

    return snnjax


def _surr():
    import snnjax.surrogate

    return snnjax.surrogate


# name -> factory(**param_overrides) building a small model. `SWEEP` names one
# parameter per model that may be vmapped over (value range safe for sweeps).
ALL_NEURONS = {
    "LIF": lambda **kw: _snn().LIF(**{"beta": 0.9, "threshold": 1.0, **kw}),
    "LIF-delayed-zero": lambda **kw: _snn().LIF(
        **{"beta": 0.8, "reset": "zero", "reset_timing": "delayed", **kw}
    ),
    "LIF-delayed+immediate": lambda **kw: _snn().LIF(
        **{"beta": 0.85, "reset_timing": "delayed+immediate", **kw}
    ),
    "LIF-sj": lambda **kw: _snn().LIF(
        **{
            "beta": 0.5,
            "decay_input": True,
            "reset": "zero",
            "v_reset": -0.25,
            "v_leak": -0.25,
            "spike_test": ">=",
            "detach_reset": True,
            **kw,
        }
    ),
    "IF": lambda **kw: _snn().IF(**{"threshold": 1.0, **kw}),
    "IF-zero": lambda **kw: _snn().IF(**{"reset": "zero", "spike_test": ">=", **kw}),
    "Synaptic": lambda **kw: _snn().Synaptic(**{"alpha": 0.7, "beta": 0.9, **kw}),
    "Synaptic-delayed-zero": lambda **kw: _snn().Synaptic(
        **{"alpha": 0.6, "beta": 0.8, "reset": "zero", "reset_timing": "delayed", **kw}
    ),
    "LI": lambda **kw: _snn().LI(**{"beta": 0.9, **kw}),
    "LI-syn": lambda **kw: _snn().LI(
        **{"beta": 0.8, "alpha": 0.5, "decay_input": True, **kw}
    ),
    "Alpha": lambda **kw: _snn().Alpha(**{"alpha": 0.9, "beta": 0.8, **kw}),
    "Alpha-subtract": lambda **kw: _snn().Alpha(
        **{"alpha": 0.85, "beta": 0.6, "reset": "subtract", **kw}
    ),
    "RecurrentLIF": lambda **kw: _snn().RecurrentLIF(
        **{
            "beta": 0.8,
            "weight": _rec_weight(),
            "bias": 0.05 * jnp.ones(5),
            "learn": frozenset(),
            **kw,
        }
    ),
    "RecurrentSynaptic": lambda **kw: _snn().RecurrentSynaptic(
        **{
            "alpha": 0.6,
            "beta": 0.8,
            "weight": _rec_weight(),
            "learn": frozenset(),
            **kw,
        }
    ),
    # wrappers: keyword overrides go to the wrapped neuron
    "GradedSpikes(LIF)": lambda **kw: _snn().GradedSpikes(
        _snn().LIF(**{"beta": 0.9, **kw}), factor=1.5
    ),
    "WinnerTakeAll(LIF-delayed)": lambda **kw: _snn().WinnerTakeAll(
        _snn().LIF(**{"beta": 0.85, "reset_timing": "delayed", **kw})
    ),
    "RecurrentLIF-delayed-zero": lambda **kw: _snn().RecurrentLIF(
        **{
            "beta": 0.85,
            "weight": 0.3 * jnp.ones(5),
            "reset": "zero",
            "reset_timing": "delayed",
            "learn": frozenset(),
            **kw,
        }
    ),
    # sinabs-derived models (threshold 1.5 keeps MultiSpike counts <= 1 here)
    "MultiSpikeLIF": lambda **kw: _snn().MultiSpikeLIF(
        **{"beta": 0.8, "threshold": 1.5, **kw}
    ),
    "MultiSpikeLIF-syn-zero": lambda **kw: _snn().MultiSpikeLIF(
        **{
            "beta": 0.8,
            "alpha": 0.5,
            "spike_fn": "single",
            "reset": "zero",
            "v_min": -0.5,
            **kw,
        }
    ),
    "ALIF": lambda **kw: _snn().ALIF(
        **{"beta": 0.8, "rho": 0.9, "adapt_scale": 0.5, **kw}
    ),
    "ALIF-syn-multi-zero": lambda **kw: _snn().ALIF(
        **{
            "beta": 0.8,
            "rho": 0.9,
            "threshold": 1.5,
            "alpha": 0.4,
            "spike_fn": "multi",
            "reset": "zero",
            "v_min": -0.5,
            "relative_surrogate": True,
            **kw,
        }
    ),
    "ALIFRecurrent": lambda **kw: _snn().ALIFRecurrent(
        **{
            "beta": 0.8,
            "rho": 0.9,
            "adapt_scale": 0.5,
            "weight": _rec_weight(),
            "decay_input": True,
            "learn": frozenset(),
            **kw,
        }
    ),
    "MultiSpikeLIFRecurrent": lambda **kw: _snn().MultiSpikeLIFRecurrent(
        **{
            "beta": 0.8,
            "threshold": 1.5,
            "alpha": 0.5,
            "weight": _rec_weight(),
            "learn": frozenset(),
            **kw,
        }
    ),
    # spikingjelly-derived models (ParametricLIF and KLIF learn w / k by
    # default; the suite needs an all-frozen default). LIAF is not registered:
    # it has a `surrogate` (for its reset) but an analog output, which the
    # binary-spike checks of test_transforms.py reject; tests/test_sj_models.py
    # runs the transform checks for it.
    "ParametricLIF": lambda **kw: _snn().ParametricLIF(
        **{"w": 1.0, "decay_input": False, "learn": frozenset(), **kw}
    ),
    "ParametricLIF-subtract-decay": lambda **kw: _snn().ParametricLIF(
        **{
            "w": -0.5,
            "reset": "subtract",
            "detach_reset": True,
            "learn": frozenset(),
            **kw,
        }
    ),
    "QIF": lambda **kw: _snn().QIF(
        **{"tau": 1.0, "a0": 0.1, "v_rest": 0.0, "v_reset": 0.0, **kw}
    ),
    "QIF-sj": lambda **kw: _snn().QIF(**{"detach_reset": True, **kw}),
    "EIF": lambda **kw: _snn().EIF(**kw),
    "AdaptiveQIF": lambda **kw: _snn().AdaptiveQIF(
        **{"tau_w": 3.0, "a": 0.2, "b": 0.1, **kw}
    ),
    "KLIF": lambda **kw: _snn().KLIF(**{"k": 1.2, "learn": frozenset(), **kw}),
    "KLIF-scale-subtract": lambda **kw: _snn().KLIF(
        **{
            "beta": 0.6,
            "k": 0.8,
            "reset": "subtract",
            "scale_reset": True,
            "learn": frozenset(),
            **kw,
        }
    ),
    # pysnn-style neurons with a refractory counter and a spike trace
    "TraceIF": lambda **kw: _snn().TraceIF(
        **{"refractory": 2.0, "trace_decay": _snn().Decay(0.75), **kw}
    ),
    "TraceLIF": lambda **kw: _snn().TraceLIF(
        **{"decay": _snn().Decay(0.8), "refractory": 1.0, **kw}
    ),
    "TraceLIF-euler": lambda **kw: _snn().TraceLIF(
        **{
            "decay": _snn().EulerDecay(2.0),
            "trace_decay": _snn().EulerDecay(4.0),
            "gain": 2.0,
            "v_rest": -0.25,
            "dt": 0.5,
            "refractory": 1.0,
            **kw,
        }
    ),
    "TraceALIF": lambda **kw: _snn().TraceALIF(
        **{"decay": _snn().Decay(0.8), "threshold_gain": 0.25, "refractory": 1.0, **kw}
    ),
    "TraceALIF-euler": lambda **kw: _snn().TraceALIF(
        **{
            "decay": _snn().EulerDecay(2.0),
            "gain": 2.0,
            "threshold_decay": _snn().EulerDecay(8.0),
            "threshold_gain": 2.0,
            "dt": 0.5,
            "refractory": 0.5,
            **kw,
        }
    ),
    # norse-derived models (forward-Euler decays alpha = 1 - dt/tau_syn, ...)
    "CubaLIF": lambda **kw: _snn().CubaLIF(**{"alpha": 0.7, "beta": 0.7, **kw}),
    "CubaLIF-beta0": lambda **kw: _snn().CubaLIF(**{"alpha": 0.5, "beta": 0.0, **kw}),
    "CubaLIF-subtract-detach": lambda **kw: _snn().CubaLIF(
        **{
            "alpha": 0.6,
            "beta": 0.8,
            "reset": "subtract",
            "detach_reset": True,
            "spike_test": ">=",
            "v_leak": -0.1,
            **kw,
        }
    ),
    "CubaLIFRecurrent": lambda **kw: _snn().CubaLIFRecurrent(
        **{
            "input_weights": 0.8 * jnp.eye(5) + 0.1,
            "recurrent_weights": _rec_weight(),
            "alpha": 0.6,
            "beta": 0.7,
            "learn": frozenset(),
            **kw,
        }
    ),
    "AdEx": lambda **kw: _snn().AdEx(
        **{
            "alpha": 0.7,
            "beta": 0.7,
            "rho": 0.9,
            "adaptation_coupling": 0.5,
            "adaptation_jump": 0.1,
            **kw,
        }
    ),
    "Izhikevich": lambda **kw: _snn().Izhikevich(**{"dt": 0.5, "v_rest": -45.0, **kw}),
    "LSNN": lambda **kw: _snn().LSNN(
        **{"alpha": 0.7, "beta": 0.7, "rho": 0.9, "adaptation_jump": 0.5, **kw}
    ),
    "CubaLIFRefrac": lambda **kw: _snn().CubaLIFRefrac(
        **{"alpha": 0.7, "beta": 0.7, "refractory_steps": 2.0, **kw}
    ),
}

SWEEP = {
    "LIF": "beta",
    "LIF-delayed-zero": "beta",
    "LIF-delayed+immediate": "threshold",
    "LIF-sj": "beta",
    "IF": "threshold",
    "IF-zero": "threshold",
    "Synaptic": "alpha",
    "Synaptic-delayed-zero": "beta",
    "LI": "beta",
    "LI-syn": "alpha",
    "Alpha": "beta",
    "Alpha-subtract": "alpha",
    "RecurrentLIF": "beta",
    "RecurrentLIF-delayed-zero": "threshold",
    "MultiSpikeLIF": "beta",
    "MultiSpikeLIF-syn-zero": "alpha",
    "ALIF": "beta",
    "ALIF-syn-multi-zero": "alpha",
    "ALIFRecurrent": "beta",
    "MultiSpikeLIFRecurrent": "beta",
    "RecurrentSynaptic": "alpha",
    "GradedSpikes(LIF)": "beta",
    "WinnerTakeAll(LIF-delayed)": "threshold",
    "ParametricLIF": "threshold",
    "ParametricLIF-subtract-decay": "threshold",
    "QIF": "threshold",
    "QIF-sj": "threshold",
    "EIF": "threshold",
    "AdaptiveQIF": "threshold",
    "KLIF": "threshold",
    "KLIF-scale-subtract": "beta",
    "TraceIF": "threshold",
    "TraceLIF": "threshold",
    "TraceLIF-euler": "threshold",
    "TraceALIF": "threshold",
    "TraceALIF-euler": "threshold",
    "CubaLIF": "beta",
    "CubaLIF-beta0": "alpha",
    "CubaLIF-subtract-detach": "alpha",
    "CubaLIFRecurrent": "threshold",
    "AdEx": "beta",
    "Izhikevich": "dt",
    "LSNN": "beta",
    "CubaLIFRefrac": "alpha",
}
SWEEP_VALUES = {
    "beta": (0.5, 0.95),
    "alpha": (0.3, 0.9),
    "threshold": (0.8, 1.5),
    "dt": (0.25, 0.5),  # Izhikevich's Euler step (ms)
}

# Models whose only non-smooth part is the spike (no deliberate stop_gradient
# on the path from the input): eligible for `check_grads` with a smooth
# surrogate. The delayed resets and detach_reset use stop_gradient on purpose;
# recurrent models feed spikes back, so their membrane is not smooth either.
SMOOTH_GRADIENT = (
    "LIF",
    "IF",
    "Synaptic",
    "LI",
    "LI-syn",
    "ParametricLIF",
    "QIF",
    "CubaLIF-beta0",
)

ALL_SURROGATES = {
    "StraightThrough": lambda: _surr().StraightThrough(),
    "Sigmoid": lambda: _surr().Sigmoid(slope=4.0),
    "FastSigmoid": lambda: _surr().FastSigmoid(slope=25.0),
    "ATan": lambda: _surr().ATan(slope=2.0),
    "Triangle": lambda: _surr().Triangle(slope=0.3, width=1.0),
    "SingleExponential": lambda: _surr().SingleExponential(width=0.5, scale=1.0),
    "Gaussian": lambda: _surr().Gaussian(width=0.5, scale=1.0),
    "Boxcar": lambda: _surr().Boxcar(width=1.0, scale=1.0),
    "Custom": lambda: _surr().Custom(
        lambda x: jnp.exp(-(x**2)), primitive_fn=lambda x: _erf_half(x)
    ),
}


def _rec_weight():
    # a fixed (5, 5) feedback matrix with entries in {-0.1, 0, 0.1}
    return 0.1 * (jnp.arange(25.0).reshape(5, 5) % 3 - 1)


def _erf_half(x):
    # d/dx [sqrt(pi)/2 * erf(x)] = exp(-x^2)
    import math

    import jax

    return math.sqrt(math.pi) / 2 * jax.scipy.special.erf(x)


def inputs(key, shape=(12, 3, 5), *, low=-0.5, high=1.4):
    """A time-major input current well spread around typical thresholds."""
    import jax.random as jr

    return jr.uniform(key, shape, minval=low, maxval=high)


def grad_temp_bytes(model, xs, weights, bptt):
    """XLA's temporary bytes for grad of `sum(run(model, xs)[0] * weights)`.

    The neuron-core benchmark's loss, differentiated with respect to `xs`;
    skips the test on a backend without a memory analysis.
    """
    import jax
    import pytest

    def g(x, r):
        def loss(x):
            state = model.init_state(x.shape[1:], x.dtype)
            return jnp.sum(_snn().run(model, x, state, bptt=bptt)[0] * r)

        return jax.grad(loss)(x)

    mem = jax.jit(g).lower(xs, weights).compile().memory_analysis()
    if mem is None:
        pytest.skip("this backend gives no memory analysis")
    return mem.temp_size_in_bytes
