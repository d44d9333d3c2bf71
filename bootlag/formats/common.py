"""What every format reader shares: per-boot bookkeeping and the warnings it reports."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .. import clock, events, matters
from ..records import LINE, BootlagWarning, Kind, Position, Record, Seconds
from ..sources import InputStream

_MAX_LISTED = 5  # line numbers named in a warning before "and N more"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a source; every reader takes the same options.

    `year` is the year of the last line of year-less ``short`` text, `tz` the
    IANA zone local-time text was written in, `mtime` the file's modification
    time (the year's fallback). `full` reads every entry instead of skipping
    the ones `bootlag.matters` says cannot matter (for tests of that contract).
    """

    year: int | None = None
    tz: str | None = None
    mtime: float = 0.0
    full: bool = False


def buffered(raw: InputStream) -> io.BufferedReader:
    """A stream read in large blocks (readers that go line by line need one)."""
    return io.BufferedReader(raw, buffer_size=1 << 20)


@dataclass
class SourceInfo:
    """What a reader learnt about one source, for the boots table and the user."""

    name: str
    host: str | None = None  # the host, when the container knows it (a sosreport)
    unit: str = LINE  # what positions count in it: "line", or "offset" (binary journals)
    zone: str | None = None  # the zone local-time text was read in: "UTC (assumed)", ...
    zone_problem: str | None = None  # why that zone is in doubt ("the text says CET; ...")
    formats_seen: dict[str, int] = field(default_factory=dict)  # format -> entries
    skipped: dict[str, list[int]] = field(default_factory=dict)  # reason -> positions

    def skip(self, reason: str, at: int) -> None:
        self.skipped.setdefault(reason, []).append(at)

    @property
    def format(self) -> str:
        """The registered format most of its entries had ("unknown" before any was read)."""
        seen = self.formats_seen
        return max(seen, key=seen.__getitem__) if seen else "unknown"

    def position(self, at: int) -> Position:
        return Position(at, self.unit)

    @property
    def zone_text(self) -> str | None:
        """The zone as the boots table shows it (``unknown (why)`` when in doubt)."""
        return f"unknown ({self.zone_problem})" if self.zone_problem else self.zone

    def first_skip(self) -> str:
        """Where the first skip was and why: "line 12: not a journal line (skipped)"."""
        reason, numbers = next(iter(self.skipped.items()))
        return f"{self.unit} {numbers[0]}: {reason}"

    def warn(self) -> None:
        """One warning per reason, naming the file and the first few lines (or offsets)."""
        for reason, numbers in self.skipped.items():
            shown = ", ".join(str(n) for n in numbers[:_MAX_LISTED])
            more = f" and {len(numbers) - _MAX_LISTED} more" if len(numbers) > _MAX_LISTED else ""
            where = self.unit if len(numbers) == 1 else f"{self.unit}s"
            warnings.warn(f"{self.name}: {where} {shown}{more}: {reason}", BootlagWarning,
                          stacklevel=2)


class _BootState:
    __slots__ = ("armed", "host", "last", "prev_real", "printk", "printk_bound")

    def __init__(self) -> None:
        self.printk: Record | None = None  # the kernel line that bounds kernel start best
        self.printk_bound = 0
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

    def __init__(self, source: str, unit: str = LINE) -> None:
        self.source = source
        self.unit = unit
        self.records: list[Record] = []
        self._boots: dict[str, _BootState] = {}

    def add(self, boot: str, line: int, mono: int | None, real: int | None,
            host: str | None, ident: str | None, message: str,
            event: events.Event | None, printk_us: int | None = None) -> None:
        state = self._boots.get(boot)
        if state is None:
            state = self._boots[boot] = _BootState()
            # A boot's first and last entries matter for their place and time only:
            # their text is not kept (memory grows with the number of boots).
            self.records.append(Record(Kind.FIRST, boot, host, mono, real, ident, "",
                                       self.source, Position(line, self.unit)))
        if event is not None:
            self.records.append(Record(event.kind, boot, host, mono, real, ident, message,
                                       self.source, Position(line, self.unit), event.detail))
            if event.kind in (Kind.ARMED, Kind.FAILED):
                state.armed = True
        if mono is None and real is not None and not state.armed:
            prev = state.prev_real
            if prev is not None and clock.jumped(prev, real):
                self.records.append(Record(Kind.JUMP, boot, host, mono, real, ident, message,
                                           self.source, Position(line, self.unit),
                                           Seconds((real - prev) / 1e6)))
            state.prev_real = real
        if printk_us is not None and real is not None and mono is None:
            bound = clock.printk_bound(real, printk_us)
            if state.printk is None or bound < state.printk_bound:
                # The receive time is kept as read (text resolves its zone later).
                state.printk, state.printk_bound = Record(
                    Kind.PRINTK, boot, host, None, real, ident, "", self.source,
                    Position(line, self.unit), Seconds(printk_us / 1e6)), bound
        if not is_placeholder_host(host):
            state.host = host
        state.last = (line, mono, real, ident)

    def has(self, boot: str) -> bool:
        """Whether `boot` has had an entry (its FIRST record is made)."""
        return boot in self._boots

    def passed(self, boot: str, last: tuple[int, int | None, int | None, str | None],
               host: str | None) -> None:
        """Entries of a seen `boot` that are no events, no boundaries and no clock jumps were
        passed over in bulk: `last` (line, mono, real, ident) is the latest of them, `host`
        the latest real host name among them (None: none). As `add` for each of them."""
        state = self._boots[boot]
        _, mono, real, _ = last
        if mono is None and real is not None and not state.armed:
            state.prev_real = real
        if host is not None:
            state.host = host
        state.last = last

    def previous_real(self, boot: str) -> int | None:
        """The wall time of `boot`'s latest entry, as the jump watch keeps it."""
        return self._boots[boot].prev_real

    def settled(self, boot: str) -> bool:
        """Whether `boot` has armed or failed (later entries matter only if they are events)."""
        state = self._boots.get(boot)
        return state is not None and state.armed

    def may_skim(self, boot: str, monotonic: bool) -> bool:
        """Whether entries of `boot` without a trigger word may now be skipped
        (`bootlag.matters.may_skim`)."""
        return matters.may_skim(monotonic, self.settled(boot))

    def finish(self) -> list[Record]:
        """All records, with a LAST record closing each boot (carrying its best host name)."""
        for boot, state in self._boots.items():
            if state.printk is not None:
                self.records.append(state.printk)
            if state.last is not None:
                line, mono, real, ident = state.last
                self.records.append(Record(Kind.LAST, boot, state.host, mono, real, ident, "",
                                           self.source, Position(line, self.unit)))
        self._boots.clear()
        return self.records


BLOCK = 1 << 20
LONGEST_LINE = 64 << 20  # a "line" longer than this is damage; it is cut there


def line_blocks(stream: BinaryIO | InputStream) -> Iterator[bytes]:
    """The stream in blocks of whole lines (the last may lack its newline).

    An `InputStream` is read with `InputStream.read_block` (a plain file's bytes
    are copied once, not through two buffers).
    """
    read = stream.read_block if isinstance(stream, InputStream) else stream.read
    carry = b""
    while chunk := read(BLOCK):
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            carry += chunk
            if len(carry) < LONGEST_LINE:
                continue  # a line longer than a chunk: read on
            yield carry
            carry = b""
            continue
        whole = chunk if cut == len(chunk) else chunk[:cut]
        block = carry + whole if carry else whole
        carry = chunk[cut:]
        yield block
    if carry:
        yield carry


def next_stop_line(block: bytes, pos: int, upcoming: dict[bytes, int],
                   stops: tuple[bytes, ...] = matters.STOPS) -> int:
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
