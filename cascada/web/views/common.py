"""What every web view needs to adapt the domain to HTTP."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django_htmx.middleware import HtmxDetails

from cascada.core.errors import NotFoundError, PermissionDeniedError

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


def age_band(birth_year: int | None, today_year: int) -> str:
    """A coarse age band: enough to plan with, little to identify anyone."""
    if not birth_year:
        return "—"
    age = today_year - birth_year
    for upper, label in ((17, "0–17"), (29, "18–29"), (44, "30–44"), (59, "45–59")):
        if age <= upper:
            return label
    return "60+"
