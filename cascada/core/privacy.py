"""Small-number suppression (SECURITY.md S17): the one function every aggregate goes through.

A count from 1 to k is shown as "<k" (k is 5 by default, 10 for court-program data). Zero
is shown as 0: an empty cell reveals nobody. So that no suppressed cell can be worked out
from a total (total minus the shown cells), the total is withheld (shown as "—") when the
suppressed cells of a row would otherwise be determined: a single suppressed cell, or
suppressed cells that could only all be 1 or all be k. Every label stays true: "<k" always
means 1 to k. Percentages are only given for shown cells.

Use ``suppress_counts`` for a row of counts with its total, and ``suppress_value`` for a
single figure. Every dashboard, report, API aggregate and export for a role without
access to personal data calls one of them; none writes its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings


def threshold(*, court: bool = False) -> int:
    return int(settings.CASCADA_SMALL_NUMBER_K_COURT if court else settings.CASCADA_SMALL_NUMBER_K)


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: ``value`` is None when suppressed."""

    value: int | None
    k: int
    withheld: bool = False  # a total held back so that small cells stay hidden

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.withheld:
            return "—"
        return f"<{self.k}" if self.value is None else str(self.value)

    def as_json(self) -> int | str | None:
        if self.withheld:
            return None
        return f"<{self.k}" if self.value is None else self.value


def _hidden(n: int, k: int) -> bool:
    return 1 <= n <= k


def suppress_value(n: int, *, court: bool = False, k: int | None = None) -> Cell:
    k = k if k is not None else threshold(court=court)
    return Cell(None if _hidden(n, k) else int(n), k)


def suppress_counts(
    counts: Mapping[Any, int], *, court: bool = False, k: int | None = None, with_total: bool = True
) -> tuple[dict[Any, Cell], Cell]:
    """Suppress a row of counts that adds up to a total shown beside it.

    Returns the cells by key and the total cell. The total itself is suppressed when small.
    """
    k = k if k is not None else threshold(court=court)
    hidden = {key for key, n in counts.items() if _hidden(n, k)}
    total = sum(counts.values())
    total_cell = suppress_value(total, k=k)
    if with_total and hidden and not total_cell.suppressed:
        # Total minus the shown cells is the sum of the hidden ones. It pins a hidden cell
        # down when there is only one, or when every hidden cell must be 1 (or k).
        hidden_sum = sum(counts[key] for key in hidden)
        if len(hidden) == 1 or hidden_sum in (len(hidden), len(hidden) * k):
            total_cell = Cell(None, k, withheld=True)
    cells = {key: Cell(None if key in hidden else int(n), k) for key, n in counts.items()}
    return cells, total_cell


def share(part: Cell, whole: Cell) -> str:
    """A percentage, given only when both figures are shown."""
    if part.suppressed or whole.suppressed or not whole.value:
        return "–"
    return f"{round(100 * (part.value or 0) / whole.value)}%"


def reportable(queryset: Any, *, person: str = "") -> Any:
    """S15: aggregates count only people whose latest aggregate-reporting consent is a
    grant. ``person`` is the path from the queryset's model to the person ("" for people,
    "person" for enrolments, "enrolment__person" for attendance)."""
    prefix = f"{person}__" if person else ""
    return queryset.filter(**{f"{prefix}reporting_consent": True})
