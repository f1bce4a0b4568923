"""A closed cohort's page offers no enrolment picker nor "Register a participant", says
why, and a POST that enrols anyway is answered with that message (400), nothing written
(docs/decisions/trainings.md, "A closed cohort takes no enrolments")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from cascada.audit.models import AuditEvent
from cascada.registry.models import Person
from cascada.trainings.models import Enrolment
from cascada.trainings.services import cohort_close
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
PICKER = b'data-test="enrol-open"'
REGISTER = b'data-test="register-participant"'
CLOSED = b'data-test="enrol-closed"'


@pytest.fixture
def program(org):
    return make_program(owner=org)


@pytest.fixture
def fausto(org):
    return make_person(organization=org, given_name="Fausto", family_name="Ríos")


@pytest.fixture
def running(program, fausto):
    return make_cohort(
        program=program,
        sessions=2,
        start=TODAY - dt.timedelta(days=14),
        end_date=TODAY + dt.timedelta(days=30),
        facilitators=(fausto,),
        name="En curso",
    )


@pytest.fixture
def ended(program, fausto):
    return make_cohort(
        program=program,
        sessions=2,
        start=TODAY - dt.timedelta(days=57),
        facilitators=(fausto,),
        name="Terminada",
    )


@pytest.fixture
def people(org):
    return [
        make_person(organization=org, given_name="Aurelio", family_name="Quispe"),
        make_person(organization=org, given_name="Benito", family_name="Mamani"),
    ]


def ended_message(cohort) -> str:
    return (
        f"This cohort ended on {date_format(cohort.end_date, 'DATE_FORMAT')}: "
        "nobody can be enrolled in it any more."
    )


def test_a_running_cohort_offers_the_picker_and_a_closed_one_says_why(
    coordinator_client, running, ended
):
    page = coordinator_client.get(reverse("web:cohort_detail", args=[running.pk])).content
    assert PICKER in page and REGISTER in page and CLOSED not in page
    page = coordinator_client.get(reverse("web:cohort_detail", args=[ended.pk])).content
    assert PICKER not in page and REGISTER not in page
    assert CLOSED in page and ended_message(ended) in page.decode()


def test_closing_by_hand_takes_the_picker_away(coordinator, coordinator_client, running):
    cohort_close(actor=coordinator, cohort=running, on=TODAY)
    page = coordinator_client.get(reverse("web:cohort_detail", args=[running.pk])).content
    assert PICKER not in page and CLOSED in page


def test_enrolling_into_a_closed_cohort_answers_the_message_and_writes_nothing(
    coordinator_client, ended, people
):
    response = coordinator_client.post(
        reverse("web:cohort_enrol", args=[ended.pk]), {"people": [p.pk for p in people]}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert ended_message(ended) in body and 'role="alert"' in body
    assert "people enrolled" not in body
    assert not Enrolment.objects.filter(cohort=ended).exists()


def test_the_success_message_says_person_or_people(coordinator_client, running, people):
    url = reverse("web:cohort_enrol", args=[running.pk])
    one = coordinator_client.post(url, {"people": [people[0].pk]}, follow=True)
    assert "1 person enrolled." in one.content.decode()
    two = make_person(organization=running.program.owner)
    both = coordinator_client.post(url, {"people": [people[1].pk, two.pk]}, follow=True)
    assert "2 people enrolled." in both.content.decode()
    assert Enrolment.objects.filter(cohort=running).count() == 3


def test_no_search_is_made_for_a_closed_cohort(coordinator_client, ended, people):
    search = reverse("web:cohort_enrol_search", args=[ended.pk])
    partial = coordinator_client.post(search, {"enrol-q": people[0].code}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert ended_message(ended) in body and f'value="{people[0].pk}"' not in body
    page = coordinator_client.post(search, {"enrol-q": people[0].code})
    assert page.status_code == 400 and ended_message(ended) in page.content.decode()
    assert not AuditEvent.objects.filter(action="search").exists()


def test_the_roster_of_a_closed_cohort_offers_no_registering(org, fausto, running, ended):
    client = Client()
    login_verified(client, make_user(role="facilitator", organization=org, person=fausto))
    roster = reverse("web:session_roster", args=[running.sessions.first().pk])
    assert REGISTER in client.get(roster).content
    roster = reverse("web:session_roster", args=[ended.sessions.first().pk])
    response = client.get(roster)
    assert response.status_code == 200 and REGISTER not in response.content


def test_registering_into_a_closed_cohort_answers_the_message_and_creates_nobody(
    coordinator_client, ended
):
    before = Person.objects.count()
    response = coordinator_client.post(
        reverse("web:participant_register", args=[ended.pk]),
        {
            "given_name": "Jorge",
            "family_name": "Espinoza",
            "sex": "male",
            "age": "34",
            "participation_consent": "on",
            "consent_text_version": "v2-2026",
        },
    )
    assert response.status_code == 400
    assert ended_message(ended) in response.content.decode()
    assert Person.objects.count() == before
