"""The import of a REFI-QDA project (``.qdpx``): text sources as transcripts, coded
selections as final codings, what is not taken reported (see the package's docstring)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element as XmlElement  # only the parsed tree's type

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cascada.audit.services import audit_record, audit_record_many

from ..models import Coding, Study, Transcript, TranscriptSource
from ..selectors import is_lead
from ..services.base import _allow, _user
from ..services.fieldwork import TRANSCRIPT_MAX_CHARS, _turns_write
from .codebook import (
    CODING_MEMO_MAX,
    TRANSCRIPT_NAME_MAX,
    ImportReport,
    _codes_write,
    _containers_not_taken,
    _not_root,
    _Reader,
)
from .files import (
    _Archive,
    _child,
    _children,
    _decoded,
    _guid_key,
    _local,
    _names,
    _position,
    _refuse,
    _text_of,
    _uuid,
    _without_bom,
    _xml,
)


@dataclass
class _Selection:
    start: int
    end: int
    codes: list[str]  # GUID keys of the codes applied
    notes: list[str]  # GUID keys of the notes on the selection or its codings
    description: str


@dataclass
class _Source:
    guid: uuid.UUID | None
    name: str
    text: str
    selections: list[_Selection]


_MEDIA = {
    "PDFSource": "pdf",
    "PictureSource": "picture",
    "AudioSource": "audio",
    "VideoSource": "video",
}


def _media_sentence(kind: str, names: list[str]) -> str:
    n = len(names)
    listed = _names(names)
    sentences = {
        "pdf": ngettext(
            "%(n)s PDF source was not taken (only text sources are): %(names)s.",
            "%(n)s PDF sources were not taken (only text sources are): %(names)s.",
            n,
        ),
        "picture": ngettext(
            "%(n)s picture was not taken (only text sources are): %(names)s.",
            "%(n)s pictures were not taken (only text sources are): %(names)s.",
            n,
        ),
        "audio": ngettext(
            "%(n)s audio source was not taken (only text sources are): %(names)s.",
            "%(n)s audio sources were not taken (only text sources are): %(names)s.",
            n,
        ),
        "video": ngettext(
            "%(n)s video was not taken (only text sources are): %(names)s.",
            "%(n)s videos were not taken (only text sources are): %(names)s.",
            n,
        ),
    }
    return sentences[kind] % {"n": n, "names": listed}


class _ProjectReader:
    def __init__(self, archive: _Archive, report: ImportReport) -> None:
        self.archive = archive
        self.report = report
        self.unknown_code = 0
        self.no_code = 0
        self.empty = 0
        self.whole = 0

    def note_texts(self, root: XmlElement) -> dict[str, str]:
        """Notes by GUID key: their inline text, or their text file in Sources/."""
        out: dict[str, str] = {}
        for box in _children(root, "Notes"):
            for note in _children(box, "Note"):
                content = _child(note, "PlainTextContent")
                text = _text_of(content)
                path = str(note.get("plainTextPath") or "")
                if content is None and path.startswith("internal://"):
                    info = self.archive.source(path[len("internal://") :])
                    text = (_decoded(self.archive.read(info)) or "") if info else ""
                out[_guid_key(note.get("guid"))] = text
        return out

    def sources(self, root: XmlElement) -> list[_Source]:
        media: dict[str, list[str]] = defaultdict(list)
        outside: list[str] = []
        unreadable: list[str] = []
        too_long: list[str] = []
        empty: list[str] = []
        out: list[_Source] = []
        for box in _children(root, "Sources"):
            for el in box:
                tag = _local(el.tag)
                name = " ".join(str(el.get("name") or "").split()) or str(_("Untitled source"))
                if tag in _MEDIA:
                    media[_MEDIA[tag]].append(name)
                    continue
                if tag != "TextSource":
                    continue
                text = self._text(el)
                if text is None:
                    path = str(el.get("plainTextPath") or "")
                    if path and not path.startswith("internal://"):
                        outside.append(name)
                    else:
                        unreadable.append(name)
                    continue
                if len(text) > TRANSCRIPT_MAX_CHARS:
                    too_long.append(name)
                    continue
                if not text.strip():
                    empty.append(name)
                    continue
                out.append(
                    _Source(
                        guid=_uuid(el.get("guid")),
                        name=name,
                        text=text,
                        selections=self._selections(el, name, text),
                    )
                )
        for kind in ("pdf", "picture", "audio", "video"):
            if media[kind]:
                self.report.not_taken.append(_media_sentence(kind, media[kind]))
        sentences = (
            (
                outside,
                ngettext(
                    "%(n)s source points to a file outside the project (a relative or "
                    "absolute path) and was not taken: %(names)s.",
                    "%(n)s sources point to files outside the project (relative or absolute "
                    "paths) and were not taken: %(names)s.",
                    len(outside),
                ),
            ),
            (
                unreadable,
                ngettext(
                    "%(n)s source has no plain text Cascada can read in the project and was "
                    "not taken: %(names)s.",
                    "%(n)s sources have no plain text Cascada can read in the project and "
                    "were not taken: %(names)s.",
                    len(unreadable),
                ),
            ),
            (
                too_long,
                ngettext(
                    "%(n)s source is longer than a transcript may be and was not taken: %(names)s.",
                    "%(n)s sources are longer than a transcript may be and were not taken: "
                    "%(names)s.",
                    len(too_long),
                ),
            ),
            (
                empty,
                ngettext(
                    "%(n)s source is empty and was not taken: %(names)s.",
                    "%(n)s sources are empty and were not taken: %(names)s.",
                    len(empty),
                ),
            ),
        )
        for names, sentence in sentences:
            if names:
                self.report.not_taken.append(sentence % {"n": len(names), "names": _names(names)})
        return out

    def _text(self, el: XmlElement) -> str | None:
        """The source's plain text as written: inline, or its file in Sources/."""
        path = str(el.get("plainTextPath") or "").strip()
        if path:
            if not path.startswith("internal://"):
                return None
            info = self.archive.source(path[len("internal://") :])
            if info is None:
                return None
            return _decoded(self.archive.read(info))
        content = _child(el, "PlainTextContent")
        if content is None:
            return None
        return _without_bom(_text_of(content))

    def _selections(self, el: XmlElement, name: str, text: str) -> list[_Selection]:
        self.whole += len(list(_children(el, "Coding")))
        out = []
        length = len(text)
        for sel in _children(el, "PlainTextSelection"):
            start = _position(sel, "startPosition", name)
            end = _position(sel, "endPosition", name)
            if start < 0 or end > length or end < start:
                raise _refuse(
                    _(
                        "A selection of the source «%(source)s» runs from character %(start)s "
                        "to %(end)s, but its text has %(length)s characters: the positions "
                        "do not match the text, and nothing was imported."
                    )
                    % {"source": name, "start": start, "end": end, "length": length}
                )
            codes: list[str] = []
            notes = [_guid_key(r.get("targetGUID")) for r in _children(sel, "NoteRef")]
            for coding in _children(sel, "Coding"):
                ref = _child(coding, "CodeRef")
                if ref is not None:
                    codes.append(_guid_key(ref.get("targetGUID")))
                notes += [_guid_key(r.get("targetGUID")) for r in _children(coding, "NoteRef")]
            if start == end:
                self.empty += 1
                continue
            if not codes:
                self.no_code += 1
                continue
            out.append(
                _Selection(
                    start=start,
                    end=end,
                    codes=codes,
                    notes=notes,
                    description=_text_of(_child(sel, "Description")).strip(),
                )
            )
        return out

    def sentences(self) -> None:
        counted = (
            (
                self.unknown_code,
                ngettext(
                    "%(n)s coding refers to a code the file does not define and was not taken.",
                    "%(n)s codings refer to codes the file does not define and were not taken.",
                    self.unknown_code,
                ),
            ),
            (
                self.no_code,
                ngettext(
                    "%(n)s selection without a code was not taken.",
                    "%(n)s selections without a code were not taken.",
                    self.no_code,
                ),
            ),
            (
                self.empty,
                ngettext(
                    "%(n)s empty selection was not taken.",
                    "%(n)s empty selections were not taken.",
                    self.empty,
                ),
            ),
            (
                self.whole,
                ngettext(
                    "%(n)s coding of a whole source was not taken (only codings of selections "
                    "are).",
                    "%(n)s codings of whole sources were not taken (only codings of "
                    "selections are).",
                    self.whole,
                ),
            ),
        )
        for n, sentence in counted:
            if n:
                self.report.not_taken.append(sentence % {"n": n})


def _project_root(archive: _Archive) -> XmlElement:
    info = archive.find("project.qde")
    if info is None:
        qde = [i for key, i in archive.by_name.items() if key.endswith(".qde")]
        if len(qde) != 1:
            raise _refuse(_("The .qdpx file holds no project.qde."))
        info = qde[0]
    root = _xml(archive.read(info), "project.qde")
    if _local(root.tag) != "Project":
        raise _not_root("project.qde", root, "Project")
    return root


@transaction.atomic
def project_import(*, actor: Any, study: Study, data: bytes) -> ImportReport:
    """A REFI-QDA project (``.qdpx``) into the study (the lead only): its codebook merged
    into the study's, its text sources as new transcripts, its coded selections as final
    codings by the importing lead with their notes as memos. All or nothing."""
    _allow(actor, is_lead(actor, study))
    report = ImportReport()
    archive = _Archive(data)
    root = _project_root(archive)

    # Read everything first: a refusal leaves nothing written.
    reader = _Reader(report)
    book = _child(root, "CodeBook")
    nodes = reader.codes(_child(book, "Codes") if book is not None else None, "project.qde")
    project = _ProjectReader(archive, report)
    notes = project.note_texts(root)
    sources = project.sources(root)
    report.users = sum(len(list(_children(box, "User"))) for box in _children(root, "Users"))

    codes, used_notes, kept_notes = _codes_write(
        actor=actor, study=study, nodes=nodes, notes=notes, report=report
    )
    reader.cuts()
    who = _user(actor)
    cut_memos = 0
    transcripts: list[Transcript] = []
    codings: list[Coding] = []
    for source in sources:
        guid = source.guid
        if guid is None or Transcript.objects.filter(guid=guid).exists():
            guid = uuid.uuid4()
        transcript = Transcript.objects.create(
            study=study,
            event=None,
            name=source.name[:TRANSCRIPT_NAME_MAX],
            text=source.text,
            source=TranscriptSource.REFI,
            guid=guid,
        )
        _turns_write(transcript, source.text)
        transcripts.append(transcript)
        seen: dict[tuple[int, int, int], Coding] = {}
        for sel in source.selections:
            memo_parts = [notes[k].strip() for k in sel.notes if k in notes and notes[k].strip()]
            if sel.description:
                memo_parts.insert(0, sel.description)
            memo = "\n\n".join(dict.fromkeys(memo_parts))
            for key in sel.codes:
                code = codes.get(key)
                if code is None:
                    project.unknown_code += 1
                    continue
                used_notes.update(k for k in sel.notes if k in notes)
                span = (code.pk, sel.start, sel.end)
                if span in seen:
                    if memo and memo not in seen[span].memo:
                        seen[span].memo = "\n\n".join(filter(None, [seen[span].memo, memo]))
                    continue
                seen[span] = Coding(
                    transcript=transcript,
                    code=code,
                    coder=who,
                    start=sel.start,
                    end=sel.end,
                    memo=memo,
                    final=True,
                )
        for coding in seen.values():
            if len(coding.memo) > CODING_MEMO_MAX:
                coding.memo = coding.memo[:CODING_MEMO_MAX]
                cut_memos += 1
        codings += seen.values()
    taken = set(notes) & used_notes
    report.notes = len(taken)
    Coding.objects.bulk_create(codings, batch_size=1000)
    report.sources = len(transcripts)
    report.codings = len(codings)

    project.sentences()
    if cut_memos:
        report.not_taken.append(
            ngettext(
                "%(n)s memo was longer than %(max)s characters and was cut.",
                "%(n)s memos were longer than %(max)s characters and were cut.",
                cut_memos,
            )
            % {"n": cut_memos, "max": CODING_MEMO_MAX}
        )
    left = len(set(notes) - taken - kept_notes)
    if left:
        report.not_taken.append(
            ngettext(
                "%(n)s note was not taken (only memos of codes and of coded selections are).",
                "%(n)s notes were not taken (only memos of codes and of coded selections are).",
                left,
            )
            % {"n": left}
        )
    _containers_not_taken(root, report, ["Variable", "Case", "Link", "Set", "Graph"])
    if report.users:
        report.not_taken.append(
            ngettext(
                "The file names %(n)s user: the codings are recorded as made by you.",
                "The file names %(n)s users: the codings are recorded as made by you.",
                report.users,
            )
            % {"n": report.users}
        )

    audit_record_many(actor=actor, action="create", targets=transcripts)
    audit_record_many(actor=actor, action="create", targets=codings)
    audit_record(
        actor=actor,
        action="import",
        target=study,
        detail={
            "format": "qdpx",
            "codes": report.codes,
            "matched": report.codes_matched,
            "sources": report.sources,
            "codings": report.codings,
            "notes": report.notes,
        },
    )
    return report
