"""Imports as background jobs (ADR 0007): the dry run and the commit of an upload run in
the worker, as the user who asked, with progress on the job row.

The kinds are registered from ``ImportsConfig.ready()``. Commits share one lane, so a
second commit in the same organization waits its turn with a message; a commit blocked by
another import still being written (``import_busy``) waits the same way. The resumable
part (the ledger) is the importer's own (``ledger.py``): a job run again after a lost
worker calls ``import_commit`` again, which goes on after the last committed batch.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.jobs.kinds import JobKind
from cascada.jobs.models import Job, JobStatus
from cascada.jobs.selectors import job_list
from cascada.jobs.services import JobCancelled, JobContext, JobWait, job_cancel, job_enqueue

from .models import ImportJob, ImportStatus
from .services import import_commit, import_dry_run, import_job_reject

DRY_RUN = "import_dry_run"
COMMIT = "import_commit"
KINDS = (DRY_RUN, COMMIT)

JOB_KINDS = (
    JobKind(
        key=DRY_RUN,
        label=_("Checking an import"),
        handler="cascada.imports.jobs.dry_run",
        capability=Cap.IMPORT,
    ),
    JobKind(
        key=COMMIT,
        label=_("Importing"),
        handler="cascada.imports.jobs.commit",
        capability=Cap.IMPORT,
        lane="import_commit",
    ),
)


def _import(ctx: JobContext) -> ImportJob:
    return ImportJob.objects.select_related("organization").get(pk=ctx.params["import_job"])


def _summary(job: ImportJob) -> dict[str, Any]:
    return {
        "import_job": job.pk,
        "status": job.status,
        "total_rows": job.total_rows,
        "valid_rows": job.valid_rows,
        "errors": job.error_count,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
    }


def dry_run(ctx: JobContext) -> dict[str, Any]:
    job = _import(ctx)
    if job.status != ImportStatus.UPLOADED:  # checked already (a second delivery)
        return _summary(job)
    job = import_dry_run(actor=ctx.actor, job=job, progress=ctx.progress, cancelled=ctx.cancelled)
    if job.status == ImportStatus.REJECTED:
        raise JobCancelled(ctx.job.pk)
    ctx.progress(job.total_rows, job.total_rows)
    return _summary(job)


def commit(ctx: JobContext) -> dict[str, Any]:
    job = _import(ctx)
    if job.status == ImportStatus.CONFIRMED:
        return _summary(job)
    try:
        job = import_commit(
            actor=ctx.actor,
            job=job,
            skip_errors=bool(ctx.params.get("skip_errors")),
            progress=ctx.progress,
            cancelled=ctx.cancelled,
        )
    except ApplicationError as error:
        if error.code == "import_busy":
            raise JobWait(str(error)) from None
        raise
    if job.status == ImportStatus.CONFIRMED:
        return _summary(job)
    if (job.commit_problem or {}).get("code") == "cancelled":
        raise JobCancelled(ctx.job.pk)
    raise ApplicationError(job.commit_problem_text or _("The import did not finish."))


def import_check_enqueue(*, actor: Any, job: ImportJob) -> Job | None:
    """Queue the dry run of a stored upload (none when the upload was refused at once)."""
    if job.status != ImportStatus.UPLOADED:
        return None
    return job_enqueue(
        actor=actor, kind=DRY_RUN, organization=job.organization, params={"import_job": job.pk}
    )


def import_commit_enqueue(*, actor: Any, job: ImportJob, skip_errors: bool) -> Job:
    """Queue the commit of a checked upload (a closed import is refused at once). The
    commit's own rules (``ledger._claim``: errors without ``skip_errors``, a file that
    cannot be imported) fail the job at its start, before any row is written; a commit
    that must wait for another one is queued and waits its turn."""
    if job.status not in (ImportStatus.VALIDATED, ImportStatus.STOPPED):
        raise ApplicationError(_("This import was already confirmed or rejected."), code="closed")
    pending = import_job_work(user=actor, job=job)
    if pending is not None and not pending.is_finished:
        return pending  # asked twice (double click, two tabs): one commit
    return job_enqueue(
        actor=actor,
        kind=COMMIT,
        organization=job.organization,
        params={"import_job": job.pk, "skip_errors": bool(skip_errors)},
    )


def import_job_work(*, user: Any, job: ImportJob) -> Job | None:
    """The latest background job of this import the user may see (checking or importing)."""
    return (
        job_list(user=user)
        .filter(kind__in=KINDS, params__import_job=job.pk)
        .order_by("-pk")
        .first()
    )


def import_work_cancel(*, actor: Any, job: ImportJob) -> None:
    """Stop the check or the commit of an import. A running job stops at its next batch
    (a check: the upload is rejected; a commit: what was written stays, the import is
    ``stopped``); a check cancelled before it started rejects the upload at once."""
    work = import_job_work(user=actor, job=job)
    if work is None or work.is_finished:
        raise ApplicationError(_("Nothing is running for this import."), code="not_running")
    work = job_cancel(actor=actor, job=work)
    if work.status == JobStatus.CANCELLED and job.status == ImportStatus.UPLOADED:
        import_job_reject(actor=actor, job=job)
