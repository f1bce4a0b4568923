"""The exchange's settings: the server, the mapping of indicators to data elements and
combos, and of places to org units. Each change "touches" the server row, so that a dry
run made before it no longer clears a push."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.registry.models import Organization, Place

from ...models import Dhis2IdScheme, Dhis2Mapping, Dhis2OrgUnit, Dhis2Server, Indicator, Measure
from .. import client, rules
from ..selectors import (
    MAX_DIMENSIONS,
    dimensions_of,
    indicators_mappable,
    places_used,
    server_of,
)


def require_keeper(actor: Any, organization_id: int) -> None:
    """``NotFoundError`` for anyone without the capability there: the exchange of another
    organization does not exist for them."""
    if actor is not None and not scope.has(actor, Cap.MANAGE_INDICATORS, organization_id):
        raise NotFoundError()


def _touch(organization_id: int) -> None:
    """The exchange's settings changed: a dry run done before no longer clears a push."""
    Dhis2Server.objects.filter(organization_id=organization_id).update(updated_at=timezone.now())


# ---------------------------------------------------------------- the server


SERVER_FIELDS = (
    "base_url",
    "username",
    "id_scheme",
    "org_unit_id_scheme",
    "data_set",
    "attribute_option_combo",
    "active",
)


@transaction.atomic
def server_set(
    *,
    actor: Any,
    organization: Organization,
    base_url: str,
    username: str,
    password: str = "",
    id_scheme: str = Dhis2IdScheme.UID,
    org_unit_id_scheme: str = "code",
    data_set: str = "",
    attribute_option_combo: str = "",
    active: bool = True,
) -> Dhis2Server:
    """Where the organization's figures go. An empty ``password`` keeps the one stored
    (it is never shown back); a new server needs one."""
    require_keeper(actor, organization.pk)
    base_url = client.clean_base_url(base_url)
    client.check_address(base_url)
    username = (username or "").strip()
    if not username or len(username) > 100:
        raise ApplicationError(
            _("Give the DHIS2 user Cascada signs in as."), extra={"field": "username"}
        )
    if id_scheme not in Dhis2IdScheme.values:
        raise ApplicationError(
            _("Choose one of the options offered."), extra={"field": "id_scheme"}
        )
    org_unit_id_scheme = rules.org_unit_scheme(org_unit_id_scheme)
    data_set = (
        rules.identifier(data_set, id_scheme, what=_("data set"), field="data_set")
        if (data_set or "").strip()
        else ""
    )
    attribute_option_combo = (
        rules.identifier(
            attribute_option_combo,
            id_scheme,
            what=_("attribute option combo"),
            field="attribute_option_combo",
        )
        if (attribute_option_combo or "").strip()
        else ""
    )
    server = Dhis2Server.objects.select_for_update().filter(organization=organization).first()
    created = server is None
    if server is None:
        if not password:
            raise ApplicationError(
                _("Give the password of the DHIS2 user."), extra={"field": "password"}
            )
        server = Dhis2Server(organization=organization)
    values = {
        "base_url": base_url,
        "username": username,
        "id_scheme": id_scheme,
        "org_unit_id_scheme": org_unit_id_scheme,
        "data_set": data_set,
        "attribute_option_combo": attribute_option_combo,
        "active": bool(active),
    }
    changed = [f for f in SERVER_FIELDS if created or getattr(server, f) != values[f]]
    for name, value in values.items():
        setattr(server, name, value)
    if password:
        if len(password) > 200:
            raise ApplicationError(_("This password is too long."), extra={"field": "password"})
        if created or server.password != password:
            changed.append("password")
        server.password = password
    server.full_clean()
    server.save()
    audit_record(
        actor=actor,
        action="dhis2.server_set",
        target=server,
        detail={"fields": changed, "status": "created" if created else "updated"},
    )
    return server


# ---------------------------------------------------------------- the mapping


def _scheme(organization_id: int) -> str:
    server = server_of(organization_id)
    return server.id_scheme if server is not None else Dhis2IdScheme.UID


@transaction.atomic
def mapping_save(
    *,
    actor: Any,
    organization: Organization,
    indicator: Indicator,
    measure: str,
    data_element: str,
    dimensions: list[str] | tuple[str, ...] = (),
    category_option_combos: dict[str, str] | None = None,
    adx_categories: dict[str, str] | None = None,
    adx_options: dict[str, dict[str, str]] | None = None,
    active: bool = True,
    mapping: Dhis2Mapping | None = None,
) -> Dhis2Mapping:
    """An indicator's count (numerator or denominator) → a data element, broken down by at
    most two of its subgroups; each subgroup → a category option combo and, for ADX, the
    category and option codes. Combos left empty are not sent (and said so)."""
    require_keeper(actor, organization.pk)
    if mapping is not None and mapping.organization_id != organization.pk:
        raise NotFoundError()
    if indicator.pk not in {i.pk for i in indicators_mappable(organization_id=organization.pk)}:
        raise ApplicationError(
            _(
                "This indicator cannot go to DHIS2: only counts of people, contacts and "
                "activities with a place can (never attitude scores nor safeguarding "
                "counts)."
            ),
            extra={"field": "indicator"},
        )
    if measure not in (Measure.VALUE, Measure.BASE):
        raise ApplicationError(_("Choose one of the options offered."), extra={"field": "measure"})
    scheme = _scheme(organization.pk)
    data_element = rules.identifier(
        data_element, scheme, what=_("data element"), field="data_element"
    )
    dimensions = list(dict.fromkeys(d for d in dimensions if d))
    allowed = dimensions_of(indicator)
    if any(d not in allowed for d in dimensions):
        raise ApplicationError(
            _("This indicator cannot be broken down that way."), extra={"field": "dimensions"}
        )
    if len(dimensions) > MAX_DIMENSIONS:
        raise ApplicationError(
            _("At most two breakdowns (e.g. sex and age band)."), extra={"field": "dimensions"}
        )
    cocs: dict[str, str] = {}
    for key, coc in (category_option_combos or {}).items():
        if not (coc or "").strip():
            continue
        parts = key.split("|") if dimensions else [key]
        if (dimensions and len(parts) != len(dimensions)) or (not dimensions and key != ""):
            continue  # a subgroup of another breakdown (the form before the change)
        cocs[key] = rules.identifier(
            coc, scheme, what=_("category option combo"), field="category_option_combos"
        )
    categories: dict[str, str] = {}
    for dimension, code in (adx_categories or {}).items():
        if dimension in dimensions and (code or "").strip():
            categories[dimension] = rules.adx_category(code)
    if len(set(categories.values())) < len(categories):
        raise ApplicationError(
            _("Two breakdowns cannot have the same ADX category code."),
            extra={"field": "adx_categories"},
        )
    options: dict[str, dict[str, str]] = {}
    for dimension, codes in (adx_options or {}).items():
        if dimension not in dimensions:
            continue
        kept = {str(v): rules.adx_option(c) for v, c in (codes or {}).items() if (c or "").strip()}
        if kept:
            options[dimension] = kept
    values = {
        "indicator": indicator,
        "measure": measure,
        "data_element": data_element,
        "dimensions": dimensions,
        "category_option_combos": cocs,
        "adx_categories": categories,
        "adx_options": options,
        "active": bool(active),
    }
    created = mapping is None
    if mapping is None:
        mapping = Dhis2Mapping(organization=organization)
    before = {f: getattr(mapping, f) for f in values if f != "indicator"}
    before["indicator"] = None if created else mapping.indicator_id
    after = {**values, "indicator": indicator.pk}
    changed = [f for f in values if created or before[f] != after[f]]
    for name, value in values.items():
        setattr(mapping, name, value)
    clash = Dhis2Mapping.objects.filter(organization=organization).exclude(pk=mapping.pk)
    if clash.filter(data_element=data_element).exists():
        raise ApplicationError(
            _(
                "Another indicator already goes to this data element: two figures in one "
                "data element would overwrite each other."
            ),
            extra={"field": "data_element"},
        )
    if clash.filter(indicator=indicator, measure=measure).exists():
        raise ApplicationError(
            _("This count of the indicator is already mapped: change that mapping instead."),
            extra={"field": "indicator"},
        )
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        raise ApplicationError(_("This mapping was just saved by someone else.")) from None
    _touch(organization.pk)
    audit_record(
        actor=actor,
        action="dhis2.mapping_save",
        target=mapping,
        detail={"fields": changed, "code": indicator.code[:40]},
    )
    return mapping


@transaction.atomic
def mapping_delete(*, actor: Any, mapping: Dhis2Mapping) -> None:
    require_keeper(actor, mapping.organization_id)
    code = mapping.indicator.code
    pk = mapping.pk
    mapping.delete()
    _touch(mapping.organization_id)
    audit_record(
        actor=actor,
        action="dhis2.mapping_delete",
        target_type="indicators.dhis2mapping",
        target_id=pk,
        detail={"code": code[:40]},
    )


# ---------------------------------------------------------------- places → org units


def _org_unit_scheme(organization_id: int) -> str:
    server = server_of(organization_id)
    return server.org_unit_id_scheme if server is not None else "code"


@transaction.atomic
def org_units_set(*, actor: Any, organization: Organization, units: dict[int, str]) -> int:
    """Places (by id) → org units; an empty value removes the place's org unit. Returns how
    many changed."""
    require_keeper(actor, organization.pk)
    scheme = _org_unit_scheme(organization.pk)
    places = Place.objects.in_bulk(list(units))
    existing = {u.place_id: u for u in Dhis2OrgUnit.objects.filter(organization=organization)}
    changed = 0
    for place_id, value in units.items():
        place = places.get(place_id)
        if place is None:
            raise ApplicationError(_("Choose one of the options offered."))
        value = (value or "").strip()
        row = existing.get(place_id)
        if not value:
            if row is not None:
                row.delete()
                changed += 1
            continue
        try:
            value = rules.org_unit(value, scheme)
        except ApplicationError as problem:
            raise ApplicationError(
                f"{place.name} ({place.code}): {problem}",
                code=problem.code,
                extra={"field": f"place_{place_id}"},
            ) from None
        if row is None:
            Dhis2OrgUnit.objects.create(organization=organization, place=place, org_unit=value)
            changed += 1
        elif row.org_unit != value:
            row.org_unit = value
            row.save(update_fields=["org_unit", "updated_at"])
            changed += 1
    if changed:
        _touch(organization.pk)
        audit_record(
            actor=actor,
            action="dhis2.org_units_set",
            target=organization,
            detail={"count": changed},
        )
    return changed


def ubigeo_key(place: Place, *, six_digits: bool) -> str:
    """A place's key in DHIS2 by default: its code as INEI (or Bolivia's INE) writes it,
    a string, leading zero kept ("05", "0501", "050101"); with ``six_digits``, padded
    the way some systems key every level ("050000", "050100", "050101")."""
    code = str(place.code)
    return code.ljust(6, "0") if six_digits and len(code) < 6 else code


@transaction.atomic
def org_units_from_ubigeo(
    *, actor: Any, organization: Organization, six_digits: bool = False
) -> int:
    """Give every place of the organization's figures that has no org unit yet its ubigeo
    (or Bolivian code) as the org unit's code. Returns how many were added."""
    require_keeper(actor, organization.pk)
    if _org_unit_scheme(organization.pk) == "uid":
        raise ApplicationError(
            _(
                "Organisation units are named by DHIS2 identifier in the settings: a ubigeo "
                "is not one. Name them by code (or by an attribute) to use ubigeo codes."
            ),
            code="uid_scheme",
        )
    have = set(
        Dhis2OrgUnit.objects.filter(organization=organization).values_list("place_id", flat=True)
    )
    rows = [
        Dhis2OrgUnit(
            organization=organization, place=p, org_unit=ubigeo_key(p, six_digits=six_digits)
        )
        for p in places_used(organization_id=organization.pk)
        if p.pk not in have
    ]
    Dhis2OrgUnit.objects.bulk_create(rows)
    if rows:
        _touch(organization.pk)
        audit_record(
            actor=actor,
            action="dhis2.org_units_set",
            target=organization,
            detail={"count": len(rows), "code": "ubigeo6" if six_digits else "ubigeo"},
        )
    return len(rows)
