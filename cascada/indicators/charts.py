"""Charts drawn on the server as SVG (no JavaScript, no library from elsewhere): the
values of an indicator per period with its targets, and a breakdown as horizontal bars.
Readable at 360 px (a 400-unit viewBox scaled to the width, labels thinned out), every
text escaped, a table under every chart in the page. A hidden figure (the disclosure
control's "<5" or "—") is drawn as a gap with its text, never as a bar of any length."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 400
GREEN = "#2a6f4e"
TARGET = "#b3541e"
GREY = "#888"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    text: str  # the figure as the table shows it ("12", "45,5 %", "<5", "—")
    target: float | None = None


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exp
        if top >= value:
            return float(top)
    return float(10 ** (exp + 1))


def _num(value: float, places: int | None = None) -> str:
    """An axis or target number in the reader's language ("12,5" in Spanish), grouped
    ("1 000 000"); ``places`` decimals, else none for a whole number and one otherwise."""
    from django.utils import formats

    if places is None:
        places = 0 if float(value).is_integer() else 1
    return formats.number_format(round(value, places), places, force_grouping=True)


def _axis(values: Sequence[float]) -> tuple[float, int]:
    """The step of the four gridlines over the values, as a reader expects them: 1, 2,
    2.5 or 5 times a power of ten; whole steps when every value is whole (people are not
    counted in quarters), and the decimals the step needs ("0,25", "2,5", "250")."""
    peak = max(values, default=0.0)
    whole = all(float(v).is_integer() for v in values)
    if peak <= 0:
        return (1.0, 0) if whole else (0.25, 2)
    raw = peak / 4
    exp = math.floor(math.log10(raw))
    if whole:
        exp = max(exp, 0)
    factors = (1, 2, 5, 10) if whole and exp == 0 else (1, 2, 2.5, 5, 10)
    step = next(f * 10.0**exp for f in factors if f * 10.0**exp >= raw)
    places = 0
    while places < 3 and not round(step * 10**places, 6).is_integer():
        places += 1
    return step, places


def periods_chart(points: Sequence[Point], *, title: str, target_label: str) -> SafeString:
    """Vertical bars per period, the target as a short line over each bar."""
    height, top, bottom = 220, 16, 40
    values = [p.value for p in points if p.value is not None]
    values += [p.target for p in points if p.target is not None]
    step, places = _axis(values)
    peak = step * 4
    ticks = [_num(step * (4 - i), places) for i in range(5)]
    # Room for the longest tick ("1 000 000 000" is 13 characters): never cut off.
    left = max(36, 6 * max(len(t) for t in ticks) + 8)
    inner_w, inner_h = WIDTH - left - 8, height - top - bottom
    n = max(len(points), 1)
    slot = inner_w / n
    bar = max(min(slot * 0.6, 40), 2)
    every = max(1, math.ceil(n / 8))  # at most 8 labels: readable at 360 px
    out = [
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="chart">'
    ]
    for i in range(5):
        y = top + inner_h * i / 4
        out.append(
            f'<line x1="{left}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>'
        )
        out.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{GREY}">{escape(ticks[i])}</text>'
        )
    for i, p in enumerate(points):
        x = left + slot * i + (slot - bar) / 2
        label = escape(p.label)
        if p.value is None:
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + inner_h - 4:.1f}" font-size="10" '
                f'text-anchor="middle" fill="{GREY}"><title>{label}: {escape(p.text)}</title>'
                f"{escape(p.text)}</text>"
            )
        else:
            h = inner_h * max(p.value, 0) / peak
            out.append(
                f'<rect x="{x:.1f}" y="{top + inner_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{GREEN}"><title>{label}: {escape(p.text)}</title></rect>'
            )
        if p.target is not None:
            ty = top + inner_h - inner_h * max(p.target, 0) / peak
            out.append(
                f'<line x1="{x - 3:.1f}" x2="{x + bar + 3:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
                f'stroke="{TARGET}" stroke-width="3"><title>{escape(target_label)}: '
                f"{escape(_num(p.target))}</title></line>"
            )
        if i % every == 0:
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" font-size="10" '
                f'text-anchor="middle">{label}</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{WIDTH - 8}" y1="{top + inner_h}" y2="{top + inner_h}" '
        f'stroke="{GREY}"/>'
    )
    if any(p.target is not None for p in points):
        out.append(
            f'<line x1="{left}" x2="{left + 16}" y1="{height - 8}" y2="{height - 8}" '
            f'stroke="{TARGET}" stroke-width="3"/><text x="{left + 20}" y="{height - 4}" '
            f'font-size="10">{escape(target_label)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703  # every text escaped above


def breakdown_chart(points: Sequence[Point], *, title: str) -> SafeString:
    """Horizontal bars, one per group, the figure's text at the end of each bar."""
    row, label_w = 22, 140
    height = row * max(len(points), 1) + 8
    values = [p.value for p in points if p.value is not None]
    peak = _nice_max(max(values, default=0.0))
    inner = WIDTH - label_w - 56
    out = [
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="chart">'
    ]
    for i, p in enumerate(points):
        y = 4 + row * i
        short = p.label if len(p.label) <= 22 else p.label[:21] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">'
            f"<title>{escape(p.label)}</title>{escape(short)}</text>"
        )
        w = 0.0 if p.value is None else inner * max(p.value, 0) / peak
        if w:
            out.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
                f'fill="{GREEN}"/>'
            )
        out.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11"'
            f"{'' if p.value is not None else f' fill={chr(34)}{GREY}{chr(34)}'}>"
            f"{escape(p.text)}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703  # every text escaped above
