"""``kill -9`` of the worker in the middle of a 100,000-row import's commit: a new worker
resumes it from the importer's ledger and nothing is lost or written twice."""

from __future__ import annotations

import os
import signal
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from cascada.imports.jobs import import_check_enqueue, import_commit_enqueue
from cascada.imports.models import ImportJob
from cascada.imports.services import import_job_store
from cascada.jobs.models import Job, JobStatus
from cascada.registry.models import Identity, Person
from tests.jobs.conftest import wait_for
from tests.jobs.support import people_csv

ROWS = 100_000


def test_kill_9_mid_commit_then_a_new_worker_finishes_the_import(
    shared_db, files_on_disk, start_worker, org, coordinator
):
    upload = SimpleUploadedFile("gente.csv", people_csv(ROWS), content_type="text/csv")
    imp = import_job_store(actor=coordinator, organization=org, kind="people", upload=upload)
    check = import_check_enqueue(actor=coordinator, job=imp)
    first = start_worker(stale_seconds=3, media_root=files_on_disk)
    wait_for(lambda: Job.objects.get(pk=check.pk).is_finished, timeout=600, every=0.2)
    imp.refresh_from_db()
    assert imp.status == "validated" and imp.valid_rows == ROWS

    work = import_commit_enqueue(actor=coordinator, job=imp, skip_errors=False)
    wait_for(
        lambda: ImportJob.objects.get(pk=imp.pk).rows_done >= ROWS // 2, timeout=600, every=0.02
    )
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = ImportJob.objects.get(pk=imp.pk)
    assert killed.status == "importing" and 0 < killed.rows_done < ROWS
    assert Person.objects.count() == killed.rows_done  # the ledger matches what was written

    time.sleep(3.5)  # the job's heartbeat goes stale
    start_worker(stale_seconds=3, media_root=files_on_disk)
    wait_for(lambda: Job.objects.get(pk=work.pk).is_finished, timeout=600, every=0.2)
    assert Job.objects.get(pk=work.pk).status == JobStatus.SUCCEEDED
    imp.refresh_from_db()
    assert imp.status == "confirmed" and imp.created == ROWS
    assert Person.objects.count() == ROWS  # nothing lost, nothing doubled
    assert Identity.objects.values("national_id_hash").distinct().count() == ROWS
