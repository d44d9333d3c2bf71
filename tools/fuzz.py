"""A repeatable, pure-Python mutation fuzzer for bootlag's readers.

    python tools/fuzz.py --family all --inputs 100000 --seed 1 [--jobs 2]

Seeds are real ``journalctl`` renderings (and real ``.journal`` files written by
``systemd-journal-remote``) of a few `bootlag.synth` boots, and what the log
pipelines and the kernel's console make of them (`bootlag.synth_pipelines`), made once and cached
(``benchmarks/corpus/fuzz-seeds/``, gitignored). Each input is a seed with one
to four mutations (bit flips, inserted random / NUL / non-UTF-8 / dictionary
bytes, deletions, truncation, duplicated or swapped lines, huge lines, two
seeds spliced, and for binary journals integers written over the header and
objects) and goes through `bootlag.formats.read_bytes` and `bootlag.boots.assemble`.

Any exception other than `bootlag.BootlagError` is a crash: the input is saved
under ``--crashes`` with its traceback, a minimised copy is made for each new
crash location, and fuzzing goes on. The run is deterministic for a given
``--seed`` and set of seeds.

To keep it fast, `assemble` (which costs ~20 ms of pandas per call whatever the
input) is called on the records of ``--batch`` inputs at once, each input's
boots and sources renamed apart; when a batch raises, it is bisected and each
culprit is replayed on its own, exactly as `read_bytes` + `assemble`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bootlag import (  # noqa: E402
    BootlagError,
    formats,
    synth,
    synth_pipelines,
)
from bootlag.boots import assemble  # noqa: E402
from bootlag.formats import ReadOptions, SourceInfo, read_bytes  # noqa: E402
from bootlag.formats.journal import SIGNATURE, read_journal  # noqa: E402
from bootlag.records import Record  # noqa: E402

# Seeds for every registered family: one per format (as `journalctl -o NAME` prints it),
# and for binary journals one per file layout.
JOURNAL_LAYOUTS = ("compact", "regular")
FAMILIES: dict[str, tuple[str, ...]] = {
    family.name: JOURNAL_LAYOUTS if family.name == "journal"
    else tuple(f.name for f in family.formats)
    for family in formats.FAMILIES
}
SEED_VERSION = "2"
DEFAULT_CORPUS = ROOT / "benchmarks" / "corpus" / f"fuzz-seeds-v{SEED_VERSION}"
# Fields kept in half of the field-format seeds, so that inputs stay a few KB.
FIELDS = "MESSAGE,SYSLOG_IDENTIFIER,_HOSTNAME,_PID,_SOURCE_MONOTONIC_TIMESTAMP,_TRANSPORT"
SLOW_S = 2.0  # an input that takes longer is a hang: interrupted, saved, reported


class Hang(Exception):
    """Raised by SIGALRM in an input that ran longer than SLOW_S."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang(f"still running after {SLOW_S} s")

# --- seeds ---------------------------------------------------------------------------------

# (distro, mode, outcome, extra make_boot keywords) of each boot of a seed set
SEED_SETS: list[list[tuple[str, str, str, dict]]] = [
    [("rhel9", "kdump", "armed", {})],
    [("rhel8", "early-kdump", "armed", {}), ("ubuntu", "kdump", "failed", {})],
    [("suse", "kdump", "armed", {"clock_step_s": 37.5}), ("rhel9", "none", "not-armed", {})],
    [("rhel7", "kdump", "armed", {"drop_start": True}), ("rhel9", "early-kdump", "armed", {})],
    [("ubuntu", "kdump", "armed", {}), ("rhel9", "kdump", "failed", {})],
]


def _journal_seed(path: str) -> bytes:
    """A journal file cut to the objects it holds (its header says so, so it is consistent)."""
    data = bytearray(Path(path).read_bytes())
    header_size = int.from_bytes(data[88:96], "little")
    tail = int.from_bytes(data[136:144], "little")
    end = (tail + int.from_bytes(data[tail + 8:tail + 16], "little") + 7) & ~7
    data[96:104] = (end - header_size).to_bytes(8, "little")
    return bytes(data[:end])


def make_seeds(directory: Path) -> None:
    """Render every seed set in every format of every family into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20250301)
    t0 = 1_740_000_000 * synth.SEC
    with tempfile.TemporaryDirectory() as tmp:
        for n, plan in enumerate(SEED_SETS):
            boots = [synth.make_boot(rng, f"host-{n}", t0 + (n * 10 + i) * 86_400 * synth.SEC,
                                     distro=d, mode=m, outcome=o, filler=3, **kw)
                     for i, (d, m, o, kw) in enumerate(plan)]
            export = synth.to_export(boots, interleave=n == 4)
            for layout in FAMILIES["journal"]:
                path = synth.write_journal(export, f"{tmp}/{n}-{layout}.journal",
                                           compact=layout == "compact")
                (directory / f"journal-{n}-{layout}.bin").write_bytes(_journal_seed(path))
            journal = f"{tmp}/{n}-compact.journal"
            for family, fmts in FAMILIES.items():
                if family == "journal":
                    continue
                for fmt in fmts:
                    if fmt in synth_pipelines.RENDERERS:  # pipelines' exports, dmesg, consoles
                        data = synth_pipelines.RENDERERS[fmt](journal, boots)
                        (directory / f"{family}-{n}-{fmt}.bin").write_bytes(data)
                        continue
                    extra = ("--output-fields=" + FIELDS,) if family != "text" and n % 2 else ()
                    data = synth.render(journal, fmt, "UTC", *extra)
                    (directory / f"{family}-{n}-{fmt}.bin").write_bytes(data)
    (directory / "complete").write_text(SEED_VERSION)


def load_seeds(directory: Path) -> dict[str, list[bytes]]:
    if not (directory / "complete").exists():
        make_seeds(directory)
    return {family: [p.read_bytes() for p in sorted(directory.glob(f"{family}-*.bin"))]
            for family in FAMILIES}


# --- mutations -----------------------------------------------------------------------------

DICTIONARY = [
    b"\x00", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf0\x9f\x92", b"\xff\xfe", b"\r",
    b"\n", b"\n\n", b"\x1e", b"{", b"}", b"{\n", b"\n}\n", b"[", b"\"", b"\\", b"\\u0000",
    b"=", b": ", b" ", b"\t", b"-- ", b"-- Reboot --\n",
    b"-- Boot 0123456789abcdef0123456789abcdef --\n",
    b"-- Logs begin at Mon 2024-02-29 10:00:00 UTC, end at Thu 9999-12-31 00:00:00 UTC. --\n",
    b"Linux version ", b"kexec: loaded kdump kernel", b"kexec: loaded early-kdump kernel",
    b"Startup finished in ", b"System clock was stepped by ", b"Kdump already running: [WARNING]",
    b"Command line: crashkernel=", b"rd.earlykdump", b"kdumpctl", b"dracut-cmdline",
    b"__REALTIME_TIMESTAMP=", b"__MONOTONIC_TIMESTAMP=", b"_BOOT_ID=", b"MESSAGE\n",
    b"_SOURCE_MONOTONIC_TIMESTAMP=", b"SYSLOG_IDENTIFIER=", b'"_BOOT_ID":', b'"MESSAGE":',
    b'"__REALTIME_TIMESTAMP":"', b'"__MONOTONIC_TIMESTAMP":"', b"null", b"[1,2]", b"[]", b"{}",
    b"0", b"-1", b"00000000000000000000000000000000", b"18446744073709551615",
    b"99999999999999999999999999", b"9223372036854775807", b"1e309", b"NaN", b"-0",
    b"[  99999999999.999999] ", b"[    0.000000] ", b"99999999999.999999 ",
    b"9999-12-31T23:59:59.999999+14:00 ", b"0001-01-01T00:00:00Z ", b"Feb 29 23:59:59 ",
    b"Dec 31 23:59:60.999999 ", b"Sat 2024-02-31 25:61:61 CET ", b"<9999999.999999>",
    b"s=0;i=1;b=0123456789abcdef0123456789abcdef;m=ffffffffffffffff;t=ffffffffffffffff;x=0",
]
U64_VALUES = [0, 1, 7, 8, 63, 64, 0xFF, 0xFFFF, 0xFFFFFFFF, 1 << 32, 1 << 55, (1 << 55) - 1,
              1 << 62, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]


def _lines(data: bytearray) -> list[bytes]:
    return bytes(data).splitlines(keepends=True) or [bytes(data)]


class Mutator:
    def __init__(self, rng: random.Random, seeds: list[bytes], family: str) -> None:
        self.rng, self.seeds, self.family = rng, seeds, family
        self.ops: list[Callable[[bytearray], None]] = [
            self.flip, self.overwrite, self.insert, self.insert, self.delete, self.truncate,
            self.duplicate_line, self.swap_lines, self.huge_line, self.splice, self.dictionary,
            self.dictionary,
        ]
        if family == "journal":
            self.ops += [self.integer] * 6

    def pos(self, data: bytearray) -> int:
        rng = self.rng
        if self.family == "journal" and data:
            # The data hash table is mostly zeros: aim at the header, the field table and
            # the objects after the data table.
            table = int.from_bytes(data[104:112], "little") if len(data) >= 112 else 0
            size = int.from_bytes(data[112:120], "little") if len(data) >= 120 else 0
            if 0 < table < table + size < len(data) and rng.random() < 0.9:
                return rng.choice([rng.randrange(0, table), rng.randrange(table + size,
                                                                          len(data))])
        return rng.randrange(len(data) + 1)

    def junk(self) -> bytes:
        rng = self.rng
        kind = rng.randrange(4)
        n = rng.choice([1, 2, 3, 8, 16, 64, 300])
        if kind == 0:
            return rng.randbytes(n)
        if kind == 1:
            return b"\x00" * n
        if kind == 2:
            return bytes(rng.choice(b"\x80\xc0\xc3\xe0\xed\xf0\xf8\xfe\xff") for _ in range(n))
        return bytes(rng.choice(b"0123456789 .:-[]{}=\"\n") for _ in range(n))

    # Each operation edits `data` in place (a copy of a seed): a journal seed is ~4 MB.
    def flip(self, data: bytearray) -> None:
        for _ in range(self.rng.randint(1, 8) if data else 0):
            data[min(self.pos(data), len(data) - 1)] ^= 1 << self.rng.randrange(8)

    def overwrite(self, data: bytearray) -> None:
        at, junk = self.pos(data), self.junk()
        data[at:at + len(junk)] = junk

    def insert(self, data: bytearray) -> None:
        at = self.pos(data)
        data[at:at] = self.junk()

    def delete(self, data: bytearray) -> None:
        at = self.pos(data)
        del data[at:at + self.rng.choice([1, 2, 8, 64, 512, 4096])]

    def truncate(self, data: bytearray) -> None:
        del data[self.pos(data):]

    def duplicate_line(self, data: bytearray) -> None:
        lines = _lines(data)
        i = self.rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * self.rng.choice([1, 1, 2, 50])
        data[:] = b"".join(lines)

    def swap_lines(self, data: bytearray) -> None:
        lines = _lines(data)
        i, j = self.rng.randrange(len(lines)), self.rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        data[:] = b"".join(lines)

    def huge_line(self, data: bytearray) -> None:
        rng = self.rng
        n = (1 << 20) + rng.randrange(4096) if rng.random() < 0.02 else rng.randrange(1, 70_000)
        at = self.pos(data)
        data[at:at] = rng.choice([b"a", b" ", b"\x00", b"\xff", b"0", b"{"]) * n

    def splice(self, data: bytearray) -> None:
        other = self.rng.choice(self.seeds)
        data[self.pos(data):] = other[self.rng.randrange(len(other) + 1):]

    def dictionary(self, data: bytearray) -> None:
        at, word = self.pos(data), self.rng.choice(DICTIONARY)
        data[at:at + (len(word) if self.rng.random() < 0.5 else 0)] = word

    def integer(self, data: bytearray) -> None:
        """A little-endian integer over an aligned field: a size, offset, count, time."""
        rng = self.rng
        width = rng.choice([8, 8, 4, 1])
        at = self.pos(data) & ~(width - 1)
        value = rng.choice([*U64_VALUES, len(data), len(data) - 8, rng.randrange(len(data) + 1),
                            int.from_bytes(data[at:at + width], "little") + rng.choice([-1, 1])])
        data[at:at + width] = (value % (1 << 8 * width)).to_bytes(width, "little")

    def __call__(self) -> bytes:
        data = bytearray(self.rng.choice(self.seeds))
        for _ in range(self.rng.choice([1, 1, 1, 2, 2, 3, 4])):
            self.rng.choice(self.ops)(data)
        return bytes(data)


# --- running inputs ------------------------------------------------------------------------

def read_input(data: bytes, name: str) -> tuple[list[Record], SourceInfo]:
    """`read_bytes`, without copying a binary journal through an `InputStream` chunk by chunk.

    Such data always sniffs as a binary journal (it starts with the signature), and
    its reader then reads it whole: the same reader on the same bytes, ~10x faster
    for the ~4 MB seeds (mostly an empty hash table). Crashes are replayed with
    `read_bytes` itself.
    """
    if data.startswith(SIGNATURE):
        info = SourceInfo(name)
        return list(read_journal(data, ReadOptions(), info)), info
    return read_bytes(data, name)


def run_one(data: bytes, name: str = "input") -> None:
    """What the fuzzer checks: read_bytes + assemble; BootlagError is a fine answer."""
    try:
        records, info = read_bytes(data, name)
    except BootlagError:
        return
    assemble(records, {name: info})


def crash_key(exc: BaseException) -> str:
    """Where it crashed: the exception type, the innermost bootlag frame, the innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/bootlag/" in f.filename.replace(os.sep, "/")]

    def at(f: traceback.FrameSummary) -> str:
        return f"{Path(f.filename).name}:{f.lineno}:{f.name}"
    inner = at(frames[-1]) if frames else "?"
    return f"{type(exc).__name__} at {at(ours[-1]) if ours else '?'} (raised in {inner})"


def replay(data: bytes) -> BaseException | None:
    """The exception `run_one(data)` raises (None if none, or if it hangs)."""
    signal.setitimer(signal.ITIMER_REAL, SLOW_S)
    try:
        run_one(data)
    except Hang:
        return None
    except Exception as exc:
        return exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def _renamed(records: list[Record], i: int) -> list[Record]:
    """Records of input `i` with their boot keys made unique to it (hex ids stay hex)."""
    out = []
    for r in records:
        key = r.boot
        key = f"{i:08x}{key[8:]}" if re.fullmatch(r"[0-9a-f]{32}", key) else f"in{i}|{key}"
        out.append(r._replace(boot=key))
    return out


def minimise(data: bytes, key: str, budget_s: float = 20.0) -> bytes:
    """ddmin-style: drop chunks (halves, quarters, ... bytes) while the crash key stays."""
    deadline = time.monotonic() + budget_s

    def same(candidate: bytes) -> bool:
        exc = replay(candidate)
        return exc is not None and crash_key(exc) == key
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, shrunk = 0, False
        while i < len(data) and time.monotonic() < deadline:
            candidate = data[:i] + data[i + chunk:]
            if same(candidate):
                data, shrunk = candidate, True
            else:
                i += chunk
        if not shrunk:
            chunk //= 2
    return data


class Campaign:
    def __init__(self, family: str, seeds: list[bytes], seed: int, crashes: Path,
                 batch: int) -> None:
        self.family, self.crashes, self.batch = family, crashes / family, batch
        self.mutate = Mutator(random.Random(f"{seed}:{family}"), seeds, family)
        self.found: dict[str, int] = {}  # crash key -> inputs that hit it
        self.slow = 0
        self.hangs: dict[str, int] = {}  # where a slow input was interrupted -> inputs
        self.inputs = 0

    def crash(self, data: bytes, exc: BaseException) -> None:
        key = crash_key(exc)
        where = self._save(self.found, "", key, data, exc)
        if self.found[key] == 1:
            small = minimise(data, key)
            (where / "minimal.bin").write_bytes(small)
            print(f"  [{self.family}] new crash: {key} ({len(data)} -> {len(small)} bytes, "
                  f"{where})", flush=True)

    def hang(self, data: bytes, exc: Hang) -> None:
        """A slow input: where it was interrupted; saved, not minimised (too slow)."""
        key = crash_key(exc)
        self.slow += 1
        where = self._save(self.hangs, "hang-", key, data, exc)
        if self.hangs[key] == 1:
            print(f"  [{self.family}] new hang: {key} ({len(data)} bytes, {where})", flush=True)

    def _save(self, counts: dict[str, int], prefix: str, key: str, data: bytes,
              exc: BaseException) -> Path:
        """Count `key`, keep its first three inputs with their tracebacks; its folder."""
        counts[key] = counts.get(key, 0) + 1
        where = self.crashes / (prefix + hashlib.sha1(key.encode()).hexdigest()[:10])
        where.mkdir(parents=True, exist_ok=True)
        if counts[key] <= 3:
            n = counts[key]
            (where / f"input-{n}.bin").write_bytes(data)
            (where / f"input-{n}.txt").write_text(
                key + "\n\n" + "".join(traceback.format_exception(exc)))
        return where

    def run(self, inputs: int) -> dict:
        signal.signal(signal.SIGALRM, _alarm)
        start = time.monotonic()
        pending: list[tuple[bytes, list[Record], str, object]] = []
        for n in range(inputs):
            data = self.mutate()
            name = f"in{len(pending)}"
            signal.setitimer(signal.ITIMER_REAL, SLOW_S)
            try:
                records, info = read_input(data, name)
                pending.append((data, _renamed(records, len(pending)), name, info))
            except BootlagError:
                pass
            except Hang as exc:
                self.hang(data, exc)
            except Exception as exc:
                signal.setitimer(signal.ITIMER_REAL, 0)
                self.crash(data, exc)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if len(pending) >= self.batch or n == inputs - 1:
                self._assemble(pending)
                pending = []
        self.inputs = inputs
        elapsed = time.monotonic() - start
        return {"family": self.family, "inputs": inputs, "crashes": len(self.found),
                "crashing_inputs": sum(self.found.values()), "slow": self.slow,
                "seconds": elapsed, "per_s": inputs / elapsed, "keys": dict(self.found),
                "hangs": dict(self.hangs)}

    def _assemble(self, group: list[tuple[bytes, list[Record], str, object]]) -> None:
        """assemble() the records of `group` at once; bisect it when that raises."""
        if not group:
            return
        try:
            assemble([r for _, recs, _, _ in group for r in recs],
                     {name: info for _, _, name, info in group})
            return
        except Exception:
            pass
        if len(group) == 1:  # the culprit, replayed on its own as read_bytes + assemble
            exc = replay(group[0][0])
            if exc is not None:
                self.crash(group[0][0], exc)
            return
        half = len(group) // 2
        self._assemble(group[:half])
        self._assemble(group[half:])


def fuzz_family(args: tuple[str, int, int, str, str, int]) -> dict:
    family, inputs, seed, corpus, crashes, batch = args
    seeds = load_seeds(Path(corpus))[family]
    return Campaign(family, seeds, seed, Path(crashes), batch).run(inputs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=[*FAMILIES, "all"], default="all")
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs per family")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the run repeats)")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS),
                        help="where the seed renderings are cached (default: %(default)s)")
    parser.add_argument("--crashes", default=str(ROOT / "benchmarks" / "corpus" / "fuzz-crashes"),
                        help="where crashing inputs go (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=64,
                        help="inputs per assemble call (1: one call per input)")
    parser.add_argument("--jobs", type=int, default=1, help="families fuzzed in parallel")
    args = parser.parse_args(argv)
    families = list(FAMILIES) if args.family == "all" else [args.family]
    load_seeds(Path(args.corpus))  # made once, before any worker starts
    tasks = [(f, args.inputs, args.seed, args.corpus, args.crashes, args.batch)
             for f in families]
    if args.jobs > 1:
        with ProcessPoolExecutor(min(args.jobs, len(tasks))) as pool:
            results = list(pool.map(fuzz_family, tasks))
    else:
        results = [fuzz_family(t) for t in tasks]
    print(f"\n{'family':<9}{'inputs':>9}{'crashes':>9}{'crashing':>10}{'hangs':>6}"
          f"{'inputs/s':>10}{'seconds':>9}")
    for r in results:
        print(f"{r['family']:<9}{r['inputs']:>9}{r['crashes']:>9}{r['crashing_inputs']:>10}"
              f"{r['slow']:>6}{r['per_s']:>10.0f}{r['seconds']:>9.0f}")
    for r in results:
        for key, count in r["keys"].items():
            print(f"  {r['family']}: {count} inputs: {key}")
        for key, count in r["hangs"].items():
            print(f"  {r['family']}: {count} inputs hang (> {SLOW_S} s): {key}")
    return 1 if any(r["crashes"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
