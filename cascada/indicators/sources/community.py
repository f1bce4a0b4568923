"""Community action (issue 10): contacts and actions of a program's promoters (family
``community``: the actions run by people who completed a cohort of the program, as the
cascade counts them, ``networks.selectors.community_actions_in_scope``), and each
network's plan against what was done (family ``plans``, per organization)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.networks.models import ActivityPlan, CommunityAction, Network
from cascada.networks.selectors import REACH_FIELDS, plan_status
from cascada.trainings.models import Enrolment, EnrolmentStatus

from . import FactRows, Family, Source, month_of, register
from .people import programs


def community(program: tuple[int, int], today: dt.date) -> FactRows:
    program_id, organization_id = program
    out = FactRows(organization_id, program_id)
    promoters = Enrolment.objects.filter(
        cohort__program_id=program_id, completed=True, status=EnrolmentStatus.ENROLLED
    ).values("person_id")
    actions = CommunityAction.objects.filter(run_by_id__in=promoters).values_list(
        "date", "kind", "place_id", "run_by__reporting_consent", *REACH_FIELDS
    )
    for date, kind, place, ok, *heads in actions:
        month = month_of(date)
        assert month is not None
        out.add("community_actions", month, value=1, kind=kind, place=place, consenting=bool(ok))
        for group, n in zip(REACH_FIELDS, heads, strict=True):
            if n:
                out.add(
                    "community_reach",
                    month,
                    value=n,
                    kind=kind,
                    place=place,
                    sex=group,  # the audience as counted (women, young men...), not a sex
                    consenting=bool(ok),
                )
    return out


def networks() -> list[Any]:
    return list(Network.objects.values_list("organization_id", flat=True).distinct())


def plans(organization_id: int, today: dt.date) -> FactRows:
    """Planned activities of each network's approved plan, in their month, against those
    done (an action recorded against the planned line: ``networks.selectors.plan_status``)."""
    out = FactRows(organization_id, None)
    for plan in ActivityPlan.objects.filter(
        network__organization_id=organization_id
    ).select_related("network"):
        status = plan_status(network=plan.network, year=plan.year, today=today)
        for line in status.lines:
            out.add(
                "network_activities",
                dt.date(plan.year, line.month, 1),
                value=int(line.done),
                base=1,
                kind=line.kind,
                place=plan.network.place_id,
            )
    return out


register(
    Family("community", "program", community, programs),
    Source(
        "community_actions",
        "community",
        _("Community actions"),
        ("department", "province", "district", "kind"),
    ),
    Source(
        "community_reach",
        "community",
        _("Contacts in community actions"),
        ("audience", "department", "province", "district", "kind"),
    ),
)
register(
    Family("plans", "organization", plans, networks),
    Source(
        "network_activities",
        "plans",
        _("Planned network activities done"),
        ("department", "province", "district", "kind"),
        control="none",
    ),
)
