"""The place picker (issue 7): country → department → province → district with a
type-ahead, each place labelled with its parents, on the cohort form (under 60 KB) and
the person form; without JavaScript every step is a round trip that saves nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cascada.registry.models import Person, Place
from cascada.registry.selectors import place_search
from cascada.trainings.models import Cohort
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db


def _place(code: str, country: str = "PE") -> Place:
    return Place.objects.get(country=country, code=code)


@pytest.fixture
def program(org):
    return make_program(owner=org)


def _cohort_post(program, **overrides):
    data = {
        "program": program.pk,
        "name": "Réplica Wanchaq",
        "kind": "workshop",
        "modality": "in_person",
        "start_date": "2026-03-02",
        "completion_rule": "attendance",
        "min_attendance_pct": "75",
        "session_count": "4",
        "pattern": "weekly",
        "place0": "PE",
        "place1": "",
        "place2": "",
        "place3": "",
    }
    data.update(overrides)
    return data


def _options(html: str, name: str) -> list[str]:
    """The labels of a select's options, without the empty one."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return [
        label
        for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))
        if label != "—"
    ]


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return found.group(1) if found else None


class TestLabels:
    def test_search_names_the_parents_and_ranks_the_department_first(self):
        labels = [p.label for p in place_search(text="cusco", country="PE")]
        assert labels[:3] == [
            "Cusco (department)",
            "Cusco (province) — Cusco",
            "Cusco (district) — Cusco, Cusco",
        ]

    def test_search_ignores_accents_and_case_and_stays_in_the_country(self):
        assert place_search(text="APURIMAC", country="PE")[0].label == "Apurímac (department)"
        assert place_search(text="wanchaq", country="PE")[0].label == (
            "Wanchaq (district) — Cusco, Cusco"
        )
        assert place_search(text="la paz", country="PE") != place_search(
            text="la paz", country="BO"
        )
        assert {p.country for p in place_search(text="la paz", country="BO")} == {"BO"}

    def test_a_further_word_narrows_by_a_parent(self):
        everywhere = place_search(text="san pedro", country="PE", limit=50)
        in_cusco = place_search(text="san pedro cusco", country="PE", limit=50)
        assert len(everywhere) > len(in_cusco) >= 1
        assert [p.label for p in in_cusco] == ["San Pedro (district) — Canchis, Cusco"]


class TestCohortForm:
    def test_is_light_and_lists_only_the_departments_of_the_organizations_country(
        self, coordinator_client, program, org
    ):
        for _ in range(150):  # the demo's registry: every person is a facilitator choice
            make_person(organization=org)
        response = coordinator_client.get(reverse("web:cohort_create"))
        assert response.status_code == 200
        assert len(response.content) < 60_000
        html = response.content.decode()
        departments = _options(html, "place1")
        assert len(departments) == 25  # Peru's departments, no Bolivian one, no district
        assert "Cusco" in departments and "La Paz" not in departments
        assert _options(html, "place2") == []

    def test_a_bolivian_organization_opens_on_bolivia(self, client):
        org = make_org(name="Red Boliviana")
        org.country = "BO"
        org.save()
        user = make_user(role="coordinator", organization=org)
        login_verified(client, user)
        html = client.get(reverse("web:cohort_create")).content.decode()
        assert "La Paz" in _options(html, "place1")
        assert "Cusco" not in _options(html, "place1")
        assert 'name="place3"' not in html  # departments and municipalities only

    def test_a_chosen_district_is_saved(self, coordinator_client, program):
        response = coordinator_client.post(
            reverse("web:cohort_create"),
            _cohort_post(
                program,
                place1=_place("08").pk,
                place2=_place("0801").pk,
                place3=_place("080108").pk,
            ),
        )
        assert response.status_code == 302
        assert Cohort.objects.get().place == _place("080108")

    def test_without_javascript_each_step_is_a_round_trip_that_saves_nothing(
        self, coordinator_client, program
    ):
        url = reverse("web:cohort_create")
        # 1. Department chosen, "Update places": its provinces are listed, nothing saved,
        # no error about the fields still empty.
        step = coordinator_client.post(
            url, {"place0": "PE", "place1": _place("08").pk, "place_refresh": "1"}
        )
        html = step.content.decode()
        assert step.status_code == 200
        assert "La Convención" in _options(html, "place2")
        assert _options(html, "place3") == []
        assert "errorlist" not in html
        assert not Cohort.objects.exists()
        # 2. A search, "Update places": the results name their parents.
        step = coordinator_client.post(
            url, {**_cohort_post(program), "place_q": "wanchaq", "place_refresh": "1"}
        )
        html = step.content.decode()
        assert "Wanchaq (district) — Cusco, Cusco" in html
        assert 'value="Réplica Wanchaq"' in html  # what was typed is kept
        assert not Cohort.objects.exists()
        # 3. A result chosen: the whole chain is selected.
        district = _place("080108")
        step = coordinator_client.post(url, {**_cohort_post(program), "place_pick": district.pk})
        html = step.content.decode()
        assert _selected(html, "place1") == str(_place("08").pk)
        assert _selected(html, "place2") == str(_place("0801").pk)
        assert _selected(html, "place3") == str(district.pk)
        assert not Cohort.objects.exists()
        # 4. Saved as chosen.
        coordinator_client.post(
            url,
            _cohort_post(
                program,
                place1=_selected(html, "place1"),
                place2=_selected(html, "place2"),
                place3=_selected(html, "place3"),
            ),
        )
        assert Cohort.objects.get().place == district

    def test_a_district_of_another_department_is_refused(self, coordinator_client, program):
        response = coordinator_client.post(
            reverse("web:cohort_create"),
            _cohort_post(program, place1=_place("15").pk, place2=_place("0801").pk),
        )
        assert response.status_code == 400
        assert b'data-test="error-place2"' in response.content
        assert not Cohort.objects.exists()


class TestHtmx:
    def test_the_picker_redraws_with_the_provinces_of_a_department(self, coordinator_client):
        response = coordinator_client.get(
            reverse("web:place_picker"), {"place0": "PE", "place1": _place("08").pk}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "La Convención" in _options(html, "place2")
        assert "errorlist" not in html

    def test_a_new_country_empties_the_lists_below_it(self, coordinator_client):
        response = coordinator_client.get(
            reverse("web:place_picker"),
            {"place0": "BO", "place1": _place("08").pk, "place2": _place("0801").pk},
        )
        html = response.content.decode()
        assert "La Paz" in _options(html, "place1")
        assert _options(html, "place2") == []

    def test_a_search_result_picks_the_whole_chain(self, coordinator_client):
        results = coordinator_client.get(reverse("web:place_suggestions"), {"place_q": "wanchaq"})
        assert "Wanchaq (district) — Cusco, Cusco" in results.content.decode()
        pick = re.search(r'hx-get="([^"]+place_pick=\d+)"', results.content.decode()).group(1)
        html = coordinator_client.get(pick).content.decode()
        assert _selected(html, "place3") == str(_place("080108").pk)

    def test_need_a_role(self, client):
        user = make_user(role=None)
        login_verified(client, user)
        for name in ("web:place_picker", "web:place_suggestions"):
            assert client.get(reverse(name), {"place_q": "cusco"}).status_code == 403


class TestPersonForm:
    def test_lists_the_departments_of_one_country(self, coordinator_client):
        html = coordinator_client.get(reverse("web:person_create")).content.decode()
        departments = _options(html, "place1")
        assert "Cusco" in departments and "Potosí" not in departments

    def test_a_chosen_district_is_saved(self, coordinator_client):
        response = coordinator_client.post(
            reverse("web:person_create"),
            {
                "given_name": "Benito",
                "family_name": "Mamani Ficticio",
                "sex": "male",
                "birth_year": "1988",
                "roles": ["participant"],
                "place0": "PE",
                "place1": _place("08").pk,
                "place2": _place("0801").pk,
                "place3": _place("080108").pk,
            },
        )
        assert response.status_code == 302
        assert Person.objects.get().place == _place("080108")

    def test_editing_opens_on_the_persons_place(self, coordinator_client, org):
        person = make_person(organization=org, place=_place("080108"))
        html = coordinator_client.get(reverse("web:person_edit", args=[person.pk])).content
        assert _selected(html.decode(), "place3") == str(_place("080108").pk)
