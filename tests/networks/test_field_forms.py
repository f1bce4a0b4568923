"""Recorded in the field (issue 10): a network's actions as an XLSForm for ODK Collect and
KoboCollect, checked by pyxform and ODK Validate (Java); the exports of its submissions
from ODK Central and KoboToolbox, written as the tools write them
(../shared/standards/FORMATS.md), checked row by row without writing anything, then
imported by background jobs, each submission once however often it is imported; a messy
file from a Spanish Excel; scope (S2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from cascada.accounts.roles import Role
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.imports.models import ImportStatus
from cascada.networks import importers, xlsform
from cascada.networks.models import ActionUpload, CommunityAction, Membership, Network
from cascada.networks.services import plan_revise
from cascada.registry.models import Place
from tests.accounts.factories import login_verified, make_user
from tests.jobs.support import run_queued_jobs
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db


YEAR = 2026
XF = "{http://www.w3.org/2002/xforms}"
ES, EN = "Español (es)", "English (en)"
PLAN = [
    {"key": "feria-may", "kind": "fair", "title": "Feria por el buen trato", "month": 5,
     "expected_reach": 200},
    {"key": "taller-jun", "kind": "workshop", "title": "Taller de masculinidades", "month": 6,
     "expected_reach": 25},
]  # fmt: skip
HEADCOUNTS = ["women", "men", "young_women", "young_men", "children", "not_stated"]
UUID_1 = "0c6a1b2e-5f4d-4e8a-9b71-3d2f1a0e9c41"
UUID_2 = "7f3e9d10-2a4b-4c6d-8e0f-1a2b3c4d5e6f"
UUID_3 = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def network(org):
    lima = Place.objects.get(country="PE", code="1501")  # the province: its districts too
    network = Network.objects.create(
        organization=org,
        name="Red Municipal de Promotores de Carmen de la Legua",
        kind="municipal",
        place=lima,
    )
    plan_revise(actor=None, network=network, year=YEAR, activities=PLAN,
                approved_on=dt.date(YEAR, 3, 10))  # fmt: skip
    return network


@pytest.fixture
def coordinator(org):
    return make_user(organization=org, role=Role.COORDINATOR)


# ---------------------------------------------------------------- the form


def test_the_form_passes_odk_validate_bilingual_with_the_plan_and_places(network):
    xml = xlsform.xform_xml(network, validate=True, year=YEAR)  # ODK Validate through Java
    root = ET.fromstring(xml)
    # form_id names the network; the version is set.
    data = next(e for e in root.iter() if e.get("id") == f"cascada_red_{network.pk}")
    assert data.get("version", "").startswith("v")
    texts = {
        t.get("lang"): {"".join(v.itertext()) for v in t.iter(f"{XF}value")}
        for t in root.iter(f"{XF}translation")
    }
    assert {"Fecha de la acción", "Taller o clase", "Feria por el buen trato (mayo)"} <= texts[ES]
    assert {"Date of the action", "Workshop or class", "Feria por el buen trato (May)"} <= texts[EN]
    binds = {b.get("nodeset"): b.attrib for b in root.iter(f"{XF}bind")}
    men = next(v for k, v in binds.items() if k.endswith("/reach/men"))
    assert men["type"] == "int" and ". >= 0" in men["constraint"] and men["required"] == "true()"
    calculate = next(v for k, v in binds.items() if k.endswith("/cascada_network"))
    assert calculate["calculate"] == str(network.pk)

    rows = xlsform.xlsform_rows(network, year=YEAR)
    planned = [c["name"] for c in rows["choices"] if c["list_name"] == xlsform.PLANNED_LIST]
    assert planned == ["feria-may", "taller-jun", "unplanned"]
    kinds = [c["name"] for c in rows["choices"] if c["list_name"] == xlsform.KIND_LIST]
    assert kinds == ["workshop", "talk", "fair", "campaign", "commemoration", "media",
                     "home_visit", "other"]  # fmt: skip
    places = [c["name"] for c in rows["choices"] if c["list_name"] == xlsform.PLACE_LIST]
    assert places[0] == "1501" and "150101" in places and places[-1] == "other"


def test_the_workbook_converts_to_the_same_form_without_warnings(network):
    data = xlsform.actions_xlsform_xlsx(network, year=YEAR)
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    settings = list(book["settings"].iter_rows(values_only=True))
    assert settings[1][1] == f"cascada_red_{network.pk}" and settings[1][3] == ES
    warnings: list[str] = []
    assert convert(xlsform=data, warnings=warnings).xform == xlsform.xform_xml(network, year=YEAR)
    assert warnings == []


def test_the_version_changes_with_the_plan_and_a_network_without_place_asks_in_words(org):
    bare = Network.objects.create(organization=org, name="Colectivo", kind="reflection")
    first = xlsform.xlsform_rows(bare, year=YEAR)
    assert [r["name"] for r in first["survey"] if r["name"].startswith("place")] == ["place_text"]
    assert [c["name"] for c in first["choices"] if c["list_name"] == "cascada_planned"] == [
        "unplanned"
    ]
    assert "cascada_red" in xlsform.xform_xml(bare, validate=False, year=YEAR)
    plan_revise(actor=None, network=bare, year=YEAR, activities=PLAN[:1],
                approved_on=dt.date(YEAR, 4, 1))  # fmt: skip
    second = xlsform.xlsform_rows(bare, year=YEAR)
    assert first["settings"][0]["version"] != second["settings"][0]["version"]


# ---------------------------------------------------------------- exports, as the tools write them

FORM = ["date", "kind", "title", "planned", "place", "place_text", "audience"]


def action(n, key, **values):
    row = {
        "date": f"{YEAR}-05-1{n}",
        "kind": "fair",
        "title": f"Feria en el parque {n}",
        "planned": "feria-may",
        "place": "150101",
        "audience": "Familias",
        "women": "30",
        "men": "20",
        "young_women": "5",
        "young_men": "4",
        "children": "10",
        "not_stated": "0",
        "materials": "100",
        "notes": "",
        "key": key,
    }
    row.update(values)
    return row


def odk_csv(network, rows):
    """ODK Central's submissions.csv: ``,``, SubmissionDate first, groups joined by ``-``,
    then KEY … FormVersion."""
    headers = ["SubmissionDate", *FORM, *[f"reach-{h}" for h in HEADCOUNTS], "materials",
               "notes", "cascada_network", "meta-instanceID", "KEY", "SubmitterID",
               "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
               "ReviewState", "DeviceID", "Edits", "FormVersion"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        values = {
            **{h: row.get(h, "") for h in FORM + ["materials", "notes"]},
            **{f"reach-{h}": row[h] for h in HEADCOUNTS},
            "SubmissionDate": f"{YEAR}-05-20T14:02:11.000Z",
            "cascada_network": str(row.get("network", network.pk)),
            "meta-instanceID": f"uuid:{row['key']}",
            "KEY": f"uuid:{row['key']}",
            "SubmitterID": "5",
            "SubmitterName": "promotor1",
            "AttachmentsPresent": "0",
            "AttachmentsExpected": "0",
            "DeviceID": "collect:Xk2",
            "Edits": row.get("edits", "0"),
            "FormVersion": "v1a2b3c4d",
        }
        writer.writerow([values.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "meta/rootUuid", "_index"]  # fmt: skip


def kobo_headers():
    return ["start", "end", *FORM, *[f"reach/{h}" for h in HEADCOUNTS], "materials", "notes",
            "cascada_network", *KOBO_META]  # fmt: skip


def kobo_values(network, n, row, typed=False):
    date = row["date"]
    if typed:  # Kobo's XLSX with types: dates and numbers as Excel cells
        date = dt.datetime.fromisoformat(date)
    values = {
        "start": f"{YEAR}-05-1{n}T09:01:02.000-05:00",
        "end": f"{YEAR}-05-1{n}T09:12:40.000-05:00",
        **{h: row.get(h, "") for h in FORM + ["materials", "notes"]},
        **{f"reach/{h}": (int(row[h]) if typed else row[h]) for h in HEADCOUNTS},
        "date": date,
        "cascada_network": str(row.get("network", network.pk)),
        "_id": 1000 + n,
        "_uuid": row["key"],
        "_submission_time": f"{YEAR}-05-20T19:02:11",
        "_status": "submitted_via_web",
        "_submitted_by": "promotor1",
        "__version__": "vXoP3a",
        "meta/rootUuid": f"uuid:{row['key']}",
        "_index": n,
    }
    return [values.get(h, "") for h in kobo_headers()]


def kobo_xlsx(network, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "Acciones · Red Municipal de Pr"  # the form's title, cut to 31
    sheet.append(kobo_headers())
    for n, row in enumerate(rows, 1):
        sheet.append(kobo_values(network, n, row, typed=True))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def spanish_excel_csv(network, rows):
    """A Kobo CSV opened and saved again by Excel in Spanish: ``;``, Windows-1252, dates
    day first."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(kobo_headers())
    for n, row in enumerate(rows, 1):
        values = kobo_values(network, n, row)
        date = dt.date.fromisoformat(row["date"])
        values[kobo_headers().index("date")] = date.strftime("%d/%m/%Y")
        writer.writerow(values)
    return out.getvalue().encode("cp1252")


def upload(user, network, data, name):
    record = importers.upload_actions(
        actor=user, network=network, upload=SimpleUploadedFile(name, data), filename=name
    )
    run_queued_jobs()
    record.refresh_from_db()
    return record


def confirm(user, record, **kw):
    importers.import_confirm(actor=user, record=record, **kw)
    run_queued_jobs()
    record.refresh_from_db()
    return record


# ---------------------------------------------------------------- importing


@pytest.mark.parametrize("tool", ["odk", "kobo"])
def test_two_submissions_import_as_two_actions_and_once_however_often(tool, network, coordinator):
    rows = [
        action(1, UUID_1),
        action(2, UUID_2, kind="workshop", planned="unplanned", place="other",
               place_text="Colegio Fe y Alegría", women="0", men="18", materials="0"),
    ]  # fmt: skip
    data, name = (
        (odk_csv(network, rows), "submissions.csv")
        if tool == "odk"
        else (kobo_xlsx(network, rows), "acciones.xlsx")
    )
    record = upload(coordinator, network, data, name)
    assert (record.status, record.source, record.rows) == (ImportStatus.VALIDATED, tool, 2)
    assert (record.usable, record.created, record.problem_count) == (2, 2, 0)
    assert not CommunityAction.objects.exists()  # the check writes nothing

    record = confirm(coordinator, record)
    assert (record.status, record.created, record.unchanged) == (ImportStatus.CONFIRMED, 2, 0)
    assert not record.file  # the export is not kept (S13)
    fair = CommunityAction.objects.get(client_key=UUID_1)
    assert (fair.date, fair.kind, fair.planned_key, fair.place.code) == (
        dt.date(YEAR, 5, 11), "fair", "feria-may", "150101"
    )  # fmt: skip
    counts = (fair.women, fair.men, fair.children, fair.materials, fair.reach)
    assert counts == (30, 20, 10, 100, 69)
    assert fair.recorded_by == coordinator
    talk = CommunityAction.objects.get(client_key=UUID_2)
    assert (talk.planned_key, talk.place, talk.men) == ("", None, 18)
    assert "Colegio Fe y Alegría" in talk.notes

    again = upload(coordinator, network, data, name)
    assert (again.usable, again.created, again.unchanged) == (2, 0, 2)
    again = confirm(coordinator, again)
    assert (again.created, again.unchanged) == (0, 2)
    assert CommunityAction.objects.filter(network=network).count() == 2


def test_an_edited_submission_is_read_once_in_its_latest_version(network, coordinator):
    """ODK Central keeps the KEY of the first version; the row with the most Edits wins."""
    rows = [action(1, UUID_1, men="5", edits="1"), action(1, UUID_1, men="7", edits="0")]
    record = upload(coordinator, network, odk_csv(network, rows), "submissions.csv")
    assert (record.rows, record.usable) == (2, 1)
    confirm(coordinator, record)
    assert CommunityAction.objects.get().men == 5


def test_a_messy_spanish_excel_file_says_row_and_column_and_writes_nothing_half(
    network, coordinator, client
):
    rows = [
        action(1, UUID_1),  # good
        action(2, UUID_2, men="tres"),
        action(3, UUID_3, women="-4", kind="picnic"),
        action(4, "b1b2c3d4-0000-4000-8000-000000000004", planned="charla-sep"),
    ]
    record = upload(coordinator, network, spanish_excel_csv(network, rows), "acciones.csv")
    assert record.status == ImportStatus.VALIDATED and not record.file_problem
    found = {(p["row"], p["column"], p["code"]) for p in record.problems}
    assert found == {
        (3, "reach/men", "bad_number"),
        (4, "reach/women", "bad_headcount"),
        (4, "kind", "unknown_kind"),
        (5, "planned", "not_in_plan"),
    }
    assert (record.usable, record.problem_count) == (1, 4)

    # Problems are not imported unless the user leaves those rows out.
    with pytest.raises(ApplicationError):
        importers.import_confirm(actor=coordinator, record=record)
    assert not CommunityAction.objects.exists()

    # The report, in Spanish: row, column, why.
    login_verified(client, coordinator)
    report = reverse("web:network_field_report", args=[record.pk])
    page = client.get(report, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "“tres” no es un número entero." in page and "reach/men" in page

    confirm(coordinator, record, skip_problems=True)
    assert list(CommunityAction.objects.values_list("client_key", flat=True)) == [UUID_1]


def test_a_bad_date_and_a_submission_of_another_network(network, coordinator, org):
    other = Network.objects.create(organization=org, name="Otra red", kind="municipal")
    rows = [
        action(1, UUID_1, date="31/02/2026"),
        action(2, UUID_2, network=other.pk),
        action(3, UUID_3, date=f"{dt.date.today().year + 1}-01-01"),
    ]
    record = upload(coordinator, network, odk_csv(network, rows), "submissions.csv")
    found = {(p["row"], p["column"], p["code"]) for p in record.problems}
    assert found == {
        (2, "date", "bad_date"),
        (3, "cascada_network", "other_network"),
        (4, "date", "future_date"),
    }
    assert record.problems[1]["params"]["value"] == f"cascada_red_{other.pk}"


def test_the_export_of_another_form_is_refused_as_a_whole(network, coordinator):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("cascada_red_999999.csv", odk_csv(network, [action(1, UUID_1)]))
    record = upload(coordinator, network, archive.getvalue(), "submissions.csv.zip")
    assert record.file_problem["code"] == "other_form" and record.usable == 0
    with pytest.raises(ApplicationError):
        importers.import_confirm(actor=coordinator, record=record)

    # ODK Central's ZIP of this network's form reads as its CSV.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"cascada_red_{network.pk}.csv", odk_csv(network, [action(1, UUID_1)]))
    assert upload(coordinator, network, archive.getvalue(), "x.zip").usable == 1

    measurement = upload(coordinator, network, b"consent,participant_code\nyes,ABC\n", "gem.csv")
    assert measurement.file_problem["code"] == "missing_columns"


def test_a_promoter_records_but_the_import_job_needs_a_role_in_the_organization(network, org):
    """Promoters may download the form (``may_record``); asking for an import job needs
    ``Cap.IMPORT`` in the network's organization, which the job machinery checks again."""
    person = make_person(organization=org)
    Membership.objects.create(network=network, person=person, joined_on=dt.date(YEAR, 1, 10))
    promoter = make_user(person=person)
    assert not importers.may_import(promoter, network)
    with pytest.raises(PermissionDeniedError):
        importers.upload_actions(actor=promoter, network=network,
                                 upload=SimpleUploadedFile("a.csv", b"x"), filename="a.csv")  # fmt: skip
    assert not ActionUpload.objects.exists()


# ---------------------------------------------------------------- pages and scope (S2)


def test_the_pages_download_upload_check_and_import(network, coordinator, client, monkeypatch):
    from tests.jobs.support import jobs_inline

    jobs_inline(monkeypatch, "cascada.networks.importers")
    login_verified(client, coordinator)
    response = client.get(reverse("web:network_field_xlsform", args=[network.pk]))
    assert response.status_code == 200
    assert f"cascada-red-{network.pk}" in response["Content-Disposition"]
    assert convert(xlsform=response.content).xform

    page = client.get(reverse("web:network_field_upload", args=[network.pk]))
    assert page.status_code == 200 and b'name="form_token"' in page.content
    data = odk_csv(network, [action(1, UUID_1), action(2, UUID_2)])
    token = "t0k3n-field-upload-0001"
    send = {"file": SimpleUploadedFile("submissions.csv", data), "form_token": token}
    response = client.post(reverse("web:network_field_upload", args=[network.pk]), send)
    record = ActionUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:network_field_report", args=[record.pk]
    )
    report = reverse("web:network_field_report", args=[record.pk])
    for _twice in range(2):  # a double tap imports once
        client.post(report, {"action": "import", "form_token": "t0k3n-field-confirm-0001"})
    record.refresh_from_db()
    assert record.status == ImportStatus.CONFIRMED and record.created == 2
    assert CommunityAction.objects.count() == 2
    assert ActionUpload.objects.count() == 1


def test_another_organization_gets_404_on_every_route(network, coordinator, other_org, client):
    record = upload(coordinator, network, odk_csv(network, [action(1, UUID_1)]), "s.csv")
    outsider = make_user(organization=other_org, role=Role.COORDINATOR)
    login_verified(client, outsider)
    routes = [
        reverse("web:network_field_xlsform", args=[network.pk]),
        reverse("web:network_field_upload", args=[network.pk]),
        reverse("web:network_field_report", args=[record.pk]),
    ]
    for url in routes:
        assert client.get(url).status_code == 404, url
    for url in routes[1:]:  # the forms
        send = {"action": "import", "file": SimpleUploadedFile("s.csv", b"x")}
        assert client.post(url, send).status_code == 404, url
    record.refresh_from_db()
    assert record.status == ImportStatus.VALIDATED and not CommunityAction.objects.exists()


def test_a_viewer_of_the_organization_sees_the_network_but_may_not_import(network, org, client):
    viewer = make_user(organization=org, role=Role.VIEWER)
    login_verified(client, viewer)
    assert client.get(reverse("web:network_field_xlsform", args=[network.pk])).status_code == 403
    assert client.get(reverse("web:network_field_upload", args=[network.pk])).status_code == 403
