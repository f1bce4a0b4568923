"""The before/after analysis of a program: matched people, the change against SciPy on
the same numbers, groups by cascade generation, and what a viewer may see (S15, S17)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats as scipy_stats

from cascada.accounts.roles import Role
from cascada.core import privacy
from cascada.measurement import services
from cascada.measurement.analysis import analyse
from cascada.measurement.models import Instrument, RoundKind
from cascada.measurement.shipped import GEM_ITEMS
from cascada.registry.models import Person
from tests.accounts.factories import make_user
from tests.cascade.factories import complete, run_cohort
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_program

pytestmark = pytest.mark.django_db

INEQUITABLE = [code for code, inequitable, *_ in GEM_ITEMS if inequitable]
EQUITABLE = [code for code, inequitable, *_ in GEM_ITEMS if not inequitable]


def sheet(total: int) -> dict[str, str]:
    """Answers scoring ``total`` (24..72): raise items one step at a time from 24."""
    steps = total - 24
    answers = {}
    for code in INEQUITABLE + EQUITABLE:
        step = min(2, steps)
        steps -= step
        if code in INEQUITABLE:
            answers[code] = ["agree", "partly", "disagree"][step]
        else:
            answers[code] = ["disagree", "partly", "agree"][step]
    return answers


@pytest.fixture
def gem_instrument():
    return Instrument.objects.get(code="gem", organization=None)


def rounds_for(cohort, gem):
    version = gem.versions.get()
    return [
        services.round_create(
            actor=None, cohort=cohort, version=version, kind=kind, opens_on=dt.date(2025, 3, 3)
        )
        for kind in (RoundKind.BASELINE, RoundKind.ENDLINE)
    ]


def answer(survey, person, total):
    services.response_record(
        actor=None, survey=survey, person=person, answers=sheet(total), consent=True
    )


@pytest.fixture
def program_with_two_generations(org, gem_instrument):
    """A national trainer trains 3 promoters (generation 1); one of them runs a course of
    generation 2. Both cohorts have baseline and endline rounds of the GEM Scale."""
    program = make_program(owner=org)
    national = make_person(organization=org, given_name="Rosa")
    promoters = [make_person(organization=org, sex="male", birth_year=1990) for _ in range(3)]
    tot = run_cohort(program=program, facilitators=(national,), kind="tot")
    complete(tot, *promoters)
    course = run_cohort(program=program, facilitators=(promoters[0],))
    men = [make_person(organization=org, sex="male", birth_year=1980 + n) for n in range(12)]
    enrol(course, *men)
    gen1_before, gen1_after = [40, 45, 50], [50, 52, 51]
    gen2_before = [30 + 2 * n for n in range(12)]
    gen2_after = [
        b + d for b, d in zip(gen2_before, [5, 3, 0, 8, -2, 6, 4, 4, 7, 1, 2, 9], strict=True)
    ]
    for cohort, people, before, after in (
        (tot, promoters, gen1_before, gen1_after),
        (course, men, gen2_before, gen2_after),
    ):
        base, end = rounds_for(cohort, gem_instrument)
        for person, b, a in zip(people, before, after, strict=True):
            answer(base, person, b)
            answer(end, person, a)
    # One man answered the baseline only: not matched.
    late = make_person(organization=org, sex="male")
    enrol(course, late)
    answer(course.survey_rounds.get(kind="baseline"), late, 60)
    return program, gen1_before + gen2_before, gen1_after + gen2_after


def test_the_change_is_scipys_on_the_matched_people(
    org, gem_instrument, program_with_two_generations
):
    program, before, after = program_with_two_generations
    officer = make_user(organization=org, role=Role.ME_OFFICER)
    result = analyse(user=officer, instrument=gem_instrument, program=program)
    assert result.exact and result.overall.n == 15
    assert (result.n_baseline, result.n_endline) == (16, 15)
    change = result.overall.change
    assert change.mean_difference == pytest.approx(np.mean(np.subtract(after, before)))
    expected = scipy_stats.ttest_rel(after, before)
    assert change.t_test.statistic == pytest.approx(expected.statistic)
    assert change.t_test.p_value == pytest.approx(expected.pvalue)


def test_change_by_generation_of_the_participants(
    org, gem_instrument, program_with_two_generations
):
    program, before, after = program_with_two_generations
    officer = make_user(organization=org, role=Role.ME_OFFICER)
    result = analyse(user=officer, instrument=gem_instrument, program=program)
    by_generation = {g.key: g for g in result.breakdowns["generation"]}
    assert {k: g.n for k, g in by_generation.items()} == {"1": 3, "2": 12}
    assert by_generation["1"].change.mean_difference == pytest.approx(np.mean([10, 7, 1]))
    assert by_generation["2"].change.mean_difference == pytest.approx(
        np.mean(np.subtract(after[3:], before[3:]))
    )
    # The facilitator of generation 2's course is a promoter of generation 1.
    assert {g.key: g.n for g in result.breakdowns["facilitator_generation"]} == {"0": 3, "1": 12}
    # By facilitator (the lead, by pseudonymous code): the national trainer and a promoter.
    assert sorted(g.n for g in result.breakdowns["facilitator"]) == [3, 12]
    assert all(len(g.key) == 8 for g in result.breakdowns["facilitator"])


def test_a_viewer_sees_no_small_group_and_only_consenting_people(
    org, gem_instrument, program_with_two_generations
):
    program, _before, _after = program_with_two_generations
    viewer = make_user(organization=org, role=Role.VIEWER)
    k = privacy.threshold()
    # Nobody consented to aggregate reporting yet: the viewer's analysis is empty.
    assert analyse(user=viewer, instrument=gem_instrument, program=program).overall.n == 0
    Person.objects.update(reporting_consent=True)
    result = analyse(user=viewer, instrument=gem_instrument, program=program)
    assert not result.exact and result.overall.shown and result.overall.n == 15
    by_generation = {g.key: g for g in result.breakdowns["generation"]}
    # Generation 1 has 3 people (<= k): hidden; hiding it alone would leave its mean
    # derivable from the total and generation 2, so generation 2 is hidden too.
    assert by_generation["1"].n <= k and not by_generation["1"].shown
    assert not by_generation["2"].shown and by_generation["2"].change is None
    assert result.moves is None  # the category matrix is not a viewer's
    assert "facilitator" not in result.breakdowns and "cohort" not in result.breakdowns


def test_statistics_shown_never_leaves_a_small_remainder():
    assert privacy.statistics_shown({"a": 20, "b": 3, "c": 30}, k=5) == {"c"}
    assert privacy.statistics_shown({"a": 20, "b": 3, "c": 4}, k=5) == {"a"}
    assert privacy.statistics_shown({"a": 20, "b": 30}, k=5) == {"a", "b"}
    assert privacy.statistics_shown({"a": 20, "b": 0}, k=5) == {"a"}


def test_erasing_a_man_takes_his_answers_out_of_the_analysis(
    org, gem_instrument, program_with_two_generations
):
    from cascada.measurement.models import Response
    from cascada.registry.arco import person_erase

    program, _before, _after = program_with_two_generations
    officer = make_user(organization=org, role=Role.ME_OFFICER)
    assert analyse(user=officer, instrument=gem_instrument, program=program).overall.n == 15
    man = Response.objects.filter(round__kind="endline").order_by("pk").last().person
    person_erase(actor=None, person=man, reason="holder_request")
    result = analyse(user=officer, instrument=gem_instrument, program=program)
    assert result.overall.n == 14 and not Response.objects.filter(person=man).exists()


def test_a_group_nested_in_another_with_a_few_more_people_is_hidden():
    """A group inside another that holds only 1..k more people gives those people's scores
    away: the smaller one is hidden. (A department made of several shown cohorts plus one
    man is a union, not a pair: viewers get no cohort breakdown at all for that reason.)"""
    people = np.arange(28)
    lima = people >= 0
    cohorts = {("cohort", c): (people // 9 == c) & (people < 27) for c in range(3)}
    members = {("department", "Lima"): lima, **cohorts}
    shown = privacy.statistics_shown_nested(members, set(members), k=5)
    assert ("department", "Lima") in shown
    # The three cohorts together hold 27: each alone differs from Lima by 19, so the pair
    # rule keeps them; but with one cohort of 26 inside Lima's 28 it would not.
    assert all(key in shown for key in cohorts)
    tight = {("department", "Lima"): lima, ("cohort", 0): people < 26}
    assert privacy.statistics_shown_nested(tight, set(tight), k=5) == {("department", "Lima")}


def test_protected_item_shares_never_count_k_or_fewer_answers(
    org, gem_instrument, program_with_two_generations
):
    """Item by item, a share that counts 1..k men's answers about violence is not shown
    to anyone who does not read answers (a facilitator of a group of 8, a viewer)."""
    program, _before, _after = program_with_two_generations
    Person.objects.update(reporting_consent=True)
    viewer = make_user(organization=org, role=Role.VIEWER)
    k = privacy.threshold()
    for _code, _text, change in analyse(
        user=viewer, instrument=gem_instrument, program=program
    ).items:
        for count in (change.agree_before, change.n - change.agree_before):
            assert count == 0 or count > k
