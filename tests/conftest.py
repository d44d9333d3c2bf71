"""Shared fixtures: a fleet with known truth, written through the real systemd tools."""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from bootlag import synth

SYSTEMD_TOOLS = (synth.JOURNAL_REMOTE, "journalctl")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "systemd: writes or prints journals with systemd-journal-remote and "
                   "journalctl (apt-get install systemd-journal-remote)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without systemd's tools, the tests marked `systemd` are skipped, saying why; the
    others run anywhere. CI must run them all, so there a missing tool is an error."""
    missing = [tool for tool in SYSTEMD_TOOLS if not shutil.which(tool)]
    if not missing:
        return
    needs = f"{', '.join(missing)} (apt-get install -y systemd-journal-remote)"
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI runs every test, and the marked ones need {needs}")
    skip = pytest.mark.skip(reason=f"needs {needs}")
    for item in items:
        if "systemd" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def systemd_marker_is_honest(request, monkeypatch):
    """A test that reaches systemd's tools without the `systemd` marker fails, so the
    marker stays true and unmarked tests really run anywhere."""
    if "systemd" in request.keywords:
        return

    def unmarked(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} runs systemd's tools: mark it "
                             "@pytest.mark.systemd (or its module: pytestmark)")

    monkeypatch.setattr(synth, "write_journal", unmarked)
    monkeypatch.setattr(synth, "render", unmarked)


@pytest.fixture(scope="session")
def fleet() -> list[synth.Boot]:
    """Boots of every kind: RHEL 7/8/9, Ubuntu, SUSE, early kdump, failures, a clock step."""
    boots = synth.make_fleet(seed=7, boots_per_host=2, filler=30)
    rng = __import__("random").Random(3)
    last = max(b.start_us for b in boots)
    boots.append(synth.make_boot(rng, "trunc-01", last + 86_400 * synth.SEC, drop_start=True))
    return boots


@pytest.fixture(scope="session")
def fleet_journal(fleet, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("journal") / "fleet.journal"
    return synth.write_journal(synth.to_export(fleet), str(path))


# --- the boots tables the engine refactor must not change ----------------------------------
# Every table `scan` returns in the suite is compared with the one the same test saved, from
# the same input bytes and options, before the scan engine was rebuilt (tests/data/tables.json.gz);
# `BOOTLAG_TABLES=record` saves them anew. Columns added since are not compared; paths of
# pytest's temporary files are normalised.
TABLES = Path(__file__).parent / "data" / "tables.json.gz"
_TMP = re.compile(r"/tmp/pytest-of-[^/]+/pytest-\d+/[^/]+/|" + re.escape(str(Path.cwd())) + "/")
_UNSAVED_MODULES = ("test_properties.py",)  # hypothesis draws new inputs each run


def _rows(frame: pd.DataFrame) -> list[dict]:
    rows = json.loads(frame.to_json(orient="records", date_format="iso", date_unit="us"))
    return json.loads(_TMP.sub("", json.dumps(rows)))


def _input_key(paths, year, tz) -> str | None:
    """What a scan's table depends on: the names and bytes of its inputs, year and zone."""
    from bootlag.sources import expand

    digest = hashlib.sha1(repr((year, tz)).encode())
    try:
        for source in expand([paths] if isinstance(paths, (str, os.PathLike)) else paths):
            digest.update(_TMP.sub("", source.name).encode() + b"\0")
            with source.open() as raw:
                digest.update(_content_digest(raw.read()))
    except Exception:  # a scan that is meant to fail
        return None
    return digest.hexdigest()


# A cursor (json, export and verbose output) holds the file's seqnum id and a keyed hash,
# both drawn anew each time systemd-journal-remote writes a file. Binary files also carry
# random file ids and write times, so their entries stand for them.
_CURSOR = re.compile(rb"s=[0-9a-f]{32};i=[0-9a-f]+;b=[0-9a-f]{32};m=[0-9a-f]+;t=[0-9a-f]+"
                     rb";x=[0-9a-f]+")


def _content_digest(data: bytes) -> bytes:
    from bootlag.formats.journal import iter_entries

    if data.startswith(b"LPKSHHRH"):  # a binary journal
        entries = [sorted(fields.items()) for _, fields in iter_entries(data, "", lambda *a: None)]
        data = repr(entries).encode()
    return hashlib.sha1(_CURSOR.sub(b"", data)).digest()


@pytest.fixture(autouse=True)
def unchanged_tables(request, monkeypatch):
    """Each scan of a test is compared with the saved scan of the same test and call, when
    it read the same input bytes (inputs whose damage lands where random cursors put it
    differ from run to run, and are not compared)."""
    if request.node.path.name in _UNSAVED_MODULES:
        yield
        return
    mode = os.environ.get("BOOTLAG_TABLES", "check")
    saved = _saved_tables()
    calls = itertools.count()
    from bootlag import scanner

    scan = scanner.scan

    def checked_scan(paths, *args, year=None, tz=None, **kwargs):
        digest = _input_key(paths, year, tz)
        frame = scan(paths, *args, year=year, tz=tz, **kwargs)
        key = f"{request.node.nodeid}#{next(calls)}"
        if digest is None:
            return frame
        rows = _rows(frame)
        if mode == "record":
            saved[key] = {"input": digest, "rows": rows}
            return frame
        assert_fast_path_is_full_read(paths, year, tz)
        if key in saved and saved[key]["input"] == digest:
            before = saved[key]["rows"]
            assert len(rows) == len(before), f"{len(before)} boots before, {len(rows)} now"
            for old, new in zip(_in_order(before), _in_order(rows), strict=True):
                changed = {c: (v, new.get(c)) for c, v in old.items()
                           if c not in _CHANGED_ON_PURPOSE and new.get(c) != v}
                assert not changed, f"boots table changed: {changed}"
        return frame

    monkeypatch.setattr(scanner, "scan", checked_scan)
    yield


def assert_fast_path_is_full_read(paths, year=None, tz=None) -> None:
    """Every input read both ways (skipping what `bootlag.matters` allows, and reading every
    entry) gives the same records and the same skipped lines."""
    from bootlag.formats import ReadOptions, SourceInfo, read_stream
    from bootlag.records import BootlagError
    from bootlag.sources import expand

    for source in expand([paths] if isinstance(paths, (str, os.PathLike)) else paths):
        read = []
        for full in (False, True):
            info = SourceInfo(source.name, host=source.context.host)
            options = ReadOptions(year or source.context.year, tz or source.context.tz,
                                  source.mtime, full=full)
            try:
                with source.open() as raw:
                    records = list(read_stream(raw, options, info))
            except (BootlagError, OSError, EOFError):
                records = []
            read.append((sorted(records, key=_record_order), info.skipped, info.zone_text))
        assert read[0] == read[1], f"{source.name}: the fast path and the full read differ"


def _record_order(r) -> tuple:
    return (r.boot, r.at.number, r.kind.value)


# Columns whose values an issue changed on purpose (each has its own regression test).
# Issue 11 item 1 (tests/test_wallclock.py): wall-clock text takes kernel start from
# systemd's "Startup finished" (kernel_start, kernel_start_from, gap_s now an estimate),
# and a boot whose start is not in the log gets a lower bound where it had NaN (gap_s,
# note).
_CHANGED_ON_PURPOSE: frozenset[str] = frozenset({"gap_s", "kernel_start", "kernel_start_from",
                                                 "note"})


def _in_order(rows: list[dict]) -> list[dict]:
    """Rows by where each boot was read: the table sorts boots by kernel_start, which issue
    11 changed on purpose, so two boots that start within a second may trade places."""
    return sorted(rows, key=lambda r: (str(r.get("source")), r.get("first_line") or 0,
                                       str(r.get("host"))))


@functools.cache
def _saved_tables() -> dict[str, list[dict]]:
    if not TABLES.exists():
        return {}
    with gzip.open(TABLES, "rt") as f:
        return json.load(f)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("BOOTLAG_TABLES") == "record":
        TABLES.parent.mkdir(exist_ok=True)
        with gzip.open(TABLES, "wt") as f:
            json.dump(_saved_tables(), f, sort_keys=True)
