"""The parts of `bootlag.events` under the message table: the rule builder, the logger
decorations, systemd's timespans (fast; run against each mutant by tools/mutation.py)."""

from __future__ import annotations

import math
import re

from bootlag import events
from bootlag.records import Armed, Kind, Startup


def test_a_rule_is_built_from_its_parts():
    rule = events._r(Kind.ARMED, r"^x$", events.KDUMPCTL, "somewhere", mode=events.KDUMP,
                     loader="kdumpctl")
    assert rule == events.Rule(Kind.ARMED, re.compile(r"^x$"), events.KDUMPCTL,
                               mode=events.KDUMP, loader="kdumpctl", origin="somewhere")
    assert events._r(Kind.FAILED, r"y", events.DRACUT, "o").by is None


def test_kdumps_kmsg_copy_is_read_under_its_own_identifier():
    """kdump's lines copied to /dev/kmsg: journalctl shows them as the kernel's (or as
    "unknown"), with ``kdump[PID]:`` left inside the message."""
    for ident in ("kernel", "unknown", None):
        event = events.classify(ident, "kdump[412]: kdump: kexec: loaded kdump kernel")
        assert event is not None and event.kind is Kind.ARMED, ident
        assert event.detail == Armed(events.KDUMP, "kdumpctl", "userspace")
    assert events.normalize("kernel", "kdump[412]: Kdump already running: [WARNING]") == (
        "kdump", "Kdump already running: [WARNING]")
    assert events.normalize("sudo", "kdump[412]: x") == ("sudo", "kdump[412]: x")
    assert events.normalize("kernel", "sudo[1]: x") == ("kernel", "sudo[1]: x")


def test_a_timespan_without_a_unit_is_none():
    assert events.parse_timespan("no time here") is None
    assert events.parse_timespan("") is None
    assert events.parse_timespan("1min 2.5s") == 62.5
    assert events.parse_timespan("1h 1ms") == 3600.001


def test_a_phase_without_a_time_is_left_out():
    assert events.startup_phases("soon (kernel) + 2.000s (userspace) = 2.000s.") == {
        "userspace": 2.0, "total": 2.0}


def test_a_startup_line_without_userspace_or_total_has_nan_there():
    event = events.classify("systemd", "Startup finished in 2.000s (kernel) + 3.000s (initrd) "
                            "= 5.000s.")
    assert isinstance(event.detail, Startup)
    assert (event.detail.kernel_s, event.detail.initrd_s, event.detail.total_s) == (2.0, 3.0,
                                                                                  5.0)
    assert math.isnan(event.detail.userspace_s) and isinstance(event.detail.userspace_s, float)
    event = events.classify("systemd", "Startup finished in 2.000s (kernel) + 3.000s "
                            "(userspace) = soon.")
    assert math.isnan(event.detail.total_s) and isinstance(event.detail.total_s, float)
    assert math.isnan(event.detail.firmware_s) and math.isnan(event.detail.loader_s)
