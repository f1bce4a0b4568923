"""The time rules (issue 7): no attendance for a session still to come, in the
organization's time zone; completion final and certificates only once the cohort is over;
the status follows the dates; old data that breaks the rules is listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from cascada.core.errors import ApplicationError
from cascada.trainings import clock
from cascada.trainings.date_report import (
    ATTENDANCE_EARLY,
    CERTIFICATE_EARLY,
    COMPLETION_EARLY,
    date_problems,
)
from cascada.trainings.models import Certificate, Enrolment, Session
from cascada.trainings.selectors import cohort_list_filtered
from cascada.trainings.services import (
    attendance_record,
    certificate_issue,
    certificates_issue_for_cohort,
    cohort_close,
    cohort_reopen,
    cohorts_finalize,
    session_headcount_set,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def now(monkeypatch):
    """Set the clock: ``now(datetime)``."""

    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def _december_course(org, *, sessions=5):
    """Five weekly sessions from Tuesday 8 December 2026 to 5 January 2027."""
    return make_cohort(
        program=make_program(owner=org), sessions=sessions, start=dt.date(2026, 12, 8)
    )


def test_attendance_for_a_session_still_to_come_is_refused_with_its_date(org, now):
    now(dt.datetime(2026, 12, 1, 15, tzinfo=UTC))
    cohort = _december_course(org)
    (e,) = enrol(cohort, make_person(organization=org))
    first = cohort.sessions.get(number=1)
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        attendance_record(actor=None, session=first, marks={e.pk: "present"})
    assert refused.value.code == "future_session"
    assert str(refused.value.message) == (
        "The session is on December 8: attendance is recorded from that day."
    )
    assert not first.attendance.exists()
    with pytest.raises(ApplicationError):
        session_headcount_set(actor=None, session=first, headcount=20)
    first.refresh_from_db()
    assert first.headcount is None and first.attendance_taken_at is None


def test_the_day_begins_in_the_organizations_time_zone(now):
    peru = make_org(name="Lima NGO")
    bolivia = make_org(name="La Paz NGO")
    bolivia.country = "BO"
    bolivia.save()
    # 04:30 UTC on 8 December: 23:30 on the 7th in Lima, 00:30 on the 8th in La Paz.
    now(dt.datetime(2026, 12, 8, 4, 30, tzinfo=UTC))
    in_lima, in_la_paz = _december_course(peru), _december_course(bolivia)
    (e_lima,) = enrol(in_lima, make_person(organization=peru))
    (e_paz,) = enrol(in_la_paz, make_person(organization=bolivia))
    with pytest.raises(ApplicationError):
        attendance_record(
            actor=None, session=in_lima.sessions.get(number=1), marks={e_lima.pk: "present"}
        )
    attendance_record(
        actor=None, session=in_la_paz.sessions.get(number=1), marks={e_paz.pk: "present"}
    )
    assert clock.organization_zone(bolivia).key == "America/La_Paz"
    assert clock.organization_zone(peru).key == "America/Lima"


def test_completion_is_on_track_until_the_cohort_ends_then_final(org, now):
    now(dt.datetime(2026, 12, 20, 15, tzinfo=UTC))
    cohort = _december_course(org, sessions=2)  # 8 and 15 December
    cohort.end_date = dt.date(2026, 12, 22)
    cohort.save()
    (e,) = enrol(cohort, make_person(organization=org))
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={e.pk: "present"})
    e.refresh_from_db()
    assert e.meets_rule and not e.completed and e.completed_on is None
    assert cohort.current_status == "running"
    with pytest.raises(ApplicationError) as refused:
        certificate_issue(actor=None, enrolment=e)
    assert refused.value.code == "cohort_not_over"
    with pytest.raises(ApplicationError):
        certificates_issue_for_cohort(actor=None, cohort=cohort)
    assert not Certificate.objects.exists()

    # The end date passes: the daily finalization makes it final.
    now(dt.datetime(2026, 12, 23, 15, tzinfo=UTC))
    assert cohorts_finalize() == 1
    e.refresh_from_db()
    assert e.completed and e.completed_on == dt.date(2026, 12, 15)
    assert cohorts_finalize() == 0
    certificate = certificate_issue(actor=None, enrolment=e)
    assert certificate.issued_on == dt.date(2026, 12, 23)


def test_certificates_finalize_a_cohort_that_ended_without_the_daily_run(org, now):
    now(dt.datetime(2026, 12, 16, 15, tzinfo=UTC))
    cohort = _december_course(org, sessions=2)
    (e,) = enrol(cohort, make_person(organization=org))
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={e.pk: "present"})
    now(dt.datetime(2027, 1, 10, 15, tzinfo=UTC))
    (certificate,) = certificates_issue_for_cohort(actor=None, cohort=cohort)
    e.refresh_from_db()
    assert e.completed and certificate.enrolment_id == e.pk


def test_closing_by_hand_makes_completion_final_and_the_lineage_counts_it(org, now):
    from cascada.cascade.models import TrainingEdge

    now(dt.datetime(2026, 12, 16, 15, tzinfo=UTC))
    trainer = make_person(organization=org)
    cohort = make_cohort(
        program=make_program(owner=org),
        sessions=3,
        start=dt.date(2026, 12, 8),
        facilitators=(trainer,),
    )
    (e,) = enrol(cohort, make_person(organization=org))
    for session in cohort.sessions.filter(date__lte=dt.date(2026, 12, 16)):
        attendance_record(actor=None, session=session, marks={e.pk: "present"})
    session_22 = cohort.sessions.get(number=3)
    session_22.cancelled = True
    session_22.save()
    from cascada.trainings.services import cohort_completion_recompute

    cohort_completion_recompute(cohort=cohort)
    e.refresh_from_db()
    assert e.meets_rule and not e.completed
    assert not TrainingEdge.objects.filter(cohort=cohort).exists()

    cohort_close(actor=None, cohort=cohort)
    e.refresh_from_db()
    assert cohort.current_status == "closed" and cohort.closed_on == dt.date(2026, 12, 16)
    assert e.completed
    assert TrainingEdge.objects.filter(cohort=cohort, trainee=e.person, trainer=trainer).exists()

    cohort_reopen(actor=None, cohort=cohort)
    e.refresh_from_db()
    assert not e.completed and not TrainingEdge.objects.filter(cohort=cohort).exists()
    cohort_close(actor=None, cohort=cohort)
    certificate_issue(actor=None, enrolment=Enrolment.objects.get(pk=e.pk))
    with pytest.raises(ApplicationError):
        cohort_reopen(actor=None, cohort=cohort)


def test_a_cohort_cannot_be_closed_before_it_starts(org, now):
    now(dt.datetime(2026, 12, 1, 15, tzinfo=UTC))
    cohort = _december_course(org)
    with pytest.raises(ApplicationError):
        cohort_close(actor=None, cohort=cohort)


def test_status_follows_the_dates_and_the_lists_use_it(org, now):
    coordinator = make_user(role="coordinator", organization=org)
    cohort = _december_course(org)  # 8 December to 5 January
    cases = [
        (dt.datetime(2026, 12, 1, 15, tzinfo=UTC), "planned"),
        (dt.datetime(2026, 12, 8, 15, tzinfo=UTC), "running"),
        (dt.datetime(2027, 1, 5, 15, tzinfo=UTC), "running"),
        (dt.datetime(2027, 1, 6, 15, tzinfo=UTC), "closed"),
    ]
    for moment, status in cases:
        now(moment)
        assert cohort.current_status == status, moment
        assert list(cohort_list_filtered(user=coordinator, status=status)) == [cohort]
        others = {"planned", "running", "closed"} - {status}
        for other in others:
            assert not cohort_list_filtered(user=coordinator, status=other).exists()


def test_the_report_lists_data_entered_before_its_dates(org, now):
    coordinator = make_user(role="coordinator", organization=org)
    stranger = make_user(role="coordinator", organization=make_org(name="Ajena"))
    now(dt.datetime(2026, 12, 20, 15, tzinfo=UTC))
    cohort = _december_course(org)  # running until 5 January
    (e,) = enrol(cohort, make_person(organization=org))
    for session in cohort.sessions.filter(date__lte=dt.date(2026, 12, 20)):
        attendance_record(actor=None, session=session, marks={e.pk: "present"})
    assert date_problems(user=coordinator) == []
    # What the old code let through: attendance on 1 December for the session of the
    # 8th, completion and a certificate while the cohort runs.
    Session.objects.filter(cohort=cohort, number=1).update(
        attendance_taken_at=dt.datetime(2026, 12, 1, 15, tzinfo=UTC)
    )
    Enrolment.objects.filter(pk=e.pk).update(completed=True, completed_on=dt.date(2026, 12, 15))
    Certificate.objects.create(enrolment=e, issued_on=dt.date(2026, 12, 15))
    problems = date_problems(user=coordinator)
    kinds = sorted(p.kind for p in problems)
    assert kinds == sorted([ATTENDANCE_EARLY, COMPLETION_EARLY, CERTIFICATE_EARLY])
    early = next(p for p in problems if p.kind == ATTENDANCE_EARLY)
    assert early.done_on == dt.date(2026, 12, 1) and early.allowed_from == dt.date(2026, 12, 8)
    assert date_problems(user=stranger) == []

    # The daily run undoes the early completion; the report no longer lists it.
    cohorts_finalize()
    assert COMPLETION_EARLY not in {p.kind for p in date_problems(user=coordinator)}


def test_the_report_command_prints_the_list(org, now, capsys):
    coordinator = make_user(role="coordinator", organization=org, username="coord-dates")
    now(dt.datetime(2026, 12, 20, 15, tzinfo=UTC))
    cohort = _december_course(org, sessions=1)
    (e,) = enrol(cohort, make_person(organization=org))
    attendance_record(actor=None, session=cohort.sessions.get(), marks={e.pk: "present"})
    Session.objects.filter(cohort=cohort).update(
        attendance_taken_at=dt.datetime(2026, 12, 1, 15, tzinfo=UTC)
    )
    coordinator.language = "en"  # the command speaks its user's language
    coordinator.save(update_fields=["language"])
    call_command("date_report", "--as", coordinator.username)
    out = capsys.readouterr().out
    assert "Attendance taken before the session's day" in out and "2026-12-08" in out
