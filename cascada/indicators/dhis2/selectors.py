"""Who works on an organization's DHIS2 exchange, and what of it they read.

Its administrators, coordinators and M&E officers (``Cap.MANAGE_INDICATORS``): they keep
the mapping, download the payloads and push. Everyone else (viewers, facilitators, other
organizations) gets ``NotFoundError`` (404), whatever the object."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.registry.models import Organization, Place, Sex
from cascada.trainings.models import Program

from ..models import (
    Dhis2Mapping,
    Dhis2OrgUnit,
    Dhis2Push,
    Dhis2PushStatus,
    Dhis2Server,
    Fact,
    Indicator,
)
from ..sources import SOURCES, Source, load
from .rules import parse_periods

# The fill table's columns a data element may be broken down by, and where each lives.
COLUMNS = {
    "sex": "sex",
    "age_band": "age_band",
    "generation": "generation",
    "kind": "kind",
    "audience": "sex",  # community reach: the audience counted, kept in ``sex``
}
DIMENSION_LABELS = {
    "sex": gettext_lazy("Sex"),
    "age_band": gettext_lazy("Age band"),
    "generation": gettext_lazy("Generation"),
    "kind": gettext_lazy("Kind of group or action"),
    "audience": gettext_lazy("Audience"),
}
PLACE_DIMS = ("department", "province", "district")
MAX_DIMENSIONS = 2


def org_ids(user: Any) -> set[int]:
    return scope.org_ids(user, Cap.MANAGE_INDICATORS)


def organizations(*, user: Any) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=org_ids(user)).order_by("name"))


def organization_get(*, user: Any, pk: Any) -> Organization:
    if pk not in org_ids(user):
        raise NotFoundError()
    return Organization.objects.get(pk=pk)


def server_of(organization_id: int) -> Dhis2Server | None:
    return Dhis2Server.objects.filter(organization_id=organization_id).first()


def mapping_list(*, user: Any, organization_id: int) -> QuerySet[Dhis2Mapping]:
    if organization_id not in org_ids(user):
        return Dhis2Mapping.objects.none()
    return Dhis2Mapping.objects.filter(organization_id=organization_id).select_related("indicator")


def mapping_get(*, user: Any, pk: Any) -> Dhis2Mapping:
    found = (
        Dhis2Mapping.objects.filter(pk=pk, organization_id__in=org_ids(user))
        .select_related("indicator", "organization")
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


def org_unit_list(*, user: Any, organization_id: int) -> QuerySet[Dhis2OrgUnit]:
    if organization_id not in org_ids(user):
        return Dhis2OrgUnit.objects.none()
    return Dhis2OrgUnit.objects.filter(organization_id=organization_id).select_related("place")


def push_list(*, user: Any, organization_id: int) -> QuerySet[Dhis2Push]:
    if organization_id not in org_ids(user):
        return Dhis2Push.objects.none()
    return Dhis2Push.objects.filter(organization_id=organization_id).select_related("created_by")


def push_get(*, user: Any, pk: Any) -> Dhis2Push:
    found = Dhis2Push.objects.filter(pk=pk, organization_id__in=org_ids(user)).first()
    if found is None:
        raise NotFoundError()
    return found


# ---------------------------------------------------------------- what may be mapped


def mappable(source: Source | None) -> bool:
    """Counts of people, contacts and activities with a place: never the attitude
    statistics (means and shares of small groups), never safeguarding's counts (a
    referral in a district points at a person), never a figure without a place (DHIS2
    keys every value by an organisation unit)."""
    return (
        source is not None
        and source.control != "statistics"
        and not source.sensitive
        and "department" in source.dims
    )


def indicators_mappable(*, organization_id: int) -> list[Indicator]:
    load()
    rows = Indicator.objects.filter(
        active=True, organization__isnull=True
    ) | Indicator.objects.filter(active=True, organization_id=organization_id)
    return [i for i in rows.order_by("position", "code") if mappable(SOURCES.get(i.source))]


def dimensions_of(indicator: Indicator) -> list[str]:
    """The breakdowns a data element of this indicator may have."""
    load()
    source = SOURCES.get(indicator.source)
    if source is None:
        return []
    return [d for d in source.dims if d in COLUMNS]


def dimension_values(indicator: Indicator, dimension: str, organization_id: int) -> list[str]:
    """The values a subgroup may take: the model's choices and whatever the organization's
    fill table holds."""
    from cascada.cascade.selectors import AGE_BANDS
    from cascada.networks.models import ActivityKind
    from cascada.networks.selectors import REACH_FIELDS
    from cascada.trainings.models import CohortKind

    known: list[str] = {
        "sex": list(Sex.values),
        "age_band": [key for key, _label in AGE_BANDS],
        "audience": list(REACH_FIELDS),
        "kind": list(CohortKind.values) + list(ActivityKind.values),
        "generation": ["1", "2", "3"],
    }.get(dimension, [])
    present = {
        str(v)
        for v in Fact.objects.filter(source=indicator.source, organization_id=organization_id)
        .order_by()
        .values_list(COLUMNS[dimension], flat=True)
        .distinct()
        if v not in (None, "")
    }
    if dimension == "kind":  # only the kinds this source counts, when it has any
        known = [k for k in known if k in present] or known
    extra = sorted(present - set(known), key=lambda v: (len(v), v))
    return known + extra


def combo_keys(mapping: Dhis2Mapping) -> list[tuple[str, ...]]:
    """Every subgroup of the mapping's breakdown ((), or one tuple per combination)."""
    import itertools

    if not mapping.dimensions:
        return [()]
    values = [
        dimension_values(mapping.indicator, d, mapping.organization_id) for d in mapping.dimensions
    ]
    return list(itertools.product(*values))


# ---------------------------------------------------------------- places and programs


def programs_reported(*, organization_id: int) -> QuerySet[Program]:
    """The programs whose figures the organization sends: those it owns, except the
    court-mandated ones (docs/decisions/dhis2.md)."""
    return Program.objects.filter(owner_id=organization_id, is_court_mandated=False)


def places_used(*, organization_id: int) -> list[Place]:
    """Every place (department, province, district) in the organization's fill table:
    the places an org unit may be needed for."""
    ids: set[int] = set()
    for row in (
        Fact.objects.filter(organization_id=organization_id)
        .order_by()
        .values_list("department_id", "province_id", "district_id")
        .distinct()
    ):
        ids.update(p for p in row if p is not None)
    return list(Place.objects.filter(pk__in=ids).order_by("code"))


# ---------------------------------------------------------------- pushes


def dry_run_ok(*, organization_id: int, periods: list[str], fmt: str) -> bool:
    """Has a dry run of these periods and format been accepted since the settings, the
    mapping or the org units last changed?"""
    server = server_of(organization_id)
    if server is None:
        return False
    for push in Dhis2Push.objects.filter(
        organization_id=organization_id,
        dry_run=True,
        format=fmt,
        status__in=(Dhis2PushStatus.SUCCESS, Dhis2PushStatus.WARNING),
        created__gte=server.updated_at,
    ).only("periods"):
        if list(push.periods) == list(periods):
            return True
    return False


def send_allowed(*, organization_id: int, periods: str, fmt: str) -> bool:
    """May the push form offer "Send" for these periods (as typed) and format?"""
    try:
        keys = parse_periods(periods)
    except ApplicationError:
        return False
    return dry_run_ok(organization_id=organization_id, periods=keys, fmt=fmt)
