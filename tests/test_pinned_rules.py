"""Rules a mutation audit found untested (issue 10), each pinned end to end.

Each boot comes from `bootlag.synth` with known truth and is written and printed by the
real systemd tools (`tests.helpers.rendered`), or, for the text header, written by hand.
Every assert is against the generator's truth (or the lines written), never against
another scan.
"""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

import bootlag
from bootlag import synth
from bootlag.boots import assemble
from bootlag.formats import ReadOptions, read_bytes
from tests.helpers import boots_at, rendered, utc_us

WALL = "short-iso-precise"  # a wall-clock format with every digit: gaps are lower bounds


def stepped_boot(step_s: float, *, keep_step_lines: bool = True, startup: bool = False,
                 seed: int = 11) -> synth.Boot:
    """A boot whose wall clock is `step_s` wrong until a step before arming. Without
    `startup` its "Startup finished" line is left out, so a wall-clock gap can only count
    from the first line (the rule under test); with it, the gap is an estimate from it."""
    boot = synth.make_boot(random.Random(seed), "h1", utc_us("2024-05-01T10:00:00"),
                           clock_step_s=step_s, decoys=False, filler=12)
    steps = [e for e in boot.entries if e.fields["MESSAGE"].startswith("System clock")]
    assert steps and all(e.mono_us < boot.gap_s * 1e6 for e in steps)  # before arming
    if not keep_step_lines:
        boot.entries = [e for e in boot.entries if e not in steps]
    if not startup:
        boot.entries = [e for e in boot.entries
                        if not e.fields["MESSAGE"].startswith("Startup finished")]
    return boot


def wall_lower_bound(boot: synth.Boot) -> float:
    """The wall-clock gap a correct reading of unstepped text gives: from the boot's first
    line (journald's start) to the arming, both on the same clock."""
    assert boot.armed_entry is not None
    return (boot.armed_entry.mono_us - boot.first.mono_us) / 1e6


# --- chrony/timesyncd steps --------------------------------------------------------------------

@pytest.mark.systemd  # written and printed by systemd's tools
def test_a_small_step_before_arming_voids_a_gap_from_the_first_line(tmp_path):
    """+5 s is far below the 900 s jump rule: only the step rule refuses the difference
    (which would count the step: a "lower bound" above the true gap)."""
    boot = stepped_boot(5.0)
    row = bootlag.scan(rendered(tmp_path, [boot], WALL)).iloc[0]
    assert (row.status, row["mode"], row.clock) == ("armed", "kdump", "realtime")
    assert math.isnan(row.gap_s)
    assert "stepped" in row.note and "jumped" not in row.note
    exact = bootlag.scan(rendered(tmp_path, [boot], "json", name="j")).iloc[0]
    assert exact.gap_s == pytest.approx(boot.gap_s, abs=1e-6)  # the monotonic clock is immune


@pytest.mark.systemd  # written and printed by systemd's tools
def test_a_small_step_is_allowed_for_in_a_startup_finished_estimate(tmp_path):
    """With systemd's "Startup finished" after the arming and no step between them, the
    estimate holds the truth within its error bound (not 5 s off)."""
    boot = stepped_boot(5.0, startup=True)
    row = bootlag.scan(rendered(tmp_path, [boot], WALL)).iloc[0]
    assert row.gap_kind == "estimate" and row.gap_error_s < 0.1
    assert abs(row.gap_s - boot.gap_s) <= row.gap_error_s + 1e-9


@pytest.mark.systemd  # written and printed by systemd's tools
def test_a_step_after_arming_keeps_the_gap_from_the_first_line(tmp_path):
    boot = stepped_boot(5.0)
    armed_us = boot.armed_entry.mono_us
    for n, e in enumerate(e for e in boot.entries if e.fields["MESSAGE"].startswith("System c")):
        e.mono_us = armed_us + 2_000_000 + n  # the step comes after the arming
    for e in boot.entries:  # the wall clock is wrong until the step, right after it
        e.real_offset_us = -5_000_000 if e.mono_us < armed_us + 2_000_000 else 0
    boot.entries.sort(key=lambda e: e.mono_us)
    row = bootlag.scan(rendered(tmp_path, [boot], WALL)).iloc[0]
    assert row.gap_s == pytest.approx(wall_lower_bound(boot), abs=1e-6)
    assert row.gap_s <= boot.gap_s and row.gap_kind == "lower-bound" and pd.isna(row.note)


@pytest.mark.systemd  # written and printed by systemd's tools
def test_a_backward_jump_without_a_step_line_voids_a_gap_from_the_first_line(tmp_path):
    """The clock set back 60 s (an RTC fix nobody logged): only the backward-jump rule
    (more than 2 s back) sees it; the difference would be 60 s short."""
    boot = stepped_boot(-60.0, keep_step_lines=False)
    row = bootlag.scan(rendered(tmp_path, [boot], WALL)).iloc[0]
    assert row.status == "armed" and math.isnan(row.gap_s)
    assert "the wall clock jumped -5" in row.note  # -60 s, less the 2 s between the lines


@pytest.mark.systemd  # written and printed by systemd's tools
def test_a_one_second_disorder_is_not_a_jump(tmp_path):
    boot = stepped_boot(-1.0, keep_step_lines=False)
    row = bootlag.scan(rendered(tmp_path, [boot], WALL)).iloc[0]
    # the first line was stamped 1 s ahead, the arming (after the fix) right: 1 s short
    assert row.gap_s == pytest.approx(wall_lower_bound(boot) - 1.0, abs=1e-6)


# --- "Kdump already running" and rd.earlykdump ----------------------------------------------

def _without(boot: synth.Boot, *texts: str) -> synth.Boot:
    boot.entries = [e for e in boot.entries if not any(t in e.fields["MESSAGE"] for t in texts)]
    return boot


@pytest.mark.systemd  # written and printed by systemd's tools
def test_kdump_already_running_is_early_kdump_by_the_command_line_alone(tmp_path):
    """Neither early kdump's load nor its "is enabled" line was logged: the command line's
    rd.earlykdump says who loaded the crash kernel that kdumpctl found."""
    boot = _without(boots_at("2024-05-01T10:00:00", mode="early-kdump")[0],
                    "loaded early-kdump", "early-kdump is enabled")
    assert boot.rd_earlykdump and boot.mode == "early-kdump"
    row = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert (row.status, row["mode"], row.loader) == ("armed", boot.mode, "early-kdump")
    assert row.rd_earlykdump and pd.isna(row.early_kdump_enabled)
    assert math.isnan(row.gap_s) and "already loaded" in row.note


@pytest.mark.systemd  # written and printed by systemd's tools
def test_kdump_already_running_without_rd_earlykdump_is_of_unknown_mode(tmp_path):
    boot = boots_at("2024-05-01T10:00:00", mode="kdump")[0]
    assert not boot.rd_earlykdump
    for e in boot.entries:
        if e.fields.get("_TEST_ARMED"):
            e.fields["MESSAGE"] = "kdump: Kdump already running: [WARNING]"
    row = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert (row.status, row["mode"]) == ("armed", "unknown") and pd.isna(row.loader)
    assert row.rd_earlykdump is False or not row.rd_earlykdump


@pytest.mark.systemd  # written and printed by systemd's tools
def test_rd_earlykdump_0_is_off(tmp_path):
    boot = _without(boots_at("2024-05-01T10:00:00", mode="early-kdump")[0],
                    "loaded early-kdump", "early-kdump is enabled")
    for e in boot.entries:
        if e.fields["MESSAGE"].startswith("Command line:"):
            e.fields["MESSAGE"] = e.fields["MESSAGE"].replace("rd.earlykdump", "rd.earlykdump=0")
    row = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert not row.rd_earlykdump
    assert (row.status, row["mode"]) == ("armed", "unknown")  # not early kdump's, then


# --- one boot, two formats -----------------------------------------------------------------

@pytest.mark.systemd  # written and printed by systemd's tools
def test_a_boot_read_from_json_and_from_text_counts_its_loads_once(tmp_path):
    boots = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00", "2024-05-03T10:00:00")
    for boot in boots:  # and an unload after the arming, to count once too
        armed = boot.armed_entry
        boot.entries.append(synth.Entry(armed.mono_us + 3_000_000, {
            **armed.fields, "MESSAGE": "kdump: kexec: unloaded kdump kernel", "_TEST_ARMED": ""}))
        boot.entries.sort(key=lambda e: e.mono_us)
    text = rendered(tmp_path, boots, WALL)
    json_ = rendered(tmp_path, boots, "json", name="j")
    frame = bootlag.scan([text, json_]).set_index("boot_id")
    assert sorted(frame.index) == sorted(b.boot_id for b in boots)
    for boot in boots:
        row = frame.loc[boot.boot_id]
        assert (row.loads, row.unloads) == (1, 1)
        assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6) and row.clock == "monotonic"


# --- service_s: the kdump service's verdict, not early kdump's -----------------------------

@pytest.mark.systemd  # written and printed by systemd's tools
def test_an_early_kdump_failure_does_not_set_service_s(tmp_path):
    """Regression (issue 10): dracut-cmdline's "kdump: No memory reserved for crash kernel"
    at 1.2 s gave service_s = 1.2, as if kdumpctl had answered then."""
    boot = boots_at("2024-05-01T10:00:00", mode="kdump")[0]
    initrd = next(e for e in boot.entries
                  if e.fields["MESSAGE"].endswith("early-kdump is disabled."))
    boot.entries.append(synth.Entry(1_200_000, {
        **initrd.fields, "MESSAGE": "kdump: No memory reserved for crash kernel"}))
    boot.entries.sort(key=lambda e: e.mono_us)
    row = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert row.service_s == pytest.approx(boot.gap_s, abs=1e-6)  # kdumpctl's arming
    assert row.failures_s == pytest.approx([1.2])
    assert (row.status, row["mode"]) == ("armed", "kdump")


# --- the "-- Logs begin at" header anchors year-less text ------------------------------------

HEADER = "-- Logs begin at Mon 2019-12-30 09:00:00 UTC, end at Wed 2020-01-01 00:00:30 UTC. --\n"
SHORT = ("Dec 31 23:59:50 h1 kernel: Linux version 5.14.0 (x) #1\n"
         "Dec 31 23:59:58 h1 kdumpctl[9]: kdump: kexec: loaded kdump kernel\n"
         "Jan 01 00:00:30 h1 systemd[1]: Startup finished in 1.000s (kernel) + 2.000s (initrd)"
         " + 30.000s (userspace) = 33.000s.\n")
MTIME_2026 = pd.Timestamp("2026-06-01", tz="UTC").timestamp()


def _scan_text(text: str, **options) -> pd.Series:
    records, info = read_bytes(text.encode(), "t.log", ReadOptions(mtime=MTIME_2026, **options))
    return assemble(records, {"t.log": info}).iloc[0]


@pytest.mark.parametrize("header", [
    HEADER, "-- Journal begins at Mon 2019-12-30 09:00:00 UTC, ends at Wed 2020-01-01 "
            "00:00:30 UTC. --\n"])
def test_the_logs_begin_header_names_the_year_of_year_less_text(header):
    """The header's *end* year is the last line's: the boot starts on 31 December 2019."""
    row = _scan_text(header + SHORT)
    assert row.kernel_start == pd.Timestamp("2019-12-31T23:59:50", tz="UTC")
    assert row.armed_at == pd.Timestamp("2019-12-31T23:59:58", tz="UTC")
    assert row.gap_s == 8.0


def test_without_the_header_the_year_comes_from_the_files_mtime():
    assert _scan_text(SHORT).kernel_start == pd.Timestamp("2025-12-31T23:59:50", tz="UTC")


def test_a_given_year_wins_over_the_header():
    row = _scan_text(HEADER + SHORT, year=2023)
    assert row.kernel_start == pd.Timestamp("2022-12-31T23:59:50", tz="UTC")
