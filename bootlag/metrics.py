"""The boots table as Prometheus metrics, for node_exporter's textfile collector.

`text` renders the Prometheus text exposition format (version 0.0.4, what
the textfile collector reads: no timestamps, no ``# EOF``); `write` puts it
in place atomically, so a scrape never sees half a file. Per host, its latest
boot (capture-kernel boots left out):

* ``bootlag_gap_seconds``: seconds from kernel start to the crash kernel's
  load (only when known; a wall-clock gap, ``clock="realtime"``, is a lower bound);
* ``bootlag_armed``: 1 when a crash kernel was loaded, else 0;
* ``bootlag_kernel_start_timestamp_seconds``: the boot's kernel start, Unix
  seconds (only when the format places it on the calendar);

each labelled ``host``, ``boot_id``, ``mode`` and ``status``. Over every boot of
the fleet, ``bootlag_fleet_gap_seconds`` is a histogram of the exact gaps by
``mode`` (buckets in seconds), and ``bootlag_boots`` counts boots by ``status``.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterable, Sequence

import pandas as pd

from .filters import latest

# Histogram bounds in seconds: early kdump arms in 1-5 s, the kdump service in 15-40 s.
BUCKETS: tuple[float, ...] = (1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300)

_HELP = {
    "bootlag_gap_seconds": ("gauge", "Seconds from kernel start until a crash kernel was "
                            "loaded, latest boot per host (clock=realtime: a lower bound)."),
    "bootlag_armed": ("gauge", "1 if a crash kernel was loaded in the host's latest boot, "
                      "else 0."),
    "bootlag_kernel_start_timestamp_seconds": ("gauge", "Kernel start of the host's latest "
                                               "boot, Unix time in seconds."),
    "bootlag_fleet_gap_seconds": ("histogram", "Exact (monotonic) protection gaps of every "
                                  "boot read, in seconds, by what armed it."),
    "bootlag_boots": ("gauge", "Boots read, by status."),
}


def _escape(value: object) -> str:
    """A label value as the text format wants it: backslash, quote and newline escaped."""
    text = "" if value is None or value is pd.NA or value is pd.NaT else str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: Iterable[tuple[str, object]]) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _family(name: str, samples: Sequence[str]) -> list[str]:
    kind, help_text = _HELP[name]
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def text(boots: pd.DataFrame, buckets: Sequence[float] = BUCKETS) -> str:
    """The metrics of `boots` in the Prometheus text format, ending in one newline."""
    last = latest(boots)
    gap, armed, start = [], [], []
    for _, boot in last.iterrows():
        labels = [("host", boot["host"]), ("boot_id", boot["boot_id"]),
                  ("mode", boot["mode"]), ("status", boot["status"])]
        armed.append(f"bootlag_armed{_labels(labels)} {int(boot['status'] == 'armed')}")
        if pd.notna(boot["gap_s"]):
            gap.append(f"bootlag_gap_seconds{_labels([*labels, ('clock', boot['clock'])])} "
                       f"{_number(boot['gap_s'])}")
        if pd.notna(boot["kernel_start"]):
            start.append(f"bootlag_kernel_start_timestamp_seconds{_labels(labels[:2])} "
                         f"{_number(round(boot['kernel_start'].timestamp(), 6))}")
    lines = [*_family("bootlag_gap_seconds", gap), *_family("bootlag_armed", armed),
             *_family("bootlag_kernel_start_timestamp_seconds", start),
             *_family("bootlag_fleet_gap_seconds", _histogram(boots, buckets)),
             *_family("bootlag_boots", [f"bootlag_boots{_labels([('status', s)])} {n}"
                                        for s, n in sorted(boots["status"].value_counts()
                                                           .items())])]
    return "\n".join(lines) + "\n"


def _histogram(boots: pd.DataFrame, buckets: Sequence[float]) -> list[str]:
    """Cumulative buckets, sum and count of the exact gaps, one series per mode."""
    regular = boots[~boots["capture_kernel"].fillna(False).astype(bool)]
    exact = regular[(regular["clock"] == "monotonic").fillna(False).astype(bool)
                    & regular["gap_s"].notna()]
    samples = []
    for mode, group in sorted(exact.groupby("mode"), key=lambda item: str(item[0])):
        gaps = group["gap_s"].astype(float)
        for bound in [*sorted(buckets), math.inf]:
            labels = _labels([("mode", mode), ("le", _number(bound))])
            samples.append(f"bootlag_fleet_gap_seconds_bucket{labels} {int((gaps <= bound).sum())}")
        samples.append(f"bootlag_fleet_gap_seconds_sum{_labels([('mode', mode)])} "
                       f"{_number(round(float(gaps.sum()), 6))}")
        samples.append(f"bootlag_fleet_gap_seconds_count{_labels([('mode', mode)])} {len(gaps)}")
    return samples


def write(boots: pd.DataFrame, path: str | os.PathLike[str]) -> str:
    """Write `text(boots)` to `path` atomically; returns the path written.

    The text goes to a temporary file in the same directory (so the rename
    cannot cross filesystems), is flushed to disk, made world-readable (0644,
    node_exporter runs as its own user) and renamed over `path` with
    `os.replace`: a scrape sees the old file or the new one, never a part.
    """
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".bootlag-", suffix=".prom.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text(boots))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target

