"""The place an import row names, read the same way by every importer whose rows carry one
(people, the safeguarding directory of services):

- a place code (Peru's INEI ubigeo, Bolivia's INE code), with the leading zero Excel drops
  from a code it read as a number put back ("40101" is "040101");
- else the district's (Bolivia: the municipality's) name, case and accents ignored, told
  apart from others of the same name by the province and department columns;
- with ``wider``, a row without a district may name only a province or only a department
  (a service that serves a whole province or department).

The places of the organization's country are read once per file, never once per row."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.imports.importer import Importer
from cascada.imports.parsers import cell_text, normalize_text, shown

from .models import Country, Place, PlaceLevel

# Canonical field -> accepted headers (compared after ``imports.parsers.header_key``).
PLACE_COLUMNS: dict[str, list[str]] = {
    "place_code": ["ubigeo", "place_code", "codigo_lugar", "codigo_ubigeo", "place"],
    "district": ["distrito", "district", "municipio", "municipality"],
    "province": ["provincia", "province"],
    "department": ["departamento", "department", "region"],
}

PLACE_MESSAGES: dict[str, Any] = {
    "unknown_place_name": _("No place called “%(value)s” in this country."),
    "ambiguous_place": _(
        "Several places are called “%(value)s”: add the province and department columns, "
        "or give the place code (ubigeo)."
    ),
}

# Which column names which level, and the broader columns that tell namesakes apart (the
# attribute of the place that holds that broader place).
_LEVELS: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    (
        "district",
        (PlaceLevel.DISTRICT, PlaceLevel.MUNICIPALITY),
        (("province", "parent"), ("department", "department")),
    ),
    ("province", (PlaceLevel.PROVINCE,), (("department", "department"),)),
    ("department", (PlaceLevel.DEPARTMENT,), ()),
)


def code_repaired(code: str) -> str:
    """A place code as written, with the leading zero Excel dropped put back: codes have
    an even number of digits in both countries (department 2, province 4, district 6)."""
    if code.isdigit() and len(code) % 2 == 1:
        return code.zfill(len(code) + 1)
    return code


class PlaceColumns:
    """The places of one country, read once, and the place of a row."""

    def __init__(self, country: str, *, wider: bool = False) -> None:
        places = list(
            Place.objects.filter(country=country or Country.PERU).select_related(
                "parent", "department"
            )
        )
        self.wider = wider
        self.by_code = {p.code: p for p in places}
        self.by_name: dict[str, dict[str, list[Place]]] = {column: {} for column, *_r in _LEVELS}
        for column, levels, _narrowers in _LEVELS:
            for p in places:
                if p.level in levels:
                    self.by_name[column].setdefault(normalize_text(p.name), []).append(p)

    def given(self, importer: Importer, cells: list[Any]) -> bool:
        """Whether the row names a place at all (in any of the place columns)."""
        return any(importer.cell(cells, name) is not None for name in PLACE_COLUMNS)

    def read(self, importer: Importer, row: int, cells: list[Any]) -> Place | None:
        """The row's place, or ``None`` when it names none; an unknown or ambiguous place
        is a row error (reported through ``importer.error``) and ``None``."""
        raw_code = importer.cell(cells, "place_code")
        if raw_code is not None:
            place = self.by_code.get(code_repaired(cell_text(raw_code)))
            if place is None:
                importer.error(row, "place_code", "unknown_place", value=shown(raw_code))
            return place
        for column, _levels, narrowers in _LEVELS:
            raw = importer.cell(cells, column)
            if raw is None:
                if self.wider:
                    continue
                return None
            found = self.by_name[column].get(normalize_text(cell_text(raw)), [])
            for name, attr in narrowers:
                given = normalize_text(cell_text(importer.cell(cells, name)))
                if given and len(found) > 1:
                    found = [p for p in found if normalize_text(getattr(p, attr).name) == given]
            if len(found) == 1:
                return found[0]
            code = "ambiguous_place" if found else "unknown_place_name"
            importer.error(row, column, code, value=shown(raw))
            return None
        return None
