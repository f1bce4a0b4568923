"""Helpers for tests of pages and commands that ask for background jobs."""

from __future__ import annotations

from typing import Any

from cascada.jobs.models import Job, JobStatus
from cascada.jobs.services import job_run


def run_queued_jobs() -> int:
    """Run every queued job in this process, oldest first, as a worker would; returns
    how many ran. (In a test's transaction ``on_commit`` never fires, so the queue holds
    nothing: the rows are the truth.)"""
    ran = 0
    for _round in range(20):
        queued = list(Job.objects.filter(status=JobStatus.QUEUED).order_by("pk"))
        if not queued:
            break
        for job in queued:
            if job_run(job.pk) != "skipped":
                ran += 1
    return ran


def jobs_inline(monkeypatch: Any, *modules: str) -> None:
    """Jobs asked for through ``job_enqueue`` in ``modules`` run at once, in the request,
    so a test reads the result on the next page. The real queue and worker are tested
    in tests/jobs."""
    from cascada.jobs import services

    real = services.job_enqueue

    def enqueue_and_run(**kwargs: Any) -> Job:
        job = real(**kwargs)
        run_queued_jobs()
        job.refresh_from_db()
        return job

    for module in modules or ("cascada.imports.jobs",):
        monkeypatch.setattr(f"{module}.job_enqueue", enqueue_and_run)


def people_csv(n: int, *, start: int = 0) -> bytes:
    """A people file of ``n`` fictitious men with distinct DNI numbers."""
    lines = ["nombres,apellidos,dni,sexo"]
    lines += [f"Ficticio{i},Prueba{i % 97},{40000000 + start + i},M" for i in range(n)]
    return ("\r\n".join(lines) + "\r\n").encode()
