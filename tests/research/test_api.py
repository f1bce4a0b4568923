"""Formative research through the API (issue 12): studies, their protocol and sample
progress (exact for members and the organization's program managers, protected for
viewers), the codebook for those who keep it; never a transcript, an excerpt, a memo or a
recruit's identity, whoever asks (S3, S11)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from cascada.research.models import Method
from cascada.research.services.coding import code_create, code_update, coding_add
from cascada.research.services.fieldwork import event_record, transcript_save
from cascada.research.services.sample import recruit_consent, recruit_screen
from tests.research.conftest import answers

pytestmark = pytest.mark.django_db
D = dt.date
CANARY = "CANARIO-API-9c1e"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def coded(study, lead, researcher):
    site = study.sites.get(name="Villa María del Triunfo")
    person = recruit_screen(
        actor=researcher,
        study=study,
        site=site,
        method=Method.INTERVIEW,
        age=23,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
        name=f"Nombre {CANARY}",
        contact=CANARY,
    )
    recruit_consent(
        actor=researcher,
        recruit=person,
        consent_form=study.consent_forms.get(),
        consented_on=D(2024, 2, 2),
    )
    event = event_record(
        actor=researcher,
        study=study,
        method=Method.INTERVIEW,
        site=site,
        held_on=D(2024, 2, 3),
        participants=[person],
        duration_minutes=50,
    )
    transcript = transcript_save(
        actor=researcher, event=event, text=f"E: ¿Qué piensa?\nP: {CANARY} y nada más."
    )
    code = code_create(
        actor=lead, study=study, name="Celos y control", definition="Vigilar a la pareja."
    )
    code_update(actor=lead, code=code, memo=CANARY)
    coding_add(actor=lead, transcript=transcript, code=code, start=19, end=30, memo=CANARY)
    return study


def test_members_and_overseers_read_the_exact_progress(coded, lead, upch_coordinator):
    for user in (lead, upch_coordinator):
        body = api(user).get(f"/api/research/studies/{coded.pk}/").json()
        row = next(
            r
            for r in body["progress"]
            if r["site"] == "Villa María del Triunfo"
            and r["method"] == "interview"
            and r["age_group"].startswith("Jóvenes")
        )
        assert (row["screened"], row["consented"], row["took_part"], row["target"]) == (1, 1, 1, 2)
        assert body["took_part"] == 1


def test_a_viewer_reads_small_counts_hidden(coded, upch_viewer):
    body = api(upch_viewer).get(f"/api/research/studies/{coded.pk}/").json()
    assert body["took_part"] == "<5"
    assert all(r["took_part"] in ("<5", 0, None) for r in body["progress"])
    assert api(upch_viewer).get(f"/api/research/studies/{coded.pk}/codebook/").status_code == 404


def test_another_organization_sees_nothing(coded, stranger):
    client = api(stranger)
    assert client.get("/api/research/studies/").json()["results"] == []
    assert client.get(f"/api/research/studies/{coded.pk}/").status_code == 404
    assert client.get(f"/api/research/studies/{coded.pk}/codebook/").status_code == 404


def test_the_codebook_has_names_and_definitions_never_memos(coded, lead):
    rows = api(lead).get(f"/api/research/studies/{coded.pk}/codebook/").json()
    assert [(r["name"], r["definition"]) for r in rows] == [
        ("Celos y control", "Vigilar a la pareja.")
    ]


def test_a_transcript_never_leaves_through_the_api(
    coded, lead, researcher, coder, upch_coordinator, upch_viewer
):
    """The canary sits in a transcript, a coding's memo, a code's memo and a recruit's
    name and contact: no answer of the research API carries it, for any role."""
    for user in (lead, researcher, coder, upch_coordinator, upch_viewer):
        client = api(user)
        for url in (
            "/api/research/studies/",
            f"/api/research/studies/{coded.pk}/",
            f"/api/research/studies/{coded.pk}/codebook/",
        ):
            response = client.get(url)
            assert CANARY not in json.dumps(response.json(), ensure_ascii=False)
