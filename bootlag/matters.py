"""The lines that matter: what a reader's fast path may skip without changing a record.

`bootlag.boots` needs, of each boot in a source: its first and last entry
(where and when it was, and the last real host name), every entry that
`bootlag.events.classify` turns into an event, and, where the format has
only the wall clock, every entry up to the boot's arming or failure (to see
the wall clock jump, `bootlag.clock.jumped`). A fast path may therefore
skip an entry only when all of these hold:

1. its message holds none of `TRIGGER_WORDS` (``classify`` returns None for
   such a message: ``tests/test_events.py`` checks every rule against them),
   and the message is there to be searched: journalctl writes a message that
   is not valid text as a JSON array of byte values (`text_hidden`), which
   must be decoded before it can be searched;
2. it is no boot boundary: not a ``-- `` separator line of text (`STOPS`),
   and in monotonic text without separators not a stamp in a boot's first
   minutes (`bootlag.clock.RESET_BELOW_US`), where a new boot may begin;
3. `may_skim` allows it: the boot has a monotonic clock, or it has settled;
4. it is not its boot's last entry: a fast path keeps the last entry it
   skipped of each boot and reads it once nothing of that boot follows;
   that entry, or the latest before it that names a real host, gives the
   boot's host.

Only the fields in `ENTRY_FIELDS` of a field-based entry are ever read.
Every reader takes ``ReadOptions(full=True)`` to read every entry instead,
and ``tests/test_contract.py`` checks that both give the same records on
every input the tests make.
"""

from __future__ import annotations

from .events import TRIGGER, TRIGGER_BYTES, TRIGGER_WORDS

__all__ = ["ENTRY_FIELDS", "STOPS", "TRIGGER", "TRIGGER_BYTES", "TRIGGER_WORDS", "may_skim",
           "text_hidden"]

# Where a text fast path must stop and read: a trigger word, or a separator.
STOPS: tuple[bytes, ...] = (*(w.encode() for w in TRIGGER_WORDS), b"-- ")

# The fields of a journal entry that can matter; readers may drop the others unread.
ENTRY_FIELDS = frozenset({
    "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP", "_BOOT_ID", "_SOURCE_MONOTONIC_TIMESTAMP",
    "SYSLOG_IDENTIFIER", "_COMM", "MESSAGE", "_HOSTNAME", "_PID",
})


_BYTE_ARRAY_MESSAGES = (b'"MESSAGE":[', b'"MESSAGE" : [')  # journalctl json since / before v240


def text_hidden(raw_json_line: bytes) -> bool:
    """Whether a JSON entry's message is an array of byte values, not searchable text."""
    return any(form in raw_json_line for form in _BYTE_ARRAY_MESSAGES)


def may_skim(monotonic: bool, settled: bool) -> bool:
    """Whether a boot's entries without a trigger word may be skipped from now on.

    With a monotonic clock no entry between events matters (there are no wall
    clock jumps to watch for); with the wall clock only, not before the boot
    armed or failed.
    """
    return monotonic or settled
