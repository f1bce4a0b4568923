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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from cascada.cascade.selectors import AGE_BANDS
from cascada.core import privacy
from cascada.core.privacy import Cell
from cascada.registry.models import Place, Sex

from . import periods as P
from . import reported
from .models import Fact, Frequency, Indicator, Measure, Plan
from .sources import SOURCES, Source, load
from .targets import percent_met

VIEWER_FREQUENCY = Frequency.YEAR

# Viewers read no finer place than the department (the ADR's menu: a province table and
# its department's could be differenced).
VIEWER_DIMS = {"sex", "age_band", "department", "generation", "kind", "audience"}
RELEASE_DIMS = {
    "generation": "generation",
    "sex": "sex",
    "age_band": "age",
    "department": "department",
}


@dataclass
class Figure:
    """One figure as shown: ``number`` (None when hidden) and ``text`` ("<5", "—", "12,5 %")."""

    number: float | None
    text: str
    hidden: bool = False

    @classmethod
    def of(cls, value: float | None, measure: str, unit: str) -> Figure:
        if value is None:
            return cls(None, "–")
        return cls(value, fmt(value, measure, unit))


def fmt(value: float, measure: str, unit: str) -> str:
    from django.utils import formats

    if measure == Measure.RATIO:
        return formats.number_format(round(value, 1), 1) + " %"
    if measure == Measure.MEAN:
        return formats.number_format(round(value, 2), 2)
    if unit == "money":
        return formats.number_format(round(value, 2), 2, force_grouping=True)
    return formats.number_format(round(value), 0, force_grouping=True)


def fmt_target(value: float, indicator: Indicator) -> str:
    """A baseline or target in the indicator's unit ("75 %", "1 200")."""
    if indicator.measure == Measure.RATIO:
        return fmt(value, Measure.RATIO, indicator.unit)
    if indicator.measure == Measure.MEAN:
        return fmt(value, Measure.MEAN, indicator.unit)
    if indicator.unit == "money" or value != int(value):
        return fmt(value, Measure.MEAN, "")
    return fmt(value, Measure.VALUE, indicator.unit)


@dataclass
class PeriodRow:
    key: str
    label: str
    value: Figure
    target: float | None = None
    percent_met: float | None = None
    target_text: str = ""


@dataclass
class BreakdownRow:
    key: Any
    label: str
    value: Figure
    cells: list[Figure] = field(default_factory=list)  # per period, exact users only


@dataclass
class View:
    indicator: Indicator
    exact: bool
    k: int
    frequency: str
    periods: list[PeriodRow]
    so_far: Figure
    lop_target: float | None
    baseline: float | None
    percent_met: float | None
    dimension: str
    breakdown: list[BreakdownRow]
    breakdown_published: bool = True
    note: str = ""
    dims: list[str] = field(default_factory=list)
    release: Any = None  # the program's release, for a viewer's people figures

    @property
    def lop_target_text(self) -> str:
        return "" if self.lop_target is None else fmt_target(self.lop_target, self.indicator)

    @property
    def baseline_text(self) -> str:
        return "" if self.baseline is None else fmt_target(self.baseline, self.indicator)

    @property
    def chart(self) -> list[tuple[str, float | None]]:
        return [(p.label, p.value.number) for p in self.periods]


# ---------------------------------------------------------------- reading the fill table


def shown_to(indicator: Indicator, *, exact: bool) -> bool:
    """Whether the indicator is shown at all to a user (contacts and people attending are
    not shown to viewers: ``sources.Source.viewers``)."""
    load()
    source = SOURCES.get(indicator.source)
    return exact or source is None or source.viewers


def facts(
    source: str,
    *,
    program_ids: list[int] | None = None,
    organization_id: int | None = None,
    department_id: int | None = None,
) -> Any:
    qs = Fact.objects.filter(source=source)
    if program_ids is not None:
        qs = qs.filter(program_id__in=program_ids)
    elif organization_id is not None:
        qs = qs.filter(organization_id=organization_id, program__isnull=True)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs


def sums(
    qs: Any, group: tuple[str, ...], consenting: bool
) -> dict[tuple[Any, ...], tuple[float, float]]:
    v, b = ("value_consenting", "base_consenting") if consenting else ("value", "base")
    if not group:
        total = qs.aggregate(v=Sum(v), b=Sum(b))
        return {(): (float(total["v"] or 0), float(total["b"] or 0))}
    out: dict[tuple[Any, ...], tuple[float, float]] = {}
    for row in qs.order_by().values(*group).annotate(v=Sum(v), b=Sum(b)):
        out[tuple(row[g] for g in group)] = (float(row["v"] or 0), float(row["b"] or 0))
    return out


def measure_of(pair: tuple[float, float], measure: str) -> float | None:
    value, base = pair
    if measure == Measure.VALUE:
        return value
    if measure == Measure.BASE:
        return base
    if not base:
        return None
    return 100 * value / base if measure == Measure.RATIO else value / base


def _column(dimension: str) -> str:
    return (
        "sex"
        if dimension == "audience"
        else (
            f"{dimension}_id" if dimension in ("department", "province", "district") else dimension
        )
    )


def dim_labels(dimension: str, keys: list[Any]) -> dict[Any, str]:
    if dimension in ("department", "province", "district"):
        names = dict(Place.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {k: names.get(k, _("No place recorded")) for k in keys}
    if dimension == "sex":
        return {k: str(Sex(k).label) if k in Sex.values else _("Not recorded") for k in keys}
    if dimension == "age_band":
        bands = {a: str(label) for a, label in AGE_BANDS}
        return {k: bands.get(k, _("Age not recorded")) for k in keys}
    if dimension == "generation":
        return {k: (_("Generation %(n)s") % {"n": k}) if k is not None else "–" for k in keys}
    if dimension == "audience":
        from cascada.networks.selectors import REACH_LABELS

        return {k: str(REACH_LABELS.get(k, k)) for k in keys}
    if dimension == "kind":
        from cascada.networks.models import ActivityKind
        from cascada.trainings.models import CohortKind

        labels = {**dict(CohortKind.choices), **dict(ActivityKind.choices)}
        return {k: str(labels.get(k, k or "–")) for k in keys}
    return {k: str(k) for k in keys}


# ---------------------------------------------------------------- the view


def _targets(plan: Plan | None, frequency: str) -> dict[str, float]:
    if plan is None:
        return {}
    out: dict[str, float] = {}
    for t in plan.targets.all():
        try:
            if P.frequency_of(t.period) == frequency:
                out[t.period] = float(t.value)
        except ValueError:
            continue
    return out


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
    if view.so_far.number is not None:
        view.percent_met = percent_met(
            actual=view.so_far.number,
            target=view.lop_target,
            baseline=view.baseline,
            direction=indicator.direction,
        )
    return view


def _period_row(
    key: str,
    value: float | None,
    measure: str,
    unit: str,
    targets: dict[str, float],
    plan: Plan | None,
    indicator: Indicator,
) -> PeriodRow:
    target = targets.get(key)
    return PeriodRow(
        key=key,
        label=P.label(key),
        value=Figure.of(value, measure, unit),
        target=target,
        target_text="" if target is None else fmt_target(target, indicator),
        percent_met=percent_met(
            actual=value,
            target=target,
            baseline=float(plan.baseline) if plan and plan.baseline is not None else None,
            direction=indicator.direction,
        )
        if target is not None
        else None,
    )


def _grid(
    qs: Any, dimension: str, frequency: str, keys: list[str], consenting: bool, measure: str
) -> dict[tuple[Any, str], float | None]:
    pairs: dict[tuple[Any, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (value, month), (v, b) in sums(qs, (_column(dimension), "month"), consenting).items():
        cell = pairs[(value, P.key_of(month, frequency))]
        cell[0] += v
        cell[1] += b
    return {key: measure_of((p[0], p[1]), measure) for key, p in pairs.items()}


# ---------------------------------------------------------------- values typed by hand

# Hand-typed counts of people, for a viewer: protected as a source's counts are.
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
    if view.so_far.number is not None:
        view.percent_met = percent_met(
            actual=view.so_far.number,
            target=view.lop_target,
            baseline=view.baseline,
            direction=indicator.direction,
        )
    return view


# ---------------------------------------------------------------- protected views


def _protected(
    view: View,
    source: Any,
    per_period: dict[str, list[float]],
    keys: list[str],
    total: tuple[float, float],
    by_dim: dict[Any, tuple[float, float]],
    labels: dict[Any, str],
    k: int,
    court: bool,
    targets: dict[str, float],
    plan: Plan | None,
) -> None:
    indicator = view.indicator
    measure, unit = indicator.measure, indicator.unit
    if source is None or source.control == "statistics":
        n = int(total[1])
        if n > k:
            view.so_far = Figure.of(measure_of(total, measure), measure, unit)
        else:
            view.so_far = Figure(None, f"<{k}" if n else "–", hidden=bool(n))
        view.note = _("By period and group: the analysis page, which protects small groups.")
        view.breakdown_published = False
        view.periods = [
            PeriodRow(key, P.label(key), Figure(None, "—", hidden=True)) for key in keys
        ]
        return
    if source.control == "release":
        _release_view(view, source, per_period, keys, by_dim, labels, court, targets, plan)
        return
    # Counts: the base and the value nested in it (or the one counted column).
    columns = _columns(measure)
    if not source.additive_in_time:
        view.periods = []
        for key in keys:
            pair = per_period[key]
            released = privacy.nested_release(
                [int(pair[c]) for c in columns], {}, exact=False, court=court
            )
            view.periods.append(
                _protected_row(
                    key, released.totals, columns, measure, unit, targets, plan, indicator
                )
            )
        view.so_far = Figure(None, "–")
        view.breakdown_published = False
        return
    breakdowns: dict[str, dict[Any, list[int]]] = {
        "period": {key: [int(per_period[key][c]) for c in columns] for key in keys}
    }
    if view.dimension:
        breakdowns["dim"] = {key: [int(pair[c]) for c in columns] for key, pair in by_dim.items()}
    released = privacy.nested_release(
        [int(total[c]) for c in columns], breakdowns, exact=False, court=court
    )
    view.so_far = _figure_of(released.totals, columns, measure, unit)
    rows = released.breakdowns["period"]
    if indicator.cumulative:
        view.periods = _cumulated(
            keys, rows, released.totals, columns, measure, unit, targets, plan, indicator
        )
    else:
        view.periods = [
            _protected_row(key, rows[key], columns, measure, unit, targets, plan, indicator)
            for key in keys
        ]
    if view.dimension:
        view.breakdown_published = released.published["dim"]
        view.breakdown = [
            BreakdownRow(
                key=key, label=labels[key], value=_figure_of(cells, columns, measure, unit)
            )
            for key, cells in sorted(
                released.breakdowns["dim"].items(), key=lambda kv: labels[kv[0]]
            )
        ]


def _columns(measure: str) -> list[int]:
    """The columns counted, widest first: 1 is the base, 0 the value (nested in it)."""
    if measure == Measure.VALUE:
        return [0]
    if measure == Measure.BASE:
        return [1]
    return [1, 0]


def _figure_of(cells: list[Cell], columns: list[int], measure: str, unit: str) -> Figure:
    if len(columns) == 1:
        cell = cells[0]
        if cell.suppressed or cell.withheld or cell.unpublished:
            return Figure(None, str(cell), hidden=True)
        return Figure.of(float(cell.value or 0), measure, unit)
    base, value = cells[0], cells[1]
    if any(c.suppressed or c.withheld or c.unpublished for c in (base, value)):
        return Figure(
            None, "—" if not base.suppressed or base.unpublished else str(base), hidden=True
        )
    return Figure.of(
        measure_of((float(value.value or 0), float(base.value or 0)), measure), measure, unit
    )


def _protected_row(
    key: str,
    cells: list[Cell],
    columns: list[int],
    measure: str,
    unit: str,
    targets: dict[str, float],
    plan: Plan | None,
    indicator: Indicator,
) -> PeriodRow:
    figure = _figure_of(cells, columns, measure, unit)
    row = _period_row(key, figure.number, measure, unit, targets, plan, indicator)
    row.value = figure
    return row


def _cumulated(
    keys: list[str],
    rows: dict[str, list[Cell]],
    totals: list[Cell],
    columns: list[int],
    measure: str,
    unit: str,
    targets: dict[str, float],
    plan: Plan | None,
    indicator: Indicator,
) -> list[PeriodRow]:
    """Values so far at the end of each period, from shown cells only: the sum of the
    periods up to it when all are shown, else the total less the periods after it when
    those and the total are shown; otherwise hidden ("—")."""
    out = []
    for n, key in enumerate(keys):
        before = [rows[k] for k in keys[: n + 1]]
        after = [rows[k] for k in keys[n + 1 :]]
        acc: list[float] | None = None
        if all(
            not c.suppressed and not c.withheld and not c.unpublished for r in before for c in r
        ):
            acc = [sum(float(r[i].value or 0) for r in before) for i in range(len(columns))]
        elif all(not c.suppressed and not c.unpublished for c in totals) and all(
            not c.suppressed and not c.withheld and not c.unpublished for r in after for c in r
        ):
            acc = [
                float(totals[i].value or 0) - sum(float(r[i].value or 0) for r in after)
                for i in range(len(columns))
            ]
        if acc is None:
            out.append(
                PeriodRow(key, P.label(key), Figure(None, "—", hidden=True), targets.get(key))
            )
            continue
        cells = [Cell(int(a), 0) for a in acc]
        out.append(_protected_row(key, cells, columns, measure, unit, targets, plan, indicator))
    return out


# ---------------------------------------------------------------- the program's release

# Which figure of the program's release each release source's measure reads:
# (headline key of the base, headline key of the value, breakdown column of the base,
# of the value); None where the release has no such column.
RELEASE_FIGURES = {
    "participants": ("enrolled", "completed", "enrolled", "completed"),
    "completions": (None, "completed", None, "completed"),
    "trainers": ("trained_trainers", "replicating", None, None),
}


def program_release(*, program_id: int, court: bool, user: Any) -> Any:
    """The program's one release (``cascade.selectors.figures_release``) built from the
    fill table's sums of people who consented: the cascade page's figures.

    A viewer's release (integer programmes over every breakdown: ~30 of them for a large
    program) is kept in the cache under the fill it was computed from (the "people"
    family's ``filled_at`` for the program, the threshold): it depends on nothing else,
    so every viewer's page between two fills reads the same release, and a refill, which
    writes a new ``filled_at`` in the transaction that replaces the facts, makes a new
    one."""
    from django.core.cache import cache

    from cascada.cascade.selectors import Scope, figures_release
    from cascada.trainings.models import Program

    from .models import FillState

    program = Program.objects.get(pk=program_id)
    sc = Scope(user=user, program=program)
    key = None
    if not sc.sees_people:
        filled = (
            FillState.objects.filter(source="people", scope=f"p{int(program_id)}")
            .values_list("filled_at", flat=True)
            .first()
        )
        if filled is not None:
            k = privacy.threshold(court=sc.court)
            key = f"indicators:release:{int(program_id)}:{filled.isoformat()}:{k}"
            kept = cache.get(key)
            if kept is not None:
                return kept
    result = figures_release(_release_figures(program_id), sc)
    if key is not None:
        cache.set(key, result, RELEASE_CACHE_SECONDS)
    return result


RELEASE_CACHE_SECONDS = 24 * 3600


def _release_figures(program_id: int) -> Any:
    """The cascade's figures of the program, from the fill table (consenting people)."""
    from cascada.cascade.selectors import Figures

    def pairs(source: str, column: str) -> dict[Any, list[int]]:
        out: dict[Any, list[int]] = {}
        for (key,), (v, b) in sums(
            facts(source, program_ids=[program_id]), (column,), True
        ).items():
            out[key] = [int(b), int(v)]
        return out

    fig = Figures()
    total = sums(facts("participants", program_ids=[program_id]), (), True).get((), (0.0, 0.0))
    fig.enrolled, fig.completed = int(total[1]), int(total[0])
    trainers = sums(facts("trainers", program_ids=[program_id]), (), True).get((), (0.0, 0.0))
    fig.trained_trainers, fig.replicating = int(trainers[1]), int(trainers[0])
    fig.by_level = dict(sorted(pairs("participants", "generation").items()))
    fig.by_sex = dict(sorted(pairs("participants", "sex").items()))
    fig.by_age = pairs("participants", "age_band")
    departments = pairs("participants", "department_id")
    names = dim_labels("department", list(departments))
    fig.by_department = sorted(
        ((d, names[d] if d else "", pair[0], pair[1]) for d, pair in departments.items()),
        key=lambda r: (r[1] == "", r[1]),
    )
    return fig


def _release_view(
    view: View,
    source: Any,
    per_period: dict[str, list[float]],
    keys: list[str],
    by_dim: dict[Any, tuple[float, float]],
    labels: dict[Any, str],
    court: bool,
    targets: dict[str, float],
    plan: Plan | None,
) -> None:
    indicator = view.indicator
    measure, unit = indicator.measure, indicator.unit
    release = view.release
    if release is None:  # no program: no release to read (no totals across programs)
        view.so_far = Figure(None, "—", hidden=True)
        view.periods = [PeriodRow(k, P.label(k), Figure(None, "—", hidden=True)) for k in keys]
        view.breakdown_published = False
        return
    head_base, head_value, col_base, col_value = RELEASE_FIGURES[source.key]
    hidden = Cell(None, release.k, unpublished=True)
    head = [
        release.headline[head_base] if head_base else hidden,
        release.headline[head_value] if head_value else hidden,
    ]
    columns = _columns(measure)
    view.so_far = _figure_of(
        [head[0] if c == 1 else head[1] for c in columns], columns, measure, unit
    )
    # The periods: one more one-way table, protected against the headline as shown.
    counted = [int(sum(per_period[k][c] for k in keys)) for c in columns]
    head_cells = [head[0] if c == 1 else head[1] for c in columns]
    if any(c.suppressed or c.unpublished for c in head_cells):
        view.periods = [PeriodRow(k, P.label(k), Figure(None, "—", hidden=True)) for k in keys]
    else:
        released = privacy.nested_release(
            counted,
            {"period": {k: [int(per_period[k][c]) for c in columns] for k in keys}},
            exact=False,
            court=court,
        )
        rows = released.breakdowns["period"]
        if indicator.cumulative:
            view.periods = _cumulated(
                keys, rows, released.totals, columns, measure, unit, targets, plan, indicator
            )
        else:
            view.periods = [
                _protected_row(k, rows[k], columns, measure, unit, targets, plan, indicator)
                for k in keys
            ]
    if not view.dimension:
        return
    breakdown = release.breakdowns.get(RELEASE_DIMS[view.dimension])
    if breakdown is None or not breakdown.published or (col_base is None and col_value is None):
        view.breakdown_published = False
        return
    view.breakdown = []
    for key, cells in breakdown.rows.items():
        if view.dimension == "department":
            raw, label = key[0], key[1] or _("No place recorded")
        else:
            raw, label = key, dim_labels(view.dimension, [key])[key]
        picked = [
            (cells[col_base] if col_base else hidden)
            if c == 1
            else (cells[col_value] if col_value else hidden)
            for c in columns
        ]
        view.breakdown.append(
            BreakdownRow(key=raw, label=label, value=_figure_of(picked, columns, measure, unit))
        )
    view.breakdown_published = any(not r.value.hidden for r in view.breakdown)
