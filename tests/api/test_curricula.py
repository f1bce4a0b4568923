"""Curricula through the API: create, modules and session plans, frozen versions refuse
changes (code ``frozen``) and a new version is an editable copy."""

from __future__ import annotations

import pytest

from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def _curriculum(api, org):
    response = api.post(
        "/api/curricula/",
        {"organization": org.pk, "title": "Masculinidades", "audience": "men"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_build_a_curriculum(api, org):
    curriculum = _curriculum(api, org)
    (version,) = curriculum["versions"]
    module = api.post(
        f"/api/curriculum-versions/{version['id']}/modules/", {"title": "Cuerpo"}, format="json"
    )
    assert module.status_code == 201
    plan = api.post(
        f"/api/modules/{module.json()['id']}/session-plans/",
        {"title": "Sexualidad", "duration_minutes": 90, "techniques": "Sociodrama"},
        format="json",
    )
    assert plan.status_code == 201
    detail = api.get(f"/api/curriculum-versions/{version['id']}/").json()
    assert detail["total_hours"] == 1.5
    assert detail["modules"][0]["session_plans"][0]["title"] == "Sexualidad"
    patched = api.patch(
        f"/api/session-plans/{plan.json()['id']}/", {"duration_minutes": 120}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["duration_minutes"] == 120
    listed = api.get("/api/curricula/").json()["results"]
    assert [c["title"] for c in listed] == ["Masculinidades"]


def test_bad_input_names_the_field(api, org):
    response = api.post("/api/curricula/", {"organization": org.pk}, format="json")
    assert response.status_code == 400 and "title" in error(response)["fields"]
    curriculum = _curriculum(api, org)
    version_id = curriculum["versions"][0]["id"]
    module = api.post(f"/api/curriculum-versions/{version_id}/modules/", {"title": "M"}).json()
    plan = api.post(
        f"/api/modules/{module['id']}/session-plans/",
        {"title": "S", "duration_minutes": 0},
        format="json",
    )
    assert plan.status_code == 400 and "duration_minutes" in error(plan)["fields"]


def test_frozen_version_refuses_edits_and_a_new_version_is_editable(api, org):
    curriculum = _curriculum(api, org)
    version_id = curriculum["versions"][0]["id"]
    module = api.post(f"/api/curriculum-versions/{version_id}/modules/", {"title": "M1"}).json()
    plan = api.post(f"/api/modules/{module['id']}/session-plans/", {"title": "S1"}).json()
    program = api.post("/api/programs/", {"owner": org.pk, "name": "P"}, format="json").json()
    cohort = api.post(
        "/api/cohorts/",
        {
            "program": program["id"],
            "name": "C1",
            "kind": "course",
            "start_date": "2026-03-02",
            "curriculum_version": version_id,
        },
        format="json",
    )
    assert cohort.status_code == 201, cohort.content

    refused = api.post(f"/api/curriculum-versions/{version_id}/modules/", {"title": "M2"})
    assert refused.status_code == 400 and error(refused)["code"] == "frozen"
    refused_plan = api.patch(f"/api/session-plans/{plan['id']}/", {"title": "Otro"}, format="json")
    assert refused_plan.status_code == 400 and error(refused_plan)["code"] == "frozen"

    new = api.post(f"/api/curricula/{curriculum['id']}/versions/", {"notes": "v2"}, format="json")
    assert new.status_code == 201
    assert new.json()["number"] == 2 and new.json()["is_frozen"] is False
    assert [m["title"] for m in new.json()["modules"]] == ["M1"]
    added = api.post(f"/api/curriculum-versions/{new.json()['id']}/modules/", {"title": "M2"})
    assert added.status_code == 201


def test_other_organizations_curricula_are_not_found(api, other_org):
    from cascada.curricula.services import curriculum_create

    foreign = curriculum_create(actor=None, organization=other_org, title="Ajeno")
    version = foreign.versions.get()
    assert api.get(f"/api/curricula/{foreign.pk}/").status_code == 404
    assert api.get(f"/api/curriculum-versions/{version.pk}/").status_code == 404
    assert (
        api.post(f"/api/curriculum-versions/{version.pk}/modules/", {"title": "X"}).status_code
        == 404
    )
    assert (
        api.post("/api/curricula/", {"organization": other_org.pk, "title": "X"}).status_code == 400
    )


def test_facilitator_cannot_change_curricula(facilitator_api, org, api):
    curriculum = _curriculum(api, org)
    version_id = curriculum["versions"][0]["id"]
    response = facilitator_api.post(
        f"/api/curriculum-versions/{version_id}/modules/", {"title": "M"}
    )
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
