"""Issue 15: the new-cohort form's facilitator picker is a search, like the enrolment
picker's (docs/decisions/pages-at-scale.md). Viewing the form builds no list of people
and reveals no name; a search finds at most 20 people the user may see, names as typed
and codes on "Search", audited; the facilitators ticked stay ticked, apart from the
results; a posted id of someone the user may not see is a field error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.registry.models import Person
from cascada.trainings import selectors
from cascada.trainings.models import Cohort
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

FORM = "web:cohort_create"
SEARCH = "web:cohort_facilitator_search"
NAMES = ("view_list", "search")  # the audit rows of reads that show or look up people


@pytest.fixture
def program(org):
    return make_program(owner=org)


def _cohort_post(program: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "program": program.pk,
        "name": "Hombres de Miércoles · Piura",
        "kind": "recurring",
        "modality": "in_person",
        "start_date": "2026-03-02",
        "completion_rule": "attendance",
        "min_attendance_pct": "75",
        "session_count": "6",
        "pattern": "weekly",
    }
    data.update(overrides)
    return data


def _typed(client: Client, text: str, **data: Any) -> Any:
    """What htmx sends as a name is typed in the picker's input: the whole form, with
    ``fac_typed`` (``hx-vals``)."""
    return client.post(
        reverse(SEARCH), {"fac_q": text, "fac_typed": "on", **data}, HTTP_HX_REQUEST="true"
    )


def _sent(client: Client, text: str, **data: Any) -> Any:
    """ "Search" or Enter, with htmx."""
    return client.post(reverse(SEARCH), {"fac_q": text, **data}, HTTP_HX_REQUEST="true")


def _found(response: Any) -> list[str]:
    return re.findall(
        r'name="facilitators" value="(\d+)" data-test="facilitator-choice"',
        response.content.decode(),
    )


def _chosen(response: Any) -> list[str]:
    return re.findall(
        r'name="facilitators" value="(\d+)" checked data-test="facilitator-chosen-choice"',
        response.content.decode(),
    )


def _audited() -> int:
    return AuditEvent.objects.filter(action__in=NAMES).count()


# ---------------------------------------------------------------- the form itself


def test_the_form_lists_nobody_and_reveals_no_name(coordinator_client, org, program):
    for i in range(30):
        make_person(organization=org, given_name=f"Persona{i}")
    before = AuditEvent.objects.count()
    response = coordinator_client.get(reverse(FORM))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="facilitators"' not in body and "Persona1" not in body
    # No audit row at all: no name shown (``view_list``), nothing searched.
    assert AuditEvent.objects.count() == before
    url = reverse(SEARCH)
    field = re.search(r'<input type="search" name="fac_q"[^>]*>', body)
    assert field is not None
    assert f'hx-post="{url}"' in field.group() and 'hx-trigger="input changed' in field.group()
    button = re.search(r'<button[^>]*data-test="facilitator-search-submit"[^>]*>', body)
    assert button is not None and f'formaction="{url}"' in button.group()
    # The form still saves to the new-cohort route after a search without JavaScript.
    assert f'action="{reverse(FORM)}"' in body


def test_the_form_asks_as_often_for_5_people_as_for_200(
    coordinator_client, org, program, django_assert_max_num_queries
):
    for _ in range(5):
        make_person(organization=org)
    url = reverse(FORM)
    coordinator_client.get(url)  # sessions, caches: as a user who has been here
    with CaptureQueriesContext(connection) as queries:
        assert coordinator_client.get(url).status_code == 200
    for _ in range(195):
        make_person(organization=org)
    assert Person.objects.count() == 200
    with django_assert_max_num_queries(len(queries)):
        response = coordinator_client.get(url)
    assert response.status_code == 200
    assert 'name="facilitators"' not in response.content.decode()


# ---------------------------------------------------------------- the search


def test_a_typed_name_finds_people_of_the_organization_only_and_is_audited(
    coordinator_client, org, other_org, program
):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe Ríos")
    stranger = make_person(organization=other_org, given_name="Fausto", family_name="Quispe Ríos")
    before = AuditEvent.objects.filter(action="search").count()
    response = _typed(coordinator_client, "quispe")
    assert response.status_code == 200
    assert _found(response) == [str(fausto.pk)]
    body = response.content.decode()
    assert f"Fausto Quispe Ríos ({fausto.code})" in body  # the name, where it may be read
    assert stranger.code not in body
    # Nor by his code, sent.
    assert _found(_sent(coordinator_client, stranger.code)) == []
    assert AuditEvent.objects.filter(action="search").count() == before + 2


def test_a_viewer_and_a_facilitator_get_403_and_a_get_405(client, org, other_org, program):
    make_person(organization=org, given_name="Fausto", family_name="Quispe")
    fausto = make_person(organization=org, given_name="Fausto", family_name="Ríos")
    for user in (
        make_user(role="viewer", organization=org),
        make_user(role="facilitator", organization=org, person=fausto),
    ):
        login_verified(client, user)
        assert _typed(client, "Quispe").status_code == 403
        assert _sent(client, "Quispe").status_code == 403
    assert client.get(reverse(SEARCH) + "?fac_q=Quispe").status_code == 405  # S9


def test_another_organizations_coordinator_finds_none_of_ours(client, org, other_org):
    """The route names no object (the cohort is not made yet), so there is no 404 to give:
    the scope is the searcher's own, and ours stay out of it."""
    ours = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    login_verified(client, make_user(role="coordinator", organization=other_org))
    assert _typed(client, "Quispe").status_code == 200
    assert _found(_typed(client, "Quispe")) == [] and _found(_sent(client, ours.code)) == []
    # Ticked by hand in a forged post: not shown back either.
    assert _chosen(_typed(client, "Quispe", facilitators=[ours.pk])) == []


def test_at_most_twenty_people_and_a_word_to_narrow(coordinator_client, org, program):
    assert selectors.ENROL_SEARCH_LIMIT == 20
    for _ in range(20):
        make_person(organization=org, given_name="Mario", family_name="Mamani")
    exactly = _typed(coordinator_client, "Mamani")
    assert len(_found(exactly)) == 20
    assert 'data-test="facilitator-search-full"' not in exactly.content.decode()
    for _ in range(5):
        make_person(organization=org, given_name="Mario", family_name="Mamani")
    response = _typed(coordinator_client, "Mamani")
    assert len(_found(response)) == 20
    assert 'data-test="facilitator-search-full"' in response.content.decode()


def test_a_code_is_found_on_search_and_waits_while_typed(coordinator_client, org, program):
    """Typing a code or an ID number digit by digit would spend the look-up limit: while
    typed nothing is looked up and the earlier results give way to a hint."""
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    # Drawn at random, one code in twenty has no digit and reads as a name while typed.
    Person.objects.filter(pk=fausto.pk).update(code="KQM4PX7Z")
    before = AuditEvent.objects.filter(action="search").count()
    for text in ("KQM4", "KQM4PX7Z", "4512", "Fa"):
        response = _typed(coordinator_client, text)
        assert response.status_code == 200 and _found(response) == []
        assert 'data-test="facilitator-search-hint"' in response.content.decode()
    assert AuditEvent.objects.filter(action="search").count() == before
    assert _found(_sent(coordinator_client, "kqm4px7z")) == [str(fausto.pk)]


def test_a_typed_code_replaces_earlier_results_with_a_hint(coordinator_client, org, program):
    """The swap replaces the whole results area: what htmx gets for a typed code holds no
    result of the name typed before it, only the hint (and the ones already ticked)."""
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    rios = make_person(organization=org, given_name="Mario", family_name="Quispe")
    first = _typed(coordinator_client, "Quispe", facilitators=[rios.pk])
    assert _found(first) == [str(fausto.pk)] and _chosen(first) == [str(rios.pk)]
    then = _typed(coordinator_client, "Quispe 4", facilitators=[rios.pk])
    body = then.content.decode()
    assert body.startswith('<div id="facilitator-results"')  # what hx-target swaps out
    assert _found(then) == [] and 'data-test="facilitator-search-hint"' in body
    assert _chosen(then) == [str(rios.pk)]


def test_an_empty_search_gives_a_hint_not_everyone(coordinator_client, org, program):
    make_person(organization=org, given_name="Mario", family_name="Mamani")
    before = _audited()
    for response in (
        _sent(coordinator_client, "  "),
        _typed(coordinator_client, ""),
        coordinator_client.post(reverse(SEARCH), {"fac_q": ""}),  # without JavaScript
    ):
        assert response.status_code == 200
        assert 'data-test="facilitator-search-hint"' in response.content.decode()
        assert _found(response) == []
    assert _audited() == before


def test_a_role_that_finds_people_by_code_is_told_so_while_typing(
    coordinator_client, org, program, monkeypatch
):
    """Roles without ``VIEW_IDENTITY`` search by code (no role that creates cohorts lacks
    it today: the rule is the enrolment picker's, shared through ``picker_search``)."""
    import cascada.web.views.roster as roster_views
    import cascada.web.views.trainings as training_views

    make_person(organization=org, given_name="Mario", family_name="Mamani")
    monkeypatch.setattr(roster_views, "searches_identities", lambda user: False)
    monkeypatch.setattr(training_views, "searches_identities", lambda user: False)
    response = _typed(coordinator_client, "Mamani")
    assert (
        _found(response) == [] and "finds people by participant code" in response.content.decode()
    )
    page = coordinator_client.get(reverse(FORM)).content.decode()
    field = re.search(r'<input type="search" name="fac_q"[^>]*>', page)
    assert field is not None and "hx-post" not in field.group()  # nothing sent as typed
    assert 'data-test="facilitator-help-code"' in page


def test_too_many_id_numbers_are_refused(coordinator_client, org, program, settings):
    settings.CASCADA_ID_LOOKUP_LIMIT = 0
    response = _sent(coordinator_client, "45127788")
    assert response.status_code == 200
    assert 'data-test="facilitator-search-error"' in response.content.decode()
    without_js = coordinator_client.post(reverse(SEARCH), {"fac_q": "45127788"})
    assert without_js.status_code == 429


# ---------------------------------------------------------------- what is ticked


def test_the_ticked_stay_ticked_apart_from_the_results_and_once(coordinator_client, org, program):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    mario = make_person(organization=org, given_name="Mario", family_name="Quispe")
    ana = make_person(organization=org, given_name="Ana", family_name="Soto")
    response = _typed(coordinator_client, "Quispe", facilitators=[fausto.pk, ana.pk])
    assert _chosen(response) == [str(ana.pk), str(fausto.pk)]  # by name
    assert _found(response) == [str(mario.pk)]  # Fausto is not listed twice
    body = response.content.decode()
    assert body.index('data-test="facilitator-chosen"') < body.index(
        'data-test="facilitator-found"'
    )
    # A new search that finds neither keeps them ticked.
    other = _typed(coordinator_client, "Mamani", facilitators=[fausto.pk, ana.pk])
    assert _chosen(other) == [str(ana.pk), str(fausto.pk)] and _found(other) == []


def test_without_javascript_the_form_comes_back_with_the_results_saving_nothing(
    coordinator_client, org, program
):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    ana = make_person(organization=org, given_name="Ana", family_name="Soto")
    data = _cohort_post(program, name="", fac_q="Quispe", fac_search="1", facilitators=[ana.pk])
    response = coordinator_client.post(reverse(SEARCH), data)
    assert response.status_code == 200 and not Cohort.objects.exists()
    body = response.content.decode()
    assert 'id="cohort-form"' in body and f'action="{reverse(FORM)}"' in body
    assert _found(response) == [str(fausto.pk)] and _chosen(response) == [str(ana.pk)]
    assert 'value="Quispe"' in body  # the text typed stays in the box
    assert 'data-test="error-name"' not in body  # nothing was meant to be saved yet


def test_without_javascript_typed_means_nothing(coordinator_client, org, program):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    Person.objects.filter(pk=fausto.pk).update(code="K7M4QX")  # a code with digits
    data = _cohort_post(program, fac_q="K7M4QX", fac_typed="on")
    response = coordinator_client.post(reverse(SEARCH), data)
    assert response.status_code == 200 and _found(response) == [str(fausto.pk)]


def test_a_cohort_is_created_with_the_ticked_facilitators(coordinator_client, org, program):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    ana = make_person(organization=org, given_name="Ana", family_name="Soto")
    response = coordinator_client.post(
        reverse(FORM), _cohort_post(program, facilitators=[fausto.pk, ana.pk, fausto.pk])
    )
    assert response.status_code == 302
    assert set(Cohort.objects.get().facilitators.all()) == {fausto, ana}


def test_a_foreign_id_is_a_field_error_and_the_visible_stay_ticked(
    coordinator_client, org, other_org, program
):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    stranger = make_person(organization=other_org, given_name="Foráneo", family_name="Ajeno")
    before = AuditEvent.objects.filter(action="view_list").count()
    response = coordinator_client.post(
        reverse(FORM), _cohort_post(program, facilitators=[fausto.pk, stranger.pk])
    )
    assert response.status_code == 400 and not Cohort.objects.exists()
    body = response.content.decode()
    assert 'data-test="error-facilitators"' in body
    assert "is not among the people you can choose" in body
    assert stranger.code not in body and "Foráneo" not in body
    # Fausto comes back ticked, by name (shown, so audited).
    assert _chosen(response) == [str(fausto.pk)]
    assert f"Fausto Quispe ({fausto.code})" in body
    assert AuditEvent.objects.filter(action="view_list").count() == before + 1


@pytest.mark.parametrize("raw", ["abc", "99999999999999999999", "-3"])
def test_an_id_that_is_no_id_is_a_field_error_not_a_500(coordinator_client, program, raw):
    response = coordinator_client.post(reverse(FORM), _cohort_post(program, facilitators=[raw]))
    assert response.status_code == 400 and not Cohort.objects.exists()
    assert 'data-test="error-facilitators"' in response.content.decode()


def test_another_error_keeps_the_ticked_facilitators(coordinator_client, org, program):
    fausto = make_person(organization=org, given_name="Fausto", family_name="Quispe")
    response = coordinator_client.post(
        reverse(FORM), _cohort_post(program, name="", facilitators=[fausto.pk])
    )
    assert response.status_code == 400
    assert _chosen(response) == [str(fausto.pk)]
    # Only as a box to untick: never also a hidden field that would post him regardless.
    assert re.findall(r'name="facilitators"', response.content.decode()) == ['name="facilitators"']


def test_people_chosen_reveal_leaves_out_whom_the_user_does_not_see(org, other_org, coordinator):
    ana = make_person(organization=org, given_name="Ana", family_name="Soto")
    officer = make_user(role="me_officer", organization=org)
    stranger = make_person(organization=other_org)
    choices = selectors.people_chosen_reveal(user=coordinator, ids=[ana.pk, stranger.pk])
    assert [(c.pk, c.label) for c in choices] == [(ana.pk, f"Ana Soto ({ana.code})")]
    assert AuditEvent.objects.filter(action="view_list").count() == 1
    # Without the right to read names: the code, and no audit row.
    assert [c.label for c in selectors.people_chosen_reveal(user=officer, ids=[ana.pk])] == [
        ana.code
    ]
    assert AuditEvent.objects.filter(action="view_list").count() == 1
    assert selectors.people_chosen_reveal(user=coordinator, ids=[]) == []
