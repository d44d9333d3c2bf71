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
kdump buy, which hosts are the problem), draw each chart, and drill into one host. The tables
are the ones `bootlag summary` prints, with the same names, shares in percent and gaps in
seconds; `bootlag.stats` gives the same figures as plain numbers for your own computing.

It runs from any directory: the first cell finds `sample_logs/` next to the bootlag it
imports (or set `BOOTLAG_SAMPLE_LOGS` to its path)."""),
    ("code", """\
import os
from pathlib import Path

import pandas as pd

import bootlag
from bootlag import fmt, plot, report, stats


def sample_logs() -> Path:
    \"\"\"The bundled sample fleet: $BOOTLAG_SAMPLE_LOGS, else sample_logs/ in the repository
    bootlag was installed from (pip install -e), else here or in a directory above.\"\"\"
    if os.environ.get("BOOTLAG_SAMPLE_LOGS"):
        return Path(os.environ["BOOTLAG_SAMPLE_LOGS"])
    here = Path.cwd()
    for where in (Path(bootlag.__file__).resolve().parent.parent, here, *here.parents):
        if (where / "sample_logs").is_dir():
            return where / "sample_logs"
    raise FileNotFoundError("no sample_logs/ here: set BOOTLAG_SAMPLE_LOGS to its path")


pd.set_option("display.max_columns", 16)
boots = bootlag.scan([sample_logs()])
found = report.tables(boots)           # the statistics, as numbers (bootlag summary --json)
shown = report.display_tables(found)   # the same as bootlag summary prints them


def as_cli(frame: pd.DataFrame) -> pd.DataFrame:
    \"\"\"Boots with their gap written as `bootlag scan` writes it: 25.418 exact, ≥0.694 a
    wall-clock lower bound, - none.\"\"\"
    gaps = [fmt.gap_text(g, c, f)
            for g, c, f in zip(frame.gap_s, frame.clock, frame.format, strict=True)]
    return frame.assign(gap_s=gaps, boot=frame.boot_id.str.slice(0, 8))


as_cli(boots)[["host", "boot", "kernel_start", "gap_s", "mode", "status", "clock"]].head(8)"""),
    ("markdown", """\
## The boots

One row per boot, every boot found: armed, failed, never armed (`not-armed`), or `unknown`
when the log does not cover the part of the boot where arming happens. `clock` says how far
to trust a gap: `monotonic` gaps are exact; `realtime` gaps come from wall-clock text and are
lower bounds (shown with ≥). `gap_s` is in seconds; `bootlag.COLUMNS` documents every
column."""),
    ("code", """\
pd.crosstab(boots["mode"], [boots["status"], boots["clock"]])"""),
    ("code", """\
pd.Series(bootlag.COLUMNS, name="meaning").to_frame().head(12)"""),
    ("markdown", """\
## 1. How exposed is the fleet?

Boots grouped by their **setup** (what they were set up to do), so boots that failed or
never armed still count. Gap figures use exact and estimated gaps; wall-clock lower
bounds are counted apart. Look at "unprotected at 10 s": the share of boots still without a crash
kernel 10 s after kernel start."""),
    ("code", """\
print(shown["exposure"].note)
shown["exposure"].table"""),
    ("markdown", """\
The same figures as numbers, for computing: shares from 0 to 1, gaps in seconds."""),
    ("code", """\
exposure = stats.exposure(boots)
print(f"{exposure.loc['fleet', 'armed_share']:.0%} of the fleet's boots armed; boots set up "
      f"for kdump were unprotected 10 s after kernel start in "
      f"{exposure.loc['kdump', 'unprotected_10s_share']:.0%} of cases.")"""),
    ("markdown", """\
## 2. What does early kdump buy?

Boots armed by early kdump against boots armed by the kdump service, with 95% bootstrap
intervals (hosts are resampled with all their boots when each side has at least five
hosts). The first row is the headline median; the per-host row is the before/after of the
hosts that booted both ways."""),
    ("code", """\
shown["comparison"].table"""),
    ("code", """\
shown["paired_hosts"].table"""),
    ("markdown", """\
Every boot's gap by what armed it: look at how far apart the two boxes sit. Filled dots
are exact or estimated gaps; hollow triangles beside a box are wall-clock lower bounds,
kept out of it."""),
    ("code", """\
plot.gaps(boots);"""),
    ("markdown", """\
The share of boots protected t seconds after kernel start, by setup. Read across at 50%:
where a line crosses it is when half of those boots were protected. A line that stops short
of 100% has boots that failed or never armed."""),
    ("code", """\
plot.ecdf(boots);"""),
    ("markdown", """\
One line per host that switched: its median gap with kdump (orange) and with early kdump
(blue). The longer the line, the more early kdump saved that host."""),
    ("code", """\
plot.hosts(boots);"""),
    ("markdown", """\
Every boot by date: look for the orange dots giving way to blue ones near the bottom as hosts
switch. Crosses in the band along the top are boots that failed or never armed."""),
    ("code", """\
plot.over_time(boots);"""),
    ("markdown", """\
## 3. Which hosts are the problem?

Worst first. `stats.problem_hosts` gives the counts and a code per kind of problem (`kinds`);
the report says them in words."""),
    ("code", """\
shown["problem_hosts"].table"""),
    ("markdown", """\
## Drilling into one host

The first problem host with early kdump configured but not armed early: its boots, and where
in each boot the crash kernel was loaded (systemd's "Startup finished" gives the kernel,
initrd and userspace phases)."""),
    ("code", """\
problems = stats.problem_hosts(boots)
host = problems.index[problems["kinds"].str.contains("early-not-armed")][0]
mine = boots[boots["host"] == host]
as_cli(mine).assign(failures=report.failure_texts(mine))[
    ["kernel_start", "gap_s", "mode", "status", "rd_earlykdump", "early_kdump_enabled",
     "failures"]]"""),
    ("markdown", """\
Look at where each boot's dot sits: in userspace, armed late by the kdump service, although
`rd.earlykdump` is set. Without the sky-blue "early-kdump enabled" mark, the initramfs has no
early-kdump module; the cross is a boot whose arming failed."""),
    ("code", """\
plot.timeline(boots, host=host);"""),
    ("code", """\
shown["phases"].table"""),
    ("markdown", """\
The same answers in sentences, as `bootlag summary` and the report open with them:"""),
    ("code", """\
for sentence in report.findings(boots, found):
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


def run(notebook: nbformat.NotebookNode, timeout: int = 300,
        cwd: Path = NOTEBOOK.parent) -> nbformat.NotebookNode:
    """Run every cell on a fresh Python kernel whose working directory is `cwd` (default
    notebooks/; the notebook finds sample_logs/ from anywhere)."""
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
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
