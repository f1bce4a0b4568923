"""Into the cascade (issue 10): community actions run by promoters are the cascade's reach
beyond its last trained generation, as contacts (headcounts never become people), by
program, trainer line, department and period; viewers see them through the disclosure
control, per program only; another organization sees nothing of them (S2).

The cascade, built through the real services (numbers known in advance):

N (generation 0) runs the ToT T1 of program P: A and B complete (generation 1).
A runs W1: P1 and P2 complete, X only enrols. B runs W2: P3 completes (generation 2).
M runs Q1 of another program Q: R completes.

Actions (contacts = the sum of the headcounts):

    run by  place  date        kind      headcounts                          contacts
    P1      Lima   2026-03-10  fair      women 20, men 30, children 3        53
    P2      Cusco  2026-05-05  talk      men 12, young men 8                 20
    P3      Lima   2026-07-01  workshop  women 6, men 9                      15
    A       Cusco  2026-02-01  talk      women 4, young women 2              6
    X       Lima   2026-04-20  fair      men 7 (X did not complete: no one's line)
    R       Lima   2026-04-01  fair      men 40 (program Q)
    nobody  Lima   2026-04-02  fair      men 100 (no promoter: no line)
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.cascade.selectors import Scope, cascade_figures
from cascada.networks.models import Network
from cascada.networks.selectors import community_reach, community_reach_present
from cascada.networks.services import action_record
from cascada.registry.models import Person
from cascada.trainings.selectors import program_get
from tests.accounts.factories import login_verified, make_user
from tests.api.conftest import token_client
from tests.cascade.conftest import _place
from tests.cascade.factories import complete, enrol_only, run_cohort
from tests.registry.factories import consent_to_reporting, make_person
from tests.trainings.factories import make_program

pytestmark = pytest.mark.django_db

K = 5


def _act(w, run_by, place, date, kind="fair", **heads):
    return action_record(
        actor=None,
        network=w.network,
        date=date,
        kind=kind,
        title=f"Acción {kind}",
        place=place,
        run_by=run_by,
        **heads,
    )[0]


@pytest.fixture
def w(org, settings):
    settings.CASCADA_SMALL_NUMBER_K = K
    lima = _place("15", "Lima", "department")
    cusco = _place("08", "Cusco", "department")
    vmt = _place("150143", "Villa María del Triunfo", "district", lima, lima)
    wanchaq = _place("080108", "Wanchaq", "district", cusco, cusco)
    program = make_program(owner=org, name="Cascada Nacional")
    other_program = make_program(owner=org, name="Otro Programa")
    p = {n: make_person(organization=org) for n in ["N", "A", "B", "P1", "P2", "P3", "X", "M", "R"]}
    t1 = run_cohort(
        program=program, facilitators=(p["N"],), kind="tot", start=dt.date(2025, 1, 6), place=vmt
    )
    complete(t1, p["A"], p["B"])
    w1 = run_cohort(program=program, facilitators=(p["A"],), start=dt.date(2025, 3, 3), place=vmt)
    complete(w1, p["P1"], p["P2"])
    enrol_only(w1, p["X"])
    w2 = run_cohort(
        program=program, facilitators=(p["B"],), start=dt.date(2025, 4, 7), place=wanchaq
    )
    complete(w2, p["P3"])
    q1 = run_cohort(program=other_program, facilitators=(p["M"],), start=dt.date(2025, 5, 5))
    complete(q1, p["R"])
    network = Network.objects.create(organization=org, name="Red de Promotores", kind="municipal")
    world = SimpleNamespace(
        org=org,
        program=program,
        other_program=other_program,
        people=p,
        network=network,
        lima=lima,
        cusco=cusco,
        vmt=vmt,
        wanchaq=wanchaq,
    )
    _act(world, p["P1"], vmt, dt.date(2026, 3, 10), "fair", women=20, men=30, children=3)
    _act(world, p["P2"], wanchaq, dt.date(2026, 5, 5), "talk", men=12, young_men=8)
    _act(world, p["P3"], vmt, dt.date(2026, 7, 1), "workshop", women=6, men=9)
    _act(world, p["A"], wanchaq, dt.date(2026, 2, 1), "talk", women=4, young_women=2)
    _act(world, p["X"], vmt, dt.date(2026, 4, 20), "fair", men=7)
    _act(world, p["R"], vmt, dt.date(2026, 4, 1), "fair", men=40)
    _act(world, None, vmt, dt.date(2026, 4, 2), "fair", men=100)
    # S15: every promoter agreed to be counted in reports except P3.
    consent_to_reporting(p["A"], p["P1"], p["P2"], p["X"], p["R"])
    return world


def _reach(**scope):
    return community_reach(Scope(**scope))


# ---------------------------------------------------------------- exact figures


def test_a_programs_community_reach_counts_its_promoters_actions(w):
    reach = _reach(program=w.program)
    assert (reach.actions, reach.contacts) == (4, 94)
    assert reach.by_field == {
        "women": 30,
        "men": 51,
        "young_women": 2,
        "young_men": 8,
        "children": 3,
        "not_stated": 0,
    }
    assert reach.by_kind == {"workshop": [1, 15], "talk": [2, 26], "fair": [1, 53]}
    # Rows in the kinds' own order, never by size (the order of hidden cells would rank them).
    assert list(reach.by_kind) == ["workshop", "talk", "fair"]
    assert reach.by_department == {
        (w.cusco.pk, "Cusco"): [2, 26],
        (w.lima.pk, "Lima"): [2, 68],
    }
    # The other program's promoter, someone who only enrolled, and an action with no
    # promoter are in no line of this program.
    assert (_reach(program=w.other_program).actions, _reach(program=w.other_program).contacts) == (
        1,
        40,
    )


def test_a_trainers_line_holds_their_descendants_actions_and_not_a_siblings(w):
    p = w.people
    a = _reach(trainer=p["A"])  # A's own talk, and P1's and P2's actions
    assert (a.actions, a.contacts, a.own_actions, a.own_contacts) == (3, 79, 1, 6)
    b = _reach(trainer=p["B"])  # A's sibling: only P3's workshop
    assert (b.actions, b.contacts, b.own_actions) == (1, 15, 0)
    n = _reach(trainer=p["N"])  # the whole line below N
    assert (n.actions, n.contacts, n.own_actions) == (4, 94, 0)
    p1 = _reach(trainer=p["P1"])
    assert (p1.actions, p1.contacts, p1.own_actions) == (1, 53, 1)


def test_department_and_period_are_the_actions_own(w):
    lima = _reach(program=w.program, department=w.lima)
    assert (lima.actions, lima.contacts) == (2, 68)
    cusco_line_a = _reach(trainer=w.people["A"], department=w.cusco)
    assert (cusco_line_a.actions, cusco_line_a.contacts) == (2, 26)
    spring = _reach(program=w.program, start=dt.date(2026, 3, 1), end=dt.date(2026, 6, 30))
    assert (spring.actions, spring.contacts) == (2, 73)
    assert spring.by_kind == {"talk": [1, 20], "fair": [1, 53]}


def test_a_headcount_of_30_men_adds_no_one_to_the_cascades_people(w):
    sc = Scope(program=w.program)
    before = cascade_figures(sc)
    people = Person.objects.count()
    contacts = community_reach(sc).by_field["men"]
    _act(w, w.people["P2"], w.vmt, dt.date(2026, 8, 1), "fair", men=30)
    after = cascade_figures(sc)
    assert community_reach(sc).by_field["men"] == contacts + 30
    assert Person.objects.count() == people
    assert (after.enrolled, after.completed, after.by_sex, after.by_level) == (
        before.enrolled,
        before.completed,
        before.by_sex,
        before.by_level,
    )
    assert after.contacts == before.contacts  # the training's contacts, not the community's


# ---------------------------------------------------------------- viewers (S15, S17)


def _viewer_sees(w, viewer, **filters):
    program = program_get(user=viewer, pk=w.program.pk)
    sc = Scope(user=viewer, program=program, **filters)
    return community_reach_present(community_reach(sc), sc)


def _plain(shown):
    return {
        "actions": str(shown["actions"]),
        "contacts": str(shown["contacts"]),
        "sex_age": {r["key"]: str(r["contacts"]) for r in shown["by_sex_age"]},
        "kind": {r["key"]: (str(r["actions"]), str(r["contacts"])) for r in shown["by_kind"]},
        "departments": shown["departments"],
    }


def test_a_viewer_sees_the_programs_community_reach_with_small_cells_hidden(w):
    """P3 did not consent to reporting: the viewer's figures leave out the workshop (S15).
    Of 79 contacts, 2 young women and 3 children are hidden, and the smallest other cell
    (8 young men) is withheld, since the hidden cells would otherwise add up to 5."""
    viewer = make_user(role=Role.VIEWER, organization=w.org)
    shown = _viewer_sees(w, viewer)
    assert shown["suppressed"] and shown["recorded"]
    assert _plain(shown) == {
        "actions": "<5",
        "contacts": "79",
        "sex_age": {
            "women": "24",
            "men": "42",
            "young_women": "<5",
            "young_men": "—",
            "children": "<5",
            "not_stated": "0",
        },
        # 3 actions: "<5", so actions by kind are not published; contacts by kind are.
        "kind": {"talk": ("—", "26"), "fair": ("—", "53")},
        "departments": [],
    }
    assert shown["published"] == {"sex_age": True, "kind": False}
    assert shown["own_actions"].unpublished


def test_a_viewer_cannot_filter_by_department_trainer_or_period(w):
    viewer = make_user(role=Role.VIEWER, organization=w.org)
    whole = _plain(_viewer_sees(w, viewer))
    for filters in (
        {"department": w.lima},
        {"trainer": w.people["A"]},
        {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)},
        {"organization": w.org},
    ):
        assert _plain(_viewer_sees(w, viewer, **filters)) == whole, filters
    # Without a program, a viewer gets nothing (no totals across programs).
    sc = Scope(user=viewer, trainer=w.people["A"])
    assert community_reach(sc).actions == 0


def test_the_program_page_shows_it_exactly_to_staff_and_protected_to_a_viewer(w, client):
    url = reverse("web:cascade_program", args=[w.program.pk])
    coordinator = make_user(role=Role.COORDINATOR, organization=w.org)
    login_verified(client, coordinator)
    page = client.get(url).content.decode()
    assert 'data-test="community-contacts"><strong>94<' in page
    assert 'id="community-departments"' in page and "Cusco" in page
    filtered = client.get(url, {"department": w.lima.pk}).content.decode()
    assert 'data-test="community-contacts"><strong>68<' in filtered

    viewer = make_user(role=Role.VIEWER, organization=w.org)
    web = Client()
    login_verified(web, viewer)
    page = web.get(url).content.decode()
    assert 'data-test="community-contacts"><strong>79<' in page
    assert 'data-test="community-actions"><strong>&lt;5<' in page
    assert 'id="community-departments"' not in page

    def section(html):
        start = html.index('id="community-reach"')
        return html[start : html.index("</section>", start)]

    filtered = web.get(url, {"department": w.lima.pk}).content.decode()
    assert "&lt;5" in section(page) and section(filtered) == section(page)

    data = token_client(viewer).get(f"/api/cascade/programs/{w.program.pk}/").json()
    community = data["community_reach"]
    assert (community["contacts"], community["actions"], community["departments"]) == (79, "<5", [])
    by = {r["key"]: r["contacts"] for r in community["by_sex_age"]}
    assert (by["children"], by["young_men"], by["men"]) == ("<5", None, 42)


def test_the_trainer_page_shows_what_their_promoters_did(w, coordinator_client):
    page = coordinator_client.get(
        reverse("web:cascade_trainer", args=[w.people["A"].pk])
    ).content.decode()
    assert 'data-test="community-contacts"><strong>79<' in page
    assert 'data-test="community-own"><strong>1<' in page
    sibling = coordinator_client.get(
        reverse("web:cascade_trainer", args=[w.people["B"].pk])
    ).content.decode()
    assert 'data-test="community-contacts"><strong>15<' in sibling


# ---------------------------------------------------------------- S2


def test_another_organization_sees_nothing_of_it(w, other_org, client):
    outsider = make_user(role=Role.COORDINATOR, organization=other_org)
    assert community_reach(Scope(user=outsider, program=w.program)).actions == 0
    assert community_reach(Scope(user=outsider, trainer=w.people["A"])).actions == 0
    assert community_reach(Scope(user=outsider)).actions == 0
    # Its own network's actions are its own: they do not open the other one's.
    theirs = Network.objects.create(organization=other_org, name="Otra red", kind="municipal")
    action_record(actor=None, network=theirs, date=dt.date(2026, 5, 1), kind="fair",
                  title="Feria", run_by=make_person(organization=other_org), men=9)  # fmt: skip
    mine = community_reach(Scope(user=outsider))
    assert (mine.actions, mine.contacts) == (1, 9)
    login_verified(client, outsider)
    assert client.get(reverse("web:cascade_program", args=[w.program.pk])).status_code == 404
    assert client.get(reverse("web:cascade_trainer", args=[w.people["A"].pk])).status_code == 404
    assert token_client(outsider).get(f"/api/cascade/programs/{w.program.pk}/").status_code == 404


# ---------------------------------------------------------------- cost


def test_the_query_count_does_not_grow_with_the_actions(w, django_assert_max_num_queries):
    coordinator = make_user(role=Role.COORDINATOR, organization=w.org)
    program = program_get(user=coordinator, pk=w.program.pk)

    def read(**filters):
        sc = Scope(user=coordinator, program=program, **filters)
        with CaptureQueriesContext(connection) as few:
            community_reach_present(community_reach(sc), sc)
        return len(few)

    before = read()
    for n in range(60):
        promoter = w.people[("P1", "P2", "P3", "A")[n % 4]]
        place = (w.vmt, w.wanchaq)[n % 2]
        kind = ("fair", "talk", "workshop", "campaign", "media")[n % 5]
        _act(w, promoter, place, dt.date(2026, 1 + n % 12, 1), kind, women=n, men=1)
    with django_assert_max_num_queries(before):
        sc = Scope(user=coordinator, program=program, department=w.lima)
        reach = community_reach_present(community_reach(sc), sc)
    assert before <= 2
    assert reach["actions"].value == 2 + 30
