"""One pass over a block for everything a text fast path must stop at.

A reader that skips lines (`bootlag.matters`) must stop at every line that
holds a trigger word or a separator (`matters.STOPS`), at every line that is
not shaped like a journal line (damage is reported with its line number), and,
in monotonic text without separators, at every stamp in a boot's first
minutes. `BlockHits` finds all three in one scan of the block with
`Hyperscan <https://www.hyperscan.io>`_ (``pip install hyperscan``: wheels for
Linux, macOS and Windows), a multi-pattern matcher that runs at several GB/s
however many patterns there are; Python's ``re`` has no literal prefilter for an
alternation (~60 MB/s) and ``bytes.find`` takes one pass per word. Without
Hyperscan the readers fall back to those (`AVAILABLE` is False).

The line shape is checked against a template of the stamp the skipped stretch
starts with (its digits as ``[0-9]``, every other byte literal): the patterns
flag each line start that departs from it, and only those lines are checked
with the style's own regex, so a line that passes either check is one the
regex accepts.
"""

from __future__ import annotations

import bisect
import importlib.util
from typing import Any

from .. import matters

# An optional accelerator: the readers give the same records without it. It is imported
# when a block is large enough to be worth its import and compile (~20 ms: start-up).
AVAILABLE = importlib.util.find_spec("hyperscan") is not None
WORTH = 1 << 18  # bytes of a block from which it pays


def use(block: bytes) -> bool:
    """Whether to scan `block` with `BlockHits` (else the readers' fallback)."""
    return AVAILABLE and len(block) >= WORTH



_STOP, _MISFIT, _EARLY, _BARE = 0, 1, 2, 3
_ID_KIND = 1 << 20  # ids: kind * _ID_KIND + the number of template bytes before the misfit
_SPACE = b" \t\r\n"
# A monotonic stamp under 120 s after a newline (text.py's _EARLY_MONO_LINE; a newline
# inside the brackets would make no stamp line either, so none is allowed there).
_EARLY_PATTERN = rb"\x0a\x5b[\x09\x0b-\x0d\x20]*(?:[0-9]|[0-9][0-9]|1[01][0-9])\x2e[0-9]{6}"


# An entry line with no ": " that does not end in ":" has no 'identifier: message'
# (text.py's _split_prefix): damage to report, so the reader must stop there.
_NO_MESSAGE = rb"\x0a[^\x20\x09\x0d\x0a\x2d](?:[^\x3a\x0a]|\x3a+[^\x3a\x20\x0a])*\x0a"


def _byte(c: int) -> bytes:
    return b"\\x%02x" % c


def _allowed(c: int) -> bytes:
    return b"[0-9]" if 0x30 <= c <= 0x39 else _byte(c)


def template(stamp: bytes) -> bytes:
    """The stamp with every digit as 0: stamps of one template share their database."""
    return stamp.translate(_DIGITS_TO_ZERO)


def family(shape: bytes) -> frozenset[bytes]:
    """`shape` and the templates its stamps take as time goes on: a monotonic stamp's
    seconds grow wider (``[    9.999999]``, ``[   10.000000]``, ... ``[123456.000000]``), so
    one database serves a whole boot."""
    dot = shape.find(b".")
    inner = shape[1:dot]
    if not (shape.startswith(b"[") and dot > 1 and inner.strip(b" ") and
            not inner.strip(b" ").strip(b"0") and inner == inner.rstrip(b" ")):
        return frozenset({shape})
    rest, width = shape[dot:], len(inner)
    return frozenset({b"[" + b" " * (width - w) + b"0" * w + rest for w in range(1, width + 1)}
                     | {b"[" + b"0" * w + rest for w in range(width + 1, 13)})


_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
# A line of export format that is not FIELD=value (a binary field's name, or damage).
_NOT_FIELD = (rb"\x0a[^A-Za-z0-9_\x0a]", rb"\x0a[A-Za-z0-9_]+[^A-Za-z0-9_=]")
_databases: dict[tuple[frozenset[bytes] | None, bool, bool], Any] = {}


def _misfit_pattern(shapes: frozenset[bytes]) -> bytes:
    """A newline, then a line that is none of `shapes`, a continuation, a blank or a
    ``-- `` line.

    One pattern of nested alternatives over the trie of the templates (a small
    automaton: a separate pattern per byte of a template makes Hyperscan ten times
    slower). It matches up to and including the first byte that departs from
    every template.
    """
    trie: dict[int, Any] = {}
    for shape in shapes:
        node = trie
        for c in shape:
            node = node.setdefault(c, {})
        node[-1] = {}  # a template ends here: the line is one of them

    def below(node: dict[int, Any], extra: bytes = b"") -> bytes | None:
        if -1 in node:
            return None  # no misfit below a template's end
        keys = sorted(node)
        inside = b"".join(b"0-9" if k == 0x30 else _byte(k) for k in keys)
        parts = [b"[^" + inside + b"".join(_byte(x) for x in extra) + b"]"]
        for k in keys:
            rest = below(node[k])
            if rest is not None:
                parts.append(_allowed(k) + rest)
        return b"(?:" + b"|".join(parts) + b")"

    first = below(trie, _SPACE + b"-")
    assert first is not None
    return b"\\x0a(?:" + first[3:-1] + b"|\\x2d(?:[^\\x2d]|\\x2d[^\\x20]))"


def _database(shape: frozenset[bytes] | None, early: bool, export: bool = False) -> Any:
    """The Hyperscan database of the stops, the early stamps and the misfits of the
    templates `shape`."""
    found = _databases.get((shape, early, export))
    if found is not None:
        return found
    expressions: list[bytes] = []
    ids: list[int] = []
    for word in matters.STOPS:
        expressions.append(b"".join(_byte(c) for c in word))
        ids.append(_STOP * _ID_KIND + len(word))
    if export:
        expressions += _NOT_FIELD
        ids += [_BARE * _ID_KIND] * len(_NOT_FIELD)
    if early:
        expressions.append(_EARLY_PATTERN)
        ids.append(_EARLY * _ID_KIND)
    if shape:
        expressions += [_misfit_pattern(shape), _NO_MESSAGE]
        ids += [_MISFIT * _ID_KIND, _BARE * _ID_KIND]
    import hyperscan

    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=ids, elements=len(expressions),
                     flags=[0] * len(expressions))
    _databases[shape, early, export] = database
    return database


class BlockHits:
    """Where, in one block, the stops, the misfit line starts and the early stamps are."""

    __slots__ = ("_early", "_misfits", "_stops", "ascii", "end", "shape")

    def __init__(self, block: bytes, shape: frozenset[bytes] | None, early: bool = False,
                 export: bool = False) -> None:
        """`shape`: the stamp templates (None: no line shape check); `early`: find early
        monotonic stamps too (in monotonic text without separators); `export`: stop at
        lines of export format that are not FIELD=value too."""
        self.shape = (shape, early)
        self.end = len(block)
        self.ascii = block.isascii()
        stops: list[int] = []
        misfits: list[int] = []
        starts: list[int] = []  # of early stamp lines

        def on_match(ident: int, _start: int, end: int, _flags: int, _context: Any) -> None:
            kind, length = divmod(ident, _ID_KIND)
            if kind == _STOP:
                stops.append(end - length)
            elif kind == _MISFIT:  # the template has no newline; the last byte may be one
                misfits.append(block.rfind(b"\n", 0, end - 1) + 1)
            elif kind == _BARE:
                stops.append(block.rfind(b"\n", 0, end - 1) + 1)
            else:
                starts.append(block.rfind(b"\n", 0, end) + 1)

        _database(shape, early, export).scan(block, match_event_handler=on_match)
        if block and not block.endswith(b"\n"):  # a last line cut short: read it
            stops.append(block.rfind(b"\n") + 1)
        stops.sort()
        misfits.sort()
        starts.sort()
        self._stops, self._misfits, self._early = stops, misfits, starts

    def next_stop_line(self, block: bytes, pos: int) -> int:
        """Start of the next line at or after `pos` that holds a stop (else the block's end);
        `pos` itself when a stop starts there (as `common.next_stop_line`)."""
        i = bisect.bisect_left(self._stops, pos)
        nearest = self._stops[i] if i < len(self._stops) else self.end
        return max(block.rfind(b"\n", pos, nearest) + 1, pos) if nearest > pos else pos

    def misfits(self, pos: int, stop: int) -> list[int]:
        """Line starts in (pos, stop) that depart from the template, in order."""
        return self._misfits[bisect.bisect_right(self._misfits, pos):
                             bisect.bisect_left(self._misfits, stop)]

    def first_early(self, pos: int, stop: int) -> int | None:
        """The first line start in (pos, stop) with a monotonic stamp under 120 s."""
        i = bisect.bisect_right(self._early, pos)
        return self._early[i] if i < len(self._early) and self._early[i] < stop else None


_journal_database: Any = None


def journal_words(data: Any) -> list[tuple[int, int]]:
    """The (start, end) of every trigger word (`matters.TRIGGER_WORDS`) in a binary
    journal's bytes (anything with the buffer protocol), in order."""
    global _journal_database
    import hyperscan

    if _journal_database is None:
        words = [w.encode() for w in matters.TRIGGER_WORDS]
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=[b"".join(_byte(c) for c in w) for w in words],
                         ids=[len(w) for w in words], elements=len(words),
                         flags=[0] * len(words))
        _journal_database = database
    found: list[tuple[int, int]] = []

    def on_match(length: int, _start: int, end: int, _flags: int, _context: Any) -> None:
        found.append((end - length, end))

    _journal_database.scan(data, match_event_handler=on_match)
    found.sort()
    return found
