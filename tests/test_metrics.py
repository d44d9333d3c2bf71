"""`bootlag metrics` for real: promtool's checks, and the real node_exporter serving the file.

The journal is written by systemd-journal-remote from boots of known truth; every value
scraped is compared with that truth, not with another bootlag output.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bootlag import metrics, synth
from bootlag.cli import main
from tests.helpers import boot, boots_at, boots_frame

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

ROOT = Path(__file__).resolve().parent.parent
PROMTOOL = shutil.which("promtool")
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool (apt-get install "
                                                             "prometheus) is not installed")
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? "
                     r"(?P<value>\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """(name, labels, value) of every sample in Prometheus text (comments skipped)."""
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            m = _SAMPLE.match(line)
            assert m, line
            out.append((m["name"], dict(_LABEL.findall(m["labels"] or "")), float(m["value"])))
    return out


def value(found: list, name: str, **labels: str) -> float:
    matches = [v for n, ls, v in found if n == name and all(ls.get(k) == w
                                                             for k, w in labels.items())]
    assert len(matches) == 1, (name, labels, matches)
    return matches[0]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """A real journal: one host armed early, one by kdumpctl, one whose latest boot failed."""
    boots = (boots_at("2025-03-01 08:00:00", host="early-01", mode="early-kdump")
             + boots_at("2025-03-01 08:00:00", "2025-03-05 08:00:00", host="late-01", seed=6)
             + boots_at("2025-03-01 09:00:00", host="bad-01", mode="early-kdump", seed=8)
             + boots_at("2025-03-06 09:00:00", host="bad-01", outcome="failed", seed=9))
    path = tmp_path_factory.mktemp("metrics") / "fleet.journal"
    return synth.write_journal(synth.to_export(boots), str(path)), boots


def test_metrics_of_each_hosts_latest_boot_are_the_truth(fleet, capsys):
    path, boots = fleet
    assert main(["metrics", path]) == 0
    found = samples(capsys.readouterr().out)
    latest = {b.host: b for b in sorted(boots, key=lambda b: b.start_us)}
    for host, truth in latest.items():
        armed = value(found, "bootlag_armed", host=host, boot_id=truth.boot_id)
        assert armed == (truth.status == "armed")
        start = value(found, "bootlag_kernel_start_timestamp_seconds", host=host)
        assert abs(start - truth.start_us / 1e6) < 1e-3  # the true kernel start, unix seconds
        if truth.status == "armed":
            gap = value(found, "bootlag_gap_seconds", host=host, mode=truth.mode,
                        status="armed", clock="monotonic")
            assert gap == pytest.approx(truth.gap_s, abs=1e-6)
    assert not [s for s in found if s[0] == "bootlag_gap_seconds" and s[1]["host"] == "bad-01"]
    assert value(found, "bootlag_armed", host="bad-01", status="failed", mode="none") == 0
    # The histogram counts every boot's exact gap, the older ones too.
    for mode in ("kdump", "early-kdump"):
        gaps = [b.gap_s for b in boots if b.status == "armed" and b.mode == mode]
        assert value(found, "bootlag_fleet_gap_seconds_count", mode=mode) == len(gaps)
        assert value(found, "bootlag_fleet_gap_seconds_sum", mode=mode) == pytest.approx(
            sum(gaps), abs=1e-5)
        for le in ("1", "5", "30", "+Inf"):
            assert value(found, "bootlag_fleet_gap_seconds_bucket", mode=mode, le=le) == sum(
                g <= float(le) for g in gaps)
    assert value(found, "bootlag_boots", status="failed") == 1
    assert value(found, "bootlag_boots", status="armed") == len(boots) - 1


def test_label_values_are_escaped():
    frame = boots_frame(boot('we"ird\\host\nx', 2.0, "early-kdump", "2025-01-01 00:00"))
    text = metrics.text(frame)
    assert 'host="we\\"ird\\\\host\\nx"' in text
    found = samples(text)
    assert value(found, "bootlag_armed") == 1
    assert math.isclose(value(found, "bootlag_gap_seconds"), 2.0)


def test_write_is_atomic_and_leaves_no_temporary_file(fleet, tmp_path, monkeypatch):
    path, _ = fleet
    target = tmp_path / "bootlag.prom"
    target.write_text("old\n")
    assert main(["metrics", path, "-o", str(target), "-q"]) == 0
    assert target.read_text().startswith("# HELP bootlag_gap_seconds")
    assert oct(target.stat().st_mode & 0o777) == "0o644"  # node_exporter runs as its own user
    assert [p.name for p in tmp_path.iterdir()] == ["bootlag.prom"]

    def broken(*args, **kwargs):  # the rename fails: the old file stays whole, no temp left
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    assert main(["metrics", path, "-o", str(target)]) == 2
    assert target.read_text().startswith("# HELP bootlag_gap_seconds")
    assert [p.name for p in tmp_path.iterdir()] == ["bootlag.prom"]


@needs_promtool
def test_promtool_accepts_the_metrics(fleet):
    path, _ = fleet
    for source in (path, str(ROOT / "sample_logs")):
        text = subprocess.run([sys.executable, "-m", "bootlag", "metrics", source],
                              capture_output=True, text=True, check=True, timeout=120).stdout
        lint = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                              text=True, timeout=60)
        assert lint.returncode == 0, lint.stdout + lint.stderr
        assert lint.stdout + lint.stderr == ""  # not even a lint warning


@needs_promtool
def test_promtool_checks_and_tests_the_alerting_rules():
    rules = ROOT / "contrib" / "prometheus" / "bootlag.rules.yml"
    checked = subprocess.run([PROMTOOL, "check", "rules", str(rules)], capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0 and "SUCCESS: 3 rules found" in checked.stdout, checked
    tested = subprocess.run([PROMTOOL, "test", "rules", "bootlag_rules_test.yml"],
                            cwd=ROOT / "tests" / "prometheus", capture_output=True, text=True,
                            timeout=60)
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scrape(url: str, process: subprocess.Popen, deadline_s: float = 20.0) -> str:
    """GET `url` once the exporter answers, within `deadline_s` seconds."""
    stop = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > stop:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(NODE_EXPORTER is None, reason="prometheus-node-exporter is not installed")
def test_node_exporter_serves_the_samples(fleet, tmp_path):
    path, boots = fleet
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    assert main(["metrics", path, "-q", "-o", str(textfiles / "bootlag.prom")]) == 0
    port = _free_port()
    exporter = subprocess.Popen(
        [NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
         "--collector.textfile", f"--collector.textfile.directory={textfiles}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        text = _scrape(f"http://127.0.0.1:{port}/metrics", exporter)
    finally:
        exporter.terminate()
        try:
            exporter.wait(timeout=10)
        except subprocess.TimeoutExpired:
            exporter.kill()
            exporter.wait(timeout=10)
        exporter.stderr.close()
    found = samples(text)
    assert value(found, "node_textfile_scrape_error") == 0
    failed = next(b for b in boots if b.status == "failed")
    assert value(found, "bootlag_armed", host="bad-01", boot_id=failed.boot_id,
                 status="failed") == 0
    early = next(b for b in boots if b.host == "early-01")
    assert value(found, "bootlag_gap_seconds", host="early-01") == pytest.approx(early.gap_s,
                                                                                abs=1e-6)
    assert value(found, "bootlag_fleet_gap_seconds_count", mode="kdump") == 2


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_units_verify(tmp_path):
    """The contrib service and timer load without a warning (the service's bootlag path
    pointed at this one, since systemd-analyze checks that the program exists)."""
    units = ROOT / "contrib" / "systemd"
    service = (units / "bootlag-metrics.service").read_text()
    assert "ExecStart=/usr/local/bin/bootlag metrics -q -o " in service
    bootlag = shutil.which("bootlag") or sys.executable
    (tmp_path / "bootlag-metrics.service").write_text(
        service.replace("/usr/local/bin/bootlag", bootlag))
    shutil.copy(units / "bootlag-metrics.timer", tmp_path)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no",
                           str(tmp_path / "bootlag-metrics.timer"),
                           str(tmp_path / "bootlag-metrics.service")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr
    assert "OnBootSec=5min" in (units / "bootlag-metrics.timer").read_text()
