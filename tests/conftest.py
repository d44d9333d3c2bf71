"""Shared fixtures: a fleet with known truth, written through the real systemd tools."""

from __future__ import annotations

import shutil

import pytest

from bootlag import synth


def pytest_configure(config: pytest.Config) -> None:
    missing = [tool for tool in (synth.JOURNAL_REMOTE, "journalctl") if not shutil.which(tool)]
    if missing:
        raise pytest.UsageError(
            f"the tests need {', '.join(missing)}: apt-get install -y systemd-journal-remote")


@pytest.fixture(scope="session")
def fleet() -> list[synth.Boot]:
    """Boots of every kind: RHEL 7/8/9, Ubuntu, SUSE, early kdump, failures, a clock step."""
    boots = synth.make_fleet(seed=7, boots_per_host=2, filler=30)
    rng = __import__("random").Random(3)
    last = max(b.start_us for b in boots)
    boots.append(synth.make_boot(rng, "trunc-01", last + 86_400 * synth.SEC, drop_start=True))
    return boots


@pytest.fixture(scope="session")
def fleet_journal(fleet, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("journal") / "fleet.journal"
    return synth.write_journal(synth.to_export(fleet), str(path))
