"""A network's annual report as a PDF for the municipality and the network's assembly:
one A4 portrait report in Spanish with the same figures as the page (made from the same
``plan_status`` and ``reach_shown``, so exact or protected by the same rule): the
network's registration and recognition, planned against done by month, reach by sex and
age band, unplanned actions and campaigns."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from fpdf import FPDF

from cascada.trainings.certificate_pdf import A4Report, _latin1, fecha_es

from .models import ActivityKind

GREEN = (42, 111, 78)
AMBER = (166, 94, 0)
GREY = (110, 110, 110)
MONTHS = (
    "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
    "Octubre", "Noviembre", "Diciembre",
)  # fmt: skip


def network_report_pdf(context: dict[str, Any]) -> bytes:
    """The report, in Spanish whatever the reader's language (it is filed and shared)."""
    with translation.override("es"):
        return _report(context)


def _report(c: dict[str, Any]) -> bytes:
    network, year, status, reach = c["network"], c["year"], c["status"], c["reach"]
    pdf = A4Report(f"Informe anual {year}: {network.name}")
    width, text = pdf.width, pdf.paragraph

    def heading(value: str) -> None:
        pdf.ln(3)
        pdf.set_text_color(*GREEN)
        text(13, value, "B", 7)
        pdf.set_text_color(0, 0, 0)

    text(9, f"Informe anual de actividades {year}", "", 5)
    text(16, network.name, "B", 8)
    facts = [f"Convocada por {network.organization.name}."]
    if network.place_id:
        facts.append(f"Lugar: {network.place.name}.")
    if network.registry_entry:
        facts.append(
            f"Inscrita en Registros Públicos, partida N.º {network.registry_entry}"
            + (f" ({network.registry_office})" if network.registry_office else "")
            + (f", el {fecha_es(network.registry_date)}" if network.registry_date else "")
            + "."
        )
    if network.recognition:
        facts.append(
            f"Reconocida por {network.recognition}"
            + (f", del {fecha_es(network.recognition_date)}" if network.recognition_date else "")
            + (
                f", emitida por {network.recognition_authority}"
                if network.recognition_authority
                else ""
            )
            + "."
        )
    if network.plan_line:
        facts.append(f"Aporta a: {network.plan_line}.")
    if c.get("members") is not None:
        facts.append(f"Integrantes activos: {c['members']}.")
    text(10, " ".join(facts))
    text(9, f"Generado el {fecha_es(c['today'])}.")

    if c.get("objectives"):
        heading("Objetivos del año")
        text(10, c["objectives"])
    heading("Lo planificado y lo realizado")
    if status.revision is None:
        text(10, "No hay un plan aprobado para este año.")
    else:
        summary = (
            f"Plan vigente: revisión {status.revision}. Actividades planificadas: "
            f"{status.planned}; realizadas: {status.done}; atrasadas: {status.late}."
        )
        if reach.exact:  # reach per activity only for those who see the exact figures
            summary += (
                f" Alcance esperado: {status.expected_reach} asistencias; alcanzado en lo "
                f"planificado: {status.reached - status.unplanned_reach}."
            )
        text(10, summary)
        cols = (22, width - 22 - 34 - 26 - 26, 34, 26, 26)
        heads = ("Mes", "Actividad", "Tipo", "Esperado", "Estado")
        pdf.set_font("Helvetica", "B", 9)
        pdf.set_fill_color(232, 241, 236)
        for w, h in zip(cols, heads, strict=True):
            pdf.cell(w, 7, _latin1(h), border="B", fill=True)
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)
        for line in status.lines:
            state, colour = (
                ("Realizada", GREEN)
                if line.done
                else ("No realizada", AMBER)
                if line.missing
                else ("Atrasada", AMBER)
                if line.late
                else ("Pendiente", GREY)
            )
            if pdf.will_page_break(6):
                pdf.add_page()
            pdf.cell(cols[0], 6, _latin1(MONTHS[line.month - 1]))
            pdf.cell(cols[1], 6, _latin1(_fit(pdf, line.title, cols[1])))
            pdf.cell(cols[2], 6, _latin1(str(ActivityKind(line.kind).label)))
            pdf.cell(cols[3] - 4, 6, str(line.expected_reach), align="R")
            pdf.cell(4, 6, "")
            pdf.set_text_color(*colour)
            pdf.cell(cols[4], 6, "  " + state)
            pdf.set_text_color(0, 0, 0)
            pdf.ln()
        if status.unplanned_actions:
            pdf.ln(1)
            n = status.unplanned_actions
            what = "acción no planificada" if n == 1 else "acciones no planificadas"
            with_reach = f", con {status.unplanned_reach} asistencias" if reach.exact else ""
            text(10, f"Además, {n} {what}{with_reach}.")

    heading("Alcance por sexo y edad")
    text(
        9,
        "Asistencias contadas en cada acción (contactos, no personas distintas: una misma "
        "persona puede asistir a varias).",
    )
    if not reach.exact:
        text(
            9,
            f"Las cifras de 1 a {reach.k} se muestran como «<{reach.k}» y las que permitirían "
            "deducirlas como «-», para proteger a las personas.",
        )
    pdf.set_font("Helvetica", "", 10)
    for label, cell in reach.rows:
        pdf.cell(70, 6, _latin1(str(label)))
        pdf.cell(25, 6, _shown(cell), align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(70, 6, "Total")
    pdf.cell(25, 6, _shown(reach.total), align="R")
    pdf.ln()
    text(10, f"Acciones registradas en el año: {reach.actions}.")

    if c.get("campaigns"):
        heading("Campañas")
        for campaign, n in c["campaigns"]:
            text(
                10,
                f"{campaign.name} ({fecha_es(campaign.starts_on)} al "
                f"{fecha_es(campaign.ends_on)}): {n} "
                + ("acción de la red." if n == 1 else "acciones de la red."),
            )
    return bytes(pdf.output())


def _shown(cell: Any) -> str:
    """A count as the page shows it; the core fonts have no em dash."""
    return _latin1(str(cell).replace("—", "-"))


def _fit(pdf: FPDF, value: str, width: float) -> str:
    """Cut a title to its column with an ellipsis."""
    value = _latin1(value)
    if pdf.get_string_width(value) <= width - 2:
        return value
    while value and pdf.get_string_width(value + "...") > width - 2:
        value = value[:-1]
    return value + "..."
