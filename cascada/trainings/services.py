"""Writes about programs, cohorts, sessions, enrolment, attendance and certificates.

The completion rule lives in ``completions_compute`` and nowhere else; every
write that can change completion (attendance, headcount, cancelling a session, adding or
removing sessions) calls ``cohort_completion_recompute``. When a completion changes, the
cascade's lineage is updated incrementally (``cascada.cascade.services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.curricula.models import CurriculumVersion, SessionPlan
from cascada.curricula.services import curriculum_version_freeze, version_total_hours
from cascada.registry.models import ConsentPurpose, Organization, Person, PersonRole, PersonRoleKind
from cascada.registry.selectors import identity_for
from cascada.registry.services import consent_record, person_create

from . import clock
from .hooks import (
    CompletionsChanged,
    FacilitatorsChanged,
    completions_changed,
    facilitators_changed,
)
from .models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Certificate,
    Cohort,
    CohortFacilitator,
    CompletionRule,
    Enrolment,
    EnrolmentStatus,
    Program,
    Session,
)
from .selectors import enrolment_open, may_register_participants
from .selectors import program_org_ids as _org_ids_of


def _require(actor: Any, cap: str, org_ids: Iterable[int]) -> None:
    """The actor holds ``cap`` in at least one of the organizations ``org_ids``."""
    if actor is None:
        return
    if not scope.org_ids(actor, cap) & set(org_ids):
        raise PermissionDeniedError()


def program_org_ids(program: Program) -> frozenset[int]:
    """Asked afresh before every write (``selectors.program_org_ids``)."""
    return _org_ids_of(program, fresh=True)


# ---------------------------------------------------------------- programs


@transaction.atomic
def program_create(
    *,
    actor: Any,
    owner: Organization,
    name: str,
    description: str = "",
    is_court_mandated: bool = False,
) -> Program:
    _require(actor, Cap.MANAGE_PROGRAMS, [owner.pk])
    program = Program(
        owner=owner, name=name.strip(), description=description, is_court_mandated=is_court_mandated
    )
    program.full_clean()
    program.save()
    audit_record(actor=actor, action="create", target=program)
    return program


@transaction.atomic
def program_share(*, actor: Any, program: Program, organization: Organization) -> None:
    """Share a program with a partner organization: its staff then see the program's cohorts."""
    _require(actor, Cap.MANAGE_PROGRAMS, [program.owner_id])
    program.shared_with.add(organization)
    program.__dict__.pop("_org_ids", None)  # the partners just changed
    audit_record(actor=actor, action="share", target=program, detail={"into": organization.pk})


# ---------------------------------------------------------------- cohorts


@transaction.atomic
def cohort_create(
    *,
    actor: Any,
    program: Program,
    name: str,
    kind: str,
    start_date: dt.date,
    modality: str = "in_person",
    curriculum_version: CurriculumVersion | None = None,
    place: Any = None,
    end_date: dt.date | None = None,
    completion_rule: str = CompletionRule.ATTENDANCE,
    min_attendance_pct: int = 80,
    facilitators: Iterable[Person] = (),
) -> Cohort:
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(program))
    if not 1 <= min_attendance_pct <= 100:
        raise ApplicationError(
            _("Minimum attendance must be between 1 and 100%."),
            extra={"field": "min_attendance_pct"},
        )
    if end_date and end_date < start_date:
        raise ApplicationError(
            _("The end date is before the start date."), extra={"field": "end_date"}
        )
    if completion_rule != CompletionRule.ATTENDANCE and curriculum_version is None:
        raise ApplicationError(
            _("A core-module completion rule needs a curriculum version."),
            extra={"field": "completion_rule"},
        )
    cohort = Cohort(
        program=program,
        name=name.strip(),
        kind=kind,
        modality=modality,
        curriculum_version=curriculum_version,
        place=place,
        start_date=start_date,
        end_date=end_date,
        completion_rule=completion_rule,
        min_attendance_pct=min_attendance_pct,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    cohort.full_clean()
    cohort.save()
    if curriculum_version is not None:
        curriculum_version_freeze(version=curriculum_version)
    cohort_facilitators_add(actor=actor, cohort=cohort, people=facilitators)
    audit_record(actor=actor, action="create", target=cohort)
    return cohort


def _figures_changed(*cohorts: Cohort) -> None:
    """News for the apps that count these cohorts (``hooks.cohorts_changed``: the
    indicators refill their programs' figures)."""
    from .hooks import CohortsChanged, cohorts_changed

    for cohort in cohorts:
        # Told already in this write: the completions that follow need no second mark.
        cohort._figures_news_sent = True  # type: ignore[attr-defined]
    # No savepoint of its own (two queries more per write): the news and the write commit
    # or roll back together, and a write outside a transaction gets one here.
    with transaction.atomic(savepoint=False):
        cohorts_changed.send(
            CohortsChanged(
                cohort_ids=tuple(sorted({c.pk for c in cohorts})),
                program_ids=tuple(sorted({c.program_id for c in cohorts})),
            )
        )


def _recorded_sessions(cohort: Cohort) -> Any:
    """Sessions with attendance or a headcount: history that later edits must respect."""
    return cohort.sessions.filter(attendance_taken_at__isnull=False)


@transaction.atomic
def cohort_update(*, actor: Any, cohort: Cohort, **changes: Any) -> Cohort:
    """Edit a cohort. Its status is not edited (it follows the dates; ``cohort_close``).
    Once attendance exists its dates cannot leave out a recorded session, and its kind
    (which decides the cascade's generations) no longer changes."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    allowed = {
        "name",
        "kind",
        "modality",
        "place",
        "start_date",
        "end_date",
        "completion_rule",
        "min_attendance_pct",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changes = {f: v for f, v in changes.items() if getattr(cohort, f) != v}
    rule_changed = any(f in changes for f in ("completion_rule", "min_attendance_pct"))
    if "min_attendance_pct" in changes and not 1 <= changes["min_attendance_pct"] <= 100:
        raise ApplicationError(
            _("Minimum attendance must be between 1 and 100%."),
            extra={"field": "min_attendance_pct"},
        )
    recorded = _recorded_sessions(cohort).order_by("date")
    first, last = recorded.first(), recorded.last()
    if "kind" in changes and first is not None:
        raise ApplicationError(
            _("The kind of a cohort with attendance cannot change."), extra={"field": "kind"}
        )
    start = changes.get("start_date", cohort.start_date)
    end = changes.get("end_date", cohort.end_date)
    if end is not None and end < start:
        raise ApplicationError(
            _("The end date is before the start date."), extra={"field": "end_date"}
        )
    if first is not None and start > first.date:
        raise ApplicationError(
            _("Attendance was taken on %(date)s: the cohort cannot start after that.")
            % {"date": day_month(first.date)},
            extra={"field": "start_date"},
        )
    if last is not None and end is not None and end < last.date:
        raise ApplicationError(
            _("Attendance was taken on %(date)s: the cohort cannot end before that.")
            % {"date": day_month(last.date)},
            extra={"field": "end_date"},
        )
    if "end_date" in changes and cohort.closed_on is None:
        # Moving the end ahead of an issued certificate reopens the cohort: refused as
        # ``cohort_reopen`` refuses it (S14: a correction never rewrites history).
        first_issued = (
            Certificate.objects.filter(enrolment__cohort=cohort, revoked=False)
            .order_by("issued_on")
            .values_list("issued_on", flat=True)
            .first()
        )
        if first_issued is not None and (end is None or end >= first_issued):
            raise ApplicationError(
                _("Certificates were issued for this cohort; it cannot be reopened."),
                code="has_certificates",
                extra={"field": "end_date"},
            )
    for field, value in changes.items():
        setattr(cohort, field, value)
    cohort.full_clean()
    cohort.save()
    audit_record(actor=actor, action="update", target=cohort, detail={"fields": sorted(changes)})
    _figures_changed(cohort)
    if rule_changed or {"start_date", "end_date"} & set(changes):
        cohort_completion_recompute(cohort=cohort)
    return cohort


@transaction.atomic
def cohort_close(*, actor: Any, cohort: Cohort, on: dt.date | None = None) -> Cohort:
    """Close a cohort before its end date: completion becomes final and certificates may
    be issued. Not before its start, nor on a day still to come."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    today = clock.cohort_today(cohort)
    on = on or today
    if on > today or on < cohort.start_date:
        raise ApplicationError(
            _("A cohort is closed between its start date and today."),
            code="close_date",
            extra={"field": "closed_on"},
        )
    if cohort.closed_on is not None:
        return cohort
    cohort.closed_on = on
    cohort.full_clean()
    cohort.save(update_fields=["closed_on", "updated_at"])
    audit_record(actor=actor, action="close", target=cohort, detail={"fields": ["closed_on"]})
    cohort_completion_recompute(cohort=cohort)
    return cohort


@transaction.atomic
def cohort_reopen(*, actor: Any, cohort: Cohort) -> Cohort:
    """Undo a close by hand (refused once a certificate was issued: it is final)."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    if cohort.closed_on is None:
        return cohort
    if Certificate.objects.filter(enrolment__cohort=cohort, revoked=False).exists():
        raise ApplicationError(
            _("Certificates were issued for this cohort; it cannot be reopened."),
            code="certified",
        )
    cohort.closed_on = None
    cohort.save(update_fields=["closed_on", "updated_at"])
    audit_record(actor=actor, action="reopen", target=cohort)
    cohort_completion_recompute(cohort=cohort)
    return cohort


@transaction.atomic
def cohort_delete(*, actor: Any, cohort: Cohort) -> None:
    """Remove a cohort entered by mistake, with its sessions and enrolments. Refused once
    attendance or a headcount was recorded: close it instead (history depends on it)."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    if (
        _recorded_sessions(cohort).exists()
        or Attendance.objects.filter(session__cohort=cohort).exists()
    ):
        raise ApplicationError(
            _("Attendance was recorded in this cohort: it cannot be deleted. Close it instead."),
            code="has_attendance",
        )
    audit_record(
        actor=actor,
        action="delete",
        target=cohort,
        detail={"count": cohort.enrolments.count()},
    )
    _figures_changed(cohort)
    cohort.delete()


def cohort_facilitator_add(
    *, actor: Any, cohort: Cohort, person: Person, is_lead: bool = True
) -> CohortFacilitator:
    """Anyone may be named facilitator; the cascade flags those without a completed ToT."""
    return cohort_facilitators_add(actor=actor, cohort=cohort, people=[person], is_lead=is_lead)[0]


@transaction.atomic
def cohort_facilitators_add(
    *, actor: Any, cohort: Cohort, people: Iterable[Person], is_lead: bool = True
) -> list[CohortFacilitator]:
    """Name several facilitators of a cohort at once: the lineage of its completers moves
    once for all of them (one ``facilitators_changed`` event)."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    links, added = [], []
    for person in people:
        link, created = CohortFacilitator.objects.get_or_create(
            cohort=cohort, person=person, defaults={"is_lead": is_lead}
        )
        links.append(link)
        if created:
            PersonRole.objects.get_or_create(person=person, role=PersonRoleKind.FACILITATOR)
            audit_record(
                actor=actor, action="facilitator_add", target=cohort, detail={"into": person.pk}
            )
            added.append(person.pk)
    if added:
        _lineage_cohort_changed(cohort, added=tuple(added))
        _figures_changed(cohort)
    return links


def schedule_dates(
    *, start: dt.date, count: int, pattern: str, weekdays: Iterable[int] = ()
) -> list[dt.date]:
    """Dates of ``count`` sessions from ``start``.

    ``daily``: consecutive days (an intensive); ``weekly``: the same weekday every week (a
    12-week course); ``weekdays``: the given weekdays every week, e.g. Monday, Wednesday and
    Friday (0, 2, 4) for a group meeting three times a week.
    """
    if not 1 <= count <= 400:
        raise ApplicationError(
            _("A cohort has between 1 and 400 sessions."), extra={"field": "count"}
        )
    if pattern == "daily":
        return [start + dt.timedelta(days=i) for i in range(count)]
    if pattern == "weekly":
        return [start + dt.timedelta(weeks=i) for i in range(count)]
    if pattern == "weekdays":
        days = sorted(set(weekdays))
        if not days or any(d not in range(7) for d in days):
            raise ApplicationError(_("Choose at least one weekday."), extra={"field": "weekdays"})
        out: list[dt.date] = []
        day = start
        while len(out) < count:
            if day.weekday() in days:
                out.append(day)
            day += dt.timedelta(days=1)
        return out
    raise ApplicationError(_("Unknown schedule pattern."), extra={"field": "pattern"})


@transaction.atomic
def sessions_generate(
    *,
    actor: Any,
    cohort: Cohort,
    count: int,
    pattern: str,
    start: dt.date | None = None,
    weekdays: Iterable[int] = (),
    start_time: dt.time | None = None,
) -> list[Session]:
    """Add sessions on a schedule after any the cohort already has. Sessions follow the
    curriculum's session plans in order, so each knows its module."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    dates = schedule_dates(
        start=start or cohort.start_date, count=count, pattern=pattern, weekdays=weekdays
    )
    plans: list[SessionPlan] = []
    if cohort.curriculum_version_id:
        plans = list(
            SessionPlan.objects.filter(module__version_id=cohort.curriculum_version_id)
            .select_related("module")
            .order_by("module__order", "order")
        )
    first = (cohort.sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    sessions = []
    for i, date in enumerate(dates):
        number = first + i
        plan = plans[number - 1] if number - 1 < len(plans) else None
        sessions.append(
            Session(
                cohort=cohort,
                number=number,
                date=date,
                start_time=start_time,
                module=plan.module if plan else None,
                title=plan.title if plan else "",
            )
        )
    created = Session.objects.bulk_create(sessions)
    if cohort.end_date is None or cohort.end_date < dates[-1]:
        cohort.end_date = dates[-1]
        cohort.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor, action="sessions_generate", target=cohort, detail={"count": len(created)}
    )
    cohort_completion_recompute(cohort=cohort)
    return created


@transaction.atomic
def session_update(*, actor: Any, session: Session, **changes: Any) -> Session:
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(session.cohort.program))
    allowed = {"date", "start_time", "title", "cancelled", "module"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    recorded = session.attendance_taken_at is not None or session.attendance.exists()
    if recorded and "date" in changes:
        _recorded_session_date_check(session, changes["date"])
    if recorded and changes.get("cancelled"):
        raise ApplicationError(
            _("Attendance was taken for this session: it cannot be cancelled."),
            code="has_attendance",
            extra={"field": "cancelled"},
        )
    for field, value in changes.items():
        setattr(session, field, value)
    session.full_clean()
    session.save()
    audit_record(actor=actor, action="update", target=session, detail={"fields": sorted(changes)})
    _figures_changed(session.cohort)
    if "cancelled" in changes:
        cohort_completion_recompute(cohort=session.cohort)
    return session


def _recorded_session_date_check(session: Session, date: dt.date) -> None:
    """A session with attendance moves neither to a day still to come, nor after the day
    its attendance was recorded, nor out of its cohort's dates (S14: the correction of a
    date never makes recorded history break the time rules)."""
    cohort = session.cohort
    if date > clock.cohort_today(cohort):
        raise ApplicationError(
            _("Attendance was taken for this session: it cannot move to a day still to come."),
            code="has_attendance",
            extra={"field": "date"},
        )
    taken = session.attendance_taken_at
    if taken is not None:
        taken_on = timezone.localtime(taken, clock.organization_zone(cohort.program.owner)).date()
        if date > taken_on:
            raise ApplicationError(
                _("Attendance was taken on %(date)s: the session cannot move after that.")
                % {"date": day_month(taken_on)},
                code="has_attendance",
                extra={"field": "date"},
            )
    if date < cohort.start_date or (cohort.end_date is not None and date > cohort.end_date):
        raise ApplicationError(
            _("Attendance was taken for this session: it stays within the cohort's dates."),
            code="has_attendance",
            extra={"field": "date"},
        )


@transaction.atomic
def session_delete(*, actor: Any, session: Session) -> None:
    """Remove a session entered by mistake. Refused once attendance or a headcount was
    recorded (cancel is for a meeting that did not happen; history stays)."""
    cohort = session.cohort
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    if session.attendance_taken_at is not None or session.attendance.exists():
        raise ApplicationError(
            _("Attendance was taken for this session: it cannot be deleted."),
            code="has_attendance",
        )
    audit_record(actor=actor, action="delete", target=session, detail={"into": cohort.pk})
    _figures_changed(cohort)
    session.delete()
    cohort_completion_recompute(cohort=cohort)


# ---------------------------------------------------------------- enrolment


def cohort_last_day(cohort: Cohort) -> dt.date | None:
    """The last day people may be enrolled: the day it was closed by hand, else its end
    date (None: open-ended and not closed)."""
    ends = [d for d in (cohort.end_date, cohort.closed_on) if d is not None]
    return min(ends) if ends else None


def enrolment_not_closed(*, cohort: Cohort) -> None:
    """The time rule of enrolling today: nobody is enrolled in a closed cohort (closed by
    hand or past its end date, ``selectors.enrolment_open``). Called by ``enrolment_create``
    and ``participant_register``; the cohort page shows its message instead of the picker."""
    if enrolment_open(cohort=cohort):
        return
    last = cohort_last_day(cohort)
    raise ApplicationError(
        _("This cohort ended on %(date)s: nobody can be enrolled in it any more.")
        % {"date": formats.date_format(last, "DATE_FORMAT") if last else "—"},
        code="cohort_closed",
        extra={"field": "person"},
    )


def _enrolment_date_check(*, cohort: Cohort, enrolled_on: dt.date | None) -> None:
    """An enrolment without a date is made today: refused once the cohort is closed. One
    with its date (an import's historical rows, the API's ``enrolled_on``) records the past:
    refused only when that date is after the cohort's last day, as the importer's dry run
    says (docs/decisions/trainings.md, "A closed cohort takes no enrolments")."""
    if enrolled_on is None:
        enrolment_not_closed(cohort=cohort)
        return
    last = cohort_last_day(cohort)
    if last is not None and enrolled_on > last:
        raise ApplicationError(
            _("The enrolment date is after the last day of the cohort (%(date)s).")
            % {"date": formats.date_format(last, "DATE_FORMAT")},
            code="enrolled_after_end",
            extra={"field": "enrolled_on"},
        )


@transaction.atomic
def enrolment_create(
    *, actor: Any, cohort: Cohort, person: Person, enrolled_on: dt.date | None = None
) -> Enrolment:
    """Enrol a person; enrolling someone already enrolled returns their enrolment. Who
    may: ``selectors.may_register_participants`` (facilitators in their own cohorts).
    A cohort's facilitator is never enrolled in it as a participant: the cascade would
    count him as trained by himself (docs/decisions/roster.md). Nobody is enrolled today
    in a closed cohort; an enrolment given with its date must fall within the cohort
    (``_enrolment_date_check``); re-enrolling someone withdrawn obeys the same rule."""
    if not may_register_participants(user=actor, cohort=cohort):
        _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(cohort.program))
    if person.merged_into is not None:
        raise ApplicationError(
            _("This record was merged into %(code)s.") % {"code": person.merged_into.code}
        )
    if cohort.facilitations.filter(person=person).exists():
        raise ApplicationError(
            _("%(code)s facilitates this cohort and cannot also be enrolled in it.")
            % {"code": person.code},
            code="facilitator_not_participant",
            extra={"field": "person"},
        )
    current = Enrolment.objects.filter(cohort=cohort, person=person).first()
    if current is not None and current.status != EnrolmentStatus.WITHDRAWN:
        return current  # already enrolled: nothing is written
    if actor is not None:  # the system (demo, synthetic data) builds cohorts as they were
        _enrolment_date_check(cohort=cohort, enrolled_on=enrolled_on)
    enrolment, created = Enrolment.objects.get_or_create(
        cohort=cohort, person=person, defaults={"enrolled_on": enrolled_on or timezone.localdate()}
    )
    if created:
        PersonRole.objects.get_or_create(person=person, role=PersonRoleKind.PARTICIPANT)
        audit_record(actor=actor, action="enrol", target=enrolment, detail={"into": cohort.pk})
        _figures_changed(cohort)
        enrolment_completion_compute(enrolment=enrolment)
    elif enrolment.status == EnrolmentStatus.WITHDRAWN:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.save(update_fields=["status"])
        _figures_changed(cohort)
        enrolment_completion_compute(enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_delete(*, actor: Any, enrolment: Enrolment) -> None:
    """Remove an enrolment made by mistake. Once he has attendance (or a certificate) he
    is withdrawn instead (``enrolment_withdraw``): his history stays."""
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(enrolment.cohort.program))
    if enrolment.attendance.exists() or Certificate.objects.filter(enrolment=enrolment).exists():
        raise ApplicationError(
            _("He has attendance in this cohort: withdraw him instead of deleting."),
            code="has_attendance",
        )
    audit_record(
        actor=actor, action="delete", target=enrolment, detail={"into": enrolment.cohort_id}
    )
    _figures_changed(enrolment.cohort)
    enrolment.delete()


@transaction.atomic
def enrolment_withdraw(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    _require(actor, Cap.MANAGE_PROGRAMS, program_org_ids(enrolment.cohort.program))
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save(update_fields=["status"])
    audit_record(actor=actor, action="withdraw", target=enrolment)
    _figures_changed(enrolment.cohort)
    enrolment_completion_compute(enrolment=enrolment)
    return enrolment


# ---------------------------------------------------------------- registering at a session


def _registering_organization(actor: Any, cohort: Cohort) -> Organization:
    """Where a participant registered into ``cohort`` belongs: the program's owner when
    the actor registers people there, else the actor's partner organization running it."""
    program = cohort.program
    if actor is None:
        return program.owner
    orgs = scope.org_ids(actor, Cap.REGISTER_PARTICIPANTS) & program_org_ids(program)
    if program.owner_id in orgs or not orgs:
        return program.owner
    return Organization.objects.get(pk=min(orgs))


@transaction.atomic
def participant_register(
    *,
    actor: Any,
    cohort: Cohort,
    given_name: str,
    family_name: str = "",
    sex: str = "not_stated",
    birth_year: int | None = None,
    age: int | None = None,
    id_document: str = "",
    national_id: str = "",
    participation_consent: bool,
    reporting_consent: bool = False,
    consent_text_version: str,
    allow_duplicate: bool = False,
) -> Enrolment:
    """Register a new participant at a session of ``cohort``, all or nothing: the person
    (``registry.services.person_create``, in ``_registering_organization``, with its
    duplicate check within the actor's scope: ``DuplicatePersonError`` lists the likely
    matches so the caller can enrol one of them instead), the consent read to him on the
    spot (participation, required; aggregate reporting when given: S15) and the
    enrolment. Each step writes its own audit row.

    Who may: ``selectors.may_register_participants`` (coordinators; facilitators only in
    the cohorts they facilitate). The actor reads nothing more about the new man than
    their roster shows (S3)."""

    if not may_register_participants(user=actor, cohort=cohort):
        raise PermissionDeniedError(
            _("You can only register participants in cohorts you facilitate.")
        )
    enrolment_not_closed(cohort=cohort)
    if not participation_consent:
        raise ApplicationError(
            _("He can take part only once he has consented to participate."),
            code="consent_required",
            extra={"field": "participation_consent"},
        )
    if not consent_text_version.strip():
        raise ApplicationError(
            _("Say which version of the consent text was used."),
            extra={"field": "consent_text_version"},
        )
    person = person_create(
        actor=actor,
        organization=_registering_organization(actor, cohort),
        given_name=given_name,
        family_name=family_name,
        sex=sex,
        birth_year=birth_year,
        age=age,
        id_document=id_document,
        national_id=national_id,
        roles=[PersonRoleKind.PARTICIPANT],
        allow_duplicate=allow_duplicate,
        cap=Cap.REGISTER_PARTICIPANTS,
    )
    purposes = [ConsentPurpose.PARTICIPATION]
    if reporting_consent:
        purposes.append(ConsentPurpose.AGGREGATE_REPORTING)
    for purpose in purposes:
        consent_record(
            actor=actor,
            person=person,
            purpose=purpose,
            granted=True,
            text_version=consent_text_version,
        )
    return enrolment_create(actor=actor, cohort=cohort, person=person)


# ---------------------------------------------------------------- attendance


def day_month(date: dt.date) -> str:
    """ "8 de diciembre": a date in a sentence, in the user's language."""
    return formats.date_format(date, pgettext("day and month in a sentence", "F j"))


def session_not_in_future(*, session: Session) -> None:
    """The time rule of attendance: names or a headcount are recorded from the session's
    day on, in the organization's time zone (``clock.cohort_today``)."""
    if session.date > clock.cohort_today(session.cohort):
        raise ApplicationError(
            _("The session is on %(date)s: attendance is recorded from that day.")
            % {"date": day_month(session.date)},
            code="future_session",
        )


def _can_take_attendance(actor: Any, cohort: Cohort) -> None:
    if actor is None:
        return
    orgs = scope.org_ids(actor, Cap.TAKE_ATTENDANCE) & program_org_ids(cohort.program)
    if not orgs:
        raise PermissionDeniedError()
    bound = scope.cohort_bound_org_ids(actor, Cap.TAKE_ATTENDANCE)
    if orgs <= bound:
        # Facilitators take attendance only in cohorts they facilitate.
        person_id = getattr(actor, "person_id", None)
        if not person_id or not cohort.facilitations.filter(person_id=person_id).exists():
            raise PermissionDeniedError(
                _("You can only take attendance in cohorts you facilitate.")
            )


@transaction.atomic
def attendance_record(
    *, actor: Any, session: Session, marks: Mapping[int, str], recompute: bool = True
) -> int:
    """Record attendance for a session: ``marks`` maps enrolment id to a status.

    Re-recording replaces the earlier mark. Returns the number of marks written.
    """
    cohort = session.cohort
    _can_take_attendance(actor, cohort)
    session_not_in_future(session=session)
    if session.headcount is not None:
        raise ApplicationError(
            _(
                "This session has a headcount; names cannot also be taken (nobody is counted twice)."
            ),
            code="headcount_session",
        )
    if session.cancelled:
        raise ApplicationError(_("This session was cancelled."), code="cancelled")
    valid = set(AttendanceStatus.values)
    bad = {s for s in marks.values() if s not in valid}
    if bad:
        raise ApplicationError(
            _("Unknown attendance status: %(s)s") % {"s": ", ".join(sorted(bad))}
        )
    enrolled = set(
        cohort.enrolments.filter(pk__in=list(marks), status=EnrolmentStatus.ENROLLED).values_list(
            "pk", flat=True
        )
    )
    strangers = set(marks) - enrolled
    if strangers:
        raise ApplicationError(
            _("Some people are not enrolled in this cohort."), code="not_enrolled"
        )
    existing = dict(
        Attendance.objects.filter(session=session, enrolment_id__in=list(marks)).values_list(
            "enrolment_id", "id"
        )
    )
    to_update, to_create = [], []
    for enrolment_id, status in marks.items():
        if enrolment_id in existing:
            to_update.append(
                Attendance(
                    id=existing[enrolment_id],
                    session=session,
                    enrolment_id=enrolment_id,
                    status=status,
                )
            )
        else:
            to_create.append(Attendance(session=session, enrolment_id=enrolment_id, status=status))
    Attendance.objects.bulk_create(to_create, batch_size=1000)
    Attendance.objects.bulk_update(to_update, ["status"], batch_size=1000)
    session.attendance_taken_at = timezone.now()
    session.save(update_fields=["attendance_taken_at"])
    audit_record(actor=actor, action="attendance", target=session, detail={"count": len(marks)})
    _figures_changed(session.cohort)
    if recompute:
        news = _CompletionNews(cohort)
        completions_compute(
            cohort=cohort, enrolments=Enrolment.objects.filter(pk__in=list(marks)), news=news
        )
        news.send()  # one piece of news for the whole write: the lineage moves once
    return len(marks)


@transaction.atomic
def session_headcount_set(*, actor: Any, session: Session, headcount: int | None) -> Session:
    """Record how many came to a session where names were not taken."""
    _can_take_attendance(actor, session.cohort)
    if headcount is not None:
        session_not_in_future(session=session)
    if headcount is not None and headcount < 0:
        raise ApplicationError(_("A headcount cannot be negative."), extra={"field": "headcount"})
    if headcount is not None and session.attendance.exists():
        raise ApplicationError(
            _("Names were already taken for this session; a headcount would count people twice."),
            code="named_session",
        )
    session.headcount = headcount
    session.attendance_taken_at = timezone.now() if headcount is not None else None
    session.save(update_fields=["headcount", "attendance_taken_at"])
    audit_record(actor=actor, action="headcount", target=session, detail={"count": headcount})
    _figures_changed(session.cohort)
    cohort_completion_recompute(cohort=session.cohort)
    return session


# ---------------------------------------------------------------- completion


def _named_sessions(cohort: Cohort) -> Any:
    """Sessions that count towards completion: not cancelled, not headcount-only."""
    return cohort.sessions.filter(cancelled=False, headcount__isnull=True)


def enrolment_completion_compute(*, enrolment: Enrolment) -> bool:
    """Apply the cohort's completion rule to one enrolment (``completions_compute``)."""
    news = _CompletionNews(enrolment.cohort)
    changed = completions_compute(cohort=enrolment.cohort, enrolments=[enrolment], news=news)
    news.send()
    return bool(changed)


def completions_compute(
    *,
    cohort: Cohort,
    enrolments: Iterable[Enrolment],
    news: _CompletionNews,
    context: dict[str, Any] | None = None,
) -> int:
    """Apply the cohort's completion rule to enrolments of one cohort and cache the result:
    the one place the rule lives.

    - attendance: sessions attended (present or make-up) ≥ min_attendance_pct of the
      cohort's sessions (cancelled and headcount-only sessions are left out);
    - core_modules: at least one session of every core module of the curriculum attended;
    - both: both of the above.
    A withdrawn enrolment is never complete. Meeting the rule is cached as ``meets_rule``
    ("on track" while the cohort runs); ``completed`` (final: the cascade's lineage and
    certificates count only it) is set only once the cohort is over (``clock.cohort_is_over``:
    its end date has passed or it was closed by hand).

    One read of the attendance and one bulk update for the whole set, whatever its size;
    changed completions are added to ``news`` (sent by the caller once the write is done).
    Returns how many enrolments' ``completed`` changed.
    """
    enrolments = list(enrolments)
    ctx = context if context is not None else cohort_completion_context(cohort)
    attended_by: dict[int, list[tuple[dt.date, int | None]]] = {e.pk: [] for e in enrolments}
    for enrolment_id, date, module_id in Attendance.objects.filter(
        enrolment_id__in=list(attended_by),
        status__in=ATTENDED,
        session__cancelled=False,
        session__headcount__isnull=True,
    ).values_list("enrolment_id", "session__date", "session__module_id"):
        attended_by[enrolment_id].append((date, module_id))
    dirty: list[Enrolment] = []
    changed = 0
    for enrolment in enrolments:
        attended_sessions = attended_by[enrolment.pk]
        attended = len(attended_sessions)
        done = enrolment.status == EnrolmentStatus.ENROLLED and ctx["total"] > 0
        if done and cohort.completion_rule in (CompletionRule.ATTENDANCE, CompletionRule.BOTH):
            done = attended * 100 >= cohort.min_attendance_pct * ctx["total"]
        if done and cohort.completion_rule in (CompletionRule.CORE_MODULES, CompletionRule.BOTH):
            done = ctx["core_modules"] <= {m for _d, m in attended_sessions if m}
        meets = done
        done = meets and ctx["over"]
        completed_on = max((d for d, _m in attended_sessions), default=None) if done else None
        if done != enrolment.completed:
            changed += 1
            (news.gained if done else news.lost).append(enrolment.person_id)
        if (
            done != enrolment.completed
            or meets != enrolment.meets_rule
            or attended != enrolment.sessions_attended
            or completed_on != enrolment.completed_on
        ):
            enrolment.completed = done
            enrolment.meets_rule = meets
            enrolment.completed_on = completed_on
            enrolment.sessions_attended = attended
            dirty.append(enrolment)
    _completions_save(dirty)
    return changed


_COMPLETION_FIELDS = ("completed", "meets_rule", "completed_on", "sessions_attended")


def _completions_save(enrolments: list[Enrolment]) -> None:
    """Write the cached completion of changed enrolments. A write usually moves them all
    the same way (the last session: everybody now complete, three sessions attended), so
    enrolments with the same new values share one plain UPDATE; when they differ in many
    ways, one ``bulk_update`` (a CASE per field, dearer to build) serves them all."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for e in enrolments:
        groups.setdefault(tuple(getattr(e, f) for f in _COMPLETION_FIELDS), []).append(e.pk)
    if len(groups) > 3:
        Enrolment.objects.bulk_update(enrolments, list(_COMPLETION_FIELDS), batch_size=1000)
        return
    for values, ids in groups.items():
        Enrolment.objects.filter(pk__in=ids).update(
            **dict(zip(_COMPLETION_FIELDS, values, strict=True))
        )


class _CompletionNews:
    """The completions one write changed in a cohort, sent up as ONE ``completions_changed``
    event when the write is done (the cascade then moves the lineage once, not per person)."""

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        self.gained: list[int] = []
        self.lost: list[int] = []

    def send(self) -> None:
        if not (self.gained or self.lost):
            return
        # Part of the write (no savepoint of its own); callers outside a transaction (a
        # command) get one.
        with transaction.atomic(savepoint=False):
            completions_changed.send(
                CompletionsChanged(
                    cohort=self.cohort, gained=tuple(self.gained), lost=tuple(self.lost)
                )
            )
        self.gained, self.lost = [], []


def cohort_completion_context(cohort: Cohort) -> dict[str, Any]:
    core: set[int] = set()
    if cohort.curriculum_version is not None:
        core = set(
            cohort.curriculum_version.modules.filter(is_core=True).values_list("pk", flat=True)
        )
    return {
        "total": _named_sessions(cohort).count(),
        "core_modules": core,
        "over": clock.cohort_is_over(cohort),
    }


def cohort_completion_recompute(*, cohort: Cohort) -> int:
    """Re-apply the completion rule to every enrolment of a cohort. Returns how many changed."""
    news = _CompletionNews(cohort)
    changed = completions_compute(cohort=cohort, enrolments=cohort.enrolments.all(), news=news)
    news.send()
    return changed


def cohorts_finalize(*, now: dt.datetime | None = None) -> int:
    """Make completion final in every cohort that is over but not yet final (its end date
    passed since the last write), and undo completions of cohorts not over (old data).
    Run daily (``cascada cohorts_finalize``); idempotent. Returns enrolments changed."""
    changed = 0
    pending = Cohort.objects.filter(
        clock.status_q(clock.CLOSED, now=now),
        enrolments__meets_rule=True,
        enrolments__completed=False,
    )
    early = Cohort.objects.exclude(clock.status_q(clock.CLOSED, now=now)).filter(
        enrolments__completed=True
    )
    for cohort in (pending | early).distinct().select_related("program__owner"):
        with transaction.atomic():
            changed += cohort_completion_recompute(cohort=cohort)
    return changed


def _lineage_cohort_changed(cohort: Cohort, *, added: tuple[int, ...] = ()) -> None:
    with transaction.atomic(savepoint=False):  # part of the write; a command gets one
        facilitators_changed.send(FacilitatorsChanged(cohort=cohort, added=added))


# ---------------------------------------------------------------- certificates


@transaction.atomic
def certificate_issue(*, actor: Any, enrolment: Enrolment) -> Certificate:
    """Issue (or return the existing) certificate for a completed enrolment."""
    _require(actor, Cap.ISSUE_CERTIFICATES, program_org_ids(enrolment.cohort.program))
    _cohort_over_for_certificates(enrolment.cohort)
    if enrolment.meets_rule and not enrolment.completed:
        # The cohort ended since the last write: completion becomes final now.
        enrolment_completion_compute(enrolment=enrolment)
    if not enrolment.completed:
        raise ApplicationError(
            _("Only people who completed the cohort receive a certificate."), code="not_completed"
        )
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing
    version = enrolment.cohort.curriculum_version
    hours = version_total_hours(version) if version else 0
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        issued_on=timezone.localdate(),
        hours=hours,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="certificate_issue", target=certificate)
    return certificate


def certificate_download(*, actor: Any, certificate: Certificate, base_url: str) -> bytes:
    """The certificate as PDF, with the holder's full name, for a user who may read it
    (``certificate`` comes from ``selectors.certificate_get``). Audited: it carries a name.
    The web page and the API both call this, so the rule lives once."""

    from .certificate_pdf import certificate_pdf

    identity = identity_for(user=actor, person=certificate.enrolment.person)
    if identity is None:
        raise NotFoundError()
    content = certificate_pdf(certificate, participant_name=identity.full_name, base_url=base_url)
    audit_record(actor=actor, action="certificate_download", target=certificate)
    return content


def _cohort_over_for_certificates(cohort: Cohort) -> None:
    if not clock.cohort_is_over(cohort):
        raise ApplicationError(
            _("Certificates are issued once the cohort has ended (%(date)s) or has been closed.")
            % {"date": day_month(cohort.end_date) if cohort.end_date else "—"},
            code="cohort_not_over",
        )


@transaction.atomic
def certificates_issue_for_cohort(*, actor: Any, cohort: Cohort) -> list[Certificate]:
    """Certificates for everyone whose completion is final; only once the cohort is over."""
    _require(actor, Cap.ISSUE_CERTIFICATES, program_org_ids(cohort.program))
    _cohort_over_for_certificates(cohort)
    if cohort.enrolments.filter(meets_rule=True, completed=False).exists():
        cohort_completion_recompute(cohort=cohort)
    return [
        certificate_issue(actor=actor, enrolment=e)
        for e in cohort.enrolments.filter(completed=True).select_related(
            "cohort__curriculum_version"
        )
    ]


# ---------------------------------------------------------------- merging people


def trainings_person_reassign(*, source: Person, target: Person) -> dict[str, int]:
    """Move a duplicate person's enrolments and facilitation to the kept record.
    Where both were enrolled in the same cohort, the attendance marks are combined (the
    best mark per session wins) and the duplicate enrolment removed."""
    moved = {"enrolments": 0, "facilitations": 0}
    rank: dict[str, int] = {
        AttendanceStatus.PRESENT: 3,
        AttendanceStatus.MAKEUP: 2,
        AttendanceStatus.EXCUSED: 1,
        AttendanceStatus.ABSENT: 0,
    }
    for enrolment in Enrolment.objects.filter(person=source).select_related("cohort"):
        twin = Enrolment.objects.filter(person=target, cohort=enrolment.cohort).first()
        if twin is None:
            enrolment.person = target
            enrolment.save(update_fields=["person"])
            moved["enrolments"] += 1
            continue
        theirs = {a.session_id: a for a in twin.attendance.all()}
        for mark in enrolment.attendance.all():
            kept = theirs.get(mark.session_id)
            if kept is None:
                Attendance.objects.create(
                    session_id=mark.session_id, enrolment=twin, status=mark.status
                )
            elif rank[mark.status] > rank[kept.status]:
                kept.status = mark.status
                kept.save(update_fields=["status"])
        if hasattr(enrolment, "certificate"):
            raise ApplicationError(
                _("Both records hold a certificate for the same cohort; revoke one first.")
            )
        enrolment.delete()
        enrolment_completion_compute(enrolment=twin)
        moved["enrolments"] += 1
    for link in CohortFacilitator.objects.filter(person=source):
        if not CohortFacilitator.objects.filter(cohort=link.cohort, person=target).exists():
            link.person = target
            link.save(update_fields=["person"])
            moved["facilitations"] += 1
        else:
            link.delete()
    return moved  # the cascade's lineage follows through its own person_merged receiver
