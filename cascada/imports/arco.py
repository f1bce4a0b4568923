"""Uploaded files, import jobs and a person's rights (S14, ARCO; docs/decisions/arco.md).

The imports app sits below the registry, so it hears no registry hook: ``registry/arco.py``
calls these functions directly with what identifies the person (``Needles``).

- A confirmed or rejected import keeps no file (deleted at once); an undecided one keeps
  its encrypted upload until the sweep (``CASCADA_IMPORT_KEEP_HOURS``, 24 h). Waiting for
  the sweep is not enough at an erasure: a coordinator could still confirm that upload and
  register the person again. So ``uploads_forget`` opens every upload still kept (and any
  file of no job), looks for the person (ID number, code, or every word of the name on
  one row), deletes the files that mention them and rejects their undecided jobs.
- A job's row errors may name a person by code ("already registered: person K7P2QX9A"):
  ``import_codes_replace`` swaps an old code for the stub's new one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.crypto import decrypt_bytes
from cascada.core.errors import ApplicationError

from .models import ImportJob, ImportStatus
from .parsers import FileProblem, normalize_text, open_table
from .storage import stored_upload_names, upload_open

_WORD = re.compile(r"[0-9A-Za-z]+")

# Jobs that keep a file and wait for someone (rejected when they mention the person), and
# the state of a job whose rows are being written (the erasure waits for it).
WAITING = ("uploaded", "validated", "stopped")
RUNNING = "importing"


def _id_key(value: str) -> str:
    """An ID number as compared here: letters and digits, upper case, without the leading
    zeros Excel drops."""
    return "".join(_WORD.findall(str(value))).upper().lstrip("0")


@dataclass(frozen=True)
class Needles:
    """What identifies a person in a spreadsheet: codes, ID numbers and full names."""

    codes: tuple[str, ...] = ()
    id_numbers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # "given family", as registered

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", tuple(c.upper() for c in self.codes if c))
        # Too short a number would match row numbers and dates.
        ids = (_id_key(n) for n in self.id_numbers if n)
        object.__setattr__(self, "id_numbers", tuple(k for k in ids if len(k) >= 5))
        # A lone given name ("Juan") would match half the files: names of two words or more.
        words = (tuple(normalize_text(n).split()) for n in self.names if n)
        object.__setattr__(self, "names", tuple(" ".join(w) for w in words if len(w) >= 2))

    def in_words(self, words: set[str]) -> bool:
        """Does a set of words (upper-cased letters and digits) mention the person?"""
        if any(c in words for c in self.codes):
            return True
        keys = {w.lstrip("0") for w in words}
        if any(k in keys for k in self.id_numbers):
            return True
        folded = {w.casefold() for w in words}
        return any(set(name.split()) <= folded for name in self.names)

    def in_text(self, text: str) -> bool:
        """Does a text mention the person (all of it taken as one row)?"""
        return self.in_words(_words([text]))


def _words(cells: Iterable[Any]) -> set[str]:
    words: set[str] = set()
    for cell in cells:
        if cell is None:
            continue
        text = normalize_text(str(cell))
        words.update(w.upper() for w in _WORD.findall(text))
        # A number split by spaces or dots ("4512 3456") is one ID number too.
        joined = "".join(_WORD.findall(text))
        if joined:
            words.add(joined.upper())
    return words


def _raw_words(data: bytes) -> set[str]:
    """Every word of the file, every sheet and part included (an .xlsx is a zip of XML)."""
    texts: list[str] = []
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".xml"):
                    xml = archive.read(info).decode("utf-8", "replace")
                    texts.extend(re.split(r"<[^>]*>", xml))
    else:
        texts.append(data.decode("utf-8", "replace"))
    return _words(texts)


def upload_mentions(data: bytes, needles: Needles) -> bool:
    """Does this (decrypted) upload mention the person? A name counts only when all its
    words are on one row of the table; ID numbers and codes anywhere in the file."""
    raw = _raw_words(data)
    if any(c in raw for c in needles.codes):
        return True
    if needles.id_numbers and {w.lstrip("0") for w in raw} & set(needles.id_numbers):
        return True
    if not needles.names:
        return False
    try:
        table = open_table(io.BytesIO(data))
    except FileProblem:
        # Unreadable as a table: the whole file counts as one row (the safe side).
        return needles.in_words(raw)
    try:
        return any(needles.in_words(_words(cells)) for _n, cells in table.rows)
    except FileProblem:
        return needles.in_words(raw)
    finally:
        table.close()


def uploads_forget(*, actor: Any, needles: Needles) -> int:
    """Delete every kept upload that mentions the person, whatever its job's state (an
    undecided job is rejected with it), and files of no job; the number of files deleted.
    Audited per import (``import_reject``, reason ``erasure``), without saying whom it
    was about."""
    deleted = 0
    for job in ImportJob.objects.exclude(file=""):
        try:
            data = upload_open(job).read()
        except (OSError, ValueError, ImproperlyConfigured):
            # A file that can no longer be read is of no use to anyone: delete it too.
            data = None
        if data is not None and not upload_mentions(data, needles):
            continue
        if job.status == RUNNING:
            # Its rows are being written now: erasing meanwhile could be undone by the
            # next batch. Refused; the whole erasure rolls back.
            raise ApplicationError(
                _(
                    "An import that mentions this person is running. Wait until it ends, "
                    "then erase the personal data."
                ),
                code="import_running",
            )
        job.file.delete(save=False)
        job.file = ""
        fields = ["file"]
        if job.status in WAITING:
            job.status = ImportStatus.REJECTED
            job.finished_at = timezone.now()
            fields += ["status", "finished_at"]
        job.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="import_reject",
            target=job,
            detail={"kind": job.kind, "reason": "erasure"},
        )
        deleted += 1
    storage = ImportJob._meta.get_field("file").storage
    known = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in stored_upload_names(storage):
        if name in known:
            continue
        try:
            with storage.open(name, "rb") as stored:
                data = decrypt_bytes(stored.read())
        except (OSError, ValueError, ImproperlyConfigured):
            continue  # the sweep deletes it once old enough
        if upload_mentions(data, needles):
            storage.delete(name)
            deleted += 1
    return deleted


def _swap(value: Any, codes: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in codes.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_swap(v, codes) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, codes) for k, v in value.items()}
    return value


def import_codes_replace(*, codes: Mapping[str, str]) -> int:
    """Replace old person codes by new ones in the row errors of import jobs; the number of
    jobs changed."""
    changed = 0
    for old in (c for c in codes if c):
        for job in ImportJob.objects.filter(errors__icontains=old).only("pk", "errors"):
            errors = _swap(job.errors, codes)
            if errors != job.errors:
                ImportJob.objects.filter(pk=job.pk).update(errors=errors)
                changed += 1
    return changed


def import_jobs_mentioning(*, codes: Iterable[str]) -> list[dict[str, Any]]:
    """Imports whose row errors name one of these codes, for the person's copy of their
    data: which import, of what, when and how it ended. What an import created or updated
    is not recorded per person, so these are the imports that can be traced to them."""
    found: dict[int, ImportJob] = {}
    for code in (c for c in codes if c):
        for job in ImportJob.objects.filter(errors__icontains=code):
            found[job.pk] = job
    return [
        {
            "import": job.pk,
            "kind": job.kind,
            "uploaded_at": job.created_at.isoformat(),
            "status": job.status,
        }
        for job in sorted(found.values(), key=lambda j: j.pk)
    ]
