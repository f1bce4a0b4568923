"""API tokens that expire. A token is handed out only after password and TOTP (S6); it
lives ``CASCADA_API_TOKEN_HOURS`` hours (12 by default) from sign-in, after which the
client signs in again, as a web session would have to (S8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "CASCADA_API_TOKEN_HOURS", 12)))


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - token_lifetime()


def token_for(user: Any) -> Token:
    """The user's current token, replaced by a new one when it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; sign in again."))
        return user, token
