"""The fill table and its ledger (docs/decisions/indicators.md): idempotent, refilled
after news (a consent withdrawn, a late import, a person merged or erased), never half
written."""

from __future__ import annotations

import dataclasses
import datetime as dt
from unittest import mock

import pytest

from cascada.indicators import fill as filling
from cascada.indicators.fill import fill, fill_due
from cascada.indicators.models import Fact, FillState, FillStatus, Indicator
from cascada.indicators.present import indicator_view
from cascada.registry.services import consent_record
from tests.cascade.factories import run_cohort
from tests.indicators.conftest import attend
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db
END = dt.date(2025, 12, 31)


def facts():
    return sorted(
        Fact.objects.values_list(
            "source", "program_id", "month", "sex", "age_band", "district_id", "generation",
            "kind", "value", "value_consenting", "base", "base_consenting",
        )
    )  # fmt: skip


def completed(world, exact=False):
    """People who completed, as the fill table holds them: everyone, or those who consent
    to aggregate reporting (what a viewer's figures are made of, before suppression)."""
    if not exact:
        qs = Fact.objects.filter(source="completions", program=world["program"])
        return sum(qs.values_list("value_consenting", flat=True))
    indicator = Indicator.objects.get(code="people_completed", organization=None)
    return indicator_view(
        indicator, program_ids=[world["program"].pk], organization_id=world["org"].pk,
        exact=True, today=END,
    ).so_far.number  # fmt: skip


def states(program):
    return dict(FillState.objects.filter(scope=f"p{program.pk}").values_list("source", "status"))


def test_filling_twice_gives_the_same_rows_and_a_ledger(filled):
    before = facts()
    assert before
    report = fill_due(today=END, everything=True)
    assert not report.failed
    assert facts() == before
    assert set(states(filled["program"]).values()) == {FillStatus.DONE}
    # Nothing is due since: no program is filled again.
    assert not [f for f in fill_due(today=END).filled if f[1].startswith("p")]


def test_a_consent_withdrawn_marks_the_programs_and_the_refill_drops_him(filled):
    # b1 completed the course and consented: a viewer counts him.
    assert completed(filled) == 5
    b1 = filled["b"][0]
    consent_record(
        actor=None, person=b1, purpose="aggregate_reporting", granted=False,
        text_version="CONS v1",
    )  # fmt: skip
    assert states(filled["program"])["people"] == FillStatus.DIRTY
    assert completed(filled) == 5  # not yet refilled
    fill_due(today=END)
    assert completed(filled) == 4
    assert completed(filled, exact=True) == 7  # everyone still counts for his staff


def test_a_late_import_of_attendance_marks_the_program(filled):
    late = run_cohort(
        program=filled["program"], facilitators=(filled["a"][1],), kind="course",
        start=dt.date(2025, 9, 1), sessions=1, place=filled["lima"],
    )  # fmt: skip
    man = make_person(organization=filled["org"], sex="male", birth_year=1980)
    attend(late, [man])
    assert states(filled["program"])["sessions"] == FillStatus.DIRTY
    fill_due(today=END)
    assert completed(filled, exact=True) == 8


def test_a_fill_that_fails_leaves_the_previous_rows(filled):
    before = facts()
    FillState.objects.filter(source="people").update(status=FillStatus.DIRTY)
    with mock.patch.object(filling.Fact.objects, "bulk_create", side_effect=RuntimeError("disk")):
        report = fill_due(today=END)
    assert ("people", f"p{filled['program'].pk}") in report.failed
    assert facts() == before
    assert states(filled["program"])["people"] == FillStatus.FAILED
    fill_due(today=END)  # a failed row is due again
    assert states(filled["program"])["people"] == FillStatus.DONE


def test_news_during_a_fill_keeps_the_row_dirty(filled):
    key = f"p{filled['program'].pk}"
    family = filling.FAMILIES["people"]
    real = family.compute

    def compute_while_someone_writes(scope, today):
        rows = real(scope, today)
        filling.mark_programs([filled["program"].pk])  # the attendance of a session arrives
        return rows

    busy = dataclasses.replace(family, compute=compute_while_someone_writes)
    with mock.patch.dict(filling.FAMILIES, {"people": busy}):
        state = fill("people", key, today=END)
    assert state.status == FillStatus.DIRTY


def test_a_new_year_refills_everything(filled):
    assert not fill_due(today=END).filled
    report = fill_due(today=dt.date(2026, 1, 2))
    assert {f for f, _s, _r, _t in report.filled} >= {"people", "sessions", "attitudes"}
