"""S6/S8: passing the second factor gives the session a new key (issue 6). The session
gains rights at that moment, so a key seen before (on a shared computer, in a proxy log,
planted by an attacker) must not carry them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import PASSWORD, make_user, totp_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in_with_password(client: Client, user) -> str:
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client.session.session_key


def _old_key_is_dead(key: str) -> None:
    assert not Session.objects.filter(session_key=key).exists()
    stranger = Client()
    stranger.cookies[settings.SESSION_COOKIE_NAME] = key
    response = stranger.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_s8_verify_step_rotates_the_session_key(client, org):
    user = make_user(role="facilitator", organization=org)
    device = totp_device(user)
    before = _sign_in_with_password(client, user)
    csrf_before = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("web:two_factor_verify"), {"token": _code(device)})
    assert response.status_code == 302
    after = client.session.session_key
    assert after != before
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != csrf_before  # new CSRF secret too
    # The new key is signed in and verified; the old one reaches nothing.
    assert client.get(reverse("web:home")).status_code == 200
    _old_key_is_dead(before)


def test_s8_enrolment_rotates_the_session_key(client, org):
    user = make_user(role="coordinator", organization=org)
    before = _sign_in_with_password(client, user)
    assert client.get(reverse("web:two_factor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("web:two_factor_setup"), {"token": _code(device)})
    assert response.status_code == 302
    after = client.session.session_key
    assert after != before
    assert client.get(reverse("web:home")).status_code == 200
    _old_key_is_dead(before)


def test_s8_wrong_code_keeps_the_session_unverified(client, org):
    user = make_user(role="facilitator", organization=org)
    totp_device(user)
    _sign_in_with_password(client, user)
    assert client.post(reverse("web:two_factor_verify"), {"token": "000000"}).status_code == 400
    assert client.get(reverse("web:home"))["Location"] == reverse("web:two_factor_verify")
