"""Assemble per-boot facts from records: one row per boot, with every clock rule in one place.

The protection gap is the time from kernel start (monotonic zero) to the
first message saying a crash kernel was loaded:

* ``clock="monotonic"``: the load message's monotonic time, i.e. microseconds
  since the kernel started. Exact, and immune to NTP steps and time zones.
  ``kernel_start`` is then wall time minus monotonic time of the boot's last
  entry (the wall clock is most likely synchronised by then).
* ``clock="realtime"``: the formats without monotonic time (``short``,
  ``short-iso``, ...). The gap is the wall-clock difference from the boot's
  first logged line. That line is stamped when journald started, seconds after
  the kernel, so the gap is a lower bound. It is left NaN (and ``note`` says
  why) when the boot's start is not in the log, or the wall clock jumped or
  was stepped between the first line and the load.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

import pandas as pd

from . import events
from .formats.common import SourceInfo, is_placeholder_host
from .records import FIRST, JUMP, LAST, Record

COLUMNS: dict[str, str] = {
    "host": "host name (the boot's last real hostname; the file name when the log has none)",
    "boot_id": "journal _BOOT_ID (32 hex), <NA> where the input has none",
    "kernel_start": "UTC time of kernel start (monotonic zero), else of the first logged line",
    "armed_at": "UTC time the crash kernel was first loaded; NaT if never or unknown",
    "gap_s": "protection gap in seconds: kernel start -> crash kernel loaded",
    "mode": "'early-kdump' (loaded from the initramfs), 'kdump' (by the kdump service), "
            "'none', or 'unknown' (kdumpctl found it loaded, the log does not say by what)",
    "status": "'armed', 'failed' (a failure logged, nothing loaded), 'not-armed', or "
              "'unknown' (the log does not cover the part of the boot where arming happens)",
    "clock": "'monotonic' (exact) or 'realtime' (wall-clock difference; a lower bound)",
    "kernel_start_from": "how kernel_start was found: 'monotonic', 'first-line', 'unknown'",
    "start_logged": "whether the boot's first lines (kernel start) are in the input",
    "loader": "what loaded it: early-kdump, kdumpctl, kdump-tools, load.sh, fadump, ...",
    "early_kdump_enabled": "dracut's 'early-kdump is enabled.' (True) / 'disabled' (False)",
    "rd_earlykdump": "rd.earlykdump on the kernel command line; <NA> if it was not logged",
    "crashkernel": "the crashkernel= value on the kernel command line",
    "kernel": "kernel release from the 'Linux version' line",
    "failure": "the first failure message of the boot",
    "loads": "number of crash-kernel loads logged (reloads count)",
    "unloads": "number of crash-kernel unloads logged",
    "capture_kernel": "the boot logged lines only a kdump capture kernel writes",
    "early_enabled_s": "seconds from kernel start to dracut's 'early-kdump is enabled' "
                       "(monotonic clock only; NaN if not logged or no monotonic time)",
    "service_s": "seconds from kernel start to the kdump service's own verdict: its load, "
                 "'already running' or failure (monotonic clock only, else NaN)",
    "kernel_s": "seconds in the kernel, from systemd's 'Startup finished' line",
    "initrd_s": "seconds in the initrd, from systemd's 'Startup finished' line",
    "userspace_s": "seconds in userspace, from systemd's 'Startup finished' line",
    "log_span_s": "seconds from kernel start (or first line) to the boot's last logged line",
    "note": "why a gap is missing or to be read with care",
    "format": "input format(s) the boot was read from",
    "text_tz": "zone local-time text was read in ('UTC (assumed)' if none was given)",
    "source": "file(s) the boot was read from",
    "first_line": "line of the boot's first entry in its (first) source",
    "armed_line": "source:line of the message that armed the crash kernel",
}

_CRASHKERNEL = re.compile(r"(?:^|\s)crashkernel=(\S+)")
_EARLY_ARG = re.compile(r"(?:^|\s)rd\.earlykdump(?:=(\S*))?(?:\s|$)")
_FALSE_WORDS = {"0", "no", "off", "false"}


def _time_key(r: Record) -> tuple[int, int, str, int]:
    if r.mono_us is not None:
        return (0, r.mono_us, r.source, r.line)
    return (1, r.real_us if r.real_us is not None else 0, r.source, r.line)


def _timestamp(us: int | None) -> pd.Timestamp:
    if us is None:
        return pd.NaT
    try:
        return pd.Timestamp(us, unit="us", tz="UTC")
    except (OverflowError, ValueError):  # out of pandas' range: a broken clock
        return pd.NaT


def _dedupe(records: list[Record]) -> list[Record]:
    """The same entry seen in two inputs (a journal collected twice) counts once."""
    seen: set[tuple] = set()
    unique = []
    for r in records:
        key = (r.kind, r.mono_us, r.real_us, r.ident, r.message)
        if r.kind in (FIRST, LAST) or key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


def _early_arg(cmdline: str) -> bool:
    m = _EARLY_ARG.search(cmdline)
    return bool(m) and (m.group(1) or "1").lower() not in _FALSE_WORDS


def boot_row(key: str, records: list[Record], infos: Mapping[str, SourceInfo]) -> dict:
    """The facts of one boot from all its records (from one or more sources)."""
    records = _dedupe(sorted(records, key=_time_key))  # sorted first: order-independent
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_kind[r.kind].append(r)
    # A boot read from both a monotonic and a wall-clock format takes its clock
    # facts (and counts) from the monotonic one, so nothing is counted twice.
    for kind in (LAST, events.ARMED, events.UNLOADED):
        by_kind[kind] = [r for r in by_kind[kind] if r.mono_us is not None] or by_kind[kind]
    first = min(by_kind[FIRST], key=_time_key)  # monotonic ones sort first
    armed = by_kind[events.ARMED][0] if by_kind[events.ARMED] else None
    notes: list[str] = []
    start_logged = bool(by_kind[events.KERNEL_START]) or (
        first.mono_us is not None and first.mono_us <= 1_000_000)
    sources = sorted({r.source for r in records})
    clock = _clock_facts(records, armed, by_kind, start_logged, notes)
    if any((infos[s].realtime_zone or "").startswith("unknown") for s in sources if s in infos):
        notes.append("the text's time zone is not known (give --tz): kernel_start and "
                     "armed_at are left out; the gap does not depend on it")
        clock.update(kernel_start=pd.NaT, armed_at=pd.NaT)
    status, mode, loader = _status(armed, by_kind, clock["log_span_s"], start_logged, notes)
    failures = sorted(by_kind[events.FAILED] + by_kind[events.RESERVE_FAILED], key=_time_key)
    phases = by_kind[events.STARTUP][0].detail if by_kind[events.STARTUP] else {}
    last = max(by_kind[LAST], key=_time_key)
    return {
        "host": _host(records, last, [infos[s].host or s for s in sources if s in infos]
                      or sources),
        "boot_id": key if _BOOT_ID.fullmatch(key) else pd.NA,
        **clock,
        "mode": mode,
        "status": status,
        "start_logged": start_logged,
        "loader": loader,
        **_configuration(by_kind),
        "failure": failures[0].detail or failures[0].message if failures else None,
        "loads": len(by_kind[events.ARMED]),
        "unloads": len(by_kind[events.UNLOADED]),
        "capture_kernel": bool(by_kind[events.CAPTURE]),
        **_milestones(by_kind),
        "kernel_s": phases.get("kernel", float("nan")),
        "initrd_s": phases.get("initrd", float("nan")),
        "userspace_s": phases.get("userspace", float("nan")),
        "note": "; ".join(notes) or None,
        "format": ",".join(sorted({infos[s].format for s in sources if s in infos})),
        "text_tz": ",".join(sorted({z for s in sources if s in infos
                                    if (z := infos[s].realtime_zone)})) or None,
        "source": ";".join(sources),
        "first_line": first.line,
        "armed_line": f"{armed.source}:{armed.line}" if armed is not None else None,
    }


def _clock_facts(records: list[Record], armed: Record | None,
                 by_kind: Mapping[str, list[Record]], start_logged: bool,
                 notes: list[str]) -> dict:
    """kernel_start, armed_at, gap_s, clock, kernel_start_from and log_span_s: the clock rules.

    The gap's clock is the arming message's own: monotonic where its format
    carries it, else wall-clock from the first line *of the same source*.
    kernel_start is wall time minus monotonic time of the latest entry that has
    both (the wall clock is most likely synchronised by then; after a suspend
    the monotonic clock has stood still, so it comes out later by the time
    suspended), else the first line's wall time.
    """
    both = [r for r in records if r.mono_us is not None and r.real_us is not None]
    kernel_start_us, start_from = None, "unknown"
    if both:
        latest = max(both, key=_time_key)
        kernel_start_us, start_from = latest.real_us - latest.mono_us, "monotonic"
    monotonic = (armed.mono_us is not None if armed is not None
                 else any(r.mono_us is not None for r in by_kind[LAST]))
    wall_firsts = [r for r in by_kind[FIRST] if r.real_us is not None]
    if kernel_start_us is None and wall_firsts:
        kernel_start_us = min(wall_firsts, key=lambda r: r.real_us).real_us  # type: ignore
        start_from = "first-line"
    gap, armed_us = float("nan"), None
    if armed is not None and armed.mono_us is not None:
        gap = armed.mono_us / 1e6
        if kernel_start_us is not None and start_from == "monotonic":
            armed_us = kernel_start_us + armed.mono_us
    elif armed is not None and armed.real_us is not None:
        armed_us = armed.real_us
        gap = _realtime_gap(armed, by_kind, start_logged, notes)
    monos = [r.mono_us for r in by_kind[LAST] if r.mono_us is not None]
    reals = [r.real_us for r in records if r.real_us is not None]
    if monos:
        span = max(monos) / 1e6
    elif reals:
        span = (max(reals) - min(reals)) / 1e6
    else:
        span = float("nan")
    return {"kernel_start": _timestamp(kernel_start_us), "armed_at": _timestamp(armed_us),
            "gap_s": gap, "clock": "monotonic" if monotonic else "realtime",
            "kernel_start_from": start_from, "log_span_s": span}


def _status(armed: Record | None, by_kind: Mapping[str, list[Record]], span: float,
            start_logged: bool, notes: list[str]) -> tuple[str, str, str | None]:
    """(status, mode, loader) of a boot."""
    if armed is not None:
        mode, loader = armed.detail
        return "armed", mode, loader
    if by_kind[events.ALREADY]:
        notes.append("kdumpctl found a crash kernel already loaded, but the log does not "
                     "say when it was loaded")
        cmdlines = by_kind[events.CMDLINE]
        if by_kind[events.EARLY_ENABLED] or (cmdlines and _early_arg(cmdlines[0].detail)):
            return "armed", events.EARLY, "early-kdump"
        return "armed", "unknown", None
    if by_kind[events.FAILED] or by_kind[events.RESERVE_FAILED]:
        return "failed", "none", None
    return _unknown_unless_covered(start_logged, bool(by_kind[events.STARTUP]), span,
                                   notes), "none", None


def _configuration(by_kind: Mapping[str, list[Record]]) -> dict:
    """What the log says of the set-up: command line, early-kdump flag, kernel release."""
    cmdline = by_kind[events.CMDLINE][0].detail if by_kind[events.CMDLINE] else None
    crashkernel = _CRASHKERNEL.search(cmdline) if cmdline else None
    early_flags = [r.kind == events.EARLY_ENABLED
                   for r in by_kind[events.EARLY_ENABLED] + by_kind[events.EARLY_DISABLED]]
    kernel = by_kind[events.KERNEL_START]
    return {"early_kdump_enabled": early_flags[0] if early_flags else pd.NA,
            "rd_earlykdump": _early_arg(cmdline) if cmdline is not None else pd.NA,
            "crashkernel": crashkernel.group(1) if crashkernel else None,
            "kernel": kernel[0].detail if kernel else None}


def _milestones(by_kind: Mapping[str, list[Record]]) -> dict:
    """Monotonic seconds of early kdump's start and of the kdump service's verdict."""
    def seconds(found: list[Record]) -> float:
        monos = [r.mono_us for r in found if r.mono_us is not None]
        return min(monos) / 1e6 if monos else float("nan")

    service = (by_kind[events.ALREADY]
               + [r for r in by_kind[events.ARMED] if r.detail[0] == events.KDUMP]
               + [r for r in by_kind[events.FAILED] if "early-kdump" not in r.message])
    return {"early_enabled_s": seconds(by_kind[events.EARLY_ENABLED]),
            "service_s": seconds(service)}


def _realtime_gap(armed: Record, by_kind: Mapping[str, list[Record]], start_logged: bool,
                  notes: list[str]) -> float:
    """Wall-clock gap from the first line of the arming's source, or NaN with the reason."""
    firsts = [r for r in by_kind[FIRST] if r.source == armed.source and r.real_us is not None]
    if not start_logged or not firsts:
        notes.append("the boot's start is not in the log, so its gap is unknown")
        return float("nan")
    first = min(firsts, key=lambda r: r.line)
    for r in by_kind[JUMP]:
        if r.source == armed.source and first.line <= r.line <= armed.line:
            notes.append(f"the wall clock jumped {r.detail:+.0f} s at {r.source}:{r.line} "
                         "before arming; the wall-clock gap cannot be trusted")
            return float("nan")
    for r in by_kind[events.CLOCK_STEP]:
        if r.source == armed.source and first.line <= r.line <= armed.line:
            notes.append(f"the wall clock was stepped at {r.source}:{r.line} before arming; "
                         "the wall-clock gap cannot be trusted")
            return float("nan")
    gap = (armed.real_us - first.real_us) / 1e6  # type: ignore[operator]
    if gap < 0:
        notes.append("the load message is stamped before the boot's first line")
        return float("nan")
    return gap


# A boot whose log reaches this far (or systemd's "Startup finished") has had its
# chance to arm: kdump.service runs before the default target is reached.
ARMING_WINDOW_S = 180.0


def _unknown_unless_covered(start_logged: bool, startup_finished: bool, span: float,
                            notes: list[str]) -> str:
    """'not-armed' only when the log covers where arming happens; else 'unknown'."""
    if not start_logged:
        notes.append("the boot's start is not in the log; it may have armed before the "
                     "first logged line")
        return "unknown"
    if not startup_finished and not span >= ARMING_WINDOW_S:
        notes.append(f"the log ends {span:.0f} s into the boot, before it finished "
                     "starting up; arming may have come later")
        return "unknown"
    return "not-armed"


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


_BOOT_ID = re.compile(r"[0-9a-f]{32}")


def _signatures(r: Record) -> Iterator[tuple]:
    """What identifies the entry behind a record across formats: who said what, when.

    Only entries stamped with a real host name and not in the first second: every
    boot's early kernel lines read the same ("Linux version ..." at 0 s, from
    "localhost"), and many hosts may boot in the same second.
    """
    if is_placeholder_host(r.host) or (r.mono_us is not None and r.mono_us < 1_000_000):
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
            if r.kind in (FIRST, LAST, JUMP):
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


def typed(rows: list[dict]) -> pd.DataFrame:
    """The boots table with `COLUMNS` in order and their dtypes, from row dicts."""
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.astype({
        "host": "string", "boot_id": "string", "mode": "string", "status": "string",
        "clock": "string", "kernel_start_from": "string", "loader": "string",
        "crashkernel": "string", "kernel": "string", "failure": "string", "note": "string",
        "format": "string", "text_tz": "string", "source": "string", "armed_line": "string",
        "early_kdump_enabled": "boolean", "rd_earlykdump": "boolean",
        "start_logged": "bool", "capture_kernel": "bool",
        "loads": "int64", "unloads": "int64", "first_line": "int64",
        "gap_s": "float64", "early_enabled_s": "float64", "service_s": "float64",
        "kernel_s": "float64", "initrd_s": "float64",
        "userspace_s": "float64", "log_span_s": "float64",
    })
    for col in ("kernel_start", "armed_at"):
        # Always µs (what journals carry): pandas would pick seconds for an empty or
        # all-NaT column, which Parquet cannot store and concat would not match.
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    return frame


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
