"""Exports of the log pipelines that ship the journal to a central store.

Each pipeline renames journald's fields its own way; one mapping table per
pipeline (`FILEBEAT`, `LOKI_LABELS`, `VECTOR`, `FLUENT_BIT`, `OTEL_ATTRIBUTES`)
turns a record back into journald's field names, and `EntrySink` does the rest,
as for ``journalctl -o json``. What each keeps, from its source:

* **Filebeat / Elastic Agent** journald input (ndjson from the file output, or
  an Elasticsearch/OpenSearch ``_search`` or scroll dump, ``hits.hits[]._source``,
  or elasticdump's one hit a line): elastic/beats
  ``filebeat/input/journald/pkg/journalfield/default.go`` @ 00b7f18712a6 maps
  ``_BOOT_ID`` → ``journald.host.boot_id``, ``_HOSTNAME`` → ``host.hostname``,
  ``SYSLOG_IDENTIFIER`` → ``syslog.identifier``, ``_COMM`` →
  ``journald.process.name`` (and ``process.name``, ``conv.go`` @ 79c83984b525),
  and *drops* ``__MONOTONIC_TIMESTAMP`` and ``_SOURCE_MONOTONIC_TIMESTAMP``;
  ``filebeat/input/journald/input.go`` @ 0375571ed557 (``readerAdapter.Next``) puts
  ``MESSAGE`` in ``message`` and the receive realtime in ``@timestamp``
  (milliseconds in its JSON), and with ``save_remote_hostname`` copies
  ``host.hostname`` to ``log.source.address`` before ``add_host_metadata``
  overwrites it. Wall clock only.
* **Loki**, ``logcli query --output=jsonl`` (grafana/loki
  ``pkg/logcli/output/jsonl.go`` @ 0583c079d01d): ``{"labels", "line",
  "timestamp"}``, newest first by default. Promtail's journal target
  (``clients/pkg/promtail/targets/journal/journaltarget.go`` @ 0d139c72f1f1)
  ships ``MESSAGE`` as the line, or with ``json: true`` the JSON of the entry's
  data fields (``_BOOT_ID``, ``_HOSTNAME``, kernel lines'
  ``_SOURCE_MONOTONIC_TIMESTAMP``, no ``__`` fields), stamped with the receive
  realtime; labels are what relabelling made of ``__journal_<field>``
  (`LOKI_LABELS`). Without a boot id a boot begins at each kernel start of a host.
* **Vector** ``journald`` source, legacy namespace (vectordotdev/vector
  ``src/sources/journald.rs`` @ 00612f058f31): ``journalctl --output=json``
  records with ``__CURSOR`` removed, ``MESSAGE`` → ``message``, ``_HOSTNAME`` →
  ``host``, every other field kept as a string (``__MONOTONIC_TIMESTAMP``
  included), plus ``timestamp`` and ``source_type``. Exact.
* **Fluent Bit** ``systemd`` input (fluent/fluent-bit ``plugins/in_systemd/systemd.c``
  @ 099a57c862b3; ``Lowercase`` from 1edca26d1e82): the entry's data fields
  as stored, one leading ``_`` stripped with ``Strip_Underscores``, keys
  lowercased with ``Lowercase``, a repeated field as an array; the record time is
  the receive realtime (``date`` in the json outputs, or ``[time, {…}]``).
  No ``__MONOTONIC_TIMESTAMP``; kernel lines keep ``_SOURCE_MONOTONIC_TIMESTAMP``.
* **OpenTelemetry collector** journald receiver (open-telemetry/opentelemetry-collector-contrib
  ``pkg/stanza/operator/input/journald/input.go`` @ 0d9ab739e5f5): body = the
  map of all of ``journalctl -o json``'s fields but ``__REALTIME_TIMESTAMP``,
  which becomes the record's time; with the attribute mapping
  (``journald_attr_mapping.go`` @ 035df0ed2b4d) the body is ``MESSAGE``,
  ``SYSLOG_IDENTIFIER`` → ``syslog.msgid``, ``_HOSTNAME`` → resource ``host.name``,
  ``_COMM`` → resource ``process.command``, the rest ``journald.<FIELD>``.
  Read from the file exporter's OTLP JSON (``resourceLogs`` …). Exact.

Where a pipeline keeps only the printk time of kernel lines (Fluent Bit, Loki's
JSON lines), it becomes those lines' monotonic time, and their wall time stays
the receive time: the other lines are wall clock, so gaps are lower bounds.

A record's boot, host, identifier, message and times are all that is read. An
export out of time order (Loki's newest first, a search's score order) is read
in time order, and then its records' positions (``first_line``, ``armed_line``)
count records in that order, not lines of the file (an export's records are held
in memory to sort them: export only the lines that matter, ``bootlag filter``). A
line that is not JSON, or not a record of these pipelines, is skipped with a
warning naming it.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import events
from ..records import Kind, Record
from ..sources import InputStream
from .common import ReadOptions, SourceInfo, buffered, line_blocks
from .fields import EntrySink, _text
from .text import _naive_us, _offset_us

__all__ = ["FILEBEAT", "FLUENT_BIT", "LOKI_LABELS", "OTEL_ATTRIBUTES", "OTEL_RESOURCE", "VECTOR",
           "pipeline_style", "read_pipeline"]

Fields = dict[str, Any]

# --- the mapping tables: a pipeline's name for a field -> journald's --------------------------

# elastic/beats filebeat/input/journald/pkg/journalfield/default.go @ 00b7f18712a6 (dotted
# names: nested objects in its JSON, flattened here); "message" from input.go.
FILEBEAT: Mapping[str, str] = {
    "message": "MESSAGE",
    "journald.host.boot_id": "_BOOT_ID",
    # add_host_metadata overwrites host.hostname with the shipper's own name; with
    # save_remote_hostname the journal's is kept in log.source.address (input.go @ 0375571ed557)
    "log.source.address": "_HOSTNAME",
    "host.hostname": "_HOSTNAME",
    "host.name": "_HOSTNAME",
    "syslog.identifier": "SYSLOG_IDENTIFIER",
    "journald.process.name": "_COMM",
    "process.name": "_COMM",
    "systemd.transport": "_TRANSPORT",
}

# Labels relabelling commonly makes of promtail's __journal_<field> (journaltarget.go
# makeJournalFields @ 0d139c72f1f1: lower-cased field names), read when the line is MESSAGE;
# "host" first: an agent's static label, where the journal's own says "localhost" in initrd.
LOKI_LABELS: Mapping[str, str] = {
    "boot_id": "_BOOT_ID", "journal_boot_id": "_BOOT_ID",
    "host": "_HOSTNAME", "hostname": "_HOSTNAME", "nodename": "_HOSTNAME",
    "syslog_identifier": "SYSLOG_IDENTIFIER", "identifier": "SYSLOG_IDENTIFIER",
    "comm": "_COMM", "transport": "_TRANSPORT",
}

# vectordotdev/vector src/sources/journald.rs @ 00612f058f31, legacy namespace:
# create_log_event_from_record (MESSAGE) and enrich_log_event (_HOSTNAME).
VECTOR: Mapping[str, str] = {"message": "MESSAGE", "host": "_HOSTNAME"}

_READ = ("_BOOT_ID", "_HOSTNAME", "SYSLOG_IDENTIFIER", "_COMM", "MESSAGE", "_TRANSPORT",
         "_SOURCE_MONOTONIC_TIMESTAMP")
# fluent/fluent-bit plugins/in_systemd/systemd.c @ 099a57c862b3 (Strip_Underscores drops
# one leading "_") and @ 1edca26d1e82 (Lowercase): each field under all four names.
FLUENT_BIT: Mapping[str, str] = {
    name: field for field in _READ
    for name in (field, field[1:] if field.startswith("_") else field, field.lower(),
                 (field[1:] if field.startswith("_") else field).lower())
}

# open-telemetry/opentelemetry-collector-contrib pkg/stanza/operator/input/journald/
# journald_attr_mapping.go @ 035df0ed2b4d: log attributes ("journald.<FIELD>" for the rest)
# and resource attributes.
OTEL_ATTRIBUTES: Mapping[str, str] = {"syslog.msgid": "SYSLOG_IDENTIFIER"}
OTEL_RESOURCE: Mapping[str, str] = {"host.name": "_HOSTNAME", "process.command": "_COMM"}

_JOURNALCTL_KEYS = ("__CURSOR",)  # journalctl -o json always has it; no pipeline keeps it


# --- time stamps ----------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
                  r" ?(Z|[+-]\d\d(?::?\d\d)?)?")
_MAX_S = 1 << 35  # about year 3058: larger epoch numbers are damage


def iso_us(text: str) -> int | None:
    """µs since the epoch of an RFC 3339 time (no offset: UTC), None if it is not one."""
    m = _ISO.fullmatch(text.strip()) if len(text) < 64 else None
    if m is None:
        return None
    y, mo, d, hh, mm, ss = (int(g) for g in m.groups()[:6])
    if not (1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61 and y >= 1970):
        return None
    us = int((m.group(7) or "0")[:6].ljust(6, "0"))
    offset = m.group(8)
    return _naive_us(y, mo, d, hh, mm, ss, us) - (_offset_us(offset) if offset else 0)


def epoch_us(value: Any, unit_s: float = 1.0) -> int | None:
    """µs of a number of `unit_s` since the epoch (a JSON number or a numeric string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()[:64]
        if not re.fullmatch(r"\d{1,20}(?:\.\d{1,9})?", text):
            return iso_us(text)
        if unit_s == 1e-9 and "." not in text:  # exact: nanoseconds as a string of digits
            number = int(text) // 1000
            return number if number < _MAX_S * 1_000_000 else None
        value = float(text)
    if not isinstance(value, (int, float)) or value != value or value < 0:
        return None
    seconds = value * unit_s
    if seconds >= _MAX_S:
        return None
    if isinstance(value, int) and unit_s == 1.0:
        return value * 1_000_000
    return round(seconds * 1_000_000)


def _time_of(value: Any) -> int | None:
    """A record time: RFC 3339 text, or epoch seconds (Fluent Bit's ``date``)."""
    return epoch_us(value)  # numbers, numeric strings and RFC 3339 text


# --- one mapper per pipeline: a document -> journald fields (or None) -----------------------

def flatten(doc: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys: ``{"host": {"hostname": h}}`` -> ``{"host.hostname": h}``."""
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _renamed(doc: Mapping[str, Any], table: Mapping[str, str]) -> Fields:
    fields: Fields = {}
    for name, field in table.items():
        if name in doc and field not in fields:
            value = _text(doc[name])
            if value is not None:
                fields[field] = value
    return fields


def _filebeat(doc: Mapping[str, Any]) -> Fields | None:
    flat = flatten(doc)
    fields = _renamed(flat, FILEBEAT)
    real = _time_of(flat.get("@timestamp"))
    if real is not None:
        fields["__REALTIME_TIMESTAMP"] = str(real)
    return fields


def _vector(doc: Mapping[str, Any]) -> Fields | None:
    fields = {k: v for k, v in doc.items() if k not in VECTOR}
    fields.update(_renamed(doc, VECTOR))
    if "__REALTIME_TIMESTAMP" not in fields:  # a remap dropped it: the event's timestamp
        real = _time_of(doc.get("timestamp"))
        if real is not None:
            fields["__REALTIME_TIMESTAMP"] = str(real)
    return fields


def _kernel_printk(fields: Fields) -> Fields:
    """A pipeline without the entry's monotonic time: a kernel line's printk time stands in."""
    printk = fields.pop("_SOURCE_MONOTONIC_TIMESTAMP", None)
    if printk is not None and "__MONOTONIC_TIMESTAMP" not in fields:
        fields["__MONOTONIC_TIMESTAMP"] = printk
    return fields


def _fluent_bit(doc: Mapping[str, Any], time: Any = None) -> Fields | None:
    fields = _renamed(doc, FLUENT_BIT)
    for key in ("date", "@timestamp", "time", "timestamp"):
        if time is None and key in doc:
            time = doc[key]
    real = _time_of(time) if not isinstance(time, list) else (
        _time_of(time[0]) if time else None)  # [[time, metadata], {record}] (Fluent Bit 2+)
    if real is not None:
        fields["__REALTIME_TIMESTAMP"] = str(real)
    return _kernel_printk(fields)


def _loki(doc: Mapping[str, Any]) -> Fields | None:
    line = doc.get("line")
    if not isinstance(line, str):
        return None
    fields: Fields = {}
    if line.startswith("{"):
        try:
            parsed = json.loads(line)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and ("MESSAGE" in parsed or "_BOOT_ID" in parsed):
            fields = {k: _text(v) for k, v in parsed.items()
                      if k in _READ or k in ("__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP")}
    if not fields:
        fields["MESSAGE"] = line
    labels = doc.get("labels")
    if isinstance(labels, dict):
        for name, value in _renamed(labels, LOKI_LABELS).items():
            fields.setdefault(name, value)
    if "__REALTIME_TIMESTAMP" not in fields:
        real = _time_of(doc.get("timestamp"))
        if real is not None:
            fields["__REALTIME_TIMESTAMP"] = str(real)
    return _kernel_printk(fields)


def _any_value(value: Any) -> Any:
    """An OTLP JSON ``AnyValue`` as a plain value."""
    if not isinstance(value, dict):
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return str(value["intValue"])
    if "doubleValue" in value or "boolValue" in value:
        return str(value.get("doubleValue", value.get("boolValue")))
    if "arrayValue" in value:
        items = value["arrayValue"].get("values", []) if isinstance(value["arrayValue"], dict) \
            else []
        return [_any_value(v) for v in items if isinstance(v, dict)]
    if "kvlistValue" in value:
        return _kvlist(value["kvlistValue"])
    if "bytesValue" in value and isinstance(value["bytesValue"], str):
        try:
            return base64.b64decode(value["bytesValue"], validate=True)
        except ValueError:
            return None
    return None


def _kvlist(value: Any) -> dict[str, Any]:
    items = value.get("values", []) if isinstance(value, dict) else value
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for kv in items:
            if isinstance(kv, dict) and isinstance(kv.get("key"), str):
                out[kv["key"]] = _any_value(kv.get("value"))
    return out


def _otel(record: Mapping[str, Any], resource: Mapping[str, Any]) -> Fields | None:
    body = _any_value(record.get("body"))
    attributes = _kvlist(record.get("attributes", []))
    fields: Fields = {}
    if isinstance(body, dict):  # the receiver's default: the body is journalctl's JSON
        fields.update(body)
    else:  # the attribute mapping: MESSAGE as body, the rest in attributes and resource
        if body is not None:
            fields["MESSAGE"] = body
        fields.update({k[len("journald."):]: v for k, v in attributes.items()
                       if k.startswith("journald.")})
        fields.update(_renamed(attributes, OTEL_ATTRIBUTES))
    for name, value in _renamed(resource, OTEL_RESOURCE).items():
        fields.setdefault(name, value)
    if "__REALTIME_TIMESTAMP" not in fields:
        real = epoch_us(record.get("timeUnixNano"), 1e-9)
        if real is None or real == 0:
            real = epoch_us(record.get("observedTimeUnixNano"), 1e-9)
        if real is not None:
            fields["__REALTIME_TIMESTAMP"] = str(real)
    return fields


# --- what a document is -------------------------------------------------------------------

def _is_journalctl(doc: Mapping[str, Any]) -> bool:
    """journalctl's own ``-o json`` (read by the json family, never taken here)."""
    return any(k in doc for k in _JOURNALCTL_KEYS) or (
        "__REALTIME_TIMESTAMP" in doc and "MESSAGE" in doc)


def shape(doc: Mapping[str, Any]) -> str | None:
    """The pipeline a record (a dict) comes from: ``filebeat``, ``loki``, ``vector``,
    ``fluent-bit``; None if it is none of theirs (or journalctl's own JSON)."""
    if _is_journalctl(doc):
        return None
    if "labels" in doc and "line" in doc:
        return "loki"
    if isinstance(doc.get("journald"), dict) or "journald.host.boot_id" in doc or (
            isinstance(doc.get("input"), dict) and doc["input"].get("type") == "journald"):
        return "filebeat"
    if doc.get("source_type") == "journald" or ("message" in doc and "MESSAGE" not in doc and (
            "__MONOTONIC_TIMESTAMP" in doc or "__REALTIME_TIMESTAMP" in doc)):
        return "vector"
    if any(FLUENT_BIT.get(k) in _FLUENT_BIT_SIGNS for k in doc) and any(
            k in doc for k in ("date", "@timestamp", "time", "timestamp")):
        return "fluent-bit"
    return None


_FLUENT_BIT_SIGNS = frozenset({"_BOOT_ID", "SYSLOG_IDENTIFIER", "_TRANSPORT",
                               "_SOURCE_MONOTONIC_TIMESTAMP"})
_MAPPERS: dict[str, Callable[[Mapping[str, Any]], Fields | None]] = {
    "filebeat": _filebeat, "loki": _loki, "vector": _vector, "fluent-bit": _fluent_bit,
}
_FLUENT_TAGGED = re.compile(r"^[^\s\[\]{}\"]{1,256}: (?=\[)")  # out_file: "tag: [time, {…}]"
_HEAD_SHAPES = ((re.compile(rb'"resourceLogs"\s*:'), "otel"),
                (re.compile(rb'"hits"\s*:\s*\{(?s:.)*"_source"\s*:'), "elasticsearch"))


def _documents(value: Any) -> Iterator[tuple[str, Fields | None]]:
    """(format, journald fields) of each record in one JSON value of an export."""
    if isinstance(value, list):
        if len(value) == 2 and isinstance(value[1], dict) and not isinstance(value[0], dict) \
                and any(FLUENT_BIT.get(k) in _FLUENT_BIT_SIGNS for k in value[1]):
            yield "fluent-bit", _fluent_bit(value[1], value[0])  # [time, {record}]
            return
        for item in value:
            yield from _documents(item)
        return
    if not isinstance(value, dict):
        yield "", None
        return
    hits = value.get("hits")
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):  # a _search response
        for hit in hits["hits"]:
            yield from _hit(hit)
        return
    if isinstance(value.get("_source"), dict):  # one hit (elasticdump)
        yield from _hit(value)
        return
    if isinstance(value.get("resourceLogs"), list):
        for resource_logs in value["resourceLogs"]:
            if not isinstance(resource_logs, dict):
                continue
            resource = _kvlist((resource_logs.get("resource") or {}).get("attributes", []))
            for scope in resource_logs.get("scopeLogs") or []:
                for record in (scope.get("logRecords") or []) if isinstance(scope, dict) else []:
                    yield ("otel", _otel(record, resource)) if isinstance(record, dict) \
                        else ("", None)
        return
    kind = shape(value)
    yield (kind, _MAPPERS[kind](value)) if kind else ("", None)


def _hit(hit: Any) -> Iterator[tuple[str, Fields | None]]:
    source = hit.get("_source") if isinstance(hit, dict) else None
    if not isinstance(source, dict):
        yield "", None
        return
    for kind, fields in _documents(source):
        yield ("elasticsearch" if kind == "filebeat" else kind), fields


def pipeline_style(head: bytes) -> str | None:
    """The pipeline an export comes from, from its first bytes; None for anything else,
    journalctl's own JSON included."""
    text = head.lstrip()
    if not text.startswith((b"{", b"[")) and not _FLUENT_TAGGED.match(
            text[:300].decode("utf-8", "replace")):
        return None
    first = text.split(b"\n", 1)[0].strip()
    try:
        value = json.loads(_untagged(first.decode("utf-8", "replace")))
    except ValueError:
        value = None
    if value is not None:
        return next((kind for kind, fields in _documents(value) if kind), None)
    if first in (b"{", b"["):  # a pretty-printed document
        return next((name for pattern, name in _HEAD_SHAPES if pattern.search(head)), None)
    if b'"resourceLogs"' in first:  # a long OTLP line cut by the head's end
        return "otel"
    return None


def _untagged(line: str) -> str:
    m = _FLUENT_TAGGED.match(line)
    return line[m.end():] if m else line


# --- the reader ---------------------------------------------------------------------------

class _Entry:
    __slots__ = ("fields", "key", "line")

    def __init__(self, fields: Fields, line: int) -> None:
        self.fields, self.line = fields, line
        self.key = 0


def _int(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.isdigit() and len(text) < 19 else None


def read_pipeline(stream: InputStream, options: ReadOptions,
                  info: SourceInfo) -> Iterator[Record]:
    """Any pipeline export above: one JSON value a line, or whole documents (a dump)."""
    entries = list(_entries(stream, info))
    _in_time_order(entries)
    _number_boots(entries, info.name)
    sink = EntrySink(info)
    for entry in entries:
        sink.entry(entry.fields, entry.line)
    yield from sink.finish()


def _entries(stream: InputStream, info: SourceInfo) -> Iterator[_Entry]:
    data = buffered(stream)
    number = 0
    document: list[bytes] = []  # lines of a multi-line JSON document (a pretty dump)
    start = 0
    for block in line_blocks(data):
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        for raw in lines:
            number += 1
            line = raw.decode("utf-8", "replace").strip()
            if document and raw.rstrip() in (b"{", b"["):  # the next document begins
                info.skip("damaged JSON document (skipped)", start)
                document = []
            if document:
                document.append(raw)
                # A pretty printer closes the document at the start of a line.
                if raw.rstrip() not in (b"}", b"]"):
                    continue
                try:
                    value = json.loads(b"\n".join(document))
                except ValueError:
                    continue  # a closing brace inside a string: read on
                document = []
                yield from _records(value, start, info)
                continue
            if not line:
                continue
            if line in ("{", "["):
                document, start = [raw], number
                continue
            try:
                value = json.loads(_untagged(line))
            except ValueError:
                info.skip("not JSON (skipped)", number)
                continue
            yield from _records(value, number, info)
    if document:
        info.skip("JSON document cut off at the end of the file (skipped)", start)


def _records(value: Any, line: int, info: SourceInfo) -> Iterator[_Entry]:
    for kind, fields in _documents(value):
        if not kind or fields is None:
            info.skip("not a journal record of a known log pipeline (skipped)", line)
            continue
        info.formats_seen[kind] = info.formats_seen.get(kind, 0) + 1
        yield _Entry(fields, line)


def _in_time_order(entries: list[_Entry]) -> None:
    """Sort an export that is not in time order (Loki's newest first, a search's hits).

    Entries with a boot id and a monotonic time are placed by it from their boot's
    kernel start (a stepped wall clock cannot reorder a boot); the others by wall time.
    """
    starts: dict[str, int] = {}
    for e in entries:
        mono, real = _int(e.fields.get("__MONOTONIC_TIMESTAMP")), \
            _int(e.fields.get("__REALTIME_TIMESTAMP"))
        boot = _text(e.fields.get("_BOOT_ID"))
        if boot and mono is not None and real is not None:
            starts[boot] = min(starts.get(boot, real - mono), real - mono)
    for e in entries:
        mono, real = _int(e.fields.get("__MONOTONIC_TIMESTAMP")), \
            _int(e.fields.get("__REALTIME_TIMESTAMP"))
        boot = _text(e.fields.get("_BOOT_ID"))
        if boot in starts and mono is not None:
            e.key = starts[boot] + mono
        else:
            e.key = real if real is not None else (mono or 0)
    if any(a.key > b.key for a, b in itertools.pairwise(entries)):
        entries.sort(key=lambda e: (e.key, e.line))
        # The boots step reads "between the first line and the arming" by position: in
        # a sorted export, positions count its records in time order.
        for rank, e in enumerate(entries, 1):
            e.line = rank


def _number_boots(entries: list[_Entry], source: str) -> None:
    """Boots of records without a boot id: per host, a new one at each kernel start."""
    count: dict[str, int] = {}
    seen: dict[str, bool] = {}  # host -> the current boot has had entries
    # host -> the stage of the kernel-start run its boot began with (`events.starts_boot`:
    # arm64's "Booting Linux on physical CPU" then "Linux version" is one kernel start)
    run: dict[str, int | None] = {}
    for e in entries:
        if _text(e.fields.get("_BOOT_ID")):
            continue
        host = _text(e.fields.get("_HOSTNAME")) or ""
        ident = _text(e.fields.get("SYSLOG_IDENTIFIER")) or (
            "kernel" if _text(e.fields.get("_TRANSPORT")) == "kernel" else None)
        event = events.classify(ident, _text(e.fields.get("MESSAGE")) or "")
        if (event is not None and event.kind is Kind.KERNEL_START and seen.get(host)
                and events.starts_boot(event, run.get(host))):
            count[host] = count.get(host, 0) + 1
            seen[host] = False
        stage = event.rule.stage if event is not None else None
        if stage is not None and (not seen.get(host) or run.get(host) is not None):
            run[host] = stage
        elif ident != "kernel" or not seen.get(host):
            run[host] = None
        seen[host] = True
        e.fields["_BOOT_ID"] = f"{source}#{host}#{count.get(host, 0)}"
        if ident is not None:
            e.fields.setdefault("SYSLOG_IDENTIFIER", ident)
