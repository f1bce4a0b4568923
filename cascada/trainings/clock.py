"""The time rules of trainings: the organization's day, a cohort's status from its dates.

Everything that asks "is this session in the future?", "has this cohort ended?" or "what
is this cohort's status?" asks here (docs/decisions/trainings.md, "Time rules").

- **The organization's time zone** (``organization_zone``): from the country of the
  program's owner (Peru: America/Lima, Bolivia: America/La_Paz), ``settings.TIME_ZONE``
  for any other. A session dated 8 December may take attendance from 00:00 on 8 December
  in that zone.
- **A cohort's status** (``cohort_status``): closed when closed by hand (``closed_on``) or
  once its end date has passed; running from its start date; planned before. The stored
  ``Cohort.status`` column is not read (it is kept only for old clients, see the decisions).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

PLANNED, RUNNING, CLOSED = "planned", "running", "closed"

ZONES: dict[str, str] = {"PE": "America/Lima", "BO": "America/La_Paz"}


def country_zone(country: str | None) -> ZoneInfo:
    """The time zone of an organization in ``country`` (ISO 3166 alpha-2)."""
    return ZoneInfo(ZONES.get(country or "", settings.TIME_ZONE))


def organization_zone(organization: Any) -> ZoneInfo:
    """The one rule for an organization's time zone: its country's."""
    return country_zone(getattr(organization, "country", None))


def country_today(country: str | None, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), country_zone(country)).date()


def cohort_today(cohort: Any, now: dt.datetime | None = None) -> dt.date:
    """Today where the cohort's program is run (its owner's time zone)."""
    return country_today(cohort.program.owner.country, now)


def cohort_status(cohort: Any, today: dt.date | None = None) -> str:
    """planned → running → closed, from the dates, unless closed by hand."""
    today = today if today is not None else cohort_today(cohort)
    if cohort.closed_on is not None or (cohort.end_date is not None and cohort.end_date < today):
        return CLOSED
    if cohort.start_date <= today:
        return RUNNING
    return PLANNED


def cohort_is_over(cohort: Any, today: dt.date | None = None) -> bool:
    """Completion is final and certificates are issued only once this is true."""
    return cohort_status(cohort, today) == CLOSED


def cohort_final_from(cohort: Any) -> dt.date | None:
    """The first day completion is final and certificates may be issued: the day it was
    closed by hand, else the day after its end date (None: open-ended, never closed)."""
    after_end = cohort.end_date + dt.timedelta(days=1) if cohort.end_date else None
    if cohort.closed_on is not None:
        return min(cohort.closed_on, after_end) if after_end else cohort.closed_on
    return after_end


def _status_q_for(status: str, today: dt.date, prefix: str) -> Q:
    closed = Q(**{f"{prefix}closed_on__isnull": False}) | Q(**{f"{prefix}end_date__lt": today})
    if status == CLOSED:
        return closed
    if status == RUNNING:
        return ~closed & Q(**{f"{prefix}start_date__lte": today})
    return ~closed & Q(**{f"{prefix}start_date__gt": today})


def status_q(status: str, *, prefix: str = "", now: dt.datetime | None = None) -> Q:
    """Cohorts whose status (as ``cohort_status``) is ``status``, each in its owner's day."""
    owner = f"{prefix}program__owner__country"
    known = list(ZONES)
    q = ~Q(**{f"{owner}__in": known}) & _status_q_for(status, country_today(None, now), prefix)
    for country in known:
        q |= Q(**{owner: country}) & _status_q_for(status, country_today(country, now), prefix)
    return q


def status_case(*, now: dt.datetime | None = None) -> Case:
    """An annotation with each cohort's status (for ordering and counting in SQL)."""
    return Case(
        When(status_q(CLOSED, now=now), then=Value(CLOSED)),
        When(status_q(RUNNING, now=now), then=Value(RUNNING)),
        default=Value(PLANNED),
        output_field=CharField(),
    )
