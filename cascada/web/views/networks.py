"""Promoter network pages: networks and their members, the year's plan kept revision by
revision, the phone form that records an action (also offline), actions with their
photos, campaigns with their media reach, and the network's annual report as a page and a
PDF (docs/decisions/networks.md). Views adapt: the rules are in ``cascada.networks``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS as DJANGO_MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import ApplicationError
from cascada.imports.storage import upload_read
from cascada.networks import importers, selectors, services
from cascada.networks.models import (
    ActionPhoto,
    ActivityKind,
    CommunityAction,
    Medium,
    MemberRole,
    Membership,
    Network,
    NetworkKind,
    PlannedActivity,
)
from cascada.networks.report_pdf import network_report_pdf
from cascada.registry.models import Organization, Person, Place
from cascada.registry.selectors import identities_reveal
from cascada.trainings.selectors import cohort_list

from ..forms.trainings import DATE
from ..idempotency import idempotent
from .common import domain_errors

# Django's own month names (lowercase in Spanish, as in a sentence); capitalised where a
# line starts with one.
MONTHS = [capfirst(DJANGO_MONTHS[m]) for m in range(1, 13)]


def _today() -> dt.date:
    return timezone.localdate()


def _network(request: HttpRequest, pk: Any) -> Network:
    return selectors.network_get(user=request.user, pk=pk)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise Http404


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return _today().year


def _places(network: Network) -> list[Place]:
    """The places an action of the network is usually at: the network's own and those of
    its plans and actions (a short list for a phone)."""
    ids = set(
        CommunityAction.objects.filter(network=network, place__isnull=False)
        .values_list("place_id", flat=True)
        .distinct()[:30]
    )
    if network.place_id:
        ids.add(network.place_id)
    return list(Place.objects.filter(pk__in=ids).order_by("name"))


# ---------------------------------------------------------------- networks


@login_required
@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    networks = list(selectors.network_list(user=request.user).order_by("name")[:500])
    return render(
        request,
        "web/networks/list.html",
        {
            "networks": networks,
            "may_create": scope.has(request.user, Cap.MANAGE_PROGRAMS),
            "campaigns": selectors.campaign_list(user=request.user)[:50],
        },
    )


class NetworkForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=gettext_lazy("Convened by")
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=NetworkKind.choices)
    registry_entry = forms.CharField(
        label=gettext_lazy("Public Registry entry (partida)"), max_length=40, required=False
    )
    registry_office = forms.CharField(
        label=gettext_lazy("Registry office"), max_length=120, required=False
    )
    registry_date = forms.DateField(
        label=gettext_lazy("Registered on"),
        required=False,
        widget=DATE,
    )
    recognition = forms.CharField(
        label=gettext_lazy("Recognition (resolution type and number)"),
        max_length=160,
        required=False,
    )
    recognition_date = forms.DateField(
        label=gettext_lazy("Recognised on"),
        required=False,
        widget=DATE,
    )
    recognition_authority = forms.CharField(
        label=gettext_lazy("Issued by"), max_length=160, required=False
    )
    plan_line = forms.CharField(
        label=gettext_lazy("Line of the work plan it feeds"), max_length=200, required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(
            pk__in=scope.org_ids(user, Cap.MANAGE_PROGRAMS)
        ).order_by("name")


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def network_new(request: HttpRequest) -> HttpResponse:
    if not scope.has(request.user, Cap.MANAGE_PROGRAMS):
        raise PermissionDenied
    form = NetworkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        try:
            network = services.network_save(actor=request.user, organization=organization, **data)
        except ApplicationError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Network created."))
            return redirect("web:network_detail", pk=network.pk)
    return render(request, "web/networks/new.html", {"form": form})


@login_required
@require_GET
@domain_errors
def network_detail(request: HttpRequest, pk: int) -> HttpResponse:
    network = _network(request, pk)
    year = _year(request)
    status = selectors.plan_status(network=network, year=year, today=_today())
    manage = selectors.may_manage(request.user, network)
    people = selectors.sees_people(request.user, network)
    members: list[tuple[Membership, str]] = []
    cohorts: list[Any] = []
    if people:
        rows = list(
            network.memberships.select_related("person").order_by("left_on", "role", "joined_on")
        )
        names: dict[int, str] = {}
        if scope.has(request.user, Cap.VIEW_IDENTITY, network.organization_id):
            names = identities_reveal(
                user=request.user, people=[m.person for m in rows], short=True, target=network
            )
        members = [(m, names.get(m.person_id, "")) for m in rows]
    if manage and scope.has(request.user, Cap.MANAGE_PROGRAMS):
        cohorts = list(cohort_list(user=request.user).order_by("-start_date")[:100])
    return render(
        request,
        "web/networks/detail.html",
        {
            "network": network,
            "year": year,
            "status": status,
            "months": _month_rows(status),
            "reach": selectors.reach_shown(user=request.user, network=network, year=year),
            "members": members,
            "current_members": sum(1 for m, _n in members if m.left_on is None),
            "sees_people": people,
            "may_manage": manage,
            "may_record": selectors.may_record(request.user, network),
            "may_import": importers.may_import(request.user, network),
            "cohorts": cohorts,
            "roles": MemberRole.choices,
            "actions": list(
                network.actions.filter(date__year=year).select_related("place", "campaign")[:200]
            ),
        },
    )


def _month_rows(status: selectors.PlanStatus) -> list[dict[str, Any]]:
    out = []
    for month in range(1, 13):
        lines = [line for line in status.lines if line.month == month]
        if not lines:
            continue
        out.append({"name": MONTHS[month - 1], "lines": lines})
    return out


@login_required
@idempotent
@require_POST
@domain_errors
def network_members_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A cohort's completers join the network in one step."""
    network = _network(request, pk)
    try:
        cohort_id = query_id(request.POST, "cohort")
    except InvalidQueryParameter:
        cohort_id = None
    cohort = cohort_list(user=request.user).filter(pk=cohort_id or 0).first()
    if cohort is None:
        messages.error(request, _("Choose one of your cohorts."))
        return redirect("web:network_detail", pk=network.pk)
    joined = _date_or_today(request.POST.get("joined_on", ""))
    added = services.members_from_cohort(
        actor=request.user, network=network, cohort=cohort, joined_on=joined
    )
    messages.success(
        request,
        _("%(n)s completers joined the network.") % {"n": len(added)}
        if len(added) != 1
        else _("1 completer joined the network."),
    )
    return redirect("web:network_detail", pk=network.pk)


def _date_or_today(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return _today()


@login_required
@idempotent
@require_POST
@domain_errors
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = Membership.objects.filter(
        pk=pk, network__in=selectors.network_list(user=request.user)
    ).first()
    if membership is None:
        raise Http404
    left_raw = request.POST.get("left_on", "")
    try:
        left_on = dt.date.fromisoformat(left_raw) if left_raw else None
        services.membership_change(
            actor=request.user,
            membership=membership,
            role=request.POST.get("role", ""),
            left_on=left_on,
        )
    except ValueError:
        messages.error(request, _("The date of leaving is not a date."))
    except ApplicationError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Member saved."))
    return redirect("web:network_detail", pk=membership.network_id)


# ---------------------------------------------------------------- plans


@login_required
@require_GET
@domain_errors
def plan_detail(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Every revision of the year's plan, each as it was approved."""
    network = _network(request, pk)
    _check_year(year)
    status = selectors.plan_status(network=network, year=year, today=_today())
    plan = network.plans.filter(year=year).first()
    revisions = (
        list(
            plan.revisions.prefetch_related(
                "activities__place", "activities__responsible"
            ).order_by("-number")
        )
        if plan
        else []
    )
    return render(
        request,
        "web/networks/plan.html",
        {
            "network": network,
            "year": year,
            "plan": plan,
            "revisions": revisions,
            "status": status,
            "months": _month_rows(status),
            "sees_people": selectors.sees_people(request.user, network),
            "may_manage": selectors.may_manage(request.user, network),
        },
    )


EXTRA_ROWS = 4


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def plan_revise(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A new revision: the latest one's activities to change, drop or add to. The earlier
    revisions stay as they were."""
    network = _network(request, pk)
    _check_year(year)
    if not selectors.may_manage(request.user, network):
        raise PermissionDenied
    plan = network.plans.filter(year=year).first()
    latest = plan.revisions.order_by("-number").first() if plan else None
    current: list[PlannedActivity] = (
        list(latest.activities.prefetch_related("responsible")) if latest else []
    )
    error = ""
    rows: list[dict[str, Any]] = [
        {
            "key": a.key,
            "kind": a.kind,
            "title": a.title,
            "month": a.month,
            "audience": a.audience,
            "expected_reach": a.expected_reach,
            "responsible": " ".join(p.code for p in a.responsible.all()),
            "keep": True,
        }
        for a in current
    ]
    if request.method == "POST":
        rows = _plan_rows(request.POST)
        kept = [r for r in rows if r["keep"] and r["title"]]
        try:
            services.plan_revise(
                actor=request.user,
                network=network,
                year=year,
                activities=kept,
                approved_on=_date_or_today(request.POST.get("approved_on", "")),
                note=request.POST.get("note", "")[:2000],
                objectives=request.POST.get("objectives", "").strip(),
            )
        except ApplicationError as problem:
            error = str(problem)
        else:
            messages.success(request, _("Plan saved as a new revision."))
            return redirect("web:network_plan", pk=network.pk, year=year)
    blanks = [
        {
            "key": "",
            "kind": "",
            "title": "",
            "month": "",
            "audience": "",
            "expected_reach": 0,
            "responsible": "",
        }
    ] * EXTRA_ROWS
    return render(
        request,
        "web/networks/plan_edit.html",
        {
            "network": network,
            "year": year,
            "rows": rows + blanks,
            "kinds": ActivityKind.choices,
            "months": list(enumerate(MONTHS, start=1)),
            "error": error,
            "today": _today(),
            "revision": (latest.number + 1) if latest else 1,
            "objectives": request.POST.get("objectives", plan.objectives if plan else ""),
        },
    )


def _plan_rows(post: Any) -> list[dict[str, Any]]:
    rows = []
    for n, title in enumerate(post.getlist("title"), start=1):
        i = n - 1

        def cell(name: str, i: int = i) -> str:
            values = post.getlist(name)
            return values[i].strip() if i < len(values) else ""

        key = cell("key") or uuid.uuid4().hex[:12]
        rows.append(
            {
                "n": n,
                "key": key,
                "kind": cell("kind"),
                "title": title.strip(),
                "month": cell("month") or "0",
                "audience": cell("audience"),
                "expected_reach": cell("expected_reach") or "0",
                "responsible": cell("responsible").replace(",", " ").split(),
                "keep": key not in post.getlist("drop"),
            }
        )
    return rows


# ---------------------------------------------------------------- actions


class ActionForm(forms.Form):
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ActivityKind.choices)
    planned_key = forms.ChoiceField(label=gettext_lazy("Planned activity"), required=False)
    title = forms.CharField(label=gettext_lazy("What was done"), max_length=200)
    place = forms.ChoiceField(label=gettext_lazy("Place"), required=False)
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    audience = forms.CharField(label=gettext_lazy("Audience"), max_length=120, required=False)
    women = forms.IntegerField(
        label=gettext_lazy("Women"), min_value=0, max_value=services.MAX_HEADCOUNT, initial=0
    )
    men = forms.IntegerField(
        label=gettext_lazy("Men"), min_value=0, max_value=services.MAX_HEADCOUNT, initial=0
    )
    young_women = forms.IntegerField(
        label=gettext_lazy("Young women"), min_value=0, max_value=services.MAX_HEADCOUNT, initial=0
    )
    young_men = forms.IntegerField(
        label=gettext_lazy("Young men"), min_value=0, max_value=services.MAX_HEADCOUNT, initial=0
    )
    children = forms.IntegerField(
        label=gettext_lazy("Girls and boys"),
        min_value=0,
        max_value=services.MAX_HEADCOUNT,
        initial=0,
    )
    not_stated = forms.IntegerField(
        label=gettext_lazy("Not noted by sex or age"), min_value=0, initial=0
    )
    materials = forms.IntegerField(
        label=gettext_lazy("Materials handed out"), min_value=0, initial=0
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, network: Network, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = selectors.plan_status(network=network, year=year, today=_today())
        planned = self.fields["planned_key"]
        assert isinstance(planned, forms.ChoiceField)
        planned.choices = [("", _("Not planned"))] + [
            (line.key, f"{MONTHS[line.month - 1]} · {line.title}") for line in status.lines
        ]
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        self.places = {str(p.pk): p for p in _places(network)}
        place.choices = [("", "—")] + [(k, p.name) for k, p in self.places.items()]
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ChoiceField)
        self.campaigns = {str(c.pk): c for c in network.campaigns.order_by("-starts_on")[:20]}
        campaign.choices = [("", "—")] + [(k, c.name) for k, c in self.campaigns.items()]


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: a promoter records what was done in under a minute. Without signal
    the page's script keeps the action on the phone and sends it when the phone is back
    online, with the same client key, so a retry is stored once."""
    network = _network(request, pk)
    if not selectors.may_record(request.user, network):
        raise PermissionDenied
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = ActionForm(
        request.POST or None,
        network=network,
        year=_today().year,
        initial={"date": _today(), "client_key": uuid.uuid4().hex},
    )
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["place"] = form.places.get(data.pop("place") or "")
            data["campaign"] = form.campaigns.get(data.pop("campaign") or "")
            client_key = data.pop("client_key") or ""
            person_id = getattr(request.user, "person_id", None) or 0
            data["run_by"] = (
                Person.objects.filter(pk=person_id).first()
                if network.memberships.filter(person_id=person_id, left_on__isnull=True).exists()
                else None
            )
            try:
                action, created = services.action_record(
                    actor=request.user, network=network, client_key=client_key, **data
                )
            except ApplicationError as problem:
                form.add_error(None, str(problem))
            else:
                if wants_json:
                    return JsonResponse(
                        {"ok": True, "created": created, "id": action.pk, "title": action.title}
                    )
                messages.success(
                    request,
                    _("Action saved.") if created else _("This action was already saved."),
                )
                return redirect("web:network_detail", pk=network.pk)
        if wants_json:
            return JsonResponse(
                {
                    "ok": False,
                    "errors": [
                        f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
                        if f in form.fields
                        else " ".join(str(m) for m in e)
                        for f, e in form.errors.items()
                    ],
                },
                status=400,
            )
    return render(
        request,
        "web/networks/action_new.html",
        {"network": network, "form": form},
    )


@login_required
@require_GET
@domain_errors
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = (
        CommunityAction.objects.filter(pk=pk, network__in=selectors.network_list(user=request.user))
        .select_related("network", "place", "campaign", "run_by")
        .first()
    )
    if action is None:
        raise Http404
    people = selectors.sees_people(request.user, action.network)
    return render(
        request,
        "web/networks/action.html",
        {
            "action": action,
            "network": action.network,
            "photos": list(action.photos.all()) if people else [],
            "sees_people": people,
            "may_record": selectors.may_record(request.user, action.network),
            "reach_rows": [
                (selectors.REACH_LABELS[f], getattr(action, f)) for f in selectors.REACH_FIELDS
            ],
        },
    )


class PhotoForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Photo"))
    consent = forms.CharField(
        label=gettext_lazy("Who consented to the photo, and how"),
        max_length=300,
        help_text=gettext_lazy(
            "Everyone recognisable in the photo agreed to it being kept. Without consent, "
            "do not upload it."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Everyone shown agreed to this photo being kept")
    )


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = CommunityAction.objects.filter(
        pk=pk, network__in=selectors.network_list(user=request.user)
    ).first()
    if action is None:
        raise Http404
    if not selectors.may_record(request.user, action.network):
        raise PermissionDenied
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = upload_read(form.cleaned_data["file"], max_bytes=services.PHOTO_MAX_BYTES)
        try:
            if data is None:
                raise ApplicationError(_("The photo is larger than 8 MB."))
            services.photo_add(
                actor=request.user,
                action=action,
                data=data,
                consent=form.cleaned_data["consent"],
            )
        except ApplicationError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Photo kept."))
            return redirect("web:network_action", pk=action.pk)
    return render(request, "web/networks/photo_add.html", {"action": action, "form": form})


@login_required
@require_GET
@domain_errors
def photo_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo, to those who see the network's people only; each view is audited."""
    photo = (
        ActionPhoto.objects.filter(
            pk=pk, action__network__in=selectors.network_list(user=request.user)
        )
        .select_related("action__network")
        .first()
    )
    if photo is None or not selectors.sees_people(request.user, photo.action.network):
        raise Http404
    audit_record(actor=request.user, action="view", target=photo)
    response = HttpResponse(services.photo_bytes(photo), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- campaigns


class CampaignForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=gettext_lazy("Run by")
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DATE)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea, required=False
    )
    networks = forms.ModelMultipleChoiceField(
        queryset=Network.objects.none(),
        label=gettext_lazy("Networks taking part"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organization"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = Organization.objects.filter(
            pk__in=scope.org_ids(user, Cap.MANAGE_PROGRAMS)
        ).order_by("name")
        nets = self.fields["networks"]
        assert isinstance(nets, forms.ModelMultipleChoiceField)
        nets.queryset = selectors.network_list(user=user).order_by("name")


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not scope.has(request.user, Cap.MANAGE_PROGRAMS):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_save(actor=request.user, **form.cleaned_data)
        except ApplicationError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Campaign created."))
            return redirect("web:campaign_detail", pk=campaign.pk)
    return render(request, "web/networks/campaign_new.html", {"form": form})


class MediaForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    medium = forms.ChoiceField(label=gettext_lazy("Medium"), choices=Medium.choices)
    outlet = forms.CharField(label=gettext_lazy("Outlet"), max_length=160, required=False)
    spots = forms.IntegerField(
        label=gettext_lazy("Spots aired"), min_value=0, max_value=services.MAX_MEDIA, initial=0
    )
    posts = forms.IntegerField(
        label=gettext_lazy("Posts"), min_value=0, max_value=services.MAX_MEDIA, initial=0
    )
    estimated_audience = forms.IntegerField(
        label=gettext_lazy("Estimated audience"), min_value=0, initial=0
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), max_length=300, required=False)


@login_required
@idempotent
@require_http_methods(["GET", "POST"])
@domain_errors
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    manage = services.may_manage_campaign(request.user, campaign)
    form = MediaForm(request.POST or None, initial={"date": _today()})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.media_add(actor=request.user, campaign=campaign, **form.cleaned_data)
            except ApplicationError as problem:
                form.add_error(None, str(problem))
            else:
                messages.success(request, _("Media reach saved."))
                return redirect("web:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "web/networks/campaign.html",
        {
            "campaign": campaign,
            "summary": selectors.campaign_summary(user=request.user, campaign=campaign),
            "form": form,
            "may_manage": manage,
        },
    )


# ---------------------------------------------------------------- the annual report


def _report_context(request: HttpRequest, network: Network, year: int) -> dict[str, Any]:
    _check_year(year)
    status = selectors.plan_status(network=network, year=year, today=_today())
    return {
        "network": network,
        "year": year,
        "status": status,
        "months": _month_rows(status),
        "reach": selectors.reach_shown(user=request.user, network=network, year=year),
        "members": network.memberships.filter(left_on__isnull=True).count()
        if selectors.sees_people(request.user, network)
        else None,
        "campaigns": selectors.network_campaigns(network=network, year=year),
        "objectives": network.plans.filter(year=year).values_list("objectives", flat=True).first()
        or "",
        "today": _today(),
    }


@login_required
@require_GET
@domain_errors
def network_report(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    network = _network(request, pk)
    return render(request, "web/networks/report.html", _report_context(request, network, year))


@login_required
@require_GET
@domain_errors
def network_report_pdf_view(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    network = _network(request, pk)
    context = _report_context(request, network, year)
    audit_record(actor=request.user, action="export", target=network, detail={"year": year})
    response = HttpResponse(network_report_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="red-{network.pk}-{year}.pdf"'
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that lets the action form open without signal (its scope is
    ``/networks/``: it sees no other page)."""
    response = render(request, "web/networks/sw.js", content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
