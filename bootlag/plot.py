"""Charts of the boots table from `bootlag.scan`, in the style of seaborn.

Each function takes the boots DataFrame first and an optional Matplotlib ``ax``
(None: a new report-sized figure), draws on it and returns the Axes; none calls
``plt.show()``. `CHARTS` maps the chart names of ``bootlag plot KIND`` to them.

What every chart shares:

* A gap is the seconds from kernel start (monotonic zero) until a crash kernel
  was loaded. Boots are grouped by ``mode``, what armed them (as `stats.compare`),
  or by `stats.setup`, what they were set up for (as `stats.exposure`; the ECDF,
  which counts boots that never armed). Groups come in the order of
  `stats.SETUPS`, one colour-blind-safe Okabe-Ito colour each (`PALETTE`);
  empty groups are left out.
* Exact gaps (``clock == "monotonic"``) are filled markers, and the only gaps in
  boxes, violins, medians and ECDFs. Wall-clock gaps (``clock == "realtime"``)
  are lower bounds, measured from the first logged line: hollow triangles
  labelled "≥ wall-clock lower bound", kept out of every statistic.
* Boots whose arming failed or that never armed are vermillion crosses (`FAILURE`).
* Nothing to draw (an empty table, no pairs, an unknown host) gives an Axes that
  says so rather than an error. A missing value (pandas NA) in ``mode``,
  ``clock`` or ``status`` matches no mode, clock or status.
* Drawn data carry a gid (``"exact:kdump"``, ``"bound:kdump"``, ``"ecdf:kdump"``,
  ``"never"``, ...), kept as element ids in SVG output.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, PercentFormatter
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from . import stats
from .fmt import missing, plural

__all__ = ["CHARTS", "FAILURE", "PALETTE", "default_host", "ecdf", "gaps", "hosts", "over_time",
           "timeline"]

PALETTE = {"early-kdump": "#0072B2", "kdump": "#E69F00", "none": "#999999",
           "unknown": "#CC79A7"}
FAILURE = "#D55E00"  # vermillion: failed or never armed
PHASE_COLOURS = {"kernel": "#B8B8B8", "initrd": "#D6D6D6", "userspace": "#EDEDED"}
EARLY_ENABLED_COLOUR = "#56B4E9"  # Okabe-Ito sky blue
SERVICE_COLOUR = "#000000"
EARLY_ENABLED_LABEL = "early-kdump enabled (dracut)"
SERVICE_LABEL = "kdump service's result\n(loaded, already running or failed)"
FIGSIZE = (7.0, 4.0)
BOUND_LABEL = "≥ wall-clock lower bound"
NEVER_LABEL = "failed / never armed"
NEVER = ("failed", "not-armed")
MEDIAN_NOTE = "(failures = never)"  # an ECDF median counting failed boots as never protected
# The ECDF's median is not a gap median: it counts boots by setup, failures as never protected.
ECDF_MEDIAN_LABEL = "50% protected at {seconds}"

_GREY = "#555555"
_EDGE = "#333333"  # dark edges and text on the grey timeline bars
_BOX_WIDTH = 0.5
_BOUND_DX = 0.38  # lower bounds sit beside their group's box
_BAR = 0.5  # height of a timeline row's bar, in rows
# over_time: failed and never-armed boots' crosses in a band along the top of the axes, above a
# dashed line at _BAND (axes fraction); the highest dot at _BAND_DATA_TOP.
_BAND, _BAND_CROSS_Y, _BAND_DATA_TOP = 0.86, 0.905, 0.8


# -- shared helpers -------------------------------------------------------------------------------

def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _nothing(ax: Axes, text: str, title: str) -> Axes:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=11,
            color=_GREY, gid="nothing")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax


def _seconds(x: float) -> str:
    return f"{x:.2f} s" if x < 0.995 else f"{x:.1f} s"


def _plain(text: object) -> str:
    """Text from the logs, drawn as is: a pair of "$" would start Matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


def _colour(setup: str) -> str:
    return PALETTE.get(setup, PALETTE["none"])


def _grouped(boots: pd.DataFrame, by: str) -> pd.DataFrame:
    """`boots` but capture kernels (`stats.regular`), with a ``group`` column: the boot's
    ``mode`` ("unknown" where missing) or its `stats.setup`."""
    if by not in ("mode", "setup"):
        raise ValueError(f"by must be 'mode' or 'setup', not {by!r}")
    boots = stats.regular(boots)
    if by == "setup":
        return boots.assign(group=stats.setup(boots))
    return boots.assign(group=boots["mode"].astype("string").fillna("unknown"))


_BY_TITLE = {"mode": "by what armed it", "setup": "by setup"}


def _is(column: pd.Series, *values: object) -> np.ndarray:
    """Elementwise ``column in values`` as a numpy bool array, False where the value is NA."""
    return column.isin(values).fillna(False).to_numpy(dtype=bool, na_value=False)


def _exact(frame: pd.DataFrame) -> np.ndarray:
    return stats.is_measured(frame).to_numpy(dtype=bool, na_value=False)


def _bound(frame: pd.DataFrame) -> np.ndarray:
    return stats.is_lower_bound(frame).to_numpy(dtype=bool, na_value=False)


def _never(frame: pd.DataFrame) -> np.ndarray:
    return _is(frame["status"], *NEVER)


def _left_out(frame: pd.DataFrame, *, bounds: bool) -> list[str]:
    """Phrases counting the boots of `frame` by why a chart could not place them."""
    status = frame["status"]
    armed = _is(status, "armed")
    parts = [(int(_bound(frame).sum()) if bounds else 0, "with only a wall-clock lower bound"),
             (int(_is(status, "failed").sum()), "failed"),
             (int(_is(status, "not-armed").sum()), "never armed"),
             (int((_is(status, "unknown") | status.isna().to_numpy(dtype=bool)).sum()),
              "of unknown status"),
             (int((armed & frame["gap_s"].isna().to_numpy(dtype=bool)).sum()),
              "armed at an unlogged time"),
             (int((armed & frame["gap_s"].notna().to_numpy(dtype=bool)
                   & ~_exact(frame) & ~_bound(frame)).sum()), "armed, clock not logged")]
    return [f"{n} {what}" for n, what in parts if n]


def _drawn(exact: pd.DataFrame, bounds: int, sep: str) -> str:
    """What a group's marks stand for, the same words in every chart: "23 exact, 6 hosts"
    (exact gaps, then "4 estimated" where there are estimates, and their hosts) then, with
    `sep`, "+6 lower bounds" where there are any."""
    estimated = int(stats.is_estimate(exact).sum()) if len(exact) else 0
    counts = f"{len(exact) - estimated} exact" + (f", {estimated} estimated" if estimated else "")
    text = f"{counts}, {plural(exact['host'].nunique(), 'host')}"
    return text + f"{sep}+{plural(bounds, 'lower bound')}" if bounds else text


def _log_scale(ax: Axes, which: str) -> None:
    """Log scale on the `which` ("x" or "y") axis, ticks as plain seconds at 1, 2, 5 x 10^k."""
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _legend_below(ax: Axes, handles: list, *, ncol: int, lines: int = 2) -> None:
    """A frameless legend under the x axis, below `lines` lines of tick labels and x label."""
    shift = ScaledTranslation(0, -(4 + 14 * lines) / 72, ax.figure.dpi_scale_trans)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0),
              bbox_transform=ax.transAxes + shift, ncol=ncol, fontsize=7.5, frameon=False)


def _exact_handle(colour: str, label: str) -> Line2D:
    return Line2D([], [], ls="", marker="o", markersize=6, color=colour,
                  markeredgecolor="white", label=label)


def _bound_handle(colour: str = _GREY) -> Line2D:
    return Line2D([], [], ls="", marker="^", markersize=7, markerfacecolor="none",
                  markeredgecolor=colour, label=BOUND_LABEL)


def _never_handle(never: pd.DataFrame) -> Line2D:
    """The legend entry of the crosses drawn for the boots of `never`, counting them."""
    failed, not_armed = (int(_is(never["status"], status).sum()) for status in NEVER)
    label = (f"failed ({failed}) or never armed ({not_armed})" if failed and not_armed
             else f"failed ({failed})" if failed else f"never armed ({not_armed})")
    return Line2D([], [], ls="", marker="x", markersize=7, markeredgewidth=1.8, color=FAILURE,
                  label=label)


# -- gaps -----------------------------------------------------------------------------------------

def gaps(boots: pd.DataFrame, ax: Axes | None = None, *, by: str = "mode", kind: str = "box",
         log: bool = False) -> Axes:
    """Protection gap (seconds from kernel start, monotonic clock) per mode or setup.

    Groups are ``by="mode"`` (what armed the boot, as `stats.compare`) or
    ``by="setup"`` (what it was set up for, as `stats.exposure`). A box
    (``kind="box"``: quartiles, whiskers to 1.5 IQR) or violin
    (``kind="violin"``) of the exact or estimated gaps of each group with every boot as a
    jittered dot and the median annotated; wall-clock lower bounds as hollow
    triangles beside, outside the box. Tick labels count the exact or estimated gaps and
    their hosts behind each box, then the lower bounds ("23 exact, 6 hosts" over
    "+6 lower bounds", the words of `over_time`'s legend); the x label counts
    the boots with no gap to draw.
    ``log=True``: log-scale gap axis.
    """
    if kind not in ("box", "violin"):
        raise ValueError(f"kind must be 'box' or 'violin', not {kind!r}")
    ax = _axes(ax)
    frame = _grouped(boots, by)
    title = f"Protection gap per boot, {_BY_TITLE[by]}"
    exact, bounds = frame[_exact(frame)], frame[_bound(frame)]
    shown = pd.concat([exact["group"], bounds["group"]])
    names = [s for s in stats.SETUPS if _is(shown, s).any()]
    if not names:
        return _nothing(ax, "no gaps to show", title)
    rng = np.random.default_rng(0)
    labels = []
    for i, name in enumerate(names):
        colour = _colour(name)
        mine = exact[_is(exact["group"], name)]
        values = mine["gap_s"].to_numpy(dtype=float)
        lows = bounds.loc[_is(bounds["group"], name), "gap_s"].to_numpy(dtype=float)
        if len(values):
            _distribution(ax, values, i, colour, kind, name)
            ax.scatter(i + rng.uniform(-0.11, 0.11, len(values)), values, s=18, color=colour,
                       edgecolors="white", linewidths=0.4, zorder=3, gid=f"exact:{name}")
            median = float(np.median(values))
            ax.annotate(f"median\n{_seconds(median)}", (i - _BOX_WIDTH / 2, median),
                        xytext=(-5, 0), textcoords="offset points", ha="right", va="center",
                        fontsize=8, fontweight="bold", color="#333333", gid=f"median:{name}")
        if len(lows):
            ax.scatter(i + _BOUND_DX + rng.uniform(-0.04, 0.04, len(lows)), lows, marker="^",
                       s=24, facecolors="none", edgecolors=colour, linewidths=1, zorder=3,
                       gid=f"bound:{name}")
        labels.append(f"{name}\n" + _drawn(mine, len(lows), "\n"))
    ax.set_xticks(range(len(names)), labels)
    ax.set_xlim(-0.85, len(names) - 1 + (0.6 if len(bounds) else 0.45))
    if log:
        _log_scale(ax, "y")
    else:
        ax.set_ylim(bottom=0)
    ax.set_ylabel("gap (s): kernel start → crash kernel loaded")
    missing = _left_out(frame[~(_exact(frame) | _bound(frame))], bounds=False)
    ax.set_xlabel("not drawn (no gap): " + ", ".join(missing) if missing else "")
    ax.xaxis.label.set(fontsize=8, color=_GREY)
    handles = [_exact_handle(_GREY, "exact or estimated gap, one boot")]
    if len(bounds):
        handles.append(_bound_handle())
    ax.legend(handles=handles, fontsize=8, loc="best", framealpha=0.9)
    ax.set_title(title + (" (log scale)" if log else ""))
    ax.grid(axis="y", alpha=0.3)
    return ax


def _distribution(ax: Axes, values: np.ndarray, x: float, colour: str, kind: str,
                  name: str) -> None:
    """One box or violin of `values` at `x`, with a black median line."""
    if kind == "box":
        box = ax.boxplot([values], positions=[x], widths=_BOX_WIDTH, patch_artist=True,
                         showfliers=False, manage_ticks=False, zorder=2,
                         medianprops={"color": "black", "linewidth": 1.8},
                         boxprops={"facecolor": colour, "alpha": 0.25, "edgecolor": colour},
                         whiskerprops={"color": colour}, capprops={"color": colour})
        box["boxes"][0].set_gid(f"box:{name}")
        return
    if len(values) > 1 and np.ptp(values) > 0:  # a KDE needs spread
        parts = ax.violinplot([values], positions=[x], widths=0.6, showextrema=False)
        for body in list(parts["bodies"]):  # type: ignore[call-overload]
            body.set(facecolor=colour, edgecolor=colour, alpha=0.25, gid=f"violin:{name}")
    half = _BOX_WIDTH / 2
    ax.hlines(np.median(values), x - half, x + half, colors="black", linewidth=1.8, zorder=2)


# -- ecdf -----------------------------------------------------------------------------------------

def ecdf(boots: pd.DataFrame, ax: Axes | None = None, *, log: bool = False) -> Axes:
    """Share of boots protected (crash kernel loaded) t seconds after kernel start, per setup.

    A step line per setup over the boots with an exact or estimated gap (monotonic clock)
    plus those that failed or never armed: those never become protected, so
    the line tops out below 100% by their share, annotated at its right end
    with the boots it counts ("76% of 37 armed; 3 failed, 6 never armed").
    That top is not the setup's armed share (`stats.exposure`): armed boots
    with only a wall-clock lower bound are not in the line. The dotted line
    marks where the line reaches 50% ("50% protected at 28.0 s"): a median time
    to protection by setup, not the median gap by mode of `stats.compare`
    (the headline); failed and never-armed boots count as never protected, so
    it can lie above the median of exact or estimated gaps, and where the line has such
    boots its label says so ("(failures = never)" under it).
    Boots with only a wall-clock lower bound, of unknown status or armed at an
    unlogged time are left out and counted under the x axis. The legend counts
    the boots and hosts behind each line. ``log=True``: log-scale time axis.
    """
    ax = _axes(ax)
    title = "Share of boots protected t seconds after kernel start, by setup"
    frame = _grouped(boots, "setup")
    exact_mask, never_mask = _exact(frame), _never(frame)
    counted = frame[exact_mask | never_mask]
    names = [s for s in stats.SETUPS if _is(counted["group"], s).any()]
    if not names:
        return _nothing(ax, "no measured gaps or failed boots to show", title)
    all_gaps = frame.loc[exact_mask, "gap_s"].to_numpy(dtype=float)
    positive = all_gaps[all_gaps > 0]
    right = float(all_gaps.max()) * 1.08 if len(all_gaps) else 1.0
    left = float(positive.min()) / 1.5 if log and len(positive) else (0.1 if log else 0.0)
    tops: dict[str, tuple[float, str]] = {}
    steps: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in names:
        part = counted[_is(counted["group"], name)]
        values = np.sort(part.loc[_exact(part), "gap_s"].to_numpy(dtype=float))
        total = len(part)
        shares = np.arange(1, len(values) + 1) / total
        top = float(shares[-1]) if len(values) else 0.0
        tops[name] = (top, _top_label(part, len(values)))
        colour = _colour(name)
        label = f"{name}: {plural(total, 'boot')}, {plural(part['host'].nunique(), 'host')}"
        steps[name] = (np.concatenate([[left], values, [right]]),
                       np.concatenate([[0.0], shares, [top]]))
        ax.step(*steps[name], where="post", color=colour, linewidth=2, label=label,
                gid=f"ecdf:{name}")
        median = _median_with_never(values, total)
        if median is not None:
            ax.plot([median, median], [0, 0.5], ls=":", color=colour, linewidth=1.5,
                    gid=f"median:{name}")
            # Right of the line below 50% (where this line is already above), or, near the
            # right edge, left of it above 50% (where this line is still below).
            scale = np.log if log else (lambda v: v)
            leftwards = (scale(median) - scale(left)) > 0.75 * (scale(right) - scale(left))
            text = ECDF_MEDIAN_LABEL.format(seconds=_seconds(median))
            if total > len(values):  # not the median of the exact or estimated gaps: say why
                text += f"\n{MEDIAN_NOTE}"
            ax.annotate(text, (median, 0.5),
                        xytext=(-4, 4) if leftwards else (4, -4), textcoords="offset points",
                        ha="right" if leftwards else "left", va="bottom" if leftwards else "top",
                        fontsize=8, fontweight="bold", color=colour, gid=f"median-text:{name}")
    ax.axhline(0.5, color="#CCCCCC", linewidth=0.8, zorder=0)
    ax.set_xlim(left, right)
    if log:
        _log_scale(ax, "x")
    _annotate_tops(ax, tops, steps, log)
    ax.set_ylim(-0.02, 1.08)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    xlabel = "seconds since kernel start (monotonic clock)"
    left_out = _left_out(frame[~(exact_mask | never_mask)], bounds=True)
    if left_out:
        xlabel += "\nleft out: " + "; ".join(left_out)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("boots with a crash kernel loaded")
    _legend_below(ax, ax.get_legend_handles_labels()[0], ncol=len(names) if len(names) < 4 else 2,
                  lines=1 + xlabel.count("\n") + 1)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


def _median_with_never(values: np.ndarray, total: int) -> float | None:
    """Median time to protection, the boots that never armed counting as infinitely late;
    None when fewer than half the boots ever armed."""
    padded = np.concatenate([values, np.full(total - len(values), np.inf)])
    low, high = padded[(total - 1) // 2], padded[total // 2]
    if not np.isfinite(low):
        return None
    return float(low if not np.isfinite(high) else (low + high) / 2)


def _top_label(part: pd.DataFrame, protected: int) -> str:
    """What the top of an ECDF line is: the share of the boots the line counts (`part`: exact
    gaps plus failed and never-armed boots) that armed, out of how many, and what the rest
    are ("76% of 37 armed; 3 failed, 6 never armed"). Not the setup's armed share
    (`stats.exposure`), which also counts the armed boots with only a lower bound."""
    text = f"{protected / len(part):.0%} of {len(part)} armed"
    failed, never = int(_is(part["status"], "failed").sum()), int(_is(part["status"],
                                                                      "not-armed").sum())
    rest = [f"{n} {what}" for n, what in ((failed, "failed"), (never, "never armed")) if n]
    return "; ".join([text, ", ".join(rest)]) if rest else text


def _annotate_tops(ax: Axes, tops: dict[str, tuple[float, str]],
                   steps: dict[str, tuple[np.ndarray, np.ndarray]], log: bool) -> None:
    """Each line's (top, label) at the right end of the line (`steps`: its x and y): above
    the line's end, else below it, else one label height further up or down, wherever the
    label crosses no line and no other label; lines ending at the same height get their
    labels stacked. With no such place, above the end on a white ground."""
    height = 0.07  # a label's height in shares, at report size
    left, right = ax.get_xlim()
    figure = ax.get_figure(root=True)
    width_in = figure.get_figwidth() if figure is not None else FIGSIZE[0]
    axes_pt = ax.get_position().width * width_in * 72
    labels_at: list[tuple[float, float]] = []
    for name, (top, text) in sorted(tops.items(), key=lambda item: -item[1][0]):
        # Where the label starts, estimated from its characters: the lines there are in the
        # way from their height at that x to their end (an ECDF only rises).
        share = min(1.0, (3 + max(map(len, text.split("\n"))) * 8 * 0.6) / axes_pt)
        start = (right * (left / right) ** share if log and left > 0
                 else right - share * (right - left))
        taken = [(float(ys[max(np.searchsorted(xs, start, side="right") - 1, 0)]), end)
                 for (xs, ys), end in ((steps[n], tops[n][0]) for n in steps)] + labels_at
        above, under = (top, top + height), (top - height, top)
        tries = [(above, False), (under, True), ((top + height, top + 2 * height), False),
                 ((top - 2 * height, top - height), True)]
        fits = [(band, below) for band, below in tries if band[0] >= -0.02 and band[1] <= 1.08
                and not any(_overlap(band, other) for other in taken)]
        band, below = fits[0] if fits else (above, False)
        while any(_overlap(band, placed) for placed in labels_at):
            band = (band[0] + height, band[1] + height)
        labels_at.append(band)
        ax.annotate(text, (right, band[1] if below else band[0]), xytext=(-3, -3 if below else 3),
                    textcoords="offset points", ha="right", va="top" if below else "bottom",
                    fontsize=8, color=_colour(name), gid=f"top:{name}",
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.8})


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# -- hosts ----------------------------------------------------------------------------------------

def hosts(boots: pd.DataFrame, ax: Axes | None = None, *, baseline: str = "kdump",
          candidate: str = "early-kdump", limit: int = 25) -> Axes:
    """Per-host median exact or estimated gap (seconds) under `baseline` and `candidate`.

    A dumbbell per host of `stats.paired_hosts` (hosts with exact or estimated gaps under
    both modes), from its candidate median to its baseline median, the host
    with the largest difference on top, annotated with the ratio ("9.3× shorter").
    With more than `limit` such hosts, `limit` of them evenly spaced in that
    order are drawn (the largest and smallest savings included), and the title
    says so.
    """
    pairs = stats.paired_hosts(boots, baseline, candidate)
    title = f"Median gap per host: {baseline} vs {candidate}"
    shown = len(pairs)
    if len(pairs) > limit:
        pairs = pairs.iloc[np.unique(np.linspace(0, len(pairs) - 1, limit).round().astype(int))]
    ax = _axes(ax, (FIGSIZE[0], max(FIGSIZE[1], 1.6 + 0.32 * len(pairs))))
    if pairs.empty:
        return _nothing(ax, f"no host has exact or estimated gaps under both {baseline} and "
                        f"{candidate}", title)
    pairs = pairs.sort_values("difference_s", kind="stable")  # largest difference on top
    y = np.arange(len(pairs))
    base = pairs["baseline_median_s"].to_numpy(dtype=float)
    cand = pairs["candidate_median_s"].to_numpy(dtype=float)
    ax.hlines(y, cand, base, colors="#BBBBBB", linewidth=3, zorder=1, gid="dumbbells")
    handles = []
    for side, role, x in ((baseline, "baseline", base), (candidate, "candidate", cand)):
        counts = pairs[f"{role}_boots"].to_numpy(dtype=int)
        ax.scatter(x, y, s=60, color=_colour(side), edgecolors="white", linewidths=0.6,
                   zorder=3, gid=f"median:{side}")
        for row, (at, n) in enumerate(zip(x, counts, strict=True)):
            ax.annotate(plural(int(n), "boot"), (at, row), xytext=(0, -7),
                        textcoords="offset points", ha="center", va="top", fontsize=6.5,
                        color=_colour(side), gid="boots")
        handles.append(_exact_handle(_colour(side), f"{side}: median of the host's exact or "
                                                    f"estimated gaps "
                                                    f"({plural(int(counts.sum()), 'boot')})"))
    for row, (b, c, ratio) in enumerate(zip(base, cand, pairs["ratio"].to_numpy(dtype=float),
                                            strict=True)):
        if np.isfinite(ratio) and ratio > 0:
            text = f"{ratio:.1f}× shorter" if ratio >= 1 else f"{1 / ratio:.1f}× longer"
            ax.annotate(text, (max(b, c), row), xytext=(8, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=8, color="#333333", gid="ratio")
    ax.set_yticks(y, [_plain(host) for host in pairs.index])
    ax.set_ylim(-0.6, len(pairs) - 0.4)
    ax.set_xlim(0, max(base.max(), cand.max()) * 1.3)
    ax.set_xlabel("median gap (s): kernel start → crash kernel loaded")
    _legend_below(ax, handles, ncol=1)
    if shown > len(pairs):
        ax.set_title(f"{title}\n({len(pairs)} of the {shown} hosts that booted under both, "
                     "evenly spaced by saving)")
    else:
        ax.set_title(f"{title} ({plural(shown, 'host')} booted under both)")
    ax.grid(axis="x", alpha=0.3)
    return ax


# -- timeline -------------------------------------------------------------------------------------

def timeline(boots: pd.DataFrame, ax: Axes | None = None, *, host: str | None = None,
             boot_id: str | None = None, last: int | None = 10) -> Axes:
    """One row per boot of a host: where in the boot the crash kernel was armed.

    x is seconds since kernel start. Each row stacks systemd's phases (kernel,
    initrd, userspace from "Startup finished", when logged; a boot without an
    initrd has none, its userspace starting where the kernel ends) and marks the
    arming (gap_s, coloured by the boot's mode, with its value; hollow and
    "≥" for a wall-clock lower bound), "early-kdump is enabled"
    (``early_enabled_s``, across the bar) and the kdump service's result
    (``service_s``: loaded, already running or failed) where those columns
    exist. Failed and never-armed boots get a vermillion cross, counted in the
    legend: a failed boot's at each time its failures were logged (seconds from
    kernel start, the ``failures_s`` column, where the table has it and the time
    is known), else, as a never-armed boot's, at the end of its bar; the failure
    texts (``failures``, else ``failure``) are written above the bar. Rows: the
    `last` boots of `host` by kernel start (all when None), or the boot(s) whose
    id is or starts with `boot_id`. With neither given: `default_host`.
    """
    frame = boots
    if boot_id is not None:
        ids = frame["boot_id"].astype("string").fillna("")
        frame = frame[ids.str.startswith(boot_id).to_numpy(dtype=bool)]
    if host is None and boot_id is None and len(frame):
        host = default_host(frame)
    if host is not None:
        frame = frame[_is(frame["host"], host)]
    frame = frame.sort_values("kernel_start", na_position="last", kind="stable")
    if boot_id is None and last:
        frame = frame.tail(last)
    names = [_plain(name) for name in dict.fromkeys(frame["host"].astype(str))]
    ax = _axes(ax, (FIGSIZE[0], max(FIGSIZE[1], 2.0 + 0.3 * len(frame))))
    title = "Boot timeline — " + (", ".join(names) or _plain(host or boot_id or "no host"))
    if boot_id is not None and len(frame) == 1:
        title += f", boot {_plain(boot_id[:8])}"
    if frame.empty:
        what = (f"no boot {_plain(boot_id)}" if boot_id is not None else
                f"no boots of host {_plain(host)}" if host is not None else "no boots")
        return _nothing(ax, f"{what} to show", title)
    handles = _timeline_rows(ax, frame.reset_index(drop=True))
    ax.set_yticks(range(len(frame)), _row_labels(frame), fontsize=8)
    ax.set_ylim(len(frame) - 0.4, -0.6)  # oldest on top
    ax.set_xlim(left=0)
    ax.set_xlabel("seconds since kernel start")
    dated = frame["kernel_start"].notna()
    ax.set_ylabel("kernel start (UTC)" if dated.all() else "boot" if not dated.any()
                  else "kernel start (UTC) or boot")
    _legend_below(ax, handles, ncol=4)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return ax


def default_host(boots: pd.DataFrame) -> str | None:
    """The host a timeline shows when none is given.

    The host whose median exact or estimated gap shrank most with early kdump, i.e. the
    first of `stats.paired_hosts(boots)` (``paired_hosts(boots).index[0]``);
    when no host booted under both, the host with the most boots, ties broken
    by host name (the first in ascending order). None when `boots` has no host.
    """
    pairs = stats.paired_hosts(boots)
    if not pairs.empty:
        return str(pairs.index[0])
    named = boots["host"].dropna().astype(str)
    if named.empty:
        return None
    counts = named.value_counts()
    return str(min(counts.index[counts.eq(counts.max()).to_numpy(dtype=bool)]))


def _row_labels(frame: pd.DataFrame) -> list[str]:
    labels = []
    for i, (start, boot_id) in enumerate(zip(frame["kernel_start"], frame["boot_id"],
                                             strict=True)):
        if pd.notna(start):
            labels.append(pd.Timestamp(start).tz_convert("UTC").strftime("%Y-%m-%d %H:%M"))
        elif pd.notna(boot_id):
            labels.append(f"boot {str(boot_id)[:8]}")
        else:
            labels.append(f"boot #{i + 1}")
    return labels


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A float column, all NaN when the table does not have it."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def _timeline_rows(ax: Axes, frame: pd.DataFrame) -> list:
    """Draw the rows of `frame` (y = its positional index); return the legend handles."""
    handles: list = []
    y = np.arange(len(frame))
    phase_s = {p: _column(frame, f"{p}_s") for p in PHASE_COLOURS}
    # "Startup finished in 1.2s (kernel) + 20s (userspace)": no initrd, which takes 0 s.
    has_phases = np.isfinite(phase_s["kernel"]) & np.isfinite(phase_s["userspace"])
    left = np.zeros(len(frame))
    for phase, colour in PHASE_COLOURS.items():
        width = phase_s[phase]
        rows = has_phases & np.isfinite(width)
        if rows.any():
            ax.barh(y[rows], width[rows], left=left[rows], height=_BAR, color=colour,
                    edgecolor="#999999", linewidth=0.5, zorder=1, gid=f"phase:{phase}")
            handles.append(Patch(facecolor=colour, edgecolor="#999999", linewidth=0.5,
                                 label=phase))
        left = left + np.nan_to_num(width)
    span = _column(frame, "log_span_s")
    ends = np.where(has_phases, left, np.nan_to_num(span))
    if (~has_phases & np.isfinite(span)).any():
        rows = ~has_phases & np.isfinite(span)
        ax.hlines(y[rows], 0, span[rows], colors="#AAAAAA", linewidth=1, linestyles="--",
                  zorder=1, gid="log-span")
        handles.append(Line2D([], [], color="#AAAAAA", ls="--", lw=1,
                              label="log (no phase times)"))
    handles += _milestones(ax, frame, y)
    handles += _armed_markers(ax, frame, y)
    handles += _never_markers(ax, frame, y, ends)
    return handles


def _milestones(ax: Axes, frame: pd.DataFrame, y: np.ndarray) -> list:
    handles = []
    x = _column(frame, "early_enabled_s")
    if np.isfinite(x).any():
        # Across the whole bar, with a thin dark edge: sky blue alone is faint on grey.
        rows = np.isfinite(x)
        edge = [patheffects.Stroke(linewidth=3.7, foreground=_EDGE), patheffects.Normal()]
        ax.vlines(x[rows], y[rows] - _BAR / 2, y[rows] + _BAR / 2, colors=EARLY_ENABLED_COLOUR,
                  linewidth=2.5, capstyle="butt", path_effects=edge, zorder=2,
                  gid="early_enabled_s")
        handles.append(Line2D([], [], ls="", marker="|", markersize=11, markeredgewidth=2.5,
                              color=EARLY_ENABLED_COLOUR, path_effects=edge,
                              label=EARLY_ENABLED_LABEL))
    x = _column(frame, "service_s")
    if np.isfinite(x).any():
        rows = np.isfinite(x)
        ax.scatter(x[rows], y[rows], marker="|", s=160, linewidths=2, color=SERVICE_COLOUR,
                   zorder=2, gid="service_s")
        handles.append(Line2D([], [], ls="", marker="|", markersize=10, markeredgewidth=2,
                              color=SERVICE_COLOUR, label=SERVICE_LABEL))
    return handles


def _modes(frame: pd.DataFrame) -> np.ndarray:
    """The ``mode`` column as strings, "unknown" where it is missing."""
    return frame["mode"].astype("string").fillna("unknown").astype(str).to_numpy()


def _armed_markers(ax: Axes, frame: pd.DataFrame, y: np.ndarray) -> list:
    handles = []
    gap = _column(frame, "gap_s")
    exact, bound = _exact(frame), _bound(frame)
    armed = exact | bound
    mode = _modes(frame)
    for name in dict.fromkeys([*stats.SETUPS, *mode[exact]]):
        rows = exact & (mode == name)
        if rows.any():
            ax.scatter(gap[rows], y[rows], s=60, color=_colour(name), edgecolors="black",
                       linewidths=0.6, zorder=4, gid=f"armed:{name}")
            handles.append(Line2D([], [], ls="", marker="o", markersize=7, color=_colour(name),
                                  markeredgecolor="black", markeredgewidth=0.6,
                                  label=f"armed by {name}"))
    if bound.any():
        ax.scatter(gap[bound], y[bound], s=70, marker="^", facecolors="white",
                   edgecolors=[_colour(m) for m in mode[bound]], linewidths=1.5, zorder=4,
                   gid="armed:bound")
        for name in dict.fromkeys(mode[bound]):
            handle = _bound_handle(_colour(name))
            handle.set(label=f"{BOUND_LABEL} ({name})", markeredgewidth=1.5)
            handles.append(handle)
    for row in np.flatnonzero(armed):  # above the bar, on white rather than grey
        prefix = "≥ " if bound[row] else ""
        ax.annotate(prefix + _seconds(gap[row]), (gap[row], row - _BAR / 2), xytext=(5, 1),
                    textcoords="offset points", ha="left", va="bottom", fontsize=7.5,
                    color=_EDGE, gid="armed-value")
    return handles


def _never_markers(ax: Axes, frame: pd.DataFrame, y: np.ndarray, ends: np.ndarray) -> list:
    status = frame["status"].astype("string").fillna("").astype(str).to_numpy()
    placed = _exact(frame) | _bound(frame)
    gap = _column(frame, "gap_s")
    never = _never(frame)
    times = _failure_times(frame)
    at = [times[row] if status[row] == "failed" and len(times[row]) else [ends[row]]
          for row in range(len(frame))]
    if never.any():
        rows = np.flatnonzero(never)
        ax.scatter([x for row in rows for x in at[row]],
                   [y[row] for row in rows for _ in at[row]], marker="x", s=60, linewidths=2,
                   color=FAILURE, zorder=5, gid="never")
    texts = _failure_lists(frame)
    for row in range(len(frame)):
        if never[row]:
            text = "never armed"
            if status[row] == "failed":
                text = f"failed: {_plain(_shorten('; '.join(texts[row])))}" if texts[row] \
                    else "failed"
            colour = FAILURE
        elif status[row] == "unknown":
            text, colour = "unknown: the log misses the arming window", _GREY
        elif status[row] == "armed" and not np.isfinite(gap[row]):
            text, colour = "armed, time not logged", _GREY
        elif status[row] == "armed" and not placed[row]:
            text, colour = "armed, clock not logged", _GREY
        elif not status[row]:
            text, colour = "status not logged", _GREY
        else:
            continue
        right = max(ends[row], *at[row]) if never[row] else ends[row]
        ax.annotate(text, (right, row - _BAR / 2), xytext=(-4, 1), textcoords="offset points",
                    ha="right", va="bottom", fontsize=7, color=colour, gid="status-text")
    return [_never_handle(frame[never])] if never.any() else []


def _listed(value: object) -> list:
    """A cell of a list column (``failures``, ``failures_s``) as a list; [] when missing."""
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return list(value)
    return [] if missing(value) else [value]


def _failure_times(frame: pd.DataFrame) -> list[np.ndarray]:
    """Per row, the known times (seconds from kernel start) of its failures, in time order,
    from ``failures_s``; empty where the table has no such column or no time is known."""
    if "failures_s" not in frame:
        return [np.array([]) for _ in range(len(frame))]
    out = []
    for value in frame["failures_s"]:
        seconds = pd.to_numeric(pd.Series(_listed(value), dtype=object), errors="coerce")
        known = seconds.to_numpy(dtype=float)
        out.append(np.sort(known[np.isfinite(known)]))
    return out


def _failure_lists(frame: pd.DataFrame) -> list[list[str]]:
    """Per row, the texts of its failures: every one (``failures``) where the table has them,
    else the first (``failure``)."""
    column = "failures" if "failures" in frame else "failure" if "failure" in frame else None
    if column is None:
        return [[] for _ in range(len(frame))]
    return [[str(t) for t in _listed(value) if not missing(t)] for value in frame[column]]


def _shorten(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


# -- over time ------------------------------------------------------------------------------------

def over_time(boots: pd.DataFrame, ax: Axes | None = None, *, by: str = "mode",
              log: bool = False) -> Axes:
    """Each boot's gap (seconds, kernel start → crash kernel loaded) against its kernel start.

    Dots coloured by mode (what armed the boot) or by setup (``by="setup"``)
    for exact or estimated gaps, hollow triangles for wall-clock lower bounds, a line
    through each group's weekly median of exact or estimated gaps, and vermillion crosses
    for boots that failed or never armed, in a shaded band along the top above
    a dashed line, apart from the gap axis (no dot, tick or value enters it):
    a rollout of early kdump shows as dots moving down. The legend counts
    what is drawn: exact or estimated gaps and their hosts, then lower bounds, per group
    (as the tick labels of `gaps`, over dated boots only), and the crosses
    ("failed (4)"). Boots without a calendar kernel start (short-monotonic
    text) cannot be placed and are counted per group in the x label.
    ``log=True``: log-scale gap axis.
    """
    ax = _axes(ax)
    title = "Protection gap per boot over time"
    frame = _grouped(boots, by)
    dated = frame[frame["kernel_start"].notna().to_numpy(dtype=bool)]
    undated = len(frame) - len(dated)
    exact_mask, bound_mask, never_mask = _exact(dated), _bound(dated), _never(dated)
    if not (exact_mask | bound_mask | never_mask).any():
        return _nothing(ax, "no dated boots to show" if undated
                        else "no gaps or failures to show", title)
    days = _date_numbers(dated["kernel_start"])
    gap = dated["gap_s"].to_numpy(dtype=float)
    setups = dated["group"].astype(str).to_numpy()
    handles: list = []
    for name in stats.SETUPS:
        rows = exact_mask & (setups == name)
        lows = bound_mask & (setups == name)
        if not (rows.any() or lows.any()):
            continue
        colour = _colour(name)
        if rows.any():
            ax.scatter(days[rows], gap[rows], s=22, color=colour, edgecolors="white",
                       linewidths=0.4, zorder=3, gid=f"exact:{name}")
            _weekly_median(ax, dated[rows], colour, name)
        if lows.any():
            ax.scatter(days[lows], gap[lows], marker="^", s=26, facecolors="none",
                       edgecolors=colour, linewidths=1, zorder=3, gid=f"bound:{name}")
        handles.append(_exact_handle(colour, f"{name}: " + _drawn(dated[rows], int(lows.sum()),
                                                                 "; ")))
    if bound_mask.any():
        handles.append(_bound_handle())
    if any(str(line.get_gid()).startswith("weekly:") for line in ax.lines):
        handles.append(Line2D([], [], color=_GREY, lw=1.5, label="weekly median (exact)"))
    if never_mask.any():
        _never_band(ax, days[never_mask])
        handles.append(_never_handle(dated[never_mask]))
    span = max(float(days.max() - days.min()), 1.0)
    ax.set_xlim(days.min() - 0.03 * span, days.max() + 0.03 * span)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    finite = gap[(exact_mask | bound_mask) & np.isfinite(gap)]
    positive = finite[finite > 0]
    # Headroom: the highest dot at `highest` of the axes height, below the band of crosses.
    highest = _BAND_DATA_TOP if never_mask.any() else 0.93
    if log:
        _log_scale(ax, "y")
        low, high = (positive.min(), positive.max()) if len(positive) else (1.0, 10.0)
        low = float(low) / 1.5
        ax.set_ylim(low, low * (float(high) / low) ** (1 / highest))
    elif len(finite):
        ax.set_ylim(0, max(float(finite.max()), 1.0) / highest)
    if never_mask.any():
        _ticks_below_band(ax)
    ax.set_ylabel("gap (s): kernel start → crash kernel loaded")
    xlabel = "kernel start (UTC)"
    left_out = _left_out(dated[~(exact_mask | bound_mask | never_mask)], bounds=False)
    if undated:
        groups = frame.loc[frame["kernel_start"].isna().to_numpy(dtype=bool), "group"]
        per_group = ", ".join(f"{int(_is(groups, name).sum())} {name}"
                              for name in stats.SETUPS if _is(groups, name).any())
        left_out.insert(0, f"{undated} without a calendar date (short-monotonic text: "
                           f"{per_group})")
    if left_out:
        xlabel += "\nnot placed: " + "; ".join(left_out)
    ax.set_xlabel(xlabel)
    _legend_below(ax, handles, ncol=2, lines=1 + xlabel.count("\n") + 1)
    ax.set_title(title + (" (log scale)" if log else ""))
    ax.grid(alpha=0.3)
    return ax


def _never_band(ax: Axes, days: np.ndarray) -> None:
    """Crosses at `days` in a band along the top of the axes, apart from the gap axis: shaded,
    above a dashed line and labelled, so that no one reads them as long gaps."""
    ax.add_patch(Rectangle((0, _BAND), 1, 1 - _BAND, transform=ax.transAxes, facecolor="#F4F4F4",
                           edgecolor="none", zorder=1.6, gid="never-band"))
    ax.add_line(Line2D([0, 1], [_BAND, _BAND], transform=ax.transAxes, ls="--", lw=0.8,
                       color="#888888", zorder=1.7, gid="never-band-line"))
    ax.text(0.006, 0.985, NEVER_LABEL + " (no gap)", transform=ax.transAxes, ha="left",
            va="top", fontsize=7, color=_GREY, zorder=1.8, gid="never-band-label")
    top = blended_transform_factory(ax.transData, ax.transAxes)
    ax.scatter(days, np.full(len(days), _BAND_CROSS_Y), transform=top, marker="x", s=40,
               linewidths=1.8, color=FAILURE, zorder=4, gid="never")


def _ticks_below_band(ax: Axes) -> None:
    """Keep the gap axis's ticks (and so its grid lines and values) out of the band."""
    low = ax.get_ylim()[0]
    band = ax.transData.inverted().transform(ax.transAxes.transform((0, _BAND)))[1]
    for minor in (False, True):
        ticks = ax.yaxis.get_minorticklocs() if minor else ax.get_yticks()
        ax.set_yticks([t for t in ticks if low <= t <= band], minor=minor)
    ax.spines["left"].set_bounds(low, band)
    ax.spines["right"].set_bounds(low, band)


def _date_numbers(times: pd.Series) -> np.ndarray:
    """Matplotlib date numbers (days) of UTC timestamps."""
    naive = pd.to_datetime(times, utc=True).dt.tz_localize(None)
    return np.asarray(mdates.date2num(naive.to_numpy(dtype="datetime64[us]")), dtype=float)


def _weekly_median(ax: Axes, exact: pd.DataFrame, colour: str, name: str) -> None:
    """A line through the median exact or estimated gap of each week (Monday-Sunday, UTC),
    at mid-week."""
    naive = pd.to_datetime(exact["kernel_start"], utc=True).dt.tz_localize(None)
    weeks = naive.dt.to_period("W").dt.start_time
    medians = exact["gap_s"].groupby(weeks.to_numpy()).median()
    if len(medians) < 2:
        return
    middle = (pd.DatetimeIndex(medians.index) + pd.Timedelta(days=3.5)).to_numpy(
        dtype="datetime64[us]")
    ax.plot(mdates.date2num(middle), medians.to_numpy(dtype=float), color=colour, lw=1.5,
            alpha=0.8, zorder=2, gid=f"weekly:{name}")


CHARTS: dict[str, Callable[..., Axes]] = {
    "gaps": gaps,
    "ecdf": ecdf,
    "hosts": hosts,
    "timeline": timeline,
    "over-time": over_time,
}

