"""The everyday benchmark runs on a tiny country, so it cannot rot unnoticed."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from cascada.accounts.models import User
from cascada.cascade.synth import synth_country
from cascada.registry.models import Identity
from cascada.trainings.models import Attendance

pytestmark = pytest.mark.django_db


def test_everyday_benchmark_times_every_operation_and_leaves_no_trace():
    from benchmarks.everyday import print_table, run

    synth_country(people=1200, seed=8)
    attendance = Attendance.objects.count()
    rows, facts = run(repeat=1)
    assert [r[0].split(":")[0].split(" (")[0] for r in rows] == [
        "people list",
        "search by ID number",
        "search by two words of the name",
        "cohort list",
        "session roster",
        "record attendance, 20 people, 1st of 10 sessions",
        "record attendance, 20 people who all complete",
        "sessions missing attendance",
        "completion recompute, one cohort",
    ]
    for _label, ms, queries, ref_ms, ref_queries, ratio in rows:
        assert float(ms) >= 0 and float(ref_ms) >= 0 and ratio
        assert int(queries) >= 1 and int(ref_queries) >= 1
    # recording 20 people through the service costs more queries than one bulk_create
    assert int(rows[6][2]) > int(rows[5][2]) > int(rows[5][4]) == 1
    # everything the benchmark wrote was rolled back: a reused bench database stays as built
    assert not User.objects.filter(username="bench-coordinator").exists()
    assert not Identity.objects.exists()
    assert Attendance.objects.count() == attendance
    out = io.StringIO()
    with redirect_stdout(out):
        print_table(rows, people=1200, repeat=1, facts=facts)
    assert "Everyday reads and writes: 1,200 people" in out.getvalue()
    assert facts["organization"] in out.getvalue()
