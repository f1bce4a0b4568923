from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from cascada.trainings.models import Certificate
from cascada.trainings.services import attendance_record
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program


@pytest.fixture
def completed_cohort(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    done, absent = make_person(organization=org), make_person(organization=org)
    enrolments = enrol(cohort, done, absent)
    attendance_record(
        actor=None,
        session=cohort.sessions.get(),
        marks={enrolments[0].pk: "present", enrolments[1].pk: "absent"},
    )
    return cohort


def test_issues_certificates_and_writes_pdfs(coordinator, completed_cohort, tmp_path):
    out = io.StringIO()
    call_command(
        "issue_certificates",
        "--cohort",
        completed_cohort.pk,
        "--as",
        coordinator.username,
        "--pdf-dir",
        str(tmp_path),
        stdout=out,
    )
    certificate = Certificate.objects.get()
    pdf = tmp_path / f"{certificate.code}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    # A PDF carries a name: the same audited service as the web and the API (S10).
    from cascada.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="certificate_download", actor=coordinator).count() == 1
    # Running again issues nothing new.
    call_command(
        "issue_certificates",
        "--cohort",
        completed_cohort.pk,
        "--as",
        coordinator.username,
        stdout=io.StringIO(),
    )
    assert Certificate.objects.count() == 1


def test_cohort_of_another_organization_is_not_found(other_coordinator, completed_cohort):
    with pytest.raises(CommandError) as caught:
        call_command(
            "issue_certificates",
            "--cohort",
            completed_cohort.pk,
            "--as",
            other_coordinator.username,
            stdout=io.StringIO(),
        )
    assert caught.value.returncode == 1
    assert Certificate.objects.count() == 0


def test_missing_pdf_folder_is_a_message(coordinator, completed_cohort, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "issue_certificates",
            "--cohort",
            completed_cohort.pk,
            "--as",
            coordinator.username,
            "--pdf-dir",
            str(tmp_path / "nope"),
            stdout=io.StringIO(),
        )
    assert "nope" in str(caught.value)
