"""The one table of import kinds, and ``imports`` never reaching up to the apps whose data
it imports (docs/decisions/imports.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cascada.imports
from cascada.accounts.roles import Cap
from cascada.imports import kinds
from cascada.imports.messages import describe
from cascada.imports.models import ImportJob


def test_the_table_of_kinds_is_exactly_this():
    table = [
        (k.key, f"{k.importer_class().__module__}.{k.importer_class().__name__}", k.capability)
        for k in kinds.all_kinds()
    ]
    assert table == [
        ("people", "cascada.registry.importers.PeopleImporter", Cap.MANAGE_PEOPLE),
        ("enrolments", "cascada.trainings.importers.EnrolmentImporter", Cap.MANAGE_PROGRAMS),
        ("attendance", "cascada.trainings.importers.AttendanceImporter", Cap.TAKE_ATTENDANCE),
        ("services", "cascada.safeguarding.importers.ServiceImporter", Cap.MANAGE_PROGRAMS),
    ]
    assert [key for key, _label in ImportJob._meta.get_field("kind").choices] == [
        "people",
        "enrolments",
        "attendance",
        "services",
    ]


def test_a_kind_brings_its_row_messages():
    assert describe("unknown_cohort", {"value": "9"}) == "Unknown cohort “9”."
    assert describe("dni_short", {"count": 7}).startswith("A DNI has 8 digits")


def test_a_key_is_registered_once():
    people = kinds.get("people")
    kinds.register(people)  # ready() twice: harmless
    other = kinds.ImportKind(
        key="people", label="x", importer=people.importer, capability=Cap.IMPORT, columns={}
    )
    with pytest.raises(ValueError):
        kinds.register(other)


def test_an_unknown_kind_is_refused(coordinator, org):
    from cascada.core.errors import ApplicationError
    from cascada.imports.services import import_permission_check

    with pytest.raises(ApplicationError):
        import_permission_check(actor=coordinator, organization=org, kind="surveys")


HIGHER = ("cascada.registry", "cascada.curricula", "cascada.trainings", "cascada.cascade")


def test_imports_never_imports_the_apps_above_it_not_even_inside_a_function():
    root = Path(cascada.imports.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(HIGHER)]
    assert offenders == []
