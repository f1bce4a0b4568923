"""Rounds and answers: who may record them, consent, one response per respondent, the
version frozen by its first answer, adopted copies of shipped instruments, and the
person hooks (merge, ARCO export and erasure)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.accounts.roles import Role
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.measurement import services
from cascada.measurement.models import Instrument, Response, RoundKind, VersionStatus, Wording
from cascada.registry.arco import person_erase, person_export_reveal
from cascada.registry.services import person_merge
from tests.accounts.factories import make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

NEUTRAL = {"gem_decides_sex": "partly", "gem_decide_children": "agree"}


@pytest.fixture
def gem():
    return Instrument.objects.get(code="gem", organization=None).versions.get()


@pytest.fixture
def cohort(org):
    return make_cohort(program=make_program(owner=org), sessions=2)


def baseline(cohort, gem, **kw):
    return services.round_create(
        actor=None,
        cohort=cohort,
        version=gem,
        kind=RoundKind.BASELINE,
        opens_on=dt.date(2026, 3, 2),
        **kw,
    )


def all_answers(choice_inequitable="disagree", choice_equitable="agree"):
    from cascada.measurement.shipped import GEM_ITEMS

    return {
        code: choice_inequitable if inequitable else choice_equitable
        for code, inequitable, *_ in GEM_ITEMS
    }


def test_answers_are_scored_and_freeze_the_version(cohort, gem, org):
    man = make_person(organization=org)
    enrol(cohort, man)
    survey = baseline(cohort, gem)
    response = services.response_record(
        actor=None, survey=survey, person=man, answers=all_answers(), consent=True
    )
    assert (response.total, response.category, response.answered) == (72.0, "high", 24)
    gem.refresh_from_db()
    assert gem.is_frozen


def test_no_consent_no_answers_stored(cohort, gem, org):
    man = make_person(organization=org)
    enrol(cohort, man)
    with pytest.raises(ApplicationError, match="consent"):
        services.response_record(
            actor=None, survey=baseline(cohort, gem), person=man, answers=NEUTRAL, consent=False
        )
    assert Response.objects.count() == 0


def test_a_man_not_in_the_cohort_cannot_be_a_respondent(cohort, gem, org):
    stranger = make_person(organization=org)
    with pytest.raises(ApplicationError, match="not enrolled"):
        services.response_record(
            actor=None,
            survey=baseline(cohort, gem),
            person=stranger,
            answers=NEUTRAL,
            consent=True,
        )


def test_answering_again_replaces_the_earlier_answers(cohort, gem, org):
    man = make_person(organization=org)
    enrol(cohort, man)
    survey = baseline(cohort, gem)
    services.response_record(
        actor=None,
        survey=survey,
        person=man,
        answers=all_answers("agree", "disagree"),
        consent=True,
    )
    services.response_record(
        actor=None, survey=survey, person=man, answers=all_answers(), consent=True
    )
    assert list(Response.objects.values_list("total", flat=True)) == [72.0]


def test_anonymous_rounds_link_by_the_self_generated_code_never_stored(cohort, gem):
    survey = baseline(cohort, gem, anonymous=True)
    first = services.response_record(
        actor=None, survey=survey, self_code="MA-14 rosa", answers=NEUTRAL, consent=True
    )
    again = services.response_record(
        actor=None, survey=survey, self_code="ma14ROSA", answers=all_answers(), consent=True
    )
    assert first.pk == again.pk and first.person_id is None
    stored = Response.objects.get()
    assert "rosa" not in str(stored.self_code_hash).lower() and len(stored.self_code_hash) == 64


def test_unknown_answers_are_refused_with_the_question_named(cohort, gem, org):
    man = make_person(organization=org)
    enrol(cohort, man)
    with pytest.raises(ApplicationError, match="gem_decides_sex"):
        services.response_record(
            actor=None,
            survey=baseline(cohort, gem),
            person=man,
            answers={"gem_decides_sex": "yes"},
            consent=True,
        )


def test_only_a_published_version_opens_a_round_and_one_baseline_per_cohort(cohort, gem, org):
    draft = services.instrument_adopt(actor=None, organization=org, version=gem)
    with pytest.raises(ApplicationError, match="published"):
        baseline(cohort, draft)
    baseline(cohort, gem)
    with pytest.raises(ApplicationError, match="already has"):
        baseline(cohort, gem)


def test_an_adopted_copy_is_confirmed_item_by_item_then_published(org, gem):
    coordinator = make_user(organization=org, role=Role.COORDINATOR)
    draft = services.instrument_adopt(actor=coordinator, organization=org, version=gem)
    assert draft.status == VersionStatus.DRAFT and draft.items.count() == 24
    pending = services.unconfirmed_items(draft)
    assert "gem_male_friend" in [i.code for i in pending] and len(pending) == 17
    item = draft.items.get(code="gem_male_friend")
    services.item_confirm(
        actor=coordinator, item=item, text_es="Es importante tener un amigo con quien hablar."
    )
    item.refresh_from_db()
    assert item.wording_es == Wording.OWN and item.confirmed_by == coordinator
    services.version_publish(actor=coordinator, version=draft)
    # The shipped version is untouched.
    assert gem.items.get(code="gem_male_friend").wording_es == Wording.UNVERIFIED
    with pytest.raises(ApplicationError):
        services.item_confirm(actor=coordinator, item=item, text_es="Otra")


def test_a_shipped_instrument_cannot_be_edited(gem):
    with pytest.raises(ApplicationError, match="shipped"):
        services.item_confirm(actor=None, item=gem.items.first(), text_es="Otro texto")


def test_viewers_and_other_organizations_cannot_open_rounds_or_record(cohort, gem, org, other_org):
    viewer = make_user(organization=org, role=Role.VIEWER)
    outsider = make_user(organization=other_org, role=Role.COORDINATOR)
    for user in (viewer, outsider):
        with pytest.raises(PermissionDeniedError):
            services.round_create(
                actor=user, cohort=cohort, version=gem, kind="baseline", opens_on=dt.date.today()
            )
    survey = baseline(cohort, gem)
    man = make_person(organization=org)
    enrol(cohort, man)
    for user in (viewer, outsider):
        with pytest.raises(PermissionDeniedError):
            services.response_record(
                actor=user, survey=survey, person=man, answers=NEUTRAL, consent=True
            )


def test_a_facilitator_records_answers_only_in_cohorts_they_facilitate(org, gem):
    person = make_person(organization=org)
    facilitator = make_user(organization=org, role=Role.FACILITATOR, person=person)
    program = make_program(owner=org)
    theirs = make_cohort(program=program, facilitators=(person,), name="Suya")
    other = make_cohort(program=program, name="Otra")
    man = make_person(organization=org)
    enrol(theirs, man)
    enrol(other, man)
    services.response_record(
        actor=facilitator, survey=baseline(theirs, gem), person=man, answers=NEUTRAL, consent=True
    )
    with pytest.raises(PermissionDeniedError):
        services.response_record(
            actor=facilitator,
            survey=baseline(other, gem),
            person=man,
            answers=NEUTRAL,
            consent=True,
        )


def test_merging_two_records_keeps_one_response_per_round(cohort, gem, org):
    kept, duplicate = make_person(organization=org), make_person(organization=org)
    enrol(cohort, kept, duplicate)
    survey = baseline(cohort, gem)
    services.response_record(actor=None, survey=survey, person=kept, answers=NEUTRAL, consent=True)
    services.response_record(
        actor=None, survey=survey, person=duplicate, answers=all_answers(), consent=True
    )
    result = person_merge(actor=None, keep=kept, duplicate=duplicate)
    assert result.moved["survey responses"] == 1
    # The fuller response (24 answers against 2) is the one kept.
    assert list(Response.objects.values_list("person_id", "answered")) == [(kept.pk, 24)]


def test_a_person_gets_their_answers_and_erasure_removes_them(cohort, gem, org):
    man = make_person(organization=org)
    enrol(cohort, man)
    survey = baseline(cohort, gem)
    services.response_record(actor=None, survey=survey, person=man, answers=NEUTRAL, consent=True)
    copy = person_export_reveal(actor=None, person=man)
    answers = copy["survey_responses"][0]["answers"]
    assert answers["gem_decides_sex"] == "Parcialmente de acuerdo"
    person_erase(actor=None, person=man, reason="holder_request")
    assert Response.objects.count() == 0


def test_only_roles_that_may_read_answers_get_them_and_the_read_is_audited(cohort, gem, org):
    from cascada.audit.models import AuditEvent
    from cascada.measurement.selectors import response_list_reveal

    man = make_person(organization=org)
    enrol(cohort, man)
    survey = baseline(cohort, gem)
    services.response_record(actor=None, survey=survey, person=man, answers=NEUTRAL, consent=True)
    officer = make_user(organization=org, role=Role.ME_OFFICER)
    assert response_list_reveal(user=officer, survey=survey).count() == 1
    assert AuditEvent.objects.filter(action="view_answers", actor=officer).count() == 1
    for role in (Role.VIEWER, Role.FACILITATOR):
        user = make_user(organization=org, role=role)
        assert response_list_reveal(user=user, survey=survey).count() == 0
        assert not AuditEvent.objects.filter(action="view_answers", actor=user).exists()
