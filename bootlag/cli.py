"""The ``bootlag`` command: a thin layer over the library that parses options and prints.

Every command reads its inputs the same way (`read_boots`: paths, ``-`` for
stdin, or the local journal), selects boots with the same filters
(`bootlag.filters`), and the table-printing ones write with the same
``--format``/``-o`` options (`_emit`). pandas is imported only when a command
runs, so ``bootlag --help`` and option errors stay instant.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, TextIO

from . import __version__
from .filters import FilterError, check_boot, parse_span, parse_time

if TYPE_CHECKING:  # pandas is imported only when a command runs, so --help stays instant
    import pandas as pd
    from distributed import Client

# Exit statuses (documented in --help and the README). 130: interrupted (Ctrl-C), as shells do.
OK, PARTIAL, USAGE, NOTHING_READ, INTERRUPTED = 0, 1, 2, 3, 130
CHECK_FAILED = 1

TABLES = ("exposure", "comparison", "paired-hosts", "problem-hosts", "phases", "over-time")
CHART_KINDS = ("gaps", "ecdf", "hosts", "timeline", "over-time")  # plot.CHARTS, unimported
FORMATS = ("table", "csv", "json", "jsonl", "parquet")
REQUIRE = ("early-kdump", "kdump", "any")  # check.REQUIREMENTS, unimported

EPILOG = """\
examples:
  bootlag scan                               the local journal (/var/log/journal, /run/log/journal)
  bootlag scan sample_logs/                  a table, one row per boot
  journalctl -o json | bootlag scan -        a pipe (also /dev/stdin and <(…))
  bootlag scan host*.json.gz --format csv -o boots.csv
  bootlag scan collected/ --host 'web-*' --since -7d
  bootlag check collected/ --latest --require early-kdump --max-gap 10
  bootlag metrics -o /var/lib/prometheus/node-exporter/bootlag.prom
  bootlag summary collected/                 what early kdump buys, and the problem hosts
  bootlag report collected/ -o report.html

reading the table:
  gap_s   seconds from kernel start until the crash kernel was loaded.
          A plain number is exact (monotonic clock: json, export, verbose,
          short-monotonic, binary journals). '≥' marks a wall-clock lower bound
          (short, short-iso, syslog text): it is measured from the first logged
          line, which journald stamps a few seconds after the kernel started.
  status  armed | disarmed (armed, then unloaded and not loaded again) | failed
          (a failure was logged, nothing loaded) | not-armed | unknown (the log
          misses the part of the boot where arming happens)
  reason  why a boot never protected was not: no-crashkernel, reservation-failed,
          service-failed, early-kdump-module-missing, ended-abruptly,
          no-kdump-service, log-too-short (then the logged text)
  end     shutdown | abrupt (no shutdown logged, a later boot followed) | open
  mode    early-kdump (loaded from the initramfs) | kdump (by the kdump service) | none
  note    why a boot is not armed, or why its gap is missing or to be read with care

exit status:
  0  every input was read            1  boots reported, but some inputs or lines were
  2  usage error (bad option, a         skipped (warnings on stderr); check: a host failed
     path that does not exist)       3  nothing to show: no journal found, no input could
130  interrupted (Ctrl-C)               be read, or no boots (after the filters)

export journals for the most exact answer with:
  journalctl -o export > $(hostname).export     (or -o json, or -o short-monotonic)
"""

SCAN_EPILOG = """\
examples:
  bootlag scan                                  the local journal, like journalctl
  bootlag scan -D /srv/host1/var/log/journal    a journal directory copied from a host
  journalctl -b -o json | bootlag scan -        a pipe; the same table as from a file
  bootlag scan <(ssh db-03 journalctl -o export)
  bootlag scan sample_logs/ --host 'db-*' --since 2025-01-20 --boot 0
                                                each db host's latest boot since Jan 20
  bootlag scan host*.json.gz --format csv -o boots.csv
  bootlag scan collected/ --format jsonl > boots.jsonl   (--json is the same)
  bootlag scan /srv/logs --tz Europe/Berlin --year 2024
                                  local-time 'short' text from Berlin, last line in 2024
  bootlag scan --dask tcp://scheduler:8786 /shared/journals --parquet boots.parquet
                                  a fleet read by a Dask cluster, saved typed
""" + EPILOG.split("\n\n", 1)[1]

SUMMARY_EPILOG = """\
examples:
  bootlag summary sample_logs/                  findings and tables, readable
  bootlag summary collected/ --json > stats.json            every table
  bootlag summary collected/ --format csv --table problem-hosts
  bootlag summary collected/ --table comparison             one table, as text
  bootlag summary collected/ --since -30d --host 'web-*'

Gap figures use exact (monotonic) gaps only; wall-clock gaps are lower bounds
and are counted apart. Intervals are 95% bootstrap intervals: hosts are
resampled when each side has at least 5, else single boots (the table says which).
"""

CHECK_EPILOG = """\
examples:
  bootlag check --latest --require early-kdump          this host, after booting a new image
  bootlag check collected/ --latest --max-gap 30        every host's latest boot within 30 s
  bootlag check collected/ --host 'db-*' --since -1d --format json | jq .ok
  journalctl -b -o json | bootlag check - --require kdump

A boot passes when a crash kernel was loaded by a mode --require accepts
(early-kdump; kdump: the kdump service or early kdump; any: also a load the log
does not attribute) and, with --max-gap, its exact gap is at most SECONDS. A
wall-clock gap (≥) is a lower bound: it cannot show a boot was within the bound.

exit status: 0 every host passed, 1 a host failed (one line each saying why),
2 usage error, 3 nothing to check (no journal, no boots).
"""

METRICS_EPILOG = """\
examples:
  bootlag metrics -o /var/lib/prometheus/node-exporter/bootlag.prom
                                                this host, for node_exporter's textfile collector
  bootlag metrics /srv/collected/ -o /var/lib/node_exporter/textfile/fleet.prom
  bootlag metrics sample_logs/ | promtool check metrics

Per host, its latest boot: bootlag_gap_seconds, bootlag_armed (0/1) and
bootlag_kernel_start_timestamp_seconds, labelled host, boot_id, mode and
status; bootlag_fleet_gap_seconds, a histogram of every boot's exact gap by
mode; bootlag_boots by status. -o writes atomically (a temporary file in the
same directory, then a rename): a scrape never sees half a file. contrib/ has
a systemd service and timer and Prometheus alerting rules.
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
  bootlag plot over-time collected/ --since -90d -o rollout.pdf
"""

REPORT_EPILOG = """\
examples:
  bootlag report sample_logs/ -o report.html    one file: open it, attach it, print it
  bootlag report collected/ -o review.md        Markdown + review_files/*.png for a wiki
  bootlag report collected/ --host 'web-*' --since 2025-01-01 -o web.html --title 'Web tier'
"""

COMPLETION_EPILOG = """\
examples:
  bootlag completion bash > ~/.local/share/bash-completion/completions/bootlag
  bootlag completion zsh > ~/.zfunc/_bootlag    (with fpath+=(~/.zfunc) before compinit)
  source <(bootlag completion bash)             this shell only
"""

TABLE_COLUMNS = ["host", "boot", "kernel_start", "gap_s", "mode", "status", "loader", "note"]
_STATUS_COLOURS = {"armed": "green", "disarmed": "red", "failed": "red", "not-armed": "red",
                   "unknown": "yellow"}


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files, directories (searched recursively), glob patterns, or - "
                             "for stdin; gzip/xz/bzip2 are decompressed on the fly "
                             "(default: the local journal, as journalctl reads it)")


def _input_options() -> argparse.ArgumentParser:
    """The options every command shares on what to read and how."""
    inputs = argparse.ArgumentParser(add_help=False)
    group = inputs.add_argument_group("input")
    group.add_argument("-D", "--directory", metavar="DIR",
                       help="the journal files (*.journal) under DIR, as journalctl -D")
    group.add_argument("--file", action="append", default=[], metavar="FILE",
                       help="a journal file or glob, as journalctl --file (may be repeated)")
    group.add_argument("--year", type=int,
                       help="year of the last line of year-less 'short' text "
                            "(default: a '-- Logs begin at' header, else the file's date)")
    group.add_argument("--tz", metavar="ZONE",
                       help="IANA time zone of local-time text such as 'short' "
                            "(default: UTC; not needed for short-iso, json, export)")
    group.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                       help="read N files in parallel (default: one per core)")
    group.add_argument("--dask", metavar="ADDRESS",
                       help="read the files on the Dask cluster whose scheduler is at ADDRESS "
                            "(tcp://host:8786); its workers must see the same paths "
                            "(needs pip install 'bootlag[dask]')")
    group.add_argument("--strict", action="store_true",
                       help="stop at the first unreadable file or line instead of warning")
    group.add_argument("-q", "--quiet", action="store_true",
                       help="no warnings, progress or 'wrote …' on stderr")
    selection = inputs.add_argument_group("which boots")
    selection.add_argument("--host", action="append", default=[], metavar="GLOB",
                           help="only hosts matching the shell pattern (web-*; may be repeated)")
    selection.add_argument("--since", metavar="TIME",
                           help="only boots whose kernel started at or after TIME: 2025-01-20, "
                                "'2025-01-20 14:00', today, yesterday, -7d, -2h, '3 days ago' "
                                "(UTC unless TIME names a zone)")
    selection.add_argument("--until", metavar="TIME", help="only boots that started by TIME")
    selection.add_argument("-b", "--boot", metavar="ID|OFFSET",
                           help="one boot: its id (a prefix is enough), or per host 0 = latest, "
                                "-1 = the one before, 1 = the first (as journalctl -b)")
    return inputs


def _output_options(parser: argparse.ArgumentParser, what: str, json_alias: str,
                    parquet: bool = False) -> None:
    """--format and its aliases, -o and --no-color, for commands that print a table."""
    group = parser.add_argument_group("output")
    choice = group.add_mutually_exclusive_group()
    choice.add_argument("--format", choices=FORMATS, default=None,
                        help=f"{what}: an aligned text table (default), csv, json, jsonl (one "
                             "JSON record per line) or parquet (typed; needs pip install "
                             "'bootlag[parquet]')")
    choice.add_argument("--csv", dest="format", action="store_const", const="csv",
                        help="the same as --format csv")
    choice.add_argument("--json", dest="format", action="store_const", const=json_alias,
                        help=f"the same as --format {json_alias}")
    if parquet:
        choice.add_argument("--parquet", metavar="FILE",
                            help="the same as --format parquet -o FILE, with the summary "
                                 "on stdout")
    group.add_argument("-o", "--output", metavar="FILE",
                       help="write to FILE instead of stdout")
    group.add_argument("--no-color", action="store_true",
                       help="no colour (there is none unless stdout is a terminal; NO_COLOR "
                            "is honoured too)")


def _command(commands: Any, name: str, parents: list[argparse.ArgumentParser], help_text: str,
             description: str, epilog: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, parents=parents, help=help_text, description=description,
                               epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootlag",
        description="How long each Linux boot ran before a crash kernel (kdump) was armed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"bootlag {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    inputs = _input_options()
    scan = _command(commands, "scan", [inputs], "find every boot and its protection gap",
                    "Find every boot in journals and journal exports and compute its "
                    "protection gap: the seconds from kernel start until a crash kernel was "
                    "loaded.", SCAN_EPILOG)
    _add_paths(scan)
    _output_options(scan, "every column, one row per boot", "jsonl", parquet=True)

    summary = _command(commands, "summary", [inputs],
                       "the fleet's exposure, what early kdump buys, and the problem hosts",
                       "Answer three questions about a fleet's boots: how exposed is it, what "
                       "does early kdump buy over kdump (with 95% bootstrap intervals), and "
                       "which hosts are the problem.", SUMMARY_EPILOG)
    _add_paths(summary)
    _output_options(summary, "the findings and tables", "json")
    summary.add_argument("--table", choices=TABLES, default=None,
                         help="only this table, in any --format (default: the findings and "
                              "every table for table and json; exposure for csv, jsonl and "
                              "parquet)")

    check = _command(commands, "check", [inputs],
                     "a gate: exit 0 if every host was protected in time, else 1",
                     "Check that every host's boots (with --latest: its latest boot) had a "
                     "crash kernel loaded, by the mode required and within --max-gap "
                     "seconds. Prints one line per failing host saying why.", CHECK_EPILOG)
    _add_paths(check)
    check.add_argument("--max-gap", type=_seconds_option, metavar="SECONDS",
                       help="the longest acceptable gap in seconds (also 30s, 1min)")
    check.add_argument("--require", choices=REQUIRE, default="any",
                       help="what must have armed the crash kernel: early-kdump, kdump (the "
                            "kdump service or early kdump) or any (default)")
    check.add_argument("--latest", action="store_true",
                       help="check only each host's latest boot (default: every boot)")
    _output_options(check, "the verdict per host", "json")

    metrics = _command(commands, "metrics", [inputs],
                       "Prometheus metrics for node_exporter's textfile collector",
                       "Write Prometheus text-format metrics of the latest boot of every host "
                       "(gap, armed, kernel start) and the fleet's gap histogram, for "
                       "node_exporter's textfile collector.", METRICS_EPILOG)
    _add_paths(metrics)
    metrics.add_argument("-o", "--output", metavar="FILE",
                         help="write FILE atomically (name it *.prom in the collector's "
                              "directory); default: stdout")

    plot = _command(commands, "plot", [inputs], "draw one chart to an image file",
                    "Draw one chart of the fleet's protection gaps to a PNG, SVG or PDF file. "
                    "A timeline shows one host: the one --host selects, else the host that "
                    "gained most from early kdump.", PLOT_EPILOG)
    plot.add_argument("kind", choices=CHART_KINDS, metavar="KIND",
                      help="which chart: " + ", ".join(CHART_KINDS))
    _add_paths(plot)
    plot.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="image file; its suffix picks the format (.png, .svg, .pdf)")
    plot.add_argument("--log", action="store_true", help="log-scale gap axis (gaps, ecdf, "
                                                         "over-time)")
    plot.add_argument("--size", default="8x4.5", metavar="WxH",
                      help="figure size in inches (default: 8x4.5)")

    report = _command(commands, "report", [inputs],
                      "write a self-contained HTML (or Markdown) report",
                      "Write a report of the fleet's protection gaps: findings in plain words, "
                      "the summary tables, every chart, the problem hosts, the method and "
                      "clock caveats, and every boot.", REPORT_EPILOG)
    _add_paths(report)
    report.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="report.html (one file, charts embedded) or report.md")
    report.add_argument("--markdown", action="store_true",
                        help="Markdown for wikis whatever the suffix; charts are written as "
                             "PNGs to FILE's stem + '_files/'")
    report.add_argument("--title", help="the report's title")

    completion = _command(commands, "completion", [], "print a bash or zsh completion script",
                          "Print a shell completion script for bootlag, generated from its "
                          "options.", COMPLETION_EPILOG)
    completion.add_argument("shell", choices=("bash", "zsh"), help="the shell")
    exports = commands.add_parser("filter", help="print the query that exports only the lines "
                                                 "bootlag needs (README: From your log pipeline)")
    language = exports.add_mutually_exclusive_group(required=True)
    for name, where in (("grep", "grep -E over journalctl -o json"), ("logql", "Loki"),
                        ("kql", "Kibana"), ("spl", "Splunk")):  # bootlag.queries.LANGUAGES
        language.add_argument(f"--{name}", dest="language", action="store_const", const=name,
                              help=f"the query for {where}")
    return parser


def _seconds_option(text: str) -> float:
    try:
        return parse_span(text)
    except FilterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


RUNS: dict[str, Callable[[argparse.Namespace], int]] = {}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return USAGE
    if args.command == "filter":
        from .queries import query

        print(query(args.language))
        return OK
    if args.command == "completion":
        from .completion import script

        sys.stdout.write(script(parser, args.shell))
        return OK
    problem = _check_options(args)
    if problem:
        return _error(problem, USAGE)
    with _interrupts():
        try:
            return RUNS[args.command](args)
        except BrokenPipeError:  # `bootlag scan ... | head`: the reader has all it wants
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return OK
        except KeyboardInterrupt:
            return _error("interrupted", INTERRUPTED)
    return INTERRUPTED  # not reached: every path above returns (mypy cannot tell)


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """Ctrl-C: the main process stops with one line; worker processes leave quietly.

    Workers forked by ``-j`` get the same SIGINT from the terminal; without
    this each would print its own traceback.
    """
    parent = os.getpid()

    def on_interrupt(signum: int, frame: object) -> None:
        if os.getpid() != parent:
            os._exit(INTERRUPTED)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread (main() called from a thread): leave it be
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _check_options(args: argparse.Namespace) -> str | None:
    """Option values that can be checked before reading anything; the problem, if any."""
    try:
        args.since_at = parse_time(args.since) if args.since else None
        args.until_at = parse_time(args.until) if args.until else None
        if args.boot is not None:
            check_boot(args.boot)
    except FilterError as exc:
        return str(exc)
    if args.since_at and args.until_at and args.since_at > args.until_at:
        return f"--since {args.since} is after --until {args.until}"
    if getattr(args, "parquet", None):
        if args.output and args.output != args.parquet:
            return "--parquet FILE is -o FILE with --format parquet: give one of them"
        args.format, args.output = "parquet", args.parquet
    if getattr(args, "format", None) == "parquet" and importlib.util.find_spec("pyarrow") is None:
        return "parquet output needs pyarrow: pip install 'bootlag[parquet]'"
    if args.directory and not os.path.isdir(args.directory):
        return f"-D {args.directory}: no such directory"
    if args.dask and any(_is_pipe(p) for p in [*args.paths, *args.file]):
        return ("--dask: a pipe or stdin is read by this process, and Dask's workers open "
                "files by path; save it to a shared file first")
    return None


def _inputs(args: argparse.Namespace) -> tuple[list[str], str] | tuple[None, str]:
    """The paths to scan and how to name where they came from; (None, message) when the
    local journal or -D holds no journal file that can be read."""
    from .sources import LOCAL_JOURNAL_DIRS, journal_files

    paths = [*args.paths, *args.file]
    where = ", ".join(paths)
    if not paths and not args.directory and not args.quiet and _is_pipe("-"):
        print("bootlag: reading the local journal; to read the pipe on stdin, give - as "
              "the path", file=sys.stderr)
    if args.directory or not paths:
        directories = [args.directory] if args.directory else list(LOCAL_JOURNAL_DIRS)
        readable, denied = journal_files(directories)
        shown = ", ".join(directories)
        if not readable and not paths:
            message = f"no journal found in {shown}"
            if denied:
                message += (f": {len(denied)} journal files there cannot be read (run as root "
                            "or as a member of the systemd-journal group)")
            elif not args.directory:
                message += "; name files or directories to read, or - for stdin"
            return None, message
        paths += readable
        where = ", ".join(p for p in (where, shown) if p)
    return paths, where


def _is_pipe(path: str) -> bool:
    """Standard input (``-``) when it is a pipe, or a named pipe, device or <(…)."""
    import stat

    try:
        if path == "-":
            return stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode)
        return os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode) \
            and not os.path.isdir(path)
    except (OSError, ValueError, AttributeError):
        return path == "-"


def read_boots(args: argparse.Namespace, empty: bool = False,
               scan: Callable[..., Any] | None = None) -> tuple[Any, int]:
    """Scan what `args` names and apply the filters: (boots, OK), or (None, exit status)
    after saying what went wrong. Inputs were read but no boot found (or matched) is exit 3
    too; with `empty`, the (empty, typed) table comes with it, for scan to write.
    `scan`: `bootlag.rows.scan_rows` for the rows without pandas (when nothing filters)."""
    from . import BootlagError, BootlagWarning
    from .records import NoSuchInput
    from .scanner import scan as scan_frame
    from .sos import known_zone

    rows_only, scan = scan is not None, scan or scan_frame

    if args.tz and not known_zone(args.tz):
        return None, _error(f"--tz: unknown time zone {args.tz!r} (an IANA name such as "
                            "Europe/Berlin)", USAGE)
    paths, where = _inputs(args)
    if paths is None:
        return None, _error(where, NOTHING_READ)
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
                boots = scan(paths, year=args.year, tz=args.tz,
                             errors="raise" if args.strict else "warn", progress=progress,
                             jobs=args.jobs or None, client=client)
            except NoSuchInput as exc:
                return None, _error(str(exc), USAGE)
            except BootlagError as exc:
                return None, _error(str(exc), NOTHING_READ)
            finally:
                if progress:
                    progress.done()
    inputs = boots.attrs.get("inputs", [])
    if not inputs:
        return None, _error(f"no journal found in {where}", NOTHING_READ)
    if all(i["error"] for i in inputs):
        _error(f"no input could be read ({_plural(len(inputs), 'input')} tried; see the "
               "warnings above)")
        return (boots if empty else None), NOTHING_READ
    if boots.empty:
        _error(f"no boots found in {_plural(len(inputs), 'input')} read")
        return (boots if empty else None), NOTHING_READ
    if rows_only:
        return boots, OK
    chosen, status = _selected(boots, args)
    return (chosen if empty or status == OK else None), status


def _selected(boots: pd.DataFrame, args: argparse.Namespace) -> tuple[pd.DataFrame | None, int]:
    from .filters import select

    chosen = select(boots, hosts=args.host, since=args.since_at, until=args.until_at,
                    boot=args.boot)
    chosen.attrs = dict(boots.attrs)
    if chosen.empty and len(boots):
        given = " ".join(f"{flag} {value}" for flag, value in (
            *(("--host", h) for h in args.host), ("--since", args.since),
            ("--until", args.until), ("--boot", args.boot)) if value is not None)
        hosts = sorted(boots["host"].unique())
        known = ", ".join(hosts[:10]) + (", …" if len(hosts) > 10 else "")
        return chosen, _error(f"no boots match {given} (of {_plural(len(boots), 'boot')} on "
                              f"{_plural(len(hosts), 'host')}: {known})", NOTHING_READ)
    return chosen, OK


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


@contextlib.contextmanager
def _output(args: argparse.Namespace, binary: bool = False) -> Iterator[IO[Any]]:
    """Where a command writes: -o FILE, else stdout (its bytes for binary formats)."""
    if args.output:
        with open(args.output, "wb" if binary else "w", encoding=None if binary else "utf-8",
                  newline=None if binary else "") as out:
            yield out
    else:
        yield sys.stdout.buffer if binary else sys.stdout
        (sys.stdout.buffer if binary else sys.stdout).flush()


def _emit(args: argparse.Namespace, frame: pd.DataFrame, table: Callable[[TextIO], str],
          document: Callable[[], object] | None = None, index: bool = False) -> int:
    """Write `frame` in ``args.format``: `table(stream)` gives the text for the default
    format, `document()` the JSON value for json (default: the records)."""
    fmt = args.format or "table"
    if fmt == "parquet" and not args.output and sys.stdout.isatty():
        return _error("parquet is binary: give -o FILE, or redirect stdout", USAGE)
    try:
        with _output(args, binary=fmt == "parquet") as out:
            if fmt == "parquet":
                frame.to_parquet(out, engine="pyarrow", index=index)
            elif fmt == "csv":
                frame.to_csv(out, index=index, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
            elif fmt == "jsonl":
                records = _records(frame.reset_index() if index else frame)
                out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
            elif fmt == "json":
                value = document() if document else _records(frame.reset_index() if index
                                                             else frame)
                out.write(json.dumps(value, ensure_ascii=False, indent=1) + "\n")
            else:
                out.write(table(out).rstrip("\n") + "\n")  # type: ignore[arg-type]
    except OSError as exc:
        return _error(f"cannot write {args.output or 'stdout'}: {exc.strerror or exc}", USAGE)
    return OK


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: ISO-8601 UTC times, null for NA and NaN."""
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="us"))


def run_scan(args: argparse.Namespace) -> int:
    fmt = args.format or "table"
    if fmt in ("csv", "jsonl", "json") and not (args.host or args.since or args.until
                                                or args.boot is not None):
        return _scan_rows(args, fmt)  # start-up: no pandas on this path
    boots, status = read_boots(args, empty=True)
    if boots is None:
        return status
    if boots.empty and (args.format or "table") == "table":
        return status  # the error said it all; a table of nothing would only repeat it
    # With no boots (exit 3), csv, json and parquet still get the empty typed table, so a
    # pipeline reads a valid file with every column.
    written = _emit(args, boots, lambda out: format_table(
        boots, _width(args, out), _colour(args, out)))
    if written != OK or status != OK:
        return written if written != OK else status
    if args.parquet:  # the old --parquet FILE also printed the summary
        print(summary_text(boots))
    return _outcome(boots.attrs.get("inputs", []), quiet=args.quiet)


def _scan_rows(args: argparse.Namespace, fmt: str) -> int:
    """`run_scan` for csv, jsonl and json without filters, from `bootlag.rows` (the same
    bytes as from the DataFrame)."""
    from . import rows

    found, status = read_boots(args, empty=True, scan=rows.scan_rows)
    if found is None:
        return status
    try:
        with _output(args) as out:
            if fmt == "csv":
                rows.write_csv(found, out)
            elif fmt == "jsonl":
                out.write("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                  for r in rows.records(found)))
            else:
                out.write(json.dumps(rows.records(found), ensure_ascii=False, indent=1) + "\n")
    except OSError as exc:
        return _error(f"cannot write {args.output or 'stdout'}: {exc.strerror or exc}", USAGE)
    return status if status != OK else _outcome(found.inputs, quiet=args.quiet)


def run_summary(args: argparse.Namespace) -> int:
    boots, status = read_boots(args)
    if boots is None:
        return status
    from . import report

    found = report.tables(boots)
    fmt = args.format or "table"
    name = args.table or ("exposure" if fmt in ("csv", "jsonl", "parquet") else None)
    chosen = found[name.replace("-", "_")] if name else None

    def document() -> object:
        tables = {name.replace("-", "_"): found[name.replace("-", "_")]} if name else found
        return {key: _records(table.reset_index()) for key, table in tables.items()}

    def text(out: TextIO) -> str:
        width = _width(args, out)
        if chosen is not None:
            return _text_table(chosen, width)
        return report.text(boots, found, width=width)

    written = _emit(args, chosen if chosen is not None else found["exposure"], text,
                    document, index=True)
    return written if written != OK else _outcome(boots.attrs.get("inputs", []),
                                                  quiet=args.quiet)


def run_check(args: argparse.Namespace) -> int:
    boots, status = read_boots(args)
    if boots is None:
        return status
    from .check import check

    verdicts = check(boots, max_gap=args.max_gap, require=args.require, latest=args.latest)
    failed = verdicts[~verdicts["ok"]]
    by = {"early-kdump": "early kdump", "kdump": "kdump or early kdump",
          "any": "a crash kernel"}[args.require]
    rule = (("the latest boot of each host" if args.latest else "every boot") +
            " must be armed" + (f" by {by}" if args.require != "any" else "") +
            (f" within {args.max_gap:g} s" if args.max_gap is not None else ""))

    def document() -> object:
        return {"ok": failed.empty, "rule": rule, "require": args.require,
                "max_gap_s": args.max_gap, "latest": args.latest,
                "hosts": len(verdicts), "failed": len(failed), "verdicts": _records(verdicts)}

    def text(out: TextIO) -> str:
        colour = _colour(args, out)
        lines = [f"{_paint('FAIL', 'red', colour)} {row.host}: {row.reason}"
                 for row in failed.itertuples()]
        verdict = (f"{_plural(len(failed), 'host')} of {len(verdicts)} failed" if len(failed)
                   else "1 host passed" if len(verdicts) == 1
                   else f"all {len(verdicts)} hosts passed")
        lines.append(f"{verdict}: {rule}")
        return "\n".join(lines)

    written = _emit(args, verdicts, text, document)
    if written != OK:
        return written
    _outcome(boots.attrs.get("inputs", []), quiet=args.quiet)
    return CHECK_FAILED if len(failed) else OK


def run_metrics(args: argparse.Namespace) -> int:
    boots, status = read_boots(args)
    if boots is None:
        return status
    from . import metrics

    try:
        if args.output:
            metrics.write(boots, args.output)
        else:
            sys.stdout.write(metrics.text(boots))
    except OSError as exc:
        return _error(f"cannot write {args.output}: {exc.strerror or exc}", USAGE)
    if args.output and not args.quiet:
        print(f"wrote {args.output} ({_plural(boots['host'].nunique(), 'host')}, "
              f"{_plural(len(boots), 'boot')})", file=sys.stderr)
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
    if args.kind == "timeline":  # the host --host selected, else the one that gained most
        host = (boots["host"].iloc[0] if boots["host"].nunique() == 1
                else plot.default_host(boots))
        if host is not None:
            options["host"] = host
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    plot.CHARTS[args.kind](boots, ax=ax, **options)
    try:
        fig.savefig(args.output)
    except (OSError, ValueError) as exc:
        return _error(f"cannot write {args.output}: {exc}", USAGE)
    finally:
        plt.close(fig)
    if not args.quiet:
        drawn = boots[boots["host"] == options["host"]] if "host" in options else boots
        what = f" of {options['host']}" if "host" in options else ""
        print(f"wrote {args.output} ({args.kind}{what}, {_plural(len(drawn), 'boot')})",
              file=sys.stderr)
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


RUNS.update(scan=run_scan, summary=run_summary, check=run_check, metrics=run_metrics,
            plot=run_plot, report=run_report)


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
        parts = ([f"{unreadable} of {_plural(len(inputs), 'input')} could not be read"]
                 if unreadable else [])
        if damaged:
            lines = sum(i["skipped"] for i in damaged)
            parts.append(f"{lines} {'line or entry' if lines == 1 else 'lines or entries'} "
                         f"skipped in {_plural(len(damaged), 'input')}")
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


def _width(args: argparse.Namespace, out: IO[Any]) -> int | None:
    """The width tables are fitted to: COLUMNS, else the terminal's, else (a file, a pipe)
    no limit. Written with -o FILE, a table keeps its lines whole."""
    from .termtable import width

    return None if args.output else width(out)  # type: ignore[arg-type]


def _colour(args: argparse.Namespace, out: IO[Any]) -> bool:
    from .termtable import use_colour

    return use_colour(out, disabled=args.no_color)  # type: ignore[arg-type]


def _paint(text: str, colour: str, enabled: bool) -> str:
    from .termtable import paint

    return paint(text, colour) if enabled else text


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


def format_table(boots: pd.DataFrame, width: int | None = None, colour: bool = False) -> str:
    """The boots as an aligned text table no wider than `width` (characters; None: no limit),
    followed by a per-mode summary. The note column says why every boot that is not armed
    is not (`bootlag.check.reasons`)."""
    from .check import reasons
    from .fmt import gap_cells
    from .termtable import layout, paint

    if boots.empty:
        return "no boots found"
    view = boots.assign(
        boot=boots.boot_id.fillna("-").str.slice(0, 8),
        kernel_start=boots.kernel_start.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("?"),
        gap_s=gap_cells(boots),
        loader=boots.loader.fillna("-"), note=reasons(boots).fillna(""),
    )[TABLE_COLUMNS].rename(columns={"kernel_start": "kernel_start (UTC)"})
    cells = [list(view.columns), *view.astype(str).values.tolist()]
    status_at = TABLE_COLUMNS.index("status")

    def style(row: int, column: int, text: str) -> str:
        if row == 0 or column != status_at:
            return text
        hue = _STATUS_COLOURS.get(text.strip())
        return paint(text, hue) if hue else text

    # Narrow terminals lose the loader first, then the boot id, then (below ~64) the mode.
    spare = [TABLE_COLUMNS.index(c) for c in ("loader", "boot", "mode")]
    table = layout(cells, [column == "gap_s" for column in view.columns], width, spare=spare,
                   below=True, style=style if colour else None)
    summary = summary_text(boots)
    if width is not None:
        import textwrap

        summary = "\n".join(textwrap.fill(line, max(width, 40), subsequent_indent="      ")
                            for line in summary.splitlines())
    return "\n".join([table, "", summary])


def summary_text(boots: pd.DataFrame) -> str:
    """One line per mode: boots, and the median and largest gap of the exact and estimated
    gaps (how many of each), lower bounds apart."""
    out = [f"{_plural(len(boots), 'boot')} on {_plural(boots.host.nunique(), 'host')}: "
           + ", ".join(f"{n} {s}" for s, n in boots.status.value_counts().items())]
    kinds = boots["gap_kind"] if "gap_kind" in boots else boots.clock.map(
        {"monotonic": "exact", "realtime": "lower-bound"})
    for mode, group in boots.groupby("mode", sort=True):
        kind = kinds[group.index]
        measured = group.gap_s[kind.isin(["exact", "estimate"])].dropna()
        bound = group.gap_s[kind == "lower-bound"].dropna()
        parts = [f"  {mode}: {_plural(len(group), 'boot')}"]
        if len(measured):
            counts = f"{int((kind[measured.index] == 'exact').sum())} exact"
            estimated = int((kind[measured.index] == "estimate").sum())
            counts += f", {estimated} estimated" if estimated else ""
            parts.append(f"median gap {measured.median():.2f} s, max {measured.max():.2f} s "
                         f"({counts})")
        if len(bound):
            parts.append(f"wall-clock median ≥{bound.median():.2f} s ({len(bound)} "
                         f"{'lower bound' if len(bound) == 1 else 'lower bounds'})")
        out.append(", ".join(parts))
    return "\n".join(out)


def _text_table(table: pd.DataFrame, width: int | None) -> str:
    """A table of strings and numbers (index first) aligned and fitted to `width`."""
    from .termtable import layout

    if table.empty:
        return "(none)"
    frame = table.reset_index()
    cells = [[str(c) for c in frame.columns]]
    cells += [["-" if _missing(v) else _cell(v) for v in row]
              for row in frame.itertuples(index=False)]
    right = [i > 0 and all(_figure(row[i]) for row in cells[1:])
             for i in range(len(frame.columns))]
    return layout(cells, right, width)


def _missing(value: object) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.4g}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _figure(text: str) -> bool:
    return text[:1].isdigit() or text[:1] in "-≥" or text == ""


if __name__ == "__main__":
    sys.exit(main())
