"""Values of an organization's own indicator typed by hand (issue 14;
docs/decisions/indicators.md, "Values reported by hand"): the figures an M&E officer keeps
that Cascada cannot count (ordinances approved, media pieces published, funds leveraged),
one per program and month.

- ``reported_value_save`` and ``reported_value_delete``: the writes, for
  ``MANAGE_INDICATORS`` in the program's owner, audited. One row per indicator, program and
  month: saving a month again changes its value, so a form sent twice writes once.
- ``monthly`` and ``combine``: what a period shows (``present.indicator_view``): amounts
  add up over the months of a period; a percentage or a score is its months' numerators
  over their denominators, or, without denominators, the last month's value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError

from .models import Indicator, ReportedValue, Unit
from .services import FIRST_YEAR, LAST_YEAR, LEVEL_UNITS, REPORTED, _require, figure

# Hand-typed counts of people are counts of people: a viewer gets them through the
# disclosure control's counts (``present/``); every other unit is the organization's work.
PEOPLE_UNITS = frozenset({Unit.PEOPLE, Unit.CONTACTS})
WHOLE_UNITS = PEOPLE_UNITS | {Unit.COUNT}  # no half of a person, a contact or an event

# "2026-03" (what a month field sends), "03/2026", "3-2026", "202603".
_MONTH = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$", re.ASCII),
    re.compile(r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$", re.ASCII),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$", re.ASCII),
)


def month_parse(value: Any) -> dt.date:
    """The first day of the month typed, between ``FIRST_YEAR`` and ``LAST_YEAR`` (the
    years a plan's dates may take)."""
    if isinstance(value, dt.date):
        year, month = value.year, value.month
    else:
        text = str(value or "").strip()
        if not text:
            raise ApplicationError(_("Give the month."), extra={"field": "month"})
        found = next((m for p in _MONTH if (m := p.match(text))), None)
        year, month = (int(found.group("y")), int(found.group("m"))) if found else (0, 0)
        if not 1 <= month <= 12:
            raise ApplicationError(
                _("Give the month as year and month, such as 2026-03."), extra={"field": "month"}
            )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ApplicationError(
            _("Give a month between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            extra={"field": "month"},
        )
    return dt.date(year, month, 1)


# ``recorded_by`` is empty when the system writes (``actor=None``: the demo, a migration);
# the model does not mark it blank, so ``full_clean`` leaves it to the database.
_SYSTEM = ["recorded_by"]


def _checked(actor: Any, indicator: Indicator, program: Any) -> None:
    _require(actor, program.owner_id)
    if indicator.organization_id != program.owner_id:
        raise PermissionDeniedError()
    if indicator.source != REPORTED:
        raise ApplicationError(
            _("This indicator is counted from the records: its values are not typed.")
        )


@transaction.atomic
def reported_value_save(
    *,
    actor: Any,
    indicator: Indicator,
    program: Any,
    month: Any,
    value: Any,
    base: Any = None,
    note: str = "",
) -> ReportedValue:
    """The indicator's value for the program in ``month`` (typed as people type numbers in
    Peru and Bolivia: ``services.figure``), with a denominator for a percentage or a score
    when the value is its numerator. A month already recorded is changed."""
    _checked(actor, indicator, program)
    day = month_parse(month)
    number = cast(Decimal, figure(value, field="value", label=_("The value"), required=True))
    if indicator.unit in WHOLE_UNITS and number != number.to_integral_value():
        raise ApplicationError(
            _("People, contacts and counts are whole numbers."), extra={"field": "value"}
        )
    denominator = figure(base, field="base", label=_("The denominator"))
    if indicator.unit == Unit.PERCENT and denominator is None and number > 100:
        raise ApplicationError(
            _("A percentage typed as such is at most 100: give its denominator instead."),
            extra={"field": "value"},
        )
    if denominator is not None and indicator.unit not in LEVEL_UNITS:
        raise ApplicationError(
            _("Only a percentage or a score has a denominator: leave it empty."),
            extra={"field": "base"},
        )
    if denominator == Decimal(0):
        raise ApplicationError(
            _("The denominator must be more than 0, or empty."), extra={"field": "base"}
        )
    if denominator is not None and number > denominator and indicator.unit == Unit.PERCENT:
        raise ApplicationError(
            _("The numerator of a percentage cannot be more than its denominator."),
            extra={"field": "value"},
        )
    fields = {
        "value": number,
        "base": denominator,
        "note": (note or "").strip()[:300],
        "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
    }
    row = ReportedValue.objects.filter(indicator=indicator, program=program, month=day).first()
    created = row is None
    if row is None:
        row = ReportedValue(indicator=indicator, program=program, month=day, **fields)
        row.full_clean(exclude=_SYSTEM)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # the same month saved a moment ago from another tab
            created = False
            row = ReportedValue.objects.get(indicator=indicator, program=program, month=day)
    if not created:
        for name, given in fields.items():
            setattr(row, name, given)
        row.full_clean(exclude=_SYSTEM)
        row.save()
    audit_record(
        actor=actor,
        action="create" if created else "update",
        target=row,
        detail={"into": program.pk, "code": indicator.code},
    )
    return row


@transaction.atomic
def reported_value_delete(*, actor: Any, indicator: Indicator, program: Any, month: Any) -> None:
    _checked(actor, indicator, program)
    day = month_parse(month)
    row = ReportedValue.objects.filter(indicator=indicator, program=program, month=day).first()
    if row is None:
        raise ApplicationError(_("Nothing is recorded for that month."), extra={"field": "month"})
    audit_record(
        actor=actor,
        action="delete",
        target=row,
        detail={"into": program.pk, "code": indicator.code},
    )
    row.delete()


def reported_values(*, indicator: Indicator, program: Any) -> QuerySet[ReportedValue]:
    """The program's values of the indicator, newest month first (the caller has checked
    who asks)."""
    return ReportedValue.objects.filter(indicator=indicator, program=program).order_by("-month")


# ---------------------------------------------------------------- what a period shows


@dataclass
class Month:
    """A month's values over the programs read: all of them added up (``total``); those
    typed with a denominator (``based`` over ``base``) and those without (``plain``, from
    ``plain_n`` programs)."""

    total: float = 0.0
    based: float = 0.0
    base: float = 0.0
    plain: float = 0.0
    plain_n: int = 0


def monthly(indicator: Indicator, program_ids: list[int] | None) -> dict[dt.date, Month]:
    out: dict[dt.date, Month] = {}
    if not program_ids:
        return out
    rows = ReportedValue.objects.filter(indicator=indicator, program_id__in=program_ids)
    for month, value, base in rows.values_list("month", "value", "base"):
        cell = out.setdefault(month, Month())
        cell.total += float(value)
        if base is None:
            cell.plain += float(value)
            cell.plain_n += 1
        else:
            cell.based += float(value)
            cell.base += float(base)
    return out


def combine(months: list[Month], unit: str) -> float | None:
    """The value of a period made of ``months`` (in order; None when nothing is typed):
    amounts, counts and people add up; a percentage or a score is the numerators over the
    denominators of the months typed with one, else the last month's value (the mean of
    the programs' when several are read)."""
    if not months:
        return None
    if unit not in LEVEL_UNITS:
        return sum(m.total for m in months)
    base = sum(m.base for m in months)
    if base:
        ratio = sum(m.based for m in months) / base
        return 100 * ratio if unit == Unit.PERCENT else ratio
    last = next((m for m in reversed(months) if m.plain_n), None)
    return None if last is None else last.plain / last.plain_n
