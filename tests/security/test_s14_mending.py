"""S14 corrections and removals (issue 7's mending) leave history intact.

A coordinator may correct and remove what was entered by mistake, but no edit may
rewrite what already happened: a removal never takes attendance or certificates with it,
and no date edit makes recorded attendance or an issued certificate come before its own
session or cohort (what ``trainings.date_report`` lists as broken data). Attacked through
the API, the way a script would (the web forms call the same services)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.registry.models import Person
from cascada.trainings.date_report import date_problems
from cascada.trainings.models import Attendance, Certificate, Cohort, Enrolment, Session
from tests.accounts.factories import login_verified
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def world():
    # A cohort of 2 and 9 March 2026 with attendance at both sessions and a certificate.
    return build_world("MND")


def _history(world) -> tuple:
    world.cohort.refresh_from_db()
    return (
        world.cohort.start_date,
        world.cohort.end_date,
        sorted(Session.objects.filter(cohort=world.cohort).values_list("pk", "date")),
        Attendance.objects.filter(session__cohort=world.cohort).count(),
        Enrolment.objects.filter(cohort=world.cohort).count(),
        Certificate.objects.filter(enrolment__cohort=world.cohort, revoked=False).count(),
        Person.objects.filter(pk=world.person.pk).exists(),
    )


@pytest.mark.parametrize(
    "what",
    ["person with attendance", "cohort with attendance", "session with attendance", "enrolment"],
)
def test_s14_removals_never_take_history_with_them(client, world, what):
    login_verified(client, world.coordinator)
    client.raise_request_exception = False
    url = {
        "person with attendance": f"/api/people/{world.person.pk}/",
        "cohort with attendance": f"/api/cohorts/{world.cohort.pk}/",
        "session with attendance": f"/api/sessions/{world.session.pk}/",
        "enrolment": f"/api/enrolments/{world.enrolment.pk}/",
    }[what]
    before = _history(world)
    response = client.delete(url)
    assert response.status_code in (400, 409), (what, response.status_code)
    assert _history(world) == before
    # The web confirm pages post to the same services.
    web = {
        "person with attendance": f"/people/{world.person.pk}/remove/",
        "cohort with attendance": f"/cohorts/{world.cohort.pk}/delete/",
        "session with attendance": f"/sessions/{world.session.pk}/delete/",
        "enrolment": f"/enrolments/{world.enrolment.pk}/remove/",
    }[what]
    assert client.post(web).status_code in (400, 409), what
    assert _history(world) == before


def test_s14_a_certified_cohort_cannot_be_reopened_by_moving_its_end_date(client, world):
    """Closing by hand cannot be undone once certificates exist (``cohort_reopen``); an
    end date moved ahead did exactly that: the cohort ran again, his completion was
    undone, and a certificate anyone can verify stood for a course not over."""
    login_verified(client, world.coordinator)
    # The certificate was handed out on 10 March, the day after the last session.
    Certificate.objects.filter(pk=world.certificate.pk).update(issued_on=dt.date(2026, 3, 10))
    before = _history(world)
    assert date_problems(user=world.coordinator) == []
    for end in ("2099-01-01", "2026-06-30"):
        response = client.patch(
            f"/api/cohorts/{world.cohort.pk}/", {"end_date": end}, content_type="application/json"
        )
        assert response.status_code == 400, (end, response.content)
        assert "end_date" in response.json()["error"]["fields"]
    assert _history(world) == before
    world.enrolment.refresh_from_db()
    assert world.enrolment.completed
    assert date_problems(user=world.coordinator) == []
    # An earlier end, still before the certificate, is a correction and is allowed.
    response = client.patch(
        f"/api/cohorts/{world.cohort.pk}/",
        {"end_date": "2026-03-09"},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_s14_a_recorded_session_cannot_move_after_its_attendance_nor_out_of_its_cohort(
    client, world
):
    """Attendance of the 2 March session was typed on 2 March. Moving the session to the
    5th (a past day, so not "to come") made the attendance precede its own session; moving
    it to 2020 put recorded attendance outside the cohort's dates."""
    login_verified(client, world.coordinator)
    Session.objects.filter(pk=world.session.pk).update(
        attendance_taken_at=dt.datetime(2026, 3, 2, 20, tzinfo=UTC)  # 15:00 in Lima
    )
    before = _history(world)
    assert date_problems(user=world.coordinator) == []
    for day in ("2026-03-05", "2020-01-01", "2099-01-01"):
        response = client.patch(
            f"/api/sessions/{world.session.pk}/", {"date": day}, content_type="application/json"
        )
        assert response.status_code == 400, (day, response.content)
        assert response.json()["error"]["fields"].keys() == {"date"}
    assert _history(world) == before
    assert date_problems(user=world.coordinator) == []
    # The same day, or a correction inside the cohort no later than the recording, is fine.
    response = client.patch(
        f"/api/sessions/{world.session.pk}/",
        {"date": "2026-03-02", "title": "Bienvenida"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Cohort.objects.filter(pk=world.cohort.pk).exists()
