"""Recording the audit trail (S10). Called by every service that writes or reveals data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cascada.core import context

from .models import AuditEvent

_ALLOWED_DETAIL = (int, float, bool, type(None))


def _clean_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keep ids, counts, flags, short codes and lists of field names; never free text (S11)."""
    out: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if (
            isinstance(value, _ALLOWED_DETAIL)
            or isinstance(value, str)
            and len(value) <= 40
            and key in SAFE_STRING_KEYS
        ):
            out[key] = value
        elif isinstance(value, list | tuple) and key in SAFE_STRING_KEYS:
            out[key] = [str(v)[:40] for v in value][:50]
    return out


# Detail keys whose string values are safe by construction (enums, field names, codes).
SAFE_STRING_KEYS = frozenset(
    {
        "role",
        "fields",
        "basis",  # a referral's: consent or override (safeguarding)
        "step",  # a referral's follow-up step (safeguarding)
        "purpose",
        "status",
        "format",
        "kind",
        "code",
        "reason",
        "username",
        "filter",
        "into",
    }
)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    target_type: str = "",
    target_id: Any = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    event = _event(actor, action, target, target_type, target_id, detail)
    event.save(force_insert=True)
    return event


def audit_record_many(
    *, actor: Any, action: str, targets: Sequence[Any], detail: Mapping[str, Any] | None = None
) -> list[AuditEvent]:
    """One event per target, written together (an import's thousand new people): the
    same rows ``audit_record`` would write one by one."""
    return AuditEvent.objects.bulk_create(
        [_event(actor, action, target, "", "", detail) for target in targets], batch_size=1000
    )


def _event(
    actor: Any,
    action: str,
    target: Any,
    target_type: str,
    target_id: Any,
    detail: Mapping[str, Any] | None,
) -> AuditEvent:
    ctx = context.current()
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=user,
        actor_username=getattr(actor, "username", "") or "",
        source=ctx.source,
        address=ctx.address[:64],
        action=action,
        target_type=target_type,
        target_id=str(target_id or ""),
        detail=_clean_detail(detail),
    )
