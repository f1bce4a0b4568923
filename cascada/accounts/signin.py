"""What a failed sign-in may record about the name that was typed (S10, S11).

People type their password into the username box. So a failed attempt never keeps the
typed text: if it is the username of an account, the attempt is about that account and
records its username; otherwise it records ``unknown:`` and a short keyed hash of the
text (``core.crypto.keyed_hash``, HMAC with a key outside the database): attempts on the
same unknown name can still be grouped (and locked out, S5), but the text cannot be read
back. A colon is not allowed in usernames, so the marker never looks like an account.

The failed-login audit row (``accounts.receivers``) and django-axes' attempt records
(``AXES_USERNAME_CALLABLE``) both use ``failed_login_name``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from cascada.core.crypto import keyed_hash

from .models import User

UNKNOWN_PREFIX = "unknown:"
_HASH_CHARS = 12  # short: enough to group attempts, too few to confirm a guessed password


def failed_login_account(typed: Any) -> User | None:
    """The account whose username is exactly ``typed``, as Django's sign-in matches it."""
    if not isinstance(typed, str) or not typed:
        return None
    return User.objects.filter(username=typed).first()


def unknown_name_marker(typed: str) -> str:
    return UNKNOWN_PREFIX + keyed_hash("failed-login:" + typed)[:_HASH_CHARS]


def failed_login_name(typed: Any) -> str:
    """The account's username, or the ``unknown:`` marker; never the typed text."""
    user = failed_login_account(typed)
    if user is not None:
        return user.get_username()
    return unknown_name_marker(typed if isinstance(typed, str) else "")


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the name axes stores and counts failures under."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        typed = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", None) or {}
        typed = data.get(field)
    return failed_login_name(typed)
