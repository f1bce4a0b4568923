"""S1, S2, S3 on the routes issue 7 added (mending, participant registration, the
enrolment picker, the date report, Idempotency-Key), attacked by the roles that must not
get through: a viewer, an auditor, a facilitator outside his cohort, another
organization's coordinator (the S2 walk covers his object ids), a request without a CSRF
token and a user replaying someone else's Idempotency-Key. Each test fails when the
refusal it names is removed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cascada.accounts.services import membership_grant
from cascada.curricula.models import Module, SessionPlan
from cascada.registry.models import Identity, Person
from cascada.trainings.models import Cohort, Enrolment, Session
from tests.accounts.factories import login_verified
from tests.registry.factories import make_person
from tests.security.content import response_text
from tests.security.world import build_world, national_id
from tests.trainings.factories import enrol, make_cohort

pytestmark = pytest.mark.django_db

REFUSED = {400, 403, 404, 405}


@pytest.fixture
def world():
    w = build_world("NEW")
    # A second cohort of the same program that the world's facilitator does not run,
    # with nothing recorded: every mending would succeed if it were let through.
    w.spare = make_cohort(program=w.program, name="Cohorte libre", sessions=1)
    w.loose = make_person(organization=w.org, given_name="Suelto", national_id="47777777")
    (w.spare_enrolment,) = enrol(w.spare, w.other_person)
    return w


def _state(w) -> tuple:
    return (
        Person.objects.count(),
        Identity.objects.filter(person=w.loose).values_list("given_name", flat=True).first(),
        sorted(Cohort.objects.values_list("pk", "name", "start_date", "end_date")),
        Session.objects.count(),
        sorted(Enrolment.objects.values_list("pk", "status")),
        sorted(Module.objects.values_list("pk", "title")),
        sorted(SessionPlan.objects.values_list("pk", "title")),
    )


def _web_attacks(w) -> list[tuple[str, str, dict]]:
    register = {
        "given_name": "Intruso",
        "participation_consent": "on",
        "consent_text_version": "v1",
    }
    return [
        ("post", reverse("web:person_remove", args=[w.loose.pk]), {}),
        ("post", reverse("web:cohort_edit", args=[w.spare.pk]), {"name": "Cambiada"}),
        ("post", reverse("web:cohort_delete", args=[w.spare.pk]), {}),
        ("post", reverse("web:session_delete", args=[w.spare.sessions.get().pk]), {}),
        ("post", reverse("web:enrolment_remove", args=[w.spare_enrolment.pk]), {}),
        ("post", reverse("web:module_edit", args=[w.module.pk]), {"title": "Cambiado"}),
        ("post", reverse("web:module_delete", args=[w.module.pk]), {}),
        ("post", reverse("web:session_plan_edit", args=[w.plan.pk]), {"title": "Cambiado"}),
        ("post", reverse("web:session_plan_delete", args=[w.plan.pk]), {}),
        ("post", reverse("web:participant_register", args=[w.spare.pk]), register),
        (
            "post",
            reverse("web:participant_register", args=[w.spare.pk]),
            {"enrol_existing": w.loose.pk},
        ),
        ("post", reverse("web:cohort_enrol", args=[w.spare.pk]), {"people": [w.loose.pk]}),
        ("post", reverse("web:cohort_enrol_search", args=[w.spare.pk]), {"enrol-q": "Suelto"}),
        ("get", reverse("web:date_report"), {}),
    ]


def _api_attacks(w) -> list[tuple[str, str, dict | None]]:
    register = {
        "given_name": "Intruso",
        "participation_consent": True,
        "consent_text_version": "v1",
    }
    return [
        ("delete", f"/api/people/{w.loose.pk}/", None),
        ("patch", f"/api/cohorts/{w.spare.pk}/", {"name": "Cambiada"}),
        ("delete", f"/api/cohorts/{w.spare.pk}/", None),
        ("delete", f"/api/sessions/{w.spare.sessions.get().pk}/", None),
        ("delete", f"/api/enrolments/{w.spare_enrolment.pk}/", None),
        ("patch", f"/api/modules/{w.module.pk}/", {"title": "Cambiado"}),
        ("delete", f"/api/modules/{w.module.pk}/", None),
        ("patch", f"/api/session-plans/{w.plan.pk}/", {"title": "Cambiado"}),
        ("delete", f"/api/session-plans/{w.plan.pk}/", None),
        ("post", f"/api/cohorts/{w.spare.pk}/participants/", register),
        ("post", f"/api/cohorts/{w.spare.pk}/enrolments/", {"person": w.loose.pk}),
    ]


@pytest.mark.parametrize("role", ["viewer", "auditor", "facilitator", "facilitator and viewer"])
def test_s2_roles_cannot_mend_register_or_search_beyond_their_rights(client, world, role):
    """A viewer and an auditor mend nothing and register nobody; a facilitator does
    neither outside the cohorts he runs (``may_register_participants``), not even when a
    second role (viewer) lets him see every cohort of the organization; none reads the
    loose man's name through the picker."""
    user = world.users[role.split()[0]]
    if role == "facilitator and viewer":
        membership_grant(actor=None, user=user, organization=world.org, role="viewer")
    login_verified(client, user)
    client.raise_request_exception = False
    before = _state(world)
    got = []
    for method, url, data in _web_attacks(world):
        response = getattr(client, method)(url, data)
        if response.status_code not in REFUSED:
            got.append(f"{method.upper()} {url} -> {response.status_code}")
        assert "Suelto" not in response_text(response) or "enrol-q" in str(data), url
    for method, url, data in _api_attacks(world):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(client, method)(url, data, **kwargs)
        if response.status_code not in REFUSED:
            got.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not got, f"{role} got through:\n" + "\n".join(got)
    assert _state(world) == before
    # The people searches find nothing of him either (a viewer and an auditor are refused;
    # the facilitator searches only his cohorts and may not look up names or ID numbers).
    for text in ("Suelto", "47777777"):
        for response in (
            client.post(reverse("web:person_search"), {"q": text}),
            client.post("/api/people/search/", {"text": text}, content_type="application/json"),
        ):
            assert response.status_code in {200, 403}, text
            assert world.loose.code not in response_text(response), (role, text)


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "web:cohort_enrol_search"),
        ("get", "web:cohort_close"),
        ("post", "web:date_report"),
        ("post", "web:place_suggestions"),
        ("post", "web:place_picker"),
        ("post", "web:audit_list"),
        ("put", "web:person_remove"),
        ("delete", "web:cohort_delete"),
        ("head", "web:participant_register"),
    ],
)
def test_s9_new_routes_answer_only_their_methods(client, world, method, name):
    """Searches stay POST (S9: no names in URLs); reads take no POST; a DELETE or PUT is
    not a way around the confirm page."""
    login_verified(client, world.coordinator)
    args = {"web:person_remove": [world.loose.pk]}.get(name)
    if name in ("web:cohort_enrol_search", "web:cohort_close", "web:cohort_delete"):
        args = [world.spare.pk]
    if name == "web:participant_register":
        args = [world.spare.pk]
    before = _state(world)
    assert getattr(client, method)(reverse(name, args=args)).status_code == 405
    assert _state(world) == before


def test_s1_writes_without_a_csrf_token_are_refused(world):
    """Session-signed writes (web forms and the API through the session) need the CSRF
    token; a page on another site cannot remove or register anybody."""
    client = Client(enforce_csrf_checks=True)
    login_verified(client, world.coordinator)
    client.raise_request_exception = False
    before = _state(world)
    for method, url, data in _web_attacks(world):
        if method == "post":
            assert client.post(url, data).status_code == 403, url
    for method, url, data in _api_attacks(world):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(client, method)(url, data, HTTP_IDEMPOTENCY_KEY="csrf-key-1", **kwargs)
        assert response.status_code == 403, url
    assert _state(world) == before


def test_s2_another_users_idempotency_key_replays_nothing(world):
    """Keys are the client's choice, so guessable: the first answer (it holds names) is
    kept per user, and the same key and body from anyone else is a new request."""
    other = build_world("NEX")
    body = {
        "organization": world.org.pk,
        "given_name": "Secreto",
        "family_name": "Reservado",
        "id_document": "dni",
        "national_id": "41234567",
    }
    owner = APIClient()
    login_verified(owner, world.coordinator)
    first = owner.post("/api/people/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
    assert first.status_code == 201
    again = owner.post("/api/people/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
    assert again["Idempotent-Replayed"] == "true"  # the replay works, for its owner
    for user in (other.coordinator, world.viewer, world.facilitator, world.administrator):
        client = APIClient()
        login_verified(client, user)
        response = client.post(
            "/api/people/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key"
        )
        assert not response.has_header("Idempotent-Replayed"), user.username
        assert "Secreto" not in response.content.decode(), user.username
        assert response.status_code != 201 or response.json()["id"] != first.json()["id"]


@pytest.mark.parametrize("role", ["coordinator", "facilitator"])
def test_s2_picker_and_registration_duplicates_stay_in_scope(client, world, role):
    """The enrolment picker and the duplicate answer of a registration look only among
    the people the user sees: typing another organization's man (code, ID number, name)
    or a man of a cohort the facilitator does not run gives nothing of his."""
    other = build_world("NEY")
    login_verified(client, world.users[role])
    cohort = world.cohort  # the facilitator's own cohort, the coordinator's too
    # Still open for enrolment (a closed cohort offers no picker at all).
    Cohort.objects.filter(pk=cohort.pk).update(end_date=dt.date(2030, 12, 31))
    cohort.refresh_from_db()
    outside = [other.person.code, "CanarioNEY", "ZorzalNEY", national_id("NEY")]
    if role == "facilitator":
        outside += [world.loose.code]
    typed = [other.person.code, national_id("NEY"), "CanarioNEY ZorzalNEY"]
    if role == "facilitator":
        typed += [world.loose.code, "47777777", "Suelto"]
    for text in typed:
        response = client.post(
            reverse("web:cohort_enrol_search", args=[cohort.pk]),
            {"enrol-q": text},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-test="enrol-none"' in body, text  # found nobody, not even by code
        assert not [c for c in outside if c in body and c not in text], text
    api = APIClient()
    login_verified(api, world.users[role])
    for nid in [national_id("NEY")] + (["47777777"] if role == "facilitator" else []):
        response = api.post(
            f"/api/cohorts/{cohort.pk}/participants/",
            {
                "given_name": "Nuevo",
                "id_document": "dni",
                "national_id": nid,
                "participation_consent": True,
                "consent_text_version": "v1",
            },
            format="json",
        )
        # No duplicate is found outside the scope: he is registered (201), no code leaks.
        assert response.status_code == 201, (nid, response.content)
        assert not [c for c in outside if c in response.content.decode()], nid
