"""What every web view needs to adapt the domain to HTTP."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError

from ..forms import add_service_error

T = TypeVar("T")

if TYPE_CHECKING:
    from cascada.accounts.models import User

    class OtpUser(User):
        """A signed-in ``request.user``: django-otp's OTPMiddleware (installed for every
        request) adds ``is_verified()``, true once the user passed a second factor."""

        def is_verified(self) -> bool: ...


class HtmxHttpRequest(HttpRequest):
    """The request as views see it: django-htmx's middleware, installed for every request,
    adds ``request.htmx``. Only an annotation; Django builds the real request."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """The request in a ``login_required`` view: ``request.user`` is a signed-in user.
    Only an annotation; Django builds the real request."""

    user: OtpUser


def domain_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Unknown or foreign objects become 404 (S2), refused capabilities 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError:
            raise Http404() from None
        except PermissionDeniedError:
            raise PermissionDenied() from None

    return wrapper


def pick(rows: list[Any], pk: Any) -> Any:
    """The row of a form's choice (the choices were these rows: another value means the
    page is out of date)."""
    found = next((r for r in rows if r.pk == pk), None)
    if found is None:
        raise ApplicationError(_("Choose one of the options offered."))
    return found


def form_save(form: forms.Form, save: Callable[[dict[str, Any]], T]) -> T | None:
    """``save(form.cleaned_data)`` once the form is valid, usually one service call: what
    it returns, or None when the form is not valid or the service refused (its message is
    then on the form, beside the field it names). An unknown object or a refused
    capability still becomes 404 or 403 (``domain_errors``)."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as problem:
        add_service_error(form, problem)
        return None


def service_message(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    """A button's service call without a form: ``done`` as a success message, or the
    service's refusal as an error message (then False). Unknown objects and refused
    capabilities still become 404 or 403 (``domain_errors``)."""
    try:
        call()
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as problem:
        messages.error(request, str(problem))
        return False
    messages.success(request, done)
    return True


def attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    """A download (never shown inline by the browser) under a safe file name, never kept
    in a cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


def age_band(birth_year: int | None, today_year: int) -> str:
    """A coarse age band: enough to plan with, little to identify anyone."""
    if not birth_year:
        return "—"
    age = today_year - birth_year
    for upper, label in ((17, "0–17"), (29, "18–29"), (44, "30–44"), (59, "45–59")):
        if age <= upper:
            return label
    return "60+"
