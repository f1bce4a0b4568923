"""POST /api/cohorts/<id>/enrolments/ and /participants/ on a closed cohort: 400 with the
rule's message, never a 500, nothing written; an enrolment given with its date within
the cohort records the past (docs/decisions/trainings.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.formats import date_format

from cascada.registry.models import Person
from cascada.trainings.models import Enrolment
from tests.api.conftest import error
from tests.registry.factories import make_person
from tests.trainings.factories import make_cohort

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def ended(world):
    return make_cohort(
        program=world.program, sessions=2, start=TODAY - dt.timedelta(days=57), name="Terminada"
    )


def test_enrolling_into_a_closed_cohort_is_400_with_the_message(api, world, ended):
    man = make_person(organization=world.org)
    response = api.post(f"/api/cohorts/{ended.pk}/enrolments/", {"person": man.pk})
    assert response.status_code == 400
    body = error(response)
    message = (
        f"This cohort ended on {date_format(ended.end_date, 'DATE_FORMAT')}: "
        "nobody can be enrolled in it any more."
    )
    assert body["code"] == "cohort_closed" and body["message"] == message
    assert body["fields"] == {"person": [message]}
    assert not Enrolment.objects.filter(cohort=ended).exists()


def test_an_enrolment_with_its_date_within_the_cohort_is_a_record_of_the_past(api, world, ended):
    man, late = make_person(organization=world.org), make_person(organization=world.org)
    url = f"/api/cohorts/{ended.pk}/enrolments/"
    on = ended.start_date.isoformat()
    response = api.post(url, {"person": man.pk, "enrolled_on": on})
    assert response.status_code == 201
    assert Enrolment.objects.get(cohort=ended, person=man).enrolled_on == ended.start_date
    after = (ended.end_date + dt.timedelta(days=1)).isoformat()
    response = api.post(url, {"person": late.pk, "enrolled_on": after})
    assert response.status_code == 400 and error(response)["code"] == "enrolled_after_end"
    assert "enrolled_on" in error(response)["fields"]
    assert not Enrolment.objects.filter(person=late).exists()


def test_registering_a_participant_into_a_closed_cohort_is_400(api, world, ended):
    """Refused before anything else: not even his likely duplicates are offered."""
    make_person(organization=world.org, given_name="Jorge", national_id="45678912")
    before = Person.objects.count()
    response = api.post(
        f"/api/cohorts/{ended.pk}/participants/",
        {
            "given_name": "Jorge",
            "family_name": "Espinoza",
            "sex": "male",
            "age": 30,
            "national_id": "45678912",
            "participation_consent": True,
            "consent_text_version": "v2-2026",
        },
        format="json",
    )
    assert response.status_code == 400 and error(response)["code"] == "cohort_closed"
    assert Person.objects.count() == before
