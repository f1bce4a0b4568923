"""Inter-coder reliability (cascada.research.reliability), checked against independent
computations: published values (Cohen's 2 × 2 textbook table, Krippendorff 2011's 4 coders
× 12 units), small tables worked by hand (the arithmetic is in the comments), and, with
Hypothesis, kappa and alpha written out here again in exact fractions, differently from the
module (which counts marginals, and hands alpha to the ``krippendorff`` library).

No database. Every warning is an error here: a NumPy warning leaking out of the module
fails the test.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from fractions import Fraction
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cascada.research.reliability import (
    CodeReliability,
    ReliabilityReport,
    cohen_kappa,
    krippendorff_alpha,
    reliability,
)

pytestmark = pytest.mark.filterwarnings("error")


# --- Independent implementations --------------------------------------------------------


def reference_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Fraction | None:
    """Cohen (1960) from the confusion matrix: po is the diagonal's share, pe the sum over
    categories of row share × column share. Exact fractions."""
    n = len(a)
    if n == 0:
        return None
    table = Counter(zip(a, b, strict=True))
    categories = set(a) | set(b)
    row = {c: sum(table[(c, k)] for k in categories) for c in categories}
    column = {c: sum(table[(k, c)] for k in categories) for c in categories}
    po = Fraction(sum(table[(c, c)] for c in categories), n)
    pe = sum((Fraction(row[c], n) * Fraction(column[c], n) for c in categories), Fraction(0))
    if pe == 1:
        return None
    return (po - pe) / (1 - pe)


def reference_alpha(data: Sequence[Sequence[Hashable | None]]) -> Fraction | None:
    """Krippendorff (2011), nominal: the coincidence matrix o_ck = sum over units of the
    ordered pairs of values (c, k) from different coders, divided by m_u - 1 (m_u: values
    in the unit, units with m_u < 2 left out); n_c = sum_k o_ck, n = sum_c n_c;
    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k. Exact fractions."""
    coincidences: defaultdict[tuple[Hashable, Hashable], Fraction] = defaultdict(Fraction)
    width = len(data[0]) if data else 0
    for unit in range(width):
        values = [row[unit] for row in data if row[unit] is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in permutations(range(m), 2):
            coincidences[(values[i], values[j])] += Fraction(1, m - 1)
    totals: defaultdict[Hashable, Fraction] = defaultdict(Fraction)
    for (c, _k), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values(), Fraction(0))
    observed = sum((w for (c, k), w in coincidences.items() if c != k), Fraction(0))
    expected = sum((totals[c] * totals[k] for c in totals for k in totals if c != k), Fraction(0))
    if n < 2 or expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def table(both_yes: int, a_only: int, b_only: int, both_no: int) -> tuple[list[int], list[int]]:
    """Two coders' binary ratings with the given 2 × 2 counts."""
    a = [1] * both_yes + [1] * a_only + [0] * b_only + [0] * both_no
    b = [1] * both_yes + [0] * a_only + [1] * b_only + [0] * both_no
    return a, b


# --- Cohen's kappa and Krippendorff's alpha on textbook tables ------------------------------


def test_perfect_agreement_gives_one():
    a = ["yes", "no", "maybe", "no", "yes", "yes"]
    assert cohen_kappa(a, list(a)) == 1.0
    assert krippendorff_alpha([a, list(a)]) == pytest.approx(1.0, abs=1e-12)
    # Three coders, one missing value, still perfect.
    assert krippendorff_alpha([a, list(a), [*a[:-1], None]]) == pytest.approx(1.0, abs=1e-12)


def test_cohen_textbook_two_by_two():
    # 50 units: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # po = 35/50 = 0.7; A says yes 25/50, B 30/50: pe = 0.5*0.6 + 0.5*0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4 exactly.
    a, b = table(20, 5, 10, 15)
    assert cohen_kappa(a, b) == 0.4
    assert reference_kappa(a, b) == Fraction(2, 5)
    # Alpha, coincidences (each unit gives both ordered pairs, weight 1/(2-1)):
    # o_yy = 40, o_nn = 30, o_yn = o_ny = 15; n_y = 55, n_n = 45, n = 100;
    # alpha = 1 - 99 * 30 / (2 * 55 * 45) = 1 - 2970/4950 = 0.4.
    assert krippendorff_alpha([a, b]) == pytest.approx(0.4, abs=1e-12)


def test_chance_level_agreement():
    # Counts 25/25/25/25: po = 0.5, pe = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = 0.
    a, b = table(25, 25, 25, 25)
    assert cohen_kappa(a, b) == 0.0
    # Alpha: o_yy = 50, o_nn = 50, o_yn = o_ny = 50; n_y = n_n = 100, n = 200;
    # alpha = 1 - 199 * 100 / (2 * 100 * 100) = 1 - 0.995 = 0.005 (the small-sample
    # correction (n-1)/n keeps it just above 0).
    assert krippendorff_alpha([a, b]) == pytest.approx(0.005, abs=1e-12)
    assert reference_alpha([a, b]) == Fraction(1, 200)


def test_systematic_disagreement_is_negative():
    # A says yes exactly where B says no: po = 0, pe = 0.5, kappa = -1.
    a, b = table(0, 4, 4, 0)
    assert cohen_kappa(a, b) == -1.0
    # o_yn = o_ny = 8, n_y = n_n = 8, n = 16: alpha = 1 - 15 * 16 / (2 * 64) = -0.875.
    assert krippendorff_alpha([a, b]) == pytest.approx(-0.875, abs=1e-12)
    # Mostly disagreeing, not entirely: both yes 1, A only 5, B only 5, both no 1.
    a, b = table(1, 5, 5, 1)
    kappa = cohen_kappa(a, b)
    assert kappa is not None and kappa < 0
    assert reference_kappa(a, b) == Fraction(-2, 3)
    assert kappa == pytest.approx(-2 / 3)  # po = 2/12, pe = 1/2: (1/6 - 1/2) / (1/2)
    alpha = krippendorff_alpha([a, b])
    assert alpha is not None and alpha < 0


KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_krippendorff_2011_published_example():
    # "Computing Krippendorff's Alpha-Reliability" (2011), 4 coders × 12 units with missing
    # values: nominal alpha = 0.743.
    alpha = krippendorff_alpha(KRIPPENDORFF_2011)
    assert alpha is not None and round(alpha, 3) == 0.743
    reference = reference_alpha(KRIPPENDORFF_2011)
    assert reference is not None and round(float(reference), 3) == 0.743
    assert alpha == pytest.approx(float(reference), abs=1e-12)
    # Values are only labels: the same table with strings and tuples gives the same alpha.
    labels = {1: "a", 2: ("b",), 3: "c", 4: 4.5, 5: "e"}
    relabelled = [[None if v is None else labels[v] for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(relabelled) == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011))


# --- Undefined and invalid ------------------------------------------------------------------


def test_kappa_undefined_and_invalid():
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["x"] * 5, ["x"] * 5) is None  # pe == 1
    # One coder constant, the other not: pe < 1, kappa defined (and 0).
    assert cohen_kappa(["x"] * 4, ["x", "x", "x", "y"]) == 0.0
    with pytest.raises(ValueError, match="different number"):
        cohen_kappa([1, 2], [1])


def test_alpha_undefined_and_invalid():
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[], []]) is None
    assert krippendorff_alpha([[1, 2, 3]]) is None  # one coder: nothing pairable
    assert krippendorff_alpha([[1, None], [None, 2]]) is None  # no unit with two values
    assert krippendorff_alpha([[1, 1, 1], [1, 1, 1]]) is None  # one value only
    # A second value exists, but only in a unit one coder rated: the pairable values are all
    # 1, the expected disagreement is 0 (the library alone would divide by zero).
    assert krippendorff_alpha([[1, 1, 2], [1, 1, None]]) is None
    with pytest.raises(ValueError, match="one entry per unit"):
        krippendorff_alpha([[1, 2], [1]])


def test_the_library_is_never_asked_about_an_undefined_alpha(monkeypatch):
    # The module rules the undefined cases out itself, before the library could warn,
    # divide by zero or raise.
    import cascada.research.reliability as module

    def refuse(**_arguments):
        raise AssertionError("krippendorff.alpha called on undefined data")

    monkeypatch.setattr(module.krippendorff, "alpha", refuse)
    assert krippendorff_alpha([[1, 1, 2], [1, 1, None]]) is None
    assert krippendorff_alpha([[1, 1, 1], [1, 1, 1]]) is None
    assert krippendorff_alpha([[1, None], [None, 2]]) is None
    # X applied only where Bea is missing (turn 3), then Y applied by both everywhere: one
    # value only among the pairable ratings either way.
    report = reliability(
        units_by_coder={"ana": {1, 2, 3}, "bea": {1, 2}}, codes=["X"], applied=[("ana", 3, "X")]
    )
    assert report.per_code[0].alpha is None and report.overall.alpha is None
    report = reliability(
        units_by_coder={"ana": {1, 2}, "bea": {1, 2}},
        codes=["Y"],
        applied=[("ana", 1, "Y"), ("ana", 2, "Y"), ("bea", 1, "Y"), ("bea", 2, "Y")],
    )
    assert report.per_code[0].alpha is None and report.overall.alpha is None
    with pytest.raises(AssertionError, match="undefined"):
        krippendorff_alpha([[1, 2], [1, 2]])  # defined: the library is asked


# --- Hypothesis against the independent implementations ------------------------------------

VALUES = st.sampled_from([0, 1, 2, "x", ("t", 1)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(VALUES, VALUES), max_size=40))
def test_kappa_matches_the_confusion_matrix(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    expected = reference_kappa(a, b)
    got = cohen_kappa(a, b)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(float(expected), abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda coders: st.integers(min_value=0, max_value=15).flatmap(
            lambda units: st.lists(
                st.lists(st.none() | VALUES, min_size=units, max_size=units),
                min_size=coders,
                max_size=coders,
            )
        )
    )
)
def test_alpha_matches_the_coincidence_formula(data):
    expected = reference_alpha(data)
    got = krippendorff_alpha(data)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(float(expected), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=2, max_value=5), st.integers(min_value=0, max_value=12), VALUES)
def test_alpha_of_a_single_value_is_undefined(coders, units, value):
    assert krippendorff_alpha([[value] * units for _ in range(coders)]) is None


# --- Text coding ------------------------------------------------------------------------

# Two coders, three codes, six turns. Ana coded turns 1-6, Bea 1-5: turn 6 is MISSING for
# Bea, so it takes no part (only one coder: not pairable).
TWO_CODERS = {"ana": {1, 2, 3, 4, 5, 6}, "bea": {1, 2, 3, 4, 5}}
APPLIED = {
    # X: Ana 1 2 3 (6), Bea 1 2 4
    ("ana", 1, "X"),
    ("ana", 2, "X"),
    ("ana", 3, "X"),
    ("ana", 6, "X"),
    ("bea", 1, "X"),
    ("bea", 2, "X"),
    ("bea", 4, "X"),
    # Y: both 2 and 5
    ("ana", 2, "Y"),
    ("ana", 5, "Y"),
    ("bea", 2, "Y"),
    ("bea", 5, "Y"),
    # Z: Ana only (6), Bea 3
    ("ana", 6, "Z"),
    ("bea", 3, "Z"),
}


def test_reliability_by_hand_with_a_missing_turn():
    report = reliability(units_by_coder=TWO_CODERS, codes=["X", "Y", "Z"], applied=APPLIED)
    assert isinstance(report, ReliabilityReport)
    assert report.coders == ("ana", "bea")
    x, y, z = report.per_code
    assert [c.code for c in report.per_code] == ["X", "Y", "Z"]

    # X over turns 1-5: both yes {1, 2}, Ana only {3}, Bea only {4}, both no {5}.
    # po = 3/5; Ana yes 3/5, Bea yes 3/5: pe = 9/25 + 4/25 = 13/25;
    # kappa = (15/25 - 13/25) / (12/25) = 1/6.
    # Alpha: o_yy = 4, o_nn = 2, o_yn = o_ny = 2; n_y = 6, n_n = 4, n = 10;
    # alpha = 1 - 9 * 4 / (2 * 6 * 4) = 1 - 36/48 = 0.25.
    assert x == CodeReliability(
        code="X",
        units=5,
        agreement=0.6,
        kappa=pytest.approx(1 / 6),
        alpha=pytest.approx(0.25),
        disagreements=(3, 4),
    )
    # Y: both yes {2, 5}, both no {1, 3, 4}: kappa 1, alpha 1.
    assert y == CodeReliability(
        code="Y", units=5, agreement=1.0, kappa=1.0, alpha=pytest.approx(1.0), disagreements=()
    )
    # Z over turns 1-5: Ana never, Bea {3}; po = 4/5, pe = 0 * 1/5 + 1 * 4/5 = 4/5: kappa 0
    # (80 % agreement on a rare code is chance level).
    # Alpha: o_nn = 8, o_yn = o_ny = 1; n_n = 9, n_y = 1, n = 10;
    # alpha = 1 - 9 * 2 / (2 * 9 * 1) = 0.
    assert z == CodeReliability(
        code="Z",
        units=5,
        agreement=0.8,
        kappa=0.0,
        alpha=pytest.approx(0.0, abs=1e-12),
        disagreements=(3,),
    )

    # Overall, 5 turns × 3 codes = 15 decisions: both yes 2 + 2 + 0 = 4, Ana only 1,
    # Bea only 1 + 1 = 2, both no 1 + 3 + 4 = 8. po = 12/15; Ana yes 5, Bea yes 6:
    # pe = (5 * 6 + 10 * 9) / 225 = 120/225; kappa = (180 - 120) / (225 - 120) = 4/7.
    # Alpha: o_yy = 8, o_nn = 16, o_yn = o_ny = 3; n_y = 11, n_n = 19, n = 30;
    # alpha = 1 - 29 * 6 / (2 * 11 * 19) = 1 - 174/418 = 122/209.
    assert report.overall == CodeReliability(
        code=None,
        units=15,
        agreement=pytest.approx(0.8),
        kappa=pytest.approx(4 / 7),
        alpha=pytest.approx(122 / 209),
        disagreements=(3, 4),
    )


def test_a_turn_coded_by_bea_too_changes_the_numbers():
    # The same marks, but Bea has coded turn 6 as well (and applied nothing there): turn 6
    # is now ABSENT for her, not missing, and counts.
    units = {"ana": {1, 2, 3, 4, 5, 6}, "bea": {1, 2, 3, 4, 5, 6}}
    x, y, z = reliability(units_by_coder=units, codes=["X", "Y", "Z"], applied=APPLIED).per_code
    # X over 6 turns: both yes 2, Ana only {3, 6}, Bea only {4}, both no 1. po = 1/2;
    # Ana yes 4/6, Bea yes 3/6: pe = 12/36 + 6/36 = 1/2; kappa = 0 (was 1/6).
    # Alpha: o_yy = 4, o_nn = 2, o_yn = o_ny = 3; n_y = 7, n_n = 5, n = 12;
    # alpha = 1 - 11 * 6 / 70 = 4/70 (was 0.25).
    assert (x.units, x.agreement, x.kappa) == (6, 0.5, 0.0)
    assert x.alpha == pytest.approx(4 / 70)
    assert x.disagreements == (3, 4, 6)
    # Y: turn 6 both no, still perfect.
    assert (y.kappa, y.agreement, y.disagreements) == (1.0, 1.0, ())
    # Z over 6 turns: both no 4, Ana only {6}, Bea only {3}: po = 4/6; pe = 1/36 + 25/36;
    # kappa = (24 - 26) / (36 - 26) = -0.2 (was 0).
    assert z.kappa == pytest.approx(-0.2)
    assert z.disagreements == (3, 6)


def test_three_coders_give_alpha_and_no_kappa():
    # One code, four turns. Ana and Bea coded 1-4, Cai 1-3.
    # Turn 1: all three apply it (n=3, k=3); turn 2: Ana, Bea (k=2); turn 3: Cai (k=1);
    # turn 4: Ana, Bea coded it, nobody applied it (n=2, k=0).
    units = {"ana": [1, 2, 3, 4], "bea": [1, 2, 3, 4], "cai": [1, 2, 3]}
    applied = [
        ("ana", 1, "C"),
        ("bea", 1, "C"),
        ("cai", 1, "C"),
        ("ana", 2, "C"),
        ("bea", 2, "C"),
        ("cai", 3, "C"),
        ("cai", 3, "C"),  # a duplicate counts once
    ]
    report = reliability(units_by_coder=units, codes=["C"], applied=applied)
    # Coincidences (pairs / (m_u - 1)): turn 1 o_yy += 6/2; turn 2 o_yy += 2/2,
    # o_yn = o_ny += 2/2; turn 3 o_nn += 2/2, o_yn = o_ny += 2/2; turn 4 o_nn += 2/1.
    # o_yy = 4, o_nn = 3, o_yn = o_ny = 2; n_y = 6, n_n = 5, n = 11;
    # alpha = 1 - 10 * 4 / (2 * 6 * 5) = 1/3.
    # Pairs of coders: turn 1 3 of 3 agree, turn 2 1 of 3, turn 3 1 of 3, turn 4 1 of 1:
    # agreement 6/10.
    expected = CodeReliability(
        code="C",
        units=4,
        agreement=0.6,
        kappa=None,
        alpha=pytest.approx(1 / 3),
        disagreements=(2, 3),
    )
    assert report.coders == ("ana", "bea", "cai")
    assert report.per_code == (expected,)
    assert report.overall.kappa is None
    assert report.overall.alpha == pytest.approx(1 / 3)
    assert report.overall.units == 4 and report.overall.disagreements == (2, 3)


def test_reliability_edge_cases():
    # Nobody shares a turn: nothing pairable, nothing computable.
    report = reliability(
        units_by_coder={"ana": {1, 2}, "bea": {3}}, codes=["X"], applied={("ana", 1, "X")}
    )
    only = report.per_code[0]
    assert (only.units, only.agreement, only.kappa, only.alpha) == (0, None, None, None)
    # A code nobody applied on shared turns: full agreement, but kappa and alpha undefined.
    report = reliability(
        units_by_coder={"ana": {1, 2}, "bea": {1, 2}}, codes=["X", "Y"], applied=[("ana", 1, "X")]
    )
    y = report.per_code[1]
    assert (y.units, y.agreement, y.kappa, y.alpha, y.disagreements) == (2, 1.0, None, None, ())
    # Codes outside `codes` are ignored; one coder only; no codes at all.
    report = reliability(
        units_by_coder={"ana": {1, 2}, "bea": {1, 2}}, codes=["Y"], applied=[("ana", 1, "X")]
    )
    assert report.per_code[0].disagreements == () and report.overall.disagreements == ()
    solo = reliability(units_by_coder={"ana": {1}}, codes=["X"], applied=[("ana", 1, "X")])
    assert solo.overall.units == 0 and solo.overall.alpha is None
    empty = reliability(units_by_coder={"ana": {1}, "bea": {1}}, codes=[], applied=[])
    assert empty.per_code == () and empty.overall.units == 0
    # Unit ids that cannot be sorted keep their first-seen order.
    mixed = reliability(
        units_by_coder={"ana": ["t", 1], "bea": ["t", 1]},
        codes=["X"],
        applied=[("ana", 1, "X"), ("ana", "t", "X")],
    )
    assert set(mixed.per_code[0].disagreements) == {"t", 1}


def test_reliability_rejects_inconsistent_input():
    units = {"ana": {1, 2}, "bea": {1, 2}}
    with pytest.raises(ValueError, match="distinct"):
        reliability(units_by_coder=units, codes=["X", "X"], applied=[])
    with pytest.raises(ValueError, match="no coded units"):
        reliability(units_by_coder=units, codes=["X"], applied=[("cai", 1, "X")])
    with pytest.raises(ValueError, match="did not code"):
        reliability(units_by_coder=units, codes=["X"], applied=[("ana", 3, "X")])


@st.composite
def codings(draw):
    """Random coders (2-4), turns, codes, coded sets and applied marks."""
    n_coders = draw(st.integers(min_value=2, max_value=4))
    turns = list(range(draw(st.integers(min_value=0, max_value=12))))
    codes = [f"c{j}" for j in range(draw(st.integers(min_value=0, max_value=4)))]
    coders = [f"k{i}" for i in range(n_coders)]
    units = {coder: draw(st.sets(st.sampled_from(turns))) if turns else set() for coder in coders}
    applied = set()
    for coder in coders:
        for turn in sorted(units[coder]):
            for code in codes:
                if draw(st.booleans()):
                    applied.add((coder, turn, code))
    return units, codes, applied


def _expected_entry(units, applied, coders, decisions):
    """The independent computation for a list of decisions ``(turn, code)`` (one code's
    turns, or every (turn, code) pair for the overall entry): a rating table with None
    for missing, the reference kappa and alpha, and pairwise agreement counted directly."""
    rows = [
        [
            None if turn not in units[coder] else int((coder, turn, code) in applied)
            for turn, code in decisions
        ]
        for coder in coders
    ]
    pairable = [i for i in range(len(decisions)) if sum(r[i] is not None for r in rows) >= 2]
    pairs = agree = 0
    for i in pairable:
        values = [r[i] for r in rows if r[i] is not None]
        for p in range(len(values)):
            for q in range(p + 1, len(values)):
                pairs += 1
                agree += values[p] == values[q]
    kappa = None
    if len(coders) == 2:
        kappa = reference_kappa([rows[0][i] for i in pairable], [rows[1][i] for i in pairable])
    alpha = reference_alpha(rows) if pairable else None
    disagreeing = [decisions[i][0] for i in pairable if len({r[i] for r in rows} - {None}) > 1]
    return len(pairable), (Fraction(agree, pairs) if pairs else None), kappa, alpha, disagreeing


def _same(got, expected):
    return got is None if expected is None else got == pytest.approx(float(expected), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(codings())
def test_reliability_matches_the_rating_tables(coding):
    units, codes, applied = coding
    coders = list(units)
    report = reliability(units_by_coder=units, codes=codes, applied=applied)
    all_turns = sorted(set().union(*units.values()))
    for code, entry in zip(codes, report.per_code, strict=True):
        n, agreement, kappa, alpha, disagreeing = _expected_entry(
            units, applied, coders, [(turn, code) for turn in all_turns]
        )
        assert entry.code == code and entry.units == n
        assert _same(entry.agreement, agreement)
        assert _same(entry.kappa, kappa)
        assert _same(entry.alpha, alpha)
        assert entry.disagreements == tuple(disagreeing)
    n, agreement, kappa, alpha, disagreeing = _expected_entry(
        units, applied, coders, [(turn, code) for turn in all_turns for code in codes]
    )
    overall = report.overall
    assert overall.code is None and overall.units == n
    assert _same(overall.agreement, agreement)
    assert _same(overall.kappa, kappa)
    assert _same(overall.alpha, alpha)
    assert overall.disagreements == tuple(dict.fromkeys(disagreeing))


def test_reliability_at_the_size_of_a_study():
    # 50 transcripts × 200 turns × 60 codes × 3 coders, random marks: every (turn, code)
    # decision is counted and random coders agree at chance level. (Speed is measured by
    # benchmarks, never here.)
    rng = random.Random(12)
    turns = [(t, i) for t in range(50) for i in range(200)]
    codes = list(range(60))
    units = {"ana": set(turns), "bea": set(turns), "cai": set(rng.sample(turns, 8000))}
    applied = [
        (coder, turn, rng.choice(codes))
        for coder, coded in units.items()
        for turn in coded
        for _ in range(rng.randrange(3))
    ]
    report = reliability(units_by_coder=units, codes=codes, applied=applied)
    assert report.overall.units == 10_000 * 60
    assert len(report.per_code) == 60
    assert report.overall.alpha is not None and abs(report.overall.alpha) < 0.05  # random marks
