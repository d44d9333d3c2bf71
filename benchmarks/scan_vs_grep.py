"""Time `bootlag scan` against grep on the same files, and report ratios.

    python benchmarks/scan_vs_grep.py [--hosts 20] [--boots 10] [--lines 1500] [--repeat 3]

Builds a fleet corpus with bootlag's own generator, written through
systemd-journal-remote and printed by journalctl (cached in
benchmarks/corpus/), then times, in the same run and on the same files:

* ``bootlag scan FILES --csv`` as a whole process, startup included;
* ``grep -c kdump FILES`` and the pipeline a user would otherwise write,
  ``LC_ALL=C grep -E 'loaded (early-)?kdump kernel|^-- Boot|Linux version' FILES | wc -l``.

Machines here are noisy, so the figures that mean something are the ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from bootlag import synth

CORPUS = Path(__file__).resolve().parent / "corpus"
FORMATS = {"json": ".json", "short-iso-precise": ".log", "export": ".export",
           "short-monotonic": ".mono.log"}
PATTERN = "loaded (early-)?kdump kernel|^-- Boot|Linux version"


def build(hosts: int, boots: int, lines: int) -> dict[str, list[Path]]:
    """The corpus files per format, generated once per size."""
    where = CORPUS / f"{hosts}x{boots}x{lines}"
    files: dict[str, list[Path]] = {fmt: [] for fmt in FORMATS}
    rng = random.Random(hosts * 7 + boots)
    for h in range(hosts):
        host = f"host-{h:04d}"
        paths = {fmt: where / f"{host}{suffix}" for fmt, suffix in FORMATS.items()}
        if not all(p.exists() for p in paths.values()):
            where.mkdir(parents=True, exist_ok=True)
            made = synth.make_host(rng, host, (1_700_000_000 + h * 3_600) * synth.SEC,
                                   boots, lines)
            journal = synth.write_journal(synth.to_export(made), str(where / f"{host}.journal"))
            for fmt, path in paths.items():
                path.write_bytes(synth.render(journal, fmt))
            os.unlink(journal)
        for fmt, path in paths.items():
            files[fmt].append(path)
    return files


def timed(cmd: list[str] | str, repeat: int) -> tuple[float, int]:
    """Best wall time of `repeat` runs, and the peak RSS (KiB) of the children."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        # Output to a pipe, not /dev/null: GNU grep stops at the first match when it
        # sees its output is /dev/null.
        subprocess.run(cmd, shell=isinstance(cmd, str), check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--boots", type=int, default=10)
    parser.add_argument("--lines", type=int, default=1500, help="filler lines per boot")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = build(args.hosts, args.boots, args.lines)
    print(f"corpus: {args.hosts} hosts x {args.boots} boots x ~{args.lines} lines per format")
    print(f"{'format':<20}{'MB':>8}{'grep -c':>10}{'grep -E|wc':>12}{'bootlag':>10}"
          f"{'vs grep -c':>12}{'vs grep -E':>12}")
    for fmt, paths in files.items():
        names = [str(p) for p in paths]
        size = sum(p.stat().st_size for p in paths) / 1e6
        grep_c, _ = timed(["grep", "-a", "-c", "kdump", *names], args.repeat)
        quoted = " ".join(f"'{n}'" for n in names)
        grep_e, _ = timed(f"LC_ALL=C grep -a -E '{PATTERN}' {quoted} | wc -l", args.repeat)
        scan, _ = timed([sys.executable, "-m", "bootlag.cli", "scan", "--csv", "-q", *names],
                        args.repeat)
        print(f"{fmt:<20}{size:>8.1f}{grep_c:>9.3f}s{grep_e:>11.3f}s{scan:>9.3f}s"
              f"{scan / grep_c:>11.1f}x{scan / grep_e:>11.1f}x")


if __name__ == "__main__":
    main()
