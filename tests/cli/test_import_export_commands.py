"""The CLI: runs as a named user, prints the error table, exits 1 with a clear message."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cascada.audit.models import AuditEvent
from cascada.registry.models import Person
from tests.imports.factories import csv_bytes
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

GOOD = [["nombres", "apellidos", "dni", "sexo"], ["Ficticio", "Uno", "10000001", "M"]]
BAD = [*GOOD, ["", "Sin Nombre", "10000002", "marciano"]]


def command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def failing(*args):
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=io.StringIO())
    return caught.value, out.getvalue()


@pytest.fixture
def people_file(tmp_path):
    def write(rows, name="people.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return str(path)

    return write


def test_dry_run_is_the_default_and_writes_nothing(coordinator, org, people_file):
    coordinator.language = "en"
    coordinator.save()
    out = command(
        "import_people", people_file(GOOD), "--organization", org.pk, "--as", coordinator.username
    )
    assert "1 valid" in out and "--commit" in out
    assert Person.objects.count() == 0


def test_dry_run_with_errors_prints_the_table_and_exits_1(coordinator, org, people_file):
    coordinator.language = "en"
    coordinator.save()
    error, out = failing(
        "import_people", people_file(BAD), "--organization", org.pk, "--as", coordinator.username
    )
    assert error.returncode == 1
    assert "Nothing was written" in str(error)
    table = [line for line in out.splitlines() if line.strip().startswith("3 ")]
    assert len(table) == 2  # both problems of row 3, each with its column
    assert any("nombres" in line and "required" in line for line in table)
    assert any("sexo" in line and "marciano" in line for line in table)
    assert Person.objects.count() == 0


def test_commit_refuses_a_file_with_errors_unless_skip_errors(coordinator, org, people_file):
    path = people_file(BAD)
    args = [
        "import_people",
        path,
        "--organization",
        org.pk,
        "--as",
        coordinator.username,
        "--commit",
    ]
    error, _out = failing(*args)
    assert error.returncode == 1 and Person.objects.count() == 0
    command(*args, "--skip-errors")
    assert Person.objects.count() == 1


def test_commit_twice_creates_no_duplicates_and_audits_the_cli(coordinator, org, people_file):
    args = [
        "import_people",
        people_file(GOOD),
        "--organization",
        org.pk,
        "--as",
        coordinator.username,
        "--commit",
    ]
    command(*args)
    command(*args)
    assert Person.objects.count() == 1
    # The command asks for jobs (audited from the CLI) and the jobs write as the user.
    event = AuditEvent.objects.get(action="create", target_type="registry.person")
    assert event.source == "job" and event.actor == coordinator
    asked = AuditEvent.objects.filter(action="create", target_type="jobs.job")
    assert {e.source for e in asked} == {"cli"} and {e.actor for e in asked} == {coordinator}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--as", "nadie"], "nadie"),
        (["--organization", "abc"], "--organization"),
    ],
)
def test_bad_arguments_are_clear_messages(coordinator, org, people_file, args, needle):
    base = {"--as": coordinator.username, "--organization": str(org.pk)}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for kv in base.items() for x in kv]
    error, _out = failing("import_people", people_file(GOOD), *flat)
    assert needle in str(error) and error.returncode == 1


def test_missing_file(coordinator, org, tmp_path):
    error, _ = failing(
        "import_people",
        str(tmp_path / "nope.csv"),
        "--organization",
        org.pk,
        "--as",
        coordinator.username,
    )
    assert "nope.csv" in str(error)


def test_cannot_import_into_another_organization(coordinator, other_org, people_file):
    error, _ = failing(
        "import_people",
        people_file(GOOD),
        "--organization",
        other_org.pk,
        "--as",
        coordinator.username,
        "--commit",
    )
    assert error.returncode == 1 and Person.objects.count() == 0


def test_unreadable_file_is_a_message(coordinator, org, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    error, _ = failing(
        "import_people", str(path), "--organization", org.pk, "--as", coordinator.username
    )
    assert error.returncode == 1 and str(error)


def test_import_enrolments_and_attendance(coordinator, org, tmp_path):
    cohort = make_cohort(program=make_program(owner=org), sessions=2)
    person = make_person(organization=org, national_id="44444444")
    enrolments = tmp_path / "e.csv"
    # Dated: the cohort is over, and an undated row would be an enrolment made today.
    enrolments.write_bytes(
        csv_bytes([["dni", "cohorte", "fecha_inscripcion"], ["44444444", cohort.pk, "2026-03-02"]])
    )
    command(
        "import_enrolments",
        str(enrolments),
        "--organization",
        org.pk,
        "--as",
        coordinator.username,
        "--commit",
    )
    attendance = tmp_path / "a.csv"
    attendance.write_bytes(
        csv_bytes(
            [
                ["codigo", "cohorte", "sesion", "estado"],
                [person.code, cohort.pk, 1, "P"],
                [person.code, cohort.pk, 2, "P"],
            ]
        )
    )
    command(
        "import_attendance",
        str(attendance),
        "--organization",
        org.pk,
        "--as",
        coordinator.username,
        "--commit",
    )
    enrolment = person.enrolments.get()
    assert enrolment.completed


# ---------------------------------------------------------------- exports


def test_export_people_csv_with_identity_for_a_coordinator(coordinator, org, tmp_path):
    make_person(organization=org, given_name="Ficticio", national_id="12345678")
    out = tmp_path / "people.csv"
    command(
        "export_people",
        "--as",
        coordinator.username,
        "--format",
        "csv",
        "--language",
        "en",
        "--output",
        str(out),
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["ID number"] == "12345678"
    event = AuditEvent.objects.get(action="export")
    assert event.source == "cli" and event.detail["kind"] == "people" and event.detail["count"] == 1


def test_export_people_is_pseudonymous_for_an_me_officer(org, tmp_path):
    from cascada.registry.exports import PEOPLE_COLUMNS
    from tests.accounts.factories import make_user

    officer = make_user(role="me_officer", organization=org)
    make_person(organization=org, given_name="Ficticio", national_id="12345678")
    out = tmp_path / "people.xlsx"
    command("export_people", "--as", officer.username, "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == len(PEOPLE_COLUMNS)  # no identity columns
    assert "12345678" not in str(rows) and "Ficticio" not in str(rows)
    assert len(rows) == 2


def test_export_of_another_organizations_cohort_is_not_found(coordinator, other_org, tmp_path):
    cohort = make_cohort(program=make_program(owner=other_org), sessions=1)
    error, _ = failing(
        "export_enrolments",
        "--as",
        coordinator.username,
        "--cohort",
        cohort.pk,
        "--output",
        str(tmp_path / "x.csv"),
    )
    assert error.returncode == 1
    assert not (tmp_path / "x.csv").exists() or (tmp_path / "x.csv").read_text() == ""


def test_export_enrolments_and_attendance_for_a_cohort(coordinator, org, other_org, tmp_path):
    cohort = make_cohort(program=make_program(owner=org), sessions=2)
    foreign = make_cohort(program=make_program(owner=other_org, name="Ajeno"), sessions=1)
    person = make_person(organization=org)
    enrol(cohort, person)
    enrol(foreign, make_person(organization=other_org))
    from cascada.trainings.services import attendance_record

    attendance_record(
        actor=None,
        session=cohort.sessions.get(number=1),
        marks={person.enrolments.get().pk: "present"},
    )
    out = tmp_path / "e.csv"
    command(
        "export_enrolments", "--as", coordinator.username, "--language", "en", "--output", str(out)
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["Code"] for r in rows] == [person.code]  # the other org's enrolment is absent
    out = tmp_path / "a.csv"
    command(
        "export_attendance",
        "--as",
        coordinator.username,
        "--cohort",
        cohort.pk,
        "--language",
        "en",
        "--output",
        str(out),
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows == [
        {
            "Code": person.code,
            "Cohort": str(cohort.pk),
            "Session": "1",
            "Date": "2026-03-02",
            "Status": "Present",
        }
    ]


def test_exported_attendance_imports_back_unchanged(coordinator, org, tmp_path):
    coordinator.language = "en"
    coordinator.save()
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    person = make_person(organization=org)
    enrol(cohort, person)
    from cascada.trainings.services import attendance_record

    attendance_record(
        actor=None, session=cohort.sessions.get(), marks={person.enrolments.get().pk: "absent"}
    )
    out = tmp_path / "a.csv"
    command("export_attendance", "--as", coordinator.username, "--output", str(out))
    result = command(
        "import_attendance",
        str(out),
        "--organization",
        org.pk,
        "--as",
        coordinator.username,
        "--commit",
    )
    assert "0 new, 0 updated, 1 unchanged" in result


def test_export_needs_the_export_capability(org, tmp_path):
    from tests.accounts.factories import make_user

    facilitator = make_user(role="facilitator", organization=org)
    error, _ = failing(
        "export_people", "--as", facilitator.username, "--output", str(tmp_path / "p.csv")
    )
    assert error.returncode == 1


def test_an_unexpected_failure_is_one_line_not_a_traceback(
    coordinator, org, people_file, monkeypatch
):
    from cascada.cli import imports as cli_imports

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(cli_imports, "import_job_store", boom)
    error, _out = failing(
        "import_people", people_file(GOOD), "--organization", org.pk, "--as", coordinator.username
    )
    assert error.returncode == 1 and "RuntimeError" in str(error) and "database" not in str(error)
