"""The cascade's figures (``cascade_figures``) for a scope: a trainer, a program, an
organization, a department and a period, seen by a user (S2). Roles without access to
people count only people who consented to aggregate reporting (S15); what they are shown
passes the small-numbers rule in ``selectors.figures_release`` (S17).

Each figure is one SQL statement over the materialized tables (``Reach``, ``CohortLevel``,
``Certification``) and the kept aggregates (``kept.py``) joined to the trainings tables, so
a program page costs a handful of queries whatever its size.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap
from cascada.curricula.models import CurriculumVersion
from cascada.registry.consent import REPORTABLE_SQL
from cascada.registry.models import Person, Place
from cascada.registry.selectors import person_list
from cascada.trainings.models import Cohort, CohortFacilitator, Enrolment, Session
from cascada.trainings.selectors import cohort_ids_visible, cohorts_visible_q, sees_exact

from . import kept
from .models import (
    Certification,
    CohortHeadcount,
    CohortLevel,
    FiguresStale,
    Lineage,
    ProgramPerson,
    Reach,
)

AGE_BANDS = [
    ("0-17", _("Under 18")),
    ("18-29", _("18 to 29")),
    ("30-44", _("30 to 44")),
    ("45-59", _("45 to 59")),
    ("60+", _("60 and over")),
    ("unknown", _("Age not recorded")),
]


def idle_months() -> int:
    return int(getattr(settings, "CASCADA_CASCADE_IDLE_MONTHS", 6))


def completion_threshold() -> int:
    """Generations whose completion (%) falls below this are flagged."""
    return int(getattr(settings, "CASCADA_CASCADE_COMPLETION_THRESHOLD", 60))


# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """What a set of figures is about. ``user`` None is the operator (CLI, benchmarks)."""

    user: Any = None
    program: Any = None
    organization: Any = None
    department: Any = None
    trainer: Any = None
    start: dt.date | None = None
    end: dt.date | None = None

    @cached_property
    def sees_people(self) -> bool:
        """Exact figures of everyone, or the protected release (ADR 0006)."""
        if self.user is None:
            return True

        return sees_exact(user=self.user, program=self.program)

    @property
    def court(self) -> bool:
        return bool(self.program is not None and self.program.is_court_mandated)


def _cohorts_sql(sc: Scope) -> tuple[str, list[Any]]:

    # No ORDER BY (the model's ordering would sort every time the subquery runs) and the
    # visibility rule over ``program_id`` (no semi-join on ids of the same table).
    qs = Cohort.objects.order_by()
    if sc.user is not None:
        qs = qs.filter(cohorts_visible_q(user=sc.user, cap=Cap.VIEW_AGGREGATES))
    if sc.program is not None:
        qs = qs.filter(program_id=sc.program.pk)
    if not sc.sees_people:
        # ADR 0006: viewers get the fixed menu, a program's whole release; filters by
        # organization, department or period would let two outputs be differenced.
        if sc.program is None:
            qs = qs.filter(pk__lt=0)
        sql, params = qs.values("pk").query.sql_with_params()
        return sql, list(params)
    if sc.organization is not None:
        qs = qs.filter(program__owner_id=sc.organization.pk)
    if sc.department is not None:
        qs = qs.filter(place__department_id=sc.department.pk)
    if sc.start:
        qs = qs.filter(start_date__gte=sc.start)
    if sc.end:
        qs = qs.filter(start_date__lte=sc.end)
    if sc.trainer is not None:
        downstream = Reach.objects.filter(ancestor_id=sc.trainer.pk).values("descendant_id")
        qs = qs.filter(
            pk__in=CohortFacilitator.objects.filter(
                Q(person_id=sc.trainer.pk) | Q(person_id__in=downstream)
            ).values("cohort_id")
        )
    sql, params = qs.values("pk").query.sql_with_params()
    return sql, list(params)


def _tables() -> dict[str, str]:

    return {
        "en": Enrolment._meta.db_table,
        "co": Cohort._meta.db_table,
        "cf": CohortFacilitator._meta.db_table,
        "se": Session._meta.db_table,
        "pe": Person._meta.db_table,
        "pl": Place._meta.db_table,
        "cv": CurriculumVersion._meta.db_table,
        "lv": CohortLevel._meta.db_table,
        "ce": Certification._meta.db_table,
        "re": Reach._meta.db_table,
        "li": Lineage._meta.db_table,
        "pp": ProgramPerson._meta.db_table,
        "hc": CohortHeadcount._meta.db_table,
        "st": FiguresStale._meta.db_table,
    }


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def people_visible(user: Any, column: str) -> tuple[str, str, list[Any]]:
    """The people ``user`` may see (S2, ``registry.selectors.person_list``), for counts of
    named people downstream of a trainer (a tree crosses organizations and cohorts): a
    ``WITH`` clause computing them once per statement, the filter on ``column``, and the
    parameters (they come first: the ``WITH`` clause opens the statement). Nothing for the
    operator (no user: everyone)."""
    if user is None:
        return "", "", []
    try:
        sql, params = person_list(user=user).order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        sql, params = "SELECT 0 WHERE 1 = 0", ()
    return (
        f"WITH vis(id) AS MATERIALIZED ({sql})",
        f" AND {column} IN (SELECT id FROM vis)",  # noqa: S608 - a column name of ours
        list(params),
    )


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------- raw figures


@dataclass
class Figures:
    """Exact counts; ``present`` turns them into what a given viewer may see."""

    enrolled: int = 0
    completed: int = 0
    contacts: int = 0
    headcount: int = 0
    cohorts: int = 0
    tot_cohorts: int = 0
    direct: int = 0  # people trained directly (trainer: depth 1; program: generation 1)
    by_level: dict[int, list[int]] = field(default_factory=dict)  # level -> [enrolled, completed]
    by_sex: dict[str, list[int]] = field(default_factory=dict)
    by_age: dict[str, list[int]] = field(default_factory=dict)
    by_department: list[tuple[Any, str, int, int]] = field(default_factory=list)
    trained_trainers: int = 0
    replicating: int = 0
    by_level_trainers: dict[int, list[int]] = field(default_factory=dict)  # [trained, ran]
    days_to_first: list[int] = field(default_factory=list)
    idle: list[tuple[int, str, dt.date | None, dt.date | None]] = field(default_factory=list)
    version_mismatch: int = 0
    uncertified_cohorts: int = 0
    tree: dict[int, int] = field(default_factory=dict)  # trainer: depth -> people

    @property
    def merely_enrolled(self) -> int:
        return self.enrolled - self.completed

    @property
    def median_days_to_first(self) -> float | None:
        return statistics.median(self.days_to_first) if self.days_to_first else None


def age_band_key(birth_year: int | None, year: int) -> str:
    """The ``AGE_BANDS`` key of a birth year in ``year``: the same bands as ``_band_sql``."""
    if birth_year is None:
        return "unknown"
    age = year - birth_year
    for key, upper in (("0-17", 18), ("18-29", 30), ("30-44", 45), ("45-59", 60)):
        if age < upper:
            return key
    return "60+"


def _band_sql(year: int) -> str:
    return (
        "CASE WHEN p.birth_year IS NULL THEN 'unknown' "
        f"WHEN {year} - p.birth_year < 18 THEN '0-17' "
        f"WHEN {year} - p.birth_year < 30 THEN '18-29' "
        f"WHEN {year} - p.birth_year < 45 THEN '30-44' "
        f"WHEN {year} - p.birth_year < 60 THEN '45-59' ELSE '60+' END"
    )


def _program_candidate(sc: Scope) -> bool:
    """A whole program, unless some of its cohorts are hidden from the user: then the
    figures of people and contacts are read from the kept rows (``kept.py``,
    docs/decisions/cascade-kept-figures.md); narrower scopes read the enrolments."""
    if sc.program is None or sc.trainer is not None:
        return False
    # Viewers' figures ignore these filters (ADR 0006: ``_cohorts_sql``).
    return not (sc.sees_people and (sc.organization or sc.department or sc.start or sc.end))


def _hidden_cohorts_sql(sc: Scope) -> tuple[str, list[Any]]:
    """``EXISTS`` a cohort of the program the user does not see (the kept rows count them)."""
    if sc.user is None:
        return "0 = 1", []
    visible = cohort_ids_visible(user=sc.user, cap=Cap.VIEW_AGGREGATES)
    qs = Cohort.objects.filter(program_id=sc.program.pk).exclude(pk__in=visible).values("pk")
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return "0 = 1", []
    return f"EXISTS ({sql})", list(params)


def _cohort_rows_candidate(sc: Scope) -> bool:
    """A scope of whole cohorts that is not a whole program, for roles that see people (no
    consent filter): its contacts are sums of the kept per-cohort rows (``kept.py``)."""
    return sc.sees_people


def _kept_sum_sql(t: dict[str, str], column: str) -> str:
    return f"""SELECT COALESCE(SUM(h.{column}), 0) FROM sc
        JOIN {t["hc"]} h ON h.cohort_id = sc.id"""  # noqa: S608


def _named_contacts_sql(t: dict[str, str], consent: str) -> str:
    """Sessions attended by named people in the scope's cohorts (``sc``: ``WITH sc``)."""
    # The people are joined only for the consent filter (viewers' figures).
    people = f"JOIN {t['pe']} p ON p.id = e.person_id" if consent else ""
    return f"""SELECT COALESCE(SUM(e.sessions_attended), 0) FROM sc
        JOIN {t["en"]} e ON e.cohort_id = sc.id {people} WHERE 1 = 1{consent}"""  # noqa: S608


def _headcounts_sql(t: dict[str, str]) -> str:
    """Headcounts of the scope's sessions not cancelled (``sc``: ``WITH sc``)."""
    return f"""SELECT COALESCE(SUM(s.headcount), 0) FROM sc
        JOIN {t["se"]} s ON s.cohort_id = sc.id WHERE s.cancelled = %s"""  # noqa: S608


def _people_counted(fig: Figures, rows: list[tuple[Any, ...]]) -> None:
    """Rows of (level, sex, age band, completed, department id, department name, people)
    into the figures' breakdowns: every breakdown a partition of the people counted."""
    departments: dict[Any, list[Any]] = {}
    for lvl, sex, band, done, dep, dep_name, n in rows:
        buckets: tuple[tuple[dict[Any, list[int]], Any], ...] = (
            (fig.by_level, int(lvl)),
            (fig.by_sex, sex),
            (fig.by_age, band),
        )
        for bucket, key in buckets:
            pair = bucket.setdefault(key, [0, 0])
            pair[0] += n
            pair[1] += n if done else 0
        row = departments.setdefault(dep, [dep, dep_name or "", 0, 0])
        row[2] += n
        row[3] += n if done else 0
        fig.enrolled += n
        fig.completed += n if done else 0
    fig.by_level = dict(sorted(fig.by_level.items()))
    # Sorted: the release's secondary suppression breaks ties by row order, and the
    # indicators build the same release from the fill table (indicators/present/).
    fig.by_sex = dict(sorted(fig.by_sex.items()))
    fig.by_age = {a: fig.by_age[a] for a, _l in AGE_BANDS if a in fig.by_age}
    fig.by_department = sorted(
        (tuple(r) for r in departments.values()),
        key=lambda r: (r[1] == "", r[1], r[0] is not None, r[0] or 0),
    )


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def cascade_figures(sc: Scope, *, today: dt.date | None = None) -> Figures:
    """Every figure for a scope, in five queries. A whole program reads its people and
    contacts from the kept rows (``kept.py``); any other scope from the enrolments."""
    today = today or timezone.localdate()
    t = _tables()
    # The scope's cohorts are computed once per statement (``WITH sc``), not once per
    # subquery: a trainer's scope walks the reach table and the facilitators.
    scope_sql, cparams = _cohorts_sql(sc)
    with_sc = f"WITH sc(id) AS MATERIALIZED ({scope_sql}) "
    consent = "" if sc.sees_people else f" AND {REPORTABLE_SQL}"
    fig = Figures()
    candidate = _program_candidate(sc)

    # 1. cohorts, contacts (named attendance + headcounts) and where the cascade thins;
    # for a whole program, whether the kept rows may be read (no cohort hidden from the
    # user) and must be refreshed first (marks left by writes), in the same statement.
    if candidate:
        hidden_sql, hidden_params = _hidden_cohorts_sql(sc)
        named_sql = "0"
        named_params: list[Any] = []
        headcount_sql = (
            f"SELECT COALESCE(SUM(h.headcount), 0) FROM {t['hc']} h WHERE h.program_id = %s"  # noqa: S608
        )
        headcount_params: list[Any] = [sc.program.pk]
        stale_sql = f"SELECT 1 FROM {t['st']} m WHERE m.program_id = %s"  # noqa: S608
        check_sql = (
            f", CASE WHEN {hidden_sql} THEN 1 ELSE 0 END,"
            f" CASE WHEN EXISTS ({stale_sql}) THEN 1 ELSE 0 END"
        )
        check_params = [*hidden_params, sc.program.pk]
    elif _cohort_rows_candidate(sc):
        # Whole cohorts, no consent filter (a trainer's page, a department, a period):
        # contacts from the kept per-cohort rows, refreshed first where writes left marks.
        named_sql, named_params = _kept_sum_sql(t, "attended"), []
        headcount_sql, headcount_params = _kept_sum_sql(t, "headcount"), []
        check_sql = (
            f", 1, CASE WHEN EXISTS (SELECT 1 FROM {t['st']} m WHERE m.program_id IN"  # noqa: S608
            f" (SELECT c.program_id FROM sc JOIN {t['co']} c ON c.id = sc.id)) THEN 1 ELSE 0 END"
        )
        check_params = []
    else:
        named_sql, named_params = _named_contacts_sql(t, consent), []
        headcount_sql, headcount_params = _headcounts_sql(t), [False]
        check_sql, check_params = ", 1, 0", []
    sql = f"""{with_sc}
        SELECT
          (SELECT COUNT(*) FROM sc),
          (SELECT COUNT(*) FROM sc JOIN {t["co"]} c ON c.id = sc.id WHERE c.kind = 'tot'),
          ({named_sql}),
          ({headcount_sql}),
          (SELECT COUNT(DISTINCT c.id) FROM sc JOIN {t["co"]} c ON c.id = sc.id
             JOIN {t["cf"]} f ON f.cohort_id = c.id
             JOIN {t["ce"]} x ON x.person_id = f.person_id
             JOIN {t["cv"]} v1 ON v1.id = c.curriculum_version_id
             JOIN {t["cv"]} v2 ON v2.id = x.curriculum_version_id
             WHERE v1.curriculum_id = v2.curriculum_id
               AND v1.id <> v2.id AND NOT EXISTS (
                 SELECT 1 FROM {t["ce"]} y WHERE y.person_id = f.person_id
                 AND y.curriculum_version_id = c.curriculum_version_id)),
          (SELECT COUNT(DISTINCT c.id) FROM sc JOIN {t["co"]} c ON c.id = sc.id
             JOIN {t["cf"]} f ON f.cohort_id = c.id
             WHERE c.kind <> 'tot' AND NOT EXISTS (
               SELECT 1 FROM {t["ce"]} y WHERE y.person_id = f.person_id
               AND y.granted_on <= c.start_date)){check_sql}
    """  # noqa: S608
    params = cparams + named_params + headcount_params + check_params
    (
        fig.cohorts,
        fig.tot_cohorts,
        named,
        fig.headcount,
        fig.version_mismatch,
        fig.uncertified_cohorts,
        hidden,
        stale,
    ) = (int(v or 0) for v in _rows(sql, params)[0])
    whole = candidate and not hidden
    if whole and stale:
        kept.program_refresh(program_id=sc.program.pk, known_stale=True)
        fig.headcount = int(_rows(headcount_sql, headcount_params)[0][0] or 0)
    elif not candidate and stale:  # kept per-cohort sums, marks left by writes
        kept.scope_refresh(cohorts_sql=scope_sql, params=cparams)
        sql = f"{with_sc}SELECT ({named_sql}), ({headcount_sql})"
        named, fig.headcount = (int(v or 0) for v in _rows(sql, cparams)[0])
    elif candidate and hidden:  # some cohorts hidden: contacts from the enrolments
        sql = f"{with_sc}SELECT ({_named_contacts_sql(t, consent)}), ({_headcounts_sql(t)})"  # noqa: S608
        named, fig.headcount = (int(v or 0) for v in _rows(sql, [*cparams, False])[0])

    # 2. people reached, one row per person: their lowest level (completed first), sex,
    # age band and department (of the cohort they completed, else of one they joined), so
    # that every breakdown is a partition of the people counted (ADR 0006).
    if whole:
        # The same per person, kept (``kept._people_sql``; ``p`` is the kept row), with
        # the sessions they attended (withdrawn people too: ``enrolled`` false).
        sql = f"""
            SELECT p.level, p.sex, {_band_sql(today.year)} AS band, p.completed,
                   p.department_id, d.name, p.enrolled, COUNT(*), SUM(p.attended)
            FROM {t["pp"]} p LEFT JOIN {t["pl"]} d ON d.id = p.department_id
            WHERE p.program_id = %s{consent}
            GROUP BY p.level, p.sex, band, p.completed, p.department_id, d.name, p.enrolled
        """  # noqa: S608
        rows = _rows(sql, [sc.program.pk])
        named = sum(int(r[8] or 0) for r in rows)
        _people_counted(fig, [(*r[:6], r[7]) for r in rows if r[6]])
    else:
        sql = f"""{with_sc}
            SELECT x.lvl, x.sex, x.band, x.done, x.dep, d.name, COUNT(*) FROM (
              SELECT e.person_id,
                     COALESCE(MIN(CASE WHEN e.completed THEN COALESCE(l.generation, 1) END),
                              MIN(COALESCE(l.generation, 1))) AS lvl,
                     MAX(CASE WHEN e.completed THEN 1 ELSE 0 END) AS done,
                     MIN(p.sex) AS sex, MIN({_band_sql(today.year)}) AS band,
                     COALESCE(MIN(CASE WHEN e.completed THEN cp.department_id END),
                              MIN(cp.department_id)) AS dep
              FROM sc JOIN {t["en"]} e ON e.cohort_id = sc.id
              JOIN {t["pe"]} p ON p.id = e.person_id
              JOIN {t["co"]} c ON c.id = e.cohort_id
              LEFT JOIN {t["pl"]} cp ON cp.id = c.place_id
              LEFT JOIN {t["lv"]} l ON l.cohort_id = e.cohort_id
              WHERE e.status = 'enrolled'{consent}
              GROUP BY e.person_id
            ) x LEFT JOIN {t["pl"]} d ON d.id = x.dep
            GROUP BY x.lvl, x.sex, x.band, x.done, x.dep, d.name
        """  # noqa: S608
        _people_counted(fig, [(*r[:6], r[6]) for r in _rows(sql, cparams)])
    fig.contacts = named + fig.headcount

    # 4. trained trainers (completed a ToT in scope): first and last cohort they ran
    sql = f"""{with_sc}
        SELECT y.person_id, y.code, y.granted, y.lvl,
          (SELECT MIN(c2.start_date) FROM {t["cf"]} f JOIN {t["co"]} c2 ON c2.id = f.cohort_id
             WHERE f.person_id = y.person_id AND c2.start_date >= y.granted),
          (SELECT MAX(c2.start_date) FROM {t["cf"]} f JOIN {t["co"]} c2 ON c2.id = f.cohort_id
             WHERE f.person_id = y.person_id)
        FROM (
          SELECT x.person_id, p.code, MIN(x.granted_on) AS granted,
                 MIN(COALESCE(l.generation, 1)) AS lvl
          FROM sc JOIN {t["ce"]} x ON x.cohort_id = sc.id
          JOIN {t["pe"]} p ON p.id = x.person_id
          LEFT JOIN {t["lv"]} l ON l.cohort_id = x.cohort_id
          WHERE 1 = 1{consent}
          GROUP BY x.person_id, p.code
        ) y
    """  # noqa: S608
    idle_since = _months_before(today, idle_months())
    for _pid, code, granted, lvl, first_run, last_run in _rows(sql, cparams):
        granted, first_run, last_run = _as_date(granted), _as_date(first_run), _as_date(last_run)
        fig.trained_trainers += 1
        pair = fig.by_level_trainers.setdefault(int(lvl), [0, 0])
        pair[0] += 1
        if first_run is not None:
            fig.replicating += 1
            pair[1] += 1
            if granted is not None:
                fig.days_to_first.append((first_run - granted).days)
        if (
            granted is not None
            and granted <= idle_since
            and (last_run is None or last_run < idle_since)
        ):
            fig.idle.append((_pid, code, granted, last_run))
    fig.by_level_trainers = dict(sorted(fig.by_level_trainers.items()))
    fig.idle.sort(key=lambda r: (r[3] or dt.date.min, r[2] or dt.date.min))

    # 5. directly trained, and for a trainer the tree by depth
    if sc.trainer is not None:
        # Only the people downstream this user may see: a tree crosses organizations and
        # cohorts (a trainer of ours who also ran another organization's cohort).
        vis, seen, vparams = people_visible(sc.user, "p.id")
        sql = f"""{vis}
            SELECT r.depth, COUNT(*) FROM {t["re"]} r JOIN {t["pe"]} p ON p.id = r.descendant_id
            WHERE r.ancestor_id = %s{consent}{seen} GROUP BY r.depth ORDER BY r.depth
        """  # noqa: S608
        fig.tree = {int(d): n for d, n in _rows(sql, [*vparams, sc.trainer.pk])}
        fig.direct = fig.tree.get(1, 0)
    else:
        fig.direct = fig.by_level.get(1, [0, 0])[1]
    return fig
