"""The server-drawn charts' axes read as a reader expects (found looking at the pages:
ticks of "6,2" and "18,8" for counts of people, "0,2 / 0,5 / 0,8" for quarters of 1, and
a billion drawn as "00000", its first digits cut off by the left edge)."""

from __future__ import annotations

import re

from django.utils import translation

from cascada.indicators.charts import Point, periods_chart


def _ticks(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#888">([^<]*)</text>', svg)


def _chart(*values: float) -> str:
    points = [Point(f"P{i}", v, str(v)) for i, v in enumerate(values)]
    with translation.override("es"):
        return str(periods_chart(points, title="t", target_label="Meta"))


def test_counts_of_people_get_whole_ticks():
    assert _ticks(_chart(6, 18, 25)) == ["40", "30", "20", "10", "0"]
    assert _ticks(_chart(1)) == ["4", "3", "2", "1", "0"]


def test_fractions_get_the_decimals_their_step_needs():
    assert _ticks(_chart(0.9, 0.5)) == ["1,00", "0,75", "0,50", "0,25", "0,00"]
    assert _ticks(_chart(45.5, 12)) == ["80", "60", "40", "20", "0"]


def test_a_large_figure_has_room_for_every_digit():
    svg = _chart(1_000_000_000)
    top = _ticks(svg)[0]
    assert top.replace("\xa0", " ") == "1 000 000 000"
    x = float(re.search(r'<text x="([\d.]+)" y="[\d.]+" font-size="10" text-anchor="end"', svg)[1])
    assert x >= 6 * len(top)  # 6 units a character at font size 10: nothing left of 0
