"""The pages benchmark (issue 15) runs on a tiny country, so it cannot rot unnoticed."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from cascada.cascade.synth import synth_country

pytestmark = pytest.mark.django_db


def test_pages_benchmark_asks_every_everyday_page_and_compares_it_with_the_trivial_one():
    from benchmarks.pages import print_table, run

    synth_country(people=600, seed=4)
    rows, facts = run(tag="Sintética S4 ", repeat=1, serve=False)
    labels = [r[0] for r in rows]
    for page in ("home", "people", "cohorts", "a cohort", "a roster", "a trainer"):
        assert page in labels
    assert "cascade of the largest program" in labels and "the largest trainer" in labels
    assert labels[0].startswith("trivial") and rows[0][3] == ""
    for _label, median, worst, _ratio, queries in rows:
        assert 0 <= float(median.replace(",", "")) <= float(worst.replace(",", ""))
        assert int(queries) >= 1
    assert all(float(r[3]) > 0 for r in rows[1:])
    assert facts["target (each page ≤ 5 × trivial)"].startswith(("met", "NOT met"))
    out = io.StringIO()
    with redirect_stdout(out):
        print_table(rows, people=600, repeat=1, facts=facts)
    assert "Everyday pages one request at a time, 600 people" in out.getvalue()
    assert "× trivial" in out.getvalue() and "the largest trainer" in out.getvalue()
