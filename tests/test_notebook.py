"""notebooks/explore.ipynb: committed with its outputs, and it runs on a real Jupyter kernel
from any directory, showing the tables as `bootlag summary` does."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_notebook", ROOT / "tools" / "make_notebook.py")
make_notebook = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(make_notebook)  # type: ignore[union-attr]

CHART_CELLS = ("plot.gaps(", "plot.ecdf(", "plot.hosts(", "plot.over_time(", "plot.timeline(")


def _outputs(notebook: nbformat.NotebookNode, start: str) -> list:
    return next(c.outputs for c in notebook.cells if c.source.startswith(start))


def _shown(notebook: nbformat.NotebookNode, start: str) -> str:
    """The HTML a cell displayed (its last output: a table)."""
    return _outputs(notebook, start)[-1]["data"]["text/html"]


def _check(notebook: nbformat.NotebookNode) -> None:
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.outputs for c in code), "every code cell shows something"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    for start in CHART_CELLS:
        shown = _outputs(notebook, start)
        assert any("image/png" in o.get("data", {}) for o in shown), start
    findings = "".join(o.get("text", "") for o in _outputs(notebook, "for sentence in"))
    assert "84 boots on 14 hosts" in findings and "Early kdump shortened the median gap" in findings
    # Shares in percent and gaps in seconds, under the names bootlag summary prints.
    exposure = _shown(notebook, 'print(shown["exposure"].note)')
    assert "97%" in exposure and "25.4 s" in exposure and "unprotected at 10 s" in exposure
    assert "0.971429" not in exposure and "armed_share" not in exposure
    comparison = _shown(notebook, 'shown["comparison"].table')
    assert "early kdump" in comparison and "25.5 s" in comparison
    assert "baseline_s" not in comparison and "candidate_s" not in comparison
    # Gaps as bootlag scan writes them: three decimals exact, ≥ for a lower bound, - for none.
    boots = _shown(notebook, "import os")
    assert "13.602" in boots and "13.601905" not in boots
    drill = _shown(notebook, "problems = stats.problem_hosts(boots)")
    assert "kexec: failed to load early-kdump kernel" in drill  # db-03's failed last boot


def test_every_chart_follows_a_sentence_saying_what_to_look_at():
    for i, (kind, source) in enumerate(make_notebook.CELLS):
        if kind == "code" and source.startswith(CHART_CELLS):
            before_kind, before = make_notebook.CELLS[i - 1]
            assert before_kind == "markdown" and len(before.split()) >= 12, source


def test_committed_notebook_is_the_generators_and_was_run():
    committed = nbformat.read(make_notebook.NOTEBOOK, as_version=4)
    nbformat.validate(committed)  # what GitHub's renderer expects
    assert [(c.cell_type, c.source) for c in committed.cells] == make_notebook.CELLS, \
        "notebooks/explore.ipynb is out of date: run python tools/make_notebook.py"
    _check(committed)


def test_notebook_runs_top_to_bottom_on_a_kernel_from_another_directory(tmp_path,
                                                                         monkeypatch):
    monkeypatch.delenv("BOOTLAG_SAMPLE_LOGS", raising=False)
    _check(make_notebook.run(make_notebook.build(), cwd=tmp_path))  # not notebooks/


def test_the_first_cell_takes_the_sample_logs_from_the_environment(tmp_path, monkeypatch):
    logs = tmp_path / "mine"
    logs.mkdir()
    shutil.copy(ROOT / "sample_logs" / "db-03.json.gz", logs)
    monkeypatch.setenv("BOOTLAG_SAMPLE_LOGS", str(logs))
    monkeypatch.chdir(tmp_path)
    first = next(source for kind, source in make_notebook.CELLS if kind == "code")
    space: dict = {}
    exec(compile(first, "cell-1", "exec"), space)
    assert space["sample_logs"]() == logs
    assert space["boots"]["host"].unique().tolist() == ["db-03"]
    monkeypatch.delenv("BOOTLAG_SAMPLE_LOGS")
    assert space["sample_logs"]() == ROOT / "sample_logs"  # next to the bootlag imported
