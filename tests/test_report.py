"""bootlag.report: findings, Markdown and HTML, and the HTML as a real browser renders it."""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image
import numpy as np
import pandas as pd
import pytest

import bootlag
from bootlag import report, stats
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
    return [figure.id for figure in report.figures(boots)]


def test_findings_state_the_answers():
    sentences = report.findings(_fleet())
    assert sentences[0] == "13 boots on 8 hosts: 12 armed, 1 failed."
    # One headline median per mode, saying what it counts ("late" armed by kdumpctl: kdump).
    assert sentences[1] == ("Median protection gap (the headline figure; exact or estimated "
                            "gaps, by what armed the boot): 22.5 s for the 6 boots armed by "
                            "the kdump service (p90 27.0 s), 2.2 s for the 5 boots armed by "
                            "early kdump (p90 2.4 s).")
    assert sentences[2].startswith("Early kdump shortened the median gap by 20.3 s (95% interval")
    assert "10.2× shorter" in sentences[2]
    assert "too narrow" not in sentences[2]  # five hosts a side: hosts were resampled
    # Savings of 18.0, 19.0, ... 21.6 s: the range is of the savings, and says so.
    assert sentences[3] == ("On the 5 hosts that booted both ways, each host's median gap fell "
                            "by 19.8 s at the median (the hosts' savings ranged from 18.0 s to "
                            "21.6 s).")
    assert sentences[4].startswith("2 hosts need a look: <script>alert(1)</script> (arming")
    assert "late (early kdump configured but not armed early in 1 of 1 boot;" in sentences[4]
    assert sentences[5].startswith("1 boot armed with only a wall-clock time: its gap is a lower "
                                   "bound")


def test_findings_in_the_singular_and_when_early_kdump_is_slower():
    frame = boots_frame(boot("a", 10.0), boot("b", 18.0, mode="early-kdump"),
                        boot("c", status="failed"))
    sentences = report.findings(frame)
    assert sentences[0] == "3 boots on 3 hosts: 2 armed, 1 failed."
    assert "10.0 s for the 1 boot armed by the kdump service" in sentences[1]
    assert sentences[2].startswith("Early kdump lengthened the median gap by 8.0 s")
    assert "1.8× longer" in sentences[2]
    assert "interval leaves out host-to-host variation" in sentences[2]
    assert sentences[3] == "1 host needs a look: c (arming failed in 1 of 1 boot)."


def test_undated_boots_are_counted_among_the_boots_not_added_to_them():
    frame = boots_frame(boot("a", 10.0, kernel_start="2025-01-02T00:00:00Z"),
                        boot("a", 11.0, kernel_start="2025-01-05T00:00:00Z"),
                        boot("b", 2.0, mode="early-kdump"))  # short-monotonic: no date
    assert report.findings(frame)[0] == ("3 boots on 2 hosts from 2025-01-02 to 2025-01-05 (1 of "
                                         "them with no calendar date): 3 armed.")


def test_one_switched_host_and_savings_of_both_signs():
    one = boots_frame(boot("a", 20.0), boot("a", 5.0, mode="early-kdump"))
    assert ("On a, the one host that booted both ways, the median gap fell by 15.0 s."
            in report.findings(one))
    mixed = boots_frame(boot("a", 20.0), boot("a", 5.0, mode="early-kdump"),
                        boot("b", 4.0), boot("b", 6.0, mode="early-kdump"),
                        boot("c", 30.0), boot("c", 3.0, mode="early-kdump"))
    assert ("On the 3 hosts that booted both ways, each host's median gap fell by 15.0 s at the "
            "median (from a rise of 2.0 s to a saving of 27.0 s).") in report.findings(mixed)


def test_only_one_mode_still_gets_its_headline_median():
    frame = boots_frame(boot("a", 10.0), boot("b", 30.0))
    assert report.findings(frame)[1] == (
        "Median protection gap (the headline figure; exact or estimated gaps, by what armed the "
        "boot): 20.0 s for the 2 boots armed by the kdump service (p90 28.0 s); no boot armed "
        "by early kdump has an exact or estimated gap.")


def test_the_other_medians_say_what_they_count(sample_boots):
    shown = report.display_tables(report.tables(sample_boots))
    # The sample fleet's three kdump medians: 25.5 s by mode (the headline), 25.4 s by setup
    # (db-03's late boots count as early-kdump set-ups) and 25.4 s, the median of the five
    # switched hosts' medians.
    headline = [s for s in report.findings(sample_boots) if s.startswith("Median protection gap")]
    # 45: 33 exact gaps and 12 wall-clock estimates anchored on "Startup finished"
    assert "25.5 s for the 45 boots armed by the kdump service" in headline[0]
    assert shown["exposure"].table.loc["kdump", "median"] == "25.4 s"
    assert ("The median here counts boots by setup (kdump: 25.4 s); the headline kdump median of "
            "the findings counts the boots the kdump service armed (25.5 s).") \
        in shown["exposure"].note
    comparison = shown["comparison"].table
    assert comparison.loc["median of boots (headline)", "kdump"] == "25.5 s"
    assert comparison.loc["per host (paired)", "kdump"] == "25.4 s"
    assert "medians of the hosts' own medians" in shown["comparison"].note


def test_method_and_problem_codes_in_words():
    assert report.method_words("median", "hosts") == "bootstrap over hosts"
    assert report.method_words("p90", "boots").startswith("bootstrap over boots (fewer than 5")
    assert report.method_words("paired median", "too-few-hosts").endswith(
        "fewer than 10 hosts booted both ways: no interval")
    frame = boots_frame(
        boot("slow", 90.0), boot("slow", 80.0),
        boot("broken", 20.0), boot("broken", status="failed"),
        boot("silent", status="not-armed"),
        boot("late", 30.0, rd_earlykdump=True),
        boot("bare", status="not-armed", crashkernel=None),
        boot("db", 30.0, rd_earlykdump=True), boot("db", status="failed", rd_earlykdump=True),
    )
    words = report.problem_words(stats.problem_hosts(frame, top=1))
    assert words.to_dict() == {
        "broken": "arming failed in 1 of 2 boots",
        "db": "arming failed in 1 of 2 boots; early kdump configured but not armed early in 2 of "
              "2 boots",
        "silent": "never armed in 1 of 1 boot although kdump was set up",
        "late": "early kdump configured but not armed early in 1 of 1 boot",
        "bare": "no kdump set up in 1 of 1 boot",
        "slow": "still on plain kdump: latest boot armed after 80.000 s"}


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
    # Every chart; the timelines of the switched host (h4: the largest saving) and of one host
    # per kind of problem: the failed one and "late", set up for early kdump but armed late.
    assert ids == _figures(_fleet()) == ["gaps", "ecdf", "hosts", "over-time",
                                         "timeline-switched", "timeline-failed",
                                         "timeline-early-not-armed"]
    assert report._timeline_hosts(_fleet()) == {"switched": "h4",
                                                "failed": "<script>alert(1)</script>",
                                                "early-not-armed": "late"}
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
    every = page.split("id='every-boot'>Every boot</h2>")[1].split("</table>")[0]
    assert every.count("<tr>") == len(sample_boots) + 1
    for status in ("failed", "not-armed"):
        assert every.count(f">{status}<") == int(sample_boots["status"].eq(status).sum())
    wall = sample_boots["clock"].eq("realtime") & sample_boots["gap_s"].notna()
    estimates = wall & sample_boots["gap_kind"].eq("estimate")
    assert every.count("≥") == int((wall & ~estimates).sum())  # lower bounds are marked,
    assert every.count("±") == int(estimates.sum())  # and estimates carry their error


def test_markdown_links_the_charts_it_wrote(tmp_path):
    written = report.write(_fleet(), tmp_path / "review.md")
    text = written[0].read_text()
    links = re.findall(r"!\[[\w-]+\]\(([^)]+)\)", text)
    assert len(links) == len(_figures(_fleet())) and len(written) == len(links) + 1
    for link in links:
        assert (tmp_path / link).read_bytes().startswith(b"\x89PNG")
    assert "| host | kdump boots |" in text
    every = text.split("## Every boot")[1].split("##")[0].strip().splitlines()
    assert len(every) == 2 + 13 and {line.count(" | ") for line in every[2:]} == {10}
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


class _Page(HTMLParser):
    """Every tag, attribute, id and in-page link of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name == "id":
                self.ids.append(value)
            if name == "href":
                self.links.append(value)


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_html_contents_link_every_section_and_chart():
    page = report.html(_fleet())
    parsed = _parsed(page)
    assert len(parsed.ids) == len(set(parsed.ids))  # anchors are unique
    assert parsed.links and all(link.startswith("#") for link in parsed.links)
    assert {link[1:] for link in parsed.links} <= set(parsed.ids)  # no link goes nowhere
    headings = re.findall(r"<h[23] id='([^']+)'>", page)
    assert [link[1:] for link in parsed.links] == headings  # and every heading is listed
    assert ("what-does-early-kdump-buy-by-what-loaded-the-crash-kernel-exact-or-estimated-gaps"
            in headings)
    assert "timeline-late-early-kdump-configured-but-armed-late" in headings


def test_markdown_contents_use_the_anchors_wikis_make(tmp_path):
    text = report.write(_fleet(), tmp_path / "review.md")[0].read_text()
    contents = text.split("## Contents")[1].split("## Findings")[0]
    links = re.findall(r"\]\(#([^)]+)\)", contents)
    headings = re.findall(r"^#{2,3} (.+)$", text, flags=re.M)
    # GitHub's and GitLab's rule: lower case, punctuation dropped, spaces to hyphens.
    shown = [html.unescape(h.replace("\\", "")) for h in headings if h != "Contents"]
    expected = [re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in shown]
    assert links == expected
    assert "how-exposed-is-the-fleet-by-what-each-boot-was-set-up-for" in links


def test_the_sample_report_has_a_timeline_for_each_kind_of_problem_host(sample_boots):
    # The sample fleet (README): edge-01's arming fails, lab-01 never arms, db-03 has
    # rd.earlykdump without the early-kdump module, legacy-01 is the slowest on plain kdump
    # (its short-iso text dates kernel start from "Startup finished" since issue 11: 34.9 s
    # where the first line gave a lower bound, below app-02's exact 34.1 s).
    assert report._timeline_hosts(sample_boots) == {
        "switched": "db-01", "failed": "edge-01", "never-armed": "lab-01",
        "early-not-armed": "db-03", "slow-kdump": "legacy-01"}
    db03 = next(f for f in report.figures(sample_boots) if f.options.get("host") == "db-03")
    assert db03.id == "timeline-early-not-armed" and "rd.earlykdump" in db03.caption
    problems = report.display_tables(report.tables(sample_boots))["problem_hosts"].table
    assert problems.loc["db-03", "last failure logged"] == (  # every failure of that boot
        "kexec: failed to load early-kdump kernel; kexec: failed to load kdump kernel; "
        "Starting kdump: [FAILED]; Failed to start Crash recovery kernel arming.")
    assert problems.loc["lab-01", "last failure logged"] == ""  # never armed, nothing logged


def test_every_boot_lists_every_failure_with_its_time(tmp_path):
    frame = boots_frame(boot("db", status="failed", failure="early: kexec failed"),
                        boot("ok", 20.0), boot("ok2", 2.0, mode="early-kdump"))
    frame["failures"] = pd.Series([["early: kexec failed", "kdumpctl failed"], [], []],
                                  index=frame.index, dtype=object)
    frame["failures_s"] = pd.Series([[1.76, float("nan")], [], []], index=frame.index,
                                    dtype=object)
    assert report.failure_texts(frame) == ["early: kexec failed (at 1.76 s); kdumpctl failed",
                                           "", ""]
    text = report.markdown(frame)
    every = text.split("## Every boot")[1].split("##")[0]
    assert "| early: kexec failed (at 1.76 s); kdumpctl failed |" in every
    # Without the list columns: the first failure, as before.
    assert report.failure_texts(frame.drop(columns=["failures", "failures_s"]))[0] == (
        "early: kexec failed")


def test_html_makes_no_markup_of_any_log_text():
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script><a href='javascript:x'>"
    frame = boots_frame(boot(hostile, status="failed", failure=hostile, note=hostile),
                        boot("ok", 20.0), boot("ok2", 2.0, mode="early-kdump"))
    frame["failures"] = pd.Series([[hostile], [], []], index=frame.index, dtype=object)
    frame.attrs["inputs"] = [{"source": hostile, "format": "json", "skipped": 0,
                              "error": hostile}]
    page = report.html(frame, title=hostile)
    parsed = _parsed(page)
    assert parsed.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
                           "p", "nav", "ul", "li", "a", "table", "thead", "tbody", "tr", "th",
                           "td", "figure", "img", "figcaption", "code"}
    assert "script" not in parsed.tags
    assert not [a for a in parsed.attributes if a.startswith("on")]
    assert all(link.startswith("#") for link in parsed.links)
    assert page.count("&lt;script&gt;") >= 5  # title, host, failure, note, source, error


def test_text_fits_the_terminal_it_is_given(sample_boots):
    # COLUMNS=60: the summary tables used to run to 224 characters.
    wide = report.text(sample_boots)
    assert max(len(line) for line in wide.splitlines()) > 150
    narrow = report.text(sample_boots, width=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60
    for word in ("db-03", "97%", "25.5 s", "kexec: failed to load early-kdump", "never armed"):
        assert word in narrow
