"""The message catalogue (bootlag/events.py) against the real message variants.

Every positive case is a variant of a line documented in docs/formats.md ("Crash-kernel
messages"), written here by hand; the source is noted next to each group. Negative cases
are lines that quote or resemble an arming line but must not count as one.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from bootlag import events
from bootlag.records import Armed, CommandLine, Failure, KernelRelease, Seconds, Startup

ANY = object()  # detail not checked (the kind still is)


def case(id_, ident, message, kind, detail=None):
    return pytest.param(ident, message, kind, detail, id=id_)


def armed(id_, ident, message, mode, loader):
    return case(id_, ident, message, events.ARMED, (mode, loader))


def failed(id_, ident, message, text):
    """A failure; the detail is the message with the logger decorations stripped."""
    return case(id_, ident, message, events.FAILED, text)


def none(id_, ident, message):
    return case(id_, ident, message, None)


E, K = events.EARLY, events.KDUMP
LOADED = "kexec: loaded kdump kernel"
UNAME = ("5.14.0-284.11.1.el9_2.x86_64 (mockbuild@x86-vm-07.build.eng.bos.redhat.com) "
         "(gcc (GCC) 11.3.1 20221121 (Red Hat 11.3.1-4), GNU ld version 2.35.2-37.el9) "
         "#1 SMP PREEMPT_DYNAMIC Wed Apr 12 10:45:03 EDT 2023")
CMDLINE = ("BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-284.11.1.el9_2.x86_64 "
           "root=UUID=0f9b1c2e-1111-4a2b-9c3d-123456789abc ro "
           "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M rd.earlykdump console=ttyS0,115200n8")
KEXEC_CALL = ('/sbin/kexec -p --command-line="BOOT_IMAGE=/vmlinuz-6.8.0-45-generic '
              'root=/dev/vda1 reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1" '
              "--initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz")

CASES = [
    # --- RHEL/Fedora kdumpctl (1.1, 1.2, S1, S3, S4, S5) ---
    armed("kdumpctl-plain", "kdumpctl", LOADED, K, "kdumpctl"),
    armed("kdumpctl-prefixed-S1", "kdumpctl", f"kdump: {LOADED}", K, "kdumpctl"),
    armed("kdumpctl-sysv-logger", "kdump", LOADED, K, "kdumpctl"),
    armed("kdumpctl-trailing-space", "kdumpctl", f"kdump: {LOADED} ", K, "kdumpctl"),
    case("already-plain", "kdumpctl", "Kdump already running: [WARNING]", events.ALREADY),
    case("already-prefixed", "kdumpctl", "kdump: Kdump already running: [WARNING]",
         events.ALREADY),
    case("already-v1.0.61-warning", "kdumpctl",
         "kdump: WARNING: Kdump already running: [WARNING]", events.ALREADY),
    failed("kexec-failed-plain", "kdumpctl", "kexec: failed to load kdump kernel",
           "kexec: failed to load kdump kernel"),
    failed("kexec-failed-prefixed-S3", "kdumpctl", "kdump: kexec: failed to load kdump kernel",
           "kexec: failed to load kdump kernel"),
    failed("luks-failed", "kdumpctl", "kdump: kexec: failed to prepare for a LUKS target",
           "kexec: failed to prepare for a LUKS target"),
    failed("starting-failed-plain", "kdumpctl", "Starting kdump: [FAILED]",
           "Starting kdump: [FAILED]"),
    failed("starting-failed-prefixed-S3", "kdumpctl", "kdump: Starting kdump: [FAILED]",
           "Starting kdump: [FAILED]"),
    failed("no-memory-2018-plain", "kdumpctl", "No memory reserved for crash kernel",
           "No memory reserved for crash kernel"),
    failed("no-memory-2012-period", "kdumpctl", "No memory reserved for crash kernel.",
           "No memory reserved for crash kernel."),
    failed("no-memory-prefixed", "kdumpctl", "kdump: No memory reserved for crash kernel",
           "No memory reserved for crash kernel"),
    failed("not-supported-plain", "kdumpctl", "Kdump is not supported on this kernel",
           "Kdump is not supported on this kernel"),
    failed("not-supported-prefixed", "kdumpctl", "kdump: Kdump is not supported on this kernel",
           "Kdump is not supported on this kernel"),
    failed("mkdumprd-failed-S5", "kdumpctl", "kdump: mkdumprd: failed to make kdump initrd",
           "mkdumprd: failed to make kdump initrd"),
    case("unloaded-plain", "kdumpctl", "kexec: unloaded kdump kernel", events.UNLOADED),
    case("unloaded-prefixed", "kdumpctl", "kdump: kexec: unloaded kdump kernel",
         events.UNLOADED),
    none("starting-ok-is-not-a-second-arming", "kdumpctl", "kdump: Starting kdump: [OK]"),
    none("starting-ok-plain", "kdumpctl", "Starting kdump: [OK]"),
    none("failed-to-unload", "kdumpctl", "kdump: kexec: failed to unload kdump kernel"),
    none("rebuild-trigger-S1", "kdumpctl",
         "kdump: Detected change(s) in the following file(s):  /usr/sbin/makedumpfile"),
    none("no-kdump-initrd-S5", "kdumpctl", "kdump: No kdump initial ramdisk found."),
    none("rebuilding-S5", "kdumpctl",
         "kdump: Rebuilding /boot/initramfs-6.8.9-405.asahi.fc40.aarch64+16kkdump.img"),
    none("kdumpctl-child-sed-S3", "kdumpctl",
         "sed: -e expression #1, char 14: unknown command: `/'"),
    # --- POWER fadump via kdumpctl (1.2) ---
    armed("fadump-registered", "kdumpctl", "kdump: fadump: registered successfully",
          K, "fadump"),
    armed("fadump-re-registered", "kdumpctl", "kdump: fadump: re-registered successfully",
          K, "fadump"),
    failed("fadump-failed", "kdumpctl", "kdump: fadump: failed to register",
           "fadump: failed to register"),
    case("fadump-unregistered", "kdumpctl", "kdump: fadump: unregistered successfully",
         events.UNLOADED),
    # --- early kdump, dracut cmdline hook (1.3, S2) ---
    armed("early-plain-S2", "dracut-cmdline", "kexec: loaded early-kdump kernel", E, "early-kdump"),
    armed("early-prefixed", "dracut-cmdline", "kdump: kexec: loaded early-kdump kernel",
          E, "early-kdump"),
    armed("early-syslog-tag", "kdump", "kexec: loaded early-kdump kernel", E, "early-kdump"),
    failed("early-failed-plain", "dracut-cmdline", "kexec: failed to load early-kdump kernel",
           "kexec: failed to load early-kdump kernel"),
    failed("early-failed-prefixed", "dracut-cmdline",
           "kdump: kexec: failed to load early-kdump kernel",
           "kexec: failed to load early-kdump kernel"),
    failed("early-no-memory", "dracut-cmdline", "kdump: No memory reserved for crash kernel",
           "No memory reserved for crash kernel"),
    failed("early-not-supported", "dracut-cmdline",
           "kdump: Kdump is not supported on this kernel",
           "Kdump is not supported on this kernel"),
    case("early-enabled-S2", "dracut-cmdline", "early-kdump is enabled.", events.EARLY_ENABLED),
    case("early-enabled-prefixed", "dracut-cmdline", "kdump: early-kdump is enabled.",
         events.EARLY_ENABLED),
    case("early-disabled-S2", "dracut-cmdline", "early-kdump is disabled.",
         events.EARLY_DISABLED),
    case("early-disabled-prefixed", "dracut-cmdline", "kdump: early-kdump is disabled.",
         events.EARLY_DISABLED),
    case("early-not-enabled-by-default", "dracut-cmdline",
         "early-kdump is not enabled by default.", events.EARLY_DISABLED),
    # --- Debian / Ubuntu kdump-tools (1.4, S6, S7) ---
    armed("debian-loaded", "kdump-tools", "loaded kdump kernel.", K, "kdump-tools"),
    armed("ubuntu-loaded", "kdump-tools", " * loaded kdump kernel", K, "kdump-tools"),
    armed("debian-logger-copy", "kdump-tools", "loaded kdump kernel", K, "kdump-tools"),
    armed("debian-by-hand", "kdump-config", "loaded kdump kernel.", K, "kdump-tools"),
    failed("debian-load-failed-S7", "kdump-tools", "failed to load kdump kernel ... failed!",
           "failed to load kdump kernel"),
    failed("ubuntu-load-failed", "kdump-tools", " * failed to load kdump kernel",
           "failed to load kdump kernel"),
    failed("debian-load-failed-logger", "kdump-tools", "failed to load kdump kernel",
           "failed to load kdump kernel"),
    failed("debian-no-crashkernel", "kdump-tools",
           "no crashkernel= parameter in the kernel cmdline ... failed!",
           "no crashkernel= parameter in the kernel cmdline"),
    failed("ubuntu-no-crashkernel", "kdump-tools",
           " * no crashkernel= parameter in the kernel cmdline",
           "no crashkernel= parameter in the kernel cmdline"),
    case("debian-no-crashkernel-split-S7", "kdump-tools",
         "no crashkernel= parameter in the kernel cmdline ...", events.FAILED, ANY),
    none("debian-split-failed-tail-S7", "kdump-tools", " failed!"),
    failed("kexec-memory-not-reserved-S6", "kdump-tools", "Memory for crashkernel is not reserved",
           "Memory for crashkernel is not reserved"),
    none("kexec-please-reserve-S6", "kdump-tools",
         'Please reserve memory by passing"crashkernel=Y@X" parameter to kernel'),
    none("kexec-then-try-loading-S6", "kdump-tools", "Then try to loading kdump kernel"),
    failed("debian-not-supported", "kdump-tools",
           "kdump is not supported by this kernel ... failed!",
           "kdump is not supported by this kernel"),
    failed("debian-use-kdump-unset", "kdump-tools",
           "/etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!",
           "/etc/default/kdump-tools: USE_KDUMP is not set or zero"),
    failed("debian-relocation", "kdump-tools",
           "kdump kernel relocation address does not match crashkernel parameter ... failed!",
           "kdump kernel relocation address does not match crashkernel parameter"),
    failed("debian-kdump-kernel-missing", "kdump-tools",
           "/etc/default/kdump-tools: KDUMP_KERNEL does not exist: /var/lib/kdump/vmlinuz"
           " ... failed!",
           "/etc/default/kdump-tools: KDUMP_KERNEL does not exist: /var/lib/kdump/vmlinuz"),
    case("debian-unloaded", "kdump-tools", "unloaded kdump kernel.", events.UNLOADED),
    none("debian-failed-to-unload", "kdump-tools", "failed to unload kdump kernel ... failed!"),
    armed("debian-fadump", "kdump-tools", "fadump registered successfully.", K, "fadump"),
    armed("debian-fadump-logger", "kdump-tools", "fadump registered successfully", K, "fadump"),
    failed("debian-fadump-failed", "kdump-tools", "fadump registering failed ... failed!",
           "fadump registering failed"),
    none("debian-starting-S7", "kdump-tools", "Starting kdump-tools:"),
    none("debian-symlink", "kdump-tools", "Creating symlink /var/lib/kdump/vmlinuz."),
    none("ubuntu-symlink", "kdump-tools", " * Creating symlink /var/lib/kdump/initrd.img."),
    none("debian-kexec-command-copy", "kdump-tools", KEXEC_CALL),
    none("debian-lockdown", "kdump-tools", "Kernel security lockdown: none"),
    none("debian-unit-finished-even-after-failure", "systemd",
         "Finished Kernel crash dump capture service."),
    none("debian-unit-starting", "systemd", "Starting Kernel crash dump capture service..."),
    none("sysv-kexec-tools-lsb", "systemd", "Stopped LSB: Load kernel image with kexec."),
    # --- SUSE (1.5, 1.6) ---
    armed("suse-finished", "systemd", "Finished Load kdump kernel and initrd.",
          K, "kdump.service"),
    armed("suse-started-pre-v245", "systemd", "Started Load kdump kernel and initrd.",
          K, "kdump.service"),
    armed("suse-finished-combined", "systemd",
          "Finished kdump.service - Load kdump kernel and initrd.", K, "kdump.service"),
    armed("suse-early-finished", "systemd", "Finished Load kdump kernel early on startup.",
          K, "kdump-early.service"),
    armed("suse-early-started-pre-v245", "systemd", "Started Load kdump kernel early on startup.",
          K, "kdump-early.service"),
    armed("suse-early-finished-combined", "systemd",
          "Finished kdump-early.service - Load kdump kernel early on startup.",
          K, "kdump-early.service"),
    none("suse-unit-starting", "systemd", "Starting Load kdump kernel and initrd..."),
    failed("suse-unit-failed", "systemd", "Failed to start Load kdump kernel and initrd.",
           "Failed to start Load kdump kernel and initrd."),
    failed("suse-early-unit-failed-combined", "systemd",
           "Failed to start kdump-early.service - Load kdump kernel early on startup.",
           "Failed to start kdump-early.service - Load kdump kernel early on startup."),
    armed("suse-loadsh-verbose", "load.sh", "Loaded kdump kernel.", K, "load.sh"),
    armed("suse-old-logger", "kdump",
          "Loaded kdump kernel: /sbin/kexec -p /boot/vmlinuz-5.3.18-57-default "
          '--append="root=/dev/vda2 irqpoll nr_cpus=1" '
          "--initrd=/boot/initrd-5.3.18-57-default-kdump -s, Result: ", K, "load.sh"),
    armed("suse-fadump", "load.sh", "Registered fadump", K, "fadump"),
    failed("suse-kexec-failed", "load.sh", "kexec failed.", "kexec failed."),
    failed("suse-old-failed", "kdump",
           "FAILED to load kdump kernel: /sbin/kexec -p /boot/vmlinuz, Result: Cannot load",
           "FAILED to load kdump kernel: /sbin/kexec -p /boot/vmlinuz, Result: Cannot load"),
    failed("suse-no-crashkernel", "load.sh", "No crashkernel memory reserved, Kdump cannot start.",
           "No crashkernel memory reserved, Kdump cannot start."),
    failed("suse-fadump-failed", "load.sh", "FAILED to register fadump: Invalid argument",
           "FAILED to register fadump: Invalid argument"),
    none("suse-load-announce", "load.sh",
         "Starting kdump kernel load; kexec cmdline: /sbin/kexec -a -p /boot/vmlinuz"),
    none("suse-file-load-fallback", "load.sh", "kexec_file_load(2) failed"),
    none("suse-old-starting", "load.sh", "Starting load kdump kernel with kexec_file_load(2)"),
    # --- systemd unit lines for kdump.service (1.6, S1, S4, S5) ---
    failed("unit-failed", "systemd", "Failed to start Crash recovery kernel arming.",
           "Failed to start Crash recovery kernel arming."),
    failed("unit-failed-combined", "systemd",
           "Failed to start kdump.service - Crash recovery kernel arming.",
           "Failed to start kdump.service - Crash recovery kernel arming."),
    none("unit-started-S1", "systemd", "Started Crash recovery kernel arming."),
    none("unit-finished", "systemd", "Finished Crash recovery kernel arming."),
    none("unit-starting-combined-S5", "systemd",
         "Starting kdump.service - Crash recovery kernel arming..."),
    none("unit-main-exited-S4", "systemd",
         "kdump.service: Main process exited, code=exited, status=1/FAILURE"),
    none("unit-failed-result-S4", "systemd", "kdump.service: Failed with result 'exit-code'."),
    # --- kernel (1.7, S6, S8) ---
    case("linux-version", "kernel", f"Linux version {UNAME}", events.KERNEL_START,
         "5.14.0-284.11.1.el9_2.x86_64"),
    case("x86-command-line", "kernel", f"Command line: {CMDLINE}", events.CMDLINE, CMDLINE),
    case("kernel-command-line", "kernel", f"Kernel command line: {CMDLINE}", events.CMDLINE,
         CMDLINE),
    case("reserve-in-use", "kernel", "crashkernel reservation failed - memory is in use.",
         events.RESERVE_FAILED, "crashkernel reservation failed - memory is in use."),
    case("reserve-no-area", "kernel", "crashkernel reservation failed - No suitable area found.",
         events.RESERVE_FAILED, "crashkernel reservation failed - No suitable area found."),
    case("reserve-cannot-allocate", "kernel", "cannot allocate crashkernel (size:0x10000000)",
         events.RESERVE_FAILED, "cannot allocate crashkernel (size:0x10000000)"),
    none("reserved-x86-S8", "kernel",
         "Reserving 160MB of memory at 688MB for crashkernel (System RAM: 2047MB)"),
    none("reserved-generic-S6", "kernel",
         "crashkernel reserved: 0x0000000060000000 - 0x0000000074000000 (320 MB)"),
    none("linux-version-not-from-kernel", "bash", f"Linux version {UNAME}"),
    # --- systemd "Startup finished" (1.7): phases in seconds ---
    case("startup-initrd", "systemd",
         "Startup finished in 1.029s (kernel) + 2.345s (initrd) + 1min 20.123s (userspace)"
         " = 1min 23.497s.", events.STARTUP,
         {"kernel": 1.029, "initrd": 2.345, "userspace": 80.123, "total": 83.497}),
    case("startup-firmware-loader", "systemd",
         "Startup finished in 7.135s (firmware) + 3.071s (loader) + 1.404s (kernel)"
         " + 2.112s (initrd) + 14.508s (userspace) = 28.232s.", events.STARTUP,
         {"firmware": 7.135, "loader": 3.071, "kernel": 1.404, "initrd": 2.112,
          "userspace": 14.508, "total": 28.232}),
    case("startup-no-initrd", "systemd",
         "Startup finished in 845ms (kernel) + 5.123s (userspace) = 5.968s.", events.STARTUP,
         {"kernel": 0.845, "userspace": 5.123, "total": 5.968}),
    none("startup-user-manager", "systemd", "Startup finished in 55ms."),
    # --- sleep (issue 11 item 7): the monotonic clock stands still ---
    case("suspend-kernel", "kernel", "PM: suspend entry (deep)", events.SUSPEND),
    case("suspend-kernel-s2idle", "kernel", "PM: suspend entry (s2idle)", events.SUSPEND),
    case("suspend-kernel-old", "kernel", "PM: Preparing system for sleep (mem)", events.SUSPEND),
    case("suspend-kernel-3.x", "kernel", "PM: Preparing system for mem sleep", events.SUSPEND),
    case("hibernate-kernel", "kernel", "PM: hibernation: hibernation entry", events.SUSPEND),
    case("suspend-systemd-sleep", "systemd-sleep", "Entering sleep state 'suspend'...",
         events.SUSPEND),
    case("suspend-systemd-sleep-old", "systemd-sleep", "Suspending system...", events.SUSPEND),
    case("hibernate-systemd-sleep-old", "systemd-sleep", "Hibernating system...",
         events.SUSPEND),
    case("suspend-systemd-sleep-v256", "systemd-sleep", "Performing sleep operation 'suspend'...",
         events.SUSPEND),
    none("suspend-exit", "kernel", "PM: suspend exit"),
    none("suspend-from-shell", "bash", "Entering sleep state 'suspend'..."),
    none("suspend-returned", "systemd-sleep", "System returned from sleep state."),
    # --- syslog text keeps the kernel's printk time in the message ---
    case("kernel-start-printk-time", "kernel", f"[    0.000000] Linux version {UNAME}",
         events.KERNEL_START, UNAME.split()[0]),
    case("cmdline-printk-time", "kernel", f"[    0.012345] Command line: {CMDLINE}",
         events.CMDLINE, CMDLINE),
    case("suspend-printk-time", "kernel", "[ 5123.456789] PM: suspend entry (deep)",
         events.SUSPEND),
    # --- wall clock steps ---
    case("chrony-step", "chronyd", "System clock was stepped by 3600.0 seconds",
         events.CLOCK_STEP, 3600.0),
    case("chrony-step-back", "chronyd", "System clock was stepped by -1.234567 seconds",
         events.CLOCK_STEP, -1.234567),
    case("chrony-wrong", "chronyd", "System clock wrong by 2.5 seconds, adjustment started",
         events.CLOCK_STEP, 2.5),
    case("timesyncd-initial", "systemd-timesyncd",
         "Initial clock synchronization to Thu 2024-05-02 10:00:00.123456 UTC.",
         events.CLOCK_STEP),
    none("clock-step-from-shell", "bash", "System clock was stepped by 3600.0 seconds"),
    # --- capture (second) kernel (1.1, 1.4, S9) ---
    case("capture-log-level-S9", "kdump", "Kdump is using the default log level(3).",
         events.CAPTURE),
    case("capture-saving-S9", "kdump",
         "saving to /sysroot/ostree/deploy/fedora-coreos/var/crash/127.0.0.1-2024-03-24-13:37:43/",
         events.CAPTURE),
    case("capture-debian-saved-vmcore", "kdump-tools",
         "kdump-tools: saved vmcore in /var/crash/202511011541.", events.CAPTURE),
    case("capture-ubuntu-saved-dmesg", "kdump-tools",
         " * kdump-tools: saved dmesg content in /var/crash/202511011541", events.CAPTURE),
    case("capture-ubuntu-dmesg-logger", "kdump-tools",
         "saved dmesg content in /var/crash/202511011541", events.CAPTURE),
    case("capture-makedumpfile-completed", "kdump-tools", "makedumpfile Completed.",
         events.CAPTURE),
    case("capture-running-makedumpfile", "kdump-tools",
         " * running makedumpfile -c -d 31 /proc/vmcore /var/crash/202511011541/dump-incomplete",
         events.CAPTURE),
    # --- the first lines of a boot on other kernels (issue 11; docs/formats.md 2.8) ---
    case("arm64-booting", "kernel", "Booting Linux on physical CPU 0x0000000000 [0x413fd0c1]",
         events.KERNEL_START),
    case("rhel7-cgroup-first", "kernel", "Initializing cgroup subsys cpuset",
         events.KERNEL_START),
    case("syslog-printk-linux-version", "kernel", f"[    0.000000] Linux version {UNAME}",
         events.KERNEL_START, "5.14.0-284.11.1.el9_2.x86_64"),
    none("cgroup-later-text", "kernel", "Initializing cgroup subsys cpuset: done soon"),
    # --- nothing reserved, from whoever tried to load (issue 11 item 6: SUSE load.sh) ---
    failed("suse-kexec-not-reserved", "load.sh", "Memory for crashkernel is not reserved",
           "Memory for crashkernel is not reserved"),
    failed("suse-no-crashkernel-memory", "load.sh",
           "No crashkernel memory reserved, Kdump cannot start.",
           "No crashkernel memory reserved, Kdump cannot start."),
    # --- kdumpctl run by udev on hotplug (kdump-utils 98-kexec.rules) ---
    case("udev-throttler-unloaded", "kdump-udev-throttler", "kdump: kexec: unloaded kdump kernel",
         events.UNLOADED),
    armed("udev-throttler-reloaded", "kdump-udev-throttler", f"kdump: {LOADED}", K, "kdumpctl"),
    # --- a clean shutdown (docs/formats.md 5) ---
    case("reached-reboot", "systemd", "Reached target System Reboot.", events.SHUTDOWN),
    case("reached-poweroff-combined", "systemd",
         "Reached target poweroff.target - System Power Off.", events.SHUTDOWN),
    case("reached-halt", "systemd", "Reached target System Halt.", events.SHUTDOWN),
    case("reached-shutdown-old", "systemd", "Reached target Shutdown.", events.SHUTDOWN),
    case("systemd-shutdown-sync", "systemd-shutdown", "Syncing filesystems and block devices.",
         events.SHUTDOWN),
    case("journal-stopped", "systemd-journald", "Journal stopped", events.SHUTDOWN),
    case("logind-rebooting", "systemd-logind", "System is rebooting.", events.SHUTDOWN),
    none("reached-multi-user", "systemd", "Reached target Multi-User System."),
    none("reached-reboot-quoted", "bash", "Reached target System Reboot."),
    # --- kmsg copy: no identifier, "kdump[PID] " stays in the message (1.0) ---
    armed("kmsg-unknown", "unknown", f"kdump[123] {LOADED}", K, "kdumpctl"),
    armed("kmsg-no-ident-json", None, f"kdump[123] {LOADED}", K, "kdumpctl"),
    case("kmsg-capture", "unknown", "kdump[630] saving to /sysroot/var/crash/127.0.0.1/",
         events.CAPTURE),
    none("kmsg-other-program", "unknown", f"logger[55] {LOADED}"),
    # --- quoting the arming text is not arming ---
    none("sudo-quoting", "sudo",
         f"   alice : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/logger {LOADED}"),
    none("logger-tag", "logger", LOADED),
    none("bash", "bash", LOADED),
    none("root-logger-default-tag", "root", LOADED),
    none("root-prefixed", "root", f"kdump: {LOADED}"),
    none("echo-early", "bash", "kexec: loaded early-kdump kernel"),
    none("echo-debian", "root", "loaded kdump kernel."),
    none("echo-suse-unit-text", "bash", "Finished Load kdump kernel and initrd."),
    # --- unrelated ---
    none("sshd", "sshd", "Accepted publickey for alice from 10.0.0.5 port 50522 ssh2"),
    none("networkmanager", "NetworkManager", "<info>  [1698557129.1234] manager: startup complete"),
    none("systemd-other-unit", "systemd", "Finished Load Kernel Modules."),
    none("empty", "kdumpctl", ""),
    none("no-ident", None, "hello world"),
]

# Lines whose classification is open, but which must never count as an arming.
NOT_ARMED = [
    pytest.param("kdumpctl", "kdump: failed to prepare for kdump bootinfo.", id="bootinfo-S4"),
    pytest.param("dracut-cmdline", "kdump: Early kdump doesn't support fadump.",
                 id="early-no-fadump"),
    pytest.param("dracut-cmdline", "WARNING: early kdump doesn't support fadump.",
                 id="early-no-fadump-old"),
    pytest.param("systemd", "Starting kdump-capture.service - Kdump Vmcore Save Service...",
                 id="capture-unit-S9"),
    pytest.param("kdumpctl", "kdump: Kdump was not running: [WARNING]", id="reload-not-running"),
    pytest.param("kdumpctl", "kdump: Stopping kdump: [OK]", id="stopping"),
    pytest.param("kdumpctl", "kdump: Kdump is operational", id="status-by-hand"),
    pytest.param("systemd",
                 "kdump.service - Crash recovery kernel arming was skipped because of an unmet "
                 "condition check (ExecCondition=/bin/sh -c grep -q -e crashkernel /proc/cmdline)",
                 id="unit-skipped"),
    pytest.param("dracut-cmdline", "Secure Boot is enabled. Using kexec file based syscall.",
                 id="early-secure-boot"),
]


@pytest.mark.parametrize(("ident", "message", "kind", "detail"), CASES)
def test_classify(ident, message, kind, detail):
    event = events.classify(ident, message)
    if kind is None:
        assert event is None
        return
    assert event is not None, "not recognised"
    assert event.kind == kind
    if isinstance(detail, dict):
        assert plain(event.detail) == pytest.approx(detail)
    elif detail is not ANY:
        assert plain(event.detail) == detail


def plain(detail):
    """A typed detail in the cases' shorthand: (mode, loader), the text, phases, seconds."""
    if isinstance(detail, Armed):
        return (detail.mode, detail.loader)
    if isinstance(detail, Failure):
        return detail.text
    if isinstance(detail, (KernelRelease, CommandLine)):
        return dataclasses.astuple(detail)[0]
    if isinstance(detail, Startup):
        return {name.removesuffix("_s"): value
                for name, value in dataclasses.asdict(detail).items()
                if not math.isnan(value) and name != "digit_s"}
    if isinstance(detail, Seconds):
        return None if math.isnan(detail.value) else detail.value
    return detail


@pytest.mark.parametrize(("ident", "message", "by"), [
    ("kdumpctl", "kdump: No memory reserved for crash kernel", "kdump-service"),
    ("dracut-cmdline", "kdump: No memory reserved for crash kernel", "early-kdump"),
    ("kdump", "kexec: failed to load early-kdump kernel", "early-kdump"),
    ("kdumpctl", "kexec: failed to load kdump kernel", "kdump-service"),
    ("systemd", "Failed to start kdump.service - Crash recovery kernel arming.", "kdump-service"),
    ("kdump-tools", "Memory for crashkernel is not reserved", "kdump-service"),
    ("kernel", "crashkernel reservation failed - No suitable area found.", "kernel"),
])
def test_a_failure_says_who_said_it(ident, message, by):
    """Early kdump's own failures are not the kdump service's verdict (service_s)."""
    event = events.classify(ident, message)
    assert isinstance(event.detail, Failure) and event.detail.by == by


def test_an_arming_says_where_in_the_boot_its_loader_runs():
    early = events.classify("dracut-cmdline", "kexec: loaded early-kdump kernel")
    late = events.classify("kdumpctl", "kexec: loaded kdump kernel")
    assert (early.detail.phase, late.detail.phase) == ("initrd", "userspace")


@pytest.mark.parametrize(("ident", "message"), NOT_ARMED)
def test_not_armed(ident, message):
    event = events.classify(ident, message)
    assert event is None or event.kind != events.ARMED


def test_case_ids_are_unique():
    ids = [p.id for p in CASES + NOT_ARMED]
    assert len(ids) == len(set(ids))


def test_every_rule_has_a_case():
    """A new Rule needs a case here (see the events.py docstring)."""
    used = set()
    for param in CASES:
        ident, message, kind, _ = param.values
        event = events.classify(ident, message)
        if kind is not None and event is not None:
            used.add(id(event.rule))
    missing = [(r.kind, r.origin) for r in events.RULES if id(r) not in used]
    assert not missing


@pytest.mark.parametrize(("ident", "message", "kind", "detail"),
                         [c for c in CASES if c.values[2] is not None])
def test_every_recognised_message_has_a_trigger_word(ident, message, kind, detail):
    """Readers skip lines without a trigger word, so no recognised line may lack one."""
    assert events.TRIGGER_BYTES.search(message.encode())


@pytest.mark.parametrize(("ident", "message", "cause"), [
    ("kernel", "crashkernel reservation failed - No suitable area found.", "reservation-failed"),
    ("kdumpctl", "kdump: No memory reserved for crash kernel", "reservation-failed"),
    ("load.sh", "Memory for crashkernel is not reserved", "reservation-failed"),
    ("kdump-tools", "Memory for crashkernel is not reserved", "reservation-failed"),
    ("kdump-tools", "no crashkernel= parameter in the kernel cmdline ... failed!",
     "no-crashkernel"),
    ("kdumpctl", "kdump: kexec: failed to load kdump kernel", "service-failed"),
    ("load.sh", "kexec failed.", "service-failed"),
])
def test_a_failure_says_which_reason_it_gives(ident, message, cause):
    """The reason column's code comes from the rule, never from the text in boots.py."""
    event = events.classify(ident, message)
    assert isinstance(event.detail, Failure) and event.detail.cause == cause


def test_the_command_line_detail_carries_crashkernel_and_early_kdump():
    detail = events.classify("kernel", f"Command line: {CMDLINE}").detail
    assert detail.crashkernel == "1G-4G:192M,4G-64G:256M,64G-:512M" and detail.rd_earlykdump
    bare = events.classify("kernel", "Command line: ro root=/dev/sda1 rd.earlykdump=0").detail
    assert bare.crashkernel is None and not bare.rd_earlykdump


@pytest.mark.parametrize(("pid", "startup"), [(None, True), ("1", True), (1, True),
                                               ("1234", False), ("2", False)])
def test_startup_finished_counts_only_from_the_system_manager(pid, startup):
    """systemd[1] is the system manager; systemd[1234] (a user manager) is not, even if its
    line had phases."""
    line = "Startup finished in 1.029s (kernel) + 2.345s (initrd) + 20.123s (userspace) = 23.497s."
    event = events.classify("systemd", line, pid)
    assert (event is not None and event.kind == events.STARTUP) == startup
