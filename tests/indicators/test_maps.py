"""The map of departments (issue 14): shipped outlines that match Cascada's departments, an
SVG choropleth that is well formed, escapes every text, follows the figures with its
classes, and draws a figure hidden by the disclosure control exactly like no figure."""

from __future__ import annotations

import os
import re

import pytest
from defusedxml import ElementTree
from django.utils.translation import gettext

from cascada.indicators import maps
from cascada.registry.models import Place, PlaceLevel
from tests.browser.support import ARGS, CHROMIUM, SCREENSHOTS, needs_chromium

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ElementTree.fromstring(svg)


def fills(svg: str) -> dict[str, str]:
    """Department code -> the fill it is drawn with."""
    return {p.get("data-code"): p.get("fill") for p in parse(svg).iter(f"{SVG}path")}


def titles(svg: str) -> dict[str, str]:
    return {p.get("data-code"): p.find(f"{SVG}title").text for p in parse(svg).iter(f"{SVG}path")}


@pytest.mark.django_db
@pytest.mark.parametrize("country", ["PE", "BO"])
def test_every_department_has_a_shape_and_every_shape_a_department(country):
    departments = dict(
        Place.objects.filter(country=country, level=PlaceLevel.DEPARTMENT).values_list(
            "code", "name"
        )
    )
    outline = maps.outline(country)
    assert len(departments) == {"PE": 25, "BO": 9}[country]
    assert set(outline.paths) == set(departments)
    assert outline.names == departments
    assert all(path.startswith("M") and path.endswith("z") for path in outline.paths.values())


def test_the_shipped_outlines_are_small():
    sizes = {c: (maps.DATA / f"departments_{c}.json").stat().st_size for c in ("pe", "bo")}
    assert sizes["pe"] < 36_000 and sizes["bo"] < 24_000
    assert sum(sizes.values()) < 60_000


@pytest.mark.parametrize("country", ["PE", "BO"])
def test_the_map_is_well_formed_svg_readable_by_screen_readers(country):
    codes = sorted(maps.outline(country).paths)
    svg = maps.department_map(
        country, {code: float(i) for i, code in enumerate(codes)}, title="Personas formadas"
    )
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Personas formadas"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 400 ")
    assert set(fills(svg)) == set(codes)
    first = maps.outline(country).names[codes[0]]
    assert titles(svg)[codes[0]] == f"{first}: 0"
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert len(legend) == maps.CLASSES + 1


def test_a_hidden_figure_is_drawn_exactly_like_no_figure():
    figures = {"01": 12.0, "08": 40.0, "15": 950.0, "21": 300.0}
    without = maps.department_map("PE", figures, title="t")
    # Ayacucho's figure was suppressed ("<5"): the caller passes None and the table's text.
    hidden = maps.department_map("PE", {**figures, "05": None}, title="t", texts={"05": "<5"})
    assert fills(hidden) == fills(without)
    assert fills(hidden)["05"] == fills(hidden)["16"]  # Loreto: no figure at all
    assert titles(hidden)["05"].endswith(": <5")
    # Only the title differs: nothing else in the drawing depends on the hidden cell.
    assert hidden.replace("Ayacucho: &lt;5", f"Ayacucho: {gettext('No figure')}") == without

    # The same figure not hidden would show and move the classes: the check above can fail.
    leaked = maps.department_map("PE", {**figures, "05": 3.0}, title="t")
    assert fills(leaked)["05"] != fills(without)["05"]


def test_hidden_figures_take_no_part_in_the_classes():
    shown = {"01": 10.0, "02": 20.0}
    assert maps.breaks(maps.shown({**shown, "03": None})) == maps.breaks(maps.shown(shown))
    assert not maps.helps({"01": 10.0, "02": None})
    assert maps.helps({"01": 10.0, "02": 0.0})


def test_classes_follow_the_figures():
    figures = {"01": 0.0, "02": 199.0, "03": 200.0, "04": 450.0, "05": 650.0, "06": 999.0}
    assert maps.breaks(list(figures.values())) == [0, 200, 400, 600, 800, 1000]
    drawn = fills(maps.department_map("BO", figures, title="t"))
    assert [drawn[c] for c in sorted(figures)] == [
        maps.PALETTE[0],
        maps.PALETTE[0],
        maps.PALETTE[1],
        maps.PALETTE[2],
        maps.PALETTE[3],
        maps.PALETTE[4],
    ]
    assert drawn["07"] == drawn["08"] == drawn["09"] and drawn["07"].startswith("url(#")
    # Int keys are department codes too; the order of classes follows the order of figures.
    by_int = fills(maps.department_map("BO", {7: 5.0, 8: 50.0}, title="t"))
    assert by_int["07"] == maps.PALETTE[0] and by_int["08"] == maps.PALETTE[4]


def test_breaks_are_round_and_cover_every_figure():
    assert maps.breaks([3.0]) == [0, 1, 2, 3, 4, 5]
    assert maps.breaks([12.5, 47.3]) == [0, 10, 20, 30, 40, 50]
    assert maps.breaks([-4.0, 6.0]) == [-4, -2, 0, 2, 4, 6]
    for figures in ([0.0], [7.0, 7.0], [0.3, 0.9], [1.0, 1234.0], [-12.0, -3.0]):
        edges = maps.breaks(figures)
        assert edges[0] <= min(figures) and edges[-1] >= max(figures)
        assert all(0 <= maps.class_of(f, edges) < maps.CLASSES for f in figures)


def test_every_text_is_escaped():
    svg = maps.department_map(
        "PE",
        {"15": 3.0, "01": 7.0},
        title='Lima "<script>alert(1)</script>"',
        names={"15": "<script>alert(2)</script>"},
        texts={"01": "<img src=x onerror=alert(3)>"},
        unit=" <b>",
    )
    root = parse(svg)  # well formed
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {"svg", "defs", "pattern", "rect", "line", "g", "path", "title", "text"}
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert titles(svg)["15"] == "<script>alert(2)</script>: 3 <b>"
    assert titles(svg)["01"] == "Amazonas: <img src=x onerror=alert(3)>"
    assert root.get("aria-label") == 'Lima "<script>alert(1)</script>"'


def test_unknown_departments_and_countries_are_refused():
    with pytest.raises(ValueError):
        maps.department_map("PE", {"26": 1.0}, title="t")
    with pytest.raises(ValueError):
        maps.department_map("CL", {}, title="t")


@pytest.mark.django_db
def test_figures_by_place_id_become_figures_by_code():
    lima = Place.objects.get(country="PE", code="15")
    la_paz = Place.objects.get(country="BO", code="02")
    district = Place.objects.get(country="PE", code="150101")
    assert maps.department_values({lima.pk: 4.0, district.pk: 9.0}) == {"15": 4.0}
    assert maps.department_values({la_paz.pk: None}) == {"02": None}


def on_chromium(test):
    for mark in needs_chromium:
        test = mark(test)
    return test


@pytest.mark.parametrize("country", ["PE", "BO"])
@on_chromium
def test_the_map_draws_the_country_at_phone_width(country):
    """In Chromium at 360 px: the map fits, every department is drawn inside the map's box
    (Callao is small but there), Peru is taller than wide. With CASCADA_SCREENSHOTS set the
    picture goes to docs/screenshots/indicators-map-<country>.png."""
    from playwright.sync_api import sync_playwright

    codes = sorted(maps.outline(country).paths)
    figures: dict[int | str, float | None] = {c: float(i * 37 % 101) for i, c in enumerate(codes)}
    figures[codes[3]] = None  # hidden
    figures.pop(codes[5])  # no figure
    svg = maps.department_map(country, figures, title="Personas formadas", unit="")
    page_html = (
        '<!doctype html><html lang="es"><meta charset="utf-8">'
        '<body style="margin:0;font-family:sans-serif">'
        f'<div style="width:360px">{svg}</div></body></html>'
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 360, "height": 480})
        page.set_content(page_html)
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('path')].map(p => {
                 const b = p.getBBox(); return [p.dataset.code, b.x, b.y, b.width, b.height];
               })"""
        )
        width = page.evaluate("() => document.querySelector('svg').getBoundingClientRect().width")
        fill = page.evaluate(
            "(c) => getComputedStyle(document.querySelector(`path[data-code='${c}']`)).fill",
            codes[3],
        )
        none = page.evaluate(
            "(c) => getComputedStyle(document.querySelector(`path[data-code='${c}']`)).fill",
            codes[5],
        )
        if os.environ.get("CASCADA_SCREENSHOTS"):
            page.locator("svg").screenshot(
                path=str(SCREENSHOTS / f"indicators-map-{country.lower()}.png")
            )
        browser.close()
    outline = maps.outline(country)
    assert width <= 360
    assert fill == none and re.match(r"url\(", fill)
    assert {b[0] for b in boxes} == set(codes)
    for _code, x, y, w, h in boxes:
        assert w > 0.5 and h > 0.5
        assert x >= 0 and y >= 0
        assert x + w <= outline.width + 0.5 and y + h <= outline.height + 0.5
    union_w = max(b[1] + b[3] for b in boxes) - min(b[1] for b in boxes)
    union_h = max(b[2] + b[4] for b in boxes) - min(b[2] for b in boxes)
    if country == "PE":
        assert union_h > union_w * 1.3  # Peru stands up
    else:
        assert 0.75 < union_w / union_h < 1.05  # Bolivia is almost square
