"""journalctl's one-line-per-entry text outputs (``-o short*``) and syslog files.

Layout (systemd ``logs-show.c`` ``output_short``)::

    <timestamp> [<hostname> ]<identifier>[[<pid>]]: <message>

with continuation lines of multi-line messages indented by spaces, and
``-- Boot <id> --`` / ``-- Reboot --`` separators between boots.

Clocks: ``short-monotonic`` and ``short-delta`` carry monotonic time (seconds
since kernel start); ``short-iso*`` and ``short-unix`` carry exact wall-clock
time; ``short``, ``short-precise``, ``short-full`` and syslog carry local wall
time without an offset, read in the zone the caller names (else UTC), and
``short``/``short-precise`` have no year at all (see `YearlessClock`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import BinaryIO
from zoneinfo import ZoneInfo

from .. import clock, events
from ..records import Kind, Record
from ..sources import InputStream
from . import fastscan
from .common import (
    Collector,
    ReadOptions,
    SourceInfo,
    is_placeholder_host,
    line_blocks,
    next_stop_line,
)
from .months import month_number

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_MONO = re.compile(r"\[\s*(\d{1,12})\.(\d{6})(?:\s*<[^>]*>)?\s*\] ")
_UNIX = re.compile(r"(\d{9,12})\.(\d{6}) ")
# A monotonic stamp under 120 s (`clock.RESET_BELOW_US`): where a boot may begin
# without a separator (tests/test_clock.py checks the two agree).
_EARLY_MONO = re.compile(rb"\[\s*(?:\d|\d\d|1[01]\d)\.\d{6}")
_EARLY_MONO_LINE = re.compile(rb"\n\[\s*(?:\d|\d\d|1[01]\d)\.\d{6}")
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
                  r"(Z|[+-]\d\d(?::?\d\d)?) ")
_FULL = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)"
                   r"(?:\.(\d{1,6}))?(?: ([A-Z]{2,6}|[+-]\d\d(?:\d\d)?))? ")
_SHORT = re.compile(r" ?(\S{1,8}?)\.? {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? ")

_NON_ASCII = re.compile(rb"[\x80-\xff]")
# An entry line without ": " that does not end in ":": no 'identifier: message' (damage).
_NO_MESSAGE = re.compile(rb"\n[^ \t\r\n-](?:[^:\n]|:+[^: \n])*\n")
_BOOT_SEPARATOR = re.compile(r"-- Boot ([0-9a-f]{32}) --")
_YEAR_IN_HEADER = re.compile(r"(\d{4})-\d\d-\d\d")
_UTC_NAMES = {"UTC", "GMT", "Z", "UCT"}



def _bytes(pattern: re.Pattern[str]) -> re.Pattern[bytes]:
    """The same pattern over raw bytes, to check a line's shape without decoding it."""
    return re.compile(pattern.pattern.encode())


@functools.cache
def _shape(style: re.Pattern[bytes]) -> re.Pattern[bytes]:
    """A line that is an entry of `style`, a continuation, a blank or a separator."""
    return re.compile(rb"(?:" + style.pattern + rb")|[ \t\r\n]|-- ")


@functools.cache
def _misfit(style: re.Pattern[bytes]) -> re.Pattern[bytes]:
    """A newline followed by a line that `_shape` would not accept."""
    return re.compile(rb"\n(?!(?:" + style.pattern + rb")|[ \t\r\n]|-- )")


@functools.lru_cache(maxsize=64)
def _other_host(style: re.Pattern[bytes], host: str) -> re.Pattern[bytes]:
    """A newline followed by an entry of `style` from a host other than `host` (or no host)."""
    return re.compile(rb"\n(?=(?:" + style.pattern + rb"))(?!(?:" + style.pattern + rb")"
                      + re.escape(host.encode()) + rb" )")


def _last_entry_line(block: bytes, pos: int, stop: int) -> int | None:
    """Start of the last entry line (not a continuation) in block[pos:stop]."""
    end = stop - 1
    while end > pos:
        start = block.rfind(b"\n", pos, end) + 1 or pos
        if block[start:start + 1] not in (b" ", b"\t", b"\r", b"\n"):
            return start
        end = start - 1
    return None


def _micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _naive_us(year: int, month: int, day: int, hh: int, mm: int, ss: int, us: int) -> int:
    """Microseconds of a wall-clock reading taken as if it were UTC.

    Day arithmetic from the first of the month, so Feb 29 of a year not yet
    known to be a leap year still gives a number.
    """
    days = date(year, month, 1).toordinal() - _EPOCH_ORDINAL + day - 1
    return ((days * 24 + hh) * 60 + mm) * 60_000_000 + min(ss, 59) * 1_000_000 + us


class LocalStamp(int):
    """A wall-clock time read without a UTC offset (and maybe without a year).

    Its integer value is the reading taken as UTC in a provisional year, good
    for differences within a boot; `YearlessClock.resolve` settles the year
    and zone once the whole file has been read.
    """

    parts: tuple[int | None, int, int, int, int, int, int, int]


class YearlessClock:
    """Wall-clock readings of one file: infers the year, applies the zone.

    The year of the *last* line is `anchor` (the caller's ``year``, the year a
    ``-- Logs begin at ..., end at ...`` header names, or the file's
    modification year). A month that falls back by three or more (December
    to January, or October to January across a silence) is a new year; one
    that rises from January/February to November/December goes back a year
    (files that hold several hosts or rotated pieces are not in time order).
    If that puts a Feb 29 in a common year, the whole file moves back to the
    nearest year that makes every date real.
    """

    def __init__(self, anchor: int, zone: str | None) -> None:
        self.anchor = anchor
        self.zone = ZoneInfo(zone) if zone else None
        self.rollovers = 0
        self._prev_month = 0
        self._leap_days: set[int] = set()  # rollover indexes that saw a Feb 29

    def stamp(self, year: int | None, month: int, day: int, hh: int, mm: int, ss: int,
              us: int) -> LocalStamp | None:
        if not (1 <= month <= 12 and 1 <= day <= 31 and hh < 24 and mm < 60 and ss < 61):
            return None
        rollover: int | None = None
        if year is None:
            if self._prev_month - month >= 3:  # Dec -> Jan, or a silence across New Year
                self.rollovers += 1
            elif month >= 11 and 1 <= self._prev_month <= 2:  # back to an earlier boot
                self.rollovers -= 1
            self._prev_month = month
            rollover = self.rollovers
            if month == 2 and day == 29:
                self._leap_days.add(rollover)
            year = self.anchor + rollover
        value = LocalStamp(_naive_us(year, month, day, hh, mm, ss, us))
        value.parts = (rollover, year, month, day, hh, mm, ss, us)
        return value

    def _year_shift(self) -> int:
        shift = -self.rollovers
        for extra in range(9):
            if all(_is_leap(self.anchor + k + shift - extra) for k in self._leap_days):
                return shift - extra
        return shift

    def resolve(self, value: int | None, shift: int) -> int | None:
        if not isinstance(value, LocalStamp):
            return value
        rollover, year, month, day, hh, mm, ss, us = value.parts
        if rollover is not None:
            year = self.anchor + rollover + shift
        if self.zone is None:
            return _naive_us(year, month, day, hh, mm, ss, us)
        try:
            local = datetime(year, month, day, hh, mm, min(ss, 59), us, tzinfo=self.zone)
        except ValueError:  # Feb 29 with no leap year in reach
            return _naive_us(year, month, day, hh, mm, ss, us)
        return int(local.timestamp()) * 1_000_000 + us

    def resolve_all(self, records: list[Record]) -> list[Record]:
        shift = self._year_shift()
        return [r._replace(real_us=self.resolve(r.real_us, shift))
                if isinstance(r.real_us, LocalStamp) else r for r in records]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _offset_us(text: str) -> int:
    if text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60) * 1_000_000


def _split_prefix(rest: str) -> tuple[str | None, str | None, str, str | None] | None:
    """``host ident[pid]: message`` -> (host, ident, message, pid); None if it is not that."""
    head, sep, message = rest.partition(": ")
    if not sep:
        if not rest.endswith(":"):
            return None
        head, message = rest[:-1], ""
    tokens = head.split(" ")
    if len(tokens) == 1:
        host, ident = None, tokens[0]
    else:
        host, ident = tokens[0], " ".join(tokens[1:])
    pid = None
    if ident.endswith("]"):
        ident, _, pid = ident[:-1].partition("[")
    if not ident:
        return None
    return host, ident, message, pid


class TextReader:
    """Reads one text source into records. See the module docstring for the clocks."""

    def __init__(self, info: SourceInfo, options: ReadOptions) -> None:
        self.info = info
        self.clock = YearlessClock(options.year or default_year(options.mtime), options.tz)
        self.year_given = options.year is not None
        self.year_from_header = False
        self.full = options.full
        self.collector = Collector(info.name)
        self._segment = 0
        self._boot = f"{info.name}#0"
        self._lines_in_boot = 0
        self._prev_mono: int | None = None
        self._prev_printk: int | None = None  # the printk time of the boot's last kernel line
        self._prev_real: int | None = None
        self._prev_host: str | None = None  # the last real host name of the boot
        self._run: int | None = None  # stage of the kernel-start run the boot began with
        self._styles = [(self._monotonic, _bytes(_MONO)), (self._iso, _bytes(_ISO)),
                        (self._unix, _bytes(_UNIX)), (self._full, _bytes(_FULL)),
                        (self._short, _bytes(_SHORT))]
        self._shape = _shape(self._styles[0][1])  # a line of the style seen last
        self._misfit = _misfit(self._styles[0][1])  # a line start that is not one
        self._quick = self._styles[0][1]  # the style seen last
        self._shape_is_monotonic = True  # the first style is the monotonic one
        self._separated = False  # the text marks boot changes with separators
        self._skimming = False  # the current boot has armed: skim until something matters
        self._formats = info.formats_seen
        self._zones_checked: set[str] = set()
        self._templates: frozenset[bytes] = frozenset()  # stamp shapes seen (fastscan)
        self._hits: fastscan.BlockHits | None = None  # of the block being read in bulk

    # --- timestamp styles: each returns (mono, real, end of timestamp) or None ---
    def _monotonic(self, line: str):  # type: ignore[no-untyped-def]
        m = _MONO.match(line)
        if m is None:
            return None
        token = m.group(0)
        self._seen("short-delta" if "<" in token or "  ]" in token else "short-monotonic")
        return int(m.group(1)) * 1_000_000 + int(m.group(2)), None, m.end()

    def _iso(self, line: str):  # type: ignore[no-untyped-def]
        m = _ISO.match(line)
        if m is None:
            return None
        y, mo, d, hh, mm, ss = (int(g) for g in m.groups()[:6])
        if not (1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61):
            return None
        self._seen("short-iso-precise" if m.group(7) else "short-iso")
        real = _naive_us(y, mo, d, hh, mm, ss, _micro(m.group(7))) - _offset_us(m.group(8))
        return None, real, m.end()

    def _unix(self, line: str):  # type: ignore[no-untyped-def]
        m = _UNIX.match(line)
        if m is None:
            return None
        self._seen("short-unix")
        return None, int(m.group(1)) * 1_000_000 + int(m.group(2)), m.end()

    def _full(self, line: str):  # type: ignore[no-untyped-def]
        m = _FULL.match(line)
        if m is None:
            return None
        y, mo, d, hh, mm, ss = (int(g) for g in m.groups()[:6])
        us, zone = _micro(m.group(7)), m.group(8)
        self._seen("short-full")
        if zone in _UTC_NAMES or (zone and zone[0] in "+-"):
            if not (1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61):
                return None
            offset = 0 if zone in _UTC_NAMES else _offset_us(zone)
            return None, _naive_us(y, mo, d, hh, mm, ss, us) - offset, m.end()
        real = self.clock.stamp(y, mo, d, hh, mm, ss, us)
        if real is None:
            return None
        if zone and zone not in self._zones_checked:
            self._zones_checked.add(zone)
            self._check_zone(zone, real)
        return None, real, m.end()

    def _check_zone(self, abbreviation: str, stamp: LocalStamp) -> None:
        """Local time names its zone: it must agree with the zone the text is read in."""
        zone = self.clock.zone
        if zone is None:
            self.info.zone_problem = f"the text says {abbreviation}; give --tz"
            return
        _, year, month, day, hh, mm, ss, _ = stamp.parts
        expected = datetime(year, month, day, hh, mm, min(ss, 59), tzinfo=zone).tzname()
        if expected != abbreviation:
            self.info.zone_problem = (f"the text says {abbreviation}, --tz {zone} says "
                                      f"{expected}")

    def _short(self, line: str):  # type: ignore[no-untyped-def]
        m = _SHORT.match(line)
        if m is None:
            return None
        month = month_number(m.group(1))
        if month is None:
            return None
        real = self.clock.stamp(None, month, int(m.group(2)), int(m.group(3)),
                                int(m.group(4)), int(m.group(5)), _micro(m.group(6)))
        if real is None:
            return None
        self._seen("short-precise" if m.group(6) else "short")
        return None, real, m.end()

    def _seen(self, name: str) -> None:
        self._formats[name] = self._formats.get(name, 0) + 1

    # --- boots ---
    def _new_boot(self, key: str | None = None) -> None:
        self._skimming = False
        self._segment += 1
        self._boot = key or f"{self.info.name}#{self._segment}"
        self._lines_in_boot = 0
        self._prev_mono = None
        self._prev_printk = None
        self._prev_real = None
        self._prev_host = None
        self._run = None

    def _control_line(self, line: str, number: int) -> None:
        m = _BOOT_SEPARATOR.match(line)
        if m:
            self._new_boot(m.group(1))
            self._separated = True
        elif line.startswith("-- Reboot --"):
            self._new_boot()
            self._separated = True
        elif line.startswith(("-- Logs begin at", "-- Journal begins at")) and not self.year_given:
            years = _YEAR_IN_HEADER.findall(line)
            if years:
                self.clock.anchor = int(years[-1])
                self.year_from_header = True

    def read(self, stream: BinaryIO | InputStream) -> Iterator[Record]:
        """Records of the whole stream, read in blocks of whole lines."""
        number = 0  # lines before the current block
        for block in line_blocks(stream):
            number = self._block(block, number)
        yearless = any(name in self._formats for name in ("short", "short-precise"))
        if yearless and not (self.year_given or self.year_from_header):
            self.info.notices.append(
                f"its time stamps have no year: read as if the last line were in "
                f"{self.clock.anchor}, the file's modification year; give --year to change it")
        yield from self.clock.resolve_all(_name_first_boot(self.collector.finish(),
                                                           f"{self.info.name}#0"))

    def _block(self, block: bytes, number: int) -> int:
        """Read the lines of `block` (after `number` earlier lines); returns the new count.

        Once a boot has armed (or failed), or from its first line where the
        text carries monotonic time, only lines with a trigger word (or a
        separator), and the boot's last line, can still matter: the lines in
        between are skipped at C speed, after a check over the whole stretch
        that each starts like a journal line and is ASCII (else they are read
        one by one, so damage is still reported).
        """
        pos, end = 0, len(block)
        upcoming: dict[bytes, int] = {}
        self._hits = None
        while pos < end:
            fast = fastscan.use(block)
            # monotonic text without separators: every stamp of a boot's first minutes
            # may begin a boot; `_pass` watches for that in bulk
            if self._skimming and not (fast and self._shape_is_monotonic
                                       and not self._separated):
                if fast:
                    shape = self._template(block, pos)
                    clean = pos  # a continuation or damage: read it as a line
                    if shape is not None:
                        early = self._shape_is_monotonic and not self._separated
                        hits = self._hits
                        if hits is None or hits.shape != (shape, early):
                            hits = self._hits = fastscan.BlockHits(block, shape, early)
                        clean = self._clean_fast(block, pos, hits.next_stop_line(block, pos),
                                                 hits)
                else:
                    target = next_stop_line(block, pos, upcoming)
                    clean = self._clean_until(block, pos, target)
                if clean > pos:
                    last = _last_entry_line(block, pos, clean)
                    if last is not None:
                        self._line(number + block.count(b"\n", pos, last) + 1,
                                   block[last:block.index(b"\n", last) + 1])
                    number += block.count(b"\n", pos, clean)
                    pos = clean
                    continue
            if fast and not self.full:
                passed = self._pass(block, pos, number)
                if passed is not None:
                    pos, number = passed
                    continue
            stop = block.find(b"\n", pos) + 1 or end
            number += 1
            self._line(number, block[pos:stop])
            pos = stop
        return number

    def _pass(self, block: bytes, pos: int, number: int) -> tuple[int, int] | None:
        """Read the lines from `pos` in bulk where each must be looked at only for its time
        (`bootlag.formats.stamps`): a wall clock before arming, or a monotonic clock without
        separators. Returns the new (pos, number), or None to read the line at `pos`."""
        style, quick = self._styles[0]
        m = quick.match(block, pos)
        if (m is None or not self._lines_in_boot or not self.collector.has(self._boot)
                or self._run is not None):  # (in a boot's first kernel lines: line by line)
            return None
        monotonic = style == self._monotonic
        if not monotonic and style != self._iso:
            return None
        shapes = self._template(block, pos)
        assert shapes is not None
        hits = self._hits
        if hits is None or hits.shape[0] != shapes:  # (early stamps do not matter here)
            hits = self._hits = fastscan.BlockHits(block, shapes, False)
        stop = self._clean_fast(block, pos, hits.next_stop_line(block, pos), hits, early=False)
        if stop - pos < 4096:
            return None
        import numpy as np

        from . import stamps

        shape = fastscan.template(block[pos:m.end()])
        entries, stop = stamps.entry_lines(block, pos, stop, shape)
        if monotonic:
            times = stamps.mono_us(block, entries, shape)
            if times is None:
                return None
            previous = [self._prev_mono if self._prev_mono is not None else times[0]]
            before = np.concatenate((previous, times[:-1])) if len(times) else times
            cut = np.flatnonzero((times < clock.RESET_BELOW_US)
                                 & (times + clock.RESET_DROP_US < before))
        else:
            decoded = stamps.iso_us(block, entries, shape)
            if decoded is None:
                return None
            times, valid = decoded
            state_prev = self.collector.previous_real(self._boot)
            before = np.concatenate(([times[0] if state_prev is None else state_prev],
                                     times[:-1])) if len(times) else times
            cut = np.flatnonzero(~valid | (times - before > clock.JUMP_FORWARD_US)
                                 | (before - times > clock.JUMP_BACKWARD_US))
        n = int(cut[0]) if cut.size else len(entries)
        if n < 2:
            return None
        if n < len(entries):
            stop = int(entries[n])
        last = int(entries[n - 1])
        fields = self._fields(block, last)
        if fields is None:
            return None
        host, ident = fields
        k = n - 1
        while is_placeholder_host(host) and k > 0:  # the latest real host name
            k -= 1
            found = self._fields(block, int(entries[k]))
            host = found[0] if found else None
        name = text_style(block[pos:m.end()].decode())
        assert name is not None
        self._formats[name] = self._formats.get(name, 0) + n
        self._lines_in_boot += n
        line = number + block.count(b"\n", pos, last) + 1
        value = int(times[n - 1])
        if monotonic:
            self._prev_mono = value
        else:
            self._prev_real = value
        if not is_placeholder_host(host):
            self._prev_host = host
        self.collector.passed(self._boot, (line, value if monotonic else None,
                                           None if monotonic else value, ident),
                              None if is_placeholder_host(host) else host)
        return stop, number + block.count(b"\n", pos, stop)

    def _fields(self, block: bytes, start: int) -> tuple[str | None, str] | None:
        """(host, ident) of the entry line at `start`."""
        line = block[start:block.index(b"\n", start)].decode("ascii", "replace")
        m = (_MONO if self._styles[0][0] == self._monotonic else _ISO).match(line)
        fields = _split_prefix(line[m.end():]) if m else None
        return (fields[0], fields[1]) if fields else None  # type: ignore[return-value]

    def _template(self, block: bytes, pos: int) -> frozenset[bytes] | None:
        """The templates (`fastscan.template`) of the stamps seen at the start of skimmed
        stretches, that of the line at `pos` among them; None if it has no stamp."""
        m = self._styles[0][1].match(block, pos)
        if m is None:
            return None
        shape = fastscan.template(block[pos:m.end()])
        if shape not in self._templates:
            if len(self._templates) >= 16:  # a style whose stamps vary: start afresh
                self._templates = frozenset()
            self._templates |= fastscan.family(shape)
        return self._templates

    def _clean_fast(self, block: bytes, pos: int, target: int, hits: fastscan.BlockHits,
                    early: bool = True) -> int:
        """`_clean_until` from the one scan of the block (`fastscan.BlockHits`); `early`:
        stop at early monotonic stamps (as a skim must)."""
        if not self._shape.match(block, pos) or block.find(b": ", pos,
                                                           block.find(b"\n", pos)) < 0:
            return pos  # (a line without a message is read, to be reported)
        if early and self._shape_is_monotonic and not self._separated:
            if _EARLY_MONO.match(block, pos):
                return pos
            first = hits.first_early(pos, target)
            target = first if first is not None else target
        elif not self._shape_is_monotonic and not self._separated:
            target = self._syslog_target(block, pos, target)
            if target <= pos:
                return pos
        stop = target
        for start in hits.misfits(pos, target):
            if not self._shape.match(block, start):  # it departs from the template, and
                stop = start  # from the style: a misfit (else another stamp width or zone)
                break
        if not hits.ascii:
            odd = _NON_ASCII.search(block, pos, stop)
            if odd:
                stop = block.rfind(b"\n", pos, odd.start()) + 1
        return stop

    def _syslog_target(self, block: bytes, pos: int, target: int) -> int:
        """Where a skim of syslog text must stop before `target`: at a kernel line with a
        printk time (a reset starts a boot) or at a line of another host."""
        kernel = events.PRINTK_BYTES.search(block, pos, target)
        if kernel:
            target = block.rfind(b"\n", pos, kernel.start()) + 1 or pos
        if self._prev_host is not None and target > pos:
            other = _other_host(self._quick, self._prev_host).search(block, pos, target)
            target = other.start() + 1 if other else target
        return target

    def _clean_until(self, block: bytes, pos: int, target: int) -> int:
        """How far from `pos` (a line start) every line is ASCII and shaped like the last one.

        Monotonic text without boot separators also stops at a stamp under
        120 s: a boot without kernel lines may begin there, and only a full
        read sees it. (journalctl marks every change of boot where it prints
        separators at all.)
        """
        if not self._shape.match(block, pos):
            return pos
        if self._shape_is_monotonic and not self._separated:  # (early lines: no long search)
            if _EARLY_MONO.match(block, pos):
                return pos
            early = _EARLY_MONO_LINE.search(block, pos, target)
            target = early.start() + 1 if early else target
        elif not self._separated:
            target = self._syslog_target(block, pos, target)
            if target <= pos:
                return pos
        if block.find(b": ", pos, block.find(b"\n", pos)) < 0:
            return pos  # (a line without a message is read, to be reported)
        bare = _NO_MESSAGE.search(block, pos, target)
        target = bare.start() + 1 if bare else target
        bad = self._misfit.search(block, pos, target)
        stop = bad.start() + 1 if bad else target  # the misfit line starts after its newline
        odd = _NON_ASCII.search(block, pos, stop)
        if odd:
            stop = block.rfind(b"\n", pos, odd.start()) + 1
        return stop

    def _line(self, number: int, raw: bytes) -> None:
        info = self.info
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("utf-8", "replace")
            info.skip("not valid UTF-8; read with replacement characters", number)
        line = line.rstrip("\r\n")
        if not line.strip():
            return
        if line.startswith("-- "):
            self._control_line(line, number)
            self._skimming = False
            return
        styles = self._styles
        for i, (style, quick) in enumerate(styles):
            parsed = style(line)
            if parsed is not None:
                if i:  # try the style that matched first next time
                    styles.insert(0, styles.pop(i))
                    self._shape, self._misfit = _shape(quick), _misfit(quick)
                    self._quick = quick
                    self._shape_is_monotonic = style == self._monotonic
                break
        else:
            if not line[0].isspace():  # indented lines continue a multi-line message
                info.skip("not a journal line (skipped)", number)
            return
        mono, real, end = parsed
        fields = _split_prefix(line[end:])
        if fields is None:
            info.skip("timestamp without 'identifier: message' (skipped)", number)
            return
        host, ident, message, pid = fields
        event = events.classify(ident, message, pid)
        printk = events.printk_us(ident, message) if mono is None else None
        self._maybe_new_boot(mono, event, printk, real, host)
        self._follow_run(event, ident)
        self._lines_in_boot += 1
        if mono is not None:
            self._prev_mono = mono
        if printk is not None:
            self._prev_printk = printk
        if real is not None:
            self._prev_real = real
        if not is_placeholder_host(host):
            self._prev_host = host
        self.collector.add(self._boot, number, mono, real, host, ident, message, event,
                           printk)
        self._skimming = not self.full and self.collector.may_skim(self._boot, mono is not None)

    def _maybe_new_boot(self, mono: int | None, event: events.Event | None,
                        printk: int | None, real: int | None, host: str | None) -> None:
        """A boot begins at: a kernel start (the first of the lines a kernel prints first,
        `events.starts_boot`); a monotonic clock, or a kernel line's printk time in syslog
        text, back near zero; another host whose wall clock goes back by more than a jump
        (`clock.JUMP_FORWARD_US`: two hosts' logs concatenated, not the small disorder of
        a central syslog's interleaved hosts)."""
        if not self._lines_in_boot:
            return
        other_host = (not self._separated and real is not None and self._prev_real is not None
                      and self._prev_host is not None and not is_placeholder_host(host)
                      and host != self._prev_host
                      and self._prev_real - real > clock.JUMP_FORWARD_US)
        if (events.starts_boot(event, self._run) or other_host
                or clock.monotonic_reset(self._prev_mono, mono)
                or (not self._separated and clock.monotonic_reset(self._prev_printk, printk))):
            self._new_boot()

    def _follow_run(self, event: events.Event | None, ident: str | None) -> None:
        """Follow the run of kernel-start lines a boot begins with (`events.starts_boot`)."""
        stage = event.rule.stage if event is not None else None
        if stage is not None and (not self._lines_in_boot or self._run is not None):
            self._run = stage
        elif ident != "kernel" or not self._lines_in_boot:
            self._run = None


def _name_first_boot(records: list[Record], first: str) -> list[Record]:
    """Give the file's first boot the id of a later separator that continues it.

    journalctl names the *new* boot at each change, so the first boot of a
    file has no id, until entries of several hosts interleave and the output
    comes back to it. So only in a file of several hosts: a later
    ``-- Boot <id> --`` segment with no kernel start, of the first boot's host,
    whose monotonic clock (where there is one) goes on from where the first
    boot's stopped, is that boot, if it is the only one.
    """
    started = {r.boot for r in records if r.kind is Kind.KERNEL_START}
    hosts: dict[str, set[str]] = {}
    monos: dict[str, list[int]] = {}
    for r in records:
        if not is_placeholder_host(r.host):
            hosts.setdefault(r.boot, set()).add(r.host)  # type: ignore[arg-type]
        if r.mono_us is not None:
            monos.setdefault(r.boot, []).append(r.mono_us)
    if first not in hosts or len(set().union(*hosts.values())) < 2:
        return records
    first_end = max(monos.get(first, [0]))
    candidates = [boot for boot in hosts if boot != first and boot not in started
                  and "#" not in boot and hosts[boot] & hosts[first]
                  and min(monos.get(boot, [first_end])) >= first_end]
    if len(candidates) != 1:
        return records
    return [r._replace(boot=candidates[0]) if r.boot == first else r for r in records]


def default_year(mtime: float) -> int:
    return datetime.fromtimestamp(mtime, tz=timezone.utc).year


def read_text(stream: InputStream, options: ReadOptions, info: SourceInfo) -> Iterator[Record]:
    """journalctl's ``-o short*`` outputs and syslog files (see the module docstring)."""
    return TextReader(info, options).read(stream)


def text_style(line: str) -> str | None:
    """The text format a line is written in (``short-iso``, ...), None if it has no stamp."""
    m = _MONO.match(line)
    if m:
        return "short-delta" if "<" in m.group(0) or "  ]" in m.group(0) else "short-monotonic"
    m = _ISO.match(line)
    if m:
        return "short-iso-precise" if m.group(7) else "short-iso"
    if _UNIX.match(line):
        return "short-unix"
    if _FULL.match(line):
        return "short-full"
    m = _SHORT.match(line)
    if m and month_number(m.group(1)):
        return "short-precise" if m.group(6) else "short"
    return None
