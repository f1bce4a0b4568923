"""S7 on every path that sets a password (issue 6): the rules (12 characters, not a
common password) are checked by ``User.save`` whenever a new password is being saved, so
services, ``create_user``, ``createsuperuser`` (interactive and ``--noinput``),
``changepassword`` and a plain ``set_password`` all refuse "1"."""

from __future__ import annotations

import builtins
import getpass
import io

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from cascada.accounts.models import User
from cascada.accounts.services import user_create
from tests.accounts.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

STRONG = "tres-llamas-en-puno-2026"
WEAK = ("1", "a9x!Qm2#zL7", "password1234")  # too short, 11 characters, common


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _answers(monkeypatch, *, passwords, inputs=()):
    passwords_left, inputs_left = list(passwords), list(inputs)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": passwords_left.pop(0))
    monkeypatch.setattr(builtins, "input", lambda prompt="": inputs_left.pop(0))


# ---------------------------------------------------------------- createsuperuser


@pytest.mark.parametrize("weak", WEAK)
def test_s7_createsuperuser_noinput_refuses_a_weak_password(monkeypatch, weak):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", weak)
    with pytest.raises(CommandError):
        call_command(
            "createsuperuser",
            "--noinput",
            username="raiz",
            email="raiz@example.org",
            stdout=io.StringIO(),
        )
    assert not User.objects.filter(username="raiz").exists()


def test_s7_createsuperuser_noinput_accepts_a_good_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command(
        "createsuperuser",
        "--noinput",
        username="raiz",
        email="raiz@example.org",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="raiz")
    assert user.is_superuser and user.check_password(STRONG)


def test_s7_createsuperuser_noinput_without_password_gets_an_unusable_one(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    call_command(
        "createsuperuser",
        "--noinput",
        username="raiz",
        email="raiz@example.org",
        stdout=io.StringIO(),
    )
    assert not User.objects.get(username="raiz").has_usable_password()


def test_s7_createsuperuser_interactive_refuses_a_weak_password_even_if_bypassed(monkeypatch):
    # Django offers "Bypass password validation and create user anyway? [y/N]": answer y.
    _answers(monkeypatch, passwords=["1", "1"], inputs=["y"])
    with pytest.raises(CommandError):
        call_command(
            "createsuperuser",
            interactive=True,
            username="raiz",
            email="raiz@example.org",
            stdin=_TTY(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not User.objects.filter(username="raiz").exists()


def test_s7_createsuperuser_interactive_accepts_a_good_password(monkeypatch):
    _answers(monkeypatch, passwords=[STRONG, STRONG])
    call_command(
        "createsuperuser",
        interactive=True,
        username="raiz",
        email="raiz@example.org",
        stdin=_TTY(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert User.objects.get(username="raiz").check_password(STRONG)


# ---------------------------------------------------------------- changepassword


def test_s7_changepassword_refuses_a_weak_password(monkeypatch):
    user = make_user(username="cambio")
    _answers(monkeypatch, passwords=["1"] * 6)
    with pytest.raises(CommandError):
        call_command("changepassword", "cambio", stdout=io.StringIO(), stderr=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_s7_changepassword_is_refused_by_the_model_without_the_commands_own_check(monkeypatch):
    """Django's command checks the rules itself; ``User.save`` refuses the password even
    if that check is missing (an older or patched command, any other script)."""
    import django.contrib.auth.management.commands.changepassword as command

    monkeypatch.setattr(command, "validate_password", lambda password, user=None: None)
    user = make_user(username="cambio")
    _answers(monkeypatch, passwords=["1", "1"])
    with pytest.raises(ValidationError):
        call_command("changepassword", "cambio", stdout=io.StringIO(), stderr=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_s7_changepassword_accepts_a_good_password(monkeypatch):
    user = make_user(username="cambio")
    _answers(monkeypatch, passwords=[STRONG, STRONG])
    call_command("changepassword", "cambio", stdout=io.StringIO(), stderr=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(STRONG)


# ---------------------------------------------------------------- services and the model


@pytest.mark.parametrize("weak", WEAK)
def test_s7_user_create_refuses_a_weak_password(weak):
    with pytest.raises(ValidationError):
        user_create(actor=None, username="debil", password=weak)
    assert not User.objects.filter(username="debil").exists()


@pytest.mark.parametrize("weak", WEAK)
def test_s7_create_user_and_create_superuser_refuse_a_weak_password(weak):
    with pytest.raises(ValidationError):
        User.objects.create_user("debil", password=weak)
    with pytest.raises(ValidationError):
        User.objects.create_superuser("debil2", password=weak)
    assert not User.objects.filter(username__startswith="debil").exists()
    # No password at all stays possible: it is unusable, nothing can sign in with it.
    assert not User.objects.create_user("sin-clave").has_usable_password()


def test_s7_set_password_then_save_refuses_a_weak_password():
    user = make_user(username="cambio")
    user.set_password("1")
    with pytest.raises(ValidationError):
        user.save()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    user.set_password(STRONG)
    user.save()
    assert User.objects.get(pk=user.pk).check_password(STRONG)


def test_s7_password_similar_to_the_username_is_refused():
    with pytest.raises(ValidationError):
        user_create(actor=None, username="margarita.quispe", password="margarita.quispe1")


def test_s7_rehashing_an_old_weak_password_at_sign_in_is_not_a_new_password():
    """A password set before the rules still signs in when Django upgrades its hash:
    the upgrade must not fail on the rules (the user could never sign in again)."""
    user = make_user(username="antiguo")
    User.objects.filter(pk=user.pk).update(password=make_password("1"))  # MD5 in tests
    user.refresh_from_db()
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
    ):
        assert user.check_password("1")
        user.refresh_from_db()
        assert user.password.startswith("pbkdf2_sha256$")
