"""The CLI's spreadsheets escape formulas too: the cascade report and every export."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.imports.factories import EVIL, make_evil_world
from tests.imports.test_formula_injection import assert_escaped, csv_cells, xlsx_cells


@pytest.fixture
def evil_world(org):
    return make_evil_world(org)


def read(path, fmt):
    data = path.read_bytes()
    return csv_cells(data) if fmt == "csv" else xlsx_cells(data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cascade_report_escapes_the_program_name(evil_world, tmp_path, fmt):
    program, _cohort, _person = evil_world
    target = tmp_path / f"cascade.{fmt}"
    call_command(
        "cascade_report", program=program.pk, format=fmt, output=str(target), stdout=io.StringIO()
    )
    assert_escaped(read(target, fmt), EVIL)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("export_people", ["=1+1", '+HYPERLINK("http://x")', "-2+3"]),
        ("export_enrolments", ["=1+1", EVIL, "@SUM(1+1)*cmd|' /C calc'!A0"]),
        ("export_attendance", ["=1+1"]),
    ],
)
def test_exports_escape_names_and_codes(coordinator, evil_world, tmp_path, fmt, command, expected):
    target = tmp_path / f"out.{fmt}"
    call_command(
        command,
        "--as",
        coordinator.username,
        "--format",
        fmt,
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    assert_escaped(read(target, fmt), *expected)
