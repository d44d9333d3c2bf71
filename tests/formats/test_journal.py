"""Binary .journal files: every field as the real journalctl prints it, and damaged copies.

The journals are written by the real systemd-journal-remote, in the compact
(systemd 252 default) and the regular layout, with fields of 512 bytes and
more so that it compresses them; ``journalctl --file F -o export`` is the oracle.
"""

from __future__ import annotations

import lzma
import math
import mmap
import random
import shutil
import struct
import sys
from pathlib import Path

import lz4.block
import pytest
import zstandard

import bootlag
from bootlag import synth
from bootlag.boots import assemble
from bootlag.formats import ReadOptions
from bootlag.formats import journal as journal_module
from bootlag.formats.common import SourceInfo
from bootlag.formats.journal import iter_entries, read_journal
from bootlag.records import BootlagError

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

IGNORED = {"__CURSOR", "__SEQNUM", "__SEQNUM_ID"}
LAYOUTS = {"compact": True, "regular": False}
Entry = dict[str, bytes]


# --- building journals -------------------------------------------------------------------------

def _field(name: str, value: bytes) -> bytes:
    if b"\n" in value or not value.isascii():  # the binary-safe form
        return name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
    return name.encode() + b"=" + value + b"\n"


def _extras(rng: random.Random, boot: synth.Boot, n: int) -> list[tuple[str, bytes]]:
    """Fields a real journal has besides synth's: long (compressed), shared, repeated, binary."""
    extra: list[tuple[str, bytes]] = []
    if n % 4 == 0:  # unique and >= 512 bytes: journal-remote compresses it
        frames = "".join(f'  File "/usr/lib/python3/app{rng.randrange(99)}.py", line '
                         f"{rng.randrange(999)}, in handler_{i}\n" for i in range(12))
        extra.append(("TRACEBACK", f"Traceback (most recent call last):\n{frames}"
                                   f"KeyError: '{boot.boot_id}-{n}'".encode()))
    if n % 3 == 0:  # one long value shared by many entries: one compressed DATA object
        extra.append(("CONFIG", ("crashkernel=1G-4G:192M,4G-64G:256M " * 20).encode()))
    if n % 5 == 1:  # the same field twice in one entry
        extra += [("TAG", b"first"), ("TAG", b"second")]
    if n % 7 == 2:
        extra.append(("BLOB", b"\xff\xfe\x00binary\nvalue"))
    if n == 3:
        extra.append(("LONG_MESSAGE", ("x" * 700).encode()))
    return extra


def _export(boots: list[synth.Boot]) -> bytes:
    rng = random.Random(11)
    out = []
    for boot in boots:
        for n, entry in enumerate(boot.entries):
            fields = [("__REALTIME_TIMESTAMP", str(boot.real_us(entry)).encode()),
                      ("__MONOTONIC_TIMESTAMP", str(entry.mono_us).encode()),
                      ("_BOOT_ID", boot.boot_id.encode())]
            fields += [(k, v.encode()) for k, v in entry.fields.items()
                       if not k.startswith("_TEST")]
            fields += _extras(rng, boot, n)
            out += [_field(k, v) for k, v in fields]
            out.append(b"\n")
    return b"".join(out)


@pytest.fixture(scope="module")
def boots() -> list[synth.Boot]:
    rng = random.Random(21)
    start = 1_735_000_000 * synth.SEC
    plans = [("rhel9", "kdump", "armed"), ("rhel8", "early-kdump", "armed"),
             ("ubuntu", "kdump", "armed"), ("rhel9", "kdump", "failed"),
             ("suse", "kdump", "armed"), ("rhel9", "none", "not-armed")]
    return [synth.make_boot(rng, f"host-{i % 2}", start + i * 86_400 * synth.SEC, distro=d,
                            mode=m, outcome=o, filler=30)
            for i, (d, m, o) in enumerate(plans)]


@pytest.fixture(scope="module")
def journals(boots, tmp_path_factory) -> dict[str, Path]:
    """The same boots as a compact (zstd, keyed hash) and a regular journal, and as export."""
    tmp = tmp_path_factory.mktemp("journal")
    export = _export(boots)
    paths = {layout: Path(synth.write_journal(export, str(tmp / f"{layout}.journal"),
                                              compact=compact))
             for layout, compact in LAYOUTS.items()}
    paths["export"] = tmp / "boots.export"
    paths["export"].write_bytes(synth.render(str(paths["compact"]), "export"))
    return paths


def parse_export(raw: bytes) -> list[Entry]:
    """journalctl's export output: ``NAME=value`` or ``NAME\\n`` le64 size, bytes, ``\\n``."""
    entries: list[Entry] = []
    fields: Entry = {}
    pos = 0
    while pos < len(raw):
        eol = raw.index(b"\n", pos)
        line = raw[pos:eol]
        if not line:
            entries.append({k: v for k, v in fields.items() if k not in IGNORED})
            fields, pos = {}, eol + 1
            continue
        name, eq, value = line.partition(b"=")
        if eq:
            pos = eol + 1
        else:
            (size,) = struct.unpack_from("<Q", raw, eol + 1)
            value = raw[eol + 9:eol + 9 + size]
            assert raw[eol + 9 + size:eol + 10 + size] == b"\n"
            pos = eol + 10 + size
        fields.setdefault(name.decode(), value)  # a repeated field keeps its first value
    assert not fields
    return entries


def journalctl(path: Path) -> list[Entry]:
    return parse_export(synth.render(str(path), "export"))


def ours(data: bytes | bytearray | mmap.mmap,
         problems: list[tuple[str, int]] | None = None) -> list[tuple[int, Entry]]:
    sink = problems if problems is not None else []
    return list(iter_entries(data, "test.journal", lambda reason, at: sink.append((reason, at))))


def header(data: bytes, offset: int) -> int:
    return struct.unpack_from("<Q", data, offset)[0]


# --- decoding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_field_equals_journalctl_export(journals, layout):
    path = journals[layout]
    data = path.read_bytes()
    compressed = [o for o, kind, flags, _ in _objects(data) if kind == 1 and flags == 4]
    assert len(compressed) > 20  # journal-remote compressed the long fields (zstd)
    problems: list[tuple[str, int]] = []
    got = ours(data, problems)
    want = journalctl(path)
    assert [fields for _, fields in got] == want
    assert problems == []
    assert sum("TRACEBACK" in f for f in want) > 20 and any(f.get("TAG") for f in want)


def test_reads_a_memory_map_as_it_reads_bytes(journals):
    with open(journals["compact"], "rb") as f, \
            mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert ours(mapped) == ours(journals["compact"].read_bytes())


def test_offsets_are_entry_objects_in_file_order(journals):
    data = journals["compact"].read_bytes()
    offsets = [offset for offset, _ in ours(data)]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    assert all(offset % 8 == 0 and data[offset] == 3 for offset in offsets)


def test_gaps_and_statuses_equal_a_scan_of_the_export(journals, boots):
    info = SourceInfo("compact.journal")
    frame = assemble(read_journal(journals["compact"].read_bytes(), ReadOptions(), info),
                     {info.name: info}).set_index("boot_id")
    export = bootlag.scan(journals["export"], errors="raise").set_index("boot_id")
    assert sorted(frame.index) == sorted(export.index) == sorted(b.boot_id for b in boots)
    assert info.skipped == {} and info.format == "journal"
    for boot in boots:
        row, expect = frame.loc[boot.boot_id], export.loc[boot.boot_id]
        assert (row.status, row["mode"], row.clock) == (expect.status, expect["mode"],
                                                        expect.clock)
        assert (row.status, row["mode"]) == (boot.status, boot.mode)
        if boot.gap_s is None:  # the truth has no gap: neither may the scans
            assert math.isnan(row.gap_s) and math.isnan(expect.gap_s)
        else:
            assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6)
            assert expect.gap_s == pytest.approx(boot.gap_s, abs=1e-6)
        assert row.kernel_start == expect.kernel_start and row.host == expect.host


# --- salvage -----------------------------------------------------------------------------------

def _entries_region(data: bytes) -> tuple[int, int]:
    """Where the objects after the hash tables start, and where the written data ends."""
    tables_end = max(header(data, 104) + header(data, 112), header(data, 120) + header(data, 128))
    return tables_end, len(data.rstrip(b"\x00"))


@pytest.mark.parametrize("where", ["header-arena", "written-entries"])
def test_truncated_copy_keeps_the_intact_entries(journals, where):
    data = journals["compact"].read_bytes()
    full = ours(data)
    assert [f for _, f in full] == journalctl(journals["compact"])
    size = header(data, 88)
    if where == "header-arena":  # 60% of the arena the header declares (preallocated)
        cut = size + header(data, 96) * 6 // 10
    else:  # 60% of the part where the entries and their data are
        start, end = _entries_region(data)
        cut = start + (end - start) * 6 // 10
    problems: list[tuple[str, int]] = []
    got = ours(data[:cut], problems)
    intact = [(o, f) for o, f in full if o + header(data, o + 8) <= cut]
    assert got == intact and intact
    if where == "written-entries":
        assert len(intact) < len(full)
    assert any("truncated" in reason for reason, _ in problems)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_damage_in_the_middle_keeps_the_entries_before_it(journals, seed):
    data = journals["compact"].read_bytes()
    full = ours(data)
    rng = random.Random(seed)
    start, end = _entries_region(data)
    at = rng.randrange(start + (end - start) // 3, start + (end - start) * 2 // 3)
    damaged = bytearray(data)
    damaged[at:at + 512] = rng.randbytes(512)
    problems: list[tuple[str, int]] = []
    got = dict(ours(bytes(damaged), problems))
    before = [(o, f) for o, f in full if o + header(data, o + 8) <= at]
    assert before and all(got.get(o) == f for o, f in before)
    assert set(got) <= {o for o, _ in full}  # nothing made up from the random bytes
    after = [o for o, _ in full if o >= at + 512]
    assert sum(o in got for o in after) >= len(after) * 0.9  # found again after the damage
    assert problems


def test_damage_anywhere_never_raises(journals):
    data = journals["compact"].read_bytes()
    data = data[:len(data.rstrip(b"\x00")) + 4096]
    rng = random.Random(5)
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 30)):  # past signature, flags, header_size: refused
            at = rng.randrange(96, len(damaged))
            damaged[at:at + rng.choice([1, 8, 300])] = rng.randbytes(8)
        problems: list[tuple[str, int]] = []
        got = ours(bytes(damaged[:rng.randrange(len(damaged) // 2, len(damaged))]), problems)
        assert all(o % 8 == 0 for o, _ in got)


def test_lost_entry_array_chain_is_salvaged_by_a_linear_walk(journals):
    data = bytearray(journals["regular"].read_bytes())
    struct.pack_into("<Q", data, 176, 0)  # header.entry_array_offset
    assert ours(bytes(data)) == ours(journals["regular"].read_bytes())


def test_header_counting_more_entries_than_linked_reads_each_once(journals):
    data = bytearray(journals["compact"].read_bytes())
    struct.pack_into("<Q", data, 152, header(data, 152) + 7)  # header.n_entries
    assert ours(bytes(data)) == ours(journals["compact"].read_bytes())


def test_unknown_incompatible_flag_is_refused(journals, tmp_path):
    data = bytearray(journals["compact"].read_bytes())
    struct.pack_into("<I", data, 12, struct.unpack_from("<I", data, 12)[0] | 1 << 9)
    with pytest.raises(BootlagError, match=r"test\.journal.*incompatible flags 0x200"):
        ours(bytes(data))
    with pytest.raises(BootlagError, match="not a systemd journal"):
        ours(journals["export"].read_bytes())


def test_missing_codec_package_skips_the_compressed_fields(journals, monkeypatch):
    monkeypatch.setitem(sys.modules, "zstandard", None)
    monkeypatch.setitem(sys.modules, "compression.zstd", None)
    problems: list[tuple[str, int]] = []
    got = [f for _, f in ours(journals["compact"].read_bytes(), problems)]
    long_fields = {"TRACEBACK", "CONFIG", "LONG_MESSAGE"}
    want = [{k: v for k, v in f.items() if k not in long_fields}
            for f in journalctl(journals["compact"])]
    assert got == want
    reasons = {reason for reason, _ in problems}
    assert len(reasons) == 1 and "pip install zstandard" in reasons.pop()
    assert len(problems) == len({at for _, at in problems})  # each DATA object once


# --- LZ4 and XZ payloads -----------------------------------------------------------------------

def _objects(data: bytes | bytearray):
    """(offset, type, flags, size) of every object, walking from the header."""
    offset, end = header(data, 88), len(data)
    while offset + 16 <= end and data[offset]:
        kind, flags, size = struct.unpack_from("<BB6xQ", data, offset)
        yield offset, kind, flags, size
        offset = (offset + size + 7) & ~7


CODEC_FLAGS = {"xz": 1, "lz4": 2}  # object flags; the header's incompatible bits are the same


def _pack(codec: str, raw: bytes) -> bytes:
    if codec == "lz4":  # systemd's framing: le64 uncompressed size, then one raw block
        return struct.pack("<Q", len(raw)) + lz4.block.compress(raw, store_size=False)
    return lzma.compress(raw, format=lzma.FORMAT_XZ)


def _repoint(data: bytearray, old: int, new: int, ref: str, stop: int) -> None:
    """Point every aligned reference to `old` (entry items, chains, buckets) at `new`."""
    pattern, step = struct.pack(ref, old), struct.calcsize(ref)
    at = data.find(pattern, header(data, 88))
    while 0 <= at < stop:
        if at % step == 0:
            struct.pack_into(ref, data, at, new)
        at = data.find(pattern, at + 1)


def _recompress(path: Path, codec: str, out: Path) -> Path:
    """A copy whose zstd DATA objects are moved to the end, recompressed as `codec`.

    systemd 252 only writes zstd, so the LZ4 and XZ payloads are made here
    and every reference to an old object points at its new copy; the real
    journalctl then checks that the copy still reads the same.
    """
    data = bytearray(path.read_bytes())
    compact = bool(struct.unpack_from("<I", data, 12)[0] & 16)
    payload_at, ref = (72, "<I") if compact else (64, "<Q")
    objects = list(_objects(data))
    free = (objects[-1][0] + objects[-1][3] + 7) & ~7
    moved = 0
    for offset, kind, flags, size in objects:
        if kind != 1 or flags != 4:
            continue
        raw = zstandard.ZstdDecompressor().decompress(
            bytes(data[offset + payload_at:offset + size]))
        new = bytearray(data[offset:offset + payload_at]) + _pack(codec, raw)
        new[1] = CODEC_FLAGS[codec]
        struct.pack_into("<Q", new, 8, len(new))
        data[free:free + len(new)] = new
        _repoint(data, offset, free, ref, free)
        struct.pack_into("<Q", data, 136, free)  # header.tail_object_offset
        free = (free + len(new) + 7) & ~7
        moved += 1
    assert moved > 20
    flags = struct.unpack_from("<I", data, 12)[0] | CODEC_FLAGS[codec]
    struct.pack_into("<I", data, 12, flags)
    out.write_bytes(data)
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("codec", ["lz4", "xz"])
def test_lz4_and_xz_payloads_equal_journalctl_export(journals, layout, codec, tmp_path):
    path = _recompress(journals[layout], codec, tmp_path / f"{codec}.journal")
    want = journalctl(path)
    assert want == journalctl(journals[layout])  # journalctl itself reads the moved objects
    problems: list[tuple[str, int]] = []
    assert [f for _, f in ours(path.read_bytes(), problems)] == want
    assert problems == []


def test_tools_are_the_real_ones():
    assert shutil.which("journalctl") and Path(synth.JOURNAL_REMOTE).exists()


# --- the indexed fast path ---------------------------------------------------------------------

def _records(data, name: str = "t.journal", indexed: bool = True):
    info = SourceInfo(name)
    return list(read_journal(data, ReadOptions(full=not indexed), info)), info


@pytest.fixture
def decoded(monkeypatch) -> list[int]:
    """The offsets of the entries the reader decodes, in the order it decodes them."""
    seen: list[int] = []
    entry = journal_module._Reader.entry

    def counting(self, offset):
        seen.append(offset)
        return entry(self, offset)
    monkeypatch.setattr(journal_module._Reader, "entry", counting)
    return seen


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_gives_the_records_of_the_full_walk(journals, layout, decoded):
    data = journals[layout].read_bytes()
    full, _ = _records(data, indexed=False)
    assert len(decoded) == header(data, 152)
    decoded.clear()
    fast, info = _records(data)
    assert fast == full and info.skipped == {}
    assert 0 < len(decoded) < header(data, 152) // 4  # only the entries that matter


@pytest.fixture(scope="module")
def fleet_files(tmp_path_factory) -> dict[str, list[Path]]:
    """The sample fleet in three journals per layout, boots of different hosts interleaved."""
    tmp = tmp_path_factory.mktemp("fleet")
    boots = synth.make_fleet()
    hosts = sorted({b.host for b in boots})
    files: dict[str, list[Path]] = {}
    for layout, compact in LAYOUTS.items():
        files[layout] = []
        for n in range(3):
            part = [b for b in boots if hosts.index(b.host) % 3 == n]
            path = tmp / f"{layout}-{n}.journal"
            synth.write_journal(synth.to_export(part, interleave=True), str(path),
                                compact=compact)
            files[layout].append(path)
    return files


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_gives_the_boots_of_the_full_walk_for_the_sample_fleet(fleet_files, layout):
    tables = {}
    for indexed in (True, False):
        records, infos = [], {}
        for path in fleet_files[layout]:
            got, info = _records(path.read_bytes(), path.name, indexed)
            records += got
            infos[info.name] = info
        tables[indexed] = assemble(records, infos)
    fast, full = tables[True], tables[False]
    assert len(fast) == len(synth.make_fleet())
    assert fast.equals(full)
    assert (fast.status == "armed").sum() > 40


def _boot_with_a_nameless_tail(seed: int, **kw) -> synth.Boot:
    """A boot whose last entries carry a placeholder host (the LAST takes the last real one)."""
    boot = synth.make_boot(random.Random(seed), "named-01", 1_736_000_000 * synth.SEC, **kw)
    end = boot.entries[-1].mono_us
    for i in range(4):
        boot.entries.append(synth.Entry(end + 1_000 * (i + 1), {
            "SYSLOG_IDENTIFIER": "systemd-shutdown", "_HOSTNAME": "localhost",
            "MESSAGE": f"Sending SIGTERM to remaining processes ({i})" if i else ""}))
    return boot


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_keeps_the_host_of_a_boot_whose_last_entries_are_nameless(layout, tmp_path,
                                                                        decoded):
    nameless = synth.make_boot(random.Random(3), "localhost", 1_737_000_000 * synth.SEC)
    boots = [_boot_with_a_nameless_tail(1), _boot_with_a_nameless_tail(2, distro="ubuntu"),
             nameless]
    path = synth.write_journal(synth.to_export(boots), str(tmp_path / "n.journal"),
                               compact=LAYOUTS[layout])
    data = Path(path).read_bytes()
    fast, _ = _records(data)
    assert len(decoded) < header(data, 152)
    full, _ = _records(data, indexed=False)
    assert fast == full
    assert [r.host for r in fast if r.kind == "last"] == ["named-01", "named-01", None]


def test_index_is_not_used_for_a_truncated_or_online_file(journals, decoded):
    data = journals["compact"].read_bytes()
    end = len(data.rstrip(b"\x00"))
    cut = data[:end * 9 // 10]
    fast, info = _records(cut)
    assert len(decoded) >= len(fast) and any("truncated" in r for r in info.skipped)
    full, full_info = _records(cut, indexed=False)
    assert (fast, info.skipped) == (full, full_info.skipped)
    online = bytearray(data)
    online[16] = 1  # state ONLINE: journald may not have linked its last objects yet
    decoded.clear()
    assert _records(bytes(online))[0] == _records(data, indexed=False)[0]
    assert len(decoded) == 2 * header(data, 152)  # both read every entry


@pytest.mark.parametrize("damage", ["n_entries", "boot-data-chain", "message-chain",
                                    "field-table"])
def test_index_that_does_not_add_up_falls_back_to_the_full_walk(journals, damage, decoded):
    data = bytearray(journals["regular"].read_bytes())
    full, _ = _records(bytes(data), indexed=False)
    reader = journal_module._Reader(bytes(data), "t", lambda *_: None)
    heads = reader._field_heads()
    if damage == "n_entries":
        struct.pack_into("<Q", data, 152, header(data, 152) - 1)
    elif damage == "field-table":
        struct.pack_into("<Q", data, 120, header(data, 120) + 8)
    else:  # the second DATA object of the field points at a non-object
        first = heads[b"_BOOT_ID" if damage == "boot-data-chain" else b"MESSAGE"]
        struct.pack_into("<Q", data, header(data, first + 32) + 32, 12_345)
    decoded.clear()
    got, _ = _records(bytes(data))
    assert len(decoded) > header(data, 152) - 1  # the full walk ran
    if damage != "n_entries":
        assert got == full


def test_index_test_of_messages_matches_the_event_catalogue(journals):
    """Every entry with an event is among the entries the index selects."""
    data = journals["compact"].read_bytes()
    full, _ = _records(data, indexed=False)
    selected = journal_module._Reader(data, "t", lambda *_: None).indexed_entries()
    assert selected is not None
    assert {r.at.number for r in full} <= {offset for offset, _ in selected}


def test_kernel_entries_with_a_zero_boot_id_keep_the_full_walk_rule(tmp_path, decoded):
    """Some systemd versions wrote kernel entries with a zero boot id; EntrySink gives them
    to the boot that follows, which only the full walk can see."""
    boots = [synth.make_boot(random.Random(4), "z-01", 1_736_000_000 * synth.SEC),
             synth.make_boot(random.Random(5), "z-01", 1_736_100_000 * synth.SEC)]
    export = synth.to_export(boots)
    for boot in boots:  # the kernel entries (the first ones) of each boot lose their boot id
        entries = export.split(b"\n\n")
        export = b"\n\n".join(e.replace(f"_BOOT_ID={boot.boot_id}".encode(),
                                        b"_BOOT_ID=" + b"0" * 32)
                              if b"_TRANSPORT=kernel" in e else e for e in entries)
    data = Path(synth.write_journal(export, str(tmp_path / "z.journal"))).read_bytes()
    fast, _ = _records(data)
    assert fast == _records(data, indexed=False)[0]
    firsts = [r for r in fast if r.kind == "first"]
    assert [r.boot for r in firsts] == [b.boot_id for b in boots]
    starts = {r.boot: r.at.number for r in fast if r.kind == "kernel-start"}  # "Linux version"
    assert all(starts[r.boot] == r.at.number for r in firsts)  # each boot begins with it


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_tests_compressed_messages_too(layout, tmp_path):
    boot = synth.make_boot(random.Random(6), "deb-01", 1_736_000_000 * synth.SEC,
                           distro="ubuntu", outcome="failed")
    long = "kdump-tools: " + "config line; " * 50 + "USE_KDUMP is not set or zero"
    boot.entries.insert(-3, synth.Entry(boot.entries[-4].mono_us, {
        "SYSLOG_IDENTIFIER": "kdump-tools", "_HOSTNAME": "deb-01", "MESSAGE": long}))
    data = Path(synth.write_journal(synth.to_export([boot]), str(tmp_path / "c.journal"),
                                    compact=LAYOUTS[layout])).read_bytes()
    assert any(kind == 1 and flags for _, kind, flags, _ in _objects(data))  # compressed
    fast, _ = _records(data)
    assert fast == _records(data, indexed=False)[0]
    assert any(r.kind == "failed" and "USE_KDUMP" in r.message for r in fast)


def test_trigger_finds_in_raw_bytes_what_it_finds_in_text():
    """The index tests MESSAGE bytes in place, with `events.TRIGGER_BYTES`."""
    assert bootlag.events.TRIGGER.pattern.isascii()
    messages = ["kdump: kexec: loaded kdump kernel", "Kdump\u00e9", "\u00fcLinux version 6",
                "System \u212alock", "crash\u00a0kernel", "Startup finished in 1s"]
    raw = [m.encode() for m in messages] + [b"\xffkexec\xfe", b"fa\xffdump", b"\xe2\x80kdump"]
    for value in raw:
        text = value.decode("utf-8", "replace")
        assert bool(bootlag.events.TRIGGER_BYTES.search(value)) == bool(
            bootlag.events.TRIGGER.search(text)), value


def test_a_damaged_journal_is_reported_by_byte_offset(journals, tmp_path):
    """Positions in a binary journal are byte offsets, and warnings say so (not "line")."""
    data = journals["compact"].read_bytes()
    start, end = _entries_region(data)
    path = tmp_path / "cut.journal"
    path.write_bytes(data[:start + (end - start) * 6 // 10])
    with pytest.warns(bootlag.BootlagWarning, match=r"cut\.journal: offsets? \d+") as caught:
        frame = bootlag.scan(path)
    assert not any(" line" in str(w.message) for w in caught)
    assert len(frame) >= 1
    assert all(isinstance(n, int) and n % 8 == 0 for n in frame.first_line)  # ENTRY offsets
