"""How bootlag writes figures and tables as text: one module for the CLI, the report and the
notebook, so that a gap, a share or a count reads the same everywhere.

It imports nothing heavy (no pandas, no numpy): ``bootlag scan`` uses it before anything
else is loaded. Missing values (None, NaN, pandas NA/NaT) are all "missing" here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["WHOLE_SECOND_FORMATS", "aligned", "gap_text", "missing", "percent", "plural",
           "seconds"]

# journalctl outputs whose time stamps have whole seconds only (syslog files read as "short").
WHOLE_SECOND_FORMATS = frozenset({"short", "short-iso", "short-full"})


def missing(value: object) -> bool:
    """True for None, NaN and pandas' NA and NaT: anything that is not a number to show."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):  # pd.NA and pd.NaT refuse float(); so does text
        return type(value).__name__ in ("NAType", "NaTType")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """"1 boot", "2 boots", "0 boots"; `nouns` where the plural is not noun + "s"."""
    count = int(count)
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def gap_text(gap: object, clock: object, formats: object = None,
             whole_second_formats: frozenset[str] | None = None) -> str:
    """A gap in seconds as the tables show it: "25.418" exact (monotonic clock), "≥0.694" a
    wall-clock lower bound, "≥27" one read from whole-second time stamps only (`formats`:
    the ``format`` column, comma-separated; `whole_second_formats`, default
    `WHOLE_SECOND_FORMATS`, says which formats have whole seconds), "-" none. No digits the
    clock did not have."""
    if missing(gap):
        return "-"
    value = float(gap)  # type: ignore[arg-type]
    if str(clock) == "monotonic":
        return f"{value:.3f}"
    whole = whole_second_formats if whole_second_formats is not None else WHOLE_SECOND_FORMATS
    return f"≥{value:.0f}" if set(str(formats).split(",")) <= whole else f"≥{value:.3f}"


def seconds(value: object, digits: int = 1) -> str:
    """Seconds as "25.4 s", "-" when missing."""
    return "-" if missing(value) else f"{float(value):.{digits}f} s"  # type: ignore[arg-type]


def percent(share: object) -> str:
    """A share (0-1) as a whole percentage, "97%"; "-" when missing."""
    return "-" if missing(share) else f"{float(share):.0%}"  # type: ignore[arg-type]


def aligned(cells: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """Rows of cells (the first row: the header) as text columns two spaces apart, column i
    right-aligned if right[i]; no trailing spaces. (rich's tables were weighed: they cost
    ~40 ms of start-up and four packages for what these six lines do.)"""
    widths = [max(len(row[i]) for row in cells) for i in range(len(right))]
    return "\n".join("  ".join(c.rjust(w) if r else c.ljust(w)
                               for c, w, r in zip(row, widths, right, strict=True)).rstrip()
                     for row in cells)
