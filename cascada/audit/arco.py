"""The audit trail and a person's rights (S14, ARCO; docs/decisions/arco.md).

The audit app sits below the registry, so it hears no registry hook: ``registry/arco.py``
calls these functions directly.

- Access: ``audit_events_about`` lists what was done to a person's records (when, what,
  from where), without the staff's user names (other people's data).
- Erasure: audit rows are kept (accountability: who erased whom, and why, is itself an
  audit row) and they never held names or ID numbers (``services._clean_detail``). What
  could still link a row to the erased person is an old pseudonymous code in ``detail``
  (a merge names the duplicate's code, a removal the removed code): ``audit_codes_replace``
  swaps those for the stub's fresh code, so nothing in the trail points to the old one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q

from .models import AuditEvent


def audit_events_about(*, targets: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Events about the given ``(target_type, target_id)`` records, oldest first, as data
    for the person's copy: date, action, kind of record and source. No actor names."""
    by_type: dict[str, set[str]] = {}
    for target_type, target_id in targets:
        by_type.setdefault(target_type, set()).add(str(target_id))
    rows: list[dict[str, Any]] = []
    for target_type, ids in sorted(by_type.items()):
        events = AuditEvent.objects.filter(target_type=target_type, target_id__in=ids).order_by(
            "at", "id"
        )
        rows.extend(
            {"at": e.at.isoformat(), "action": e.action, "record": target_type, "source": e.source}
            for e in events
        )
    rows.sort(key=lambda r: r["at"])
    return rows


def _swap(value: Any, codes: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in codes.items():
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_swap(v, codes) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, codes) for k, v in value.items()}
    return value


def audit_codes_replace(*, codes: Mapping[str, str]) -> int:
    """Replace each old code (key) by its new one (value) wherever it appears in an audit
    row's ``detail``; the number of rows changed. Codes are random and 8 or more characters
    long, so a text match finds only them. One scan of the ``detail`` column for all the
    codes: erasure is rare, and the trail is append-only otherwise."""
    wanted = [old for old in codes if old]
    if not wanted:
        return 0
    match = Q()
    for old in wanted:
        match |= Q(detail__icontains=old)
    changed = 0
    for event in AuditEvent.objects.filter(match).only("pk", "detail"):
        detail = _swap(event.detail, codes)
        if detail != event.detail:
            AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
            changed += 1
    return changed
