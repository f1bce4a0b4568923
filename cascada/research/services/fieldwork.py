"""Interviews and focus groups, their audio and transcripts: speaker turns mapped to
participant codes, de-identification. The rules (docs/decisions/research.md):
- fieldwork happens under a valid ethics approval, never in the future, by the study's
  members, with consented participants of the event's site recruited for its method;
- an interview has one participant, a focus group 6 to 10;
- audio only when every participant agreed to be recorded;
- a transcript's text is encrypted at rest (S13) and never written to an audit row or a
  log (S11); its turns are the units of coding and reliability."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import cascada.research.transcripts as text_tools
from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.imports.storage import upload_open, upload_store

from ..models import (
    Audio,
    Event,
    Language,
    Method,
    Recruit,
    RecruitStatus,
    Site,
    SpeakerKind,
    Study,
    StudyMember,
    Transcript,
    TranscriptSource,
    Turn,
)
from ..selectors import may_field
from .base import _allow, _text, _user, not_in_future
from .study import approval_valid_on

FOCUS_GROUP_MIN = 6
FOCUS_GROUP_MAX = 10
TRANSCRIPT_MAX_CHARS = 400_000
AUDIO_MAX_BYTES = 200 * 1024 * 1024

# Speaker labels that name the interviewer or moderator in Spanish transcripts.
INTERVIEWER_LABELS = re.compile(
    r"^(e|ent|entrevistador|entrevistadora|entr|i|inv|investigador|investigadora|m|mod|"
    r"moderador|moderadora|facilitador|facilitadora)\.?$"
)


def _fold(label: str) -> str:
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", text).strip(" .:")


def _participants_checked(
    study: Study, site: Site, method: str, participants: Iterable[Recruit]
) -> list[Recruit]:
    people = list({p.pk: p for p in participants}.values())
    for person in people:
        if person.study_id != study.pk:
            raise ApplicationError(
                _("Choose participants of this study."), extra={"field": "participants"}
            )
        if person.status != RecruitStatus.CONSENTED:
            raise ApplicationError(
                _("%(code)s has not given consent: they cannot take part.") % {"code": person.code},
                extra={"field": "participants"},
            )
        if person.site_id != site.pk:
            raise ApplicationError(
                _("%(code)s was recruited in another site.") % {"code": person.code},
                extra={"field": "participants"},
            )
        if person.method != method:
            raise ApplicationError(
                _("%(code)s was recruited for another method.") % {"code": person.code},
                extra={"field": "participants"},
            )
    if method == Method.INTERVIEW and len(people) != 1:
        raise ApplicationError(
            _("An interview has one participant."), extra={"field": "participants"}
        )
    if method == Method.FOCUS_GROUP and not (FOCUS_GROUP_MIN <= len(people) <= FOCUS_GROUP_MAX):
        raise ApplicationError(
            _("A focus group has %(min)s to %(max)s participants (%(n)s chosen).")
            % {"min": FOCUS_GROUP_MIN, "max": FOCUS_GROUP_MAX, "n": len(people)},
            extra={"field": "participants"},
        )
    return people


def _member_user(study: Study, user: Any, field: str) -> Any:
    if user is None:
        return None
    if not StudyMember.objects.filter(study=study, user=user).exists():
        raise ApplicationError(
            _("The interviewer and the note-taker are members of the study."),
            extra={"field": field},
        )
    return user


@transaction.atomic
def event_record(
    *,
    actor: Any,
    study: Study,
    method: str,
    site: Site,
    held_on: dt.date,
    participants: Iterable[Recruit],
    duration_minutes: int,
    interviewer: Any = None,
    note_taker: Any = None,
    language: str = Language.SPANISH,
) -> Event:
    """Record an interview or a focus group (the lead and researchers)."""
    _allow(actor, may_field(actor, study))
    if method not in Method.values:
        raise ApplicationError(_("Unknown method."), extra={"field": "method"})
    if language not in Language.values:
        raise ApplicationError(_("Unknown language."), extra={"field": "language"})
    if site.study_id != study.pk:
        raise ApplicationError(_("Choose a site of this study."), extra={"field": "site"})
    not_in_future(study, held_on, field="held_on")
    if approval_valid_on(study, held_on) is None:
        raise ApplicationError(
            _("No ethics approval of the study covers %(day)s: fieldwork needs one.")
            % {"day": held_on.strftime("%d/%m/%Y")},
            extra={"field": "held_on"},
        )
    if not (1 <= int(duration_minutes) <= 600):
        raise ApplicationError(
            _("Give the duration in minutes, from 1 to 600."), extra={"field": "duration_minutes"}
        )
    people = _participants_checked(study, site, method, participants)
    for person in people:
        if person.consented_on and person.consented_on > held_on:
            raise ApplicationError(
                _("%(code)s gave consent after that date.") % {"code": person.code},
                extra={"field": "held_on"},
            )
    event = Event.objects.create(
        study=study,
        method=method,
        site=site,
        held_on=held_on,
        interviewer=_member_user(study, interviewer, "interviewer"),
        note_taker=_member_user(study, note_taker, "note_taker"),
        duration_minutes=int(duration_minutes),
        language=language,
        recorded_by=_user(actor),
    )
    event.participants.set(people)
    audit_record(actor=actor, action="create", target=event, detail={"people": len(people)})
    return event


# ---------------------------------------------------------------- audio

_AUDIO_MARKS: tuple[tuple[bytes, int, str], ...] = (
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
    (b"#!AMR", 0, "audio/amr"),
    (b"ftyp", 4, "audio/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm"),
)


def audio_kind(data: bytes) -> str | None:
    """What kind of audio the bytes are, from their content (never the name), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        return "audio/mpeg"  # an MP3 frame without an ID3 tag
    for mark, at, kind in _AUDIO_MARKS:
        if data[at : at + len(mark)] == mark:
            return kind
    return None


@transaction.atomic
def audio_attach(*, actor: Any, event: Event, name: str, data: bytes) -> Audio:
    """Keep the event's recording, encrypted; only if every participant agreed to it."""
    _allow(actor, may_field(actor, event.study))
    if len(data) > AUDIO_MAX_BYTES:
        raise ApplicationError(_("The recording is larger than 200 MB."), extra={"field": "audio"})
    kind = audio_kind(data)
    if kind is None:
        raise ApplicationError(
            _(
                "This file is not a recording Cascada can keep: send MP3, M4A, WAV, OGG, AMR or WebM."
            ),
            extra={"field": "audio"},
        )
    refused = [p.code for p in event.participants.all() if not p.audio_consent]
    if refused:
        raise ApplicationError(
            _("%(codes)s did not agree to be recorded: the recording cannot be kept.")
            % {"codes": ", ".join(refused)},
            extra={"field": "audio"},
        )
    Audio.objects.filter(event=event).delete()
    clean_name = "".join(ch for ch in str(name or "").rsplit("/", 1)[-1] if ch.isprintable())
    audio = Audio(
        event=event,
        original_name=clean_name[:200] or "audio",
        content_type=kind,
        size=len(data),
        uploaded_by=_user(actor),
    )
    upload_store(audio, data)
    audio.save()
    audit_record(actor=actor, action="create", target=audio)
    return audio


def audio_bytes(audio: Audio) -> bytes:
    """The recording, decrypted (for the page that serves it after checking who may)."""
    return upload_open(audio).read()


# ---------------------------------------------------------------- transcripts


def _turns_write(transcript: Transcript, text: str) -> None:
    """Split ``text`` into speaker turns and map their labels: in an interview, the
    interviewer's labels to the interviewer and the others to the one participant."""
    Turn.objects.filter(transcript=transcript).delete()
    event = transcript.event
    only = None
    if event is not None and event.method == Method.INTERVIEW:
        only = event.participants.first()
    rows = []
    for order, turn in enumerate(text_tools.split_turns(text), start=1):
        label = turn.label.strip()
        speaker, participant = SpeakerKind.OTHER, None
        if label and INTERVIEWER_LABELS.match(_fold(label)):
            speaker = SpeakerKind.INTERVIEWER
        elif only is not None and label:
            speaker, participant = SpeakerKind.PARTICIPANT, only
        rows.append(
            Turn(
                transcript=transcript,
                order=order,
                start=turn.start,
                end=turn.end,
                label=label[:60],
                speaker=speaker,
                participant=participant,
            )
        )
    Turn.objects.bulk_create(rows)


def _transcript_text(text: str) -> str:
    text = text_tools.normalise_transcript(text)
    if not text:
        raise ApplicationError(_("The transcript is empty."), extra={"field": "text"})
    if len(text) > TRANSCRIPT_MAX_CHARS:
        raise ApplicationError(
            _("A transcript holds at most %(n)s characters.") % {"n": TRANSCRIPT_MAX_CHARS},
            extra={"field": "text"},
        )
    return text


@transaction.atomic
def transcript_save(
    *,
    actor: Any,
    event: Event,
    text: str | None = None,
    data: bytes | None = None,
    name: str = "",
) -> Transcript:
    """The event's transcript, typed (``text``) or from a TXT or Word file (``data``).
    Replacing a transcript that is already coded is refused (the codings point into it)."""
    study = event.study
    _allow(actor, may_field(actor, study))
    source = TranscriptSource.TYPED
    if data is not None:
        text = text_tools.transcript_text_from_file(data)
        source = TranscriptSource.FILE
    text = _transcript_text(text or "")
    transcript = Transcript.objects.filter(event=event).first()
    if transcript is not None and transcript.codings.exists():
        raise ApplicationError(
            _("This transcript is already coded: its text can no longer be replaced."),
            extra={"field": "text"},
        )
    label = name or f"{event.get_method_display()} {event.site} {event.held_on:%d/%m/%Y}"
    if transcript is None:
        transcript = Transcript(study=study, event=event)
    transcript.name = _text(label, 120, field="name", label=_("Name"))
    transcript.text = text
    transcript.source = source
    transcript.deidentified_at = None
    transcript.save()
    _turns_write(transcript, text)
    # The audit row names the transcript, never its text (S11).
    audit_record(actor=actor, action="update", target=transcript, detail={"source": source})
    return transcript


@transaction.atomic
def turns_map(*, actor: Any, transcript: Transcript, speakers: Mapping[str, Any]) -> int:
    """Map the transcript's speaker labels: ``speakers[label]`` is a participant of the
    event, ``"interviewer"`` or ``"other"``. Returns the turns changed."""
    _allow(actor, may_field(actor, transcript.study))
    event = transcript.event
    allowed = {p.pk: p for p in event.participants.all()} if event is not None else {}
    changed = 0
    for turn in transcript.turns.all():
        if turn.label not in speakers:
            continue
        target = speakers[turn.label]
        if target in (SpeakerKind.INTERVIEWER, SpeakerKind.OTHER):
            turn.speaker, turn.participant = target, None
        else:
            pk = getattr(target, "pk", target)
            if pk not in allowed:
                raise ApplicationError(
                    _("Map each speaker to a participant of this interview or focus group."),
                    extra={"field": "speakers"},
                )
            turn.speaker, turn.participant = SpeakerKind.PARTICIPANT, allowed[pk]
        turn.save(update_fields=["speaker", "participant"])
        changed += 1
    audit_record(actor=actor, action="update", target=transcript, detail={"turns": changed})
    return changed


def deidentify_flags(transcript: Transcript, *, user: Any = None) -> list[text_tools.Flag]:
    """Names and places the de-identification pass finds in the transcript: the study's
    participants' names, common given names, the study's places, capitalised words that
    may be names, and, for a user who sees the organization's people (``VIEW_PEOPLE``),
    names of people in its registry (their keyed hashes). Anyone else would learn from the
    flags whether someone of a given name is registered."""
    from cascada.core.crypto import normalize
    from cascada.registry.models import NameToken, Place
    from cascada.registry.names import token_hasher

    study = transcript.study
    names = [r.name for r in study.recruits.exclude(name="")]
    places = set(
        Place.objects.filter(pk__in=study.sites.values("place")).values_list("name", flat=True)
    )
    places |= {s.name for s in study.sites.all()}
    hasher = token_hasher()
    hashes: set[str] = set()
    if user is not None and scope.has(user, Cap.VIEW_PEOPLE, study.organization_id):
        hashes = set(
            NameToken.objects.filter(person__organization_id=study.organization_id).values_list(
                "token_hash", flat=True
            )
        )
    return text_tools.find_identifiers(
        transcript.text,
        names=names,
        places=places,
        name_hash=lambda word: hasher(normalize(word)),
        known_name_hashes=hashes,
    )


@transaction.atomic
def transcript_deidentify(
    *, actor: Any, transcript: Transcript, replacements: Mapping[tuple[int, int], str]
) -> Transcript:
    """Replace the chosen spans (names, places) with pseudonyms, before coding: the
    original words are gone from the stored text; the turns follow."""
    _allow(actor, may_field(actor, transcript.study))
    if transcript.codings.exists():
        raise ApplicationError(
            _("De-identify a transcript before coding it: this one is already coded.")
        )
    spans = []
    for (start, end), pseudonym in sorted(replacements.items()):
        spans.append(
            (
                start,
                end,
                _text(pseudonym, 60, field="pseudonym", label=_("Pseudonym"), required=True),
            )
        )
    try:
        text, moved = text_tools.replace_spans(transcript.text, spans)
    except ValueError as exc:
        raise ApplicationError(_("The replacements overlap or fall outside the text.")) from exc
    for turn in transcript.turns.all():
        turn.start, turn.end = moved(turn.start), moved(turn.end)
        turn.save(update_fields=["start", "end"])
    transcript.text = text
    transcript.deidentified_at = timezone.now()
    transcript.save(update_fields=["text", "deidentified_at", "updated_at"])
    audit_record(actor=actor, action="update", target=transcript, detail={"replaced": len(spans)})
    return transcript
