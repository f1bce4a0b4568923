"""S21: the API fuzzed from its own OpenAPI schema (schemathesis), as a low-privilege user.

Two organizations are built through the services (``tests/security/world.py``). A
facilitator of the first signs in with a TOTP code at ``POST /api/auth/token/``; every
operation of ``/api/schema/`` is then called in-process through the WSGI app (no network)
with requests schemathesis makes from the schema:

- its coverage cases (limits, wrong types, missing and extra fields, other methods on the
  path), at most ``MAX_COVERAGE`` per operation, evenly picked from its deterministic list;
- ``MAX_EXAMPLES`` generated valid and as many invalid requests (hypothesis, derandomized),
  the ``{id}`` in the path generated, or the facilitator's own object, or the other
  organization's.

Every response must pass ``not_a_server_error`` (no 5xx), ``status_code_conformance`` (the
status is documented), ``content_type_conformance`` (so is its content type) and
``response_schema_conformance`` (the body matches the schema), and must hold none of the
other organization's canaries (S2). Every example runs in a savepoint that is rolled back,
so each starts from the same data (a generated ``DELETE /api/auth/token/`` does not sign
the rest of the run out). The test fails when an operation cannot be loaded or is never
called, and when the schema holds a path this test cannot fill with real objects.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.accounts.factories import PASSWORD
from tests.api.conftest import totp_code
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 10  # per operation and mode (valid, invalid): 20 generated per operation
MAX_COVERAGE = 30  # boundary cases per operation
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Path prefix -> the world's object whose id fills ``{id}``. Longest prefixes first.
REAL_IDS: list[tuple[str, Callable[[World], Any]]] = [
    ("/api/research/studies/", lambda w: w.study),
    ("/api/commitments/initiatives/", lambda w: w.initiative),
    ("/api/commitments/commitments/", lambda w: w.commitment),
    ("/api/cascade/programs/", lambda w: w.program),
    ("/api/measurement/programs/", lambda w: w.program),
    ("/api/measurement/rounds/", lambda w: w.survey_round),
    ("/api/measurement/instruments/", lambda w: w.instrument_version),
    ("/api/cascade/trainers/", lambda w: w.facilitator_person),
    ("/api/curriculum-versions/", lambda w: w.version),
    ("/api/session-plans/", lambda w: w.plan),
    ("/api/organizations/", lambda w: w.org),
    ("/api/certificates/", lambda w: w.certificate),
    ("/api/enrolments/", lambda w: w.enrolment),
    ("/api/curricula/", lambda w: w.curriculum),
    ("/api/programs/", lambda w: w.program),
    ("/api/sessions/", lambda w: w.session),
    ("/api/cohorts/", lambda w: w.cohort),
    ("/api/modules/", lambda w: w.module),
    ("/api/people/", lambda w: w.person),
    ("/api/places/", lambda w: w.place),
]


def _real_id(path: str, world: World) -> int:
    for prefix, obj in REAL_IDS:
        if path.startswith(prefix):
            return int(obj(world).pk)
    raise AssertionError(f"{path}: add its object to REAL_IDS so it is fuzzed with real ids")


@pytest.fixture
def wsgi_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[WSGIHandler]:
    """Django's WSGI handler inside this test's transaction: as Django's test client does,
    the connection is not closed at the start and end of each request. (Disconnecting the
    signals alone is not enough: a test-client request, such as the token sign-in, connects
    them again when it ends; on PostgreSQL the test's connection would then be closed.)"""
    for conn in connections.all(initialized_only=True):
        monkeypatch.setattr(conn, "close_if_unusable_or_obsolete", lambda: None)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _sign_in(world: World) -> str:
    response = APIClient().post(
        "/api/auth/token/",
        {
            "username": world.facilitator.username,
            "password": PASSWORD,
            "otp_code": totp_code(world.facilitator),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _describe(failure: BaseException) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    message = str(getattr(failure, "message", failure)).strip().splitlines()
    where = getattr(failure, "instance_path", None)  # a schema violation: where in the body
    at = f" at /{'/'.join(map(str, where))}" if where else ""
    return f"{title}{at}: {message[0] if message else ''}"[:300]


def _evenly(cases: list[Any], n: int) -> list[Any]:
    if len(cases) <= n:
        return cases
    return [cases[i * len(cases) // n] for i in range(n)]


def test_s21_api_fuzzed_from_its_schema_as_a_facilitator(wsgi_app: WSGIHandler) -> None:
    started = time.monotonic()
    mine, theirs = build_world("FA"), build_world("FB")
    headers = {"Authorization": f"Token {_sign_in(mine)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)

    calls: Counter[str] = Counter()
    statuses: dict[str, Counter[int]] = {}
    failures: Counter[tuple[str, str]] = Counter()

    def run(case: Any) -> None:
        label = case.operation.label
        calls[label] += 1
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                statuses.setdefault(label, Counter())[response.status_code] += 1
                body = response.content.decode("utf-8", "ignore")
                for canary in theirs.canaries:
                    if canary in body:
                        failures[(label, f"S2: the other organization's {canary!r} shown")] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures[(label, _describe(failure))] += 1
            except AssertionError as failure:
                failures[(label, _describe(failure))] += 1
            finally:
                transaction.set_rollback(True)

    labels: list[str] = []
    broken: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # this operation's schema cannot be used
            broken.append(str(result.err())[:300])
            continue
        operation = result.ok()
        labels.append(operation.label)

        coverage = schema.config.generation_for(operation=operation, phase="coverage")
        cases = schema.iter_coverage_cases(
            operation, generation_modes=list(GenerationMode), generation_config=coverage
        )
        for case in _evenly(list(cases), MAX_COVERAGE):
            run(case)

        ids: list[dict[str, int] | None] = [None]
        if "{id}" in operation.path:
            ids += [{"id": _real_id(operation.path, w)} for w in (mine, theirs)]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = st.one_of(
                [operation.as_strategy(generation_mode=mode, path_parameters=p) for p in ids]
            )

            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def fuzz(case: Any) -> None:
                run(case)

            try:
                fuzz()
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label

    elapsed = time.monotonic() - started
    kinds = Counter(desc.split(":")[0].split(" at /")[0] for (_l, desc) in failures.elements())
    print(f"\nS21: {len(labels)} operations, {calls.total()} requests, {elapsed:.0f}s")
    print(f"S21 failing responses by kind: {dict(kinds)}")
    for label in labels:
        print(f"  {label}: {dict(sorted(statuses.get(label, Counter()).items()))}")
    assert not broken, broken
    assert len(labels) > 40
    never_called = [label for label in labels if not calls[label]]
    assert not never_called, f"operations never exercised: {never_called}"
    report = "\n".join(f"{n:4} x {label}: {desc}" for (label, desc), n in sorted(failures.items()))
    assert not failures, f"{failures.total()} failing responses:\n{report}"
