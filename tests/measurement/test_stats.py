"""The attitude statistics (cascada.measurement.stats), each checked against an independent
computation: scipy.stats on the same data, small examples worked by hand (the arithmetic is
in the comments), and textbook formulas written differently from the module's.

No database. Every warning is an error here: a division by zero or a NaN warning from
NumPy/SciPy fails the test.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as sps

from cascada.measurement.stats import (
    ALPHA_WARNING,
    CategoryMoves,
    Description,
    ItemChange,
    PairedChange,
    Reliability,
    category_moves,
    cronbach_alpha,
    describe,
    mcnemar_items,
    paired_change,
)

pytestmark = pytest.mark.filterwarnings("error")

NAN = np.nan


# --------------------------------------------------------------------------- references


def alpha_from_variances(x: np.ndarray) -> float:
    """Cronbach (1951): k/(k-1) * (1 - sum of item variances / variance of the total)."""
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def alpha_from_covariance(x: np.ndarray) -> float:
    """The same from the covariance matrix: k/(k-1) * (1 - trace(C)/sum(C))."""
    c = np.cov(x, rowvar=False)
    k = c.shape[0]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def correlated_answers(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Answers 1-3 driven by one latent attitude, so that alpha is high and realistic."""
    latent = rng.normal(size=(n, 1))
    raw = latent + rng.normal(scale=1.2, size=(n, k))
    return np.digitize(raw, [-0.5, 0.5]).astype(float) + 1


# --------------------------------------------------------------------------- alpha


# Hand example: 4 people x 3 items.
#   x1 = [1, 2, 3, 4]  mean 2.5, SS = 2.25+0.25+0.25+2.25 = 5, var = 5/3
#   x2 = [2, 1, 4, 3]  mean 2.5, SS = 5, var = 5/3
#   x3 = [1, 1, 3, 3]  mean 2,   SS = 4, var = 4/3
#   T  = [4, 4, 10, 10] mean 7,  SS = 36, var = 12
#   alpha = 3/2 * (1 - (14/3)/12) = 3/2 * 22/36 = 33/36 = 0.916666...
HAND = np.array([[1, 2, 1], [2, 1, 1], [3, 4, 3], [4, 3, 3]], dtype=float)


def test_alpha_hand_example():
    rel = cronbach_alpha(HAND)
    assert isinstance(rel, Reliability)
    assert rel.alpha == pytest.approx(33 / 36)
    assert (rel.n_used, rel.n_dropped, rel.n_items, rel.reason) == (4, 0, 3, None)
    assert rel.warning is False
    x1, x2, x3 = rel.items
    # x1 against x2 + x3 = [3, 2, 7, 6] (mean 4.5): deviations of x1 -1.5,-.5,.5,1.5 and of
    # the rest -1.5,-2.5,2.5,1.5; cross products 2.25+1.25+1.25+2.25 = 7; SS rest = 17;
    # r = 7 / sqrt(5 * 17) = 0.759256...
    assert x1.corrected_item_total == pytest.approx(7 / math.sqrt(85))
    assert x2.corrected_item_total == pytest.approx(7 / math.sqrt(85))  # symmetric
    # x3 = [1,1,3,3] against x1 + x2 = [3,3,7,7] = 2*x3 + 1: r = 1
    assert x3.corrected_item_total == pytest.approx(1.0)
    # without x3: var x1 = var x2 = 5/3, total [3,3,7,7] var 16/3:
    #   alpha = 2 * (1 - (10/3)/(16/3)) = 2 * 6/16 = 0.75
    assert x3.alpha_if_deleted == pytest.approx(0.75)
    # without x1: x2 + x3 = [3,2,7,6], var 17/3; alpha = 2 * (1 - (9/3)/(17/3)) = 16/17
    assert x1.alpha_if_deleted == pytest.approx(16 / 17)
    assert (x1.mean, x3.mean) == (pytest.approx(2.5), pytest.approx(2.0))
    assert x1.sd == pytest.approx(math.sqrt(5 / 3))
    assert not any(i.constant for i in rel.items)


def test_alpha_agrees_with_the_textbook_formulas_on_realistic_data():
    rng = np.random.default_rng(7)
    x = correlated_answers(rng, 600, 24)
    rel = cronbach_alpha(x)
    assert rel.alpha == pytest.approx(alpha_from_variances(x), abs=1e-12)
    assert rel.alpha == pytest.approx(alpha_from_covariance(x), abs=1e-12)
    assert 0.7 < rel.alpha < 1 and rel.warning is False
    total = x.sum(axis=1)
    for i, item in enumerate(rel.items):
        expected_r = np.corrcoef(x[:, i], total - x[:, i])[0, 1]
        assert item.corrected_item_total == pytest.approx(expected_r, abs=1e-12)
        assert item.alpha_if_deleted == pytest.approx(
            alpha_from_variances(np.delete(x, i, axis=1)), abs=1e-12
        )
        assert item.mean == pytest.approx(x[:, i].mean())
        assert item.sd == pytest.approx(x[:, i].std(ddof=1))


def test_alpha_is_listwise_on_complete_rows():
    rng = np.random.default_rng(3)
    x = correlated_answers(rng, 200, 6)
    holes = x.copy()
    holes[[0, 5, 9], [1, 2, 2]] = NAN
    holes[17, :] = NAN
    rel = cronbach_alpha(holes)
    complete = np.delete(x, [0, 5, 9, 17], axis=0)
    assert (rel.n_used, rel.n_dropped) == (196, 4)
    assert rel.alpha == pytest.approx(alpha_from_covariance(complete), abs=1e-12)
    assert rel.alpha != pytest.approx(alpha_from_covariance(x), abs=1e-6)


def test_alpha_warning_below_threshold_and_negative_alpha():
    # x1 = [1,2,3,4], x2 = [4,3,2,1]... would make the total constant; use x2 = [2,4,1,3]:
    #   var x1 = var x2 = 5/3; T = [3,6,4,7], mean 5, SS = 4+1+1+4 = 10, var 10/3
    #   alpha = 2 * (1 - (10/3)/(10/3)) = 0   (uncorrelated items)
    rel = cronbach_alpha(np.array([[1, 2], [2, 4], [3, 1], [4, 3]], dtype=float))
    assert rel.alpha == pytest.approx(0.0, abs=1e-12)
    assert rel.warning is True and rel.threshold == ALPHA_WARNING
    # Negatively related: x2 = [3,4,1,2]: T = [4,6,4,6], var 4/3;
    #   alpha = 2 * (1 - (10/3)/(4/3)) = 2 * (1 - 2.5) = -3
    neg = cronbach_alpha(np.array([[1, 3], [2, 4], [3, 1], [4, 2]], dtype=float))
    assert neg.alpha == pytest.approx(-3.0)
    assert neg.warning is True
    # with two items, deleting one leaves a single item: no alpha
    assert [i.alpha_if_deleted for i in neg.items] == [None, None]
    assert cronbach_alpha(HAND, threshold=0.95).warning is True


def test_alpha_too_few_items():
    rel = cronbach_alpha(np.array([[1.0], [2.0], [3.0]]))
    assert rel.alpha is None and rel.reason == "too_few_items"
    assert rel.warning is False and rel.n_items == 1 and rel.n_used == 3
    assert rel.items[0].corrected_item_total is None


def test_alpha_too_few_respondents_n1_and_all_missing():
    one = cronbach_alpha(np.array([[1, 2, 3], [NAN, 2, 3]]))
    assert (one.alpha, one.reason, one.n_used, one.n_dropped) == (
        None,
        "too_few_respondents",
        1,
        1,
    )
    assert [i.mean for i in one.items] == [1.0, 2.0, 3.0]
    assert not any(i.constant for i in one.items)  # one person says nothing about spread
    none = cronbach_alpha(np.full((4, 3), NAN))
    assert (none.alpha, none.reason, none.n_used, none.n_dropped) == (
        None,
        "too_few_respondents",
        0,
        4,
    )
    assert all(i.mean is None for i in none.items)


def test_alpha_constant_data():
    rel = cronbach_alpha(np.full((10, 4), 2.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        rel.alpha = 0.9  # type: ignore[misc]
    assert rel.alpha is None and rel.reason == "constant" and rel.warning is False
    assert all(i.constant and i.corrected_item_total is None for i in rel.items)
    assert all(i.alpha_if_deleted is None for i in rel.items)
    # 0.1 everywhere: centring leaves variances of ~1e-33 that must not make an alpha
    tenths = cronbach_alpha(np.full((7, 3), 0.1))
    assert tenths.alpha is None and tenths.reason == "constant"
    # items vary but the total does not: x1 + x2 = 4 for everyone
    flat_total = cronbach_alpha(np.array([[1, 3], [2, 2], [3, 1]], dtype=float))
    assert flat_total.alpha is None and flat_total.reason == "constant"


def test_alpha_with_one_constant_item():
    rng = np.random.default_rng(11)
    x = correlated_answers(rng, 300, 5)
    x[:, 2] = 3.0  # everybody agrees on item 3
    rel = cronbach_alpha(x)
    assert rel.alpha == pytest.approx(alpha_from_variances(x), abs=1e-12)
    assert rel.items[2].constant is True
    assert rel.items[2].corrected_item_total is None
    assert rel.items[2].sd == 0.0
    # deleting the constant item changes k, not the variances:
    assert rel.items[2].alpha_if_deleted == pytest.approx(
        alpha_from_variances(np.delete(x, 2, axis=1)), abs=1e-12
    )
    others = [i.corrected_item_total for i in rel.items if i.index != 2]
    assert all(r is not None and 0 < r < 1 for r in others)


def test_alpha_when_the_other_items_add_up_to_a_constant():
    # x2 + x3 = 1.3 for everyone: item 1 has no rest variance, so no corrected correlation
    # and no alpha without it (2 items whose total is constant)
    x2 = np.array([0.1, 0.2, 0.3, 0.7, 0.9])
    x1 = np.array([0.4, 2.9, 1.7, 0.3, 5.1])
    x = np.column_stack([x1, x2, 1.3 - x2])
    rel = cronbach_alpha(x)
    assert rel.alpha == pytest.approx(alpha_from_variances(x), abs=1e-12)
    assert rel.items[0].corrected_item_total is None
    assert rel.items[0].alpha_if_deleted is None
    assert rel.items[0].constant is False
    assert rel.items[1].alpha_if_deleted == pytest.approx(
        alpha_from_variances(np.delete(x, 1, axis=1)), abs=1e-12
    )
    assert rel.items[1].corrected_item_total == pytest.approx(
        np.corrcoef(x[:, 1], x[:, 0] + x[:, 2])[0, 1], abs=1e-12
    )


def test_alpha_rejects_bad_input():
    with pytest.raises(ValueError):
        cronbach_alpha(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError):
        cronbach_alpha(np.array([[1.0, np.inf], [2.0, 3.0]]))


answer_matrices = arrays(
    np.float64,
    st.tuples(st.integers(2, 30), st.integers(2, 8)),
    elements=st.sampled_from([1.0, 2.0, 3.0]),
)


@settings(max_examples=60, deadline=None)
@given(answer_matrices, st.integers(-50, 50), st.integers(1, 5))
def test_alpha_is_invariant_to_shifting_and_rescaling_every_answer(x, shift, scale):
    base = cronbach_alpha(x)
    moved = cronbach_alpha(x * scale + shift)
    assert moved.reason == base.reason
    if base.alpha is None:
        assert moved.alpha is None
    else:
        assert moved.alpha == pytest.approx(base.alpha, abs=1e-9)
        assert base.alpha == pytest.approx(alpha_from_covariance(x), abs=1e-9)
    for a, b in zip(base.items, moved.items, strict=True):
        assert (a.corrected_item_total is None) == (b.corrected_item_total is None)
        if a.corrected_item_total is not None:
            assert b.corrected_item_total == pytest.approx(a.corrected_item_total, abs=1e-9)
            assert -1 <= a.corrected_item_total <= 1


# --------------------------------------------------------------------------- paired change


def test_paired_change_hand_example():
    # d = after - before = [2, 1, 2, 0, 4]; mean 9/5 = 1.8
    # deviations .2, -.8, .2, -1.8, 2.2; SS = .04+.64+.04+3.24+4.84 = 8.8; var = 8.8/4 = 2.2
    # sd = sqrt(2.2) = 1.48324; se = sqrt(2.2/5) = sqrt(.44) = 0.663325
    # t = 1.8 / 0.663325 = 2.713602, df 4; d_z = 1.8 / 1.48324 = 1.213560
    # 95% CI: t_.975,4 = 2.776445; half = 2.776445 * 0.663325 = 1.841685 -> (-0.0417, 3.6417)
    res = paired_change([1, 2, 3, 4, 5], [3, 3, 5, 4, 9])
    assert isinstance(res, PairedChange)
    assert (res.n, res.n_dropped) == (5, 0)
    assert (res.mean_before, res.mean_after) == (pytest.approx(3.0), pytest.approx(4.8))
    assert res.mean_difference == pytest.approx(1.8)
    assert res.sd_difference == pytest.approx(math.sqrt(2.2))
    assert res.t_test.statistic == pytest.approx(1.8 / math.sqrt(0.44))
    assert res.t_test.statistic == pytest.approx(2.713602, abs=1e-6)
    assert res.t_test.df == 4 and res.t_test.method == "paired_t"
    assert res.cohen_dz == pytest.approx(1.8 / math.sqrt(2.2))
    assert res.ci_low == pytest.approx(1.8 - 2.776445 * math.sqrt(0.44), abs=1e-6)
    assert res.ci_high == pytest.approx(1.8 + 2.776445 * math.sqrt(0.44), abs=1e-6)
    ref = sps.ttest_rel([3, 3, 5, 4, 9], [1, 2, 3, 4, 5])
    assert res.t_test.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    ci = ref.confidence_interval()
    assert (res.ci_low, res.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    # improved: d > 0 for 4 people; same: 1 (d = 0); worse: 0
    assert (res.n_improved, res.n_same, res.n_worse) == (4, 1, 0)
    assert (res.share_improved, res.share_same, res.share_worse) == (0.8, 0.2, 0.0)
    # Wilcoxon: the zero is dropped; |d| = 2,1,2,4 -> ranks 2.5,1,2.5,4; R+ = 10, R- = 0,
    # statistic min = 0. Exact over the 2^4 equally likely signs: R+ = 10 and R+ = 0 occur
    # once each, so two-sided p = 2/16 = 0.125 (a permutation test, because of the zero).
    assert res.wilcoxon.statistic == 0.0
    assert res.wilcoxon.p_value == pytest.approx(0.125)
    assert res.wilcoxon.n == 4 and res.wilcoxon.method == "wilcoxon_permutation"


def test_wilcoxon_exact_hand_example():
    # d = [1,2,3,4,5]: no ties, no zeros; R- = 0; P(R- = 0) = 1/32; two-sided p = 2/32.
    # t: mean 3, sd sqrt(2.5), se sqrt(0.5): t = 3 / sqrt(0.5) = 3 * sqrt(2) = 4.242641
    res = paired_change([0, 0, 0, 0, 0], [1, 2, 3, 4, 5])
    assert res.wilcoxon.method == "wilcoxon_exact"
    assert res.wilcoxon.statistic == 0.0
    assert res.wilcoxon.p_value == pytest.approx(2 / 32)
    assert res.t_test.statistic == pytest.approx(3 * math.sqrt(2))
    # Swapped: R+ = 0 now, the statistic min(R+, R-) is still 0, same p
    swapped = paired_change([1, 2, 3, 4, 5], [0, 0, 0, 0, 0])
    assert swapped.wilcoxon.p_value == pytest.approx(2 / 32)
    assert swapped.t_test.statistic == pytest.approx(-3 * math.sqrt(2))


@pytest.mark.parametrize(
    ("n", "kind", "method"),
    [
        (40, "continuous", "wilcoxon_exact"),
        (10, "tied", "wilcoxon_permutation"),
        (30, "tied", "wilcoxon_normal"),
        (400, "tied", "wilcoxon_normal"),
        (400, "continuous", "wilcoxon_normal"),
    ],
)
def test_paired_change_agrees_with_scipy(n, kind, method):
    rng = np.random.default_rng(n)
    if kind == "continuous":
        before = rng.normal(45, 8, n)
        after = before + rng.normal(1.5, 4, n)
    else:  # GEM totals: integers 24-72, many ties and some zero differences
        before = rng.integers(24, 73, n).astype(float)
        after = np.clip(before + rng.integers(-3, 6, n), 24, 72)
    res = paired_change(before, after)
    t = sps.ttest_rel(after, before)
    w = sps.wilcoxon(after, before)  # scipy's defaults: zero_method="wilcox", method="auto"
    assert res.t_test.statistic == pytest.approx(t.statistic, rel=1e-10)
    assert res.t_test.p_value == pytest.approx(t.pvalue, rel=1e-9, abs=1e-300)
    assert res.wilcoxon.statistic == pytest.approx(w.statistic)
    assert res.wilcoxon.p_value == pytest.approx(w.pvalue, rel=1e-9, abs=1e-300)
    assert res.wilcoxon.method == method
    assert res.wilcoxon.n == int(np.count_nonzero(after - before))
    d = after - before
    assert res.sd_difference == pytest.approx(np.std(d, ddof=1))
    assert res.cohen_dz == pytest.approx(d.mean() / np.std(d, ddof=1))
    assert res.n_improved == int((after > before).sum())
    assert res.n_worse == int((after < before).sum())


def test_small_tied_samples_get_scipys_exhaustive_permutation_p_value():
    """Up to 13 pairs with ties or zeros the module counts what scipy enumerates."""
    rng = np.random.default_rng(13)
    seen = 0
    for n in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] * 4:
        before = rng.integers(24, 73, n).astype(float)
        after = before + rng.integers(-2, 3, n)
        if not (after - before).any():
            continue
        res = paired_change(before, after).wilcoxon
        ref = sps.wilcoxon(after, before)
        assert res.method == "wilcoxon_permutation"
        assert res.statistic == ref.statistic
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)
        seen += 1
    assert seen > 30


def test_wilcoxon_method_boundaries():
    # 13 pairs with ties: exact permutation; 14: normal approximation (scipy's "auto")
    d13 = np.array([1, 1, 2, 2, 3, -1, 4, 5, 6, -2, 7, 8, 0], dtype=float)
    res = paired_change(np.zeros(13), d13).wilcoxon
    ref = sps.wilcoxon(d13)
    assert res.method == "wilcoxon_permutation" and res.n == 12
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    d14 = np.append(d13, 9.0)
    res14 = paired_change(np.zeros(14), d14).wilcoxon
    assert res14.method == "wilcoxon_normal"
    assert res14.p_value == pytest.approx(sps.wilcoxon(d14).pvalue, rel=1e-12)
    # 50 distinct non-zero differences: exact; 51: normal approximation
    d50 = np.arange(1, 51, dtype=float) * np.where(np.arange(50) % 3 == 0, -1, 1)
    assert paired_change(np.zeros(50), d50).wilcoxon.method == "wilcoxon_exact"
    assert paired_change(np.zeros(50), d50).wilcoxon.p_value == pytest.approx(
        sps.wilcoxon(d50).pvalue, rel=1e-12
    )
    d51 = np.append(d50, 51.0)
    assert paired_change(np.zeros(51), d51).wilcoxon.method == "wilcoxon_normal"


def test_paired_change_drops_pairs_with_a_missing_side():
    before = np.array([30, 41, NAN, 50, 38, 44, 47, NAN])
    after = np.array([35, NAN, 40, 55, 37, 50, 47, NAN])
    res = paired_change(before, after)
    kept_b, kept_a = np.array([30, 50, 38, 44, 47]), np.array([35, 55, 37, 50, 47])
    assert (res.n, res.n_dropped) == (5, 3)
    assert res.mean_before == pytest.approx(kept_b.mean())
    assert res.mean_after == pytest.approx(kept_a.mean())
    assert res.t_test.statistic == pytest.approx(sps.ttest_rel(kept_a, kept_b).statistic)
    assert res.wilcoxon.p_value == pytest.approx(sps.wilcoxon(kept_a, kept_b).pvalue)
    # d = 5, 5, -1, 6, 0
    assert (res.n_improved, res.n_same, res.n_worse) == (3, 1, 1)


def test_paired_change_one_pair():
    res = paired_change([40.0, NAN], [44.0, 50.0])
    assert (res.n, res.n_dropped) == (1, 1)
    assert (res.mean_before, res.mean_after, res.mean_difference) == (40.0, 44.0, 4.0)
    assert res.sd_difference is None and res.ci_low is None and res.ci_high is None
    assert res.cohen_dz is None
    for test in (res.t_test, res.wilcoxon):
        assert (test.statistic, test.p_value, test.method, test.reason) == (
            None,
            None,
            None,
            "too_few",
        )
    assert res.share_improved == 1.0


def test_paired_change_no_pairs():
    res = paired_change([NAN, 1.0], [2.0, NAN])
    assert (res.n, res.n_dropped) == (0, 2)
    assert res.mean_before is None and res.mean_difference is None
    assert res.share_improved is None and res.share_same is None
    assert res.t_test.reason == "too_few" and res.wilcoxon.reason == "too_few"


def test_paired_change_identical_nonzero_differences():
    # d = 2 for everyone: sd 0, so no t statistic and no d_z (never inf or NaN).
    res = paired_change([30, 31, 32, 33, 34], [32, 33, 34, 35, 36])
    assert res.sd_difference == 0.0 and res.mean_difference == pytest.approx(2.0)
    assert res.t_test.statistic is None and res.t_test.p_value is None
    assert res.t_test.reason == "no_variance" and res.cohen_dz is None
    assert (res.ci_low, res.ci_high) == (pytest.approx(2.0), pytest.approx(2.0))
    # Wilcoxon still works: all 5 |d| tied (rank 3 each), R+ = 15, R- = 0; under the 2^5
    # equally likely signs R- = 0 once and R+ = 0 once: p = 2/32 = 0.0625
    assert res.wilcoxon.statistic == 0.0
    assert res.wilcoxon.p_value == pytest.approx(2 / 32)
    assert res.wilcoxon.p_value == pytest.approx(
        sps.wilcoxon([32, 33, 34, 35, 36], [30, 31, 32, 33, 34]).pvalue
    )


def test_paired_change_all_zero_differences():
    res = paired_change([40, 50, 60], [40, 50, 60])
    assert res.mean_difference == 0.0 and res.sd_difference == 0.0
    assert res.t_test.reason == "no_variance" and res.t_test.statistic is None
    assert res.wilcoxon.reason == "all_zero" and res.wilcoxon.p_value is None
    assert res.wilcoxon.n == 0
    assert (res.n_improved, res.n_same, res.n_worse) == (0, 3, 0)
    assert res.share_same == 1.0


def test_paired_change_ignores_floating_point_rounding():
    before = np.array([0.1, 0.7, 2.2, 1000.1])
    after = before + 0.1
    assert np.ptp(after - before) > 0  # 0.1 +/- a few ulp, not exactly the same
    res = paired_change(before, after)
    assert res.t_test.reason == "no_variance" and res.cohen_dz is None
    assert res.sd_difference == 0.0 and res.mean_difference == pytest.approx(0.1)
    # prorated totals computed two ways: equal up to rounding, so nobody changed
    again = (before * 3 + 0.3) / 3 - 0.1
    assert (again - before).any()
    same = paired_change(before, again)
    assert (same.n_same, same.n_improved, same.n_worse) == (4, 0, 0)
    assert same.wilcoxon.reason == "all_zero" and same.t_test.reason == "no_variance"


def test_paired_change_rejects_bad_input():
    with pytest.raises(ValueError):
        paired_change([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        paired_change([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(ValueError):
        paired_change([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(ValueError):
        paired_change([1.0, 2.0], [1.0, 3.0], confidence=1.0)


def test_paired_change_confidence_level():
    # 90% CI of the hand example: t_.95,4 = 2.131847; half = 2.131847 * sqrt(.44) = 1.414119
    res = paired_change([1, 2, 3, 4, 5], [3, 3, 5, 4, 9], confidence=0.90)
    assert res.ci_low == pytest.approx(1.8 - 2.131847 * math.sqrt(0.44), abs=1e-6)
    assert res.confidence == 0.90


score_pairs = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, n, elements=st.integers(24, 72).map(float)),
        arrays(np.float64, n, elements=st.integers(24, 72).map(float)),
    )
)


@settings(max_examples=60, deadline=None)
@given(score_pairs)
def test_swapping_before_and_after_mirrors_the_change(pair):
    before, after = pair
    fwd, back = paired_change(before, after), paired_change(after, before)
    assert back.mean_difference == pytest.approx(-fwd.mean_difference)
    assert (back.n_improved, back.n_same, back.n_worse) == (
        fwd.n_worse,
        fwd.n_same,
        fwd.n_improved,
    )
    assert back.t_test.reason == fwd.t_test.reason
    if fwd.t_test.statistic is not None:
        assert back.t_test.statistic == pytest.approx(-fwd.t_test.statistic)
        assert back.t_test.p_value == pytest.approx(fwd.t_test.p_value)
        assert back.cohen_dz == pytest.approx(-fwd.cohen_dz)
        assert fwd.t_test.statistic == pytest.approx(sps.ttest_rel(after, before).statistic)
        assert back.ci_low == pytest.approx(-fwd.ci_high)
    assert back.wilcoxon.reason == fwd.wilcoxon.reason
    if fwd.wilcoxon.p_value is not None:
        assert back.wilcoxon.statistic == pytest.approx(fwd.wilcoxon.statistic)
        assert back.wilcoxon.p_value == pytest.approx(fwd.wilcoxon.p_value)
        assert 0 <= fwd.wilcoxon.p_value <= 1


# --------------------------------------------------------------------------- categories


def test_category_moves_hand_example():
    before = ["low", "low", "moderate", "high", None, "moderate", "low"]
    after = ["moderate", "low", "high", "moderate", "low", "", NAN]
    moves = category_moves(before, after, ["low", "moderate", "high"])
    assert isinstance(moves, CategoryMoves)
    # kept pairs: low->moderate, low->low, moderate->high, high->moderate (3 dropped)
    assert moves.labels == ("low", "moderate", "high")
    assert moves.counts == ((1, 1, 0), (0, 0, 1), (0, 1, 0))
    assert (moves.n, moves.n_dropped) == (4, 3)
    assert (moves.n_up, moves.n_stayed, moves.n_down) == (2, 1, 1)
    assert moves.matrix().tolist() == [[1, 1, 0], [0, 0, 1], [0, 1, 0]]


def test_category_moves_agree_with_a_counter():
    rng = np.random.default_rng(5)
    labels = ["low", "moderate", "high"]
    before = rng.choice(labels, 5000)
    after = rng.choice(labels, 5000)
    moves = category_moves(before, after, labels)
    pairs = Counter(zip(before.tolist(), after.tolist(), strict=True))
    assert moves.n == 5000
    for i, frm in enumerate(labels):
        for j, to in enumerate(labels):
            assert moves.counts[i][j] == pairs[(frm, to)]
    # the same people given as lists (with a missing one) and as string arrays with ""
    as_lists = category_moves([*before.tolist(), None], [*after.tolist(), "low"], labels)
    assert as_lists.counts == moves.counts and as_lists.n_dropped == 1
    blank = category_moves(np.append(before, ""), np.append(after, "high"), labels)
    assert blank.counts == moves.counts and blank.n_dropped == 1
    back = category_moves(after, before, labels)
    assert back.matrix().tolist() == moves.matrix().T.tolist()
    assert back.n_up == moves.n_down


def test_category_moves_rejects_unknown_labels():
    with pytest.raises(ValueError):
        category_moves(["low", "medium"], ["low", "high"], ["low", "moderate", "high"])
    with pytest.raises(ValueError):
        category_moves(np.array(["low", "medium"]), np.array(["low", "high"]), ["low", "high"])
    with pytest.raises(ValueError):
        category_moves(np.array(["zzz"]), np.array(["low"]), ["low", "high"])
    with pytest.raises(ValueError):
        category_moves(["low"], ["low"], ["low", "low"])
    with pytest.raises(ValueError):
        category_moves(["low", "low"], ["low"], ["low", "high"])


# --------------------------------------------------------------------------- McNemar


def agree_pairs(b: int, c: int, yes_yes: int, no_no: int) -> tuple[np.ndarray, np.ndarray]:
    """One item's answers with the given discordant (b, c) and concordant counts."""
    before = [1] * b + [0] * c + [1] * yes_yes + [0] * no_no
    after = [0] * b + [1] * c + [1] * yes_yes + [0] * no_no
    return np.array(before, dtype=float), np.array(after, dtype=float)


def test_mcnemar_hand_examples():
    # item 0: b = 0, c = 5 -> exact: P(X = 0) + P(X = 5) for X ~ Bin(5, .5) = 2/32 = 0.0625
    # item 1: b = 10, c = 20 (b + c = 30 >= 25) -> chi2 = (|10 - 20| - 1)^2 / 30 = 81/30 = 2.7
    #         p = P(chi2_1 > 2.7) = erfc(sqrt(2.7 / 2)) = 0.100348
    b0, a0 = agree_pairs(0, 5, 20, 15)
    b1, a1 = agree_pairs(10, 20, 5, 5)
    out = mcnemar_items(np.column_stack([b0, b1]), np.column_stack([a0, a1]))
    assert all(isinstance(x, ItemChange) for x in out) and len(out) == 2
    first, second = out
    assert (first.b, first.c, first.n) == (0, 5, 40)
    assert first.test.method == "mcnemar_exact"
    assert first.test.p_value == pytest.approx(0.0625)
    # agreed before: 0 + 20 of 40; after: 5 + 20 of 40
    assert (first.agree_before, first.agree_after) == (20, 25)
    assert (first.share_before, first.share_after) == (0.5, 0.625)
    assert (second.b, second.c) == (10, 20)
    assert second.test.method == "mcnemar_chi2_cc" and second.test.df == 1
    assert second.test.statistic == pytest.approx(2.7)
    assert second.test.p_value == pytest.approx(math.erfc(math.sqrt(1.35)))
    assert second.test.p_value == pytest.approx(0.100348, abs=1e-6)
    assert second.test.p_value == pytest.approx(sps.chi2.sf(2.7, 1))


def test_mcnemar_switches_to_chi2_at_25_discordant_pairs():
    b24, a24 = agree_pairs(6, 18, 3, 3)  # b + c = 24: exact
    b25, a25 = agree_pairs(6, 19, 3, 3)  # b + c = 25: chi-square
    b26, a26 = agree_pairs(13, 13, 3, 3)  # b = c: chi2 = 0 with the correction, p = 1
    exact = mcnemar_items(b24[:, None], a24[:, None])[0].test
    chi = mcnemar_items(b25[:, None], a25[:, None])[0].test
    even = mcnemar_items(b26[:, None], a26[:, None])[0].test
    assert exact.method == "mcnemar_exact" and exact.n == 24
    assert exact.p_value == pytest.approx(sps.binomtest(6, 24, 0.5).pvalue)
    # sum of P(X <= 6) for X ~ Bin(24, .5), doubled: 2 * 190051 / 2^24 (hand, via combinations)
    assert exact.p_value == pytest.approx(2 * sum(math.comb(24, i) for i in range(7)) / 2**24)
    # (|6 - 19| - 1)^2 / 25 = 144/25 = 5.76
    assert chi.method == "mcnemar_chi2_cc" and chi.statistic == pytest.approx(5.76)
    assert chi.p_value == pytest.approx(math.erfc(math.sqrt(5.76 / 2)))
    assert (even.statistic, even.p_value) == (0.0, 1.0)


def test_mcnemar_no_discordant_pairs_and_missing_answers():
    before = np.array([[1, 1], [0, NAN], [1, 0], [NAN, 1], [0, 1]])
    after = np.array([[1, 0], [0, 1], [1, 0], [1, 1], [0, NAN]])
    first, second = mcnemar_items(before, after)
    # item 0: pairs 1-1, 0-0, 1-1, 0-0 (row 3 missing before): nobody changed
    assert (first.n, first.b, first.c) == (4, 0, 0)
    assert first.test.p_value is None and first.test.reason == "no_discordant"
    assert first.test.method is None
    assert (first.share_before, first.share_after) == (0.5, 0.5)
    # item 1: complete pairs rows 0, 2, 3: 1->0, 0->0, 1->1: b = 1, c = 0, n = 3
    assert (second.n, second.b, second.c) == (3, 1, 0)
    assert second.test.p_value == pytest.approx(1.0)  # Bin(1, .5): two-sided p = 1
    assert (second.agree_before, second.agree_after) == (2, 1)


def test_mcnemar_agrees_with_a_loop_and_scipy_on_random_data():
    rng = np.random.default_rng(9)
    n, k = 3000, 24
    before = (rng.random((n, k)) < 0.6).astype(float)
    flip = rng.random((n, k)) < rng.uniform(0.001, 0.05, k)
    after = np.where(flip & (before == 1), 0.0, before)
    after = np.where((rng.random((n, k)) < 0.01) & (before == 0), 1.0, after)
    before[rng.random((n, k)) < 0.02] = NAN
    out = mcnemar_items(before, after)
    methods = set()
    for i, item in enumerate(out):
        b = c = m = 0
        for x, y in zip(before[:, i], after[:, i], strict=True):
            if math.isnan(x) or math.isnan(y):
                continue
            m += 1
            b += x == 1 and y == 0
            c += x == 0 and y == 1
        assert (item.n, item.b, item.c) == (m, b, c)
        if b + c < 25:
            expected = sps.binomtest(b, b + c, 0.5).pvalue
        else:
            expected = sps.chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1)
        assert item.test.p_value == pytest.approx(expected, rel=1e-12)
        methods.add(item.test.method)
    assert methods == {"mcnemar_exact", "mcnemar_chi2_cc"}


def test_mcnemar_swapping_swaps_b_and_c():
    rng = np.random.default_rng(2)
    before = (rng.random((400, 5)) < 0.5).astype(float)
    after = (rng.random((400, 5)) < 0.4).astype(float)
    for fwd, back in zip(mcnemar_items(before, after), mcnemar_items(after, before), strict=True):
        assert (back.b, back.c) == (fwd.c, fwd.b)
        assert back.test.p_value == pytest.approx(fwd.test.p_value)


def test_mcnemar_rejects_bad_input():
    with pytest.raises(ValueError):
        mcnemar_items(np.array([[0, 2]]), np.array([[0, 1]]))
    with pytest.raises(ValueError):
        mcnemar_items(np.array([[0, 1]]), np.array([[0, 1, 1]]))
    with pytest.raises(ValueError):
        mcnemar_items(np.array([0, 1]), np.array([0, 1]))


# --------------------------------------------------------------------------- describe


def test_describe():
    res = describe([1, 2, 3, 4, NAN])
    assert isinstance(res, Description)
    # mean 2.5; SS = 2.25+.25+.25+2.25 = 5; sd = sqrt(5/3)
    # quartiles (linear, type 7): positions 1 + .25*3 = 1.75 -> 1.75; 3.25 -> 3.25
    assert (res.n, res.n_missing, res.mean) == (4, 1, 2.5)
    assert res.sd == pytest.approx(math.sqrt(5 / 3))
    assert (res.minimum, res.q1, res.median, res.q3, res.maximum) == (1, 1.75, 2.5, 3.25, 4)
    data = np.random.default_rng(4).integers(24, 73, 101).astype(float)
    big = describe(data)
    q1, q2, q3 = statistics.quantiles(data.tolist(), n=4, method="inclusive")
    assert (big.q1, big.median, big.q3) == (pytest.approx(q1), pytest.approx(q2), pytest.approx(q3))
    assert big.sd == pytest.approx(statistics.stdev(data.tolist()))


def test_describe_empty_and_single():
    assert describe([NAN, NAN]) == Description(0, 2, None, None, None, None, None, None, None)
    one = describe([42.0])
    assert (one.n, one.mean, one.sd, one.median) == (1, 42.0, None, 42.0)


# --------------------------------------------------------------------------- scale


def test_fifty_thousand_people_by_24_items():
    rng = np.random.default_rng(2024)
    n, k = 50_000, 24
    before = correlated_answers(rng, n, k)
    after = np.clip(before + rng.integers(-1, 2, (n, k)), 1, 3)
    before[rng.random((n, k)) < 0.01] = NAN
    rel = cronbach_alpha(before)
    complete = before[~np.isnan(before).any(axis=1)]
    assert rel.alpha == pytest.approx(alpha_from_covariance(complete), abs=1e-10)
    totals_b, totals_a = before.sum(axis=1), after.sum(axis=1)
    change = paired_change(totals_b, totals_a)
    keep = ~np.isnan(totals_b)
    assert change.n == int(keep.sum())
    assert change.t_test.statistic == pytest.approx(
        sps.ttest_rel(totals_a[keep], totals_b[keep]).statistic, rel=1e-10
    )
    assert change.wilcoxon.p_value == pytest.approx(
        sps.wilcoxon(totals_a[keep], totals_b[keep]).pvalue, rel=1e-9, abs=1e-300
    )
    items = mcnemar_items((before == 3).astype(float), (after == 3).astype(float))
    assert len(items) == k and all(item.n == n for item in items)
