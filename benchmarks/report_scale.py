"""How the statistics, charts and report scale with the fleet: a synthetic boots table.

    python benchmarks/report_scale.py [--hosts 5000] [--boots 10]

Builds a boots table (a third of the hosts switch to early kdump half-way, 2 %
of boots fail), then times each `bootlag.stats` function, each chart of
`bootlag.plot.CHARTS` drawn and saved as PNG, and the whole HTML report. The
baseline, timed in the same run, is writing the same table as CSV with pandas;
figures are ratios to it, since the machines are noisy. Every step: the median of
three runs after a warm-up, in this process.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bootlag import plot, report, stats
from bootlag.boots import typed


def fleet(hosts: int, boots: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    host = np.repeat([f"host-{h:05d}" for h in range(hosts)], boots)
    index = np.tile(np.arange(boots), hosts)
    early = (np.repeat(np.arange(hosts) % 3 == 0, boots)) & (index >= boots // 2)
    failed = rng.random(hosts * boots) < 0.02
    gap = np.where(early, rng.uniform(1.5, 4.0, host.size), rng.uniform(10.0, 40.0, host.size))
    start = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(index * 2, unit="D")
    rows = pd.DataFrame({
        "host": host, "kernel_start": start, "gap_s": np.where(failed, np.nan, gap),
        "mode": np.where(failed, "none", np.where(early, "early-kdump", "kdump")),
        "status": np.where(failed, "failed", "armed"), "clock": "monotonic",
        "rd_earlykdump": early, "crashkernel": "256M", "loads": (~failed).astype(int),
        "kernel_s": 1.5, "initrd_s": 3.0, "userspace_s": 25.0, "start_logged": True,
        "capture_kernel": False, "unloads": 0, "first_line": 1,
    })
    return typed(rows.to_dict("records"))


def timed(work: Callable[[], object], runs: int = 3) -> float:
    """Median wall time of `runs` runs after a warm-up run."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def draw(name: str, boots: pd.DataFrame) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    plot.CHARTS[name](boots, ax=ax)
    fig.savefig(io.BytesIO(), format="png", dpi=144)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--boots", type=int, default=10, help="boots per host")
    args = parser.parse_args()
    boots = fleet(args.hosts, args.boots)
    baseline = timed(lambda: boots.to_csv(io.StringIO(), index=False))
    print(f"{len(boots):,} boots on {args.hosts:,} hosts; baseline (to_csv): {baseline:.2f} s")
    functions = (stats.exposure, stats.compare, stats.paired_hosts, stats.problem_hosts,
                 stats.phases, stats.over_time)
    work: dict[str, Callable[[], object]] = {
        f"stats.{f.__name__}": (lambda f=f: f(boots)) for f in functions}
    work.update({f"plot {name}": (lambda n=name: draw(n, boots)) for name in plot.CHARTS})
    work["report.html"] = lambda: report.html(boots)
    print(f"{'step':<22}{'seconds':>9}{'× baseline':>12}")
    for name, job in work.items():
        seconds = timed(job)
        print(f"{name:<22}{seconds:>9.2f}{seconds / baseline:>12.1f}")


if __name__ == "__main__":
    main()
