"""The demo's Commitments to Action (issue 11, seed 004), as the grant manager, a mentor
and a focal point see them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from cascada.accounts.models import User
from cascada.commitments import selectors
from cascada.commitments.booklet import booklet_entries
from cascada.commitments.models import (
    Commitment,
    CommitmentVersion,
    Initiative,
    MentoringSession,
    Milestone,
    MilestoneAssessment,
    Spending,
)
from cascada.commitments.models import Testimony as Quote  # "Test...": not a test class
from cascada.commitments.money import CENT
from cascada.demo import commitments as ctoa
from cascada.demo.build import DEMO_ACCOUNTS, ORGANIZATIONS, BuildResult, build
from cascada.registry.models import Organization
from cascada.trainings.models import Cohort

pytestmark = pytest.mark.django_db

SEED_THEMES = {
    ctoa.CIES: ["schools"],
    ctoa.ALDEAS: ["workplace"],
    ctoa.ACOBOL: ["municipal"],
    ctoa.UNIR: ["justice"],
    ctoa.ALIANZA: ["youth"],
}
SEED_QUOTES = {
    ctoa.ALIANZA: "El trabajo en masculinidades con jóvenes es clave",
    ctoa.ALDEAS: "La verdadera lección está en revisar lo personal",
    ctoa.CIES: "Podemos y debemos identificar los momentos decisivos",
}


def _initiative() -> Initiative:
    return Initiative.objects.get(name=ctoa.INITIATIVE)


def _commitment(institution: str) -> Commitment:
    return Commitment.objects.get(initiative__name=ctoa.INITIATIVE, institution__name=institution)


def _latest(commitment: Commitment) -> CommitmentVersion:
    version = selectors.version_latest(commitment)
    assert version is not None
    return version


def test_the_specs_name_institutions_and_accounts_of_the_demo():
    names = {name for name, *_rest in ORGANIZATIONS}
    assert ctoa.FUNDER in names
    assert {s.institution for s in ctoa.SPECS} <= names
    accounts = {a.username: a for a in DEMO_ACCOUNTS}
    assert accounts[ctoa.MANAGER_USERNAME].role == "coordinator"
    assert accounts[ctoa.MANAGER_USERNAME].organization == ctoa.FUNDER
    assert accounts[ctoa.MENTOR_USERNAME].role == ""
    assert accounts[ctoa.FOCAL_POINT_USERNAME].role == ""
    assert ctoa.OTHER_MENTOR_USERNAME not in accounts  # assigned, never a demo sign-in


def test_the_initiative_follows_seed_004(demo):
    initiative = _initiative()
    assert initiative.funder.name == ctoa.FUNDER
    assert (initiative.starts_on, initiative.ends_on) == (
        dt.date(2019, 3, 1),
        dt.date(2021, 12, 31),
    )
    bolivian = {n for n, _s, _k, country, _p in ORGANIZATIONS if country == "BO"} - {ctoa.FUNDER}
    assert set(initiative.organizations.values_list("name", flat=True)) == bolivian
    trainings = Cohort.objects.filter(initiatives=initiative).order_by("start_date")
    assert [(c.name, c.start_date) for c in trainings] == [
        (ctoa.FIRST_TRAINING, dt.date(2019, 3, 11)),
        (ctoa.SECOND_TRAINING, dt.date(2021, 11, 22)),
    ]


def test_the_five_commitments_of_the_seed_with_their_themes_and_places(demo):
    commitments = Commitment.objects.filter(initiative=_initiative())
    assert commitments.count() == len(ctoa.SPECS) == 8
    for institution, themes in SEED_THEMES.items():
        version = _latest(_commitment(institution))
        assert version.themes == themes, institution
    places = {
        i: set(_latest(_commitment(i)).places.values_list("name", flat=True)) for i in SEED_THEMES
    }
    assert places[ctoa.CIES] == {"El Alto"}
    assert any("Irupana" in name for name in places[ctoa.ACOBOL])
    assert "conciliación extrajudicial" in _latest(_commitment(ctoa.UNIR)).aim
    assert "activismo político" in _latest(_commitment(ctoa.ALIANZA)).aim
    assert "El Alto" in _latest(_commitment(ctoa.CIES)).aim


def test_every_version_is_a_whole_plan_with_its_budget_adding_up_to_the_grant(demo):
    first_training = Cohort.objects.get(name=ctoa.FIRST_TRAINING)
    for commitment in Commitment.objects.filter(initiative=_initiative()):
        grant = commitment.grants.get()
        first = selectors.version_first(commitment)
        assert first is not None
        assert first.created_on == dt.date(2019, 3, 15) and first.presented_at == first_training
        for version in commitment.versions.all():
            total = sum((b.amount for b in version.budget_lines.all()), Decimal("0"))
            assert total == grant.amount, (commitment, version.number)
            assert 3 <= version.milestones.count() <= 5
            assert 1 <= version.indicators.count() <= 3
            assert version.places.exists() and version.activities and version.people_responsible
            for m in version.milestones.all():
                assert dt.date(2019, 1, 1) <= m.due_on <= dt.date(2021, 12, 31)
        assert commitment.focal_point is not None
        assert commitment.focal_point.organization_id == commitment.institution_id


def test_revised_commitments_keep_version_1_as_presented(demo):
    revised = [
        c for c in Commitment.objects.filter(initiative=_initiative()) if c.versions.count() > 1
    ]
    assert len(revised) >= 2
    specs = {s.institution: s for s in ctoa.SPECS}
    for commitment in revised:
        plan = specs[commitment.institution.name].plan
        first = selectors.version_first(commitment)
        assert first is not None and first.number == 1 and first.note == ""
        assert first.aim == plan.aim and first.activities == plan.activities
        assert [(b.label, str(b.amount)) for b in first.budget_lines.all()] == list(plan.budget)
        assert sorted((m.key, m.title, m.due_on) for m in first.milestones.all()) == sorted(
            (m["key"], m["title"], m["due_on"]) for m in plan.milestones
        )
        latest = _latest(commitment)
        assert latest.number == 2
        assert any(word in latest.note for word in ("COVID-19", "cuarentena", "sanitaria"))
        assert latest.created_on.year == 2020
        # What changed shows: a milestone moved or a budget line changed.
        moved = {m.key: m.due_on for m in latest.milestones.all()} != {
            m.key: m.due_on for m in first.milestones.all()
        }
        assert moved


def test_grants_in_bolivianos_paid_in_two_tranches_with_exact_balances(demo):
    for commitment in Commitment.objects.filter(initiative=_initiative()):
        grant = commitment.grants.get()
        assert grant.currency == "BOB" and Decimal("7000") <= grant.amount <= Decimal("14000")
        first, second = grant.tranches.order_by("number")
        assert first.amount + second.amount == grant.amount
        assert first.condition_milestone is None
        assert second.condition_milestone.key == ctoa.MIDTERM
        assert "informe de medio término" in second.condition
        # Released only once the mid-term report was done, and after it.
        midterm = second.condition_milestone
        assert midterm.status == "done" and second.released_on >= midterm.done_on
        for tranche in (first, second):
            assert tranche.disbursements.exists()
            assert all(d.reference.startswith("TRF-") for d in tranche.disbursements.all())
            assert all(d.date >= tranche.released_on for d in tranche.disbursements.all())

        balance = selectors.grant_balance(grant)
        paid = sum((d.amount for t in (first, second) for d in t.disbursements.all()), Decimal(0))
        spent = sum((s.amount for s in grant.spending.all()), Decimal(0))
        assert balance.committed == grant.amount
        assert balance.released == grant.amount
        assert balance.disbursed == paid
        assert balance.spent == spent <= paid
        assert balance.balance == (paid - spent).quantize(CENT) >= 0
        # Spending against the lines of the latest version, never beyond a line.
        lines = {b.label: b.amount for b in _latest(commitment).budget_lines.all()}
        by_line: dict[str, Decimal] = defaultdict(Decimal)
        for s in grant.spending.all():
            by_line[s.budget_line] += s.amount
        assert all(amount <= lines[label] for label, amount in by_line.items()), commitment

    alianza = selectors.grant_balance(_commitment(ctoa.ALIANZA).grants.get())
    assert (alianza.disbursed, alianza.spent, alianza.balance) == (
        Decimal("14000.00"),
        Decimal("13593.30"),
        Decimal("406.70"),
    )


def test_spending_in_dollars_is_converted_at_the_rate_the_grant_manager_recorded(demo):
    dollars = Spending.objects.get(original_currency="USD")
    assert dollars.grant.commitment.institution.name == ctoa.ALIANZA
    assert dollars.original_amount == Decimal("149.90")
    assert dollars.amount == Decimal("1043.30")  # 149,90 × 6,96 = 1043,304
    assert dollars.rate.rate == Decimal("6.96") and dollars.rate.source == ctoa.RATE_SOURCE
    assert dollars.rate.recorded_by.username == ctoa.MANAGER_USERNAME
    assert Spending.objects.exclude(original_currency="").count() == 1


def test_milestones_mostly_done_one_late_one_dropped(demo):
    today = timezone.localdate()
    milestones = Milestone.objects.filter(commitment__initiative=_initiative())
    assert milestones.filter(status="done").count() > 0.8 * milestones.count()
    late = {
        c.institution.name: [m.key for m in selectors.milestones_late(c, today)]
        for c in Commitment.objects.filter(initiative=_initiative())
    }
    assert {i: keys for i, keys in late.items() if keys} == {ctoa.ACOBOL: ["ley-municipal"]}
    dropped = milestones.filter(status="dropped")
    assert [(m.commitment.institution.name, m.key) for m in dropped] == [(ctoa.UNIR, "encuentro")]
    # Some were done after their due date (lateness shows on done ones too).
    assert any(m.days_late(today) > 0 for m in milestones.filter(status="done"))
    assert not milestones.filter(done_on__gt=ctoa.ENDS_ON).exists()


def test_each_commitment_has_a_mentoring_log_with_assessments(demo):
    for commitment in Commitment.objects.filter(initiative=_initiative()):
        sessions = MentoringSession.objects.filter(commitment=commitment).order_by("held_on")
        assert 3 <= sessions.count() <= 6, commitment
        assert all(s.mentor_id == commitment.mentor_id for s in sessions)
        assert all(s.topics and s.next_steps for s in sessions)
        assert all(s.follow_up for s in sessions[1:])
        assert MilestoneAssessment.objects.filter(session__commitment=commitment).exists()
        assert 1 <= commitment.lessons.count() <= 2
    modes = set(MentoringSession.objects.values_list("mode", flat=True))
    assert modes == {"in_person", "video", "call", "message"}


def test_the_seed_testimonies_are_publishable_and_the_unconsented_one_is_not(demo):
    initiative = _initiative()
    published = selectors.testimonies_publishable(initiative=initiative)
    quotes = {t.author_institution.name: t for t in published}
    assert set(quotes) == set(SEED_QUOTES)
    for institution, start in SEED_QUOTES.items():
        testimony = quotes[institution]
        assert testimony.quote.startswith(start)
        assert testimony.commitment.institution.name == institution
        assert testimony.consent_on is not None and (
            testimony.consent_on.year,
            testimony.consent_on.month,
        ) == (2021, 12)
    withheld = Quote.objects.filter(commitment__initiative=initiative, consent_to_publish=False)
    assert withheld.count() == 1
    assert not published.filter(pk__in=withheld).exists()
    # The booklet the grant manager prints leaves it out.
    manager = User.objects.get(username=ctoa.MANAGER_USERNAME)
    printed = [
        t.pk for e in booklet_entries(user=manager, initiative=initiative) for t in e.testimonies
    ]
    assert sorted(printed) == sorted(t.pk for t in published)
    assert withheld.get().pk not in printed


def test_the_grant_manager_sees_every_commitment(demo):
    manager = User.objects.get(username=ctoa.MANAGER_USERNAME)
    commitments = Commitment.objects.filter(initiative=_initiative())
    assert set(selectors.commitment_list(user=manager)) == set(commitments)
    assert all(selectors.may_manage_grant(manager, c) for c in commitments)
    rows = selectors.portfolio(user=manager, initiative=_initiative(), today=timezone.localdate())
    assert len(rows) == commitments.count()
    assert set(selectors.portfolio_totals(rows)) == {"BOB"}


def test_the_mentora_account_sees_only_her_commitments(demo):
    mentora = User.objects.get(username=ctoa.MENTOR_USERNAME)
    assert not mentora.memberships.exists()
    assert mentora.person is not None and mentora.person.facilitations.filter(
        cohort__name=ctoa.FIRST_TRAINING
    )
    mine = set(selectors.commitment_list(user=mentora))
    assigned = {s.institution for s in ctoa.SPECS if s.mentor == ctoa.MENTOR_USERNAME}
    assert {c.institution.name for c in mine} == assigned
    assert 0 < len(mine) < Commitment.objects.filter(initiative=_initiative()).count()
    other = Commitment.objects.exclude(pk__in=[c.pk for c in mine]).first()
    assert other is not None and other.mentor.username == ctoa.OTHER_MENTOR_USERNAME
    assert not selectors.may_mentor(mentora, other)


def test_the_cies_account_is_the_focal_point_of_cies_commitment(demo):
    cies = User.objects.get(username=ctoa.FOCAL_POINT_USERNAME)
    commitment = _commitment(ctoa.CIES)
    assert not cies.memberships.exists()
    assert cies.person is not None and commitment.focal_point == cies.person
    assert cies.person.organization.name == ctoa.CIES
    assert list(selectors.commitment_list(user=cies)) == [commitment]
    assert selectors.may_report(cies, commitment) and not selectors.may_manage_grant(
        cies, commitment
    )
    # CIES reported its own milestones and revision.
    assert _latest(commitment).created_by == cies


def test_building_the_demo_again_adds_no_commitment(demo):
    counts = (
        Initiative.objects.count(),
        Commitment.objects.count(),
        CommitmentVersion.objects.count(),
        Spending.objects.count(),
        MentoringSession.objects.count(),
        Quote.objects.count(),
        User.objects.count(),
    )
    result: BuildResult = build(scale=0.2)
    assert "commitments" not in result.created and "initiatives" not in result.created
    assert counts == (
        Initiative.objects.count(),
        Commitment.objects.count(),
        CommitmentVersion.objects.count(),
        Spending.objects.count(),
        MentoringSession.objects.count(),
        Quote.objects.count(),
        User.objects.count(),
    )
    assert Organization.objects.filter(name=ctoa.FUNDER).count() == 1


def test_each_commitment_reports_its_outcomes_with_the_reach_it_declared(demo):
    from cascada.commitments.models import Outcome
    from cascada.commitments.selectors import reach_of

    initiative = Initiative.objects.get(name=ctoa.INITIATIVE)
    commitments = initiative.commitments.all()
    assert all(c.outcomes.exists() for c in commitments)
    reach = reach_of(commitments)
    expected = sum(p for rows in ctoa.OUTCOMES.values() for _on, _text, p in rows)
    assert reach.declared == expected
    assert reach.people_enrolled == 0  # declared reach is never counted as people trained
    assert not Outcome.objects.filter(cohort__isnull=False).exists()
