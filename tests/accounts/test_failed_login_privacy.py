"""S10/S11: a failed sign-in never stores the typed username (issue 6). People type their
password into the username box; the audit row and django-axes' attempt record name the
account when the text is one, and otherwise only ``unknown:`` plus a short keyed hash."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from rest_framework.test import APIClient

from cascada.accounts.signin import UNKNOWN_PREFIX, failed_login_name
from cascada.audit.models import AuditEvent
from tests.accounts.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"
CANARY = "Kanario-Clave-Secreta-4471"


def _every_stored_value() -> str:
    """Every row of every table, as text (the audit trail, axes, sessions, tokens...)."""
    rows = []
    for model in apps.get_models():
        rows.extend(repr(row) for row in model._default_manager.values())
    return "\n".join(rows)


def _assert_nowhere(caplog, text: str) -> None:
    stored = _every_stored_value()
    assert text not in stored
    assert text.casefold() not in stored.casefold()
    for record in caplog.records:
        assert text.casefold() not in record.getMessage().casefold(), record.getMessage()
        assert text.casefold() not in repr(record.args).casefold()


def test_s11_password_typed_as_username_is_in_no_row_and_no_log(client, caplog, org):
    make_user(role="viewer", organization=org, username="dora")
    caplog.set_level(logging.DEBUG)
    client.post(LOGIN, {"username": CANARY, "password": "not-the-password-1"})
    APIClient().post(TOKEN, {"username": CANARY, "password": PASSWORD}, format="json")
    APIClient().post(
        TOKEN, {"username": CANARY, "password": PASSWORD, "otp_code": "123456"}, format="json"
    )
    rows = AuditEvent.objects.filter(action="login_failed")
    assert rows.count() == 3
    for row in rows:
        assert row.detail["username"].startswith(UNKNOWN_PREFIX)
        assert row.target_id == ""
        assert row.actor_id is None
    # Axes still counts these attempts (lockout, S5), under the marker.
    assert AccessAttempt.objects.filter(username__startswith=UNKNOWN_PREFIX).exists()
    _assert_nowhere(caplog, CANARY)


def test_s10_failed_login_on_an_existing_account_names_the_account(client, org):
    user = make_user(role="viewer", organization=org, username="elena")
    client.post(LOGIN, {"username": "elena", "password": "not-the-password-1"})
    row = AuditEvent.objects.get(action="login_failed")
    assert row.detail == {"username": "elena"}
    assert (row.target_type, row.target_id) == ("accounts.user", str(user.pk))
    assert AccessAttempt.objects.get().username == "elena"


def test_s10_attempts_on_the_same_unknown_name_can_be_grouped(client):
    for typed in (CANARY, CANARY, "otra-cosa-escrita"):
        client.post(LOGIN, {"username": typed, "password": "not-the-password-1"})
    markers = [row.detail["username"] for row in AuditEvent.objects.filter(action="login_failed")]
    assert len(markers) == 3
    assert len(set(markers)) == 2
    assert markers.count(failed_login_name(CANARY)) == 2
    # Short: enough to group, too little to confirm a guess.
    assert len(failed_login_name(CANARY)) == len(UNKNOWN_PREFIX) + 12


def test_s5_lockout_still_holds_for_an_unknown_name(client):
    for _i in range(5):
        client.post(LOGIN, {"username": CANARY, "password": "not-the-password-1"})
    response = client.post(LOGIN, {"username": CANARY, "password": "not-the-password-1"})
    assert response.status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.username == failed_login_name(CANARY)
    assert attempt.failures_since_start >= 5


def test_s5_lockout_of_an_account_and_its_reset_use_the_account_name(client, org):
    make_user(role="viewer", organization=org, username="flor")
    for _i in range(4):
        client.post(LOGIN, {"username": "flor", "password": "not-the-password-1"})
    assert AccessAttempt.objects.get().failures_since_start == 4
    # A successful sign-in resets the count (AXES_RESET_ON_SUCCESS) under the same name.
    assert client.post(LOGIN, {"username": "flor", "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.exists()
