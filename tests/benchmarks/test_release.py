"""The viewers' release benchmark runs on a tiny country, so it cannot rot unnoticed."""

from __future__ import annotations

import pytest

from cascada.accounts.models import User
from cascada.cascade.synth import synth_country

pytestmark = pytest.mark.django_db


def test_release_benchmark_times_every_measure_and_leaves_no_trace():
    from benchmarks.release import run

    synth_country(people=1200, seed=9)
    users = User.objects.count()
    rows, facts = run(tag="Sintética S9", repeat=1)
    assert len(rows) >= 4
    for row in rows:
        assert row[0] and any(cell.strip() for cell in row[1:])
    # everything the benchmark wrote was rolled back
    assert User.objects.count() == users
