"""The fast paths give the records and the skipped lines of the full read, with Hyperscan
(`bootlag.formats.fastscan`) and without it."""

from __future__ import annotations

import random

import pytest

from bootlag import synth
from bootlag.formats import ReadOptions, fastscan, read_bytes

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

FORMATS = ("short-iso-precise", "short-monotonic", "short", "short-unix", "short-full", "json",
           "export")


def _damaged(data: bytes, seed: int) -> bytes:
    """Lines cut, garbage lines, bad UTF-8, a stamp without a message: damage to report."""
    rng = random.Random(seed)
    lines = data.split(b"\n")
    for _ in range(12):
        i = rng.randrange(len(lines))
        kind = rng.randrange(5)
        if kind == 0:
            lines[i] = lines[i][: rng.randrange(1, 20)]
        elif kind == 1:
            lines.insert(i, b"\x00\x01garbage line")
        elif kind == 2:
            lines[i] = lines[i] + b" \xff\xfe"
        elif kind == 3:
            lines.insert(i, lines[i][:33] + b"no colon here")
        else:
            lines.insert(i, b"-x not a separator")
    return b"\n".join(lines)


@pytest.fixture(scope="module")
def inputs(fleet_journal) -> list[tuple[str, bytes]]:
    found = []
    for fmt in FORMATS:
        data = synth.render(fleet_journal, fmt)
        found += [(fmt, data), (f"{fmt} damaged", _damaged(data, len(found))),
                  (f"{fmt} cut", data[: len(data) * 2 // 3])]
    return found


def _read(data: bytes, full: bool) -> tuple[list, dict]:
    records, info = read_bytes(data, "x", ReadOptions(year=2025, full=full))
    return records, info.skipped


@pytest.mark.parametrize("hyperscan", [True, False])
def test_fast_path_is_the_full_read(inputs, monkeypatch, hyperscan):
    if hyperscan and not fastscan.AVAILABLE:
        pytest.skip("hyperscan is not installed")
    monkeypatch.setattr(fastscan, "AVAILABLE", hyperscan)
    monkeypatch.setattr(fastscan, "WORTH", 0)  # the small inputs too
    for name, data in inputs:
        fast, full = _read(data, False), _read(data, True)
        assert fast[0] == full[0], name
        assert fast[1] == full[1], name


def test_journal_index_by_hits_is_the_full_read(monkeypatch, tmp_path):
    """The index's events from one Hyperscan pass (`_event_entries_fast`), on unique
    messages and on a long (compressed) message with a trigger word."""
    if not fastscan.AVAILABLE:
        pytest.skip("hyperscan is not installed")
    monkeypatch.setattr(fastscan, "WORTH", 0)
    rng = random.Random(5)
    boots = [synth.make_boot(rng, "uniq-01", 1_700_000_000 * synth.SEC + k * 86_400 * synth.SEC,
                             filler=200, mode="early-kdump" if k % 2 else "kdump")
             for k in range(3)]
    n = 0
    for boot in boots:
        for entry in boot.entries:
            n += 1
            entry.fields["MESSAGE"] += f" #{n}"
    boots[1].entries[-3].fields["MESSAGE"] = "kexec: " + "x" * 2000 + " dump"
    journal = synth.write_journal(synth.to_export(boots), str(tmp_path / "u.journal"))
    with open(journal, "rb") as f:
        data = f.read()
    fast, full = _read(data, False), _read(data, True)
    assert fast == full
