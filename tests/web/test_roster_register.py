"""Registering a participant from the roster and the enrolment picker's search, through
the Django test client (docs/decisions/roster.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.registry.models import Consent, Person
from cascada.trainings.models import Enrolment
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

# Still running: a closed cohort takes no enrolments (docs/decisions/trainings.md).
RUNNING = {"end_date": dt.date.today() + dt.timedelta(days=60)}

FORM = {
    "given_name": "Jorge",
    "family_name": "Espinoza Mamani",
    "sex": "male",
    "age": "34",
    "birth_year": "",
    "id_document": "",
    "national_id": "",
    "participation_consent": "on",
    "consent_text_version": "v2-2026",
}


@pytest.fixture
def program(org):
    return make_program(owner=org)


@pytest.fixture
def fausto(org):
    return make_person(organization=org, given_name="Fausto", family_name="Ríos")


@pytest.fixture
def mine(program, fausto):
    return make_cohort(program=program, **RUNNING, sessions=2, facilitators=(fausto,), name="Mía")


@pytest.fixture
def facilitator_client(org, fausto):
    client = Client()
    login_verified(client, make_user(role="facilitator", organization=org, person=fausto))
    return client


def test_the_roster_links_to_the_short_form_which_registers_and_returns(facilitator_client, mine):
    session = mine.sessions.order_by("number").first()
    roster = facilitator_client.get(reverse("web:session_roster", args=[session.pk]))
    url = reverse("web:participant_register", args=[mine.pk]) + f"?session={session.pk}"
    assert f'href="{url}"'.replace("&", "&amp;") in roster.content.decode()
    page = facilitator_client.get(url)
    assert page.status_code == 200 and b'data-test="participant-form"' in page.content
    response = facilitator_client.post(url, FORM)
    enrolment = Enrolment.objects.get(cohort=mine)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("web:session_roster", args=[session.pk]) + f"#row-{enrolment.pk}"
    )
    roster = facilitator_client.get(response["Location"]).content.decode()
    assert "Jorge E." in roster and "Espinoza" not in roster
    assert Consent.objects.filter(person=enrolment.person, purpose="participation").exists()


def test_the_form_remembers_the_consent_version_and_needs_the_consent(facilitator_client, mine):
    url = reverse("web:participant_register", args=[mine.pk])
    refused = facilitator_client.post(url, {**FORM, "participation_consent": ""})
    assert refused.status_code == 400
    assert b'data-test="error-participation_consent"' in refused.content
    assert not Person.objects.filter(identity__isnull=False, enrolments__cohort=mine).exists()
    facilitator_client.post(url, FORM)
    assert b'value="v2-2026"' in facilitator_client.get(url).content


def test_a_cohort_he_does_not_facilitate_is_404_and_a_viewer_403(facilitator_client, program, org):
    theirs = make_cohort(program=program, **RUNNING, sessions=1, name="Ajena")
    url = reverse("web:participant_register", args=[theirs.pk])
    assert facilitator_client.get(url).status_code == 404
    assert facilitator_client.post(url, FORM).status_code == 404
    viewer = Client()
    login_verified(viewer, make_user(role="viewer", organization=org))
    assert viewer.post(url, FORM).status_code == 403
    assert not Enrolment.objects.filter(cohort=theirs).exists()


def test_a_likely_duplicate_is_offered_to_enrol_instead(facilitator_client, fausto, program, mine):
    other = make_cohort(
        program=program, **RUNNING, sessions=1, facilitators=(fausto,), name="Otra mía"
    )
    known = make_person(
        organization=program.owner,
        given_name="Jorge",
        family_name="Espinoza Mamani",
        id_document="dni",
        national_id="41234567",
    )
    enrol(other, known)
    url = reverse("web:participant_register", args=[mine.pk])
    data = {**FORM, "id_document": "dni", "national_id": "41234567"}
    response = facilitator_client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400 and 'data-test="duplicates"' in body
    section = body.split('data-test="duplicates"')[1].split("</section>")[0]
    assert "Jorge E." in section and known.code in section and "Espinoza" not in section
    assert Person.objects.filter(identity__national_id_hash__isnull=False).count() == 2
    response = facilitator_client.post(url, {**data, "enrol_existing": str(known.pk)})
    assert response.status_code == 302
    assert Enrolment.objects.filter(cohort=mine, person=known).exists()


def test_enrolling_someone_he_cannot_see_is_404(facilitator_client, mine, other_org):
    stranger = make_person(organization=other_org)
    url = reverse("web:participant_register", args=[mine.pk])
    response = facilitator_client.post(url, {"enrol_existing": str(stranger.pk)})
    assert response.status_code == 404
    assert not Enrolment.objects.filter(person=stranger).exists()


def test_the_cohort_page_offers_registering_and_a_search_instead_of_every_checkbox(
    coordinator_client, org, program, mine, fausto
):
    for i in range(5):
        make_person(organization=org, given_name=f"Persona{i}")
    page = coordinator_client.get(reverse("web:cohort_detail", args=[mine.pk])).content.decode()
    assert 'data-test="register-participant"' in page
    assert 'data-test="enrol-choice"' not in page and "Persona1" not in page
    search = reverse("web:cohort_enrol_search", args=[mine.pk])
    assert f'hx-post="{search}"' in page


def test_enrol_search_by_post_returns_candidates_without_facilitators(
    coordinator_client, org, mine, fausto
):
    jorge = make_person(organization=org, given_name="Jorge", family_name="Ríos")
    search = reverse("web:cohort_enrol_search", args=[mine.pk])
    assert coordinator_client.get(search + "?enrol-q=Jorge").status_code == 405  # S9
    response = coordinator_client.post(search, {"enrol-q": "Jorge Ríos"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and f'value="{jorge.pk}"' in body
    response = coordinator_client.post(search, {"enrol-q": fausto.code}, HTTP_HX_REQUEST="true")
    assert 'data-test="enrol-none"' in response.content.decode()
    assert AuditEvent.objects.filter(action="search").count() == 2
    done = coordinator_client.post(
        reverse("web:cohort_enrol", args=[mine.pk]), {"people": [jorge.pk]}
    )
    assert done.status_code == 302
    assert Enrolment.objects.filter(cohort=mine, person=jorge).exists()


def test_enrolling_the_cohorts_facilitator_is_refused_on_the_page(coordinator_client, mine, fausto):
    response = coordinator_client.post(
        reverse("web:cohort_enrol", args=[mine.pk]), {"people": [fausto.pk]}
    )
    assert response.status_code == 400
    assert "facilitates this cohort" in response.content.decode()
    assert not Enrolment.objects.filter(cohort=mine).exists()


def test_enrol_search_without_javascript_shows_the_cohort_page(coordinator_client, org, mine):
    jorge = make_person(organization=org, given_name="Jorge", family_name="Ríos")
    response = coordinator_client.post(
        reverse("web:cohort_enrol_search", args=[mine.pk]), {"enrol-q": jorge.code}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-test="cohort-name"' in body
    assert f'value="{jorge.pk}"' in body


def test_people_new_sends_a_facilitator_to_his_cohorts_and_still_refuses_a_post(
    facilitator_client,
):
    response = facilitator_client.get(reverse("web:person_create"))
    assert response.status_code == 302 and response["Location"] == reverse("web:cohort_list")
    before = Person.objects.count()
    assert facilitator_client.post(reverse("web:person_create"), FORM).status_code == 403
    assert Person.objects.count() == before
