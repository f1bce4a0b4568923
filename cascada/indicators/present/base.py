"""The pieces every presenter shares: a figure as shown, a period's and a breakdown's row, the view of an indicator, the fill table's sums, labels of groups, targets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from cascada.cascade.selectors import AGE_BANDS
from cascada.registry.models import Place, Sex

from .. import periods as P
from ..models import Fact, Frequency, Indicator, Measure, Plan
from ..sources import SOURCES, load
from ..targets import percent_met

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


def with_percent_met(view: View) -> View:
    """The share of the life-of-program target met so far, when there is a figure."""
    if view.so_far.number is not None:
        view.percent_met = percent_met(
            actual=view.so_far.number,
            target=view.lop_target,
            baseline=view.baseline,
            direction=view.indicator.direction,
        )
    return view


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
