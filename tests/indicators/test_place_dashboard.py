"""The dashboard of a department (``web:indicators_place``): the organization's programs
in one department, for users who see its people; 404 for everyone else and for any place
that is not a department of the organization's figures (conftest's hand-built program:
cohort A in Lima, cohort B in Huamanga, Ayacucho)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.indicators.models import Fact
from cascada.indicators.services import indicator_create
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db


def place_url(org, place) -> str:
    return reverse("web:indicators_place", args=[org.pk, place.pk])


def figures(page) -> dict[str, float | None]:
    return {c["view"].indicator.code: c["view"].so_far.number for c in page.context["cards"]}


def test_a_coordinator_reads_lima_alone(filled, coordinator_client, org):
    lima = filled["lima"].department
    page = coordinator_client.get(place_url(org, lima))
    assert page.status_code == 200
    shown = figures(page)
    # Lima: cohort A, a training of trainers: a1..a4 enrolled, a1..a3 completed and
    # certified trainers. Huamanga's five men are not counted.
    assert shown["people_enrolled"] == 4
    assert shown["people_completed"] == 3
    assert shown["trainers_trained"] == 3
    html = page.content.decode()
    assert lima.name in html and "<svg" in html
    assert 'data-test="place-left-out"' in html and 'data-test="filled-at"' in html


def test_ayacucho_counts_its_own_people_only(filled, coordinator_client, org):
    ayacucho = filled["huamanga"].department
    page = coordinator_client.get(place_url(org, ayacucho), {"frequency": "year"})
    assert page.status_code == 200
    shown = figures(page)
    assert shown["people_enrolled"] == 5
    assert shown["people_completed"] == 4
    assert shown["trainers_trained"] == 0
    assert {c["view"].frequency for c in page.context["cards"]} <= {"year", "month"}


def test_organization_wide_and_hand_typed_indicators_are_left_out(filled, coordinator_client, org):
    """They have no department: shown here they would be the whole organization's."""
    typed = indicator_create(
        actor=None, organization=org, name_es="Ordenanzas", source="reported",
        measure="value", unit="count", cumulative=True, frequency="quarter",
    )  # fmt: skip
    page = coordinator_client.get(place_url(org, filled["lima"].department))
    shown = figures(page)
    assert {"people_enrolled", "community_reach", "gem_improved"} <= set(shown)
    left_out = {"network_plan_done", "milestones_done", "quotas_met", "referrals_made"}
    assert not left_out & set(shown)
    assert typed.code not in shown
    organization = coordinator_client.get(reverse("web:indicators_organization", args=[org.pk]))
    assert typed.code in figures(organization)


def test_another_programs_figures_in_the_department_add_up(filled, coordinator_client, org):
    """Every program of the organization counts: a second program's fact in Lima is added."""
    lima = filled["lima"].department
    second = make_program(owner=org)
    month = Fact.objects.filter(program=filled["program"]).values_list("month", flat=True)[0]
    Fact.objects.create(
        source="participants", organization=org, program=second, month=month,
        department=lima, base=2, base_consenting=2,
    )  # fmt: skip
    page = coordinator_client.get(place_url(org, lima))
    assert figures(page)["people_enrolled"] == 6


def test_the_organization_dashboard_links_the_departments_with_figures(
    filled, coordinator_client, org
):
    page = coordinator_client.get(reverse("web:indicators_organization", args=[org.pk]))
    html = page.content.decode()
    assert 'data-test="by-department"' in html
    for place in (filled["lima"].department, filled["huamanga"].department):
        assert place_url(org, place) in html


def test_viewers_facilitators_and_other_organizations_get_404(filled, org, client):
    lima = filled["lima"].department
    url = place_url(org, lima)
    viewer = make_user(role=Role.VIEWER, organization=org)
    facilitator = make_user(role=Role.FACILITATOR, organization=org)
    stranger = make_user(role=Role.COORDINATOR, organization=make_org(name="Otra"))
    for user in (viewer, facilitator, stranger):
        client.logout()
        login_verified(client, user)
        assert client.get(url).status_code == 404, user
    # A viewer's organization dashboard lists no department either.
    client.logout()
    login_verified(client, viewer)
    page = client.get(reverse("web:indicators_organization", args=[org.pk]))
    assert page.status_code == 200
    assert 'data-test="by-department"' not in page.content.decode()


def test_a_place_that_is_not_a_department_of_the_figures_is_404(filled, coordinator_client, org):
    from cascada.registry.models import Place

    lima_district = filled["lima"]  # a district: the page is for departments
    province = lima_district.parent
    cusco = Place.objects.get(country="PE", code="08")  # a department with no figures
    for place in (lima_district, province, cusco):
        assert coordinator_client.get(place_url(org, place)).status_code == 404, place
    for path in (
        f"/indicators/organizations/{org.pk}/places/99999999/",
        f"/indicators/organizations/{org.pk}/places/99999999999999999999/",
        f"/indicators/organizations/{org.pk}/places/0/",
        f"/indicators/organizations/{org.pk}/places/lima/",
    ):
        assert coordinator_client.get(path).status_code == 404, path


def test_another_organizations_department_is_not_ours(filled, org, client):
    """A department where only another organization works is a 404 for us, and ours is a
    404 for them."""
    other = make_org(name="Otra")
    lima = filled["lima"].department
    other_program = make_program(owner=other)
    from cascada.registry.models import Place

    piura = Place.objects.get(country="PE", code="20")
    month = Fact.objects.filter(program=filled["program"]).values_list("month", flat=True)[0]
    Fact.objects.create(
        source="participants", organization=other, program=other_program, month=month,
        department=piura, base=7, base_consenting=7,
    )  # fmt: skip
    login_verified(client, make_user(role=Role.COORDINATOR, organization=org))
    assert client.get(place_url(org, piura)).status_code == 404
    assert client.get(place_url(org, lima)).status_code == 200
    client.logout()
    login_verified(client, make_user(role=Role.COORDINATOR, organization=other))
    assert client.get(place_url(other, lima)).status_code == 404
    page = client.get(place_url(other, piura))
    assert page.status_code == 200
    assert figures(page)["people_enrolled"] == 7
