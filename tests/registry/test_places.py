"""The packaged place files, as loaded by migration 0002_load_places."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from cascada.registry.models import Place

load = importlib.import_module("cascada.registry.migrations.0002_load_places")


def _counts(country: str) -> dict[str, int]:
    return {
        level: Place.objects.filter(country=country, level=level).count()
        for level in ("department", "province", "district", "municipality")
    }


@pytest.mark.django_db
def test_peru_has_the_full_inei_tree():
    assert _counts("PE") == {"department": 25, "province": 196, "district": 1891, "municipality": 0}
    expected = {
        "150101": ("Lima", "1501", "15"),
        "070101": ("Callao", "0701", "07"),
        "070103": ("Carmen de la Legua Reynoso", "0701", "07"),
        "160101": ("Iquitos", "1601", "16"),
        "150143": ("Villa María del Triunfo", "1501", "15"),
        "040101": ("Arequipa", "0401", "04"),
    }
    for code, (name, province, department) in expected.items():
        place = Place.objects.select_related("parent__parent", "department").get(
            country="PE", code=code
        )
        assert (place.name, place.level) == (name, "district")
        assert place.parent.code == province and place.parent.level == "province"
        assert place.parent.parent.code == department == place.department.code


@pytest.mark.django_db
def test_bolivia_has_departments_and_municipalities():
    assert _counts("BO") == {"department": 9, "province": 0, "district": 0, "municipality": 337}
    la_paz = Place.objects.get(country="BO", code="020101")
    assert la_paz.name == "Nuestra Señora de la Paz"
    assert la_paz.parent.code == "02" and la_paz.parent.name == "La Paz"
    assert Place.objects.get(country="BO", code="070101").name == "Santa Cruz de la Sierra"


@pytest.mark.django_db
def test_every_place_has_its_parent_and_department():
    departments = Place.objects.filter(level="department")
    assert all(d.parent_id is None and d.department_id == d.pk for d in departments)
    others = Place.objects.exclude(level="department").select_related("parent", "department")
    for place in others:
        assert place.parent is not None, place.code
        assert place.code.startswith(place.parent.code)
        assert place.parent.country == place.country
        assert place.department.level == "department"
        assert place.department.code == place.code[:2]


@pytest.mark.django_db
def test_the_load_migration_reverses_and_reapplies():
    editor = SimpleNamespace(connection=connection)
    total = Place.objects.count()
    load.unload_places(apps, editor)
    assert Place.objects.count() == 0
    load.load_places(apps, editor)
    load.load_places(apps, editor)  # loading twice adds nothing
    assert Place.objects.count() == total
    assert Place.objects.get(country="PE", code="070103").department.code == "07"
