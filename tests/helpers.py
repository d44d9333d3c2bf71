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
