"""The export queries: generated from the lines-that-matter contract, and enough to scan."""

from __future__ import annotations

import math
import re

import pytest

from bootlag import events, queries, synth
from bootlag.boots import assemble
from bootlag.formats import read_bytes
from bootlag.matters import TRIGGER_WORDS


def _alternation(query: str) -> re.Pattern[str]:
    body = re.search(r"'([^']*)'|`([^`]*)`|_raw=\"([^\"]*)\"", query)
    assert body is not None
    return re.compile(next(g for g in body.groups() if g))


@pytest.mark.parametrize("language", ["grep", "logql", "spl"])
def test_every_trigger_and_boundary_word_is_in_the_query(language):
    pattern = _alternation(queries.query(language))
    for word in (*TRIGGER_WORDS, *queries.BOUNDARY_WORDS):
        assert pattern.search(f"x {word} y"), word


def test_kql_has_a_term_for_every_word():
    text = queries.kql()
    assert text.startswith("message:(") and text.count(" or ") >= len(TRIGGER_WORDS) - 3
    assert "*kexec*" in text and '"Startup finished"' in text


def test_a_word_with_metacharacters_is_refused():
    with pytest.raises(ValueError):
        queries.grep(("a|b",))


@pytest.fixture(scope="module")
def journal_json(tmp_path_factory):
    boots = synth.make_fleet(seed=5, boots_per_host=2, filler=30)
    path = tmp_path_factory.mktemp("queries") / "fleet.journal"
    return boots, synth.render(synth.write_journal(synth.to_export(boots), str(path)), "json")


def test_the_filtered_export_gives_the_same_boots(journal_json):
    boots, data = journal_json
    pattern = _alternation(queries.grep())
    lines = data.splitlines(keepends=True)
    kept = b"".join(line for line in lines if pattern.search(line.decode()))
    assert len(kept) * 4 < len(data)
    full = assemble(*_read(data))
    filtered = assemble(*_read(kept))
    columns = ["boot_id", "host", "status", "mode", "gap_s", "loader", "clock", "kernel"]
    assert full[columns].equals(filtered[columns])
    assert sum(not math.isnan(g) for g in filtered.gap_s) == sum(b.gap_s is not None
                                                                 for b in boots)


def _read(data):
    records, info = read_bytes(data, "fleet.json")
    return records, {"fleet.json": info}


def test_every_message_an_event_is_made_of_is_kept(journal_json):
    boots, _ = journal_json
    pattern = _alternation(queries.grep())
    for b in boots:
        for e in b.entries:
            message = e.fields["MESSAGE"]
            if events.classify(e.fields.get("SYSLOG_IDENTIFIER"), message) is not None:
                assert pattern.search(message), message


def test_the_filter_command_prints_the_query(capsys):
    from bootlag.cli import main

    for language in queries.LANGUAGES:
        assert main(["filter", f"--{language}"]) == 0
        assert capsys.readouterr().out.strip() == queries.query(language)
