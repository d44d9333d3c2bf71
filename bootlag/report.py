"""Reports of a fleet's protection gaps: the statistics as text, Markdown or one HTML file.

`tables` gives the raw statistics (for CSV/JSON); `findings` says what they
mean in sentences; `text`, `markdown` and `html` lay both out with the charts
of `bootlag.plot`. Every figure in a sentence or table is in seconds, and comes
from exact (monotonic) gaps unless it says "≥" (a wall-clock lower bound).
"""

from __future__ import annotations

import base64
import datetime as dt
import html as html_escape
import io
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import stats
from .stats import plural

# The charts of a report, in order: (figure id, name in plot.CHARTS, caption). The
# timelines are drawn for a host picked by `_timeline_hosts`.
FIGURES = (
    ("gaps", "gaps", "Protection gap of every boot, by what loaded the crash kernel. Boxes "
                     "and medians use exact (monotonic) gaps only; hollow triangles are boots "
                     "with wall-clock times only, whose true gap is at least that."),
    ("ecdf", "ecdf", "Share of boots protected t seconds after kernel start, by what they were "
                     "set up for. Boots that failed or never armed never get there, so a curve "
                     "stops short of 100%, and its median counts them as never protected."),
    ("hosts", "hosts", "Hosts that booted both ways: each host's median gap with kdump and "
                       "with early kdump."),
    ("over-time", "over-time", "Gap of every boot by date: boots armed by early kdump (blue) "
                               "take the place of kdump boots (orange) as hosts switch."),
    ("timeline-switched", "timeline", "Boot timeline of {host}, the host whose switch to "
                                      "early kdump saved most: where in each boot the crash "
                                      "kernel was loaded."),
    ("timeline-problem", "timeline", "Boot timeline of {host}, the first problem host."),
)
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


def _s(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1f} s"


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.0%}"


def _interval(row: pd.Series, key: str, unit: str = " s") -> str:
    low, high = row[f"{key}_low"], row[f"{key}_high"]
    if pd.isna(low):
        return ""
    return f"{low:.1f}–{high:.1f}{unit}"


def findings(boots: pd.DataFrame, found: dict[str, pd.DataFrame] | None = None) -> list[str]:
    """The answers in plain sentences: exposure, what early kdump buys, problem hosts."""
    found = found or tables(boots)
    if boots.empty:
        return ["No boots were found in the inputs."]
    counts = boots["status"].value_counts()
    dated = boots["kernel_start"].dropna()
    span = (f" from {dated.min():%Y-%m-%d} to {dated.max():%Y-%m-%d}" if len(dated) else "")
    if len(dated) and len(dated) < len(boots):
        span += f" ({len(boots) - len(dated)} more with no calendar date)"
    out = [f"{plural(len(boots), 'boot')} on {plural(boots['host'].nunique(), 'host')}{span}: "
           + ", ".join(f"{counts.get(s, 0)} {_STATUS_WORDS[s]}" for s in stats.STATUSES
                       if counts.get(s, 0)) + "."]
    compared = found["comparison"]
    median, p90 = compared.loc["median"], compared.loc["p90"]
    if not pd.isna(median["difference_s"]):
        out.append(
            f"Boots armed by early kdump were protected after a median {_s(median['candidate_s'])}"
            f" (p90 {_s(p90['candidate_s'])}), boots armed by the kdump service after "
            f"{_s(median['baseline_s'])} (p90 {_s(p90['baseline_s'])}).")
        out.append(_saving(median))
    pairs = found["paired_hosts"]
    if len(pairs):
        saved = pairs["difference_s"]
        out.append(
            f"On the {plural(len(pairs), 'host')} that booted both ways, each host's median gap "
            f"{'fell' if saved.median() >= 0 else 'rose'} by {_s(abs(saved.median()))} at the "
            f"median" + (f" (from {saved.min():.1f} s to {saved.max():.1f} s)"
                         if len(pairs) > 1 else "") + ".")
    problems = found["problem_hosts"]
    serious = problems[problems[["failed", "not_armed", "early_not_armed"]].sum(axis=1) > 0]
    if len(serious):
        verb = "needs" if len(serious) == 1 else "need"
        out.append(f"{plural(len(serious), 'host')} {verb} a look: "
                   + "; ".join(f"{host} ({row['problems']})"
                               for host, row in serious.head(5).iterrows())
                   + ("" if len(serious) <= 5 else f"; and {len(serious) - 5} more") + ".")
    still = problems[problems["problems"].str.contains("still on plain kdump", regex=False)
                     & ~problems.index.isin(serious.index)]
    if len(still):
        out.append("Still on plain kdump, slowest latest boot first: "
                   + ", ".join(f"{host} ({_latest_gap(row)})" for host, row in still.iterrows())
                   + ".")
    bounds = int(stats.is_lower_bound(stats.regular(boots)).sum())
    if bounds:
        out.append(f"{plural(bounds, 'boot')} armed with only a wall-clock time: "
                   f"{'its gap is a lower bound' if bounds == 1 else 'their gaps are lower bounds'}"
                   ", shown with ≥ and left out of the figures above.")
    captures = int(len(boots) - len(stats.regular(boots)))
    if captures:
        out.append(f"{plural(captures, 'boot')} of a kdump capture kernel (saving a vmcore) "
                   f"{'is' if captures == 1 else 'are'} not counted as exposure.")
    return out


def _saving(median: pd.Series) -> str:
    """What early kdump did to the median gap, in words that fit its sign."""
    saved = median["difference_s"]
    verb = "shortened" if saved >= 0 else "lengthened"
    text = f"Early kdump {verb} the median gap by {_s(abs(saved))}"
    ci = _interval(median, "difference_s")
    if ci:
        text += f" (95% interval {ci})"
    ratio = median["ratio"]
    if np.isfinite(ratio) and ratio > 0:
        text += f", {ratio:.1f}× shorter" if ratio >= 1 else f", {1 / ratio:.1f}× longer"
        ratio_ci = _interval(median, "ratio", "×")
        if ratio_ci and ratio >= 1:
            text += f" ({ratio_ci})"
    text += (f"; {plural(int(median['baseline_boots']), 'kdump boot')} and "
             f"{plural(int(median['candidate_boots']), 'early-kdump boot')} with exact gaps")
    if ci and "over boots" in median["method"]:
        text += (" (fewer than 5 hosts on a side: single boots were resampled, so the "
                 "interval leaves out host-to-host variation and is too narrow)")
    return text + "."


def display_tables(found: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, str]]:
    """The report's tables with readable headings and units, as strings, each with a note
    saying how to read it: {heading: (table, note)}."""
    exposure = found["exposure"]
    shown = {"How exposed is the fleet? (by what each boot was set up for)": (pd.DataFrame({
        "boots": exposure["boots"], "hosts": exposure["hosts"],
        "armed": exposure["armed_share"].map(_pct),
        "failed": exposure["failed_share"].map(_pct),
        "never armed": exposure["not_armed_share"].map(_pct),
        "unknown": exposure["unknown_share"].map(_pct),
        "unprotected at 10 s": exposure["unprotected_10s_share"].map(_pct),
        "at 30 s": exposure["unprotected_30s_share"].map(_pct),
        "exact gaps": exposure["exact_gaps"],
        "median": exposure["median_s"].map(_s), "p90": exposure["p90_s"].map(_s),
        "p99": exposure["p99_s"].map(_s), "max": exposure["max_s"].map(_s),
        "wall-clock only": [f"{n}, median ≥{m:.1f} s" if n else "0"
                            for n, m in zip(exposure["lower_bounds"],
                                            exposure["lower_bound_median_s"], strict=True)],
    }).rename_axis("set up for"),
        "Set up for early-kdump: rd.earlykdump on the command line, or early kdump enabled or "
        "armed; kdump: a crash kernel loaded, failed, or memory reserved for one. A host set up "
        "for early kdump that still armed late counts here with its late gaps. \"Unprotected "
        "at 10 s\": share of boots with a known outcome (an exact gap, failed or never armed) "
        "still without a crash kernel 10 s after kernel start. Gap figures use exact gaps only; "
        "boots with only wall-clock times are counted apart.")}
    compared = found["comparison"]
    compared = compared.rename(index={"median": "median of boots", "p90": "p90 of boots",
                                      "paired median": "per host (paired)"})
    shown["What does early kdump buy? (by what loaded the crash kernel, exact gaps)"] = (
        pd.DataFrame({
            "kdump": compared["baseline_s"].map(_s),
            "early kdump": compared["candidate_s"].map(_s),
            "saved": compared["difference_s"].map(_s),
            "95% interval": [_interval(r, "difference_s") or "-"
                             for _, r in compared.iterrows()],
            "kdump ÷ early": compared["ratio"].map(
                lambda r: "-" if pd.isna(r) else f"{r:.1f}×"),
            "interval": [_interval(r, "ratio", "×") or "-" for _, r in compared.iterrows()],
            "boots": [f"{b} / {c}" for b, c in zip(compared["baseline_boots"],
                                                   compared["candidate_boots"], strict=True)],
            "hosts": [f"{b} / {c}" for b, c in zip(compared["baseline_hosts"],
                                                   compared["candidate_hosts"], strict=True)],
            "method": compared["method"],
        }).rename_axis("statistic"),
        "Boots armed from the initramfs (early kdump) against boots armed by the kdump "
        "service. The per-host row takes each host that booted both ways: its saving is the "
        "median of the hosts' own savings, not the difference of the two medians beside it.")
    pairs = found["paired_hosts"]
    shown["Hosts that booted both ways"] = (pd.DataFrame({
        "kdump boots": pairs["baseline_boots"], "kdump median": pairs["baseline_median_s"].map(_s),
        "early boots": pairs["candidate_boots"],
        "early median": pairs["candidate_median_s"].map(_s),
        "saved": pairs["difference_s"].map(_s),
        "kdump ÷ early": pairs["ratio"].map(lambda r: "-" if pd.isna(r) else f"{r:.1f}×"),
        "first early boot (UTC)": pairs["switched"].map(_date),
    }), "Before and after: each host's median exact gap under the kdump service and under "
        "early kdump. A median from one or two boots is a rough figure.")
    problems = found["problem_hosts"]
    shown["Which hosts are the problem?"] = (pd.DataFrame({
        "boots": problems["boots"],
        "latest boot": [_latest(row) for _, row in problems.iterrows()],
        "largest gap": problems["max_gap_s"].map(_s),
        "last boot (UTC)": problems["last_boot"].map(_date), "problems": problems["problems"],
    }), "Worst first: kdump set up but failing or never arming, then early kdump configured "
        "but not arming early, then no kdump at all, then the hosts still on plain kdump whose "
        "latest boot took longest to arm. Largest gap: exact gaps only.")
    phases = found["phases"]
    shown["Where in the boot the arming fell (exact gaps, by what armed it)"] = (pd.DataFrame({
        "boots": phases["boots"], "kernel (median)": phases["median_kernel_s"].map(_s),
        "initrd (median)": phases["median_initrd_s"].map(_s),
        "userspace (median)": phases["median_userspace_s"].map(_s),
        "gap (median)": phases["median_gap_s"].map(_s),
        **{f"armed in {p}" if p != "after startup" else "armed after start-up finished": phases[p]
           for p in stats.PHASES},
    }).rename_axis("armed by"),
        "Durations of each phase of the boot, from systemd's \"Startup finished\" line, and how "
        "many boots had their crash kernel loaded during each.")
    return shown


def _latest(host: pd.Series) -> str:
    """A host's latest boot in a few words: "kdump 34.1 s", "kdump ≥24.2 s", "failed"."""
    status = str(host["latest_status"])
    if status != "armed":
        return _STATUS_WORDS.get(status, status)
    return f"{host['latest_mode']} {_latest_gap(host)}"


def _latest_gap(host: pd.Series) -> str:
    if pd.isna(host["latest_gap_s"]):
        return "gap unknown"
    return stats.gap_text(host["latest_gap_s"], host["latest_clock"], host["latest_format"]) + " s"


_STATUS_WORDS = {"armed": "armed", "failed": "failed", "not-armed": "never armed",
                 "unknown": "unknown"}


def _date(value: pd.Timestamp) -> str:
    return "-" if pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def text(boots: pd.DataFrame, found: dict[str, pd.DataFrame] | None = None) -> str:
    """The findings and tables as plain text for a terminal."""
    found = found or tables(boots)
    parts = ["\n".join(_wrap(s) for s in findings(boots, found))]
    for title, (table, note) in display_tables(found).items():
        parts.append(f"{title}\n{'-' * len(title)}\n{_wrap(note, indent='')}\n\n"
                     f"{_text_table(table)}")
    return "\n\n".join(parts)


def _text_table(table: pd.DataFrame) -> str:
    """Aligned columns: words to the left, numbers and figures to the right."""
    if table.empty:
        return "(none)"
    frame = table.reset_index()
    cells = [[str(c) for c in frame.columns]]
    cells += [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    return aligned(cells, [i > 0 and _figure_column(frame.iloc[:, i])
                           for i in range(len(frame.columns))])


def aligned(cells: list[list[str]], right: list[bool]) -> str:
    """Rows of cells as text columns two spaces apart, column i right-aligned if right[i]."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(right))]
    return "\n".join("  ".join(c.rjust(w) if r else c.ljust(w)
                               for c, w, r in zip(row, widths, right, strict=True)).rstrip()
                     for row in cells)


def _figure_column(column: pd.Series) -> bool:
    """Numbers, or strings that read as figures ("25.4 s", "97%", "3 / 4")."""
    if pd.api.types.is_numeric_dtype(column):
        return True
    return all(str(v)[:1].isdigit() or str(v)[:1] in "-≥" for v in column)


def _wrap(sentence: str, width: int = 92, indent: str = "  ") -> str:
    import textwrap

    return textwrap.fill(sentence, width, subsequent_indent=indent)


def _chart_images(boots: pd.DataFrame, render: Callable[[str, object], str]) -> list[tuple]:
    """(id, caption, reference) per chart; `render(id, figure)` stores it and returns a ref."""
    import matplotlib.pyplot as plt

    from . import plot

    hosts = _timeline_hosts(boots)
    out = []
    for figure, kind, caption in FIGURES:
        kwargs = {}
        if kind == "timeline":
            if figure not in hosts:
                continue
            kwargs["host"] = hosts[figure]
            caption = caption.format(host=hosts[figure])
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        try:
            plot.CHARTS[kind](boots, ax=ax, **kwargs)
            out.append((figure, caption, render(figure, fig)))
        finally:
            plt.close(fig)
    return out


def _timeline_hosts(boots: pd.DataFrame) -> dict[str, str]:
    """The hosts of the report's timelines: the one that gained most from switching (if any
    switched), and the first problem host not already shown."""
    from . import plot

    chosen = {}
    if len(stats.paired_hosts(boots)):
        chosen["timeline-switched"] = plot.default_host(boots)
    problems = [h for h in stats.problem_hosts(boots).index if h not in chosen.values()]
    if problems:
        chosen["timeline-problem"] = problems[0]
    return chosen


def _png(fig: object) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=144)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _boot_list(boots: pd.DataFrame) -> pd.DataFrame:
    view = boots.head(MAX_BOOT_ROWS)
    return pd.DataFrame({
        "host": view["host"], "boot": view["boot_id"].fillna("-").str.slice(0, 8),
        "kernel start (UTC)": view["kernel_start"].map(_date),
        "gap": [stats.gap_text(g, c, f) + ("" if pd.isna(g) else " s")
                for g, c, f in zip(view["gap_s"], view["clock"], view["format"], strict=True)],
        "mode": view["mode"], "status": view["status"], "clock": view["clock"],
        "failure": view["failure"].fillna(""), "note": view["note"].fillna(""),
    })


def _inputs(boots: pd.DataFrame) -> pd.DataFrame:
    rows = boots.attrs.get("inputs", [])
    return pd.DataFrame(rows, columns=["source", "format", "skipped", "error"]).fillna("")


def _method(resamples: int, seed: int) -> str:
    return METHOD.format(resamples=resamples, seed=seed,
                         min_hosts=stats.MIN_HOSTS_FOR_HOST_BOOTSTRAP)


def markdown(boots: pd.DataFrame, chart_dir: Path | None = None, *, title: str | None = None,
             resamples: int = 2000, seed: int = 0, written: list[Path] | None = None) -> str:
    """The report in Markdown; charts are written as PNGs into `chart_dir` and linked
    relative to it (no charts when `chart_dir` is None), their paths added to `written`."""
    found = tables(boots, resamples=resamples, seed=seed)
    lines = [f"# {_md_text(title or 'Crash kernel protection gap report')}", "",
             f"Generated {_generated(boots)}.", ""]
    lines += [f"- {_md_text(s)}" for s in findings(boots, found)] + [""]
    for heading, (table, note) in display_tables(found).items():
        lines += [f"## {heading}", "", _md_text(note), "", _md_table(table), ""]
    if chart_dir is not None:
        chart_dir.mkdir(parents=True, exist_ok=True)

        def store(name: str, fig: object) -> str:
            path = chart_dir / f"{name}.png"
            path.write_bytes(_png(fig))
            if written is not None:
                written.append(path)
            return urllib.parse.quote(f"{chart_dir.name}/{path.name}")

        lines += ["## Charts", ""]
        for name, caption, ref in _chart_images(boots, store):
            lines += [f"![{name}]({ref})", "", f"*{_md_text(caption)}*", ""]
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
    return f"{now} by bootlag {__version__} from {len(_inputs(boots))} inputs"


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


def html(boots: pd.DataFrame, *, title: str | None = None, resamples: int = 2000,
         seed: int = 0) -> str:
    """The report as one self-contained HTML page (charts embedded as PNG data)."""
    found = tables(boots, resamples=resamples, seed=seed)
    title = title or "Crash kernel protection gap report"
    esc = html_escape.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}"
             f"</title><style>{STYLE}</style></head><body>", f"<h1>{esc(title)}</h1>",
             f"<p class='small'>Generated {esc(_generated(boots))}.</p>",
             "<h2>Findings</h2><ul class='findings'>",
             *(f"<li>{esc(s)}</li>" for s in findings(boots, found)), "</ul>"]
    for heading, (table, note) in display_tables(found).items():
        parts += [f"<h2>{esc(heading)}</h2>", f"<p class='note'>{esc(note)}</p>",
                  _html_table(table)]

    def embed(name: str, fig: object) -> str:
        return "data:image/png;base64," + base64.b64encode(_png(fig)).decode()

    parts.append("<h2>Charts</h2>")
    for name, caption, ref in _chart_images(boots, embed):
        parts.append(f"<figure id='chart-{name}'><img alt='{esc(caption)}' src='{ref}'>"
                     f"<figcaption>{esc(caption)}</figcaption></figure>")
    parts.append("<h2>Method and caveats</h2>")
    parts += [f"<p>{esc(p)}</p>" for p in _method(resamples, seed).split("\n\n")]
    parts += ["<h2>Every boot</h2>", _html_table(_boot_list(boots), index=False)]
    if len(boots) > MAX_BOOT_ROWS:
        parts.append(f"<p>(first {MAX_BOOT_ROWS} of {len(boots)}; <code>bootlag scan --csv"
                     "</code> lists all)</p>")
    parts += ["<h2>Inputs</h2>", _html_table(_inputs(boots), index=False), "</body></html>"]
    return "\n".join(parts)


def _html_table(table: pd.DataFrame, index: bool = True) -> str:
    if table.empty:
        return "<p>(none)</p>"
    frame = table.reset_index() if index else table
    numeric = [i > 0 and _figure_column(frame.iloc[:, i]) for i in range(len(frame.columns))]
    esc = html_escape.escape
    head = "".join(f"<th class='{'num' if n else 'text'}'>{esc(str(c))}</th>"
                   for c, n in zip(frame.columns, numeric, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td class='{'num' if n else 'text'}'>{esc(_cell(v))}</td>"
                         for v, n in zip(row, numeric, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


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
