"""Write the bootlag(1) man page from the command's own parser, so it never drifts from --help.

    python tools/make_manpage.py                 # writes man/bootlag.1
    python tools/make_manpage.py -o - | man -l -  # read it without installing
    python tools/make_manpage.py --check         # exit 1 if man/bootlag.1 is out of date

Install with ``install -Dm644 man/bootlag.1 /usr/local/share/man/man1/bootlag.1``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bootlag import __version__  # noqa: E402
from bootlag.cli import build_parser  # noqa: E402

DEFAULT = ROOT / "man" / "bootlag.1"

SEE_ALSO = r"""\fBjournalctl\fR(1), \fBsystemd-journald\fR(8), \fBkdumpctl\fR(8),
\fBkdump.conf\fR(5), \fBdracut\fR(8), \fBpromtool\fR(1), \fBprometheus-node-exporter\fR(1)"""

FILES = r""".TP
.I /var/log/journal, /run/log/journal
The local journal, read when no path is given (its \fI*.journal\fR files, by bootlag's own
reader; root or the \fBsystemd-journal\fR group may read them).
.TP
.I contrib/systemd/bootlag-metrics.service, contrib/systemd/bootlag-metrics.timer
Refresh \fBbootlag metrics\fR a few minutes after every boot, for node_exporter.
.TP
.I contrib/prometheus/bootlag.rules.yml
Prometheus alerting rules: booted unprotected, gap over 30 s, metrics older than the boot."""


def roff(text: str) -> str:
    """Plain text as roff: backslashes and hyphens escaped, no line starting a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)  # ≥, …, –
    return "\n".join("\\&" + line if line[:1] in ".'" else line for line in text.split("\n"))


def _option(action: argparse.Action) -> str:
    names = ", ".join(f"\\fB{roff(n)}\\fR" for n in action.option_strings)
    if action.nargs != 0:
        metavar = action.metavar or (
            "{" + ",".join(map(str, action.choices)) + "}" if action.choices
            else action.dest.upper())
        names += f" \\fI{roff(str(metavar))}\\fR"
    help_text = (action.help or "") % {"prog": "bootlag", "default": action.default}
    return f".TP\n{names}\n{roff(help_text)}"


def _positional(action: argparse.Action) -> str:
    metavar = action.metavar or action.dest
    return f".TP\n\\fI{roff(str(metavar))}\\fR\n{roff(action.help or '')}"


def _epilog(text: str) -> str:
    """An epilog (examples, notes) kept as laid out: headings bold, the rest no-fill."""
    out = []
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if re.fullmatch(r"[a-z ]+:", lines[0]):
            out.append(f".PP\n\\fB{roff(lines[0][:-1])}\\fR")
            lines = lines[1:]
        else:
            out.append(".PP")
        out.append(".nf\n" + roff("\n".join(lines)) + "\n.fi")
    return "\n".join(out)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _usage(parser: argparse.ArgumentParser) -> str:
    usage = parser.format_usage().removeprefix("usage: ").strip()
    return roff(" ".join(usage.split()))


def page(parser: argparse.ArgumentParser, date: str) -> str:
    """The whole man page, in roff (man macros)."""
    head = [f'.TH BOOTLAG 1 "{date}" "bootlag {__version__}" "User Commands"',
            ".SH NAME", "bootlag \\- how long each Linux boot ran before a crash kernel "
            "(kdump) was armed",
            ".SH SYNOPSIS", ".B bootlag", "\\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIPATH\\fR...]",
            ".br", ".B bootlag", "\\fB\\-V\\fR | \\fB\\-\\-help\\fR",
            ".SH DESCRIPTION", roff(parser.description or ""),
            "It reads journalctl's text, json and export output, binary journal files and "
            "sosreports (files, directories, globs, \\fB\\-\\fR for standard input, or the "
            "local journal), finds every boot, and measures its protection gap: the seconds "
            "from kernel start until a crash kernel was loaded, by the kdump service or by "
            "early kdump from the initramfs.",
            ".SH COMMANDS"]
    body = []
    commands = _subcommands(parser)
    for name, sub in commands.items():
        body.append(f".SS {name}")
        body.append(f".B {_usage(sub)}")
        body.append(".PP\n" + roff(sub.description or ""))
        positionals = [a for a in sub._actions if not a.option_strings]
        options = [a for a in sub._actions if a.option_strings and a.help != argparse.SUPPRESS
                   and "-h" not in a.option_strings]
        body.extend(_positional(a) for a in positionals)
        body.extend(_option(a) for a in options)
        if sub.epilog and name != "scan":  # scan's epilog is the top-level one, below
            body.append(_epilog(sub.epilog))
        elif sub.epilog:
            body.append(_epilog(sub.epilog.split("\n\n")[0]))
    tail = [".SH NOTES", _epilog(parser.epilog or ""),
            ".SH FILES", FILES, ".SH SEE ALSO", SEE_ALSO]
    return "\n".join([*head, *body, *tail]) + "\n"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("-o", "--output", default=str(DEFAULT),
                         help="where to write it (- for stdout; default: man/bootlag.1)")
    options.add_argument("--check", action="store_true",
                         help="exit 1 if the page on disk differs from the parser's")
    args = options.parse_args(argv)
    # The date of the last change to the parser, not today: rebuilding changes nothing.
    date = os.environ.get("SOURCE_DATE_EPOCH")
    day = (dt.datetime.fromtimestamp(int(date), dt.timezone.utc) if date
           else dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)).strftime("%Y-%m-%d")
    text = page(build_parser(), day)
    if args.check:
        current = Path(args.output).read_text() if Path(args.output).exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python tools/make_manpage.py",
                  file=sys.stderr)
            return 1
        return 0
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
