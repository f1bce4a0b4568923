"""API tokens: issued at sign-in, ended by idleness or sign-out (S8). The one place for
their lifetime.

- Every sign-in issues a new token and deletes the user's previous one (``api_token_issue``).
- A token ends after ``SESSION_COOKIE_AGE`` (60 minutes) without use, the idle time of a
  web session. Use renews it, but its last use is written at most once every
  ``CASCADA_SESSION_RENEW_SECONDS`` (60 s), as ``core.middleware.SessionIdleMiddleware``
  does for sessions: the limit holds to within a minute and most requests cost no write
  (``api_token_alive``).
- Signing out, by the API or on the web, deletes the user's tokens (``api_tokens_revoke``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import ApiTokenUse, User


def api_token_idle_limit() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _last_used(token: Token) -> dt.datetime:
    try:
        return token.use.last_used
    except ApiTokenUse.DoesNotExist:
        return token.created  # a token issued elsewhere: its age counts from creation


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """A new token for ``user``; any token they held before stops working."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    ApiTokenUse.objects.create(token=token, last_used=token.created)
    return token


def api_token_alive(token: Token) -> bool:
    """Whether ``token`` may still be used; renews it if so, deletes it if not."""
    now = timezone.now()
    last_used = _last_used(token)
    if now - last_used >= api_token_idle_limit():
        token.delete()
        return False
    if now - last_used >= dt.timedelta(seconds=settings.CASCADA_SESSION_RENEW_SECONDS):
        ApiTokenUse.objects.update_or_create(token=token, defaults={"last_used": now})
    return True


def api_tokens_revoke(*, user: User) -> int:
    """Delete every API token of ``user`` (sign-out); returns how many there were."""
    _total, per_model = Token.objects.filter(user=user).delete()
    return per_model.get(Token._meta.label, 0)
