"""Reads for imports and exports, scoped to the user (S2).

Exports read through the registry's and trainings' scoped selectors, show identity
columns only to roles that may read identity (S3) and are audited as ``export`` (S10).
Rows are produced lazily so that a large export streams. Headers and values (sex, role,
document type, status, yes/no) are in the active language, fixed when the export is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.registry.models import Identity, Organization, Person, PersonRole
from cascada.trainings.models import Attendance, Cohort, Enrolment

from .formats import EXTENSIONS, FORMATS
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


# Columns: (key, header). Headers are translated when the export is made, in the
# language of the user who asks (the web request's, the CLI's --language). Spanish and
# English headers are among the column names the importer accepts wherever a column can
# be imported back (code, cohort, session, date, status, sex, birth year, identity).
PEOPLE_COLUMNS = [
    ("code", _("Code")),
    ("sex", _("Sex")),
    ("birth_year", _("Birth year")),
    ("birth_year_estimated", _("Birth year estimated")),
    ("place_code", _("Place code")),
    ("place", _("Place")),
    ("organization", _("Organization")),
    ("roles", _("Roles")),
]
IDENTITY_COLUMNS = [
    ("given_name", _("Given names")),
    ("family_name", _("Family name")),
    ("id_document", _("Document type")),
    ("national_id", _("ID number")),
    ("phone", _("Phone")),
]
PEOPLE_HEADERS = [key for key, _label in PEOPLE_COLUMNS]
IDENTITY_HEADERS = [key for key, _label in IDENTITY_COLUMNS]
YES_NO = {True: pgettext_lazy("export value", "Yes"), False: pgettext_lazy("export value", "No")}
# An enrolment's status as one person's value (the model's labels are column titles).
ENROLMENT_STATUS = {
    "enrolled": pgettext_lazy("export value", "Enrolled"),
    "withdrawn": pgettext_lazy("export value", "Withdrawn"),
}


def _headers(columns: list[tuple[str, Any]]) -> list[str]:
    return [str(label) for _key, label in columns]


def _labels(choices: Any) -> dict[Any, str]:
    """A model field's choices as text in the active language (a value without a label
    stays itself)."""
    return {value: str(label) for value, label in choices}


def _word(labels: dict[Any, str], value: Any) -> Any:
    return labels.get(value, value)


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
    headers = _headers(PEOPLE_COLUMNS + (IDENTITY_COLUMNS if with_identity else []))
    sexes = _labels(Person._meta.get_field("sex").choices or [])
    roles = _labels(PersonRole._meta.get_field("role").choices or [])
    documents = _labels(Identity._meta.get_field("id_document").choices or [])
    yes_no = {key: str(word) for key, word in YES_NO.items()}

    def rows() -> Iterator[list[Any]]:
        for p in qs.iterator(chunk_size=CHUNK):
            row = [
                p.code,
                _word(sexes, p.sex),
                p.birth_year,
                yes_no[bool(p.birth_year_estimated)],
                p.place.code if p.place else "",
                p.place.name if p.place else "",
                str(p.organization),
                ", ".join(sorted(_word(roles, r.role) for r in p.roles.all())),
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
                        _word(documents, identity.id_document),
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
    return Export("people", headers, rows(), count, _filename("people", fmt))


ENROLMENT_COLUMNS = [
    ("person_code", _("Code")),
    ("cohort_id", _("Cohort")),
    ("cohort", _("Cohort name")),
    ("program", _("Program")),
    ("status", _("Status")),
    ("enrolled_on", _("Enrolment date")),
    ("sessions_attended", _("Sessions attended")),
    ("completed", pgettext_lazy("export header", "Completed")),
    ("completed_on", _("Completion date")),
    ("certificate", _("Certificate")),
]
ENROLMENT_HEADERS = [key for key, _label in ENROLMENT_COLUMNS]


def _filename(kind: str, fmt: str) -> str:
    return f"{kind}.{EXTENSIONS[fmt]}"


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
    statuses = {key: str(word) for key, word in ENROLMENT_STATUS.items()}
    yes_no = {key: str(word) for key, word in YES_NO.items()}

    def rows() -> Iterator[list[Any]]:
        for e in qs.iterator(chunk_size=CHUNK):
            certificate = getattr(e, "certificate", None)
            yield [
                e.person.code,
                e.cohort_id,
                e.cohort.name,
                e.cohort.program.name,
                _word(statuses, e.status),
                e.enrolled_on,
                e.sessions_attended,
                yes_no[bool(e.completed)],
                e.completed_on,
                certificate.code if certificate and not certificate.revoked else "",
            ]

    audit_record(
        actor=user,
        action="export",
        target_type="trainings.enrolment",
        detail={"kind": "enrolments", "format": fmt, "count": count},
    )
    headers = _headers(ENROLMENT_COLUMNS)
    return Export("enrolments", headers, rows(), count, _filename("enrolments", fmt))


ATTENDANCE_COLUMNS = [
    ("person_code", _("Code")),
    ("cohort_id", _("Cohort")),
    ("session_number", _("Session")),
    ("session_date", _("Date")),
    ("status", _("Status")),
]
ATTENDANCE_HEADERS = [key for key, _label in ATTENDANCE_COLUMNS]


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
    statuses = _labels(Attendance._meta.get_field("status").choices or [])

    def rows() -> Iterator[list[Any]]:
        for code, cohort, number, date, status in marks.iterator(chunk_size=CHUNK):
            yield [code, cohort, number, date, _word(statuses, status)]

    audit_record(
        actor=user,
        action="export",
        target_type="trainings.attendance",
        detail={"kind": "attendance", "format": fmt, "count": count},
    )
    headers = _headers(ATTENDANCE_COLUMNS)
    return Export("attendance", headers, rows(), count, _filename("attendance", fmt))


EXPORTS = {
    "people": people_export,
    "enrolments": enrolments_export,
    "attendance": attendance_export,
}
