from __future__ import annotations

import pytest

from cascada.core.errors import ApplicationError
from cascada.trainings.services import attendance_record, session_headcount_set
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


def _attend(cohort, enrolment, n, status="present"):
    for session in cohort.sessions.order_by("number")[:n]:
        attendance_record(actor=None, session=session, marks={enrolment.pk: status})


def test_eighty_percent_of_ten_sessions_completes(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=10)
    (e,) = enrol(cohort, make_person(organization=org))
    _attend(cohort, e, 7)
    e.refresh_from_db()
    assert not e.completed and e.sessions_attended == 7
    _attend(cohort, e, 8)
    e.refresh_from_db()
    assert e.completed and e.completed_on == cohort.sessions.get(number=8).date


def test_excused_does_not_count_but_makeup_does(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=5)
    (e,) = enrol(cohort, make_person(organization=org))
    _attend(cohort, e, 4, "excused")
    e.refresh_from_db()
    assert e.sessions_attended == 0
    _attend(cohort, e, 4, "makeup")
    e.refresh_from_db()
    assert e.completed


def test_headcount_and_names_are_never_both_taken(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=2)
    (e,) = enrol(cohort, make_person(organization=org))
    first, second = cohort.sessions.order_by("number")
    attendance_record(actor=None, session=first, marks={e.pk: "present"})
    with pytest.raises(ApplicationError):
        session_headcount_set(actor=None, session=first, headcount=12)
    session_headcount_set(actor=None, session=second, headcount=12)
    with pytest.raises(ApplicationError):
        attendance_record(actor=None, session=second, marks={e.pk: "present"})
