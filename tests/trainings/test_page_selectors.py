"""Selectors behind the trainings pages: scoped to the user (S2), names only for roles
that read them (S3), and the flag for expected sessions without attendance."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.audit.models import AuditEvent
from cascada.core.errors import NotFoundError
from cascada.trainings import selectors
from cascada.trainings.services import (
    attendance_record,
    certificate_issue,
    program_share,
    session_headcount_set,
    session_update,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


def test_session_rows_flag_only_expected_sessions_without_any_record(org, coordinator):
    cohort = make_cohort(program=make_program(owner=org), sessions=5, start=dt.date(2026, 3, 2))
    (e,) = enrol(cohort, make_person(organization=org))
    s1, s2, s3, s4, s5 = cohort.sessions.order_by("number")
    attendance_record(actor=None, session=s1, marks={e.pk: "absent"})  # taken, even if absent
    session_headcount_set(actor=None, session=s2, headcount=9)  # a headcount counts as taken
    session_update(actor=None, session=s3, cancelled=True)  # cancelled: not expected
    rows = selectors.session_rows(user=coordinator, cohort=cohort, today=s5.date)
    assert [r.missing for r in rows] == [False, False, False, True, False]  # s5 is today


def test_enrolment_rows_show_names_to_coordinators_and_audit_it(org, coordinator):
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    enrol(cohort, make_person(organization=org, given_name="Zenón", family_name="Apaza"))
    rows = selectors.enrolment_rows(user=coordinator, cohort=cohort)
    assert [r.name for r in rows] == ["Zenón Apaza"]
    assert AuditEvent.objects.filter(action="view_list", target_id=str(cohort.pk)).count() == 1


def test_enrolment_rows_show_codes_to_roles_without_identity(org):
    cohort = make_cohort(program=make_program(owner=org), sessions=1)
    (e,) = enrol(cohort, make_person(organization=org, given_name="Zenón", family_name="Apaza"))
    officer = make_user(role="me_officer", organization=org)
    rows = selectors.enrolment_rows(user=officer, cohort=cohort)
    assert [r.name for r in rows] == [e.person.code]
    assert not AuditEvent.objects.filter(action="view_list").exists()


def test_cohort_list_filtered(org, other_org, coordinator):
    program = make_program(owner=org)
    a = make_cohort(program=program, sessions=0, kind="tot", name="ToT nacional")
    make_cohort(program=program, sessions=0, kind="course", name="Curso Callao")
    make_cohort(program=make_program(owner=other_org), sessions=0, kind="tot", name="Ajena")
    assert list(selectors.cohort_list_filtered(user=coordinator, kind="tot")) == [a]
    assert list(selectors.cohort_list_filtered(user=coordinator, text="nacional")) == [a]
    assert selectors.cohort_list_filtered(user=coordinator, year=1999).count() == 0


def test_certificate_get_is_scoped(org, other_org, coordinator):
    cohort = make_cohort(program=make_program(owner=other_org), sessions=1)
    (e,) = enrol(cohort, make_person(organization=other_org))
    attendance_record(actor=None, session=cohort.sessions.get(), marks={e.pk: "present"})
    e.refresh_from_db()
    cert = certificate_issue(actor=None, enrolment=e)
    with pytest.raises(NotFoundError):
        selectors.certificate_get(user=coordinator, pk=cert.pk)
    with pytest.raises(NotFoundError):
        selectors.certificate_get(user=coordinator, pk="nonsense")


def test_share_candidates_leave_out_owner_and_partners(org, other_org, coordinator):
    program = make_program(owner=org)
    assert list(selectors.program_share_candidates(user=coordinator, program=program)) == [
        other_org
    ]
    program_share(actor=None, program=program, organization=other_org)
    assert not selectors.program_share_candidates(user=coordinator, program=program).exists()
    outsider = make_user(role="viewer", organization=org)
    assert not selectors.program_share_candidates(user=outsider, program=program).exists()


def test_cohort_list_counts_enrolled_and_completed_per_cohort():
    """The four counts of ``cohort_list`` (correlated subqueries since
    docs/performance.md): withdrawn people are not enrolled, only consenting people are
    reportable, and a cohort with nobody counts zero."""
    from cascada.registry.services import consent_record
    from cascada.trainings.selectors import cohort_list
    from cascada.trainings.services import enrolment_withdraw
    from tests.accounts.factories import make_user
    from tests.cascade.factories import complete, enrol_only
    from tests.registry.factories import make_org, make_person
    from tests.trainings.factories import make_cohort, make_program

    org = make_org()
    program = make_program(owner=org)
    full = make_cohort(program=program, sessions=1, name="Llena")
    empty = make_cohort(program=program, sessions=1, name="Vacía")
    done = [make_person(organization=org) for _ in range(3)]
    pending = [make_person(organization=org) for _ in range(2)]
    complete(full, *done)
    enrolments = enrol_only(full, *pending)
    enrolment_withdraw(actor=None, enrolment=enrolments[0])
    for person in (done[0], pending[1]):
        consent_record(
            actor=None,
            person=person,
            purpose="aggregate_reporting",
            granted=True,
            text_version="v1",
        )
    user = make_user(role="coordinator", organization=org)
    counts = {c.pk: (c.n_enrolled, c.n_completed) for c in cohort_list(user=user)}
    # Exact counts of everyone: consent limits only what viewers see (ADR 0006).
    assert counts == {full.pk: (4, 3), empty.pk: (0, 0)}


def test_sessions_missing_attendance_lists_past_sessions_never_taken(org, other_org, coordinator):
    """What the home page asks for: past, not cancelled, neither names nor a headcount
    (filtered through ``attendance_taken_at`` and its partial index)."""
    cohort = make_cohort(program=make_program(owner=org), sessions=6, start=dt.date(2026, 3, 2))
    (e,) = enrol(cohort, make_person(organization=org))
    s1, s2, s3, s4, s5, s6 = cohort.sessions.order_by("number")
    foreign = make_cohort(program=make_program(owner=other_org), sessions=1)
    attendance_record(actor=None, session=s1, marks={e.pk: "absent"})
    session_headcount_set(actor=None, session=s2, headcount=9)
    session_update(actor=None, session=s3, cancelled=True)
    session_headcount_set(actor=None, session=s4, headcount=7)
    session_headcount_set(actor=None, session=s4, headcount=None)  # cleared: missing again

    def missing():
        return list(selectors.sessions_missing_attendance(user=coordinator, today=s6.date))

    assert missing() == [s4, s5]  # s6 is today; the other organization's cohort is not seen
    assert foreign.sessions.get().date < s6.date
    attendance_record(actor=None, session=s5, marks={e.pk: "present"})
    assert missing() == [s4]
