"""An organization's own indicator typed by hand (``indicators.reported``): its months summed per period, totals only; a viewer's hand-typed people through the same nested release."""

from __future__ import annotations

import datetime as dt

from cascada.core import privacy

from .. import periods as P
from .. import reported
from ..models import Indicator, Plan
from ..sources import Source
from .base import VIEWER_FREQUENCY, Figure, View, _period_row, _targets, with_percent_met
from .protected import _protected

_TYPED_PEOPLE = Source(key=reported.REPORTED, family="", label="", dims=())


def _reported_view(
    indicator: Indicator,
    *,
    program_ids: list[int] | None,
    exact: bool,
    court: bool,
    plan: Plan | None,
    frequency: str,
    today: dt.date,
) -> View:
    """An indicator typed by hand (``reported.py``): its value per period and so far
    (``reported.combine``) with its targets, no breakdown. A viewer reads years only
    (``VIEWER_FREQUENCY``) and hand-typed counts of people through the counts' protection
    (``_protected``, as a source's counts); any other unit is the organization's own
    work, shown as typed."""
    frequency = (
        frequency or (plan.frequency if plan and plan.frequency else "") or indicator.frequency
    )
    if not exact:
        frequency = VIEWER_FREQUENCY
    by_month = reported.monthly(indicator, program_ids)
    months = sorted(by_month)
    first = plan.starts_on if plan else (months[0] if months else today)
    last = plan.ends_on if plan else today
    if months:
        first, last = min(first, months[0]), max(last, months[-1])
    last = min(last, max(today, months[-1] if months else today))
    keys = P.keys_between(first, last, frequency)
    per_period: dict[str, list[reported.Month]] = {key: [] for key in keys}
    for month in months:
        per_period[P.key_of(month, frequency)].append(by_month[month])
    targets = _targets(plan, frequency)
    protected = not exact and indicator.unit in reported.PEOPLE_UNITS
    k = privacy.threshold(court=court)
    view = View(
        indicator=indicator,
        exact=not protected,
        k=k if protected else 0,
        frequency=frequency,
        periods=[],
        so_far=Figure(None, "–"),
        lop_target=float(plan.lop_target) if plan and plan.lop_target is not None else None,
        baseline=float(plan.baseline) if plan and plan.baseline is not None else None,
        percent_met=None,
        dimension="",
        breakdown=[],
    )
    measure, unit = indicator.measure, indicator.unit
    if protected:
        counted = {key: [reported.combine(per_period[key], unit) or 0.0, 0.0] for key in keys}
        total = (sum(pair[0] for pair in counted.values()), 0.0)
        _protected(view, _TYPED_PEOPLE, counted, keys, total, {}, {}, k, court, targets, plan)
    else:
        so_far: list[reported.Month] = []
        for key in keys:
            so_far += per_period[key]
            value = reported.combine(so_far if indicator.cumulative else per_period[key], unit)
            view.periods.append(_period_row(key, value, measure, unit, targets, plan, indicator))
        whole = reported.combine([by_month[m] for m in months], unit)
        view.so_far = Figure.of(whole, measure, unit)
    return with_percent_met(view)


# ---------------------------------------------------------------- protected views
