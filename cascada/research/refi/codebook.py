"""Merging a codebook read from a REFI-QDA file into the study's (see the package's
docstring), and the import of a ``.qdc``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element as XmlElement  # only the parsed tree's type

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from ..models import Code, Study
from ..selectors import is_lead
from ..services.base import _allow
from ..services.coding import COLOR_RE, code_create, code_update
from .files import (
    XML_MAX_BYTES,
    _Archive,
    _child,
    _children,
    _guid_key,
    _local,
    _refuse,
    _text_of,
    _uuid,
    _xml,
)

# A codebook nests a few levels (NVivo, QualCoder: rarely more than 5); deeper files are
# refused before any recursion over them can exhaust the stack.
CODE_DEPTH_MAX = 20
# Bounded fields of the models (``services.coding``).
CODE_NAME_MAX = 120
CODE_DEFINITION_MAX = 5_000
CODE_MEMO_MAX = 20_000
CODING_MEMO_MAX = 5_000
TRANSCRIPT_NAME_MAX = 120


@dataclass
class ImportReport:
    """What an import took (counts) and what it did not, in sentences for the user."""

    codes: int = 0  # codes created
    codes_matched: int = 0  # codes of the file already in the codebook (GUID or name)
    sources: int = 0  # transcripts created
    codings: int = 0
    notes: int = 0  # notes taken as memos
    users: int = 0  # users named in the file (their work is recorded as the importer's)
    not_taken: list[str] = field(default_factory=list)


@dataclass
class _CodeNode:
    key: str
    guid: uuid.UUID
    name: str
    definition: str
    color: str
    notes: list[str]
    children: list[_CodeNode]


class _Reader:
    """What the file says, read before anything is written."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.keys: set[str] = set()
        self.guids: set[uuid.UUID] = set()
        self.cut_names = 0
        self.cut_definitions = 0

    def codes(self, codes_el: XmlElement | None, filename: str) -> list[_CodeNode]:
        if codes_el is None:
            return []
        return [self._code(el, filename) for el in _children(codes_el, "Code")]

    def _code(self, el: XmlElement, filename: str, depth: int = 1) -> _CodeNode:
        if depth > CODE_DEPTH_MAX:
            raise _refuse(
                _(
                    "%(file)s nests codes more than %(max)s levels deep: Cascada takes at most %(max)s."
                )
                % {"file": filename, "max": CODE_DEPTH_MAX}
            )
        raw = el.get("guid")
        key = _guid_key(raw)
        name = " ".join(str(el.get("name") or "").split())
        if key and key in self.keys:
            raise _refuse(
                _("%(file)s gives the same GUID to two codes (%(guid)s).")
                % {"file": filename, "guid": str(raw)[:40]}
            )
        guid = _uuid(raw)
        if guid is None or guid in self.guids:
            guid = uuid.uuid4()
        self.keys.add(key)
        self.guids.add(guid)
        if not name:
            name = str(_("Code without a name"))
        if len(name) > CODE_NAME_MAX:
            name = name[:CODE_NAME_MAX].rstrip()
            self.cut_names += 1
        definition = _text_of(_child(el, "Description")).strip()
        if len(definition) > CODE_DEFINITION_MAX:
            definition = definition[:CODE_DEFINITION_MAX]
            self.cut_definitions += 1
        color = str(el.get("color") or "").strip()
        if re.fullmatch(r"#[0-9a-fA-F]{3}", color):
            color = "#" + "".join(ch * 2 for ch in color[1:])
        return _CodeNode(
            key=key,
            guid=guid,
            name=name,
            definition=definition,
            color=color if COLOR_RE.match(color) else "",
            notes=[_guid_key(r.get("targetGUID")) for r in _children(el, "NoteRef")],
            children=[self._code(child, filename, depth + 1) for child in _children(el, "Code")],
        )

    def cuts(self) -> None:
        if self.cut_names:
            self.report.not_taken.append(
                ngettext(
                    "%(n)s code name was longer than %(max)s characters and was cut.",
                    "%(n)s code names were longer than %(max)s characters and were cut.",
                    self.cut_names,
                )
                % {"n": self.cut_names, "max": CODE_NAME_MAX}
            )
        if self.cut_definitions:
            self.report.not_taken.append(
                ngettext(
                    "%(n)s code definition was longer than %(max)s characters and was cut.",
                    "%(n)s code definitions were longer than %(max)s characters and were cut.",
                    self.cut_definitions,
                )
                % {"n": self.cut_definitions, "max": CODE_DEFINITION_MAX}
            )


def _codes_write(
    *,
    actor: Any,
    study: Study,
    nodes: list[_CodeNode],
    notes: dict[str, str],
    report: ImportReport,
) -> tuple[dict[str, Code], set[str], set[str]]:
    """Merge the file's codes into the codebook (see the module's docstring). Returns the
    codes by the file's GUID keys, the notes taken as code memos, and those not taken
    because the code already has another memo."""
    existing = list(Code.objects.filter(study=study))
    by_guid = {code.guid: code for code in existing}
    by_name = {(code.parent_id, code.name.casefold()): code for code in existing}
    out: dict[str, Code] = {}
    used_notes: set[str] = set()
    kept_notes: set[str] = set()  # reported on their own: the code's memo stays
    memo_kept = 0

    def walk(items: list[_CodeNode], parent: Code | None) -> None:
        nonlocal memo_kept
        parent_id = parent.pk if parent is not None else None
        for node in items:
            code = by_guid.get(node.guid) or by_name.get((parent_id, node.name.casefold()))
            if code is not None:
                report.codes_matched += 1
            else:
                code = code_create(
                    actor=actor,
                    study=study,
                    name=node.name,
                    parent=parent,
                    definition=node.definition,
                    color=node.color,
                    guid=node.guid,
                )
                report.codes += 1
                by_guid[code.guid] = code
                by_name[(parent_id, code.name.casefold())] = code
            out[node.key] = code
            texts = [notes[k] for k in node.notes if k in notes and notes[k].strip()]
            if texts:
                memo = "\n\n".join(t.strip() for t in texts)
                refs = {k for k in node.notes if k in notes}
                if not code.memo or code.memo == memo:
                    if not code.memo:
                        code_update(actor=actor, code=code, memo=memo[:CODE_MEMO_MAX])
                    used_notes.update(refs)
                else:
                    memo_kept += 1
                    kept_notes.update(refs)
            walk(node.children, code)

    walk(nodes, None)
    if memo_kept:
        report.not_taken.append(
            ngettext(
                "%(n)s memo of a code already in the codebook was not taken: its memo stays.",
                "%(n)s memos of codes already in the codebook were not taken: their memos stay.",
                memo_kept,
            )
            % {"n": memo_kept}
        )
    return out, used_notes, kept_notes


def _plural(kind: str, n: int) -> str:
    """A sentence saying n elements of a kind were not taken."""
    sentences = {
        "Set": ngettext(
            "%(n)s set of codes or sources was not taken.",
            "%(n)s sets of codes or sources were not taken.",
            n,
        ),
        "Graph": ngettext(
            "%(n)s graph (network view) was not taken.",
            "%(n)s graphs (network views) were not taken.",
            n,
        ),
        "Link": ngettext("%(n)s link was not taken.", "%(n)s links were not taken.", n),
        "Case": ngettext("%(n)s case was not taken.", "%(n)s cases were not taken.", n),
        "Variable": ngettext("%(n)s variable was not taken.", "%(n)s variables were not taken.", n),
    }
    return sentences[kind] % {"n": n}


def _containers_not_taken(root: XmlElement, report: ImportReport, kinds: Iterable[str]) -> None:
    for kind in kinds:
        n = sum(len(list(_children(box, kind))) for box in _children(root, kind + "s"))
        if n:
            report.not_taken.append(_plural(kind, n))


def _codebook_root(data: bytes) -> tuple[XmlElement, str]:
    """The CodeBook of a .qdc, or of a .qdpx's project."""
    if data[:4] == b"PK\x03\x04":
        archive = _Archive(data)
        info = archive.find("project.qde")
        if info is None:
            raise _refuse(_("The .qdpx file holds no project.qde."))
        project = _xml(archive.read(info), "project.qde")
        if _local(project.tag) != "Project":
            raise _not_root("project.qde", project, "Project")
        book = _child(project, "CodeBook")
        if book is None:
            raise _refuse(_("project.qde holds no codebook."))
        return book, "project.qde"
    if len(data) > XML_MAX_BYTES:
        raise _refuse(_("The codebook file is larger than 100 MB."))
    root = _xml(data, ".qdc")
    if _local(root.tag) != "CodeBook":
        raise _not_root(".qdc", root, "CodeBook")
    return root, ".qdc"


def _not_root(filename: str, root: XmlElement, expected: str) -> ApplicationError:
    return _refuse(
        _("%(file)s is not a REFI-QDA file: its root element is %(root)s, not %(expected)s.")
        % {"file": filename, "root": _local(root.tag)[:40], "expected": expected}
    )


@transaction.atomic
def codebook_import(*, actor: Any, study: Study, data: bytes) -> ImportReport:
    """A REFI-QDA codebook (``.qdc``, or the codebook of a ``.qdpx``) merged into the
    study's (the lead only): nested codes with their GUIDs, names and definitions."""
    _allow(actor, is_lead(actor, study))
    report = ImportReport()
    book, filename = _codebook_root(data)
    reader = _Reader(report)
    nodes = reader.codes(_child(book, "Codes"), filename)
    if not nodes:
        raise _refuse(_("%(file)s holds no codes.") % {"file": filename})
    _codes_write(actor=actor, study=study, nodes=nodes, notes={}, report=report)
    reader.cuts()
    if filename == ".qdc":
        _containers_not_taken(book, report, ["Set"])
    audit_record(
        actor=actor,
        action="import",
        target=study,
        detail={"format": "qdc", "codes": report.codes, "matched": report.codes_matched},
    )
    return report
