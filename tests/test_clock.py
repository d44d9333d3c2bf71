"""The wall-clock rules of `bootlag.clock` one by one (issue 11 item 1, 7)."""

from __future__ import annotations

import math

import pytest

import bootlag
from bootlag import clock, events
from bootlag.records import Kind, Position, Record, Seconds, Startup

S = 1_000_000
T0 = 1_700_000_000 * S  # kernel start of the hand-made boots


def rec(kind: Kind, line: int, real_s: float | None, detail=None, mono_s: float | None = None,
        source: str = "a.log") -> Record:
    return Record(kind, "b", "h1", None if mono_s is None else round(mono_s * S),
                  None if real_s is None else T0 + round(real_s * S), "x", "", source,
                  Position(line), detail)


NON_EFI = Startup(2.0, 3.0, 15.0, 20.0)
EFI = Startup(2.0, 3.0, 15.0, 32.0, 8.0, 4.0)


def facts(records, armed, resolution_us=S):
    firsts = [r for r in records if r.kind is Kind.FIRST]
    lasts = [r for r in records if r.kind is Kind.LAST]
    return clock.gap_facts(records, armed, firsts, lasts, False, resolution_us)


def test_startup_finished_subtracts_kernel_initrd_userspace_not_firmware_and_loader():
    for startup in (NON_EFI, EFI):
        armed = rec(Kind.ARMED, 5, 12.0)
        records = [rec(Kind.FIRST, 1, 2.5), armed, rec(Kind.STARTUP, 9, 20.0, startup)]
        got = facts(records, armed)
        assert got.kernel_start_us == T0 and got.kernel_start_from == "startup-finished"
        assert got.gap_s == 12.0 and got.gap_kind == "estimate"


def test_the_error_bound_counts_the_stamps_the_rounded_parts_and_the_log_delay():
    """One rounded total without EFI, three parts with it; plus the stamps' resolution."""
    armed = rec(Kind.ARMED, 5, 12.0)
    delay = clock.STARTUP_LOG_DELAY_US / S
    for startup, parts in ((NON_EFI, 1), (EFI, 3)):
        for resolution in (1, S):
            got = facts([rec(Kind.FIRST, 1, 2.5), armed, rec(Kind.STARTUP, 9, 20.0, startup)],
                        armed, resolution)
            assert got.gap_error_s == pytest.approx(resolution / S + parts * 1e-3 + delay)
    exact = Startup(2.0, 3.0, 15.0, digit_s=1e-6)  # KERNEL_USEC & co.
    got = facts([armed, rec(Kind.STARTUP, 9, 20.0, exact)], armed, 1)
    assert got.gap_error_s == pytest.approx(1e-6 + 3e-6 + delay)


def test_an_estimate_a_little_below_zero_is_zero():
    armed = rec(Kind.ARMED, 2, 0.0)  # stamped 0.4 s "before" kernel start (a cut stamp)
    got = facts([rec(Kind.FIRST, 1, 0.0), armed, rec(Kind.STARTUP, 9, 20.4, NON_EFI)], armed)
    assert got.gap_s == 0.0 and got.gap_kind == "estimate"


def test_an_arming_far_before_its_anchor_is_refused():
    armed = rec(Kind.ARMED, 2, -30.0)
    got = facts([armed, rec(Kind.STARTUP, 9, 20.0, NON_EFI)], armed)
    assert math.isnan(got.gap_s) and "stamped before" in got.notes[0]


@pytest.mark.parametrize("change", [
    rec(Kind.CLOCK_STEP, 7, 15.0, Seconds(3600.0)),  # "wrong by": no step said
    rec(Kind.CLOCK_STEP, 7, 15.0, Seconds(math.nan)),  # timesyncd: no amount
    rec(Kind.JUMP, 7, 15.0, Seconds(-7200.0)),
    rec(Kind.SUSPEND, 7, 15.0),
])
def test_a_clock_change_between_anchor_and_arming_voids_that_anchor(change):
    armed = rec(Kind.ARMED, 5, 12.0)
    records = [rec(Kind.FIRST, 1, 2.5), armed, change, rec(Kind.STARTUP, 9, 20.0, NON_EFI)]
    got = facts(records, armed)
    assert got.gap_kind == "lower-bound" and got.kernel_start_from == "first-line"
    assert got.gap_s == 9.5 and got.gap_error_s == 1.0
    assert "Startup finished" in got.notes[0]
    before = [rec(Kind.FIRST, 1, 2.5), change._replace(at=Position(3)), armed._replace(
        at=Position(5)), rec(Kind.STARTUP, 9, 20.0, NON_EFI)]
    got = facts(before, before[2])  # the change before both: the estimate stands
    assert got.gap_kind == "estimate" and got.gap_s == 12.0
    if change.kind is Kind.SUSPEND:
        assert "suspended" in got.notes[0]


def test_the_least_printk_bound_wins_over_the_first_line():
    armed = rec(Kind.ARMED, 9, 20.0)
    printk = rec(Kind.PRINTK, 4, 5.0, Seconds(4.2))  # received 5 s in, printed at 4.2 s
    got = facts([rec(Kind.FIRST, 1, 2.0), printk, armed], armed, 1)
    assert got.kernel_start_from == "printk" and got.gap_kind == "lower-bound"
    assert got.gap_s == pytest.approx(19.2) and got.gap_error_s == 1e-6


def test_with_no_clock_left_the_gap_is_refused_with_the_reason():
    armed = rec(Kind.ARMED, 9, 20.0)
    got = facts([rec(Kind.FIRST, 1, 2.0), rec(Kind.CLOCK_STEP, 4, 3.0, Seconds(1.0)), armed],
                armed)
    assert math.isnan(got.gap_s) and got.gap_kind is None and math.isnan(got.gap_error_s)
    assert "stepped" in got.notes[0]


@pytest.mark.parametrize(("message", "us"), [
    ("[    1.234567] Linux version 6.8", 1_234_567),
    ("[12345.000001] PM: suspend entry (deep)", 12_345_000_001),
    ("[drm] Initialized", None),
    ("Linux version 6.8", None),
])
def test_printk_time_in_a_kernel_message(message, us):
    assert events.printk_us("kernel", message) == us
    assert events.normalize("kernel", message)[1] == (message.split("] ", 1)[1] if us
                                                      else message)


USER_MANAGER = (
    "Mar 01 10:00:01 localhost kernel: crashkernel reserved: 0x5f000000 - 0x6f000000 (256 MB)\n"
    "Mar 01 10:00:20 h1 kdumpctl[939]: kdump: kexec: loaded kdump kernel\n"
    "Mar 01 10:00:25 h1 systemd[1250]: Startup finished in 1.500s (kernel) + 2.000s "
    "(userspace) = 3.500s.\n"
    "Mar 01 10:00:30 h1 systemd[1]: Startup finished in 2.000s (kernel) + 3.000s (initrd) + "
    "25.000s (userspace) = 30.000s.\n")


def test_a_user_managers_startup_finished_is_not_the_system_managers(tmp_path):
    """Only systemd[1]'s line dates kernel start, however a user manager's line reads."""
    path = tmp_path / "user.log"
    path.write_text(USER_MANAGER)
    row = bootlag.scan(path, year=2024, errors="raise").iloc[0]
    assert row.kernel_start_from == "startup-finished"
    assert row.gap_s == 20.0 and row.gap_kind == "estimate"
    assert row.kernel_start.isoformat() == "2024-03-01T10:00:00+00:00"
    # without the system manager's line, a lower bound from the first line
    path.write_text("".join(USER_MANAGER.splitlines(keepends=True)[:3]))
    row = bootlag.scan(path, year=2024, errors="raise").iloc[0]
    assert (row.gap_kind, row.gap_s, row.kernel_start_from) == ("lower-bound", 19.0,
                                                                "first-line")


SYSLOG_PRINTK = """\
Mar  1 10:00:03 h1 kernel: [    0.000000] Linux version 6.8.0-45-generic (buildd@lcy02) #45
Mar  1 10:00:03 h1 kernel: [    0.000000] Command line: root=/dev/vda1 crashkernel=512M
Mar  1 10:00:09 h1 kernel: [    8.912345] e1000e 0000:00:1f.6 eth0: NIC Link is Up
Mar  1 10:00:31 h1 kdump-tools[812]:  * loaded kdump kernel
"""


def test_syslog_text_keeps_printk_times(tmp_path):
    """kern.log style: kernel start is at most 10:00:09 - 8.912345 s."""
    path = tmp_path / "kern.log"
    path.write_text(SYSLOG_PRINTK)
    row = bootlag.scan(path, year=2024, errors="raise").iloc[0]
    assert row.kernel == "6.8.0-45-generic" and row.crashkernel == "512M"
    assert row.kernel_start_from == "printk" and row.gap_kind == "lower-bound"
    assert row.gap_s == pytest.approx(31 - 9 + 8.912345) and row.gap_error_s == 1.0


@pytest.mark.parametrize(("step_s", "armed_line", "gap_s"), [
    (3600.0, 5, 12.0 - 3600.0 + 3600.0),  # armed before the step: its stamp is 1 h slow
    (-7200.0, 5, 12.0),
    (3600.0, 11, 12.0),  # armed after "Startup finished" and the step
])
def test_a_chrony_step_between_startup_and_arming_is_allowed_for(step_s, armed_line, gap_s):
    """chrony says how far it stepped the clock: the arming's stamp is moved by that much."""
    before = armed_line < 7
    armed = rec(Kind.ARMED, armed_line, 12.0 - (step_s if before else 0.0))
    records = [rec(Kind.FIRST, 1, 2.5 - step_s), armed,
               rec(Kind.CLOCK_STEP, 6, 13.0, Seconds(step_s)),  # "System clock wrong by"
               rec(Kind.CLOCK_STEP, 7, 13.0, Seconds(step_s, stepped=True)),
               rec(Kind.STARTUP, 9 if before else 10, 20.0, NON_EFI)]
    if not before:  # the anchor is before the step: its clock is the old one
        records[-1] = rec(Kind.STARTUP, 3, 20.0 - step_s, NON_EFI)
        records[2:4] = [r._replace(at=Position(n)) for r, n in zip(records[2:4], (6, 7),
                                                                    strict=True)]
    got = facts(records, armed, 1)
    assert got.gap_kind == "estimate" and got.gap_s == pytest.approx(gap_s)
    assert "allows for it" in got.notes[-1]


def test_an_upper_bound_on_the_same_clock_caps_the_estimate():
    """dmesg -T stamps are kernel start + printk time: the kernel's first line is kernel
    start to the µs, better than the phases' milliseconds; a later first line changes
    nothing, and neither does a bound across a clock step."""
    armed = rec(Kind.ARMED, 5, 12.0)
    startup = rec(Kind.STARTUP, 9, 20.0004, NON_EFI)  # the phases cut 0.4 ms short
    got = facts([rec(Kind.FIRST, 1, 0.0), armed, startup], armed, 1)
    assert got.kernel_start_us == T0 and got.gap_s == 12.0 and got.gap_kind == "estimate"
    got = facts([rec(Kind.FIRST, 1, 1.5), armed, startup], armed, 1)
    assert got.kernel_start_us == T0 + 400 and got.gap_s == pytest.approx(11.9996)
    stepped = [rec(Kind.FIRST, 1, -5.0), rec(Kind.CLOCK_STEP, 2, 0.0, Seconds(math.nan)),
               armed, startup]
    got = facts(stepped, armed, 1)
    assert got.kernel_start_us == T0 + 400
