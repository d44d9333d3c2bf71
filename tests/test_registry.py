"""Everything that lists formats or columns agrees with the format registry and the schema.

A format added to `bootlag.formats.FAMILIES` fails here until it has a round-trip case, a
fuzzing family and a row in the README (CONTRIBUTING.md, "Adding a format").
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bootlag import formats, table

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


readme_tables = _tool("readme_tables")


@pytest.mark.parametrize("name", sorted(readme_tables.TABLES))
def test_the_readme_tables_are_made_from_the_registry_and_the_schema(name):
    shown = readme_tables.in_readme(name, (ROOT / "README.md").read_text())
    assert shown == readme_tables.TABLES[name](), (
        f"README.md's {name} table is out of date: python tools/readme_tables.py --write")


def test_every_format_has_a_readme_row():
    shown = readme_tables.in_readme("formats", (ROOT / "README.md").read_text()) or ""
    for name in formats.FORMATS:
        assert f"| `{name}` |" in shown


def test_every_format_has_a_round_trip_case():
    from test_roundtrip import ROUND_TRIPS

    assert set(formats.FORMATS) <= ROUND_TRIPS, "add a case to tests/test_roundtrip.py"


def test_every_format_has_a_fuzzing_family():
    fuzz = _tool("fuzz")
    assert set(fuzz.FAMILIES) == {family.name for family in formats.FAMILIES}
    seeded = {name for names in fuzz.FAMILIES.values() for name in names}
    for family in formats.FAMILIES:
        if family.name != "journal":  # journals are seeded by file layout
            assert {f.name for f in family.formats} <= seeded


def test_every_format_is_recognised_as_itself():
    """Each family's recogniser names a format of its own family, and only the registry's."""
    for family in formats.FAMILIES:
        for f in family.formats:
            assert formats.FAMILY_OF[f.name] is family


def test_columns_are_the_schema():
    assert list(table.COLUMNS) == [c.name for c in table.SCHEMA]
    frame = table.typed([])
    assert {c.name: str(frame[c.name].dtype) for c in table.SCHEMA} == {
        c.name: c.dtype for c in table.SCHEMA}
    assert all(c.unit in ("", "s", "UTC", "count", "line") for c in table.SCHEMA)
    assert all(c.unit == "s" for c in table.SCHEMA if c.name.endswith("_s"))
