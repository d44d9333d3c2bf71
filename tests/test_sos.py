"""sosreports, as directories and as tarballs read in place, with sos's real file names."""

from __future__ import annotations

import math
import os
import tarfile
from pathlib import Path

import pytest

import bootlag
from bootlag import synth
from tests.helpers import boots_at, rendered

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

ZONE = "Asia/Tokyo"


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """Three boots of web-01, the last in January 2025, as `journalctl` prints them in Tokyo."""
    tmp = tmp_path_factory.mktemp("sos")
    boots = boots_at("2024-12-20T10:00:00", "2024-12-28T10:00:00", "2025-01-10T10:00:00",
                     host="web-01", mode="kdump")
    short = rendered(tmp, boots, "short", tz=ZONE).read_bytes()
    export = synth.to_export(boots)
    return boots, short, export


def make_sos(root: Path, short: bytes, *, tailed: bool, export: bytes | None = None) -> Path:
    """A sosreport tree with the names sos 4.x writes (docs/formats.md, sosreports)."""
    sos = root / "sosreport-web-01-2025-01-20-kdzqbfs"
    logs = sos / "sos_commands" / "logs"
    logs.mkdir(parents=True)
    (sos / "sos_commands" / "systemd").mkdir()
    (sos / "sos_commands" / "systemd" / "timedatectl").write_text(
        "               Local time: Mon 2025-01-20 19:00:00 JST\n"
        f"                Time zone: {ZONE} (JST, +0900)\n")
    (sos / "sos_commands" / "date").mkdir()
    (sos / "sos_commands" / "date" / "date").write_text("Mon Jan 20 19:00:00 JST 2025\n")
    os.symlink("sos_commands/date/date", sos / "date")
    (sos / "hostname").write_text("web-01\n")
    (sos / "var" / "log").mkdir(parents=True)
    (sos / "var" / "log" / "messages").write_bytes(short)  # the same lines again: not read
    lines = short.splitlines(keepends=True)
    this_boot = b"".join(lines[max(i for i, x in enumerate(lines) if x.startswith(b"-- ")) + 1:])
    (logs / "journalctl_--no-pager_--boot").write_bytes(this_boot)
    if tailed:  # sos kept the newest lines only, in sos_strings, and links the usual name to them
        (sos / "sos_strings" / "logs").mkdir(parents=True)
        tail = sos / "sos_strings" / "logs" / "journalctl_--no-pager.tailed"
        tail.write_bytes(b"".join(lines[len(lines) // 4:]))
        os.symlink("../../sos_strings/logs/journalctl_--no-pager.tailed",
                   logs / "journalctl_--no-pager")
    else:
        (logs / "journalctl_--no-pager").write_bytes(short)
    if export is not None:
        (logs / "journalctl_-o_export").write_bytes(export)
    return sos


def check_full(frame, boots):
    assert list(frame.host) == ["web-01"] * 3
    for row, boot in zip(frame.itertuples(), boots, strict=True):
        # year and zone came from the report; kernel start from "Startup finished" (issue 11)
        assert abs(row.kernel_start.value // 1000 - boot.start_us) <= 1_000_000
        assert row.gap_kind == "estimate" and abs(row.gap_s - boot.gap_s) <= 1.0


def test_sos_directory_reads_the_whole_journal_once(tmp_path, journal):
    boots, short, _ = journal
    sos = make_sos(tmp_path, short, tailed=False)
    frame = bootlag.scan(tmp_path, errors="raise")
    check_full(frame, boots)
    assert set(frame.source) == {str(sos / "sos_commands/logs/journalctl_--no-pager")}
    assert set(frame.text_tz) == {ZONE}


def test_tailed_journal_marks_its_oldest_boot_unknown(tmp_path, journal):
    _, short, _ = journal
    make_sos(tmp_path, short, tailed=True)
    frame = bootlag.scan(tmp_path, errors="raise")
    assert len(frame) == 3
    oldest = frame.iloc[0]
    assert not oldest.start_logged and math.isnan(oldest.gap_s)
    assert "start is not in the log" in oldest.note
    assert frame.gap_s.iloc[1:].notna().all()


@pytest.mark.parametrize("mode", ["w:xz", "w:gz", "w"])
def test_tarball_is_read_in_place(tmp_path, journal, mode):
    boots, short, _ = journal
    sos = make_sos(tmp_path / "tree", short, tailed=False)
    archive = tmp_path / f"{sos.name}.tar{'.' + mode[2:] if ':' in mode else ''}"
    with tarfile.open(archive, mode) as tar:
        tar.add(sos, arcname=sos.name)
    frame = bootlag.scan(archive, errors="raise")
    check_full(frame, boots)
    assert frame.source.iloc[0].endswith(":sosreport-web-01-2025-01-20-kdzqbfs/"
                                         "sos_commands/logs/journalctl_--no-pager")


def test_tarball_with_a_tailed_symlink(tmp_path, journal):
    _, short, _ = journal
    sos = make_sos(tmp_path / "tree", short, tailed=True)
    archive = tmp_path / "sos.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(sos, arcname=sos.name)
    frame = bootlag.scan(archive, errors="raise")
    assert len(frame) == 3 and not frame.start_logged.iloc[0]


def test_export_is_preferred_and_agrees_with_scanning_it_alone(tmp_path, journal):
    boots, short, export = journal
    make_sos(tmp_path / "tree", short, tailed=True, export=export)
    alone = tmp_path / "alone.export"
    alone.write_bytes(export)
    from_sos = bootlag.scan(tmp_path / "tree", errors="raise")
    direct = bootlag.scan(alone)
    assert list(from_sos.boot_id) == list(direct.boot_id) == [b.boot_id for b in boots]
    truth = [b.gap_s for b in boots]
    assert all(g is not None for g in truth)
    assert from_sos.gap_s.tolist() == pytest.approx(truth, abs=1e-6)
    assert direct.gap_s.tolist() == pytest.approx(truth, abs=1e-6)
    assert (from_sos.clock == "monotonic").all() and (from_sos.status == "armed").all()


def test_link_out_of_the_report_is_not_followed(tmp_path, journal):
    _, short, _ = journal
    outside = tmp_path / "secret.log"
    outside.write_bytes(short)
    sos = make_sos(tmp_path / "tree", short, tailed=False)
    target = sos / "sos_commands/logs/journalctl_--no-pager"
    target.unlink()
    os.symlink(outside, target)
    assert bootlag.scan(tmp_path / "tree").source.str.contains("_--boot").all()


def test_broken_tarball_is_a_warning_and_other_inputs_are_read(tmp_path, journal):
    _, short, _ = journal
    bad = tmp_path / "broken.tar.gz"
    bad.write_bytes(b"\x1f\x8b" + b"garbage" * 100)
    good = tmp_path / "good.log"
    good.write_bytes(short)
    with pytest.warns(bootlag.BootlagWarning, match="broken.tar.gz"):
        frame = bootlag.scan(tmp_path, year=2025, tz=ZONE)
    assert len(frame) == 3


def test_copied_journal_directories_and_rotated_files(tmp_path):
    """/var/log/journal/<machine-id>/ copies: rotation splits a boot; the same boot once."""
    a = boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00", host="a", seed=1)
    b = boots_at("2024-05-01T11:00:00", host="b", seed=2, mode="early-kdump")
    split = len(a[1].entries) // 2
    head = synth.Boot(**{**a[1].__dict__, "entries": a[1].entries[:split]})
    tail = synth.Boot(**{**a[1].__dict__, "entries": a[1].entries[split:]})
    machine_a = tmp_path / "fleet" / "a" / "var/log/journal/0123456789abcdef0123456789abcdef"
    machine_b = tmp_path / "fleet" / "b" / "var/log/journal/fedcba9876543210fedcba9876543210"
    machine_a.mkdir(parents=True)
    machine_b.mkdir(parents=True)
    synth.write_journal(synth.to_export([a[0], head]),
                        str(machine_a / "system@0001-0000000000000001-0005dcd859dc6123.journal"))
    synth.write_journal(synth.to_export([tail]), str(machine_a / "system.journal"))
    synth.write_journal(synth.to_export(b), str(machine_b / "system.journal"), compact=False)
    dirty = machine_b / "system@0005dcd859dc6123-0123456789abcdef.journal~"
    dirty.write_bytes((machine_b / "system.journal").read_bytes())  # the same boot, again
    frame = bootlag.scan(tmp_path / "fleet", errors="raise")
    assert sorted(frame.boot_id) == sorted(x.boot_id for x in a + b)
    for boot in a + b:
        row = frame[frame.boot_id == boot.boot_id].iloc[0]
        assert (row.host, row.gap_s, row.loads) == (boot.host, boot.gap_s, 1)
        assert row["format"] == "journal"


def test_sos_prefers_raw_journal_files(tmp_path, journal):
    boots, short, export = journal
    sos = make_sos(tmp_path / "tree", short, tailed=True)
    raw = sos / "var/log/journal/0123456789abcdef0123456789abcdef"
    raw.mkdir(parents=True)
    synth.write_journal(export, str(raw / "system.journal"))
    frame = bootlag.scan(tmp_path / "tree", errors="raise")
    assert list(frame.boot_id) == [b.boot_id for b in boots]
    assert list(frame.gap_s) == pytest.approx([b.gap_s for b in boots], abs=1e-6)
    archive = tmp_path / "sos.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(sos, arcname=sos.name)
    assert list(bootlag.scan(archive, errors="raise").gap_s) == list(frame.gap_s)
