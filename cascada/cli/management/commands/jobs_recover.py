"""cascada jobs_recover: queue again the background jobs a lost worker left behind.

``cascada worker`` does this when it starts and as it runs; schedule this command (e.g.
every 10 minutes from cron) when several workers run and one may die unnoticed. Idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cascada.core import context
from cascada.jobs.services import jobs_recover


class Command(BaseCommand):
    help = "Queue again background jobs whose worker was lost (stale heartbeat). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting("cli"):
            found = jobs_recover()
        if found:
            self.stdout.write(
                ngettext("Queued %(n)s job again.", "Queued %(n)s jobs again.", len(found))
                % {"n": len(found)}
            )
        else:
            self.stdout.write(_("No lost jobs."))
