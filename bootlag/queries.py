"""The query that exports only the lines bootlag needs, in a log store's own language.

Generated from the lines-that-matter contract (`bootlag.matters`): every message
a rule of `bootlag.events` can match holds one of `TRIGGER_WORDS`; to these come
`BOUNDARY_WORDS`, the lines that mark where a boot's journal starts and ends
(journald's own start and stop, shutdown and suspend), so a filtered export
still shows each boot's first and last lines. A fleet then exports kilobytes a
boot instead of its whole journal; ``bootlag filter --grep|--logql|--kql|--spl``
prints the query (README, "From your log pipeline").

What a filtered export loses: the lines between, so a wall-clock jump that no
line reports (a step without chronyd's or timesyncd's message) cannot be seen;
boot ids and the monotonic clock stay wherever the pipeline keeps them.
"""

from __future__ import annotations

import re

from .matters import TRIGGER_WORDS

__all__ = ["BOUNDARY_WORDS", "LANGUAGES", "WORDS", "grep", "kql", "logql", "query", "spl"]

# journald starting and stopping (each boot's first and last lines of userspace), the
# shutdown targets and systemd-shutdown, suspend (the monotonic clock stands still).
BOUNDARY_WORDS: tuple[str, ...] = (
    "Journal started", "Journal stopped", "Reached target System", "systemd-shutdown",
    "PM: suspend", "Booting Linux",
)
WORDS: tuple[str, ...] = (*TRIGGER_WORDS, *BOUNDARY_WORDS)

LANGUAGES = ("grep", "logql", "kql", "spl")

_PLAIN = re.compile(r"^[A-Za-z0-9 :/-]+$")


def _regex(words: tuple[str, ...] = WORDS) -> str:
    """One alternation matching every word (POSIX ERE, RE2 and PCRE read it alike)."""
    for word in words:
        if not _PLAIN.match(word.strip()):
            raise ValueError(f"{word!r}: a word with regex metacharacters needs escaping here")
    return "|".join(words)


def grep(words: tuple[str, ...] = WORDS) -> str:
    """``grep -E`` over ``journalctl -o json`` (or any one-entry-a-line export)."""
    return f"journalctl -o json --no-pager | grep -E '{_regex(words)}'"


def logql(words: tuple[str, ...] = WORDS, selector: str = '{job="systemd-journal"}') -> str:
    """Loki: a line filter with the same alternation (RE2) on the journal's streams."""
    return f"{selector} |~ `{_regex(words)}`"


def spl(words: tuple[str, ...] = WORDS, search: str = "index=* sourcetype=journald") -> str:
    """Splunk: the same alternation over each event's raw text."""
    return f'search {search} | regex _raw="{_regex(words)}"'


# KQL matches analysed terms, not substrings: a fragment of a word becomes a wildcard on
# the whole word, punctuation goes, and case does not matter.
_KQL_FRAGMENTS = {
    "ommand line:": '"command line"', "rashkernel": "*crashkernel*", "DUMP": "*dump*",
    "saving to /": '"saving to"', "saved ": "saved", "PM: suspend": '"PM: suspend"',
    "systemd-shutdown": '"systemd-shutdown"', "Power-Off": '"power off"',
}


def _kql_term(word: str) -> str:
    if word in _KQL_FRAGMENTS:
        return _KQL_FRAGMENTS[word]
    if re.fullmatch(r"[a-z]+", word):
        return f"*{word}*"
    if re.fullmatch(r"[A-Za-z ]+", word):
        return f'"{word}"'
    raise ValueError(f"{word!r}: no KQL term for it; add one to _KQL_FRAGMENTS")


def kql(words: tuple[str, ...] = WORDS, field: str = "message") -> str:
    """Kibana (KQL) on Filebeat's ``message`` field."""
    terms = list(dict.fromkeys(_kql_term(w) for w in words))
    return f"{field}:({' or '.join(terms)})"


def query(language: str) -> str:
    """The query in `language` (one of `LANGUAGES`)."""
    return {"grep": grep, "logql": logql, "kql": kql, "spl": spl}[language]()
