"""cascada imports_sweep: delete uploaded import files that must not linger (S14).

Run it on a schedule, e.g. every hour from cron (``0 * * * * cascada imports_sweep``) or
a systemd timer. An upload nobody confirmed or rejected within
``CASCADA_IMPORT_KEEP_HOURS`` (24 by default) is rejected and its file deleted; files
left by closed imports, or belonging to no import, are deleted too, and so are survey
submission files (measurement) and files of actions from the field (networks) left
undecided as long. Running it twice is
harmless: the second run finds nothing. It prints what it removed (import numbers and
storage names, never the users' file names).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cascada.core import context
from cascada.imports.services import SweptUpload, import_uploads_sweep, upload_keep_for
from cascada.measurement.importers import stale_uploads_discard
from cascada.networks.importers import stale_uploads_discard as stale_action_uploads_discard


def _describe(item: SweptUpload, hours: int) -> str:
    if item.reason == "expired" and not item.name:
        return ngettext(
            "Import %(job)s: undecided for more than %(hours)s hour, rejected (it kept no file).",
            "Import %(job)s: undecided for more than %(hours)s hours, rejected (it kept no file).",
            hours,
        ) % {"job": item.job_id, "hours": hours}
    if item.reason == "expired":
        return ngettext(
            "Import %(job)s: undecided for more than %(hours)s hour, rejected; deleted %(name)s.",
            "Import %(job)s: undecided for more than %(hours)s hours, rejected; deleted %(name)s.",
            hours,
        ) % {"job": item.job_id, "hours": hours, "name": item.name}
    if item.reason == "closed":
        return _("Import %(job)s: already closed; deleted its leftover file %(name)s.") % {
            "job": item.job_id,
            "name": item.name,
        }
    return _("Deleted %(name)s, which belongs to no import.") % {"name": item.name}


class Command(BaseCommand):
    help = (
        "Delete uploaded import files left undecided for CASCADA_IMPORT_KEEP_HOURS (24), "
        "or left by closed imports. Idempotent; schedule it hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = int(upload_keep_for().total_seconds() // 3600)
        with context.acting("cli"):
            swept = import_uploads_sweep()
            # Survey submissions uploaded and left undecided (measurement) go the same way.
            surveys = stale_uploads_discard(older_than=upload_keep_for())
            # And files of actions recorded in the field (networks).
            actions = stale_action_uploads_discard(older_than=upload_keep_for())
        if actions:
            self.stdout.write(
                ngettext(
                    "Actions from the field: %(n)s upload left undecided, rejected and deleted.",
                    "Actions from the field: %(n)s uploads left undecided, rejected and deleted.",
                    actions,
                )
                % {"n": actions}
            )
        if surveys:
            self.stdout.write(
                ngettext(
                    "Survey submissions: %(n)s upload left undecided, rejected and deleted.",
                    "Survey submissions: %(n)s uploads left undecided, rejected and deleted.",
                    surveys,
                )
                % {"n": surveys}
            )
        for item in swept:
            self.stdout.write(_describe(item, hours))
        if swept:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("Swept %(n)s upload.", "Swept %(n)s uploads.", len(swept))
                    % {"n": len(swept)}
                )
            )
        elif not surveys and not actions:
            self.stdout.write(_("Nothing to delete."))
