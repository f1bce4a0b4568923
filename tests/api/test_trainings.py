"""Programs, cohorts, sessions, attendance, enrolment, completion and certificates
through the API, with scope (S2), rosters for facilitators (S3) and suppressed counts
for roles without access to personal data (S17)."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.trainings.models import Attendance, Session
from tests.api.conftest import error
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db


def test_programs_create_list_share(api, org, other_org, third_org):
    response = api.post("/api/programs/", {"owner": org.pk, "name": "Entre Pares"}, format="json")
    assert response.status_code == 201
    program = response.json()
    assert [p["name"] for p in api.get("/api/programs/").json()["results"]] == ["Entre Pares"]
    shared = api.post(
        f"/api/programs/{program['id']}/share/", {"organization": third_org.pk}, format="json"
    )
    assert shared.status_code == 200 and shared.json()["shared_with"] == [third_org.pk]
    bad = api.post("/api/programs/", {"owner": other_org.pk, "name": "X"}, format="json")
    assert bad.status_code == 400 and "owner" in error(bad)["fields"]
    missing = api.post(f"/api/programs/{program['id']}/share/", {}, format="json")
    assert missing.status_code == 400 and "organization" in error(missing)["fields"]


def test_cohort_create_generate_sessions_and_facilitators(api, world):
    response = api.post(
        "/api/cohorts/",
        {
            "program": world.program.pk,
            "name": "Grupo lunes, miércoles y viernes",
            "kind": "recurring",
            "start_date": "2026-03-02",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    cohort = response.json()
    generated = api.post(
        f"/api/cohorts/{cohort['id']}/sessions/generate/",
        {"count": 6, "pattern": "weekdays", "weekdays": [0, 2, 4]},
        format="json",
    )
    assert generated.status_code == 201, generated.content
    dates = [dt.date.fromisoformat(s["date"]) for s in generated.json()]
    assert [d.weekday() for d in dates] == [0, 2, 4, 0, 2, 4]
    listed = api.get(f"/api/cohorts/{cohort['id']}/sessions/").json()
    assert listed["count"] == 6
    added = api.post(
        f"/api/cohorts/{cohort['id']}/facilitators/",
        {"person": world.facilitator_person.pk},
        format="json",
    )
    assert added.status_code == 201
    assert added.json()["facilitators"] == [
        {"person": world.facilitator_person.pk, "is_lead": True}
    ]
    detail = api.get(f"/api/cohorts/{cohort['id']}/").json()
    assert detail["end_date"] == dates[-1].isoformat()


def test_cohort_bad_input_names_the_field(api, world):
    response = api.post(
        "/api/cohorts/",
        {
            "program": world.program.pk,
            "name": "C",
            "kind": "course",
            "start_date": "2026-03-10",
            "end_date": "2026-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "end_date" in error(response)["fields"]
    generate = api.post(
        f"/api/cohorts/{world.cohort.pk}/sessions/generate/",
        {"count": 3, "pattern": "weekdays"},
        format="json",
    )
    assert generate.status_code == 400 and "weekdays" in error(generate)["fields"]
    pattern = api.post(
        f"/api/cohorts/{world.cohort.pk}/sessions/generate/",
        {"count": 3, "pattern": "monthly"},
        format="json",
    )
    assert pattern.status_code == 400 and "pattern" in error(pattern)["fields"]


def test_enrol_take_attendance_complete_and_certify(api, world):
    cohort = world.cohort
    person = make_person(organization=world.org, given_name="Nuevo")
    # The cohort is over: the enrolment is recorded with its date (a record of the past).
    enrolled = api.post(
        f"/api/cohorts/{cohort.pk}/enrolments/",
        {"person": person.pk, "enrolled_on": cohort.start_date.isoformat()},
    )
    assert enrolled.status_code == 201
    enrolment_id = enrolled.json()["id"]
    assert enrolled.json()["completed"] is False

    for session in cohort.sessions.order_by("number"):
        roster = api.post(
            f"/api/sessions/{session.pk}/attendance/",
            {"marks": {str(enrolment_id): "present", str(world.enrolments[0].pk): "absent"}},
            format="json",
        )
        assert roster.status_code == 200, roster.content
    rows = {r["enrolment_id"]: r for r in roster.json()["rows"]}
    assert rows[enrolment_id]["status"] == "present"
    assert rows[enrolment_id]["name"] == "Nuevo Prueba"

    enrolments = {
        e["id"]: e for e in api.get(f"/api/cohorts/{cohort.pk}/enrolments/").json()["results"]
    }
    mine = enrolments[enrolment_id]
    assert mine["completed"] is True and mine["sessions_attended"] == 4
    assert mine["completed_on"] == cohort.sessions.order_by("-number").first().date.isoformat()
    assert enrolments[world.enrolments[0].pk]["completed"] is False

    issued = api.post("/api/certificates/", {"cohort": cohort.pk}, format="json")
    assert issued.status_code == 201
    assert [c["enrolment"] for c in issued.json()] == [enrolment_id]
    certificate = issued.json()[0]
    assert api.get("/api/certificates/", {"cohort": cohort.pk}).json()["count"] == 1
    pdf = api.get(f"/api/certificates/{certificate['id']}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    not_done = api.post("/api/certificates/", {"enrolment": world.enrolments[0].pk}, format="json")
    assert not_done.status_code == 400 and error(not_done)["code"] == "not_completed"
    neither = api.post("/api/certificates/", {}, format="json")
    assert neither.status_code == 400


def test_attendance_bad_input(api, world):
    session = world.cohort.sessions.first()
    url = f"/api/sessions/{session.pk}/attendance/"
    bad_status = api.post(url, {"marks": {str(world.enrolments[0].pk): "late"}}, format="json")
    assert bad_status.status_code == 400 and "marks" in error(bad_status)["fields"]
    bad_key = api.post(url, {"marks": {"abc": "present"}}, format="json")
    assert bad_key.status_code == 400 and "marks" in error(bad_key)["fields"]
    stranger = api.post(url, {"marks": {"999999": "present"}}, format="json")
    assert stranger.status_code == 400 and error(stranger)["code"] == "not_enrolled"
    assert not Attendance.objects.exists()


def test_headcount_and_no_double_counting(api, world):
    first, second = world.cohort.sessions.order_by("number")[:2]
    response = api.post(f"/api/sessions/{first.pk}/headcount/", {"headcount": 14}, format="json")
    assert response.status_code == 200 and response.json()["headcount"] == 14
    names = api.post(
        f"/api/sessions/{first.pk}/attendance/",
        {"marks": {str(world.enrolments[0].pk): "present"}},
        format="json",
    )
    assert names.status_code == 400 and error(names)["code"] == "headcount_session"
    api.post(
        f"/api/sessions/{second.pk}/attendance/",
        {"marks": {str(world.enrolments[0].pk): "present"}},
        format="json",
    )
    refused = api.post(f"/api/sessions/{second.pk}/headcount/", {"headcount": 3}, format="json")
    assert refused.status_code == 400 and error(refused)["code"] == "named_session"
    negative = api.post(f"/api/sessions/{second.pk}/headcount/", {"headcount": -1}, format="json")
    assert negative.status_code == 400 and "headcount" in error(negative)["fields"]


def test_session_update_and_missing_attendance(api, world):
    sessions = list(world.cohort.sessions.order_by("number"))  # March 2026, in the past
    flagged = api.get("/api/sessions/missing-attendance/").json()["results"]
    assert {s["id"] for s in flagged} == {s.pk for s in sessions}
    response = api.patch(
        f"/api/sessions/{sessions[0].pk}/", {"cancelled": True, "title": "Feriado"}, format="json"
    )
    assert response.status_code == 200 and response.json()["cancelled"] is True
    flagged = api.get("/api/sessions/missing-attendance/").json()["results"]
    assert sessions[0].pk not in {s["id"] for s in flagged}
    bad = api.patch(f"/api/sessions/{sessions[1].pk}/", {"date": "tomorrow"}, format="json")
    assert bad.status_code == 400 and "date" in error(bad)["fields"]
    only = api.get("/api/sessions/", {"cohort": world.cohort.pk}).json()
    assert only["count"] == 4


def test_withdraw(api, world):
    enrolment = world.enrolments[0]
    response = api.post(f"/api/enrolments/{enrolment.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_foreign_objects_are_not_found(api, world, other_world):
    cohort = other_world.cohort
    session = cohort.sessions.first()
    enrolment = other_world.enrolments[0]
    for url in (
        f"/api/programs/{other_world.program.pk}/",
        f"/api/cohorts/{cohort.pk}/",
        f"/api/cohorts/{cohort.pk}/enrolments/",
        f"/api/cohorts/{cohort.pk}/sessions/",
        f"/api/sessions/{session.pk}/",
        f"/api/sessions/{session.pk}/attendance/",
        f"/api/enrolments/{enrolment.pk}/",
    ):
        assert api.get(url).status_code == 404, url
    marks = {"marks": {str(enrolment.pk): "present"}}
    assert (
        api.post(f"/api/sessions/{session.pk}/attendance/", marks, format="json").status_code == 404
    )
    assert api.post(f"/api/enrolments/{enrolment.pk}/withdraw/").status_code == 404
    assert (
        api.post(
            f"/api/cohorts/{cohort.pk}/sessions/generate/", {"count": 1, "pattern": "daily"}
        ).status_code
        == 404
    )
    listed = api.get("/api/cohorts/").json()["results"]
    assert {c["id"] for c in listed} == {world.cohort.pk}
    assert other_world.cohort.pk not in {
        s["cohort"] for s in api.get("/api/sessions/?limit=200").json()["results"]
    }
    enrol_foreign = api.post(
        f"/api/cohorts/{world.cohort.pk}/enrolments/", {"person": other_world.participants[0].pk}
    )
    assert enrol_foreign.status_code == 400 and "person" in error(enrol_foreign)["fields"]
    assert Session.objects.filter(cohort=cohort).count() == 4


def test_facilitator_roster_shows_short_names_and_takes_attendance(facilitator_api, world):
    session = world.cohort.sessions.first()
    roster = facilitator_api.get(f"/api/sessions/{session.pk}/attendance/")
    assert roster.status_code == 200
    names = sorted(r["name"] for r in roster.json()["rows"])
    assert names == ["Participante0 P.", "Participante1 P.", "Participante2 P."]
    for row in roster.json()["rows"]:
        assert set(row) == {"enrolment_id", "person_code", "name", "status"}
    marked = facilitator_api.post(
        f"/api/sessions/{session.pk}/attendance/",
        {"marks": {str(e.pk): "present" for e in world.enrolments}},
        format="json",
    )
    assert marked.status_code == 200
    assert {r["status"] for r in marked.json()["rows"]} == {"present"}
    # A facilitator cannot manage the cohort.
    assert (
        facilitator_api.post(f"/api/enrolments/{world.enrolments[0].pk}/withdraw/").status_code
        == 403
    )


def test_viewer_counts_are_suppressed(viewer_api, api, world):
    from tests.registry.factories import consent_to_reporting

    consent_to_reporting(*(e.person for e in world.cohort.enrolments.all()))
    cohort = viewer_api.get(f"/api/cohorts/{world.cohort.pk}/").json()
    # Per-cohort counts are not in a viewer's release (ADR 0006): null, not "<5".
    assert cohort["n_enrolled"] is None
    assert cohort["n_completed"] is None
    assert cohort["facilitators"] == []
    program = viewer_api.get(f"/api/cascade/programs/{world.program.pk}/").json()
    assert program["enrolled"] == "<5"  # three people enrolled
    exact = api.get(f"/api/cohorts/{world.cohort.pk}/").json()
    assert exact["n_enrolled"] == 3
    session = world.cohort.sessions.first()
    api.post(f"/api/sessions/{session.pk}/headcount/", {"headcount": 2}, format="json")
    seen = viewer_api.get(f"/api/sessions/{session.pk}/").json()
    assert seen["headcount"] is None and seen["n_present"] is None and seen["n_marked"] is None
    assert viewer_api.get(f"/api/cohorts/{world.cohort.pk}/enrolments/").status_code == 404
    assert viewer_api.get(f"/api/sessions/{session.pk}/attendance/").status_code == 404


def test_court_programs_use_the_stricter_threshold(viewer_api, api, world, org):
    from tests.registry.factories import consent_to_reporting
    from tests.trainings.factories import enrol, make_cohort, make_program

    program = make_program(owner=org, name="Juzgado", is_court_mandated=True)
    cohort = make_cohort(program=program, sessions=1)
    people = [make_person(organization=org) for _ in range(7)]
    consent_to_reporting(*people)
    enrol(cohort, *people)
    assert viewer_api.get(f"/api/cascade/programs/{program.pk}/").json()["enrolled"] == "<10"
    assert api.get(f"/api/cascade/programs/{program.pk}/").json()["enrolled"] == 7
