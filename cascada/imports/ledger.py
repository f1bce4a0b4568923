"""The commit of a checked upload: batches, each in its own transaction with the ledger.

Decided in docs/decisions/import-jobs.md. A commit

1. claims the job (``validated``, or ``stopped``/``importing`` to resume) with the jobs
   of its organization and kind locked, refusing when another of them is importing
   (``import_blocker``) or when the dry run found errors and ``skip_errors`` was not
   chosen;
2. reads the file again and, batch by batch, checks the rows (the same checks as the dry
   run) and writes the new and changed ones through the app's services, in ONE
   transaction per batch together with the ledger update: ``last_row`` moves from the
   value this runner read to the batch's last row (compare-and-set: a second runner of
   the same job, or a stop, makes the update find nothing and the batch rolls back);
3. after the last batch runs the importer's ``finish`` and marks the job ``confirmed``.

Killed at any point, the job stays ``importing`` with the ledger of its last committed
batch: running ``import_commit`` again replays the rows up to ``last_row`` without
writing (to rebuild what the importer remembers across batches, e.g. rows given twice)
and goes on after it. Re-running a committed batch would also be safe: the diff makes its
rows ``unchanged``.

A batch that finds problems the dry run did not (the data changed meanwhile) stops the
commit before writing it, unless the user chose to leave bad rows out; so does a row a
service refuses. The batches before it stay written: the job is ``stopped`` (or back to
``validated`` when nothing was written) and says where and why.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from . import runner
from .importer import WriteFailed
from .models import ImportJob, ImportStatus
from .parsers import FileProblem, Table
from .report import MAX_LISTED_ERRORS, ImportReport

logger = logging.getLogger(__name__)

RESUMABLE = (ImportStatus.VALIDATED, ImportStatus.STOPPED, ImportStatus.IMPORTING)


class _Lost(Exception):
    """The ledger moved under this runner: another runner or a stop took the job."""


class _NewErrors(Exception):
    def __init__(self, row: int, errors: list[dict[str, Any]], count: int):
        super().__init__(row)
        self.row = row
        self.errors = errors
        self.count = count


def _claim(job: ImportJob, skip_errors: bool) -> None:
    """Mark the job ``importing`` (or find it so, to resume), one commit at a time per
    organization and kind. The locks serialise two claims racing on PostgreSQL; SQLite
    serialises every write anyway."""
    with transaction.atomic():
        locked = list(
            ImportJob.objects.select_for_update()
            .filter(organization_id=job.organization_id, kind=job.kind, status__in=RESUMABLE)
            .order_by("pk")
        )
        current = next((j for j in locked if j.pk == job.pk), None)
        if (
            current is None
            and ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).exists()
        ):
            raise ApplicationError(
                _("This file is still being checked: wait for its check to finish."),
                code="not_checked",
            )
        if current is None:
            raise ApplicationError(
                _("This import was already confirmed or rejected."), code="closed"
            )
        blocker = next(
            (j for j in locked if j.pk != job.pk and j.status == ImportStatus.IMPORTING), None
        )
        if blocker is not None:
            raise runner.busy_error(blocker)
        if current.file_error or not current.file:
            raise ApplicationError(
                _("This file cannot be imported; reject it and upload a corrected one.")
            )
        skip = skip_errors or (current.status == ImportStatus.IMPORTING and current.skip_errors)
        problem = (current.commit_problem or {}).get("code")
        if (current.error_count or problem == "new_errors") and not skip:
            # The dry run found errors: nothing starts (issue 8: stop at once).
            raise ApplicationError(
                _("The file has errors: import it without the reported rows, or reject it."),
                code="has_errors",
            )
        if current.status == ImportStatus.VALIDATED:
            current.rows_done = current.last_row = 0
            current.started_at = timezone.now()
        current.status = ImportStatus.IMPORTING
        current.skip_errors = skip
        current.commit_problem = None
        current.heartbeat_at = timezone.now()
        current.save()
    job.refresh_from_db()


def import_commit(
    *,
    actor: Any,
    job: ImportJob,
    skip_errors: bool = False,
    progress: runner.Progress | None = None,
    cancelled: runner.Cancelled | None = None,
) -> ImportJob:
    """Write a checked upload in batches with a ledger (see the module). Returns the job:
    ``confirmed``, or ``stopped``/``validated`` with ``commit_problem`` saying why, or
    still ``importing`` when another runner took it over. Raises ``ApplicationError``
    only when the commit may not start (``has_errors``, ``import_busy``, ``closed``)."""
    runner.import_permission_check(actor=actor, organization=job.organization, kind=job.kind)
    kind = runner.import_kind(job.kind)
    _claim(job, skip_errors)
    progress = progress or runner._no_progress
    cancelled = cancelled or runner._not_cancelled
    done_before = job.last_row  # rows up to here were committed by an earlier run
    if done_before == 0:
        # A fresh commit counts everything again (the dry run's figures were a forecast).
        job.created = job.updated = job.unchanged = job.error_count = job.valid_rows = 0
        job.errors = []
    scratch = ImportReport(kind=job.kind)
    table: Table | None = None
    try:
        table = runner.table_open(kind, runner.open_upload(job), job.sheet)
        importer = runner.importer_for(kind, actor, job.organization, scratch)
        importer.bind(table.headers)
        total = max(job.total_rows, 1)
        for batch in runner.batches(table):
            replay = [r for r in batch if r[0] <= done_before]
            fresh = [r for r in batch if r[0] > done_before]
            if replay:
                importer.report = scratch  # already written: rebuild state, count nothing
                runner.plan_batch(importer, replay)
            if not fresh:
                continue
            if cancelled():
                return _halt(job, "cancelled", {"row": fresh[0][0]})
            _commit_batch(job, importer, fresh)
            progress(job.rows_done, max(total, job.rows_done))
        return _finish(actor, job, importer)
    except _Lost:
        job.refresh_from_db()
        return job
    except _NewErrors as new:
        return _halt(job, "new_errors", {"row": new.row, "count": new.count}, errors=new.errors)
    except WriteFailed as failed:
        return _halt(job, "write_failed", {"row": failed.row, "reason": failed.reason[:200]})
    except FileProblem as problem:
        return _halt(job, problem.code, problem.params)
    except ApplicationError as error:
        return _halt(job, "write_failed", {"row": job.last_row + 1, "reason": str(error)[:200]})
    except Exception:
        logger.exception("Commit of import %s stopped by an unexpected error", job.pk)
        return _halt(job, "unexpected", {})
    finally:
        if table is not None:
            try:
                table.close()
            except Exception:  # closing a read-only file cannot lose data
                logger.debug("closing import %s", job.pk)


def _commit_batch(job: ImportJob, importer: Any, rows: list[tuple[int, list[Any]]]) -> None:
    batch = ImportReport(kind=job.kind)
    importer.report = batch
    with transaction.atomic():
        items = runner.plan_batch(importer, rows)
        if batch.error_count and not job.skip_errors:
            raise _NewErrors(min(batch.rows_with_errors), batch.errors, batch.error_count)
        expected = job.last_row
        ledger = {
            "last_row": rows[-1][0],
            "rows_done": job.rows_done + len(rows),
            "valid_rows": job.valid_rows + len(rows) - len(batch.rows_with_errors),
            "error_count": job.error_count + batch.error_count,
            "errors": (job.errors + batch.errors)[:MAX_LISTED_ERRORS],
            "created": job.created + batch.created,
            "updated": job.updated + batch.updated,
            "unchanged": job.unchanged + batch.unchanged,
        }
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=ImportStatus.IMPORTING, last_row=expected
        ).update(heartbeat_at=timezone.now(), **ledger)
        if not claimed:
            raise _Lost()
        importer.write(items)
    for name, value in ledger.items():  # committed: the runner's copy follows
        setattr(job, name, value)


def _finish(actor: Any, job: ImportJob, importer: Any) -> ImportJob:
    if job.rows_done == 0:
        raise FileProblem("no_rows")
    with transaction.atomic():
        done = ImportJob.objects.filter(
            pk=job.pk, status=ImportStatus.IMPORTING, last_row=job.last_row
        ).update(status=ImportStatus.CONFIRMED, finished_at=timezone.now())
        if not done:
            raise _Lost()
        importer.finish()
        report = ImportReport(
            kind=job.kind,
            valid_rows=job.valid_rows,
            created=job.created,
            updated=job.updated,
            error_count=job.error_count,
        )
        runner.audit_import(actor, job.organization, report)
    job.refresh_from_db()
    runner.discard_file(job)
    job.save(update_fields=["file"])
    return job


def _halt(
    job: ImportJob, code: str, params: dict[str, Any], errors: list[dict[str, Any]] | None = None
) -> ImportJob:
    """Stop the commit where it is: ``stopped`` when batches were written (they stay, and
    the commit may go on later), ``validated`` when nothing was. The problem is kept on the
    job, in codes, to be shown in the reader's language."""
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.status != ImportStatus.IMPORTING:
            return current or job
        if current.last_row != job.last_row:
            return current  # another runner went on meanwhile
        current.status = ImportStatus.STOPPED if current.rows_done else ImportStatus.VALIDATED
        # New row errors are kept apart from the counts of what was written: a resumed
        # commit checks those rows again.
        current.commit_problem = {"code": code, "params": params, "errors": errors or []}
        current.heartbeat_at = timezone.now()
        current.save()
    job.refresh_from_db()
    return job


def import_job_stop(*, actor: Any, job: ImportJob) -> ImportJob:
    """Stop a commit that is running (or whose worker died): the batches written stay and
    the job may go on later or be rejected. A runner still alive stops at its next batch
    (its ledger update finds the job no longer importing)."""
    runner.import_permission_check(actor=actor, organization=job.organization, kind=job.kind)
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ImportStatus.IMPORTING:
            raise ApplicationError(_("This import is not being written."), code="not_running")
        current.status = ImportStatus.STOPPED if current.rows_done else ImportStatus.VALIDATED
        current.commit_problem = {"code": "cancelled", "params": {"row": current.last_row + 1}}
        current.save()
        audit_record(actor=actor, action="import_stop", target=current, detail={"kind": job.kind})
    job.refresh_from_db()
    return job
