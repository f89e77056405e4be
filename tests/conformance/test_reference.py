"""Conformance against the seed libraries' recorded outputs (shared/reference).

Each case in `data/cases.json` (copied from the shared manifest) is rebuilt by
evaluating its `constructor` expression with the library name bound to
`snnjax.compat.<library>`, run on the recorded input with `snnjax.run`, and
compared with the recorded spikes (exactly), states and gradients (to the
manifest's tolerances), in float32 and, where recorded, float64.
"""

import json
import pathlib

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

DATA = pathlib.Path(__file__).parent / "data"
MANIFEST = json.loads((DATA / "cases.json").read_text())
CASES = {case["id"]: case for case in MANIFEST["cases"]}

# seed state name -> snnjax state field
STATE_NAMES = {
    "mem": "v",
    "syn": "i",
    "v": "v",
    "i": "i",
    "syn_exc": "i_exc",
    "syn_inh": "i_inh",
}
# seed parameter name -> snnjax field
PARAM_FIELDS = {"recurrent_weight": "weight", "recurrent_bias": "bias"}
# arrays a torch-free constructor needs (torch draws them at random): keyword ->
# the recorded array that holds the values the seed used
CONSTRUCTOR_ARRAYS = {
    "recurrent_weight": "param_recurrent_weight",
    "recurrent_bias": "param_recurrent_bias",
}


def _namespace(library):
    import snnjax.compat

    if library == "snntorch":
        return {"snntorch": snnjax.compat.snntorch}
    if library == "spikingjelly":
        sj = snnjax.compat.spikingjelly
        return {"spikingjelly": sj, "surrogate": sj.activation_based.surrogate}
    raise KeyError(library)


def _norse_li(params):
    """norse LI(tau_syn_inv, tau_mem_inv, v_leak, dt) as a native snnjax.LI.

    norse: i_jump = i + x; v += dt*tau_mem_inv*((v_leak - v) + i_jump);
    i = i_jump - dt*tau_syn_inv*i_jump, i.e. beta = 1 - dt*tau_mem_inv,
    alpha = 1 - dt*tau_syn_inv with the input decayed (decay_input=True).
    The returned function maps the three norse parameters to a model so that
    gradients with respect to them can be compared.
    """
    import snnjax

    dt = params["dt"]

    def build(tau_syn_inv, tau_mem_inv, v_leak):
        return snnjax.LI(
            1 - dt * tau_mem_inv,
            alpha=1 - dt * tau_syn_inv,
            v_leak=v_leak,
            decay_input=True,
            learn={"alpha", "beta", "v_leak"},
        )

    return build


def _rtol_atol(tol):
    return {"rtol": tol["rtol"], "atol": tol["atol"]}


def _runs():
    for case in MANIFEST["cases"]:
        for dtype in case["dtype_runs"]:
            yield pytest.param(case["id"], dtype, id=f"{case['id']}-{dtype}")


def _build(case):
    """(params, model_fn): the trainable parameters and a builder from them."""
    if case["library"] == "norse":
        names = case["trainable_parameters"]
        build = _norse_li(case["params"])
        params = {n: jnp.asarray(case["params"][n]) for n in names}
        return params, lambda p: build(**p)
    namespace = _namespace(case["library"])
    constructor = case["constructor"]
    recorded = np.load(DATA / case["file"])
    extra = [k for k, v in CONSTRUCTOR_ARRAYS.items() if v in recorded.files]
    if extra:  # e.g. RLeaky's nn.Linear weights, given as arrays
        namespace.update(
            {f"_{k}": jnp.asarray(recorded[CONSTRUCTOR_ARRAYS[k]]) for k in extra}
        )
        constructor = constructor[:-1] + "".join(f", {k}=_{k}" for k in extra) + ")"
    model = eval(constructor, namespace)
    names = case["trainable_parameters"]
    fields = [PARAM_FIELDS.get(n, n) for n in names]
    params = {n: getattr(model, f) for n, f in zip(names, fields, strict=True)}

    def with_params(p):
        return eqx.tree_at(
            lambda m: [getattr(m, f) for f in fields], model, [p[n] for n in names]
        )

    return params, with_params


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
        # trainable parameters: the recorded values must be what we built
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
        else:  # a non-spiking readout: its output is a state, compared as one
            np.testing.assert_allclose(
                np.asarray(out), ref["spikes"], **_rtol_atol(tol_s)
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
            ours, theirs = np.asarray(ours), np.asarray(theirs)
            scale = max(np.max(np.abs(theirs)), 1e-30)
            err = np.max(np.abs(ours - theirs))
            assert err <= tol_g["atol"] + tol_g["rtol"] * scale, (
                f"{what}: max abs err {err:.3e}, scale {scale:.3e}"
            )

        close(g_x, ref["grad_x"], "grad_x")
        for name in params:
            close(g_p[name], ref["grad_" + name], "grad_" + name)
