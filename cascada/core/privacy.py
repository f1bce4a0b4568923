"""Disclosure control (SECURITY.md S15, S17; ADR 0006): the one place that decides what a
count shows to a role without access to personal data.

Such a role (a *viewer*: donors, public partners) gets a **fixed menu**: per program, one
*release* made of a headline (people enrolled, completed, trained as trainers, running
cohorts as trainers) and one-way breakdowns (generation, sex, age band, department), each
row with people enrolled and completed. Every person falls in exactly one row of each
breakdown, and viewers have no free filters, no per-cohort or per-session counts and no
totals across programs. With that shape, the breakdowns are linked only through the
headline (any set of one-way tables with the same totals can be realised by some
population), so each table is protected on its own, given the headline:

- a count from 1 to k is shown as "<k" (**primary** suppression; k = 5, 10 for court
  programs); zero is shown;
- every *sensitive quantity* (a cell, the difference between two nested cells such as
  "enrolled but not completed", and what the hidden cells of a column add up to) whose
  true value is from 1 to k must not be derivable: an exact integer programme (HiGHS, via
  scipy) computes the least and the greatest value each can take given everything shown;
  when they meet, another cell is withheld (**secondary** suppression, shown "—"), until
  none meets, or the table is not published;
- when the headline's enrolled count is hidden no breakdown is published; when its
  completed count is hidden the breakdowns show people enrolled only; trained trainers are
  published only when every generation's completed count is (they are completers of some
  generations). What is not published is "—" too, but claims nothing of its value.

The same protection serves **one-column count tables with a total** (``counts_release``):
a total and one-way breakdowns that each partition it, such as the contacts of a
program's community actions by sex and age band and by kind, or the actions by kind
(issue 10). Each table is protected on its own given the total, as above: primary
suppression of 1..k, secondary suppression until neither a hidden cell nor what the
hidden cells add up to can be pinned down, not published when that cannot be done; when
the total itself is from 1 to k no breakdown is published. A caller adds a breakdown only
when it partitions the total (every contact or action in exactly one row); the function
refuses one that does not add up.

Roles with access to the people behind a program (``trainings.selectors.sees_exact``)
see exact figures of everyone. Viewers' figures count only people who consented to
aggregate reporting (S15): ``registry.consent.reportable`` for the ORM and
``registry.consent.REPORTABLE_SQL`` for SQL are the one consent filter (the registry owns
the person table; core knows no app above it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from scipy.optimize import Bounds, LinearConstraint, milp


def threshold(*, court: bool = False) -> int:
    return int(settings.CASCADA_SMALL_NUMBER_K_COURT if court else settings.CASCADA_SMALL_NUMBER_K)


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: ``value`` is None when hidden. ``withheld`` marks a
    secondary suppression ("—": not small, held back so that a small count stays hidden);
    ``unpublished`` a figure not given at all (also "—"), which says nothing of its value."""

    value: int | None
    k: int
    withheld: bool = False
    unpublished: bool = False

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.withheld or self.unpublished:
            return "—"
        return f"<{self.k}" if self.value is None else str(self.value)

    def as_json(self) -> int | str | None:
        if self.withheld or self.unpublished:
            return None
        return f"<{self.k}" if self.value is None else self.value


def exact(n: int) -> Cell:
    """A figure for a role that sees the people behind it."""
    return Cell(int(n), 0)


def suppress_value(n: int, *, court: bool = False, k: int | None = None) -> Cell:
    """A single figure that is not part of a release: 1..k hidden. Only for figures that
    no other output can be differenced against (none of a viewer's today, ADR 0006)."""
    k = k if k is not None else threshold(court=court)
    return Cell(None if 1 <= n <= k else int(n), k)


def statistics_shown(sizes: Mapping[Any, int], *, k: int) -> set[Any]:
    """Which groups of one breakdown may show a statistic of their members (a mean score,
    a change, a share who improved) to a viewer: groups of more than ``k`` people, and
    never a set of hidden groups whose members add up to 1..k people, since the hidden
    groups' mean would follow from the total's and the shown groups' (secondary: the
    smallest shown group is hidden too until they add up to more than ``k`` or all are
    hidden). The caller shows the breakdown's total only when it has more than ``k``
    people (docs/decisions/measurement.md)."""
    shown = {g for g, n in sizes.items() if n > k}
    hidden = sum(n for g, n in sizes.items() if g not in shown)
    while shown and 0 < hidden <= k:
        smallest = min(shown, key=lambda g: (sizes[g], str(g)))
        shown.discard(smallest)
        hidden += sizes[smallest]
    return shown


def statistics_shown_nested(
    members: Mapping[Any, np.ndarray], shown: set[Any], *, k: int
) -> set[Any]:
    """Across breakdowns of the same people (``members``: group -> boolean mask over the
    people), hide a shown group that another shown group contains up to 1..``k`` people:
    their difference would give those few people's statistic (a department of 28 and its
    three cohorts of 27 give the 28th man's scores). The smaller group is hidden, until no
    such pair is left. Used after ``statistics_shown`` (one breakdown at a time)."""
    shown = set(shown)
    sizes = {g: int(members[g].sum()) for g in shown}
    changed = True
    while changed:
        changed = False
        for small in sorted(shown, key=lambda g: (sizes[g], str(g))):
            for big in shown:
                if big == small or sizes[big] < sizes[small]:
                    continue
                extra = sizes[big] - sizes[small]
                if 0 < extra <= k and not np.any(members[small] & ~members[big]):
                    shown.discard(small)
                    changed = True
                    break
            if changed:
                break
    return shown


def share(part: Cell, whole: Cell) -> str:
    """A percentage, given only when both figures are shown."""
    if part.suppressed or whole.suppressed or not whole.value:
        return "–"
    return f"{round(100 * (part.value or 0) / whole.value)}%"


# ---------------------------------------------------------------- tables

SHOWN, PRIMARY, SECONDARY = 0, 1, 2


@dataclass
class _Table:
    """Rows of nested counts: ``values[r][0] >= values[r][1] >= ...`` (enrolled, completed,
    ...). ``totals`` are the column totals the viewer knows (None: no column totals)."""

    values: list[list[int]]
    totals: list[int] | None
    k: int
    state: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.state = [[PRIMARY if 1 <= v <= self.k else SHOWN for v in row] for row in self.values]

    @property
    def width(self) -> int:
        return len(self.values[0]) if self.values else 0

    def atoms(self, r: int) -> list[int]:
        """People in row r at exactly each depth (enrolled only, completed only, ...)."""
        row = [*self.values[r], 0]
        return [row[j] - row[j + 1] for j in range(self.width)]


def _cell_vector(t: _Table, r: int, i: int, rows: list[int]) -> np.ndarray:
    """Cell (r, i) as a vector over the atoms of the rows in the programme."""
    vec = np.zeros(len(rows) * t.width)
    base = rows.index(r) * t.width
    vec[base + i : base + t.width] = 1
    return vec


def _audit(t: _Table) -> tuple[int, int, int] | None:
    """The first sensitive quantity an attacker can pin down, as (row, column, kind) with
    kind 0 a cell, 1 an atom, 2 a column residual; None when nothing can be."""
    k, m = t.k, t.width
    rows = [r for r in range(len(t.values)) if any(s != SHOWN for s in t.state[r])]
    if not rows:
        return None
    n = len(rows) * m
    a_rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    for r in rows:
        for i in range(m):
            vec = _cell_vector(t, r, i, rows)
            v = t.values[r][i]
            s = t.state[r][i]
            a_rows.append(vec)
            if s == SHOWN:
                lo.append(v)
                hi.append(v)
            elif s == PRIMARY:
                lo.append(1)
                hi.append(k)
            else:
                lo.append(k + 1)
                hi.append(np.inf)
    residuals: list[int] = []
    if t.totals is not None:
        for i in range(m):
            shown_rows = [r for r in range(len(t.values)) if r not in rows]
            rest = t.totals[i] - sum(t.values[r][i] for r in shown_rows)
            vec = sum((_cell_vector(t, r, i, rows) for r in rows), np.zeros(n))
            a_rows.append(vec)
            lo.append(rest)
            hi.append(rest)
            residuals.append(rest)
    constraints = LinearConstraint(np.array(a_rows), np.array(lo), np.array(hi))
    integrality = np.ones(n)
    bounds = Bounds(np.zeros(n), np.full(n, np.inf))

    def pinned(vec: np.ndarray, value: int) -> bool:
        for sign in (1, -1):
            res = milp(sign * vec, constraints=constraints, integrality=integrality, bounds=bounds)
            if res.status != 0:  # infeasible cannot happen (the truth is feasible); be safe
                return True
            best = round(sign * res.fun)
            if best != value:
                return False
        return True

    for r in rows:
        atoms = t.atoms(r)
        for i in range(m):
            v = t.values[r][i]
            if t.state[r][i] != SHOWN and 1 <= v <= k and pinned(_cell_vector(t, r, i, rows), v):
                return (r, i, 0)
        for j in range(m - 1):
            if 1 <= atoms[j] <= k:
                vec = _cell_vector(t, r, j, rows) - _cell_vector(t, r, j + 1, rows)
                if pinned(vec, atoms[j]):
                    return (r, j, 1)
    for i, rest in enumerate(residuals):
        if 1 <= rest <= k:
            return (rows[0], i, 2)
    return None


def _protect(t: _Table) -> bool:
    """Secondary suppression until no sensitive quantity can be pinned down. False when
    the table cannot be protected (it is then not published)."""
    k, m = t.k, t.width
    # A small atom between two shown cells is plain subtraction: hide the deeper cell.
    for r, row in enumerate(t.values):
        atoms = t.atoms(r)
        for j in range(m - 1):
            if 1 <= atoms[j] <= k and t.state[r][j] == SHOWN and t.state[r][j + 1] == SHOWN:
                t.state[r][j + 1] = SECONDARY if row[j + 1] > k else PRIMARY
    while (found := _audit(t)) is not None:
        r, i, _kind = found
        # Candidates: shown, non-zero cells of the same row, then of the same column.
        same_row = [(r, c) for c in range(m) if t.state[r][c] == SHOWN and t.values[r][c]]
        same_col = [
            (q, i)
            for q in range(len(t.values))
            if q != r and t.state[q][i] == SHOWN and t.values[q][i]
        ]
        candidates = sorted(same_row, key=lambda x: t.values[x[0]][x[1]]) + sorted(
            same_col, key=lambda x: t.values[x[0]][x[1]]
        )
        if not candidates:
            return False
        for q, c in candidates:
            t.state[q][c] = SECONDARY
            if _audit(t) != found:
                break
            t.state[q][c] = SHOWN
        else:
            q, c = max(candidates, key=lambda x: t.values[x[0]][x[1]])
            t.state[q][c] = SECONDARY
    return True


def _cells(t: _Table) -> list[list[Cell]]:
    return [
        [
            Cell(v if s == SHOWN else None, t.k, withheld=s == SECONDARY)
            for v, s in zip(row, states, strict=True)
        ]
        for row, states in zip(t.values, t.state, strict=True)
    ]


# ---------------------------------------------------------------- releases

HEADLINE = ("enrolled", "completed", "trained_trainers", "replicating")
COLUMNS = ("enrolled", "completed")


@dataclass
class Breakdown:
    """One table of a release: rows by key, each {"enrolled": Cell, "completed": Cell}.
    ``published`` is False when it could not be protected or the headline forbids it."""

    rows: dict[Any, dict[str, Cell]]
    published: bool = True


@dataclass
class Release:
    headline: dict[str, Cell]
    breakdowns: dict[str, Breakdown]
    k: int
    exact: bool


def _withheld_breakdown(rows: Mapping[Any, Sequence[int]], k: int) -> Breakdown:
    hidden = Cell(None, k, unpublished=True)
    return Breakdown({key: dict.fromkeys(COLUMNS, hidden) for key in rows}, published=False)


def release(
    *,
    headline: Mapping[str, int],
    breakdowns: Mapping[str, Mapping[Any, Sequence[int]]],
    exact: bool,
    court: bool = False,
    trainers_within: str = "generation",
    completed_only: Collection[str] = (),
) -> Release:
    """What a program's figures show. ``headline`` has the four ``HEADLINE`` counts (each
    a subset of the one before); each breakdown maps a row key to (enrolled, completed)
    and its rows add up to the headline's enrolled and completed. ``trainers_within`` names
    the breakdown whose completed cells the trained trainers may be read against;
    ``completed_only`` the breakdowns that publish people who completed only.

    ``exact`` (the user sees the people behind the program) returns every figure as is.
    """
    if exact:
        return Release(
            headline={key: Cell(int(headline[key]), 0) for key in HEADLINE},
            breakdowns={
                name: Breakdown(
                    {
                        key: {c: Cell(int(v), 0) for c, v in zip(COLUMNS, pair, strict=True)}
                        for key, pair in rows.items()
                    }
                )
                for name, rows in breakdowns.items()
            },
            k=0,
            exact=True,
        )
    k = threshold(court=court)
    head = _Table([[int(headline[key]) for key in HEADLINE]], None, k)
    _protect(head)  # a single row without column totals can always be protected
    head_cells = dict(zip(HEADLINE, _cells(head)[0], strict=True))
    out: dict[str, Breakdown] = {}
    width = (
        0 if head_cells["enrolled"].suppressed else 1 if head_cells["completed"].suppressed else 2
    )
    for name, rows in breakdowns.items():
        # The columns this breakdown publishes (and so protects): what is not shown is not
        # audited either, so that no cell is held back for a column nobody sees.
        cols = [i for i in range(width) if not (i == 0 and name in completed_only)]
        if not cols or not rows:
            out[name] = _withheld_breakdown(rows, k)
            continue
        keys = list(rows)
        table = _Table(
            [[int(rows[key][i]) for i in cols] for key in keys],
            [int(headline[COLUMNS[i]]) for i in cols],
            k,
        )
        if not _protect(table):
            out[name] = _withheld_breakdown(rows, k)
            continue
        cells = _cells(table)
        hidden = Cell(None, k, unpublished=True)
        out[name] = Breakdown(
            {
                key: {
                    c: (cells[n][cols.index(i)] if i in cols else hidden)
                    for i, c in enumerate(COLUMNS)
                }
                for n, key in enumerate(keys)
            }
        )
    # Trained trainers are completers too, and a reader who knows which generations were
    # trainings of trainers could add them up against the generation table: they are
    # published only when every completed cell of ``trainers_within`` is shown.
    carrier = out.get(trainers_within)
    if carrier is not None and any(
        cells["completed"].suppressed for cells in carrier.rows.values()
    ):
        for key in ("trained_trainers", "replicating"):
            head_cells[key] = Cell(None, k, unpublished=True)
    return Release(headline=head_cells, breakdowns=out, k=k, exact=False)


# ---------------------------------------------------------------- counts with a total


@dataclass
class Counts(Mapping[Any, Cell]):
    """One breakdown of a ``CountsRelease``: a Cell per row key (``counts[key]``).
    ``published`` is False when it could not be protected or its total is hidden (every
    cell is then "—", saying nothing of its value)."""

    rows: dict[Any, Cell]
    published: bool = True

    def __getitem__(self, key: Any) -> Cell:
        return self.rows[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class CountsRelease:
    total: Cell
    breakdowns: dict[str, Counts]
    k: int
    exact: bool


def counts_release(
    total: int,
    breakdowns: Mapping[str, Mapping[Any, int]],
    *,
    exact: bool,
    court: bool = False,
) -> CountsRelease:
    """What a count with one-way breakdowns shows: ``total`` and, per breakdown, a count per
    row key; the rows of each breakdown add up to ``total`` (ValueError otherwise: a table
    that is not a partition of the total cannot be protected this way).

    ``exact`` (the user sees the people behind the figures) returns every figure as is;
    everyone else gets the total with 1..k hidden and each breakdown protected on its own
    against it (primary and secondary suppression, ``_protect``), or not published."""
    for name, rows in breakdowns.items():
        if any(int(v) < 0 for v in rows.values()) or sum(int(v) for v in rows.values()) != int(
            total
        ):
            raise ValueError(f"breakdown {name!r} does not add up to the total")
    if exact:
        return CountsRelease(
            total=Cell(int(total), 0),
            breakdowns={
                name: Counts({key: Cell(int(v), 0) for key, v in rows.items()})
                for name, rows in breakdowns.items()
            },
            k=0,
            exact=True,
        )
    k = threshold(court=court)
    head = _Table([[int(total)]], None, k)
    _protect(head)  # one cell without a total: primary suppression only
    total_cell = _cells(head)[0][0]
    hidden = Cell(None, k, unpublished=True)
    out: dict[str, Counts] = {}
    for name, rows in breakdowns.items():
        keys = list(rows)
        table = _Table([[int(rows[key])] for key in keys], [int(total)], k)
        if total_cell.suppressed or not _protect(table):
            out[name] = Counts(dict.fromkeys(keys, hidden), published=False)
            continue
        cells = _cells(table)
        out[name] = Counts({key: cells[n][0] for n, key in enumerate(keys)})
    return CountsRelease(total=total_cell, breakdowns=out, k=k, exact=False)


# ---------------------------------------------------------------- nested counts with totals


@dataclass
class NestedRelease:
    """``totals``: one Cell per column; ``breakdowns``: name -> row key -> Cells (one per
    column); ``published``: name -> whether that breakdown could be protected."""

    totals: list[Cell]
    breakdowns: dict[str, dict[Any, list[Cell]]]
    published: dict[str, bool]
    k: int
    exact: bool


def nested_release(
    totals: Sequence[int],
    breakdowns: Mapping[str, Mapping[Any, Sequence[int]]],
    *,
    exact: bool,
    court: bool = False,
) -> NestedRelease:
    """``counts_release`` for rows of nested counts (people enrolled ⊇ completed; men
    matched ⊇ improved; referrals made ⊇ followed up): ``totals`` and each breakdown's rows
    hold one count per column, each column a subset of the one before, and every breakdown
    is a partition of the totals. The same protection as a program's release: 1..k hidden,
    and no hidden cell, difference between nested cells (the enrolled who did not
    complete) or remainder of a column pinned down by what is shown; a breakdown that
    cannot be protected, or whose totals are hidden, is not published."""
    width = len(totals)
    for name, rows in breakdowns.items():
        for i in range(width):
            if sum(int(r[i]) for r in rows.values()) != int(totals[i]):
                raise ValueError(f"breakdown {name!r} does not add up to the totals")
        if any(
            int(r[i]) < 0 or (i and int(r[i]) > int(r[i - 1]))
            for r in rows.values()
            for i in range(width)
        ):
            raise ValueError(f"breakdown {name!r} is not nested")
    if exact:
        return NestedRelease(
            totals=[Cell(int(v), 0) for v in totals],
            breakdowns={
                name: {key: [Cell(int(v), 0) for v in row] for key, row in rows.items()}
                for name, rows in breakdowns.items()
            },
            published=dict.fromkeys(breakdowns, True),
            k=0,
            exact=True,
        )
    k = threshold(court=court)
    head = _Table([[int(v) for v in totals]], None, k)
    _protect(head)
    head_cells = _cells(head)[0]
    hidden = Cell(None, k, unpublished=True)
    out: dict[str, dict[Any, list[Cell]]] = {}
    published: dict[str, bool] = {}
    # Columns whose total is hidden are not published in any breakdown, nor those after.
    cols = next((i for i, c in enumerate(head_cells) if c.suppressed), width)
    for name, rows in breakdowns.items():
        keys = list(rows)
        table = _Table(
            [[int(rows[key][i]) for i in range(cols)] for key in keys],
            [int(totals[i]) for i in range(cols)],
            k,
        )
        if not cols or not keys or not _protect(table):
            out[name] = {key: [hidden] * width for key in keys}
            published[name] = False
            continue
        cells = _cells(table)
        out[name] = {key: [*cells[n], *([hidden] * (width - cols))] for n, key in enumerate(keys)}
        published[name] = True
    return NestedRelease(totals=head_cells, breakdowns=out, published=published, k=k, exact=False)
