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
from collections.abc import Iterable, Mapping

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
    "mode": "'early-kdump' (loaded from the initramfs), 'kdump' (by the kdump service), 'none'",
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
    return pd.Timestamp(us, unit="us", tz="UTC") if us is not None else pd.NaT


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
    records = sorted(_dedupe(records), key=_time_key)
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_kind[r.kind].append(r)
    # A boot read from both a monotonic and a wall-clock format takes its clock
    # facts (and counts) from the monotonic one, so nothing is counted twice.
    for kind in (FIRST, LAST, events.ARMED, events.UNLOADED):
        by_kind[kind] = [r for r in by_kind[kind] if r.mono_us is not None] or by_kind[kind]
    first = min(by_kind[FIRST], key=_time_key)
    last = max(by_kind[LAST], key=_time_key)
    armed = by_kind[events.ARMED][0] if by_kind[events.ARMED] else None
    notes: list[str] = []
    start_logged = bool(by_kind[events.KERNEL_START]) or (
        first.mono_us is not None and first.mono_us <= 1_000_000)
    clock = _clock_facts(first, last, armed, by_kind, start_logged, notes)
    status, mode, loader = _status(armed, by_kind, clock["log_span_s"], start_logged, notes)
    sources = sorted({r.source for r in records})
    failures = by_kind[events.FAILED] + by_kind[events.RESERVE_FAILED]
    phases = by_kind[events.STARTUP][0].detail if by_kind[events.STARTUP] else {}
    return {
        "host": _host(records, last, [infos[s].host or s for s in sources if s in infos]
                      or sources),
        "boot_id": key if re.fullmatch(r"[0-9a-f]{32}", key) else pd.NA,
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


def _clock_facts(first: Record, last: Record, armed: Record | None,
                 by_kind: Mapping[str, list[Record]], start_logged: bool,
                 notes: list[str]) -> dict:
    """kernel_start, armed_at, gap_s, clock, kernel_start_from and log_span_s: the clock rules."""
    kernel_start_us = None
    start_from = "unknown"
    monotonic = last.mono_us is not None
    if monotonic:
        if last.real_us is not None:
            kernel_start_us, start_from = last.real_us - last.mono_us, "monotonic"
    elif first.real_us is not None:
        kernel_start_us, start_from = first.real_us, "first-line"
    gap = float("nan")
    armed_us = None
    if armed is not None:
        if monotonic and armed.mono_us is not None:
            gap = armed.mono_us / 1e6
            if kernel_start_us is not None:
                armed_us = kernel_start_us + armed.mono_us
        elif armed.real_us is not None:
            armed_us = armed.real_us
            gap = _realtime_gap(first, armed, by_kind, start_logged, notes)
    if monotonic:
        span = last.mono_us / 1e6  # type: ignore[operator]
    elif first.real_us is not None and last.real_us is not None:
        span = (last.real_us - first.real_us) / 1e6
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
        return "armed", "none", None
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


def _realtime_gap(first: Record, armed: Record, by_kind: Mapping[str, list[Record]],
                  start_logged: bool, notes: list[str]) -> float:
    """Wall-clock gap from the first line, or NaN with the reason in `notes`."""
    if not start_logged:
        notes.append("the boot's start is not in the log, so its gap is unknown")
        return float("nan")
    window = (_time_key(first), _time_key(armed))
    for r in by_kind[JUMP]:
        if r.source == armed.source and first.line <= r.line <= armed.line:
            notes.append(f"the wall clock jumped {r.detail:+.0f} s at {r.source}:{r.line} "
                         "before arming; the wall-clock gap cannot be trusted")
            return float("nan")
    for r in by_kind[events.CLOCK_STEP]:
        if window[0] <= _time_key(r) <= window[1]:
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


def assemble(records: Iterable[Record], infos: Mapping[str, SourceInfo]) -> pd.DataFrame:
    """The boots table: one row per boot key seen in `records`, columns as in `COLUMNS`."""
    grouped: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        grouped[r.boot].append(r)
    rows = [boot_row(key, recs, infos) for key, recs in grouped.items()]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.astype({
        "host": "string", "boot_id": "string", "mode": "string", "status": "string",
        "clock": "string", "kernel_start_from": "string", "loader": "string",
        "crashkernel": "string", "kernel": "string", "failure": "string", "note": "string",
        "format": "string", "text_tz": "string", "source": "string", "armed_line": "string",
        "early_kdump_enabled": "boolean", "rd_earlykdump": "boolean",
        "start_logged": "bool", "capture_kernel": "bool",
        "loads": "int64", "unloads": "int64", "first_line": "int64",
        "gap_s": "float64", "kernel_s": "float64", "initrd_s": "float64",
        "userspace_s": "float64", "log_span_s": "float64",
    })
    for col in ("kernel_start", "armed_at"):
        # Always µs (what journals carry): pandas would pick seconds for an empty or
        # all-NaT column, which Parquet cannot store and concat would not match.
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    frame = frame.sort_values(["host", "kernel_start", "source", "first_line"],
                              na_position="last", kind="stable")
    return frame.reset_index(drop=True)
