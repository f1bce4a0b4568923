"""Fieldwork pages of formative research (issue 12, docs/decisions/research.md): a study's
interviews and focus groups and the form that records one, an event with its audio and
the form of its transcript, the speakers of a transcript and its de-identification.
Views adapt: who may do what is ``research.selectors``, the rules are
``research.services.fieldwork``. Transcript text never goes into a URL, a log line or an
audit row (S9, S11); every page here is the study's members' only (404 for anyone else)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.imports.storage import upload_read
from cascada.research import selectors
from cascada.research import transcripts as text_tools
from cascada.research.models import (
    Audio,
    Language,
    Method,
    RecruitStatus,
    SpeakerKind,
    Study,
    Transcript,
)
from cascada.research.services import fieldwork

from ..forms import choice_field
from ..forms.trainings import DATE
from ..idempotency import idempotent
from .common import attachment, domain_errors, form_save, service_message

TRANSCRIPT_FILE_MAX_BYTES = 10 * 1024 * 1024
AUDIO_EXTENSIONS = {
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "audio/amr": "amr",
    "audio/mp4": "m4a",
    "audio/webm": "webm",
    "audio/wav": "wav",
}


def member_study(request: HttpRequest, pk: Any) -> Study:
    """A study whose member the user is; 404 for everyone else (overseers and viewers
    too: these pages show the fieldwork, transcripts and excerpts, S3)."""
    study = selectors.study_get(user=request.user, pk=pk)
    if not selectors.is_member(request.user, study):
        raise NotFoundError()
    return study


# ---------------------------------------------------------------- interviews and focus groups


class EventForm(forms.Form):
    prefix = "ev"
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Method.choices)
    site = forms.TypedChoiceField(label=gettext_lazy("Site"), coerce=int)
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    participants = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Participants"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interviewer = forms.TypedChoiceField(
        label=gettext_lazy("Interviewer or moderator"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    note_taker = forms.TypedChoiceField(
        label=gettext_lazy("Note-taker"), coerce=int, required=False, empty_value=None
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=600
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)

    def __init__(self, *args: Any, study: Study, recruits: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sites = list(study.sites.all())
        self.members = [m.user for m in study.members.select_related("user")]
        choice_field(self, "site").choices = [(s.pk, s.name) for s in self.sites]
        choice_field(self, "participants").choices = [(r.pk, r.code) for r in recruits]
        people = [("", "—")] + [(u.pk, u.get_username()) for u in self.members]
        choice_field(self, "interviewer").choices = people
        choice_field(self, "note_taker").choices = people
        self.recruits = recruits

    def groups(self) -> list[dict[str, Any]]:
        """The consented participants by site and method, to tick with their codes."""
        chosen = {str(v) for v in (self["participants"].value() or [])}
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for r in self.recruits:
            key = (r.site.name, r.method)
            group = out.setdefault(
                key,
                {"site": r.site.name, "method": r.get_method_display(), "recruits": []},
            )
            group["recruits"].append({"r": r, "checked": str(r.pk) in chosen})
        return list(out.values())


def _consented(request: HttpRequest, study: Study) -> list[Any]:
    return list(
        selectors.recruit_list(user=request.user, study=study)
        .filter(status=RecruitStatus.CONSENTED)
        .order_by("site__name", "method", "code")
    )


def _events_page(
    request: HttpRequest, study: Study, form: EventForm | None, status: int = 200
) -> HttpResponse:
    events = (
        selectors.event_list(user=request.user, study=study)
        .select_related("interviewer")
        .annotate(
            has_transcript=Exists(Transcript.objects.filter(event=OuterRef("pk"))),
            has_audio=Exists(Audio.objects.filter(event=OuterRef("pk"))),
        )
        .order_by("-held_on", "-pk")
    )
    return render(
        request,
        "web/research/event_list.html",
        {
            "study": study,
            "events": events,
            "form": form,
            "may_field": selectors.may_field(request.user, study),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def study_events(request: HttpRequest, pk: int) -> HttpResponse:
    """The study's interviews and focus groups (members); the lead and researchers record
    one here."""
    study = member_study(request, pk)
    may = selectors.may_field(request.user, study)
    if request.method == "GET":
        form = (
            EventForm(
                study=study,
                recruits=_consented(request, study),
                initial={"held_on": timezone.localdate(), "language": Language.SPANISH},
            )
            if may
            else None
        )
        return _events_page(request, study, form)
    if not may:
        raise PermissionDenied
    recruits = _consented(request, study)
    form = EventForm(request.POST, study=study, recruits=recruits)
    people = {r.pk: r for r in recruits}
    users = {u.pk: u for u in form.members}
    event = form_save(
        form,
        lambda data: fieldwork.event_record(
            actor=request.user,
            study=study,
            method=data["method"],
            site=next(s for s in form.sites if s.pk == data["site"]),
            held_on=data["held_on"],
            participants=[people[p] for p in data["participants"]],
            duration_minutes=data["duration_minutes"],
            interviewer=users.get(data["interviewer"]) if data["interviewer"] else None,
            note_taker=users.get(data["note_taker"]) if data["note_taker"] else None,
            language=data["language"],
        ),
    )
    if event is not None:
        messages.success(request, _("Interview or focus group recorded."))
        return redirect("web:event_detail", pk=event.pk)
    return _events_page(request, study, form, status=400)


# ---------------------------------------------------------------- one event


class AudioForm(forms.Form):
    prefix = "au"
    audio = forms.FileField(
        label=gettext_lazy("Recording (MP3, M4A, WAV, OGG, AMR or WebM; at most 200 MB)")
    )

    def clean_audio(self) -> tuple[str, bytes]:
        upload = self.cleaned_data["audio"]
        data = upload_read(upload, max_bytes=fieldwork.AUDIO_MAX_BYTES)
        if data is None:
            raise forms.ValidationError(_("The recording is larger than 200 MB."))
        return (upload.name or "", data)


class TranscriptForm(forms.Form):
    prefix = "tr"
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    text = forms.CharField(
        label=gettext_lazy("Text of the transcript (one turn per line: “E: …”, “P1: …”)"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "transcript-input"}),
        required=False,
        strip=False,
        max_length=fieldwork.TRANSCRIPT_MAX_CHARS * 2,
    )
    file = forms.FileField(
        label=gettext_lazy("Or a file: TXT or Word (DOCX), at most 10 MB"), required=False
    )

    def clean_file(self) -> bytes | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        data = upload_read(upload, max_bytes=TRANSCRIPT_FILE_MAX_BYTES)
        if data is None:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Type or paste the text, or choose a file."))
        return data


class _EventPage:
    def __init__(self, request: HttpRequest, pk: Any) -> None:
        self.event = selectors.event_get(user=request.user, pk=pk)
        self.study = self.event.study
        self.may_field = selectors.may_field(request.user, self.study)
        self.transcript = Transcript.objects.filter(event=self.event).first()
        self.audio = Audio.objects.filter(event=self.event).first()

    def coded(self) -> bool:
        return self.transcript is not None and self.transcript.codings.exists()


def _event_render(
    request: HttpRequest,
    page: _EventPage,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    audio_form = bound.get("audio")
    transcript_form = bound.get("transcript")
    if page.may_field:
        audio_form = audio_form or AudioForm()
        if transcript_form is None and not page.coded():
            initial = {}
            if page.transcript is not None:
                initial = {"name": page.transcript.name, "text": page.transcript.text}
            transcript_form = TranscriptForm(initial=initial)
    event = page.event
    participants = list(event.participants.order_by("code"))
    return render(
        request,
        "web/research/event_detail.html",
        {
            "study": page.study,
            "event": event,
            "participants": participants,
            "no_audio_consent": [p.code for p in participants if not p.audio_consent],
            "transcript": page.transcript,
            "coded": page.coded(),
            "audio": page.audio,
            "may_field": page.may_field,
            "audio_form": audio_form,
            "transcript_form": transcript_form,
        },
        status=status,
    )


@login_required
@require_GET
@domain_errors
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_render(request, _EventPage(request, pk))


@login_required
@idempotent
@require_POST
@domain_errors
def event_audio_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the event's recording (the lead and researchers), only when every participant
    agreed to be recorded (the service refuses otherwise)."""
    page = _EventPage(request, pk)
    if not page.may_field:
        raise PermissionDenied
    form = AudioForm(request.POST, request.FILES)
    audio = form_save(
        form,
        lambda data: fieldwork.audio_attach(
            actor=request.user, event=page.event, name=data["audio"][0], data=data["audio"][1]
        ),
    )
    if audio is not None:
        messages.success(request, _("Recording kept."))
        return redirect("web:event_detail", pk=page.event.pk)
    return _event_render(request, page, {"audio": form}, status=400)


@login_required
@require_GET
@domain_errors
def event_audio(request: HttpRequest, pk: int) -> HttpResponse:
    """The recording, to the study's lead and researchers only, as a download; audited."""
    page = _EventPage(request, pk)
    if not page.may_field or page.audio is None:
        raise NotFoundError()
    audio = page.audio
    audit_record(actor=request.user, action="view", target=audio)
    extension = AUDIO_EXTENSIONS.get(audio.content_type, "bin")
    return attachment(
        fieldwork.audio_bytes(audio),
        audio.content_type,
        f"audio-{page.study.code}-{page.event.pk}.{extension}",
    )


@login_required
@idempotent
@require_POST
@domain_errors
def event_transcript(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the event's transcript: typed or pasted, or read from a TXT or Word file."""
    page = _EventPage(request, pk)
    if not page.may_field:
        raise PermissionDenied
    form = TranscriptForm(request.POST, request.FILES)
    transcript = form_save(
        form,
        lambda data: fieldwork.transcript_save(
            actor=request.user,
            event=page.event,
            name=data["name"],
            **({"data": data["file"]} if data["file"] is not None else {"text": data["text"]}),
        ),
    )
    if transcript is not None:
        messages.success(request, _("Transcript saved."))
        return redirect("web:transcript_detail", pk=transcript.pk)
    return _event_render(request, page, {"transcript": form}, status=400)


# ---------------------------------------------------------------- speakers


def speaker_labels(transcript: Transcript) -> list[dict[str, Any]]:
    """Each speaker label of the transcript once, in the order they first speak, with what
    it is mapped to now ("p<recruit id>", "interviewer", "other")."""
    seen: dict[str, dict[str, Any]] = {}
    for turn in transcript.turns.select_related("participant"):
        if not turn.label or turn.label in seen:
            continue
        if turn.speaker == SpeakerKind.PARTICIPANT and turn.participant_id:
            now = f"p{turn.participant_id}"
        else:
            now = turn.speaker
        seen[turn.label] = {"label": turn.label, "now": now}
    return [{"i": i, **row} for i, row in enumerate(seen.values())]


def speaker_choices(transcript: Transcript) -> list[tuple[str, str]]:
    event = transcript.event
    people = list(event.participants.order_by("code")) if event is not None else []
    return [(f"p{p.pk}", p.code) for p in people] + [
        (SpeakerKind.INTERVIEWER.value, str(SpeakerKind.INTERVIEWER.label)),
        (SpeakerKind.OTHER.value, str(SpeakerKind.OTHER.label)),
    ]


@login_required
@idempotent
@require_POST
@domain_errors
def transcript_speakers(request: HttpRequest, pk: int) -> HttpResponse:
    """Map the speaker labels of a transcript (a focus group's "P3", "Juan") to participant
    codes, the interviewer or someone else (the lead and researchers)."""
    transcript = selectors.transcript_get(user=request.user, pk=pk)
    if not selectors.may_field(request.user, transcript.study):
        raise PermissionDenied
    known = {row["label"] for row in speaker_labels(transcript)}
    allowed = {value for value, _label in speaker_choices(transcript)}
    speakers: dict[str, Any] = {}
    for key in request.POST:
        if not key.startswith("label_"):
            continue
        index = key[len("label_") :]
        label = request.POST.get(key, "")
        chosen = request.POST.get(f"speaker_{index}", "")
        if label not in known or chosen not in allowed:
            continue
        speakers[label] = int(chosen[1:]) if chosen.startswith("p") else chosen
    service_message(
        request,
        lambda: fieldwork.turns_map(actor=request.user, transcript=transcript, speakers=speakers),
        _("Speakers saved."),
    )
    return redirect("web:transcript_detail", pk=transcript.pk)


# ---------------------------------------------------------------- de-identification


def _context(text: str, start: int, end: int, width: int = 40) -> tuple[str, str, str]:
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    return (("…" if start > width else "") + before, text[start:end], after + "…")


def _flag_rows(transcript: Transcript, user: Any) -> list[dict[str, Any]]:
    flags = fieldwork.deidentify_flags(transcript, user=user)
    names = text_tools.pseudonyms(flags)
    rows = []
    for i, flag in enumerate(flags):
        before, word, after = _context(transcript.text, flag.start, flag.end)
        rows.append(
            {
                "i": i,
                "flag": flag,
                "span": f"{flag.start}:{flag.end}",
                "before": before,
                "word": word,
                "after": after,
                "pseudonym": names.get(flag.text, ""),
            }
        )
    return rows


def _stamp(transcript: Transcript) -> str:
    return transcript.updated_at.isoformat() if transcript.updated_at else ""


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
@domain_errors
def transcript_deidentify(request: HttpRequest, pk: int) -> HttpResponse:
    """The names and places found in the transcript, each with the pseudonym proposed: the
    researcher ticks those to replace (before coding; the lead and researchers)."""
    transcript = selectors.transcript_get(user=request.user, pk=pk)
    if not selectors.may_field(request.user, transcript.study):
        raise PermissionDenied
    coded = transcript.codings.exists()
    rows = [] if coded else _flag_rows(transcript, request.user)
    error = ""
    if request.method == "POST":
        if request.POST.get("stamp", "") != _stamp(transcript):
            error = _(
                "The transcript changed since this page was opened: look at the words found again."
            )
        else:
            by_span = {row["span"]: row for row in rows}
            replacements: dict[tuple[int, int], str] = {}
            for index in request.POST.getlist("use"):
                span = request.POST.get(f"span_{index}", "")
                row = by_span.get(span)
                if row is None:
                    continue
                pseudonym = request.POST.get(f"pseudonym_{index}", "")
                row["pseudonym"] = pseudonym
                replacements[(row["flag"].start, row["flag"].end)] = pseudonym
            if not replacements:
                error = _("Tick at least one word to replace.")
            else:
                try:
                    fieldwork.transcript_deidentify(
                        actor=request.user, transcript=transcript, replacements=replacements
                    )
                except ApplicationError as problem:
                    error = str(problem)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s word replaced with a pseudonym.",
                            "%(n)s words replaced with pseudonyms.",
                            len(replacements),
                        )
                        % {"n": len(replacements)},
                    )
                    return redirect("web:transcript_detail", pk=transcript.pk)
    return render(
        request,
        "web/research/transcript_deidentify.html",
        {
            "study": transcript.study,
            "transcript": transcript,
            "rows": rows,
            "coded": coded,
            "stamp": _stamp(transcript),
            "error": error,
        },
        status=400 if error else 200,
    )
