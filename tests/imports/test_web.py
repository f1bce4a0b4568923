"""The web flow: upload, review the dry run, confirm or reject; and exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cascada.audit.models import AuditEvent
from cascada.imports.models import ImportJob
from cascada.registry.models import Person
from tests.accounts.factories import login_verified, make_user
from tests.jobs.support import jobs_inline
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

from .factories import csv_bytes, xlsx_bytes

GOOD = [
    ["nombres", "apellidos", "dni", "sexo"],
    ["Ficticio", "Uno", "10000001", "M"],
    ["Ficticia", "Dos", "10000002", "F"],
]
BAD = [*GOOD, ["", "Sin Nombre", "10000003", "marciano"]]


@pytest.fixture(autouse=True)
def _jobs_at_once(monkeypatch):
    """The check and the commit are background jobs; here they run at once (the queue,
    the worker and the progress page: tests/jobs/test_import_jobs.py)."""
    jobs_inline(monkeypatch)


def upload(client, org, rows=GOOD, kind="people", name="gente.csv", data=None):
    file = SimpleUploadedFile(
        name, data if data is not None else csv_bytes(rows), content_type="text/csv"
    )
    return client.post(
        reverse("web:import_start"), {"kind": kind, "organization": org.pk, "file": file}
    )


def test_upload_shows_the_dry_run_and_writes_nothing(coordinator_client, org):
    response = upload(coordinator_client, org, BAD)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "web:import_review", args=[job.pk]
    )
    page = coordinator_client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-row="4"' in body and "marciano" in body
    assert 'data-test="import-confirm-skip"' in body and 'data-test="import-confirm"' not in body
    assert Person.objects.count() == 0
    assert job.file  # kept until the user decides
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]


def test_confirm_imports_and_deletes_the_file(coordinator_client, org):
    upload(coordinator_client, org)
    job = ImportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    response = coordinator_client.post(
        reverse("web:import_review", args=[job.pk]), {"action": "confirm"}
    )
    # The commit is a background job: the page it goes back to shows the result.
    assert response.status_code == 302 and response.url == reverse(
        "web:import_review", args=[job.pk]
    )
    response = coordinator_client.get(response.url)
    assert response.status_code == 302 and response.url == reverse("web:import_done", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "confirmed" and job.created == 2 and not job.file
    assert not storage.exists(name)
    assert Person.objects.count() == 2
    done = coordinator_client.get(response.url)
    assert 'data-test="import-confirmed"' in done.content.decode()


def test_confirm_without_bad_rows(coordinator_client, org):
    upload(coordinator_client, org, BAD)
    job = ImportJob.objects.get()
    plain = coordinator_client.post(
        reverse("web:import_review", args=[job.pk]), {"action": "confirm"}
    )
    assert plain.status_code == 302 and Person.objects.count() == 0  # refused: file has errors
    coordinator_client.post(reverse("web:import_review", args=[job.pk]), {"action": "confirm_skip"})
    job.refresh_from_db()
    assert job.status == "confirmed" and Person.objects.count() == 2


def test_reject_deletes_the_file_and_imports_nothing(coordinator_client, org):
    upload(coordinator_client, org, BAD)
    job = ImportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    coordinator_client.post(reverse("web:import_review", args=[job.pk]), {"action": "reject"})
    job.refresh_from_db()
    assert job.status == "rejected" and not storage.exists(name)
    assert Person.objects.count() == 0
    again = coordinator_client.post(
        reverse("web:import_review", args=[job.pk]), {"action": "confirm_skip"}
    )
    assert again.status_code == 302 and Person.objects.count() == 0


def test_confirming_twice_imports_once(coordinator_client, org):
    upload(coordinator_client, org)
    job = ImportJob.objects.get()
    url = reverse("web:import_review", args=[job.pk])
    coordinator_client.post(url, {"action": "confirm"})
    coordinator_client.post(url, {"action": "confirm"})
    assert Person.objects.count() == 2


def test_uploading_the_same_file_twice_creates_no_duplicates(coordinator_client, org):
    for n in range(2):
        # Another name: the same form sent again within minutes is taken for a double send.
        upload(coordinator_client, org, name=f"gente-{n}.csv")
        job = ImportJob.objects.latest("pk")
        coordinator_client.post(reverse("web:import_review", args=[job.pk]), {"action": "confirm"})
    assert Person.objects.count() == 2
    assert ImportJob.objects.latest("pk").unchanged == 2


@pytest.mark.parametrize(
    "data",
    [b"", csv_bytes([["nombres"]]), b"\x00\x01binary\x00" * 40, csv_bytes([["apellidos"], ["X"]])],
    ids=["empty", "header-only", "binary", "missing-column"],
)
def test_unreadable_files_are_explained_not_server_errors(coordinator_client, org, data):
    response = upload(coordinator_client, org, data=data)
    if response.status_code == 400:  # Django refuses an empty upload itself
        assert "file" in response.content.decode().lower()
        return
    page = coordinator_client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-test="file-error"' in body
    assert 'data-test="import-confirm' not in body


def test_xlsx_upload(coordinator_client, org):
    data = xlsx_bytes(GOOD)
    upload(coordinator_client, org, data=data, name="gente.xlsx")
    job = ImportJob.objects.get()
    assert job.total_rows == 2 and job.error_count == 0


def test_cannot_upload_into_another_organization(coordinator_client, other_org):
    response = upload(coordinator_client, other_org)
    assert response.status_code == 400 and ImportJob.objects.count() == 0


def test_another_organizations_import_is_not_found(client, org, other_org):
    other = make_user(role="coordinator", organization=other_org)
    mine = make_user(role="coordinator", organization=org)
    login_verified(client, mine)
    upload(client, org)
    job = ImportJob.objects.get()
    client.logout()
    login_verified(client, other)
    assert client.get(reverse("web:import_review", args=[job.pk])).status_code == 404
    assert (
        client.post(reverse("web:import_review", args=[job.pk]), {"action": "confirm"}).status_code
        == 404
    )
    assert Person.objects.count() == 0


def test_facilitator_cannot_open_imports(client, org):
    facilitator = make_user(role="facilitator", organization=org)
    login_verified(client, facilitator)
    assert client.get(reverse("web:import_start")).status_code == 403


def test_import_pages_need_sign_in(client):
    response = client.get(reverse("web:import_start"))
    assert response.status_code == 302 and "login" in response.url


def test_start_page_renders(coordinator_client):
    response = coordinator_client.get(reverse("web:import_start"))
    assert response.status_code == 200 and 'id="import-form"' in response.content.decode()


# ---------------------------------------------------------------- exports


def test_export_people_csv_streams_and_is_audited(coordinator_client, org, other_org):
    make_person(organization=org, given_name="Ficticio", national_id="12345678")
    make_person(organization=other_org, given_name="Ajeno", national_id="87654321")
    response = coordinator_client.get(reverse("web:export_people"), {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["ID number"] for r in rows] == ["12345678"]
    assert AuditEvent.objects.filter(action="export", source="web").count() == 1


def test_export_enrolments_xlsx_for_a_cohort(coordinator_client, org):
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    enrol(cohort, make_person(organization=org))
    response = coordinator_client.get(
        reverse("web:export_enrolments"), {"format": "xlsx", "cohort": cohort.pk}
    )
    assert response.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content)), read_only=True
    ).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Code" and len(rows) == 2


def test_export_of_another_organizations_cohort_is_404(coordinator_client, other_org):
    cohort = make_cohort(program=make_program(owner=other_org), sessions=1)
    response = coordinator_client.get(reverse("web:export_attendance"), {"cohort": cohort.pk})
    assert response.status_code == 404


def test_export_needs_the_export_capability(client, org):
    facilitator = make_user(role="facilitator", organization=org)
    login_verified(client, facilitator)
    assert client.get(reverse("web:export_people")).status_code == 403
    assert client.get(reverse("web:export_start")).status_code == 403


def test_export_page_renders(coordinator_client, org):
    make_cohort(program=make_program(owner=org), sessions=1)
    response = coordinator_client.get(reverse("web:export_start"))
    assert response.status_code == 200 and 'id="export-people"' in response.content.decode()


def test_long_error_lists_are_capped_with_the_total(coordinator_client, org):
    rows = [["nombres", "sexo"], *[[f"Ficticio{i}", "??"] for i in range(1500)]]
    upload(coordinator_client, org, rows)
    job = ImportJob.objects.get()
    assert job.error_count == 1500 and len(job.errors) == 1000
    body = coordinator_client.get(reverse("web:import_review", args=[job.pk])).content.decode()
    assert 'data-test="errors-truncated"' in body and "1500" in body


def test_a_failure_while_confirming_keeps_the_dry_run_and_writes_nothing(
    coordinator_client, org, monkeypatch
):
    from cascada.core.errors import ApplicationError
    from cascada.registry import services

    upload(coordinator_client, org)
    job = ImportJob.objects.get()
    real, calls = services._person_build, {"n": 0}

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ApplicationError("disk full")
        return real(*args)

    monkeypatch.setattr(services, "_person_build", failing)
    response = coordinator_client.post(
        reverse("web:import_review", args=[job.pk]), {"action": "confirm"}, follow=True
    )
    assert Person.objects.count() == 0
    job.refresh_from_db()
    assert job.status == "validated" and job.file and not job.file_error
    assert "disk full" in response.content.decode()
    monkeypatch.setattr(services, "_person_build", real)
    coordinator_client.post(reverse("web:import_review", args=[job.pk]), {"action": "confirm"})
    assert Person.objects.count() == 2


def test_unconfirmed_uploads_are_deleted_after_a_day(coordinator_client, org):
    import datetime as dt

    from django.utils import timezone

    from cascada.imports.services import import_uploads_sweep

    upload(coordinator_client, org)
    job = ImportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    # (the tests' in-memory storage also holds files of earlier tests: look at jobs only)
    assert [s for s in import_uploads_sweep() if s.job_id] == []
    later = import_uploads_sweep(now=timezone.now() + dt.timedelta(hours=25))
    assert [(s.job_id, s.reason) for s in later if s.job_id] == [(job.pk, "expired")]
    job.refresh_from_db()
    assert job.status == "rejected" and not storage.exists(name)
