"""sample_logs/ against the truth that made it (`synth.make_sample_fleet`, written by
tools/make_sample_logs.py): each boot's status, mode and gap."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import bootlag
from bootlag import synth
from bootlag.formats import FORMATS, REALTIME

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_logs"


def _maker():
    spec = importlib.util.spec_from_file_location("make_sample_logs",
                                                  ROOT / "tools" / "make_sample_logs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scanned() -> pd.DataFrame:
    return bootlag.scan(SAMPLES)


def test_every_sample_file_is_one_host_of_the_plan():
    formats = _maker().FORMATS
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(
        f"{host}{suffix}" for host, (_, _, suffix) in formats.items())


def test_sample_logs_say_what_the_generator_made(scanned):
    formats = _maker().FORMATS
    truth = synth.make_sample_fleet()
    assert len(scanned) == len(truth)
    checked = {"exact": 0}
    for host, (fmt, _, _) in formats.items():
        made = [b for b in truth if b.host == host]  # in time order
        rows = scanned[scanned.host == host].sort_values("kernel_start", kind="stable")
        assert len(rows) == len(made), host
        exact = FORMATS[fmt].clock != REALTIME
        resolution = FORMATS[fmt].resolution_s
        for (_, row), boot in zip(rows.iterrows(), made, strict=True):
            where = f"{host} {boot.boot_id}"
            if not pd.isna(row.boot_id):  # text names a file's first boot by no separator
                assert row.boot_id == boot.boot_id, where
            assert (row.status, row["mode"]) == (boot.status, boot.mode), where
            if boot.gap_s is None:
                assert pd.isna(row.gap_s), where
            elif exact:
                assert row.clock == "monotonic", where
                assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6), where
                checked["exact"] += 1
            else:  # wall clock: an estimate within its error, or a lower bound
                assert row.clock == "realtime", where
                assert row.gap_error_s >= resolution / 2, where
                if row.gap_kind == "estimate":
                    assert abs(row.gap_s - boot.gap_s) <= row.gap_error_s + 1e-9, where
                else:
                    assert row.gap_kind == "lower-bound", where
                    assert 0 <= row.gap_s - row.gap_error_s <= boot.gap_s, where
                checked[row.gap_kind] = checked.get(row.gap_kind, 0) + 1
    assert checked["exact"] > 50 and sum(checked.values()) - checked["exact"] >= 6, checked


def test_sample_logs_cover_every_kind_of_boot(scanned):
    """What the sample fleet is for: both modes, a failure, a never-armed host, both clocks."""
    assert {"kdump", "early-kdump", "none"} <= set(scanned["mode"])
    assert {"armed", "failed", "not-armed"} <= set(scanned.status)
    assert {"monotonic", "realtime"} <= set(scanned.clock)
