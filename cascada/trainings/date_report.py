"""Existing data that breaks the time rules (trainings/clock.py), scoped to the user.

Written before the rules were enforced: attendance taken before its session's day,
completions and certificates before the cohort ended. The page ``web:date_report`` and
the command ``cascada date_report`` both read ``date_problems``; nothing here writes.
How to mend each kind is in docs/decisions/trainings.md ("Time rules").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap

from . import clock
from .models import Certificate, Cohort, Enrolment, Session
from .selectors import cohort_ids_visible

ATTENDANCE_EARLY = "attendance_early"
COMPLETION_EARLY = "completion_early"
CERTIFICATE_EARLY = "certificate_early"

KIND_LABELS = {
    ATTENDANCE_EARLY: _("Attendance taken before the session's day"),
    COMPLETION_EARLY: _("Completed before the cohort ended"),
    CERTIFICATE_EARLY: _("Certificate issued before the cohort ended"),
}


@dataclass(frozen=True)
class DateProblem:
    kind: str
    cohort: Cohort
    # The day something was done, and the day it could first have been done.
    done_on: dt.date
    allowed_from: dt.date | None
    session: Session | None = None
    enrolment_id: int | None = None
    certificate_code: str = ""

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def date_problems(*, user: Any) -> list[DateProblem]:
    """Every breach of the time rules in the cohorts ``user`` manages (``None``: the
    system, every cohort; the demo and synth tests use it), oldest cohort first."""
    cohort_ids: Any = (
        Cohort.objects.values("pk")
        if user is None
        else cohort_ids_visible(user=user, cap=Cap.MANAGE_PROGRAMS)
    )
    out: list[DateProblem] = []
    # Attendance: candidates by the server's day (a day either way is enough across the
    # two zones), then checked exactly in the organization's zone.
    sessions = (
        Session.objects.filter(
            cohort_id__in=cohort_ids,
            attendance_taken_at__isnull=False,
            attendance_taken_at__date__lte=F("date"),
        )
        .select_related("cohort__program__owner")
        .order_by("cohort__start_date", "cohort_id", "number")
    )
    for s in sessions:
        assert s.attendance_taken_at is not None
        zone = clock.organization_zone(s.cohort.program.owner)
        taken = timezone.localtime(s.attendance_taken_at, zone).date()
        if taken < s.date:
            out.append(
                DateProblem(
                    kind=ATTENDANCE_EARLY,
                    cohort=s.cohort,
                    session=s,
                    done_on=taken,
                    allowed_from=s.date,
                )
            )
    completed = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids, completed=True)
        .select_related("cohort__program__owner")
        .order_by("cohort__start_date", "cohort_id", "pk")
    )
    for e in completed:
        if not clock.cohort_is_over(e.cohort):
            out.append(
                DateProblem(
                    kind=COMPLETION_EARLY,
                    cohort=e.cohort,
                    enrolment_id=e.pk,
                    done_on=e.completed_on or e.enrolled_on,
                    allowed_from=clock.cohort_final_from(e.cohort),
                )
            )
    certificates = (
        Certificate.objects.filter(enrolment__cohort_id__in=cohort_ids, revoked=False)
        .select_related("enrolment__cohort__program__owner")
        .order_by("enrolment__cohort__start_date", "enrolment__cohort_id", "pk")
    )
    for c in certificates:
        cohort = c.enrolment.cohort
        ended = clock.cohort_final_from(cohort)
        if ended is None or c.issued_on < ended:
            out.append(
                DateProblem(
                    kind=CERTIFICATE_EARLY,
                    cohort=cohort,
                    enrolment_id=c.enrolment_id,
                    certificate_code=c.code,
                    done_on=c.issued_on,
                    allowed_from=ended,
                )
            )
    return out
