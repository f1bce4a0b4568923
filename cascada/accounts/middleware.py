"""S1 deny by default and S6 two-factor: enforced for every route in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import scope
from .public import TWO_FACTOR_EXEMPT_URL_NAMES, is_public

# Paths outside the URL resolver that a half-signed-in user may reach.
EXEMPT_PREFIXES = ("/static/", "/media/")


def _is_api_view(view_func: Any) -> bool:
    """DRF views authenticate tokens themselves and deny by default through
    ``DEFAULT_PERMISSION_CLASSES`` (IsAuthenticated)."""
    from rest_framework.views import APIView

    cls = getattr(view_func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


class DenyByDefaultMiddleware:
    """An anonymous visitor reaches only the routes in ``public.PUBLIC_URL_NAMES``;
    every other web route answers with a redirect to the sign-in page (S1)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        match = request.resolver_match
        if is_public(match.view_name if match else None) or _is_api_view(view_func):
            return None
        return redirect_to_login(request.get_full_path())


class TwoFactorRequiredMiddleware:
    """S6: a signed-in user whose roles can see data about people must pass TOTP first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(EXEMPT_PREFIXES)
            or not scope.needs_two_factor(user)
            or user.is_verified()
        ):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_URL_NAMES:
            return None
        if request.path.startswith("/api/") or _is_api_view(view_func):
            return JsonResponse(
                {
                    "error": {
                        "code": "two_factor_required",
                        "message": _("Two-factor verification is required."),
                    }
                },
                status=403,
            )
        from django_otp import devices_for_user

        has_device = any(True for _d in devices_for_user(user, confirmed=True))
        return redirect("web:two_factor_verify" if has_device else "web:two_factor_setup")
