"""Text outputs: year inference, zones, DST, separators, missing columns, locales."""

from __future__ import annotations

import math
import os
import re
import warnings
from datetime import datetime, timezone

import pandas as pd
import pytest

import bootlag
from tests.helpers import boots_at, rendered

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


def test_new_year_inside_a_boot_is_not_a_clock_jump(tmp_path):
    boots = boots_at("2024-12-31T23:59:50")
    path = rendered(tmp_path, boots, "short-precise")
    row = bootlag.scan(path, year=2025).iloc[0]
    # issue 11: kernel start from "Startup finished" (an estimate within 5 ms here)
    assert row.gap_kind == "estimate" and abs(row.gap_s - boots[0].gap_s) <= 0.005
    assert row.kernel_start.year == 2024 and row.armed_at.year == 2025


def test_feb_29_of_an_earlier_leap_year_is_found_without_a_year(tmp_path):
    boots = boots_at("2024-02-29T10:00:00")
    path = rendered(tmp_path, boots, "short")
    mtime = pd.Timestamp("2026-06-01", tz="UTC").timestamp()
    os.utime(path, (mtime, mtime))  # the year comes from the mtime: pinned, not today's
    with pytest.warns(bootlag.BootlagWarning) as caught:
        row = bootlag.scan(path).iloc[0]  # the file's mtime says 2026: no Feb 29 that year
    assert all("no year" in str(w.message) for w in caught)  # the year notice, nothing else
    assert (row.kernel_start.year, row.kernel_start.month, row.kernel_start.day) == (2024, 2, 29)


def test_year_rolls_back_when_a_file_returns_to_an_earlier_boot(tmp_path):
    a = boots_at("2024-12-31T10:00:00", "2025-01-02T10:00:00", host="a", seed=1)
    b = boots_at("2024-12-31T11:00:00", "2025-01-03T10:00:00", host="b", seed=2)
    path = rendered(tmp_path, a + b, "short")  # host a's boots, then host b's: not in time order
    frame = bootlag.scan(path, year=2025)
    starts = sorted(frame.kernel_start.dt.strftime("%Y-%m-%d"))
    assert starts == ["2024-12-31", "2024-12-31", "2025-01-02", "2025-01-03"]


@pytest.mark.parametrize("fmt", ["short", "short-precise", "short-full"])
def test_local_time_read_in_the_given_zone(tmp_path, fmt):
    boots = boots_at("2024-06-01T10:00:00")
    path = rendered(tmp_path, boots, fmt, tz="Asia/Tokyo")
    row = bootlag.scan(path, tz="Asia/Tokyo", year=2024).iloc[0]
    start = pd.Timestamp(boots[0].start_us, unit="us", tz="UTC")  # from "Startup finished"
    assert abs(row.kernel_start - start) < pd.Timedelta(seconds=1)


def test_dst_change_before_arming_leaves_a_local_gap_unknown(tmp_path):
    # 01:59:50 EST: the clocks go to 03:00 ten seconds into the boot.
    boots = boots_at("2024-03-10T06:59:50", mode="kdump")
    short = bootlag.scan(rendered(tmp_path, boots, "short-precise", tz="America/New_York"),
                         tz="America/New_York", year=2024).iloc[0]
    # issue 11: the local clock's jump lies before the arming, "Startup finished" after it
    # (and the zone is applied): the estimate stands; the first line's difference would not.
    assert short.gap_kind == "estimate" and abs(short.gap_s - boots[0].gap_s) <= 0.005
    first_line = (boots[0].real_us(boots[0].armed_entry) - boots[0].real_us(boots[0].first))
    assert abs(first_line / 1e6 - boots[0].gap_s) > 1
    boots[0].entries = [e for e in boots[0].entries
                        if "Startup finished" not in e.fields["MESSAGE"]]
    short = bootlag.scan(rendered(tmp_path, boots, "short-precise", tz="America/New_York",
                                  name="nosf"), tz="America/New_York", year=2024).iloc[0]
    assert math.isnan(short.gap_s) and "jumped" in short.note
    iso = bootlag.scan(rendered(tmp_path, boots, "short-iso-precise", tz="America/New_York",
                                name="iso")).iloc[0]
    armed, first = boots[0].armed_entry, boots[0].first
    assert iso.gap_s == pytest.approx((boots[0].real_us(armed) - boots[0].real_us(first)) / 1e6)
    assert 0 < iso.gap_s < 60 and iso.gap_kind == "lower-bound"


def test_interleaved_hosts_are_told_apart_by_boot_separators(tmp_path):
    a = boots_at("2024-05-01T10:00:00", "2024-05-01T11:00:00", host="a", seed=1, mode="kdump")
    b = boots_at("2024-05-01T10:00:05", host="b", seed=2, mode="early-kdump")
    path = rendered(tmp_path, a + b, "short-monotonic", interleave=True)
    assert path.read_text().count("-- Boot ") >= 3  # journalctl marks every change of boot
    frame = bootlag.scan(path)
    assert sorted(frame.host) == ["a", "a", "b"]
    for boot in a + b:
        rows = frame[frame.boot_id == boot.boot_id]
        assert rows.gap_s.iloc[0] == pytest.approx(boot.gap_s, abs=1e-6)
    assert frame.gap_s.notna().all()


def test_old_reboot_separators_and_no_hostname(tmp_path):
    boots = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00")
    path = rendered(tmp_path, boots, "short-monotonic", extra=("--no-hostname",))
    text = path.read_text()
    assert " h1 " not in text
    old = tmp_path / "old.log"
    old.write_text(re.sub(r"-- Boot [0-9a-f]{32} --", "-- Reboot --", text))
    frame = bootlag.scan(old)
    assert list(frame.host) == ["old", "old"]  # no hostname column: named after the file
    assert list(frame.gap_s) == pytest.approx([b.gap_s for b in boots], abs=1e-6)


def test_no_separators_kernel_start_splits_boots(tmp_path):
    boots = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00", "2024-05-03T10:00:00")
    path = rendered(tmp_path, boots, "short-iso-precise", extra=("--quiet",))
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not line.startswith("-- ")))
    assert len(bootlag.scan(path)) == 3


@pytest.mark.parametrize("month", ["Dez", "dic", "déc.", "12月", "дек"])
def test_localized_month_names(tmp_path, month):
    boots = boots_at("2024-12-20T10:00:00")
    path = rendered(tmp_path, boots, "short-precise")
    path.write_text(path.read_text().replace("Dec ", f"{month} "))
    row = bootlag.scan(path, year=2024, errors="raise").iloc[0]
    assert row.kernel_start.month == 12 and row.status == "armed"


def test_syslog_file_with_space_padded_day(tmp_path):
    log = tmp_path / "messages"
    log.write_text(
        "Feb  8 10:27:30 srv kernel: Linux version 4.18.0-513.el8.x86_64 (mockbuild@x) #1 SMP\n"
        "Feb  8 10:27:31 srv systemd[1]: Starting Crash recovery kernel arming...\n"
        "Feb  8 10:27:40 srv kdumpctl[940]: kdump: kexec: loaded kdump kernel\n")
    row = bootlag.scan(log, year=2024).iloc[0]
    assert (row.gap_s, row.clock, row.host) == (10.0, "realtime", "srv")


@pytest.mark.parametrize("offset", ["+0900", "+09:00"])  # journalctl <= v254, >= v255
def test_short_iso_offsets_with_and_without_colon(offset):
    text = (f"2024-06-01T19:00:02{offset} h kernel: Linux version 5.14.0 (x) #1\n"
            f"2024-06-01T19:00:12{offset} h kdumpctl[9]: kdump: kexec: loaded kdump kernel\n")
    from bootlag.boots import assemble
    from bootlag.formats import read_bytes

    records, info = read_bytes(text.encode(), "iso")
    row = assemble(records, {"iso": info}).iloc[0]
    assert (row.kernel_start.hour, row.gap_s, row.clock) == (10, 10.0, "realtime")


_YEARLESS = ("Oct 29 14:25:19 ip-10-0-1-10 kernel: Linux version 5.14.0-284.11.1.el9_2.x86_64\n"
             "Oct 29 14:25:29 ip-10-0-1-10 kdumpctl[939]: kdump: kexec: loaded kdump kernel\n")


def test_the_year_assumed_for_short_text_is_said_once_per_file(tmp_path):
    """A 2024 journal copied today reads as 2024 only because its mtime says so: say it."""
    path = tmp_path / "copied.log"
    path.write_text(_YEARLESS * 3)
    mtime = datetime(2024, 11, 2, tzinfo=timezone.utc).timestamp()
    os.utime(path, (mtime, mtime))
    with pytest.warns(bootlag.BootlagWarning) as caught:
        frame = bootlag.scan(path)
    said = [str(w.message) for w in caught if "no year" in str(w.message)]
    assert len(said) == 1 and "2024" in said[0] and "--year" in said[0]
    assert said[0].startswith(str(path))
    assert set(frame.kernel_start.dt.year) == {2024}


@pytest.mark.parametrize("how", ["--year", "header"])
def test_no_year_notice_when_the_year_is_known(tmp_path, how):
    path = tmp_path / "known.log"
    header = ("-- Logs begin at Tue 2023-10-03 10:00:00 UTC, end at Sun 2023-10-29 14:30:00 UTC."
              " --\n")
    path.write_text((header if how == "header" else "") + _YEARLESS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", bootlag.BootlagWarning)
        frame = bootlag.scan(path, year=2023 if how == "--year" else None)
    assert frame.kernel_start.dt.year.tolist() == [2023]
