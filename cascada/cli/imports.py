"""The import and export commands share these two bases; each command file names its kind."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from cascada.imports.formats import DIALECTS, FORMATS, csv_write, xlsx_write
from cascada.imports.selectors import EXPORTS, import_organizations
from cascada.imports.services import ImportReport, import_run

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
            "--skip-errors",
            action="store_true",
            help="With --commit: import the good rows and leave out the reported ones.",
        )

    def run(self, user: Any, **options: Any) -> None:
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
            report = import_run(
                actor=user,
                organization=organization,
                kind=self.kind,
                stream=stream,
                commit=commit,
                skip_errors=options["skip_errors"],
            )
        self._print(report, path.name)
        if report.file_error:
            raise CommandError(report.file_error_text)
        if not commit:
            if report.error_count:
                raise CommandError(
                    _("%(n)s rows have errors. Nothing was written.")
                    % {"n": len(report.rows_with_errors)}
                )
            self.stdout.write(_("Dry run: nothing was written. Run again with --commit to import."))
            return
        if not report.written:
            raise CommandError(
                _(
                    "The file has errors, so nothing was written. Correct them, or add "
                    "--skip-errors to import the other rows."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                }
            )
        )
        if report.error_count:
            self.stdout.write(
                _("%(n)s rows with errors were left out.") % {"n": len(report.rows_with_errors)}
            )

    def _print(self, report: ImportReport, name: str) -> None:
        out = self.stdout
        out.write(
            _(
                "%(name)s: %(total)s rows, %(valid)s valid (%(created)s new, %(updated)s to update, %(unchanged)s unchanged), %(bad)s with errors."
            )
            % {
                "name": name,
                "total": report.total_rows,
                "valid": report.valid_rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "bad": len(report.rows_with_errors),
            }
        )
        if report.ignored_columns:
            out.write(_("Ignored columns: %(cols)s") % {"cols": ", ".join(report.ignored_columns)})
        rows = report.error_rows()
        if rows:
            width = max(len(_("Column")), *(len(c) for _r, c, _m in rows))
            out.write(f"{_('Row'):>6}  {_('Column'):<{width}}  {_('Problem')}")
            for row, column, message in rows:
                out.write(f"{row:>6}  {column:<{width}}  {message}")
            if report.error_count > len(rows):
                out.write(
                    _("… and %(n)s more errors not listed.") % {"n": report.error_count - len(rows)}
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
