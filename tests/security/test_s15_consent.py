"""S15: consent per purpose, with date, text version and who recorded it; withdrawal is
recorded; aggregates count only people whose latest reporting decision is a grant."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.registry.consent import reportable
from cascada.registry.models import Consent, ConsentPurpose, Person
from cascada.registry.services import consent_record
from cascada.trainings.models import Enrolment
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    org = make_org()
    coordinator = make_user(role="coordinator", organization=org)
    people = [make_person(organization=org) for _ in range(4)]
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    enrol(cohort, *people)
    return org, coordinator, people, cohort


def _fresh(person):
    return Person.objects.get(pk=person.pk)


def test_s15_consent_recorded_per_purpose_with_version_date_and_recorder(setup):
    _org, coordinator, people, _c = setup
    consent_record(
        actor=coordinator,
        person=people[0],
        purpose=ConsentPurpose.PARTICIPATION,
        granted=True,
        text_version="2026-01",
        date=dt.date(2026, 3, 1),
    )
    row = Consent.objects.get(person=people[0], purpose="participation")
    assert (row.granted, row.text_version, row.date, row.recorded_by) == (
        True,
        "2026-01",
        dt.date(2026, 3, 1),
        coordinator,
    )
    # Participation consent says nothing about aggregate reporting.
    assert _fresh(people[0]).reporting_consent is False


def test_s15_withdrawal_is_recorded_and_followed(setup):
    _org, coordinator, people, _c = setup
    p = people[0]
    consent_record(
        actor=coordinator,
        person=p,
        purpose="aggregate_reporting",
        granted=True,
        text_version="v1",
        date=dt.date(2026, 3, 1),
    )
    assert _fresh(p).reporting_consent is True
    consent_record(
        actor=coordinator,
        person=p,
        purpose="aggregate_reporting",
        granted=False,
        text_version="v1",
        date=dt.date(2026, 4, 1),
    )
    assert _fresh(p).reporting_consent is False
    # Both decisions stay on record.
    assert list(
        Consent.objects.filter(person=p, purpose="aggregate_reporting")
        .order_by("date")
        .values_list("granted", flat=True)
    ) == [True, False]
    # An older grant entered late does not override the later withdrawal.
    consent_record(
        actor=coordinator,
        person=p,
        purpose="aggregate_reporting",
        granted=True,
        text_version="v1",
        date=dt.date(2026, 2, 1),
    )
    assert _fresh(p).reporting_consent is False


def test_s15_aggregates_count_only_consenters(setup):
    _org, coordinator, people, cohort = setup
    for p in people[:3]:
        consent_record(
            actor=coordinator,
            person=p,
            purpose="aggregate_reporting",
            granted=True,
            text_version="v1",
        )
    consent_record(
        actor=coordinator,
        person=people[2],
        purpose="aggregate_reporting",
        granted=False,
        text_version="v1",
    )
    everyone = Person.objects.filter(pk__in=[p.pk for p in people])
    assert reportable(everyone).count() == 2
    enrolments = Enrolment.objects.filter(cohort=cohort)
    assert enrolments.count() == 4
    assert reportable(enrolments, person="person").count() == 2


def test_s15_consent_needs_permission(setup):
    from cascada.core.errors import PermissionDeniedError

    org, _coordinator, people, _c = setup
    viewer = make_user(role="viewer", organization=org)
    with pytest.raises(PermissionDeniedError):
        consent_record(
            actor=viewer,
            person=people[0],
            purpose="aggregate_reporting",
            granted=True,
            text_version="v1",
        )
    assert not Consent.objects.filter(person=people[0]).exists()


def test_s15_what_a_viewer_sees_counts_only_consenters(client, settings):
    """The cohort counts a donor reads (home page and API) leave out people who did not
    consent to aggregate reporting; the coordinator's exact figures include everyone."""
    from django.urls import reverse

    from tests.accounts.factories import login_verified
    from tests.api.conftest import token_client

    settings.CASCADA_SMALL_NUMBER_K = 2
    org = make_org()
    people = [make_person(organization=org) for _ in range(8)]
    for person in people[:6]:
        consent_record(
            actor=None,
            person=person,
            purpose=ConsentPurpose.AGGREGATE_REPORTING,
            granted=True,
            text_version="v1",
        )
    cohort = make_cohort(program=make_program(owner=org), sessions=1, name="Cohorte S15")
    enrol(cohort, *people)
    viewer = make_user(role="viewer", organization=org)
    coordinator = make_user(role="coordinator", organization=org)

    program = cohort.program
    by_viewer = token_client(viewer).get(f"/api/cascade/programs/{program.pk}/").json()
    by_coordinator = token_client(coordinator).get(f"/api/cascade/programs/{program.pk}/").json()
    assert by_viewer["enrolled"] == 6
    assert by_coordinator["enrolled"] == 8
    # Per-cohort counts are not in a viewer's release at all (ADR 0006).
    assert token_client(viewer).get(f"/api/cohorts/{cohort.pk}/").json()["n_enrolled"] is None
    assert token_client(coordinator).get(f"/api/cohorts/{cohort.pk}/").json()["n_enrolled"] == 8

    login_verified(client, viewer)
    html = client.get(reverse("web:home")).content.decode()
    assert 'data-test="program-enrolled" data-count="release">6<' in html
    assert 'data-test="cohort-enrolled"' not in html
