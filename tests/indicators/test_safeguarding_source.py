# ruff: noqa: F403, F405 (fixtures imported from tests/safeguarding/conftest.py)
"""Referrals made and followed up as indicators: counts only, exact for the organization's
safeguarding leads, protected with the court threshold for everyone else (the
organization runs a court-ordered group), never by place or cohort."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.indicators.fill import fill_due
from cascada.indicators.models import Indicator
from cascada.indicators.present import indicator_view
from cascada.safeguarding.services import referral_make, referral_step
from tests.safeguarding.conftest import *

pytestmark = pytest.mark.django_db
D = dt.date


def view(code, org, *, exact):
    return indicator_view(
        Indicator.objects.get(code=code, organization=None),
        program_ids=None,
        organization_id=org.pk,
        exact=exact,
        court=True,
        today=D(2026, 12, 31),
        dimension="department",  # refused: never by place
    )


def test_referrals_made_and_followed_up(org, session_case, safeguarding_lead, directory):
    first = referral_make(
        actor=safeguarding_lead, case=session_case, service=directory["cem_vmt"],
        made_on=D(2026, 3, 10), basis="consent", consent_from="person",
        consent_on=D(2026, 3, 10), consent_text_version="CONS v2",
    )  # fmt: skip
    referral_make(
        actor=safeguarding_lead, case=session_case, service=directory["health_vmt"],
        made_on=D(2026, 4, 2), basis="consent", consent_from="person",
        consent_on=D(2026, 4, 2), consent_text_version="CONS v2",
    )  # fmt: skip
    referral_step(actor=safeguarding_lead, referral=first, step="received", on=D(2026, 3, 12))
    fill_due(today=D(2026, 12, 31))

    made = view("referrals_made", org, exact=True)
    assert made.so_far.number == 2 and made.dims == [] and made.dimension == ""
    assert view("referrals_followed", org, exact=True).so_far.number == 50.0
    # Anyone else: two referrals are fewer than the court threshold (10): hidden.
    protected = view("referrals_made", org, exact=False)
    assert protected.so_far.number is None and protected.so_far.text == "<10"
    assert view("referrals_followed", org, exact=False).so_far.number is None
