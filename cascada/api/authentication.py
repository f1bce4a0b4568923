"""API tokens that expire. A token is handed out only after password and TOTP (S6); it
ends after the idle time of a web session (S8). The rule is ``cascada.accounts.tokens``;
this class only applies it to every token-authenticated request."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from cascada.accounts.tokens import api_token_alive


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if not api_token_alive(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; sign in again."))
        return user, token
