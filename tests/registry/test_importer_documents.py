"""ID documents in imports: the rules of each document, Excel's damage repaired only when
lossless, and a number that belongs to someone with another name shown as a conflict."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cascada.core.crypto import keyed_hash
from cascada.imports.models import ImportJob
from cascada.imports.services import import_run
from cascada.registry.models import Identity, Person
from tests.imports.factories import csv_bytes, stream, xlsx_bytes
from tests.jobs.support import run_queued_jobs
from tests.registry.factories import make_person
from tests.trainings.factories import make_cohort, make_program

HEADERS = ["nombres", "apellidos", "dni", "sexo"]


def run(user, org, data, kind="people", **kw):
    return import_run(actor=user, organization=org, kind=kind, stream=stream(data), **kw)


def problems(report):
    return [(e["row"], e["column"], e["code"]) for e in report.errors]


def test_a_7_digit_dni_typed_as_text_is_refused_with_the_reason(coordinator, org):
    report = run(coordinator, org, csv_bytes([HEADERS, ["Ficticio", "Uno", "1234567", "M"]]))
    assert problems(report) == [(2, "dni", "dni_short")]
    (row, column, message) = report.error_rows()[0]
    assert "8" in message and "7" in message


def test_a_dni_from_a_number_cell_gets_back_its_leading_zero(coordinator, org):
    data = xlsx_bytes([HEADERS, ["Ficticio", "Uno", 1234567, "M"], ["Ficticia", "Dos", "", "F"]])
    report = run(coordinator, org, data, commit=True)
    assert report.written and report.created == 2
    assert Person.objects.get(sex="male").identity.national_id == "01234567"


def test_scientific_notation_is_repaired_only_when_no_digit_was_lost(coordinator, org):
    rows = [
        HEADERS,
        ["Ficticio", "Uno", "1.2345678E+07", "M"],
        ["Ficticio", "Dos", "1.23457E+07", "M"],
    ]
    report = run(coordinator, org, csv_bytes(rows))
    assert problems(report) == [(3, "dni", "excel_digits_lost")]  # row 2: all eight survived
    done = run(coordinator, org, csv_bytes(rows), commit=True, skip_errors=True)
    assert done.created == 1 and Identity.objects.get().national_id == "12345678"


def test_each_document_type_follows_its_own_rules(coordinator, org):
    rows = [
        ["nombres", "apellidos", "tipo_documento", "documento"],
        ["Uno", "Prueba", "DNI", "10117410-2"],
        ["Dos", "Prueba", "Carné de extranjería", "001234567"],
        ["Tres", "Prueba", "CI", "4789123-1A LP"],
        ["Cuatro", "Prueba", "Pasaporte", "PE123456"],
        ["Cinco", "Prueba", "DNI", "10117410-3"],
        ["Seis", "Prueba", "CI", "123"],
        ["Siete", "Prueba", "Pasaporte", "ABCDEFGH"],
    ]
    report = run(coordinator, org, csv_bytes(rows))
    assert problems(report) == [
        (6, "documento", "dni_check"),
        (7, "documento", "ci_format"),
        (8, "documento", "passport_format"),
    ]
    done = run(coordinator, org, csv_bytes(rows), commit=True, skip_errors=True)
    assert done.written and done.created == 4
    stored = {i.given_name: (i.id_document, i.national_id) for i in Identity.objects.all()}
    assert stored == {
        "Uno": ("dni", "10117410"),
        "Dos": ("ce", "001234567"),
        "Tres": ("ci", "4789123-1A LP"),
        "Cuatro": ("passport", "PE123456"),
    }


# ---------------------------------------------------------------- the conflict of the issue


def test_a_number_registered_to_a_man_with_another_name_and_sex_is_a_conflict(coordinator, org):
    registered = make_person(
        organization=org,
        given_name="Ficticio",
        family_name="Uno",
        sex="male",
        national_id="10000001",
    )
    rows = [HEADERS, ["Ficticia", "Otra", "10000001", "F"], ["Nueva", "Persona", "10000002", "F"]]
    report = run(coordinator, org, csv_bytes(rows))
    assert problems(report) == [(2, "dni", "id_conflict")]
    assert report.unchanged == 0 and report.created == 1  # never counted as up to date
    row, column, message = report.error_rows()[0]
    assert (row, column) == (2, "dni") and registered.code in message
    # committing the good rows writes nothing for the conflict
    done = run(coordinator, org, csv_bytes(rows), commit=True, skip_errors=True)
    assert done.written and done.created == 1
    identity = Identity.objects.get(person=registered)
    assert (identity.given_name, identity.family_name) == ("Ficticio", "Uno")
    assert Person.objects.get(pk=registered.pk).sex == "male"
    assert Identity.objects.filter(national_id_hash=keyed_hash("10000001")).count() == 1


def test_the_same_sex_with_another_name_is_a_conflict_too(coordinator, org):
    make_person(organization=org, given_name="Ficticio", family_name="Uno", national_id="10000001")
    report = run(coordinator, org, csv_bytes([HEADERS, ["Otro", "Nombre", "10000001", "M"]]))
    assert problems(report) == [(2, "dni", "id_conflict")]


def test_the_same_man_written_another_way_is_up_to_date(coordinator, org):
    make_person(
        organization=org,
        given_name="José",
        family_name="Quispe",
        sex="male",
        national_id="10000001",
    )
    rows = [HEADERS, ["JOSE", "quispe", "10000001-1", ""]]  # 10000001's check digit is 1
    report = run(coordinator, org, csv_bytes(rows))
    assert report.ok and report.unchanged == 1 and report.created == 0


def test_the_review_page_shows_the_conflict_with_row_and_column(coordinator_client, org):
    registered = make_person(organization=org, given_name="Ficticio", national_id="10000001")
    file = SimpleUploadedFile(
        "gente.csv", csv_bytes([HEADERS, ["Otro", "Nombre", "10000001", "M"]]), "text/csv"
    )
    response = coordinator_client.post(
        reverse("web:import_start"), {"kind": "people", "organization": org.pk, "file": file}
    )
    run_queued_jobs()  # the check is a background job
    page = coordinator_client.get(response.url).content.decode()
    assert 'data-row="2"' in page and registered.code in page and ">dni<" in page
    assert ImportJob.objects.get().created == 0 and Person.objects.count() == 1


def test_the_conflict_reads_in_spanish(coordinator, org):
    registered = make_person(organization=org, given_name="Ficticio", national_id="10000001")
    report = run(coordinator, org, csv_bytes([HEADERS, ["Otro", "Nombre", "10000001", "M"]]))
    with translation.override("es"):
        message = report.error_rows()[0][2]
    assert registered.code in message
    assert "Este número de documento" in message, (
        "Spanish missing: merge /tmp/translations/registry.po and run compilemessages"
    )


# ---------------------------------------------------------------- look-ups by number


def test_enrolments_find_a_person_by_the_number_in_any_form(coordinator, org):
    person = make_person(organization=org, national_id="01234567")
    cohort = make_cohort(program=make_program(owner=org), sessions=0)
    data = xlsx_bytes([["dni", "cohorte"], [1234567, cohort.pk]])  # Excel dropped the zero
    report = run(coordinator, org, data, kind="enrolments", commit=True)
    assert report.written and report.created == 1
    assert list(cohort.enrolments.values_list("person_id", flat=True)) == [person.pk]
