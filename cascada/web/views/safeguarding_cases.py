"""Safeguarding cases (issue 13; docs/decisions/safeguarding.md). Views adapt: who may do
what is ``cascada.safeguarding.selectors``, the rules are ``cascada.safeguarding.services``.

- ``case_list``: the landing page of safeguarding: the guide, the directory, the counts and
  the leads, and for whoever may open cases the list of them (an audited read): number,
  date, urgency, who is at risk, where it came from, what is awaited, overdue or not. No
  names.
- ``case_new``: recording a disclosure from an activity (``?session=``, ``?action=``,
  ``?event=``, ``?person=``) with the least data.
- ``case_detail``: one case (an audited read), its referrals and what is awaited, and the
  forms of who may act on it, each posting to its own route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts.hooks import TwoFactorAsked
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.safeguarding import selectors, services
from cascada.safeguarding.models import (
    STEPS,
    AtRisk,
    ConsentFrom,
    CourtSharing,
    Disclosure,
    DisclosureStatus,
    FirstAction,
    Referral,
    ReferralBasis,
    Source,
    Step,
)
from cascada.trainings.clock import country_today

from ..forms.safeguarding_cases import (
    AccessForm,
    CaseForm,
    CloseForm,
    CourtNoticeForm,
    ReferralForm,
    StepForm,
)
from ..idempotency import idempotent
from ..nav import url_or_none
from ..paging import PAGE_SIZE
from .common import domain_errors, form_save, pick, service_message
from .safeguarding import NEAR, _section_links, tel

# The activities a case is recorded from, in the order the query string is read.
SOURCES = (Source.SESSION, Source.ACTION, Source.EVENT, Source.PERSON)


def _today(organization: Any) -> Any:
    return country_today(organization.country)


def _opens_cases(user: Any) -> bool:
    """Whoever may open a case (a lead, a recorder, someone let in): the very question
    safeguarding answers for the second factor (S6)."""
    return selectors.needs_two_factor(TwoFactorAsked(user=user))


# ---------------------------------------------------------------- the list


@dataclass
class CaseRow:
    case: Disclosure
    awaited: list[selectors.Due]
    overdue: bool


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.belongs_org_ids(user):
        raise Http404()  # safeguarding is for the members of an organization
    today = timezone.localdate()
    context: dict[str, Any] = {
        "links": _links(request),
        "opens_cases": _opens_cases(user),
    }
    if context["opens_cases"]:
        rows = selectors.case_list_reveal(user=user).prefetch_related("referrals")  # audited
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = []
        for case in page.object_list:
            awaited = selectors.next_due(case, list(case.referrals.all()))
            page_rows.append(CaseRow(case, awaited, overdue=any(d.overdue(today) for d in awaited)))
        reminders = selectors.reminders(user=user, today=today)
        context.update(
            page=page,
            rows=page_rows,
            today=today,
            overdue_cases=len({d.case.pk for d in reminders}),
        )
    return render(request, "web/safeguarding/case_list.html", context)


def _links(request: HttpRequest) -> list[Any]:
    """The other pages of safeguarding the user may open (the same links as at the top of
    each of them), as big buttons."""
    return [link for link in _section_links(request, "web:case_list") if not link.active]


# ---------------------------------------------------------------- recording a case


def _origin(request: HttpRequest) -> tuple[selectors.Origin, int] | None:
    """The activity of the query string and its id (404 when the user may not record
    from it), or None when none is named."""
    for source in SOURCES:
        try:
            pk = query_id(request.GET, source)
        except InvalidQueryParameter:
            raise Http404() from None
        if pk is not None:
            return selectors.origin_get(user=request.user, source=source, pk=pk), pk
    return None


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def case_new(request: HttpRequest) -> HttpResponse:
    found = _origin(request)
    if found is None:
        messages.info(
            request,
            _(
                "A case is recorded from the session, action, interview or person it came "
                "from: open it and tap “What to do now?”."
            ),
        )
        return redirect("web:case_list")
    origin, pk = found
    key = f"{origin.source}-{pk}"
    initial = {"occurred_on": _today(origin.organization), "origin": key}
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST":
        case = form_save(
            form,
            lambda data: services.disclosure_record(
                actor=request.user,
                origin=origin,
                occurred_on=data["occurred_on"],
                at_risk=data["at_risk"],
                kind=data["kind"],
                urgency=data["urgency"],
                first_actions=data["first_actions"],
                notes=data["notes"],
            ),
        )
        if case is not None:
            messages.success(
                request, _("Case %(number)s recorded. Only you and the safeguarding leads see it.")
                % {"number": case.pk},
            )  # fmt: skip
            return redirect("web:case_detail", pk=case.pk)
    guide = url_or_none("web:safeguarding_guide")
    return render(
        request,
        "web/safeguarding/case_new.html",
        {
            "form": form,
            "origin": origin,
            "guide_url": f"{guide}?{origin.source}={pk}" if guide else None,
            "back_url": _origin_url(origin.source, pk),
        },
        status=400 if form.errors else 200,
    )


# The page of each kind of activity, to go back to it.
ORIGIN_PAGES: dict[str, str] = {
    Source.SESSION: "web:session_roster",
    Source.ACTION: "web:network_action",
    Source.EVENT: "web:event_detail",
    Source.PERSON: "web:person_detail",
}


def _origin_url(source: str, pk: int | None) -> str | None:
    return url_or_none(ORIGIN_PAGES[source], pk=pk) if pk is not None else None


def _origin_label(case: Disclosure) -> str:
    """Where the case came from, as the people who work in it call it."""
    if case.session is not None:
        session = case.session
        return _("%(cohort)s · session %(number)s · %(day)s") % {
            "cohort": session.cohort.name,
            "number": session.number,
            "day": f"{session.date:%d/%m/%Y}",
        }
    if case.action is not None:
        return f"{case.action.network.name} · {case.action.date:%d/%m/%Y}"
    if case.event is not None:
        return f"{case.event.study.code} · {case.event.held_on:%d/%m/%Y}"
    if case.person is not None:
        return case.person.code
    return str(case.get_source_display())


# ---------------------------------------------------------------- one case


@dataclass
class ReferralRow:
    referral: Referral
    steps: list[tuple[Any, Any]]  # (label, day or None), made → closed
    awaited: selectors.Due | None
    form: forms.Form | None
    next_label: str
    tel: str  # the service's phone as a tap calls it


Bound = dict[str, forms.Form]  # the form of the case page that came back with errors


def _form(bound: Bound, name: str, build: Callable[[], forms.Form]) -> forms.Form:
    return bound.get(name) or build()


def _services(request: HttpRequest, case: Disclosure) -> list[Any]:
    """The directory's active services, nearest to the case's place first."""
    return selectors.services_near(
        user=request.user, organization_id=case.organization_id, place=case.place
    )


def _service_choices(offered: list[Any], case: Disclosure) -> list[tuple[int, str]]:
    """Each service as the referral form offers it: name, how near, phone."""
    return [
        (s.pk, f"{s.name} · {NEAR[selectors.distance(s, case.place)]} · {s.phone}") for s in offered
    ]


def _access_users(case: Disclosure) -> list[Any]:
    # The organization's active users with a role in it; the service checks the chosen
    # one again (``services.user_of_organization``).
    return selectors.lead_candidates(organization_id=case.organization_id)


def _court_agreement(case: Disclosure) -> Any:
    program = case.program
    agreement = getattr(program, "court_agreement", None) if program is not None else None
    if agreement is None or agreement.sharing == CourtSharing.NOTHING:
        return None
    return agreement


def _case_page(
    request: HttpRequest, pk: int, *, bound: Bound | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    case = selectors.case_reveal(user=user, pk=pk)  # audited (S10)
    bound = bound or {}
    today = _today(case.organization)
    referrals = list(case.referrals.select_related("service", "service__place"))
    awaited = selectors.next_due(case, referrals)
    by_referral = {d.referral.pk: d for d in awaited if d.referral is not None}
    refers = selectors.may_refer(user, case)
    lead = selectors.may_override(user, case)
    is_open = case.status == DisclosureStatus.OPEN
    rows = []
    for referral in referrals:
        due = by_referral.get(referral.pk)
        step_form = None
        nxt = due.step if due else _next_step(referral)
        if refers and referral.step != Step.CLOSED:
            step_form = bound.get(f"step-{referral.pk}") or StepForm(
                prefix=f"r{referral.pk}", initial={"step": nxt, "on": today}
            )
        rows.append(
            ReferralRow(
                referral,
                [(label, getattr(referral, f"{value}_on")) for value, label in Step.choices],
                due,
                step_form,
                str(Step(nxt).label),
                tel(referral.service.phone),
            )
        )
    context: dict[str, Any] = {
        "case": case,
        "today": today,
        "origin_label": _origin_label(case),
        "origin_url": _origin_url(
            case.source,
            next((getattr(case, f"{s}_id") for s in SOURCES if getattr(case, f"{s}_id")), None),
        ),
        "first_actions": [
            FirstAction(a).label for a in case.first_actions if a in FirstAction.values
        ],
        "case_due": next((d for d in awaited if d.referral is None), None),
        "rows": rows,
        "refers": refers,
        "lead": lead,
        "is_open": is_open,
    }
    if refers and is_open:
        offered = _services(request, case)
        context["offered"] = offered
        context["directory_url"] = url_or_none("web:service_list")
        context["referral_form"] = _form(
            bound,
            "referral",
            lambda: ReferralForm(
                services_offered=_service_choices(offered, case),
                initial={
                    "made_on": today,
                    "consent_on": today,
                    # a child's referral needs a parent's or guardian's consent
                    "consent_from": ConsentFrom.GUARDIAN
                    if case.at_risk == AtRisk.CHILD
                    else ConsentFrom.PERSON,
                },
                auto_id="id_ref_%s",
            ),
        )
    if lead:
        if is_open or "close" in bound:
            context["close_form"] = _form(
                bound, "close", lambda: CloseForm(initial={"on": today}, auto_id="id_close_%s")
            )
        context["accesses"] = list(
            case.accesses.filter(revoked_at__isnull=True).select_related("user", "granted_by")
        )
        context["access_form"] = _form(
            bound, "access", lambda: AccessForm(users=_access_users(case), auto_id="id_access_%s")
        )
        agreement = _court_agreement(case)
        if agreement is not None or "court" in bound:
            context["agreement"] = agreement
            context["notices"] = list(case.court_notices.all())
            context["court_form"] = _form(
                bound,
                "court",
                lambda: CourtNoticeForm(initial={"shared_on": today}, auto_id="id_court_%s"),
            )
    return render(request, "web/safeguarding/case_detail.html", context, status=status)


def _next_step(referral: Referral) -> str:
    """The step after the one a referral reached (of a closed case: ``next_due`` says
    nothing of it)."""
    return STEPS[min(STEPS.index(referral.step) + 1, len(STEPS) - 1)]


def _case_url(case_pk: int, anchor: str = "") -> str:
    url = reverse("web:case_detail", kwargs={"pk": case_pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
@domain_errors
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, pk)


def _answer(
    request: HttpRequest,
    pk: int,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    name: str,
    done: Callable[[Any], tuple[str, str]],
) -> HttpResponse:
    """A form of the case page saved through ``save`` (one service call): back to the case
    with ``done(saved)`` (the message, the part of the page to show), or the case page
    again with the form's errors beside its fields."""
    saved = form_save(form, save)
    if saved is None:
        return _case_page(request, pk, bound={name: form}, status=400)
    message, anchor = done(saved)
    messages.success(request, message)
    return redirect(_case_url(pk, anchor))


def _referral_done(referral: Referral) -> tuple[str, str]:
    if referral.basis == ReferralBasis.OVERRIDE:
        message = _("Referral recorded without consent; the override is audited.")
    else:
        message = _("Referral recorded.")
    return message, f"referral-{referral.pk}"


@login_required
@require_POST
@domain_errors
@idempotent
def referral_make(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not selectors.may_refer(request.user, case):
        raise PermissionDenied
    offered = _services(request, case)
    form = ReferralForm(
        request.POST, services_offered=_service_choices(offered, case), auto_id="id_ref_%s"
    )
    return _answer(
        request, pk, form,
        lambda data: services.referral_make(
            actor=request.user,
            case=case,
            service=pick(offered, data["service"]),
            made_on=data["made_on"],
            basis=data["basis"],
            consent_from=data["consent_from"],
            consent_on=data["consent_on"],
            consent_text_version=data["consent_text_version"],
            override_reason=data["override_reason"],
            notes=data["notes"],
        ),
        name="referral", done=_referral_done,
    )  # fmt: skip


@login_required
@require_POST
@domain_errors
@idempotent
def referral_step(request: HttpRequest, pk: int, referral: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    found = case.referrals.filter(pk=referral).first()
    if found is None:
        raise Http404()
    found.disclosure = case
    return _answer(
        request, pk, StepForm(request.POST, prefix=f"r{found.pk}"),
        lambda data: services.referral_step(
            actor=request.user, referral=found, step=data["step"], on=data["on"],
            notes=data["notes"],
        ),
        name=f"step-{found.pk}",
        done=lambda saved: (
            _("Follow-up recorded: %(step)s.") % {"step": Step(saved.step).label},
            f"referral-{saved.pk}",
        ),
    )  # fmt: skip


@login_required
@require_POST
@domain_errors
@idempotent
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return _answer(
        request, pk, CloseForm(request.POST, auto_id="id_close_%s"),
        lambda data: services.case_close(
            actor=request.user, case=case, on=data["on"], note=data["note"]
        ),
        name="close", done=lambda _case: (_("Case closed."), ""),
    )  # fmt: skip


@login_required
@require_POST
@domain_errors
@idempotent
def access_grant(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if not selectors.may_override(request.user, case):
        raise PermissionDenied
    return _answer(
        request, pk, AccessForm(request.POST, users=_access_users(case), auto_id="id_access_%s"),
        lambda data: services.case_access_grant(
            actor=request.user,
            case=case,
            user=services.user_of_organization(case.organization_id, data["user"]),
            reason=data["reason"],
        ),
        name="access",
        done=lambda access: (
            _("%(user)s can now read this case.") % {"user": access.user.get_username()},
            "access",
        ),
    )  # fmt: skip


@login_required
@require_POST
@domain_errors
@idempotent
def access_revoke(request: HttpRequest, pk: int, access: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    found = case.accesses.filter(pk=access).select_related("user").first()
    if found is None:
        raise Http404()
    found.disclosure = case
    service_message(
        request,
        lambda: services.case_access_revoke(actor=request.user, access=found),
        _("%(user)s can no longer read this case.") % {"user": found.user.get_username()},
    )
    return redirect(_case_url(pk, "access"))


@login_required
@require_POST
@domain_errors
@idempotent
def court_notice(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return _answer(
        request, pk, CourtNoticeForm(request.POST, auto_id="id_court_%s"),
        lambda data: services.court_notice_record(
            actor=request.user, case=case, shared_on=data["shared_on"],
            consent_on=data["consent_on"],
        ),
        name="court", done=lambda _notice: (_("Notice to the court recorded."), "court"),
    )  # fmt: skip
