"""Transcripts and coding: turns mapped to codes of people, text encrypted and out of the
audit trail, blind double coding, the merge after discussion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.research.models import Coding, Method, SpeakerKind
from cascada.research.selectors import codings_visible, transcript_get
from cascada.research.services.coding import (
    code_create,
    code_delete,
    code_update,
    codebook_version_save,
    coding_add,
    disagreements,
    transcript_double_code,
    transcript_merge,
)
from cascada.research.services.fieldwork import (
    event_record,
    transcript_deidentify,
    transcript_save,
)
from cascada.research.services.sample import recruit_consent, recruit_screen
from tests.research.conftest import answers

D = dt.date
CANARY = "CANARIO-7f3a-TRANSCRIPCION"

TEXT = (
    "E: ¿Cómo era la relación de sus padres?\n"
    "P: Mi papá tomaba mucho y le pegaba a mi mamá. " + CANARY + "\n"
    "E: ¿Y usted qué aprendió de eso?\n"
    "P: Que no quiero ser así con mis hijos. Mi tío Ernesto me enseñó otra forma."
)


@pytest.fixture
def interview(study, researcher):
    site = study.sites.get(name="Villa María del Triunfo")
    person = recruit_screen(
        actor=researcher,
        study=study,
        site=site,
        method=Method.INTERVIEW,
        age=24,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
        name="Ernesto Ficticio",
    )
    recruit_consent(
        actor=researcher,
        recruit=person,
        consent_form=study.consent_forms.get(),
        consented_on=D(2024, 2, 2),
    )
    return event_record(
        actor=researcher,
        study=study,
        method=Method.INTERVIEW,
        site=site,
        held_on=D(2024, 2, 5),
        participants=[person],
        duration_minutes=60,
        interviewer=researcher,
    )


@pytest.fixture
def transcript(interview, researcher):
    return transcript_save(actor=researcher, event=interview, text=TEXT)


@pytest.fixture
def codes(study, lead):
    risk = code_create(actor=lead, study=study, name="Factores de riesgo")
    return {
        "risk": risk,
        "childhood": code_create(
            actor=lead, study=study, name="Violencia en la niñez", parent=risk
        ),
        "alcohol": code_create(actor=lead, study=study, name="Consumo de alcohol", parent=risk),
        "protective": code_create(actor=lead, study=study, name="Factores de protección"),
    }


def span(text: str, fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def test_turns_are_mapped_to_the_interviewer_and_the_interviewee(transcript, interview):
    turns = list(transcript.turns.order_by("order"))
    assert [t.speaker for t in turns] == [
        SpeakerKind.INTERVIEWER,
        SpeakerKind.PARTICIPANT,
        SpeakerKind.INTERVIEWER,
        SpeakerKind.PARTICIPANT,
    ]
    assert turns[1].participant == interview.participants.get()
    assert transcript.text[turns[1].start : turns[1].end].startswith("P: Mi papá")


def test_the_text_is_encrypted_and_never_in_the_audit_trail(transcript, codes, lead):
    start, end = span(TEXT, CANARY)
    coding_add(
        actor=lead, transcript=transcript, code=codes["alcohol"], start=start, end=end, memo=CANARY
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM research_transcript WHERE id = %s", [transcript.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT memo FROM research_coding")
        memos = [row[0] for row in cursor.fetchall()]
    assert CANARY not in stored and "papá" not in stored
    assert all(CANARY not in m for m in memos)
    for event in AuditEvent.objects.all():
        assert CANARY not in str(event.detail) and CANARY not in event.target_id


@pytest.mark.parametrize("who", ["upch_coordinator", "upch_viewer", "stranger"])
def test_only_members_read_a_transcript(transcript, request, who):
    with pytest.raises(NotFoundError):
        transcript_get(user=request.getfixturevalue(who), pk=transcript.pk)


def test_every_member_reads_it_a_coder_included(transcript, coder):
    assert transcript_get(user=coder, pk=transcript.pk).text == TEXT


def test_coding_a_span_keeps_its_positions_in_characters(transcript, codes, coder):
    start, end = span(TEXT, "le pegaba a mi mamá")
    coding = coding_add(
        actor=coder, transcript=transcript, code=codes["childhood"], start=start, end=end
    )
    assert transcript.text[coding.start : coding.end] == "le pegaba a mi mamá"
    assert coding.final
    again = coding_add(
        actor=coder, transcript=transcript, code=codes["childhood"], start=start, end=end
    )
    assert again.pk == coding.pk


def test_a_span_outside_the_text_is_refused(transcript, codes, coder):
    for start, end in ((5, 5), (-1, 3), (0, len(TEXT) + 1)):
        with pytest.raises(ApplicationError):
            coding_add(actor=coder, transcript=transcript, code=codes["risk"], start=start, end=end)


def test_non_members_cannot_code(transcript, codes, upch_coordinator):
    with pytest.raises(PermissionDeniedError):
        coding_add(
            actor=upch_coordinator, transcript=transcript, code=codes["risk"], start=0, end=3
        )


def test_double_coding_is_blind_until_the_merge(transcript, codes, lead, coder, coder2):
    transcript_double_code(actor=lead, transcript=transcript, double_coded=True)
    pegaba = span(TEXT, "le pegaba a mi mamá")
    tomaba = span(TEXT, "Mi papá tomaba mucho")
    otra = span(TEXT, "Mi tío Ernesto me enseñó otra forma")
    # Both see violence in childhood in turn 2; only the first sees alcohol there;
    # only the second sees a protective factor in turn 4.
    coding_add(
        actor=coder, transcript=transcript, code=codes["childhood"], start=pegaba[0], end=pegaba[1]
    )
    coding_add(
        actor=coder, transcript=transcript, code=codes["alcohol"], start=tomaba[0], end=tomaba[1]
    )
    coding_add(
        actor=coder2, transcript=transcript, code=codes["childhood"], start=tomaba[0], end=pegaba[1]
    )
    coding_add(
        actor=coder2, transcript=transcript, code=codes["protective"], start=otra[0], end=otra[1]
    )
    mine = codings_visible(user=coder, transcript=transcript)
    assert {c.coder_id for c in mine} == {coder.pk} and mine.count() == 2
    assert codings_visible(user=lead, transcript=transcript).count() == 0
    turns = list(transcript.turns.order_by("order"))
    assert disagreements(transcript) == sorted(
        [(turns[1].pk, codes["alcohol"].pk), (turns[3].pk, codes["protective"].pk)]
    )
    with pytest.raises(PermissionDeniedError):
        transcript_merge(actor=coder, transcript=transcript, decisions={})
    with pytest.raises(ApplicationError, match="2"):
        transcript_merge(actor=lead, transcript=transcript, decisions={})
    written = transcript_merge(
        actor=lead,
        transcript=transcript,
        decisions={
            (turns[1].pk, codes["alcohol"].pk): False,
            (turns[3].pk, codes["protective"].pk): True,
        },
    )
    assert written == 2
    final = {
        (c.code_id, transcript.text[c.start : c.end])
        for c in codings_visible(user=coder, transcript=transcript)
    }
    assert final == {
        (codes["childhood"].pk, "Mi papá tomaba mucho y le pegaba a mi mamá"),
        (codes["protective"].pk, "Mi tío Ernesto me enseñó otra forma"),
    }
    assert Coding.objects.filter(final=False).count() == 4  # the coders' own stay
    with pytest.raises(ApplicationError):
        coding_add(actor=coder, transcript=transcript, code=codes["risk"], start=0, end=3)


def test_the_double_coded_set_is_chosen_before_coding(transcript, codes, lead, coder):
    coding_add(actor=coder, transcript=transcript, code=codes["risk"], start=0, end=3)
    with pytest.raises(ApplicationError):
        transcript_double_code(actor=lead, transcript=transcript, double_coded=True)


def test_a_code_cannot_sit_under_itself_nor_be_removed_once_used(transcript, codes, lead, coder):
    with pytest.raises(ApplicationError):
        code_update(actor=lead, code=codes["risk"], parent=codes["childhood"])
    coding_add(actor=coder, transcript=transcript, code=codes["childhood"], start=0, end=3)
    with pytest.raises(ApplicationError):
        code_delete(actor=lead, code=codes["risk"])
    code_delete(actor=lead, code=codes["protective"])


def test_codebook_versions_freeze_names_and_definitions(study, codes, lead):
    v1 = codebook_version_save(actor=lead, study=study, note="Primera versión")
    code_update(
        actor=lead, code=codes["alcohol"], name="Alcohol y drogas", definition="Uso de sustancias."
    )
    v2 = codebook_version_save(actor=lead, study=study)
    assert (v1.number, v2.number) == (1, 2)
    assert "Consumo de alcohol" in [c["name"] for c in v1.codes]
    assert "Alcohol y drogas" in [c["name"] for c in v2.codes]
    nested = next(c for c in v1.codes if c["name"] == "Violencia en la niñez")
    assert nested["parent"] == str(codes["risk"].guid)


def test_only_the_lead_keeps_the_codebook(study, coder):
    with pytest.raises(PermissionDeniedError):
        code_create(actor=coder, study=study, name="Otro")


def test_deidentification_replaces_names_before_coding(transcript, researcher, codes, coder):
    start, end = span(TEXT, "Ernesto")
    transcript_deidentify(
        actor=researcher, transcript=transcript, replacements={(start, end): "[NOMBRE 1]"}
    )
    transcript.refresh_from_db()
    assert "Ernesto" not in transcript.text and "[NOMBRE 1]" in transcript.text
    last = transcript.turns.order_by("order").last()
    assert transcript.text[last.start : last.end].endswith("otra forma.")
    coding_add(actor=coder, transcript=transcript, code=codes["risk"], start=0, end=3)
    with pytest.raises(ApplicationError):
        transcript_deidentify(actor=researcher, transcript=transcript, replacements={(0, 1): "X"})


def test_leaving_the_organization_ends_the_access_to_its_studies(transcript, coder):
    from cascada.accounts.models import Membership
    from cascada.research.selectors import forget

    Membership.objects.filter(user=coder).delete()
    forget(coder)
    with pytest.raises(NotFoundError):
        transcript_get(user=coder, pk=transcript.pk)
