"""Print the max errors of every conformance case (for notes and the docs).

Run: python -m tests.conformance.report
"""

import jax
import jax.numpy as jnp
import numpy as np

from tests.conformance.test_reference import CASES, DATA, STATE_NAMES, _build


def _errors(case, f64):
    import snnjax

    prefix = "f64_" if f64 else ""
    z = np.load(DATA / case["file"])
    ref = {k: z[prefix + k] for k in z.files if (prefix + k) in z.files}
    dt = np.float64 if f64 else np.float32
    x = jnp.asarray(z["x"].astype(dt))
    R, R2 = jnp.asarray(z["R"].astype(dt)), jnp.asarray(z["R2"].astype(dt))
    params, build = _build(case)

    def loss_fn(x, params):
        m = build(params)
        out, _, rec = snnjax.run(m, x, m.init_state(x.shape[1:], x.dtype), record=True)
        v = getattr(rec, STATE_NAMES[case["v_for_loss"]])
        return jnp.sum(out * R) + 0.1 * jnp.sum(v * R2), (out, rec)

    (_, (out, rec)), (gx, gp) = jax.value_and_grad(
        loss_fn, argnums=(0, 1), has_aux=True
    )(x, params)
    if case["output"] == "binary spikes":
        mismatched = str(int(np.sum(np.asarray(out) != ref["spikes"])))
    else:  # analog output (a readout membrane): compared as a state
        mismatched = "n/a (analog)"
    state_err = max(
        float(np.max(np.abs(np.asarray(getattr(rec, STATE_NAMES[s])) - ref[s])))
        for s in case["state_variables"]
    )
    grads = [(np.asarray(gx), ref["grad_x"])]
    grads += [(np.asarray(gp[n]), ref["grad_" + n]) for n in params]
    grad_err = max(
        float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30)) for a, b in grads
    )
    return mismatched, state_err, grad_err


def main():
    print("| case | dtype | spike mismatches | max abs state err | max rel grad err |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case in CASES.values():
        for dtype in case["dtype_runs"]:
            f64 = dtype == "float64"
            with jax.enable_x64(f64):
                n, s, g = _errors(case, f64)
            print(f"| {case['id']} | {dtype} | {n} | {s:.1e} | {g:.1e} |")


if __name__ == "__main__":
    main()
