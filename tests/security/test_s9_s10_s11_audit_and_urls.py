"""S9 no personal data in URLs or caches; S10 audit of views, writes and sign-ins;
S11 audit rows and logs hold no sensitive values, and only auditors read them."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.curricula.services import curriculum_create
from cascada.registry.services import consent_record, person_update
from tests.accounts.factories import login_verified, make_user
from tests.security.routes import all_routes, build_url
from tests.security.world import build_world, national_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world("AUD")


# ---------------------------------------------------------------- S9


def test_s9_person_search_is_post_only(client, world):
    login_verified(client, world.coordinator)
    nid = national_id(world.tag)
    assert client.get(reverse("web:person_search"), {"q": nid}).status_code == 405
    response = client.post(reverse("web:person_search"), {"q": nid})
    assert response.status_code == 200
    assert world.person.code in response.content.decode()
    assert client.get("/api/people/search/", {"text": nid}).status_code == 405
    api = client.post("/api/people/search/", {"text": nid}, content_type="application/json")
    assert api.status_code == 200 and world.person.code in api.content.decode()


def test_s9_every_search_route_refuses_get(client, world):
    """Routes named *search* (now and later) take their text by POST only."""
    login_verified(client, world.coordinator)
    searches = [r for r in all_routes() if "search" in r.name]
    assert searches
    for route in searches:
        nid = national_id(world.tag)
        response = client.get(build_url(route), {"q": nid, "text": nid})
        assert response.status_code == 405, route.name


def test_s9_no_store_on_pages_with_personal_data(client, world):
    login_verified(client, world.coordinator)
    for url in (
        reverse("web:home"),
        reverse("web:person_detail", kwargs={"pk": world.person.pk}),
        f"/api/people/{world.person.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_s9_searching_leaves_no_text_in_audit_or_urls(client, world):
    login_verified(client, world.coordinator)
    nid = national_id(world.tag)
    response = client.post(reverse("web:person_search"), {"q": nid}, follow=True)
    for url, _status in response.redirect_chain:
        assert nid not in url
    assert not any(nid in str(v) for v in AuditEvent.objects.values_list("detail", "target_id"))


# ---------------------------------------------------------------- S10


def test_s10_viewing_a_person_writes_one_audit_row(client, world):
    login_verified(client, world.coordinator)
    before = AuditEvent.objects.count()
    response = client.get(reverse("web:person_detail", kwargs={"pk": world.person.pk}))
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.latest("id")
    assert (row.action, row.target_type, row.target_id) == (
        "view",
        "registry.person",
        str(world.person.pk),
    )
    assert row.actor == world.coordinator and row.source == "web" and row.address == "127.0.0.1"


def test_s10_viewing_a_person_through_the_api_writes_one_audit_row(client, world):
    login_verified(client, world.coordinator)
    before = AuditEvent.objects.filter(action="view").count()
    assert client.get(f"/api/people/{world.person.pk}/").status_code == 200
    rows = AuditEvent.objects.filter(action="view")
    assert rows.count() == before + 1
    assert rows.latest("id").source == "api"


def test_s10_failed_login_writes_one_audit_row(client, world):
    before = AuditEvent.objects.count()
    client.post(
        reverse("web:login"), {"username": world.viewer.username, "password": "nope-nope-1"}
    )
    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.latest("id")
    assert row.action == "login_failed" and row.address == "127.0.0.1"


def test_s10_writes_and_role_changes_are_audited(world):
    person_update(actor=world.coordinator, person=world.person, phone="+51 1 234")
    row = AuditEvent.objects.filter(action="update", target_id=str(world.person.pk)).latest("id")
    assert row.detail == {"fields": ["phone"]} and row.actor == world.coordinator
    assert AuditEvent.objects.filter(
        action="role_grant", target_id=str(world.coordinator.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="consent_grant").exists()
    assert AuditEvent.objects.filter(action="certificate_issue").exists()


def test_s10_login_is_audited(client, world):
    from tests.accounts.factories import PASSWORD

    client.post(reverse("web:login"), {"username": world.viewer.username, "password": PASSWORD})
    assert AuditEvent.objects.filter(action="login", actor=world.viewer).count() == 1


# ---------------------------------------------------------------- S11

CANARY = "CANARIO-7Q4X-secreto"


def test_s11_canary_in_no_audit_row_and_no_log(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    login_verified(client, world.coordinator)
    client.raise_request_exception = False
    # Plant the canary in identity fields and free text, through the services and the pages.
    person_update(
        actor=world.coordinator,
        person=world.person,
        given_name=f"{CANARY}-nombre",
        address=f"{CANARY}-direccion",
        phone=CANARY[:20],
    )
    curriculum_create(
        actor=world.coordinator,
        organization=world.org,
        title="Guía con notas",
        description=f"{CANARY} transcripción",
    )
    consent_record(
        actor=world.coordinator,
        person=world.person,
        purpose="sensitive_data",
        granted=True,
        text_version="v2",
    )
    client.post(
        reverse("web:person_edit", kwargs={"pk": world.person.pk}),
        {"given_name": f"{CANARY}-web", "family_name": CANARY, "sex": "male"},
    )
    client.patch(
        f"/api/people/{world.person.pk}/",
        {"family_name": f"{CANARY}-api", "address": CANARY},
        content_type="application/json",
    )
    client.get(reverse("web:person_detail", kwargs={"pk": world.person.pk}))
    client.post(reverse("web:person_search"), {"q": CANARY})
    client.post("/api/people/search/", {"text": CANARY}, content_type="application/json")
    client.logout()
    client.post(reverse("web:login"), {"username": world.viewer.username, "password": CANARY})

    assert AuditEvent.objects.filter(action="update").exists()
    for row in AuditEvent.objects.values():
        assert CANARY not in str(row), row
    assert CANARY not in caplog.text


def test_s11_audit_detail_drops_free_text():
    from cascada.audit.services import audit_record

    row = audit_record(
        actor=None,
        action="update",
        target_type="x",
        detail={"fields": ["phone"], "note": CANARY, "value": CANARY, "count": 3},
    )
    assert row.detail == {"fields": ["phone"], "count": 3}


def test_s11_only_auditors_read_the_audit_trail(client, world):
    url = reverse("web:audit_list")
    login_verified(client, world.coordinator)
    client.get(reverse("web:person_detail", kwargs={"pk": world.person.pk}))
    for role in ("coordinator", "administrator", "facilitator", "viewer"):
        client.logout()
        login_verified(client, world.users[role])
        assert client.get(url).status_code == 403, role
    client.logout()
    login_verified(client, world.auditor)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-test="audit-row"' in body
    assert f"Person {world.person.code}" in body and world.coordinator.username in body


def test_s11_auditor_reads_only_own_organizations_trail(client, world):
    other = build_world("AUE")
    client.post(reverse("web:login"), {"username": other.viewer.username, "password": "x-bad-1"})
    login_verified(client, world.auditor)
    body = client.get(reverse("web:audit_list")).content.decode()
    assert other.coordinator.username not in body
    assert world.coordinator.username in body


def test_s11_audit_list_is_paginated(client, world):
    from cascada.audit.services import audit_record

    for _i in range(60):
        audit_record(actor=world.coordinator, action="view", target=world.person)
    login_verified(client, world.auditor)
    first = client.get(reverse("web:audit_list")).content.decode()
    assert first.count('data-test="audit-row"') == 50
    second = client.get(reverse("web:audit_list"), {"page": 2}).content.decode()
    assert 'data-test="audit-row"' in second


@pytest.mark.parametrize(
    "query",
    [
        "end=9999-12-31",
        "start=9999-12-31",
        "start=0001-01-01",
        "end=0001-01-01",
        "start=2026-13-01",
        "user=99999999999999999999",
        "user=-1",
        "action=%00",
        "person=%00",
        "page=99999999999999999999999",
        "start=2026-01-01&end=2025-01-01",
    ],
)
def test_s11_audit_filters_at_the_edges_never_fail_nor_widen_the_trail(client, world, query):
    """Filter values an auditor can type: the last day of the calendar once gave a 500
    (one day added to 9999-12-31); none may fail or show another organization's trail."""
    other = build_world("AUF")
    login_verified(client, other.coordinator)
    client.get(reverse("web:person_detail", kwargs={"pk": other.person.pk}))
    client.logout()
    login_verified(client, world.auditor)
    client.raise_request_exception = False
    response = client.get(reverse("web:audit_list") + "?" + query)
    assert response.status_code == 200, query
    body = response.content.decode()
    assert other.coordinator.username not in body and other.person.code not in body
    # Another organization's user or person as a filter shows nothing of theirs either.
    for leak in (f"user={other.coordinator.pk}", f"person={other.person.code}"):
        body = client.get(reverse("web:audit_list") + "?" + leak).content.decode()
        assert 'data-test="audit-row"' not in body, leak


def test_s11_auditor_without_second_factor_is_stopped(client, world):
    client.force_login(world.auditor)
    response = client.get(reverse("web:audit_list"))
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response["Location"]


def test_s11_no_role_user_cannot_read_audit(client):
    login_verified(client, make_user(username="sin-rol-aud"))
    assert client.get(reverse("web:audit_list")).status_code == 403


# ---------------------------------------------------------------- S10: reads that show names


def _one_new_row(client, before_id, **expected):
    rows = list(AuditEvent.objects.filter(id__gt=before_id).order_by("id"))
    assert len(rows) == 1, [(r.action, r.target_type, r.detail) for r in rows]
    row = rows[0]
    for key, value in expected.items():
        assert getattr(row, key) == value, (key, getattr(row, key))
    return row


def _last_id():
    last = AuditEvent.objects.order_by("-id").first()
    return last.id if last else 0


def _no_names_in(row, world):
    text = str(AuditEvent.objects.filter(pk=row.pk).values().get())
    for value in (f"Canario{world.tag}", f"Zorzal{world.tag}", national_id(world.tag)):
        assert value not in text, value


@pytest.mark.parametrize(
    ("label", "request_", "expected"),
    [
        (
            "web people list",
            lambda c, w: c.get(reverse("web:person_list")),
            {"action": "view_list", "target_type": "registry.person"},
        ),
        (
            "web search",
            lambda c, w: c.post(reverse("web:person_search"), {"q": national_id(w.tag)}),
            {"action": "search", "target_type": "registry.person"},
        ),
        (
            "web roster",
            lambda c, w: c.get(reverse("web:session_roster", kwargs={"pk": w.session.pk})),
            {"action": "view_list", "target_type": "trainings.session"},
        ),
        (
            "api people list",
            lambda c, w: c.get("/api/people/"),
            {"action": "view_list", "target_type": "registry.person"},
        ),
        (
            "api search",
            lambda c, w: c.post(
                "/api/people/search/", {"text": w.person.code}, content_type="application/json"
            ),
            {"action": "search", "target_type": "registry.person"},
        ),
        (
            "api attendance",
            lambda c, w: c.get(f"/api/sessions/{w.session.pk}/attendance/"),
            {"action": "view_list", "target_type": "trainings.session"},
        ),
        (
            "api enrolments",
            lambda c, w: c.get(f"/api/cohorts/{w.cohort.pk}/enrolments/"),
            {"action": "view_list", "target_type": "trainings.cohort"},
        ),
        (
            "api enrolment",
            lambda c, w: c.get(f"/api/enrolments/{w.enrolment.pk}/"),
            {"action": "view", "target_type": "trainings.enrolment"},
        ),
    ],
)
def test_s10_each_read_showing_people_writes_exactly_one_audit_row(
    client, world, label, request_, expected
):
    login_verified(client, world.coordinator)
    before = _last_id()
    response = request_(client, world)
    assert response.status_code == 200, (label, response.content[:300])
    row = _one_new_row(client, before, actor=world.coordinator, **expected)
    _no_names_in(row, world)
    if row.action != "view":
        assert row.detail.get("people", 0) >= 1, row.detail


def test_s10_api_people_list_audit_counts_the_names_shown(client, world):
    login_verified(client, world.coordinator)
    before = _last_id()
    body = client.get("/api/people/?limit=100").json()
    named = sum(1 for r in body["results"] if "given_name" in r)
    assert named >= 3
    row = _one_new_row(client, before, action="view_list", source="api")
    assert row.detail == {"people": named}


def test_s10_lists_without_names_write_no_list_row(client, world):
    """An M&E officer's people list shows codes only: nothing named, no audit row."""
    officer = make_user(role="me_officer", organization=world.org, username="mye-aud")
    login_verified(client, officer)
    before = _last_id()
    body = client.get(reverse("web:person_list")).content.decode()
    assert world.person.code in body and f"Zorzal{world.tag}" not in body
    assert not AuditEvent.objects.filter(id__gt=before).exists()


def test_s10_id_number_search_is_one_row_without_the_number(client, world):
    login_verified(client, world.coordinator)
    nid = national_id(world.tag)
    before = _last_id()
    response = client.post(reverse("web:person_search"), {"q": nid})
    assert world.person.code in response.content.decode()
    row = _one_new_row(client, before, action="search")
    assert row.detail == {"results": 1, "people": 1, "by_id_number": True}
    assert nid not in str(AuditEvent.objects.filter(pk=row.pk).values().get())
    # A code is a code look-up, not one by ID number.
    before = _last_id()
    client.post(reverse("web:person_search"), {"q": world.person.code})
    assert _one_new_row(client, before, action="search").detail["by_id_number"] is False


def test_s10_id_number_lookups_are_limited_per_user(client, world, settings):
    settings.CASCADA_ID_LOOKUP_LIMIT = 3
    login_verified(client, world.coordinator)
    nid = national_id(world.tag)
    for _i in range(3):
        assert (
            world.person.code
            in client.post(reverse("web:person_search"), {"q": nid}).content.decode()
        )
    refused = client.post(reverse("web:person_search"), {"q": nid})
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Too many searches by ID number" in body and world.person.code not in body
    row = AuditEvent.objects.filter(action="search").latest("id")
    assert row.detail == {"by_id_number": True, "reason": "rate_limited"}
    # htmx gets the message in its partial (htmx swaps only 2xx answers).
    partial = client.post(reverse("web:person_search"), {"q": nid}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "Too many searches" in partial.content.decode()
    api = client.post("/api/people/search/", {"text": nid}, content_type="application/json")
    assert api.status_code == 429 and api.json()["error"]["code"] == "throttled"
    assert "Too many searches by ID number" in api.json()["error"]["message"]
    # Codes are still found; another user has a limit of his own.
    by_code = client.post(reverse("web:person_search"), {"q": world.person.code})
    assert by_code.status_code == 200 and world.person.code in by_code.content.decode()
    login_verified(client, world.administrator)
    assert client.post(reverse("web:person_search"), {"q": nid}).status_code == 200
