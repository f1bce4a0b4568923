from __future__ import annotations

import pytest

from cascada.cascade.forecast import Assumptions, assumptions_from_figures, cascade_forecast
from cascada.cascade.selectors import Scope, cascade_figures, figures_present
from cascada.registry.services import consent_record
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db


def figures(known, **kw):
    return cascade_figures(Scope(program=known.program, **kw), today=known.today)


def test_reach_completed_and_merely_enrolled_apart(known):
    fig = figures(known)
    assert (fig.enrolled, fig.completed, fig.merely_enrolled) == (9, 7, 2)


def test_reach_per_generation_and_attrition(known):
    fig = figures(known)
    assert fig.by_level == {1: [3, 2], 2: [5, 4], 3: [1, 1]}
    shown = figures_present(fig, Scope(program=known.program))
    assert [lv["attrition"] for lv in shown["levels"]] == ["33%", "20%", "0%"]


def test_multiplier_is_reach_per_directly_trained_person(known):
    fig = figures(known)
    assert fig.direct == 2
    assert figures_present(fig, Scope(program=known.program))["multiplier"] == 3.5


def test_replication_rate_and_time_to_first_cohort(known):
    fig = figures(known)
    assert (fig.trained_trainers, fig.replicating) == (2, 1)  # A ran cohorts, B never did
    assert fig.days_to_first == [56]  # ToT completed 6 Jan, first cohort 3 Mar
    assert figures_present(fig, Scope(program=known.program))["replication_rate"] == "50%"


def test_headcount_sessions_count_in_contacts_not_in_reach(known):
    fig = figures(known)
    # named attendance: T1 2, W1 3, W2 1, W3 1; plus a headcount of 30
    assert fig.contacts == 37 and fig.headcount == 30
    assert fig.enrolled == 9


def test_disaggregation_by_sex_age_and_department(known):
    fig = figures(known)
    assert fig.by_sex == {"male": [8, 6], "female": [1, 1]}
    assert sum(v[1] for v in fig.by_age.values()) == 7
    assert {(name, e, c) for _id, name, e, c in fig.by_department} == {
        ("Lima", 8, 6),
        ("Cusco", 1, 1),
    }


def test_filters_by_department_and_period(known):
    import datetime as dt

    assert figures(known, department=known.cusco).completed == 1
    assert figures(known, start=dt.date(2025, 3, 1), end=dt.date(2025, 12, 31)).completed == 5


def test_a_trainers_figures_and_tree(known):
    a = known.people["A"]
    fig = cascade_figures(Scope(trainer=a), today=known.today)
    assert (fig.enrolled, fig.completed) == (6, 5)
    assert fig.tree == {1: 4, 2: 1}
    assert figures_present(fig, Scope(trainer=a))["multiplier"] == 1.2


def test_where_it_thins(known, settings):
    settings.CASCADA_CASCADE_COMPLETION_THRESHOLD = 70
    fig = figures(known)
    assert [code for _pid, code, _g, _l in fig.idle] == [known.people["B"].code]
    assert fig.version_mismatch == 1  # W2 run on v2 by A, trained on v1
    assert fig.uncertified_cohorts == 1  # W3 run by P1, who never completed a ToT
    assert figures_present(fig, Scope(program=known.program))["thin_generations"] == [1]


def test_idle_months_is_a_setting(known, settings):
    settings.CASCADA_CASCADE_IDLE_MONTHS = 24
    assert figures(known).idle == []


def test_viewer_counts_only_consenting_people_and_sees_small_numbers_suppressed(known, org):
    viewer = make_user(role="viewer", organization=org)
    for name in ["A", "P1", "P2", "P3", "P5", "P6"]:
        consent_record(
            actor=None,
            person=known.people[name],
            purpose="aggregate_reporting",
            granted=True,
            text_version="v1",
        )
    sc = Scope(user=viewer, program=known.program)
    assert not sc.sees_people
    fig = cascade_figures(sc, today=known.today)
    assert fig.completed == 6
    shown = figures_present(fig, sc)
    assert str(shown["completed"]) == "6"
    assert str(shown["merely_enrolled"]) == "0"
    # 1, 4 and 1 completers by generation: every small cell hidden, no percentage leaks
    assert [str(lv["completed"]) for lv in shown["levels"]] == ["<5", "<5", "<5"]
    assert all(lv["completion"] == "–" for lv in shown["levels"])
    # Generations are hidden, so trained trainers are not published (ADR 0006).
    assert shown["trained_trainers"].unpublished and str(shown["trained_trainers"]) == "—"
    assert shown["idle_list"] == []


def test_court_mandated_programs_use_the_stricter_threshold(known, org):
    known.program.is_court_mandated = True
    known.program.save()
    viewer = make_user(role="viewer", organization=org)
    for person in known.people.values():
        consent_record(
            actor=None,
            person=person,
            purpose="aggregate_reporting",
            granted=True,
            text_version="v1",
        )
    sc = Scope(user=viewer, program=known.program)
    shown = figures_present(cascade_figures(sc, today=known.today), sc)
    assert str(shown["completed"]) == "<10"


def test_coordinator_sees_exact_figures(known, coordinator):
    sc = Scope(user=coordinator, program=known.program)
    assert sc.sees_people
    shown = figures_present(cascade_figures(sc, today=known.today), sc)
    assert str(shown["completed"]) == "7"


def test_another_organization_sees_nothing_of_this_cascade(known, other_org):
    stranger = make_user(role="coordinator", organization=other_org)
    fig = cascade_figures(Scope(user=stranger, program=known.program), today=known.today)
    assert fig.enrolled == 0 and fig.cohorts == 0


# ---------------------------------------------------------------- forecast


def test_forecast_counts_generations_and_months_to_a_target():
    a = Assumptions(
        target=85_000,
        reached=1_000,
        trainers=100,
        replication_rate=0.5,
        cohorts_per_trainer=2,
        cohort_size=20,
        completion=0.5,
        trainer_share=0.1,
        months_to_first_cohort=4,
    )
    f = cascade_forecast(a)
    # each trainer: 0.5 × 2 × 20 × 0.5 = 10 people; 100 trainers -> 1,000 a generation,
    # and 10% of them train next: a flat cascade that needs 84 generations (more than 20)
    assert [s.new_people for s in f.steps] == [1000] * 20
    assert f.steps[-1].month == 80
    assert not f.reached_target and f.generations_needed is None
    # to reach it in one generation: 84,000 / 10 = 8,400 trainers, 8,300 more than today
    assert f.extra_trainers_needed == 8300


def test_forecast_growing_cascade_reaches_the_target():
    a = Assumptions(
        target=10_000,
        reached=0,
        trainers=10,
        replication_rate=1.0,
        cohorts_per_trainer=2,
        cohort_size=10,
        completion=0.5,
        trainer_share=0.5,
        months_to_first_cohort=3,
    )
    f = cascade_forecast(a)
    # 10 per trainer; trainers ×5 per generation: 100, 500, 2500, 12500 -> cumulative 15600
    assert [s.new_people for s in f.steps] == [100, 500, 2500, 12500]
    assert f.reached_target and f.generations_needed == 4 and f.months_needed == 12
    assert f.extra_trainers_needed == 1000 - 10


def test_forecast_a_dying_cascade_never_reaches_it():
    a = Assumptions(
        target=10_000,
        reached=0,
        trainers=10,
        replication_rate=0.5,
        cohorts_per_trainer=1,
        cohort_size=10,
        completion=0.5,
        trainer_share=0.1,
        months_to_first_cohort=3,
    )
    f = cascade_forecast(a)
    assert not f.reached_target and f.generations_needed is None


def test_forecast_assumptions_come_from_observed_figures(known):
    a = assumptions_from_figures(figures(known), target=85_000)
    assert a.replication_rate == 0.5 and a.completion == round(7 / 9, 3)
    assert a.reached == 7 and a.months_to_first_cohort == round(56 / 30.44, 1)
