"""The pages of a safeguarding case (issue 13): recording a disclosure from a session,
who reads it (the recorder and the leads; nobody else whatever their role), referral with
consent or the lead's audited override, every read audited, a double tap stores one case,
overdue follow-ups on the home page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.safeguarding import services
from cascada.safeguarding.models import CaseAccess, Disclosure, Referral
from cascada.trainings.clock import country_today
from tests.accounts.factories import login_verified
from tests.trainings.factories import make_cohort

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


@pytest.fixture
def world(org, court_session, facilitator, co_facilitator, staff, safeguarding_lead, directory):
    """The court-ordered group's session (``conftest``), its two facilitators, the staff in
    every role, the lead and the directory."""
    return {
        "org": org,
        "session": court_session,
        "users": {
            "facilitator": facilitator,
            "co_facilitator": co_facilitator,
            "coordinator": staff[Role.COORDINATOR],
            "me": staff[Role.ME_OFFICER],
            "viewer": staff[Role.VIEWER],
            "admin": staff[Role.ADMINISTRATOR],
            "auditor": staff[Role.AUDITOR],
            "lead": safeguarding_lead,
        },
        "cem": directory["cem_vmt"],
        "today": country_today(org.country),
    }


def _case_data(today: dt.date, **extra) -> dict:
    data = {
        "occurred_on": today.isoformat(),
        "at_risk": "partner",
        "kind": "physical",
        "urgency": "urgent",
        "first_actions": ["informed", "lead"],
        "notes": "Canario-7f3: pidió que no se llame a su casa.",
    }
    data.update(extra)
    return data


def _new_url(session) -> str:
    return reverse("web:case_new") + f"?session={session.pk}"


def _record(world, who: str = "facilitator", **extra) -> Disclosure:
    client = _client(world["users"][who])
    response = client.post(_new_url(world["session"]), _case_data(world["today"], **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Disclosure.objects.latest("pk")


def _listed(client: Client, case: Disclosure) -> bool:
    body = client.get(reverse("web:case_list")).content.decode()
    return f'data-case="{case.pk}"' in body


def test_a_facilitator_records_a_case_from_a_session_of_their_cohort_and_reads_it(world):
    client = _client(world["users"]["facilitator"])
    form = client.get(_new_url(world["session"]))
    assert form.status_code == 200
    assert f'value="{world["today"].isoformat()}"' in form.content.decode()  # today by default
    response = client.post(_new_url(world["session"]), _case_data(world["today"]))
    case = Disclosure.objects.get()
    assert response["Location"] == reverse("web:case_detail", args=[case.pk])
    assert (case.source, case.session, case.at_risk, case.urgency) == (
        "session",
        world["session"],
        "partner",
        "urgent",
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Canario-7f3" in body  # the recorder reads the notes
    assert world["session"].cohort.name in body  # and where it came from
    assert _listed(client, case)


def test_nobody_else_of_the_organization_reads_the_case_whatever_their_role(world):
    case = _record(world)
    url = reverse("web:case_detail", args=[case.pk])
    for who in ("co_facilitator", "coordinator", "me", "viewer", "admin", "auditor"):
        client = _client(world["users"][who])
        assert client.get(url).status_code == 404, who
        assert not _listed(client, case), who
        assert "Canario-7f3" not in client.get(reverse("web:case_list")).content.decode()


def test_a_facilitator_cannot_record_from_a_session_of_another_cohort(world):
    other = make_cohort(
        program=world["session"].cohort.program, sessions=1, name="Ajena", facilitators=()
    )
    client = _client(world["users"]["facilitator"])
    url = reverse("web:case_new") + f"?session={other.sessions.get().pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, _case_data(world["today"])).status_code == 404
    assert client.get(reverse("web:case_new") + "?session=99999999999999999999").status_code == 404
    # Without an activity, the form sends to the landing page, which says where to start.
    assert client.get(reverse("web:case_new"))["Location"] == reverse("web:case_list")
    assert not Disclosure.objects.exists()


def test_the_lead_sees_the_case_and_refers_it_with_consent(world):
    case = _record(world)
    lead = _client(world["users"]["lead"])
    assert _listed(lead, case)
    page = lead.get(reverse("web:case_detail", args=[case.pk]))
    assert page.status_code == 200 and world["cem"].name in page.content.decode()
    response = lead.post(
        reverse("web:case_referral", args=[case.pk]),
        {
            "service": world["cem"].pk,
            "made_on": world["today"].isoformat(),
            "basis": "consent",
            "consent_from": "person",
            "consent_on": world["today"].isoformat(),
            "consent_text_version": "v1 2026",
        },
    )
    referral = Referral.objects.get()
    assert response["Location"].endswith(f"#referral-{referral.pk}")
    assert (referral.basis, referral.service, referral.consent_text_version) == (
        "consent",
        world["cem"],
        "v1 2026",
    )
    assert not AuditEvent.objects.filter(action="safeguarding.override").exists()
    # The next step awaited is shown, and the lead records it.
    body = lead.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'data-test="step-form"' in body
    lead.post(
        reverse("web:case_referral_step", args=[case.pk, referral.pk]),
        {f"r{referral.pk}-step": "received", f"r{referral.pk}-on": world["today"].isoformat()},
    )
    referral.refresh_from_db()
    assert referral.received_on == world["today"]


def test_a_referral_without_consent_by_a_non_lead_is_refused_in_spanish(world):
    case = _record(world)
    client = _client(world["users"]["facilitator"])
    url = reverse("web:case_referral", args=[case.pk])
    base = {"service": world["cem"].pk, "made_on": world["today"].isoformat()}
    response = client.post(
        url,
        {**base, "basis": "override", "override_reason": "No quiere, pero hay riesgo grave."},
        **ES,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Solo la persona responsable de salvaguarda puede derivar sin consentimiento" in body
    # Consent without its date: the page says what is missing, beside the field.
    response = client.post(url, {**base, "basis": "consent", "consent_from": "person"}, **ES)
    assert response.status_code == 400
    assert 'data-test="error-consent_on"' in response.content.decode()
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="safeguarding.override").exists()


def test_the_override_by_the_lead_is_audited(world):
    case = _record(world)
    lead = _client(world["users"]["lead"])
    reason = "Canario-r9: la pareja está en peligro y él se niega."
    lead.post(
        reverse("web:case_referral", args=[case.pk]),
        {
            "service": world["cem"].pk,
            "made_on": world["today"].isoformat(),
            "basis": "override",
            "override_reason": reason,
        },
    )
    referral = Referral.objects.get()
    assert referral.basis == "override"
    override = AuditEvent.objects.get(action="safeguarding.override")
    assert override.actor == world["users"]["lead"]
    assert "Canario-r9" not in str(override.detail)  # S11: no reason in the trail


def test_every_read_of_a_case_page_is_audited(world):
    case = _record(world)
    lead = _client(world["users"]["lead"])
    url = reverse("web:case_detail", args=[case.pk])
    views = AuditEvent.objects.filter(action="safeguarding.view", target_id=str(case.pk))
    before = views.count()
    lead.get(url)
    lead.get(url)
    assert views.count() == before + 2
    lists = AuditEvent.objects.filter(action="safeguarding.list", actor=world["users"]["lead"])
    lead.get(reverse("web:case_list"))
    assert lists.count() == 1
    assert not AuditEvent.objects.filter(detail__icontains="Canario").exists()


def test_double_posting_the_new_case_form_stores_one_case(world):
    client = _client(world["users"]["facilitator"])
    form = client.get(_new_url(world["session"])).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    data = {**_case_data(world["today"]), "form_token": token}
    first = client.post(_new_url(world["session"]), data)
    second = client.post(_new_url(world["session"]), data)
    assert Disclosure.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_the_form_says_what_is_missing_beside_each_field(world):
    client = _client(world["users"]["facilitator"])
    future = (world["today"] + dt.timedelta(days=3)).isoformat()
    response = client.post(
        _new_url(world["session"]), _case_data(world["today"], occurred_on=future), **ES
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-test="error-occurred_on"' in body
    response = client.post(
        _new_url(world["session"]), _case_data(world["today"], first_actions=[]), **ES
    )
    assert 'data-test="error-first_actions"' in response.content.decode()
    assert not Disclosure.objects.exists()


def test_the_lead_lets_someone_in_and_revokes_it(world):
    case = _record(world)
    lead = _client(world["users"]["lead"])
    beto = world["users"]["co_facilitator"]
    lead.post(
        reverse("web:case_access", args=[case.pk]),
        {"user": beto.pk, "reason": "Co-facilita el grupo y acompaña el seguimiento."},
    )
    access = CaseAccess.objects.get(user=beto)
    url = reverse("web:case_detail", args=[case.pk])
    assert _client(beto).get(url).status_code == 200
    lead.post(reverse("web:case_access_revoke", args=[case.pk, access.pk]))
    assert _client(beto).get(url).status_code == 404
    # The recorder may not let anyone in, nor close the case.
    ana = _client(world["users"]["facilitator"])
    refused = ana.post(
        reverse("web:case_access", args=[case.pk]), {"user": beto.pk, "reason": "Quiero."}
    )
    assert refused.status_code == 403
    assert (
        ana.post(reverse("web:case_close", args=[case.pk]), {"on": "2026-01-01"}).status_code == 403
    )


def test_the_recorder_sees_overdue_follow_ups_on_the_home_page(world):
    ten_days_ago = (world["today"] - dt.timedelta(days=10)).isoformat()
    yesterday = (world["today"] - dt.timedelta(days=1)).isoformat()
    _record(world, urgency="routine", occurred_on=ten_days_ago)  # a referral due in 7 days
    _record(world, urgency="immediate", occurred_on=yesterday)  # due the same day
    body = _client(world["users"]["facilitator"]).get(reverse("web:home"), **ES).content.decode()
    assert 'data-test="home-overdue-cases"' in body
    assert "2 casos con seguimiento vencido" in body
    assert reverse("web:case_list") in body
    assert "Canario" not in body
    other = _client(world["users"]["co_facilitator"]).get(reverse("web:home")).content.decode()
    assert 'data-test="home-overdue-cases"' not in other


def test_the_lead_notifies_the_court_as_the_agreement_says_and_closes_the_case(world):
    case = _record(world)  # a partner at risk, from the court-ordered group
    services.court_agreement_set(
        actor=None, program=case.program, court="3.er Juzgado de Familia de VMT",
        signed_on=dt.date(2026, 1, 5), sharing="risk",
    )  # fmt: skip
    lead = _client(world["users"]["lead"])
    page = lead.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'data-test="court-form"' in page and "3.er Juzgado de Familia" in page
    today = world["today"].isoformat()
    lead.post(reverse("web:case_court_notice", args=[case.pk]), {"shared_on": today})
    assert case.court_notices.count() == 1
    # The recorder sees no court form, and cannot send a notice.
    recorder = _client(world["users"]["facilitator"])
    page = recorder.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'data-test="court-form"' not in page and 'data-test="close-form"' not in page
    url = reverse("web:case_court_notice", args=[case.pk])
    assert recorder.post(url, {"shared_on": today}).status_code == 403
    lead.post(reverse("web:case_close", args=[case.pk]), {"on": today, "note": "Atendida."})
    case.refresh_from_db()
    assert case.status == "closed"


def test_a_lead_of_another_organization_reaches_nothing_of_the_case(world, other_org_lead):
    case = _record(world)
    lead = _client(world["users"]["lead"])
    lead.post(
        reverse("web:case_access", args=[case.pk]),
        {"user": world["users"]["co_facilitator"].pk, "reason": "Acompaña el seguimiento."},
    )
    referral = services.referral_make(
        actor=world["users"]["lead"], case=case, service=world["cem"], made_on=world["today"],
        basis="override", override_reason="Riesgo grave para la pareja, sin consentimiento.",
    )  # fmt: skip
    access = CaseAccess.objects.get()
    stranger = _client(other_org_lead)
    assert not _listed(stranger, case)
    assert stranger.get(reverse("web:case_detail", args=[case.pk])).status_code == 404
    posts = [
        ("web:case_referral", [case.pk], {"service": world["cem"].pk, "basis": "consent"}),
        ("web:case_referral_step", [case.pk, referral.pk], {f"r{referral.pk}-step": "received"}),
        ("web:case_close", [case.pk], {"on": world["today"].isoformat()}),
        ("web:case_access", [case.pk], {"user": other_org_lead.pk, "reason": "Quiero verlo."}),
        ("web:case_access_revoke", [case.pk, access.pk], {}),
        ("web:case_court_notice", [case.pk], {"shared_on": world["today"].isoformat()}),
    ]
    for name, args, data in posts:
        assert stranger.post(reverse(name, args=args), data).status_code == 404, name
    case.refresh_from_db()
    assert case.status == "open" and case.referrals.count() == 1
    assert CaseAccess.objects.filter(revoked_at__isnull=True).count() == 1
