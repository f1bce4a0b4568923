"""The certificate PDF: who, what, how long, and a code and QR that lead to the public page."""

from __future__ import annotations

import re
import zlib

import pytest

from cascada.trainings.certificate_pdf import certificate_pdf, fecha_es, verify_url
from cascada.trainings.services import attendance_record, certificate_issue
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> bytes:
    """The page content streams, inflated, so the drawn text can be searched."""
    out = b""
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            continue
    return out


@pytest.fixture
def certificate(org):
    program = make_program(owner=org, name="Hombres de Miércoles")
    cohort = make_cohort(program=program, sessions=3, name="Cohorte Piura 2026")
    (enrolment,) = enrol(cohort, make_person(organization=org))
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={enrolment.pk: "present"})
    enrolment.refresh_from_db()
    return certificate_issue(actor=None, enrolment=enrolment)


def test_pdf_carries_name_program_cohort_code_and_a_qr(certificate, tmp_path):
    pdf = certificate_pdf(
        certificate, participant_name="José Ñaupari Łukasz", base_url="https://cascada.example/"
    )
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert certificate.code.encode() in text
    assert "José Ñaupari Lukasz".encode("latin-1") in text  # Ł has no Latin-1 form
    assert "Hombres de Miércoles".encode("latin-1") in text
    assert b"Cohorte Piura 2026" in text
    assert b"MANUELA RAMOS" in text
    assert b"/Subtype /Image" in pdf  # the QR code
    assert f"https://cascada.example/verify/{certificate.code}/".encode() in text


def test_verify_url_and_spanish_dates():
    assert verify_url(base_url="http://x.pe/", code="AB12") == "http://x.pe/verify/AB12/"
    import datetime as dt

    assert fecha_es(dt.date(2026, 3, 2)) == "2 de marzo de 2026"
