"""The audit trail, readable by auditors only (S11), in words and filterable.

Filters travel in the query string (GET): a user id, an action code, a person's
pseudonymous code and dates; never a name (S9)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.accounts.selectors import audit_actor_choices, audit_event_list
from cascada.audit.words import ACTIONS, action_choices, audit_events_worded
from cascada.core.converters import InvalidQueryParameter, query_id

PAGE_SIZE = 50
_CODE = re.compile(r"[A-Za-z0-9]{1,12}")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, Any]:
    """What the reader asked for; a value that cannot be right is no filter."""
    try:
        actor_id = query_id(request.GET, "user")
    except InvalidQueryParameter:
        actor_id = None
    action = request.GET.get("action") or None
    code = (request.GET.get("person") or "").strip().upper()
    return {
        "actor_id": actor_id,
        "action": action if action in ACTIONS else None,
        "person_code": code if _CODE.fullmatch(code) else None,
        "start": _date(request.GET.get("start")),
        "end": _date(request.GET.get("end")),
    }


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not scope.has(request.user, Cap.VIEW_AUDIT):
        raise PermissionDenied
    filters = _filters(request)
    events = audit_event_list(user=request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit_list.html",
        {
            "page": page,
            "rows": audit_events_worded(page.object_list),
            "filters": filters,
            "actors": audit_actor_choices(user=request.user),
            "actions": action_choices(),
            "query": query.urlencode(),
        },
    )
