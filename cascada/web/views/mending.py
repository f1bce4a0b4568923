"""Mending what was entered: edit, close and remove cohorts, sessions, enrolments, modules
and session plans; the report of data that breaks the time rules.

Views adapt only: the rules (what can no longer change once attendance exists, frozen
curriculum versions) are in ``trainings.services`` and ``curricula.services``; a refusal
is shown beside the field or as a message. Removing is always a confirm page (GET) and a
POST.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.curricula import selectors as curricula_selectors
from cascada.curricula import services as curricula_services
from cascada.trainings import date_report, selectors, services

from ..forms import add_service_error
from ..forms.curricula import ModuleForm, SessionPlanForm
from ..forms.mending import CohortEditForm
from ..idempotency import idempotent
from .common import domain_errors


def _confirm(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    button: str,
    back: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "web/trainings/confirm.html",
        {"title": title, "question": question, "button": button, "back": back, "error": error},
        status=status,
    )


# ---------------------------------------------------------------- cohorts


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk, cap=Cap.MANAGE_PROGRAMS)
    initial = {f: getattr(cohort, f) for f in CohortEditForm.EDITABLE}
    form = CohortEditForm(
        request.POST or None,
        initial=initial,
        place=cohort.place,
        country=cohort.program.owner.country,
    )
    if request.method == "POST" and form.is_valid() and not form.place_step:
        data = form.cleaned_data
        changes = {f: data[f] for f in CohortEditForm.EDITABLE if f in data}
        changes["place"] = form.chosen_place()
        try:
            services.cohort_update(actor=request.user, cohort=cohort, **changes)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Cohort saved."))
            return redirect("web:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "web/trainings/cohort_edit.html",
        {"form": form, "cohort": cohort},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@domain_errors
def cohort_close(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk, cap=Cap.MANAGE_PROGRAMS)
    try:
        if "reopen" in request.POST:
            services.cohort_reopen(actor=request.user, cohort=cohort)
            messages.success(request, _("Cohort reopened."))
        else:
            services.cohort_close(actor=request.user, cohort=cohort)
            messages.success(
                request, _("Cohort closed: completion is final and certificates can be issued.")
            )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("web:cohort_detail", pk=cohort.pk)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def cohort_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk, cap=Cap.MANAGE_PROGRAMS)
    back = reverse("web:cohort_detail", args=[cohort.pk])
    error = ""
    if request.method == "POST":
        try:
            services.cohort_delete(actor=request.user, cohort=cohort)
        except ApplicationError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("Cohort %(name)s deleted.") % {"name": cohort.name})
            return redirect("web:cohort_list")
    return _confirm(
        request,
        title=_("Delete cohort %(name)s") % {"name": cohort.name},
        question=_(
            "Its sessions and enrolments are deleted too. A cohort with attendance cannot "
            "be deleted: close it instead."
        ),
        button=_("Delete cohort"),
        back=back,
        error=error,
        status=400 if error else 200,
    )


# ---------------------------------------------------------------- sessions, enrolments


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk, cap=Cap.MANAGE_PROGRAMS)
    back = reverse("web:cohort_detail", args=[session.cohort_id]) + "#sessions"
    error = ""
    if request.method == "POST":
        try:
            services.session_delete(actor=request.user, session=session)
        except ApplicationError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("Session deleted."))
            return redirect(back)
    return _confirm(
        request,
        title=_("Delete session %(n)s") % {"n": session.number},
        question=_(
            "A session with attendance cannot be deleted; a meeting that did not happen is "
            "cancelled instead."
        ),
        button=_("Delete session"),
        back=back,
        error=error,
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def enrolment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an enrolment made by mistake, or withdraw it once he has attendance."""
    enrolment = selectors.enrolment_get(user=request.user, pk=pk, cap=Cap.MANAGE_PROGRAMS)
    back = reverse("web:cohort_detail", args=[enrolment.cohort_id]) + "#enrolments"
    error = ""
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
                messages.success(request, _("Enrolment withdrawn."))
            else:
                services.enrolment_delete(actor=request.user, enrolment=enrolment)
                messages.success(request, _("Enrolment deleted."))
        except ApplicationError as refused:
            error = str(refused.message)
        else:
            return redirect(back)
    return render(
        request,
        "web/trainings/enrolment_remove.html",
        {"enrolment": enrolment, "back": back, "error": error},
        status=400 if error else 200,
    )


# ---------------------------------------------------------------- curricula


def _version_url(version_id: int) -> str:
    return reverse("web:curriculum_version", args=[version_id]) + "#modules"


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    module = curricula_selectors.module_get(user=request.user, pk=pk)
    scope.require(request.user, Cap.MANAGE_CURRICULA, module.version.curriculum.organization_id)
    initial = {"title": module.title, "is_core": module.is_core}
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            curricula_services.module_update(actor=request.user, module=module, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect(_version_url(module.version_id))
    return render(
        request,
        "web/curricula/edit.html",
        {
            "form": form,
            "title": _("Module %(n)s") % {"n": module.order},
            "back": _version_url(module.version_id),
            "delete_url": reverse("web:module_delete", args=[module.pk]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def module_delete(request: HttpRequest, pk: int) -> HttpResponse:
    module = curricula_selectors.module_get(user=request.user, pk=pk)
    scope.require(request.user, Cap.MANAGE_CURRICULA, module.version.curriculum.organization_id)
    back = _version_url(module.version_id)
    error = ""
    if request.method == "POST":
        try:
            curricula_services.module_delete(actor=request.user, module=module)
        except ApplicationError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("Module deleted."))
            return redirect(back)
    return _confirm(
        request,
        title=_("Delete module %(title)s") % {"title": module.title},
        question=_("Its session plans are deleted too."),
        button=_("Delete module"),
        back=back,
        error=error,
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def session_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = curricula_selectors.session_plan_get(user=request.user, pk=pk)
    version = plan.module.version
    scope.require(request.user, Cap.MANAGE_CURRICULA, version.curriculum.organization_id)
    fields = ("title", "duration_minutes", "audience", "objectives", "techniques", "materials")
    form = SessionPlanForm(request.POST or None, initial={f: getattr(plan, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in fields if f in form.cleaned_data}
        try:
            curricula_services.session_plan_update(actor=request.user, plan=plan, **changes)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Session plan saved."))
            return redirect(_version_url(version.pk))
    return render(
        request,
        "web/curricula/edit.html",
        {
            "form": form,
            "title": plan.title,
            "back": _version_url(version.pk),
            "delete_url": reverse("web:session_plan_delete", args=[plan.pk]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def session_plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = curricula_selectors.session_plan_get(user=request.user, pk=pk)
    version = plan.module.version
    scope.require(request.user, Cap.MANAGE_CURRICULA, version.curriculum.organization_id)
    back = _version_url(version.pk)
    error = ""
    if request.method == "POST":
        try:
            curricula_services.session_plan_delete(actor=request.user, plan=plan)
        except ApplicationError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("Session plan deleted."))
            return redirect(back)
    return _confirm(
        request,
        title=_("Delete session plan %(title)s") % {"title": plan.title},
        question=_("Cohorts never use a version that can still change, so none is affected."),
        button=_("Delete session plan"),
        back=back,
        error=error,
        status=400 if error else 200,
    )


# ---------------------------------------------------------------- the date report


@login_required
@require_GET
def date_problems(request: HttpRequest) -> HttpResponse:
    if not scope.has(request.user, Cap.MANAGE_PROGRAMS):
        raise PermissionDenied
    problems = date_report.date_problems(user=request.user)
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.label] = counts.get(p.label, 0) + 1
    context: dict[str, Any] = {"problems": problems[:500], "counts": counts, "total": len(problems)}
    return render(request, "web/trainings/date_report.html", context)
