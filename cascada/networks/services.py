"""Writes of networks: members (a cohort's completers in one step), plans revised without
losing what was planned before, community actions stored once however often they are
sent (docs/decisions/networks.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.registry.models import Person
from cascada.trainings.models import Enrolment

from .models import (
    ActivityKind,
    ActivityPlan,
    CommunityAction,
    MemberRole,
    Membership,
    Network,
    PlannedActivity,
    PlanRevision,
)
from .selectors import may_manage, may_record


def _require(actor: Any, network: Network) -> None:
    """``actor`` None is the operator (CLI, demo, imports already checked)."""
    if actor is not None and not may_manage(actor, network):
        raise PermissionDeniedError()


@transaction.atomic
def members_from_cohort(
    *, actor: Any, network: Network, cohort: Any, joined_on: dt.date
) -> list[Membership]:
    """Every completer of ``cohort`` joins ``network`` (those already in are left as they
    are). Their training history is the cascade's."""
    _require(actor, network)
    people = Person.objects.filter(
        pk__in=Enrolment.objects.filter(cohort=cohort, completed=True).values("person_id")
    )
    current = set(
        network.memberships.filter(left_on__isnull=True).values_list("person_id", flat=True)
    )
    added = Membership.objects.bulk_create(
        Membership(network=network, person=p, role=MemberRole.MEMBER, joined_on=joined_on)
        for p in people
        if p.pk not in current
    )
    audit_record(actor=actor, action="update", target=network, detail={"count": len(added)})
    return added


@transaction.atomic
def plan_revise(
    *,
    actor: Any,
    network: Network,
    year: int,
    activities: Iterable[Mapping[str, Any]],
    approved_on: dt.date,
    note: str = "",
) -> PlanRevision:
    """A new approved revision of the network's plan for ``year``: the earlier revisions
    stay as they were (what was planned in March stays visible after June's revision).
    Each activity has a ``key`` that stays the same across revisions."""
    _require(actor, network)
    plan, _created = ActivityPlan.objects.get_or_create(network=network, year=year)
    number = (plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = PlanRevision.objects.create(
        plan=plan,
        number=number,
        approved_on=approved_on,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    rows = []
    for a in activities:
        if a["kind"] not in ActivityKind.values or not 1 <= int(a["month"]) <= 12:
            raise ApplicationError(
                _("Each planned activity needs a known kind and a month from 1 to 12.")
            )
        rows.append(
            PlannedActivity(
                revision=revision,
                key=str(a["key"])[:40],
                kind=a["kind"],
                title=str(a["title"])[:200],
                month=int(a["month"]),
                place=a.get("place"),
                audience=str(a.get("audience", ""))[:120],
                expected_reach=int(a.get("expected_reach", 0)),
            )
        )
    PlannedActivity.objects.bulk_create(rows)
    audit_record(actor=actor, action="update", target=network, detail={"count": len(rows)})
    return revision


@transaction.atomic
def action_record(
    *, actor: Any, network: Network, client_key: str = "", **fields: Any
) -> tuple[CommunityAction, bool]:
    """Record what was done. The same ``client_key`` (an offline retry, an ODK submission
    imported again) is one action: the second time nothing is written and the first is
    returned. Returns (action, created)."""
    if actor is not None and not may_record(actor, network):
        raise PermissionDeniedError()
    if client_key:
        found = CommunityAction.objects.filter(network=network, client_key=client_key).first()
        if found is not None:
            return found, False
    if fields.get("kind") not in ActivityKind.values:
        raise ApplicationError(_("Unknown kind of activity."), extra={"field": "kind"})
    action = CommunityAction(
        network=network,
        client_key=client_key[:80],
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    try:
        action.full_clean(exclude=["network", "run_by", "place", "recorded_by"])
    except ValidationError as error:
        raise ApplicationError("; ".join(error.messages), code="invalid") from error
    action.save()
    audit_record(actor=actor, action="create", target=action)
    return action, True
