"""A commit writes in batches, each with the ledger; a killed commit resumes; one commit
at a time per organization and kind; a commit never starts on a file with errors
(docs/decisions/import-jobs.md)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError
from cascada.imports import runner
from cascada.imports.models import ImportJob, ImportStatus
from cascada.imports.services import (
    import_blocker,
    import_commit,
    import_dry_run,
    import_job_confirm,
    import_job_create,
    import_job_reject,
    import_job_stop,
    import_job_store,
    import_may_start,
)
from cascada.registry import importers
from cascada.registry.models import Person
from tests.registry.factories import make_person

from .factories import csv_bytes

HEADERS = ["nombres", "apellidos", "dni", "sexo"]


def people(n, start=0):
    return [HEADERS] + [
        [f"Ficticio{i}", "Prueba", f"7{i:07d}", "M" if i % 2 else "F"]
        for i in range(start, start + n)
    ]


def upload(user, org, rows, kind="people", name="lista.csv"):
    return import_job_create(
        actor=user,
        organization=org,
        kind=kind,
        upload=SimpleUploadedFile(name, csv_bytes(rows)),
    )


@pytest.fixture
def batch_of_4(monkeypatch):
    monkeypatch.setattr(runner, "BATCH", 4)


def ledger(job):
    """What another process reads: the row as committed, not the runner's copy."""
    return ImportJob.objects.filter(pk=job.pk).values_list("status", "rows_done", "last_row").get()


class Killed(BaseException):
    """Stands for kill -9: nothing in the commit catches it, no cleanup runs."""


def test_a_commit_writes_batch_by_batch_and_its_ledger_is_read_between(
    coordinator, org, batch_of_4
):
    job = upload(coordinator, org, people(10))
    assert job.status == ImportStatus.VALIDATED and job.total_rows == 10
    seen = []

    def progress(done, total):
        seen.append((done, total, ledger(job), Person.objects.count()))

    job = import_commit(actor=coordinator, job=job, progress=progress)
    # Rows 2-5, 6-9, 10-11 of the spreadsheet: each batch is written with its ledger.
    assert seen == [
        (4, 10, ("importing", 4, 5), 4),
        (8, 10, ("importing", 8, 9), 8),
        (10, 10, ("importing", 10, 11), 10),
    ]
    assert job.status == ImportStatus.CONFIRMED and not job.file
    assert (job.created, job.updated, job.unchanged, job.valid_rows) == (10, 0, 0, 10)
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_a_killed_commit_resumes_from_its_ledger_and_writes_each_person_once(
    coordinator, org, batch_of_4, monkeypatch
):
    job = upload(coordinator, org, people(10))
    real, calls = importers.people_create_checked, {"n": 0}

    def dies_in_the_third_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the service writes a batch at a time
            raise Killed()
        return real(**kwargs)

    monkeypatch.setattr(importers, "people_create_checked", dies_in_the_third_batch)
    with pytest.raises(Killed):
        import_commit(actor=coordinator, job=job)
    # The third batch rolled back with its ledger; the first two stay, and say so.
    assert ledger(job) == ("importing", 8, 9) and Person.objects.count() == 8
    monkeypatch.setattr(importers, "people_create_checked", real)
    job = import_commit(actor=coordinator, job=ImportJob.objects.get(pk=job.pk))
    assert job.status == ImportStatus.CONFIRMED
    assert Person.objects.count() == 10
    assert sorted(Person.objects.values_list("identity__national_id", flat=True)) == [
        f"7{i:07d}" for i in range(10)
    ]
    # Created counts the rows of both runs once each.
    assert (job.created, job.unchanged, job.rows_done) == (10, 0, 10)


def test_running_a_written_batch_again_changes_nothing(coordinator, org, batch_of_4):
    """Why resuming is safe even without the ledger: the diff sees written rows."""
    job = upload(coordinator, org, people(6))
    import_commit(actor=coordinator, job=job)
    again = upload(coordinator, org, people(6))
    assert (again.created, again.unchanged) == (0, 6)
    again = import_commit(actor=coordinator, job=again)
    assert again.status == ImportStatus.CONFIRMED and Person.objects.count() == 6


def test_a_second_runner_of_the_same_job_stops_when_the_ledger_moved(coordinator, org, batch_of_4):
    job = upload(coordinator, org, people(10))

    def another_runner_went_on(done, total):
        # Another worker committed the next batch meanwhile (the ledger moved).
        ImportJob.objects.filter(pk=job.pk).update(last_row=9, rows_done=8)

    job = import_commit(actor=coordinator, job=job, progress=another_runner_went_on)
    # This runner wrote its first batch, then found the ledger moved and wrote no more.
    assert Person.objects.count() == 4
    assert job.status == ImportStatus.IMPORTING and job.last_row == 9


def test_a_commit_does_not_start_when_the_dry_run_found_errors(coordinator, org):
    rows = people(3)
    rows[2][3] = "marciano"  # row 3: unknown sex
    job = upload(coordinator, org, rows)
    assert job.error_count == 1
    with pytest.raises(ApplicationError) as refused:
        import_commit(actor=coordinator, job=job)
    assert refused.value.code == "has_errors"
    assert Person.objects.count() == 0 and ledger(job)[0] == "validated"
    job = import_commit(actor=coordinator, job=job, skip_errors=True)
    assert job.status == ImportStatus.CONFIRMED and Person.objects.count() == 2


def test_a_second_import_of_the_same_kind_waits_its_turn(
    coordinator, org, other_org, batch_of_4, monkeypatch
):
    first = upload(coordinator, org, people(10))
    second = upload(coordinator, org, people(3, start=50))
    enrolments = upload(coordinator, org, [["codigo", "cohorte"], ["X", "1"]], kind="enrolments")
    monkeypatch.setattr(importers, "people_create_checked", _killed_at_once)
    with pytest.raises(Killed):
        import_commit(actor=coordinator, job=first)
    first.refresh_from_db()
    assert first.status == ImportStatus.IMPORTING
    assert import_blocker(job=second) == first and not import_may_start(job=second)
    with pytest.raises(ApplicationError) as busy:
        import_commit(actor=coordinator, job=second)
    assert busy.value.code == "import_busy"
    assert f"#{first.pk}" in str(busy.value) and "waits its turn" in str(busy.value)
    assert ledger(second)[0] == "validated"  # untouched: it may start later
    # Another kind, or another organization, does not wait.
    assert import_may_start(job=enrolments)
    # Once the first is stopped, the second may start.
    import_job_stop(actor=coordinator, job=first)
    assert import_may_start(job=second)


def _killed_at_once(**kwargs):
    raise Killed()


def test_new_problems_found_while_writing_stop_the_commit_there(coordinator, org, batch_of_4):
    job = upload(coordinator, org, people(10))
    # Meanwhile someone registers row 8's number under another name.
    make_person(organization=org, national_id="70000006", given_name="Otra", family_name="Persona")
    job = import_commit(actor=coordinator, job=job)
    assert job.status == ImportStatus.STOPPED and Person.objects.count() == 1 + 4
    assert job.commit_problem["code"] == "new_errors" and job.commit_problem["params"]["row"] == 8
    assert "New problems were found at row 8" in job.commit_problem_text
    assert [e["row"] for e in job.commit_error_rows] == [8]
    # Going on needs the choice to leave the bad rows out.
    with pytest.raises(ApplicationError):
        import_commit(actor=coordinator, job=job)
    job = import_commit(actor=coordinator, job=job, skip_errors=True)
    assert job.status == ImportStatus.CONFIRMED and Person.objects.count() == 1 + 9
    assert (job.created, job.error_count) == (9, 1)


def test_a_cancelled_commit_stops_between_batches_and_can_go_on(coordinator, org, batch_of_4):
    job = upload(coordinator, org, people(10))
    job = import_commit(actor=coordinator, job=job, cancelled=lambda: Person.objects.exists())
    assert job.status == ImportStatus.STOPPED and Person.objects.count() == 4
    assert job.can_resume and "before row 6" in job.commit_problem_text
    job = import_job_confirm(actor=coordinator, job=job, skip_errors=True)
    assert job.status == ImportStatus.CONFIRMED and Person.objects.count() == 10


def test_cancelled_before_the_first_batch_nothing_is_written(coordinator, org):
    job = upload(coordinator, org, people(3))
    job = import_commit(actor=coordinator, job=job, cancelled=lambda: True)
    assert job.status == ImportStatus.VALIDATED and job.can_confirm
    assert Person.objects.count() == 0


def test_a_stopped_import_may_be_rejected_and_keeps_what_was_written(coordinator, org, batch_of_4):
    job = upload(coordinator, org, people(10))
    job = import_commit(actor=coordinator, job=job, cancelled=lambda: Person.objects.exists())
    job = import_job_reject(actor=coordinator, job=job)
    assert job.status == ImportStatus.REJECTED and not job.file and Person.objects.count() == 4


def test_the_dry_run_of_a_stored_upload_reports_progress_and_can_be_cancelled(
    coordinator, org, batch_of_4
):
    job = import_job_store(
        actor=coordinator,
        organization=org,
        kind="people",
        upload=SimpleUploadedFile("a.csv", csv_bytes(people(10))),
    )
    assert job.status == ImportStatus.UPLOADED and job.file
    seen = []
    job = import_dry_run(actor=coordinator, job=job, progress=lambda d, t: seen.append(d))
    assert seen == [4, 8, 10] and job.status == ImportStatus.VALIDATED and job.created == 10
    other = import_job_store(
        actor=coordinator,
        organization=org,
        kind="people",
        upload=SimpleUploadedFile("b.csv", csv_bytes(people(10))),
    )
    other = import_dry_run(actor=coordinator, job=other, cancelled=lambda: True)
    assert other.status == ImportStatus.REJECTED and not other.file
    assert Person.objects.count() == 0


def test_a_file_still_being_checked_cannot_be_committed(coordinator, org):
    job = import_job_store(
        actor=coordinator,
        organization=org,
        kind="people",
        upload=SimpleUploadedFile("a.csv", csv_bytes(people(2))),
    )
    with pytest.raises(ApplicationError) as refused:
        import_commit(actor=coordinator, job=job)
    assert refused.value.code == "not_checked" and Person.objects.count() == 0
