"""`scan`: paths in, the boots table out. Ties sources -> formats -> boots together."""

from __future__ import annotations

import os
import tarfile
import warnings
from collections.abc import Callable, Iterable
from typing import Literal

import pandas as pd

from .boots import assemble
from .formats import ReadOptions, SourceInfo, reader_for, sniff
from .records import BootlagError, BootlagWarning, Record
from .sources import Source, expand

Errors = Literal["warn", "raise", "ignore"]


def scan(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
         year: int | None = None, tz: str | None = None, errors: Errors = "warn",
         progress: Callable[[Source], None] | None = None) -> pd.DataFrame:
    """Find every boot in journal exports and compute its crash-kernel protection gap.

    Parameters
    ----------
    paths
        Files, directories (searched recursively) or glob patterns. Formats are
        recognised from content: journalctl ``-o short*``, ``json*``, ``export``,
        ``verbose`` and syslog files, optionally gzip/xz/bzip2 compressed.
    year
        Year of the *last* line of year-less ``short`` text. Default: the year a
        ``-- Logs begin at`` header names, else the file's modification year.
    tz
        IANA zone (``"Europe/Berlin"``) that local-time text (``short``,
        ``short-precise``, ``short-full``, syslog) was written in. Default: UTC.
        Text with offsets (``short-iso``), ``short-unix`` and the field formats
        need none.
    errors
        What to do about unreadable files and skipped lines: ``"warn"``
        (`BootlagWarning` naming file and line), ``"raise"`` (`BootlagError`)
        or ``"ignore"``.
    progress
        Called with each `Source` before it is read.

    Returns
    -------
    pandas.DataFrame
        One row per boot; `bootlag.COLUMNS` documents every column. Gaps are
        in seconds; ``clock`` says whether a gap is exact (monotonic) or a
        wall-clock lower bound (realtime).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    records: list[Record] = []
    infos: dict[str, SourceInfo] = {}
    for source in expand(paths):
        if progress is not None:
            progress(source)
        info = SourceInfo(source.name, host=source.context.host)
        options = ReadOptions(year or source.context.year, tz or source.context.tz,
                              source.mtime)
        try:
            records.extend(_read(source, info, options))
        except (BootlagError, OSError, EOFError, tarfile.TarError) as exc:
            _report(errors, str(exc) if isinstance(exc, BootlagError)
                    else f"{source.name}: {exc}")
            continue
        infos[source.name] = info
        if info.skipped:
            if errors == "raise":
                reason, lines = next(iter(info.skipped.items()))
                raise BootlagError(f"{source.name}: line {lines[0]}: {reason}")
            if errors == "warn":
                info.warn()
    return assemble(records, infos)


def _read(source: Source, info: SourceInfo, options: ReadOptions) -> list[Record]:
    with source.open() as raw:
        read = reader_for(sniff(raw.head()), info, options)
        records = list(read(raw))
        if raw.cut_off is not None:
            info.skip(f"compressed data ends early ({raw.cut_off}); nothing after it "
                      "could be read", raw.newlines + 1)
        return records


def _report(errors: Errors, message: str) -> None:
    if errors == "raise":
        raise BootlagError(message)
    if errors == "warn":
        warnings.warn(message, BootlagWarning, stacklevel=3)
