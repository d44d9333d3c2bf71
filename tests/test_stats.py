"""bootlag.stats on hand-built boots tables whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bootlag import stats
from tests.helpers import boot, boots_frame


def test_setup_follows_the_evidence():
    frame = boots_frame(
        boot("a", 2.0, mode="early-kdump"),
        boot("b", 30.0, rd_earlykdump=True),  # configured, but kdumpctl armed it
        boot("c", 30.0, early_kdump_enabled=True, rd_earlykdump=None),
        boot("d", status="failed", crashkernel=None),
        boot("e", status="not-armed"),  # memory reserved: kdump was meant to arm
        boot("f", status="not-armed", crashkernel=None),
        boot("g", mode="unknown", crashkernel=None),
        boot("h", status="unknown", crashkernel=None, rd_earlykdump=None),  # no command line
    )
    assert list(stats.setup(frame)) == ["early-kdump", "early-kdump", "early-kdump", "kdump",
                                        "kdump", "none", "kdump", "unknown"]


def test_missing_values_in_a_hand_built_table_are_not_errors():
    frame = boots_frame(boot("a", 10.0, clock=None), boot("b", 5.0, mode=None),
                        boot("c", 7.0, status=None), boot("d", 3.0, mode="early-kdump"))
    assert stats.is_exact(frame).tolist() == [False, True, False, True]
    assert stats.exposure(frame).loc["fleet", "boots"] == 4
    for function in (stats.compare, stats.paired_hosts, stats.problem_hosts, stats.phases,
                     stats.over_time):
        function(frame)


def _fleet() -> pd.DataFrame:
    return boots_frame(
        boot("a", 10.0), boot("a", 20.0), boot("b", 30.0), boot("c", 40.0),
        boot("d", status="failed"),
        boot("e", 50.0, clock="realtime"),
        boot("f", 1.0, mode="early-kdump"), boot("g", 2.0, mode="early-kdump"),
        boot("g", 3.0, mode="early-kdump"),
        boot("z", status="not-armed", crashkernel=None),
        boot("y", status="unknown", crashkernel=None),
    )


def test_exposure_counts_shares_and_exact_quantiles():
    table = stats.exposure(_fleet())
    assert list(table.index) == ["early-kdump", "kdump", "none", "fleet"]
    kdump = table.loc["kdump"]
    assert (kdump["boots"], kdump["hosts"], kdump["armed"], kdump["failed"]) == (6, 5, 5, 1)
    assert kdump["failed_share"] == pytest.approx(1 / 6)
    # Only the four monotonic gaps count; numpy's linear interpolation.
    assert kdump["exact_gaps"] == 4
    assert kdump["median_s"] == 25.0
    assert kdump["p90_s"] == pytest.approx(37.0)
    assert kdump["max_s"] == 40.0
    assert (kdump["lower_bounds"], kdump["lower_bound_median_s"]) == (1, 50.0)
    assert table.loc["early-kdump", "median_s"] == 2.0
    none = table.loc["none"]
    assert (none["boots"], none["not_armed"], none["unknown"], none["exact_gaps"]) == (2, 1, 1, 0)
    assert np.isnan(none["median_s"])
    assert table.loc["fleet", "boots"] == 11
    assert table.loc["fleet", "armed_share"] == pytest.approx(8 / 11)


def test_exposure_of_no_boots_is_an_empty_fleet_row():
    table = stats.exposure(boots_frame())
    assert list(table.index) == ["fleet"]
    assert table.loc["fleet", "boots"] == 0


def _two_modes(kdump: dict[str, list[float]], early: dict[str, list[float]]) -> pd.DataFrame:
    rows = [boot(h, g) for h, gaps in kdump.items() for g in gaps]
    rows += [boot(h, g, mode="early-kdump") for h, gaps in early.items() for g in gaps]
    return boots_frame(*rows)


def test_compare_constant_groups_have_exact_answers():
    frame = _two_modes({f"k{i}": [20.0, 20.0] for i in range(5)},
                       {f"e{i}": [2.0] for i in range(5)})
    table = stats.compare(frame, resamples=200)
    median = table.loc["median"]
    assert (median["baseline_s"], median["candidate_s"]) == (20.0, 2.0)
    assert median["difference_s"] == median["difference_s_low"] == median["difference_s_high"] == 18
    assert median["ratio"] == median["ratio_low"] == median["ratio_high"] == 10
    assert (median["baseline_boots"], median["candidate_hosts"]) == (10, 5)
    assert median["method"] == "hosts"
    assert table.loc["paired median", "method"] == "no-data"  # no host booted both ways


def test_compare_interval_covers_the_estimate_and_is_reproducible():
    rng = np.random.default_rng(3)
    frame = _two_modes({f"k{i}": list(rng.uniform(10, 40, 4)) for i in range(8)},
                       {f"e{i}": list(rng.uniform(1, 4, 4)) for i in range(6)})
    first = stats.compare(frame, resamples=500, seed=1)
    assert first.equals(stats.compare(frame, resamples=500, seed=1))
    for name in ("median", "p90"):
        row = first.loc[name]
        assert row["difference_s_low"] <= row["difference_s"] <= row["difference_s_high"]
        assert row["ratio_low"] <= row["ratio"] <= row["ratio_high"]
        assert row["difference_s_low"] > 0  # early kdump is clearly shorter here


def test_resampling_hosts_widens_the_interval_when_hosts_differ():
    # Five hosts whose boots are alike within a host but differ across hosts:
    # resampling single boots would pretend there are 100 independent gaps.
    kdump = {f"k{i}": [10.0 * (i + 1)] * 20 for i in range(5)}
    early = {f"e{i}": [1.0 + i] * 20 for i in range(5)}
    clustered = stats.compare(_two_modes(kdump, early), resamples=500).loc["median"]
    per_boot = {f"{h}-{n}": [g] for h, gaps in kdump.items() for n, g in enumerate(gaps)}
    per_boot_early = {f"{h}-{n}": [g] for h, gaps in early.items() for n, g in enumerate(gaps)}
    flat = stats.compare(_two_modes(per_boot, per_boot_early), resamples=500).loc["median"]
    width = clustered["difference_s_high"] - clustered["difference_s_low"]
    assert width > 2 * (flat["difference_s_high"] - flat["difference_s_low"])


def test_compare_with_few_hosts_resamples_boots_and_says_so():
    frame = _two_modes({"k": [10.0, 20.0, 30.0]}, {"e": [1.0, 2.0, 3.0]})
    row = stats.compare(frame, resamples=100).loc["median"]
    assert row["difference_s"] == 18.0
    assert row["method"] == "boots"  # one host a side: single boots were resampled


def test_compare_with_an_empty_side_gives_no_numbers():
    frame = _two_modes({"k": [10.0]}, {})
    row = stats.compare(frame, resamples=50).loc["median"]
    assert np.isnan(row["difference_s"]) and row["candidate_boots"] == 0
    assert row["baseline_s"] == 10.0 and np.isnan(row["candidate_s"])  # its own figure stays
    assert row["method"] == "no-data"


def test_compare_ignores_wall_clock_lower_bounds():
    frame = boots_frame(boot("k", 20.0), boot("e", 2.0, mode="early-kdump"),
                        boot("e", 0.5, mode="early-kdump", clock="realtime"))
    assert stats.compare(frame, resamples=20).loc["median", "candidate_s"] == 2.0


def test_compare_by_setup_counts_a_fallback_against_early_kdump():
    frame = boots_frame(boot("k", 20.0), boot("e", 2.0, mode="early-kdump"),
                        boot("x", 30.0, rd_earlykdump=True))
    assert stats.compare(frame, resamples=20).loc["median", "candidate_s"] == 2.0
    by_setup = stats.compare(frame, resamples=20, by="setup").loc["median"]
    assert by_setup["candidate_s"] == 16.0 and by_setup["baseline_s"] == 20.0


def test_paired_hosts_and_the_paired_median():
    start = pd.Timestamp("2025-01-10", tz="UTC")
    rows = []
    for i in range(5):
        host = f"h{i}"
        rows += [boot(host, 20.0 + i, kernel_start=start), boot(host, 22.0 + i,
                                                                 kernel_start=start),
                 boot(host, 2.0, mode="early-kdump", kernel_start=start + pd.Timedelta(days=i))]
    rows += [boot("only-kdump", 50.0),
             boot("h0", 0.1, mode="early-kdump", clock="realtime")]  # a lower bound: ignored
    frame = boots_frame(*rows)
    pairs = stats.paired_hosts(frame)
    assert sorted(pairs.index) == [f"h{i}" for i in range(5)]
    h3 = pairs.loc["h3"]
    assert (h3["baseline_boots"], h3["baseline_median_s"], h3["candidate_median_s"]) == (2, 24, 2)
    assert (h3["difference_s"], h3["ratio"]) == (22.0, 12.0)
    assert h3["switched"] == start + pd.Timedelta(days=3)
    assert list(pairs.index[:1]) == ["h4"]  # the largest saving first
    paired = stats.compare(frame, resamples=300).loc["paired median"]
    assert paired["difference_s"] == 21.0 and paired["baseline_hosts"] == 5
    assert np.isnan(paired["difference_s_low"])  # five hosts: no interval
    assert paired["method"] == "too-few-hosts"
    more = boots_frame(*rows, *[boot(f"x{i}", g, mode=m) for i in range(5)
                                for g, m in ((30.0, "kdump"), (3.0, "early-kdump"))])
    paired = stats.compare(more, resamples=300).loc["paired median"]
    assert paired["baseline_hosts"] == 10 and paired["difference_s"] == 25.0
    assert 19.0 <= paired["difference_s_low"] <= 25.0 <= paired["difference_s_high"] <= 27.0
    assert paired["method"] == "hosts"


def test_paired_hosts_with_no_switch_is_empty_with_its_columns():
    pairs = stats.paired_hosts(_two_modes({"k": [10.0]}, {"e": [1.0]}))
    assert pairs.empty and "difference_s" in pairs.columns


def test_problem_hosts_worst_first_with_reasons():
    frame = boots_frame(
        boot("fine", 5.0), boot("fine", 6.0),
        boot("slow", 90.0), boot("slow", 80.0),
        boot("broken", 20.0), boot("broken", status="failed"),
        boot("silent", status="not-armed"),
        boot("late", 30.0, rd_earlykdump=True),
        boot("bare", status="not-armed", crashkernel=None),
        boot("cut", status="unknown", crashkernel=None),
    )
    table = stats.problem_hosts(frame, top=1)
    assert list(table.index) == ["broken", "silent", "late", "bare", "slow"]
    assert (table.loc["slow", "latest_mode"], table.loc["slow", "latest_gap_s"]) == ("kdump", 80)
    assert table["kind"].tolist() == ["failed", "never-armed", "early-not-armed", "no-kdump",
                                      "slow-kdump"]
    assert table["kinds"].tolist() == table["kind"].tolist()  # one kind each
    assert table["still_on_kdump"].tolist() == [False, False, False, False, True]
    assert table.loc["bare", ["not_armed", "no_kdump"]].tolist() == [1, 1]
    assert table.loc["silent", ["not_armed", "no_kdump"]].tolist() == [1, 0]
    assert "problems" not in table  # words are the report's: report.problem_words
    assert (table.loc["slow", "max_gap_s"], table.loc["slow", "median_gap_s"]) == (90.0, 85.0)


def test_problem_order_is_by_kind_of_problem_whatever_the_counts():
    frame = boots_frame(
        *[boot("fallback", 30.0, rd_earlykdump=True) for _ in range(100)],
        *[boot("bare", status="not-armed", crashkernel=None) for _ in range(150)],
        boot("late", 90.0, rd_earlykdump=True),
        boot("broken", status="failed"), boot("broken", 5.0),
    )
    table = stats.problem_hosts(frame, top=0)
    assert list(table.index) == ["broken", "late", "fallback", "bare"]


def test_capture_kernel_boots_are_not_exposure():
    frame = boots_frame(boot("a", 20.0), boot("a", status="not-armed", crashkernel=None,
                                              capture_kernel=True))
    assert stats.exposure(frame).loc["fleet", ["boots", "armed_share"]].tolist() == [1, 1.0]
    assert stats.problem_hosts(frame, top=0).empty


def test_zero_gaps_have_no_ratio():
    frame = boots_frame(*[boot(f"k{i}", 20.0) for i in range(5)],
                        *[boot(f"k{i}", 0.0, mode="early-kdump") for i in range(5)])
    table = stats.compare(frame, resamples=50)
    assert table.loc["median", "difference_s"] == 20.0
    assert np.isnan(table.loc["median", "ratio"]) and np.isnan(table.loc["paired median", "ratio"])
    assert np.isnan(stats.paired_hosts(frame)["ratio"]).all()


def test_phases_place_the_arming():
    phases = {"kernel_s": 1.0, "initrd_s": 3.0, "userspace_s": 20.0}
    frame = boots_frame(
        boot("a", 0.5, mode="early-kdump", **phases),
        boot("b", 3.5, mode="early-kdump", **phases),
        boot("c", 10.0, **phases),
        boot("d", 30.0, **phases),
        boot("e", 3.0, mode="early-kdump", clock="realtime", **phases),  # a bound: left out
        boot("f", 12.0),  # no "Startup finished"
        boot("g", 1.5, kernel_s=1.0, userspace_s=20.0),  # no initrd: 0 s of it
    )
    table = stats.phases(frame)
    assert list(table["host"]) == ["a", "b", "c", "d", "g"]
    assert table.loc[4, "armed_during"] == "userspace" and table.loc[4, "boot_s"] == 21.0
    table = table.iloc[:4]
    assert list(table["armed_during"]) == ["kernel", "initrd", "userspace", "after startup"]
    assert table["boot_s"].eq(24.0).all()
    assert table.loc[2, "share_of_boot"] == pytest.approx(10 / 24)
    summary = stats.phase_summary(frame.iloc[:6])
    assert list(summary.index) == ["early-kdump", "kdump"]
    assert summary.loc["early-kdump", ["boots", "kernel", "initrd"]].tolist() == [2, 1, 1]
    assert summary.loc["kdump", "median_gap_s"] == 20.0


def test_over_time_by_week():
    day = pd.Timestamp("2025-01-06", tz="UTC")  # a Monday
    frame = boots_frame(
        boot("a", 20.0, kernel_start=day), boot("b", 30.0, kernel_start=day),
        boot("a", 2.0, mode="early-kdump", kernel_start=day + pd.Timedelta(days=8)),
        boot("b", status="failed", kernel_start=day + pd.Timedelta(days=9)),
        boot("c", 4.0, mode="early-kdump"),  # short-monotonic: no date
    )
    table = stats.over_time(frame)
    assert [str(p.date()) for p in table.index] == ["2025-01-06", "2025-01-13"]
    assert table["boots"].tolist() == [2, 2]
    assert table["early-kdump"].tolist() == [0, 1]
    assert table["armed_share"].tolist() == [1.0, 0.5]
    assert table["median_s"].tolist() == [25.0, 2.0]
    assert table.attrs["undated"] == 1


@pytest.mark.parametrize("by_host", [True, False])
def test_weighted_bootstrap_quantiles_equal_quantiles_of_the_written_out_resample(by_host):
    rng = np.random.default_rng(0)
    side = pd.DataFrame({"host": rng.integers(0, 7, 40).astype(str),
                         "gap_s": rng.uniform(1, 30, 40)})
    qs = [0.0, 0.5, 0.9, 0.99, 1.0]
    got = stats._bootstrap_quantiles(side, by_host, qs, np.random.default_rng(5), 50)
    replay = np.random.default_rng(5)
    ordered = side.sort_values("gap_s", kind="stable")
    units = pd.factorize(ordered["host"])[0] if by_host else np.arange(len(ordered))
    expected = []
    for _ in range(50):
        counts = np.bincount(replay.integers(0, units.max() + 1, units.max() + 1),
                             minlength=units.max() + 1)
        expected.append(np.quantile(np.repeat(ordered["gap_s"], counts[units]), qs))
    np.testing.assert_allclose(got, np.array(expected))


def test_problem_hosts_list_hosts_still_on_kdump_by_their_latest_boot():
    day = pd.Timestamp("2025-01-01", tz="UTC")
    frame = boots_frame(
        boot("switched", 40.0, kernel_start=day),
        boot("switched", 2.0, mode="early-kdump", kernel_start=day + pd.Timedelta(days=1)),
        boot("text", 25.0, clock="realtime", kernel_start=day),
        boot("steady", 20.0, kernel_start=day),
    )
    table = stats.problem_hosts(frame)
    assert list(table.index) == ["text", "steady"]  # "switched" is fine now
    assert table.loc["text", "kinds"] == "slow-kdump" and table.loc["text", "still_on_kdump"]
    assert table.loc["text", ["latest_gap_s", "latest_clock"]].tolist() == [25.0, "realtime"]


@pytest.mark.parametrize(("gap", "clock", "formats", "shown"), [
    (25.41839, "monotonic", "json", "25.418"),
    (0.69412, "realtime", "short-iso-precise", "≥0.694"),
    (27.0, "realtime", "short-iso", "≥27"),  # whole-second stamps: no digits they lack
    (17.0, "realtime", "short,short-full", "≥17"),
    (17.5, "realtime", "short,short-precise", "≥17.500"),
    (float("nan"), "monotonic", "json", "-"),
])
def test_gap_text_shows_no_digits_the_clock_did_not_have(gap, clock, formats, shown):
    assert stats.gap_text(gap, clock, formats) == shown


def test_a_host_with_several_problems_lists_every_kind_worst_first():
    # db-03 in the sample fleet: rd.earlykdump set, armed late by kdumpctl, then a failure.
    frame = boots_frame(boot("db", 30.0, rd_earlykdump=True),
                        boot("db", status="failed", rd_earlykdump=True),
                        boot("db", status="not-armed"))
    row = stats.problem_hosts(frame).loc["db"]
    assert row["kinds"] == "failed,never-armed,early-not-armed"
    assert row["kind"] == "failed"
    assert (row["failed"], row["not_armed"], row["early_not_armed"]) == (1, 1, 2)


def test_method_codes_are_documented():
    frame = _two_modes({"k": [10.0]}, {"e": [1.0]})
    codes = set(stats.compare(frame, resamples=10)["method"])
    assert codes <= set(stats.METHODS) and codes


def test_formatting_helpers_keep_their_stats_names():
    from bootlag import fmt

    assert stats.gap_text is fmt.gap_text and stats.plural is fmt.plural
    assert stats.WHOLE_SECOND_FORMATS is fmt.WHOLE_SECOND_FORMATS


def test_formatting_imports_nothing_heavy_and_reads_alike():
    import subprocess
    import sys

    from bootlag import fmt, report

    # bootlag scan formats its table with these before anything else is loaded.
    loaded = subprocess.run([sys.executable, "-c", "import sys, bootlag.fmt; "
                             "print(sorted({'pandas', 'numpy'} & set(sys.modules)))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
    assert report.aligned is fmt.aligned  # bootlag.cli imports it from there
    assert [fmt.plural(n, "boot") for n in (0, 1, 2)] == ["0 boots", "1 boot", "2 boots"]
    assert fmt.plural(1, "host") == "1 host" and fmt.plural(6, "host") == "6 hosts"
    assert fmt.plural(2, "boot of a capture kernel", "boots of a capture kernel") == (
        "2 boots of a capture kernel")
    assert [fmt.seconds(v) for v in (25.418, np.nan, pd.NA, None)] == ["25.4 s", "-", "-", "-"]
    assert [fmt.percent(v) for v in (0.971429, 0.0, np.nan)] == ["97%", "0%", "-"]
    assert fmt.gap_text(pd.NA, "monotonic") == "-"
    assert fmt.aligned([["host", "gap_s"], ["db-03", "1.760"], ["a", "25.418"]],
                       [False, True]) == "host    gap_s\ndb-03   1.760\na      25.418"


def test_problem_hosts_say_the_last_failure_logged():
    day = pd.Timestamp("2025-01-01", tz="UTC")
    frame = boots_frame(
        boot("db", status="failed", failure="old", kernel_start=day),
        boot("db", status="failed", failure="early load failed",
             kernel_start=day + pd.Timedelta(days=2)),
        boot("db", 30.0, kernel_start=day + pd.Timedelta(days=1)),
        boot("ok", 20.0, kernel_start=day),
    )
    assert stats.problem_hosts(frame, top=0).loc["db", "last_failure"] == "early load failed"
    # With every failure of a boot (the list column), all of the latest boot's, in order.
    frame["failures"] = pd.Series([["old"], ["early load failed", "kdumpctl failed"], [], []],
                                  index=frame.index, dtype=object)
    assert stats.failure_text(frame).tolist()[:2] == ["old", "early load failed; kdumpctl failed"]
    assert stats.problem_hosts(frame, top=0).loc["db", "last_failure"] == (
        "early load failed; kdumpctl failed")
    assert stats.problem_hosts(boots_frame()).empty


def test_aligned_fits_a_width_by_wrapping_words_or_one_block_per_row():
    from bootlag import fmt

    cells = [["host", "boots", "problems"],
             ["db-03", "6", "arming failed in 1 of 6 boots; early kdump configured but not "
                            "armed early in 6 of 6 boots"],
             ["lab-01", "6", ""]]
    right = [False, True, False]
    assert fmt.aligned(cells, right, width=200) == fmt.aligned(cells, right)  # it fits
    assert fmt.aligned(cells, right, width=60) == (
        "host    boots  problems\n"
        "db-03       6  arming failed in 1 of 6 boots; early kdump\n"
        "               configured but not armed early in 6 of 6\n"
        "               boots\n"
        "lab-01      6")
    assert fmt.aligned(cells, right, width=30) == (
        "host      db-03\n"
        "boots     6\n"
        "problems  arming failed in 1\n"
        "          of 6 boots; early\n"
        "          kdump configured but\n"
        "          not armed early in 6\n"
        "          of 6 boots\n"
        "\n"
        "host      lab-01\n"
        "boots     6")


def test_wall_clock_estimates_are_counted_apart_from_the_lower_bounds():
    """Issue 11: estimates (kernel start from "Startup finished") enter the statistics with
    the exact gaps and are counted apart from them; lower bounds stay out."""
    frame = boots_frame(boot("a", 20.0), boot("a", 30.0, clock="realtime", gap_kind="estimate"),
                        boot("b", 40.0, clock="realtime", gap_kind="lower-bound"))
    fleet = stats.exposure(frame).loc["fleet"]
    assert (fleet["exact_gaps"], fleet["lower_bounds"], fleet["estimated_gaps"]) == (1, 1, 1)
    assert fleet["median_s"] == 25.0  # of 20 s (exact) and 30 s (estimated); not the 40 s bound
    assert list(stats.is_estimate(frame)) == [False, True, False]
