"""Every form that creates something is safe to send twice (``cascada.web.idempotency``,
docs/decisions/idempotency.md): the same form sent again (a double tap, a retry), or the
same content sent again after Back (a fresh form token), writes once and answers with the
first result; two copies arriving together write once too."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cascada.audit.models import AuditEvent
from cascada.core.models import IdempotencyRecord
from cascada.curricula.models import Curriculum, CurriculumVersion, Module, SessionPlan
from cascada.curricula.services import curriculum_create, module_add
from cascada.registry.models import Consent, Person
from cascada.trainings.models import Cohort, Enrolment, Program, Session
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import make_cohort, make_program


@dataclass
class Form:
    url: str
    data: dict[str, Any]
    count: Callable[[], int]
    htmx: bool = False


def _person(org: Any) -> Form:
    data = {
        "organization": org.pk,
        "given_name": "Benito",
        "family_name": "Mamani Ficticio",
        "sex": "male",
        "birth_year": "1988",
        "roles": ["participant"],
    }
    return Form(reverse("web:person_create"), data, Person.objects.count)


def _program(org: Any) -> Form:
    data = {"owner": org.pk, "name": "Entre Pares", "description": "Grupos de reflexión"}
    return Form(reverse("web:program_create"), data, Program.objects.count)


def _cohort(org: Any) -> Form:
    program = make_program(owner=org)
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
    return Form(
        reverse("web:cohort_create"),
        data,
        lambda: Cohort.objects.count() * 1000 + Session.objects.count(),
    )


def _curriculum(org: Any) -> Form:
    data = {"organization": org.pk, "title": "Entre Pares", "audience": "mixed"}
    return Form(reverse("web:curriculum_create"), data, Curriculum.objects.count)


def _module(org: Any, htmx: bool = False) -> Form:
    version = curriculum_create(actor=None, organization=org, title="Hombres").versions.get()
    url = reverse("web:module_add", args=[version.pk])
    return Form(url, {"title": "Violencia", "is_core": "on"}, Module.objects.count, htmx)


def _plan(org: Any, htmx: bool = False) -> Form:
    version = curriculum_create(actor=None, organization=org, title="Hombres").versions.get()
    module = module_add(actor=None, version=version, title="Masculinidades")
    data = {"title": "Alcohol", "duration_minutes": "60", "audience": "men"}
    url = reverse("web:session_plan_add", args=[module.pk])
    return Form(url, data, SessionPlan.objects.count, htmx)


def _consent(org: Any) -> Form:
    person = make_person(organization=org)
    data = {"purpose": "participation", "decision": "grant", "text_version": "v1", "date": ""}
    url = reverse("web:person_consent", args=[person.pk])
    return Form(url, data, Consent.objects.count)


def _enrolment(org: Any) -> Form:
    # Still running: a closed cohort takes no enrolments (docs/decisions/trainings.md).
    running = dt.date.today() + dt.timedelta(days=60)
    cohort = make_cohort(
        program=make_program(owner=org), sessions=2, name="Callao", end_date=running
    )
    people = [make_person(organization=org) for _ in range(2)]
    data = {"people": [p.pk for p in people]}
    return Form(reverse("web:cohort_enrol", args=[cohort.pk]), data, Enrolment.objects.count)


def _headcount(org: Any) -> Form:
    cohort = make_cohort(program=make_program(owner=org), sessions=2, name="Charla")
    session = cohort.sessions.get(number=1)
    url = reverse("web:session_headcount", args=[session.pk])
    # What a user cares about here: one change in the history (the audit trail).
    return Form(url, {"headcount": "23"}, AuditEvent.objects.count)


FORMS: dict[str, Callable[[Any], Form]] = {
    "person": _person,
    "program": _program,
    "cohort": _cohort,
    "curriculum": _curriculum,
    "module": _module,
    "module-htmx": lambda org: _module(org, htmx=True),
    "session-plan": _plan,
    "session-plan-htmx": lambda org: _plan(org, htmx=True),
    "consent": _consent,
    "enrolment": _enrolment,
    "headcount": _headcount,
}


def _token() -> str:
    return secrets.token_urlsafe(18)


def _post(client: Client, form: Form, token: str | None, **extra: Any) -> Any:
    data = dict(form.data, **({"form_token": token} if token else {}), **extra)
    headers = {"HX-Request": "true"} if form.htmx else {}
    return client.post(form.url, data, headers=headers)


def _where(response: Any) -> str:
    """Where the answer sends the user: a redirect, or htmx's HX-Redirect."""
    return response.get("Location") or response.get("HX-Redirect") or ""


def _messages(client: Client, response: Any) -> str:
    return client.get(_where(response)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
def test_the_same_form_sent_twice_writes_once_and_answers_with_the_first_result(
    name, coordinator_client, org
):
    form = FORMS[name](org)
    before = form.count()
    token = _token()
    first = _post(coordinator_client, form, token)
    assert first.status_code in (200, 302), first.content[:500]
    written, audited = form.count(), AuditEvent.objects.count()
    assert written > before

    again = _post(coordinator_client, form, token)

    assert form.count() == written
    assert AuditEvent.objects.count() == audited  # nothing written, nothing audited
    if form.htmx:
        # htmx: the page of the first result, loaded whole.
        assert again["HX-Redirect"] == reverse("web:curriculum_version", args=[_version_id(form)])
    else:
        assert again.status_code == 302 and again["Location"] == first["Location"]
    assert "nothing was saved twice" in _messages(coordinator_client, again)


def _version_id(form: Form) -> int:
    match = re.search(r"/curricula/(versions|modules)/(\d+)/", form.url)
    assert match
    pk = int(match.group(2))
    return pk if match.group(1) == "versions" else Module.objects.get(pk=pk).version_id


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["person", "cohort", "consent", "module", "session-plan"])
def test_back_and_send_again_with_a_fresh_token_writes_once(name, coordinator_client, org):
    """Pages are no-store: Back loads the form again, with a new token. The same content
    from the same user to the same address is the same request."""
    form = FORMS[name](org)
    first = _post(coordinator_client, form, _token())
    written = form.count()
    again = _post(coordinator_client, form, _token())
    assert form.count() == written
    assert _where(again) == _where(first) or form.htmx


@pytest.mark.django_db
def test_a_form_without_token_is_still_protected_by_its_content(coordinator_client, org):
    form = _person(org)
    _post(coordinator_client, form, None)
    _post(coordinator_client, form, None)
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_other_content_is_a_new_record(coordinator_client, org):
    form = _person(org)
    _post(coordinator_client, form, _token())
    _post(coordinator_client, form, _token(), given_name="Ciro", family_name="Huamán")
    assert Person.objects.count() == 2
    # Back to the first content after another record: that is a new decision, not a replay.
    consent = _consent(org)
    _post(coordinator_client, consent, _token())
    _post(coordinator_client, consent, _token(), decision="withdraw")
    _post(coordinator_client, consent, _token())
    assert Consent.objects.count() == 3


@pytest.mark.django_db
def test_the_same_token_with_changed_content_keeps_the_first_and_says_so(coordinator_client, org):
    form = _person(org)
    token = _token()
    first = _post(coordinator_client, form, token)
    again = _post(coordinator_client, form, token, given_name="Ciro")
    assert Person.objects.count() == 1
    assert again["Location"] == first["Location"]
    assert "your changes to it were not saved" in _messages(coordinator_client, again)


@pytest.mark.django_db
def test_a_form_with_errors_keeps_nothing_and_can_be_corrected(coordinator_client, org):
    form = _person(org)
    token = _token()
    bad = _post(coordinator_client, form, token, sex="")
    assert bad.status_code == 200 and not Person.objects.exists()
    assert not IdempotencyRecord.objects.filter(kind="form").exists()
    good = _post(coordinator_client, form, token)
    assert good.status_code == 302 and Person.objects.count() == 1


@pytest.mark.django_db
def test_a_refusal_by_redirect_is_not_kept(coordinator_client, org):
    """A frozen curriculum answers with a redirect and an error: nothing was written, so a
    second copy is checked again rather than told it was saved."""
    form = _module(org)
    version = CurriculumVersion.objects.get(pk=_version_id(form))
    make_cohort(program=make_program(owner=org), sessions=0, curriculum_version=version)
    token = _token()
    for _ in range(2):
        response = _post(coordinator_client, form, token)
        assert response.status_code == 302
        assert "nothing was saved twice" not in _messages(coordinator_client, response)
    assert Module.objects.count() == 0


@pytest.mark.django_db
def test_the_same_content_after_the_window_is_a_new_record(coordinator_client, org, settings):
    settings.CASCADA_IDEMPOTENCY_REPLAY_SECONDS = 0
    form = _person(org)
    _post(coordinator_client, form, _token())
    _post(coordinator_client, form, _token(), allow_duplicate="on")
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_tokens_are_per_user(client, org):
    """Another user's copy of a token is another request (tokens are not secrets)."""
    form = _person(org)
    token = _token()
    for user in (make_user(role="coordinator", organization=org) for _ in range(2)):
        login_verified(client, user)
        _post(client, form, token, allow_duplicate="on")
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_what_is_kept_holds_no_form_values(coordinator_client, org):
    form = _person(org)
    token = _token()
    _post(coordinator_client, form, token)
    rows = list(IdempotencyRecord.objects.values())
    assert {r["kind"] for r in rows} == {"form", "last"}
    stored = repr(rows)
    for value in ("Benito", "Mamani", token):
        assert value not in stored


@pytest.mark.django_db
def test_expired_records_are_swept(coordinator_client, org):
    _post(coordinator_client, _person(org), _token())
    assert IdempotencyRecord.objects.count() == 2
    call_command("idempotency_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert IdempotencyRecord.objects.count() == 2  # nothing expired yet
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("idempotency_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not IdempotencyRecord.objects.exists()


def _concurrent_writers() -> bool:
    """In-memory SQLite (the default test database) shares one cache between connections
    and refuses a second writer at once instead of waiting; a file database (production's
    embedded setup, with a busy timeout) and PostgreSQL (CI, ``.ci/run``) make it wait."""
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["person", "cohort"])
def test_two_copies_at_the_same_moment_write_once(name):
    """Two threads, two database connections, one token: the second copy waits for the
    first (unique row, write lock) and answers with its result."""
    if not _concurrent_writers():
        pytest.skip("needs a database with concurrent writers: run with DATABASE_URL (CI does)")
    org = make_org(name="Manuela Ramos")
    user = make_user(role="coordinator", organization=org)
    form = FORMS[name](org)
    token = _token()
    clients = [Client(), Client()]
    for c in clients:
        login_verified(c, user)
    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def send(i: int) -> None:
        try:
            start.wait()
            answers[i] = _post(clients[i], form, token)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert (Person if name == "person" else Cohort).objects.count() == 1


@pytest.mark.django_db
def test_the_same_upload_sent_twice_makes_one_import(coordinator_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cascada.imports.models import ImportJob
    from tests.imports.factories import csv_bytes

    rows = [["nombres", "apellidos", "sexo"], ["Ficticio", "Uno", "M"]]
    token = _token()
    answers = [
        coordinator_client.post(
            reverse("web:import_start"),
            {
                "kind": "people",
                "organization": org.pk,
                "file": SimpleUploadedFile("gente.csv", csv_bytes(rows), "text/csv"),
                "form_token": token,
            },
        )
        for _ in range(2)
    ]
    assert ImportJob.objects.count() == 1
    assert answers[0]["Location"] == answers[1]["Location"]
