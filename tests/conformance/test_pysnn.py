"""Conformance with pysnn 0.1.1 (shared/reference, cases `pysnn_*`).

Each case in `data/cases_pysnn.json` (copied from the shared manifest) is
rebuilt by evaluating its `constructor` with `pysnn` bound to
`snnjax.compat.pysnn`, run with `snnjax.run` on the recorded input exactly as
pysnn received it (`(T, B, N, K)`, folded by `snnjax.compat.pysnn.neuron.fold`;
FedeNeuron's `forward(x, pre_trace)` as `fold(x - pre_trace)`; Input's
`(T, B, N)` spikes unchanged) and compared with the recorded spikes (exactly)
and states `v_cell`, `trace`, `refrac_counts` (and `thresh`) after every step
(to the manifest's tolerances; bit for bit when run op by op). pysnn runs
float32 only and has no gradients, so there is no float64 run and no gradient
reference; the models are still checked to be differentiable.
"""

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

DATA = pathlib.Path(__file__).parent / "data"
MANIFEST = json.loads((DATA / "cases_pysnn.json").read_text())
CASES = {case["id"]: case for case in MANIFEST["cases"]}
EXPECTED_IDS = {
    "pysnn_if_linear_refrac",
    "pysnn_if_exponential",
    "pysnn_lif_linear",
    "pysnn_lif_exponential_vrest",
    "pysnn_alif_linear",
    "pysnn_alif_exponential",
    "pysnn_fede",
    "pysnn_input_linear",
    "pysnn_input_exponential",
}
# pysnn buffer name -> snnjax state field
STATE_NAMES = {
    "v_cell": "v",
    "trace": "trace",
    "refrac_counts": "refrac",
    "thresh": "thresh",
}


def _build(case):
    from snnjax.compat import pysnn

    return eval(case["constructor"], {"pysnn": pysnn})


def _input(case, z):
    """The recorded input as pysnn received it, as the snnjax model takes it."""
    from snnjax.compat.pysnn.neuron import fold

    x = jnp.asarray(z["x"])
    if case["class"] == "pysnn.neuron.Input":
        return x  # (T, B, N) spikes, no synapse axis
    if case["class"] == "pysnn.neuron.FedeNeuron":
        return fold(x - jnp.asarray(z["x_pre_trace"]))
    return fold(x)


def test_all_cases_present():
    assert set(CASES) == EXPECTED_IDS
    for case in CASES.values():
        assert case["library"] == "pysnn"
        assert case["dtype_runs"] == ["float32"]
        assert (DATA / case["file"]).exists()


@pytest.mark.parametrize("case_id", sorted(EXPECTED_IDS))
def test_reference_case(case_id):
    import snnjax

    case = CASES[case_id]
    z = np.load(DATA / case["file"])
    model = _build(case)
    xs = _input(case, z)
    assert xs.shape == z["spikes"].shape

    state0 = model.init_state(xs.shape[1:], xs.dtype)
    for name in case["state_variables"]:
        ours = getattr(state0, STATE_NAMES[name])
        assert ours.dtype == jnp.float32
        np.testing.assert_array_equal(np.asarray(ours), z["init_" + name])

    out, _, rec = jax.jit(lambda x: snnjax.run(model, x, state0, record=True))(xs)
    assert out.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(out), z["spikes"])
    tol = case["tolerances"]["f32_states"]
    for name in case["state_variables"]:
        np.testing.assert_allclose(
            np.asarray(getattr(rec, STATE_NAMES[name])),
            z[name],
            rtol=tol["rtol"],
            atol=tol["atol"],
            err_msg=f"state {name}",
        )
    if "refrac_counts" in case["state_variables"]:  # an exact counter
        np.testing.assert_array_equal(np.asarray(rec.refrac), z["refrac_counts"])


@pytest.mark.parametrize("case_id", ["pysnn_alif_exponential", "pysnn_input_linear"])
def test_compat_models_are_differentiable(case_id):
    # pysnn has no gradients to compare with; snnjax's must exist and be finite
    import snnjax

    case = CASES[case_id]
    z = np.load(DATA / case["file"])
    model = _build(case)
    xs = _input(case, z)
    state0 = model.init_state(xs.shape[1:], xs.dtype)

    def loss(x):
        out, _, rec = snnjax.run(model, x, state0, record=True)
        return jnp.sum(out) + jnp.sum(rec.trace)

    g = jax.jit(jax.grad(loss))(xs)
    assert g.shape == xs.shape
    assert bool(jnp.all(jnp.isfinite(g))) and bool(jnp.any(g != 0))


@pytest.mark.parametrize("case_id", sorted(EXPECTED_IDS))
def test_eager_run_is_bit_exact(case_id):
    # op by op, every operation is pysnn's in pysnn's order: the float32
    # results are identical. (Under jit, XLA may fuse a multiply and an add
    # into one FMA, a difference of at most an ulp or two.)
    import snnjax

    case = CASES[case_id]
    z = np.load(DATA / case["file"])
    model = _build(case)
    xs = _input(case, z)
    with jax.disable_jit():
        out, _, rec = snnjax.run(
            model, xs, model.init_state(xs.shape[1:], xs.dtype), record=True
        )
    np.testing.assert_array_equal(np.asarray(out), z["spikes"])
    for name in case["state_variables"]:
        np.testing.assert_array_equal(
            np.asarray(getattr(rec, STATE_NAMES[name])), z[name], err_msg=name
        )
