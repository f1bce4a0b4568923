"""Writing a study's codebook (``.qdc``) and project (``.qdpx``), valid against the
standard's XSDs (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import xmlschema
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lxml import etree

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError

from ..models import Code, Coding, Event, Recruit, RecruitStatus, Study, Transcript, Turn
from ..selectors import is_lead, transcript_list
from ..services.coding import COLOR_RE

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
SCHEMAS = Path(__file__).parent.parent / "data" / "refi"
ORIGIN = "Cascada"

# GUIDs derived from rows that have none of their own: fixed namespaces, never change them
# (a re-export must give the same GUIDs).
USER_NAMESPACE = uuid.UUID("cbad07d8-e077-42cd-8dba-85e64a289e0b")
DERIVED_NAMESPACE = uuid.UUID("5f0a8c1e-4b7d-4c36-9a51-2f7e0d3b9c84")

# Characters XML 1.0 cannot hold (control characters but tab and line ends, surrogates,
# U+FFFE, U+FFFF): dropped from names and memos written to XML.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@cache
def _schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / name))


def _validated(data: bytes, schema: str) -> bytes:
    """``data`` if valid against the schema; a failure is a bug of this module. The error
    names where, never the value (it could be a memo: S11)."""
    error = next(iter(_schema(schema).iter_errors(io.BytesIO(data))), None)
    if error is not None:
        raise RuntimeError(f"REFI-QDA output invalid against {schema} at {error.path}")
    return data


def _safe(text: Any) -> str:
    return _NOT_XML.sub("", str(text or ""))


def _stamp(moment: dt.datetime | None) -> str:
    moment = moment or timezone.now()
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_guid(user: Any) -> str:
    """The GUID a user carries in an export: derived from the user's id, never stored."""
    return str(uuid.uuid5(USER_NAMESPACE, f"user:{user.pk}"))


def _derived(kind: str, key: Any) -> str:
    return str(uuid.uuid5(DERIVED_NAMESPACE, f"{kind}:{key}"))


def _color(value: str) -> str | None:
    return value if value and COLOR_RE.match(value) else None


def _codes_tree(study: Study) -> dict[int | None, list[Code]]:
    by_parent: dict[int | None, list[Code]] = defaultdict(list)
    for code in Code.objects.filter(study=study).order_by("order", "name", "pk"):
        by_parent[code.parent_id].append(code)
    return by_parent


def _code_elements(
    parent: Any,
    ns: str,
    by_parent: dict[int | None, list[Code]],
    parent_id: int | None,
    memo_notes: dict[int, str] | None = None,
) -> None:
    for code in by_parent.get(parent_id, []):
        attrs = {"guid": str(code.guid), "name": _safe(code.name), "isCodable": "true"}
        color = _color(code.color)
        if color:
            attrs["color"] = color
        el = etree.SubElement(parent, f"{{{ns}}}Code", attrs)
        if code.definition:
            etree.SubElement(el, f"{{{ns}}}Description").text = _safe(code.definition)
        if memo_notes is not None and code.pk in memo_notes:
            etree.SubElement(el, f"{{{ns}}}NoteRef", targetGUID=memo_notes[code.pk])
        _code_elements(el, ns, by_parent, code.pk, memo_notes)


def _xml_bytes(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _no_codes() -> ApplicationError:
    return ApplicationError(_("The codebook has no codes yet: there is nothing to export."))


def codebook_qdc(study: Study) -> bytes:
    """The study's codebook as a REFI-QDA ``.qdc`` (UTF-8): nested codes with their
    GUIDs, names and definitions. The caller checks who may read the codebook."""
    by_parent = _codes_tree(study)
    if not by_parent:
        raise _no_codes()
    root = etree.Element(f"{{{NS_CODEBOOK}}}CodeBook", nsmap={None: NS_CODEBOOK})
    root.set("origin", ORIGIN)
    codes = etree.SubElement(root, f"{{{NS_CODEBOOK}}}Codes")
    _code_elements(codes, NS_CODEBOOK, by_parent, None)
    return _validated(_xml_bytes(root), "Codebook.xsd")


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    return etree.SubElement(parent, f"{{{NS_PROJECT}}}{tag}", attrs)


def _note(notes: list[Any], guid: str, name: str, text: str, creator: str | None) -> None:
    el = etree.Element(f"{{{NS_PROJECT}}}Note", {"guid": guid, "name": _safe(name)[:200]})
    if creator:
        el.set("creatingUser", creator)
    etree.SubElement(el, f"{{{NS_PROJECT}}}PlainTextContent").text = _safe(text)
    notes.append(el)


def _cases(root: Any, study: Study, transcripts: list[Transcript]) -> None:
    """Participants of the exported transcripts as cases, with their site and age group
    as variables and the transcripts they speak in as sources."""
    events = {t.event_id: t for t in transcripts if t.event_id}
    if not events:
        return
    recruits = (
        Recruit.objects.filter(study=study, events__in=list(events))
        .exclude(status=RecruitStatus.WITHDRAWN)
        .select_related("site", "stratum")
        .distinct()
        .order_by("code")
    )
    sources: dict[int, list[str]] = defaultdict(list)
    through = Event.participants.through.objects.filter(event_id__in=list(events))
    for row in through.values("recruit_id", "event_id"):
        sources[row["recruit_id"]].append(str(events[row["event_id"]].guid))
    people = list(recruits)
    if not people:
        return
    site_var = _derived("variable-site", study.pk)
    group_var = _derived("variable-age-group", study.pk)
    variables = _sub(root, "Variables")
    site = _sub(variables, "Variable", guid=site_var, name=str(_("Site")), typeOfVariable="Text")
    _sub(site, "Description").text = str(_("Where the participant was recruited."))
    group = _sub(
        variables, "Variable", guid=group_var, name=str(_("Age group")), typeOfVariable="Text"
    )
    _sub(group, "Description").text = str(_("The study's stratum the participant belongs to."))
    cases = _sub(root, "Cases")
    for person in people:
        case = _sub(cases, "Case", guid=_derived("case", person.pk), name=_safe(person.code))
        value = _sub(case, "VariableValue")
        _sub(value, "VariableRef", targetGUID=site_var)
        _sub(value, "TextValue").text = _safe(person.site.name)
        if person.stratum is not None:
            value = _sub(case, "VariableValue")
            _sub(value, "VariableRef", targetGUID=group_var)
            _sub(value, "TextValue").text = _safe(person.stratum.name)
        for guid in sorted(set(sources.get(person.pk, []))):
            _sub(case, "SourceRef", targetGUID=guid)


def _withdrawn_spans(transcripts: list[Transcript]) -> dict[int, list[tuple[int, int]]]:
    """The turns spoken by participants who withdrew, per transcript: their words leave
    with no export (the analysis leaves them out too)."""
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for transcript_id, start, end in Turn.objects.filter(
        transcript__in=transcripts, participant__status=RecruitStatus.WITHDRAWN
    ).values_list("transcript_id", "start", "end"):
        spans[transcript_id].append((start, end))
    return spans


def _masked(text: str, spans: Any) -> str:
    """``text`` with the characters of ``spans`` blanked (line ends kept), so that every
    other position stays where the codings say."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def project_qdpx(*, study: Study, user: Any) -> bytes:
    """The study as a REFI-QDA project (``.qdpx``): the transcripts the user reads, the
    codebook, the final codings with their memos, the codes' memos, the participants as
    cases; the words of participants who withdrew are blanked and their codings left
    out. The study's lead only; audited with counts, never text (S11)."""
    if not is_lead(user, study):
        raise PermissionDeniedError()
    by_parent = _codes_tree(study)
    transcripts = list(transcript_list(user=user, study=study).order_by("name", "pk"))
    withdrawn = _withdrawn_spans(transcripts)
    codings = [
        coding
        for coding in Coding.objects.filter(transcript__in=transcripts, final=True)
        .select_related("code", "coder")
        .order_by("transcript_id", "start", "end", "pk")
        if not any(
            start < coding.end and coding.start < end
            for start, end in withdrawn.get(coding.transcript_id, ())
        )
    ]
    by_transcript: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_transcript[coding.transcript_id].append(coding)

    root = etree.Element(f"{{{NS_PROJECT}}}Project", nsmap={None: NS_PROJECT})
    root.set("name", _safe(study.title))
    root.set("origin", ORIGIN)
    root.set("creatingUserGUID", user_guid(user))
    root.set("creationDateTime", _stamp(None))

    users = {user.pk: user}
    users.update({c.coder.pk: c.coder for c in codings if c.coder is not None})
    users_el = _sub(root, "Users")
    for person in sorted(users.values(), key=lambda u: u.pk):
        name = person.get_full_name() or person.username
        _sub(users_el, "User", guid=user_guid(person), name=_safe(name))

    notes: list[Any] = []
    code_notes: dict[int, str] = {}
    for codes in by_parent.values():
        for code in codes:
            if code.memo:
                guid = _derived("code-memo", code.guid)
                code_notes[code.pk] = guid
                _note(notes, guid, code.name, code.memo, None)
    if by_parent:
        book = _sub(root, "CodeBook")
        _code_elements(_sub(book, "Codes"), NS_PROJECT, by_parent, None, code_notes)

    _cases(root, study, transcripts)

    texts: dict[str, str] = {}
    if transcripts:
        sources = _sub(root, "Sources")
        for transcript in transcripts:
            guid = str(transcript.guid)
            texts[guid] = _masked(transcript.text, withdrawn.get(transcript.pk, ()))
            source = _sub(
                sources,
                "TextSource",
                guid=guid,
                name=_safe(transcript.name),
                plainTextPath=f"internal://{guid}.txt",
                creationDateTime=_stamp(transcript.created_at),
            )
            for coding in by_transcript.get(transcript.pk, []):
                creator = user_guid(coding.coder) if coding.coder is not None else None
                selection = _sub(
                    source,
                    "PlainTextSelection",
                    guid=_derived("selection", coding.guid),
                    startPosition=str(coding.start),
                    endPosition=str(coding.end),
                    creationDateTime=_stamp(coding.created_at),
                )
                coding_el = _sub(
                    selection,
                    "Coding",
                    guid=str(coding.guid),
                    creationDateTime=_stamp(coding.created_at),
                )
                if creator:
                    selection.set("creatingUser", creator)
                    coding_el.set("creatingUser", creator)
                _sub(coding_el, "CodeRef", targetGUID=str(coding.code.guid))
                if coding.memo:
                    note_guid = _derived("coding-memo", coding.guid)
                    _sub(selection, "NoteRef", targetGUID=note_guid)
                    _note(notes, note_guid, coding.code.name, coding.memo, creator)
    if notes:
        _sub(root, "Notes").extend(notes)

    qde = _validated(_xml_bytes(root), "Project.xsd")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for guid, text in texts.items():
            archive.writestr(f"Sources/{guid}.txt", text.encode("utf-8"))
    audit_record(
        actor=user,
        action="export",
        target=study,
        detail={
            "format": "qdpx",
            "sources": len(transcripts),
            "codes": sum(len(v) for v in by_parent.values()),
            "codings": len(codings),
            "notes": len(notes),
        },
    )
    return out.getvalue()
