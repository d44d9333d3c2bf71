"""The gate: was every host protected, by the required mode, within a bound?

``bootlag check`` is what an image pipeline runs after booting a new image,
and what configuration management runs after a change: `check` takes the
boots table and returns one verdict per host, with the reason in words when
the host fails. `reasons` says, for every boot that is not armed, why (its
failure text, the note, or what the log shows), and is what the CLI table's
``note`` column shows for such boots.

Requirements are ordered by strength: ``early-kdump`` (armed from the
initramfs) passes ``--require kdump`` too, since it protects the boot
earlier than the kdump service would; ``any`` takes every armed boot,
including one whose arming the log does not attribute (mode ``unknown``).
A wall-clock gap (``clock == "realtime"``) is a lower bound: it can show that a
boot was over the bound, never that it was within it, so with a bound it fails.
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd

from .filters import latest as latest_boots
from .filters import ordered

Requirement = Literal["early-kdump", "kdump", "any"]
REQUIREMENTS: dict[str, frozenset[str]] = {
    "early-kdump": frozenset({"early-kdump"}),
    "kdump": frozenset({"early-kdump", "kdump"}),
    "any": frozenset({"early-kdump", "kdump", "unknown"}),
}
VERDICT_COLUMNS = ["host", "ok", "reason", "boot_id", "kernel_start", "status", "mode",
                   "gap_s", "clock", "boots", "failed_boots"]


def _text(value: object) -> str | None:
    """A string cell, or None for NA/None/empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value) or None


def _true(value: object) -> bool:
    """A (nullable) boolean cell that is True; NA is not."""
    return value is not None and value is not pd.NA and bool(value)


def _seconds(gap: float, clock: object) -> str:
    """An exact gap to the ms; a lower bound with the digits it has (whole-second text)."""
    if str(clock) == "monotonic":
        return f"{gap:.3f} s"
    return f"≥{gap:.0f} s" if float(gap).is_integer() else f"≥{gap:.1f} s"


def unarmed_reason(boot: pd.Series) -> str | None:
    """Why a boot that is not armed is not: the failure logged, the note, or what the log
    shows (None for an armed boot)."""
    status = str(boot["status"])
    note, failure = _text(boot.get("note")), _text(boot.get("failure"))
    if status == "armed":
        return None
    if status == "failed":
        return "; ".join(p for p in (failure or "a failure was logged", note) if p)
    if status == "unknown":
        return note or "the log does not cover the part of the boot where arming happens"
    if status == "disarmed":  # (its note says when the crash kernel was unloaded)
        return note or "armed, then the crash kernel was unloaded and not loaded again"
    crashkernel = _text(boot.get("crashkernel"))
    if crashkernel:
        why = "no crash kernel loaded, though crashkernel= reserved memory for one"
    elif _true(boot.get("start_logged")) or pd.notna(boot.get("rd_earlykdump")):
        why = "no crash kernel loaded; no crashkernel= on the kernel command line"
    else:
        why = "no crash kernel loaded"
    return "; ".join(p for p in (why, note) if p)


def reasons(boots: pd.DataFrame) -> pd.Series:
    """Per boot: for one not armed, why (`unarmed_reason`); for an armed one, its note."""
    unarmed = boots[(boots["status"] != "armed").fillna(True).astype(bool)]
    words = {index: unarmed_reason(row) for index, row in unarmed.iterrows()}  # the few
    return pd.Series([words[i] if i in words else _text(n)
                      for i, n in zip(boots.index, boots["note"], strict=True)],
                     index=boots.index, dtype="object")


def boot_verdict(boot: pd.Series, max_gap: float | None = None,
                 require: Requirement = "any") -> str | None:
    """Why one boot fails the check (None when it passes). `max_gap` in seconds."""
    unarmed = unarmed_reason(boot)
    if unarmed is not None:
        return f"{_status_words(boot)}: {unarmed}"
    mode = str(boot["mode"])
    if mode not in REQUIREMENTS[require]:
        by = _text(boot.get("loader")) or mode
        why = f"armed by {by} (mode {mode}), not by {require}"
        if require == "early-kdump" and _true(boot.get("rd_earlykdump")):
            why += "; rd.earlykdump is on the command line but the initramfs did not arm it"
        return why
    if max_gap is None:
        return None
    gap, clock = boot["gap_s"], boot["clock"]
    if pd.isna(gap):
        return "armed, but its gap is unknown" + (f": {n}" if (n := _text(boot["note"])) else "")
    if gap > max_gap:
        return f"armed after {_seconds(gap, clock)}, over the limit of {max_gap:g} s"
    if str(clock) != "monotonic":
        return (f"armed after {_seconds(gap, clock)}, a wall-clock lower bound, so it cannot "
                f"be shown to be within {max_gap:g} s (collect journalctl -o json or export "
                "for exact gaps)")
    return None


def _status_words(boot: pd.Series) -> str:
    return {"failed": "arming failed", "not-armed": "never armed", "disarmed": "disarmed",
            "unknown": "outcome unknown"}.get(str(boot["status"]), str(boot["status"]))


def check(boots: pd.DataFrame, *, max_gap: float | None = None, require: Requirement = "any",
          latest: bool = False) -> pd.DataFrame:
    """One verdict per host: did its boots (only its latest with `latest`) pass?

    A boot passes when it was armed by a mode `require` accepts (see the
    module's docstring) and, with `max_gap` (seconds), its exact gap is at
    most that. Capture-kernel boots are left out. Columns: ``host``, ``ok``
    (bool), ``reason`` (why the host fails, missing when it passes; with several
    failing boots, the latest's, prefixed by how many failed), the boot the
    verdict is about (``boot_id``, ``kernel_start``, ``status``, ``mode``,
    ``gap_s`` in seconds, ``clock``: the latest failing boot, else the latest),
    ``boots`` (checked) and ``failed_boots``. Sorted failing hosts first, then by host.
    """
    if require not in REQUIREMENTS:
        raise ValueError(f"require: one of {', '.join(REQUIREMENTS)}, not {require!r}")
    chosen = latest_boots(boots) if latest else ordered(
        boots[~boots["capture_kernel"].fillna(False).astype(bool)])
    why = verdicts(chosen, max_gap=max_gap, require=require)
    failing = why.notna()
    by_host = chosen.assign(failing=failing).groupby("host", sort=True)
    counts = by_host["failing"].agg(["size", "sum"])
    # The boot each verdict is about: the host's latest failing boot, else its latest.
    about = pd.concat([chosen[failing].groupby("host").tail(1),
                       chosen.groupby("host").tail(1)]).drop_duplicates("host")
    about = about.set_index("host").reindex(counts.index)
    reason = why.reindex(chosen[failing].groupby("host").tail(1).index)
    reason.index = chosen.loc[reason.index, "host"]
    reason = reason.reindex(counts.index)
    several = counts["sum"] > 1
    reason[several] = [f"{n} of {m} boots failed; the latest: {r}" for n, m, r in
                       zip(counts["sum"][several], counts["size"][several], reason[several],
                           strict=True)]
    frame = pd.DataFrame({
        "host": counts.index, "ok": (counts["sum"] == 0).to_numpy(),
        "reason": [r if isinstance(r, str) else None for r in reason],
        **{c: about[c].to_numpy() for c in ("boot_id", "kernel_start", "status", "mode",
                                             "gap_s", "clock")},
        "boots": counts["size"].astype(int).to_numpy(),
        "failed_boots": counts["sum"].astype(int).to_numpy()}, columns=VERDICT_COLUMNS)
    frame["kernel_start"] = pd.to_datetime(frame["kernel_start"], utc=True)
    frame["gap_s"] = frame["gap_s"].astype(float)
    return frame.sort_values(["ok", "host"], kind="stable").reset_index(drop=True)


def verdicts(boots: pd.DataFrame, *, max_gap: float | None = None,
             require: Requirement = "any") -> pd.Series:
    """Per boot, why it fails the check (`boot_verdict`), None where it passes.

    The passing majority is found with column operations; only the failing boots
    are put into words, one by one, so a table of 50,000 boots checks in moments.
    """
    status = boots["status"].astype("string").fillna("")
    mode = boots["mode"].astype("string").fillna("")
    fails = (status != "armed") | ~mode.isin(REQUIREMENTS[require])
    if max_gap is not None:
        gap = boots["gap_s"].astype(float)
        exact = (boots["clock"].astype("string") == "monotonic").fillna(False)
        fails |= gap.isna() | (gap > max_gap) | ~exact
    words = {index: boot_verdict(row, max_gap, require)
             for index, row in boots[fails.astype(bool)].iterrows()}
    return pd.Series([words.get(i) for i in boots.index], index=boots.index, dtype="object")
