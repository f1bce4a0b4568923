"""A study's findings and its dissemination plan (docs/decisions/research.md, "From findings
to the curriculum"). Views adapt: who may do what is ``cascada.research.selectors``, the
rules are ``cascada.research.services.results``.

- ``study_findings``: every finding of the study with the modules and session plans it
  shaped, for whoever may open the study; the codes for members and overseers; the
  supporting excerpts (sliced from the transcripts, with participant codes) for the
  study's members only (S3). The lead's forms: a new finding, edit, delete.
- ``study_dissemination``: the plan by level (national, regional, local), overdue lines
  marked, printable; the lead adds and updates lines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.research import selectors
from cascada.research.models import (
    AudienceLevel,
    Code,
    Dissemination,
    DisseminationStatus,
    Finding,
    Study,
)
from cascada.research.services import results
from cascada.research.services.base import study_today

from ..forms.trainings import DATE
from ..idempotency import idempotent
from .common import domain_errors, form_save

CHECKS = forms.CheckboxSelectMultiple

# ---------------------------------------------------------------- forms


class FindingForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Finding"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=results.STATEMENT_MAX,
        help_text=gettext_lazy("What the study found, in one or two sentences."),
    )
    codes = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Codes that back it"), coerce=int, required=False, widget=CHECKS
    )
    excerpts = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=CHECKS)
    modules = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=CHECKS)
    session_plans = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=CHECKS)

    def __init__(self, *args: Any, parts: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "codes": parts["code_choices"],
            "excerpts": [
                (e.coding_id, e.coding_id) for _code, rows in parts["excerpt_groups"] for e in rows
            ],
            "modules": [
                (m.pk, m.pk) for _v, modules in parts["module_groups"] for m, _plans in modules
            ],
            "session_plans": [
                (p.pk, p.pk)
                for _v, modules in parts["module_groups"]
                for _m, plans in modules
                for p in plans
            ],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values

    def chosen(self, name: str) -> set[str]:
        """The values ticked in the field (as the page shows them again)."""
        value = self[name].value() or []
        return {str(v) for v in value}


class DisseminationForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=AudienceLevel.choices)
    audience = forms.CharField(
        label=gettext_lazy("Audience"),
        max_length=results.PLAN_TEXT_MAX,
        help_text=gettext_lazy("e.g. the Ministry of Women, regional health directorates"),
    )
    product = forms.CharField(
        label=gettext_lazy("Product"),
        max_length=results.PLAN_TEXT_MAX,
        help_text=gettext_lazy("e.g. policy brief, campaign spots, workshop"),
    )
    channel = forms.CharField(label=gettext_lazy("Channel"), max_length=results.PLAN_TEXT_MAX)
    planned_on = forms.DateField(label=gettext_lazy("Planned for"), widget=DATE)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=DisseminationStatus.choices)
    done_on = forms.DateField(
        label=gettext_lazy("Done on"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Only when the status is done."),
    )


# ---------------------------------------------------------------- findings


def _code_choices(request: HttpRequest, study: Study) -> list[tuple[int, str]]:
    """The codebook as ticks: each code with the codes above it ("Risk › Childhood")."""
    codes: dict[int, Code] = {c.pk: c for c in selectors.code_list(user=request.user, study=study)}

    def path(code: Code) -> str:
        names = [code.name]
        parent = codes.get(code.parent_id) if code.parent_id else None
        while parent is not None and len(names) < 10:
            names.insert(0, parent.name)
            parent = codes.get(parent.parent_id) if parent.parent_id else None
        return " › ".join(names)

    return sorted(((pk, path(c)) for pk, c in codes.items()), key=lambda pc: pc[1].casefold())


def _module_groups(study: Study) -> list[tuple[Any, list[tuple[Any, list[Any]]]]]:
    """The modules a finding may name, by curriculum version (latest first), each with
    its session plans."""
    plans: dict[int, list[Any]] = {}
    for plan in selectors.finding_session_plans(study):
        plans.setdefault(plan.module_id, []).append(plan)
    groups: dict[int, tuple[Any, list[tuple[Any, list[Any]]]]] = {}
    for module in selectors.finding_modules(study):
        group = groups.setdefault(module.version_id, (module.version, []))
        group[1].append((module, plans.get(module.pk, [])))
    return list(groups.values())


def _form_parts(request: HttpRequest, study: Study) -> dict[str, Any]:
    return {
        "code_choices": _code_choices(request, study),
        "excerpt_groups": selectors.excerpt_choices(user=request.user, study=study),
        "module_groups": _module_groups(study),
    }


def _form_context(form: FindingForm, parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "form": form,
        "excerpt_groups": parts["excerpt_groups"],
        "module_groups": parts["module_groups"],
        "chosen": {name: form.chosen(name) for name in ("excerpts", "modules", "session_plans")},
    }


def _findings_page(
    request: HttpRequest, study: Study, *, form: FindingForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    findings = list(selectors.finding_list(user=user, study=study))
    is_lead = selectors.is_lead(user, study)
    excerpts = selectors.finding_excerpts(user=user, study=study, findings=findings)
    context: dict[str, Any] = {
        "study": study,
        # (finding, its excerpts: none for whoever is not a member)
        "rows": [(f, excerpts.get(f.pk, [])) for f in findings],
        "is_member": selectors.is_member(user, study),
        "shows_codes": selectors.is_member(user, study) or selectors.may_oversee(user, study),
        "is_lead": is_lead,
    }
    if is_lead:
        parts = _form_parts(request, study)
        context["new"] = _form_context(form or FindingForm(parts=parts), parts)
    return render(request, "web/research/finding_list.html", context, status=status)


def _lead_only(request: HttpRequest, study: Study) -> None:
    if not selectors.is_lead(request.user, study):
        raise PermissionDenied


def _save(form: FindingForm, **call: Any) -> Finding | None:
    service = call.pop("service")
    return form_save(
        form,
        lambda data: service(
            statement=data["statement"],
            codes=data["codes"],
            excerpts=data["excerpts"],
            modules=data["modules"],
            session_plans=data["session_plans"],
            **call,
        ),
    )


def _finding_url(finding: Finding) -> str:
    return reverse("web:study_findings", kwargs={"pk": finding.study_id}) + f"#finding-{finding.pk}"


@login_required
@require_GET
@domain_errors
def study_findings(request: HttpRequest, pk: int) -> HttpResponse:
    study = selectors.study_get(user=request.user, pk=pk)
    return _findings_page(request, study)


@login_required
@require_POST
@domain_errors
@idempotent
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    study = selectors.study_get(user=request.user, pk=pk)
    _lead_only(request, study)
    form = FindingForm(request.POST, parts=_form_parts(request, study))
    finding = _save(form, service=results.finding_create, actor=request.user, study=study)
    if finding is not None:
        messages.success(request, _("Finding saved."))
        return redirect(_finding_url(finding))
    return _findings_page(request, study, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get(user=request.user, pk=pk)
    study = finding.study
    _lead_only(request, study)
    parts = _form_parts(request, study)
    initial = {
        "statement": finding.statement,
        "codes": list(finding.codes.values_list("pk", flat=True)),
        "excerpts": list(finding.excerpts.values_list("pk", flat=True)),
        "modules": list(finding.modules.values_list("pk", flat=True)),
        "session_plans": list(finding.session_plans.values_list("pk", flat=True)),
    }
    form = FindingForm(request.POST or None, parts=parts, initial=initial)
    if request.method == "POST":
        saved = _save(form, service=results.finding_update, actor=request.user, finding=finding)
        if saved is not None:
            messages.success(request, _("Finding saved."))
            return redirect(_finding_url(saved))
    return render(
        request,
        "web/research/finding_edit.html",
        {"study": study, "finding": finding, **_form_context(form, parts)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@domain_errors
@idempotent
def finding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get(user=request.user, pk=pk)
    study_id = finding.study_id
    results.finding_delete(actor=request.user, finding=finding)
    messages.success(request, _("Finding removed."))
    return redirect("web:study_findings", pk=study_id)


# ---------------------------------------------------------------- dissemination


def _plan_page(
    request: HttpRequest,
    study: Study,
    *,
    form: DisseminationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = study_today(study)
    items = list(selectors.dissemination_list(user=request.user, study=study))
    levels = [
        (
            value,
            label,
            [
                (item, selectors.dissemination_overdue(item, today))
                for item in items
                if item.level == value
            ],
        )
        for value, label in AudienceLevel.choices
    ]
    is_lead = selectors.is_lead(request.user, study)
    return render(
        request,
        "web/research/dissemination_list.html",
        {
            "study": study,
            "levels": levels,
            "today": today,
            "overdue": sum(1 for _v, _l, rows in levels for _i, late in rows if late),
            "is_lead": is_lead,
            "form": (form or DisseminationForm(auto_id="id_new_%s")) if is_lead else None,
        },
        status=status,
    )


PLAN_FIELDS = ("level", "audience", "product", "channel", "planned_on", "status", "done_on")


def _plan_values(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in PLAN_FIELDS}


def _plan_url(item: Dissemination) -> str:
    return reverse("web:study_dissemination", kwargs={"pk": item.study_id}) + f"#plan-{item.pk}"


@login_required
@require_GET
@domain_errors
def study_dissemination(request: HttpRequest, pk: int) -> HttpResponse:
    study = selectors.study_get(user=request.user, pk=pk)
    return _plan_page(request, study)


@login_required
@require_POST
@domain_errors
@idempotent
def dissemination_create(request: HttpRequest, pk: int) -> HttpResponse:
    study = selectors.study_get(user=request.user, pk=pk)
    _lead_only(request, study)
    form = DisseminationForm(request.POST, auto_id="id_new_%s")
    item = form_save(
        form,
        lambda data: results.dissemination_add(
            actor=request.user, study=study, **_plan_values(data)
        ),
    )
    if item is not None:
        messages.success(request, _("Added to the dissemination plan."))
        return redirect(_plan_url(item))
    return _plan_page(request, study, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def dissemination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.dissemination_get(user=request.user, pk=pk)
    study = item.study
    _lead_only(request, study)
    initial = {key: getattr(item, key) for key in PLAN_FIELDS}
    form = DisseminationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        updated = form_save(
            form,
            lambda data: results.dissemination_update(
                actor=request.user, item=item, **_plan_values(data)
            ),
        )
        if updated is not None:
            messages.success(request, _("Dissemination plan updated."))
            return redirect(_plan_url(updated))
    return render(
        request,
        "web/research/dissemination_edit.html",
        {"study": study, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@domain_errors
@idempotent
def dissemination_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.dissemination_get(user=request.user, pk=pk)
    study_id = item.study_id
    results.dissemination_delete(actor=request.user, item=item)
    messages.success(request, _("Removed from the dissemination plan."))
    return redirect("web:study_dissemination", pk=study_id)
