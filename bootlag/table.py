"""The boots table's schema, written once: every column's name, dtype, unit and meaning.

`COLUMNS` (the public documentation), the typed DataFrame (`typed`) and the
README's column table (checked by ``tests/test_schema.py``; printed by
``python tools/readme_tables.py columns``) all come from `SCHEMA`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported only where a DataFrame is made
    import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # the pandas dtype of the column in `bootlag.scan`'s result
    unit: str  # "s" (seconds), "UTC" (a time), "count", "line", or "" (none)
    meaning: str


SCHEMA: tuple[Column, ...] = (
    Column("host", "string", "",
           "host name (the boot's last real hostname; the file name when the log has none)"),
    Column("boot_id", "string", "", "journal _BOOT_ID (32 hex), <NA> where the input has none"),
    Column("kernel_start", "datetime64[us, UTC]", "UTC",
           "UTC time of kernel start (monotonic zero), else of the first logged line"),
    Column("armed_at", "datetime64[us, UTC]", "UTC",
           "UTC time the crash kernel was first loaded; NaT if never or unknown"),
    Column("gap_s", "float64", "s",
           "protection gap in seconds: kernel start -> crash kernel loaded"),
    Column("gap_kind", "string", "",
           "'exact' (monotonic clock), 'estimate' (wall clock, kernel start from systemd's "
           "'Startup finished') or 'lower-bound' (wall clock from a kernel line's printk "
           "time or the boot's first line: the true gap is at least this); <NA> without a "
           "gap"),
    Column("gap_error_s", "float64", "s",
           "bound on gap_s's error: the truth lies within gap_s ± gap_error_s (exact: 0; "
           "estimate: stamp resolution + the phases' rounding + the line's log delay), "
           "or for a lower bound at least gap_s - gap_error_s (the stamps' resolution)"),
    Column("mode", "string", "",
           "'early-kdump' (loaded from the initramfs), 'kdump' (by the kdump service), "
           "'none', or 'unknown' (kdumpctl found it loaded, the log does not say by what)"),
    Column("status", "string", "",
           "'armed', 'disarmed' (armed, then unloaded or a reload failed, and not loaded "
           "again), 'failed' (a failure logged, nothing loaded), 'not-armed', or "
           "'unknown' (the log does not cover the part of the boot where arming happens)"),
    Column("clock", "string", "",
           "'monotonic' (exact) or 'realtime' (wall-clock difference; a lower bound)"),
    Column("kernel_start_from", "string", "",
           "how kernel_start was found: 'monotonic', 'startup-finished' (that line's time "
           "minus kernel+initrd+userspace), 'printk' (a kernel line's time minus its printk "
           "time: an upper bound), 'first-line' (an upper bound), 'unknown'"),
    Column("start_logged", "bool", "",
           "whether the boot's first lines (kernel start) are in the input"),
    Column("loader", "string", "",
           "what loaded it: early-kdump, kdumpctl, kdump-tools, load.sh, fadump, ..."),
    Column("early_kdump_enabled", "boolean", "",
           "dracut's 'early-kdump is enabled.' (True) / 'disabled' (False)"),
    Column("rd_earlykdump", "boolean", "",
           "rd.earlykdump on the kernel command line; <NA> if it was not logged"),
    Column("crashkernel", "string", "", "the crashkernel= value on the kernel command line"),
    Column("kernel", "string", "", "kernel release from the 'Linux version' line"),
    Column("failure", "string", "", "the first failure message of the boot"),
    Column("failures", "object", "",
           "every failure message of the boot, in time order (a list; [] if none)"),
    Column("failures_s", "object", "s",
           "seconds from kernel start when each of `failures` was logged (a list; NaN "
           "where the time is unknown)"),
    Column("loads", "int64", "count", "number of crash-kernel loads logged (reloads count)"),
    Column("unloads", "int64", "count", "number of crash-kernel unloads logged"),
    Column("unprotected_after_s", "float64", "s",
           "seconds without a crash kernel after the first arming (unload/reload windows, "
           "and from a final unload or failed reload to the boot's last line); NaN if never "
           "armed"),
    Column("end", "string", "",
           "how the boot ended: 'shutdown' (a clean shutdown or reboot logged), 'abrupt' (no "
           "shutdown logged, and a later boot of the host follows: panic, watchdog, reset, "
           "power loss), 'open' (the log ends with this boot); bootlag.records.ENDS"),
    Column("reason", "string", "",
           "why a boot that was never protected was not: a code of bootlag.records.REASONS "
           "(no-crashkernel, reservation-failed, service-failed, early-kdump-module-missing, "
           "ended-abruptly, no-kdump-service, log-too-short), then ': ' and the logged text "
           "where there is one; <NA> for armed and disarmed boots"),
    Column("capture_kernel", "bool", "",
           "the boot logged lines only a kdump capture kernel writes"),
    Column("early_enabled_s", "float64", "s",
           "seconds from kernel start to dracut's 'early-kdump is enabled' "
           "(monotonic clock only; NaN if not logged or no monotonic time)"),
    Column("service_s", "float64", "s",
           "seconds from kernel start to the kdump service's own verdict: its load, "
           "'already running' or failure (monotonic clock only, else NaN)"),
    Column("kernel_s", "float64", "s",
           "seconds in the kernel, from systemd's 'Startup finished' line"),
    Column("initrd_s", "float64", "s",
           "seconds in the initrd, from systemd's 'Startup finished' line"),
    Column("userspace_s", "float64", "s",
           "seconds in userspace, from systemd's 'Startup finished' line"),
    Column("log_span_s", "float64", "s",
           "seconds from kernel start (or first line) to the boot's last logged line"),
    Column("note", "string", "", "why a gap is missing or to be read with care"),
    Column("format", "string", "", "input format(s) the boot was read from"),
    Column("text_tz", "string", "",
           "zone local-time text was read in ('UTC (assumed)' if none was given)"),
    Column("source", "string", "", "file(s) the boot was read from"),
    Column("first_line", "int64", "line",
           "line of the boot's first entry in its (first) source (a byte offset in a "
           "binary journal)"),
    Column("armed_line", "string", "", "source:line of the message that armed the crash kernel"),
)

COLUMNS: dict[str, str] = {c.name: c.meaning for c in SCHEMA}
_TIMES = [c.name for c in SCHEMA if c.dtype.startswith("datetime64")]
_CASTS = {c.name: c.dtype for c in SCHEMA if c.name not in _TIMES and c.dtype != "object"}


def typed(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The boots table with the columns of `SCHEMA` in order and their dtypes, from row dicts.

    Times may be given as µs since the epoch (ints), timestamps or None.
    """
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    # Hand-made rows may give only `failure`: it is then the boot's one failure.
    failures = [value if isinstance(value, list) else [failure] if isinstance(failure, str)
                and failure else [] for value, failure in zip(frame["failures"],
                                                              frame["failure"], strict=True)]
    seconds = [value if isinstance(value, list) else [math.nan] * len(texts)
               for value, texts in zip(frame["failures_s"], failures, strict=True)]
    frame["failures"] = pd.Series(failures, index=frame.index, dtype=object)
    frame["failures_s"] = pd.Series(seconds, index=frame.index, dtype=object)
    frame = frame.astype(_CASTS)
    for col in _TIMES:
        # Always µs (what journals carry): pandas would pick seconds for an empty or
        # all-NaT column, which Parquet cannot store and concat would not match.
        frame[col] = pd.to_datetime(frame[col].map(_timestamp), utc=True
                                    ).astype("datetime64[us, UTC]")
    return frame


def _timestamp(value: Any) -> Any:
    """µs since the epoch as a Timestamp (NaT out of pandas' range: a broken clock)."""
    import pandas as pd

    if isinstance(value, float) and not math.isnan(value):
        value = int(value)  # ints beside None become floats: exact up to 2**53 µs (year 2255)
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    try:
        return pd.Timestamp(value, unit="us", tz="UTC")
    except (OverflowError, ValueError):
        return pd.NaT
