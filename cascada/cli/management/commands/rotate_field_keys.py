"""Re-encrypt every encrypted column with the newest key (S13), and the encrypted files:
uploaded import, survey and field files waiting for a decision, photos of community
actions, evidence files of milestones and research audio (encrypted with the same keys, ``imports.storage``).

Put the new key first in ``CASCADA_FIELD_KEYS`` (``new,old``), run this command, then
drop the old key: afterwards only the new one is needed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cascada.commitments.models import MilestoneEvidence
from cascada.core import context
from cascada.core.crypto import encrypted_columns, rotate_column
from cascada.imports.services import import_uploads_rotate
from cascada.imports.storage import upload_rotate
from cascada.measurement.models import SubmissionUpload
from cascada.networks.models import ActionPhoto, ActionUpload
from cascada.research.models import Audio


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of CASCADA_FIELD_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        with context.acting("cli"):
            for model, field in encrypted_columns():
                n = rotate_column(model=model, field=field, batch_size=options["batch_size"])
                total += n
                self.stdout.write(f"{model._meta.label}.{field.name}: {n}")
            files = import_uploads_rotate()
            total += files
            self.stdout.write(f"imports.ImportJob.file (uploaded files): {files}")
            # Other encrypted files: survey and field uploads waiting for a decision, and
            # photos of community actions and milestones' evidence (kept).
            for model in (SubmissionUpload, ActionUpload, ActionPhoto, MilestoneEvidence, Audio):
                n = sum(
                    upload_rotate(r) for r in model._default_manager.exclude(file="").order_by("pk")
                )
                total += n
                self.stdout.write(f"{model._meta.label}.file: {n}")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values."))
