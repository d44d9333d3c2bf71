"""bootlag.report: findings, Markdown and HTML, and the HTML as a real browser renders it."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image
import numpy as np
import pytest

import bootlag
from bootlag import report
from tests.helpers import boot, boots_frame

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


@pytest.fixture(scope="module")
def sample_boots():
    return bootlag.scan([str(SAMPLES)])


def _fleet():
    rows = []
    for i in range(5):
        rows += [boot(f"h{i}", 20.0 + i), boot(f"h{i}", 2.0 + i / 10, mode="early-kdump")]
    rows += [boot("<script>alert(1)</script>", status="failed"),
             boot("late", 30.0, rd_earlykdump=True), boot("txt", 1.5, clock="realtime",
                                                          mode="early-kdump")]
    return boots_frame(*rows)


def _figures(boots) -> list[str]:
    """The report's figure ids for `boots`: every chart, and the timelines it has hosts for."""
    hosts = report._timeline_hosts(boots)
    return [f for f, kind, _ in report.FIGURES if kind != "timeline" or f in hosts]


def test_findings_state_the_answers():
    sentences = report.findings(_fleet())
    assert sentences[0] == "13 boots on 8 hosts: 12 armed, 1 failed."
    assert sentences[1] == ("Boots armed by early kdump were protected after a median 2.2 s "
                            "(p90 2.4 s), boots armed by the kdump service after 22.5 s "
                            "(p90 27.0 s).")  # "late" armed by kdumpctl: kdump
    assert sentences[2].startswith("Early kdump shortened the median gap by 20.3 s (95% interval")
    assert "10.2× shorter" in sentences[2]
    assert "6 kdump boots and 5 early-kdump boots" in sentences[2]
    assert "too narrow" not in sentences[2]  # five hosts a side: hosts were resampled
    assert sentences[3] == ("On the 5 hosts that booted both ways, each host's median gap fell "
                            "by 19.8 s at the median (from 18.0 s to 21.6 s).")
    assert sentences[4].startswith("2 hosts need a look: <script>alert(1)</script> (arming")
    assert "late (early kdump configured but not armed early in 1 of 1 boot;" in sentences[4]
    assert sentences[5].startswith("1 boot armed with only a wall-clock time: its gap is a lower "
                                   "bound")


def test_findings_in_the_singular_and_when_early_kdump_is_slower():
    frame = boots_frame(boot("a", 10.0), boot("b", 18.0, mode="early-kdump"),
                        boot("c", status="failed"))
    sentences = report.findings(frame)
    assert sentences[0] == "3 boots on 3 hosts: 2 armed, 1 failed."
    assert sentences[2].startswith("Early kdump lengthened the median gap by 8.0 s")
    assert "1.8× longer" in sentences[2] and "1 kdump boot and 1 early-kdump boot" in sentences[2]
    assert "interval leaves out host-to-host variation" in sentences[2]
    assert sentences[3] == "1 host needs a look: c (arming failed in 1 of 1 boot)."


def test_capture_kernel_boots_are_counted_apart():
    frame = boots_frame(boot("a", 10.0), boot("a", status="not-armed", capture_kernel=True))
    assert report.findings(frame)[-1] == (
        "1 boot of a kdump capture kernel (saving a vmcore) is not counted as exposure.")


def test_findings_of_nothing():
    assert report.findings(boots_frame()) == ["No boots were found in the inputs."]


def test_html_is_one_self_contained_page_with_every_chart():
    page = report.html(_fleet())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    ids = re.findall(r"<figure id='chart-([\w-]+)'>", page)
    assert ids == _figures(_fleet()) == [figure for figure, _, _ in report.FIGURES]
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == len(ids)
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r"(src|href)=['\"](https?:|//)", page)  # nothing fetched from outside
    # Host names come from the logs: they are text, never markup.
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ">nan<" not in page.lower()
    for heading in ("How exposed is the fleet?", "What does early kdump buy?",
                    "Which hosts are the problem?", "Method and caveats", "Every boot"):
        assert heading in page


def test_every_boot_is_listed_with_its_status(sample_boots):
    page = report.html(sample_boots)
    every = page.split("<h2>Every boot</h2>")[1].split("</table>")[0]
    assert every.count("<tr>") == len(sample_boots) + 1
    for status in ("failed", "not-armed"):
        assert every.count(f">{status}<") == int(sample_boots["status"].eq(status).sum())
    assert every.count("≥") == int((sample_boots["clock"].eq("realtime")
                                    & sample_boots["gap_s"].notna()).sum())


def test_markdown_links_the_charts_it_wrote(tmp_path):
    written = report.write(_fleet(), tmp_path / "review.md")
    text = written[0].read_text()
    links = re.findall(r"!\[[\w-]+\]\(([^)]+)\)", text)
    assert len(links) == len(report.FIGURES) and len(written) == len(links) + 1
    for link in links:
        assert (tmp_path / link).read_bytes().startswith(b"\x89PNG")
    assert "| host | kdump boots |" in text
    every = text.split("## Every boot")[1].split("##")[0].strip().splitlines()
    assert len(every) == 2 + 13 and {line.count(" | ") for line in every[2:]} == {8}
    assert "<script>" not in text and "&lt;script&gt;" in text  # wikis render raw HTML


def test_markdown_shows_hostile_log_text_literally(tmp_path):
    hostile = ["![x](http://evil.example/p.png)", "<img src=x onerror=alert(1)>", "a|b\nc",
               "**bold** _it_ `code` [link](http://evil.example)"]
    frame = boots_frame(*[boot(name, status="failed", failure=name) for name in hostile],
                        boot("ok", 20.0), boot("ok2", 2.0, mode="early-kdump"))
    written = report.write(frame, tmp_path / "my review.md")
    text = written[0].read_text()
    assert "<img" not in text and "**bold**" not in text
    assert not re.search(r"(?<!\\)\]\(http", text)  # no link or image syntax left whole
    assert "a\\|b c" in text  # the pipe escaped, the newline folded
    assert {p.name for p in written[1:]} == {f"{figure}.png" for figure in _figures(frame)}
    assert "](my%20review_files/gaps.png)" in text
    (tmp_path / "my review_files" / "stale.png").write_bytes(b"old")
    assert len(report.write(frame, tmp_path / "my review.md")) == 1 + len(_figures(frame))


def test_text_aligns_figures_right_and_words_left():
    out = report.text(_fleet())
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("set up for"))
    assert lines[header + 1].startswith("early-kdump ")
    assert re.search(r"\s22\.0 s\s", lines[header + 2])  # kdump median, right-aligned


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    raise AssertionError("Chromium is needed for this test: apt-get install chromium")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

# Appended to a copy of the report: the page itself has no script. It records what
# the browser made of each chart image.
PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.querySelectorAll('figure img')];
  document.body.setAttribute('data-charts',
    imgs.map(i => `${i.closest('figure').id}:${i.complete}:${i.naturalWidth}x${i.naturalHeight}`)
        .join(' '));
});
</script>"""


def test_report_renders_in_headless_chromium(tmp_path, sample_boots):
    page = tmp_path / "report.html"
    report.write(sample_boots, page)
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    profile = tmp_path / "profile"
    run = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
           "--virtual-time-budget=10000"]
    env = {**os.environ, "HOME": str(tmp_path)}
    dom = subprocess.run([*run, "--dump-dom", probed.as_uri()], capture_output=True, text=True,
                         timeout=120, env=env).stdout
    charts = re.search(r'data-charts="([^"]*)"', dom)
    assert charts, dom[:500]
    seen = dict(item.split(":", 1) for item in charts.group(1).split())
    assert set(seen) == {f"chart-{figure}" for figure in _figures(sample_boots)}
    for decoded in seen.values():
        complete, size = decoded.split(":")
        width, height = (int(x) for x in size.split("x"))
        assert complete == "true" and width >= 800 and height >= 400

    shot = tmp_path / "report.png"
    subprocess.run([*run, "--window-size=1280,6000", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, env=env, check=True)
    pixels = matplotlib.image.imread(shot)[..., :3]
    rgb = np.round(pixels * 255).astype(int).reshape(-1, 3)
    # The charts' colours (early kdump blue, kdump orange) were painted on the page.
    for colour in ((0x00, 0x72, 0xB2), (0xE6, 0x9F, 0x00)):
        near = np.abs(rgb - np.array(colour)).sum(axis=1) < 30
        assert near.sum() > 500, f"colour {colour} barely on the page"
    if os.environ.get("BOOTLAG_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["BOOTLAG_KEEP_SCREENSHOT"])
