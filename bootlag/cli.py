"""The ``bootlag`` command: a thin layer over `bootlag.scan` that parses options and prints."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import warnings
from typing import TYPE_CHECKING, Any, TextIO

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

TABLES = ("exposure", "comparison", "paired-hosts", "problem-hosts", "phases", "over-time")
CHART_KINDS = ("gaps", "ecdf", "hosts", "timeline", "over-time")  # plot.CHARTS, unimported

SUMMARY_EPILOG = """\
examples:
  bootlag summary sample_logs/                  findings and tables, readable
  bootlag summary collected/ --json > stats.json
  bootlag summary collected/ --csv --table problem-hosts

Gap figures use exact (monotonic) gaps only; wall-clock gaps are lower bounds
and are counted apart. Intervals are 95% bootstrap intervals: hosts are
resampled when each side has at least 5, else single boots (the table says which).
"""

PLOT_EPILOG = """\
charts:
  gaps       the gap of every boot by mode: box of exact gaps, boots as points
  ecdf       share of boots protected t seconds after kernel start, by setup
  hosts      per host that switched: median gap with kdump vs early kdump
  timeline   one host's boots: kernel/initrd/userspace phases and when it armed
  over-time  every boot's gap by date: a rollout of early kdump

examples:
  bootlag plot gaps sample_logs/ -o gaps.png --log
  bootlag plot timeline collected/ --host db-03 -o db-03.svg
"""

REPORT_EPILOG = """\
examples:
  bootlag report sample_logs/ -o report.html    one file: open it, attach it, print it
  bootlag report collected/ -o review.md        Markdown + review_files/*.png for a wiki
"""

TABLE_COLUMNS = ["host", "boot", "kernel_start", "gap_s", "mode", "status", "loader", "note"]


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files, directories (searched recursively) or glob patterns; "
                             "gzip/xz/bzip2 are decompressed on the fly")


def _input_options() -> argparse.ArgumentParser:
    """The options every command shares on how to read its PATHs."""
    inputs = argparse.ArgumentParser(add_help=False)
    inputs.add_argument("--year", type=int,
                        help="year of the last line of year-less 'short' text "
                             "(default: a '-- Logs begin at' header, else the file's date)")
    inputs.add_argument("--tz", metavar="ZONE",
                        help="IANA time zone of local-time text such as 'short' "
                             "(default: UTC; not needed for short-iso, json, export)")
    inputs.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                        help="read N files in parallel (default: one per core)")
    inputs.add_argument("--dask", metavar="ADDRESS",
                        help="read the files on the Dask cluster whose scheduler is at ADDRESS "
                             "(tcp://host:8786); its workers must see the same paths "
                             "(needs pip install 'bootlag[dask]')")
    inputs.add_argument("--strict", action="store_true",
                        help="stop at the first unreadable file or line instead of warning")
    inputs.add_argument("-q", "--quiet", action="store_true",
                        help="no warnings or progress on stderr")
    return inputs


def _table_options(parser: argparse.ArgumentParser, what: str) -> argparse._MutuallyExclusiveGroup:
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help=f"{what} as CSV on stdout")
    output.add_argument("--json", action="store_true",
                        help=f"{what} as JSON on stdout")
    return output


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootlag",
        description="How long each Linux boot ran before a crash kernel (kdump) was armed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    inputs = _input_options()
    scan = commands.add_parser(
        "scan", parents=[inputs], help="find every boot and its protection gap",
        description="Find every boot in journal exports and compute its protection gap.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_paths(scan)
    output = _table_options(scan, "all columns (JSON: one record per line)")
    output.add_argument("--parquet", metavar="FILE",
                        help="all columns, typed, to a Parquet FILE; the summary on stdout "
                             "(needs pip install 'bootlag[parquet]')")
    summary = commands.add_parser(
        "summary", parents=[inputs], help="the fleet's exposure, what early kdump buys, "
                                          "and the problem hosts",
        description="Answer three questions about a fleet's boots: how exposed is it, what "
                    "does early kdump buy over kdump (with 95%% bootstrap intervals), and "
                    "which hosts are the problem.",
        epilog=SUMMARY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_paths(summary)
    _table_options(summary, "the statistics (CSV: the --table chosen; JSON: every table)")
    summary.add_argument("--table", choices=TABLES, default="exposure",
                         help="the table --csv writes (default: exposure)")
    plot = commands.add_parser(
        "plot", parents=[inputs], help="draw one chart to an image file",
        description="Draw one chart of the fleet's protection gaps to a PNG, SVG or PDF file.",
        epilog=PLOT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    plot.add_argument("kind", choices=CHART_KINDS, metavar="KIND",
                      help="which chart: " + ", ".join(CHART_KINDS))
    _add_paths(plot)
    plot.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="image file; its suffix picks the format (.png, .svg, .pdf)")
    plot.add_argument("--log", action="store_true", help="log-scale gap axis (gaps, ecdf, "
                                                         "over-time)")
    plot.add_argument("--host", help="the host of a timeline (default: the host that gained "
                                     "most from early kdump)")
    plot.add_argument("--size", default="8x4.5", metavar="WxH",
                      help="figure size in inches (default: 8x4.5)")
    report = commands.add_parser(
        "report", parents=[inputs], help="write a self-contained HTML (or Markdown) report",
        description="Write a report of the fleet's protection gaps: findings in plain words, "
                    "the summary tables, every chart, the problem hosts, the method and clock "
                    "caveats, and every boot.",
        epilog=REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_paths(report)
    report.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="report.html (one file, charts embedded) or report.md")
    report.add_argument("--markdown", action="store_true",
                        help="Markdown for wikis whatever the suffix; charts are written as "
                             "PNGs to FILE's stem + '_files/'")
    report.add_argument("--title", help="the report's title")
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
    run = {"scan": run_scan, "summary": run_summary, "plot": run_plot,
           "report": run_report}[args.command]
    try:
        return run(args)
    except BrokenPipeError:  # `bootlag scan ... | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


def read_boots(args: argparse.Namespace, scan: Any = None) -> tuple[Any, int]:
    """Scan `args.paths` as the options say: (boots, OK), or (None, exit status) on error.

    `scan` is `bootlag.scan` (a DataFrame), or `bootlag.rows.scan_rows` (rows, no pandas).
    """
    from . import BootlagError, BootlagWarning
    from .records import NoSuchInput
    from .scanner import scan as scan_frame
    from .sos import known_zone

    if args.tz and not known_zone(args.tz):
        return None, _error(f"--tz: unknown time zone {args.tz!r} (an IANA name such as "
                            "Europe/Berlin)", USAGE)
    with contextlib.ExitStack() as stack:
        client = None
        if args.dask:
            try:
                client = stack.enter_context(_dask_client(args.dask))
            except ImportError:
                return None, _error("--dask needs dask.distributed: pip install "
                                    "'bootlag[dask]'", USAGE)
            except ValueError as exc:
                return None, _error(f"not a Dask scheduler address: {args.dask}: {exc}", USAGE)
            except OSError as exc:
                return None, _error(f"cannot connect to the Dask scheduler at {args.dask}: "
                                    f"{exc}", NOTHING_READ)
        progress = None if args.quiet or not sys.stderr.isatty() else _Progress(sys.stderr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if args.quiet else "always", BootlagWarning)
            warnings.showwarning = _show_warning
            try:
                boots = (scan or scan_frame)(args.paths, year=args.year, tz=args.tz,
                             errors="raise" if args.strict else "warn", progress=progress,
                             jobs=args.jobs or None, client=client)
            except NoSuchInput as exc:
                return None, _error(str(exc), USAGE)
            except BootlagError as exc:
                return None, _error(str(exc), NOTHING_READ)
            finally:
                if progress:
                    progress.done()
    return boots, OK


def run_scan(args: argparse.Namespace) -> int:
    # Missing extras are reported before a long scan, not after it.
    if args.parquet and importlib.util.find_spec("pyarrow") is None:
        return _error("--parquet needs pyarrow: pip install 'bootlag[parquet]'", USAGE)
    if args.csv or args.json:  # rows straight from the scan: no pandas import (start-up)
        from .rows import scan_rows, write_csv, write_json

        rows, status = read_boots(args, scan_rows)
        if rows is None:
            return status
        (write_csv if args.csv else write_json)(rows, sys.stdout)
        if args.json:
            sys.stdout.write("\n")
        return _outcome(rows.inputs, quiet=args.quiet)
    boots, status = read_boots(args)
    if boots is None:
        return status
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


def run_summary(args: argparse.Namespace) -> int:
    boots, status = read_boots(args)
    if boots is None:
        return status
    from . import report

    found = report.tables(boots)
    if args.csv:
        found[args.table.replace("-", "_")].to_csv(sys.stdout, date_format="%Y-%m-%dT%H:%M:%SZ")
    elif args.json:
        document = {name: json.loads(table.reset_index().to_json(
            orient="records", date_format="iso")) for name, table in found.items()}
        json.dump(document, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(report.text(boots, found))
    return _outcome(boots.attrs.get("inputs", []), quiet=args.quiet)


def run_plot(args: argparse.Namespace) -> int:
    try:
        width, height = (float(x) for x in args.size.lower().split("x"))
    except ValueError:
        return _error(f"--size: expected WIDTHxHEIGHT in inches, such as 8x4.5, not "
                      f"{args.size!r}", USAGE)
    boots, status = read_boots(args)
    if boots is None:
        return status
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt

    from . import plot

    options: dict = {}
    if args.log and args.kind in ("gaps", "ecdf", "over-time"):
        options["log"] = True
    if args.kind == "timeline":
        options["host"] = args.host or plot.default_host(boots)
        if args.host and not boots["host"].eq(args.host).any():
            known = ", ".join(sorted(boots["host"].unique())[:10])
            return _error(f"--host {args.host!r}: no boots of that host (hosts: {known}"
                          f"{', …' if boots['host'].nunique() > 10 else ''})", USAGE)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    plot.CHARTS[args.kind](boots, ax=ax, **options)
    try:
        fig.savefig(args.output)
    except (OSError, ValueError) as exc:
        return _error(f"cannot write {args.output}: {exc}", USAGE)
    finally:
        plt.close(fig)
    return _outcome(boots.attrs.get("inputs", []), quiet=args.quiet)


def run_report(args: argparse.Namespace) -> int:
    boots, status = read_boots(args)
    if boots is None:
        return status
    import matplotlib

    matplotlib.use("Agg")
    from . import report

    try:
        written = report.write(boots, args.output, markdown_format=args.markdown or None,
                               title=args.title)
    except OSError as exc:
        return _error(f"cannot write {args.output}: {exc}", USAGE)
    if not args.quiet:
        print(f"wrote {written[0]}" + (f" and {len(written) - 1} charts" if len(written) > 1
                                       else ""), file=sys.stderr)
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
    """A progress bar of inputs read, redrawn in place on a terminal's stderr."""

    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, source, done: int, total: int) -> None:  # type: ignore[no-untyped-def]
        filled = self.WIDTH * done // max(total, 1)
        name = source.name if len(source.name) < 50 else "…" + source.name[-49:]
        self.stream.write(f"\r\x1b[K[{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                          f"{done}/{total} inputs  {name}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def format_table(boots: pd.DataFrame) -> str:
    """The boots as an aligned text table, followed by a per-mode summary."""
    from .report import aligned
    from .stats import gap_text

    if boots.empty:
        return "no boots found"
    view = boots.assign(
        boot=boots.boot_id.fillna("-").str.slice(0, 8),
        kernel_start=boots.kernel_start.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("?"),
        gap_s=[gap_text(g, c, f) for g, c, f in zip(boots.gap_s, boots.clock, boots.format,
                                                     strict=True)],
        loader=boots.loader.fillna("-"), note=boots.note.fillna(""),
    )[TABLE_COLUMNS].rename(columns={"kernel_start": "kernel_start (UTC)"})
    cells = [list(view.columns), *view.astype(str).values.tolist()]
    table = aligned(cells, [column == "gap_s" for column in view.columns])
    return "\n".join([table, "", summary_text(boots)])


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
