"""Format readers and the sniffer that picks one from a file's first bytes.

Each reader takes the decompressed byte stream of one source and yields
`bootlag.records.Record` values for the entries that matter. Adding a format
means adding a reader and a line in `sniff`.
"""

from __future__ import annotations

import io
import mmap
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..records import BootlagError, Record
from ..sources import InputStream
from .common import SourceInfo
from .fields import read_export, read_json, read_verbose
from .journal import read_journal
from .text import TextReader, has_timestamp

__all__ = ["ReadOptions", "SourceInfo", "read_bytes", "reader_for", "sniff"]

_EXPORT_FIELD = re.compile(rb"^(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_BOOT_ID)=")
_VERBOSE_HEAD = re.compile(r"^\S.* \[s=[0-9a-f]{32};i=[0-9a-f]+;b=[0-9a-f]{32};m=")
_SNIFF_LINES = 200


@dataclass(frozen=True)
class ReadOptions:
    """How to read wall-clock text: `year` of the last line, IANA `tz` of the text."""

    year: int | None = None
    tz: str | None = None
    mtime: float = 0.0


def sniff(head: bytes) -> str:
    """The format family of a file from its first bytes.

    One of ``export``, ``json``, ``verbose``, ``text``, or a reason it cannot
    be read: ``empty``, ``binary-journal``, ``tar``, ``binary``, ``no-timestamps``.
    """
    if not head.strip():
        return "empty"
    if head.startswith(b"LPKSHHRH"):
        return "binary-journal"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    lines = head.split(b"\n")[:_SNIFF_LINES]
    for raw in lines:
        stripped = raw.strip()
        if not stripped or stripped.startswith(b"-- "):
            continue
        if _EXPORT_FIELD.match(raw):
            return "export"
        if stripped.startswith((b"{", b"\x1e{", b"data: {")):
            return "json"
        if _VERBOSE_HEAD.match(raw.decode("utf-8", "replace")):
            return "verbose"
        break
    text_lines = [raw.decode("utf-8", "replace") for raw in lines]
    if any(has_timestamp(line) for line in text_lines):
        return "text"
    if head.count(b"\x00") > len(head) // 100:
        return "binary"
    return "no-timestamps"


_REFUSALS = {
    "empty": "empty file",
    "tar": "a tar archive inside another input (compressed, or in an archive); "
           "unpack the outer layer and scan what it holds",
    "binary": "binary data, not a journal (bootlag reads journalctl's text, json and export "
              "output, binary .journal files and sosreports)",
    "no-timestamps": "text without journal time stamps in its first lines, so not a journal "
                     "(if it is journalctl -o cat output, which has none, export again with "
                     "-o short-monotonic, json or export)",
}


def reader_for(kind: str, info: SourceInfo,
               options: ReadOptions) -> Callable[[InputStream], Iterator[Record]]:
    """The reader of a sniffed format, or `BootlagError` saying why there is none."""
    if kind == "binary-journal":
        return lambda raw: read_journal(_whole(raw), info)
    if kind == "export":
        return lambda raw: read_export(_buffered(raw), info)
    if kind == "json":
        return lambda raw: read_json(_buffered(raw), info)
    if kind == "verbose":
        return lambda raw: read_verbose(_buffered(raw), info)
    if kind == "text":
        text = TextReader(info, options.year, options.mtime, options.tz)
        return lambda raw: text.read(_buffered(raw))
    raise BootlagError(f"{info.name}: {_REFUSALS.get(kind, kind)}")


def _buffered(raw: InputStream) -> BinaryIO:
    return io.BufferedReader(raw, buffer_size=1 << 20)


def _whole(raw: InputStream) -> bytes | mmap.mmap:
    """A binary journal needs random access: map a plain file, else read it into memory."""
    if raw.path is not None:
        with open(raw.path, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return raw.read()


def read_bytes(data: bytes, name: str = "<bytes>",
               options: ReadOptions = ReadOptions()) -> tuple[list[Record], SourceInfo]:
    """Records of in-memory journal data, whatever its format (for tests and fuzzing).

    Raises `BootlagError` for data no reader takes; damage goes to the
    returned `SourceInfo.skipped`, as for files.
    """
    info = SourceInfo(name)
    raw = InputStream(io.BytesIO(data))
    return list(reader_for(sniff(raw.head()), info, options)(raw)), info
