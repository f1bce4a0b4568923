"""The everyday pages under concurrent use, on the production stack: gunicorn serving
Cascada over the synthetic country, ``--users`` signed-in coordinators requesting pages
for ``--seconds``, against the trivial endpoint (``/health``) in the same run.

    python -m benchmarks --only load [--users 20] [--seconds 120] [--workers 5] [--threads 4]

Run by ``python -m benchmarks`` (``--only load``) after the synthetic country is built;
PostgreSQL through ``DATABASE_URL`` is the intended setup (SQLite works, and says so).

- The users are coordinators of the organization that owns the largest program
  (``load-user-NN``), created once through ``cascada.accounts.services`` with a confirmed
  TOTP device, and kept in the bench database for the next run.
- Their sessions are created directly (Django's test ``Client.force_login``, which writes
  the session row, then ``otp_device_id`` set to the confirmed device: the very mark
  ``django_otp.login`` leaves after a TOTP code, the way ``tests/accounts/factories
  .login_verified`` signs users in). Typing a password and a TOTP code 20 times would
  measure the sign-in, not the pages, and would trip the lockout (S5).
- Each user is a thread with its own keep-alive connection (``http.client``), asking for
  the pages in turn without pause (a closed loop: the hardest steady load 20 users can
  make). The trivial endpoint is one of the pages of the loop, so it meets the same queue.
  Cohorts, rosters and trainers rotate over a sample of 50 of each.
- Before the run, each page is requested once in-process to count its queries
  (``CaptureQueriesContext``): the column that finds an N+1.
- Errors: any answer but 200 (a redirect to the sign-in counts), or a broken connection.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.table import print_boxed

SAMPLE = 50
TRIVIAL = "trivial (/health)"
PASSWORD = "carga-una-clave-larga-2026"


@dataclass
class Plan:
    cookies: list[str]
    pages: dict[str, list[str]]  # label -> paths to rotate over
    facts: dict[str, Any] = field(default_factory=dict)


def _users(org: Any, n: int) -> list[Any]:
    from cascada.accounts.models import User
    from cascada.accounts.roles import Role
    from cascada.accounts.services import membership_grant, totp_device_create, user_create

    out = []
    for i in range(n):
        name = f"load-user-{i:02d}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = user_create(actor=None, username=name, password=PASSWORD)
            membership_grant(actor=None, user=user, organization=org, role=Role.COORDINATOR)
            totp_device_create(user=user, confirmed=True)
        out.append(user)
    return out


def _session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session["otp_device_id"] = device.persistent_id if device else ""
    session["_seen"] = int(time.time())
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def plan(*, users: int, tag: str, seed: int = 1) -> Plan:
    """Users, their sessions, and the pages to ask for (committed: gunicorn must see them)."""
    from django.db.models import Count
    from django.urls import reverse

    from cascada.cascade.models import TrainingEdge
    from cascada.trainings.models import Attendance, Cohort, Program

    program = (
        Program.objects.filter(owner__name__startswith=tag)
        .annotate(n=Count("cohorts"))
        .order_by("-n", "pk")
        .select_related("owner")
        .first()
    )
    if program is None:
        raise SystemExit("load: no synthetic program in this database")
    org = program.owner
    rng = random.Random(seed)
    cohort_ids = list(
        Cohort.objects.filter(program=program, enrolments__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    cohorts = sorted(rng.sample(cohort_ids, min(SAMPLE, len(cohort_ids))))
    sessions = [
        sid
        for cid in cohorts
        if (
            sid := Attendance.objects.filter(session__cohort_id=cid)
            .order_by("session_id")
            .values_list("session_id", flat=True)
            .first()
        )
    ]
    trainer_ids = sorted(
        set(
            TrainingEdge.objects.filter(cohort__program=program).values_list(
                "trainer_id", flat=True
            )
        )
    )
    trainers = sorted(rng.sample(trainer_ids, min(SAMPLE, len(trainer_ids))))
    people = _users(org, users)
    from cascada.indicators.fill import fill_due

    fill_due()  # the dashboards read the fill table: filled before the run, as the worker does
    pages = {
        TRIVIAL: [reverse("web:health")],
        "home": [reverse("web:home")],
        "people": [reverse("web:person_list")],
        "cohorts": [reverse("web:cohort_list")],
        "a cohort": [reverse("web:cohort_detail", args=[c]) for c in cohorts],
        "a roster": [reverse("web:session_roster", args=[s]) for s in sessions],
        "cascade of the largest program": [reverse("web:cascade_program", args=[program.pk])],
        "a trainer": [reverse("web:cascade_trainer", args=[t]) for t in trainers],
        "indicators of the largest program": [reverse("web:indicators_program", args=[program.pk])],
    }
    facts = {
        "organization": org.name,
        "program": f"{program.name} ({program.n:,} cohorts)",
        "users": users,
        "program_id": program.pk,
    }
    return Plan(cookies=[_session_cookie(u) for u in people], pages=pages, facts=facts)


def count_queries(p: Plan) -> dict[str, int]:
    """Queries of each page's first path, asked once in-process as the first user."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    name, value = p.cookies[0].split("=", 1)
    client.cookies[name] = value
    out = {}
    for label, paths in p.pages.items():
        client.get(paths[0])  # warm caches (translations, templates)
        reset_queries()  # a request empties the log: start from an empty one
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(paths[-1])
        if response.status_code != 200:
            raise SystemExit(f"load: {paths[-1]} answered {response.status_code} in-process")
        out[label] = len(ctx.captured_queries)
    return out


def _serve(*, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parent.parent
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(gunicorn),
            "cascada.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=root,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("load: gunicorn did not answer /health within 60 s")


def _user_loop(
    *, port: int, cookie: str, pages: dict[str, list[str]], start: int, stop_at: float,
    record_from: float, out: list[tuple[str, float, bool]],
) -> None:  # fmt: skip
    labels = list(pages)
    turn = start
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept-Language": "es"}
    while (now := time.monotonic()) < stop_at:
        label = labels[turn % len(labels)]
        paths = pages[label]
        path = paths[(turn // len(labels)) % len(paths)]
        turn += 1
        t = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if now >= record_from:
            out.append((label, (time.perf_counter() - t) * 1000, ok))
    conn.close()


def _p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(
    *, users: int = 20, seconds: int = 120, warmup: int = 10, workers: int = 5,
    threads: int = 4, port: int = 8765, tag: str = "Sintética S1 ",
) -> tuple[list[tuple[str, ...]], dict[str, Any]]:  # fmt: skip
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # as `make run` does
    p = plan(users=users, tag=tag)
    queries = count_queries(p)
    from django.db import connections

    connections.close_all()
    server = _serve(port=port, workers=workers, threads=threads)
    results: list[tuple[str, float, bool]] = []  # list.append is atomic under the GIL
    try:
        start = time.monotonic()
        record_from, stop_at = start + warmup, start + warmup + seconds
        loops = [
            threading.Thread(
                target=_user_loop,
                kwargs={
                    "port": port,
                    "cookie": cookie,
                    "pages": p.pages,
                    "start": i,
                    "stop_at": stop_at,
                    "record_from": record_from,
                    "out": results,
                },
            )  # fmt: skip
            for i, cookie in enumerate(p.cookies)
        ]
        for loop in loops:
            loop.start()
        for loop in loops:
            loop.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    by_page: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for label, ms, ok in results:
        by_page[label].append(ms)
        errors[label] += 0 if ok else 1
    trivial_p95 = _p(by_page[TRIVIAL], 95)
    rows = []
    for label in p.pages:
        ms = by_page[label]
        p95 = _p(ms, 95)
        rows.append(
            (
                label,
                f"{len(ms):,}",
                str(errors[label]),
                f"{_p(ms, 50):.0f}",
                f"{p95:.0f}",
                f"{p95 / trivial_p95:.1f}" if label != TRIVIAL and trivial_p95 else "",
                str(queries[label]),
            )
        )
    p.facts.update(
        requests=len(results),
        rate=len(results) / seconds,
        seconds=seconds,
        warmup=warmup,
        workers=workers,
        threads=threads,
        load=os.getloadavg(),
    )
    return rows, p.facts


def print_table(rows: list[tuple[str, ...]], *, people: int, facts: dict[str, Any]) -> None:
    print(
        f"\nLoad: {facts['users']} signed-in coordinators for {facts['seconds']} s (after "
        f"{facts['warmup']} s of warm-up), gunicorn {facts['workers']} workers × "
        f"{facts['threads']} threads, {people:,}-person synthetic country; "
        f"{facts['organization']}, {facts['program']}. {facts['requests']:,} requests "
        f"({facts['rate']:.0f}/s); load average at the end "
        f"{' '.join(f'{x:.1f}' for x in facts['load'])}. Target: p95 ≤ 3 × the trivial "
        "endpoint's, 0 errors."
    )
    print_boxed(
        ["page", "requests", "errors", "p50 ms", "p95 ms", "p95 / trivial", "queries"], rows
    )
