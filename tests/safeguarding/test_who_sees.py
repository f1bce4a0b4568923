"""Who sees a case (issue 13, S16, S10, S6): the organization's safeguarding leads, the user
who recorded it and users let into it with a reason, while they belong to the organization;
nobody else, whatever their role. Every read is audited. Who may record a disclosure from
which activity (``selectors.origin_get``)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.accounts import scope
from cascada.accounts.models import Membership, User
from cascada.accounts.roles import Role
from cascada.accounts.services import membership_grant, membership_revoke
from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.networks.models import CommunityAction, Network
from cascada.networks.services import membership_change
from cascada.safeguarding import selectors
from cascada.safeguarding.models import CaseAccess, Lead, Source
from cascada.safeguarding.services import (
    case_access_grant,
    case_access_revoke,
    lead_name,
    lead_remove,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_person
from tests.safeguarding.conftest import record_case
from tests.trainings.factories import make_cohort

pytestmark = pytest.mark.django_db
D = dt.date


def fresh(user: User) -> User:
    """The user as the next request loads it (no per-request cache)."""
    return User.objects.get(pk=user.pk)


def reads(user: User, case) -> bool:
    """Whether ``user`` opens ``case`` and finds it in their list (both or neither)."""
    user = fresh(user)
    listed = case.pk in set(selectors.case_list_reveal(user=user).values_list("pk", flat=True))
    try:
        selectors.case_reveal(user=user, pk=case.pk)
    except NotFoundError:
        opened = False
    else:
        opened = True
    assert listed == opened, (user.username, listed, opened)
    return opened


# ---------------------------------------------------------------- who reads a case


def test_the_facilitator_who_recorded_it_reads_it_the_other_facilitator_does_not(
    session_case, facilitator, co_facilitator
):
    assert reads(facilitator, session_case)
    assert not reads(co_facilitator, session_case)
    assert selectors.case_reveal(user=fresh(facilitator), pk=session_case.pk).notes == (
        "Dice que su pareja sigue en peligro."
    )


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.ME_OFFICER, Role.VIEWER, Role.AUDITOR]
)
def test_no_role_of_the_organization_reads_a_case(session_case, staff, role):
    assert not reads(staff[role], session_case)
    with pytest.raises(NotFoundError):
        selectors.case_get(user=fresh(staff[role]), pk=session_case.pk)


def test_the_lead_reads_every_case_of_the_organization_a_lead_of_another_does_not(
    session_case, safeguarding_lead, other_org_lead, interview, researcher
):
    research_case = record_case(researcher, Source.EVENT, interview.pk, at_risk="participant",
                                kind="distress", urgency="routine")  # fmt: skip
    for case in (session_case, research_case):
        assert reads(safeguarding_lead, case)
        assert not reads(other_org_lead, case)
    assert not reads(researcher, session_case) and reads(researcher, research_case)


def test_a_user_let_into_a_case_reads_it_until_revoked(
    session_case, safeguarding_lead, staff, facilitator, participant
):
    coordinator = staff[Role.COORDINATOR]
    other_case = record_case(facilitator, Source.PERSON, participant.pk)
    access = case_access_grant(actor=safeguarding_lead, case=session_case, user=coordinator,
                               reason="Coordina la atención con el CEM esta semana.")  # fmt: skip
    assert reads(coordinator, session_case)
    assert not reads(coordinator, other_case)  # that case only
    grant = AuditEvent.objects.get(action="safeguarding.access_grant")
    assert (grant.actor, grant.target_id, grant.detail) == (
        safeguarding_lead,
        str(session_case.pk),
        {"user": coordinator.pk},
    )

    case_access_revoke(actor=safeguarding_lead, access=access)
    assert not reads(coordinator, session_case)
    assert CaseAccess.objects.get(pk=access.pk).revoked_at is not None  # kept, revoked
    assert AuditEvent.objects.filter(action="safeguarding.access_revoke").count() == 1


def test_only_a_lead_lets_someone_into_a_case_with_a_reason(
    session_case, facilitator, co_facilitator, safeguarding_lead, staff, other_org_lead
):
    for actor in (facilitator, staff[Role.ADMINISTRATOR], staff[Role.COORDINATOR]):
        with pytest.raises(PermissionDeniedError):
            case_access_grant(actor=actor, case=session_case, user=co_facilitator,
                              reason="Para que lo acompañe.")  # fmt: skip
    with pytest.raises(ApplicationError) as error:
        case_access_grant(actor=safeguarding_lead, case=session_case, user=co_facilitator,
                          reason="  ")  # fmt: skip
    assert error.value.extra["field"] == "reason"
    with pytest.raises(ApplicationError) as error:
        case_access_grant(actor=safeguarding_lead, case=session_case, user=other_org_lead,
                          reason="Es de otra organización.")  # fmt: skip
    assert error.value.extra["field"] == "user"
    assert not CaseAccess.objects.exists()
    assert not reads(co_facilitator, session_case)


def test_a_recorder_who_left_the_organization_no_longer_reads_the_case(
    session_case, facilitator, staff, other_org
):
    """He still facilitates for another organization: that gives him nothing of this one."""
    membership_grant(actor=None, user=facilitator, organization=other_org, role=Role.FACILITATOR)
    membership = Membership.objects.get(user=facilitator, organization=session_case.organization)
    membership_revoke(actor=staff[Role.ADMINISTRATOR], membership=membership)
    assert not reads(facilitator, session_case)
    assert selectors.reminders(user=fresh(facilitator), today=D(2026, 12, 1)) == []


def test_a_promoter_who_left_the_network_no_longer_reads_the_case(
    promoter, community_action, staff
):
    case = record_case(promoter, Source.ACTION, community_action.pk)
    assert reads(promoter, case)
    membership = community_action.network.memberships.get(person=promoter.person)
    membership_change(actor=staff[Role.COORDINATOR], membership=membership, role="member",
                      left_on=D(2026, 6, 1))  # fmt: skip
    assert not reads(promoter, case)


def test_a_lead_whose_role_was_removed_or_who_was_removed_as_lead_reads_nothing(
    session_case, safeguarding_lead, staff, org
):
    admin = staff[Role.ADMINISTRATOR]
    membership = Membership.objects.get(user=safeguarding_lead, organization=org)
    membership_revoke(actor=admin, membership=membership)
    assert Lead.objects.filter(user=safeguarding_lead).exists()  # still named, no role
    assert not reads(safeguarding_lead, session_case)

    second = make_user(role=Role.COORDINATOR, organization=org)
    lead = lead_name(actor=admin, organization=org, user=second)
    assert reads(second, session_case)
    lead_remove(actor=admin, lead=lead)
    assert not reads(second, session_case)


def test_an_administrator_cannot_name_themselves_lead(org, staff, session_case):
    admin = staff[Role.ADMINISTRATOR]
    with pytest.raises(ApplicationError):
        lead_name(actor=admin, organization=org, user=admin)
    with pytest.raises(PermissionDeniedError):
        lead_name(actor=staff[Role.COORDINATOR], organization=org, user=staff[Role.VIEWER])
    assert not reads(admin, session_case) and not reads(staff[Role.VIEWER], session_case)


def test_every_read_writes_an_audit_row(session_case, facilitator, safeguarding_lead):
    before = AuditEvent.objects.count()
    selectors.case_list_reveal(user=fresh(facilitator))
    selectors.case_reveal(user=fresh(safeguarding_lead), pk=session_case.pk)
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.action, r.actor) for r in rows] == [
        ("safeguarding.list", facilitator),
        ("safeguarding.view", safeguarding_lead),
    ]
    assert rows[0].target_type == "safeguarding.disclosure"
    assert (rows[1].target_type, rows[1].target_id) == (
        "safeguarding.disclosure",
        str(session_case.pk),
    )
    # A refused read is not a read of the case, and shows nothing.
    with pytest.raises(NotFoundError):
        selectors.case_reveal(user=fresh(facilitator), pk=session_case.pk + 1000)


# ---------------------------------------------------------------- who records from where


def test_a_facilitator_records_only_from_sessions_of_cohorts_they_facilitate(
    facilitator, co_facilitator, court_program, court_session
):
    other_person = make_person(organization=court_program.owner, given_name="Otro")
    other_cohort = make_cohort(program=court_program, name="Grupo de los viernes",
                               facilitators=(other_person,), sessions=2)  # fmt: skip
    elsewhere = other_cohort.sessions.first()
    origin = selectors.origin_get(user=facilitator, source=Source.SESSION, pk=court_session.pk)
    assert (origin.session, origin.program, origin.place) == (
        court_session,
        court_program,
        court_session.cohort.place,
    )
    with pytest.raises(NotFoundError):
        selectors.origin_get(user=facilitator, source=Source.SESSION, pk=elsewhere.pk)


def test_a_promoter_records_from_their_networks_actions_only(promoter, community_action, org, vmt):
    other = Network.objects.create(organization=org, name="Red de Lurín", kind="municipal")
    foreign = CommunityAction.objects.create(network=other, date=D(2026, 5, 2), kind="talk",
                                             title="Charla", place=vmt)  # fmt: skip
    origin = selectors.origin_get(user=promoter, source=Source.ACTION, pk=community_action.pk)
    assert origin.action == community_action and origin.organization == org
    with pytest.raises(NotFoundError):
        selectors.origin_get(user=promoter, source=Source.ACTION, pk=foreign.pk)
    with pytest.raises(NotFoundError):
        selectors.origin_get(user=promoter, source=Source.PERSON, pk=promoter.person_id)


def test_a_studys_fieldworker_records_from_its_events_a_coder_does_not(
    interview, researcher, coder
):
    origin = selectors.origin_get(user=researcher, source=Source.EVENT, pk=interview.pk)
    assert origin.event == interview
    with pytest.raises(NotFoundError):
        selectors.origin_get(user=coder, source=Source.EVENT, pk=interview.pk)


def test_a_viewer_records_from_nothing(
    staff, court_session, community_action, interview, participant
):
    viewer = staff[Role.VIEWER]
    for source, pk in (
        (Source.SESSION, court_session.pk),
        (Source.ACTION, community_action.pk),
        (Source.EVENT, interview.pk),
        (Source.PERSON, participant.pk),
        ("elsewhere", participant.pk),
    ):
        with pytest.raises(NotFoundError):
            selectors.origin_get(user=viewer, source=source, pk=pk)


# ---------------------------------------------------------------- S6


def test_s6_a_lead_and_a_recorder_need_a_second_factor(
    org, safeguarding_lead, promoter, community_action, staff, session_case
):
    """A viewer's role needs no second factor, nor does a promoter's membership; being a
    lead, having recorded a case, or being let into one does (safeguarding's answer to
    ``accounts.hooks.two_factor_needed``)."""
    viewer = staff[Role.VIEWER]
    assert not scope.needs_two_factor(fresh(viewer))
    assert not scope.needs_two_factor(fresh(promoter))
    assert scope.needs_two_factor(fresh(safeguarding_lead))

    record_case(promoter, Source.ACTION, community_action.pk)
    assert scope.needs_two_factor(fresh(promoter))

    access = case_access_grant(actor=safeguarding_lead, case=session_case, user=viewer,
                               reason="Apoya al responsable durante sus vacaciones.")  # fmt: skip
    assert scope.needs_two_factor(fresh(viewer))
    case_access_revoke(actor=safeguarding_lead, access=access)
    assert not scope.needs_two_factor(fresh(viewer))
