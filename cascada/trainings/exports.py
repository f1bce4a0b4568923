"""Enrolment and attendance exports, and the people export narrowed to a program or
cohort: scoped to the user (S2), keyed by person code (pseudonymous), audited as
``export`` (S10). Headers and values are in the active language; files are written by
``imports.formats`` (``cell``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import NotFoundError
from cascada.imports.exports import (
    CHUNK,
    Export,
    export_check,
    export_filename,
    headers,
    labels,
    org_filter,
    word,
    yes_no,
)
from cascada.registry import exports as registry_exports

from .models import Attendance, Cohort, Enrolment
from .selectors import cohort_ids_visible, cohorts_visible_q

# An enrolment's status as one person's value (the model's labels are column titles).
ENROLMENT_STATUS = {
    "enrolled": pgettext_lazy("export value", "Enrolled"),
    "withdrawn": pgettext_lazy("export value", "Withdrawn"),
}


def _cohort_filter(
    user: Any, *, cohort_id: Any = None, program_id: Any = None
) -> QuerySet[Cohort] | None:
    """The visible cohorts the export is limited to, or None for no limit. An id the user
    cannot see is a 404, as everywhere (S2)."""
    if cohort_id in (None, "") and program_id in (None, ""):
        return None
    qs = Cohort.objects.filter(cohorts_visible_q(user=user, cap=Cap.EXPORT))
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


def people_export(
    *,
    user: Any,
    fmt: str = "csv",
    organization_id: Any = None,
    program_id: Any = None,
    cohort_id: Any = None,
) -> Export:
    """The registry's people export, narrowed to the people enrolled in a program or
    cohort the user may export."""
    export_check(user, fmt)
    cohorts = _cohort_filter(user, cohort_id=cohort_id, program_id=program_id)
    within = (
        Enrolment.objects.filter(cohort__in=cohorts).values("person_id")
        if cohorts is not None
        else None
    )
    return registry_exports.people_export(
        user=user, fmt=fmt, organization_id=organization_id, within=within
    )


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


def _within_cohorts(
    qs: Any, user: Any, *, via: str, cohort_id: Any, program_id: Any, organization_id: Any
) -> Any:
    """Rows (reached from their cohort through ``via``) of the cohorts the user may export,
    narrowed to one cohort, program or organization when asked."""
    qs = qs.filter(**{f"{via}_id__in": cohort_ids_visible(user=user, cap=Cap.EXPORT)})
    cohorts = _cohort_filter(user, cohort_id=cohort_id, program_id=program_id)
    if cohorts is not None:
        qs = qs.filter(**{f"{via}__in": cohorts})
    org = org_filter(user, organization_id)
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
    export_check(user, fmt)
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
    statuses = {key: str(text) for key, text in ENROLMENT_STATUS.items()}
    yes = yes_no()

    def rows() -> Iterator[list[Any]]:
        for e in qs.iterator(chunk_size=CHUNK):
            certificate = getattr(e, "certificate", None)
            yield [
                e.person.code,
                e.cohort_id,
                e.cohort.name,
                e.cohort.program.name,
                word(statuses, e.status),
                e.enrolled_on,
                e.sessions_attended,
                yes[bool(e.completed)],
                e.completed_on,
                certificate.code if certificate and not certificate.revoked else "",
            ]

    audit_record(
        actor=user,
        action="export",
        target_type="trainings.enrolment",
        detail={"kind": "enrolments", "format": fmt, "count": count},
    )
    titles = headers(ENROLMENT_COLUMNS)
    return Export("enrolments", titles, rows(), count, export_filename("enrolments", fmt))


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
    export_check(user, fmt)
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
    statuses = labels(Attendance._meta.get_field("status").choices or [])

    def rows() -> Iterator[list[Any]]:
        for code, cohort, number, date, status in marks.iterator(chunk_size=CHUNK):
            yield [code, cohort, number, date, word(statuses, status)]

    audit_record(
        actor=user,
        action="export",
        target_type="trainings.attendance",
        detail={"kind": "attendance", "format": fmt, "count": count},
    )
    titles = headers(ATTENDANCE_COLUMNS)
    return Export("attendance", titles, rows(), count, export_filename("attendance", fmt))


# The exports the web page and the CLI offer, by name.
EXPORTS: dict[str, Callable[..., Export]] = {
    "people": people_export,
    "enrolments": enrolments_export,
    "attendance": attendance_export,
}
