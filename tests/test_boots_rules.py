"""Every step of `bootlag.boots.boot_row`, on hand-made records (fast: no journal tools).

These are the tests `tools/mutation.py` runs against each mutant of ``boots.py``. Each boot
is written as the records a reader would give for a few journal lines, with the events
classified by `bootlag.events.classify`, so the rows are checked against what the lines say.
"""

from __future__ import annotations

import math

import pytest

from bootlag import boots, events
from bootlag.formats.common import SourceInfo
from bootlag.records import Kind, Position, Record

S = 1_000_000
T0 = 1_700_000_000 * S
BOOT_ID = "0123456789abcdef0123456789abcdef"
CMDLINE = "BOOT_IMAGE=/vmlinuz ro crashkernel=1G-4G:192M,4G-:256M console=ttyS0"


def line(n: int, ident: str, message: str, *, mono_s: float | None = None,
         real_s: float | None = None, source: str = "a.json", boot: str = BOOT_ID,
         host: str | None = "web-01") -> Record:
    """The record of an event line (classified as a reader would)."""
    event = events.classify(ident, message)
    assert event is not None, message
    return Record(event.kind, boot, host, _us(mono_s), _real(real_s), ident, message, source,
                  Position(n), event.detail)


def mark(kind: Kind, n: int, *, mono_s: float | None = None, real_s: float | None = None,
         source: str = "a.json", boot: str = BOOT_ID, host: str | None = "web-01") -> Record:
    return Record(kind, boot, host, _us(mono_s), _real(real_s), "systemd", "", source,
                  Position(n))


def _us(s: float | None) -> int | None:
    return None if s is None else round(s * S)


def _real(s: float | None) -> int | None:
    return None if s is None else T0 + round(s * S)


def kernel(cmdline: str = CMDLINE, source: str = "a.json", boot: str = BOOT_ID,
           **_: object) -> list[Record]:
    """A boot's first lines (from the initrd: no host name yet): first entry, "Linux
    version", the command line."""
    kw = {"source": source, "boot": boot, "host": "localhost", "mono_s": 0.0, "real_s": 0.0}
    return [mark(Kind.FIRST, 1, **kw),
            line(1, "kernel", "Linux version 5.14.0-284.el9.x86_64 (mockbuild@b) #1 SMP", **kw),
            line(2, "kernel", f"Command line: {cmdline}", **kw)]


def row(records: list[Record], key: str = BOOT_ID, infos=None) -> dict:
    if infos is None:
        infos = {s: SourceInfo(s, formats_seen={"json": 1}) for s in {r.source for r in records}}
    return boots.boot_row(key, records, infos)


def kdump_boot(armed_s: float = 14.5, end_s: float = 40.0, cmdline: str = CMDLINE,
               **kw) -> list[Record]:
    return [*kernel(cmdline, **kw),
            line(20, "kdumpctl", "kdump: kexec: loaded kdump kernel", mono_s=armed_s,
                 real_s=armed_s, **kw),
            line(30, "systemd", "Startup finished in 2.000s (kernel) + 3.000s (initrd) + "
                 "15.000s (userspace) = 20.000s.", mono_s=20.0, real_s=20.0, **kw),
            mark(Kind.LAST, 40, mono_s=end_s, real_s=end_s, **kw)]


# --- the plain case ----------------------------------------------------------------------------

def test_an_armed_boot():
    got = row(kdump_boot())
    assert (got["status"], got["mode"], got["loader"]) == ("armed", "kdump", "kdumpctl")
    assert got["gap_s"] == 14.5 and got["clock"] == "monotonic" and got["start_logged"]
    assert got["kernel_start"] == T0 and got["armed_at"] == T0 + 14_500_000
    assert got["kernel_start_from"] == "monotonic" and got["log_span_s"] == 40.0
    assert got["boot_id"] == BOOT_ID and got["host"] == "web-01"
    assert (got["loads"], got["unloads"], got["capture_kernel"]) == (1, 0, False)
    assert got["crashkernel"] == "1G-4G:192M,4G-:256M" and got["kernel"] == "5.14.0-284.el9.x86_64"
    assert got["rd_earlykdump"] is False and got["early_kdump_enabled"] is None
    assert (got["kernel_s"], got["initrd_s"], got["userspace_s"]) == (2.0, 3.0, 15.0)
    assert got["service_s"] == 14.5 and math.isnan(got["early_enabled_s"])
    assert got["failure"] is None and got["failures"] == [] and got["failures_s"] == []
    assert got["note"] is None
    assert (got["format"], got["text_tz"], got["source"]) == ("json", None, "a.json")
    assert (got["first_line"], got["armed_line"]) == (1, "a.json:20")
    assert set(got) == set(boots.COLUMNS)


def test_a_key_that_is_not_a_boot_id_gives_none():
    records = kdump_boot(boot="t.log#0")
    assert row(records, key="t.log#0")["boot_id"] is None
    assert row(kdump_boot(boot="X" * 32), key="X" * 32)["boot_id"] is None


def test_the_first_arming_counts_and_every_load_and_unload_is_counted():
    records = [*kdump_boot(),
               line(25, "kdumpctl", "kdump: kexec: unloaded kdump kernel", mono_s=16.0),
               line(26, "kdump-tools", "loaded kdump kernel.", mono_s=17.0)]
    got = row(records)
    assert (got["loads"], got["unloads"], got["loader"], got["gap_s"]) == (2, 1, "kdumpctl",
                                                                            14.5)


def test_a_capture_kernel_line_marks_the_boot():
    records = [*kdump_boot(), line(33, "kdump", "saving vmcore-dmesg.txt", mono_s=21.0)]
    assert row(records)["capture_kernel"] is True


# --- statuses ----------------------------------------------------------------------------------

def test_a_failure_is_failed_with_its_text_and_second():
    records = [*kernel(),
               line(20, "kdumpctl", "kdump: kexec: failed to load kdump kernel", mono_s=14.0),
               line(21, "kdumpctl", "kdump: Starting kdump: [FAILED]", mono_s=14.1),
               mark(Kind.LAST, 40, mono_s=40.0)]
    got = row(records)
    assert (got["status"], got["mode"], got["loader"]) == ("failed", "none", None)
    assert math.isnan(got["gap_s"]) and got["note"] is None
    assert got["failure"] == "kexec: failed to load kdump kernel"
    assert got["failures"] == ["kexec: failed to load kdump kernel", "Starting kdump: [FAILED]"]
    assert got["failures_s"] == [14.0, 14.1] and got["service_s"] == 14.0


def test_failures_are_listed_in_time_order_and_a_wall_clock_one_has_no_second():
    records = [*kernel(),
               line(21, "kdumpctl", "kdump: Starting kdump: [FAILED]", mono_s=14.1),
               line(3, "kernel", "crashkernel reservation failed - No suitable area found.",
                    mono_s=0.1),
               line(22, "kdumpctl", "kdump: kexec: failed to load kdump kernel",
                    real_s=14.2, source="t.log"),
               mark(Kind.LAST, 40, mono_s=40.0)]
    got = row(records)
    assert got["status"] == "failed"
    assert got["failures"][:2] == ["crashkernel reservation failed - No suitable area found.",
                                   "Starting kdump: [FAILED]"]
    assert got["failures_s"][:2] == [0.1, 14.1] and math.isnan(got["failures_s"][2])


def test_a_reservation_failure_alone_is_failed():
    records = [*kernel(), line(3, "kernel", "crashkernel reservation failed - No suitable area",
                               mono_s=0.1), mark(Kind.LAST, 40, mono_s=400.0)]
    got = row(records)
    assert (got["status"], got["mode"]) == ("failed", "none")
    assert math.isnan(got["service_s"])  # the kernel's verdict is not the service's


def test_an_arming_wins_over_a_failure():
    records = [*kdump_boot(), line(10, "dracut-cmdline",
                                   "kdump: kexec: failed to load early-kdump kernel",
                                   mono_s=1.5)]
    got = row(records)
    assert (got["status"], got["mode"]) == ("armed", "kdump")
    assert got["failures"] == ["kexec: failed to load early-kdump kernel"]


def test_not_armed_only_when_the_log_covers_where_arming_happens():
    quiet = [*kernel(), mark(Kind.LAST, 40, mono_s=400.0)]
    got = row(quiet)
    assert (got["status"], got["mode"], got["loader"], got["note"]) == ("not-armed", "none",
                                                                        None, None)
    short = [*kernel(), mark(Kind.LAST, 40, mono_s=60.0)]
    got = row(short)
    assert got["status"] == "unknown" and "log ends 60 s into the boot" in got["note"]
    finished = [*kernel(), line(30, "systemd", "Startup finished in 2.000s (kernel) + 3.000s "
                                "(initrd) + 15.000s (userspace) = 20.000s.", mono_s=20.0),
                mark(Kind.LAST, 40, mono_s=21.0)]
    assert row(finished)["status"] == "not-armed"


def test_a_boot_whose_start_is_cut_is_unknown():
    records = [mark(Kind.FIRST, 100, mono_s=30.0), mark(Kind.LAST, 400, mono_s=400.0)]
    got = row(records)
    assert got["status"] == "unknown" and not got["start_logged"]
    assert "start is not in the log" in got["note"]


def test_a_kernel_start_line_means_the_start_is_logged():
    """A "Linux version" line read after journald's own first lines (text sorted by wall
    time) still says the start is in the log."""
    records = [mark(Kind.FIRST, 1, mono_s=3.0),
               line(5, "kernel", "Linux version 5.14.0 (x) #1", mono_s=0.0),
               mark(Kind.LAST, 40, mono_s=400.0)]
    assert row(records)["start_logged"] is True


# --- "Kdump already running": early kdump loaded it, if the command line says so --------------

def already_boot(cmdline: str = CMDLINE, *extra: Record) -> list[Record]:
    return [*kernel(cmdline), *extra,
            line(20, "kdumpctl", "kdump: Kdump already running: [WARNING]", mono_s=16.0),
            mark(Kind.LAST, 40, mono_s=40.0)]


@pytest.mark.parametrize(("arg", "mode", "loader", "rd_earlykdump"), [
    (" rd.earlykdump", "early-kdump", "early-kdump", True),
    (" rd.earlykdump=1", "early-kdump", "early-kdump", True),
    (" rd.earlykdump=yes", "early-kdump", "early-kdump", True),
    ("", "unknown", None, False),
    (" rd.earlykdump=0", "unknown", None, False),
    (" rd.earlykdump=no", "unknown", None, False),
    (" rd.earlykdump=OFF", "unknown", None, False),
    (" rd.earlykdump=false", "unknown", None, False),
])
def test_kdump_already_running_is_early_kdump_when_the_command_line_turns_it_on(
        arg, mode, loader, rd_earlykdump):
    got = row(already_boot(CMDLINE + arg))
    assert (got["status"], got["mode"], got["loader"]) == ("armed", mode, loader)
    assert got["rd_earlykdump"] is rd_earlykdump
    assert math.isnan(got["gap_s"]) and got["loads"] == 0
    assert got["note"] == ("kdumpctl found a crash kernel already loaded, but the log does not "
                           "say when it was loaded")
    assert got["service_s"] == 16.0


def test_kdump_already_running_after_early_kdump_is_enabled_is_early_kdump():
    enabled = line(8, "dracut-cmdline", "kdump: early-kdump is enabled.", mono_s=1.2)
    got = row(already_boot(CMDLINE, enabled))
    assert (got["mode"], got["loader"]) == ("early-kdump", "early-kdump")
    assert got["early_kdump_enabled"] is True and got["early_enabled_s"] == 1.2
    disabled = line(8, "dracut-cmdline", "kdump: early-kdump is disabled.", mono_s=1.2)
    got = row(already_boot(CMDLINE, disabled))
    assert got["mode"] == "unknown" and got["early_kdump_enabled"] is False
    assert math.isnan(got["early_enabled_s"])


def test_kdump_already_running_without_a_command_line_is_unknown():
    records = [r for r in already_boot(CMDLINE + " rd.earlykdump") if r.kind is not Kind.CMDLINE]
    got = row(records)
    assert got["mode"] == "unknown" and got["rd_earlykdump"] is None
    assert got["crashkernel"] is None


def test_an_already_running_boot_that_also_failed_is_armed():
    records = already_boot(CMDLINE, line(10, "dracut-cmdline",
                                         "kdump: kexec: failed to load early-kdump kernel",
                                         mono_s=1.5))
    assert row(records)["status"] == "armed"


@pytest.mark.parametrize(("cmdline", "on"), [
    ("ro rd.earlykdump", True), ("rd.earlykdump ro", True), ("rd.earlykdump", True),
    ("ro rd.earlykdump=1 quiet", True), ("ro rd.earlykdump= quiet", True),
    ("ro rd.earlykdump=0", False), ("ro rd.earlykdump=0 quiet", False),
    ("ro rd.earlykdump=No", False), ("ro rd.earlykdump=off", False),
    ("ro rd.earlykdump=FALSE", False),
    ("ro", False), ("ro xrd.earlykdump", False), ("ro rd.earlykdumps", False),
    ("ro rd.earlykdump0", False), ("ro\trd.earlykdump", True),
])
def test_early_arg(cmdline, on):
    assert boots.early_arg(cmdline) is on


def test_the_first_command_line_counts():
    records = [*kernel(CMDLINE + " rd.earlykdump"),
               line(3, "kernel", "Command line: crashkernel=auto", mono_s=0.0),
               mark(Kind.LAST, 40, mono_s=400.0)]
    got = row(records)
    assert got["rd_earlykdump"] is True and got["crashkernel"] == "1G-4G:192M,4G-:256M"


def test_a_command_line_without_crashkernel():
    got = row(kdump_boot(cmdline="BOOT_IMAGE=/vmlinuz ro xcrashkernel=1G"))
    assert got["crashkernel"] is None and got["rd_earlykdump"] is False


def test_crashkernel_first_on_the_line():
    assert row(kdump_boot(cmdline="crashkernel=auto ro"))["crashkernel"] == "auto"


# --- service_s: the kdump service's verdict only ---------------------------------------------

def test_an_early_kdump_failure_is_not_the_service_verdict():
    """dracut-cmdline's "No memory reserved" at 1.2 s is early kdump's; kdumpctl answers at
    14.5 s (the bug of issue 10: service_s was 1.2)."""
    records = [*kdump_boot(), line(9, "dracut-cmdline",
                                   "kdump: No memory reserved for crash kernel", mono_s=1.2)]
    got = row(records)
    assert got["service_s"] == 14.5 and got["status"] == "armed"
    assert got["failures_s"] == [1.2]


def test_the_service_verdict_is_its_first_answer():
    records = [*kernel(),
               line(9, "dracut-cmdline", "kdump: kexec: loaded early-kdump kernel", mono_s=1.5),
               line(20, "kdumpctl", "kdump: Kdump already running: [WARNING]", mono_s=16.0),
               line(21, "kdumpctl", "kdump: kexec: failed to load kdump kernel", mono_s=17.0),
               line(22, "kdumpctl", "kdump: kexec: loaded kdump kernel", mono_s=18.0),
               mark(Kind.LAST, 40, mono_s=40.0)]
    got = row(records)
    assert (got["mode"], got["gap_s"], got["service_s"]) == ("early-kdump", 1.5, 16.0)
    records = [*kernel(),
               line(9, "dracut-cmdline", "kdump: kexec: loaded early-kdump kernel", mono_s=1.5),
               mark(Kind.LAST, 40, mono_s=40.0)]
    assert math.isnan(row(records)["service_s"])  # early kdump's arming is not the service's
    records = [*kernel(), line(21, "systemd", "Failed to start kdump.service - Crash recovery "
                               "kernel arming.", mono_s=17.0), mark(Kind.LAST, 40, mono_s=40.0)]
    assert row(records)["service_s"] == 17.0


def test_service_and_early_kdump_seconds_need_the_monotonic_clock():
    records = [mark(Kind.FIRST, 1, real_s=0.0, source="t.log"),
               line(1, "kernel", "Linux version 5.14.0 (x) #1", real_s=0.0, source="t.log"),
               line(8, "dracut-cmdline", "early-kdump is enabled.", real_s=1.0, source="t.log"),
               line(20, "kdumpctl", "kdump: kexec: loaded kdump kernel", real_s=14.5,
                    source="t.log"),
               mark(Kind.LAST, 40, real_s=40.0, source="t.log")]
    got = row(records, infos={"t.log": SourceInfo("t.log", formats_seen={"short-iso": 3})})
    assert math.isnan(got["service_s"]) and math.isnan(got["early_enabled_s"])
    assert got["gap_s"] == 14.5 and got["clock"] == "realtime"
    assert got["kernel_start_from"] == "first-line" and got["format"] == "short-iso"


def test_startup_phases_are_nan_without_the_line():
    records = [*kernel(), line(20, "kdumpctl", "kdump: kexec: loaded kdump kernel", mono_s=14.5),
               mark(Kind.LAST, 40, mono_s=40.0)]
    got = row(records)
    assert all(math.isnan(got[c]) for c in ("kernel_s", "initrd_s", "userspace_s"))


# --- one boot read from several sources --------------------------------------------------------

def text_copy(records: list[Record], source: str = "t.log") -> list[Record]:
    """The same entries as wall-clock text shows them (whole wall time, no monotonic)."""
    return [r._replace(mono_us=None, source=source, at=Position(r.at.number + 100))
            for r in records]


def test_a_boot_read_from_json_and_from_text_counts_each_load_once():
    exact = [*kdump_boot(), line(25, "kdumpctl", "kdump: kexec: unloaded kdump kernel",
                                 mono_s=16.0, real_s=16.0)]
    infos = {"a.json": SourceInfo("a.json", formats_seen={"json": 9}),
             "t.log": SourceInfo("t.log", formats_seen={"short-iso": 9}, zone="UTC")}
    got = row(exact + text_copy(exact), infos=infos)
    assert (got["loads"], got["unloads"]) == (1, 1)
    assert got["gap_s"] == 14.5 and got["clock"] == "monotonic"
    assert got["log_span_s"] == 40.0 and got["armed_line"] == "a.json:20"
    assert (got["format"], got["text_tz"], got["source"]) == ("json,short-iso", "UTC",
                                                              "a.json;t.log")
    assert got["first_line"] == 1


def test_text_alone_counts_its_loads():
    text = text_copy(kdump_boot())
    got = row(text, infos={"t.log": SourceInfo("t.log", formats_seen={"short-iso": 9})})
    assert got["loads"] == 1 and got["clock"] == "realtime" and got["gap_s"] == 14.5


def test_the_same_entry_collected_twice_counts_once():
    once = kdump_boot()
    got = row(once + once)
    assert got["loads"] == 1
    twice = [*kdump_boot(), line(21, "kdumpctl", "kdump: kexec: loaded kdump kernel",
                                 mono_s=30.0, real_s=30.0)]
    assert row(twice)["loads"] == 2  # a second load at another time is a second load


def test_dedupe_keeps_every_first_and_last_entry():
    a = mark(Kind.FIRST, 1, mono_s=0.0)
    b = a._replace(source="b.json")
    armed = line(20, "kdumpctl", "kdump: kexec: loaded kdump kernel", mono_s=14.5)
    assert boots._dedupe([a, b, a, armed, armed._replace(source="b.json")]) == [a, b, a, armed]


def test_the_boot_is_named_after_its_last_real_host():
    records = kdump_boot()
    assert row(records)["host"] == "web-01"
    unnamed_last = [*records[:-1], mark(Kind.LAST, 40, mono_s=40.0, host=None)]
    assert row(unnamed_last)["host"] == "web-01"
    early_only = [r._replace(host="localhost") for r in records]
    assert row(early_only)["host"] == "localhost"
    nameless = [r._replace(host=None) for r in records]
    infos = {"a.json": SourceInfo("a.json", host="sos-host", formats_seen={"json": 1})}
    assert row(nameless, infos=infos)["host"] == "sos-host"
    infos = {"a.json": SourceInfo("logs/db-01.json.gz", formats_seen={"json": 1})}
    assert row(nameless, infos=infos)["host"] == "db-01"
    assert row(nameless, infos={})["host"] == "a"  # the source's own name
    two = [*kdump_boot(source="b.json")[:-1], mark(Kind.LAST, 40, mono_s=30.0, host="z-host"),
           mark(Kind.LAST, 41, mono_s=50.0, host="a-host", source="b.json")]
    assert row(two)["host"] == "a-host"  # the latest last entry's, by time
    assert boots._host(nameless, nameless[-1], ["/x/.hidden"]) == ".hidden"


def test_a_zone_in_doubt_leaves_the_wall_times_out():
    records = kdump_boot()
    infos = {"a.json": SourceInfo("a.json", zone="UTC (assumed)", formats_seen={"short-full": 1},
                                  zone_problem="the text says CET; give --tz")}
    got = row(records, infos=infos)
    assert got["kernel_start"] is None and got["armed_at"] is None and got["gap_s"] == 14.5
    assert got["note"] == ("the text's time zone is not known (give --tz): kernel_start and "
                           "armed_at are left out; the gap does not depend on it")
    assert got["text_tz"] == "unknown (the text says CET; give --tz)"


def test_notes_join_clock_and_status_reasons():
    records = [mark(Kind.FIRST, 100, mono_s=30.0, source="t.log"),
               mark(Kind.LAST, 400, mono_s=60.0, source="t.log")]
    infos = {"t.log": SourceInfo("t.log", zone_problem="x", formats_seen={"short-full": 1})}
    note = row(records, infos=infos)["note"]
    assert note.startswith("the text's time zone is not known") and "; the boot's start" in note
    wall = [mark(Kind.FIRST, 100, real_s=30.0, source="t.log"),
            line(120, "kdumpctl", "kdump: kexec: loaded kdump kernel", real_s=40.0,
                 source="t.log"),
            mark(Kind.LAST, 400, real_s=60.0, source="t.log")]
    note = row(wall, infos=infos)["note"]  # a clock note and the zone's, both kept
    assert note.startswith("the boot's start is not in the log: the gap is a lower bound from "
                           "its first logged line; the text's time zone is not known")
    assert note.endswith("the gap does not depend on it")


def test_every_zone_of_the_sources_is_named():
    records = kdump_boot() + text_copy(kdump_boot())
    infos = {"a.json": SourceInfo("a.json", zone="UTC", formats_seen={"short-full": 1}),
             "t.log": SourceInfo("t.log", zone="Asia/Tokyo", formats_seen={"short": 1})}
    assert row(records, infos=infos)["text_tz"] == "Asia/Tokyo,UTC"


# --- merging boots seen in several sources -----------------------------------------------------

def seen(boot: str, source: str, host: str = "web-01", mono_s: float | None = 14.5,
         real_s: float | None = None, message: str = "kdump: kexec: loaded kdump kernel"):
    return [mark(Kind.FIRST, 1, mono_s=0.0, source=source, boot=boot, host=host),
            line(20, "kdumpctl", message, mono_s=mono_s, real_s=real_s, source=source,
                 boot=boot, host=host)]


def merged(*groups: list[Record]) -> list[list[str]]:
    grouped: dict[str, list[Record]] = {}
    for records in groups:
        grouped.setdefault(records[0].boot, []).extend(records)
    return sorted(sorted({r.boot for r in recs}) for recs in
                  boots.merge_same_boots(grouped).values())


def test_a_text_boot_without_id_joins_the_json_boot_it_shares_an_entry_with():
    grouped = {BOOT_ID: seen(BOOT_ID, "a.json", real_s=14.5),
               "t.log#0": seen("t.log#0", "t.log", mono_s=None, real_s=14.9)}
    result = boots.merge_same_boots(grouped)
    assert list(result) == [BOOT_ID] and len(result[BOOT_ID]) == 4
    reverse = boots.merge_same_boots(dict(reversed(grouped.items())))
    assert list(reverse) == [BOOT_ID]  # the boot id is kept whichever comes first


def test_two_text_boots_sharing_an_entry_join():
    assert merged(seen("t.log#0", "t.log"), seen("u.log#0", "u.log")) == [["t.log#0",
                                                                            "u.log#0"]]


def test_boots_that_must_not_join():
    other_id = "f" * 32
    # two different boot ids
    assert len(merged(seen(BOOT_ID, "a.json"), seen(other_id, "b.json"))) == 2
    # one source (two boots of a file are two boots)
    assert len(merged(seen("t.log#0", "t.log"), seen("t.log#1", "t.log"))) == 2
    # a placeholder host
    assert len(merged(seen("t.log#0", "t.log", host="localhost"),
                      seen("u.log#0", "u.log", host="localhost"))) == 2
    # the first second of a boot reads alike in every boot
    assert len(merged(seen("t.log#0", "t.log", mono_s=0.999999),
                      seen("u.log#0", "u.log", mono_s=0.999999))) == 2
    assert len(merged(seen("t.log#0", "t.log", mono_s=1.0),
                      seen("u.log#0", "u.log", mono_s=1.0))) == 1
    # another time, another host, another message
    assert len(merged(seen("t.log#0", "t.log", mono_s=14.5),
                      seen("u.log#0", "u.log", mono_s=15.5))) == 2
    assert len(merged(seen("t.log#0", "t.log"), seen("u.log#0", "u.log", host="web-02"))) == 2
    assert len(merged(seen("t.log#0", "t.log"),
                      seen("u.log#0", "u.log", message="kexec: loaded kdump kernel"))) == 2


@pytest.mark.parametrize("second", [14, 15, 1234, 99_999])
def test_wall_clock_entries_join_within_their_second_only(second):
    def at(s: float, name: str) -> list[Record]:
        return seen(f"{name}#0", name, mono_s=None, real_s=s)
    assert len(merged(at(second, "t.log"), at(second + 0.999999, "u.log"))) == 1
    assert len(merged(at(second - 0.000001, "t.log"), at(second, "u.log"))) == 2


def test_wall_clock_entries_join_by_the_whole_second():
    a = seen("t.log#0", "t.log", mono_s=None, real_s=14.2)
    b = seen("u.log#0", "u.log", mono_s=None, real_s=14.9)
    assert len(merged(a, b)) == 1
    c = seen("v.log#0", "v.log", mono_s=None, real_s=15.0)
    assert len(merged(a, c)) == 2


def test_bookkeeping_records_do_not_join_boots():
    a = [mark(Kind.FIRST, 1, mono_s=5.0, source="t.log", boot="t.log#0")]
    b = [mark(Kind.FIRST, 1, mono_s=5.0, source="u.log", boot="u.log#0")]
    assert len(merged(a, b)) == 2


def test_a_chain_of_shared_entries_joins_three_sources():
    a = seen("t.log#0", "t.log", mono_s=14.5)
    b = [*seen("u.log#0", "u.log", mono_s=14.5),
         line(30, "kdumpctl", "kdump: kexec: unloaded kdump kernel", mono_s=20.0,
              source="u.log", boot="u.log#0")]
    c = [mark(Kind.FIRST, 1, mono_s=0.0, source="v.log", boot="v.log#0"),
         line(30, "kdumpctl", "kdump: kexec: unloaded kdump kernel", mono_s=20.0,
              source="v.log", boot="v.log#0")]
    assert merged(a, b, c) == [["t.log#0", "u.log#0", "v.log#0"]]


def test_assemble_sorts_by_host_then_kernel_start():
    first = kdump_boot(boot="a" * 32, host="web-02")
    second = [r._replace(real_us=r.real_us + 86_400 * S if r.real_us is not None else None,
                         boot="b" * 32, host="web-01" if r.host != "localhost" else r.host)
              for r in kdump_boot()]
    third = [r._replace(boot="c" * 32, host="web-01" if r.host != "localhost" else r.host)
             for r in kdump_boot(armed_s=20.0)]
    infos = {"a.json": SourceInfo("a.json", formats_seen={"json": 1})}
    frame = boots.assemble(first + second + third, infos)
    assert frame.boot_id.tolist() == ["c" * 32, "b" * 32, "a" * 32]
    assert frame.index.tolist() == [0, 1, 2] and list(frame.columns) == list(boots.COLUMNS)
    assert frame.gap_s.tolist() == [20.0, 14.5, 14.5]
