"""The boots table as plain rows, and CSV / JSON writers of them: no pandas on this path.

`bootlag.scan` returns a DataFrame; the command line's ``--csv`` and ``--json``
need only the rows (`bootlag.boots.boot_row` dicts, columns as in
`bootlag.table.SCHEMA`), so `scan_rows` gives those, in the order of `scan`'s
table, and `write_csv` / `write_json` write them byte for byte as pandas'
``to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")`` and
``to_json(orient="records", lines=True, date_format="iso", date_unit="us")``
would (``tests/test_rows.py`` checks both). Importing pandas alone takes
longer than reading a small file.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import IO, Any

from .boots import rows
from .formats.common import SourceInfo
from .records import Record
from .table import SCHEMA

__all__ = ["Rows", "boot_rows", "records", "scan_rows", "write_csv", "write_json"]

_NAMES = [c.name for c in SCHEMA]
_TIMES = frozenset(c.name for c in SCHEMA if c.dtype.startswith("datetime64"))
_FLOATS = frozenset(c.name for c in SCHEMA if c.dtype == "float64")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Rows(list[dict[str, Any]]):
    """Row dicts of the boots table, in its order; `inputs` as ``scan(...).attrs["inputs"]``."""

    inputs: list[dict[str, Any]]

    def __init__(self, rows: Iterable[dict[str, Any]] = (),
                 inputs: list[dict[str, Any]] | None = None) -> None:
        super().__init__(rows)
        self.inputs = inputs or []

    @property
    def attrs(self) -> dict[str, Any]:  # as the DataFrame's
        return {"inputs": self.inputs}

    @property
    def empty(self) -> bool:
        return not self


def boot_rows(records: Iterable[Record], infos: Mapping[str, SourceInfo]) -> list[dict[str, Any]]:
    """One row per boot seen in `records` (`bootlag.boots.rows`), in the table's order."""
    return rows(records, infos)


def scan_rows(paths: Any, **options: Any) -> Rows:
    """`bootlag.scan` without pandas: the rows of its table, and ``.inputs``.

    Takes `scan`'s arguments. The values are the rows' own (times in µs since
    the epoch, None where pandas shows NA or NaT).
    """
    from .scanner import scan_records

    return scan_records(paths, **options)


# --- writers -----------------------------------------------------------------------------------

def _time(value: Any) -> datetime | None:
    if isinstance(value, float) and not math.isnan(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return _EPOCH + timedelta(microseconds=value)
    except OverflowError:
        return None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _csv_cell(name: str, value: Any) -> Any:
    if name in _TIMES:
        when = _time(value)
        return "" if when is None else when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name in _FLOATS:
        return "" if _missing(value) else repr(float(value))
    if _missing(value):
        return ""
    if isinstance(value, list):
        return str(value)
    return value


def write_csv(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> None:
    """The rows as ``DataFrame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")``."""
    writer = csv.writer(out, lineterminator=os.linesep)
    writer.writerow(_NAMES)
    for row in rows:
        writer.writerow([_csv_cell(name, row.get(name)) for name in _NAMES])


def _json_float(value: float) -> str:
    """A float as pandas' JSON writer gives it (10 significant decimals, at most)."""
    if math.isnan(value) or math.isinf(value):
        return "null"
    if abs(value) >= 1e17:
        return repr(value)  # 1e+17
    text = f"{value:.10f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _json_value(name: str, value: Any) -> str:
    if name in _TIMES:
        when = _time(value)
        return "null" if when is None else f'"{when.strftime("%Y-%m-%dT%H:%M:%S.%f")}Z"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(_json_value("", v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=True).replace("/", "\\/")


def _record_value(name: str, value: Any) -> Any:
    if name in _TIMES:
        when = _time(value)
        return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else float(_json_float(value))
    if isinstance(value, list):
        return [_record_value("", v) for v in value]
    return value


def records(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows as ``json.loads(frame.to_json(orient="records", date_format="iso",
    date_unit="us"))`` gives them: ISO-8601 UTC times, None for NA and NaN."""
    return [{name: _record_value(name, row.get(name)) for name in _NAMES} for row in rows]


def write_json(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> None:
    """The rows as ``to_json(orient="records", lines=True, date_format="iso", date_unit="us")``
    (one object a line; pandas 2 ends them with a newline, and writes one for no rows)."""
    wrote = False
    for row in rows:
        out.write("{" + ",".join(f'"{name}":{_json_value(name, row.get(name))}'
                                 for name in _NAMES) + "}\n")
        wrote = True
    if not wrote:
        out.write("\n")
