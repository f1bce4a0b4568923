"""Mending in the browser (issue 7): edit, close and delete a cohort, delete a session,
remove an enrolment, edit modules; a future session's roster says why it refuses; the
report of old data that breaks the date rules; the home page counts running cohorts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cascada.curricula.models import Module
from cascada.curricula.services import curriculum_create, module_add
from cascada.trainings.models import Cohort, Enrolment, EnrolmentStatus, Session
from cascada.trainings.services import attendance_record
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(org):
    return make_cohort(program=make_program(owner=org), sessions=4, name="Callao 2026")


@pytest.fixture
def foreign_cohort(other_org):
    return make_cohort(program=make_program(owner=other_org, name="Ajeno"), sessions=1)


def test_edit_a_cohort(coordinator_client, cohort):
    url = reverse("web:cohort_edit", args=[cohort.pk])
    page = coordinator_client.get(url)
    assert page.status_code == 200 and "Callao 2026" in page.content.decode()
    response = coordinator_client.post(
        url,
        {
            "name": "Callao 2026 (B)",
            "kind": "course",
            "modality": "in_person",
            "start_date": "2026-03-02",
            "end_date": "2026-03-23",
            "completion_rule": "attendance",
            "min_attendance_pct": "75",
        },
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.min_attendance_pct) == ("Callao 2026 (B)", 75)


def test_edit_shows_the_refusal_beside_the_field(coordinator_client, org, cohort):
    (e,) = enrol(cohort, make_person(organization=org))
    attendance_record(actor=None, session=cohort.sessions.get(number=2), marks={e.pk: "present"})
    response = coordinator_client.post(
        reverse("web:cohort_edit", args=[cohort.pk]),
        {
            "name": "Callao 2026",
            "kind": "course",
            "modality": "in_person",
            "start_date": "2026-03-20",
            "end_date": "2026-03-23",
            "completion_rule": "attendance",
            "min_attendance_pct": "80",
        },
    )
    assert response.status_code == 400
    assert "cannot start after that" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.start_date == dt.date(2026, 3, 2)


def test_delete_a_cohort_asks_first_then_deletes(coordinator_client, cohort):
    url = reverse("web:cohort_delete", args=[cohort.pk])
    assert coordinator_client.get(url).status_code == 200
    assert Cohort.objects.filter(pk=cohort.pk).exists()
    response = coordinator_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("web:cohort_list")
    assert not Cohort.objects.filter(pk=cohort.pk).exists()


def test_a_cohort_with_attendance_is_not_deleted(coordinator_client, org, cohort):
    (e,) = enrol(cohort, make_person(organization=org))
    attendance_record(actor=None, session=cohort.sessions.first(), marks={e.pk: "present"})
    response = coordinator_client.post(reverse("web:cohort_delete", args=[cohort.pk]))
    assert response.status_code == 400
    assert "Close it instead" in response.content.decode()
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_another_organizations_cohort_is_not_found(coordinator_client, foreign_cohort):
    for name in ("web:cohort_edit", "web:cohort_delete"):
        assert coordinator_client.get(reverse(name, args=[foreign_cohort.pk])).status_code == 404
    assert (
        coordinator_client.post(reverse("web:cohort_delete", args=[foreign_cohort.pk])).status_code
        == 404
    )
    assert Cohort.objects.filter(pk=foreign_cohort.pk).exists()


def test_close_a_running_cohort_by_hand(coordinator_client, org):
    today = timezone.localdate()
    cohort = make_cohort(
        program=make_program(owner=org), sessions=4, start=today - dt.timedelta(days=7)
    )
    page = coordinator_client.get(reverse("web:cohort_detail", args=[cohort.pk]))
    assert 'data-test="cohort-close"' in page.content.decode()
    response = coordinator_client.post(reverse("web:cohort_close", args=[cohort.pk]), follow=True)
    cohort.refresh_from_db()
    assert cohort.closed_on == today and cohort.current_status == "closed"
    assert 'data-test="cohort-reopen"' in response.content.decode()


def test_home_counts_running_cohorts_from_their_dates(coordinator_client, org):
    today = timezone.localdate()
    make_cohort(program=make_program(owner=org), sessions=4, start=today - dt.timedelta(days=7))
    response = coordinator_client.get(reverse("web:home"))
    assert response.context["totals"]["running"] == 1


def test_delete_a_session_without_attendance(coordinator_client, cohort):
    session = cohort.sessions.get(number=4)
    response = coordinator_client.post(reverse("web:session_delete", args=[session.pk]))
    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_remove_an_enrolment_withdraws_or_deletes(coordinator_client, org, cohort):
    attended, mistaken = enrol(cohort, make_person(organization=org), make_person(organization=org))
    attendance_record(actor=None, session=cohort.sessions.first(), marks={attended.pk: "present"})
    url = reverse("web:enrolment_remove", args=[attended.pk])
    refused = coordinator_client.post(url, {"delete": "1"})
    assert refused.status_code == 400 and "withdraw him" in refused.content.decode()
    assert coordinator_client.post(url, {"withdraw": "1"}).status_code == 302
    attended.refresh_from_db()
    assert attended.status == EnrolmentStatus.WITHDRAWN
    coordinator_client.post(reverse("web:enrolment_remove", args=[mistaken.pk]), {"delete": "1"})
    assert not Enrolment.objects.filter(pk=mistaken.pk).exists()


def test_a_future_sessions_roster_says_when_attendance_opens(coordinator_client, org):
    start = timezone.localdate() + dt.timedelta(days=7)
    cohort = make_cohort(program=make_program(owner=org), sessions=2, start=start)
    (e,) = enrol(cohort, make_person(organization=org))
    session = cohort.sessions.get(number=1)
    url = reverse("web:session_roster", args=[session.pk])
    page = coordinator_client.get(url)
    assert "attendance is recorded from that day" in page.content.decode()
    response = coordinator_client.post(url, {f"mark_{e.pk}": "present"})
    assert response.status_code == 400
    assert not session.attendance.exists()


def test_edit_and_delete_a_module(coordinator_client, org):
    version = curriculum_create(actor=None, organization=org, title="Masculinidades").versions.get()
    module = module_add(actor=None, version=version, title="Poder")
    url = reverse("web:module_edit", args=[module.pk])
    assert coordinator_client.get(url).status_code == 200
    assert coordinator_client.post(url, {"title": "Poder y género"}).status_code == 302
    module.refresh_from_db()
    assert module.title == "Poder y género" and not module.is_core
    coordinator_client.post(reverse("web:module_delete", args=[module.pk]))
    assert not Module.objects.filter(pk=module.pk).exists()


def test_the_date_report_page_lists_early_attendance(coordinator_client, org, cohort):
    (e,) = enrol(cohort, make_person(organization=org))
    attendance_record(actor=None, session=cohort.sessions.get(number=2), marks={e.pk: "present"})
    url = reverse("web:date_report")
    assert 'data-test="no-problems"' in coordinator_client.get(url).content.decode()
    Session.objects.filter(cohort=cohort, number=2).update(
        attendance_taken_at=dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC)
    )
    page = coordinator_client.get(url).content.decode()
    assert 'data-kind="attendance_early"' in page and "Callao 2026" in page


def test_a_cohort_that_ended_by_its_date_offers_certificates_at_once(
    coordinator_client, org, monkeypatch
):
    """Its completions become final at the first certificate, not only at the nightly run."""
    real_now = timezone.now()
    ended = timezone.localdate() - dt.timedelta(days=2)
    cohort = make_cohort(
        program=make_program(owner=org), sessions=2, start=ended - dt.timedelta(days=7)
    )
    (e,) = enrol(cohort, make_person(organization=org))
    monkeypatch.setattr(timezone, "now", lambda: real_now - dt.timedelta(days=2))
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={e.pk: "present"})
    e.refresh_from_db()
    assert e.meets_rule and not e.completed  # the last day: on track
    monkeypatch.setattr(timezone, "now", lambda: real_now)
    page = coordinator_client.get(reverse("web:cohort_detail", args=[cohort.pk]))
    assert 'data-test="certificates-issue-all"' in page.content.decode()
    coordinator_client.post(reverse("web:cohort_certificates_issue", args=[cohort.pk]))
    e.refresh_from_db()
    assert e.completed and hasattr(e, "certificate")
