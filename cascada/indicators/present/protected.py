"""What a viewer (not exact) sees: the program's one release from the fill table (kept per fill), nested releases of counted columns, statistics over the whole program only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cascada.core import privacy
from cascada.core.privacy import Cell

from .. import periods as P
from ..models import Indicator, Measure, Plan
from .base import (
    RELEASE_DIMS,
    BreakdownRow,
    Figure,
    PeriodRow,
    View,
    _period_row,
    dim_labels,
    facts,
    measure_of,
    sums,
)


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
    view.periods = _period_rows(keys, released, columns, measure, unit, targets, plan, indicator)
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

    from ..models import FillState

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
        view.periods = _period_rows(
            keys, released, columns, measure, unit, targets, plan, indicator
        )
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


def _period_rows(
    keys: list[Any],
    released: Any,
    columns: Any,
    measure: Any,
    unit: Any,
    targets: Any,
    plan: Any,
    indicator: Any,
) -> list[PeriodRow]:
    """The periods of a released one-way table, cumulated when the indicator is."""
    rows = released.breakdowns["period"]
    if indicator.cumulative:
        return _cumulated(
            keys, rows, released.totals, columns, measure, unit, targets, plan, indicator
        )
    return [
        _protected_row(k, rows[k], columns, measure, unit, targets, plan, indicator) for k in keys
    ]
