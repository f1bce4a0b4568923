"""A person's rights (S14, ARCO): their data as a page and as a JSON file, and erasure
after a confirmation page. The rules are in ``registry/arco.py``; these views adapt only."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cascada.core.errors import ApplicationError
from cascada.registry import arco, selectors

from ..forms.arco import EraseForm
from ..idempotency import idempotent
from .common import domain_errors


@login_required
@require_GET
@domain_errors
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about the person, to read or print for them (audited)."""
    person = selectors.person_get(user=request.user, pk=pk, audit=False)
    data = arco.person_export_reveal(actor=request.user, person=person)
    return render(request, "web/registry/person_data.html", {"person": person, "data": data})


@login_required
@require_GET
@domain_errors
def person_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, as a JSON file to hand over (portability; audited)."""
    person = selectors.person_get(user=request.user, pk=pk, audit=False)
    data = arco.person_export_reveal(actor=request.user, person=person)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="cascada-{person.code}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """What goes and what stays, a reason, a confirmation, then the erasure (once, however
    many times the form is sent)."""
    person = selectors.person_get(user=request.user, pk=pk, audit=request.method == "GET")
    if not arco.may_erase(user=request.user, person=person):
        raise PermissionDenied
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            arco.person_erase(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "The personal data were erased. The trainings and figures they counted "
                    "in are kept, without a name."
                ),
            )
            return redirect("web:person_list")
    return render(
        request,
        "web/registry/person_erase.html",
        {
            "person": person,
            "form": form,
            "erased": arco.ERASED,
            "kept": arco.KEPT,
            "already": arco.person_erased_on(person=person),
        },
        status=400 if form.errors else 200,
    )
