"""Which files of a sosreport hold the journal, and what the report says about its host.

A sosreport (a directory or a tarball) holds the journal several times over:
the whole journal, this boot, the previous boot, sometimes an export or the
raw ``.journal`` files. Reading them all would count boots twice, so `plan`
picks the most complete copy, and collects the context needed to read local
time text: host name, time zone and collection date (the year of ``short``).
Names follow sos's ``_mangle_command`` (``docs/formats.md``, "sosreports").
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_FULL = re.compile(r"^sos_commands/logs/journalctl_--no-pager(?:_--since.*)?$")
_EXPORT = re.compile(r"^sos_commands/logs/journalctl_(?:--no-pager_)?-o_export")
_PER_BOOT = re.compile(r"^sos_commands/logs/journalctl_(?:--no-pager_(?:--catalog_)?--boot.*"
                       r"|--all_--this-boot_--no-pager(?!_-o_verbose))$")
_RAW = re.compile(r"^(?:var/log|run/log)/journal/.+\.journal~?$")
_TZ = re.compile(r"Time zone:\s*([A-Za-z_+\-/0-9]+)")
_YEAR = re.compile(r"\b(19[7-9]\d|2\d{3})\b")
_NAME_DATE = re.compile(r"-(\d{4})-\d\d-\d\d-")


@dataclass(frozen=True)
class Context:
    """What a collection says about the host its journal came from."""

    host: str | None = None
    tz: str | None = None  # IANA zone the journal text was written in
    year: int | None = None  # year of collection = year of the journal's last line


def plan(root_name: str, names: set[str],
         read: Callable[[str], bytes | None]) -> tuple[list[str], Context]:
    """The journal files to read (names relative to the sos root), and the context.

    `read` returns a small file's bytes (None if absent). Raw ``.journal``
    files (``--all-logs``) are the most complete copy, then an export, then
    the whole journal as text, then the per-boot text files.
    """
    raw = sorted(n for n in names if _RAW.match(n))
    export = sorted(n for n in names if _EXPORT.match(n))
    full = sorted(n for n in names if _FULL.match(n))
    per_boot = sorted(n for n in names if _PER_BOOT.match(n))
    if raw:
        chosen = raw
    elif export:
        chosen = export
    elif full:
        chosen = full[:1]
    else:
        chosen = per_boot
    return chosen, Context(host=_first_line(read, "hostname", "etc/hostname",
                                            "sos_commands/general/hostname",
                                            "sos_commands/host/hostname"),
                           tz=_zone(read), year=_year(root_name, read))


def _first_line(read: Callable[[str], bytes | None], *names: str) -> str | None:
    for name in names:
        data = read(name)
        if data:
            line = data.decode("utf-8", "replace").strip().splitlines()
            if line and line[0].strip():
                return line[0].strip()
    return None


def _zone(read: Callable[[str], bytes | None]) -> str | None:
    """The report's time zone, if this machine knows it (else the text is read as UTC)."""
    data = read("sos_commands/systemd/timedatectl") or read("sos_commands/date/timedatectl")
    m = _TZ.search(data.decode("utf-8", "replace")) if data else None
    return m.group(1) if m and known_zone(m.group(1)) else None


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def _year(root_name: str, read: Callable[[str], bytes | None]) -> int | None:
    for name in ("date", "sos_commands/date/date", "sos_commands/general/date"):
        data = read(name)
        if data:
            years = _YEAR.findall(data.decode("utf-8", "replace"))
            if years:
                return int(years[-1])
    m = _NAME_DATE.search(posixpath.basename(root_name.rstrip("/")))
    return int(m.group(1)) if m else None


def resolve_link(name: str, target: str) -> str | None:
    """A symlink's target as a name inside the same tree, or None if it leaves the tree."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if target.startswith("/") or joined.startswith(("../", "/")) or joined == "..":
        return None
    return joined
