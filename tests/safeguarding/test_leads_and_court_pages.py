"""The organization's safeguarding leads, named by an administrator and never by oneself
(S4); a court-ordered program's agreement with the court; the yearly figures, exact for
the leads and through the disclosure control for everyone else (S17)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.core.privacy import threshold
from cascada.safeguarding import selectors
from cascada.safeguarding.models import CourtAgreement, Lead, Source
from tests.accounts.factories import make_user
from tests.safeguarding.conftest import OCCURRED, record_case
from tests.safeguarding.pages import client_for, page_text
from tests.trainings.factories import make_program

LEADS = "web:safeguarding_leads"

# ---------------------------------------------------------------- leads


def test_an_administrator_names_a_lead_among_the_organizations_users(org, staff):
    admin = staff[Role.ADMINISTRATOR]
    viewer = staff[Role.VIEWER]
    client = client_for(admin)
    page = page_text(client.get(reverse(LEADS)))
    assert 'data-test="no-leads"' in page
    options = re.findall(r'<option value="(\d+)"', page)
    assert str(viewer.pk) in options and str(admin.pk) not in options  # not oneself

    response = client.post(reverse(LEADS), {"org": org.pk, "user": viewer.pk, "name": "1"})
    assert response.status_code == 302
    lead = Lead.objects.get(organization=org)
    assert lead.user == viewer and lead.named_by == admin
    assert AuditEvent.objects.filter(action="safeguarding.lead_name").exists()
    assert selectors.is_lead(viewer, org.pk)
    listed = page_text(client.get(response["Location"]))
    assert 'data-test="lead-name">mr-viewer<' in listed


def test_nobody_names_themselves_lead(org, staff):
    admin = staff[Role.ADMINISTRATOR]
    response = client_for(admin).post(
        reverse(LEADS), {"org": org.pk, "user": admin.pk, "name": "1"}
    )
    assert response.status_code == 400
    assert 'data-test="error-user"' in page_text(response)
    assert not Lead.objects.exists()


def test_someone_of_another_organization_cannot_be_named(org, staff, other_org):
    stranger = make_user(role=Role.COORDINATOR, organization=other_org)
    response = client_for(staff[Role.ADMINISTRATOR]).post(
        reverse(LEADS), {"org": org.pk, "user": stranger.pk, "name": "1"}
    )
    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_an_administrator_removes_a_lead(org, staff, safeguarding_lead):
    client = client_for(staff[Role.ADMINISTRATOR])
    lead = Lead.objects.get(user=safeguarding_lead)
    response = client.post(reverse(LEADS), {"org": org.pk, "remove": lead.pk})
    assert response.status_code == 302
    assert not Lead.objects.exists()
    assert AuditEvent.objects.filter(action="safeguarding.lead_remove").exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VIEWER, Role.FACILITATOR])
def test_only_administrators_open_the_leads_page(role, org, staff):
    user = staff.get(role) or make_user(role=role, organization=org)
    client = client_for(user)
    assert client.get(reverse(LEADS)).status_code == 403
    response = client.post(reverse(LEADS), {"org": org.pk, "user": user.pk, "name": "1"})
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_a_lead_who_is_not_an_administrator_cannot_name_another(org, staff, safeguarding_lead):
    response = client_for(safeguarding_lead).post(
        reverse(LEADS), {"org": org.pk, "user": staff[Role.COORDINATOR].pk, "name": "1"}
    )
    assert response.status_code == 403
    assert Lead.objects.count() == 1


# ---------------------------------------------------------------- the court


def _agreement(**extra) -> dict:
    data = {
        "court": "Juzgado de Paz Letrado de Villa María del Triunfo",
        "reference": "Oficio 123-2026",
        "signed_on": "2026-02-10",
        "sharing": "risk",
        "attendance_shared": "on",
    }
    data.update(extra)
    return data


def test_a_program_manager_records_the_court_agreement(court_program, staff):
    client = client_for(staff[Role.COORDINATOR])
    detail = page_text(client.get(reverse("web:program_detail", args=[court_program.pk])))
    url = reverse("web:court_agreement", args=[court_program.pk])
    assert f'href="{url}"' in detail
    assert 'data-test="no-agreement"' in page_text(client.get(url))

    response = client.post(url, _agreement())
    assert response.status_code == 302
    agreement = CourtAgreement.objects.get(program=court_program)
    assert agreement.sharing == "risk" and agreement.attendance_shared
    assert agreement.court.startswith("Juzgado de Paz Letrado")
    page = page_text(client.get(url))
    assert 'data-test="agreement-court">Juzgado de Paz Letrado' in page

    # Changed: only what the participant agrees to, attendance not reported.
    client.post(url, _agreement(sharing="consent", attendance_shared=""))
    agreement.refresh_from_db()
    assert agreement.sharing == "consent" and not agreement.attendance_shared
    assert CourtAgreement.objects.count() == 1


def test_a_date_to_come_is_refused_beside_the_date(court_program, staff):
    client = client_for(staff[Role.COORDINATOR])
    url = reverse("web:court_agreement", args=[court_program.pk])
    response = client.post(url, _agreement(signed_on="2099-01-01"))
    assert response.status_code == 400
    assert 'data-test="error-signed_on"' in page_text(response)
    assert not CourtAgreement.objects.exists()


def test_only_a_court_mandated_program_has_an_agreement(org, staff):
    program = make_program(owner=org, name="Entre Pares")
    client = client_for(staff[Role.COORDINATOR])
    url = reverse("web:court_agreement", args=[program.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _agreement()).status_code == 404
    detail = page_text(client.get(reverse("web:program_detail", args=[program.pk])))
    assert 'data-test="court-agreement"' not in detail


def test_a_facilitator_reads_the_agreement_and_cannot_change_it(
    court_program, court_cohort, facilitator, staff
):
    url = reverse("web:court_agreement", args=[court_program.pk])
    client_for(staff[Role.COORDINATOR]).post(url, _agreement())
    client = client_for(facilitator)
    page = page_text(client.get(url))
    assert "Juzgado de Paz Letrado" in page and 'data-test="agreement-form"' not in page
    assert client.post(url, _agreement(sharing="nothing")).status_code == 403
    assert CourtAgreement.objects.get().sharing == "risk"


def test_the_agreement_of_another_organizations_program_is_not_found(court_program, other_org):
    stranger = make_user(role=Role.COORDINATOR, organization=other_org)
    url = reverse("web:court_agreement", args=[court_program.pk])
    assert client_for(stranger).get(url).status_code == 404


# ---------------------------------------------------------------- the figures


@pytest.fixture
def two_cases(facilitator, court_session, participant):
    record_case(facilitator, Source.SESSION, court_session.pk)
    record_case(facilitator, Source.SESSION, court_session.pk, at_risk="child", urgency="immediate")


def _cells(body: str, key: str) -> list[str]:
    start = body.index(f'data-test="table-{key}"')
    return re.findall(r'data-test="cell">([^<]*)<', body[start : body.index("</section>", start)])


def test_the_figures_are_exact_for_a_lead(two_cases, safeguarding_lead):
    body = page_text(
        client_for(safeguarding_lead).get(
            reverse("web:safeguarding_summary"), {"year": OCCURRED.year}
        )
    )
    assert 'data-test="total-cases-value">2<' in body
    assert _cells(body, "urgency") == ["1", "1", "0"]  # immediate, urgent, not urgent
    assert 'data-test="exact-note"' in body


def test_the_figures_are_suppressed_for_a_viewer(two_cases, staff):
    response = client_for(staff[Role.VIEWER]).get(
        reverse("web:safeguarding_summary"), {"year": OCCURRED.year}
    )
    assert response.status_code == 200
    body = page_text(response)
    k = threshold(court=True)  # the organization runs a court-ordered program
    assert f'data-test="total-cases-value">&lt;{k}<' in body
    assert "2" not in _cells(body, "urgency") and "1" not in _cells(body, "urgency")
    assert 'data-test="release-note"' in body
    # Never by cohort, facilitator or place.
    assert "Grupo de los miércoles" not in body and "julio" not in body


def test_the_figures_are_refused_to_who_sees_no_aggregates(org, two_cases, staff):
    assert (
        client_for(staff[Role.AUDITOR]).get(reverse("web:safeguarding_summary")).status_code == 404
    )
