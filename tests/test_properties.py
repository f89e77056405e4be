"""Property-based tests (hypothesis) over every registered neuron model.

Properties: rest stays at rest; spikes are binary (graded, multi-spike and
analog models listed apart); spike count is non-decreasing in a constant input
for reset-to-value LIF models; refractory periods hold; `jit` equals
op-by-op eager; `vmap` over a batch equals a Python loop.

Every model runs through one `eqx.filter_jit`-compiled `snnjax.run` with one
input shape `(T, 2, 5)`, so each model compiles once and every example and
property reuses it; parameter values drawn by hypothesis are array leaves and
do not retrace. Runs are `derandomize=True`, so CI sees the same examples.

**jit vs eager.** XLA's CPU backend contracts `a * b + c` into one fused
multiply-add inside a compiled function, while op-by-op execution rounds the
product first; a state can therefore differ in its last bit between the two.
The all-model property checks identical spikes and states equal to float32
rounding; bit-identity is checked where the arithmetic is exact (dyadic
parameters and inputs), see `test_jit_equals_eager_bit_for_bit_when_exact`.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import snnjax
from tests.helpers import ALL_NEURONS, SWEEP, SWEEP_VALUES

T = 16
SHAPE = (2, 5)  # features = 5, as the recurrent registry models need
FEW = settings(max_examples=4, deadline=None, derandomize=True)

run_jit = eqx.filter_jit(snnjax.run)


def _run(model, xs):
    return run_jit(model, xs, model.init_state(xs.shape[1:], xs.dtype))


def _inputs(low=-1.0, high=3.0):
    return hnp.arrays(
        np.float32,
        (T, *SHAPE),
        elements=st.floats(low, high, width=32, allow_subnormal=False),
    )


def _sweep_value(name):
    lo, hi = SWEEP_VALUES[SWEEP[name]]
    return st.floats(lo, hi)


# --------------------------------------------------------------- rest at rest

# models whose default initial state is not a fixed point of zero input
NOT_AT_REST = {
    "RecurrentLIF": "its bias (0.05) drives the membrane",
    "QIF-sj": "spikingjelly starts at v_reset (-0.1), not at v_rest",
    "EIF": "starts at v_reset; the exponential term is non-zero at v_rest",
    "AdaptiveQIF": "spikingjelly starts at v_reset, not at v_rest",
    "TraceALIF": "the adaptive threshold relaxes from its initial value",
    "TraceALIF-euler": "the adaptive threshold relaxes from its initial value",
    "AdEx": "the exponential term is non-zero at v_leak",
    "Izhikevich": "v_rest=-45 is not a fixed point of the quadratic",
}
AT_REST = [n for n in ALL_NEURONS if n not in NOT_AT_REST]


@pytest.mark.parametrize("name", AT_REST)
@FEW
@given(data=st.data())
def test_rest_stays_at_rest(name, data):
    value = data.draw(_sweep_value(name))
    model = ALL_NEURONS[name](**{SWEEP[name]: value})
    state0 = model.init_state(SHAPE)
    outs, final = _run(model, jnp.zeros((T, *SHAPE)))
    np.testing.assert_array_equal(np.asarray(outs), 0.0)
    for a, b in zip(jax.tree.leaves(final), jax.tree.leaves(state0), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_not_at_rest_list_is_honest():
    # each excluded model really moves from its initial state under zero input
    for name in NOT_AT_REST:
        model = ALL_NEURONS[name]()
        state0 = model.init_state(SHAPE)
        outs, final = _run(model, jnp.zeros((T, *SHAPE)))
        moved = bool(jnp.any(outs != 0)) or any(
            not bool(jnp.array_equal(a, b))
            for a, b in zip(
                jax.tree.leaves(final), jax.tree.leaves(state0), strict=True
            )
        )
        assert moved, name


# -------------------------------------------------------------- binary spikes

GRADED = {"GradedSpikes(LIF)": 1.5}  # spikes of height `factor`
MULTI_SPIKE = {"MultiSpikeLIF", "MultiSpikeLIFRecurrent", "ALIF-syn-multi-zero"}
ANALOG = {"LI", "LI-syn"}  # readouts: the output is the membrane
BINARY = [n for n in ALL_NEURONS if n not in {*GRADED, *MULTI_SPIKE, *ANALOG}]


@pytest.mark.parametrize("name", list(ALL_NEURONS))
@FEW
@given(xs=_inputs())
def test_spikes_are_binary_or_documented_otherwise(name, xs):
    model = ALL_NEURONS[name]()
    outs = np.asarray(_run(model, jnp.asarray(xs))[0], np.float64)
    assert np.all(np.isfinite(outs))
    values = set(np.unique(outs).tolist())
    if name in GRADED:
        assert values <= {0.0, GRADED[name]}
    elif name in MULTI_SPIKE:  # spike counts: non-negative integers
        assert np.all(outs >= 0)
        np.testing.assert_array_equal(outs, np.round(outs))
    elif name not in ANALOG:
        assert values <= {0.0, 1.0}


# ---------------------------------------------------- monotone in the input

# Reset to a fixed value: after each spike the state is the same whatever the
# input, and the charge h = beta (v - v_leak) + v_leak + g x is non-decreasing
# in v and in x (also in floating point: rounding is monotone). So the first
# passage time is non-increasing in a constant x, and the spike count over T
# steps is non-decreasing. (With reset="subtract" the post-spike state depends
# on the input and the argument does not apply.)
MONOTONE = {
    "LIF-zero": lambda: snnjax.LIF(beta=0.9, reset="zero"),
    "LIF-delayed-zero": ALL_NEURONS["LIF-delayed-zero"],
    "LIF-sj": ALL_NEURONS["LIF-sj"],
    "IF-zero": ALL_NEURONS["IF-zero"],
    "ParametricLIF": ALL_NEURONS["ParametricLIF"],
}


@pytest.mark.parametrize("name", list(MONOTONE))
@settings(max_examples=10, deadline=None, derandomize=True)
@given(
    levels=st.lists(
        st.floats(0.0, 3.0, width=32), min_size=10, max_size=10, unique=True
    ).map(sorted)
)
def test_spike_count_non_decreasing_in_constant_input(name, levels):
    model = MONOTONE[name]()
    xs = jnp.broadcast_to(jnp.asarray(levels, jnp.float32).reshape(SHAPE), (T, *SHAPE))
    counts = np.asarray(jnp.sum(_run(model, xs)[0], axis=0)).reshape(-1)
    assert np.all(np.diff(counts) >= 0), (levels, counts)


# ----------------------------------------------------------------- refractory

# blocked steps after a spike: pysnn freezes the membrane while the counter
# (refractory / dt) is non-zero; norse's counter blocks ceil(R) steps
REFRACTORY = {
    "TraceIF": 2,  # refractory 2, dt 1
    "TraceLIF": 1,  # refractory 1, dt 1
    "TraceLIF-euler": 2,  # refractory 1, dt 0.5
    "TraceALIF": 1,
    "TraceALIF-euler": 1,  # refractory 0.5, dt 0.5
    "CubaLIFRefrac": 2,  # refractory_steps 2
}


def _spike_gaps(outs):
    """Inter-spike intervals of every neuron of a (T, ...) spike train."""
    flat = np.asarray(outs).reshape(outs.shape[0], -1)
    gaps = []
    for col in flat.T:
        times = np.flatnonzero(col)
        gaps.extend(np.diff(times).tolist())
    return gaps


@pytest.mark.parametrize("name", list(REFRACTORY))
@FEW
@given(xs=_inputs(low=0.0, high=6.0))
def test_refractory_period_holds(name, xs):
    model = ALL_NEURONS[name]()
    outs = _run(model, jnp.asarray(xs))[0]
    gaps = _spike_gaps(outs)
    assert all(g >= REFRACTORY[name] + 1 for g in gaps), gaps


@pytest.mark.parametrize("name", list(REFRACTORY))
def test_refractory_period_is_exact_under_strong_drive(name):
    # a drive far above threshold fires as soon as the neuron is released
    model = ALL_NEURONS[name]()
    outs = _run(model, jnp.full((T, *SHAPE), 50.0))[0]
    gaps = _spike_gaps(outs)
    assert gaps
    assert set(gaps) == {REFRACTORY[name] + 1}


# -------------------------------------------------------------- jit vs eager


def _eager(model, xs):
    with jax.disable_jit():
        return snnjax.run(model, xs, model.init_state(xs.shape[1:], xs.dtype))


@pytest.mark.parametrize("name", list(ALL_NEURONS))
@settings(max_examples=1, deadline=None, derandomize=True)
@given(xs=_inputs())
def test_jit_equals_eager(name, xs):
    model = ALL_NEURONS[name]()
    xs = jnp.asarray(xs)
    jitted = _run(model, xs)
    eager = _eager(model, xs)
    if name in ANALOG:
        np.testing.assert_allclose(jitted[0], eager[0], rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(np.asarray(jitted[0]), np.asarray(eager[0]))
    for a, b in zip(jax.tree.leaves(jitted[1]), jax.tree.leaves(eager[1]), strict=True):
        scale = max(1.0, float(jnp.max(jnp.abs(b))))
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * scale)


# dyadic parameters and inputs on a 1/8 grid: every product and sum is exact in
# float32, so a fused multiply-add cannot change a bit
EXACT = {
    "LIF": lambda: snnjax.LIF(beta=0.5),
    "LIF-delayed-zero": lambda: snnjax.LIF(
        beta=0.5, reset="zero", reset_timing="delayed"
    ),
    "IF": lambda: snnjax.IF(),
    "Synaptic": lambda: snnjax.Synaptic(alpha=0.5, beta=0.75),
    "CubaLIF": lambda: snnjax.CubaLIF(alpha=0.5, beta=0.75),
}


@pytest.mark.parametrize("name", list(EXACT))
@settings(max_examples=4, deadline=None, derandomize=True)
@given(
    steps=hnp.arrays(np.int32, (T, *SHAPE), elements=st.integers(-8, 24)),
)
def test_jit_equals_eager_bit_for_bit_when_exact(name, steps):
    model = EXACT[name]()
    xs = jnp.asarray(steps, jnp.float32) / 8
    jitted = _run(model, xs)
    eager = _eager(model, xs)
    for a, b in zip(jax.tree.leaves(jitted), jax.tree.leaves(eager), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ----------------------------------------------------------- vmap vs a loop


# test_transforms.py checks vmap-vs-loop for every model on fixed inputs; here
# hypothesis varies the inputs for one model per family (compiling a vmapped
# run per model costs ~0.5 s, too much for the whole registry)
VMAP_MODELS = [
    "LIF-delayed+immediate",
    "Synaptic",
    "RecurrentLIF",
    "ALIF-syn-multi-zero",
    "QIF",
    "TraceALIF",
    "CubaLIFRecurrent",
    "Izhikevich",
]


@pytest.mark.parametrize("name", VMAP_MODELS)
@settings(max_examples=3, deadline=None, derandomize=True)
@given(xs=hnp.arrays(np.float32, (3, T, *SHAPE), elements=st.floats(-1, 3, width=32)))
def test_vmap_over_examples_equals_loop(name, xs):
    model = ALL_NEURONS[name]()
    xs = jnp.asarray(xs)  # (example, time, *shape)
    batched = _vmapped(model, xs)
    for k in range(xs.shape[0]):
        single = _run(model, xs[k])
        np.testing.assert_array_equal(np.asarray(batched[0][k]), np.asarray(single[0]))
        for a, b in zip(
            jax.tree.leaves(batched[1]), jax.tree.leaves(single[1]), strict=True
        ):
            np.testing.assert_allclose(a[k], b, rtol=1e-6, atol=1e-6)


@eqx.filter_jit
def _vmapped(model, xs):
    return jax.vmap(lambda x: snnjax.run(model, x, model.init_state(SHAPE)))(xs)
