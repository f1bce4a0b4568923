from __future__ import annotations

import datetime as dt
from typing import Any

from cascada.registry.models import Organization, Person
from cascada.trainings.models import Cohort, Enrolment, Program
from cascada.trainings.services import (
    cohort_create,
    enrolment_create,
    program_create,
    sessions_generate,
)


def make_program(*, owner: Organization, name: str = "Hombres de Miércoles", **kw: Any) -> Program:
    return program_create(actor=None, owner=owner, name=name, **kw)


def make_cohort(
    *,
    program: Program,
    sessions: int = 10,
    kind: str = "course",
    facilitators: tuple[Person, ...] = (),
    start: dt.date = dt.date(2026, 3, 2),
    name: str = "Cohorte",
    **kw: Any,
) -> Cohort:
    cohort = cohort_create(
        actor=None,
        program=program,
        name=name,
        kind=kind,
        start_date=start,
        facilitators=facilitators,
        **kw,
    )
    if sessions:
        sessions_generate(actor=None, cohort=cohort, count=sessions, pattern="weekly")
    return cohort


def enrol(cohort: Cohort, *people: Person) -> list[Enrolment]:
    return [enrolment_create(actor=None, cohort=cohort, person=p) for p in people]
