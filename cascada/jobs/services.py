"""Jobs: asked for, run once as the user who asked, with progress, cancellable (ADR 0007).

- ``job_enqueue`` checks the kind's capability, writes the row, audits, and hands the id
  to the task queue once the transaction commits.
- ``job_run`` (called by the worker through ``tasks.run_job``) claims the row under
  ``select_for_update``: a finished job, or one another worker is running, is left alone,
  so a second delivery does nothing. It runs the handler as the asker (their scope, the
  audit names them with source ``job``, messages in their language), re-checking the
  capability first.
- A worker killed mid-job leaves the row ``running`` with an old heartbeat: after
  ``CASCADA_JOB_STALE_SECONDS`` it is stale, ``jobs_recover`` (run when a worker starts and
  after each task, or by ``cascada jobs_recover``) queues it again and the handler resumes
  from what it committed (``JobContext.resume_from``). Progress written by the lost
  attempt is refused (``attempts``), so two attempts never both write.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.context import acting
from cascada.core.errors import ApplicationError, PermissionDeniedError

from . import kinds
from .models import FINISHED, Job, JobStatus

logger = logging.getLogger(__name__)

# How long a job that must wait its turn sleeps before asking again.
WAIT_SECONDS = 2


class JobCancelled(Exception):  # noqa: N818 (reads as what happened)
    """Raised by a handler (``JobContext.stop_if_cancelled``) to stop at a safe point."""


class JobWait(Exception):  # noqa: N818
    """Raised by a handler that may not start yet (another piece of work holds what it
    needs): the job goes back to the queue with ``message`` and asks again shortly."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class JobSuperseded(Exception):  # noqa: N818
    """This attempt lost the job: it was taken as stale and another attempt runs it."""


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "CASCADA_JOB_STALE_SECONDS", 300))


def _is_stale(job: Job, now: datetime.datetime) -> bool:
    beat = job.heartbeat or job.started or job.created
    return job.status == JobStatus.RUNNING and beat < now - stale_after()


@dataclass
class JobContext:
    """What a handler gets: the job, who asked, and the two calls that talk to the row."""

    job: Job
    actor: Any
    attempt: int
    # What an earlier, killed attempt committed (``done``): a resumable handler starts
    # there; 0 on a first run.
    resume_from: int = 0

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def progress(self, done: int, total: int | None = None) -> None:
        """Record ``done`` of ``total``. Outside a transaction it commits at once, for any
        process to see; inside the handler's batch transaction it commits with the batch,
        so ``done`` is a ledger of what was written. Raises ``JobSuperseded`` if another
        attempt has taken the job over."""
        fields: dict[str, Any] = {"done": max(0, done), "heartbeat": timezone.now()}
        if total is not None:
            fields["total"] = max(0, total)
        updated = Job.objects.filter(
            pk=self.job.pk, attempts=self.attempt, status=JobStatus.RUNNING
        ).update(**fields)
        if not updated:
            raise JobSuperseded(self.job.pk)
        self.job.done = fields["done"]
        if total is not None:
            self.job.total = fields["total"]

    def cancelled(self) -> bool:
        """Has someone asked to cancel? Reads the row (cheap: one indexed look-up)."""
        return bool(
            Job.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first()
        )

    def stop_if_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled(self.job.pk)


def _enqueue_task(job_id: int, *, delay: int = 0) -> None:
    from .tasks import run_job

    task = run_job
    if delay:
        task = run_job.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    result = task.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id))


def job_enqueue(
    *,
    actor: Any,
    kind: str,
    organization: Any = None,
    params: Mapping[str, Any] | None = None,
) -> Job:
    """Ask for a job of ``kind``; it starts in the background once this transaction commits."""
    job_kind = kinds.get(kind)
    org_id = getattr(organization, "pk", organization)
    scope.require(actor, job_kind.capability, org_id)
    job = Job(
        kind=kind,
        created_by=actor,
        organization_id=org_id,
        lane=job_kind.lane,
        params=dict(params or {}),
    )
    job.full_clean()
    job.save()
    audit_record(actor=actor, action="create", target=job, detail={"kind": kind})
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue_task(job_id))
    return job


def _may_cancel(actor: Any, job: Job) -> bool:
    if job.created_by_id == getattr(actor, "pk", None):
        return True
    # Those who run the organization's work (coordinators, administrators) may stop it.
    return job.organization_id is not None and scope.has(
        actor, Cap.MANAGE_PROGRAMS, job.organization_id
    )


def job_cancel(*, actor: Any, job: Job) -> Job:
    """Ask a job to stop: a queued job is cancelled at once; a running one stops at its
    handler's next check. The asker, or a coordinator of the job's organization."""
    if not _may_cancel(actor, job):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status in FINISHED:
            raise ApplicationError(_("This job has already finished."), code="job_finished")
        locked.cancel_requested = True
        if locked.status == JobStatus.QUEUED:
            locked.status = JobStatus.CANCELLED
            locked.finished = timezone.now()
            locked.message = _("Cancelled before it started.")
        locked.save(update_fields=["cancel_requested", "status", "finished", "message"])
        audit_record(actor=actor, action="cancel", target=locked, detail={"kind": locked.kind})
    return locked


def _lane_busy(job: Job, now: datetime.datetime) -> bool:
    """Is an older job of the same lane and organization still to finish?"""
    if not job.lane:
        return False
    same_org = (
        Q(organization_id=job.organization_id)
        if job.organization_id is not None
        else Q(organization__isnull=True)
    )
    earlier = Job.objects.filter(same_org, lane=job.lane, pk__lt=job.pk).filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat__gte=now - stale_after())
    )
    return earlier.exists()


def _claim(job_id: int) -> tuple[Job | None, int]:
    """Take the job for this attempt, or say why not (None). Returns (job, resume_from)."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in FINISHED:
            return None, 0
        if job.status == JobStatus.RUNNING and not _is_stale(job, now):
            return None, 0  # another worker has it: a second delivery does nothing
        if job.cancel_requested:
            _finish(job, JobStatus.CANCELLED, _("Cancelled."))
            return None, 0
        if job.status == JobStatus.QUEUED and _lane_busy(job, now):
            job.message = _("Waiting for an earlier job of this organization to finish.")
            job.save(update_fields=["message"])
            transaction.on_commit(lambda: _enqueue_task(job_id, delay=WAIT_SECONDS))
            return None, 0
        resume_from = job.done if job.status == JobStatus.RUNNING else 0
        if job.status == JobStatus.RUNNING:
            logger.warning(
                "Job %s was stale (worker lost); attempt %s resumes it", job.pk, job.attempts + 1
            )
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started = job.started or now
        job.heartbeat = now
        job.message = ""
        job.save(update_fields=["status", "attempts", "started", "heartbeat", "message"])
    return job, resume_from


def _finish(
    job: Job, status: str, message: str = "", result: Any = None, attempt: int | None = None
) -> bool:
    """Write the outcome and its audit row (as the asker, source ``job``). With
    ``attempt``, only if that attempt still owns the job."""
    with transaction.atomic():
        rows = Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED)
        if attempt is not None:
            rows = rows.filter(attempts=attempt)
        updated = rows.update(
            status=status, message=message, result=result, finished=timezone.now()
        )
        if updated:
            audit_record(
                actor=job.created_by,
                action="finish",
                target=job,
                detail={"kind": job.kind, "status": status},
            )
    return bool(updated)


def job_run(job_id: int) -> str:
    """Run the job once, as the user who asked. Returns its status (or why it did not run)."""
    job, resume_from = _claim(job_id)
    if job is None:
        return "skipped"
    attempt = job.attempts
    user = job.created_by
    with acting("job"), translation.override(getattr(user, "language", None) or None):
        try:
            kind = kinds.get(job.kind)
            scope.forget(user)
            if not user.is_active or not scope.has(user, kind.capability, job.organization_id):
                _finish(
                    job,
                    JobStatus.FAILED,
                    _("You no longer have permission to do this, so the job did not run."),
                    attempt=attempt,
                )
                return JobStatus.FAILED
            handler = kind.load_handler()
            ctx = JobContext(job=job, actor=user, attempt=attempt, resume_from=resume_from)
            result = handler(ctx)
        except JobSuperseded:
            logger.warning("Job %s attempt %s was superseded; it stops", job_id, attempt)
            return "superseded"
        except JobCancelled:
            _finish(job, JobStatus.CANCELLED, _("Cancelled."), attempt=attempt)
            return JobStatus.CANCELLED
        except JobWait as wait:
            requeued = Job.objects.filter(
                pk=job.pk, attempts=attempt, status=JobStatus.RUNNING
            ).update(status=JobStatus.QUEUED, message=str(wait.message), heartbeat=None)
            if requeued:
                transaction.on_commit(lambda: _enqueue_task(job_id, delay=WAIT_SECONDS))
            return JobStatus.QUEUED
        except ApplicationError as exc:
            _finish(job, JobStatus.FAILED, str(exc), attempt=attempt)
            return JobStatus.FAILED
        except Exception:
            logger.exception("Job %s (%s) failed", job_id, job.kind)
            _finish(
                job,
                JobStatus.FAILED,
                _("Something went wrong on our side. The team has been told."),
                attempt=attempt,
            )
            return JobStatus.FAILED
        _finish(job, JobStatus.SUCCEEDED, "", result, attempt=attempt)
        return JobStatus.SUCCEEDED


def jobs_recover() -> list[int]:
    """Queue again the jobs a lost worker left behind: running with a stale heartbeat, or
    queued long ago with no task left to run them. Safe to call any time, from any process."""
    now = timezone.now()
    cutoff = now - stale_after()
    stale = list(
        Job.objects.filter(status=JobStatus.RUNNING)
        .filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, started__lt=cutoff))
        .values_list("pk", flat=True)
    )
    orphans = [
        pk
        for pk, task_id in Job.objects.filter(
            status=JobStatus.QUEUED, created__lt=cutoff
        ).values_list("pk", "task_result_id")
        if not _task_pending(task_id)
    ]
    for pk in stale + orphans:
        logger.warning("Job %s queued again (its worker was lost)", pk)
        _enqueue_task(pk)
    return stale + orphans


def _task_pending(task_result_id: str) -> bool:
    """Will the queue still deliver this task? (Queued or running there.)"""
    from .tasks import run_job

    if not task_result_id:
        return False
    try:
        result = run_job.get_result(task_result_id)
    except Exception:  # unknown id, or a backend that cannot look results up
        return False
    return str(result.status) in {"READY", "RUNNING"}


def job_wait(*, job: Job, poll: float = 0.5, timeout: float | None = None) -> Job:
    """Run queued work in this process until ``job`` has finished (the CLI waits this way,
    with or without a separate worker). Returns the job as finished."""
    import time

    started = time.monotonic()
    while True:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if (job.status == JobStatus.QUEUED or _is_stale(job, timezone.now())) and job_run(
            job.pk
        ) != "skipped":
            continue
        if timeout is not None and time.monotonic() - started > timeout:
            return job
        time.sleep(poll)
