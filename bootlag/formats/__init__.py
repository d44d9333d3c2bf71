"""The format registry: every format bootlag reads, how it is recognised, and its reader.

One `Family` per reader (binary journal, export, log pipelines' JSON, json,
verbose, dmesg and consoles, text), each
with the `Format` entries it reads: the name ``journalctl -o`` gives it, the
clock it carries and at what resolution, whether its times are local, and
whether a large file can be read in parts. Everything that lists formats
(the statistics' display rules, the sniffer, file splitting, the fuzzer,
the round-trip tests and the README's table) derives from `FAMILIES`.

Every reader has the same signature (`Reader`): the decompressed stream of
one source, the `ReadOptions`, and the `SourceInfo` it fills in; it yields
`bootlag.records.Record` values. ``CONTRIBUTING.md`` says how to add one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from ..records import OFFSET, BootlagError, Record
from ..sources import InputStream
from .common import ReadOptions, SourceInfo
from .console import console_style, read_console
from .fields import read_export, read_json, read_verbose
from .journal import SIGNATURE, read_journal
from .pipelines import pipeline_style, read_pipeline
from .text import read_text, text_style

__all__ = ["FAMILIES", "FORMATS", "Family", "Format", "ReadOptions", "SourceInfo",
           "read_bytes", "read_stream", "recognise", "sniff"]

MONOTONIC, REALTIME, BOTH = "monotonic", "realtime", "both"


class Reader(Protocol):
    def __call__(self, stream: InputStream, options: ReadOptions,
                 info: SourceInfo) -> Iterator[Record]: ...


@dataclass(frozen=True)
class Format:
    """One output format, as ``journalctl -o NAME`` (or a collector) writes it."""

    name: str
    clock: str  # MONOTONIC, REALTIME, or BOTH (each entry has both clocks)
    resolution_s: float  # the finest step its time stamps show
    local_time: bool = False  # wall-clock text without a UTC offset: read in --tz
    splittable: bool = False  # a large plain file can be read in line-aligned parts


@dataclass(frozen=True)
class Family:
    """The formats one reader reads, and how a file of theirs is recognised."""

    name: str
    recognise: Callable[[bytes], str | None]  # a format's name from a file's head, else None
    read: Reader
    formats: tuple[Format, ...]
    positions: str = "line"  # what its records' positions count: "line" or "offset"


_SNIFF_LINES = 200
_EXPORT_FIELD = re.compile(rb"^(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_BOOT_ID)=")
_VERBOSE_HEAD = re.compile(rb"^\S.* \[s=[0-9a-f]{32};i=[0-9a-f]+;b=[0-9a-f]{32};m=")
_JSON_STARTS = {b"\x1e{": "json-seq", b"data: {": "json-sse", b"{": "json"}


def _lines(head: bytes) -> list[bytes]:
    return head.split(b"\n")[:_SNIFF_LINES]


def _first_entry_line(head: bytes) -> bytes:
    """The first line that is neither blank nor a ``-- `` comment of journalctl."""
    for raw in _lines(head):
        stripped = raw.strip()
        if stripped and not stripped.startswith(b"-- "):
            return raw
    return b""


def _journal(head: bytes) -> str | None:
    return "journal" if head.startswith(SIGNATURE) else None


def _export(head: bytes) -> str | None:
    return "export" if _EXPORT_FIELD.match(_first_entry_line(head)) else None


def _json(head: bytes) -> str | None:
    line = _first_entry_line(head).strip()
    if line == b"{":
        return "json-pretty"
    return next((name for start, name in _JSON_STARTS.items() if line.startswith(start)), None)


def _verbose(head: bytes) -> str | None:
    return "verbose" if _VERBOSE_HEAD.match(_first_entry_line(head)) else None


def _text(head: bytes) -> str | None:
    return next((style for raw in _lines(head)
                 if (style := text_style(raw.decode("utf-8", "replace")))), None)


_US, _MS, _S = 1e-6, 1e-3, 1.0

# In the order they are tried: a file is of the first family that recognises it.
# The binary signature is unambiguous; export, json and verbose are told apart by
# their first entry line (a pipeline's JSON before journalctl's); the kernel's own text
# (console) before journalctl's; text comes last, as any line with a time stamp will do.
FAMILIES: tuple[Family, ...] = (
    Family("journal", _journal, read_journal, (Format("journal", BOTH, _US),), positions=OFFSET),
    Family("export", _export, read_export, (Format("export", BOTH, _US),)),
    # Log pipelines' exports (JSON, but never journalctl's own: that has __CURSOR).
    Family("pipeline", pipeline_style, read_pipeline, (
        Format("filebeat", REALTIME, _MS),
        Format("elasticsearch", REALTIME, _MS),
        Format("loki", REALTIME, _US),
        Format("vector", BOTH, _US),
        Format("fluent-bit", REALTIME, _US),
        Format("otel", BOTH, _US),
    )),
    Family("json", _json, read_json, (
        Format("json", BOTH, _US, splittable=True),
        Format("json-pretty", BOTH, _US),
        Format("json-seq", BOTH, _US),
        Format("json-sse", BOTH, _US),
    )),
    Family("verbose", _verbose, read_verbose, (Format("verbose", BOTH, _US),)),
    # The kernel's own log: printk stamps (monotonic) without host or identifier. Before
    # text, which would read a dmesg line's first words as host and identifier.
    Family("console", console_style, read_console, (
        Format("dmesg", MONOTONIC, _US),
        Format("console", MONOTONIC, _US),
        Format("dmesg-T", REALTIME, _S, local_time=True),
        Format("dmesg-iso", REALTIME, _US),
    )),
    Family("text", _text, read_text, (
        Format("short-monotonic", MONOTONIC, _US),
        Format("short-delta", MONOTONIC, _US),
        Format("short-iso-precise", REALTIME, _US),
        Format("short-unix", REALTIME, _US),
        Format("short-precise", REALTIME, _US, local_time=True),
        Format("short", REALTIME, _S, local_time=True),
        Format("short-iso", REALTIME, _S),
        Format("short-full", REALTIME, _S, local_time=True),
    )),
)
FORMATS: dict[str, Format] = {f.name: f for family in FAMILIES for f in family.formats}
FAMILY_OF: dict[str, Family] = {f.name: family for family in FAMILIES for f in family.formats}

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


def recognise(head: bytes) -> Format:
    """The registered format of a file from its first bytes, or `BootlagError` saying why
    there is none (`sniff`'s refusal)."""
    kind = sniff(head)
    if kind in _REFUSALS:
        raise BootlagError(_REFUSALS[kind])
    return FORMATS[kind]


def sniff(head: bytes) -> str:
    """The name of the format of a file from its first bytes (see `FAMILIES`), or why
    it cannot be read: ``empty``, ``tar``, ``binary``, ``no-timestamps``."""
    if not head.strip():
        return "empty"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    for family in FAMILIES:
        name = family.recognise(head)
        if name is not None:
            return name
    if head.count(b"\x00") > len(head) // 100:
        return "binary"
    return "no-timestamps"


def read_stream(raw: InputStream, options: ReadOptions, info: SourceInfo) -> Iterator[Record]:
    """The records of one source's decompressed stream, whatever its format.

    Raises `BootlagError` (naming the source) for data no reader takes; damage
    goes to `info.skipped`. Local-time text is said to be read in ``--tz``, or
    in UTC by assumption.
    """
    try:
        fmt = recognise(raw.head())
    except BootlagError as exc:
        raise BootlagError(f"{info.name}: {exc}") from None
    family = FAMILY_OF[fmt.name]
    info.unit = family.positions
    yield from family.read(raw, options, info)
    if any(FORMATS[name].local_time for name in info.formats_seen if name in FORMATS):
        info.zone = options.tz or "UTC (assumed)"


def read_bytes(data: bytes, name: str = "<bytes>",
               options: ReadOptions | None = None) -> tuple[list[Record], SourceInfo]:
    """Records of in-memory journal data, whatever its format (for tests and fuzzing).

    Raises `BootlagError` for data no reader takes; damage goes to the
    returned `SourceInfo.skipped`, as for files.
    """
    info = SourceInfo(name)
    stream = InputStream(io.BytesIO(data))
    return list(read_stream(stream, options or ReadOptions(), info)), info
