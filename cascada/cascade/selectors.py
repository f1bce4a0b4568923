"""Reads of the cascade: figures for a trainer, a program, an organization, a department
and a period, scoped to what the user may see (S2) and, for roles without access to
people, counting only people who consented to aggregate reporting (S15) and passing every
figure through the small-numbers rule (S17, ``cascada.core.privacy``).

The figures themselves are computed in ``figures.py`` (``cascade_figures``); this module
releases and presents them, and reads trainers and generations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError
from cascada.core.privacy import Cell, release, share
from cascada.registry.models import Sex
from cascada.registry.selectors import person_get, person_list
from cascada.trainings.selectors import program_list

from .figures import (
    AGE_BANDS,
    Figures,
    Scope,
    _cohorts_sql,
    _rows,
    _tables,
    completion_threshold,
    idle_months,
    people_visible,
)
from .figures import age_band_key as age_band_key  # the readers' one import
from .figures import cascade_figures as cascade_figures
from .models import Certification, Lineage, Reach

# ---------------------------------------------------------------- presentation


def _ratio(a: Cell, b: Cell, digits: int = 1) -> float | str:
    """A number (templates localize it: "8,1" in Spanish), or "–" when not given."""
    if a.suppressed or b.suppressed or not b.value:
        return "–"
    return round((a.value or 0) / b.value, digits)


def figures_release(fig: Figures, sc: Scope) -> Any:
    """The figures as ``cascada.core.privacy.release`` lets this user see them: exact for
    roles with access to the people, the protected release for everyone else (ADR 0006)."""
    return release(
        headline={
            "enrolled": fig.enrolled,
            "completed": fig.completed,
            "trained_trainers": fig.trained_trainers,
            "replicating": fig.replicating,
        },
        breakdowns={
            "generation": {lv: tuple(v) for lv, v in fig.by_level.items()},
            "sex": {s: tuple(v) for s, v in fig.by_sex.items()},
            "age": {a: tuple(fig.by_age.get(a, [0, 0])) for a, _l in AGE_BANDS},
            "department": {(d[0], d[1]): (d[2], d[3]) for d in fig.by_department},
        },
        exact=sc.sees_people,
        court=sc.court,
        completed_only=("sex", "age"),  # the pages and the API show completers only there
    )


def figures_present(fig: Figures, sc: Scope) -> dict[str, Any]:
    """What the user may see: exact numbers for roles with access to people; for everyone
    else the protected release (``figures_release``) and nothing outside it but counts of
    cohorts; percentages only where both figures are shown."""
    rel = figures_release(fig, sc)
    exact = rel.exact
    k = rel.k
    hidden = Cell(None, k, unpublished=True)  # not in a viewer's release

    def val(n: int) -> Cell:
        """A count of people outside the release: exact roles only."""
        return Cell(int(n), 0) if exact else hidden

    def cohorts(n: int) -> Cell:
        """Counts of cohorts are not counts of people (ADR 0006)."""
        return Cell(int(n), 0)

    head = rel.headline
    enrolled, completed = head["enrolled"], head["completed"]
    trained, replicating = head["trained_trainers"], head["replicating"]
    levels_b = rel.breakdowns["generation"]
    direct = (
        levels_b.rows.get(1, {}).get("completed", hidden) if sc.trainer is None else val(fig.direct)
    )
    if exact or enrolled.suppressed or completed.suppressed:
        merely = val(fig.merely_enrolled)
    else:  # both shown: the release made sure their difference is not small
        merely = Cell((enrolled.value or 0) - (completed.value or 0), k)
    threshold = completion_threshold()
    levels = []
    for lv in fig.by_level:
        e, c = levels_b.rows[lv]["enrolled"], levels_b.rows[lv]["completed"]
        pct = share(c, e)
        n_trained, n_ran = fig.by_level_trainers.get(lv, [0, 0])
        tc, rc = val(n_trained), val(n_ran)
        levels.append(
            {
                "generation": lv,
                "enrolled": e,
                "completed": c,
                "completion": pct,
                "attrition": _attrition(c, e),
                "thin": pct != "–"
                and e.value is not None
                and e.value > 0
                and (c.value or 0) * 100 < threshold * e.value,
                "trained_trainers": tc,
                "replicating": rc,
                "replication": share(rc, tc),
                "bar": 0,
            }
        )
    # Bars relative to the largest generation, from shown figures only.
    top = max((row["completed"].value or 0 for row in levels), default=0)
    for row in levels:
        done = row["completed"].value or 0
        row["bar"] = max(1, round(100 * done / top)) if done and top else 0
    sex_rows = rel.breakdowns["sex"].rows
    age_rows = rel.breakdowns["age"].rows
    dept_rows = rel.breakdowns["department"].rows
    departments = [
        {
            "department_id": key[0],
            "department": key[1] or str(_("No department recorded")),
            "enrolled": cells["enrolled"],
            "completed": cells["completed"],
            "completion": share(cells["completed"], cells["enrolled"]),
        }
        for key, cells in dept_rows.items()
    ]
    median = fig.median_days_to_first
    sex_labels = dict(_sex_choices())
    # Contacts and headcounts sum attendance: two readings a session apart would give that
    # session's attendance, so they are not in a viewer's release (ADR 0006).
    contacts, headcount = val(fig.contacts), val(fig.headcount)
    return {
        "enrolled": enrolled,
        "completed": completed,
        "merely_enrolled": merely,
        "contacts": contacts,
        "headcount_contacts": headcount,
        "cohorts": cohorts(fig.cohorts),
        "tot_cohorts": cohorts(fig.tot_cohorts),
        "direct": direct,
        "multiplier": _ratio(completed, direct),
        "completion": share(completed, enrolled),
        "trained_trainers": trained,
        "replicating": replicating,
        "replication_rate": share(replicating, trained),
        "median_days_to_first_cohort": (
            None if median is None or (not exact and replicating.suppressed) else round(median)
        ),
        "levels": levels,
        "by_sex": [
            {"key": s, "label": sex_labels.get(s, s), "completed": c["completed"]}
            for s, c in sex_rows.items()
        ],
        "by_age": [
            {"key": a, "label": label, "completed": age_rows[a]["completed"]}
            for a, label in AGE_BANDS
        ],
        "departments": departments,
        "departments_total": completed,
        "breakdowns_published": {name: b.published for name, b in rel.breakdowns.items()},
        "idle_trainers": val(len(fig.idle)),
        "idle_list": fig.idle[:50] if exact else [],
        "idle_months": idle_months(),
        "version_mismatch_cohorts": cohorts(fig.version_mismatch),
        "uncertified_cohorts": cohorts(fig.uncertified_cohorts),
        "thin_generations": [lv["generation"] for lv in levels if lv["thin"]],
        # Whether "no generation is thin" can be said: only when every generation is shown.
        "thin_known": all(lv["completion"] != "–" or not lv["enrolled"].value for lv in levels),
        "completed_generations": sum(1 for v in fig.by_level.values() if v[1]),
        "completion_threshold": threshold,
        "tree": [{"depth": d, "people": val(n)} for d, n in fig.tree.items()],
        "suppressed": not exact,
    }


def _attrition(c: Cell, e: Cell) -> str:
    if c.suppressed or e.suppressed or not e.value:
        return "–"
    return f"{round(100 * (e.value - (c.value or 0)) / e.value)}%"


def _sex_choices() -> list[tuple[str, Any]]:

    return list(Sex.choices)


# ---------------------------------------------------------------- lists and look-ups


def program_cascade_list(*, user: Any) -> list[Any]:
    """Programs the user may see, each with its people trained (from the lineage)."""

    return list(program_list(user=user).order_by("name"))


def trainer_get(*, user: Any, pk: Any) -> Any:
    """A trainer whose tree the user may see: people access is needed (the tree is about a
    person). Unknown or foreign -> NotFoundError."""

    if not scope.has(user, Cap.VIEW_PEOPLE):
        raise NotFoundError()
    return person_get(user=user, pk=pk)


@dataclass(frozen=True)
class TrainerFigures:
    """A trainer as every page shows her: the program page's lists, her own page, the tree."""

    person_id: int
    code: str
    generation: int  # 0 also for someone not in the cascade yet (no ``Lineage`` row)
    in_cascade: bool  # trained someone or was trained (has a ``Lineage`` row)
    direct: int  # people she trained directly
    reach: int  # everyone downstream of her, once

    @property
    def multiplier(self) -> float | str:
        """A number (templates localize it: "3,6" in Spanish), or "–"."""
        return round(self.reach / self.direct, 1) if self.direct else "–"


def trainer_figures(*, person_ids: list[int], user: Any = None) -> dict[int, TrainerFigures]:
    """The one definition of a trainer's generation and of "trained directly", for every
    page that shows a trainer (issue 7):

    - **generation**: ``Lineage.generation``, 0 for someone whose own training is not
      recorded; a cohort delivers generation 1 + the lowest generation of its facilitators;
    - **trained directly**: the people who completed a cohort she facilitated (a
      ``TrainingEdge``; never herself), in any program: ``Reach`` at depth 1;
    - **reach**: everyone downstream (``Reach``), each once.

    Exact figures about named people: callers show them only to roles with access to
    people (``Scope.sees_people``), and with ``user`` count only the people downstream
    that user may see (S2: a tree crosses organizations and cohorts)."""
    ids = sorted({int(pk) for pk in person_ids})
    if not ids:
        return {}
    t = _tables()
    marks = ", ".join(["%s"] * len(ids))
    vis, seen, vparams = people_visible(user, "r.descendant_id")
    sql = f"""{vis}
        SELECT p.id, p.code, li.generation,
          (SELECT COUNT(*) FROM {t["re"]} r WHERE r.ancestor_id = p.id AND r.depth = 1{seen}),
          (SELECT COUNT(*) FROM {t["re"]} r WHERE r.ancestor_id = p.id{seen})
        FROM {t["pe"]} p LEFT JOIN {t["li"]} li ON li.person_id = p.id
        WHERE p.id IN ({marks})
    """  # noqa: S608
    return {
        r[0]: TrainerFigures(
            person_id=r[0],
            code=r[1],
            generation=int(r[2] or 0),
            in_cascade=r[2] is not None,
            direct=int(r[3]),
            reach=int(r[4]),
        )
        for r in _rows(sql, [*vparams, *ids])
    }


def level_trainers(*, sc: Scope, generation: int, limit: int = 100) -> list[dict[str, Any]]:
    """Who trained a generation of a program: the facilitators of the cohorts that deliver
    it (a cohort at level ``generation`` is run by trainers of generation
    ``generation - 1`` at the lowest), each with the cohorts they ran there and their
    figures as on their own page (``trainer_figures``)."""
    t = _tables()
    cohorts_sql, cparams = _cohorts_sql(sc)
    sql = f"""
        SELECT f.person_id, COUNT(DISTINCT c.id)
        FROM {t["co"]} c JOIN {t["cf"]} f ON f.cohort_id = c.id
        LEFT JOIN {t["lv"]} l ON l.cohort_id = c.id
        WHERE c.id IN ({cohorts_sql}) AND COALESCE(l.generation, 1) = %s
        GROUP BY f.person_id
    """  # noqa: S608
    cohorts = dict(_rows(sql, cparams + [generation]))
    figures = trainer_figures(person_ids=list(cohorts), user=sc.user)
    rows: list[dict[str, Any]] = [
        {
            "person_id": pk,
            "code": fig.code,
            "cohorts": int(cohorts[pk]),
            "generation": fig.generation,
            "direct": fig.direct,
            "reach": fig.reach,
        }
        for pk, fig in figures.items()
    ]
    rows.sort(key=lambda r: (-int(r["reach"]), str(r["code"])))
    return rows[:limit]


def trainer_children(*, user: Any, trainer: Any, limit: int = 200) -> list[dict[str, Any]]:
    """People a trainer trained directly whom ``user`` may see (S2: she may have trained
    people of cohorts or organizations this user does not reach), with their own figures:
    one level of the tree."""
    direct = Reach.objects.filter(ancestor_id=trainer.pk, depth=1).values("descendant_id")
    ids = list(person_list(user=user).filter(pk__in=direct).values_list("pk", flat=True))
    figures = trainer_figures(person_ids=ids, user=user)
    rows: list[dict[str, Any]] = [
        {"person_id": pk, "code": f.code, "generation": f.generation, "reach": f.reach}
        for pk, f in figures.items()
    ]
    rows.sort(key=lambda r: (-int(r["reach"]), str(r["code"])))
    return rows[:limit]


def trainer_lineage(*, user: Any, trainer: Any) -> dict[str, Any]:
    row = Lineage.objects.filter(person_id=trainer.pk).select_related("program").first()
    certs = list(
        Certification.objects.filter(person_id=trainer.pk).select_related(
            "cohort__program", "curriculum_version__curriculum"
        )
    )
    return {
        "lineage": row,
        "certifications": certs,
        "certified": bool(certs),
        "figures": trainer_figures(person_ids=[trainer.pk], user=user).get(trainer.pk),
    }


def reach_count(*, person_id: int) -> int:
    """Distinct people downstream of a person: one count over an index range."""
    table = connection.ops.quote_name(Reach._meta.db_table)
    return int(_rows(f"SELECT COUNT(*) FROM {table} WHERE ancestor_id = %s", [person_id])[0][0])  # noqa: S608


def largest_trainer() -> int | None:
    """The person with the largest reach (for benchmarks and the demo)."""
    from django.db.models import Count

    row = (
        Reach.objects.values("ancestor_id")
        .annotate(n=Count("descendant_id"))
        .order_by("-n")
        .first()
    )
    return row["ancestor_id"] if row else None


def program_generations(*, program: Any) -> dict[int, int]:
    """People trained per generation, for those whose lowest generation came through this
    program: one count over the ``(program, generation)`` index. Operator use (benchmarks,
    CLI); pages use ``cascade_figures``, which is scoped and suppressed."""
    from django.db.models import Count

    rows = (
        Lineage.objects.filter(program_id=program.pk)
        .values_list("generation")
        .annotate(n=Count("person_id"))
        .order_by("generation")
    )
    return {int(g): n for g, n in rows}
