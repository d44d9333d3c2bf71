"""The ``bootlag`` command: a thin layer over `bootlag.scan` that parses options and prints."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
import warnings
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pandas is imported only when a command runs, so --help stays instant
    import pandas as pd
    from distributed import Client

EPILOG = """\
examples:
  bootlag scan sample_logs/                 a table, one row per boot
  bootlag scan host*.json.gz --csv > boots.csv
  bootlag scan /srv/logs --tz Europe/Berlin --year 2024
                                           local-time 'short' text from Berlin, last line in 2024
  bootlag scan --dask tcp://scheduler:8786 /shared/journals --parquet boots.parquet
                                           a fleet read by a Dask cluster, saved typed

reading the table:
  gap_s   seconds from kernel start until the crash kernel was loaded.
          A plain number is exact (monotonic clock: json, export, verbose,
          short-monotonic). '≥' marks a wall-clock lower bound (short, short-iso,
          syslog text): it is measured from the first logged line, which
          journald stamps a few seconds after the kernel started.
  status  armed | failed (a failure was logged, nothing loaded) | not-armed
          | unknown (the log misses the part of the boot where arming happens)
  mode    early-kdump (loaded from the initramfs) | kdump (by the kdump service) | none

exit status:
  0  every input was read          1  boots reported, but some inputs or lines
  2  usage error (bad option, a       were skipped (warnings on stderr)
     path that does not exist)    3  no input could be read (or --strict stopped)

export journals for the most exact answer with:
  journalctl -o export > $(hostname).export     (or -o json, or -o short-monotonic)
"""

# Exit statuses (documented in --help and the README).
OK, PARTIAL, USAGE, NOTHING_READ = 0, 1, 2, 3

TABLE_COLUMNS = ["host", "boot", "kernel_start", "gap_s", "mode", "status", "loader", "note"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootlag",
        description="How long each Linux boot ran before a crash kernel (kdump) was armed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    scan = commands.add_parser(
        "scan", help="find every boot and its protection gap",
        description="Find every boot in journal exports and compute its protection gap.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    scan.add_argument("paths", nargs="+", metavar="PATH",
                      help="files, directories (searched recursively) or glob patterns; "
                           "gzip/xz/bzip2 are decompressed on the fly")
    output = scan.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help="all columns as CSV on stdout")
    output.add_argument("--json", action="store_true",
                        help="all columns as JSON records (one per line) on stdout")
    output.add_argument("--parquet", metavar="FILE",
                        help="all columns, typed, to a Parquet FILE; the summary on stdout "
                             "(needs pip install 'bootlag[parquet]')")
    scan.add_argument("--year", type=int,
                      help="year of the last line of year-less 'short' text "
                           "(default: a '-- Logs begin at' header, else the file's date)")
    scan.add_argument("--tz", metavar="ZONE",
                      help="IANA time zone of local-time text such as 'short' "
                           "(default: UTC; not needed for short-iso, json, export)")
    scan.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                      help="read N files in parallel (default: one per core)")
    scan.add_argument("--dask", metavar="ADDRESS",
                      help="read the files on the Dask cluster whose scheduler is at ADDRESS "
                           "(tcp://host:8786); its workers must see the same paths "
                           "(needs pip install 'bootlag[dask]')")
    scan.add_argument("--strict", action="store_true",
                      help="stop at the first unreadable file or line instead of warning")
    scan.add_argument("-q", "--quiet", action="store_true",
                      help="no warnings or progress on stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(f"bootlag {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return USAGE
    try:
        return run_scan(args)
    except BrokenPipeError:  # `bootlag scan ... | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


def run_scan(args: argparse.Namespace) -> int:
    from . import BootlagError, BootlagWarning, scan
    from .records import NoSuchInput
    from .sos import known_zone

    if args.tz and not known_zone(args.tz):
        return _error(f"--tz: unknown time zone {args.tz!r} (an IANA name such as "
                      "Europe/Berlin)", USAGE)
    # Missing extras are reported before a long scan, not after it.
    if args.parquet and importlib.util.find_spec("pyarrow") is None:
        return _error("--parquet needs pyarrow: pip install 'bootlag[parquet]'", USAGE)
    with contextlib.ExitStack() as stack:
        client = None
        if args.dask:
            try:
                client = stack.enter_context(_dask_client(args.dask))
            except ImportError:
                return _error("--dask needs dask.distributed: pip install 'bootlag[dask]'",
                              USAGE)
            except ValueError as exc:
                return _error(f"not a Dask scheduler address: {args.dask}: {exc}", USAGE)
            except OSError as exc:
                return _error(f"cannot connect to the Dask scheduler at {args.dask}: {exc}",
                              NOTHING_READ)
        progress = None if args.quiet or not sys.stderr.isatty() else _Progress(sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if args.quiet else "always", BootlagWarning)
            warnings.showwarning = _show_warning
            try:
                boots = scan(args.paths, year=args.year, tz=args.tz,
                             errors="raise" if args.strict else "warn", progress=progress,
                             jobs=args.jobs or None, client=client)
            except NoSuchInput as exc:
                return _error(str(exc), USAGE)
            except BootlagError as exc:
                if progress:
                    progress.done()
                return _error(str(exc), NOTHING_READ)
    if progress:
        progress.done()
    if args.csv:
        boots.to_csv(sys.stdout, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    elif args.json:
        boots.to_json(sys.stdout, orient="records", lines=True, date_format="iso",
                      date_unit="us")
        sys.stdout.write("\n")
    elif args.parquet:
        try:
            boots.to_parquet(args.parquet, engine="pyarrow", index=False)
        except OSError as exc:
            return _error(f"cannot write {args.parquet}: {exc}", USAGE)
        print(summary_text(boots) if len(boots) else "no boots found")
    else:
        print(format_table(boots))
    return _outcome(boots.attrs.get("inputs", []), quiet=args.quiet)


def _outcome(inputs: list[dict], quiet: bool) -> int:
    """The exit status, with a one-line account of what was skipped on stderr."""
    unreadable = sum(1 for i in inputs if i["error"])
    damaged = [i for i in inputs if i["skipped"]]
    if inputs and unreadable == len(inputs):
        _error(f"none of the {len(inputs)} inputs could be read", NOTHING_READ)
        return NOTHING_READ
    if not (unreadable or damaged):
        return OK
    if not quiet:
        parts = [f"{unreadable} of {len(inputs)} inputs could not be read"] if unreadable else []
        if damaged:
            lines = sum(i["skipped"] for i in damaged)
            parts.append(f"{lines} lines or entries skipped in {len(damaged)} inputs")
        print(f"bootlag: {'; '.join(parts)} (see the warnings above); every boot "
              "found in the rest is in the table", file=sys.stderr)
    return PARTIAL


def _dask_client(address: str) -> Client:
    """A client of the running scheduler at `address` (dask is imported only here)."""
    from distributed import Client
    from distributed.comm import get_address_host_port

    get_address_host_port(address)  # a bad address is a ValueError now, not a hung Client later
    return Client(address, set_as_default=False, timeout="10s")


def _error(message: str, status: int = 1) -> int:
    print(f"bootlag: error: {message}", file=sys.stderr)
    return status


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # type: ignore[no-untyped-def]
    print(f"bootlag: warning: {message}", file=sys.stderr)


class _Progress:
    """A one-line file counter on a terminal's stderr."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.count = stream, 0

    def __call__(self, source) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        name = source.name if len(source.name) < 60 else "…" + source.name[-59:]
        self.stream.write(f"\r\x1b[Kread {self.count}: {name}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def _gap_text(gap: float, clock: str) -> str:
    if gap != gap:  # NaN
        return "-"
    return f"{gap:.3f}" if clock == "monotonic" else f"≥{gap:.3f}"


def format_table(boots: pd.DataFrame) -> str:
    """The boots as an aligned text table, followed by a per-mode summary."""
    if boots.empty:
        return "no boots found"
    view = boots.assign(
        boot=boots.boot_id.fillna("-").str.slice(0, 8),
        kernel_start=boots.kernel_start.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("?"),
        gap_s=[_gap_text(g, c) for g, c in zip(boots.gap_s, boots.clock, strict=True)],
        loader=boots.loader.fillna("-"), note=boots.note.fillna(""),
    )[TABLE_COLUMNS].rename(columns={"kernel_start": "kernel_start (UTC)"})
    cells = [list(view.columns), *view.astype(str).values.tolist()]
    widths = [max(len(row[i]) for row in cells) for i in range(len(view.columns))]
    gap = view.columns.get_loc("gap_s")
    lines = ["  ".join(c.rjust(w) if i == gap else c.ljust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in cells]
    return "\n".join([*lines, "", summary_text(boots)])


def summary_text(boots: pd.DataFrame) -> str:
    """One line per mode: boots, and the median and largest gap, exact and lower bounds apart."""
    out = [f"{len(boots)} boots on {boots.host.nunique()} hosts: "
           + ", ".join(f"{n} {s}" for s, n in boots.status.value_counts().items())]
    for mode, group in boots.groupby("mode", sort=True):
        exact = group.gap_s[group.clock == "monotonic"].dropna()
        bound = group.gap_s[group.clock == "realtime"].dropna()
        parts = [f"  {mode}: {len(group)} boots"]
        if len(exact):
            parts.append(f"median gap {exact.median():.2f} s, max {exact.max():.2f} s "
                         f"({len(exact)} exact)")
        if len(bound):
            parts.append(f"wall-clock median ≥{bound.median():.2f} s ({len(bound)} lower bounds)")
        out.append(", ".join(parts))
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
