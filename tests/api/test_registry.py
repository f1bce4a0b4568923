"""Organizations, places and people through the API: scope (S2), sensitive fields by role
(S3), duplicates, merge, consent (S15), search by POST only (S9), audit of views (S10)."""

from __future__ import annotations

import pytest

from cascada.audit.models import AuditEvent
from cascada.registry.models import Identity, Person
from tests.api.conftest import error
from tests.registry.factories import make_person, make_place

pytestmark = pytest.mark.django_db

IDENTITY_KEYS = {"given_name", "family_name", "national_id", "id_document", "phone", "address"}


def test_organizations_are_scoped(api, org, other_org):
    listed = api.get("/api/organizations/").json()["results"]
    assert [o["id"] for o in listed] == [org.pk]
    assert api.get(f"/api/organizations/{org.pk}/").json()["name"] == org.name
    assert api.get(f"/api/organizations/{other_org.pk}/").status_code == 404


def test_places_filter_by_country_level_and_parent(api):
    lima = make_place(code="15", name="Lima", level="department")
    province = make_place(code="1501", name="Lima", level="province")
    if province.parent_id is None:
        province.parent = lima
        province.save()
    departments = api.get(
        "/api/places/", {"country": "PE", "level": "department", "limit": 100}
    ).json()["results"]
    assert "Lima" in {p["name"] for p in departments}
    assert {p["country"] for p in departments} == {"PE"}
    assert {p["level"] for p in departments} == {"department"}
    children = api.get("/api/places/", {"parent": lima.pk, "limit": 100}).json()["results"]
    assert "1501" in {p["code"] for p in children}
    assert all(p["parent"] == lima.pk for p in children)


def test_places_bad_filter_names_the_field(api):
    response = api.get("/api/places/", {"level": "planet"})
    assert response.status_code == 400
    assert "level" in error(response)["fields"]
    assert "level" in error(response)["message"]


def test_places_need_authentication(client):
    assert client.get("/api/places/").status_code == 401


def test_create_person_with_identity(api, org):
    response = api.post(
        "/api/people/",
        {
            "organization": org.pk,
            "given_name": "Ficticio",
            "family_name": "Ejemplo",
            "sex": "male",
            "age": 30,
            "national_id": "12345678",
            "id_document": "dni",
            "roles": ["promoter"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["given_name"] == "Ficticio" and body["national_id"] == "12345678"
    assert body["roles"] == ["promoter"] and body["birth_year_estimated"] is True
    assert Person.objects.get(code=body["code"]).organization == org


def test_duplicate_person_is_caught_with_matching_codes(api, org):
    first = make_person(organization=org, national_id="87654321")
    response = api.post(
        "/api/people/",
        {"organization": org.pk, "given_name": "Otro", "national_id": "87654321"},
        format="json",
    )
    assert response.status_code == 409
    assert error(response)["code"] == "duplicate_person"
    assert error(response)["detail"]["matches"] == [first.code]
    again = api.post(
        "/api/people/",
        {
            "organization": org.pk,
            "given_name": "Otro",
            "national_id": "87654321",
            "allow_duplicate": True,
        },
        format="json",
    )
    assert again.status_code == 201


def test_create_person_bad_input_names_the_field(api, org):
    response = api.post("/api/people/", {"organization": org.pk, "sex": "x"}, format="json")
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert "given_name" in fields and "sex" in fields
    bad_year = api.post(
        "/api/people/",
        {"organization": org.pk, "given_name": "Ficticio", "birth_year": 1800},
        format="json",
    )
    assert bad_year.status_code == 400
    assert "birth_year" in error(bad_year)["fields"]


def test_create_person_in_foreign_organization_is_refused(api, other_org):
    response = api.post(
        "/api/people/", {"organization": other_org.pk, "given_name": "Ficticio"}, format="json"
    )
    assert response.status_code == 400
    assert "organization" in error(response)["fields"]
    assert not Person.objects.filter(organization=other_org).exists()


def test_person_detail_is_audited_and_scoped(api, world, other_world, coordinator):
    person = world.participants[0]
    response = api.get(f"/api/people/{person.pk}/")
    assert response.status_code == 200
    assert set(response.json()) >= IDENTITY_KEYS
    assert (
        AuditEvent.objects.filter(
            action="view", actor=coordinator, target_id=str(person.pk)
        ).count()
        == 1
    )
    foreign = other_world.participants[0]
    assert api.get(f"/api/people/{foreign.pk}/").status_code == 404
    assert api.get("/api/people/999999/").status_code == 404
    codes = {p["code"] for p in api.get("/api/people/?limit=100").json()["results"]}
    assert foreign.code not in codes and person.code in codes
    listed = AuditEvent.objects.get(action="view_list", actor=coordinator)
    assert listed.detail == {"people": len(codes)}


def test_facilitator_sees_no_identity_keys(facilitator_api, world):
    person = world.participants[0]
    body = facilitator_api.get(f"/api/people/{person.pk}/").json()
    assert body["code"] == person.code
    assert not IDENTITY_KEYS & set(body)
    for row in facilitator_api.get("/api/people/").json()["results"]:
        assert not IDENTITY_KEYS & set(row)


def test_facilitator_patch_of_identity_changes_nothing(facilitator_api, world):
    person = world.participants[0]
    before = Identity.objects.get(person=person).national_id
    response = facilitator_api.patch(
        f"/api/people/{person.pk}/", {"national_id": "99999999"}, format="json"
    )
    assert response.status_code in (200, 403)
    assert Identity.objects.get(person=person).national_id == before
    assert before != "99999999"


def test_coordinator_updates_a_person(api, world):
    person = world.participants[0]
    response = api.patch(
        f"/api/people/{person.pk}/", {"phone": "999 111 222", "sex": "other"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "999 111 222"
    person.refresh_from_db()
    assert person.sex == "other" and person.identity.phone == "999 111 222"
    bad = api.patch(f"/api/people/{person.pk}/", {"given_name": ""}, format="json")
    assert bad.status_code == 400 and "given_name" in error(bad)["fields"]


def test_search_is_post_only_and_scoped(api, world, other_world):
    person = world.participants[1]
    found = api.post("/api/people/search/", {"text": "40000001"}, format="json")
    assert found.status_code == 200
    assert [p["code"] for p in found.json()["results"]] == [person.code]
    foreign = api.post("/api/people/search/", {"text": "X40000001"}, format="json")
    assert foreign.json()["results"] == []
    assert api.get("/api/people/search/", {"text": "40000001"}).status_code == 405
    empty = api.post("/api/people/search/", {}, format="json")
    assert empty.status_code == 400 and "text" in error(empty)["fields"]


def test_merge_folds_the_duplicate(api, world):
    keep, duplicate = world.participants[0], world.participants[1]
    response = api.post(f"/api/people/{keep.pk}/merge/", {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    again = api.post(f"/api/people/{keep.pk}/merge/", {"duplicate": keep.pk}, format="json")
    assert again.status_code == 400


def test_merge_with_foreign_person_is_refused(api, world, other_world):
    response = api.post(
        f"/api/people/{world.participants[0].pk}/merge/",
        {"duplicate": other_world.participants[0].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "duplicate" in error(response)["fields"]
    assert other_world.participants[0].merged_into_id is None


def test_consents_record_and_list(api, world):
    person = world.participants[0]
    url = f"/api/people/{person.pk}/consents/"
    response = api.post(
        url,
        {"purpose": "aggregate_reporting", "granted": True, "text_version": "v1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    person.refresh_from_db()
    assert person.reporting_consent is True
    rows = api.get(url).json()
    assert [(r["purpose"], r["granted"]) for r in rows] == [("aggregate_reporting", True)]
    bad = api.post(url, {"purpose": "marketing", "granted": True}, format="json")
    assert bad.status_code == 400
    assert {"purpose", "text_version"} <= set(error(bad)["fields"])


def test_viewer_sees_no_people(viewer_api, world):
    assert viewer_api.get("/api/people/").json()["results"] == []
    assert viewer_api.get(f"/api/people/{world.participants[0].pk}/").status_code == 404
