"""cascada cohorts_finalize: make completion final in cohorts whose end date has passed.

A cohort's status follows its dates (``trainings/clock.py``); nothing is written on the
day it ends, so run this daily (``15 0 * * * cascada cohorts_finalize``). It also undoes
completions recorded in cohorts not yet over (data from before the time rules). Running
it twice is harmless. Issuing certificates finalizes a cohort too, so nothing waits on it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from cascada.core import context
from cascada.trainings.services import cohorts_finalize


class Command(BaseCommand):
    help = "Make completion final in cohorts that have ended (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting("cli"):
            changed = cohorts_finalize()
        self.stdout.write(
            ngettext("%(n)s enrolment changed.", "%(n)s enrolments changed.", changed)
            % {"n": changed}
        )
