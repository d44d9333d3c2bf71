"""Time bootlag on binary .journal files against ``journalctl -g``, and report ratios.

    python benchmarks/journal_vs_journalctl.py [--hosts 20] [--boots 10] [--lines 4950]
                                               [--unique] [--repeat 3]

Builds a journal set of about a million entries (hosts x boots x filler lines,
one export per host written through systemd-journal-remote; cached in
benchmarks/corpus/), then times, in the same run and on the same files:

* ``journalctl --file F1 --file F2 ... -g 'kdump kernel' -o short`` (output to a pipe);
* ``python -m bootlag.cli scan -q --csv FILES`` as a whole process, startup included;
* in this process: ``bootlag.scan(FILES)``, and the journal reader alone, through the
  file's index (the default) and walking every entry (``indexed=False``).

bootlag finds every boot and its arming; journalctl only prints the matching lines.
``--unique`` gives every message that is not an event a unique suffix, so each entry
has its own MESSAGE DATA object (the index's worst case). Machines here are noisy,
so the figures that mean something are the ratios.
"""

from __future__ import annotations

import argparse
import mmap
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import bootlag
from bootlag import events, synth
from bootlag.formats.common import ReadOptions, SourceInfo
from bootlag.formats.journal import read_journal

CORPUS = Path(__file__).resolve().parent / "corpus"
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "TZ": "UTC", "SYSTEMD_COLORS": "0",
       "SYSTEMD_PAGER": ""}


def build(hosts: int, boots: int, lines: int, unique: bool) -> list[Path]:
    """The journal files, generated once per size (journal-remote may rotate big ones)."""
    where = CORPUS / f"journal-{hosts}x{boots}x{lines}{'-unique' if unique else ''}"
    done = where / "complete"
    if not done.exists():
        where.mkdir(parents=True, exist_ok=True)
        for old in where.glob("*.journal"):
            old.unlink()
        rng = random.Random(hosts * 7 + boots)
        for h in range(hosts):
            host = f"host-{h:04d}"
            made = synth.make_host(rng, host, (1_700_000_000 + h * 3_600) * synth.SEC,
                                   boots, lines)
            if unique:
                n = 0
                for boot in made:
                    for entry in boot.entries:
                        if not events.TRIGGER.search(entry.fields["MESSAGE"]):
                            n += 1
                            entry.fields["MESSAGE"] += f" #{n}"
            synth.write_journal(synth.to_export(made), str(where / f"{host}.journal"))
        done.touch()
    return sorted(where.glob("*.journal"))


def n_entries(path: Path) -> int:
    with path.open("rb") as f:
        f.seek(152)
        return int.from_bytes(f.read(8), "little")


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def process(cmd: list[str]) -> Callable[[], object]:
    return lambda: subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=ENV)


def reader(paths: list[Path], indexed: bool) -> Callable[[], object]:
    def run() -> int:
        count = 0
        for path in paths:
            with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                options = ReadOptions(full=not indexed)
                count += len(list(read_journal(m, options, SourceInfo(str(path)))))
        return count
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--boots", type=int, default=10)
    parser.add_argument("--lines", type=int, default=4950, help="filler lines per boot")
    parser.add_argument("--unique", action="store_true", help="every plain message unique")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = build(args.hosts, args.boots, args.lines, args.unique)
    names = [str(p) for p in paths]
    total = sum(n_entries(p) for p in paths)
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"corpus: {len(paths)} files, {total:,} entries, {size:.0f} MB "
          f"({args.hosts} hosts x {args.boots} boots x ~{args.lines} lines"
          f"{', unique messages' if args.unique else ''})")

    files = [arg for name in names for arg in ("--file", name)]
    journalctl = ["journalctl", *files, "-g", "kdump kernel", "-o", "short", "--no-pager"]
    found = subprocess.run(journalctl, check=True, capture_output=True, env=ENV).stdout
    frame = bootlag.scan(names, errors="ignore")
    lines = found.count(b"\n")
    print(f"journalctl -g prints {lines:,} lines; bootlag finds "
          f"{len(frame):,} boots, {(frame.status == 'armed').sum():,} armed")

    base = best(process(journalctl), args.repeat)
    rows = [
        ("bootlag scan -q --csv (process)",
         best(process([sys.executable, "-m", "bootlag.cli", "scan", "-q", "--csv", *names]),
              args.repeat)),
        ("bootlag.scan() in process",
         best(lambda: bootlag.scan(names, errors="ignore"), args.repeat)),
        ("read_journal, indexed", best(reader(paths, True), args.repeat)),
        ("read_journal, every entry", best(reader(paths, False), 1)),
    ]
    print(f"{'journalctl -g kdump kernel':<34}{base:>9.3f}s")
    for name, seconds in rows:
        print(f"{name:<34}{seconds:>9.3f}s   {base / seconds:>6.1f}x faster than journalctl")


if __name__ == "__main__":
    main()
