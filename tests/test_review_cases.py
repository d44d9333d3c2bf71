"""Cases a review found: each once showed a wrong number or lost a boot."""

from __future__ import annotations

import math

import pytest

import bootlag
from bootlag.boots import assemble
from bootlag.formats import ReadOptions, read_bytes
from tests.helpers import boots_at, rendered

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


def scan_text(text: str, **options):
    records, info = read_bytes(text.encode(), "t.log", ReadOptions(**options))
    return assemble(records, {"t.log": info})


def mono_lines(start: float, stop: float, step: float, message: str = "tick") -> str:
    t, out = start, []
    while t < stop:
        out.append(f"[{t:12.6f}] h filler[5]: {message}\n")
        t += step
    return "".join(out)


def test_boot_without_separator_or_kernel_lines_is_not_lost_to_skimming():
    text = ("[    0.000000] h kernel: Linux version 5.14.0 (x) #1\n"
            + mono_lines(1, 199, 0.5)
            + mono_lines(0.5, 150, 0.5)  # a second boot: the clock starts again, no kernel line
            + "[  150.500000] h kdumpctl[9]: kdump: kexec: loaded kdump kernel\n")
    frame = scan_text(text)
    assert len(frame) == 2
    assert frame.status.tolist()[0] != "armed"
    assert frame.gap_s.tolist()[1] == pytest.approx(150.5)


def test_filtered_output_of_one_host_keeps_its_boots_apart(tmp_path):
    boots = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00")
    path = rendered(tmp_path, boots, "short-monotonic", extra=("-t", "kdumpctl", "-t", "systemd"))
    frame = bootlag.scan(path)
    assert len(frame) == 2 and list(frame.loads) == [1, 1]


def test_a_silence_across_new_year_is_a_new_year():
    text = ("Oct 10 10:00:00 h kernel: Linux version 5.14.0 (x) #1\n"
            "Oct 10 10:00:05 h kdumpctl[9]: kdump: kexec: loaded kdump kernel\n"
            "Jan 05 10:00:00 h kernel: Linux version 5.14.0 (x) #1\n"
            "Jan 05 10:00:05 h kdumpctl[9]: kdump: kexec: loaded kdump kernel\n"
            "Mar 05 10:00:00 h kernel: Linux version 5.14.0 (x) #1\n")
    frame = scan_text(text, year=2025)
    assert frame.kernel_start.dt.year.tolist() == [2024, 2025, 2025]


@pytest.mark.parametrize(("tz", "known"), [(None, False), ("Europe/Berlin", False),
                                          ("Asia/Tokyo", True)])
def test_short_full_zone_must_agree_with_the_zone_it_is_read_in(tz, known):
    text = ("Sat 2024-06-01 19:00:02 JST h kernel: Linux version 5.14.0 (x) #1\n"
            "Sat 2024-06-01 19:00:12 JST h kdumpctl[9]: kdump: kexec: loaded kdump kernel\n")
    row = scan_text(text, tz=tz).iloc[0]
    assert row.gap_s == 10.0
    if known:
        assert row.kernel_start.hour == 10  # 19:00 JST
    else:
        assert str(row.kernel_start) == "NaT" and "--tz" in row.note


def test_mixed_clock_lines_in_one_file_do_not_crash():
    text = ("[    0.000000] h kernel: Linux version 5.14.0 (x) #1\n"
            "2024-06-01T10:00:12+00:00 h kdumpctl[9]: kdump: kexec: loaded kdump kernel\n")
    frame = scan_text(text)
    assert len(frame) == 1


@pytest.mark.parametrize(("line", "fmt", "skipped"), [
    ('{"__REALTIME_TIMESTAMP":"99999999999999999999","__MONOTONIC_TIMESTAMP":"5",'
     '"_BOOT_ID":"0123456789abcdef0123456789abcdef","MESSAGE":"x"}\n', "json", {}),
    # a line of journal text first, so the sniffer takes the file for text and the reader
    # meets the absurd number (alone, such a file is refused as not a journal)
    ("[    0.000000] h kernel: Linux version 6.1\n[" + "9" * 5000 + ".000000] h x[1]: y\n",
     "short-monotonic", {"not a journal line (skipped)": [2]}),
    ("1735689600.000000 h kernel: Linux version 6.1\n" + "9" * 5000 + ".000000 h x[1]: y\n",
     "short-unix", {"not a journal line (skipped)": [2]}),
    ("[    0.000000] h kernel: Linux version 6.1\n[999999999999.999999] h x[1]: y\n",
     "short-monotonic", {}),
], ids=["realtime-overflow", "monotonic-digits", "unix-digits", "monotonic-12-digits"])
def test_absurd_numbers_are_not_crashes(line, fmt, skipped):
    records, info = read_bytes(line.encode(), "x")  # read, not refused
    assert info.format == fmt and info.skipped == skipped
    frame = assemble(records, {"x": info})
    assert len(frame) == 1
    assert frame.kernel_start.isna().all() or frame.kernel_start.dt.year.max() < 3200
    assert math.isnan(frame.gap_s.iloc[0])
