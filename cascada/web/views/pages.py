"""The home page: what needs the user's attention, and their programs and cohorts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.cascade.kept import ProgramCohortTotals, cohort_totals_by_program
from cascada.cascade.selectors import Scope, cascade_figures, figures_present
from cascada.commitments.selectors import commitments_assigned
from cascada.networks.selectors import networks_of_member
from cascada.safeguarding.selectors import reminders
from cascada.trainings.selectors import (
    cohorts_shown_by_status,
    program_list,
    sees_exact,
    sessions_missing_attendance,
)

from ..nav import url_or_none

COHORTS_SHOWN = 12
MISSING_SHOWN = 10

QUICK_LINKS = (
    ("web:person_create", _("Register a person"), Cap.MANAGE_PEOPLE),
    ("web:person_list", _("Find a person"), Cap.VIEW_PEOPLE),
    ("web:cohort_list", _("Trainings"), Cap.VIEW_AGGREGATES),
    ("web:curriculum_list", _("Curricula"), Cap.VIEW_AGGREGATES),
    ("web:import_start", _("Import a file"), Cap.IMPORT),
    ("web:cascade_home", _("The cascade"), Cap.VIEW_AGGREGATES),
    ("web:audit_list", _("Audit trail"), Cap.VIEW_AUDIT),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Sums and counts in SQL, and only the cohorts shown loaded: a coordinator of a large
    # organization sees thousands of cohorts (docs/performance.md, "Load").
    # Enrolments per program from the cascade's kept per-cohort counts (issue 15).
    totals_by_program = cohort_totals_by_program(user=user)
    program_rows = []
    exact_programs: set[int] = set()
    for program in program_list(user=user).prefetch_related("shared_with").order_by("name"):
        members = totals_by_program.get(program.pk, ProgramCohortTotals())
        row: dict[str, Any] = {"program": program, "cohorts": members.cohorts}
        if sees_exact(user=user, program=program):
            exact_programs.add(program.pk)
            row["enrolled"] = members.enrolled
            row["completed"] = members.completed
        else:
            # ADR 0006: a viewer sees a program's figures only as its protected release.
            sc = Scope(user=user, program=program)
            shown = figures_present(cascade_figures(sc), sc)
            row["enrolled"], row["completed"] = shown["enrolled"], shown["completed"]
            row["people"] = True  # counts of people (the release), not enrolments
        program_rows.append(row)
    cohort_rows = []
    # Only the cohorts shown, their counts computed for them alone (issue 15).
    for c in cohorts_shown_by_status(user=user, limit=COHORTS_SHOWN):
        exact = c.program_id in exact_programs
        cohort_rows.append(
            {
                "cohort": c,
                "url": url_or_none("web:cohort_detail", pk=c.pk),
                # Per-cohort counts are not in a viewer's release (ADR 0006).
                "enrolled": c.n_enrolled if exact else None,
                "completed": c.n_completed if exact else None,
            }
        )
    # Totals across programs only for a user who sees every program's people: for anyone
    # else they would be a table the release does not protect.
    all_exact = len(exact_programs) == len(program_rows)
    every = totals_by_program.values()
    totals = {
        "running": sum(t.running for t in every),
        "enrolled": sum(t.enrolled for t in every) if all_exact else None,
        "completed": sum(t.completed for t in every) if all_exact else None,
    }
    # Sessions to take attendance for: a to-do for those who take or manage attendance.
    to_do = scope.has(user, Cap.TAKE_ATTENDANCE) or scope.has(user, Cap.MANAGE_PROGRAMS)
    missing_qs = sessions_missing_attendance(user=user)
    if not to_do:
        missing_qs = missing_qs.none()
    missing = [
        {"session": s, "url": url_or_none("web:session_roster", pk=s.pk)}
        for s in missing_qs[:MISSING_SHOWN]
    ]
    quick = [
        {"label": label, "url": url}
        for name, label, cap in QUICK_LINKS
        if scope.has(user, cap) and (url := url_or_none(name))
    ]
    # Safeguarding: how many of the user's cases wait for an overdue step (no more: no
    # names, no kinds; the case list says which).
    overdue = reminders(user=user, today=timezone.localdate())
    return render(
        request,
        "web/home.html",
        {
            "overdue_cases": len({d.case.pk for d in overdue}),
            "cases_url": url_or_none("web:case_list"),
            "my_networks": list(networks_of_member(user=user)[:10]),
            "my_commitments": commitments_assigned(user=user, today=timezone.localdate()),
            "programs": program_rows,
            "totals": totals,
            "cohorts": cohort_rows,
            "more_cohorts": max(sum(t.cohorts for t in every) - COHORTS_SHOWN, 0),
            "cohorts_url": url_or_none("web:cohort_list"),
            "missing": missing,
            "missing_total": missing_qs.count(),
            "to_do": to_do,
            "quick": quick,
            "has_roles": bool(scope.roles(user)),
        },
    )
