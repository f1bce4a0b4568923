"""`cascada date_report --as USERNAME`: records that break the time rules, in the cohorts
the user manages (the page ``/cohorts/dates/`` shows the same list), one per line,
tab-separated: cohort id, where, what, done on, allowed from."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cascada.cli.common import CascadaCommand
from cascada.trainings.date_report import date_problems


class Command(CascadaCommand):
    help = "List attendance, completions and certificates recorded before their dates."

    def run(self, user: Any, **options: Any) -> None:
        problems = date_problems(user=user)
        for p in problems:
            where = p.cohort.name
            if p.session is not None:
                where += " · " + _("session %(n)s") % {"n": p.session.number}
            if p.certificate_code:
                where += " · " + p.certificate_code
            allowed = p.allowed_from.isoformat() if p.allowed_from else "—"
            self.stdout.write(
                f"{p.cohort.pk}\t{where}\t{p.label}\t{p.done_on.isoformat()}\t{allowed}"
            )
        if not problems:
            self.stdout.write(_("Nothing to review: every record follows the date rules."))
            return
        self.stderr.write(_("%(n)s records to review.") % {"n": len(problems)})
