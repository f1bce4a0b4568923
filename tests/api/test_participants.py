"""POST /api/cohorts/<id>/participants/: register a participant, record his consent and
enrol him, the same service as the roster's form (docs/decisions/roster.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.registry.models import Consent, Person
from cascada.trainings.models import Enrolment
from cascada.trainings.services import cohort_update
from tests.api.conftest import error
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world):
    """The world's cohort still runs: a closed cohort takes no enrolments."""
    end = dt.date.today() + dt.timedelta(days=60)
    return cohort_update(actor=None, cohort=world.cohort, end_date=end)


BODY = {
    "given_name": "Jorge",
    "family_name": "Espinoza",
    "sex": "male",
    "age": 30,
    "participation_consent": True,
    "reporting_consent": True,
    "consent_text_version": "v2-2026",
}


def test_a_facilitator_registers_into_his_cohort_and_reads_no_name(facilitator_api, world, running):
    response = facilitator_api.post(
        f"/api/cohorts/{world.cohort.pk}/participants/", BODY, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["cohort"] == world.cohort.pk and set(body) >= {"id", "person", "person_code"}
    assert "Jorge" not in response.content.decode()  # S3: the answer carries no identity
    person = Person.objects.get(pk=body["person"])
    assert {c.purpose for c in Consent.objects.filter(person=person)} == {
        "participation",
        "aggregate_reporting",
    }
    session = world.cohort.sessions.first()
    names = [
        r["name"]
        for r in facilitator_api.get(f"/api/sessions/{session.pk}/attendance/").json()["rows"]
    ]
    assert "Jorge E." in names


def test_not_his_cohort_is_refused_and_writes_nothing(facilitator_api, world):
    theirs = make_cohort(program=world.program, sessions=1, name="Ajena")
    before = Person.objects.count()
    response = facilitator_api.post(f"/api/cohorts/{theirs.pk}/participants/", BODY, format="json")
    assert response.status_code in (403, 404)
    assert Person.objects.count() == before


def test_another_organizations_cohort_is_404(api, other_org):
    foreign = make_cohort(program=make_program(owner=other_org, name="Ajeno"), sessions=1)
    response = api.post(f"/api/cohorts/{foreign.pk}/participants/", BODY, format="json")
    assert response.status_code == 404
    assert not Enrolment.objects.filter(cohort=foreign).exists()


def test_consent_is_required_and_a_duplicate_names_the_match(api, world, running):
    url = f"/api/cohorts/{world.cohort.pk}/participants/"
    refused = api.post(url, {**BODY, "participation_consent": False}, format="json")
    assert refused.status_code == 400 and error(refused)["code"] == "consent_required"
    known = world.participants[0]
    dup = api.post(url, {**BODY, "id_document": "dni", "national_id": "40000000"}, format="json")
    assert dup.status_code == 409 and error(dup)["code"] == "duplicate_person"
    assert known.code in str(error(dup))


def test_the_cohorts_facilitator_cannot_be_enrolled(api, world):
    response = api.post(
        f"/api/cohorts/{world.cohort.pk}/enrolments/",
        {"person": world.facilitator_person.pk},
        format="json",
    )
    assert response.status_code == 400
    assert error(response)["code"] == "facilitator_not_participant"
