"""Small-number suppression (SECURITY.md S17): the one function every aggregate goes through.

A count from 1 to k is shown as "<k" (k is 5 by default, 10 for court-program data). Zero
is shown as 0: an empty cell reveals nobody. So that no suppressed cell can be worked out
from a total, a row with exactly one suppressed cell gets a second one suppressed (the
smallest remaining non-zero cell), and percentages are only given for shown cells.

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

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"<{self.k}" if self.value is None else str(self.value)

    def as_json(self) -> int | str:
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
    if with_total and not total_cell.suppressed and len(hidden) == 1:
        # Secondary suppression: hide the smallest other non-zero cell so that the hidden
        # one cannot be recovered as total minus the others.
        others = sorted(((n, str(key)) for key, n in counts.items() if key not in hidden and n > 0))
        if others:
            smallest = others[0][1]
            hidden |= {key for key in counts if str(key) == smallest}
        else:
            total_cell = Cell(None, k)
    cells = {key: Cell(None if key in hidden else int(n), k) for key, n in counts.items()}
    return cells, total_cell


def share(part: Cell, whole: Cell) -> str:
    """A percentage, given only when both figures are shown."""
    if part.suppressed or whole.suppressed or not whole.value:
        return "–"
    return f"{round(100 * (part.value or 0) / whole.value)}%"
