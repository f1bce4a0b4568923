"""What a user may see and do: the one place every selector and service asks.

``org_ids(user, cap)`` is the set of organizations in which the user holds a role with
capability ``cap``. Selectors in every app build their querysets from it, so scoping
(S2) lives here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from cascada.core.errors import PermissionDeniedError

from .roles import CAPABILITIES, COHORT_BOUND_ROLES, TWO_FACTOR_ROLES


def _roles(user: Any) -> dict[int, set[str]]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_cascada_roles", None)
    if cached is None:
        cached = {}
        for org_id, role in user.memberships.values_list("organization_id", "role"):
            cached.setdefault(org_id, set()).add(role)
        user._cascada_roles = cached
    return cached


def forget(user: Any) -> None:
    """Drop the per-request cache after a role change."""
    if hasattr(user, "_cascada_roles"):
        del user._cascada_roles


def member_org_ids(user: Any) -> set[int]:
    """The organizations where the user holds any role (the request's cache, no query)."""
    return set(_roles(user))


def roles(user: Any) -> set[str]:
    return set().union(*_roles(user).values()) if _roles(user) else set()


def org_ids(user: Any, cap: str) -> set[int]:
    return {org for org, rs in _roles(user).items() if any(cap in CAPABILITIES[r] for r in rs)}


def has(user: Any, cap: str, org_id: int | None = None) -> bool:
    ids = org_ids(user, cap)
    return bool(ids) if org_id is None else org_id in ids


def require(user: Any, cap: str, org_id: int | None = None) -> None:
    if not has(user, cap, org_id):
        raise PermissionDeniedError()


def cohort_bound_org_ids(user: Any, cap: str) -> set[int]:
    """Organizations where the user's only roles with ``cap`` are cohort-bound (facilitator)."""
    out = set()
    for org, rs in _roles(user).items():
        granting = {r for r in rs if cap in CAPABILITIES[r]}
        if granting and granting <= COHORT_BOUND_ROLES:
            out.add(org)
    return out


def needs_two_factor(user: Any) -> bool:
    """S6: a role that sees data about people, a superuser, or an assignment outside any
    role that does (a commitment's mentor or focal point: ``hooks.two_factor_needed``)."""
    if roles(user) & TWO_FACTOR_ROLES or getattr(user, "is_superuser", False):
        return True
    from .hooks import TwoFactorAsked, two_factor_needed

    return any(two_factor_needed.ask(TwoFactorAsked(user=user)))
