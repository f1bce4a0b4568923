"""cascada imports_sweep: the scheduled deletion of uploads that must not linger (S14)."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cascada.audit.models import AuditEvent
from cascada.imports.models import ImportJob
from cascada.imports.services import import_job_create, import_job_reject
from tests.imports.factories import csv_bytes

DISK = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def disk(tmp_path):
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def upload(coordinator, org) -> ImportJob:
    return import_job_create(
        actor=coordinator,
        organization=org,
        kind="people",
        upload=SimpleUploadedFile("p.csv", csv_bytes([["nombres", "sexo"], ["Ana", "F"]])),
    )


def sweep() -> str:
    out = io.StringIO()
    call_command("imports_sweep", stdout=out)
    return out.getvalue()


def test_sweep_removes_expired_leftover_and_orphan_files_and_keeps_fresh_ones(
    coordinator, org, disk
):
    fresh = upload(coordinator, org)
    expired = upload(coordinator, org)
    ImportJob.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    leftover = upload(coordinator, org)
    leftover_path = Path(leftover.file.path)
    import_job_reject(actor=coordinator, job=leftover)
    leftover_path.parent.mkdir(parents=True, exist_ok=True)
    leftover_path.write_bytes(b"left behind")  # as if the deletion had failed
    ImportJob.objects.filter(pk=leftover.pk).update(file=str(leftover_path.relative_to(disk)))
    old_orphan = disk / "imports" / "2020" / "01" / "abandoned.upload"
    old_orphan.parent.mkdir(parents=True)
    old_orphan.write_bytes(b"x")
    a_day_ago = time.time() - 25 * 3600
    os.utime(old_orphan, (a_day_ago, a_day_ago))
    new_orphan = disk / "imports" / "in-progress.upload"  # being uploaded right now
    new_orphan.write_bytes(b"x")
    expired_path = Path(expired.file.path)

    printed = sweep()

    assert f"Import {expired.pk}: undecided for more than 24 hours, rejected" in printed
    assert f"Import {leftover.pk}: already closed" in printed
    assert "imports/2020/01/abandoned.upload, which belongs to no import" in printed
    assert "Swept 3 uploads." in printed
    assert "p.csv" not in printed  # never the user's file name
    assert not expired_path.exists() and not leftover_path.exists() and not old_orphan.exists()
    assert Path(fresh.file.path).exists() and new_orphan.exists()
    expired.refresh_from_db()
    assert expired.status == "rejected" and not expired.file and expired.finished_at
    assert AuditEvent.objects.filter(action="import_expire", target_id=str(expired.pk)).exists()
    fresh.refresh_from_db()
    assert fresh.status == "validated" and fresh.file

    # idempotent
    assert sweep().strip() == "Nothing to delete."
    assert Path(fresh.file.path).exists()


def test_keeping_time_is_a_setting(coordinator, org, disk, settings):
    settings.CASCADA_IMPORT_KEEP_HOURS = 1
    job = upload(coordinator, org)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert f"Import {job.pk}: undecided for more than 1 hour, rejected" in sweep()


def test_sweep_with_nothing_stored(db, disk):
    assert sweep().strip() == "Nothing to delete."


def test_an_expired_job_that_kept_no_file_is_closed_too(coordinator, org, disk):
    job = import_job_create(
        actor=coordinator,
        organization=org,
        kind="people",
        upload=SimpleUploadedFile("p.csv", csv_bytes([["nombres", "sexo"]])),  # no rows
    )
    assert job.file_error and not job.file
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert f"Import {job.pk}: undecided for more than 24 hours, rejected (it kept no file)." in (
        sweep()
    )
    job.refresh_from_db()
    assert job.status == "rejected"
