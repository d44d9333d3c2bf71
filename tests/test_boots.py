"""Boot assembly: merging sources, clock rules and statuses."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

import bootlag
from bootlag import synth
from tests.helpers import boots_at, rendered

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


def test_boot_split_across_rotated_files_is_one_row(tmp_path):
    boot = boots_at("2024-05-01T10:00:00")[0]
    half = len(boot.entries) // 2
    early = synth.Boot(**{**boot.__dict__, "entries": boot.entries[:half]})
    late = synth.Boot(**{**boot.__dict__, "entries": boot.entries[half:]})
    (tmp_path / "a.export").write_bytes(synth.to_export([early]))
    (tmp_path / "b.export").write_bytes(synth.to_export([late]))
    frame = bootlag.scan(tmp_path)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6)
    assert row.source.count(";") == 1 and row.start_logged


def test_same_journal_collected_twice_counts_once(tmp_path):
    boots = boots_at("2024-05-01T10:00:00", "2024-05-03T10:00:00")
    path = rendered(tmp_path, boots, "json")
    copy = tmp_path / "copy.json"
    copy.write_bytes(path.read_bytes())
    frame = bootlag.scan([path, copy])
    assert len(frame) == 2 and list(frame.loads) == [1, 1]


def test_cut_start_keeps_the_monotonic_gap_but_not_a_wall_clock_one(tmp_path):
    boot = boots_at("2024-05-01T10:00:00", drop_start=True)[0]
    assert boot.armed_entry in boot.entries  # the arming survived the cut
    exact = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert exact.gap_s == pytest.approx(boot.gap_s, abs=1e-6) and not exact.start_logged
    wall = bootlag.scan(rendered(tmp_path, [boot], "short-iso", name="iso")).iloc[0]
    # issue 11: "Startup finished" survived the cut, so the wall clock gives an estimate
    assert wall.gap_kind == "estimate" and abs(wall.gap_s - boot.gap_s) <= 1.0
    boot.entries = [e for e in boot.entries if "Startup finished" not in e.fields["MESSAGE"]]
    wall = bootlag.scan(rendered(tmp_path, [boot], "short-iso", name="nosf")).iloc[0]
    assert wall.gap_kind == "lower-bound" and wall.gap_s <= boot.gap_s + wall.gap_error_s
    assert "start is not in the log" in wall.note


def test_kernel_entries_with_a_zero_boot_id_stay_in_their_boot(tmp_path):
    boot = boots_at("2024-05-01T10:00:00")[0]
    data = synth.to_export([boot]).replace(
        f"_BOOT_ID={boot.boot_id}\n_TRANSPORT=kernel".encode(),
        b"_BOOT_ID=00000000000000000000000000000000\n_TRANSPORT=kernel")
    assert data.count(b"_BOOT_ID=" + b"0" * 32) > 2
    path = tmp_path / "zero.export"
    path.write_bytes(data)
    frame = bootlag.scan(path)
    assert len(frame) == 1 and frame.iloc[0].kernel.startswith("5.14")
    assert frame.iloc[0].start_logged


def test_old_json_layout_and_byte_array_values(tmp_path):
    boot = boots_at("2024-05-01T10:00:00")[0]
    path = rendered(tmp_path, [boot], "json")
    lines = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        message = entry.get("MESSAGE")
        if isinstance(message, str) and "kdump" in message:
            entry["MESSAGE"] = list(message.encode())  # journalctl's form for unprintable text
        lines.append(json.dumps(entry, separators=(", ", " : ")))  # v219-v239 spacing
    old = tmp_path / "old.json"
    old.write_text("\n".join(lines) + "\n")
    row = bootlag.scan(old).iloc[0]
    assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6) and row.status == "armed"


def test_early_kdump_line_missing_but_kdumpctl_found_it_loaded(tmp_path):
    boot = boots_at("2024-05-01T10:00:00", mode="early-kdump")[0]
    boot.entries = [e for e in boot.entries if "loaded early-kdump" not in e.fields["MESSAGE"]]
    row = bootlag.scan(rendered(tmp_path, [boot], "export")).iloc[0]
    assert (row.status, row["mode"]) == ("armed", "early-kdump")
    assert math.isnan(row.gap_s) and "already loaded" in row.note


def test_every_boot_has_a_row_whatever_its_status(tmp_path):
    boots = (boots_at("2024-05-01T10:00:00", outcome="failed", seed=1)
             + boots_at("2024-05-02T10:00:00", mode="none", seed=2)
             + boots_at("2024-05-03T10:00:00", mode="early-kdump", seed=3))
    frame = bootlag.scan(rendered(tmp_path, boots, "json"))
    assert list(frame.status) == ["failed", "not-armed", "armed"]
    assert list(frame["mode"]) == ["none", "none", "early-kdump"]
    assert "failed to load" in frame.failure.iloc[0]
    assert frame.rd_earlykdump.tolist() == [False, False, True]


def test_early_kdump_configured_but_not_in_the_initramfs_is_plain_kdump(tmp_path):
    """rd.earlykdump with no earlykdump module: kdumpctl arms late; an early load that
    fails (and kdumpctl after it) is a failed boot."""
    boots = (boots_at("2024-05-01T10:00:00", mode="early-kdump", early_module=False)
             + boots_at("2024-05-02T10:00:00", mode="early-kdump", outcome="failed", seed=6))
    assert [(b.mode, b.status, b.rd_earlykdump) for b in boots] == [
        ("kdump", "armed", True), ("none", "failed", True)]
    frame = bootlag.scan(rendered(tmp_path, boots, "json"))
    assert frame["mode"].tolist() == ["kdump", "none"]
    assert frame.status.tolist() == ["armed", "failed"]
    assert frame.loader.iloc[0] == "kdumpctl" and pd.isna(frame.loader.iloc[1])
    assert frame.gap_s.iloc[0] == pytest.approx(boots[0].gap_s, abs=1e-6)
    assert frame.rd_earlykdump.tolist() == [True, True]
    assert frame.early_kdump_enabled.isna().iloc[0] and frame.early_kdump_enabled.iloc[1]
    assert "early-kdump kernel" in frame.failure.iloc[1]


def test_early_kdump_start_and_the_service_verdict_in_seconds(tmp_path):
    boots = (boots_at("2024-05-01T10:00:00", mode="early-kdump", seed=3)
             + boots_at("2024-05-02T10:00:00", seed=4))

    def when(b: synth.Boot, text: str) -> float:
        return next(e.mono_us for e in b.entries if text in e.fields["MESSAGE"]) / 1e6

    for fmt in ("json", "short-monotonic"):
        frame = bootlag.scan(rendered(tmp_path, boots, fmt, name=fmt))
        early, late = frame.iloc[0], frame.iloc[1]
        assert early.early_enabled_s == pytest.approx(when(boots[0], "early-kdump is enabled"),
                                                      abs=1e-6)
        assert early.service_s == pytest.approx(when(boots[0], "Kdump already running"),
                                                abs=1e-6)
        assert early.early_enabled_s < early.gap_s < early.service_s
        assert math.isnan(late.early_enabled_s) and late.service_s == late.gap_s
    text = bootlag.scan(rendered(tmp_path, boots, "short-iso", name="iso"))
    assert text[["early_enabled_s", "service_s"]].isna().all().all()  # no monotonic clock


def test_columns_are_documented():
    boots = bootlag.scan([])
    assert list(boots.columns) == list(bootlag.COLUMNS)
    assert boots.empty


def test_log_cut_before_arming_could_happen_is_unknown_not_unarmed(tmp_path):
    boot = boots_at("2024-05-01T10:00:00", mode="kdump")[0]
    boot.entries = [e for e in boot.entries if e.mono_us < boot.gap_s * 1e6 - 1e6]
    row = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert row.status == "unknown" and "log ends" in row.note
    assert row.log_span_s < boot.gap_s


def test_parallel_scan_gives_the_same_table():
    samples = __import__("pathlib").Path(__file__).resolve().parent.parent / "sample_logs"
    serial = bootlag.scan(samples, jobs=1)
    parallel = bootlag.scan(samples, jobs=2)
    assert len(serial) == 84
    assert serial.to_csv() == parallel.to_csv()


def test_text_first_boot_merges_with_json_and_with_a_copy(tmp_path):
    boots = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00", "2024-05-03T10:00:00")
    text = rendered(tmp_path, boots, "short-iso")
    json_ = rendered(tmp_path, boots, "json", name="j")
    both = bootlag.scan([text, json_])
    assert sorted(both.boot_id) == sorted(b.boot_id for b in boots)
    assert (both.clock == "monotonic").all() and both.source.str.contains(";").all()
    copy = tmp_path / "copy.short-iso"
    copy.write_bytes(text.read_bytes())
    twice = bootlag.scan([text, copy])
    assert len(twice) == 3 and list(twice.loads) == [1, 1, 1]


def test_gap_clock_is_the_arming_message_clock(tmp_path):
    """Kernel lines from json, the arming only in wall-clock text: the gap is a lower bound."""
    boots = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00")
    kernel_json = rendered(tmp_path, boots, "json", extra=("-k",))
    text = rendered(tmp_path, boots, "short-iso-precise", name="t")
    frame = bootlag.scan([kernel_json, text])
    row = frame[frame.boot_id == boots[1].boot_id].iloc[0]  # named by a text separator too
    assert row.clock == "realtime" and row.gap_s < boots[1].gap_s
    assert row.kernel_start == pd.Timestamp(boots[1].start_us, unit="us", tz="UTC")


def test_two_different_boots_of_two_text_files_are_not_joined(tmp_path):
    one = rendered(tmp_path, boots_at("2024-05-01T10:00:00", seed=1), "short-iso", name="a")
    two = rendered(tmp_path, boots_at("2024-05-09T10:00:00", seed=2), "short-iso", name="b")
    assert len(bootlag.scan([one, two])) == 2
