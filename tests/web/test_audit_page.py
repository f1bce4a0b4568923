"""The audit page (S11, issue 7): in words and in the reader's language, with dates
written the local way, filtered by user, action, person (by code) and dates, paginated
with the filters kept, and for auditors only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from cascada.audit.models import AuditEvent
from cascada.audit.services import audit_record
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db
URL = "/accounts/audit/"


def _on(event: AuditEvent, day: dt.date) -> None:
    at = dt.datetime.combine(day, dt.time(10, 30), tzinfo=timezone.get_current_timezone())
    AuditEvent.objects.filter(pk=event.pk).update(at=at)


@pytest.fixture
def trail(org, coordinator, client):
    """Known events: the coordinator looks at Juan on 1 March, lists people on 2 March and
    enrols Juan on 3 March; a facilitator looks at Pedro on 3 March. The client is signed
    in as the auditor."""
    auditor = make_user(role="auditor", organization=org, username="auditora")
    login_verified(client, auditor)
    facilitator = make_user(role="facilitator", organization=org, username="facilitadora")
    juan, pedro = make_person(organization=org), make_person(organization=org)
    enrolment = enrol(make_cohort(program=make_program(owner=org), sessions=1), juan)[0]
    AuditEvent.objects.all().delete()  # only the events below
    events = {
        "view_juan": audit_record(actor=coordinator, action="view", target=juan),
        "list": audit_record(
            actor=coordinator,
            action="view_list",
            target_type="registry.person",
            detail={"people": 3},
        ),
        "enrol_juan": audit_record(actor=coordinator, action="enrol", target=enrolment),
        "view_pedro": audit_record(actor=facilitator, action="view", target=pedro),
    }
    for key, day in (
        ("view_juan", dt.date(2026, 3, 1)),
        ("list", dt.date(2026, 3, 2)),
        ("enrol_juan", dt.date(2026, 3, 3)),
        ("view_pedro", dt.date(2026, 3, 3)),
    ):
        _on(events[key], day)
    return {
        "auditor": auditor,
        "coordinator": coordinator,
        "facilitator": facilitator,
        "juan": juan,
        "pedro": pedro,
        "events": events,
    }


def _rows(client, language="en", **params) -> list[str]:
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>|\s+", " ", row).strip()
        for row in re.findall(r'<tr data-test="audit-row">(.*?)</tr>', html, re.S)
    ]


def test_the_trail_reads_in_words_with_local_dates_in_spanish(client, trail):
    rows = _rows(client, "es")
    assert len(rows) == 4
    text = " | ".join(rows)
    assert "Vio la lista de personas" in text
    assert f"Persona {trail['juan'].code}" in text
    assert "01/03/2026 10:30" in text
    for raw in ("view_list", "registry.person", "2026-03-01", "people="):
        assert raw not in text


def test_the_trail_reads_in_english_on_request(client, trail):
    text = " | ".join(_rows(client, "en"))
    assert "Viewed the list of people" in text and f"Person {trail['juan'].code}" in text
    assert "Enrolled a person" in text and "people shown: 3" in text


def test_filters_by_user_action_person_and_dates(client, trail):
    juan = trail["juan"].code
    assert len(_rows(client, user=trail["facilitator"].pk)) == 1
    assert len(_rows(client, user=trail["coordinator"].pk)) == 3
    assert len(_rows(client, action="view")) == 2
    assert len(_rows(client, action="view", user=trail["coordinator"].pk)) == 1
    # The person by code: what was done to him and to his enrolments; a code in any case.
    by_person = _rows(client, person=juan.lower())
    assert len(by_person) == 2 and all(juan in row for row in by_person)
    assert _rows(client, person="NOBODY12") == []
    # Dates are whole days, both ends included.
    assert len(_rows(client, start="2026-03-02", end="2026-03-02")) == 1
    assert len(_rows(client, start="2026-03-02")) == 3
    assert len(_rows(client, end="2026-03-01")) == 1
    assert len(_rows(client, start="2026-03-03", person=juan)) == 1


def test_a_removed_person_is_found_by_the_code_in_the_removal(client, trail):
    audit_record(
        actor=trail["coordinator"],
        action="delete",
        target_type="registry.person",
        target_id=999999,
        detail={"code": "GONE1234"},
    )
    rows = _rows(client, person="GONE1234")
    assert len(rows) == 1 and "Removed a person" in rows[0] and "Person GONE1234" in rows[0]


def test_values_that_cannot_be_right_are_no_filter(client, trail):
    for params in (
        {"user": "x"},
        {"user": "99999999999999999999999"},
        {"action": "drop_table"},
        {"person": "<script>"},
        {"start": "yesterday"},
    ):
        assert len(_rows(client, **params)) == 4, params


def test_pages_keep_the_filters(client, trail):
    for _ in range(55):
        audit_record(actor=trail["coordinator"], action="view", target=trail["pedro"])
    html = client.get(URL, {"action": "view"}).content.decode()
    assert html.count('data-test="audit-row"') == 50
    assert 'href="?action=view&amp;page=2"' in html
    second = _rows(client, action="view", page=2)
    assert len(second) == 57 - 50


def test_only_auditors_read_the_trail_and_its_filters(client, trail):
    login_verified(client, trail["coordinator"])
    assert client.get(URL, {"person": trail["juan"].code}).status_code == 403


def test_every_action_the_code_records_has_words():
    """An action recorded without words here would show as its code (``view_list``)."""
    from pathlib import Path

    import cascada
    from cascada.audit.words import ACTIONS

    root = Path(cascada.__file__).parent
    recorded = {
        action
        for path in root.rglob("*.py")
        for action in re.findall(r'\baction="([a-z_]+)"', path.read_text(encoding="utf-8"))
    } - {"store_true", "store_false", "append", "count"}
    assert recorded and recorded <= ACTIONS.keys(), sorted(recorded - ACTIONS.keys())
