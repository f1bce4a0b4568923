"""Coding pages of formative research (issue 12, docs/decisions/research.md): a transcript
with its turns and codings and the form that codes a selection (``coding.js``) or, without
JavaScript, a whole turn; the codebook with its versions, memos and REFI-QDA exchange;
inter-coder reliability and the merge; the analysis (framework matrix, co-occurrence,
generations) as a page, a printable page and an XLSX.

Views adapt: who may do what is ``research.selectors``, the rules are
``research.services.coding``, the figures ``research.analysis``. Transcript text, excerpts
and memos are the study's members' only (S3: 404 for anyone else, whatever their role) and
never go into a URL, a log line or an audit row (S9, S11)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cascada.core.converters import InvalidQueryParameter, query_id
from cascada.core.errors import NotFoundError
from cascada.imports.storage import upload_read
from cascada.research import refi, selectors
from cascada.research.models import Code, Coding, SpeakerKind, Transcript
from cascada.research.services import coding as coding_services

from ..forms import choice_field
from ..idempotency import idempotent
from .common import domain_errors, form_save, service_message
from .research_fieldwork import speaker_choices, speaker_labels

# Colours of highlighted codes: a code's class is its place in the codebook modulo this.
PALETTE = 8
EXCERPT_SHOWN = 400


def code_tree(codes: list[Code]) -> list[tuple[Code, int]]:
    """The codebook in reading order, parents before their codes, with each code's depth."""
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in sorted(codes, key=lambda c: (c.order, c.name.casefold(), c.pk)):
        by_parent[code.parent_id].append(code)
    out: list[tuple[Code, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in by_parent.get(parent, []):
            out.append((code, depth))
            walk(code.pk, depth + 1)

    walk(None, 0)
    known = {c.pk for c, _depth in out}
    out += [(c, 0) for c in codes if c.pk not in known]  # a cycle would hide none
    return out


def short(text: str, limit: int = EXCERPT_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------- the transcript's text


def text_html(text: str, codings: list[Coding], colour: dict[int, int]) -> SafeString:
    """The transcript as escaped text split where codings start and end: coded stretches
    in ``<mark>``, everything else bare text. The element's text content is exactly the
    transcript's text (``coding.js`` counts positions in it), so nothing else goes in:
    no whitespace between tags, no labels."""
    points = {0, len(text)}
    for c in codings:
        points.add(max(0, min(c.start, len(text))))
        points.add(max(0, min(c.end, len(text))))
    cuts = sorted(points)
    starts: dict[int, int] = {}
    for c in codings:
        starts.setdefault(c.start, c.pk)
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        # A carriage return written as such would become a line feed in the browser's
        # text (HTML normalises line ends); as a reference it stays what it is.
        piece = escape(text[a:b]).replace("\r", "&#13;")
        over = [c for c in codings if c.start < b and a < c.end]
        if not over:
            out.append(piece)
            continue
        names = ", ".join(dict.fromkeys(c.code.name for c in over))
        classes = f"code c{colour.get(over[0].code_id, 0)}" + (" multi" if len(over) > 1 else "")
        anchor = f' id="k{starts[a]}"' if a in starts else ""
        out.append(f'<mark class="{classes}" title="{escape(names)}"{anchor}>{piece}</mark>')
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703  # every piece escaped above


# ---------------------------------------------------------------- the coding form


class CodingForm(forms.Form):
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    quote = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    turn = forms.TypedChoiceField(
        label=gettext_lazy("Or a whole turn"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    codes = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Codes"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    memo = forms.CharField(
        label=gettext_lazy("Memo on this passage"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )

    def __init__(
        self, *args: Any, transcript: Transcript, turns: list[Any], codes: list[Code], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.transcript = transcript
        self.turns = {t.pk: t for t in turns}
        choice_field(self, "turn").choices = [("", "—")] + [
            (t.pk, turn_label(t, transcript.text)) for t in turns
        ]
        choice_field(self, "codes").choices = [(c.pk, c.name) for c in codes]

    def clean(self) -> dict[str, Any]:
        """The span coded: the selection (its text must be the transcript's there) or the
        turn chosen."""
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        text = self.transcript.text
        if start is not None and end is not None:
            if not (0 <= start < end <= len(text)):
                raise forms.ValidationError(_("Select some text of the transcript to code."))
            quote = data.get("quote") or ""
            if quote and text[start:end] != quote:
                raise forms.ValidationError(
                    _("The selection could not be read exactly: select the text again.")
                )
            data["span"] = (start, end)
        elif data.get("turn") is not None:
            turn = self.turns[data["turn"]]
            data["span"] = (turn.start, turn.end)
        else:
            raise forms.ValidationError(
                _("Select some text of the transcript, or choose a whole turn.")
            )
        return data


def turn_label(turn: Any, text: str) -> str:
    """A turn in the whole-turn list: its number, who speaks (the participant's code, or
    the interviewer) and its first words."""
    words = " ".join(text[turn.start : turn.end].split())
    if turn.participant_id and turn.participant is not None:
        who = turn.participant.code
    elif turn.speaker == SpeakerKind.INTERVIEWER:
        who = str(SpeakerKind.INTERVIEWER.label)
    else:
        who = "—"
    return f"{turn.order}. {who} · {short(words, 70)}"


class _TranscriptPage:
    """What the transcript page needs, read once."""

    def __init__(self, request: HttpRequest, pk: Any) -> None:
        user = request.user
        self.user = user
        self.transcript = selectors.transcript_get(user=user, pk=pk)
        self.study = self.transcript.study
        self.may_field = selectors.may_field(user, self.study)
        self.is_lead = selectors.is_lead(user, self.study)
        self.turns = list(self.transcript.turns.select_related("participant"))
        self.codes = code_tree(list(selectors.code_list(user=user, study=self.study)))
        self.codings = list(
            selectors.codings_visible(user=user, transcript=self.transcript).select_related(
                "code", "coder"
            )
        )
        self.coded = self.transcript.codings.exists()

    def form(self, data: Any = None) -> CodingForm:
        return CodingForm(
            data,
            transcript=self.transcript,
            turns=self.turns,
            codes=[c for c, _depth in self.codes],
        )


def _transcript_render(
    request: HttpRequest, page: _TranscriptPage, form: CodingForm | None = None, status: int = 200
) -> HttpResponse:
    transcript = page.transcript
    text = transcript.text
    colour = {code.pk: i % PALETTE for i, (code, _depth) in enumerate(page.codes)}
    user_pk = request.user.pk
    codings = [
        {
            "c": c,
            "excerpt": short(text[c.start : c.end]),
            "colour": colour.get(c.code_id, 0),
            "may_remove": (c.coder_id == user_pk) or (c.final and page.is_lead),
            "may_memo": (c.coder_id == user_pk) or (c.final and page.is_lead),  # may_edit_memo
        }
        for c in page.codings
    ]
    form = form or page.form()
    chosen = {str(v) for v in (form["codes"].value() or [])}
    event = transcript.event
    choices = speaker_choices(transcript)
    names = dict(choices)
    speakers = [{**row, "shown": names.get(row["now"], "—")} for row in speaker_labels(transcript)]
    return render(
        request,
        "web/research/transcript_detail.html",
        {
            "study": page.study,
            "transcript": transcript,
            "event": event,
            "participants": list(event.participants.order_by("code")) if event else [],
            "text_html": text_html(text, page.codings, colour),
            "length": len(text),
            "turns": page.turns,
            "codes": [
                {"code": c, "depth": min(d, 5), "checked": str(c.pk) in chosen}
                for c, d in page.codes
            ],
            "codings": codings,
            "form": form,
            "blind": transcript.double_coded and transcript.merged_at is None,
            "may_field": page.may_field,
            "is_lead": page.is_lead,
            "coded": page.coded,
            "speakers": speakers,
            "speaker_choices": choices if page.may_field else [],
        },
        status=status,
    )


@login_required
@require_GET
@domain_errors
def transcript_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The transcript (members only, through ``selectors.transcript_get``), the codings the
    user may see highlighted (blind while double-coded), and the coding form."""
    return _transcript_render(request, _TranscriptPage(request, pk))


@login_required
@idempotent
@require_POST
@domain_errors
def transcript_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Code the selected span (or a whole turn) with each code ticked."""
    page = _TranscriptPage(request, pk)
    if not selectors.may_code(request.user, page.study):
        raise PermissionDenied
    codes = {c.pk: c for c, _depth in page.codes}

    @transaction.atomic  # every code ticked, or none
    def code_all(data: dict[str, Any]) -> list[Coding]:
        start, end = data["span"]
        return [
            coding_services.coding_add(
                actor=request.user,
                transcript=page.transcript,
                code=codes[code_id],
                start=start,
                end=end,
                memo=data["memo"],
            )
            for code_id in data["codes"]
        ]

    form = page.form(request.POST)
    made = form_save(form, code_all)
    if made is not None:
        messages.success(request, _("Passage coded."))
        url = reverse("web:transcript_detail", kwargs={"pk": page.transcript.pk})
        return redirect(f"{url}#k{made[0].pk}" if made else url)
    return _transcript_render(request, page, form, status=400)


def _visible_coding(page: _TranscriptPage, raw: str) -> Coding:
    found = next((c for c in page.codings if raw.isdigit() and c.pk == int(raw)), None)
    if found is None:
        raise NotFoundError()
    return found


@login_required
@idempotent
@require_POST
@domain_errors
def transcript_coding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    page = _TranscriptPage(request, pk)
    coding = _visible_coding(page, request.POST.get("coding", ""))
    service_message(
        request,
        lambda: coding_services.coding_remove(actor=request.user, coding=coding),
        _("Coding removed."),
    )
    return redirect(
        reverse("web:transcript_detail", kwargs={"pk": page.transcript.pk}) + "#codings"
    )


@login_required
@idempotent
@require_POST
@domain_errors
def transcript_coding_memo(request: HttpRequest, pk: int) -> HttpResponse:
    page = _TranscriptPage(request, pk)
    coding = _visible_coding(page, request.POST.get("coding", ""))
    service_message(
        request,
        lambda: coding_services.coding_memo_set(
            actor=request.user, coding=coding, memo=request.POST.get("memo", "")
        ),
        _("Memo saved."),
    )
    return redirect(
        reverse("web:transcript_detail", kwargs={"pk": page.transcript.pk}) + f"#m{coding.pk}"
    )


@login_required
@idempotent
@require_POST
@domain_errors
def transcript_double_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead puts the transcript in (or out of) the double-coded set, before coding."""
    transcript = selectors.transcript_get(user=request.user, pk=pk)
    if not selectors.is_lead(request.user, transcript.study):
        raise PermissionDenied
    wanted = request.POST.get("double_coded") == "1"
    service_message(
        request,
        lambda: coding_services.transcript_double_code(
            actor=request.user, transcript=transcript, double_coded=wanted
        ),
        _("The transcript is in the double-coded set: its coders code blind.")
        if wanted
        else _("The transcript is no longer double-coded."),
    )
    return redirect("web:transcript_detail", pk=transcript.pk)


# ---------------------------------------------------------------- the codebook


class CodeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    parent = forms.TypedChoiceField(
        label=gettext_lazy("Under"), coerce=int, required=False, empty_value=None
    )
    definition = forms.CharField(
        label=gettext_lazy("Definition"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, tree: list[tuple[Code, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "parent").choices = [("", gettext_lazy("(top of the codebook)"))] + [
            (c.pk, ("· " * depth) + c.name) for c, depth in tree
        ]


class MemoForm(forms.Form):
    memo = forms.CharField(
        label=gettext_lazy("Memo"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
    )


class RefiImportForm(forms.Form):
    prefix = "refi"
    file = forms.FileField(
        label=gettext_lazy(
            "A codebook (.qdc) or a project (.qdpx) of QualCoder, NVivo, ATLAS.ti or MAXQDA"
        )
    )
    codebook_only = forms.BooleanField(
        label=gettext_lazy("From a project, take only its codebook"), required=False
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        data = upload_read(upload, max_bytes=refi.ZIP_MAX_BYTES)
        if data is None:
            raise forms.ValidationError(_("The file is larger than 100 MB."))
        return data


class VersionForm(forms.Form):
    prefix = "ve"
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=300, required=False)


class CodebookPage:
    def __init__(self, request: HttpRequest, pk: Any) -> None:
        user = request.user
        self.study = selectors.study_get(user=user, pk=pk)
        self.is_member = selectors.is_member(user, self.study)
        if not (self.is_member or selectors.may_oversee(user, self.study)):
            raise NotFoundError()
        self.is_lead = selectors.is_lead(user, self.study)
        self.tree = code_tree(list(selectors.code_list(user=user, study=self.study)))

    def code(self, raw: str) -> Code:
        found = next((c for c, _d in self.tree if raw.isdigit() and c.pk == int(raw)), None)
        if found is None:
            raise NotFoundError()
        return found


def codebook_render(
    request: HttpRequest,
    page: CodebookPage,
    bound: dict[str, Any] | None = None,
    status: int = 200,
    refi_report: Any = None,
) -> HttpResponse:
    bound = bound or {}
    # One code's edit form at a time (``?edit=<id>``, or the one just sent back with its
    # errors): each lists every other code as a possible parent, so a form on every row
    # would grow with the square of the codebook.
    try:
        editing = query_id(request.GET, "edit")
    except InvalidQueryParameter:
        editing = None
    rows = []
    for code, depth in page.tree:
        edit = bound.get(f"edit-{code.pk}")
        memo = bound.get(f"memo-{code.pk}")
        rows.append(
            {
                "code": code,
                "depth": min(depth, 5),
                "may_edit": page.is_lead,
                "edit": edit
                or (
                    CodeForm(
                        prefix=f"c{code.pk}",
                        tree=[(c, d) for c, d in page.tree if c.pk != code.pk],
                        initial={
                            "name": code.name,
                            "parent": code.parent_id,
                            "definition": code.definition,
                        },
                    )
                    if page.is_lead and code.pk == editing
                    else None
                ),
                "memo": memo
                or (
                    MemoForm(prefix=f"m{code.pk}", initial={"memo": code.memo})
                    if page.is_member
                    else None
                ),
                "open": edit is not None or memo is not None or code.pk == editing,
            }
        )
    return render(
        request,
        "web/research/codebook_detail.html",
        {
            "study": page.study,
            "rows": rows,
            "is_member": page.is_member,
            "is_lead": page.is_lead,
            "new_form": bound.get("new")
            or (CodeForm(prefix="new", tree=page.tree) if page.is_lead else None),
            "version_form": bound.get("version") or (VersionForm() if page.is_lead else None),
            "versions": list(page.study.codebook_versions.select_related("created_by")),
            "refi_form": bound.get("refi") or (RefiImportForm() if page.is_lead else None),
            "refi_report": refi_report,
        },
        status=status,
    )


@login_required
@require_GET
@domain_errors
def study_codebook(request: HttpRequest, pk: int) -> HttpResponse:
    """The codebook: the code tree with definitions (members and the study's overseers),
    the lead's forms, memos (members)."""
    return codebook_render(request, CodebookPage(request, pk))


def _codebook_post(request: HttpRequest, pk: Any, *, lead: bool) -> CodebookPage:
    page = CodebookPage(request, pk)
    if not (page.is_lead if lead else page.is_member):
        raise PermissionDenied
    return page


def _back(page: CodebookPage, anchor: str = "") -> HttpResponse:
    url = reverse("web:study_codebook", kwargs={"pk": page.study.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@idempotent
@require_POST
@domain_errors
def study_code_add(request: HttpRequest, pk: int) -> HttpResponse:
    page = _codebook_post(request, pk, lead=True)
    form = CodeForm(request.POST, prefix="new", tree=page.tree)
    code = form_save(
        form,
        lambda data: coding_services.code_create(
            actor=request.user,
            study=page.study,
            name=data["name"],
            parent=page.code(str(data["parent"])) if data["parent"] else None,
            definition=data["definition"],
        ),
    )
    if code is not None:
        messages.success(request, _("Code added."))
        return _back(page, f"code-{code.pk}")
    return codebook_render(request, page, {"new": form}, status=400)


@login_required
@idempotent
@require_POST
@domain_errors
def study_code_edit(request: HttpRequest, pk: int) -> HttpResponse:
    page = _codebook_post(request, pk, lead=True)
    code = page.code(request.POST.get("code", ""))
    form = CodeForm(
        request.POST, prefix=f"c{code.pk}", tree=[(c, d) for c, d in page.tree if c.pk != code.pk]
    )
    saved = form_save(
        form,
        lambda data: coding_services.code_update(
            actor=request.user,
            code=code,
            name=data["name"],
            definition=data["definition"],
            parent=page.code(str(data["parent"])) if data["parent"] else None,
        ),
    )
    if saved is not None:
        messages.success(request, _("Code saved."))
        return _back(page, f"code-{code.pk}")
    return codebook_render(request, page, {f"edit-{code.pk}": form}, status=400)


@login_required
@idempotent
@require_POST
@domain_errors
def study_code_delete(request: HttpRequest, pk: int) -> HttpResponse:
    page = _codebook_post(request, pk, lead=True)
    code = page.code(request.POST.get("code", ""))
    if service_message(
        request,
        lambda: coding_services.code_delete(actor=request.user, code=code),
        _("Code removed."),
    ):
        return _back(page)
    return _back(page, f"code-{code.pk}")


@login_required
@idempotent
@require_POST
@domain_errors
def study_code_memo(request: HttpRequest, pk: int) -> HttpResponse:
    page = _codebook_post(request, pk, lead=False)
    code = page.code(request.POST.get("code", ""))
    form = MemoForm(request.POST, prefix=f"m{code.pk}")
    saved = form_save(
        form,
        lambda data: coding_services.code_update(actor=request.user, code=code, memo=data["memo"]),
    )
    if saved is not None:
        messages.success(request, _("Memo saved."))
        return _back(page, f"code-{code.pk}")
    return codebook_render(request, page, {f"memo-{code.pk}": form}, status=400)


@login_required
@idempotent
@require_POST
@domain_errors
def study_codebook_version(request: HttpRequest, pk: int) -> HttpResponse:
    page = _codebook_post(request, pk, lead=True)
    form = VersionForm(request.POST)
    version = form_save(
        form,
        lambda data: coding_services.codebook_version_save(
            actor=request.user, study=page.study, note=data["note"]
        ),
    )
    if version is not None:
        messages.success(request, _("Codebook version %(n)s saved.") % {"n": version.number})
        return _back(page, "versions")
    return codebook_render(request, page, {"version": form}, status=400)
