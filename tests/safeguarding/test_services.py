"""Safeguarding's writes (issue 13, docs/decisions/safeguarding.md): referral with consent or
a lead's override (S15, S16), follow-up in order and its reminders, what is shared with the
court, a person's rights (merge, erasure: S14) and the directory nearest an activity."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.registry import arco
from cascada.registry.models import Consent, Place
from cascada.registry.services import person_merge
from cascada.safeguarding import selectors
from cascada.safeguarding.models import (
    CourtNotice,
    Disclosure,
    Referral,
    Service,
    Source,
)
from cascada.safeguarding.services import (
    case_access_grant,
    case_close,
    court_agreement_set,
    court_notice_record,
    referral_make,
    referral_step,
    service_save,
)
from tests.registry.factories import make_person
from tests.safeguarding.conftest import OCCURRED, place, record_case
from tests.trainings.factories import enrol, make_program

pytestmark = pytest.mark.django_db
D = dt.date
REASON = "La pareja corre peligro inminente y él no debe saber que se la deriva."


def consented(actor, case, service, **kw):
    """A referral with the consent of the person concerned, as the form sends it."""
    values = {
        "made_on": D(2026, 3, 10),
        "basis": "consent",
        "consent_from": "person",
        "consent_on": D(2026, 3, 10),
        "consent_text_version": "CONS-DERIV v2",
    }
    values.update(kw)
    return referral_make(actor=actor, case=case, service=service, **values)


def overridden(actor, case, service, reason=REASON, **kw):
    return referral_make(actor=actor, case=case, service=service, made_on=D(2026, 3, 10),
                         basis="override", override_reason=reason, **kw)  # fmt: skip


def field_of(error) -> str | None:
    return (error.value.extra or {}).get("field")


# ---------------------------------------------------------------- S16: consent or override


def test_s16_without_consent_the_recorder_cannot_refer(session_case, facilitator, directory):
    """The facilitator who recorded the case refers with consent; without it (no date of
    the consent, or an override) the referral is refused and nothing is written."""
    cem = directory["cem_vmt"]
    with pytest.raises(ApplicationError) as error:
        overridden(facilitator, session_case, cem)
    assert field_of(error) == "basis"
    with pytest.raises(ApplicationError) as error:
        consented(facilitator, session_case, cem, consent_on=None)
    assert field_of(error) == "consent_on"
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="safeguarding.override").exists()


def test_s16_a_coordinator_who_recorded_a_case_cannot_override(
    staff, court_session, directory, safeguarding_lead
):
    coordinator = staff[Role.COORDINATOR]
    case = record_case(coordinator, Source.SESSION, court_session.pk)
    with pytest.raises(ApplicationError) as error:
        overridden(coordinator, case, directory["cem_vmt"])
    assert field_of(error) == "basis"
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.ME_OFFICER, Role.VIEWER]
)
def test_s16_staff_who_did_not_record_the_case_cannot_refer_it(
    session_case, staff, directory, role
):
    with pytest.raises(PermissionDeniedError):
        overridden(staff[role], session_case, directory["cem_vmt"])
    with pytest.raises(PermissionDeniedError):
        consented(staff[role], session_case, directory["cem_vmt"])
    assert not Referral.objects.exists()


def test_s16_the_co_facilitator_cannot_refer_a_case_he_did_not_record(
    session_case, co_facilitator, directory
):
    with pytest.raises(PermissionDeniedError):
        consented(co_facilitator, session_case, directory["cem_vmt"])


def test_s16_the_lead_overrides_with_a_reason_and_an_audit_row_without_it(
    session_case, safeguarding_lead, directory
):
    referral = overridden(safeguarding_lead, session_case, directory["cem_vmt"])

    referral.refresh_from_db()
    assert (referral.basis, referral.override_by, referral.override_reason) == (
        "override",
        safeguarding_lead,
        REASON,
    )
    assert (referral.consent_on, referral.consent_taken_by) == (None, None)
    row = AuditEvent.objects.get(action="safeguarding.override")
    assert row.actor == safeguarding_lead
    assert (row.target_type, row.target_id) == ("safeguarding.referral", str(referral.pk))
    assert row.detail == {"case": session_case.pk}
    refer = AuditEvent.objects.get(action="safeguarding.refer")
    assert refer.target_id == str(referral.pk) and refer.detail["case"] == session_case.pk
    # The trail says the referral was an override (a fixed choice, kept in the detail).
    assert refer.detail["basis"] == "override"
    # S11: the reason is in no column of any audit row.
    for event in AuditEvent.objects.values():
        text = json.dumps(event, default=str)
        assert "peligro" not in text and "inminente" not in text, event


def test_s16_the_database_refuses_a_referral_with_neither_consent_nor_a_reason(
    session_case, directory
):
    """Beneath the service, the table itself: a row written around it is refused."""
    for basis, fields in (("consent", {}), ("override", {"override_reason": ""})):
        with pytest.raises(IntegrityError), transaction.atomic():
            Referral.objects.create(disclosure=session_case, service=directory["cem_vmt"],
                                    basis=basis, made_on=D(2026, 3, 10), **fields)  # fmt: skip
    assert not Referral.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "urgente", "Sin consent."])
def test_s16_an_override_without_a_sentence_of_reason_is_refused(
    session_case, safeguarding_lead, directory, reason
):
    with pytest.raises(ApplicationError) as error:
        overridden(safeguarding_lead, session_case, directory["cem_vmt"], reason=reason)
    assert field_of(error) == "override_reason"
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="safeguarding.override").exists()


def test_s16_consent_needs_its_date_and_the_version_of_its_text(
    session_case, facilitator, directory
):
    cem = directory["cem_vmt"]
    for missing, field in (
        ({"consent_on": None}, "consent_on"),
        ({"consent_text_version": ""}, "consent_text_version"),
        ({"consent_text_version": "  "}, "consent_text_version"),
        ({"consent_from": ""}, "consent_from"),
    ):
        with pytest.raises(ApplicationError) as error:
            consented(facilitator, session_case, cem, **missing)
        assert field_of(error) == field, missing
    assert not Referral.objects.exists()

    referral = consented(facilitator, session_case, cem)
    referral.refresh_from_db()
    assert (referral.basis, referral.consent_on, referral.consent_text_version) == (
        "consent",
        D(2026, 3, 10),
        "CONS-DERIV v2",
    )
    assert referral.consent_taken_by == facilitator and referral.override_by is None
    assert not AuditEvent.objects.filter(action="safeguarding.override").exists()


def test_s16_a_childs_referral_needs_a_guardians_consent_or_the_override(
    facilitator, court_session, safeguarding_lead, directory
):
    case = record_case(facilitator, Source.SESSION, court_session.pk, at_risk="child",
                       kind="neglect")  # fmt: skip
    demuna = directory["demuna_vmt"]
    with pytest.raises(ApplicationError) as error:
        consented(facilitator, case, demuna, consent_from="person")
    assert field_of(error) == "consent_from"
    assert not Referral.objects.exists()

    by_guardian = consented(facilitator, case, demuna, consent_from="guardian")
    assert by_guardian.consent_from == "guardian"
    by_lead = overridden(safeguarding_lead, case, directory["cem_vmt"])
    assert by_lead.basis == "override"


def test_s15_the_participants_own_consent_is_one_of_their_consents(
    facilitator, participant, directory
):
    """From the participant's page, about a risk to himself: his consent to the referral
    is written to his consents (purpose "referral") with its date and text version."""
    case = record_case(facilitator, Source.PERSON, participant.pk, at_risk="participant",
                       kind="self", urgency="routine")  # fmt: skip
    assert case.person == participant
    consented(facilitator, case, directory["health_vmt"], consent_on=D(2026, 3, 9))

    consent = Consent.objects.get(person=participant, purpose="referral")
    assert (consent.granted, consent.date, consent.text_version) == (
        True,
        D(2026, 3, 9),
        "CONS-DERIV v2",
    )
    assert consent.recorded_by == facilitator


def test_s15_a_partners_consent_is_not_written_as_the_participants(
    facilitator, participant, directory
):
    case = record_case(facilitator, Source.PERSON, participant.pk, at_risk="partner")
    consented(facilitator, case, directory["cem_vmt"])
    assert Referral.objects.filter(disclosure=case).exists()
    assert not Consent.objects.filter(person=participant, purpose="referral").exists()


def test_a_referral_goes_to_an_active_service_of_the_organizations_directory(
    session_case, facilitator, directory, other_org, other_org_lead
):
    elsewhere = service_save(actor=other_org_lead, organization=other_org, name="CEM de otra",
                             kind="cem", phone="01 555 0000")  # fmt: skip
    closed = service_save(actor=None, organization=session_case.organization,
                          name="CEM que cerró", kind="cem", phone="01 555 1111", active=False)  # fmt: skip
    for service in (elsewhere, closed):
        with pytest.raises(ApplicationError) as error:
            consented(facilitator, session_case, service)
        assert field_of(error) == "service"
    assert not Referral.objects.exists()


def test_no_referral_dated_before_the_disclosure_or_in_the_future(
    session_case, facilitator, directory
):
    cem = directory["cem_vmt"]
    with pytest.raises(ApplicationError) as error:
        consented(facilitator, session_case, cem, made_on=OCCURRED - dt.timedelta(days=1))
    assert field_of(error) == "made_on"
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ApplicationError) as error:
        consented(facilitator, session_case, cem, consent_on=tomorrow)
    assert field_of(error) == "consent_on"


# ---------------------------------------------------------------- follow-up


def test_steps_follow_in_order_and_never_before_the_step_before(
    session_case, facilitator, directory
):
    referral = consented(facilitator, session_case, directory["cem_vmt"], made_on=D(2026, 3, 10))
    for step, day in (("attended", D(2026, 3, 20)), ("closed", D(2026, 3, 20)),
                      ("made", D(2026, 3, 20))):  # fmt: skip
        with pytest.raises(ApplicationError) as error:
            referral_step(actor=facilitator, referral=referral, step=step, on=day)
        assert field_of(error) == "step", step
    with pytest.raises(ApplicationError) as error:
        referral_step(actor=facilitator, referral=referral, step="received", on=D(2026, 3, 9))
    assert field_of(error) == "on"
    referral.refresh_from_db()
    assert referral.step == "made" and referral.received_on is None

    referral_step(actor=facilitator, referral=referral, step="received", on=D(2026, 3, 12))
    with pytest.raises(ApplicationError):
        referral_step(actor=facilitator, referral=referral, step="attended", on=D(2026, 3, 11))
    referral_step(actor=facilitator, referral=referral, step="attended", on=D(2026, 3, 20))
    referral_step(actor=facilitator, referral=referral, step="closed", on=D(2026, 4, 2))
    referral.refresh_from_db()
    assert (referral.step, referral.received_on, referral.attended_on, referral.closed_on) == (
        "closed",
        D(2026, 3, 12),
        D(2026, 3, 20),
        D(2026, 4, 2),
    )
    with pytest.raises(ApplicationError):
        referral_step(actor=facilitator, referral=referral, step="closed", on=D(2026, 4, 3))
    assert (
        AuditEvent.objects.filter(
            action="safeguarding.follow_up", target_id=str(referral.pk)
        ).count()
        == 3
    )
    steps = AuditEvent.objects.filter(action="safeguarding.follow_up").order_by("pk")
    assert [e.detail["step"] for e in steps] == ["received", "attended", "closed"]


def test_the_co_facilitator_cannot_follow_up_a_referral(
    session_case, facilitator, co_facilitator, directory
):
    referral = consented(facilitator, session_case, directory["cem_vmt"])
    with pytest.raises(PermissionDeniedError):
        referral_step(actor=co_facilitator, referral=referral, step="received", on=D(2026, 3, 11))


@pytest.mark.parametrize(
    ("urgency", "due"),
    [("immediate", D(2026, 3, 9)), ("urgent", D(2026, 3, 11)), ("routine", D(2026, 3, 16))],
)
def test_a_case_without_referral_is_overdue_after_its_urgencys_days(
    facilitator, court_session, urgency, due
):
    case = record_case(facilitator, Source.SESSION, court_session.pk, urgency=urgency)
    assert selectors.reminders(user=facilitator, today=due) == []
    late = selectors.reminders(user=facilitator, today=due + dt.timedelta(days=1))
    assert [(d.case, d.referral, d.step, d.due_on) for d in late] == [(case, None, "made", due)]


def test_a_referral_step_is_overdue_after_its_days(session_case, facilitator, directory):
    referral = consented(facilitator, session_case, directory["cem_vmt"], made_on=D(2026, 3, 10))
    # Referred: no reminder for the referral itself; "received" is due 3 days after.
    assert selectors.reminders(user=facilitator, today=D(2026, 3, 13)) == []
    late = selectors.reminders(user=facilitator, today=D(2026, 3, 14))
    assert [(d.referral, d.step, d.due_on) for d in late] == [
        (referral, "received", D(2026, 3, 13))
    ]
    referral_step(actor=facilitator, referral=referral, step="received", on=D(2026, 3, 12))
    assert selectors.reminders(user=facilitator, today=D(2026, 3, 26)) == []
    late = selectors.reminders(user=facilitator, today=D(2026, 3, 27))
    assert [(d.step, d.due_on) for d in late] == [("attended", D(2026, 3, 26))]


def test_a_closed_case_gives_no_reminder(session_case, facilitator, safeguarding_lead):
    far = D(2026, 12, 1)
    assert len(selectors.reminders(user=safeguarding_lead, today=far)) == 1
    case_close(actor=safeguarding_lead, case=session_case, on=D(2026, 3, 12),
               note="La pareja ya recibe apoyo del CEM.")  # fmt: skip
    assert selectors.reminders(user=safeguarding_lead, today=far) == []
    assert selectors.reminders(user=facilitator, today=far) == []


def test_only_leads_and_the_recorder_get_reminders(
    session_case, facilitator, co_facilitator, safeguarding_lead, staff, other_org_lead
):
    far = D(2026, 12, 1)
    let_in = staff[Role.ME_OFFICER]
    case_access_grant(actor=safeguarding_lead, case=session_case, user=let_in,
                      reason="Acompaña el caso desde el área de monitoreo.")  # fmt: skip
    for user in (facilitator, safeguarding_lead):
        assert [d.case for d in selectors.reminders(user=user, today=far)] == [session_case]
    for user in (co_facilitator, let_in, other_org_lead, *staff.values()):
        assert selectors.reminders(user=user, today=far) == [], user.username


# ---------------------------------------------------------------- the court


@pytest.fixture
def agreement(court_program, safeguarding_lead):
    def set_to(sharing: str):
        return court_agreement_set(
            actor=safeguarding_lead, program=court_program,
            court="3.er Juzgado de Familia de Lima Sur", reference="Exp. 01234-2025",
            signed_on=D(2026, 2, 1), sharing=sharing,
        )  # fmt: skip

    return set_to


def test_only_a_court_ordered_program_has_an_agreement(org, safeguarding_lead):
    program = make_program(owner=org, name="Hombres por la igualdad")
    with pytest.raises(ApplicationError):
        court_agreement_set(actor=safeguarding_lead, program=program, court="Juzgado",
                            signed_on=D(2026, 2, 1), sharing="risk")  # fmt: skip


def test_no_notice_without_an_agreement_or_when_it_shares_nothing(
    session_case, safeguarding_lead, agreement
):
    with pytest.raises(ApplicationError):
        court_notice_record(actor=safeguarding_lead, case=session_case, shared_on=D(2026, 3, 12))
    agreement("nothing")
    with pytest.raises(ApplicationError):
        court_notice_record(actor=safeguarding_lead, case=session_case, shared_on=D(2026, 3, 12))
    assert not CourtNotice.objects.exists()


def test_a_risk_agreement_shares_only_a_risk_to_a_partner_or_a_child(
    facilitator, court_session, safeguarding_lead, agreement
):
    agreement("risk")
    own = record_case(facilitator, Source.SESSION, court_session.pk, at_risk="participant",
                      kind="self")  # fmt: skip
    with pytest.raises(ApplicationError):
        court_notice_record(actor=safeguarding_lead, case=own, shared_on=D(2026, 3, 12))
    for at_risk in ("partner", "child"):
        case = record_case(facilitator, Source.SESSION, court_session.pk, at_risk=at_risk)
        court_notice_record(actor=safeguarding_lead, case=case, shared_on=D(2026, 3, 12))
    assert CourtNotice.objects.count() == 2
    assert not CourtNotice.objects.filter(disclosure=own).exists()


def test_a_consent_agreement_shares_only_with_the_date_of_the_consent(
    session_case, safeguarding_lead, agreement
):
    agreement("consent")
    with pytest.raises(ApplicationError) as error:
        court_notice_record(actor=safeguarding_lead, case=session_case, shared_on=D(2026, 3, 12))
    assert field_of(error) == "consent_on"
    notice = court_notice_record(actor=safeguarding_lead, case=session_case,
                                 shared_on=D(2026, 3, 12), consent_on=D(2026, 3, 11))  # fmt: skip
    assert notice.consent_on == D(2026, 3, 11)


def test_only_a_lead_notifies_the_court(session_case, facilitator, staff, agreement):
    agreement("risk")
    for user in (facilitator, staff[Role.COORDINATOR], staff[Role.ADMINISTRATOR]):
        with pytest.raises(PermissionDeniedError):
            court_notice_record(actor=user, case=session_case, shared_on=D(2026, 3, 12))
    assert not CourtNotice.objects.exists()


# ---------------------------------------------------------------- a person's rights (S14)


def test_merging_two_people_moves_the_case_to_the_person_kept(facilitator, participant, org):
    duplicate = participant
    kept = make_person(organization=org, given_name="Wilber Jr", allow_duplicate=True)
    case = record_case(facilitator, Source.PERSON, duplicate.pk, at_risk="participant")
    result = person_merge(actor=None, keep=kept, duplicate=duplicate)
    case.refresh_from_db()
    assert case.person == kept
    # The merge's summary (shown to whoever merges, kept in the audit row) says nothing of it.
    assert "safeguarding cases" not in result.moved


def test_erasing_a_person_removes_the_link_and_the_notes_keeping_the_counts(
    facilitator, participant, safeguarding_lead, directory, court_cohort
):
    case = record_case(facilitator, Source.PERSON, participant.pk, at_risk="partner",
                       urgency="immediate", notes="Vive en la calle Los Pinos con su pareja.")  # fmt: skip
    referral = consented(facilitator, case, directory["cem_vmt"], notes="Cita el lunes.")
    referral_step(actor=facilitator, referral=referral, step="received", on=D(2026, 3, 12),
                  notes="La recibió la psicóloga.")  # fmt: skip
    case_close(actor=safeguarding_lead, case=case, on=D(2026, 3, 20), note="Ya no vive con él.")
    neighbour = make_person(organization=participant.organization)
    enrol(court_cohort, neighbour)
    other = record_case(facilitator, Source.PERSON, neighbour.pk, notes="Otro caso que se queda.")
    lead_summary = selectors.summary(user=safeguarding_lead, organization_id=case.organization_id,
                                     year=2026)  # fmt: skip

    arco.person_erase(actor=None, person=participant, reason="holder_request")

    case.refresh_from_db()
    referral.refresh_from_db()
    assert case.person is None
    assert (case.notes, case.closing_note, referral.notes) == ("", "", "")
    assert (case.kind, case.urgency, case.at_risk, case.occurred_on, case.status) == (
        "physical",
        "immediate",
        "partner",
        OCCURRED,
        "closed",
    )
    assert (referral.made_on, referral.received_on, referral.step) == (
        D(2026, 3, 10),
        D(2026, 3, 12),
        "received",
    )
    other.refresh_from_db()
    assert other.notes == "Otro caso que se queda." and other.person is not None
    assert selectors.summary(user=safeguarding_lead, organization_id=case.organization_id,
                             year=2026) == lead_summary  # fmt: skip


# ---------------------------------------------------------------- the directory


def test_services_nearest_the_place_first_and_another_country_left_out(
    org, safeguarding_lead, directory, vmt
):
    def add(name, kind, code):
        return service_save(actor=safeguarding_lead, organization=org, name=name, kind=kind,
                            phone="01 311 4000", place=place(code))  # fmt: skip

    province = add("Fiscalía Provincial de Lima Sur", "prosecutor", "1501")
    department = add("Defensoría del Pueblo, Lima", "ombudsman", "15")
    # A service of another country (a directory kept before the organization's country
    # check, or by a binational organization) is never offered for a place in Peru.
    bolivia = Place.objects.filter(country="BO", level="municipality").first()
    abroad = Service.objects.create(organization=org, name="SLIM de Sucre", kind="slim",
                                    place=bolivia, country="BO", phone="800 14 0348")  # fmt: skip

    near = selectors.services_near(user=safeguarding_lead, organization_id=org.pk, place=vmt)
    names = [s.name for s in near]
    d = directory
    in_district = [d["cem_vmt"], d["health_vmt"], d["police_vmt"], d["demuna_vmt"]]
    assert near[:4] == sorted(in_district, key=lambda s: s.name)
    assert set(near[4:6]) == {province, department}  # places that contain VMT
    assert near[6:] == [d["cem_lima"], d["cem_barranca"], d["linea_100"], d["cem_arequipa"]]
    assert abroad.name not in names
    # For a place in Bolivia, nothing Peruvian (not even Línea 100) is offered.
    there = selectors.services_near(user=safeguarding_lead, organization_id=org.pk, place=bolivia)
    assert there == [abroad]


def test_services_near_by_kind_follow_the_order_of_the_kinds(
    org, safeguarding_lead, directory, vmt
):
    guide = selectors.guide_services(user=safeguarding_lead, organization_id=org.pk, place=vmt)
    assert guide["child"][0] == directory["demuna_vmt"]
    assert guide["danger"][0] == directory["police_vmt"]
    assert guide["partner"][:2] == [directory["cem_vmt"], directory["cem_lima"]]
    assert directory["linea_100"] in guide["partner"]
    assert all(len(services) <= 4 for services in guide.values())


def test_an_inactive_service_is_not_offered(org, safeguarding_lead, directory, vmt):
    cem = directory["cem_vmt"]
    service_save(actor=safeguarding_lead, organization=org, service=cem, name=cem.name,
                 kind=cem.kind, phone=cem.phone, place=cem.place, active=False)  # fmt: skip
    near = selectors.services_near(user=safeguarding_lead, organization_id=org.pk, place=vmt)
    assert cem not in near and len(near) == len(directory) - 1


def test_the_directory_is_kept_by_leads_and_program_managers_only(org, staff, facilitator):
    for user in (staff[Role.VIEWER], staff[Role.ME_OFFICER], facilitator, staff[Role.AUDITOR]):
        with pytest.raises(PermissionDeniedError):
            service_save(actor=user, organization=org, name="CEM nuevo", kind="cem",
                         phone="01 000 0000")  # fmt: skip
    service_save(actor=staff[Role.COORDINATOR], organization=org, name="CEM nuevo", kind="cem",
                 phone="01 000 0000")  # fmt: skip
    assert Service.objects.filter(name="CEM nuevo").exists()


def test_a_disclosure_needs_what_was_done_at_once(facilitator, court_session):
    for first_actions in ((), ("nothing", "lead"), ("called a friend",)):
        with pytest.raises(ApplicationError) as error:
            record_case(facilitator, Source.SESSION, court_session.pk, first_actions=first_actions)
        assert field_of(error) == "first_actions"
    assert not Disclosure.objects.exists()
