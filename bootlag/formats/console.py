"""The kernel's own log as text: ``dmesg``, ``dmesg -T``, ``dmesg --time-format=iso``, and
serial-console captures (cloud ``get-console-output``, libvirt ``console.log``, SONiC).

Layout (util-linux ``sys-utils/dmesg.c``; the kernel's ``printk`` console format)::

    [    5.475730] <message>                      dmesg, serial consoles
    <6>[    5.475730] <message>                   dmesg -r (the syslog level kept)
    kern  :info  : [    5.475730] <message>       dmesg -x (-d adds `` <    0.000123>``)
    [Tue Dec  1 10:00:05 2026] <message>          dmesg -T (local time, 1 s)
    2026-12-01T10:00:05,475730+01:00 <message>    dmesg --time-format=iso

The bracketed stamp is the printk time, seconds since kernel start: gaps read from
it are exact. There is no host and no identifier: a message is the kernel's,
unless it starts with ``ident[pid]: `` (lines userspace writes to ``/dev/kmsg``,
as systemd and, on consoles, kdump-tools and kdumpctl do). systemd's console
status lines (``[  OK  ] Started Load kdump kernel and initrd.``) carry no stamp:
they are timed by the stamped line after them (the last of a boot, by the one
before), so a gap read from one is late by at most that distance, never early.

Everything else on a console (firmware, BIOS, GRUB, UEFI and boot-loader lines,
ANSI escapes, carriage-return redraws, login prompts) is noise, skipped quietly.
A boot begins where the printk time falls back to a new boot's first minutes,
or at a second ``Linux version`` line (a kernel start that follows one already
seen: arm64 prints ``Booting Linux on physical CPU`` before it, so the first
kernel start of a capture never splits it). The host is ``Hostname set to
<…>`` from systemd when it is there, else the file's name (`bootlag.boots`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import clock, events
from ..records import Kind, Record
from ..sources import InputStream
from .common import Collector, ReadOptions, SourceInfo, buffered, line_blocks
from .months import month_number
from .text import YearlessClock, _naive_us, _offset_us, default_year

__all__ = ["console_style", "read_console"]

# An ANSI escape (CSI ... final byte, OSC ... BEL/ST, or a two-byte escape), and the
# other control characters a terminal would not print.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[()][0-9A-Za-z]|.)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The printk stamp, anywhere near the start (consoles prefix noise, dmesg -x a facility).
# (``dmesg -d`` adds the delta, ``[    5.475730 <    0.000123>]``; ``dmesg -x`` a facility and
# level, ``kern  :info  : [    5.475730] ``.)
_PRINTK = re.compile(r"(?:<\d{1,3}>)?\[\s*(\d{1,9})\.(\d{6})(?:\s*<[^>]{0,24}>)?\] ?")
# (A capture tool may stamp each line with its own time first: digits and time punctuation
# only, so a syslog line's ``host kernel: [ 5.475730]`` stays text.)
_PRINTK_AT_START = re.compile(rb"^(?:[a-z]{2,8} *:[a-z]{2,8} *: |<\d{1,3}>|[\d\-T:.,+Z ]{8,40})?"
                              rb"\[\s*\d{1,9}\.\d{6}(?:\s*<[^>]{0,24}>)?\] ")
_FACILITY = re.compile(r"[a-z]{2,8} *:[a-z]{2,8} *: \[")
_RAW_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\r")
_DMESG_T = re.compile(r"^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) "
                      r"(\d{4})\] ?")
_DMESG_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d),(\d{6})([+-]\d\d:?\d\d) ")
# A journalctl short-monotonic line: ``[stamp] host kernel: `` or ``[stamp] host ident[pid]: ``,
# or with --no-hostname ``[stamp] kernel: `` (dmesg never names the kernel).
_JOURNALCTL_SHAPE = re.compile(rb"^\[\s*\d+\.\d{6}\] (?:\S+ (?:kernel|[^\s\[\]]+\[\d+\])"
                               rb"|kernel): ")
_STATUS = re.compile(r"^\[\s*(?:OK|FAILED|DEPEND|TIME|WARN|INFO)\s*\] (.*)$")
_USERSPACE = re.compile(r"^([\w.@-]{1,64})\[(\d{1,10})\]: ")
_HOSTNAME = re.compile(r"(?:Hostname set to|Set hostname to) <([^<>\s]{1,253})>")
_SNIFF_LINES = 200


def console_style(head: bytes) -> str | None:
    """``dmesg``, ``dmesg-T``, ``dmesg-iso`` or ``console`` from a file's first bytes, else None.

    The stamp must start most stamped lines, and those lines must not be journalctl's
    ``short-monotonic`` (which has a host and an identifier after the stamp).
    """
    lines = head.split(b"\n")[:_SNIFF_LINES]
    if len(lines) > 1 and len(head) >= 1 << 16:
        lines = lines[:-1]  # cut by the head's end
    stamped = journalctl = other = 0
    noisy = False
    for raw in lines:
        clean = _RAW_ANSI.sub(b"", raw)
        noisy = noisy or clean != raw
        if not clean.strip():
            continue
        if clean.startswith(b"-- ") and clean.rstrip().endswith(b" --"):
            return None  # journalctl's separators and headers: its own text
        if _PRINTK_AT_START.match(clean):
            stamped += 1
            noisy = noisy or not (clean.startswith((b"[", b"<")) or clean[:1].isalpha())
            journalctl += bool(_JOURNALCTL_SHAPE.match(clean))
            continue
        text = clean.decode("utf-8", "replace")
        wall = _DMESG_T.match(text)
        if wall is not None and month_number(wall.group(1)):
            return "dmesg-T"
        if _DMESG_ISO.match(text):
            return "dmesg-iso"
        other += 1
    if not stamped or journalctl * 2 >= stamped:
        return None
    return "console" if noisy or other else "dmesg"


class ConsoleReader:
    """Reads one dmesg or console text into records (see the module docstring)."""

    def __init__(self, info: SourceInfo, options: ReadOptions) -> None:
        self.info = info
        self.collector = Collector(info.name)
        self.clock = YearlessClock(options.year or default_year(options.mtime), options.tz)
        self._segment = 0
        self._boot = f"{info.name}#0"
        self._lines_in_boot = 0
        # the stage of the current boot's latest kernel-start line (`events.starts_boot`);
        # None before its kernel start
        self._started: int | None = None
        self._prev_mono: int | None = None
        self._prev_real: int | None = None
        self._host: str | None = None
        self._noise = 0  # lines that are not the kernel's: firmware, boot loader, prompts
        self._stamped = 0  # lines with a printk stamp
        self._status = 0  # systemd status lines
        self._pending: list[tuple[int, str]] = []  # status lines not yet timed

    def read(self, stream: InputStream) -> Iterator[Record]:
        number = 0
        for block in line_blocks(buffered(stream)):
            pieces = block.split(b"\n")
            if block.endswith(b"\n"):
                pieces.pop()  # the empty piece after the block's last newline
            for raw in pieces:
                number += 1
                self._line(number, raw)
        self._flush(self._prev_mono, self._prev_real)  # after the last stamped line
        seen = self.info.formats_seen
        if self._stamped:
            seen["console" if self._noise or self._status else "dmesg"] = self._stamped
        yield from self.clock.resolve_all(self.collector.finish())

    def _line(self, number: int, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace")
        # A carriage return redraws the line: each piece is what the console showed.
        for piece in text.split("\r"):
            piece = _CONTROL.sub("", _ANSI.sub("", piece))
            if piece.strip():
                self._piece(number, piece)

    def _piece(self, number: int, line: str) -> None:
        mono: int | None
        real: int | None = None
        if (t := _DMESG_T.match(line)) is not None:
            month = month_number(t.group(1))
            real = None if month is None else self.clock.stamp(
                int(t.group(6)), month, int(t.group(2)), int(t.group(3)), int(t.group(4)),
                int(t.group(5)), 0)
            if real is None:
                self._noise += 1
                return
            mono, message = None, line[t.end():]
            self._seen("dmesg-T")
        elif (iso := _DMESG_ISO.match(line)) is not None:
            y, mo, d, hh, mm, ss, us = (int(g) for g in iso.groups()[:7])
            if not (1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61):
                self._noise += 1
                return
            real = _naive_us(y, mo, d, hh, mm, ss, us) - _offset_us(iso.group(8))
            mono, message = None, line[iso.end():]
            self._seen("dmesg-iso")
        elif (m := _PRINTK.search(line, 0, 64)) is not None:
            mono = int(m.group(1)) * 1_000_000 + int(m.group(2))
            message = line[m.end():]
            self._stamped += 1
            # something before the stamp that is not dmesg -x's facility: a console's prefix
            self._noise += m.start() > 0 and _FACILITY.match(line) is None
        elif (status := _STATUS.match(line.strip())) is not None:
            # systemd's status line: no stamp of its own; timed by the next stamped line
            self._status += 1
            if self._lines_in_boot:
                self._pending.append((number, status.group(1)))
            return
        else:
            self._noise += 1  # firmware, boot loader, login prompts: quietly skipped
            return
        ident = "kernel"
        user = _USERSPACE.match(message)
        if user is not None:
            ident, message = user.group(1), message[user.end():]
        event = events.classify(ident, message)
        if self._lines_in_boot and self._boot_begins(mono, real, event):
            self._flush(self._prev_mono, self._prev_real)  # the old boot's last lines
            self._new_boot()
        self._flush(mono, real)
        if event is not None and event.rule.stage is not None:
            self._started = event.rule.stage
        self._add(number, mono, real, ident, message, event)

    def _boot_begins(self, mono: int | None, real: int | None,
                     event: events.Event | None) -> bool:
        """The printk time fell back to a new boot's start, or a second kernel start (one
        that does not go on with the run of lines a kernel prints first, such as arm64's
        "Booting Linux on physical CPU" before "Linux version": `events.starts_boot`)."""
        if clock.monotonic_reset(self._prev_mono, mono):
            return True
        if event is None or event.kind is not Kind.KERNEL_START:
            return False
        went_back = ((mono is not None and self._prev_mono is not None
                      and mono < self._prev_mono)
                     or (real is not None and self._prev_real is not None
                         and real < self._prev_real))
        return (self._started is not None and events.starts_boot(event, self._started)
                ) or went_back

    def _flush(self, mono: int | None, real: int | None) -> None:
        """Status lines seen since the last stamped line, at the time given."""
        pending, self._pending = self._pending, []
        if mono is not None or real is not None:
            for number, message in pending:
                self._add(number, mono, real, "systemd", message)

    def _new_boot(self) -> None:
        self._segment += 1
        self._boot = f"{self.info.name}#{self._segment}"
        self._lines_in_boot = 0
        self._started = None
        self._prev_mono = self._prev_real = None
        self._host = None

    def _add(self, number: int, mono: int | None, real: int | None, ident: str, message: str,
             event: events.Event | None = None) -> None:
        if event is None:
            event = events.classify(ident, message)
        named = _HOSTNAME.search(message) if ident == "systemd" else None
        if named is not None:
            self._host = named.group(1)
        self._lines_in_boot += 1
        if mono is not None:
            self._prev_mono = mono
        if real is not None:
            self._prev_real = real
        self.collector.add(self._boot, number, mono, real, self._host, ident, message, event)

    def _seen(self, name: str) -> None:
        seen = self.info.formats_seen
        seen[name] = seen.get(name, 0) + 1


def read_console(stream: InputStream, options: ReadOptions, info: SourceInfo) -> Iterator[Record]:
    """``dmesg`` (plain, ``-r``, ``-T``, ``--time-format=iso``) and serial-console captures."""
    return ConsoleReader(info, options).read(stream)
