"""Load Peru's INEI ubigeo tree and Bolivia's departments and municipalities from the CSV
files packaged in ``cascada/registry/data`` (provenance in ``data/SOURCE.md``).

Uses only the historical model (``apps.get_model``), never live app code. Reversible: the
reverse step deletes exactly the codes the files hold."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = (("PE", "pe_ubigeo.csv"), ("BO", "bo_places.csv"))


def _rows(filename):
    with open(DATA / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_places(apps, schema_editor):
    Place = apps.get_model("registry", "Place")
    db = schema_editor.connection.alias
    for country, filename in FILES:
        rows = _rows(filename)
        existing = set(
            Place.objects.using(db).filter(country=country).values_list("code", flat=True)
        )
        Place.objects.using(db).bulk_create(
            [
                Place(country=country, code=r["code"], name=r["name"], level=r["level"])
                for r in rows
                if r["code"] not in existing
            ],
            batch_size=500,
        )
        ids = dict(Place.objects.using(db).filter(country=country).values_list("code", "id"))
        by_code = {r["code"]: r for r in rows}

        def department_of(code):
            row = by_code[code]
            while row["parent_code"]:
                row = by_code[row["parent_code"]]
            return row["code"]

        places = list(Place.objects.using(db).filter(country=country, code__in=by_code))
        for place in places:
            row = by_code[place.code]
            place.parent_id = ids[row["parent_code"]] if row["parent_code"] else None
            place.department_id = ids[department_of(place.code)]
        Place.objects.using(db).bulk_update(places, ["parent", "department"], batch_size=500)


def unload_places(apps, schema_editor):
    Place = apps.get_model("registry", "Place")
    db = schema_editor.connection.alias
    level_order = ("district", "municipality", "province", "department")
    for country, filename in FILES:
        codes = [r["code"] for r in _rows(filename)]
        qs = Place.objects.using(db).filter(country=country, code__in=codes)
        qs.update(department=None)
        for level in level_order:
            qs.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load_places, unload_places)]
