"""Exports speak the reader's language (issue 7): headers and values in Spanish or English,
on the web (the request's language), in the CLI (``--language``, Spanish by default), and
as a CSV that Excel in Spanish opens with a double click (``;``, BOM, dd/mm/yyyy)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cascada.cascade.exports import HELD_BACK, as_csv, report_rows
from cascada.core.privacy import Cell
from cascada.trainings.exports import attendance_export, enrolments_export, people_export
from cascada.trainings.services import attendance_record
from tests.accounts.factories import login_verified
from tests.registry.factories import make_person, make_place
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

HEADERS = {
    "people": {
        "es": [
            "Código",
            "Sexo",
            "Año de nacimiento",
            "Año de nacimiento estimado",
            "Código de lugar",
            "Lugar",
            "Organización",
            "Roles",
            "Nombres",
            "Apellidos",
            "Tipo de documento",
            "Número de documento",
            "Teléfono",
        ],
        "en": [
            "Code",
            "Sex",
            "Birth year",
            "Birth year estimated",
            "Place code",
            "Place",
            "Organization",
            "Roles",
            "Given names",
            "Family name",
            "Document type",
            "ID number",
            "Phone",
        ],
    },
    "enrolments": {
        "es": [
            "Código",
            "Cohorte",
            "Nombre de la cohorte",
            "Programa",
            "Estado",
            "Fecha de inscripción",
            "Sesiones asistidas",
            "Culminó",
            "Fecha de culminación",
            "Certificado",
        ],
        "en": [
            "Code",
            "Cohort",
            "Cohort name",
            "Program",
            "Status",
            "Enrolment date",
            "Sessions attended",
            "Completed",
            "Completion date",
            "Certificate",
        ],
    },
    "attendance": {
        "es": ["Código", "Cohorte", "Sesión", "Fecha", "Estado"],
        "en": ["Code", "Cohort", "Session", "Date", "Status"],
    },
}


@pytest.fixture
def world(org, coordinator):
    place = make_place(code="150101", name="Lima")
    person = make_person(
        organization=org,
        given_name="Ficticio",
        family_name="Prueba",
        sex="male",
        birth_year=1990,
        place=place,
        id_document="dni",
        national_id="12345678",
        phone="999000111",
        roles=["participant"],
    )
    cohort = make_cohort(program=make_program(owner=org, name="Hombres"), sessions=2)
    enrolment = enrol(cohort, person)[0]
    attendance_record(
        actor=None, session=cohort.sessions.get(number=1), marks={enrolment.pk: "present"}
    )
    return {"person": person, "cohort": cohort, "org": org, "user": coordinator}


def _exports(world, language):
    user = world["user"]
    with translation.override(language):
        return {
            "people": people_export(user=user),
            "enrolments": enrolments_export(user=user),
            "attendance": attendance_export(user=user),
        }


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_export_has_headers_and_values_in_the_readers_language(world, language):
    exports = _exports(world, language)
    for kind, export in exports.items():
        assert export.headers == HEADERS[kind][language], kind
    code, cohort = world["person"].code, world["cohort"]
    people = list(exports["people"].rows)
    enrolments = list(exports["enrolments"].rows)
    attendance = list(exports["attendance"].rows)
    if language == "es":
        assert people == [
            [code, "Masculino", 1990, "No", "150101", "Lima", world["org"].name]
            + ["Participante", "Ficticio", "Prueba", "DNI (Perú)", "12345678", "999000111"]
        ]
        assert enrolments[0][:8] == [code, cohort.pk, cohort.name, "Hombres", "Inscrito"] + [
            enrolments[0][5],
            1,
            "No",
        ]
        assert attendance == [[code, cohort.pk, 1, cohort.sessions.get(number=1).date, "Presente"]]
    else:
        assert people[0][1:4] == ["Male", 1990, "No"]
        assert people[0][7] == "Participant" and people[0][10] == "DNI (Peru)"
        assert enrolments[0][4] == "Enrolled" and enrolments[0][7] == "No"
        assert attendance[0][4] == "Present"


def test_spanish_excel_csv_on_the_web(world, client):
    login_verified(client, world["user"])
    response = client.get(
        reverse("web:export_attendance"), {"format": "csv_es"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('attendance.csv"')
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")  # UTF-8 with a BOM: Excel reads the accents
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    day = world["cohort"].sessions.get(number=1).date
    assert rows == [
        HEADERS["attendance"]["es"],
        [world["person"].code, str(world["cohort"].pk), "1", day.strftime("%d/%m/%Y"), "Presente"],
    ]


def test_the_web_export_follows_the_request_language(world, client):
    login_verified(client, world["user"])
    for language, header in (("es", "Código"), ("en", "Code")):
        response = client.get(
            reverse("web:export_enrolments"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language
        )
        content = b"".join(response.streaming_content)
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        assert next(sheet.iter_rows(values_only=True))[0] == header


def test_the_cli_exports_in_spanish_by_default_and_english_on_request(world, tmp_path):
    user = world["user"]
    out = tmp_path / "a.csv"
    call_command("export_attendance", "--as", user.username, "--output", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ",".join(HEADERS["attendance"]["es"])
    assert text.splitlines()[1].endswith(",Presente")
    call_command(
        "export_attendance", "--as", user.username, "--language", "en", "--output", str(out)
    )
    assert out.read_text(encoding="utf-8-sig").splitlines()[0] == "Code,Cohort,Session,Date,Status"
    call_command(
        "export_attendance", "--as", user.username, "--format", "csv_es", "--output", str(out)
    )
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ";".join(HEADERS["attendance"]["es"])
    assert "/2026;" in lines[1]


def _shown(**overrides):
    """The figures the cascade page shows, as ``figures_present`` gives them."""
    shown = {
        "enrolled": Cell(12, 5),
        "completed": Cell(9, 5),
        "completion": "75%",
        "merely_enrolled": Cell(3, 5, withheld=True),
        "contacts": Cell(None, 5, unpublished=True),
        "multiplier": 8.1,
        "trained_trainers": Cell(None, 5),
        "replicating": Cell(None, 5),
        "replication_rate": "–",
        "median_days_to_first_cohort": None,
        "levels": [],
        "departments": [],
        "by_sex": [],
        "by_age": [],
        "idle_trainers": Cell(0, 5),
        "version_mismatch_cohorts": Cell(0, 5),
        "uncertified_cohorts": Cell(0, 5),
    }
    shown.update(overrides)
    return shown


def test_cascade_export_tells_held_back_from_not_applicable_in_both_languages():
    with translation.override("es"):
        rows = report_rows(_shown(), title="Programa")
        text = as_csv(rows).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["sección", "concepto", "inscritos", "culminaron", "porcentaje", "valor"]
    by_key = {row[1]: row for row in lines[1:]}
    assert lines[1][0] == "título"
    # Held back (withheld, unpublished) reads "—"; a column that does not apply is empty.
    assert by_key["solo inscritos"][2] == HELD_BACK and by_key["solo inscritos"][3] == ""
    assert by_key["contactos"][5] == HELD_BACK
    assert by_key["personas alcanzadas"][:4] == ["alcance", "personas alcanzadas", "12", "9"]
    assert by_key["multiplicador"][5] == "8.1"
    with translation.override("en"):
        text = as_csv(report_rows(_shown(), title="Program")).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["section", "key", "enrolled", "completed", "share", "extra"]
    assert ["reach", "merely enrolled", HELD_BACK, "", "", ""] in lines


def test_cascade_export_in_excel_spanish_writes_decimal_commas(coordinator_client, org):
    program = make_program(owner=org, name="Hombres")
    response = coordinator_client.get(
        reverse("web:cascade_export", args=[program.pk, "csv_es"]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'cascade-{program.pk}.csv"')
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "sección;concepto;inscritos;culminaron;porcentaje;valor"
    with translation.override("es"):
        rows = report_rows(_shown(), title="x")
    from cascada.imports.formats import EXCEL_ES

    excel = as_csv(rows, EXCEL_ES).decode("utf-8-sig")
    assert ";8,1\r\n" in excel
