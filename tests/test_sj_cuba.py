"""spikingjelly's `CUBALIFNode` in `snnjax.compat.spikingjelly`.

`CUBALIFNode` maps onto `snnjax.Synaptic` (immediate reset, `>=`), so there is
no native model to enrol in the transform suite. The tests check the mapping
against spikingjelly's documented update written out in NumPy float64, a
closed-form subthreshold response, hand-computed spike trains with hard and
soft resets, the surrogate, and every validation.
"""

import equinox as eqx
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import snnjax as snn
from snnjax.compat.spikingjelly.activation_based import neuron

# ------------------------------------------------------------------ helpers


@eqx.filter_jit
def _jit_run(model, xs, state):
    return snn.run(model, xs, state, record=True)


def _run(model, xs, state=None):
    xs = jnp.asarray(xs, jnp.float32)
    if state is None:
        state = model.init_state(xs.shape[1:])
    out, _, rec = _jit_run(model, xs, state)
    return np.asarray(out), np.asarray(rec.i), np.asarray(rec.v)


def _ref_cuba(xs, *, c_decay, v_decay, thr, v_reset):
    """spikingjelly's CUBALIFNode step by step (charge, fire with >=, reset)."""
    c, v = 0.0, 0.0 if v_reset is None else v_reset
    spikes, cs, vs = [], [], []
    for x in xs:
        c = c * c_decay + x
        h = v * v_decay + c
        s = 1.0 if h - thr >= 0 else 0.0
        v = h - s * thr if v_reset is None else (1 - s) * h + s * v_reset
        spikes.append(s)
        cs.append(c)
        vs.append(v)
    return np.array(spikes), np.array(cs), np.array(vs)


# ------------------------------------------------------------------ mapping


def test_defaults_map_onto_synaptic():
    model = neuron.CUBALIFNode()
    assert isinstance(model, snn.Synaptic)
    np.testing.assert_allclose(model.alpha, 0.5)
    np.testing.assert_allclose(model.beta, 0.75)
    np.testing.assert_allclose(model.threshold, 0.5)
    assert model.reset == "zero"
    np.testing.assert_allclose(model.v_reset, 0.0)
    assert model.reset_timing == "immediate"
    assert model.spike_test == ">="
    assert not model.detach_reset
    assert model.learn == frozenset()
    assert isinstance(model.surrogate, snn.surrogate.Boxcar)
    state = model.init_state((3,))
    np.testing.assert_array_equal(state.i, np.zeros(3))
    np.testing.assert_array_equal(state.v, np.zeros(3))


def test_soft_reset_maps_to_subtract():
    model = neuron.CUBALIFNode(v_reset=None)
    assert model.reset == "subtract"


@pytest.mark.parametrize("v_reset", [0.0, -0.2, None])
@pytest.mark.parametrize(("c_decay", "v_decay"), [(0.5, 0.75), (0.9, 0.3)])
def test_matches_spikingjelly_update(c_decay, v_decay, v_reset):
    xs = np.random.default_rng(0).uniform(-0.2, 0.6, 60)
    model = neuron.CUBALIFNode(c_decay, v_decay, 0.5, v_reset)
    # spikingjelly starts the membrane at v_reset (0 for a soft reset)
    v0 = 0.0 if v_reset is None else v_reset
    state = model.init_state((1,))
    np.testing.assert_array_equal(state.v, np.float32([v0]))
    np.testing.assert_array_equal(state.i, [0.0])
    spikes, cs, vs = _run(model, xs[:, None], state)
    ref_s, ref_c, ref_v = _ref_cuba(
        xs, c_decay=c_decay, v_decay=v_decay, thr=0.5, v_reset=v_reset
    )
    assert ref_s.sum() > 3
    np.testing.assert_array_equal(spikes[:, 0], ref_s)
    np.testing.assert_allclose(cs[:, 0], ref_c, atol=1e-5)
    np.testing.assert_allclose(vs[:, 0], ref_v, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(
    c_decay=st.floats(0.0, 1.0),
    v_decay=st.floats(0.0, 1.0),
    thr=st.floats(0.2, 2.0),
    soft=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_matches_spikingjelly_property(c_decay, v_decay, thr, soft, seed):
    # the values of c_decay, v_decay, thr are leaves: one compilation per option
    xs = np.random.default_rng(seed).uniform(-0.5, 1.0, 30)
    v_reset = None if soft else 0.0
    model = neuron.CUBALIFNode(c_decay, v_decay, thr, v_reset)
    spikes, cs, vs = _run(model, xs[:, None])
    ref_s, ref_c, ref_v = _ref_cuba(
        xs, c_decay=c_decay, v_decay=v_decay, thr=thr, v_reset=v_reset
    )
    # a float32 membrane within rounding of the threshold may flip the test
    near = np.abs(_ref_membrane(xs, c_decay, v_decay, thr, v_reset) - thr) < 1e-4
    if not near.any():
        np.testing.assert_array_equal(spikes[:, 0], ref_s)
        np.testing.assert_allclose(cs[:, 0], ref_c, atol=1e-4)
        np.testing.assert_allclose(vs[:, 0], ref_v, atol=1e-4)
    assert set(np.unique(spikes)) <= {0.0, 1.0}


def _ref_membrane(xs, c_decay, v_decay, thr, v_reset):
    """The charged (pre-reset) membrane h_t of `_ref_cuba`."""
    c, v, hs = 0.0, 0.0 if v_reset is None else v_reset, []
    for x in xs:
        c = c * c_decay + x
        h = v * v_decay + c
        s = 1.0 if h - thr >= 0 else 0.0
        v = h - s * thr if v_reset is None else (1 - s) * h + s * v_reset
        hs.append(h)
    return np.array(hs)


# ------------------------------------------------------ closed forms, by hand


def test_subthreshold_step_response_closed_form():
    # constant input x from rest, no spike:
    # c_t = x (1 - a^t) / (1 - a),
    # v_t = x / (1 - a) * [(1 - b^t) / (1 - b) - a (b^t - a^t) / (b - a)]
    a, b, x, n = 0.5, 0.75, 0.1, 25
    model = neuron.CUBALIFNode(a, b, v_threshold=100.0)
    spikes, cs, vs = _run(model, np.full((n, 1), x))
    t = np.arange(1, n + 1)
    c_ref = x * (1 - a**t) / (1 - a)
    v_ref = x / (1 - a) * ((1 - b**t) / (1 - b) - a * (b**t - a**t) / (b - a))
    assert spikes.sum() == 0
    np.testing.assert_allclose(cs[:, 0], c_ref, rtol=1e-6)
    np.testing.assert_allclose(vs[:, 0], v_ref, rtol=1e-6)
    # the fixed point: c* = x / (1 - a), v* = c* / (1 - b)
    np.testing.assert_allclose(vs[-1, 0], x / (1 - a) / (1 - b), rtol=1e-2)


def test_impulse_response_closed_form():
    # one unit pulse at t = 1: c_t = a^(t-1), v_t = (b^t - a^t) / (b - a)
    a, b, n = 0.5, 0.75, 12
    xs = np.zeros((n, 1))
    xs[0] = 1.0
    _, cs, vs = _run(neuron.CUBALIFNode(a, b, v_threshold=100.0), xs)
    t = np.arange(1, n + 1)
    np.testing.assert_allclose(cs[:, 0], a ** (t - 1), rtol=1e-6)
    np.testing.assert_allclose(vs[:, 0], (b**t - a**t) / (b - a), rtol=1e-6)


@pytest.mark.parametrize(
    ("v_reset", "v_expected"),
    [
        # hard reset to 0 at the spike of step 4
        (0.0, [0.125, 0.28125, 0.4296875, 0.0, 0.2421875]),
        # soft reset: 0.556640625 - 0.5, then 0.75 * 0.056640625 + 0.2421875
        (None, [0.125, 0.28125, 0.4296875, 0.056640625, 0.28466796875]),
    ],
)
def test_first_spike_by_hand(v_reset, v_expected):
    # defaults c_decay=0.5, v_decay=0.75, v_threshold=0.5; x = 1/8 each step:
    # c = 1/8, 3/16, 7/32, 15/64, 31/128
    # h = 0.125, 0.28125, 0.4296875, 0.556640625 (>= 0.5: first spike), ...
    model = neuron.CUBALIFNode(v_reset=v_reset)
    spikes, cs, vs = _run(model, np.full((5, 1), 0.125))
    np.testing.assert_array_equal(spikes[:, 0], [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(
        cs[:, 0], [0.125, 0.1875, 0.21875, 0.234375, 0.2421875]
    )
    np.testing.assert_array_equal(vs[:, 0], v_expected)


def test_hard_reset_to_nonzero_v_reset():
    # v_reset = -0.25, started where spikingjelly starts (v = v_reset):
    # h_1 = 0.75 * -0.25 + 1 = 0.8125 >= 0.5: spike, v_1 = -0.25
    model = neuron.CUBALIFNode(v_reset=-0.25)
    state = snn.SynapticState(i=jnp.zeros((1,)), v=jnp.full((1,), -0.25))
    spikes, cs, vs = _run(model, np.array([[1.0], [0.0]]), state)
    # h_2 = 0.75 * -0.25 + 0.5 = 0.3125 < 0.5: no spike
    np.testing.assert_array_equal(spikes[:, 0], [1, 0])
    np.testing.assert_array_equal(cs[:, 0], [1.0, 0.5])
    np.testing.assert_array_equal(vs[:, 0], [-0.25, 0.3125])


def test_spike_test_is_greater_or_equal():
    # h_1 = x = 0.5 = v_threshold exactly: spikingjelly fires (x >= 0)
    spikes, _, vs = _run(neuron.CUBALIFNode(), np.array([[0.5]]))
    assert spikes[0, 0] == 1.0
    assert vs[0, 0] == 0.0


def test_rest_stays_at_rest():
    spikes, cs, vs = _run(neuron.CUBALIFNode(), np.zeros((10, 4)))
    assert spikes.sum() == 0
    np.testing.assert_array_equal(cs, 0.0)
    np.testing.assert_array_equal(vs, 0.0)


def test_default_surrogate_is_rect():
    # spikingjelly's Rect(1.0): d s / d h = 1 for |h - thr| < 0.5, else 0
    model = neuron.CUBALIFNode()
    state = model.init_state(())

    def spike(x):
        out, _ = model(x, state)
        return out

    assert jax.grad(spike)(jnp.float32(0.3)) == 1.0  # h - thr = -0.2
    assert jax.grad(spike)(jnp.float32(1.2)) == 0.0  # h - thr = 0.7


def test_surrogate_is_passed_through():
    sur = snn.surrogate.ATan(2.0)
    assert neuron.CUBALIFNode(surrogate_function=sur).surrogate is sur


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("name", ["c_decay", "v_decay"])
@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_decay_out_of_range(name, value):
    with pytest.raises(ValueError, match=name):
        neuron.CUBALIFNode(**{name: value})


def test_v_reset_not_below_threshold():
    with pytest.raises(ValueError, match="v_reset"):
        neuron.CUBALIFNode(v_threshold=0.5, v_reset=0.5)


def test_surrogate_must_be_snnjax():
    with pytest.raises(TypeError, match="surrogate_function"):
        neuron.CUBALIFNode(surrogate_function=lambda x: x)  # type: ignore[arg-type]


def test_vmappable_over_decays():
    decays = jnp.array([0.2, 0.5, 0.9])
    models = eqx.filter_vmap(lambda a: neuron.CUBALIFNode(c_decay=a))(decays)
    np.testing.assert_allclose(models.alpha, decays)
