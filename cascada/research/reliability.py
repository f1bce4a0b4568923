"""Inter-coder reliability for qualitative coding: pure functions, no database.

Three entry points:

``cohen_kappa(a, b)``
    Nominal Cohen's kappa of two coders over the same units (Cohen 1960),
    ``kappa = (po - pe) / (1 - pe)``, computed from integer counts so that a table with an
    exact answer (po 0.7, pe 0.5) gives it exactly (0.4).

``krippendorff_alpha(data)``
    Nominal Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's
    Alpha-Reliability"): rows are coders, columns are units, ``None`` is a missing value.
    Any number of coders, missing values allowed. The arithmetic is the pinned
    ``krippendorff`` library's; the values are mapped to integer codes first.

``reliability(units_by_coder=..., codes=..., applied=...)``
    Agreement of coders who applied codes to a text, per code and overall.

A statistic that cannot be computed is ``None``: kappa when the chance agreement is 1
(both coders put every unit in one same category) or when there are no units; alpha when
fewer than two pairable values exist (no unit has two coders) or when the pairable values
are all the same (expected disagreement 0). No ``NaN``, no infinity and no NumPy warning
ever leaves this module.

How text coding is turned into ratings (``reliability``)
    The unit of analysis is a unit of text; the app uses **speaker turns**. For each code,
    every coder rates every unit they coded (looked at) with a binary value: 1 if they
    applied the code somewhere in the unit, 0 if not. A unit a coder has not coded is
    **missing** for that coder, not "absent": it takes no part in kappa, and alpha treats
    it as a missing value (a unit that only one coder coded is not pairable and counts for
    nothing). Per code, Cohen's kappa (exactly two coders, over the units both coded) and
    Krippendorff's alpha (nominal, binary present/absent, every coder, missing values
    allowed) are computed on these ratings.

    This is NVivo's per-code kappa, but on turns instead of characters: counting
    characters, the mass of text nobody coded agrees "absent" for every code and inflates
    agreement; a turn is the smallest piece that two coders can be asked about.

    The **overall** figures pool the binary decisions: every (unit, code) pair is one unit
    of the same kappa and alpha (so frequent and rare codes weigh by their number of
    decisions, like a pooled kappa), and ``overall.disagreements`` lists the units where
    the coders differ on at least one code.

    The work is linear in the number of units, codes and applied triples (NumPy arrays of
    units × codes counts, no loop over pairs of units): 50 transcripts × 200 turns × 60
    codes × 3 coders take well under a second.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
import numpy.typing as npt

__all__ = [
    "CodeReliability",
    "ReliabilityReport",
    "cohen_kappa",
    "krippendorff_alpha",
    "reliability",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CodeReliability:
    """Agreement of the coders on one code (or, for ``overall``, on every code pooled).

    ``units``          units coded by at least two coders (pairable); for ``overall``, the
                       pairable (unit, code) decisions
    ``agreement``      observed proportion of agreement: the share of pairable pairs of
                       coders (two coders who both coded a unit) that gave the unit the same
                       rating; with two coders, the share of units where both agree
    ``kappa``          Cohen's kappa when there are exactly two coders, else ``None``
    ``alpha``          Krippendorff's alpha, nominal, binary present/absent
    ``disagreements``  ids of the units where the coders differ on this code (``overall``:
                       on at least one code), in unit order
    """

    code: Hashable
    units: int
    agreement: float | None
    kappa: float | None
    alpha: float | None
    disagreements: tuple[Hashable, ...]


@dataclass(frozen=True)
class ReliabilityReport:
    """``reliability()``'s answer: the coders, one entry per code (in the order of
    ``codes``) and the pooled ``overall`` entry (``code=None``)."""

    coders: tuple[Hashable, ...]
    per_code: tuple[CodeReliability, ...]
    overall: CodeReliability


# --- Cohen's kappa ---------------------------------------------------------------------


def _kappa_from_counts(n: int, agree: int, chance: int) -> float | None:
    """Kappa from integers: ``n`` units, ``agree`` units on the diagonal, and
    ``chance = sum_c a_c * b_c`` (the product of the two coders' marginals).

    ``kappa = (po - pe) / (1 - pe)`` with ``po = agree / n`` and ``pe = chance / n**2``,
    multiplied through by ``n**2`` so that only one (correctly rounded) division is done.
    ``None`` when there are no units or ``pe == 1`` (``chance == n**2``).
    """
    denominator = n * n - chance
    if n == 0 or denominator == 0:
        return None
    return (n * agree - chance) / denominator


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Nominal Cohen's kappa of two coders, ``a[i]`` and ``b[i]`` being their ratings of
    unit ``i``.

    ``None`` when undefined: no units, or chance agreement 1 (both coders put every unit in
    one same category). ``ValueError`` when the two sequences differ in length.
    """
    if len(a) != len(b):
        raise ValueError(f"the two coders rated a different number of units: {len(a)} != {len(b)}")
    n = len(a)
    marginal_a: dict[Hashable, int] = {}
    marginal_b: dict[Hashable, int] = {}
    agree = 0
    for x, y in zip(a, b, strict=True):
        marginal_a[x] = marginal_a.get(x, 0) + 1
        marginal_b[y] = marginal_b.get(y, 0) + 1
        agree += x == y
    chance = sum(count * marginal_b.get(value, 0) for value, count in marginal_a.items())
    return _kappa_from_counts(n, agree, chance)


# --- Krippendorff's alpha --------------------------------------------------------------


def _library_alpha(
    *,
    reliability_data: npt.NDArray[np.float64] | None = None,
    value_counts: IntArray | None = None,
) -> float | None:
    """``krippendorff.alpha(..., level_of_measurement="nominal")``, with every NumPy warning
    silenced and a non-finite answer turned into ``None``. The callers have already ruled
    out the undefined cases (the library is never asked about them); this is the last
    guard."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = float(
            krippendorff.alpha(
                reliability_data=reliability_data,
                value_counts=value_counts,
                level_of_measurement="nominal",
            )
        )
    return value if np.isfinite(value) else None


def krippendorff_alpha(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Nominal Krippendorff's alpha: ``data[coder][unit]`` is a coder's value for a unit,
    ``None`` a missing value. Values are compared by equality (``==`` and hash).

    ``None`` when undefined: fewer than two pairable values (no unit with values from two
    coders), or a single value in all the pairable data (expected disagreement 0).
    ``ValueError`` when the rows differ in length.
    """
    rows = [list(row) for row in data]
    if not rows:
        return None
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("every coder's row must have one entry per unit")
    codes: dict[Hashable, int] = {}
    pairable_values: set[int] = set()
    matrix = np.full((len(rows), width), np.nan, dtype=np.float64)
    for unit in range(width):
        column = [row[unit] for row in rows]
        present = [(coder, value) for coder, value in enumerate(column) if value is not None]
        for coder, value in present:
            code = codes.setdefault(value, len(codes))
            matrix[coder, unit] = code
            if len(present) >= 2:
                pairable_values.add(code)
    if len(pairable_values) < 2:
        # No pairable unit at all, or one value only among the pairable ones: the expected
        # disagreement is 0 (the library would divide by zero).
        return None
    return _library_alpha(reliability_data=matrix)


def _binary_alpha(n: IntArray, k: IntArray) -> float | None:
    """Nominal alpha of binary ratings given per pairable unit as ``n`` coders who rated it
    and ``k`` of them who rated it 1 (every ``n >= 2``)."""
    ones = int(k.sum())
    zeros = int(n.sum()) - ones
    if ones == 0 or zeros == 0:
        return None  # no pairable unit, or one value only: expected disagreement 0
    return _library_alpha(value_counts=np.column_stack((n - k, k)))


# --- Text coding -----------------------------------------------------------------------


def _in_order(items: Iterable[Hashable]) -> list[Hashable]:
    """The distinct items, sorted when they can be compared, else in first-seen order."""
    distinct = list(dict.fromkeys(items))
    try:
        return sorted(distinct)  # type: ignore[type-var]
    except TypeError:
        return distinct


def _summary(
    code: Hashable,
    n: IntArray,
    k: IntArray,
    pair_table: tuple[int, int, int] | None,
    disagreements: tuple[Hashable, ...],
) -> CodeReliability:
    """One ``CodeReliability`` from the pairable units' ``n`` (coders) and ``k`` (coders who
    applied the code). ``pair_table`` is ``(first coder's 1s, second coder's 1s, units where
    both gave 1)`` over the units both coded, when there are exactly two coders."""
    units = len(n)
    pairs = int((n * (n - 1)).sum()) // 2
    agreeing = int((k * (k - 1) + (n - k) * (n - k - 1)).sum()) // 2
    agreement = agreeing / pairs if pairs else None
    kappa = None
    if pair_table is not None:
        first, second, both = pair_table
        # The 2 × 2 table: both 1 = both, both 0 = units - first - second + both.
        agree = both + (units - first - second + both)
        chance = first * second + (units - first) * (units - second)
        kappa = _kappa_from_counts(units, agree, chance)
    return CodeReliability(
        code=code,
        units=units,
        agreement=agreement,
        kappa=kappa,
        alpha=_binary_alpha(n, k),
        disagreements=disagreements,
    )


def reliability(
    *,
    units_by_coder: Mapping[Hashable, Collection[Hashable]],
    codes: Sequence[Hashable],
    applied: Collection[tuple[Hashable, Hashable, Hashable]],
) -> ReliabilityReport:
    """Agreement of the coders on each code and overall (see the module docstring).

    ``units_by_coder[coder]``  the units that coder has coded (looked at); any other unit is
                               missing for that coder
    ``codes``                  the codes to report, in report order (distinct)
    ``applied``                ``(coder, unit, code)``: that coder applied that code somewhere
                               in that unit; duplicates count once, and triples of a code not
                               in ``codes`` are ignored

    ``ValueError`` when ``codes`` repeats a code, or a triple names a coder missing from
    ``units_by_coder`` or a unit that coder has not coded (an inconsistent input, not a
    judgement this function should make silently).
    """
    coders = tuple(units_by_coder)
    coder_index = {coder: i for i, coder in enumerate(coders)}
    code_index = {code: j for j, code in enumerate(codes)}
    if len(code_index) != len(codes):
        raise ValueError("codes must be distinct")
    coded_sets = {coder: set(units) for coder, units in units_by_coder.items()}
    units = _in_order(unit for coder in coders for unit in coded_sets[coder])
    unit_index = {unit: u for u, unit in enumerate(units)}

    # coded[c, u]: coder c coded unit u; n[u]: how many coders coded it.
    coded = np.zeros((len(coders), len(units)), dtype=bool)
    for coder, unit_set in coded_sets.items():
        coded[coder_index[coder], [unit_index[unit] for unit in unit_set]] = True
    n_all = coded.sum(axis=0).astype(np.int64)

    # applied_by[c] lists the (unit, code) cells coder c marked.
    cells: list[list[tuple[int, int]]] = [[] for _ in coders]
    for triple in set(applied):
        coder, unit, code = triple
        if coder not in coder_index:
            raise ValueError(f"applied names a coder with no coded units: {coder!r}")
        if unit not in coded_sets[coder]:
            raise ValueError(
                f"coder {coder!r} applied a code to a unit they did not code: {unit!r}"
            )
        if code in code_index:
            cells[coder_index[coder]].append((unit_index[unit], code_index[code]))

    # k_all[u, j]: how many coders applied code j in unit u; for two coders, the first
    # coder's own marks too (the kappa table needs who said yes, not just how many).
    k_all = np.zeros((len(units), len(codes)), dtype=np.int64)
    first_all = np.zeros((len(units), len(codes)), dtype=np.int64)
    for c, marks in enumerate(cells):
        if marks:
            rows, columns = np.array(marks, dtype=np.int64).T
            np.add.at(k_all, (rows, columns), 1)
            if c == 0:
                first_all[rows, columns] = 1

    pairable = n_all >= 2
    pairable_units = [unit for unit, keep in zip(units, pairable, strict=True) if keep]
    n = n_all[pairable]
    k = k_all[pairable]
    first = first_all[pairable]
    two_coders = len(coders) == 2
    differ = (k > 0) & (k < n[:, np.newaxis])

    def table(k_part: IntArray, first_part: IntArray) -> tuple[int, int, int] | None:
        if not two_coders:
            return None  # with two coders every pairable unit was coded by both
        ones_first = int(first_part.sum())
        return ones_first, int(k_part.sum()) - ones_first, int((k_part == 2).sum())

    per_code = tuple(
        _summary(
            code,
            n,
            k[:, j],
            table(k[:, j], first[:, j]),
            tuple(pairable_units[u] for u in np.flatnonzero(differ[:, j])),
        )
        for j, code in enumerate(codes)
    )
    overall = _summary(
        None,
        np.repeat(n, len(codes)),
        k.reshape(-1),
        table(k, first),
        tuple(pairable_units[u] for u in np.flatnonzero(differ.any(axis=1))),
    )
    return ReliabilityReport(coders=coders, per_code=per_code, overall=overall)
