"""A closed cohort takes no enrolments (docs/decisions/trainings.md, "Time rules"): not by
the picker, the API or registering at a session; records of the past (an enrolment with
its date, the importer's historical rows) and the system's builders still work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.formats import date_format

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError
from cascada.imports.services import import_run
from cascada.registry.models import Person
from cascada.trainings import clock
from cascada.trainings.models import Enrolment
from cascada.trainings.services import (
    cohort_close,
    enrolment_create,
    enrolment_withdraw,
    participant_register,
)
from tests.imports.factories import csv_bytes, stream
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def running(program, **kw):
    """Two sessions already held, ends in a month: running today."""
    return make_cohort(
        program=program,
        sessions=2,
        start=TODAY - dt.timedelta(days=14),
        end_date=TODAY + dt.timedelta(days=30),
        **kw,
    )


def ended(program, **kw):
    """Two sessions, the last one fifty days ago: closed by its end date."""
    return make_cohort(program=program, sessions=2, start=TODAY - dt.timedelta(days=57), **kw)


@pytest.fixture
def program(org):
    return make_program(owner=org)


@pytest.fixture
def man(org):
    return make_person(organization=org, given_name="Aurelio", family_name="Quispe")


def refused(coordinator, cohort, man, **kw) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        enrolment_create(actor=coordinator, cohort=cohort, person=man, **kw)
    return caught.value


def nothing_written(cohort, man):
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    assert not Enrolment.objects.filter(person=man).exists()
    assert not AuditEvent.objects.filter(action="enrol").exists()


def test_a_cohort_past_its_end_date_refuses_a_new_enrolment_and_writes_nothing(
    coordinator, program, man
):
    cohort = ended(program)
    assert clock.cohort_status(cohort) == clock.CLOSED
    error = refused(coordinator, cohort, man)
    assert error.code == "cohort_closed" and error.extra["field"] == "person"
    assert str(error.message) == (
        f"This cohort ended on {date_format(cohort.end_date, 'DATE_FORMAT')}: "
        "nobody can be enrolled in it any more."
    )
    nothing_written(cohort, man)


def test_a_cohort_closed_by_hand_refuses_before_its_end_date(coordinator, program, man):
    cohort = running(program)
    cohort_close(actor=coordinator, cohort=cohort, on=TODAY)
    assert refused(coordinator, cohort, man).code == "cohort_closed"
    nothing_written(cohort, man)


def test_a_running_cohort_still_takes_enrolments(coordinator, program, man):
    cohort = running(program)
    enrolment = enrolment_create(actor=coordinator, cohort=cohort, person=man)
    assert enrolment.cohort == cohort and enrolment.status == "enrolled"


def test_a_withdrawn_man_is_not_reinstated_once_the_cohort_is_closed(coordinator, program, man):
    cohort = running(program)
    enrolment = enrolment_withdraw(
        actor=coordinator,
        enrolment=enrolment_create(actor=coordinator, cohort=cohort, person=man),
    )
    cohort_close(actor=coordinator, cohort=cohort, on=TODAY)
    assert refused(coordinator, cohort, man).code == "cohort_closed"
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"


def test_enrolling_again_someone_already_enrolled_returns_his_enrolment(coordinator, program, man):
    cohort = running(program)
    enrolment = enrolment_create(actor=coordinator, cohort=cohort, person=man)
    cohort_close(actor=coordinator, cohort=cohort, on=TODAY)
    assert enrolment_create(actor=coordinator, cohort=cohort, person=man) == enrolment


def test_an_enrolment_with_its_date_records_the_past(coordinator, program, man, org):
    """Historical records: dated within the cohort, they are written; after its last
    day, refused as the importer's dry run refuses them."""
    cohort = ended(program)
    enrolment = enrolment_create(
        actor=coordinator, cohort=cohort, person=man, enrolled_on=cohort.start_date
    )
    assert enrolment.enrolled_on == cohort.start_date
    late = make_person(organization=org)
    error = refused(coordinator, cohort, late, enrolled_on=cohort.end_date + dt.timedelta(days=1))
    assert error.code == "enrolled_after_end" and error.extra["field"] == "enrolled_on"
    assert not Enrolment.objects.filter(person=late).exists()


def test_the_system_still_builds_past_cohorts(program, man):
    """The demo, the synthetic data and the test builders enrol as ``actor=None``."""
    cohort = ended(program)
    [enrolment] = enrol(cohort, man)
    assert enrolment.cohort == cohort


def test_registering_a_man_into_a_closed_cohort_creates_nobody(coordinator, program):
    cohort = ended(program)
    before = Person.objects.count()
    with pytest.raises(ApplicationError) as caught:
        participant_register(
            actor=coordinator,
            cohort=cohort,
            given_name="Jorge",
            family_name="Espinoza",
            age=30,
            participation_consent=True,
            consent_text_version="v2-2026",
        )
    assert caught.value.code == "cohort_closed"
    assert Person.objects.count() == before
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_importing_dated_enrolments_into_a_past_cohort_still_works(coordinator, org, program):
    cohort = ended(program)
    people = [make_person(organization=org) for _ in range(2)]
    data = csv_bytes(
        [
            ["codigo", "cohorte", "fecha_inscripcion"],
            *[[p.code, cohort.pk, cohort.start_date.isoformat()] for p in people],
        ]
    )
    report = import_run(
        actor=coordinator, organization=org, kind="enrolments", stream=stream(data), commit=True
    )
    assert report.written and report.created == 2
    assert Enrolment.objects.filter(cohort=cohort).count() == 2


def test_an_undated_import_row_into_a_closed_cohort_is_refused_in_the_dry_run(
    coordinator, org, program
):
    """Without its date the row would be an enrolment made today: the dry run names the
    row and the column (before the commit is offered), and nothing is written."""
    cohort = ended(program)
    people = [make_person(organization=org) for _ in range(2)]
    data = csv_bytes([["codigo", "cohorte"], *[[p.code, cohort.pk] for p in people]])
    for commit in (False, True):
        report = import_run(
            actor=coordinator, organization=org, kind="enrolments", stream=stream(data),
            commit=commit,
        )  # fmt: skip
        assert not report.written
        assert {(e["row"], e["column"], e["code"]) for e in report.errors} == {
            (2, "fecha_inscripcion", "closed_without_date"),
            (3, "fecha_inscripcion", "closed_without_date"),
        }
    assert not Enrolment.objects.filter(cohort=cohort).exists()
