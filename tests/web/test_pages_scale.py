"""Issue 15: pages whose cost grows with what they show, not with the country
(docs/decisions/pages-at-scale.md). The home page and a cohort's page ask the database
as many times for a small organization as for a large one; the home page reads only the
cohorts it lists, with their counts; the enrolment picker finds a few people as a name is
typed, scoped and audited like the search it is, and never lists everyone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cascada.audit.models import AuditEvent
from cascada.cascade.kept import refresh_marked
from cascada.registry.models import Person
from cascada.trainings.models import Cohort, Enrolment, EnrolmentStatus
from cascada.trainings.selectors import ENROL_SEARCH_LIMIT, cohort_list
from cascada.trainings.services import attendance_record
from cascada.web.views.pages import COHORTS_SHOWN
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

STATUS_RANK = {"running": 0, "planned": 1, "closed": 2}


def _grow(program: Any, shown: Cohort, *, cohorts: int, people: int) -> None:
    """More cohorts of every status in the program, more people, enrolled in ``shown``
    and in the new cohorts, some completing."""
    org = program.owner
    today = timezone.localdate()
    first = Cohort.objects.filter(program=program).count()
    new = []
    for i in range(first, first + cohorts):
        start = today + dt.timedelta(days=(i % 3 - 1) * 40 - i)  # past, near and future
        end = start + dt.timedelta(days=20) if i % 3 == 0 else None
        new.append(make_cohort(program=program, name=f"Cohorte {i:03d}", sessions=1,
                               start=start, end_date=end))  # fmt: skip
    crowd = [make_person(organization=org) for _ in range(people)]
    enrol(shown, *crowd)
    for i, cohort in enumerate(new):
        enrol(cohort, *crowd[i % len(crowd) :][:3])


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def small(org):
    """3 cohorts and 5 people: the small world."""
    program = make_program(owner=org)
    today = timezone.localdate()
    shown = make_cohort(program=program, name="Activa", sessions=3,
                        start=today - dt.timedelta(days=7))  # fmt: skip
    make_cohort(program=program, name="Futura", sessions=1, start=today + dt.timedelta(days=9))
    make_cohort(program=program, name="Pasada", sessions=1, start=today - dt.timedelta(days=90),
                end_date=today - dt.timedelta(days=60))  # fmt: skip
    people = [make_person(organization=org) for _ in range(5)]
    enrol(shown, *people)
    return program, shown


def test_home_and_cohort_page_ask_as_often_for_forty_cohorts_and_200_people(
    coordinator_client, small, django_assert_max_num_queries
):
    program, shown = small
    home = reverse("web:home")
    page = reverse("web:cohort_detail", args=[shown.pk])
    _count(coordinator_client, home)  # sessions, caches: as a user who has been here
    n_home, n_page = _count(coordinator_client, home), _count(coordinator_client, page)
    _grow(program, shown, cohorts=37, people=195)
    assert Cohort.objects.count() == 40 and Person.objects.count() >= 200
    # The schedule's sweep has run, as it does every few minutes: the first read after
    # writes refreshes the kept counts they marked (tests/cascade/test_kept_figures.py).
    refresh_marked()
    with django_assert_max_num_queries(n_home):
        assert coordinator_client.get(home).status_code == 200
    with django_assert_max_num_queries(n_page):
        response = coordinator_client.get(page)
    assert response.status_code == 200
    assert response.content.decode().count('data-test="enrolment-row"') == 200


def test_home_lists_the_same_cohorts_and_counts_as_the_cohort_list_in_order(
    coordinator_client, coordinator, small
):
    """The twelve cohorts of the home page are those of the whole visible list sorted
    running → planned → closed, newest first, by name: computed here in Python over every
    cohort, with the counts ``cohort_list`` gives each one."""
    program, shown = small
    _grow(program, shown, cohorts=37, people=20)
    closed = Cohort.objects.get(name="Pasada")
    done = enrol(closed, *Person.objects.all()[:4])
    attendance_record(actor=None, session=closed.sessions.get(), marks={e.pk: "present" for e in done})  # fmt: skip
    Enrolment.objects.filter(pk=done[0].pk).update(status=EnrolmentStatus.WITHDRAWN)

    every = sorted(
        cohort_list(user=coordinator),
        key=lambda c: (STATUS_RANK[c.current_status], -c.start_date.toordinal(), c.name, c.pk),
    )
    expected = [(c.name, c.n_enrolled, c.n_completed) for c in every[:COHORTS_SHOWN]]
    response = coordinator_client.get(reverse("web:home"))
    rows = response.context["cohorts"]
    assert [(r["cohort"].name, r["enrolled"], r["completed"]) for r in rows] == expected
    assert expected[0] == ("Activa", 25, 0)  # the running cohort people are enrolled in
    assert response.context["more_cohorts"] == 40 - COHORTS_SHOWN
    body = response.content.decode()
    assert body.index("Activa") < body.index(rows[-1]["cohort"].name)


def test_home_shows_closed_cohorts_with_their_completions(coordinator_client, small):
    program, shown = small
    closed = Cohort.objects.get(name="Pasada")
    done = enrol(closed, *Person.objects.all()[:3])
    attendance_record(actor=None, session=closed.sessions.get(), marks={e.pk: "present" for e in done})  # fmt: skip
    rows = coordinator_client.get(reverse("web:home")).context["cohorts"]
    got = [(r["cohort"].name, r["cohort"].current_status, r["enrolled"], r["completed"]) for r in rows]  # fmt: skip
    assert got == [
        ("Activa", "running", 5, 0),
        ("Futura", "planned", 0, 0),
        ("Pasada", "closed", 3, 3),
    ]


def test_home_counts_only_the_cohorts_shown(coordinator_client, small):
    """No count per visible cohort: the statement that reads the cohorts shown joins their
    enrolments once; no subquery of enrolments refers back to each cohort (which would be
    one count per cohort of the organization before the twelve are chosen)."""
    program, shown = small
    _grow(program, shown, cohorts=15, people=5)
    with CaptureQueriesContext(connection) as queries:
        coordinator_client.get(reverse("web:home"))
    correlated = re.compile(r'U\d+\."cohort_id" = \("trainings_cohort"\."id"\)')
    reading = [q["sql"] for q in queries.captured_queries if "trainings_enrolment" in q["sql"]]
    assert reading
    assert not [sql for sql in reading if correlated.search(sql)]


# ---------------------------------------------------------------- the enrolment picker


@pytest.fixture
def picker(small):
    program, cohort = small
    return cohort, reverse("web:cohort_enrol_search", args=[cohort.pk])


def _typed(client: Client, url: str, text: str) -> Any:
    """What htmx sends as a name is typed (``hx-vals``) in the picker's input."""
    return client.post(url, {"enrol-q": text, "enrol-typed": "on"}, HTTP_HX_REQUEST="true")


def _choices(response: Any) -> list[str]:
    return re.findall(r'name="people" value="(\d+)"', response.content.decode())


def test_the_cohort_page_offers_the_search_as_you_type_and_no_list_of_people(
    coordinator_client, org, picker
):
    cohort, url = picker
    for i in range(30):
        make_person(organization=org, given_name=f"Persona{i}")
    body = coordinator_client.get(reverse("web:cohort_detail", args=[cohort.pk])).content.decode()
    assert 'data-test="enrol-choice"' not in body and "Persona1" not in body
    field = re.search(r'<input type="search" name="enrol-q"[^>]*>', body)
    assert field is not None
    assert f'hx-post="{url}"' in field.group() and 'hx-trigger="input changed' in field.group()
    assert 'action="' + url + '"' in body  # without JavaScript: the form posts


def test_a_typed_name_finds_people_of_the_organization_only_and_is_audited(
    coordinator_client, org, other_org, picker
):
    cohort, url = picker
    jorge = make_person(organization=org, given_name="Jorge", family_name="Quispe Ríos")
    stranger = make_person(organization=other_org, given_name="Jorge", family_name="Quispe Ríos")
    before = AuditEvent.objects.filter(action="search").count()
    response = _typed(coordinator_client, url, "quispe")
    assert response.status_code == 200
    assert _choices(response) == [str(jorge.pk)]
    assert str(stranger.pk) not in _choices(_typed(coordinator_client, url, "Jorge Quispe"))
    assert stranger.code not in response.content.decode()
    assert AuditEvent.objects.filter(action="search").count() == before + 2


def test_a_code_is_found_on_search_and_waits_while_typed(coordinator_client, org, picker):
    """Typing a code or an ID number digit by digit would spend the look-up limit: while
    typed it asks nothing and earlier results give way to a hint; "Search" finds it."""
    cohort, url = picker
    jorge = make_person(organization=org, given_name="Jorge", family_name="Quispe")
    # Codes are drawn at random and one in twenty holds no digit: typed, such a code is
    # read as the start of a name. This one holds digits, as most do.
    Person.objects.filter(pk=jorge.pk).update(code="QX7K2M9A")
    jorge.refresh_from_db()
    before = AuditEvent.objects.filter(action="search").count()
    partial = jorge.code[:3]  # "QX7": a digit, so nothing is asked while typed
    for text in (partial, jorge.code, "4512", "Jo"):
        response = _typed(coordinator_client, url, text)
        # Nothing looked up; the earlier results give way to a hint (no stale people
        # under a text they do not match).
        assert response.status_code == 200 and _choices(response) == []
        assert 'data-test="enrol-search-hint"' in response.content.decode()
    assert AuditEvent.objects.filter(action="search").count() == before
    sent = coordinator_client.post(url, {"enrol-q": jorge.code}, HTTP_HX_REQUEST="true")
    assert _choices(sent) == [str(jorge.pk)]


def test_at_most_twenty_people_and_a_word_to_narrow(coordinator_client, org, picker):
    cohort, url = picker
    assert ENROL_SEARCH_LIMIT == 20
    for _ in range(20):
        make_person(organization=org, given_name="Mario", family_name="Mamani")
    exactly = _typed(coordinator_client, url, "Mamani")
    assert len(_choices(exactly)) == 20
    assert 'data-test="enrol-search-full"' not in exactly.content.decode()
    for _ in range(5):
        make_person(organization=org, given_name="Mario", family_name="Mamani")
    response = _typed(coordinator_client, url, "Mamani")
    assert len(_choices(response)) == 20
    assert 'data-test="enrol-search-full"' in response.content.decode()


def test_an_empty_search_gives_a_hint_not_everyone(coordinator_client, org, picker):
    cohort, url = picker
    make_person(organization=org, given_name="Mario", family_name="Mamani")
    before = AuditEvent.objects.filter(action="search").count()
    for response in (
        coordinator_client.post(url, {"enrol-q": "  "}, HTTP_HX_REQUEST="true"),
        _typed(coordinator_client, url, ""),
        coordinator_client.post(url, {"enrol-q": ""}),  # without JavaScript: the page
    ):
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-test="enrol-search-hint"' in body and _choices(response) == []
    assert AuditEvent.objects.filter(action="search").count() == before


def test_without_javascript_typed_means_nothing_and_the_page_comes_back(
    coordinator_client, org, picker
):
    cohort, url = picker
    jorge = make_person(organization=org, given_name="Jorge", family_name="Quispe")
    response = coordinator_client.post(url, {"enrol-q": jorge.code, "enrol-typed": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-test="cohort-name"' in body
    assert _choices(response) == [str(jorge.pk)]


def test_a_viewer_gets_403_another_organization_404_and_a_get_405(client, org, other_org, picker):
    cohort, url = picker
    viewer = make_user(role="viewer", organization=org)
    login_verified(client, viewer)
    assert _typed(client, url, "Quispe").status_code == 403
    outsider = Client()
    login_verified(outsider, make_user(role="coordinator", organization=other_org))
    assert _typed(outsider, url, "Quispe").status_code == 404
    assert client.get(url + "?enrol-q=Quispe").status_code == 405  # S9: never in a URL


def test_a_facilitator_finds_only_people_of_his_cohorts(org, small):
    """The same scope as the enrolment itself: a facilitator sees the people of the cohorts
    he facilitates, not the whole organization, and finds them by code (names are not his
    to search, S3: a typed name finds nobody)."""
    program, cohort = small
    fausto = make_person(organization=org, given_name="Fausto", family_name="Ríos")
    mine = make_cohort(program=program, name="Mía", sessions=1, facilitators=(fausto,),
                       start=timezone.localdate())  # fmt: skip  # open: a closed one enrols nobody
    known = make_person(organization=org, given_name="Mario", family_name="Mamani")
    unknown = make_person(organization=org, given_name="Mario", family_name="Mamani")
    enrol(make_cohort(program=program, name="Suya", sessions=1, facilitators=(fausto,)), known)
    client = Client()
    login_verified(client, make_user(role="facilitator", organization=org, person=fausto))
    url = reverse("web:cohort_enrol_search", args=[mine.pk])
    for person, found in ((known, [str(known.pk)]), (unknown, [])):
        response = client.post(url, {"enrol-q": person.code}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and _choices(response) == found
    typed_name = _typed(client, url, "Mamani")
    assert _choices(typed_name) == []
    # Found looking at the page: he was told names are searched as he types and then
    # "nobody found"; now the page and the answer say his role searches by code, and a
    # typed text is not sent at all.
    assert 'data-test="enrol-search-hint"' in typed_name.content.decode()
    page = client.get(reverse("web:cohort_detail", args=[mine.pk])).content.decode()
    assert 'data-test="enrol-help-code"' in page and 'data-test="enrol-help"' not in page
    assert 'hx-trigger="input changed' not in page
    other = reverse("web:cohort_enrol_search", args=[cohort.pk])
    assert _typed(client, other, "Mamani").status_code == 404
