"""Downloads of a payload, and pushes: asked for (``push_request``: a dry run first, one
at a time per organization, as a background job) and run (``push_run``: build, send, store
DHIS2's import summary, or the failure in words)."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.jobs.services import job_enqueue
from cascada.registry.models import Organization
from cascada.trainings.models import Program

from ...models import Dhis2Format, Dhis2Push, Dhis2PushStatus, Dhis2Server
from .. import client, payloads, rules
from ..selectors import dry_run_ok, programs_reported, server_of
from .config import require_keeper

JOB_KIND = "dhis2_push"
IMPORT_STRATEGY = "CREATE_AND_UPDATE"


def _periods(periods: str | list[str]) -> list[str]:
    return rules.parse_periods(periods if isinstance(periods, str) else " ".join(periods))


def _program(organization: Organization, program: Program | int | None) -> Program | None:
    if program is None:
        return None
    pk = program.pk if isinstance(program, Program) else int(program)
    found = programs_reported(organization_id=organization.pk).filter(pk=pk).first()
    if found is None:
        if Program.objects.filter(pk=pk, owner=organization, is_court_mandated=True).exists():
            raise ApplicationError(
                _("The figures of court-mandated programs are not sent to DHIS2."),
                code="court_program",
                extra={"field": "program"},
            )
        raise NotFoundError()
    return found


def export_download(
    *,
    actor: Any,
    organization: Organization,
    periods: str | list[str],
    fmt: str,
    program: Program | int | None = None,
) -> payloads.Export:
    """The payload a push would send (for a program, or the whole organization), to look
    at or import by hand. Audited as an export of aggregates."""
    require_keeper(actor, organization.pk)
    if fmt not in Dhis2Format.values:
        raise ApplicationError(_("Choose one of the options offered."), extra={"field": "format"})
    keys = _periods(periods)
    chosen = _program(organization, program)
    export = payloads.build(
        organization=organization,
        periods=keys,
        fmt=fmt,
        program=chosen,
        server=server_of(organization.pk),
    )
    audit_record(
        actor=actor,
        action="export",
        target=chosen if chosen is not None else organization,
        detail={"format": f"dhis2_{fmt}", "count": export.values},
    )
    return export


# ---------------------------------------------------------------- pushes


def _server_ready(organization_id: int) -> Dhis2Server:
    server = server_of(organization_id)
    if server is None:
        raise ApplicationError(
            _("Give the DHIS2 server's address, user and password first."), code="no_server"
        )
    if not server.active:
        raise ApplicationError(
            _("Sending to DHIS2 is switched off in the settings."), code="server_inactive"
        )
    return server


def push_request(
    *,
    actor: Any,
    organization: Organization,
    periods: str | list[str],
    fmt: str = Dhis2Format.JSON,
    dry_run: bool = True,
) -> Dhis2Push:
    """Ask for a push of the organization's figures (a background job). A real one only
    after DHIS2 accepted a dry run of the same periods, with nothing changed since."""
    require_keeper(actor, organization.pk)
    _server_ready(organization.pk)
    if fmt not in Dhis2Format.values:
        raise ApplicationError(_("Choose one of the options offered."), extra={"field": "format"})
    keys = _periods(periods)
    if not dry_run and not dry_run_ok(organization_id=organization.pk, periods=keys, fmt=fmt):
        raise ApplicationError(
            _(
                "Make a dry run of these periods first: DHIS2 checks everything and keeps "
                "nothing. Once it accepted it (with nothing changed since), send."
            ),
            code="dry_run_first",
        )
    with transaction.atomic():
        busy = (
            Dhis2Push.objects.select_for_update()
            .filter(
                organization=organization,
                status__in=(Dhis2PushStatus.QUEUED, Dhis2PushStatus.RUNNING),
            )
            .exists()
        )
        if busy:
            raise ApplicationError(
                _("A push of this organization is under way: wait for it to end."),
                code="push_busy",
            )
        push = Dhis2Push.objects.create(
            organization=organization,
            created_by=actor,
            dry_run=dry_run,
            format=fmt,
            periods=keys,
        )
        job = job_enqueue(
            actor=actor, kind=JOB_KIND, organization=organization, params={"push": push.pk}
        )
        push.job = job
        push.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action="dhis2.push",
            target=push,
            detail={"dry_run": dry_run, "format": fmt, "count": len(keys)},
        )
    return push


def _params(server: Dhis2Server, *, dry_run: bool, fmt: str) -> dict[str, str]:
    params = {
        "dryRun": "true" if dry_run else "false",
        "importStrategy": IMPORT_STRATEGY,
        "async": "false",
        "idScheme": server.id_scheme,
        "dataElementIdScheme": server.id_scheme,
        "categoryOptionComboIdScheme": server.id_scheme,
        "dataSetIdScheme": server.id_scheme,
        "orgUnitIdScheme": server.org_unit_id_scheme,
    }
    if fmt == Dhis2Format.ADX:
        params["categoryIdScheme"] = "code"
        params["categoryOptionIdScheme"] = "code"
    return params


def _failed(actor: Any, push: Dhis2Push, message: str, code: str) -> None:
    push.status = Dhis2PushStatus.FAILED
    push.message = message[:1000]
    push.finished = timezone.now()
    push.save()
    audit_record(
        actor=actor,
        action="dhis2.pushed",
        target=push,
        detail={"status": "failed", "code": code[:40], "dry_run": push.dry_run},
    )


def push_run(*, actor: Any, push: Dhis2Push) -> Dhis2Push:
    """Build the payload, send it, store DHIS2's import summary (the job's work). A
    failure is stored with its message and raised (the job fails with it too)."""
    require_keeper(actor, push.organization_id)
    Dhis2Push.objects.filter(pk=push.pk).update(status=Dhis2PushStatus.RUNNING)
    push.status = Dhis2PushStatus.RUNNING
    try:
        server = _server_ready(push.organization_id)
        export = payloads.build(
            organization=push.organization,
            periods=list(push.periods),
            fmt=push.format,
            server=server,
        )
        push.skipped = [s.as_json() for s in export.skipped]
        push.values_sent = export.values
        if not export.values:
            raise ApplicationError(
                _("Nothing to send: no mapped figure in these periods."), code="nothing_to_send"
            )
        body = (
            export.payload
            if isinstance(export.payload, bytes)
            else json.dumps(export.payload, ensure_ascii=False).encode("utf-8")
        )
        summary = client.send(
            base_url=server.base_url,
            username=server.username,
            password=server.password,
            body=body,
            content_type=export.content_type,
            params=_params(server, dry_run=push.dry_run, fmt=push.format),
        )
    except ApplicationError as problem:
        _failed(actor, push, str(problem), problem.code)
        raise
    except Exception:
        _failed(actor, push, _("Something went wrong on our side. The team has been told."), "bug")
        raise
    push.status = summary.status
    push.http_status = summary.http_status
    push.imported = summary.imported
    push.updated = summary.updated
    push.ignored = summary.ignored
    push.deleted = summary.deleted
    push.conflicts = summary.conflicts
    push.description = summary.description[:300]
    push.finished = timezone.now()
    push.save()
    audit_record(
        actor=actor,
        action="dhis2.pushed",
        target=push,
        detail={
            "status": summary.status,
            "dry_run": push.dry_run,
            "count": push.values_sent,
            "imported": summary.imported,
            "updated": summary.updated,
            "ignored": summary.ignored,
            "deleted": summary.deleted,
            "conflicts": len(summary.conflicts),
        },
    )
    return push
