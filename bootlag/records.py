"""The small typed values that flow between the stages: records, positions, warnings, errors.

A reader turns each journal entry that matters into a `Record`; `bootlag.boots`
turns a boot's records into a row. Nothing downstream of `bootlag.events`
looks inside a message's text: what a line means travels as the record's
`Kind` and its typed `detail`.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import NamedTuple, Union


class BootlagError(Exception):
    """An input bootlag cannot read at all (the message names the file)."""


class NoSuchInput(BootlagError):
    """A path that names no file, directory or glob match (a usage error, not bad data)."""


class BootlagWarning(UserWarning):
    """Something in an input was skipped; the message names the file and line (or offset)."""


class Kind(str, enum.Enum):
    """What a record stands for.

    The first four are a reader's bookkeeping (where a boot's entries begin
    and end, where its wall clock jumped, and its kernel line that bounds
    kernel start best); the rest are what
    `bootlag.events` found a message to say.
    """

    FIRST = "first"  # the first entry of a boot seen in a source
    LAST = "last"  # the last entry of a boot seen in a source
    JUMP = "clock-jump"  # the wall clock jumped between two consecutive entries before arming
    PRINTK = "printk"  # the kernel line whose wall time minus printk time is least (a bound)
    KERNEL_START = "kernel-start"  # "Linux version ..."
    CMDLINE = "cmdline"  # the kernel command line
    RESERVE_FAILED = "crashkernel-failed"  # the kernel could not reserve crash memory
    EARLY_ENABLED = "early-kdump-enabled"
    EARLY_DISABLED = "early-kdump-disabled"
    ARMED = "armed"  # a crash kernel was loaded
    ALREADY = "already-running"  # kdumpctl found a crash kernel loaded (by early kdump)
    FAILED = "failed"  # an arming attempt failed
    UNLOADED = "unloaded"
    STARTUP = "startup-finished"  # systemd's "Startup finished in ..."
    CLOCK_STEP = "clock-step"  # the wall clock was stepped (NTP, RTC)
    CAPTURE = "capture"  # a line only the kdump capture (second) kernel writes
    SUSPEND = "suspend"  # the system went to sleep (the monotonic clock stands still)
    SHUTDOWN = "shutdown"  # a clean shutdown or reboot was under way (`Reached target ...`)

    @property
    def is_event(self) -> bool:
        return self not in (Kind.FIRST, Kind.LAST, Kind.JUMP, Kind.PRINTK)


# Modes: what armed a boot.
EARLY = "early-kdump"
KDUMP = "kdump"

# Who said a failure, so that the kdump service's verdict is told from early kdump's.
BY_EARLY_KDUMP = "early-kdump"  # the dracut hook in the initramfs
BY_SERVICE = "kdump-service"  # kdumpctl, kdump-tools, load.sh, or systemd about their unit
BY_KERNEL = "kernel"

# Why a boot was never protected (the boots table's ``reason`` column is a code, then
# ": " and the logged text where there is one). The first that applies is the reason,
# in this order; `bootlag.events` says which failure is which (`Failure.cause`).
NO_CRASHKERNEL = "no-crashkernel"
RESERVATION_FAILED = "reservation-failed"
SERVICE_FAILED = "service-failed"
EARLY_MODULE_MISSING = "early-kdump-module-missing"
ENDED_ABRUPTLY = "ended-abruptly"
NO_KDUMP_SERVICE = "no-kdump-service"
LOG_TOO_SHORT = "log-too-short"
REASONS: tuple[tuple[str, str], ...] = (
    (NO_CRASHKERNEL, "no crashkernel= on the kernel command line (or the kdump service said "
                     "so): no memory was set aside for a crash kernel"),
    (RESERVATION_FAILED, "the kernel could not reserve the crash kernel's memory "
                         "(crashkernel reservation failed, cannot allocate crashkernel, "
                         "Memory for crashkernel is not reserved, No memory reserved for crash "
                         "kernel)"),
    (SERVICE_FAILED, "the kdump service (or early kdump) tried to load the crash kernel and "
                     "failed; its first failure message follows"),
    (EARLY_MODULE_MISSING, "rd.earlykdump is on the command line but the initramfs said nothing "
                           "of early kdump (its module is missing), and nothing else armed"),
    (ENDED_ABRUPTLY, "the boot ended abruptly (panic, watchdog, reset, power loss: a later boot "
                     "of the host follows) before anything armed"),
    (NO_KDUMP_SERVICE, "the log covers the arming window but has no kdump service line at all"),
    (LOG_TOO_SHORT, "the log does not cover the part of the boot where arming happens (its "
                    "start is missing, or it ends before startup finished)"),
)

# How a boot ended (the ``end`` column).
END_SHUTDOWN = "shutdown"
END_ABRUPT = "abrupt"
END_OPEN = "open"
ENDS: tuple[tuple[str, str], ...] = (
    (END_SHUTDOWN, "a clean shutdown or reboot was logged (Reached target System "
                   "Reboot/Power-Off/Halt/Shutdown, systemd-shutdown, Journal stopped)"),
    (END_ABRUPT, "the log stops without one and a later boot of the same host follows: a "
                 "panic, watchdog, reset or power loss (or a lost log tail)"),
    (END_OPEN, "the log ends with this boot (it may still be running)"),
)


@dataclass(frozen=True)
class Armed:
    mode: str  # EARLY or KDUMP
    loader: str  # what loaded it: early-kdump, kdumpctl, kdump-tools, load.sh, fadump, ...
    phase: str  # where in the boot the loader runs: "initrd" or "userspace"


@dataclass(frozen=True)
class Failure:
    text: str  # the message, without the logger's decorations
    by: str  # BY_EARLY_KDUMP, BY_SERVICE or BY_KERNEL
    cause: str = SERVICE_FAILED  # the reason code it gives: NO_CRASHKERNEL, RESERVATION_FAILED, ...


@dataclass(frozen=True)
class KernelRelease:
    release: str  # "5.14.0-284.11.1.el9_2.x86_64"


@dataclass(frozen=True)
class CommandLine:
    text: str
    crashkernel: str | None = None  # the crashkernel= value (None: not on the line)
    rd_earlykdump: bool = False  # rd.earlykdump turns early kdump on (not =0/no/off)


@dataclass(frozen=True)
class Startup:
    """systemd's boot phases in seconds (NaN where the line has no such part)."""

    kernel_s: float
    initrd_s: float = math.nan
    userspace_s: float = math.nan
    total_s: float = math.nan  # includes firmware and loader on EFI machines
    firmware_s: float = math.nan
    loader_s: float = math.nan
    digit_s: float = 1e-3  # how finely the parts are given: the text's ms, or µs (KERNEL_USEC)


@dataclass(frozen=True)
class Seconds:
    """A signed amount of time: how far the wall clock jumped or was stepped (NaN: not said)."""

    value: float
    stepped: bool = False  # the clock was set by exactly `value` (chrony's "was stepped by")


Detail = Union[Armed, Failure, KernelRelease, CommandLine, Startup, Seconds, None]  # noqa: UP007 (a runtime alias on 3.10)


class Position(NamedTuple):
    """Where a record's entry is in its (decompressed) source: a 1-based line, or a byte
    offset (binary journals)."""

    number: int
    unit: str = "line"  # "line" or "offset"

    def __str__(self) -> str:
        return f"{self.unit} {self.number}"


LINE = "line"
OFFSET = "offset"


class Record(NamedTuple):
    """One journal entry that matters for the protection gap.

    Times are integers in microseconds. ``mono_us`` is time since kernel start
    (CLOCK_MONOTONIC of the boot; for kernel lines the kernel's own stamp,
    CLOCK_BOOTTIME, which also counts time suspended), ``real_us`` is wall-clock
    time since the Unix epoch in UTC. Either is ``None`` when the format does
    not carry it.
    """

    kind: Kind
    boot: str  # boot key, unique within a scan: a 32-hex boot id or "<source>#<n>"
    host: str | None
    mono_us: int | None
    real_us: int | None
    ident: str | None
    message: str  # kept for the reader's user (warnings, debugging); never decided on
    source: str
    at: Position
    detail: Detail = None
