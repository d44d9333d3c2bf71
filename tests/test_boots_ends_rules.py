"""How a boot stayed protected and ended, and why it never was: the steps of
`bootlag.boots` for the ``status`` (disarmed), ``unprotected_after_s``, ``end`` and
``reason`` columns, on hand-made records (fast: run against each mutant by
tools/mutation.py). End to end against the generator's truth: tests/test_ends.py and
tests/test_reasons.py."""

from __future__ import annotations

import math

import pytest

from bootlag import boots, events
from bootlag.formats.common import SourceInfo
from bootlag.records import Kind
from tests.test_boots_rules import CMDLINE, kernel, line, mark, row

UNLOAD = "kdump: kexec: unloaded kdump kernel"
LOAD = "kdump: kexec: loaded kdump kernel"
STARTUP = ("Startup finished in 2.000s (kernel) + 3.000s (initrd) + 15.000s (userspace) = "
           "20.000s.")


def armed_boot(*later: tuple[float, str, str], end_s: float = 400.0, **kw):
    """Kernel lines, an arming at 14.5 s, then `later` (seconds, identifier, message)."""
    return [*kernel(**kw), line(20, "kdumpctl", LOAD, mono_s=14.5, **kw),
            line(21, "systemd", STARTUP, mono_s=20.0, **kw),
            *(line(30 + n, ident, message, mono_s=t, **kw)
              for n, (t, ident, message) in enumerate(later)),
            mark(Kind.LAST, 99, mono_s=end_s, **kw)]


def shutdown(at_s: float) -> list[tuple[float, str, str]]:
    return [(at_s, "systemd", "Reached target System Reboot."),
            (at_s + 1.0, "systemd-journald", "Journal stopped")]


# --- disarmed: unloaded (or a reload failed) and not loaded again -----------------------------

def test_an_armed_boot_that_stays_loaded_is_protected_throughout():
    got = row(armed_boot())
    assert (got["status"], got["unprotected_after_s"], got["reason"]) == ("armed", 0.0, None)
    assert got["end"] is None  # no shutdown logged: `assemble` says abrupt or open


def test_an_unload_not_followed_by_a_load_disarms():
    got = row(armed_boot((30.0, "kdumpctl", UNLOAD)))
    assert got["status"] == "disarmed" and got["reason"] is None
    assert got["unprotected_after_s"] == 370.0  # to the log's last line
    assert got["note"] == ("the crash kernel was unloaded at 30.000 s (or a reload failed) and "
                           "not loaded again: the boot was unprotected from then on")
    assert got["gap_s"] == 14.5 and got["loads"] == 1 and got["unloads"] == 1


def test_a_reload_counts_the_time_between():
    got = row(armed_boot((30.0, "kdumpctl", UNLOAD), (35.5, "kdumpctl", LOAD),
                         (50.0, "kdumpctl", UNLOAD), (52.0, "kdumpctl", "kdump: Kdump already "
                                                                          "running: [WARNING]")))
    assert (got["status"], got["unprotected_after_s"]) == ("armed", 7.5)
    assert got["note"] is None


def test_unprotected_time_adds_up_from_the_first_unload_of_each_stretch():
    """A second unload (or failed reload) while unloaded does not restart the count; a
    last stretch without a load counts to the log's end on top of the earlier ones."""
    got = row(armed_boot((30.0, "kdumpctl", UNLOAD),
                         (40.0, "kdumpctl", "kdump: kexec: failed to load kdump kernel"),
                         (50.0, "kdumpctl", LOAD)))
    assert (got["status"], got["unprotected_after_s"]) == ("armed", 20.0)
    got = row(armed_boot((30.0, "kdumpctl", UNLOAD), (35.5, "kdumpctl", LOAD),
                         (50.0, "kdumpctl", UNLOAD)))
    assert (got["status"], got["unprotected_after_s"]) == ("disarmed", 5.5 + 350.0)


def test_the_disarming_note_gives_the_second_to_the_millisecond():
    got = row(armed_boot((25_000.5, "kdumpctl", UNLOAD), end_s=26_000.0))
    assert "unloaded at 25000.500 s" in got["note"]


def test_a_second_load_while_loaded_changes_nothing():
    got = row(armed_boot((30.0, "kdumpctl", LOAD)))
    assert (got["status"], got["unprotected_after_s"]) == ("armed", 0.0)


def test_a_failed_reload_disarms_but_the_kernels_verdict_does_not():
    got = row(armed_boot((30.0, "kdumpctl", "kdump: kexec: failed to load kdump kernel")))
    assert got["status"] == "disarmed" and got["unprotected_after_s"] == 370.0
    got = row(armed_boot((30.0, "kernel", "crashkernel reservation failed - No suitable area")))
    assert got["status"] == "armed" and got["unprotected_after_s"] == 0.0


def test_an_unload_or_failure_before_the_first_arming_is_not_a_disarming():
    records = [*kernel(), line(10, "kdumpctl", UNLOAD, mono_s=5.0),
               line(11, "dracut-cmdline", "kdump: kexec: failed to load early-kdump kernel",
                    mono_s=6.0),
               line(20, "kdumpctl", LOAD, mono_s=14.5), mark(Kind.LAST, 99, mono_s=400.0)]
    got = row(records)
    assert (got["status"], got["unprotected_after_s"]) == ("armed", 0.0)


def test_a_boot_never_armed_has_no_unprotected_time():
    records = [*kernel(), line(20, "kdumpctl", "kdump: kexec: failed to load kdump kernel",
                               mono_s=14.5), mark(Kind.LAST, 99, mono_s=400.0)]
    got = row(records)
    assert got["status"] == "failed" and math.isnan(got["unprotected_after_s"])
    quiet = row([*kernel(), mark(Kind.LAST, 99, mono_s=400.0)])
    assert quiet["status"] == "not-armed" and math.isnan(quiet["unprotected_after_s"])


def test_a_wall_clock_disarming_says_no_second():
    first = mark(Kind.FIRST, 1, real_s=0.0, source="t.log")
    records = [first, line(1, "kernel", "Linux version 5.14.0 (x) #1", real_s=0.0,
                           source="t.log"),
               line(20, "kdumpctl", LOAD, real_s=14.5, source="t.log"),
               line(30, "kdumpctl", UNLOAD, real_s=30.0, source="t.log"),
               mark(Kind.LAST, 99, real_s=100.0, source="t.log")]
    got = row(records, infos={"t.log": SourceInfo("t.log", formats_seen={"short-iso": 5})})
    assert got["status"] == "disarmed" and got["unprotected_after_s"] == 70.0
    assert got["note"].startswith("the crash kernel was unloaded (or a reload failed)")


# --- shutdowns ----------------------------------------------------------------------------------

def test_an_unload_at_the_shutdown_is_the_shutdowns():
    got = row(armed_boot((300.0, "kdumpctl", UNLOAD), *shutdown(390.0), end_s=392.0))
    assert (got["status"], got["unprotected_after_s"], got["end"]) == ("armed", 0.0,
                                                                       "shutdown")
    assert got["note"] is None


def test_an_unload_long_before_the_shutdown_disarms():
    got = row(armed_boot((299.0, "kdumpctl", UNLOAD), *shutdown(390.0), end_s=392.0))
    assert got["status"] == "disarmed" and got["unprotected_after_s"] == 93.0
    assert got["end"] == "shutdown"


def test_a_shutdown_is_the_run_of_shutdown_lines_up_to_the_logs_end():
    """Lines 90 s or less apart are one shutdown; its first line is where it began."""
    chained = [(200.0, "systemd-shutdown", "Syncing filesystems and block devices."),
               (290.0, "systemd", "Reached target System Power Off."), *shutdown(380.0)]
    got = row(armed_boot((110.0, "kdumpctl", UNLOAD), *chained, end_s=382.0))
    assert (got["status"], got["end"]) == ("armed", "shutdown")
    broken = [(100.0, "systemd-shutdown", "Syncing filesystems and block devices."),
              (290.0, "systemd", "Reached target System Power Off."), *shutdown(380.0)]
    got = row(armed_boot((150.0, "kdumpctl", UNLOAD), *broken, end_s=382.0))
    assert got["status"] == "disarmed" and got["end"] == "shutdown"


def test_a_journald_restart_in_mid_boot_is_not_a_shutdown():
    got = row(armed_boot((30.0, "kdumpctl", UNLOAD), (31.0, "systemd-journald",
                                                      "Journal stopped"), end_s=121.5))
    assert got["end"] is None and got["status"] == "disarmed"
    got = row(armed_boot((30.0, "kdumpctl", UNLOAD), (31.0, "systemd-journald",
                                                      "Journal stopped"), end_s=121.0))
    assert got["end"] == "shutdown" and got["status"] == "armed"  # within 90 s of the end


def test_a_wall_clock_shutdown_is_found_on_the_wall_clock():
    records = [mark(Kind.FIRST, 1, real_s=0.0, source="t.log"),
               line(2, "systemd", "Reached target System Reboot.", real_s=300.0, source="t.log"),
               mark(Kind.LAST, 99, real_s=301.0, source="t.log")]
    assert row(records)["end"] == "shutdown"


# --- reason: why a boot was never protected -----------------------------------------------------

def unarmed(*lines: tuple[float, str, str], cmdline: str = CMDLINE, end_s: float = 400.0,
            start: bool = True):
    first = kernel(cmdline) if start else [mark(Kind.FIRST, 1, mono_s=30.0)]
    return row([*first, *(line(10 + n, ident, message, mono_s=t)
                          for n, (t, ident, message) in enumerate(lines)),
                mark(Kind.LAST, 99, mono_s=end_s)])


def test_armed_and_disarmed_boots_have_no_reason():
    assert row(armed_boot())["reason"] is None
    assert row(armed_boot((30.0, "kdumpctl", UNLOAD)))["reason"] is None


def test_no_crashkernel_on_the_command_line_comes_first():
    got = unarmed((14.0, "kdumpctl", "kdump: kexec: failed to load kdump kernel"),
                  cmdline="BOOT_IMAGE=/vmlinuz ro")
    assert got["reason"] == "no-crashkernel: BOOT_IMAGE=/vmlinuz ro"
    assert unarmed(cmdline="ro")["reason"] == "no-crashkernel: ro"


@pytest.mark.parametrize(("lines", "reason"), [
    ([(14.0, "kdumpctl", "kdump: kexec: failed to load kdump kernel"),
      (15.0, "kdump-tools", "no crashkernel= parameter in the kernel cmdline")],
     "no-crashkernel: no crashkernel= parameter in the kernel cmdline"),
    ([(14.0, "kdumpctl", "kdump: kexec: failed to load kdump kernel"),
      (15.0, "kdumpctl", "kdump: No memory reserved for crash kernel")],
     "reservation-failed: No memory reserved for crash kernel"),
    ([(0.5, "kernel", "crashkernel reservation failed - No suitable area found.")],
     "reservation-failed: crashkernel reservation failed - No suitable area found."),
    ([(1.5, "dracut-cmdline", "kdump: kexec: failed to load early-kdump kernel"),
      (14.0, "kdumpctl", "kdump: kexec: failed to load kdump kernel"),
      (15.0, "kdumpctl", "kdump: Starting kdump: [FAILED]")],
     "service-failed: kexec: failed to load kdump kernel"),
    ([(1.5, "dracut-cmdline", "kdump: kexec: failed to load early-kdump kernel")],
     "service-failed: kexec: failed to load early-kdump kernel"),
])
def test_a_failure_gives_its_cause_and_text(lines, reason):
    assert unarmed(*lines)["reason"] == reason


def test_rd_earlykdump_without_a_word_from_the_initramfs_is_the_missing_module():
    on = CMDLINE + " rd.earlykdump"
    assert unarmed(cmdline=on)["reason"] == "early-kdump-module-missing"
    assert unarmed(cmdline=on, end_s=60.0)["reason"] == "early-kdump-module-missing"
    said = (1.0, "dracut-cmdline", "kdump: early-kdump is enabled.")
    assert unarmed(said, cmdline=on)["reason"] == "no-kdump-service"
    said = (1.0, "dracut-cmdline", "kdump: early-kdump is disabled.")
    assert unarmed(said, cmdline=on)["reason"] == "no-kdump-service"
    assert unarmed(cmdline=CMDLINE + " rd.earlykdump=0")["reason"] == "no-kdump-service"


def test_a_boot_whose_start_is_cut_is_too_short_to_say():
    got = unarmed(start=False)
    assert (got["status"], got["reason"]) == ("unknown", "log-too-short")
    assert unarmed(end_s=60.0)["reason"] == "log-too-short"
    assert unarmed()["reason"] == "no-kdump-service"


def test_an_early_arming_counts_as_the_initramfs_saying_so():
    """Armed by early kdump, then disarmed: no reason at all (it was protected)."""
    records = [*kernel(CMDLINE + " rd.earlykdump"),
               line(9, "dracut-cmdline", "kdump: kexec: loaded early-kdump kernel", mono_s=1.5),
               mark(Kind.LAST, 99, mono_s=400.0)]
    assert row(records)["reason"] is None


# --- end: shutdown, abrupt (a later boot of the host follows) or open --------------------------

def host_boot(boot_id: str, host: str, day: int, *later, end_s: float = 400.0,
              start: bool = True):
    """A boot of `host` `day` days after T0 (the wall clock says which comes first)."""
    shift = day * 86_400 * 1_000_000
    records = armed_boot(*later, end_s=end_s, boot=boot_id, host=host) if start else [
        mark(Kind.FIRST, 1, mono_s=30.0, real_s=30.0, boot=boot_id, host=host),
        mark(Kind.LAST, 99, mono_s=60.0, real_s=60.0, boot=boot_id, host=host)]
    return [r._replace(real_us=r.real_us + shift if r.real_us is not None else None,
                       host=host) for r in records]


def test_ends_of_a_hosts_boots():
    records = (host_boot("a" * 32, "web-01", 0) + host_boot("b" * 32, "web-01", 1)
               + host_boot("c" * 32, "web-02", 0, *shutdown(390.0), end_s=392.0)
               + host_boot("d" * 32, "web-02", 1))
    frame = boots.assemble(records, {"a.json": SourceInfo("a.json", formats_seen={"json": 1})})
    assert frame.boot_id.tolist() == ["a" * 32, "b" * 32, "c" * 32, "d" * 32]
    assert frame.end.tolist() == ["abrupt", "open", "shutdown", "open"]
    assert str(frame.end.dtype) == "string" and str(frame.reason.dtype) == "string"


def test_a_boot_too_short_to_say_that_ended_abruptly_says_so():
    short = [r for r in host_boot("a" * 32, "web-01", 0, end_s=60.0)
             if r.kind is not Kind.ARMED and r.kind is not Kind.STARTUP]
    records = short + host_boot("b" * 32, "web-01", 1)
    frame = boots.assemble(records, {})
    assert frame.reason.tolist()[0] == "ended-abruptly"
    assert frame.end.tolist() == ["abrupt", "open"]
    alone = boots.assemble(short, {})
    assert alone.reason.tolist() == ["log-too-short"] and alone.end.tolist() == ["open"]
    cut = host_boot("c" * 32, "web-01", 0, start=False) + host_boot("b" * 32, "web-01", 1)
    frame = boots.assemble(cut, {})
    assert frame.reason.tolist()[0] == "log-too-short"  # its start is not even in the log
    assert frame.end.tolist()[0] == "abrupt"


def test_an_empty_table_has_every_column():
    frame = boots.assemble([], {})
    assert frame.empty and list(frame.columns) == list(boots.COLUMNS)


# --- the kernel's first lines begin a boot (events.starts_boot), printk times -------------------

def _event(message: str) -> events.Event:
    event = events.classify("kernel", message)
    assert event is not None
    return event


def test_a_boots_first_kernel_lines_start_it_in_their_order():
    cgroup = _event("Initializing cgroup subsys cpuset")  # stage 0, repeats
    cpu = _event("Booting Linux on physical CPU 0x0000000000 [0x413fd0c1]")  # stage 1
    version = _event("Linux version 6.1 (x) #1")  # stage 2
    assert events.starts_boot(None, 2) is False
    assert events.starts_boot(events.classify("kdumpctl", LOAD), 2) is False  # not a first line
    assert events.starts_boot(version, None) is True
    assert events.starts_boot(cgroup, 2) is True  # back to an earlier stage: a new boot
    assert events.starts_boot(version, 2) is True  # the same stage again: a new boot
    assert events.starts_boot(cgroup, 0) is False  # a stage that repeats goes on
    assert events.starts_boot(version, 1) is False and events.starts_boot(cpu, 0) is False


def test_the_printk_time_of_a_syslog_kernel_line():
    assert events.printk_us("kernel", "[   60.912345] Linux version 6.1") == 60_912_345
    assert events.printk_us("kernel", "[1.5] x") == 1_500_000
    assert events.printk_us("kernel", "[1.123456789] x") == 1_123_456
    assert events.printk_us("kernel", "Linux version 6.1") is None
    assert events.printk_us("sshd", "[   60.912345] x") is None
    assert events.normalize("kernel", "[   60.912345] Linux version 6.1") == (
        "kernel", "Linux version 6.1")
    assert events.normalize("sshd", "[   60.912345] x") == ("sshd", "[   60.912345] x")
