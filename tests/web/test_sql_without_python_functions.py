"""Issue 15: no per-row Python function in the SQL of the everyday pages. On SQLite,
Django runs date truncation and extraction, ``LPAD``, ``MD5``, ``REGEXP`` and (without
SQLite's math functions) ``FLOOR`` or ``POWER`` as Python callbacks, once per row: a
``TruncMonth`` over 1.9 million attendance rows took 14 s there. The pages must ask for
nothing of the kind (``__year`` lookups compile to ranges; age bands and months are
computed from stored integers and dates). On PostgreSQL the same expressions would show
as ``DATE_TRUNC`` or ``EXTRACT``, which are looked for too."""

from __future__ import annotations

import re

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cascada.cascade.synth import synth_country

pytestmark = pytest.mark.django_db

SQLITE_PYTHON = (
    r"django_[a-z_]+|regexp|BITXOR|COT|LPAD|RPAD|MD5|REPEAT|REVERSE|SHA\d+|SIGN|RAND|"
    r"ACOS|ASIN|ATAN2?|CEILING|COS|DEGREES|EXP|FLOOR|LN|LOG|MOD|PI|POWER|RADIANS|SIN|SQRT|TAN"
)
PER_ROW = re.compile(rf"\b({SQLITE_PYTHON}|DATE_TRUNC|EXTRACT)\s*\(", re.IGNORECASE)


def test_the_everyday_pages_call_no_python_function_per_row():
    from benchmarks import load

    synth_country(people=600, seed=5)
    plan = load.plan(users=1, tag="Sintética S5 ")
    client = Client(HTTP_HOST="127.0.0.1")
    name, value = plan.cookies[0].split("=", 1)
    client.cookies[name] = value
    found: dict[str, set[str]] = {}
    for label, paths in plan.pages.items():
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(paths[0])
        assert response.status_code == 200, (label, response.status_code)
        calls = {m.group(1) for q in ctx.captured_queries for m in PER_ROW.finditer(q["sql"])}
        if calls:
            found[label] = calls
    assert len(plan.pages) >= 9
    assert found == {}


def test_the_pattern_finds_what_the_orm_emits_for_a_month_truncation():
    """The guard itself: a ``TruncMonth`` on this database is caught."""
    from django.db.models.functions import TruncMonth

    from cascada.trainings.models import Session

    sql = str(Session.objects.annotate(m=TruncMonth("date")).values("m").query)
    assert PER_ROW.search(sql), sql
