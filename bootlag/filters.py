"""Choosing boots from the boots table: by host, by time, by boot, the latest per host.

The command line's ``--host``, ``--since``, ``--until`` and ``--boot`` are these
functions, so a notebook selects exactly what a command would. Times are read
as journalctl reads them (``systemd.time(7)``): absolute dates and times,
``now``, ``today``, ``yesterday``, ``tomorrow``, ``@UNIX-SECONDS``, and
relative spans such as ``-7d``, ``-2h``, ``+30min`` or ``3 days ago``. A time
without a zone is UTC, as every time bootlag prints is (journalctl takes the
local zone); ``2025-01-20 14:00+01:00`` says its own.

Nothing here imports pandas at module level: parsing a ``--since`` must stay
cheap for ``bootlag --help`` and for option errors.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# systemd.time(7) span units, in seconds (a month is 30.44 days, a year 365.25, as systemd).
_UNITS: dict[str, float] = {}
for _names, _seconds in (
        (("us", "usec", "µs"), 1e-6), (("ms", "msec"), 1e-3),
        (("s", "sec", "secs", "second", "seconds"), 1.0),
        (("m", "min", "mins", "minute", "minutes"), 60.0),
        (("h", "hr", "hrs", "hour", "hours"), 3600.0), (("d", "day", "days"), 86400.0),
        (("w", "week", "weeks"), 604800.0),
        (("M", "month", "months"), 2629800.0), (("y", "year", "years"), 31557600.0)):
    for _name in _names:
        _UNITS[_name] = _seconds
_SPAN_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Zµ]+)")
_BOOT_ID = re.compile(r"[0-9a-f]{1,32}")
_OFFSET = re.compile(r"[+-]?\d+")


class FilterError(ValueError):
    """An option value that cannot be understood (a usage error); the message says why."""


def parse_span(text: str) -> float:
    """Seconds in a systemd time span: ``"7d"``, ``"2h 30min"``, ``"90s"``, ``"1.5h"``.

    A bare number is seconds. Raises `FilterError` for anything else.
    """
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    total, at = 0.0, 0
    for match in _SPAN_PART.finditer(text):
        if match.start() != at or match.group(2) not in _UNITS:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        at = match.end()
    else:
        if at == len(text) and at > 0:
            return total
    raise FilterError(f"not a time span: {text!r} (such as 7d, 2h, 30min, 1h 30min)")


def parse_time(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """The UTC instant a ``--since``/``--until`` value names (see the module's docstring).

    `now` (aware) is for tests; it defaults to the current time. Raises
    `FilterError` naming the accepted forms when `text` is none of them.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    now = now.astimezone(dt.timezone.utc)
    word = text.strip()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    named = {"now": now, "today": midnight, "yesterday": midnight - dt.timedelta(days=1),
             "tomorrow": midnight + dt.timedelta(days=1)}
    if word.lower() in named:
        return named[word.lower()]
    if word.startswith("@"):
        try:
            return dt.datetime.fromtimestamp(float(word[1:]), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise FilterError(f"not a time: {text!r} (@ takes seconds since 1970)") from None
    if word[:1] in "+-" and word[1:2].isdigit():
        sign = -1 if word[0] == "-" else 1
        return now + dt.timedelta(seconds=sign * parse_span(word[1:]))
    if word.endswith(" ago"):
        return now - dt.timedelta(seconds=parse_span(word[:-4]))
    if word.endswith(" left"):
        return now + dt.timedelta(seconds=parse_span(word[:-5]))
    return _absolute(word, text)


def _absolute(word: str, text: str) -> dt.datetime:
    from dateutil import parser  # type: ignore[import-untyped,unused-ignore]

    if not word or not word[0].isdigit():  # dateutil would take "monday" or "jan"
        raise _bad_time(text)
    try:
        parsed = parser.isoparse(word)
    except (ValueError, OverflowError):
        try:
            parsed = parser.parse(word)
        except (ValueError, OverflowError):
            raise _bad_time(text) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def _bad_time(text: str) -> FilterError:
    return FilterError(f"not a time: {text!r} (such as 2025-01-20, '2025-01-20 14:00', "
                       "today, yesterday, -7d, -2h, '3 days ago', @1737380000; UTC unless "
                       "a zone is given)")


def check_boot(text: str) -> str:
    """`text` if it is a ``--boot`` value (a boot id or its prefix, or an offset), else
    `FilterError`."""
    if _OFFSET.fullmatch(text) or _BOOT_ID.fullmatch(text.lower().replace("-", "")):
        return text
    raise FilterError(f"--boot: {text!r} is neither a boot id (hex, a prefix is enough) nor "
                      "an offset (0 = each host's latest boot, -1 the one before, 1 the first)")


def ordered(boots: pd.DataFrame) -> pd.DataFrame:
    """The boots of each host oldest first: by kernel start, a boot with no calendar date
    (short-monotonic text) before the dated ones, ties in the order of the table.

    The order ``stats.problem_hosts`` uses for a host's latest boot.
    """
    return boots.sort_values("kernel_start", kind="stable", na_position="first")


def latest(boots: pd.DataFrame) -> pd.DataFrame:
    """Each host's latest boot (see `ordered`), capture-kernel boots left out: a kdump
    capture kernel saves a vmcore and reboots; it is not the host's own boot."""
    regular = boots[~boots["capture_kernel"].fillna(False).astype(bool)]
    return ordered(regular).groupby("host", sort=True).tail(1).sort_values("host", kind="stable")


def select(boots: pd.DataFrame, *, hosts: Iterable[str] = (), since: dt.datetime | None = None,
           until: dt.datetime | None = None, boot: str | None = None) -> pd.DataFrame:
    """The boots that pass every filter given, in the table's order.

    hosts
        Shell globs (``web-*``); a boot passes when its host matches any.
    since, until
        UTC instants: the boot's ``kernel_start`` must lie within (inclusive). A
        boot with no calendar date (NaT) is left out when either is given.
    boot
        A boot id or its prefix (any case, dashes ignored), or an offset per
        host as journalctl's ``-b``: ``0`` the latest boot, ``-1`` the one
        before, ``1`` the first, ``2`` the second (see `ordered`).
    """
    import pandas as pd

    keep = pd.Series(True, index=boots.index)
    patterns = list(hosts)
    if patterns:
        keep &= boots["host"].map(lambda h: any(fnmatch.fnmatchcase(str(h), p)
                                                for p in patterns)).astype(bool)
    starts = boots["kernel_start"]
    if since is not None:
        keep &= (starts >= pd.Timestamp(since)).fillna(False).astype(bool)
    if until is not None:
        keep &= (starts <= pd.Timestamp(until)).fillna(False).astype(bool)
    chosen = boots[keep]
    if boot is not None:
        chosen = _by_boot(chosen, boot)
    return chosen


def _by_boot(boots: pd.DataFrame, boot: str) -> pd.DataFrame:
    if _OFFSET.fullmatch(boot):
        offset = int(boot)
        position = ordered(boots).groupby("host", sort=False).cumcount(
            ascending=offset > 0)
        wanted = offset - 1 if offset > 0 else -offset
        return boots.loc[position.index[position.to_numpy() == wanted]].sort_index()
    prefix = boot.lower().replace("-", "")
    ids = boots["boot_id"].astype("string").str.lower().fillna("")
    return boots[ids.str.startswith(prefix).astype(bool)]
