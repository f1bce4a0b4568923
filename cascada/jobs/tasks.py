"""The task the queue carries: a job's id, nothing else. The work is ``services.job_run``."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    from .services import job_run  # the service imports this module to enqueue

    return job_run(job_id)
