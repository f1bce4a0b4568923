"""cascada rotate_field_keys re-encrypts the uploads waiting for a decision too (S13)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from cascada.core.crypto import decrypt_bytes
from cascada.imports.models import ImportJob
from cascada.imports.services import import_job_confirm, import_job_create
from cascada.imports.storage import upload_open
from cascada.registry.models import Person
from tests.imports.factories import csv_bytes

DISK = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_rotation_re_encrypts_stored_uploads_and_their_names(coordinator, org, tmp_path, settings):
    old = settings.CASCADA_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    data = csv_bytes([["nombres", "sexo"], ["Rotada", "F"]])
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        job = import_job_create(
            actor=coordinator,
            organization=org,
            kind="people",
            upload=SimpleUploadedFile("lista.csv", data),
        )
        before = Path(job.file.path)

        settings.CASCADA_FIELD_KEYS = [new, old]
        out = io.StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "imports.ImportJob.file (uploaded files): 1" in out.getvalue()
        assert "imports.ImportJob.original_name: 1" in out.getvalue()
        job.refresh_from_db()
        after = Path(job.file.path)
        assert after != before and not before.exists()  # the old ciphertext is gone

        settings.CASCADA_FIELD_KEYS = [new]  # the old key is destroyed
        assert upload_open(job).read() == data
        assert ImportJob.objects.get(pk=job.pk).original_name == "lista.csv"
        settings.CASCADA_FIELD_KEYS = [old]  # and alone it no longer reads the file
        with pytest.raises(ImproperlyConfigured):
            decrypt_bytes(after.read_bytes())

        settings.CASCADA_FIELD_KEYS = [new]
        import_job_confirm(actor=coordinator, job=ImportJob.objects.get(pk=job.pk))
        assert Person.objects.get().identity.given_name == "Rotada"


def test_rotation_re_encrypts_photos_of_community_actions(org, tmp_path, settings):
    """Photos are kept for years: a destroyed old key must not leave them unreadable, and
    the old ciphertext must go."""
    import datetime as dt

    from PIL import Image

    from cascada.networks.models import Network
    from cascada.networks.services import action_record, photo_add, photo_bytes

    old = settings.CASCADA_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(picture, format="JPEG")
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        network = Network.objects.create(organization=org, name="Red", kind="municipal")
        action = action_record(
            actor=None, network=network, date=dt.date(2026, 5, 1), kind="fair", title="Feria"
        )[0]
        photo = photo_add(actor=None, action=action, data=picture.getvalue(), consent="De palabra")
        clear = photo_bytes(photo)
        before = Path(photo.file.path)
        settings.CASCADA_FIELD_KEYS = [new, old]
        out = io.StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "networks.ActionPhoto.file: 1" in out.getvalue()
        photo.refresh_from_db()
        assert not before.exists()
        settings.CASCADA_FIELD_KEYS = [new]  # the old key is destroyed
        assert photo_bytes(photo) == clear


def test_rotation_re_encrypts_evidence_files_of_milestones(org, tmp_path, settings):
    """Evidence is kept for the life of the initiative and after: same as photos."""
    import datetime as dt

    from cascada.commitments.services import (
        Plan,
        commitment_create,
        evidence_add,
        evidence_bytes,
        initiative_create,
    )

    old = settings.CASCADA_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    report = b"%PDF-1.4 informe de medio termino"
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        initiative = initiative_create(
            actor=None,
            funder=org,
            name="Iniciativa",
            starts_on=dt.date(2019, 3, 1),
            ends_on=dt.date(2021, 12, 31),
            organizations=[org],
        )
        commitment = commitment_create(
            actor=None,
            initiative=initiative,
            institution=org,
            plan=Plan(
                aim="Compromiso",
                themes=["schools"],
                milestones=[{"key": "m", "title": "Informe", "due_on": dt.date(2019, 9, 30)}],
            ),
            created_on=dt.date(2019, 3, 15),
        )
        evidence = evidence_add(
            actor=None, milestone=commitment.milestones.get(), name="informe.pdf", data=report
        )
        before = Path(evidence.file.path)
        settings.CASCADA_FIELD_KEYS = [new, old]
        out = io.StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "commitments.MilestoneEvidence.file: 1" in out.getvalue()
        assert "commitments.MilestoneEvidence.original_name: 1" in out.getvalue()
        evidence.refresh_from_db()
        assert not before.exists()
        settings.CASCADA_FIELD_KEYS = [new]  # the old key is destroyed
        assert evidence_bytes(evidence) == report
