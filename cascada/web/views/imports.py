"""Imports (upload, dry-run review, confirm or reject) and exports (CSV, XLSX).

Views adapt only: the checking and importing live in ``cascada.imports.services``, the
scoped reads of jobs in ``cascada.imports.selectors``, the exports with their data
(``cascada.trainings.exports.EXPORTS``).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import ApplicationError
from cascada.imports.formats import CONTENT_TYPES, DIALECTS, csv_lines, xlsx_write
from cascada.imports.jobs import (
    import_check_enqueue,
    import_commit_enqueue,
    import_job_work,
    import_work_cancel,
)
from cascada.imports.kinds import kind_choices
from cascada.imports.models import ImportStatus
from cascada.imports.selectors import (
    import_job_get,
    import_job_list,
    import_organizations,
)
from cascada.imports.services import import_job_reject, import_job_store
from cascada.jobs.models import JobStatus
from cascada.registry.models import Organization
from cascada.registry.selectors import organization_list
from cascada.trainings.exports import EXPORTS
from cascada.trainings.selectors import cohort_list, program_list

from ..forms import model_choice_field
from ..idempotency import idempotent
from .common import HtmxHttpRequest, domain_errors

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=kind_choices)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"), queryset=Organization.objects.none()
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV or Excel (.xlsx). The first row holds the column names, in Spanish or English."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Excel only, optional: the name of the sheet to read. Without it, the first "
            "visible sheet with the columns of this import is read."
        ),
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organization")
        field.queryset = organizations
        if organizations.count() == 1:
            field.initial = organizations.first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; split it into smaller files.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def import_start(request: HttpRequest) -> HttpResponse:
    """Keeps the file and queues its check (a background job): returns at once."""
    organizations = import_organizations(user=request.user)
    if not organizations.exists():
        raise PermissionDenied()
    form = ImportForm(request.POST or None, request.FILES or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_store(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                kind=form.cleaned_data["kind"],
                upload=upload,
                filename=upload.name,
                sheet=form.cleaned_data.get("sheet") or "",
            )
            import_check_enqueue(actor=request.user, job=job)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return redirect("web:import_review", pk=job.pk)
    return render(
        request,
        "web/imports/start.html",
        {"form": form, "jobs": import_job_list(user=request.user)[:10]},
        status=400 if form.errors else 200,
    )


def _working(job: Any, work: Any) -> bool:
    """Is the import being checked or written (or waiting for its worker)?"""
    if work is not None and not work.is_finished:
        return True
    return job.status == ImportStatus.IMPORTING


def _progress(job: Any, work: Any) -> dict[str, Any]:
    checking = job.status == ImportStatus.UPLOADED
    if work is not None and work.total:
        done, total = work.done, work.total
    else:  # the commit's own ledger (a job not visible, or not started yet)
        done, total = (0, 0) if checking else (job.rows_done, job.total_rows)
    return {
        "job": job,
        "work": work,
        "checking": checking,
        "queued": work is not None and work.status == JobStatus.QUEUED,
        "done": done,
        "total": total,
        "percent": min(100, done * 100 // total) if total else 0,
        "message": work.message if work is not None else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    # Not ``@idempotent``: its replay of the same content would answer "already saved" to
    # a user who confirms again after a commit failed. Each action is safe to send twice
    # by itself: a second confirm finds the commit already queued (``import_commit_enqueue``),
    # a second reject or stop finds the import closed or nothing running.
    job = import_job_get(user=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("confirm", "confirm_skip"):
                import_commit_enqueue(
                    actor=request.user, job=job, skip_errors=action == "confirm_skip"
                )
            elif action == "stop":
                import_work_cancel(actor=request.user, job=job)
            elif action == "reject":
                import_job_reject(actor=request.user, job=job)
                messages.success(
                    request, _("The file was rejected and deleted. Nothing was imported.")
                )
                return redirect("web:import_done", pk=job.pk)
            else:
                messages.error(request, _("Choose what to do with the file."))
        except ApplicationError as error:
            messages.error(request, str(error))
        return redirect("web:import_review", pk=job.pk)
    work = import_job_work(user=request.user, job=job)
    if _working(job, work):
        return render(request, "web/imports/working.html", _progress(job, work))
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.STOPPED):
        return redirect("web:import_done", pk=job.pk)
    # A failed or cancelled job of this import says why (the checks' own problems are on
    # the import itself).
    failed = work.message if work is not None and work.status != JobStatus.SUCCEEDED else ""
    return render(
        request,
        "web/imports/review.html",
        {"job": job, "errors": job.error_rows, "work_problem": failed},
    )


@login_required
@require_GET
@domain_errors
def import_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every second; once the work has finished,
    the page reloads itself to show the result."""
    job = import_job_get(user=request.user, pk=pk)
    work = import_job_work(user=request.user, job=job)
    if not _working(job, work):
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("web:import_review", pk=job.pk)
    return render(request, "web/imports/_progress.html", _progress(job, work))


@login_required
@require_GET
@domain_errors
def import_done(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_job_get(user=request.user, pk=pk)
    if job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.STOPPED):
        return redirect("web:import_review", pk=job.pk)
    if job.status == ImportStatus.IMPORTING:
        return redirect("web:import_review", pk=job.pk)
    return render(request, "web/imports/done.html", {"job": job})


# ---------------------------------------------------------------- exports


@login_required
@require_GET
def export_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not scope.has(user, Cap.EXPORT):
        raise PermissionDenied()
    return render(
        request,
        "web/imports/export.html",
        {
            "organizations": organization_list(user=user).filter(
                pk__in=scope.org_ids(user, Cap.EXPORT)
            ),
            "programs": program_list(user=user, cap=Cap.EXPORT).order_by("name"),
            "cohorts": cohort_list(user=user, cap=Cap.EXPORT).order_by("program__name", "name"),
            "can_import": import_organizations(user=user).exists(),
        },
    )


def _export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Filters are ids only (no personal data in the URL, S9). Headers and values come in
    the request's language; ``format=csv_es`` is the CSV that Excel in Spanish opens."""
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        fmt = "csv"
    try:  # ids checked before they reach the database (cascada.core.converters)
        ids = {
            f"{key}_id": query_id(request.GET, key) for key in ("organization", "program", "cohort")
        }
    except InvalidQueryParameter:
        raise Http404 from None
    export = EXPORTS[kind](user=request.user, fmt=fmt, **ids)
    if fmt in DIALECTS:
        response: HttpResponseBase = StreamingHttpResponse(
            csv_lines(export.headers, export.rows, DIALECTS[fmt]), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    else:
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        xlsx_write(export.headers, export.rows, target)
        target.seek(0)
        response = FileResponse(
            target, as_attachment=True, filename=export.filename, content_type=CONTENT_TYPES["xlsx"]
        )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@domain_errors
def export_people(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "people")


@login_required
@require_GET
@domain_errors
def export_enrolments(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "enrolments")


@login_required
@require_GET
@domain_errors
def export_attendance(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "attendance")
