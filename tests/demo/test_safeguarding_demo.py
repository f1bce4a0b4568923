"""The demo's safeguarding (issue 13): the directory of the demo's places, the leads, the
court agreement of "Hombres de Miércoles", a case followed up to closed, an overdue one,
and one from a research interview, as the demo accounts find them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cascada.accounts.models import User
from cascada.audit.models import AuditEvent
from cascada.demo import safeguarding as sg
from cascada.demo.build import DEMO_ACCOUNTS, MIMP, MIMP_PLACES, PROMUNDO, BuildResult, build
from cascada.demo.research import LEAD_USERNAME, RESEARCHER_USERNAME, UPCH
from cascada.safeguarding import models as sm
from cascada.safeguarding import selectors
from cascada.trainings.models import Cohort

pytestmark = pytest.mark.django_db

MODELS = (
    sm.Service, sm.Lead, sm.Disclosure, sm.Referral, sm.CaseAccess, sm.CourtAgreement,
    sm.CourtNotice,
)  # fmt: skip


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _services(organization: str) -> dict[str, sm.Service]:
    return {
        s.name: s
        for s in sm.Service.objects.filter(organization__name=organization).select_related("place")
    }


def test_the_safeguarding_accounts_are_demo_accounts_of_mimp():
    accounts = {a.username: a for a in DEMO_ACCOUNTS}
    assert (accounts["psicologa"].role, accounts["psicologa"].organization) == ("facilitator", MIMP)
    assert (accounts["salvaguarda"].role, accounts["salvaguarda"].organization) == (
        "coordinator",
        MIMP,
    )


def test_the_psychologist_facilitates_limas_group_and_the_leads_are_named(demo):
    psychologist = _user(sg.PSYCHOLOGIST_USERNAME)
    group = Cohort.objects.get(program__name=sg.PROGRAM, name=sg.LIMA_GROUP)
    assert group.facilitators.filter(pk=psychologist.person_id).exists()
    assert psychologist.person.sex == "female"
    assert set(sm.Lead.objects.values_list("organization__name", "user__username")) == {
        (MIMP, "salvaguarda"),
        (UPCH, LEAD_USERNAME),
    }


def test_every_place_of_the_demo_has_its_services_nearest_first(demo):
    mimp = _services(MIMP)
    for _label, code in MIMP_PLACES:
        kinds = {s.kind for s in mimp.values() if s.place and s.place.code == code}
        assert kinds == {"cem", "police", "mental_health", "children"}
    line = mimp["Línea 100"]
    assert (line.kind, line.phone, line.place, line.hours) == (
        "helpline",
        "100",
        None,
        "24 horas, todos los días",
    )
    assert mimp["Central de emergencias PNP"].phone == "105"
    # Every local number is fictional ("555"), every local service has an address but a
    # shelter's.
    for services in (mimp, _services("Grupo Vigencia"), _services(UPCH), _services(PROMUNDO)):
        for s in services.values():
            assert s.place is None or " 55" in s.phone
            assert s.place is None or bool(s.address) == (s.kind != "shelter")
    vigencia = _services("Grupo Vigencia")
    assert vigencia["CEM Carmen de la Legua Reynoso"].place.code == "070103"
    assert {s.place.code for s in vigencia.values() if s.place} == {"070101", "070103"}
    upch = {s.place.code for s in _services(UPCH).values() if s.place}
    assert upch == {"150135", "150143", "040101", "160101"}  # San Martín de Porres, the sites
    bolivia = _services(PROMUNDO)
    assert {(s.kind, s.place.code) for s in bolivia.values() if s.place} >= {
        ("slim", "020101"),
        ("felcv", "020101"),
    }
    assert {s.country for s in bolivia.values()} == {"BO"}

    # The psychologist's guide in Lima: the CEM of Lima Cercado first for a partner.
    psychologist = _user(sg.PSYCHOLOGIST_USERNAME)
    group = Cohort.objects.get(program__name=sg.PROGRAM, name=sg.LIMA_GROUP)
    guide = selectors.guide_services(
        user=psychologist, organization_id=group.program.owner_id, place=group.place
    )
    assert guide["partner"][0].name == "CEM Lima Cercado"
    assert guide["danger"][0].name == "Comisaría PNP Lima Cercado"


def test_the_court_agreement_shares_risks_and_attendance(demo):
    agreement = sm.CourtAgreement.objects.get(program__name=sg.PROGRAM)
    assert agreement.program.is_court_mandated
    assert agreement.sharing == sm.CourtSharing.RISK and agreement.attendance_shared
    assert "ficticio" in agreement.court
    assert agreement.signed_on <= timezone.localdate()


def test_a_partner_in_danger_referred_with_consent_and_followed_up_to_closed(demo):
    psychologist = _user(sg.PSYCHOLOGIST_USERNAME)
    lead = _user(sg.SAFEGUARDING_LEAD_USERNAME)
    case = sm.Disclosure.objects.get(organization__name=MIMP, at_risk="partner")
    assert case.recorded_by == psychologist and case.session.cohort.name == sg.LIMA_GROUP
    assert case.occurred_on == case.session.date
    assert (case.kind, case.urgency, case.status) == ("physical", "urgent", "closed")
    referral = case.referrals.get()
    assert referral.service.name == "CEM Lima Cercado"
    assert (referral.basis, referral.consent_from, referral.step) == ("consent", "person", "closed")
    assert referral.consent_taken_by == psychologist
    days = [referral.made_on, referral.received_on, referral.attended_on, referral.closed_on]
    assert case.occurred_on <= days[0] and days == sorted(days)
    assert days[-1] <= case.closed_on <= timezone.localdate()
    assert case.court_notices.get().shared_by == lead
    assert AuditEvent.objects.filter(action="safeguarding.close", actor=lead).exists()


def test_an_overdue_case_reminds_the_lead_and_the_psychologist(demo):
    today = timezone.localdate()
    child = sm.Disclosure.objects.get(organization__name=MIMP, at_risk="child")
    assert child.status == "open" and child.occurred_on < today
    referral = child.referrals.get()
    assert (referral.basis, referral.step) == ("override", "made")
    assert AuditEvent.objects.filter(action="safeguarding.override").exists()
    for username in (sg.SAFEGUARDING_LEAD_USERNAME, sg.PSYCHOLOGIST_USERNAME):
        due = selectors.reminders(user=_user(username), today=today)
        assert [(d.case.pk, d.step) for d in due] == [(child.pk, "received")]


def test_distress_in_an_interview_is_referred_to_mental_health_and_followed(demo):
    today = timezone.localdate()
    case = sm.Disclosure.objects.get(organization__name=UPCH)
    assert case.recorded_by == _user(RESEARCHER_USERNAME) and case.source == "event"
    assert case.occurred_on == case.event.held_on and case.event.site.place.code == "150143"
    assert (case.at_risk, case.kind, case.urgency) == ("participant", "distress", "routine")
    referral = case.referrals.get()
    assert referral.service.kind == "mental_health" and referral.basis == "consent"
    assert referral.step == "received" and referral.received_on <= today
    assert case.status == "open"
    assert not selectors.reminders(user=_user(LEAD_USERNAME), today=today)  # nothing late


def test_who_sees_the_demo_cases(demo):
    def seen(username: str) -> set[str]:
        rows = selectors.case_list_reveal(user=_user(username))
        return set(rows.values_list("organization__name", "at_risk"))

    assert seen(sg.SAFEGUARDING_LEAD_USERNAME) == {(MIMP, "partner"), (MIMP, "child")}
    assert seen(sg.PSYCHOLOGIST_USERNAME) == {(MIMP, "partner"), (MIMP, "child")}
    assert seen(LEAD_USERNAME) == {(UPCH, "participant")}
    assert seen(RESEARCHER_USERNAME) == {(UPCH, "participant")}
    for username in ("admin", "coordinadora", "facilitador", "codificador", "donante"):
        assert seen(username) == set()


def test_building_the_demo_again_adds_no_safeguarding(demo):
    counts = {m.__name__: m.objects.count() for m in MODELS}
    assert counts["Service"] > 40 and counts["Disclosure"] == 3
    events = AuditEvent.objects.count()
    result: BuildResult = build(scale=0.2)
    assert not result.created.get("safeguarding services")
    assert not result.created.get("safeguarding cases")
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    assert AuditEvent.objects.count() == events
