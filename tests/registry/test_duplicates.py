"""The one duplicate-person rule (ADR 0005): same ID number, or same full name, birth
year and place, searched only among the people the acting user may see."""

from __future__ import annotations

import pytest

from cascada.registry.services import (
    DuplicateCandidate,
    DuplicatePersonError,
    person_create,
    person_duplicates,
    person_duplicates_batch,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person, make_place
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, partner, stranger = make_org(), make_org(), make_org()
    lima = make_place(code="150101", name="Lima")
    own = make_person(
        organization=mine,
        given_name="Ramón",
        family_name="Quispe",
        national_id="12345678",
        birth_year=1980,
        place=lima,
    )
    guest = make_person(
        organization=partner, given_name="Huésped", family_name="Prueba", national_id="22222222"
    )
    enrol(make_cohort(program=make_program(owner=mine), sessions=0), guest)
    hidden = make_person(
        organization=stranger,
        given_name="Oculto",
        family_name="Prueba",
        national_id="87654321",
        birth_year=1975,
        place=lima,
    )
    coordinator = make_user(role="coordinator", organization=mine)
    return coordinator, mine, lima, own, guest, hidden


def test_batch_finds_by_id_number_or_name_year_place_within_scope(world):
    coordinator, _mine, lima, own, guest, hidden = world
    found = person_duplicates_batch(
        actor=coordinator,
        candidates=[
            DuplicateCandidate(national_id="12345678"),
            DuplicateCandidate(national_id="22222222", given_name="Otro"),
            # same name as keyed hash: case, accents and spaces do not matter
            DuplicateCandidate(
                given_name="ramon ", family_name="QUISPE", birth_year=1980, place=lima
            ),
            DuplicateCandidate(
                given_name="Ramón", family_name="Quispe", birth_year=1981, place=lima
            ),
            DuplicateCandidate(given_name="Ramón", family_name="Quispe", birth_year=1980),
            # outside the coordinator's scope
            DuplicateCandidate(national_id="87654321"),
            DuplicateCandidate(
                given_name="Oculto", family_name="Prueba", birth_year=1975, place=lima
            ),
        ],
    )
    assert found == [
        ([own], "id_number"),
        ([guest], "id_number"),
        ([own], "name_birth_year_place"),
        ([], ""),
        ([], ""),  # the name rule needs the place too
        ([], ""),
        ([], ""),
    ]


def test_the_system_searches_the_whole_registry(world):
    *_rest, hidden = world
    assert person_duplicates_batch(
        actor=None, candidates=[DuplicateCandidate(national_id="87654321")]
    ) == [([hidden], "id_number")]


def test_person_duplicates_is_the_batch_for_one(world):
    coordinator, _mine, lima, own, _guest, hidden = world
    assert person_duplicates(actor=coordinator, national_id="12345678") == ([own], "id_number")
    assert person_duplicates(actor=coordinator, national_id="87654321") == ([], "")
    assert person_duplicates(national_id="87654321") == ([hidden], "id_number")  # system


def test_the_form_rule_refuses_a_visible_duplicate_and_ignores_a_hidden_one(world):
    coordinator, mine, _lima, own, _guest, hidden = world
    with pytest.raises(DuplicatePersonError) as refused:
        person_create(
            actor=coordinator, organization=mine, given_name="Otro", national_id="12345678"
        )
    assert refused.value.matches == [own]
    created = person_create(
        actor=coordinator, organization=mine, given_name="Otro", national_id="87654321"
    )
    assert created.pk != hidden.pk


def test_batch_queries_do_not_grow_with_the_candidates(world, django_assert_max_num_queries):
    coordinator, _mine, lima, *_ = world
    candidates = [
        DuplicateCandidate(
            national_id=f"{12345678 + i}" if i % 2 else "",
            given_name=f"Ficticio{i}",
            family_name="Prueba",
            birth_year=1980,
            place=lima,
        )
        for i in range(500)
    ]
    with django_assert_max_num_queries(6):
        found = person_duplicates_batch(actor=coordinator, candidates=candidates)
    assert len(found) == 500
