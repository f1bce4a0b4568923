"""A reproducible synthetic country, for benchmarks and load tests.

``synth_country(people=100_000, seed=N)`` writes straight into the tables (one multi-row
``INSERT`` per batch, explicit ids), bypassing the services for speed, then runs
``lineage_rebuild`` so the cascade tables are exactly what the services would have kept.

Shape at 100,000 people: four programs, each a cascade of six generations of trainers
(3 national trainers each, ToT cohorts multiplying them about 3× per generation), about
20,000 cohorts (ToT cohorts, multi-week courses, a few headcount-only workshops), about
2 million attendance marks, completion falling with each generation, a fifth of trainers
never running a cohort, curriculum version 2 from 2024 on.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

PROGRAMS = [
    ("Cascada Nacional de Promotores", False),
    ("Hombres de Miércoles", True),
    ("Entre Pares", False),
    ("Líderes Locales", False),
]
GENERATIONS = 6  # trainers of generations 0..5; their cohorts reach generation 6
START = dt.date(2021, 1, 4)
END = dt.date(2026, 10, 30)


@dataclass
class _Ids:
    next: dict[str, int] = field(default_factory=dict)

    def take(self, model: type[models.Model]) -> int:
        table = model._meta.db_table
        if table not in self.next:
            top = model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self.next[table] = top + 1
        value = self.next[table]
        self.next[table] += 1
        return value


class _Writer:
    """Buffers rows per table and writes them with multi-row INSERTs."""

    def __init__(self) -> None:
        self.buffers: dict[type[models.Model], list[Sequence[Any]]] = {}
        self.columns: dict[type[models.Model], list[str]] = {}
        self.counts: dict[str, int] = {}

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        if model not in self.columns:
            self.columns[model] = list(row)
        self.buffers.setdefault(model, []).append(tuple(row[c] for c in self.columns[model]))
        if len(self.buffers[model]) >= 5000:
            self.flush(model)

    def flush(self, model: type[models.Model] | None = None) -> None:
        for m in [model] if model else list(self.buffers):
            rows = self.buffers.get(m) or []
            if not rows:
                continue
            cols = self.columns[m]
            table = connection.ops.quote_name(m._meta.db_table)
            fields = {f.attname: f.column for f in m._meta.concrete_fields if f.column is not None}
            names = ", ".join(connection.ops.quote_name(fields[c]) for c in cols)
            per_row = "(" + ", ".join(["%s"] * len(cols)) + ")"
            step = max(1, 30000 // len(cols)) if connection.vendor == "sqlite" else 2000
            with connection.cursor() as cur:
                for i in range(0, len(rows), step):
                    chunk = rows[i : i + step]
                    sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join(  # noqa: S608
                        [per_row] * len(chunk)
                    )
                    cur.execute(sql, [v for r in chunk for v in r])
            self.counts[m._meta.db_table] = self.counts.get(m._meta.db_table, 0) + len(rows)
            self.buffers[m] = []


def _growth(trainers: float, roots: int) -> float:
    """Factor f with roots × (1 + f + ... + f^5) ≈ trainers."""
    lo, hi = 1.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if roots * sum(mid**g for g in range(GENERATIONS)) < trainers:
            lo = mid
        else:
            hi = mid
    return lo


def _departments() -> list[tuple[int | None, int | None]]:
    """(department id, a place inside it) for Peru's departments, if loaded."""
    from cascada.registry.models import Place

    deps = list(
        Place.objects.filter(country="PE", level="department")
        .order_by("code")
        .values_list("pk", flat=True)
    )
    if not deps:
        return [(None, None)]
    inside: dict[int | None, int] = {}
    for pk, dep in (
        Place.objects.filter(country="PE", department_id__in=deps)
        .exclude(level="department")
        .order_by("code")
        .values_list("pk", "department_id")
    ):
        inside.setdefault(dep, pk)
    return [(d, inside.get(d, d)) for d in deps]


@transaction.atomic
def synth_country(*, people: int = 100_000, seed: int = 1, rebuild: bool = True) -> dict[str, Any]:
    from cascada.curricula.models import Curriculum, CurriculumVersion
    from cascada.registry.models import Organization, Person
    from cascada.trainings.models import (
        Attendance,
        Cohort,
        CohortFacilitator,
        Enrolment,
        Program,
        Session,
    )

    from .services import lineage_rebuild

    rng = random.Random(seed)
    now = timezone.now()
    ids = _Ids()
    w = _Writer()
    places = _departments()
    tag = f"S{seed}"
    if Organization.objects.filter(name__startswith=f"Sintética {tag} ").exists():
        # ``gettext``, not ``_``: this function uses ``_`` as a throwaway loop variable.
        from django.utils.translation import gettext

        from cascada.core.errors import ApplicationError

        raise ApplicationError(gettext("A synthetic country with this seed already exists."))

    target_cohorts = max(people // 5, 20)
    per_trainer_cohorts = 4.5
    roots = 3
    factor = _growth(target_cohorts / per_trainer_cohorts / len(PROGRAMS), roots)
    budget = {"people": people}
    person_seq = {"n": 0}

    def new_person(org_id: int, place: tuple[int | None, int | None], gen: int) -> int:
        pk = ids.take(Person)
        person_seq["n"] += 1
        budget["people"] -= 1
        year = rng.randint(1960, 2006)
        w.add(
            Person,
            {
                "id": pk,
                "code": f"{tag}{person_seq['n']:07d}"[-12:],
                "sex": rng.choices(["male", "female", "other", "not_stated"], [78, 19, 1, 2])[0],
                "birth_year": year if rng.random() > 0.05 else None,
                "birth_year_estimated": False,
                "place_id": place[1],
                "organization_id": org_id,
                "reporting_consent": rng.random() < 0.9,
                "merged_into_id": None,
                "created_by_id": None,
                "created_at": now,
                "updated_at": now,
            },
        )
        return pk

    stats = {"cohorts": 0, "enrolments": 0, "attendance": 0}

    def add_cohort(
        *,
        program_id: int,
        kind: str,
        start: dt.date,
        place: tuple[int | None, int | None],
        facilitators: Iterable[int],
        trainees: list[tuple[int, bool]],
        sessions: int,
        versions: tuple[int, int],
        headcount: int | None = None,
    ) -> dt.date:
        cid = ids.take(Cohort)
        stats["cohorts"] += 1
        version = versions[0] if start < dt.date(2024, 1, 1) else versions[1]
        # Every synthetic cohort is over by END (the time rules: attendance only on days
        # already past, completion final only once a cohort ended): weekly, closer together
        # when END comes first.
        step = min(7, (END - start).days // max(sessions - 1, 1))
        dates = [start + dt.timedelta(days=step * i) for i in range(sessions)]
        w.add(
            Cohort,
            {
                "id": cid,
                "program_id": program_id,
                "name": f"{kind.upper()}-{cid}",
                "kind": kind,
                "modality": "in_person",
                "curriculum_version_id": version,
                "place_id": place[1],
                "start_date": start,
                "end_date": dates[-1],
                "status": "closed",
                "closed_on": None,
                "completion_rule": "attendance",
                "min_attendance_pct": 80,
                "created_by_id": None,
                "created_at": now,
                "updated_at": now,
            },
        )
        for i, f in enumerate(dict.fromkeys(facilitators)):
            w.add(
                CohortFacilitator,
                {
                    "id": ids.take(CohortFacilitator),
                    "cohort_id": cid,
                    "person_id": f,
                    "is_lead": i == 0,
                },
            )
        session_ids = []
        for n, day in enumerate(dates, start=1):
            sid = ids.take(Session)
            session_ids.append(sid)
            w.add(
                Session,
                {
                    "id": sid,
                    "cohort_id": cid,
                    "number": n,
                    "date": day,
                    "start_time": None,
                    "module_id": None,
                    "title": "",
                    "cancelled": False,
                    "headcount": headcount,
                    "attendance_taken_at": now,
                },
            )
        need = math.ceil(0.8 * sessions)
        for person_id, completes in trainees:
            eid = ids.take(Enrolment)
            attended = (
                rng.randint(need, sessions) if completes else rng.randint(0, max(need - 1, 0))
            )
            marks = set(rng.sample(range(sessions), attended))
            last = max(marks) if marks else None
            w.add(
                Enrolment,
                {
                    "id": eid,
                    "cohort_id": cid,
                    "person_id": person_id,
                    "status": "enrolled",
                    "enrolled_on": start,
                    "sessions_attended": attended,
                    "meets_rule": completes,
                    "completed": completes,
                    "completed_on": dates[last] if completes and last is not None else None,
                },
            )
            stats["enrolments"] += 1
            for i, sid in enumerate(session_ids):
                w.add(
                    Attendance,
                    {
                        "id": ids.take(Attendance),
                        "session_id": sid,
                        "enrolment_id": eid,
                        "status": "present" if i in marks else "absent",
                    },
                )
                stats["attendance"] += 1
        return dates[-1]

    # organizations, curricula, programs
    programs = []
    for i, (name, court) in enumerate(PROGRAMS):
        org = Organization.objects.create(name=f"Sintética {tag} {i + 1}", kind="ngo")
        curriculum = Curriculum.objects.create(organization=org, title=f"{name} ({tag})")
        v1 = CurriculumVersion.objects.create(curriculum=curriculum, number=1, frozen_at=now)
        v2 = CurriculumVersion.objects.create(curriculum=curriculum, number=2, frozen_at=now)
        program = Program.objects.create(owner=org, name=f"{name} {tag}", is_court_mandated=court)
        programs.append((program, org, (v1.pk, v2.pk)))

    # the trainers' tree, generation by generation, per program
    community: list[tuple[Any, Any, tuple[int, int], int, int, dt.date, Any]] = []
    for program, org, versions in programs:
        level = []
        for _ in range(roots):
            place = rng.choice(places)
            level.append((new_person(org.pk, place, 0), place, START))
        everyone = list(level)
        for g in range(1, GENERATIONS):
            wanted = max(1, round(roots * factor**g))
            completion = 0.85 - 0.03 * g
            active = [t for t in level if rng.random() < 0.85] or level[:1]
            made: list[tuple[int, Any, dt.date]] = []
            k = 0
            while len(made) < wanted:
                trainer, place, ready = active[k % len(active)]
                k += 1
                start = min(ready + dt.timedelta(days=rng.randint(30, 150)), END)
                co = [trainer]
                if rng.random() < 0.15 and len(active) > 1:
                    co.append(rng.choice(active)[0])
                size = rng.randint(10, 14)
                trainees = []
                for _ in range(size):
                    pid = new_person(org.pk, place, g)
                    done = rng.random() < completion
                    trainees.append((pid, done))
                last = add_cohort(
                    program_id=program.pk,
                    kind="tot",
                    start=start,
                    place=place,
                    facilitators=co,
                    trainees=trainees,
                    sessions=5,
                    versions=versions,
                )
                made.extend((pid, place, last) for pid, done in trainees if done)
            level = made[:wanted] + made[wanted:]
            everyone.extend(level)
        for trainer, place, ready in everyone:
            if rng.random() < 0.8:
                community.append((program, org, versions, trainer, 0, ready, place))

    # community cohorts, spread over the trainers who replicate
    n_community = max(target_cohorts - stats["cohorts"], len(community))
    per = n_community / max(len(community), 1)
    pools: dict[int, list[int]] = {}
    plan = []
    for program, org, versions, trainer, _z, ready, place in community:
        count = int(per) + (1 if rng.random() < per - int(per) else 0)
        for j in range(count):
            plan.append((program, org, versions, trainer, ready, place, j))
    remaining_cohorts = len(plan)
    for program, org, versions, trainer, ready, place, j in plan:
        start = min(ready + dt.timedelta(days=rng.randint(20, 240) + 60 * j), END)
        gen_completion = 0.8
        if rng.random() < 0.05:
            add_cohort(
                program_id=program.pk,
                kind="workshop",
                start=start,
                place=place,
                facilitators=[trainer],
                trainees=[],
                sessions=1,
                versions=versions,
                headcount=rng.randint(15, 80),
            )
            remaining_cohorts -= 1
            continue
        size = rng.randint(8, 12)
        fresh = min(size, max(budget["people"] // max(remaining_cohorts, 1), 0))
        pool = pools.setdefault(program.pk, [])
        trainees = []
        chosen = set()
        for _ in range(fresh):
            pid = new_person(org.pk, place, 6)
            pool.append(pid)
            chosen.add(pid)
            trainees.append((pid, rng.random() < gen_completion))
        while len(trainees) < size and len(pool) > len(chosen) + 5:
            pid = rng.choice(pool)
            if pid in chosen or pid == trainer:
                continue
            chosen.add(pid)
            trainees.append((pid, rng.random() < gen_completion))
        add_cohort(
            program_id=program.pk,
            kind=rng.choice(["course", "course", "recurring", "intensive"]),
            start=start,
            place=place,
            facilitators=[trainer],
            trainees=trainees,
            sessions=rng.randint(6, 14),
            versions=versions,
        )
        remaining_cohorts -= 1
    # People registered but never enrolled make up the rest of the requested number.
    while budget["people"] > 0:
        new_person(programs[rng.randrange(len(programs))][1].pk, rng.choice(places), 6)
    # Parents before children: people, cohorts, then the rest.
    for model in (Person, Cohort, CohortFacilitator, Session, Enrolment, Attendance):
        w.flush(model)
    _reset_sequences([Person, Cohort, CohortFacilitator, Session, Enrolment, Attendance])
    out: dict[str, Any] = {
        "people": person_seq["n"],
        "programs": len(programs),
        **stats,
    }
    if rebuild:
        out["lineage"] = lineage_rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh planner statistics after a bulk load
    return out


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), model_list):
            cur.execute(sql)
