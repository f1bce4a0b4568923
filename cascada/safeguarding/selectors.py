"""Reads of safeguarding (docs/decisions/safeguarding.md): who may do what, the cases a user
may open (every read audited, S10), the services nearest a place, reminders, and counts.

Who may do what, the one place that answers it:
- a case (a disclosure, its referrals, notes) is read by the organization's
  **safeguarding leads**, by **the user who recorded it**, and by a user **let into that
  case** by a lead with a reason; each only while they still belong to the organization
  (a role in it, a current membership of one of its networks or studies). Nobody else,
  whatever their role: not administrators, coordinators, M&E officers, viewers, other
  facilitators of the same cohort.
- a disclosure is **recorded** from an activity by whoever may work in it: a session by
  who takes its attendance (facilitators in their own cohorts, coordinators), a community
  action by who may record the network's actions, an interview by the study's fieldworkers,
  a person's page by who sees that person.
- a referral is **made** and followed up by a lead or the recorder; an **override** of
  consent, letting someone into a case, closing it and notices to the court are a lead's.
- the **directory** is kept by a lead or a program manager (``MANAGE_PROGRAMS``) of the
  organization, and read by every member of it (it holds no personal data).
- **counts** of disclosures and referrals: exact for leads; everyone else with
  ``VIEW_AGGREGATES`` sees them through the disclosure control, for the whole organization
  and year only (never by cohort, facilitator or place: too identifying)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.models import Membership as OrgMembership
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import NotFoundError
from cascada.core.privacy import CountsRelease, counts_release
from cascada.networks import selectors as networks
from cascada.networks.models import CommunityAction
from cascada.registry.models import Place
from cascada.registry.selectors import person_get
from cascada.research import selectors as research
from cascada.trainings.models import Program
from cascada.trainings.selectors import session_get

from .models import (
    STEPS,
    AtRisk,
    CaseAccess,
    Disclosure,
    Lead,
    Referral,
    Service,
    ServiceKind,
    Source,
    Step,
    Urgency,
)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def belongs_org_ids(user: Any) -> set[int]:
    """The organizations a user belongs to: a role in it, or a current membership of one
    of its networks (a promoter) or of one of its studies."""
    if not _active(user):
        return set()
    cache = getattr(user, "_safeguarding_orgs", None)
    if cache is None:
        cache = scope.member_org_ids(user)
        cache |= set(
            networks.networks_of_member(user=user).values_list("organization_id", flat=True)
        )
        cache |= set(research.memberships(user).values_list("study__organization_id", flat=True))
        user._safeguarding_orgs = cache
    return cache


def belongs_anywhere(user: Any) -> bool:
    """Whether the user belongs to some organization: a role (already known to
    ``accounts.scope`` in the request, no query) or a network or study membership."""
    return _active(user) and (bool(scope.roles(user)) or bool(belongs_org_ids(user)))


def lead_org_ids(user: Any) -> set[int]:
    """The organizations of which the user is a safeguarding lead (while belonging to it)."""
    if not _active(user):
        return set()
    cache = getattr(user, "_safeguarding_leads", None)
    if cache is None:
        cache = set(Lead.objects.filter(user=user).values_list("organization_id", flat=True))
        cache &= scope_orgs(user)
        user._safeguarding_leads = cache
    return cache


def scope_orgs(user: Any) -> set[int]:
    """Organizations where the user holds a role (a lead must hold one)."""
    return scope.member_org_ids(user)


def forget(user: Any) -> None:
    for name in ("_safeguarding_orgs", "_safeguarding_leads"):
        if hasattr(user, name):
            delattr(user, name)


def is_lead(user: Any, organization_id: int) -> bool:
    return organization_id in lead_org_ids(user)


def lead_list(*, user: Any, organization_id: int) -> QuerySet[Lead]:
    """The organization's leads, for its administrators (``MANAGE_MEMBERS``, who name and
    remove them: ``services.lead_name``); 404 for anyone else."""
    if not _active(user) or not scope.has(user, Cap.MANAGE_MEMBERS, organization_id):
        raise NotFoundError()
    return Lead.objects.filter(organization_id=organization_id).select_related("user", "named_by")


def lead_candidates(*, organization_id: int) -> list[Any]:
    """Whom an administrator may name lead: the organization's active users with a role
    in it (``services.lead_name`` refuses anyone else), by username."""
    rows = (
        OrgMembership.objects.filter(organization_id=organization_id, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    return list({m.user_id: m.user for m in rows}.values())


def needs_two_factor(asked: Any) -> bool:
    """Answers ``accounts.hooks.two_factor_needed``: whoever may open a case reads about
    violence (S6): leads, and users who recorded or were let into a case."""
    user = asked.user
    if not _active(user):
        return False
    if lead_org_ids(user):
        return True
    personal = _cases_q_personal(user)
    return personal is not None and Disclosure.objects.filter(personal).exists()


def _cases_q_personal(user: Any) -> Q | None:
    orgs = belongs_org_ids(user)
    if not orgs:
        return None
    now_access = CaseAccess.objects.filter(user=user, revoked_at__isnull=True)
    return Q(organization_id__in=orgs) & (
        Q(recorded_by=user) | Q(pk__in=now_access.values("disclosure_id"))
    )


def _cases(user: Any) -> QuerySet[Disclosure]:
    if not _active(user):
        return Disclosure.objects.none()
    q = Q(organization_id__in=lead_org_ids(user))
    personal = _cases_q_personal(user)
    if personal is not None:
        q |= personal
    return Disclosure.objects.filter(q)


def case_list_reveal(*, user: Any) -> QuerySet[Disclosure]:
    """The cases a user may open, newest first. The read is audited (S10): the list says
    what was disclosed, when and from which activity."""
    rows = _cases(user).select_related("organization", "place", "recorded_by")
    audit_record(actor=user, action="safeguarding.list", target_type="safeguarding.disclosure")
    return rows


def case_reveal(*, user: Any, pk: Any) -> Disclosure:
    """One case the user may open (404 otherwise, S2), its read audited (S10)."""
    case = (
        _cases(user)
        .filter(pk=pk)
        .select_related(
            "organization",
            "place",
            "recorded_by",
            "session__cohort",
            "action__network",
            "event__study",
            "program",
            "person",
        )
        .first()
    )
    if case is None:
        raise NotFoundError()
    audit_record(actor=user, action="safeguarding.view", target=case)
    return case


def case_get(*, user: Any, pk: Any) -> Disclosure:
    """One case the user may open, for a write (the write is audited instead)."""
    case = _cases(user).filter(pk=pk).select_related("organization", "program").first()
    if case is None:
        raise NotFoundError()
    return case


def may_refer(user: Any, case: Disclosure) -> bool:
    """Make a referral and follow it up: a lead, or who recorded the case."""
    if not _active(user) or case.organization_id not in belongs_org_ids(user):
        return False
    return is_lead(user, case.organization_id) or case.recorded_by_id == user.pk


def may_override(user: Any, case: Disclosure) -> bool:
    """Refer without consent, with a written reason (S16); let others in; close; notify
    the court: the organization's leads only."""
    return is_lead(user, case.organization_id)


# ------------------------------------------------------------------ where it came from


@dataclass
class Origin:
    """The activity a disclosure comes from, as the user may see it."""

    source: str
    organization: Any
    place: Place | None
    label: str
    session: Any = None
    action: Any = None
    event: Any = None
    person: Any = None
    program: Any = None


def origin_get(*, user: Any, source: str, pk: Any) -> Origin:
    """The activity, if the user may record a disclosure from it (404 otherwise)."""
    if not _active(user):
        raise NotFoundError()
    if source == Source.SESSION:
        session = session_get(user=user, pk=pk, cap=Cap.TAKE_ATTENDANCE)
        cohort = session.cohort
        program = cohort.program
        return Origin(
            source, program.owner, cohort.place, f"{cohort.name} · {session.date:%d/%m/%Y}",
            session=session, program=program,
        )  # fmt: skip
    if source == Source.ACTION:
        action = (
            CommunityAction.objects.filter(pk=pk)
            .select_related("network__organization", "place")
            .first()
        )
        if (
            action is None
            or action.network_id
            not in set(networks.network_list(user=user).values_list("pk", flat=True))
            or not networks.may_record(user, action.network)
        ):
            raise NotFoundError()
        return Origin(
            source, action.network.organization, action.place,
            f"{action.network.name} · {action.date:%d/%m/%Y}", action=action,
        )  # fmt: skip
    if source == Source.EVENT:
        event = research.event_get(user=user, pk=pk)
        if not research.may_field(user, event.study):
            raise NotFoundError()
        return Origin(
            source, event.study.organization, event.site.place,
            f"{event.study.code} · {event.held_on:%d/%m/%Y}", event=event,
        )  # fmt: skip
    if source == Source.PERSON:
        if not scope.has(user, Cap.VIEW_PEOPLE):
            raise NotFoundError()
        person = person_get(user=user, pk=pk, audit=False)
        return Origin(source, person.organization, person.place, person.code, person=person)
    raise NotFoundError()


# ------------------------------------------------------------------ the directory


def directory_org_ids(user: Any) -> set[int]:
    """Organizations whose directory the user reads (every member of them)."""
    return belongs_org_ids(user)


def may_keep_directory(user: Any, organization_id: int) -> bool:
    return _active(user) and (
        scope.has(user, Cap.MANAGE_PROGRAMS, organization_id) or is_lead(user, organization_id)
    )


def may_keep_court_agreement(user: Any, program: Any) -> bool:
    """Record a court-ordered program's agreement with the court: the owner's program
    managers or safeguarding leads (the same people as the directory's keepers; the rule
    of ``services.court_agreement_set``)."""
    return may_keep_directory(user, program.owner_id)


def service_list(*, user: Any, organization_id: int | None = None) -> QuerySet[Service]:
    orgs = directory_org_ids(user)
    if organization_id is not None:
        orgs &= {organization_id}
    return Service.objects.filter(organization_id__in=orgs).select_related(
        "place", "place__parent", "organization"
    )


def service_get(*, user: Any, pk: Any) -> Service:
    found = service_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def distance(service: Service, place: Place | None) -> int:
    """How near a service is to a place, smaller first: the same place (0), a place that
    contains it (1), the same province (2), the same department (3), the whole country
    (4), elsewhere in the country (5)."""
    if service.place_id is None:
        return 4
    if place is None:
        return 5
    if service.place_id == place.pk:
        return 0
    ancestors: list[int] = []
    node: Place = place
    while node.parent_id is not None and len(ancestors) < 4:
        node = node.parent  # type: ignore[assignment]  # parent_id checked
        ancestors.append(node.pk)
    if service.place_id in ancestors:
        return 1
    sp = service.place
    if sp is not None and sp.parent_id is not None and sp.parent_id == place.parent_id:
        return 2
    if sp is not None and sp.department_id is not None and sp.department_id == place.department_id:
        return 3
    return 5


def services_near(
    *, user: Any, organization_id: int, place: Place | None, kinds: list[str] | None = None
) -> list[Service]:
    """The organization's active services, nearest to ``place`` first (services of another
    country left out), optionally of some kinds only, in the order of ``kinds``."""
    rows = list(service_list(user=user, organization_id=organization_id).filter(active=True))
    if place is not None:
        rows = [s for s in rows if s.country == place.country]
    if kinds is not None:
        rows = [s for s in rows if s.kind in kinds]
    order = {k: n for n, k in enumerate(kinds or [])}
    # Among services as near, the one of the smaller place first: a province's CEM before
    # the department's.
    level = {"district": 0, "municipality": 0, "province": 1, "department": 2}
    rows.sort(
        key=lambda s: (
            distance(s, place),
            level.get(s.place.level, 3) if s.place is not None else 3,
            order.get(s.kind, 99),
            s.name,
        )
    )
    return rows


# ------------------------------------------------------------------ the guide

# The situations of the guide and the kinds of service each needs, nearest first. The
# steps themselves are in the guide's template (translated text).
SITUATIONS: dict[str, list[str]] = {
    "danger": [ServiceKind.POLICE, ServiceKind.FELCV, ServiceKind.HELPLINE, ServiceKind.CEM],
    "partner": [ServiceKind.CEM, ServiceKind.SLIM, ServiceKind.HELPLINE, ServiceKind.SHELTER],
    "child": [ServiceKind.CHILDREN, ServiceKind.CEM, ServiceKind.SLIM, ServiceKind.HELPLINE],
    "self": [ServiceKind.MENTAL_HEALTH, ServiceKind.HEALTH, ServiceKind.HELPLINE],
    "distress": [ServiceKind.MENTAL_HEALTH, ServiceKind.HEALTH, ServiceKind.HELPLINE],
}


def guide_services(
    *, user: Any, organization_id: int, place: Place | None
) -> dict[str, list[Service]]:
    """For each situation of the guide, the services to call, nearest first (at most 4)."""
    return {
        situation: services_near(
            user=user, organization_id=organization_id, place=place, kinds=kinds
        )[:4]
        for situation, kinds in SITUATIONS.items()
    }


# ------------------------------------------------------------------ follow-up


# Days allowed for each step, counted from the one before (from the disclosure for the
# referral itself, by urgency).
REFER_WITHIN: dict[str, int] = {Urgency.IMMEDIATE: 0, Urgency.URGENT: 2, Urgency.ROUTINE: 7}
STEP_WITHIN: dict[str, int] = {Step.RECEIVED: 3, Step.ATTENDED: 14, Step.CLOSED: 30}


@dataclass
class Due:
    case: Disclosure
    referral: Referral | None
    step: str  # the step awaited ("made" for a case with no referral yet)
    due_on: dt.date

    def overdue(self, today: dt.date) -> bool:
        return today > self.due_on


def next_due(case: Disclosure, referrals: list[Referral]) -> list[Due]:
    """What is awaited next in a case: a referral (when none is made and the case is open)
    or the next step of each referral not closed."""
    if case.status != "open":
        return []
    out = []
    if not referrals:
        out.append(
            Due(
                case,
                None,
                Step.MADE,
                case.occurred_on + dt.timedelta(days=REFER_WITHIN[case.urgency]),
            )
        )
    for referral in referrals:
        reached = referral.step
        if reached == Step.CLOSED:
            continue
        nxt = STEPS[STEPS.index(reached) + 1]
        last = getattr(referral, f"{reached}_on")
        assert last is not None
        out.append(Due(case, referral, nxt, last + dt.timedelta(days=STEP_WITHIN[nxt])))
    return out


def reminders(*, user: Any, today: dt.date) -> list[Due]:
    """What is overdue in the cases the user may act on (leads and recorders), oldest
    first. No names, no notes: the case's number, the step and the day it was due."""
    cases = list(_cases(user).filter(status="open").prefetch_related("referrals"))
    out: list[Due] = []
    for case in cases:
        if not may_refer(user, case):
            continue
        out.extend(d for d in next_due(case, list(case.referrals.all())) if d.overdue(today))
    out.sort(key=lambda d: d.due_on)
    return out


# ------------------------------------------------------------------ counts


@dataclass
class Summary:
    year: int
    exact: bool
    disclosures: CountsRelease
    referrals: CountsRelease


def summary_org_ids(user: Any) -> set[int]:
    return scope.org_ids(user, Cap.VIEW_AGGREGATES) | lead_org_ids(user)


def summary(*, user: Any, organization_id: int, year: int) -> Summary:
    """Disclosures of the organization's year by urgency and by who was at risk, and their
    referrals by the step reached: exact for its leads, through the disclosure control for
    everyone else (``core.privacy.counts_release``). Never by cohort, facilitator or place."""
    if organization_id not in summary_org_ids(user):
        raise NotFoundError()
    exact = is_lead(user, organization_id)
    cases = Disclosure.objects.filter(organization_id=organization_id, occurred_on__year=year)
    rows = list(cases.values_list("urgency", "at_risk"))
    by_urgency = dict.fromkeys(Urgency.values, 0)
    by_risk = dict.fromkeys(AtRisk.values, 0)
    for urgency, at_risk in rows:
        by_urgency[urgency] += 1
        by_risk[at_risk] += 1
    referrals = list(Referral.objects.filter(disclosure__in=cases))
    by_step = dict.fromkeys(Step.values, 0)
    for referral in referrals:
        by_step[referral.step] += 1
    # S17: 10 for court-program data. Decided by the programs the organization runs, not by
    # the cases counted, so that the threshold shown says nothing about where they came from.
    court = Program.objects.filter(owner_id=organization_id, is_court_mandated=True).exists()
    return Summary(
        year=year,
        exact=exact,
        disclosures=counts_release(
            len(rows), {"urgency": by_urgency, "at_risk": by_risk}, exact=exact, court=court
        ),
        referrals=counts_release(len(referrals), {"step": by_step}, exact=exact, court=court),
    )
