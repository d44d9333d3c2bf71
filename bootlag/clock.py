"""Every clock rule, in one place: which time a gap is measured on and when it is refused.

A journal entry can carry two clocks (``docs/formats.md``, "Clocks"):

* the **monotonic** clock, microseconds since kernel start (journald's
  ``__MONOTONIC_TIMESTAMP``; for kernel lines the printk time, which journald
  keeps as ``_SOURCE_MONOTONIC_TIMESTAMP``). A gap read from it is exact and
  immune to NTP steps and time zones;
* the **wall** clock, microseconds since the epoch. It is stamped when
  journald *received* a line, can be stepped by NTP or an RTC fix, and in
  text it may lack a year, a zone or sub-second digits. A gap read from it
  alone is a lower bound (journald starts seconds after the kernel).

The readers use `jumped` and `monotonic_reset` while reading; `boots` uses
`gap_facts` and `coverage` to decide a boot's clock facts. Nothing else
holds a clock threshold. The resolution of each format is in the format
registry (`bootlag.formats.FORMATS`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .records import Kind, Record, Seconds, Startup

# --- while reading ---------------------------------------------------------------------------

# The wall clock "jumped" when consecutive entries before arming are further apart
# than this (a DST change, an NTP or RTC step, an hour-long hang) or go backwards
# by more than a little (entries are written in order; a second of disorder comes
# from clients' own timestamps). Only formats without a monotonic clock need it.
JUMP_FORWARD_US = 900 * 1_000_000
JUMP_BACKWARD_US = 2 * 1_000_000


def jumped(previous_us: int, real_us: int) -> bool:
    """Whether the wall clock jumped between two consecutive entries of a boot."""
    return real_us - previous_us > JUMP_FORWARD_US or previous_us - real_us > JUMP_BACKWARD_US


# In monotonic text without ``-- Boot`` separators, a clock that falls back to
# near zero is a new boot: below RESET_BELOW_US (a boot's first two minutes), and
# by more than RESET_DROP_US (not the small disorder of interleaved sources).
RESET_BELOW_US = 120 * 1_000_000
RESET_DROP_US = 5 * 1_000_000


def monotonic_reset(previous_us: int | None, mono_us: int | None) -> bool:
    """Whether the monotonic clock fell back to a new boot's first minutes."""
    return (mono_us is not None and previous_us is not None and mono_us < RESET_BELOW_US
            and mono_us + RESET_DROP_US < previous_us)


def kernel_line_times(mono_us: int | None, real_us: int | None,
                      source_mono_us: int | None) -> tuple[int | None, int | None]:
    """(monotonic, wall) time of an entry that may carry the kernel's own printk time.

    A kernel line's header stamps say when journald *read* it from /dev/kmsg
    (seconds later for the boot's first lines); ``_SOURCE_MONOTONIC_TIMESTAMP``
    says when the kernel printed it. The printk time is the entry's monotonic
    time, and its wall time moves back by the same amount.
    """
    if source_mono_us is None or mono_us is None:
        return mono_us, real_us
    if real_us is not None:
        real_us -= mono_us - source_mono_us
    return source_mono_us, real_us


# syslog text written from the kernel's own buffer (rsyslog's imklog, klogd, Ubuntu's
# kern.log) keeps the printk time at the start of a kernel line's message
# (`bootlag.events.printk_us` reads it); so does _SOURCE_MONOTONIC_TIMESTAMP where a
# pipeline dropped the monotonic clock.


def printk_bound(real_us: int, printk_us: int) -> int:
    """An upper bound on kernel start's wall time from a kernel line: its receive time
    minus its printk time (the line was printed then and received no earlier)."""
    return real_us - printk_us


# --- deciding a boot's clock facts ------------------------------------------------------------

# A boot whose first logged entry is this close to kernel start has its start in
# the log (the kernel's first lines are stamped 0.000000 s, journald's own first
# lines within a second when the kernel lines were not kept).
START_LOGGED_WITHIN_US = 1_000_000

# Entries this close to kernel start read alike in every boot (the kernel's
# "Linux version ..." at 0 s, from "localhost"), so they do not identify a boot
# when the same boot is looked for in two sources.
ALIKE_IN_EVERY_BOOT_US = 1_000_000

# A boot whose log reaches this far (or systemd's "Startup finished") has had its
# chance to arm: kdump.service runs before the default target is reached.
ARMING_WINDOW_S = 180.0

# What a gap is (the `gap_kind` column) and the evidence kernel start came from
# (`kernel_start_from`), best first.
EXACT, ESTIMATE, LOWER_BOUND = "exact", "estimate", "lower-bound"
FROM_MONOTONIC = "monotonic"  # wall minus monotonic time of an entry with both clocks
FROM_STARTUP = "startup-finished"  # systemd's "Startup finished" line minus its phases
FROM_PRINTK = "printk"  # a kernel line's wall time minus its printk time (an upper bound)
FROM_FIRST_LINE = "first-line"  # the boot's first logged line (an upper bound)
FROM_UNKNOWN = "unknown"

# systemd prints the phases of "Startup finished in 1.234s (kernel) + ..." to the
# millisecond (format_timespan with USEC_PER_MSEC accuracy truncates; other writers
# round): each part is within one digit (Startup.digit_s) of the true phase, so a sum of
# n parts is within n digits. On a machine without EFI the total ("= 21.732s.") is the
# same sum in one part, so it is the one used.
#
# PID 1 takes its "finish" timestamp and logs the line at once; the time journalctl
# shows is when the journal socket received it (_SOURCE_REALTIME_TIMESTAMP), so the
# line is stamped after the finish by one log call's delay. This allows for 10 ms.
STARTUP_LOG_DELAY_US = 10_000

# Notes say where a boot's wall clock changed under a wall-clock difference.
_UNTRUSTED = "the wall-clock gap cannot be trusted"


@dataclass(frozen=True)
class GapFacts:
    """A boot's clock facts: times in µs (None when unknown), the gap in seconds (NaN)."""

    kernel_start_us: int | None
    kernel_start_from: str  # FROM_MONOTONIC, FROM_STARTUP, FROM_PRINTK, FROM_FIRST_LINE, ...
    armed_us: int | None
    gap_s: float
    clock: str  # "monotonic" (exact) or "realtime" (a wall-clock lower bound)
    log_span_s: float
    notes: tuple[str, ...] = ()
    gap_kind: str | None = None  # EXACT, ESTIMATE, LOWER_BOUND; None without a gap
    # EXACT and ESTIMATE: the truth lies within gap_s ± gap_error_s; LOWER_BOUND: the
    # truth is at least gap_s - gap_error_s (the stamps' resolution), and may be any
    # amount more. NaN without a gap.
    gap_error_s: float = math.nan


@dataclass(frozen=True)
class Anchor:
    """Evidence of kernel start on the wall clock, read from one record."""

    kernel_start_us: int  # the estimate (ESTIMATE) or an upper bound (LOWER_BOUND)
    evidence: str  # FROM_STARTUP, FROM_PRINTK or FROM_FIRST_LINE
    kind: str  # ESTIMATE or LOWER_BOUND
    error_us: int  # the evidence's own error, before the stamps' resolution is added
    record: Record  # where it was read (a wall-clock step between it and arming voids it)


def order(r: Record) -> tuple[int, int, str, int]:
    """Monotonic entries first, in monotonic order; then the others by wall time."""
    if r.mono_us is not None:
        return (0, r.mono_us, r.source, r.at.number)
    return (1, r.real_us if r.real_us is not None else 0, r.source, r.at.number)


def start_logged(first: Record, kernel_started: bool) -> bool:
    """Whether the boot's start (kernel start) is in the log."""
    return kernel_started or (first.mono_us is not None
                              and first.mono_us <= START_LOGGED_WITHIN_US)


def startup_finish(startup: Startup) -> tuple[float, int] | None:
    """Seconds from kernel start to systemd's "finish", and how many rounded parts make it.

    That is kernel + initrd + userspace: on EFI machines the line's total also
    counts firmware and loader, which ran before kernel start, so the parts are
    summed; without them the total is the same sum, rounded once.
    """
    if math.isnan(startup.userspace_s):
        return None
    if math.isnan(startup.firmware_s) and math.isnan(startup.loader_s) \
            and not math.isnan(startup.total_s):
        return startup.total_s, 1
    parts = [p for p in (startup.kernel_s, startup.initrd_s, startup.userspace_s)
             if not math.isnan(p)]
    return sum(parts), len(parts)


def startup_anchor(r: Record) -> Anchor | None:
    """Kernel start from a "Startup finished" line: its time minus kernel+initrd+userspace."""
    if r.real_us is None or not isinstance(r.detail, Startup):
        return None
    finish = startup_finish(r.detail)
    if finish is None:
        return None
    seconds, parts = finish
    error = round(parts * r.detail.digit_s * 1e6) + STARTUP_LOG_DELAY_US
    return Anchor(r.real_us - round(seconds * 1e6), FROM_STARTUP, ESTIMATE, error, r)


def bound_anchors(records: Sequence[Record]) -> list[Anchor]:
    """Upper bounds of kernel start: a kernel line's receive minus printk time (`printk_bound`;
    the reader keeps the line that gives the least as a PRINTK record, its printk time in
    seconds as the detail), and the first line of each source."""
    found = []
    for r in records:
        if r.real_us is None or r.mono_us is not None:
            continue
        if r.kind is Kind.PRINTK and isinstance(r.detail, Seconds):
            printk_us = round(r.detail.value * 1e6)
            found.append(Anchor(printk_bound(r.real_us, printk_us), FROM_PRINTK, LOWER_BOUND,
                                0, r))
        elif r.kind is Kind.FIRST:
            found.append(Anchor(r.real_us, FROM_FIRST_LINE, LOWER_BOUND, 0, r))
    return found


def _between(records: Sequence[Record], a: Record, b: Record, kinds: tuple[Kind, ...]
             ) -> list[Record]:
    """Records of `kinds` logged between `a` and `b` (in either order): in the same source,
    by position; across sources, every such record of the boot (their order is unknown)."""
    if a.source != b.source:
        return [r for r in records if r.kind in kinds]
    lo, hi = sorted((a.at.number, b.at.number))
    return [r for r in records if r.kind in kinds and r.source == a.source
            and lo <= r.at.number <= hi]


_CHANGES = (Kind.JUMP, Kind.CLOCK_STEP, Kind.SUSPEND)


def _change_note(changes: Sequence[Record], what: str, then: str = _UNTRUSTED) -> str:
    """Why an anchor was not used: the first jump, else step, else suspend among `changes`."""
    change = min(changes, key=lambda r: _CHANGES.index(r.kind))
    where = f"{change.source}:{change.at.number}"
    if change.kind is Kind.JUMP and isinstance(change.detail, Seconds):
        return f"the wall clock jumped {change.detail.value:+.0f} s at {where} {what}; {then}"
    if change.kind is Kind.SUSPEND:
        return (f"the system was suspended at {where} {what}: wall-clock time passed while "
                f"the monotonic clock stood still; {then}")
    return f"the wall clock was stepped at {where} {what}; {then}"


Gap = tuple[float, "str | None", float, "Anchor | None", tuple[str, ...]]


def wall_gap(armed: Record, records: Sequence[Record], resolution_us: int) -> Gap:
    """The gap of an arming stamped on the wall clock only, from the best anchor it can use.

    An anchor is usable when no wall-clock jump, step or suspend lies between it
    and the arming line (the difference would count it). The best usable anchor
    wins: "Startup finished" (an estimate), else the least upper bound of kernel
    start among the kernel lines' printk bounds and the first line of the
    arming's source (a lower bound of the gap). The error adds the resolution
    of the stamps: each of the two stamps is cut to it, so their difference is
    within one step of the truth. Returns gap, kind, error (s), anchor, notes.
    """
    assert armed.real_us is not None
    notes: tuple[str, ...] = ()
    startup = _first_startup(records)
    if startup is not None:
        changes = _between(records, startup.record, armed, _CHANGES)
        step = stepped_by(changes)
        if step is not None:
            # The arming's stamp on the anchor's clock: moved by the steps between them.
            sign = 1 if armed.at.number < startup.record.at.number else -1
            gap, kind, error, used, why = _gap(armed.real_us + sign * step, startup,
                                               resolution_us + STEP_ERROR_US * len(changes),
                                               "kernel start")
            if changes and used is not None:
                why += (f"the wall clock was stepped by {step / 1e6:+.6f} s between systemd's "
                        "\"Startup finished\" and the arming; the gap allows for it",)
            return gap, kind, error, used, why
        notes = (_change_note(changes, "between systemd's \"Startup finished\" and the arming",
                              "that line is not used, and the gap is at best a lower bound"),)
    refused: tuple[str, ...] = ()
    bounds = [a for a in bound_anchors(records) if a.record.source == armed.source]
    for anchor in sorted(bounds, key=lambda a: a.kernel_start_us):
        changes = _between(records, anchor.record, armed, _CHANGES)
        if changes:
            refused = refused or (_change_note(changes, "before arming"),)
            continue
        gap, kind, error, used, why = _gap(armed.real_us, anchor, resolution_us,
                                           "the boot's first line")
        return gap, kind, error, used, notes + why
    return math.nan, None, math.nan, None, notes + refused


# chrony says how far it stepped the clock to the µs ("%.6f"): allowing for a step it
# logged leaves at most that much error.
STEP_ERROR_US = 1


def stepped_by(changes: Sequence[Record]) -> int | None:
    """How far the wall clock moved over `changes` (µs), when every change says so: chrony
    steps ("was stepped by X seconds"), and the "wrong by X" that announce them; None if a
    jump, a suspend, a step of unknown size, or an announcement without its step is among
    them. No changes: 0."""
    said = [r.detail for r in changes if r.kind is Kind.CLOCK_STEP
            and isinstance(r.detail, Seconds) and math.isfinite(r.detail.value)]
    steps = [d.value for d in said if d.stepped]
    if len(said) != len(changes) or (said and not steps):
        return None
    return sum(round(value * 1e6) for value in steps)


def _gap(armed_us: int, anchor: Anchor, resolution_us: int, start: str) -> Gap:
    gap_us = armed_us - anchor.kernel_start_us
    error_us = anchor.error_us + resolution_us
    if gap_us < -error_us:
        return (math.nan, None, math.nan, None,
                (f"the load message is stamped before {start}",))
    # A true gap is never negative: an estimate a little below 0 is 0 (and no further off).
    return max(gap_us, 0) / 1e6, anchor.kind, error_us / 1e6, anchor, ()


def _first_startup(records: Sequence[Record]) -> Anchor | None:
    """The boot's "Startup finished" anchor, capped by the upper bounds on its clock."""
    startups = [a for r in records if r.kind is Kind.STARTUP
                if (a := startup_anchor(r)) is not None]
    first = min(startups, key=lambda a: (a.record.source, a.record.at.number), default=None)
    return None if first is None else capped(first, records)


def capped(startup: Anchor, records: Sequence[Record]) -> Anchor:
    """A "Startup finished" estimate no later than an upper bound of kernel start read on
    the same clock (same source, no change between them): where the stamps are kernel start
    plus printk time (dmesg -T, a console log), the kernel's first line is kernel start to
    the µs, closer than the phases' rounding. The error bound still holds: the truth lies
    between the estimate's low end and the bound."""
    bounds = [a.kernel_start_us for a in bound_anchors(records)
              if a.record.source == startup.record.source
              and not _between(records, a.record, startup.record, _CHANGES)]
    least = min(bounds, default=startup.kernel_start_us)
    if least >= startup.kernel_start_us:
        return startup
    return dataclasses.replace(startup, kernel_start_us=least)


def best_start(records: Sequence[Record]) -> Anchor | None:
    """A boot's kernel start on the wall clock when no arming says which anchor to use:
    "Startup finished", else the least upper bound."""
    startup = _first_startup(records)
    if startup is not None:
        return startup
    bounds = bound_anchors(records)
    return min(bounds, key=lambda a: a.kernel_start_us) if bounds else None


def suspend_notes(records: Sequence[Record], armed: Record | None) -> tuple[str, ...]:
    """A suspend before arming: the monotonic clock stood still while wall time passed."""
    if armed is None:
        return ()
    for r in records:
        if r.kind is not Kind.SUSPEND:
            continue
        before = (r.mono_us < armed.mono_us if r.mono_us is not None and armed.mono_us
                  is not None else r.source == armed.source and r.at.number < armed.at.number)
        if before:
            return (f"the system was suspended at {r.source}:{r.at.number} before arming: the "
                    "monotonic clock stood still while wall-clock time passed, so the gap "
                    "counts only the time awake",)
    return ()


def gap_facts(records: Sequence[Record], armed: Record | None, firsts: Sequence[Record],
              lasts: Sequence[Record], start_is_logged: bool,
              resolution_us: int = 1_000_000) -> GapFacts:
    """kernel start, arming time, gap, its kind and error bound, its clock and the log's span.

    The gap's clock is the arming message's own: monotonic where its format
    carries it (exact), else the wall clock from the best anchor (`wall_gap`),
    `resolution_us` being the arming source's stamp resolution. kernel start
    is wall time minus monotonic time of the latest entry that has both (the
    wall clock is most likely synchronised by then; after a suspend the
    monotonic clock has stood still, so it comes out later by the time
    suspended); else the anchor the gap used; else the best evidence
    (`best_start`).
    """
    both = [r for r in records if r.mono_us is not None and r.real_us is not None
            and r.kind is not Kind.PRINTK]
    kernel_start_us: int | None = None
    start_from = FROM_UNKNOWN
    if both:
        latest = max(both, key=order)
        assert latest.real_us is not None and latest.mono_us is not None
        kernel_start_us, start_from = latest.real_us - latest.mono_us, FROM_MONOTONIC
    monotonic = (armed.mono_us is not None if armed is not None
                 else any(r.mono_us is not None for r in lasts))
    gap, armed_us, notes = math.nan, None, suspend_notes(records, armed)
    kind: str | None = None
    error = math.nan
    anchor: Anchor | None = None
    if armed is not None and armed.mono_us is not None:
        gap, kind, error = armed.mono_us / 1e6, EXACT, 0.0
        if kernel_start_us is not None and start_from == FROM_MONOTONIC:
            armed_us = kernel_start_us + armed.mono_us
    elif armed is not None and armed.real_us is not None:
        armed_us = armed.real_us
        gap, kind, error, anchor, gap_notes = wall_gap(armed, records, resolution_us)
        notes += gap_notes
        if anchor is not None and anchor.kind == LOWER_BOUND and not start_is_logged:
            notes += ("the boot's start is not in the log: the gap is a lower bound from "
                      "its first logged line",)
    if kernel_start_us is None:
        anchor = anchor or best_start(records)
        if anchor is not None:
            kernel_start_us, start_from = anchor.kernel_start_us, anchor.evidence
    return GapFacts(kernel_start_us, start_from, armed_us, gap,
                    "monotonic" if monotonic else "realtime", log_span(records, lasts), notes,
                    kind, error)


def log_span(records: Sequence[Record], lasts: Sequence[Record]) -> float:
    """Seconds from kernel start (or the first line) to the boot's last logged line."""
    monos = [r.mono_us for r in lasts if r.mono_us is not None]
    if monos:
        return max(monos) / 1e6
    reals = [r.real_us for r in records if r.real_us is not None]
    return (max(reals) - min(reals)) / 1e6 if reals else math.nan


def coverage(start_is_logged: bool, startup_finished: bool,
             span_s: float) -> tuple[str, tuple[str, ...]]:
    """'not-armed' only when the log covers where arming happens; else 'unknown' and why."""
    if not start_is_logged:
        return "unknown", ("the boot's start is not in the log; it may have armed before the "
                           "first logged line",)
    if not startup_finished and not span_s >= ARMING_WINDOW_S:
        return "unknown", (f"the log ends {span_s:.0f} s into the boot, before it finished "
                           "starting up; arming may have come later",)
    return "not-armed", ()
