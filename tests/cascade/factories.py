"""Cascades built through the real training services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cascada.registry.models import Person
from cascada.trainings.models import Cohort, Enrolment, Program
from cascada.trainings.services import attendance_record, enrolment_create
from tests.trainings.factories import make_cohort

_n = {"cohort": 0}


def run_cohort(
    *,
    program: Program,
    facilitators: tuple[Person, ...] = (),
    kind: str = "course",
    start: dt.date = dt.date(2025, 3, 3),
    sessions: int = 1,
    **kw: Any,
) -> Cohort:
    _n["cohort"] += 1
    return make_cohort(
        program=program,
        sessions=sessions,
        kind=kind,
        facilitators=facilitators,
        start=start,
        name=f"Cohorte {_n['cohort']}",
        **kw,
    )


def complete(cohort: Cohort, *people: Person) -> list[Enrolment]:
    """Enrol people and mark them present at every session: they complete."""
    enrolments = [enrolment_create(actor=None, cohort=cohort, person=p) for p in people]
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={e.pk: "present" for e in enrolments})
    return enrolments


def enrol_only(cohort: Cohort, *people: Person) -> list[Enrolment]:
    """Enrol people and mark them absent: enrolled, not completed."""
    enrolments = [enrolment_create(actor=None, cohort=cohort, person=p) for p in people]
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={e.pk: "absent" for e in enrolments})
    return enrolments


def uncomplete(cohort: Cohort, person: Person) -> None:
    enrolment = Enrolment.objects.get(cohort=cohort, person=person)
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={enrolment.pk: "absent"})
