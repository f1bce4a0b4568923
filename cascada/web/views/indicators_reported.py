"""Values of an organization's own indicator typed by hand (issue 14;
docs/decisions/indicators.md, "Values reported by hand"): one page per program and
indicator, for users who manage the owner's indicators, to type a month's value, correct
it (``?month=2026-03`` fills the form with it) or remove it. The writes are
``cascada.indicators.reported``; what the dashboards show of them, ``present/``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cascada.core.errors import ApplicationError
from cascada.indicators import reported, selectors
from cascada.indicators.services import LEVEL_UNITS, REPORTED

from ..idempotency import idempotent
from .common import domain_errors, form_save, service_message


class ValueForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=10,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    value = forms.CharField(
        label=gettext_lazy("Value"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    base = forms.CharField(
        label=gettext_lazy("Denominator"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy(
            "Only when the value is a number out of a total (12 of 40): the total. Leave it "
            "empty when you type the percentage or the score itself."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Source of the figure"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Where the figure comes from: a report, a resolution, a list."),
    )

    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit not in LEVEL_UNITS:
            del self.fields["base"]


def _context(request: HttpRequest, pk: int, code: str) -> tuple[Any, Any]:
    """The program and its indicator typed by hand, for a user who manages the owner's
    indicators; 404 for everyone else and for an indicator that is counted."""
    program = selectors.dashboard_program(user=request.user, pk=pk)
    if not selectors.may_manage(request.user, program.owner_id):
        raise Http404()
    indicator = selectors.indicator_get(organization_id=program.owner_id, code=code)
    if indicator.source != REPORTED or indicator.organization_id != program.owner_id:
        raise Http404()
    return program, indicator


def _number(value: Any) -> str:
    decimals = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def values(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    program, indicator = _context(request, pk, code)
    here = reverse("web:indicator_values", args=[program.pk, indicator.code])
    rows = list(reported.reported_values(indicator=indicator, program=program))
    # The month most often typed: the one just ended.
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    initial: dict[str, Any] = {"month": f"{last_month:%Y-%m}"}
    editing = None
    if request.method == "GET" and request.GET.get("month"):
        try:
            month = reported.month_parse(request.GET.get("month", ""))
        except ApplicationError:
            month = None
        editing = next((r for r in rows if r.month == month), None)
        if editing is not None:
            initial = {
                "month": f"{editing.month:%Y-%m}",
                "value": _number(editing.value),
                "base": "" if editing.base is None else _number(editing.base),
                "note": editing.note,
            }
    form = ValueForm(request.POST or None, initial=initial, unit=indicator.unit)
    if request.method == "POST":
        saved = form_save(
            form,
            lambda data: reported.reported_value_save(
                actor=request.user, indicator=indicator, program=program,
                month=data["month"], value=data["value"], base=data.get("base"),
                note=data["note"],
            ),
        )  # fmt: skip
        if saved is not None:
            messages.success(
                request, _("Value of %(month)s saved.") % {"month": f"{saved.month:%Y-%m}"}
            )
            return redirect(here)
    return render(
        request,
        "web/indicators/values.html",
        {
            "program": program,
            "indicator": indicator,
            "form": form,
            "editing": editing,
            "level": indicator.unit in LEVEL_UNITS,
            "rows": [
                {
                    "row": r,
                    "month": f"{r.month:%Y-%m}",
                    "value": _number(r.value),
                    "base": "" if r.base is None else _number(r.base),
                }
                for r in rows
            ],
        },
    )


@login_required
@require_POST
@domain_errors
@idempotent
def value_delete(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    program, indicator = _context(request, pk, code)
    month = request.POST.get("month", "")
    service_message(
        request,
        lambda: reported.reported_value_delete(
            actor=request.user, indicator=indicator, program=program, month=month
        ),
        _("Value of %(month)s removed.") % {"month": month[:10]},
    )
    return redirect(reverse("web:indicator_values", args=[program.pk, indicator.code]))
