"""Every spreadsheet Cascada writes escapes text a spreadsheet would run as a formula
(OWASP CSV injection), through the one function ``imports.formats.cell``."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cascada.cascade.exports import as_csv, as_xlsx
from cascada.imports.formats import cell, csv_lines, xlsx_write

from .factories import EVIL, make_evil_world

TRIGGERS = [
    EVIL,
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",  # after leading spaces
    '\u00a0=HYPERLINK("http://x")',  # after a no-break space
    "\n@SUM(A1)",
    "\uff1d1+1",  # full-width equals sign
]


@pytest.mark.parametrize("text", TRIGGERS)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ana", "1-2", "a=b", "", "O'Brien", 5, -3, 2.5])
def test_ordinary_values_are_untouched(value):
    assert cell(value) == value


def test_control_characters_are_dropped_so_xlsx_never_fails():
    assert cell("Ana\x00\x07 Pérez") == "Ana Pérez"


# ---------------------------------------------------------------- reading what was written


def csv_cells(data: bytes | str) -> list[str]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def xlsx_cells(data: bytes) -> list[object]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name), "a formula was written"
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    return [c.value for c in cells]


def assert_escaped(cells: list, *texts: str) -> None:
    for text in texts:
        assert "'" + text in cells, f"{text!r} missing or not escaped"
    for value in cells:
        if isinstance(value, str) and value and value != "'":
            assert not value.lstrip().startswith(("=", "+", "@")), f"{value!r} not escaped"


def test_the_writers_escape_headers_and_cells():
    rows = [[t, "Ana"] for t in TRIGGERS]
    assert_escaped(csv_cells("".join(csv_lines(["=h", "b"], rows))), "=h", *TRIGGERS[:4])
    out = io.BytesIO()
    xlsx_write(["=h", "b"], rows, out)
    assert_escaped(xlsx_cells(out.getvalue()), "=h", *TRIGGERS[:4])


def test_cascade_report_files_escape_the_program_name():
    rows = [["title", EVIL, "", "", "", ""], ["department", "-Lima", 1, 1, "100%", ""]]
    assert_escaped(csv_cells(as_csv(rows)), EVIL, "-Lima")
    assert_escaped(xlsx_cells(as_xlsx(rows)), EVIL, "-Lima")


# ---------------------------------------------------------------- every export path (web)


@pytest.fixture
def evil_world(org):
    return make_evil_world(org)


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_web_cascade_export_escapes_the_program_name(coordinator_client, evil_world, fmt):
    program, _cohort, _person = evil_world
    response = coordinator_client.get(reverse("web:cascade_export", args=[program.pk, fmt]))
    assert response.status_code == 200
    cells = csv_cells(body(response)) if fmt == "csv" else xlsx_cells(body(response))
    assert_escaped(cells, EVIL)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("web:export_people", ["=1+1", '+HYPERLINK("http://x")', "-2+3"]),
        ("web:export_enrolments", ["=1+1", EVIL, "@SUM(1+1)*cmd|' /C calc'!A0"]),
        ("web:export_attendance", ["=1+1"]),
    ],
)
def test_web_exports_escape_names_and_codes(coordinator_client, evil_world, fmt, route, expected):
    _program, cohort, _person = evil_world
    params = (
        {"format": fmt} if route == "web:export_people" else {"format": fmt, "cohort": cohort.pk}
    )
    response = coordinator_client.get(reverse(route), params)
    assert response.status_code == 200
    cells = csv_cells(body(response)) if fmt == "csv" else xlsx_cells(body(response))
    assert_escaped(cells, *expected)


# ---------------------------------------------------------------- however the cell is split

SPLIT = [
    'a;=HYPERLINK("http://x","clic")',
    "x,=1+1",
    "x\t=cmd|' /C calc'!A0",
    "x|@SUM(A1)",
    "Lima,\n-2+3",
    "x, +1",
    "x;\r=1",
    "x,\uff1d1",
]
SEPARATORS = re.compile(r"[,;|\t\r\n]")
STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def pieces_run_nothing(value: object) -> bool:
    """Split a cell wherever a spreadsheet might, and no piece starts a formula."""
    if not isinstance(value, str):
        return True
    return not any(p.lstrip().startswith(STARTS) for p in SEPARATORS.split(value))


@pytest.mark.parametrize("text", SPLIT)
def test_a_formula_after_a_separator_inside_a_value_is_neutralised(text):
    written = cell(text)
    assert not pieces_run_nothing(text)  # the attack is real
    assert pieces_run_nothing(written)
    assert written.replace("'", "") == text.replace("'", "")  # only apostrophes added


@pytest.mark.parametrize("value", ["Lima, Perú", "1-2, 3-4", "a=b; c=d", "O'Brien, Ana"])
def test_separators_without_a_formula_are_untouched(value):
    assert cell(value) == value


@pytest.mark.parametrize("dialect", ["csv", "csv_es"])
@pytest.mark.parametrize("read_with", [",", ";", "\t", "|"])
def test_csv_read_back_with_any_delimiter_runs_nothing(dialect, read_with):
    from cascada.imports.formats import DIALECTS

    text = "".join(csv_lines(["h"], [[t] for t in SPLIT], DIALECTS[dialect])).lstrip("\ufeff")
    for row in csv.reader(io.StringIO(text), delimiter=read_with):
        assert all(pieces_run_nothing(c) for c in row), row


def test_xlsx_read_back_has_no_formula_and_no_piece_that_would_run():
    out = io.BytesIO()
    xlsx_write(["h"], [[t] for t in SPLIT], out)
    cells = xlsx_cells(out.getvalue())
    assert all(pieces_run_nothing(c) for c in cells)


@pytest.mark.parametrize("fmt", ["csv", "csv_es", "xlsx"])
def test_a_name_with_a_formula_after_a_separator_is_exported_safely(coordinator_client, org, fmt):
    from tests.registry.factories import make_person

    make_person(organization=org, given_name='Ana;=HYPERLINK("http://x")', family_name="x,=1+1")
    response = coordinator_client.get(reverse("web:export_people"), {"format": fmt})
    assert response.status_code == 200
    data = body(response)
    if fmt == "xlsx":
        cells = xlsx_cells(data)
    else:
        text = data.decode("utf-8-sig")
        cells = [c for d in ",;" for row in csv.reader(io.StringIO(text), delimiter=d) for c in row]
    assert 'Ana;\'=HYPERLINK("http://x")' in cells or fmt != "xlsx"
    assert all(pieces_run_nothing(c) for c in cells)
