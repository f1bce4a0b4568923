"""The life of an import job: upload, dry run, confirm (the commit) or reject, and the
uploads at rest (sweep, key rotation).

    upload ──► uploaded ──dry run──► validated ──confirm──► importing ──► confirmed
                                         │  ▲                    │  ▲
                                      reject └──── nothing written ┤  └─ resume
                                         ▼                         ▼
                                      rejected ◄──── reject ──── stopped

The checking and writing are in ``runner.py`` (the loop, the dry run) and ``ledger.py``
(the commit in batches); the importers live with their data and are found through the
table of kinds (``kinds.py``). ``import_job_create`` and ``import_job_confirm`` run the dry
run and the commit synchronously, for the web and CLI flows that wait for them; a
background job calls ``import_job_store``, then ``import_dry_run`` and ``import_commit``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from .ledger import import_commit, import_job_stop
from .models import OPEN_STATUSES, ImportJob, ImportStatus
from .parsers import human_size, import_limits
from .report import ImportReport
from .runner import (
    discard_file,
    import_blocker,
    import_dry_run,
    import_may_start,
    import_permission_check,
    import_run,
    report_store,
)
from .storage import stored_upload_names, upload_read, upload_rotate, upload_store

__all__ = [
    "ImportReport",
    "SweptUpload",
    "import_blocker",
    "import_commit",
    "import_dry_run",
    "import_job_confirm",
    "import_job_create",
    "import_job_reject",
    "import_job_stop",
    "import_job_store",
    "import_may_start",
    "import_permission_check",
    "import_run",
    "import_uploads_rotate",
    "import_uploads_sweep",
    "upload_keep_for",
]


def import_job_store(
    *,
    actor: Any,
    organization: Any,
    kind: str,
    upload: Any,
    filename: str = "",
    sheet: str = "",
) -> ImportJob:
    """Keep an uploaded file, encrypted, as a job waiting for its dry run (``uploaded``).
    A file over the size limit is not stored at all: the job is ``validated`` at once
    with the problem, and cannot be confirmed."""
    import_permission_check(actor=actor, organization=organization, kind=kind)
    job = ImportJob(
        kind=kind,
        organization=organization,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        original_name=(filename or getattr(upload, "name", "") or "")[-120:],
        sheet=(sheet or "").strip()[:100],
        status=ImportStatus.UPLOADED,
    )
    limits = import_limits()
    data = upload_read(upload, max_bytes=limits.max_bytes)
    if data is None:
        report = ImportReport(kind=kind)
        size = getattr(upload, "size", None) or limits.max_bytes + 1
        report.file_error = {
            "code": "file_too_large",
            "params": {"size": human_size(size), "max": human_size(limits.max_bytes)},
        }
        report_store(job, report)
        job.status = ImportStatus.VALIDATED
    else:
        upload_store(job, data)
    job.save()
    if data is None:
        audit_record(
            actor=actor,
            action="import_check",
            target=job,
            detail={"kind": kind, "count": 0, "errors": 0},
        )
    return job


def import_job_create(
    *,
    actor: Any,
    organization: Any,
    kind: str,
    upload: Any,
    filename: str = "",
    sheet: str = "",
) -> ImportJob:
    """Store an uploaded file and check it now (the dry run). Nothing else is written."""
    job = import_job_store(
        actor=actor,
        organization=organization,
        kind=kind,
        upload=upload,
        filename=filename,
        sheet=sheet,
    )
    if job.status == ImportStatus.UPLOADED:
        job = import_dry_run(actor=actor, job=job)
    return job


def import_job_confirm(*, actor: Any, job: ImportJob, skip_errors: bool = False) -> ImportJob:
    """Import a checked file now, waiting for the commit. With errors, only when the user
    chose to leave those rows out. A commit that stops is an ``ApplicationError`` saying
    why (the batches written before it stay; the job says where it stopped)."""
    if job.status not in (ImportStatus.VALIDATED, ImportStatus.STOPPED):
        raise ApplicationError(_("This import was already confirmed or rejected."), code="closed")
    job = import_commit(actor=actor, job=job, skip_errors=skip_errors)
    if job.status != ImportStatus.CONFIRMED:
        raise ApplicationError(
            job.commit_problem_text or _("The import did not finish."), code="import_failed"
        )
    return job


def import_job_reject(*, actor: Any, job: ImportJob) -> ImportJob:
    """Reject a checked file, or the rest of a stopped one (what was written stays)."""
    import_permission_check(actor=actor, organization=job.organization, kind=job.kind)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.STOPPED):
        raise ApplicationError(_("This import was already confirmed or rejected."), code="closed")
    job.status = ImportStatus.REJECTED
    job.finished_at = timezone.now()
    discard_file(job)
    job.save()
    audit_record(actor=actor, action="import_reject", target=job, detail={"kind": job.kind})
    return job


# ---------------------------------------------------------------- uploads at rest


def upload_keep_for() -> dt.timedelta:
    """How long an undecided upload waits (``CASCADA_IMPORT_KEEP_HOURS``, default 24)."""
    return dt.timedelta(hours=int(getattr(settings, "CASCADA_IMPORT_KEEP_HOURS", 24)))


@dataclass(frozen=True)
class SweptUpload:
    """What the sweep did: the job (if any), the storage name of the file it deleted (the
    random one, never the user's file name; empty when an expired job kept no file) and
    why: ``expired`` (undecided too long: the job is rejected), ``closed`` (a file left
    behind by a confirmed or rejected job) or ``orphan`` (a file of no job)."""

    job_id: int | None
    name: str
    reason: str


WAITING = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.STOPPED)


def import_uploads_sweep(*, now: dt.datetime | None = None) -> list[SweptUpload]:
    """Delete uploads that must not linger (S14); run by ``cascada imports_sweep`` on a
    schedule. Idempotent: a second run finds nothing. Files without a job are deleted
    only once older than the keeping time, so an upload in progress is never touched;
    nor is the file of a job being imported."""
    now = now or timezone.now()
    cutoff = now - upload_keep_for()
    swept: list[SweptUpload] = []
    for job in ImportJob.objects.filter(status__in=WAITING, created_at__lt=cutoff):
        name = job.file.name or ""
        job.status = ImportStatus.REJECTED
        job.finished_at = now
        discard_file(job)
        job.save()
        audit_record(actor=None, action="import_expire", target=job, detail={"kind": job.kind})
        swept.append(SweptUpload(job.pk, name, "expired"))
    for job in ImportJob.objects.exclude(status__in=OPEN_STATUSES).exclude(file=""):
        name = job.file.name or ""
        discard_file(job)
        job.save(update_fields=["file"])
        swept.append(SweptUpload(job.pk, name, "closed"))
    storage = ImportJob._meta.get_field("file").storage
    known = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in stored_upload_names(storage):
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified < cutoff:
            storage.delete(name)
            swept.append(SweptUpload(None, name, "orphan"))
    return swept


def import_uploads_rotate() -> int:
    """Re-encrypt every stored upload with the newest key (``cascada rotate_field_keys``).
    Returns how many files were rewritten."""
    count = 0
    for job in ImportJob.objects.exclude(file="").order_by("pk"):
        if upload_rotate(job):
            count += 1
    return count
