"""The import and export commands share these two bases; each command file names its kind."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from cascada.core.context import acting
from cascada.imports.formats import DIALECTS, FORMATS, csv_write, xlsx_write
from cascada.imports.jobs import import_check_enqueue, import_commit_enqueue
from cascada.imports.models import ImportJob, ImportStatus
from cascada.imports.selectors import import_organizations
from cascada.imports.services import import_job_reject, import_job_store
from cascada.jobs.models import Job, JobStatus
from cascada.jobs.services import job_wait
from cascada.trainings.exports import EXPORTS

from .common import CascadaCommand, input_path, int_or_error, output_path


class ImportCommand(CascadaCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV or XLSX file; the first row holds the column names.")
        parser.add_argument("--organization", required=True, help="Id of the target organization.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and write nothing (the default).",
        )
        mode.add_argument("--commit", action="store_true", help="Import the file.")
        parser.add_argument(
            "--sheet",
            default="",
            help="XLSX: the sheet to read (by default the first visible sheet whose "
            "column names fit this import).",
        )
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="With --commit: import the good rows and leave out the reported ones.",
        )

    def run(self, user: Any, **options: Any) -> None:
        """The same jobs as the web (``cascada.imports.jobs``): the check, then, with
        ``--commit``, the commit in batches. The command waits for each one, running it
        in this process unless a worker takes it first, so scripts need no worker and
        keep their output and exit codes."""
        org_id = int_or_error(options["organization"], "--organization")
        organization = (
            import_organizations(user=user).filter(pk=org_id).first()
            if org_id is not None
            else None
        )
        if organization is None:
            raise CommandError(
                _("Unknown organization, or you may not import into it: %(id)s") % {"id": org_id}
            )
        path = input_path(options["file"])
        commit = options["commit"]
        with path.open("rb") as stream:
            job = import_job_store(
                actor=user,
                organization=organization,
                kind=self.kind,
                upload=stream,
                filename=path.name,
                sheet=options.get("sheet") or "",
            )
        self._wait(import_check_enqueue(actor=user, job=job))
        job.refresh_from_db()
        self._print(job, path.name)
        if job.file_error:
            self._close(user, job)
            raise CommandError(job.file_error_text)
        bad = job.total_rows - job.valid_rows
        if not commit:
            self._close(user, job)  # a dry run keeps no copy of the file
            if job.error_count:
                raise CommandError(_("%(n)s rows have errors. Nothing was written.") % {"n": bad})
            self.stdout.write(_("Dry run: nothing was written. Run again with --commit to import."))
            return
        if job.error_count and not options["skip_errors"]:
            self._close(user, job)
            raise CommandError(
                _(
                    "The file has errors, so nothing was written. Correct them, or add "
                    "--skip-errors to import the other rows."
                )
            )
        work = self._wait(
            import_commit_enqueue(actor=user, job=job, skip_errors=options["skip_errors"])
        )
        job.refresh_from_db()
        if work is not None and work.status != JobStatus.SUCCEEDED:
            raise CommandError(work.message or job.commit_problem_text)
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"created": job.created, "updated": job.updated, "unchanged": job.unchanged}
            )
        )
        if job.error_count:
            self.stdout.write(_("%(n)s rows with errors were left out.") % {"n": bad})

    def _wait(self, work: Job | None) -> Job | None:
        if work is None:
            return None
        with acting("cli"):
            return job_wait(job=work)

    def _close(self, user: Any, job: ImportJob) -> None:
        if job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
            import_job_reject(actor=user, job=job)

    def _print(self, job: ImportJob, name: str) -> None:
        out = self.stdout
        out.write(
            _(
                "%(name)s: %(total)s rows, %(valid)s valid (%(created)s new, %(updated)s to update, %(unchanged)s unchanged), %(bad)s with errors."
            )
            % {
                "name": name,
                "total": job.total_rows,
                "valid": job.valid_rows,
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "bad": job.total_rows - job.valid_rows,
            }
        )
        if job.sheet:
            out.write(_("Sheet read: %(sheet)s") % {"sheet": job.sheet})
        if job.ignored_columns:
            out.write(_("Ignored columns: %(cols)s") % {"cols": ", ".join(job.ignored_columns)})
        rows = job.error_rows
        if rows:
            width = max(len(_("Column")), *(len(r["column"]) for r in rows))
            out.write(f"{_('Row'):>6}  {_('Column'):<{width}}  {_('Problem')}")
            for r in rows:
                out.write(f"{r['row']:>6}  {r['column']:<{width}}  {r['message']}")
            if job.error_count > len(rows):
                out.write(
                    _("… and %(n)s more errors not listed.") % {"n": job.error_count - len(rows)}
                )


class ExportCommand(CascadaCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="csv",
            help="csv (comma, ISO dates), csv_es (Excel in Spanish: ';', dd/mm/yyyy) or xlsx.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="es",
            help="Language of the headers and values (default: es).",
        )
        parser.add_argument("--output", required=True, help="File to write.")
        parser.add_argument("--organization", help="Only this organization (id).")
        parser.add_argument("--program", help="Only this program (id).")
        parser.add_argument("--cohort", help="Only this cohort (id).")

    def run(self, user: Any, **options: Any) -> None:
        path = output_path(options["output"])
        fmt = options["format"]
        with translation.override(options.get("language") or "es"):
            export = EXPORTS[self.kind](
                user=user,
                fmt=fmt,
                organization_id=int_or_error(options.get("organization"), "--organization"),
                program_id=int_or_error(options.get("program"), "--program"),
                cohort_id=int_or_error(options.get("cohort"), "--cohort"),
            )
        if fmt in DIALECTS:
            with path.open("w", encoding="utf-8", newline="") as target:
                csv_write(export.headers, export.rows, target, DIALECTS[fmt])
        else:
            xlsx_write(export.headers, export.rows, str(path))
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(n)s rows to %(path)s.") % {"n": export.count, "path": path}
            )
        )
