"""Charts: what is drawn (points, boxes, steps, bars, labels) matches hand-made boots."""

from __future__ import annotations

import inspect
import math
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import bootlag
from bootlag import plot
from tests.helpers import boot, boots_frame

SAMPLE_LOGS = Path(__file__).resolve().parent.parent / "sample_logs"

def by_gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def one(ax, gid: str):
    found = by_gid(ax, gid)
    assert len(found) == 1, (gid, found)
    return found[0]


def ys(collection) -> list[float]:
    return sorted(np.asarray(collection.get_offsets())[:, 1].tolist())


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def is_hollow(collection) -> bool:
    faces = collection.get_facecolors()
    return len(faces) == 0 or bool(np.all(faces[:, 3] == 0))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return bootlag.scan([SAMPLE_LOGS])


# -- gaps -------------------------------------------------------------------------------------

@pytest.fixture
def fleet() -> pd.DataFrame:
    return boots_frame(
        boot("e1", 2.0, "early-kdump"), boot("e1", 3.0, "early-kdump"),
        boot("e2", 4.0, "early-kdump"),
        boot("k1", 20.0), boot("k1", 30.0),
        boot("k2", 10.0, clock="realtime"),  # a lower bound: would pull the median to 20
        boot("k3", status="failed"), boot("k3", status="not-armed"),
    )


def test_gaps_groups_points_and_medians(fleet):
    ax = plot.gaps(fleet)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "early-kdump\n3 exact, 2 hosts", "kdump\n2 exact, 1 host\n+1 lower bound"]
    assert ys(one(ax, "exact:early-kdump")) == [2.0, 3.0, 4.0]
    assert ys(one(ax, "exact:kdump")) == [20.0, 30.0]
    bound = one(ax, "bound:kdump")
    assert ys(bound) == [10.0] and is_hollow(bound)
    assert np.asarray(bound.get_offsets())[0, 0] > 1.3  # beside the kdump box at x=1
    assert one(ax, "median:early-kdump").get_text() == "median\n3.0 s"
    assert one(ax, "median:kdump").get_text() == "median\n25.0 s"
    box_y = one(ax, "box:kdump").get_path().vertices[:, 1]
    assert (box_y.min(), box_y.max()) == pytest.approx((22.5, 27.5))  # quartiles of 20, 30
    assert ax.get_xlabel() == "not drawn (no gap): 1 failed, 1 never armed"
    assert plot.BOUND_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_yscale() == "linear" and ax.get_ylim()[0] == 0


def test_gaps_jitter_is_deterministic(fleet):
    first = np.asarray(one(plot.gaps(fleet), "exact:early-kdump").get_offsets())
    again = np.asarray(one(plot.gaps(fleet), "exact:early-kdump").get_offsets())
    assert np.array_equal(first, again)
    assert np.all(np.abs(first[:, 0]) < 0.2)


def test_gaps_violin_and_log_scale(fleet):
    ax = plot.gaps(fleet, kind="violin", log=True)
    assert ax.get_yscale() == "log"
    assert by_gid(ax, "violin:kdump") and by_gid(ax, "violin:early-kdump")
    assert not by_gid(ax, "box:kdump")
    assert one(ax, "median:kdump").get_text() == "median\n25.0 s"
    with pytest.raises(ValueError, match="kind"):
        plot.gaps(fleet, kind="bars")


def test_gaps_draws_on_the_given_axes(fleet):
    fig, ax = plt.subplots()
    assert plot.gaps(fleet, ax=ax) is ax and len(fig.axes) == 1


def test_gaps_only_lower_bounds_draw_no_box():
    ax = plot.gaps(boots_frame(boot("k1", 12.0, clock="realtime"),
                               boot("k1", 14.0, clock="realtime")))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["kdump\n0 exact, 0 hosts\n"
                                                            "+2 lower bounds"]
    assert ys(one(ax, "bound:kdump")) == [12.0, 14.0]
    assert not by_gid(ax, "box:kdump") and not by_gid(ax, "median:kdump")


# -- ecdf -------------------------------------------------------------------------------------

def test_ecdf_steps_top_out_at_the_armed_share():
    boots = boots_frame(
        boot("e1", 3.0, "early-kdump"), boot("e1", 1.0, "early-kdump"),
        boot("e2", 2.0, "early-kdump"),
        boot("e2", status="failed", rd_earlykdump=True),  # never protected: top at 3/4
        boot("k1", 20.0), boot("k1", 10.0),
        boot("k2", 5.0, clock="realtime"),  # left out: a lower bound
        boot("k2", status="unknown"),  # left out
    )
    ax = plot.ecdf(boots)
    early, kdump = one(ax, "ecdf:early-kdump"), one(ax, "ecdf:kdump")
    right = ax.get_xlim()[1]
    assert early.get_ydata().tolist() == [0, 0.25, 0.5, 0.75, 0.75]
    assert early.get_xdata().tolist() == [0, 1.0, 2.0, 3.0, right]
    assert kdump.get_ydata().tolist() == [0, 0.5, 1.0, 1.0]
    assert kdump.get_xdata().tolist() == [0, 10.0, 20.0, right]
    assert early.get_drawstyle() == "steps-post"
    assert one(ax, "top:early-kdump").get_text() == "75% of 4 armed; 1 failed"
    assert one(ax, "top:kdump").get_text() == "100% of 2 armed"
    # Median: the failed boot counts as never protected: (2 + 3) / 2, and the label says so.
    assert one(ax, "median-text:early-kdump").get_text() == (
        "50% protected at 2.5 s\n(failures = never)")
    assert one(ax, "median:early-kdump").get_xdata().tolist() == [2.5, 2.5]
    assert one(ax, "median:early-kdump").get_ydata().tolist() == [0, 0.5]
    assert one(ax, "median-text:kdump").get_text() == "50% protected at 15.0 s"  # no failure
    assert ("left out: 1 with only a wall-clock lower bound; 1 of unknown status"
            in ax.get_xlabel())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "early-kdump: 4 boots, 2 hosts", "kdump: 2 boots, 1 host"]
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"


def test_ecdf_without_a_median_when_most_never_armed():
    boots = boots_frame(boot("k1", 8.0), boot("k1", status="not-armed"),
                  boot("k1", status="failed"))
    ax = plot.ecdf(boots, log=True)
    assert one(ax, "ecdf:kdump").get_ydata().tolist() == pytest.approx([0, 1 / 3, 1 / 3])
    assert one(ax, "top:kdump").get_text() == "33% of 3 armed; 1 failed, 1 never armed"
    assert not by_gid(ax, "median:kdump")
    assert ax.get_xscale() == "log"


def test_ecdf_top_is_not_the_armed_share_of_the_setup():
    # 4 of 5 kdump boots armed (80%, as stats.exposure), but the lower bound is not in the
    # line: 3 exact of 4 counted, so its top is 75%, and the label says of how many boots.
    boots = boots_frame(boot("k1", 10.0), boot("k1", 20.0), boot("k2", 30.0),
                        boot("k2", 40.0, clock="realtime"), boot("k3", status="failed"))
    ax = plot.ecdf(boots)
    assert one(ax, "ecdf:kdump").get_ydata()[-1] == 0.75
    assert one(ax, "top:kdump").get_text() == "75% of 4 armed; 1 failed"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["kdump: 4 boots, 3 hosts"]
    assert "left out: 1 with only a wall-clock lower bound" in ax.get_xlabel()


def test_ecdf_top_when_every_boot_failed():
    ax = plot.ecdf(boots_frame(boot("k1", status="failed"), boot("k1", status="not-armed")))
    assert one(ax, "top:kdump").get_text() == "0% of 2 armed; 1 failed, 1 never armed"


def test_ecdf_draws_the_unknown_setup_in_its_own_colour():
    # The command line was not logged and nothing else says kdump: setup "unknown".
    boots = boots_frame(boot("k1", 10.0), boot("u1", status="not-armed", crashkernel=None,
                                               rd_earlykdump=None))
    ax = plot.ecdf(boots)
    line = one(ax, "ecdf:unknown")
    assert line.get_color() == plot.PALETTE["unknown"] == "#CC79A7"
    assert line.get_ydata().tolist() == [0, 0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "kdump: 1 boot, 1 host", "unknown: 1 boot, 1 host"]


def test_ecdf_labels_of_lines_ending_together_do_not_overlap():
    boots = boots_frame(boot("n1", status="not-armed", crashkernel=None, rd_earlykdump=False),
                        boot("u1", status="not-armed", crashkernel=None, rd_earlykdump=None))
    ax = plot.ecdf(boots)
    none, unknown = one(ax, "top:none"), one(ax, "top:unknown")
    assert none.get_text() == unknown.get_text() == "0% of 1 armed; 1 never armed"
    assert none.xy[1] == 0 and unknown.xy[1] == pytest.approx(0.07)  # stacked above


def test_ecdf_top_label_crossed_by_another_line_goes_below():
    # early-kdump ends at 50%; kdump, flat at 50% there, rises to 100% within the width of
    # early-kdump's label: above its end the label would cross kdump's line, so below.
    boots = boots_frame(boot("e1", 2.0, "early-kdump"), boot("e1", 3.0, "early-kdump"),
                        boot("e2", status="failed", rd_earlykdump=True),
                        boot("e2", status="failed", rd_earlykdump=True),
                        boot("k1", 1.0), boot("k1", 1.5), boot("k2", 29.0), boot("k2", 30.0))
    ax = plot.ecdf(boots)
    early, kdump = one(ax, "top:early-kdump"), one(ax, "top:kdump")
    assert early.get_text() == "50% of 4 armed; 2 failed"
    assert early.xy[1] == 0.5 and early.get_va() == "top"  # below its end
    assert kdump.xy[1] == 1.0 and kdump.get_va() == "bottom"  # above its end


# -- hosts ------------------------------------------------------------------------------------

def test_hosts_dumbbells_join_the_per_host_medians():
    boots = boots_frame(
        boot("h1", 20.0), boot("h1", 30.0), boot("h1", 2.0, "early-kdump"),
        boot("h1", 3.0, "early-kdump"),
        boot("h2", 12.0), boot("h2", 4.0, "early-kdump"),
        boot("h3", 25.0),  # never switched: not a pair
    )
    ax = plot.hosts(boots)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["h2", "h1"]  # largest on top
    segments = [s.tolist() for s in one(ax, "dumbbells").get_segments()]
    assert segments == [[[4.0, 0], [12.0, 0]], [[2.5, 1], [25.0, 1]]]
    assert np.asarray(one(ax, "median:kdump").get_offsets()).tolist() == [[12.0, 0], [25.0, 1]]
    assert np.asarray(one(ax, "median:early-kdump").get_offsets()).tolist() == [[4.0, 0],
                                                                                [2.5, 1]]
    assert [t.get_text() for t in by_gid(ax, "ratio")] == ["3.0× shorter", "10.0× shorter"]
    assert "2 hosts" in ax.get_title()


def test_hosts_without_pairs_says_so():
    ax = plot.hosts(boots_frame(boot("h1", 20.0), boot("h2", 2.0, "early-kdump")))
    assert texts(ax) == ["no host has exact or estimated gaps under both kdump and early-kdump"]


# -- timeline ---------------------------------------------------------------------------------

@pytest.fixture
def host_boots() -> pd.DataFrame:
    return boots_frame(
        boot("h1", 2.5, "early-kdump", "2025-01-02T08:00:00Z", boot_id="b" * 32,
             kernel_s=1.5, initrd_s=2.0, userspace_s=20.0, early_enabled_s=1.2,
             service_s=18.0),
        boot("h1", 15.0, "kdump", "2025-01-01T08:00:00Z", clock="realtime",
             kernel_s=1.0, initrd_s=2.0, userspace_s=30.0),
        boot("h1", None, "kdump", "2025-01-03T08:00:00Z", status="failed", kernel_s=1.0,
             initrd_s=1.0, userspace_s=10.0, service_s=9.0,
             failure="kexec: failed to load kdump kernel"),
        boot("h2", 30.0, "kdump", "2025-01-01T09:00:00Z"),
    )


def widths(ax, gid: str) -> list[tuple[float, float]]:
    return [(bar.get_x(), bar.get_width()) for bar in by_gid(ax, gid)]


def test_timeline_rows_phases_and_markers(host_boots):
    ax = plot.timeline(host_boots, host="h1")
    assert ax.get_title() == "Boot timeline — h1"
    # Oldest first: the wall-clock boot (Jan 1), the early one (Jan 2), the failed one (Jan 3).
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "2025-01-01 08:00", "2025-01-02 08:00", "2025-01-03 08:00"]
    assert widths(ax, "phase:kernel") == [(0, 1.0), (0, 1.5), (0, 1.0)]
    assert widths(ax, "phase:initrd") == [(1.0, 2.0), (1.5, 2.0), (1.0, 1.0)]
    assert widths(ax, "phase:userspace") == [(3.0, 30.0), (3.5, 20.0), (2.0, 10.0)]
    assert np.asarray(one(ax, "armed:early-kdump").get_offsets()).tolist() == [[2.5, 1]]
    bound = one(ax, "armed:bound")
    assert np.asarray(bound.get_offsets()).tolist() == [[15.0, 0]]
    assert bound.get_facecolors()[0].tolist() == [1, 1, 1, 1]  # hollow, over the bar
    values = by_gid(ax, "armed-value")
    assert sorted(t.get_text() for t in values) == ["2.5 s", "≥ 15.0 s"]
    # Dark, and above the bar (rows grow downwards) on white rather than on the grey bar.
    assert {t.get_color() for t in values} == {"#333333"}
    assert sorted(t.xy for t in values) == [(2.5, 0.75), (15.0, -0.25)]
    # Across the whole bar (0.5 rows high), wide, with a dark edge.
    enabled = one(ax, "early_enabled_s")
    assert [s.tolist() for s in enabled.get_segments()] == [[[1.2, 0.75], [1.2, 1.25]]]
    assert enabled.get_linewidth()[0] == 2.5 and enabled.get_path_effects()
    assert np.asarray(one(ax, "service_s").get_offsets()).tolist() == [[18.0, 1], [9.0, 2]]
    assert np.asarray(one(ax, "never").get_offsets()).tolist() == [[12.0, 2]]  # bar's end
    assert [t.get_text() for t in by_gid(ax, "status-text")] == [
        "failed: kexec: failed to load kdump kernel"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"kernel", "initrd", "userspace", f"{plot.BOUND_LABEL} (kdump)", "failed (1)",
            "armed by early-kdump", "early-kdump enabled (dracut)",
            "kdump service's result\n(loaded, already running or failed)"} <= set(legend)


def test_timeline_last_boots_and_one_boot(host_boots):
    ax = plot.timeline(host_boots, host="h1", last=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2025-01-02 08:00",
                                                            "2025-01-03 08:00"]
    ax = plot.timeline(host_boots, boot_id="bbbbbbbb")
    assert ax.get_title() == "Boot timeline — h1, boot bbbbbbbb"
    assert len(ax.get_yticklabels()) == 1
    assert np.asarray(one(ax, "armed:early-kdump").get_offsets()).tolist() == [[2.5, 0]]


def test_timeline_default_host_is_the_one_that_switched(host_boots):
    switched = pd.concat([host_boots, boots_frame(boot("h2", 3.0, "early-kdump",
                                                 "2025-01-05T09:00:00Z"))])
    assert plot.default_host(switched) == "h2"
    assert plot.timeline(switched).get_title() == "Boot timeline — h2"
    assert plot.default_host(host_boots) == "h1"  # most boots
    assert plot.timeline(host_boots).get_title() == "Boot timeline — h1"


def test_default_host_breaks_ties_by_name():
    boots = boots_frame(boot("zeta", 20.0), boot("beta", 30.0), boot("zeta", 25.0),
                        boot("beta", status="failed"), boot("alpha", 10.0))
    assert plot.default_host(boots) == "beta"  # beta and zeta have 2 boots each
    assert plot.default_host(boots.iloc[::-1]) == "beta"  # whatever the row order
    assert plot.timeline(boots).get_title() == "Boot timeline — beta"
    assert plot.default_host(boots_frame()) is None


def test_charts_take_ax_second_and_options_by_keyword(host_boots):
    for name, chart in plot.CHARTS.items():
        params = list(inspect.signature(chart).parameters.values())
        assert [p.name for p in params[:2]] == ["boots", "ax"], name
        assert all(p.kind is p.KEYWORD_ONLY for p in params[2:]), name
    fig, ax = plt.subplots()
    assert plot.timeline(host_boots, ax) is ax and len(fig.axes) == 1
    assert ax.get_title() == "Boot timeline — h1"
    with pytest.raises(TypeError):
        plot.timeline(host_boots, None, "h1")


def test_timeline_phases_without_an_initrd():
    # "Startup finished in 1.2s (kernel) + 20s (userspace)": no initrd, initrd_s is NaN.
    boots = boots_frame(
        boot("h1", 5.0, kernel_start="2025-01-01T08:00:00Z", kernel_s=1.2, userspace_s=20.0),
        boot("h1", 6.0, kernel_start="2025-01-02T08:00:00Z", kernel_s=1.0, initrd_s=2.0,
             userspace_s=10.0),
        boot("h1", kernel_start="2025-01-03T08:00:00Z", status="failed", kernel_s=1.0,
             userspace_s=9.0),
    )
    ax = plot.timeline(boots, host="h1")
    assert widths(ax, "phase:kernel") == [(0, 1.2), (0, 1.0), (0, 1.0)]
    assert widths(ax, "phase:initrd") == [(1.0, 2.0)]  # only the boot with an initrd
    assert widths(ax, "phase:userspace") == [(1.2, 20.0), (3.0, 10.0), (1.0, 9.0)]
    assert np.asarray(one(ax, "never").get_offsets()).tolist() == [[10.0, 2]]  # bar's end
    assert not by_gid(ax, "log-span")


def test_timeline_uses_exact_and_lower_bound_only():
    # Armed with a gap but no clock: neither exact nor a lower bound, so no marker.
    boots = boots_frame(boot("h1", 4.0, kernel_start="2025-01-01T08:00:00Z", clock=None),
                        boot("h1", 5.0, kernel_start="2025-01-02T08:00:00Z"),
                        boot("h1", None, "unknown", "2025-01-03T08:00:00Z"))
    ax = plot.timeline(boots, host="h1")
    assert np.asarray(one(ax, "armed:kdump").get_offsets()).tolist() == [[5.0, 1]]
    assert not by_gid(ax, "armed:bound")
    assert [t.get_text() for t in by_gid(ax, "armed-value")] == ["5.0 s"]
    assert [t.get_text() for t in by_gid(ax, "status-text")] == [
        "armed, clock not logged", "armed, time not logged"]


def test_timeline_without_the_milestone_columns_or_dates(host_boots):
    frame = host_boots.drop(columns=["early_enabled_s", "service_s"])
    frame["kernel_start"] = pd.NaT
    ax = plot.timeline(frame, host="h1")
    assert not by_gid(ax, "early_enabled_s") and not by_gid(ax, "service_s")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["boot bbbbbbbb", "boot #2",
                                                            "boot #3"]
    assert texts(plot.timeline(host_boots, host="nope")) == ["no boots of host nope to show"]


# -- over time --------------------------------------------------------------------------------

def test_over_time_places_boots_at_their_dates():
    boots = boots_frame(
        boot("k1", 25.0, kernel_start="2025-01-01T10:00:00Z"),
        boot("k1", 35.0, kernel_start="2025-01-02T10:00:00Z"),
        boot("k1", 21.0, kernel_start="2025-01-09T10:00:00Z"),
        boot("e1", 3.0, "early-kdump", kernel_start="2025-01-10T10:00:00Z"),
        boot("e1", 9.0, "kdump", kernel_start="2025-01-03T10:00:00Z", clock="realtime"),
        boot("e1", status="failed", kernel_start="2025-01-04T12:00:00Z"),
        boot("u1", 2.0, "early-kdump"),  # short-monotonic text: no date
    )
    ax = plot.over_time(boots)
    day = mdates.date2num(np.datetime64("2025-01-01T10:00:00"))
    close = np.testing.assert_allclose
    close(one(ax, "exact:kdump").get_offsets(), [[day, 25.0], [day + 1, 35.0], [day + 8, 21.0]])
    close(one(ax, "exact:early-kdump").get_offsets(), [[day + 9, 3.0]])
    bound = one(ax, "bound:kdump")
    assert is_hollow(bound)
    close(bound.get_offsets(), [[day + 2, 9.0]])
    never = one(ax, "never")
    close(never.get_offsets(), [[day + 3 + 2 / 24, 0.905]])
    # In a band along the top of the axes, whatever the gap axis: y in axes coordinates.
    shown = never.get_offset_transform().transform(never.get_offsets())
    assert shown[0, 1] == pytest.approx(ax.transAxes.transform((0, 0.905))[1])
    weekly = one(ax, "weekly:kdump")  # weeks from Monday Dec 30 and Monday Jan 6
    assert weekly.get_ydata().tolist() == [30.0, 21.0]
    assert ("not placed: 1 without a calendar date (short-monotonic text: 1 early-kdump)"
            in ax.get_xlabel())
    # The same words as the tick labels of `gaps`: exact gaps and their hosts, + lower bounds.
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "early-kdump: 1 exact, 1 host", "kdump: 3 exact, 1 host; +1 lower bound",
        plot.BOUND_LABEL, "weekly median (exact)", "failed (1)"]
    for log in (False, True):
        ax = plot.over_time(boots, log=log)
        assert ax.get_yscale() == ("log" if log else "linear")
        assert_never_band_apart(ax)


def assert_never_band_apart(ax):
    """The crosses of failed and never-armed boots are in a labelled band above a dashed line
    that no dot, tick or gap value of the gap axis enters."""
    line = one(ax, "never-band-line")
    assert line.get_linestyle() == "--" and list(line.get_ydata()) == [0.86, 0.86]
    assert one(ax, "never-band-label").get_text() == "failed / never armed (no gap)"
    never = one(ax, "never")
    assert np.all(np.asarray(never.get_offsets())[:, 1] > 0.86)
    to_axes = ax.transData + ax.transAxes.inverted()
    for gid in ("exact:kdump", "bound:kdump", "exact:early-kdump"):
        assert np.all(to_axes.transform(one(ax, gid).get_offsets())[:, 1] < 0.8 + 1e-9), gid
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t]
    assert ticks and max(to_axes.transform([(0, t) for t in ticks])[:, 1]) < 0.86


def test_over_time_legend_counts_the_crosses_drawn():
    def legend(*rows):
        ax = plot.over_time(boots_frame(boot("k1", 20.0, kernel_start="2025-01-01T10:00:00Z"),
                                        *rows))
        return [t.get_text() for t in ax.get_legend().get_texts()][-1]
    failed = boot("k1", status="failed", kernel_start="2025-01-02T10:00:00Z")
    never = boot("k2", status="not-armed", kernel_start="2025-01-03T10:00:00Z")
    undated = boot("k3", status="not-armed")  # not drawn: not counted
    assert legend(failed, failed, undated) == "failed (2)"
    assert legend(never) == "never armed (1)"
    assert legend(failed, never, never) == "failed (1) or never armed (2)"


def test_gaps_and_over_time_count_alike():
    boots = boots_frame(boot("k1", 20.0, kernel_start="2025-01-01T10:00:00Z"),
                        boot("k2", 25.0, kernel_start="2025-01-02T10:00:00Z"),
                        boot("k2", 12.0, kernel_start="2025-01-03T10:00:00Z", clock="realtime"),
                        boot("k3", 14.0, kernel_start="2025-01-04T10:00:00Z", clock="realtime"))
    tick = plot.gaps(boots).get_xticklabels()[0].get_text()
    entry = plot.over_time(boots).get_legend().get_texts()[0].get_text()
    assert tick == "kdump\n2 exact, 2 hosts\n+2 lower bounds"
    assert entry == "kdump: 2 exact, 2 hosts; +2 lower bounds"


# -- nothing to show, the sample fleet -------------------------------------------------------

@pytest.mark.parametrize("name", sorted(plot.CHARTS))
def test_empty_table_draws_a_message(name, tmp_path):
    ax = plot.CHARTS[name](boots_frame())
    assert len(texts(ax)) == 1 and texts(ax)[0].startswith("no ")
    ax.figure.savefig(tmp_path / "empty.png")


def test_palette_is_okabe_ito():
    assert plot.PALETTE == {"early-kdump": "#0072B2", "kdump": "#E69F00", "none": "#999999",
                            "unknown": "#CC79A7"}
    assert plot.FAILURE == "#D55E00"
    assert set(plot.CHARTS) == {"gaps", "ecdf", "hosts", "timeline", "over-time"}


@pytest.mark.parametrize("name", sorted(plot.CHARTS))
def test_every_chart_renders_the_sample_logs(name, sample, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot.CHARTS[name](sample)
        assert "nothing" not in {a.get_gid() for a in ax.get_children()}
        for suffix in ("png", "svg"):
            ax.figure.savefig(tmp_path / f"{name}.{suffix}")
            assert (tmp_path / f"{name}.{suffix}").stat().st_size > 1000
    (width, height) = ax.figure.get_size_inches()
    assert width == 7 and 4 <= height <= 8 and not math.isnan(height)


def test_gaps_and_over_time_group_by_mode_or_setup():
    frame = boots_frame(boot("e", 2.0, "early-kdump", "2025-01-01T10:00:00Z"),
                        boot("x", 30.0, "kdump", "2025-01-02T10:00:00Z", rd_earlykdump=True))
    by_mode = plot.gaps(frame)
    assert [t.get_text().split("\n")[0] for t in by_mode.get_xticklabels()] == [
        "early-kdump", "kdump"]
    assert ys(one(by_mode, "exact:kdump")) == [30.0]
    by_setup = plot.gaps(frame, by="setup")
    assert [t.get_text() for t in by_setup.get_xticklabels()] == ["early-kdump\n2 exact, 2 hosts"]
    assert ys(one(by_setup, "exact:early-kdump")) == [2.0, 30.0]
    assert ys(one(plot.over_time(frame, by="setup"), "exact:early-kdump")) == [2.0, 30.0]
    with pytest.raises(ValueError, match="by must be"):
        plot.gaps(frame, by="host")


def test_hosts_draws_a_spread_of_many_hosts():
    rows = []
    for i in range(40):
        rows += [boot(f"h{i:02d}", 10.0 + i), boot(f"h{i:02d}", 2.0, "early-kdump")]
    ax = plot.hosts(boots_frame(*rows), limit=5)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["h00", "h10", "h19", "h29", "h39"]  # ranks 0, 10, 20, 29, 39 of 40
    assert "5 of the 40 hosts" in ax.get_title()


def test_gaps_and_over_time_with_mode_unknown():
    # kdumpctl found a crash kernel loaded, the log does not say by what: armed, no gap.
    boots = boots_frame(boot("k1", 20.0, kernel_start="2025-01-01T10:00:00Z"),
                        boot("k1", None, "unknown", "2025-01-02T10:00:00Z"))
    ax = plot.gaps(boots)
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["kdump"]
    assert ax.get_xlabel() == "not drawn (no gap): 1 armed at an unlogged time"
    ax = plot.over_time(boots)
    np.testing.assert_allclose(np.asarray(one(ax, "exact:kdump").get_offsets())[:, 1], [20.0])
    assert "not placed: 1 armed at an unlogged time" in ax.get_xlabel()


@pytest.fixture
def with_na() -> pd.DataFrame:
    """Hand-built boots with pandas NA in mode, clock and status."""
    frame = boots_frame(
        boot("h1", 20.0, kernel_start="2025-01-01T10:00:00Z"),
        boot("h1", 2.5, "early-kdump", "2025-01-08T10:00:00Z"),
        boot("h1", 2.0, "early-kdump", "2025-01-09T10:00:00Z"),  # mode NA below
        boot("h1", 3.0, "early-kdump", "2025-01-10T10:00:00Z"),  # clock NA below
        boot("h1", 4.0, "early-kdump", "2025-01-11T10:00:00Z"),  # status NA below
        boot("h2", status="failed", kernel_start="2025-01-02T10:00:00Z"),
    )
    frame.loc[2, "mode"] = pd.NA
    frame.loc[3, "clock"] = pd.NA
    frame.loc[4, "status"] = pd.NA
    assert frame[["mode", "clock", "status"]].isna().sum().tolist() == [1, 1, 1]
    return frame


@pytest.mark.parametrize("name", sorted(plot.CHARTS))
def test_every_chart_draws_with_na_in_mode_clock_and_status(name, with_na, tmp_path):
    ax = plot.CHARTS[name](with_na)
    assert not by_gid(ax, "nothing")
    ax.figure.savefig(tmp_path / f"{name}.png")


def test_na_in_mode_clock_and_status_match_nothing(with_na):
    ax = plot.gaps(with_na)  # by mode: a missing mode is "unknown"
    assert ys(one(ax, "exact:early-kdump")) == [2.5]
    assert ys(one(ax, "exact:unknown")) == [2.0]
    assert ax.get_xlabel() == ("not drawn (no gap): 1 failed, 1 of unknown status, "
                               "1 armed, clock not logged")
    ax = plot.gaps(with_na, by="setup")
    assert ys(one(ax, "exact:early-kdump")) == [2.0, 2.5]
    ax = plot.ecdf(with_na)
    assert one(ax, "ecdf:early-kdump").get_ydata().tolist() == [0, 0.5, 1.0, 1.0]
    assert "1 of unknown status; 1 armed, clock not logged" in ax.get_xlabel()
    ax = plot.over_time(with_na, by="mode")
    np.testing.assert_allclose(np.asarray(one(ax, "exact:unknown").get_offsets())[:, 1], [2.0])
    ax = plot.timeline(with_na, host="h1")
    assert [t.get_text() for t in by_gid(ax, "status-text")] == [
        "armed, clock not logged", "status not logged"]
    assert np.asarray(one(ax, "armed:unknown").get_offsets()).tolist() == [[2.0, 2]]
    assert plot.hosts(with_na).get_yticklabels()[0].get_text() == "h1"


def test_capture_kernel_boots_are_not_drawn_as_exposure():
    frame = boots_frame(boot("a", 20.0), boot("a", status="not-armed", capture_kernel=True))
    assert plot.gaps(frame).get_xlabel() == ""  # no "1 never armed" under the axis
    assert not by_gid(plot.over_time(frame.assign(kernel_start=pd.Timestamp(
        "2025-01-01", tz="UTC"))), "never")


# -- failures at their time -------------------------------------------------------------------

def with_failures(frame: pd.DataFrame, failures: list, times: list) -> pd.DataFrame:
    """`frame` with the list columns ``failures`` and ``failures_s``, which `boots_frame`
    (typed()) would drop: every failure text of a boot, and when each was logged."""
    frame = frame.copy()
    frame["failures"] = pd.Series(failures, index=frame.index, dtype=object)
    frame["failures_s"] = pd.Series(times, index=frame.index, dtype=object)
    return frame


@pytest.fixture
def failing_host() -> pd.DataFrame:
    # db-03's last boot: the early load fails at 1.76 s, kdumpctl fails at 32.2 s, and the log
    # goes on to 50 s (no "Startup finished": the bar is the log's span).
    frame = boots_frame(
        boot("db", 30.0, "kdump", "2025-01-18T13:00:00Z", rd_earlykdump=True, log_span_s=48.0),
        boot("db", None, kernel_start="2025-01-23T13:00:00Z", status="failed",
             rd_earlykdump=True, log_span_s=50.0, failure="early kdump: kexec failed"),
        boot("db", None, kernel_start="2025-01-24T13:00:00Z", status="failed",
             log_span_s=40.0, failure="kdump: no memory reserved"),
    )
    return with_failures(frame, [[], ["early: kexec failed", "kdumpctl failed"],
                                 ["kdump: no memory reserved"]],
                         [[], [1.76, 32.2], [float("nan")]])


def test_timeline_crosses_a_failure_when_it_was_logged(failing_host):
    ax = plot.timeline(failing_host, host="db")
    # Both failures of the second boot at their times; the third's time is unknown: its
    # cross stays at the end of its bar (the log's 40 s), as without the column.
    assert np.asarray(one(ax, "never").get_offsets()).tolist() == [[1.76, 1], [32.2, 1],
                                                                  [40.0, 2]]
    assert [t.get_text() for t in by_gid(ax, "status-text")] == [
        "failed: early: kexec failed; kdumpctl failed",
        "failed: kdump: no memory reserved"]
    assert "failed (2)" in [t.get_text() for t in ax.get_legend().get_texts()]  # boots


def test_timeline_without_the_failure_columns_keeps_the_end_of_the_bar(failing_host):
    ax = plot.timeline(failing_host.drop(columns=["failures", "failures_s"]), host="db")
    assert np.asarray(one(ax, "never").get_offsets()).tolist() == [[50.0, 1], [40.0, 2]]
    assert [t.get_text() for t in by_gid(ax, "status-text")] == [
        "failed: early kdump: kexec failed", "failed: kdump: no memory reserved"]


def test_timeline_failure_after_the_bar_writes_its_text_there():
    frame = with_failures(boots_frame(boot("h", None, kernel_start="2025-01-01T00:00:00Z",
                                           status="failed", kernel_s=1.0, userspace_s=9.0)),
                          [["late failure"]], [[25.0]])
    ax = plot.timeline(frame, host="h")
    assert np.asarray(one(ax, "never").get_offsets()).tolist() == [[25.0, 0]]
    assert one(ax, "status-text").xy == (25.0, -0.25)
