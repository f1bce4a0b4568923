"""Jobs run once, as the user who asked (scope, audit, language), can be cancelled, wait
their turn in a lane, and fail with a clear message (ADR 0007)."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker

from cascada.accounts.models import Membership
from cascada.audit.models import AuditEvent
from cascada.core.errors import NotFoundError, PermissionDeniedError
from cascada.jobs.models import Job, JobStatus
from cascada.jobs.selectors import job_get, job_list
from cascada.jobs.services import job_cancel, job_enqueue, job_run, job_wait
from tests.accounts.factories import make_user
from tests.jobs.handlers import CALLS
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    """The real worker, in this process, until the queue is empty. (Inside the test's
    transaction it must not close the connection between tasks, as it does in production.)"""
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0")


def test_a_job_runs_in_the_askers_scope_and_is_audited_as_them_from_job(
    org, other_org, coordinator, django_capture_on_commit_callbacks
):
    mine = make_person(organization=org)
    make_person(organization=other_org)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(actor=coordinator, kind="test_list_people", organization=org)
    assert job.task_result_id == "" and Job.objects.get(pk=job.pk).task_result_id  # queued
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"codes": [mine.code]}  # not the other organization's person
    rows = AuditEvent.objects.filter(actor=coordinator).order_by("id")
    assert [(r.action, r.source, r.actor_id) for r in rows] == [
        ("create", "system", coordinator.pk),  # asked outside any request
        ("view_list", "job", coordinator.pk),
        ("finish", "job", coordinator.pk),
    ]


def test_asking_needs_the_kinds_capability(org):
    viewer = make_user(role="viewer", organization=org)
    with pytest.raises(PermissionDeniedError):
        job_enqueue(actor=viewer, kind="test_tick", organization=org, params={"n": 1})
    assert not Job.objects.exists()


def test_a_second_delivery_of_the_same_job_does_nothing(org, coordinator):
    job = job_enqueue(actor=coordinator, kind="test_list_people", organization=org)
    assert job_run(job.pk) == JobStatus.SUCCEEDED
    assert job_run(job.pk) == "skipped"
    assert [job.pk] == CALLS
    assert AuditEvent.objects.filter(action="finish").count() == 1


def test_a_job_another_worker_is_running_is_left_alone(org, coordinator):
    job = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 5})
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, heartbeat=job.created
    )
    assert job_run(job.pk) == "skipped"  # heartbeat fresh: someone has it
    assert not AuditEvent.objects.filter(action="tick").exists()


def test_a_stale_running_job_resumes_from_its_ledger(org, coordinator, settings):
    settings.CASCADA_JOB_STALE_SECONDS = 0
    job = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 30})
    # A first attempt wrote 20 rows with their progress, then its worker died.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    AuditEvent.objects.bulk_create(
        AuditEvent(action="tick", target_type="jobs.job", target_id=str(job.pk), detail={"i": i})
        for i in range(20)
    )
    Job.objects.filter(pk=job.pk).update(done=20, total=30)
    assert job_run(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.attempts == 2 and job.done == 30
    assert sorted(e.detail["i"] for e in AuditEvent.objects.filter(action="tick")) == list(
        range(30)
    )


def test_cancel_a_queued_job_stops_it_before_it_starts(org, coordinator):
    job = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 5})
    job_cancel(actor=coordinator, job=job)
    assert job_run(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.done == 0
    assert not AuditEvent.objects.filter(action="tick").exists()


def test_a_running_handler_sees_cancel_and_stops(org, coordinator, monkeypatch):
    job = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 50})
    from cascada.jobs import services

    real = services.JobContext.progress

    def progress_then_cancel(self, done, total=None):
        real(self, done, total)
        if done == 20:  # someone presses "Cancel" while batch 3 is about to start
            job_cancel(actor=coordinator, job=Job.objects.get(pk=job.pk))

    monkeypatch.setattr(services.JobContext, "progress", progress_then_cancel)
    assert job_run(job.pk) == JobStatus.CANCELLED
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.done == 20
    assert AuditEvent.objects.filter(action="tick").count() == 20


def test_who_may_cancel(org, other_org, coordinator):
    facilitator = make_user(role="facilitator", organization=org)
    job = job_enqueue(actor=facilitator, kind="test_list_people", organization=org)
    outsider = make_user(role="coordinator", organization=other_org)
    with pytest.raises(PermissionDeniedError):
        job_cancel(actor=outsider, job=job)
    job_cancel(actor=coordinator, job=job)  # a coordinator of the job's organization
    other = job_enqueue(actor=facilitator, kind="test_list_people", organization=org)
    job_cancel(actor=facilitator, job=other)  # the one who asked


def test_a_user_whose_role_was_removed_since_gets_a_failed_job(org, coordinator):
    job = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 5})
    Membership.objects.filter(user=coordinator).delete()
    assert job_run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "ya no tiene permiso" in job.message  # in the asker's language (Spanish)
    assert not AuditEvent.objects.filter(action="tick").exists()


def test_failures_give_a_clear_message_in_the_askers_language_and_no_traceback(
    org, coordinator, caplog
):
    coordinator.language = "es"
    coordinator.save()
    refused = job_enqueue(actor=coordinator, kind="test_refuse", organization=org)
    crashed = job_enqueue(actor=coordinator, kind="test_crash", organization=org)
    with caplog.at_level(logging.ERROR):
        job_run(refused.pk)
        job_run(crashed.pk)
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert refused.status == crashed.status == JobStatus.FAILED
    assert refused.message == "The file has no rows."  # a test-only text: no translation
    assert crashed.message == "Algo salió mal de nuestro lado. Ya se avisó al equipo."
    assert "secret-detail-123" not in crashed.message
    assert "secret-detail-123" in caplog.text  # the traceback is in the logs only


def test_jobs_in_one_lane_wait_their_turn_with_a_message(org, coordinator):
    first = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 3})
    second = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 3})
    assert job_run(second.pk) == "skipped"
    second.refresh_from_db()
    assert second.status == JobStatus.QUEUED
    assert "Waiting for an earlier job" in second.message
    assert job_run(first.pk) == JobStatus.SUCCEEDED
    assert job_run(second.pk) == JobStatus.SUCCEEDED


def test_job_wait_runs_the_job_in_this_process(org, coordinator):
    job = job_enqueue(actor=coordinator, kind="test_tick", organization=org, params={"n": 25})
    assert job_wait(job=job).status == JobStatus.SUCCEEDED
    assert job.done == 25


def test_who_sees_which_jobs(org, other_org, coordinator):
    facilitator = make_user(role="facilitator", organization=org)
    other_facilitator = make_user(role="facilitator", organization=org)
    outsider = make_user(role="coordinator", organization=other_org)
    job = job_enqueue(actor=facilitator, kind="test_list_people", organization=org)
    assert job_get(user=facilitator, pk=job.pk) == job
    assert job_get(user=coordinator, pk=job.pk) == job
    for user in (other_facilitator, outsider):
        with pytest.raises(NotFoundError):
            job_get(user=user, pk=job.pk)
        assert not job_list(user=user).exists()
