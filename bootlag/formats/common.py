"""What every format reader shares: per-boot bookkeeping and the warnings it reports."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .. import events
from ..records import FIRST, JUMP, LAST, BootlagWarning, Record

# The wall clock "jumped" when consecutive entries before arming are further
# apart than this (a DST change, an NTP or RTC step, an hour-long hang) or go
# backwards by more than a little (entries are written in order; a second of
# disorder comes from clients' own timestamps).
JUMP_FORWARD_US = 900 * 1_000_000
JUMP_BACKWARD_US = 2 * 1_000_000
_MAX_LISTED = 5  # line numbers named in a warning before "and N more"


@dataclass
class SourceInfo:
    """What a reader learnt about one source, for the boots table and the user."""

    name: str
    host: str | None = None  # the host, when the container knows it (a sosreport)
    format: str = "unknown"
    realtime_zone: str | None = None  # how wall-clock text was read: "UTC", "+09:00", ...
    skipped: dict[str, list[int]] = field(default_factory=dict)  # reason -> line numbers

    def skip(self, reason: str, line: int) -> None:
        self.skipped.setdefault(reason, []).append(line)

    def warn(self) -> None:
        """One warning per reason, naming the file and the first few lines."""
        for reason, lines in self.skipped.items():
            shown = ", ".join(str(n) for n in lines[:_MAX_LISTED])
            more = f" and {len(lines) - _MAX_LISTED} more" if len(lines) > _MAX_LISTED else ""
            where = "line" if len(lines) == 1 else "lines"
            warnings.warn(f"{self.name}: {where} {shown}{more}: {reason}", BootlagWarning,
                          stacklevel=2)


class _BootState:
    __slots__ = ("armed", "host", "last", "prev_real")

    def __init__(self) -> None:
        self.host: str | None = None
        self.last: tuple[int, int | None, int | None, str | None] | None = None
        self.prev_real: int | None = None
        self.armed = False


def is_placeholder_host(host: str | None) -> bool:
    """Names a host carries before it knows its own (initrd, early boot)."""
    return not host or host.startswith("localhost") or host in ("(none)", "bogon")


class Collector:
    """Turns a reader's stream of journal entries into the records that matter.

    A reader calls `add` for every entry; the collector keeps the first and
    last entry of each boot, the classified events, and, where the format has
    no monotonic clock, any wall-clock jump before the boot armed.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.records: list[Record] = []
        self._boots: dict[str, _BootState] = {}

    def add(self, boot: str, line: int, mono: int | None, real: int | None,
            host: str | None, ident: str | None, message: str,
            event: events.Event | None) -> None:
        state = self._boots.get(boot)
        if state is None:
            state = self._boots[boot] = _BootState()
            # A boot's first and last entries matter for their place and time only:
            # their text is not kept (memory grows with the number of boots).
            self.records.append(Record(FIRST, boot, host, mono, real, ident, "",
                                       self.source, line))
        if event is not None:
            self.records.append(Record(event.kind, boot, host, mono, real, ident, message,
                                       self.source, line, event.detail))
            if event.kind in (events.ARMED, events.FAILED):
                state.armed = True
        if mono is None and real is not None and not state.armed:
            prev = state.prev_real
            if prev is not None and (real - prev > JUMP_FORWARD_US
                                     or prev - real > JUMP_BACKWARD_US):
                self.records.append(Record(JUMP, boot, host, mono, real, ident, message,
                                           self.source, line, (real - prev) / 1e6))
            state.prev_real = real
        if not is_placeholder_host(host):
            state.host = host
        state.last = (line, mono, real, ident)

    def settled(self, boot: str) -> bool:
        """Whether `boot` has armed or failed (later entries matter only if they are events)."""
        state = self._boots.get(boot)
        return state is not None and state.armed

    def finish(self) -> list[Record]:
        """All records, with a LAST record closing each boot (carrying its best host name)."""
        for boot, state in self._boots.items():
            if state.last is not None:
                line, mono, real, ident = state.last
                self.records.append(Record(LAST, boot, state.host, mono, real, ident, "",
                                           self.source, line))
        self._boots.clear()
        return self.records


BLOCK = 1 << 20
LONGEST_LINE = 64 << 20  # a "line" longer than this is damage; it is cut there
SKIM_STOPS = (*(w.encode() for w in events.TRIGGER_WORDS), b"-- ")


def line_blocks(stream: BinaryIO) -> Iterator[bytes]:
    """The stream in blocks of whole lines (the last may lack its newline)."""
    carry = b""
    while chunk := stream.read(BLOCK):
        block = carry + chunk
        cut = block.rfind(b"\n") + 1
        if not cut and len(block) < LONGEST_LINE:
            carry = block  # a line longer than a chunk: read on
            continue
        cut = cut or len(block)
        yield block[:cut]
        carry = block[cut:]
    if carry:
        yield carry


def next_stop_line(block: bytes, pos: int, upcoming: dict[bytes, int],
                   stops: tuple[bytes, ...] = SKIM_STOPS) -> int:
    """Start of the next line at or after `pos` holding one of `stops` (else the block's end).

    `upcoming` caches where each word occurs next, so a block is searched once
    per word (at C speed) however many lines are skipped.
    """
    nearest = len(block)
    for word in stops:
        at = upcoming.get(word, -2)
        if at == -2 or (at != -1 and at < pos):
            at = upcoming[word] = block.find(word, pos)
        if at != -1 and at < nearest:
            nearest = at
    return block.rfind(b"\n", pos, nearest) + 1 if nearest > pos else pos
