"""Issue 15: the query count of every everyday page does not grow with the data. The
same pages (``benchmarks.load.plan``: home, people, cohorts, a cohort, a roster, the
cascade of the largest program, a trainer, the program's indicators), asked for by a
coordinator of the organization owning the largest program, in a small synthetic country
and in one ten times larger, in the same database."""

from __future__ import annotations

import pytest

from cascada.cascade.synth import synth_country

pytestmark = pytest.mark.django_db


def _counts(people: int, seed: int) -> dict[str, int]:
    from benchmarks import load
    from cascada.accounts.models import User

    synth_country(people=people, seed=seed)
    counts = load.count_queries(load.plan(users=1, tag=f"Sintética S{seed} "))
    # The plan's user belongs to this country's organization: the next plan makes its own.
    User.objects.filter(username__startswith="load-user-").update(is_active=False)
    User.objects.filter(username__startswith="load-user-").update(username=f"was-{seed}")
    return counts


def test_no_everyday_page_asks_more_queries_of_a_larger_country():
    small = _counts(300, 11)
    large = _counts(3000, 12)
    assert set(small) == set(large) and len(small) >= 9
    grew = {page: (small[page], large[page]) for page in small if large[page] > small[page]}
    assert grew == {}
