"""Readers of the field-based outputs: ``-o json*``, ``-o export`` and ``-o verbose``.

All three carry the entry's own clocks: ``__REALTIME_TIMESTAMP`` (wall clock,
µs since the epoch, UTC) and ``__MONOTONIC_TIMESTAMP`` (µs since kernel start),
plus ``_BOOT_ID``; verbose carries them in its cursor
(``[s=…;i=…;b=<boot>;m=<mono hex>;t=<real hex>;x=…]``). Kernel entries also
carry the kernel's own time in ``_SOURCE_MONOTONIC_TIMESTAMP``; it is used as
the entry's monotonic time, and the wall clock is moved with it, since the
header stamps say only when journald received the line.
"""

from __future__ import annotations

import io
import json
import re
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

from .. import clock, events, matters
from ..records import Record
from ..sources import InputStream
from . import fastscan
from .common import (
    BLOCK,
    LONGEST_LINE,
    Collector,
    ReadOptions,
    SourceInfo,
    buffered,
    line_blocks,
    next_stop_line,
)

_ZERO_BOOT = "0" * 32
_FIELD_NAME = re.compile(rb"^[A-Za-z0-9_]+$")
_MAX_FIELD = 64 << 20  # longer binary fields are damage, not data
_CURSOR = re.compile(r"\bb=([0-9a-f]{32});m=([0-9a-f]{1,16});t=([0-9a-f]{1,16})")
_VERBOSE_HEAD = re.compile(r"^\S.* \[(s=[^\]]*)\]$")
_VERBOSE_FIELD = re.compile(r"^    ([A-Za-z0-9_]+)=(.*)$")


def _text(value: Any) -> str | None:
    """A field value as text: strings, raw bytes (binary journals), JSON byte arrays,
    repeated fields (the first), null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list) and value:
        if all(isinstance(v, int) for v in value):
            return bytes(v & 0xFF for v in value).decode("utf-8", "replace")
        return _text(value[0])
    return None


_VALID_TIME = 1 << 55  # journald's bound for a valid timestamp (µs), about year 3112


def _int(value: Any) -> int | None:
    """A timestamp field in µs, or None if it is missing or out of journald's range."""
    text = _text(value)
    if text is None or len(text) > 18:
        return None
    try:
        number = int(text)
    except ValueError:
        return None
    return number if 0 <= number < _VALID_TIME else None


class EntrySink:
    """Feeds entries given as field dicts to a `Collector`, applying the shared rules."""

    def __init__(self, info: SourceInfo) -> None:
        self.info = info
        self.collector = Collector(info.name, info.unit)
        self._last_boot: str | None = None
        self._orphans: list[tuple[dict[str, Any], int]] = []

    def entry(self, fields: dict[str, Any], line: int) -> None:
        if "__MONOTONIC_TIMESTAMP" not in fields and "__REALTIME_TIMESTAMP" not in fields:
            self.info.skip("not a journal entry: no __REALTIME_TIMESTAMP or "
                           "__MONOTONIC_TIMESTAMP (skipped)", line)
            return
        boot = (_text(fields.get("_BOOT_ID")) or "").lower()
        if not boot or boot == _ZERO_BOOT:
            # Some systemd versions export kernel entries with a zero boot id;
            # they belong to the boot whose entries follow them.
            self._orphans.append((fields, line))
            return
        if self._orphans:
            orphans, self._orphans = self._orphans, []
            for orphan, orphan_line in orphans:
                self._add(boot, orphan, orphan_line)
        self._add(boot, fields, line)

    def _add(self, boot: str, fields: dict[str, Any], line: int) -> None:
        self._last_boot = boot
        source_mono = _int(fields.get("_SOURCE_MONOTONIC_TIMESTAMP"))
        mono, real = clock.kernel_line_times(_int(fields.get("__MONOTONIC_TIMESTAMP")),
                                             _int(fields.get("__REALTIME_TIMESTAMP")),
                                             source_mono)
        ident = (_text(fields.get("SYSLOG_IDENTIFIER")) or _text(fields.get("_COMM"))
                 or "unknown")
        message = _text(fields.get("MESSAGE"))
        if message is None:
            message = ""
        event = events.classify(ident, message, _text(fields.get("_PID")))
        # Without the monotonic clock (a log pipeline dropped it), a kernel line's printk
        # time still bounds kernel start.
        self.collector.add(boot, line, mono, real, _text(fields.get("_HOSTNAME")), ident,
                           message, event, source_mono if mono is None else None)

    def finish(self) -> list[Record]:
        for fields, line in self._orphans:
            if self._last_boot is None:
                self.info.skip("entry without _BOOT_ID (skipped)", line)
            else:
                self._add(self._last_boot, fields, line)
        self._orphans = []
        return self.collector.finish()


def read_json(stream: InputStream, options: ReadOptions, info: SourceInfo) -> Iterator[Record]:
    """``-o json``, ``json-seq``, ``json-sse`` (one object a line) and ``json-pretty``."""
    return _JsonReader(info, options.full).read(stream)


_BOOT_KEY = b'"_BOOT_ID"'


class _JsonReader:
    """Reads JSON entries; skims lines that can only matter as a boot's last line.

    A line without a trigger word (`events.TRIGGER_WORDS`) of a boot already
    seen can only be that boot's last entry, so it is kept aside unparsed and
    parsed at the end if nothing of its boot came after it. json-pretty
    objects span lines, so those files are parsed whole.
    """

    def __init__(self, info: SourceInfo, full: bool) -> None:
        self.info = info
        self.full = full  # read every line (no skimming)
        self.sink = EntrySink(info)
        self.kinds: set[str] = set()
        self.pretty: list[str] = []  # lines of a json-pretty object
        self.start = 0
        self.seen: set[bytes] = set()  # boots that have had an entry parsed
        self.latest: dict[bytes, tuple[int, bytes]] = {}  # boot -> its latest skimmed line

    def read(self, stream: BinaryIO | InputStream) -> Iterator[Record]:
        number = 0
        for block in line_blocks(stream):
            number = self._block(block, number)
        for line_no, raw in sorted(self.latest.values()):
            self._line(line_no, raw)
        if self.pretty:
            self.info.skip("JSON object cut off at the end of the file (skipped)", self.start)
        kinds = self.kinds
        self.info.formats_seen[kinds.pop() if len(kinds) == 1 else "json"] = 1
        yield from self.sink.finish()

    def _block(self, block: bytes, number: int) -> int:
        pos, end = 0, len(block)
        upcoming: dict[bytes, int] = {}
        hits: fastscan.BlockHits | None = None
        while pos < end:
            skim = not (self.full or self.pretty or "json-pretty" in self.kinds)
            if skim and fastscan.use(block):
                hits = hits or fastscan.BlockHits(block, None)
                target = hits.next_stop_line(block, pos)
            else:
                target = next_stop_line(block, pos, upcoming) if skim else end
            if target > pos and skim:
                number = self._skim(block[pos:target], number)
                pos = target
                continue
            stop = block.find(b"\n", pos) + 1 or end
            number += 1
            self._line(number, block[pos:stop])
            pos = stop
        return number

    def _skim(self, stretch: bytes, number: int) -> int:
        """Lines without a stop (`stretch`, whole lines): kept aside per boot, unparsed, where
        their boot was seen (the latest of each may be its boot's last entry); else parsed."""
        lines = stretch.count(b"\n")
        last = stretch[stretch.rfind(b"\n", 0, len(stretch) - 1) + 1:-1]
        at = last.find(_BOOT_KEY)
        boot = last[last.find(b'"', at + 10) + 1:][:32] if at >= 0 else b""
        if (boot in self.seen and stretch.count(_BOOT_KEY) == lines
                and stretch.count(_BOOT_KEY + b':"' + boot + b'"') == lines and stretch.isascii()
                and not matters.text_hidden(stretch)):
            self.latest[boot] = (number + lines, last)  # all of one boot: only the last counts
            return number + lines
        for raw in stretch.split(b"\n")[:-1]:
            number += 1
            at = raw.find(_BOOT_KEY)
            boot = raw[raw.find(b'"', at + 10) + 1:][:32] if at >= 0 else b""
            if (not self.pretty and boot in self.seen and raw.isascii()
                    and not matters.text_hidden(raw)):
                self.latest[boot] = (number, raw)
            else:
                self._line(number, raw)
        return number

    def _line(self, number: int, raw: bytes) -> None:
        line = decode(raw, self.info, number).strip()
        if self.pretty:
            self.pretty.append(line)
            if line != "}":
                return
            text, line_no, self.pretty = "\n".join(self.pretty), self.start, []
            self.kinds.add("json-pretty")
        else:
            if not line:
                return
            if line.startswith("\x1e"):
                line = line[1:]
                self.kinds.add("json-seq")
            elif line.startswith("data: "):
                line = line[6:]
                self.kinds.add("json-sse")
            if line == "{":
                self.pretty, self.start = [line], number
                return
            text, line_no = line, number
        try:
            fields = json.loads(text)
        except ValueError:
            fields = None
        if not isinstance(fields, dict):
            self.info.skip("not a JSON object (skipped)", line_no)
            return
        boot = _text(fields.get("_BOOT_ID"))
        if boot and boot != _ZERO_BOOT:  # zero ids belong to the boot that follows them
            key = boot.encode()
            self.seen.add(key)
            self.latest.pop(key, None)  # an entry after it: it was not the last
        self.sink.entry(fields, line_no)


_CUT_LINE = "a line longer than 64 MiB, cut there"


def _bounded_line(stream: BinaryIO) -> bytes:
    """The next line, cut at LONGEST_LINE (the rest of a longer one is dropped unread;
    the cut line is then LONGEST_LINE + 1 bytes long, so callers can tell)."""
    line = stream.readline(LONGEST_LINE)
    if len(line) == LONGEST_LINE and not line.endswith(b"\n"):
        while (rest := stream.readline(LONGEST_LINE)) and not rest.endswith(b"\n"):
            pass
        line += b"\n"
    return line


class _Pushback:
    """A byte stream that can take back what was read (to resynchronise after damage)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""

    def unread(self, data: bytes) -> None:
        self._pending = data + self._pending

    def readline(self) -> bytes:
        if not self._pending:
            return _bounded_line(self._stream)
        end = self._pending.find(b"\n") + 1
        if end:
            line, self._pending = self._pending[:end], self._pending[end:]
            return line
        line, self._pending = self._pending, b""
        return line + _bounded_line(self._stream)

    def read(self, size: int) -> bytes:
        head, self._pending = self._pending[:size], self._pending[size:]
        return head + self._stream.read(size - len(head)) if len(head) < size else head


def decode(value: bytes, info: SourceInfo, line: int) -> str:
    """UTF-8 text; other bytes are damage in a text field, so they are reported."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        info.skip("not valid UTF-8; read with replacement characters", line)
        return value.decode("utf-8", "replace")


def read_export(stream: InputStream, options: ReadOptions, info: SourceInfo) -> Iterator[Record]:
    """Journal export format: ``FIELD=value`` lines, or ``FIELD`` + le64 size + bytes.

    A damaged entry (a wrong binary size, a line that is not a field) is
    skipped up to the empty line that ends it, taking back any bytes a wrong
    size swallowed so the entries after it are still read.

    Unless `options.full`, runs of whole entries of one boot already seen,
    without a stop (`matters.STOPS`), a binary field or a line that is not
    ``FIELD=value``, are passed over (`_SkimReader`): only the last of each is
    kept, and read at the end if nothing of its boot came after it.
    """
    info.formats_seen["export"] = 1
    sink = EntrySink(info)
    names: dict[bytes, str | None] = {n.encode(): n for n in matters.ENTRY_FIELDS}
    if options.full or not fastscan.AVAILABLE:
        _export_entries(_Pushback(buffered(stream)), sink, info, names, 0, None)
    else:
        latest: dict[str, tuple[int, bytes]] = {}
        _export_entries(_SkimReader(stream), sink, info, names, 0, latest)
        for start, raw in sorted(latest.values()):
            _export_entries(_Pushback(io.BytesIO(raw)), sink, info, names, start - 1, None)
    yield from sink.finish()


def _export_entries(reader: _Pushback | _SkimReader, sink: EntrySink, info: SourceInfo,
                    names: dict[bytes, str | None], line: int,
                    latest: dict[str, tuple[int, bytes]] | None) -> None:
    """Feed the export entries of `reader` (after `line` lines) to `sink`; with `latest`,
    skim where `_SkimReader.skim` can (the boot -> (line, bytes) of the last entry passed)."""
    fields: dict[str, Any] = {}
    start = line + 1
    broken = False
    seen: set[str] = set()
    while raw := reader.readline():
        line += 1
        if len(raw) > LONGEST_LINE:
            info.skip(_CUT_LINE, line)
        body = raw.rstrip(b"\r\n")
        if not raw.endswith(b"\n"):
            if fields or body:
                info.skip("export entry cut off at the end of the file (skipped)", start)
            fields, broken = {}, True
            break
        if not body:  # the empty line that ends an entry
            if fields and not broken:
                sink.entry(fields, start)
                if latest is not None:
                    boot = (_text(fields.get("_BOOT_ID")) or "").lower()
                    if boot and boot != _ZERO_BOOT:
                        seen.add(boot)
                        latest.pop(boot, None)  # an entry after it: it was not the last
            fields, broken, start = {}, False, line + 1
            if latest is not None and isinstance(reader, _SkimReader):
                passed = reader.skim(seen)
                if passed is not None:
                    lines, boot, before_last, last = passed
                    latest[boot] = (line + before_last + 1, last)
                    line += lines
                    start = line + 1
            continue
        if broken:
            continue
        name, eq, value = body.partition(b"=")
        if eq and (name in names or _FIELD_NAME.match(name)):
            key = names.get(name)
            if key is None:  # a field the sink does not read: checked once, not kept
                names.setdefault(name, None)
            elif key not in fields:
                fields[key] = value if value.isascii() else decode(value, info, line)
            continue
        binary = _binary_field(reader) if _FIELD_NAME.match(body) else None
        if binary is not None:
            # Binary form is how export carries any bytes, so no UTF-8 complaint here.
            data, newlines = binary
            fields.setdefault(body.decode(), data)
            line += 1 + newlines
            continue
        info.skip("damaged export entry (skipped)", start)
        broken = True
    if fields and not broken:
        info.skip("export entry without its closing empty line (skipped)", start)


class _SkimReader:
    """`_Pushback`'s reading over large blocks, and `skim` over whole entries."""

    def __init__(self, stream: InputStream) -> None:
        self._stream = stream
        self._buf = b""
        self._pos = 0
        self._eof = False
        self._hits: fastscan.BlockHits | None = None

    def _fill(self, need: int) -> bool:
        """At least `need` bytes after the position, unless the stream ends first."""
        while len(self._buf) - self._pos < need and not self._eof:
            chunk = self._stream.read_block(BLOCK)
            if not chunk:
                self._eof = True
                break
            self._buf = self._buf[self._pos:] + chunk
            self._pos = 0
            self._hits = None
        return len(self._buf) - self._pos >= need

    def readline(self) -> bytes:
        while True:
            end = self._buf.find(b"\n", self._pos, self._pos + LONGEST_LINE)
            if end >= 0:
                line = self._buf[self._pos:end + 1]
                self._pos = end + 1
                return line
            if len(self._buf) - self._pos >= LONGEST_LINE or not self._fill(
                    len(self._buf) - self._pos + 1):
                break
        line = self._buf[self._pos:self._pos + LONGEST_LINE]
        self._pos += len(line)
        if len(line) == LONGEST_LINE:  # as _bounded_line: the rest of a longer line dropped
            while True:
                end = self._buf.find(b"\n", self._pos)
                if end >= 0:
                    self._pos = end + 1
                    break
                self._pos = len(self._buf)
                if not self._fill(1):
                    break
            line += b"\n"
        return line

    def read(self, size: int) -> bytes:
        self._fill(size)
        data = self._buf[self._pos:self._pos + size]
        self._pos += len(data)
        return data

    def unread(self, data: bytes) -> None:
        self._buf = data + self._buf[self._pos:]
        self._pos = 0
        self._hits = None

    def skim(self, seen: set[str]) -> tuple[int, str, int, bytes] | None:
        """At an entry's start: pass over the whole entries up to the next that holds a stop,
        a binary field or a line that is not a field, if they are all of one boot in `seen`
        and ASCII. Returns (lines passed, boot, lines before the last entry, its bytes)."""
        if not seen:
            return None
        self._fill(BLOCK)
        buf, pos = self._buf, self._pos
        if self._hits is None:
            self._hits = fastscan.BlockHits(buf, None, export=True)
        stop = self._hits.next_stop_line(buf, pos)
        end = buf.rfind(b"\n\n", pos, stop) + 2
        if end < pos + 2:
            return None
        stretch = buf[pos:end]
        entries = stretch.count(b"\n\n")
        first = stretch.rfind(b"\n\n", 0, len(stretch) - 2) + 2 if entries > 1 else 0
        last = stretch[first:]
        at = last.find(b"\n_BOOT_ID=")
        boot = last[at + 10:last.find(b"\n", at + 10)] if at >= 0 else b""
        key = boot.decode("ascii", "replace").lower()
        if (key not in seen or not stretch.isascii() or b"\r" in stretch
                or stretch.count(b"\n_BOOT_ID=") != entries
                or stretch.count(b"\n_BOOT_ID=" + boot + b"\n") != entries):
            return None
        self._pos = end
        return stretch.count(b"\n"), key, stretch.count(b"\n", 0, first), last


def _binary_field(reader: _Pushback | _SkimReader) -> tuple[bytes, int] | None:
    """Read ``<le64 size><bytes>\\n`` -> (bytes, newlines consumed); on damage give it all back."""
    size_bytes = reader.read(8)
    taken = size_bytes
    if len(size_bytes) == 8:
        (size,) = struct.unpack("<Q", size_bytes)
        if size <= _MAX_FIELD:
            data = reader.read(size)
            end = reader.read(1)
            taken += data + end
            if len(data) == size and end == b"\n":
                return data, size_bytes.count(b"\n") + data.count(b"\n")
    reader.unread(taken)
    return None


def read_verbose(stream: InputStream, options: ReadOptions, info: SourceInfo) -> Iterator[Record]:
    """``-o verbose``: a header line with the cursor, then indented ``FIELD=value`` lines."""
    info.formats_seen["verbose"] = 1
    lines = buffered(stream)
    sink = EntrySink(info)
    fields: dict[str, Any] | None = None
    start = 0
    for number, raw in enumerate(iter(lambda: _bounded_line(lines), b""), 1):
        if len(raw) > LONGEST_LINE:
            info.skip(_CUT_LINE, number)
        line = decode(raw, info, number).rstrip("\r\n")
        if not line or line.startswith("-- "):
            continue
        if not line[0].isspace():
            if fields is not None:
                sink.entry(fields, start)
                fields = None
            head = _VERBOSE_HEAD.match(line)
            cursor = _CURSOR.search(head.group(1)) if head else None
            if cursor is None:
                info.skip("not a verbose entry header (skipped)", number)
                continue
            boot, mono, real = cursor.groups()
            fields, start = {"_BOOT_ID": boot, "__MONOTONIC_TIMESTAMP": str(int(mono, 16)),
                             "__REALTIME_TIMESTAMP": str(int(real, 16))}, number
            continue
        m = _VERBOSE_FIELD.match(line)
        if m and fields is not None:
            fields.setdefault(m.group(1), m.group(2))
    if fields is not None:
        sink.entry(fields, start)
    yield from sink.finish()
