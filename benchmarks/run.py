"""Every input kind against its baseline, in one run: the table the README shows.

    python benchmarks/run.py [--quick] [--runs 5] [--only text-realistic,json ...]
                             [--profile KIND] [--out FILE]

Builds the corpora once with `bootlag.synth`, written through the real tools
(``systemd-journal-remote`` makes each host's ``.journal``, ``journalctl -o FMT``
prints it; cached in ``benchmarks/corpus/``, git-ignored):

* **realistic** text first: hosts x boots, each boot ~1,500 boot-time lines
  (the kernel, the initrd, the services, the arming) then ~30,000 steady-state
  lines (real boots run for days; the arming window is a small part of them);
* **dense**: hosts x boots x 1,500 lines, arming mid-boot, in ``short-iso-precise``,
  ``short-monotonic``, ``json`` and ``export``;
* binary **journals**, once with the generator's repeated message templates and
  once with every message that is not an event made unique (each entry its own
  MESSAGE DATA object: the index's worst case);
* a **tar** of small text files, against the same files unpacked;
* **one small file**, for start-up.

Then times, in the same run, each input as a whole process on both sides:
``bootlag scan -q --csv`` with ``-j 1`` and with the default (one process per
core) against ``LC_ALL=C grep -E 'loaded (early-)?kdump kernel|^-- Boot|Linux version'
FILES | wc -l`` (text, json, export) or ``journalctl --file ... -g 'kdump kernel'``
(binary journals). Each command runs once to warm the page cache, then
``--runs`` times alternating with its baseline; the table gives medians and
the peak resident memory of the largest process (``wait4``'s ``ru_maxrss``,
workers included). The machine is shared, so absolute seconds are noisy: the
ratio to the baseline run beside it is the figure that means something.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bootlag import events, synth

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "TZ": "UTC",
       "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": "",
       **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {})}
TIME = "/usr/bin/time"  # GNU time: peak RSS of the command
PATTERN = "loaded (early-)?kdump kernel|^-- Boot|Linux version"
SUFFIX = {"short-iso-precise": ".log", "short-monotonic": ".mono.log", "json": ".json",
          "export": ".export"}


@dataclass(frozen=True)
class Size:
    hosts: int
    boots: int
    lines: int  # boot-time lines per boot (synth's filler)
    steady: int = 0  # steady-state lines after them

    @property
    def tag(self) -> str:
        return f"{self.hosts}x{self.boots}x{self.lines}" + (f"+{self.steady}" if self.steady
                                                              else "")

    def describe(self) -> str:
        steady = f" + {self.steady:,} steady-state" if self.steady else ""
        return f"{self.hosts} hosts × {self.boots} boots × {self.lines:,}{steady} lines"


FULL = {"realistic": Size(10, 10, 1500, 30_000), "dense": Size(40, 10, 1500),
        "journal": Size(10, 10, 4950), "tar": Size(300, 2, 40)}
QUICK = {"realistic": Size(2, 4, 1500, 6_000), "dense": Size(6, 5, 600),
         "journal": Size(3, 4, 1500), "tar": Size(60, 2, 40)}

_STEADY = [*synth._FILLER,
           ("sshd", "1012", "Accepted publickey for admin from 10.0.{a}.{b} port {p} ssh2: "
                            "ED25519 SHA256:q0p9b8c7d6e5f4"),
           ("systemd", "1", "Started Session {p} of User admin."),
           ("CROND", "2210", "(root) CMD (run-parts /etc/cron.hourly)"),
           ("kernel", "", "IPv4: martian source 10.0.{a}.{b} from 10.0.0.1, on dev eth0"),
           ("systemd-logind", "805", "Removed session {p}.")]


def _steady(rng: random.Random, boot: synth.Boot, lines: int) -> None:
    """Append a boot's steady-state life: ordinary service chatter every few seconds."""
    t = boot.entries[-1].mono_us
    for _ in range(lines):
        t += rng.randint(100_000, 4_000_000)  # 30,000 lines: about a day
        ident, pid, text = rng.choice(_STEADY)
        entry = synth._line(t, ident, pid or "1", text.format(
            unit=rng.choice(synth._UNITS), t=f"{t / synth.SEC:.4f}", a=rng.randint(0, 255),
            b=rng.randint(0, 255), p=rng.randint(1024, 65535)))
        entry.fields["_HOSTNAME"] = boot.host
        boot.entries.append(entry)


def _host_boots(rng: random.Random, h: int, size: Size, unique: bool = False) -> list[synth.Boot]:
    made = synth.make_host(rng, f"host-{h:04d}", (1_700_000_000 + h * 3_600) * synth.SEC,
                           size.boots, size.lines)
    for boot in made:
        if size.steady:
            _steady(rng, boot, size.steady)
    if unique:
        n = 0
        for boot in made:
            for entry in boot.entries:
                if not events.TRIGGER.search(entry.fields["MESSAGE"]):
                    n += 1
                    entry.fields["MESSAGE"] += f" #{n}"
    return made


def build_text(name: str, size: Size, formats: tuple[str, ...]) -> dict[str, list[Path]]:
    """Per format, one file per host, printed by journalctl from a real journal."""
    where = CORPUS / f"{name}-{size.tag}"
    done = where / "complete"
    if not done.exists():
        print(f"building {where.name} ({size.describe()}) ...", file=sys.stderr, flush=True)
        where.mkdir(parents=True, exist_ok=True)
        rng = random.Random(size.hosts * 7 + size.boots)
        for h in range(size.hosts):
            journal = str(where / f"host-{h:04d}.journal")
            synth.write_journal(synth.to_export(_host_boots(rng, h, size)), journal)
            for fmt in formats:
                (where / f"host-{h:04d}{SUFFIX[fmt]}").write_bytes(synth.render(journal, fmt))
            os.unlink(journal)
        done.touch()
    return {fmt: sorted(p for p in where.glob(f"*{SUFFIX[fmt]}")
                        if fmt == "short-monotonic" or not p.name.endswith(".mono.log"))
            for fmt in formats}


def build_journals(size: Size, unique: bool) -> list[Path]:
    where = CORPUS / f"journal-{size.tag}{'-unique' if unique else ''}"
    done = where / "complete"
    if not done.exists():
        print(f"building {where.name} ...", file=sys.stderr, flush=True)
        where.mkdir(parents=True, exist_ok=True)
        for old in where.glob("*.journal"):
            old.unlink()
        rng = random.Random(size.hosts * 7 + size.boots)
        for h in range(size.hosts):
            synth.write_journal(synth.to_export(_host_boots(rng, h, size, unique)),
                                str(where / f"host-{h:04d}.journal"))
        done.touch()
    return sorted(where.glob("*.journal"))


def build_tar(size: Size) -> tuple[Path, Path]:
    """Small text files as a directory, and the same files as one plain tar."""
    files = build_text("small", size, ("short-iso-precise",))["short-iso-precise"]
    where = files[0].parent
    archive = CORPUS / f"small-{size.tag}.tar"
    if not archive.exists():
        with tarfile.open(f"{archive}.tmp", "w") as tar:
            for f in files:
                tar.add(f, arcname=f"logs/{f.name}")
        os.replace(f"{archive}.tmp", archive)
    return where, archive


# --- timing ---------------------------------------------------------------------------------

@dataclass
class Timing:
    seconds: float  # median wall time
    rss_mb: float  # peak resident memory of the largest process (MB)
    runs: list[float]


def run_once(cmd: list[str] | str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process (output to a pipe, read).

    The memory comes from ``/usr/bin/time -f %M``: a child forked from this (large)
    Python process would report this process's memory as its own peak.
    """
    shell = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else cmd
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        # A pipe, not /dev/null: GNU grep stops at its first match when output is /dev/null.
        proc = subprocess.Popen([TIME, "-q", "-o", rss.name, "-f", "%M", *shell],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
        assert proc.stdout is not None
        while proc.stdout.read(1 << 16):
            pass
        code = proc.wait()
        seconds = time.perf_counter() - start
        peak = rss.read().split()
    if code not in (0, 1):  # bootlag: 1 = some lines skipped; grep: 1 = no match
        raise SystemExit(f"failed ({code}): {' '.join(shell)[:300]}")
    return seconds, int(peak[-1]) / 1024 if peak else float("nan")


def compare(a: list[str] | str, b: list[str] | str, runs: int) -> tuple[Timing, Timing]:
    """Both commands warmed once, then `runs` times alternating: medians and peak RSS."""
    results: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    run_once(a)
    run_once(b)
    for _ in range(runs):
        results[0].append(run_once(a))
        results[1].append(run_once(b))
    out = []
    for found in results:
        times = [t for t, _ in found]
        out.append(Timing(statistics.median(times), max(r for _, r in found), times))
    return out[0], out[1]


def bootlag(paths: list[Path] | list[str], jobs: int | None) -> list[str]:
    return [sys.executable, "-m", "bootlag.cli", "scan", "-q", "--csv",
            *(["-j", str(jobs)] if jobs else []), *map(str, paths)]


def grep(paths: list[Path]) -> str:
    quoted = " ".join(f"'{p}'" for p in paths)
    return f"LC_ALL=C grep -a -E '{PATTERN}' {quoted} | wc -l"


def journalctl(paths: list[Path]) -> list[str]:
    return ["journalctl", *(a for p in paths for a in ("--file", str(p))), "-g", "kdump kernel",
            "-o", "short", "--no-pager"]


def _mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small corpora (< 2 minutes)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command "
                                                               "(default 5, quick 3)")
    parser.add_argument("--only", default="", help="comma-separated row kinds")
    parser.add_argument("--profile", metavar="KIND", help="cProfile bootlag -j 1 on one kind")
    parser.add_argument("--out", help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    runs = args.runs or (3 if args.quick else 5)
    realistic = build_text("realistic", sizes["realistic"], ("short-iso-precise",))
    dense = build_text("dense", sizes["dense"], tuple(SUFFIX))
    journals = build_journals(sizes["journal"], unique=False)
    unique = build_journals(sizes["journal"], unique=True)
    small_dir, small_tar = build_tar(sizes["tar"])
    one = [sorted(small_dir.glob("*.log"))[0]]

    grep_kinds: dict[str, tuple[list[Path], str]] = {
        "text-realistic": (realistic["short-iso-precise"],
                           f"short-iso-precise, realistic: {sizes['realistic'].describe()}"),
        "text-dense": (dense["short-iso-precise"],
                       f"short-iso-precise, dense: {sizes['dense'].describe()}"),
        "monotonic-dense": (dense["short-monotonic"], "short-monotonic, dense"),
        "json-dense": (dense["json"], "json, dense"),
        "export-dense": (dense["export"], "export, dense"),
    }
    journal_kinds = {
        "journal": (journals, f"binary .journal, repeated messages: "
                              f"{sizes['journal'].describe()}"),
        "journal-unique": (unique, "binary .journal, unique messages"),
    }
    if args.profile:
        paths = {**grep_kinds, **journal_kinds}[args.profile][0]
        profile(paths)
        return
    only = set(filter(None, args.only.split(",")))
    rows: list[tuple[str, str, str, Timing, str, Timing]] = []

    def want(kind: str) -> bool:
        return not only or kind in only

    def row(kind: str, what: str, base_name: str, base: list[str] | str,
            make: Callable[[int | None], list[str]]) -> None:
        for jobs in (1, None):
            mine, theirs = compare(make(jobs), base, runs)
            rows.append((what, f"-j {jobs}" if jobs else f"default (-j {os.cpu_count()})",
                         base_name, theirs, "", mine))
            print_row(rows[-1], file=sys.stderr)

    for kind, (paths, what) in grep_kinds.items():
        if want(kind):
            row(kind, f"{what}; {len(paths)} files, {_mb(paths):,.0f} MB", "`grep -E … \\| wc -l`",
                grep(paths), lambda jobs, paths=paths: bootlag(paths, jobs))
    for kind, (paths, what) in journal_kinds.items():
        if want(kind):
            row(kind, f"{what}; {len(paths)} files, {_mb(paths):,.0f} MB",
                "journalctl -g 'kdump kernel'", journalctl(paths),
                lambda jobs, paths=paths: bootlag(paths, jobs))
    if want("tar"):
        files = sorted(small_dir.glob("*.log"))
        row("tar", f"a plain tar of {len(files)} small text files ({_mb([small_tar]):,.1f} MB), "
                   "read in place", "the same files unpacked", bootlag([small_dir], 1),
            lambda jobs: bootlag([small_tar], jobs))
    if want("startup"):
        mine, theirs = compare(bootlag(one, 1), [sys.executable, "-c", "pass"], runs)
        rows.append((f"one small file ({_mb(one) * 1000:.0f} kB), start-up included", "-j 1",
                     "python -c pass", theirs, "", mine))
        print_row(rows[-1], file=sys.stderr)
    table = render(rows, sizes, runs, args.quick)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")


def print_row(row: tuple[str, str, str, Timing, str, Timing], file: io.TextIOBase | None = None
              ) -> None:
    what, jobs, _, theirs, _, mine = row
    print(f"  {what[:60]:<60} {jobs:<14} {theirs.seconds:7.3f}s {mine.seconds:7.3f}s "
          f"{mine.seconds / theirs.seconds:6.2f}x  {mine.rss_mb:6.0f} MB", file=file, flush=True)


def render(rows: list[tuple[str, str, str, Timing, str, Timing]], sizes: dict[str, Size],
           runs: int, quick: bool) -> str:
    out = [f"`python benchmarks/run.py{' --quick' if quick else ''}` on {os.cpu_count()} cores "
           f"(shared), Python {sys.version.split()[0]}; medians of {runs} runs after a warm-up, "
           "whole processes on both sides, both run alternately in the same command. "
           "ratio = bootlag ÷ baseline (below 1: bootlag is faster). Peak RSS: the largest "
           "process (a worker, for -j > 1).", "",
           "| input | bootlag -j | baseline | baseline s | bootlag s | ratio | "
           "peak RSS bootlag | peak RSS baseline |",
           "|---|---|---|---|---|---|---|---|"]
    for what, jobs, base_name, theirs, _, mine in rows:
        out.append(f"| {what} | {jobs} | {base_name} | {theirs.seconds:.3f} | "
                   f"{mine.seconds:.3f} | {mine.seconds / theirs.seconds:.2f}× | "
                   f"{mine.rss_mb:.0f} MB | {theirs.rss_mb:.0f} MB |")
    return "\n".join(out)


def profile(paths: list[Path]) -> None:
    """cProfile of the scan in this process, -j 1 (the top functions by own time)."""
    import bootlag as lib

    profiler = cProfile.Profile()
    profiler.enable()
    lib.scan([str(p) for p in paths], errors="ignore", jobs=1)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    if not (shutil.which("journalctl") and os.path.exists(synth.JOURNAL_REMOTE)
            and os.path.exists(TIME)):
        raise SystemExit("needs journalctl, systemd-journal-remote and GNU time (/usr/bin/time)")
    main()
