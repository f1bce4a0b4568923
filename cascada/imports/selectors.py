"""Reads for imports and exports, scoped to the user (S2).

Exports read through the registry's and trainings' scoped selectors, show identity
columns only to roles that may read identity (S3) and are audited as ``export`` (S10).
Rows are produced lazily so that a large export streams.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.registry.models import Organization, Person
from cascada.trainings.models import Attendance, Cohort, Enrolment

from .formats import FORMATS
from .models import ImportJob

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class PartnerIdentity(TypedDict):
    """What ``people_export`` annotates on each person when identity is exported."""

    partner_identity: bool


# ---------------------------------------------------------------- import jobs


def import_organizations(*, user: Any) -> QuerySet[Organization]:
    """Organizations the user may import into."""
    return Organization.objects.filter(pk__in=scope.org_ids(user, Cap.IMPORT))


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(
        organization_id__in=scope.org_ids(user, Cap.IMPORT)
    ).select_related("organization", "uploaded_by")


def import_job_get(*, user: Any, pk: Any) -> ImportJob:
    try:
        return import_job_list(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


# ---------------------------------------------------------------- exports


@dataclass
class Export:
    kind: str
    headers: list[str]
    rows: Iterator[list[Any]]
    count: int
    filename: str


CHUNK = 2000


def _check_export(user: Any, fmt: str) -> None:
    if not scope.has(user, Cap.EXPORT):
        raise PermissionDeniedError()
    if fmt not in FORMATS:
        raise ApplicationError(_("Unknown format."), extra={"field": "format"})


def _visible_cohort_ids(user: Any, cap: str = Cap.EXPORT) -> QuerySet[Any]:
    from cascada.trainings.selectors import cohort_ids_visible

    return cohort_ids_visible(user=user, cap=cap)


def _cohort_filter(
    user: Any, *, cohort_id: Any = None, program_id: Any = None
) -> QuerySet[Cohort] | None:
    """The visible cohorts the export is limited to, or None for no limit. An id the user
    cannot see is a 404, as everywhere (S2)."""
    if cohort_id in (None, "") and program_id in (None, ""):
        return None
    qs = Cohort.objects.filter(pk__in=_visible_cohort_ids(user))
    try:
        if cohort_id not in (None, ""):
            qs = qs.filter(pk=int(cohort_id))
        if program_id not in (None, ""):
            qs = qs.filter(program_id=int(program_id))
    except (TypeError, ValueError):
        raise NotFoundError() from None
    if not qs.exists():
        raise NotFoundError()
    return qs


def _org_filter(user: Any, organization_id: Any) -> int | None:
    if organization_id in (None, ""):
        return None
    try:
        org = int(organization_id)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    if org not in scope.org_ids(user, Cap.EXPORT):
        raise NotFoundError()
    return org


PEOPLE_HEADERS = [
    "code",
    "sex",
    "birth_year",
    "birth_year_estimated",
    "place_code",
    "place",
    "organization",
    "roles",
]
IDENTITY_HEADERS = ["given_name", "family_name", "id_document", "national_id", "phone"]


def people_export(
    *,
    user: Any,
    fmt: str = "csv",
    organization_id: Any = None,
    program_id: Any = None,
    cohort_id: Any = None,
) -> Export:
    """People the user may export. Identity columns (names, ID number, phone) only for
    users who may read identity, and filled only for the people whose identity they may
    read; everyone else gets pseudonymous rows (S3)."""
    from cascada.registry.selectors import identity_visible_q, person_list

    _check_export(user, fmt)
    qs = person_list(user=user, cap=Cap.EXPORT)
    org = _org_filter(user, organization_id)
    if org is not None:
        qs = qs.filter(organization_id=org)
    cohorts = _cohort_filter(user, cohort_id=cohort_id, program_id=program_id)
    if cohorts is not None:
        qs = qs.filter(pk__in=Enrolment.objects.filter(cohort__in=cohorts).values("person_id"))
    with_identity = scope.has(user, Cap.VIEW_IDENTITY)
    if with_identity:
        # The one identity rule (registry.selectors.identity_visible_q), as an annotation.
        qs = qs.select_related("identity").annotate(
            partner_identity=ExpressionWrapper(
                identity_visible_q(user=user), output_field=BooleanField()
            )
        )
    qs = qs.order_by("pk")
    count = qs.count()
    headers = PEOPLE_HEADERS + (IDENTITY_HEADERS if with_identity else [])

    def rows() -> Iterator[list[Any]]:
        for p in qs.iterator(chunk_size=CHUNK):
            row = [
                p.code,
                p.sex,
                p.birth_year,
                p.birth_year_estimated,
                p.place.code if p.place else "",
                p.place.name if p.place else "",
                str(p.organization),
                ",".join(sorted(r.role for r in p.roles.all())),
            ]
            if with_identity:
                identity = getattr(p, "identity", None)
                # Annotated above whenever ``with_identity``: mypy cannot follow that branch.
                annotated = cast("WithAnnotations[Person, PartnerIdentity]", p)
                visible = annotated.partner_identity
                if identity is not None and visible:
                    row += [
                        identity.given_name,
                        identity.family_name,
                        identity.id_document,
                        identity.national_id,
                        identity.phone,
                    ]
                else:
                    row += [""] * len(IDENTITY_HEADERS)
            yield row

    audit_record(
        actor=user,
        action="export",
        target_type="registry.person",
        detail={"kind": "people", "format": fmt, "count": count, "identity": with_identity},
    )
    return Export("people", headers, rows(), count, f"people.{fmt}")


ENROLMENT_HEADERS = [
    "person_code",
    "cohort_id",
    "cohort",
    "program",
    "status",
    "enrolled_on",
    "sessions_attended",
    "completed",
    "completed_on",
    "certificate",
]


def _within_cohorts(
    qs: Any, user: Any, *, via: str, cohort_id: Any, program_id: Any, organization_id: Any
) -> Any:
    """Rows (reached from their cohort through ``via``) of the cohorts the user may export,
    narrowed to one cohort, program or organization when asked."""
    qs = qs.filter(**{f"{via}_id__in": _visible_cohort_ids(user)})
    cohorts = _cohort_filter(user, cohort_id=cohort_id, program_id=program_id)
    if cohorts is not None:
        qs = qs.filter(**{f"{via}__in": cohorts})
    org = _org_filter(user, organization_id)
    if org is not None:
        qs = qs.filter(**{f"{via}__program__owner_id": org})
    return qs


def enrolments_export(
    *,
    user: Any,
    fmt: str = "csv",
    cohort_id: Any = None,
    program_id: Any = None,
    organization_id: Any = None,
) -> Export:
    """Enrolments of the cohorts the user may export, keyed by person code (pseudonymous)."""
    _check_export(user, fmt)
    qs = _within_cohorts(
        Enrolment.objects.all(),
        user,
        via="cohort",
        cohort_id=cohort_id,
        program_id=program_id,
        organization_id=organization_id,
    )
    qs = qs.select_related("person", "cohort__program", "certificate").order_by("cohort_id", "pk")
    count = qs.count()

    def rows() -> Iterator[list[Any]]:
        for e in qs.iterator(chunk_size=CHUNK):
            certificate = getattr(e, "certificate", None)
            yield [
                e.person.code,
                e.cohort_id,
                e.cohort.name,
                e.cohort.program.name,
                e.status,
                e.enrolled_on,
                e.sessions_attended,
                e.completed,
                e.completed_on,
                certificate.code if certificate and not certificate.revoked else "",
            ]

    audit_record(
        actor=user,
        action="export",
        target_type="trainings.enrolment",
        detail={"kind": "enrolments", "format": fmt, "count": count},
    )
    return Export("enrolments", ENROLMENT_HEADERS, rows(), count, f"enrolments.{fmt}")


ATTENDANCE_HEADERS = ["person_code", "cohort_id", "session_number", "session_date", "status"]


def attendance_export(
    *,
    user: Any,
    fmt: str = "csv",
    cohort_id: Any = None,
    program_id: Any = None,
    organization_id: Any = None,
) -> Export:
    """Attendance marks of the cohorts the user may export, keyed by person code."""
    _check_export(user, fmt)
    qs = _within_cohorts(
        Attendance.objects.all(),
        user,
        via="session__cohort",
        cohort_id=cohort_id,
        program_id=program_id,
        organization_id=organization_id,
    )
    marks = qs.order_by("session__cohort_id", "session__number", "enrolment_id").values_list(
        "enrolment__person__code",
        "session__cohort_id",
        "session__number",
        "session__date",
        "status",
    )
    count = marks.count()

    def rows() -> Iterator[list[Any]]:
        for values in marks.iterator(chunk_size=CHUNK):
            yield list(values)

    audit_record(
        actor=user,
        action="export",
        target_type="trainings.attendance",
        detail={"kind": "attendance", "format": fmt, "count": count},
    )
    return Export("attendance", ATTENDANCE_HEADERS, rows(), count, f"attendance.{fmt}")


EXPORTS = {
    "people": people_export,
    "enrolments": enrolments_export,
    "attendance": attendance_export,
}
