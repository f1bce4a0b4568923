"""Indicators at national scale (issue 14): the dashboard of the largest synthetic program
computed from the fill table against DuckDB over the same raw rows in memory, and the
refill after a late import.

Run by ``python -m benchmarks`` (``--only indicators`` for this table alone):

- **refill**: a late import into the largest program marks it (``fill.mark_programs``);
  ``fill.fill_due`` refills what is due (the program's families: people, sessions,
  community, attitudes), timed. Target: under 10 s.
- **attendance aggregate**: people attending by department × sex × month, read from the
  fill table (``present.sums`` over ``attending``), against DuckDB counting the distinct
  people of the same attendance rows loaded in memory (loading not timed). Target: at most
  2 times DuckDB.
- **the program's dashboard**: every indicator of the program's dashboard
  (``present.indicator_view`` for each, exact), against DuckDB computing the same
  dashboard's counts from the raw rows (people by first month, completions, contacts and
  people attending by month). Target: at most 2 times DuckDB.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.table import print_boxed


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    out = None
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def _program(tag: str) -> Any:
    from django.db.models import Count

    from cascada.trainings.models import Program

    return (
        Program.objects.filter(owner__name__startswith=tag)
        .annotate(n=Count("cohorts"))
        .order_by("-n", "pk")
        .first()
    )


def _raw(program: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The raw rows DuckDB reads: attendance (person, date, department, sex) and
    enrolments (person, cohort start, completed, department, sex, birth year)."""
    from django.db import connection

    from cascada.trainings.models import ATTENDED

    marks = ", ".join(["%s"] * len(ATTENDED))
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT e.person_id, s.date, pl.department_id, p.sex
                FROM trainings_attendance a JOIN trainings_session s ON s.id = a.session_id
                JOIN trainings_cohort c ON c.id = s.cohort_id
                JOIN trainings_enrolment e ON e.id = a.enrolment_id
                JOIN registry_person p ON p.id = e.person_id
                LEFT JOIN registry_place pl ON pl.id = c.place_id
                WHERE c.program_id = %s AND s.cancelled = %s AND a.status IN ({marks})""",  # noqa: S608
            [program.pk, False, *[str(m) for m in ATTENDED]],
        )
        attendance = list(cur.fetchall())
        cur.execute(
            """SELECT e.person_id, c.start_date, e.completed, pl.department_id, p.sex,
                      p.birth_year, e.completed_on
               FROM trainings_enrolment e JOIN trainings_cohort c ON c.id = e.cohort_id
               JOIN registry_person p ON p.id = e.person_id
               LEFT JOIN registry_place pl ON pl.id = c.place_id
               WHERE c.program_id = %s AND e.status = 'enrolled'""",
            [program.pk],
        )
        enrolments = list(cur.fetchall())
    return attendance, enrolments


def run(*, tag: str, repeat: int) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    import duckdb

    from cascada.indicators.fill import fill_due, mark_programs
    from cascada.indicators.models import Fact
    from cascada.indicators.present import facts, indicator_view, sums
    from cascada.indicators.selectors import indicator_list, plans_of, program_scoped

    program = _program(tag)
    fill_due()  # everything filled once (a first fill of the whole country)
    rows: list[tuple[str, ...]] = []

    # --- the refill after a late import
    times = []
    for _ in range(max(1, repeat // 3)):
        mark_programs([program.pk])
        t = time.perf_counter()
        report = fill_due()
        times.append(time.perf_counter() - t)
    refill_s = statistics.median(times)
    rows.append(
        (
            "refill of the largest program after a late import",
            f"{refill_s * 1000:,.0f}",
            "",
            "",
            "under 10 s: " + ("yes" if refill_s < 10 else "NO"),
        )
    )

    # --- DuckDB over the raw rows in memory
    attendance, enrolments = _raw(program)
    db = duckdb.connect()
    _load(
        db,
        "att",
        {"person": "BIGINT", "day": "DATE", "dep": "BIGINT", "sex": "VARCHAR"},
        attendance,
    )
    _load(
        db,
        "enr",
        {"person": "BIGINT", "start": "DATE", "completed": "BOOLEAN", "dep": "BIGINT",
         "sex": "VARCHAR", "birth": "INTEGER", "done_on": "DATE"},
        enrolments,
    )  # fmt: skip

    # Each person once a month, in the lowest department they attended that month (the
    # fill table's rule: a breakdown is a partition of the people).
    aggregate_sql = (
        "SELECT dep, sex, m, COUNT(*) FROM (SELECT person, date_trunc('month', day) AS m, "
        "MIN(dep) AS dep, MIN(sex) AS sex FROM att GROUP BY person, m) "
        "GROUP BY dep, sex, m"
    )
    ms_duck_agg, duck_rows = _timed(lambda: db.execute(aggregate_sql).fetchall(), repeat)
    ms_fill_agg, fill_rows = _timed(
        lambda: sums(
            facts("attending", program_ids=[program.pk]), ("department_id", "sex", "month"), False
        ),
        repeat,
    )
    assert sum(r[3] for r in duck_rows) == sum(v for v, _b in fill_rows.values()), (
        "attending differs"
    )
    rows.append(
        (
            "people attending by department × sex × month",
            f"{ms_fill_agg:.1f}",
            f"{ms_duck_agg:.1f}",
            f"{ms_fill_agg / ms_duck_agg:.2f}",
            "≤ 2 × DuckDB: " + ("yes" if ms_fill_agg <= 2 * ms_duck_agg else "NO"),
        )
    )

    plans = plans_of(program=program)
    indicators = [i for i in indicator_list(organization_id=program.owner_id) if program_scoped(i)]

    def dashboard() -> list[Any]:
        return [
            indicator_view(
                i,
                program_ids=[program.pk],
                organization_id=program.owner_id,
                exact=True,
                plan=plans.get(i.pk),
            )  # fmt: skip
            for i in indicators
        ]

    duck_sql = [
        "SELECT date_trunc('month', f), sex, dep, COUNT(*), SUM(c) FROM ("
        " SELECT person, MIN(start) AS f, MIN(sex) AS sex, MIN(dep) AS dep,"
        " MAX(CASE WHEN completed THEN 1 ELSE 0 END) AS c FROM enr GROUP BY person)"
        " GROUP BY 1, 2, 3",
        "SELECT date_trunc('month', d), COUNT(*) FROM (SELECT person, MIN(done_on) AS d"
        " FROM enr WHERE completed GROUP BY person) GROUP BY 1",
        "SELECT date_trunc('month', day), COUNT(*) FROM att GROUP BY 1",
        aggregate_sql,
    ]
    ms_duck_dash, _ = _timed(lambda: [db.execute(q).fetchall() for q in duck_sql], repeat)
    ms_dash, _ = _timed(dashboard, repeat)
    rows.append(
        (
            f"the program's dashboard ({len(indicators)} indicators)",
            f"{ms_dash:.1f}",
            f"{ms_duck_dash:.1f}",
            f"{ms_dash / ms_duck_dash:.2f}",
            "≤ 2 × DuckDB: " + ("yes" if ms_dash <= 2 * ms_duck_dash else "NO"),
        )
    )
    facts_out = {
        "program": program.name,
        "attendance rows": f"{len(attendance):,}",
        "enrolments": f"{len(enrolments):,}",
        "fill table rows": f"{Fact.objects.count():,}",
        "refilled": ", ".join(f"{f} {s} ({r:,} rows, {t:.2f} s)" for f, s, r, t in report.filled),
    }
    return rows, facts_out


def _load(db: Any, table: str, columns: dict[str, str], rows: list[tuple[Any, ...]]) -> None:
    """Rows into a DuckDB table in memory, through a CSV file read by DuckDB's own reader
    (not timed)."""
    import csv
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", delete=False) as f:
        writer = csv.writer(f)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        path = f.name
    spec = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    db.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv('{path}', header=false, "  # noqa: S608
        f"columns={{{spec}}}, nullstr='')"
    )
    Path(path).unlink()


def print_table(
    rows: list[tuple[str, ...]], *, people: int, repeat: int, facts: dict[str, Any]
) -> None:
    print(
        f"\nIndicators at {people:,} people (median of {repeat} runs; DuckDB over the same "
        "rows in memory, loaded before timing)"
    )
    for key, value in facts.items():
        print(f"  {key}: {value}")
    print_boxed(("operation", "Cascada (ms)", "DuckDB (ms)", "ratio", "target"), rows)
