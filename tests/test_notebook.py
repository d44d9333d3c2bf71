"""notebooks/explore.ipynb: committed with its outputs, and it runs on a real Jupyter kernel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_notebook", ROOT / "tools" / "make_notebook.py")
make_notebook = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(make_notebook)  # type: ignore[union-attr]

CHART_CELLS = ("plot.gaps(", "plot.ecdf(", "plot.hosts(", "plot.over_time(", "plot.timeline(")


def _outputs(notebook: nbformat.NotebookNode, start: str) -> list:
    return next(c.outputs for c in notebook.cells if c.source.startswith(start))


def _check(notebook: nbformat.NotebookNode) -> None:
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.outputs for c in code), "every code cell shows something"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    for start in CHART_CELLS:
        shown = _outputs(notebook, start)
        assert any("image/png" in o.get("data", {}) for o in shown), start
    findings = "".join(o.get("text", "") for o in _outputs(notebook, "for sentence in"))
    assert "boots on" in findings and "Early kdump shortened the median gap" in findings
    exposure = _outputs(notebook, "stats.exposure(boots)")[0]["data"]["text/html"]
    assert "fleet" in exposure and "median_s" in exposure


def test_committed_notebook_is_the_generators_and_was_run():
    committed = nbformat.read(make_notebook.NOTEBOOK, as_version=4)
    nbformat.validate(committed)  # what GitHub's renderer expects
    assert [(c.cell_type, c.source) for c in committed.cells] == make_notebook.CELLS, \
        "notebooks/explore.ipynb is out of date: run python tools/make_notebook.py"
    _check(committed)


def test_notebook_runs_top_to_bottom_on_a_kernel():
    _check(make_notebook.run(make_notebook.build()))
