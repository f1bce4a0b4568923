"""Uploaded files live on disk under MEDIA_ROOT only until the user decides (S14)."""

from __future__ import annotations

import os

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
