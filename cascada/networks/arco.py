"""Networks' answers to the registry's person hooks (merge, S14 ARCO; subscribed in
``NetworksConfig.ready()``; docs/decisions/arco.md).

- ``person_merged``: the duplicate's memberships, the actions it ran and the planned
  activities it is responsible for move to the record kept (what the kept record already
  has stays once).
- ``person_exported``: the person's memberships (network, role, dates) and the actions
  they ran (date, kind, what was done).
- ``person_erased``: memberships and actions hold no name; they stay, attached to the
  pseudonymous record, so the networks' figures do not change.
"""

from __future__ import annotations

from typing import Any

from cascada.registry.hooks import PersonErased, PersonExported, PersonMerged

from .models import CommunityAction, Membership, PlannedActivity


def person_merged(event: PersonMerged) -> dict[str, int]:
    moved = 0
    kept_current = set(
        Membership.objects.filter(person=event.kept, left_on__isnull=True).values_list(
            "network_id", flat=True
        )
    )
    for membership in Membership.objects.filter(person=event.merged):
        if membership.left_on is None and membership.network_id in kept_current:
            membership.delete()
            continue
        membership.person = event.kept
        membership.save(update_fields=["person"])
        moved += 1
    actions = CommunityAction.objects.filter(run_by=event.merged).update(run_by=event.kept)
    through = PlannedActivity.responsible.through
    already = set(
        through.objects.filter(person=event.kept).values_list("plannedactivity_id", flat=True)
    )
    through.objects.filter(person=event.merged, plannedactivity_id__in=already).delete()
    planned = through.objects.filter(person=event.merged).update(person=event.kept)
    return {
        "network memberships": moved,
        "community actions run": actions,
        "planned activities responsible": planned,
    }


def person_exported(event: PersonExported) -> dict[str, list[dict[str, Any]]]:
    person = event.person
    return {
        "network_memberships": [
            {
                "network": m.network.name,
                "role": m.role,
                "joined_on": m.joined_on.isoformat(),
                "left_on": m.left_on.isoformat() if m.left_on else None,
            }
            for m in Membership.objects.filter(person=person).select_related("network")
        ],
        "community_actions_run": [
            {"date": a.date.isoformat(), "kind": a.kind, "title": a.title}
            for a in CommunityAction.objects.filter(run_by=person)
        ],
    }


def person_erased(event: PersonErased) -> dict[str, int]:
    return {}
