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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import clock
from .formats.common import SourceInfo, is_placeholder_host
from .records import (
    BY_SERVICE,
    EARLY,
    KDUMP,
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

_CRASHKERNEL = re.compile(r"(?:^|\s)crashkernel=(\S+)")
_EARLY_ARG = re.compile(r"(?:^|\s)rd\.earlykdump(?:=(\S*))?(?:\s|$)")
_FALSE_WORDS = {"0", "no", "off", "false"}
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


def early_arg(cmdline: str) -> bool:
    """Whether a kernel command line turns early kdump on (``rd.earlykdump``, not ``=0``)."""
    m = _EARLY_ARG.search(cmdline)
    return m is not None and (m.group(1) or "1").lower() not in _FALSE_WORDS


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
    return {
        "host": _host(records, max(by_kind[Kind.LAST], key=clock.order),
                      [i.host or i.name for i in read] or sources),
        "boot_id": key if _BOOT_ID.fullmatch(key) else None,
        **times,
        **status,
        "start_logged": start_logged,
        **_configuration(by_kind),
        **_failures(by_kind),
        "loads": len(by_kind[Kind.ARMED]),
        "unloads": len(by_kind[Kind.UNLOADED]),
        "capture_kernel": bool(by_kind[Kind.CAPTURE]),
        **_milestones(by_kind),
        **_phases(by_kind),
        "note": "; ".join(time_notes + status_notes) or None,
        **_provenance(read, sources, first, armed),
    }


def _times(records: list[Record], armed: Record | None, by_kind: ByKind, start_logged: bool,
           read: Sequence[SourceInfo]) -> tuple[Columns, Notes]:
    """kernel_start, armed_at, gap_s, clock, kernel_start_from, log_span_s (`clock.gap_facts`)."""
    facts = clock.gap_facts(records, armed, by_kind[Kind.FIRST], by_kind[Kind.LAST],
                            start_logged)
    columns = {"kernel_start": facts.kernel_start_us, "armed_at": facts.armed_us,
               "gap_s": facts.gap_s, "clock": facts.clock,
               "kernel_start_from": facts.kernel_start_from, "log_span_s": facts.log_span_s}
    notes = facts.notes
    if any(info.zone_problem for info in read):
        notes += ("the text's time zone is not known (give --tz): kernel_start and "
                  "armed_at are left out; the gap does not depend on it",)
        columns.update(kernel_start=None, armed_at=None)
    return columns, notes


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


def _cmdline(by_kind: ByKind) -> str | None:
    found = by_kind[Kind.CMDLINE]
    return found[0].detail.text if found and isinstance(found[0].detail, CommandLine) else None


def _early_on_cmdline(by_kind: ByKind) -> bool:
    cmdline = _cmdline(by_kind)
    return cmdline is not None and early_arg(cmdline)


def _configuration(by_kind: ByKind) -> Columns:
    """What the log says of the set-up: command line, early-kdump flag, kernel release."""
    cmdline = _cmdline(by_kind)
    crashkernel = _CRASHKERNEL.search(cmdline) if cmdline else None
    early_flags = [r.kind is Kind.EARLY_ENABLED
                   for r in by_kind[Kind.EARLY_ENABLED] + by_kind[Kind.EARLY_DISABLED]]
    kernel = [r.detail.release for r in by_kind[Kind.KERNEL_START]
              if isinstance(r.detail, KernelRelease)]
    return {"early_kdump_enabled": early_flags[0] if early_flags else None,
            "rd_earlykdump": early_arg(cmdline) if cmdline is not None else None,
            "crashkernel": crashkernel.group(1) if crashkernel else None,
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


def assemble(records: Iterable[Record], infos: Mapping[str, SourceInfo]) -> pd.DataFrame:
    """The boots table: one row per boot seen in `records`, columns as in `COLUMNS`."""
    grouped: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        grouped[r.boot].append(r)
    rows = [boot_row(key, recs, infos) for key, recs in merge_same_boots(grouped).items()]
    frame = typed(rows)
    frame = frame.sort_values(["host", "kernel_start", "source", "first_line"],
                              na_position="last", kind="stable")
    return frame.reset_index(drop=True)
