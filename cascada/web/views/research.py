"""Formative research pages (docs/decisions/research.md): the studies a user may open, one
study's protocol, ethics approvals, consent forms, members and sample design with its
progress, the recruitment log with the screening form, and one recruit with consent,
declining, withdrawing and the audited read of their identity. Views adapt: who may do what
is ``cascada.research.selectors``, the rules are its services. Every page here is sent
``no-store`` (``core.middleware.NoStoreMiddleware``, S9); no name or contact ever goes in a
URL (the identity is read by POST)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import MAX_ID, InvalidQueryParameter, bounded_int, query_id
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.registry.models import Organization
from cascada.research import selectors
from cascada.research.models import (
    MemberRole,
    Method,
    Recruit,
    RecruitStatus,
    Study,
    StudyMember,
    StudyStatus,
)
from cascada.research.services import sample
from cascada.research.services import study as study_services
from cascada.research.services.base import study_today

from ..forms import add_service_error, choice_field
from ..forms.places import PlacePickerMixin
from ..forms.trainings import DATE
from ..idempotency import idempotent
from ..nav import url_or_none
from .common import domain_errors, form_save, pick, service_message

TEXT = {"rows": 4}
YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
LOG_PAGE = 50

# The pages of a study that other parts of the app add (``url_or_none``: a page not built
# yet is skipped), and who sees the link: the page itself checks again.
STUDY_LINKS: tuple[tuple[str, Any, str], ...] = (
    ("web:study_recruits", gettext_lazy("Recruitment log"), "sees_exact"),
    ("web:study_events", gettext_lazy("Interviews and focus groups"), "member"),
    ("web:study_codebook", gettext_lazy("Codebook"), "member_or_overseer"),
    ("web:study_analysis", gettext_lazy("Analysis"), "member"),
    ("web:study_findings", gettext_lazy("Findings and dissemination"), "all"),
)


def _need_role(request: HttpRequest) -> None:
    """S1: a signed-in user without any role reaches no research page."""
    if not scope.roles(request.user):
        raise PermissionDenied


def _study(request: HttpRequest, pk: Any) -> Study:
    return selectors.study_get(user=request.user, pk=pk)


def _user_label(user: Any) -> str:
    """A member of staff as the pages name them: full name and username."""
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


# ---------------------------------------------------------------- the studies


@login_required
@require_GET
def study_list(request: HttpRequest) -> HttpResponse:
    """The studies the user may open, each with its status, dates, sites and how many
    people took part against the quotas (exact, or through the disclosure control)."""
    _need_role(request)
    user = request.user
    studies = list(selectors.study_list(user=user).prefetch_related("sites")[:100])
    rows: list[dict[str, Any]] = [
        {"study": s, "progress": selectors.quota_progress(user=user, study=s)} for s in studies
    ]
    creatable = [
        o for o in scope.org_ids(user, Cap.MANAGE_PROGRAMS) if selectors.may_create(user, o)
    ]
    return render(
        request,
        "web/research/study_list.html",
        {
            "rows": rows,
            "may_create": bool(creatable),
            "all_exact": all(r["progress"].exact for r in rows),
            "several_organizations": len({s.organization_id for s in studies}) > 1,
        },
    )


def _protocol_text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs=TEXT), max_length=5000, required=False
    )


class ProtocolFields(forms.Form):
    """The protocol's texts, and the dates' order, of the forms that write a study (the
    subclasses add ``starts_on`` and ``ends_on``)."""

    aims = _protocol_text(gettext_lazy("Aims"))
    research_objectives = _protocol_text(gettext_lazy("Research objectives"))
    intervention_objectives = _protocol_text(gettext_lazy("Intervention objectives"))
    methods = _protocol_text(gettext_lazy("Methods"))

    def protocol(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in study_services.PROTOCOL_FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A study cannot end before it starts."))
        return data


class StudyNewForm(ProtocolFields):
    organization = forms.TypedChoiceField(label=gettext_lazy("Organization"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    code = forms.CharField(
        label=gettext_lazy("Short code"),
        max_length=10,
        help_text=gettext_lazy(
            "2 to 10 capital letters or digits; the participants' codes start with it "
            "(MRV gives MRV-001)."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DATE, required=False)
    lead = forms.TypedChoiceField(
        label=gettext_lazy("Principal investigator (the study's lead)"), coerce=int
    )

    field_order = ["organization", "title", "code", "starts_on", "ends_on", "lead"]

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organizations = organizations
        choice_field(self, "organization").choices = [(o.pk, o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.initial.setdefault("organization", organizations[0].pk)
        self.candidates = {
            o.pk: list(selectors.member_candidates(o.pk)[:500]) for o in organizations
        }
        lead = choice_field(self, "lead")
        if len(organizations) == 1:
            lead.choices = [(u.pk, _user_label(u)) for u in self.candidates[organizations[0].pk]]
        else:
            lead.choices = [
                (o.name, [(u.pk, _user_label(u)) for u in self.candidates[o.pk]])
                for o in organizations
            ]


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def study_new(request: HttpRequest) -> HttpResponse:
    """For the staff who manage programs: a study of one of their organizations, with its
    lead and protocol."""
    user = request.user
    orgs = [o for o in scope.org_ids(user, Cap.MANAGE_PROGRAMS) if selectors.may_create(user, o)]
    if not orgs:
        raise PermissionDenied
    organizations = list(Organization.objects.filter(pk__in=orgs).order_by("name"))
    form = StudyNewForm(request.POST or None, organizations=organizations)

    def create(data: dict[str, Any]) -> Study:
        organization = pick(organizations, data["organization"])
        lead = next((u for u in form.candidates[organization.pk] if u.pk == data["lead"]), None)
        if lead is None:
            raise ApplicationError(
                _("The lead must be a user of the study's organization."),
                extra={"field": "lead"},
            )
        return study_services.study_create(
            actor=user,
            organization=organization,
            title=data["title"],
            code=data["code"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            lead=lead,
            **form.protocol(),
        )

    if request.method == "POST":
        created = form_save(form, create)
        if created is not None:
            messages.success(request, _("Study created."))
            return redirect("web:study_detail", pk=created.pk)
        return render(request, "web/research/study_new.html", {"form": form}, status=400)
    return render(request, "web/research/study_new.html", {"form": form})


# ---------------------------------------------------------------- the study's forms


class ProtocolForm(ProtocolFields):
    prefix = "pr"
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=StudyStatus.choices)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DATE, required=False)

    field_order = ["title", "status", "starts_on", "ends_on"]


class MemberForm(forms.Form):
    prefix = "me"
    user = forms.TypedChoiceField(label=gettext_lazy("Person"), coerce=int)
    role = forms.ChoiceField(label=gettext_lazy("Role in the study"), choices=MemberRole.choices)

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "user").choices = [(u.pk, _user_label(u)) for u in candidates]


class ApprovalForm(forms.Form):
    prefix = "ap"
    committee = forms.CharField(label=gettext_lazy("Ethics committee"), max_length=200)
    number = forms.CharField(label=gettext_lazy("Approval number"), max_length=60)
    approved_on = forms.DateField(label=gettext_lazy("Approved on"), widget=DATE)
    expires_on = forms.DateField(label=gettext_lazy("Expires on"), widget=DATE)


class ConsentVersionForm(forms.Form):
    prefix = "cf"
    version = forms.CharField(label=gettext_lazy("Version"), max_length=40)
    approved_on = forms.DateField(label=gettext_lazy("Approved on"), widget=DATE)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs=TEXT),
        max_length=20000,
        required=False,
    )


class StratumForm(forms.Form):
    prefix = "st"
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    age_min = forms.IntegerField(label=gettext_lazy("Youngest age"), min_value=1, max_value=120)
    age_max = forms.IntegerField(label=gettext_lazy("Oldest age"), min_value=1, max_value=120)


class QuotaForm(forms.Form):
    prefix = "qu"
    site = forms.TypedChoiceField(label=gettext_lazy("Site"), coerce=int)
    stratum = forms.TypedChoiceField(label=gettext_lazy("Age group"), coerce=int)
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Method.choices)
    target = forms.IntegerField(
        label=gettext_lazy("Participants needed"),
        min_value=0,
        max_value=500,
        help_text=gettext_lazy("0 removes the quota (only while nobody was recruited for it)."),
    )

    def __init__(self, *args: Any, sites: list[Any], strata: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "site").choices = [(s.pk, s.name) for s in sites]
        choice_field(self, "stratum").choices = [(s.pk, s.name) for s in strata]


class QuestionForm(forms.Form):
    prefix = "sq"
    text = forms.CharField(label=gettext_lazy("Question (answered yes or no)"), max_length=300)
    excludes_when = forms.ChoiceField(
        label=gettext_lazy("The answer that excludes"), choices=YES_NO, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for exclusion, as the log will show it"), max_length=120
    )


class SiteForm(PlacePickerMixin):
    name = forms.CharField(
        label=gettext_lazy("Name of the site"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Leave it empty to use the place's name."),
    )

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_places(country=country)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and data.get("place") is None:
            self.add_error("place1", _("Choose the site's place."))
        return data


class _Page:
    """What the study page needs, read once; the forms the user may use."""

    def __init__(self, request: HttpRequest, study: Study) -> None:
        user = request.user
        self.user = user
        self.study = study
        self.today = study_today(study)
        self.may_lead = selectors.may_lead(user, study)
        self.is_lead = selectors.is_lead(user, study)
        self.sites = list(study.sites.select_related("place"))
        self.strata = list(study.strata.all())
        self.members = list(study.members.select_related("user").order_by("role", "user__username"))
        self.consent_forms = list(study.consent_forms.all())

    def form(self, name: str, data: Any = None) -> forms.Form | None:
        study = self.study
        if name == "member" and self.is_lead:
            candidates = [
                u
                for u in selectors.member_candidates(study.organization_id)[:500]
                if u.pk != self.user.pk
            ]
            return MemberForm(data, candidates=candidates) if candidates else None
        if not self.may_lead:
            return None
        if name == "protocol":
            return ProtocolForm(
                data,
                initial={
                    "title": study.title,
                    "status": study.status,
                    "starts_on": study.starts_on,
                    "ends_on": study.ends_on,
                    **{key: getattr(study, key) for key in study_services.PROTOCOL_FIELDS},
                },
            )
        if name == "approval":
            return ApprovalForm(data)
        if name == "consent_form":
            return ConsentVersionForm(data, initial={"approved_on": self.today})
        if name == "stratum":
            return StratumForm(data)
        if name == "quota" and self.sites and self.strata:
            return QuotaForm(data, sites=self.sites, strata=self.strata)
        if name == "question":
            return QuestionForm(data, initial={"excludes_when": "yes"})
        return None


FORMS = ("protocol", "member", "approval", "consent_form", "stratum", "quota", "question")


def _links(request: HttpRequest, study: Study) -> list[tuple[str, Any]]:
    user = request.user
    shown = {
        "all": True,
        "sees_exact": selectors.sees_exact(user, study),
        "member": selectors.is_member(user, study),
        "member_or_overseer": selectors.is_member(user, study)
        or selectors.may_oversee(user, study),
    }
    links = []
    for name, label, who in STUDY_LINKS:
        url = url_or_none(name, pk=study.pk) if shown[who] else None
        if url:
            links.append((url, label))
    return links


def _render(
    request: HttpRequest, page: _Page, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    study = page.study
    user = request.user
    role = selectors.role_in(user, study)
    bound = bound or {}
    return render(
        request,
        "web/research/study_detail.html",
        {
            "study": study,
            "today": page.today,
            "warning": selectors.approval_warning(study, page.today),
            "approvals": list(study.approvals.all()),
            "consent_forms": page.consent_forms,
            "members": page.members,
            "sites": page.sites,
            "strata": page.strata,
            "progress": selectors.quota_progress(user=user, study=study),
            "questions": list(study.questions.all()),
            "screened": study.recruits.exists(),
            "links": _links(request, study),
            "forms": {name: bound.get(name) or page.form(name) for name in FORMS},
            "may_lead": page.may_lead,
            "is_lead": page.is_lead,
            "role": role,
            "role_label": MemberRole(role).label if role else "",
        },
        status=status,
    )


@login_required
@require_GET
@domain_errors
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _Page(request, _study(request, pk)))


def _post(name: str, write: Any) -> Any:
    """A POST view for one of the study page's forms: the study must be open to the user
    (404), the form theirs (403); a refusal of the services is shown beside its field."""

    @login_required
    @idempotent
    @require_POST
    @domain_errors
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        page = _Page(request, _study(request, pk))
        form = page.form(name, request.POST)
        if form is None:
            raise PermissionDenied
        done = form_save(form, lambda data: write(request, page, data))
        if done is not None:
            messages.success(request, done)
            return redirect(f"{_detail_url(page.study)}#{name}")
        return _render(request, page, {name: form}, status=400)

    view.__name__ = f"study_{name}"
    return view


def _detail_url(study: Study) -> str:
    return url_or_none("web:study_detail", pk=study.pk) or "/"


def _protocol(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    study_services.study_update(
        actor=request.user,
        study=page.study,
        title=data["title"],
        status=data["status"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        **{key: data[key] for key in study_services.PROTOCOL_FIELDS},
    )
    return _("Protocol saved.")


def _member(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    candidates = list(selectors.member_candidates(page.study.organization_id)[:500])
    study_services.member_set(
        actor=request.user,
        study=page.study,
        user=pick(candidates, data["user"]),
        role=data["role"],
    )
    return _("Member saved.")


def _approval(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    study_services.approval_add(actor=request.user, study=page.study, **data)
    return _("Ethics approval saved.")


def _consent_form(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    study_services.consent_form_add(actor=request.user, study=page.study, **data)
    return _("Consent form version saved.")


def _stratum(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    study_services.stratum_add(actor=request.user, study=page.study, **data)
    return _("Age group saved.")


def _quota(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    quota = study_services.quota_set(
        actor=request.user,
        study=page.study,
        site=pick(page.sites, data["site"]),
        stratum=pick(page.strata, data["stratum"]),
        method=data["method"],
        target=data["target"],
    )
    return _("Quota saved.") if quota is not None else _("Quota removed.")


def _question(request: HttpRequest, page: _Page, data: dict[str, Any]) -> str:
    study_services.question_add(
        actor=request.user,
        study=page.study,
        text=data["text"],
        excludes_when=data["excludes_when"] == "yes",
        reason=data["reason"],
    )
    return _("Screening question saved.")


study_update = _post("protocol", _protocol)
study_member = _post("member", _member)
study_approval = _post("approval", _approval)
study_consent_form = _post("consent_form", _consent_form)
study_stratum = _post("stratum", _stratum)
study_quota = _post("quota", _quota)
study_question = _post("question", _question)


@login_required
@idempotent
@require_POST
@domain_errors
def study_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead removes a member (the button on the member's row)."""
    study = _study(request, pk)
    if not selectors.is_lead(request.user, study):
        raise PermissionDenied
    try:
        user_id = bounded_int(str(request.POST.get("user", "")), minimum=1, maximum=MAX_ID)
    except ValueError:
        user_id = None
    member = (
        StudyMember.objects.filter(study=study, user_id=user_id).select_related("user").first()
        if user_id
        else None
    )
    if member is None:
        messages.error(request, _("Choose one of the options offered."))
    else:
        service_message(
            request,
            lambda: study_services.member_remove(actor=request.user, study=study, user=member.user),
            _("Member removed."),
        )
    return redirect(f"{_detail_url(study)}#members")


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def study_site_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A site of the study: a place (usually a district) chosen with the app's place
    picker; without JavaScript the picker moves by posting the form (nothing saved)."""
    study = _study(request, pk)
    if not selectors.may_lead(request.user, study):
        raise PermissionDenied
    form = SiteForm(request.POST or None, country=study.organization.country)
    if request.method == "POST" and not form.place_step:
        if form.is_valid():
            try:
                site = study_services.site_add(
                    actor=request.user,
                    study=study,
                    place=form.cleaned_data["place"],
                    name=form.cleaned_data["name"],
                )
            except (NotFoundError, PermissionDeniedError):
                raise
            except ApplicationError as problem:
                if problem.extra.get("field") == "place":
                    form.add_error("place1", str(problem.message))
                else:
                    add_service_error(form, problem)
            else:
                messages.success(request, _("Site %(name)s added.") % {"name": site.name})
                return redirect(f"{_detail_url(study)}#sites")
        return render(
            request, "web/research/study_site_add.html", {"study": study, "form": form}, status=400
        )
    return render(request, "web/research/study_site_add.html", {"study": study, "form": form})


# ---------------------------------------------------------------- the recruitment log


class ScreeningForm(forms.Form):
    site = forms.TypedChoiceField(label=gettext_lazy("Site"), coerce=int)
    method = forms.ChoiceField(label=gettext_lazy("Recruited for"), choices=Method.choices)
    age = forms.IntegerField(label=gettext_lazy("Age"), min_value=10, max_value=110)
    screened_on = forms.DateField(label=gettext_lazy("Screened on"), widget=DATE)
    name = forms.CharField(
        label=gettext_lazy("Name, for recontact"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Kept encrypted, apart from the code; only the lead and researchers can read it."
        ),
    )
    contact = forms.CharField(
        label=gettext_lazy("Phone or contact"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, sites: list[Any], questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "site").choices = [(s.pk, s.name) for s in sites]
        self.questions = questions
        for q in questions:
            self.fields[f"q_{q.pk}"] = forms.ChoiceField(
                label=q.text, choices=YES_NO, widget=forms.RadioSelect
            )
        self.order_fields(
            ["site", "method", "age", "screened_on"]
            + [f"q_{q.pk}" for q in questions]
            + ["name", "contact"]
        )

    def answers(self) -> dict[int, bool]:
        return {q.pk: self.cleaned_data[f"q_{q.pk}"] == "yes" for q in self.questions}

    def question_fields(self) -> list[Any]:
        return [self[f"q_{q.pk}"] for q in self.questions]


def _screening_form(request: HttpRequest, study: Study, data: Any = None) -> ScreeningForm | None:
    if not selectors.may_field(request.user, study):
        return None
    sites = list(study.sites.all())
    if not sites:
        return None
    return ScreeningForm(
        data,
        sites=sites,
        questions=list(study.questions.all()),
        initial={"screened_on": study_today(study)},
    )


def _recruits_page(
    request: HttpRequest, study: Study, form: ScreeningForm | None, status: int = 200
) -> HttpResponse:
    rows = selectors.recruit_list(user=request.user, study=study).select_related("consent_form")
    try:
        site_id = query_id(request.GET, "site")
    except InvalidQueryParameter:
        site_id = None
    state = request.GET.get("status", "")
    state = state if state in RecruitStatus.values else ""
    sites = list(study.sites.all())
    site = next((s for s in sites if s.pk == site_id), None)
    if site is not None:
        rows = rows.filter(site=site)
    if state:
        rows = rows.filter(status=state)
    try:
        number = query_id(request.GET, "page") or 1
    except InvalidQueryParameter:
        number = 1
    page = Paginator(rows.order_by("-screened_on", "-pk"), LOG_PAGE).get_page(number)
    kept = {k: v for k, v in (("site", site.pk if site else ""), ("status", state)) if v}
    return render(
        request,
        "web/research/recruit_list.html",
        {
            "study": study,
            "page": page,
            "sites": sites,
            "site": site,
            "state": state,
            "statuses": RecruitStatus.choices,
            "filtered": bool(kept),
            "query": urlencode(kept),
            "form": form,
            "has_strata": study.strata.exists(),
        },
        status=status,
    )


@login_required
@require_GET
@domain_errors
def study_recruits(request: HttpRequest, pk: int) -> HttpResponse:
    """The recruitment log (codes, never names) for the study's members and overseers, with
    the screening form for the lead and researchers."""
    study = _study(request, pk)
    if not selectors.sees_exact(request.user, study):
        raise PermissionDenied
    return _recruits_page(request, study, _screening_form(request, study))


@login_required
@idempotent
@require_POST
@domain_errors
def study_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """Screen a person: eligible with a code, or excluded with the reasons."""
    study = _study(request, pk)
    form = _screening_form(request, study, request.POST)
    if form is None:
        raise PermissionDenied
    recruit = form_save(
        form,
        lambda data: sample.recruit_screen(
            actor=request.user,
            study=study,
            site=pick(list(study.sites.all()), data["site"]),
            method=data["method"],
            age=data["age"],
            answers=form.answers(),
            screened_on=data["screened_on"],
            name=data["name"],
            contact=data["contact"],
        ),
    )
    if recruit is not None:
        if recruit.status == RecruitStatus.EXCLUDED:
            messages.warning(
                request,
                _("Excluded: %(code)s (%(why)s).")
                % {"code": recruit.code, "why": recruit.exclusion_reasons},
            )
        else:
            messages.success(request, _("Eligible: %(code)s.") % {"code": recruit.code})
        return redirect("web:recruit_detail", pk=recruit.pk)
    return _recruits_page(request, study, form, status=400)


# ---------------------------------------------------------------- one recruit


class RecruitConsentForm(forms.Form):
    prefix = "co"
    consent_form = forms.TypedChoiceField(label=gettext_lazy("Consent form version"), coerce=int)
    consented_on = forms.DateField(label=gettext_lazy("Consent given on"), widget=DATE)
    audio_consent = forms.BooleanField(
        label=gettext_lazy("Agrees to be recorded (audio)"), required=False
    )

    def __init__(self, *args: Any, consent_forms: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "consent_form").choices = [(c.pk, c.version) for c in consent_forms]


CONSENT_FROM = {RecruitStatus.ELIGIBLE, RecruitStatus.DECLINED}


def _recruit_consent_form(request: HttpRequest, recruit: Recruit, data: Any = None) -> Any:
    study = recruit.study
    if not selectors.may_field(request.user, study) or recruit.status not in CONSENT_FROM:
        return None
    versions = list(study.consent_forms.all())
    if not versions:
        return None
    return RecruitConsentForm(
        data,
        consent_forms=versions,
        initial={"consent_form": versions[0].pk, "consented_on": study_today(study)},
    )


def _recruit_page(
    request: HttpRequest,
    recruit: Recruit,
    *,
    form: Any = None,
    identity: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    study = recruit.study
    user = request.user
    may_field = selectors.may_field(user, study)
    questions = list(study.questions.all())
    answers = [
        (q, recruit.answers.get(str(q.pk))) for q in questions if str(q.pk) in recruit.answers
    ]
    return render(
        request,
        "web/research/recruit_detail.html",
        {
            "study": study,
            "recruit": recruit,
            "answers": answers,
            "may_field": may_field,
            "form": form if form is not None else _recruit_consent_form(request, recruit),
            "may_decline": may_field and recruit.status == RecruitStatus.ELIGIBLE,
            "may_withdraw": may_field
            and recruit.status in {RecruitStatus.ELIGIBLE, RecruitStatus.CONSENTED},
            "has_identity": may_field and bool(recruit.name or recruit.contact),
            "identity": identity,
            "events": list(recruit.events.order_by("held_on")) if may_field else [],
        },
        status=status,
    )


def _recruit(request: HttpRequest, pk: Any) -> Recruit:
    return selectors.recruit_get(user=request.user, pk=pk)


@login_required
@require_GET
@domain_errors
def recruit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _recruit_page(request, _recruit(request, pk))


@login_required
@idempotent
@require_POST
@domain_errors
def recruit_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the person's informed consent; a met quota or an excluded person is refused
    with the reason on the form."""
    recruit = _recruit(request, pk)
    form = _recruit_consent_form(request, recruit, request.POST)
    if form is None:
        if not selectors.may_field(request.user, recruit.study):
            raise PermissionDenied
        messages.error(
            request,
            _("%(code)s cannot give consent now (%(status)s).")
            % {"code": recruit.code, "status": recruit.get_status_display().lower()},
        )
        return redirect("web:recruit_detail", pk=recruit.pk)
    consented = form_save(
        form,
        lambda data: sample.recruit_consent(
            actor=request.user,
            recruit=recruit,
            consent_form=pick(list(recruit.study.consent_forms.all()), data["consent_form"]),
            consented_on=data["consented_on"],
            audio_consent=data["audio_consent"],
        ),
    )
    if consented is not None:
        messages.success(request, _("Consent of %(code)s saved.") % {"code": recruit.code})
        return redirect("web:recruit_detail", pk=recruit.pk)
    return _recruit_page(request, recruit, form=form, status=400)


@login_required
@idempotent
@require_POST
@domain_errors
def recruit_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An eligible person declines, or a participant withdraws (their name and contact are
    erased)."""
    recruit = _recruit(request, pk)
    if not selectors.may_field(request.user, recruit.study):
        raise PermissionDenied
    status = request.POST.get("status", "")
    service_message(
        request,
        lambda: sample.recruit_set_status(actor=request.user, recruit=recruit, status=status),
        _("%(code)s declined.") % {"code": recruit.code}
        if status == RecruitStatus.DECLINED
        else _("%(code)s withdrew; their name and contact were erased.") % {"code": recruit.code},
    )
    return redirect("web:recruit_detail", pk=recruit.pk)


@login_required
@require_POST
@domain_errors
def recruit_identity(request: HttpRequest, pk: int) -> HttpResponse:
    """The recruit's name and contact, shown once on this answer (sent no-store, never in a
    URL) to the lead and researchers, each read audited (S9, S10)."""
    recruit = _recruit(request, pk)
    identity = selectors.recruit_identity_reveal(user=request.user, recruit=recruit)
    if identity is None:
        raise PermissionDenied
    response = _recruit_page(request, recruit, identity=identity)
    response["Cache-Control"] = "private, no-store"
    return response
