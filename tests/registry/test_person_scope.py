"""Who a user finds in the people list and search (S2), after the scoping became
subqueries instead of joins (docs/performance.md)."""

from __future__ import annotations

import pytest

from cascada.registry.selectors import person_list, person_search
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, other, stranger = make_org(), make_org(), make_org()
    program = make_program(owner=mine)
    own = make_person(organization=mine, national_id="12345678")
    # a person of another organization, enrolled in two of our cohorts and facilitating one
    guest = make_person(organization=other, given_name="Huésped", family_name="Prueba")
    facilitator = make_person(organization=other)
    # (never in a cohort he facilitates: docs/decisions/roster.md)
    first = make_cohort(program=program, facilitators=(facilitator,), name="Uno")
    second = make_cohort(program=program, name="Dos")
    make_cohort(program=program, facilitators=(guest,), name="Tres")
    enrol(first, guest)
    enrol(second, guest)
    hidden = make_person(organization=stranger, national_id="87654321")
    coordinator = make_user(role="coordinator", organization=mine)
    return coordinator, own, guest, facilitator, hidden


def test_people_list_holds_own_enrolled_and_facilitating_people_once(world):
    coordinator, own, guest, facilitator, hidden = world
    visible = list(person_list(user=coordinator).order_by("code"))
    assert sorted(p.pk for p in visible) == sorted([own.pk, guest.pk, facilitator.pk])
    assert person_list(user=coordinator).count() == 3


def test_search_by_code_in_any_case_by_id_number_and_by_full_name(world):
    coordinator, own, guest, _facilitator, hidden = world
    assert list(person_search(user=coordinator, text=own.code.lower())) == [own]
    assert list(person_search(user=coordinator, text=" 12345678 ")) == [own]
    assert list(person_search(user=coordinator, text="Huésped Prueba")) == [guest]


def test_search_never_finds_people_out_of_scope(world):
    coordinator, _own, _guest, _facilitator, hidden = world
    assert list(person_search(user=coordinator, text="87654321")) == []
    assert list(person_search(user=coordinator, text=hidden.code)) == []


def test_identity_rule_is_per_person(world):
    """Names of own people and of people enrolled in our cohorts; not of another
    organization's staff facilitating them, nor of anyone out of scope."""
    from cascada.registry.models import Person
    from cascada.registry.selectors import identity_visible_ids, identity_visible_q

    coordinator, own, guest, facilitator, hidden = world
    everyone = [own.pk, guest.pk, facilitator.pk, hidden.pk]
    assert identity_visible_ids(user=coordinator, person_ids=everyone) == {own.pk, guest.pk}
    # The queryset form of the rule agrees.
    rule = identity_visible_q(user=coordinator)
    assert set(Person.objects.filter(rule).values_list("pk", flat=True)) == {own.pk, guest.pk}


def test_search_is_audited_without_the_text(world):
    from cascada.audit.models import AuditEvent
    from cascada.registry.selectors import person_search_reveal

    coordinator, own, *_rest = world
    found = person_search_reveal(user=coordinator, text="12345678")
    assert found.people == [own] and found.by_id_number
    assert found.names == {own.pk: own.identity.full_name}
    row = AuditEvent.objects.get(action="search")
    assert row.detail == {"results": 1, "people": 1, "by_id_number": True}
    assert "12345678" not in str(row.detail) + row.target_id
