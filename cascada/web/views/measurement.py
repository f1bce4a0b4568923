"""Attitude measurement pages: instruments and rounds, a round (its XLSForm, its answers),
the phone form that records one respondent's answers, and a program's before/after
analysis (docs/decisions/measurement.md). Views adapt: the rules are in
``cascada.measurement``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import ApplicationError
from cascada.imports.formats import CONTENT_TYPES, EXTENSIONS, FORMATS
from cascada.imports.messages import describe
from cascada.measurement import analysis as measurement_analysis
from cascada.measurement import field_servers, importers, selectors, services
from cascada.measurement.exports import scores_export
from cascada.measurement.instrument_import import instrument_from_xlsform
from cascada.measurement.models import (
    InstrumentVersion,
    Round,
    RoundKind,
    Source,
    UploadStatus,
    VersionStatus,
)
from cascada.measurement.report_pdf import analysis_pdf
from cascada.measurement.scoring import Spec
from cascada.measurement.xlsform import xlsform_xlsx
from cascada.registry.models import Organization, Person
from cascada.registry.selectors import identities_reveal
from cascada.trainings.models import Enrolment, EnrolmentStatus
from cascada.trainings.selectors import cohort_get, cohort_list, program_get

from ..idempotency import idempotent
from .common import domain_errors


def _need(request: HttpRequest, cap: str) -> None:
    if not scope.has(request.user, cap):
        raise PermissionDenied


@login_required
@require_GET
def measurement_home(request: HttpRequest) -> HttpResponse:
    _need(request, Cap.VIEW_AGGREGATES)
    rounds = list(selectors.round_list(user=request.user).order_by("-opens_on", "-pk")[:200])
    programs: dict[int, Any] = {}
    for survey in rounds:
        programs.setdefault(survey.cohort.program_id, survey.cohort.program)
    return render(
        request,
        "web/measurement/home.html",
        {
            "instruments": selectors.instrument_list(user=request.user)
            .prefetch_related("versions")
            .order_by("organization_id", "code"),
            "rounds": rounds,
            "programs": list(programs.values()),
            "may_open": scope.has(request.user, Cap.MANAGE_MEASUREMENT),
        },
    )


class _VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.instrument.name_es} (v{obj.number})"


class RoundForm(forms.Form):
    version = _VersionChoice(
        label=gettext_lazy("Instrument"), queryset=InstrumentVersion.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("Round"), choices=RoundKind.choices)
    label = forms.CharField(
        label=gettext_lazy("Label"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Optional, e.g. “6 months after”."),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=gettext_lazy("Closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Anonymous (respondents give a self-generated code)"), required=False
    )

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = versions


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def round_new(request: HttpRequest, cohort_pk: int) -> HttpResponse:
    cohort = cohort_get(user=request.user, pk=cohort_pk, cap=Cap.MANAGE_MEASUREMENT)
    versions = (
        InstrumentVersion.objects.filter(
            instrument__in=selectors.instrument_list(user=request.user),
            status=VersionStatus.PUBLISHED,
        )
        .select_related("instrument")
        .order_by("instrument__code", "-number")
    )
    form = RoundForm(
        request.POST or None, versions=versions, initial={"opens_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.round_create(
                actor=request.user,
                cohort=cohort,
                version=data["version"],
                kind=data["kind"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                anonymous=data["anonymous"],
                label=data["label"],
            )
        except ApplicationError as error:
            form.add_error(error.extra.get("field") if error.extra else None, str(error))
        else:
            messages.success(request, _("The round is open."))
            return redirect("web:round_detail", pk=survey.pk)
    pending = [(v, items) for v in versions if (items := services.unconfirmed_items(v))]
    return render(
        request,
        "web/measurement/round_new.html",
        {"cohort": cohort, "form": form, "pending": pending},
        status=400 if form.errors else 200,
    )


def _round(request: HttpRequest, pk: int, cap: str = Cap.VIEW_AGGREGATES) -> Round:
    return selectors.round_get(user=request.user, pk=pk, cap=cap)


@login_required
@require_GET
@domain_errors
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _round(request, pk)
    responses: list[Any] = []
    may_read = scope.has(request.user, Cap.VIEW_ANSWERS)
    if may_read:
        responses = list(
            selectors.response_list_reveal(user=request.user, survey=survey).order_by(
                "person__code", "pk"
            )
        )
    exact = measurement_analysis.may_read_exact(user=request.user, program=survey.cohort.program)
    labels = {row[0]: row[1] for row in Spec.of(survey.version).category.labels}
    for r in responses:
        r.category_label = labels.get(r.category, r.category)
    return render(
        request,
        "web/measurement/round.html",
        {
            "survey": survey,
            "version": survey.version,
            # A count per round is a count per cohort: only for those who read answers
            # (viewers get no per-cohort figures, ADR 0006).
            "count": survey.responses.count() if exact else None,
            "may_manage": scope.has(request.user, Cap.MANAGE_MEASUREMENT),
            "responses": responses,
            "may_read": may_read,
            "may_record": scope.has(request.user, Cap.RECORD_ANSWERS),
            "pending": services.unconfirmed_items(survey.version),
            "uploads": importers.uploads_of(survey),
            "server": getattr(survey, "field_server", None)
            if hasattr(survey, "field_server")
            else None,
            "may_import": scope.has(request.user, Cap.IMPORT)
            and scope.has(request.user, Cap.RECORD_ANSWERS),
        },
    )


@login_required
@require_GET
@domain_errors
def round_xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _round(request, pk, Cap.MANAGE_MEASUREMENT)
    data = xlsform_xlsx(survey)
    audit_record(actor=request.user, action="export", target=survey, detail={"format": "xlsform"})
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="cascada-ronda-{survey.pk}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def round_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: one respondent's answers, entered or transcribed from paper."""
    survey = _round(request, pk, Cap.RECORD_ANSWERS)
    version = survey.version
    items = list(version.items.order_by("position"))
    options: dict[str, list[Any]] = {}
    for option in version.options.order_by("position"):
        options.setdefault(option.scale, []).append(option)
    people: list[tuple[int, str]] = []
    answered_codes: list[str] = []
    if not survey.anonymous:
        enrolled = list(
            Person.objects.filter(
                pk__in=Enrolment.objects.filter(
                    cohort=survey.cohort, status=EnrolmentStatus.ENROLLED
                ).values("person_id")
            ).order_by("code")
        )
        names = identities_reveal(user=request.user, people=enrolled, short=True, target=survey)
        answered = set(survey.responses.values_list("person_id", flat=True))
        answered_codes = [p.code for p in enrolled if p.pk in answered]
        done = _("already answered: saving replaces the answers")
        people = [
            (
                p.pk,
                " · ".join(
                    x for x in (p.code, names.get(p.pk, ""), done if p.pk in answered else "") if x
                ),
            )
            for p in enrolled
        ]
    values: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        values = {i.code: request.POST.get(f"item_{i.code}", "") for i in items}
        person = None
        if not survey.anonymous:
            try:
                person_id = query_id(request.POST, "person")
            except InvalidQueryParameter:
                person_id = None
            person = next((Person(pk=pk) for pk, _l in people if pk == person_id), None)
            if person is not None:
                person = Person.objects.get(pk=person.pk)
        try:
            services.response_record(
                actor=request.user,
                survey=survey,
                person=person,
                self_code=request.POST.get("self_code", ""),
                answers=values,
                consent=request.POST.get("consent") == "yes",
                source=Source.PAPER if request.POST.get("paper") else Source.WEB,
                spec=Spec.of(version),
            )
        except ApplicationError as problem:
            error = str(problem)
        else:
            messages.success(request, _("Answers saved."))
            return redirect("web:round_answer", pk=survey.pk)
    return render(
        request,
        "web/measurement/answer.html",
        {
            "survey": survey,
            "items": [(i, options.get(i.scale, []), values.get(i.code, "")) for i in items],
            "people": people,
            "answered_codes": answered_codes,
            "values": values,
            "error": error,
            "post": request.POST if request.method == "POST" else {},
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
@domain_errors
def program_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    program = program_get(user=request.user, pk=pk)
    instruments = (
        selectors.instrument_list(user=request.user)
        .filter(versions__rounds__cohort__program=program)
        .distinct()
        .order_by("code")
    )
    chosen = (
        instruments.filter(code=request.GET.get("instrument", "")).first() or instruments.first()
    )
    result = None
    if chosen is not None:
        result = measurement_analysis.analyse(user=request.user, instrument=chosen, program=program)
    return render(
        request,
        "web/measurement/analysis.html",
        {
            "chart": (chart := measurement_analysis.chart_rows(result) if result else []),
            "chart_height": 8 + 44 * len(chart),
            "chart_low": result.spec.total_range()[0] if result is not None else 0,
            "chart_high": result.spec.total_range()[1] if result is not None else 0,
            "tables": [
                (key, title, result.breakdowns[key])
                for key, title in measurement_analysis.DIMENSIONS
                if result.breakdowns.get(key)
            ]
            if result is not None
            else [],
            "moves_rows": list(
                zip([row[1] for row in result.labels], result.moves.counts, strict=True)
            )
            if result is not None and result.moves is not None
            else [],
            "higher_means": result.higher_means if result is not None else "",
            "program": program,
            "instruments": instruments,
            "chosen": chosen,
            "a": result,
            "cohorts": cohort_list(user=request.user).filter(program=program).count(),
        },
    )


# ---------------------------------------------------------------- submissions


@login_required
@require_http_methods(["POST"])
@idempotent
@domain_errors
def round_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an export of the round's submissions (KoboToolbox or ODK Central)."""
    survey = _round(request, pk, Cap.RECORD_ANSWERS)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the exported file first."))
        return redirect("web:round_detail", pk=survey.pk)
    try:
        record = importers.upload_submissions(
            actor=request.user, survey=survey, upload=upload, filename=upload.name or ""
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("web:round_detail", pk=survey.pk)
    return redirect("web:submissions_upload", pk=record.pk)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def submissions_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload's check, its problems, and the user's decision; polled while working."""
    record = importers.upload_get_for(user=request.user, pk=pk)
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
                record.status = UploadStatus.IMPORTING
        except ApplicationError as error:
            messages.error(request, str(error))
        return redirect("web:submissions_upload", pk=record.pk)
    problems = [
        {**p, "text": describe(p.get("code", ""), p.get("params") or {})} for p in record.problems
    ]
    file_problem = (
        describe(record.file_problem["code"], record.file_problem.get("params") or {})
        if record.file_problem
        else ""
    )
    context = {
        "record": record,
        "survey": record.round,
        "problems": problems,
        "file_problem": file_problem,
        "working": record.status in (UploadStatus.UPLOADED, UploadStatus.IMPORTING),
    }
    template = (
        "web/measurement/_upload.html"
        if request.headers.get("HX-Request")
        else ("web/measurement/upload.html")
    )
    return render(request, template, context)


@login_required
@require_GET
@domain_errors
def round_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The round's scores as a spreadsheet: for those who read answers only."""
    if fmt not in FORMATS:
        raise Http404
    survey = _round(request, pk, Cap.VIEW_ANSWERS)
    data = scores_export(user=request.user, survey=survey, fmt=fmt)
    audit_record(actor=request.user, action="export", target=survey, detail={"format": fmt})
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="cascada-puntajes-ronda-{survey.pk}.{EXTENSIONS[fmt]}"'
    )
    return response


# ---------------------------------------------------------------- instruments


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An instrument version: its items and their wordings. A shipped or published
    version can be adopted (a draft copy of one's organization); a draft's items are
    confirmed or replaced one by one, then the draft is published."""
    version = selectors.version_get(user=request.user, pk=pk)
    may_manage = scope.has(request.user, Cap.MANAGE_MEASUREMENT)
    action = request.POST.get("action", "")
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        try:
            if action == "adopt":
                orgs = scope.org_ids(request.user, Cap.MANAGE_MEASUREMENT)
                organization = Organization.objects.filter(pk__in=orgs).order_by("pk").first()
                if organization is None:
                    raise PermissionDenied
                copy = services.instrument_adopt(
                    actor=request.user, organization=organization, version=version
                )
                messages.success(request, _("A draft copy for your organization was made."))
                return redirect("web:version_detail", pk=copy.pk)
            if action == "publish":
                services.version_publish(actor=request.user, version=version)
                messages.success(request, _("The version is published: rounds can use it."))
            if action == "add_option":
                services.option_add(
                    actor=request.user,
                    version=version,
                    scale=request.POST.get("scale", ""),
                    code=request.POST.get("code", ""),
                    label_es=request.POST.get("label_es", ""),
                    label_en=request.POST.get("label_en", ""),
                    score=_int_or_none(request.POST.get("score", "")),
                )
                messages.success(request, _("Answer added."))
            if action == "add_item":
                services.item_add(
                    actor=request.user,
                    version=version,
                    code=request.POST.get("code", ""),
                    text_es=request.POST.get("text_es", ""),
                    text_en=request.POST.get("text_en", ""),
                    scale=request.POST.get("scale", ""),
                    reverse=bool(request.POST.get("reverse")),
                    subscale=request.POST.get("subscale", ""),
                )
                messages.success(request, _("Item added."))
            if action == "remove_item":
                item = version.items.filter(
                    pk=_int_or_none(request.POST.get("item", "")) or 0
                ).first()
                if item is not None:
                    services.item_remove(actor=request.user, item=item)
            if action == "rules":
                kind = request.POST.get("category_kind", "equal_thirds")
                upper = [
                    float(x.replace(",", "."))
                    for x in request.POST.get("upper", "").replace(";", " ").split()
                    if re.fullmatch(r"-?\d+([.,]\d+)?", x)
                ]
                services.version_rules_set(
                    actor=request.user,
                    version=version,
                    max_missing=_int_or_none(request.POST.get("max_missing", "")) or 0,
                    category_rule={"kind": kind, "upper": upper},
                    higher_means_es=request.POST.get("higher_means_es", ""),
                )
                messages.success(request, _("Rules saved."))
            if action == "confirm":
                item = version.items.filter(
                    pk=_int_or_none(request.POST.get("item", "")) or 0
                ).first()
                if item is None:
                    raise PermissionDenied
                services.item_confirm(
                    actor=request.user,
                    item=item,
                    text_es=request.POST.get("text_es"),
                    text_en=request.POST.get("text_en"),
                )
                messages.success(request, _("Item saved."))
        except ApplicationError as error:
            messages.error(request, str(error))
        return redirect("web:version_detail", pk=version.pk)
    editable = (
        may_manage
        and version.instrument.organization_id is not None
        and version.status == VersionStatus.DRAFT
        and not version.is_frozen
    )
    return render(
        request,
        "web/measurement/version.html",
        {
            "version": version,
            "items": version.items.select_related("subscale").order_by("position"),
            "options": version.options.order_by("scale", "position"),
            "editable": editable,
            "may_adopt": may_manage and version.status == VersionStatus.PUBLISHED,
            "pending": services.unconfirmed_items(version),
            "scales": sorted(set(version.options.values_list("scale", flat=True))),
        },
    )


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if re.fullmatch(r"-?\d{1,6}", value) else None


@login_required
@require_http_methods(["POST"])
@idempotent
@domain_errors
def instrument_upload(request: HttpRequest) -> HttpResponse:
    """An organization's own instrument from an XLSForm workbook: a draft to check and
    publish on its page."""
    orgs = scope.org_ids(request.user, Cap.MANAGE_MEASUREMENT)
    organization = Organization.objects.filter(pk__in=orgs).order_by("pk").first()
    if organization is None:
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None or (upload.size or 0) > 5 * 1024 * 1024:
        messages.error(request, _("Choose an XLSForm workbook (.xlsx) of at most 5 MB."))
        return redirect("web:measurement_home")
    try:
        version = instrument_from_xlsform(
            actor=request.user, organization=organization, data=upload.read()
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("web:measurement_home")
    messages.success(request, _("Draft instrument made: check its items, then publish it."))
    return redirect("web:version_detail", pk=version.pk)


@login_required
@require_http_methods(["POST"])
@idempotent
@domain_errors
def round_server(request: HttpRequest, pk: int) -> HttpResponse:
    """Say where the round's submissions are (KoboToolbox or ODK Central), or pull them."""
    survey = _round(request, pk, Cap.RECORD_ANSWERS)
    try:
        if request.POST.get("action") == "pull":
            record = field_servers.pull_submissions(actor=request.user, survey=survey)
            return redirect("web:submissions_upload", pk=record.pk)
        field_servers.field_server_set(
            actor=request.user,
            survey=survey,
            kind=request.POST.get("kind", ""),
            base_url=request.POST.get("base_url", ""),
            project=request.POST.get("project", ""),
            form=request.POST.get("form", ""),
            token=request.POST.get("token", ""),
        )
        messages.success(request, _("Server saved."))
    except ApplicationError as error:
        messages.error(request, str(error))
    return redirect("web:round_detail", pk=survey.pk)


@login_required
@require_GET
@domain_errors
def program_analysis_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The analysis as a PDF: the same figures as the page, for the same user."""
    program = program_get(user=request.user, pk=pk)
    instrument = (
        selectors.instrument_list(user=request.user)
        .filter(
            versions__rounds__cohort__program=program, code=request.GET.get("instrument", "gem")
        )
        .distinct()
        .first()
    )
    if instrument is None:
        raise Http404
    with translation.override("es"):  # the report is in Spanish (its group labels too)
        result = measurement_analysis.analyse(
            user=request.user, instrument=instrument, program=program
        )
    data = analysis_pdf(result=result, program=program)
    audit_record(actor=request.user, action="export", target=program, detail={"format": "pdf"})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="antes-y-despues-{program.pk}.pdf"'
    return response
