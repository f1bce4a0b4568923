"""Each built-in indicator on the hand-built world of ``conftest.py``, whose values are
known: exact figures, as a coordinator reads them."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.indicators.models import Indicator
from cascada.indicators.present import indicator_view

pytestmark = pytest.mark.django_db

END = dt.date(2025, 12, 31)


def view(world, code, **kw):
    indicator = Indicator.objects.get(code=code, organization=None)
    return indicator_view(
        indicator,
        program_ids=[world["program"].pk],
        organization_id=world["org"].pk,
        exact=True,
        today=END,
        **kw,
    )


def by_period(v):
    return {p.key: p.value.number for p in v.periods}


def test_people_enrolled_and_completed_by_quarter_and_so_far(filled):
    enrolled = view(filled, "people_enrolled")
    assert enrolled.so_far.number == 9
    # Cumulative: people reached so far at the end of each quarter.
    assert by_period(enrolled) == {"2025Q1": 4, "2025Q2": 9, "2025Q3": 9, "2025Q4": 9}
    completed = view(filled, "people_completed")
    assert completed.so_far.number == 7
    assert by_period(completed)["2025Q1"] == 3


def test_completion_rate_is_completed_of_enrolled_in_each_period(filled):
    rate = view(filled, "completion_rate")
    assert by_period(rate)["2025Q1"] == pytest.approx(75.0)  # 3 of 4
    assert by_period(rate)["2025Q2"] == pytest.approx(80.0)  # 4 of 5
    assert by_period(rate)["2025Q3"] is None  # nobody enrolled: no rate, not 0
    assert rate.so_far.number == pytest.approx(100 * 7 / 9)


def test_enrolled_by_generation_sex_and_department(filled):
    assert {
        r.label: r.value.number
        for r in view(filled, "people_enrolled", dimension="generation").breakdown
    } == {
        "Generation 1": 4,
        "Generation 2": 5,
    }
    sexes = {
        r.key: r.value.number for r in view(filled, "people_enrolled", dimension="sex").breakdown
    }
    assert sexes == {"female": 1, "male": 8}
    departments = view(filled, "people_enrolled", dimension="department").breakdown
    assert {r.label: r.value.number for r in departments} == {"Lima": 4, "Ayacucho": 5}
    districts = view(filled, "people_completed", dimension="district").breakdown
    assert {r.label: r.value.number for r in districts} == {"Lima": 3, "Ayacucho": 4}


def test_trainers_trained_and_replication(filled):
    assert view(filled, "trainers_trained").so_far.number == 3
    assert view(filled, "replication_rate").so_far.number == pytest.approx(100 / 3)


def test_contacts_and_people_attending(filled):
    contacts = view(filled, "session_contacts", frequency="month")
    assert by_period(contacts)["202501"] == 6
    assert by_period(contacts)["202504"] == 14  # cumulative: 6 + 8
    attending = view(filled, "people_attending")
    assert attending.frequency == "month"
    assert by_period(attending)["202501"] == 3
    assert by_period(attending)["202504"] == 4
    assert by_period(attending)["202502"] == 0


def test_attitude_change_and_wife_beating_before_and_after(filled):
    change = view(filled, "gem_mean_change")
    assert change.so_far.number == pytest.approx((10 - 2 + 12) / 3)
    improved = view(filled, "gem_improved")
    assert improved.so_far.number == pytest.approx(200 / 3)
    assert view(filled, "justify_before").so_far.number == pytest.approx(200 / 3)
    assert view(filled, "justify_after").so_far.number == pytest.approx(100 / 3)
