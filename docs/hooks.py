"""mkdocs hooks: draw the figures from the code before every build."""

import importlib.util
import pathlib


def on_pre_build(config, **kwargs):
    """Run `docs/gen_figures.py` so the figures always match the library."""
    path = pathlib.Path(__file__).resolve().parent / "gen_figures.py"
    spec = importlib.util.spec_from_file_location("snnjax_docs_gen_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
