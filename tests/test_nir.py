"""NIR import/export: peer files from tests/nir_data, round trips, errors.

tests/nir_data holds the 22 graphs exported by snntorch, norse, sinabs,
spikingjelly and spyx (copied from shared/reference/nir, with manifest.json
naming each case's dt, discretisation and the array a NIR-faithful import must
reproduce).
"""

import itertools
import json
import pathlib
import sys

import h5py
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

nir = pytest.importorskip("nir")

DATA = pathlib.Path(__file__).parent / "nir_data"
CASES = {c["id"]: c for c in json.loads((DATA / "manifest.json").read_text())["cases"]}
FAITHFUL = sorted(
    k for k, c in CASES.items() if c["numpy_sim"]["nir_faithful_import_should_match"]
)
# each case's exporter options -> our preset name (the file cannot tell
# snntorch's reset_mechanism or sinabs' spike function apart)
PRESET = {
    "snn_ff_leaky_zero": "snntorch-zero",
    "snn_ff_leaky_subtract": "snntorch",
    "snn_ff_synaptic_zero": "snntorch-zero",
    "snn_rleaky_zero": "snntorch-zero",
    "snn_rsynaptic_zero": "snntorch-zero",
    "snn_conv_leaky_zero": "snntorch-zero",
    "sinabs_ff_lif_single_reset": "sinabs-single",
}
# outputs that are membranes, not spikes (last layer LI / ExpLeak)
ANALOG = {"norse_ff_iaf_li", "sinabs_ff_iaf_expleak"}


def _snn():
    import snnjax

    return snnjax


def _run(model, xs):
    snn = _snn()
    ys, _ = snn.run(model, xs, model.init_state(xs.shape[1:]))
    return np.asarray(ys)


def _assert_reproduces(case, ys, ref):
    if case in ANALOG:
        np.testing.assert_allclose(ys, ref, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(ys, ref)


# ------------------------------------------------------------ peer files
def test_data_is_complete_and_small():
    assert len(CASES) == 22 and len(FAITHFUL) == 11
    size = sum(p.stat().st_size for p in DATA.iterdir())
    assert size < 5 * 2**20


@pytest.mark.parametrize("case", FAITHFUL)
def test_faithful_import_matches_exactly(case):
    spec = CASES[case]["numpy_sim"]["nir_faithful_import_should_match"]
    ref = np.load(DATA / CASES[case]["file"])
    model = _snn().nir.from_nir(
        DATA / CASES[case]["nir_file"],
        dt=spec["dt"],
        discretization=spec["discretisation"],
    )
    ys = _run(model, jnp.asarray(ref["x"]))
    np.testing.assert_array_equal(ys, ref[spec["array"]])


@pytest.mark.parametrize("case", sorted(CASES))
def test_preset_reproduces_exporting_library(case):
    c = CASES[case]
    preset = PRESET.get(case, c["library"])
    dt = c["numpy_sim"]["conventions"]["exporter_convention"]["dt"]
    ref = np.load(DATA / c["file"])
    model = _snn().nir.from_nir(DATA / c["nir_file"], dt=dt, preset=preset)
    _assert_reproduces(case, _run(model, jnp.asarray(ref["x"])), ref["spikes_out"])


def test_standard_reading_differs_where_the_manifest_says_so():
    # spyx's numbers need the preset: the plain NIR reading gives others
    c = CASES["spyx_ff_lif"]
    ref = np.load(DATA / c["file"])
    model = _snn().nir.from_nir(DATA / c["nir_file"], dt=1.0)
    assert np.sum(_run(model, jnp.asarray(ref["x"])) != ref["spikes_out"]) == 56


# ------------------------------------------------------ hand-derived values
def _graph(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def test_euler_and_exp_decay_by_hand():
    snn = _snn()
    li = nir.LI(tau=np.array([2.0]), r=np.array([1.0]), v_leak=np.array([0.0]))
    xs = jnp.array([[[1.0]], [[0.0]], [[0.0]]])
    euler = _run(snn.nir.from_nir(_graph(li), dt=1.0), xs)[:, 0, 0]
    # a = 1 - 1/2, gain (1 - a) r = 1/2: 0.5, 0.25, 0.125
    np.testing.assert_allclose(euler, [0.5, 0.25, 0.125], rtol=1e-6)
    exact = _run(snn.nir.from_nir(_graph(li), dt=1.0, discretization="exp"), xs)
    a = np.exp(-0.5)
    np.testing.assert_allclose(exact[:, 0, 0], (1 - a) * a ** np.arange(3), rtol=1e-6)


def test_integrator_cubali_scale_threshold_by_hand():
    snn = _snn()
    xs = jnp.ones((3, 1, 2))
    i_node = nir.I(r=np.array([2.0, 3.0]))
    ys = _run(snn.nir.from_nir(_graph(i_node), dt=0.5), xs)
    np.testing.assert_allclose(ys[:, 0], [[1, 1.5], [2, 3], [3, 4.5]], rtol=1e-6)
    cuba = nir.CubaLI(
        tau_syn=np.full(2, 2.0),
        tau_mem=np.full(2, 4.0),
        r=np.full(2, 2.0),
        v_leak=np.zeros(2),
        w_in=np.full(2, 2.0),
    )
    ys = _run(snn.nir.from_nir(_graph(cuba), dt=1.0), xs)[:, 0, 0]
    # i: 1, 1.5, 1.75 (i = i/2 + 1); v = 3/4 v + 1/4 * 2 i: 0.5, 1.125, 1.71875
    np.testing.assert_allclose(ys, [0.5, 1.125, 1.71875], rtol=1e-6)
    graph = _graph(nir.Scale(scale=np.array([2.0, 0.5])), nir.Threshold(np.ones(2)))
    ys = _run(snn.nir.from_nir(graph, dt=1.0), xs)
    np.testing.assert_array_equal(ys[:, 0], np.tile([1.0, 0.0], (3, 1)))


def test_delay_shifts_by_whole_steps():
    snn = _snn()
    graph = _graph(nir.Delay(delay=np.array([0.0, 0.2, 0.3])))
    xs = jnp.arange(12.0).reshape(4, 1, 3)
    ys = _run(snn.nir.from_nir(graph, dt=0.1), xs)[:, 0]
    expected = [[0, 0, 0], [3, 0, 0], [6, 1, 0], [9, 4, 2]]
    np.testing.assert_array_equal(ys, np.asarray(expected, np.float32))


def _recurrent_graph(tau=2.0, threshold=1.5):
    # x -> lif <-> w_rec (a cycle), lif -> output
    lif = nir.LIF(
        tau=np.full(2, tau),
        r=np.full(2, 2.0),
        v_leak=np.zeros(2),
        v_threshold=np.full(2, threshold),
        v_reset=np.zeros(2),
    )
    nodes = {
        "input": nir.Input(input_type={"input": np.array([2])}),
        "lif": lif,
        "w_rec": nir.Linear(weight=np.array([[0.0, 2.0], [0.0, 0.0]])),
        "output": nir.Output(output_type={"output": np.array([2])}),
    }
    edges = [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def test_recurrent_edge_is_delayed_one_step():
    snn = _snn()
    model = snn.nir.from_nir(_recurrent_graph(), dt=1.0)  # v = v/2 + x
    xs = jnp.zeros((5, 1, 2)).at[:2, 0, 1].set(1.0)
    ys = _run(model, xs)[:, 0]
    # neuron 1: v = 1, then 0.5 + 1 = 1.5, which is not > 1.5: no spike
    assert ys[:, 1].sum() == 0 and ys[:, 0].sum() == 0
    xs = xs.at[:2, 0, 1].set(1.2)  # v1 = 1.2, 1.8 (fires at t=1)
    ys = _run(model, xs)[:, 0]
    np.testing.assert_array_equal(ys[:, 1], [0, 1, 0, 0, 0])
    # the spike reaches neuron 0 through w_rec one step later (t=2): v0 = 2
    np.testing.assert_array_equal(ys[:, 0], [0, 0, 1, 0, 0])


# ------------------------------------------------------------ round trips
def _roundtrip(graph_or_model, tmp_path, *, dt, **kw):
    snn = _snn()
    graph = snn.nir.to_nir(graph_or_model, dt=dt, **kw)
    path = tmp_path / "model.nir"
    nir.write(path, graph)
    return snn.nir.from_nir(path, dt=dt, discretization=kw.get("discretization"))


@pytest.mark.parametrize("discretization", ["euler", "exp"])
def test_snnjax_to_nir_to_snnjax_is_exact(tmp_path, discretization):
    snn = _snn()
    k = jax.random.split(jax.random.key(0), 6)
    net = snn.Sequential(
        [
            snn.Conv2d(2, 3, 3, padding=1, key=k[0]),
            snn.LIF(beta=0.8, reset="zero", threshold=0.5, reset_timing="delayed"),
            snn.AvgPool2d(2),
            snn.Conv2d(3, 2, 3, stride=2, padding=1, key=k[1]),
            snn.IF(reset="zero", threshold=0.3),
            snn.SumPool2d(1),
            snn.Flatten(3),
            snn.Linear(2, 5, key=k[2]),
            snn.CubaLIF(alpha=0.6, beta=0.7, threshold=0.2),
            snn.Linear(5, 4, use_bias=False, key=k[3]),
            snn.Synaptic(alpha=0.5, beta=0.9, reset="zero", threshold=0.2),
        ]
    )
    model = _roundtrip(
        net, tmp_path, dt=1e-3, input_shape=(2, 4, 4), discretization=discretization
    )
    xs = (jax.random.uniform(k[5], (12, 2, 2, 4, 4)) < 0.4).astype(jnp.float32) * 2
    # step-major, so every matmul has the same shape (layer-major batches the
    # time steps into one matmul, whose float32 sums may round differently)
    ref, _ = snn.run(net, xs, net.init_state(xs.shape[1:]), layer_major=False)
    np.testing.assert_array_equal(_run(model, xs), np.asarray(ref))
    if discretization == "exp":  # and back again: NIR -> snnjax -> NIR -> snnjax
        again = _roundtrip(model, tmp_path, dt=1e-3, discretization=discretization)
        np.testing.assert_array_equal(_run(again, xs), np.asarray(ref))


def test_leaky_integrator_round_trip(tmp_path):
    # analog outputs: equal up to float32 rounding (XLA may fuse the
    # multiply-adds of the two programs differently)
    snn = _snn()
    k1, k2 = jax.random.split(jax.random.key(2))
    net = snn.Sequential(
        [snn.Linear(3, 4, key=k1), snn.LI(alpha=0.3, beta=0.9), snn.LI(beta=0.5)]
    )
    model = _roundtrip(net, tmp_path, dt=1e-3)
    assert [type(model.nodes[n]).__name__ for n in ("1", "2")] == ["Neuron"] * 2
    assert [model.nodes[n].kind for n in ("1", "2")] == ["CubaLI", "LI"]
    xs = jax.random.normal(k2, (12, 2, 3))
    ref, _ = snn.run(net, xs, net.init_state(xs.shape[1:]), layer_major=False)
    np.testing.assert_allclose(_run(model, xs), np.asarray(ref), rtol=1e-6, atol=1e-6)
    again = _roundtrip(model, tmp_path, dt=1e-3)  # CubaLI and LI nodes back out
    np.testing.assert_array_equal(_run(again, xs), _run(model, xs))


@settings(max_examples=5, deadline=None)
@given(
    beta=st.floats(0.05, 0.95),
    threshold=st.floats(0.1, 2.0),
    v_reset=st.floats(-0.5, 0.0),
    disc=st.sampled_from(["euler", "exp"]),
)
def test_lif_round_trip_property(beta, threshold, v_reset, disc):
    snn = _snn()
    lif = snn.LIF(beta=beta, threshold=threshold, v_reset=v_reset, reset="zero")
    graph = snn.nir.to_nir(lif, dt=0.5, discretization=disc, input_shape=(3,))
    model = snn.nir.from_nir(graph, dt=0.5, discretization=disc)
    xs = jnp.linspace(0.0, 2.0, 3 * 16).reshape(16, 1, 3)
    np.testing.assert_array_equal(_run(model, xs), _run(lif, xs))


def test_recurrent_snnjax_model_round_trip(tmp_path):
    snn = _snn()
    k1, k2, k3 = jax.random.split(jax.random.key(1), 3)
    rec = snn.Recurrent(
        snn.LIF(beta=0.9, reset="zero", threshold=0.5),
        snn.Linear(4, 4, use_bias=False, key=k1),
    )
    net = snn.Sequential([snn.Linear(3, 4, key=k2), rec])
    model = _roundtrip(net, tmp_path, dt=1e-4)
    xs = jax.random.uniform(k3, (15, 2, 3)) * 2
    ref, _ = snn.run(net, xs, net.init_state(xs.shape[1:]), layer_major=False)
    np.testing.assert_array_equal(_run(model, xs), np.asarray(ref))


def test_nir_primitives_round_trip(tmp_path):
    # NIR -> snnjax -> NIR -> snnjax for Scale, Delay, Threshold, I, Conv1d,
    # CubaLIF, Affine, Flatten, a nested graph and a cycle
    snn = _snn()
    rng = np.random.default_rng(0)
    inner = _recurrent_graph(tau=2e-3, threshold=0.5)
    inner.nodes["input"] = nir.Input(input_type={"input": np.array([2])})
    conv = nir.Conv1d(
        input_shape=6,
        weight=rng.normal(size=(2, 1, 3)),
        stride=1,
        padding=1,
        dilation=1,
        groups=1,
        bias=np.zeros(2),
    )
    cuba = nir.CubaLIF(
        tau_syn=np.full(2, 2e-3),
        tau_mem=np.full(2, 4e-3),
        r=np.full(2, 2.0),
        v_leak=np.zeros(2),
        v_threshold=np.full(2, 0.2),
        v_reset=np.zeros(2),
        w_in=np.full(2, 3.0),
    )
    nodes = {
        "input": nir.Input(input_type={"input": np.array([1, 6])}),
        "conv": conv,
        "flat": nir.Flatten(input_type={"input": np.array([2, 6])}, start_dim=0),
        "aff": nir.Affine(weight=rng.normal(size=(2, 12)), bias=rng.normal(size=2)),
        "scale": nir.Scale(scale=np.array([3.0, 2.0])),
        "delay": nir.Delay(delay=np.array([1e-3, 2e-3])),
        "integ": nir.I(r=np.array([100.0, 200.0])),
        "thr": nir.Threshold(threshold=np.array([0.5, 1.0])),
        "cuba": cuba,
        "sub": inner,
        "output": nir.Output(output_type={"output": np.array([2])}),
    }
    chain = ["input", "conv", "flat", "aff", "scale", "delay", "integ", "thr"]
    edges = list(itertools.pairwise(chain))
    edges += [("thr", "cuba"), ("aff", "cuba"), ("cuba", "sub"), ("sub", "output")]
    graph = nir.NIRGraph(nodes=nodes, edges=edges)
    first = snn.nir.from_nir(graph, dt=1e-3)
    xs = jnp.asarray(rng.normal(size=(10, 2, 1, 6)), jnp.float32)
    ys, _, rec = snn.run(first, xs, first.init_state(xs.shape[1:]), record=True)
    ys = np.asarray(ys)
    assert ys.shape == (10, 2, 2)
    for name in ("cuba", "sub.lif"):
        assert np.asarray(rec.nodes[name].z).sum() > 0, name
    again = _roundtrip(first, tmp_path, dt=1e-3)
    np.testing.assert_array_equal(_run(again, xs), ys)


# -------------------------------------------------------------- transforms
def test_jit_grad_vmap():
    snn = _snn()
    aff = nir.Affine(weight=np.array([[1.0, -0.5], [0.5, 2.0]]), bias=np.zeros(2))
    model = snn.nir.from_nir(_two(aff, _lif()), dt=1.0)
    xs = jax.random.uniform(jax.random.key(3), (8, 3, 2)) * 2

    def loss(m, xs):
        ys, _ = snn.run(m, xs, m.init_state(xs.shape[1:]))
        return ys.sum()

    eager = _run(model, xs)
    assert 0 < eager.sum() < eager.size
    jitted = jax.jit(lambda m, xs: snn.run(m, xs, m.init_state(xs.shape[1:]))[0])
    np.testing.assert_array_equal(np.asarray(jitted(model, xs)), eager)
    g = jax.grad(loss)(model, xs).nodes["a"].weight
    assert np.all(np.isfinite(g)) and np.any(g != 0)
    per_sample = jax.vmap(
        lambda x: snn.run(model, x, model.init_state(x.shape[1:]))[0],
        in_axes=1,
        out_axes=1,
    )(xs)
    np.testing.assert_array_equal(np.asarray(per_sample), eager)


# ------------------------------------------------------------------ errors
def test_export_refuses_subtract_reset_and_warns_when_lossy():
    snn = _snn()
    net = snn.Sequential([snn.Linear(2, 2, key=jax.random.key(0)), snn.LIF(0.9)])
    with pytest.raises(ValueError, match=r"block 1 \(LIF\): reset='subtract'"):
        snn.nir.to_nir(net, dt=1e-3)
    with pytest.warns(UserWarning, match="reset='subtract'"):
        graph = snn.nir.to_nir(net, dt=1e-3, lossy=True)
    assert isinstance(graph.nodes["1"], nir.LIF)


def test_export_refuses_other_conventions():
    snn = _snn()
    with pytest.raises(ValueError, match="spike_test='>='"):
        snn.nir.to_nir(
            snn.LIF(0.9, reset="zero", spike_test=">="), dt=1.0, input_shape=(2,)
        )
    with pytest.raises(ValueError, match="reset_timing='delayed'"):
        snn.nir.to_nir(
            snn.Synaptic(alpha=0.5, beta=0.9, reset="zero", reset_timing="delayed"),
            dt=1.0,
            input_shape=(2,),
        )
    with pytest.raises(ValueError, match="initial membrane"):
        snn.nir.to_nir(snn.LIF(0.9, reset="zero", v_leak=0.1), dt=1.0, input_shape=(2,))
    spyx = snn.nir.from_nir(DATA / "spyx_ff_lif.nir", dt=1.0, preset="spyx")
    with pytest.raises(ValueError, match="preset"):
        snn.nir.to_nir(spyx, dt=1.0)
    with pytest.raises(TypeError, match="MaxPool2d has no NIR counterpart"):
        snn.nir.to_nir(snn.MaxPool2d(2), dt=1.0, input_shape=(1, 4, 4))
    with pytest.raises(ValueError, match="`input_shape`"):
        snn.nir.to_nir(snn.MaxPool2d(2), dt=1.0)
    with pytest.raises(ValueError, match="`beta` must be in"):
        snn.nir.to_nir(snn.LIF(1.0, reset="zero"), dt=1.0, input_shape=(2,))
    with pytest.raises(ValueError, match="has a bias"):
        rec = snn.Recurrent(
            snn.LIF(0.9, reset="zero"), snn.Linear(2, 2, key=jax.random.key(0))
        )
        snn.nir.to_nir(rec, dt=1.0, input_shape=(2,))


def _lif(n=2, **kw):
    p = dict(
        tau=np.full(n, 2.0),
        r=np.ones(n),
        v_leak=np.zeros(n),
        v_threshold=np.ones(n),
        v_reset=np.zeros(n),
    )
    p.update(kw)
    return nir.LIF(**p)


def test_bad_arguments():
    snn = _snn()
    graph = _graph(_lif())
    with pytest.raises(ValueError, match="`dt` must be finite and > 0; got -1"):
        snn.nir.from_nir(graph, dt=-1.0)
    with pytest.raises(TypeError, match="`dt` must be a positive number"):
        snn.nir.from_nir(graph, dt="1")
    with pytest.raises(ValueError, match="`discretization` must be one of"):
        snn.nir.from_nir(graph, dt=1.0, discretization="rk4")
    with pytest.raises(ValueError, match="`preset` must be one of"):
        snn.nir.from_nir(graph, dt=1.0, preset="torch")
    with pytest.raises(TypeError, match=r"`graph_or_path` must be an nir\.NIRGraph"):
        snn.nir.from_nir({"nodes": {}}, dt=1.0)
    with pytest.raises(FileNotFoundError, match="no NIR file"):
        snn.nir.from_nir("/nonexistent.nir", dt=1.0)
    with pytest.raises(ValueError, match="`discretization` must be one of"):
        snn.nir.to_nir(snn.LIF(0.5, reset="zero"), dt=1.0, discretization="x")
    with pytest.raises(ValueError, match="`dt` must be finite"):
        snn.nir.to_nir(snn.LIF(0.5, reset="zero"), dt=float("nan"))


def _two(a, b, edges=None, *, shape=(2,)):
    nodes = {
        "input": nir.Input(input_type={"input": np.array(shape)}),
        "a": a,
        "b": b,
        "output": nir.Output(output_type={"output": np.array([2])}),
    }
    if edges is None:
        edges = [("input", "a"), ("a", "b"), ("b", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def test_malformed_graphs_name_the_node():
    snn = _snn()
    aff = nir.Affine(weight=np.ones((2, 2)), bias=np.zeros(2))
    bad = _two(aff, _lif(), [("input", "a"), ("a", "ghost"), ("b", "output")])
    with pytest.raises(ValueError, match="unknown node 'ghost'"):
        snn.nir.from_nir(bad, dt=1.0)
    orphan = _two(aff, _lif(), [("input", "a"), ("b", "output")])
    with pytest.raises(ValueError, match="node 'b' \\(LIF\\) has no incoming edge"):
        snn.nir.from_nir(orphan, dt=1.0)
    with pytest.raises(ValueError, match="node 'b' \\(LIF\\): `tau` must be finite"):
        snn.nir.from_nir(_two(aff, _lif(tau=np.array([2.0, np.nan]))), dt=1.0)
    odd = _lif()
    odd.tau = np.ones(3)  # nir's constructor would refuse; a file need not
    with pytest.raises(ValueError, match="node 'b' \\(LIF\\): parameter shapes"):
        snn.nir.from_nir(_two(aff, odd), dt=1.0)
    wide = nir.Affine(weight=np.ones((2, 5)), bias=np.zeros(2))
    with pytest.raises(ValueError, match="node 'a' \\(Linear\\) cannot take"):
        snn.nir.from_nir(_two(wide, _lif()), dt=1.0)
    loop = _two(
        aff,
        nir.Scale(scale=np.ones(2)),
        [("input", "a"), ("a", "b"), ("b", "a"), ("b", "output")],
    )
    with pytest.raises(ValueError, match=r"cycle without a neuron .*a -> b -> a"):
        snn.nir.from_nir(loop, dt=1.0)
    no_output = nir.NIRGraph(
        nodes={"input": nir.Input(input_type={"input": np.array([2])}), "a": aff},
        edges=[("input", "a")],
        type_check=False,
    )
    with pytest.raises(ValueError, match="exactly one Input and one Output"):
        snn.nir.from_nir(no_output, dt=1.0)
    with pytest.raises(ValueError, match=r"node 'b' \(Delay\).*multiples of dt"):
        snn.nir.from_nir(_two(aff, nir.Delay(delay=np.array([0.5, 1.0]))), dt=1.0)


def test_unknown_primitive_in_a_file(tmp_path):
    snn = _snn()
    path = tmp_path / "evil.nir"
    nir.write(path, _graph(_lif()))
    with h5py.File(path, "r+") as f:
        node = f["node/nodes/lif"]
        assert isinstance(node, h5py.Group)
        del node["type"]
        node["type"] = np.bytes_("PickledLambda")
    with pytest.raises(ValueError, match="NIR node 'lif' has the unknown type"):
        snn.nir.from_nir(path, dt=1.0)
    with h5py.File(path, "r+") as f:
        del f["node/nodes/lif"]
        f["node/nodes/lif"] = np.zeros(3)  # a dataset where a node should be
    with pytest.raises(ValueError, match=r"NIR node 'lif' .* has no 'type'"):
        snn.nir.from_nir(path, dt=1.0)
    with open(tmp_path / "junk.nir", "wb") as f:
        f.write(b"not hdf5")
    with pytest.raises(ValueError, match=r"junk\.nir' is not a NIR file: HDF5 cannot"):
        snn.nir.from_nir(tmp_path / "junk.nir", dt=1.0)


def test_missing_nir_package_message(monkeypatch):
    snn = _snn()
    monkeypatch.setitem(sys.modules, "nir", None)
    with pytest.raises(ImportError, match=r'pip install "snnjax\[nir\]"'):
        snn.nir.from_nir("model.nir", dt=1.0)
