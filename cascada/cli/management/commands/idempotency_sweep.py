"""cascada idempotency_sweep: delete the expired records of writes that were safe to send
twice (``cascada.core.idempotency``).

Run it on a schedule, e.g. hourly from cron (``15 * * * * cascada idempotency_sweep``). A
form token or an API ``Idempotency-Key`` is kept ``CASCADA_IDEMPOTENCY_KEEP_HOURS`` (24),
a user's last form content ``CASCADA_IDEMPOTENCY_REPLAY_SECONDS`` (600); expired records
are never used, so the sweep only keeps the table small. Running it twice is harmless.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from cascada.core.idempotency import idempotency_sweep


class Command(BaseCommand):
    help = "Delete expired records of repeated-request protection. Idempotent; run hourly."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_sweep()
        self.stdout.write(
            ngettext("Deleted %(n)s expired record.", "Deleted %(n)s expired records.", deleted)
            % {"n": deleted}
        )
