"""Reading what people send: encodings, delimiters, dates, sexes and statuses."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from cascada.imports.parsers import (
    FileProblem,
    ValueProblem,
    open_table,
    parse_attendance_status,
    parse_date,
    parse_sex,
)


def read(data: bytes):
    table = open_table(io.BytesIO(data))
    return table.headers, list(table.rows)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le"]
)
def test_encodings_excel_writes(encoding):
    text = "nombres;apellidos\r\nJosé;Núñez Peña\r\nMaría;Ávila\r\n"
    headers, rows = read(text.encode(encoding))
    assert headers == ["nombres", "apellidos"]
    assert rows == [(2, ["José", "Núñez Peña"]), (3, ["María", "Ávila"])]


def test_comma_delimiter_and_quoted_fields():
    headers, rows = read(b'nombres,apellidos\n"Perez, Juan",X\n')
    assert headers == ["nombres", "apellidos"] and rows == [(2, ["Perez, Juan", "X"])]


def test_blank_lines_are_skipped_but_row_numbers_stay_as_in_the_sheet():
    _headers, rows = read(b"nombres\n\nAna\n,\nLuis\n")
    assert rows == [(3, ["Ana"]), (5, ["Luis"])]


def test_a_bad_byte_deep_in_a_utf8_file_names_its_row():
    lines = ["nombres"] + ["Ñandú"] * 20000
    data = ("\n".join(lines) + "\n").encode("utf-8") + b"Jos\xe9\n"
    table = open_table(io.BytesIO(data))
    with pytest.raises(FileProblem) as caught:
        list(table.rows)
    assert caught.value.code == "encoding" and caught.value.params["row"] > 10000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05", dt.date(2026, 3, 5)),
        ("05/03/2026", dt.date(2026, 3, 5)),
        ("5-3-26", dt.date(2026, 3, 5)),
        ("5.3.2026", dt.date(2026, 3, 5)),
        ("46086", dt.date(2026, 3, 5)),
        (46086, dt.date(2026, 3, 5)),
        ("05/03/2026 10:30", dt.date(2026, 3, 5)),
        (dt.datetime(2026, 3, 5, 10, 30), dt.date(2026, 3, 5)),
    ],
)
def test_dates_are_read_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "mañana", "2026-13-01", "1/2"])
def test_impossible_dates(text):
    with pytest.raises(ValueProblem):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M", "male"),
        ("f", "female"),
        ("Femenino", "female"),
        ("MASCULINO", "male"),
        ("Male", "male"),
        ("mujer", "female"),
        ("varón", "male"),
        ("", "not_stated"),
        (None, "not_stated"),
        ("otro", "other"),
    ],
)
def test_sexes(text, expected):
    assert parse_sex(text) == expected


def test_unknown_sex():
    with pytest.raises(ValueProblem) as caught:
        parse_sex("marciano")
    assert caught.value.params["value"] == "marciano"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("presente", "present"),
        ("P", "present"),
        ("Ausente", "absent"),
        ("justificado", "excused"),
        ("Recuperación", "makeup"),
        ("make-up", "makeup"),
        ("absent", "absent"),
    ],
)
def test_attendance_statuses(text, expected):
    assert parse_attendance_status(text) == expected
