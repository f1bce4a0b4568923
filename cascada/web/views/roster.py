"""Registering a participant at a session, and the enrolment picker's search
(docs/decisions/roster.md). Views adapt only: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cascada.accounts.roles import Cap
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.registry.models import Person
from cascada.registry.selectors import (
    LookupLimitError,
    identities_reveal,
    person_list,
    searches_identities,
)
from cascada.registry.services import DuplicatePersonError
from cascada.trainings import selectors, services

from ..forms import add_service_error, add_validation_error
from ..forms.roster import EnrolSearchForm, ParticipantRegisterForm
from ..idempotency import idempotent
from .common import HtmxHttpRequest


def _cohort(request: HttpRequest, pk: int) -> Any:
    """The cohort, if the user may register people in it: 404 outside their scope (S2),
    403 where they see it but may not register (e.g. a viewer)."""
    try:
        cohort = selectors.cohort_get(user=request.user, pk=pk)
    except NotFoundError:
        raise Http404() from None
    if not selectors.may_register_participants(user=request.user, cohort=cohort):
        raise PermissionDenied()
    return cohort


def _session(request: HttpRequest, cohort: Any) -> Any:
    """The session whose roster the form was opened from (``?session=``), if any."""
    try:
        pk = query_id(request.GET, "session")
    except InvalidQueryParameter:
        return None
    if pk is None:
        return None
    try:
        session = selectors.session_get(user=request.user, pk=pk, cap=Cap.TAKE_ATTENDANCE)
    except NotFoundError:
        return None
    return session if session.cohort_id == cohort.pk else None


def _back(cohort: Any, session: Any, enrolment: Any = None) -> str:
    if session is not None:
        url = reverse("web:session_roster", args=[session.pk])
        return url + (f"#row-{enrolment.pk}" if enrolment is not None else "")
    return reverse("web:cohort_detail", args=[cohort.pk]) + "#enrolments"


@login_required
@require_http_methods(["GET", "POST"])
@idempotent  # a double tap or Back-and-resend registers him once (docs/decisions/idempotency.md)
def participant_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The short form behind "Register a participant", on the roster and the cohort page:
    creates the man, records his consent and enrols him (one service, one transaction).
    When he may already be registered, the likely matches are offered to enrol instead."""
    cohort = _cohort(request, pk)
    session = _session(request, cohort)
    user = request.user
    if request.method == "POST" and request.POST.get("enrol_existing"):
        return _enrol_existing(request, cohort, session)
    initial = {
        "consent_text_version": selectors.consent_text_version_default(user=user, cohort=cohort)
    }
    form = ParticipantRegisterForm(request.POST or None, initial=initial)
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = services.participant_register(
                actor=user,
                cohort=cohort,
                given_name=data["given_name"],
                family_name=data["family_name"],
                sex=data["sex"],
                birth_year=data["birth_year"],
                age=data["age"] if data["birth_year"] is None else None,
                id_document=data["id_document"],
                national_id=data["national_id"],
                participation_consent=data["participation_consent"],
                reporting_consent=data["reporting_consent"],
                consent_text_version=data["consent_text_version"],
                allow_duplicate=data["allow_duplicate"],
            )
        except DuplicatePersonError as exc:
            # The matches are people the user already sees; their names only as far as
            # the identity rule and the user's rosters allow (S3), audited (S10).
            visible = list(person_list(user=user).filter(pk__in=[p.pk for p in exc.matches]))
            names = identities_reveal(user=user, people=visible, short=True, target=cohort)
            enrolled = set(
                selectors.enrol_excluded_ids(cohort=cohort)
                .filter(pk__in=[p.pk for p in visible])
                .values_list("pk", flat=True)
            )
            duplicates = [
                {"pk": p.pk, "code": p.code, "name": names.get(p.pk, ""), "here": p.pk in enrolled}
                for p in visible
            ]
            form.add_error(
                None,
                _(
                    "He may already be registered. If he is one of these people, enrol him; "
                    "if not, tick “register him anyway” and save again."
                ),
            )
        except PermissionDeniedError:
            raise PermissionDenied() from None
        except ApplicationError as exc:
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Participant %(code)s registered and enrolled.")
                % {"code": enrolment.person.code},
            )
            return redirect(_back(cohort, session, enrolment))
    return render(
        request,
        "web/trainings/participant_register.html",
        {
            "form": form,
            "cohort": cohort,
            "session": session,
            "duplicates": duplicates,
            "back": _back(cohort, session),
        },
        status=400 if form.errors else 200,
    )


def _enrol_existing(request: HttpRequest, cohort: Any, session: Any) -> HttpResponse:
    """ "Enrol him": one of the likely duplicates, who must be someone the user sees."""
    try:
        person = person_list(user=request.user).get(pk=int(request.POST["enrol_existing"]))
    except (ValueError, TypeError, Person.DoesNotExist):
        raise Http404() from None
    try:
        enrolment = services.enrolment_create(actor=request.user, cohort=cohort, person=person)
    except PermissionDeniedError:
        raise PermissionDenied() from None
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(_back(cohort, session))
    messages.success(request, _("%(code)s enrolled.") % {"code": person.code})
    return redirect(_back(cohort, session, enrolment))


@dataclass
class PickerAnswer:
    """What a picker's search answers: the people found (``None``: nothing was looked
    up), whether there were more than shown, a refusal (the look-up limit), or a hint."""

    choices: list[Any] | None = None
    more: bool = False
    error: str = ""
    hint: str = ""


def picker_search(
    request: HtmxHttpRequest, *, text: str, typed: bool, find: Callable[[str, int], list[Any]]
) -> PickerAnswer:
    """The rules of a picker's search, the enrolment's and the facilitators' alike
    (docs/decisions/pages-at-scale.md): an empty text gets a hint, never everyone; as it
    is typed (htmx, ``typed``) only a name is searched, and only by users whose searches
    read identities; codes and ID numbers wait for "Search" or Enter; at most
    ``ENROL_SEARCH_LIMIT`` people (``find(text, limit)`` is asked for one more, to know)."""
    text = text.strip()
    typed = bool(request.htmx) and typed  # without JavaScript the flag means nothing
    if not text:
        return PickerAnswer(hint=_("Type a participant code, an ID number or a name."))
    if typed and not searches_identities(request.user):
        return PickerAnswer(
            hint=_("Your role finds people by participant code: type it and press Search.")
        )
    if typed and not selectors.enrol_search_while_typing(text):
        # Codes and ID numbers wait for "Search" (each look-up by ID number counts). The
        # results of an earlier text go: the people shown must match what is typed, or a
        # tap enrols (or names as facilitator) the wrong man.
        return PickerAnswer(
            hint=_(
                "Keep typing the name, or press Search to look up a participant code or "
                "an ID number."
            )
        )
    limit = selectors.ENROL_SEARCH_LIMIT
    try:
        found = find(text, limit + 1)
    except LookupLimitError as exc:
        return PickerAnswer(error=str(exc.message))
    return PickerAnswer(choices=found[:limit], more=len(found) > limit)


def _enrol_answer(request: HtmxHttpRequest, cohort: Any, form: EnrolSearchForm) -> PickerAnswer:
    if not form.is_valid():
        return PickerAnswer()
    return picker_search(
        request,
        text=form.cleaned_data["q"],
        typed=form.cleaned_data["typed"],
        find=lambda text, limit: selectors.enrol_candidates_reveal(  # audited (S10)
            user=request.user, cohort=cohort, text=text, limit=limit
        ),
    )


@login_required
@require_POST
def cohort_enrol_search(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The enrolment picker's search (S9: the text comes by POST, never in a URL). With
    htmx only the results come back, also as the user types a name; without JavaScript,
    the cohort page with them. At most ``ENROL_SEARCH_LIMIT`` people; an empty text gets
    a hint, never everyone (docs/decisions/pages-at-scale.md)."""
    from .trainings import _cohort_page

    cohort = _cohort(request, pk)
    form = EnrolSearchForm(request.POST, prefix="enrol")
    try:  # nobody is looked up (an audited search) for a cohort that takes no enrolments
        services.enrolment_not_closed(cohort=cohort)
    except ApplicationError as exc:
        if not request.htmx:  # the cohort page says why, instead of the picker
            return _cohort_page(request, cohort, status=400)
        answer = PickerAnswer(error=str(exc.message))
    else:
        answer = _enrol_answer(request, cohort, form)
    extra = {
        "enrol_search_form": form,
        "enrol_choices": answer.choices,
        "enrol_search_error": answer.error,
        "enrol_search_hint": answer.hint,
        "enrol_search_full": answer.more,
        "enrol_open": True,
    }
    if request.htmx:
        return render(request, "web/trainings/_enrol_results.html", {"cohort": cohort, **extra})
    return _cohort_page(request, cohort, status=429 if answer.error else 200, **extra)
