"""Safeguarding pages other than the cases (issue 13; docs/decisions/safeguarding.md).
Views adapt: who may do what is ``cascada.safeguarding.selectors``, the rules are
``cascada.safeguarding.services``.

- ``guide``: "What to do now?", from a session, an action, an interview or a person's page
  (or for a place): the steps of each situation and the numbers to call, nearest first,
  one tap each; the button that records a case from the same activity.
- ``card``: the printable card of a place (its services and the first steps of immediate
  danger), with a short place picker.
- ``service_list``, ``service_new``, ``service_edit``: the organization's directory.
- ``leads``: an administrator names and removes the safeguarding leads.
- ``court_agreement``: a court-ordered program's agreement with the court.
- ``summary``: the organization's yearly counts, exact for its leads, protected for the
  others (``core.privacy.counts_release``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import query_id, query_int
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.networks.selectors import network_list
from cascada.registry.models import Organization, Place, PlaceLevel
from cascada.registry.selectors import place_entries, place_get, place_labels
from cascada.research.models import Site
from cascada.research.selectors import study_list
from cascada.safeguarding import selectors, services
from cascada.safeguarding.models import (
    AtRisk,
    CourtAgreement,
    Service,
    Source,
    Step,
    Urgency,
)
from cascada.trainings.clock import country_today
from cascada.trainings.selectors import cohort_list, program_get

from ..forms.safeguarding import (
    CourtAgreementForm,
    DirectoryFilterForm,
    LeadForm,
    PlaceChoiceForm,
    ServiceForm,
    SummaryForm,
)
from ..idempotency import idempotent
from ..nav import url_or_none
from .common import domain_errors, form_save, pick, service_message

# ---------------------------------------------------------------- shared pieces


def _organizations(ids: set[int]) -> list[Organization]:
    """The organizations of these ids (a selector's answer), by name."""
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def _chosen(request: HttpRequest, organizations: list[Organization]) -> Organization:
    """The organization named by ``org`` (GET or POST), else the first; 404 for one the
    user may not work in."""
    try:
        pk = query_id(request.POST if request.method == "POST" else request.GET, "org")
    except ValueError:
        raise Http404() from None
    if pk is None:
        return organizations[0]
    found = next((o for o in organizations if o.pk == pk), None)
    if found is None:
        raise Http404()
    return found


def _place(request: HttpRequest) -> Place | None:
    try:
        pk = query_id(request.GET, "place")
    except ValueError:
        raise Http404() from None
    return place_get(pk=pk) if pk is not None else None


def _level(entry: Any) -> str:
    return str(PlaceLevel(entry.level).label).lower()


def _place_label(place: Place | None) -> str:
    if place is None:
        return _("The whole country")
    return place_labels(place_ids=[place.pk]).get(place.pk, place.name)


def _picker_places(user: Any, organization: Organization) -> list[tuple[str, list[Any]]]:
    """The places offered by the guide's and the card's picker, by department: those of
    the organization's directory and of its activities (cohorts, networks, study sites,
    its own seat), each with its department and province. A few dozen options, never
    every district of the country."""
    org_id = organization.pk
    ids: set[Any] = {organization.place_id}
    ids |= {s.place_id for s in selectors.service_list(user=user, organization_id=org_id)}
    ids |= set(
        cohort_list(user=user)
        .filter(program__owner_id=org_id)
        .order_by()
        .values_list("place_id", flat=True)
    )
    ids |= set(
        network_list(user=user)
        .filter(organization_id=org_id)
        .order_by()
        .values_list("place_id", flat=True)
    )
    studies = study_list(user=user).filter(organization_id=org_id).order_by().values("pk")
    ids |= set(Site.objects.filter(study__in=studies).values_list("place_id", flat=True))
    entries = place_entries()
    chosen: set[int] = set()
    for pk in ids:
        entry = entries.get(pk) if pk else None
        if entry is not None and entry.country == organization.country:
            chosen.update(entry.chain)
    groups: dict[int, list[tuple[tuple[str, ...], int, str]]] = {}
    for pk in chosen:
        entry = entries[pk]
        names = tuple(entries[p].name for p in entry.chain)
        label = f"{entry.name} ({_level(entry)})"
        if len(entry.chain) == 3:  # a district: its province too
            label = f"{label} — {entries[entry.chain[1]].name}"
        groups.setdefault(entry.chain[0], []).append((names, pk, label))
    return [
        (entries[dept].name, [(pk, label) for _names, pk, label in sorted(rows)])
        for dept, rows in sorted(groups.items(), key=lambda kv: entries[kv[0]].name)
    ]


_FIRST_NUMBER = re.compile(r"[/,;]|\s[oy]\s")


def tel(phone: str) -> str:
    """The ``tel:`` target of a phone as written in the directory: its first number, in
    digits only (a leading + kept), so that one tap calls it."""
    for part in _FIRST_NUMBER.split(phone or ""):
        digits = "".join(c for c in part if c.isascii() and c.isdigit())
        if digits:
            return ("+" if part.strip().startswith("+") else "") + digits
    return ""


NEAR = {
    0: gettext_lazy("In this place"),
    1: gettext_lazy("Serves this area"),
    2: gettext_lazy("In the same province"),
    3: gettext_lazy("In the same department"),
    4: gettext_lazy("Whole country"),
    5: gettext_lazy("Farther away"),
}


@dataclass
class Shown:
    """A service as the guide, the card and the directory show it."""

    service: Service
    tel: str
    tel_other: str
    near: Any
    place: str
    farther: bool  # elsewhere than the place itself, and not the whole country: say where


def _shown(services_: list[Service], place: Place | None) -> list[Shown]:
    labels = place_labels(place_ids={s.place_id for s in services_ if s.place_id})
    out = []
    for s in services_:
        near = selectors.distance(s, place)
        out.append(
            Shown(
                service=s,
                tel=tel(s.phone),
                tel_other=tel(s.phone_other),
                near=NEAR[near],
                place=labels.get(s.place_id, "") if s.place_id else _("Whole country"),
                farther=near not in (0, 4),
            )
        )
    return out


@dataclass
class SectionLink:
    url: str
    label: Any
    active: bool


def _section_links(request: HttpRequest, here: str) -> list[SectionLink]:
    """The safeguarding pages the user may open, for the links at the top of each."""
    user = request.user
    links: list[tuple[str, Any]] = [
        ("web:case_list", gettext_lazy("Cases")),
        ("web:safeguarding_guide", gettext_lazy("What to do now?")),
        ("web:safeguarding_card", gettext_lazy("Printable card")),
        ("web:service_list", gettext_lazy("Directory of services")),
    ]
    if scope.org_ids(user, Cap.MANAGE_MEMBERS):
        links.append(("web:safeguarding_leads", gettext_lazy("Safeguarding leads")))
    if selectors.summary_org_ids(user):
        links.append(("web:safeguarding_summary", gettext_lazy("Figures")))
    out = []
    for name, label in links:
        url = url_or_none(name)
        if url is not None:
            out.append(SectionLink(url=url, label=label, active=name == here))
    return out


def _members_only(request: HttpRequest) -> list[Organization]:
    """The organizations whose directory, guide and card the user reads (every member of
    them); 404 for a user who belongs to none."""
    organizations = _organizations(selectors.directory_org_ids(request.user))
    if not organizations:
        raise Http404()
    return organizations


def _picker(
    user: Any,
    organizations: list[Organization],
    organization: Organization,
    place: Place | None,
    *,
    national: bool = True,
) -> PlaceChoiceForm:
    """The short place picker of the guide and the card, opened on ``place``."""
    return PlaceChoiceForm(
        initial={"org": organization.pk, "place": place.pk if place else ""},
        organizations=organizations,
        places=_picker_places(user, organization),
        national=national,
    )


NEAR_ENOUGH = 4  # the place, a place containing it, its province, its department, national


def _within(rows: list[Service], place: Place) -> list[Service]:
    """The services near enough to ``place`` to be of use there, nearest first (in their
    order otherwise)."""
    kept = [(selectors.distance(s, place), n, s) for n, s in enumerate(rows)]
    return [s for near, _n, s in sorted(kept, key=lambda t: t[:2]) if near <= NEAR_ENOUGH]


def _query(**values: Any) -> str:
    q = QueryDict(mutable=True)
    for key, value in values.items():
        if value is not None and value != "":
            q[key] = str(value)
    return q.urlencode()


# ---------------------------------------------------------------- the guide


SOURCES = (Source.SESSION, Source.ACTION, Source.EVENT, Source.PERSON)
BACK: dict[str, str] = {
    Source.SESSION: "web:session_roster",
    Source.ACTION: "web:network_action",
    Source.EVENT: "web:event_detail",
    Source.PERSON: "web:person_detail",
}
SITUATION_TITLES = {
    "danger": gettext_lazy("Someone is in immediate danger"),
    "partner": gettext_lazy("A woman tells you about violence by her partner"),
    "child": gettext_lazy("A child or adolescent is at risk"),
    "self": gettext_lazy("A participant may harm himself (e.g. suicide risk)"),
    "distress": gettext_lazy("Distress in an interview or a group"),
}


@dataclass
class Section:
    key: str
    title: Any
    services: list[Shown] = field(default_factory=list)


def _origin(request: HttpRequest) -> tuple[selectors.Origin, int] | None:
    """The activity named by the query (``session``, ``action``, ``event`` or ``person``),
    if the user may record from it (404 otherwise, ``selectors.origin_get``)."""
    given = [s for s in SOURCES if request.GET.get(s) not in (None, "")]
    if not given:
        return None
    if len(given) > 1:
        raise Http404()
    source = given[0]
    try:
        pk = query_id(request.GET, source)
    except ValueError:
        raise Http404() from None
    return selectors.origin_get(user=request.user, source=source, pk=pk), int(pk or 0)


@login_required
@require_GET
@domain_errors
def guide(request: HttpRequest) -> HttpResponse:
    user = request.user
    found = _origin(request)
    place = _place(request)
    origin_query = ""
    back_url = None
    if found is not None:
        origin, pk = found
        organization = origin.organization
        organizations = [organization]
        place = place or origin.place
        origin_query = _query(**{origin.source: pk})
        back_url = reverse(BACK[origin.source], kwargs={"pk": pk})
    else:
        origin = None
        organizations = _members_only(request)
        organization = _chosen(request, organizations)
    services_ = selectors.guide_services(user=user, organization_id=organization.pk, place=place)
    keys = list(selectors.SITUATIONS)
    if origin is not None and origin.source == Source.EVENT:
        keys.remove("distress")  # in an interview, distress is the likeliest: second
        keys.insert(1, "distress")
    sections = [Section(k, SITUATION_TITLES[k], _shown(services_[k], place)) for k in keys]
    return render(
        request,
        "web/safeguarding/guide.html",
        {
            "origin": origin,
            "origin_query": origin_query,
            "back_url": back_url,
            "organization": organization,
            "place": place,
            "place_label": _place_label(place),
            "sections": sections,
            "first_call": sections[0].services[:2] if keys[0] == "danger" else [],
            "picker": _picker(user, organizations, organization, place),
            "hidden_origin": [(k, v) for k, v in request.GET.items() if k in SOURCES],
            "card_query": _query(org=organization.pk, place=place.pk if place else None),
            "links": _section_links(request, "web:safeguarding_guide"),
        },
    )


# ---------------------------------------------------------------- the card

CARD_MAX = 12  # what fits one A5 page with the first steps


@login_required
@require_GET
@domain_errors
def card(request: HttpRequest) -> HttpResponse:
    user = request.user
    organizations = _members_only(request)
    organization = _chosen(request, organizations)
    place = _place(request)
    rows: list[Shown] = []
    if place is not None:
        near = selectors.services_near(user=user, organization_id=organization.pk, place=place)
        rows = _shown(_within(near, place)[:CARD_MAX], place)
    return render(
        request,
        "web/safeguarding/card.html",
        {
            "organization": organization,
            "place": place,
            "place_label": _place_label(place),
            "rows": rows,
            "picker": _picker(user, organizations, organization, place, national=False),
            "today": country_today(organization.country),
            "guide_query": _query(org=organization.pk, place=place.pk if place else None),
            "links": _section_links(request, "web:safeguarding_card"),
        },
    )


# ---------------------------------------------------------------- the directory


def _keeps(user: Any, organizations: list[Organization]) -> list[Organization]:
    return [o for o in organizations if selectors.may_keep_directory(user, o.pk)]


@login_required
@require_GET
@domain_errors
def service_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    organizations = _members_only(request)
    organization = _chosen(request, organizations)
    form = DirectoryFilterForm(
        request.GET or None,
        initial={"org": organization.pk},
        organizations=organizations,
        places=_picker_places(user, organization),
    )
    place = None
    kind = ""
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data.get("kind") or ""
        if form.cleaned_data.get("place"):
            place = place_get(pk=form.cleaned_data["place"])
    rows = list(selectors.service_list(user=user, organization_id=organization.pk))
    if kind:
        rows = [s for s in rows if s.kind == kind]
    if place is not None:
        rows = _within(sorted(rows, key=lambda s: s.name.casefold()), place)
    else:
        labels = place_labels(place_ids={s.place_id for s in rows if s.place_id})
        rows.sort(key=lambda s: (labels.get(s.place_id or 0, ""), s.name.casefold()))
    may_keep = selectors.may_keep_directory(user, organization.pk)
    return render(
        request,
        "web/safeguarding/directory.html",
        {
            "organization": organization,
            "form": form,
            "rows": _shown(rows, place),
            "place": place,
            "filtered": bool(kind or place),
            "may_keep": may_keep,
            "may_import": may_keep and scope.has(user, Cap.IMPORT, organization.pk),
            "links": _section_links(request, "web:service_list"),
            "org_query": _query(org=organization.pk),
            "place_query": _query(org=organization.pk, place=place.pk if place else None),
        },
    )


SERVICE_FIELDS = ("name", "kind", "phone", "phone_other", "hours", "address", "takes", "active")


def _service_page(
    request: HttpRequest, form: ServiceForm, service: Service | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/safeguarding/service_form.html",
        {"form": form, "service": service, "links": _section_links(request, "web:service_list")},
        status=status,
    )


def _service_save(
    request: HttpRequest,
    form: ServiceForm,
    organizations: list[Organization],
    service: Service | None,
) -> HttpResponse:
    """Save the form through ``services.service_save``; the form again (with the picker
    moved, or the errors beside their fields) otherwise."""
    if form.place_step:
        return _service_page(request, form, service)

    def save(data: dict[str, Any]) -> Service:
        try:
            return services.service_save(
                actor=request.user,
                organization=pick(organizations, data["org"]),
                place=data["place"],
                service=service,
                **{key: data[key] for key in SERVICE_FIELDS},
            )
        except ApplicationError as problem:
            if problem.extra.get("field") == "place":  # shown beside the picker
                problem.extra["field"] = "place1"
            raise

    saved = form_save(form, save)
    if saved is None:
        return _service_page(request, form, service, status=400)
    messages.success(request, _("Service %(name)s saved.") % {"name": saved.name})
    url = reverse("web:service_list") + "?" + _query(org=saved.organization_id)
    return redirect(f"{url}#service-{saved.pk}")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def service_new(request: HttpRequest) -> HttpResponse:
    organizations = _keeps(request.user, _members_only(request))
    if not organizations:
        raise PermissionDenied
    organization = _chosen(request, organizations)
    form = ServiceForm(
        request.POST or None,
        initial={"org": organization.pk, "active": True},
        organizations=organizations,
        country=organization.country,
    )
    if request.method == "POST":
        return _service_save(request, form, organizations, None)
    return _service_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(user=request.user, pk=pk)
    if not selectors.may_keep_directory(request.user, service.organization_id):
        raise PermissionDenied
    organizations = [service.organization]
    initial = {key: getattr(service, key) for key in SERVICE_FIELDS}
    form = ServiceForm(
        request.POST or None,
        initial={"org": service.organization_id, **initial},
        organizations=organizations,
        country=service.organization.country,
        place=service.place,
    )
    if request.method == "POST":
        return _service_save(request, form, organizations, service)
    return _service_page(request, form, service)


# ---------------------------------------------------------------- leads


def _user_label(user: Any) -> str:
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def leads(request: HttpRequest) -> HttpResponse:
    """The organization's safeguarding leads: its administrators name them among its
    users (never themselves, S4) and remove them."""
    user = request.user
    organizations = _organizations(scope.org_ids(user, Cap.MANAGE_MEMBERS))
    if not organizations:
        raise PermissionDenied
    organization = _chosen(request, organizations)
    current = list(selectors.lead_list(user=user, organization_id=organization.pk))
    taken = {lead.user_id for lead in current} | {user.pk}
    candidates = [
        u for u in selectors.lead_candidates(organization_id=organization.pk) if u.pk not in taken
    ]
    form = LeadForm(
        request.POST if "name" in request.POST else None,
        candidates=[(u.pk, _user_label(u)) for u in candidates],
    )
    here = reverse("web:safeguarding_leads") + "?" + _query(org=organization.pk)
    if request.method == "POST" and "remove" in request.POST:
        try:
            lead = pick(current, query_id(request.POST, "remove"))
        except (ValueError, ApplicationError):
            raise Http404() from None
        service_message(
            request,
            lambda: services.lead_remove(actor=user, lead=lead),
            _("%(user)s is no longer a safeguarding lead.") % {"user": _user_label(lead.user)},
        )
        return redirect(here)
    if request.method == "POST":
        named = form_save(
            form,
            lambda data: services.lead_name(
                actor=user, organization=organization, user=pick(candidates, data["user"])
            ),
        )
        if named is not None:
            messages.success(
                request,
                _("%(user)s is now a safeguarding lead.") % {"user": _user_label(named.user)},
            )
            return redirect(here)
    return render(
        request,
        "web/safeguarding/leads.html",
        {
            "organization": organization,
            "organizations": organizations,
            "leads": [(lead, _user_label(lead.user)) for lead in current],
            "form": form,
            "links": _section_links(request, "web:safeguarding_leads"),
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- the court


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def court_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """What a court-ordered program agreed with the court to share; whoever sees the
    program reads it (its facilitators tell participants what is shared), its program
    managers and the owner's leads record it."""
    program = program_get(user=request.user, pk=pk)
    if not program.is_court_mandated:
        raise NotFoundError()
    try:
        agreement: CourtAgreement | None = program.court_agreement
    except CourtAgreement.DoesNotExist:
        agreement = None
    may_set = selectors.may_keep_court_agreement(request.user, program)
    if request.method == "POST" and not may_set:
        raise PermissionDenied
    initial: dict[str, Any] = {"attendance_shared": True}
    if agreement is not None:
        initial = {
            key: getattr(agreement, key)
            for key in ("court", "reference", "signed_on", "sharing", "attendance_shared")
        }
    form = CourtAgreementForm(request.POST or None, initial=initial) if may_set else None
    if request.method == "POST" and form is not None:
        saved = form_save(
            form,
            lambda data: services.court_agreement_set(actor=request.user, program=program, **data),
        )
        if saved is not None:
            messages.success(request, _("Agreement with the court saved."))
            return redirect("web:court_agreement", pk=program.pk)
    return render(
        request,
        "web/safeguarding/court_agreement.html",
        {"program": program, "agreement": agreement, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


# ---------------------------------------------------------------- counts

YEARS_BACK = 6


@login_required
@require_GET
@domain_errors
def summary(request: HttpRequest) -> HttpResponse:
    """The organization's disclosures of a year by urgency and by who was at risk, and
    their referrals by step: never by cohort, facilitator or place."""
    user = request.user
    organizations = _organizations(selectors.summary_org_ids(user))
    if not organizations:
        raise Http404()
    organization = _chosen(request, organizations)
    this_year = country_today(organization.country).year
    years = list(range(this_year, this_year - YEARS_BACK, -1))
    try:
        year = query_int(request.GET, "year", minimum=2000, maximum=this_year) or this_year
    except ValueError:
        year = this_year
    if year not in years:
        years.append(year)
    found = selectors.summary(user=user, organization_id=organization.pk, year=year)
    cases = found.disclosures.breakdowns
    tables = [
        (
            _("Cases by urgency"),
            _("Urgency"),
            [(label, cases["urgency"][value]) for value, label in Urgency.choices],
            found.disclosures.total,
            "urgency",
        ),
        (
            _("Cases by who is at risk"),
            _("Who is at risk"),
            [(label, cases["at_risk"][value]) for value, label in AtRisk.choices],
            found.disclosures.total,
            "at-risk",
        ),
        (
            _("Referrals by the step reached"),
            _("Step"),
            [(label, found.referrals.breakdowns["step"][v]) for v, label in Step.choices],
            found.referrals.total,
            "step",
        ),
    ]
    form = SummaryForm(
        initial={"org": organization.pk, "year": year},
        organizations=organizations,
        years=years,
    )
    return render(
        request,
        "web/safeguarding/summary.html",
        {
            "organization": organization,
            "summary": found,
            "tables": tables,
            "form": form,
            "links": _section_links(request, "web:safeguarding_summary"),
        },
    )
