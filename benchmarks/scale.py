"""The key reads at two sizes of the synthetic country, for docs/scaling.md.

    DATABASE_URL=postgres://…/cascada_scale_1m python -m benchmarks.scale [--repeat 5]

Against a database where ``cascada synth --people N`` already ran (seed 1). As a
coordinator of the organization owning the largest program (``load-user-00``, created by
``benchmarks/load.py`` if missing), each read is timed in-process (median of ``--repeat``
after one warm-up, which also counts its queries): the selectors (people search by code,
the people list's first page and count, a program's cascade figures) and the pages
through Django's test client (no network, no gunicorn).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.table import print_boxed


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # a request empties the log: start from an empty one
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)  # now: the next request empties the log
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascada.config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from benchmarks.load import TRIVIAL, plan
    from cascada.cascade.selectors import Scope, cascade_figures
    from cascada.registry.models import Person
    from cascada.registry.selectors import person_list, person_search_reveal
    from cascada.trainings.models import Program

    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    p = plan(users=1, tag="Sintética S1 ")
    from cascada.accounts.models import User

    user = User.objects.get(username="load-user-00")
    program = Program.objects.get(name=p.facts["program"].split(" (")[0])
    people = Person.objects.count()
    code = (
        Person.objects.filter(organization=program.owner)
        .order_by("pk")
        .values_list("code", flat=True)[people // 8]
    )

    rows: list[tuple[str, ...]] = []

    def row(label: str, fn: Callable[[], Any]) -> None:
        ms, queries = _timed(fn, args.repeat)
        rows.append((label, f"{ms:.0f}", str(queries)))

    row("people search by code (selector)", lambda: person_search_reveal(user=user, text=code))
    row(
        "people list: first page + count (selector)",
        lambda: (
            list(person_list(user=user).order_by("code")[:50]),
            person_list(user=user).count(),
        ),
    )
    row("a program's cascade figures (selector)", lambda: cascade_figures(Scope(program=program)))
    client = Client(HTTP_HOST="127.0.0.1")
    name, value = p.cookies[0].split("=", 1)
    client.cookies[name] = value
    for label, paths in p.pages.items():
        if label == TRIVIAL:
            continue

        def get(path: str = paths[0]) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        row(f"page: {label}", get)
    print(
        f"\nKey reads: {people:,} people, {p.facts['program']}; median of {args.repeat} "
        "in-process (ms), queries of one."
    )
    print_boxed(["read", "ms", "queries"], rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
