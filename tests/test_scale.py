"""Large fleets: reading on a Dask cluster gives the serial table; Parquet keeps its dtypes."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tarfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

import bootlag
from bootlag.cli import main
from tests.helpers import boots_at, rendered
from tests.test_sos import make_sos

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, on loopback only."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture
def mixed_tree(tmp_path, fleet_journal) -> Path:
    """Every kind of input in one tree: the samples, a binary journal, a sosreport as a
    directory and as a tarball, and a file that cannot be read."""
    tree = tmp_path / "tree"
    shutil.copytree(SAMPLES, tree)
    shutil.copy(fleet_journal, tree / "system.journal")
    boots = boots_at("2024-12-20T10:00:00", "2025-01-10T10:00:00", host="web-01",
                     mode="kdump")
    short = rendered(tmp_path, boots, "short", tz="Asia/Tokyo").read_bytes()
    sos = make_sos(tree / "sos", short, tailed=True)
    with tarfile.open(tree / f"{sos.name}.tar.xz", "w:xz") as tar:
        tar.add(sos, arcname=sos.name)
    (tree / "junk.bin").write_bytes(b"\x00\x01" * 500)
    return tree


def _scan_warned(paths, **kw) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bootlag.BootlagWarning)
        frame = bootlag.scan(paths, **kw)
    return frame, [str(w.message) for w in caught]


def test_dask_scan_of_the_samples_is_the_serial_scan(client):
    serial = bootlag.scan(SAMPLES, jobs=1)
    assert len(serial) == 84
    on_dask = bootlag.scan(SAMPLES, client=client)
    assert on_dask.to_csv() == serial.to_csv()
    pd.testing.assert_frame_equal(on_dask, serial)


def test_dask_scan_of_mixed_inputs_keeps_table_and_warnings(client, mixed_tree, monkeypatch):
    # Relative paths, from a directory the workers are not in: they must be sent absolute.
    monkeypatch.chdir(mixed_tree.parent)
    serial, serial_warned = _scan_warned("tree", jobs=1)
    on_dask, dask_warned = _scan_warned("tree", client=client)
    assert on_dask.to_csv() == serial.to_csv()
    assert dask_warned == serial_warned and any("junk.bin" in w for w in dask_warned)
    assert {"web-01", "db-01"} <= set(serial.host)
    assert serial.source.str.contains("system.journal").any()
    assert serial.source.str.contains(".tar.xz").any()
    assert serial.source.str.startswith("tree/").all()  # names as given, not as sent


def test_dask_scan_raises_like_the_serial_scan(client, mixed_tree):
    with pytest.raises(bootlag.BootlagError) as serial:
        bootlag.scan(mixed_tree, errors="raise")
    with pytest.raises(bootlag.BootlagError) as on_dask:
        bootlag.scan(mixed_tree, errors="raise", client=client)
    assert str(on_dask.value) == str(serial.value)


def test_cli_dask_prints_the_serial_csv(cluster, mixed_tree, capsys):
    assert main(["scan", "-q", "--csv", "-j", "1", str(mixed_tree)]) == 1  # a file is junk
    serial = capsys.readouterr().out
    assert main(["scan", "-q", "--csv", "--dask", cluster.scheduler_address,
                 str(mixed_tree)]) == 1
    assert capsys.readouterr().out == serial
    assert len(pd.read_csv(__import__("io").StringIO(serial))) > 84


def test_cli_dask_bad_address_is_a_clear_error(capsys):
    assert main(["scan", "--dask", "bogus:::x", str(SAMPLES)]) == 2
    assert "Dask scheduler address: bogus:::x" in capsys.readouterr().err


def test_cli_dask_without_dask_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    assert main(["scan", "--dask", "tcp://127.0.0.1:8786", str(SAMPLES)]) == 2
    assert "pip install 'bootlag[dask]'" in capsys.readouterr().err


def test_cli_parquet_round_trips_every_dtype(tmp_path, capsys):
    out = tmp_path / "boots.parquet"
    assert main(["scan", "-q", str(SAMPLES), "--parquet", str(out)]) == 0
    assert "84 boots on 14 hosts" in capsys.readouterr().out
    table = bootlag.scan(SAMPLES)
    back = pd.read_parquet(out)
    pd.testing.assert_frame_equal(back, table)  # values and dtypes, NA and NaT included
    assert str(back.kernel_start.dtype).endswith("UTC]")
    assert back.rd_earlykdump.dtype == "boolean" and back.note.dtype == "string"
    assert back.kernel_start.isna().any() and back.loader.isna().any()


@pytest.mark.parametrize("name", ["db-02.log", "empty"])
def test_tables_without_times_round_trip_through_parquet(tmp_path, name, capsys):
    """No kernel start known (short-monotonic text) or no boots at all: still µs columns."""
    path = tmp_path / name
    if name == "empty":
        path.mkdir()
        (path / "notes.txt").write_text("nothing from journald here\n")
    else:
        shutil.copy(SAMPLES / name, path)
    out = tmp_path / "boots.parquet"
    # nothing readable in the empty case (exit 3), but the (empty) table is still written
    assert main(["scan", "-q", str(path), "--parquet", str(out)]) == (3 if name == "empty" else 0)
    table = bootlag.scan(path, errors="ignore")
    assert str(table.kernel_start.dtype) == "datetime64[us, UTC]"
    assert table.kernel_start.isna().all()
    pd.testing.assert_frame_equal(pd.read_parquet(out), table)


def test_cli_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch, capsys):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyarrow" else find_spec(name, *a))
    assert main(["scan", str(SAMPLES), "--parquet", str(tmp_path / "b.parquet")]) == 2
    assert "pip install 'bootlag[parquet]'" in capsys.readouterr().err
    assert not (tmp_path / "b.parquet").exists()


def test_a_large_json_file_read_in_parts_gives_the_same_table(tmp_path, monkeypatch):
    data = b"".join((SAMPLES / name).read_bytes() for name in ("db-01.json", "app-02.json",
                                                               "edge-01.json"))
    lines = data.splitlines(keepends=True)
    lines.insert(len(lines) // 2, b"{this is not json\n")  # a warning, numbered in the whole file
    path = tmp_path / "fleet.json"
    path.write_bytes(b"".join(lines))
    from bootlag import scanner

    monkeypatch.setattr(scanner, "SPLIT_BYTES", 1)
    assert len(scanner._parts(next(iter(bootlag.sources.expand([path]))), 3)) == 3
    with pytest.warns(bootlag.BootlagWarning) as serial_warnings:
        serial = bootlag.scan(path, jobs=1)
    with pytest.warns(bootlag.BootlagWarning) as parts_warnings:
        parts = bootlag.scan(path, jobs=3)
    assert len(serial) == 18
    assert serial.to_csv() == parts.to_csv()
    assert serial.attrs["inputs"] == parts.attrs["inputs"]
    assert [str(w.message) for w in serial_warnings] == [str(w.message) for w in parts_warnings]
