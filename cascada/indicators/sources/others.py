"""Organization-wide sources, outside any program: Commitments to Action (milestones
done of those due, funds disbursed by currency), formative research (quota cells met),
safeguarding (referrals made, and followed up: counts only, never by cohort, facilitator
or place; docs/decisions/safeguarding.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.commitments.models import Commitment, Disbursement, Milestone, MilestoneStatus
from cascada.research.models import Quota, Study
from cascada.research.selectors import quota_counts
from cascada.safeguarding.models import Referral

from . import FactRows, Family, Source, month_of, register


def _commitment_orgs() -> list[Any]:
    return list(Commitment.objects.values_list("institution_id", flat=True).distinct())


def commitments(organization_id: int, today: dt.date) -> FactRows:
    out = FactRows(organization_id, None)
    for due, status in (
        Milestone.objects.filter(commitment__institution_id=organization_id)
        .exclude(status=MilestoneStatus.DROPPED)
        .values_list("due_on", "status")
    ):
        month = month_of(due)
        assert month is not None
        out.add("milestones", month, value=int(status == MilestoneStatus.DONE), base=1)
    for day, amount, currency in Disbursement.objects.filter(
        tranche__grant__commitment__institution_id=organization_id
    ).values_list("date", "amount", "tranche__grant__currency"):
        month = month_of(day)
        assert month is not None
        # Amounts add up within a currency only: the currency is the fact's kind.
        out.add("disbursed", month, value=float(amount), kind=currency)
    return out


def _study_orgs() -> list[Any]:
    return list(Study.objects.values_list("organization_id", flat=True).distinct())


def research(organization_id: int, today: dt.date) -> FactRows:
    """Quota cells met (took part ≥ needed) of the cells of each study, in the month the
    study was created: a state as of the fill, shown for the whole study."""
    out = FactRows(organization_id, None)
    for study in Study.objects.filter(organization_id=organization_id):
        counts = quota_counts(study)
        month = month_of(study.created_at.date())
        assert month is not None
        for quota in Quota.objects.filter(study=study):
            took = counts.get((quota.site_id, quota.stratum_id, quota.method), {}).get(
                "took_part", 0
            )
            out.add("quotas", month, value=int(took >= quota.target), base=1, kind=quota.method)
    return out


def _referral_orgs() -> list[Any]:
    return list(Referral.objects.values_list("disclosure__organization_id", flat=True).distinct())


def safeguarding(organization_id: int, today: dt.date) -> FactRows:
    """Referrals made in a month (base) and those the service confirmed it received or
    went further (value): the step after "made" was recorded."""
    out = FactRows(organization_id, None)
    for made, received, attended, closed in Referral.objects.filter(
        disclosure__organization_id=organization_id
    ).values_list("made_on", "received_on", "attended_on", "closed_on"):
        month = month_of(made)
        assert month is not None
        followed = any(d is not None for d in (received, attended, closed))
        out.add("referrals", month, value=int(followed), base=1)
    return out


register(
    Family("commitments", "organization", commitments, _commitment_orgs),
    Source("milestones", "commitments", _("Milestones done (of those due)"), (), control="none"),
    Source("disbursed", "commitments", _("Seed-grant funds disbursed"), ("kind",), control="none"),
)
register(
    Family("research", "organization", research, _study_orgs),
    Source(
        "quotas",
        "research",
        _("Research quota cells met"),
        ("kind",),
        additive_in_time=False,
        control="none",
    ),
)
register(
    Family("safeguarding", "organization", safeguarding, _referral_orgs),
    Source(
        "referrals", "safeguarding", _("Referrals made (followed up of made)"), (), sensitive=True
    ),
)
