"""Backup and restore: one archive holding the database, the stored files and a manifest
(docs/decisions/backup.md).

The database is copied by its own engine, so that encrypted columns stay ciphertext and
nothing is decoded on the way: PostgreSQL by ``pg_dump --format=custom`` and
``pg_restore``, SQLite by its online backup API. The stored files (uploads waiting for a
decision, already encrypted by ``imports/storage.py``) are copied byte for byte through
Django's storage API. The encryption keys are never in the archive: the manifest carries
only a check that tells whether the keys configured where it is restored are the ones it
was made with, and a signature made with a key derived from ``CASCADA_HASH_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, fixed arguments, no shell
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from .crypto import decrypt, encrypt, encrypted_columns, keyed_hash
from .errors import ApplicationError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DB_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
_CANARY = "cascada-backup-key-check"
_SIGNING_LABEL = b"cascada-backup-manifest-v1"
_CHUNK = 1024 * 1024


@dataclass
class Outcome:
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def files(self) -> int:
        return len(self.manifest["files"])


# --- what is in the database and in the storage ------------------------------------------


def table_counts() -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    qn = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 - introspected names
            out[table] = cursor.fetchone()[0]
    return out


def tables_with_data(*, ignore: set[str]) -> list[str]:
    """Tables holding rows, leaving out ``ignore`` (those that ``migrate`` alone fills)."""
    return [t for t, n in table_counts().items() if n and t not in ignore]


def stored_files(storage: Storage | None = None, folder: str = "") -> list[str]:
    """Every file in the storage, as storage names."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    prefix = f"{folder}/" if folder else ""
    names = [prefix + f for f in files]
    for sub in folders:
        names.extend(stored_files(storage, prefix + sub))
    return sorted(names)


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _signing_key() -> bytes:
    key = settings.CASCADA_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CASCADA_HASH_KEY is not set.")
    return hmac.new(key.encode(), _SIGNING_LABEL, hashlib.sha256).digest()


def _signature(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_signing_key(), text, hashlib.sha256).hexdigest()


# --- the database, by its own engine ------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in DB_MEMBER:
        raise ApplicationError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(s["NAME"])}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if s.get(key):
            env[name] = str(s[key])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ApplicationError(
            _("%(tool)s is not installed: install the PostgreSQL client tools.") % {"tool": name}
        )
    return path


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise ApplicationError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(cmd[0]).name, "error": done.stderr.strip()[-500:]}
        )


def _database_dump(dest: Path) -> None:
    if _vendor() == "postgresql":
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dest),
            ]  # fmt: skip
        )
        return
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _database_load(source: Path) -> None:
    if connection.in_atomic_block:
        raise ApplicationError(_("A restore cannot run inside a transaction."))
    if _vendor() == "postgresql":
        connections.close_all()  # pg_restore drops tables: hold no lock on them
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(source),
            ]  # fmt: skip
        )
        return
    # SQLite: the backup API copies every page into the live database, in one step (this
    # also works for the tests' in-memory database, which a file copy could not reach).
    connection.ensure_connection()
    src = sqlite3.connect(source)
    try:
        src.backup(connection.connection)
    finally:
        src.close()


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# --- backup -------------------------------------------------------------------------------


def backup_create(*, path: Path, storage: Storage | None = None) -> Outcome:
    """Write the archive to ``path`` (0600; an existing file is never overwritten)."""
    storage = storage or default_storage
    vendor = _vendor()
    if path.exists():
        raise ApplicationError(_("%(path)s already exists: choose another name.") % {"path": path})
    if not path.parent.is_dir():
        raise ApplicationError(_("The folder %(path)s does not exist.") % {"path": path.parent})
    with tempfile.TemporaryDirectory(prefix="cascada-backup-") as tmp:
        db_file = Path(tmp) / DB_MEMBER[vendor]
        counts = table_counts()
        _database_dump(db_file)
        with db_file.open("rb") as f:
            checksums = {DB_MEMBER[vendor]: _sha256(f)}
        files = {}
        for name in stored_files(storage):
            with storage.open(name, "rb") as f:
                data = f.read()
            files[name] = len(data)
            checksums[MEDIA + name] = hashlib.sha256(data).hexdigest()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "cascada": metadata.version("cascada"),
            "created": timezone.now().isoformat(),
            "database": {"vendor": vendor, "member": DB_MEMBER[vendor]},
            "tables": counts,
            "files": files,
            "checksums": checksums,
            # Tells whether the keys where it is restored are these; the keys are not here.
            "keys": {"field_check": encrypt(_CANARY), "hash_check": keyed_hash(_CANARY)},
        }
        manifest["signature"] = _signature(manifest)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
            tar.add(db_file, arcname=DB_MEMBER[vendor], recursive=False)
            for name in files:
                with storage.open(name, "rb") as f:
                    _add(tar, MEDIA + name, f.read())
    return Outcome(manifest=manifest)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


# --- reading and checking an archive ------------------------------------------------------


def _broken(reason: str) -> ApplicationError:
    return ApplicationError(
        _("This backup cannot be restored: %(reason)s Nothing was changed.") % {"reason": reason}
    )


@dataclass
class Archive:
    tar: tarfile.TarFile
    manifest: dict[str, Any]
    members: dict[str, tarfile.TarInfo]

    def open(self, name: str) -> IO[bytes]:
        stream = self.tar.extractfile(self.members[name])
        assert stream is not None  # only regular files are accepted
        return stream


@contextmanager
def _open_archive(path: Path) -> Iterator[Archive]:
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by `with tar` below
    except FileNotFoundError:
        raise ApplicationError(_("%(path)s does not exist.") % {"path": path}) from None
    except tarfile.TarError:
        raise _broken(_("it is not a Cascada backup archive.")) from None
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers()}
            stream = tar.extractfile(members[MANIFEST]) if MANIFEST in members else None
            manifest = json.loads(stream.read()) if stream else None
        except (tarfile.TarError, EOFError, OSError, ValueError):
            raise _broken(_("the archive is damaged.")) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _broken(_("its manifest is missing or of an unknown format."))
        yield Archive(tar=tar, manifest=manifest, members=members)


def _check_members(archive: Archive) -> None:
    """Exactly the listed members, regular files only, each matching its checksum."""
    checksums = archive.manifest.get("checksums") or {}
    expected = {MANIFEST, *checksums}
    if set(archive.members) != expected:
        raise _broken(_("its contents differ from its manifest (files added or removed)."))
    for name, member in archive.members.items():
        if not member.isfile():
            raise _broken(
                _("it holds something other than plain files (%(name)s).") % {"name": name}
            )
        if name == MANIFEST:
            continue
        try:
            actual = _sha256(archive.open(name))
        except (tarfile.TarError, EOFError, OSError):
            raise _broken(_("the archive is damaged.")) from None
        if not hmac.compare_digest(actual, str(checksums[name])):
            raise _broken(
                _("%(name)s does not match its checksum: the archive is damaged or was altered.")
                % {"name": name}
            )


def _check_keys(manifest: dict[str, Any]) -> list[str]:
    """Problems with the configured keys, in words; empty when they are the right ones."""
    problems = []
    keys = manifest.get("keys") or {}
    try:
        field_ok = decrypt(str(keys.get("field_check", ""))) == _CANARY
    except (ImproperlyConfigured, ValueError):
        field_ok = False
    if not field_ok:
        problems.append(
            _("the encryption keys configured here (CASCADA_FIELD_KEYS) are not the ones this "
              "backup was made with: names, ID numbers and uploaded files would be unreadable.")
        )  # fmt: skip
    if not hmac.compare_digest(keyed_hash(_CANARY), str(keys.get("hash_check", ""))):
        problems.append(
            _("the look-up key configured here (CASCADA_HASH_KEY) is not the one this backup "
              "was made with: search by ID number and by name would find nobody.")
        )  # fmt: skip
    return problems


def backup_check(*, path: Path) -> Outcome:
    """Check an archive without restoring it: checksums, signature and keys."""
    with _open_archive(path) as archive:
        _check_members(archive)
        notes = _check_keys(archive.manifest)
        if not notes and not hmac.compare_digest(
            _signature(archive.manifest), str(archive.manifest.get("signature", ""))
        ):
            raise _broken(_("its manifest was altered."))
        return Outcome(manifest=archive.manifest, notes=notes)


# --- restore ------------------------------------------------------------------------------


def backup_restore(
    *,
    path: Path,
    force: bool = False,
    ignore_keys: bool = False,
    reference_tables: set[str] | None = None,
    storage: Storage | None = None,
) -> Outcome:
    """Replace the database and the stored files with the archive's.

    Refused, with nothing changed: a damaged or altered archive; keys that are not the
    backup's (unless ``ignore_keys``); a database that already holds data outside
    ``reference_tables`` (unless ``force``). After the restore the row counts are checked
    against the manifest and one value of every encrypted column is decrypted."""
    storage = storage or default_storage
    with _open_archive(path) as archive:
        manifest = archive.manifest
        _check_members(archive)
        key_problems = _check_keys(manifest)
        if key_problems and not ignore_keys:
            raise _broken(" ".join(key_problems))
        if not key_problems and not hmac.compare_digest(
            _signature(manifest), str(manifest.get("signature", ""))
        ):
            raise _broken(_("its manifest was altered."))
        vendor = _vendor()
        if manifest["database"]["vendor"] != vendor:
            raise _broken(
                _("it was made on %(source)s and this database is %(target)s.")
                % {"source": manifest["database"]["vendor"], "target": vendor}
            )
        occupied = tables_with_data(ignore=reference_tables or set())
        if occupied and not force:
            raise ApplicationError(
                _("This database already holds data (%(tables)s). Restoring replaces all of "
                  "it: run again with --force if that is what you want. Nothing was changed.")
                % {"tables": ", ".join(occupied[:5]) + (" …" if len(occupied) > 5 else "")}
            )  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="cascada-restore-") as tmp:
            db_file = Path(tmp) / manifest["database"]["member"]
            with db_file.open("wb") as out:
                shutil.copyfileobj(archive.open(manifest["database"]["member"]), out, _CHUNK)
            _database_load(db_file)
        _files_restore(archive, storage)
    notes = [str(p) for p in key_problems]
    _verify(manifest, storage)
    if not key_problems:
        _decrypt_one_per_column()
    pending = pending_migrations()
    if pending:
        notes.append(
            _("This backup comes from an earlier version: %(n)d migrations remain, run "
              "`cascada migrate`.") % {"n": pending}
        )  # fmt: skip
    return Outcome(manifest=manifest, notes=notes)


def _files_restore(archive: Archive, storage: Storage) -> None:
    wanted = set(archive.manifest["files"])
    for name in stored_files(storage):
        if name not in wanted:
            storage.delete(name)
    for name in sorted(wanted):
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(archive.open(MEDIA + name).read()))
        if saved != name:
            raise ApplicationError(
                _("The file %(name)s could not be restored under its own name.") % {"name": name}
            )
        _private(storage, name)


def _private(storage: Storage, name: str) -> None:
    """Files 0600 and their folders 0700 on a local disk (the uploads hold personal data)."""
    try:
        path, root = Path(storage.path(name)), Path(storage.path(""))
    except NotImplementedError:
        return
    os.chmod(path, 0o600)
    folder = path.parent
    while root in folder.parents:
        os.chmod(folder, 0o700)
        folder = folder.parent


def _verify(manifest: dict[str, Any], storage: Storage) -> None:
    counts = table_counts()
    wrong = [t for t, n in manifest["tables"].items() if counts.get(t) != n]
    if wrong:
        raise ApplicationError(
            _("The restored database does not hold the rows the backup lists (%(tables)s): do "
              "not use it; restore again.") % {"tables": ", ".join(wrong[:5])}
        )  # fmt: skip
    for name, size in manifest["files"].items():
        with storage.open(name, "rb") as f:
            data = f.read()
        if (
            len(data) != size
            or hashlib.sha256(data).hexdigest() != manifest["checksums"][MEDIA + name]
        ):
            raise ApplicationError(_("The file %(name)s was not restored whole.") % {"name": name})


def _decrypt_one_per_column() -> None:
    """Decrypt the first value of every encrypted column: proof the keys open the data."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, column in encrypted_columns():
            assert column.column is not None
            cursor.execute(
                f"SELECT {qn(column.column)} FROM {qn(model._meta.db_table)} "  # noqa: S608
                f"WHERE {qn(column.column)} <> '' ORDER BY 1 LIMIT 1"
            )
            row = cursor.fetchone()
            if row is None:
                continue
            try:
                decrypt(row[0])
            except (ImproperlyConfigured, ValueError):
                raise ApplicationError(
                    _("Restored, but %(table)s cannot be decrypted with the keys configured "
                      "here: set the keys that were in use when the backup was made.")
                    % {"table": model._meta.db_table}
                ) from None  # fmt: skip
