"""The before/after analysis as a PDF a donor can file: one A4 portrait report in Spanish
with the same figures, chart and tables as the page (``analysis.chart_rows`` for the
chart), exact or protected by the same rule (it is made from the same ``Analysis``).
Core PDF fonts cover Latin-1, which holds every Spanish letter
(``trainings.certificate_pdf._latin1`` transliterates anything else)."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone, translation

from cascada.trainings.certificate_pdf import A4Report, _latin1, fecha_es

from .analysis import DIMENSIONS, Analysis, chart_rows

GREEN = (42, 111, 78)
GREY = (200, 200, 200)


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else formats.number_format(round(value, digits), digits)


def _p(value: float | None) -> str:
    if value is None:
        return "p no calculado"
    return "p < 0,001" if value < 0.001 else "p = " + formats.number_format(round(value, 3), 3)


def analysis_pdf(*, result: Analysis, program: Any) -> bytes:
    """The report, in Spanish whatever the reader's language (it is filed and shared)."""
    with translation.override("es"):
        return _analysis_pdf(result, program)


def _analysis_pdf(result: Analysis, program: Any) -> bytes:
    pdf = A4Report(f"Antes y después: {program.name}")
    width, text = pdf.width, pdf.paragraph

    text(16, f"Antes y después: {program.name}", "B", 8)
    text(11, f"{result.instrument.name_es}. Un puntaje más alto significa: {result.higher_means}.")
    today = timezone.localdate()
    text(9, f"Generado el {fecha_es(today)}.")
    if not result.exact:
        text(
            9,
            "Solo se cuentan las personas que aceptaron los reportes agregados, y no se "
            f"muestra ningún grupo de {result.k} personas o menos (ni los que permitirían "
            "deducirlos).",
        )
    pdf.ln(2)
    change = result.overall.change
    if change is not None:
        text(
            11,
            f"{result.overall.n} personas respondieron antes y después. Cambio promedio: "
            f"{_num(change.mean_difference)} puntos ({_num(change.mean_before)} antes, "
            f"{_num(change.mean_after)} después; IC\u00a095\u00a0%: {_num(change.ci_low)} a "
            f"{_num(change.ci_high)}). Prueba t pareada: {_p(change.t_test.p_value)}; "
            f"Wilcoxon: {_p(change.wilcoxon.p_value)}; d de Cohen: {_num(change.cohen_dz, 2)}.",
        )
    else:
        text(11, "Muy pocas personas respondieron antes y después para mostrar el cambio.")

    rows = chart_rows(result)
    if rows:
        pdf.ln(3)
        text(12, "Puntaje promedio antes (círculo vacío) y después (lleno), por generación", "B")
        scale = width / 400
        top = pdf.get_y() + 2
        for row in rows:
            y = top + row["y"] * scale * 0.9
            pdf.set_font("Helvetica", "", 8)
            pdf.set_xy(pdf.l_margin, y)
            pdf.cell(width * 0.7, 4, _latin1(f"{row['label']} (n={row['n']})"))
            pdf.cell(
                width * 0.3, 4, _latin1(f"{row['before_text']} -> {row['after_text']}"), align="R"
            )
            line_y = y + 8
            x = lambda v: pdf.l_margin + v * scale  # noqa: E731
            pdf.set_draw_color(*GREY)
            pdf.set_line_width(0.6)
            pdf.line(x(row["px_low"]), line_y, x(row["px_high"]), line_y)
            pdf.set_draw_color(*GREEN)
            pdf.set_line_width(1.2)
            pdf.line(x(row["px_before"]), line_y, x(row["px_after"]), line_y)
            pdf.set_line_width(0.5)
            pdf.set_fill_color(255, 255, 255)
            pdf.ellipse(x(row["px_before"]) - 1.5, line_y - 1.5, 3, 3, style="DF")
            pdf.set_fill_color(*GREEN)
            pdf.ellipse(x(row["px_after"]) - 1.5, line_y - 1.5, 3, 3, style="DF")
        pdf.set_y(top + (rows[-1]["y"] + 44) * scale * 0.9)

    titles = dict(DIMENSIONS)
    for dimension, groups in result.breakdowns.items():
        if not groups:
            continue
        pdf.ln(3)
        text(12, str(titles.get(dimension, dimension)), "B")
        pdf.set_font("Helvetica", "B", 8)
        columns = (
            width * 0.4,
            width * 0.12,
            width * 0.12,
            width * 0.12,
            width * 0.12,
            width * 0.12,
        )
        for title, w in zip(
            ("", "Personas", "Antes", "Después", "Cambio", "Mejoraron"), columns, strict=True
        ):
            pdf.cell(w, 5, _latin1(title), border="B")
        pdf.ln()
        pdf.set_font("Helvetica", "", 8)
        for group in groups:
            c = group.change
            cells = (
                [group.label, str(group.n), _num(c.mean_before), _num(c.mean_after),
                 _num(c.mean_difference),
                 "–" if c.share_improved is None else f"{round(100 * c.share_improved)} %"]
                if group.shown and c is not None
                else [group.label, f"{result.k} o menos" if group.n else "0",
                      "muy pocas personas para mostrar", "", "", ""]
            )  # fmt: skip
            for value, w in zip(cells, columns, strict=True):
                pdf.cell(w, 5, _latin1(value)[:60])
            pdf.ln()

    if result.reliability is not None and result.reliability.alpha is not None:
        pdf.ln(3)
        text(
            9,
            f"Confiabilidad al inicio: alfa de Cronbach {_num(result.reliability.alpha, 2)}"
            + (
                " (menor que 0,7: leer los puntajes con cautela)."
                if result.reliability.warning
                else "."
            ),
        )
    return bytes(pdf.output())
