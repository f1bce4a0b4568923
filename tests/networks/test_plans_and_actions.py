"""A network's year by hand (Grupo Vigencia's municipal network, seed 001): planned against
done with numbers known in advance, a June revision that keeps March's plan, reach as
headcounts, an action sent twice stored once, members from a cohort, scope (S2)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.accounts.roles import Role
from cascada.core.errors import PermissionDeniedError
from cascada.networks.models import CommunityAction, Network, PlannedActivity
from cascada.networks.selectors import plan_status
from cascada.networks.services import action_record, members_from_cohort, plan_revise
from tests.accounts.factories import make_user
from tests.cascade.factories import complete, run_cohort
from tests.registry.factories import make_person
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

MARCH_PLAN = [
    {"key": "feria-may", "kind": "fair", "title": "Feria por el buen trato", "month": 5,
     "expected_reach": 200},
    {"key": "taller-jun", "kind": "workshop", "title": "Taller de masculinidades", "month": 6,
     "expected_reach": 25},
    {"key": "campana-nov", "kind": "campaign", "title": "16 días de activismo", "month": 11,
     "expected_reach": 500},
    {"key": "25n", "kind": "commemoration", "title": "25 de noviembre", "month": 11,
     "expected_reach": 300},
]  # fmt: skip


@pytest.fixture
def network(org):
    return Network.objects.create(
        organization=org,
        name="Red Municipal de Promotores Masculinos contra la Violencia Familiar y Sexual",
        kind="municipal",
        registry_entry="14325678",
        recognition="Resolución de Alcaldía N.º 123-2026-MDCLR",
    )


def act(network, key, date, **reach):
    return action_record(
        actor=None,
        network=network,
        date=date,
        kind="fair",
        title=key or "Charla no planificada",
        planned_key=key,
        **reach,
    )[0]


def test_planned_against_done_on_a_hand_built_year(network):
    plan_revise(actor=None, network=network, year=2026, activities=MARCH_PLAN,
                approved_on=dt.date(2026, 3, 10))  # fmt: skip
    act(network, "feria-may", dt.date(2026, 5, 16), women=80, men=60, children=40)
    act(network, "taller-jun", dt.date(2026, 7, 2), men=18, young_men=4)  # a month late
    act(network, "", dt.date(2026, 8, 20), women=10)  # unplanned
    status = plan_status(network=network, year=2026, today=dt.date(2026, 12, 6))
    lines = {line.key: line for line in status.lines}
    assert (status.planned, status.done, status.late) == (4, 2, 2)
    assert lines["feria-may"].reached == 180 and lines["taller-jun"].reached == 22
    assert lines["campana-nov"].late and lines["25n"].late and not lines["25n"].missing
    assert status.expected_reach == 1025 and status.reached == 180 + 22 + 10
    assert status.unplanned_actions == 1
    assert status.by_month() == {5: (1, 1), 6: (1, 1), 11: (2, 0)}
    # The year over: what was not done is missing, not just late.
    assert plan_status(network=network, year=2026, today=dt.date(2027, 1, 5)).lines[2].missing


def test_a_june_revision_keeps_marchs_plan(network):
    march = plan_revise(actor=None, network=network, year=2026, activities=MARCH_PLAN,
                        approved_on=dt.date(2026, 3, 10))  # fmt: skip
    june_plan = [a for a in MARCH_PLAN if a["key"] != "taller-jun"] + [
        {"key": "charla-sep", "kind": "talk", "title": "Charla en el colegio", "month": 9}
    ]
    june = plan_revise(actor=None, network=network, year=2026, activities=june_plan,
                       approved_on=dt.date(2026, 6, 15), note="El taller pasa a charla")  # fmt: skip
    assert (march.number, june.number) == (1, 2)
    assert set(march.activities.values_list("key", flat=True)) == {a["key"] for a in MARCH_PLAN}
    status = plan_status(network=network, year=2026, today=dt.date(2026, 10, 1))
    assert status.revision == 2 and {line.key for line in status.lines} == {
        "feria-may", "campana-nov", "25n", "charla-sep"
    }  # fmt: skip
    assert PlannedActivity.objects.filter(revision__plan__network=network).count() == 8


def test_an_action_sent_twice_is_stored_once(network):
    first, created = action_record(actor=None, network=network, client_key="phone-7f3a-0001",
                                   date=dt.date(2026, 5, 16), kind="fair", title="Feria",
                                   women=30)  # fmt: skip
    again, created_again = action_record(actor=None, network=network,
                                         client_key="phone-7f3a-0001", date=dt.date(2026, 5, 16),
                                         kind="fair", title="Feria", women=30)  # fmt: skip
    assert created and not created_again and first.pk == again.pk
    assert CommunityAction.objects.count() == 1


def test_headcounts_are_contacts_never_people(network):
    """Reach is the sum of headcounts: the same men at two fairs are counted twice, and no
    person record is made from a headcount."""
    from cascada.registry.models import Person

    before = Person.objects.count()
    act(network, "feria-may", dt.date(2026, 5, 16), men=50)
    act(network, "feria-may", dt.date(2026, 5, 23), men=50)
    status = plan_status(network=network, year=2026, today=dt.date(2026, 6, 1))
    assert status.reached == 100 and Person.objects.count() == before


def test_a_cohorts_completers_join_in_one_step(org, network):
    program = make_program(owner=org)
    trainer = make_person(organization=org)
    course = run_cohort(program=program, facilitators=(trainer,))
    promoters = [make_person(organization=org) for _ in range(3)]
    complete(course, *promoters)
    added = members_from_cohort(actor=None, network=network, cohort=course,
                                joined_on=dt.date(2026, 4, 1))  # fmt: skip
    assert {m.person_id for m in added} == {p.pk for p in promoters}
    again = members_from_cohort(actor=None, network=network, cohort=course,
                                joined_on=dt.date(2026, 4, 2))  # fmt: skip
    assert again == []


def test_another_organization_cannot_plan_or_record_for_a_network(network, other_org):
    outsider = make_user(organization=other_org, role=Role.COORDINATOR)
    with pytest.raises(PermissionDeniedError):
        plan_revise(actor=outsider, network=network, year=2026, activities=MARCH_PLAN,
                    approved_on=dt.date(2026, 3, 10))  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        action_record(actor=outsider, network=network, date=dt.date(2026, 5, 1), kind="fair",
                      title="Feria")  # fmt: skip
    assert not CommunityAction.objects.exists()


def test_an_action_without_what_was_done_is_a_clear_message(network):
    from cascada.core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        action_record(actor=None, network=network, date=dt.date(2026, 5, 1), kind="fair", title="")
    with pytest.raises(ApplicationError):
        action_record(actor=None, network=network, date=dt.date(2026, 5, 1), kind="picnic",
                      title="Paseo")  # fmt: skip
