"""Community action's indicators on the hand-built world: a network of the program's
promoters, its plan and the actions they ran (contacts, never people)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.indicators.fill import fill_due
from cascada.indicators.models import Indicator
from cascada.indicators.present import indicator_view
from cascada.networks.models import Network
from cascada.networks.services import action_record, plan_revise

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def network(world):
    net = Network.objects.create(
        organization=world["org"], name="Red de Promotores de Huamanga", kind="municipal",
        place=world["huamanga"],
    )  # fmt: skip
    plan_revise(
        actor=None, network=net, year=2025, approved_on=D(2025, 1, 15),
        activities=[
            {"key": "feria", "kind": "fair", "title": "Feria", "month": 5, "expected_reach": 200},
            {"key": "taller", "kind": "workshop", "title": "Taller", "month": 6, "expected_reach": 25},
        ],
    )  # fmt: skip
    # a1 completed the program's training: his actions are the program's reach.
    action_record(
        actor=None, network=net, date=D(2025, 5, 10), kind="fair", title="Feria", planned_key="feria",
        place=world["huamanga"], run_by=world["a"][0], women=80, men=60, children=5,
    )  # fmt: skip
    # b3 never completed: his action belongs to the network, not to the program's reach.
    action_record(
        actor=None, network=net, date=D(2025, 7, 1), kind="talk", title="Charla",
        place=world["huamanga"], run_by=world["b"][2], men=12,
    )  # fmt: skip
    return net


def view(world, code, program=True, **kw):
    indicator = Indicator.objects.get(code=code, organization=None)
    return indicator_view(
        indicator,
        program_ids=[world["program"].pk] if program else None,
        organization_id=world["org"].pk,
        exact=True,
        today=D(2025, 12, 31),
        **kw,
    )


def test_reach_of_the_programs_promoters_is_contacts_by_audience(world, network):
    fill_due(today=D(2025, 12, 31))
    reach = view(world, "community_reach", dimension="audience")
    assert reach.so_far.number == 145
    assert {r.key: r.value.number for r in reach.breakdown} == {
        "women": 80, "men": 60, "children": 5,
    }  # fmt: skip
    assert view(world, "community_actions").so_far.number == 1


def test_planned_activities_done_per_network_plan(world, network):
    fill_due(today=D(2025, 12, 31))
    plan = view(world, "network_plan_done", program=False)
    assert plan.exact  # the organization's own work
    assert plan.so_far.number == 50.0  # the fair was done, the workshop was not
    assert [p.key for p in plan.periods] == ["2025"]
