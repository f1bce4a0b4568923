"""The home page: what needs the user's attention, and their programs and cohorts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.privacy import suppress_counts, suppress_value
from cascada.trainings.selectors import cohort_list, program_list, sessions_missing_attendance

from ..nav import url_or_none

COHORTS_SHOWN = 12
STATUS_ORDER = {"running": 0, "planned": 1, "closed": 2}
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


def _count(n: int, *, exact: bool, court: bool) -> Any:
    """S17: a role without access to people sees small counts suppressed."""
    return n if exact else suppress_value(n, court=court)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    people_orgs = scope.org_ids(user, Cap.VIEW_PEOPLE)
    exact = bool(people_orgs)
    cohorts = list(cohort_list(user=user).order_by("-start_date", "name"))
    # Running cohorts first, then the planned ones, then those already closed.
    cohorts.sort(key=lambda c: STATUS_ORDER.get(c.status, 3))
    by_program: dict[int, list[Any]] = {}
    for c in cohorts:
        by_program.setdefault(c.program_id, []).append(c)
    program_rows = []
    cells: dict[int, dict[str, Any]] = {}
    for program in program_list(user=user).prefetch_related("shared_with").order_by("name"):
        members = by_program.get(program.pk, [])
        row: dict[str, Any] = {"program": program, "cohorts": len(members)}
        # Exact figures only where the user may see the people behind them.
        program_orgs = {program.owner_id, *(o.pk for o in program.shared_with.all())}
        program_exact = bool(program_orgs & people_orgs)
        exact = exact and program_exact
        for key, attr in (("enrolled", "n_enrolled"), ("completed", "n_completed")):
            # S15: suppressed figures count only people who consented to reporting.
            attr = attr if program_exact else f"{attr}_reportable"
            counts = {c.pk: getattr(c, attr) for c in members}
            if program_exact:
                row[key] = sum(counts.values())
                for pk, n in counts.items():
                    cells.setdefault(pk, {})[key] = n
            else:
                # S17: one call per program, so that no hidden cohort count can be worked
                # out from the program's total (secondary suppression).
                shown, total = suppress_counts(counts, court=program.is_court_mandated)
                row[key] = total
                for pk, cell in shown.items():
                    cells.setdefault(pk, {})[key] = cell
        program_rows.append(row)
    cohort_rows = []
    for c in cohorts[:COHORTS_SHOWN]:
        court = c.program.is_court_mandated
        mine = cells.get(c.pk, {})
        cohort_rows.append(
            {
                "cohort": c,
                "url": url_or_none("web:cohort_detail", pk=c.pk),
                "enrolled": mine.get(
                    "enrolled",
                    _count(
                        c.n_enrolled if exact else c.n_enrolled_reportable, exact=exact, court=court
                    ),
                ),
                "completed": mine.get(
                    "completed",
                    _count(
                        c.n_completed if exact else c.n_completed_reportable,
                        exact=exact,
                        court=court,
                    ),
                ),
            }
        )
    # Overall totals only where nothing is suppressed: they would undo the suppression.
    totals = {
        "running": sum(1 for c in cohorts if c.status == "running"),
        "enrolled": sum(c.n_enrolled for c in cohorts) if exact else None,
        "completed": sum(c.n_completed for c in cohorts) if exact else None,
    }
    missing_qs = sessions_missing_attendance(user=user)
    missing = [
        {"session": s, "url": url_or_none("web:session_roster", pk=s.pk)}
        for s in missing_qs[:MISSING_SHOWN]
    ]
    quick = [
        {"label": label, "url": url}
        for name, label, cap in QUICK_LINKS
        if scope.has(user, cap) and (url := url_or_none(name))
    ]
    return render(
        request,
        "web/home.html",
        {
            "programs": program_rows,
            "totals": totals,
            "cohorts": cohort_rows,
            "more_cohorts": max(len(cohorts) - COHORTS_SHOWN, 0),
            "cohorts_url": url_or_none("web:cohort_list"),
            "missing": missing,
            "missing_total": missing_qs.count(),
            "quick": quick,
            "has_roles": bool(scope.roles(user)),
        },
    )
