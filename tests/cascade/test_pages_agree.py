"""The program page and the trainer pages tell the same story (issue 7): one definition of
a trainer's generation and of "trained directly" (``cascade.selectors.trainer_figures``),
names where the identity rule allows them (one audit row per read, S10), none for roles
without access to identities."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cascada.audit.models import AuditEvent
from tests.accounts.factories import login_verified, make_user
from tests.cascade.factories import complete, run_cohort
from tests.registry.factories import make_person
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

ATTRS = ("generation", "direct", "reach")


def _listed(client, program, generation) -> dict[int, dict[str, int]]:
    html = client.get(
        reverse("web:cascade_level", args=[program.pk, generation]), HTTP_HX_REQUEST="true"
    ).content.decode()
    rows = {}
    for tag in re.findall(r'<li data-test="level-trainer"[^>]*>', html):
        values = dict(re.findall(r'data-(\w+)="(\d+)"', tag))
        rows[int(values["person"])] = {a: int(values[a]) for a in ATTRS}
    return rows


def _own_page(client, person) -> dict[str, int]:
    html = client.get(reverse("web:cascade_trainer", args=[person.pk])).content.decode()
    return {
        "generation": int(
            re.search(r'data-test="trainer-generation" data-generation="(\d+)"', html)[1]
        ),
        "direct": int(re.search(r'data-test="trainer-direct" data-direct="(\d+)"', html)[1]),
        "reach": int(re.search(r'data-test="trainer-reach" data-reach="(\d+)"', html)[1]),
    }


@pytest.fixture
def wider(known, org):
    """The known cascade, plus what made the two pages disagree: A trains people in another
    program too, and co-facilitates a cohort with someone of a later generation."""
    a, p = known.people["A"], known.people["P6"]
    other = make_program(owner=org, name="Otro programa")
    complete(run_cohort(program=other, facilitators=(a,)), make_person(organization=org))
    complete(run_cohort(program=known.program, facilitators=(a, p)), make_person(organization=org))
    return known


def test_every_listed_trainer_has_the_figures_of_her_own_page(wider, coordinator_client):
    program = wider.program
    seen = {}
    for generation in (1, 2, 3):
        for pk, listed in _listed(coordinator_client, program, generation).items():
            seen[pk] = listed
            person = next(p for p in wider.people.values() if p.pk == pk)
            assert listed == _own_page(coordinator_client, person), (generation, person.code)
    n, a, p6 = wider.people["N"], wider.people["A"], wider.people["P6"]
    # The national trainer trained generation 1 and is generation 0 on both pages.
    assert seen[n.pk]["generation"] == 0
    assert n.pk in _listed(coordinator_client, program, 1)
    # A trained P1, P2, P3, P5, a trainee shared with P6 and someone in another program.
    assert seen[a.pk]["direct"] == 6
    # P6 (generation 3) co-facilitated a cohort that delivers generation 2: listed among
    # those who trained generation 2, with her own generation.
    assert _listed(coordinator_client, program, 2)[p6.pk]["generation"] == 3


def test_the_tree_shows_the_generation_of_each_person_as_their_own_page(wider, coordinator_client):
    a = wider.people["A"]
    html = coordinator_client.get(reverse("web:cascade_tree", args=[a.pk])).content.decode()
    children = dict(
        re.findall(r'data-test="tree-child" data-person="(\d+)" data-generation="(\d+)"', html)
    )
    assert children
    for pk, generation in children.items():
        person = next((p for p in wider.people.values() if p.pk == int(pk)), None)
        if person is not None:
            assert _own_page(coordinator_client, person)["generation"] == int(generation)


def test_names_for_roles_that_may_read_them_and_one_audit_row_per_read(
    known, coordinator_client, client, org
):
    a = known.people["A"]
    before = AuditEvent.objects.filter(action="view_list").count()
    html = coordinator_client.get(
        reverse("web:cascade_level", args=[known.program.pk, 2]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert a.identity.full_name in html and a.code in html
    assert AuditEvent.objects.filter(action="view_list").count() == before + 1

    # An M&E officer sees people but not identities: codes only, nothing revealed.
    login_verified(client, make_user(role="me_officer", organization=org))
    before = AuditEvent.objects.filter(action="view_list").count()
    html = client.get(
        reverse("web:cascade_level", args=[known.program.pk, 2]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert a.code in html and a.identity.full_name not in html
    html = client.get(reverse("web:cascade_trainer", args=[a.pk])).content.decode()
    assert a.code in html and a.identity.full_name not in html
    assert AuditEvent.objects.filter(action="view_list").count() == before


def test_a_viewer_gets_no_trainers_and_no_names(known, client, org):
    login_verified(client, make_user(role="viewer", organization=org))
    a = known.people["A"]
    for name, args in (
        ("web:cascade_level", [known.program.pk, 2]),
        ("web:cascade_idle", [known.program.pk]),
    ):
        html = client.get(reverse(name, args=args)).content.decode()
        assert a.code not in html and a.identity.full_name not in html
    assert client.get(reverse("web:cascade_trainer", args=[a.pk])).status_code == 404
