"""What the log pipelines and the kernel's console make of `bootlag.synth` boots.

Each converter is written from the pipeline's source (the file and commit are
named in `bootlag.formats.pipelines`, whose reader reads them back): it takes the
entries of ``journalctl -o json`` of a generated journal (what the pipeline reads
from journald) and writes what the pipeline's export holds. The console
converters take the `Boot` truth itself (the printk time of kernel lines, the
monotonic time journald forwards other lines to the console with,
``journald-console.c``). `RENDERERS` renders any of them from a journal file,
for the fuzzer's seeds.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from . import synth
from .synth import SEC, Boot

__all__ = ["RENDERERS", "journal_entries", "to_console", "to_dmesg", "to_dmesg_iso",
           "to_dmesg_t", "to_elasticsearch", "to_filebeat", "to_fluent_bit", "to_loki",
           "to_otel", "to_vector"]

Entry = dict[str, Any]


def journal_entries(json_output: bytes) -> list[Entry]:
    """The entries of ``journalctl -o json`` output."""
    return [json.loads(line) for line in json_output.splitlines() if line.strip()]


def _iso(us: int, digits: int = 6, zone: dt.tzinfo = dt.timezone.utc) -> str:
    """RFC 3339 with `digits` fraction digits (3: Filebeat's milliseconds), or Go's
    RFC3339Nano (digits=-1: trailing zeros dropped)."""
    t = dt.datetime.fromtimestamp(us // SEC, tz=zone).replace(microsecond=us % SEC)
    base = t.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{us % SEC:06d}"
    fraction = fraction.rstrip("0") if digits == -1 else fraction[:digits]
    offset = t.strftime("%z")
    offset = "Z" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    return base + (f".{fraction}" if fraction else "") + offset


def _data_fields(entry: Entry) -> Entry:
    """The entry's data fields (what sd_journal_enumerate_data gives): no ``__`` fields."""
    return {k: v for k, v in entry.items() if not k.startswith("__")}


def _lines(items: Iterable[Any]) -> bytes:
    return b"".join(json.dumps(i, separators=(",", ":")).encode() + b"\n" for i in items)


# --- Filebeat / Elastic Agent, and Elasticsearch ------------------------------------------

# default.go @ 00b7f18712a6: journald field -> Filebeat's names (text fields; integers as such)
_FILEBEAT = {
    "_BOOT_ID": ["journald.host.boot_id"], "_HOSTNAME": ["host.hostname"],
    "SYSLOG_IDENTIFIER": ["syslog.identifier"], "_COMM": ["journald.process.name"],
    "_TRANSPORT": ["systemd.transport"], "_SYSTEMD_UNIT": ["systemd.unit"],
    "_MACHINE_ID": ["host.id"], "MESSAGE_ID": ["message_id"],
}
_FILEBEAT_INT = {"_PID": ["journald.pid"], "PRIORITY": ["syslog.priority",
                                                       "log.syslog.priority"]}
_FILEBEAT_DROPPED = {"__MONOTONIC_TIMESTAMP", "_SOURCE_REALTIME_TIMESTAMP", "__CURSOR",
                     "_SOURCE_MONOTONIC_TIMESTAMP", "__REALTIME_TIMESTAMP", "MESSAGE"}


def _put(doc: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for name in parents:
        doc = doc.setdefault(name, {})
    doc[last] = value


def filebeat_event(entry: Entry) -> dict[str, Any]:
    """One Filebeat event (elastic/beats filebeat/input/journald/input.go @ 0375571ed557
    readerAdapter.Next, and pkg/journalfield/conv.go @ 79c83984b525 Convert)."""
    doc: dict[str, Any] = {"@timestamp": _iso(int(entry["__REALTIME_TIMESTAMP"]), 3)}
    custom: dict[str, Any] = {}
    for key, value in entry.items():
        if key in _FILEBEAT_DROPPED:
            continue
        if key in _FILEBEAT:
            for name in _FILEBEAT[key]:
                _put(doc, name, value)
        elif key in _FILEBEAT_INT:
            for name in _FILEBEAT_INT[key]:
                _put(doc, name, int(value) if str(value).isdigit() else value)
        else:
            custom[key.lstrip("_").lower()] = value
    if custom:
        _put(doc, "journald.custom", custom)
    if "_COMM" in entry:
        _put(doc, "process.name", entry["_COMM"])  # withECSEnrichment
    if "MESSAGE" in entry:
        doc["message"] = entry["MESSAGE"]
    _put(doc, "event.kind", "event")
    _put(doc, "input.type", "journald")
    return doc


def to_filebeat(entries: Sequence[Entry]) -> bytes:
    """Filebeat's file output: one event a line, with the beat's ``@metadata``."""
    return _lines({"@metadata": {"beat": "filebeat", "type": "_doc", "version": "8.15.0"},
                   **filebeat_event(e)} for e in entries)


def to_elasticsearch(entries: Sequence[Entry], page: int = 40, seed: int = 1) -> bytes:
    """A scroll through an index of Filebeat events: pretty-printed ``_search`` responses,
    hits in no particular order."""
    hits = [{"_index": ".ds-filebeat-8.15.0-2025.01.01-000001", "_id": f"id{i}", "_score": 1.0,
             "_source": filebeat_event(e)} for i, e in enumerate(entries)]
    random.Random(seed).shuffle(hits)
    out = []
    for n in range(0, max(len(hits), 1), page):
        out.append(json.dumps({"_scroll_id": f"scroll{n}", "took": 3, "timed_out": False,
                               "hits": {"total": {"value": len(hits), "relation": "eq"},
                                        "max_score": 1.0, "hits": hits[n:n + page]}},
                              indent=2).encode() + b"\n")
    return b"".join(out)


# --- Loki ---------------------------------------------------------------------------------

def to_loki(entries: Sequence[Entry], json_lines: bool = False, newest_first: bool = True,
            labels: Sequence[str] = ("host", "syslog_identifier", "boot_id")) -> bytes:
    """``logcli query --output=jsonl`` of what promtail's journal target shipped.

    The line is MESSAGE, or with ``json_lines`` the JSON of the data fields (grafana/loki
    clients/pkg/promtail/targets/journal/journaltarget.go @ 0d139c72f1f1, formatter; the
    record as pkg/logcli/output/jsonl.go @ 0583c079d01d prints it); labels are the agent's
    static ``host`` and relabelled ``__journal_<field>``: ``hostname`` (_HOSTNAME),
    ``syslog_identifier``, ``boot_id``, ``unit``, ``transport``.
    """
    sources = {"hostname": "_HOSTNAME", "syslog_identifier": "SYSLOG_IDENTIFIER",
               "boot_id": "_BOOT_ID", "unit": "_SYSTEMD_UNIT", "transport": "_TRANSPORT"}
    agent = {e["_BOOT_ID"]: e["_HOSTNAME"] for e in entries  # the agent's static "host" label
             if e.get("_HOSTNAME", "localhost") != "localhost"}
    records: list[dict[str, Any]] = []
    for e in entries:
        line = json.dumps(_data_fields(e), separators=(",", ":")) if json_lines \
            else e.get("MESSAGE")
        if not isinstance(line, str):
            continue  # "received journal entry with no MESSAGE field": dropped
        lbls = {"job": "systemd-journal"}
        if "host" in labels and e.get("_BOOT_ID") in agent:
            lbls["host"] = agent[e["_BOOT_ID"]]
        lbls.update({name: e[sources[name]] for name in labels
                     if name in sources and sources[name] in e})
        records.append({"labels": lbls, "line": line,
                        "timestamp": _iso(int(e["__REALTIME_TIMESTAMP"]), -1)})
    if newest_first:  # logcli's default direction is backward
        records.sort(key=lambda r: r["timestamp"], reverse=True)
    return _lines(records)


# --- Vector -------------------------------------------------------------------------------

def to_vector(entries: Sequence[Entry]) -> bytes:
    """Vector's journald source (legacy namespace) through a ``file`` sink, ``codec: json``
    (vectordotdev/vector src/sources/journald.rs @ 00612f058f31)."""
    out = []
    for e in entries:
        record = {k: v for k, v in e.items() if k != "__CURSOR"}
        if "MESSAGE" in record:
            record["message"] = record.pop("MESSAGE")
        if "_HOSTNAME" in record:
            record["host"] = record.pop("_HOSTNAME")
        ts = record.get("_SOURCE_REALTIME_TIMESTAMP", record["__REALTIME_TIMESTAMP"])
        record["timestamp"] = _iso(int(ts))
        record["source_type"] = "journald"
        out.append(record)
    return _lines(out)


# --- Fluent Bit ---------------------------------------------------------------------------

def to_fluent_bit(entries: Sequence[Entry], strip_underscores: bool = False,
                  lowercase: bool = False, style: str = "json_lines") -> bytes:
    """Fluent Bit's systemd input through ``stdout``/``file`` (``json_lines``: ``date`` in
    float seconds; ``out_file``: ``tag: [time, {record}]``), as fluent/fluent-bit
    plugins/in_systemd/systemd.c @ 099a57c862b3 (Lowercase: @ 1edca26d1e82) packs it."""
    out = []
    for e in entries:
        record: dict[str, Any] = {}
        for key, value in _data_fields(e).items():
            if strip_underscores and key.startswith("_"):
                key = key[1:]
            if lowercase:
                key = key.lower()
            record[key] = value
        seconds = int(e["__REALTIME_TIMESTAMP"]) / SEC
        if style == "out_file":
            out.append(b"systemd.0: " + json.dumps([round(seconds, 6), record],
                                                   separators=(",", ":")).encode() + b"\n")
        else:
            out.append(json.dumps({"date": round(seconds, 6), **record},
                                  separators=(",", ":")).encode() + b"\n")
    return b"".join(out)


# --- OpenTelemetry collector --------------------------------------------------------------

def _any(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        if all(isinstance(v, int) for v in value):  # journalctl's bytes: a string for OTel
            return {"stringValue": bytes(v & 0xFF for v in value).decode("utf-8", "replace")}
        return {"arrayValue": {"values": [_any(v) for v in value]}}
    return {"stringValue": str(value)}


def _kv(fields: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _any(v)} for k, v in fields.items()]


def otel_record(entry: Entry, mapped: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """(log record, resource attributes) of one entry (open-telemetry/opentelemetry-collector-
    contrib pkg/stanza/operator/input/journald/input.go @ 0d9ab739e5f5 parseJournalEntry;
    with `mapped`, journald_attr_mapping.go @ 035df0ed2b4d mapJournalEntryAttributes)."""
    body = {k: v for k, v in entry.items() if k != "__REALTIME_TIMESTAMP"}
    record: dict[str, Any] = {"timeUnixNano": str(int(entry["__REALTIME_TIMESTAMP"]) * 1000),
                              "observedTimeUnixNano": str(int(entry["__REALTIME_TIMESTAMP"])
                                                          * 1000 + 5_000_000)}
    resource: dict[str, Any] = {}
    if not mapped:
        record["body"] = {"kvlistValue": {"values": _kv(body)}}
        return record, resource
    attributes: dict[str, Any] = {}
    for key, value in body.items():
        if key == "MESSAGE":
            record["body"] = _any(value)
        elif key == "SYSLOG_IDENTIFIER":
            attributes["syslog.msgid"] = value
        elif key == "_HOSTNAME":
            resource["host.name"] = value
        elif key == "_COMM":
            resource["process.command"] = value
        elif key != "PRIORITY":
            attributes["journald." + key] = value
    record["attributes"] = _kv(attributes)
    return record, resource


def to_otel(entries: Sequence[Entry], mapped: bool = False, batch: int = 16) -> bytes:
    """The collector's ``file`` exporter (OTLP JSON, one export request a line)."""
    out: list[dict[str, Any]] = []
    for n in range(0, len(entries), batch):
        groups: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for e in entries[n:n + batch]:
            record, resource = otel_record(e, mapped)
            key = json.dumps(resource, sort_keys=True)
            groups.setdefault(key, (resource, []))[1].append(record)
        out.append({"resourceLogs": [
            {"resource": {"attributes": _kv(resource)},
             "scopeLogs": [{"scope": {}, "logRecords": records}]}
            for resource, records in groups.values()]})
    return _lines(out)


# --- the console and dmesg ----------------------------------------------------------------

def _kmsg_lines(boot: Boot) -> list[tuple[int, str, str]]:
    """(stamp µs, identifier, first line of message) of a boot's lines as the console shows
    them: kernel lines at their printk time, others at journald's monotonic time."""
    lines = []
    for e in boot.entries:
        message = e.fields["MESSAGE"].split("\n", 1)[0]
        if e.fields.get("_TRANSPORT") == "kernel":
            lines.append((int(e.fields["_SOURCE_MONOTONIC_TIMESTAMP"]), "kernel", message))
        else:
            lines.append((e.mono_us, e.fields.get("SYSLOG_IDENTIFIER", "unknown"),
                          f"{e.fields.get('SYSLOG_IDENTIFIER', 'unknown')}"
                          f"[{e.fields.get('_PID', '1')}]: {message}"))
    lines.sort(key=lambda x: x[0])
    return lines


def _stamp(us: int) -> str:
    return f"[{us // SEC:5d}.{us % SEC:06d}] "


def to_dmesg(boots: Sequence[Boot]) -> bytes:
    """``dmesg`` of each boot, one after another (every boot's kernel log as printed)."""
    return "".join(_stamp(t) + m + "\n"
                   for b in boots for t, _, m in _kmsg_lines(b)).encode()


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def to_dmesg_t(boots: Sequence[Boot], tz: str = "UTC") -> bytes:
    """``dmesg -T``: boot time + printk time, in local time, whole seconds (ctime-like)."""
    zone = ZoneInfo(tz)
    out = []
    for b in boots:
        for t, _, m in _kmsg_lines(b):
            when = dt.datetime.fromtimestamp((b.start_us + t) // SEC, tz=zone)
            out.append(f"[{_WEEKDAYS[when.weekday()]} {when.strftime('%b')} {when.day:2d} "
                       f"{when.strftime('%H:%M:%S %Y')}] {m}\n")
    return "".join(out).encode()


def to_dmesg_iso(boots: Sequence[Boot], tz: str = "UTC") -> bytes:
    """``dmesg --time-format=iso``: ``2024-01-01T10:00:05,123456+01:00 message``."""
    zone = ZoneInfo(tz)
    out = []
    for b in boots:
        for t, _, m in _kmsg_lines(b):
            us = b.start_us + t
            when = dt.datetime.fromtimestamp(us // SEC, tz=zone)
            offset = when.strftime("%z")
            out.append(f"{when.strftime('%Y-%m-%dT%H:%M:%S')},{us % SEC:06d}"
                       f"{offset[:3]}:{offset[3:]} {m}\n")
    return "".join(out).encode()


_FIRMWARE = [
    "\x1b[2J\x1b[01;01HSeaBIOS (version 1.16.3-debian-1.16.3-2)",
    "iPXE (https://ipxe.org) 00:03.0 CA00 PCI2.10 PnP PMM+7EFD0F60+7EF30F60 CA00",
    "Booting from Hard Disk...",
    "\x1b[0m\x1b[30m\x1b[47m\x1b[1;1H                 GNU GRUB  version 2.06",
    "\x1b[2;1H   Use the ^ and v keys to select which entry is highlighted.      \r",
    "  Booting `Linux'",
    "Loading Linux ...",
    "Loading initial ramdisk ...",
    "EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path",
]
_STATUS_VERBS = ("Started ", "Finished ", "Reached target ", "Failed to start ")


def to_console(boots: Sequence[Boot], seed: int = 1) -> bytes:
    """A serial-console capture: firmware and boot-loader noise before each boot, CRLF
    line ends, ANSI colours, systemd's status lines (no stamp) for its unit lines, other
    lines as journald forwards them (``[stamp] ident[pid]: message``), a login prompt."""
    rng = random.Random(seed)
    out: list[str] = []
    for b in boots:
        out.extend(line + "\r\n" for line in _FIRMWARE)
        for t, ident, m in _kmsg_lines(b):
            text = m.split(": ", 1)[1] if ident != "kernel" else m
            if ident == "systemd" and text.startswith(_STATUS_VERBS):
                mark = "\x1b[0;1;31mFAILED\x1b[0m" if text.startswith("Failed") \
                    else "\x1b[0;32m  OK  \x1b[0m"
                out.append(f"[{mark}] {text}\r\n")
            elif ident == "systemd" and text.startswith("Starting "):
                out.append(f"         {text}\r\n")
            else:
                out.append(_stamp(t) + m + "\r\n")
            if rng.random() < 0.03:
                out.append("\x1b[K\r")  # a redraw leaves an erased line
        out.append(f"\r\n{b.host} login: ")
        out.append("\r\n")
    return "".join(out).encode()


# --- rendering from a journal file (the fuzzer's seeds) ------------------------------------

def _from_json(convert: Callable[[list[Entry]], bytes]) -> Callable[[str, Sequence[Boot]], bytes]:
    return lambda journal, boots: convert(journal_entries(synth.render(journal, "json")))


RENDERERS: dict[str, Callable[[str, Sequence[Boot]], bytes]] = {
    "filebeat": _from_json(to_filebeat),
    "elasticsearch": _from_json(to_elasticsearch),
    "loki": _from_json(lambda e: to_loki(e, json_lines=True)),
    "vector": _from_json(to_vector),
    "fluent-bit": _from_json(to_fluent_bit),
    "otel": _from_json(to_otel),
    "dmesg": lambda journal, boots: to_dmesg(boots),
    "console": lambda journal, boots: to_console(boots),
    "dmesg-T": lambda journal, boots: to_dmesg_t(boots),
    "dmesg-iso": lambda journal, boots: to_dmesg_iso(boots),
}
