from __future__ import annotations

from typing import Any

from cascada.registry.models import Organization, Person, Place
from cascada.registry.services import person_create

_n = {"org": 0, "person": 0}


def make_org(*, name: str | None = None, kind: str = "ngo") -> Organization:
    _n["org"] += 1
    return Organization.objects.create(name=name or f"Organización {_n['org']}", kind=kind)


def make_place(
    *, code: str = "150101", name: str = "Lima", country: str = "PE", level: str = "district"
) -> Place:
    place, _ = Place.objects.get_or_create(
        country=country, code=code, defaults={"name": name, "level": level}
    )
    return place


def make_person(*, organization: Organization, **kwargs: Any) -> Person:
    _n["person"] += 1
    kwargs.setdefault("given_name", f"Ficticio{_n['person']}")
    kwargs.setdefault("family_name", "Prueba")
    kwargs.setdefault("sex", "male")
    kwargs.setdefault("birth_year", 1990)
    return person_create(actor=None, organization=organization, **kwargs)


def consent_to_reporting(*people: Person) -> None:
    """People who agreed to be counted in aggregate reports (S15)."""
    from cascada.registry.services import consent_record

    for person in people:
        consent_record(
            actor=None,
            person=person,
            purpose="aggregate_reporting",
            granted=True,
            text_version="v1",
        )


def ensure_places() -> None:
    """The INEI ubigeo and Bolivia's places come from a data migration; a transactional
    test earlier in the same worker (a browser test) truncates every table: load them
    again when they are gone."""
    from cascada.registry.models import Place

    if Place.objects.exists():
        return
    import importlib

    from django.apps import apps as django_apps
    from django.db import connection

    loader = importlib.import_module("cascada.registry.migrations.0002_load_places")
    loader.load_places(django_apps, connection.schema_editor())
