"""Synthetic boots with known truth, written as real journal files.

The tests and ``sample_logs/`` are made from here: `make_boot` builds the
entries of one boot the way journald would have stored them (kernel lines
stamped when journald started, initrd lines from ``localhost``, early kdump
from ``dracut-cmdline``, the kdump service later), together with the truth a
correct scan must report. `to_export` writes journal export format;
`write_journal` turns it into a real ``.journal`` with
``systemd-journal-remote``, and `render` prints it with the real
``journalctl -o FORMAT``.
"""

from __future__ import annotations

import os
import random
import struct
import subprocess
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
SEC = 1_000_000

DISTROS = {
    # name: (kernel release, service identifier, message prefix, systemd verb for oneshots)
    "rhel7": ("3.10.0-1160.el7.x86_64", "kdumpctl", "", "Started"),
    "rhel8": ("4.18.0-513.5.1.el8_9.x86_64", "kdumpctl", "kdump: ", "Started"),
    "rhel9": ("5.14.0-284.11.1.el9_2.x86_64", "kdumpctl", "kdump: ", "Finished"),
    "ubuntu": ("6.8.0-45-generic", "kdump-tools", "", "Finished"),
    "suse": ("6.4.0-150600.23.7-default", "load.sh", "", "Finished"),
}


@dataclass
class Entry:
    """One journal entry: monotonic µs when journald received it, and its fields."""

    mono_us: int
    fields: dict[str, str]
    real_offset_us: int = 0  # how wrong the wall clock was when it was written


@dataclass
class Boot:
    """A boot's entries and the truth a scan must find."""

    host: str
    boot_id: str
    start_us: int  # true UTC wall time of kernel start (µs since the epoch)
    distro: str
    mode: str  # "kdump", "early-kdump" or "none"
    status: str  # "armed", "failed" or "not-armed"
    gap_s: float | None  # true monotonic gap
    rd_earlykdump: bool
    clock_step_s: float = 0.0  # RTC error corrected by an NTP step before arming
    start_dropped: bool = False  # the first entries were cut (a rotated or tailed log)
    step_after_arming: bool = False  # the NTP step came after arming, before Startup finished
    suspend_s: float = 0.0  # seconds suspended (wall clock on, monotonic clock still) before arming
    efi: bool = False  # "Startup finished" has (firmware) and (loader) parts
    entries: list[Entry] = field(default_factory=list)
    shutdown: bool = False  # a clean shutdown is logged at the end
    died_at_s: float | None = None  # the boot died (panic, reset) this far in
    # seconds without a crash kernel after the first arming (None: never armed)
    unprotected_s: float | None = None
    # why it was never protected (a code of bootlag.records.REASONS; None if it armed),
    # as if a later boot followed a boot that died (see `truth_reasons`)
    reason: str | None = None

    def real_us(self, entry: Entry) -> int:
        return self.start_us + entry.mono_us + entry.real_offset_us

    @property
    def first(self) -> Entry:
        return self.entries[0]

    @property
    def armed_entry(self) -> Entry | None:
        if self.gap_s is None:
            return None
        target = round(self.gap_s * SEC)
        return next(e for e in self.entries if e.mono_us == target
                    and e.fields.get("_TEST_ARMED") == "1")


_FILLER = [
    ("systemd", "1", "Starting {unit}..."),
    ("systemd", "1", "Finished {unit}."),
    ("NetworkManager", "812", "<info>  [{t}] device (eth0): state change: config -> ip-config"),
    ("chronyd", "790", "Selected source 169.254.169.123"),
    ("sshd", "1012", "Server listening on 0.0.0.0 port 22."),
    ("rsyslogd", "801", "[origin software=\"rsyslogd\"] start"),
    ("auditd", "760", "audit daemon started"),
    ("systemd-logind", "805", "New seat seat0."),
]
_UNITS = ["Load Kernel Modules", "Apply Kernel Variables", "Create Volatile Files and Directories",
          "Network Manager Wait Online", "Permit User Sessions", "OpenSSH server daemon"]


def _kernel(boot_kmsg_us: int, journald_us: int, message: str) -> Entry:
    return Entry(journald_us, {"_TRANSPORT": "kernel", "SYSLOG_IDENTIFIER": "kernel",
                               "_SOURCE_MONOTONIC_TIMESTAMP": str(boot_kmsg_us),
                               "MESSAGE": message, "PRIORITY": "5"})


def _line(mono_us: int, ident: str, pid: str, message: str, **extra: str) -> Entry:
    fields = {"_TRANSPORT": "stdout", "SYSLOG_IDENTIFIER": ident, "_PID": pid,
              "MESSAGE": message, "PRIORITY": "6"}
    fields.update(extra)
    return Entry(mono_us, fields)


def make_boot(rng: random.Random, host: str, start_us: int, *, distro: str = "rhel9",
              mode: str = "kdump", outcome: str = "armed", filler: int = 40,
              clock_step_s: float = 0.0, decoys: bool = True,
              drop_start: bool = False, early_module: bool = True, shutdown: bool = False,
              die_at_s: float | None = None, service_at_s: float | None = None,
              reloads: Sequence[str] = (),
              systemd_startup: bool = False, efi: bool = False, user_manager: bool = False,
              printk_in_message: bool = False, suspend_s: float = 0.0,
              step_after_arming: bool = False) -> Boot:
    """One boot with known truth.

    `mode` is how the host is configured ("kdump", "early-kdump", "none");
    `outcome` is "armed", "failed" or "not-armed" (service never ran);
    `clock_step_s` makes the wall clock wrong by that much until an NTP step
    a few seconds into the boot; `drop_start` cuts the boot's first entries.
    `early_module=False` leaves the earlykdump module out of the initramfs:
    rd.earlykdump is on the command line, the initrd says nothing of it, and
    the kdump service arms as with plain kdump (truth mode "kdump").

    Outcomes also "no-crashkernel" (no crashkernel= on the command line) and
    "reservation-failed" (the kernel could not reserve it). `service_at_s` puts
    the kdump service that far into the boot; `die_at_s` ends the boot there
    with no shutdown (a crash loop: boots that die at ~12 s, before a kdump
    service at ~25 s); `reloads` are what udev hotplug (RHEL's
    kdump-udev-throttler, Debian's kdump-tools) does after startup, in order:
    "reload" (unload, then load again a moment later), "unload" (no load
    after it) or "failed" (unload, then the load fails); `shutdown` logs a
    clean reboot at the end (the kdump unit's stop unloads the crash kernel).
    The defaults make the same boot as before these options.

    Options that default to the boots the saved tables were made from (each
    off draws nothing more from `rng`): `systemd_startup` writes "Startup
    finished" as systemd does (`systemd_timespan`: cut to the millisecond, "ms"
    and "min" units, ``MESSAGE_ID``; the default rounds, in seconds), `efi`
    adds its (firmware) and (loader) parts, `user_manager` a user manager's own
    "Startup finished" (``systemd[PID≠1]``) just before the system's;
    `printk_in_message` starts kernel messages with their printk time, as
    syslog text from the kernel's buffer does (``[    1.234567] ...``), and adds
    kernel lines printed after journald started; `suspend_s` suspends the
    machine that long before arming; `step_after_arming` moves the clock step
    of `clock_step_s` after the arming, before "Startup finished".
    """
    release, ident, prefix, verb = DISTROS[distro]
    early = mode == "early-kdump"
    journald = rng.randint(900_000, 2_800_000)  # journald starts ~1-3 s after the kernel
    root = uuid.UUID(int=rng.getrandbits(128))
    cmdline = (f"BOOT_IMAGE=(hd0,gpt2)/vmlinuz-{release} root=UUID={root}"
               + (" ro console=ttyS0,115200n8" if outcome == "no-crashkernel" else
                  " ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M console=ttyS0,115200n8")
               + (" rd.earlykdump" if early else ""))
    entries = [
        _kernel(0, journald, f"Linux version {release} (mockbuild@builder) (gcc (GCC) 11.3.1) "
                             "#1 SMP PREEMPT_DYNAMIC"),
        _kernel(0, journald + 1, f"Command line: {cmdline}"),
    ]
    kmsg = 2
    for i in range(rng.randint(3, 8)):
        kmsg += rng.randint(1_000, 150_000)
        entries.append(_kernel(kmsg, journald + 2 + i, f"pci 0000:00:{i:02x}.0: [8086:7000] "
                                                        "type 00 class 0x060100"))
    if outcome == "reservation-failed":
        entries.append(_kernel(kmsg + 1, journald + 12, "crashkernel reservation failed - "
                                                        "No suitable area found."))
    entries.append(_line(journald + 20, "systemd-journald", "211", "Journal started"))
    if printk_in_message:  # kernel lines printed while journald runs: read within ms
        at = journald
        for i in range(3):
            at += rng.randint(300_000, 1_500_000)
            entries.append(_kernel(at - rng.randint(50, 5_000), at,
                                   f"e1000e 0000:00:1f.{i} eth{i}: NIC Link is Up 1000 Mbps"))
        for e in entries:
            if e.fields["_TRANSPORT"] == "kernel":
                e.fields["MESSAGE"] = (printk_stamp(int(e.fields["_SOURCE_MONOTONIC_TIMESTAMP"]))
                                       + e.fields["MESSAGE"])
    t = journald + rng.randint(100_000, 300_000)
    gap_us: int | None = None
    status = "not-armed"
    if distro.startswith("rhel"):
        entries.append(_line(t, "systemd", "1", "Starting dracut cmdline hook..."))
        t += rng.randint(20_000, 80_000)
        pid = str(rng.randint(240, 320))
        if early and early_module:
            entries.append(_line(t, "dracut-cmdline", pid, f"{prefix}early-kdump is enabled."))
            t += rng.randint(200_000, 1_500_000)
            if outcome == "armed":
                gap_us = t
                entries.append(_line(t, "dracut-cmdline", pid,
                                     f"{prefix}kexec: loaded early-kdump kernel", _TEST_ARMED="1"))
                status = "armed"
            elif outcome == "failed":  # and the kdump service fails later too
                entries.append(_line(t, "dracut-cmdline", pid,
                                     f"{prefix}kexec: failed to load early-kdump kernel",
                                     _TEST_FAILED="1"))
        elif not early and distro != "rhel7":
            entries.append(_line(t, "dracut-cmdline", pid, f"{prefix}early-kdump is disabled."))
        t += rng.randint(20_000, 200_000)
        entries.append(_line(t, "systemd", "1", f"{verb} dracut cmdline hook."))
    for e in entries:  # the initrd does not know the host's name yet
        e.fields["_HOSTNAME"] = "localhost"
    switch_root = t + rng.randint(1_000_000, 3_000_000)
    t = switch_root
    step_at = None
    if clock_step_s and not step_after_arming:
        step_at = t + rng.randint(500_000, 2_000_000)
    kdump_at = t + rng.randint(6_000_000, 30_000_000)
    if service_at_s is not None:
        kdump_at = max(t + 1, round(service_at_s * SEC))
    sleep_at = None
    if suspend_s:
        sleep_at = t + rng.randint(500_000, 3_000_000)
        sleep_pid = str(rng.randint(1600, 1700))
        entries += [_line(sleep_at - 2_000, "systemd", "1", "Starting System Suspend..."),
                    _line(sleep_at - 1_000, "systemd-sleep", sleep_pid,
                          "Entering sleep state 'suspend'..."),
                    _kernel(sleep_at, sleep_at + 300, "PM: suspend entry (deep)"),
                    _kernel(sleep_at + 50_000, sleep_at + 50_400, "PM: suspend exit"),
                    _line(sleep_at + 60_000, "systemd-sleep", sleep_pid,
                          "System returned from sleep state.")]
        for e in entries[-5:]:
            e.fields["_HOSTNAME"] = host
    lines_before = filler // 2
    for i in range(filler):
        t += rng.randint(10_000, max(10_001, (kdump_at - switch_root) // max(lines_before, 1)))
        if i == lines_before:
            t = max(t, kdump_at)
            t, gap_us, status = _service(entries, rng, t, distro, mode, outcome, ident, prefix,
                                         verb, gap_us, status, decoys)
            if clock_step_s and step_after_arming:
                step_at = t + rng.randint(500_000, 2_000_000)
        if step_at is not None and t >= step_at:
            entries.append(_line(step_at, "chronyd", "790",
                                 f"System clock wrong by {clock_step_s:.6f} seconds"))
            entries.append(_line(step_at + 1, "chronyd", "790",
                                 f"System clock was stepped by {clock_step_s:.6f} seconds"))
            step_at = None
        ident_f, pid_f, text = rng.choice(_FILLER)
        entries.append(_line(t, ident_f, pid_f,
                             text.format(unit=rng.choice(_UNITS), t=f"{t / SEC:.4f}")))
    if step_at is not None:  # the loop ended before the step
        entries.append(_line(step_at, "chronyd", "790",
                             f"System clock wrong by {clock_step_s:.6f} seconds"))
        entries.append(_line(step_at + 1, "chronyd", "790",
                             f"System clock was stepped by {clock_step_s:.6f} seconds"))
        t = max(t, step_at + 1)
    t += rng.randint(500_000, 3_000_000)
    initrd = switch_root - journald
    if user_manager:
        user_us = rng.randint(40_000, 400_000)
        entries.append(_line(t - rng.randint(1_000, 200_000), "systemd", "1250",
                             f"Startup finished in {systemd_timespan(user_us)}.",
                             MESSAGE_ID=USER_STARTUP_FINISHED, USERSPACE_USEC=str(user_us),
                             _SYSTEMD_USER_UNIT="init.scope", _SYSTEMD_UNIT="user@1000.service"))
    if systemd_startup or efi:
        firmware = rng.randint(2_000_000, 12_000_000) if efi else 0
        loader = rng.randint(500_000, 4_000_000) if efi else 0
        before = (f"{systemd_timespan(firmware)} (firmware) + {systemd_timespan(loader)} "
                  "(loader) + " if efi else "")
        extra = {"FIRMWARE_USEC": str(firmware), "LOADER_USEC": str(loader)} if efi else {}
        entries.append(_line(t, "systemd", "1",
                             f"Startup finished in {before}{systemd_timespan(journald)} (kernel)"
                             f" + {systemd_timespan(initrd)} (initrd) + "
                             f"{systemd_timespan(t - switch_root)} (userspace) = "
                             f"{systemd_timespan(firmware + loader + t)}.",
                             MESSAGE_ID=STARTUP_FINISHED, KERNEL_USEC=str(journald),
                             INITRD_USEC=str(initrd), USERSPACE_USEC=str(t - switch_root),
                             **extra))
    else:
        entries.append(_line(t, "systemd", "1",
                             f"Startup finished in {journald / SEC:.3f}s (kernel) + "
                             f"{initrd / SEC:.3f}s (initrd) + {(t - switch_root) / SEC:.3f}s "
                             f"(userspace) = {t / SEC:.3f}s.",
                             KERNEL_USEC=str(journald), INITRD_USEC=str(initrd),
                             USERSPACE_USEC=str(t - switch_root)))
    entries.append(_line(t + 5_000, "systemd", "1", "Multi-line status:\n  line two\n  line three"))
    t += 5_000
    unprotected_s: float | None = 0.0 if status == "armed" else None
    unloaded_at = None
    if reloads:
        t, unprotected_s, unloaded_at = _reloads(entries, rng, t, distro, prefix, reloads,
                                                 status == "armed", unprotected_s)
        if unloaded_at is not None:
            status = "disarmed"
    if shutdown:
        t += rng.randint(120, 600) * SEC if reloads else rng.randint(60, 600) * SEC
        t = _shutdown(entries, rng, t, distro, ident, prefix, verb, status == "armed")
    if unloaded_at is not None:
        unprotected_s = (unprotected_s or 0.0) + (t - unloaded_at) / SEC
    died = die_at_s is not None
    if die_at_s is not None:
        cut = round(die_at_s * SEC)
        entries = [e for e in entries if e.mono_us <= cut]
        if gap_us is not None and gap_us > cut:
            gap_us = None
        if gap_us is None:
            status = "failed" if any(e.fields.get("_TEST_FAILED") for e in entries) else "unknown"
            unprotected_s = None
    stepped = _step_time(entries)
    for e in entries:
        e.fields.setdefault("_HOSTNAME", host)
        if e.mono_us < stepped:
            e.real_offset_us = -round(clock_step_s * SEC)
        if sleep_at is not None and e.mono_us > sleep_at:  # woke up suspend_s later
            e.real_offset_us += round(suspend_s * SEC)
    entries.sort(key=lambda e: e.mono_us)
    module_missing = early and not (early_module and distro.startswith("rhel"))
    if status not in ("armed", "disarmed"):
        mode = "none"
    elif mode == "early-kdump" and module_missing:
        mode = "kdump"  # no early kdump in the initrd: the kdump service armed it
    boot = Boot(host=host, boot_id=uuid.UUID(int=rng.getrandbits(128)).hex, start_us=start_us,
                distro=distro, mode=mode, status=status,
                gap_s=gap_us / SEC if gap_us is not None else None, rd_earlykdump=early,
                clock_step_s=clock_step_s, entries=entries, shutdown=shutdown and not died,
                died_at_s=die_at_s, unprotected_s=unprotected_s,
                reason=_reason(status, outcome, mode if status == "armed" else "none",
                               module_missing and early, distro, drop_start),
                step_after_arming=step_after_arming and bool(clock_step_s),
                suspend_s=suspend_s, efi=efi)
    if drop_start:
        boot.entries = entries[len(entries) // 3:]
        boot.start_dropped = True
        if status == "not-armed":  # it may have armed before the first line left
            boot.status = "unknown"
    return boot


def _reason(status: str, outcome: str, mode: str, module_missing: bool, distro: str,
            start_dropped: bool) -> str | None:
    """The code a scan must give for why the boot was never protected (None: it armed)."""
    if status in ("armed", "disarmed"):
        return None
    if outcome == "no-crashkernel":
        return "no-crashkernel"
    if status == "failed":
        return "reservation-failed" if outcome == "reservation-failed" else "service-failed"
    if start_dropped:
        return "log-too-short"
    if module_missing:
        return "early-kdump-module-missing"
    return "ended-abruptly" if status == "unknown" else "no-kdump-service"


def _reloads(entries: list[Entry], rng: random.Random, t: int, distro: str, prefix: str,
             reloads: Sequence[str], loaded: bool,
             unprotected_s: float | None) -> tuple[int, float, int | None]:
    """udev hotplug's unloads and reloads after startup; returns the time, the seconds
    unprotected in windows a load closed, and when the crash kernel was unloaded for good
    (None: it is loaded at the end)."""
    if distro == "suse" or not loaded:
        raise ValueError("reload windows are made for an armed RHEL or Ubuntu boot")
    if distro == "ubuntu":
        ident, texts = "kdump-tools", ("unloaded kdump kernel.", "loaded kdump kernel.",
                                       "failed to load kdump kernel ... failed!")
    else:
        ident, texts = "kdump-udev-throttler", (f"{prefix}kexec: unloaded kdump kernel",
                                                f"{prefix}kexec: loaded kdump kernel",
                                                f"{prefix}kexec: failed to load kdump kernel")
    unloaded, loaded_text, failed_text = texts
    since: int | None = None
    total = unprotected_s or 0.0
    for what in reloads:
        t += rng.randint(20, 300) * SEC
        pid = str(rng.randint(2000, 9000))
        if loaded:
            entries.append(_line(t, ident, pid, unloaded))
            since, loaded = t, False
        t += rng.randint(200_000, 2_000_000)
        if what == "reload":
            entries.append(_line(t, ident, pid, loaded_text))
            assert since is not None
            total += (t - since) / SEC
            since, loaded = None, True
        elif what == "failed":
            entries.append(_line(t, ident, pid, failed_text))
        elif what != "unload":
            raise ValueError(f"unknown reload step {what!r}")
    t += rng.randint(1_000_000, 60_000_000)  # a later line: where an open window is seen to end
    entries.append(_line(t, "systemd", "1", "Finished Cleanup of Temporary Directories."))
    return t, total, since


def _shutdown(entries: list[Entry], rng: random.Random, t: int, distro: str, ident: str,
              prefix: str, verb: str, loaded: bool) -> int:
    """A clean reboot's lines from `t`, the kdump unit stopping first; returns the last time."""
    unit = {"ubuntu": "Kernel crash dump capture service",
            "suse": "Load kdump kernel and initrd"}.get(distro, "Crash recovery kernel arming")
    pid = str(rng.randint(9000, 9999))
    entries.append(_line(t, "systemd-logind", "805", "System is rebooting."))
    entries.append(_line(t + 200_000, "systemd", "1", f"Stopping {unit}..."))
    if loaded and distro != "suse":
        text = "unloaded kdump kernel." if distro == "ubuntu" else f"{prefix}kexec: unloaded " \
                                                                    "kdump kernel"
        entries.append(_line(t + 400_000, ident, pid, text))
    entries.append(_line(t + 500_000, "systemd", "1", f"Stopped {unit}."))
    entries.append(_line(t + 1_500_000, "systemd", "1", "Reached target System Reboot."))
    entries.append(_line(t + 1_600_000, "systemd-shutdown", "1",
                         "Syncing filesystems and block devices."))
    entries.append(_line(t + 1_700_000, "systemd-journald", "211", "Journal stopped"))
    return t + 1_700_000


def truth_ends(boots: Sequence[Boot]) -> list[str]:
    """How each boot ended, as a scan of all `boots` together must say (same order)."""
    last: dict[str, int] = {}
    for b in boots:
        last[b.host] = max(last.get(b.host, b.start_us), b.start_us)
    return ["shutdown" if b.shutdown else "abrupt" if b.start_us < last[b.host] else "open"
            for b in boots]


def truth_reasons(boots: Sequence[Boot]) -> list[str | None]:
    """Each boot's reason code as a scan of all `boots` must give it (same order): a boot
    that died before arming ended abruptly only if a later boot of its host follows."""
    return ["ended-abruptly" if b.reason == "log-too-short" and end == "abrupt"
            and not b.start_dropped else
            "log-too-short" if b.reason == "ended-abruptly" and end == "open" else b.reason
            for b, end in zip(boots, truth_ends(boots), strict=True)]


STARTUP_FINISHED = "b07a249cd024414a82dd00cd181378ff"  # SD_MESSAGE_STARTUP_FINISHED
USER_STARTUP_FINISHED = "eed00a68ffd84e31882105fd973abdd1"  # SD_MESSAGE_USER_STARTUP_FINISHED
_TIMESPAN_UNITS = (("y", 31_557_600 * SEC), ("month", 2_629_800 * SEC), ("w", 604_800 * SEC),
                   ("d", 86_400 * SEC), ("h", 3_600 * SEC), ("min", 60 * SEC), ("s", SEC),
                   ("ms", 1_000), ("us", 1))


def systemd_timespan(us: int) -> str:
    """systemd's format_timespan(us, USEC_PER_MSEC): "1min 2.345s", "845ms", cut (not
    rounded) to the millisecond."""
    if us <= 0:
        return "0"
    parts: list[str] = []
    t = us
    for suffix, unit in _TIMESPAN_UNITS:
        if t <= 0 or (t < 1_000 and parts):
            break
        if t < unit:
            continue
        whole, rest = divmod(t, unit)
        digits = len(str(unit)) - 1 - 3  # the unit's decimals, less the accuracy's
        if t < 60 * SEC and rest > 0 and digits > 0:
            parts.append(f"{whole}.{rest // 1_000:0{digits}d}{suffix}")
            break
        parts.append(f"{whole}{suffix}")
        t = rest
    return " ".join(parts)


def printk_stamp(us: int) -> str:
    """The kernel's own time stamp as syslog text shows it: ``[    1.234567] ``."""
    return f"[{us // SEC:5d}.{us % SEC:06d}] "


def make_host(rng: random.Random, host: str, start_us: int, boots: int,
              filler: int) -> list[Boot]:
    """A host's boots a few days apart, 40 % of them with early kdump (for benchmarks)."""
    made = []
    for _ in range(boots):
        mode = "early-kdump" if rng.random() < 0.4 else "kdump"
        made.append(make_boot(rng, host, start_us, mode=mode, filler=filler))
        start_us += rng.randint(1, 5) * 86_400 * SEC
    return made


def _step_time(entries: Sequence[Entry]) -> int:
    """When the NTP step happened (entries before it carry the wrong wall clock)."""
    return min((e.mono_us for e in entries if e.fields["MESSAGE"].startswith("System clock w")),
               default=-1)


def _service(entries: list[Entry], rng: random.Random, t: int, distro: str, mode: str,
             outcome: str, ident: str, prefix: str, verb: str, gap_us: int | None, status: str,
             decoys: bool) -> tuple[int, int | None, str]:
    """The kdump service's lines at time `t`; returns the new time, gap and status."""
    if decoys:  # lines that quote the load message but are not an arming
        entries.append(_line(t - 5_000, "sudo", "1201", "admin : TTY=pts/0 ; PWD=/root ; "
                             "USER=root ; COMMAND=/usr/bin/echo kexec: loaded kdump kernel"))
        entries.append(_line(t - 4_000, "logger", "1202", "kexec: loaded kdump kernel"))
    if mode == "none" or outcome == "not-armed" or (outcome == "no-crashkernel"
                                                    and distro != "ubuntu"):
        return t, gap_us, status  # (kdump.service's ExecCondition skips it without crashkernel)
    pid = str(rng.randint(700, 1500))
    if outcome == "no-crashkernel":  # Ubuntu's kdump-tools says so
        entries.append(_line(t, ident, pid, " * no crashkernel= parameter in the kernel cmdline",
                             _TEST_FAILED="1"))
        return t, gap_us, "failed"
    if outcome == "reservation-failed":
        text = {"ubuntu": "Memory for crashkernel is not reserved",
                "suse": "No crashkernel memory reserved, Kdump cannot start."}.get(
                    distro, f"{prefix}No memory reserved for crash kernel")
        entries.append(_line(t, ident, pid, text, _TEST_FAILED="1"))
        return t, gap_us, "failed"
    if distro == "ubuntu":
        unit = "Kernel crash dump capture service"
        entries.append(_line(t, "systemd", "1", f"Starting {unit}..."))
        entries.append(_line(t + 1_000, ident, pid, "Starting kdump-tools:"))
        t += rng.randint(200_000, 900_000)
        if outcome == "armed":
            entries.append(_line(t, ident, pid, " * loaded kdump kernel", _TEST_ARMED="1"))
            entries.append(_line(t + 500, ident, str(int(pid) + 5), "loaded kdump kernel"))
            gap_us, status = gap_us or t, "armed"
        else:
            entries.append(_line(t, ident, pid, " * failed to load kdump kernel",
                                 _TEST_FAILED="1"))
            status = "failed"
        entries.append(_line(t + 2_000, "systemd", "1", f"{verb} {unit}."))
        return t + 2_000, gap_us, status
    if distro == "suse":
        unit = "Load kdump kernel and initrd"
        entries.append(_line(t, "systemd", "1", f"Starting {unit}..."))
        t += rng.randint(200_000, 2_000_000)
        if outcome == "armed":
            entries.append(_line(t, "systemd", "1", f"{verb} {unit}.", _TEST_ARMED="1"))
            gap_us, status = gap_us or t, "armed"
        else:
            entries.append(_line(t, ident, pid, "kexec failed.", _TEST_FAILED="1"))
            entries.append(_line(t + 1_000, "systemd", "1", f"Failed to start {unit}."))
            status = "failed"
        return t + 1_000, gap_us, status
    unit = "Crash recovery kernel arming"
    entries.append(_line(t, "systemd", "1", f"Starting {unit}..."))
    t += rng.randint(300_000, 3_000_000)
    if gap_us is not None:  # early kdump got there first
        entries.append(_line(t, ident, pid, f"{prefix}Kdump already running: [WARNING]"))
    elif outcome == "armed":
        entries.append(_line(t, ident, pid, f"{prefix}kexec: loaded kdump kernel",
                             _TEST_ARMED="1"))
        entries.append(_line(t + 300, ident, pid, f"{prefix}Starting kdump: [OK]"))
        gap_us, status = t, "armed"
    else:
        entries.append(_line(t, ident, pid, f"{prefix}kexec: failed to load kdump kernel",
                             _TEST_FAILED="1"))
        entries.append(_line(t + 300, ident, pid, f"{prefix}Starting kdump: [FAILED]"))
        entries.append(_line(t + 900, "systemd", "1",
                             "kdump.service: Main process exited, code=exited, status=1/FAILURE"))
        entries.append(_line(t + 1_000, "systemd", "1", f"Failed to start {unit}."))
        return t + 1_000, gap_us, "failed"
    entries.append(_line(t + 1_000, "systemd", "1", f"{verb} {unit}."))
    return t + 1_000, gap_us, status


def _field(name: str, value: str) -> bytes:
    data = value.encode()
    if b"\n" in data:  # the binary-safe form, as journalctl -o export writes it
        return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
    return name.encode() + b"=" + data + b"\n"


def to_export(boots: Iterable[Boot], interleave: bool = False) -> bytes:
    """Journal export format of the boots (in order, or merged by wall time)."""
    items = [(b.real_us(e), i, b, e) for i, b in enumerate(boots) for e in b.entries]
    if interleave:
        items.sort(key=lambda x: (x[0], x[1]))
    out = []
    for _, _, boot, entry in items:
        out.append(_field("__REALTIME_TIMESTAMP", str(boot.real_us(entry))))
        out.append(_field("__MONOTONIC_TIMESTAMP", str(entry.mono_us)))
        out.append(_field("_BOOT_ID", boot.boot_id))
        for name, value in entry.fields.items():
            if not name.startswith("_TEST"):
                out.append(_field(name, value))
        out.append(b"\n")
    return b"".join(out)


def write_journal(export: bytes, path: str, *, compact: bool = True) -> str:
    """A real ``.journal`` file at `path` made by systemd-journal-remote from `export`."""
    env = dict(os.environ)
    if not compact:
        env.update(SYSTEMD_JOURNAL_COMPACT="0", SYSTEMD_JOURNAL_KEYED_HASH="0")
    with tempfile.NamedTemporaryFile(suffix=".export") as tmp:
        tmp.write(export)
        tmp.flush()
        subprocess.run([JOURNAL_REMOTE, f"--output={path}", tmp.name], check=True, env=env,
                       capture_output=True)
    return path


def render(journal: str, fmt: str, tz: str = "UTC", *extra: str) -> bytes:
    """What the real ``journalctl --file JOURNAL -o FMT`` prints, in time zone `tz`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": tz, "LC_ALL": "C.UTF-8",
           "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""}
    return subprocess.run(["journalctl", "--file", journal, "-o", fmt, "--no-pager", *extra],
                          check=True, capture_output=True, env=env).stdout


# A fleet plan: host, distro, and the boots of the host, in order: a mode, or the
# make_boot keywords of a boot. The list is spread over `boots_per_host`.
Plan = Sequence[tuple[str, str, Sequence[str | dict]]]

FLEET: Plan = [
    ("web-01", "rhel9", ["kdump"]), ("web-02", "rhel9", ["kdump"]),
    ("web-03", "rhel9", ["early-kdump"]), ("db-01", "rhel9", ["early-kdump"]),
    ("db-02", "rhel8", ["early-kdump"]), ("app-01", "rhel8", ["kdump"]),
    ("app-02", "rhel8", ["kdump"]), ("legacy-01", "rhel7", ["kdump"]),
    ("cache-01", "ubuntu", ["kdump"]), ("sles-01", "suse", ["kdump"]),
    ("batch-01", "rhel9", ["kdump", "kdump", "early-kdump", "early-kdump"]),
    ("edge-01", "rhel9", ["kdump"]), ("lab-01", "rhel9", ["none"]),
]

_K, _E = "kdump", "early-kdump"
# sample_logs/: early kdump rolled out part-way on four hosts, and db-03 with
# rd.earlykdump but no earlykdump module in its initramfs until the last boot,
# when the module is there and the early load fails (and so does kdumpctl)
SAMPLE_FLEET: Plan = [
    ("web-01", "rhel9", [_K, _K, _K, _E, _E, _E]), ("web-02", "rhel9", [_K, _K, _E, _E, _E, _E]),
    ("web-03", "rhel9", [_E]), ("db-01", "rhel9", [_K, _E, _E, _E, _E, _E]),
    ("db-02", "rhel8", [_E]),
    ("db-03", "rhel9", [{"mode": _E, "early_module": False}] * 5
                       + [{"mode": _E, "outcome": "failed"}]),
    ("app-01", "rhel8", [_K, _K, _K, _K, _E, _E]), ("app-02", "rhel8", [_K]),
    ("legacy-01", "rhel7", [_K]), ("cache-01", "ubuntu", [_K]), ("sles-01", "suse", [_K]),
    ("batch-01", "rhel9", [_K, _K, _K, _E, _E, _E]),
    ("edge-01", "rhel9", [_K]), ("lab-01", "rhel9", ["none"]),
]


def make_fleet(seed: int = 1, boots_per_host: int = 4, filler: int = 40,
               start: str = "2024-12-30T08:00:00", plan: Plan = FLEET) -> list[Boot]:
    """A fleet: RHEL 7/8/9 with kdump and early kdump, Ubuntu, SUSE, failures.

    Host n's first boot is n hours after `start`, the next ones 2-9 days apart;
    edge-01 fails every other boot and app-02's second boot has its clock
    stepped by an hour.
    """
    rng = random.Random(seed)
    import datetime as _dt

    t0 = int(_dt.datetime.fromisoformat(start).replace(tzinfo=_dt.timezone.utc).timestamp()) * SEC
    boots = []
    for n, (host, distro, modes) in enumerate(plan):
        t = t0 + n * 3_600 * SEC
        for i in range(boots_per_host):
            spec = modes[min(i * len(modes) // boots_per_host, len(modes) - 1)]
            kw = {"mode": spec} if isinstance(spec, str) else dict(spec)
            kw.setdefault("outcome", "failed" if host == "edge-01" and i % 2 else "armed")
            kw.setdefault("clock_step_s", 3_600.0 if host == "app-02" and i == 1 else 0.0)
            boots.append(make_boot(rng, host, t, distro=distro, filler=filler, **kw))
            t += rng.randint(2, 9) * 86_400 * SEC
    return boots


def make_sample_fleet(seed: int = 2024) -> list[Boot]:
    """The fleet of ``sample_logs/`` (tools/make_sample_logs.py): 14 hosts, 6 boots each."""
    return make_fleet(seed=seed, boots_per_host=6, filler=20, plan=SAMPLE_FLEET)
