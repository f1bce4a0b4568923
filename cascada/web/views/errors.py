"""Error pages that show no traceback and no data (S20), and a health check.

Django calls them through ``cascada.config.errors``, which answers in the API's JSON error
shape under ``/api/`` (an unknown API URL, an id the path converters refuse, a failure
outside a DRF view is never an HTML page there)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _page(request: HttpRequest, status: int, title: str) -> HttpResponse:
    return render(request, "web/error.html", {"status": status, "title": title}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    from django.utils.translation import gettext as _

    return _page(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    from django.utils.translation import gettext as _

    return _page(request, 403, _("You do not have permission to see this page."))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    from django.utils.translation import gettext as _

    return _page(request, 404, _("Page not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    from django.utils.translation import gettext as _

    return _page(request, 500, _("Something went wrong on our side. The team has been told."))


def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})
