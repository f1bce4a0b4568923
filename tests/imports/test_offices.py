"""Spreadsheets as offices in Peru and Bolivia really make them (issue 8): the sheet the
user means, their headers, invisible characters, Excel's damage to numbers, CSV from
Excel in Spanish. Every file is built for real (openpyxl, Excel's CSV encodings)."""

from __future__ import annotations

import pytest

from cascada.imports.services import import_run
from cascada.registry.models import Identity, Person, Place
from tests.registry.factories import make_person

from .factories import csv_bytes, stream, workbook


def run(user, org, data, kind="people", **kw):
    return import_run(actor=user, organization=org, kind=kind, stream=stream(data), **kw)


PEOPLE = [["nombres", "apellidos", "dni", "sexo"], ["Ana", "Quispe", "12345678", "F"]]
OLD = [["nombres", "apellidos", "dni", "sexo"], ["Vieja", "Lista", "87654321", "M"]]
NOTES = [["Instrucciones"], ["Llene la hoja Participantes"]]


def identities():
    return sorted(Identity.objects.values_list("given_name", "family_name", "national_id"))


# ---------------------------------------------------------------- which sheet


def test_a_hidden_first_sheet_is_never_read_silently(coordinator, org):
    data = workbook(("Antigua", OLD, "hidden"), ("Participantes", PEOPLE, "visible"))
    report = run(coordinator, org, data, commit=True)
    assert report.written and report.sheet == "Participantes"
    assert identities() == [("Ana", "Quispe", "12345678")]


def test_the_first_visible_sheet_with_this_kinds_columns_is_read(coordinator, org):
    data = workbook(("Léame", NOTES, "visible"), ("Participantes", PEOPLE, "visible"))
    report = run(coordinator, org, data)
    assert report.ok and report.sheet == "Participantes" and report.created == 1


def test_several_sheets_and_none_fits_is_an_error_listing_them(coordinator, org):
    data = workbook(
        ("Léame", NOTES, "visible"), ("Antigua", OLD, "hidden"), ("Otra", NOTES, "visible")
    )
    report = run(coordinator, org, data)
    assert report.file_error["code"] == "no_matching_sheet"
    text = report.file_error_text
    assert "“Léame”" in text and "“Antigua” (hidden)" in text and "“Otra”" in text
    assert "Choose the sheet" in text


def test_the_user_picks_a_sheet_by_name_even_a_hidden_one(coordinator, org):
    data = workbook(("Antigua", OLD, "hidden"), ("Participantes", PEOPLE, "visible"))
    report = run(coordinator, org, data, sheet=" antigua ")
    assert report.ok and report.sheet == "Antigua" and report.created == 1
    missing = run(coordinator, org, data, sheet="Hoja3")
    assert missing.file_error["code"] == "unknown_sheet"
    assert "“Hoja3”" in missing.file_error_text and "“Participantes”" in missing.file_error_text


def test_a_title_above_the_table_is_not_taken_for_the_header(coordinator, org):
    rows = [["LISTA DE PARTICIPANTES — TALLER LIMA"], [], *PEOPLE]
    data = workbook(("Hoja1", rows, "visible"))
    report = run(coordinator, org, data)
    assert report.ok and report.created == 1
    csv_report = run(coordinator, org, csv_bytes(rows))
    assert csv_report.ok and csv_report.created == 1


# ---------------------------------------------------------------- headers offices write


def test_peruvian_headers(coordinator, org):
    # Places are INEI's ubigeo, loaded by a migration. Several districts share a name
    # across provinces ("Santa Rosa"): the province and department columns tell them apart.
    assert Place.objects.filter(name__iexact="Santa Rosa", level="district").count() > 1
    rows = [
        [
            "N°",
            "Apellido Paterno",
            "Apellido Materno",
            "Nombres",
            "N° DNI",
            "Sexo (M/F)",
            "Fecha de Nacimiento",
            "Nro. de Celular",
            "Departamento",
            "Provincia",
            "Distrito",
        ],
        [
            1,
            "Quispe",
            "Mamani",
            "Rosa Elena",
            "12345678",
            "Femenino",
            "05/03/1990",
            "987654321",
            "LIMA",
            "Lima",
            "San Juan de  Lurigancho",
        ],
        [
            2,
            "Huamán",
            "",
            "Luis",
            "23456789",
            "H",
            "1985-01-31",
            "",
            "Lima",
            "Lima",
            "santa rosa",
        ],
    ]
    report = run(coordinator, org, workbook(("Hoja1", rows, "visible")), commit=True)
    assert report.written and report.ignored_columns == ["N°"], report.error_rows()
    assert identities() == [
        ("Luis", "Huamán", "23456789"),
        ("Rosa Elena", "Quispe Mamani", "12345678"),
    ]
    by_id = {i.national_id: i.person for i in Identity.objects.select_related("person__place")}
    rosa = by_id["12345678"]
    assert (rosa.sex, rosa.birth_year, rosa.place.code) == ("female", 1990, "150132")
    assert rosa.identity.phone == "987654321"
    luis = by_id["23456789"]
    assert (luis.sex, luis.place.code) == ("male", "150139")  # Santa Rosa of Lima


def test_a_district_name_shared_by_several_places_needs_its_province(coordinator, org):
    rows = [["nombres", "distrito"], ["Ana", "Santa Rosa"]]
    report = run(coordinator, org, csv_bytes(rows))
    assert [(e["column"], e["code"]) for e in report.errors] == [("distrito", "ambiguous_place")]
    assert "province and department" in report.error_rows()[0][2]


def test_bolivian_headers(coordinator, other_org):
    from tests.accounts.factories import make_user

    other_org.country = "BO"
    other_org.save()
    user = make_user(role="coordinator", organization=other_org)
    rows = [
        ["Nombre(s)", "Primer apellido", "Segundo apellido", "Nro. C.I.", "Sexo", "Celular"],
        ["Juana", "Condori", "Choque", "1234567 LP", "F", "71234567"],
    ]
    report = run(user, other_org, csv_bytes(rows, delimiter=";"), commit=True)
    assert report.written, report.error_rows()
    assert identities() == [("Juana", "Condori Choque", "1234567 LP")]


@pytest.mark.parametrize(
    "header", ["Número de documento", "Nro. DNI", "N° DNI", "Nº DNI", "D.N.I.", "DNI/CE"]
)
def test_ways_to_name_the_id_number(coordinator, org, header):
    report = run(coordinator, org, csv_bytes([["Nombres", header], ["Ana", "12345678"]]))
    assert report.ok and report.ignored_columns == []


def test_enrolment_headers(coordinator, org):
    from tests.trainings.factories import make_cohort, make_program

    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    person = make_person(organization=org, national_id="12345678")
    rows = [["Nro. DNI", "Cohorte", "Fecha de inscripción"], ["12345678", cohort.pk, "02/03/2026"]]
    report = run(coordinator, org, csv_bytes(rows), kind="enrolments", commit=True)
    assert report.written and person.enrolments.get().enrolled_on.isoformat() == "2026-03-02"


def test_an_unread_column_with_data_is_an_error_in_a_workbook_too(coordinator, org):
    rows = [[*PEOPLE[0], "Observaciones", "N°"], [*PEOPLE[1], "llegó tarde", 1]]
    report = run(coordinator, org, workbook(("Hoja1", rows, "visible")), commit=True)
    assert report.file_error["code"] == "unknown_columns"
    assert "“Observaciones”" in report.file_error_text and "N°" not in report.file_error_text
    assert Person.objects.count() == 0


# ---------------------------------------------------------------- what nobody sees


def test_invisible_and_control_characters_are_cleaned_from_every_text(coordinator, org):
    rows = [
        ["\ufeffNombres", "Apellidos\u200b", "DNI", "Sexo", "Celular"],
        [
            "\u200bAna\u00a0María\u00ad",
            "Pé\u200drez\u202e",
            "1234\u20605678",
            "F\u200e",
            "\t98765 4321\n",
        ],
    ]
    report = run(coordinator, org, workbook(("Hoja1", rows, "visible")), commit=True)
    assert report.written, report.error_rows()
    identity = Identity.objects.get()
    assert (identity.given_name, identity.family_name, identity.national_id) == (
        "Ana María",
        "Pérez",
        "12345678",
    )
    assert identity.phone == "98765 4321"
    # The same person typed cleanly is recognised: the cleaning made one person, not two.
    again = run(
        coordinator,
        org,
        csv_bytes([["nombres", "apellidos", "dni"], ["Ana María", "Pérez", "12345678"]]),
    )
    assert again.ok and again.unchanged == 1


# ---------------------------------------------------------------- Excel's numbers


def test_excel_numbers_are_repaired_when_nothing_was_lost_and_refused_otherwise(coordinator, org):
    rows = [
        ["nombres", "apellidos", "dni", "celular"],
        ["Uno", "Cero", 1234567, 987654321],  # number cells: the DNI lost its leading zero
        ["Dos", "Punto", 23456789.0, "9.87654321E+08"],  # trailing .0; E-notation, whole
        ["Tres", "Texto", "34567890.0", ""],
        ["Cuatro", "Perdido", "4.5E+07", ""],  # digits lost: refused
        ["Cinco", "Perdido", "", "9.9E+08"],
    ]
    report = run(coordinator, org, workbook(("Hoja1", rows, "visible")))
    assert [(e["row"], e["column"], e["code"]) for e in report.errors] == [
        (5, "dni", "excel_digits_lost"),
        (6, "celular", "excel_digits_lost"),
    ]
    assert "scientific notation" in report.error_rows()[0][2]
    report = run(
        coordinator, org, workbook(("Hoja1", rows, "visible")), commit=True, skip_errors=True
    )
    assert sorted(Identity.objects.values_list("national_id", "phone")) == [
        ("01234567", "987654321"),
        ("23456789", "987654321"),
        ("34567890", ""),
    ]


def test_enrolment_and_attendance_rows_get_the_same_repair(coordinator, org):
    import datetime as dt

    from tests.trainings.factories import enrol, make_cohort, make_program

    # Open for enrolment (an undated row into a closed cohort is refused).
    cohort = make_cohort(
        program=make_program(owner=org), sessions=1, end_date=dt.date(2030, 12, 31)
    )
    person = make_person(organization=org, national_id="01234567")
    rows = [["dni", "cohorte"], [1234567, float(cohort.pk)]]
    report = run(
        coordinator, org, workbook(("Hoja1", rows, "visible")), kind="enrolments", commit=True
    )
    assert report.written and person.enrolments.filter(cohort=cohort).exists()
    bad = run(
        coordinator, org, csv_bytes([["dni", "cohorte"], ["1.2E+07", cohort.pk]]), kind="enrolments"
    )
    assert bad.errors[0]["code"] == "excel_digits_lost"
    enrol(cohort, make_person(organization=org, national_id="07654321"))
    marks = [["DNI", "Cohorte", "Sesión", "Asistencia"], [7654321, cohort.pk, 1.0, "P"]]
    report = run(coordinator, org, workbook(("Hoja1", marks, "visible")), kind="attendance")
    assert report.ok and report.created == 1


# ---------------------------------------------------------------- CSV as Excel writes it


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig"])
def test_csv_from_excel_in_spanish(coordinator, org, encoding):
    rows = [
        ["Nombres", "Apellidos", "N° DNI", "Sexo", "Año de nacimiento"],
        ["José", "Peña Ñahui", "12345678", "Masculino", "1990"],
    ]
    data = csv_bytes(rows, encoding=encoding, delimiter=";")
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    report = run(coordinator, org, data, commit=True)
    assert report.written, (report.file_error, report.error_rows())
    assert identities() == [("José", "Peña Ñahui", "12345678")]
