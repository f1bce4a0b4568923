"""People and organizations pages through the Django test client: they render for a
coordinator, keep other organizations' people out (404), search only by POST (S9), and
answer bad input with a form error next to the field while writing nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.registry.models import Consent, Person, Place
from cascada.registry.services import consent_record
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def aurelio(org):
    return make_person(
        organization=org,
        given_name="Aurelio",
        family_name="Quispe Ficticio",
        id_document="dni",
        national_id="40000001",
    )


@pytest.fixture
def foreigner(other_org):
    return make_person(organization=other_org, given_name="Zacarías", family_name="Ajeno")


@pytest.fixture
def places(db):
    """Peru's INEI places as loaded by the registry's data migration."""
    get = Place.objects.get
    return (
        get(country="PE", code="15"),
        get(country="PE", code="1501"),
        get(country="PE", code="150101"),
    )


def person_payload(**overrides):
    data = {
        "given_name": "Benito",
        "family_name": "Mamani Ficticio",
        "sex": "male",
        "birth_year": "1988",
        "age": "",
        "id_document": "",
        "national_id": "",
        "phone": "",
        "address": "",
        "roles": ["participant"],
        "place1": "",
        "place2": "",
        "place3": "",
    }
    data.update(overrides)
    return data


class TestPersonList:
    def test_coordinator_sees_codes_and_names_of_own_people_only(
        self, coordinator_client, aurelio, foreigner
    ):
        response = coordinator_client.get(reverse("web:person_list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert aurelio.code in html
        assert "Aurelio Quispe Ficticio" in html
        assert foreigner.code not in html
        assert "Zacarías" not in html

    def test_role_without_people_access_is_refused(self, client, org, aurelio):
        viewer = make_user(role="viewer", organization=org)
        login_verified(client, viewer)
        assert client.get(reverse("web:person_list")).status_code == 403

    def test_facilitator_sees_no_names_in_the_list(self, client, org, aurelio):
        # A facilitator with no cohort sees nobody; an M&E officer sees codes but no names.
        officer = make_user(role="me_officer", organization=org)
        login_verified(client, officer)
        html = client.get(reverse("web:person_list")).content.decode()
        assert aurelio.code in html
        assert "Aurelio" not in html

    def test_paginates(self, coordinator_client, org):
        for _ in range(27):
            make_person(organization=org)
        first = coordinator_client.get(reverse("web:person_list")).content.decode()
        second = coordinator_client.get(reverse("web:person_list") + "?page=2").content.decode()
        assert first.count('data-test="person-row"') == 25
        assert second.count('data-test="person-row"') == 2


class TestSearch:
    def test_search_is_post_only(self, coordinator_client, aurelio):
        response = coordinator_client.get(reverse("web:person_search"), {"q": aurelio.code})
        assert response.status_code == 405

    def test_search_by_name_id_number_and_code_answers_in_the_post_response(
        self, coordinator_client, aurelio, org
    ):
        make_person(organization=org, given_name="Otro")
        url = reverse("web:person_search")
        for text in ("Aurelio Quispe Ficticio", "40000001", aurelio.code.lower()):
            response = coordinator_client.post(url, {"q": text})
            assert response.status_code == 200
            html = response.content.decode()
            assert html.count('data-test="person-row"') == 1, text
            assert reverse("web:person_detail", args=[aurelio.pk]) in html
            # The search form posts; nothing the user typed becomes part of a link.
            assert not re.search(r'(href|action)="[^"]*' + re.escape(text), html)

    def test_htmx_search_returns_only_the_results(self, coordinator_client, aurelio):
        response = coordinator_client.post(
            reverse("web:person_search"), {"q": aurelio.code}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="search-results"')
        assert aurelio.code in html

    def test_search_never_finds_another_organizations_person(self, coordinator_client, foreigner):
        html = coordinator_client.post(
            reverse("web:person_search"), {"q": foreigner.code}
        ).content.decode()
        assert 'data-test="person-row"' not in html
        assert reverse("web:person_detail", args=[foreigner.pk]) not in html
        assert 'data-test="no-people"' in html

    def test_empty_search_shows_a_field_error(self, coordinator_client):
        html = coordinator_client.post(reverse("web:person_search"), {"q": ""}).content.decode()
        assert 'data-test="error-q"' in html


class TestPersonCreate:
    def test_registers_with_a_place_and_redirects_to_the_new_record(
        self, coordinator_client, places
    ):
        dept, prov, district = places
        response = coordinator_client.post(
            reverse("web:person_create"),
            person_payload(place1=dept.pk, place2=prov.pk, place3=district.pk),
        )
        person = Person.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("web:person_detail", args=[person.pk])
        assert person.place == district
        assert person.identity.full_name == "Benito Mamani Ficticio"

    @pytest.mark.parametrize(
        ("field", "value"),
        [("given_name", ""), ("birth_year", "1800"), ("birth_year", "abc"), ("sex", "robot")],
    )
    def test_bad_input_shows_a_field_error_and_writes_nothing(
        self, coordinator_client, field, value
    ):
        response = coordinator_client.post(
            reverse("web:person_create"), person_payload(**{field: value})
        )
        assert response.status_code == 200
        assert f'data-test="error-{field}"' in response.content.decode()
        assert not Person.objects.exists()

    def test_inconsistent_place_chain_is_refused(self, coordinator_client, places, other_org):
        dept, _prov, district = places
        response = coordinator_client.post(
            reverse("web:person_create"), person_payload(place1=dept.pk, place2=district.pk)
        )
        assert 'data-test="error-place2"' in response.content.decode()
        assert not Person.objects.exists()

    def test_duplicate_shows_the_match_and_registers_only_when_told(
        self, coordinator_client, aurelio
    ):
        payload = person_payload(id_document="dni", national_id="40000001")
        response = coordinator_client.post(reverse("web:person_create"), payload)
        html = response.content.decode()
        assert 'data-test="duplicates"' in html
        assert reverse("web:person_detail", args=[aurelio.pk]) in html
        assert Person.objects.count() == 1
        payload["allow_duplicate"] = "on"
        response = coordinator_client.post(reverse("web:person_create"), payload)
        assert response.status_code == 302
        assert Person.objects.count() == 2

    def test_a_person_in_another_organization_is_not_revealed(self, coordinator_client, other_org):
        # Typing an ID number must not tell A that B has this man in its programs (ADR 0005).
        other = make_person(
            organization=other_org, given_name="X", id_document="dni", national_id="55500555"
        )
        response = coordinator_client.post(
            reverse("web:person_create"),
            person_payload(id_document="dni", national_id="55500555"),
        )
        assert response.status_code == 302
        assert other.code not in response.content.decode()
        assert Person.objects.count() == 2

    def test_viewer_cannot_open_the_form(self, client, org):
        login_verified(client, make_user(role="me_officer", organization=org))
        assert client.get(reverse("web:person_create")).status_code == 403


class TestPersonDetail:
    def test_shows_identity_consent_and_audits_the_view(self, coordinator_client, aurelio):
        consent_record(
            actor=None,
            person=aurelio,
            purpose="participation",
            granted=True,
            text_version="v1-2026",
        )
        before = AuditEvent.objects.filter(action="view").count()
        response = coordinator_client.get(reverse("web:person_detail", args=[aurelio.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-test="identity"' in html
        assert "40000001" in html
        assert "v1-2026" in html
        assert AuditEvent.objects.filter(action="view").count() == before + 1

    def test_me_officer_sees_no_identity_block(self, client, org, aurelio):
        login_verified(client, make_user(role="me_officer", organization=org))
        html = client.get(reverse("web:person_detail", args=[aurelio.pk])).content.decode()
        assert aurelio.code in html
        assert 'data-test="identity"' not in html
        assert "Aurelio" not in html

    @pytest.mark.parametrize(
        "name", ["web:person_detail", "web:person_edit", "web:person_consent", "web:person_merge"]
    )
    def test_another_organizations_person_is_not_found(self, coordinator_client, foreigner, name):
        assert coordinator_client.get(reverse(name, args=[foreigner.pk])).status_code == 404
        if name != "web:person_detail":
            assert (
                coordinator_client.post(reverse(name, args=[foreigner.pk]), {}).status_code == 404
            )


class TestPersonEdit:
    def test_rectifies_the_identity(self, coordinator_client, aurelio):
        response = coordinator_client.post(
            reverse("web:person_edit", args=[aurelio.pk]),
            person_payload(
                given_name="Aurelio",
                family_name="Quispe Corregido",
                id_document="dni",
                national_id="40000001",
            ),
        )
        assert response.status_code == 302
        aurelio.identity.refresh_from_db()
        assert aurelio.identity.family_name == "Quispe Corregido"

    def test_bad_birth_year_is_a_field_error_and_changes_nothing(self, coordinator_client, aurelio):
        response = coordinator_client.post(
            reverse("web:person_edit", args=[aurelio.pk]),
            person_payload(given_name="Cambiado", birth_year="3000"),
        )
        assert 'data-test="error-birth_year"' in response.content.decode()
        aurelio.identity.refresh_from_db()
        assert aurelio.identity.given_name == "Aurelio"


class TestConsent:
    def test_records_and_withdraws(self, coordinator_client, aurelio):
        url = reverse("web:person_consent", args=[aurelio.pk])
        base = {"purpose": "aggregate_reporting", "text_version": "v2", "date": ""}
        assert coordinator_client.post(url, {**base, "decision": "grant"}).status_code == 302
        aurelio.refresh_from_db()
        assert aurelio.reporting_consent is True
        coordinator_client.post(url, {**base, "decision": "withdraw"})
        aurelio.refresh_from_db()
        assert aurelio.reporting_consent is False
        assert Consent.objects.filter(person=aurelio).count() == 2

    def test_missing_text_version_is_a_field_error(self, coordinator_client, aurelio):
        response = coordinator_client.post(
            reverse("web:person_consent", args=[aurelio.pk]),
            {"purpose": "participation", "decision": "grant", "text_version": ""},
        )
        assert 'data-test="error-text_version"' in response.content.decode()
        assert not Consent.objects.exists()


class TestMerge:
    def test_asks_for_confirmation_then_merges(self, coordinator_client, aurelio, org):
        dup = make_person(organization=org, given_name="Aurelio", family_name="Q.")
        url = reverse("web:person_merge", args=[aurelio.pk])
        html = coordinator_client.post(url, {"duplicate_code": dup.code}).content.decode()
        assert 'data-test="merge-confirm"' in html
        dup.refresh_from_db()
        assert dup.merged_into is None
        response = coordinator_client.post(url, {"duplicate_code": dup.code, "confirm": "1"})
        assert response.status_code == 302
        dup.refresh_from_db()
        assert dup.merged_into == aurelio

    def test_unknown_or_foreign_code_is_a_field_error(self, coordinator_client, aurelio, foreigner):
        url = reverse("web:person_merge", args=[aurelio.pk])
        for code in (foreigner.code, "NOPE", aurelio.code):
            html = coordinator_client.post(
                url, {"duplicate_code": code, "confirm": "1"}
            ).content.decode()
            assert 'data-test="error-duplicate_code"' in html
        foreigner.refresh_from_db()
        assert foreigner.merged_into is None


class TestPlacesAndOrganizations:
    def test_place_options_lists_the_children(self, coordinator_client, places):
        _dept, prov, _district = places
        html = coordinator_client.get(
            reverse("web:place_options"), {"place2": prov.pk}
        ).content.decode()
        assert "Miraflores" in html and "Ancón" in html
        assert html.count("<option") == prov.children.count() + 1

    def test_place_options_need_a_role(self, client, places):
        """S1: reference data, but only for the forms of users holding a role."""
        _dept, prov, _district = places
        login_verified(client, make_user(username="sin-rol-lugares"))
        response = client.get(reverse("web:place_options"), {"place2": prov.pk})
        assert response.status_code == 403
        assert "Miraflores" not in response.content.decode()

    def test_organization_pages(self, coordinator_client, org, other_org):
        html = coordinator_client.get(reverse("web:organization_list")).content.decode()
        assert org.name in html
        assert other_org.name not in html
        assert (
            coordinator_client.get(reverse("web:organization_detail", args=[org.pk])).status_code
            == 200
        )
        assert (
            coordinator_client.get(
                reverse("web:organization_detail", args=[other_org.pk])
            ).status_code
            == 404
        )
