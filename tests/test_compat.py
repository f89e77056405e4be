"""snnjax.compat: seed-argument mapping, defaults, and the seeds' rejections."""

import jax.numpy as jnp
import numpy as np
import pytest

import snnjax as snn
from snnjax.compat import snntorch
from snnjax.compat.spikingjelly.activation_based import neuron, surrogate


def test_leaky_maps_to_lif_with_snntorch_semantics():
    lif = snntorch.Leaky(beta=0.9, reset_mechanism="zero", learn_threshold=True)
    assert isinstance(lif, snn.LIF)
    assert (lif.reset, lif.reset_timing, lif.spike_test) == ("zero", "delayed", ">")
    assert lif.learn == {"threshold"}
    assert isinstance(lif.surrogate, snn.surrogate.ATan)  # snntorch default atan(2)
    assert float(lif.surrogate.slope) == 2.0
    nodelay = snntorch.Leaky(beta=0.9, reset_delay=False)
    assert nodelay.reset_timing == "delayed+immediate"
    assert lif.init_state((2, 3)).v.tolist() == [[0.0] * 3] * 2


def test_synaptic_reset_delay_false_matches_seed_behaviour():
    # snntorch 1.0 Synaptic ignores reset_delay=False (see compat docstring)
    syn = snntorch.Synaptic(alpha=0.8, beta=0.9, reset_delay=False)
    assert syn.reset_timing == "delayed"
    state = syn.init_state((4,))
    assert state.i.tolist() == [0.0] * 4 and state.v.tolist() == [0.0] * 4


def test_per_neuron_beta_tensor():
    lif = snntorch.Leaky(beta=jnp.array([0.5, 0.9]))
    out, _ = snn.run(lif, jnp.ones((3, 2)), lif.init_state((2,)))
    assert out.shape == (3, 2)


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        ({"init_hidden": True}, NotImplementedError, "init_hidden"),
        (
            {"inhibition": True, "reset_delay": False},
            NotImplementedError,
            "reset_delay",
        ),
        ({"state_quant": 3}, TypeError, "state_quant"),
        ({"reset_mechanism": "reset"}, ValueError, "`reset_mechanism` must be one of"),
        ({"spike_grad": lambda x: x}, TypeError, "spike_grad"),
        ({"learn_beta": 1}, TypeError, "learn_beta"),
        ({"beta": 1.2}, ValueError, "`beta`"),
    ],
)
def test_leaky_rejections(kwargs, err, match):
    with pytest.raises(err, match=match):
        snntorch.Leaky(**{"beta": 0.9, **kwargs})


def test_spikingjelly_defaults_and_mapping():
    lif = neuron.LIFNode(tau=2.0)
    assert isinstance(lif, snn.LIF)
    assert (lif.reset, lif.spike_test, lif.decay_input) == ("zero", ">=", True)
    assert float(lif.beta) == 0.5
    assert isinstance(lif.surrogate, snn.surrogate.Sigmoid)
    assert float(lif.surrogate.slope) == 4.0
    soft = neuron.LIFNode(tau=4.0, v_reset=None, decay_input=False)
    assert soft.reset == "subtract" and float(soft.v_leak) == 0.0
    hard = neuron.IFNode(v_reset=-0.5)
    assert hard.init_state((2,)).v.tolist() == [-0.5, -0.5]
    assert neuron.IFNode(v_reset=None).init_state((2,)).v.tolist() == [0.0, 0.0]
    # seed-only arguments are accepted and change nothing
    a = neuron.IFNode(step_mode="m", store_v_seq=True, backend="torch")
    b = neuron.IFNode()
    xs = jnp.linspace(0.0, 2.0, 12).reshape(6, 2)
    np.testing.assert_array_equal(
        snn.run(a, xs, a.init_state((2,)))[0], snn.run(b, xs, b.init_state((2,)))[0]
    )


@pytest.mark.parametrize(
    "build,err,match",
    [
        (lambda: neuron.LIFNode(tau=1.0), ValueError, "`tau`"),
        (lambda: neuron.LIFNode(tau=0.5), ValueError, "`tau`"),
        (lambda: neuron.IFNode(v_threshold=0.0, v_reset=0.0), ValueError, "`v_reset`"),
        (lambda: neuron.IFNode(step_mode="x"), ValueError, "`step_mode`"),
        (
            lambda: neuron.IFNode(surrogate_function=max),
            TypeError,
            "surrogate_function",
        ),
        (lambda: surrogate.Sigmoid(spiking=False), NotImplementedError, "spiking"),
        (lambda: surrogate.ATan(alpha=-1.0), ValueError, "`slope`"),
    ],
)
def test_spikingjelly_rejections(build, err, match):
    with pytest.raises(err, match=match):
        build()


def test_surrogate_namespaces_agree():
    x = jnp.linspace(-1.0, 1.0, 9)
    a = snntorch.surrogate.atan(alpha=3.0).derivative(x)
    b = surrogate.ATan(alpha=3.0).derivative(x)
    np.testing.assert_array_equal(a, b)
    tri = surrogate.PiecewiseQuadratic(alpha=2.0).derivative(x)
    np.testing.assert_allclose(tri, np.maximum(0.0, 2.0 - 4.0 * np.abs(np.asarray(x))))


def test_leaky_inhibition_graded_and_quant_map_to_wrappers():
    wta = snntorch.Leaky(beta=0.9, inhibition=True)
    assert isinstance(wta, snn.WinnerTakeAll) and wta.axis == 1
    graded = snntorch.Leaky(beta=0.9, graded_spikes_factor=2.0)
    assert isinstance(graded, snn.GradedSpikes) and float(graded.factor) == 2.0
    learned = snntorch.Leaky(beta=0.9, learn_graded_spikes_factor=True)
    assert isinstance(learned, snn.GradedSpikes) and learned.learn == {"factor"}
    assert isinstance(snntorch.Leaky(beta=0.9), snn.LIF)

    def quant(v):
        return jnp.round(v * 4) / 4

    lif = snntorch.Leaky(beta=0.9, state_quant=quant)
    assert lif.state_quant is quant
    syn = snntorch.Synaptic(alpha=0.5, beta=0.9, state_quant=quant, inhibition=True)
    assert isinstance(syn, snn.WinnerTakeAll) and syn.neuron.state_quant is quant
    with pytest.raises(NotImplementedError, match="inhibition"):
        snntorch.Alpha(alpha=0.9, beta=0.8, inhibition=True)
    with pytest.raises(NotImplementedError, match="state_quant"):
        snntorch.RLeaky(
            beta=0.9, linear_features=2, recurrent_weight=jnp.eye(2), state_quant=quant
        )
