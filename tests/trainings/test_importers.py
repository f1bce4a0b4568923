"""Importing enrolments and attendance."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.core.errors import PermissionDeniedError
from cascada.imports.services import import_run
from cascada.trainings.models import Attendance, Enrolment
from cascada.trainings.services import session_update
from tests.imports.factories import csv_bytes, stream, xlsx_bytes
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program


@pytest.fixture
def cohort(org):
    # 4 weekly sessions from Monday 2 March 2026 (over by now: closed).
    return make_cohort(program=make_program(owner=org), sessions=4)


@pytest.fixture
def open_cohort(org):
    # Open for enrolment until 2030: an undated row into a closed cohort is refused
    # (test_closed_cohort_enrolment.py).
    return make_cohort(
        program=make_program(owner=org, name="Abierto"), sessions=4, end_date=dt.date(2030, 12, 31)
    )


@pytest.fixture
def people(org):
    return [make_person(organization=org, national_id=f"5000000{i}") for i in range(3)]


def run(user, org, kind, data, **kw):
    return import_run(actor=user, organization=org, kind=kind, stream=stream(data), **kw)


def codes(report):
    return [(e["row"], e["column"], e["code"]) for e in report.errors]


# ---------------------------------------------------------------- enrolments


def test_enrolments_by_code_or_id_number(coordinator, org, cohort, people):
    data = csv_bytes(
        [
            ["codigo", "dni", "cohorte", "fecha_inscripcion"],
            [people[0].code, "", cohort.pk, "05/03/2026"],
            ["", "50000001", cohort.pk, "2026-03-04"],
        ]
    )
    report = run(coordinator, org, "enrolments", data, commit=True)
    assert report.written and report.created == 2
    first = Enrolment.objects.get(person=people[0])
    assert first.enrolled_on == dt.date(2026, 3, 5)  # day first
    assert Enrolment.objects.filter(person=people[1], cohort=cohort).exists()


def test_reimporting_enrolments_updates_status_without_duplicates(coordinator, org, cohort, people):
    data = csv_bytes(
        [
            ["person_code", "cohort_id", "enrolled_on"],
            *[[p.code, cohort.pk, "2026-03-02"] for p in people],
        ]
    )
    run(coordinator, org, "enrolments", data, commit=True)
    withdrawn = csv_bytes(
        [
            ["person_code", "cohort_id", "status"],
            [people[0].code, cohort.pk, "retirado"],
            [people[1].code, cohort.pk, "inscrito"],
        ]
    )
    report = run(coordinator, org, "enrolments", withdrawn, commit=True)
    assert report.updated == 1 and report.unchanged == 1 and report.created == 0
    assert Enrolment.objects.count() == 3
    assert Enrolment.objects.get(person=people[0]).status == "withdrawn"


def test_enrolment_rows_with_problems(coordinator, org, other_org, open_cohort, people):
    cohort = open_cohort
    foreign = make_cohort(program=make_program(owner=other_org, name="Ajeno"), sessions=1)
    stranger = make_person(organization=other_org, national_id="69999999")
    data = csv_bytes(
        [
            ["codigo", "dni", "cohorte", "estado"],
            [people[0].code, "", cohort.pk, ""],  # 2 fine
            ["ZZZZZZZZ", "", cohort.pk, ""],  # 3 unknown code
            ["", "69999999", cohort.pk, ""],  # 4 someone of another org: not visible
            [people[1].code, "", foreign.pk, ""],  # 5 cohort of another org
            [people[1].code, "", "abc", ""],  # 6 not a cohort id
            ["", "", cohort.pk, ""],  # 7 nobody
            [people[0].code, "", cohort.pk, ""],  # 8 repeats row 2
            [people[2].code, "", cohort.pk, "de vacaciones"],  # 9 bad status
        ]
    )
    report = run(coordinator, org, "enrolments", data)
    assert sorted(codes(report)) == [
        (3, "codigo", "unknown_person"),
        (4, "dni", "unknown_person"),
        (5, "cohorte", "unknown_cohort"),
        (6, "cohorte", "unknown_cohort"),
        (7, "codigo", "person_required"),
        (8, "codigo", "duplicate_enrolment"),
        (9, "estado", "bad_enrolment_status"),
    ]
    assert stranger.code not in str(report.error_rows())
    assert report.valid_rows == 1


def test_enrolments_need_a_person_and_a_cohort_column(coordinator, org):
    report = run(coordinator, org, "enrolments", csv_bytes([["nombres", "fecha"], ["x", "1"]]))
    assert report.file_error["code"] == "missing_columns"
    assert "cohorte" in report.file_error_text and "dni" in report.file_error_text


# ---------------------------------------------------------------- attendance


def test_attendance_by_session_number_or_date(coordinator, org, cohort, people):
    enrol(cohort, *people)
    data = csv_bytes(
        [
            ["dni", "cohorte", "sesion", "fecha", "estado"],
            ["50000000", cohort.pk, "1", "", "presente"],
            ["50000001", cohort.pk, "", "09/03/2026", "ausente"],  # session 2 by date
            ["50000002", cohort.pk, "1", "", "justificado"],
            ["50000000", cohort.pk, "2", "", "recuperación"],
        ]
    )
    report = run(coordinator, org, "attendance", data, commit=True)
    assert report.written and report.created == 4, report.error_rows()
    marks = {
        (a.enrolment.person_id, a.session.number): a.status
        for a in Attendance.objects.select_related("enrolment", "session")
    }
    assert marks == {
        (people[0].pk, 1): "present",
        (people[1].pk, 2): "absent",
        (people[2].pk, 1): "excused",
        (people[0].pk, 2): "makeup",
    }


def test_attendance_reimport_updates_marks_and_completion(coordinator, org, cohort, people):
    enrol(cohort, people[0])
    rows = [["person_code", "cohort_id", "session_number", "status"]]
    rows += [[people[0].code, cohort.pk, n, "present"] for n in (1, 2, 3)]
    rows += [[people[0].code, cohort.pk, 4, "absent"]]
    run(coordinator, org, "attendance", csv_bytes(rows), commit=True)
    enrolment = Enrolment.objects.get()
    assert enrolment.sessions_attended == 3 and not enrolment.completed  # 75% < 80%
    rows[-1][-1] = "present"
    report = run(coordinator, org, "attendance", csv_bytes(rows), commit=True)
    assert report.updated == 1 and report.unchanged == 3
    assert Attendance.objects.count() == 4
    enrolment.refresh_from_db()
    assert enrolment.completed and enrolment.sessions_attended == 4


def test_attendance_rows_with_problems(coordinator, org, cohort, people):
    enrol(cohort, people[0], people[1])
    session_update(actor=None, session=cohort.sessions.get(number=3), cancelled=True)
    data = csv_bytes(
        [
            ["codigo", "cohorte", "sesion", "fecha", "estado"],
            [people[0].code, cohort.pk, "1", "", "presente"],  # 2 fine
            [people[2].code, cohort.pk, "1", "", "presente"],  # 3 not enrolled
            [people[1].code, cohort.pk, "9", "", "presente"],  # 4 no session 9
            [people[1].code, cohort.pk, "", "31/12/2026", "presente"],  # 5 no session that day
            [people[1].code, cohort.pk, "", "32/13/2026", "presente"],  # 6 not a date
            [people[1].code, cohort.pk, "3", "", "presente"],  # 7 cancelled
            [people[1].code, cohort.pk, "1", "", "tal vez"],  # 8 bad status
            [people[0].code, cohort.pk, "1", "", "ausente"],  # 9 repeats row 2
            [people[1].code, cohort.pk, "", "", "presente"],  # 10 no session at all
        ]
    )
    report = run(coordinator, org, "attendance", data)
    assert sorted(codes(report)) == [
        (3, "codigo", "not_enrolled"),
        (4, "sesion", "unknown_session"),
        (5, "fecha", "unknown_session"),
        (6, "fecha", "bad_date"),
        (7, "sesion", "session_closed"),
        (8, "estado", "bad_status"),
        (9, "codigo", "duplicate_mark"),
        (10, "sesion", "session_required"),
    ]


def test_attendance_from_xlsx_with_excel_dates(coordinator, org, cohort, people):
    enrol(cohort, people[0])
    data = xlsx_bytes(
        [
            ["DNI", "Cohorte", "Fecha", "Estado"],
            [50000000, cohort.pk, dt.datetime(2026, 3, 2), "P"],
            [50000000, cohort.pk, 46090, "A"],  # Excel serial for 2026-03-09
        ]
    )
    report = run(coordinator, org, "attendance", data, commit=True)
    assert report.written, (report.file_error, report.error_rows())
    assert sorted(Attendance.objects.values_list("session__number", "status")) == [
        (1, "present"),
        (2, "absent"),
    ]


def test_attendance_skip_errors_imports_the_good_rows(coordinator, org, cohort, people):
    enrol(cohort, people[0])
    data = csv_bytes(
        [
            ["codigo", "cohorte", "sesion", "estado"],
            [people[0].code, cohort.pk, 1, "P"],
            [people[1].code, cohort.pk, 1, "P"],
        ]
    )
    assert not run(coordinator, org, "attendance", data, commit=True).written
    assert Attendance.objects.count() == 0
    report = run(coordinator, org, "attendance", data, commit=True, skip_errors=True)
    assert report.written and Attendance.objects.count() == 1


def test_cannot_import_attendance_into_another_organization(other_coordinator, org, cohort):
    with pytest.raises(PermissionDeniedError):
        run(other_coordinator, org, "attendance", csv_bytes([["codigo"], ["x"]]))


def test_cohort_of_another_organization_is_unknown_even_to_its_importer(
    other_coordinator, other_org, cohort, people
):
    data = csv_bytes(
        [["codigo", "cohorte", "sesion", "estado"], [people[0].code, cohort.pk, 1, "P"]]
    )
    report = run(other_coordinator, other_org, "attendance", data)
    assert codes(report) == [(2, "cohorte", "unknown_cohort")]


def test_attendance_for_a_session_still_to_come_is_a_row_error(coordinator, org, people):
    """The time rule in the dry run (issue 7): the row names the session's day."""
    from django.utils import timezone

    start = timezone.localdate() - dt.timedelta(days=7)
    cohort = make_cohort(program=make_program(owner=org, name="En curso"), sessions=3, start=start)
    enrol(cohort, people[0])
    data = csv_bytes(
        [
            ["codigo", "cohorte", "sesion", "estado"],
            [people[0].code, cohort.pk, "1", "presente"],  # 2: a week ago
            [people[0].code, cohort.pk, "3", "presente"],  # 3: next week
        ]
    )
    report = run(coordinator, org, "attendance", data)
    assert codes(report) == [(3, "sesion", "session_future")]
    assert "attendance is recorded from that day" in report.error_rows()[0][2]
    assert not Attendance.objects.filter(session__cohort=cohort).exists()


def test_an_enrolment_date_outside_its_cohort_is_a_row_error(coordinator, org, people):
    """Registration opens before a cohort starts; nobody enrols after its last day, nor
    on a day still to come (issue 8: dates checked against what they belong to)."""
    cohort = make_cohort(
        program=make_program(owner=org),
        sessions=1,
        start=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 31),
    )
    data = csv_bytes(
        [
            ["dni", "cohorte", "fecha de inscripción"],
            ["50000000", cohort.pk, "20/02/2026"],  # before the start: registration, fine
            ["50000001", cohort.pk, "01/04/2026"],  # after the end
            ["50000002", cohort.pk, "31/03/2026"],  # the last day
        ]
    )
    report = run(coordinator, org, "enrolments", data)
    assert codes(report) == [(3, "fecha de inscripción", "enrolled_after_end")]
    assert report.error_rows()[0][2] == (
        f"Enrolment date 2026-04-01 is after the last day of cohort {cohort.pk} (2026-03-31)."
    )
    assert report.valid_rows == 2


def test_an_enrolment_date_in_the_future_is_a_row_error(coordinator, org, people):
    cohort = make_cohort(program=make_program(owner=org), sessions=10, start=dt.date.today())
    later = dt.date.today() + dt.timedelta(days=3)  # within the cohort, but to come
    data = csv_bytes([["dni", "cohorte", "fecha"], ["50000000", cohort.pk, later.isoformat()]])
    report = run(coordinator, org, "enrolments", data)
    assert codes(report) == [(2, "fecha", "enrolled_in_future")]
