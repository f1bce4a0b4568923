"""Imports as background jobs: the upload and the confirmation return at once, the page
shows the progress (htmx polls a partial; without JS the page reloads itself), then the
row errors and the result; a second commit in the organization waits its turn."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cascada.imports.models import ImportJob
from cascada.jobs.models import Job, JobStatus
from cascada.registry.models import Person
from tests.jobs.support import people_csv, run_queued_jobs

pytestmark = pytest.mark.django_db


def upload(client, org, data, name="gente.csv"):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(
        reverse("web:import_start"), {"kind": "people", "organization": org.pk, "file": file}
    )


def test_the_upload_returns_before_the_check_and_the_page_shows_its_progress(
    coordinator_client, org
):
    response = upload(coordinator_client, org, people_csv(30))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == "uploaded" and job.total_rows == 0  # nothing checked in the request
    work = Job.objects.get()
    assert (work.kind, work.status, work.params) == (
        "import_dry_run",
        JobStatus.QUEUED,
        {"import_job": job.pk},
    )
    page = coordinator_client.get(response.url).content.decode()
    progress_url = reverse("web:import_progress", args=[job.pk])
    assert 'data-test="progress-bar"' in page
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page  # without JS: reloads itself
    partial = coordinator_client.get(progress_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content

    run_queued_jobs()  # the worker
    done = coordinator_client.get(progress_url, headers={"HX-Request": "true"})
    assert done.status_code == 200 and done.headers["HX-Refresh"] == "true"  # polling ends
    page = coordinator_client.get(response.url).content.decode()
    assert 'data-test="import-confirm"' in page and 'data-test="progress-bar"' not in page
    job.refresh_from_db()
    assert job.status == "validated" and job.total_rows == 30


def test_confirm_queues_the_commit_shows_progress_then_the_result(coordinator_client, org):
    upload(coordinator_client, org, people_csv(25))
    run_queued_jobs()
    job = ImportJob.objects.get()
    url = reverse("web:import_review", args=[job.pk])
    response = coordinator_client.post(url, {"action": "confirm"})
    assert response.status_code == 302 and response.url == url
    assert Person.objects.count() == 0  # nothing written in the request
    coordinator_client.post(url, {"action": "confirm"})  # a double tap: one commit
    assert Job.objects.filter(kind="import_commit").count() == 1
    assert 'data-test="progress-bar"' in coordinator_client.get(url).content.decode()
    run_queued_jobs()
    assert Person.objects.count() == 25
    final = coordinator_client.get(url, follow=True).content.decode()
    assert 'data-test="import-confirmed"' in final


def test_the_row_errors_show_after_the_check(coordinator_client, org):
    data = people_csv(3) + b"Sin,Sexo,40000099,marciano\r\n"
    upload(coordinator_client, org, data)
    run_queued_jobs()
    job = ImportJob.objects.get()
    page = coordinator_client.get(reverse("web:import_review", args=[job.pk])).content.decode()
    assert 'data-test="import-error" data-row="5"' in page


def test_a_second_commit_in_the_organization_waits_its_turn_with_a_message(coordinator_client, org):
    upload(coordinator_client, org, people_csv(5), name="a.csv")
    upload(coordinator_client, org, people_csv(5, start=100), name="b.csv")
    run_queued_jobs()
    first, second = ImportJob.objects.order_by("pk")
    for job in (first, second):
        coordinator_client.post(reverse("web:import_review", args=[job.pk]), {"action": "confirm"})
    commit_a, commit_b = Job.objects.filter(kind="import_commit").order_by("pk")
    from cascada.jobs.services import job_run

    assert job_run(commit_b.pk) == "skipped"  # the worker took the second one first
    page = coordinator_client.get(reverse("web:import_review", args=[second.pk])).content.decode()
    assert "Waiting for an earlier job of this organization to finish." in page
    assert job_run(commit_a.pk) == JobStatus.SUCCEEDED
    assert job_run(commit_b.pk) == JobStatus.SUCCEEDED
    assert Person.objects.count() == 10


def test_stop_while_the_check_waits_rejects_the_upload(coordinator_client, org):
    upload(coordinator_client, org, people_csv(5))
    job = ImportJob.objects.get()
    url = reverse("web:import_review", args=[job.pk])
    coordinator_client.post(url, {"action": "stop"})
    job.refresh_from_db()
    assert job.status == "rejected" and not job.file
    assert Job.objects.get().status == JobStatus.CANCELLED


def test_a_commit_refused_at_its_start_says_why_on_the_page(coordinator_client, org):
    data = people_csv(3) + b"Sin,Sexo,40000099,marciano\r\n"
    upload(coordinator_client, org, data)
    run_queued_jobs()
    job = ImportJob.objects.get()
    url = reverse("web:import_review", args=[job.pk])
    coordinator_client.post(url, {"action": "confirm"})  # errors, and not "leave them out"
    run_queued_jobs()
    page = coordinator_client.get(url).content.decode()
    # In the language of the user who asked (the job ran as them): Spanish by default.
    assert 'data-test="work-problem"' in page and "El archivo tiene errores" in page
    assert Person.objects.count() == 0


def test_another_organizations_import_progress_is_not_found(client, org, other_org):
    from tests.accounts.factories import login_verified, make_user

    mine = make_user(role="coordinator", organization=org)
    login_verified(client, mine)
    upload(client, org, people_csv(2))
    job = ImportJob.objects.get()
    outsider = make_user(role="coordinator", organization=other_org)
    client.logout()
    login_verified(client, outsider)
    assert client.get(reverse("web:import_progress", args=[job.pk])).status_code == 404
