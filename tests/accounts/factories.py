"""Users and roles, built through the real services."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts.models import User
from cascada.accounts.services import membership_grant, totp_device_create, user_create

PASSWORD = "una-clave-larga-de-prueba-2026"
_counter = {"n": 0}


def make_user(
    *,
    role: str | None = None,
    organization: Any = None,
    person: Any = None,
    username: str | None = None,
) -> User:
    _counter["n"] += 1
    user = user_create(
        actor=None, username=username or f"user{_counter['n']}", password=PASSWORD, person=person
    )
    if role and organization is not None:
        membership_grant(actor=None, user=user, organization=organization, role=role)
    return user


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device_create(
        user=user, confirmed=True
    )


def login_verified(client: Any, user: User) -> None:
    """Sign in through the session and mark the second factor as passed, as a real
    sign-in with a TOTP code would."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
