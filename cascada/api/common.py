"""Small pieces every API module shares: counts through the suppression function (S17),
resolving ids in a request body through selectors, and the error schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError
from cascada.core.privacy import suppress_value

from .authentication import ExpiringTokenAuthentication
from .permissions import HasRole

COUNT_SCHEMA = {
    "oneOf": [{"type": "integer"}, {"type": "string", "example": "<5"}],
    "description": "A count; shown as '<k' for roles without access to personal data (S17).",
}


def sees_people(user: Any) -> bool:
    return scope.has(user, Cap.VIEW_PEOPLE)


def count(user: Any, n: int | None, *, court: bool = False) -> int | str | None:
    """A count as this user may see it: exact for roles with access to personal data,
    through ``cascada.core.privacy`` for everyone else (S17)."""
    if n is None:
        return None
    if sees_people(user):
        return int(n)
    return suppress_value(int(n), court=court).as_json()


@extend_schema_field(COUNT_SCHEMA)
class CountField(serializers.Field):
    """Read-only count from an annotation, suppressed for roles without VIEW_PEOPLE.
    The court flag comes from ``court_source`` (a callable on the object)."""

    def __init__(self, *, court: Callable[[Any], bool] | None = None, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self._court = court

    def get_attribute(self, instance: Any) -> Any:
        return instance

    def to_representation(self, instance: Any) -> Any:
        assert self.source is not None  # set by bind(), before any to_representation()
        user = self.context["request"].user
        court = bool(self._court(instance)) if self._court else False
        if sees_people(user):
            return count(user, getattr(instance, self.source, None), court=court)
        # S15: aggregates for roles without access to people count only consenters,
        # read from the ``<name>_reportable`` annotation when the selector provides one.
        value = getattr(instance, f"{self.source}_reportable", None)
        if value is None:
            value = getattr(instance, self.source, None)
        return count(user, value, court=court)


def resolve(field: str, getter: Callable[..., Any], **kwargs: Any) -> Any:
    """Look up an id given in a request body through a scoped selector. Unknown and
    foreign ids give the same 400 on that field, so nothing leaks (S2)."""
    try:
        return getter(**kwargs)
    except NotFoundError:
        raise serializers.ValidationError({field: [NotFoundError().message]}) from None


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()), required=False
                ),
                "detail": serializers.DictField(required=False),
            },
        )
    },
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input."),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not yours."),
}


class ApiViewSet(viewsets.GenericViewSet):
    """Base of every resource: signed in (token or session) and holding a role (S1)."""

    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasRole]
