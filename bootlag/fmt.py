"""How bootlag writes figures and tables as text: one module for the CLI, the report and the
notebook, so that a gap, a share or a count reads the same everywhere.

It imports nothing heavy (no pandas, no numpy): ``bootlag scan`` uses it before anything
else is loaded. Missing values (None, NaN, pandas NA/NaT) are all "missing" here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .formats import FORMATS

__all__ = ["WHOLE_SECOND_FORMATS", "aligned", "gap_text", "missing", "percent", "plural",
           "seconds"]

# Formats whose time stamps show whole seconds only (from the format registry).
WHOLE_SECOND_FORMATS = frozenset(f.name for f in FORMATS.values() if f.resolution_s >= 1)


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
             whole_second_formats: frozenset[str] | None = None, *, kind: object = None,
             error: object = None) -> str:
    """A gap in seconds as the tables show it: "25.418" exact (monotonic clock),
    "24.7±1.1" a wall-clock estimate (`kind` "estimate", the truth within `error` seconds,
    rounded up), "≥0.694" a wall-clock lower bound, "≥27" one read from whole-second time
    stamps only (`formats`: the ``format`` column, comma-separated; `whole_second_formats`,
    default `WHOLE_SECOND_FORMATS`, says which formats have whole seconds), "-" none. No
    digits the clock did not have."""
    if missing(gap):
        return "-"
    value = float(gap)  # type: ignore[arg-type]
    if str(clock) == "monotonic":
        return f"{value:.3f}"
    if str(kind) == "estimate" and not missing(error):
        bound = float(error)  # type: ignore[arg-type]
        digits = 0 if bound >= 10 else 1 if bound >= 0.1 else 3
        shown = math.ceil(bound * 10**digits - 1e-9) / 10**digits
        return f"{value:.{digits}f}±{shown:.{digits}f}"
    whole = whole_second_formats if whole_second_formats is not None else WHOLE_SECOND_FORMATS
    return f"≥{value:.0f}" if set(str(formats).split(",")) <= whole else f"≥{value:.3f}"


def gap_cells(boots: Any) -> list[str]:
    """`gap_text` of every row of a boots table (anything with its columns)."""
    def column(name: str) -> list[object]:
        return list(boots[name]) if name in boots else [None] * len(boots)

    return [gap_text(gap, clock, formats, kind=kind, error=error)
            for gap, clock, formats, kind, error in zip(
                column("gap_s"), column("clock"), column("format"), column("gap_kind"),
                column("gap_error_s"), strict=True)]


def seconds(value: object, digits: int = 1) -> str:
    """Seconds as "25.4 s", "-" when missing."""
    return "-" if missing(value) else f"{float(value):.{digits}f} s"  # type: ignore[arg-type]


def percent(share: object) -> str:
    """A share (0-1) as a whole percentage, "97%"; "-" when missing."""
    return "-" if missing(share) else f"{float(share):.0%}"  # type: ignore[arg-type]


def aligned(cells: Sequence[Sequence[str]], right: Sequence[bool],
            width: int | None = None) -> str:
    """Rows of cells (the first row: the header) as text columns two spaces apart, column i
    right-aligned if right[i]; no trailing spaces. (rich's tables were weighed: they cost
    ~40 ms of start-up and four packages for what this does.)

    With `width` (characters, e.g. the terminal's), a table wider than that wraps its last
    column onto continuation lines when it is words, or, when the other columns alone
    leave it fewer than `MIN_LAST_COLUMN` characters, becomes one "header: value" block
    per row; no line is then longer than `width` unless a single value is.
    """
    widths = [max(len(row[i]) for row in cells) for i in range(len(right))]
    if width is None or sum(widths) + 2 * (len(widths) - 1) <= width:
        return _lines(cells, widths, right)
    room = width - sum(widths[:-1]) - 2 * (len(widths) - 1)
    if not right[-1] and room >= MIN_LAST_COLUMN:
        return _lines(_wrapped(cells, room), [*widths[:-1], room], right)
    return _records(cells, width)


MIN_LAST_COLUMN = 20  # characters: a wrapped last column narrower than this reads badly


def _lines(cells: Sequence[Sequence[str]], widths: Sequence[int], right: Sequence[bool]) -> str:
    return "\n".join("  ".join(c.rjust(w) if r else c.ljust(w)
                               for c, w, r in zip(row, widths, right, strict=True)).rstrip()
                     for row in cells)


def _wrapped(cells: Sequence[Sequence[str]], room: int) -> list[list[str]]:
    """`cells` with each last cell wrapped at `room` characters onto rows of its own."""
    import textwrap

    out: list[list[str]] = []
    for row in cells:
        pieces = textwrap.wrap(row[-1], room, break_on_hyphens=False) or [""]
        out.append([*row[:-1], pieces[0]])
        out += [[""] * (len(row) - 1) + [piece] for piece in pieces[1:]]
    return out


def _records(cells: Sequence[Sequence[str]], width: int) -> str:
    """One block per row: a "header  value" line per non-empty cell (values wrapped at
    `width`), blank-line separated."""
    import textwrap

    header, *rows = cells
    pad = max(len(h) for h in header)
    blocks = []
    for row in rows:
        lines = []
        for name, value in zip(header, row, strict=True):
            if value:  # an empty cell says nothing: left out
                lines.append(textwrap.fill(value, max(width, pad + 12),
                                           initial_indent=name.ljust(pad) + "  ",
                                           subsequent_indent=" " * (pad + 2),
                                           break_on_hyphens=False))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
