"""Running an import: the batched loop, the dry run and the commit with its ledger.

- ``import_run`` checks a stream (a dry run) or imports it all-or-nothing in one
  transaction: the CLI's and the tests' synchronous path for one file.
- ``import_dry_run(actor=, job=, progress=, cancelled=)`` checks a stored upload and
  keeps the report on the job.
- ``ledger.import_commit(actor=, job=, progress=, cancelled=)`` writes a checked upload in
  batches of ``BATCH`` rows, each batch in its own transaction together with the job's
  ledger (``rows_done``, ``last_row``); a killed commit resumes after ``last_row``
  (docs/decisions/import-jobs.md). Between batches another process reads the progress.
- ``import_blocker(job=)`` / ``import_may_start(job=)``: one commit at a time per
  organization and kind.

Both work synchronously when called directly; a background job calls the same functions.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError

from . import kinds
from .importer import Importer, WriteFailed, batched
from .models import ImportJob, ImportStatus
from .parsers import FileProblem, Table, open_table
from .report import UNCHANGED, ImportReport
from .storage import upload_open

logger = logging.getLogger(__name__)

BATCH = 1000

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ImportCancelled(Exception):
    """Raised by a progress callback to stop a dry run that was cancelled."""


def _no_progress(done: int, total: int) -> None:
    return None


def _not_cancelled() -> bool:
    return False


def import_kind(key: str) -> kinds.ImportKind:
    kind = kinds.get(key)
    if kind is None:
        raise ApplicationError(_("Unknown kind of import."), extra={"field": "kind"})
    return kind


def import_permission_check(*, actor: Any, organization: Any, kind: str) -> None:
    """Importing needs ``Cap.IMPORT`` and the kind's capability in the target organization."""
    found = import_kind(kind)
    if actor is None:
        return
    if not scope.has(actor, Cap.IMPORT, organization.pk) or not scope.has(
        actor, found.capability, organization.pk
    ):
        raise PermissionDeniedError()


# ---------------------------------------------------------------- the loop


def table_open(kind: kinds.ImportKind, stream: IO[bytes], sheet: str) -> Table:
    return open_table(stream, sheet=sheet, matches=kinds.header_matcher(kind))


def importer_for(
    kind: kinds.ImportKind, actor: Any, organization: Any, report: ImportReport
) -> Any:
    cls = kind.importer_class()
    return cls(actor=actor, organization=organization, report=report, kind=kind)


def plan_batch(importer: Importer, batch: list[tuple[int, list[Any]]]) -> list[Any]:
    """Check a batch, count every good row once (created, updated or unchanged) in the
    importer's report, and return what is to be written."""
    for _row, cells in batch:
        importer.note_unread(cells)
    items = []
    for planned in importer.check(batch):
        importer.report.count(planned.action)
        if planned.action != UNCHANGED:
            items.append(planned.item)
    return items


def end_of_file(importer: Importer, report: ImportReport) -> None:
    if report.total_rows == 0:
        raise FileProblem("no_rows")
    if importer.unread_with_data:
        # A column that holds data is never dropped without saying so.
        raise FileProblem(
            "unknown_columns",
            columns=", ".join(f"“{c}”" for c in importer.unread_with_data.values()),
        )
    # Rows that match what is already stored are valid too; they change nothing.
    report.valid_rows = report.total_rows - len(report.rows_with_errors)


def batches(table: Table) -> Iterator[list[tuple[int, list[Any]]]]:
    return batched(table.rows, BATCH)


def import_run(
    *,
    actor: Any,
    organization: Any,
    kind: str,
    stream: IO[bytes],
    commit: bool = False,
    skip_errors: bool = False,
    sheet: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of ``stream`` and, with ``commit``, import it in ONE transaction.

    Without ``skip_errors`` a file with any bad row writes nothing; with it, the good rows
    are imported and the bad ones reported. Never raises for a bad file: the report says
    what is wrong (``file_error`` for the whole file, ``errors`` per row)."""
    import_permission_check(actor=actor, organization=organization, kind=kind)
    found = import_kind(kind)
    progress = progress or _no_progress
    report = ImportReport(kind=kind)
    table: Table | None = None
    try:
        table = table_open(found, stream, sheet)
        report.sheet = table.sheet
        importer = importer_for(found, actor, organization, report)
        importer.bind(table.headers)
        with transaction.atomic() if commit else contextlib.nullcontext():
            for batch in batches(table):
                report.total_rows += len(batch)
                items = plan_batch(importer, batch)
                if commit and (skip_errors or not report.error_count):
                    importer.write(items)
                progress(report.total_rows, max(table.estimated_rows, report.total_rows))
            end_of_file(importer, report)
            if commit and (skip_errors or not report.error_count):
                importer.finish()
            report.written = (
                commit and report.valid_rows > 0 and (skip_errors or not report.error_count)
            )
            if commit and not report.written:
                transaction.set_rollback(True)
    except FileProblem as problem:
        report.file_error = {"code": problem.code, "params": problem.params}
        report.written = False
    except WriteFailed as failed:
        report.file_error = {
            "code": "write_failed",
            "params": {"row": failed.row, "reason": failed.reason[:200]},
        }
        report.written = False
    except (PermissionDeniedError, ImportCancelled):
        raise
    except Exception:
        logger.exception("Import of %s stopped by an unexpected error", kind)
        report.file_error = {"code": "unexpected", "params": {}}
        report.written = False
    finally:
        if table is not None:
            with contextlib.suppress(Exception):  # closing a read-only file cannot lose data
                table.close()
    if report.written:
        audit_import(actor, organization, report)
    return report


def audit_import(actor: Any, organization: Any, report: ImportReport) -> None:
    audit_record(
        actor=actor,
        action="import",
        target=organization,
        detail={
            "kind": report.kind,
            "count": report.valid_rows,
            "created": report.created,
            "updated": report.updated,
            "skipped": report.error_count,
        },
    )


def report_store(job: ImportJob, report: ImportReport) -> None:
    """Copy what a run found onto the job (not saved)."""
    job.total_rows = report.total_rows
    job.valid_rows = report.valid_rows
    job.error_count = report.error_count
    job.errors = report.errors
    job.file_error = report.file_error
    job.ignored_columns = report.ignored_columns[:50]
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    if report.sheet:
        job.sheet = report.sheet


def discard_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
    job.file = ""


def open_upload(job: ImportJob) -> IO[bytes]:
    try:
        return upload_open(job)
    except (OSError, ValueError, ImproperlyConfigured):
        logger.exception("Stored upload of import %s cannot be read", job.pk)
        raise ApplicationError(
            _("The uploaded file can no longer be read: reject it and upload it again."),
            code="import_failed",
        ) from None


# ---------------------------------------------------------------- the dry run of a job


def import_dry_run(
    *,
    actor: Any,
    job: ImportJob,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportJob:
    """Check a stored upload (status ``uploaded``) and keep the report on the job: status
    ``validated``, waiting for the user's decision. Writes nothing else. A file that
    cannot be imported at all is deleted at once. Cancelled: the job is rejected and its
    file deleted."""
    import_permission_check(actor=actor, organization=job.organization, kind=job.kind)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
        raise ApplicationError(_("This import was already confirmed or rejected."), code="closed")
    cancelled = cancelled or _not_cancelled
    stop = ImportCancelled()

    def watch(done: int, total: int) -> None:
        if cancelled():
            raise stop
        (progress or _no_progress)(done, total)

    try:
        report = import_run(
            actor=actor,
            organization=job.organization,
            kind=job.kind,
            stream=open_upload(job),
            sheet=job.sheet,
            progress=watch,
        )
    except ImportCancelled:
        job.status = ImportStatus.REJECTED
        job.finished_at = timezone.now()
        discard_file(job)
        job.save()
        audit_record(actor=actor, action="import_reject", target=job, detail={"kind": job.kind})
        return job
    report_store(job, report)
    job.status = ImportStatus.VALIDATED
    if report.file_error:
        discard_file(job)
    job.save()
    audit_record(
        actor=actor,
        action="import_check",
        target=job,
        detail={"kind": job.kind, "count": report.total_rows, "errors": report.error_count},
    )
    return job


# ---------------------------------------------------------------- one commit at a time


def import_blocker(*, job: ImportJob) -> ImportJob | None:
    """The import of the same kind into the same organization that is being written now,
    if any: ``job`` waits its turn until it ends (or is stopped)."""
    return (
        ImportJob.objects.filter(
            organization_id=job.organization_id, kind=job.kind, status=ImportStatus.IMPORTING
        )
        .exclude(pk=job.pk)
        .order_by("started_at", "pk")
        .first()
    )


def import_may_start(*, job: ImportJob) -> bool:
    """Whether ``job``'s commit may start now (no other commit of its kind and
    organization is running)."""
    return import_blocker(job=job) is None


def busy_error(blocker: ImportJob) -> ApplicationError:
    return ApplicationError(
        _(
            "Another import of %(kind)s into %(org)s is being written (import #%(id)s): this "
            "one waits its turn. Try again when it has finished."
        )
        % {
            "kind": blocker.get_kind_display().lower(),
            "org": blocker.organization,
            "id": blocker.pk,
        },
        code="import_busy",
    )
