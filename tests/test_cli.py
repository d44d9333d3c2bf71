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

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def test_table_on_sample_logs(capsys):
    assert main(["scan", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:4] == ["host", "boot", "kernel_start", "(UTC)"]
    assert "84 boots on 14 hosts" in out
    assert "±" in out  # wall-clock estimates carry their error
    legacy = [line.split()[4] for line in out.splitlines() if line.startswith("legacy-01")]
    # syslog text: whole seconds, and kernel start from "Startup finished" (ms), within 1.1 s
    assert legacy and all(re.fullmatch(r"\d+\.\d±1\.1", gap) for gap in legacy)
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
    assert "line" in err and "1 line or entry skipped in 1 input" in err
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
    charts = sorted((tmp_path / "wiki_files").glob("*.png"))
    assert len(charts) >= 6  # one per chart kind, and a timeline per problem host kind
    said = re.search(r"wrote (\S+) and (\d+) charts", capsys.readouterr().err)
    assert said and said[1] == str(wiki) and int(said[2]) == len(charts)  # says what it wrote
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


def test_timeline_of_an_unknown_host_writes_nothing(tmp_path, capsys):
    out = tmp_path / "t.png"
    assert main(["plot", "timeline", str(SAMPLES), "--host", "nope", "-o", str(out)]) == 3
    assert "--host nope" in capsys.readouterr().err and not out.exists()
    assert main(["plot", "timeline", str(SAMPLES), "--host", "db-03", "-o", str(out)]) == 0


def run(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess[str]:
    """`python -m bootlag ARGS` in a subprocess (the real entry point, stdout not a terminal)."""
    import os

    return subprocess.run([sys.executable, "-m", "bootlag", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120, **kw)


def test_version_and_python_dash_m():
    from bootlag import __version__

    for flag in ("-V", "--version"):
        done = run(flag)
        assert done.returncode == 0 and done.stdout == f"bootlag {__version__}\n"
    assert "usage: bootlag" in run("--help").stdout


@pytest.mark.parametrize("command", ["scan", "summary", "check", "metrics", "plot", "report",
                                     "completion"])
def test_every_command_has_examples_and_a_fast_help(command):
    code = ("import sys; from bootlag.cli import main\n"
            f"try: main([{command!r}, '--help'])\nexcept SystemExit: pass\n"
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "examples:" in out and f"bootlag {command}" in out.split("examples:")[1]
    assert out.strip().endswith("False False")
    assert "%%" not in out


def test_help_texts_say_what_they_mean():
    summary = run("summary", "--help").stdout
    assert "95% bootstrap intervals" in summary
    scan = " ".join(run("scan", "--help").stdout.split())
    assert "--csv the same as --format csv" in scan
    assert "--json the same as --format jsonl" in scan
    assert "as CSV" not in scan


def test_note_column_says_why_every_unarmed_boot_is_not_armed(capsys):
    assert main(["scan", str(SAMPLES), "--host", "lab-01", "--host", "edge-01",
                 "--host", "db-03"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.split()[:1] in (["lab-01"], ["edge-01"], ["db-03"])]
    unarmed = [line for line in rows if " failed " in line or " not-armed " in line]
    assert len(unarmed) == 10  # 6 lab-01 never armed, 3 edge-01 and 1 db-03 failed (README)
    for line in unarmed:
        assert ("kexec: failed to load" in line) if " failed " in line else (
            "no crash kernel loaded, though crashkernel= reserved memory for one" in line)


def test_filters_host_since_until_boot(capsys):
    def hosts_and_starts(*args: str) -> list[tuple[str, str]]:
        assert main(["scan", str(SAMPLES), "--csv", *args]) == 0
        frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
        return list(zip(frame.host, frame.kernel_start, strict=True))

    every = hosts_and_starts()
    assert len(every) == 84
    web = hosts_and_starts("--host", "web-*")
    assert web == [(h, s) for h, s in every if h.startswith("web-")] and len(web) == 18
    since = hosts_and_starts("--since", "2025-02-01", "--until", "2025-02-02 23:59:59")
    assert since and all("2025-02-01" <= s[:10] <= "2025-02-02" for _, s in since)
    assert len(since) == sum(isinstance(s, str) and "2025-02-01" <= s[:10] <= "2025-02-02"
                             for _, s in every)  # dateless boots are left out
    latest = hosts_and_starts("--boot", "0")
    assert len(latest) == 14 and len({h for h, _ in latest}) == 14
    db03 = [s for h, s in every if h == "db-03"]
    assert hosts_and_starts("--host", "db-03", "--boot", "-1") == [("db-03", sorted(db03)[-2])]
    assert hosts_and_starts("--host", "db-03", "--boot", "1") == [("db-03", sorted(db03)[0])]
    assert main(["scan", str(SAMPLES), "--csv", "--boot", "bae78421"]) == 0
    assert pd.read_csv(io.StringIO(capsys.readouterr().out)).host.tolist() == ["db-03"]


def test_relative_times_follow_journalctl():
    import datetime as dt

    from bootlag.filters import FilterError, parse_time

    now = dt.datetime(2025, 3, 10, 15, 30, tzinfo=dt.timezone.utc)
    assert parse_time("-7d", now) == now - dt.timedelta(days=7)
    assert parse_time("-2h", now) == now - dt.timedelta(hours=2)
    assert parse_time("3 days ago", now) == now - dt.timedelta(days=3)
    assert parse_time("+1h 30min", now) == now + dt.timedelta(minutes=90)
    assert parse_time("today", now) == dt.datetime(2025, 3, 10, tzinfo=dt.timezone.utc)
    assert parse_time("yesterday", now) == dt.datetime(2025, 3, 9, tzinfo=dt.timezone.utc)
    assert parse_time("2025-01-20", now) == dt.datetime(2025, 1, 20, tzinfo=dt.timezone.utc)
    assert parse_time("2025-01-20 14:00:05+01:00", now) == dt.datetime(
        2025, 1, 20, 13, 0, 5, tzinfo=dt.timezone.utc)
    assert parse_time("@1737380000", now).year == 2025
    for bad in ("soon", "-7x", "monday", ""):
        with pytest.raises(FilterError):
            parse_time(bad, now)


def test_bad_filter_values_are_usage_errors(capsys):
    assert main(["scan", str(SAMPLES), "--since", "soon"]) == 2
    assert "not a time: 'soon'" in capsys.readouterr().err
    assert main(["scan", str(SAMPLES), "--boot", "zz"]) == 2
    assert main(["scan", str(SAMPLES), "--since", "2025-02-01", "--until", "2025-01-01"]) == 2
    assert main(["scan", str(SAMPLES), "--host", "nope"]) == 3
    assert "no boots match --host nope" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_format_and_output_file_for_every_table(tmp_path, fmt, capsys):
    out = tmp_path / f"boots.{fmt}"
    assert main(["scan", str(SAMPLES / "db-01.json"), "--format", fmt, "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    read = {"csv": pd.read_csv, "json": pd.read_json, "parquet": pd.read_parquet,
            "jsonl": lambda p: pd.read_json(p, lines=True)}[fmt]
    assert len(read(out)) == 6
    table = tmp_path / f"problems.{fmt}"
    assert main(["summary", str(SAMPLES), "--format", fmt, "--table", "problem-hosts",
                 "-o", str(table)]) == 0
    if fmt == "json":
        assert set(json.loads(table.read_text())) == {"problem_hosts"}
    else:
        hosts = read(table)  # parquet keeps the index (host) as the index
        assert "lab-01" in set(hosts.index if fmt == "parquet" else hosts["host"])
    assert main(["check", str(SAMPLES), "--format", fmt, "-o", str(tmp_path / f"c.{fmt}")]) == 1


def test_summary_table_option_in_text_format(capsys):
    assert main(["summary", str(SAMPLES), "--table", "problem-hosts"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["host", "boots"]
    assert "lab-01" in out and "How exposed" not in out


def test_parquet_alias_still_writes_the_file_and_prints_the_summary(tmp_path, capsys):
    out = tmp_path / "b.parquet"
    assert main(["scan", str(SAMPLES / "db-01.json"), "--parquet", str(out)]) == 0
    assert "6 boots on 1 host:" in capsys.readouterr().out
    assert len(pd.read_parquet(out)) == 6


def test_tables_fit_the_width_columns_asks_for():
    for width in (60, 80, 100):
        for args in (["scan", str(SAMPLES)], ["summary", str(SAMPLES)],
                     ["check", str(SAMPLES)]):
            done = run(*args, env={"COLUMNS": str(width)})
            assert done.returncode in (0, 1), done.stderr
            long = [line for line in done.stdout.splitlines() if len(line) > width
                    and not line.startswith("FAIL")]  # check's lines are sentences
            assert long == [], (width, args)
    wide = run("scan", str(SAMPLES), env={"COLUMNS": "250"}).stdout
    lab = next(line for line in wide.splitlines() if line.startswith("lab-01"))
    assert lab.endswith("no crash kernel loaded, though crashkernel= reserved memory for one")


def test_colour_only_on_a_terminal_and_never_with_no_color():
    import os
    import pty

    assert "\x1b[" not in run("scan", str(SAMPLES / "edge-01.json")).stdout  # a pipe
    for extra, coloured in (([], True), (["--no-color"], False)):
        leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        done = subprocess.run([sys.executable, "-m", "bootlag", "scan",
                               str(SAMPLES / "edge-01.json"), *extra], stdout=follower,
                              stderr=subprocess.PIPE, env={**env, "TERM": "xterm",
                                                           "COLUMNS": "200"}, timeout=120)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == 0
        text = b"".join(chunks).decode()
        assert ("\x1b[31mfailed" in text) is coloured, extra
        assert "failed" in text


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    """SIGINT while reading a pipe: exit 130, one line on stderr, no traceback."""
    import errno
    import os
    import signal
    import time

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    process = subprocess.Popen([sys.executable, "-m", "bootlag", "scan", str(fifo)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer, deadline = None, time.monotonic() + 60
    while writer is None:  # opening for writing succeeds once bootlag has it open to read
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            assert exc.errno == errno.ENXIO and time.monotonic() < deadline
            assert process.poll() is None
            time.sleep(0.05)
    try:
        os.write(writer, b"-- Logs begin at Mon 2025-01-20 10:00:00 UTC. --\n")
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        os.close(writer)
    assert process.returncode == 130
    assert err == "bootlag: error: interrupted\n"


def test_plot_says_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "t.svg"
    assert main(["plot", "timeline", str(SAMPLES), "--host", "db-03", "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"wrote {out} (timeline of db-03, 6 boots)\n"
    assert main(["plot", "gaps", str(SAMPLES), "-q", "-o", str(out)]) == 0
    assert capsys.readouterr().err == ""


def test_completion_scripts_complete_commands_options_and_choices(tmp_path):
    import shutil

    bash = run("completion", "bash")
    assert bash.returncode == 0 and "complete -o filenames -F _bootlag bootlag" in bash.stdout
    script = tmp_path / "bootlag.bash"
    script.write_text(bash.stdout)

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        code = (f"source {script}; COMP_WORDS=(bootlag {line}); COMP_CWORD={len(words)}; "
                "_bootlag; printf '%s\\n' \"${COMPREPLY[@]}\"")
        return subprocess.run(["bash", "-c", code], capture_output=True, text=True,
                              cwd=tmp_path, check=True).stdout.split()

    assert complete("ch") == ["check"]
    assert complete("check", "--req") == ["--require"]
    assert complete("check", "--require", "e") == ["early-kdump"]
    assert complete("scan", "--format", "js") == ["json", "jsonl"]
    assert complete("plot", "over") == ["over-time"]
    zsh = run("completion", "zsh").stdout
    assert zsh.startswith("#compdef bootlag") and "(early-kdump kdump any)" in zsh
    if shutil.which("zsh"):
        (tmp_path / "_bootlag").write_text(zsh)
        subprocess.run(["zsh", "-n", str(tmp_path / "_bootlag")], check=True)
        registered = subprocess.run(
            ["zsh", "-fc", f"fpath=({tmp_path} $fpath); autoload -U compinit; compinit -u -D; "
                           "print $_comps[bootlag]"], capture_output=True, text=True, timeout=60)
        assert registered.stdout.strip() == "_bootlag"


@pytest.mark.skipif(not __import__("shutil").which("zsh"), reason="zsh is not installed")
def test_zsh_completes_choices_in_an_interactive_shell(tmp_path):
    """Tab after --require in a real interactive zsh (driven through zpty) lists the modes."""
    (tmp_path / "_bootlag").write_text(run("completion", "zsh").stdout)
    driver = tmp_path / "drive.zsh"
    driver.write_text(f"""zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z 'PS1="%% "; fpath=({tmp_path} $fpath); autoload -U compinit; compinit -u -D'
zpty -w -n z $'bootlag check --require \\t'
out=""
for i in {{1..150}}; do  # up to 30 s for the listing: typed input waits in the terminal
  zpty -r -t z chunk && out+=$chunk
  [[ $out == *early-kdump* ]] && break
  sleep 0.2
done
print -r -- "$out"
zpty -d z
""")
    import os

    bindir = os.path.dirname(sys.executable)
    done = subprocess.run(["zsh", "-f", str(driver)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"})
    listed = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", done.stdout).split("--require", 1)[-1]
    assert {"any", "early-kdump", "kdump"} <= set(listed.split()), done.stdout


def test_man_page_is_generated_from_the_parser_and_renders_cleanly(tmp_path):
    import shutil

    root = Path(__file__).resolve().parent.parent
    tool = [sys.executable, str(root / "tools" / "make_manpage.py")]
    fresh = subprocess.run([*tool, "-o", "-"], capture_output=True, text=True, check=True,
                           timeout=60).stdout
    assert "\\-\\-require" in fresh and "\\-\\-max\\-gap" in fresh  # every command's options
    assert subprocess.run([*tool, "--check"], capture_output=True, timeout=60).returncode == 0, \
        "man/bootlag.1 is out of date: run python tools/make_manpage.py"
    if shutil.which("groff"):
        lint = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=fresh,
                              capture_output=True, text=True, timeout=60)
        assert lint.returncode == 0 and lint.stderr == "", lint.stderr


def test_layout_fits_a_width_without_losing_a_word():
    from bootlag.termtable import layout, paint

    cells = [["host", "gap_s", "loader", "note"],
             ["db-03", "-", "-", "kexec: failed to load early-kdump kernel"],
             ["web-01", "2.500", "early-kdump", ""]]
    right = [False, True, False, False]
    whole = layout(cells, right, None)
    assert whole.splitlines()[1].endswith("kexec: failed to load early-kdump kernel")
    for width in (30, 40, 50, 70):
        text = layout(cells, right, width, spare=[2], below=True)
        assert max(map(len, text.splitlines())) <= width, (width, text)
        words = " ".join(text.split())
        assert "kexec: failed to load early-kdump kernel" in words  # wrapped, not cut
        loader = "early-kdump" in words.replace("early-kdump kernel", "")
        assert loader == (width >= 44)  # 28 columns before the note, and 16 for it
    figures = [["setup", *[f"c{i}" for i in range(8)]], ["kdump", *["12.5 s"] * 8]]
    blocks = layout(figures, [False] + [True] * 8, 30)
    assert all(len(line) <= 30 for line in blocks.splitlines())
    assert blocks.count("kdump") == 3 and all(f"c{i}" in blocks for i in range(8))
    coloured = layout(cells, right, None, style=lambda r, c, t: paint(t, "red") if r and c == 0
                      else t)
    assert coloured.replace("\x1b[31m", "").replace("\x1b[0m", "") == whole  # same layout


def test_ctrl_c_while_worker_processes_read_is_one_line_too(tmp_path):
    """-j 2: the terminal's SIGINT reaches the workers too, a busy one and an idle one
    (waiting for work, where Python would print a traceback); none may print anything."""
    import os
    import signal
    import time

    code = f"""
import os, sys, time
import bootlag.scanner as scanner
read = scanner.read_source
def stuck(task):  # db-01 is read at once (that worker then idles); the other takes forever
    if task[0].name.endswith("db-01.json"):
        open(os.path.join({str(tmp_path)!r}, "idle"), "w").close()
        return read(task)
    open(os.path.join({str(tmp_path)!r}, "reading"), "w").close()
    time.sleep(600)
scanner.read_source = stuck
from bootlag.cli import main
sys.exit(main(["scan", "-j", "2", *{[str(SAMPLES / n) for n in ("db-01.json", "app-02.json")]!r}]))
"""
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not ((tmp_path / "idle").exists() and (tmp_path / "reading").exists()):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr
        time.sleep(0.05)
    time.sleep(0.5)  # not a timing assertion: lets the fast worker go back to waiting
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err == "bootlag: error: interrupted\n"
