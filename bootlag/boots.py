"""Assemble per-boot facts from records: one row per boot, in small steps.

Each step takes a boot's records (grouped by kind) and returns its columns
and the notes that explain them; `boot_row` puts them together. Which clock a
gap comes from, and when it is refused, is `bootlag.clock`'s to say; what a
message means is `bootlag.events`'s. The columns are `bootlag.table.SCHEMA`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import clock, events
from .formats import FORMATS
from .formats.common import SourceInfo, is_placeholder_host
from .records import (
    BY_KERNEL,
    BY_SERVICE,
    EARLY,
    EARLY_MODULE_MISSING,
    END_ABRUPT,
    END_OPEN,
    END_SHUTDOWN,
    ENDED_ABRUPTLY,
    KDUMP,
    LOG_TOO_SHORT,
    NO_CRASHKERNEL,
    NO_KDUMP_SERVICE,
    RESERVATION_FAILED,
    Armed,
    CommandLine,
    Failure,
    KernelRelease,
    Kind,
    Record,
    Startup,
)
from .table import COLUMNS, typed

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "assemble", "boot_row", "merge_same_boots", "typed"]

Columns = dict[str, Any]
Notes = tuple[str, ...]
ByKind = Mapping[Kind, list[Record]]

# An unload this close before a logged shutdown, not followed by a load, is the
# shutdown's own (the kdump unit stops with the others; systemd's DefaultTimeoutStopSec);
# the shutdown lines of a clean end come this close to each other and to the log's end.
_SHUTDOWN_STOPS_US = 90 * 1_000_000
_BOOT_ID = re.compile(r"[0-9a-f]{32}")


def _dedupe(records: list[Record]) -> list[Record]:
    """The same entry seen in two inputs (a journal collected twice) counts once."""
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for r in records:
        key = (r.kind, r.mono_us, r.real_us, r.ident, r.message)
        if r.kind in (Kind.FIRST, Kind.LAST) or key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


early_arg = events.early_arg  # (kept here for its callers)


def _group(records: list[Record]) -> dict[Kind, list[Record]]:
    by_kind: dict[Kind, list[Record]] = defaultdict(list)
    for r in records:
        by_kind[r.kind].append(r)
    # A boot read from both a monotonic and a wall-clock format takes its clock
    # facts (and counts) from the monotonic one, so nothing is counted twice.
    for kind in (Kind.LAST, Kind.ARMED, Kind.UNLOADED):
        by_kind[kind] = [r for r in by_kind[kind] if r.mono_us is not None] or by_kind[kind]
    return by_kind


def boot_row(key: str, records: list[Record], infos: Mapping[str, SourceInfo]) -> Columns:
    """The facts of one boot from all its records (from one or more sources)."""
    records = _dedupe(sorted(records, key=clock.order))  # sorted first: order-independent
    by_kind = _group(records)
    first = min(by_kind[Kind.FIRST], key=clock.order)  # monotonic ones sort first
    armed = by_kind[Kind.ARMED][0] if by_kind[Kind.ARMED] else None
    sources = sorted({r.source for r in records})
    read = [infos[s] for s in sources if s in infos]
    start_logged = clock.start_logged(first, bool(by_kind[Kind.KERNEL_START]))
    times, time_notes = _times(records, armed, by_kind, start_logged, read)
    status, status_notes = _status(armed, by_kind, times["log_span_s"], start_logged)
    protection, protection_notes = _protection(records, by_kind, status["status"])
    status.update(status=protection.pop("status"))
    return {
        "host": _host(records, max(by_kind[Kind.LAST], key=clock.order),
                      [i.host or i.name for i in read] or sources),
        "boot_id": key if _BOOT_ID.fullmatch(key) else None,
        **times,
        **status,
        **protection,
        "end": END_SHUTDOWN if _clean_shutdown(by_kind) else None,  # else set by `assemble`
        "reason": _reason(by_kind, status["status"], start_logged),
        "start_logged": start_logged,
        **_configuration(by_kind),
        **_failures(by_kind),
        "loads": len(by_kind[Kind.ARMED]),
        "unloads": len(by_kind[Kind.UNLOADED]),
        "capture_kernel": bool(by_kind[Kind.CAPTURE]),
        **_milestones(by_kind),
        **_phases(by_kind),
        "note": "; ".join(time_notes + status_notes + protection_notes) or None,
        **_provenance(read, sources, first, armed),
    }


def _times(records: list[Record], armed: Record | None, by_kind: ByKind, start_logged: bool,
           read: Sequence[SourceInfo]) -> tuple[Columns, Notes]:
    """kernel_start, armed_at, gap_s, gap_kind, gap_error_s, clock, kernel_start_from,
    log_span_s (`clock.gap_facts`)."""
    resolution = _resolution_us(read, armed.source if armed is not None else None)
    facts = clock.gap_facts(records, armed, by_kind[Kind.FIRST], by_kind[Kind.LAST],
                            start_logged, resolution)
    columns = {"kernel_start": facts.kernel_start_us, "armed_at": facts.armed_us,
               "gap_s": facts.gap_s, "gap_kind": facts.gap_kind,
               "gap_error_s": facts.gap_error_s, "clock": facts.clock,
               "kernel_start_from": facts.kernel_start_from, "log_span_s": facts.log_span_s}
    notes = facts.notes
    if any(info.zone_problem for info in read):
        notes += ("the text's time zone is not known (give --tz): kernel_start and "
                  "armed_at are left out; the gap does not depend on it",)
        columns.update(kernel_start=None, armed_at=None)
    return columns, notes


def _resolution_us(read: Sequence[SourceInfo], source: str | None) -> int:
    """The coarsest stamp resolution of the formats seen in `source` (1 s if unknown)."""
    found = [FORMATS[name].resolution_s for info in read if info.name == source
             for name in info.formats_seen if name in FORMATS]
    return round(max(found, default=1.0) * 1e6)


def _status(armed: Record | None, by_kind: ByKind, span_s: float,
            start_logged: bool) -> tuple[Columns, Notes]:
    """status, mode and loader of a boot, and why where it is not plain."""
    def row(status: str, mode: str, loader: str | None) -> Columns:
        return {"mode": mode, "status": status, "loader": loader}

    if armed is not None:
        assert isinstance(armed.detail, Armed)
        return row("armed", armed.detail.mode, armed.detail.loader), ()
    if by_kind[Kind.ALREADY]:
        notes: Notes = ("kdumpctl found a crash kernel already loaded, but the log does not "
                 "say when it was loaded",)
        if by_kind[Kind.EARLY_ENABLED] or _early_on_cmdline(by_kind):
            return row("armed", EARLY, "early-kdump"), notes
        return row("armed", "unknown", None), notes
    if by_kind[Kind.FAILED] or by_kind[Kind.RESERVE_FAILED]:
        return row("failed", "none", None), ()
    status, notes = clock.coverage(start_logged, bool(by_kind[Kind.STARTUP]), span_s)
    return row(status, "none", None), notes


def _protection(records: list[Record], by_kind: ByKind, status: str) -> tuple[Columns, Notes]:
    """Whether the crash kernel stayed loaded after the first arming: status (``disarmed``
    when it was unloaded, or a reload failed, and nothing loaded it again) and the seconds
    without one after the first arming (``unprotected_after_s``; NaN if never armed).

    An unload at a logged shutdown (or just before it) is the shutdown's, not a disarming.
    """
    columns: Columns = {"status": status, "unprotected_after_s": math.nan}
    steps = [r for r in records if r.kind in (Kind.ARMED, Kind.ALREADY, Kind.UNLOADED)
             or (r.kind is Kind.FAILED and isinstance(r.detail, Failure)
                 and r.detail.by != BY_KERNEL)]
    if status != "armed" or not steps:
        return columns, ()
    monotonic = any(r.mono_us is not None for r in steps)
    at = _mono if monotonic else _real
    steps = [r for r in steps if at(r) is not None]
    ends = [t for r in by_kind[Kind.LAST] if (t := at(r)) is not None]
    shutdown = _shutdown_began(by_kind, at)
    loaded, since, unprotected = False, None, 0.0
    armed_once = False
    for r in steps:
        t = at(r)
        assert t is not None
        if r.kind in (Kind.ARMED, Kind.ALREADY):
            if armed_once and not loaded and since is not None:
                unprotected += (t - since) / 1e6
            loaded, since, armed_once = True, None, True
        elif armed_once and loaded:  # an unload, or a failed (re)load: nothing is loaded now
            loaded, since = False, t
    if not armed_once:
        return columns, ()
    if not loaded and since is not None and shutdown is not None \
            and since >= shutdown - _SHUTDOWN_STOPS_US:
        loaded = True  # unloaded by the shutdown
    if loaded or since is None:
        return {**columns, "unprotected_after_s": unprotected}, ()
    unprotected += (max([since, *ends]) - since) / 1e6
    when = f" at {since / 1e6:.3f} s" if monotonic else ""
    return ({"status": "disarmed", "unprotected_after_s": unprotected},
            (f"the crash kernel was unloaded{when} (or a reload failed) and not loaded again: "
             "the boot was unprotected from then on",))


def _shutdown_began(by_kind: ByKind, at: Callable[[Record], int | None]) -> int | None:
    """When the clean shutdown that ends the boot's log began (None: the log does not end
    in one): the first of the shutdown lines that follow one another up to its last line.
    A journald restart in mid-boot also logs "Journal stopped", then the boot goes on."""
    ends = [t for r in by_kind[Kind.LAST] if (t := at(r)) is not None]
    times = sorted(t for r in by_kind[Kind.SHUTDOWN] if (t := at(r)) is not None)
    if not times or not ends or max(ends) - times[-1] > _SHUTDOWN_STOPS_US:
        return None
    began = times[-1]
    for t in reversed(times[:-1]):
        if began - t > _SHUTDOWN_STOPS_US:
            break
        began = t
    return began


def _clean_shutdown(by_kind: ByKind) -> bool:
    """Whether the boot's log ends in a clean shutdown or reboot (`_shutdown_began`)."""
    found = by_kind[Kind.SHUTDOWN]
    at = _mono if any(r.mono_us is not None for r in found) else _real
    return _shutdown_began(by_kind, at) is not None


def _mono(r: Record) -> int | None:
    return r.mono_us


def _real(r: Record) -> int | None:
    return r.real_us


def _reason(by_kind: ByKind, status: str, start_logged: bool) -> str | None:
    """Why a boot that was never protected was not (a code of `records.REASONS`, then ": "
    and the logged text where there is one); None for a boot that armed.

    `assemble` turns ``log-too-short`` into ``ended-abruptly`` for a boot that ended so.
    """
    if status in ("armed", "disarmed"):
        return None
    cmdline = _command_line(by_kind)
    if cmdline is not None and cmdline.crashkernel is None:
        return f"{NO_CRASHKERNEL}: {cmdline.text}"
    failures = [r.detail for r in sorted(by_kind[Kind.RESERVE_FAILED] + by_kind[Kind.FAILED],
                                         key=clock.order) if isinstance(r.detail, Failure)]
    for cause in (NO_CRASHKERNEL, RESERVATION_FAILED):
        found = [f for f in failures if f.cause == cause]
        if found:
            return f"{cause}: {found[0].text}"
    if failures:
        first = next((f for f in failures if f.by == BY_SERVICE), failures[0])
        return f"{first.cause}: {first.text}"
    early_seen = by_kind[Kind.EARLY_ENABLED] or by_kind[Kind.EARLY_DISABLED] or any(
        isinstance(r.detail, Armed) and r.detail.mode == EARLY for r in by_kind[Kind.ARMED])
    if start_logged and cmdline is not None and cmdline.rd_earlykdump and not early_seen:
        return EARLY_MODULE_MISSING
    if status == "not-armed":
        return NO_KDUMP_SERVICE
    return LOG_TOO_SHORT


def _command_line(by_kind: ByKind) -> CommandLine | None:
    found = [r.detail for r in by_kind[Kind.CMDLINE] if isinstance(r.detail, CommandLine)]
    return found[0] if found else None


def _early_on_cmdline(by_kind: ByKind) -> bool:
    cmdline = _command_line(by_kind)
    return cmdline is not None and cmdline.rd_earlykdump


def _configuration(by_kind: ByKind) -> Columns:
    """What the log says of the set-up: command line, early-kdump flag, kernel release."""
    cmdline = _command_line(by_kind)
    early_flags = [r.kind is Kind.EARLY_ENABLED
                   for r in by_kind[Kind.EARLY_ENABLED] + by_kind[Kind.EARLY_DISABLED]]
    kernel = [r.detail.release for r in by_kind[Kind.KERNEL_START]
              if isinstance(r.detail, KernelRelease)]
    return {"early_kdump_enabled": early_flags[0] if early_flags else None,
            "rd_earlykdump": cmdline.rd_earlykdump if cmdline is not None else None,
            "crashkernel": cmdline.crashkernel if cmdline is not None else None,
            "kernel": kernel[0] if kernel else None}


def _failures(by_kind: ByKind) -> Columns:
    """Every failure the boot logged, in time order, with its monotonic second (NaN if none)."""
    found = sorted(by_kind[Kind.FAILED] + by_kind[Kind.RESERVE_FAILED], key=clock.order)
    texts = [r.detail.text for r in found if isinstance(r.detail, Failure)]
    return {"failure": texts[0] if texts else None, "failures": texts,
            "failures_s": [_seconds([r]) for r in found]}


def _seconds(found: Iterable[Record]) -> float:
    monos = [r.mono_us for r in found if r.mono_us is not None]
    return min(monos) / 1e6 if monos else math.nan


def _milestones(by_kind: ByKind) -> Columns:
    """Monotonic seconds of early kdump's start and of the kdump service's verdict."""
    service = (by_kind[Kind.ALREADY]
               + [r for r in by_kind[Kind.ARMED]
                  if isinstance(r.detail, Armed) and r.detail.mode == KDUMP]
               + [r for r in by_kind[Kind.FAILED]
                  if isinstance(r.detail, Failure) and r.detail.by == BY_SERVICE])
    return {"early_enabled_s": _seconds(by_kind[Kind.EARLY_ENABLED]),
            "service_s": _seconds(service)}


def _phases(by_kind: ByKind) -> Columns:
    """Boot phases from systemd's "Startup finished" line (NaN without one)."""
    found = [r.detail for r in by_kind[Kind.STARTUP] if isinstance(r.detail, Startup)]
    startup = found[0] if found else Startup(math.nan)
    return {"kernel_s": startup.kernel_s, "initrd_s": startup.initrd_s,
            "userspace_s": startup.userspace_s}


def _provenance(read: Sequence[SourceInfo], sources: list[str], first: Record,
                armed: Record | None) -> Columns:
    """Where the boot was read from: formats, zones, files, lines."""
    zones = sorted({z for info in read if (z := info.zone_text)})
    return {"format": ",".join(sorted({info.format for info in read})),
            "text_tz": ",".join(zones) or None,
            "source": ";".join(sources),
            "first_line": first.at.number,
            "armed_line": f"{armed.source}:{armed.at.number}" if armed is not None else None}


def _host(records: list[Record], last: Record, fallbacks: list[str]) -> str:
    """The boot's last real host name; else the collection's host, else the file's name."""
    if last.host:
        return last.host
    for r in reversed(records):
        if not is_placeholder_host(r.host):
            return r.host  # type: ignore[return-value]
    for r in records:
        if r.host:
            return r.host
    name = fallbacks[0].rsplit("/", 1)[-1]
    return name.split(".", 1)[0] or name


def _signatures(r: Record) -> Iterator[tuple[Any, ...]]:
    """What identifies the entry behind a record across formats: who said what, when.

    Only entries stamped with a real host name and not in the first second: every
    boot's early kernel lines read the same ("Linux version ..." at 0 s, from
    "localhost"), and many hosts may boot in the same second.
    """
    if is_placeholder_host(r.host) or (r.mono_us is not None
                                        and r.mono_us < clock.ALIKE_IN_EVERY_BOOT_US):
        return
    if r.mono_us is not None:
        yield (r.host, r.ident, r.message, "mono", r.mono_us)
    if r.real_us is not None:  # text shows whole seconds at least
        yield (r.host, r.ident, r.message, "real", r.real_us // 1_000_000)


def merge_same_boots(grouped: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """Join boots that are one boot seen in several sources.

    Text names a boot only at its ``-- Boot <id> --`` separator, so the first
    boot of a text file has no id: the same boot read from json (or from a
    second copy of the file) would otherwise be a second row. Boots from
    different sources that share an entry (same host, identifier, message and
    time) are one; two different boot ids are never joined.
    """
    parent = {key: key for key in grouped}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key] = parent[parent[key]]
        return key

    owner: dict[tuple, tuple[str, str]] = {}
    for key, records in grouped.items():
        for r in records:
            if not r.kind.is_event:
                continue
            for signature in _signatures(r):
                other, source = owner.setdefault(signature, (key, r.source))
                a, b = root(other), root(key)
                if source != r.source and a != b and not (_BOOT_ID.fullmatch(a)
                                                          and _BOOT_ID.fullmatch(b)):
                    keep, drop = (a, b) if _BOOT_ID.fullmatch(a) or not _BOOT_ID.fullmatch(b) \
                        else (b, a)
                    parent[drop] = keep
    merged: dict[str, list[Record]] = defaultdict(list)
    for key, records in grouped.items():
        merged[root(key)].extend(records)
    return merged


def rows(records: Iterable[Record], infos: Mapping[str, SourceInfo]) -> list[Columns]:
    """One row per boot seen in `records`, in the table's order (host, kernel start with
    unknown last, source, first line), with how each boot ended (`_ends`). No pandas:
    the command line writes these rows as they are (`bootlag.rows`)."""
    grouped: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        grouped[r.boot].append(r)
    found = [boot_row(key, recs, infos) for key, recs in merge_same_boots(grouped).items()]
    found.sort(key=_order)
    _ends(found)
    return found


def _order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    start = row["kernel_start"]
    return (row["host"], start is None, start or 0, row["source"], row["first_line"])


def _ends(found: list[Columns]) -> None:
    """How each boot ended (`records.ENDS`), on rows sorted by host and time: one with no
    logged shutdown is ``abrupt`` when a later boot of its host follows, else ``open``;
    a never-protected boot whose log was too short to say ended abruptly (its reason)."""
    last_of_host = {row["host"]: i for i, row in enumerate(found)}
    for i, row in enumerate(found):
        if not isinstance(row.get("end"), str):
            row["end"] = END_ABRUPT if last_of_host[row["host"]] != i else END_OPEN
        why = row.get("reason")
        if (row["end"] == END_ABRUPT and row["start_logged"] and isinstance(why, str)
                and why == LOG_TOO_SHORT):
            row["reason"] = ENDED_ABRUPTLY


def assemble(records: Iterable[Record], infos: Mapping[str, SourceInfo]) -> pd.DataFrame:
    """The boots table: one row per boot seen in `records`, columns as in `COLUMNS`."""
    return typed(rows(records, infos))
