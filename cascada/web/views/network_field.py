"""Actions recorded in the field: a network's form for ODK Collect and KoboCollect
(XLSForm), the upload of its submissions exported from ODK Central or KoboToolbox, and
the check with the user's decision (docs/decisions/networks.md). Views adapt: the rules
are in ``cascada.networks.xlsform`` and ``cascada.networks.importers``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.imports.models import ImportStatus
from cascada.networks import importers
from cascada.networks.models import Network
from cascada.networks.selectors import may_record, network_get
from cascada.networks.xlsform import actions_xlsform_xlsx, form_id

from ..idempotency import idempotent
from .common import domain_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importable(request: HttpRequest, pk: int) -> Network:
    network = network_get(user=request.user, pk=pk)  # 404 outside the user's scope (S2)
    if not importers.may_import(request.user, network):
        raise PermissionDenied
    return network


@login_required
@require_GET
@domain_errors
def actions_xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    """The network's form, to upload to KoboToolbox or ODK Central."""
    network = network_get(user=request.user, pk=pk)
    if not may_record(request.user, network):
        raise PermissionDenied
    data = actions_xlsform_xlsx(network)
    audit_record(actor=request.user, action="export", target=network, detail={"format": "xlsform"})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="cascada-red-{network.pk}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def actions_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an export of the network's submissions; its check runs in the background."""
    network = _importable(request, pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the exported file first."))
            return redirect("web:network_field_upload", pk=network.pk)
        try:
            record = importers.upload_actions(
                actor=request.user, network=network, upload=upload, filename=upload.name or ""
            )
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect("web:network_field_upload", pk=network.pk)
        return redirect("web:network_field_report", pk=record.pk)
    return render(
        request,
        "web/networks/field_upload.html",
        {"network": network, "form_id": form_id(network), "uploads": importers.uploads_of(network)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def actions_upload_report(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload's check, its problems, and the user's decision; polled while working."""
    record = importers.upload_get_for(user=request.user, pk=pk)  # 404 outside scope (S2)
    if not importers.may_import(request.user, record.network):
        raise PermissionDenied
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reject":
                importers.import_reject(actor=request.user, record=record)
            else:
                importers.import_confirm(
                    actor=request.user,
                    record=record,
                    skip_problems=bool(request.POST.get("skip_problems")),
                )
        except ApplicationError as error:
            messages.error(request, str(error))
        return redirect("web:network_field_report", pk=record.pk)
    context = {
        "record": record,
        "network": record.network,
        "working": record.status in (ImportStatus.UPLOADED, ImportStatus.IMPORTING),
    }
    template = (
        "web/networks/field_report_status.html"
        if request.headers.get("HX-Request")
        else "web/networks/field_report.html"
    )
    return render(request, template, context)
