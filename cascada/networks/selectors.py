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

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError

from .models import ActivityPlan, CommunityAction, MemberRole, Membership, Network, PlannedActivity

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
    """Members' records (codes; names only with VIEW_IDENTITY, audited) and exact figures;
    everyone else sees the network's figures through the disclosure control (S17)."""
    return network.organization_id in scope.org_ids(user, Cap.VIEW_PEOPLE) or may_manage(
        user, network
    )


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
