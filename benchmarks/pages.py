"""The everyday pages one request at a time (issue 15), against the trivial signed-in
endpoint in the same run, on the same synthetic country:

    python -m benchmarks --only pages [--repeat 7]

Each page is asked for over HTTP from gunicorn (one worker, one thread: one request at a
time; the stack the issue measured) by a coordinator of the organization that owns the
largest program, signed in as the load run signs its users in (``benchmarks.load.plan``). Pages that rotate (a cohort, a roster, a trainer) take the
median over their sample, each path asked ``--repeat`` times after a warm-up; the largest
trainer (most people downstream) and the largest program are asked for themselves. The
trivial endpoint (``/health``) goes through the same middleware with the same session.

Target (issue 15): every page at most 5 times the trivial endpoint. "queries" counts one
request in-process (``CaptureQueriesContext``); it is the column that finds an N+1.
"""

from __future__ import annotations

import http.client
import signal
import statistics
import time
from typing import Any

from benchmarks.table import print_boxed

TARGET = 5.0
ROTATE = 10  # paths of a rotating page measured (of the load run's sample of 50)


class _Http:
    """One keep-alive connection to the server, one request at a time."""

    def __init__(self, port: int, cookie: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept-Language": "es"}

    def get(self, path: str) -> int:
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        return response.status


class _InProcess:
    """Django's test client in this process (``serve=False``: the tests' tiny country
    lives in a transaction no server can see)."""

    def __init__(self, cookie: str) -> None:
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="es")
        name, value = cookie.split("=", 1)
        self.client.cookies[name] = value

    def get(self, path: str) -> int:
        return int(self.client.get(path).status_code)


def _page(asker: Any, paths: list[str], repeat: int) -> tuple[float, float]:
    """Median and worst ms over the paths, each asked ``repeat`` times after a warm-up."""
    times: list[float] = []
    for path in paths:
        for n in range(repeat + 1):
            t = time.perf_counter()
            status = asker.get(path)
            if status != 200:
                raise SystemExit(f"pages: {path} answered {status}")
            if n:  # the first one warms the worker: templates, translations, plans
                times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def _largest_trainer_of(program_id: int) -> int | None:
    """The trainer of the program with the most people downstream (the heaviest trainer
    page its coordinators open)."""
    from django.db.models import Count

    from cascada.cascade.models import Reach, TrainingEdge

    trainers = TrainingEdge.objects.filter(cohort__program_id=program_id).values("trainer_id")
    top = (
        Reach.objects.filter(ancestor_id__in=trainers)
        .values("ancestor_id")
        .annotate(n=Count("descendant_id"))
        .order_by("-n", "ancestor_id")
        .first()
    )
    return top["ancestor_id"] if top else None


def run(
    *, tag: str, repeat: int, port: int = 8766, serve: bool = True
) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    from django.core.management import call_command
    from django.db import connections
    from django.urls import reverse

    from benchmarks import load
    from cascada.cascade.selectors import reach_count

    call_command("collectstatic", interactive=False, verbosity=0)  # as `make run` does
    p = load.plan(users=1, tag=tag)
    pages = {label: paths[:ROTATE] for label, paths in p.pages.items()}
    trainer = _largest_trainer_of(p.facts["program_id"])
    if trainer is not None:
        pages["the largest trainer"] = [reverse("web:cascade_trainer", args=[trainer])]
    p.pages = pages
    queries = load.count_queries(p)
    if not serve:
        asker: Any = _InProcess(p.cookies[0])
        measured = {k: (*_page(asker, v, repeat), queries[k]) for k, v in pages.items()}
    else:
        connections.close_all()
        # The stack the issue measured: gunicorn (one worker, one thread: one request at
        # a time), the settings of this environment, as the load run serves them.
        server = load._serve(port=port, workers=1, threads=1)
        try:
            asker = _Http(port, p.cookies[0])
            measured = {k: (*_page(asker, v, repeat), queries[k]) for k, v in pages.items()}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    trivial = measured[load.TRIVIAL][0]
    rows = []
    for label, (median, worst, n) in measured.items():
        ratio = "" if label == load.TRIVIAL else f"{median / trivial:.1f}"
        rows.append((label, f"{median:,.1f}", f"{worst:,.1f}", ratio, str(n)))
    facts = {k: v for k, v in p.facts.items() if k != "program_id"}
    if trainer is not None:
        facts["largest trainer"] = f"{reach_count(person_id=trainer):,} people downstream"
    over = [r[0] for r in rows if r[3] and float(r[3]) > TARGET]
    facts["target (each page ≤ 5 × trivial)"] = "met" if not over else "NOT met: " + ", ".join(over)
    return rows, facts


def print_table(
    rows: list[tuple[str, ...]], *, people: int, repeat: int, facts: dict[str, Any]
) -> None:
    print(
        f"\nEveryday pages one request at a time, {people:,} people "
        f"(median of {repeat} per path after a warm-up; gunicorn, 1 worker, 1 thread):",
        flush=True,
    )
    for key, value in facts.items():
        print(f"  {key}: {value}")
    print_boxed(["page", "median ms", "worst ms", "× trivial", "queries"], rows)
