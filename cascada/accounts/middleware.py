"""S6: a signed-in user whose roles can see data about people must pass TOTP first."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import scope

# Paths a half-signed-in user may reach: the two-factor pages themselves, logout, assets.
EXEMPT_PREFIXES = (
    "/accounts/",
    "/static/",
    "/verify/",
    "/i18n/",
    "/health",
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and scope.needs_two_factor(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
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
        return self.get_response(request)
