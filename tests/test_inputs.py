"""What a command reads: pipes and stdin, the local journal, -D and --file, and nothing at all.

Pipes are fed by the real journalctl in a separate process, into `python -m bootlag` in
another, as an operator's shell would; the truth is the boots written, and the scan of the
same data from a file.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bootlag import sources, synth
from bootlag.cli import main
from tests.helpers import boots_at

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
NAMES = ["source", "armed_line"]  # the only columns that name where a boot was read from
ENV = {**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8", "SYSTEMD_COLORS": "0",
       "SYSTEMD_PAGER": "", "COLUMNS": "200"}


def bootlag(*args: str, stdin: int | None = None, timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bootlag", *args], stdin=stdin,
                          capture_output=True, text=True, env=ENV, timeout=timeout)


def table(csv: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(csv)).drop(columns=NAMES)


@pytest.fixture(scope="module")
def journal(tmp_path_factory) -> tuple[Path, list[synth.Boot]]:
    """A real .journal of two hosts (kdump and early kdump, one failed boot)."""
    boots = (boots_at("2025-03-01 08:00:00", "2025-03-02 08:00:00", host="pipe-01")
             + boots_at("2025-03-01 09:00:00", host="pipe-02", mode="early-kdump", seed=8)
             + boots_at("2025-03-03 09:00:00", host="pipe-02", outcome="failed", seed=9))
    path = tmp_path_factory.mktemp("pipes") / "system.journal"
    synth.write_journal(synth.to_export(boots), str(path))
    return path, boots


@pytest.mark.parametrize("fmt", ["json", "export", "short-monotonic"])
def test_journalctl_piped_into_scan_dash_equals_the_file(journal, tmp_path, fmt):
    path, boots = journal
    saved = tmp_path / f"log.{fmt}"
    saved.write_bytes(synth.render(str(path), fmt))
    from_file = bootlag("scan", str(saved), "--format", "csv")
    assert from_file.returncode == 0, from_file.stderr
    with subprocess.Popen(["journalctl", "--file", str(path), "-o", fmt, "--no-pager"],
                          stdout=subprocess.PIPE, env=ENV) as journalctl:
        piped = bootlag("scan", "-", "--format", "csv", stdin=journalctl.stdout.fileno())
        journalctl.stdout.close()
    assert journalctl.returncode == 0
    assert piped.returncode == 0, piped.stderr
    expected = table(from_file.stdout)
    assert len(expected) == len(boots)  # the truth: every boot written is found
    pd.testing.assert_frame_equal(table(piped.stdout), expected)
    assert set(pd.read_csv(io.StringIO(piped.stdout)).source) == {"<stdin>"}


def test_dev_stdin_and_process_substitution(journal, tmp_path):
    path, boots = journal
    saved = tmp_path / "log.json"
    saved.write_bytes(synth.render(str(path), "json"))
    expected = table(bootlag("scan", str(saved), "--csv").stdout)
    assert len(expected) == len(boots)
    with open(saved, "rb") as f:
        dev_stdin = bootlag("scan", "/dev/stdin", "--csv", stdin=f.fileno())
    assert dev_stdin.returncode == 0, dev_stdin.stderr
    pd.testing.assert_frame_equal(table(dev_stdin.stdout), expected)
    command = (f"{sys.executable} -m bootlag scan --csv "
               f"<(journalctl --file {path} -o json --no-pager)")
    substituted = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                                 env=ENV, timeout=120)
    assert substituted.returncode == 0, substituted.stderr
    pd.testing.assert_frame_equal(table(substituted.stdout), expected)


def test_binary_journal_and_compressed_data_through_a_pipe(journal, tmp_path):
    """The binary reader needs random access, and gzip a magic number: both work from a pipe."""
    path, boots = journal
    expected = table(bootlag("scan", str(path), "--csv").stdout)
    assert len(expected) == len(boots)
    with open(path, "rb") as f:
        piped = bootlag("scan", "-", "--csv", stdin=f.fileno())
    assert piped.returncode == 0, piped.stderr
    pd.testing.assert_frame_equal(table(piped.stdout), expected)
    packed = tmp_path / "log.json.gz"
    packed.write_bytes(__import__("gzip").compress(synth.render(str(path), "json")))
    with open(packed, "rb") as f:
        gz = bootlag("scan", "-", "--csv", "-j", "2", stdin=f.fileno())
    assert gz.returncode == 0, gz.stderr
    assert len(table(gz.stdout)) == len(boots)


def test_every_command_reads_stdin(journal, tmp_path):
    path, _ = journal
    for args in (["summary", "-"], ["check", "-"], ["metrics", "-"],
                 ["plot", "gaps", "-", "-o", str(tmp_path / "gaps.svg")],
                 ["report", "-", "-o", str(tmp_path / "r.md")]):
        with open(path, "rb") as f:
            done = bootlag(*args, stdin=f.fileno())
        assert done.returncode in (0, 1), (args, done.stderr)  # check: pipe-02 failed: 1
        assert "pipe-0" in done.stdout + done.stderr or args[0] in ("plot", "report")
    assert (tmp_path / "gaps.svg").read_text().lstrip().startswith("<?xml")
    assert "pipe-02" in (tmp_path / "r.md").read_text()


def _local(tmp_path: Path, monkeypatch, journal_file: Path | None) -> list[Path]:
    """Stand-ins for /var/log/journal and /run/log/journal, with `journal_file` in the first."""
    dirs = [tmp_path / "var/log/journal", tmp_path / "run/log/journal"]
    for d in dirs:
        (d / "0123456789abcdef0123456789abcdef").mkdir(parents=True)
    if journal_file is not None:
        shutil.copy(journal_file, dirs[0] / "0123456789abcdef0123456789abcdef/system.journal")
    monkeypatch.setattr(sources, "LOCAL_JOURNAL_DIRS", tuple(map(str, dirs)))
    return dirs


def test_no_path_reads_the_local_journal(journal, tmp_path, monkeypatch, capsys):
    path, boots = journal
    _local(tmp_path, monkeypatch, path)
    assert main(["scan", "--csv"]) == 0
    local = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(local) == len(boots)
    assert sorted(local.host.unique()) == ["pipe-01", "pipe-02"]
    assert local.source.str.endswith("system.journal").all()


def test_an_empty_local_journal_is_exit_3_and_says_where(tmp_path, monkeypatch, capsys):
    dirs = _local(tmp_path, monkeypatch, None)
    for command in (["scan"], ["summary"], ["check"], ["metrics"]):
        assert main(command) == 3
        err = capsys.readouterr().err
        assert f"no journal found in {dirs[0]}, {dirs[1]}" in err
    assert main(["report", "-o", str(tmp_path / "r.html")]) == 3
    assert main(["plot", "gaps", "-o", str(tmp_path / "g.png")]) == 3
    assert main(["metrics", "-o", str(tmp_path / "m.prom")]) == 3
    assert not [p for p in tmp_path.iterdir() if p.is_file()]  # no empty outputs


def test_directory_and_file_options(journal, tmp_path, capsys):
    path, boots = journal
    where = tmp_path / "copied"
    (where / "mid").mkdir(parents=True)
    shutil.copy(path, where / "mid" / "system@0001-0002.journal")
    (where / "mid" / "README.txt").write_text("not a journal\n")  # -D reads *.journal only
    assert main(["scan", "-D", str(where), "--csv"]) == 0
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == len(boots)
    assert main(["scan", "--file", str(where / "mid" / "*.journal"), "--csv"]) == 0
    assert len(pd.read_csv(io.StringIO(capsys.readouterr().out))) == len(boots)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["scan", "-D", str(empty)]) == 3
    assert f"no journal found in {empty}" in capsys.readouterr().err
    assert main(["scan", "-D", str(tmp_path / "nope")]) == 2


def test_an_empty_directory_or_file_is_nothing_found(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    for command in (["scan", str(empty)], ["scan", str(empty), "--json"],
                    ["summary", str(empty)], ["summary", str(empty), "--json"],
                    ["check", str(empty)], ["metrics", str(empty)],
                    ["report", str(empty), "-o", str(out / "r.html")],
                    ["plot", "gaps", str(empty), "-o", str(out / "g.png")]):
        assert main(command) == 3, command
        captured = capsys.readouterr()
        assert f"no journal found in {empty}" in captured.err
        assert captured.out == ""
    assert list(out.iterdir()) == []
    (empty / "blank.log").write_text("\n\n")
    assert main(["scan", str(empty)]) == 3
    assert "no input could be read (1 input tried" in capsys.readouterr().err


def test_json_outputs_end_without_a_blank_line(capsys):
    for command in (["scan", str(SAMPLES / "db-01.json"), "--json"],
                    ["scan", str(SAMPLES / "db-01.json"), "--format", "json"],
                    ["summary", str(SAMPLES / "db-01.json"), "--json"],
                    ["check", str(SAMPLES / "db-01.json"), "--format", "json"]):
        main(command)
        out = capsys.readouterr().out
        assert out.endswith("\n") and not out.endswith("\n\n"), command


def test_not_a_journal_says_so(tmp_path, capsys):
    png = tmp_path / "chart.png"
    assert main(["plot", "gaps", str(SAMPLES / "db-01.json"), "-o", str(png), "-q"]) == 0
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n"
                      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
    for path in (png, passwd):
        assert main(["scan", str(path)]) == 3
        err = capsys.readouterr().err
        assert str(path) in err and "not a journal" in err
    assert "-o cat" not in err.split("if it is")[0]  # the cat hint only as a conditional


def test_a_sosreport_tarball_through_a_pipe_is_read_like_the_file(tmp_path):
    """`ssh host cat sosreport.tar.xz | bootlag scan -`: the zone and year come from the
    report, as when the tarball is named."""
    import tarfile

    from tests.helpers import rendered
    from tests.test_sos import ZONE, make_sos

    boots = boots_at("2024-12-20T10:00:00", "2025-01-10T10:00:00", host="web-01")
    short = rendered(tmp_path, boots, "short", tz=ZONE).read_bytes()
    sos = make_sos(tmp_path / "tree", short, tailed=False)
    archive = tmp_path / f"{sos.name}.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(sos, arcname=sos.name)
    named = bootlag("scan", str(archive), "--csv")
    with open(archive, "rb") as f:
        piped = bootlag("scan", "-", "--csv", stdin=f.fileno())
    assert named.returncode == 0 and piped.returncode == 0, piped.stderr
    pd.testing.assert_frame_equal(table(piped.stdout), table(named.stdout))
    frame = pd.read_csv(io.StringIO(piped.stdout))
    assert len(frame) == len(boots) and set(frame.text_tz) == {ZONE}
    assert frame.source.str.startswith("<stdin>:sosreport-web-01-").all()
