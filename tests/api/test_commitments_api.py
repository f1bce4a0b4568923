"""Commitments to Action through the API (issue 11): each role sees what
``commitments.selectors`` lets it open (a mentor and a focal point their own commitment,
a viewer the initiative's protected aggregates and no rows, another organization nothing:
404), a testimony without consent leaves through no endpoint, and money is exact decimal
strings in each grant's currency, never summed across currencies."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cascada.commitments.services import (
    Plan,
    commitment_create,
    commitment_revise,
    disbursement_record,
    grant_create,
    milestone_set_status,
    spending_record,
    tranche_release,
)
from cascada.commitments.services import testimony_consent_set as consent_set
from cascada.commitments.services import testimony_record as record_testimony
from tests.accounts.factories import make_user
from tests.commitments.conftest import (  # noqa: F401 (fixtures: Bolivia's initiative)
    CIES_PLAN,
    alianza,
    alianza_commitment,
    cies,
    commitment,
    el_alto,
    focal,
    funder,
    initiative,
    manager,
    mentor,
    other_mentor,
)
from tests.registry.factories import make_org

pytestmark = pytest.mark.django_db

D = dt.date
SECRET = "Esto no lo autorizo a publicar"
WITHDRAWN = "Lo dije pero retiré mi permiso"
PUBLISHED = "Aprendimos a escuchar a las docentes"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def focal_user(focal):  # noqa: F811
    """The CIES focal point signs in; she holds no role."""
    return make_user(username="juana-cies", person=focal)


@pytest.fixture
def viewer(funder):  # noqa: F811
    return make_user(role="viewer", organization=funder)


@pytest.fixture
def outsider(other_org):
    return make_user(role="coordinator", organization=other_org)


@pytest.fixture
def bolivia(commitment, alianza_commitment, manager, cies, focal):  # noqa: F811
    """Both commitments with money, a revision, milestones reported and three testimonies
    (one consented, one never, one withdrawn)."""
    mid = commitment.milestones.get(key="informe-medio")
    milestone_set_status(
        actor=manager,
        milestone=commitment.milestones.get(key="diagnostico"),
        status="done",
        on=D(2019, 8, 10),
    )
    grant = grant_create(
        actor=manager,
        commitment=commitment,
        amount="20000.00",
        currency="BOB",
        awarded_on=D(2019, 3, 20),
        tranches=[{"amount": "12000.00"}, {"amount": "8000.00", "condition_milestone": mid}],
    )
    first = grant.tranches.get(number=1)
    tranche_release(actor=manager, tranche=first, released_on=D(2019, 4, 1))
    disbursement_record(actor=manager, tranche=first, date=D(2019, 4, 2), amount="12000.00")
    for line, amount in [("Talleres", "3333.33"), ("Materiales", "0.10"), ("Materiales", "0.20")]:
        spending_record(
            actor=manager, grant=grant, budget_line=line, amount=amount, date=D(2019, 5, 1)
        )
    grant_create(
        actor=manager,
        commitment=alianza_commitment,
        amount="900.00",
        currency="USD",
        awarded_on=D(2019, 3, 20),
        tranches=[{"amount": "900.00"}],
    )
    commitment_revise(
        actor=manager,
        commitment=commitment,
        plan=Plan(
            **{**CIES_PLAN.__dict__, "aim": "Formar docentes y directivos de El Alto."},
        ),
        created_on=D(2019, 9, 1),
    )
    record_testimony(
        actor=None,
        commitment=commitment,
        quote=PUBLISHED,
        author_institution=cies,
        author=focal,
        author_role="Coordinadora Zenobia",
        recorded_on=D(2019, 11, 20),
        consent_to_publish=True,
        consent_on=D(2019, 11, 21),
    )
    record_testimony(
        actor=None,
        commitment=commitment,
        quote=SECRET,
        author_institution=cies,
        author=focal,
        recorded_on=D(2019, 11, 20),
    )
    withdrawn = record_testimony(
        actor=None,
        commitment=alianza_commitment,
        quote=WITHDRAWN,
        author_institution=cies,
        recorded_on=D(2019, 11, 20),
        consent_to_publish=True,
        consent_on=D(2019, 11, 21),
    )
    consent_set(actor=None, testimony=withdrawn, consent=False, on=None)
    return commitment, alianza_commitment


def _urls(initiative, *commitments):  # noqa: F811
    base = "/api/commitments/"
    urls = [f"{base}initiatives/"]
    urls += [
        f"{base}initiatives/{initiative.pk}/{tail}"
        for tail in ("", "commitments/", "testimonies/", "summary/")
    ]
    urls += [f"{base}commitments/{c.pk}/" for c in commitments]
    return urls


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# ---------------------------------------------------------------- who sees which rows


def test_the_grant_manager_sees_every_commitment(bolivia, initiative, manager):  # noqa: F811
    cies_c, alianza_c = bolivia
    client = api(manager)
    assert _ids(client.get("/api/commitments/initiatives/")) == {initiative.pk}
    rows = client.get(f"/api/commitments/initiatives/{initiative.pk}/commitments/")
    assert _ids(rows) == {cies_c.pk, alianza_c.pk}
    for c in bolivia:
        assert client.get(f"/api/commitments/commitments/{c.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["mentor", "focal_user"])
def test_a_mentor_and_a_focal_point_see_only_their_commitment(bolivia, initiative, who, request):  # noqa: F811
    cies_c, alianza_c = bolivia
    client = api(request.getfixturevalue(who))
    assert _ids(client.get("/api/commitments/initiatives/")) == {initiative.pk}
    rows = client.get(f"/api/commitments/initiatives/{initiative.pk}/commitments/")
    assert _ids(rows) == {cies_c.pk}
    assert client.get(f"/api/commitments/commitments/{cies_c.pk}/").status_code == 200
    other = client.get(f"/api/commitments/commitments/{alianza_c.pk}/")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    # The initiative's figures are the funder's staff's: seen, but not theirs.
    assert client.get(f"/api/commitments/initiatives/{initiative.pk}/summary/").status_code == 403


def test_the_other_mentor_sees_only_alianza(bolivia, initiative, other_mentor):  # noqa: F811
    cies_c, alianza_c = bolivia
    client = api(other_mentor)
    rows = client.get(f"/api/commitments/initiatives/{initiative.pk}/commitments/")
    assert _ids(rows) == {alianza_c.pk}
    assert client.get(f"/api/commitments/commitments/{cies_c.pk}/").status_code == 404


def test_a_viewer_gets_the_summary_but_no_commitment_rows(bolivia, initiative, viewer):  # noqa: F811
    client = api(viewer)
    assert _ids(client.get("/api/commitments/initiatives/")) == {initiative.pk}
    assert client.get(f"/api/commitments/initiatives/{initiative.pk}/").status_code == 200
    rows = client.get(f"/api/commitments/initiatives/{initiative.pk}/commitments/")
    assert _ids(rows) == set() and rows.json()["count"] == 0
    assert _ids(client.get(f"/api/commitments/initiatives/{initiative.pk}/testimonies/")) == set()
    for c in bolivia:
        response = client.get(f"/api/commitments/commitments/{c.pk}/")
        assert response.status_code == 404
    summary = client.get(f"/api/commitments/initiatives/{initiative.pk}/summary/")
    assert summary.status_code == 200
    body = summary.json()
    assert body["exact"] is False and body["k"] == 5
    assert body["commitments"] == "<5"  # two commitments: a small number (S17)


def test_another_organization_gets_404_on_everything(bolivia, initiative, outsider):  # noqa: F811
    client = api(outsider)
    assert _ids(client.get("/api/commitments/initiatives/")) == set()
    for url in _urls(initiative, *bolivia)[1:]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_a_signed_in_user_without_role_or_commitment_is_refused(bolivia, initiative):  # noqa: F811
    client = api(make_user(username="nadie"))
    assert client.get("/api/commitments/initiatives/").status_code == 403
    for url in _urls(initiative, *bolivia)[1:]:
        assert client.get(url).status_code in (403, 404), url


def test_only_get(bolivia, initiative, manager):  # noqa: F811
    client = api(manager)
    for url in _urls(initiative, *bolivia):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(client, method)(url, {}, format="json").status_code == 405, url


# ---------------------------------------------------------------- testimonies


@pytest.mark.parametrize(
    "who", ["manager", "mentor", "other_mentor", "focal_user", "viewer", "outsider"]
)
def test_a_testimony_without_consent_appears_in_no_response(bolivia, initiative, who, request):  # noqa: F811
    client = api(request.getfixturevalue(who))
    for url in _urls(initiative, *bolivia):
        text = json.dumps(client.get(url).json(), ensure_ascii=False)
        assert SECRET not in text, url
        assert WITHDRAWN not in text, url
        # The author is never named: not the person, not their role.
        assert "Mamani" not in text and "Juana" not in text and "Zenobia" not in text, url


def test_consented_testimonies_are_attributed_to_the_institution(bolivia, initiative, manager):  # noqa: F811
    client = api(manager)
    rows = client.get(f"/api/commitments/initiatives/{initiative.pk}/testimonies/").json()
    assert [(r["quote"], r["author_institution"], r["consent_on"]) for r in rows["results"]] == [
        (PUBLISHED, "CIES Salud Sexual y Reproductiva", "2019-11-21")
    ]
    assert set(rows["results"][0]) == {
        "id",
        "commitment",
        "quote",
        "author_institution",
        "consent_on",
    }
    # The commitment endpoints carry no testimony at all.
    for c in bolivia:
        assert PUBLISHED not in client.get(f"/api/commitments/commitments/{c.pk}/").content.decode()


def test_a_mentor_gets_the_consented_testimonies_of_their_commitment_only(
    bolivia,
    initiative,  # noqa: F811
    mentor,  # noqa: F811
    other_mentor,  # noqa: F811
):
    url = f"/api/commitments/initiatives/{initiative.pk}/testimonies/"
    assert [r["quote"] for r in api(mentor).get(url).json()["results"]] == [PUBLISHED]
    assert api(other_mentor).get(url).json()["results"] == []


# ---------------------------------------------------------------- a commitment's content


def test_a_commitment_shows_every_version_milestones_and_exact_money(bolivia, focal_user):
    cies_c, _alianza_c = bolivia
    body = api(focal_user).get(f"/api/commitments/commitments/{cies_c.pk}/").json()
    today = timezone.localdate()
    assert body["institution"]["name"] == "CIES Salud Sexual y Reproductiva"
    assert body["mentor"] == "mentora-cies" and body["status"] == "active"
    assert body["as_of"] == today.isoformat()
    # The first version (what was committed at the training) stays visible.
    assert [(v["number"], v["created_on"]) for v in body["versions"]] == [
        (1, "2019-03-15"),
        (2, "2019-09-01"),
    ]
    assert body["versions"][0]["aim"] == CIES_PLAN.aim
    latest = body["latest_version"]
    assert latest["number"] == 2 and latest["aim"] == "Formar docentes y directivos de El Alto."
    assert latest["themes"] == ["schools", "youth"]
    assert [p["name"] for p in body["versions"][0]["places"]] == ["El Alto"]
    assert [(b["label"], b["amount"]) for b in latest["budget_lines"]] == [
        ("Talleres", "12000.00"),
        ("Materiales", "5000.00"),
        ("Evaluación", "3000.00"),
    ]
    assert latest["indicators"] == [
        {"name": "Docentes formados", "unit": "docentes", "baseline": "0.00", "target": "40.00"}
    ]
    assert [m["key"] for m in latest["milestones"]] == ["diagnostico", "informe-medio", "encuentro"]
    # Milestones' live state: done ten days late; the others late as of today.
    states = {m["key"]: m for m in body["milestones"]}
    assert states["diagnostico"]["status"] == "done"
    assert states["diagnostico"]["done_on"] == "2019-08-10"
    assert states["diagnostico"]["days_late"] == 10
    assert states["encuentro"]["days_late"] == (today - D(2019, 11, 30)).days
    # Money: strings to the cent in the grant's currency (0.10 + 0.20 is 0.30, exactly).
    [grant] = body["grants"]
    assert grant["currency"] == "BOB"
    assert {k: grant[k] for k in ("committed", "released", "disbursed", "spent", "balance")} == {
        "committed": "20000.00",
        "released": "12000.00",
        "disbursed": "12000.00",
        "spent": "3333.63",
        "balance": "8666.37",
    }
    assert grant["to_disburse"] == "8000.00"
    # No focal point, no free texts that may name people.
    assert "focal_point" not in body
    assert not {"people_responsible", "activities", "note"} & set(body["versions"][0])


def test_money_is_never_summed_across_currencies(bolivia, initiative, manager):  # noqa: F811
    client = api(manager)
    rows = client.get(f"/api/commitments/initiatives/{initiative.pk}/commitments/").json()
    money = {r["institution"]["name"]: r["grants"] for r in rows["results"]}
    assert [(g["currency"], g["committed"]) for g in money["Alianza por la Solidaridad"]] == [
        ("USD", "900.00")
    ]
    summary = client.get(f"/api/commitments/initiatives/{initiative.pk}/summary/").json()
    assert summary["money"] == [
        {
            "currency": "BOB",
            "committed": "20000.00",
            "released": "12000.00",
            "disbursed": "12000.00",
            "spent": "3333.63",
        },
        {
            "currency": "USD",
            "committed": "900.00",
            "released": "0.00",
            "disbursed": "0.00",
            "spent": "0.00",
        },
    ]


# ---------------------------------------------------------------- the summary


def test_the_grant_manager_sees_exact_counts(bolivia, initiative, manager):  # noqa: F811
    body = api(manager).get(f"/api/commitments/initiatives/{initiative.pk}/summary/").json()
    assert body["exact"] is True and body["k"] == 0
    assert body["commitments"] == 2
    themes = {t["key"]: t["commitments"] for t in body["by_theme"]}
    assert themes == {
        "schools": 1,
        "youth": 2,
        "workplace": 0,
        "municipal": 0,
        "justice": 0,
        "other": 0,
    }
    assert {s["key"]: s["commitments"] for s in body["by_status"]} == {
        "active": 2,
        "completed": 0,
        "withdrawn": 0,
    }
    # CIES: diagnóstico done, the other two late; Alianza: its one milestone late.
    assert body["milestones"] == {"total": 4, "done": 1, "late": 3, "pending": 0, "dropped": 0}


def test_a_viewer_sees_counts_through_the_disclosure_control(
    bolivia,
    initiative,  # noqa: F811
    viewer,
    manager,  # noqa: F811
):
    """Ten commitments: youth in all of them is shown; schools in one is "<5"."""
    for n in range(8):
        org = make_org(name=f"Institución {n}")
        initiative.organizations.add(org)
        commitment_create(
            actor=manager,
            initiative=initiative,
            institution=org,
            plan=Plan(aim=f"Plan {n}", themes=["youth"]),
            created_on=D(2019, 3, 15),
        )
    url = f"/api/commitments/initiatives/{initiative.pk}/summary/"
    shown = api(viewer).get(url).json()
    themes = {t["key"]: t["commitments"] for t in shown["by_theme"]}
    assert shown["commitments"] == 10
    assert themes["youth"] == 10
    assert themes["schools"] == "<5"
    assert themes["justice"] == 0
    assert shown["milestones"]["total"] == "<5"  # four milestones
    exact = api(manager).get(url).json()
    assert {t["key"]: t["commitments"] for t in exact["by_theme"]}["schools"] == 1


def test_the_summary_gives_reach_counted_once_and_protected(
    bolivia,  # noqa: F811
    initiative,  # noqa: F811
    commitment,  # noqa: F811
    alianza_commitment,  # noqa: F811
    cies,  # noqa: F811
    manager,  # noqa: F811
    viewer,
):
    from cascada.commitments.services import outcome_record
    from tests.registry.factories import consent_to_reporting, make_person
    from tests.trainings.factories import enrol, make_cohort, make_program

    cohort = make_cohort(program=make_program(owner=cies, name="Docentes"), sessions=1)
    teachers = [make_person(organization=cies) for _ in range(3)]
    consent_to_reporting(*teachers)
    enrol(cohort, *teachers)
    outcome_record(actor=None, commitment=commitment, description="Docentes formados",
                   recorded_on=D(2019, 11, 1), cohort=cohort)  # fmt: skip
    outcome_record(actor=None, commitment=commitment, description="Los mismos docentes",
                   recorded_on=D(2019, 11, 2), cohort=cohort)  # fmt: skip
    outcome_record(actor=None, commitment=alianza_commitment, description="Encuentro",
                   recorded_on=D(2019, 11, 2), people_reached=200)  # fmt: skip
    url = f"/api/commitments/initiatives/{initiative.pk}/summary/"
    reach = api(viewer).get(url).json()["reach"]
    assert reach["people_enrolled"] == "<5"  # three people: hidden from the funder's viewer
    assert reach["declared"] == 200
    managed = api(manager).get(url).json()["reach"]
    assert managed["people_enrolled"] == "<5"  # the funder's staff do not see CIES's people
    assert managed["declared"] == 200
