"""Recording the last session of a course where everybody completes, at national scale:
the same write where nobody completes is the reference, in the same run, on the same
synthetic country.

Run by ``python -m benchmarks`` (``--only attendance`` for this table alone). A trainer of
the third generation of the largest synthetic program (so the lineage above and below is
real) runs a new three-session course of ``people`` new participants (20 by default); the
first two sessions are recorded with everybody present. Then the last session is recorded:

- (a) everybody present: everybody completes, the training edges and the lineage move
  (one ``completions_changed`` event for the whole write);
- (b) everybody absent: nobody completes (the reference).

Each run builds its course inside a transaction and rolls it back, so a reused bench
database stays the same; the runs of (a) and (b) are interleaved. Targets (issue 8): (a)
at most 30 queries and at most 3 times the time of (b).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from benchmarks.table import print_boxed


class _Rollback(Exception):
    pass


def _course(program: Any, trainer: Any, people: int) -> tuple[Any, dict[int, str]]:
    """A course of ``people`` new men whose first two sessions are recorded: the last
    session, and the enrolments' marks to come."""
    from cascada.registry.models import Person
    from cascada.trainings import services as trainings

    cohort = trainings.cohort_create(
        actor=None,
        program=program,
        name="Bench asistencia",
        kind="course",
        start_date=dt.date(2026, 9, 7),
        facilitators=[trainer],
    )
    trainings.sessions_generate(actor=None, cohort=cohort, count=3, pattern="weekly")
    men = Person.objects.bulk_create(
        Person(organization_id=program.owner_id, sex="male") for _ in range(people)
    )
    enrolments = [trainings.enrolment_create(actor=None, cohort=cohort, person=p) for p in men]
    *first, last = list(cohort.sessions.order_by("number"))
    for session in first:
        trainings.attendance_record(
            actor=None, session=session, marks={e.pk: "present" for e in enrolments}
        )
    return last, {e.pk: "present" for e in enrolments}


def _one(program: Any, trainer: Any, people: int, status: str) -> tuple[float, int, int]:
    """One timed write in a rolled-back transaction: (ms, queries, completions)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from cascada.trainings.models import Enrolment
    from cascada.trainings.services import attendance_record

    out: tuple[float, int, int] = (0.0, 0, 0)
    try:
        with transaction.atomic():
            last, marks = _course(program, trainer, people)
            marks = dict.fromkeys(marks, status)
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                attendance_record(actor=None, session=last, marks=marks)
                ms = (time.perf_counter() - t) * 1000
            done = Enrolment.objects.filter(cohort=last.cohort, completed=True).count()
            out = (ms, len(queries), done)
            raise _Rollback
    except _Rollback:
        pass
    return out


def run(*, tag: str, repeat: int, people: int = 20) -> tuple[list[tuple[str, ...]], dict]:
    from django.db.models import Count

    from cascada.cascade.models import Lineage
    from cascada.registry.models import Person
    from cascada.trainings.models import Program

    program = (
        Program.objects.filter(owner__name__startswith=tag)
        .annotate(n=Count("cohorts"))
        .order_by("-n")
        .first()
    )
    assert program is not None, "no synthetic country in this database"
    lineage = (
        Lineage.objects.filter(program=program, generation=3).order_by("person_id").first()
        or Lineage.objects.filter(program=program).order_by("-generation").first()
    )
    trainer = Person.objects.get(pk=lineage.person_id)
    _one(program, trainer, people, "present")  # warm-up
    present, absent = [], []
    for _ in range(repeat):
        present.append(_one(program, trainer, people, "present"))
        absent.append(_one(program, trainer, people, "absent"))
    assert {p[2] for p in present} == {people} and {a[2] for a in absent} == {0}
    ms_a = statistics.median(p[0] for p in present)
    ms_b = statistics.median(a[0] for a in absent)
    q_a, q_b = present[-1][1], absent[-1][1]
    rows = [
        (
            f"(a) last session, all {people} present: all complete",
            f"{ms_a:.1f}",
            str(q_a),
            f"{ms_a / ms_b:.2f} × (b)",
        ),
        (f"(b) last session, all {people} absent: nobody completes", f"{ms_b:.1f}", str(q_b), ""),
    ]
    facts = {
        "program": program.name,
        "generation": lineage.generation,
        "ok": q_a <= 30 and ms_a <= 3 * ms_b,
        "people": people,
    }
    return rows, facts


def print_table(rows: list[tuple[str, ...]], *, people: int, repeat: int, facts: dict) -> None:
    from django.db import connection

    print()
    print(
        f"Attendance where everybody completes: {people:,} people in the country, "
        f"{connection.vendor}, median of {repeat} (interleaved, each in a rolled-back "
        f"transaction); a trainer of generation {facts['generation']} of "
        f"{facts['program']} runs a course of {facts['people']}; "
        "targets: (a) at most 30 queries and 3 × (b)"
    )
    print_boxed(("measure", "ms", "queries", "ratio"), rows)
    print(f"targets {'met' if facts['ok'] else 'NOT met'}", flush=True)
