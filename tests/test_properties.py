"""Property-based tests (hypothesis): damage never crashes, quiet damage changes nothing.

Every input starts as real ``journalctl`` output (or a real ``.journal`` file)
of a few `bootlag.synth` boots, made once per module. Three properties:

* any bytes, and valid input with bytes overwritten, inserted, deleted or cut
  off, are read by `read_bytes` + `assemble` raising nothing but `BootlagError`;
* damage to entries no rule cares about ("quiet" lines: sshd, auditd, ...; never
  a boot's first or last entry) leaves every boot's status and gap as it was;
* the order in which files are given to `bootlag.scan` changes nothing.

The regression cases at the end are inputs ``tools/fuzz.py`` found, minimised.
"""

from __future__ import annotations

import random
import re
import signal
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bootlag
from bootlag import BootlagError, synth
from bootlag.boots import assemble
from bootlag.formats import FAMILY_OF, read_bytes, sniff

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MANY = settings(SETTINGS, max_examples=100)  # cheap: most such data is refused at once
FEW = settings(SETTINGS, max_examples=20)
SCAN = {"year": 2025, "tz": "UTC"}
START = 1_741_000_000 * synth.SEC
# host: distro and the (mode, outcome) of its boots (armed or failed: a gap or status to keep)
PLANS = {
    "web-01": ("rhel9", [("kdump", "failed"), ("early-kdump", "armed"), ("kdump", "armed")]),
    "app-01": ("ubuntu", [("kdump", "armed"), ("kdump", "failed")]),
    "cache-01": ("suse", [("kdump", "armed")]),
    "db-01": ("rhel8", [("early-kdump", "armed"), ("kdump", "armed")]),
    "lab-01": ("rhel7", [("kdump", "armed")]),
}
HOST = "web-01"
TEXT_FORMATS = ("short-monotonic", "short-precise", "short-iso-precise")
FAMILIES = {"text": TEXT_FORMATS, "json": ("json", "json-pretty"), "export": ("export",),
            "verbose": ("verbose",), "journal": ("journal",)}
QUIET_IDENTS = {"sshd", "auditd", "systemd-logind", "rsyslogd", "NetworkManager"}
_VERBOSE_HEAD = (b"Mon 2025-03-03 08:00:00.000000 UTC [s=0123456789abcdef0123456789abcdef;i=1"
                 b";b=0123456789abcdef0123456789abcdef;m=0;t=0;x=0]\n")


# --- the corpus: rendered once per module through the real tools ----------------------------

def _trimmed(path: str) -> bytes:
    """A journal cut to the objects it holds, its header's arena size set to match."""
    data = bytearray(Path(path).read_bytes())
    header_size, = struct.unpack_from("<Q", data, 88)
    tail, = struct.unpack_from("<Q", data, 136)
    end = (tail + struct.unpack_from("<Q", data, tail + 8)[0] + 7) & ~7
    struct.pack_into("<Q", data, 96, end - header_size)
    return bytes(data[:end])


class Corpus:
    def __init__(self, root: Path) -> None:
        rng = random.Random(20250303)
        self.root = root
        self.boots: dict[str, list[synth.Boot]] = {}
        self.journals: dict[str, str] = {}
        for n, (host, (distro, plan)) in enumerate(PLANS.items()):
            self.boots[host] = [
                synth.make_boot(rng, host, START + (n * 3_600 + i * 3 * 86_400) * synth.SEC,
                                distro=distro, mode=mode, outcome=outcome, filler=10)
                for i, (mode, outcome) in enumerate(plan)]
            self.journals[host] = synth.write_journal(synth.to_export(self.boots[host]),
                                                      str(root / f"{host}.journal"))
        self._rendered: dict[tuple[str, str], bytes] = {}

    def rendered(self, fmt: str, host: str = HOST) -> bytes:
        if (host, fmt) not in self._rendered:
            self._rendered[host, fmt] = (_trimmed(self.journals[host]) if fmt == "journal"
                                         else synth.render(self.journals[host], fmt, "UTC"))
        return self._rendered[host, fmt]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("properties"))


def read(data: bytes) -> pd.DataFrame | None:
    """read_bytes + assemble; None when the data is refused (the one allowed exception)."""
    try:
        records, info = read_bytes(data, "input", bootlag.formats.ReadOptions(year=2025))
    except BootlagError:
        return None
    return assemble(records, {"input": info})


def outcome(frame: pd.DataFrame | None) -> list[tuple]:
    """(status, gap_s) of every boot in the order its first entry comes in the input."""
    assert frame is not None
    rows = frame.sort_values("first_line", kind="stable")
    return [(s, None if pd.isna(g) else round(g, 6)) for s, g in zip(rows.status, rows.gap_s,
                                                                     strict=True)]


# --- 1. nothing but BootlagError ----------------------------------------------------------------

def _prefix(corpus: Corpus, family: str) -> bytes:
    """Bytes that make the sniffer pick `family`'s reader."""
    return {"text": b"[    0.000000] kernel: Linux version 6.1\n", "json": b'{"',
            "export": b"__CURSOR=s\n", "verbose": _VERBOSE_HEAD,
            "journal": corpus.rendered("journal")[:272]}[family]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_prefix_is_read_by_its_family(corpus, family):
    """The prefixes below reach their family's reader (a refused prefix tests nothing)."""
    name = sniff(_prefix(corpus, family))
    assert name in FAMILY_OF and FAMILY_OF[name].name == family, name


@pytest.mark.parametrize("family", [*FAMILIES, "none"])
@MANY
@given(junk=st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_bootlag_error(corpus, family, junk):
    read((b"" if family == "none" else _prefix(corpus, family)) + junk)


def _spots(data: bytes, fmt: str) -> list[tuple[int, int]]:
    """Where damage is worth putting: all of it, but a journal's (zero) data hash table."""
    if fmt != "journal":
        return [(0, len(data) + 1)]
    table, size = struct.unpack_from("<QQ", data, 104)
    return [(0, table), (table + size, len(data) + 1)]


def _at(spots: list[tuple[int, int]], n: int) -> int:
    lo, hi = spots[n % len(spots)]
    return lo + n // len(spots) % (hi - lo)


EDITS = st.lists(st.tuples(st.sampled_from(["overwrite", "insert", "delete", "truncate",
                                            "integer"]),
                           st.integers(0, 1 << 32), st.binary(min_size=1, max_size=64)),
                 min_size=1, max_size=4)


def damage(data: bytes, fmt: str, edits: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, payload in edits:
        at = _at(_spots(bytes(out), fmt), where) if len(out) >= 120 else where % (len(out) + 1)
        if kind == "overwrite":
            out[at:at + len(payload)] = payload
        elif kind == "insert":
            out[at:at] = payload
        elif kind == "delete":
            del out[at:at + len(payload) * 8]
        elif kind == "truncate":
            del out[at:]
        else:  # an aligned little-endian integer: a size, an offset, a time
            at &= ~7
            out[at:at + 8] = int.from_bytes(payload[:8].ljust(8, b"\0"), "little").to_bytes(
                8, "little")
    return bytes(out)


@pytest.mark.parametrize("fmt", [f for fmts in FAMILIES.values() for f in fmts])
@SETTINGS
@given(edits=EDITS)
def test_damaged_input_raises_only_bootlag_error(corpus, fmt, edits):
    read(damage(corpus.rendered(fmt), fmt, edits))


# --- 2. quiet damage changes nothing ----------------------------------------------------------

def entry_spans(data: bytes, fmt: str) -> list[tuple[int, int]]:
    """(start, end) byte offsets of every entry of a rendering, in order."""
    if fmt == "export":
        starts = [0, *(m.end() for m in re.finditer(rb"\n\n", data))][:-1]
    elif fmt == "json-pretty":
        starts = [m.start() for m in re.finditer(rb"^\{$", data, re.M)]
    else:
        starts, pos = [], 0
        for line in data.split(b"\n")[:-1]:
            if line and not line.startswith((b" ", b"-- ")):
                starts.append(pos)
            pos += len(line) + 1
    return list(zip(starts, [*starts[1:], len(data)], strict=True))


def quiet_entries(corpus: Corpus, host: str = HOST) -> list[int]:
    """Indexes (in the rendering) of entries no rule cares about, never a boot's first or last."""
    quiet, before = [], 0
    for boot in corpus.boots[host]:
        quiet += [before + k for k, e in enumerate(boot.entries[1:-1], 1)
                  if e.fields["SYSLOG_IDENTIFIER"] in QUIET_IDENTS]
        before += len(boot.entries)
    return quiet


_MESSAGE = {"json": rb'"MESSAGE":"', "json-pretty": rb'"MESSAGE" : "', "export": b"\nMESSAGE=",
            "verbose": b"\n    MESSAGE="}
TEXT = st.binary(max_size=80).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" "))
QUIET_EDITS = st.lists(st.tuples(st.sampled_from(["message", "delete", "junk", "duplicate"]),
                                 st.integers(0, 1 << 16), TEXT), min_size=1, max_size=4)


def quiet_damage(data: bytes, fmt: str, quiet: list[int],
                 edits: list[tuple[str, int, bytes]]) -> bytes:
    """Each edit on one quiet entry: its message replaced, the entry deleted or doubled, or a
    junk line put before it. Edits go from the last entry to the first, so spans stay right."""
    spans = entry_spans(data, fmt)
    chosen = sorted({quiet[n % len(quiet)]: (kind, text) for kind, n, text in edits}.items(),
                    reverse=True)
    for index, (kind, text) in chosen:
        start, end = spans[index]
        entry = data[start:end]
        if kind == "message":
            mark = _MESSAGE.get(fmt, b"]: ")
            at = entry.index(mark) + len(mark)
            stop = entry.index(b'"', at) if fmt.startswith("json") else entry.index(b"\n", at)
            entry = entry[:at] + text + entry[stop:]
        elif kind == "delete":
            entry = b""
        elif kind == "duplicate":
            entry *= 2
        else:
            entry = text + b"\n" + entry
        data = data[:start] + entry + data[end:]
    return data


@pytest.mark.parametrize("fmt", [*TEXT_FORMATS, "json", "json-pretty", "export", "verbose"])
@SETTINGS
@given(edits=QUIET_EDITS)
def test_quiet_damage_keeps_every_gap_and_status(corpus, fmt, edits):
    data = corpus.rendered(fmt)
    damaged = quiet_damage(data, fmt, quiet_entries(corpus), edits)
    assert outcome(read(damaged)) == outcome(read(data))


def quiet_payloads(data: bytes, corpus: Corpus) -> list[tuple[int, int]]:
    """(offset, length) of the text of every quiet MESSAGE DATA object of a journal file."""
    texts = {e.fields["MESSAGE"].encode() for b in corpus.boots[HOST] for e in b.entries[1:-1]
             if e.fields["SYSLOG_IDENTIFIER"] in QUIET_IDENTS}
    found = []
    for text in sorted(texts):
        for m in re.finditer(re.escape(b"MESSAGE=" + text), data):
            found.append((m.start() + len(b"MESSAGE="), len(text)))
    assert found
    return found


@SETTINGS
@given(edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.binary(min_size=1, max_size=80)),
                      min_size=1, max_size=4))
def test_quiet_damage_in_a_journal_file_keeps_every_gap_and_status(corpus, edits):
    """Quiet messages overwritten in place (the entries sharing them are all quiet)."""
    data = corpus.rendered("journal")
    spots = quiet_payloads(data, corpus)
    out = bytearray(data)
    for n, text in edits:
        at, size = spots[n % len(spots)]
        out[at:at + size] = text[:size].ljust(size, b" ")
    assert outcome(read(bytes(out))) == outcome(read(data))


# --- 3. the order of the files changes nothing ----------------------------------------------

@pytest.fixture(scope="module")
def fleet_files(corpus, tmp_path_factory) -> list[str]:
    """Each host in another format; web-01 twice (json and export: the same boots)."""
    root = tmp_path_factory.mktemp("fleet")
    plan = [("web-01", "json"), ("web-01", "export"), ("app-01", "short-monotonic"),
            ("cache-01", "verbose"), ("db-01", "journal"), ("lab-01", "short-precise")]
    paths = []
    for host, fmt in plan:
        path = root / f"{host}.{fmt}"
        path.write_bytes(corpus.rendered(fmt, host))
        paths.append(str(path))
    return paths


def canonical(frame: pd.DataFrame) -> str:
    keys = ["host", "boot_id", "kernel_start", "first_line", "source"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True).to_csv()


@FEW
@given(order=st.randoms(use_true_random=False))
def test_file_order_changes_nothing(fleet_files, order):
    shuffled = list(fleet_files)
    order.shuffle(shuffled)
    assert canonical(bootlag.scan(shuffled, errors="raise", **SCAN)) == canonical(
        bootlag.scan(sorted(fleet_files), errors="raise", **SCAN))


# --- regressions: inputs tools/fuzz.py found (minimised) ------------------------------------

def _timed(fn: Callable[[], object], seconds: float) -> float:
    """Run `fn`, failing (not hanging) if it takes longer than `seconds`."""
    def alarm(signum, frame):  # type: ignore[no-untyped-def]
        raise TimeoutError(f"still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return time.monotonic() - start


# Found by tools/fuzz.py before commit 19017fb, which fixed them: they stay as regressions.
CRASHES: dict[str, bytes] = {
    # text: a boot whose first line has only monotonic time, armed by a wall-clock line
    "text-realtime-gap-without-first-real": (
        b"[0.000000] l:\n2025-03-22T21:20:02.7+00 kdump: kexec: loaded early-kdump kernel"),
    # json: a wall-clock time beyond what a pandas Timestamp holds
    "json-realtime-out-of-bounds": (
        b'{"_BOOT_ID":"b","__REALTIME_TIMESTAMP":"12361742678435018402"}'),
    # verbose: a cursor whose t= is a hex number of 3600+ digits
    "verbose-huge-cursor-time": (
        b"C [s=952a4bc4f3bd4f41875c0a861c1daced;i=1;b=952a4bc4f3bd4f41875c0a861c1daced;m=1;t=6"
        + b"0" * 3600 + b"]"),
}


@pytest.mark.parametrize("data", list(CRASHES.values()), ids=list(CRASHES))
def test_fuzz_crash(data):
    frame = read(data)
    assert frame is not None and len(frame) == 1  # read, not refused by the sniffer


@pytest.mark.parametrize("fmt", ["short-monotonic", "json"])
def test_fuzz_hang_long_number_in_startup_finished(corpus, fmt):
    """A 'Startup finished in 000… ' message of 40,000 digits is read in well under 2 s.

    Found by tools/fuzz.py: events._TIMESPAN backtracks from every digit of a number
    not followed by a unit, so parse_timespan is quadratic (40,000 digits: ~75 s).
    """
    data = corpus.rendered(fmt)
    mark = b"Startup finished in "
    at = data.index(mark) + len(mark)
    _timed(lambda: read(data[:at] + b"0" * 40_000 + b" " + data[at:]), 2.0)
