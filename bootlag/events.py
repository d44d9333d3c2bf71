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

from .records import (
    BY_EARLY_KDUMP,
    BY_KERNEL,
    BY_SERVICE,
    EARLY,
    KDUMP,
    NO_CRASHKERNEL,
    RESERVATION_FAILED,
    SERVICE_FAILED,
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
SHUTDOWN = Kind.SHUTDOWN

# kdump.service stream, the logger's tag, or kdumpctl run by udev on CPU/memory hotplug
# (kdump-utils 98-kexec.rules: systemd-run ... kdump-udev-throttler, which runs kdumpctl reload)
KDUMPCTL = frozenset({"kdumpctl", "kdump", "kdump-udev-throttler"})
DRACUT = frozenset({"dracut-cmdline", "kdump"})  # early kdump runs as a dracut cmdline hook
DEBIAN = frozenset({"kdump-tools", "kdump-config"})
SUSE = frozenset({"load.sh", "kdump"})
ANY_KDUMP = KDUMPCTL | DRACUT | DEBIAN | SUSE
SYSTEMD = frozenset({"systemd"})
KERNEL = frozenset({"kernel"})
SHUTDOWN_IDENTS = frozenset({"systemd-shutdown"})
JOURNALD = frozenset({"systemd-journald"})
LOGIND = frozenset({"systemd-logind"})
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
    cause: str = SERVICE_FAILED  # for FAILED, RESERVE_FAILED: the reason code it gives
    # For the lines a kernel prints first (KERNEL_START, CMDLINE): their place in that run,
    # so a text reader starts a boot at the first of them only (`starts_boot`).
    stage: int | None = None
    repeats: bool = False  # several lines of this stage follow one another in one boot


def _r(kind: Kind, pattern: str, idents: frozenset[str], origin: str, **kw: Any) -> Rule:
    return Rule(kind, re.compile(pattern), idents, origin=origin, **kw)


_UNIT = r"(?:[\w@.-]+\.service - )?"  # systemd's "combined" unit format (Fedora)
_TARGET = r"(?:[\w@.-]+\.target - )?"

RULES: tuple[Rule, ...] = (
    # --- kernel ---
    # The first lines of a boot, in the order a kernel prints them: RHEL 7 (3.10) starts
    # with cgroup_init_early's lines, arm64 with "Booting Linux on physical CPU", then
    # every kernel prints "Linux version", x86 "Command line:", all "Kernel command line:".
    _r(KERNEL_START, r"^Initializing cgroup subsys \w+$", KERNEL, "linux 3.10 kernel/cgroup.c",
       stage=0, repeats=True),
    _r(KERNEL_START, r"^Booting Linux on physical CPU ", KERNEL, "linux arch/arm64 smp.c",
       stage=1),
    _r(KERNEL_START, r"^Linux version (\S+)", KERNEL, "linux init/version.c", stage=2),
    _r(CMDLINE, r"^[Cc]ommand line: (.*)$", KERNEL, "linux arch/x86/kernel/setup.c", stage=3),
    _r(CMDLINE, r"^Kernel [Cc]ommand line: (.*)$", KERNEL, "linux init/main.c", stage=4),
    _r(RESERVE_FAILED, r"^crashkernel reservation failed|^cannot allocate crashkernel",
       KERNEL, "linux crash_reserve.c", cause=RESERVATION_FAILED),
    # --- nothing reserved, said by whoever tried to load: kdumpctl, early kdump's check,
    # SUSE load.sh, kdump-tools, or the kexec binary's own error through any of them ---
    _r(FAILED, r"^No memory reserved for crash kernel\.?$|^No crashkernel memory reserved"
       r"|^Memory for crashkernel is not reserved$", ANY_KDUMP,
       "kdumpctl, early kdump, SUSE load.sh, kexec/kexec.c", cause=RESERVATION_FAILED),
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
       r"|^Starting kdump: \[FAILED\]$"
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
    _r(FAILED, r"^no crashkernel= parameter in the kernel cmdline", DEBIAN,
       "Debian/Ubuntu kdump-tools", cause=NO_CRASHKERNEL),
    _r(FAILED, r"^failed to load kdump kernel|^kdump is not supported by this kernel"
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
    _r(FAILED, r"^kexec failed\.$|^FAILED to load kdump kernel|^FAILED to register fadump",
       SUSE, "SUSE load.sh"),
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
    # --- a clean shutdown or reboot (docs/formats.md, "Boot ends") ---
    _r(SHUTDOWN, rf"^Reached target {_TARGET}(?:System (?:Reboot|Power Off|Halt)"
       r"|Shutdown|Power-Off|Reboot|Halt)(?: via kexec)?\.?$", SYSTEMD, "systemd units/*.target"),
    _r(SHUTDOWN, r"^Syncing filesystems and block devices|^Sending SIGTERM to remaining",
       SHUTDOWN_IDENTS, "systemd src/shutdown/shutdown.c"),
    _r(SHUTDOWN, r"^Journal stopped$", JOURNALD, "systemd journald-server.c"),
    _r(SHUTDOWN, r"^System is (?:rebooting|powering down|halting)", LOGIND,
       "systemd logind-dbus.c"),
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
    "cgroup subsys", "Booting Linux", "Reboot", "Power Off", "Power-Off", "Halt",
    "target Shutdown", "Syncing filesystems", "Sending SIGTERM", "Journal stopped", "System is ",
)
TRIGGER = re.compile("|".join(TRIGGER_WORDS))  # the words have no regex metacharacters
TRIGGER_BYTES = re.compile(TRIGGER.pattern.encode())

_PREFIX = re.compile(r"^(?:\* )?(?:kdump: )?(?:WARNING: )?(?:kdump-tools: )?")
_DEBIAN_FAILED = re.compile(r" \.\.\. failed!$")
_KMSG_IDENT = re.compile(r"^([\w.-]+)\[\d+\]:? ")
# The printk time syslog daemons keep at the head of a kernel line ("[   60.912345] ...")
_PRINTK = re.compile(r"^\[\s*(\d{1,12})\.(\d{1,9})\] ")
# A kernel line of syslog text that keeps its printk time: where a text reader's fast path
# must stop (a boot begins where that time falls back, judged on every such line).
PRINTK_BYTES = re.compile(rb"kernel: \[\s*\d{1,12}\.\d{1,9}\] ")
_CRASHKERNEL = re.compile(r"(?:^|\s)crashkernel=(\S+)")
_EARLY_ARG = re.compile(r"(?:^|\s)rd\.earlykdump(?:=(\S*))?(?:\s|$)")
_FALSE_WORDS = {"0", "no", "off", "false"}
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
    if ident in (None, "unknown", "kernel"):
        message = _PRINTK.sub("", message, count=1)
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


def printk_us(ident: str | None, message: str) -> int | None:
    """The printk time (µs) at the head of a kernel line's message, as syslog keeps it."""
    if ident != "kernel":
        return None
    m = _PRINTK.match(message)
    return int(m.group(1)) * 1_000_000 + int(m.group(2)[:6].ljust(6, "0")) if m else None


def early_arg(cmdline: str) -> bool:
    """Whether a kernel command line turns early kdump on (``rd.earlykdump``, not ``=0``)."""
    m = _EARLY_ARG.search(cmdline)
    return m is not None and (m.group(1) or "1").lower() not in _FALSE_WORDS


def starts_boot(event: Event | None, stage: int | None) -> bool:
    """Whether `event` begins a new boot, after a run of a boot's first kernel lines
    whose latest had `stage` (None: the boot so far does not start with such a run).

    The kernel's first lines come in one order (`Rule.stage`): a line of that run
    starts a boot unless it goes on with the current run. A text reader calls this
    only for a boot that has lines already.
    """
    if event is None or event.rule.stage is None:
        return False
    if stage is None:
        return True
    return event.rule.stage < stage or (event.rule.stage == stage and not event.rule.repeats)


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
        return Failure(text, by, rule.cause)
    if kind == RESERVE_FAILED:
        return Failure(text, BY_KERNEL, rule.cause)
    if kind == KERNEL_START:
        return KernelRelease(m.group(1)) if m.groups() else None
    if kind == CMDLINE:
        cmdline = m.group(1)
        crashkernel = _CRASHKERNEL.search(cmdline)
        return CommandLine(cmdline, crashkernel.group(1) if crashkernel else None,
                           early_arg(cmdline))
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
