"""The cascade at national scale: Cascada's materialized lineage against an in-memory
networkx walk over the same graph, in the same run, on the same data.

    python -m benchmarks [--people 100000] [--seed 1] [--repeat 7]
                         [--only all|cascade|everyday|release|attendance|load|imports|indicators|
                                measurement] [--submissions 100000]
                         [--users 20] [--seconds 120] [--import-rows 100000]

Database: ``DATABASE_URL`` if set (e.g. postgres://postgres@127.0.0.1:5432/cascada_bench),
else a scratch SQLite file ``var/bench/cascada-<people>-<seed>.sqlite3``. The synthetic
country is built once per database (``cascada synth``) and reused on later runs.

Fairness: networkx is timed twice, (a) the walk alone over a graph already in memory (as
if a server kept the whole graph warm), and (b) loading the graph from the database and
walking it (what a request has to do without materialized tables). The target (ratio ≤ 1)
is taken against (a), the stricter one.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.table import print_boxed


def _setup(people: int, seed: int) -> None:
    root = Path(__file__).resolve().parent.parent
    if not os.environ.get("DATABASE_URL"):
        bench_dir = root / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{bench_dir / f'cascada-{people}-{seed}.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascada.config.settings.local")
    import django

    django.setup()


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    """Median wall time in milliseconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def machine() -> dict[str, str]:
    from django.db import connection

    def sh(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
        except OSError:
            return "?"

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            db = "PostgreSQL " + cur.fetchone()[0]
        else:
            cur.execute("select sqlite_version()")
            db = "SQLite " + cur.fetchone()[0]
    mem = sh(["free", "-h"]).splitlines()
    return {
        "cpus (nproc)": sh(["nproc"]),
        "cpu": platform.processor() or platform.machine(),
        "memory": mem[1].split()[1] if len(mem) > 1 else "?",
        "python": sys.version.split()[0],
        "database": db,
    }


def build_graph() -> Any:
    import networkx as nx

    from cascada.cascade.models import TrainingEdge

    graph = nx.DiGraph()
    graph.add_edges_from(TrainingEdge.objects.values_list("trainer_id", "trainee_id").iterator())
    return graph


def nx_generations(graph: Any) -> dict[int, int]:
    """Generation of every person by a breadth-first walk from the roots (in-degree 0)."""
    import networkx as nx

    roots = [n for n, d in graph.in_degree() if d == 0]
    gen: dict[int, int] = {}
    for level, layer in enumerate(nx.bfs_layers(graph, roots)):
        for node in layer:
            gen[node] = level
    return gen


def nx_program_levels(graph: Any, program_trainees: dict[int, list[int]]) -> dict[int, int]:
    """Completers of the program's cohorts per generation, from the in-memory graph."""
    gen = nx_generations(graph)
    out: dict[int, int] = defaultdict(int)
    for person in program_trainees:
        out[gen.get(person, 0)] += 1
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--completions", type=int, default=20, help="people in the new cohort")
    parser.add_argument(
        "--only",
        choices=[
            "all",
            "cascade",
            "everyday",
            "release",
            "attendance",
            "load",
            "imports",
            "measurement",
            "indicators",
            "pages",
        ],
        default="all",
        help="which tables: the cascade, the everyday reads and writes, viewers' releases "
        "(ADR 0006), attendance where 20 people complete, the pages under concurrent use "
        "(gunicorn), importing people (a fresh database of its own), or all",
    )
    parser.add_argument(
        "--import-rows", type=int, default=100_000, help="imports: rows in the people file"
    )
    parser.add_argument(
        "--submissions", type=int, default=100_000, help="measurement: survey submissions"
    )
    parser.add_argument("--users", type=int, default=20, help="load: concurrent users")
    parser.add_argument("--seconds", type=int, default=120, help="load: duration")
    args = parser.parse_args(argv)
    if args.only == "imports":  # a database of its own: no synthetic country needed
        from benchmarks import imports

        imports.run_apart(args.import_rows)
        return 0
    if args.only == "measurement":  # a database of its own too
        from benchmarks import measurement

        measurement.run_apart(args.submissions, args.repeat)
        return 0
    _setup(args.people, args.seed)

    from django.core.management import call_command

    from cascada.cascade.synth import synth_country
    from cascada.registry.models import Organization

    call_command("migrate", verbosity=0)
    info = machine()
    tag = f"Sintética S{args.seed} "
    if not Organization.objects.filter(name__startswith=tag).exists():
        t = time.perf_counter()
        out = synth_country(people=args.people, seed=args.seed)
        print(f"synth: {out} in {time.perf_counter() - t:.1f} s", flush=True)
    else:
        print("synth: reusing the synthetic country already in this database", flush=True)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    if args.only in ("all", "cascade"):
        _cascade(args, info, tag)
    if args.only in ("all", "everyday"):
        from benchmarks import everyday

        rows_e, facts = everyday.run(repeat=args.repeat)
        if args.only == "everyday":
            _print_machine(info, args)
        everyday.print_table(rows_e, people=args.people, repeat=args.repeat, facts=facts)
    if args.only in ("all", "release"):
        from benchmarks import release

        rows_r, facts = release.run(tag=tag, repeat=args.repeat)
        if args.only == "release":
            _print_machine(info, args)
        release.print_table(rows_r, people=args.people, repeat=args.repeat, facts=facts)
    if args.only in ("all", "attendance"):
        from benchmarks import attendance

        rows_a, facts = attendance.run(tag=tag, repeat=args.repeat, people=args.completions)
        if args.only == "attendance":
            _print_machine(info, args)
        attendance.print_table(rows_a, people=args.people, repeat=args.repeat, facts=facts)
    if args.only in ("all", "indicators"):
        from benchmarks import indicators

        rows_i, facts = indicators.run(tag=tag, repeat=args.repeat)
        if args.only == "indicators":
            _print_machine(info, args)
        indicators.print_table(rows_i, people=args.people, repeat=args.repeat, facts=facts)
    if args.only in ("all", "pages"):
        from benchmarks import pages

        rows_p, facts = pages.run(tag=tag, repeat=args.repeat)
        if args.only == "pages":
            _print_machine(info, args)
        pages.print_table(rows_p, people=args.people, repeat=args.repeat, facts=facts)
    if args.only in ("all", "load"):
        from benchmarks import load

        rows_l, facts = load.run(users=args.users, seconds=args.seconds, tag=tag)
        if args.only == "load":
            _print_machine(info, args)
        load.print_table(rows_l, people=args.people, facts=facts)
    if args.only == "all":
        from benchmarks import imports, measurement

        imports.run_apart(args.import_rows)
        measurement.run_apart(args.submissions, args.repeat)
    return 0


def _cascade(args: Any, info: dict[str, str], tag: str) -> None:
    from django.db.models import Count

    from cascada.cascade import services
    from cascada.cascade.models import Lineage, TrainingEdge
    from cascada.cascade.selectors import Scope, cascade_figures, largest_trainer, reach_count
    from cascada.trainings.models import Program

    rows: list[tuple[str, str, str, str]] = []
    # --- reach of the largest trainer
    trainer = largest_trainer()
    assert trainer is not None
    ms_db, reach = _timed(lambda: reach_count(person_id=trainer), args.repeat)
    ms_build, graph = _timed(build_graph, max(1, args.repeat // 3))
    import networkx as nx

    ms_walk, nx_reach = _timed(lambda: len(nx.descendants(graph, trainer)), args.repeat)
    assert reach == nx_reach, (reach, nx_reach)
    rows.append(
        (
            f"reach of the largest trainer ({reach:,} people)",
            f"{ms_db:.1f}",
            f"{ms_walk:.1f} / {ms_build + ms_walk:.1f}",
            f"{ms_db / ms_walk:.2f}",
        )
    )

    # --- a program's per-generation figures (the largest program)
    program = (
        Program.objects.filter(owner__name__startswith=tag)
        .annotate(n=Count("cohorts"))
        .order_by("-n")
        .first()
    )
    from cascada.cascade.selectors import program_generations

    ms_gen, levels_db = _timed(lambda: program_generations(program=program), args.repeat)
    trainees = defaultdict(list)
    for trainer_id, trainee_id in TrainingEdge.objects.filter(cohort__program=program).values_list(
        "trainer_id", "trainee_id"
    ):
        trainees[trainee_id].append(trainer_id)
    ms_nxp, levels = _timed(lambda: nx_program_levels(graph, trainees), args.repeat)
    assert {g: n for g, n in levels_db.items() if g} == {g: n for g, n in levels.items() if g}, (
        levels_db,
        levels,
    )
    rows.append(
        (
            f"program: people per generation ({sum(levels_db.values()):,} people, "
            f"{len(levels_db)} generations)",
            f"{ms_gen:.1f}",
            f"{ms_nxp:.1f} / {ms_build + ms_nxp:.1f}",
            f"{ms_gen / ms_nxp:.2f}",
        )
    )
    sc = Scope(program=program)
    ms_fig, fig = _timed(lambda: cascade_figures(sc), max(1, args.repeat // 2))
    rows.append(
        (
            "program: every figure of the page (reach, levels, attrition, departments, sex, "
            "age, replication, thins)",
            f"{ms_fig:.1f}",
            "(not computed by the walk)",
            "",
        )
    )
    gen_db = dict(
        Lineage.objects.filter(person_id__in=list(trainees)).values_list("person_id", "generation")
    )
    gen_nx = nx_generations(graph)
    mismatch = sum(1 for p, g in gen_db.items() if gen_nx.get(p) != g)
    print(
        f"generations checked against networkx: {len(gen_db):,} people, {mismatch} differ "
        "(cycles and several trainers are ranked the same way when there are none)",
        flush=True,
    )

    # --- full recompute vs incremental update after a new cohort completes
    ms_rebuild, _ = _timed(services.lineage_rebuild, 1)
    per_completion = _incremental(program, args.completions)
    rows.append(("full lineage recompute (lineage_rebuild)", f"{ms_rebuild:.0f}", "", ""))
    rows.append(
        (
            f"incremental, per completion (median of {len(per_completion)})",
            f"{statistics.median(per_completion):.1f}",
            "",
            f"max {max(per_completion):.1f}",
        )
    )
    _print(info, args, rows)


def _incremental(program: Any, n: int) -> list[float]:
    """A trainer of generation 3 runs a new cohort whose ``n`` people complete: the time
    spent in the lineage hook for each completion (the extra work completion causes)."""
    import datetime as dt

    from cascada.cascade import services
    from cascada.cascade.models import Lineage
    from cascada.registry.models import Person
    from cascada.trainings import services as trainings

    times: list[float] = []
    original = services.lineage_people_completion_changed  # called by the hook receiver

    def timed(*, cohort_id: int, person_ids: Any) -> None:
        # One pass for all the completions of the write: each gets its share of the time.
        ids = list(person_ids)
        t = time.perf_counter()
        original(cohort_id=cohort_id, person_ids=ids)
        share = (time.perf_counter() - t) * 1000 / max(len(ids), 1)
        times.extend([share] * len(ids))

    trainer = (
        Lineage.objects.filter(program=program, generation=3).order_by("person_id").first()
        or Lineage.objects.filter(program=program).order_by("-generation").first()
    )
    facilitator = Person.objects.get(pk=trainer.person_id)
    cohort = trainings.cohort_create(
        actor=None,
        program=program,
        name="Bench",
        kind="course",
        start_date=dt.date(2026, 11, 2),
        facilitators=[facilitator],
    )
    trainings.sessions_generate(actor=None, cohort=cohort, count=1, pattern="weekly")
    people = [Person.objects.create(organization_id=program.owner_id, sex="male") for _ in range(n)]
    enrolments = [trainings.enrolment_create(actor=None, cohort=cohort, person=p) for p in people]
    session = cohort.sessions.get()
    services.lineage_people_completion_changed = timed  # type: ignore[assignment]
    try:
        trainings.attendance_record(
            actor=None, session=session, marks={e.pk: "present" for e in enrolments}
        )
    finally:
        services.lineage_people_completion_changed = original  # type: ignore[assignment]
    return times


def _print_machine(info: dict[str, str], args: Any) -> None:
    print()
    print(f"Benchmarks: {args.people:,} people, seed {args.seed}, median of {args.repeat}")
    for k, v in info.items():
        print(f"  {k}: {v}")


def _print(info: dict[str, str], args: Any, rows: list[tuple[str, str, str, str]]) -> None:
    print()
    print(f"Cascade benchmark: {args.people:,} people, seed {args.seed}, median of {args.repeat}")
    for k, v in info.items():
        print(f"  {k}: {v}")
    header = ("measure", "Cascada ms", "networkx ms (walk / load+walk)", "ratio")
    print_boxed(header, rows)
