from __future__ import annotations

import io

import networkx as nx
import pytest
from django.core.management import call_command
from django.db import transaction

from cascada.cascade.models import Lineage, Reach
from cascada.cascade.selectors import largest_trainer, program_generations, reach_count
from cascada.cascade.synth import synth_country
from cascada.trainings.models import Attendance, Cohort, Program

pytestmark = pytest.mark.django_db


def _summary():
    return (
        Cohort.objects.count(),
        Attendance.objects.count(),
        sorted(Lineage.objects.values_list("generation", flat=True)),
        Reach.objects.count(),
    )


def test_synth_is_reproducible_and_six_generations_deep():
    with transaction.atomic():
        out = synth_country(people=1500, seed=3)
        first = _summary()
        transaction.set_rollback(True)
    with transaction.atomic():
        synth_country(people=1500, seed=3)
        again = _summary()
        transaction.set_rollback(True)
    assert first == again
    assert out["people"] == 1500 and out["programs"] == 4
    assert max(first[2]) == 6  # trainers of generations 0..5 reach generation 6
    assert first[1] > 10 * first[0] / 2  # attendance marks: several sessions per cohort


def test_synth_obeys_the_time_rules():
    """Every synthetic cohort is over, so completions are final, and no attendance,
    completion or certificate is dated before it could be (issue 7)."""
    from cascada.trainings.date_report import date_problems

    with transaction.atomic():
        synth_country(people=600, seed=5)
        cohorts = list(Cohort.objects.select_related("program__owner"))
        assert cohorts and {c.current_status for c in cohorts} == {"closed"}
        assert date_problems(user=None) == []
        transaction.set_rollback(True)


def test_synth_lineage_matches_a_networkx_walk():
    from benchmarks.cascade import build_graph, nx_generations, nx_program_levels
    from cascada.cascade.models import TrainingEdge

    synth_country(people=1500, seed=4)
    graph = build_graph()
    trainer = largest_trainer()
    assert reach_count(person_id=trainer) == len(nx.descendants(graph, trainer))
    gens = nx_generations(graph)
    assert all(gens[p] == g for p, g in Lineage.objects.values_list("person_id", "generation"))
    program = Program.objects.filter(name__endswith="S4").first()
    trainees = {
        t: []
        for t in TrainingEdge.objects.filter(cohort__program=program).values_list(
            "trainee_id", flat=True
        )
    }
    by_nx = nx_program_levels(graph, trainees)
    by_db = program_generations(program=program)
    assert {g: n for g, n in by_db.items() if g} == {g: n for g, n in by_nx.items() if g}


def test_benchmark_incremental_update_runs_on_a_small_country():
    from benchmarks.cascade import _incremental

    synth_country(people=1200, seed=5)
    program = Program.objects.filter(name__endswith="S5").first()
    times = _incremental(program, 5)
    assert len(times) == 5 and all(t > 0 for t in times)


def test_synth_refuses_the_same_seed_twice():
    from django.core.management.base import CommandError

    call_command("synth", people=300, seed=9, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("synth", people=300, seed=9, stdout=io.StringIO())


def test_cascade_rebuild_command_gives_the_same_tables():
    synth_country(people=800, seed=6)
    before = _summary()
    out = io.StringIO()
    call_command("cascade_rebuild", stdout=out)
    assert "reach_rows" in out.getvalue()
    assert _summary() == before


def test_cascade_report_as_table_csv_and_xlsx(known, tmp_path):
    out = io.StringIO()
    call_command("cascade_report", program=known.program.pk, format="table", stdout=out)
    assert "generación" in out.getvalue() and "Lima" in out.getvalue()  # Spanish by default
    target = tmp_path / "c.csv"
    call_command(
        "cascade_report",
        program=known.program.pk,
        format="csv",
        language="en",
        output=str(target),
    )
    assert "generation,3,1,1" in target.read_text(encoding="utf-8-sig").replace("\r", "")
    xlsx = tmp_path / "c.xlsx"
    call_command("cascade_report", program=known.program.pk, format="xlsx", output=str(xlsx))
    assert xlsx.read_bytes()[:2] == b"PK"
