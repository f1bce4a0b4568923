"""Filling the fill table (STYLE principle 5; docs/decisions/indicators.md).

- ``fill(family, scope)`` recomputes one family of sources for one scope and replaces its
  facts in one transaction, with its ledger row: idempotent (run twice, the same rows),
  and a fill that crashes leaves the previous facts, never half of them.
- ``mark_programs`` / ``mark_organization``: news of a late import, an edit or a consent
  withdrawal (``receivers.py``) marks the ledger rows it touches ``dirty``; a fill marks
  its row ``filling`` before reading, so news that arrives meanwhile leaves it dirty.
- ``fill_due()``: what the schedule runs (``cascada indicators_fill``, and the worker
  every few minutes): new scopes get a ledger row, a new year refills (age bands are the
  year's), and every dirty row is filled.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Fact, FillState, FillStatus
from .places import PLACES
from .sources import FAMILIES, SOURCES, load

logger = logging.getLogger(__name__)

PROGRAM_FAMILIES = ("people", "sessions", "community", "attitudes")


def scope_key(family: str, scope: Any) -> str:
    """The ledger's name of a scope: "p<program id>" or "o<organization id>"."""
    load()
    if FAMILIES[family].scope == "program":
        program_id = scope[0] if isinstance(scope, tuple) else scope
        return f"p{int(program_id)}"
    return f"o{int(scope)}"


def _scope_of(key: str) -> Any:
    from cascada.trainings.models import Program

    if key.startswith("p"):
        program = Program.objects.filter(pk=int(key[1:])).values_list("pk", "owner_id").first()
        return program
    return int(key[1:])


def _facts_of(family: str, key: str) -> Q:
    sources = [s.key for s in SOURCES.values() if s.family == family]
    if key.startswith("p"):
        return Q(source__in=sources, program_id=int(key[1:]))
    return Q(source__in=sources, organization_id=int(key[1:]), program__isnull=True)


def fill(family: str, key: str, *, today: dt.date | None = None) -> FillState:
    """Recompute ``family`` for the scope named ``key`` and replace its facts."""
    load()
    today = today or timezone.localdate()
    clock = time.perf_counter()
    scope = _scope_of(key)
    state, _ = FillState.objects.get_or_create(source=family, scope=key)
    # Committed before reading: news during the fill turns the row dirty again (``_mark``).
    FillState.objects.filter(pk=state.pk).update(status=FillStatus.FILLING)
    if scope is None:  # the program is gone: its facts went with it (cascade)
        with transaction.atomic():
            Fact.objects.filter(_facts_of(family, key)).delete()
            FillState.objects.filter(pk=state.pk).delete()
        return state
    rows = FAMILIES[family].compute(scope, today)
    places = PLACES()
    facts = []
    for (source, month, sex, band, place, generation, kind), cell in rows.cells.items():
        department, province, district = places.levels(place)
        facts.append(
            Fact(
                source=source,
                organization_id=rows.organization_id,
                program_id=rows.program_id,
                month=month,
                sex=sex,
                age_band=band,
                department_id=department,
                province_id=province,
                district_id=district,
                generation=generation,
                kind=kind,
                value=cell[0],
                value_consenting=cell[1],
                base=cell[2],
                base_consenting=cell[3],
            )
        )
    with transaction.atomic():
        state = FillState.objects.select_for_update().get(pk=state.pk)
        Fact.objects.filter(_facts_of(family, key)).delete()
        Fact.objects.bulk_create(facts, batch_size=2000)
        # News that arrived while this fill was reading keeps the row dirty.
        state.status = FillStatus.DIRTY if state.status == FillStatus.DIRTY else FillStatus.DONE
        state.filled_at = timezone.now()
        state.filled_year = today.year
        state.rows = len(facts)
        state.seconds = round(time.perf_counter() - clock, 3)
        state.error = ""
        state.save()
    return state


def _mark(pairs: Iterable[tuple[str, str]]) -> int:
    """One UPDATE, and none of a row already dirty: a second mark of the same program
    within an import takes no lock (rows not dirty yet are the only ones written). A
    scope without a ledger row is new: ``ledger_complete`` adds it dirty."""
    pairs = list(pairs)
    if not pairs:
        return 0
    families = {f for f, _k in pairs}
    scopes = {k for _f, k in pairs}
    return (
        FillState.objects.filter(source__in=families, scope__in=scopes)
        .exclude(status=FillStatus.DIRTY)
        .update(status=FillStatus.DIRTY, marked_at=timezone.now())
    )


def mark_programs(program_ids: Iterable[int], families: Iterable[str] = PROGRAM_FAMILIES) -> int:
    """Mark the programs' families for refilling (news from below: ``receivers.py``)."""
    chosen = tuple(families)
    return _mark((f, f"p{int(pid)}") for pid in set(program_ids) for f in chosen)


def mark_organization(organization_id: int, family: str) -> int:
    return _mark([(family, f"o{int(organization_id)}")])


@dataclass
class FillReport:
    filled: list[tuple[str, str, int, float]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(r[2] for r in self.filled)


def ledger_complete(today: dt.date) -> None:
    """Every scope with something to fill has a ledger row (new ones dirty); rows filled in
    an earlier year are dirty again (age bands are the year's)."""
    load()
    existing = set(FillState.objects.values_list("source", "scope"))
    new = [
        FillState(source=key, scope=scope_key(key, scope))
        for key, family in FAMILIES.items()
        for scope in family.scopes()
        if (key, scope_key(key, scope)) not in existing
    ]
    FillState.objects.bulk_create(new, ignore_conflicts=True)
    FillState.objects.filter(status=FillStatus.DONE).exclude(filled_year=today.year).update(
        status=FillStatus.DIRTY, marked_at=timezone.now()
    )


def refresh_minutes() -> int:
    return int(getattr(settings, "CASCADA_INDICATORS_REFRESH_MINUTES", 60))


def fill_due(
    *,
    today: dt.date | None = None,
    everything: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> FillReport:
    """Fill what the ledger says is due (everything, with ``everything``): dirty rows, and
    the organization-wide families filled more than ``refresh_minutes()`` ago. The
    cascade's kept figures marked by writes are refreshed first."""
    from cascada.cascade.kept import refresh_marked

    # The cascade's kept figures first (cascade/kept.py): the marks writes left since
    # the last sweep, so that they never pile up for programs nobody opens.
    refresh_marked()
    today = today or timezone.localdate()
    ledger_complete(today)
    stale = timezone.now() - dt.timedelta(minutes=refresh_minutes())
    due = (
        FillState.objects.all()
        if everything
        else FillState.objects.filter(
            ~Q(status=FillStatus.DONE) | Q(scope__startswith="o", filled_at__lt=stale)
        )
    )
    report = FillReport()
    todo = list(due.order_by("source", "scope").values_list("source", "scope"))
    for n, (family, key) in enumerate(todo):
        if progress is not None:
            progress(n, len(todo))
        if family not in FAMILIES:
            FillState.objects.filter(source=family, scope=key).delete()
            continue
        try:
            state = fill(family, key, today=today)
        except Exception as exc:  # one scope's failure must not stop the others
            logger.exception("Filling %s for %s failed", family, key)
            FillState.objects.filter(source=family, scope=key).update(
                status=FillStatus.FAILED, error=type(exc).__name__[:200]
            )
            report.failed.append((family, key))
            continue
        report.filled.append((family, key, state.rows, state.seconds))
    return report
