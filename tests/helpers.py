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
        **{"beta": 0.8, "weight": _rec_weight(), "bias": 0.05 * jnp.ones(5),
           "learn": frozenset(), **kw}
    ),
    "RecurrentSynaptic": lambda **kw: _snn().RecurrentSynaptic(
        **{"alpha": 0.6, "beta": 0.8, "weight": _rec_weight(), "learn": frozenset(),
           **kw}
    ),
    # wrappers: keyword overrides go to the wrapped neuron
    "GradedSpikes(LIF)": lambda **kw: _snn().GradedSpikes(
        _snn().LIF(**{"beta": 0.9, **kw}), factor=1.5
    ),
    "WinnerTakeAll(LIF-delayed)": lambda **kw: _snn().WinnerTakeAll(
        _snn().LIF(**{"beta": 0.85, "reset_timing": "delayed", **kw})
    ),
    "RecurrentLIF-delayed-zero": lambda **kw: _snn().RecurrentLIF(
        **{"beta": 0.85, "weight": 0.3 * jnp.ones(5), "reset": "zero",
           "reset_timing": "delayed", "learn": frozenset(), **kw}
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
    "RecurrentSynaptic": "alpha",
    "GradedSpikes(LIF)": "beta",
    "WinnerTakeAll(LIF-delayed)": "threshold",
}
SWEEP_VALUES = {"beta": (0.5, 0.95), "alpha": (0.3, 0.9), "threshold": (0.8, 1.5)}

# Models whose only non-smooth part is the spike (no deliberate stop_gradient
# on the path from the input): eligible for `check_grads` with a smooth
# surrogate. The delayed resets and detach_reset use stop_gradient on purpose;
# recurrent models feed spikes back, so their membrane is not smooth either.
SMOOTH_GRADIENT = ("LIF", "IF", "Synaptic", "LI", "LI-syn")

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
