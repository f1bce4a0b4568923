"""Trainings pages: programs, cohorts, sessions, the attendance roster and certificates.

Views adapt only: they parse input with a form, call a selector or a service, and render.
Unknown or foreign ids are 404 (S2); a refusal by a service becomes a form error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import MAX_ID, bounded_int
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.registry.selectors import person_list, searches_identities
from cascada.trainings import selectors, services
from cascada.trainings.models import AttendanceStatus, CohortKind, EnrolmentStatus

from ..forms.roster import EnrolPeopleForm, EnrolSearchForm
from ..forms.trainings import (
    CohortFilterForm,
    CohortForm,
    FacilitatorSearchForm,
    HeadcountForm,
    ProgramForm,
    SessionForm,
    ShareForm,
    add_service_error,
)
from ..idempotency import idempotent
from ..paging import PAGE_SIZE
from .common import HtmxHttpRequest
from .roster import PickerAnswer, picker_search

# Short labels for the roster's four buttons (a quarter of a 390px screen each).
ROSTER_BUTTONS = [
    (AttendanceStatus.PRESENT.value, pgettext_lazy("roster button, max 10 letters", "Present")),
    (AttendanceStatus.ABSENT.value, pgettext_lazy("roster button, max 10 letters", "Absent")),
    (AttendanceStatus.EXCUSED.value, pgettext_lazy("roster button, max 10 letters", "Excused")),
    (AttendanceStatus.MAKEUP.value, pgettext_lazy("roster button, max 10 letters", "Make-up")),
]


def _found(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a selector; an object the user may not reach is a 404, never a 403 (S2)."""
    try:
        return fn(**kwargs)
    except NotFoundError:
        raise Http404() from None


def _require(request: HttpRequest, cap: str, program: Any = None) -> None:
    user = request.user
    allowed = (
        selectors.user_can(user=user, cap=cap, program=program)
        if program is not None
        else scope.has(user, cap)
    )
    if not allowed:
        raise PermissionDenied()


# ---------------------------------------------------------------- programs


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.VIEW_AGGREGATES)
    programs = selectors.program_list(user=request.user).order_by("name")
    return render(
        request,
        "web/trainings/program_list.html",
        {"programs": programs, "can_create": scope.has(request.user, Cap.MANAGE_PROGRAMS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def program_create(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.MANAGE_PROGRAMS)
    form = ProgramForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Program created."))
            return redirect("web:program_detail", pk=program.pk)
    return render(request, "web/trainings/program_form.html", {"form": form})


def _program_page(request: HttpRequest, program: Any, share_form: Any = None) -> HttpResponse:
    user = request.user
    can_share = scope.has(user, Cap.MANAGE_PROGRAMS, program.owner_id)
    if can_share and share_form is None:
        share_form = ShareForm(user=user, program=program)
    return render(
        request,
        "web/trainings/program_detail.html",
        {
            "program": program,
            "cohorts": selectors.cohort_list(user=user).filter(program=program),
            "exact_programs": selectors.exact_program_ids(user=user),
            "partners": program.shared_with.order_by("name"),
            "share_form": share_form if can_share else None,
            "can_manage": selectors.user_can(user=user, cap=Cap.MANAGE_PROGRAMS, program=program),
        },
        status=400 if share_form is not None and share_form.errors else 200,
    )


@login_required
@require_GET
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = _found(selectors.program_get, user=request.user, pk=pk)
    return _program_page(request, program)


@login_required
@require_POST
@idempotent
def program_share(request: HttpRequest, pk: int) -> HttpResponse:
    program = _found(selectors.program_get, user=request.user, pk=pk)
    _require(request, Cap.MANAGE_PROGRAMS, program)
    form = ShareForm(request.POST, user=request.user, program=program)
    if form.is_valid():
        try:
            services.program_share(
                actor=request.user, program=program, organization=form.cleaned_data["organization"]
            )
        except PermissionDeniedError:
            raise PermissionDenied() from None
        messages.success(request, _("Program shared."))
        return redirect("web:program_detail", pk=program.pk)
    return _program_page(request, program, share_form=form)


# ---------------------------------------------------------------- cohorts


@login_required
@require_GET
def cohort_list(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.VIEW_AGGREGATES)
    form = CohortFilterForm(request.GET or None, user=request.user)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "program": data["program"].pk if data.get("program") else None,
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "year": data.get("year"),
            "text": (data.get("q") or "").strip(),
        }
    cohorts = selectors.cohort_list_filtered(user=request.user, **filters)
    page = Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/trainings/cohort_list.html",
        {
            "form": form,
            "page": page,
            "exact_programs": selectors.exact_program_ids(user=request.user),
            "can_create": scope.has(request.user, Cap.MANAGE_PROGRAMS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def cohort_create(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.MANAGE_PROGRAMS)
    initial = {"program": request.GET.get("program")} if request.GET.get("program") else {}
    form = CohortForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One cohort with all its sessions, or nothing at all.
            with transaction.atomic():
                cohort = services.cohort_create(
                    actor=request.user,
                    program=data["program"],
                    name=data["name"],
                    kind=data["kind"],
                    modality=data["modality"],
                    curriculum_version=data["curriculum_version"],
                    place=data["place"],
                    start_date=data["start_date"],
                    completion_rule=data["completion_rule"],
                    min_attendance_pct=data["min_attendance_pct"],
                    facilitators=data["facilitators"],  # people the user sees (the form)
                )
                services.sessions_generate(
                    actor=request.user,
                    cohort=cohort,
                    count=data["session_count"],
                    pattern=data["pattern"],
                    weekdays=data.get("weekdays") or (),
                    start_time=data.get("start_time"),
                )
        except PermissionDeniedError:
            form.add_error("program", _("You cannot create cohorts in this program."))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Cohort created with its sessions."))
            return redirect("web:cohort_detail", pk=cohort.pk)
    return _cohort_form_page(request, form, status=400 if form.errors else 200)


def _cohort_form_page(
    request: HttpRequest,
    form: CohortForm,
    answer: PickerAnswer | None = None,
    search: FacilitatorSearchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The new-cohort form. Its facilitator picker lists no one until searched
    (``cohort_facilitator_search``); a form posted back (an error, a step of the place
    picker, a search without JavaScript) shows again the facilitators ticked, among the
    people the user sees, with their names where the user may read them (audited, S10)."""
    return render(
        request,
        "web/trainings/cohort_form.html",
        {"form": form, "kinds": CohortKind, **_facilitator_picker(request, answer, search)},
        status=status,
    )


def _facilitator_picker(
    request: HttpRequest, answer: PickerAnswer | None, search: FacilitatorSearchForm | None = None
) -> dict[str, Any]:
    if search is None:
        search = FacilitatorSearchForm(request.POST if request.method == "POST" else None)
    answer = answer or PickerAnswer()
    return {
        "fac_search_form": search,
        # Names are searched (as typed) only for users whose searches read identities.
        "fac_by_name": searches_identities(request.user),
        "fac_chosen": selectors.people_chosen_reveal(user=request.user, ids=search.chosen_ids()),
        "fac_choices": answer.choices,
        "fac_search_error": answer.error,
        "fac_search_hint": answer.hint,
        "fac_search_full": answer.more,
    }


@login_required
@require_POST
def cohort_facilitator_search(request: HtmxHttpRequest) -> HttpResponse:
    """The new-cohort form's facilitator picker (S9: the text comes by POST, never in a
    URL; the whole form is posted). With htmx only the picker's lists come back: the
    facilitators ticked, kept apart, and the people found, also as a name is typed;
    without JavaScript, the form with them, nothing saved. The rules are the enrolment
    picker's (``picker_search``): at most ``ENROL_SEARCH_LIMIT`` people in the scope of
    ``person_list``, every search audited, an empty text gets a hint."""
    _require(request, Cap.MANAGE_PROGRAMS)
    search = FacilitatorSearchForm(request.POST)
    chosen = frozenset(search.chosen_ids())
    answer = PickerAnswer()
    if search.is_valid():
        answer = picker_search(
            request,
            text=search.cleaned_data["fac_q"],
            typed=search.cleaned_data["fac_typed"],
            find=lambda text, limit: selectors.facilitator_candidates_reveal(  # audited (S10)
                user=request.user, text=text, chosen=chosen, limit=limit
            ),
        )
    if request.htmx:
        return render(
            request,
            "web/trainings/_facilitator_results.html",
            _facilitator_picker(request, answer, search),
        )
    form = CohortForm(request.POST, user=request.user, search_step=True)
    return _cohort_form_page(request, form, answer, search, status=429 if answer.error else 200)


def _closed(cohort: Any) -> str:
    """Why nobody can be enrolled in ``cohort`` (the service's message), else ""."""
    try:
        services.enrolment_not_closed(cohort=cohort)
    except ApplicationError as error:
        return str(error.message)
    return ""


def _cohort_page(
    request: HttpRequest, cohort: Any, enrol_form: Any = None, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    program = cohort.program
    can_manage = selectors.user_can(user=user, cap=Cap.MANAGE_PROGRAMS, program=program)
    can_see_people = selectors.user_can(user=user, cap=Cap.VIEW_PEOPLE, program=program)
    sessions = selectors.session_rows(user=user, cohort=cohort)
    enrolments = selectors.enrolment_rows(user=user, cohort=cohort) if can_see_people else []
    # Registering and the enrolment picker (a search, docs/decisions/roster.md).
    may_enrol = selectors.may_register_participants(user=user, cohort=cohort)
    # A closed cohort takes no enrolments: no picker, the reason instead (its message).
    can_enrol = may_enrol and selectors.enrolment_open(cohort=cohort)
    extra["enrol_closed"] = "" if can_enrol or not may_enrol else _closed(cohort)
    extra["enrol_refused"] = status >= 400  # after an enrolment or a search was refused
    extra.setdefault("enrol_search_form", EnrolSearchForm(prefix="enrol") if can_enrol else None)
    # Names are searched (as typed) only for users whose searches read identities.
    extra.setdefault("enrol_by_name", can_enrol and searches_identities(user))
    counted = [r for r in sessions if not r.session.cancelled and r.session.headcount is None]
    enrolled = [r for r in enrolments if r.enrolment.status == EnrolmentStatus.ENROLLED]
    # Per-cohort counts of people are not in a viewer's release (ADR 0006).
    exact = selectors.sees_exact(user=user, program=program)
    over = cohort.current_status == "closed"
    summary = {
        "enrolled": cohort.n_enrolled if exact else None,
        "completed": cohort.n_completed if exact else None,
        "pct": round(100 * cohort.n_completed / cohort.n_enrolled) if cohort.n_enrolled else 0,
        "sessions": len(counted),
        "held": sum(1 for r in counted if r.n_marked),
        "missing": sum(1 for r in sessions if r.missing),
        "certificates": sum(1 for r in enrolled if r.certificate),
        # Over by its date since the last write: final at the next certificate or the
        # nightly ``cohorts_finalize`` (docs/decisions/trainings.md, "Time rules").
        "awaiting_certificate": sum(
            1
            for r in enrolled
            if (r.enrolment.completed or over and r.enrolment.meets_rule) and not r.certificate
        ),
        "over": over,
    }
    return render(
        request,
        "web/trainings/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": sessions,
            "enrolments": enrolments,
            "summary": summary,
            "total_sessions": len(counted),
            "enrol_form": enrol_form if can_enrol else None,
            "can_enrol": can_enrol,
            **extra,
            "can_manage": can_manage,
            "can_see_people": can_see_people,
            "exact": exact,
            "can_attend": selectors.user_can(user=user, cap=Cap.TAKE_ATTENDANCE, program=program),
            "can_issue": selectors.user_can(user=user, cap=Cap.ISSUE_CERTIFICATES, program=program),
            "can_download": selectors.user_can(user=user, cap=Cap.VIEW_IDENTITY, program=program),
        },
        status=status,
    )


@login_required
@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _found(selectors.cohort_get, user=request.user, pk=pk)
    return _cohort_page(request, cohort)


@login_required
@require_POST
@idempotent
def cohort_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the people ticked in the picker's search results (``web:cohort_enrol_search``)."""
    cohort = _found(selectors.cohort_get, user=request.user, pk=pk)
    if not selectors.may_register_participants(user=request.user, cohort=cohort):
        raise PermissionDenied()
    form = EnrolPeopleForm(request.POST)
    if form.is_valid():
        wanted = set(form.cleaned_data["people"])
        people = list(person_list(user=request.user).filter(pk__in=wanted))
        try:
            if len(people) != len(wanted):  # someone the user does not see (S2)
                raise ApplicationError(_("Choose people from the list."), extra={"field": "people"})
            with transaction.atomic():
                for person in people:
                    services.enrolment_create(actor=request.user, cohort=cohort, person=person)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            n = len(people)
            messages.success(
                request, ngettext("%(n)d person enrolled.", "%(n)d people enrolled.", n) % {"n": n}
            )
            return redirect(reverse("web:cohort_detail", args=[cohort.pk]) + "#enrolments")
    return _cohort_page(request, cohort, enrol_form=form, status=400, enrol_open=True)


@login_required
@require_POST
@idempotent
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _found(
        selectors.enrolment_get, user=request.user, pk=pk, cap=Cap.ISSUE_CERTIFICATES
    )
    try:
        services.certificate_issue(actor=request.user, enrolment=enrolment)
    except PermissionDeniedError:
        raise PermissionDenied() from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Certificate issued."))
    return redirect(reverse("web:cohort_detail", args=[enrolment.cohort_id]) + "#enrolments")


@login_required
@require_POST
@idempotent
def cohort_certificates_issue(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _found(selectors.cohort_get, user=request.user, pk=pk, cap=Cap.ISSUE_CERTIFICATES)
    try:
        with transaction.atomic():
            issued = services.certificates_issue_for_cohort(actor=request.user, cohort=cohort)
    except PermissionDeniedError:
        raise PermissionDenied() from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("web:cohort_detail", args=[cohort.pk]) + "#enrolments")
    if issued:
        messages.success(request, _("%(n)d certificates ready.") % {"n": len(issued)})
    else:
        messages.info(request, _("Nobody has completed this cohort yet."))
    return redirect(reverse("web:cohort_detail", args=[cohort.pk]) + "#enrolments")


# ---------------------------------------------------------------- sessions


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _found(selectors.session_get, user=request.user, pk=pk, cap=Cap.MANAGE_PROGRAMS)
    initial = {
        "date": session.date,
        "start_time": session.start_time,
        "title": session.title,
        "cancelled": session.cancelled,
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        try:
            if changes:
                services.session_update(actor=request.user, session=session, **changes)
        except PermissionDeniedError:
            raise PermissionDenied() from None
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect(reverse("web:cohort_detail", args=[session.cohort_id]) + "#sessions")
    return render(
        request,
        "web/trainings/session_form.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


def _roster_context(request: HttpRequest, session: Any, **extra: Any) -> dict[str, Any]:
    rows = selectors.session_roster_reveal(user=request.user, session=session)  # audited
    context = {
        "session": session,
        "cohort": session.cohort,
        "rows": rows,
        "statuses": ROSTER_BUTTONS,
        "unmarked": sum(1 for r in rows if r.status is None),
        "names_taken": any(r.status for r in rows),
        "headcount_form": HeadcountForm(initial={"headcount": session.headcount}),
        "can_register": selectors.may_register_participants(
            user=request.user, cohort=session.cohort
        )
        and selectors.enrolment_open(cohort=session.cohort),
    }
    context.update(extra)
    return context


def _marks_from_post(request: HttpRequest, rows: list[Any]) -> dict[int, str]:
    """``mark_<enrolment id>=<status>`` pairs; ``all_present`` marks everyone not yet
    marked as present (and leaves earlier marks alone)."""
    marks: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("mark_") and isinstance(value, str):
            try:  # an id too large for the database is no enrolment (cascada.core.converters)
                marks[bounded_int(key[5:], minimum=1, maximum=MAX_ID)] = value
            except ValueError:
                continue
    if "all_present" in request.POST:
        for row in rows:
            if row.status is None and row.enrolment.pk not in marks:
                marks[row.enrolment.pk] = AttendanceStatus.PRESENT
    return marks


@login_required
@require_http_methods(["GET", "POST"])
def session_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """The field roster: one tap per person. With htmx a tap posts one mark and gets its
    row back; without JavaScript the same buttons post the whole form."""
    session = _found(selectors.session_get, user=request.user, pk=pk, cap=Cap.TAKE_ATTENDANCE)
    if request.method == "GET":
        try:
            services.session_not_in_future(session=session)
        except ApplicationError as future:
            extra = {"error": str(future.message)}
        else:
            extra = {}
        return render(
            request, "web/trainings/roster.html", _roster_context(request, session, **extra)
        )
    rows = selectors.session_roster(user=request.user, session=session)  # codes: not shown
    marks = _marks_from_post(request, rows)
    error = ""
    if not marks:
        error = _("Choose a status for at least one person.")
    else:
        try:
            services.attendance_record(actor=request.user, session=session, marks=marks)
        except PermissionDeniedError as denied:
            error = str(denied.message)
        except ApplicationError as refused:
            error = str(refused.message)
    htmx = getattr(request, "htmx", False)
    if htmx and len(marks) == 1 and "all_present" not in request.POST:
        (enrolment_id,) = marks
        rows = selectors.session_roster_reveal(user=request.user, session=session)  # audited
        row = next((r for r in rows if r.enrolment.pk == enrolment_id), None)
        if row is None:
            return HttpResponse(status=404)
        context = {
            "row": row,
            "rows": rows,
            "unmarked": sum(1 for r in rows if r.status is None),
            "statuses": ROSTER_BUTTONS,
            "error": error,
            "session": session,
            "oob": True,
        }
        return render(request, "web/trainings/_roster_tap.html", context)
    if error:
        return render(
            request,
            "web/trainings/roster.html",
            _roster_context(request, session, error=error),
            status=400,
        )
    return redirect("web:session_roster", pk=session.pk)


@login_required
@require_POST
@idempotent
def session_headcount(request: HttpRequest, pk: int) -> HttpResponse:
    session = _found(selectors.session_get, user=request.user, pk=pk, cap=Cap.TAKE_ATTENDANCE)
    form = HeadcountForm(request.POST)
    if form.is_valid():
        try:
            services.session_headcount_set(
                actor=request.user, session=session, headcount=form.cleaned_data["headcount"]
            )
        except PermissionDeniedError:
            raise PermissionDenied() from None
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Headcount saved."))
            return redirect("web:session_roster", pk=session.pk)
    return render(
        request,
        "web/trainings/roster.html",
        _roster_context(request, session, headcount_form=form, headcount_open=True),
        status=400,
    )


# ---------------------------------------------------------------- certificates


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _found(selectors.certificate_get, user=request.user, pk=pk)
    content = _found(
        services.certificate_download,
        actor=request.user,
        certificate=certificate,
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificado-{certificate.code}.pdf"'
    return response


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public (no sign-in): says whether a certificate is genuine, never who holds it."""
    check = selectors.certificate_verify(code=code)
    return render(
        request,
        "web/trainings/certificate_verify.html",
        {"check": check, "code": code.strip().upper()[:32]},
        status=200 if check.valid else 404,
    )


@require_GET
def certificate_check(request: HttpRequest) -> HttpResponse:
    """Public: type a code printed on a certificate."""
    code = "".join(ch for ch in request.GET.get("code", "") if ch.isalnum())[:32]
    if code:
        return redirect("web:certificate_verify", code=code.upper())
    return render(request, "web/trainings/certificate_verify.html", {"check": None, "code": ""})
