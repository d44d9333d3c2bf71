"""The small values that flow between the stages: records, warnings, errors."""

from __future__ import annotations

from typing import Any, NamedTuple


class BootlagError(Exception):
    """An input bootlag cannot read at all (the message names the file)."""


class NoSuchInput(BootlagError):
    """A path that names no file, directory or glob match (a usage error, not bad data)."""


class BootlagWarning(UserWarning):
    """Something in an input was skipped; the message names the file and line."""


# Record kinds a parser emits besides the event kinds of `bootlag.events`.
FIRST = "first"  # the first entry of a boot seen in a source
LAST = "last"  # the last entry of a boot seen in a source
JUMP = "clock-jump"  # the wall clock jumped between two consecutive entries before arming


class Record(NamedTuple):
    """One journal entry that matters for the protection gap.

    Times are integers in microseconds. ``mono_us`` is time since kernel start
    (CLOCK_MONOTONIC of the boot; for kernel lines the kernel's own stamp,
    CLOCK_BOOTTIME, which also counts time suspended), ``real_us`` is wall-clock
    time since the Unix epoch in UTC. Either is ``None`` when the format does
    not carry it.
    """

    kind: str
    boot: str  # boot key, unique within a scan: a 32-hex boot id or "<source>#<n>"
    host: str | None
    mono_us: int | None
    real_us: int | None
    ident: str | None
    message: str
    source: str
    line: int  # 1-based line number in the (decompressed) source
    detail: Any = None
