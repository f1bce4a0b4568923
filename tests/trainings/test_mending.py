"""Mending what was entered (issue 7): edit and remove cohorts, sessions and enrolments
through the services, with what can no longer change once attendance exists."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.trainings.models import Cohort, Enrolment, EnrolmentStatus, Session
from cascada.trainings.services import (
    attendance_record,
    cohort_delete,
    cohort_update,
    enrolment_delete,
    enrolment_withdraw,
    session_delete,
    session_update,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(org):
    # Ten weekly sessions from 2 March 2026: all in the past.
    return make_cohort(program=make_program(owner=org), sessions=10)


def _take(cohort, number, enrolment):
    session = cohort.sessions.get(number=number)
    attendance_record(actor=None, session=session, marks={enrolment.pk: "present"})
    return session


def test_a_cohort_entered_twice_is_deleted_with_an_audit_row(org, coordinator, cohort):
    enrol(cohort, make_person(organization=org))
    pk = cohort.pk
    cohort_delete(actor=coordinator, cohort=cohort)
    assert not Cohort.objects.filter(pk=pk).exists()
    assert not Session.objects.filter(cohort_id=pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", target_type="trainings.cohort", target_id=str(pk)
    ).exists()


def test_a_cohort_with_attendance_cannot_be_deleted(org, coordinator, cohort):
    (e,) = enrol(cohort, make_person(organization=org))
    _take(cohort, 1, e)
    with pytest.raises(ApplicationError) as refused:
        cohort_delete(actor=coordinator, cohort=cohort)
    assert refused.value.code == "has_attendance"
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_only_the_programs_managers_may_mend_it(org, cohort):
    stranger = make_user(role="coordinator", organization=make_org(name="Ajena"))
    with pytest.raises(PermissionDeniedError):
        cohort_update(actor=stranger, cohort=cohort, name="Otra")
    with pytest.raises(PermissionDeniedError):
        cohort_delete(actor=stranger, cohort=cohort)
    with pytest.raises(PermissionDeniedError):
        session_delete(actor=stranger, session=cohort.sessions.first())


def test_dates_of_a_cohort_with_attendance_cannot_leave_out_recorded_sessions(
    org, coordinator, cohort
):
    (e,) = enrol(cohort, make_person(organization=org))
    _take(cohort, 2, e)  # 9 March
    _take(cohort, 4, e)  # 23 March
    with pytest.raises(ApplicationError) as late_start:
        cohort_update(actor=coordinator, cohort=cohort, start_date=dt.date(2026, 3, 10))
    assert late_start.value.extra["field"] == "start_date"
    with pytest.raises(ApplicationError) as early_end:
        cohort_update(actor=coordinator, cohort=cohort, end_date=dt.date(2026, 3, 20))
    assert early_end.value.extra["field"] == "end_date"
    with pytest.raises(ApplicationError):
        cohort_update(actor=coordinator, cohort=cohort, kind="workshop")
    # Dates that keep every recorded session are fine, and so is the name.
    cohort_update(
        actor=coordinator,
        cohort=cohort,
        name="Cusco 2026",
        start_date=dt.date(2026, 3, 9),
        end_date=dt.date(2026, 3, 23),
    )
    cohort.refresh_from_db()
    assert (cohort.name, cohort.start_date) == ("Cusco 2026", dt.date(2026, 3, 9))
    with pytest.raises(ApplicationError):
        cohort_update(actor=coordinator, cohort=cohort, status="closed")


def test_a_session_without_attendance_is_deleted_and_completion_recomputed(
    org, coordinator, cohort
):
    (e,) = enrol(cohort, make_person(organization=org))
    for n in range(1, 9):
        _take(cohort, n, e)
    e.refresh_from_db()
    assert e.completed  # 8 of 10
    # Sessions 9 and 10 were duplicates: deleting one leaves 8 of 9, still 80%.
    session_delete(actor=coordinator, session=cohort.sessions.get(number=10))
    assert cohort.sessions.count() == 9
    e.refresh_from_db()
    assert e.completed and e.sessions_attended == 8


def test_a_session_with_attendance_cannot_be_deleted_moved_ahead_or_cancelled(
    org, coordinator, cohort
):
    (e,) = enrol(cohort, make_person(organization=org))
    session = _take(cohort, 1, e)
    with pytest.raises(ApplicationError):
        session_delete(actor=coordinator, session=session)
    with pytest.raises(ApplicationError) as moved:
        session_update(actor=coordinator, session=session, date=dt.date(2099, 1, 1))
    assert moved.value.extra["field"] == "date"
    with pytest.raises(ApplicationError):
        session_update(actor=coordinator, session=session, cancelled=True)
    # A correction to a day already past is allowed.
    session_update(actor=coordinator, session=session, date=dt.date(2026, 3, 3))
    session.refresh_from_db()
    assert session.date == dt.date(2026, 3, 3)


def test_an_enrolment_with_attendance_is_withdrawn_not_deleted(org, coordinator, cohort):
    kept, mistaken = enrol(cohort, make_person(organization=org), make_person(organization=org))
    _take(cohort, 1, kept)
    with pytest.raises(ApplicationError) as refused:
        enrolment_delete(actor=coordinator, enrolment=kept)
    assert refused.value.code == "has_attendance"
    enrolment_withdraw(actor=coordinator, enrolment=kept)
    kept.refresh_from_db()
    assert kept.status == EnrolmentStatus.WITHDRAWN and kept.attendance.count() == 1
    enrolment_delete(actor=coordinator, enrolment=mistaken)
    assert not Enrolment.objects.filter(pk=mistaken.pk).exists()
    assert AuditEvent.objects.filter(action="delete", target_type="trainings.enrolment").exists()
