"""Importing the directory of services from a spreadsheet (kind ``services``;
docs/decisions/safeguarding.md).

Directories of services circulate as Excel files (the CEMs of a region, a municipality's
list of numbers): their headers are Spanish, their kinds are written as people say them
("Comisaría PNP", "Centro Emergencia Mujer", "Posta"), their ubigeos lost a leading zero,
their place is a district's name or "Nacional". A row is matched to a service of the
organization's directory by its name (case ignored): created, updated or unchanged through
``imports.importer.diff``; every write goes through ``services.service_save`` (the one
rule). The place is read by ``registry.place_columns`` (the people importer's reading)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.imports.importer import Importer, Planned, WriteFailed, diff
from cascada.imports.kinds import ImportKind
from cascada.imports.parsers import cell_text, normalize_text, shown
from cascada.registry.models import Place
from cascada.registry.place_columns import PLACE_COLUMNS, PLACE_MESSAGES, PlaceColumns

from .models import Service, ServiceKind
from .services import service_save

# What people write for each kind of service, as whole words once accents, case and
# punctuation are gone; the first rule that matches wins (so "Centro de Salud Mental" is
# mental health before it is a health centre, and "Defensoría del Niño" is not the
# ombudsman's office). The kinds' own values and English names are accepted too.
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ServiceKind.HELPLINE, ("linea", "helpline", "chat 100", "linea de ayuda", "hotline")),
    (
        ServiceKind.MENTAL_HEALTH,
        (
            "salud mental",
            "csmc",
            "mental health",
            "centro de salud mental comunitario",
            "psicologico",
            "psicologica",
        ),
    ),
    (
        ServiceKind.CHILDREN,
        (
            "demuna",
            "dna",
            "defensoria del nino",
            "defensoria de la nina",
            "defensoria de la ninez",
            "defensoria municipal del nino",
            "proteccion especial",
            "upe",
            "children",
        ),
    ),
    (ServiceKind.OMBUDSMAN, ("defensoria del pueblo", "defensoria", "ombudsman")),
    (
        ServiceKind.CEM,
        ("cem", "centro emergencia mujer", "centro de emergencia mujer", "emergencia mujer"),
    ),
    (ServiceKind.FELCV, ("felcv", "fuerza especial de lucha contra la violencia")),
    (
        ServiceKind.SLIM,
        ("slim", "servicio legal integral municipal", "servicios legales integrales municipales"),
    ),
    (
        ServiceKind.POLICE,
        ("comisaria", "policia", "pnp", "police", "105", "110", "serenazgo"),
    ),
    (ServiceKind.PROSECUTOR, ("fiscalia", "fiscal", "ministerio publico", "prosecutor")),
    (
        ServiceKind.SHELTER,
        ("casa de acogida", "casa refugio", "hogar refugio", "refugio", "albergue", "shelter"),
    ),
    (
        ServiceKind.HEALTH,
        (
            "centro de salud",
            "puesto de salud",
            "posta",
            "hospital",
            "clinica",
            "policlinico",
            "essalud",
            "salud",
            "health",
        ),
    ),
    (ServiceKind.OTHER, ("otro", "otra", "otros", "other")),
)

# A place that says the service serves the whole country (Línea 100, the police's 105).
NATIONAL = {"nacional", "national", "todo el pais", "whole country", "peru", "bolivia", "pais"}

YES = {"si", "s", "x", "1", "yes", "y", "true", "verdadero", "activo", "activa", "vigente"}
NO = {"no", "n", "0", "false", "falso", "inactivo", "inactiva", "cerrado", "cerrada", "baja"}

LIMITS = {"name": 200, "phone": 40, "phone_other": 40, "hours": 120, "address": 200, "takes": 300}

SERVICE_MESSAGES: dict[str, Any] = {
    **PLACE_MESSAGES,
    "unknown_service_kind": _(
        "Unknown kind of service “%(value)s”: write CEM, Línea 100, comisaría, FELCV, SLIM, "
        "DEMUNA, centro de salud, salud mental, Defensoría del Pueblo, casa de acogida, "
        "fiscalía or otro."
    ),
    "phone_without_digits": _("The phone “%(value)s” has no digits."),
    "bad_active": _("Write yes or no for whether the service is active (not “%(value)s”)."),
    "duplicate_service": _("The same service as row %(other)s (names are compared without case)."),
}


def _words(value: Any) -> str:
    """A cell as lower-case words without accents or punctuation, padded with spaces."""
    return " " + " ".join(re.split(r"[^a-z0-9]+", normalize_text(cell_text(value)))).strip() + " "


def service_kind(value: Any) -> str | None:
    """The kind of service a cell names, or ``None``."""
    text = _words(value)
    for kind, words in KIND_WORDS:
        if any(f" {w} " in text for w in (*words, str(kind).replace("_", " "))):
            return str(kind)
    return None


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class ServiceRow:
    row: int
    service: Service | None  # the service of the directory with this name, if any
    name: str
    kind: str
    place: Place | None
    phone: str
    phone_other: str
    hours: str
    address: str
    takes: str
    active: bool

    def values(self) -> tuple[Any, ...]:
        return (
            self.name, self.kind, self.place.pk if self.place else None, self.phone,
            self.phone_other, self.hours, self.address, self.takes, self.active,
        )  # fmt: skip


def _stored(service: Service) -> tuple[Any, ...]:
    return (
        service.name, service.kind, service.place_id, service.phone, service.phone_other,
        service.hours, service.address, service.takes, service.active,
    )  # fmt: skip


class ServiceImporter(Importer):
    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.place_columns = PlaceColumns(self.organization.country, wider=True)
        self.existing = {
            name_key(s.name): s
            for s in Service.objects.filter(organization=self.organization).select_related("place")
        }

    def _text(self, row: int, cells: list[Any], name: str, current: str) -> str:
        """A text column; a column the file does not have keeps what is stored."""
        if name not in self.index:
            return current
        text = cell_text(self.cell(cells, name))
        if len(text) > LIMITS[name]:
            self.error(row, name, "too_long", max=LIMITS[name])
        return text

    def _phone(self, row: int, cells: list[Any], name: str, current: str) -> str:
        phone = self._text(row, cells, name, current)
        if phone and not any(ch.isdigit() for ch in phone):
            self.error(row, name, "phone_without_digits", value=shown(phone))
        return phone

    def _place(self, row: int, cells: list[Any], current: Place | None) -> Place | None:
        """The place; none (the whole country) when empty or "nacional"; a file without
        place columns keeps what is stored."""
        if not any(name in self.index for name in PLACE_COLUMNS):
            return current
        for name in PLACE_COLUMNS:
            raw = self.cell(cells, name)
            if raw is not None and normalize_text(cell_text(raw)).rstrip(".") in NATIONAL:
                return None
        return self.place_columns.read(self, row, cells)

    def _active(self, row: int, cells: list[Any], current: bool) -> bool:
        if "active" not in self.index:
            return current
        raw = self.cell(cells, "active")
        if isinstance(raw, bool):
            return raw
        key = normalize_text(cell_text(raw)).rstrip(".")
        if key in YES or not key:
            return True
        if key in NO:
            return False
        self.error(row, "active", "bad_active", value=shown(raw))
        return current

    def _parse(self, row: int, cells: list[Any]) -> ServiceRow | None:
        self.row_failed = False
        name = self._text(row, cells, "name", "")
        if not name:
            self.error(row, "name", "required")
        stored = self.existing.get(name_key(name)) if name else None
        raw_kind = self.cell(cells, "kind")
        kind = service_kind(raw_kind) if raw_kind is not None else None
        if raw_kind is None:
            self.error(row, "kind", "required")
        elif kind is None:
            self.error(row, "kind", "unknown_service_kind", value=shown(raw_kind))
        phone = self._phone(row, cells, "phone", "")
        if not phone:
            self.error(row, "phone", "required")
        item = ServiceRow(
            row=row,
            service=stored,
            name=name,
            kind=kind or "",
            place=self._place(row, cells, stored.place if stored else None),
            phone=phone,
            phone_other=self._phone(
                row, cells, "phone_other", stored.phone_other if stored else ""
            ),
            hours=self._text(row, cells, "hours", stored.hours if stored else ""),
            address=self._text(row, cells, "address", stored.address if stored else ""),
            takes=self._text(row, cells, "takes", stored.takes if stored else ""),
            active=self._active(row, cells, stored.active if stored else True),
        )
        if name and (other := self.first_seen(name_key(name), row)) is not None:
            self.error(row, "name", "duplicate_service", other=other)
        return None if self.row_failed else item

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[Planned[ServiceRow]]:
        out: list[Planned[ServiceRow]] = []
        for row, cells in batch:
            item = self._parse(row, cells)
            if item is not None:
                current = _stored(item.service) if item.service else None
                out.append(Planned(row, diff(current, item.values()), item))
        return out

    def write(self, items: list[ServiceRow]) -> None:
        for item in items:
            try:
                saved = service_save(
                    actor=self.actor,
                    organization=self.organization,
                    service=item.service,
                    name=item.name,
                    kind=item.kind,
                    place=item.place,
                    phone=item.phone,
                    phone_other=item.phone_other,
                    hours=item.hours,
                    address=item.address,
                    takes=item.takes,
                    active=item.active,
                )
            except ApplicationError as exc:
                raise WriteFailed(item.row, str(exc)) from exc
            self.existing[name_key(saved.name)] = saved


SERVICES = ImportKind(
    key="services",
    label=_("Directory of services"),
    importer=ServiceImporter,
    capability=Cap.MANAGE_PROGRAMS,
    columns={
        "name": [
            "nombre",
            "name",
            "servicio",
            "service",
            "nombre_servicio",
            "service_name",
            "institucion",
            "entidad",
        ],
        "kind": ["tipo", "kind", "tipo_servicio", "type", "service_kind", "categoria"],
        "phone": [
            "telefono",
            "phone",
            "celular",
            "telefono_1",
            "telefono_principal",
            "tel",
            "telephone",
        ],
        "phone_other": [
            "otro_telefono",
            "phone_other",
            "other_phone",
            "telefono_2",
            "telefono_alternativo",
            "telefono_adicional",
            "celular_2",
        ],
        "hours": ["horario", "hours", "atencion", "horario_atencion", "horarios", "opening_hours"],
        "address": ["direccion", "address", "domicilio", "ubicacion"],
        "takes": [
            "atiende",
            "que_atiende",
            "takes",
            "what_it_takes",
            "casos_que_atiende",
            "servicios_que_brinda",
        ],
        **PLACE_COLUMNS,
        "active": ["activo", "active", "activa", "vigente", "estado"],
    },
    required=[("name",), ("kind",), ("phone",)],
    messages=SERVICE_MESSAGES,
)
