"""The command line, on the bundled sample fleet and on bad paths."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bootlag.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def test_table_on_sample_logs(capsys):
    assert main(["scan", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:4] == ["host", "boot", "kernel_start", "(UTC)"]
    assert "52 boots on 13 hosts" in out
    assert "≥" in out  # wall-clock lower bounds are marked
    assert "failed" in out and "not-armed" in out


def test_csv_has_every_column_and_row(capsys):
    assert main(["scan", str(SAMPLES), "--csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) == 52
    assert set(frame.status) == {"armed", "failed", "not-armed"}
    exact = frame.loc[(frame.clock == "monotonic") & (frame.status == "armed"), "gap_s"]
    assert len(exact) > 30 and exact.between(0, 60).all()


def test_json_lines(capsys):
    assert main(["scan", str(SAMPLES / "db-01.json"), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert len(rows) == 4 and {r["mode"] for r in rows} == {"early-kdump"}


def test_missing_path_is_an_error_naming_it(capsys):
    assert main(["scan", "no/such/dir"]) == 2
    assert "no/such/dir" in capsys.readouterr().err


def test_unreadable_file_is_a_warning_and_the_rest_is_scanned(tmp_path, capsys):
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01" * 500)
    assert main(["scan", str(tmp_path), str(SAMPLES / "db-01.json")]) == 1
    captured = capsys.readouterr()
    assert "junk.bin" in captured.err and "4 boots" in captured.out
    assert main(["scan", "--strict", str(tmp_path)]) == 3
    assert main(["scan", str(tmp_path)]) == 3  # nothing readable at all


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "examples:" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"]])
def test_help_teaches_and_does_not_import_pandas(args):
    code = ("import sys; from bootlag.cli import main\n"
            f"try: main({args!r})\nexcept SystemExit: pass\n"
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "journalctl -o export" in out and out.strip().endswith("False")


def test_exit_status_is_partial_when_lines_were_skipped(tmp_path, capsys):
    damaged = tmp_path / "db-01.json"
    damaged.write_bytes((SAMPLES / "db-01.json").read_bytes() + b"{not json\n")
    assert main(["scan", str(damaged)]) == 1
    err = capsys.readouterr().err
    assert "line" in err and "1 lines or entries skipped in 1 inputs" in err
    assert main(["scan", "-q", str(damaged)]) == 1
    assert capsys.readouterr().err == ""


def test_unknown_time_zone_is_a_usage_error(capsys):
    assert main(["scan", "--tz", "Nowhere/Zone", str(SAMPLES)]) == 2
    assert "Nowhere/Zone" in capsys.readouterr().err
