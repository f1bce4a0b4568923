"""Helpers to build spreadsheet files in memory for import tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    lines = [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def workbook(*sheets: tuple[str, list[list[Any]], str]) -> bytes:
    """An XLSX with these sheets: (title, rows, state) where state is visible/hidden."""
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


EVIL = "=CMD|' /C calc'!A0"  # runs calc.exe when a spreadsheet evaluates it


def make_evil_world(org: Any) -> tuple[Any, Any, Any]:
    """A program, a cohort and a person whose names (and code) are formulas, with an
    enrolment and an attendance mark, so every export has something to write."""
    from cascada.registry.models import Person
    from cascada.trainings.services import attendance_record
    from tests.registry.factories import make_person
    from tests.trainings.factories import enrol, make_cohort, make_program

    program = make_program(owner=org, name=EVIL)
    cohort = make_cohort(program=program, sessions=1, name="@SUM(1+1)*cmd|' /C calc'!A0")
    person = make_person(organization=org, given_name='+HYPERLINK("http://x")', family_name="-2+3")
    enrol(cohort, person)
    attendance_record(
        actor=None,
        session=cohort.sessions.get(),
        marks={person.enrolments.get().pk: "present"},
    )
    # Codes are generated, but an export must not trust them either.
    Person.objects.filter(pk=person.pk).update(code="=1+1")
    return program, cohort, person
