"""Reads of the registry, scoped to what the user may see (S2). Nothing else queries
people for a user: views, API and exports all come through here."""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import Q, QuerySet

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.crypto import keyed_hash
from cascada.core.errors import NotFoundError

from .models import Identity, Organization, Person, Place, PlaceLevel


def organization_list(*, user: Any) -> QuerySet[Organization]:
    """Organizations the user belongs to, and partners of programs shared with them."""
    from cascada.trainings.models import Program

    mine = {org for org, _r in scope._roles(user).items()}
    if not mine:
        return Organization.objects.none()
    partners = Program.objects.filter(Q(owner_id__in=mine) | Q(shared_with__in=mine)).values(
        "owner_id"
    )
    shared = Program.shared_with.through.objects.filter(program__owner_id__in=mine).values(
        "organization_id"
    )
    return Organization.objects.filter(
        Q(pk__in=mine) | Q(pk__in=partners) | Q(pk__in=shared)
    ).distinct()


@functools.lru_cache(maxsize=4)
def department_choices() -> tuple[tuple[int, str, str], ...]:
    """(id, country, name) of every department: reference data, loaded by a migration
    and never edited at run time, so it is read once per process."""
    return tuple(
        Place.objects.filter(level=PlaceLevel.DEPARTMENT)
        .order_by("country", "name")
        .values_list("pk", "country", "name")
    )


def place_list(
    *, country: str | None = None, level: str | None = None, parent: Place | None = None
) -> QuerySet[Place]:
    """Places are public reference data."""
    qs = Place.objects.all()
    if country:
        qs = qs.filter(country=country)
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.select_related("department")


def _visible_person_q(user: Any, cap: str) -> Q | None:
    """People of the user's organizations, plus those enrolled in or facilitating cohorts
    of programs their organizations own or share. Facilitator-only organizations reach
    only the cohorts that user facilitates."""
    from cascada.trainings.models import CohortFacilitator, Enrolment
    from cascada.trainings.selectors import cohort_ids_visible

    orgs = scope.org_ids(user, cap)
    if not orgs:
        return None
    bound = scope.cohort_bound_org_ids(user, cap)
    full = orgs - bound
    cohorts = cohort_ids_visible(user=user, cap=cap)
    # Subqueries, not joins: an OR across LEFT JOINs of enrolments and facilitations
    # defeats every index (10x slower at 100,000 people, docs/performance.md).
    q = Q(pk__in=Enrolment.objects.filter(cohort_id__in=cohorts).values("person_id")) | Q(
        pk__in=CohortFacilitator.objects.filter(cohort_id__in=cohorts).values("person_id")
    )
    if full:
        q |= Q(organization_id__in=full)
    return q


def person_list(
    *, user: Any, cap: str = Cap.VIEW_PEOPLE, include_merged: bool = False
) -> QuerySet[Person]:
    q = _visible_person_q(user, cap)
    if q is None:
        return Person.objects.none()
    qs = Person.objects.filter(q)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    return qs.select_related("place", "organization").prefetch_related("roles")


def person_get(*, user: Any, pk: Any = None, code: str | None = None, audit: bool = True) -> Person:
    """One person the user may see, else NotFoundError (a 404, never a 403: S2).
    Viewing a person is audited (S10)."""
    qs = person_list(user=user, include_merged=True)
    lookup = {"code": code} if code is not None else {"pk": pk}
    try:
        person = qs.get(**lookup)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None
    if audit:
        audit_record(actor=user, action="view", target=person)
    return person


def identity_for(*, user: Any, person: Person) -> Identity | None:
    """The identity record when the user's role may read it (S3), else None."""
    if not scope.has(user, Cap.VIEW_IDENTITY):
        return None
    if person.organization_id not in scope.org_ids(user, Cap.VIEW_IDENTITY):
        # Staff of partner organizations see partners' people pseudonymously.
        from cascada.trainings.selectors import cohort_ids_visible

        cohorts = cohort_ids_visible(user=user, cap=Cap.VIEW_IDENTITY)
        if not person.enrolments.filter(cohort_id__in=cohorts).exists():
            return None
    try:
        return person.identity
    except Identity.DoesNotExist:
        return None


def identities_for(*, user: Any, people: list[Person], short: bool = False) -> dict[int, str]:
    """Display names for many people at once: full names for roles that read identity,
    given name and initial (``short``) for those allowed a roster, else nothing."""
    ids = [p.pk for p in people]
    if not ids:
        return {}
    full = scope.has(user, Cap.VIEW_IDENTITY)
    if not full and not (short and scope.has(user, Cap.TAKE_ATTENDANCE)):
        return {}
    rows = Identity.objects.filter(person_id__in=ids)
    return {i.person_id: (i.full_name if full else i.short_name) for i in rows}


def person_search(*, user: Any, text: str) -> QuerySet[Person]:
    """Search by code or ID number (S9: callers receive the text by POST, never in a URL).
    Names are encrypted, so a name search compares the keyed hash of the full name."""
    text = (text or "").strip()
    qs = person_list(user=user)
    if not text:
        return qs.none()
    # Codes are upper case (core.models.ALPHABET), so an exact match on the upper-cased
    # text uses the unique index; the hashes are looked up by their own indexes.
    hashes = Q(national_id_hash=keyed_hash(text))
    if scope.has(user, Cap.VIEW_IDENTITY):
        hashes |= Q(name_hash=keyed_hash(text))
    matches = Identity.objects.filter(hashes).values("person_id")
    return qs.filter(Q(code=text.upper()) | Q(pk__in=matches))


def organization_get(*, user: Any, pk: Any) -> Organization:
    """One organization the user may see (``organization_list``), else NotFoundError."""
    try:
        return organization_list(user=user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def organization_find(*, pk: Any) -> Organization:
    """Any organization by id, e.g. the partner a program is shared with. Organizations are
    institutions, not personal data; only the id and name are revealed to the caller."""
    try:
        return Organization.objects.get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def place_get(*, pk: Any) -> Place:
    """Places are public reference data."""
    try:
        return Place.objects.select_related("department").get(pk=pk)
    except (Place.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def consent_list(*, user: Any, person: Person) -> QuerySet[Any]:
    """Consent decisions of a person the user may see, newest first (S15)."""
    from .models import Consent

    if not person_list(user=user, include_merged=True).filter(pk=person.pk).exists():
        return Consent.objects.none()
    return Consent.objects.filter(person=person).order_by("purpose", "-date", "-id")


def consent_history(*, person: Person) -> dict[str, list[Any]]:
    """Every consent decision of a (visible) person by purpose, latest first (S15)."""
    from .models import Consent, ConsentPurpose

    out: dict[str, list[Any]] = {purpose: [] for purpose in ConsentPurpose.values}
    rows = Consent.objects.filter(person=person).select_related("recorded_by")
    for consent in rows.order_by("purpose", "-date", "-id"):
        out.setdefault(consent.purpose, []).append(consent)
    return out
