"""The donor report as a PDF (A4, core fonts, "Página N de M"), from the same ``Report``
as the printable page: the same figures, exact or protected for the reader. In Spanish,
or in English when asked (``language``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from cascada.trainings.certificate_pdf import A4Report, _latin1

from .present import View
from .report import Line, Report

GREEN = (42, 111, 78)
LIGHT = (232, 241, 236)
TARGET = (179, 84, 30)
GREY = (120, 120, 120)


class _Pdf(A4Report):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*GREY)
        self.cell(
            0,
            6,
            _t(_("Page %(n)s of %(total)s") % {"n": self.page_no(), "total": "{nb}"}),
            align="C",
        )
        self.set_text_color(0, 0, 0)


def report_pdf(report: Report, *, language: str = "es") -> bytes:
    with translation.override(language):
        return _pdf(report)


def _t(value: Any) -> str:
    """Text in the core fonts: the dashes of hidden figures ("—", "–") become "-"."""
    return _latin1(str(value).replace("\u2014", "-").replace("\u2013", "-"))


def _date(day: Any) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _pdf(r: Report) -> bytes:
    title = _("Results report: %(program)s") % {"program": r.program.name}
    pdf = _Pdf(title)
    pdf.alias_nb_pages()
    pdf.set_author(_t(r.program.owner.name))
    pdf.set_creator("Cascada")
    # The day of the report, not the second it was made: the same figures give the same
    # bytes (a viewer comparing two downloads learns nothing from the file itself).
    pdf.set_creation_date(dt.datetime.combine(r.generated, dt.time(), tzinfo=dt.UTC))
    width, text = pdf.width, pdf.paragraph

    def heading(value: str) -> None:
        pdf.ln(3)
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.set_text_color(*GREEN)
        text(13, value, "B", 7)
        pdf.set_text_color(0, 0, 0)

    text(9, r.program.owner.name, "", 5)
    text(17, title, "B", 8)
    period = r.period_label or _("the program so far")
    text(
        11,
        _("Period: %(period)s. Generated on %(day)s.")
        % {"period": period, "day": _date(r.generated)},
    )
    partners = ", ".join(o.name for o in r.program.shared_with.all())
    if partners:
        text(10, _("With: %(partners)s.") % {"partners": partners})
    if not r.exact:
        text(
            9,
            _(
                "Only people who agreed to aggregate reporting are counted. Counts from 1 to "
                '%(k)s are shown as "<%(k)s" and figures that would reveal them as "-", to '
                "protect the people."
            )
            % {"k": r.k},
        )

    heading(_("Indicators against targets"))
    _targets_table(pdf, r.table, width, bool(r.period))
    if any(x.whole_program and x.period is not None for x in r.lines):
        text(8, _("* The program so far: by period and group, see the analysis page."))
    for chart in r.charts:
        if any(p.value.number for p in chart.periods):
            _bars(pdf, chart, width)

    if r.generations is not None and r.generations.breakdown:
        heading(_("The cascade, generation by generation"))
        text(
            10,
            _(
                "Generation 1 are the people trained by the program's own trainers; each "
                "further generation was trained by people of the one before."
            ),
        )
        _two_columns(
            pdf,
            [(row.label, row.value.text) for row in r.generations.breakdown],
            (_("Generation"), _("People enrolled")),
            width,
        )
        trainers, replication = r.line("trainers_trained"), r.line("replication_rate")
        if trainers and replication:
            text(
                10,
                _("Trainers trained: %(t)s. Share who ran a cohort since: %(r)s.")
                % {"t": trainers.view.so_far.text, "r": replication.view.so_far.text},
            )

    if r.attitudes:
        heading(_("Attitude change"))
        text(
            10,
            _(
                "The GEM Scale, answered by the same men at the start and at the end of "
                "their cohort (a higher score is more equitable), and the DHS questions on "
                "whether a man may beat his wife."
            ),
        )
        _two_columns(
            pdf,
            [(x.name, x.view.so_far.text) for x in r.attitudes],
            (_("Indicator"), _("Value so far")),
            width,
        )

    if r.audience is not None:
        heading(_("Community action"))
        text(
            10,
            _(
                "People counted in the community actions of the program's promoters: "
                "contacts, not distinct people (a person who came twice counts twice). "
                "So far: %(n)s."
            )
            % {"n": r.audience.so_far.text},
        )
        if r.audience.breakdown:
            _two_columns(
                pdf,
                [(row.label, row.value.text) for row in r.audience.breakdown],
                (_("Audience"), _("Contacts")),
                width,
            )

    if r.lessons or r.testimonies:
        heading(_("Lessons and testimonies"))
        for lesson in r.lessons:
            text(10, "- " + lesson)
        for quote, institution in r.testimonies:
            pdf.set_text_color(*GREY)
            text(10, f"«{quote}» ({institution})", "I")
            pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def targets_columns(width: float, by_period: bool) -> list[tuple[float, str]]:
    """The targets table's columns: width (mm) and heading. The last heading ("Avance
    hacia la meta") is the widest: its column is made for it (it overlapped "Valor")."""
    cols = (width - 3 * 24 - 36, 24, 24, 24, 36)
    heads = (
        _("Indicator"),
        _("Baseline"),
        _("Target"),
        _("Value") if by_period else _("So far"),
        _("Progress to target"),
    )
    return list(zip(cols, heads, strict=True))


def _targets_table(pdf: _Pdf, lines: list[Line], width: float, by_period: bool) -> None:
    columns = targets_columns(width, by_period)
    cols = [w for w, _h in columns]
    heads = [h for _w, h in columns]
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(*LIGHT)
    for w, h in zip(cols, heads, strict=True):
        pdf.cell(w, 7, _t(h), border="B", fill=True, align="L" if w == cols[0] else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in lines:
        v = line.view
        value = line.value + ("*" if by_period and line.whole_program else "")
        target, met = line.target, line.percent_met
        if pdf.will_page_break(7):
            pdf.add_page()
        name = _t(line.name)
        while name and pdf.get_string_width(name) > cols[0] - 2:  # never into the next column
            name = name[:-4].rstrip() + "..."
        pdf.cell(cols[0], 6, name)
        pdf.cell(cols[1], 6, _t(v.baseline_text), align="R")
        pdf.cell(cols[2], 6, _t(target), align="R")
        pdf.cell(cols[3], 6, _t(value), align="R")
        pdf.cell(
            cols[4],
            6,
            "" if met is None else _t(formats.number_format(met, 1) + " %"),
            align="R",
        )
        pdf.ln()


def _two_columns(
    pdf: _Pdf, rows: list[tuple[str, str]], heads: tuple[str, str], width: float
) -> None:
    cols = (width - 40, 40)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(*LIGHT)
    pdf.cell(cols[0], 7, _t(heads[0]), border="B", fill=True)
    pdf.cell(cols[1], 7, _t(heads[1]), border="B", fill=True, align="R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for label, value in rows:
        if pdf.will_page_break(7):
            pdf.add_page()
        pdf.cell(cols[0], 6, _t(label))
        pdf.cell(cols[1], 6, _t(value), align="R")
        pdf.ln()
    pdf.ln(2)


def _bars(pdf: _Pdf, view: View, width: float) -> None:
    """The periods as bars with the target as a line: the page's chart, drawn in the PDF."""
    height = 45
    if pdf.will_page_break(height + 16):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _t(view.indicator.name), new_x="LMARGIN", new_y="NEXT")
    points = view.periods[-12:]
    values = [p.value.number or 0 for p in points] + [p.target or 0 for p in points]
    peak = max(values + [1])
    x0, y0 = pdf.l_margin + 12, pdf.get_y() + 2
    slot = (width - 12) / max(len(points), 1)
    pdf.set_draw_color(200, 200, 200)
    pdf.line(x0, y0 + height, x0 + width - 12, y0 + height)
    pdf.set_font("Helvetica", "", 7)
    for i, p in enumerate(points):
        x = x0 + slot * i + slot * 0.2
        if p.value.number is not None:
            h = height * p.value.number / peak
            pdf.set_fill_color(*GREEN)
            pdf.rect(x, y0 + height - h, slot * 0.6, h, style="F")
            pdf.set_xy(x - 2, y0 + height - h - 4)
            pdf.cell(slot * 0.6 + 4, 4, _t(p.value.text), align="C")
        else:
            pdf.set_xy(x - 2, y0 + height - 4)
            pdf.cell(slot * 0.6 + 4, 4, _t(p.value.text), align="C")
        if p.target is not None:
            ty = y0 + height - height * p.target / peak
            pdf.set_draw_color(*TARGET)
            pdf.set_line_width(0.8)
            pdf.line(x - 1, ty, x + slot * 0.6 + 1, ty)
            pdf.set_line_width(0.2)
        pdf.set_xy(x - 2, y0 + height + 1)
        pdf.cell(slot * 0.6 + 4, 4, _t(p.label), align="C")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y0 + height + 7)
    if any(p.target is not None for p in points):
        pdf.set_font("Helvetica", "", 8)
        pdf.set_text_color(*TARGET)
        pdf.cell(0, 4, _t(_("Line: the target of the period.")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
