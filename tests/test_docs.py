"""The documentation: figure generator and API references."""

import importlib
import importlib.util
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "snnjax_docs_gen_figures", DOCS / "gen_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_figures = _load_generator()


def _resolve(dotted: str) -> object:
    """Import the longest module prefix of `dotted`, then walk attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


REFERENCES = sorted(
    {
        (page.name, match)
        for page in PAGES
        for match in re.findall(r"^::: (snnjax[\w.]*)\s*$", page.read_text(), re.M)
    }
)


def test_references_found():
    # guards the regex: the API reference has dozens of entries
    assert len(REFERENCES) > 50


@pytest.mark.parametrize("page,dotted", REFERENCES)
def test_reference_resolves(page, dotted):
    try:
        _resolve(dotted)
    except (AttributeError, ModuleNotFoundError) as err:
        pytest.fail(f"docs/{page}: `::: {dotted}` does not resolve ({err})")


def test_neuron_figure(tmp_path):
    path = gen_figures.neuron_figure("adaptive", tmp_path)
    assert path == tmp_path / "neurons-adaptive.png"
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_surrogate_figure(tmp_path):
    path = gen_figures.surrogate_figure(tmp_path)
    assert path == tmp_path / "surrogates.png"
    assert path.read_bytes()[:8] == PNG_MAGIC


def _tiny_figure():
    fig = gen_figures.Figure(figsize=(1, 1))
    fig.subplots().plot([0, 1], [0, 1])
    return fig


def test_unchanged_figure_is_not_rewritten(tmp_path):
    # identical bytes leave the file alone, so `mkdocs serve` does not see a
    # change after each build and rebuild forever
    path = gen_figures._save(_tiny_figure(), tmp_path / "tiny.png")
    mtime = path.stat().st_mtime_ns
    gen_figures._save(_tiny_figure(), path)
    assert path.stat().st_mtime_ns == mtime


def test_neuron_figure_rejects_unknown_family(tmp_path):
    with pytest.raises(ValueError, match=r"`family` must be one of .*got 'lfi'"):
        gen_figures.neuron_figure("lfi", tmp_path)


def test_pages_use_only_generated_figures():
    produced = {f"neurons-{f}.png" for f in gen_figures.FAMILIES} | {"surrogates.png"}
    used = {
        name
        for page in PAGES
        for name in re.findall(r"figures/([\w.-]+\.png)", page.read_text())
    }
    assert used, "no page shows a generated figure"
    assert used <= produced, sorted(used - produced)


def _case_ids() -> set[str]:
    ids = set()
    for manifest in (ROOT / "tests" / "conformance" / "data").glob("cases*.json"):
        ids |= {case["id"] for case in json.loads(manifest.read_text())["cases"]}
    return ids


def _reference_cells() -> list[tuple[str, str]]:
    """The last cell of every row of a table headed `... | reference case(s) |`."""
    cells = []
    for page in PAGES:
        in_table = False
        for line in page.read_text().splitlines():
            if not line.startswith("|"):
                in_table = False
            elif re.match(r"\|.*\| reference cases? \|$", line):
                in_table = True
            elif in_table and not line.startswith("|---"):
                cells.append((page.name, line.rstrip(" |").rsplit("|", 1)[-1]))
    return cells


def test_migration_rows_name_real_conformance_cases():
    ids, cells = _case_ids(), _reference_cells()
    named = [
        (page, token)
        for page, cell in cells
        for token in re.findall(r"`([\w/.]+)`", cell)
    ]
    cases = [
        (p, t) for p, t in named if re.fullmatch(r"(snn|sj|norse|sinabs|pysnn)_\w+", t)
    ]
    assert len(cases) > 40, "the migration tables name too few conformance cases"
    missing = [(p, t) for p, t in cases if t not in ids]
    assert not missing, f"migration rows name unknown conformance cases: {missing}"
    files = [(p, t) for p, t in named if t.endswith(".py")]
    assert all((ROOT / t).exists() for _, t in files), files
