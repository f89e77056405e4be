"""Draw the figures of the documentation from snnjax itself.

Every neuron trace is simulated with `snnjax.run(..., record=True)` and every
surrogate curve is the gradient JAX computes through `snnjax.surrogate`, so a
change to the library changes the pictures. `docs/hooks.py` calls `main()`
before each `mkdocs build`; run `python docs/gen_figures.py [out_dir]` to draw
them by hand. The PNGs land in `docs/figures/` (ignored by git). Figures are
drawn on `matplotlib.figure.Figure` objects, which render with the Agg
backend without touching pyplot's global state.
"""

import dataclasses
import io
import pathlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from matplotlib.figure import Figure

import snnjax as snn

FIGURES = pathlib.Path(__file__).resolve().parent / "figures"
STEPS = 100


def step_input(amplitude: float, start: int = 10, stop: int = 70) -> jax.Array:
    """A step current: `amplitude` on `[start, stop)`, zero elsewhere."""
    t = jnp.arange(STEPS)
    return jnp.where((t >= start) & (t < stop), amplitude, 0.0)[:, None]


def ramp_input(peak: float, start: int = 10, stop: int = 70) -> jax.Array:
    """A current rising linearly from 0 to `peak` on `[start, stop)`, then 0."""
    t = jnp.arange(STEPS, dtype=jnp.float32)
    ramp = peak * (t - start) / (stop - start)
    return jnp.where((t >= start) & (t < stop), ramp, 0.0)[:, None]


def pulse_input(amplitude: float, times: Sequence[int]) -> jax.Array:
    """Input pulses of height `amplitude` at the given steps."""
    return jnp.zeros((STEPS, 1)).at[jnp.asarray(times), 0].set(amplitude)


PULSES = (5, 25, 28, 31, 34, 50, 52, 54, 56, 58, 60)


@dataclasses.dataclass(frozen=True)
class Trace:
    """One panel of a neuron figure.

    Attributes:
        label: panel title.
        make: builds the neuron.
        xs: the input sequence, shape `(STEPS, 1)`.
        threshold: the dashed threshold line on the membrane axis: a number,
            a function of the recorded states (an adaptive threshold), or None.
        extra: other state fields drawn next to the membrane.
    """

    label: str
    make: Callable[[], snn.AbstractNeuron]
    xs: jax.Array
    threshold: float | Callable[[Any], jax.Array] | None = 1.0
    extra: tuple[str, ...] = ()


def _families() -> dict[str, tuple[str, list[Trace]]]:
    step = step_input
    return {
        "lif": (
            "Leaky integrate-and-fire family (step input 0.3)",
            [
                Trace("LIF(beta=0.9)", lambda: snn.LIF(beta=0.9), step(0.3)),
                Trace(
                    "LIF(beta=0.9, reset_timing='delayed')",
                    lambda: snn.LIF(beta=0.9, reset_timing="delayed"),
                    step(0.3),
                ),
                Trace("IF()", lambda: snn.IF(), step(0.3)),
                Trace("ParametricLIF(w=0.0)", lambda: snn.ParametricLIF(), step(1.5)),
            ],
        ),
        "current": (
            "Current-based and alpha models (input pulses)",
            [
                Trace(
                    "Synaptic(alpha=0.8, beta=0.9)",
                    lambda: snn.Synaptic(alpha=0.8, beta=0.9),
                    pulse_input(0.25, PULSES),
                    extra=("i",),
                ),
                Trace(
                    "CubaLIF()",
                    lambda: snn.CubaLIF(),
                    pulse_input(1.5, PULSES),
                    extra=("i",),
                ),
                Trace("Alpha()", lambda: snn.Alpha(), pulse_input(1.0, PULSES)),
                Trace(
                    "LI(beta=0.9, alpha=0.8)",
                    lambda: snn.LI(beta=0.9, alpha=0.8),
                    pulse_input(0.5, PULSES),
                    threshold=None,
                ),
                Trace(
                    "CubaLIFRefrac()",
                    lambda: snn.CubaLIFRefrac(),
                    step(1.0),
                    extra=("refrac",),
                ),
            ],
        ),
        "adaptive": (
            "Adaptive-threshold models (step input)",
            [
                Trace(
                    "ALIF(): threshold 1 + adapt_scale * b",
                    lambda: snn.ALIF(),
                    step(0.4),
                    threshold=lambda record: 1.0 + 1.8 * record.b,
                    extra=("b",),
                ),
                Trace(
                    "LSNN(): threshold b",
                    lambda: snn.LSNN(),
                    step(1.0),
                    threshold=lambda record: record.b,
                ),
            ],
        ),
        "nonlinear": (
            "Nonlinear models (step input)",
            [
                Trace("QIF()", lambda: snn.QIF(), step(0.3)),
                Trace("EIF()", lambda: snn.EIF(), step(0.3)),
                Trace(
                    "AdaptiveQIF(b=0.5)",
                    lambda: snn.AdaptiveQIF(b=0.5),
                    step(0.5),
                    extra=("w",),
                ),
                Trace("AdEx()", lambda: snn.AdEx(), step(0.5), extra=("w",)),
                Trace(
                    "Izhikevich() (mV)",
                    lambda: snn.Izhikevich(),
                    step(15.0),
                    threshold=30.0,
                ),
            ],
        ),
        "recurrent": (
            "Recurrent LIF: one neuron with self-connection weight w (step input 0.3)",
            [
                Trace(
                    f"RecurrentLIF(weight=[{w}])",
                    lambda w=w: snn.RecurrentLIF(weight=jnp.array([w])),
                    step(0.3),
                )
                for w in (0.0, 0.5, -0.5)
            ],
        ),
        "trace": (
            "pysnn trace models (step input)",
            [
                Trace("TraceIF()", lambda: snn.TraceIF(), step(0.3), extra=("trace",)),
                Trace(
                    "TraceLIF()", lambda: snn.TraceLIF(), step(0.3), extra=("trace",)
                ),
                Trace(
                    "TraceALIF()",
                    lambda: snn.TraceALIF(),
                    step(0.2),
                    threshold=lambda record: record.thresh,
                    extra=("trace",),
                ),
            ],
        ),
        "multispike": (
            "Multi-spike and analog outputs (input ramp)",
            [
                Trace("MultiSpikeLIF()", lambda: snn.MultiSpikeLIF(), ramp_input(3.5)),
                Trace("LIAF()", lambda: snn.LIAF(), ramp_input(3.5)),
                Trace("KLIF()", lambda: snn.KLIF(), ramp_input(3.5)),
            ],
        ),
    }


FAMILIES = tuple(_families())


def _simulate(trace: Trace) -> tuple[np.ndarray, object]:
    neuron = trace.make()
    state = neuron.init_state(trace.xs.shape[1:], trace.xs.dtype)
    outputs, _, record = snn.run(neuron, trace.xs, state, record=True)
    return np.asarray(outputs[:, 0]), record


def _save(fig: Figure, path: pathlib.Path) -> pathlib.Path:
    """Write `fig` as PNG, leaving an identical file untouched.

    Leaving unchanged files alone keeps `mkdocs serve` from seeing a change and
    rebuilding forever.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def neuron_figure(family: str, out_dir: pathlib.Path = FIGURES) -> pathlib.Path:
    """Simulate every model of `family` and save `neurons-<family>.png`."""
    families = _families()
    if family not in families:
        raise ValueError(f"`family` must be one of {sorted(families)}; got {family!r}.")
    title, traces = families[family]
    fig = Figure(figsize=(7.0, 2.0 * len(traces) + 0.4), layout="constrained")
    axes = fig.subplots(
        2 * len(traces),
        1,
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1] * len(traces)},
    )
    t = np.arange(STEPS)
    for k, trace in enumerate(traces):
        outputs, record = _simulate(trace)
        ax_v, ax_out = axes[2 * k], axes[2 * k + 1]
        ax_v.plot(t, np.asarray(record.v[:, 0]), color="C0", label="v")
        for j, name in enumerate(trace.extra):
            values = np.asarray(getattr(record, name)[:, 0])
            ax_v.plot(t, values, color=f"C{j + 2}", lw=1.0, label=name)
        if callable(trace.threshold):
            threshold = np.asarray(trace.threshold(record)[:, 0])
            ax_v.plot(t, threshold, color="gray", ls="--", lw=0.8, label="threshold")
        elif trace.threshold is not None:
            ax_v.axhline(trace.threshold, color="gray", ls="--", lw=0.8)
        ax_v.set_title(trace.label, fontsize=9, loc="left")
        ax_v.legend(fontsize=7, loc="upper right", frameon=False)
        xs = np.asarray(trace.xs[:, 0])
        # the input is drawn scaled to a peak of 1, behind the outputs
        ax_out.fill_between(
            t, xs / np.abs(xs).max(), step="mid", color="0.85", label="input"
        )
        ax_out.vlines(t, 0.0, outputs, color="C3", lw=1.5, label="output")
        ax_out.set_yticks([])
        ax_out.legend(fontsize=7, loc="upper right", frameon=False, ncols=2)
    axes[-1].set_xlabel("time step")
    fig.suptitle(title, fontsize=10)
    return _save(fig, out_dir / f"neurons-{family}.png")


def _surrogates() -> list[tuple[str, snn.surrogate.AbstractSurrogate]]:
    s = snn.surrogate
    return [
        ("StraightThrough()", s.StraightThrough()),
        ("Sigmoid(slope=4)", s.Sigmoid()),
        ("FastSigmoid(slope=25)", s.FastSigmoid()),
        ("ATan(slope=2)", s.ATan()),
        ("Triangle(slope=1, width=1)", s.Triangle()),
        ("SingleExponential(width=0.5)", s.SingleExponential()),
        ("Gaussian(width=0.5)", s.Gaussian()),
        ("Boxcar(width=1)", s.Boxcar()),
        (
            "Custom(lambda x: 1 - tanh(3x)^2)",
            s.Custom(lambda x: 1 - jnp.tanh(3 * x) ** 2),
        ),
    ]


@eqx.filter_jit
def _surrogate_curves(
    surrogates: list[snn.surrogate.AbstractSurrogate], x: jax.Array
) -> tuple[list[jax.Array], list[jax.Array]]:
    """Forward step and backward derivative of each surrogate, in one program."""
    steps = [surrogate(x) for surrogate in surrogates]
    grads = [jax.vmap(jax.grad(surrogate))(x) for surrogate in surrogates]
    return steps, grads


def surrogate_figure(out_dir: pathlib.Path = FIGURES) -> pathlib.Path:
    """Plot each surrogate's gradient and forward step; save `surrogates.png`.

    The curve is `jax.grad` of the spike function, i.e. what backpropagation
    actually uses, not the formula evaluated separately.
    """
    x = jnp.linspace(-2.0, 2.0, 401)
    surrogates = _surrogates()
    cols = 3
    rows = -(-len(surrogates) // cols)
    fig = Figure(figsize=(8.0, 2.1 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True)
    steps, grads = _surrogate_curves([s for _, s in surrogates], x)
    for k, (ax, (label, _)) in enumerate(zip(axes.flat, surrogates, strict=False)):
        ax.plot(x, np.asarray(steps[k]), color="0.6", lw=1.0, label="H(x)")
        ax.plot(x, np.asarray(grads[k]), color="C0", label="backward")
        ax.set_title(label, fontsize=8)
        ax.axvline(0.0, color="0.85", lw=0.6)
    for ax in list(axes.flat)[len(surrogates) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, frameon=False, loc="upper left")
    for ax in axes[-1]:
        ax.set_xlabel("x = v - threshold")
    return _save(fig, out_dir / "surrogates.png")


def main(out_dir: pathlib.Path = FIGURES) -> list[pathlib.Path]:
    """Draw every figure into `out_dir`; return the paths written."""
    paths = [neuron_figure(family, out_dir) for family in FAMILIES]
    paths.append(surrogate_figure(out_dir))
    return paths


if __name__ == "__main__":
    target = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else FIGURES
    for written in main(target):
        print(written)
