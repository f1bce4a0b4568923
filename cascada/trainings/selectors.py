"""Reads about programs, cohorts, sessions and attendance, scoped to the user (S2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError

from .models import (
    Attendance,
    Certificate,
    Cohort,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
    Program,
    Session,
)


def program_list(*, user: Any, cap: str = Cap.VIEW_AGGREGATES) -> QuerySet[Program]:
    orgs = scope.org_ids(user, cap)
    if not orgs:
        return Program.objects.none()
    return (
        Program.objects.filter(Q(owner_id__in=orgs) | Q(shared_with__in=orgs))
        .distinct()
        .select_related("owner")
    )


def program_get(*, user: Any, pk: Any, cap: str = Cap.VIEW_AGGREGATES) -> Program:
    try:
        return program_list(user=user, cap=cap).get(pk=pk)
    except (Program.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def cohort_ids_visible(*, user: Any, cap: str) -> QuerySet[Any]:
    """Ids of cohorts the user reaches with ``cap``, as a subquery."""
    orgs = scope.org_ids(user, cap)
    if not orgs:
        return Cohort.objects.none().values("pk")
    bound = scope.cohort_bound_org_ids(user, cap)
    full = orgs - bound
    q = Q(pk__in=[])
    if full:
        q |= Q(program__owner_id__in=full) | Q(program__shared_with__in=full)
    if bound and getattr(user, "person_id", None):
        q |= Q(
            Q(program__owner_id__in=bound) | Q(program__shared_with__in=bound),
            facilitations__person_id=user.person_id,
        )
    return Cohort.objects.filter(q).values("pk")


def cohort_list(*, user: Any, cap: str = Cap.VIEW_AGGREGATES) -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(pk__in=cohort_ids_visible(user=user, cap=cap))
        .select_related("program", "place", "curriculum_version__curriculum")
        .annotate(
            n_enrolled=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED), distinct=True
            ),
            n_completed=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
        )
    )


def cohort_get(*, user: Any, pk: Any, cap: str = Cap.VIEW_AGGREGATES) -> Cohort:
    try:
        return cohort_list(user=user, cap=cap).get(pk=pk)
    except (Cohort.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def session_get(*, user: Any, pk: Any, cap: str = Cap.VIEW_AGGREGATES) -> Session:
    try:
        return (
            Session.objects.filter(cohort_id__in=cohort_ids_visible(user=user, cap=cap))
            .select_related("cohort__program", "module")
            .get(pk=pk)
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def session_list(*, user: Any, cohort: Cohort) -> QuerySet[Session]:
    return (
        Session.objects.filter(
            cohort=cohort, cohort_id__in=cohort_ids_visible(user=user, cap=Cap.VIEW_AGGREGATES)
        )
        .select_related("module")
        .annotate(
            n_present=Count("attendance", filter=Q(attendance__status__in=["present", "makeup"])),
            n_marked=Count("attendance"),
        )
        .order_by("number")
    )


def enrolment_list(*, user: Any, cohort: Cohort, cap: str = Cap.VIEW_PEOPLE) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(
            cohort=cohort, cohort_id__in=cohort_ids_visible(user=user, cap=cap)
        )
        .select_related("person", "certificate")
        .order_by("id")
    )


@dataclass
class RosterRow:
    enrolment: Enrolment
    name: str
    status: str | None


def session_roster(*, user: Any, session: Session) -> list[RosterRow]:
    """Who is enrolled and how each was marked at this session, for the roster page."""
    from cascada.registry.selectors import identities_for

    enrolments = list(
        enrolment_list(user=user, cohort=session.cohort).filter(status=EnrolmentStatus.ENROLLED)
    )
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    names = identities_for(user=user, people=[e.person for e in enrolments], short=True)
    rows = [
        RosterRow(e, names.get(e.person_id, e.person.code), marks.get(e.pk)) for e in enrolments
    ]
    rows.sort(key=lambda r: r.name.casefold())
    return rows


def sessions_missing_attendance(*, user: Any, today: dt.date | None = None) -> QuerySet[Session]:
    """Expected sessions (past, not cancelled) with no attendance and no headcount."""
    today = today or timezone.localdate()
    return (
        Session.objects.filter(
            cohort_id__in=cohort_ids_visible(user=user, cap=Cap.VIEW_AGGREGATES),
            date__lt=today,
            cancelled=False,
            headcount__isnull=True,
        )
        .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .select_related("cohort__program")
        .order_by("date")
    )


def facilitator_cohorts(*, person_id: int) -> QuerySet[CohortFacilitator]:
    return CohortFacilitator.objects.filter(person_id=person_id).select_related("cohort__program")


@dataclass(frozen=True)
class CertificateCheck:
    valid: bool
    program: str = ""
    cohort: str = ""
    issued_on: dt.date | None = None
    hours: Any = None
    organization: str = ""


def certificate_verify(*, code: str) -> CertificateCheck:
    """Public: confirms a certificate by its code and says nothing about who holds it."""
    cert = (
        Certificate.objects.filter(code=(code or "").strip().upper(), revoked=False)
        .select_related("enrolment__cohort__program__owner")
        .first()
    )
    if cert is None:
        return CertificateCheck(valid=False)
    cohort = cert.enrolment.cohort
    return CertificateCheck(
        valid=True,
        program=cohort.program.name,
        cohort=cohort.name,
        issued_on=cert.issued_on,
        hours=cert.hours,
        organization=str(cohort.program.owner),
    )
