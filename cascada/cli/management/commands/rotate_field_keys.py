"""Re-encrypt every encrypted column with the newest key (S13).

Put the new key first in ``CASCADA_FIELD_KEYS`` (``new,old``), run this command, then
drop the old key: afterwards only the new one is needed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cascada.core import context
from cascada.core.crypto import encrypted_columns, rotate_column


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
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values."))
