"""The home page's figures come from SQL (``cohort_totals_by_program``,
``cohorts_shown_by_status``), not from every cohort loaded: the same figures as the
cohorts themselves, running cohorts first, and only the cohorts shown loaded (docs/performance.md, "Load")."""

from __future__ import annotations

import datetime as dt

from django.db.models.signals import post_init
from django.urls import reverse
from django.utils import timezone

from cascada.trainings.models import Cohort
from cascada.trainings.selectors import cohort_list
from cascada.trainings.services import attendance_record, enrolment_withdraw
from cascada.web.views.pages import COHORTS_SHOWN
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program


def _world(org, programs: int = 2) -> None:
    today = timezone.localdate()
    for p in range(programs):
        program = make_program(owner=org, name=f"Programa {p}")
        closed = make_cohort(program=program, name=f"Cerrada {p}", sessions=1,
                             start=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=300))  # fmt: skip
        make_cohort(
            program=program, name=f"Futura {p}", sessions=1, start=today + dt.timedelta(days=30)
        )
        running = make_cohort(program=program, name=f"Activa {p}", sessions=2,
                              start=today - dt.timedelta(days=7))  # fmt: skip
        people = [make_person(organization=org) for _ in range(3)]
        done = enrol(closed, *people)
        attendance_record(
            actor=None, session=closed.sessions.get(), marks={e.pk: "present" for e in done}
        )
        withdrawn = enrol(running, *people)[0]
        enrolment_withdraw(actor=None, enrolment=withdrawn)


def test_home_figures_equal_the_cohorts_own(coordinator_client, coordinator, org):
    _world(org)
    response = coordinator_client.get(reverse("web:home"))
    cohorts = list(cohort_list(user=coordinator))
    for row in response.context["programs"]:
        members = [c for c in cohorts if c.program_id == row["program"].pk]
        assert row["cohorts"] == len(members) == 3
        assert row["enrolled"] == sum(c.n_enrolled for c in members) == 5
        assert row["completed"] == sum(c.n_completed for c in members) == 3
    totals = response.context["totals"]
    assert totals["running"] == sum(1 for c in cohorts if c.current_status == "running") == 2
    assert totals["enrolled"] == 10 and totals["completed"] == 6
    shown = [r["cohort"].current_status for r in response.context["cohorts"]]
    assert shown == ["running", "running", "planned", "planned", "closed", "closed"]


def test_home_loads_only_the_cohorts_it_shows(coordinator_client, org):
    """A coordinator of a large organization sees thousands of cohorts: the page loads
    the twelve it lists, never all of them (it loaded every one before: 0.56 s at 5,000)."""
    program = make_program(owner=org)
    start = timezone.localdate() + dt.timedelta(days=30)
    for i in range(COHORTS_SHOWN + 8):
        make_cohort(program=program, name=f"Cohorte {i}", sessions=0, start=start)
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance.pk)

    post_init.connect(count, sender=Cohort)
    try:
        response = coordinator_client.get(reverse("web:home"))
    finally:
        post_init.disconnect(count, sender=Cohort)
    assert len(response.context["cohorts"]) == COHORTS_SHOWN
    assert response.context["more_cohorts"] == 8
    assert len(loaded) == COHORTS_SHOWN


def test_home_of_someone_without_an_organization_has_no_programs(client, db):
    """A user with no role anywhere (a mentor, a promoter): the totals' statement has no
    cohort to count, and the page says so instead of failing."""
    from tests.accounts.factories import login_verified, make_user

    login_verified(client, make_user())
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert 'data-test="programs"' not in response.content.decode()
