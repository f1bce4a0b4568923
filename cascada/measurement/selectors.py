"""Reads of attitude measurement, scoped to the user (S2, S3).

- Instruments: the shipped ones, and those of the user's organizations.
- Rounds: those of cohorts the user reaches (``trainings.selectors.cohort_ids_visible``).
- One respondent's answers: ``Cap.VIEW_ANSWERS`` only (coordinators, M&E officers,
  administrators of the program's organizations), never facilitators or viewers: the
  answers are about violence (S3). Reads that show answers are audited (S10).
- Aggregates of a round (scores by group, before/after) are ``analysis.py``'s, through
  the disclosure control for users who do not see exact figures (S17).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import NotFoundError
from cascada.trainings.selectors import cohort_ids_visible

from .models import Instrument, InstrumentVersion, Response, Round


def instrument_list(*, user: Any) -> QuerySet[Instrument]:
    mine = scope.org_ids(user, Cap.VIEW_AGGREGATES) | scope.org_ids(user, Cap.MANAGE_MEASUREMENT)
    return Instrument.objects.filter(Q(organization__isnull=True) | Q(organization_id__in=mine))


def version_get(*, user: Any, pk: Any) -> InstrumentVersion:
    try:
        return (
            InstrumentVersion.objects.filter(instrument__in=instrument_list(user=user))
            .select_related("instrument")
            .get(pk=pk)
        )
    except (InstrumentVersion.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def round_list(*, user: Any, cap: str = Cap.VIEW_AGGREGATES) -> QuerySet[Round]:
    return Round.objects.filter(
        cohort_id__in=cohort_ids_visible(user=user, cap=cap)
    ).select_related("cohort__program", "version__instrument")


def round_get(*, user: Any, pk: Any, cap: str = Cap.VIEW_AGGREGATES) -> Round:
    try:
        return round_list(user=user, cap=cap).get(pk=pk)
    except (Round.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def response_list_reveal(*, user: Any, survey: Round) -> QuerySet[Response]:
    """The answers of every respondent of a round, for a user who may read them (else
    none). Audited: one row about the round (S10)."""
    visible = cohort_ids_visible(user=user, cap=Cap.VIEW_ANSWERS)
    if not Round.objects.filter(pk=survey.pk, cohort_id__in=visible).exists():
        return Response.objects.none()
    audit_record(actor=user, action="view_answers", target=survey)
    return Response.objects.filter(round=survey).select_related("person")
