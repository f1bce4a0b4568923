"""Job kinds used only by the tests, registered by ``register_test_kinds``."""

from __future__ import annotations

import os
import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.accounts.roles import Cap
from cascada.audit.models import AuditEvent
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.jobs import kinds
from cascada.jobs.kinds import JobKind
from cascada.jobs.services import JobContext
from cascada.registry.selectors import person_list

CALLS: list[int] = []


def list_people(ctx: JobContext) -> dict[str, Any]:
    """Sees what the asker sees, and records a read as them."""
    CALLS.append(ctx.job.pk)
    codes = sorted(person_list(user=ctx.actor).values_list("code", flat=True))
    audit_record(actor=ctx.actor, action="view_list", target_type="registry.person")
    return {"codes": codes}


def tick(ctx: JobContext) -> dict[str, Any]:
    """Writes ``params["n"]`` marker rows in batches, each batch with its progress (the
    ledger), resuming where a killed attempt stopped; checks for cancellation per batch.
    ``params["pause"]`` seconds between batches let a test watch, cancel or kill it."""
    n = int(ctx.params["n"])
    batch = int(ctx.params.get("batch", 10))
    pause = float(ctx.params.get("pause", 0))
    done = ctx.resume_from
    ctx.progress(done, n)
    while done < n:
        ctx.stop_if_cancelled()
        upto = min(n, done + batch)
        with transaction.atomic():
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    action="tick",
                    target_type="jobs.job",
                    target_id=str(ctx.job.pk),
                    detail={"i": i},
                    actor=ctx.actor,
                )
                for i in range(done, upto)
            )
            ctx.progress(upto, n)
        done = upto
        if pause:
            time.sleep(pause)
    return {"written": n, "pid": os.getpid()}


def refuse(ctx: JobContext) -> None:
    raise ApplicationError(_("The file has no rows."), code="empty")


def crash(ctx: JobContext) -> None:
    raise ZeroDivisionError("secret-detail-123")


TEST_KINDS = (
    JobKind(
        key="test_list_people",
        label="List people",
        handler=f"{__name__}.list_people",
        capability=Cap.VIEW_PEOPLE,
    ),
    JobKind(
        key="test_tick",
        label="Tick",
        handler=f"{__name__}.tick",
        capability=Cap.IMPORT,
        lane="test",
    ),
    JobKind(key="test_refuse", label="Refuse", handler=f"{__name__}.refuse", capability=Cap.IMPORT),
    JobKind(key="test_crash", label="Crash", handler=f"{__name__}.crash", capability=Cap.IMPORT),
)


def register_test_kinds() -> None:
    for kind in TEST_KINDS:
        kinds.register(kind)


def unregister_test_kinds() -> None:
    for kind in TEST_KINDS:
        kinds.unregister(kind.key)
