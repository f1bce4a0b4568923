"""Mending through the API (issue 7): PATCH and DELETE call the same services as the
web, with the same refusals in the API's error shape; a future session refuses attendance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cascada.curricula.services import curriculum_create, module_add
from cascada.trainings.models import Cohort, Enrolment, Session
from tests.api.conftest import error
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


def test_status_follows_the_dates_and_a_cohort_closes_by_hand(api, org):
    today = timezone.localdate()
    cohort = make_cohort(
        program=make_program(owner=org, name="Corriendo"),
        sessions=3,
        start=today - dt.timedelta(days=7),
    )
    assert api.get(f"/api/cohorts/{cohort.pk}/").json()["status"] == "running"
    ignored = api.patch(f"/api/cohorts/{cohort.pk}/", {"status": "closed"}, format="json")
    assert ignored.status_code == 200  # the status is not writable
    assert ignored.json()["status"] == "running"
    closed = api.post(f"/api/cohorts/{cohort.pk}/close/", {}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["closed_on"] == str(today)


def test_delete_refused_once_attendance_exists(api, world):
    session = world.cohort.sessions.get(number=1)
    marks = {str(e.pk): "present" for e in world.enrolments}
    taken = api.post(f"/api/sessions/{session.pk}/attendance/", {"marks": marks}, format="json")
    assert taken.status_code == 200
    refused = api.delete(f"/api/cohorts/{world.cohort.pk}/")
    assert refused.status_code == 400 and error(refused)["code"] == "has_attendance"
    refused = api.delete(f"/api/sessions/{session.pk}/")
    assert refused.status_code == 400 and error(refused)["code"] == "has_attendance"
    refused = api.delete(f"/api/enrolments/{world.enrolments[0].pk}/")
    assert refused.status_code == 400 and error(refused)["code"] == "has_attendance"
    assert api.delete(f"/api/sessions/{world.cohort.sessions.get(number=4).pk}/").status_code == 204
    assert world.cohort.sessions.count() == 3


def test_delete_a_cohort_and_an_enrolment_entered_by_mistake(api, org, world):
    cohort = make_cohort(program=world.program, sessions=2, name="Duplicada")
    (e,) = enrol(cohort, world.participants[0])
    assert api.delete(f"/api/enrolments/{e.pk}/").status_code == 204
    assert not Enrolment.objects.filter(pk=e.pk).exists()
    assert api.delete(f"/api/cohorts/{cohort.pk}/").status_code == 204
    assert not Cohort.objects.filter(pk=cohort.pk).exists()


def test_another_organizations_cohort_is_not_found(api, other_world):
    assert api.delete(f"/api/cohorts/{other_world.cohort.pk}/").status_code == 404
    assert Cohort.objects.filter(pk=other_world.cohort.pk).exists()


def test_future_session_refuses_attendance(api, org, world):
    start = timezone.localdate() + dt.timedelta(days=3)
    cohort = make_cohort(program=world.program, sessions=1, start=start, name="Futura")
    (e,) = enrol(cohort, world.participants[0])
    session = cohort.sessions.get()
    response = api.post(
        f"/api/sessions/{session.pk}/attendance/", {"marks": {str(e.pk): "present"}}, format="json"
    )
    assert response.status_code == 400 and error(response)["code"] == "future_session"
    assert not Session.objects.get(pk=session.pk).attendance.exists()


def test_modules_patch_and_delete(api, org):
    version = curriculum_create(actor=None, organization=org, title="Masculinidades").versions.get()
    module = module_add(actor=None, version=version, title="Poder")
    patched = api.patch(f"/api/modules/{module.pk}/", {"title": "Poder y género"}, format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "Poder y género"
    assert api.delete(f"/api/modules/{module.pk}/").status_code == 204
