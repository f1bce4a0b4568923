"""cascada worker: run background jobs (ADR 0007).

Django-tasks' database worker (``db_worker``, same options), plus what it does not do:
jobs that a killed worker left ``running`` are queued again when this worker starts and
after each task it runs (``cascada.jobs.services.jobs_recover``), so they resume.
``make run`` starts it beside the server; in production run it as its own process
(``cascada worker``, e.g. a systemd service with ``Restart=always``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django_tasks_db.management.commands import db_worker

from cascada.jobs.services import jobs_recover

logger = logging.getLogger(__name__)

# Look for lost jobs at most this often while tasks keep coming.
RECOVER_EVERY_SECONDS = 30


def _recover() -> None:
    try:
        jobs_recover()
    except Exception:  # never let the look-out stop the worker
        logger.exception("Looking for lost jobs failed")


class Worker(db_worker.Worker):
    _last_recover = 0.0

    def run_task(self, db_task_result: Any) -> None:
        super().run_task(db_task_result)
        if time.monotonic() - self._last_recover > RECOVER_EVERY_SECONDS:
            self._last_recover = time.monotonic()
            _recover()


class Command(db_worker.Command):
    help = "Run background jobs; jobs left by a killed worker are picked up again."

    def handle(self, *args: Any, **options: Any) -> None:
        _recover()
        db_worker.Worker = Worker  # type: ignore[misc]  # the command builds this class
        super().handle(*args, **options)
