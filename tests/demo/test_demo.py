"""``cascada demo``: built through the real services, idempotent, fictional, seed-shaped."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts.models import Membership, User
from cascada.audit.models import AuditEvent
from cascada.cli.management.commands.demo_totp import demo_totp_code
from cascada.demo.build import DEMO_ACCOUNTS, DEMO_PASSWORD, FAMILY_NAMES, build
from cascada.registry.models import Consent, Identity, Organization, Person
from cascada.trainings.models import Attendance, Cohort, Enrolment, Program, Session

SCALE = 0.2
MODELS = (Organization, Person, Consent, Program, Cohort, Session, Enrolment, Attendance, User)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo once for this module, inside a transaction rolled back at the end
    (each test runs in a savepoint within it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        build(scale=SCALE)
        yield
        transaction.set_rollback(True)


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
