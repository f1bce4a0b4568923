"""Importing people: dry run, commit, idempotency, bad files and bad rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError

from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.imports.services import import_run
from cascada.registry.models import Identity, Person
from tests.imports.factories import csv_bytes, stream, xlsx_bytes
from tests.registry.factories import make_person

HEADERS_ES = ["nombres", "apellidos", "dni", "sexo", "año_nacimiento", "ubigeo", "telefono"]
ROWS = [
    ["Ficticio Uno", "Prueba", "10000001", "M", "1990", "150101", "999000111"],
    ["Ficticia Dos", "Ensayo", "10000002", "femenino", "1985", "040101", ""],
    ["Ficticio Tres", "Demo", "", "masculino", "2001", "", ""],
]
THIS_YEAR = dt.date.today().year


def run(user, org, data, **kw):
    return import_run(actor=user, organization=org, kind="people", stream=stream(data), **kw)


def errors(report):
    return [(e["row"], e["column"], e["code"]) for e in report.errors]


def test_dry_run_checks_every_row_and_writes_nothing(coordinator, org, places):
    report = run(coordinator, org, csv_bytes([HEADERS_ES, *ROWS]))
    assert report.ok and report.total_rows == 3 and report.valid_rows == 3
    assert report.created == 3 and not report.written
    assert Person.objects.count() == 0


def test_commit_creates_people_with_identity_apart(coordinator, org, places):
    report = run(coordinator, org, csv_bytes([HEADERS_ES, *ROWS]), commit=True)
    assert report.written and report.created == 3
    person = Person.objects.get(identity__given_name__isnull=False, birth_year=1985)
    assert person.sex == "female" and person.place.code == "040101"
    assert person.identity.national_id == "10000002" and person.identity.id_document == "dni"
    assert person.organization == org


def test_importing_the_same_file_twice_creates_no_duplicates(coordinator, org, places):
    data = csv_bytes([HEADERS_ES, *ROWS])
    run(coordinator, org, data, commit=True)
    again = run(coordinator, org, data, commit=True)
    assert again.ok and again.created == 0 and again.unchanged == 3
    assert Person.objects.count() == 3


def test_a_person_already_registered_by_hand_is_matched_by_id_number(coordinator, org, places):
    make_person(
        organization=org, given_name="Ficticio Uno", family_name="PRUEBA", national_id="10000001"
    )
    report = run(coordinator, org, csv_bytes([HEADERS_ES, *ROWS]), commit=True)
    assert report.created == 2 and report.unchanged == 1
    assert Identity.objects.filter(national_id_hash__isnull=False).count() == 3


def test_english_headers_and_ages(coordinator, org, places):
    data = csv_bytes(
        [
            ["given_name", "family_name", "national_id", "sex", "age", "place_code"],
            ["Ficticio", "Inglés", "20000001", "male", "30", "150101"],
        ]
    )
    report = run(coordinator, org, data, commit=True)
    assert report.written
    person = Person.objects.get()
    assert person.birth_year == THIS_YEAR - 30 and person.birth_year_estimated


def test_latin1_file_from_excel_with_semicolons(coordinator, org, places):
    data = csv_bytes(
        [
            ["Nombres", "Apellidos", "DNI", "Sexo", "Año de nacimiento"],
            ["José María", "Núñez Peña", "30000001", "Masculino", "1979"],
        ],
        encoding="cp1252",
        delimiter=";",
    )
    report = run(coordinator, org, data, commit=True)
    assert report.ok and report.written
    assert Identity.objects.get().family_name == "Núñez Peña"


def test_utf8_with_bom(coordinator, org, places):
    data = b"\xef\xbb\xbf" + csv_bytes([["nombres", "sexo"], ["Ñandú Ficticio", "F"]])
    report = run(coordinator, org, data, commit=True)
    assert report.written and Identity.objects.get().given_name == "Ñandú Ficticio"


def test_xlsx_file_with_numbers_typed_in_excel(coordinator, org, places):
    data = xlsx_bytes(
        [
            ["NOMBRES", "APELLIDOS", "DNI", "SEXO", "FECHA NACIMIENTO", "UBIGEO"],
            ["Ficticio", "Excel", 1234567, "M", dt.datetime(1992, 5, 3), 40101],
        ]
    )
    report = run(coordinator, org, data, commit=True)
    assert report.ok, report.error_rows()
    person = Person.objects.get()
    assert person.identity.national_id == "01234567"  # Excel dropped the leading zero
    assert person.birth_year == 1992 and person.place.code == "040101"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\r\n\r\n", "empty_file"),
        (csv_bytes([HEADERS_ES]), "no_rows"),
        (b"\x00\x01\x02\x03garbage\x00\xff\xfe" * 50, "not_a_table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_xls"),
        (b"PK\x03\x04 not really a zip", "bad_xlsx"),
    ],
    ids=["empty", "blank-lines", "header-only", "binary", "old-xls", "broken-xlsx"],
)
def test_unreadable_files_get_a_clear_answer(coordinator, org, data, code):
    report = run(coordinator, org, data, commit=True)
    assert report.file_error["code"] == code
    assert report.file_error_text  # a sentence, not a traceback
    assert not report.written and Person.objects.count() == 0


def test_missing_required_columns_are_named(coordinator, org):
    report = run(coordinator, org, csv_bytes([["apellidos", "dni"], ["Prueba", "1"]]))
    assert report.file_error["code"] == "missing_columns"
    assert "nombres" in report.file_error_text and "given_name" in report.file_error_text


def test_empty_extra_columns_are_ignored_and_reported(coordinator, org, places):
    data = csv_bytes([[*HEADERS_ES, "Comentario", "Color favorito"], [*ROWS[0], "", " "]])
    report = run(coordinator, org, data)
    assert report.ok
    assert report.ignored_columns == ["Comentario", "Color favorito"]


def test_an_unknown_column_that_holds_data_is_an_error_naming_it(coordinator, org, places):
    # Never dropped silently (issue 8): the file cannot be imported until it is renamed or
    # deleted, and nothing is written.
    data = csv_bytes(
        [[*HEADERS_ES, "Comentario", "Color favorito"], [*ROWS[0], "", ""], [*ROWS[1], "x", ""]]
    )
    report = run(coordinator, org, data, commit=True, skip_errors=True)
    assert report.file_error == {
        "code": "unknown_columns",
        "params": {"columns": "“Comentario”"},
    }
    assert "“Comentario”" in report.file_error_text and "Color" not in report.file_error_text
    assert not report.written and Person.objects.count() == 0


def test_bad_rows_are_listed_with_spreadsheet_row_and_column(coordinator, org, places):
    data = csv_bytes(
        [
            HEADERS_ES,
            ROWS[0],  # row 2: fine
            ["", "Sin Nombre", "40000001", "M", "1990", "150101", ""],  # row 3
            ["Ficticio", "Sexo", "40000002", "quizás", "1990", "150101", ""],  # row 4
            ["Ficticio", "Futuro", "40000003", "M", str(THIS_YEAR + 1), "150101", ""],  # row 5
            ["Ficticio", "Lugar", "40000004", "M", "1990", "999999", ""],  # row 6
            ["Ficticio", "Repetido", "10000001", "M", "1990", "150101", ""],  # row 7
            ["Ficticio", "Año", "40000005", "F", "mil novecientos", "", ""],  # row 8
        ]
    )
    report = run(coordinator, org, data)
    assert sorted(errors(report)) == [
        (3, "nombres", "required"),
        (4, "sexo", "bad_sex"),
        (5, "año_nacimiento", "future_year"),
        (6, "ubigeo", "unknown_place"),
        (7, "dni", "duplicate_row"),
        (8, "año_nacimiento", "bad_year"),
    ]
    assert report.total_rows == 7 and report.valid_rows == 1 and report.error_count == 6
    messages = {(r, c): m for r, c, m in report.error_rows()}
    assert "999999" in messages[(6, "ubigeo")]
    assert "2" in messages[(7, "dni")]  # points at the row it repeats


def test_errors_are_shown_in_the_users_language(coordinator, org, places):
    from django.utils import translation

    data = csv_bytes([HEADERS_ES, ["", "X", "", "M", "", "", ""]])
    report = run(coordinator, org, data)
    with translation.override("en"):
        assert report.error_rows()[0][2] == "This value is required."


def test_file_with_errors_writes_nothing_unless_told_to_skip(coordinator, org, places):
    data = csv_bytes([HEADERS_ES, ROWS[0], ["Ficticio", "Malo", "", "??", "", "", ""], ROWS[1]])
    refused = run(coordinator, org, data, commit=True)
    assert not refused.written and refused.error_count == 1
    assert Person.objects.count() == 0
    skipped = run(coordinator, org, data, commit=True, skip_errors=True)
    assert skipped.written and skipped.created == 2 and skipped.error_count == 1
    assert Person.objects.count() == 2


def test_a_failure_midway_leaves_nothing_behind(coordinator, org, places, monkeypatch):
    from cascada.registry import services

    real, calls = services._person_build, {"n": 0}

    def failing(*args):
        # The service refuses the third person of the batch (spreadsheet row 4): nothing
        # of the batch may stay, and the report names the row.
        calls["n"] += 1
        if calls["n"] == 3:
            raise ApplicationError("disk full")
        return real(*args)

    monkeypatch.setattr(services, "_person_build", failing)
    data = csv_bytes([HEADERS_ES, *ROWS, ["Ficticio Cuatro", "Demo", "", "M", "1999", "", ""]])
    report = run(coordinator, org, data, commit=True)
    assert not report.written
    assert report.file_error["code"] == "write_failed" and report.file_error["params"]["row"] == 4
    assert Person.objects.count() == 0 and Identity.objects.count() == 0


def test_same_id_number_in_an_unrelated_organization_is_not_revealed(
    coordinator, org, other_org, places
):
    # ADR 0005: the other organization's record is outside the coordinator's scope.
    registered = make_person(organization=other_org, national_id="10000001")
    report = run(coordinator, org, csv_bytes([HEADERS_ES, ROWS[0]]))
    assert report.ok and report.created == 1
    assert registered.code not in str(report.errors) + str(report.error_rows())


def test_cannot_import_into_another_organization(coordinator, other_org, places):
    with pytest.raises(PermissionDeniedError):
        run(coordinator, other_org, csv_bytes([HEADERS_ES, *ROWS]), commit=True)
    assert Person.objects.count() == 0


def test_facilitator_cannot_import(org, places):
    from tests.accounts.factories import make_user

    facilitator = make_user(role="facilitator", organization=org)
    with pytest.raises(PermissionDeniedError):
        run(facilitator, org, csv_bytes([HEADERS_ES, *ROWS]))


def test_people_import_is_audited(coordinator, org, places):
    from cascada.audit.models import AuditEvent

    run(coordinator, org, csv_bytes([HEADERS_ES, *ROWS]), commit=True)
    assert AuditEvent.objects.filter(action="create", target_type="registry.person").count() == 3
    event = AuditEvent.objects.get(action="import")
    assert event.detail["kind"] == "people" and event.detail["created"] == 3
    assert "10000001" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_a_database_failure_in_a_batch_rolls_the_whole_batch_back(
    coordinator, org, places, monkeypatch
):
    """The bulk write is one transaction: people and identities written before the name
    tokens failed do not stay."""
    from cascada.registry.models import NameToken

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(NameToken.objects, "bulk_create", broken)
    report = run(coordinator, org, csv_bytes([HEADERS_ES, *ROWS]), commit=True)
    assert not report.written and report.file_error is not None
    assert Person.objects.count() == 0 and Identity.objects.count() == 0
