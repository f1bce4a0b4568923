"""Indicators' writes (docs/decisions/indicators.md): an organization's own indicators, a
program's baseline and targets, and a refill asked for by hand. Each checks
``MANAGE_INDICATORS`` in the program's (or indicator's) organization and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.core.numbers import plain_number, typed

from . import periods as P
from .builtins import builtin_rows
from .models import Direction, Frequency, Indicator, Measure, PeriodTarget, Plan, Unit
from .sources import SOURCES, load

MAX_FIGURE = Decimal("999999999999")
# The source of an organization's indicator whose values are typed by hand, month by month
# (``reported.py``), beside the computed ones of ``sources.SOURCES``.
REPORTED = "reported"
# Units that are a level, not a flow: a period shows its months' ratio or last value
# (``reported.combine``); the others add up over months.
LEVEL_UNITS = frozenset({Unit.PERCENT, Unit.POINTS})
# A program's dates: a typing slip (year 1, year 9999) would make thousands of periods.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _require(actor: Any, organization_id: int) -> None:
    if actor is not None and not scope.has(actor, Cap.MANAGE_INDICATORS, organization_id):
        raise PermissionDeniedError()


def figure(value: Any, *, field: str, label: str, required: bool = False) -> Decimal | None:
    """A baseline or target as people type it in Peru and Bolivia ("1.200", "1 200", "45,5":
    ``commitments.money.typed``, the one reading of typed numbers), not negative."""
    text = typed(str(value if value is not None else ""))
    if not text:
        if required:
            raise ApplicationError(
                _("%(label)s is required.") % {"label": label}, extra={"field": field}
            )
        return None
    # Digits 0-9 and one decimal point only (``money.plain_number``, the one rule):
    # ``Decimal`` alone would take "1e9", "NaN", "Infinity", "1_000" and digits of other
    # scripts ("١٢").
    number = plain_number(text)
    if number is None:
        raise ApplicationError(
            _("%(label)s must be a number, such as 120 or 45,5.") % {"label": label},
            extra={"field": field},
        )
    if number < 0:
        raise ApplicationError(
            _("%(label)s must be a number from 0 up.") % {"label": label}, extra={"field": field}
        )
    if number > MAX_FIGURE:
        raise ApplicationError(
            _("%(label)s is too large: at most %(max)s.")
            % {"label": label, "max": f"{MAX_FIGURE:,}".replace(",", " ")},
            extra={"field": field},
        )
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def plan_save(
    *,
    actor: Any,
    indicator: Indicator,
    program: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    baseline: Any = None,
    baseline_on: dt.date | None = None,
    lop_target: Any = None,
    frequency: str = "",
    targets: Mapping[str, Any] | None = None,
) -> Plan:
    """Set an indicator's baseline and targets for a program. Periodic targets are named
    by period ("2026Q3") at the plan's frequency and lie within the program's dates; an
    empty target removes it. The life-of-program target is its own figure."""
    _require(actor, program.owner_id)
    if indicator.organization_id not in (None, program.owner_id):
        raise PermissionDeniedError()
    if ends_on < starts_on:
        raise ApplicationError(
            _("The program cannot end before it starts."), extra={"field": "ends_on"}
        )
    for day, field in ((starts_on, "starts_on"), (ends_on, "ends_on")):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ApplicationError(
                _("Give a date between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                extra={"field": field},
            )
    frequency = frequency or indicator.frequency
    if frequency not in Frequency.values:
        raise ApplicationError(_("Unknown frequency."), extra={"field": "frequency"})
    plan, _created = Plan.objects.update_or_create(
        indicator=indicator,
        program=program,
        defaults={
            "starts_on": starts_on,
            "ends_on": ends_on,
            "baseline": figure(baseline, field="baseline", label=_("The baseline")),
            "baseline_on": baseline_on,
            "lop_target": figure(
                lop_target, field="lop_target", label=_("The life-of-program target")
            ),
            "frequency": frequency,
        },
    )
    allowed = set(P.keys_between(starts_on, ends_on, frequency))
    kept: dict[str, Decimal] = {}
    for key, value in (targets or {}).items():
        if key not in allowed:
            raise ApplicationError(
                _("%(period)s is not a period of this program.") % {"period": key},
                extra={"field": f"target_{key}"},
            )
        number = figure(
            value,
            field=f"target_{key}",
            label=_("The target of %(period)s") % {"period": P.label(key)},
        )
        if number is not None:
            kept[key] = number
    plan.targets.exclude(period__in=list(kept)).delete()
    for key, number in kept.items():
        PeriodTarget.objects.update_or_create(plan=plan, period=key, defaults={"value": number})
    audit_record(
        actor=actor,
        action="indicator_plan",
        target=plan,
        detail={"into": program.pk, "count": len(kept)},
    )
    return plan


def reported_measure(unit: str) -> str:
    """What a hand-typed indicator's values are, by its unit: a percentage (typed, or a
    numerator over its denominator), a score, or an amount that adds up."""
    if unit == Unit.PERCENT:
        return Measure.RATIO
    return Measure.MEAN if unit == Unit.POINTS else Measure.VALUE


@transaction.atomic
def indicator_create(
    *,
    actor: Any,
    organization: Any,
    name_es: str,
    source: str,
    measure: str,
    unit: str,
    name_en: str = "",
    definition_es: str = "",
    direction: str = Direction.INCREASE,
    cumulative: bool = True,
    frequency: str = Frequency.QUARTER,
) -> Indicator:
    """An organization's own indicator, read from one of the sources with its own name,
    definition, direction and frequency (and its own targets, by ``plan_save``), or
    ``REPORTED``: values typed by hand per program and month (``reported.py``), whose
    measure follows from the unit and which is cumulative only when its values add up."""
    _require(actor, organization.pk)
    load()
    name_es = (name_es or "").strip()
    if not name_es:
        raise ApplicationError(_("Give the indicator a name."), extra={"field": "name_es"})
    src = SOURCES.get(source)
    if src is None and source != REPORTED:
        raise ApplicationError(_("Choose what the indicator counts."), extra={"field": "source"})
    if src is None:  # typed by hand: the unit says what a value is
        measure = reported_measure(unit) if unit in Unit.values else measure
        cumulative = cumulative and unit not in LEVEL_UNITS
    for value, choices, field in (
        (measure, Measure.values, "measure"),
        (unit, Unit.values, "unit"),
        (direction, Direction.values, "direction"),
        (frequency, Frequency.values, "frequency"),
    ):
        if value not in choices:
            raise ApplicationError(_("Choose one of the options."), extra={"field": field})
    code = slugify(name_es)[:34] or "indicador"
    base, n = code, 1
    while Indicator.objects.filter(organization=organization, code=code).exists() or (
        Indicator.objects.filter(organization__isnull=True, code=code).exists()
    ):
        n += 1
        code = f"{base}-{n}"
    indicator = Indicator(
        organization=organization,
        code=code,
        name_es=name_es[:200],
        name_en=(name_en or "").strip()[:200],
        definition_es=(definition_es or "").strip(),
        area=REPORTED
        if src is None
        else next((b["area"] for b in builtin_rows() if b["source"] == src.key), src.family),
        source=REPORTED if src is None else src.key,
        measure=measure,
        unit=unit,
        direction=direction,
        cumulative=cumulative,
        frequency=frequency,
        position=1000,
    )
    indicator.full_clean()
    indicator.save()
    audit_record(actor=actor, action="create", target=indicator)
    return indicator


def refresh_ask(*, actor: Any, organization: Any) -> Any:
    """ "Refresh now": a job that fills whatever is due (``jobs.fill``)."""
    from cascada.jobs.services import job_enqueue

    _require(actor, organization.pk)
    return job_enqueue(actor=actor, kind="indicators_fill", organization=organization)
