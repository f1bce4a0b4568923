"""Sign-in events reach us as Django's auth signals; we only record them in the audit
trail (S10). Connected by ``AccountsConfig.ready()``: audit sits below accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import signals
from django.dispatch import receiver

from cascada.audit.services import audit_record
from cascada.core import context
from cascada.core.middleware import client_address

from .signin import failed_login_account, unknown_name_marker


@receiver(signals.user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with context.acting(context.current().source, client_address(request) if request else ""):
        audit_record(actor=user, action="login", target=user)


@receiver(signals.user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="logout", target=user)


@receiver(signals.user_login_failed)
def _login_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    """The row names the account tried, or an ``unknown:`` marker; never the typed text,
    which may be a password (``cascada.accounts.signin``)."""
    typed = (credentials or {}).get("username")
    account = failed_login_account(typed)
    with context.acting(context.current().source, client_address(request) if request else ""):
        if account is not None:
            audit_record(
                actor=None,
                action="login_failed",
                target=account,
                detail={"username": account.get_username()[:40]},
            )
        else:
            audit_record(
                actor=None,
                action="login_failed",
                target_type="accounts.user",
                detail={"username": unknown_name_marker(typed if isinstance(typed, str) else "")},
            )
