"""The person page's ARCO actions: ``{% load arco %}{% arco_actions person %}``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats

from cascada.registry import arco
from cascada.registry.models import ConsentPurpose, IdDocument, PersonRoleKind, Sex
from cascada.trainings.models import AttendanceStatus, CohortKind, EnrolmentStatus

register = template.Library()


@register.inclusion_tag("web/registry/_arco_actions.html", takes_context=True)
def arco_actions(context: Any, person: Any) -> dict[str, Any]:
    user = context["request"].user
    erased_on = arco.person_erased_on(person=person)
    live = not person.merged_into_id and erased_on is None
    return {
        "person": person,
        "erased_on": erased_on,
        "may_export": live and arco.may_export(user=user, person=person),
        "may_erase": live and arco.may_erase(user=user, person=person),
    }


@register.filter
def arco_erased(person: Any) -> bool:
    """Were this person's personal data erased? (An erased record is frozen.)"""
    return arco.person_erased_on(person=person) is not None


def _words(choices: Any) -> dict[str, Any]:
    return dict(choices.choices)


def _choices() -> dict[str, dict[str, Any]]:
    return {
        "sex": _words(Sex),
        "purpose": _words(ConsentPurpose),
        "document": _words(IdDocument),
        "role": _words(PersonRoleKind),
        "enrolment": _words(EnrolmentStatus),
        "attendance": _words(AttendanceStatus),
        "cohort_kind": _words(CohortKind),
    }


@register.filter
def arco_label(value: Any, kind: str) -> Any:
    """The reader's words for a stored value of the copy (``"female"`` → "Mujer")."""
    return _choices().get(kind, {}).get(value, value)


@register.filter
def arco_date(value: Any) -> Any:
    """A date of the JSON copy (ISO, ``2026-04-30`` or a timestamp) as the reader's locale
    writes it; anything else as it is."""
    if not isinstance(value, str) or len(value) < 10:
        return value
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return formats.date_format(day, "SHORT_DATE_FORMAT")
