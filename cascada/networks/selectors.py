"""Reads of networks: planned against done, per month and kind (docs/decisions/networks.md).

An action fulfils a planned activity by its key; planned activities come from the latest
approved revision of the year's plan. An activity is *done* when an action names it, *late*
when its month is over with no action, *missing* when the year is over with none. Reach is
a sum of headcounts: contacts, never distinct people."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.cascade.selectors import Scope as CascadeScope
from cascada.core.errors import NotFoundError
from cascada.core.privacy import Cell, counts_release

from .models import (
    ActivityKind,
    ActivityPlan,
    Campaign,
    CommunityAction,
    MemberRole,
    Membership,
    Network,
    PlannedActivity,
)

REACH_FIELDS = ("women", "men", "young_women", "young_men", "children", "not_stated")


# ---------------------------------------------------------------- who may do what (S2)
#
# The one place that answers it (docs/decisions/networks.md):
# - staff of the convening organization see its networks (VIEW_AGGREGATES; figures only,
#   through the disclosure control, unless they see people) and manage them
#   (MANAGE_PROGRAMS);
# - a network's current coordinator (the user's person holds the coordinator role in it)
#   manages its members, plans and actions;
# - a network's current members (promoters) see their network and record its actions.


def _memberships(user: Any) -> QuerySet[Membership]:
    person_id = getattr(user, "person_id", None)
    if not person_id or not getattr(user, "is_active", False):
        return Membership.objects.none()
    return Membership.objects.filter(person_id=person_id, left_on__isnull=True)


def networks_of_member(*, user: Any) -> QuerySet[Network]:
    """The networks the user is a current member of (a promoter's own networks)."""
    return Network.objects.filter(
        pk__in=_memberships(user).values("network_id"), active=True
    ).order_by("name")


def network_list(*, user: Any) -> QuerySet[Network]:
    """The networks a user may open."""
    return Network.objects.filter(
        Q(organization_id__in=scope.org_ids(user, Cap.VIEW_AGGREGATES))
        | Q(pk__in=_memberships(user).values("network_id"))
    ).select_related("organization", "place")


def network_get(*, user: Any, pk: Any) -> Network:
    network = network_list(user=user).filter(pk=pk).first()
    if network is None:
        raise NotFoundError()
    return network


def may_manage(user: Any, network: Network) -> bool:
    """Members, plans, campaigns and every action of the network."""
    if network.organization_id in scope.org_ids(user, Cap.MANAGE_PROGRAMS):
        return True
    return _memberships(user).filter(network=network, role=MemberRole.COORDINATOR).exists()


def may_record(user: Any, network: Network) -> bool:
    """Record what the network did (promoters, from the field)."""
    return may_manage(user, network) or _memberships(user).filter(network=network).exists()


def sees_people(user: Any, network: Network) -> bool:
    """Members' records (codes; names only with VIEW_IDENTITY, audited), photos and exact
    figures; everyone else sees the network's figures through the disclosure control (S17).
    A facilitator's access to people is bound to their cohorts, so it does not reach the
    organization's networks."""
    people = scope.org_ids(user, Cap.VIEW_PEOPLE) - scope.cohort_bound_org_ids(
        user, Cap.VIEW_PEOPLE
    )
    return network.organization_id in people or may_manage(user, network)


@dataclass
class Line:
    key: str
    title: str
    kind: str
    month: int
    expected_reach: int
    done: bool = False
    late: bool = False
    missing: bool = False
    reached: int = 0
    actions: int = 0

    @property
    def kind_label(self) -> str:
        return str(ActivityKind(self.kind).label)


@dataclass
class PlanStatus:
    network: Network
    year: int
    revision: int | None
    lines: list[Line] = field(default_factory=list)
    unplanned_actions: int = 0
    unplanned_reach: int = 0

    @property
    def planned(self) -> int:
        return len(self.lines)

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.done)

    @property
    def late(self) -> int:
        return sum(1 for line in self.lines if line.late)

    @property
    def expected_reach(self) -> int:
        return sum(line.expected_reach for line in self.lines)

    @property
    def reached(self) -> int:
        return sum(line.reached for line in self.lines) + self.unplanned_reach

    def by_month(self) -> dict[int, tuple[int, int]]:
        """month -> (planned, done)."""
        out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for line in self.lines:
            out[line.month][0] += 1
            out[line.month][1] += int(line.done)
        return {m: (p, d) for m, (p, d) in sorted(out.items())}


def campaign_list(*, user: Any) -> QuerySet[Campaign]:
    """Campaigns run by an organization the user sees, or that a network they may open
    takes part in."""
    return (
        Campaign.objects.filter(
            Q(organization_id__in=scope.org_ids(user, Cap.VIEW_AGGREGATES))
            | Q(networks__in=network_list(user=user))
        )
        .distinct()
        .order_by("-starts_on", "name")
    )


def campaign_get(*, user: Any, pk: Any) -> Campaign:
    campaign = campaign_list(user=user).filter(pk=pk).first()
    if campaign is None:
        raise NotFoundError()
    return campaign


REACH_LABELS = {
    "women": _("Women"),
    "men": _("Men"),
    "young_women": _("Young women"),
    "young_men": _("Young men"),
    "children": _("Girls and boys"),
    "not_stated": _("Not noted by sex or age"),
}


@dataclass
class ReachShown:
    """Headcounts as the user may see them: ``total`` and ``rows`` (label, cell) by sex and
    age band; ``exact`` False when they went through the disclosure control."""

    actions: int
    total: Cell
    rows: list[tuple[Any, Cell]]
    exact: bool
    k: int = 0


def reach_of(actions: QuerySet[CommunityAction], *, exact: bool) -> ReachShown:
    """Sum the headcounts of ``actions`` in one query, shown exactly or through the
    disclosure control (S17): headcounts are contacts, not people, yet a viewer sees
    them protected like every other count, and only of actions whose promoter consented
    to aggregate reporting (S15; actions run by nobody named count), as in the cascade's
    community reach."""
    if not exact:
        actions = actions.filter(Q(run_by__isnull=True) | Q(run_by__reporting_consent=True))
    sums = actions.aggregate(n=Count("pk"), **{f: Sum(f) for f in REACH_FIELDS})
    values = {f: int(sums[f] or 0) for f in REACH_FIELDS}
    total = sum(values.values())
    shown = counts_release(total=total, breakdowns={"sex_age": values}, exact=exact)
    return ReachShown(
        actions=int(sums["n"] or 0),
        total=shown.total,
        rows=[(REACH_LABELS[f], shown.breakdowns["sex_age"][f]) for f in REACH_FIELDS],
        exact=exact,
        k=shown.k,
    )


def reach_shown(*, user: Any, network: Network, year: int) -> ReachShown:
    return reach_of(
        CommunityAction.objects.filter(network=network, date__year=year),
        exact=sees_people(user, network),
    )


@dataclass
class CampaignSummary:
    campaign: Campaign
    reach: ReachShown
    by_network: list[tuple[Network, int]]
    media: list[Any]
    spots: int
    posts: int
    audience: int


def campaign_summary(*, user: Any, campaign: Campaign) -> CampaignSummary:
    """A campaign's people reached (its actions' headcounts, only of networks the user may
    open) kept apart from its media reach."""
    visible = network_list(user=user)
    actions = campaign.actions.filter(network__in=visible)
    exact = all(sees_people(user, n) for n in Network.objects.filter(actions__in=actions))
    media = list(campaign.media.select_related("network"))
    return CampaignSummary(
        campaign=campaign,
        reach=reach_of(actions, exact=exact),
        by_network=[
            (n, n.n)
            for n in visible.filter(actions__campaign=campaign).annotate(n=Count("actions"))
        ],
        media=media,
        spots=sum(m.spots for m in media),
        posts=sum(m.posts for m in media),
        audience=sum(m.estimated_audience for m in media),
    )


def network_campaigns(*, network: Network, year: int) -> list[tuple[Campaign, int]]:
    """The campaigns the network took part in that year, with its actions in each."""
    return [
        (c, c.n)
        for c in Campaign.objects.filter(
            Q(networks=network) | Q(actions__network=network),
            starts_on__year__lte=year,
            ends_on__year__gte=year,
        )
        .distinct()
        .annotate(n=Count("actions", filter=Q(actions__network=network), distinct=True))
        .order_by("starts_on")
    ]


def plan_status(*, network: Network, year: int, today: dt.date | None = None) -> PlanStatus:
    today = today or dt.date.today()  # noqa: DTZ011 (a calendar date in the network's country)
    plan = ActivityPlan.objects.filter(network=network, year=year).first()
    revision = (
        plan.revisions.filter(approved_on__isnull=False).order_by("-number").first()
        if plan
        else None
    )
    status = PlanStatus(network=network, year=year, revision=revision.number if revision else None)
    actions = CommunityAction.objects.filter(network=network, date__year=year)
    by_key: dict[str, list[CommunityAction]] = defaultdict(list)
    for action in actions:
        by_key[action.planned_key].append(action)
    planned: list[PlannedActivity] = list(revision.activities.all()) if revision else []
    keys = {p.key for p in planned}
    for p in planned:
        done = by_key.get(p.key, [])
        month_over = dt.date(year, p.month, 1) < dt.date(today.year, today.month, 1)
        line = Line(
            key=p.key,
            title=p.title,
            kind=p.kind,
            month=p.month,
            expected_reach=p.expected_reach,
            done=bool(done),
            actions=len(done),
            reached=sum(a.reach for a in done),
        )
        line.late = not line.done and month_over
        line.missing = not line.done and today.year > year
        status.lines.append(line)
    unplanned = [a for key, acts in by_key.items() if key not in keys for a in acts]
    status.unplanned_actions = len(unplanned)
    status.unplanned_reach = sum(a.reach for a in unplanned)
    return status


# ---------------------------------------------------------------- into the cascade
#
# Community actions run by promoters are the cascade's reach beyond its last trained
# generation (issue 10; docs/decisions/networks.md). Their reach is contacts, summed
# headcounts, never distinct people: it is reported beside the cascade's people and
# never added to them.


@dataclass
class CommunityReach:
    """Exact totals of the community actions in a scope; ``community_reach_present``
    turns them into what a given user may see."""

    actions: int = 0
    contacts: int = 0
    by_field: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REACH_FIELDS, 0))
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [actions, contacts]
    # (department id, name) -> [actions, contacts]; (None, "") for actions without one
    by_department: dict[tuple[Any, str], list[int]] = field(default_factory=dict)
    # Trainer scope: the trainer's own actions (the rest were run by people they trained).
    own_actions: int = 0
    own_contacts: int = 0


def community_actions_in_scope(sc: CascadeScope) -> QuerySet[CommunityAction]:
    """The community actions of a cascade scope (``cascade.selectors.Scope``), scoped to
    what the user may see (S2):

    - **who**: actions with a promoter (``run_by``); actions without one belong to no
      line of the cascade;
    - **user** (S2): actions run by someone who completed a cohort the user sees
      (``trainings.selectors.cohort_ids_visible``, the cohorts ``cascade_figures``
      counts), or, for roles not bound to their own cohorts, of a network their
      organization convenes;
    - **program**: run by someone who completed a cohort of the program that the user
      sees, in any generation. Not ``Lineage.program`` (one program per person, the one of
      their lowest generation, none for generation 0): completing the program's training
      is what makes a promoter part of its cascade, as it makes a person part of its
      people. A promoter trained by two programs counts in both; no figure adds
      programs up;
    - **trainer**: run by the trainer or by anyone downstream of them (``Reach``);
    - **department**: the department of the action's place; **period**: its date;
      **organization**: the network's convening organization.

    A role without access to the people (a viewer) gets the fixed menu (ADR 0006): one
    program, whatever the other filters, counting only promoters who consented to
    aggregate reporting (S15); without a program, nothing."""
    from cascada.cascade.models import Reach
    from cascada.registry.consent import reportable
    from cascada.trainings.models import Cohort, Enrolment, EnrolmentStatus
    from cascada.trainings.selectors import cohort_ids_visible

    def completers(cohorts: QuerySet[Cohort]) -> QuerySet[Any]:
        return Enrolment.objects.filter(
            cohort_id__in=cohorts.values("pk"), completed=True, status=EnrolmentStatus.ENROLLED
        ).values("person_id")

    qs = CommunityAction.objects.filter(run_by__isnull=False)
    cap = Cap.VIEW_AGGREGATES
    cohorts = Cohort.objects.all()
    if sc.user is not None:
        cohorts = cohorts.filter(pk__in=cohort_ids_visible(user=sc.user, cap=cap))
    if sc.program is not None:  # within what the user sees: its cohorts are visible ones
        qs = qs.filter(run_by_id__in=completers(cohorts.filter(program_id=sc.program.pk)))
    elif sc.user is not None:
        seen = Q(run_by_id__in=completers(cohorts))
        full = scope.org_ids(sc.user, cap) - scope.cohort_bound_org_ids(sc.user, cap)
        if full:
            seen |= Q(network__organization_id__in=full)
        qs = qs.filter(seen)
    if not sc.sees_people:
        if sc.program is None:
            return qs.none()
        return reportable(qs, person="run_by")
    if sc.organization is not None:
        qs = qs.filter(network__organization_id=sc.organization.pk)
    if sc.department is not None:
        qs = qs.filter(place__department_id=sc.department.pk)
    if sc.start:
        qs = qs.filter(date__gte=sc.start)
    if sc.end:
        qs = qs.filter(date__lte=sc.end)
    if sc.trainer is not None:
        downstream = Reach.objects.filter(ancestor_id=sc.trainer.pk).values("descendant_id")
        qs = qs.filter(Q(run_by_id=sc.trainer.pk) | Q(run_by_id__in=downstream))
    return qs


def community_reach(sc: CascadeScope) -> CommunityReach:
    """What the promoters of a cascade scope did in their communities
    (``community_actions_in_scope``): actions and contacts, by sex and age band
    (``REACH_FIELDS``), by kind and by department. One query, aggregated in SQL: a row per
    kind and department, however many actions there are."""
    from django.db.models import F

    own = Q(run_by_id=sc.trainer.pk) if sc.trainer is not None else Q(pk__in=[])
    contacts_expr: Any = F(REACH_FIELDS[0])
    for name in REACH_FIELDS[1:]:
        contacts_expr = contacts_expr + F(name)
    rows: Any = (
        community_actions_in_scope(sc)
        .order_by()
        .values("kind", "place__department_id", "place__department__name")
        .annotate(
            n=Count("pk"),
            own_n=Count("pk", filter=own),
            own_c=Sum(contacts_expr, filter=own),
            **{name: Sum(name) for name in REACH_FIELDS},
        )
    )
    out = CommunityReach()
    for row in rows:
        n = int(row["n"])
        heads = {name: int(row[name] or 0) for name in REACH_FIELDS}
        contacts = sum(heads.values())
        for name, value in heads.items():
            out.by_field[name] += value
        kind = out.by_kind.setdefault(row["kind"], [0, 0])
        kind[0] += n
        kind[1] += contacts
        key = (row["place__department_id"], row["place__department__name"] or "")
        dep = out.by_department.setdefault(key, [0, 0])
        dep[0] += n
        dep[1] += contacts
        out.actions += n
        out.contacts += contacts
        out.own_actions += int(row["own_n"])
        out.own_contacts += int(row["own_c"] or 0)
    # Rows in a fixed order, never by size: the order of hidden cells would rank them.
    order = {kind: n for n, kind in enumerate(ActivityKind.values)}
    out.by_kind = dict(sorted(out.by_kind.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
    out.by_department = dict(
        sorted(out.by_department.items(), key=lambda kv: (kv[0][1] == "", kv[0][1]))
    )
    return out


def community_reach_present(reach: CommunityReach, sc: CascadeScope) -> dict[str, Any]:
    """What the user may see of ``community_reach``: exact figures for roles with access
    to the people (``Scope.sees_people``); for everyone else two releases of
    ``core.privacy.counts_release`` (contacts by sex and age band and by kind; actions by
    kind), and nothing by department, trainer or period (the fixed menu, ADR 0006)."""
    exact = bool(sc.sees_people)
    kinds = list(reach.by_kind)
    contacts_by: dict[str, dict[Any, int]] = {
        "sex_age": dict(reach.by_field),
        "kind": {kind: reach.by_kind[kind][1] for kind in kinds},
    }
    actions_by: dict[str, dict[Any, int]] = {
        "kind": {kind: reach.by_kind[kind][0] for kind in kinds}
    }
    if exact:
        contacts_by["department"] = {key: v[1] for key, v in reach.by_department.items()}
        actions_by["department"] = {key: v[0] for key, v in reach.by_department.items()}
    contacts = counts_release(reach.contacts, contacts_by, exact=exact, court=sc.court)
    actions = counts_release(reach.actions, actions_by, exact=exact, court=sc.court)
    hidden = Cell(None, contacts.k, unpublished=True)
    kind_labels = dict(ActivityKind.choices)
    return {
        "recorded": reach.actions > 0,  # whether anything is in scope (zero is shown)
        "actions": actions.total,
        "contacts": contacts.total,
        "by_sex_age": [
            {"key": name, "label": str(REACH_LABELS[name]), "contacts": cell}
            for name, cell in contacts.breakdowns["sex_age"].items()
        ],
        "by_kind": [
            {
                "key": kind,
                "label": str(kind_labels.get(kind, kind)),
                "actions": actions.breakdowns["kind"][kind],
                "contacts": contacts.breakdowns["kind"][kind],
            }
            for kind in kinds
        ],
        "departments": [
            {
                "department_id": key[0],
                "department": key[1] or str(_("No department recorded")),
                "actions": actions.breakdowns["department"][key],
                "contacts": contacts.breakdowns["department"][key],
            }
            for key in reach.by_department
        ]
        if exact
        else [],
        "published": {
            "sex_age": contacts.breakdowns["sex_age"].published,
            "kind": contacts.breakdowns["kind"].published and actions.breakdowns["kind"].published,
        },
        "own_actions": Cell(reach.own_actions, 0) if exact else hidden,
        "own_contacts": Cell(reach.own_contacts, 0) if exact else hidden,
        "suppressed": not exact,
    }
