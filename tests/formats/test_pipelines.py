"""Log pipelines' exports, made from the generator's truth by converters written from each
pipeline's source (`bootlag.synth_pipelines`), read back against that truth."""

from __future__ import annotations

import json
import math
import warnings

import pytest

from bootlag import BootlagWarning, synth
from bootlag import synth_pipelines as sp
from bootlag.boots import assemble
from bootlag.formats import read_bytes, sniff
from bootlag.records import Kind

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


@pytest.fixture(scope="module")
def fleet():
    return synth.make_fleet(seed=11, boots_per_host=2, filler=12)


@pytest.fixture(scope="module")
def journal(fleet, tmp_path_factory):
    path = tmp_path_factory.mktemp("pipelines") / "fleet.journal"
    return synth.write_journal(synth.to_export(fleet), str(path))


@pytest.fixture(scope="module")
def entries(journal):
    return sp.journal_entries(synth.render(journal, "json"))


def table(data: bytes, name: str = "export.log"):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean export reads without a warning
        records, info = read_bytes(data, name)
    assert not info.skipped
    return assemble(records, {name: info}), info


def rows_by_truth(frame, fleet):
    """(truth boot, row) for every boot: by boot id, else by host and order."""
    if frame.boot_id.notna().all():
        rows = {row.boot_id: row for row in frame.itertuples()}
        return [(b, rows[b.boot_id]) for b in fleet]
    pairs = []
    for host in dict.fromkeys(b.host for b in fleet):
        truth = sorted((b for b in fleet if b.host == host), key=lambda b: b.start_us)
        found = frame[frame.host == host].sort_values("kernel_start")
        assert len(found) == len(truth), host
        pairs += list(zip(truth, found.itertuples(), strict=True))
    return pairs


EXACT = {
    "vector": lambda e: sp.to_vector(e),
    "otel": lambda e: sp.to_otel(e),
    "otel-mapped": lambda e: sp.to_otel(e, mapped=True),
}
WALL_CLOCK = {
    "filebeat": lambda e: sp.to_filebeat(e),
    "elasticsearch": lambda e: sp.to_elasticsearch(e),
    "loki-json": lambda e: sp.to_loki(e, json_lines=True),
    "loki-forward": lambda e: sp.to_loki(e, json_lines=True, newest_first=False),
    "loki-message": lambda e: sp.to_loki(e, labels=("host", "syslog_identifier")),
    "fluent-bit": lambda e: sp.to_fluent_bit(e),
    "fluent-bit-stripped": lambda e: sp.to_fluent_bit(e, strip_underscores=True),
    "fluent-bit-lowercase": lambda e: sp.to_fluent_bit(e, strip_underscores=True,
                                                       lowercase=True),
    "fluent-bit-out_file": lambda e: sp.to_fluent_bit(e, lowercase=True, style="out_file"),
}
FORMAT = {"otel-mapped": "otel", "loki-json": "loki", "loki-forward": "loki",
          "loki-message": "loki"}


@pytest.mark.parametrize("pipeline", EXACT)
def test_pipelines_that_keep_the_monotonic_clock_give_exact_gaps(pipeline, fleet, entries):
    data = EXACT[pipeline](entries)
    assert sniff(data[:1 << 16]) == FORMAT.get(pipeline, pipeline)
    frame, info = table(data)
    assert set(info.formats_seen) == {FORMAT.get(pipeline, pipeline)}
    assert len(frame) == len(fleet)
    for boot, row in rows_by_truth(frame, fleet):
        assert row.status == boot.status and row.mode == boot.mode and row.host == boot.host
        assert row.clock == "monotonic"
        if boot.gap_s is None:
            assert math.isnan(row.gap_s)
        else:
            assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6)


@pytest.mark.parametrize("pipeline", WALL_CLOCK)
def test_wall_clock_pipelines_give_lower_bounds_that_hold(pipeline, fleet, entries):
    data = WALL_CLOCK[pipeline](entries)
    name = FORMAT.get(pipeline, pipeline.split("-out_file")[0].replace("-stripped", "")
                      .replace("-lowercase", ""))
    assert sniff(data[:1 << 16]) == name
    frame, _ = table(data)
    assert len(frame) == len(fleet)
    for boot, row in rows_by_truth(frame, fleet):
        assert row.status == boot.status and row.mode == boot.mode and row.host == boot.host
        assert row.clock == "realtime"
        if boot.gap_s is None:
            continue
        if row.gap_kind == "estimate":  # kernel start from "Startup finished" (issue 11),
            # also after the step before arming
            assert abs(boot.gap_s - row.gap_s) <= row.gap_error_s
            continue
        assert not boot.clock_step_s
        # short by journald's start (the first line's delay after kernel start), and by
        # Filebeat's millisecond stamps at most
        delay = boot.first.mono_us / 1e6
        assert -0.001 <= boot.gap_s - row.gap_s <= delay + 0.001


def test_fluent_bit_and_loki_keep_the_printk_time_of_kernel_lines(entries):
    for data in (sp.to_fluent_bit(entries), sp.to_loki(entries, json_lines=True)):
        records, _ = read_bytes(data)
        starts = [r for r in records if r.kind is Kind.KERNEL_START]
        assert starts and all(r.mono_us == 0 for r in starts)
        assert all(r.mono_us is None for r in records if r.kind is Kind.ARMED)


def test_journalctl_json_is_not_taken_for_a_pipeline(journal):
    assert sniff(synth.render(journal, "json")[:1 << 16]) == "json"
    fields = "--output-fields=MESSAGE,SYSLOG_IDENTIFIER,_HOSTNAME"
    assert sniff(synth.render(journal, "json", "UTC", fields)[:1 << 16]) == "json"
    for fmt in ("json-pretty", "json-seq", "json-sse"):
        assert sniff(synth.render(journal, fmt)[:1 << 16]) == fmt


def test_other_json_logs_are_not_a_pipeline():
    data = b'{"time":"2024-01-01T00:00:00Z","level":"info","message":"hello"}\n'
    assert sniff(data) == "json"


def test_damaged_lines_are_reported_and_the_rest_is_read(fleet, entries):
    lines = sp.to_vector(entries).splitlines(keepends=True)
    lines[5] = b'{"message": "cut off\n'
    lines[9] = b'{"no": "pipeline"}\n'
    data = b"".join(lines)
    with pytest.warns(BootlagWarning) as caught:
        records, info = read_bytes(data, "vector.json")
        info.warn()
    assert info.skipped == {"not JSON (skipped)": [6],
                            "not a journal record of a known log pipeline (skipped)": [10]}
    assert "vector.json: line 6" in str(caught[0].message)
    frame = assemble(records, {"vector.json": info})
    assert len(frame) == len(fleet) and (frame.status != "unknown").all()


def test_a_damaged_document_of_a_dump_loses_only_itself(fleet, entries):
    data = sp.to_elasticsearch(entries, page=30)
    docs = data.split(b"\n{\n")
    assert len(docs) > 3
    docs[1] = docs[1][: len(docs[1]) // 2]  # the second response cut in the middle
    damaged = b"\n{\n".join(docs)
    records, info = read_bytes(damaged, "dump.json")
    assert list(info.skipped) == ["damaged JSON document (skipped)"]
    seen = {r.boot for r in records}
    assert len(seen) >= len(fleet) - 3  # the other responses' hits are all read


def test_loki_without_boot_ids_starts_a_boot_at_each_kernel_start(fleet, entries):
    frame, _ = table(sp.to_loki(entries, labels=("host", "syslog_identifier")))
    assert frame.boot_id.isna().all()
    assert frame.groupby("host").size().to_dict() == {
        h: sum(b.host == h for b in fleet) for h in {b.host for b in fleet}}


def test_filebeat_keeps_no_monotonic_field(entries):
    event = json.loads(sp.to_filebeat(entries[:1]))
    flat = json.dumps(event)
    assert "MONOTONIC" not in flat.upper().replace("JOURNALD.CUSTOM", "")
    assert event["journald"]["host"]["boot_id"] == entries[0]["_BOOT_ID"]


def test_elasticdump_hits_and_fluent_bit_2_arrays(fleet, entries):
    hits = b"".join(json.dumps({"_index": "filebeat", "_id": str(i), "_source": event}).encode()
                    + b"\n" for i, event in enumerate(map(sp.filebeat_event, entries)))
    assert sniff(hits[:1 << 16]) == "elasticsearch"
    frame, _ = table(hits)
    assert len(frame) == len(fleet)
    v2 = b"".join(json.dumps([[int(e["__REALTIME_TIMESTAMP"]) / 1e6, {}],
                              {k: v for k, v in e.items() if not k.startswith("__")}]).encode()
                  + b"\n" for e in entries)
    assert sniff(v2[:1 << 16]) == "fluent-bit"
    assert len(table(v2)[0]) == len(fleet)
    assert sniff(b'[1700000000, {"a": 1}]\n') != "fluent-bit"


def test_every_format_has_a_seed_renderer():
    from bootlag.formats import FAMILY_OF, FORMATS

    journalctl = {"journal", "export", "json", "verbose", "text"}
    for name in FORMATS:
        assert FAMILY_OF[name].name in journalctl or name in sp.RENDERERS, name
