"""People and organizations in the browser. Views adapt only: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.curricula.selectors import curriculum_list
from cascada.registry import selectors, services
from cascada.registry.models import ConsentPurpose, Person, Place
from cascada.trainings.selectors import person_enrolments, program_list

from ..forms import add_service_error, add_validation_error
from ..forms.registry import ConsentForm, MergeForm, PersonCreateForm, PersonEditForm, SearchForm
from ..idempotency import idempotent
from ..paging import PAGE_SIZE, counted_page
from .common import HtmxHttpRequest, age_band, domain_errors

SEARCH_LIMIT = 50


def _rows(people: list[Person], names: dict[int, str]) -> list[dict[str, Any]]:
    """What a list shows of each person: names only where the identity rule allows (S3)."""
    year = timezone.localdate().year
    return [
        {
            "person": p,
            "name": names.get(p.pk, ""),
            "age_band": age_band(p.birth_year, year),
            "roles": [r.get_role_display() for r in p.roles.all()],
        }
        for p in people
    ]


@login_required
@require_GET
@domain_errors
def person_list(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Cap.VIEW_PEOPLE)
    # The page and the total in one statement: the visibility rule is the costly part.
    page = counted_page(
        selectors.person_list(user=request.user), request.GET.get("page"), PAGE_SIZE
    )
    people = list(page.object_list)
    return render(
        request,
        "web/registry/person_list.html",
        {
            "page": page,
            # Names of the page, through the identity rule; showing them is audited (S10).
            "rows": _rows(people, selectors.identities_reveal(user=request.user, people=people)),
            "form": SearchForm(),
            "can_create": scope.has(request.user, Cap.MANAGE_PEOPLE),
        },
    )


@login_required
@require_POST
@domain_errors
def person_search(request: HtmxHttpRequest) -> HttpResponse:
    """S9: the search text arrives by POST and the results come back in the response; no
    name or ID number ever appears in a URL."""
    scope.require(request.user, Cap.VIEW_PEOPLE)
    form = SearchForm(request.POST)
    results = None
    status = 200
    if form.is_valid():
        try:
            # Audited; look-ups by ID number are limited per user (S10).
            found = selectors.person_search_reveal(
                user=request.user, text=form.cleaned_data["q"], limit=SEARCH_LIMIT
            )
        except selectors.LookupLimitError as exc:
            form.add_error("q", exc.message)
            status = 429
        else:
            results = _rows(found.people, found.names)
    context = {
        "form": form,
        "results": results,
        "can_create": scope.has(request.user, Cap.MANAGE_PEOPLE),
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the refusal is shown in the results, beside the field.
        return render(request, "web/registry/_search_results.html", context)
    return render(request, "web/registry/person_list.html", context, status=status)


def _manageable_orgs(user: Any) -> Any:
    return selectors.organization_list(user=user).filter(
        pk__in=scope.org_ids(user, Cap.MANAGE_PEOPLE)
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def person_create(request: HttpRequest) -> HttpResponse:
    organizations = _manageable_orgs(request.user)
    if not organizations.exists():
        if request.method == "GET" and scope.has(request.user, Cap.REGISTER_PARTICIPANTS):
            # Facilitators register people into their cohorts (docs/decisions/roster.md).
            messages.info(
                request,
                _(
                    "Participants are registered from the roster of your cohort: open the "
                    "session and tap “Register a participant”."
                ),
            )
            return redirect("web:cohort_list")
        raise PermissionDenied
    form = PersonCreateForm(
        request.POST or None,
        organizations=organizations,
        country=selectors.default_country(user=request.user),
    )
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user,
                organization=data["organization"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                sex=data["sex"],
                birth_year=data["birth_year"],
                age=data["age"] if data["birth_year"] is None else None,
                place=form.chosen_place(),
                id_document=data["id_document"],
                national_id=data["national_id"],
                phone=data["phone"],
                address=data["address"],
                roles=data["roles"],
                allow_duplicate=data["allow_duplicate"],
            )
        except services.DuplicatePersonError as exc:
            visible = set(
                selectors.person_list(user=request.user)
                .filter(pk__in=[p.pk for p in exc.matches])
                .values_list("pk", flat=True)
            )
            duplicates = [
                {"code": p.code, "pk": p.pk if p.pk in visible else None} for p in exc.matches
            ]
            form.add_error(
                None,
                _(
                    "This person may already be registered. Check the records below; if this is a different person, tick “register anyway” and save again."
                ),
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Person %(code)s registered.") % {"code": person.code})
            return redirect("web:person_detail", pk=person.pk)
    return render(
        request,
        "web/registry/person_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
        status=200,
    )


@login_required
@require_GET
@domain_errors
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)  # audited view (S10)
    identity = selectors.identity_for(user=request.user, person=person)
    history = selectors.consent_history(person=person)
    consents = [
        {
            "purpose": label,
            "latest": history.get(value, [None])[0] if history.get(value) else None,
            "history": history.get(value, []),
        }
        for value, label in ConsentPurpose.choices
    ]
    enrolments = list(person_enrolments(user=request.user, person=person))
    org_id = person.organization_id
    return render(
        request,
        "web/registry/person_detail.html",
        {
            "person": person,
            "identity": identity,
            "consents": consents,
            "enrolments": enrolments,
            "age_band": age_band(person.birth_year, timezone.localdate().year),
            "roles": [r.get_role_display() for r in person.roles.all()],
            "can_manage": scope.has(request.user, Cap.MANAGE_PEOPLE, org_id),
            "can_consent": scope.has(request.user, Cap.RECORD_CONSENT, org_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, audit=request.method == "GET")
    scope.require(request.user, Cap.MANAGE_PEOPLE, person.organization_id)
    identity = selectors.identity_for(user=request.user, person=person)
    initial: dict[str, Any] = {"sex": person.sex, "birth_year": person.birth_year}
    if identity is not None:
        initial.update({f: getattr(identity, f) for f in PersonEditForm.IDENTITY})
    form = PersonEditForm(
        request.POST or None,
        initial=initial,
        place=person.place,
        country=person.organization.country,
        with_identity=identity is not None,
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if not k.startswith("place")}
        changes["place"] = form.chosen_place()
        try:
            services.person_update(actor=request.user, person=person, **changes)
        except ApplicationError as exc:
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("web:person_detail", pk=person.pk)
    return render(
        request,
        "web/registry/person_form.html",
        {"form": form, "person": person, "creating": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def person_consent(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, audit=False)
    scope.require(request.user, Cap.RECORD_CONSENT, person.organization_id)
    initial = (
        {"purpose": request.GET.get("purpose")}
        if request.GET.get("purpose") in ConsentPurpose.values
        else {}
    )
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                person=person,
                purpose=data["purpose"],
                granted=data["decision"] == "grant",
                text_version=data["text_version"],
                date=data["date"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Consent decision recorded."))
            return redirect("web:person_detail", pk=person.pk)
    return render(request, "web/registry/person_consent.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Fold a duplicate record into this one, after an explicit confirmation step."""
    person = selectors.person_get(user=request.user, pk=pk, audit=False)
    scope.require(request.user, Cap.MANAGE_PEOPLE, person.organization_id)
    form = MergeForm(request.POST or None)
    duplicate = None
    names: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["duplicate_code"]
        try:
            duplicate = selectors.person_get(user=request.user, code=code)
        except NotFoundError:
            form.add_error(
                "duplicate_code", _("No record with this code among the people you can see.")
            )
        else:
            if duplicate.pk == person.pk:
                form.add_error("duplicate_code", _("That is this same record."))
                duplicate = None
            elif duplicate.merged_into_id:
                form.add_error("duplicate_code", _("That record has already been merged."))
                duplicate = None
        if duplicate is not None and form.cleaned_data["confirm"]:
            try:
                result = services.person_merge(actor=request.user, keep=person, duplicate=duplicate)
            except ApplicationError as exc:
                add_service_error(form, exc)
                duplicate = None
            else:
                messages.success(
                    request,
                    _("%(dup)s merged into %(keep)s.")
                    % {"dup": result.merged.code, "keep": person.code},
                )
                return redirect("web:person_detail", pk=person.pk)
        if duplicate is not None:
            names = selectors.identities_for(user=request.user, people=[person, duplicate])
    return render(
        request,
        "web/registry/person_merge.html",
        {
            "form": form,
            "person": person,
            "duplicate": duplicate,
            "names": names,
            "person_name": names.get(person.pk, ""),
            "duplicate_name": names.get(duplicate.pk, "") if duplicate else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@idempotent
def person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a person registered by mistake: a page that says what goes (or what keeps
    the record), then a POST. The service decides and audits (``person_delete``)."""
    person = selectors.person_get(user=request.user, pk=pk, audit=request.method == "GET")
    scope.require(request.user, Cap.MANAGE_PEOPLE, person.organization_id)
    error = ""
    if request.method == "POST":
        code = person.code
        try:
            services.person_delete(actor=request.user, person=person)
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Record %(code)s removed.") % {"code": code})
            return redirect("web:person_list")
    return render(
        request,
        "web/registry/person_remove.html",
        {
            "person": person,
            "blockers": services.person_removal_blockers(person=person),
            "error": error,
        },
        status=409 if error else 200,
    )


@login_required
@require_GET
def place_options(request: HttpRequest) -> HttpResponse:
    """htmx: the ``<option>`` list of the places inside the chosen one. Places are reference
    data, but only the forms of users with a role ask for them (S1: no route is open to a
    signed-in user without a role unless ``accounts.public`` lists it)."""
    if not scope.roles(request.user):
        raise PermissionDenied
    places = Place.objects.none()
    parent = None
    try:  # an invalid id is no choice: no options (cascada.core.converters)
        for key in ("place2", "place1", "parent"):
            parent = query_id(request.GET, key)
            if parent is not None:
                break
    except InvalidQueryParameter:
        parent = None
    if parent is not None:
        places = selectors.place_list(parent=Place(pk=parent)).order_by("name")
    return render(request, "web/_partials/place_options.html", {"places": places})


@login_required
@require_GET
@domain_errors
def organization_list(request: HttpRequest) -> HttpResponse:
    orgs = selectors.organization_list(user=request.user).select_related("place")
    if not orgs.exists() and not scope.roles(request.user):
        raise PermissionDenied
    return render(request, "web/registry/organization_list.html", {"organizations": orgs})


@login_required
@require_GET
@domain_errors
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = (
        selectors.organization_list(user=request.user).select_related("place").filter(pk=pk).first()
    )
    if org is None:
        raise NotFoundError()
    user = request.user
    people = None
    if scope.has(user, Cap.VIEW_PEOPLE):
        people = selectors.person_list(user=user).filter(organization=org).count()
    programs = list(program_list(user=user).filter(owner=org).order_by("name"))
    curricula = list(curriculum_list(user=user).filter(organization=org))
    return render(
        request,
        "web/registry/organization_detail.html",
        {
            "org": org,
            "people": people,
            "programs": programs,
            "curricula": curricula,
        },
    )
