"""snnjax benchmarks: ms per step, compile time, memory, naive baseline, roofline.

Run `python -m benchmarks` (all workloads) or, for example,
`python -m benchmarks --workloads neuron-core --scale 0.25 --bptt autodiff,recompute`.
See docs/benchmarks.md for what each workload and column means.

Every workload is timed twice on identical math: through snnjax (layer-major
`snnjax.run`) and as the plain step-major JAX program a user would write (one
`lax.scan` over time holding every layer, written below with `jnp` only). Each
row also shows a roofline bound: matmul FLOPs / the measured matmul throughput
and minimal bytes / the measured memory bandwidth of this machine (both from a
small calibration at start-up), whichever is larger.
"""

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import optax

import snnjax as snn

WORKLOADS = ("shd-mlp", "neuron-core", "lsnn", "on-linear-lif")
F32 = 4  # bytes


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Timing:
    ms: float
    compile_s: float
    xla_bytes: int


@dataclasses.dataclass
class Row:
    workload: str
    task: str
    config: str
    ms: float
    compile_s: float
    xla_mb: float
    naive_ms: float
    naive_xla_mb: float
    bound_ms: float
    bound_kind: str
    rss_mb: float = float("nan")
    gflops: float = float("nan")  # calibration measured with this workload
    gbs: float = float("nan")


def _block(tree: Any) -> None:
    for leaf in jax.tree_util.tree_leaves(tree):
        if isinstance(leaf, jax.Array):
            leaf.block_until_ready()


def _compile(fn: Callable[..., Any], args: Sequence[Any]) -> tuple[Any, Timing]:
    start = time.perf_counter()
    compiled = jax.jit(fn).lower(*args).compile()
    compile_s = time.perf_counter() - start
    mem = compiled.memory_analysis()
    xla_bytes = 0
    if mem is not None:
        xla_bytes = (
            mem.temp_size_in_bytes
            + mem.argument_size_in_bytes
            + mem.output_size_in_bytes
            - mem.alias_size_in_bytes
        )
    return compiled, Timing(float("nan"), compile_s, xla_bytes)


@dataclasses.dataclass
class Bound:
    flops: float
    nbytes: float
    ms: float = float("nan")
    kind: str = ""


class Bench:
    """Compile every case of a workload, then time them round-robin.

    Interleaving the cases (and the two calibration kernels) gives each the
    same share of a machine whose load changes over time, so the ratios in a
    row are measured under the same conditions; each time is the median of
    `repeats` calls, each right after an untimed call of the same case.
    """

    def __init__(self, quick: bool):
        self.cases: list[tuple[Any, Sequence[Any], Timing]] = []
        self.bounds: list[Bound] = []
        n = 256 if quick else 1024
        size = (1 << 20) if quick else (32 << 20)  # float32 elements
        a = jr.normal(jr.key(0), (n, n))
        x = jr.normal(jr.key(1), (size,))
        self.matmul = self.add(lambda p, q: p @ q, (a, a))
        # one read and one write per element
        self.stream = self.add(lambda v: v * jnp.float32(1.5) + 1.0, (x,))
        self.matmul_flops, self.stream_bytes = 2 * n**3, 2 * size * F32

    def add(self, fn: Callable[..., Any], args: Sequence[Any]) -> Timing:
        compiled, timing = _compile(fn, args)
        self.cases.append((compiled, args, timing))
        return timing

    def bound(self, flops: float, nbytes: float) -> Bound:
        self.bounds.append(Bound(flops, nbytes))
        return self.bounds[-1]

    def machine(self) -> "Machine":
        return Machine(
            flops=self.matmul_flops / (self.matmul.ms / 1e3),
            bandwidth=self.stream_bytes / (self.stream.ms / 1e3),
        )

    def finish(self, rows: Sequence[Callable[[], "Row"]], repeats: int) -> list["Row"]:
        times: list[list[float]] = [[] for _ in self.cases]
        for compiled, args, _ in self.cases:
            _block(compiled(*args))  # warm-up
        for _ in range(repeats):
            for i, (compiled, args, _) in enumerate(self.cases):
                # an untimed call first: a training loop runs the same step
                # back to back, and the first call after another program pays
                # for its caches (measured: +3 ms on the 21 ms shd-mlp step)
                _block(compiled(*args))
                t0 = time.perf_counter()
                _block(compiled(*args))
                times[i].append(time.perf_counter() - t0)
        for (_, _, timing), ts in zip(self.cases, times, strict=True):
            timing.ms = 1e3 * statistics.median(ts)
        machine = self.machine()
        for bound in self.bounds:
            bound.ms, bound.kind = machine.bound(bound.flops, bound.nbytes)
        gflops, gbs = machine.flops / 1e9, machine.bandwidth / 1e9
        return [dataclasses.replace(make(), gflops=gflops, gbs=gbs) for make in rows]


@dataclasses.dataclass
class Machine:
    flops: float  # matmul FLOP/s, float32
    bandwidth: float  # bytes/s, streaming read + write

    def bound(self, flops: float, nbytes: float) -> tuple[float, str]:
        t_flops = flops / self.flops
        t_bytes = nbytes / self.bandwidth
        if t_flops >= t_bytes:
            return 1e3 * t_flops, "GEMM"
        return 1e3 * t_bytes, "memory"


# --------------------------------------------------------------------------
# Naive step-major reference math (what a user writes by hand)
# --------------------------------------------------------------------------

SLOPE = 25.0


@jax.custom_jvp
def spike(x: jax.Array) -> jax.Array:
    """Heaviside (x > 0) with the fast-sigmoid surrogate 1 / (k|x| + 1)^2."""
    return (x > 0).astype(x.dtype)


@spike.defjvp
def _spike_jvp(primals: Any, tangents: Any) -> Any:
    (x,), (dx,) = primals, tangents
    return spike(x), dx / (SLOPE * jnp.abs(x) + 1.0) ** 2


def naive_lif(v: jax.Array, current: jax.Array) -> tuple[jax.Array, jax.Array]:
    """beta 0.9, threshold 1, subtract reset, immediate."""
    h = 0.9 * v + current
    s = spike(h - 1.0)
    return s, h - s


def _linear_params(layer: snn.Linear) -> tuple[jax.Array, jax.Array | None]:
    return layer.weight, layer.bias


def _affine(x: jax.Array, wb: tuple[jax.Array, jax.Array | None]) -> jax.Array:
    w, b = wb
    y = x @ w.T
    return y if b is None else y + b[None, :]


def _mean_ce(logits: jax.Array, labels: jax.Array) -> jax.Array:
    log_p = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_p, labels[:, None], axis=-1))


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Options:
    quick: bool
    repeats: int
    unrolls: tuple[int, ...]
    bptts: tuple[str, ...]
    scale: float


def _configs(opts: Options, grad: bool) -> list[tuple[int, str]]:
    bptts = opts.bptts if grad else ("autodiff",)
    return [(u, b) for u in opts.unrolls for b in bptts]


def _fmt_config(unroll: int, bptt: str, grad: bool) -> str:
    return f"unroll={unroll}" + (f",bptt={bptt}" if grad else "")


def _mlp_flops(t: int, b: int, sizes: Sequence[tuple[int, int]], train: bool) -> float:
    fwd = sum(2 * t * b * i * o for i, o in sizes)
    if not train:
        return fwd
    dx = sum(2 * t * b * i * o for i, o in sizes[1:])  # no grad for the input
    return 2 * fwd + dx  # forward, weight grads, activation grads


def shd_mlp(opts: Options) -> list[Row]:
    bench = Bench(opts.quick)
    t, b = (10, 4) if opts.quick else (100, 32)
    sizes = [(700, 256), (256, 256), (256, 20)]
    keys = jr.split(jr.key(0), 4)
    blocks: list[Any] = []
    for (i, o), k in zip(sizes, keys, strict=False):
        blocks += [
            snn.Linear(i, o, key=k),
            snn.LIF(0.9, 1.0, surrogate=snn.surrogate.FastSigmoid(SLOPE)),
        ]
    net = snn.Sequential(blocks)
    xs = (jr.uniform(keys[3], (t, b, 700)) < 0.05).astype(jnp.float32)
    labels = jr.randint(keys[3], (b,), 0, 20)
    state0 = net.init_state((b, 700))
    opt = optax.adam(1e-3)

    def snn_forward(
        model: snn.Sequential, xs: jax.Array, unroll: int, bptt: str
    ) -> jax.Array:
        out, _ = snn.run(model, xs, state0, unroll=unroll, bptt=bptt)
        return out

    wbs = tuple(_linear_params(blk) for blk in net.blocks[::2])

    def naive_forward(wbs: Any, xs: jax.Array) -> jax.Array:
        vs0 = tuple(jnp.zeros((b, o)) for _, o in sizes)

        def body(vs: Any, x: jax.Array) -> Any:
            new, h = [], x
            for wb, v in zip(wbs, vs, strict=True):
                h, v = naive_lif(v, _affine(h, wb))
                new.append(v)
            return tuple(new), h

        return jax.lax.scan(body, vs0, xs)[1]

    def naive_loss(wbs: Any, xs: jax.Array, labels: jax.Array) -> jax.Array:
        return _mean_ce(jnp.sum(naive_forward(wbs, xs), axis=0), labels)

    def make_train(loss: Callable[..., jax.Array]) -> Callable[..., Any]:
        def step(params: Any, opt_state: Any, xs: jax.Array, labels: jax.Array) -> Any:
            value, grads = jax.value_and_grad(loss)(params, xs, labels)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value

        return step

    rows = []
    naive_train = bench.add(make_train(naive_loss), (wbs, opt.init(wbs), xs, labels))
    naive_inf = bench.add(naive_forward, (wbs, xs))
    act = t * b * sum(o for _, o in sizes) * F32
    in_bytes = t * b * 700 * F32
    w_bytes = sum(i * o for i, o in sizes) * F32
    for task, naive, train in (
        ("train", naive_train, True),
        ("infer", naive_inf, False),
    ):
        flops = _mlp_flops(t, b, sizes, train)
        nbytes = in_bytes + w_bytes * (3 if train else 1) + act * (4 if train else 2)
        bound = bench.bound(flops, nbytes)
        for unroll, bptt in _configs(opts, train):
            if train:

                def loss(
                    model: Any,
                    xs: jax.Array,
                    labels: jax.Array,
                    u: int = unroll,
                    m: str = bptt,
                ) -> jax.Array:
                    return snn.loss.ce_count(snn_forward(model, xs, u, m), labels)

                params = eqx.filter(net, eqx.is_inexact_array)
                timing = bench.add(
                    make_train(loss), (net, opt.init(params), xs, labels)
                )
            else:
                timing = bench.add(
                    lambda m, x, u=unroll: snn_forward(m, x, u, "autodiff"),
                    (net, xs),
                )
            rows.append(
                _row(
                    "shd-mlp",
                    task,
                    _fmt_config(unroll, bptt, train),
                    timing,
                    naive,
                    bound,
                )
            )
    return bench.finish(rows, opts.repeats)


def neuron_core(opts: Options) -> list[Row]:
    bench = Bench(opts.quick)
    t, b, n = (
        (20, 4, 64) if opts.quick else (1000, 64, max(1, round(4096 * opts.scale)))
    )
    lif = snn.LIF(0.9, 1.0, surrogate=snn.surrogate.FastSigmoid(SLOPE))
    kx, kr = jr.split(jr.key(1))
    xs = 0.5 * jr.normal(kx, (t, b, n)) + 0.2
    r = jr.normal(kr, (t, b, n))
    state0 = lif.init_state((b, n))

    def naive(xs: jax.Array, r: jax.Array) -> jax.Array:
        def loss(xs: jax.Array) -> jax.Array:
            def body(v: jax.Array, x: jax.Array) -> Any:
                s, v = naive_lif(v, x)
                return v, s

            spikes = jax.lax.scan(body, jnp.zeros((b, n)), xs)[1]
            return jnp.sum(spikes * r)

        return jax.grad(loss)(xs)

    naive_t = bench.add(naive, (xs, r))
    # read xs and R, write dL/dxs: the least traffic of any fwd+bwd
    bound = bench.bound(0.0, 3 * t * b * n * F32)
    rows = []
    for unroll, bptt in _configs(opts, True):

        def fwd_bwd(
            xs: jax.Array, r: jax.Array, u: int = unroll, m: str = bptt
        ) -> jax.Array:
            def loss(xs: jax.Array) -> jax.Array:
                spikes, _ = snn.run(lif, xs, state0, unroll=u, bptt=m)
                return jnp.sum(spikes * r)

            return jax.grad(loss)(xs)

        timing = bench.add(fwd_bwd, (xs, r))
        task = f"fwd+bwd ({t},{b},{n})"
        rows.append(
            _row(
                "neuron-core",
                task,
                _fmt_config(unroll, bptt, True),
                timing,
                naive_t,
                bound,
            )
        )
    return bench.finish(rows, opts.repeats)


def lsnn(opts: Options) -> list[Row]:
    bench = Bench(opts.quick)
    t, b = (10, 4) if opts.quick else (100, 32)
    k1, k2, k3, k4 = jr.split(jr.key(2), 4)
    cell = snn.LSNN(surrogate=snn.surrogate.FastSigmoid(SLOPE))
    net = snn.Sequential(
        [
            snn.Linear(700, 256, key=k1),
            snn.Recurrent(cell, snn.Linear(256, 256, use_bias=False, key=k2)),
            snn.Linear(256, 20, key=k3),
            snn.LI(beta=0.9),
        ]
    )
    xs = (jr.uniform(k4, (t, b, 700)) < 0.05).astype(jnp.float32)
    labels = jr.randint(k4, (b,), 0, 20)
    state0 = net.init_state((b, 700))
    opt = optax.adam(1e-3)
    wbs = (
        _linear_params(net.blocks[0]),
        net.blocks[1].connection.weight,
        _linear_params(net.blocks[2]),
    )
    p = {
        k: float(getattr(cell, k))
        for k in ("alpha", "beta", "rho", "threshold", "adaptation_jump")
    }

    def naive_loss(wbs: Any, xs: jax.Array, labels: jax.Array) -> jax.Array:
        w_in, w_rec, w_out = wbs
        zeros = jnp.zeros((b, 256))
        carry0 = (
            zeros,
            zeros,
            jnp.full((b, 256), p["threshold"]),
            zeros,
            jnp.zeros((b, 20)),
        )

        def body(carry: Any, x: jax.Array) -> Any:
            v, i, thr, s_prev, v_out = carry
            current = _affine(x, w_in) + s_prev @ w_rec.T
            h = p["beta"] * v + (1 - p["beta"]) * i
            thr = thr + (1 - p["rho"]) * (p["threshold"] - thr)
            s = spike(h - thr)
            v = (1 - s) * h  # reset to zero
            i = p["alpha"] * i + current
            thr = thr + s * p["adaptation_jump"]
            v_out = 0.9 * v_out + _affine(s, w_out)
            return (v, i, thr, s, v_out), v_out

        v_out = jax.lax.scan(body, carry0, xs)[1]
        return _mean_ce(jnp.mean(v_out, axis=0), labels)

    def make_train(loss: Callable[..., jax.Array]) -> Callable[..., Any]:
        def step(params: Any, opt_state: Any, xs: jax.Array, labels: jax.Array) -> Any:
            value, grads = jax.value_and_grad(loss)(params, xs, labels)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value

        return step

    naive_t = bench.add(make_train(naive_loss), (wbs, opt.init(wbs), xs, labels))
    sizes = [(700, 256), (256, 256), (256, 20)]
    flops = _mlp_flops(t, b, sizes, True)
    nbytes = (
        t * b * 700 * F32
        + 3 * sum(i * o for i, o in sizes) * F32
        + 4 * t * b * (4 * 256 + 20) * F32
    )
    bound = bench.bound(flops, nbytes)
    rows = []
    for unroll, bptt in _configs(opts, True):

        def loss(
            model: Any, xs: jax.Array, labels: jax.Array, u: int = unroll, m: str = bptt
        ) -> jax.Array:
            v, _ = snn.run(model, xs, state0, unroll=u, bptt=m)
            return snn.loss.ce_mean_membrane(v, labels)

        params = eqx.filter(net, eqx.is_inexact_array)
        timing = bench.add(make_train(loss), (net, opt.init(params), xs, labels))
        rows.append(
            _row(
                "lsnn",
                "train",
                _fmt_config(unroll, bptt, True),
                timing,
                naive_t,
                bound,
            )
        )
    return bench.finish(rows, opts.repeats)


def on_linear_lif(opts: Options) -> list[Row]:
    rows = []
    for n in (32,) if opts.quick else (1024, 4096):
        rows += _on_linear_lif(opts, n)
    return rows


def _on_linear_lif(opts: Options, n: int) -> list[Row]:
    bench = Bench(opts.quick)
    t, b = (10, 2) if opts.quick else (500, 16)
    rows = []
    k1, k2 = jr.split(jr.key(n))
    net = snn.Sequential(
        [
            snn.Linear(n, n, key=k1),
            snn.LIF(0.9, 1.0, surrogate=snn.surrogate.FastSigmoid(SLOPE)),
        ]
    )
    xs = jr.normal(k2, (t, b, n))
    state0 = net.init_state((b, n))
    wb = _linear_params(net.blocks[0])

    def naive_out(wb: Any, xs: jax.Array) -> jax.Array:
        def body(v: jax.Array, x: jax.Array) -> Any:
            s, v = naive_lif(v, _affine(x, wb))
            return v, s

        return jax.lax.scan(body, jnp.zeros((b, n)), xs)[1]

    naive = {
        "fwd": bench.add(lambda w, x: jnp.sum(naive_out(w, x)), (wb, xs)),
        "fwd+bwd": bench.add(jax.grad(lambda w, x: jnp.sum(naive_out(w, x))), (wb, xs)),
    }
    for task in ("fwd", "fwd+bwd"):
        grad = task == "fwd+bwd"
        fwd_flops = 2 * t * b * n * n
        flops = 2 * fwd_flops if grad else fwd_flops  # weight grads, no input grads
        nbytes = (2 if grad else 1) * (t * b * n * F32 * 2 + n * n * F32)
        bound = bench.bound(flops, nbytes)
        for unroll, bptt in _configs(opts, grad):

            def total(
                model: Any, xs: jax.Array, u: int = unroll, m: str = bptt
            ) -> jax.Array:
                return jnp.sum(snn.run(model, xs, state0, unroll=u, bptt=m)[0])

            fn = jax.grad(total) if grad else total
            timing = bench.add(fn, (net, xs))
            rows.append(
                _row(
                    "on-linear-lif",
                    f"n={n} {task}",
                    _fmt_config(unroll, bptt, grad),
                    timing,
                    naive[task],
                    bound,
                )
            )
    return bench.finish(rows, opts.repeats)


def _row(
    workload: str,
    task: str,
    config: str,
    timing: Timing,
    naive: Timing,
    bound: Bound,
) -> Callable[[], Row]:
    """The row, built once `Bench.finish` has filled in the times."""
    return lambda: Row(
        workload,
        task,
        config,
        timing.ms,
        timing.compile_s,
        timing.xla_bytes / 2**20,
        naive.ms,
        naive.xla_bytes / 2**20,
        bound.ms,
        bound.kind,
    )


RUNNERS: dict[str, Callable[[Options], list[Row]]] = {
    "shd-mlp": shd_mlp,
    "neuron-core": neuron_core,
    "lsnn": lsnn,
    "on-linear-lif": on_linear_lif,
}


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table; a header line gives each workload's calibration."""
    calib = {r.workload: f"{r.gflops:.0f} GFLOP/s, {r.gbs:.1f} GB/s" for r in rows}
    head = (
        f"{os.cpu_count()} CPUs, jax {jax.__version__} on {jax.default_backend()}, "
        f"load average {os.getloadavg()[0]:.1f}; matmul / streaming measured "
        "alongside each workload: "
        + "; ".join(f"{name} {c}" for name, c in calib.items())
    )
    cols = (
        "workload",
        "task",
        "config",
        "ms",
        "compile s",
        "XLA MB",
        "RSS MB",
        "naive ms",
        "naive MB",
        "snn/naive",
        "bound ms",
        "snn/bound",
    )
    lines = [head, " | ".join(cols), " | ".join("---" for _ in cols)]
    for r in rows:
        lines.append(
            " | ".join(
                (
                    r.workload,
                    r.task,
                    r.config,
                    f"{r.ms:.2f}",
                    f"{r.compile_s:.2f}",
                    f"{r.xla_mb:.1f}",
                    f"{r.rss_mb:.0f}",
                    f"{r.naive_ms:.2f}",
                    f"{r.naive_xla_mb:.1f}",
                    f"{r.ms / r.naive_ms:.2f}",
                    f"{r.bound_ms:.2f} ({r.bound_kind})",
                    f"{r.ms / r.bound_ms:.1f}",
                )
            )
        )
    return "\n".join(lines)


def run_workloads(opts: Options, workloads: Sequence[str]) -> list[Row]:
    """Run the workloads in this process (RSS is the process peak so far)."""
    rows = []
    with jax.numpy_dtype_promotion("standard"):
        for name in workloads:
            new = RUNNERS[name](opts)
            rss = peak_rss_mb()
            rows += [dataclasses.replace(r, rss_mb=rss) for r in new]
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help=f"comma-separated subset of {', '.join(WORKLOADS)}",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=10,
        help="timed calls per row after compilation (median reported)",
    )
    parser.add_argument(
        "--unroll",
        default="1",
        help="comma-separated `unroll` values for snnjax.run, e.g. 1,2,4,8",
    )
    parser.add_argument(
        "--bptt",
        default="auto,autodiff",
        help="comma-separated `bptt` modes for the gradient rows",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=0.25,
        help="neuron-core feature size as a fraction of 4096 (1.0 = the 1 GB input)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, few repeats (a smoke test)"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every workload in this process "
        "(default: one subprocess each, so RSS is per workload)",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = tuple(w for w in args.workloads.split(",") if w)
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    if args.repeats < 1 or not args.scale > 0:
        parser.error("--repeats must be >= 1 and --scale > 0")
    args.workload_names = names
    return args


def main(argv: Sequence[str] | None = None) -> list[Row]:
    """Run the benchmarks, print the table, return the rows."""
    args = parse_args(argv)
    opts = Options(
        quick=args.quick,
        repeats=min(args.repeats, 3) if args.quick else args.repeats,
        unrolls=tuple(int(u) for u in args.unroll.split(",")),
        bptts=tuple(args.bptt.split(",")),
        scale=args.scale,
    )
    if args.in_process or args.quick or args.json:
        rows = run_workloads(opts, args.workload_names)
    else:
        rows = []
        for name in args.workload_names:
            rows += _in_subprocess(argv or sys.argv[1:], name)
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in rows]))
    else:
        print(format_table(rows), flush=True)
    return rows


def _in_subprocess(argv: Sequence[str], name: str) -> list[Row]:
    """One workload in a fresh interpreter, so its peak RSS is its own."""
    rest = [a for a in argv if not a.startswith("--workloads")]
    if "--workloads" in argv:  # drop the value that followed it
        i = list(argv).index("--workloads")
        rest = list(argv[:i]) + list(argv[i + 2 :])
    cmd = [sys.executable, "-m", "benchmarks", *rest, f"--workloads={name}", "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [Row(**r) for r in json.loads(out.strip().splitlines()[-1])]


if __name__ == "__main__":
    main()
