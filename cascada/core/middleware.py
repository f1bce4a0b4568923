"""Cross-cutting request handling: security headers (S20), no-store (S9), audit context."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import context

Handler = Callable[[HttpRequest], HttpResponse]


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline script, plus the headers Django leaves out."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        else:
            # Swagger UI (served from our own static files) needs inline styles only.
            response.setdefault(
                "Content-Security-Policy",
                settings.CONTENT_SECURITY_POLICY.replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response


class RequestContextMiddleware:
    """Makes the request's source and address available to services for the audit trail."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with context.acting(source, client_address(request)):
            return self.get_response(request)


class NoStoreMiddleware:
    """S9: nothing a signed-in user sees is kept by a browser or proxy cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class SessionIdleMiddleware:
    """S8: a signed-in session ends after ``SESSION_COOKIE_AGE`` (60 minutes) without
    activity. Rather than writing the session row on every request, activity renews it at
    most once every ``CASCADA_SESSION_RENEW_SECONDS`` (60 s): the idle limit holds to
    within a minute and most requests cost no write."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_seen", 0)) >= settings.CASCADA_SESSION_RENEW_SECONDS:
                session["_seen"] = now  # marks the session modified: saved with a new expiry
        return response
