"""Reports of a fleet's protection gaps: the statistics as text, Markdown or one HTML file.

`tables` gives the raw statistics (for CSV/JSON: numbers and codes); `findings`
says what they mean in sentences; `problem_words` says each problem host's
trouble; `text`, `markdown` and `html` lay these out with the charts of
`bootlag.plot`. Every figure in a sentence or table is in seconds, and comes
from exact (monotonic) gaps unless it says "≥" (a wall-clock lower bound).

The **headline** kdump figure is the median exact or estimated gap of the boots armed by the
kdump service (`stats.compare`, by mode), as `bootlag scan`'s summary gives it.
Other medians are labelled with what they count: by setup (`stats.exposure`),
per host (the paired row), and the ECDF's "50% protected", which counts boots
that failed or never armed as never protected.

HTML is built from `_tag`, which escapes every text and attribute value it is
given unless the value is markup `_tag` made itself: log text (host names,
failures, notes, file names) can never become markup. That is the safety a
template engine's autoescaping gives (jinja2 was weighed: see the commit
"Kept the hand-written HTML and tables"), in 25 lines and no dependency.
"""

from __future__ import annotations

import base64
import datetime as dt
import html as html_escape
import io
import re
import textwrap
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple, cast

import numpy as np
import pandas as pd

from . import stats
from .fmt import aligned as aligned  # re-exported: bootlag.cli imports report.aligned
from .fmt import gap_cells, missing, percent, plural, seconds
from .records import REASONS

TITLE = "Crash kernel protection gap report"


class Figure(NamedTuple):
    """One chart of a report: its id (HTML anchor ``chart-<id>``, Markdown file name), the
    name of its chart in `plot.CHARTS`, options for it, a short title (the table of
    contents) and its caption."""

    id: str
    chart: str
    options: dict
    title: str
    caption: str


# The charts every report has, in order: (id = chart name, title, caption).
CHARTS = (
    ("gaps", "Gap of every boot, by what armed it",
     "Protection gap of every boot, by what loaded the crash kernel. Boxes and medians use "
     "exact (monotonic) gaps only; hollow triangles are boots with wall-clock times only, "
     "whose true gap is at least that. The kdump median here is the headline one."),
    ("ecdf", "Share of boots protected over time, by setup",
     "Share of boots protected t seconds after kernel start, by what they were set up for. "
     "Boots that failed or never armed never get there, so a curve stops short of 100%, and "
     "its \"50% protected\" mark counts them as never protected: it is not the median gap "
     "of the findings."),
    ("hosts", "Median gap per host, kdump vs early kdump",
     "Hosts that booted both ways: each host's median gap with kdump and with early kdump."),
    ("over-time", "Gap of every boot by date",
     "Gap of every boot by date: boots armed by early kdump (blue) take the place of kdump "
     "boots (orange) as hosts switch."),
)

# The timelines: one for the host that gained most from switching, then one per kind of
# problem host (`stats.PROBLEM_KINDS`), for the first host of that kind not already shown.
TIMELINES = {
    "switched": ("{host}, switched to early kdump",
                 "Boot timeline of {host}, the host whose switch to early kdump saved most: "
                 "where in each boot the crash kernel was loaded."),
    "failed": ("{host}, arming failed",
               "Boot timeline of {host}, where arming failed: a cross marks each failure when "
               "it was logged (at the end of the boot's bar where the time is unknown), with "
               "the failure's text."),
    "never-armed": ("{host}, never armed",
                    "Boot timeline of {host}: kdump was set up (memory reserved with "
                    "crashkernel=, or a load attempted), yet no crash kernel was loaded."),
    "early-not-armed": ("{host}, early kdump configured but armed late",
                        "Boot timeline of {host}: rd.earlykdump is on its kernel command line, "
                        "yet the crash kernel was not loaded from the initramfs. Where no "
                        "\"early-kdump enabled (dracut)\" mark shows, the initramfs has no "
                        "early-kdump module (rebuild it with dracut's earlykdump module), and "
                        "only the kdump service arms the boot, late."),
    "no-kdump": ("{host}, no kdump set up",
                 "Boot timeline of {host}: its boots show no sign of kdump set up (no "
                 "crashkernel=), and nothing armed."),
    "slow-kdump": ("{host}, still on plain kdump",
                   "Boot timeline of {host}, still on plain kdump: among the hosts whose "
                   "latest boot took longest to arm."),
}
MAX_BOOT_ROWS = 1000  # the appendix lists every boot up to this many

METHOD = """\
The protection gap of a boot is the time from kernel start until the first message \
saying a crash kernel was loaded (by early kdump from the initramfs, or by the kdump \
service). A panic inside the gap leaves no vmcore.

Exact gaps come from the monotonic clock (time since kernel start) that journal \
export, json, verbose and short-monotonic output carry. Text with wall-clock times only \
(short, short-iso, syslog) gives a lower bound: journald stamps the boot's first line a \
second or more after the kernel started. Lower bounds are marked "≥", drawn hollow and \
left out of every median, percentile and interval. A wall-clock gap is not given at all \
when the clock jumped or was stepped before arming.

Gaps are compared by mode, what armed the boot. Exposure is counted by setup, what the \
boot was set up to do: early-kdump if rd.earlykdump was on the kernel command line, \
dracut said early kdump was enabled, or it armed from the initramfs; kdump if a crash \
kernel was loaded, failed to load, or had memory reserved (crashkernel=); none when the \
kernel command line was logged with no sign of kdump; unknown when it was not logged. \
Boots of a kdump capture kernel, which only saves a vmcore, are not counted.

A boot is "failed" when a failure was logged and nothing loaded, "not armed" when its \
log covers the start-up and nothing loaded, and "unknown" when the log misses that part \
of the boot (it starts late or ends early). Percentiles interpolate linearly between \
boots, so with fewer than 100 boots p99 lies near the maximum. Intervals are 95% \
percentile bootstrap intervals ({resamples} resamples, seed {seed}); hosts are resampled \
with all their boots when each side has at least {min_hosts} hosts, because boots of one \
host are alike; with fewer, single boots are resampled and the interval is too narrow.
"""


# Words for `stats.compare`'s ``method`` codes: the rows of boots, then the paired row.
METHOD_WORDS = {
    "hosts": "bootstrap over hosts",
    "boots": "bootstrap over boots (fewer than {min_hosts} hosts on a side: host-to-host "
             "variation is not in the interval)",
    "no-data": "no comparison: a side has no exact or estimated gap",
}
PAIRED_METHOD_WORDS = {
    "hosts": "median over hosts of each host's own saving; bootstrap over those hosts",
    "too-few-hosts": "median over hosts of each host's own saving; fewer than {min_paired} "
                     "hosts booted both ways: no interval",
    "no-data": "no figures: no host has exact or estimated gaps both ways",
}


def method_words(statistic: str, code: object) -> str:
    """`stats.compare`'s ``method`` code of the row `statistic`, in words."""
    words = PAIRED_METHOD_WORDS if statistic == "paired median" else METHOD_WORDS
    text = words.get(str(code), str(code))
    return text.format(min_hosts=stats.MIN_HOSTS_FOR_HOST_BOOTSTRAP,
                       min_paired=stats.MIN_PAIRED_HOSTS_FOR_INTERVAL)


def tables(boots: pd.DataFrame, *, resamples: int = 2000, seed: int = 0) -> dict[str,
                                                                               pd.DataFrame]:
    """The statistics behind a report, by name, as `bootlag.stats` returns them."""
    return {
        "exposure": stats.exposure(boots),
        "comparison": stats.compare(boots, resamples=resamples, seed=seed),
        "paired_hosts": stats.paired_hosts(boots),
        "problem_hosts": stats.problem_hosts(boots),
        "phases": stats.phase_summary(boots),
        "over_time": stats.over_time(boots),
    }


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    """The row `name` of a table with unique index values."""
    return cast(pd.Series, table.loc[name])


def _interval(row: pd.Series, key: str, unit: str = " s") -> str:
    low, high = row[f"{key}_low"], row[f"{key}_high"]
    if missing(low):
        return ""
    return f"{low:.1f}–{high:.1f}{unit}"


# -- problem hosts in words -----------------------------------------------------------------------

def problem_words(problems: pd.DataFrame) -> pd.Series:
    """What is wrong with each host of `stats.problem_hosts`, in words: "arming failed in 3
    of 6 boots; early kdump configured but not armed early in 6 of 6 boots"."""
    return pd.Series([_problem_words(row) for _, row in problems.iterrows()],
                     index=problems.index, name="problems", dtype=object)


def _problem_words(host: pd.Series) -> str:
    of = f"of {plural(host['boots'], 'boot')}"
    counts = {"failed": host["failed"], "never-armed": host["not_armed"] - host["no_kdump"],
              "early-not-armed": host["early_not_armed"], "no-kdump": host["no_kdump"]}
    words = {"failed": "arming failed in {n} {of}",
             "never-armed": "never armed in {n} {of} although kdump was set up",
             "early-not-armed": "early kdump configured but not armed early in {n} {of}",
             "no-kdump": "no kdump set up in {n} {of}",
             "slow-kdump": "still on plain kdump: latest boot armed after {gap}"}
    kinds = [k for k in str(host["kinds"]).split(",") if k in words]
    return "; ".join(words[k].format(n=int(counts.get(k, 0)), of=of, gap=_latest_gap(host))
                     for k in kinds)


# -- findings -------------------------------------------------------------------------------------

def findings(boots: pd.DataFrame, found: dict[str, pd.DataFrame] | None = None) -> list[str]:
    """The answers in plain sentences, led by the boots that died unprotected (a panic
    there saves no dump; `stats.died_unprotected`): exposure, the headline gaps and what
    early kdump buys, the hosts that switched, the problem hosts, and what was counted apart."""
    found = found or tables(boots)
    if boots.empty:
        return ["No boots were found in the inputs."]
    out = [_died_unprotected(boots), _fleet(boots), _reasons(boots),
           _headline(found["comparison"]), _saving(found["comparison"]),
           _switched(found["paired_hosts"]), *_problems(found["problem_hosts"]),
           _counted_apart(boots)]
    return [sentence for sentence in out if sentence]


def _died_unprotected(boots: pd.DataFrame) -> str:
    """The lead: boots that died abruptly with no crash kernel loaded, and on which hosts."""
    if "end" not in boots.columns:
        return ""
    died = stats.died_unprotected(boots)
    if died.empty:
        return ""
    total = int(died["boots"].sum())
    hosts = ", ".join(f"{host} ({int(n)})" for host, n in died["boots"].items())
    disarmed = int(died["disarmed"].sum())
    after = (f"; {disarmed} of them had been armed and then unloaded" if disarmed else "")
    return (f"{plural(total, 'boot')} ended abruptly (a panic, watchdog, reset or power "
            f"loss) with no crash kernel loaded, so no dump could be saved{after}: on "
            f"{plural(len(died), 'host')}, {hosts}.")


def _reasons(boots: pd.DataFrame) -> str:
    """"Never protected, by reason: 6 service-failed, 3 ended-abruptly." (codes of
    `bootlag.records.REASONS`, most first, then in its order; capture kernels left out)."""
    if "reason" not in boots.columns:
        return ""
    codes = stats.regular(boots)["reason"].dropna().astype(str).str.split(":", n=1).str[0]
    if codes.empty:
        return ""
    order = [code for code, _ in REASONS]
    counts = sorted(codes.value_counts().items(),
                    key=lambda item: (-item[1], order.index(item[0]) if item[0] in order
                                      else len(order)))
    return ("Never protected, by reason: "
            + ", ".join(f"{n} {code}" for code, n in counts) + ".")


def _fleet(boots: pd.DataFrame) -> str:
    """"84 boots on 14 hosts from 2024-12-30 to 2025-02-05 (12 of them with no calendar
    date): 74 armed, 4 failed, 6 never armed."""
    counts = boots["status"].value_counts()
    dated = boots["kernel_start"].dropna()
    span = f" from {dated.min():%Y-%m-%d} to {dated.max():%Y-%m-%d}" if len(dated) else ""
    if len(dated) and len(dated) < len(boots):
        undated = len(boots) - len(dated)
        span += f" ({undated} of them with no calendar date)"
    statuses = ", ".join(f"{counts.get(s, 0)} {_STATUS_WORDS[s]}" for s in stats.STATUSES
                         if counts.get(s, 0))
    return (f"{plural(len(boots), 'boot')} on {plural(boots['host'].nunique(), 'host')}{span}"
            + (f": {statuses}." if statuses else "."))


def _headline(compared: pd.DataFrame) -> str:
    """The headline gaps: the median (and p90) exact or estimated gap of the boots armed by
    each mode."""
    median, p90 = _row(compared, "median"), _row(compared, "p90")
    sides = [(label, median[f"{role}_s"], p90[f"{role}_s"], median[f"{role}_boots"])
             for label, role in (("the kdump service", "baseline"),
                                 ("early kdump", "candidate"))]
    parts = [f"{seconds(m)} for the {plural(int(n), 'boot')} armed by {label} "
             f"(p90 {seconds(p)})" for label, m, p, n in sides if not missing(m)]
    if not parts:
        return ""
    none = [label for label, m, _, _ in sides if missing(m)]
    return ("Median protection gap (the headline figure; exact or estimated gaps, by what "
            "armed the boot): " + ", ".join(parts)
            + "".join(f"; no boot armed by {label} has an exact or estimated gap"
                      for label in none) + ".")


def _saving(compared: pd.DataFrame) -> str:
    """What early kdump did to the median gap, in words that fit its sign."""
    median = _row(compared, "median")
    saved = median["difference_s"]
    if missing(saved):
        return ""
    verb = "shortened" if saved >= 0 else "lengthened"
    text = f"Early kdump {verb} the median gap by {seconds(abs(saved))}"
    ci = _interval(median, "difference_s")
    if ci:
        text += f" (95% interval {ci})"
    ratio = median["ratio"]
    if np.isfinite(ratio) and ratio > 0:
        text += f", {ratio:.1f}× shorter" if ratio >= 1 else f", {1 / ratio:.1f}× longer"
        ratio_ci = _interval(median, "ratio", "×")
        if ratio_ci and ratio >= 1:
            text += f" ({ratio_ci})"
    if ci and median["method"] == "boots":
        text += (f" (fewer than {stats.MIN_HOSTS_FOR_HOST_BOOTSTRAP} hosts on a side: single "
                 "boots were resampled, so the interval leaves out host-to-host variation and "
                 "is too narrow)")
    return text + "."


def _switched(pairs: pd.DataFrame) -> str:
    """The per-host before/after: the median of the hosts' savings, and their range."""
    if pairs.empty:
        return ""
    saved = pairs["difference_s"]
    middle = float(saved.median())
    verb = "fell" if middle >= 0 else "rose"
    if len(pairs) == 1:
        return (f"On {pairs.index[0]}, the one host that booted both ways, the median gap "
                f"{verb} by {seconds(abs(middle))}.")
    low, high = float(saved.min()), float(saved.max())
    if low >= 0:
        spread = f"the hosts' savings ranged from {seconds(low)} to {seconds(high)}"
    elif high <= 0:
        spread = f"the hosts' gaps rose by {seconds(-high)} to {seconds(-low)}"
    else:
        spread = f"from a rise of {seconds(-low)} to a saving of {seconds(high)}"
    return (f"On the {plural(len(pairs), 'host')} that booted both ways, each host's median gap "
            f"{verb} by {seconds(abs(middle))} at the median ({spread}).")


def _serious(problems: pd.DataFrame) -> pd.DataFrame:
    """The problem hosts that are more than slow: failing, never arming, or not early."""
    return problems[problems[["failed", "not_armed", "early_not_armed"]].sum(axis=1) > 0]


def _problems(problems: pd.DataFrame) -> list[str]:
    out = []
    serious = _serious(problems)
    words = problem_words(problems)
    if len(serious):
        verb = "needs" if len(serious) == 1 else "need"
        out.append(f"{plural(len(serious), 'host')} {verb} a look: "
                   + "; ".join(f"{host} ({words[host]})" for host in serious.index[:5])
                   + ("" if len(serious) <= 5 else f"; and {len(serious) - 5} more") + ".")
    still = problems[problems["still_on_kdump"].astype(bool)
                     & ~problems.index.isin(serious.index)]
    if len(still):
        out.append("Still on plain kdump, slowest latest boot first: "
                   + ", ".join(f"{host} ({_latest_gap(row)})" for host, row in still.iterrows())
                   + ".")
    return out


def _counted_apart(boots: pd.DataFrame) -> str:
    out = []
    bounds = int(stats.is_lower_bound(stats.regular(boots)).sum())
    if bounds:
        out.append(f"{plural(bounds, 'boot')} armed with only a wall-clock time: "
                   f"{'its gap is a lower bound' if bounds == 1 else 'their gaps are lower bounds'}"
                   ", shown with ≥ and left out of the figures above.")
    captures = int(len(boots) - len(stats.regular(boots)))
    if captures:
        out.append(f"{plural(captures, 'boot')} of a kdump capture kernel (saving a vmcore) "
                   f"{'is' if captures == 1 else 'are'} not counted as exposure.")
    return " ".join(out)


# -- tables ---------------------------------------------------------------------------------------

class Display(NamedTuple):
    """A table as the report shows it: a title, cells as text, a note on how to read it."""

    title: str
    table: pd.DataFrame
    note: str


def display_tables(found: dict[str, pd.DataFrame]) -> dict[str, Display]:
    """The report's tables with readable headings, column names and units (the names of
    `bootlag summary`), by the name of their table in `tables`."""
    return {"exposure": _exposure_table(found), "comparison": _comparison_table(found),
            "paired_hosts": _paired_table(found), "problem_hosts": _problem_table(found),
            "phases": _phase_table(found)}


def _exposure_table(found: dict[str, pd.DataFrame]) -> Display:
    exposure = found["exposure"]
    table = pd.DataFrame({
        "boots": exposure["boots"], "hosts": exposure["hosts"],
        "armed": exposure["armed_share"].map(percent),
        "failed": exposure["failed_share"].map(percent),
        "never armed": exposure["not_armed_share"].map(percent),
        "unknown": exposure["unknown_share"].map(percent),
        "unprotected at 10 s": exposure["unprotected_10s_share"].map(percent),
        "at 30 s": exposure["unprotected_30s_share"].map(percent),
        "exact or estimated gaps": exposure["exact_gaps"],
        "median": exposure["median_s"].map(seconds), "p90": exposure["p90_s"].map(seconds),
        "p99": exposure["p99_s"].map(seconds), "max": exposure["max_s"].map(seconds),
        "wall-clock only": [f"{n}, median ≥{m:.1f} s" if n else "0"
                            for n, m in zip(exposure["lower_bounds"],
                                            exposure["lower_bound_median_s"], strict=True)],
    }).rename_axis("set up for")
    note = ("Set up for early-kdump: rd.earlykdump on the command line, or early kdump enabled "
            "or armed; kdump: a crash kernel loaded, failed, or memory reserved for one. A host "
            "set up for early kdump that still armed late counts here with its late gaps. "
            "\"Unprotected at 10 s\": share of boots with a known outcome (an exact or "
            "estimated gap, failed or never armed) still without a crash kernel 10 s after "
            "kernel start. Gap figures "
            "use exact or estimated gaps only (estimates: wall-clock times anchored on systemd's "
            "'Startup finished', within a second); lower bounds are counted apart. ")
    by_setup = exposure["median_s"].get("kdump", np.nan)
    headline = found["comparison"].loc["median", "baseline_s"]
    if not (missing(by_setup) or missing(headline)):
        note += (f"The median here counts boots by setup (kdump: {seconds(by_setup)}); the "
                 f"headline kdump median of the findings counts the boots the kdump service "
                 f"armed ({seconds(headline)}).")
    return Display("How exposed is the fleet? (by what each boot was set up for)", table, note)


def _comparison_table(found: dict[str, pd.DataFrame]) -> Display:
    compared = found["comparison"]
    table = pd.DataFrame({
        "kdump": compared["baseline_s"].map(seconds),
        "early kdump": compared["candidate_s"].map(seconds),
        "saved": compared["difference_s"].map(seconds),
        "95% interval": [_interval(r, "difference_s") or "-" for _, r in compared.iterrows()],
        "kdump ÷ early": compared["ratio"].map(lambda r: "-" if missing(r) else f"{r:.1f}×"),
        "interval": [_interval(r, "ratio", "×") or "-" for _, r in compared.iterrows()],
        "boots": [f"{b} / {c}" for b, c in zip(compared["baseline_boots"],
                                               compared["candidate_boots"], strict=True)],
        "hosts": [f"{b} / {c}" for b, c in zip(compared["baseline_hosts"],
                                               compared["candidate_hosts"], strict=True)],
        "method": [method_words(str(name), code) for name, code in compared["method"].items()],
    }).rename(index={"median": "median of boots (headline)", "p90": "p90 of boots",
                     "paired median": "per host (paired)"}).rename_axis("statistic")
    note = ("Boots armed from the initramfs (early kdump) against boots armed by the kdump "
            "service. The first row is the headline median. The per-host row takes each host "
            "that booted both ways: its kdump and early kdump figures are medians of the hosts' "
            "own medians, and its saving is the median of the hosts' own savings, not the "
            "difference of the two medians beside it.")
    return Display("What does early kdump buy? (by what loaded the crash kernel, exact or "
                   "estimated gaps)", table, note)


def _paired_table(found: dict[str, pd.DataFrame]) -> Display:
    pairs = found["paired_hosts"]
    table = pd.DataFrame({
        "kdump boots": pairs["baseline_boots"],
        "kdump median": pairs["baseline_median_s"].map(seconds),
        "early boots": pairs["candidate_boots"],
        "early median": pairs["candidate_median_s"].map(seconds),
        "saved": pairs["difference_s"].map(seconds),
        "kdump ÷ early": pairs["ratio"].map(lambda r: "-" if missing(r) else f"{r:.1f}×"),
        "first early boot (UTC)": pairs["switched"].map(_date),
    })
    return Display("Hosts that booted both ways", table,
                   "Before and after: each host's median exact or estimated gap under the "
                   "kdump service and under early kdump. A median from one or two boots is a "
                   "rough figure.")


def _problem_table(found: dict[str, pd.DataFrame]) -> Display:
    problems = found["problem_hosts"]
    table = pd.DataFrame({
        "boots": problems["boots"],
        "latest boot": [_latest(row) for _, row in problems.iterrows()],
        "largest gap": problems["max_gap_s"].map(seconds),
        "last boot (UTC)": problems["last_boot"].map(_date),
        "problems": problem_words(problems),
        "last failure logged": problems["last_failure"].fillna(""),
    })
    return Display("Which hosts are the problem?", table,
                   "Worst first: kdump set up but failing or never arming, then early kdump "
                   "configured but not arming early, then no kdump at all, then the hosts still "
                   "on plain kdump whose latest boot took longest to arm. Largest gap: exact "
                   "or estimated gaps only. Each kind of problem has a timeline under Charts.")


def _phase_table(found: dict[str, pd.DataFrame]) -> Display:
    phases = found["phases"]
    table = pd.DataFrame({
        "boots": phases["boots"], "kernel (median)": phases["median_kernel_s"].map(seconds),
        "initrd (median)": phases["median_initrd_s"].map(seconds),
        "userspace (median)": phases["median_userspace_s"].map(seconds),
        "gap (median)": phases["median_gap_s"].map(seconds),
        **{f"armed in {p}" if p != "after startup" else "armed after start-up finished": phases[p]
           for p in stats.PHASES},
    }).rename_axis("armed by")
    return Display("Where in the boot the arming fell (exact or estimated gaps, by what "
                   "armed it)", table,
                   "Durations of each phase of the boot, from systemd's \"Startup finished\" "
                   "line, and how many boots had their crash kernel loaded during each.")


def _latest(host: pd.Series) -> str:
    """A host's latest boot in a few words: "kdump 34.1 s", "kdump ≥24.2 s", "failed"."""
    status = str(host["latest_status"])
    if status != "armed":
        return _STATUS_WORDS.get(status, status)
    return f"{host['latest_mode']} {_latest_gap(host)}"


def _latest_gap(host: pd.Series) -> str:
    if missing(host["latest_gap_s"]):
        return "gap unknown"
    return stats.gap_text(host["latest_gap_s"], host["latest_clock"], host["latest_format"],
                          kind=host.get("latest_gap_kind"),
                          error=host.get("latest_gap_error_s")) + " s"


_STATUS_WORDS = {"armed": "armed", "disarmed": "disarmed later", "failed": "failed",
                 "not-armed": "never armed",
                 "unknown": "unknown"}


def _date(value: object) -> str:
    return "-" if missing(value) else f"{value:%Y-%m-%d %H:%M}"


# -- plain text -----------------------------------------------------------------------------------

def text(boots: pd.DataFrame, found: dict[str, pd.DataFrame] | None = None, *,
         width: int | None = None) -> str:
    """The findings and tables as plain text for a terminal. With `width` (characters: the
    terminal's), every line fits it (`fmt.aligned`); sentences wrap at 92 or `width`."""
    found = found or tables(boots)
    wrap_at = min(92, width) if width else 92
    parts = ["\n".join(_wrap(s, wrap_at) for s in findings(boots, found))]
    for title, table, note in display_tables(found).values():
        parts.append(f"{_wrap(title, wrap_at, indent='')}\n{'-' * min(len(title), wrap_at)}\n"
                     f"{_wrap(note, wrap_at, indent='')}\n\n{_text_table(table, width)}")
    return "\n\n".join(parts)


def _text_table(table: pd.DataFrame, width: int | None = None) -> str:
    """Aligned columns: words to the left, numbers and figures to the right; fitted to
    `width` characters when given."""
    if table.empty:
        return "(none)"
    frame = table.reset_index()
    cells = [[str(c) for c in frame.columns]]
    cells += [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    return aligned(cells, [i > 0 and _figure_column(frame.iloc[:, i])
                           for i in range(len(frame.columns))], width)


def _figure_column(column: pd.Series) -> bool:
    """Numbers, or strings that read as figures ("25.4 s", "97%", "3 / 4")."""
    if pd.api.types.is_numeric_dtype(column):
        return True
    return all(str(v)[:1].isdigit() or str(v)[:1] in "-≥" for v in column)


def _wrap(sentence: str, width: int = 92, indent: str = "  ") -> str:
    return textwrap.fill(sentence, width, subsequent_indent=indent)


# -- charts ---------------------------------------------------------------------------------------

def figures(boots: pd.DataFrame, found: dict[str, pd.DataFrame] | None = None) -> list[Figure]:
    """The report's charts for `boots`: every chart of `CHARTS`, then the timelines of
    `TIMELINES` that have a host."""
    out = [Figure(name, name, {}, title, caption) for name, title, caption in CHARTS]
    for kind, host in _timeline_hosts(boots, found).items():
        title, caption = TIMELINES[kind]
        out.append(Figure(f"timeline-{kind}", "timeline", {"host": host},
                          "Timeline: " + title.format(host=host), caption.format(host=host)))
    return out


def _timeline_hosts(boots: pd.DataFrame,
                    found: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """The host of each timeline, by kind (`TIMELINES`): the one that gained most from
    switching (if any switched), then for each kind of problem host the first host (worst
    first) of that kind not already shown."""
    from . import plot

    pairs = found["paired_hosts"] if found else stats.paired_hosts(boots)
    problems = found["problem_hosts"] if found else stats.problem_hosts(boots)
    chosen: dict[str, str] = {}
    if len(pairs):
        host = plot.default_host(boots)
        if host is not None:
            chosen["switched"] = host
    kinds = problems["kinds"].astype(str).str.split(",")
    for kind in stats.PROBLEM_KINDS:
        hosts = [str(h) for h, k in kinds.items() if kind in k and h not in chosen.values()]
        if hosts:
            chosen[kind] = hosts[0]
    return chosen


def _chart_images(boots: pd.DataFrame, render: Callable[[str, object], str],
                  found: dict[str, pd.DataFrame] | None = None) -> list[tuple[Figure, str]]:
    """(figure, reference) per chart; `render(id, figure)` stores it and returns a ref."""
    import matplotlib.pyplot as plt

    from . import plot

    out = []
    for figure in figures(boots, found):
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        try:
            plot.CHARTS[figure.chart](boots, ax=ax, **figure.options)
            out.append((figure, render(figure.id, fig)))
        finally:
            plt.close(fig)
    return out


def _png(fig: object) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=144)  # type: ignore[attr-defined]
    return buffer.getvalue()


# -- appendices -----------------------------------------------------------------------------------

def failure_texts(boots: pd.DataFrame) -> list[str]:
    """Every failure of each boot, in time order, "text (at 1.76 s)" where the time is known,
    joined by "; ": from the ``failures`` and ``failures_s`` columns where the table has
    them, else the single ``failure``."""
    if "failures" not in boots:
        column = boots["failure"] if "failure" in boots else pd.Series([None] * len(boots))
        return ["" if missing(f) else str(f) for f in column]
    times = boots["failures_s"] if "failures_s" in boots else pd.Series([None] * len(boots))
    return ["; ".join(_timed(text, at) for text, at in _pairs(texts, when))
            for texts, when in zip(boots["failures"], times, strict=True)]


def _pairs(texts: object, times: object) -> list[tuple[object, object]]:
    """(failure, seconds) pairs of one boot's lists; a time is None where unknown."""
    texts = _as_list(texts)
    times = _as_list(times)
    return [(text, times[i] if i < len(times) else None) for i, text in enumerate(texts)]


def _as_list(value: object) -> list:
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return list(value)
    return [] if missing(value) else [value]


def _timed(text: object, at: object) -> str:
    return str(text) if missing(at) else f"{text} (at {float(at):.2f} s)"  # type: ignore[arg-type]


def _boot_list(boots: pd.DataFrame) -> pd.DataFrame:
    view = boots.head(MAX_BOOT_ROWS)
    return pd.DataFrame({
        "host": view["host"], "boot": view["boot_id"].fillna("-").str.slice(0, 8),
        "kernel start (UTC)": view["kernel_start"].map(_date),
        "gap": [text if text == "-" else f"{text} s" for text in gap_cells(view)],
        "mode": view["mode"], "status": view["status"], "clock": view["clock"],
        "end": view["end"].fillna(""), "reason": view["reason"].fillna(""),
        "failures": failure_texts(view), "note": view["note"].fillna(""),
    })


def _inputs(boots: pd.DataFrame) -> pd.DataFrame:
    rows = boots.attrs.get("inputs", [])
    return pd.DataFrame(rows, columns=["source", "format", "skipped", "error"]).fillna("")


def _method(resamples: int, seed: int) -> str:
    return METHOD.format(resamples=resamples, seed=seed,
                         min_hosts=stats.MIN_HOSTS_FOR_HOST_BOOTSTRAP)


def _cell(value: object) -> str:
    return "" if missing(value) else str(value)


# -- the sections of a report ---------------------------------------------------------------------

class Section(NamedTuple):
    """A heading of the report, its anchor, and the charts under it: (figure, anchor)."""

    title: str
    anchor: str
    charts: list[tuple[Figure, str]]


def slug(title: str) -> str:
    """The anchor of a heading, as GitHub and GitLab make it: "How exposed is the fleet? (by
    setup)" → "how-exposed-is-the-fleet-by-setup"."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _sections(shown: dict[str, Display], charts: list[Figure]) -> list[Section]:
    """The report's headings in page order, with unique anchors: a heading whose anchor was
    taken gets "-1", "-2", ... as on GitHub."""
    taken: dict[str, int] = {}

    def anchor(title: str) -> str:
        base = slug(title)
        n = taken.get(base, 0)
        taken[base] = n + 1
        return base if n == 0 else f"{base}-{n}"

    titles = ["Findings", *(d.title for d in shown.values()), "Charts", "Method and caveats",
              "Every boot", "Inputs"]
    out = []
    for title in titles:
        here = anchor(title)
        under = [(f, anchor(f.title)) for f in charts] if title == "Charts" else []
        out.append(Section(title, here, under))
    return out


def _contents_md(sections: list[Section]) -> list[str]:
    lines = ["## Contents", ""]
    for section in sections:
        lines.append(f"- [{section.title}](#{section.anchor})")
        lines += [f"  - [{_md_text(f.title)}](#{at})" for f, at in section.charts]
    return [*lines, ""]


# -- Markdown -------------------------------------------------------------------------------------

def markdown(boots: pd.DataFrame, chart_dir: Path | None = None, *, title: str | None = None,
             resamples: int = 2000, seed: int = 0, written: list[Path] | None = None) -> str:
    """The report in Markdown, with a table of contents; charts are written as PNGs into
    `chart_dir` and linked relative to it (no charts when `chart_dir` is None), their paths
    added to `written`."""
    found = tables(boots, resamples=resamples, seed=seed)
    shown = display_tables(found)
    charts: list[tuple[Figure, str]] = []
    if chart_dir is not None:
        chart_dir.mkdir(parents=True, exist_ok=True)

        def store(name: str, fig: object) -> str:
            path = chart_dir / f"{name}.png"
            path.write_bytes(_png(fig))
            if written is not None:
                written.append(path)
            return urllib.parse.quote(f"{chart_dir.name}/{path.name}")

        charts = _chart_images(boots, store, found)
    lines = [f"# {_md_text(title or TITLE)}", "", f"Generated {_generated(boots)}.", ""]
    lines += _contents_md(_sections(shown, [f for f, _ in charts]))
    lines += ["## Findings", "", *(f"- {_md_text(s)}" for s in findings(boots, found)), ""]
    for heading, table, note in shown.values():
        lines += [f"## {heading}", "", _md_text(note), "", _md_table(table), ""]
    lines += ["## Charts", ""]
    for figure, ref in charts:
        lines += [f"### {_md_text(figure.title)}", "", f"![{figure.id}]({ref})", "",
                  f"*{_md_text(figure.caption)}*", ""]
    if not charts:
        lines += ["(not drawn)", ""]
    lines += ["## Method and caveats", "", *_method(resamples, seed).split("\n"), ""]
    lines += ["## Every boot", "", _md_table(_boot_list(boots), index=False), ""]
    if len(boots) > MAX_BOOT_ROWS:
        lines += [f"(first {MAX_BOOT_ROWS} of {len(boots)}; `bootlag scan --csv` lists all)", ""]
    lines += ["## Inputs", "", _md_table(_inputs(boots), index=False), ""]
    return "\n".join(lines)


def _md_table(table: pd.DataFrame, index: bool = True) -> str:
    if table.empty:
        return "(none)"
    frame = table.reset_index() if index else table
    cells = [[str(c) for c in frame.columns]] + [[_md_text(_cell(v)) for v in row]
                                                  for row in frame.itertuples(index=False)]
    rows = ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join([rows[0], "|" + "---|" * len(frame.columns), *rows[1:]])


_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]|~])")


def _md_text(text: str) -> str:
    """Text from the logs as Markdown that shows it literally: no raw HTML, links, images,
    emphasis or table breaks, on one line."""
    text = html_escape.escape(" ".join(text.split()), quote=False)
    return _MARKDOWN_SYNTAX.sub(r"\\\1", text)


def _generated(boots: pd.DataFrame) -> str:
    from . import __version__

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now} by bootlag {__version__} from {plural(len(_inputs(boots)), 'input')}"


# -- HTML -----------------------------------------------------------------------------------------

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 13px; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e5e5e5; text-align: right; }
th { background: #f4f4f4; } td.text, th.text { text-align: left; }
td { white-space: nowrap; } td:last-child { white-space: normal; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 13px; }
.findings li { margin: .3rem 0; } .small, .note { color: #555; font-size: 13px; }
"""
STYLE += """nav.contents { font-size: 14px; } nav.contents ul { margin: .2rem 0; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
"""


class _Markup(str):
    """HTML that `_tag` built: put in a page as is. Any other string is text, and escaped."""


def _escape(value: object) -> str:
    return value if isinstance(value, _Markup) else html_escape.escape(str(value), quote=True)


def _tag(name: str, *children: object, **attributes: object) -> _Markup:
    """``<name attributes>children</name>``, every child and attribute value escaped unless
    it is markup from `_tag`; ``class_`` gives the ``class`` attribute. Void elements
    (img, meta) take no children."""
    attrs = "".join(f" {key.rstrip('_')}='{html_escape.escape(str(value), quote=True)}'"
                    for key, value in attributes.items())
    if name in ("img", "meta"):
        return _Markup(f"<{name}{attrs}>")
    return _Markup(f"<{name}{attrs}>{''.join(_escape(c) for c in children)}</{name}>")


def _join(parts: Iterable[object], sep: str = "") -> _Markup:
    return _Markup(sep.join(_escape(p) for p in parts))


def html(boots: pd.DataFrame, *, title: str | None = None, resamples: int = 2000,
         seed: int = 0) -> str:
    """The report as one self-contained HTML page (charts embedded as PNG data), with a table
    of contents linking every section and chart."""
    found = tables(boots, resamples=resamples, seed=seed)
    shown = display_tables(found)
    title = title or TITLE

    def embed(name: str, fig: object) -> str:
        return "data:image/png;base64," + base64.b64encode(_png(fig)).decode()

    charts = _chart_images(boots, embed, found)
    sections = _sections(shown, [f for f, _ in charts])
    anchor = {s.title: s.anchor for s in sections}
    chart_anchors = [at for s in sections for _, at in s.charts]
    body = [_tag("h1", title), _tag("p", f"Generated {_generated(boots)}.", class_="small"),
            _html_contents(sections),
            _tag("h2", "Findings", id=anchor["Findings"]),
            _tag("ul", _join(_tag("li", s) for s in findings(boots, found)), class_="findings")]
    for heading, table, note in shown.values():
        body += [_tag("h2", heading, id=anchor[heading]), _tag("p", note, class_="note"),
                 _html_table(table)]
    body.append(_tag("h2", "Charts", id=anchor["Charts"]))
    for (figure, ref), at in zip(charts, chart_anchors, strict=True):
        body += [_tag("h3", figure.title, id=at),
                 _tag("figure", _tag("img", alt=figure.caption, src=ref),
                      _tag("figcaption", figure.caption), id=f"chart-{figure.id}")]
    body.append(_tag("h2", "Method and caveats", id=anchor["Method and caveats"]))
    body += [_tag("p", p) for p in _method(resamples, seed).split("\n\n")]
    body += [_tag("h2", "Every boot", id=anchor["Every boot"]),
             _html_table(_boot_list(boots), index=False)]
    if len(boots) > MAX_BOOT_ROWS:
        body.append(_tag("p", f"(first {MAX_BOOT_ROWS} of {len(boots)}; ",
                         _tag("code", "bootlag scan --csv"), " lists all)"))
    body += [_tag("h2", "Inputs", id=anchor["Inputs"]), _html_table(_inputs(boots), index=False)]
    head = _tag("head", _tag("meta", charset="utf-8"), _tag("title", title),
                _tag("style", _Markup(STYLE)))
    page = _tag("html", head, _tag("body", _join(body, "\n")), lang="en")
    return "<!DOCTYPE html>" + page


def _html_contents(sections: list[Section]) -> _Markup:
    items = []
    for section in sections:
        link = _tag("a", section.title, href=f"#{section.anchor}")
        charts = [_tag("li", _tag("a", f.title, href=f"#{at}")) for f, at in section.charts]
        items.append(_tag("li", link, _tag("ul", _join(charts)) if charts else ""))
    return _tag("nav", _tag("h2", "Contents"), _tag("ul", _join(items)), class_="contents")


def _html_table(table: pd.DataFrame, index: bool = True) -> _Markup:
    if table.empty:
        return _tag("p", "(none)")
    frame = table.reset_index() if index else table
    numeric = [i > 0 and _figure_column(frame.iloc[:, i]) for i in range(len(frame.columns))]
    kinds = ["num" if n else "text" for n in numeric]
    head = _tag("tr", _join(_tag("th", str(c), class_=k)
                            for c, k in zip(frame.columns, kinds, strict=True)))
    rows = (_tag("tr", _join(_tag("td", _cell(v), class_=k)
                             for v, k in zip(row, kinds, strict=True)))
            for row in frame.itertuples(index=False))
    return _tag("table", _tag("thead", head), _tag("tbody", _join(rows)))


def write(boots: pd.DataFrame, path: str | Path, *, markdown_format: bool | None = None,
          title: str | None = None, resamples: int = 2000, seed: int = 0) -> list[Path]:
    """Write the report to `path` (Markdown if it ends in .md or `markdown_format`);
    returns every file written (a Markdown report's charts go to ``<stem>_files/``)."""
    path = Path(path)
    as_markdown = path.suffix.lower() in (".md", ".markdown") if markdown_format is None \
        else markdown_format
    if as_markdown:
        charts: list[Path] = []
        text = markdown(boots, path.with_name(f"{path.stem}_files"), title=title,
                        resamples=resamples, seed=seed, written=charts)
        path.write_text(text, encoding="utf-8")
        return [path, *charts]
    path.write_text(html(boots, title=title, resamples=resamples, seed=seed), encoding="utf-8")
    return [path]
