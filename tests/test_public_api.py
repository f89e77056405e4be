"""The public API: every name documented, with equations and references."""

import inspect
import pathlib

import pytest

import snnjax
import snnjax.compat.snntorch
import snnjax.compat.spikingjelly.activation_based.neuron as sj_neuron
import snnjax.compat.spikingjelly.activation_based.surrogate as sj_surrogate
import snnjax.surrogate

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = "\n".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))

TOP_LEVEL = [n for n in snnjax.__all__ if n != "__version__"]
SURROGATES = [n for n in snnjax.surrogate.__all__ if n != "SuperSpike"]
NEURONS = ["IF", "LIF", "LI", "Synaptic"]


def test_version():
    assert isinstance(snnjax.__version__, str) and snnjax.__version__


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_names_have_docstrings_and_docs(name):
    obj = getattr(snnjax, name)
    assert inspect.getdoc(obj), f"snnjax.{name} has no docstring"
    if inspect.ismodule(obj):
        assert f"snnjax.{name}" in DOCS
    else:
        assert f"::: snnjax.{name}\n" in DOCS, f"no `::: snnjax.{name}` in docs/"


@pytest.mark.parametrize("name", SURROGATES)
def test_surrogates_documented(name):
    obj = getattr(snnjax.surrogate, name)
    doc = inspect.getdoc(obj)
    assert doc, name
    assert f"::: snnjax.surrogate.{name}\n" in DOCS
    if inspect.isclass(obj) and name not in ("AbstractSurrogate",):
        assert "$$" in doc, f"{name}: the derivative formula belongs in the docstring"


@pytest.mark.parametrize("name", NEURONS)
def test_neuron_docstrings_have_equations_and_references(name):
    doc = inspect.getdoc(getattr(snnjax, name))
    assert "$$" in doc and "References:" in doc and "Examples:" in doc


@pytest.mark.parametrize(
    "module,names",
    [
        (snnjax.compat.snntorch, ["Leaky", "Synaptic"]),
        (snnjax.compat.snntorch.surrogate, snnjax.compat.snntorch.surrogate.__all__),
        (sj_neuron, sj_neuron.__all__),
        (sj_surrogate, sj_surrogate.__all__),
    ],
)
def test_compat_names_documented(module, names):
    assert inspect.getdoc(module)
    for name in names:
        assert inspect.getdoc(getattr(module, name)), f"{module.__name__}.{name}"
    # compat modules are documented as a whole (or per name)
    assert f"::: {module.__name__}" in DOCS
