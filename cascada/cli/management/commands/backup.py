"""cascada backup [--output FILE]: the database and the stored files in one archive, with a
manifest (row counts, checksums). The encryption keys are not in it: keep them apart
(docs/decisions/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cascada.audit.services import audit_record
from cascada.core import context
from cascada.core.backup import backup_create
from cascada.core.errors import ApplicationError

KEYS_REMINDER = gettext_noop(
    "The encryption keys (CASCADA_FIELD_KEYS, CASCADA_HASH_KEY) are NOT in this backup. "
    "Without them the names, ID numbers and uploaded files in it cannot be read: keep a copy "
    "of the keys apart from the backups (not in the same place), and test a restore."
)


class Command(BaseCommand):
    help = "Write the database and the uploaded files to one archive (keys not included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Archive to write (default: cascada-backup-<date>.tar.gz here). Never overwritten.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        path = options["output"] or Path(f"cascada-backup-{stamp}.tar.gz")
        with context.acting("cli"):
            try:
                # Recorded first, so the archive carries the record of its own making.
                audit_record(actor=None, action="backup_create", detail={})
                outcome = backup_create(path=path)
            except ApplicationError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Backup written to %(path)s: %(rows)d rows in %(tables)d tables, %(files)d files.")
            % {
                "path": path,
                "rows": outcome.rows,
                "tables": len(outcome.manifest["tables"]),
                "files": outcome.files,
            }
        )
        self.stdout.write(self.style.WARNING(_(KEYS_REMINDER)))
