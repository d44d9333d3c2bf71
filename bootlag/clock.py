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

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .records import Kind, Record, Seconds

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


@dataclass(frozen=True)
class GapFacts:
    """A boot's clock facts: times in µs (None when unknown), the gap in seconds (NaN)."""

    kernel_start_us: int | None
    kernel_start_from: str  # "monotonic", "first-line" or "unknown"
    armed_us: int | None
    gap_s: float
    clock: str  # "monotonic" (exact) or "realtime" (a wall-clock lower bound)
    log_span_s: float
    notes: tuple[str, ...] = ()


def order(r: Record) -> tuple[int, int, str, int]:
    """Monotonic entries first, in monotonic order; then the others by wall time."""
    if r.mono_us is not None:
        return (0, r.mono_us, r.source, r.at.number)
    return (1, r.real_us if r.real_us is not None else 0, r.source, r.at.number)


def start_logged(first: Record, kernel_started: bool) -> bool:
    """Whether the boot's start (kernel start) is in the log."""
    return kernel_started or (first.mono_us is not None
                              and first.mono_us <= START_LOGGED_WITHIN_US)


def gap_facts(records: Sequence[Record], armed: Record | None, firsts: Sequence[Record],
              lasts: Sequence[Record], start_is_logged: bool) -> GapFacts:
    """kernel start, arming time, gap, its clock and the log's span.

    The gap's clock is the arming message's own: monotonic where its format
    carries it, else wall-clock from the first line *of the same source*
    (`realtime_gap`). kernel start is wall time minus monotonic time of the
    latest entry that has both (the wall clock is most likely synchronised by
    then; after a suspend the monotonic clock has stood still, so it comes out
    later by the time suspended), else the first line's wall time.
    """
    both = [r for r in records if r.mono_us is not None and r.real_us is not None]
    kernel_start_us: int | None = None
    start_from = "unknown"
    if both:
        latest = max(both, key=order)
        assert latest.real_us is not None and latest.mono_us is not None
        kernel_start_us, start_from = latest.real_us - latest.mono_us, "monotonic"
    monotonic = (armed.mono_us is not None if armed is not None
                 else any(r.mono_us is not None for r in lasts))
    wall_firsts = [r.real_us for r in firsts if r.real_us is not None]
    if kernel_start_us is None and wall_firsts:
        kernel_start_us, start_from = min(wall_firsts), "first-line"
    gap, armed_us, notes = math.nan, None, tuple[str, ...]()
    if armed is not None and armed.mono_us is not None:
        gap = armed.mono_us / 1e6
        if kernel_start_us is not None and start_from == "monotonic":
            armed_us = kernel_start_us + armed.mono_us
    elif armed is not None and armed.real_us is not None:
        armed_us = armed.real_us
        gap, notes = realtime_gap(armed, records, firsts, start_is_logged)
    return GapFacts(kernel_start_us, start_from, armed_us, gap,
                    "monotonic" if monotonic else "realtime", log_span(records, lasts), notes)


def log_span(records: Sequence[Record], lasts: Sequence[Record]) -> float:
    """Seconds from kernel start (or the first line) to the boot's last logged line."""
    monos = [r.mono_us for r in lasts if r.mono_us is not None]
    if monos:
        return max(monos) / 1e6
    reals = [r.real_us for r in records if r.real_us is not None]
    return (max(reals) - min(reals)) / 1e6 if reals else math.nan


def realtime_gap(armed: Record, records: Sequence[Record], firsts: Sequence[Record],
                 start_is_logged: bool) -> tuple[float, tuple[str, ...]]:
    """Wall-clock gap from the first line of the arming's source, or NaN with the reason.

    Refused when the boot's start is not in the log, or when the wall clock
    jumped (`jumped`) or was stepped (chrony, timesyncd) between that first
    line and the arming: the difference would then count the step.
    """
    assert armed.real_us is not None
    starts = [r for r in firsts if r.source == armed.source and r.real_us is not None]
    if not start_is_logged or not starts:
        return math.nan, ("the boot's start is not in the log, so its gap is unknown",)
    first = min(starts, key=lambda r: r.at.number)
    between = [r for r in records if r.source == armed.source
               and first.at.number <= r.at.number <= armed.at.number]
    for r in between:
        if r.kind is Kind.JUMP and isinstance(r.detail, Seconds):
            return math.nan, (f"the wall clock jumped {r.detail.value:+.0f} s at "
                              f"{r.source}:{r.at.number} before arming; the wall-clock gap "
                              "cannot be trusted",)
    for r in between:
        if r.kind is Kind.CLOCK_STEP:
            return math.nan, (f"the wall clock was stepped at {r.source}:{r.at.number} before "
                              "arming; the wall-clock gap cannot be trusted",)
    assert first.real_us is not None
    gap = (armed.real_us - first.real_us) / 1e6
    if gap < 0:
        return math.nan, ("the load message is stamped before the boot's first line",)
    return gap, ()


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
