"""What an indicator shows to a given user: its value per period with targets, its value
so far against the life-of-program target, and a breakdown by the dimension chosen on
screen. Exact figures or the disclosure control's, decided here and nowhere else for
indicators (``selectors.py`` says who is exact; ``core.privacy`` protects).

For a viewer (not exact), by the source's ``control``:

- ``release``: the program's people (enrolled, completed, trainers) are the program's one
  release, ``core.privacy.release`` fed with the fill table's sums (the cascade page's
  figures, not a second release to difference), and the periods a one-way table protected
  against the same headline;
- ``counts``: ``core.privacy.nested_release`` of the counted columns (the base and the
  value nested in it) with the periods and the chosen breakdown as one-way tables; a
  source not additive in time (people attending in a month) has a release per month;
- ``statistics`` (means and shares of matched men): the value over the whole program only,
  when more than k men are counted; by period and subgroup on the analysis page, whose
  protection knows the groups' members (``measurement.analysis``);
- ``none``: an organization's own work, exact for everyone who sees the dashboard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cascada.core import privacy

from .. import periods as P
from .. import reported
from ..models import Fact, Frequency, Indicator, Plan
from ..sources import SOURCES, load
from .base import (
    RELEASE_DIMS,
    VIEWER_DIMS,
    VIEWER_FREQUENCY,
    BreakdownRow,
    Figure,
    PeriodRow,
    View,
    _column,
    _grid,
    _period_row,
    _targets,
    dim_labels,
    facts,
    fmt,
    fmt_target,
    measure_of,
    shown_to,
    sums,
    with_percent_met,
)
from .protected import _protected, program_release
from .typed import _reported_view

__all__ = [
    "PeriodRow",
    "VIEWER_FREQUENCY",
    "View",
    "dim_labels",
    "facts",
    "fmt",
    "fmt_target",
    "indicator_view",
    "program_release",
    "shown_to",
    "sums",
]


def indicator_view(
    indicator: Indicator,
    *,
    program_ids: list[int] | None,
    organization_id: int,
    exact: bool,
    court: bool = False,
    plan: Plan | None = None,
    frequency: str = "",
    dimension: str = "",
    department_id: int | None = None,
    today: dt.date | None = None,
    release: Any = None,
) -> View:
    """The indicator over ``program_ids`` (one program for a program's dashboard; None for
    an organization's own rows), as an exact or a protected view."""
    load()
    from django.utils import timezone

    today = today or timezone.localdate()
    if indicator.source == reported.REPORTED:
        return _reported_view(
            indicator, program_ids=program_ids, exact=exact, court=court, plan=plan,
            frequency=frequency, today=today,
        )  # fmt: skip
    source = SOURCES.get(indicator.source)
    frequency = (
        frequency or (plan.frequency if plan and plan.frequency else "") or indicator.frequency
    )
    if not exact and (source is None or source.control != "none"):
        # One grain for viewers: months, quarters and years are nested tables of the same
        # people, and a quarter less its first two months is its third (ADR 0006's one-way
        # tables hold only within one grain).
        frequency = VIEWER_FREQUENCY
    if source is not None and not source.additive_in_time:
        frequency = Frequency.MONTH if source.key == "attending" else frequency
    dims = list(source.dims if source else ())
    if not exact:
        dims = [d for d in dims if d in VIEWER_DIMS]
        if source is not None and source.control == "release":
            dims = [d for d in dims if d in RELEASE_DIMS]
        if source is not None and (source.control == "statistics" or source.sensitive):
            dims = []
    dimension = dimension if dimension in dims else ""
    exact_here = exact or (source is not None and source.control == "none")
    qs = (
        facts(
            indicator.source,
            program_ids=program_ids,
            organization_id=organization_id,
            department_id=department_id if exact else None,
        )
        if source is not None
        else Fact.objects.none()
    )
    consenting = not exact_here if source is None or source.control != "none" else False
    by_month = sums(qs, ("month",), consenting)
    months = sorted(m for (m,) in by_month)
    first = plan.starts_on if plan else (months[0] if months else today)
    last = plan.ends_on if plan else today
    if months:
        first, last = min(first, months[0]), max(last, months[-1])
    last = min(last, max(today, months[-1] if months else today))
    keys = P.keys_between(first, last, frequency)
    per_period: dict[str, list[float]] = {key: [0.0, 0.0] for key in keys}
    for (month,), (v, b) in by_month.items():
        key = P.key_of(month, frequency)
        if key in per_period:
            per_period[key][0] += v
            per_period[key][1] += b
    total = (sum(p[0] for p in per_period.values()), sum(p[1] for p in per_period.values()))
    targets = _targets(plan, frequency)
    k = privacy.threshold(court=court)
    view = View(
        indicator=indicator,
        exact=exact_here,
        k=0 if exact_here else k,
        frequency=frequency,
        periods=[],
        so_far=Figure(None, "–"),
        lop_target=float(plan.lop_target) if plan and plan.lop_target is not None else None,
        baseline=float(plan.baseline) if plan and plan.baseline is not None else None,
        percent_met=None,
        dimension=dimension,
        breakdown=[],
        dims=dims,
        release=release,
    )
    measure, unit = indicator.measure, indicator.unit
    by_dim: dict[Any, tuple[float, float]] = {}
    if dimension:
        by_dim = {key[0]: pair for key, pair in sums(qs, (_column(dimension),), consenting).items()}
    labels = dim_labels(dimension, list(by_dim)) if dimension else {}

    if exact_here:
        running = [0.0, 0.0]
        for key in keys:
            pair = per_period[key]
            running = [running[0] + pair[0], running[1] + pair[1]]
            shown = tuple(running) if indicator.cumulative else tuple(pair)
            value = measure_of(shown, measure)  # type: ignore[arg-type]
            view.periods.append(_period_row(key, value, measure, unit, targets, plan, indicator))
        if source is None or source.additive_in_time:
            so_far = measure_of(total, measure)
        else:  # a state, not a flow: its latest period with anything in it
            latest = [key for key in keys if per_period[key] != [0.0, 0.0]]
            so_far = measure_of(tuple(per_period[latest[-1]]), measure) if latest else None  # type: ignore[arg-type]
        view.so_far = Figure.of(so_far, measure, unit)
        if dimension:
            grid = _grid(qs, dimension, frequency, keys, consenting, measure)
            view.breakdown = [
                BreakdownRow(
                    key=key,
                    label=labels[key],
                    value=Figure.of(measure_of(pair, measure), measure, unit),
                    cells=[
                        Figure.of(
                            grid.get((key, p), measure_of((0.0, 0.0), measure)), measure, unit
                        )
                        for p in keys
                    ],
                )
                for key, pair in sorted(by_dim.items(), key=lambda kv: labels[kv[0]])
            ]
    else:
        _protected(view, source, per_period, keys, total, by_dim, labels, k, court, targets, plan)
    return with_percent_met(view)
