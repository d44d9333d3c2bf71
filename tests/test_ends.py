"""How boots end, and protection after arming (issue 11 items 2 and 3), on generated boots
rendered by the real journalctl, asserted against the generator's truth."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

import bootlag
from bootlag import records, report, stats, synth
from tests.helpers import rendered, utc_us

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools

DAY = 86_400 * synth.SEC
LOOP = {"die_at_s": 12.0, "service_at_s": 25.0}  # crash loop: dies before kdumpctl runs

# host, distro, and its boots in order (make_boot keywords)
PLAN = [
    ("loop-01", "rhel9", [{"shutdown": True}, LOOP, LOOP, LOOP, {}]),
    ("loop-02", "rhel8", [{**LOOP, "mode": "early-kdump"}, {**LOOP, "mode": "early-kdump"},
                          {"mode": "early-kdump", "shutdown": True}]),
    ("hot-01", "rhel9", [{"reloads": ["reload", "reload"], "shutdown": True},
                         {"reloads": ["reload", "failed"], "shutdown": True},
                         {"reloads": ["unload"]}, {"reloads": ["reload"]}]),
    ("hot-02", "rhel9", [{"mode": "early-kdump", "reloads": ["failed", "reload"]},
                         {"mode": "early-kdump", "reloads": ["unload", "reload", "failed"]}]),
    ("deb-01", "ubuntu", [{"reloads": ["reload", "unload"], "shutdown": True},
                          {"outcome": "no-crashkernel"}, {"outcome": "reservation-failed"},
                          {"outcome": "failed", "shutdown": True}, {"shutdown": True}]),
    ("sus-01", "suse", [{"shutdown": True}, {"outcome": "reservation-failed"},
                        {"outcome": "failed"}, {}]),
    ("el-01", "rhel9", [{"outcome": "no-crashkernel"}, {"outcome": "reservation-failed"},
                        {"mode": "early-kdump", "early_module": False, "outcome": "not-armed"},
                        {"mode": "early-kdump", "early_module": False, **LOOP},
                        {"mode": "none"}, {"mode": "none", "shutdown": True}]),
    # a boot whose start is cut may have armed unseen: abrupt, but not "ended-abruptly"
    ("cut-01", "rhel9", [{"outcome": "not-armed", "drop_start": True}, {}]),
]


def make_plan(seed: int = 11) -> list[synth.Boot]:
    rng = random.Random(seed)
    boots = []
    for n, (host, distro, specs) in enumerate(PLAN):
        t = utc_us("2025-03-01T06:00:00") + n * 3_600 * synth.SEC
        for spec in specs:
            boots.append(synth.make_boot(rng, host, t, distro=distro, filler=14, decoys=False,
                                         **spec))
            t += rng.randint(1, 3) * DAY
    return boots


@pytest.fixture(scope="module")
def plan() -> list[synth.Boot]:
    return make_plan()


@pytest.fixture(scope="module")
def journal(plan, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("ends") / "plan.journal"
    return synth.write_journal(synth.to_export(plan), str(path))


def _scan_format(journal: str, fmt: str, tmp_path) -> pd.DataFrame:
    if fmt == "journal":
        return bootlag.scan(journal)
    fmt, _, tz = fmt.partition("@")
    out = tmp_path / f"plan.{fmt}"
    out.write_bytes(synth.render(journal, fmt, tz or "UTC"))
    return bootlag.scan(out, year=2025, tz=tz or None)


def _matched(plan: list[synth.Boot], frame: pd.DataFrame) -> list[tuple[synth.Boot, pd.Series]]:
    """Each generated boot with its row (rows and boots both in host, then time order)."""
    order = sorted(range(len(plan)), key=lambda i: (plan[i].host, plan[i].start_us))
    assert len(frame) == len(plan), frame[["host", "status", "kernel_start"]].to_string()
    return [(plan[i], frame.iloc[k]) for k, i in enumerate(order)]


WHOLE_SECONDS = {"short", "short-iso", "short-full"}


@pytest.mark.parametrize("fmt", ["journal", "export", "json", "short-monotonic", "short-iso",
                                 "short-precise", "short", "short-full", "short-unix",
                                 "short-precise@America/New_York", "short@Asia/Kolkata"])
def test_end_status_reason_and_unprotected_time_match_the_truth(plan, journal, fmt, tmp_path):
    frame = _scan_format(journal, fmt, tmp_path)
    ends, reasons = synth.truth_ends(plan), synth.truth_reasons(plan)
    truth = {id(b): (e, r) for b, e, r in zip(plan, ends, reasons, strict=True)}
    for boot, row in _matched(plan, frame):
        end, reason = truth[id(boot)]
        where = f"{boot.host} {boot.start_us} ({fmt})"
        assert row.host == boot.host, where
        assert row.end == end, where
        assert row.status == boot.status, where
        code = None if pd.isna(row.reason) else row.reason.split(":", 1)[0]
        assert code == reason, where
        if boot.unprotected_s is None:
            assert math.isnan(row.unprotected_after_s), where
        else:
            windows = max(1, row.unloads + row.loads)
            tolerance = 1.0 * windows if fmt.partition("@")[0] in WHOLE_SECONDS else 1e-3
            assert row.unprotected_after_s == pytest.approx(boot.unprotected_s,
                                                            abs=tolerance), where
        if boot.gap_s is not None and row.clock == "monotonic":
            assert row.gap_s == pytest.approx(boot.gap_s, abs=1e-6), where  # first arming


def test_the_plan_has_every_end_status_and_reason(plan):
    """The generated cases reach every code (else the test above proves less)."""
    assert set(synth.truth_ends(plan)) == {code for code, _ in records.ENDS}
    assert {b.status for b in plan} >= {"armed", "disarmed", "failed", "not-armed", "unknown"}
    assert set(synth.truth_reasons(plan)) - {None} == {code for code, _ in records.REASONS}


def test_a_boot_that_died_before_arming_leads_the_report(journal, plan):
    frame = bootlag.scan(journal)
    died = stats.died_unprotected(frame)
    truth: dict[str, int] = {}
    for boot, end in zip(plan, synth.truth_ends(plan), strict=True):
        if end == "abrupt" and boot.status != "armed" and not boot.start_dropped:
            truth[boot.host] = truth.get(boot.host, 0) + 1
    assert died["boots"].to_dict() == truth
    assert died.loc["loop-01", "never_armed"] == 3 and "loop-02" not in died.index
    assert "cut-01" not in died.index
    found = report.findings(frame)
    total = sum(truth.values())
    assert found[0].startswith(f"{total} boots ended abruptly") and "loop-01 (3)" in found[0]
    codes = [code for code, _ in records.REASONS]
    reasons = [r for r in synth.truth_reasons(plan) if r]
    ranked = sorted(set(reasons), key=lambda c: (-reasons.count(c), codes.index(c)))
    assert found[2] == ("Never protected, by reason: "
                        + ", ".join(f"{reasons.count(c)} {c}" for c in ranked) + ".")


def test_an_unload_at_shutdown_is_not_a_disarming(tmp_path):
    """kdumpctl stop unloads at every clean reboot; the boot stayed protected until then."""
    boot = synth.make_boot(random.Random(1), "h", utc_us("2025-01-01T00:00:00"), shutdown=True,
                           decoys=False, filler=10)
    assert any("unloaded" in e.fields["MESSAGE"] for e in boot.entries)
    row = bootlag.scan(rendered(tmp_path, [boot], "export")).iloc[0]
    assert (row.status, row.end, row.unloads, row.unprotected_after_s) == ("armed", "shutdown",
                                                                           1, 0.0)


def test_a_failed_reload_disarms_and_the_gap_stays_the_first_arming(tmp_path):
    boot = synth.make_boot(random.Random(2), "h", utc_us("2025-01-01T00:00:00"),
                           reloads=["failed"], decoys=False, filler=10)
    row = bootlag.scan(rendered(tmp_path, [boot], "json")).iloc[0]
    assert row.status == "disarmed" and row.gap_s == pytest.approx(boot.gap_s, abs=1e-6)
    assert row.unprotected_after_s == pytest.approx(boot.unprotected_s, abs=1e-6)
    assert "unloaded" in row.note and row.reason is pd.NA


def test_a_boot_without_a_later_one_is_open_and_one_with_is_abrupt(tmp_path):
    rng = random.Random(3)
    first, second = (synth.make_boot(rng, "h", utc_us(t), decoys=False, filler=10)
                     for t in ("2025-01-01T00:00:00", "2025-01-02T00:00:00"))
    assert list(bootlag.scan(rendered(tmp_path, [first], "export")).end) == ["open"]
    both = bootlag.scan(rendered(tmp_path, [first, second], "export", name="both"))
    assert list(both.end) == ["abrupt", "open"]
    # another host's later boot does not end this one
    other = synth.make_boot(rng, "g", utc_us("2025-01-03T00:00:00"), decoys=False, filler=10)
    two = bootlag.scan(rendered(tmp_path, [first, other], "export", name="two"))
    assert list(two.end) == ["open", "open"]


def test_an_unload_just_before_the_shutdown_target_is_the_shutdown_s(tmp_path):
    """`systemctl reboot` logs no logind line: the unload comes before any shutdown line."""
    boot = synth.make_boot(random.Random(4), "h", utc_us("2025-01-01T00:00:00"), shutdown=True,
                           decoys=False, filler=10)
    boot.entries = [e for e in boot.entries if e.fields["SYSLOG_IDENTIFIER"] != "systemd-logind"
                    or "System is" not in e.fields["MESSAGE"]]
    row = bootlag.scan(rendered(tmp_path, [boot], "export")).iloc[0]
    assert (row.status, row.end, row.unloads) == ("armed", "shutdown", 1)


def test_a_journald_restart_in_mid_boot_is_not_a_shutdown(tmp_path):
    """`systemctl restart systemd-journald` logs "Journal stopped", and the boot goes on."""
    text = """
[    0.000000] h kernel: Linux version 5.14.0-427.el9.x86_64 (mockbuild@builder) #1 SMP
[    0.000000] h kernel: Command line: BOOT_IMAGE=/vmlinuz ro crashkernel=256M
[    1.500000] h systemd-journald[210]: Journal started
[   20.100000] h kdumpctl[901]: kdump: kexec: loaded kdump kernel
[   35.000000] h systemd[1]: Startup finished in 1.2s (kernel) + 33.8s (userspace) = 35.0s.
[ 3600.000000] h systemd-journald[210]: Journal stopped
[ 3600.200000] h systemd-journald[5120]: Journal started
[ 7200.000000] h sshd[7001]: Server listening on 0.0.0.0 port 22.
"""
    path = tmp_path / "restart.txt"
    path.write_text(text.lstrip())
    row = bootlag.scan(path).iloc[0]
    assert row.end == "open" and row.status == "armed"
    path.write_text(text.lstrip() + "[ 7300.000000] h systemd-journald[5120]: Journal stopped\n")
    assert bootlag.scan(path).iloc[0].end == "shutdown"


def test_check_fails_a_disarmed_boot_and_says_why(tmp_path):
    from bootlag import check

    boot = synth.make_boot(random.Random(5), "h", utc_us("2025-01-01T00:00:00"),
                           reloads=["unload"], decoys=False, filler=10)
    row = bootlag.scan(rendered(tmp_path, [boot], "export")).iloc[0]
    verdict = check.boot_verdict(row)
    assert verdict.startswith("disarmed: the crash kernel was unloaded at ")
