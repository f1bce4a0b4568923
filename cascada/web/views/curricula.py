"""Curricula, versions, modules and session plans in the browser."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.curricula import selectors, services
from cascada.curricula.models import CurriculumVersion, Module, Verdict
from cascada.curricula.services import version_total_hours
from cascada.registry.selectors import organization_list
from cascada.research import selectors as research_selectors

from ..forms import add_service_error, add_validation_error
from ..forms.curricula import CurriculumForm, ModuleForm, SessionPlanForm, VersionNewForm
from ..forms.places import PlacePickerMixin
from ..forms.trainings import DATE
from ..idempotency import idempotent, saved
from .common import HtmxHttpRequest, domain_errors, form_save


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
        **_results_context(request, version),
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


# ---------------------------------------------------------------- validation and accreditation
# (issue 12: facts about a version, so a frozen version takes them too)


class ValidationForm(PlacePickerMixin):
    """Where, when and with whom a version was validated, and the verdict per module."""

    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    with_whom = forms.CharField(
        label=gettext_lazy("With whom"),
        max_length=200,
        help_text=gettext_lazy(
            "e.g. community activists of the women's emergency centre (CEM) of the district"
        ),
    )
    women = forms.IntegerField(
        label=gettext_lazy("Women taking part"), min_value=0, max_value=1000, initial=0
    )
    men = forms.IntegerField(
        label=gettext_lazy("Men taking part"), min_value=0, max_value=1000, initial=0
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    VERDICTS = [("", gettext_lazy("Not discussed")), *Verdict.choices]

    def __init__(self, *args: Any, modules: list[Module], country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_places(country=country)
        self.modules = modules
        for m in modules:
            self.fields[f"verdict_{m.pk}"] = forms.ChoiceField(
                label=gettext_lazy("Verdict"),
                choices=self.VERDICTS,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{m.pk}"] = forms.CharField(
                label=gettext_lazy("Comment"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def module_rows(self) -> list[tuple[Module, Any, Any]]:
        """Each module with its verdict and comment fields, for the template."""
        return [(m, self[f"verdict_{m.pk}"], self[f"comment_{m.pk}"]) for m in self.modules]

    def feedback(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            m.pk: (data[f"verdict_{m.pk}"], data.get(f"comment_{m.pk}") or "")
            for m in self.modules
            if data.get(f"verdict_{m.pk}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("place") and not self.errors.get("place1"):
            self.add_error("place1", _("Choose the place."))
        return data


class AccreditationForm(forms.Form):
    institution = forms.CharField(
        label=gettext_lazy("Institution"),
        max_length=200,
        help_text=gettext_lazy("e.g. the professional college that accredits it"),
    )
    # Typed as people write it ("120", "120,5"): the service reads it.
    credit_hours = forms.CharField(label=gettext_lazy("Credit hours"), max_length=20)
    resolution = forms.CharField(label=gettext_lazy("Resolution"), max_length=120)
    accredited_on = forms.DateField(label=gettext_lazy("Accredited on"), widget=DATE)
    expires_on = forms.DateField(label=gettext_lazy("Valid until"), widget=DATE, required=False)


def _results_context(
    request: HttpRequest,
    version: CurriculumVersion,
    accreditation_form: AccreditationForm | None = None,
) -> dict[str, Any]:
    """What the version page shows of its validations, accreditations and the findings
    that shaped it (statements only: the excerpts stay with the study's members)."""
    can_record = scope.has(request.user, Cap.MANAGE_CURRICULA, version.curriculum.organization_id)
    return {
        "validations": selectors.validations_of(version, user=request.user),
        "accreditations": list(selectors.accreditations_of(version)),
        "version_findings": research_selectors.findings_for_version(version),
        "can_record": can_record,
        "results_today": timezone.localdate(),
        "accreditation_form": (accreditation_form or AccreditationForm(auto_id="id_accr_%s"))
        if can_record
        else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def validation_record(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    curriculum = version.curriculum
    scope.require(request.user, Cap.MANAGE_CURRICULA, curriculum.organization_id)
    form = ValidationForm(
        request.POST or None,
        modules=list(version.modules.all()),
        country=curriculum.organization.country,
    )
    recorded = form_save(  # an unbound form (GET) is not valid: nothing recorded
        form,
        lambda data: services.validation_record(
            actor=request.user,
            version=version,
            place=data["place"],
            held_on=data["held_on"],
            with_whom=data["with_whom"],
            women=data["women"],
            men=data["men"],
            notes=data["notes"],
            feedback=form.feedback(),
        ),
    )
    if recorded is not None:
        messages.success(request, _("Validation recorded."))
        return redirect(_version_url(version) + "#validation")
    return render(
        request,
        "web/curricula/validation_form.html",
        {"version": version, "curriculum": curriculum, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@domain_errors
@idempotent
def accreditation_record(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get(user=request.user, pk=pk)
    scope.require(request.user, Cap.MANAGE_CURRICULA, version.curriculum.organization_id)
    form = AccreditationForm(request.POST, auto_id="id_accr_%s")
    recorded = form_save(
        form,
        lambda data: services.accreditation_record(
            actor=request.user,
            version=version,
            institution=data["institution"],
            credit_hours=data["credit_hours"],
            resolution=data["resolution"],
            accredited_on=data["accredited_on"],
            expires_on=data["expires_on"],
        ),
    )
    if recorded is not None:
        messages.success(request, _("Accreditation recorded."))
        return redirect(_version_url(version) + "#accreditation")
    context = _version_context(request, version)
    context.update(_results_context(request, version, accreditation_form=form))
    context["accreditation_open"] = True
    return render(request, "web/curricula/version.html", context, status=400)
