"""What every write of commitments shares: the actor check and bounded text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError, PermissionDeniedError


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _allow(actor: Any, allowed: bool) -> None:
    """``actor`` None is the operator (CLI, demo)."""
    if actor is not None and not allowed:
        raise PermissionDeniedError()


def _text(value: Any, limit: int, *, field: str, label: Any, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(
            _("%(field)s is required.") % {"field": label}, extra={"field": field}
        )
    if len(text) > limit:
        raise ApplicationError(
            _("%(field)s is longer than %(max)s characters.") % {"field": label, "max": limit},
            extra={"field": field},
        )
    return text
