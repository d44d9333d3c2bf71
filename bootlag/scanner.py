"""`scan`: paths in, the boots table out. Ties sources -> formats -> boots together."""

from __future__ import annotations

import functools
import itertools
import os
import tarfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from .formats import FORMATS, ReadOptions, SourceInfo, read_stream, sniff
from .records import BootlagError, BootlagWarning, Position, Record
from .sos import known_zone
from .sources import Source, expand, split

if TYPE_CHECKING:  # dask is an optional extra, imported by the caller who makes a Client
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd  # imported only where the DataFrame is made (start-up: bootlag.rows)
    from distributed import Client

    from .rows import Rows

Errors = Literal["warn", "raise", "ignore"]
# What reading one source gives: its records, what was learnt, or why it could not be read.
Result = tuple[list[Record], SourceInfo, str | None]
Task = tuple["Source", int | None, str | None]  # a source, and the year and zone to read it in
Progress = Callable[[Source, int, int], None]


def scan(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
         year: int | None = None, tz: str | None = None, errors: Errors = "warn",
         progress: Progress | None = None, jobs: int | None = 1,
         client: Client | None = None) -> pd.DataFrame:
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
        Called as ``progress(source, done, total)`` each time an input is done
        (``done`` of ``total`` inputs).
    jobs
        Processes reading files in parallel (``None``: one per core). The
        result does not depend on it. Ignored when `client` is given.
    client
        A ``dask.distributed.Client`` (optional extra ``bootlag[dask]``): each
        file is read by a task on the cluster's workers, and the boots are merged
        here, so the table is the same as a local scan. Paths are listed in this
        process but *opened by the workers*: every worker must see the files at
        the same absolute paths (a shared filesystem) and have bootlag installed.

    Returns
    -------
    pandas.DataFrame
        One row per boot; `bootlag.COLUMNS` documents every column. Gaps are
        in seconds; ``clock`` says whether a gap is exact (monotonic) or a
        wall-clock lower bound (realtime). ``.attrs["inputs"]`` lists every
        input read: its ``source`` name, ``format``, number of ``skipped``
        lines (or objects) and the ``error`` that made it unreadable, if any.
    """
    from .table import typed

    rows = scan_records(paths, year=year, tz=tz, errors=errors, progress=progress, jobs=jobs,
                        client=client)
    frame = typed(rows)  # the rows come in the table's order (`bootlag.boots.rows`)
    frame.attrs["inputs"] = rows.inputs
    return frame


def scan_records(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
                 year: int | None = None, tz: str | None = None, errors: Errors = "warn",
                 progress: Progress | None = None, jobs: int | None = 1,
                 client: Client | None = None) -> Rows:
    """`scan`'s rows (`bootlag.rows.Rows`), without pandas: see `bootlag.rows.scan_rows`."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if tz is not None and not known_zone(tz):
        raise BootlagError(f"unknown time zone {tz!r} (an IANA name such as Europe/Berlin)")
    sources = list(expand(paths))
    if client is not None:
        # Workers may run in another directory: send absolute paths, keep names as given.
        tasks = [(replace(source, path=os.path.abspath(source.path)), year, tz)
                 for source in sources]
        return _merge(sources, _on_dask(client, tasks), errors, progress)
    workers = jobs or os.cpu_count() or 1
    parts = [part for source in sources for part in _parts(source, workers)]
    tasks = [(part, year, tz) for part in parts]
    with _executor(min(workers, len(tasks))) as pool:
        return _merge(sources, _rejoin(parts, pool.map(read_source, tasks)), errors, progress)


SPLIT_BYTES = 256 << 20  # a larger file of a splittable format is read in parts


def _parts(source: Source, workers: int) -> list[Source]:
    """A large plain file of a splittable format in line-aligned parts, one per worker;
    else the file."""
    if workers < 2 or source.member is not None or source.error is not None:
        return [source]
    try:
        if os.path.getsize(source.path) < SPLIT_BYTES:
            return [source]
        with source.open() as raw:
            head = raw.head()
            plain = raw.path is not None
    except (OSError, BootlagError):
        return [source]
    fmt = FORMATS.get(sniff(head))
    if not plain or fmt is None or not fmt.splittable:
        return [source]  # compressed, or entries that may span lines (json-pretty, ...)
    return split(source, workers)


def _rejoin(parts: list[Source], results: Iterable[Result]) -> Iterator[Result]:
    """One result per source from the results of its parts (in order)."""
    for _, group in itertools.groupby(zip(parts, results, strict=True),
                                      key=lambda part_result: part_result[0].name):
        yield functools.reduce(_joined, (result for _, result in group))


def _joined(a: Result, b: Result) -> Result:
    """Two parts of one file as one: records in order, skips together, the first error."""
    skipped = {reason: a[1].skipped.get(reason, []) + b[1].skipped.get(reason, [])
               for reason in {**a[1].skipped, **b[1].skipped}}
    return a[0] + b[0], replace(a[1], skipped=skipped), a[2] or b[2]


def _merge(sources: list[Source], results: Iterable[Result], errors: Errors,
           progress: Progress | None) -> Rows:
    """The boots table from every source's `read_source` result, taken in source order.

    Shared by every backend, so where files were read never changes the table,
    its warnings or its errors.
    """
    records: list[Record] = []
    infos: dict[str, SourceInfo] = {}
    inputs = []
    for done, (source, (found, info, error)) in enumerate(zip(sources, results, strict=True), 1):
        if progress is not None:
            progress(source, done, len(sources))
        inputs.append({"source": source.name, "format": None if error else info.format,
                       "skipped": sum(map(len, info.skipped.values())), "error": error})
        if error is not None:
            _report(errors, error)
            continue
        records.extend(found)
        infos[source.name] = info
        if info.skipped:
            if errors == "raise":
                raise BootlagError(f"{source.name}: {info.first_skip()}")
            if errors == "warn":
                info.warn()
    from .rows import Rows, boot_rows

    return Rows(boot_rows(records, infos), inputs)


def _on_dask(client: Client, tasks: list[tuple[Source, int | None, str | None]]
             ) -> Iterator[Result]:
    """`read_source` of every task on a Dask cluster, yielded in task order.

    Each result is fetched as it is needed and its future dropped right after,
    so workers can free the records while later files are still being read.
    """
    futures = client.map(read_source, tasks, pure=False)
    futures.reverse()
    while futures:
        yield futures.pop().result()


def read_source(task: tuple[Source, int | None, str | None]) -> Result:
    """One source's records and what was learnt reading it, or why it could not be read.

    A plain function of picklable values, so sources can be read in other
    processes (``jobs``) or on other machines, and merged afterwards.
    """
    source, year, tz = task
    info = SourceInfo(source.name, host=source.context.host)
    options = ReadOptions(year or source.context.year, tz or source.context.tz, source.mtime)
    try:
        with source.open() as raw:
            records = list(read_stream(raw, options, info))
            if source.span is not None:  # number lines as in the whole file
                records, info = _shift_lines(records, info, raw.lines_before)
            if raw.cut_off is not None:
                info.skip(f"compressed data ends early ({raw.cut_off}); nothing after it "
                          "could be read", raw.newlines + 1)
    except (BootlagError, OSError, EOFError, tarfile.TarError) as exc:
        return [], info, str(exc) if isinstance(exc, BootlagError) else f"{source.name}: {exc}"
    return records, info, None


def _shift_lines(records: list[Record], info: SourceInfo,
                 lines: int) -> tuple[list[Record], SourceInfo]:
    """Records and skips of a part of a file, numbered as lines of the whole file."""
    skipped = {reason: [n + lines for n in numbers] for reason, numbers in info.skipped.items()}
    return ([r._replace(at=Position(r.at.number + lines, r.at.unit)) for r in records],
            replace(info, skipped=skipped))


class _Serial:
    """The executor interface, in this process (no start-up cost for one file)."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, fn: Callable[[Task], Result], items: Iterable[Task]) -> Iterator[Result]:
        return map(fn, items)


def _executor(workers: int) -> _Serial | ProcessPoolExecutor:
    if workers < 2:
        return _Serial()
    from concurrent.futures import ProcessPoolExecutor  # (start-up: not for one file)

    return ProcessPoolExecutor(workers)


def _report(errors: Errors, message: str) -> None:
    if errors == "raise":
        raise BootlagError(message)
    if errors == "warn":
        warnings.warn(message, BootlagWarning, stacklevel=4)  # the caller of scan
