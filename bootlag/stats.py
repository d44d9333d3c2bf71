"""Fleet statistics: functions of the boots DataFrame from `bootlag.scan`, returning DataFrames.

Every gap is in seconds from kernel start. Gap statistics use only *exact* gaps
(``clock == "monotonic"``) unless a function says otherwise; wall-clock gaps
(``clock == "realtime"``) are lower bounds and are counted apart, never mixed in. Of
those, the estimates (``gap_kind == "estimate"``, kernel start from systemd's "Startup
finished", the truth within ``gap_error_s``) are counted too (`is_estimate`).

Two groupings answer different questions. The ``mode`` column says what armed
a boot (``early-kdump``, ``kdump``; ``none`` if nothing did): comparisons of gaps
use it. The **setup** says what a boot was set up to do (see `setup`), so that a
boot that failed or never armed still belongs to a group: exposure uses it.

Tables carry numbers and codes, never sentences: `compare`'s ``method`` is a key of
`METHODS`, `problem_hosts`' ``kind``/``kinds`` keys of `PROBLEM_KINDS`; `bootlag.report`
says them in words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

# Re-exported: the formatting helpers moved to bootlag.fmt; these names keep working.
from .fmt import WHOLE_SECOND_FORMATS as WHOLE_SECOND_FORMATS
from .fmt import gap_text as gap_text
from .fmt import plural as plural

SETUPS = ("early-kdump", "kdump", "none", "unknown")
STATUSES = ("armed", "disarmed", "failed", "not-armed", "unknown")
PHASES = ("kernel", "initrd", "userspace", "after startup")
MIN_HOSTS_FOR_HOST_BOOTSTRAP = 5

_QUANTILES = {"median_s": 0.5, "p90_s": 0.9, "p99_s": 0.99}
UNPROTECTED_AT = (10, 30)  # seconds after kernel start, for exposure's unprotected shares
MIN_PAIRED_HOSTS_FOR_INTERVAL = 10

# `compare`'s ``method`` column: how a row's interval was made. Codes, not prose: the
# report (`bootlag.report.METHOD_WORDS`) says them in words.
METHODS = {
    "hosts": "bootstrap over hosts, each resampled with all its boots",
    "boots": "bootstrap over single boots (fewer than MIN_HOSTS_FOR_HOST_BOOTSTRAP hosts on a "
             "side): host-to-host variation is not in the interval",
    "too-few-hosts": "the paired row with fewer than MIN_PAIRED_HOSTS_FOR_INTERVAL hosts: "
                     "point estimates, no interval",
    "no-data": "a side has no exact gap (no host booted under both, for the paired row): "
               "no difference, ratio or interval",
}


def _is(column: pd.Series, *values: object) -> pd.Series:
    """Elementwise ``column in values``, False where the value is missing."""
    return column.isin(values).fillna(False).astype(bool)


def setup(boots: pd.DataFrame) -> pd.Series:
    """What each boot was set up for: ``"early-kdump"``, ``"kdump"``, ``"none"``, ``"unknown"``.

    * early-kdump: ``rd.earlykdump`` on the kernel command line, dracut said
      "early-kdump is enabled", or the crash kernel was loaded from the initramfs;
    * kdump: otherwise, a crash kernel was loaded or its loading failed, or memory
      was reserved for one (``crashkernel=``), so kdump was meant to arm;
    * none: the kernel command line was logged, and no sign of kdump;
    * unknown: no sign of kdump, but the command line was not logged either (the
      boot's start is missing), so there is no telling.
    """
    early = (_is(boots["mode"], "early-kdump") | _is(boots["rd_earlykdump"], True)
             | _is(boots["early_kdump_enabled"], True))
    crashkernel = boots["crashkernel"].fillna("").astype(str).str.len().gt(0)
    kdump = (_is(boots["mode"], "kdump", "unknown") | _is(boots["status"], "failed")
             | boots["loads"].fillna(0).gt(0) | crashkernel)
    told = boots["rd_earlykdump"].notna()
    labels = np.where(early, "early-kdump",
                      np.where(kdump, "kdump", np.where(told, "none", "unknown")))
    return pd.Series(labels, index=boots.index, name="setup", dtype="string")


def _gap_kind(boots: pd.DataFrame) -> pd.Series:
    """``gap_kind`` (exact, estimate, lower-bound); from ``clock`` in tables without it."""
    told = boots["clock"].map({"monotonic": "exact", "realtime": "lower-bound"})
    if "gap_kind" not in boots:
        return told
    return boots["gap_kind"].astype("object").where(boots["gap_kind"].notna(), told)


def is_exact(boots: pd.DataFrame) -> pd.Series:
    """Which boots armed with an exact gap (monotonic clock, ``gap_kind == "exact"``).

    A ``disarmed`` boot counts: its gap is the time to its first arming."""
    return (_is(boots["status"], "armed", "disarmed") & _is(boots["clock"], "monotonic")
            & boots["gap_s"].notna())


def is_estimate(boots: pd.DataFrame) -> pd.Series:
    """Which boots armed with a wall-clock estimate (``gap_kind == "estimate"``: kernel start
    from systemd's "Startup finished", the truth within ``gap_error_s``)."""
    return (_is(boots["status"], "armed", "disarmed") & _is(_gap_kind(boots), "estimate")
            & boots["gap_s"].notna())


def is_measured(boots: pd.DataFrame) -> pd.Series:
    """The gaps that enter the statistics: exact ones and estimates (within ``gap_error_s``,
    a second at most). Lower bounds (`is_lower_bound`) are counted apart."""
    return is_exact(boots) | is_estimate(boots)


def is_lower_bound(boots: pd.DataFrame) -> pd.Series:
    """Which boots armed with only a lower bound of the true gap (wall clock, measured from
    the boot's first logged line)."""
    return (_is(boots["status"], "armed", "disarmed") & _is(boots["clock"], "realtime")
            & boots["gap_s"].notna() & ~is_estimate(boots))


def regular(boots: pd.DataFrame) -> pd.DataFrame:
    """The boots that are not kdump capture kernels.

    A capture kernel boots only to save a vmcore and never arms a crash kernel
    itself: it is not exposure, so every statistic here leaves it out
    (``capture_kernel`` counts them).
    """
    return boots[~_is(boots["capture_kernel"], True)]


def measured_gaps(boots: pd.DataFrame) -> pd.DataFrame:
    """The armed boots (not capture kernels) whose gap enters the statistics: exact
    (monotonic clock) or estimated within ``gap_error_s``, with a ``setup`` column."""
    boots = regular(boots)
    measured = boots[is_measured(boots)]
    return measured.assign(setup=setup(measured))


def exposure(boots: pd.DataFrame) -> pd.DataFrame:
    """How exposed the fleet is, one row per setup and a ``fleet`` row for all boots.

    Columns: ``boots``, ``hosts``; the count and share (0-1) of each status
    (``armed``, ``failed``, ``not_armed``, ``unknown``); the measured gaps, exact
    (``exact_gaps``, monotonic clock) and estimated within ``gap_error_s``
    (``estimated_gaps``, wall clock anchored on "Startup finished"), and their
    ``median_s``, ``p90_s``, ``p99_s``, ``max_s`` (seconds, linear interpolation
    between boots, so with fewer than 100 boots p99 lies near the max); the wall-clock
    lower bounds kept apart (``lower_bounds``, ``lower_bound_median_s``); and ``no_gap``,
    armed boots whose gap could not be measured; ``unprotected_10s_share`` and
    ``unprotected_30s_share``, the share (0-1) of the boots with a known outcome
    (an exact gap, failed or never armed: ``known_outcome``) still without a
    crash kernel 10 s and 30 s after kernel start. Capture-kernel boots are left out.
    """
    frame = regular(boots)
    frame = frame.assign(setup=setup(frame))
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
    exact = part.loc[is_measured(part), "gap_s"]
    row["exact_gaps"] = int(is_exact(part).sum())
    row["estimated_gaps"] = int(is_estimate(part).sum())
    for name, q in _QUANTILES.items():
        row[name] = exact.quantile(q) if len(exact) else np.nan
    row["max_s"] = exact.max() if len(exact) else np.nan
    bounds = part.loc[is_lower_bound(part), "gap_s"]
    row["lower_bounds"] = len(bounds)
    row["lower_bound_median_s"] = bounds.median() if len(bounds) else np.nan
    row["no_gap"] = int((_is(part["status"], "armed") & part["gap_s"].isna()).sum())
    never = int(_is(part["status"], "failed", "not-armed").sum())
    row["known_outcome"] = known = len(exact) + never
    for seconds in UNPROTECTED_AT:
        late = int(exact.gt(seconds).sum()) + never
        row[f"unprotected_{seconds}s_share"] = late / known if known else np.nan
    return row


def died_unprotected(boots: pd.DataFrame) -> pd.DataFrame:
    """The boots that ended abruptly (``end == "abrupt"``: a panic, watchdog, reset or power
    loss) with no crash kernel loaded, so no dump could be saved: the case bootlag exists
    for. One row per host, most first: ``boots`` of it, of which ``never_armed`` (failed,
    never armed, or no arming in a log that has the boot's start) and ``disarmed`` (armed,
    then unloaded). Capture kernels are left out.
    """
    frame = regular(boots)
    # (an unknown boot counts only from its logged start: it cannot have armed unseen)
    never = (_is(frame["status"], "failed", "not-armed")
             | (_is(frame["status"], "unknown") & _is(frame["start_logged"], True)))
    disarmed = _is(frame["status"], "disarmed")
    died = frame[_is(frame["end"], "abrupt") & (never | disarmed)]
    table = pd.DataFrame({"host": died["host"], "never_armed": never[died.index].astype(int),
                          "disarmed": disarmed[died.index].astype(int)})
    out = table.groupby("host", sort=True).sum()
    out.insert(0, "boots", out["never_armed"] + out["disarmed"])
    return out.sort_values("boots", ascending=False, kind="stable")


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
    each host's (baseline median - candidate median), with an interval only from
    10 such hosts up (with fewer, a bootstrap interval is little more than their
    range). Columns: ``baseline_s``,
    ``candidate_s``, ``difference_s`` (baseline - candidate: seconds of exposure
    saved per boot) and ``ratio`` (baseline / candidate), each with ``*_low`` and
    ``*_high`` bounds of a percentile bootstrap interval at `confidence`; the
    number of ``boots`` and ``hosts`` behind each side; and ``method``, a code of
    `METHODS`: ``"hosts"``, ``"boots"``, ``"too-few-hosts"`` or ``"no-data"``.

    Boots of one host are alike, so hosts are resampled (with all their boots)
    when each side has at least 5 hosts (``method`` "hosts"); with fewer, boots are
    resampled (``method`` "boots": the interval ignores host-to-host variation).
    """
    exact = measured_gaps(boots)
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
    if not (len(sides[0]) and len(sides[1])):  # a side's own figure, but no comparison
        for key, side in zip(("baseline_s", "candidate_s"), sides, strict=True):
            if len(side):
                row[key] = float(np.quantile(side["gap_s"], q))
        row["method"] = "no-data"
        return row
    base, cand = (float(np.quantile(side["gap_s"], q)) for side in sides)
    row.update(_estimates(base, cand, draws[0], draws[1], confidence))
    row["method"] = "hosts" if by_host else "boots"
    return row


def _paired_row(pairs: pd.DataFrame, rng: np.random.Generator, resamples: int,
                confidence: float) -> dict:
    row = _counts("paired median", int(pairs["baseline_boots"].sum()),
                  int(pairs["candidate_boots"].sum()), len(pairs), len(pairs))
    if pairs.empty:
        row["method"] = "no-data"
        return row
    base = pairs["baseline_median_s"].to_numpy(dtype=float)
    cand = pairs["candidate_median_s"].to_numpy(dtype=float)
    ratios = _ratio(base, cand)
    row.update(baseline_s=float(np.median(base)), candidate_s=float(np.median(cand)),
               difference_s=float(np.median(base - cand)), ratio=float(np.median(ratios)))
    if len(pairs) < MIN_PAIRED_HOSTS_FOR_INTERVAL:
        row["method"] = "too-few-hosts"
        return row
    picks = rng.integers(0, len(pairs), size=(resamples, len(pairs)))
    _interval(row, "difference_s", np.median(base[picks] - cand[picks], axis=1), confidence)
    _interval(row, "ratio", np.median(ratios[picks], axis=1), confidence)
    row["method"] = "hosts"
    return row


def _ratio(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """a / b, NaN where b is not positive (a gap of 0 s has no meaningful ratio)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b > 0)


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
           "ratio": float(_ratio(base, cand))}
    _interval(row, "difference_s", base_samples - cand_samples, confidence)
    _interval(row, "ratio", _ratio(base_samples, cand_samples), confidence)
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
    exact = measured_gaps(boots)
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
    pairs["ratio"] = _ratio(pairs["baseline_median_s"], pairs["candidate_median_s"])
    first = exact[exact[by] == candidate].groupby("host")["kernel_start"].min()
    pairs["switched"] = first.reindex(pairs.index)
    return pairs.sort_values("difference_s", ascending=False)


# The kinds of problem host, worst first: `problem_hosts`' ``kind`` and ``kinds`` columns.
PROBLEM_KINDS = {
    "failed": "kdump set up, and arming failed in some boot",
    "never-armed": "kdump set up (crashkernel=, a load), and some boot never armed",
    "early-not-armed": "early kdump configured (rd.earlykdump) but a boot not armed early",
    "no-kdump": "some boot never armed, with no sign of kdump set up",
    "slow-kdump": "among the hosts still on plain kdump whose latest boot armed latest",
}


def problem_hosts(boots: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The hosts to look at first, worst first, with what is wrong as codes and counts.

    A host is listed when a boot failed to arm, never armed (with or without
    kdump set up), or had early kdump configured (``rd.earlykdump``) without
    arming from the initramfs; so are the `top` hosts still on plain kdump, whose
    latest boot was armed by the kdump service, longest gap first: the ones
    exposed longest today.

    Columns: ``boots``; counts of boots ``failed``, ``not_armed`` (every boot that
    never armed), ``no_kdump`` (of those, the ones with no sign of kdump set up),
    ``early_not_armed``, ``unknown`` (boots whose log misses the arming window);
    ``max_gap_s``, ``median_gap_s`` (exact or estimated gaps, seconds), ``last_boot``
    (UTC), ``latest_status``, ``latest_mode``, ``latest_gap_s``, ``latest_clock``,
    ``latest_format``, ``latest_gap_kind`` and ``latest_gap_error_s`` (the latest boot's;
    its gap is an estimate or a lower bound where the clock is "realtime", as
    ``gap_kind`` says; the latest is by kernel start, else by position in the log);
    ``last_failure``, the failure texts of the host's latest boot that logged one
    (``failures`` joined by "; " where the table has that column, else ``failure``; NA
    when none); ``still_on_kdump`` (one of the `top`); ``kinds``, every kind of problem of the
    host, comma-separated codes of `PROBLEM_KINDS` in its order, and ``kind``, the
    first of them (the worst). `bootlag.report` says them in words.

    Worst first means: kdump set up but not protecting (failed or never armed;
    most such boots first), then early kdump configured but not arming early,
    then no kdump at all, then the latest boot's gap; capture-kernel boots are left out.
    """
    frame = regular(boots)
    frame = frame.assign(setup=setup(frame))
    frame["failed"] = _is(frame["status"], "failed")
    frame["not_armed"] = _is(frame["status"], "not-armed")
    frame["no_kdump"] = frame["not_armed"] & ~_is(frame["setup"], "early-kdump", "kdump")
    frame["early_not_armed"] = (_is(frame["setup"], "early-kdump")
                                & ~_is(frame["mode"], "early-kdump")
                                & ~_is(frame["status"], "unknown"))
    frame["unknown"] = _is(frame["status"], "unknown")
    frame["exact_gap"] = frame["gap_s"].where(is_measured(frame))
    latest = (frame.sort_values("kernel_start", kind="stable", na_position="first")
              .groupby("host").tail(1).set_index("host"))
    hosts = frame.groupby("host").agg(
        boots=("status", "size"), failed=("failed", "sum"), not_armed=("not_armed", "sum"),
        no_kdump=("no_kdump", "sum"), early_not_armed=("early_not_armed", "sum"),
        unknown=("unknown", "sum"),
        max_gap_s=("exact_gap", "max"), median_gap_s=("exact_gap", "median"),
        last_boot=("kernel_start", "max"))
    latest = latest.reindex(hosts.index)
    for column in ("status", "mode", "gap_s", "clock", "format", "gap_kind", "gap_error_s"):
        if column in latest:
            hosts[f"latest_{column}"] = latest[column]
    hosts["last_failure"] = _last_failure(frame).reindex(hosts.index)
    on_kdump = hosts[_is(hosts["latest_mode"], "kdump") & hosts["latest_gap_s"].notna()]
    largest = on_kdump["latest_gap_s"].sort_values(ascending=False).index[:top]
    hosts["still_on_kdump"] = hosts.index.isin(largest)
    flagged = hosts[(hosts[["failed", "not_armed", "early_not_armed"]].sum(axis=1) > 0)
                    | hosts["still_on_kdump"]].copy()
    kinds = _kinds(flagged)
    flagged["kinds"] = pd.Series([",".join(k) for k in kinds], index=flagged.index,
                                 dtype="string")
    flagged["kind"] = pd.Series([k[0] for k in kinds], index=flagged.index, dtype="string")
    not_protecting = (flagged["failed"] + flagged["not_armed"] - flagged["no_kdump"]).to_numpy()
    # np.lexsort sorts by its last key first: the kind of problem, then how many boots.
    order = np.lexsort((-flagged["latest_gap_s"].fillna(-1).to_numpy(),
                        ~flagged["no_kdump"].gt(0).to_numpy(),
                        ~flagged["early_not_armed"].gt(0).to_numpy(),
                        -not_protecting, not_protecting == 0))
    return flagged.iloc[order]


def failure_text(boots: pd.DataFrame) -> pd.Series:
    """Each boot's failures as one text, in time order, joined by "; ": the ``failures``
    list column where the table has it, else ``failure``; NA where none was logged."""
    if "failures" not in boots:
        column = boots["failure"] if "failure" in boots else pd.Series(pd.NA, index=boots.index)
        return column.astype("string")
    texts = ["; ".join(str(t) for t in value) if isinstance(value, (list, tuple, np.ndarray))
             and len(value) else pd.NA for value in boots["failures"]]
    return pd.Series(texts, index=boots.index, dtype="string")


def _last_failure(frame: pd.DataFrame) -> pd.Series:
    """Per host, `failure_text` of its latest boot that logged a failure."""
    texts = failure_text(frame)
    logged = frame.assign(failure_text=texts)[texts.notna().to_numpy(dtype=bool)]
    latest = (logged.sort_values("kernel_start", kind="stable", na_position="first")
              .groupby("host").tail(1).set_index("host"))
    return latest["failure_text"]


def _kinds(hosts: pd.DataFrame) -> list[list[str]]:
    """Per host (row), its kinds of problem in the order of `PROBLEM_KINDS`."""
    has = {"failed": hosts["failed"].gt(0),
           "never-armed": (hosts["not_armed"] - hosts["no_kdump"]).gt(0),
           "early-not-armed": hosts["early_not_armed"].gt(0),
           "no-kdump": hosts["no_kdump"].gt(0),
           "slow-kdump": hosts["still_on_kdump"].astype(bool)}
    return [[kind for kind in PROBLEM_KINDS if has[kind].iloc[i]] for i in range(len(hosts))]


def phases(boots: pd.DataFrame) -> pd.DataFrame:
    """Where in the boot each exact arming fell, for boots that logged "Startup finished".

    One row per such armed boot: ``host``, ``boot_id``, ``mode``, ``setup``, ``gap_s``,
    ``kernel_s``, ``initrd_s``, ``userspace_s`` and ``boot_s`` (their sum;
    seconds, from systemd's message), ``armed_during`` (one of `PHASES`) and
    ``share_of_boot`` (gap / boot_s). A boot without an initrd ("Startup finished
    in 1.2s (kernel) + 20s (userspace)") has ``initrd_s`` 0. Wall-clock gaps are
    left out: a lower bound cannot place the arming in a phase.
    """
    exact = measured_gaps(boots).dropna(subset=["kernel_s", "userspace_s"])
    out = exact[["host", "boot_id", "mode", "setup", "gap_s", "kernel_s", "initrd_s",
                 "userspace_s"]]
    out = out.assign(initrd_s=out["initrd_s"].fillna(0.0))
    out = out.assign(boot_s=out["kernel_s"] + out["initrd_s"] + out["userspace_s"])
    ends = np.column_stack([out["kernel_s"], out["kernel_s"] + out["initrd_s"], out["boot_s"]])
    which = (out["gap_s"].to_numpy()[:, None] > ends).sum(axis=1) if len(out) else []
    out["armed_during"] = pd.Categorical.from_codes(np.asarray(which, dtype=np.int64),
                                                    categories=pd.Index(list(PHASES)))
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
    frame = regular(boots)
    frame = frame.assign(setup=setup(frame))
    dated = frame[frame["kernel_start"].notna()]
    period = dated["kernel_start"].dt.tz_localize(None).dt.to_period(freq).dt.start_time
    grouped = dated.groupby(period.rename("period"))
    out = pd.DataFrame({"boots": grouped.size(), "hosts": grouped["host"].nunique()})
    for name in SETUPS:
        def count(setups: pd.Series, name: str = name) -> int:
            return int(setups.eq(name).sum())

        out[name] = grouped["setup"].apply(count)
    out["armed_share"] = grouped["status"].apply(lambda s: _is(s, "armed").mean())
    exact = dated["gap_s"].where(is_measured(dated))
    out["median_s"] = exact.groupby(period.rename("period")).median()
    out.attrs["undated"] = int(frame["kernel_start"].isna().sum())
    return out
