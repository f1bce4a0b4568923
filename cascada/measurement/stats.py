"""Statistics for attitude measurement: pure functions on NumPy arrays, no database.

Every function takes plain arrays (``NaN`` = a missing answer), works column-wise without a
Python loop over people (50,000 matched people × 24 items in milliseconds; only
``category_moves`` given Python lists rather than string arrays walks them) and returns a
frozen dataclass of plain Python numbers. A statistic that cannot be computed is ``None``
with a machine-readable ``reason`` code (the interface translates it); no ``NaN``, no
infinity and no division-by-zero warning ever leaves this module.

Direction: the scores measured here are "higher = more equitable" (GEM Scale, Pulerwitz
and Barker 2008), so a person **improved** when ``after > before``, and a positive mean
difference, t statistic or Cohen's d_z is a change towards equity.

Reason codes
    ``too_few_items``        reliability needs at least 2 items
    ``too_few_respondents``  reliability needs at least 2 complete rows
    ``constant``             the total score has no variance (alpha is undefined)
    ``too_few``              a paired test needs at least 2 matched pairs
    ``no_variance``          every difference is the same (the t statistic is undefined)
    ``all_zero``             every difference is zero (nothing for Wilcoxon to rank)
    ``no_discordant``        McNemar: nobody changed answer (b + c = 0)

Test (method) codes
    ``paired_t``, ``wilcoxon_exact``, ``wilcoxon_permutation``, ``wilcoxon_normal``,
    ``mcnemar_exact``, ``mcnemar_chi2_cc``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

__all__ = [
    "ALPHA_WARNING",
    "MCNEMAR_EXACT_BELOW",
    "CategoryMoves",
    "Description",
    "ItemChange",
    "ItemReliability",
    "PairedChange",
    "Reliability",
    "SignificanceTest",
    "category_moves",
    "cronbach_alpha",
    "describe",
    "mcnemar_items",
    "paired_change",
]

FloatArray = npt.NDArray[np.float64]

#: Alpha below this is flagged (Nunnally and Bernstein 1994, *Psychometric Theory*, 3rd
#: ed.: 0.70 as the usual minimum for group comparisons).
ALPHA_WARNING = 0.7
#: McNemar's test is exact (binomial) when fewer than this many people changed answer.
MCNEMAR_EXACT_BELOW = 25
# scipy.stats.wilcoxon(method="auto"): exact null distribution up to 50 pairs without ties
# or zeros; with ties or zeros, an exhaustive permutation test up to 13 pairs.
_WILCOXON_EXACT_MAX = 50
_WILCOXON_PERMUTATION_MAX = 13

# A variance below _TINY × (mean² + what was summed to get it) is checked on the data
# before it is called zero (cronbach_alpha).
_TINY = 1e-12

# Reason codes (see the module docstring).
TOO_FEW_ITEMS = "too_few_items"
TOO_FEW_RESPONDENTS = "too_few_respondents"
CONSTANT = "constant"
TOO_FEW = "too_few"
NO_VARIANCE = "no_variance"
ALL_ZERO = "all_zero"
NO_DISCORDANT = "no_discordant"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SignificanceTest:
    """One hypothesis test. ``method`` says which test ran (None when none could);
    ``n`` is the number of observations the test used (Wilcoxon: non-zero differences;
    McNemar: discordant pairs b + c); ``df`` the degrees of freedom when there are any."""

    method: str | None
    statistic: float | None
    p_value: float | None
    n: int
    df: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ItemReliability:
    """One item of a reliability analysis (column ``index`` of the input)."""

    index: int
    mean: float | None
    sd: float | None
    #: True when everybody (2 or more complete rows) gave this item the same answer.
    constant: bool
    #: Pearson correlation of the item with the total of the *other* items; None when the
    #: item or the rest total has no variance.
    corrected_item_total: float | None
    #: Alpha of the scale without this item; None with fewer than 2 items left or no
    #: variance in their total.
    alpha_if_deleted: float | None


@dataclass(frozen=True)
class Reliability:
    alpha: float | None
    #: Complete rows used (listwise deletion) and rows dropped for a missing answer.
    n_used: int
    n_dropped: int
    n_items: int
    items: tuple[ItemReliability, ...]
    reason: str | None = None
    #: True when alpha is known and below ``threshold`` (0.7 by default).
    warning: bool = False
    threshold: float = ALPHA_WARNING


@dataclass(frozen=True)
class PairedChange:
    """Change in matched people (``after - before``; positive = more equitable)."""

    n: int
    n_dropped: int
    mean_before: float | None
    mean_after: float | None
    mean_difference: float | None
    sd_difference: float | None
    confidence: float
    ci_low: float | None
    ci_high: float | None
    #: Cohen's d for paired data, d_z = mean(diff) / sd(diff).
    cohen_dz: float | None
    n_improved: int
    n_same: int
    n_worse: int
    share_improved: float | None
    share_same: float | None
    share_worse: float | None
    t_test: SignificanceTest
    wilcoxon: SignificanceTest


@dataclass(frozen=True)
class CategoryMoves:
    """People by category before (rows) and after (columns), ``labels`` in ascending order
    (e.g. low, moderate, high): ``counts[i][j]`` moved from ``labels[i]`` to ``labels[j]``."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    n: int
    n_dropped: int

    def matrix(self) -> npt.NDArray[np.int64]:
        return np.array(self.counts, dtype=np.int64).reshape(len(self.labels), len(self.labels))

    @property
    def n_up(self) -> int:
        """People who moved to a higher category (above the diagonal)."""
        return int(np.triu(self.matrix(), 1).sum())

    @property
    def n_stayed(self) -> int:
        return int(np.trace(self.matrix()))

    @property
    def n_down(self) -> int:
        return int(np.tril(self.matrix(), -1).sum())


@dataclass(frozen=True)
class ItemChange:
    """One yes/no item in matched people: ``b`` agreed before and not after, ``c`` did not
    agree before and agreed after; shares are over the ``n`` complete pairs."""

    index: int
    n: int
    agree_before: int
    agree_after: int
    share_before: float | None
    share_after: float | None
    b: int
    c: int
    test: SignificanceTest


@dataclass(frozen=True)
class Description:
    n: int
    n_missing: int
    mean: float | None
    sd: float | None
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None


# --------------------------------------------------------------------------- helpers


def _floats(values: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains an infinite value (use NaN for a missing answer)")
    return arr


def _rounding(scale: float) -> float:
    """What floating-point rounding can leave behind in sums and differences of numbers
    of magnitude ``scale``: a spread below it is treated as exactly zero."""
    return 64 * float(np.finfo(np.float64).eps) * scale


def _constant_columns(
    values: FloatArray, suspects: npt.NDArray[np.bool_], tol: float
) -> npt.NDArray[np.bool_]:
    """Which ``suspects`` columns of ``values`` spread no more than ``tol``."""
    out = np.zeros(values.shape[1], dtype=bool)
    for i in np.flatnonzero(suspects).tolist():
        out[i] = bool(np.ptp(values[:, i]) <= tol)
    return out


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


# --------------------------------------------------------------------------- reliability


def cronbach_alpha(items: npt.ArrayLike, *, threshold: float = ALPHA_WARNING) -> Reliability:
    """Cronbach's alpha of ``items`` (people × items), listwise on complete rows.

    With k items, C the items' sample covariance matrix (ddof 1) and T the total::

        alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(T))
              = k / (k - 1) * (1 - trace(C) / sum(C))

    Corrected item-total correlation of item i: Pearson r of x_i with T - x_i, from C:
    ``(R_i - C_ii) / sqrt(C_ii * (S - 2 R_i + C_ii))`` with R_i the row sum of C and S its
    total. "Alpha if item deleted": the same alpha formula on C without row and column i
    (trace ``trace(C) - C_ii``, total ``S - 2 R_i + C_ii``, k - 1 items).

    Sources: Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16(3): 297–334. Item-total statistics and the 0.70 rule: Nunnally, J.
    and Bernstein, I. (1994). *Psychometric Theory*, 3rd ed., McGraw-Hill.

    ``alpha`` is None with ``reason`` ``too_few_items`` (k < 2), ``too_few_respondents``
    (fewer than 2 complete rows) or ``constant`` (the total has zero variance, e.g. every
    answer the same). Alpha can be negative (items negatively related). ``warning`` is
    True when alpha is known and below ``threshold``.
    """
    x = _floats(items, "items")
    if x.ndim != 2:
        raise ValueError("items must be a 2-D array: one row per person, one column per item")
    n_rows, k = x.shape
    complete = ~np.isnan(x).any(axis=1)
    data = x if complete.all() else x[complete]
    n = int(data.shape[0])

    def result(
        alpha: float | None, reason: str | None, per_item: tuple[ItemReliability, ...]
    ) -> Reliability:
        return Reliability(
            alpha=alpha,
            n_used=n,
            n_dropped=n_rows - n,
            n_items=k,
            items=per_item,
            reason=reason,
            warning=alpha is not None and alpha < threshold,
            threshold=threshold,
        )

    means = data.mean(axis=0) if n else np.full(k, np.nan)
    if n < 2 or k < 2:
        per_item = tuple(
            ItemReliability(
                index=i,
                mean=_finite_or_none(means[i]) if n else None,
                sd=None,
                constant=bool(n >= 2 and np.ptp(data[:, i]) == 0),
                corrected_item_total=None,
                alpha_if_deleted=None,
            )
            for i in range(k)
        )
        return result(None, TOO_FEW_ITEMS if k < 2 else TOO_FEW_RESPONDENTS, per_item)

    centred = data - means
    cov = (centred.T @ centred) / (n - 1)
    item_var = np.diag(cov).copy()
    row_sum = cov.sum(axis=1)
    total_var = float(cov.sum())
    trace = float(item_var.sum())
    rest_var = total_var - 2.0 * row_sum + item_var

    # Zero variance is decided on the data, not on the variances, which come out of the
    # centring as tiny positive numbers for constant non-integers (0.1 repeated) and out
    # of the sums with cancellation. Only variances that small (relative to the means
    # and to what was summed) are checked on the data.
    total_mean = float(means.sum())
    spread = float(np.abs(cov).sum())
    item_constant = _constant_columns(data, item_var <= _TINY * means**2, 0.0)
    suspects = rest_var <= _TINY * ((total_mean - means) ** 2 + spread)
    flat_total = total_var <= _TINY * (total_mean**2 + spread)
    rest_constant = np.zeros(k, dtype=bool)
    if suspects.any() or flat_total:
        total = data.sum(axis=1)
        tol = _rounding(k * float(np.abs(data).max()))
        rest_constant = _constant_columns(total[:, None] - data, suspects, tol)
        flat_total = bool(np.ptp(total) <= tol)

    with np.errstate(divide="ignore", invalid="ignore"):
        r = (row_sum - item_var) / np.sqrt(item_var * rest_var)
        alpha_del = (k - 1) / (k - 2) * (1.0 - (trace - item_var) / rest_var) if k > 2 else None
    r_ok = ~item_constant & ~rest_constant & (item_var > 0) & (rest_var > 0) & np.isfinite(r)
    r = np.clip(r, -1.0, 1.0)

    per_item = tuple(
        ItemReliability(
            index=i,
            mean=float(means[i]),
            sd=0.0 if item_constant[i] else math.sqrt(max(float(item_var[i]), 0.0)),
            constant=bool(item_constant[i]),
            corrected_item_total=float(r[i]) if r_ok[i] else None,
            alpha_if_deleted=(
                float(alpha_del[i])
                if alpha_del is not None
                and not rest_constant[i]
                and rest_var[i] > 0
                and math.isfinite(alpha_del[i])
                else None
            ),
        )
        for i in range(k)
    )
    if flat_total or total_var <= 0:
        return result(None, CONSTANT, per_item)
    alpha = k / (k - 1) * (1.0 - trace / total_var)
    return result(float(alpha), None, per_item)


# --------------------------------------------------------------------------- paired change


def paired_change(
    before: npt.ArrayLike, after: npt.ArrayLike, *, confidence: float = 0.95
) -> PairedChange:
    """Change in matched people's scores (one value per person in each array, same order).

    Pairs with a missing value on either side are dropped (``n_dropped``). A difference,
    or a spread of differences, within floating-point rounding of the scores (64 ulp of
    their magnitude; prorated totals are not integers) counts as zero. With the
    differences d_j = after_j - before_j, n pairs, mean d̄ and sample SD s (ddof 1):

    - CI of the mean difference: d̄ ± t_{1-α/2, n-1} · s / √n (Student's t).
    - Paired t-test: t = d̄ / (s / √n), df = n - 1, two-sided p = 2 · P(T_{n-1} > |t|);
      the same as ``scipy.stats.ttest_rel(after, before)`` (Student 1908; any statistics
      text, e.g. Rosner, *Fundamentals of Biostatistics*).
    - Wilcoxon signed-rank test (Wilcoxon, F. 1945. Individual comparisons by ranking
      methods. *Biometrics Bulletin* 1(6): 80–83) via ``scipy.stats.wilcoxon`` with its
      defaults: zero differences are **dropped** (``zero_method="wilcox"``, Wilcoxon's
      own rule, so ``wilcoxon.n`` counts the non-zero differences), tied |d| get average
      ranks, the statistic is min(R+, R-), no continuity correction. The p-value is the one
      ``method="auto"`` gives: exact up to 50 pairs without ties or zeros
      (``wilcoxon_exact``); with ties or zeros, exact over all 2^n sign flips up to 13
      pairs (``wilcoxon_permutation``; counted here instead of enumerated, which takes
      scipy seconds); otherwise the normal approximation with the tie-corrected variance
      (``wilcoxon_normal``).
    - Cohen's d for paired data, d_z = d̄ / s (Cohen, J. 1988. *Statistical Power
      Analysis for the Behavioral Sciences*, 2nd ed.; Lakens, D. 2013. *Frontiers in
      Psychology* 4: 863).
    - Improved / same / worse: after > / = / < before (higher = more equitable).

    Edge cases: fewer than 2 pairs -> both tests None with reason ``too_few`` (and no SD,
    CI or d_z); every difference equal (s = 0) -> t-test and d_z None with reason
    ``no_variance`` (the CI is then the single point d̄); every difference zero ->
    Wilcoxon None with reason ``all_zero``.
    """
    b = _floats(before, "before")
    a = _floats(after, "after")
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError("before and after must have one value per person, in the same order")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    keep = ~(np.isnan(a) | np.isnan(b))
    b, a = b[keep], a[keep]
    n = int(b.size)
    d = a - b
    # Within rounding error of the scores: no change, or identical differences.
    tol = _rounding(max(float(np.abs(a).max()), float(np.abs(b).max()))) if n else 0.0
    d[np.abs(d) <= tol] = 0.0
    n_improved = int(np.count_nonzero(d > 0))
    n_worse = int(np.count_nonzero(d < 0))
    n_same = n - n_improved - n_worse

    mean_before = float(b.mean()) if n else None
    mean_after = float(a.mean()) if n else None
    mean_diff = float(d.mean()) if n else None

    sd: float | None = None
    ci_low = ci_high = cohen_dz = None
    if n < 2:
        t_test = SignificanceTest(None, None, None, n, reason=TOO_FEW)
        wilcoxon = SignificanceTest(None, None, None, n, reason=TOO_FEW)
    else:
        assert mean_diff is not None
        df = n - 1
        identical = bool(np.ptp(d) <= tol)
        sd = 0.0 if identical else float(d.std(ddof=1))
        se = sd / math.sqrt(n)
        half = float(sps.t.ppf(0.5 + confidence / 2, df)) * se
        ci_low, ci_high = mean_diff - half, mean_diff + half
        if identical or se == 0:
            t_test = SignificanceTest(None, None, None, n, df=float(df), reason=NO_VARIANCE)
        else:
            t = mean_diff / se
            p = min(1.0, 2.0 * float(sps.t.sf(abs(t), df)))
            t_test = SignificanceTest("paired_t", t, p, n, df=float(df))
            cohen_dz = mean_diff / sd
        wilcoxon = _wilcoxon(d)

    return PairedChange(
        n=n,
        n_dropped=int(keep.size - n),
        mean_before=mean_before,
        mean_after=mean_after,
        mean_difference=mean_diff,
        sd_difference=sd,
        confidence=confidence,
        ci_low=ci_low,
        ci_high=ci_high,
        cohen_dz=cohen_dz,
        n_improved=n_improved,
        n_same=n_same,
        n_worse=n_worse,
        share_improved=_share(n_improved, n),
        share_same=_share(n_same, n),
        share_worse=_share(n_worse, n),
        t_test=t_test,
        wilcoxon=wilcoxon,
    )


def _wilcoxon(d: FloatArray) -> SignificanceTest:
    """``scipy.stats.wilcoxon(d)`` with its defaults, naming the p-value method it uses."""
    n = int(d.size)
    nonzero = d[d != 0]
    if nonzero.size == 0:
        return SignificanceTest(None, None, None, 0, reason=ALL_ZERO)
    method: str
    if n > _WILCOXON_EXACT_MAX:
        method, code = "asymptotic", "wilcoxon_normal"
    elif nonzero.size == n and np.unique(np.abs(d)).size == n:
        method, code = "exact", "wilcoxon_exact"
    elif n <= _WILCOXON_PERMUTATION_MAX:
        statistic, p = _signed_rank_permutation(nonzero)
        return SignificanceTest("wilcoxon_permutation", statistic, p, int(nonzero.size))
    else:
        method, code = "asymptotic", "wilcoxon_normal"
    # At least one non-zero difference: the rank variance is positive, so both are finite.
    res = sps.wilcoxon(d, zero_method="wilcox", correction=False, method=method)
    return SignificanceTest(
        code, float(res.statistic), min(1.0, float(res.pvalue)), int(nonzero.size)
    )


def _signed_rank_permutation(nonzero: FloatArray) -> tuple[float, float]:
    """min(R+, R-) and its two-sided p-value under all 2^m equally likely signs of the m
    non-zero differences (average ranks for ties): the p-value scipy's ``wilcoxon`` gets
    with ``method="auto"`` by enumerating every sign flip (``permutation_test``; 1-2 s at
    13 pairs), here by counting: average ranks are multiples of 1/2, so the number of sign
    patterns giving each value of 2·R+ is a subset-sum count built one rank at a time.
    p = min(1, 2 · min(P(R+ ≥ observed), P(R+ ≤ observed)))."""
    ranks = sps.rankdata(np.abs(nonzero))
    doubled = np.rint(2 * ranks).astype(np.int64)
    counts = np.zeros(int(doubled.sum()) + 1, dtype=np.int64)
    counts[0] = 1
    for r in doubled.tolist():
        counts[r:] = counts[r:] + counts[: counts.size - r]
    r_plus = float(ranks[nonzero > 0].sum())
    r_minus = float(ranks[nonzero < 0].sum())
    observed = round(2 * r_plus)
    total = float(2**nonzero.size)
    upper = float(counts[observed:].sum()) / total
    lower = float(counts[: observed + 1].sum()) / total
    return min(r_plus, r_minus), min(1.0, 2.0 * min(upper, lower))


# --------------------------------------------------------------------------- categories


def _category_codes(
    values: Sequence[Any] | npt.ArrayLike, labels: tuple[str, ...]
) -> npt.NDArray[np.intp]:
    """Each value's position in ``labels``; -1 for a missing one (None, "" or NaN)."""
    # A list goes through object dtype: np.asarray would turn a NaN among strings into "nan".
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if arr.ndim != 1:
        raise ValueError("categories must be given as one value per person")
    if arr.dtype.kind == "U":  # an array of strings: vectorised
        names = np.asarray(labels)
        order = np.argsort(names)
        pos = np.minimum(np.searchsorted(names[order], arr), len(labels) - 1)
        codes = order[pos]
        missing = arr == ""
        unknown = (names[codes] != arr) & ~missing
        if unknown.any():
            raise ValueError(f"unknown category {arr[unknown][0]!r}")
        return np.where(missing, -1, codes).astype(np.intp)
    index = {label: i for i, label in enumerate(labels)}
    out = np.empty(arr.size, dtype=np.intp)
    for j, value in enumerate(arr.tolist()):
        code = index.get(value) if isinstance(value, str) else None
        if code is None:
            if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
                code = -1
            else:
                raise ValueError(f"unknown category {value!r}")
        out[j] = code
    return out


def category_moves(
    before_cat: Sequence[Any] | npt.ArrayLike,
    after_cat: Sequence[Any] | npt.ArrayLike,
    categories: Sequence[str],
) -> CategoryMoves:
    """Cross-tabulation of matched people's category before (rows) and after (columns).

    ``categories`` are the labels in ascending order (e.g. ``("low", "moderate",
    "high")``); a missing category is ``None``, ``""`` or NaN and drops the pair
    (``n_dropped``); any other value not in ``categories`` is an error. ``counts[i][j]``
    is the number of people in ``categories[i]`` before and ``categories[j]`` after, so the
    diagonal stayed, above it moved up (more equitable) and below it moved down.
    """
    labels = tuple(str(c) for c in categories)
    if len(set(labels)) != len(labels) or not labels:
        raise ValueError("categories must be distinct and not empty")
    b = _category_codes(before_cat, labels)
    a = _category_codes(after_cat, labels)
    if a.shape != b.shape:
        raise ValueError("before and after must have one value per person, in the same order")
    keep = (a >= 0) & (b >= 0)
    k = len(labels)
    flat = np.bincount(b[keep] * k + a[keep], minlength=k * k).reshape(k, k)
    return CategoryMoves(
        labels=labels,
        counts=tuple(tuple(int(v) for v in row) for row in flat),
        n=int(keep.sum()),
        n_dropped=int(keep.size - keep.sum()),
    )


# --------------------------------------------------------------------------- McNemar


def mcnemar_items(before_agree: npt.ArrayLike, after_agree: npt.ArrayLike) -> list[ItemChange]:
    """McNemar's test per item for matched yes/no answers (people × items, 1 = agree,
    0 = not, NaN = missing; a pair is used for an item when both answers are given).

    With b = agreed before and not after, c = agreed after and not before (the discordant
    pairs; McNemar, Q. 1947. Note on the sampling error of the difference between
    correlated proportions or percentages. *Psychometrika* 12(2): 153–157):

    - b + c < 25: exact test, two-sided binomial test of b successes in b + c trials with
      p = 0.5 (``scipy.stats.binomtest``); ``method="mcnemar_exact"``, statistic = b.
    - otherwise: chi-square with continuity correction (Edwards, A. L. 1948.
      *Psychometrika* 13(3): 185–187), ``chi2 = max(|b - c| - 1, 0)^2 / (b + c)``, 1 df,
      p = P(chi2_1 > chi2); ``method="mcnemar_chi2_cc"``. (The ``max`` only matters when
      b = c, where it gives chi2 = 0, p = 1, as Yates' correction in scipy does.)
    - b + c = 0: nobody changed; p is None with reason ``no_discordant``.

    The shares agreeing before and after are over the item's ``n`` complete pairs.
    """
    bef = _floats(before_agree, "before_agree")
    aft = _floats(after_agree, "after_agree")
    if bef.ndim != 2 or bef.shape != aft.shape:
        raise ValueError("before_agree and after_agree must be 2-D arrays of the same shape")
    for arr, name in ((bef, "before_agree"), (aft, "after_agree")):
        if not ((arr == 0) | (arr == 1) | np.isnan(arr)).all():
            raise ValueError(f"{name} must hold only 0, 1 or NaN")
    valid = ~(np.isnan(bef) | np.isnan(aft))
    yes_b = (bef == 1) & valid
    yes_a = (aft == 1) & valid
    n = valid.sum(axis=0)
    agree_b = yes_b.sum(axis=0)
    agree_a = yes_a.sum(axis=0)
    b = (yes_b & ~yes_a & valid).sum(axis=0)
    c = (yes_a & ~yes_b & valid).sum(axis=0)

    out: list[ItemChange] = []
    for i in range(bef.shape[1]):
        bi, ci, ni = int(b[i]), int(c[i]), int(n[i])
        out.append(
            ItemChange(
                index=i,
                n=ni,
                agree_before=int(agree_b[i]),
                agree_after=int(agree_a[i]),
                share_before=_share(int(agree_b[i]), ni),
                share_after=_share(int(agree_a[i]), ni),
                b=bi,
                c=ci,
                test=_mcnemar(bi, ci),
            )
        )
    return out


def _mcnemar(b: int, c: int) -> SignificanceTest:
    m = b + c
    if m == 0:
        return SignificanceTest(None, None, None, 0, reason=NO_DISCORDANT)
    if m < MCNEMAR_EXACT_BELOW:
        p = float(sps.binomtest(b, m, 0.5, alternative="two-sided").pvalue)
        return SignificanceTest("mcnemar_exact", float(b), min(1.0, p), m)
    chi2 = max(abs(b - c) - 1, 0) ** 2 / m
    p = float(sps.chi2.sf(chi2, 1))
    return SignificanceTest("mcnemar_chi2_cc", float(chi2), p, m, df=1.0)


# --------------------------------------------------------------------------- describe


def describe(scores: npt.ArrayLike) -> Description:
    """n, mean, SD (ddof 1), minimum, quartiles and maximum of the non-missing ``scores``.
    Quartiles use linear interpolation between order statistics (``numpy.percentile``'s
    default; Hyndman and Fan 1996, definition 7). Empty -> all None; n = 1 -> SD None."""
    x = _floats(scores, "scores").ravel()
    given = x[~np.isnan(x)]
    n = int(given.size)
    if n == 0:
        return Description(0, int(x.size), None, None, None, None, None, None, None)
    q = np.percentile(given, [0, 25, 50, 75, 100])
    return Description(
        n=n,
        n_missing=int(x.size - n),
        mean=float(given.mean()),
        sd=float(given.std(ddof=1)) if n > 1 else None,
        minimum=float(q[0]),
        q1=float(q[1]),
        median=float(q[2]),
        q3=float(q[3]),
        maximum=float(q[4]),
    )
