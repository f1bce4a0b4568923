"""Importing the directory of services (kind ``services``) from the spreadsheets offices
really keep: Spanish headers with accents and spaces, a hidden old sheet, kinds written as
people say them, ubigeos that lost their leading zero, district names, "Nacional"."""

from __future__ import annotations

from typing import Any

import pytest

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.core.errors import PermissionDeniedError
from cascada.imports.messages import describe
from cascada.imports.services import import_run
from cascada.safeguarding.importers import service_kind
from cascada.safeguarding.models import Service, ServiceKind
from tests.accounts.factories import make_user
from tests.imports.factories import csv_bytes, stream, workbook

HEADERS = [
    "N°",
    "Nombre del servicio",
    "Tipo",
    "Teléfono",
    "Otro teléfono",
    "Horario de atención",
    "Dirección",
    "¿Qué atiende?",
    "Ubigeo",
    "Distrito",
    "Provincia",
    "Activo",
]
ROWS = [
    # a number cell that lost the leading zero of 070103; an invisible space in the name
    [1, "CEM Carmen de la Legua\u200b Reynoso", "Centro Emergencia Mujer", "01 452 1120", "",
     "Lunes a viernes 8:00-16:15", "Av. Ficticia 123", "Violencia familiar y sexual", 70103,
     "", "", "Sí"],
    [2, "Línea 100", "línea 100", 100, "", "24 horas", "", "Orientación", "Nacional", "", "",
     "si"],
    [3, "Comisaría de Carmen de la Legua", "Comisaría PNP", "01 452 3388", "105", "24 horas",
     "Jr. Inventado 45", "Denuncias", "", "Carmen de la Legua Reynoso", "Callao", "SI"],
    [4, "Centro de Salud Mental Comunitario Callao", "CSMC", "01 429 0000", "", "", "", "",
     "", "CALLAO", "Callao", "no"],
    [5, "DEMUNA Callao", "Defensoría del Niño", "01 420 1111", "", "", "", "", 70101, "", "",
     ""],
]  # fmt: skip


OLD = [["Nombre", "Tipo", "Teléfono"], ["CEM que ya cerró", "CEM", "01 000 0000"]]


def directory_file(rows: list[list[Any]] | None = None) -> bytes:
    """The directory as an office sends it: an old list on a hidden first sheet."""
    return workbook(
        ("Antiguo", OLD, "hidden"), ("Directorio", [HEADERS, *(rows or ROWS)], "visible")
    )


def run(user, org, data, **kw):
    return import_run(actor=user, organization=org, kind="services", stream=stream(data), **kw)


def errors(report) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["code"]) for e in report.errors]


def directory() -> dict[str, Service]:
    return {s.name: s for s in Service.objects.select_related("place")}


def test_a_dry_run_reads_the_visible_sheet_and_writes_nothing(coordinator, org):
    report = run(coordinator, org, directory_file())
    assert report.ok, report.error_rows()
    assert report.sheet == "Directorio" and report.created == 5 and not report.written
    assert not Service.objects.exists()


def test_the_commit_writes_what_people_wrote_as_the_directory(coordinator, org):
    report = run(coordinator, org, directory_file(), commit=True)
    assert report.written and report.created == 5, report.error_rows()
    found = directory()
    assert set(found) == {
        "CEM Carmen de la Legua Reynoso",  # the invisible character is gone
        "Línea 100",
        "Comisaría de Carmen de la Legua",
        "Centro de Salud Mental Comunitario Callao",
        "DEMUNA Callao",
    }
    cem = found["CEM Carmen de la Legua Reynoso"]
    assert (cem.kind, cem.place.code, cem.phone) == ("cem", "070103", "01 452 1120")
    assert cem.hours == "Lunes a viernes 8:00-16:15" and cem.takes == "Violencia familiar y sexual"
    line = found["Línea 100"]
    assert (line.kind, line.place, line.country, line.phone) == ("helpline", None, "PE", "100")
    police = found["Comisaría de Carmen de la Legua"]
    assert (police.kind, police.place.code, police.phone_other) == ("police", "070103", "105")
    csmc = found["Centro de Salud Mental Comunitario Callao"]
    assert (csmc.kind, csmc.place.code, csmc.active) == ("mental_health", "070101", False)
    demuna = found["DEMUNA Callao"]
    assert (demuna.kind, demuna.place.code, demuna.active) == ("children", "070101", True)
    assert not Service.objects.filter(name="CEM que ya cerró").exists()  # the hidden sheet
    assert AuditEvent.objects.filter(action="safeguarding.service_create").count() == 5


def test_importing_the_same_file_again_changes_nothing(coordinator, org):
    data = directory_file()
    run(coordinator, org, data, commit=True)
    before = (list(Service.objects.values().order_by("pk")), AuditEvent.objects.count())
    again = run(coordinator, org, data, commit=True)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert list(Service.objects.values().order_by("pk")) == before[0]
    assert not AuditEvent.objects.filter(action="safeguarding.service_update").exists()


def test_a_service_is_matched_by_its_name_and_updated(coordinator, org):
    run(coordinator, org, directory_file(), commit=True)
    cem_id = Service.objects.get(kind="cem").pk
    changed = [list(r) for r in ROWS]
    changed[0][1] = "CEM CARMEN DE LA LEGUA REYNOSO"  # the same service, in capitals
    changed[0][3] = "01 452 9999"
    changed[3][11] = "Sí"  # the mental health centre opens again
    report = run(coordinator, org, directory_file(changed), commit=True)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 3), report.error_rows()
    cem = Service.objects.get(pk=cem_id)
    assert (cem.name, cem.phone) == ("CEM CARMEN DE LA LEGUA REYNOSO", "01 452 9999")
    assert Service.objects.get(kind="mental_health").active
    assert Service.objects.count() == 5


def test_a_file_without_a_column_keeps_what_the_directory_holds(coordinator, org):
    run(coordinator, org, directory_file(), commit=True)
    data = csv_bytes([["nombre", "tipo", "telefono"], ["Línea 100", "Línea 100", "100"]])
    report = run(coordinator, org, data, commit=True)
    assert report.unchanged == 1 and report.updated == 0
    assert Service.objects.get(name="Línea 100").hours == "24 horas"


def test_english_headers_and_the_kinds_own_names(coordinator, org):
    data = csv_bytes(
        [
            ["name", "kind", "phone", "hours", "address", "takes", "place_code", "active"],
            [
                "Women's centre",
                "cem",
                "01 111 2222",
                "24h",
                "Street 1",
                "Violence",
                "150101",
                "yes",
            ],
            ["Police emergencies", "police", "105", "24h", "", "", "", "no"],
        ]
    )
    report = run(coordinator, org, data, commit=True)
    assert report.written, report.error_rows()
    assert sorted(Service.objects.values_list("name", "kind", "active")) == [
        ("Police emergencies", "police", False),
        ("Women's centre", "cem", True),
    ]


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("CEM", ServiceKind.CEM),
        ("Centro Emergencia Mujer", ServiceKind.CEM),
        ("Línea 100", ServiceKind.HELPLINE),
        ("comisaría", ServiceKind.POLICE),
        ("Policía Nacional del Perú", ServiceKind.POLICE),
        ("FELCV", ServiceKind.FELCV),
        ("SLIM", ServiceKind.SLIM),
        ("DEMUNA", ServiceKind.CHILDREN),
        ("DNA", ServiceKind.CHILDREN),
        ("Defensoría del Niño y del Adolescente", ServiceKind.CHILDREN),
        ("Centro de Salud", ServiceKind.HEALTH),
        ("posta", ServiceKind.HEALTH),
        ("Salud mental", ServiceKind.MENTAL_HEALTH),
        ("CSMC", ServiceKind.MENTAL_HEALTH),
        ("Centro de Salud Mental Comunitario", ServiceKind.MENTAL_HEALTH),
        ("Defensoría del Pueblo", ServiceKind.OMBUDSMAN),
        ("Casa de acogida", ServiceKind.SHELTER),
        ("Hogar Refugio Temporal", ServiceKind.SHELTER),
        ("Fiscalía de Familia", ServiceKind.PROSECUTOR),
        ("Ministerio Público", ServiceKind.PROSECUTOR),
        ("Otro", ServiceKind.OTHER),
        ("mental_health", ServiceKind.MENTAL_HEALTH),
        ("  CEM\u00a0", ServiceKind.CEM),
        ("Panadería", None),
        ("", None),
    ],
)
def test_kinds_as_people_write_them(written, kind):
    assert service_kind(written) == kind


def test_each_bad_row_says_which_field_and_why_and_nothing_is_written(coordinator, org):
    rows = [
        [1, "", "CEM", "01 452 1120", "", "", "", "", 70103, "", "", ""],
        [2, "Servicio raro", "Panadería", "01 452 1120", "", "", "", "", 70103, "", "", ""],
        [3, "Sin número", "CEM", "no tiene", "", "", "", "", 70103, "", "", ""],
        [4, "En ninguna parte", "CEM", "01 452 1120", "", "", "", "", 999999, "", "", ""],
        [5, "Santa Rosa sin provincia", "CEM", "01 452 1120", "", "", "", "", "", "Santa Rosa",
         "", ""],
        [6, "Lugar inventado", "CEM", "01 452 1120", "", "", "", "", "", "Villa Ficticia", "",
         ""],
        [7, "CEM Callao", "CEM", "01 452 1120", "", "", "", "", 70101, "", "", ""],
        [8, "cem callao", "CEM", "01 452 1121", "", "", "", "", 70101, "", "", ""],
        [9, "Estado raro", "CEM", "01 452 1122", "", "", "", "", 70101, "", "", "quizás"],
        [10, "Sin tipo", "", "01 452 1123", "", "", "", "", 70101, "", "", ""],
    ]  # fmt: skip
    report = run(coordinator, org, directory_file(rows), commit=True)
    assert errors(report) == [
        (2, "Nombre del servicio", "required"),
        (3, "Tipo", "unknown_service_kind"),
        (4, "Teléfono", "phone_without_digits"),
        (5, "Ubigeo", "unknown_place"),
        (6, "Distrito", "ambiguous_place"),
        (7, "Distrito", "unknown_place_name"),
        (9, "Nombre del servicio", "duplicate_service"),
        (10, "Activo", "bad_active"),
        (11, "Tipo", "required"),
    ]
    texts = {row: text for row, _column, text in report.error_rows()}
    assert "Panadería" in texts[3] and "no tiene" in texts[4] and "999999" in texts[5]
    assert "province" in texts[6] and "Villa Ficticia" in texts[7] and "row 8" in texts[9]
    assert not report.written and not Service.objects.exists()


def test_a_kind_brings_its_messages():
    assert describe("unknown_service_kind", {"value": "Panadería"}).startswith(
        "Unknown kind of service “Panadería”"
    )


def test_a_facilitator_cannot_import_the_directory(org):
    facilitator = make_user(role=Role.FACILITATOR, organization=org)
    with pytest.raises(PermissionDeniedError):
        run(facilitator, org, directory_file())


def test_a_bolivian_directory_reads_municipalities_by_name(other_org):
    other_org.country = "BO"
    other_org.save()
    user = make_user(role=Role.COORDINATOR, organization=other_org)
    data = csv_bytes(
        [
            ["Nombre", "Tipo", "Teléfono", "Código de lugar", "Municipio", "Departamento"],
            ["SLIM El Alto", "SLIM", "2 555 0111", "", "El Alto", "La Paz"],
            ["FELCV La Paz", "FELCV", "2 555 0122", "", "Nuestra Señora de La Paz", ""],
            ["FELCV El Alto", "FELCV", "2 555 0133", "20105", "", ""],  # Excel ate the 0
            ["Policía", "Policía", "110", "", "Nacional", ""],
            ["Defensoría de la Niñez La Paz", "DNA", "2 555 0144", "", "", "La Paz"],
        ],
        delimiter=";",
    )
    report = run(user, other_org, data, commit=True)
    assert report.written, report.error_rows()
    places = dict(Service.objects.values_list("name", "place__code"))
    assert places == {
        "SLIM El Alto": "020105",
        "FELCV La Paz": "020101",
        "FELCV El Alto": "020105",
        "Policía": None,
        "Defensoría de la Niñez La Paz": "02",  # a department's service
    }
    assert set(Service.objects.values_list("country", flat=True)) == {"BO"}
