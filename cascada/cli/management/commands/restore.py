"""cascada restore FILE [--force] [--ignore-keys] [--check]: put back a backup made by
``cascada backup``. Stop the server and the worker first (docs/decisions/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from cascada.audit.services import audit_record
from cascada.core import context
from cascada.core.backup import backup_check, backup_restore
from cascada.core.errors import ApplicationError
from cascada.registry.models import Place

# Filled by `migrate` alone: a database holding only these is empty.
REFERENCE_TABLES = {
    MigrationRecorder.Migration._meta.db_table,
    "django_content_type",
    "auth_permission",
    Place._meta.db_table,
}


class Command(BaseCommand):
    help = "Restore a backup archive: the database and the uploaded files are replaced."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds data (everything in it is lost).",
        )
        parser.add_argument(
            "--ignore-keys",
            action="store_true",
            help="Restore even though the configured keys are not the backup's "
            "(names, ID numbers and files stay unreadable).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only check the archive and the keys."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["archive"]
        try:
            if options["check"]:
                outcome = backup_check(path=path)
            else:
                outcome = backup_restore(
                    path=path,
                    force=options["force"],
                    ignore_keys=options["ignore_keys"],
                    reference_tables=REFERENCE_TABLES,
                )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        manifest = outcome.manifest
        if options["check"] and outcome.notes:
            raise CommandError(" ".join(str(n) for n in outcome.notes))
        if not options["check"]:
            with context.acting("cli"):
                audit_record(actor=None, action="backup_restore", detail={"rows": outcome.rows})
        for note in outcome.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(
            (
                _("The archive is whole: %(rows)d rows, %(files)d files, made %(created)s.")
                if options["check"]
                else _(
                    "Restored %(rows)d rows and %(files)d files from the backup made %(created)s."
                )
            )
            % {"rows": outcome.rows, "files": outcome.files, "created": manifest["created"]}
        )
