"""``cascada demo``: built through the real services, idempotent, fictional, seed-shaped."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts import scope
from cascada.accounts.models import Membership, User
from cascada.audit.models import AuditEvent
from cascada.cli.management.commands.demo_totp import demo_totp_code
from cascada.commitments import models as cm
from cascada.demo.build import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    FAMILY_NAMES,
    PROMOTER_USERNAME,
    BuildResult,
    _People,
)
from cascada.demo.networks import (
    ADDED,
    CAMPAIGN,
    ENTRE_PARES,
    LATE,
    MIMP_COLLECTIVE,
    MOVED,
    PLAN,
    VIGENCIA_NETWORK,
    build_networks,
    plan_year,
)
from cascada.networks import models as nets
from cascada.networks.selectors import may_manage, may_record, network_list, plan_status
from cascada.registry.models import Consent, Identity, Organization, Person
from cascada.safeguarding import models as sm
from cascada.trainings.models import Attendance, Cohort, Enrolment, Program, Session
from tests.demo.conftest import SCALE

MODELS = (
    Organization, Person, Consent, Program, Cohort, Session, Enrolment, Attendance, User,
    nets.Network, nets.Membership, nets.ActivityPlan, nets.PlanRevision, nets.PlannedActivity,
    nets.Campaign, nets.MediaReach, nets.CommunityAction,
    cm.Initiative, cm.Commitment, cm.CommitmentVersion, cm.Milestone, cm.Grant, cm.Disbursement,
    cm.Spending, cm.MentoringSession, cm.LessonLearned, cm.Testimony,
    sm.Service, sm.Lead, sm.Disclosure, sm.Referral, sm.CourtAgreement, sm.CourtNotice,
)  # fmt: skip


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _states() -> dict[str, tuple]:
    return {
        "completed": tuple(Enrolment.objects.order_by("pk").values_list("pk", "completed")),
        "memberships": tuple(Membership.objects.order_by("pk").values_list("pk", "role")),
        "devices": tuple(TOTPDevice.objects.order_by("pk").values_list("pk", "key")),
    }


@pytest.mark.django_db
def test_running_the_demo_again_changes_nothing_and_lists_the_accounts(demo):
    counts, states, events = _counts(), _states(), AuditEvent.objects.count()
    assert counts["Person"] > 100 and counts["Attendance"] > 500

    second = io.StringIO()
    call_command("demo", scale=SCALE, stdout=second)
    assert _counts() == counts
    assert _states() == states
    assert AuditEvent.objects.count() == events
    assert "nothing changed" in second.getvalue()
    for account in DEMO_ACCOUNTS:
        assert account.username in second.getvalue()
    assert DEMO_PASSWORD in second.getvalue()
    assert "demo-totp" in second.getvalue()

    # Every person is obviously fictional, and no ID number could be real.
    for identity in Identity.objects.all():
        assert any(word in identity.family_name for word in FAMILY_NAMES)
        assert identity.national_id == "" or identity.national_id.startswith("00")


@pytest.mark.django_db
def test_demo_follows_the_seeds(demo):
    vigencia = Cohort.objects.get(program__owner__name="Grupo Vigencia")
    assert vigencia.kind == "course" and vigencia.sessions.count() == 12
    assert vigencia.place.code == "070103"
    assert vigencia.enrolments.filter(completed=True).count() == 30

    bolivia = Cohort.objects.filter(program__owner__name="Promundo").order_by("start_date")
    assert [(c.modality, c.sessions.count()) for c in bolivia] == [("in_person", 5), ("online", 4)]
    assert [c.enrolments.count() for c in bolivia] == [27, 27]
    reps = set(bolivia[0].enrolments.values_list("person", flat=True))
    assert reps == set(bolivia[1].enrolments.values_list("person", flat=True))
    assert len({p.organization_id for p in Person.objects.filter(pk__in=reps)}) >= 12

    mimp = Program.objects.get(name="Hombres de Miércoles")
    assert mimp.is_court_mandated
    groups = mimp.cohorts.all()
    assert groups.count() == 4 and {g.kind for g in groups} == {"recurring"}
    assert {s.date.weekday() for g in groups for s in g.sessions.all()} == {0, 2, 4}

    # Not every promoter is a man.
    promoters = Person.objects.filter(roles__role="promoter")
    assert promoters.filter(sex="female").exists() and promoters.filter(sex="male").exists()

    # Some past sessions wait for attendance; one session only has a headcount.
    assert Session.objects.filter(headcount__isnull=False).exists()
    assert Session.objects.filter(
        date__lt=timezone.localdate(), attendance_taken_at__isnull=True, cancelled=False
    ).exists()


@pytest.mark.django_db
def test_demo_cascade_has_four_generations(demo):
    national = Cohort.objects.get(name="CdC nacional de capacitadores")
    gen0 = list(national.facilitators.all())
    assert gen0 and not Enrolment.objects.filter(person__in=gen0).exists()

    gen1 = set(national.enrolments.filter(completed=True).values_list("person", flat=True))
    regional = Cohort.objects.filter(kind="tot", facilitations__person__in=gen1).distinct()
    assert regional.count() >= 3
    assert len({c.place.department_id for c in regional}) >= 3

    gen2 = set(
        Enrolment.objects.filter(cohort__in=regional, completed=True).values_list(
            "person", flat=True
        )
    )
    community = Cohort.objects.filter(
        kind__in=("workshop", "course"), facilitations__person__in=gen2
    ).distinct()
    assert community.exists()
    gen3 = Enrolment.objects.filter(cohort__in=community, completed=True)
    assert gen3.exists()
    assert not gen3.filter(person__in=gen2 | gen1).exists()


@pytest.mark.django_db
def test_demo_accounts_sign_in_with_a_code_only_the_demo_reveals(demo):
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.verify_token(demo_totp_code(account.username))
    facilitator = User.objects.get(username="facilitador")
    assert facilitator.person.facilitated_cohorts.filter(program__owner__name__contains="Manuela")

    with pytest.raises(CommandError):
        demo_totp_code("someone-else")
    # A demo username whose authenticator is not the published demo key is refused too.
    TOTPDevice.objects.filter(user__username="auditor").update(key="ab" * 20)
    with pytest.raises(CommandError):
        demo_totp_code("auditor")


@pytest.mark.django_db
def test_the_demo_obeys_the_time_rules(demo):
    """No attendance for a session still to come, no completion or certificate before
    its cohort ended (issue 7); and some cohorts run today, so the home page has some."""
    from cascada.trainings.date_report import date_problems

    assert date_problems(user=None) == []
    statuses = {c.current_status for c in Cohort.objects.select_related("program__owner")}
    assert statuses >= {"running", "closed"}


# ------------------------------------------------------------------ networks (issue 10)


def _vigencia_network() -> nets.Network:
    return nets.Network.objects.get(organization__name="Grupo Vigencia", name=VIGENCIA_NETWORK)


@pytest.mark.django_db
def test_demo_network_of_vigencia_follows_seed_001(demo):
    network = _vigencia_network()
    assert network.kind == "municipal" and network.place.code == "070103"
    assert network.registry_entry and network.registry_office and network.registry_date
    assert network.recognition.startswith("Resolución de Alcaldía N.º")
    assert network.recognition_date and "Carmen de la Legua" in network.recognition_authority

    # The 30 completers of Vigencia's course, and no one else.
    course = Cohort.objects.get(program__owner__name="Grupo Vigencia")
    completers = set(course.enrolments.filter(completed=True).values_list("person", flat=True))
    current = network.memberships.filter(left_on__isnull=True)
    assert set(current.values_list("person", flat=True)) == completers and len(completers) == 30
    roles = sorted(current.values_list("role", flat=True))
    assert roles.count("coordinator") == 1 and roles.count("secretary") == 1
    # The coordinator has no account: staff manage through their organization role.
    coordinator = current.get(role="coordinator").person
    assert not User.objects.filter(person=coordinator).exists()
    vigencia = User.objects.get(username="vigencia")
    assert may_manage(vigencia, network)


@pytest.mark.django_db
def test_demo_plan_is_revised_in_june_and_march_stays_as_it_was(demo):
    network = _vigencia_network()
    year = plan_year(timezone.localdate())
    plan = network.plans.get(year=year)
    first, second = plan.revisions.order_by("number")
    assert plan.revisions.count() == 2
    assert (first.approved_on.month, second.approved_on.month) == (3, 6)

    march = {a.key: (a.kind, a.title, a.month) for a in first.activities.all()}
    assert march == {a.key: (a.kind, a.title, a.month) for a in PLAN}  # unchanged
    june = {a.key: a.month for a in second.activities.all()}
    moved, to = MOVED
    assert march[moved][2] != to and june[moved] == to
    assert set(june) - set(march) == {ADDED.key}
    assert {k for k in march if k != moved} <= set(june)
    kinds = {kind for kind, _title, _month in march.values()}
    assert kinds >= {"workshop", "talk", "fair", "campaign", "commemoration"}
    assert second.activities.filter(responsible__isnull=False).exists()


@pytest.mark.django_db
def test_demo_plan_has_done_late_and_unplanned(demo):
    network = _vigencia_network()
    today = timezone.localdate()
    status = plan_status(network=network, year=plan_year(today), today=today)
    assert status.revision == 2
    assert {line.key for line in status.lines if line.late} == LATE
    # Most of what is behind us was done; one action nobody planned.
    past = [line for line in status.lines if line.done or line.late]
    assert status.done >= 5 and status.done > len(past) / 2
    assert status.unplanned_actions == 1
    actions = network.actions.all()
    assert not actions.filter(date__gt=today).exists()
    assert actions.filter(run_by__network_memberships__network=network).count() >= 5
    for action in actions:
        assert action.reach > 0 and action.title
    assert actions.filter(women__gt=0).exists() and actions.filter(young_men__gt=0).exists()


@pytest.mark.django_db
def test_demo_campaign_has_media_reach_apart_from_people(demo):
    network = _vigencia_network()
    finished = nets.Campaign.objects.filter(
        name__startswith=CAMPAIGN, networks=network, ends_on__lt=timezone.localdate()
    )
    assert finished.exists()
    campaign = finished.first()
    assert campaign.starts_on.month == 11 and campaign.starts_on.day == 25
    assert campaign.media.filter(medium="radio", spots__gt=0).exists()
    assert campaign.media.filter(medium="social", posts__gt=0).exists()
    assert campaign.actions.filter(kind="commemoration", date__day=25).exists()
    assert campaign.actions.count() >= 3


@pytest.mark.django_db
def test_demo_ministry_collective_and_entre_pares_in_other_regions(demo):
    for name, kind in ((MIMP_COLLECTIVE, "ministry"), (ENTRE_PARES, "reflection")):
        network = nets.Network.objects.get(name=name)
        assert network.kind == kind and network.organization.short_name == "MIMP"
        assert not network.place.code.startswith("07")  # not Callao
        members = network.memberships.filter(left_on__isnull=True)
        assert 5 <= members.count() <= 12
        assert members.filter(role="coordinator").count() == 1
        assert network.actions.count() >= 3


@pytest.mark.django_db
def test_demo_promoter_is_a_member_with_no_role_and_no_second_factor(demo):
    user = User.objects.get(username=PROMOTER_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert not Membership.objects.filter(user=user).exists()
    assert not scope.needs_two_factor(user)
    network = _vigencia_network()
    membership = network.memberships.get(person=user.person, left_on__isnull=True)
    assert membership.role == "member"
    assert list(network_list(user=user)) == [network]
    assert may_record(user, network) and not may_manage(user, network)
    assert network.actions.filter(run_by=user.person).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    [dt.date(2024, 1, 10), dt.date(2024, 4, 15), dt.date(2024, 7, 3), dt.date(2024, 11, 27),
     dt.date(2024, 12, 20)],
)  # fmt: skip
def test_demo_plan_has_late_lines_whatever_the_day_it_is_built(demo, today):
    nets.Network.objects.filter(name=VIGENCIA_NETWORK).update(name="Red anterior")
    result = BuildResult()
    build_networks(
        vigencia=Organization.objects.get(name="Grupo Vigencia"),
        mimp=Organization.objects.get(short_name="MIMP"),
        people=_People(random.Random(1)),
        seed=1,
        r=result,
        today=today,
    )
    assert result.created == {"networks": 1}
    network = _vigencia_network()
    year = plan_year(today)
    assert dt.date(year, 6, 12) < today  # March's approval and June's revision are behind
    status = plan_status(network=network, year=year, today=today)
    assert status.revision == 2
    assert {line.key for line in status.lines if line.late} == LATE
    assert status.done >= 4 and status.done > status.late and status.unplanned_actions == 1
    assert not network.actions.filter(date__gte=today).exists()
    assert not nets.MediaReach.objects.filter(network=network, date__gte=today).exists()
    campaigns = nets.Campaign.objects.filter(networks=network)
    assert campaigns.filter(ends_on__lt=today, media__isnull=False).exists()
