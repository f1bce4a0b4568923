"""What the services of several apps share when they write: the actor as a user (or the
operator), the permission check for a service that may also run without an actor, and a
bounded piece of text with its message in the user's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError, PermissionDeniedError


def actor_user(actor: Any) -> Any:
    """The user behind a write, or None for the operator (CLI, demo)."""
    return actor if getattr(actor, "pk", None) else None


def allow(actor: Any, allowed: bool) -> None:
    """Refuse a user who may not; ``actor`` None is the operator (CLI, demo)."""
    if actor is not None and not allowed:
        raise PermissionDeniedError()


def bounded_text(value: Any, limit: int, *, field: str, label: Any, required: bool = False) -> str:
    """``value`` stripped, refused when required and empty or longer than ``limit``."""
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
