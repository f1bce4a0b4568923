"""The sources of the fill table: what each area records, counted per scope, month and
subgroup (``models.Fact``). A *family* computes the sources that share their reading in
one pass for one scope (a program, or an organization for rows that belong to no
program); the ledger (``models.FillState``) has a row per family and scope.

Every source is additive over its columns, so that the dashboards add facts up instead of
reading the areas again:

- people are counted once per scope, in the month and subgroup of their first event in it
  (their first enrolment, their first completion): the sum over months of a period is the
  people new in that period, the sum over every month the people reached so far, and the
  sum over a breakdown's rows its total (a partition, as the disclosure control needs);
- the subgroups of a person are the cascade's (``cascade.selectors.cascade_figures``):
  their lowest generation (completed first), the department of a cohort they completed
  (else of one they joined), the age band in the year of filling, so that a viewer's
  figures here are the program's one release (ADR 0006), not a second one to difference;
- contacts, actions, amounts and referrals are events: they add up by nature;
- the exception is named: ``additive_in_time=False`` (people attending in a month: the
  same man attends in March and in April) is shown per month only.

``value`` and ``base`` are the numerator and the denominator where a source has both
(completed of enrolled; replicating of trained trainers; improved of matched).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    key: str
    family: str
    label: Any
    dims: tuple[str, ...]
    additive_in_time: bool = True
    # How a viewer's figures are protected (``present/``): "release" (the program's
    # one release of people, ADR 0006), "counts" (counts with a total, nested where the
    # source has a base: ``core.privacy.nested_release``), "statistics" (shares and means
    # of groups, measurement's rule: ``core.privacy.statistics_shown``) or "none" (an
    # organization's work: milestones, funds, quota cells, planned activities).
    control: str = "counts"
    # Safeguarding's counts: never by cohort, facilitator or place, and the court threshold
    # for organizations with a court-ordered group.
    sensitive: bool = False
    # Contacts and people attending in a month are not for viewers (ADR 0006: two readings
    # a session apart give that session's attendance).
    viewers: bool = True


@dataclass(frozen=True)
class Family:
    key: str
    scope: str  # "program" or "organization"
    compute: Callable[[Any, dt.date], FactRows]
    scopes: Callable[[], Iterable[Any]]  # the programs or organizations with anything to fill


def month_of(day: dt.date | str | None) -> dt.date | None:
    if day is None:
        return None
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    return day.replace(day=1)


@dataclass
class FactRows:
    """Facts being counted for one scope: key -> [value, value_consenting, base,
    base_consenting]."""

    organization_id: int
    program_id: int | None
    cells: dict[tuple[Any, ...], list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    )

    def add(
        self,
        source: str,
        month: dt.date,
        *,
        value: float = 0,
        base: float = 0,
        consenting: bool = True,
        sex: str = "",
        age_band: str = "",
        place: int | None = None,
        generation: int | None = None,
        kind: str = "",
    ) -> None:
        cell = self.cells[(source, month, sex or "", age_band or "", place, generation, kind or "")]
        cell[0] += value
        cell[2] += base
        if consenting:
            cell[1] += value
            cell[3] += base


SOURCES: dict[str, Source] = {}
FAMILIES: dict[str, Family] = {}


def register(family: Family, *sources: Source) -> None:
    FAMILIES[family.key] = family
    for source in sources:
        SOURCES[source.key] = source


PERSON_DIMS = ("sex", "age_band", "department", "province", "district", "generation")


def load() -> None:
    """Import the families (each registers itself)."""
    from . import attitudes, community, others, people  # noqa: F401
