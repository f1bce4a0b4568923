"""Token sign-in (S5, S6, S10): roles that need two-factor get a token only with a valid
TOTP code; failures go through Django's authenticate, so lockout and audit apply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from cascada.accounts.models import ApiTokenUse
from cascada.api.authentication import ExpiringTokenAuthentication
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
    # Signing out deletes the token (not only refuses it) and is audited like a web logout.
    assert not Token.objects.filter(key=token).exists()
    assert AuditEvent.objects.filter(action="logout", actor=coordinator, source="api").exists()


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
    from tests.api.conftest import token_client

    client = token_client(coordinator)
    assert client.get("/api/organizations/").status_code == 200
    old = Token.objects.get(user=coordinator)
    # A token without a recorded use counts its idle time from its creation.
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(minutes=61))
    refused = client.get("/api/organizations/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    fresh = _sign_in(coordinator)
    assert fresh != old.key


# ------------------------------------------------- token lifetime (issue 6)


def _sign_in(user):
    # django-otp refuses a code twice in one 30-second step; tests sign in more often.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    response = _post(
        APIClient(), username=user.username, password=PASSWORD, otp_code=totp_code(user)
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _idle_for(token, delta):
    ApiTokenUse.objects.filter(token_id=token).update(last_used=timezone.now() - delta)


def test_every_sign_in_issues_a_new_token_and_ends_the_previous_one(coordinator):
    first = _sign_in(coordinator)
    assert _client(first).get("/api/organizations/").status_code == 200
    second = _sign_in(coordinator)
    assert second != first
    assert _client(first).get("/api/organizations/").status_code == 401
    assert _client(second).get("/api/organizations/").status_code == 200
    assert list(Token.objects.filter(user=coordinator).values_list("key", flat=True)) == [second]


def test_token_ends_after_the_idle_time_of_a_web_session(coordinator):
    assert settings.SESSION_COOKIE_AGE == 60 * 60
    token = _sign_in(coordinator)
    _idle_for(token, dt.timedelta(minutes=59))
    assert _client(token).get("/api/organizations/").status_code == 200
    _idle_for(token, dt.timedelta(minutes=60, seconds=1))
    refused = _client(token).get("/api/organizations/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert not Token.objects.filter(key=token).exists()  # an expired token is deleted


@override_settings(SESSION_COOKIE_AGE=5 * 60)
def test_token_idle_time_is_the_session_cookie_age_setting(coordinator):
    """One rule for both: shortening the session's idle time shortens the token's."""
    token = _sign_in(coordinator)
    _idle_for(token, dt.timedelta(minutes=4))
    assert _client(token).get("/api/organizations/").status_code == 200
    _idle_for(token, dt.timedelta(minutes=5, seconds=1))
    assert _client(token).get("/api/organizations/").status_code == 401


def test_use_renews_the_token_but_writes_at_most_once_a_minute(coordinator):
    token = _sign_in(coordinator)
    client = _client(token)
    # Used 30 seconds ago: this use writes nothing.
    _idle_for(token, dt.timedelta(seconds=30))
    recent = ApiTokenUse.objects.get(token_id=token).last_used
    assert client.get("/api/organizations/").status_code == 200
    assert ApiTokenUse.objects.get(token_id=token).last_used == recent
    # Used 50 minutes ago: this use renews it, so the hour counts from now.
    _idle_for(token, dt.timedelta(minutes=50))
    assert client.get("/api/organizations/").status_code == 200
    renewed = ApiTokenUse.objects.get(token_id=token).last_used
    assert renewed >= timezone.now() - dt.timedelta(seconds=5)


def test_web_sign_out_ends_the_api_token(client, coordinator):
    from tests.accounts.factories import login_verified

    token = _sign_in(coordinator)
    login_verified(client, coordinator)
    assert client.post(reverse("web:logout")).status_code == 302
    assert not Token.objects.filter(user=coordinator).exists()
    assert _client(token).get("/api/organizations/").status_code == 401


def _drf_views():
    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                cls = getattr(pattern.callback, "cls", None)
                if isinstance(cls, type) and issubclass(cls, APIView):
                    yield str(pattern.pattern), cls

    return list(walk(get_resolver().url_patterns))


def test_every_api_view_applies_the_token_idle_rule():
    """No API route may accept a token with DRF's plain, never-expiring TokenAuthentication."""
    views = _drf_views()
    assert len(views) > 10
    for route, cls in views:
        for auth in cls().get_authenticators():
            if isinstance(auth, TokenAuthentication):
                assert isinstance(auth, ExpiringTokenAuthentication), (route, cls, auth)


def test_expired_token_is_refused_on_a_view_with_default_authentication(coordinator):
    token = _sign_in(coordinator)
    _idle_for(token, dt.timedelta(hours=2))
    assert _client(token).get("/api/schema/").status_code == 401
