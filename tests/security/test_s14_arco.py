"""S14, ARCO through every interface: the person page's buttons, the copy of a person's
data (page, JSON file, API, CLI) and erasure (confirmation page, API, CLI), for whom
they are meant and nobody else (docs/decisions/arco.md)."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.registry.models import Identity, Person
from cascada.trainings.models import Enrolment
from tests.accounts.factories import login_verified, make_user
from tests.api.conftest import token_client
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

NAME = "Wenceslao"
DNI = "41234567"


@pytest.fixture
def man(org, coordinator):
    person = make_person(organization=org, given_name=NAME, family_name="Condori", national_id=DNI)
    program = make_program(owner=org)
    facilitator = make_person(organization=org, given_name="Facilitadora")
    cohort = make_cohort(program=program, facilitators=(facilitator,), sessions=2)
    enrol(cohort, person)
    person.facilitator_person = facilitator
    person.cohort = cohort
    return person


def _urls(person):
    return {
        "data": reverse("web:person_data", args=[person.pk]),
        "json": reverse("web:person_data_json", args=[person.pk]),
        "erase": reverse("web:person_erase", args=[person.pk]),
    }


def _token(page: bytes) -> str:
    found = re.search(rb'name="form_token" value="([^"]+)"', page)
    assert found, "the erase form carries a form token"
    return found.group(1).decode()


# ---------------------------------------------------------------- who may


def test_coordinator_sees_the_rights_on_the_person_page(coordinator_client, man):
    page = coordinator_client.get(reverse("web:person_detail", args=[man.pk]))
    urls = _urls(man)
    for url in urls.values():
        assert url.encode() in page.content


@pytest.mark.parametrize("role", ["viewer", "auditor", "facilitator", "me_officer"])
def test_other_roles_neither_export_nor_erase(client, org, man, role):
    user = make_user(role=role, organization=org)
    if role == "facilitator":
        # A facilitator of the man's own cohort: sees the person, not these rights.
        user.person = man.facilitator_person
        user.save()
    login_verified(client, user)
    page = client.get(reverse("web:person_detail", args=[man.pk]))
    assert b"person-erase" not in page.content and b"person-data" not in page.content
    for url in _urls(man).values():
        assert client.get(url).status_code in (403, 404), url
    response = client.post(_urls(man)["erase"], {"reason": "holder_request", "confirm": "on"})
    assert response.status_code in (403, 404)
    api = token_client(user)
    assert api.get(f"/api/people/{man.pk}/data/").status_code in (403, 404)
    response = api.post(
        f"/api/people/{man.pk}/erase/",
        {"reason": "holder_request"},
        format="json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code in (403, 404)
    assert Identity.objects.filter(person=man).exists()
    assert not AuditEvent.objects.filter(action__in=["erase", "arco_export"]).exists()


def test_another_organization_gets_404(client, other_org, man):
    stranger = make_user(role="coordinator", organization=other_org)
    login_verified(client, stranger)
    for url in _urls(man).values():
        assert client.get(url).status_code == 404
    api = token_client(stranger)
    assert api.get(f"/api/people/{man.pk}/data/").status_code == 404
    assert Identity.objects.filter(person=man).exists()


# ---------------------------------------------------------------- the copy


def test_the_copy_as_a_page_and_as_a_json_file(coordinator_client, man):
    page = coordinator_client.get(_urls(man)["data"])
    assert page.status_code == 200
    assert NAME.encode() in page.content and DNI.encode() in page.content
    assert "no-store" in page["Cache-Control"]
    response = coordinator_client.get(_urls(man)["json"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="cascada-{man.code}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["identity"]["given_name"] == NAME
    assert [e["cohort"] for e in data["enrolments"]] == [man.cohort.name]
    assert AuditEvent.objects.filter(action="arco_export", target_id=str(man.pk)).count() == 2


def test_the_copy_through_the_api(coordinator, man):
    response = token_client(coordinator).get(f"/api/people/{man.pk}/data/")
    assert response.status_code == 200
    assert response.json()["identity"]["national_id"] == DNI


def test_the_copy_through_the_cli(coordinator, man, capsys, tmp_path):
    call_command("person_export", "--code", man.code.lower(), "--as", coordinator.username)
    assert json.loads(capsys.readouterr().out)["identity"]["given_name"] == NAME
    out = tmp_path / "copia.json"
    call_command(
        "person_export", "--code", man.code, "--as", coordinator.username, "--output", str(out)
    )
    assert json.loads(out.read_text())["person"]["code"] == man.code
    assert out.stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------- erasure


def test_erase_page_says_what_goes_and_what_stays_and_needs_a_reason(coordinator_client, man):
    page = coordinator_client.get(_urls(man)["erase"])
    assert page.status_code == 200
    assert b"erase-what" in page.content
    response = coordinator_client.post(
        _urls(man)["erase"], {"form_token": _token(page.content), "confirm": "on"}
    )
    assert response.status_code == 400
    assert Identity.objects.filter(person=man).exists()


def test_erase_from_the_web_once_however_often_it_is_sent(coordinator_client, man):
    old = man.code
    page = coordinator_client.get(_urls(man)["erase"])
    form = {"form_token": _token(page.content), "reason": "holder_request", "confirm": "on"}
    first = coordinator_client.post(_urls(man)["erase"], form)
    assert first.status_code == 302 and first["Location"] == reverse("web:person_list")
    second = coordinator_client.post(_urls(man)["erase"], form)  # a double tap
    assert second.status_code == 302
    assert AuditEvent.objects.filter(action="erase").count() == 1
    man.refresh_from_db()
    assert man.code != old and not Identity.objects.filter(person=man).exists()
    # The page under the old code is gone; the record's page shows no name.
    for text in (old, NAME, DNI):
        search = coordinator_client.post(reverse("web:person_search"), {"q": text})
        assert search.context["results"] == [], text
    detail = coordinator_client.get(reverse("web:person_detail", args=[man.pk]))
    assert NAME.encode() not in detail.content and b"erased-notice" in detail.content
    assert b"person-erase" not in detail.content and b"person-edit" not in detail.content
    # The people export holds nothing of his.
    export = coordinator_client.get(reverse("web:export_people") + "?format=csv")
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert NAME.encode() not in body and DNI.encode() not in body and old.encode() not in body
    # His enrolment is still there, and counts.
    assert Enrolment.objects.filter(person=man, cohort=man.cohort).exists()


def test_erase_through_the_api(coordinator, man):
    api = token_client(coordinator)
    url = f"/api/people/{man.pk}/erase/"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    bad = api.post(url, {"reason": "me lo pidió"}, format="json", headers=key)
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    response = api.post(url, {"reason": "authority_order"}, format="json", headers=key)
    assert response.status_code == 200
    assert response.json()["removed"]["identities"] == 1
    again = api.post(url, {"reason": "authority_order"}, format="json", headers=key)
    assert again.status_code == 200  # the same answer, replayed
    assert AuditEvent.objects.filter(action="erase").count() == 1
    assert NAME not in json.dumps(response.json())


def test_erase_through_the_cli(org, coordinator, man, capsys):
    viewer = make_user(role="viewer", organization=org)
    with pytest.raises(CommandError):
        call_command(
            "person_erase",
            "--code",
            man.code,
            "--as",
            viewer.username,
            "--reason",
            "holder_request",
        )
    assert Identity.objects.filter(person=man).exists()
    call_command(
        "person_erase",
        "--code",
        man.code,
        "--as",
        coordinator.username,
        "--reason",
        "holder_request",
    )
    assert "identities 1" in capsys.readouterr().out
    assert not Identity.objects.filter(person=man).exists()
    assert Person.objects.filter(pk=man.pk).exists()
    row = AuditEvent.objects.get(action="erase")
    assert row.source == "cli" and row.actor_username == coordinator.username
