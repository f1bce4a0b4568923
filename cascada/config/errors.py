"""Django's own error handlers (``handler400`` … ``handler500``), chosen here because the
choice spans two interfaces: under ``/api/`` the API's JSON error shape
(``api.exceptions.api_error_response``), elsewhere the web's error page. ``web`` and
``api`` are one layer and do not import each other (docs/decisions/layers-and-hooks.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from cascada.api.exceptions import api_error_response
from cascada.web.views import errors as pages


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return api_error_response(400) if _is_api(request) else pages.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _is_api(request):
        return api_error_response(403)
    return pages.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if _is_api(request):
        return api_error_response(404)
    return pages.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return api_error_response(500) if _is_api(request) else pages.server_error(request)
