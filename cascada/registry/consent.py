"""Consent in aggregates (S15): the one filter that says who may be counted in what a
viewer sees. It reads the person's ``reporting_consent`` (kept in step with the latest
aggregate-reporting consent by ``services.consent_record``), so it lives with the person
table, not in ``core`` (docs/decisions/layers-and-hooks.md)."""

from __future__ import annotations

from typing import Any

# S15: the condition, on the person table aliased ``p``, that a person may be counted in
# what a viewer sees. The ORM twin is ``reportable``.
REPORTABLE_SQL = "p.reporting_consent"


def reportable(queryset: Any, *, person: str = "") -> Any:
    """S15: aggregates count only people whose latest aggregate-reporting consent is a
    grant. ``person`` is the path from the queryset's model to the person ("" for people,
    "person" for enrolments, "enrolment__person" for attendance)."""
    prefix = f"{person}__" if person else ""
    return queryset.filter(**{f"{prefix}reporting_consent": True})
