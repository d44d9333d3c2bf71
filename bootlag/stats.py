"""Fleet statistics: functions of the boots DataFrame from `bootlag.scan`, returning DataFrames.

Every gap is in seconds from kernel start. Gap statistics use only *exact* gaps
(``clock == "monotonic"``) unless a function says otherwise; wall-clock gaps
(``clock == "realtime"``) are lower bounds and are counted apart, never mixed in.

Two groupings answer different questions. The ``mode`` column says what armed
a boot (``early-kdump``, ``kdump``; ``none`` if nothing did): comparisons of gaps
use it. The **setup** says what a boot was set up to do (see `setup`), so that a
boot that failed or never armed still belongs to a group: exposure uses it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SETUPS = ("early-kdump", "kdump", "none")
STATUSES = ("armed", "failed", "not-armed", "unknown")
PHASES = ("kernel", "initrd", "userspace", "after startup")
MIN_HOSTS_FOR_HOST_BOOTSTRAP = 5

_QUANTILES = {"median_s": 0.5, "p90_s": 0.9, "p99_s": 0.99}


def setup(boots: pd.DataFrame) -> pd.Series:
    """What each boot was set up for: ``"early-kdump"``, ``"kdump"`` or ``"none"``.

    * early-kdump: ``rd.earlykdump`` on the kernel command line, dracut said
      "early-kdump is enabled", or the crash kernel was loaded from the initramfs;
    * kdump: otherwise, a crash kernel was loaded or its loading failed, or memory
      was reserved for one (``crashkernel=``), so kdump was meant to arm;
    * none: no sign of kdump at all.
    """
    early = (boots["mode"].eq("early-kdump")
             | boots["rd_earlykdump"].fillna(False).astype(bool)
             | boots["early_kdump_enabled"].fillna(False).astype(bool))
    crashkernel = boots["crashkernel"].fillna("").astype(str).str.len().gt(0)
    kdump = (boots["mode"].isin(["kdump", "unknown"]) | boots["status"].eq("failed")
             | boots["loads"].gt(0) | crashkernel)
    labels = np.where(early, "early-kdump", np.where(kdump, "kdump", "none"))
    return pd.Series(labels, index=boots.index, name="setup", dtype="string")


def is_exact(boots: pd.DataFrame) -> pd.Series:
    """Which boots armed with an exact gap (monotonic clock): the only gaps in statistics."""
    return (boots["status"].eq("armed") & boots["clock"].eq("monotonic")
            & boots["gap_s"].notna()).astype(bool)


def is_lower_bound(boots: pd.DataFrame) -> pd.Series:
    """Which boots armed with a wall-clock gap, a lower bound of the true gap."""
    return (boots["status"].eq("armed") & boots["clock"].eq("realtime")
            & boots["gap_s"].notna()).astype(bool)


def exact_gaps(boots: pd.DataFrame) -> pd.DataFrame:
    """The armed boots whose gap is exact (monotonic clock), with a ``setup`` column."""
    exact = boots[is_exact(boots)]
    return exact.assign(setup=setup(exact))


def exposure(boots: pd.DataFrame) -> pd.DataFrame:
    """How exposed the fleet is, one row per setup and a ``fleet`` row for all boots.

    Columns: ``boots``, ``hosts``; the count and share (0-1) of each status
    (``armed``, ``failed``, ``not_armed``, ``unknown``); the exact gaps
    (``exact_gaps``, ``median_s``, ``p90_s``, ``p99_s``, ``max_s``: seconds,
    monotonic clock, linear interpolation between boots, so with fewer than 100
    boots p99 lies near the max); the wall-clock lower bounds kept apart
    (``lower_bounds``, ``lower_bound_median_s``); and ``no_gap``, armed boots
    whose gap could not be measured.
    """
    frame = boots.assign(setup=setup(boots))
    groups = [(name, frame[frame["setup"] == name]) for name in SETUPS]
    groups = [(name, part) for name, part in groups if len(part)]
    rows = [_exposure_row(part) for _, part in groups] + [_exposure_row(frame)]
    index = pd.Index([name for name, _ in groups] + ["fleet"], name="setup")
    return pd.DataFrame(rows, index=index)


def _exposure_row(part: pd.DataFrame) -> dict:
    row: dict = {"boots": len(part), "hosts": part["host"].nunique()}
    for status in STATUSES:
        count = int(part["status"].eq(status).sum())
        key = status.replace("-", "_")
        row[key] = count
        row[f"{key}_share"] = count / len(part) if len(part) else np.nan
    armed = part[part["status"].eq("armed")]
    exact = armed.loc[armed["clock"].eq("monotonic"), "gap_s"].dropna()
    row["exact_gaps"] = len(exact)
    for name, q in _QUANTILES.items():
        row[name] = exact.quantile(q) if len(exact) else np.nan
    row["max_s"] = exact.max() if len(exact) else np.nan
    bounds = armed.loc[armed["clock"].eq("realtime"), "gap_s"].dropna()
    row["lower_bounds"] = len(bounds)
    row["lower_bound_median_s"] = bounds.median() if len(bounds) else np.nan
    row["no_gap"] = int(armed["gap_s"].isna().sum())
    return row


def compare(boots: pd.DataFrame, baseline: str = "kdump", candidate: str = "early-kdump", *,
            by: str = "mode", resamples: int = 2000, confidence: float = 0.95,
            seed: int = 0) -> pd.DataFrame:
    """What `candidate` buys over `baseline`, on exact gaps, with bootstrap intervals.

    Groups are the column `by`: ``"mode"`` (default) compares the boots by what
    armed them, i.e. what early kdump saves when it works; ``"setup"`` compares
    what the boots were set up for, so an early-kdump set-up that fell back to
    the kdump service counts against early kdump.

    One row per statistic: ``median`` and ``p90`` of each group's gaps, and
    ``paired median``, the median over hosts that booted under both of
    each host's (baseline median - candidate median). Columns: ``baseline_s``,
    ``candidate_s``, ``difference_s`` (baseline - candidate: seconds of exposure
    saved per boot) and ``ratio`` (baseline / candidate), each with ``*_low`` and
    ``*_high`` bounds of a percentile bootstrap interval at `confidence`; the
    number of ``boots`` and ``hosts`` behind each side; and ``method``.

    Boots of one host are alike, so hosts are resampled (with all their boots)
    when each side has at least 5 hosts; with fewer, boots are resampled and
    ``method`` says the interval ignores host-to-host variation.
    """
    exact = exact_gaps(boots)
    sides = [exact[exact[by] == name] for name in (baseline, candidate)]
    by_host = min(side["host"].nunique() for side in sides) >= MIN_HOSTS_FOR_HOST_BOOTSTRAP
    rng = np.random.default_rng(seed)
    statistics = (("median", 0.5), ("p90", 0.9))
    # One set of resamples per side serves every statistic: (resamples, statistics).
    draws = [_bootstrap_quantiles(side, by_host, [q for _, q in statistics], rng, resamples)
             for side in sides]
    rows = [_unpaired_row(name, sides, [d[:, i] for d in draws], q, by_host, confidence)
            for i, (name, q) in enumerate(statistics)]
    rows.append(_paired_row(paired_hosts(boots, baseline, candidate, by=by), rng, resamples,
                            confidence))
    return pd.DataFrame(rows).set_index("statistic")


def _unpaired_row(name: str, sides: Sequence[pd.DataFrame], draws: Sequence[np.ndarray],
                  q: float, by_host: bool, confidence: float) -> dict:
    row = _counts(name, len(sides[0]), len(sides[1]), sides[0]["host"].nunique(),
                  sides[1]["host"].nunique())
    if not (len(sides[0]) and len(sides[1])):
        row["method"] = "not enough boots: a side has no exact gap"
        return row
    base, cand = (float(np.quantile(side["gap_s"], q)) for side in sides)
    row.update(_estimates(base, cand, draws[0], draws[1], confidence))
    row["method"] = ("bootstrap over hosts" if by_host else
                     "bootstrap over boots (fewer than 5 hosts on a side: "
                     "host-to-host variation is not in the interval)")
    return row


def _paired_row(pairs: pd.DataFrame, rng: np.random.Generator, resamples: int,
                confidence: float) -> dict:
    row = _counts("paired median", pairs["baseline_boots"].sum(),
                  pairs["candidate_boots"].sum(), len(pairs), len(pairs))
    if pairs.empty:
        row["method"] = "no host has exact gaps on both sides"
        return row
    base = pairs["baseline_median_s"].to_numpy()
    cand = pairs["candidate_median_s"].to_numpy()
    row.update(baseline_s=float(np.median(base)), candidate_s=float(np.median(cand)),
               difference_s=float(np.median(base - cand)), ratio=float(np.median(base / cand)))
    if len(pairs) < MIN_HOSTS_FOR_HOST_BOOTSTRAP:
        row["method"] = "per-host medians; fewer than 5 hosts booted under both: no interval"
        return row
    picks = rng.integers(0, len(pairs), size=(resamples, len(pairs)))
    _interval(row, "difference_s", np.median(base[picks] - cand[picks], axis=1), confidence)
    _interval(row, "ratio", np.median(base[picks] / cand[picks], axis=1), confidence)
    row["method"] = "per-host medians, bootstrap over the hosts that booted under both"
    return row


def _counts(name: str, base_boots: int, cand_boots: int, base_hosts: int,
            cand_hosts: int) -> dict:
    row: dict = {"statistic": name}
    for key in ("baseline_s", "candidate_s", "difference_s", "difference_s_low",
                "difference_s_high", "ratio", "ratio_low", "ratio_high"):
        row[key] = np.nan
    row.update(baseline_boots=int(base_boots), candidate_boots=int(cand_boots),
               baseline_hosts=int(base_hosts), candidate_hosts=int(cand_hosts))
    return row


def _estimates(base: float, cand: float, base_samples: np.ndarray, cand_samples: np.ndarray,
               confidence: float) -> dict:
    """Point estimates of difference and ratio, with their bootstrap intervals."""
    row = {"baseline_s": base, "candidate_s": cand, "difference_s": base - cand,
           "ratio": base / cand if cand > 0 else np.nan}
    _interval(row, "difference_s", base_samples - cand_samples, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        _interval(row, "ratio", base_samples / cand_samples, confidence)
    return row


def _interval(row: dict, key: str, samples: np.ndarray, confidence: float) -> None:
    samples = samples[np.isfinite(samples)]
    if samples.size:
        tail = (1 - confidence) / 2 * 100
        row[f"{key}_low"], row[f"{key}_high"] = np.percentile(samples, [tail, 100 - tail])


def _bootstrap_quantiles(side: pd.DataFrame, by_host: bool, qs: Sequence[float],
                         rng: np.random.Generator, resamples: int) -> np.ndarray:
    """Quantiles `qs` of `resamples` bootstrap samples of `side`'s gaps, resampling hosts
    (with all their boots) or single boots: an array of shape (resamples, len(qs)).

    A resample is a count of draws per host (or boot), so each boot's weight is
    its host's count: the quantile of the weighted sorted gaps equals
    ``np.quantile`` of the resample written out, without writing it out.
    """
    if side.empty:
        return np.full((resamples, len(qs)), np.nan)
    ordered = side.sort_values("gap_s", kind="stable")
    gaps = ordered["gap_s"].to_numpy(dtype=float)
    units = (pd.factorize(ordered["host"])[0] if by_host else np.arange(gaps.size))
    n_units = int(units.max()) + 1
    out = np.empty((resamples, len(qs)))
    for i in range(resamples):
        counts = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)
        ranks = np.cumsum(counts[units])  # boots ranked below and at each sorted gap
        positions = np.asarray(qs) * (ranks[-1] - 1)  # numpy's default "linear" method
        low = np.floor(positions)
        below = gaps[np.searchsorted(ranks, low, side="right")]
        above = gaps[np.searchsorted(ranks, np.minimum(low + 1, ranks[-1] - 1), side="right")]
        out[i] = below + (positions - low) * (above - below)
    return out


def paired_hosts(boots: pd.DataFrame, baseline: str = "kdump", candidate: str = "early-kdump",
                 *, by: str = "mode") -> pd.DataFrame:
    """Hosts with exact gaps under both modes (or setups, `by`): the before/after of a switch.

    One row per host: the number of boots and the median gap (seconds,
    monotonic) under each, ``difference_s`` (baseline - candidate),
    ``ratio`` (baseline / candidate) and ``switched``, the kernel start (UTC) of
    the host's first candidate boot.
    """
    exact = exact_gaps(boots)
    exact = exact[exact[by].isin([baseline, candidate])]
    grouped = exact.groupby(["host", by])["gap_s"].agg(["size", "median"]).unstack(by)
    columns = ["baseline_boots", "baseline_median_s", "candidate_boots", "candidate_median_s",
               "difference_s", "ratio", "switched"]
    if grouped.empty or baseline not in grouped["size"] or candidate not in grouped["size"]:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="host"))
    grouped = grouped.dropna()
    pairs = pd.DataFrame({
        "baseline_boots": grouped[("size", baseline)].astype(int),
        "baseline_median_s": grouped[("median", baseline)],
        "candidate_boots": grouped[("size", candidate)].astype(int),
        "candidate_median_s": grouped[("median", candidate)],
    })
    pairs["difference_s"] = pairs["baseline_median_s"] - pairs["candidate_median_s"]
    pairs["ratio"] = pairs["baseline_median_s"] / pairs["candidate_median_s"]
    first = exact[exact[by] == candidate].groupby("host")["kernel_start"].min()
    pairs["switched"] = first.reindex(pairs.index)
    return pairs.sort_values("difference_s", ascending=False)


def problem_hosts(boots: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The hosts to look at first, worst first, with the reasons in plain words.

    A host is listed when a boot failed to arm, never armed (with or without
    kdump set up), or had early kdump configured (``rd.earlykdump``) without
    arming from the initramfs; the `top` hosts with the largest exact gaps are
    listed too. Columns: ``boots``, ``failed``, ``not_armed``, ``early_not_armed``,
    ``unknown`` (boots whose log misses the arming window), ``max_gap_s``,
    ``median_gap_s`` (exact gaps, seconds), ``last_boot`` (UTC) and ``problems``.
    """
    frame = boots.assign(setup=setup(boots))
    frame["failed"] = frame["status"].eq("failed")
    frame["not_armed"] = frame["status"].eq("not-armed")
    frame["unprotected"] = frame["not_armed"] & frame["setup"].eq("none")
    frame["early_not_armed"] = (frame["setup"].eq("early-kdump")
                                & frame["mode"].ne("early-kdump")
                                & frame["status"].ne("unknown"))
    frame["unknown"] = frame["status"].eq("unknown")
    frame["exact_gap"] = frame["gap_s"].where(frame["clock"].eq("monotonic")
                                              & frame["status"].eq("armed"))
    hosts = frame.groupby("host").agg(
        boots=("status", "size"), failed=("failed", "sum"), not_armed=("not_armed", "sum"),
        early_not_armed=("early_not_armed", "sum"), unknown=("unknown", "sum"),
        unprotected=("unprotected", "sum"),
        max_gap_s=("exact_gap", "max"), median_gap_s=("exact_gap", "median"),
        last_boot=("kernel_start", "max"))
    largest = hosts["max_gap_s"].dropna().sort_values(ascending=False).index[:top]
    flagged = hosts[(hosts[["failed", "not_armed", "early_not_armed"]].sum(axis=1) > 0)
                    | hosts.index.isin(largest)].copy()
    flagged["problems"] = [_reasons(row, host in largest) for host, row in flagged.iterrows()]
    # Set up but not protecting first, then early kdump not working, then no kdump at all.
    severity = ((flagged["failed"] + flagged["not_armed"] - flagged["unprotected"]) * 10_000
                + flagged["early_not_armed"] * 100 + flagged["unprotected"])
    order = np.lexsort((-flagged["max_gap_s"].fillna(-1).to_numpy(), -severity.to_numpy()))
    return flagged.iloc[order].drop(columns="unprotected")


def _reasons(row: pd.Series, among_largest: bool) -> str:
    reasons = []
    if row["failed"]:
        reasons.append(f"arming failed in {row['failed']} of {row['boots']} boots")
    if row["not_armed"] > row["unprotected"]:
        reasons.append(f"never armed in {row['not_armed'] - row['unprotected']} of "
                       f"{row['boots']} boots although kdump was set up")
    if row["unprotected"]:
        reasons.append(f"no kdump set up in {row['unprotected']} of {row['boots']} boots")
    if row["early_not_armed"]:
        reasons.append(f"early kdump configured but not armed early in "
                       f"{row['early_not_armed']} of {row['boots']} boots")
    if among_largest:
        reasons.append(f"largest gap {row['max_gap_s']:.1f} s")
    return "; ".join(reasons)


def phases(boots: pd.DataFrame) -> pd.DataFrame:
    """Where in the boot each exact arming fell, for boots that logged "Startup finished".

    One row per such armed boot: ``host``, ``boot_id``, ``mode``, ``setup``, ``gap_s``,
    ``kernel_s``, ``initrd_s``, ``userspace_s`` and ``boot_s`` (their sum;
    seconds, from systemd's message), ``armed_during`` (one of `PHASES`) and
    ``share_of_boot`` (gap / boot_s). Wall-clock gaps are left out: a lower bound
    cannot place the arming in a phase.
    """
    exact = exact_gaps(boots).dropna(subset=["kernel_s", "initrd_s", "userspace_s"])
    out = exact[["host", "boot_id", "mode", "setup", "gap_s", "kernel_s", "initrd_s",
                 "userspace_s"]]
    out = out.assign(boot_s=out["kernel_s"] + out["initrd_s"] + out["userspace_s"])
    ends = np.column_stack([out["kernel_s"], out["kernel_s"] + out["initrd_s"], out["boot_s"]])
    which = (out["gap_s"].to_numpy()[:, None] > ends).sum(axis=1) if len(out) else []
    out["armed_during"] = pd.Categorical.from_codes(np.asarray(which, dtype=int),
                                                    categories=list(PHASES))
    out["share_of_boot"] = out["gap_s"] / out["boot_s"]
    return out.reset_index(drop=True)


def phase_summary(boots: pd.DataFrame) -> pd.DataFrame:
    """Per mode: boots with phases, median seconds of each phase and of the gap, and how
    many boots armed during each phase (columns named after `PHASES`)."""
    table = phases(boots)
    grouped = table.groupby("mode")
    medians = grouped[["kernel_s", "initrd_s", "userspace_s", "gap_s"]].median()
    counts = pd.crosstab(table["mode"], table["armed_during"]).reindex(columns=list(PHASES),
                                                                       fill_value=0)
    out = pd.concat([grouped.size().rename("boots"), medians.add_prefix("median_"), counts],
                    axis=1)
    out.columns = [str(c) for c in out.columns]
    return out.reindex([m for m in SETUPS if m in out.index]).rename_axis("mode")


def over_time(boots: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """The fleet per period of kernel start (pandas `freq`, default weekly, in UTC).

    One row per period: ``boots``, ``hosts``, the count of boots of each setup,
    ``armed_share`` (0-1) and ``median_s`` (exact gaps, seconds). Boots without
    a calendar kernel start (``short-monotonic`` text) cannot be placed and are
    counted in ``attrs["undated"]``.
    """
    frame = boots.assign(setup=setup(boots))
    dated = frame[frame["kernel_start"].notna()]
    period = dated["kernel_start"].dt.tz_localize(None).dt.to_period(freq).dt.start_time
    grouped = dated.groupby(period.rename("period"))
    out = pd.DataFrame({"boots": grouped.size(), "hosts": grouped["host"].nunique()})
    for name in SETUPS:
        out[name] = grouped["setup"].apply(lambda s, n=name: int(s.eq(n).sum()))
    out["armed_share"] = grouped["status"].apply(lambda s: s.eq("armed").mean())
    exact = dated["gap_s"].where(dated["clock"].eq("monotonic") & dated["status"].eq("armed"))
    out["median_s"] = exact.groupby(period.rename("period")).median()
    out.attrs["undated"] = int(frame["kernel_start"].isna().sum())
    return out
