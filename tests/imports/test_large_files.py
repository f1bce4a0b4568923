"""A 100,000-row file is checked in one go without running out of time or memory."""

from __future__ import annotations

import io
import time

from cascada.imports.services import import_run
from tests.registry.factories import make_person

ROWS = 100_000


def test_dry_run_of_100000_people(coordinator, org, places, capsys, settings):
    # Above the default row limit (100,000): this measures the checks, not the limit.
    settings.CASCADA_IMPORT_MAX_ROWS = ROWS + 1
    # A few people already registered, so the duplicate look-ups have something to find.
    for i in range(5):
        make_person(
            organization=org,
            national_id=f"7{i:07d}",
            given_name=f"Ficticio{i}",
            family_name="Prueba",
            sex="male" if i % 4 in (0, 3) else "female",
        )
    buffer = io.BytesIO()
    buffer.write("nombres;apellidos;dni;sexo;año_nacimiento;ubigeo\r\n".encode())
    sexes = ("M", "F", "femenino", "masculino")
    for i in range(ROWS):
        buffer.write(
            f"Ficticio{i};Prueba;7{i:07d};{sexes[i % 4]};{1950 + i % 60};150101\r\n".encode()
        )
    buffer.write(b"Malo;Prueba;;marciano;1990;150101\r\n")
    buffer.seek(0)
    started = time.perf_counter()
    report = import_run(actor=coordinator, organization=org, kind="people", stream=buffer)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[imports] dry run of {ROWS + 1} people rows: {elapsed:.1f} s")
    assert report.file_error is None
    assert report.total_rows == ROWS + 1
    assert report.unchanged == 5 and report.created == ROWS - 5
    assert report.error_count == 1 and report.errors[0]["row"] == ROWS + 2


def test_batch_hasher_matches_the_registry_look_up_hash(db):
    from cascada.core.crypto import keyed_hash
    from cascada.imports.importer import Hasher as _Hasher
    from cascada.registry.services import name_key

    hasher = _Hasher()
    assert hasher(" 0123 4567 ") == keyed_hash(" 0123 4567 ")
    assert hasher("José  Núñez Peña") == name_key("José", " Núñez Peña")
