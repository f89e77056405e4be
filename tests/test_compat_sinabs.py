"""snnjax.compat.sinabs: argument mapping, defaults and rejections."""

import math
import types

import jax.numpy as jnp
import numpy as np
import pytest

import snnjax as snn
from snnjax.compat import sinabs
from snnjax.compat.sinabs import activation as act


def test_iaf_defaults_are_sinabs_defaults():
    model = sinabs.layers.IAF()
    assert isinstance(model, snn.MultiSpikeLIF)
    assert model.spike_fn == "multi" and model.reset == "subtract"
    assert float(model.beta) == 1.0 and not model.decay_input
    assert model.alpha is None and model.v_min is None
    assert model.learn == frozenset()
    # SingleExponential(0.5, 1.0) with threshold 2: width 1.0
    model = sinabs.layers.IAF(spike_threshold=2.0)
    assert isinstance(model.surrogate, snn.surrogate.SingleExponential)
    assert float(model.surrogate.width) == 1.0
    assert float(model.surrogate.scale) == 1.0


def test_iaf_with_synaptic_current_learns_alpha():
    model = sinabs.layers.IAF(tau_syn=5.0, min_v_mem=-1.0)
    assert model.alpha is not None and model.v_min is not None
    np.testing.assert_allclose(model.alpha, math.exp(-0.2), rtol=1e-7)
    assert model.learn == frozenset({"alpha"})
    assert float(model.v_min) == -1.0


def test_lif_mapping():
    model = sinabs.layers.LIF(
        tau_mem=10.0,
        tau_syn=4.0,
        spike_fn=act.SingleSpike,
        reset_fn=act.MembraneReset(reset_value=0.25),
        norm_input=False,
        train_alphas=True,
        shape=(3, 4),
        record_states=True,
    )
    assert model.spike_fn == "single" and model.reset == "zero"
    assert float(model.v_reset) == 0.25 and not model.decay_input
    assert model.learn == frozenset({"alpha", "beta"})
    np.testing.assert_allclose(model.beta, math.exp(-0.1), rtol=1e-7)
    assert sinabs.layers.LIF(10.0).decay_input  # norm_input=True by default


def test_alif_mapping_uses_relative_surrogate():
    model = sinabs.layers.ALIF(tau_mem=10.0, tau_adapt=20.0, spike_threshold=2.0)
    assert isinstance(model, snn.ALIF)
    assert model.spike_fn == "single" and model.relative_surrogate
    assert isinstance(model.surrogate, snn.surrogate.SingleExponential)
    assert float(model.surrogate.width) == 0.5  # scaled by the threshold per step
    assert float(model.adapt_scale) == pytest.approx(1.8)
    assert model.learn == frozenset({"beta", "rho"})
    gauss = sinabs.layers.ALIF(10.0, 20.0, surrogate_grad_fn=act.Gaussian(sigma=0.3))
    assert isinstance(gauss.surrogate, snn.surrogate.Gaussian)
    assert not gauss.relative_surrogate
    assert float(gauss.surrogate.width) == pytest.approx(0.3)


def test_alif_recurrent_accepts_arrays_and_linear_like_objects():
    w = jnp.eye(3) * 0.5
    a = sinabs.layers.ALIFRecurrent(10.0, 20.0, rec_connect=w)
    assert a.bias is None and a.learn == frozenset({"beta", "rho", "weight"})
    linear = types.SimpleNamespace(weight=np.asarray(w), bias=np.ones(3))
    b = sinabs.layers.ALIFRecurrent(10.0, 20.0, rec_connect=linear, tau_syn=3.0)
    np.testing.assert_array_equal(b.weight, w)
    np.testing.assert_array_equal(b.bias, np.ones(3))
    assert b.learn == frozenset({"alpha", "beta", "rho", "weight", "bias"})


def test_subtract_value_variants():
    # sinabs tests `if subtract_value:`, so 0 subtracts the threshold too
    for value in (None, 0.0):
        reset_fn = act.MembraneSubtract(subtract_value=value)
        assert sinabs.layers.IAF(reset_fn=reset_fn).reset == "subtract"
    same = act.MembraneSubtract(subtract_value=2.0)
    assert sinabs.layers.LIF(5.0, spike_threshold=2.0, reset_fn=same).reset == (
        "subtract"
    )
    with pytest.raises(NotImplementedError, match="subtract_value"):
        sinabs.layers.LIF(5.0, reset_fn=act.MembraneSubtract(subtract_value=0.5))
    with pytest.raises(NotImplementedError, match="subtract_value"):
        # the adaptive threshold changes: a fixed value is a different rule
        sinabs.layers.ALIF(5.0, 10.0, reset_fn=same, spike_threshold=2.0)


def test_max_spike():
    assert sinabs.layers.IAF(spike_fn=act.MaxSpike()).spike_fn == "multi"
    with pytest.raises(NotImplementedError, match="max_num_spikes_per_bin"):
        sinabs.layers.IAF(spike_fn=act.MaxSpike(max_num_spikes_per_bin=3))


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"spike_fn": "multi"}, TypeError, "`spike_fn` must be"),
        ({"reset_fn": "subtract"}, TypeError, "`reset_fn` must be"),
        ({"surrogate_grad_fn": None}, TypeError, "`surrogate_grad_fn` must be"),
        (
            {"surrogate_grad_fn": act.Gaussian(mu=0.5)},
            NotImplementedError,
            "Gaussian",
        ),
        ({"spike_threshold": 0.0}, ValueError, "`spike_threshold` must be finite"),
    ],
)
def test_rejections(kwargs, error, match):
    with pytest.raises(error, match=match):
        sinabs.layers.IAF(**kwargs)


def test_unsupported_surrogates_raise():
    for fn in (act.Heaviside, act.MultiGaussian, act.PeriodicExponential):
        with pytest.raises(NotImplementedError, match="sinabs"):
            fn()


def test_rec_connect_without_weight_is_rejected():
    with pytest.raises(TypeError, match="`rec_connect` must be"):
        sinabs.layers.ALIFRecurrent(10.0, 20.0, rec_connect=object())


def test_native_surrogate_passes_through():
    fast = snn.surrogate.FastSigmoid(slope=10.0)
    model = sinabs.layers.ALIF(10.0, 20.0, surrogate_grad_fn=fast)
    assert model.surrogate is fast and not model.relative_surrogate
