"""``Idempotency-Key`` on every API create (``cascada.api.idempotency``): a retry with the
same key answers with the first answer and writes nothing; the same key with another
request is a 422 in the one error shape; errors keep nothing; the schema says so."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from drf_spectacular.generators import SchemaGenerator

from cascada.audit.models import AuditEvent
from cascada.core.models import IdempotencyRecord
from cascada.curricula.models import Module
from cascada.curricula.services import curriculum_create
from cascada.registry.models import Consent, Person
from cascada.trainings.models import Cohort, Program
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person

from .conftest import error, token_client

pytestmark = pytest.mark.django_db


def _key() -> str:
    return str(uuid.uuid4())


def _person(org: Any) -> dict[str, Any]:
    return {"organization": org.pk, "given_name": "Ficticio", "family_name": "Ejemplo", "age": 30}


def _post(api: Any, url: str, data: Any, key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(url, data, format="json", headers=headers)


CREATES = {
    "person": lambda org: ("/api/people/", _person(org), Person.objects.count),
    "program": lambda org: (
        "/api/programs/",
        {"owner": org.pk, "name": "Entre Pares"},
        Program.objects.count,
    ),
    "cohort": lambda org: (
        "/api/cohorts/",
        {
            "program": Program.objects.create(owner=org, name="Hombres").pk,
            "name": "Piura 2026",
            "kind": "course",
            "start_date": "2026-03-02",
        },
        Cohort.objects.count,
    ),
    "module": lambda org: (
        "/api/curriculum-versions/"
        f"{curriculum_create(actor=None, organization=org, title='H').versions.get().pk}/modules/",
        {"title": "Violencia"},
        Module.objects.count,
    ),
    "consent": lambda org: (
        f"/api/people/{make_person(organization=org).pk}/consents/",
        {"purpose": "participation", "granted": True, "text_version": "v1"},
        Consent.objects.count,
    ),
}


@pytest.mark.parametrize("name", list(CREATES))
def test_a_retry_with_the_same_key_answers_the_first_answer_and_writes_nothing(name, api, org):
    url, data, count = CREATES[name](org)
    key = _key()
    first = _post(api, url, data, key)
    assert first.status_code == 201, first.json()
    written, audited = count(), AuditEvent.objects.count()

    again = _post(api, url, data, key)

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert count() == written and AuditEvent.objects.count() == audited


def test_without_a_key_each_request_is_its_own(api, org):
    _post(api, "/api/people/", _person(org), None)
    _post(api, "/api/people/", _person(org), None)
    assert Person.objects.count() == 2


def test_the_same_key_with_another_body_is_refused_in_the_error_shape(api, org):
    key = _key()
    _post(api, "/api/people/", _person(org), key)
    other = _post(api, "/api/people/", {**_person(org), "given_name": "Otro"}, key)
    assert other.status_code == 422
    assert error(other)["code"] == "idempotency_key_reused"
    assert Person.objects.count() == 1
    elsewhere = _post(api, "/api/programs/", {"owner": org.pk, "name": "Entre Pares"}, key)
    assert elsewhere.status_code == 422 and not Program.objects.exists()


def test_an_error_keeps_nothing_and_the_corrected_request_may_use_the_key(api, org, other_org):
    key = _key()
    bad = _post(api, "/api/programs/", {"owner": other_org.pk, "name": "X"}, key)
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = _post(api, "/api/programs/", {"owner": org.pk, "name": "X"}, key)
    assert good.status_code == 201 and Program.objects.count() == 1


def test_keys_are_per_user(org):
    key = _key()
    for _ in range(2):
        client = token_client(make_user(role="coordinator", organization=org))
        assert _post(client, "/api/programs/", {"owner": org.pk, "name": "X"}, key).status_code
    assert Program.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "con espacio", "ñandú"])
def test_a_malformed_key_is_a_400_on_the_header(api, org, key):
    response = api.post(
        "/api/programs/",
        {"owner": org.pk, "name": "X"},
        format="json",
        headers={"Idempotency-Key": key.encode().decode("latin-1")},
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in error(response)["fields"]
    assert not Program.objects.exists()


def test_searching_by_post_is_not_a_create(api, org):
    make_person(organization=org, given_name="Aurelio", family_name="Quispe")
    key = _key()
    for _ in range(2):
        response = _post(api, "/api/people/search/", {"text": "Aurelio Quispe"}, key)
        assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert not IdempotencyRecord.objects.exists()


def test_the_kept_answer_is_encrypted(api, org):
    """S13: the answer may hold names; a raw SELECT returns ciphertext."""
    _post(api, "/api/people/", _person(org), _key())
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table}")  # noqa: S608
        ((raw,),) = cursor.fetchall()
    assert raw.startswith("enc1:") and "Ficticio" not in raw
    assert "Ficticio" in IdempotencyRecord.objects.get().body  # the application reads it


def test_the_schema_documents_the_header_and_the_422():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    posts = {path: item["post"] for path, item in schema["paths"].items() if "post" in item}
    for path, operation in posts.items():
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if path in ("/api/people/search/", "/api/auth/token/"):
            assert "Idempotency-Key" not in names, path
            continue
        assert "Idempotency-Key" in names, path
        assert "422" in operation["responses"], path


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_the_same_moment_write_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database with concurrent writers: run with DATABASE_URL (CI does)")
    org = make_org(name="Manuela Ramos")
    user = make_user(role="coordinator", organization=org)
    key = _key()
    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def send(i: int) -> None:
        try:
            client = token_client(user)
            start.wait()
            answers[i] = _post(client, "/api/people/", _person(org), key)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Person.objects.count() == 1
