"""Anonymised microdata of a program (S18): the page with its options and codebook, the
download, and the codebook alone. Views adapt only: who may, what is exported and how it
is protected live in ``cascada.indicators.microdata`` (docs/decisions/microdata.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from cascada.core.errors import ApplicationError
from cascada.indicators import microdata
from cascada.trainings.models import Program

from ..forms import add_service_error
from .common import domain_errors


class MicrodataForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=microdata.FORMAT_CHOICES, initial="xlsx"
    )
    organizations = forms.ChoiceField(
        label=gettext_lazy("Organizations"),
        choices=microdata.ORGANIZATION_CHOICES,
        initial=microdata.NONE,
        widget=forms.RadioSelect,
    )
    period = forms.CharField(
        label=gettext_lazy("Period"),
        required=False,
        max_length=7,
        help_text=gettext_lazy(
            "Only the cohorts started in it: a year (2025), a quarter (2025Q2), a half "
            "(2025S1) or a month (202503). Empty: the whole program."
        ),
    )


def _page(
    request: HttpRequest, program: Program, form: MicrodataForm, *, refusal: str | None, status: int
) -> HttpResponse:
    organizations = form.data.get("organizations") or microdata.NONE
    if organizations not in {key for key, _label in microdata.ORGANIZATION_CHOICES}:
        organizations = microdata.NONE
    response = render(
        request,
        "web/indicators/exports/microdata.html",
        {
            "program": program,
            "form": form,
            "refusal": refusal,
            "codebook": microdata.codebook(organizations),
            "codebook_headers": microdata.codebook_headers(),
            "organizations": organizations,
            "k": microdata.small_group_k(program),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@domain_errors
def microdata_page(request: HttpRequest, pk: int) -> HttpResponse:
    program = microdata.microdata_program(user=request.user, pk=pk)
    refusal = microdata.microdata_refusal(program)
    return _page(request, program, MicrodataForm(), refusal=refusal, status=403 if refusal else 200)


@login_required
@require_GET
@domain_errors
def microdata_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The options are no personal data (S9), so a GET like the other exports; the file is
    made, audited and sent in one go (never cached)."""
    program = microdata.microdata_program(user=request.user, pk=pk)
    refusal = microdata.microdata_refusal(program)
    form = MicrodataForm(request.GET)
    if refusal:
        return _page(request, program, form, refusal=refusal, status=403)
    if not form.is_valid():
        return _page(request, program, form, refusal=None, status=400)
    data: dict[str, Any] = form.cleaned_data
    try:
        export = microdata.microdata_export(
            user=request.user,
            program=program,
            fmt=data["format"],
            organizations=data["organizations"],
            period=data["period"].strip().upper(),
        )
    except ApplicationError as exc:
        add_service_error(form, exc)
        return _page(request, program, form, refusal=None, status=400)
    response = HttpResponse(microdata.microdata_bytes(export), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@domain_errors
def microdata_codebook(request: HttpRequest, pk: int) -> HttpResponse:
    """The codebook alone, as CSV, for those who download the data as CSV. No data."""
    microdata.microdata_program(user=request.user, pk=pk)
    fmt = request.GET.get("format", "csv_es")
    organizations = request.GET.get("organizations", microdata.NONE)
    if fmt not in ("csv", "csv_es"):
        fmt = "csv_es"
    if organizations not in {key for key, _label in microdata.ORGANIZATION_CHOICES}:
        organizations = microdata.NONE
    response = HttpResponse(
        microdata.codebook_bytes(organizations, fmt), content_type="text/csv; charset=utf-8"
    )
    name = pgettext("file name", "codebook")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "no-store"
    return response
