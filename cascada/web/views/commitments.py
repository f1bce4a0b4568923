"""Commitments to Action pages (docs/decisions/commitments.md): the portfolio, one
commitment with its versions, milestones, grant, mentoring, lessons and testimonies, the
forms that report on it, and the printable list of what is due. Views adapt: the rules
(who may do what, money, lateness) are in ``cascada.commitments``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.commitments import selectors, services
from cascada.commitments.models import (
    Commitment,
    CommitmentVersion,
    Currency,
    Milestone,
    MilestoneEvidence,
    MilestoneStatus,
    SessionMode,
    Theme,
    Tranche,
)
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.imports.storage import upload_read
from cascada.registry.models import Organization, Place

from ..forms.trainings import DATE
from ..idempotency import idempotent
from .common import attachment, domain_errors, pick

DUE_DAYS = 30


def _today() -> dt.date:
    return timezone.localdate()


def _commitment(request: HttpRequest, pk: Any) -> Commitment:
    return selectors.commitment_get(user=request.user, pk=pk)


# ---------------------------------------------------------------- the portfolio


@login_required
@require_GET
def commitment_list(request: HttpRequest) -> HttpResponse:
    """Every initiative the user may open, with the commitments they may open (a viewer
    opens none: only the explanation)."""
    today = _today()
    visible = selectors.commitment_list(user=request.user)
    theme = request.GET.get("theme", "")
    theme = theme if theme in Theme.values else ""
    try:
        place_id = query_id(request.GET, "place")
        institution_id = query_id(request.GET, "institution")
    except InvalidQueryParameter:
        place_id = institution_id = None
    place = Place.objects.filter(pk=place_id).first() if place_id else None
    institution = (
        Organization.objects.filter(pk=institution_id, commitments__in=visible).distinct().first()
        if institution_id
        else None
    )
    initiatives = []
    for initiative in selectors.initiative_list(user=request.user).order_by("-starts_on")[:50]:
        may_manage = selectors.may_manage_initiative(request.user, initiative)
        rows = selectors.portfolio(
            user=request.user,
            initiative=initiative,
            today=today,
            theme=theme or None,
            place=place,
            institution=institution,
        )
        initiatives.append(
            {
                "initiative": initiative,
                "rows": rows,
                "totals": selectors.portfolio_totals(rows),
                "opens_rows": may_manage or visible.filter(initiative=initiative).exists(),
                "may_manage": may_manage,
                "summary": (
                    selectors.initiative_summary(
                        user=request.user, initiative=initiative, today=today
                    )
                    if selectors.sees_aggregates(request.user, initiative)
                    else None
                ),
            }
        )
    places = Place.objects.filter(
        pk__in=CommitmentVersion.objects.filter(commitment__in=visible).values("places")
    ).order_by("name")
    institutions = Organization.objects.filter(commitments__in=visible).distinct().order_by("name")
    return render(
        request,
        "web/commitments/list.html",
        {
            "initiatives": initiatives,
            "themes": Theme.choices,
            "places": list(places[:300]),
            "institutions": list(institutions[:300]),
            "theme": theme,
            "place": place,
            "institution": institution,
            "filtered": bool(theme or place or institution),
            "may_create_initiative": bool(scope.org_ids(request.user, Cap.MANAGE_PROGRAMS)),
        },
    )


# ---------------------------------------------------------------- forms


class MilestoneForm(forms.Form):
    prefix = "ms"
    milestone = forms.TypedChoiceField(label=gettext_lazy("Milestone"), coerce=int)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=MilestoneStatus.choices)
    on = forms.DateField(label=gettext_lazy("As of (for done: the day it was done)"), widget=DATE)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence file (PDF, photo, Word, Excel; at most 10 MB)"),
        required=False,
    )
    evidence_description = forms.CharField(
        label=gettext_lazy("What the file shows"), max_length=300, required=False
    )

    def __init__(self, *args: Any, milestones: list[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["milestone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.title) for m in milestones]

    def clean_evidence(self) -> tuple[str, bytes] | None:
        """The file's name and bytes, checked before anything is written (a refused file
        leaves the milestone's status as it was)."""
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        data = upload_read(upload, max_bytes=services.EVIDENCE_MAX_BYTES)
        if data is None:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if services.evidence_kind(data) is None:
            raise forms.ValidationError(
                _(
                    "This file cannot be kept as evidence: send a PDF, a photo (JPEG or PNG) "
                    "or a Word, Excel or OpenDocument file."
                )
            )
        return (upload.name or "", data)


class SessionForm(forms.Form):
    prefix = "se"
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=SessionMode.choices)
    topics = forms.CharField(
        label=gettext_lazy("Topics"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Agreed next steps"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    follow_up = forms.CharField(
        label=gettext_lazy("Follow-up of the last steps agreed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, milestones: list[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.milestones = milestones
        blank = [("", gettext_lazy("(not assessed)"))]
        for m in milestones:
            self.fields[f"assess_{m.pk}"] = forms.ChoiceField(
                label=gettext_lazy("Assessment: %(title)s") % {"title": m.title},
                choices=blank + list(MilestoneStatus.choices),
                required=False,
            )

    def assessments(self) -> list[dict[str, Any]]:
        return [
            {"milestone": m, "status": self.cleaned_data[f"assess_{m.pk}"]}
            for m in self.milestones
            if self.cleaned_data.get(f"assess_{m.pk}")
        ]


class ReleaseForm(forms.Form):
    prefix = "re"
    tranche = forms.TypedChoiceField(label=gettext_lazy("Tranche"), coerce=int)
    released_on = forms.DateField(label=gettext_lazy("Released on"), widget=DATE)

    def __init__(self, *args: Any, tranches: list[Tranche], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tranche"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.pk, _tranche_label(t)) for t in tranches]


class DisbursementForm(forms.Form):
    prefix = "di"
    tranche = forms.TypedChoiceField(label=gettext_lazy("Tranche"), coerce=int)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    amount = forms.CharField(label=gettext_lazy("Amount"), max_length=30)
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=120, required=False)

    def __init__(self, *args: Any, tranches: list[Tranche], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tranche"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.pk, _tranche_label(t)) for t in tranches]


class SpendingForm(forms.Form):
    prefix = "sp"
    grant = forms.TypedChoiceField(label=gettext_lazy("Grant"), coerce=int)
    budget_line = forms.ChoiceField(label=gettext_lazy("Budget line"))
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    amount = forms.CharField(label=gettext_lazy("Amount"), max_length=30)
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency paid (if not the grant's)"),
        choices=[("", "—")] + list(Currency.choices),
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=4000, required=False)

    def __init__(self, *args: Any, grants: list[Any], lines: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grant = self.fields["grant"]
        line = self.fields["budget_line"]
        assert isinstance(grant, forms.ChoiceField) and isinstance(line, forms.ChoiceField)
        grant.choices = [(g.pk, _grant_label(g)) for g in grants]
        line.choices = [(label, label) for label in lines]


class LessonForm(forms.Form):
    prefix = "le"
    text = forms.CharField(
        label=gettext_lazy("Lesson learned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    recorded_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)


class TestimonyForm(forms.Form):
    prefix = "te"
    quote = forms.CharField(
        label=gettext_lazy("Quote"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    author_institution = forms.TypedChoiceField(
        label=gettext_lazy("Author's institution"), coerce=int
    )
    author_role = forms.CharField(
        label=gettext_lazy("Author's role"), max_length=120, required=False
    )
    recorded_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    consent_to_publish = forms.BooleanField(
        label=gettext_lazy("The author consented to publish it"), required=False
    )
    consent_on = forms.DateField(
        label=gettext_lazy("Consent given on"), widget=DATE, required=False
    )

    def __init__(self, *args: Any, institutions: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["author_institution"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o.pk, o.name) for o in institutions]


class MentorForm(forms.Form):
    prefix = "mn"
    mentor = forms.TypedChoiceField(
        label=gettext_lazy("Mentor"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext_lazy("(no mentor)"))] + [
            (u.pk, u.get_username()) for u in users
        ]


class RateForm(forms.Form):
    prefix = "ra"
    grant = forms.TypedChoiceField(label=gettext_lazy("Grant"), coerce=int)
    currency = forms.ChoiceField(label=gettext_lazy("Currency paid"), choices=Currency.choices)
    rate = forms.CharField(
        label=gettext_lazy("Units of the grant's currency for one unit of the currency paid"),
        max_length=30,
    )
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=DATE)
    source = forms.CharField(
        label=gettext_lazy("Source of the rate"), max_length=200, required=False
    )

    def __init__(self, *args: Any, grants: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grant"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(g.pk, _grant_label(g)) for g in grants]


class ConsentForm(forms.Form):
    prefix = "co"
    testimony = forms.TypedChoiceField(label=gettext_lazy("Testimony"), coerce=int)
    consent = forms.ChoiceField(
        label=gettext_lazy("Consent to publish"),
        choices=[
            ("yes", gettext_lazy("Given: it may be published")),
            ("no", gettext_lazy("Withdrawn or not given: not for publication")),
        ],
    )
    on = forms.DateField(label=gettext_lazy("Consent given on"), widget=DATE, required=False)

    def __init__(self, *args: Any, testimonies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["testimony"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.pk, _quote_label(t.quote)) for t in testimonies]


def _quote_label(quote: str) -> str:
    words = quote.split()
    return " ".join(words[:12]) + (" …" if len(words) > 12 else "")


class OutcomeForm(forms.Form):
    prefix = "ou"
    description = forms.CharField(
        label=gettext_lazy("What was achieved"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    recorded_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    link = forms.ChoiceField(
        label=gettext_lazy("Activity recorded in Cascada (its reach counts once)"),
        required=False,
    )
    people_reached = forms.IntegerField(
        label=gettext_lazy("People reached, if the activity is not in Cascada"),
        required=False,
        min_value=0,
        max_value=services.MAX_DECLARED_REACH,
    )

    def __init__(self, *args: Any, cohorts: list[Any], actions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["link"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = (
            [("", gettext_lazy("(none: not recorded in Cascada)"))]
            + [(f"c{c.pk}", _("Training: %(name)s") % {"name": c.name}) for c in cohorts]
            + [
                (
                    f"a{a.pk}",
                    _("Community action: %(title)s (%(date)s)")
                    % {"title": a.title, "date": date_format(a.date, "SHORT_DATE_FORMAT")},
                )
                for a in actions
            ]
        )


def _tranche_label(t: Tranche) -> str:
    return _("Tranche %(n)s: %(amount)s") % {"n": t.number, "amount": number_format(t.amount, 2)}


def _grant_label(g: Any) -> str:
    """A grant in a list: its currency and amount written the user's way ("12000,00")."""
    return f"{g.get_currency_display()} {number_format(g.amount, 2)}"


# ---------------------------------------------------------------- the commitment page


class _Page:
    """What the commitment page needs, read once; the forms the user may use."""

    def __init__(self, request: HttpRequest, commitment: Commitment) -> None:
        user = request.user
        self.commitment = commitment
        self.may_report = selectors.may_report(user, commitment)
        self.may_mentor = selectors.may_mentor(user, commitment)
        self.may_manage = selectors.may_manage_grant(user, commitment)
        self.milestones = list(commitment.milestones.prefetch_related("assessments", "evidence"))
        self.grants = list(selectors.grant_list(user=user, commitment=commitment))
        self.tranches = [t for g in self.grants for t in g.tranches.all()]
        latest = selectors.version_latest(commitment)
        self.lines = list(latest.budget_lines.values_list("label", flat=True)) if latest else []
        self.testimonies = list(commitment.testimonies.all())
        self.cohorts: list[Any] = []
        self.actions: list[Any] = []
        if self.may_report:
            self.cohorts = list(selectors.outcome_cohorts(commitment)[:200])
            self.actions = list(selectors.outcome_actions(commitment)[:200])
        self.institutions = list(
            Organization.objects.filter(
                Q(pk=commitment.institution_id)
                | Q(pk__in=commitment.initiative.organizations.values("pk"))
            ).order_by("name")
        )

    def open_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.status != MilestoneStatus.DROPPED]

    def form(self, name: str, data: Any = None, files: Any = None) -> forms.Form | None:
        today = _today()
        if name == "milestone" and self.may_report and self.milestones:
            return MilestoneForm(data, files, milestones=self.milestones, initial={"on": today})
        if name == "mentor" and self.may_manage:
            return MentorForm(
                data,
                users=list(selectors.mentor_candidates(self.commitment.initiative)[:300]),
                initial={"mentor": self.commitment.mentor_id},
            )
        if name == "rate" and self.may_manage and self.grants:
            return RateForm(data, grants=self.grants, initial={"valid_from": today})
        if name == "consent" and (self.may_report or self.may_mentor) and self.testimonies:
            return ConsentForm(data, testimonies=self.testimonies, initial={"on": today})
        if name == "session" and self.may_mentor:
            return SessionForm(data, milestones=self.open_milestones(), initial={"held_on": today})
        if name == "release" and self.may_manage:
            pending = [t for t in self.tranches if t.released_on is None]
            if pending:
                return ReleaseForm(data, tranches=pending, initial={"released_on": today})
        if name == "disbursement" and self.may_manage:
            released = [t for t in self.tranches if t.released_on is not None]
            if released:
                return DisbursementForm(data, tranches=released, initial={"date": today})
        if name == "spending" and self.may_report and self.grants and self.lines:
            return SpendingForm(data, grants=self.grants, lines=self.lines, initial={"date": today})
        if name == "outcome" and self.may_report:
            return OutcomeForm(
                data,
                cohorts=self.cohorts,
                actions=self.actions,
                initial={"recorded_on": today},
            )
        if name == "lesson" and (self.may_report or self.may_mentor):
            return LessonForm(data, initial={"recorded_on": today})
        if name == "testimony" and (self.may_report or self.may_mentor):
            return TestimonyForm(
                data,
                institutions=self.institutions,
                initial={
                    "recorded_on": today,
                    "author_institution": self.commitment.institution_id,
                },
            )
        return None


FORMS = (
    "milestone",
    "session",
    "mentor",
    "release",
    "disbursement",
    "rate",
    "spending",
    "outcome",
    "lesson",
    "testimony",
    "consent",
)


def _version(commitment: Commitment, raw: str) -> CommitmentVersion:
    versions = commitment.versions.all()
    if not raw:
        found = versions.order_by("-number").first()
    elif raw.isascii() and raw.isdigit() and len(raw) <= 5:
        found = versions.filter(number=int(raw)).first()
    else:
        found = None
    if found is None:
        raise Http404
    return found


def _render(
    request: HttpRequest,
    page: _Page,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    commitment = page.commitment
    today = _today()
    version = _version(commitment, request.GET.get("version", ""))
    version_rows = (
        CommitmentVersion.objects.filter(pk=version.pk)
        .prefetch_related("places", "budget_lines", "indicators", "milestones")
        .get()
    )
    grants = [
        {
            "grant": g,
            "balance": selectors.grant_balance(g),
            "tranches": [
                (t, list(t.disbursements.all()))
                for t in g.tranches.select_related("condition_milestone")
            ],
            "spending": list(g.spending.all()),
        }
        for g in page.grants
    ]
    rates = [x for g in page.grants for x in g.rates.all()]
    milestones = [
        {
            "m": m,
            "late": m.days_late(today),
            "assessment": next(iter(m.assessments.all()), None),
        }
        for m in page.milestones
    ]
    bound = bound or {}
    the_forms = {name: bound.get(name) or page.form(name) for name in FORMS}
    return render(
        request,
        "web/commitments/detail.html",
        {
            "commitment": commitment,
            "version": version_rows,
            "latest": version.number == commitment.versions.order_by("-number")[0].number,
            "versions": list(commitment.versions.order_by("number")),
            "milestones": milestones,
            "late": len(selectors.milestones_late(commitment, today)),
            "grants": grants,
            "sessions": list(
                commitment.mentoring_sessions.prefetch_related("assessments__milestone")
            ),
            "lessons": list(commitment.lessons.all()),
            "outcomes": list(commitment.outcomes.select_related("cohort", "community_action")),
            "reach": selectors.reach_shown(request.user, [commitment.pk]),
            "testimonies": list(selectors.testimony_list(user=request.user, commitment=commitment)),
            "forms": the_forms,
            "may_report": page.may_report,
            "rates": rates,
            "today": today,
        },
        status=status,
    )


@login_required
@require_GET
@domain_errors
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    return _render(request, _Page(request, commitment))


def _post(name: str, write: Any) -> Any:
    """A POST view for one of the page's forms: the commitment must be open to the user
    (404), the form theirs (403); a refusal of the services is shown on the form."""

    @login_required
    @idempotent
    @require_POST
    @domain_errors
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        commitment = _commitment(request, pk)
        page = _Page(request, commitment)
        form = page.form(name, request.POST, request.FILES)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                done = write(request, page, form)
            except (NotFoundError, PermissionDeniedError):
                raise
            except ApplicationError as problem:
                form.add_error(None, str(problem))
            else:
                messages.success(request, done)
                return redirect("web:commitment_detail", pk=commitment.pk)
        return _render(request, page, {name: form}, status=400)

    view.__name__ = f"commitment_{name}"
    return view


@transaction.atomic
def _milestone(request: HttpRequest, page: _Page, form: Any) -> str:
    """The status and its evidence file together: both are kept or neither."""
    data = form.cleaned_data
    milestone = services.milestone_set_status(
        actor=request.user,
        milestone=pick(page.milestones, data["milestone"]),
        status=data["status"],
        on=data["on"],
        note=data["note"],
    )
    if data["evidence"]:
        name, content = data["evidence"]
        services.evidence_add(
            actor=request.user,
            milestone=milestone,
            name=name,
            data=content,
            description=data["evidence_description"],
        )
        return _("Milestone status and evidence saved.")
    return _("Milestone status saved.")


def _mentor(request: HttpRequest, page: _Page, form: Any) -> str:
    chosen = form.cleaned_data["mentor"]
    users = list(selectors.mentor_candidates(page.commitment.initiative)[:300])
    services.mentor_assign(
        actor=request.user,
        commitment=page.commitment,
        mentor=pick(users, chosen) if chosen else None,
    )
    return _("Mentor saved.")


def _rate(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.exchange_rate_record(
        actor=request.user,
        grant=pick(page.grants, data["grant"]),
        currency=data["currency"],
        rate=data["rate"],
        valid_from=data["valid_from"],
        source=data["source"],
    )
    return _("Exchange rate saved.")


def _consent(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    given = data["consent"] == "yes"
    services.testimony_consent_set(
        actor=request.user,
        testimony=pick(page.testimonies, data["testimony"]),
        consent=given,
        on=data["on"] if given else None,
    )
    return _("Consent saved.")


def _session(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.mentoring_session_record(
        actor=request.user,
        commitment=page.commitment,
        held_on=data["held_on"],
        mode=data["mode"],
        topics=data["topics"],
        next_steps=data["next_steps"],
        follow_up=data["follow_up"],
        assessments=form.assessments(),
    )
    return _("Mentoring session saved.")


def _release(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.tranche_release(
        actor=request.user,
        tranche=pick(page.tranches, data["tranche"]),
        released_on=data["released_on"],
    )
    return _("Tranche released.")


def _disbursement(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.disbursement_record(
        actor=request.user,
        tranche=pick(page.tranches, data["tranche"]),
        date=data["date"],
        amount=data["amount"],
        reference=data["reference"],
    )
    return _("Disbursement saved.")


def _spending(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.spending_record(
        actor=request.user,
        grant=pick(page.grants, data["grant"]),
        budget_line=data["budget_line"],
        amount=data["amount"],
        date=data["date"],
        currency=data["currency"] or None,
        note=data["note"],
    )
    return _("Spending saved.")


def _outcome(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    link = data["link"] or ""
    cohort = pick(page.cohorts, int(link[1:])) if link.startswith("c") else None
    action = pick(page.actions, int(link[1:])) if link.startswith("a") else None
    services.outcome_record(
        actor=request.user,
        commitment=page.commitment,
        description=data["description"],
        recorded_on=data["recorded_on"],
        cohort=cohort,
        community_action=action,
        people_reached=data["people_reached"],
    )
    return _("Outcome saved.")


def _lesson(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.lesson_record(
        actor=request.user,
        commitment=page.commitment,
        text=data["text"],
        recorded_on=data["recorded_on"],
    )
    return _("Lesson saved.")


def _testimony(request: HttpRequest, page: _Page, form: Any) -> str:
    data = form.cleaned_data
    services.testimony_record(
        actor=request.user,
        commitment=page.commitment,
        quote=data["quote"],
        author_institution=pick(page.institutions, data["author_institution"]),
        author_role=data["author_role"],
        recorded_on=data["recorded_on"],
        consent_to_publish=data["consent_to_publish"],
        consent_on=data["consent_on"],
    )
    return _("Testimony saved.")


milestone_report = _post("milestone", _milestone)
mentor_assign = _post("mentor", _mentor)
rate_record = _post("rate", _rate)
consent_set = _post("consent", _consent)
session_record = _post("session", _session)
tranche_release = _post("release", _release)
disbursement_record = _post("disbursement", _disbursement)
spending_record = _post("spending", _spending)
lesson_record = _post("lesson", _lesson)
outcome_record = _post("outcome", _outcome)
testimony_record = _post("testimony", _testimony)


@login_required
@require_GET
@domain_errors
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A milestone's evidence file, to those who open its commitment (S2), always as a
    download (never shown inline by the browser); each download audited (S10)."""
    evidence = (
        MilestoneEvidence.objects.filter(
            pk=pk, milestone__commitment__in=selectors.commitment_list(user=request.user)
        )
        .select_related("milestone")
        .first()
    )
    if evidence is None:
        raise Http404
    audit_record(actor=request.user, action="view", target=evidence)
    return attachment(
        services.evidence_bytes(evidence),
        services.CONTENT_TYPES[evidence.kind],
        services.evidence_download_name(evidence),
    )


# ---------------------------------------------------------------- what is due


@login_required
@require_GET
def commitment_due(request: HttpRequest) -> HttpResponse:
    """For a mentor (and a focal point): the milestones due in the next 30 days and those
    late, and the commitments with no mentoring session in the last 30 days, of the
    commitments assigned to the user. Printable."""
    today = _today()
    until = today + dt.timedelta(days=DUE_DAYS)
    commitments = list(
        selectors.commitments_assigned_to(request.user)
        .select_related("initiative", "institution")
        .exclude(status="withdrawn")
        .order_by("institution__name")
    )
    rows = []
    for c in commitments:
        open_ms = c.milestones.filter(due_on__lte=until).exclude(
            status__in=[MilestoneStatus.DONE, MilestoneStatus.DROPPED]
        )
        last = c.mentoring_sessions.order_by("-held_on").first()
        session_due = last is None or (today - last.held_on).days >= DUE_DAYS
        milestones = [(m, m.days_late(today)) for m in open_ms.order_by("due_on")]
        if milestones or session_due:
            rows.append(
                {
                    "commitment": c,
                    "milestones": milestones,
                    "last_session": last,
                    "session_due": session_due,
                    "is_mentor": c.mentor_id == request.user.pk,
                }
            )
    return render(
        request,
        "web/commitments/due.html",
        {"rows": rows, "today": today, "until": until, "days": DUE_DAYS},
    )
