"""The donor report: the same figures on the printable page and in the PDF, in Spanish or
English, exact for the program's staff and protected for a donor (the release note, no
small count), lessons and only consented testimonies."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from django.urls import reverse

from cascada.accounts.roles import Role
from tests.accounts.factories import login_verified, make_user

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_report_reads_the_same_figures_on_the_page_and_in_the_pdf(
    filled, coordinator_client, tmp_path
):
    program = filled["program"]
    page = coordinator_client.get(
        reverse("web:indicators_report", args=[program.pk]),
        {"period": "2025"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert page.status_code == 200
    report = page.context["report"]
    enrolled = report.line("people_enrolled")
    assert enrolled.value == "9" and report.exact
    html = page.content.decode()
    assert "Personas inscritas" in html and "release-note" not in html
    pdf = coordinator_client.get(
        reverse("web:indicators_report_pdf", args=[program.pk]), {"period": "2025", "lang": "es"}
    )
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "Informe de resultados" in text and "Página 1 de" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("Personas inscritas"))
    assert row.split()[-1] == "9"
    assert "Generación 2" in text
    english = pdf_text(
        coordinator_client.get(
            reverse("web:indicators_report_pdf", args=[program.pk]),
            {"period": "2025", "lang": "en"},
        ).content,
        tmp_path,
    )
    assert "Results report" in english and "People enrolled" in english


def test_a_donor_reads_the_protected_report(filled, org, client, tmp_path):
    donor = make_user(role=Role.VIEWER, organization=org)
    login_verified(client, donor)
    program = filled["program"]
    page = client.get(reverse("web:indicators_report", args=[program.pk]), {"period": "2025"})
    report = page.context["report"]
    assert not report.exact
    assert 'data-test="release-note"' in page.content.decode()
    # 7 consenting people enrolled; the 2 who did not consent are not counted.
    assert report.line("people_enrolled").value == "7"
    # 5 consenting people completed, of whom 1 woman: never shown by sex or age to a donor.
    text = pdf_text(
        client.get(reverse("web:indicators_report_pdf", args=[program.pk])).content, tmp_path
    )
    assert "<5" in text or "-" in text
    assert (
        client.get(
            reverse("web:indicators_report", args=[program.pk]), {"period": "1999"}
        ).status_code
        == 404
    )


def test_others_get_no_report(filled, org, client):
    facilitator = make_user(role=Role.FACILITATOR, organization=org)
    login_verified(client, facilitator)
    program = filled["program"]
    assert client.get(reverse("web:indicators_report", args=[program.pk])).status_code == 404
    assert client.get(reverse("web:indicators_report_pdf", args=[program.pk])).status_code == 404


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("by_period", [True, False])
def test_every_heading_of_the_pdf_targets_table_fits_its_column(language, by_period):
    """Found rendering the PDF: "Avance hacia la meta" ran over "Valor"."""
    from django.utils import translation

    from cascada.indicators.report_pdf import _Pdf, _t, targets_columns

    pdf = _Pdf("Informe")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    with translation.override(language):
        for width, heading in targets_columns(pdf.width, by_period):
            assert pdf.get_string_width(_t(heading)) + 2 <= width, heading
