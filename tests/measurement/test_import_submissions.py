"""The round trip: a round's XLSForm out, a realistic KoboToolbox export of it in (with a
submission edited after it was sent, a man who did not consent, bad rows), through the
background jobs, scores and the analysis out (issue 9)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cascada.accounts.roles import Role
from cascada.core.errors import ApplicationError
from cascada.measurement import importers
from cascada.measurement.analysis import analyse
from cascada.measurement.models import Instrument, Response, SubmissionUpload, UploadStatus
from cascada.measurement.services import round_create
from cascada.measurement.xlsform import xform_xml
from tests.accounts.factories import make_user
from tests.jobs.support import run_queued_jobs
from tests.measurement.test_submissions import (
    ALL_AGREE,
    CODES,
    kobo_csv,
    kobo_headers,
    kobo_row,
)
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

EQUITABLE_TOP = {code: ("agree" if n >= 17 else "disagree") for n, code in enumerate(CODES)}  # 72


@pytest.fixture
def world(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=2, name="Villa El Salvador")
    men = [make_person(organization=org, sex="male") for _ in range(8)]
    enrol(cohort, *men)
    gem = Instrument.objects.get(code="gem", organization=None).versions.get()
    base, end = (
        round_create(actor=None, cohort=cohort, version=gem, kind=k, opens_on=dt.date(2026, 3, 2))
        for k in ("baseline", "endline")
    )
    coordinator = make_user(organization=org, role=Role.COORDINATOR)
    return cohort, men, base, end, coordinator


def export_of(survey, rows):
    for row in rows:
        row["cascada_round"] = str(survey.pk)
    return kobo_csv(kobo_headers(), rows)


def upload(coordinator, survey, data, name="export.csv"):
    record = importers.upload_submissions(
        actor=coordinator,
        survey=survey,
        upload=SimpleUploadedFile(name, data, content_type="text/csv"),
        filename=name,
    )
    run_queued_jobs()
    record.refresh_from_db()
    return record


def test_round_trip_from_the_form_to_the_analysis(world, org):
    cohort, men, base, end, coordinator = world
    # The form a coordinator uploads to KoboToolbox is valid (ODK Validate: Java).
    assert "gem_decides_sex" in xform_xml(base, validate=True)

    rows = [kobo_row(n + 1, man.code, ALL_AGREE) for n, man in enumerate(men)]  # 38 each
    record = upload(coordinator, base, export_of(base, rows))
    assert record.status == UploadStatus.CHECKED and record.usable == 8 and not record.problems
    importers.import_confirm(actor=coordinator, record=record)
    run_queued_jobs()
    record.refresh_from_db()
    assert record.status == UploadStatus.IMPORTED and record.created == 8 and not record.file
    assert sorted(Response.objects.filter(round=base).values_list("total", flat=True)) == [38] * 8

    # Endline: 6 improve to 72; one man did not consent; one row names a stranger; one
    # submission was edited after it was sent (same rootUuid, a new _uuid): the last wins.
    stranger = make_person(organization=org)
    end_rows = [kobo_row(n + 1, man.code, EQUITABLE_TOP) for n, man in enumerate(men[:6])]
    edited = kobo_row(1, men[0].code, ALL_AGREE, uuid="aaaa0001-0000-4000-8000-000000000001")
    edited["meta/rootUuid"] = end_rows[0]["meta/rootUuid"]
    end_rows.insert(0, edited)  # the earlier version comes first in the file
    end_rows[0], end_rows[1] = end_rows[1], end_rows[0]
    end_rows.append(kobo_row(7, men[6].code, {}, consent="no"))
    end_rows.append(kobo_row(8, stranger.code, EQUITABLE_TOP))
    record = upload(coordinator, end, export_of(end, end_rows))
    assert record.usable == 6 and record.declined == 1 and record.problem_count == 1
    assert record.problems[0]["code"] == "unknown_participant"
    with pytest.raises(ApplicationError):
        importers.import_confirm(actor=coordinator, record=record)  # problems not accepted
    importers.import_confirm(actor=coordinator, record=record, skip_problems=True)
    run_queued_jobs()
    assert Response.objects.filter(round=end).count() == 6
    assert not Response.objects.filter(person=men[6], round=end).exists()  # no consent

    officer = make_user(organization=org, role=Role.ME_OFFICER)
    result = analyse(user=officer, instrument=base.version.instrument, program=cohort.program)
    assert result.overall.n == 6
    # The edited submission (all agree, 38) replaced the first version (72) for men[0].
    assert Response.objects.get(round=end, person=men[0]).total == 38
    assert result.overall.change.mean_difference == pytest.approx((5 * 34 + 0) / 6)


def test_importing_the_same_file_twice_stores_each_submission_once(world):
    cohort, men, base, _end, coordinator = world
    data = export_of(base, [kobo_row(n + 1, man.code, ALL_AGREE) for n, man in enumerate(men)])
    for _ in range(2):
        record = upload(coordinator, base, data)
        importers.import_confirm(actor=coordinator, record=record)
        run_queued_jobs()
    record.refresh_from_db()
    assert (record.created, record.updated, record.unchanged) == (0, 0, 8)
    assert Response.objects.filter(round=base).count() == 8


def test_a_file_of_another_round_is_refused_row_by_row(world):
    _cohort, men, base, end, coordinator = world
    data = export_of(end, [kobo_row(1, men[0].code, ALL_AGREE)])  # endline's form
    record = upload(coordinator, base, data)
    assert record.usable == 0 and record.problems[0]["code"] == "other_round"


def test_a_file_that_is_not_an_export_is_a_clear_problem(world):
    _cohort, _men, base, _end, coordinator = world
    record = upload(coordinator, base, b"\x00\x01 esto no es un archivo", name="foto.jpg")
    assert record.file_problem is not None and record.usable == 0
    with pytest.raises(ApplicationError):
        importers.import_confirm(actor=coordinator, record=record)


def test_a_viewer_cannot_upload_submissions(world, org):
    _cohort, _men, base, _end, _coordinator = world
    viewer = make_user(organization=org, role=Role.VIEWER)
    from cascada.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        importers.upload_submissions(
            actor=viewer, survey=base, upload=SimpleUploadedFile("a.csv", b"x"), filename="a.csv"
        )
    assert not SubmissionUpload.objects.exists()


def test_an_upload_left_undecided_is_swept_by_the_hourly_command(world):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    _cohort, men, base, _end, coordinator = world
    record = upload(coordinator, base, export_of(base, [kobo_row(1, men[0].code, ALL_AGREE)]))
    assert record.file
    SubmissionUpload.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    call_command("imports_sweep", stdout=io.StringIO())
    record.refresh_from_db()
    assert record.status == UploadStatus.REJECTED and not record.file
