"""The audit trail, readable by auditors only (S11)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.selectors import audit_event_list

PAGE_SIZE = 50


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not scope.has(request.user, Cap.VIEW_AUDIT):
        raise PermissionDenied
    events = audit_event_list(user=request.user).select_related(None)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/audit_list.html", {"page": page})
