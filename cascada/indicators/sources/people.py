"""The trainings' sources: people enrolled and completed, trainers trained and
replicating (family ``people``); contacts and people attending per month (``sessions``).
Raw SQL in one pass per program, the subgroups as ``cascade_figures`` draws them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from cascada.cascade.models import Certification, CohortLevel
from cascada.cascade.selectors import age_band_key
from cascada.registry.models import Person
from cascada.trainings.models import (
    ATTENDED,
    Attendance,
    Cohort,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
    Program,
    Session,
)

from . import PERSON_DIMS, FactRows, Family, Source, month_of, register


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _month_sql(column: str) -> str:
    """The first day of the month of a date column, in the database's own functions (no
    Python function per row on SQLite)."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


T = {
    "en": Enrolment._meta.db_table,
    "pe": Person._meta.db_table,
    "co": Cohort._meta.db_table,
    "lv": CohortLevel._meta.db_table,
    "ce": Certification._meta.db_table,
    "cf": CohortFacilitator._meta.db_table,
    "se": Session._meta.db_table,
    "at": Attendance._meta.db_table,
}


def programs() -> list[Any]:
    return list(Program.objects.values_list("pk", "owner_id"))


def _place_for(place: int | None, department: int | None, places: Any) -> int | None:
    """The person's place, or their department when the place lies elsewhere."""
    if place is not None and places.department_of(place) == department:
        return place
    return department


def people(program: tuple[int, int], today: dt.date) -> FactRows:
    from ..places import PLACES

    program_id, organization_id = program
    out = FactRows(organization_id, program_id)
    places = PLACES()
    # One row per person: the cascade's subgroups (cascade_figures, query 1) and the dates
    # of their first enrolment and first completion in the program.
    sql = f"""
        SELECT e.person_id, MIN(c.start_date),
               MIN(CASE WHEN e.completed THEN COALESCE(e.completed_on, c.end_date, c.start_date)
                   END),
               COALESCE(MIN(CASE WHEN e.completed THEN COALESCE(l.generation, 1) END),
                        MIN(COALESCE(l.generation, 1))),
               COALESCE(MIN(CASE WHEN e.completed THEN cp.department_id END),
                        MIN(cp.department_id)),
               COALESCE(MIN(CASE WHEN e.completed THEN c.place_id END), MIN(c.place_id)),
               MIN(p.sex), MIN(p.birth_year),
               MAX(CASE WHEN p.reporting_consent THEN 1 ELSE 0 END)
        FROM {T["en"]} e JOIN {T["pe"]} p ON p.id = e.person_id
        JOIN {T["co"]} c ON c.id = e.cohort_id
        LEFT JOIN registry_place cp ON cp.id = c.place_id
        LEFT JOIN {T["lv"]} l ON l.cohort_id = e.cohort_id
        WHERE e.status = %s AND c.program_id = %s
        GROUP BY e.person_id
    """  # noqa: S608
    for _pid, enrolled, completed, lvl, dep, place, sex, birth, ok in _rows(
        sql, [EnrolmentStatus.ENROLLED, program_id]
    ):
        common = {
            "sex": sex,
            "age_band": age_band_key(birth, today.year),
            "place": _place_for(place, dep, places),
            "generation": int(lvl),
            "consenting": bool(ok),
        }
        done = completed is not None
        out.add("participants", month_of(_date(enrolled)), value=int(done), base=1, **common)  # type: ignore[arg-type]
        if done:
            out.add("completions", month_of(_date(completed)), value=1, **common)  # type: ignore[arg-type]

    # Trained trainers (a certification from a cohort of the program) and those who ran a
    # cohort since (cascade_figures, query 4), in the month of their certification.
    sql = f"""
        SELECT x.person_id, MIN(x.granted_on), MIN(COALESCE(l.generation, 1)),
               MIN(p.sex), MIN(p.birth_year), MAX(CASE WHEN p.reporting_consent THEN 1 ELSE 0 END),
               MIN(c.place_id), MIN(cp.department_id),
               (SELECT MIN(c2.start_date) FROM {T["cf"]} f JOIN {T["co"]} c2 ON c2.id = f.cohort_id
                  WHERE f.person_id = x.person_id AND c2.start_date >= MIN(x.granted_on))
        FROM {T["ce"]} x JOIN {T["pe"]} p ON p.id = x.person_id
        JOIN {T["co"]} c ON c.id = x.cohort_id
        LEFT JOIN registry_place cp ON cp.id = c.place_id
        LEFT JOIN {T["lv"]} l ON l.cohort_id = x.cohort_id
        WHERE c.program_id = %s
        GROUP BY x.person_id
    """  # noqa: S608
    for _pid, granted, lvl, sex, birth, ok, place, dep, first_run in _rows(sql, [program_id]):
        month = month_of(_date(granted))
        if month is None:
            continue
        out.add(
            "trainers",
            month,
            value=int(first_run is not None),
            base=1,
            sex=sex,
            age_band=age_band_key(birth, today.year),
            place=_place_for(place, dep, places),
            generation=int(lvl),
            consenting=bool(ok),
        )
    return out


def sessions(program: tuple[int, int], today: dt.date) -> FactRows:
    """Contacts per session month (named attendance and headcounts: contacts, not
    people), and the people attending in each month (distinct within the month)."""
    program_id, organization_id = program
    out = FactRows(organization_id, program_id)
    attended = tuple(str(s) for s in ATTENDED)
    marks = ", ".join(["%s"] * len(attended))
    sql = f"""
        SELECT s.date, c.place_id, c.kind, COALESCE(l.generation, 1),
               p.reporting_consent, COUNT(*)
        FROM {T["at"]} a JOIN {T["se"]} s ON s.id = a.session_id
        JOIN {T["co"]} c ON c.id = s.cohort_id
        JOIN {T["en"]} e ON e.id = a.enrolment_id
        JOIN {T["pe"]} p ON p.id = e.person_id
        LEFT JOIN {T["lv"]} l ON l.cohort_id = c.id
        WHERE c.program_id = %s AND s.cancelled = %s AND a.status IN ({marks})
        GROUP BY s.date, c.place_id, c.kind, COALESCE(l.generation, 1), p.reporting_consent
    """  # noqa: S608
    for day, place, kind, lvl, ok, n in _rows(sql, [program_id, False, *attended]):
        out.add(
            "contacts",
            month_of(_date(day)),  # type: ignore[arg-type]
            value=n,
            place=place,
            kind=kind,
            generation=int(lvl),
            consenting=bool(ok),
        )
    sql = f"""
        SELECT s.date, c.place_id, c.kind, COALESCE(l.generation, 1), s.headcount
        FROM {T["se"]} s JOIN {T["co"]} c ON c.id = s.cohort_id
        LEFT JOIN {T["lv"]} l ON l.cohort_id = c.id
        WHERE c.program_id = %s AND s.cancelled = %s AND s.headcount > 0
    """  # noqa: S608
    for day, place, kind, lvl, n in _rows(sql, [program_id, False]):
        # A headcount names nobody: no consent to ask, it counts for everyone.
        out.add(
            "contacts",
            month_of(_date(day)),  # type: ignore[arg-type]
            value=n,
            place=place,
            kind=kind,
            generation=int(lvl),
        )
    # People attending in a month, counted in SQL: one row per person and month (in the
    # lowest department of the cohorts they attended that month), grouped.
    month = _month_sql("s.date")
    sql = f"""
        SELECT x.m, x.dep, x.sex, x.birth, x.ok, COUNT(*) FROM (
          SELECT e.person_id, {month} AS m,
                 MIN(CASE WHEN pl.level = 'department' THEN pl.id ELSE pl.department_id END) AS dep,
                 MIN(p.sex) AS sex, MIN(p.birth_year) AS birth,
                 MAX(CASE WHEN p.reporting_consent THEN 1 ELSE 0 END) AS ok
          FROM {T["at"]} a JOIN {T["se"]} s ON s.id = a.session_id
          JOIN {T["co"]} c ON c.id = s.cohort_id
          JOIN {T["en"]} e ON e.id = a.enrolment_id
          JOIN {T["pe"]} p ON p.id = e.person_id
          LEFT JOIN registry_place pl ON pl.id = c.place_id
          WHERE c.program_id = %s AND s.cancelled = %s AND a.status IN ({marks})
          GROUP BY e.person_id, {month}
        ) x GROUP BY x.m, x.dep, x.sex, x.birth, x.ok
    """  # noqa: S608
    for m, dep, sex, birth, ok, n in _rows(sql, [program_id, False, *attended]):
        out.add(
            "attending",
            month_of(_date(m)),  # type: ignore[arg-type]
            value=n,
            sex=sex,
            age_band=age_band_key(birth, today.year),
            place=dep,
            consenting=bool(ok),
        )
    return out


register(
    Family("people", "program", people, programs),
    Source(
        "participants",
        "people",
        _("People enrolled (completed of enrolled)"),
        PERSON_DIMS,
        control="release",
    ),
    Source("completions", "people", _("People who completed"), PERSON_DIMS, control="release"),
    Source(
        "trainers",
        "people",
        _("Trained trainers (replicating of trained)"),
        PERSON_DIMS,
        control="release",
    ),
)
register(
    Family("sessions", "program", sessions, programs),
    Source(
        "contacts",
        "sessions",
        _("Contacts in sessions"),
        ("department", "province", "district", "generation", "kind"),
        viewers=False,
    ),
    Source(
        "attending",
        "sessions",
        _("People attending in the month"),
        ("sex", "age_band", "department"),
        additive_in_time=False,
        viewers=False,
    ),
)
