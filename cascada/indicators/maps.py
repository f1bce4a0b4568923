"""A map of departments drawn on the server as SVG (a choropleth of Peru or Bolivia).

The outlines ship with the app (``data/departments_pe.json``, ``departments_bo.json``;
source, licence and processing in ``data/SOURCE.md``), keyed by Cascada's department code
(the first two digits of the ubigeo; Bolivia's INE department code). Nothing is fetched.

Figures arrive already protected: the caller passes ``None`` for a figure the disclosure
control hid, and a hidden figure is drawn exactly like a department without one (the same
grey hatching, and it takes no part in the classes), so the colours never reveal it. Five
classes of equal width on a sequential, colour-blind safe palette (ColorBrewer Greens);
a ``<title>`` per department (its name and the figure as the table shows it), role="img"
and an aria-label, a legend in the SVG, a 400-unit viewBox scaled to the width (readable
at 360 px). Every text is escaped. Decisions: ``docs/decisions/maps.md``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"
COUNTRIES = ("PE", "BO")
WIDTH = 400  # the viewBox's width: the map on the left, the legend on the right
CLASSES = 5
# ColorBrewer "Greens", 5 classes (sequential, colour-blind safe, print friendly).
PALETTE = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NO_FIGURE = "#e3e3e3"  # under a darker hatching: told apart from every green without colour
HATCH = "#8c8c8c"
# Keyed by department code, as "15" or 15 (Mapping's key type is invariant: all three).
Figures = Mapping[str, float | None] | Mapping[int, float | None] | Mapping[int | str, float | None]
Labels = Mapping[str, str] | Mapping[int, str] | Mapping[int | str, str]
BORDER = "#6b6b6b"  # thin grey lines: the palest class stays visible on a white page


@dataclass(frozen=True)
class Outline:
    country: str
    width: float
    height: float
    names: dict[str, str]  # department code -> Cascada's name
    paths: dict[str, str]  # department code -> SVG path in the map's box


@cache
def outline(country: str) -> Outline:
    """The shipped outline of ``country`` ("PE" or "BO")."""
    if country not in COUNTRIES:
        raise ValueError(f"No map of departments for {country!r}")
    raw = json.loads((DATA / f"departments_{country.lower()}.json").read_text(encoding="utf-8"))
    departments = raw["departments"]
    return Outline(
        country=country,
        width=float(raw["width"]),
        height=float(raw["height"]),
        names={code: d["name"] for code, d in departments.items()},
        paths={code: d["path"] for code, d in departments.items()},
    )


def department_code(key: int | str) -> str:
    """A department code as the outlines key it: 15, "15" -> "15"; 7 -> "07"."""
    return f"{key:02d}" if isinstance(key, int) else str(key).strip().zfill(2)


def department_values(values: Mapping[int, float | None]) -> dict[str, float | None]:
    """Figures keyed by department ``Place`` id (as the fill table keeps them) re-keyed by
    department code. Ids that are not departments are left out."""
    from cascada.registry.models import Place, PlaceLevel

    codes = dict(
        Place.objects.filter(pk__in=list(values), level=PlaceLevel.DEPARTMENT).values_list(
            "pk", "code"
        )
    )
    return {codes[pk]: value for pk, value in values.items() if pk in codes}


def shown(values: Figures) -> list[float]:
    """The figures that are drawn in colour: hidden ones (None) and non-numbers are not."""
    return [float(v) for v in values.values() if v is not None and math.isfinite(v)]


def helps(values: Figures) -> bool:
    """A map helps when at least two departments have a figure to compare; a hidden
    figure counts as none (so whether a map is drawn says nothing about it either)."""
    return len(shown(values)) >= 2


def _nice_step(raw: float) -> float:
    if raw <= 0:
        return 1.0
    exp = math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step * 10**exp >= raw - 1e-12:
            return float(step * 10**exp)
    return float(10 ** (exp + 1))  # pragma: no cover (10 always fits)


def breaks(figures: list[float]) -> list[float]:
    """CLASSES + 1 edges of equal classes with round numbers, from 0 (or below the least
    figure when one is negative) to at least the greatest."""
    if not figures:
        return [float(i) for i in range(CLASSES + 1)]
    low, high = min(min(figures), 0.0), max(figures)
    step = _nice_step((high - low) / CLASSES)
    while True:
        start = math.floor(low / step) * step
        if start + CLASSES * step >= high - 1e-9:
            return [start + i * step for i in range(CLASSES + 1)]
        step = _nice_step(step * 1.0001)


def class_of(value: float, edges: list[float]) -> int:
    """The class (0 to CLASSES - 1) of ``value``: [edge i, edge i+1), the top one closed."""
    for i in range(CLASSES - 1, 0, -1):
        if value >= edges[i] - 1e-9:
            return i
    return 0


def _number(value: float) -> str:
    if value == round(value):
        return formats.number_format(round(value), 0, force_grouping=True)
    decimals = 1 if value * 10 == round(value * 10) else 2
    return formats.number_format(round(value, decimals), decimals, force_grouping=True)


def department_map(
    country: str,
    values: Figures,
    *,
    title: str,
    names: Labels | None = None,
    texts: Labels | None = None,
    unit: str = "",
) -> SafeString:
    """An inline SVG choropleth of ``country``'s departments.

    ``values``: the figure per department code (``None``: hidden or no figure; a department
    left out has none). ``names`` override the shipped department names (e.g. translated),
    ``texts`` give the figure as the table under the map shows it ("12", "45,5 %", "<5");
    ``unit`` follows the numbers of the legend (" %").
    """
    shape = outline(country)
    figures: dict[str, float | None] = {}
    for key, value in values.items():
        code = department_code(key)
        if code not in shape.paths:
            raise ValueError(f"{code!r} is not a department of {country}")
        figures[code] = value if value is not None and math.isfinite(value) else None
    named = {department_code(k): v for k, v in (names or {}).items()}
    said = {department_code(k): v for k, v in (texts or {}).items()}
    edges = breaks(shown(figures))
    no_figure = _("No figure")
    pattern = "nf-" + hashlib.sha256(f"{country}\0{title}".encode()).hexdigest()[:10]
    height = max(shape.height, 7 * 18 + 20)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart map">',
        f'<defs><pattern id="{pattern}" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{NO_FIGURE}"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" stroke="{HATCH}" stroke-width="1.5"/>'
        f"</pattern></defs>",
        f'<g stroke="{BORDER}" stroke-width=".4" stroke-linejoin="round">',
    ]
    for code in sorted(shape.paths):
        value = figures.get(code)
        fill = f"url(#{pattern})" if value is None else PALETTE[class_of(value, edges)]
        name = named.get(code) or shape.names[code]
        text = said.get(code) or (no_figure if value is None else _number(value) + unit)
        out.append(
            f'<path d="{shape.paths[code]}" fill="{fill}" data-code="{code}">'
            f"<title>{escape(name)}: {escape(text)}</title></path>"
        )
    out.append("</g>")
    out.extend(_legend(edges, unit, pattern, no_figure, left=shape.width + 10, bottom=height))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703  # every text escaped above


def _legend(
    edges: list[float], unit: str, pattern: str, no_figure: str, *, left: float, bottom: float
) -> list[str]:
    row, box = 18, 12
    top = bottom - row * (CLASSES + 1) - 4
    out = [f'<g font-size="11" transform="translate({left:g} {top:g})">']
    for i in range(CLASSES):
        label = f"{_number(edges[i])}–{_number(edges[i + 1])}{unit}"
        out.append(
            f'<rect y="{row * i}" width="{box}" height="{box}" fill="{PALETTE[i]}" '
            f'stroke="#999" stroke-width=".5"/>'
            f'<text x="{box + 4}" y="{row * i + 10}">{escape(label)}</text>'
        )
    y = row * CLASSES
    out.append(
        f'<rect y="{y}" width="{box}" height="{box}" fill="url(#{pattern})" stroke="#999" '
        f'stroke-width=".5"/><text x="{box + 4}" y="{y + 10}">{escape(no_figure)}</text>'
    )
    out.append("</g>")
    return out
