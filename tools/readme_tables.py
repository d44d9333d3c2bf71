"""The README's format and column tables, made from the format registry and the schema.

    python tools/readme_tables.py formats     # print one table
    python tools/readme_tables.py --write     # rewrite both tables in README.md

Each table sits in README.md between ``<!-- NAME table -->`` and ``<!-- end -->``;
``tests/test_registry.py`` fails when the README's copy differs from what this prints.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bootlag.formats import BOTH, FAMILIES, MONOTONIC  # noqa: E402
from bootlag.table import SCHEMA  # noqa: E402

README = ROOT / "README.md"

_GAP_FROM = {
    BOTH: "the load message's monotonic time: exact",
    MONOTONIC: "the bracketed monotonic time: exact",
}
_KERNEL_START = {
    BOTH: "wall − monotonic time of the boot's last entry",
    MONOTONIC: "unknown (no wall clock)",
}
_WALL_START = "\"Startup finished\" − its phases, else a printk time or the first line"
_UNITS = {"s": "seconds", "UTC": "UTC time", "count": "count", "line": "line"}


def formats_table() -> str:
    rows = ["| format | read by | clock | resolution | local time (`--tz`) | gap from "
            "| `kernel_start` from |", "|---|---|---|---|---|---|---|"]
    for family in FAMILIES:
        for f in family.formats:
            resolution = "1 s" if f.resolution_s >= 1 else "1 µs"
            gap = _GAP_FROM.get(f.clock, "wall clock from kernel start by \"Startup finished\": "
                                         "an estimate; else a lower bound (printk time, "
                                         "first line)")
            rows.append(f"| `{f.name}` | {family.name} | {f.clock} | {resolution} | "
                        f"{'yes' if f.local_time else 'no'} | {gap} | "
                        f"{_KERNEL_START.get(f.clock, _WALL_START)} |")
    return "\n".join(rows)


def columns_table() -> str:
    rows = ["| column | dtype | unit | meaning |", "|---|---|---|---|"]
    for c in SCHEMA:
        meaning = c.meaning.replace("|", "\\|").replace("<", "&lt;")
        rows.append(f"| `{c.name}` | {c.dtype} | {_UNITS.get(c.unit, '')} | {meaning} |")
    return "\n".join(rows)


TABLES = {"formats": formats_table, "columns": columns_table}


def block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name} table -->)\n(.*?)\n?(<!-- end -->)", re.S)


def in_readme(name: str, text: str) -> str | None:
    """The README's copy of a table, None if its markers are missing."""
    m = block(name).search(text)
    return m.group(2) if m else None


def _literal(text: str) -> str:
    """`text` as a literal `re.sub` replacement."""
    return text.replace("\\", "\\\\")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", nargs="?", choices=sorted(TABLES))
    parser.add_argument("--write", action="store_true", help="rewrite the tables in README.md")
    args = parser.parse_args(argv)
    if args.write:
        text = README.read_text()
        for name, make in TABLES.items():
            text, n = block(name).subn(rf"\g<1>\n{_literal(make())}\n\g<3>", text)
            if not n:
                parser.error(f"README.md has no '<!-- {name} table -->' ... '<!-- end -->'")
        README.write_text(text)
        return 0
    for name in [args.table] if args.table else TABLES:
        print(TABLES[name]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
