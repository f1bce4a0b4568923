"""The dashboards as each role sees them: a coordinator's exact figures with targets,
breakdowns and downloads; a viewer's protected ones; a facilitator and another
organization get nothing."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.indicators.models import Indicator, Plan
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org

pytestmark = pytest.mark.django_db


def token() -> str:
    return "tok" + uuid.uuid4().hex


def client_for(client, user):
    login_verified(client, user)
    return client


def test_a_coordinator_reads_the_programs_dashboard(filled, coordinator_client):
    program = filled["program"]
    page = coordinator_client.get(reverse("web:indicators_program", args=[program.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-test="indicator-people_enrolled"' in html
    assert "<svg" in html and "release-note" not in html
    one = coordinator_client.get(
        reverse("web:indicators_program_indicator", args=[program.pk, "people_enrolled"]),
        {"by": "sex", "frequency": "quarter"},
    )
    assert one.status_code == 200
    assert one.context["view"].so_far.number == 9
    assert {r.key: r.value.text for r in one.context["view"].breakdown} == {
        "female": "1",
        "male": "8",
    }


def test_the_table_downloads_as_spanish_csv_and_xlsx(filled, coordinator_client):
    url = reverse(
        "web:indicators_program_indicator", args=[filled["program"].pk, "completion_rate"]
    )
    response = coordinator_client.get(url, {"format": "csv_es"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Periodo", "Valor"]
    assert rows[1][:2] == ["T1 2025", "75,0 %"]
    xlsx = coordinator_client.get(url, {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert coordinator_client.get(url, {"format": "pdf"}).status_code == 404


def test_a_viewer_sees_the_protected_figures_and_no_finer_breakdown(filled, org, client):
    viewer = make_user(role=Role.VIEWER, organization=org)
    c = client_for(client, viewer)
    program = filled["program"]
    page = c.get(reverse("web:indicators_program", args=[program.pk]))
    assert page.status_code == 200
    assert 'data-test="release-note"' in page.content.decode()
    one = c.get(
        reverse("web:indicators_program_indicator", args=[program.pk, "people_enrolled"]),
        {"by": "district"},
    )
    view = one.context["view"]
    assert not view.exact
    assert "district" not in view.dims and view.dimension == ""
    # 7 consenting people enrolled: more than 5, shown; the period table protects the rest.
    assert view.so_far.text == "7"


def test_facilitators_and_other_organizations_get_no_dashboard(filled, org, client):
    program = filled["program"]
    facilitator = make_user(role=Role.FACILITATOR, organization=org)
    stranger = make_user(role=Role.COORDINATOR, organization=make_org(name="Otra"))
    for user in (facilitator, stranger):
        client.logout()
        c = client_for(client, user)
        for url in (
            reverse("web:indicators_program", args=[program.pk]),
            reverse("web:indicators_program_indicator", args=[program.pk, "people_enrolled"]),
            reverse("web:indicators_organization", args=[org.pk]),
            reverse("web:indicator_plan", args=[program.pk, "people_enrolled"]),
        ):
            assert c.get(url).status_code == 404, (user, url)


def test_a_coordinator_sets_targets_in_spanish_numbers(filled, coordinator_client):
    program = filled["program"]
    url = reverse("web:indicator_plan", args=[program.pk, "people_enrolled"])
    response = coordinator_client.post(
        url,
        {"starts_on": "2025-01-01", "ends_on": "2026-12-31", "frequency": "year",
         "baseline": "0", "lop_target": "1.200", "form_token": token()},
    )  # fmt: skip
    assert response.status_code == 302
    plan = Plan.objects.get(program=program, indicator__code="people_enrolled")
    assert plan.lop_target == 1200
    response = coordinator_client.post(
        url,
        {"starts_on": "2025-01-01", "ends_on": "2026-12-31", "frequency": "year",
         "lop_target": "1200", "target_2025": "12,5", "target_2030": "3", "form_token": token()},
        HTTP_ACCEPT_LANGUAGE="es",
    )  # fmt: skip
    assert response.status_code == 200
    assert "2030 no es un periodo de este programa" in response.content.decode()
    bad = coordinator_client.post(
        url,
        {"starts_on": "2025-01-01", "ends_on": "2026-12-31", "frequency": "year",
         "lop_target": "mucho", "form_token": token()},
        HTTP_ACCEPT_LANGUAGE="es",
    )  # fmt: skip
    assert bad.status_code == 200 and "debe ser un número" in bad.content.decode()


def test_an_organization_adds_its_own_indicator(filled, coordinator_client, org):
    response = coordinator_client.post(
        reverse("web:indicator_new", args=[org.pk]),
        {"name_es": "Hombres que completaron en Lima", "source": "completions", "measure": "value",
         "unit": "people", "direction": "increase", "cumulative": "on", "frequency": "year",
         "form_token": token()},
    )  # fmt: skip
    assert response.status_code == 302
    own = Indicator.objects.get(organization=org)
    page = coordinator_client.get(reverse("web:indicators_program", args=[filled["program"].pk]))
    assert f'data-test="indicator-{own.code}"' in page.content.decode()


def test_a_viewer_reads_one_grain_and_no_contacts(filled, org, client):
    """Months, quarters and years are nested tables of the same people: a viewer gets
    years only, whatever is asked; contacts and people attending are not shown to viewers
    (ADR 0006: two readings a session apart give that session's attendance)."""
    viewer = make_user(role=Role.VIEWER, organization=org)
    c = client_for(client, viewer)
    program = filled["program"]
    url = reverse("web:indicators_program_indicator", args=[program.pk, "people_enrolled"])
    for frequency in ("month", "quarter", "half", ""):
        view = c.get(url, {"frequency": frequency}).context["view"]
        assert view.frequency == "year" and [p.key for p in view.periods] == ["2025", "2026"]
    for code in ("session_contacts", "people_attending"):
        assert (
            c.get(reverse("web:indicators_program_indicator", args=[program.pk, code])).status_code
            == 404
        )
    page = c.get(reverse("web:indicators_program", args=[program.pk])).content.decode()
    assert "indicator-session_contacts" not in page and "indicator-people_attending" not in page


def test_a_plan_in_year_one_or_9999_is_refused_with_a_message(filled, coordinator_client):
    url = reverse("web:indicator_plan", args=[filled["program"].pk, "people_enrolled"])
    for starts, ends in (("0001-01-01", "2026-12-31"), ("2025-01-01", "9999-12-31")):
        response = coordinator_client.post(
            url,
            {"starts_on": starts, "ends_on": ends, "frequency": "quarter", "form_token": token()},
        )
        assert response.status_code == 200
        assert "Give a date between 1990 and 2100." in response.content.decode()
    assert not Plan.objects.filter(program=filled["program"]).exists()


def test_the_organization_dashboard_says_how_fresh_its_program_figures_are(
    filled, org, coordinator_client
):
    """Found looking at the page: an organization with no figures of its own (no plans,
    commitments, studies or referrals: no "o" row in the ledger) read "not computed yet"
    above its programs' computed figures."""
    from cascada.indicators.models import FillState

    FillState.objects.filter(scope=f"o{org.pk}").delete()
    response = coordinator_client.get(reverse("web:indicators_organization", args=[org.pk]))
    assert response.status_code == 200
    program_fill = FillState.objects.filter(scope=f"p{filled['program'].pk}").first()
    assert program_fill is not None
    assert response.context["filled_at"] is not None


def test_a_viewer_is_offered_no_choice_of_periods(filled, org, client):
    """Found looking at the page: a viewer was offered months and quarters and silently
    got years (one grain for viewers); now the chooser is not there, for coordinators it
    is."""
    program = filled["program"]
    viewer = make_user(role=Role.VIEWER, organization=org)
    coordinator = make_user(role=Role.COORDINATOR, organization=org)
    code = Indicator.objects.get(organization=None, code="people_completed").code
    urls = [
        reverse("web:indicators_program", args=[program.pk]),
        reverse("web:indicators_program_indicator", args=[program.pk, code]),
        reverse("web:indicators_organization", args=[org.pk]),
    ]
    for user, offered in ((viewer, False), (coordinator, True)):
        client.logout()
        login_verified(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            chooser = 'data-test="frequency-form"' in html or 'data-test="frequency-choice"' in html
            assert chooser is offered, url
