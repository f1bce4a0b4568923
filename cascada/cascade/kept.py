"""A program's figures kept as rows (docs/decisions/cascade-kept-figures.md).

``cascade_figures`` for a whole program reads ``ProgramPerson`` (one row per person in the
program) and ``CohortHeadcount`` instead of every enrolment and session of the program;
the home page sums ``CohortHeadcount``'s enrolled and completed counts per program
(``cohort_totals_by_program``) instead of every enrolment.

Kept exact in two steps:

1. **Marks, in the write's transaction.** Every write that changes what a program's
   figures count leaves a ``FiguresStale`` mark through the hooks the cascade already
   hears (``receivers.py``): ``trainings.cohorts_changed`` (enrolment, withdrawal,
   attendance, headcount, sessions, a cohort's place or kind: the cohort and everyone
   enrolled in it), ``trainings.completions_changed`` (the people whose completion moved),
   the lineage's cohort levels (``services._levels_refresh``: the cohorts whose level may
   have moved), ``registry.people_changed`` (sex, birth year, consent), ``person_merged``
   and ``person_erased`` (the people, in every program they are in), ``lineage_rebuild``
   (every program, whole). One set-based statement per write.
2. **Refresh, on the next read** (``program_refresh``): the marks of the program are
   claimed and exactly those rows are recomputed from the trainings tables, under a lock
   on the program row so that two readers never refresh the same rows at once.

Why not recompute in the hook itself: several writes tell their news before the write is
over (a deleted enrolment or cohort is announced before it is deleted; attendance's
``sessions_attended`` is written after ``cohorts_changed``), and the attendance write's
query budget (``tests/cascade/test_lineage_one_pass.py``) has room for one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Value, When

from cascada.accounts.roles import Cap
from cascada.registry.models import Person, Place
from cascada.trainings import clock
from cascada.trainings.models import Cohort, Enrolment, Program, Session
from cascada.trainings.selectors import cohorts_visible_q

from .models import CohortHeadcount, CohortLevel, FiguresStale, ProgramPerson

CHUNK = 900  # ids per IN (...) list: safe on SQLite's variable limit
WHOLE = 5000  # above this many people to refresh, refresh the whole program


def _t() -> dict[str, str]:
    q = connection.ops.quote_name
    return {
        "st": q(FiguresStale._meta.db_table),
        "pp": q(ProgramPerson._meta.db_table),
        "hc": q(CohortHeadcount._meta.db_table),
        "en": q(Enrolment._meta.db_table),
        "co": q(Cohort._meta.db_table),
        "se": q(Session._meta.db_table),
        "pe": q(Person._meta.db_table),
        "pl": q(Place._meta.db_table),
        "lv": q(CohortLevel._meta.db_table),
        "pr": q(Program._meta.db_table),
    }


def _execute(sql: str, params: Iterable[Any] = ()) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))


def _marks(ids: Iterable[int]) -> tuple[str, list[int]]:
    ids = sorted({int(i) for i in ids})
    return ", ".join(["%s"] * len(ids)), ids


# ---------------------------------------------------------------- marks (writes)


def mark_cohorts(cohort_ids: Iterable[int]) -> None:
    """The cohorts and everyone enrolled in them: one INSERT ... SELECT."""
    marks, ids = _marks(cohort_ids)
    if not ids:
        return
    t = _t()
    # A cohort without enrolments is marked too (its headcounts). Marks are never
    # skipped as already pending: a reader may be refreshing that mark from the data
    # before this write commits (docs/decisions/cascade-kept-figures.md).
    _execute(
        f"INSERT INTO {t['st']} (program_id, cohort_ref, person_ref) "  # noqa: S608
        f"SELECT c.program_id, c.id, e.person_id FROM {t['co']} c "
        f"LEFT JOIN {t['en']} e ON e.cohort_id = c.id WHERE c.id IN ({marks})",
        ids,
    )


def mark_cohort_people(*, cohort_id: int, person_ids: Iterable[int]) -> None:
    """Some people of one cohort (their completion moved): one INSERT ... SELECT."""
    marks, ids = _marks(person_ids)
    if not ids:
        return
    t = _t()
    _execute(
        f"INSERT INTO {t['st']} (program_id, cohort_ref, person_ref) "  # noqa: S608
        f"SELECT c.program_id, c.id, e.person_id FROM {t['en']} e "
        f"JOIN {t['co']} c ON c.id = e.cohort_id "
        f"WHERE e.cohort_id = %s AND e.person_id IN ({marks})",
        [cohort_id, *ids],
    )


def mark_people(person_ids: Iterable[int]) -> None:
    """People in every program they are enrolled in or were counted in (merged away)."""
    marks, ids = _marks(person_ids)
    if not ids:
        return
    t = _t()
    _execute(
        f"INSERT INTO {t['st']} (program_id, cohort_ref, person_ref) "  # noqa: S608
        f"SELECT c.program_id, c.id, e.person_id FROM {t['en']} e "
        f"JOIN {t['co']} c ON c.id = e.cohort_id WHERE e.person_id IN ({marks}) "
        f"UNION SELECT k.program_id, NULL, k.person_id FROM {t['pp']} k "
        f"WHERE k.person_id IN ({marks})",
        ids + ids,
    )


def mark_everything() -> None:
    """Every program, whole (a rebuild of the lineage, a bulk load)."""
    t = _t()
    _execute(f"INSERT INTO {t['st']} (program_id) SELECT id FROM {t['pr']}")  # noqa: S608


# ---------------------------------------------------------------- refresh (reads)


def _people_sql(where: str) -> str:
    """What ``cascade_figures``' first query groups by, per (program, person), over the
    enrolments still ``enrolled``; attendance over all of them."""
    t = _t()
    enrolled = "e.status = 'enrolled'"
    done = f"{enrolled} AND e.completed"
    return f"""
        INSERT INTO {t["pp"]} (program_id, person_id, enrolled, level, completed,
            department_id, sex, birth_year, reporting_consent, attended)
        SELECT c.program_id, e.person_id,
          MAX(CASE WHEN {enrolled} THEN 1 ELSE 0 END) = 1,
          COALESCE(MIN(CASE WHEN {done} THEN COALESCE(l.generation, 1) END),
                   MIN(CASE WHEN {enrolled} THEN COALESCE(l.generation, 1) END), 1),
          MAX(CASE WHEN {done} THEN 1 ELSE 0 END) = 1,
          COALESCE(MIN(CASE WHEN {done} THEN cp.department_id END),
                   MIN(CASE WHEN {enrolled} THEN cp.department_id END)),
          MIN(p.sex), MIN(p.birth_year),
          MAX(CASE WHEN p.reporting_consent THEN 1 ELSE 0 END) = 1,
          COALESCE(SUM(e.sessions_attended), 0)
        FROM {t["en"]} e JOIN {t["co"]} c ON c.id = e.cohort_id
        JOIN {t["pe"]} p ON p.id = e.person_id
        LEFT JOIN {t["pl"]} cp ON cp.id = c.place_id
        LEFT JOIN {t["lv"]} l ON l.cohort_id = e.cohort_id
        WHERE {where}
        GROUP BY c.program_id, e.person_id
    """  # noqa: S608


def _cohort_counts_sql(where: str) -> str:
    """One row per cohort: headcounts of sessions not cancelled (``%s`` is False), its
    enrolments still ``enrolled`` and its completed ones, as ``cohort_list`` counts them,
    and ``sessions_attended`` summed over all its enrolments (named contacts)."""
    t = _t()
    return f"""
        INSERT INTO {t["hc"]} (cohort_id, program_id, headcount, enrolled, completed, attended)
        SELECT c.id, c.program_id,
          COALESCE((SELECT SUM(s.headcount) FROM {t["se"]} s WHERE s.cohort_id = c.id
                    AND s.cancelled = %s AND s.headcount IS NOT NULL), 0),
          (SELECT COUNT(*) FROM {t["en"]} e WHERE e.cohort_id = c.id
             AND e.status = 'enrolled'),
          (SELECT COUNT(*) FROM {t["en"]} e WHERE e.cohort_id = c.id AND e.completed),
          COALESCE((SELECT SUM(e.sessions_attended) FROM {t["en"]} e
                    WHERE e.cohort_id = c.id), 0)
        FROM {t["co"]} c WHERE {where}
    """  # noqa: S608


def _refresh_whole(program_id: int) -> None:
    t = _t()
    _execute(f"DELETE FROM {t['pp']} WHERE program_id = %s", [program_id])  # noqa: S608
    _execute(f"DELETE FROM {t['hc']} WHERE program_id = %s", [program_id])  # noqa: S608
    _execute(_people_sql("c.program_id = %s"), [program_id])
    _execute(_cohort_counts_sql("c.program_id = %s"), [False, program_id])


def _refresh_people(program_id: int, person_ids: set[int]) -> None:
    t = _t()
    ids = sorted(person_ids)
    for i in range(0, len(ids), CHUNK):
        marks, chunk = _marks(ids[i : i + CHUNK])
        _execute(
            f"DELETE FROM {t['pp']} WHERE program_id = %s AND person_id IN ({marks})",  # noqa: S608
            [program_id, *chunk],
        )
        _execute(
            _people_sql(f"c.program_id = %s AND e.person_id IN ({marks})"), [program_id, *chunk]
        )


def _refresh_cohorts(program_id: int, cohort_ids: set[int]) -> None:
    t = _t()
    ids = sorted(cohort_ids)
    for i in range(0, len(ids), CHUNK):
        marks, chunk = _marks(ids[i : i + CHUNK])
        _execute(f"DELETE FROM {t['hc']} WHERE cohort_id IN ({marks})", chunk)  # noqa: S608
        _execute(
            _cohort_counts_sql(f"c.program_id = %s AND c.id IN ({marks})"),
            [False, program_id, *chunk],
        )


def program_refresh(*, program_id: int, known_stale: bool = False) -> None:
    """Bring a program's kept rows up to date with the marks writes left: one query when
    there are none (none when the caller read that there are: ``known_stale``)."""
    if not known_stale and not FiguresStale.objects.filter(program_id=program_id).exists():
        return
    with transaction.atomic():
        # One refresher per program at a time (PostgreSQL; SQLite writes one at a time).
        list(Program.objects.select_for_update().filter(pk=program_id).values_list("pk"))
        marks = list(
            FiguresStale.objects.filter(program_id=program_id).values_list(
                "pk", "person_ref", "cohort_ref"
            )
        )
        if not marks:
            return
        for i in range(0, len(marks), CHUNK):
            FiguresStale.objects.filter(pk__in=[m[0] for m in marks[i : i + CHUNK]]).delete()
        people = {p for _pk, p, _c in marks if p is not None}
        cohorts = {c for _pk, _p, c in marks if c is not None}
        whole = any(p is None and c is None for _pk, p, c in marks)
        if whole or len(people) > WHOLE:
            _refresh_whole(program_id)
            return
        if people:
            _refresh_people(program_id, people)
        if cohorts:
            _refresh_cohorts(program_id, cohorts)


def refresh_marked() -> int:
    """Every program with marks, brought up to date (the schedule's sweep: the worker
    and ``cascada indicators_fill`` call it through ``indicators.fill.fill_due``), so that
    marks never pile up for programs nobody opens and the next reader pays nothing.
    Returns how many programs were refreshed."""
    ids = sorted(set(FiguresStale.objects.values_list("program_id", flat=True)))
    for program_id in ids:
        program_refresh(program_id=program_id, known_stale=True)
    return len(ids)


# ---------------------------------------------------------------- reads of cohort counts


@dataclass
class ProgramCohortTotals:
    cohorts: int = 0
    running: int = 0
    enrolled: int = 0
    completed: int = 0


def cohort_totals_by_program(*, user: Any) -> dict[int, ProgramCohortTotals]:
    """Per program, over the cohorts the user reaches: how many, how many run today, and
    the sums of ``cohort_list``'s per-cohort enrolled and completed counts, read from the
    kept per-cohort rows (one row per cohort, not every enrolment) after the programs with
    marks are refreshed (the home page). Two queries when nothing was written since the
    last read."""
    visible = Cohort.objects.filter(cohorts_visible_q(user=user, cap=Cap.VIEW_AGGREGATES))
    marked = (
        FiguresStale.objects.filter(program_id__in=visible.values("program_id"))
        .values_list("program_id", flat=True)
        .distinct()
    )
    for program_id in sorted(set(marked)):
        program_refresh(program_id=program_id, known_stale=True)
    running = Case(When(clock.status_q(clock.RUNNING), then=Value(1)), default=Value(0))
    try:
        cohorts_sql, params = (
            visible.annotate(running_now=running)
            .values("id", "program_id", "running_now")
            .order_by()
            .query.sql_with_params()
        )
    except EmptyResultSet:  # no organization, no program: nothing to count
        return {}
    sql = f"""
        SELECT v.program_id, COUNT(*), SUM(v.running_now),
               COALESCE(SUM(h.enrolled), 0), COALESCE(SUM(h.completed), 0)
        FROM ({cohorts_sql}) v LEFT JOIN {_t()["hc"]} h ON h.cohort_id = v.id
        GROUP BY v.program_id"""  # noqa: S608 - table names and the ORM's compiled subquery
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return {
            int(pid): ProgramCohortTotals(int(n), int(run or 0), int(enr), int(done))
            for pid, n, run, enr, done in cur.fetchall()
        }


def scope_refresh(*, cohorts_sql: str, params: list[Any]) -> None:
    """Bring up to date the programs of a set of cohorts (a subquery of ids) that have
    marks: a scope that sums the kept per-cohort rows (a trainer's page) reads them
    exact."""
    t = _t()
    sql = (
        f"SELECT DISTINCT m.program_id FROM {t['st']} m WHERE m.program_id IN "  # noqa: S608
        f"(SELECT c.program_id FROM {t['co']} c WHERE c.id IN ({cohorts_sql}))"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        programs = sorted(int(r[0]) for r in cur.fetchall())
    for program_id in programs:
        program_refresh(program_id=program_id, known_stale=True)
