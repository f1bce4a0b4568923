"""Recording the last session of a course where 20 people complete moves the lineage once
for the whole write (one ``completions_changed`` event), not once per completion."""

from __future__ import annotations

import pytest

from cascada.cascade.models import Lineage, TrainingEdge
from cascada.trainings.hooks import completions_changed, facilitators_changed
from cascada.trainings.models import Enrolment
from cascada.trainings.services import attendance_record, enrolment_create
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db


def _last_session_pending(people: int, name: str):
    org = make_org(name=name)
    trainer = make_person(organization=org, given_name="Rosa")
    cohort = make_cohort(
        program=make_program(owner=org), sessions=3, facilitators=(trainer,), name="Réplica"
    )
    enrolments = [
        enrolment_create(actor=None, cohort=cohort, person=make_person(organization=org))
        for _ in range(people)
    ]
    *first, last = list(cohort.sessions.order_by("number"))
    for session in first:
        attendance_record(actor=None, session=session, marks={e.pk: "present" for e in enrolments})
    return cohort, trainer, enrolments, last


def test_twenty_completions_are_one_piece_of_news_and_at_most_30_queries(
    monkeypatch, django_assert_max_num_queries
):
    cohort, trainer, enrolments, last = _last_session_pending(20, "Manuela Ramos")
    events = []
    monkeypatch.setattr(
        completions_changed, "_receivers", [events.append, *completions_changed._receivers]
    )
    # The target: at most 30 queries for the whole write (409 before the lineage
    # moved in one pass, 70 while the completion rule still read attendance per person),
    # the UPDATE that marks the program's indicators for refilling included (issue 14:
    # in the write's transaction, so that a mark is never lost; 29 queries in all).
    with django_assert_max_num_queries(30):
        attendance_record(actor=None, session=last, marks={e.pk: "present" for e in enrolments})
    assert len(events) == 1 and len(events[0].gained) == 20
    assert TrainingEdge.objects.filter(cohort=cohort, trainer=trainer).count() == 20
    assert Lineage.objects.filter(person__in=[e.person for e in enrolments]).count() == 20
    assert set(Enrolment.objects.filter(cohort=cohort).values_list("completed", flat=True)) == {
        True
    }


def test_the_same_write_where_nobody_completes_moves_nothing(django_assert_max_num_queries):
    cohort, _trainer, enrolments, last = _last_session_pending(20, "Cantera")
    # No lineage work at all; one UPDATE marks the program's indicators (issue 14).
    with django_assert_max_num_queries(12):
        attendance_record(actor=None, session=last, marks={e.pk: "absent" for e in enrolments})
    assert TrainingEdge.objects.filter(cohort=cohort).count() == 0
    assert set(
        Enrolment.objects.filter(cohort=cohort).values_list("sessions_attended", flat=True)
    ) == {2}


def test_three_facilitators_named_at_once_move_the_lineage_once(monkeypatch):
    org = make_org(name="Cantera")
    trainers = [make_person(organization=org, given_name=n) for n in ("Rosa", "Luis", "Ana")]
    events = []
    monkeypatch.setattr(
        facilitators_changed, "_receivers", [events.append, *facilitators_changed._receivers]
    )
    cohort = make_cohort(program=make_program(owner=org), sessions=1, facilitators=tuple(trainers))
    assert len(events) == 1
    assert set(events[0].added) == {t.pk for t in trainers}
    assert set(cohort.facilitations.values_list("person_id", flat=True)) == {t.pk for t in trainers}
