"""The place picker's htmx partials: the picker redrawn for a new choice, and the
type-ahead. Places are public reference data, but only the forms of users with a role
ask for them (S1: no route is open to a signed-in user without a role unless
``accounts.public`` lists it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cascada.accounts import scope
from cascada.registry.models import Country
from cascada.registry.selectors import default_country, place_search

from ..forms.places import PlacePickerForm


def _need_role(request: HttpRequest) -> None:
    if not scope.roles(request.user):
        raise PermissionDenied


@login_required
@require_GET
def place_picker(request: HttpRequest) -> HttpResponse:
    """The picker with the lists below the new choice filled in (and a result of the
    type-ahead, ``place_pick``, chosen)."""
    _need_role(request)
    form = PlacePickerForm(request.GET, country=default_country(user=request.user))
    form.place_step = True  # a redraw, never a submission: no errors yet
    return render(request, "web/registry/_place_picker.html", {"form": form})


@login_required
@require_GET
def place_suggestions(request: HttpRequest) -> HttpResponse:
    """The type-ahead: places whose name starts with what was typed, labelled with their
    parents, in the picker's country."""
    _need_role(request)
    country = request.GET.get("place0")
    if country not in Country.values:
        country = default_country(user=request.user)
    text = str(request.GET.get("place_q", ""))[:100]
    return render(
        request,
        "web/registry/_place_results.html",
        {"place_query": text.strip(), "place_results": place_search(text=text, country=country)},
    )
