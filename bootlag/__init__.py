"""bootlag: how long each Linux boot runs before a crash kernel is armed.

>>> import bootlag
>>> boots = bootlag.scan(["collected/"])            # doctest: +SKIP
>>> boots.groupby("mode").gap_s.describe()          # doctest: +SKIP

`scan` returns one row per boot; `COLUMNS` documents every column (gaps in
seconds, times in UTC, and which clock each gap came from). The submodules
`bootlag.stats` (tables), `bootlag.plot` (charts returning Axes) and
`bootlag.report` (text, Markdown, HTML) are functions of that table.
"""

from __future__ import annotations

from typing import Any

from .records import BootlagError, BootlagWarning

__all__ = ["COLUMNS", "BootlagError", "BootlagWarning", "scan"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # pandas is imported on first use, so `bootlag --help` does not pay for it.
    if name == "scan":
        from .scanner import scan

        return scan
    if name == "COLUMNS":
        from .boots import COLUMNS

        return COLUMNS
    raise AttributeError(f"module 'bootlag' has no attribute {name!r}")
