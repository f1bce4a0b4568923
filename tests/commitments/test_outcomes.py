"""Outcomes and their reach (issue 11): an activity already in Cascada (a training, a
community action) is linked, not retyped, so that whom it reached counts once; contacts at
actions are never people; what an institution declares stays apart; and every figure
reaches the page through the disclosure control."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cascada.accounts.roles import Role
from cascada.commitments.models import Outcome
from cascada.commitments.selectors import reach_of, reach_release, sees_reach_exactly
from cascada.commitments.services import outcome_record
from cascada.core.errors import ApplicationError
from cascada.networks.models import Network
from cascada.networks.services import action_record
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def cies_cohorts(cies):
    program = make_program(owner=cies, name="Masculinidades en la escuela")
    first = make_cohort(program=program, sessions=2)
    second = make_cohort(program=program, sessions=2, start=D(2026, 5, 4))
    return first, second


@pytest.fixture
def fair(cies):
    network = Network.objects.create(organization=cies, name="Red de El Alto", kind="municipal")
    return action_record(
        actor=None,
        network=network,
        date=D(2019, 10, 5),
        kind="fair",
        title="Feria por el buen trato",
        women=40,
        men=25,
        children=10,
    )[0]


def test_people_trained_in_linked_trainings_count_once(
    commitment, alianza_commitment, cies, cies_cohorts, fair
):
    first, second = cies_cohorts
    teachers = [make_person(organization=cies, sex=s) for s in ("female",) * 4 + ("male",) * 3]
    enrol(first, *teachers[:5])
    enrol(second, *teachers[3:])  # two people in both trainings
    outcome_record(actor=None, commitment=commitment, description="Docentes formados",
                   recorded_on=D(2019, 11, 1), cohort=first)  # fmt: skip
    outcome_record(actor=None, commitment=commitment, description="Segundo grupo",
                   recorded_on=D(2019, 11, 2), cohort=second)  # fmt: skip
    outcome_record(actor=None, commitment=commitment, description="El mismo grupo, otra vez",
                   recorded_on=D(2019, 11, 3), cohort=first)  # fmt: skip
    outcome_record(actor=None, commitment=commitment, description="Feria",
                   recorded_on=D(2019, 10, 6), community_action=fair)  # fmt: skip
    outcome_record(actor=None, commitment=alianza_commitment, description="Encuentro juvenil",
                   recorded_on=D(2019, 10, 6), people_reached=120)  # fmt: skip

    mine = reach_of([commitment.pk])
    assert mine.people_enrolled == 7  # not 5 + 4 + 5
    assert mine.enrolled == {"female": 4, "male": 3}
    assert mine.contact_total == 75 and mine.actions == 1  # contacts, not people
    assert mine.declared == 0
    both = reach_of([commitment.pk, alianza_commitment.pk])
    assert both.people_enrolled == 7 and both.declared == 120


def test_the_reach_has_one_source_only(commitment, cies_cohorts, fair):
    first, _second = cies_cohorts
    with pytest.raises(ApplicationError) as twice:
        outcome_record(actor=None, commitment=commitment, description="Talleres",
                       recorded_on=D(2019, 11, 1), cohort=first, people_reached=30)  # fmt: skip
    assert twice.value.extra == {"field": "people_reached"}
    with pytest.raises(ApplicationError):
        outcome_record(actor=None, commitment=commitment, description="Talleres",
                       recorded_on=D(2019, 11, 1), cohort=first, community_action=fair)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # also in the database
        Outcome.objects.create(commitment=commitment, description="x", recorded_on=D(2019, 1, 1),
                               cohort=first, people_reached=3)  # fmt: skip


def test_another_institutions_training_cannot_be_claimed(commitment, alianza):
    theirs = make_cohort(program=make_program(owner=alianza, name="Jóvenes"), sessions=1)
    with pytest.raises(ApplicationError) as refused:
        outcome_record(actor=None, commitment=commitment, description="Suyo",
                       recorded_on=D(2019, 11, 1), cohort=theirs)  # fmt: skip
    assert refused.value.extra == {"field": "link"}
    assert not Outcome.objects.exists()


def test_small_reach_is_hidden_from_whoever_does_not_see_the_people(
    commitment, cies, cies_cohorts, manager, settings
):
    first, _second = cies_cohorts
    enrol(first, *[make_person(organization=cies) for _ in range(2)])
    outcome_record(actor=None, commitment=commitment, description="Dos docentes",
                   recorded_on=D(2019, 11, 1), cohort=first)  # fmt: skip
    reach = reach_of([commitment.pk])
    assert not sees_reach_exactly(manager, [commitment.pk])  # the funder's staff
    hidden = reach_release(reach, exact=False)["enrolled"]
    assert hidden.total.value is None  # 2 people: "<k"
    cies_staff = make_user(role=Role.ME_OFFICER, organization=cies)
    assert sees_reach_exactly(cies_staff, [commitment.pk])
    assert reach_release(reach, exact=True)["enrolled"].total.value == 2


def test_the_focal_point_links_a_training_on_the_page(client, focal, commitment, cies_cohorts):
    first, _second = cies_cohorts
    user = make_user(username="juana-cies", person=focal)
    login_verified(client, user)
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert f'value="c{first.pk}"' in page
    answer = client.post(
        f"/commitments/{commitment.pk}/outcome/",
        {"ou-description": "Docentes formados en El Alto", "ou-recorded_on": "2019-11-01",
         "ou-link": f"c{first.pk}", "ou-people_reached": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    assert Outcome.objects.get().cohort == first
    refused = client.post(
        f"/commitments/{commitment.pk}/outcome/",
        {"ou-description": "Otra", "ou-recorded_on": "2019-11-01",
         "ou-link": f"c{first.pk}", "ou-people_reached": "40"},
    )  # fmt: skip
    assert refused.status_code == 400 and Outcome.objects.count() == 1
    odd = client.post(
        f"/commitments/{commitment.pk}/outcome/",
        {"ou-description": "x", "ou-recorded_on": "2019-11-01", "ou-link": "c999999999999",
         "ou-people_reached": "99999999999999999999"},
    )  # fmt: skip
    assert odd.status_code == 400


def test_a_mentor_records_no_outcome(client, mentor, commitment):
    login_verified(client, mentor)
    answer = client.post(
        f"/commitments/{commitment.pk}/outcome/",
        {"ou-description": "x", "ou-recorded_on": "2019-11-01", "ou-people_reached": "3"},
    )
    assert answer.status_code == 403 and not Outcome.objects.exists()
