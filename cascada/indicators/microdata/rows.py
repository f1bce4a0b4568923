"""The rows of a microdata export before they are written: one per consenting
participant, read in a few queries, and the small-group rule that protects them
(docs/decisions/microdata.md). Internal ids never leave this module in a row."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cascada.cascade.models import Certification
from cascada.cascade.selectors import age_band_key
from cascada.measurement.models import Response, RoundKind
from cascada.registry.consent import reportable
from cascada.trainings.models import CohortFacilitator, Enrolment, EnrolmentStatus

from ..sources.attitudes import DHS, GEM

# Marks of a value that is not given. ``WITHHELD``: held back by the small-group rule.
WITHHELD = "*withheld*"
OTHER = "*other*"
UNKNOWN = "*unknown*"

# The key: characteristics of a man that someone who knows him (a fellow participant, a
# neighbour) could know from outside, and so use to find his row. In the order the
# small-group rule withholds them (the first the least needed for the analysis and the
# most splitting); department and organization are pooled into "Other" instead.
KEY = ("age_band", "kind", "trainer", "generation", "sex", "department", "organization")


@dataclass
class Person:
    """One participant's row before it is written (internal ids never leave here)."""

    person_id: int
    sex: str
    age_band: str
    department: Any  # a department's id, UNKNOWN, OTHER or WITHHELD
    generation: Any
    kind: Any
    sessions: int
    completed: bool
    certified: bool | None  # None: withheld with ``ran`` (the "trainer" characteristic)
    ran: bool
    gem_before: float | None = None
    gem_after: float | None = None
    justify_before: bool | None = None
    justify_after: bool | None = None
    organization: Any = None  # the organization's id, or OTHER (when in the key)

    @property
    def trainer(self) -> Any:
        return WITHHELD if self.certified is None else (self.certified, self.ran)

    def key(self, with_organization: bool) -> tuple[Any, ...]:
        return tuple(getattr(self, a) for a in KEY if with_organization or a != "organization")


# ---------------------------------------------------------------- reading


def people_read(cohorts: Any, today: dt.date) -> dict[int, Person]:
    """One row per consenting person enrolled in ``cohorts``: their enrolments grouped."""
    enrolments = reportable(
        Enrolment.objects.filter(cohort__in=cohorts, status=EnrolmentStatus.ENROLLED),
        person="person",
    ).values_list(
        "person_id",
        "person__organization_id",
        "person__sex",
        "person__birth_year",
        "cohort__start_date",
        "cohort__kind",
        "cohort__place__department_id",
        "cohort__level__generation",
        "sessions_attended",
        "completed",
    )
    people: dict[int, Person] = {}
    # The main enrolment (its department and kind): the first cohort completed, else the
    # first joined. The generation is the cascade's: the lowest completed, else lowest.
    main: dict[int, tuple[bool, dt.date]] = {}
    lowest: dict[int, tuple[bool, int]] = {}
    for pid, org, sex, birth, start, kind, dep, gen, sessions, done in enrolments.order_by(
        "cohort__start_date", "cohort_id"
    ):
        gen = gen or 1  # a cohort without a level delivers generation 1 (cascade)
        rank = (not done, start)
        p = people.get(pid)
        if p is None:
            p = people[pid] = Person(
                person_id=pid,
                sex=sex,
                age_band=age_band_key(birth, today.year),
                department=dep if dep is not None else UNKNOWN,
                generation=gen,
                kind=kind,
                sessions=0,
                completed=False,
                certified=False,
                ran=False,
                organization=org,
            )
            main[pid], lowest[pid] = rank, (not done, gen)
        elif rank < main[pid]:
            p.department, p.kind, main[pid] = (dep if dep is not None else UNKNOWN), kind, rank
        if (not done, gen) < lowest[pid]:
            lowest[pid] = (not done, gen)
            p.generation = gen
        p.sessions += int(sessions or 0)
        p.completed = p.completed or bool(done)

    # Trained trainers: a certification from a cohort in scope; replicating: a cohort they
    # facilitate that started on or after it (the cascade's rule, cascade_figures).
    granted: dict[int, dt.date | None] = {}
    for pid, on in Certification.objects.filter(cohort__in=cohorts).values_list(
        "person_id", "granted_on"
    ):
        if pid in people:
            people[pid].certified = True
            earlier = granted.get(pid)
            if on is not None and (earlier is None or on < earlier):
                granted[pid] = on
    runs = CohortFacilitator.objects.filter(
        person_id__in=Certification.objects.filter(cohort__in=cohorts).values("person_id")
    ).values_list("person_id", "cohort__start_date")
    for pid, start in runs:
        since = granted.get(pid)
        if pid in people and since is not None and start >= since:
            people[pid].ran = True
    _attitudes(people, cohorts)
    return people


def _attitudes(people: dict[int, Person], cohorts: Any) -> None:
    """GEM before/after of one cohort (the pair whose endline is latest) and the DHS items
    at the latest baseline and endline, for the people of ``people``. Shipped instruments
    only; anonymous answers name nobody and cannot join a row."""
    answers = (
        Response.objects.filter(
            round__cohort__in=cohorts,
            round__version__instrument__code__in=[GEM, DHS],
            round__version__instrument__organization__isnull=True,
            round__kind__in=[RoundKind.BASELINE, RoundKind.ENDLINE],
            total__isnull=False,
            person__isnull=False,
        )
        .order_by("round__opens_on", "round_id")
        .values_list(
            "person_id",
            "round__cohort_id",
            "round__kind",
            "round__version__instrument__code",
            "total",
        )
    )
    gem: dict[tuple[int, int], dict[str, float]] = {}
    for pid, cohort, kind, code, total in answers:
        p = people.get(pid)
        if p is None:
            continue
        if code == DHS:
            justifies = (total or 0.0) > 0  # each "yes" scores 1 (measurement.shipped)
            if kind == RoundKind.BASELINE:
                p.justify_before = justifies
            else:
                p.justify_after = justifies
            continue
        # Re-inserted at each answer: the pairs end up in the order of their last round.
        sides = gem.pop((pid, cohort), {})
        sides[kind] = float(total or 0.0)  # never None: filtered above
        gem[(pid, cohort)] = sides
    # The pair of the latest round wins: the dictionary keeps insertion order.
    for (pid, _cohort), sides in gem.items():
        if len(sides) == 2:
            people[pid].gem_before = sides[RoundKind.BASELINE]
            people[pid].gem_after = sides[RoundKind.ENDLINE]


# ---------------------------------------------------------------- small groups


def _pool(rows: Sequence[Person], attr: str, k: int) -> None:
    """Values shared by ``k`` rows or fewer become OTHER; while OTHER itself holds 1..k
    rows, the smallest remaining value joins it (a lone "Other" would be as telling).
    "k or fewer" is S17's count: a count from 1 to k is never shown, so no group of 1 to k
    rows is either."""
    sizes = Counter(getattr(r, attr) for r in rows)
    pooled = {v for v, n in sizes.items() if n <= k}
    while 0 < sum(sizes[v] for v in pooled) <= k:
        rest = [v for v in sizes if v not in pooled]
        if not rest:
            break
        pooled.add(min(rest, key=lambda v: (sizes[v], str(v))))
    for r in rows:
        if getattr(r, attr) in pooled:
            setattr(r, attr, OTHER)


def protect(rows: list[Person], *, k: int, with_organization: bool) -> tuple[list[Person], int]:
    """The small-group rule (docs/decisions/microdata.md): after pooling departments and
    organizations with ``k`` rows or fewer, every row whose key is shared by ``k`` rows
    or fewer has the key's characteristics withheld, one at a time in ``KEY``'s order
    (department and organization: pooled as OTHER), recounting after each; a withheld
    value is a value of its own, matching nothing else. Rows still in a group of ``k``
    or fewer are left out. Returns the rows kept and how many were left out."""
    _pool(rows, "department", k)
    if with_organization:
        _pool(rows, "organization", k)
    for attr in KEY:
        if attr == "organization" and not with_organization:
            continue
        sizes = Counter(r.key(with_organization) for r in rows)
        small = [r for r in rows if sizes[r.key(with_organization)] <= k]
        if not small:
            break
        for r in small:
            if attr == "trainer":
                r.certified = None
            elif attr in ("department", "organization"):
                setattr(r, attr, OTHER)
            else:
                setattr(r, attr, WITHHELD)
    sizes = Counter(r.key(with_organization) for r in rows)
    kept = [r for r in rows if sizes[r.key(with_organization)] > k]
    return kept, len(rows) - len(kept)
