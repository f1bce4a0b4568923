"""The figures DHIS2 receives, built from the fill table (docs/decisions/dhis2.md).

- **What**: for each active mapping, the count it names (the indicator's numerator or
  denominator) of people who consented to aggregate reporting (the ``*_consenting``
  columns, S15), new in each period (DHIS2 adds periods up itself: a data element's
  aggregation type is SUM), exact: no small-number suppression (a ministry's HMIS keeps
  numbers, and "<5" is not one; the decision and its limits are in the docs).
- **Where**: each fact goes to the finest of its places (district, province, department)
  that has an organisation unit (``Dhis2OrgUnit``); a fact with none is left out and
  *reported* (``Skip``), never dropped silently.
- **Which scope**: an organization's programs (those it owns, court-mandated ones left
  out) and its own rows (community plans), or one program for a download.
- **Zeros**: every org unit the scope ever used gets a value for each period and subgroup
  (those it ever had, and those with a category option combo), 0 included, so that a
  figure that went down or away (a consent withdrawn, a correction) is corrected in DHIS2
  (a zero replaces or deletes the old value) and sending twice changes nothing.

``data_value_sets`` returns the JSON of ``POST /api/dataValueSets``; ``adx`` the ADX
message (``urn:ihe:qrph:adx:2015``). Both are checked against their schema.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cascada.core.errors import ApplicationError
from cascada.registry.models import Organization, Place
from cascada.trainings.models import Program

from .. import periods as P
from .. import present
from ..models import Dhis2IdScheme, Dhis2Mapping, Dhis2OrgUnit, Dhis2Server, Frequency
from ..sources import FAMILIES, SOURCES, load
from . import rules, schemas
from .selectors import (
    COLUMNS,
    DIMENSION_LABELS,
    PLACE_DIMS,
    mappable,
    programs_reported,
    server_of,
)

# Why a figure was left out (the page words them: ``REASONS``).
NO_PLACE = "no_place"
NO_ORG_UNIT = "no_org_unit"
NO_COMBO = "no_combo"
NO_ADX_CODE = "no_adx_code"
MONTHLY_ONLY = "monthly_only"
NOT_MAPPABLE = "not_mappable"
COURT = "court"
COARSER = "coarser"  # not left out: sent to a larger place's org unit (its own has none)


@dataclass
class Settings:
    """The server's naming: defaults when no server is set yet (a download)."""

    id_scheme: str = Dhis2IdScheme.UID
    org_unit_id_scheme: str = "code"
    data_set: str = ""
    attribute_option_combo: str = ""

    @classmethod
    def of(cls, server: Dhis2Server | None) -> Settings:
        if server is None:
            return cls()
        return cls(
            id_scheme=server.id_scheme,
            org_unit_id_scheme=server.org_unit_id_scheme,
            data_set=server.data_set,
            attribute_option_combo=server.attribute_option_combo,
        )


@dataclass
class Skip:
    """Figures left out: ``count`` is what they add up to (people who consented, contacts,
    activities), so a reader knows what DHIS2 did not get."""

    reason: str
    indicator: str = ""  # the indicator's code
    measure: str = ""  # "value" or "base"
    detail: str = ""  # a place ("Ayacucho (050101)") or a subgroup ("Sexo: Otro")
    count: float = 0
    name: str = ""  # the indicator's name, as the page shows it

    def as_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "indicator": self.indicator,
            "name": self.name,
            "measure": self.measure,
            "detail": self.detail,
            "count": round(self.count, 2),
        }


@dataclass
class Collected:
    """Values per (mapping, period, org unit, subgroup), and what was left out."""

    organization: Organization
    periods: list[str]
    settings: Settings
    mappings: dict[int, Dhis2Mapping]
    cells: dict[tuple[int, str, str, tuple[str, ...]], float] = field(default_factory=dict)
    skipped: dict[tuple[str, int, str], float] = field(default_factory=lambda: defaultdict(float))
    coarser: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))

    def skip(self, reason: str, mapping: Dhis2Mapping | None, detail: str, count: float) -> None:
        if count:
            key = (reason, mapping.pk if mapping is not None else 0, detail)
            self.skipped[key] += count

    def skips(self) -> list[Skip]:
        out = []
        for (reason, pk, detail), count in sorted(self.skipped.items()):
            mapping = self.mappings.get(pk)
            out.append(
                Skip(
                    reason,
                    indicator=mapping.indicator.code if mapping else "",
                    measure=mapping.measure if mapping else "",
                    detail=detail,
                    count=count,
                    name=mapping.indicator.name_es if mapping else "",
                )
            )
        out += [
            Skip(COARSER, detail=f"{place} → {org_unit}", count=count)
            for (org_unit, place), count in sorted(self.coarser.items())
            if count
        ]
        return out


@dataclass
class Export:
    payload: Any  # dict (JSON) or bytes (ADX)
    values: int
    skipped: list[Skip]
    content_type: str
    file_name: str


def _amount(pair: tuple[float, float], measure: str) -> float:
    return pair[1] if measure == "base" else pair[0]


def _place_label(place: Place | None) -> str:
    return f"{place.name} ({place.code})" if place is not None else ""


def _facts(source_key: str, organization: Organization, program_ids: list[int] | None) -> Any:
    """The scope's facts of one source: its programs' for a program family, the
    organization's own rows for an organization family."""
    if FAMILIES[SOURCES[source_key].family].scope == "program":
        return present.facts(source_key, program_ids=program_ids or [])
    if program_ids is not None and len(program_ids) == 1:
        return present.facts(source_key, program_ids=[])  # a program has no such rows
    return present.facts(source_key, organization_id=organization.pk)


def collect(
    *,
    organization: Organization,
    periods: list[str],
    program: Program | None = None,
    server: Dhis2Server | None = None,
) -> Collected:
    """Read the fill table for ``periods`` (all of one frequency: ``rules.parse_periods``)."""
    load()
    if program is not None and program.is_court_mandated:
        raise ApplicationError(
            _(
                "The figures of court-mandated programs are not sent to DHIS2: a man in a "
                "court-ordered group must not be findable in a ministry's system."
            ),
            code="court_program",
        )
    frequency = P.frequency_of(periods[0])
    mappings = {
        m.pk: m
        for m in Dhis2Mapping.objects.filter(organization=organization, active=True)
        .select_related("indicator")
        .order_by("indicator__position", "indicator__code", "measure")
    }
    out = Collected(organization, periods, Settings.of(server), mappings)
    if program is not None:
        program_ids: list[int] | None = [program.pk]
    else:
        program_ids = list(
            programs_reported(organization_id=organization.pk).values_list("pk", flat=True)
        )
    org_units = dict(
        Dhis2OrgUnit.objects.filter(organization=organization).values_list("place_id", "org_unit")
    )
    places: dict[int, Place] = {}

    def place(pk: int) -> Place:
        if pk not in places:
            places.update(Place.objects.in_bulk([pk]))
        return places[pk]

    def where(dept: int | None, prov: int | None, dist: int | None) -> tuple[str | None, Any]:
        """The org unit of the finest mapped place, else None and the finest place."""
        chain = [p for p in (dist, prov, dept) if p is not None]
        for n, pk in enumerate(chain):
            if pk in org_units:
                return org_units[pk], (chain[0] if n else None)
        return None, (chain[0] if chain else None)

    first = P.bounds(periods[0])[0]
    last = P.bounds(periods[-1])[1]
    wanted = set(periods)
    place_cols = tuple(f"{d}_id" for d in PLACE_DIMS)
    for mapping in mappings.values():
        source = SOURCES.get(mapping.indicator.source)
        if source is None or not mappable(source):
            out.skip(NOT_MAPPABLE, mapping, "", 1)
            continue
        qs = _facts(source.key, organization, program_ids)
        dims = tuple(COLUMNS[d] for d in mapping.dimensions)
        group = (*place_cols, *dims)
        if not source.additive_in_time and frequency != Frequency.MONTH:
            total = present.sums(qs.filter(month__gte=first, month__lte=last), (), True)
            out.skip(MONTHLY_ONLY, mapping, "", _amount(total[()], mapping.measure))
            continue
        rows = present.sums(qs.filter(month__gte=first, month__lte=last), ("month", *group), True)
        for (month, dept, prov, dist, *combo), pair in rows.items():
            key = P.key_of(month, frequency)
            if key not in wanted:
                continue
            amount = _amount(pair, mapping.measure)
            org_unit, finest = where(dept, prov, dist)
            if org_unit is None:
                reason = NO_ORG_UNIT if finest is not None else NO_PLACE
                out.skip(reason, mapping, _place_label(place(finest)) if finest else "", amount)
                continue
            if finest is not None:
                out.coarser[(org_unit, _place_label(place(finest)))] += amount
            cell = (mapping.pk, key, org_unit, tuple("" if v is None else str(v) for v in combo))
            out.cells[cell] = out.cells.get(cell, 0.0) + amount
        # Every org unit the scope ever used, with every subgroup it ever had or that
        # has a category option combo: a value (0 too) in each period.
        org_units_used: set[str] = set()
        subgroups: set[tuple[str, ...]] = set()
        for dept, prov, dist, *combo in present.sums(qs, group, True):
            org_unit, _finest = where(dept, prov, dist)
            if org_unit is not None:
                org_units_used.add(org_unit)
            subgroups.add(tuple("" if v is None else str(v) for v in combo))
        if mapping.dimensions:
            subgroups |= {
                tuple(k.split("|"))
                for k in mapping.category_option_combos or {}
                if len(k.split("|")) == len(mapping.dimensions)
            }
        for org_unit in org_units_used:
            for subgroup in subgroups:
                for key in periods:
                    out.cells.setdefault((mapping.pk, key, org_unit, subgroup), 0.0)
    if program is None:
        court = Program.objects.filter(owner=organization, is_court_mandated=True).count()
        if court:
            out.skipped[(COURT, 0, "")] += court
    return out


def quoteattr(value: str) -> str:
    """An XML attribute value, quoted and escaped (&, <, >, " and ')."""
    return f'"{escape(value, quote=True)}"'


def number(value: float) -> str:
    """A count as DHIS2 stores it: "12", "12.5" (no thousands separator, a point)."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _combo_label(mapping: Dhis2Mapping, subgroup: tuple[str, ...]) -> str:
    """A subgroup in words, in the reader's language ("Sexo: Otro")."""
    return ", ".join(
        f"{DIMENSION_LABELS.get(d, d)}: {present.dim_labels(d, [v]).get(v, v) if v else '–'}"
        for d, v in zip(mapping.dimensions, subgroup, strict=True)
    )


def _coc(mapping: Dhis2Mapping, subgroup: tuple[str, ...]) -> str | None:
    """The category option combo of a subgroup: "" for the default (no breakdown and no
    combo given), None when the subgroup has none."""
    key = "|".join(subgroup)
    coc = (mapping.category_option_combos or {}).get(key, "")
    if mapping.dimensions and not coc:
        return None
    return coc


def _ordered(collected: Collected) -> list[tuple[tuple[int, str, str, tuple[str, ...]], float]]:
    order = {pk: n for n, pk in enumerate(collected.mappings)}
    rank = {key: n for n, key in enumerate(collected.periods)}
    return sorted(
        collected.cells.items(),
        key=lambda kv: (order[kv[0][0]], rank[kv[0][1]], kv[0][2], kv[0][3]),
    )


def data_value_sets_of(collected: Collected) -> dict[str, Any]:
    s = collected.settings
    values = []
    for (pk, period, org_unit, subgroup), amount in _ordered(collected):
        mapping = collected.mappings[pk]
        coc = _coc(mapping, subgroup)
        if coc is None:
            collected.skip(NO_COMBO, mapping, _combo_label(mapping, subgroup), amount)
            continue
        value: dict[str, Any] = {
            "dataElement": mapping.data_element,
            "period": period,
            "orgUnit": org_unit,
            "value": number(amount),
        }
        if coc:
            value["categoryOptionCombo"] = coc
        values.append(value)
    payload: dict[str, Any] = {
        "idScheme": s.id_scheme,
        "dataElementIdScheme": s.id_scheme,
        "categoryOptionComboIdScheme": s.id_scheme,
        "dataSetIdScheme": s.id_scheme,
        "orgUnitIdScheme": s.org_unit_id_scheme,
    }
    if s.data_set:
        payload["dataSet"] = s.data_set
    if s.attribute_option_combo:
        payload["attributeOptionCombo"] = s.attribute_option_combo
    payload["dataValues"] = values
    schemas.check_json(payload)
    return payload


def _adx_attributes(
    mapping: Dhis2Mapping, subgroup: tuple[str, ...]
) -> list[tuple[str, str]] | None:
    """The disaggregation of a value as ADX writes it: category code = option code for each
    dimension; else the category option combo; None when neither is mapped."""
    if not mapping.dimensions:
        coc = (mapping.category_option_combos or {}).get("", "")
        return [("categoryOptionCombo", coc)] if coc else []
    categories = mapping.adx_categories or {}
    options = mapping.adx_options or {}
    exploded = []
    for dimension, value in zip(mapping.dimensions, subgroup, strict=True):
        category = categories.get(dimension)
        option = (options.get(dimension) or {}).get(value)
        if not category or not option:
            break
        exploded.append((category, option))
    else:
        return exploded
    coc = _coc(mapping, subgroup)
    return [("categoryOptionCombo", coc)] if coc else None


def adx_of(collected: Collected, *, exported: dt.datetime | None = None) -> bytes:
    s = collected.settings
    if not s.data_set:
        raise ApplicationError(
            _("ADX needs the DHIS2 data set: give it in the server settings."),
            code="adx_needs_data_set",
        )
    exported = exported or timezone.now()
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (pk, period, org_unit, subgroup), amount in _ordered(collected):
        mapping = collected.mappings[pk]
        attributes = _adx_attributes(mapping, subgroup)
        if attributes is None:
            collected.skip(NO_ADX_CODE, mapping, _combo_label(mapping, subgroup), amount)
            continue
        attrs = [("dataElement", mapping.data_element), *attributes, ("value", number(amount))]
        groups[(org_unit, period)].append(
            "<dataValue " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs) + "/>"
        )
    stamp = exported.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<adx xmlns="{schemas.ADX_NS}" exported="{stamp}">',
    ]
    rank = {key: n for n, key in enumerate(collected.periods)}
    for (org_unit, period), values in sorted(
        groups.items(), key=lambda kv: (rank[kv[0][1]], kv[0][0])
    ):
        group = [
            ("orgUnit", org_unit),
            ("period", rules.adx_period(period)),
            ("dataSet", s.data_set),
        ]
        if s.attribute_option_combo:
            group.append(("attributeOptionCombo", s.attribute_option_combo))
        lines.append("  <group " + " ".join(f"{k}={quoteattr(v)}" for k, v in group) + ">")
        lines.extend(f"    {v}" for v in values)
        lines.append("  </group>")
    lines.append("</adx>")
    document = ("\n".join(lines) + "\n").encode("utf-8")
    if groups:  # an ADX message holds at least one group (nothing to send otherwise)
        schemas.check_adx(document)
    return document


def build(
    *,
    organization: Organization,
    periods: list[str],
    fmt: str,
    program: Program | None = None,
    server: Dhis2Server | None = None,
) -> Export:
    if server is None:
        server = server_of(organization.pk)
    collected = collect(organization=organization, periods=periods, program=program, server=server)
    stem = f"dhis2-{organization.pk}-{'-'.join(periods) if len(periods) <= 3 else periods[0] + '-' + periods[-1]}"
    if program is not None:
        stem += f"-p{program.pk}"
    if fmt == "adx":
        document = adx_of(collected)
        return Export(
            payload=document,
            values=document.count(b"<dataValue "),
            skipped=collected.skips(),
            content_type="application/adx+xml",
            file_name=f"{stem}.adx.xml",
        )
    payload = data_value_sets_of(collected)
    return Export(
        payload=payload,
        values=len(payload["dataValues"]),
        skipped=collected.skips(),
        content_type="application/json",
        file_name=f"{stem}.json",
    )


def data_value_sets(
    *,
    organization: Organization,
    periods: list[str],
    program: Program | None = None,
    server: Dhis2Server | None = None,
) -> dict[str, Any]:
    """The dataValueSets JSON for ``periods`` (what was left out: ``build``)."""
    payload: dict[str, Any] = build(
        organization=organization, periods=periods, fmt="json", program=program, server=server
    ).payload
    return payload


def adx(
    *,
    organization: Organization,
    periods: list[str],
    program: Program | None = None,
    server: Dhis2Server | None = None,
) -> bytes:
    """The ADX message for ``periods`` (what was left out: ``build``)."""
    document: bytes = build(
        organization=organization, periods=periods, fmt="adx", program=program, server=server
    ).payload
    return document
