"""The trainings pages through the Django test client: they render, keep other
organizations' objects out (404), and answer bad input with form errors, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.trainings.models import Attendance, Certificate, Cohort, Program, Session
from cascada.trainings.services import attendance_record, certificate_issue
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(org):
    return make_program(owner=org)


@pytest.fixture
def cohort(program):
    return make_cohort(program=program, sessions=4, name="Callao 2026")


@pytest.fixture
def running_cohort(program):
    """Still running: a closed cohort takes no enrolments (docs/decisions/trainings.md)."""
    end = dt.date.today() + dt.timedelta(days=60)
    return make_cohort(program=program, sessions=4, name="Callao 2026", end_date=end)


@pytest.fixture
def people(org):
    return [
        make_person(organization=org, given_name="Aurelio", family_name="Quispe"),
        make_person(organization=org, given_name="Benito", family_name="Mamani"),
    ]


@pytest.fixture
def foreign_cohort(other_org):
    foreign = make_program(owner=other_org, name="Programa ajeno")
    cohort = make_cohort(program=foreign, sessions=2, name="Ajena")
    enrol(cohort, make_person(organization=other_org))
    return cohort


def _complete(cohort, enrolment):
    for session in cohort.sessions.all():
        attendance_record(actor=None, session=session, marks={enrolment.pk: "present"})
    enrolment.refresh_from_db()
    return enrolment


# ---------------------------------------------------------------- programs


def test_program_list_shows_own_programs_only(coordinator_client, program, foreign_cohort):
    response = coordinator_client.get(reverse("web:program_list"))
    assert response.status_code == 200
    assert program.name in response.content.decode()
    assert "Programa ajeno" not in response.content.decode()


def test_program_create_then_detail(coordinator_client, org):
    response = coordinator_client.post(
        reverse("web:program_create"),
        {"owner": org.pk, "name": "Entre Pares", "description": "Grupos de reflexión"},
    )
    program = Program.objects.get(name="Entre Pares")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:program_detail", args=[program.pk])
    assert coordinator_client.get(response["Location"]).status_code == 200


def test_program_create_bad_input_is_a_form_error(coordinator_client, other_org):
    response = coordinator_client.post(
        reverse("web:program_create"), {"owner": other_org.pk, "name": ""}
    )
    assert response.status_code == 200
    assert b'data-test="error-owner"' in response.content
    assert b'data-test="error-name"' in response.content
    assert not Program.objects.filter(owner=other_org).exists()


def test_program_of_another_organization_is_404(coordinator_client, foreign_cohort):
    pk = foreign_cohort.program_id
    assert coordinator_client.get(reverse("web:program_detail", args=[pk])).status_code == 404
    assert coordinator_client.get(reverse("web:program_detail", args=[99999])).status_code == 404


def test_program_share_lets_the_partner_see_it(coordinator_client, program, other_org):
    response = coordinator_client.post(
        reverse("web:program_share", args=[program.pk]), {"organization": other_org.pk}
    )
    assert response.status_code == 302
    partner = make_user(role="coordinator", organization=other_org)
    from django.test import Client

    client = Client()
    login_verified(client, partner)
    assert client.get(reverse("web:program_detail", args=[program.pk])).status_code == 200


def test_program_share_with_nonsense_is_a_form_error(coordinator_client, program):
    response = coordinator_client.post(
        reverse("web:program_share", args=[program.pk]), {"organization": "abc"}
    )
    assert response.status_code == 400
    assert b'data-test="error-organization"' in response.content


# ---------------------------------------------------------------- cohorts


def test_cohort_list_filters(coordinator_client, program, cohort, foreign_cohort):
    make_cohort(program=program, sessions=1, kind="workshop", name="Taller de un día")
    url = reverse("web:cohort_list")
    body = coordinator_client.get(url).content.decode()
    assert "Callao 2026" in body and "Taller de un día" in body and "Ajena" not in body
    body = coordinator_client.get(url, {"kind": "workshop"}).content.decode()
    assert "Taller de un día" in body and "Callao 2026" not in body
    body = coordinator_client.get(url, {"q": "callao"}).content.decode()
    assert "Callao 2026" in body and "Taller de un día" not in body
    # Nonsense filters are ignored with a message on the field, not a 500.
    response = coordinator_client.get(url, {"year": "abc", "program": "x"})
    assert response.status_code == 200


def _cohort_post(program, **overrides):
    data = {
        "program": program.pk,
        "name": "Hombres de Miércoles · Piura",
        "kind": "recurring",
        "modality": "in_person",
        "start_date": "2026-03-02",
        "completion_rule": "attendance",
        "min_attendance_pct": "75",
        "session_count": "6",
        "pattern": "weekdays",
        "weekdays": ["0", "2", "4"],
    }
    data.update(overrides)
    return data


def test_cohort_create_with_a_monday_wednesday_friday_schedule(coordinator_client, program, people):
    response = coordinator_client.post(
        reverse("web:cohort_create"), _cohort_post(program, facilitators=[people[0].pk])
    )
    cohort = Cohort.objects.get(name="Hombres de Miércoles · Piura")
    assert response.status_code == 302
    dates = list(cohort.sessions.order_by("number").values_list("date", flat=True))
    assert [d.weekday() for d in dates] == [0, 2, 4, 0, 2, 4]
    assert dates[0] == dt.date(2026, 3, 2)
    assert list(cohort.facilitators.all()) == [people[0]]
    assert cohort.min_attendance_pct == 75


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pattern": "weekdays", "weekdays": []}, "weekdays"),
        ({"session_count": "0"}, "session_count"),
        ({"session_count": "many"}, "session_count"),
        ({"min_attendance_pct": "120"}, "min_attendance_pct"),
        ({"start_date": "31/31/2026"}, "start_date"),
        ({"completion_rule": "core_modules"}, "completion_rule"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_cohort_create_bad_input_writes_nothing(coordinator_client, program, overrides, field):
    response = coordinator_client.post(
        reverse("web:cohort_create"), _cohort_post(program, **overrides)
    )
    assert response.status_code == 400
    assert f'data-test="error-{field}"'.encode() in response.content
    assert not Cohort.objects.exists()
    assert not Session.objects.exists()


def test_cohort_create_in_a_foreign_program_is_refused(coordinator_client, foreign_cohort):
    before = Cohort.objects.count()
    response = coordinator_client.post(
        reverse("web:cohort_create"), _cohort_post(foreign_cohort.program)
    )
    assert response.status_code == 400
    assert b'data-test="error-program"' in response.content
    assert Cohort.objects.count() == before


def test_cohort_detail_shows_sessions_enrolments_and_flags(coordinator_client, cohort, people):
    e1, _e2 = enrol(cohort, *people)
    first = cohort.sessions.get(number=1)
    attendance_record(actor=None, session=first, marks={e1.pk: "present"})
    response = coordinator_client.get(reverse("web:cohort_detail", args=[cohort.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-test="session-row"') == 4
    assert body.count('data-test="enrolment-row"') == 2
    assert "Aurelio Quispe" in body
    # Sessions in the past (2026-03) without attendance are flagged; the taken one is not.
    assert body.count('data-test="session-missing"') == 3
    assert "1 of 4 sessions" in body


def test_cohort_of_another_organization_is_404_everywhere(coordinator_client, foreign_cohort):
    session = foreign_cohort.sessions.first()
    enrolment = foreign_cohort.enrolments.first()
    for method, name, pk in [
        ("get", "web:cohort_detail", foreign_cohort.pk),
        ("post", "web:cohort_enrol", foreign_cohort.pk),
        ("post", "web:cohort_certificates_issue", foreign_cohort.pk),
        ("get", "web:session_edit", session.pk),
        ("get", "web:session_roster", session.pk),
        ("post", "web:session_roster", session.pk),
        ("post", "web:session_headcount", session.pk),
        ("post", "web:certificate_issue", enrolment.pk),
    ]:
        response = getattr(coordinator_client, method)(reverse(name, args=[pk]))
        assert response.status_code == 404, name


def test_enrol_people(coordinator_client, running_cohort, people):
    cohort = running_cohort
    response = coordinator_client.post(
        reverse("web:cohort_enrol", args=[cohort.pk]), {"people": [p.pk for p in people]}
    )
    assert response.status_code == 302
    assert set(cohort.enrolments.values_list("person_id", flat=True)) == {p.pk for p in people}


def test_enrol_someone_invisible_is_a_form_error(coordinator_client, running_cohort, other_org):
    cohort = running_cohort
    stranger = make_person(organization=other_org)
    response = coordinator_client.post(
        reverse("web:cohort_enrol", args=[cohort.pk]), {"people": [stranger.pk]}
    )
    assert response.status_code == 400
    assert b'data-test="error-people"' in response.content
    assert not cohort.enrolments.exists()


def test_session_edit_cancel_and_move(coordinator_client, cohort):
    session = cohort.sessions.get(number=2)
    url = reverse("web:session_edit", args=[session.pk])
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {"date": "2026-03-20", "cancelled": "on"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cancelled and session.date == dt.date(2026, 3, 20)
    response = coordinator_client.post(url, {"date": "not a date"})
    assert response.status_code == 400
    assert b'data-test="error-date"' in response.content


# ---------------------------------------------------------------- roster


def test_roster_renders_names_and_buttons(coordinator_client, cohort, people):
    enrol(cohort, *people)
    session = cohort.sessions.first()
    response = coordinator_client.get(reverse("web:session_roster", args=[session.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-test="roster-row"') == 2
    assert body.count('data-test="mark-present"') == 2
    assert "Aurelio Quispe" in body
    assert response["Cache-Control"] == "no-store"


def test_roster_tap_without_js_records_the_mark(coordinator_client, cohort, people):
    e1, _ = enrol(cohort, *people)
    session = cohort.sessions.first()
    url = reverse("web:session_roster", args=[session.pk])
    response = coordinator_client.post(url, {f"mark_{e1.pk}": "absent"})
    assert response.status_code == 302
    assert Attendance.objects.get(session=session, enrolment=e1).status == "absent"


def test_roster_tap_with_htmx_returns_the_row(coordinator_client, cohort, people):
    e1, _ = enrol(cohort, *people)
    session = cohort.sessions.first()
    url = reverse("web:session_roster", args=[session.pk])
    response = coordinator_client.post(url, {f"mark_{e1.pk}": "makeup"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-test="roster-row"') == 1
    assert 'data-status="makeup"' in body
    assert 'hx-swap-oob="true"' in body  # the counts follow
    assert "<html" not in body


def test_roster_mark_all_present_keeps_earlier_marks(coordinator_client, cohort, people):
    e1, e2 = enrol(cohort, *people)
    session = cohort.sessions.first()
    attendance_record(actor=None, session=session, marks={e1.pk: "excused"})
    response = coordinator_client.post(
        reverse("web:session_roster", args=[session.pk]), {"all_present": "1"}
    )
    assert response.status_code == 302
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    assert marks == {e1.pk: "excused", e2.pk: "present"}


@pytest.mark.parametrize("payload", [{"mark_1x": "present"}, {}, {"mark_{e}": "dancing"}])
def test_roster_bad_input_is_shown_not_a_500(coordinator_client, cohort, people, payload):
    (e1,) = enrol(cohort, people[0])
    session = cohort.sessions.first()
    data = {k.format(e=e1.pk): v for k, v in payload.items()}
    response = coordinator_client.post(reverse("web:session_roster", args=[session.pk]), data)
    assert response.status_code == 400
    assert b'data-test="roster-error"' in response.content
    assert not Attendance.objects.exists()


def test_roster_refuses_someone_from_another_cohort(coordinator_client, cohort, program, people):
    other = make_cohort(program=program, sessions=1, name="Otra")
    (stranger,) = enrol(other, people[1])
    session = cohort.sessions.first()
    response = coordinator_client.post(
        reverse("web:session_roster", args=[session.pk]), {f"mark_{stranger.pk}": "present"}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_headcount_saved_and_refused_when_names_were_taken(coordinator_client, cohort, people):
    (e1,) = enrol(cohort, people[0])
    first, second = cohort.sessions.order_by("number")[:2]
    attendance_record(actor=None, session=first, marks={e1.pk: "present"})
    response = coordinator_client.post(
        reverse("web:session_headcount", args=[first.pk]), {"headcount": "14"}
    )
    assert response.status_code == 400
    assert b'data-test="error-headcount"' in response.content or b"form-errors" in response.content
    first.refresh_from_db()
    assert first.headcount is None
    response = coordinator_client.post(
        reverse("web:session_headcount", args=[second.pk]), {"headcount": "14"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.headcount == 14
    response = coordinator_client.post(
        reverse("web:session_headcount", args=[second.pk]), {"headcount": "-3"}
    )
    assert response.status_code == 400


def test_facilitator_sees_short_names_on_the_roster_of_their_cohort_only(program, people, org):
    from django.test import Client

    facilitator_person = make_person(organization=org, given_name="Fausto", family_name="Ríos")
    mine = make_cohort(program=program, sessions=1, facilitators=(facilitator_person,), name="Mía")
    theirs = make_cohort(program=program, sessions=1, name="Ajena interna")
    enrol(mine, *people)
    enrol(theirs, *people)
    user = make_user(role="facilitator", organization=org, person=facilitator_person)
    client = Client()
    login_verified(client, user)
    body = client.get(reverse("web:session_roster", args=[mine.sessions.get().pk])).content
    assert "Aurelio Q." in body.decode() and "Quispe" not in body.decode()
    other = client.get(reverse("web:session_roster", args=[theirs.sessions.get().pk]))
    assert other.status_code == 404


# ---------------------------------------------------------------- certificates


def test_issue_one_and_all_certificates(coordinator_client, cohort, people):
    e1, e2 = enrol(cohort, *people)
    _complete(cohort, e1)
    _complete(cohort, e2)
    response = coordinator_client.post(reverse("web:certificate_issue", args=[e1.pk]))
    assert response.status_code == 302
    assert Certificate.objects.filter(enrolment=e1).exists()
    response = coordinator_client.post(reverse("web:cohort_certificates_issue", args=[cohort.pk]))
    assert response.status_code == 302
    assert Certificate.objects.count() == 2


def test_certificate_for_someone_who_did_not_complete_is_refused(
    coordinator_client, cohort, people
):
    (e1,) = enrol(cohort, people[0])
    response = coordinator_client.post(reverse("web:certificate_issue", args=[e1.pk]), follow=True)
    assert response.status_code == 200
    assert b'data-test="messages"' in response.content
    assert not Certificate.objects.exists()


def test_certificate_pdf_downloads_and_is_audited(coordinator_client, cohort, people):
    (e1,) = enrol(cohort, people[0])
    cert = certificate_issue(actor=None, enrolment=_complete(cohort, e1))
    response = coordinator_client.get(reverse("web:certificate_pdf", args=[cert.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="certificate_download").count() == 1


def test_certificate_pdf_of_another_organization_is_404(coordinator_client, foreign_cohort):
    enrolment = foreign_cohort.enrolments.get()
    cert = certificate_issue(actor=None, enrolment=_complete(foreign_cohort, enrolment))
    response = coordinator_client.get(reverse("web:certificate_pdf", args=[cert.pk]))
    assert response.status_code == 404


def test_certificate_pdf_needs_a_role_that_reads_names(cohort, people, org):
    from django.test import Client

    (e1,) = enrol(cohort, people[0])
    cert = certificate_issue(actor=None, enrolment=_complete(cohort, e1))
    client = Client()
    login_verified(client, make_user(role="me_officer", organization=org))
    assert client.get(reverse("web:certificate_pdf", args=[cert.pk])).status_code == 404


def test_verify_page_is_public_and_shows_no_personal_data(client, cohort, people):
    (e1,) = enrol(cohort, people[0])
    cert = certificate_issue(actor=None, enrolment=_complete(cohort, e1))
    response = client.get(reverse("web:certificate_verify", args=[cert.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-test="verify-valid"' in body
    assert cohort.name in body and cohort.program.name in body and "Manuela Ramos" in body
    assert "Aurelio" not in body and "Quispe" not in body and people[0].code not in body


def test_verify_page_says_invalid_for_unknown_or_revoked_codes(client, cohort, people):
    (e1,) = enrol(cohort, people[0])
    cert = certificate_issue(actor=None, enrolment=_complete(cohort, e1))
    Certificate.objects.filter(pk=cert.pk).update(revoked=True)
    for code in [cert.code, "NOPE123456", "x" * 40]:
        response = client.get(reverse("web:certificate_verify", args=[code]))
        assert response.status_code == 404
        assert b'data-test="verify-invalid"' in response.content
    response = client.get(reverse("web:certificate_check"), {"code": " ab-c "})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:certificate_verify", args=["ABC"])


def test_pages_need_sign_in(client, cohort):
    session = cohort.sessions.first()
    for name, args in [
        ("web:program_list", []),
        ("web:program_create", []),
        ("web:cohort_list", []),
        ("web:cohort_create", []),
        ("web:cohort_detail", [cohort.pk]),
        ("web:session_roster", [session.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_viewer_sees_figures_but_cannot_manage(cohort, people, org):
    from django.test import Client

    enrol(cohort, *people)
    client = Client()
    client.force_login(make_user(role="viewer", organization=org))
    response = client.get(reverse("web:cohort_detail", args=[cohort.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Aurelio" not in body and 'data-test="enrolment-row"' not in body
    assert client.get(reverse("web:cohort_create")).status_code == 403
    assert (
        client.get(reverse("web:session_roster", args=[cohort.sessions.first().pk])).status_code
        == 404
    )
