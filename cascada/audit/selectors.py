from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap

from .models import AuditEvent


def audit_event_list(*, user: Any) -> QuerySet[AuditEvent]:
    """Only auditors read the trail (S11); they see the events of their organizations' users."""
    orgs = scope.org_ids(user, Cap.VIEW_AUDIT)
    if not orgs:
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.filter(actor__memberships__organization_id__in=orgs)
        .distinct()
        .order_by("-at", "-id")
    )
