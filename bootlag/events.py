"""The message catalogue: which journal lines say the crash kernel was armed, failed, ...

Every rule names the identifiers (SYSLOG_IDENTIFIER, or the ``ident[pid]`` of
text output) that may say it, so a ``sudo`` or ``echo`` line quoting
"kexec: loaded kdump kernel" is not an arming. To teach bootlag a new distro's
line, add a `Rule` to `RULES` and a case to ``tests/test_events.py``; nothing
else changes. ``docs/formats.md`` gives the sources of each message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import clock
from .records import (
    BY_EARLY_KDUMP,
    BY_KERNEL,
    BY_SERVICE,
    EARLY,
    KDUMP,
    Armed,
    CommandLine,
    Detail,
    Failure,
    KernelRelease,
    Kind,
    Seconds,
    Startup,
)

# Event kinds, under their old names (every kind is a `bootlag.records.Kind`).
KERNEL_START = Kind.KERNEL_START
CMDLINE = Kind.CMDLINE
RESERVE_FAILED = Kind.RESERVE_FAILED
EARLY_ENABLED = Kind.EARLY_ENABLED
EARLY_DISABLED = Kind.EARLY_DISABLED
ARMED = Kind.ARMED
ALREADY = Kind.ALREADY
FAILED = Kind.FAILED
UNLOADED = Kind.UNLOADED
STARTUP = Kind.STARTUP
CLOCK_STEP = Kind.CLOCK_STEP
CAPTURE = Kind.CAPTURE
SUSPEND = Kind.SUSPEND

KDUMPCTL = frozenset({"kdumpctl", "kdump"})  # kdump.service stream, or the logger's tag
DRACUT = frozenset({"dracut-cmdline", "kdump"})  # early kdump runs as a dracut cmdline hook
DEBIAN = frozenset({"kdump-tools", "kdump-config"})
SUSE = frozenset({"load.sh", "kdump"})
ANY_KDUMP = KDUMPCTL | DRACUT | DEBIAN | SUSE
SYSTEMD = frozenset({"systemd"})
KERNEL = frozenset({"kernel"})
TIME = frozenset({"chronyd", "ntpd", "systemd-timesyncd", "systemd"})
# Early kdump's own identifier: a failure it prints is early kdump's, not the service's.
EARLY_KDUMP_IDENTS = frozenset({"dracut-cmdline"})
SLEEP = frozenset({"systemd-sleep"})
# The system manager is PID 1; a "Startup finished" of any other systemd process is a
# user manager's (systemd[1234], user@1000.service), which says nothing of kernel start.
SYSTEM_MANAGER_PID = "1"


@dataclass(frozen=True)
class Rule:
    kind: Kind
    pattern: re.Pattern[str]
    idents: frozenset[str]
    mode: str | None = None  # for ARMED: EARLY or KDUMP
    loader: str | None = None  # for ARMED: which component armed it
    origin: str = ""  # distro / version the line comes from
    by: str | None = None  # for FAILED: who said it (None: told by the identifier)


def _r(kind: Kind, pattern: str, idents: frozenset[str], origin: str, **kw: Any) -> Rule:
    return Rule(kind, re.compile(pattern), idents, origin=origin, **kw)


_UNIT = r"(?:[\w@.-]+\.service - )?"  # systemd's "combined" unit format (Fedora)

RULES: tuple[Rule, ...] = (
    # --- kernel ---
    _r(KERNEL_START, r"^Linux version (\S+)", KERNEL, "linux init/version.c"),
    _r(CMDLINE, r"^(?:Kernel )?[Cc]ommand line: (.*)$", KERNEL, "linux setup.c / init/main.c"),
    _r(RESERVE_FAILED, r"^crashkernel reservation failed|^cannot allocate crashkernel",
       KERNEL, "linux crash_reserve.c"),
    # --- early kdump (Fedora/RHEL 8+ dracut module 99earlykdump) ---
    _r(ARMED, r"^kexec: loaded early-kdump kernel$", DRACUT, "RHEL/Fedora early kdump",
       mode=EARLY, loader="early-kdump"),
    _r(FAILED, r"^kexec: failed to load early-kdump kernel", DRACUT, "RHEL/Fedora early kdump",
       by=BY_EARLY_KDUMP),
    _r(EARLY_ENABLED, r"^early-kdump is enabled\.?$", DRACUT, "RHEL/Fedora early kdump"),
    _r(EARLY_DISABLED, r"^early-kdump is (?:disabled|not enabled by default)\.?$", DRACUT,
       "RHEL/Fedora early kdump"),
    # --- kdumpctl (RHEL/Fedora/CentOS, kexec-tools and kdump-utils) ---
    _r(ARMED, r"^kexec: loaded kdump kernel$", KDUMPCTL, "RHEL/Fedora kdumpctl",
       mode=KDUMP, loader="kdumpctl"),
    _r(ALREADY, r"^Kdump already running: \[WARNING\]$", KDUMPCTL, "RHEL/Fedora kdumpctl"),
    _r(FAILED, r"^kexec: failed to (?:load kdump kernel|prepare for a LUKS target)"
       r"|^Starting kdump: \[FAILED\]$|^No memory reserved for crash kernel\.?$"
       r"|^Kdump is not supported on this kernel$|^mkdumprd: failed to make kdump initrd",
       KDUMPCTL | DRACUT, "RHEL/Fedora kdumpctl, early kdump's feasibility check"),
    _r(UNLOADED, r"^kexec: unloaded kdump kernel$", KDUMPCTL, "RHEL/Fedora kdumpctl"),
    _r(ARMED, r"^fadump: (?:re-)?registered successfully$", KDUMPCTL, "RHEL/Fedora on POWER",
       mode=KDUMP, loader="fadump"),
    _r(FAILED, r"^fadump: failed to register", KDUMPCTL, "RHEL/Fedora on POWER"),
    _r(UNLOADED, r"^fadump: unregistered successfully$", KDUMPCTL, "RHEL/Fedora on POWER"),
    # --- Debian / Ubuntu kdump-tools ---
    _r(ARMED, r"^loaded kdump kernel\.?$", DEBIAN, "Debian/Ubuntu kdump-tools",
       mode=KDUMP, loader="kdump-tools"),
    _r(FAILED, r"^failed to load kdump kernel|^Memory for crashkernel is not reserved$"
       r"|^no crashkernel= parameter in the kernel cmdline|^kdump is not supported by this kernel"
       r"|USE_KDUMP is not set or zero|^kdump kernel relocation address does not match"
       r"|KDUMP_KERNEL does not exist",
       DEBIAN, "Debian/Ubuntu kdump-tools"),
    _r(UNLOADED, r"^unloaded kdump kernel\.?$", DEBIAN, "Debian/Ubuntu kdump-tools"),
    _r(ARMED, r"^fadump registered successfully\.?$", DEBIAN, "Debian/Ubuntu on POWER",
       mode=KDUMP, loader="fadump"),
    _r(FAILED, r"^fadump registering failed", DEBIAN, "Debian/Ubuntu on POWER"),
    # --- SUSE kdump (load.sh is silent by default; systemd's unit lines carry the time) ---
    _r(ARMED, r"^Loaded kdump kernel(?:\.$|: )", SUSE, "SUSE load.sh (KDUMP_VERBOSE)",
       mode=KDUMP, loader="load.sh"),
    _r(ARMED, r"^Registered fadump$", SUSE, "SUSE on POWER", mode=KDUMP, loader="fadump"),
    _r(FAILED, r"^kexec failed\.$|^FAILED to load kdump kernel|^No crashkernel memory reserved"
       r"|^FAILED to register fadump", SUSE, "SUSE load.sh"),
    _r(ARMED, rf"^(?:Started|Finished) {_UNIT}Load kdump kernel early on startup\.$", SYSTEMD,
       "SUSE kdump-early.service", mode=KDUMP, loader="kdump-early.service"),
    _r(ARMED, rf"^(?:Started|Finished) {_UNIT}Load kdump kernel and initrd\.$", SYSTEMD,
       "SUSE kdump.service", mode=KDUMP, loader="kdump.service"),
    _r(FAILED, rf"^Failed to start {_UNIT}(?:Load kdump kernel|Crash recovery kernel arming)",
       SYSTEMD, "systemd unit failure"),
    # --- systemd ---
    _r(STARTUP, r"^Startup finished in (.*)$", SYSTEMD, "systemd manager.c"),
    # --- sleep: the monotonic clock stands still while wall-clock time passes ---
    _r(SUSPEND, r"^PM: (?:suspend|hibernation) entry|^PM: Preparing system for (?:mem )?sleep"
       r"|^PM: hibernation: hibernation entry", KERNEL, "linux kernel/power/suspend.c"),
    _r(SUSPEND, r"^Entering sleep state '|^Suspending system\.\.\.$|^Hibernating system\.\.\.$"
       r"|^Performing sleep operation '", SLEEP, "systemd sleep.c"),
    _r(CLOCK_STEP, r"^System clock was stepped by (-?[\d.]+) seconds"
       r"|^System clock wrong by (-?[\d.]+) seconds|^Time has been changed$"
       r"|^Initial clock synchronization to |^Time jumped backwards", TIME, "chrony, timesyncd"),
    # --- capture kernel: this boot *was* a kdump ---
    _r(CAPTURE, r"^Kdump is using the default log level|^saving to /|^saving vmcore"
       r"|^saved vmcore in |^saved dmesg content in "
       r"|^makedumpfile Completed\.|^running makedumpfile ",
       ANY_KDUMP, "kdump capture kernel"),
)

# A cheap test first: every message a rule matches contains one of these words
# (tests/test_events.py checks it), so only such messages reach the rules, and
# readers may skip lines without them at C speed.
TRIGGER_WORDS: tuple[str, ...] = (
    "dump", "DUMP", "kexec", "Linux version", "ommand line:", "rashkernel", "crash kernel",
    "Crash recovery", "Startup finished", "System clock", "Initial clock",
    "Time has been changed", "Time jumped", "saving to /", "saving vmcore", "saved ",
    "suspend entry", "hibernation entry", "Preparing system for", "sleep state",
    "sleep operation", "Suspending system", "Hibernating system",
)
TRIGGER = re.compile("|".join(TRIGGER_WORDS))  # the words have no regex metacharacters
TRIGGER_BYTES = re.compile(TRIGGER.pattern.encode())

_PREFIX = re.compile(r"^(?:\* )?(?:kdump: )?(?:WARNING: )?(?:kdump-tools: )?")
_DEBIAN_FAILED = re.compile(r" \.\.\. failed!$")
_KMSG_IDENT = re.compile(r"^([\w.-]+)\[\d+\]:? ")
# Bounded digit runs: an unbounded \d+ backtracks from every digit of a long number.
_TIMESPAN = re.compile(r"(?<![\d.])(\d{1,12}(?:\.\d{1,9})?)(y|month|w|d|h|min|s|ms|us)\b")
_UNIT_S = {"y": 31557600.0, "month": 2629800.0, "w": 604800.0, "d": 86400.0, "h": 3600.0,
           "min": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6}


class Event(NamedTuple):
    """A classified message: its kind, the rule that matched, and its typed detail."""

    kind: Kind
    rule: Rule
    detail: Detail = None


def normalize(ident: str | None, message: str) -> tuple[str | None, str]:
    """Strip the decorations different loggers add, returning (identifier, text).

    Handles the Fedora logger's ``kdump: `` (and ``WARNING: ``) prefix, Ubuntu's
    `` * `` and Debian's `` ... failed!``, and kdump's kmsg copy whose
    ``kdump[PID]`` stays inside the message (journalctl shows it as ``unknown``).
    """
    message = message.strip()
    if ident == "kernel":  # syslog text keeps the printk time: "[    1.234567] Linux version"
        message = clock.without_printk_time(message)
    if ident in (None, "unknown", "kernel"):
        m = _KMSG_IDENT.match(message)
        if m and m.group(1) in ANY_KDUMP:
            ident, message = m.group(1), message[m.end():]
    message = _DEBIAN_FAILED.sub("", _PREFIX.sub("", message, count=1))
    return ident, message


def parse_timespan(text: str) -> float | None:
    """Seconds in a systemd timespan such as ``1min 2.345s`` (None if none found)."""
    parts = _TIMESPAN.findall(text)
    return sum(float(v) * _UNIT_S[u] for v, u in parts) if parts else None


def startup_phases(text: str) -> dict[str, float]:
    """Phases of "Startup finished in 1.2s (kernel) + 3s (initrd) + ... = 9s." in seconds."""
    phases: dict[str, float] = {}
    body, _, total = text.rpartition(" = ")
    for part in body.split(" + "):
        value, _, name = part.strip().rpartition(" (")
        seconds = parse_timespan(value)
        if name.endswith(")") and seconds is not None:
            phases[name[:-1]] = seconds
    total_s = parse_timespan(total)
    if total_s is not None:
        phases["total"] = total_s
    return phases


def classify(ident: str | None, message: str, pid: str | int | None = None) -> Event | None:
    """The event a journal message represents, or None for the other 99.9 %.

    `pid` is the process id where the input shows it (``_PID``, text's
    ``ident[pid]``): a "Startup finished" counts only from the system manager.
    """
    if not message or not TRIGGER.search(message):
        return None
    ident, text = normalize(ident, message)
    for rule in RULES:
        if ident not in rule.idents:
            continue
        if rule.kind == STARTUP and pid is not None and str(pid) != SYSTEM_MANAGER_PID:
            continue
        m = rule.pattern.search(text)
        if m is None:
            continue
        detail = _detail(rule, m, ident, text)
        if rule.kind == STARTUP and detail is None:  # a user manager's "Startup finished"
            return None
        return Event(rule.kind, rule, detail)
    return None


def _detail(rule: Rule, m: re.Match[str], ident: str | None, text: str) -> Detail:
    """The typed detail of a message `rule` matched (None for kinds that carry none)."""
    kind = rule.kind
    if kind == ARMED:
        assert rule.mode is not None and rule.loader is not None
        return Armed(rule.mode, rule.loader, "initrd" if rule.mode == EARLY else "userspace")
    if kind == FAILED:
        by = rule.by or (BY_EARLY_KDUMP if ident in EARLY_KDUMP_IDENTS else BY_SERVICE)
        return Failure(text, by)
    if kind == RESERVE_FAILED:
        return Failure(text, BY_KERNEL)
    if kind == KERNEL_START:
        return KernelRelease(m.group(1))
    if kind == CMDLINE:
        return CommandLine(m.group(1))
    if kind == STARTUP:
        phases = startup_phases(m.group(1))
        if "kernel" not in phases:  # a user manager's (or a container's) line: no kernel part
            return None
        nan = math.nan
        return Startup(phases["kernel"], phases.get("initrd", nan), phases.get("userspace", nan),
                       phases.get("total", nan), phases.get("firmware", nan),
                       phases.get("loader", nan))
    if kind == CLOCK_STEP:
        step = m.group(1) or m.group(2)
        # "System clock was stepped by X seconds" (chrony's LCL_MakeStep): the clock moved by
        # exactly X; "wrong by X" announces a step or a slew, the others say no amount.
        return Seconds(float(step) if step else math.nan, stepped=m.group(1) is not None)
    return None
