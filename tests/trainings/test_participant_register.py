"""Facilitators register participants into the cohorts they facilitate (issue 7): one
service creates the man, records his consent and enrols him, within the facilitator's
scope; the roster tells people apart; a cohort's facilitator is never its participant."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.registry.models import Consent, Identity, Person
from cascada.registry.selectors import identities_for, person_list
from cascada.registry.services import DuplicatePersonError
from cascada.trainings import selectors
from cascada.trainings.models import Enrolment
from cascada.trainings.services import enrolment_create, participant_register
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

# Still running: a closed cohort takes no enrolments (docs/decisions/trainings.md).
RUNNING = {"end_date": dt.date.today() + dt.timedelta(days=60)}


@pytest.fixture
def program(org):
    return make_program(owner=org)


@pytest.fixture
def fausto(org):
    return make_person(organization=org, given_name="Fausto", family_name="Ríos")


@pytest.fixture
def mine(program, fausto):
    return make_cohort(program=program, **RUNNING, sessions=2, facilitators=(fausto,), name="Mía")


@pytest.fixture
def theirs(program):
    return make_cohort(program=program, **RUNNING, sessions=2, name="De otra facilitadora")


@pytest.fixture
def facilitator(org, fausto):
    return make_user(role="facilitator", organization=org, person=fausto)


def _register(actor, cohort, **kw):
    values = {
        "given_name": "Jorge",
        "family_name": "Espinoza Mamani",
        "sex": "male",
        "age": 34,
        "participation_consent": True,
        "consent_text_version": "v2-2026",
    }
    values.update(kw)
    return participant_register(actor=actor, cohort=cohort, **values)


def test_a_facilitator_registers_a_man_into_his_cohort_with_consent(facilitator, mine, org):
    enrolment = _register(facilitator, mine, reporting_consent=True, national_id="", id_document="")
    person = enrolment.person
    assert enrolment.cohort == mine and person.organization == org
    assert person.identity.full_name == "Jorge Espinoza Mamani"
    assert set(Consent.objects.filter(person=person).values_list("purpose", "granted")) == {
        ("participation", True),
        ("aggregate_reporting", True),
    }
    person.refresh_from_db()
    assert person.reporting_consent is True
    actions = set(AuditEvent.objects.filter(actor=facilitator).values_list("action", flat=True))
    assert {"create", "consent_grant", "enrol"} <= actions


def test_reporting_consent_is_recorded_only_when_given(facilitator, mine):
    person = _register(facilitator, mine).person
    assert list(Consent.objects.filter(person=person).values_list("purpose", flat=True)) == [
        "participation"
    ]
    assert person.reporting_consent is False


def test_without_participation_consent_nothing_is_written(facilitator, mine):
    before = Person.objects.count()
    with pytest.raises(ApplicationError) as refused:
        _register(facilitator, mine, participation_consent=False)
    assert refused.value.extra["field"] == "participation_consent"
    assert Person.objects.count() == before


def test_a_facilitator_cannot_register_into_a_cohort_he_does_not_facilitate(facilitator, theirs):
    before = Person.objects.count()
    with pytest.raises(PermissionDeniedError):
        _register(facilitator, theirs)
    assert Person.objects.count() == before
    assert not selectors.may_register_participants(user=facilitator, cohort=theirs)


def test_other_roles_and_organizations_cannot_register(org, other_org, mine):
    for user in (
        make_user(role="viewer", organization=org),
        make_user(role="me_officer", organization=org),
        make_user(role="coordinator", organization=other_org),
    ):
        with pytest.raises(PermissionDeniedError):
            _register(user, mine)
    assert not Enrolment.objects.filter(cohort=mine).exists()


def test_a_coordinator_registers_into_any_cohort_of_his_programs(coordinator, theirs):
    assert _register(coordinator, theirs).cohort == theirs


def test_a_partner_facilitator_registers_into_his_own_organization(org, other_org, program):
    from cascada.trainings.services import program_share

    program_share(actor=None, program=program, organization=other_org)
    partner_person = make_person(organization=other_org, given_name="Pía")
    cohort = make_cohort(program=program, **RUNNING, sessions=1, facilitators=(partner_person,))
    user = make_user(role="facilitator", organization=other_org, person=partner_person)
    assert _register(user, cohort).person.organization == other_org


def test_the_new_man_is_no_wider_read_than_the_roster(facilitator, mine, theirs, org):
    """S3: after registering, the facilitator reads his given name and initials only,
    and sees no one else of the organization."""
    stranger = make_person(organization=org, given_name="Ajeno", family_name="Lejos")
    enrol(theirs, stranger)
    person = _register(facilitator, mine).person
    assert identities_for(user=facilitator, people=[person]) == {}
    assert identities_for(user=facilitator, people=[person], short=True) == {person.pk: "Jorge E."}
    visible = set(person_list(user=facilitator).values_list("pk", flat=True))
    assert person.pk in visible and stranger.pk not in visible


def test_duplicates_are_looked_for_only_among_the_people_he_sees(facilitator, mine, theirs, org):
    known = make_person(organization=org, given_name="Jorge", national_id="41234567")
    enrol(theirs, known)
    # Outside his cohorts: not revealed, a new record (ADR 0005, docs/decisions/roster.md).
    first = _register(facilitator, mine, national_id="41234567", id_document="dni").person
    assert first.pk != known.pk
    # Within his cohorts: the likely duplicate is named, and nothing is written.
    before = Person.objects.count()
    with pytest.raises(DuplicatePersonError) as dup:
        _register(facilitator, mine, national_id="41234567", id_document="dni")
    assert [p.pk for p in dup.value.matches] == [first.pk]
    assert Person.objects.count() == before
    again = _register(
        facilitator, mine, national_id="41234567", id_document="dni", allow_duplicate=True
    )
    assert again.person.pk not in (first.pk, known.pk)


def test_a_facilitator_enrols_a_man_he_sees_into_his_cohort_only(
    facilitator, fausto, program, mine, theirs
):
    other_of_his = make_cohort(
        program=program, **RUNNING, sessions=1, facilitators=(fausto,), name="Otra"
    )
    man = _register(facilitator, other_of_his).person
    assert enrolment_create(actor=facilitator, cohort=mine, person=man).cohort == mine
    with pytest.raises(PermissionDeniedError):
        enrolment_create(actor=facilitator, cohort=theirs, person=man)


def test_a_cohorts_facilitator_cannot_be_enrolled_in_it(coordinator, mine, theirs, fausto):
    with pytest.raises(ApplicationError) as refused:
        enrolment_create(actor=coordinator, cohort=mine, person=fausto)
    assert refused.value.code == "facilitator_not_participant"
    assert not Enrolment.objects.filter(cohort=mine, person=fausto).exists()
    # In a cohort someone else facilitates, he may be a participant.
    assert enrolment_create(actor=coordinator, cohort=theirs, person=fausto).person == fausto


# ---------------------------------------------------------------- the enrolment picker


def test_enrol_search_leaves_out_facilitators_and_the_enrolled(coordinator, org, mine, fausto):
    jorge = make_person(organization=org, given_name="Jorge", family_name="Ríos")
    enrolled = make_person(organization=org, given_name="Jorge", family_name="Enrolado")
    enrol(mine, enrolled)
    before = AuditEvent.objects.filter(action="search").count()
    for text, wanted in (
        (fausto.code, []),
        (enrolled.code, []),
        (jorge.code, [jorge.pk]),
        ("Jorge Ríos", [jorge.pk]),
    ):
        found = selectors.enrol_candidates_reveal(user=coordinator, cohort=mine, text=text)
        assert [c.pk for c in found] == wanted, text
    assert AuditEvent.objects.filter(action="search").count() == before + 4
    label = selectors.enrol_candidates_reveal(user=coordinator, cohort=mine, text=jorge.code)
    assert label[0].label == f"Jorge Ríos ({jorge.code})"


def test_enrol_search_finds_nobody_outside_scope(coordinator, mine):
    foreign = make_person(organization=make_org(name="Ajena"), given_name="Jorge")
    assert selectors.enrol_candidates_reveal(user=coordinator, cohort=mine, text=foreign.code) == []


# ---------------------------------------------------------------- roster names


def _roster_names(user, session):
    return sorted(r.name for r in selectors.session_roster_reveal(user=user, session=session))


def test_the_roster_tells_two_jorge_e_apart(facilitator, mine, org):
    people = [
        make_person(organization=org, given_name="Jorge", family_name="Espinoza Mamani"),
        make_person(organization=org, given_name="Jorge", family_name="Espinoza Quispe"),
        make_person(organization=org, given_name="Aurelio", family_name="Quispe"),
    ]
    enrol(mine, *people)
    assert _roster_names(facilitator, mine.sessions.first()) == [
        "Aurelio Q.",
        "Jorge E. M.",
        "Jorge E. Q.",
    ]


def test_then_by_year_of_birth_then_by_code(facilitator, mine, org):
    a = make_person(organization=org, given_name="Jorge", family_name="Espinoza", birth_year=1990)
    b = make_person(organization=org, given_name="jorge", family_name="Éspinoza", birth_year=1985)
    c = make_person(organization=org, given_name="Jorge", family_name="Espinoza", birth_year=1985)
    enrol(mine, a, b, c)
    names = {
        r.enrolment.person_id: r.name
        for r in selectors.session_roster_reveal(user=facilitator, session=mine.sessions.first())
    }
    assert names[a.pk] == "Jorge E., 1990"
    assert names[b.pk] == f"jorge É., {b.code}"
    assert names[c.pk] == f"Jorge E., {c.code}"
    # Still initials only: no family name reaches the facilitator (S3).
    assert not any("Espinoza" in name for name in names.values())


def test_full_names_collide_too_for_coordinators(coordinator, mine, org):
    a = make_person(organization=org, given_name="Jorge", family_name="Espinoza", birth_year=1990)
    b = make_person(organization=org, given_name="Jorge", family_name="Espinoza", birth_year=1981)
    enrol(mine, a, b)
    names = identities_for(user=coordinator, people=[a, b], short=True)
    assert names == {a.pk: "Jorge Espinoza, 1990", b.pk: "Jorge Espinoza, 1981"}
    assert Identity.objects.get(person=a).full_name == "Jorge Espinoza"
