"""Inputs are data: tarballs are read in place and refuse what looks like an attack,
decompression is bounded, and optional compressions are read or named."""

from __future__ import annotations

import gzip
import io
import lzma
import tarfile

import pytest

import bootlag
from bootlag import sources
from tests.helpers import boots_at, rendered

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


@pytest.fixture(scope="module")
def journal_text(tmp_path_factory) -> bytes:
    tmp = tmp_path_factory.mktemp("safety")
    return rendered(tmp, boots_at("2024-05-01T10:00:00", "2024-05-02T10:00:00"),
                    "short-monotonic").read_bytes()


def add(tar: tarfile.TarFile, name: str, data: bytes = b"", **attrs) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


def test_suspect_tar_members_are_skipped_with_a_warning(tmp_path, journal_text):
    archive = tmp_path / "logs.tar"
    with tarfile.open(archive, "w") as tar:
        add(tar, "good.log", journal_text)
        add(tar, "../escape.log", journal_text)
        add(tar, "/etc/absolute.log", journal_text)
        add(tar, "link.log", type=tarfile.SYMTYPE, linkname="../../etc/shadow")
        add(tar, "hard.log", type=tarfile.LNKTYPE, linkname="../outside")
        add(tar, "dev", type=tarfile.CHRTYPE)
        add(tar, "fifo", type=tarfile.FIFOTYPE)
    with pytest.warns(bootlag.BootlagWarning) as caught:
        frame = bootlag.scan(archive)
    assert len(frame) == 2 and set(frame.source) == {f"{archive}:good.log"}
    messages = " ".join(str(w.message) for w in caught)
    for name in ("../escape.log", "/etc/absolute.log", "link.log", "hard.log", "dev", "fifo"):
        assert f"{archive}:{name}" in messages


def test_decompression_bomb_is_cut_off_and_named(tmp_path, journal_text, monkeypatch):
    monkeypatch.setattr(sources, "INFLATE_FLOOR", 1 << 20)
    line = b"[99999.000000] h1 filler[1]: noise\n"  # after the last boot, same clock
    bomb = tmp_path / "bomb.log.xz"
    bomb.write_bytes(lzma.compress(journal_text + line * 400_000))  # ~40 MB from ~10 KB
    assert bomb.stat().st_size * sources.INFLATE_RATIO < 40e6
    with pytest.warns(bootlag.BootlagWarning) as caught:  # the cut also leaves half a line
        frame = bootlag.scan(bomb)
    assert any("bomb.log.xz" in str(w.message) and "inflates to more than" in str(w.message)
               for w in caught)
    assert len(frame) == 2  # what came before the cut is kept


def test_ordinary_compression_is_not_a_bomb(tmp_path, journal_text, monkeypatch):
    monkeypatch.setattr(sources, "INFLATE_FLOOR", 1 << 10)
    path = tmp_path / "j.log.gz"
    path.write_bytes(gzip.compress(journal_text))
    assert len(bootlag.scan(path, errors="raise")) == 2


def test_zstd_files_are_read_with_the_optional_package(tmp_path, journal_text):
    import zstandard

    path = tmp_path / "j.log.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(journal_text))
    assert len(bootlag.scan(path, errors="raise")) == 2


@pytest.mark.parametrize("name", ["web-02.export", "app-01.verbose.xz"])
def test_overlong_lines_are_cut_and_reported(name, monkeypatch):
    from pathlib import Path

    from bootlag.formats import common, fields, read_bytes

    monkeypatch.setattr(common, "LONGEST_LINE", 1000)
    monkeypatch.setattr(fields, "LONGEST_LINE", 1000)
    data = (Path(__file__).resolve().parent.parent / "sample_logs" / name).read_bytes()
    if name.endswith(".xz"):
        data = lzma.decompress(data)
    at = data.index(b"MESSAGE=") + len(b"MESSAGE=")
    records, info = read_bytes(data[:at] + b"x" * 5000 + data[at:], name)
    assert len({r.boot for r in records}) == 6  # nothing else lost
    assert list(info.skipped) == ["a line longer than 64 MiB, cut there"]


def test_a_tar_archive_is_read_whatever_its_name(tmp_path, journal_text):
    archive = tmp_path / "collected-logs"  # no .tar suffix
    with tarfile.open(archive, "w") as tar:
        add(tar, "host.log", journal_text)
    frame = bootlag.scan(archive, errors="raise")
    assert len(frame) == 2 and frame.source.iloc[0] == f"{archive}:host.log"
