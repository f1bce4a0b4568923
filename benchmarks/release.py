"""Viewers' releases at national scale (ADR 0006): what the protected release of a
program's figures costs a viewer, against the exact figures of a user who sees people,
in the same run, on the same synthetic country.

Run by ``python -m benchmarks`` after the everyday table (``--only release`` for this
table alone). For the largest synthetic program it creates, through
``cascada.accounts.services``, an **M&E officer** (``VIEW_PEOPLE``: exact figures, the
reference) and a **viewer** of the program's owner organization (the release), and times:

- (a) ``cascade_figures`` + ``figures_present`` as the M&E officer (exact);
- (b) the same as the viewer: consent-filtered figures, then ``privacy.release`` with its
  integer-programme audits;
- (c) ``privacy.release`` alone, on the viewer's figures already computed (the audit);
- (d) the home page (``GET /``) through Django's test ``Client``, signed in as the viewer
  (no second factor: ``Role.VIEWER`` is not in ``TWO_FACTOR_ROLES``) against the same page
  for the M&E officer (signed in with a confirmed TOTP device, as a real sign-in would);
- a synthetic worst case for the audit: a release whose department breakdown has 10, 25
  or 50 rows, half of them small (1..5 enrolled).

The queries and the integer programmes solved (``scipy.optimize.milp`` calls) are counted
in one run after a warm-up; the timed runs of a measure and its reference are interleaved.
Everything written (the two users, the device, sessions) is inside one transaction rolled
back at the end, so a reused bench database stays the same from run to run.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks import clients
from benchmarks.table import print_boxed

SYNTHETIC_ROWS = (10, 25, 50)


class _Rollback(Exception):
    pass


class _MilpCounter:
    """Counts ``scipy.optimize.milp`` calls made through ``cascada.core.privacy``."""

    def __init__(self) -> None:
        self.n = 0

    def __enter__(self) -> _MilpCounter:
        from cascada.core import privacy

        self._module = privacy
        self._original = privacy.milp

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.n += 1
            return self._original(*args, **kwargs)

        privacy.milp = counted
        return self

    def __exit__(self, *exc: object) -> None:
        self._module.milp = self._original


def _measure(fns: list[Callable[[], Any]], repeat: int) -> list[tuple[float, int, int, Any]]:
    """For each callable: the median ms over ``repeat`` runs, the queries and integer
    programmes of one counted run, and the last result. Each callable first runs once
    uncounted (warm caches; a signed-in client's first request also renews its session,
    a write later requests skip), then once counted. The timed runs are interleaved (one
    of each, ``repeat`` times) so that a measure and its reference share the same load on
    a busy machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, results = [], []
    for fn in fns:
        fn()
        with CaptureQueriesContext(connection) as ctx, _MilpCounter() as milps:
            results.append(fn())
        # Counted now: each request of the test client clears the connection's query log.
        counts.append((len(ctx.captured_queries), milps.n))
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            results[i] = fn()
            times[i].append((time.perf_counter() - t) * 1000)
    return [
        (statistics.median(ts), q, m, r)
        for ts, (q, m), r in zip(times, counts, results, strict=True)
    ]


def largest_program(tag: str) -> Any:
    """The synthetic program with the most cohorts (as in the cascade table)."""
    from django.db.models import Count

    from cascada.trainings.models import Program

    return (
        Program.objects.filter(owner__name__startswith=tag)
        .annotate(n=Count("cohorts"))
        .order_by("-n", "pk")
        .select_related("owner")
        .first()
    )


def synthetic_release(rows: int, *, seed: int = 1) -> dict[str, Any]:
    """Arguments for ``privacy.release``: a headline and one department breakdown of
    ``rows`` rows, every other row small (1..5 enrolled, 0..enrolled completed), the
    others 20..400 enrolled with a third to all of them completed."""
    rng = random.Random(seed * 1000 + rows)
    breakdown: dict[int, tuple[int, int]] = {}
    for r in range(rows):
        if r % 2 == 0:
            e = rng.randint(1, 5)
            c = rng.randint(0, e)
        else:
            e = rng.randint(20, 400)
            c = rng.randint(e // 3, e)
        breakdown[r] = (e, c)
    enrolled = sum(v[0] for v in breakdown.values())
    completed = sum(v[1] for v in breakdown.values())
    return {
        "headline": {
            "enrolled": enrolled,
            "completed": completed,
            "trained_trainers": completed // 5,
            "replicating": completed // 8,
        },
        "breakdowns": {"department": breakdown},
        "exact": False,
    }


def _release_kwargs(fig: Any, sc: Any) -> dict[str, Any]:
    """The arguments ``figures_present`` passes to ``privacy.release`` for these figures,
    captured from the real call (so the benchmark cannot drift from the selector)."""
    from cascada.cascade import selectors

    captured: dict[str, Any] = {}
    original = selectors.release

    def capture(**kwargs: Any) -> Any:
        captured.update(kwargs)
        return original(**kwargs)

    selectors.release = capture
    try:
        selectors.figures_release(fig, sc)
    finally:
        selectors.release = original
    return captured


def _suppression(rel: Any) -> dict[str, int]:
    """Cells of a release by what they show: "<k" (primary), "—" held back (secondary),
    "—" not published (a figure not given at all), and tables not published."""
    cells = [
        c
        for b in rel.breakdowns.values()
        if b.published
        for row in b.rows.values()
        for c in row.values()
    ] + list(rel.headline.values())

    def unpublished(c: Any) -> bool:
        return bool(getattr(c, "unpublished", False))

    return {
        "cells": len(cells),
        "primary": sum(1 for c in cells if c.suppressed and not c.withheld and not unpublished(c)),
        "secondary": sum(1 for c in cells if c.withheld),
        "not_given": sum(1 for c in cells if unpublished(c)),
        "unpublished": sum(1 for b in rel.breakdowns.values() if not b.published),
        "rows": sum(len(b.rows) for b in rel.breakdowns.values()),
    }


def run(*, tag: str, repeat: int = 7) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    """Time every measure; returns the table rows and a few facts for the caption."""
    from django.db import transaction

    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            out["rows"] = _run(tag, repeat, out)
            raise _Rollback
    except _Rollback:
        pass
    return out.pop("rows"), out


def _run(tag: str, repeat: int, facts: dict[str, Any]) -> list[tuple[str, ...]]:

    from cascada.accounts import scope
    from cascada.accounts.roles import TWO_FACTOR_ROLES, Role
    from cascada.accounts.services import membership_grant, user_create
    from cascada.cascade.selectors import Scope, cascade_figures, figures_present
    from cascada.core import privacy
    from cascada.trainings.selectors import cohort_list, program_list

    program = largest_program(tag)
    assert program is not None, "no synthetic country in this database"
    org = program.owner
    assert Role.VIEWER not in TWO_FACTOR_ROLES and Role.ME_OFFICER in TWO_FACTOR_ROLES
    password = "bench-una-clave-2026"
    officer = user_create(actor=None, username="bench-me-officer", password=password)
    membership_grant(actor=None, user=officer, organization=org, role=Role.ME_OFFICER)
    viewer = user_create(actor=None, username="bench-viewer", password=password)
    membership_grant(actor=None, user=viewer, organization=org, role=Role.VIEWER)
    facts["program"] = program.name
    facts["organization"] = org.name
    facts["court"] = program.is_court_mandated
    facts["viewer_programs"] = program_list(user=viewer).count()
    facts["viewer_cohorts"] = cohort_list(user=viewer).count()

    rows: list[tuple[str, ...]] = []

    def row(
        label: str, mine: tuple[float, int | None, int], ref: tuple[float, int | None] | None
    ) -> None:
        """``None`` queries: pure Python, no database."""
        ms, nq, milps = mine
        rows.append(
            (
                label,
                f"{ms:.1f}",
                "" if nq is None else str(nq),
                str(milps),
                f"{ref[0]:.1f}" if ref else "",
                "" if ref is None or ref[1] is None else str(ref[1]),
                f"{ms / ref[0]:.2f}" if ref and ref[0] else "",
            )
        )

    def figures(user: Any) -> Callable[[], tuple[Any, dict[str, Any]]]:
        def go() -> tuple[Any, dict[str, Any]]:
            # As a request: the user's roles not yet cached, a new scope.
            scope.forget(user)
            sc = Scope(user=user, program=program)
            fig = cascade_figures(sc)
            return fig, figures_present(fig, sc)

        return go

    # --- (a) exact: the reference; (b) the viewer's release; (c) the release audit alone,
    # on the viewer's figures already computed; a synthetic worst case for the audit (many
    # departments, half of them small). Interleaved, so every ratio to (a) shares its load.
    fig_b = cascade_figures(Scope(user=viewer, program=program))
    kwargs = _release_kwargs(fig_b, Scope(user=viewer, program=program))
    assert kwargs["exact"] is False
    synthetic = [synthetic_release(n) for n in SYNTHETIC_ROWS]
    measured = _measure(
        [
            figures(officer),
            figures(viewer),
            lambda: privacy.release(**kwargs),
            *[lambda kw=kw: privacy.release(**kw) for kw in synthetic],
        ],
        repeat,
    )
    (a_ms, a_nq, a_milps, (fig_a, shown_a)), (b_ms, b_nq, b_milps, (fig_b, _shown_b)) = measured[:2]
    c_ms, _nq, c_milps, rel = measured[2]
    assert a_milps == 0 and shown_a["enrolled"].value == fig_a.enrolled
    assert fig_b.enrolled <= fig_a.enrolled  # consent (S15): the viewer counts fewer people
    assert b_milps == c_milps, (b_milps, c_milps)
    facts["people_exact"] = fig_a.enrolled
    facts["people_reportable"] = fig_b.enrolled
    facts["release"] = _suppression(rel)
    facts["breakdown_rows"] = {name: len(r) for name, r in kwargs["breakdowns"].items()}
    facts["k"] = rel.k
    row(
        f"(a) cascade_figures + figures_present, M&E officer (exact, {fig_a.enrolled:,} people)",
        (a_ms, a_nq, a_milps),
        None,
    )
    row(
        f"(b) the same, viewer (release, {fig_b.enrolled:,} people who consented)",
        (b_ms, b_nq, b_milps),
        (a_ms, a_nq),
    )
    row(
        "(c) privacy.release alone on the viewer's figures "
        f"({facts['release']['rows']} breakdown rows)",
        (c_ms, None, c_milps),
        (a_ms, a_nq),
    )
    synthetic_rows = []
    for n, (s_ms, _nq, s_milps, srel) in zip(SYNTHETIC_ROWS, measured[3:], strict=True):
        sup = _suppression(srel)
        synthetic_rows.append(
            (
                f"synthetic: release of {n} department rows, half of them 1..5 "
                f"({sup['primary']} <k, {sup['secondary']} —)",
                (s_ms, None, s_milps),
                (a_ms, a_nq),
            )
        )

    # --- (d) the home page, signed in, through the test client
    def home(client: Any) -> Callable[[], Any]:
        def go() -> Any:
            response = client.get("/")
            assert response.status_code == 200, response.status_code
            return response

        return go

    with clients.pages():
        officer_client = clients.signed_in(officer, second_factor=True)
        viewer_client = clients.signed_in(viewer)
        (h_ms, h_nq, h_milps, _r), (v_ms, v_nq, v_milps, response) = _measure(
            [home(officer_client), home(viewer_client)], repeat
        )
    assert h_milps == 0 and v_milps >= c_milps, (h_milps, v_milps, c_milps)
    assert program.name.encode() in response.content
    row("(d) home page GET /, M&E officer (exact: the page's reference)", (h_ms, h_nq, 0), None)
    row(
        f"(d) home page GET /, viewer ({facts['viewer_programs']} program(s), as many "
        f"releases; {facts['viewer_cohorts']:,} cohorts loaded)",
        (v_ms, v_nq, v_milps),
        (h_ms, h_nq),
    )

    for synthetic_row in synthetic_rows:
        row(*synthetic_row)
    return rows


def print_table(rows: list[tuple[str, ...]], *, people: int, repeat: int, facts: dict) -> None:
    print()
    r = facts.get("release", {})
    print(
        f"Viewers' releases (ADR 0006): {people:,} people, median of {repeat}, "
        f"largest program {facts.get('program', '?')} of {facts.get('organization', '?')} "
        f"(k = {facts.get('k', '?')}; its release: {r.get('cells', '?')} cells, "
        f"{r.get('primary', '?')} <k, {r.get('secondary', '?')} — held back, "
        f"{r.get('not_given', '?')} not given, {r.get('unpublished', '?')} tables not "
        "published; rows per breakdown "
        f"{facts.get('breakdown_rows', '?')})"
    )
    print(
        "reference: (a) for (b), (c) and the synthetic rows; the M&E officer's home page "
        "for the viewer's"
    )
    header = ("measure", "ms", "queries", "integer programmes", "reference ms", "queries", "ratio")
    print_boxed(header, rows)
