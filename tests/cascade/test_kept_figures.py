"""A whole program's figures read from the kept rows (``cascada/cascade/kept.py``) equal
the full computation over its enrolments, after every kind of write
(docs/decisions/cascade-kept-figures.md)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cascada.cascade import figures, kept
from cascada.cascade.models import CohortHeadcount, FiguresStale, ProgramPerson
from cascada.cascade.selectors import Scope, cascade_figures
from cascada.cascade.services import lineage_rebuild
from cascada.core.errors import ApplicationError
from cascada.registry.arco import person_erase
from cascada.registry.models import Person
from cascada.registry.services import consent_record, person_merge, person_update
from cascada.trainings.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus
from cascada.trainings.services import (
    cohort_delete,
    cohort_facilitator_add,
    cohort_update,
    enrolment_create,
    enrolment_delete,
    enrolment_withdraw,
    session_headcount_set,
    sessions_generate,
)
from tests.accounts.factories import make_user
from tests.cascade.conftest import _place
from tests.cascade.factories import complete, enrol_only, run_cohort
from tests.registry.factories import make_person
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 5)


@contextmanager
def _full_computation():
    """Today's computation over the enrolments, whatever the scope."""
    original = figures._program_candidate, figures._cohort_rows_candidate
    figures._program_candidate = lambda sc: False
    figures._cohort_rows_candidate = lambda sc: False
    try:
        yield
    finally:
        figures._program_candidate, figures._cohort_rows_candidate = original


def _reads_kept_rows(sc):
    """The scope is a whole program and the user sees every cohort of it."""
    sql, params = figures._hidden_cohorts_sql(sc)
    with connection.cursor() as cur:
        cur.execute(f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END", params)
        hidden = cur.fetchone()[0]
    return figures._program_candidate(sc) and not hidden


def assert_kept_equals_full(program, *users):
    for user in (None, *users):
        sc = Scope(user=user, program=program)
        assert _reads_kept_rows(sc)
        kept = cascade_figures(sc, today=TODAY)
        # The kept path was taken: the read left no mark of this program behind.
        assert not FiguresStale.objects.filter(program=program).exists()
        with _full_computation():
            full = cascade_figures(Scope(user=user, program=program), today=TODAY)
        assert kept == full, f"user {user}"
    assert_trainer_figures_exact(program, *users)
    assert_cohort_counts_exact(program)


def assert_trainer_figures_exact(program, *users):
    """Every trainer's page (contacts summed from the kept per-cohort rows, refreshed
    first) equals the full computation over the enrolments and sessions."""
    trainers = (
        CohortFacilitator.objects.filter(cohort__program=program)
        .values_list("person_id", flat=True)
        .distinct()
    )
    for trainer in Person.objects.filter(pk__in=trainers):
        for user in (None, *users):
            sc = Scope(user=user, trainer=trainer)
            if not sc.sees_people:
                continue
            kept_figures = cascade_figures(sc, today=TODAY)
            with _full_computation():
                full = cascade_figures(Scope(user=user, trainer=trainer), today=TODAY)
            assert kept_figures == full, f"trainer {trainer.code}, user {user}"


def assert_cohort_counts_exact(program):
    """Each cohort's kept counts (the home page sums them) equal its enrolments' own, as
    ``cohort_list`` counts them, once the program's marks are refreshed."""
    kept.program_refresh(program_id=program.pk)
    rows = {
        r.cohort_id: (r.enrolled, r.completed, r.headcount, r.attended)
        for r in CohortHeadcount.objects.filter(program=program)
    }
    for cohort in Cohort.objects.filter(program=program):
        enrolments = Enrolment.objects.filter(cohort=cohort)
        headcount = sum(s.headcount or 0 for s in cohort.sessions.all() if not s.cancelled)
        expected = (
            enrolments.filter(status=EnrolmentStatus.ENROLLED).count(),
            enrolments.filter(completed=True).count(),
            headcount,
            sum(e.sessions_attended for e in enrolments),
        )
        assert rows.get(cohort.pk, (0, 0, 0, 0)) == expected, f"cohort {cohort.name}"


def _consent(person, granted=True):
    consent_record(
        actor=None,
        person=person,
        purpose="aggregate_reporting",
        granted=granted,
        text_version="v1",
    )


@pytest.fixture
def places():
    lima = _place("15", "Lima", "department")
    cusco = _place("08", "Cusco", "department")
    return [
        _place("150143", "Villa María del Triunfo", "district", lima, lima),
        _place("080108", "Wanchaq", "district", cusco, cusco),
        None,
    ]


# ---------------------------------------------------------------- known writes


def test_the_program_page_reads_the_kept_rows(org, places):
    program = make_program(owner=org)
    people = [make_person(organization=org) for _ in range(3)]
    cohort = run_cohort(program=program, facilitators=(people[0],), place=places[0])
    complete(cohort, people[1], people[2])
    assert cascade_figures(Scope(program=program), today=TODAY).completed == 2
    # A kept row changed behind the marks' back shows: the page reads rows, not enrolments.
    ProgramPerson.objects.filter(program=program, person=people[1]).update(completed=False)
    assert cascade_figures(Scope(program=program), today=TODAY).completed == 1
    with _full_computation():
        assert cascade_figures(Scope(program=program), today=TODAY).completed == 2


def test_a_facilitator_who_sees_some_cohorts_gets_figures_of_those_only(org, places):
    """Not the whole program: the full computation over the cohorts she sees."""
    program = make_program(owner=org)
    rosa, a, b, c = (make_person(organization=org) for _ in range(4))
    facilitator = make_user(role="facilitator", organization=org, person=rosa)
    complete(run_cohort(program=program, facilitators=(rosa,), place=places[0]), a)
    complete(run_cohort(program=program, place=places[1]), b, c)
    sc = Scope(user=facilitator, program=program)
    assert sc.sees_people and not _reads_kept_rows(sc)
    fig = cascade_figures(sc, today=TODAY)
    assert fig.completed == 1 and fig.cohorts == 1
    with _full_computation():
        assert fig == cascade_figures(Scope(user=facilitator, program=program), today=TODAY)
    assert cascade_figures(Scope(program=program), today=TODAY).completed == 3


def test_a_write_marks_the_program_and_the_next_read_refreshes_it(org, places):
    program = make_program(owner=org)
    person = make_person(organization=org)
    cohort = run_cohort(program=program, place=places[0])
    cascade_figures(Scope(program=program), today=TODAY)
    assert not FiguresStale.objects.filter(program=program).exists()
    complete(cohort, person)
    assert FiguresStale.objects.filter(program=program, person_ref=person.pk).exists()
    assert cascade_figures(Scope(program=program), today=TODAY).completed == 1
    assert not FiguresStale.objects.filter(program=program).exists()


def test_the_schedule_sweeps_the_marks_of_programs_nobody_opens(org, places):
    """The worker's schedule (``indicators.fill.fill_due``) refreshes every marked
    program: marks do not pile up, and the kept rows are already exact for the next
    reader."""
    from cascada.indicators.fill import fill_due

    program = make_program(owner=org)
    person = make_person(organization=org)
    cohort = run_cohort(program=program, place=places[0])
    complete(cohort, person)
    assert FiguresStale.objects.filter(program=program).exists()
    fill_due(today=TODAY)
    assert not FiguresStale.objects.exists()
    row = ProgramPerson.objects.get(program=program, person=person)
    assert row.completed
    with _full_computation():
        full = cascade_figures(Scope(program=program), today=TODAY)
    assert cascade_figures(Scope(program=program), today=TODAY) == full


def test_deletions_headcounts_and_a_rebuild_keep_the_figures_exact(org, coordinator, places):
    """Deletions are told before the rows go: the marks outlive them."""
    program = make_program(owner=org)
    viewer = make_user(role="viewer", organization=org)
    n, a, b, c = (make_person(organization=org) for _ in range(4))
    for p in (a, b):
        _consent(p)
    tot = run_cohort(program=program, facilitators=(n,), kind="tot", place=places[0])
    complete(tot, a, b)
    mistake = run_cohort(program=program, facilitators=(a,), place=places[1], sessions=0)
    enrolment_create(actor=None, cohort=mistake, person=c)
    (extra,) = sessions_generate(
        actor=None, cohort=tot, count=1, pattern="weekly", start=dt.date(2025, 3, 31)
    )
    session_headcount_set(actor=None, session=extra, headcount=30)
    assert_kept_equals_full(program, coordinator, viewer)
    assert cascade_figures(Scope(program=program), today=TODAY).contacts == 32
    enrolment_delete(actor=None, enrolment=Enrolment.objects.get(cohort=mistake, person=c))
    assert_kept_equals_full(program, coordinator, viewer)
    enrolment_create(actor=None, cohort=mistake, person=c)
    assert_kept_equals_full(program, coordinator, viewer)
    cohort_delete(actor=None, cohort=mistake)
    session_headcount_set(actor=None, session=extra, headcount=None)
    assert_kept_equals_full(program, coordinator, viewer)
    assert cascade_figures(Scope(program=program), today=TODAY).enrolled == 2
    ProgramPerson.objects.all().delete()  # a bulk load that bypassed the services
    lineage_rebuild()
    assert_kept_equals_full(program, coordinator, viewer)


def test_a_person_enrolled_by_mistake_can_still_be_removed(org, coordinator, places):
    """A kept row is derived: it never keeps a person from being removed."""
    from cascada.registry.services import person_delete

    program = make_program(owner=org)
    person = make_person(organization=org)
    cohort = run_cohort(program=program, place=places[0], sessions=0)
    enrolment = enrolment_create(actor=None, cohort=cohort, person=person)
    assert cascade_figures(Scope(program=program), today=TODAY).enrolled == 1
    enrolment_delete(actor=None, enrolment=enrolment)
    person_delete(actor=None, person=person)
    assert_kept_equals_full(program, coordinator)
    assert cascade_figures(Scope(program=program), today=TODAY).enrolled == 0


def test_a_trainer_moving_up_a_generation_moves_the_cohorts_she_runs(org, coordinator, places):
    """B completes a cohort of N's: her own workshop now delivers generation 2, not 3,
    though nobody in it was part of the write (the lineage's levels mark it)."""
    program = make_program(owner=org)
    n, a, b, c = (make_person(organization=org) for _ in range(4))
    complete(run_cohort(program=program, facilitators=(n,), kind="tot", place=places[0]), a)
    complete(run_cohort(program=program, facilitators=(a,), kind="tot", place=places[0]), b)
    workshop = run_cohort(program=program, facilitators=(b,), place=places[1])
    complete(workshop, c)
    assert cascade_figures(Scope(program=program), today=TODAY).by_level[3] == [1, 1]
    complete(run_cohort(program=program, facilitators=(n,), kind="tot", place=places[0]), b)
    assert_kept_equals_full(program, coordinator)
    assert 3 not in cascade_figures(Scope(program=program), today=TODAY).by_level


def test_closing_a_running_cohort_counts_its_completers(org, coordinator, places):
    """Completion made final by closing the cohort: news of completions alone (no
    ``cohorts_changed``) marks the people."""
    from django.utils import timezone

    from cascada.trainings.services import cohort_close

    program = make_program(owner=org)
    n, a, b = (make_person(organization=org) for _ in range(3))
    today = timezone.localdate()
    running = run_cohort(
        program=program,
        facilitators=(n,),
        kind="tot",
        place=places[1],
        start=today - dt.timedelta(days=7),
        end_date=today + dt.timedelta(days=30),
    )
    complete(running, a, b)
    assert cascade_figures(Scope(program=program), today=TODAY).completed == 0
    cohort_close(actor=None, cohort=running)
    assert_kept_equals_full(program, coordinator)
    assert cascade_figures(Scope(program=program), today=TODAY).completed == 2


def test_merging_two_records_enrolled_in_one_cohort_counts_one_enrolment(org, coordinator, places):
    """The duplicate's enrolment in a cohort the kept record is also in goes away with the
    merge (no news of the cohort's own): the cohort's kept counts follow."""
    program = make_program(owner=org)
    a, b = (make_person(organization=org) for _ in range(2))
    cohort = run_cohort(program=program, place=places[0], sessions=0)
    for person in (a, b):
        enrolment_create(actor=None, cohort=cohort, person=person)
    assert_kept_equals_full(program, coordinator)
    assert CohortHeadcount.objects.get(cohort=cohort).enrolled == 2
    person_merge(actor=None, keep=a, duplicate=b)
    assert_kept_equals_full(program, coordinator)
    assert CohortHeadcount.objects.get(cohort=cohort).enrolled == 1


def test_a_trainers_page_read_right_after_a_write_counts_it(org, coordinator, places):
    """A trainer's contacts are sums of the kept per-cohort rows: the programs her scope
    touches are refreshed first when writes left marks, with no program page read between."""
    program = make_program(owner=org)
    n, a, b = (make_person(organization=org) for _ in range(3))
    cohort = run_cohort(program=program, facilitators=(n,), place=places[0], sessions=3)
    complete(cohort, a)
    first = cascade_figures(Scope(user=coordinator, trainer=n), today=TODAY)
    assert first.contacts == 3
    complete(cohort, b)
    (extra,) = sessions_generate(
        actor=None, cohort=cohort, count=1, pattern="weekly", start=dt.date(2025, 3, 31)
    )
    session_headcount_set(actor=None, session=extra, headcount=12)
    assert FiguresStale.objects.filter(program=program).exists()
    after = cascade_figures(Scope(user=coordinator, trainer=n), today=TODAY)
    assert after.contacts == 6 + 12
    with _full_computation():
        assert after == cascade_figures(Scope(user=coordinator, trainer=n), today=TODAY)


# ---------------------------------------------------------------- property test

WRITES = [
    "complete",  # attendance that makes people complete
    "complete",
    "complete",
    "enrol",  # enrolled, absent: does not complete
    "withdraw",
    "merge",
    "erase",
    "move",  # the cohort's place edited
    "consent_withdrawn",
    "consent_granted",
    "sex",  # sex corrected
    "birth_year",
    "facilitate",  # a facilitator added: cohort levels move
]

steps_strategy = st.lists(
    st.tuples(st.sampled_from(WRITES), st.integers(0, 3), st.integers(0, 6), st.integers(0, 6)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    facilitators=st.lists(st.sets(st.integers(0, 6), max_size=2), min_size=4, max_size=4),
    steps=steps_strategy,
    read_between=st.booleans(),
)
def test_kept_figures_equal_the_full_computation_after_random_writes(
    org, coordinator, places, facilitators, steps, read_between
):
    with transaction.atomic():
        _random_writes(org, coordinator, places, facilitators, steps, read_between)
        transaction.set_rollback(True)  # each example starts from an empty database


def _random_writes(org, coordinator, places, facilitators, steps, read_between):
    program = make_program(owner=org, name=f"P{len(steps)}")
    viewer = make_user(role="viewer", organization=org)
    people = [
        make_person(
            organization=org, sex="female" if i % 3 == 0 else "male", birth_year=1960 + 9 * i
        )
        for i in range(7)
    ]
    for p in people[::2]:
        _consent(p)
    cohorts = [
        run_cohort(
            program=program,
            facilitators=tuple(people[i] for i in fs),
            kind="tot" if k < 2 else "course",
            place=places[k % len(places)],
        )
        for k, fs in enumerate(facilitators)
    ]
    for what, c, p, q in steps:
        cohort, person, other = cohorts[c], people[p], people[q]
        person.refresh_from_db()
        other.refresh_from_db()
        try:
            with transaction.atomic():
                _write(what, cohort, person, other, places)
        except ApplicationError:
            pass  # refused (a merged or erased record, a facilitator enrolled): no write
        if read_between:
            assert_kept_equals_full(program, coordinator)
    assert_kept_equals_full(program, coordinator, viewer)


def _write(what, cohort, person, other, places):
    enrolment = Enrolment.objects.filter(cohort=cohort, person=person).first()
    if what == "complete":
        complete(cohort, person)
    elif what == "enrol":
        enrol_only(cohort, person)
    elif what == "withdraw" and enrolment is not None:
        enrolment_withdraw(actor=None, enrolment=enrolment)
    elif what == "merge":
        person_merge(actor=None, keep=person, duplicate=other)
    elif what == "erase":
        person_erase(actor=None, person=person, reason="holder_request")
    elif what == "move":
        cohort_update(actor=None, cohort=cohort, place=places[(places.index(cohort.place) + 1) % 3])
    elif what == "consent_withdrawn":
        _consent(person, granted=False)
    elif what == "consent_granted":
        _consent(person, granted=True)
    elif what == "sex":
        person_update(actor=None, person=person, sex="male" if person.sex == "female" else "female")
    elif what == "birth_year":
        year = 2010 if person.birth_year != 2010 else 1955  # under 18, or 60 and over
        person_update(actor=None, person=person, birth_year=year)
    elif what == "facilitate" and enrolment is None:
        cohort_facilitator_add(actor=None, cohort=cohort, person=person)
