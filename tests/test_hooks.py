"""The wiring of the hooks (``cascada/core/hooks.py``): who answers each piece of news,
and that the answers run in the sender's transaction. A lost subscription fails here
rather than leaving a person's rows behind (docs/decisions/layers-and-hooks.md)."""

from __future__ import annotations

import pytest

from cascada.cascade.models import Lineage, TrainingEdge
from cascada.core.errors import ApplicationError
from cascada.core.hooks import Hook, Question
from cascada.registry.hooks import people_reached, person_merged
from cascada.registry.models import Person
from cascada.registry.services import person_merge
from cascada.trainings.models import Enrolment
from tests.cascade.factories import complete, run_cohort
from tests.registry.factories import make_person
from tests.trainings.factories import make_program

# Every hook and its receivers, in the order they run (apps below first).
EXPECTED = {
    "registry.person_merged": (
        "cascada.trainings.receivers.person_merged",
        "cascada.cascade.receivers.person_merged",
        "cascada.networks.arco.person_merged",
        "cascada.measurement.arco.person_merged",
        "cascada.commitments.arco.person_merged",
        "cascada.safeguarding.arco.person_merged",
        "cascada.indicators.receivers.person_merged",
    ),
    "trainings.completions_changed": (
        "cascada.cascade.receivers.completions_changed",
        "cascada.indicators.receivers.completions_changed",
    ),
    "trainings.facilitators_changed": ("cascada.cascade.receivers.facilitators_changed",),
    "trainings.cohorts_changed": (
        "cascada.cascade.receivers.cohorts_changed",
        "cascada.indicators.receivers.cohorts_changed",
    ),
    "registry.people_changed": (
        "cascada.cascade.receivers.people_changed",
        "cascada.indicators.receivers.people_changed",
    ),
    "registry.person_erased": (
        "cascada.trainings.arco.person_erased",
        "cascada.cascade.arco.person_erased",
        "cascada.networks.arco.person_erased",
        "cascada.measurement.arco.person_erased",
        "cascada.commitments.arco.person_erased",
        "cascada.safeguarding.arco.person_erased",
        "cascada.indicators.receivers.person_erased",
    ),
    "registry.person_exported": (
        "cascada.trainings.arco.person_exported",
        "cascada.cascade.arco.person_exported",
        "cascada.networks.arco.person_exported",
        "cascada.measurement.arco.person_exported",
        "cascada.commitments.arco.person_exported",
    ),
}


# Every question the registry asks the apps above, and who answers it.
EXPECTED_ANSWERS = {
    "registry.people_reached": ("cascada.trainings.selectors.people_reached",),
    "registry.organizations_reached": ("cascada.trainings.selectors.organizations_reached",),
    "accounts.two_factor_needed": (
        "cascada.commitments.selectors.assigned_needs_two_factor",
        "cascada.research.selectors.member_needs_two_factor",
        "cascada.safeguarding.selectors.needs_two_factor",
    ),
}


def test_every_hook_has_exactly_its_receivers():
    wired = {name: hook.receivers for name, hook in Hook.declared().items()}
    assert wired == EXPECTED


def test_every_question_has_exactly_its_answers():
    wired = {name: question.receivers for name, question in Question.declared().items()}
    assert wired == EXPECTED_ANSWERS


@pytest.mark.django_db
def test_a_lost_answer_hides_people_it_never_shows_more(org, monkeypatch):
    """Visibility through a shared program comes from trainings' answer; without it the
    partner sees only its own people (narrower), and nobody else's."""
    from cascada.accounts.roles import Role
    from cascada.registry.selectors import identity_visible_ids, person_list
    from cascada.trainings.services import enrolment_create, program_share
    from tests.accounts.factories import make_user
    from tests.registry.factories import make_org
    from tests.trainings.factories import make_cohort

    partner = make_org(name="Socia")
    program = make_program(owner=org)
    program_share(actor=None, program=program, organization=partner)
    enrolled = make_person(organization=org)
    enrolment_create(actor=None, cohort=make_cohort(program=program), person=enrolled)
    stranger = make_person(organization=org)
    user = make_user(organization=partner, role=Role.COORDINATOR)
    ids = {enrolled.pk, stranger.pk}

    assert set(person_list(user=user).values_list("pk", flat=True)) == {enrolled.pk}
    assert identity_visible_ids(user=user, person_ids=ids) == {enrolled.pk}
    monkeypatch.setattr(people_reached, "_receivers", [])
    assert set(person_list(user=user).values_list("pk", flat=True)) == set()
    assert identity_visible_ids(user=user, person_ids=ids) == set()


def test_a_hook_refuses_to_send_outside_a_transaction():
    with pytest.raises(RuntimeError, match="outside a transaction"):
        person_merged.send(object())  # type: ignore[arg-type]


@pytest.mark.django_db
def test_merging_moves_enrolments_through_the_trainings_receiver(org):
    program = make_program(owner=org)
    keep, dup, trainer = (make_person(organization=org) for _ in range(3))
    cohort = run_cohort(program=program, facilitators=(trainer,))
    complete(cohort, dup)
    result = person_merge(actor=None, keep=keep, duplicate=dup)
    assert result.moved["enrolments"] == 1
    assert list(Enrolment.objects.filter(cohort=cohort).values_list("person_id", flat=True)) == [
        keep.pk
    ]


@pytest.mark.django_db
def test_a_failing_receiver_rolls_the_merge_back(org):
    program = make_program(owner=org)
    keep, dup, trainer = (make_person(organization=org) for _ in range(3))
    cohort = run_cohort(program=program, facilitators=(trainer,))
    complete(cohort, dup)

    def refuse(event):
        raise ApplicationError("refused")

    person_merged.subscribe(refuse)
    try:
        with pytest.raises(ApplicationError):
            person_merge(actor=None, keep=keep, duplicate=dup)
    finally:
        person_merged._receivers.remove(refuse)
    assert Enrolment.objects.get(cohort=cohort).person_id == dup.pk  # moved, then undone
    assert Person.objects.get(pk=dup.pk).merged_into_id is None


@pytest.mark.django_db
def test_a_completion_reaches_the_lineage_through_the_hook(org):
    program = make_program(owner=org)
    trainer, trainee = (make_person(organization=org) for _ in range(2))
    complete(run_cohort(program=program, facilitators=(trainer,)), trainee)
    assert TrainingEdge.objects.filter(trainer=trainer, trainee=trainee).exists()
    assert Lineage.objects.get(person=trainee).generation == 1
