"""Write and run notebooks/explore.ipynb, the tour of bootlag on sample_logs/.

    python tools/make_notebook.py

The cells are kept here, as text a reviewer can diff; the notebook is then run
top to bottom on a real Jupyter kernel and saved with its outputs, so that it
reads (charts included) on GitHub. tests/test_notebook.py runs it again and
checks its cells are these.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"

CELLS: list[tuple[str, str]] = [
    ("markdown", """\
# Exploring a fleet's crash-kernel protection gaps

Each row bootlag finds is one boot. Its **gap** is the time from kernel start until a crash
kernel was loaded: a panic inside it leaves no vmcore. Plain kdump arms late in boot, from
the kdump service; early kdump (`rd.earlykdump`) arms from the initramfs.

This notebook walks through the bundled `sample_logs/` (journals of a small fleet in eight
formats): load the boots, answer three questions (how exposed is the fleet, what does early
kdump buy, which hosts are the problem), draw each chart, and drill into one host."""),
    ("code", """\
from pathlib import Path

import pandas as pd

import bootlag
from bootlag import plot, report, stats

pd.set_option("display.max_columns", 12)
boots = bootlag.scan([Path("..") / "sample_logs"])
boots[["host", "kernel_start", "gap_s", "mode", "status", "clock", "format"]].head(8)"""),
    ("markdown", """\
## The boots

One row per boot, every boot found: armed, failed, never armed, or `unknown` when the log
does not cover the part of the boot where arming happens. `clock` says how far to trust a
gap: `monotonic` gaps are exact; `realtime` gaps come from wall-clock text and are lower
bounds. `bootlag.COLUMNS` documents every column."""),
    ("code", """\
pd.crosstab(boots["mode"], [boots["status"], boots["clock"]])"""),
    ("code", """\
pd.Series(bootlag.COLUMNS, name="meaning").to_frame().head(12)"""),
    ("markdown", """\
## 1. How exposed is the fleet?

`stats.exposure` groups boots by their **setup** (what they were set up to do), so boots that
failed or never armed still count. Gap figures use exact gaps only (seconds); wall-clock
lower bounds are counted apart."""),
    ("code", """\
stats.exposure(boots)[["boots", "hosts", "armed_share", "failed_share", "not_armed_share",
                       "median_s", "p90_s", "max_s", "lower_bounds"]]"""),
    ("markdown", """\
## 2. What does early kdump buy?

`stats.compare` compares the gaps of boots armed by early kdump and by the kdump service,
with 95% bootstrap intervals (hosts are resampled with all their boots when each side has
at least five hosts). `stats.paired_hosts` is the before/after view of hosts that booted
under both."""),
    ("code", """\
stats.compare(boots)[["baseline_s", "candidate_s", "difference_s", "difference_s_low",
                      "difference_s_high", "ratio", "method"]]"""),
    ("code", """\
stats.paired_hosts(boots)"""),
    ("code", """\
plot.gaps(boots);"""),
    ("code", """\
plot.ecdf(boots);"""),
    ("code", """\
plot.hosts(boots);"""),
    ("code", """\
plot.over_time(boots);"""),
    ("markdown", """\
## 3. Which hosts are the problem?"""),
    ("code", """\
stats.problem_hosts(boots)[["boots", "failed", "not_armed", "early_not_armed", "max_gap_s",
                            "problems"]]"""),
    ("markdown", """\
## Drilling into one host

The first problem host with early kdump configured: its boots, and where in each boot the
crash kernel was loaded (systemd's "Startup finished" gives the kernel, initrd and userspace
phases)."""),
    ("code", """\
problems = stats.problem_hosts(boots)
host = problems.index[problems["early_not_armed"] > 0][0]
boots.loc[boots["host"] == host, ["kernel_start", "gap_s", "mode", "status", "rd_earlykdump",
                                  "early_kdump_enabled", "failure"]]"""),
    ("code", """\
plot.timeline(boots, host=host);"""),
    ("code", """\
stats.phase_summary(boots)"""),
    ("markdown", """\
The same answers in sentences, as the report opens with them:"""),
    ("code", """\
for sentence in report.findings(boots):
    print("-", sentence)"""),
    ("markdown", """\
## Bring your own journals

Collect from each host (the monotonic clock makes every gap exact):

```sh
journalctl -o export | gzip > "$(hostname).export.gz"
```

then point `bootlag.scan` at the files, directories, globs or sosreports:

```python
boots = bootlag.scan(["/srv/collected/"], tz="Europe/Berlin")  # tz: for local-time text
report.write(boots, "report.html")                             # one self-contained file
```

From a shell, `bootlag summary /srv/collected/` prints the tables and
`bootlag report /srv/collected/ -o report.html` writes the report."""),
]


def build() -> nbformat.NotebookNode:
    """The notebook's cells, not yet run."""
    notebook = nbformat.v4.new_notebook()
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    notebook.cells = [make[kind](source) for kind, source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


def run(notebook: nbformat.NotebookNode, timeout: int = 300) -> nbformat.NotebookNode:
    """Run every cell on a fresh Python kernel, in the notebooks/ directory."""
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return notebook


def main() -> None:
    notebook = run(build())
    for cell in notebook.cells:  # stable files: ids from position, no run times
        cell.id = f"cell-{notebook.cells.index(cell)}"
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")


if __name__ == "__main__":
    main()
