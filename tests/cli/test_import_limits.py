"""A file over a limit is one clear line and exit code 1 from the CLI, and writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from cascada.registry.models import Person
from tests.imports.factories import csv_bytes


def test_too_many_rows_is_a_message_naming_the_limit_and_row(coordinator, org, tmp_path, settings):
    settings.CASCADA_IMPORT_MAX_ROWS = 3
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes([["nombres", "sexo"], *[[f"F{i}", "M"] for i in range(4)]]))
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_people",
            str(path),
            "--as",
            coordinator.username,
            "--organization",
            str(org.pk),
            "--commit",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    # In the default language, Spanish.
    assert str(caught.value) == (
        "El archivo tiene más de 3 filas (se detuvo en la fila 5): "
        "divídalo en archivos de como máximo 3 filas."
    )
    assert caught.value.returncode == 1 and Person.objects.count() == 0
