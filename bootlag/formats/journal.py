"""Binary systemd journal files (``*.journal``, ``*.journal~``), read without libsystemd.

Written from systemd's ``docs/JOURNAL_FILE_FORMAT.md`` and
``src/libsystemd/sd-journal/journal-def.h`` (summarised in ``docs/formats.md``),
so collected journals can be scanned where there is no ``journalctl``: macOS,
Windows, a laptop holding a fleet's sosreports. Entries are read in the
order of the file's global ENTRY_ARRAY chain, as ``journalctl --file`` does.

Files copied from live or crashed hosts are often inconsistent: an online
file's last objects may not be linked yet, a ``.journal~`` or a partial
copy ends early. Every offset, size and type is checked before use, and when
the entry arrays do not account for every entry, a linear walk over the
objects (which need no index) finds the ENTRY objects that are still intact.
Nothing in a damaged file raises; what is skipped goes to ``problems``.

A cleanly closed file (OFFLINE or ARCHIVED) is read through its index instead
(`read_journal`): the ``_BOOT_ID`` DATA objects list each boot's entries, and
the ``MESSAGE`` DATA objects that pass `matters.TRIGGER` list the entries that
can be events, so only those entries are decoded (the contract of
`bootlag.matters`). Anything off in the index falls back to the full walk.
"""

from __future__ import annotations

import bisect
import mmap
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import matters
from ..records import OFFSET, BootlagError, Record
from ..sources import InputStream
from . import fastscan
from .common import ReadOptions, SourceInfo, is_placeholder_host
from .fields import EntrySink

__all__ = ["iter_entries", "read_journal"]

Problems = Callable[[str, int], None]
Data = bytes | mmap.mmap  # anything with the buffer protocol, len() and find()

SIGNATURE = b"LPKSHHRH"
_HEADER_MIN = 208  # fields up to tail_entry_monotonic exist in every version

# Header incompatible flags (journal-def.h): XZ 1, LZ4 2, KEYED_HASH 4, ZSTD 8, COMPACT 16.
# Hashes only matter for lookups, which this reader does not do; any other bit: refuse.
_INCOMPAT_COMPACT = 16
_INCOMPAT_KNOWN = 0x1F

# Object types and DATA object flags.
_DATA, _FIELD, _ENTRY, _DATA_HASH_TABLE, _FIELD_HASH_TABLE, _ENTRY_ARRAY, _TAG = range(1, 8)
_XZ, _LZ4, _ZSTD = 1, 2, 4
_MIN_SIZE = {_DATA: 65, _FIELD: 41, _ENTRY: 64, _DATA_HASH_TABLE: 16, _FIELD_HASH_TABLE: 16,
             _ENTRY_ARRAY: 24, _TAG: 64}
_ENTRY_START = b"\x03" + b"\x00" * 7  # type ENTRY, no flags, reserved bytes zero

_VALID_TIME = 1 << 55  # libsystemd's VALID_REALTIME / VALID_MONOTONIC bound
_MAX_PAYLOAD = 64 << 20  # a larger decompressed field is damage, not data

_U64 = struct.Struct("<Q")
_OBJECT = struct.Struct("<BB6xQ")  # type, flags, size
_ENTRY_HEAD = struct.Struct("<B7xQQQQ16s")  # type, size, seqnum, realtime, monotonic, boot_id
_DATA_HEAD = struct.Struct("<BB6xQ32xQ")  # type, flags, size, n_entries
# type, flags, size, next_field_offset, entry_offset, entry_array_offset, n_entries
_DATA_LINKS = struct.Struct("<BB6xQ16xQQQQ")
_FIELD_LINKS = struct.Struct("<8xQ8xQQ")  # size, next_hash_offset, head_data_offset

_HEADER_FIELDS = struct.Struct("<8sIIB7x64xQQ16xQQ16xQ16xQ")
# signature, compatible, incompatible, state, header_size, arena_size,
# field_hash_table_offset, field_hash_table_size, n_entries, entry_array_offset
_OFFLINE, _ARCHIVED = 0, 2
_ZERO_BOOT = b"0" * 32


@dataclass(frozen=True)
class _Header:
    """What a reader needs from the file header; later fields only if header_size covers them."""

    compact: bool
    closed: bool  # state OFFLINE or ARCHIVED: journald finished writing it
    header_size: int
    end: int  # header_size + arena_size, cut to the file's length
    cut: bool  # the file is shorter than the header says
    n_entries: int
    entry_array_offset: int
    field_table: tuple[int, int]  # offset (of the items) and size in bytes
    tail_entry_offset: int | None  # v254+


def _header(data: Data, name: str) -> _Header:
    """The parsed header, or `BootlagError` when the file cannot be read at all."""
    if len(data) < _HEADER_MIN or bytes(data[:8]) != SIGNATURE:
        raise BootlagError(f"{name}: not a systemd journal file (no LPKSHHRH header)")
    (_sig, _compat, incompat, state, header_size, arena_size, field_table, field_table_size,
     n_entries, array_offset) = _HEADER_FIELDS.unpack_from(data, 0)
    unknown = incompat & ~_INCOMPAT_KNOWN
    if unknown:
        raise BootlagError(
            f"{name}: journal file uses incompatible features this reader does not know "
            f"(incompatible flags 0x{unknown:x}); convert it with a newer journalctl: "
            f"'journalctl --file {name} -o export > {name}.export'")
    if header_size < _HEADER_MIN or header_size % 8 or header_size > len(data):
        raise BootlagError(f"{name}: damaged journal header (header size {header_size})")
    declared = header_size + arena_size
    tail_entry = _U64.unpack_from(data, 264)[0] if header_size >= 272 else None
    return _Header(compact=bool(incompat & _INCOMPAT_COMPACT),
                   closed=state in (_OFFLINE, _ARCHIVED), header_size=header_size,
                   end=min(declared, len(data)), cut=declared > len(data), n_entries=n_entries,
                   entry_array_offset=array_offset, field_table=(field_table, field_table_size),
                   tail_entry_offset=tail_entry or None)


def _zstd() -> Callable[[bytes], bytes]:
    """A zstd frame decoder: the stdlib's on Python 3.14+, else the ``zstandard`` package."""
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+

        def stdlib(payload: bytes) -> bytes:
            size = zstd.get_frame_info(payload).decompressed_size
            if size is None or size > _MAX_PAYLOAD:
                raise ValueError("zstd frame without a plausible content size")
            return zstd.decompress(payload)
        return stdlib
    except ImportError:
        pass
    import zstandard

    decompressor = zstandard.ZstdDecompressor()

    def package(payload: bytes) -> bytes:
        size = zstandard.frame_content_size(payload)
        if size < 0 or size > _MAX_PAYLOAD:
            raise ValueError("zstd frame without a plausible content size")
        return decompressor.decompress(payload)
    return package


def _lz4() -> Callable[[bytes], bytes]:
    """systemd's LZ4 framing (compress.c): le64 uncompressed size, then one raw LZ4 block."""
    import lz4.block

    def decode(payload: bytes) -> bytes:
        if len(payload) <= 8:
            raise ValueError("LZ4 payload too short")
        size = _U64.unpack_from(payload)[0]
        if size > _MAX_PAYLOAD:
            raise ValueError("implausible LZ4 size")
        out = lz4.block.decompress(payload[8:], uncompressed_size=size)
        if len(out) != size:
            raise ValueError("LZ4 size mismatch")
        return out
    return decode


def _xz() -> Callable[[bytes], bytes]:
    """An XZ stream decoder (stdlib, but some Python builds lack it)."""
    import lzma

    def decode(payload: bytes) -> bytes:
        decoder = lzma.LZMADecompressor(lzma.FORMAT_XZ)
        out = decoder.decompress(payload, max_length=_MAX_PAYLOAD)
        if not decoder.eof:
            raise ValueError("XZ stream cut off or too large")
        return out
    return decode


# object flag -> (codec, what it needs when the import fails, loader)
_CODECS: dict[int, tuple[str, str, Callable[[], Callable[[bytes], bytes]]]] = {
    _XZ: ("XZ", "a Python built with lzma", _xz),
    _LZ4: ("LZ4", "pip install lz4", _lz4),
    _ZSTD: ("zstd", "pip install zstandard", _zstd),
}

_BAD = None  # cache value of a DATA object that could not be read
_MISSING: Any = object()


class _Reader:
    """One journal file: checked object access, the entry list, DATA decoding with a cache."""

    def __init__(self, data: Data, name: str, problems: Problems) -> None:
        self.data = data
        self.problems = problems
        self.h = _header(data, name)
        self.item_size = 4 if self.h.compact else 16
        self.payload_at = 72 if self.h.compact else 64
        self.cache: dict[int, tuple[str, bytes] | None] = {}
        self.codecs: dict[int, Callable[[bytes], bytes] | None] = {}
        self.boots: dict[bytes, bytes] = {}

    # --- the list of entries -------------------------------------------------------------

    def entry_offsets(self) -> list[int]:
        """ENTRY offsets in file order: the entry arrays, completed by a linear walk if short."""
        offsets, complete = self._array_offsets()
        if self.h.cut:  # one problem for all the entries listed after the cut
            self.problems("file ends before the size its header gives (a truncated copy); "
                          "entries after the cut are lost", len(self.data))
            whole = [o for o in offsets if not self._past_end(o)]
            complete, offsets = complete and len(whole) == len(offsets), whole
        tail = self.h.tail_entry_offset
        if (complete and len(offsets) >= self.h.n_entries
                and (tail is None or (offsets and offsets[-1] == tail))
                and (not offsets or (offsets[0] >= self.h.header_size
                                     and offsets[-1] + 64 <= self.h.end))
                and all(self.data[o] == _ENTRY and not o & 7 for o in offsets)):
            return offsets
        return sorted(set(offsets).union(self._linear_entries()))

    def _array_offsets(self) -> tuple[list[int], bool]:
        """Walk the global ENTRY_ARRAY chain; False when a broken link ended it early."""
        offsets: list[int] = []
        want, array, last = self.h.n_entries, self.h.entry_array_offset, 0
        while array and len(offsets) < want:
            size = self._object_size(array, _ENTRY_ARRAY)
            if size is None:
                self.problems("bad ENTRY_ARRAY object; looking for entries object by object",
                              array)
                return offsets, False
            count = (size - 24) // (4 if self.h.compact else 8)
            fmt = f"<{count}{'I' if self.h.compact else 'Q'}"
            for entry in struct.unpack_from(fmt, self.data, array + 24):
                if entry == 0 or len(offsets) >= want:  # unused tail slots: the end
                    return offsets, True
                if entry <= last:
                    self.problems("ENTRY_ARRAY out of order; looking for entries object by "
                                  "object", array)
                    return offsets, False
                offsets.append(entry)
                last = entry
            following = _U64.unpack_from(self.data, array + 16)[0]
            if following and following <= array:  # arrays are appended, so links go forward
                self.problems("ENTRY_ARRAY links backwards; looking for entries object by "
                              "object", array)
                return offsets, False
            array = following
        return offsets, True

    def _linear_entries(self) -> Iterator[int]:
        """Every intact ENTRY object, walking objects from the header by their sizes."""
        data, end = self.data, self.h.end
        offset = self.h.header_size
        while offset + 16 <= end:
            kind, _flags, size = _OBJECT.unpack_from(data, offset)
            if kind and _MIN_SIZE.get(kind, 16) <= size and offset + size <= end:
                if kind == _ENTRY and self._entry_head(offset) is not None:
                    yield offset
                offset = (offset + size + 7) & ~7  # unknown types are skipped by size too
                continue
            resumed = self._resync(offset + 8)
            if resumed >= 0:
                self.problems("damaged objects skipped up to the next intact entry", offset)
                offset = resumed
            elif kind == 0 and size == 0:  # the unused, zeroed end of the arena
                return
            elif kind in _MIN_SIZE and offset + size > end:
                self.problems("object cut off at the end of the file (truncated)", offset)
                return
            else:
                self.problems("damaged object; nothing readable after it", offset)
                return

    def _resync(self, start: int) -> int:
        """The next aligned, fully plausible ENTRY object at or after `start`, or -1."""
        data, end = self.data, self.h.end
        at = (start + 7) & ~7
        while True:
            at = data.find(_ENTRY_START, at, end)
            if at < 0:
                return -1
            if at % 8 == 0 and self._plausible_entry(at):
                return at
            at += 1

    def _plausible_entry(self, offset: int) -> bool:
        """An ENTRY whose every item points back at a DATA object (no chance match)."""
        head = self._entry_head(offset)
        if head is None:
            return False
        for item in head[3]:
            if item % 8 or not self.h.header_size <= item < offset or self.data[item] != _DATA:
                return False
        return True

    def _past_end(self, offset: int) -> bool:
        end = self.h.end
        return offset + 16 > end or offset + _U64.unpack_from(self.data, offset + 8)[0] > end

    # --- objects -------------------------------------------------------------------------

    def _object_size(self, offset: int, kind: int) -> int | None:
        """Size of the object of type `kind` at `offset`, if it is whole and in the arena."""
        if offset % 8 or offset < self.h.header_size or offset + 16 > self.h.end:
            return None
        got, _flags, size = _OBJECT.unpack_from(self.data, offset)
        if got != kind or size < _MIN_SIZE[kind] or offset + size > self.h.end:
            return None
        return size

    def _entry_head(self, offset: int) -> tuple[int, int, bytes, tuple[int, ...]] | None:
        """(realtime, monotonic, boot_id, DATA offsets) of a valid ENTRY object, else None."""
        if offset % 8 or offset < self.h.header_size or offset + 64 > self.h.end:
            return None
        kind, size, seqnum, realtime, monotonic, boot = _ENTRY_HEAD.unpack_from(self.data, offset)
        n, odd = divmod(size - 64, self.item_size)
        if (kind != _ENTRY or n <= 0 or odd or offset + size > self.h.end or seqnum == 0
                or not 0 < realtime < _VALID_TIME or monotonic >= _VALID_TIME):
            return None
        if self.h.compact:
            items = struct.unpack_from(f"<{n}I", self.data, offset + 64)
        else:
            items = struct.unpack_from(f"<{2 * n}Q", self.data, offset + 64)[::2]
        return realtime, monotonic, boot, items

    def field(self, offset: int) -> tuple[str, bytes] | None:
        """(name, value) of the DATA object at `offset`; cached when entries share it."""
        try:
            return self.cache[offset]
        except KeyError:
            pass
        shared, decoded = self._read_data(offset)
        if shared or decoded is _BAD:  # a bad object is reported once
            self.cache[offset] = decoded
        return decoded

    def _read_data(self, offset: int) -> tuple[bool, tuple[str, bytes] | None]:
        data, end = self.data, self.h.end
        if offset % 8 or offset < self.h.header_size or offset + 64 > end:
            self.problems("entry points outside the file; field skipped", offset)
            return False, _BAD
        kind, flags, size, n_entries = _DATA_HEAD.unpack_from(data, offset)
        if kind != _DATA or size <= self.payload_at or offset + size > end:
            self.problems("bad DATA object; field skipped", offset)
            return False, _BAD
        stored = data[offset + self.payload_at:offset + size]
        payload = self._decompress(flags, stored, offset) if flags else bytes(stored)
        if payload is None:
            return False, _BAD
        name, eq, value = payload.partition(b"=")
        if not eq or not name:
            self.problems("DATA object is not FIELD=value; field skipped", offset)
            return False, _BAD
        return n_entries > 1, (name.decode("utf-8", "replace"), value)

    def _decompress(self, flags: int, payload: bytes, offset: int) -> bytes | None:
        if flags not in _CODECS:
            self.problems(f"DATA object with unknown compression (flags 0x{flags:x}); "
                          "field skipped", offset)
            return None
        if flags not in self.codecs:
            try:
                self.codecs[flags] = _CODECS[flags][2]()
            except ImportError:
                self.codecs[flags] = None
        codec = self.codecs[flags]
        if codec is None:
            name, needs, _ = _CODECS[flags]
            self.problems(f"field compressed with {name}, which needs {needs}; field skipped",
                          offset)
            return None
        try:
            return codec(payload)
        except Exception:  # any decoder's error on damaged bytes: skip the field, go on
            self.problems("damaged compressed DATA object; field skipped", offset)
            return None

    # --- entries -------------------------------------------------------------------------

    def entries(self) -> Iterator[tuple[int, dict[str, bytes]]]:
        for offset in self.entry_offsets():
            fields = self.entry(offset)
            if fields is None:
                self.problems("bad ENTRY object (skipped)", offset)
                continue
            yield offset, fields

    def entry(self, offset: int) -> dict[str, bytes] | None:
        """The fields of the ENTRY object at `offset` (see `iter_entries`), None if it is bad."""
        head = self._entry_head(offset)
        if head is None:
            return None
        realtime, monotonic, boot, items = head
        boot_hex = self.boots.get(boot)
        if boot_hex is None:
            boot_hex = self.boots[boot] = boot.hex().encode()
        fields = {"__REALTIME_TIMESTAMP": b"%d" % realtime,
                  "__MONOTONIC_TIMESTAMP": b"%d" % monotonic, "_BOOT_ID": boot_hex}
        cached, field = self.cache.get, self.field
        for item in items:
            decoded = cached(item, _MISSING)
            if decoded is _MISSING:
                decoded = field(item)
            if decoded is not None and decoded[0] not in fields:
                fields[decoded[0]] = decoded[1]
        return fields

    # --- the index: only the entries that matter -----------------------------------------

    def indexed_entries(self) -> list[tuple[int, dict[str, bytes]]] | None:
        """The entries `EntrySink` needs, in file order, found through the file's index.

        Those are every boot's first and last entry (from the ``_BOOT_ID`` DATA
        objects), the last one naming the host (the boot's LAST record carries
        it), and every entry whose MESSAGE passes `events.TRIGGER`. None when
        the file was not closed cleanly or its index does not add up: then
        every entry must be walked.
        """
        if self.h.cut or not self.h.closed:
            return None
        try:
            heads = self._field_heads()
            boots = [(payload[len(b"_BOOT_ID="):], self._data_entries(first, array, n))
                     for _at, _flags, payload, first, array, n
                     in self._field_data(heads.get(b"_BOOT_ID", 0))]
            if sum(len(entries) for _, entries in boots) != self.h.n_entries:
                return None
            wanted = self._event_entries_fast(heads.get(b"MESSAGE", 0))
            if wanted is None:
                wanted = self._event_entries(heads.get(b"MESSAGE", 0))
            decoded: dict[int, dict[str, bytes]] = {}

            def decode(offset: int) -> dict[str, bytes]:
                if offset not in decoded:
                    fields = self.entry(offset)
                    # EntrySink gives zero-boot entries to the boot of the entries after them
                    if fields is None or fields["_BOOT_ID"] == _ZERO_BOOT:
                        raise _Unindexed
                    decoded[offset] = fields
                return decoded[offset]

            for boot, entries in boots:
                if decode(entries[0])["_BOOT_ID"] != boot:
                    return None
                for offset in reversed(entries):  # the last entry, back to one naming the host
                    fields = decode(offset)
                    if fields["_BOOT_ID"] != boot:
                        return None
                    host = fields.get("_HOSTNAME")
                    if not is_placeholder_host(host.decode("utf-8", "replace") if host else None):
                        break
            for offset in wanted:
                decode(offset)
            return sorted(decoded.items())
        except _Unindexed:
            return None

    def _event_entries_fast(self, head: int) -> list[int] | None:
        """`_event_entries` with one Hyperscan pass (`fastscan.journal_hits`) for the trigger
        words instead of a search of each message: the chain of MESSAGE objects is still
        walked (and checked), but only its links are read; each word found is placed in the
        uncompressed object that holds it, and compressed objects are decoded and searched.
        None where that does not pay (no Hyperscan, a small file, few distinct messages)."""
        data, end, at, low = self.data, self.h.end, self.payload_at, self.h.header_size
        if not fastscan.AVAILABLE or end < fastscan.WORTH:
            return None
        n_data = _U64.unpack_from(data, 208)[0] if self.h.header_size >= 216 else 0
        if n_data * 4 < self.h.n_entries:  # few distinct messages: searching each is quicker
            return None
        trigger, unpack = matters.TRIGGER_BYTES.search, _DATA_LINKS.unpack_from
        plain: list[tuple[int, int]] = []  # (offset, size) of the uncompressed objects
        found: list[int] = []
        budget, offset = end // 64, head
        while offset:
            budget -= 1
            if offset % 8 or offset < low or offset + 64 > end or budget < 0:
                raise _Unindexed
            kind, flags, size, following, first, array, n = unpack(data, offset)
            if kind != _DATA or size <= at or offset + size > end:
                raise _Unindexed
            if flags:  # only long messages are compressed; rarely an event, but test them
                decoded = self.field(offset)  # a failure is reported; the full walk skips it too
                if decoded is not None and trigger(decoded[1]):
                    found += self._data_entries(first, array, n)
            else:
                plain.append((offset, size))
            offset = following
        plain.sort()
        starts = [o for o, _ in plain]
        hit: set[int] = set()
        for start, stop in fastscan.journal_words(data):
            i = bisect.bisect_right(starts, start - at - 8) - 1
            if i < 0:
                continue
            offset, size = plain[i]
            if offset not in hit and stop <= offset + size:  # inside its text: an event
                if data[offset + at:offset + at + 8] != b"MESSAGE=":
                    raise _Unindexed
                hit.add(offset)
                _, _, _, _, first, array, n = unpack(data, offset)
                found += self._data_entries(first, array, n)
        return found

    def _event_entries(self, head: int) -> list[int]:
        """Entries of every MESSAGE DATA object whose text passes `events.TRIGGER`.

        The hot loop of the index: one DATA object per distinct message, so
        `_field_data` is inlined here.
        """
        data, end, at, low = self.data, self.h.end, self.payload_at, self.h.header_size
        # TRIGGER's ASCII words are in the raw UTF-8 bytes wherever they are in the text
        trigger, unpack = matters.TRIGGER_BYTES.search, _DATA_LINKS.unpack_from
        found: list[int] = []
        budget, offset = end // 64, head
        while offset:
            budget -= 1
            if offset % 8 or offset < low or offset + 64 > end or budget < 0:
                raise _Unindexed
            kind, flags, size, following, first, array, n = unpack(data, offset)
            if kind != _DATA or size <= at or offset + size > end:
                raise _Unindexed
            if flags:  # only long messages are compressed; rarely an event, but test them
                decoded = self.field(offset)  # a failure is reported; the full walk skips it too
                hit = decoded is not None and trigger(decoded[1])
            elif data[offset + at:offset + at + 8] == b"MESSAGE=":
                hit = trigger(data, offset + at + 8, offset + size)
            else:
                raise _Unindexed
            if hit:
                found += self._data_entries(first, array, n)
            offset = following
        return found

    def _field_heads(self) -> dict[bytes, int]:
        """Field name -> its first DATA object, from every chain of the FIELD_HASH_TABLE."""
        table, size = self.h.field_table
        object_size = self._object_size(table - 16, _FIELD_HASH_TABLE)
        if object_size is None or size % 16 or 16 + size > object_size:
            raise _Unindexed
        heads: dict[bytes, int] = {}
        budget = self.h.end // 40  # more links than FIELD objects could fit: a loop
        for offset in struct.unpack_from(f"<{size // 8}Q", self.data, table)[::2]:
            while offset:
                field_size = self._object_size(offset, _FIELD)
                budget -= 1
                if field_size is None or budget < 0:
                    raise _Unindexed
                _size, following, head = _FIELD_LINKS.unpack_from(self.data, offset)
                heads[bytes(self.data[offset + 40:offset + field_size])] = head
                offset = following
        return heads

    def _field_data(self, offset: int) -> Iterator[tuple[int, int, bytes, int, int, int]]:
        """(offset, flags, payload, entry_offset, entry_array_offset, n_entries) of every DATA
        object of one field, following next_field_offset from the FIELD's head_data_offset."""
        data, end, payload_at = self.data, self.h.end, self.payload_at
        budget = end // 64
        while offset:
            budget -= 1
            if offset % 8 or offset < self.h.header_size or offset + 64 > end or budget < 0:
                raise _Unindexed
            kind, flags, size, following, first, array, n = _DATA_LINKS.unpack_from(data, offset)
            if kind != _DATA or size <= payload_at or offset + size > end:
                raise _Unindexed
            yield offset, flags, data[offset + payload_at:offset + size], first, array, n
            offset = following

    def _data_entries(self, first: int, array: int, n: int) -> list[int]:
        """The `n` entries of a DATA object: the inline first one, then its ENTRY_ARRAY chain."""
        offsets = [first]
        item = "I" if self.h.compact else "Q"
        while len(offsets) < n:
            size = self._object_size(array, _ENTRY_ARRAY)
            if size is None:
                raise _Unindexed
            count = min((size - 24) // (4 if self.h.compact else 8), n - len(offsets))
            offsets += struct.unpack_from(f"<{count}{item}", self.data, array + 24)
            following = _U64.unpack_from(self.data, array + 16)[0]
            if following <= array and len(offsets) < n:  # arrays are appended: links go forward
                raise _Unindexed
            array = following
        if not n or 0 in offsets or (n > 1 and offsets[0] >= offsets[1]):
            raise _Unindexed
        return offsets


class _Unindexed(Exception):
    """The file's index does not add up; read it entry by entry."""


def iter_entries(data: Data, name: str,
                 problems: Problems) -> Iterator[tuple[int, dict[str, bytes]]]:
    """(ENTRY offset, fields) of every entry, in entry-array order.

    `fields` maps field names to raw values (the first one where an entry
    repeats a field), plus ``__REALTIME_TIMESTAMP``, ``__MONOTONIC_TIMESTAMP``
    (decimal) and ``_BOOT_ID`` (32 hex digits) from the ENTRY object, as
    ``journalctl -o export`` prints them. Damage is reported to
    ``problems(reason, offset)`` and skipped; only a file that is not a
    journal at all, or that needs unknown incompatible features, raises
    `BootlagError` (naming `name`), as soon as the iterator is started.
    """
    yield from _Reader(data, name, problems).entries()


def read_journal(stream: InputStream | Data, options: ReadOptions,
                 info: SourceInfo) -> Iterator[Record]:
    """The records of a binary journal; the position of a record is its ENTRY offset.

    A cleanly closed file is read through its index (unless `options.full`):
    the records are the same as from walking every entry, only faster.
    `stream` may also be the file's bytes.
    """
    info.formats_seen["journal"] = 1
    info.unit = OFFSET
    data = _whole(stream) if isinstance(stream, InputStream) else stream
    sink = EntrySink(info)  # decodes just the few fields it reads
    entries: Iterable[tuple[int, dict[str, bytes]]] | None = None
    if not options.full:
        problems: list[tuple[str, int]] = []  # kept only if the index is used
        entries = _Reader(data, info.name,
                          lambda reason, at: problems.append((reason, at))).indexed_entries()
        for reason, at in problems if entries is not None else ():
            info.skip(reason, at)
    if entries is None:
        entries = iter_entries(data, info.name, info.skip)
    for offset, fields in entries:
        sink.entry(fields, offset)
    yield from sink.finish()


def _whole(raw: InputStream) -> Data:
    """Random access to a journal: map a plain file, else read it into memory."""
    if raw.path is not None:
        with open(raw.path, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return raw.read()
