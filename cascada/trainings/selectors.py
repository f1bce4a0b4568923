"""Reads about programs, cohorts, sessions and attendance, scoped to the user (S2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import NotFoundError
from cascada.curricula.models import CurriculumVersion
from cascada.registry.hooks import OrganizationsReached, PeopleReached
from cascada.registry.models import Consent, ConsentPurpose, Organization, Person
from cascada.registry.selectors import identities_reveal, person_list, person_search_reveal

from . import clock
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

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CohortCounts(TypedDict):
    """What ``cohort_list`` annotates on each cohort."""

    n_enrolled: int
    n_completed: int


class SessionCounts(TypedDict):
    """What ``session_list`` and ``session_list_visible`` annotate on each session."""

    n_present: int
    n_marked: int


def _exact_orgs(user: Any) -> tuple[set[int], set[int], set[int]]:
    """The organizations that decide ``sees_exact``: where the user sees all the people
    (``VIEW_PEOPLE`` not bound to cohorts), where only the people of the cohorts they
    facilitate, and where they see every cohort's aggregates (``VIEW_AGGREGATES`` not
    bound: a viewer's role)."""
    people = scope.org_ids(user, Cap.VIEW_PEOPLE)
    bound = scope.cohort_bound_org_ids(user, Cap.VIEW_PEOPLE)
    aggregates = scope.org_ids(user, Cap.VIEW_AGGREGATES) - scope.cohort_bound_org_ids(
        user, Cap.VIEW_AGGREGATES
    )
    return people - bound, bound, aggregates


def _exact(behind: Any, orgs: tuple[set[int], set[int], set[int]]) -> Any:
    """``sees_exact`` over "some organization behind the program is in this set"
    (``behind``): all the people there; or only the facilitated cohorts' people, when no
    organization behind the program shows this user every cohort's aggregates (a
    facilitator who is also a viewer counts cohorts whose people he does not see)."""
    everyone, facilitated, aggregates = orgs
    return behind(everyone) | (behind(facilitated) & ~behind(aggregates))


def program_list(*, user: Any, cap: str = Cap.VIEW_AGGREGATES) -> QuerySet[Program]:
    orgs = scope.org_ids(user, cap)
    if not orgs:
        return Program.objects.none()

    def behind(of: set[int]) -> Q:
        shared = Program.shared_with.through.objects.filter(
            program_id=OuterRef("pk"), organization_id__in=of
        )
        return Q(owner_id__in=of) | Q(Exists(shared))

    return (
        Program.objects.filter(Q(owner_id__in=orgs) | Q(shared_with__in=orgs))
        .distinct()
        .select_related("owner")
        # Whether the user may see the people behind this program's figures (exact counts)
        # or only suppressed aggregates (S17), without another query per program.
        .annotate(
            user_sees_people=ExpressionWrapper(
                _exact(behind, _exact_orgs(user)), output_field=BooleanField()
            )
        )
    )


def sees_exact(*, user: Any, program: Any = None) -> bool:
    """S17, ADR 0006: the one answer to "does this user see exact counts?". Only a user
    with access to the people (``VIEW_PEOPLE``) in an organization behind the program (its
    owner or a partner it is shared with; any organization when no program is given) sees
    exact figures; everyone else sees the protected release of ``core.privacy``. Access
    bound to the cohorts one facilitates counts only where no organization behind the
    program also shows the user every cohort (``_exact``).
    ``program_list`` computes the same answer in SQL as ``user_sees_people``, and
    ``exact_program_ids`` for many programs at once."""
    if program is None:
        return scope.has(user, Cap.VIEW_PEOPLE)
    annotated = getattr(program, "user_sees_people", None)
    if annotated is not None:
        return bool(annotated)
    behind = program_org_ids(program)
    everyone, facilitated, aggregates = _exact_orgs(user)  # as ``_exact``, in Python
    return bool(everyone & behind) or bool(facilitated & behind and not aggregates & behind)


def exact_program_ids(*, user: Any) -> set[int]:
    """The programs whose exact counts the user sees (``sees_exact``), in one query."""
    return {
        p.pk
        for p in program_list(user=user).only("pk", "owner")
        if sees_exact(user=user, program=p)
    }


def program_get(*, user: Any, pk: Any, cap: str = Cap.VIEW_AGGREGATES) -> Program:
    try:
        return program_list(user=user, cap=cap).get(pk=pk)
    except (Program.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def cohorts_visible_q(*, user: Any, cap: str) -> Q:
    """THE rule of which cohorts a user reaches with ``cap``: cohorts of programs their
    organizations own or share; where the role is bound to its cohorts (facilitators),
    only the cohorts they facilitate. Written over ``program_id`` and subqueries, not
    joins, so that a list filtered by it can walk an index on the cohort's own columns
    (docs/decisions/pages-at-scale.md)."""
    orgs = scope.org_ids(user, cap)
    if not orgs:
        return Q(pk__in=[])
    bound = scope.cohort_bound_org_ids(user, cap)
    full = orgs - bound

    def programs(of: set[int]) -> QuerySet[Any]:
        return Program.objects.filter(Q(owner_id__in=of) | Q(shared_with__in=of)).values("pk")

    q = Q(pk__in=[])
    if full:
        q |= Q(program_id__in=programs(full))
    if bound and getattr(user, "person_id", None):
        facilitated = CohortFacilitator.objects.filter(person_id=user.person_id)
        q |= Q(program_id__in=programs(bound), pk__in=facilitated.values("cohort_id"))
    return q


def cohort_ids_visible(*, user: Any, cap: str) -> QuerySet[Any]:
    """Ids of cohorts the user reaches with ``cap``, as a subquery (``cohorts_visible_q``)."""
    return Cohort.objects.filter(cohorts_visible_q(user=user, cap=cap)).values("pk")


# ---------------------------------------------------------------- the registry's questions


def people_reached(asked: PeopleReached) -> Q:
    """The registry asks which people a user reaches through cohorts (``registry/hooks.py``):
    people enrolled in, or (unless ``belonging``) facilitating, a cohort of a program the
    user's organizations own or share, as subqueries (an OR across LEFT JOINs of enrolments
    and facilitations defeats every index: 10x slower at 100,000 people,
    docs/performance.md)."""
    cohorts = cohort_ids_visible(user=asked.user, cap=asked.cap)
    enrolments = Enrolment.objects.filter(cohort_id__in=cohorts)
    if asked.person_ids is not None:
        enrolments = enrolments.filter(person_id__in=list(asked.person_ids))
    q = Q(pk__in=enrolments.values("person_id"))
    if not asked.belonging:
        q |= Q(pk__in=CohortFacilitator.objects.filter(cohort_id__in=cohorts).values("person_id"))
    return q


def organizations_reached(asked: OrganizationsReached) -> Q:
    """The registry asks which organizations members of ``org_ids`` see: the owners and
    partners of programs those organizations own or partner in."""
    mine = asked.org_ids
    owners = Program.objects.filter(Q(owner_id__in=mine) | Q(shared_with__in=mine)).values(
        "owner_id"
    )
    partners = Program.shared_with.through.objects.filter(program__owner_id__in=mine).values(
        "organization_id"
    )
    return Q(pk__in=owners) | Q(pk__in=partners)


def _enrolment_count(**filters: Any) -> Coalesce:
    """How many enrolments of the outer cohort match ``filters``, as a correlated
    subquery: it is computed for the rows returned (a page), not for every visible cohort
    before sorting as a JOIN + GROUP BY would (docs/performance.md)."""
    return Coalesce(
        Subquery(
            Enrolment.objects.filter(cohort=OuterRef("pk"), **filters)
            .order_by()
            .values("cohort")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def cohort_list(
    *, user: Any, cap: str = Cap.VIEW_AGGREGATES
) -> QuerySet[WithAnnotations[Cohort, CohortCounts]]:
    return (
        Cohort.objects.filter(cohorts_visible_q(user=user, cap=cap))
        .select_related("program__owner", "place", "curriculum_version__curriculum")
        .annotate(
            n_enrolled=_enrolment_count(status=EnrolmentStatus.ENROLLED),
            # Exact counts, for roles that see the people (``sees_exact``); viewers get
            # no per-cohort counts, only the program's release (ADR 0006).
            n_completed=_enrolment_count(completed=True),
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


def session_list(*, user: Any, cohort: Cohort) -> QuerySet[WithAnnotations[Session, SessionCounts]]:
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
    """Who is enrolled and how each was marked at this session, labelled by person code
    only: what a caller needs to read or check marks. No names, so nothing is audited;
    the roster page and the attendance API use ``session_roster_reveal``."""
    return _session_roster(user=user, session=session, reveal=False)


def session_roster_reveal(*, user: Any, session: Session) -> list[RosterRow]:
    """The roster as shown: names through the identity rule (full names where the user
    may read the identity, given name and initial for their rosters, else the code, S3).
    Showing them writes one audit row about the session (S10)."""
    return _session_roster(user=user, session=session, reveal=True)


def _session_roster(*, user: Any, session: Session, reveal: bool) -> list[RosterRow]:

    enrolments = list(
        enrolment_list(user=user, cohort=session.cohort).filter(status=EnrolmentStatus.ENROLLED)
    )
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    names: dict[int, str] = {}
    if reveal:
        people = [e.person for e in enrolments]
        names = identities_reveal(user=user, people=people, short=True, target=session)
    rows = [
        RosterRow(e, names.get(e.person_id, e.person.code), marks.get(e.pk)) for e in enrolments
    ]
    rows.sort(key=lambda r: r.name.casefold())
    return rows


def sessions_missing_attendance(*, user: Any, today: dt.date | None = None) -> QuerySet[Session]:
    """Expected sessions (past, not cancelled) with no attendance and no headcount.

    ``attendance_taken_at`` is set by the services that record names or a headcount, so
    the partial index ``session_missing_idx`` narrows the sessions to those never taken
    before the marks are checked (docs/performance.md)."""
    today = today or timezone.localdate()
    return (
        Session.objects.filter(
            cohort_id__in=cohort_ids_visible(user=user, cap=Cap.VIEW_AGGREGATES),
            date__lt=today,
            cancelled=False,
            headcount__isnull=True,
            attendance_taken_at__isnull=True,
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


# ---------------------------------------------------------------- pages


def cohort_list_filtered(
    *,
    user: Any,
    program: Any = None,
    kind: str = "",
    status: str = "",
    year: int | None = None,
    text: str = "",
) -> QuerySet[Cohort]:
    """The cohort list with the filters of the cohorts page (all optional)."""
    qs = cohort_list(user=user)
    if program:
        qs = qs.filter(program_id=program)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(clock.status_q(status))
    if year:
        qs = qs.filter(start_date__year=year)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(program__name__icontains=text))
    return qs.order_by("-start_date", "name", "pk")


def _status_order(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Running first, then planned, then closed; newest first within (the home page)."""
    rank = Case(
        When(clock.status_q(clock.RUNNING), then=Value(0)),
        When(clock.status_q(clock.PLANNED), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.alias(status_rank=rank).order_by("status_rank", "-start_date", "name", "pk")


def cohorts_shown_by_status(
    *, user: Any, limit: int
) -> QuerySet[WithAnnotations[Cohort, CohortCounts]]:
    """The first ``limit`` cohorts of ``cohort_list`` (running first, then planned, then
    closed; newest first within) with its counts, in one statement whose cost follows
    ``limit``, not the visible cohorts: the ids are ordered and cut in SQL first, and only
    those few cohorts join their enrolments (one GROUP BY, no count per visible cohort;
    issue 15, docs/decisions/pages-at-scale.md)."""
    shown = _status_order(
        Cohort.objects.filter(cohorts_visible_q(user=user, cap=Cap.VIEW_AGGREGATES))
    ).values("pk")[:limit]
    return _status_order(
        Cohort.objects.filter(pk__in=shown)
        .select_related("program__owner", "place", "curriculum_version__curriculum")
        .annotate(
            n_enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
            n_completed=Count("enrolments", filter=Q(enrolments__completed=True)),
        )
    )


@dataclass
class SessionRow:
    session: Session
    n_present: int
    n_marked: int
    missing: bool


def session_rows(*, user: Any, cohort: Cohort, today: dt.date | None = None) -> list[SessionRow]:
    """Sessions of a cohort with their attendance, flagged when expected and missing
    (past, not cancelled, no names and no headcount)."""
    today = today or timezone.localdate()
    return [
        SessionRow(
            session=s,
            n_present=s.n_present,
            n_marked=s.n_marked,
            missing=(
                s.date < today and not s.cancelled and s.headcount is None and s.n_marked == 0
            ),
        )
        for s in session_list(user=user, cohort=cohort)
    ]


@dataclass
class EnrolmentRow:
    enrolment: Enrolment
    name: str
    certificate: Certificate | None


def enrolment_rows(*, user: Any, cohort: Cohort) -> list[EnrolmentRow]:
    """Enrolments of a cohort with display names (full names only for roles that read
    identity, S3; otherwise the person's code). Showing names is audited (S10)."""

    enrolments = list(enrolment_list(user=user, cohort=cohort))
    names = identities_reveal(user=user, people=[e.person for e in enrolments], target=cohort)
    rows = [
        EnrolmentRow(
            enrolment=e,
            name=names.get(e.person_id, e.person.code),
            certificate=getattr(e, "certificate", None),
        )
        for e in enrolments
    ]
    rows.sort(key=lambda r: (r.enrolment.status != EnrolmentStatus.ENROLLED, r.name.casefold()))
    return rows


@dataclass(frozen=True)
class PersonChoice:
    pk: int
    label: str


def program_share_candidates(*, user: Any, program: Program) -> QuerySet[Any]:
    """Organizations a program can be shared with: any other organization (organizations
    are institutions, not personal data), leaving out the owner and current partners."""

    if not scope.has(user, Cap.MANAGE_PROGRAMS, program.owner_id):
        return Organization.objects.none()
    return Organization.objects.exclude(pk=program.owner_id).exclude(
        pk__in=program.shared_with.values("pk")
    )


def enrolment_get(
    *, user: Any, pk: Any, cap: str = Cap.VIEW_PEOPLE, audit: bool = False
) -> Enrolment:
    """One enrolment the user reaches, else NotFoundError. With ``audit`` (a read shown
    to the user, e.g. the API's enrolment) the view is audited like ``person_get`` (S10)."""
    try:
        enrolment = (
            Enrolment.objects.filter(cohort_id__in=cohort_ids_visible(user=user, cap=cap))
            .select_related("cohort__program", "person")
            .get(pk=pk)
        )
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
    if audit:
        audit_record(actor=user, action="view", target=enrolment)
    return enrolment


def enrolments_reveal(*, user: Any, cohort: Cohort, enrolments: list[Enrolment]) -> list[Enrolment]:
    """A page of a cohort's enrolments as a response shows them (person ids and codes, no
    names). That a man is in a program, perhaps court-ordered, is personal data: showing
    the page writes one audit row about the cohort, a count (S10)."""
    if enrolments:
        audit_record(
            actor=user, action="view_list", target=cohort, detail={"people": len(enrolments)}
        )
    return enrolments


def certificate_get(*, user: Any, pk: Any) -> Certificate:
    """A certificate whose holder's name the user may read (it is printed on it)."""
    try:
        return (
            Certificate.objects.filter(
                enrolment__cohort_id__in=cohort_ids_visible(user=user, cap=Cap.VIEW_IDENTITY)
            )
            .select_related("enrolment__cohort__program__owner", "enrolment__person")
            .get(pk=pk)
        )
    except (Certificate.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def session_list_visible(
    *, user: Any, cohort_id: Any = None
) -> QuerySet[WithAnnotations[Session, SessionCounts]]:
    """Sessions of every cohort the user reaches (optionally one cohort), with counts."""
    qs = Session.objects.filter(
        cohort_id__in=cohort_ids_visible(user=user, cap=Cap.VIEW_AGGREGATES)
    )
    if cohort_id is not None:
        qs = qs.filter(cohort_id=cohort_id)
    return (
        qs.select_related("cohort__program", "module")
        .annotate(
            n_present=Count("attendance", filter=Q(attendance__status__in=["present", "makeup"])),
            n_marked=Count("attendance"),
        )
        .order_by("cohort_id", "number")
    )


def certificate_list(*, user: Any, cohort_id: Any = None) -> QuerySet[Certificate]:
    """Certificates of the cohorts whose people the user may see."""
    qs = Certificate.objects.filter(
        enrolment__cohort_id__in=cohort_ids_visible(user=user, cap=Cap.VIEW_PEOPLE)
    )
    if cohort_id is not None:
        qs = qs.filter(enrolment__cohort_id=cohort_id)
    return qs.select_related("enrolment__person", "enrolment__cohort__program__owner").order_by(
        "-issued_on", "-id"
    )


def curriculum_version_choices(*, user: Any) -> QuerySet[Any]:
    """Curriculum versions a cohort of this user may follow: those of the organizations
    where the user manages programs."""

    orgs = scope.org_ids(user, Cap.MANAGE_PROGRAMS)
    return (
        CurriculumVersion.objects.filter(curriculum__organization_id__in=orgs)
        .select_related("curriculum")
        .order_by("curriculum__title", "-number")
    )


def program_org_ids(program: Program, *, fresh: bool = False) -> frozenset[int]:
    """The program's owner and partner organizations. Remembered on the instance for the
    reads of one request (a cohort page asks it for six capabilities); ``fresh`` asks the
    database again (the services' permission checks before a write)."""
    known: frozenset[int] | None = None if fresh else program.__dict__.get("_org_ids")
    if known is None:
        known = frozenset({program.owner_id, *program.shared_with.values_list("pk", flat=True)})
        program.__dict__["_org_ids"] = known
    return known


def user_can(*, user: Any, cap: str, program: Program) -> bool:
    """Whether the user holds ``cap`` in the program's owner or a partner organization."""
    return bool(scope.org_ids(user, cap) & program_org_ids(program))


def person_enrolments(*, user: Any, person: Any, cap: str = Cap.VIEW_PEOPLE) -> QuerySet[Enrolment]:
    """A person's enrolments in cohorts the user reaches, newest first (the person page)."""
    return (
        Enrolment.objects.filter(
            person=person, cohort_id__in=cohort_ids_visible(user=user, cap=cap)
        )
        .select_related("cohort__program", "certificate")
        .order_by("-cohort__start_date", "-id")
    )


# ---------------------------------------------------------------- registering and enrolling


def may_register_participants(*, user: Any, cohort: Cohort) -> bool:
    """Whether ``user`` may register new participants into ``cohort`` and enrol people in
    it (``Cap.REGISTER_PARTICIPANTS`` in the program's owner or a partner). Where the user
    holds it only through a cohort-bound role (facilitator), only in the cohorts they
    facilitate. The one answer: ``services.participant_register``,
    ``services.enrolment_create`` and the pages ask it."""
    if user is None:
        return True
    orgs = scope.org_ids(user, Cap.REGISTER_PARTICIPANTS) & program_org_ids(cohort.program)
    if not orgs:
        return False
    if orgs - scope.cohort_bound_org_ids(user, Cap.REGISTER_PARTICIPANTS):
        return True
    person_id: int | None = getattr(user, "person_id", None)
    if person_id is None:
        return False
    return cohort.facilitations.filter(person_id=person_id).exists()


def enrolment_open(*, cohort: Cohort) -> bool:
    """Whether people may be enrolled in ``cohort`` today: not once it is closed, by hand
    (``closed_on``) or by its end date (``clock.cohort_is_over``). The one answer:
    ``services.enrolment_create`` refuses, the pages hide the picker and "Register a
    participant" (docs/decisions/trainings.md, "A closed cohort takes no enrolments")."""
    return not clock.cohort_is_over(cohort)


def enrol_excluded_ids(*, cohort: Cohort) -> QuerySet[Any]:
    """Ids of the people who cannot be enrolled in ``cohort`` (as a subquery): those
    already enrolled, and its facilitators (``services.enrolment_create`` refuses them)."""

    return Person.objects.filter(
        Q(
            pk__in=Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED).values(
                "person_id"
            )
        )
        | Q(pk__in=CohortFacilitator.objects.filter(cohort=cohort).values("person_id"))
    ).values("pk")


ENROL_SEARCH_LIMIT = 20
ENROL_TYPED_MIN_LETTERS = 3


def enrol_search_while_typing(text: str) -> bool:
    """Whether the picker may search ``text`` as it is typed (before "Search" or Enter):
    only a name of at least ``ENROL_TYPED_MIN_LETTERS`` letters. A text with a digit is a
    code or an ID number, and ``person_search_reveal`` counts every such text that is no
    visible code as a look-up by ID number: typed digit by digit it would spend the
    look-up limit, so it waits for the user to send it (docs/decisions/pages-at-scale.md)."""
    text = (text or "").strip()
    return sum(ch.isalpha() for ch in text) >= ENROL_TYPED_MIN_LETTERS and not any(
        ch.isdigit() for ch in text
    )


def enrol_candidates_reveal(
    *, user: Any, cohort: Cohort, text: str, limit: int = ENROL_SEARCH_LIMIT
) -> list[PersonChoice]:
    """The enrolment picker's search: people ``registry.selectors.person_search_reveal``
    finds for ``text`` (scoped, by code, ID number or name; audited, one row per search;
    S9: ``text`` arrives by POST), leaving out the cohort's facilitators and the people
    already enrolled. Labelled with the full name where the user may read it, else the
    code."""

    found = person_search_reveal(user=user, text=text, limit=limit + 20)
    excluded = set(
        enrol_excluded_ids(cohort=cohort)
        .filter(pk__in=[p.pk for p in found.people])
        .values_list("pk", flat=True)
    )
    return _labelled(found.people, found.names, leave_out=excluded)[:limit]


def facilitator_candidates_reveal(
    *, user: Any, text: str, chosen: frozenset[int] = frozenset(), limit: int = ENROL_SEARCH_LIMIT
) -> list[PersonChoice]:
    """The new-cohort form's facilitator picker: the people ``person_search_reveal`` finds
    for ``text`` (the scope of ``person_list``; by code, ID number or name; audited, one row
    per search; S9: ``text`` arrives by POST), leaving out those already ``chosen`` (listed
    apart by ``people_chosen_reveal``). Labelled with the full name where the user may read
    it, else the code."""

    found = person_search_reveal(user=user, text=text, limit=limit + len(chosen))
    return _labelled(found.people, found.names, leave_out=chosen)[:limit]


def people_chosen_reveal(*, user: Any, ids: list[int]) -> list[PersonChoice]:
    """The people a picker's user has ticked (``ids`` as posted), among those the user may
    see: one query, and one audit row when names are shown (S10). Ids of anyone else are
    left out; the form that receives them says so (``CohortForm.clean_facilitators``)."""

    if not ids:
        return []
    people = list(person_list(user=user).filter(pk__in=ids))
    return _labelled(people, identities_reveal(user=user, people=people))


def _labelled(
    people: Iterable[Any], names: dict[int, str], leave_out: Iterable[int] = ()
) -> list[PersonChoice]:
    """A picker's people, "Name (CODE)" where the name may be read, else the code, in
    alphabetical order."""
    skip = set(leave_out)
    choices = [
        PersonChoice(p.pk, f"{names[p.pk]} ({p.code})" if p.pk in names else p.code)
        for p in people
        if p.pk not in skip
    ]
    choices.sort(key=lambda c: c.label.casefold())
    return choices


def consent_text_version_default(*, user: Any, cohort: Cohort) -> str:
    """The consent text version a registration form starts with: the latest one recorded
    for participation by this user, else for the people of this cohort. Versions name a
    printed form (e.g. "v2-2026"), not a person."""

    participation = Consent.objects.filter(purpose=ConsentPurpose.PARTICIPATION, granted=True)
    for qs in (
        participation.filter(recorded_by_id=getattr(user, "pk", None)),
        participation.filter(
            person_id__in=Enrolment.objects.filter(cohort=cohort).values("person_id")
        ),
    ):
        version = qs.order_by("-recorded_at", "-id").values_list("text_version", flat=True).first()
        if version:
            return str(version)
    return ""
