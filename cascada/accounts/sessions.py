"""What signing in and out does to a web session (S8): the one place for these rules.

``second_factor_passed``: the session is marked verified, then gets a new key and CSRF
token, since it now carries more rights (an id seen before the second factor must not).
``signed_out``: signing out of the web ends the user's API tokens too, so one sign-out
ends every way in (the session itself is flushed by Django's logout).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django_otp import login as otp_login

from .tokens import api_tokens_revoke


def second_factor_passed(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def signed_out(user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        api_tokens_revoke(user=user)
