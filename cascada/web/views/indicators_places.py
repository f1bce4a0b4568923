"""The dashboard of a place (issue 14; docs/decisions/indicators.md): what all of an
organization's own programs achieved in one department, for users who see the
organization's people. Viewers get no place breakdown (ADR 0006: their figures are each
program's one release; a place's figures beside the whole could be differenced), so the
page answers 404 to them, as to facilitators and other organizations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.indicators import selectors
from cascada.indicators.models import Frequency
from cascada.indicators.present import indicator_view
from cascada.indicators.sources import SOURCES, load
from cascada.trainings.models import Program

from .common import domain_errors
from .indicators import _chart, _filled_at, _frequency


@login_required
@require_GET
@domain_errors
def place_dashboard(request: HttpRequest, pk: int, place: int) -> HttpResponse:
    organization = selectors.dashboard_organization(user=request.user, pk=pk)
    if not scope.has(request.user, Cap.VIEW_PEOPLE, organization.pk):
        raise Http404()
    department = (
        selectors.fact_departments(organization_id=organization.pk).filter(pk=place).first()
    )
    if department is None:
        raise Http404()
    own_programs = list(Program.objects.filter(owner=organization).values_list("pk", flat=True))
    frequency = _frequency(request)
    load()
    cards = []
    for indicator in selectors.indicator_list(organization_id=organization.pk):
        source = SOURCES.get(indicator.source)
        # Program figures with a department only: values typed by hand and the
        # organization's own work have none.
        if not selectors.program_scoped(indicator) or source is None:
            continue
        if "department" not in source.dims:
            continue
        view = indicator_view(
            indicator, program_ids=own_programs, organization_id=organization.pk,
            exact=True, frequency=frequency, department_id=department.pk,
        )  # fmt: skip
        cards.append({"view": view, "chart": _chart(view)})
    return render(
        request,
        "web/indicators/place.html",
        {
            "organization": organization,
            "place": department,
            "cards": cards,
            "frequency": frequency,
            "frequencies": Frequency.choices,
            "filled_at": _filled_at(program_ids=own_programs),
            "may_manage": selectors.may_manage(request.user, organization.pk),
        },
    )
