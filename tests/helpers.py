"""Small builders shared by the tests: boots with known truth, rendered by the real tools."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from bootlag import synth


def utc_us(text: str) -> int:
    """µs since the epoch of an ISO time in UTC."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc).timestamp()) * 10**6


def boots_at(*starts: str, host: str = "h1", seed: int = 5, **kw) -> list[synth.Boot]:
    rng = random.Random(seed)
    return [synth.make_boot(rng, host, utc_us(s), decoys=False, filler=12, **kw) for s in starts]


def rendered(tmp: Path, boots: list[synth.Boot], fmt: str, tz: str = "UTC", name: str = "log",
             interleave: bool = False, extra: tuple[str, ...] = ()) -> Path:
    """Write `boots` to a real .journal and return the path of journalctl's `fmt` output."""
    journal = synth.write_journal(synth.to_export(boots, interleave=interleave),
                                  str(tmp / f"{name}.journal"))
    out = tmp / f"{name}.{fmt}"
    out.write_bytes(synth.render(journal, fmt, tz, *extra))
    return out


_ARMED_DEFAULTS = {"status": "armed", "clock": "monotonic", "crashkernel": "256M", "loads": 1}


def boot(host: str, gap_s: float | None = None, mode: str = "kdump",
         kernel_start: str | None = None, **columns) -> dict:
    """One hand-made row of the boots table: armed with `gap_s` unless `status` says otherwise.

    `setup` follows from `mode` (and `rd_earlykdump`); a failed or never-armed
    boot has mode "none" and no gap; other columns are given by keyword.
    """
    row = {"host": host, "mode": mode, "gap_s": gap_s, "kernel_start": kernel_start,
           **_ARMED_DEFAULTS,
           "rd_earlykdump": mode == "early-kdump", "start_logged": True,
           "capture_kernel": False, "unloads": 0, "first_line": 1}
    if columns.get("status", "armed") != "armed":
        row.update(mode="none", gap_s=None, loads=0)
    row.update(columns)
    return row


def boots_frame(*rows: dict):
    """A boots DataFrame (every column, the dtypes of `bootlag.scan`) from `boot` rows."""
    from bootlag.boots import typed

    return typed(list(rows))
