"""Evidence files of milestones: what a file is comes from its content (never its name),
photos lose their metadata, every file is encrypted at rest (S13) and read back only
through ``evidence_bytes`` by a page that checks who may open the commitment."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError
from cascada.core.images import photo_clean
from cascada.imports.storage import upload_open, upload_store

from ..models import EvidenceKind, Milestone, MilestoneEvidence
from ..selectors import may_report
from .base import _allow, _text, _user

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_PER_MILESTONE = 20

CONTENT_TYPES: dict[str, str] = {
    EvidenceKind.PDF: "application/pdf",
    EvidenceKind.PHOTO: "image/jpeg",
    EvidenceKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    EvidenceKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    EvidenceKind.ODT: "application/vnd.oasis.opendocument.text",
    EvidenceKind.ODS: "application/vnd.oasis.opendocument.spreadsheet",
}
# The part of a zipped office file that says what it is.
_ZIP_MARKS = (
    ("word/document.xml", EvidenceKind.DOCX),
    ("xl/workbook.xml", EvidenceKind.XLSX),
)
_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": EvidenceKind.ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": EvidenceKind.ODS,
}


def evidence_kind(data: bytes) -> str | None:
    """What the bytes are (PDF, a photo, a Word, Excel or OpenDocument file), or None."""
    if data.startswith(b"%PDF-"):
        return EvidenceKind.PDF
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return EvidenceKind.PHOTO
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                for part, kind in _ZIP_MARKS:
                    if part in names:
                        return kind
                if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                    return _OPEN_DOCUMENT.get(archive.read("mimetype").strip())
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return None
    return None


def _name(raw: Any) -> str:
    """The user's file name without folders or control characters, bounded."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "archivo"


@transaction.atomic
def evidence_add(
    *, actor: Any, milestone: Milestone, name: str, data: bytes, description: str = ""
) -> MilestoneEvidence:
    """Attach a file to a milestone (by whoever may report on the commitment). A PDF, a
    photo (re-encoded without metadata) or a Word, Excel or OpenDocument file of at most
    10 MB; anything else is refused with the reason."""
    _allow(actor, may_report(actor, milestone.commitment))
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ApplicationError(_("The file is larger than 10 MB."), extra={"field": "evidence"})
    kind = evidence_kind(data)
    if kind is None:
        raise ApplicationError(
            _(
                "This file cannot be kept as evidence: send a PDF, a photo (JPEG or PNG) or a "
                "Word, Excel or OpenDocument file."
            ),
            extra={"field": "evidence"},
        )
    if MilestoneEvidence.objects.filter(milestone=milestone).count() >= EVIDENCE_PER_MILESTONE:
        raise ApplicationError(
            _("A milestone keeps at most %(n)s files.") % {"n": EVIDENCE_PER_MILESTONE},
            extra={"field": "evidence"},
        )
    if kind == EvidenceKind.PHOTO:
        data = photo_clean(data)
    evidence = MilestoneEvidence(
        milestone=milestone,
        original_name=_name(name),
        kind=kind,
        size=len(data),
        description=_text(description, 300, field="description", label=_("What it shows")),
        uploaded_by=_user(actor),
    )
    upload_store(evidence, data)
    evidence.save()
    audit_record(actor=actor, action="create", target=evidence)
    return evidence


def evidence_bytes(evidence: MilestoneEvidence) -> bytes:
    """The file, decrypted (for the page that serves it after checking scope)."""
    return upload_open(evidence).read()


def evidence_download_name(evidence: MilestoneEvidence) -> str:
    """The name to download under: the user's name, its extension made to match what the
    file is."""
    stem = (
        evidence.original_name.rsplit(".", 1)[0]
        if "." in evidence.original_name
        else evidence.original_name
    )
    return f"{stem or 'archivo'}.{evidence.kind}"
