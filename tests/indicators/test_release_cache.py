"""A viewer's release is computed once per fill (``present.program_release``): the same
release for every viewer's page between two fills, a new one after a refill, and never
one user's exact figures given to another."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cascada.accounts.roles import Role
from cascada.indicators import present
from cascada.indicators.fill import fill_due, mark_programs
from cascada.indicators.present import protected
from tests.accounts.factories import make_user


def _calls(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = protected._release_figures

    def counted(program_id: int):
        calls.append(program_id)
        return real(program_id)

    monkeypatch.setattr(protected, "_release_figures", counted)
    return calls


def test_a_viewers_release_is_computed_once_per_fill(filled, monkeypatch):
    program = filled["program"]
    viewer = make_user(role=Role.VIEWER, organization=filled["org"])
    calls = _calls(monkeypatch)
    first = present.program_release(program_id=program.pk, court=False, user=viewer)
    with CaptureQueriesContext(connection) as ctx:
        again = present.program_release(program_id=program.pk, court=False, user=viewer)
    assert calls == [program.pk]
    assert again.headline == first.headline and again.breakdowns == first.breakdowns
    assert not again.exact and len(ctx.captured_queries) <= 4
    # A refill (a late import marked the program) makes a new release.
    mark_programs([program.pk])
    fill_due(today=dt.date(2025, 12, 31))
    present.program_release(program_id=program.pk, court=False, user=viewer)
    assert calls == [program.pk, program.pk]


def test_exact_figures_are_never_kept_nor_served_from_the_viewers_release(filled, monkeypatch):
    program = filled["program"]
    viewer = make_user(role=Role.VIEWER, organization=filled["org"])
    coordinator = make_user(role=Role.COORDINATOR, organization=filled["org"])
    calls = _calls(monkeypatch)
    protected = present.program_release(program_id=program.pk, court=False, user=viewer)
    exact = present.program_release(program_id=program.pk, court=False, user=coordinator)
    assert exact.exact and not protected.exact
    assert calls == [program.pk, program.pk]
    present.program_release(program_id=program.pk, court=False, user=coordinator)
    assert len(calls) == 3  # exact figures are cheap and computed every time
