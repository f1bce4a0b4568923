"""The measurement API as the web: rounds, answers only for those who read them, recording
answers, and the analysis (exact for the M&E officer, protected for a viewer)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cascada.measurement.models import Instrument, Response
from cascada.measurement.services import response_record, round_create
from cascada.measurement.shipped import GEM_ITEMS
from tests.accounts.factories import make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=2)
    gem = Instrument.objects.get(code="gem", organization=None).versions.get()
    rounds = [
        round_create(actor=None, cohort=cohort, version=gem, kind=k, opens_on=cohort.start_date)
        for k in ("baseline", "endline")
    ]
    men = [make_person(organization=org, sex="male") for _ in range(8)]
    enrol(cohort, *men)
    for man in men:
        response_record(
            actor=None,
            survey=rounds[0],
            person=man,
            answers=dict.fromkeys((c for c, *_ in GEM_ITEMS), "agree"),
            consent=True,
        )
        response_record(
            actor=None,
            survey=rounds[1],
            person=man,
            answers={c: ("disagree" if ineq else "agree") for c, ineq, *_ in GEM_ITEMS},
            consent=True,
        )
    return cohort, rounds, men


def test_answers_are_for_those_who_read_them(world, org):
    _cohort, (base, _end), men = world
    officer = make_user(organization=org, role="me_officer")
    rows = api(officer).get(f"/api/measurement/rounds/{base.pk}/responses/").json()["results"]
    assert {r["respondent"] for r in rows} == {m.code for m in men} and rows[0]["total"] == 38
    viewer = make_user(organization=org, role="viewer")
    assert api(viewer).get(f"/api/measurement/rounds/{base.pk}/responses/").status_code == 404
    assert api(viewer).get(f"/api/measurement/rounds/{base.pk}/").status_code == 200


def test_recording_answers_through_the_api(world, org):
    cohort, (base, _end), _men = world
    man = make_person(organization=org)
    enrol(cohort, man)
    coordinator = make_user(organization=org, role="coordinator")
    response = api(coordinator).post(
        f"/api/measurement/rounds/{base.pk}/responses/",
        {"person": man.code, "consent": True, "answers": {"gem_decides_sex": "disagree"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="6f1c2a0e-2b8e-4f55-9a53-8f6a5f1e0c11",
    )
    assert response.status_code == 201, response.content
    assert Response.objects.get(person=man).answers == {"gem_decides_sex": "disagree"}


def test_the_analysis_is_exact_for_the_officer_and_protected_for_a_viewer(world, org):
    cohort, _rounds, men = world
    officer = make_user(organization=org, role="me_officer")
    data = api(officer).get(f"/api/measurement/programs/{cohort.program_id}/analysis/").json()
    assert data["exact"] and data["overall"]["n"] == 8
    assert data["overall"]["change"]["mean_difference"] == pytest.approx(72 - 38)
    viewer = make_user(organization=org, role="viewer")
    data = api(viewer).get(f"/api/measurement/programs/{cohort.program_id}/analysis/").json()
    assert not data["exact"] and data["overall"]["change"] is None  # nobody consented


def test_an_own_instrument_through_the_api_then_published(org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.measurement.test_instrument_import import UGANDA_CHOICES, UGANDA_SURVEY, workbook

    coordinator = make_user(organization=org, role="coordinator")
    response = api(coordinator).post(
        "/api/measurement/instruments/",
        {
            "organization": org.pk,
            "file": SimpleUploadedFile("ug.xlsx", workbook(UGANDA_SURVEY, UGANDA_CHOICES)),
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="0b6d6f3e-6a1f-4d7a-9a52-3c1f2e9d8a71",
    )
    assert response.status_code == 201, response.content
    version = response.json()
    assert version["status"] == "draft" and [i["code"] for i in version["items"]] == [
        "u_decides",
        "u_beaten",
        "u_together",
    ]
    published = api(coordinator).post(
        f"/api/measurement/instruments/{version['id']}/publish/",
        HTTP_IDEMPOTENCY_KEY="9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    viewer = make_user(organization=org, role="viewer")
    listed = api(viewer).get("/api/measurement/instruments/").json()["results"]
    assert {v["instrument"] for v in listed} >= {"gem", "dhs-wife-beating"}
