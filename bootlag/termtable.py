"""Text tables that fit a terminal, and colour only where it is wanted.

`layout` lays out rows of cells (strings) in columns two spaces apart and
fits them into a width in characters: first by wrapping the last column when
it is text (the scan's ``note``), then by leaving out the columns the caller
can spare (after the first one, moving the last column onto lines of its own
under each row is preferred to losing more), and, for wide tables of
figures, by cutting the table into blocks of columns that each fit, the
first (label) column repeated. No pandas: plain strings in, one string out.

Why not ``rich`` (weighed for issue 13): importing it costs little (about
30 ms for rich 15), but it would be a new runtime dependency, with pygments
and markdown-it, on every host that runs ``check`` or ``metrics``; its tables
shrink every column and cut cells with an ellipsis, where this table must
keep the columns an operator scans (host, kernel start, gap, status) and
give up the loader and boot id first, and never lose a word of the note.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import TextIO

MIN_WRAP = 16  # a wrapped last column narrower than this reads badly: try the next step
Style = Callable[[int, int, str], str]  # (row, column, padded cell text) -> text to print

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "dim": "2", "bold": "1"}


def width(stream: TextIO) -> int | None:
    """The width to fit in: ``COLUMNS`` when set, else the terminal's, else None (no limit:
    a table written to a file or a pipe keeps its lines whole)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if _isatty(stream):
        return shutil.get_terminal_size().columns
    return None


def use_colour(stream: TextIO, disabled: bool = False) -> bool:
    """Colour only on a terminal, and never with ``--no-color`` or ``NO_COLOR`` set
    (https://no-color.org) or ``TERM=dumb``."""
    if disabled or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return _isatty(stream)


def paint(text: str, colour: str) -> str:
    """`text` in an ANSI colour (``red``, ``green``, ``yellow``, ``dim``, ``bold``)."""
    return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def layout(cells: Sequence[Sequence[str]], right: Sequence[bool], limit: int | None = None, *,
           spare: Sequence[int] = (), below: bool = False, style: Style | None = None) -> str:
    """`cells` (the header first) as aligned text no wider than `limit` where possible.

    right
        Per column, whether it is right-aligned (figures).
    spare
        Columns that may be left out, in this order, when the table is too wide.
    below
        When even the narrowed table is too wide, put the last column on lines of
        its own under each row (indented); otherwise cut the table into blocks of
        columns that fit, repeating the first column.
    style
        Called for each padded cell to colour it; widths are measured before.
    """
    rows = [list(row) for row in cells]
    keep = list(range(len(right)))
    dropped = 0
    while True:
        text = _fitted(rows, right, keep, limit, style)
        if text is not None:
            return text
        # Once a spare column is gone, the last column below its row beats losing another.
        if below and dropped and limit is not None and _head_width(rows, keep) <= limit:
            return _below(rows, right, keep, limit, style)
        if not [c for c in spare if c in keep]:
            break
        keep.remove(next(c for c in spare if c in keep))
        dropped += 1
    if below and limit is not None:
        return _below(rows, right, keep, limit, style)
    return _blocks(rows, right, keep, limit, style)


def _head_width(rows: list[list[str]], keep: list[int]) -> int:
    """The width of every column in `keep` but the last, with the gaps between them."""
    widths = _widths(rows, keep[:-1])
    return sum(widths.values()) + 2 * (len(widths) - 1)


def _widths(rows: list[list[str]], keep: list[int]) -> dict[int, int]:
    return {c: max(len(row[c]) for row in rows) for c in keep}


def _fitted(rows: list[list[str]], right: Sequence[bool], keep: list[int], limit: int | None,
            style: Style | None) -> str | None:
    """The table in `keep`'s columns if it fits `limit`, wrapping a last text column."""
    widths = _widths(rows, keep)
    total = sum(widths.values()) + 2 * (len(keep) - 1)
    if limit is None or total <= limit:
        return _render(rows, right, keep, widths, style)
    last = keep[-1]
    room = limit - (total - widths[last])
    if right[last] or room < MIN_WRAP:
        return None
    wrapped: list[list[str]] = []
    owners: list[int] = []  # the row each printed line shows; -1 for a continuation
    for i, row in enumerate(rows):
        lines = textwrap.wrap(row[last], room, break_on_hyphens=False) or [""]
        wrapped.append([*row[:last], lines[0], *row[last + 1:]])
        owners.append(i)
        for more in lines[1:]:
            wrapped.append(["" for _ in row[:last]] + [more] + ["" for _ in row[last + 1:]])
            owners.append(-1)
    widths[last] = min(widths[last], room)
    return _render(wrapped, right, keep, widths, style, owners)


def _render(rows: list[list[str]], right: Sequence[bool], keep: list[int],
            widths: dict[int, int], style: Style | None, owners: list[int] | None = None) -> str:
    lines = []
    for i, row in enumerate(rows):
        number = i if owners is None else owners[i]
        cells = []
        for c in keep:
            cell = row[c].rjust(widths[c]) if right[c] else row[c].ljust(widths[c])
            if style is not None and number >= 0:
                cell = style(number, c, cell)
            cells.append(cell)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _below(rows: list[list[str]], right: Sequence[bool], keep: list[int], limit: int,
           style: Style | None) -> str:
    """Every column but the last in a row, the last column wrapped on the lines below."""
    last, head = keep[-1], keep[:-1]
    widths = _widths(rows, head)
    lines = []
    for i, row in enumerate(rows):
        lines.append(_render([row], right, head, widths, _shifted(style, i)))
        if i and row[last]:
            lines.extend(textwrap.wrap(row[last], max(limit, MIN_WRAP + 4),
                                       initial_indent="    ", subsequent_indent="    ",
                                       break_on_hyphens=False))
    return "\n".join(lines)


def _shifted(style: Style | None, row: int) -> Style | None:
    """`style` for a table of one row that is row `row` of the whole table."""
    if style is None:
        return None
    return lambda _, column, text: style(row, column, text)


def _blocks(rows: list[list[str]], right: Sequence[bool], keep: list[int], limit: int | None,
            style: Style | None) -> str:
    """The columns in blocks that each fit `limit`, the first column in every block."""
    widths = _widths(rows, keep)
    first, rest = keep[0], keep[1:]
    blocks: list[list[int]] = [[]]
    used = widths[first]
    for c in rest:
        if blocks[-1] and limit is not None and used + 2 + widths[c] > limit:
            blocks.append([])
            used = widths[first]
        blocks[-1].append(c)
        used += 2 + widths[c]
    return "\n\n".join(_fitted(rows, right, [first, *block], limit, style)
                       or _render(rows, right, [first, *block], widths, style) for block in blocks)
