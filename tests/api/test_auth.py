"""Token sign-in (S5, S6, S10): roles that need two-factor get a token only with a valid
TOTP code; failures go through Django's authenticate, so lockout and audit apply."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cascada.audit.models import AuditEvent
from tests.accounts.factories import PASSWORD, make_user
from tests.api.conftest import error, totp_code

pytestmark = pytest.mark.django_db

URL = "/api/auth/token/"


def _post(client, **data):
    return client.post(URL, data, format="json")


def test_coordinator_without_code_gets_no_token(coordinator):
    response = _post(APIClient(), username=coordinator.username, password=PASSWORD)
    assert response.status_code == 400
    assert error(response)["code"] == "two_factor_required"
    assert "otp_code" in error(response)["fields"]
    assert "token" not in response.json()


def test_coordinator_with_good_code_gets_a_token_that_works(coordinator, world):
    code = totp_code(coordinator)
    response = _post(APIClient(), username=coordinator.username, password=PASSWORD, otp_code=code)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert AuditEvent.objects.filter(action="login", actor=coordinator).exists()

    client = APIClient()
    assert client.get("/api/people/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    people = client.get("/api/people/")
    assert people.status_code == 200
    assert people.json()["count"] == 4


def test_wrong_code_is_refused_and_audited_as_failed_login(coordinator):
    wrong = str((int(totp_code(coordinator)) + 1) % 1_000_000).zfill(6)
    response = _post(APIClient(), username=coordinator.username, password=PASSWORD, otp_code=wrong)
    assert response.status_code == 400
    assert error(response)["fields"]["otp_code"]
    assert AuditEvent.objects.filter(action="login_failed").count() == 1


def test_wrong_password_is_audited_and_locks_out_after_five(coordinator):
    client = APIClient()
    for _ in range(5):
        response = _post(client, username=coordinator.username, password="wrong-password-123")
        assert response.status_code in (400, 429)
    assert AuditEvent.objects.filter(action="login_failed").count() == 5
    # Locked out now: even the right password and code are refused (S5).
    response = _post(
        client, username=coordinator.username, password=PASSWORD, otp_code=totp_code(coordinator)
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_viewer_may_sign_in_without_code(org):
    viewer = make_user(role="viewer", organization=org)
    response = _post(APIClient(), username=viewer.username, password=PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]


def test_token_can_be_revoked(coordinator):
    client = APIClient()
    token = _post(
        client, username=coordinator.username, password=PASSWORD, otp_code=totp_code(coordinator)
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(URL).status_code == 204
    assert client.get("/api/organizations/").status_code == 401


def test_missing_fields_name_the_field():
    response = _post(APIClient(), username="someone")
    assert response.status_code == 400
    assert "password" in error(response)["fields"]


def test_user_without_role_reaches_nothing(world):
    from tests.api.conftest import token_client

    client = token_client(make_user(username="sin-rol-api"))
    for url in ("/api/people/", "/api/places/", "/api/organizations/", "/api/cohorts/"):
        assert client.get(url).status_code == 403, url


def test_expired_token_is_refused_and_sign_in_gives_a_new_one(coordinator):
    import datetime as dt

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tests.api.conftest import token_client

    client = token_client(coordinator)
    assert client.get("/api/organizations/").status_code == 200
    old = Token.objects.get(user=coordinator)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(hours=13))
    refused = client.get("/api/organizations/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    fresh = _post(
        APIClient(),
        username=coordinator.username,
        password=PASSWORD,
        otp_code=totp_code(coordinator),
    ).json()["token"]
    assert fresh != old.key
