"""Target arithmetic as M&E officers expect it (FORMATS.md §6): % met for decreasing
indicators, the life-of-program target as its own figure, periods named as DHIS2 names
them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cascada.indicators import periods as P
from cascada.indicators.models import Indicator, PeriodTarget, Plan
from cascada.indicators.present import indicator_view
from cascada.indicators.targets import percent_met


def test_percent_met_of_an_increasing_indicator():
    assert percent_met(actual=30, target=40) == 75.0
    assert percent_met(actual=30, target=40, baseline=20) == 50.0  # half the way from 20
    assert percent_met(actual=10, target=40, baseline=20) == -50.0  # it went backwards


def test_percent_met_of_a_decreasing_indicator_flips():
    # 40 % of men justify wife-beating at baseline; the target is 20 %.
    assert percent_met(actual=30, target=20, baseline=40, direction="decrease") == 50.0
    assert percent_met(actual=20, target=20, baseline=40, direction="decrease") == 100.0
    assert percent_met(actual=45, target=20, baseline=40, direction="decrease") == -25.0
    assert percent_met(actual=15, target=20, baseline=40, direction="decrease") == 125.0
    # Without a baseline only "met or not" can be said of a decrease.
    assert percent_met(actual=15, target=20, direction="decrease") == 100.0
    assert percent_met(actual=25, target=20, direction="decrease") is None


def test_no_percentage_when_the_target_is_the_baseline_or_missing():
    assert percent_met(actual=5, target=10, baseline=10) is None
    assert percent_met(actual=5, target=None) is None
    assert percent_met(actual=None, target=10) is None
    assert percent_met(actual=5, target=0) is None


@given(
    baseline=st.integers(0, 1000),
    gap=st.integers(1, 1000),
    travelled=st.integers(0, 1000),
)
def test_the_share_travelled_is_the_same_up_or_down(baseline, gap, travelled):
    up = percent_met(actual=baseline + travelled, target=baseline + gap, baseline=baseline)
    down = percent_met(
        actual=baseline - travelled, target=baseline - gap, baseline=baseline, direction="decrease"
    )
    assert up == down == round(100 * travelled / gap, 1)


def test_periods_are_named_as_dhis2_names_them():
    day = dt.date(2026, 8, 17)
    assert [P.key_of(day, f) for f in ("month", "quarter", "half", "year")] == [
        "202608", "2026Q3", "2026S2", "2026",
    ]  # fmt: skip
    assert P.bounds("2026Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert P.bounds("2026S1") == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert P.bounds("202612") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert P.keys_between(dt.date(2025, 11, 5), dt.date(2026, 2, 1), "quarter") == [
        "2025Q4",
        "2026Q1",
    ]
    with pytest.raises(ValueError):
        P.bounds("2026Q5")
    with pytest.raises(ValueError):
        P.bounds("202613")


@pytest.mark.django_db
def test_the_life_of_program_target_is_not_the_sum_of_the_periods(filled):
    indicator = Indicator.objects.get(code="people_enrolled", organization=None)
    plan = Plan.objects.create(
        indicator=indicator, program=filled["program"], starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31), baseline=Decimal(0), lop_target=Decimal(90),
    )  # fmt: skip
    PeriodTarget.objects.create(plan=plan, period="2025Q1", value=Decimal(5))
    PeriodTarget.objects.create(plan=plan, period="2025Q2", value=Decimal(10))
    view = indicator_view(
        indicator, program_ids=[filled["program"].pk], organization_id=filled["org"].pk,
        exact=True, plan=plan, today=dt.date(2025, 12, 31),
    )  # fmt: skip
    # The program runs to 2027: its target is 90 people, whatever was planned so far.
    assert view.lop_target == 90 and view.so_far.number == 9
    assert view.percent_met == 10.0
    quarters = {p.key: p for p in view.periods}
    assert quarters["2025Q1"].target == 5 and quarters["2025Q1"].percent_met == 80.0  # 4 of 5
    assert quarters["2025Q2"].percent_met == 90.0  # 9 so far of 10 (a cumulative target)
    assert "2027Q4" not in quarters  # periods to come are not shown as zeros


@pytest.mark.django_db
def test_a_decreasing_indicator_against_its_baseline_on_the_world(filled):
    indicator = Indicator.objects.get(code="justify_after", organization=None)
    assert indicator.direction == "decrease"
    plan = Plan.objects.create(
        indicator=indicator, program=filled["program"], starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31), baseline=Decimal("66.7"), lop_target=Decimal("16.7"),
    )  # fmt: skip
    view = indicator_view(
        indicator, program_ids=[filled["program"].pk], organization_id=filled["org"].pk,
        exact=True, plan=plan, today=dt.date(2025, 12, 31),
    )  # fmt: skip
    # From 66.7 % to 33.3 % of a planned 16.7 %: two thirds of the way.
    assert view.percent_met == pytest.approx(66.7, abs=0.1)
