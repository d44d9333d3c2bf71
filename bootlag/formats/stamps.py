"""Vectorized stamps: the times of many text lines at once, for the clock watches.

Before a boot arms, a wall-clock text reader must look at every line's time
(`bootlag.clock.jumped`), and a monotonic one without separators at every
line's time in a boot's first minutes (`bootlag.clock.monotonic_reset`). Lines
that are neither events nor boundaries change nothing else but the boot's
host and last line, so a stretch of them is decoded with numpy: the entry lines
whose stamp has exactly the stretch's template (`fastscan.template`) and their
times in µs, as the readers' own regexes and `text._naive_us` would give them.
numpy comes with pandas; it is imported only for large blocks.
"""

from __future__ import annotations

from typing import Any

_ZERO = 0x30


def entry_lines(block: bytes, pos: int, stop: int, shape: bytes) -> tuple[Any, int]:
    """Starts of the entry lines in block[pos:stop] (whole lines) that have the stamp
    template `shape`, up to the first that has not; and where that one starts (else
    `stop`). Continuation and blank lines are passed over."""
    import numpy as np

    arr = np.frombuffer(block, np.uint8)
    newlines = np.flatnonzero(arr[pos:stop] == 10) + pos
    starts = np.concatenate((np.array([pos], np.int64), newlines[:-1] + 1))
    first = arr[starts]
    entries = starts[(first != 0x20) & (first != 0x09) & (first != 0x0D) & (first != 0x0A)]
    last = len(block) - 1
    ok = np.ones(len(entries), bool)
    for k, c in enumerate(shape):
        column = arr[np.minimum(entries + k, last)]
        ok &= (column - _ZERO).astype(np.uint8) < 10 if c == _ZERO else column == c
    bad = np.flatnonzero(~ok)
    if bad.size:
        return entries[: bad[0]], int(entries[bad[0]])
    return entries, stop


def _number(arr: Any, entries: Any, at: int, digits: int) -> Any:
    import numpy as np

    value = np.zeros(len(entries), np.int64)
    for k in range(digits):
        value = value * 10 + (arr[entries + at + k].astype(np.int64) - _ZERO)
    return value


def iso_us(block: bytes, entries: Any, shape: bytes) -> tuple[Any, Any] | None:
    """µs since the epoch of ``short-iso`` stamps, and which are valid dates; None when
    `shape` is not such a stamp."""
    import numpy as np

    if len(shape) < 21 or shape[4:5] != b"-" or shape[10:11] != b"T":
        return None
    arr = np.frombuffer(block, np.uint8)
    year, month, day = (_number(arr, entries, a, n) for a, n in ((0, 4), (5, 2), (8, 2)))
    hh, mm, ss = (_number(arr, entries, a, 2) for a in (11, 14, 17))
    at, us = 19, np.zeros(len(entries), np.int64)
    if shape[at:at + 1] == b".":
        width = len(shape[at + 1:]) - len(shape[at + 1:].lstrip(b"0"))
        kept = min(width, 6)
        us = _number(arr, entries, at + 1, kept) * 10 ** (6 - kept)
        at += 1 + width
    zone = shape[at:-1]
    if zone == b"Z":
        offset = 0
    elif zone[:1] in (b"+", b"-") and len(zone) in (3, 5, 6):
        sign = -1 if zone[:1] == b"-" else 1
        minutes = _number(arr, entries, at + len(zone) - 2, 2) if len(zone) > 3 else 0
        offset = sign * (_number(arr, entries, at + 1, 2) * 3600 + minutes * 60) * 1_000_000
    else:
        return None
    valid = ((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hh < 24) & (mm < 60)
             & (ss < 61))
    # days from the first of the month (text._naive_us), by Hinnant's days_from_civil
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468 + day - 1
    naive = ((days * 24 + hh) * 60 + mm) * 60_000_000 + np.minimum(ss, 59) * 1_000_000 + us
    return naive - offset, valid


def mono_us(block: bytes, entries: Any, shape: bytes) -> Any | None:
    """µs since kernel start of ``[  sss.uuuuuu]`` stamps; None when `shape` is not one."""
    import numpy as np

    dot = shape.find(b".")
    if shape[:1] != b"[" or dot < 2 or shape[dot + 1:dot + 7] != b"000000":
        return None
    arr = np.frombuffer(block, np.uint8)
    first = next(k for k in range(1, dot) if shape[k] == _ZERO)
    if any(c != _ZERO for c in shape[first:dot]):
        return None
    return (_number(arr, entries, first, dot - first) * 1_000_000
            + _number(arr, entries, dot + 1, 6))
