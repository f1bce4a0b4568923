"""The cascade pages: programs, a program's cascade by generation, a trainer's tree.

Views only adapt: parse filters, call ``cascada.cascade.selectors``, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.cascade import selectors
from cascada.cascade.exports import as_csv, as_xlsx, report_rows
from cascada.cascade.forecast import assumptions_from_figures, cascade_forecast
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import NotFoundError
from cascada.imports.formats import CONTENT_TYPES, DIALECTS, EXTENSIONS, FORMATS
from cascada.networks.selectors import community_reach, community_reach_present
from cascada.registry.models import Person
from cascada.registry.selectors import department_choices, identities_reveal, place_list
from cascada.trainings.selectors import program_get

from .common import HtmxHttpRequest

DEFAULT_TARGET = 85_000


def _with_names(request: HttpRequest, rows: list[dict[str, Any]], target: Any) -> None:
    """Add ``name`` to rows about people, where the identity rule lets this user read it
    (S3); a page that shows any name writes one audit row (S10). Viewers never get here
    with rows: they see no trainer lists (ADR 0006)."""
    names = identities_reveal(
        user=request.user, people=[Person(pk=r["person_id"]) for r in rows], target=target
    )
    for row in rows:
        row["name"] = names.get(row["person_id"], "")


def _need(request: HttpRequest) -> None:
    if not scope.has(request.user, Cap.VIEW_AGGREGATES):
        raise PermissionDenied


def _program(request: HttpRequest, pk: Any) -> Any:
    try:
        return program_get(user=request.user, pk=pk)
    except NotFoundError:
        raise Http404 from None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, Any]:
    department = None
    try:  # an invalid id is no filter (cascada.core.converters)
        dep = query_id(request.GET, "department")
    except InvalidQueryParameter:
        dep = None
    if dep is not None:
        department = place_list(level="department").filter(pk=dep).first()
    return {
        "department": department,
        "start": _date(request.GET.get("start")),
        "end": _date(request.GET.get("end")),
    }


@require_GET
def cascade_home(request: HttpRequest) -> HttpResponse:
    _need(request)
    programs = selectors.program_cascade_list(user=request.user)
    return render(request, "web/cascade/home.html", {"programs": programs})


@require_GET
def cascade_program(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request)
    program = _program(request, pk)
    filters = _filters(request)
    sc = selectors.Scope(user=request.user, program=program, **filters)
    fig = selectors.cascade_figures(sc)
    shown = selectors.figures_present(fig, sc)
    try:
        target = max(int(request.GET.get("target") or DEFAULT_TARGET), 1)
    except ValueError:
        target = DEFAULT_TARGET
    forecast = None
    if sc.sees_people:  # its assumptions are exact figures (ADR 0006)
        forecast = cascade_forecast(assumptions_from_figures(fig, target=target))
    departments = department_choices()
    return render(
        request,
        "web/cascade/program.html",
        {
            "program": program,
            "f": shown,
            "filters": filters,
            "departments": departments,
            "forecast": forecast,
            "target": target,
            # What its promoters did in their communities (contacts, never people).
            "community": community_reach_present(community_reach(sc), sc),
            # Viewers get the whole program whatever the filters (ADR 0006).
            "query": request.GET.urlencode() if sc.sees_people else "",
        },
    )


@require_GET
def cascade_level(request: HtmxHttpRequest, pk: int, generation: int) -> HttpResponse:
    """The trainers who delivered a generation (an htmx partial, or a page without JS)."""
    _need(request)
    program = _program(request, pk)
    sc = selectors.Scope(user=request.user, program=program, **_filters(request))
    trainers = selectors.level_trainers(sc=sc, generation=generation) if sc.sees_people else []
    _with_names(request, trainers, program)
    template = "web/cascade/_level.html" if request.htmx else "web/cascade/level.html"
    return render(
        request,
        template,
        {
            "program": program,
            "generation": generation,
            "trainers": trainers,
            "sees_people": sc.sees_people,
        },
    )


@require_GET
def cascade_idle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Who the idle trained trainers are, with names where the user may read them (an
    htmx partial opened from the program page, or a page without JS): apart from the
    program page so that its names are read, and audited, only when asked for."""
    _need(request)
    program = _program(request, pk)
    filters = _filters(request)
    sc = selectors.Scope(user=request.user, program=program, **filters)
    idle: list[dict[str, Any]] = []
    if sc.sees_people:  # no trainer lists for viewers (ADR 0006)
        fig = selectors.cascade_figures(sc)
        idle = [
            {"person_id": pid, "code": code, "granted": granted, "last": last}
            for pid, code, granted, last in fig.idle[:50]
        ]
        _with_names(request, idle, program)
    template = "web/cascade/_idle.html" if request.htmx else "web/cascade/idle.html"
    return render(
        request,
        template,
        {"program": program, "idle": idle, "sees_people": sc.sees_people},
    )


@require_GET
def cascade_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _need(request)
    if fmt not in FORMATS:  # csv, csv_es (Excel in Spanish) or xlsx
        raise Http404
    program = _program(request, pk)
    sc = selectors.Scope(user=request.user, program=program, **_filters(request))
    rows = report_rows(
        selectors.figures_present(selectors.cascade_figures(sc), sc), title=program.name
    )
    audit_record(actor=request.user, action="export", target=program, detail={"format": fmt})
    if fmt == "xlsx":
        response = HttpResponse(
            as_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(as_csv(rows, DIALECTS[fmt]), content_type=CONTENT_TYPES[fmt])
    filename = f"cascade-{program.pk}.{EXTENSIONS[fmt]}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _trainer(request: HttpRequest, pk: Any) -> Any:
    try:
        return selectors.trainer_get(user=request.user, pk=pk)
    except NotFoundError:
        raise Http404 from None


@require_GET
def cascade_trainer(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request)
    trainer = _trainer(request, pk)
    sc = selectors.Scope(user=request.user, trainer=trainer)
    shown = selectors.figures_present(selectors.cascade_figures(sc), sc)
    children = selectors.trainer_children(user=request.user, trainer=trainer)
    me = {"person_id": trainer.pk}
    _with_names(request, [me, *children], trainer)
    return render(
        request,
        "web/cascade/trainer.html",
        {
            "trainer": trainer,
            "trainer_name": me["name"],
            "f": shown,
            "info": selectors.trainer_lineage(user=request.user, trainer=trainer),
            "children": children,
            # Their own community actions and those of everyone downstream.
            "community": community_reach_present(community_reach(sc), sc),
        },
    )


@require_GET
def cascade_tree(request: HttpRequest, pk: int) -> HttpResponse:
    """One more level of a trainer's tree (htmx partial)."""
    _need(request)
    trainer = _trainer(request, pk)
    children = selectors.trainer_children(user=request.user, trainer=trainer)
    _with_names(request, children, trainer)
    return render(request, "web/cascade/_tree.html", {"children": children})
