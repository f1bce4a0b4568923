"""Accounts and sessions: S4 to S8, through the real login pages and services."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts.models import Membership
from cascada.accounts.services import membership_grant, user_create
from cascada.audit.models import AuditEvent
from cascada.core.errors import PermissionDeniedError
from tests.accounts.factories import PASSWORD, login_verified, make_user, totp_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


# ---------------------------------------------------------------- S4


def test_s4_no_self_promotion(org):
    admin = make_user(role="administrator", organization=org)
    with pytest.raises(PermissionDeniedError):
        membership_grant(actor=admin, user=admin, organization=org, role="auditor")
    assert not Membership.objects.filter(user=admin, role="auditor").exists()


def test_s4_cannot_grant_more_than_own_rights(org):
    admin = make_user(role="administrator", organization=org)
    other = make_user()
    # Administrators lack VIEW_AUDIT, so they cannot hand out the auditor role.
    with pytest.raises(PermissionDeniedError):
        membership_grant(actor=admin, user=other, organization=org, role="auditor")
    # A coordinator does not manage members at all.
    coordinator = make_user(role="coordinator", organization=org)
    with pytest.raises(PermissionDeniedError):
        membership_grant(actor=coordinator, user=other, organization=org, role="viewer")
    assert not Membership.objects.filter(user=other).exists()


def test_s4_cannot_grant_in_another_organization(org, other_org):
    admin = make_user(role="administrator", organization=org)
    other = make_user()
    with pytest.raises(PermissionDeniedError):
        membership_grant(actor=admin, user=other, organization=other_org, role="viewer")
    membership_grant(actor=admin, user=other, organization=org, role="coordinator")
    assert AuditEvent.objects.filter(action="role_grant", target_id=str(other.pk)).count() == 1


# ---------------------------------------------------------------- S5


def test_s5_lockout_after_five_failures(client, org):
    user = make_user(role="viewer", organization=org, username="ana")
    for _i in range(5):
        response = client.post(LOGIN, {"username": "ana", "password": "wrong-password-123"})
        assert response.status_code in (200, 429)
    # Locked now: even the right password is refused for this username and address.
    response = client.post(LOGIN, {"username": "ana", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b'data-test="locked-out"' in response.content
    assert AuditEvent.objects.filter(action="login_failed").count() >= 5
    # Another address is not locked out for the same username.
    other = client_class_for(client)
    response = other.post(
        LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302


def client_class_for(client):
    return type(client)()


def test_s5_four_failures_do_not_lock(client, org):
    make_user(role="viewer", organization=org, username="beto")
    for _i in range(4):
        client.post(LOGIN, {"username": "beto", "password": "wrong-password-123"})
    response = client.post(LOGIN, {"username": "beto", "password": PASSWORD})
    assert response.status_code == 302


def test_s5_lockout_lasts_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_s5_failed_login_writes_one_audit_row(client, org):
    make_user(role="viewer", organization=org, username="carla")
    before = AuditEvent.objects.count()
    client.post(LOGIN, {"username": "carla", "password": "not-the-password-9"})
    rows = AuditEvent.objects.filter(action="login_failed")
    assert rows.count() == 1
    assert AuditEvent.objects.count() == before + 1
    row = rows.get()
    assert row.detail == {"username": "carla"}
    assert row.address == "127.0.0.1"
    assert "not-the-password-9" not in str(row.detail)


# ---------------------------------------------------------------- S6


def _login(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def test_s6_two_factor_required_for_coordinator(client, org):
    user = make_user(role="coordinator", organization=org)
    _login(client, user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:two_factor_setup")
    # The audit page sits under /accounts/ too and is not exempt.
    response = client.get(reverse("web:audit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:two_factor_setup"))


def test_s6_viewer_needs_no_second_factor(client, org):
    user = make_user(role="viewer", organization=org)
    _login(client, user)
    assert client.get(reverse("web:home")).status_code == 200


def test_s6_setup_shows_inline_qr_and_confirms_with_code(client, org):
    user = make_user(role="coordinator", organization=org)
    _login(client, user)
    response = client.get(reverse("web:two_factor_setup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and 'data-test="two-factor-secret"' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # Reloading keeps the same secret so the scanned code stays valid.
    client.get(reverse("web:two_factor_setup"))
    assert TOTPDevice.objects.get(user=user, confirmed=False).pk == device.pk
    bad = client.post(reverse("web:two_factor_setup"), {"token": "000000"})
    assert bad.status_code == 400
    assert client.get(reverse("web:home")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code
    response = client.post(reverse("web:two_factor_setup"), {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("web:home")).status_code == 200


def test_s6_verify_with_enrolled_device(client, org):
    user = make_user(role="facilitator", organization=org)
    device = totp_device(user)
    _login(client, user)
    response = client.get(reverse("web:home"))
    assert response["Location"] == reverse("web:two_factor_verify")
    # With an enrolled device, a password alone cannot enrol another one.
    assert client.get(reverse("web:two_factor_setup"))["Location"] == reverse(
        "web:two_factor_verify"
    )
    assert client.post(reverse("web:two_factor_verify"), {"token": "123456"}).status_code == 400
    assert AuditEvent.objects.filter(action="two_factor_failed", actor=user).count() == 1
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("web:two_factor_verify"), {"token": _code(device)})
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200


def test_s6_api_answers_403_without_second_factor(client, org):
    user = make_user(role="coordinator", organization=org)
    _login(client, user)
    response = client.get("/api/people/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"


def test_s6_two_factor_roles_cover_every_role_but_viewer():
    from cascada.accounts.roles import TWO_FACTOR_ROLES, Role

    assert set(Role.values) - set(TWO_FACTOR_ROLES) == {Role.VIEWER}


# ---------------------------------------------------------------- S7


def test_s7_password_validators():
    with pytest.raises(ValidationError):
        validate_password("a9x!Qm2#zL7")  # 11 characters
    with pytest.raises(ValidationError):
        validate_password("password1234")  # long enough, but common
    validate_password("tres-llamas-en-puno")
    with pytest.raises(ValidationError):
        user_create(actor=None, username="corto", password="Corta-9x!aa")


# ---------------------------------------------------------------- S8


def _session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_s8_idle_sixty_minutes_ends_the_session(client, org):
    assert settings.SESSION_COOKIE_AGE == 60 * 60
    user = make_user(role="coordinator", organization=org)
    login_verified(client, user)
    assert client.get(reverse("web:home")).status_code == 200
    row = _session_row(client)
    assert row.expire_date <= timezone.now() + dt.timedelta(minutes=60, seconds=5)
    row.expire_date = timezone.now() - dt.timedelta(seconds=1)  # 60 idle minutes later
    row.save()
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_s8_activity_renews_the_hour(client, org):
    user = make_user(role="coordinator", organization=org)
    login_verified(client, user)
    client.get(reverse("web:home"))
    # Fifty minutes pass; the last renewal was more than a minute ago.
    session = client.session
    session["_seen"] = int(time.time()) - 50 * 60
    session.save()
    row = _session_row(client)
    row.expire_date = timezone.now() + dt.timedelta(minutes=10)
    row.save()
    assert client.get(reverse("web:home")).status_code == 200
    renewed = _session_row(client).expire_date
    assert renewed > timezone.now() + dt.timedelta(minutes=59)


def test_s8_session_key_rotates_at_login(client, org):
    user = make_user(role="viewer", organization=org)
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    _login(client, user)
    assert client.session.session_key != before


def test_s8_logout_ends_session(client, org):
    user = make_user(role="coordinator", organization=org)
    login_verified(client, user)
    assert client.get(reverse("web:home")).status_code == 200
    key = client.session.session_key
    assert client.get(reverse("web:logout")).status_code == 405  # POST only
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
