"""Real worker processes on a database both processes see (SQLite file or PostgreSQL):
progress read from this process while the worker runs; cancel; ``kill -9`` mid-job and a
new worker finishing it with nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import time

from cascada.audit.models import AuditEvent
from cascada.jobs.models import Job, JobStatus
from cascada.jobs.services import job_cancel, job_enqueue
from tests.jobs.conftest import wait_for


def _job(pk: int) -> Job:
    return Job.objects.get(pk=pk)


def _ticks(job: Job) -> list[int]:
    return sorted(
        e.detail["i"] for e in AuditEvent.objects.filter(action="tick", target_id=str(job.pk))
    )


def test_progress_is_visible_from_another_process_while_the_worker_runs(
    shared_db, start_worker, org, coordinator
):
    job = job_enqueue(
        actor=coordinator,
        kind="test_tick",
        organization=org,
        params={"n": 200, "batch": 20, "pause": 0.15},
    )  # no transaction here: the task is queued at once
    start_worker()
    seen: set[int] = set()

    def finished() -> bool:
        current = _job(job.pk)
        if current.status == JobStatus.RUNNING:
            seen.add(current.done)
        return current.is_finished

    wait_for(finished, timeout=90, every=0.05)
    assert _job(job.pk).status == JobStatus.SUCCEEDED
    assert len({d for d in seen if 0 < d < 200}) >= 3, seen  # watched it move
    assert _job(job.pk).result["pid"] != os.getpid()  # it ran in the worker process


def test_a_running_job_is_cancelled_from_another_process(shared_db, start_worker, org, coordinator):
    job = job_enqueue(
        actor=coordinator,
        kind="test_tick",
        organization=org,
        params={"n": 1000, "batch": 10, "pause": 0.1},
    )
    start_worker()
    wait_for(lambda: _job(job.pk).done > 0, timeout=60)
    job_cancel(actor=coordinator, job=_job(job.pk))
    wait_for(lambda: _job(job.pk).is_finished, timeout=60)
    final = _job(job.pk)
    assert final.status == JobStatus.CANCELLED
    assert 0 < final.done < 1000
    assert _ticks(final) == list(range(final.done))  # what was written matches the ledger


def test_kill_9_mid_job_then_a_new_worker_finishes_it_with_nothing_lost_or_doubled(
    shared_db, start_worker, org, coordinator
):
    n = 600
    job = job_enqueue(
        actor=coordinator,
        kind="test_tick",
        organization=org,
        params={"n": n, "batch": 20, "pause": 0.05},
    )
    first = start_worker(stale_seconds=2)
    wait_for(lambda: _job(job.pk).done >= 100, timeout=60)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = _job(job.pk)
    assert killed_at.status == JobStatus.RUNNING and 0 < killed_at.done < n
    assert _ticks(killed_at) == list(range(killed_at.done))  # a batch is all or nothing

    time.sleep(2.5)  # the heartbeat goes stale
    start_worker(stale_seconds=2)  # finds the lost job when it starts
    wait_for(lambda: _job(job.pk).is_finished, timeout=90)
    final = _job(job.pk)
    assert final.status == JobStatus.SUCCEEDED, final.message
    assert final.attempts == 2 and final.done == n
    assert _ticks(final) == list(range(n))  # nothing lost, nothing doubled
    assert AuditEvent.objects.filter(action="finish", target_id=str(job.pk)).count() == 1
