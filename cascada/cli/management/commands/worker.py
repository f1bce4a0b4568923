"""cascada worker: run background jobs (ADR 0007).

Django-tasks' database worker (``db_worker``, same options), plus what it does not do:
jobs that a killed worker left ``running`` are queued again when this worker starts and
after each task it runs (``cascada.jobs.services.jobs_recover``), so they resume.
``make run`` starts it beside the server; in production run it as its own process
(``cascada worker``, e.g. a systemd service with ``Restart=always``).

It also keeps the indicators' fill table filled (``cascada.indicators.fill.fill_due``)
every ``CASCADA_INDICATORS_FILL_SECONDS`` (300; 0 turns it off, for production setups that
run ``cascada indicators_fill`` from cron instead), in a thread of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections
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


def _fill_forever(every: float, stop: threading.Event) -> None:
    """The indicators' schedule: what is due, every ``every`` seconds, until ``stop``."""
    from cascada.indicators.fill import fill_due

    while not stop.wait(every):
        try:
            close_old_connections()
            fill_due()
        except Exception:  # never let the schedule stop the worker
            logger.exception("Filling the indicators failed")
        finally:
            close_old_connections()


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
        every = float(getattr(settings, "CASCADA_INDICATORS_FILL_SECONDS", 300))
        if every > 0:
            stop = threading.Event()
            threading.Thread(
                target=_fill_forever, args=(every, stop), name="indicators-fill", daemon=True
            ).start()
        db_worker.Worker = Worker  # type: ignore[misc]  # the command builds this class
        super().handle(*args, **options)
