"""Scoring the GEM Scale and the DHS items as shipped, against computations written
here independently of ``scoring.py`` (docs/decisions/measurement.md)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cascada.measurement.models import Instrument, Wording
from cascada.measurement.scoring import CategoryRule, ItemSpec, Spec, category_of, score
from cascada.measurement.shipped import GEM_ITEMS

# The GEM Scale by hand (gem-scale.md): agree 1, partly 2, disagree 3 on the 17
# inequitable items; agree 3, partly 2, disagree 1 on the 7 equitable ones.
INEQUITABLE = [code for code, inequitable, *_ in GEM_ITEMS if inequitable]
EQUITABLE = [code for code, inequitable, *_ in GEM_ITEMS if not inequitable]
BY_HAND = {
    True: {"agree": 1, "partly": 2, "disagree": 3},
    False: {"agree": 3, "partly": 2, "disagree": 1},
}


def by_hand(answers: dict[str, str]) -> int:
    return sum(BY_HAND[code in INEQUITABLE][answers[code]] for code in INEQUITABLE + EQUITABLE)


@pytest.fixture
def gem(db) -> Spec:
    return Spec.of(Instrument.objects.get(code="gem", organization=None).versions.get())


@pytest.fixture
def dhs(db) -> Spec:
    return Spec.of(Instrument.objects.get(code="dhs-wife-beating").versions.get())


def test_the_shipped_gem_scale_has_17_inequitable_and_7_reversed_equitable_items(gem):
    assert len(gem.items) == 24 and (len(INEQUITABLE), len(EQUITABLE)) == (17, 7)
    assert {i.code for i in gem.items if i.reverse} == set(EQUITABLE)
    assert gem.total_range() == (24, 72)
    # Equal thirds of the range, as the issue and gem-scale.md state them.
    assert gem.upper_bounds() == (39.0, 55.0)


def test_item_24_and_the_untranslated_items_are_marked_as_such(db):
    version = Instrument.objects.get(code="gem", organization=None).versions.get()
    item24 = version.items.get(code="gem_male_friend")
    assert (item24.wording_en, item24.wording_es) == (Wording.UNVERIFIED, Wording.UNVERIFIED)
    assert version.items.filter(wording_es=Wording.PUBLISHED).count() == 7
    assert version.items.filter(wording_es=Wording.TRANSLATION).count() == 16


def test_the_most_equitable_answers_score_72_and_the_least_24(gem):
    best = dict.fromkeys(INEQUITABLE, "disagree") | dict.fromkeys(EQUITABLE, "agree")
    worst = dict.fromkeys(INEQUITABLE, "agree") | dict.fromkeys(EQUITABLE, "disagree")
    assert score(gem, best).total == 72 == by_hand(best)
    assert score(gem, worst).total == 24 == by_hand(worst)
    assert score(gem, best).category == "high" and score(gem, worst).category == "low"


def test_agreeing_with_everything_is_not_the_top_score(gem):
    """The bug found in public code: without reversing the equitable items, a man who
    agrees with every statement scores 24 x 1 = 24 and one who disagrees with all 72.
    Reversed, both land in the middle: 17 x 1 + 7 x 3 = 38 and 17 x 3 + 7 x 1 = 58."""
    agrees = dict.fromkeys(INEQUITABLE + EQUITABLE, "agree")
    disagrees = dict.fromkeys(INEQUITABLE + EQUITABLE, "disagree")
    assert score(gem, agrees).total == 38
    assert score(gem, disagrees).total == 58
    assert score(gem, agrees).subscales == {"inequitable": 17.0, "equitable": 21.0}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["agree", "partly", "disagree"]), min_size=24, max_size=24))
def test_any_complete_answer_sheet_scores_as_by_hand(gem, choices):
    gem_spec = gem
    answers = dict(zip(INEQUITABLE + EQUITABLE, choices, strict=True))
    result = score(gem_spec, answers)
    assert result.total == by_hand(answers) and result.answered == 24
    expected = "low" if result.total <= 39 else "moderate" if result.total <= 55 else "high"
    assert result.category == expected


def test_up_to_two_unanswered_items_are_prorated_and_three_leave_no_total(gem):
    answers = dict.fromkeys(INEQUITABLE + EQUITABLE, "partly")  # 48 with everything answered
    rng = random.Random(7)
    for code in rng.sample(sorted(answers), 2):
        del answers[code]
    result = score(gem, answers)
    assert result.answered == 22 and result.total == pytest.approx(2 * 24)
    answers.pop(next(iter(answers)))
    assert score(gem, answers).total is None and score(gem, answers).category == ""


def test_prorating_uses_the_mean_of_the_answered_items(gem):
    answers = dict.fromkeys(INEQUITABLE, "disagree") | dict.fromkeys(EQUITABLE, "agree")
    answers[INEQUITABLE[0]] = "agree"  # 72 - 2 = 70 answered in full
    del answers[EQUITABLE[0]]  # 23 answered, summing 70 - 3 = 67
    assert score(gem, answers).total == pytest.approx(67 / 23 * 24)


def test_an_unknown_item_or_option_is_reported_not_scored(gem):
    problems = gem.problems({"gem_decides_sex": "maybe", "q99": "agree"})
    assert sorted(problems) == [("gem_decides_sex", "unknown_option"), ("q99", "unknown_item")]


def test_dhs_any_yes_is_1_no_everywhere_is_0_and_dont_know_is_not_yes(dhs):
    codes = [i.code for i in dhs.items]
    assert score(dhs, dict.fromkeys(codes, "no")).total == 0
    assert score(dhs, dict.fromkeys(codes, "no") | {codes[3]: "yes"}).total == 1
    assert score(dhs, dict.fromkeys(codes, "no") | {codes[3]: "yes"}).category == "yes"
    mostly_unknown = dict.fromkeys(codes, "dont_know") | {codes[0]: "no"}
    assert score(dhs, mostly_unknown).total == 0 and score(dhs, mostly_unknown).answered == 1
    assert score(dhs, dict.fromkeys(codes, "dont_know")).total is None


def test_other_published_adaptations_can_be_expressed():
    """Uganda's binary GEM (do not agree = 1, else 0) on 18 items: a spec with a 0/1
    scale; South Africa's 4-point version where higher is less equitable: a plain sum."""
    items = tuple(ItemSpec(code=f"u{n}", scale="bin") for n in range(18))
    uganda = Spec(
        scoring="sum",
        items=items,
        options={"bin": {"agree": 0, "partly": 0, "disagree": 1}},
        category=CategoryRule.of({"kind": "cutoffs", "upper": [6, 12]}),
    )
    answers = {f"u{n}": "disagree" if n < 10 else "agree" for n in range(18)}
    assert uganda.total_range() == (0, 18)
    assert score(uganda, answers).total == 10 and score(uganda, answers).category == "moderate"


def test_category_bounds_are_inclusive():
    labels = [["low"], ["moderate"], ["high"]]
    assert [category_of(t, (39, 55), labels) for t in (39, 39.5, 55, 56)] == [
        "low",
        "moderate",
        "moderate",
        "high",
    ]


def test_a_cutoff_rule_must_have_one_bound_per_category_but_the_last():
    labels = [["low", "Baja", "Low"], ["mid", "Media", "Mid"], ["high", "Alta", "High"]]
    with pytest.raises(ValueError):
        CategoryRule.of({"kind": "cutoffs", "upper": [39], "labels": labels})
    with pytest.raises(ValueError):
        CategoryRule.of({"kind": "cutoffs", "upper": [55, 39]})
    # Cut-offs without names get numbered categories, as many as the bounds make.
    rule = CategoryRule.of({"kind": "cutoffs", "upper": [39]})
    assert [code for code, *_ in rule.labels] == ["c1", "c2"]
