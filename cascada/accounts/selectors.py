"""Reads that need who a user is and where they hold a role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from cascada.audit.models import AuditEvent
from cascada.audit.selectors import audit_events_of

from . import scope
from .models import User
from .roles import Cap


def _audit_members(user: Any) -> QuerySet[User]:
    orgs = scope.org_ids(user, Cap.VIEW_AUDIT)
    return User.objects.filter(memberships__organization_id__in=orgs).distinct()


def audit_event_list(
    *,
    user: Any,
    actor_id: int | None = None,
    action: str | None = None,
    person_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Only auditors read the trail (S11): what the users of their organizations did, and
    what was done to those users' accounts, narrowed by the filters of
    ``audit.selectors.audit_events_of``."""
    if not scope.org_ids(user, Cap.VIEW_AUDIT):
        return AuditEvent.objects.none()
    return audit_events_of(
        members=_audit_members(user),
        actor_id=actor_id,
        action=action,
        person_code=person_code,
        start=start,
        end=end,
    )


def audit_actor_choices(*, user: Any) -> QuerySet[User]:
    """The users an auditor may filter the trail by: the members of their organizations."""
    if not scope.org_ids(user, Cap.VIEW_AUDIT):
        return User.objects.none()
    return _audit_members(user).order_by("username")
