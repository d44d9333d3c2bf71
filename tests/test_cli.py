"""The command line, on the bundled sample fleet and on bad paths."""

from __future__ import annotations

import io
import json
import re
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
    assert "84 boots on 14 hosts" in out
    assert "≥" in out  # wall-clock lower bounds are marked
    legacy = [line.split()[4] for line in out.splitlines() if line.startswith("legacy-01")]
    assert legacy and all(re.fullmatch(r"≥\d+", gap) for gap in legacy)  # whole seconds
    assert "failed" in out and "not-armed" in out


def test_csv_has_every_column_and_row(capsys):
    assert main(["scan", str(SAMPLES), "--csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) == 84
    assert set(frame.status) == {"armed", "failed", "not-armed"}
    exact = frame.loc[(frame.clock == "monotonic") & (frame.status == "armed"), "gap_s"]
    assert len(exact) > 30 and exact.between(0, 60).all()


def test_json_lines(capsys):
    assert main(["scan", str(SAMPLES / "db-01.json"), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert len(rows) == 6 and {r["mode"] for r in rows} == {"kdump", "early-kdump"}


def test_missing_path_is_an_error_naming_it(capsys):
    assert main(["scan", "no/such/dir"]) == 2
    assert "no/such/dir" in capsys.readouterr().err


def test_unreadable_file_is_a_warning_and_the_rest_is_scanned(tmp_path, capsys):
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01" * 500)
    assert main(["scan", str(tmp_path), str(SAMPLES / "db-01.json")]) == 1
    captured = capsys.readouterr()
    assert "junk.bin" in captured.err and "6 boots" in captured.out
    assert main(["scan", "--strict", str(tmp_path)]) == 3
    assert main(["scan", str(tmp_path)]) == 3  # nothing readable at all


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "examples:" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "teaches"), [
    (["--help"], "journalctl -o export"), (["scan", "--help"], "journalctl -o export"),
    (["summary", "--help"], "--table problem-hosts"), (["plot", "--help"], "over-time"),
    (["report", "--help"], "review_files")])
def test_help_teaches_and_does_not_import_pandas(args, teaches):
    code = ("import sys; from bootlag.cli import main\n"
            f"try: main({args!r})\nexcept SystemExit: pass\n"
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert teaches in out and out.strip().endswith("False False")


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


def test_summary_answers_the_three_questions(capsys):
    assert main(["summary", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    for heading in ("How exposed is the fleet?", "What does early kdump buy?",
                    "Which hosts are the problem?"):
        assert heading in out
    assert "lab-01" in out and "never armed in 6 of 6 boots" in out


def test_summary_json_has_every_table_and_csv_one(capsys):
    assert main(["summary", str(SAMPLES), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"exposure", "comparison", "paired_hosts", "problem_hosts",
                             "phases", "over_time"}
    fleet = next(row for row in document["exposure"] if row["setup"] == "fleet")
    assert fleet["boots"] == 84
    assert main(["summary", str(SAMPLES), "--csv", "--table", "problem-hosts"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col="host")
    assert table.loc["lab-01", "not_armed"] == 6


@pytest.mark.parametrize("kind", ["gaps", "ecdf", "hosts", "timeline", "over-time"])
def test_plot_writes_the_chart(tmp_path, kind):
    out = tmp_path / f"{kind}.svg"
    assert main(["plot", kind, str(SAMPLES), "-o", str(out), "--size", "6x3"]) == 0
    svg = out.read_text()
    assert svg.lstrip().startswith("<?xml") and 'width="432pt"' in svg


def test_plot_options_are_checked(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["plot", "pie", str(SAMPLES), "-o", str(tmp_path / "x.png")])
    assert exc.value.code == 2
    assert main(["plot", "gaps", str(SAMPLES), "-o", str(tmp_path / "x.png"),
                 "--size", "big"]) == 2
    assert "--size" in capsys.readouterr().err
    assert main(["plot", "gaps", str(SAMPLES), "-o", str(tmp_path / "x.nope")]) == 2
    assert "x.nope" in capsys.readouterr().err


def test_report_html_and_markdown(tmp_path, capsys):
    page = tmp_path / "report.html"
    assert main(["report", str(SAMPLES), "-o", str(page), "--title", "Fleet review"]) == 0
    assert "<title>Fleet review</title>" in page.read_text()
    wiki = tmp_path / "wiki.txt"
    assert main(["report", str(SAMPLES), "-o", str(wiki), "--markdown"]) == 0
    assert wiki.read_text().startswith("# Crash kernel protection gap report")
    assert len(list((tmp_path / "wiki_files").glob("*.png"))) == 6
    assert "wrote" in capsys.readouterr().err
    assert main(["report", str(SAMPLES), "-o", str(tmp_path / "no" / "dir.html")]) == 2


def test_progress_bar_counts_inputs():
    import types

    import bootlag
    from bootlag.cli import _Progress

    calls = []
    bootlag.scan([SAMPLES], progress=lambda source, done, total: calls.append((done, total)))
    assert calls == [(n, 14) for n in range(1, 15)]
    stream = io.StringIO()
    _Progress(stream)(types.SimpleNamespace(name="x.json"), 7, 14)
    assert stream.getvalue().endswith("[############............] 7/14 inputs  x.json")


def test_command_line_names_match_the_library():
    from bootlag import cli, plot, report
    from tests.helpers import boots_frame

    assert tuple(plot.CHARTS) == cli.CHART_KINDS
    assert [t.replace("-", "_") for t in cli.TABLES] == list(report.tables(boots_frame()))


def test_timeline_of_an_unknown_host_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "t.png"
    assert main(["plot", "timeline", str(SAMPLES), "--host", "nope", "-o", str(out)]) == 2
    assert "'nope'" in capsys.readouterr().err and not out.exists()
    assert main(["plot", "timeline", str(SAMPLES), "--host", "db-03", "-o", str(out)]) == 0
