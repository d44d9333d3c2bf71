"""The reason column (issue 11 item 4): a code from one list, the logged text after it."""

from __future__ import annotations

import random

import pandas as pd
import pytest

import bootlag
from bootlag import records, synth
from tests.helpers import rendered, utc_us

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

def test_the_codes_live_in_one_list_with_their_meanings():
    codes = [code for code, _ in records.REASONS]
    assert codes == ["no-crashkernel", "reservation-failed", "service-failed",
                     "early-kdump-module-missing", "ended-abruptly", "no-kdump-service",
                     "log-too-short"]
    assert all(meaning for _, meaning in records.REASONS + records.ENDS)
    assert [code for code, _ in records.ENDS] == ["shutdown", "abrupt", "open"]
    for column in ("reason", "end", "unprotected_after_s"):
        assert column in bootlag.COLUMNS
    assert "disarmed" in bootlag.COLUMNS["status"]


def _one(tmp_path, fmt="export", name="log", **kw):
    boot = synth.make_boot(random.Random(8), "h", utc_us("2025-01-01T00:00:00"), decoys=False,
                           filler=10, **kw)
    return boot, bootlag.scan(rendered(tmp_path, [boot], fmt, name=name)).iloc[0]


@pytest.mark.parametrize(("kw", "reason"), [
    ({"outcome": "failed"}, "service-failed: kexec: failed to load kdump kernel"),
    ({"outcome": "failed", "distro": "suse"}, "service-failed: kexec failed."),
    ({"outcome": "failed", "distro": "ubuntu"}, "service-failed: failed to load kdump kernel"),
    ({"outcome": "reservation-failed", "distro": "ubuntu"},
     "reservation-failed: crashkernel reservation failed - No suitable area found."),
    ({"outcome": "no-crashkernel", "distro": "ubuntu"},
     "no-crashkernel: BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.8.0-45-generic"),
    ({"mode": "none"}, "no-kdump-service"),
    ({"mode": "early-kdump", "early_module": False, "outcome": "not-armed"},
     "early-kdump-module-missing"),
    ({"die_at_s": 12.0, "service_at_s": 25.0}, "log-too-short"),  # nothing follows it
])
def test_the_reason_is_the_code_then_the_logged_text(tmp_path, kw, reason):
    boot, row = _one(tmp_path, **kw)
    assert row.reason.startswith(reason)
    assert row.reason.split(":", 1)[0] == synth.truth_reasons([boot])[0]


def test_the_early_kdump_failure_gives_way_to_the_service_s_own_message(tmp_path):
    """Both fail: the kdump service's verdict is the one the reason quotes."""
    _, row = _one(tmp_path, mode="early-kdump", outcome="failed")
    assert row.failures[0] == "kexec: failed to load early-kdump kernel"
    assert row.reason == "service-failed: kexec: failed to load kdump kernel"


def test_no_crashkernel_on_the_command_line_comes_before_anything_the_service_says(tmp_path):
    """Without crashkernel= nothing can arm: that is the reason, whatever failed after it."""
    _, row = _one(tmp_path, outcome="no-crashkernel", distro="ubuntu")
    assert row.status == "failed"
    assert row.failure == "no crashkernel= parameter in the kernel cmdline"
    assert row.reason.startswith("no-crashkernel: BOOT_IMAGE=")


def test_armed_and_disarmed_boots_have_no_reason(tmp_path):
    _, armed = _one(tmp_path)
    _, disarmed = _one(tmp_path, name="disarmed", reloads=["unload"])
    assert armed.status == "armed" and disarmed.status == "disarmed"
    assert armed.reason is pd.NA and disarmed.reason is pd.NA


def test_a_boot_whose_start_is_cut_has_a_log_too_short(tmp_path):
    boot, row = _one(tmp_path, fmt="short-iso", outcome="not-armed", drop_start=True)
    assert row.status == "unknown" == boot.status and row.reason == "log-too-short"
