"""Who sees which dashboard, and what its figures show (docs/decisions/indicators.md).

- Dashboards are for roles that see a whole organization's aggregates
  (``VIEW_AGGREGATES`` outside a cohort-bound role): facilitators see their own cohorts'
  pages, not a program's totals.
- **Exact** figures (every person, every breakdown, two-way tables, a department chosen)
  for a user who sees the people behind the program (``trainings.selectors.sees_exact``);
  for an organization's own work (milestones, funds, quota cells, planned activities),
  for whoever sees the dashboard; for safeguarding counts, for its leads only.
- Everyone else (a viewer: a donor, a partner) gets the fixed menu of ADR 0006 through
  ``present/``: one program at a time, people who consented only (S15), one-way
  breakdowns, no totals across programs, no free filters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError
from cascada.registry.models import Organization, Place, PlaceLevel
from cascada.trainings.models import Program
from cascada.trainings.selectors import program_list

from .models import Fact, Indicator, Plan
from .sources import SOURCES, load


def dashboard_org_ids(user: Any) -> set[int]:
    """Organizations whose dashboards the user may open."""
    cap = Cap.VIEW_AGGREGATES
    return scope.org_ids(user, cap) - scope.cohort_bound_org_ids(user, cap)


def may_manage(user: Any, organization_id: int) -> bool:
    """Define indicators, baselines and targets: ``MANAGE_INDICATORS``."""
    return scope.has(user, Cap.MANAGE_INDICATORS, organization_id)


def dashboard_programs(*, user: Any) -> QuerySet[Program]:
    orgs = dashboard_org_ids(user)
    if not orgs:
        return Program.objects.none()
    return program_list(user=user).filter(Q(owner_id__in=orgs) | Q(shared_with__in=orgs)).distinct()


def dashboard_program(*, user: Any, pk: Any) -> Program:
    program = dashboard_programs(user=user).filter(pk=pk).first()
    if program is None:
        raise NotFoundError()
    return program


def dashboard_organizations(*, user: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=dashboard_org_ids(user)).order_by("name")


def dashboard_organization(*, user: Any, pk: Any) -> Organization:
    org = dashboard_organizations(user=user).filter(pk=pk).first()
    if org is None:
        raise NotFoundError()
    return org


def indicator_list(*, organization_id: int | None, areas: Any = None) -> QuerySet[Indicator]:
    """The built-in indicators and the organization's own, active ones."""
    qs = Indicator.objects.filter(active=True).filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id)
    )
    if areas is not None:
        qs = qs.filter(area__in=list(areas))
    return qs.order_by("position", "code")


def indicator_get(*, organization_id: int, code: str) -> Indicator:
    """A built-in indicator or one of the organization's own, by code. The caller has
    checked that the user may open the dashboard it belongs to (a program's, whose owner
    is ``organization_id``, is open to partners it is shared with)."""
    found = indicator_list(organization_id=organization_id).filter(code=code).first()
    if found is None:
        raise NotFoundError()
    return found


def program_scoped(indicator: Indicator) -> bool:
    load()
    from .sources import FAMILIES

    source = SOURCES.get(indicator.source)
    return source is None or FAMILIES[source.family].scope == "program"


def plan_of(*, indicator: Indicator, program: Program) -> Plan | None:
    return (
        Plan.objects.filter(indicator=indicator, program=program)
        .prefetch_related("targets")
        .first()
    )


def plans_of(*, program: Program) -> dict[int, Plan]:
    """The program's plans by indicator id, with their periodic targets."""
    return {
        plan.indicator_id: plan
        for plan in Plan.objects.filter(program=program).prefetch_related("targets")
    }


def fact_departments(*, organization_id: int) -> QuerySet[Place]:
    """The departments where the organization's own programs have figures in the fill
    table (the place dashboards: ``web:indicators_place``). Organization-wide rows (plans,
    commitments, research, safeguarding) are not a program's and do not count."""
    facts = Fact.objects.filter(program__owner_id=organization_id, department__isnull=False)
    departments = facts.values("department_id")
    return Place.objects.filter(level=PlaceLevel.DEPARTMENT, pk__in=departments).order_by("name")
