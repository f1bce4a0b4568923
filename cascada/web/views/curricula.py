"""Curricula, versions, modules and session plans in the browser."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.curricula import selectors, services
from cascada.curricula.models import CurriculumVersion
from cascada.curricula.services import version_total_hours
from cascada.registry.selectors import organization_list

from ..forms import add_service_error, add_validation_error
from ..forms.curricula import CurriculumForm, ModuleForm, SessionPlanForm, VersionNewForm
from ..idempotency import idempotent, saved
from .common import HtmxHttpRequest, domain_errors


def _require_read(user: Any) -> None:
    if not any(scope.has(user, cap) for cap in selectors.READ_CAPS):
        raise PermissionDenied


@login_required
@require_GET
@domain_errors
def curriculum_list(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    curricula = selectors.curriculum_list(user=request.user)
    return render(
        request,
        "web/curricula/curriculum_list.html",
        {
            "curricula": curricula,
            "can_create": scope.has(request.user, Cap.MANAGE_CURRICULA),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def curriculum_create(request: HttpRequest) -> HttpResponse:
    organizations = organization_list(user=request.user).filter(
        pk__in=scope.org_ids(request.user, Cap.MANAGE_CURRICULA)
    )
    if not organizations.exists():
        raise PermissionDenied
    form = CurriculumForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            curriculum = services.curriculum_create(
                actor=request.user,
                organization=data["organization"],
                title=data["title"],
                description=data["description"],
                audience=data["audience"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Curriculum created. Add its modules and sessions."))
            return redirect("web:curriculum_version", pk=curriculum.versions.get().pk)
    return render(request, "web/curricula/curriculum_form.html", {"form": form})


@login_required
@require_GET
@domain_errors
def curriculum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    curriculum = selectors.curriculum_get(user=request.user, pk=pk)
    # Each version with its hours, as ``(version, hours)`` pairs for the template.
    versions = [
        (v, round((v.minutes or 0) / 60, 1))
        for v in selectors.curriculum_versions(curriculum=curriculum)
    ]
    return render(
        request,
        "web/curricula/curriculum_detail.html",
        {
            "curriculum": curriculum,
            "versions": versions,
            "can_manage": scope.has(request.user, Cap.MANAGE_CURRICULA, curriculum.organization_id),
        },
    )


def _version_context(
    request: HttpRequest,
    version: CurriculumVersion,
    *,
    module_form: ModuleForm | None = None,
    plan_form: SessionPlanForm | None = None,
    plan_module_id: int | None = None,
) -> dict[str, Any]:
    curriculum = version.curriculum
    can_edit = (
        scope.has(request.user, Cap.MANAGE_CURRICULA, curriculum.organization_id)
        and not version.is_frozen
    )
    latest = curriculum.versions.order_by("-number").values_list("pk", flat=True).first()
    # One form per module, each with its own ids; the one that failed keeps its errors.
    # ``(module, plan form)`` pairs for the template.
    modules = [
        (
            m,
            plan_form
            if plan_form is not None and plan_module_id == m.pk
            else SessionPlanForm(auto_id=f"id_plan{m.pk}_%s"),
        )
        for m in version.modules.all()
    ]
    return {
        "version": version,
        "curriculum": curriculum,
        "modules": modules,
        "total_hours": version_total_hours(version),
        "can_edit": can_edit,
        "can_new_version": scope.has(request.user, Cap.MANAGE_CURRICULA, curriculum.organization_id)
        and version.is_frozen
        and latest == version.pk,
        "module_form": module_form or ModuleForm(auto_id="id_module_%s"),
        "plan_module_id": plan_module_id,
        "version_form": VersionNewForm(),
    }


def _render_modules(
    request: HtmxHttpRequest, version: CurriculumVersion, **kwargs: Any
) -> HttpResponse:
    context = _version_context(request, version, **kwargs)
    template = "web/curricula/_modules.html" if request.htmx else "web/curricula/version.html"
    return render(request, template, context)


def _version_url(version: CurriculumVersion) -> str:
    return reverse("web:curriculum_version", kwargs={"pk": version.pk})


def _frozen(
    request: HtmxHttpRequest, version: CurriculumVersion, exc: ApplicationError
) -> HttpResponse:
    """The version froze (a cohort started using it): say so on the full page."""
    messages.error(request, str(exc.message))
    response: HttpResponse = redirect("web:curriculum_version", pk=version.pk)
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = reverse("web:curriculum_version", kwargs={"pk": version.pk})
    return response


@login_required
@require_GET
@domain_errors
def curriculum_version(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    return render(request, "web/curricula/version.html", _version_context(request, version))


@login_required
@require_POST
@domain_errors
@idempotent
def module_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    scope.require(request.user, Cap.MANAGE_CURRICULA, version.curriculum.organization_id)
    form = ModuleForm(request.POST, auto_id="id_module_%s")
    if form.is_valid():
        try:
            services.module_add(
                actor=request.user,
                version=version,
                title=form.cleaned_data["title"],
                is_core=form.cleaned_data["is_core"],
            )
        except ApplicationError as exc:
            if exc.code == "frozen":
                return _frozen(request, version, exc)
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Module added."))
                return redirect("web:curriculum_version", pk=version.pk)
            version = selectors.version_get(user=request.user, pk=pk)
            return saved(_render_modules(request, version), _version_url(version))
    return _render_modules(request, version, module_form=form)


@login_required
@require_POST
@domain_errors
@idempotent
def session_plan_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    module = selectors.module_get(user=request.user, pk=pk)
    version = selectors.version_get(user=request.user, pk=module.version_id)
    scope.require(request.user, Cap.MANAGE_CURRICULA, version.curriculum.organization_id)
    form = SessionPlanForm(request.POST, auto_id=f"id_plan{module.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.session_plan_add(
                actor=request.user,
                module=module,
                title=data["title"],
                objectives=data["objectives"],
                techniques=data["techniques"],
                materials=data["materials"],
                duration_minutes=data["duration_minutes"],
                audience=data["audience"],
            )
        except ApplicationError as exc:
            if exc.code == "frozen":
                return _frozen(request, version, exc)
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Session plan added."))
                return redirect("web:curriculum_version", pk=version.pk)
            version = selectors.version_get(user=request.user, pk=version.pk)
            return saved(_render_modules(request, version), _version_url(version))
    return _render_modules(request, version, plan_form=form, plan_module_id=module.pk)


@login_required
@require_POST
@domain_errors
@idempotent
def curriculum_version_new(request: HttpRequest, pk: int) -> HttpResponse:
    curriculum = selectors.curriculum_get(user=request.user, pk=pk)
    scope.require(request.user, Cap.MANAGE_CURRICULA, curriculum.organization_id)
    form = VersionNewForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        version = services.curriculum_version_new(
            actor=request.user, curriculum=curriculum, notes=notes
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:curriculum_detail", pk=curriculum.pk)
    messages.success(
        request,
        _("Version %(n)s created from the latest one; edit it here.") % {"n": version.number},
    )
    return redirect("web:curriculum_version", pk=version.pk)
