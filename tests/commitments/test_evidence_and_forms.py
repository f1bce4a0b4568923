"""A milestone's evidence files (checked by their content, photos without their location,
encrypted at rest, downloaded only by those who open the commitment, each download
audited), and the grant manager's and reporters' smaller forms: the mentor, exchange
rates, a testimony's consent (docs/decisions/commitments.md)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.commitments.models import ExchangeRate, MilestoneEvidence
from cascada.commitments.selectors import testimonies_publishable as publishable
from cascada.commitments.services import (
    evidence_add,
    evidence_bytes,
    grant_create,
)
from cascada.commitments.services import (
    testimony_record as record_testimony,
)
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org, make_person

pytestmark = pytest.mark.django_db

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DISK = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def focal_user(focal):
    return make_user(username="juana-cies", person=focal)


def _in(client, user):
    login_verified(client, user)
    return client


def _report(client, commitment, milestone, upload, status="done"):
    return client.post(
        f"/commitments/{commitment.pk}/milestone/",
        {
            "ms-milestone": milestone.pk,
            "ms-status": status,
            "ms-on": "2019-07-29",
            "ms-note": "",
            "ms-evidence": upload,
            "ms-evidence_description": "Informe del diagnóstico firmado",
        },
    )


def _photo_with_location() -> bytes:
    picture = Image.new("RGB", (40, 30), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TelefonoDeJuana"  # camera maker
    exif[0x8825] = {1: "S", 2: (16.0, 30.0, 0.0), 3: "W", 4: (68.0, 9.0, 0.0)}  # GPS
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


# ---------------------------------------------------------------- evidence


def test_the_focal_point_attaches_a_pdf_kept_encrypted_and_downloaded_by_the_mentor(
    client, focal_user, mentor, commitment, tmp_path
):
    milestone = commitment.milestones.get(key="diagnostico")
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        _in(client, focal_user)
        answer = _report(
            client, commitment, milestone, SimpleUploadedFile("diagnóstico final.pdf", PDF)
        )
        assert answer.status_code == 302
        evidence = MilestoneEvidence.objects.get()
        assert evidence.kind == "pdf" and evidence.milestone == milestone
        stored = Path(evidence.file.path).read_bytes()
        assert PDF not in stored and b"%PDF" not in stored  # encrypted at rest (S13)
        assert "diagn" not in evidence.file.name  # a random name on the disk
        assert evidence_bytes(evidence) == PDF
        page = client.get(f"/commitments/{commitment.pk}/").content.decode()
        assert "diagnóstico final.pdf" in page and f"/commitments/evidence/{evidence.pk}/" in page

        client.logout()
        _in(client, mentor)
        download = client.get(f"/commitments/evidence/{evidence.pk}/")
        assert download.status_code == 200 and download.content == PDF
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment")
        assert "no-store" in download["Cache-Control"]
        assert AuditEvent.objects.filter(
            actor=mentor, action="view", target_type="commitments.milestoneevidence"
        ).exists()


def test_evidence_is_not_downloaded_outside_the_commitment(
    client, commitment, alianza_commitment, other_mentor, funder
):
    milestone = commitment.milestones.get(key="diagnostico")
    evidence = evidence_add(actor=None, milestone=milestone, name="a.pdf", data=PDF)
    outsiders = [
        other_mentor,  # mentors another institution's commitment
        make_user(role=Role.VIEWER, organization=funder),  # the funder's viewer
        make_user(role=Role.COORDINATOR, organization=make_org(name="Otra")),
    ]
    for user in outsiders:
        _in(client, user)
        assert client.get(f"/commitments/evidence/{evidence.pk}/").status_code == 404
        client.logout()
    assert not AuditEvent.objects.filter(action="view").exists()


def test_a_photo_loses_its_location_before_it_is_kept(commitment, tmp_path):
    milestone = commitment.milestones.get(key="diagnostico")
    original = _photo_with_location()
    assert b"TelefonoDeJuana" in original
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        evidence = evidence_add(actor=None, milestone=milestone, name="foto.jpg", data=original)
        kept = evidence_bytes(evidence)
    assert evidence.kind == "jpg"
    assert b"TelefonoDeJuana" not in kept
    assert not Image.open(io.BytesIO(kept)).getexif().get_ifd(0x8825)


@pytest.mark.parametrize(
    "name, data",
    [
        ("informe.pdf", b"MZ\x90\x00 a program named like a report"),
        ("hoja.xlsx", b"PK\x03\x04 not really a zip"),
        ("vacío.pdf", b""),
    ],
)
def test_a_file_that_is_not_evidence_is_refused_and_the_status_is_not_saved(
    client, focal_user, commitment, name, data
):
    milestone = commitment.milestones.get(key="diagnostico")
    _in(client, focal_user)
    answer = _report(client, commitment, milestone, SimpleUploadedFile(name, data))
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "errorlist" in body
    milestone.refresh_from_db()
    assert milestone.status == "not_started"  # nothing half-written
    assert not MilestoneEvidence.objects.exists()


def test_a_file_over_ten_megabytes_is_refused(client, focal_user, commitment):
    milestone = commitment.milestones.get(key="diagnostico")
    _in(client, focal_user)
    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * (10 * 1024 * 1024))
    answer = _report(client, commitment, milestone, big)
    assert answer.status_code == 400 and "10 MB" in answer.content.decode()
    assert not MilestoneEvidence.objects.exists()


def test_a_word_file_and_an_opendocument_file_are_recognised_by_content():
    import zipfile

    from cascada.commitments.services import evidence_kind

    def zipped(parts: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name, body in parts.items():
                z.writestr(name, body)
        return out.getvalue()

    assert evidence_kind(zipped({"[Content_Types].xml": b"", "word/document.xml": b""})) == "docx"
    assert evidence_kind(zipped({"xl/workbook.xml": b""})) == "xlsx"
    assert evidence_kind(zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})) == "odt"
    assert evidence_kind(zipped({"other.txt": b"x"})) is None


def test_a_mentor_may_not_attach_evidence(client, mentor, commitment):
    milestone = commitment.milestones.get(key="diagnostico")
    _in(client, mentor)
    answer = _report(client, commitment, milestone, SimpleUploadedFile("a.pdf", PDF))
    assert answer.status_code == 403
    assert not MilestoneEvidence.objects.exists()


# ---------------------------------------------------------------- the mentor


def test_the_grant_manager_assigns_a_mentor_among_the_funders_users_only(
    client, manager, commitment, funder
):
    colleague = make_user(username="mentora-promundo", person=make_person(organization=funder))
    stranger = make_user(
        username="ajeno", role=Role.COORDINATOR, organization=make_org(name="Ajena")
    )
    _in(client, manager)
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert "mentora-promundo" in page and "ajeno" not in page  # other orgs' users unlisted
    refused = client.post(f"/commitments/{commitment.pk}/mentor/", {"mn-mentor": stranger.pk})
    assert refused.status_code == 400
    commitment.refresh_from_db()
    assert commitment.mentor.username == "mentora-cies"
    done = client.post(f"/commitments/{commitment.pk}/mentor/", {"mn-mentor": colleague.pk})
    assert done.status_code == 302
    commitment.refresh_from_db()
    assert commitment.mentor == colleague


def test_the_focal_point_may_not_change_the_mentor(client, focal_user, commitment):
    _in(client, focal_user)
    answer = client.post(f"/commitments/{commitment.pk}/mentor/", {"mn-mentor": ""})
    assert answer.status_code == 403
    commitment.refresh_from_db()
    assert commitment.mentor is not None


# ---------------------------------------------------------------- exchange rates


def test_the_grant_manager_records_a_rate_then_dollar_spending_converts_exactly(
    client, manager, commitment
):
    grant = grant_create(
        actor=None,
        commitment=commitment,
        amount="20000.00",
        currency="BOB",
        awarded_on=D(2019, 3, 20),
        tranches=[{"amount": "20000.00"}],
    )
    _in(client, manager)
    spend = {
        "sp-grant": grant.pk,
        "sp-budget_line": "Materiales",
        "sp-date": "2019-05-02",
        "sp-amount": "100.00",
        "sp-currency": "USD",
    }
    refused = client.post(f"/commitments/{commitment.pk}/spending/", spend)
    assert refused.status_code == 400  # no rate recorded: nothing converted
    answer = client.post(
        f"/commitments/{commitment.pk}/rate/",
        {
            "ra-grant": grant.pk,
            "ra-currency": "USD",
            "ra-rate": "6,96",
            "ra-valid_from": "2019-05-01",
            "ra-source": "Banco Central de Bolivia",
        },
    )
    assert answer.status_code == 302
    assert str(ExchangeRate.objects.get().rate) == "6.960000"
    assert client.post(f"/commitments/{commitment.pk}/spending/", spend).status_code == 302
    assert str(grant.spending.get().amount) == "696.00"
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert "Banco Central de Bolivia" in page


# ---------------------------------------------------------------- consent


def test_withdrawn_consent_takes_a_testimony_out_of_the_booklet(
    client, focal_user, commitment, initiative, cies
):
    testimony = record_testimony(
        actor=None,
        commitment=commitment,
        quote="Revisar lo personal es la verdadera lección",
        author_institution=cies,
        recorded_on=D(2021, 12, 2),
        consent_to_publish=True,
        consent_on=D(2021, 12, 2),
    )
    assert list(publishable(initiative=initiative)) == [testimony]
    _in(client, focal_user)
    answer = client.post(
        f"/commitments/{commitment.pk}/consent/",
        {"co-testimony": testimony.pk, "co-consent": "no", "co-on": ""},
    )
    assert answer.status_code == 302
    assert not publishable(initiative=initiative).exists()
    again = client.post(
        f"/commitments/{commitment.pk}/consent/",
        {"co-testimony": testimony.pk, "co-consent": "yes", "co-on": ""},
    )
    assert again.status_code == 400  # consent needs its date
    assert not publishable(initiative=initiative).exists()
