"""An initiative's results booklet as a printable page and a PDF (issue 11,
``cascada.commitments.booklet``): only consented testimonies, attributed to institutions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cascada.audit.services import audit_record
from cascada.commitments.booklet import booklet_entries, booklet_pdf
from cascada.commitments.selectors import initiative_get

from .common import domain_errors


@login_required
@require_GET
@domain_errors
def booklet(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_get(user=request.user, pk=pk)
    return render(
        request,
        "web/commitments/booklet.html",
        {
            "initiative": initiative,
            "entries": booklet_entries(user=request.user, initiative=initiative),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
@domain_errors
def booklet_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_get(user=request.user, pk=pk)
    entries = booklet_entries(user=request.user, initiative=initiative)
    audit_record(actor=request.user, action="export", target=initiative)
    response = HttpResponse(
        booklet_pdf(initiative=initiative, entries=entries), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="cuadernillo-{initiative.pk}.pdf"'
    return response
