# ruff: noqa: F811 (fixtures imported from tests/commitments/conftest.py)
"""Commitments to Action's indicators on seed 004 in miniature: milestones done of those
due, funds disbursed in the grant's own currency."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.commitments.models import Milestone
from cascada.commitments.services import (
    disbursement_record,
    grant_create,
    milestone_set_status,
    tranche_release,
)
from cascada.indicators.fill import fill_due
from cascada.indicators.models import Indicator
from cascada.indicators.present import indicator_view
from tests.commitments.conftest import (  # noqa: F401
    alianza,
    cies,
    commitment,
    el_alto,
    focal,
    funder,
    initiative,
    manager,
    mentor,
)

pytestmark = pytest.mark.django_db
D = dt.date


def view(code, cies, **kw):
    indicator = Indicator.objects.get(code=code, organization=None)
    return indicator_view(
        indicator,
        program_ids=None,
        organization_id=cies.pk,
        exact=False,
        today=D(2019, 12, 31),
        **kw,
    )


def test_milestones_done_of_those_due_and_funds_disbursed(commitment, manager, focal, cies):
    first = Milestone.objects.get(commitment=commitment, key="diagnostico")
    milestone_set_status(actor=None, milestone=first, status="done", on=D(2019, 7, 20))
    grant = grant_create(
        actor=manager, commitment=commitment, amount="20000.00", currency="BOB",
        awarded_on=D(2019, 4, 1), tranches=[{"amount": "12000.00"}, {"amount": "8000.00"}],
    )  # fmt: skip
    tranche = grant.tranches.order_by("number").first()
    tranche_release(actor=manager, tranche=tranche, released_on=D(2019, 4, 2))
    disbursement_record(actor=manager, tranche=tranche, date=D(2019, 4, 5), amount="7000.00")
    disbursement_record(actor=manager, tranche=tranche, date=D(2019, 8, 5), amount="5000.00")
    fill_due(today=D(2019, 12, 31))

    done = view("milestones_done", cies)
    # The organization's own work: exact for whoever sees the dashboard (no people in it).
    assert done.exact
    # From the first milestone due (no plan gives the program's dates here).
    assert {p.key: p.value.number for p in done.periods} == {
        "2019Q3": 50.0,  # two due (July, September), one done
        "2019Q4": 0.0,  # the November meeting is not done
    }
    assert done.so_far.number == pytest.approx(100 / 3)

    money = view("funds_disbursed", cies, dimension="kind")
    assert {p.key: p.value.number for p in money.periods} == {
        "2019Q2": 7000.0,
        "2019Q3": 12000.0,  # cumulative
        "2019Q4": 12000.0,
    }
    assert [(r.key, r.value.number) for r in money.breakdown] == [("BOB", 12000.0)]
