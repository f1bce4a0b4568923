"""The upload form and the CLI let the user name the sheet of a workbook to read."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from cascada.imports.models import ImportJob
from cascada.registry.models import Identity
from tests.jobs.support import jobs_inline

PEOPLE = [["nombres", "apellidos", "dni"], ["Ana", "Quispe", "12345678"]]
OTHER = [["nombres", "apellidos", "dni"], ["Luis", "Mamani", "23456789"]]


def book() -> bytes:
    workbook = Workbook()
    first = workbook.active
    first.title = "Lima"
    for row in PEOPLE:
        first.append(row)
    second = workbook.create_sheet("Cusco")
    for row in OTHER:
        second.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def names() -> list[str]:
    return sorted(i.given_name for i in Identity.objects.all())


@pytest.fixture(autouse=True)
def _jobs_at_once(monkeypatch):
    jobs_inline(monkeypatch)


def upload(client, org, sheet):
    file = SimpleUploadedFile("lista.xlsx", book())
    return client.post(
        reverse("web:import_start"),
        {"kind": "people", "organization": org.pk, "file": file, "sheet": sheet},
    )


def test_the_upload_form_reads_the_sheet_named(coordinator_client, org):
    form = coordinator_client.get(reverse("web:import_start")).content.decode()
    assert 'name="sheet"' in form
    upload(coordinator_client, org, "Cusco")
    job = ImportJob.objects.get()
    assert job.sheet == "Cusco" and job.total_rows == 1 and job.created == 1
    review = coordinator_client.get(reverse("web:import_review", args=[job.pk])).content.decode()
    assert "Cusco" in review


def test_the_upload_form_names_the_sheets_when_the_name_is_wrong(coordinator_client, org):
    upload(coordinator_client, org, "Arequipa")
    job = ImportJob.objects.get()
    assert job.file_error["code"] == "unknown_sheet" and not job.can_confirm
    assert "“Lima”" in job.file_error_text and "“Cusco”" in job.file_error_text


def test_the_cli_reads_the_sheet_named(coordinator, org, tmp_path):
    path = tmp_path / "lista.xlsx"
    path.write_bytes(book())
    args = ["import_people", str(path), "--organization", org.pk, "--as", coordinator.username]
    call_command(*args, "--sheet", "Cusco", "--commit", stdout=io.StringIO())
    assert names() == ["Luis"]
    call_command(*args, "--commit", stdout=io.StringIO())  # the first sheet that fits
    assert names() == ["Ana", "Luis"]
    with pytest.raises(CommandError) as error:
        call_command(*args, "--sheet", "Puno", stdout=io.StringIO(), stderr=io.StringIO())
    assert "“Puno”" in str(error.value) and "“Cusco”" in str(error.value)
