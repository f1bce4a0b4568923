"""Indicators and dashboards (issue 14; docs/decisions/indicators.md). Views adapt: who
sees what is ``cascada.indicators.selectors``, what a figure shows is
``cascada.indicators.present``, the writes are ``cascada.indicators.services``.

- ``home``: the dashboards the user may open (programs, organizations).
- ``program_dashboard``: a program's indicators with their targets and trends.
- ``program_indicator``: one indicator: the chart per period with targets, the table
  under it, the breakdown chosen on screen (with the periods, for exact users), a
  department chosen (exact users), CSV and XLSX of what is shown.
- ``organization_dashboard``: an organization's own work (plans, commitments, research,
  safeguarding counts) and, for users who see its people, its programs added up.
- ``plan_edit``: baseline, life-of-program and periodic targets of a program's indicator.
- ``indicator_new``: an organization's own indicator. ``refresh``: "Refresh now"."""

from __future__ import annotations

import io
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import query_id
from cascada.imports.formats import CONTENT_TYPES, DIALECTS, csv_bytes, xlsx_write
from cascada.indicators import periods as P
from cascada.indicators import selectors, services
from cascada.indicators.charts import Point, breakdown_chart, periods_chart
from cascada.indicators.microdata import may_export_microdata
from cascada.indicators.models import Direction, FillState, Frequency, Indicator, Measure, Unit
from cascada.indicators.present import View, indicator_view, program_release, shown_to
from cascada.indicators.sources import SOURCES, load
from cascada.registry.models import Place
from cascada.trainings.selectors import sees_exact

from ..idempotency import idempotent
from .common import attachment, domain_errors, form_save

DIMENSION_LABELS = {
    "sex": gettext_lazy("Sex"),
    "age_band": gettext_lazy("Age band"),
    "department": gettext_lazy("Department"),
    "province": gettext_lazy("Province"),
    "district": gettext_lazy("District"),
    "generation": gettext_lazy("Cascade generation"),
    "kind": gettext_lazy("Kind"),
    "audience": gettext_lazy("Audience (as counted)"),
}
AREA_LABELS = {
    "training": gettext_lazy("Training"),
    "cascade": gettext_lazy("Cascade"),
    "community": gettext_lazy("Community action"),
    "networks": gettext_lazy("Promoter networks"),
    "attitudes": gettext_lazy("Attitudes"),
    "commitments": gettext_lazy("Commitments to Action"),
    "research": gettext_lazy("Formative research"),
    "safeguarding": gettext_lazy("Safeguarding"),
    services.REPORTED: gettext_lazy("Figures reported by hand"),
}


def _frequencies(exact: bool) -> list[tuple[str, Any]]:
    """The periods a user may choose: none for viewers, who read years only (one grain:
    months, quarters and years are nested tables of the same people; present/)."""
    return list(Frequency.choices) if exact else []


def _frequency(request: HttpRequest) -> str:
    value = request.GET.get("frequency", "")
    return value if value in Frequency.values else ""


def _filled_at(*, program_ids: Any = (), organization_id: int | None = None) -> Any:
    """The oldest fill of what a page shows (its programs, and the organization's own
    figures): every figure on it is at least this fresh. None: nothing filled yet."""
    scopes = [f"p{int(pk)}" for pk in program_ids]
    if organization_id is not None:
        scopes.append(f"o{int(organization_id)}")
    return (
        FillState.objects.filter(scope__in=scopes, filled_at__isnull=False)
        .order_by("filled_at")
        .values_list("filled_at", flat=True)
        .first()
    )


def _chart(view: View) -> Any:
    name = view.indicator.name
    return periods_chart(
        [Point(p.label, p.value.number, p.value.text, p.target) for p in view.periods],
        title=name,
        target_label=_("Target"),
    )


def _map(view: View, country: str) -> Any:
    """The departments on a map, beside the chart and the table, when at least two have a
    figure shown (a hidden one is drawn as no figure: ``indicators.maps``)."""
    from cascada.indicators import maps

    if view.dimension != "department" or not view.breakdown_published:
        return None
    rows = [r for r in view.breakdown if r.key]
    values = maps.department_values({r.key: r.value.number for r in rows})
    texts = cast(dict[str, str], maps.department_values({r.key: r.value.text for r in rows}))  # type: ignore[misc]
    if not maps.helps(values):
        return None
    try:
        return maps.department_map(
            country,
            values,
            title=view.indicator.name,
            texts=texts,
        )
    except ValueError:  # a department of another country: the chart and table suffice
        return None


def _breakdown_chart(view: View) -> Any:
    if not view.breakdown or not view.breakdown_published:
        return None
    return breakdown_chart(
        [Point(r.label, r.value.number, r.value.text) for r in view.breakdown],
        title=str(DIMENSION_LABELS.get(view.dimension, view.dimension)),
    )


# ---------------------------------------------------------------- pages


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    programs = list(selectors.dashboard_programs(user=request.user).order_by("name"))
    organizations = list(selectors.dashboard_organizations(user=request.user))
    if not programs and not organizations:
        raise Http404()
    return render(
        request, "web/indicators/home.html", {"programs": programs, "organizations": organizations}
    )


def _program_views(request: HttpRequest, program: Any, *, frequency: str) -> list[View]:
    exact = sees_exact(user=request.user, program=program)
    release = None
    if not exact:
        release = program_release(
            program_id=program.pk, court=program.is_court_mandated, user=request.user
        )
    plans = selectors.plans_of(program=program)
    out = []
    for indicator in selectors.indicator_list(organization_id=program.owner_id):
        if not selectors.program_scoped(indicator) or not shown_to(indicator, exact=exact):
            continue
        out.append(
            indicator_view(
                indicator,
                program_ids=[program.pk],
                organization_id=program.owner_id,
                exact=exact,
                court=program.is_court_mandated,
                plan=plans.get(indicator.pk),
                frequency=frequency,
                release=release,
            )
        )
    return out


@login_required
@require_GET
@domain_errors
def program_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.dashboard_program(user=request.user, pk=pk)
    frequency = _frequency(request)
    views = _program_views(request, program, frequency=frequency)
    sections: dict[str, list[dict[str, Any]]] = {}
    for view in views:
        sections.setdefault(view.indicator.area, []).append({"view": view, "chart": _chart(view)})
    return render(
        request,
        "web/indicators/program.html",
        {
            "program": program,
            "sections": [(AREA_LABELS.get(a, a), cards) for a, cards in sections.items()],
            "exact": all(v.exact for v in views) if views else True,
            "frequency": frequency,
            "frequencies": _frequencies(sees_exact(user=request.user, program=program)),
            "filled_at": _filled_at(program_ids=[program.pk]),
            "may_manage": selectors.may_manage(request.user, program.owner_id),
            "may_export_microdata": may_export_microdata(user=request.user, program=program),
        },
    )


def _detail_view(request: HttpRequest, program: Any, indicator: Indicator) -> View:
    exact = sees_exact(user=request.user, program=program)
    department = None
    if exact:
        try:
            department = query_id(request.GET, "department")
        except ValueError:
            raise Http404() from None
    release = None
    if not exact:
        release = program_release(
            program_id=program.pk, court=program.is_court_mandated, user=request.user
        )
    return indicator_view(
        indicator,
        program_ids=[program.pk],
        organization_id=program.owner_id,
        exact=exact,
        court=program.is_court_mandated,
        plan=selectors.plan_of(indicator=indicator, program=program),
        frequency=_frequency(request),
        dimension=request.GET.get("by", ""),
        department_id=department,
        release=release,
    )


@login_required
@require_GET
@domain_errors
def program_indicator(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    program = selectors.dashboard_program(user=request.user, pk=pk)
    indicator = selectors.indicator_get(organization_id=program.owner_id, code=code)
    if not selectors.program_scoped(indicator) or not shown_to(
        indicator, exact=sees_exact(user=request.user, program=program)
    ):
        raise Http404()
    view = _detail_view(request, program, indicator)
    fmt = request.GET.get("format", "")
    if fmt:
        return _download(view, fmt, name=f"{indicator.code}-{program.pk}")
    departments: list[Any] = []
    if view.exact and "department" in view.dims:
        departments = list(
            Place.objects.filter(pk__in=_departments(program))
            .order_by("name")
            .values_list("pk", "name")
        )
    return render(
        request,
        "web/indicators/indicator.html",
        {
            "program": program,
            "view": view,
            "chart": _chart(view),
            "breakdown_chart": _breakdown_chart(view),
            "map": _map(view, program.owner.country),
            "dimensions": [(d, DIMENSION_LABELS.get(d, d)) for d in view.dims],
            "frequencies": _frequencies(view.exact),
            "departments": departments,
            "department": request.GET.get("department", ""),
            "may_manage": selectors.may_manage(request.user, program.owner_id),
            "typed_by_hand": indicator.source == services.REPORTED,
            "periods": [P.label(p.key) for p in view.periods],
        },
    )


def _departments(program: Any) -> Any:
    from cascada.indicators.models import Fact

    return Fact.objects.filter(program=program, department__isnull=False).values("department_id")


def _table(view: View) -> tuple[list[str], list[list[Any]]]:
    """The table as the page shows it (the same figures, hidden ones as their text)."""
    headers = [str(_("Period")), str(_("Value")), str(_("Target")), str(_("Progress to target"))]
    rows: list[list[Any]] = [
        [
            p.label,
            p.value.text,
            "" if p.target is None else p.target,
            "" if p.percent_met is None else p.percent_met,
        ]
        for p in view.periods
    ]
    rows.append([str(_("So far")), view.so_far.text, view.lop_target or "", view.percent_met or ""])
    if view.breakdown:
        rows.append([])
        rows.append([str(DIMENSION_LABELS.get(view.dimension, view.dimension)), str(_("Value"))])
        rows.extend([r.label, r.value.text] for r in view.breakdown)
    return headers, rows


def _download(view: View, fmt: str, *, name: str) -> HttpResponse:
    headers, rows = _table(view)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        xlsx_write(headers, rows, buffer, title=view.indicator.code[:30])
        return attachment(buffer.getvalue(), CONTENT_TYPES["xlsx"], f"{name}.xlsx")
    if fmt in DIALECTS:
        return attachment(
            csv_bytes(headers, rows, DIALECTS[fmt]), CONTENT_TYPES[fmt], f"{name}.csv"
        )
    raise Http404()


@login_required
@require_GET
@domain_errors
def organization_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    from cascada.safeguarding.selectors import is_lead
    from cascada.trainings.models import Program

    organization = selectors.dashboard_organization(user=request.user, pk=pk)
    sees_people = scope.has(request.user, Cap.VIEW_PEOPLE, organization.pk)
    court = Program.objects.filter(owner=organization, is_court_mandated=True).exists()
    own_programs = list(Program.objects.filter(owner=organization).values_list("pk", flat=True))
    frequency = _frequency(request)
    load()
    cards = []
    for indicator in selectors.indicator_list(organization_id=organization.pk):
        source = SOURCES.get(indicator.source)
        if selectors.program_scoped(indicator):
            # Added up over programs: for users who see the people only (ADR 0006: no
            # totals across programs for viewers).
            if not sees_people or not own_programs:
                continue
            view = indicator_view(
                indicator, program_ids=own_programs, organization_id=organization.pk,
                exact=True, frequency=frequency,
            )  # fmt: skip
        else:
            exact = (
                is_lead(request.user, organization.pk)
                if source and source.sensitive
                else sees_people
            )
            view = indicator_view(
                indicator, program_ids=None, organization_id=organization.pk, exact=exact,
                court=court, frequency=frequency,
            )  # fmt: skip
        cards.append({"view": view, "chart": _chart(view)})
    return render(
        request,
        "web/indicators/organization.html",
        {
            "organization": organization,
            "cards": cards,
            "sees_people": sees_people,
            "departments": (
                selectors.fact_departments(organization_id=organization.pk) if sees_people else []
            ),
            "programs": selectors.dashboard_programs(user=request.user).filter(owner=organization),
            "frequency": frequency,
            "frequencies": _frequencies(sees_people),
            "filled_at": _filled_at(program_ids=own_programs, organization_id=organization.pk),
            "may_manage": selectors.may_manage(request.user, organization.pk),
        },
    )


# ---------------------------------------------------------------- the donor report


def _report(request: HttpRequest, pk: int) -> tuple[Any, Any, str]:
    from cascada.indicators.report import period_choices, program_report

    program = selectors.dashboard_program(user=request.user, pk=pk)
    exact = sees_exact(user=request.user, program=program)
    choices = period_choices(program, years_only=not exact)
    period = request.GET.get("period", "")
    if period and period not in dict(choices):
        raise Http404()
    language = "en" if request.GET.get("lang") == "en" else "es"
    with translation.override(language):
        report = program_report(
            user=request.user,
            program=program,
            period=period,
            exact=exact,
        )
    return report, choices, language


@login_required
@require_GET
@domain_errors
def program_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The donor report as a printable page, in Spanish or in English."""
    report, choices, language = _report(request, pk)
    with translation.override(language):
        return render(
            request,
            "web/indicators/report.html",
            {
                "report": report,
                "choices": choices,
                "language": language,
                "charts": [(chart, _chart(chart)) for chart in report.charts],
            },
        )


@login_required
@require_GET
@domain_errors
def program_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from cascada.indicators.report_pdf import report_pdf

    report, _choices, language = _report(request, pk)
    name = f"informe-{report.program.pk}-{report.period or 'total'}.pdf"
    return attachment(report_pdf(report, language=language), "application/pdf", name)


# ---------------------------------------------------------------- writes


class PlanForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("Program starts on"))
    ends_on = forms.DateField(label=gettext_lazy("Program ends on"))
    frequency = forms.ChoiceField(
        label=gettext_lazy("Reporting frequency"), choices=Frequency.choices
    )
    baseline = forms.CharField(label=gettext_lazy("Baseline"), required=False, max_length=20)
    baseline_on = forms.DateField(label=gettext_lazy("Baseline measured on"), required=False)
    lop_target = forms.CharField(
        label=gettext_lazy("Life-of-program target"), required=False, max_length=20
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def plan_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    program = selectors.dashboard_program(user=request.user, pk=pk)
    if not selectors.may_manage(request.user, program.owner_id):
        raise Http404()
    indicator = selectors.indicator_get(organization_id=program.owner_id, code=code)
    plan = selectors.plan_of(indicator=indicator, program=program)
    initial: dict[str, Any] = {"frequency": indicator.frequency}
    if plan is not None:
        initial = {
            "starts_on": plan.starts_on, "ends_on": plan.ends_on,
            "frequency": plan.frequency or indicator.frequency,
            "baseline": "" if plan.baseline is None else plan.baseline,
            "baseline_on": plan.baseline_on,
            "lop_target": "" if plan.lop_target is None else plan.lop_target,
        }  # fmt: skip
    form = PlanForm(request.POST or None, initial=initial)
    periods: list[tuple[str, str, Any]] = []
    if plan is not None:
        existing = {t.period: t.value for t in plan.targets.all()}
        keys = P.keys_between(plan.starts_on, plan.ends_on, plan.frequency or indicator.frequency)
        periods = [
            (k, P.label(k), request.POST.get(f"target_{k}", existing.get(k, ""))) for k in keys
        ]
    if request.method == "POST":
        targets = {
            key[len("target_") :]: value
            for key, value in request.POST.items()
            if key.startswith("target_")
        }
        saved = form_save(
            form,
            lambda data: services.plan_save(
                actor=request.user, indicator=indicator, program=program,
                starts_on=data["starts_on"], ends_on=data["ends_on"], frequency=data["frequency"],
                baseline=data["baseline"], baseline_on=data["baseline_on"],
                lop_target=data["lop_target"], targets=targets,
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Targets saved."))
            return redirect(reverse("web:indicator_plan", args=[program.pk, indicator.code]))
    return render(
        request,
        "web/indicators/plan.html",
        {
            "program": program,
            "indicator": indicator,
            "form": form,
            "periods": periods,
            "plan": plan,
        },
    )


class IndicatorForm(forms.Form):
    name_es = forms.CharField(label=gettext_lazy("Name (Spanish)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200, required=False)
    definition_es = forms.CharField(
        label=gettext_lazy("Definition"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    source = forms.ChoiceField(
        label=gettext_lazy("What it counts"),
        help_text=gettext_lazy(
            "Reported by hand: a figure Cascada cannot count, typed month by month for each "
            "program. Its unit says how months add up: amounts and counts are summed, a "
            "percentage or a score is not."
        ),
    )
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=Measure.choices)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=Unit.choices)
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Direction.choices)
    cumulative = forms.BooleanField(label=gettext_lazy("Cumulative"), required=False, initial=True)
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=Frequency.choices, initial=Frequency.QUARTER
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        load()
        field = cast(forms.ChoiceField, self.fields["source"])
        field.choices = [(s.key, s.label) for s in SOURCES.values()] + [
            (services.REPORTED, _("Reported by hand (typed each month)"))
        ]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.dashboard_organization(user=request.user, pk=pk)
    if not selectors.may_manage(request.user, organization.pk):
        raise Http404()
    form = IndicatorForm(request.POST or None)
    if request.method == "POST":
        created = form_save(
            form,
            lambda data: services.indicator_create(
                actor=request.user, organization=organization, **data
            ),
        )
        if created is not None:
            messages.success(request, _("Indicator added: it appears on the dashboards."))
            return redirect(reverse("web:indicators_organization", args=[organization.pk]))
    return render(
        request, "web/indicators/indicator_new.html", {"organization": organization, "form": form}
    )


@login_required
@require_POST
@domain_errors
@idempotent
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.dashboard_organization(user=request.user, pk=pk)
    if not selectors.may_manage(request.user, organization.pk):
        raise Http404()
    services.refresh_ask(actor=request.user, organization=organization)
    messages.success(request, _("The figures are being refreshed; reload the page in a minute."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/indicators/") else reverse("web:indicators_home"))
