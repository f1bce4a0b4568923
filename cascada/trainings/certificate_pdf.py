"""The certificate as a PDF: one A4 landscape page in Spanish, with a QR code that opens
the public verification page.

The domain builds the document; the caller (web view, CLI) passes what only it knows:
the participant's display name (read through the identity selector, S3) and the site's
base URL. Core PDF fonts cover Latin-1, which holds every Spanish letter; any other
character is transliterated so that a name never breaks the document.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from decimal import Decimal
from typing import Any

import segno
from fpdf import FPDF

from .models import Certificate

# The public page that confirms a certificate; kept stable because it is printed on paper.
VERIFY_PATH = "/verify/{code}/"

_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

_NO_DECOMPOSITION = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "ı": "i", "Ħ": "H", "ħ": "h"}
)

_INK = (33, 37, 41)
_ACCENT = (122, 31, 92)
_MUTED = (99, 106, 114)


def verify_url(*, base_url: str, code: str) -> str:
    return base_url.rstrip("/") + VERIFY_PATH.format(code=code)


def fecha_es(value: dt.date | None) -> str:
    """A date written out in Spanish: "2 de marzo de 2026"."""
    if value is None:
        return ""
    return f"{value.day} de {_MONTHS[value.month - 1]} de {value.year}"


class A4Report(FPDF):
    """An A4 portrait report in the core fonts (the measurement analysis, a network's
    annual report, an initiative's booklet): ``paragraph`` writes a paragraph the width of the
    page, in Latin-1 (``_latin1``)."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(_latin1(title))
        self.add_page()
        self.width = self.w - 2 * self.l_margin

    def paragraph(self, size: int, value: str, style: str = "", height: float = 6) -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(self.width, height, _latin1(value), new_x="LMARGIN", new_y="NEXT")


def _latin1(text: Any) -> str:
    """Text the core fonts can draw: Latin-1 as is, anything else reduced to its base
    letters (e.g. "Łukasz" -> "Lukasz"), and unknown symbols dropped."""
    out = []
    for ch in str(text or "").translate(_NO_DECOMPOSITION):
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base)
    return "".join(out)


def _hours(value: Any) -> str:
    hours = Decimal(str(value or 0)).normalize()
    text = f"{hours:f}".replace(".", ",")
    return text


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(certificate: Certificate, *, participant_name: str, base_url: str) -> bytes:
    """The PDF bytes of one certificate."""
    enrolment = certificate.enrolment
    cohort = enrolment.cohort
    program = cohort.program
    organization = program.owner
    url = verify_url(base_url=base_url, code=certificate.code)

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Certificado {certificate.code}"))
    pdf.set_author(_latin1(organization.name))
    pdf.set_creator("Cascada")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # Frame.
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)

    # Issuing organization.
    pdf.set_text_color(*_MUTED)
    org_name = _latin1(organization.name.upper())
    size = 13
    pdf.set_font("Helvetica", "B", size)
    while size > 8 and pdf.get_string_width(org_name) > width:
        size -= 1
        pdf.set_font("Helvetica", "B", size)
    pdf.set_y(26)
    pdf.cell(width, 7, org_name, align="C", new_x="LMARGIN", new_y="NEXT")

    # Title.
    pdf.ln(6)
    pdf.set_text_color(*_ACCENT)
    pdf.set_font("Helvetica", "B", 34)
    pdf.cell(width, 15, "CERTIFICADO", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    pdf.set_text_color(*_MUTED)
    pdf.cell(width, 7, "de participación y aprobación", align="C", new_x="LMARGIN", new_y="NEXT")

    # Who.
    pdf.ln(12)
    pdf.set_text_color(*_INK)
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(
        width, 7, "Se otorga el presente certificado a", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(5)
    name = _latin1(participant_name).strip() or enrolment.person.code
    size = 26
    pdf.set_font("Helvetica", "B", size)
    while size > 14 and pdf.get_string_width(name) > width - 20:
        size -= 1
        pdf.set_font("Helvetica", "B", size)
    pdf.cell(width, 13, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*_MUTED)
    pdf.set_line_width(0.2)
    y = pdf.get_y() + 1
    pdf.line(pdf.w / 2 - 80, y, pdf.w / 2 + 80, y)

    # What, when, how long.
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 13)
    start, end = cohort.start_date, cohort.end_date or enrolment.completed_on
    if end and end != start:
        period = f"del {fecha_es(start)} al {fecha_es(end)}"
    else:
        period = f"el {fecha_es(start)}"
    text = (
        f"por haber completado el programa «{program.name}», "
        f"en la cohorte «{cohort.name}», realizada {period}"
    )
    if Decimal(str(certificate.hours or 0)) > 0:
        text += f", con una duración de {_hours(certificate.hours)} horas académicas"
    text += "."
    pdf.set_x(pdf.l_margin + 15)
    pdf.multi_cell(width - 30, 7, _latin1(text), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_text_color(*_MUTED)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        width,
        6,
        _latin1(f"Emitido el {fecha_es(certificate.issued_on)}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    # Signature line of the issuing organization, centred above the lower band.
    sign_y = pdf.h - 60
    pdf.set_draw_color(*_INK)
    pdf.set_line_width(0.3)
    pdf.line(pdf.w / 2 - 45, sign_y, pdf.w / 2 + 45, sign_y)
    pdf.set_xy(pdf.w / 2 - 60, sign_y + 1.5)
    pdf.set_text_color(*_INK)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(120, 5, "Coordinación del programa", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*_MUTED)
    pdf.cell(120, 5, _latin1(organization.name), align="C")

    # Verification: code, address and QR in the lower band.
    qr_size = 34
    qr_x = pdf.w - pdf.r_margin - qr_size - 2
    qr_y = pdf.h - 18 - qr_size
    pdf.image(_qr_png(url), x=qr_x, y=qr_y, w=qr_size, h=qr_size)
    pdf.set_xy(pdf.l_margin + 2, qr_y + 6)
    pdf.set_text_color(*_INK)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Código de verificación", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 2)
    pdf.set_font("Courier", "B", 16)
    pdf.cell(0, 8, certificate.code, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 2)
    pdf.set_text_color(*_MUTED)
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(
        qr_x - pdf.l_margin - 6,
        5,
        _latin1(f"Compruebe su validez en {url} o escaneando el código QR."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
