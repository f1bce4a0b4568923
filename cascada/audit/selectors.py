from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap

from .models import AuditEvent


def audit_event_list(*, user: Any) -> QuerySet[AuditEvent]:
    """Only auditors read the trail (S11). They see what the users of their organizations
    did, and what was done to those users' accounts (role changes, failed sign-ins)."""
    from cascada.accounts.models import User

    orgs = scope.org_ids(user, Cap.VIEW_AUDIT)
    if not orgs:
        return AuditEvent.objects.none()
    members = User.objects.filter(memberships__organization_id__in=orgs)
    member_ids = [str(pk) for pk in members.values_list("pk", flat=True)]
    usernames = list(members.values_list("username", flat=True))
    return (
        AuditEvent.objects.filter(
            Q(actor__in=members)
            | Q(target_type="accounts.user", target_id__in=member_ids)
            | Q(action="login_failed", detail__username__in=usernames)
        )
        .select_related(None)
        .order_by("-at", "-id")
    )
