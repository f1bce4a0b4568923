"""cascada backup / cascada restore: a round trip loses nothing; a damaged or altered
archive, the wrong keys and a database holding data are refused with nothing changed.

The tests commit their data (``transaction=True``): on PostgreSQL the dump and the restore
run in ``pg_dump`` / ``pg_restore``, which only see committed rows."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from cascada.audit.models import AuditEvent
from cascada.core.backup import MANIFEST, stored_files, table_counts
from cascada.imports.models import ImportJob
from cascada.imports.services import import_job_create
from cascada.imports.storage import upload_open
from cascada.registry.models import Identity, Person
from cascada.registry.selectors import person_search_reveal
from cascada.trainings.models import Certificate
from cascada.trainings.services import attendance_record, certificate_issue
from tests.imports.factories import csv_bytes
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db(transaction=True)

DISK = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
UPLOAD = csv_bytes([["nombres", "apellido paterno", "sexo"], ["Subida", "Pendiente", "M"]])


@pytest.fixture
def media(tmp_path):
    with override_settings(STORAGES=DISK, MEDIA_ROOT=str(tmp_path / "media")):
        yield tmp_path / "media"


@pytest.fixture
def world(media, org, coordinator):
    """People with identities, a cohort with attendance, a certificate, an uploaded file."""
    people = [
        make_person(organization=org, given_name="Rosa", family_name="Quispe Mamani",
                    id_document="dni", national_id="45678912"),
        make_person(organization=org, given_name="Juan", family_name="Condori"),
        make_person(organization=org, given_name="Ñusta", family_name="Huamán"),
    ]  # fmt: skip
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    enrolments = enrol(cohort, *people)
    attendance_record(
        actor=None,
        session=cohort.sessions.get(),
        marks={
            enrolments[0].pk: "present",
            enrolments[1].pk: "present",
            enrolments[2].pk: "absent",
        },
    )
    enrolments[0].refresh_from_db()
    certificate_issue(actor=None, enrolment=enrolments[0])
    import_job_create(
        actor=coordinator, organization=org, kind="people",
        upload=SimpleUploadedFile("lista de Rosa.csv", UPLOAD),
    )  # fmt: skip
    return people


def snapshot() -> dict:
    files = {}
    for name in stored_files(default_storage):
        with default_storage.open(name, "rb") as f:
            files[name] = f.read()
    return {
        "counts": table_counts(),
        "identities": sorted(
            (i.person.code, i.given_name, i.family_name, i.national_id)
            for i in Identity.objects.select_related("person")
        ),
        "files": files,
        "uploads": [(j.original_name, upload_open(j).read()) for j in ImportJob.objects.all()],
        "audit": list(
            AuditEvent.objects.order_by("pk").values_list(
                "pk", "action", "actor_id", "target_type", "target_id", "detail", "at"
            )
        ),
        "certificates": list(Certificate.objects.values_list("code", "enrolment_id")),
    }


def wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for name in stored_files(default_storage):
        default_storage.delete(name)
    assert not Person.objects.exists() and not stored_files(default_storage)


def backup(tmp_path: Path) -> tuple[Path, str]:
    archive = tmp_path / "copia.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    return archive, out.getvalue()


def restore(archive: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), *args, stdout=out)
    return out.getvalue()


def test_round_trip_loses_nothing(world, tmp_path, coordinator):
    archive, said = backup(tmp_path)
    before = snapshot()  # taken after the backup: it holds the backup's own audit row
    assert "NOT in this backup" in said and "CASCADA_FIELD_KEYS" in said  # the keys reminder
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    assert len(before["files"]) == 1 and before["uploads"][0][1] == UPLOAD
    assert before["audit"][-1][1] == "backup_create"

    wipe()
    said = restore(archive, "--check")
    assert "whole" in said
    said = restore(archive)
    assert "Restored" in said

    after = snapshot()
    assert after["identities"] == before["identities"]  # decrypted with the same keys
    assert after["uploads"] == before["uploads"]  # the encrypted upload and its name
    assert after["files"] == before["files"]  # byte for byte
    assert after["certificates"] == before["certificates"]
    # Every audit row is back as it was, and the restore itself is recorded after them.
    assert after["audit"][: len(before["audit"])] == before["audit"]
    assert [row[1] for row in after["audit"][len(before["audit"]) :]] == ["backup_restore"]
    audit_table = AuditEvent._meta.db_table
    assert {t: n for t, n in after["counts"].items() if t != audit_table} == {
        t: n for t, n in before["counts"].items() if t != audit_table
    }
    # Search by ID number (the keyed hash) still finds the person.
    found = person_search_reveal(user=coordinator, text="45678912")
    assert [p.code for p in found.people] == [world[0].code]
    assert [p.code for p in person_search_reveal(user=coordinator, text="quispe").people] == [
        world[0].code
    ]
    # Restored files are readable by the server's user only.
    (name,) = after["files"]
    assert stat.S_IMODE(os.stat(default_storage.path(name)).st_mode) == 0o600


def test_a_database_holding_data_is_not_replaced_without_force(world, tmp_path, org):
    archive, _ = backup(tmp_path)
    make_person(organization=org, given_name="Después", family_name="Delabackup")
    with pytest.raises(CommandError) as caught:
        restore(archive)
    assert "--force" in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert Person.objects.count() == 4

    restore(archive, "--force")
    assert Person.objects.count() == 3
    assert not Identity.objects.filter(given_name="Después").exists()


def _rewrite(archive: Path, dest: Path, change) -> Path:
    """Copy the archive member by member, letting ``change(name, data)`` alter each one
    (return None to drop it); ``change("+extra", b"")`` may add one."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w:gz") as out:
        members = [(m.name, src.extractfile(m).read()) for m in src.getmembers()]
        extra = change("+extra", b"")
        if extra is not None:
            members.append(("media/imports/extra.upload", extra))
        for name, data in members:
            data = change(name, data) if name != "media/imports/extra.upload" else data
            if data is None:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("database", "does not match its checksum"),
        ("file", "does not match its checksum"),
        ("counts", "manifest was altered"),
        ("added", "differ from its manifest"),
        ("removed", "differ from its manifest"),
    ],
)
def test_a_tampered_archive_is_refused_and_nothing_changes(world, tmp_path, case, message):
    archive, _ = backup(tmp_path)

    def change(name: str, data: bytes) -> bytes | None:
        if name == "+extra":
            return b"not from the backup" if case == "added" else None
        if case == "database" and name.startswith("database."):
            return _flip_last_byte(data)
        if name.startswith("media/"):
            return None if case == "removed" else _flip_last_byte(data) if case == "file" else data
        if case == "counts" and name == MANIFEST:
            manifest = json.loads(data)
            manifest["tables"][Person._meta.db_table] += 1  # checksums untouched
            return json.dumps(manifest).encode()
        return data

    tampered = _rewrite(archive, tmp_path / "alterada.tar.gz", change)
    wipe()
    with pytest.raises(CommandError) as caught:
        restore(tampered)
    assert message in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert not Person.objects.exists()
    assert not stored_files(default_storage)


def test_not_an_archive_is_a_message(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"hello")
    with pytest.raises(CommandError) as caught:
        restore(junk)
    assert "not a Cascada backup" in str(caught.value)


def test_restore_with_other_keys_is_refused_and_says_which(world, tmp_path, settings):
    archive, _ = backup(tmp_path)
    wipe()
    settings.CASCADA_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError) as caught:
        restore(archive)
    assert "CASCADA_FIELD_KEYS" in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert "CASCADA_HASH_KEY" not in str(caught.value)
    assert not Person.objects.exists()

    settings.CASCADA_HASH_KEY = "another-hash-key"
    with pytest.raises(CommandError) as caught:
        restore(archive, "--check")
    assert "CASCADA_HASH_KEY" in str(caught.value)

    # Asked explicitly, it restores and warns: the pseudonymous data is still worth having.
    said = restore(archive, "--ignore-keys")
    assert "would be unreadable" in said
    assert Person.objects.count() == 3


def test_backup_never_overwrites_a_file(world, tmp_path):
    archive, _ = backup(tmp_path)
    with pytest.raises(CommandError) as caught:
        backup(tmp_path)
    assert "already exists" in str(caught.value)
    assert archive.exists()


def test_a_restore_that_lost_rows_is_reported(world, tmp_path, monkeypatch):
    archive, _ = backup(tmp_path)
    wipe()
    # A database load that writes nothing (a dump cut short, a tool that failed silently).
    monkeypatch.setattr("cascada.core.backup._database_load", lambda source: None)
    with pytest.raises(CommandError) as caught:
        restore(archive)
    assert "does not hold the rows the backup lists" in str(caught.value)


def test_rows_under_a_key_dropped_since_are_reported_after_restore(world, tmp_path, settings):
    """A new key was put first but ``rotate_field_keys`` never ran: the backup's check
    passes with the new key alone, yet the identities need the old one."""
    old = settings.CASCADA_FIELD_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.CASCADA_FIELD_KEYS = [new, old]
    archive, _ = backup(tmp_path)
    wipe()
    settings.CASCADA_FIELD_KEYS = [new]
    with pytest.raises(CommandError) as caught:
        restore(archive)
    assert "cannot be decrypted with the keys configured here" in str(caught.value)
