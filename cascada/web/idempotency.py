"""Forms that create something are safe to send twice (``docs/decisions/idempotency.md``).

A view opts in with one line, ``@idempotent`` (below ``@login_required``); its form
carries ``{% load idempotency %}{% form_token %}``. A POST is then run once through
``cascada.core.idempotency.perform_once`` under two claims:

- its one-time form token: the second copy of a double tap, or a retry, gets the first
  copy's answer;
- the user's last form content (method, path and fields, as a keyed hash): Back after a
  create reloads the form (pages are ``no-store``) with a new token, and sending the same
  content again within ``replay_window()`` gets the first answer too.

What is kept of the first copy is where it sent the user: a redirect, or, for an htmx
answer that the view marks with ``saved(response, location)``, the page to show. A copy
that did not write (the form had errors) keeps nothing. A replay redirects there (htmx:
``HX-Redirect``) with a message saying nothing was saved twice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cascada.core.idempotency import Claim, Kind, Outcome, Replay, fingerprint, perform_once

FIELD = "form_token"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
IGNORED = {FIELD, "csrfmiddlewaretoken"}
SAVED_ATTRIBUTE = "cascada_saved_location"

View = Callable[..., HttpResponseBase]


def saved(response: HttpResponse, location: str) -> HttpResponse:
    """Mark a non-redirect answer (an htmx partial) as a successful write; a replay sends
    the user to ``location``."""
    setattr(response, SAVED_ATTRIBUTE, location)
    return response


def _content(request: HttpRequest) -> str:
    fields = sorted((key, request.POST.getlist(key)) for key in request.POST if key not in IGNORED)
    files = sorted(
        (key, f.name or "", f.size or 0)
        for key in request.FILES
        for f in request.FILES.getlist(key)
    )
    return repr((fields, files))


def _refused(request: HttpRequest) -> bool:
    """The view redirected with an error message (e.g. a frozen curriculum): it wrote
    nothing, so there is nothing to answer a second copy with."""
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    return any(m.level >= messages.ERROR for m in queued)


def _outcome(request: HttpRequest, response: HttpResponseBase) -> Outcome | None:
    location = getattr(response, SAVED_ATTRIBUTE, None)
    if location is not None:
        return Outcome(status=response.status_code, location=str(location))
    if 300 <= response.status_code < 400 and response.has_header("Location"):
        if _refused(request):
            return None
        return Outcome(status=response.status_code, location=response["Location"])
    return None


def _replay(request: HttpRequest, replay: Replay) -> HttpResponse:
    if replay.same_content:
        messages.info(request, _("This was already saved a moment ago: nothing was saved twice."))
    else:
        messages.warning(
            request,
            _(
                "This form had already been sent, so your changes to it were not saved. Open the form again to add another."
            ),
        )
    location = replay.outcome.location or request.path
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=200)
        response["HX-Redirect"] = location
        return response
    return redirect(location)


def idempotent(view: View) -> View:
    """Run the POSTs of ``view`` once per form token and per repeated content."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if request.method != "POST" or user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        digest = fingerprint("POST", request.path, _content(request))
        claims = [Claim(kind=Kind.LAST, value=str(user.pk), fingerprint=digest)]
        token = request.POST.get(FIELD, "")
        if TOKEN.match(token):
            claims.insert(0, Claim(kind=Kind.FORM, value=token, fingerprint=digest))

        def action() -> tuple[HttpResponseBase, Outcome | None]:
            response = view(request, *args, **kwargs)
            return response, _outcome(request, response)

        result = perform_once(user_id=user.pk, claims=claims, action=action)
        if isinstance(result, Replay):
            return _replay(request, result)
        return result

    return wrapper
