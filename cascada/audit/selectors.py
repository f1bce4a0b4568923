"""Reads of the audit trail. Audit sits below accounts, so it does not decide who may read
the trail: ``accounts.selectors.audit_event_list`` does (S11) and passes in the users
whose trail the auditor reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent


def audit_events_of(
    *,
    members: QuerySet[Any],
    actor_id: int | None = None,
    action: str | None = None,
    person_code: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The trail about ``members`` (the users an auditor may read about, S11): what they
    did, and what was done to their accounts (role changes, failed sign-ins).

    Filters narrow that list: who did it (a user id), the action, the person it was about
    (by code: the person, their enrolments, and a removal or merge that names the code)
    and the days (inclusive, in the site's
    time zone). A filter that matches nothing gives an empty list."""
    member_ids = [str(pk) for pk in members.values_list("pk", flat=True)]
    usernames = list(members.values_list("username", flat=True))
    qs = AuditEvent.objects.filter(
        Q(actor__in=members)
        | Q(target_type="accounts.user", target_id__in=member_ids)
        | Q(action="login_failed", detail__username__in=usernames)
    )
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action=action)
    if person_code:
        person_model = apps.get_model("registry", "Person")
        enrolment_model = apps.get_model("trainings", "Enrolment")
        pks = list(person_model.objects.filter(code=person_code).values_list("pk", flat=True))
        enrolments = enrolment_model.objects.filter(person_id__in=pks).values_list("pk", flat=True)
        qs = qs.filter(
            Q(target_type="registry.person", target_id__in=[str(pk) for pk in pks])
            | Q(target_type="trainings.enrolment", target_id__in=[str(pk) for pk in enrolments])
            # A removed person, or the record merged away, is known by the code in detail.
            | Q(target_type="registry.person", detail__code=person_code)
        )
    zone = timezone.get_current_timezone()
    # The first and last days of the calendar bound nothing (and the day after the last
    # one does not exist): no filter rather than an error.
    if start is not None and start > dt.date.min:
        qs = qs.filter(at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=zone))
    if end is not None and end < dt.date.max:
        next_day = end + dt.timedelta(days=1)
        qs = qs.filter(at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=zone))
    return qs.select_related(None).order_by("-at", "-id")
