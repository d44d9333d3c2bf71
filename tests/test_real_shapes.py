# ruff: noqa: E501  (the log lines are as long as real ones)
"""Regressions from real inputs (issue 11 item 6). Every line here is written for this file
in the shape the issue describes (none is copied from the public logs)."""

from __future__ import annotations

import pandas as pd
import pytest

import bootlag

B1, B2 = "1" * 32, "2" * 32
UNAME_ARM = "6.1.0-31-arm64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14)) #1 SMP"
UNAME_EL7 = "3.10.0-1160.el7.x86_64 (mockbuild@kbuilder) (gcc version 4.8.5) #1 SMP"
UNAME_EL9 = "5.14.0-427.13.1.el9_4.x86_64 (mockbuild@builder) (gcc (GCC) 11.4.1) #1 SMP"


def scan_text(tmp_path, text: str, name: str = "log.txt", **kw) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text.lstrip("\n"))
    return bootlag.scan(path, **kw)


def _arm64_boot(day: str) -> str:
    return f"""
{day}T08:00:01+0000 pi4 kernel: Booting Linux on physical CPU 0x0000000000 [0x410fd083]
{day}T08:00:01+0000 pi4 kernel: Linux version {UNAME_ARM}
{day}T08:00:01+0000 pi4 kernel: Machine model: Raspberry Pi 4 Model B Rev 1.4
{day}T08:00:01+0000 pi4 kernel: Kernel command line: console=ttyAMA0 root=/dev/mmcblk0p2 crashkernel=256M
{day}T08:00:01+0000 pi4 kernel: Memory: 3884528K/4050944K available
{day}T08:00:04+0000 pi4 systemd-journald[180]: Journal started
{day}T08:00:14+0000 pi4 kdump-tools[402]: Starting kdump-tools:
{day}T08:00:15+0000 pi4 kdump-tools[402]:  * loaded kdump kernel
{day}T08:00:20+0000 pi4 systemd[1]: Startup finished in 3.120s (kernel) + 16.877s (userspace) = 19.997s.
"""


@pytest.mark.parametrize("separated", [True, False])
def test_arm64_booting_linux_then_linux_version_is_one_boot(tmp_path, separated):
    first, second = _arm64_boot("2025-02-10"), _arm64_boot("2025-02-11")
    text = (f"-- Boot {B1} --{first}-- Boot {B2} --{second}" if separated
            else first + second)
    frame = scan_text(tmp_path, text)
    assert len(frame) == 2
    assert list(frame.kernel) == ["6.1.0-31-arm64"] * 2
    assert list(frame.status) == ["armed", "armed"] and frame.start_logged.all()


def _el7_boot(t0: int) -> str:
    def at(s: float) -> str:
        return f"[{t0 + s:12.6f}]"
    return f"""
{at(0)} el7 kernel: Initializing cgroup subsys cpuset
{at(0)} el7 kernel: Initializing cgroup subsys cpu
{at(0)} el7 kernel: Initializing cgroup subsys cpuacct
{at(0)} el7 kernel: Linux version {UNAME_EL7}
{at(0)} el7 kernel: Command line: BOOT_IMAGE=/vmlinuz-3.10.0-1160.el7.x86_64 ro crashkernel=auto
{at(0)} el7 kernel: e820: BIOS-provided physical RAM map:
{at(0.01)} el7 kernel: Kernel command line: BOOT_IMAGE=/vmlinuz-3.10.0-1160.el7.x86_64 ro crashkernel=auto
{at(1.9)} el7 systemd-journald[98]: Journal started
{at(21.5)} el7 kdumpctl[905]: kexec: loaded kdump kernel
{at(21.6)} el7 kdumpctl[905]: Starting kdump: [OK]
"""


@pytest.mark.parametrize("separated", [True, False])
def test_rhel7_cgroup_lines_before_linux_version_are_one_boot(tmp_path, separated):
    first, second = _el7_boot(0), _el7_boot(0)
    text = (f"-- Boot {B1} --{first}-- Boot {B2} --{second}" if separated
            else first + second)
    frame = scan_text(tmp_path, text)
    assert len(frame) == 2
    assert list(frame.kernel) == ["3.10.0-1160.el7.x86_64"] * 2
    assert list(frame.gap_s) == [pytest.approx(21.5)] * 2
    assert list(frame.crashkernel) == ["auto", "auto"]


MESSAGES_PRINTK = """
Mar  3 09:00:00 db7 kernel: [    0.000000] Linux version {uname}
Mar  3 09:00:00 db7 kernel: [    0.000000] Command line: BOOT_IMAGE=/vmlinuz ro crashkernel=512M
Mar  3 09:00:03 db7 systemd[1]: Started Journal Service.
{armed}Mar  3 09:00:40 db7 systemd[1]: Startup finished in 2.1s (kernel) + 3.3s (initrd) + 34.2s (userspace) = 39.6s.
Mar  3 09:01:01 db7 kernel: [   60.912345] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex
Mar  3 09:30:00 db7 kernel: [    1.780000] ata1: SATA link up 6.0 Gbps (SStatus 133 SControl 300)
Mar  3 09:30:02 db7 kernel: [    3.100000] EXT4-fs (sda1): mounted filesystem with ordered data mode
Mar  3 09:30:20 db7 kdumpctl[812]: kdump: kexec: loaded kdump kernel
Mar  3 09:30:21 db7 systemd[1]: Started Crash recovery kernel arming.
"""


@pytest.mark.parametrize("armed_first", [True, False])
def test_a_printk_time_falling_back_in_syslog_starts_a_boot(tmp_path, armed_first):
    """/var/log/messages keeps the printk stamp; the second boot's first lines are gone."""
    armed = "Mar  3 09:00:25 db7 kdumpctl[801]: kdump: kexec: loaded kdump kernel\n"
    text = MESSAGES_PRINTK.format(uname=UNAME_EL9, armed=armed if armed_first else "")
    frame = scan_text(tmp_path, text, name="messages", year=2025)
    assert len(frame) == 2
    first, second = frame.iloc[0], frame.iloc[1]
    assert first.kernel == "5.14.0-427.13.1.el9_4.x86_64" and first.start_logged
    assert first.status == ("armed" if armed_first else "not-armed")
    assert second.status == "armed" and not second.start_logged
    assert first.end == "abrupt" and second.end == "open"


def test_grep_output_of_one_command_line_per_boot_is_one_boot_each(tmp_path):
    text = """
Jan  5 10:00:00 web4 kernel: Command line: BOOT_IMAGE=/vmlinuz-5.14.0 ro crashkernel=1G-4G:192M
Jan 12 11:00:00 web4 kernel: Command line: BOOT_IMAGE=/vmlinuz-5.14.0 ro crashkernel=1G-4G:192M
Jan 20 12:00:00 web4 kernel: Command line: BOOT_IMAGE=/vmlinuz-5.14.0 ro
"""
    frame = scan_text(tmp_path, text, name="grep.txt", year=2025)
    assert len(frame) == 3
    assert list(frame.crashkernel.fillna("-")) == ["1G-4G:192M", "1G-4G:192M", "-"]
    assert frame.reason.iloc[2].startswith("no-crashkernel: BOOT_IMAGE")


def test_an_x86_boot_with_both_command_lines_is_one_boot(tmp_path):
    text = f"""
Jan  5 10:00:00 web4 kernel: Linux version {UNAME_EL9}
Jan  5 10:00:00 web4 kernel: Command line: BOOT_IMAGE=/vmlinuz ro crashkernel=256M
Jan  5 10:00:00 web4 kernel: BIOS-provided physical RAM map:
Jan  5 10:00:00 web4 kernel: Kernel command line: BOOT_IMAGE=/vmlinuz ro crashkernel=256M
Jan  5 10:00:02 web4 systemd-journald[301]: Journal started
Jan  5 10:00:19 web4 kdumpctl[990]: kdump: kexec: loaded kdump kernel
"""
    frame = scan_text(tmp_path, text, year=2025)
    assert len(frame) == 1 and frame.iloc[0].gap_s == pytest.approx(19.0)


def test_suse_kexec_error_memory_not_reserved_is_a_failure(tmp_path):
    text = f"""
2025-04-02T07:10:00+0000 sles15 kernel: Linux version 6.4.0-150600.23.7-default {UNAME_EL9}
2025-04-02T07:10:00+0000 sles15 kernel: Command line: BOOT_IMAGE=/boot/vmlinuz ro crashkernel=0M
2025-04-02T07:10:03+0000 sles15 systemd-journald[412]: Journal started
2025-04-02T07:10:21+0000 sles15 systemd[1]: Starting Load kdump kernel and initrd...
2025-04-02T07:10:22+0000 sles15 load.sh[1180]: Memory for crashkernel is not reserved
2025-04-02T07:10:22+0000 sles15 load.sh[1180]: Please reserve memory by passing"crashkernel=Y@X" parameter to kernel
2025-04-02T07:10:22+0000 sles15 load.sh[1180]: Then try to loading kdump kernel
2025-04-02T07:10:40+0000 sles15 systemd[1]: Startup finished in 2.5s (kernel) + 37.1s (userspace) = 39.6s.
"""
    row = scan_text(tmp_path, text).iloc[0]
    assert row.status == "failed" and row.failure == "Memory for crashkernel is not reserved"
    assert row.reason == "reservation-failed: Memory for crashkernel is not reserved"


@pytest.mark.parametrize("armed_first", [True, False])
def test_two_hosts_concatenated_in_one_text_are_two_boots(tmp_path, armed_first):
    """`cat hostA/messages hostB/messages`: the host changes and the time goes back."""
    arm = "Mar  3 10:00:30 alpha kdumpctl[700]: kdump: kexec: loaded kdump kernel\n"
    text = ("Mar  3 10:00:02 alpha systemd[1]: Started Journal Service.\n"
            + (arm if armed_first else "")
            + "Mar  3 10:02:00 alpha sshd[900]: Server listening on 0.0.0.0 port 22.\n"
            "Mar  3 10:05:00 alpha crond[901]: (CRON) INFO (running with inotify support)\n"
            "Mar  3 09:00:02 beta systemd[1]: Started Journal Service.\n"
            "Mar  3 09:00:40 beta sshd[910]: Server listening on 0.0.0.0 port 22.\n"
            "Mar  3 09:01:00 beta kdumpctl[710]: kdump: kexec: failed to load kdump kernel\n")
    frame = scan_text(tmp_path, text, name="messages", year=2025)
    assert sorted(frame.host) == ["alpha", "beta"]
    by_host = frame.set_index("host")
    assert by_host.loc["beta", "status"] == "failed"
    assert by_host.loc["alpha", "status"] == ("armed" if armed_first else "unknown")
    assert list(by_host.end) == ["open", "open"]


def test_a_console_log_that_loaded_unloaded_and_failed_to_reload_is_disarmed(tmp_path):
    """kdump-tools loaded at 6.616 s, unloaded at 7.018 s, failed to reload at 7.074 s."""
    text = f"""
[    0.000000] sw1 kernel: Linux version {UNAME_ARM}
[    0.000000] sw1 kernel: Kernel command line: console=ttyS0,9600n8 crashkernel=0M-2G:256M
[    1.802114] sw1 systemd-journald[210]: Journal started
[    6.512008] sw1 kdump-tools[512]: Starting kdump-tools:
[    6.616543] sw1 kdump-tools[512]: loaded kdump kernel.
[    7.018211] sw1 kdump-tools[530]: unloaded kdump kernel.
[    7.074870] sw1 kdump-tools[530]: failed to load kdump kernel ... failed!
[   30.000000] sw1 systemd[1]: Startup finished in 1.900s (kernel) + 28.100s (userspace) = 30.000s.
"""
    row = scan_text(tmp_path, text).iloc[0]
    assert row.status == "disarmed" and row.gap_s == pytest.approx(6.616543)
    assert (row.loads, row.unloads) == (1, 1)
    assert row.unprotected_after_s == pytest.approx(30.0 - 7.018211)
    assert pd.isna(row.reason)


def test_hosts_interleaved_a_few_seconds_apart_stay_as_they_were(tmp_path):
    """A central syslog interleaves hosts whose clocks differ by seconds: no boot per line."""
    text = "".join(f"Mar  3 10:00:{s:02d} {host} sshd[90]: Accepted publickey for admin\n"
                   for s, host in [(10, "alpha"), (5, "beta"), (11, "alpha"), (6, "beta")])
    assert len(scan_text(tmp_path, text, name="central", year=2025)) == 1


def test_the_fast_path_stops_at_kernel_lines_with_a_printk_time():
    """events.PRINTK_BYTES: where a skim of syslog text stops, so every printk time is judged."""
    from bootlag import events

    assert events.PRINTK_BYTES.search(b"h kernel: [  119.999999] x")
    assert events.PRINTK_BYTES.search(b"h kernel: [ 5120.000000] x")
    assert not events.PRINTK_BYTES.search(b"h sshd[1]: [  1.000000] x")
    assert events.printk_us("kernel", "[    1.780000] ata1: up") == 1_780_000
    assert events.printk_us("sshd", "[    1.780000] ata1: up") is None


def test_a_printk_time_falling_back_from_late_in_a_boot_starts_one(tmp_path):
    """The fall is judged from the boot's latest kernel line, read even after arming."""
    text = f"""
Mar  3 09:00:00 db7 kernel: [    0.000000] Linux version {UNAME_EL9}
Mar  3 09:00:25 db7 kernel: [   25.000000] e1000e: eth0 NIC Link is Up
Mar  3 09:00:26 db7 kdumpctl[801]: kdump: kexec: loaded kdump kernel
Mar  3 09:05:00 db7 sshd[900]: Server listening on 0.0.0.0 port 22.
Mar  3 09:08:20 db7 kernel: [  500.000000] e1000e: eth0 NIC Link is Down
Mar  3 09:30:22 db7 kernel: [   22.000000] e1000e: eth0 NIC Link is Up
Mar  3 09:30:30 db7 kdumpctl[812]: kdump: kexec: loaded kdump kernel
"""
    frame = scan_text(tmp_path, text, name="messages", year=2025)
    assert len(frame) == 2 and list(frame.status) == ["armed", "armed"]


def test_a_pipeline_export_without_boot_ids_keeps_arm64_s_start_as_one_boot():
    """Pipelines that drop _BOOT_ID number boots at kernel starts, by the same run rule."""
    from bootlag.formats.pipelines import _Entry, _number_boots

    def kernel(text):
        return {"_HOSTNAME": "pi4", "_TRANSPORT": "kernel", "MESSAGE": text}

    boot = [kernel("Booting Linux on physical CPU 0x0000000000 [0x410fd083]"),
            kernel(f"Linux version {UNAME_ARM}"),
            kernel("Kernel command line: console=ttyAMA0 crashkernel=256M"),
            {"_HOSTNAME": "pi4", "SYSLOG_IDENTIFIER": "kdump-tools",
             "MESSAGE": " * loaded kdump kernel"}]
    entries = [_Entry(dict(fields), n) for n, fields in enumerate(boot + boot)]
    _number_boots(entries, "beats.ndjson")
    ids = [e.fields["_BOOT_ID"] for e in entries]
    assert len(set(ids[:4])) == 1 and len(set(ids[4:])) == 1 and ids[0] != ids[4]
