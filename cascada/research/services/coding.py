"""The codebook (nested codes, definitions, memos, frozen versions) and coding: a code on
a span of a transcript, blind double coding for inter-coder reliability, and the merge
after the coders' discussion (docs/decisions/research.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from ..models import Code, CodebookVersion, Coding, Study, Transcript
from ..selectors import is_lead, may_code, may_edit_memo
from .base import _allow, _text, _user

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# ---------------------------------------------------------------- the codebook


def _parent_checked(study: Study, parent: Code | None, code: Code | None = None) -> None:
    if parent is None:
        return
    if parent.study_id != study.pk:
        raise ApplicationError(_("Choose a code of this study."), extra={"field": "parent"})
    node: Code | None = parent
    while node is not None:
        if code is not None and node.pk == code.pk:
            raise ApplicationError(
                _("A code cannot sit under itself or one of its own codes."),
                extra={"field": "parent"},
            )
        node = node.parent


def _name_free(study: Study, parent: Code | None, name: str, code: Code | None = None) -> None:
    clash = Code.objects.filter(study=study, parent=parent, name__iexact=name)
    if code is not None:
        clash = clash.exclude(pk=code.pk)
    if clash.exists():
        raise ApplicationError(
            _("A code named %(name)s already sits there.") % {"name": name},
            extra={"field": "name"},
        )


@transaction.atomic
def code_create(
    *,
    actor: Any,
    study: Study,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    color: str = "",
    guid: Any = None,
) -> Code:
    """A code of the codebook (the lead keeps the codebook)."""
    _allow(actor, actor is None or is_lead(actor, study))
    name = _text(name, 120, field="name", label=_("Name"), required=True)
    _parent_checked(study, parent)
    _name_free(study, parent, name)
    if color and not COLOR_RE.match(color):
        raise ApplicationError(_("A colour is written #RRGGBB."), extra={"field": "color"})
    order = (
        Code.objects.filter(study=study, parent=parent).aggregate(m=Max("order"))["m"] or 0
    ) + 1
    code = Code(
        study=study,
        parent=parent,
        name=name,
        definition=_text(definition, 5000, field="definition", label=_("Definition")),
        color=color,
        order=order,
    )
    if guid is not None:
        code.guid = guid
    code.save()
    audit_record(actor=actor, action="create", target=code)
    return code


@transaction.atomic
def code_update(
    *,
    actor: Any,
    code: Code,
    name: str | None = None,
    definition: str | None = None,
    parent: Code | None | bool = False,
    memo: str | None = None,
    color: str | None = None,
) -> Code:
    """Rename, redefine, move (``parent``: a code or None for the top; False leaves it) a
    code (the lead), or write its memo (any member)."""
    study = code.study
    changes_codebook = name is not None or definition is not None or parent is not False
    _allow(
        actor,
        actor is None or (is_lead(actor, study) if changes_codebook else may_code(actor, study)),
    )
    if parent is not False:
        new_parent = parent if isinstance(parent, Code) else None
        _parent_checked(study, new_parent, code)
        code.parent = new_parent
    if name is not None:
        code.name = _text(name, 120, field="name", label=_("Name"), required=True)
    if name is not None or parent is not False:
        _name_free(study, code.parent, code.name, code)
    if definition is not None:
        code.definition = _text(definition, 5000, field="definition", label=_("Definition"))
    if memo is not None:
        code.memo = _text(memo, 20000, field="memo", label=_("Memo"))
    if color is not None:
        if color and not COLOR_RE.match(color):
            raise ApplicationError(_("A colour is written #RRGGBB."), extra={"field": "color"})
        code.color = color
    code.save()
    audit_record(actor=actor, action="update", target=code)
    return code


@transaction.atomic
def code_delete(*, actor: Any, code: Code) -> None:
    """Remove a code that nobody used (nor any code under it)."""
    _allow(actor, actor is None or is_lead(actor, code.study))
    ids = [code.pk]
    frontier = [code.pk]
    while frontier:
        frontier = list(Code.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    if Coding.objects.filter(code_id__in=ids).exists():
        raise ApplicationError(
            _("This code (or one under it) is used in the coding: it cannot be removed.")
        )
    audit_record(actor=actor, action="delete", target=code)
    code.delete()


def codebook_rows(study: Study) -> list[dict[str, Any]]:
    """The codebook as plain rows, parents before children."""
    codes = list(Code.objects.filter(study=study).order_by("order", "name"))
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        by_parent[code.parent_id].append(code)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in by_parent.get(parent, []):
            rows.append(
                {
                    "guid": str(code.guid),
                    "parent": str(code.parent.guid) if code.parent_id and code.parent else None,
                    "name": code.name,
                    "definition": code.definition,
                    "depth": depth,
                }
            )
            walk(code.pk, depth + 1)

    walk(None, 0)
    return rows


@transaction.atomic
def codebook_version_save(*, actor: Any, study: Study, note: str = "") -> CodebookVersion:
    """Freeze the codebook as it is now (names, definitions, nesting) as the next version."""
    _allow(actor, actor is None or is_lead(actor, study))
    number = (study.codebook_versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = CodebookVersion.objects.create(
        study=study,
        number=number,
        note=_text(note, 300, field="note", label=_("What changed")),
        codes=[{k: v for k, v in row.items() if k != "depth"} for row in codebook_rows(study)],
        created_by=_user(actor),
    )
    audit_record(actor=actor, action="create", target=version, detail={"number": number})
    return version


# ---------------------------------------------------------------- coding


@transaction.atomic
def coding_add(
    *,
    actor: Any,
    transcript: Transcript,
    code: Code,
    start: int,
    end: int,
    memo: str = "",
    coder: Any = None,
) -> Coding:
    """A code on the characters [start, end) of the transcript, by a member. In a
    double-coded transcript not merged yet the coding stays the coder's own; the same code
    on the same span by the same coder is kept once."""
    study = transcript.study
    _allow(actor, may_code(actor, study))
    if code.study_id != study.pk:
        raise ApplicationError(_("Choose a code of this study."), extra={"field": "code"})
    length = len(transcript.text)
    if not (0 <= int(start) < int(end) <= length):
        raise ApplicationError(
            _("Select some text of the transcript to code."), extra={"field": "start"}
        )
    if transcript.double_coded and transcript.merged_at is not None:
        raise ApplicationError(
            _("The coders' work on this transcript was merged: it is no longer coded blind.")
        )
    who = _user(actor) or coder
    blind = transcript.double_coded and transcript.merged_at is None
    existing = Coding.objects.filter(
        transcript=transcript, code=code, coder=who, start=start, end=end
    ).first()
    if existing is not None:
        return existing
    coding = Coding.objects.create(
        transcript=transcript,
        code=code,
        coder=who,
        start=int(start),
        end=int(end),
        memo=_text(memo, 5000, field="memo", label=_("Memo")),
        final=not blind,
    )
    audit_record(actor=actor, action="create", target=coding)
    return coding


@transaction.atomic
def coding_remove(*, actor: Any, coding: Coding) -> None:
    """A coder removes their own coding; the lead removes any final one."""
    study = coding.transcript.study
    own = actor is not None and coding.coder_id == getattr(actor, "pk", None)
    _allow(
        actor,
        actor is None
        or (own and may_code(actor, study))
        or (coding.final and is_lead(actor, study)),
    )
    audit_record(actor=actor, action="delete", target=coding)
    coding.delete()


@transaction.atomic
def coding_memo_set(*, actor: Any, coding: Coding, memo: str) -> Coding:
    _allow(actor, actor is None or may_edit_memo(actor, coding))
    coding.memo = _text(memo, 5000, field="memo", label=_("Memo"))
    coding.save(update_fields=["memo"])
    audit_record(actor=actor, action="update", target=coding)
    return coding


@transaction.atomic
def transcript_double_code(*, actor: Any, transcript: Transcript, double_coded: bool) -> Transcript:
    """Put a transcript in (or out of) the double-coded set: its coders code blind until
    the merge. Only before anyone coded it."""
    _allow(actor, actor is None or is_lead(actor, transcript.study))
    if transcript.codings.exists():
        raise ApplicationError(
            _("This transcript is already coded: choose the double-coded set before coding.")
        )
    transcript.double_coded = bool(double_coded)
    transcript.save(update_fields=["double_coded", "updated_at"])
    audit_record(
        actor=actor, action="update", target=transcript, detail={"double_coded": double_coded}
    )
    return transcript


# ---------------------------------------------------------------- reliability and merging


def coders_of(transcript: Transcript) -> list[int]:
    """The coders of a double-coded transcript: those who coded at least once in it."""
    return sorted(
        {
            c
            for c in transcript.codings.filter(final=False).values_list("coder_id", flat=True)
            if c is not None
        }
    )


def disagreements(transcript: Transcript) -> list[tuple[int, int]]:
    """(turn id, code id) where the coders of a double-coded transcript differ."""
    coders = set(coders_of(transcript))
    return sorted(
        key for key, by_coder in _blind_applied(transcript).items() if set(by_coder) != coders
    )


def _blind_applied(transcript: Transcript) -> dict[tuple[int, int], dict[int | None, list[Coding]]]:
    turns = list(transcript.turns.order_by("start"))
    out: dict[tuple[int, int], dict[int | None, list[Coding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for coding in transcript.codings.filter(final=False).order_by("start"):
        for turn in turns:
            if turn.start < coding.end and coding.start < turn.end:
                out[(turn.pk, coding.code_id)][coding.coder_id].append(coding)
    return out


@transaction.atomic
def transcript_merge(
    *, actor: Any, transcript: Transcript, decisions: Mapping[tuple[int, int], bool]
) -> int:
    """After the coders discussed their disagreements, the lead merges: a code every coder
    applied in a turn is kept; where they differ, ``decisions[(turn id, code id)]`` says
    whether it is kept. Kept codes become final codings spanning, within the turn, what
    the coders marked. The coders' own codings stay (reliability can be read again).
    Returns the final codings written."""
    study = transcript.study
    _allow(actor, actor is None or is_lead(actor, study))
    if not transcript.double_coded:
        raise ApplicationError(_("Only a double-coded transcript is merged."))
    if transcript.merged_at is not None:
        raise ApplicationError(_("This transcript was already merged."))
    coders = set(coders_of(transcript))
    if len(coders) < 2:
        raise ApplicationError(_("At least two coders must code the transcript before merging."))
    applied = _blind_applied(transcript)
    open_ = [k for k, by in applied.items() if set(by) != coders and k not in decisions]
    if open_:
        raise ApplicationError(
            _("Decide the %(n)s disagreements before merging.") % {"n": len(open_)},
            extra={"field": "decisions"},
        )
    turns = {t.pk: t for t in transcript.turns.all()}
    rows = []
    for (turn_id, code_id), by_coder in sorted(applied.items()):
        keep = set(by_coder) == coders or bool(decisions.get((turn_id, code_id)))
        if not keep:
            continue
        turn = turns[turn_id]
        spans = [c for codings in by_coder.values() for c in codings]
        start = max(turn.start, min(c.start for c in spans))
        end = min(turn.end, max(c.end for c in spans))
        memos = [c.memo for c in spans if c.memo]
        rows.append(
            Coding(
                transcript=transcript,
                code_id=code_id,
                coder=None,
                start=start,
                end=end,
                memo="\n".join(dict.fromkeys(memos))[:5000],
                final=True,
            )
        )
    Coding.objects.bulk_create(rows)
    transcript.merged_at = timezone.now()
    transcript.save(update_fields=["merged_at", "updated_at"])
    audit_record(actor=actor, action="update", target=transcript, detail={"merged": len(rows)})
    return len(rows)
