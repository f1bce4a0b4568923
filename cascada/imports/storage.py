"""Uploaded spreadsheets at rest, between the dry run and the user's decision (S13, S14).

They hold names and ID numbers, so they are kept like identity fields:

- encrypted with the same Fernet keys (``CASCADA_FIELD_KEYS``, ``core.crypto.encrypt_bytes``)
  before they reach the storage, and re-encrypted by ``cascada rotate_field_keys``;
- under a random name (the user's file name is an encrypted field of ``ImportJob``);
- on a local disk, readable by the server's user only (files 0600, folders 0700);
- never served (no media URL is routed) and deleted on confirm, on reject, or by the
  scheduled sweep (``cascada imports_sweep``).

The dry run reads the bytes from memory, never back from the disk.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from cascada.core.crypto import decrypt_bytes, encrypt_bytes, is_encrypted_bytes, rotate_bytes

UPLOAD_DIR = "imports"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_CHUNK = 64 * 1024


def upload_read(upload: Any, *, max_bytes: int) -> bytes | None:
    """The uploaded bytes, or ``None`` as soon as there are more than ``max_bytes`` (the
    rest is never read)."""
    chunks: Iterable[Any]
    if hasattr(upload, "chunks"):
        chunks = upload.chunks(_CHUNK)
    else:
        chunks = iter(lambda: upload.read(_CHUNK), b"")
    out = io.BytesIO()
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        if out.tell() + len(data) > max_bytes:
            return None
        out.write(data)
    return out.getvalue()


def upload_store(job: Any, data: bytes) -> None:
    """Encrypt ``data`` and store it as the job's file (the job is not saved). ``job`` is
    any record with a ``file`` field (an ``ImportJob``, a measurement upload)."""
    job.file.save(f"{uuid.uuid4().hex}.upload", ContentFile(encrypt_bytes(data)), save=False)
    make_private(job.file.storage, job.file.name or "")


def upload_open(job: Any) -> IO[bytes]:
    """The job's file, decrypted, in memory."""
    with job.file.open("rb") as stored:
        token = stored.read()
    return io.BytesIO(decrypt_bytes(token))


def upload_rotate(job: Any) -> bool:
    """Re-encrypt the record's file with the newest key, under a new name (the old file is
    deleted only once the record points at the new one). False if there was nothing to
    do. ``job`` is any record with an encrypted ``file`` (an import, a measurement or
    field upload, a photo)."""
    if not job.file:
        return False
    old = job.file.name or ""
    try:
        with job.file.open("rb") as stored:
            token = stored.read()
    except FileNotFoundError:
        return False
    if not is_encrypted_bytes(token):
        return False
    job.file.save(f"{uuid.uuid4().hex}.upload", ContentFile(rotate_bytes(token)), save=False)
    make_private(job.file.storage, job.file.name or "")
    type(job)._default_manager.filter(pk=job.pk).update(file=job.file.name)
    job.file.storage.delete(old)
    return True


def make_private(storage: Storage, name: str) -> None:
    """Files 0600 and folders 0700 up to ``MEDIA_ROOT/imports`` when the storage is a local
    disk (other storages, such as the tests' in-memory one, keep no file there)."""
    try:
        path = Path(storage.path(name))
        root = Path(storage.path(UPLOAD_DIR))
    except NotImplementedError:
        return
    if not path.is_file():
        return
    os.chmod(path, FILE_MODE)
    folder = path.parent
    while folder == root or root in folder.parents:
        os.chmod(folder, FOLDER_MODE)
        folder = folder.parent


def stored_upload_names(storage: Storage, folder: str = UPLOAD_DIR) -> list[str]:
    """Every file under ``imports/`` in the storage, as storage names."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{folder}/{f}" for f in files]
    for sub in folders:
        names.extend(stored_upload_names(storage, f"{folder}/{sub}"))
    return names
