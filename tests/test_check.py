"""The gate: `bootlag.check` on hand-made boots of known outcome, and `bootlag check` end to end
on real journals written and printed by systemd's own tools."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bootlag import synth
from bootlag.check import check, reasons
from bootlag.cli import main
from tests.helpers import boot, boots_at, boots_frame

pytestmark = pytest.mark.systemd  # journals written and printed by systemd's tools


def fleet():
    """Per host, boots oldest first; the comment says what the latest boot was."""
    return boots_frame(
        boot("early", 2.5, "early-kdump", "2025-01-02 00:00"),                # early, 2.5 s
        boot("late", 28.0, "kdump", "2025-01-02 00:00", loader="kdumpctl",
             rd_earlykdump=True),                                            # kdump, 28 s
        boot("broke", 3.0, "early-kdump", "2025-01-01 00:00"),
        boot("broke", kernel_start="2025-01-02 00:00", status="failed",
             failure="kexec: failed to load early-kdump kernel"),            # failed
        boot("never", kernel_start="2025-01-02 00:00", status="not-armed"),  # never armed
        boot("wall", 4.0, "kdump", "2025-01-02 00:00", clock="realtime"),    # ≥4 s, a bound
        boot("cut", kernel_start="2025-01-02 00:00", status="unknown",
             note="the log ends 20 s into the boot"),                         # unknown
        boot("fixed", status="failed", kernel_start="2025-01-01 00:00", failure="oops"),
        boot("fixed", 2.0, "early-kdump", "2025-01-02 00:00"),               # early, 2 s
        boot("capture", 2.0, "early-kdump", "2025-01-01 00:00"),
        boot("capture", kernel_start="2025-01-02 00:00", status="not-armed",
             capture_kernel=True),                                           # a capture kernel
    )


def failing(verdicts) -> set[str]:
    return set(verdicts.loc[~verdicts.ok, "host"])


ALWAYS = {"broke", "never", "cut"}


@pytest.mark.parametrize(("options", "fails"), [
    ({"latest": True}, ALWAYS),
    ({"latest": True, "require": "kdump"}, ALWAYS),
    ({"latest": True, "require": "early-kdump"}, ALWAYS | {"late", "wall"}),
    ({"latest": True, "max_gap": 30}, ALWAYS | {"wall"}),   # a lower bound proves nothing
    ({"latest": True, "max_gap": 3}, ALWAYS | {"late", "wall"}),
    ({"latest": True, "max_gap": 3.5, "require": "early-kdump"}, ALWAYS | {"late", "wall"}),
    ({}, ALWAYS | {"fixed"}),                                 # every boot: fixed failed once
])
def test_who_fails(options, fails):
    verdicts = check(fleet(), **options)
    assert failing(verdicts) == fails
    assert set(verdicts.host) == {"early", "late", "broke", "never", "wall", "cut", "fixed",
                                  "capture"}
    assert list(verdicts.ok) == sorted(verdicts.ok)  # failing hosts first
    assert verdicts.loc[verdicts.ok, "reason"].isna().all()
    assert verdicts.loc[~verdicts.ok, "reason"].notna().all()


def test_reasons_say_why():
    verdicts = check(fleet(), latest=True, max_gap=3, require="early-kdump").set_index("host")
    assert verdicts.loc["broke", "reason"] == ("arming failed: kexec: failed to load "
                                              "early-kdump kernel")
    assert verdicts.loc["never", "reason"].startswith("never armed: no crash kernel loaded")
    assert "the log ends 20 s into the boot" in verdicts.loc["cut", "reason"]
    late = verdicts.loc["late", "reason"]
    assert "armed by kdumpctl (mode kdump), not by early-kdump" in late
    assert "rd.earlykdump is on the command line" in late
    assert "a wall-clock lower bound" in check(fleet(), latest=True, max_gap=30).set_index(
        "host").loc["wall", "reason"]
    over = check(fleet(), latest=True, max_gap=20).set_index("host").loc["late"]
    assert over.reason == "armed after 28.000 s, over the limit of 20 s"
    assert (over["gap_s"], over["status"], over["mode"]) == (28.0, "armed", "kdump")
    every = check(fleet()).set_index("host").loc["fixed"]
    assert (every.boots, every.failed_boots) == (2, 1)
    assert every.reason == "arming failed: oops"


def test_table_reasons_cover_every_boot_that_is_not_armed():
    boots = fleet()
    why = reasons(boots)
    assert why[boots.status != "armed"].notna().all()
    assert why[boots.status == "armed"].isna().all()  # no notes on these armed boots


def test_unknown_requirement_is_an_error():
    with pytest.raises(ValueError, match="require"):
        check(fleet(), require="kexec")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """Real journal: ok-01 armed early (its only boot); bad-01 armed late, then failed."""
    boots = (boots_at("2025-03-01 08:00:00", host="ok-01", mode="early-kdump")
             + boots_at("2025-03-01 09:00:00", host="bad-01", seed=6)
             + boots_at("2025-03-02 09:00:00", host="bad-01", outcome="failed", seed=7))
    assert [b.status for b in boots] == ["armed", "armed", "failed"]  # the truth
    path = tmp_path_factory.mktemp("check") / "fleet.journal"
    return synth.write_journal(synth.to_export(boots), str(path)), boots


def test_check_command_exit_status_and_one_line_per_failing_host(journal, capsys):
    path, boots = journal
    assert main(["check", path, "--latest"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("FAIL bad-01: arming failed: ")
    assert out[-1] == "1 host of 2 failed: the latest boot of each host must be armed"
    assert len(out) == 2
    assert main(["check", path, "--host", "ok-01", "--require", "early-kdump",
                 "--max-gap", "10"]) == 0
    assert capsys.readouterr().out.startswith("1 host passed: every boot must be armed "
                                              "by early kdump within 10 s")
    early_gap = next(b.gap_s for b in boots if b.host == "ok-01")
    below = f"{early_gap - 0.01:.3f}"  # the true gap, from the boots written
    assert main(["check", path, "--host", "ok-01", "--max-gap", below]) == 1
    assert f"over the limit of {float(below):g} s" in capsys.readouterr().out
    assert main(["check", path, "--boot", "-1", "--max-gap", "1min"]) == 0  # bad-01's armed one


def test_check_json_for_machines(journal):
    path, _ = journal
    done = subprocess.run([sys.executable, "-m", "bootlag", "check", path, "--latest",
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert document["ok"] is False and document["failed"] == 1 and document["hosts"] == 2
    by_host = {v["host"]: v for v in document["verdicts"]}
    assert by_host["bad-01"]["status"] == "failed" and by_host["bad-01"]["ok"] is False
    assert by_host["ok-01"]["ok"] is True and by_host["ok-01"]["mode"] == "early-kdump"
    assert by_host["ok-01"]["kernel_start"].startswith("2025-03-01T08:00:0")


def test_check_option_errors(journal, capsys):
    path, _ = journal
    with pytest.raises(SystemExit) as exc:
        main(["check", path, "--max-gap", "soon"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["check", path, "--require", "kexec"])
    assert "soon" in capsys.readouterr().err
