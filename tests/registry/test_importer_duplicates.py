"""One duplicate rule for the form and the importer: only within what the importer may
see (ADR 0005, ``registry.services.person_duplicates_batch``)."""

from __future__ import annotations

import pytest

from cascada.audit.models import AuditEvent
from cascada.imports.messages import describe
from cascada.imports.services import import_run
from cascada.registry.models import Person
from tests.imports.factories import csv_bytes, stream
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

HEADERS = ["nombres", "apellidos", "dni", "sexo", "año_nacimiento", "ubigeo"]


def run(user, org, rows, **kw):
    return import_run(
        actor=user, organization=org, kind="people", stream=stream(csv_bytes(rows)), **kw
    )


def everything_said(report) -> str:
    """All a user can read about the import: stored problems and their text."""
    texts = [describe(e["code"], e["params"]) for e in report.errors]
    return str(report.errors) + " ".join(texts) + str(report.file_error)


@pytest.fixture
def b_person(other_org, places):
    """A man registered only by organization B, with an ID number and name/year/place."""
    return make_person(
        organization=other_org,
        given_name="Hidalgo",
        family_name="Ajeno",
        national_id="40000001",
        birth_year=1980,
        place=places["150101"],
    )


def test_id_number_registered_only_by_org_b_is_a_new_person_for_org_a(coordinator, org, b_person):
    rows = [HEADERS, ["Otro", "Nombre", "40000001", "M", "1991", "040101"]]
    checked = run(coordinator, org, rows)
    assert checked.ok and checked.created == 1 and checked.unchanged == 0
    assert b_person.code not in everything_said(checked)
    done = run(coordinator, org, rows, commit=True)
    assert done.written and done.created == 1
    created = Person.objects.get(organization=org)
    assert created.identity.national_id == "40000001" and created.pk != b_person.pk
    # nothing written anywhere (audit included) names B's person
    assert b_person.code not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_name_birth_year_and_place_of_org_b_are_not_revealed(coordinator, org, b_person):
    rows = [HEADERS, ["Hidalgo", "Ajeno", "", "M", "1980", "150101"]]
    report = run(coordinator, org, rows)
    assert report.ok and report.created == 1
    assert b_person.code not in everything_said(report)


def test_a_person_of_org_b_the_coordinator_may_see_is_flagged(coordinator, org, b_person):
    # B's man is enrolled in a cohort of A's program: A's coordinator sees him.
    enrol(make_cohort(program=make_program(owner=org), sessions=0), b_person)
    by_id = run(coordinator, org, [HEADERS, ["Hidalgo", "Ajeno", "40000001", "M", "1991", ""]])
    assert [(e["row"], e["column"], e["code"]) for e in by_id.errors] == [
        (2, "dni", "id_registered")
    ]
    assert b_person.code in describe(by_id.errors[0]["code"], by_id.errors[0]["params"])
    by_name = run(coordinator, org, [HEADERS, ["Hidalgo", "Ajeno", "", "M", "1980", "150101"]])
    assert [e["code"] for e in by_name.errors] == ["possible_duplicate"]
    assert b_person.code in str(by_name.errors)
    refused = run(
        coordinator, org, [HEADERS, ["Otro", "Nombre", "40000001", "M", "1991", ""]], commit=True
    )
    assert not refused.written and Person.objects.filter(organization=org).count() == 0


def test_a_person_of_the_same_organization_is_already_up_to_date(coordinator, org, places):
    make_person(organization=org, national_id="40000002", given_name="Propio")
    report = run(coordinator, org, [HEADERS, ["Propio", "Prueba", "40000002", "M", "1990", ""]])
    assert report.ok and report.unchanged == 1 and report.created == 0


def test_the_system_searches_the_whole_registry(org, b_person):
    # actor=None (imports run by the platform) may see everything, as person_duplicates.
    report = run(None, org, [HEADERS, ["Hidalgo", "Ajeno", "40000001", "M", "1991", ""]])
    assert [e["code"] for e in report.errors] == ["id_registered"]


def test_checking_500_rows_takes_a_bounded_number_of_queries(
    coordinator, org, other_org, places, django_assert_max_num_queries
):
    program = make_program(owner=org)
    cohort = make_cohort(program=program, sessions=0)
    # some matches of every kind: own people, visible people of B, hidden people of B
    for i in range(5):
        # the rows below that carry this number (i = 0, 3, 6, 9, 12) name the same man
        row = next(r for r in range(15) if r % 3 == 0 and r % 5 == i)
        make_person(organization=org, national_id=f"6100000{i}", given_name=f"Ficticio{row}")
        enrol(cohort, make_person(organization=other_org, national_id=f"6200000{i}"))
        make_person(organization=make_org(), national_id=f"6300000{i}")
    rows = [HEADERS]
    for i in range(500):
        nid = f"{61 + i % 3}00000{i % 5}" if i < 15 else ("" if i % 2 else f"7{i:07d}")
        rows.append([f"Ficticio{i}", "Prueba", nid, "M", str(1950 + i % 50), "150101"])
    with django_assert_max_num_queries(10):
        report = run(coordinator, org, rows)
    assert report.total_rows == 500 and report.file_error is None
    # 5 own (unchanged), 5 visible of B (flagged), 5 hidden of B (new, not revealed)
    assert report.unchanged == 5 and report.error_count == 5 and report.created == 490
