"""Uploaded files live on disk under MEDIA_ROOT only until the user decides (S14)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cascada.imports.services import import_job_confirm, import_job_create, import_job_reject
from cascada.registry.models import Person

from .factories import csv_bytes, xlsx_bytes

DISK = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_file_on_disk_is_deleted_after_the_decision(coordinator, org, tmp_path, maker, decision):
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        upload = SimpleUploadedFile("lista de Juan.csv", maker([["nombres", "sexo"], ["Ana", "F"]]))
        job = import_job_create(actor=coordinator, organization=org, kind="people", upload=upload)
        assert job.total_rows == 1 and not job.file_error
        path = job.file.path
        assert os.path.exists(path) and "Juan" not in path  # random storage name
        if decision == "confirm":
            import_job_confirm(actor=coordinator, job=job)
        else:
            import_job_reject(actor=coordinator, job=job)
        assert not os.path.exists(path)
        assert Person.objects.count() == (1 if decision == "confirm" else 0)


# ---------------------------------------------------------------- at rest (S13)

CANARY_NAME, CANARY_ID = "Canario Secreto", "47110815"


def _upload(coordinator, org, maker, name="lista de Juan Pérez.csv"):
    data = maker([["nombres", "apellidos", "dni", "sexo"], [CANARY_NAME, "Prueba", CANARY_ID, "M"]])
    job = import_job_create(
        actor=coordinator, organization=org, kind="people", upload=SimpleUploadedFile(name, data)
    )
    return job, data


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_upload_on_disk_is_ciphertext_readable_by_the_owner_only(coordinator, org, tmp_path, maker):
    from cascada.core.crypto import decrypt_bytes

    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        job, data = _upload(coordinator, org, maker)
        assert job.total_rows == 1 and not job.file_error
        raw = Path(job.file.path).read_bytes()
        assert raw != data and data not in raw
        assert CANARY_NAME.encode() not in raw and CANARY_ID.encode() not in raw
        assert not raw.startswith(b"PK")  # not even recognisable as a spreadsheet
        assert decrypt_bytes(raw) == data
        assert stat.S_IMODE(os.stat(job.file.path).st_mode) == 0o600
        folder = Path(job.file.path).parent
        while folder != tmp_path:
            assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
            folder = folder.parent
        # and the confirmation reads it back
        import_job_confirm(actor=coordinator, job=job)
        assert Person.objects.get().identity.national_id == CANARY_ID


def test_original_file_name_is_ciphertext_in_the_database(coordinator, org):
    from django.db import connection

    job, _data = _upload(coordinator, org, csv_bytes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_name FROM imports_importjob WHERE id = %s", [job.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("enc1:") and "Juan" not in raw and "lista" not in raw
    job.refresh_from_db()
    assert job.original_name == "lista de Juan Pérez.csv"


def test_a_file_over_the_size_limit_is_never_stored(
    coordinator, org, tmp_path, settings, monkeypatch
):
    from cascada.imports import services

    def never(*args, **kwargs):
        raise AssertionError("an oversized upload reached the disk")

    monkeypatch.setattr(services, "upload_store", never)
    settings.CASCADA_IMPORT_MAX_BYTES = 100
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        rows = [["nombres", "sexo"], *[[f"Ficticio{i}", "M"] for i in range(20)]]
        job = import_job_create(
            actor=coordinator,
            organization=org,
            kind="people",
            upload=SimpleUploadedFile("grande.csv", csv_bytes(rows)),
        )
        assert job.file_error["code"] == "file_too_large" and not job.file
        assert "at most 100 bytes" in job.file_error_text
        assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_file_that_cannot_be_imported_is_deleted_at_once(coordinator, org, tmp_path):
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        job = import_job_create(
            actor=coordinator,
            organization=org,
            kind="people",
            upload=SimpleUploadedFile("x.csv", csv_bytes([["nombres", "sexo"]])),
        )
        assert job.file_error["code"] == "no_rows" and not job.file
        assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_uploading_no_longer_sweeps_other_uploads(coordinator, org):
    # The sweep is the scheduled command's job (cascada imports_sweep), not a side effect.
    import datetime as dt

    from django.utils import timezone

    from cascada.imports.models import ImportJob

    old, _data = _upload(coordinator, org, csv_bytes)
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    _upload(coordinator, org, csv_bytes)
    old.refresh_from_db()
    assert old.status == "validated" and old.file


def test_migration_encrypts_names_and_pending_files_written_by_earlier_versions(
    coordinator, org, tmp_path
):
    import importlib

    from django.apps import apps
    from django.db import connection

    from cascada.core.crypto import decrypt_bytes
    from cascada.imports.models import ImportJob

    migration = importlib.import_module("cascada.imports.migrations.0002_encrypt_upload_names")
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        pending, _ = _upload(coordinator, org, csv_bytes)
        closed, _ = _upload(coordinator, org, csv_bytes)
        plain = csv_bytes([["nombres"], [CANARY_NAME]])
        for job in (pending, closed):
            Path(job.file.path).write_bytes(plain)  # as version 0001 left them
        ImportJob.objects.filter(pk=closed.pk).update(status="rejected")
        closed_path = closed.file.path
        with connection.cursor() as cursor:
            cursor.execute("UPDATE imports_importjob SET original_name = 'Juan.csv'")
            cursor.execute(
                "UPDATE imports_importjob SET errors = %s WHERE id = %s",
                [
                    '[{"row": 2, "column": "dni", "code": "registered_elsewhere", '
                    '"params": {"code": "SECRETO1"}}]',
                    pending.pk,
                ],
            )
        # the function reads only ``schema_editor.connection``
        migration.forwards(apps, SimpleNamespace(connection=connection))
        pending.refresh_from_db()
        assert pending.original_name == "Juan.csv"
        raw = Path(pending.file.path).read_bytes()
        assert CANARY_NAME.encode() not in raw and decrypt_bytes(raw) == plain
        assert stat.S_IMODE(os.stat(pending.file.path).st_mode) == 0o600
        assert not os.path.exists(closed_path)
        assert "SECRETO1" not in str(pending.errors)
