"""Hostile files are refused while reading, before they cost time or memory, with a
message saying which limit and where, and nothing is written (parsers.Limits)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from cascada.imports import runner
from cascada.imports.messages import describe
from cascada.imports.services import import_run
from cascada.registry.models import Person

from .factories import csv_bytes, stream, xlsx_bytes

HEADERS = ["nombres", "apellidos", "sexo"]


def people(n: int) -> list[list[str]]:
    return [HEADERS] + [[f"Ficticio{i}", "Prueba", "M"] for i in range(n)]


def run(user, org, data, **kw):
    return import_run(actor=user, organization=org, kind="people", stream=stream(data), **kw)


def message(report) -> str:
    return describe(report.file_error["code"], report.file_error["params"])


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same XLSX with some parts replaced or added (deflated, as Excel writes them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        parts = {info.filename: src.read(info.filename) for info in src.infolist()}
        for name, body in {**parts, **replace}.items():
            dst.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Proves a file was refused before openpyxl opened (and expanded) it."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_zip_bomb_in_shared_strings_is_refused_before_opening(coordinator, org, no_openpyxl):
    # 20 MB of one repeated letter deflates to ~20 KB: a ratio of about a thousand.
    bomb = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>' + b"A" * 20_000_000 + b"</t></si></sst>"
    )
    data = rezip(xlsx_bytes(people(2)), {"xl/sharedStrings.xml": bomb})
    assert len(data) < 100_000
    report = run(coordinator, org, data, commit=True)
    assert report.file_error["code"] == "xlsx_ratio"
    assert report.file_error["params"]["part"] == "xl/sharedStrings.xml"
    assert "xl/sharedStrings.xml" in message(report) and "at most 100 times" in message(report)
    assert not report.written and report.total_rows == 0 and Person.objects.count() == 0


def test_total_expanded_size_is_limited(coordinator, org, settings, no_openpyxl):
    settings.CASCADA_IMPORT_MAX_EXPANDED_BYTES = 4_000  # a normal small file is ~15 KB
    report = run(coordinator, org, xlsx_bytes(people(2)), commit=True)
    assert report.file_error["code"] == "xlsx_too_large"
    assert "more than 4 KB once opened" in message(report)
    assert not report.written and Person.objects.count() == 0


def test_the_same_small_file_is_read_within_the_default_limits(coordinator, org):
    report = run(coordinator, org, xlsx_bytes(people(2)))
    assert report.ok and report.created == 2


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_one_row_over_the_limit_stops_the_import_and_writes_nothing(
    coordinator, org, settings, monkeypatch, maker
):
    settings.CASCADA_IMPORT_MAX_ROWS = 10
    monkeypatch.setattr(runner, "BATCH", 4)  # earlier batches are already written
    exactly = run(coordinator, org, maker(people(10)))
    assert exactly.ok and exactly.total_rows == 10
    report = run(coordinator, org, maker(people(11)), commit=True, skip_errors=True)
    assert report.file_error == {"code": "too_many_rows", "params": {"row": 12, "max": 10}}
    assert message(report) == (
        "The file has more than 10 rows (stopped at row 12): split it into files of at most "
        "10 rows."
    )
    assert not report.written and Person.objects.count() == 0


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_cell_over_the_length_limit_names_its_row_and_column(coordinator, org, maker):
    rows = people(3)
    rows[2][1] = "x" * 1001  # spreadsheet row 3, column "apellidos"
    report = run(coordinator, org, maker(rows), commit=True)
    assert report.file_error["code"] == "cell_too_long"
    assert message(report) == ("Row 3, column “apellidos”: a cell holds more than 1000 characters.")
    assert not report.written and Person.objects.count() == 0


def test_a_csv_over_the_size_limit_is_refused_before_reading(coordinator, org, settings):
    settings.CASCADA_IMPORT_MAX_BYTES = 1024
    data = csv_bytes(people(100))
    assert len(data) > 1024
    report = run(coordinator, org, data)
    assert report.file_error["code"] == "file_too_large"
    assert re.search(r"\(\d+ KB; at most 1 KB\)", message(report))


def test_too_many_columns(coordinator, org, settings):
    settings.CASCADA_IMPORT_MAX_COLUMNS = 5
    report = run(coordinator, org, csv_bytes([[*HEADERS, "a", "b", "c"], ["Ana", "P", "F"]]))
    assert report.file_error == {"code": "too_many_columns", "params": {"row": 1, "max": 5}}


def test_empty_rows_are_limited_too(coordinator, org, settings):
    settings.CASCADA_IMPORT_MAX_BLANK_ROWS = 5
    rows = [HEADERS, ["Ana", "P", "F"], *([["", "", ""]] * 6), ["Luis", "P", "M"]]
    report = run(coordinator, org, csv_bytes(rows))
    assert report.file_error == {"code": "too_many_blank_rows", "params": {"row": 8, "max": 5}}


def test_cells_far_right_and_a_forged_dimension_cost_nothing(coordinator, org, monkeypatch):
    # A sheet claiming to span every row and column of Excel, with one cell in the last
    # column (XFD): openpyxl would build 16,384 cells for every row; we read only the
    # header's width.
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    book = Workbook()
    for row in people(2):
        book.active.append(row)
    book.active["XFD3"] = "far away"
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    forged = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', sheet)
    assert forged != sheet
    widths: list[int] = []
    real = ReadOnlyWorksheet._get_row

    def spy(self, *args, **kwargs):
        row = real(self, *args, **kwargs)
        widths.append(len(row))
        return row

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_row", spy)
    report = run(coordinator, org, rezip(out.getvalue(), {"xl/worksheets/sheet1.xml": forged}))
    assert report.ok and report.total_rows == 2
    assert widths and max(widths) <= 201  # header scan: max_columns + 1; data: 3
