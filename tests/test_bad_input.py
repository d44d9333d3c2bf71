"""Damaged input: a warning naming file and line, never a lost good boot.

Every input starts as real ``journalctl -o FORMAT`` output of a few synthetic
boots (see `bootlag.synth`) and is then damaged the way collected logs get
damaged: junk lines, a broken JSON line or export entry, a cut-off end,
latin-1 bytes, CRLF line endings, empty and foreign files, compression. The
boots scanned from the damaged file are compared with the boots scanned from
the clean file.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import math
import random
import re
import struct
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import bootlag
from bootlag import synth

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

FORMATS = ("short-precise", "short-monotonic", "json", "export", "verbose")
SCAN = {"year": 2025, "tz": "UTC"}  # fixed, so the file's mtime never matters
START = "2025-03-03T08:00:00"
HOST = "web-01"  # the host most tests damage
# host: distro and the (mode, outcome) of its three boots
PLANS = {
    "web-01": ("rhel9", [("kdump", "failed"), ("early-kdump", "armed"), ("kdump", "armed")]),
    "db-01": ("rhel8", [("early-kdump", "armed"), ("kdump", "armed"), ("kdump", "armed")]),
    "app-01": ("ubuntu", [("kdump", "armed"), ("kdump", "failed"), ("kdump", "armed")]),
    "cache-01": ("suse", [("kdump", "armed"), ("kdump", "armed"), ("none", "armed")]),
    "lab-01": ("rhel7", [("kdump", "armed"), ("kdump", "armed"), ("kdump", "armed")]),
}
# identifiers of lines no rule cares about: safe places to put damage
QUIET_IDENTS = {"sshd", "auditd", "systemd-logind", "rsyslogd", "NetworkManager"}
JUNK_TEXT = b"lorem ipsum dolor sit amet, consectetur adipiscing elit 42"
JUNK_BINARY = b"\x00\x00\x7fELF\x02\x01\x01\x00\xff\xfe\x00\x10\x1b[0m junk \x00\xc3\x28"
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress, "xz": lzma.compress, "bz2": bz2.compress,
}


# --- the corpus: a small fleet rendered once per module -------------------------------------

class Corpus:
    """Three boots per host, each host in its own real journal; renderings and clean scans."""

    def __init__(self, root: Path) -> None:
        self.root = root
        rng = random.Random(20250303)
        t0 = int(pd.Timestamp(START, tz="UTC").timestamp()) * synth.SEC
        self.boots: dict[str, list[synth.Boot]] = {}
        self.journals: dict[str, str] = {}
        for n, (host, (distro, plan)) in enumerate(PLANS.items()):
            start = t0 + n * 3_600 * synth.SEC
            boots = []
            for i, (mode, outcome) in enumerate(plan):
                boots.append(synth.make_boot(rng, host, start + i * 3 * 86_400 * synth.SEC,
                                             distro=distro, mode=mode, outcome=outcome,
                                             filler=12))
            self.boots[host] = boots
            self.journals[host] = synth.write_journal(synth.to_export(boots),
                                                      str(root / f"{host}.journal"))
        self._rendered: dict[tuple[str, str], bytes] = {}
        self._clean: dict[tuple[str, str], list[tuple]] = {}

    def rendered(self, fmt: str, host: str = HOST) -> bytes:
        """The real ``journalctl -o fmt`` output of the host's boots."""
        key = (host, fmt)
        if key not in self._rendered:
            self._rendered[key] = synth.render(self.journals[host], fmt, "UTC")
        return self._rendered[key]

    def clean(self, fmt: str, host: str = HOST) -> list[tuple]:
        """`summary` of scanning the undamaged rendering (errors="raise": it must be clean)."""
        key = (host, fmt)
        if key not in self._clean:
            path = self.root / f"clean-{host}.{fmt}"
            path.write_bytes(self.rendered(fmt, host))
            self._clean[key] = summary(bootlag.scan(path, errors="raise", **SCAN))
            assert_truth(self._clean[key], self.boots[host], fmt)
        return self._clean[key]


def assert_truth(rows: list[tuple], boots: list[synth.Boot], fmt: str) -> None:
    """A clean scan (`summary` rows, in time order) says what the generator made: each boot's
    id (text names its first boot only by a later separator), host, status, mode and kernel;
    the gap exact where the format has the monotonic clock, else a lower bound."""
    assert len(rows) == len(boots), fmt
    exact = fmt != "short-precise"
    text = fmt.startswith("short")
    for i, ((boot_id, host, status, mode, clock, gap, kernel), boot) in enumerate(
            zip(rows, boots, strict=True)):
        assert boot_id in (boot.boot_id, None if i == 0 and text else boot.boot_id), fmt
        assert (host, status, mode) == (boot.host, boot.status, boot.mode), fmt
        assert kernel == synth.DISTROS[boot.distro][0], fmt
        assert clock == ("monotonic" if exact else "realtime"), fmt
        if boot.gap_s is None:
            assert gap is None, fmt
        elif exact:
            assert gap == pytest.approx(boot.gap_s, abs=1e-6), fmt
        else:  # systemd's "Startup finished" dates kernel start: an estimate within
            # a digit of its total, the line's log delay and the stamps' resolution
            bound = 1e-3 + bootlag.clock.STARTUP_LOG_DELAY_US / 1e6 + 1e-6
            assert gap is not None and abs(gap - boot.gap_s) <= bound + 1e-9, fmt


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("bad-input"))


# --- helpers ---------------------------------------------------------------------------------

def _value(x: object) -> object:
    """A cell as a plain comparable value: <NA>/NaN -> None, floats to the microsecond."""
    if x is pd.NA or x is None:
        return None
    if isinstance(x, float):
        return None if math.isnan(x) else round(x, 6)
    return x


def summary(frame: pd.DataFrame) -> list[tuple]:
    """What must survive damage, per boot in time order.

    Id, host, status, mode, clock and gap, and the kernel release, which comes
    from the boot's first entry (damage must not eat the entry after it).
    """
    rows = frame.sort_values("kernel_start", na_position="last", kind="stable")
    cols = ["boot_id", "host", "status", "mode", "clock", "gap_s", "kernel"]
    return [tuple(_value(v) for v in row) for row in rows[cols].itertuples(index=False)]


def entry_offsets(data: bytes, fmt: str) -> list[int]:
    """Byte offsets where the entries of a rendering begin."""
    if fmt == "export":  # entries end with an empty line
        ends = [m.end() for m in re.finditer(rb"\n\n", data)]
        return [0, *ends[:-1]]
    offsets, pos = [], 0
    for line in data.split(b"\n")[:-1]:
        if line and not line.startswith((b" ", b"-- ")):
            offsets.append(pos)
        pos += len(line) + 1
    return offsets


def line_at(data: bytes, offset: int) -> int:
    """1-based line number of the byte at `offset`."""
    return data.count(b"\n", 0, offset) + 1


def quiet_entry(corpus: Corpus, boot_no: int, host: str = HOST) -> int:
    """Index (in the whole rendering) of an unimportant entry in the middle of a boot."""
    boots = corpus.boots[host]
    before = sum(len(b.entries) for b in boots[:boot_no])
    entries = boots[boot_no].entries
    for k in range(len(entries) // 2, len(entries)):
        if entries[k].fields["SYSLOG_IDENTIFIER"] in QUIET_IDENTS:
            return before + k
    raise AssertionError("no quiet entry in the second half of the boot")


def insert_before_entry(data: bytes, fmt: str, index: int, line: bytes) -> tuple[bytes, int]:
    """`line` inserted before entry `index`; returns the data and the new line's number."""
    offset = entry_offsets(data, fmt)[index]
    return data[:offset] + line + b"\n" + data[offset:], line_at(data, offset)


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def where(path: Path, line: int | None = None) -> str:
    """Regex for a warning or error naming `path` (and the single `line`)."""
    pattern = re.escape(str(path))
    return pattern + (rf": line {line}:" if line is not None else "")


def scan_warns(path: Path, line: int | None, expect: list[tuple] | None) -> pd.DataFrame:
    """Scan expecting a `BootlagWarning` naming `path` (and `line`); every one names the file.

    `expect` is the `summary` the boots must still have. It is checked first, as
    a lost or changed boot is worse than a missing warning.
    """
    with pytest.warns(bootlag.BootlagWarning, match=where(path, line)) as record:
        frame = bootlag.scan(path, **SCAN)
        if expect is not None:
            assert summary(frame) == expect
    for w in record:
        if issubclass(w.category, bootlag.BootlagWarning):
            assert str(path) in str(w.message), str(w.message)
    return frame


def scan_quietly(path: Path, errors: str = "warn") -> tuple[pd.DataFrame, list[str]]:
    """Scan and return the BootlagWarning messages it gave."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        frame = bootlag.scan(path, errors=errors, **SCAN)  # type: ignore[arg-type]
    return frame, [str(w.message) for w in record
                   if issubclass(w.category, bootlag.BootlagWarning)]


# --- the corpus itself ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_clean_renderings_match_truth(corpus, fmt):
    data = corpus.rendered(fmt)
    boots = corpus.boots[HOST]
    assert len(entry_offsets(data, fmt)) == sum(len(b.entries) for b in boots)
    clean = corpus.clean(fmt)
    assert [row[2] for row in clean] == [b.status for b in boots]
    assert [row[3] for row in clean] == [b.mode for b in boots]
    if fmt != "short-precise":  # the others carry the monotonic clock: exact gaps
        assert [row[5] for row in clean] == [
            round(b.gap_s, 6) if b.gap_s is not None else None for b in boots]
    assert {"armed", "failed"} <= {row[2] for row in clean}
    assert all(row[6] == synth.DISTROS["rhel9"][0] for row in clean)


# --- junk lines in the middle ----------------------------------------------------------------

@pytest.mark.parametrize("junk", [JUNK_TEXT, JUNK_BINARY], ids=["text", "binary"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_junk_line_in_the_middle(corpus, fmt, junk, tmp_path):
    data, line = insert_before_entry(corpus.rendered(fmt), fmt, quiet_entry(corpus, 1), junk)
    path = write(tmp_path, f"{HOST}.{fmt}", data)
    scan_warns(path, line, expect=corpus.clean(fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_junk_lines_are_listed_in_one_warning(corpus, fmt, tmp_path):
    data = corpus.rendered(fmt)
    lines = []
    for boot_no in (2, 1, 0):  # from the end, so earlier offsets stay valid
        data, line = insert_before_entry(data, fmt, quiet_entry(corpus, boot_no), JUNK_TEXT)
        lines = [line] + [n + 1 for n in lines]
    path = write(tmp_path, f"{HOST}.{fmt}", data)
    with pytest.warns(bootlag.BootlagWarning,
                      match=re.escape(f"{path}: lines {', '.join(map(str, lines))}:")):
        frame = bootlag.scan(path, **SCAN)
    assert summary(frame) == corpus.clean(fmt)


def test_many_junk_lines_are_summarised(corpus, tmp_path):
    fmt = "short-monotonic"
    data = corpus.rendered(fmt)
    offset = entry_offsets(data, fmt)[quiet_entry(corpus, 1)]
    first = line_at(data, offset)
    path = write(tmp_path, f"{HOST}.{fmt}", data[:offset] + (JUNK_TEXT + b"\n") * 8
                 + data[offset:])
    shown = ", ".join(str(first + k) for k in range(5))
    with pytest.warns(bootlag.BootlagWarning,
                      match=re.escape(f"{path}: lines {shown} and 3 more:")):
        frame = bootlag.scan(path, **SCAN)
    assert summary(frame) == corpus.clean(fmt)


@pytest.mark.parametrize("bad", [
    b'{"MESSAGE":"an object cut in the mid',
    b"[1, 2, 3]",
    b'"just a string"',
    b'{"hello": "a JSON object, but not a journal entry"}',
], ids=["not-json", "array", "string", "not-an-entry"])
@pytest.mark.parametrize("at", ["middle", "end"])
def test_json_line_that_is_not_a_journal_entry(corpus, bad, at, tmp_path):
    data = corpus.rendered("json")
    if at == "middle":
        data, line = insert_before_entry(data, "json", quiet_entry(corpus, 1), bad)
    else:
        data, line = data + bad + b"\n", line_at(data, len(data))
    path = write(tmp_path, f"{HOST}.json", data)
    scan_warns(path, line, expect=corpus.clean("json"))


# --- a damaged export entry ----------------------------------------------------------------

def _binary_field(data: bytes, boot_no: int, corpus: Corpus) -> tuple[int, int, int]:
    """(entry start line, offset of the le64 size, size) of the binary MESSAGE closing a boot."""
    boots = corpus.boots[HOST]
    index = sum(len(b.entries) for b in boots[: boot_no + 1]) - 1  # the boot's last entry
    start = entry_offsets(data, "export")[index]
    offset = data.index(b"\nMESSAGE\n", start) + len(b"\nMESSAGE\n")
    (size,) = struct.unpack("<Q", data[offset:offset + 8])
    assert b"Multi-line status" in data[offset + 8:offset + 8 + size]
    return line_at(data, start), offset, size


@pytest.mark.parametrize("delta", [-7, 40, 1 << 20, 1 << 62],
                         ids=["short", "long", "1MiB", "absurd"])
def test_export_entry_with_bad_binary_length(corpus, delta, tmp_path):
    data = corpus.rendered("export")
    line, offset, size = _binary_field(data, 0, corpus)
    bad = struct.pack("<Q", size + delta)
    path = write(tmp_path, f"{HOST}.export", data[:offset] + bad + data[offset + 8:])
    scan_warns(path, line, expect=corpus.clean("export"))


def test_export_entry_with_a_line_that_is_no_field(corpus, tmp_path):
    data = corpus.rendered("export")
    start = entry_offsets(data, "export")[quiet_entry(corpus, 1)]
    field = data.index(b"\nMESSAGE=", start) + 1
    path = write(tmp_path, f"{HOST}.export", data[:field] + b"not a field\n" + data[field:])
    scan_warns(path, line_at(data, start), expect=corpus.clean("export"))


# --- a cut-off end -----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_last_line_cut_in_the_middle(corpus, fmt, tmp_path):
    """The file ends half-way through the line that begins the last entry."""
    data = corpus.rendered(fmt)
    start = entry_offsets(data, fmt)[-1]
    end = data.index(b"\n", start)
    path = write(tmp_path, f"{HOST}.{fmt}", data[: (start + end) // 2])
    scan_warns(path, line_at(data, start), expect=corpus.clean(fmt))


@pytest.mark.parametrize("where_", ["text-field", "binary-field"])
def test_last_export_entry_cut_in_the_middle(corpus, where_, tmp_path):
    data = corpus.rendered("export")
    start = entry_offsets(data, "export")[-1]
    if where_ == "text-field":
        cut = data.index(b"\n_HOSTNAME=", start) + len(b"\n_HOSTNAME=web")
    else:
        cut = data.index(b"line two", start)
    path = write(tmp_path, f"{HOST}.export", data[:cut])
    scan_warns(path, line_at(data, start), expect=corpus.clean("export"))


# --- encodings and line endings -----------------------------------------------------------

_MESSAGE_MARK = {"short-precise": b"]: ", "short-monotonic": b"]: ", "json": b'"MESSAGE":"',
                 "export": b"\nMESSAGE=", "verbose": b"\n    MESSAGE="}


def _latin1(corpus: Corpus, fmt: str) -> tuple[bytes, int, int]:
    """Latin-1 bytes in a quiet message; returns the data, entry line and message line."""
    data = corpus.rendered(fmt)
    start = entry_offsets(data, fmt)[quiet_entry(corpus, 1)]
    mark = _MESSAGE_MARK[fmt]
    at = data.index(mark, start) + len(mark)
    damaged = data[:at] + "Température élevée, café ".encode("latin-1") + data[at:]
    return damaged, line_at(data, start), line_at(data, at)


@pytest.mark.parametrize("fmt", FORMATS)
def test_latin1_in_a_message_keeps_every_boot(corpus, fmt, tmp_path):
    data, _, _ = _latin1(corpus, fmt)
    path = write(tmp_path, f"{HOST}.{fmt}", data)
    frame, messages = scan_quietly(path)
    assert summary(frame) == corpus.clean(fmt)
    assert all(str(path) in m for m in messages)


@pytest.mark.parametrize("fmt", FORMATS)
def test_latin1_in_a_message_is_reported(corpus, fmt, tmp_path):
    data, entry_line, message_line = _latin1(corpus, fmt)
    path = write(tmp_path, f"{HOST}.{fmt}", data)
    with pytest.warns(bootlag.BootlagWarning,
                      match=rf"{re.escape(str(path))}: line ({entry_line}|{message_line}):"):
        bootlag.scan(path, **SCAN)


@pytest.mark.parametrize("fmt", FORMATS)
def test_crlf_line_endings(corpus, fmt, tmp_path):
    path = write(tmp_path, f"{HOST}.{fmt}", corpus.rendered(fmt).replace(b"\n", b"\r\n"))
    frame, messages = scan_quietly(path)
    assert summary(frame) == corpus.clean(fmt)
    assert all(re.search(where(path) + r": lines? \d", m) for m in messages), messages


# --- files that hold no journal at all ------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"\n\n  \n"], ids=["zero-bytes", "blank-lines"])
def test_empty_file(data, tmp_path):
    path = write(tmp_path, "empty.log", data)
    with pytest.warns(bootlag.BootlagWarning, match=where(path) + ": empty file"):
        frame = bootlag.scan(path, **SCAN)
    assert frame.empty
    assert list(frame.columns) == list(bootlag.COLUMNS)
    with pytest.raises(bootlag.BootlagError, match=where(path)):
        bootlag.scan(path, errors="raise", **SCAN)


def _mixed_directory(corpus: Corpus, root: Path) -> tuple[dict[str, str], list[Path]]:
    """Each host's boots in another format, plus files that are no journal at all."""
    good = dict(zip(PLANS, FORMATS, strict=True))  # host -> format
    root.mkdir()
    for host, fmt in good.items():
        write(root, f"{host}.{fmt}", corpus.rendered(fmt, host))
    rng = random.Random(5)
    bad = [write(root, "empty.log", b""),
           write(root, "core.bin", b"\x7fELF\x02\x01\x01" + bytes(64) + rng.randbytes(2048)),
           write(root, f"{HOST}.cat", corpus.rendered("cat"))]
    return good, bad


def test_directory_of_mixed_formats(corpus, tmp_path):
    good, bad = _mixed_directory(corpus, tmp_path / "collected")
    frame, messages = scan_quietly(tmp_path / "collected")
    assert sorted(frame.host.unique()) == sorted(good)
    for host, fmt in good.items():
        assert summary(frame[frame.host == host]) == corpus.clean(fmt, host), (host, fmt)
    for path in bad:  # each refused file named in its own warning
        assert sum(str(path) in m for m in messages) == 1, (path, messages)
    assert len(messages) == len(bad)
    assert any("journalctl -o cat" in m for m in messages)


def test_directory_of_mixed_formats_errors_ignore(corpus, tmp_path):
    good, _ = _mixed_directory(corpus, tmp_path / "collected")
    frame, messages = scan_quietly(tmp_path / "collected", errors="ignore")
    assert messages == []
    assert len(frame) == sum(len(corpus.boots[h]) for h in good)


def test_directory_of_mixed_formats_errors_raise(corpus, tmp_path):
    _, bad = _mixed_directory(corpus, tmp_path / "collected")
    first_bad = min(bad, key=lambda p: p.name)  # files are read in sorted order
    with pytest.raises(bootlag.BootlagError, match=where(first_bad)):
        bootlag.scan(tmp_path / "collected", errors="raise", **SCAN)


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(bootlag.BootlagError, match=re.escape(str(tmp_path / "nope"))):
        bootlag.scan(tmp_path / "nope" / "*.json", **SCAN)


# --- compression ---------------------------------------------------------------------------

def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["source", "armed_line"])


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_compressed_copy_gives_the_same_boots(corpus, fmt, kind, tmp_path):
    data = corpus.rendered(fmt)
    plain = bootlag.scan(write(tmp_path, f"{HOST}.{fmt}", data), errors="raise", **SCAN)
    packed_path = write(tmp_path, f"{HOST}.{fmt}.{kind}", COMPRESSORS[kind](data))
    packed = bootlag.scan(packed_path, errors="raise", **SCAN)
    pd.testing.assert_frame_equal(_comparable(packed), _comparable(plain))
    assert set(packed.source) == {str(packed_path)}
    assert summary(packed) == corpus.clean(fmt)


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
@pytest.mark.parametrize("fmt", ["short-monotonic", "json", "export"])
def test_compressed_damaged_copy_names_file_and_line(corpus, fmt, kind, tmp_path):
    data, line = insert_before_entry(corpus.rendered(fmt), fmt, quiet_entry(corpus, 1),
                                     JUNK_BINARY)
    path = write(tmp_path, f"{HOST}.{fmt}.{kind}", COMPRESSORS[kind](data))
    scan_warns(path, line, expect=corpus.clean(fmt))


_PARTIAL = {  # what a decompressor makes of a cut-off stream
    "gz": lambda packed: zlib.decompressobj(wbits=31).decompress(packed),
    "xz": lambda packed: lzma.LZMADecompressor().decompress(packed),
}


@pytest.mark.parametrize("kind", sorted(_PARTIAL))
@pytest.mark.parametrize("fmt", ["short-monotonic", "json", "export"])
def test_cut_off_compressed_file_keeps_the_boots_before_the_cut(corpus, fmt, kind, tmp_path):
    data = corpus.rendered(fmt)
    packed = COMPRESSORS[kind](data)
    cut = packed[: len(packed) * 3 // 4]
    readable = len(_PARTIAL[kind](cut))
    offsets = entry_offsets(data, fmt)
    boots = corpus.boots[HOST]
    ends = [sum(len(b.entries) for b in boots[: i + 1]) for i in range(len(boots))]
    whole = [i for i, end in enumerate(ends) if end < len(offsets) and offsets[end] <= readable]
    assert whole, "the cut should leave at least one whole boot"
    path = write(tmp_path, f"{HOST}.{fmt}.{kind}", cut)
    clean = corpus.clean(fmt)
    with pytest.warns(bootlag.BootlagWarning, match=where(path)):
        frame = bootlag.scan(path, **SCAN)
        assert summary(frame)[: len(whole)] == [clean[i] for i in whole]


# --- errors="raise" and errors="ignore" on damaged lines ------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_raise_names_file_and_line(corpus, fmt, tmp_path):
    data, line = insert_before_entry(corpus.rendered(fmt), fmt, quiet_entry(corpus, 1),
                                     JUNK_TEXT)
    path = write(tmp_path, f"{HOST}.{fmt}", data)
    with pytest.raises(bootlag.BootlagError, match=where(path, line)):
        bootlag.scan(path, errors="raise", **SCAN)


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_ignore_is_silent_and_keeps_the_boots(corpus, fmt, tmp_path):
    data, _ = insert_before_entry(corpus.rendered(fmt), fmt, quiet_entry(corpus, 1),
                                  JUNK_BINARY)
    path = write(tmp_path, f"{HOST}.{fmt}", data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", bootlag.BootlagWarning)
        frame = bootlag.scan(path, errors="ignore", **SCAN)
    assert summary(frame) == corpus.clean(fmt)
