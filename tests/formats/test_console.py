"""dmesg and serial-console text: printk stamps among firmware noise, no host, no identifier."""

from __future__ import annotations

import math
import warnings

import pytest

import bootlag
from bootlag import synth
from bootlag import synth_pipelines as sp
from bootlag.formats import read_bytes, sniff
from tests.helpers import boots_at, rendered

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


@pytest.fixture(scope="module")
def fleet():
    return synth.make_fleet(seed=13, boots_per_host=2, filler=12)


def per_host(tmp_path, fleet, convert, suffix):
    """One file per host, named after it (the log names no host)."""
    paths = []
    for host in dict.fromkeys(b.host for b in fleet):
        path = tmp_path / f"{host}.{suffix}"
        path.write_bytes(convert([b for b in fleet if b.host == host]))
        paths.append(path)
    return paths


def scan_clean(paths, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # noise is skipped quietly
        return bootlag.scan(paths, **kw)


def pairs(frame, fleet):
    out = []
    for host in dict.fromkeys(b.host for b in fleet):
        truth = [b for b in fleet if b.host == host]
        rows = frame[frame.host == host].sort_values("first_line")
        assert len(rows) == len(truth), host
        out += list(zip(truth, rows.itertuples(), strict=True))
    return out


@pytest.mark.parametrize("kind", ["dmesg", "console"])
def test_printk_stamps_give_exact_gaps_and_the_file_names_the_host(tmp_path, fleet, kind):
    convert = sp.to_dmesg if kind == "dmesg" else sp.to_console
    paths = per_host(tmp_path, fleet, convert, "log")
    assert sniff(paths[0].read_bytes()[:1 << 16]) == kind
    frame = scan_clean(paths)
    assert set(frame.format) == {kind}
    for boot, row in pairs(frame, fleet):
        assert row.status == boot.status and row.mode == boot.mode
        assert row.clock == "monotonic" and row.start_logged
        if boot.gap_s is None:
            assert math.isnan(row.gap_s)
        elif kind == "console" and boot.distro == "suse":
            # armed by a systemd status line, which has no stamp: the line after it times it
            after = min(e.mono_us for e in boot.entries if e.mono_us > boot.gap_s * 1e6
                        and e.fields.get("SYSLOG_IDENTIFIER") != "systemd") / 1e6
            assert boot.gap_s <= row.gap_s <= after + 1e-6
        else:
            assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6)


def test_dmesg_with_wall_clock_stamps(tmp_path, fleet):
    for convert, kind, bound in ((sp.to_dmesg_t, "dmesg-T", 1.0),
                                 (sp.to_dmesg_iso, "dmesg-iso", 1e-6)):
        paths = per_host(tmp_path, fleet, lambda b, c=convert: c(b, "Europe/Berlin"), kind)
        assert sniff(paths[0].read_bytes()[:1 << 16]) == kind
        frame = scan_clean(paths, tz="Europe/Berlin")
        for boot, row in pairs(frame, fleet):
            assert row.status == boot.status and row.clock == "realtime"
            if boot.gap_s is not None and boot.clock_step_s:
                # dmesg's wall clock is boot time + printk time, so a step does not move it;
                # "Startup finished" after the step dates kernel start (issue 11)
                assert row.gap_kind == "estimate"
                assert abs(row.gap_s - boot.gap_s) <= row.gap_error_s
            elif boot.gap_s is not None and str(row.gap_kind) == "estimate":
                # "Startup finished" (issue 11) is preferred to the first line: within its
                # error bound (ms), where the kernel start line stamped at 0 was exact here
                assert abs(row.gap_s - boot.gap_s) <= row.gap_error_s
            elif boot.gap_s is not None:  # from the kernel start line, stamped at 0
                assert abs(row.gap_s - boot.gap_s) < bound
            start = row.kernel_start.value // 1000
            # kernel start from "Startup finished" (issue 11) is as good as its phases' ms
            error = 0.013 if row.kernel_start_from == "startup-finished" else bound
            assert abs(start - boot.start_us) < max(bound, error) * 1e6


LINES = """\
\x1b[2J\x1b[HSeaBIOS (version 1.16.3)
[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP
[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=/dev/vda1 crashkernel=512M
[    1.901234] [TTM] Zone  kernel: Available graphics memory: 2017862 KiB
[    1.902000] Kernel panic notifier registered
[    3.100000] systemd[1]: Hostname set to <db-07>.
[    6.616000] kdump-tools[458]: Starting kdump-tools:
[    6.616500] kdump-tools[458]:  * loaded kdump kernel
[    7.018000] kdump-tools[470]:  * unloaded kdump kernel
[    7.074000] kdump-tools[470]:  * failed to load kdump kernel
[  OK  ] Started Kernel crash dump capture service.
"""


def test_dmesg_lines_are_the_kernels_and_the_host_is_never_a_word_of_them(tmp_path):
    path = tmp_path / "serial0.log"
    path.write_text(LINES)
    row = scan_clean(path).iloc[0]
    assert row.host == "db-07"  # systemd named it; never "[TTM]" or "Kernel"
    assert row.start_logged and row.kernel == "6.1.0-18-amd64" and row.crashkernel == "512M"
    assert row.gap_s == pytest.approx(6.6165) and row.clock == "monotonic"
    assert (row.loads, row.unloads) == (1, 1)
    assert "failed to load kdump kernel" in row.failures


def test_without_a_name_in_the_log_the_file_names_the_host(tmp_path):
    path = tmp_path / "web-09.dmesg"
    path.write_text("".join(line + "\n" for line in LINES.splitlines()
                            if "Hostname" not in line))
    assert scan_clean(path).iloc[0].host == "web-09"


def test_a_kernel_start_after_booting_linux_is_one_boot_and_a_reset_is_two():
    arm64 = (b"[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]\n"
             b"[    0.000000] Linux version 6.1.0-18-arm64 (gcc-12) #1 SMP\n"
             b"[    8.200000] kdump-tools[458]:  * loaded kdump kernel\n"
             b"[   61.000000] random: crng init done\n")
    records, _ = read_bytes(arm64 + arm64, "arm64.log")
    assert len({r.boot for r in records}) == 2
    records, _ = read_bytes(arm64, "arm64.log")
    assert len({r.boot for r in records}) == 1


def test_crashed_boots_are_told_apart_even_without_a_stamp_reset():
    quick = (b"[    0.000000] Linux version 6.8.0-45-generic (gcc) #1 SMP\n"
             b"[    2.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\n")
    records, _ = read_bytes(quick * 3, "loop.log")
    assert len({r.boot for r in records}) == 3


def test_journalctl_short_monotonic_is_not_taken_for_dmesg(tmp_path):
    path = rendered(tmp_path, boots_at("2024-06-01T10:00:00"), "short-monotonic")
    assert sniff(path.read_bytes()[:1 << 16]) == "short-monotonic"


def test_noise_only_is_not_a_console():
    assert sniff(b"SeaBIOS (version 1.16.3)\r\nBooting from Hard Disk...\r\n") == "no-timestamps"


@pytest.mark.parametrize("prefix", ["", "<6>", "kern  :info  : "])
@pytest.mark.parametrize("delta", ["", " <    0.000100>"])
def test_dmesg_options_raw_decoded_and_delta(tmp_path, prefix, delta):
    text = (f"{prefix}[    0.000000{delta}] Linux version 6.1.0 (gcc) #1 SMP\n"
            f"{prefix}[    0.000000{delta}] Command line: ro crashkernel=256M\n"
            f"{prefix}[    7.100000{delta}] kdump-tools[458]:  * loaded kdump kernel\n")
    path = tmp_path / "h.dmesg"
    path.write_text(text)
    assert sniff(text.encode()) == "dmesg"
    row = scan_clean(path).iloc[0]
    assert (row.gap_s, row.status, row.crashkernel, row.format) == (7.1, "armed", "256M", "dmesg")


def test_a_capture_tools_own_stamp_before_the_printk_stamp(tmp_path):
    text = ("2024-06-01T10:00:00.120Z [    0.000000] Linux version 6.1.0 (gcc) #1 SMP\n"
            "2024-06-01T10:00:07.220Z [    7.100000] kdump-tools[458]:  * loaded kdump kernel\n")
    assert sniff(text.encode()) == "console"
    path = tmp_path / "sol.log"
    path.write_text(text)
    assert scan_clean(path).iloc[0].gap_s == 7.1
    syslog = ("Jun  1 10:00:00 h1 kernel: [    0.000000] Linux version 6.1.0 (gcc) #1 SMP\n"
              "2024-06-01T10:00:00+00:00 h1 kernel: [    0.000000] Linux version 6.1.0\n")
    for line in syslog.splitlines():
        assert sniff(line.encode() + b"\n") not in ("console", "dmesg")
