"""Every rule of `bootlag.clock`, one by one, on hand-made records (fast: no journal tools).

These are the tests `tools/mutation.py` runs against each mutant of ``clock.py``: each
threshold is pinned on both sides of its edge, and each refusal by its note.
"""

from __future__ import annotations

import math

import pytest

from bootlag import clock
from bootlag.records import Armed, Kind, Position, Record, Seconds

S = 1_000_000
T0 = 1_700_000_000 * S  # wall time of kernel start of the hand-made boots


def rec(kind: Kind, line: int, *, mono_s: float | None = None, real_s: float | None = None,
        source: str = "a.log", detail=None) -> Record:
    return Record(kind, "b", "h1", None if mono_s is None else round(mono_s * S),
                  None if real_s is None else T0 + round(real_s * S), "x", "m", source,
                  Position(line), detail)


ARMED = Armed("kdump", "kdumpctl", "userspace")


# --- while reading -----------------------------------------------------------------------------

@pytest.mark.parametrize(("delta_us", "jumps"), [
    (clock.JUMP_FORWARD_US, False), (clock.JUMP_FORWARD_US + 1, True),
    (5 * S, False),  # an NTP step of +5 s is a step, not a jump
    (0, False), (-clock.JUMP_BACKWARD_US, False), (-clock.JUMP_BACKWARD_US - 1, True),
    (-60 * S, True),
])
def test_a_jump_is_more_than_900_s_forward_or_2_s_back(delta_us, jumps):
    assert clock.JUMP_FORWARD_US == 900 * S and clock.JUMP_BACKWARD_US == 2 * S
    assert clock.jumped(T0, T0 + delta_us) is jumps


@pytest.mark.parametrize(("previous_s", "now_s", "resets"), [
    (150.0, 3.0, True),
    (150.0, 119.999999, True),  # just under the first two minutes
    (150.0, 120.0, False),  # not near zero
    (8.0, 3.0, False),  # a drop of exactly 5 s is disorder, not a new boot
    (8.000001, 3.0, True),
    (3.0, 8.0, False),  # forwards
    (None, 3.0, False), (150.0, None, False),
])
def test_a_monotonic_reset_falls_back_below_120_s_by_more_than_5_s(previous_s, now_s, resets):
    assert clock.RESET_BELOW_US == 120 * S and clock.RESET_DROP_US == 5 * S
    def us(s: float | None) -> int | None:
        return None if s is None else round(s * S)

    assert clock.monotonic_reset(us(previous_s), us(now_s)) is resets


def test_a_kernel_line_takes_its_printk_time_and_moves_its_wall_time_back_as_far():
    assert clock.kernel_line_times(3 * S, T0 + 3 * S, S // 2) == (S // 2, T0 + S // 2)
    assert clock.kernel_line_times(3 * S, None, S // 2) == (S // 2, None)
    assert clock.kernel_line_times(3 * S, T0, None) == (3 * S, T0)
    assert clock.kernel_line_times(None, T0, S // 2) == (None, T0)


# --- deciding a boot's clock facts -------------------------------------------------------------

def test_order_puts_monotonic_entries_first_then_wall_time():
    mono = rec(Kind.FIRST, 9, mono_s=50.0, real_s=1.0)
    wall = rec(Kind.FIRST, 1, real_s=0.0)
    neither = rec(Kind.FIRST, 2)
    assert sorted([neither, wall, mono], key=clock.order) == [mono, neither, wall]
    assert clock.order(mono) == (0, 50 * S, "a.log", 9)
    assert clock.order(wall) == (1, T0, "a.log", 1)
    assert clock.order(neither) == (1, 0, "a.log", 2)


@pytest.mark.parametrize(("mono_s", "kernel_started", "logged"), [
    (0.0, False, True), (1.0, False, True), (1.000001, False, False), (5.0, True, True),
    (None, False, False), (None, True, True),
])
def test_the_start_is_logged_within_a_second_of_kernel_start(mono_s, kernel_started, logged):
    assert clock.START_LOGGED_WITHIN_US == S
    first = rec(Kind.FIRST, 1, mono_s=mono_s, real_s=0.0)
    assert clock.start_logged(first, kernel_started) is logged


def test_a_monotonic_gap_is_the_arming_time_and_kernel_start_comes_from_the_latest_entry():
    """kernel start = wall - monotonic of the latest entry with both (the clock may have been
    set since the first ones)."""
    first = rec(Kind.FIRST, 1, mono_s=0.0, real_s=-3600.0)  # RTC an hour off at first
    armed = rec(Kind.ARMED, 5, mono_s=12.5, real_s=12.5, detail=ARMED)
    last = rec(Kind.LAST, 9, mono_s=40.0, real_s=40.0)
    facts = clock.gap_facts([first, armed, last], armed, [first], [last], True)
    assert facts.gap_s == 12.5 and facts.clock == "monotonic"
    assert facts.kernel_start_us == T0 and facts.kernel_start_from == "monotonic"
    assert facts.armed_us == T0 + 12_500_000
    assert facts.log_span_s == 40.0 and facts.notes == ()


def test_kernel_start_comes_from_the_latest_entry_in_time_whatever_its_kind():
    """The latest by `order` (monotonic time), not the last in any other sense."""
    armed = rec(Kind.ARMED, 5, mono_s=12.5, real_s=12.5, detail=ARMED)
    early = rec(Kind.FIRST, 1, mono_s=3.0, real_s=-3600.0, source="z.log")  # RTC still off
    facts = clock.gap_facts([early, armed], armed, [early], [armed], True)
    assert facts.kernel_start_us == T0 and facts.armed_us == T0 + 12_500_000


def test_the_gaps_clock_is_the_arming_messages_even_beside_monotonic_sources():
    """Kernel lines from json, the arming only in wall-clock text: a wall-clock gap."""
    first = rec(Kind.FIRST, 1, real_s=0.0, source="t.log")
    armed = rec(Kind.ARMED, 5, real_s=14.0, source="t.log", detail=ARMED)
    mono_last = rec(Kind.LAST, 9, mono_s=30.0, real_s=30.0, source="k.json")
    facts = clock.gap_facts([first, armed, mono_last], armed, [first], [mono_last], True)
    assert facts.clock == "realtime" and facts.gap_s == 14.0


def test_a_monotonic_gap_without_wall_time_has_no_armed_at():
    first = rec(Kind.FIRST, 1, mono_s=0.0)
    armed = rec(Kind.ARMED, 5, mono_s=12.5, detail=ARMED)
    facts = clock.gap_facts([first, armed], armed, [first], [first], True)
    assert facts.gap_s == 12.5 and facts.armed_us is None
    assert facts.kernel_start_us is None and facts.kernel_start_from == "unknown"


def test_a_monotonic_gap_beside_a_wall_clock_first_line_has_no_armed_at():
    wall_first = rec(Kind.FIRST, 1, real_s=2.0, source="t.log")
    armed = rec(Kind.ARMED, 5, mono_s=12.5, detail=ARMED)
    facts = clock.gap_facts([wall_first, armed], armed, [wall_first], [wall_first], True)
    assert facts.kernel_start_from == "first-line" and facts.kernel_start_us == T0 + 2 * S
    assert facts.gap_s == 12.5 and facts.armed_us is None


def test_without_both_clocks_kernel_start_is_the_earliest_first_line():
    firsts = [rec(Kind.FIRST, 1, real_s=3.0, source="b.log"), rec(Kind.FIRST, 1, real_s=2.0),
              rec(Kind.FIRST, 1, source="c.log")]
    armed = rec(Kind.ARMED, 5, real_s=14.0, detail=ARMED)
    last = rec(Kind.LAST, 9, real_s=30.0)
    records = [*firsts, armed, last]
    facts = clock.gap_facts(records, armed, firsts, [last], True)
    assert facts.kernel_start_us == T0 + 2 * S and facts.kernel_start_from == "first-line"
    assert facts.clock == "realtime" and facts.armed_us == T0 + 14 * S
    assert facts.gap_s == 12.0  # from the first line of the arming's own source
    assert facts.log_span_s == 28.0  # last minus first wall time


def test_without_an_arming_the_clock_is_the_last_entries_one():
    mono_last = rec(Kind.LAST, 9, mono_s=40.0)
    wall_last = rec(Kind.LAST, 9, real_s=40.0)
    first = rec(Kind.FIRST, 1, real_s=0.0)
    assert clock.gap_facts([first, mono_last], None, [first], [mono_last], True).clock \
        == "monotonic"
    facts = clock.gap_facts([first, wall_last], None, [first], [wall_last], True)
    assert facts.clock == "realtime" and math.isnan(facts.gap_s) and facts.armed_us is None


def test_an_arming_without_times_has_no_gap():
    first = rec(Kind.FIRST, 1, real_s=0.0)
    armed = rec(Kind.ARMED, 5, detail=ARMED)
    facts = clock.gap_facts([first, armed], armed, [first], [first], True)
    assert math.isnan(facts.gap_s) and facts.armed_us is None and facts.notes == ()


def test_log_span():
    assert clock.log_span([], [rec(Kind.LAST, 1, mono_s=3.0), rec(Kind.LAST, 2, mono_s=7.0)]) \
        == 7.0
    reals = [rec(Kind.FIRST, 1, real_s=4.0), rec(Kind.LAST, 2, real_s=10.0), rec(Kind.LAST, 3)]
    assert clock.log_span(reals, [rec(Kind.LAST, 2, real_s=10.0)]) == 6.0
    assert math.isnan(clock.log_span([rec(Kind.FIRST, 1)], [rec(Kind.LAST, 1)]))


# --- the wall-clock gap from the first line, and when it is refused ---------------------------
# (Without systemd's "Startup finished": the gap is a lower bound from the first line of the
# arming's source. The Startup-finished estimate and its error bound: tests/test_clock.py.)

def wall_boot(*between: Record, armed_line: int = 50, source: str = "a.log"):
    """A wall-clock boot: first line at 2 s (line 10), armed at 14.5 s, last line at 30 s."""
    first = rec(Kind.FIRST, 10, real_s=2.0, source=source)
    armed = rec(Kind.ARMED, armed_line, real_s=14.5, source=source, detail=ARMED)
    last = rec(Kind.LAST, 90, real_s=30.0, source=source)
    return [first, *between, armed, last], armed, [first]


def wall(records, armed, firsts, start_logged: bool = True, resolution_us: int = 1):
    return clock.gap_facts(records, armed, firsts, [records[-1]], start_logged, resolution_us)


def test_a_wall_clock_gap_counts_from_the_first_line():
    facts = wall(*wall_boot())
    assert (facts.gap_s, facts.gap_kind, facts.notes) == (12.5, clock.LOWER_BOUND, ())
    assert facts.gap_error_s == 1e-6 and facts.clock == "realtime"


def test_a_wall_clock_gap_from_a_cut_start_says_so():
    facts = wall(*wall_boot(), start_logged=False)
    assert facts.gap_s == 12.5 and facts.notes == (
        "the boot's start is not in the log: the gap is a lower bound from its first logged "
        "line",)


def test_a_wall_clock_gap_counts_from_the_first_line_of_the_armings_own_source():
    records, armed, firsts = wall_boot()
    other = rec(Kind.FIRST, 1, real_s=0.5, source="other.log")
    assert wall([other, *records], armed, [other, *firsts]).gap_s == 12.5


@pytest.mark.parametrize("value", [5.0, -0.5])
def test_a_step_before_arming_refuses_the_gap_from_the_first_line(value):
    """chrony's "System clock was stepped" between the first line and the arming: even a
    step far below the jump threshold makes the difference count it."""
    step = rec(Kind.CLOCK_STEP, 20, real_s=8.0, detail=Seconds(value))
    facts = wall(*wall_boot(step))
    assert math.isnan(facts.gap_s) and facts.gap_kind is None
    assert facts.notes == ("the wall clock was stepped at a.log:20 before arming; the "
                           "wall-clock gap cannot be trusted",)


def test_a_step_on_the_first_line_or_the_arming_line_refuses_the_gap():
    for line in (10, 50):
        step = rec(Kind.CLOCK_STEP, line, real_s=8.0, detail=Seconds(math.nan))
        assert math.isnan(wall(*wall_boot(step)).gap_s)


def test_a_step_after_arming_or_in_another_source_keeps_the_gap():
    after = rec(Kind.CLOCK_STEP, 51, real_s=20.0, detail=Seconds(5.0))
    elsewhere = rec(Kind.CLOCK_STEP, 20, real_s=8.0, source="other.log", detail=Seconds(5.0))
    facts = wall(*wall_boot(after, elsewhere))
    assert (facts.gap_s, facts.notes) == (12.5, ())


def test_a_jump_before_arming_refuses_the_gap_and_says_how_far():
    jump = rec(Kind.JUMP, 20, real_s=3608.0, detail=Seconds(3600.0))
    step = rec(Kind.CLOCK_STEP, 21, real_s=3608.0, detail=Seconds(3600.0))
    facts = wall(*wall_boot(jump, step))
    assert math.isnan(facts.gap_s)
    assert facts.notes == ("the wall clock jumped +3600 s at a.log:20 before arming; the "
                           "wall-clock gap cannot be trusted",)
    back = rec(Kind.JUMP, 20, real_s=8.0, detail=Seconds(-60.0))
    facts = wall(*wall_boot(back))
    assert math.isnan(facts.gap_s) and "jumped -60 s at a.log:20" in facts.notes[0]


def test_a_jump_after_arming_keeps_the_gap():
    jump = rec(Kind.JUMP, 60, real_s=3608.0, detail=Seconds(3600.0))
    assert wall(*wall_boot(jump)).gap_s == 12.5


def test_an_arming_stamped_before_the_first_line_has_no_gap():
    first = rec(Kind.FIRST, 10, real_s=20.0)
    armed = rec(Kind.ARMED, 50, real_s=14.5, detail=ARMED)
    facts = wall([first, armed, first], armed, [first])
    assert math.isnan(facts.gap_s)
    assert facts.notes == ("the load message is stamped before the boot's first line",)
    same = rec(Kind.ARMED, 50, real_s=20.0, detail=ARMED)
    assert wall([first, same, first], same, [first]).gap_s == 0.0


# --- coverage: "not-armed" only where the log covers where arming happens ----------------------

@pytest.mark.parametrize(("start_logged", "startup", "span_s", "status", "note"), [
    (False, True, 500.0, "unknown", "the boot's start is not in the log; it may have armed "
                                    "before the first logged line"),
    (True, False, 100.4, "unknown", "the log ends 100 s into the boot, before it finished "
                                    "starting up; arming may have come later"),
    (True, False, math.nan, "unknown", "log ends"),
    (True, False, 179.999, "unknown", "log ends 180 s"),
    (True, False, 180.0, "not-armed", None),
    (True, True, 10.0, "not-armed", None),
])
def test_coverage(start_logged, startup, span_s, status, note):
    assert clock.ARMING_WINDOW_S == 180.0
    got, notes = clock.coverage(start_logged, startup, span_s)
    assert got == status
    if note is None:
        assert notes == ()
    else:
        assert len(notes) == 1 and note in notes[0]


# --- a suspend before arming: the monotonic gap counts only the time awake ---------------------

SUSPENDED = ("the system was suspended at a.log:3 before arming: the monotonic clock stood "
             "still while wall-clock time passed, so the gap counts only the time awake",)


def test_a_suspend_before_a_monotonic_arming_is_noted():
    armed = rec(Kind.ARMED, 5, mono_s=12.5, detail=ARMED)
    before = rec(Kind.SUSPEND, 3, mono_s=12.0)
    after = rec(Kind.SUSPEND, 3, mono_s=13.0)
    assert clock.suspend_notes([before, armed], armed) == SUSPENDED
    assert clock.suspend_notes([after, armed], armed) == ()
    assert clock.suspend_notes([rec(Kind.SUSPEND, 3, mono_s=12.5), armed], armed) == ()
    assert clock.suspend_notes([before, armed], None) == ()
    assert clock.suspend_notes([rec(Kind.CLOCK_STEP, 3, mono_s=1.0), armed], armed) == ()
    facts = clock.gap_facts([before, armed], armed, [before], [armed], True)
    assert facts.notes == SUSPENDED and facts.gap_s == 12.5


def test_a_suspend_without_both_monotonic_times_is_placed_by_its_line():
    armed = rec(Kind.ARMED, 5, real_s=12.5, detail=ARMED)
    assert clock.suspend_notes([rec(Kind.SUSPEND, 3, real_s=1.0), armed], armed) == SUSPENDED
    assert clock.suspend_notes([rec(Kind.SUSPEND, 5, real_s=1.0), armed], armed) == ()
    assert clock.suspend_notes([rec(Kind.SUSPEND, 7, real_s=1.0), armed], armed) == ()
    assert clock.suspend_notes([rec(Kind.SUSPEND, 3, real_s=1.0, source="b.log"), armed],
                               armed) == ()
    mono_armed = rec(Kind.ARMED, 5, mono_s=12.5, detail=ARMED)
    assert clock.suspend_notes([rec(Kind.SUSPEND, 3, real_s=1.0), mono_armed],
                               mono_armed) == SUSPENDED
