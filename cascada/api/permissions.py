"""S1 for the API: a signed-in user with no role in any organization reaches nothing.
What each role may do is then decided by the selectors (what it sees) and the services
(what it may change), through capabilities."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from cascada.accounts import scope


class HasRole(BasePermission):
    message = "You have no role in any organization."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and scope.roles(user))
