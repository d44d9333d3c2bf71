"""The pandas-free rows path (`bootlag.rows`) writes what the DataFrame path writes."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import pytest

import bootlag
from bootlag import synth
from bootlag.rows import scan_rows, write_csv, write_json

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def _frame_outputs(paths: list[str]) -> tuple[str, str]:
    frame = bootlag.scan(paths, errors="ignore")
    csv, js = io.StringIO(), io.StringIO()
    frame.to_csv(csv, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    frame.to_json(js, orient="records", lines=True, date_format="iso", date_unit="us")
    return csv.getvalue(), js.getvalue()


def _row_outputs(paths: list[str]) -> tuple[str, str]:
    rows = scan_rows(paths, errors="ignore")
    csv, js = io.StringIO(), io.StringIO()
    write_csv(rows, csv)
    write_json(rows, js)
    return csv.getvalue(), js.getvalue()


@pytest.fixture(scope="module")
def rendered(fleet_journal, tmp_path_factory) -> list[str]:
    where = tmp_path_factory.mktemp("rows")
    paths = []
    for fmt in ("json", "export", "short-iso-precise", "short-monotonic", "short", "verbose"):
        path = where / f"fleet.{fmt}"
        path.write_bytes(synth.render(fleet_journal, fmt))
        paths.append(str(path))
    return [*paths, fleet_journal]


def test_rows_write_what_the_frame_writes(rendered):
    for paths in ([str(SAMPLES)], *([p] for p in rendered), rendered):
        assert _row_outputs(paths) == _frame_outputs(paths), paths


def test_no_boots_and_odd_values(tmp_path):
    empty = tmp_path / "empty.log"
    empty.write_text("not a journal\n")
    rows = scan_rows([str(empty)], errors="ignore")
    assert list(rows) == [] and rows.inputs[0]["error"]
    js = io.StringIO()
    write_json([], js)
    assert js.getvalue() == "\n"
    row = {"gap_s": 1 / 3, "log_span_s": 14.0, "failures_s": [math.nan, 0.5],
           "kernel_start": 1_700_000_000_123_456, "host": "a/é", "loads": 2,
           "rd_earlykdump": None, "start_logged": True}
    js = io.StringIO()
    write_json([row], js)
    line = js.getvalue()
    assert '"gap_s":0.3333333333' in line and '"log_span_s":14.0' in line
    assert '"failures_s":[null,0.5]' in line and '"host":"a\\/\\u00e9"' in line
    assert '"kernel_start":"2023-11-14T22:13:20.123456Z"' in line
    assert '"rd_earlykdump":null' in line and '"start_logged":true' in line


def test_csv_and_json_commands_do_not_import_pandas(tmp_path):
    code = ("import sys; from bootlag.cli import main; "
            f"main(['scan', '-q', '--csv', {str(SAMPLES / 'db-02.log')!r}]); "
            f"main(['scan', '-q', '--json', {str(SAMPLES / 'db-02.log')!r}]); "
            "sys.stdout.flush(); "
            "assert 'pandas' not in sys.modules and 'matplotlib' not in sys.modules, "
            "[m for m in sys.modules if m.startswith(('pandas', 'matplotlib'))]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("host,boot_id,")


def test_records_are_the_frames(rendered):
    from bootlag.cli import _records
    from bootlag.rows import records

    for paths in ([str(SAMPLES)], rendered):
        frame = bootlag.scan(paths, errors="ignore")
        assert records(scan_rows(paths, errors="ignore")) == _records(frame), paths


def test_cli_formats_from_rows(tmp_path, capsys):
    from bootlag.cli import main

    for fmt in ("csv", "jsonl", "json"):
        assert main(["scan", "-q", "--format", fmt, str(SAMPLES)]) == 0
        rows_out = capsys.readouterr().out
        assert main(["scan", "-q", "--format", fmt, "--host", "*", str(SAMPLES)]) == 0
        assert capsys.readouterr().out == rows_out, fmt  # (a filter: the DataFrame path)
