"""Commitments and a person's rights (S14; docs/decisions/arco.md): a merge moves the
focal point and the testimonies; an erasure leaves the testimony its institution and no
name anywhere in a commitment; the person's copy lists what they gave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from cascada.commitments.arco import name_words, scrub
from cascada.commitments.models import Commitment
from cascada.commitments.services import (
    Plan,
    commitment_revise,
    evidence_add,
    lesson_record,
    mentoring_session_record,
    milestone_set_status,
)
from cascada.commitments.services import (
    testimony_record as record_testimony,
)
from cascada.registry import arco as registry_arco
from cascada.registry.services import person_merge
from tests.registry.factories import make_person

from .conftest import CIES_PLAN

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_merge_moves_the_focal_point_and_the_testimonies(commitment, cies, focal):
    duplicate = make_person(organization=cies, given_name="Juana", family_name="Mamani")
    Commitment.objects.filter(pk=commitment.pk).update(focal_point=duplicate)
    quote = record_testimony(actor=None, commitment=commitment, quote="Aprendimos juntos.",
                             author_institution=cies, author=duplicate,
                             recorded_on=D(2021, 12, 2))  # fmt: skip
    result = person_merge(actor=None, keep=focal, duplicate=duplicate)
    commitment.refresh_from_db()
    quote.refresh_from_db()
    assert commitment.focal_point == focal and quote.author == focal
    assert result.moved["commitments as focal point"] == 1
    assert result.moved["testimonies given"] == 1


def _all_text() -> str:
    """Every text and JSON value stored by the commitments app."""
    out = []
    for model in apps.get_app_config("commitments").get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if f.get_internal_type() in ("TextField", "CharField", "JSONField")]  # fmt: skip
        for row in model.objects.values_list(*fields):
            out.extend(str(v) for v in row)
    return "\n".join(out)


def test_an_erasure_keeps_the_testimony_and_its_institution_and_leaves_no_name(
    commitment, cies, focal, manager, mentor
):
    named = Plan(**{**CIES_PLAN.__dict__,
                    "people_responsible": "JUANA MAMANI QUISPE (coordinación) y el equipo",
                    "activities": "Talleres que facilita Juana Mamani Quispe"})  # fmt: skip
    commitment_revise(actor=manager, commitment=commitment, plan=named, created_on=D(2019, 6, 1))
    mentoring_session_record(actor=mentor, commitment=commitment, held_on=D(2019, 6, 5),
                             mode="call", topics="Reunión con Juana Mamani Quispe",
                             next_steps="Juana enviará el informe")  # fmt: skip
    lesson_record(actor=manager, commitment=commitment, recorded_on=D(2021, 12, 2),
                  text="Como dijo Juana Mamani Quispe, lo personal es político.")  # fmt: skip
    quote = record_testimony(actor=manager, commitment=commitment,
                             quote="El verdadero aprendizaje está en revisar lo personal.",
                             author_institution=cies, author=focal,
                             author_role="Coordinadora de Juana Mamani Quispe",
                             recorded_on=D(2021, 12, 2), consent_to_publish=True,
                             consent_on=D(2021, 12, 2))  # fmt: skip
    milestone = commitment.milestones.get(key="diagnostico")
    milestone_set_status(actor=manager, milestone=milestone, status="done", on=D(2019, 7, 1),
                         note="Entregado por Juana Mamani Quispe")  # fmt: skip
    evidence_add(actor=manager, milestone=milestone, name="Acta Juana Mamani Quispe.pdf",
                 data=b"%PDF-1.4", description="Firmada por Juana Mamani Quispe")  # fmt: skip
    assert "Mamani" in _all_text()

    receipt = registry_arco.person_erase(actor=None, person=focal, reason="holder_request")

    quote.refresh_from_db()
    focal.refresh_from_db()
    assert quote.author is None and quote.author_role == ""
    assert quote.author_institution == cies
    assert quote.quote.startswith("El verdadero aprendizaje")
    text = _all_text()
    assert "Mamani" not in text and "MAMANI" not in text
    # The name gave way to the person's new code, so the sentence still reads.
    assert f"{focal.code} (coordinación) y el equipo" in text
    assert f"Reunión con {focal.code}" in text
    assert "Juana enviará el informe" in text  # a given name alone is not searched for
    assert receipt["testimonies without their author"] == 1
    assert f"Acta {focal.code}.pdf" in text
    assert receipt["texts without the name"] == 5
    # The commitment keeps its pseudonymous focal point.
    commitment.refresh_from_db()
    assert commitment.focal_point_id == focal.pk


def test_the_persons_copy_lists_their_commitments_and_testimonies(commitment, cies, focal):
    record_testimony(actor=None, commitment=commitment, quote="Aprendimos juntos.",
                     author_institution=cies, author=focal, recorded_on=D(2021, 12, 2))  # fmt: skip
    data = registry_arco.person_export_reveal(actor=None, person=focal)
    assert data["commitments_focal_point"][0]["institution"] == cies.name
    assert data["testimonies"][0]["quote"] == "Aprendimos juntos."
    assert data["testimonies"][0]["consent_to_publish"] is False


def test_scrub_replaces_runs_of_name_words_only():
    words = {"juana", "mamani", "quispe"}
    assert scrub("Hablé con Juana Mamani Quispe ayer.", words, "K7") == "Hablé con K7 ayer."
    assert scrub("Mamani, Juana", words, "K7") == "Mamani, Juana"  # not a run of words
    assert scrub("JUANA MAMANÍ", words, "K7") == "K7"  # case and accents aside
    assert scrub("Rosa Mamani Condori", words, "K7") == "Rosa Mamani Condori"


def test_scrub_passes_over_particles_but_never_takes_them_for_a_name():
    words = name_words("María de la Cruz Mamani")
    assert words == {"maria", "cruz", "mamani"}
    assert scrub("Con María de la Cruz hoy", words, "K7") == "Con K7 hoy"
    assert scrub("Taller de la comunidad y de la escuela", words, "K7") == (
        "Taller de la comunidad y de la escuela"
    )
    assert scrub("La Cruz de la plaza", words, "K7") == "La Cruz de la plaza"
