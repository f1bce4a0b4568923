"""S1, S2, S15, S17 against the pages rewritten for speed in issue 15, attacked as a
viewer (aggregates only, through the release of ADR 0006) and as a facilitator (the
people of their own cohorts only):

- the home page, whose exact per-program counts are sums of the kept per-cohort rows
  (``cascade.kept.cohort_totals_by_program``): a viewer reads each program only as its
  protected release, never the kept sums, which count every enrolment (men without
  reporting consent too);
- the people list on ``web.paging.counted_page`` and the cohort list: refused to a viewer,
  and no page number is a 500, whoever asks;
- a trainer's page, whose contacts are sums of the kept per-cohort rows
  (``cascade.figures._cohort_rows_candidate``): not a viewer's, and a viewer's figures,
  whatever scope a caller builds, count no attendance of a man without reporting consent;
- the pickers' searches (``web:cohort_facilitator_search``, ``web:cohort_enrol_search``):
  refused to a viewer with whatever is forged, and no name or code in the refusal.

The world is small on purpose: cohorts of 1 to 4 people, a court-ordered program (k = 10),
a program of another organization shared with ours, one that is not, and a man who did
not consent to aggregate reporting. Cases already covered elsewhere are not repeated:
``tests/web/test_facilitator_picker.py``, ``tests/web/test_pages_scale.py`` (a viewer's
403 on the pickers of their own organization), ``tests/web/test_layout.py`` (one "<5" on
the home page), ``tests/cascade/test_pages.py`` (a viewer's 404 on a trainer's page)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.cascade.figures import Scope, cascade_figures
from cascada.cascade.selectors import figures_present
from cascada.trainings.models import Cohort
from tests.accounts.factories import login_verified, make_user
from tests.api.conftest import token_client
from tests.cascade.factories import complete, enrol_only
from tests.registry.factories import consent_to_reporting, make_org, make_person
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db

K, K_COURT = 5, 10
LATER = dt.date(2026, 3, 2)
ROLES = ("viewer", "facilitator", "coordinator", "me_officer", "administrator", "auditor")
JUNK_PAGES = ("0", "-1", "99999999999999999999999", "abc", "", "1.5", "1e400", "NaN")


def _cohort(program: Any, name: str, *facilitators: Any, start: dt.date = LATER) -> Any:
    return make_cohort(
        program=program, name=name, sessions=1, facilitators=facilitators, start=start
    )


def _people(org: Any, n: int, tag: str, *, consent: bool = True) -> list[Any]:
    out = [
        make_person(organization=org, given_name=f"{tag}{i}", family_name="Secreto")
        for i in range(n)
    ]
    if consent:
        consent_to_reporting(*out)
    return out


@pytest.fixture
def w(settings) -> SimpleNamespace:
    """Two organizations. Ours (A) runs a small program: a trainer (``trainer``) runs a
    cohort of 1 and a cohort of 3 consenting men (one of whom drops out) where the man
    without reporting consent also completes; the facilitator user co-facilitates only
    that second cohort ("Cohorte Tres"); one of
    its men (``replicator``) then runs a cohort of his own, of 2, that the facilitator does
    not facilitate. A court-ordered program of 7 (k = 10 there). B runs a program shared
    with A (6 people) and one that is not (2 people)."""
    settings.CASCADA_SMALL_NUMBER_K = K
    settings.CASCADA_SMALL_NUMBER_K_COURT = K_COURT
    a, b = make_org(name="ONG Alfa"), make_org(name="ONG Beta")
    program = make_program(owner=a, name="Programa Alfa")
    trainer = _people(a, 1, "Formador")[0]
    fac_person = _people(a, 1, "Facilitadora")[0]
    one = _cohort(program, "Cohorte Uno", trainer)
    three = _cohort(program, "Cohorte Tres", trainer, fac_person)
    lone = _people(a, 1, "Solitario")
    complete(one, *lone)
    done = _people(a, 2, "Completo")
    complete(three, *done)
    dropped = _people(a, 1, "Desertor")
    enrol_only(three, *dropped)
    refuser = make_person(organization=a, given_name="Rehusa", family_name="Consentir")
    complete(three, refuser)
    replicator = done[0]
    later = _cohort(program, "Cohorte Replica", replicator, start=LATER + dt.timedelta(days=60))
    downstream = _people(a, 2, "Alejado")
    complete(later, *downstream)
    court = make_program(owner=a, name="Juzgado Alfa", is_court_mandated=True)
    court_people = _people(a, 7, "Juzgado")
    complete(_cohort(court, "Cohorte Juzgado"), *court_people)
    shared = make_program(owner=b, name="Compartido Beta")
    shared.shared_with.add(a)
    complete(_cohort(shared, "Cohorte Compartida"), *_people(b, 6, "Socio"))
    hidden = make_program(owner=b, name="Oculto Beta")
    b_cohort = _cohort(hidden, "Cohorte Oculta")
    b_people = _people(b, 2, "Ajeno")
    complete(b_cohort, *b_people)
    users = {
        role: make_user(
            role=role,
            organization=a,
            username=f"{role}-a",
            person=fac_person if role == "facilitator" else None,
        )
        for role in ROLES
    }
    users["b_viewer"] = make_user(role="viewer", organization=b, username="viewer-b")
    users["b_coordinator"] = make_user(role="coordinator", organization=b, username="coord-b")
    return SimpleNamespace(
        a=a, b=b, program=program, court=court, shared=shared, hidden=hidden,
        trainer=trainer, fac_person=fac_person, replicator=replicator, refuser=refuser,
        one=one, three=three, later=later, b_cohort=b_cohort, b_people=b_people,
        downstream=downstream, dropped=dropped, users=users,
    )  # fmt: skip


def signed_in(user: Any) -> Client:
    client = Client()
    client.raise_request_exception = False
    login_verified(client, user)
    return client


def _program_rows(html: str) -> dict[str, tuple[str, str]]:
    """The home page's programs: name -> (enrolled, completed) as shown."""
    out = {}
    for item in re.findall(r"<li><div class=\"row\">(.*?)</div></li>", html, re.S):
        name = re.search(r'<div class="row-title">([^<]*)', item)
        enrolled = re.search(r'data-test="program-enrolled"[^>]*>([^<]*)<', item)
        completed = re.search(r'data-test="program-completed"[^>]*>([^<]*)<', item)
        if name and enrolled and completed:
            out[name.group(1).strip()] = (enrolled.group(1), completed.group(1))
    return out


def _shown(cell: Any) -> str:
    return str(cell).replace("<", "&lt;")


def _release(user: Any, program: Any) -> tuple[str, str]:
    sc = Scope(user=user, program=program)
    shown = figures_present(cascade_figures(sc), sc)
    return _shown(shown["enrolled"]), _shown(shown["completed"])


_VOLATILE = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]*"|name="next" value="[^"]*"|"X-CSRFToken": "[^"]*"'
)


# ---------------------------------------------------------------- the home page


def test_a_viewers_home_shows_each_program_only_as_its_release(w):
    viewer = w.users["viewer"]
    response = signed_in(viewer).get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = _program_rows(html)
    # B's program that is not shared with us is not there at all, nor its cohort.
    assert set(rows) == {"Programa Alfa", "Juzgado Alfa", "Compartido Beta"}
    assert "Oculto Beta" not in html and "Cohorte Oculta" not in html
    for program in (w.program, w.court, w.shared):
        assert rows[program.name] == _release(viewer, program), program.name
    # The small program: 6 consenting men enrolled, 5 completed (7 and 6 enrolments in the
    # kept rows, the man without consent among them): the completed only as "<5".
    assert rows["Programa Alfa"] == ("6", "&lt;5")
    # The court-ordered program: 7 completed, hidden under its own k of 10.
    assert rows["Juzgado Alfa"] == ("&lt;10", "&lt;10")
    assert rows["Compartido Beta"] == ("6", "6")
    # No total across programs, no per-cohort count, no name (viewers read none).
    assert response.context["totals"]["enrolled"] is None
    assert response.context["totals"]["completed"] is None
    assert 'data-test="cohort-enrolled"' not in html and "Secreto" not in html
    # The coordinator of the same organization reads the exact sums of the kept rows.
    exact = _program_rows(
        signed_in(w.users["coordinator"]).get(reverse("web:home")).content.decode()
    )
    assert exact["Programa Alfa"] == ("7", "6") and exact["Juzgado Alfa"] == ("7", "7")


def test_what_the_release_does_not_count_moves_nothing_on_a_viewers_home(w):
    """Differencing the kept sums: the man without reporting consent joins another cohort
    and completes it, a man who dropped out enrols again: the coordinator's exact figures
    move, the viewer's home page stays byte for byte the same."""
    viewer, coordinator = signed_in(w.users["viewer"]), signed_in(w.users["coordinator"])
    before = _VOLATILE.sub("", viewer.get(reverse("web:home")).content.decode())
    exact_before = _program_rows(coordinator.get(reverse("web:home")).content.decode())
    complete(w.one, w.refuser)
    enrol_only(w.one, *w.dropped)
    after = _VOLATILE.sub("", viewer.get(reverse("web:home")).content.decode())
    exact_after = _program_rows(coordinator.get(reverse("web:home")).content.decode())
    assert exact_after["Programa Alfa"] != exact_before["Programa Alfa"]  # it did move
    assert after == before


def test_another_organizations_viewer_sees_only_the_shared_programs_release(w):
    b_viewer = w.users["b_viewer"]
    html = signed_in(b_viewer).get(reverse("web:home")).content.decode()
    rows = _program_rows(html)
    assert set(rows) == {"Compartido Beta", "Oculto Beta"}
    assert rows["Oculto Beta"] == ("&lt;5", "&lt;5")
    assert "Programa Alfa" not in html and "Juzgado Alfa" not in html


def test_a_facilitators_home_counts_his_own_cohort_only(w):
    """Exact, as he sees the people, but only of the cohort he facilitates: 4 enrolments,
    3 completed in "Cohorte Tres", nothing of the trainer's cohort of one or the replica."""
    response = signed_in(w.users["facilitator"]).get(reverse("web:home"))
    rows = _program_rows(response.content.decode())
    assert rows["Programa Alfa"] == ("4", "3")
    assert rows["Juzgado Alfa"] == ("0", "0")
    shown = {r["cohort"].name for r in response.context["cohorts"]}
    assert shown == {"Cohorte Tres"}


# ---------------------------------------------------------------- the people and cohort lists


@pytest.mark.parametrize("page", JUNK_PAGES)
def test_the_people_list_is_refused_to_a_viewer_whatever_the_page(w, page):
    for who in ("viewer", "b_viewer", "auditor"):
        before = AuditEvent.objects.filter(action="view_list").count()
        response = signed_in(w.users[who]).get(reverse("web:person_list"), {"page": page})
        assert response.status_code == 403, (who, page)
        body = response.content.decode()
        assert "Secreto" not in body and w.refuser.code not in body
        assert AuditEvent.objects.filter(action="view_list").count() == before


@pytest.mark.parametrize("page", JUNK_PAGES)
def test_no_page_number_is_a_500_on_the_lists_for_any_role(w, page):
    for who in (*ROLES, "b_viewer", "b_coordinator"):
        client = signed_in(w.users[who])
        for name in ("web:person_list", "web:cohort_list"):
            response = client.get(reverse(name), {"page": page})
            assert response.status_code in (200, 403), (who, name, page, response.status_code)
            if name == "web:cohort_list" and who != "auditor":
                assert response.status_code == 200, (who, page)


def test_a_facilitators_people_list_holds_only_his_cohorts_people(w):
    """``counted_page`` over the facilitator's scope: the people of "Cohorte Tres" (and
    its facilitators), never the trainer's cohort of one, the replica or the court's."""
    client = signed_in(w.users["facilitator"])
    seen: set[str] = set()
    for page in ("1", "2", "99999999999999999999999"):
        response = client.get(reverse("web:person_list"), {"page": page})
        assert response.status_code == 200
        seen |= {p.code for p in response.context["page"].object_list}
    codes_outside = {p.code for p in (*w.downstream, *w.b_people)}
    lone = Cohort.objects.get(pk=w.one.pk).enrolments.get().person.code
    assert not seen & (codes_outside | {lone})
    assert w.refuser.code in seen and w.replicator.code in seen


# ---------------------------------------------------------------- a trainer's page


def test_a_trainers_page_and_figures_are_not_a_viewers(w):
    """A viewer gets 404 on every trainer's page, web and API, ours, B's and made-up ids;
    the coordinator reads the same page with exact figures (so the 404 is the rule)."""
    viewer = w.users["viewer"]
    web, api = signed_in(viewer), token_client(viewer)
    b_trainer = w.b_people[0]
    for pk in (w.trainer.pk, w.replicator.pk, b_trainer.pk, 0, 2**31, 99999999999999):
        for path in (f"/cascade/trainers/{pk}/", f"/cascade/trainers/{pk}/tree/"):
            response = web.get(path)
            assert response.status_code == 404, path
            assert w.trainer.code not in response.content.decode()
        assert api.get(f"/api/cascade/trainers/{pk}/").status_code == 404
    page = signed_in(w.users["coordinator"]).get(f"/cascade/trainers/{w.trainer.pk}/")
    assert page.status_code == 200 and w.replicator.code in page.content.decode()


def test_a_viewers_figures_count_no_attendance_of_the_man_without_consent_in_any_scope(w):
    """The kept per-cohort sums count every enrolment's attendance, consent or not: they
    are for roles that see people (``_cohort_rows_candidate``). Whatever scope a caller
    builds for a viewer (the program with a trainer, a department or a period: the
    viewer's cohorts are then the whole program's, ADR 0006), the figures do not move when
    the man without reporting consent attends more sessions; a coordinator's do."""
    viewer, coordinator = w.users["viewer"], w.users["coordinator"]
    scopes = [
        {"program": w.program},
        {"program": w.program, "trainer": w.trainer},
        {"program": w.program, "start": LATER},
        {"trainer": w.trainer},
    ]

    def seen(user: Any) -> list[tuple[int, int, int, int]]:
        out = []
        for kw in scopes:
            fig = cascade_figures(Scope(user=user, **kw))
            out.append((fig.contacts, fig.headcount, fig.enrolled, fig.completed))
        return out

    before, exact_before = seen(viewer), seen(coordinator)
    # He joins the trainer's cohort of one and attends all of it.
    complete(w.one, w.refuser)
    assert seen(coordinator) != exact_before  # the kept rows did move
    assert seen(viewer) == before


# ---------------------------------------------------------------- the pickers


def _search_attempts(w: Any) -> list[tuple[str, str, dict[str, Any]]]:
    b_person = w.b_people[0]
    forged = {"facilitators": [b_person.pk, w.refuser.pk, "99999999999999999999", "-1"]}
    fac = reverse("web:cohort_facilitator_search")
    out = []
    for text in ("Secreto", w.refuser.code, b_person.code, "45127788"):
        out.append(("post", fac, {"fac_q": text, "fac_typed": "on", **forged}))
        out.append(("post", fac, {"fac_q": text, "fac_search": "1", "program": w.program.pk}))
    for cohort in (w.one, w.three, w.b_cohort):
        url = reverse("web:cohort_enrol_search", args=[cohort.pk])
        out.append(("post", url, {"enrol-q": w.refuser.code}))
        out.append(("post", url, {"enrol-q": "Secreto", "enrol-typed": "on"}))
    return out


def test_a_viewer_gets_nothing_from_the_pickers_whatever_is_forged(w):
    """Ours: 403; B's cohort, a shared program's and ids that do not exist: 404; a GET: 405.
    No answer carries a name or a code, and nothing is searched (no audit row)."""
    client = signed_in(w.users["viewer"])
    shared_cohort = Cohort.objects.get(program=w.shared)
    before = AuditEvent.objects.filter(action__in=("search", "view_list")).count()
    secrets = ["Secreto", w.refuser.code, w.b_people[0].code, "Ajeno", "Rehusa"]
    for method, url, data in _search_attempts(w):
        for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = getattr(client, method)(url, data, **htmx)
            expected = 404 if f"/{w.b_cohort.pk}/" in url else 403
            assert response.status_code == expected, (url, data, response.status_code)
            body = response.content.decode()
            assert not [s for s in secrets if s in body], url
    for pk in (shared_cohort.pk, 0, 2**31, "99999999999999999999"):
        url = f"/cohorts/{pk}/enrol/search/"
        assert client.post(url, {"enrol-q": w.refuser.code}).status_code in (403, 404), url
    for url in (
        reverse("web:cohort_facilitator_search") + "?fac_q=Secreto",
        reverse("web:cohort_enrol_search", args=[w.three.pk]) + "?enrol-q=Secreto",
    ):
        assert client.get(url).status_code == 405
    assert AuditEvent.objects.filter(action__in=("search", "view_list")).count() == before


def test_a_facilitators_pickers_reach_his_cohort_only(w):
    """The facilitator cannot search for facilitators (403); the enrolment picker answers
    only in his cohort (404 in the trainer's cohort of one, in the replica and in B's), and
    there finds by code only people of his cohorts: not the man of the cohort of one, not
    the replica's men, not B's."""
    client = signed_in(w.users["facilitator"])
    for _method, url, data in _search_attempts(w):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        if url == reverse("web:cohort_facilitator_search"):
            assert response.status_code == 403
        elif f"/{w.three.pk}/" in url:
            assert response.status_code == 200
        else:
            assert response.status_code == 404, url
    url = reverse("web:cohort_enrol_search", args=[w.three.pk])
    lone = Cohort.objects.get(pk=w.one.pk).enrolments.get().person
    for outsider in (lone, *w.downstream, *w.b_people):
        body = client.post(url, {"enrol-q": outsider.code}, HTTP_HX_REQUEST="true")
        assert body.status_code == 200
        assert f'value="{outsider.pk}"' not in body.content.decode()
        assert outsider.code not in body.content.decode().replace(f'value="{outsider.code}"', "")
    later = reverse("web:cohort_enrol_search", args=[w.later.pk])
    assert client.post(later, {"enrol-q": w.downstream[0].code}).status_code == 404


# ---------------------------------------------------------------- a trainer's tree (S2)


def test_a_facilitator_reads_no_code_of_people_outside_his_cohorts_on_a_trainers_page(w):
    """A trainer's tree crosses cohorts: a facilitator sees on it only the people of the
    cohorts he facilitates (``trainer_children`` through ``person_list``)."""
    client = signed_in(w.users["facilitator"])
    lone = Cohort.objects.get(pk=w.one.pk).enrolments.get().person
    leaks = []
    for trainer in (w.replicator, w.trainer):
        for path in (f"/cascade/trainers/{trainer.pk}/", f"/cascade/trainers/{trainer.pk}/tree/"):
            body = client.get(path).content.decode()
            leaks += [(path, p.code) for p in (*w.downstream, lone) if p.code in body]
    assert leaks == []


def test_another_organizations_people_stay_off_a_coordinators_trainer_page(w):
    """Our trainer also ran a cohort of another organization's program (not shared with
    us): its men are neither listed nor counted on her page, web or API."""
    crossed = _cohort(w.hidden, "Cohorte Cruzada", w.trainer)
    theirs = _people(w.b, 2, "Cruzado")
    complete(crossed, *theirs)
    coordinator = w.users["coordinator"]
    body = signed_in(coordinator).get(f"/cascade/trainers/{w.trainer.pk}/").content.decode()
    assert [p.code for p in theirs if p.code in body] == []
    data = token_client(coordinator).get(f"/api/cascade/trainers/{w.trainer.pk}/").json()
    assert data["direct"] == 4  # lone, two of Cohorte Tres, refuser: not B's two


# ---------------------------------------------------------------- a facilitator who is also a viewer (S17)


def test_a_facilitator_who_is_also_a_viewer_reads_no_exact_small_count(w):
    """His people access is bound to his cohorts, his viewer role shows him every cohort:
    exact counts would be counts of people he does not see, so he gets the release."""
    from cascada.accounts.services import membership_grant

    user = w.users["facilitator"]
    membership_grant(actor=None, user=user, organization=w.a, role="viewer")
    client = signed_in(user)
    home = client.get("/")
    rows = _program_rows(home.content.decode())
    viewer_rows = _program_rows(signed_in(w.users["viewer"]).get("/").content.decode())
    assert rows["Juzgado Alfa"] == viewer_rows["Juzgado Alfa"]
    assert rows["Programa Alfa"] == viewer_rows["Programa Alfa"]
    per_cohort = {c["cohort"].name: c["enrolled"] for c in home.context["cohorts"]}
    assert per_cohort.get("Cohorte Uno") is None, per_cohort
    assert client.get(f"/cohorts/{w.one.pk}/").context["summary"]["enrolled"] is None


def test_a_facilitator_here_and_a_viewer_at_a_partner_reads_no_exact_count(w):
    from cascada.accounts.services import membership_grant

    w.program.shared_with.add(w.b)
    user = w.users["facilitator"]
    membership_grant(actor=None, user=user, organization=w.b, role="viewer")
    rows = _program_rows(signed_in(user).get("/").content.decode())
    viewer_rows = _program_rows(signed_in(w.users["viewer"]).get("/").content.decode())
    assert rows["Programa Alfa"] == viewer_rows["Programa Alfa"]


def test_sees_exact_answers_alike_in_python_and_in_sql(w):
    """``sees_exact`` on a plain program and ``program_list``'s annotation: one rule."""
    from cascada.accounts.services import membership_grant
    from cascada.trainings.models import Program
    from cascada.trainings.selectors import program_list, sees_exact

    w.program.shared_with.add(w.b)
    mixed = w.users["facilitator"]
    membership_grant(actor=None, user=mixed, organization=w.b, role="viewer")
    for user in (*w.users.values(), mixed):
        user = type(user).objects.get(pk=user.pk)  # no remembered roles
        for program in program_list(user=user):
            plain = Program.objects.get(pk=program.pk)
            assert sees_exact(user=user, program=plain) == program.user_sees_people, (
                user.username,
                program.name,
            )
