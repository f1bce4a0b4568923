"""The sample's rules: screening excludes (a GBV activist, someone outside the popular
areas, an age outside both generations), consent only for the eligible and within the
quota, codes apart from identities, fieldwork only as the protocol allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.research.models import Method, Recruit, RecruitStatus
from cascada.research.selectors import quota_progress
from cascada.research.services.fieldwork import event_record
from cascada.research.services.sample import recruit_consent, recruit_screen, recruit_set_status
from cascada.research.services.study import member_set, quota_set, stratum_add, study_create
from tests.research.conftest import answers

D = dt.date


def _site(study, name="Villa María del Triunfo"):
    return study.sites.get(name=name)


def screen(study, by, *, age=24, method=Method.INTERVIEW, site=None, **kw):
    return recruit_screen(
        actor=by,
        study=study,
        site=site or _site(study),
        method=method,
        age=age,
        answers=answers(study, **kw),
        screened_on=D(2024, 2, 1),
    )


CONSENTED_ON = D(2024, 2, 2)
INTERVIEWED_ON = D(2024, 2, 5)


def consent(study, by, recruit, day=CONSENTED_ON):
    return recruit_consent(
        actor=by, recruit=recruit, consent_form=study.consent_forms.get(), consented_on=day
    )


def interview(study, by, person, day=INTERVIEWED_ON):
    return event_record(
        actor=by,
        study=study,
        method=Method.INTERVIEW,
        site=person.site,
        held_on=day,
        participants=[person],
        duration_minutes=75,
        interviewer=by,
    )


def test_a_gbv_activist_is_excluded_with_the_reason(study, researcher):
    recruit = screen(study, researcher, activist=True)
    assert recruit.status == RecruitStatus.EXCLUDED
    assert recruit.exclusion == "activista contra la violencia de género"


def test_the_answer_that_excludes_may_be_no(study, researcher):
    recruit = screen(study, researcher, popular=False)
    assert recruit.status == RecruitStatus.EXCLUDED
    assert recruit.exclusion == "no vive en una zona popular"


def test_several_reasons_are_all_kept(study, researcher):
    recruit = screen(study, researcher, age=31, activist=True)
    assert recruit.status == RecruitStatus.EXCLUDED
    assert "activista" in recruit.exclusion
    assert "age outside" in recruit.exclusion_reasons
    assert recruit.stratum is None


@pytest.mark.parametrize(
    "age,group", [(20, "Jóvenes"), (29, "Jóvenes"), (35, "Adultos"), (50, "Adultos")]
)
def test_ages_at_the_edges_fall_in_their_generation(study, researcher, age, group):
    recruit = screen(study, researcher, age=age)
    assert recruit.status == RecruitStatus.ELIGIBLE
    assert recruit.stratum.name.startswith(group)


@pytest.mark.parametrize("age", [19, 30, 34, 51])
def test_ages_between_or_beyond_the_generations_exclude(study, researcher, age):
    assert screen(study, researcher, age=age).status == RecruitStatus.EXCLUDED


def test_every_screening_question_must_be_answered(study, researcher):
    first = study.questions.order_by("order").first()
    with pytest.raises(ApplicationError) as err:
        recruit_screen(
            actor=researcher,
            study=study,
            site=_site(study),
            method=Method.INTERVIEW,
            age=25,
            answers={first.pk: False},
            screened_on=D(2024, 2, 1),
        )
    assert err.value.extra["field"].startswith("q_")
    assert not Recruit.objects.exists()


def test_codes_follow_each_other_and_identity_is_encrypted(study, researcher):
    one = recruit_screen(
        actor=researcher,
        study=study,
        site=_site(study),
        method=Method.INTERVIEW,
        age=25,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
        name="Canario Quispe Mamani",
        contact="987654321",
    )
    two = screen(study, researcher)
    assert (one.code, two.code) == ("MRV-001", "MRV-002")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM research_recruit WHERE id = %s", [one.pk])
        name, contact = cursor.fetchone()
    assert "Canario" not in name and "987654321" not in contact
    assert Recruit.objects.get(pk=one.pk).name == "Canario Quispe Mamani"


def test_an_excluded_person_cannot_consent(study, researcher):
    recruit = screen(study, researcher, activist=True)
    with pytest.raises(ApplicationError, match="excluded|excluido"):
        consent(study, researcher, recruit)
    recruit.refresh_from_db()
    assert recruit.status == RecruitStatus.EXCLUDED


def test_consent_is_refused_once_the_quota_is_met(study, researcher):
    """Iquitos, young men, interviews: a quota of 1. Once one took part, the next is
    refused with the figures."""
    iquitos = _site(study, "Iquitos")
    first = consent(study, researcher, screen(study, researcher, site=iquitos))
    second = screen(study, researcher, site=iquitos)
    consent(study, researcher, second)  # not yet met: nobody took part
    interview(study, researcher, first)
    third = screen(study, researcher, site=iquitos)
    with pytest.raises(ApplicationError) as err:
        consent(study, researcher, third)
    assert "1" in str(err.value) and "Iquitos" in str(err.value)
    third.refresh_from_db()
    assert third.status == RecruitStatus.ELIGIBLE


def test_no_quota_for_the_cell_refuses_consent(study, researcher):
    """Iquitos has no quota for older men."""
    recruit = screen(study, researcher, site=_site(study, "Iquitos"), age=40)
    with pytest.raises(ApplicationError):
        consent(study, researcher, recruit)


def test_consent_needs_a_form_approved_before_and_a_date_after_screening(study, researcher):
    recruit = screen(study, researcher)
    with pytest.raises(ApplicationError):
        consent(study, researcher, recruit, day=D(2024, 1, 31))  # before screening
    with pytest.raises(ApplicationError):
        consent(study, researcher, recruit, day=D(2099, 1, 1))  # in the future


def test_progress_counts_who_took_part_against_the_quota(study, lead, researcher, upch_viewer):
    people = [consent(study, researcher, screen(study, researcher)) for _ in range(2)]
    interview(study, researcher, people[0])
    screen(study, researcher, activist=True)
    progress = quota_progress(user=lead, study=study)
    row = next(
        r
        for r in progress.rows
        if r.quota.site.name == "Villa María del Triunfo"
        and r.quota.stratum.age_min == 20
        and r.quota.method == Method.INTERVIEW
    )
    assert (row.screened.value, row.eligible.value, row.excluded.value) == (3, 2, 1)
    assert (row.consented.value, row.took_part.value, row.target) == (2, 1, 2)
    assert not row.met
    # The viewer of the organization reads small counts hidden.
    seen = quota_progress(user=upch_viewer, study=study)
    assert all(r.took_part.value in (None, 0) for r in seen.rows)
    assert str(seen.took_part) == "<5"


def test_an_interview_has_one_participant_and_a_focus_group_six_to_ten(study, lead, researcher):
    quota_set(
        actor=lead,
        study=study,
        site=_site(study),
        stratum=study.strata.get(age_min=20),
        method=Method.FOCUS_GROUP,
        target=10,
    )
    people = [
        consent(study, researcher, screen(study, researcher, method=Method.FOCUS_GROUP))
        for _ in range(11)
    ]
    for wrong in (people[:5], people):
        with pytest.raises(ApplicationError, match="6"):
            event_record(
                actor=researcher,
                study=study,
                method=Method.FOCUS_GROUP,
                site=_site(study),
                held_on=D(2024, 2, 6),
                participants=wrong,
                duration_minutes=90,
            )
    group = event_record(
        actor=researcher,
        study=study,
        method=Method.FOCUS_GROUP,
        site=_site(study),
        held_on=D(2024, 2, 6),
        participants=people[:8],
        duration_minutes=90,
    )
    assert group.participants.count() == 8
    with pytest.raises(ApplicationError):
        interview(study, researcher, people[9])  # recruited for a focus group


def test_fieldwork_needs_a_valid_ethics_approval(study, researcher):
    person = consent(study, researcher, screen(study, researcher))
    with pytest.raises(ApplicationError, match="ethics|ética"):
        interview(study, researcher, person, day=D(2025, 3, 1))  # approval expired 2025-01-09


def test_only_consented_people_take_part(study, researcher):
    person = screen(study, researcher)
    with pytest.raises(ApplicationError):
        interview(study, researcher, person)


def test_withdrawal_erases_the_identity(study, researcher):
    person = recruit_screen(
        actor=researcher,
        study=study,
        site=_site(study),
        method=Method.INTERVIEW,
        age=25,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
        name="Nombre Ficticio",
    )
    consent(study, researcher, person)
    recruit_set_status(actor=researcher, recruit=person, status=RecruitStatus.WITHDRAWN)
    person.refresh_from_db()
    assert person.status == RecruitStatus.WITHDRAWN and person.name == ""


@pytest.mark.parametrize("who", ["coder", "upch_coordinator", "upch_viewer", "stranger"])
def test_only_the_lead_and_researchers_recruit(study, request, who):
    with pytest.raises(PermissionDeniedError):
        screen(study, request.getfixturevalue(who))


def test_a_coordinator_creates_a_study_but_reads_no_transcript(upch, upch_coordinator, lead):
    from cascada.research.selectors import reads_transcripts

    study = study_create(
        actor=upch_coordinator,
        organization=upch,
        title="Estudio",
        code="EST",
        starts_on=D(2024, 1, 1),
        lead=lead,
    )
    assert reads_transcripts(lead, study)
    assert not reads_transcripts(upch_coordinator, study)


def test_members_are_given_by_the_lead_never_by_oneself(study, lead, upch_coordinator, upch_viewer):
    with pytest.raises(PermissionDeniedError):
        member_set(actor=upch_coordinator, study=study, user=upch_coordinator, role="researcher")
    with pytest.raises(ApplicationError):
        member_set(actor=lead, study=study, user=lead, role="coder")
    member_set(actor=lead, study=study, user=upch_viewer, role="coder")


def test_a_stranger_cannot_become_a_member(study, lead, stranger):
    with pytest.raises(ApplicationError):
        member_set(actor=lead, study=study, user=stranger, role="coder")


def test_generations_do_not_overlap(study, lead):
    with pytest.raises(ApplicationError):
        stratum_add(actor=lead, study=study, name="Solapado", age_min=28, age_max=36)
