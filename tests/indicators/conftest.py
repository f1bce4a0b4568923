"""A hand-built program whose every figure is known (tests/indicators/*).

Program "Hombres de Miércoles" of Manuela Ramos:

- cohort A, a training of trainers (generation 1) in Lima (Cercado), two sessions in
  January 2025: a1, a2 (a woman), a3 complete; a4 is enrolled and absent. a1, a2, a3 are
  certified trainers; a3 did not consent to aggregate reporting.
- cohort B, a course (generation 2) in Huamanga (Ayacucho) run by a1, two sessions in
  April 2025: b1, b2, b4, b5 complete; b3 is enrolled and absent; b5 did not consent.

So: 9 people enrolled (7 consenting), 7 completed (5 consenting); 3 trainers trained, 1
replicating (a1); contacts 6 in January and 8 in April; people attending 3 and 4.
GEM Scale in cohort B: baseline and endline of b1 (40 → 50), b2 (50 → 48), b4 (30 → 42);
DHS items: at baseline b1 and b2 justify (of 3), at endline b2 (of 3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cascada.indicators.fill import fill_due
from cascada.measurement import services as measurement
from cascada.measurement.models import Instrument, RoundKind
from cascada.registry.models import Place
from cascada.trainings.services import attendance_record, enrolment_create
from tests.cascade.factories import run_cohort
from tests.registry.factories import consent_to_reporting, ensure_places, make_person
from tests.trainings.factories import make_program

JAN, APR = dt.date(2025, 1, 6), dt.date(2025, 4, 7)


def attend(cohort: Any, present: list[Any], absent: list[Any] = ()) -> None:  # type: ignore[assignment]
    enrolments = {
        p.pk: enrolment_create(actor=None, cohort=cohort, person=p, enrolled_on=cohort.start_date)
        for p in [*present, *absent]
    }
    for session in cohort.sessions.all():
        marks = {enrolments[p.pk].pk: "present" for p in present}
        marks.update({enrolments[p.pk].pk: "absent" for p in absent})
        attendance_record(actor=None, session=session, marks=marks)


def sheet(total: int) -> dict[str, str]:
    from tests.measurement.test_analysis import sheet as gem_sheet

    return gem_sheet(total)


def dhs(justifies: bool) -> dict[str, str]:
    from cascada.measurement.shipped import DHS_REASONS

    answers = {code: "no" for code, *_ in DHS_REASONS}
    if justifies:
        answers["dhs_burns_food"] = "yes"
    return answers


@pytest.fixture
def world(org) -> dict[str, Any]:
    ensure_places()
    lima = Place.objects.get(country="PE", code="150101")
    huamanga = Place.objects.get(country="PE", code="050101")
    program = make_program(owner=org)
    trainer = make_person(organization=org, given_name="Rosa", sex="female")
    a = [
        make_person(organization=org, sex="male", birth_year=1990),
        make_person(organization=org, sex="female", birth_year=1985),
        make_person(organization=org, sex="male", birth_year=2000),
        make_person(organization=org, sex="male", birth_year=1970),
    ]
    b = [make_person(organization=org, sex="male", birth_year=1995) for _ in range(5)]
    consent_to_reporting(trainer, a[0], a[1], a[3], b[0], b[1], b[2], b[3])
    tot = run_cohort(
        program=program, facilitators=(trainer,), kind="tot", start=JAN, sessions=2, place=lima
    )
    attend(tot, [a[0], a[1], a[2]], [a[3]])
    course = run_cohort(
        program=program, facilitators=(a[0],), kind="course", start=APR, sessions=2, place=huamanga
    )
    attend(course, [b[0], b[1], b[3], b[4]], [b[2]])
    gem = Instrument.objects.get(code="gem", organization=None).versions.get()
    dhs_version = Instrument.objects.get(code="dhs-wife-beating", organization=None).versions.get()
    for version, before, after in (
        (
            gem,
            {0: sheet(40), 1: sheet(50), 3: sheet(30)},
            {0: sheet(50), 1: sheet(48), 3: sheet(42)},
        ),
        (
            dhs_version,
            {0: dhs(True), 1: dhs(True), 3: dhs(False)},
            {0: dhs(False), 1: dhs(True), 3: dhs(False)},
        ),
    ):
        for kind, day, answers in (
            (RoundKind.BASELINE, APR, before),
            (RoundKind.ENDLINE, dt.date(2025, 6, 2), after),
        ):
            survey = measurement.round_create(
                actor=None, cohort=course, version=version, kind=kind, opens_on=day
            )
            for n, sheet_answers in answers.items():
                measurement.response_record(
                    actor=None, survey=survey, person=b[n], answers=sheet_answers, consent=True
                )
    return {
        "program": program,
        "org": org,
        "a": a,
        "b": b,
        "tot": tot,
        "course": course,
        "lima": lima,
        "huamanga": huamanga,
        "trainer": trainer,
    }


@pytest.fixture
def filled(world) -> dict[str, Any]:
    fill_due(today=dt.date(2025, 12, 31))
    return world
