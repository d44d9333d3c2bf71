"""Worst error of the wall-clock gaps against the generator's truth, per text format.

    python tools/wallclock_errors.py

Makes the boots of ``tests/test_wallclock.py`` (the suite's fleet and the issue-11
variants: systemd's own "Startup finished", EFI, user managers, printk times,
suspends, clock steps, cut starts), writes them to a real journal, prints them with
the real ``journalctl -o FORMAT`` in three zones, scans, and compares every gap with
the truth (the monotonic gap). Prints one Markdown row per format.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_wallclock import PRECISE_TEXT, SECOND_TEXT, variant_boots

import bootlag
from bootlag import synth

ZONES = ("UTC", "Europe/Berlin", "America/New_York")


def suite_fleet() -> list[synth.Boot]:
    """The fleet of tests/conftest.py."""
    boots = synth.make_fleet(seed=7, boots_per_host=2, filler=30)
    rng = random.Random(3)
    last = max(b.start_us for b in boots)
    boots.append(synth.make_boot(rng, "trunc-01", last + 86_400 * synth.SEC, drop_start=True))
    return boots


def main() -> None:
    boots = suite_fleet() + variant_boots()
    truth = sorted(boots, key=lambda b: (b.host, b.start_us))
    with tempfile.TemporaryDirectory() as tmp:
        journal = synth.write_journal(synth.to_export(boots), f"{tmp}/all.journal")
        print("| format | boots | estimates | worst estimate error | worst estimate error / "
              "gap_error_s | lower bounds | lower bounds above truth + gap_error_s | refused |")
        print("|---|---|---|---|---|---|---|---|")
        for fmt in SECOND_TEXT + PRECISE_TEXT + ["json"]:
            stats = {"n": 0, "est": 0, "worst": 0.0, "ratio": 0.0, "lb": 0, "bad": 0, "nan": 0}
            for zone in ZONES:
                out = Path(tmp) / f"all.{fmt}"
                out.write_bytes(synth.render(journal, fmt, zone))
                year = pd.Timestamp(max(b.real_us(b.entries[-1]) for b in boots), unit="us",
                                    tz="UTC").tz_convert(zone).year
                frame = bootlag.scan(out, tz=zone, year=year, errors="raise")
                rows = frame.sort_values(["host", "first_line"]).itertuples()
                for row, boot in zip(rows, truth, strict=True):
                    if boot.gap_s is None:
                        continue
                    stats["n"] += 1
                    kind = row.gap_kind if isinstance(row.gap_kind, str) else None
                    if kind in ("estimate", "exact"):
                        err = abs(row.gap_s - boot.gap_s)
                        stats["est"] += 1
                        stats["worst"] = max(stats["worst"], err)
                        if row.gap_error_s:
                            stats["ratio"] = max(stats["ratio"], err / row.gap_error_s)
                    elif kind == "lower-bound":
                        stats["lb"] += 1
                        stats["bad"] += row.gap_s - row.gap_error_s > boot.gap_s
                    else:
                        stats["nan"] += 1
            print(f"| {fmt} | {stats['n']} | {stats['est']} | {stats['worst'] * 1e3:.3f} ms | "
                  f"{stats['ratio']:.3f} | {stats['lb']} | {stats['bad']} | {stats['nan']} |")


if __name__ == "__main__":
    main()
