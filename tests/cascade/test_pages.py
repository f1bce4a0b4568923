from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cascada.audit.models import AuditEvent
from tests.accounts.factories import login_verified, make_user
from tests.cascade.factories import complete, run_cohort
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db


def test_program_page_shows_generations_departments_and_thins(known, coordinator_client):
    r = coordinator_client.get(reverse("web:cascade_program", args=[known.program.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-generations="3"' in html
    for g in (1, 2, 3):
        assert f'data-test="generation-{g}"' in html
    assert "Cusco" in html and "Lima" in html
    assert 'id="cascade-forecast"' in html
    assert "<script" not in html.split("</head>")[1]  # no inline script, no chart library


def test_the_page_grows_a_generation_when_a_completer_runs_a_cohort(known, coordinator_client, org):
    url = reverse("web:cascade_program", args=[known.program.pk])
    assert 'data-generations="3"' in coordinator_client.get(url).content.decode()
    complete(
        run_cohort(program=known.program, facilitators=(known.people["P6"],)),
        make_person(organization=org),
    )
    assert 'data-generations="4"' in coordinator_client.get(url).content.decode()


def test_program_page_filters_by_department(known, coordinator_client):
    url = reverse("web:cascade_program", args=[known.program.pk])
    r = coordinator_client.get(url, {"department": known.cusco.pk})
    assert r.status_code == 200
    assert 'data-generations="1"' in r.content.decode()


def test_generation_lists_its_trainers(known, coordinator_client):
    url = reverse("web:cascade_level", args=[known.program.pk, 2])
    r = coordinator_client.get(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert known.people["A"].code in r.content.decode()


def test_trainer_page_shows_the_tree(known, coordinator_client):
    a = known.people["A"]
    r = coordinator_client.get(reverse("web:cascade_trainer", args=[a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert known.people["P1"].code in html and 'data-test="certified"' in html
    r = coordinator_client.get(reverse("web:cascade_tree", args=[known.people["P1"].pk]))
    assert known.people["P6"].code in r.content.decode()


def test_facilitating_without_a_tot_is_flagged_on_the_trainer_page(known, coordinator_client):
    r = coordinator_client.get(reverse("web:cascade_trainer", args=[known.people["P1"].pk]))
    assert 'data-test="not-certified"' in r.content.decode()


def test_another_organization_gets_404(known, client, other_org):
    login_verified(client, make_user(role="coordinator", organization=other_org))
    for url in (
        reverse("web:cascade_program", args=[known.program.pk]),
        reverse("web:cascade_trainer", args=[known.people["A"].pk]),
        reverse("web:cascade_export", args=[known.program.pk, "csv"]),
    ):
        assert client.get(url).status_code == 404


def test_viewer_sees_suppressed_figures_and_no_trainers(known, client, org):
    login_verified(client, make_user(role="viewer", organization=org))
    r = client.get(reverse("web:cascade_program", args=[known.program.pk]))
    html = r.content.decode()
    assert 'data-test="suppressed-note"' in html
    assert known.people["A"].code not in html
    r = client.get(reverse("web:cascade_level", args=[known.program.pk, 2]))
    assert known.people["A"].code not in r.content.decode()
    assert (
        client.get(reverse("web:cascade_trainer", args=[known.people["A"].pk])).status_code == 404
    )


def test_downloads_csv_and_xlsx_and_audits_them(known, coordinator_client):
    r = coordinator_client.get(reverse("web:cascade_export", args=[known.program.pk, "csv"]))
    text = r.content.decode("utf-8-sig")
    assert r["Content-Type"].startswith("text/csv")
    assert "generation,1,3,2" in text.replace("\r", "")
    r = coordinator_client.get(reverse("web:cascade_export", args=[known.program.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["generation", 2, 5, 4, "80%", "–"] in rows
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_largest_program_page_in_under_ten_queries(
    known, coordinator, client, django_assert_max_num_queries
):
    """The whole request (session, sign-in, two-factor, roles, the view and its template)
    costs the same few queries whatever the program's size."""
    from cascada.cascade.synth import synth_country
    from cascada.trainings.models import Program
    from tests.accounts.factories import login_verified

    synth_country(people=1500, seed=7)
    big = Program.objects.filter(name__endswith="S7").order_by("pk").first()
    big.shared_with.add(known.program.owner)
    login_verified(client, coordinator)
    url = reverse("web:cascade_program", args=[big.pk])
    client.get(url)  # a warm process: the list of departments is read once per process
    with django_assert_max_num_queries(9):
        r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and 'data-test="generation-5"' in html


# ---------------------------------------------------------------- API


def test_api_program_figures_match_the_page(known, coordinator_client):
    r = coordinator_client.get(f"/api/cascade/programs/{known.program.pk}/")
    assert r.status_code == 200
    body = r.json()
    assert body["completed"] == 7 and body["merely_enrolled"] == 2
    assert [lv["completed"] for lv in body["levels"]] == [2, 4, 1]
    r = coordinator_client.get(
        f"/api/cascade/programs/{known.program.pk}/forecast/", {"target": 100}
    )
    assert r.status_code == 200 and r.json()["assumptions"]["target"] == 100


def test_api_viewer_gets_suppressed_counts(known, client, org):
    login_verified(client, make_user(role="viewer", organization=org))
    body = client.get(f"/api/cascade/programs/{known.program.pk}/").json()
    assert body["suppressed"] is True
    assert body["completed"] == 0  # nobody consented to aggregate reporting


def test_api_foreign_program_and_trainer_are_404(known, client, other_org):
    login_verified(client, make_user(role="coordinator", organization=other_org))
    assert client.get(f"/api/cascade/programs/{known.program.pk}/").status_code == 404
    assert client.get(f"/api/cascade/trainers/{known.people['A'].pk}/").status_code == 404


def test_api_trainer_figures(known, coordinator_client):
    body = coordinator_client.get(f"/api/cascade/trainers/{known.people['A'].pk}/").json()
    assert body["completed"] == 5 and [t["people"] for t in body["tree"]] == [4, 1]
