"""Conformance of the spikingjelly models beyond IF/LIF (shared/reference).

Each case in `data/cases_spikingjelly.json` (copied from the shared manifest)
is rebuilt by evaluating its `constructor` with `spikingjelly` bound to
`snnjax.compat.spikingjelly` and `surrogate` to its
`activation_based.surrogate`, run on the recorded input with `snnjax.run`, and
compared with the recorded outputs (spikes exactly, LIAF's analog output to
the state tolerance), states, loss and gradients (d loss / d x and d loss / d
each trainable parameter) to the manifest's tolerances, in float32 and
float64. The default initial state must equal the recorded one exactly.
"""

import json
import pathlib

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

DATA = pathlib.Path(__file__).parent / "data"
MANIFEST = json.loads((DATA / "cases_spikingjelly.json").read_text())
CASES = {case["id"]: case for case in MANIFEST["cases"]}
EXPECTED_IDS = {
    "sj_plif_hard",
    "sj_plif_soft_nodecay",
    "sj_qif",
    "sj_eif",
    "sj_izhikevich",
    "sj_liaf_relu",
    "sj_klif",
}
# spikingjelly state name -> snnjax state field (the same names)
STATE_NAMES = {"v": "v", "w": "w"}


def test_all_cases_present():
    assert set(CASES) == EXPECTED_IDS
    for case in CASES.values():
        assert case["library"] == "spikingjelly"
        assert (DATA / case["file"]).exists()


def _namespace():
    import snnjax.compat

    sj = snnjax.compat.spikingjelly
    return {"spikingjelly": sj, "surrogate": sj.activation_based.surrogate}


def _runs():
    for case in MANIFEST["cases"]:
        for dtype in case["dtype_runs"]:
            yield pytest.param(case["id"], dtype, id=f"{case['id']}-{dtype}")


def _build(case):
    """(params, builder): the trainable parameters and a model from them."""
    model = eval(case["constructor"], _namespace())
    names = case["trainable_parameters"]
    params = {n: getattr(model, n) for n in names}
    # the seed trains exactly these: snnjax's default `learn` must agree
    assert model.learn == frozenset(names)

    def with_params(p):
        return eqx.tree_at(
            lambda m: [getattr(m, n) for n in names], model, [p[n] for n in names]
        )

    return params, with_params


def _max_rel_err(ours, theirs):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    scale = max(np.max(np.abs(theirs)), 1e-30)
    return np.max(np.abs(ours - theirs)), scale


@pytest.mark.parametrize("case_id,dtype", list(_runs()))
def test_reference_case(case_id, dtype):
    case = CASES[case_id]
    f64 = dtype == "float64"
    with jax.enable_x64(f64):
        import snnjax

        prefix = "f64_" if f64 else ""
        z = np.load(DATA / case["file"])
        ref = {k: z[prefix + k] for k in z.files if (prefix + k) in z.files}
        np_dtype = np.float64 if f64 else np.float32
        x = jnp.asarray(z["x"].astype(np_dtype))
        R = jnp.asarray(z["R"].astype(np_dtype))
        R2 = jnp.asarray(z["R2"].astype(np_dtype))

        params, build = _build(case)
        model = build(params)
        # trainable parameters start at the recorded values, bit for bit
        for name in params:
            np.testing.assert_array_equal(
                np.asarray(params[name], np_dtype), ref["param_" + name]
            )

        state0 = model.init_state(x.shape[1:], x.dtype)
        for seed_name in case["state_variables"]:
            ours = getattr(state0, STATE_NAMES[seed_name])
            assert ours.dtype == x.dtype
            np.testing.assert_array_equal(np.asarray(ours), ref["init_" + seed_name])

        def loss_fn(x, params):
            m = build(params)
            out, _, rec = snnjax.run(
                m, x, m.init_state(x.shape[1:], x.dtype), record=True
            )
            v_seq = getattr(rec, STATE_NAMES[case["v_for_loss"]])
            return jnp.sum(out * R) + 0.1 * jnp.sum(v_seq * R2), (out, rec)

        (loss, (out, rec)), (g_x, g_p) = jax.jit(
            jax.value_and_grad(loss_fn, argnums=(0, 1), has_aux=True)
        )(x, params)

        assert out.dtype == x.dtype
        tol_s = case["tolerances"]["f64_states" if f64 else "f32_states"]
        if case["output"] == "binary spikes":
            np.testing.assert_array_equal(
                np.asarray(out), ref["spikes"].astype(np_dtype)
            )
        else:  # LIAF: the analog output is compared like a state
            np.testing.assert_allclose(
                np.asarray(out), ref["spikes"], rtol=tol_s["rtol"], atol=tol_s["atol"]
            )
        for seed_name in case["state_variables"]:
            np.testing.assert_allclose(
                np.asarray(getattr(rec, STATE_NAMES[seed_name])),
                ref[seed_name],
                rtol=tol_s["rtol"],
                atol=tol_s["atol"],
                err_msg=f"state {seed_name}",
            )
        np.testing.assert_allclose(
            float(loss), float(ref["loss"]), rtol=tol_s["rtol"], atol=tol_s["atol"] * 10
        )

        tol_g = case["tolerances"]["f64_grads" if f64 else "f32_grads"]

        def close(ours, theirs, what):
            err, scale = _max_rel_err(ours, theirs)
            assert err <= tol_g["atol"] + tol_g["rtol"] * scale, (
                f"{what}: max abs err {err:.3e}, scale {scale:.3e}"
            )

        close(g_x, ref["grad_x"], "grad_x")
        for name in params:
            close(g_p[name], ref["grad_" + name], "grad_" + name)
