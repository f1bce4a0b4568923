"""Small pieces every API module shares: counts through the suppression function (S17),
resolving ids in a request body through selectors, and the error schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from cascada.core.errors import NotFoundError
from cascada.trainings.selectors import sees_exact

from .authentication import ExpiringTokenAuthentication
from .idempotency import IdempotentPostMixin
from .permissions import HasRole

COUNT_SCHEMA = {
    # OpenAPI 3.0 has no "null" type: null is `nullable` (the schema must validate).
    "oneOf": [{"type": "integer"}, {"type": "string", "example": "<5"}],
    "nullable": True,
    "description": (
        "A count of people. Exact for roles with access to the people behind it; for other "
        "roles the figure is part of a program's protected release (ADR 0006): '<k' for a "
        "small count, null when withheld or not published for the role (per-cohort and "
        "per-session counts are not: see /api/cascade/programs/{id}/)."
    ),
}


@extend_schema_field(COUNT_SCHEMA)
class CountField(serializers.Field):
    """Read-only count from an annotation: exact where ``trainings.selectors.sees_exact``
    says so for the object's program, null otherwise (per-cohort and per-session counts
    are not in a viewer's release, ADR 0006)."""

    def __init__(self, *, program: Callable[[Any], Any], **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self._program = program

    def get_attribute(self, instance: Any) -> Any:
        return instance

    def to_representation(self, instance: Any) -> Any:
        assert self.source is not None  # set by bind(), before any to_representation()
        user = self.context["request"].user
        program = self._program(instance)
        # One answer per program and response, not a query per row.
        context = cast("dict[str, Any]", self.context)  # a dict at run time
        cache: dict[int, bool] = context.setdefault("_sees_exact", {})
        if program.pk not in cache:
            cache[program.pk] = sees_exact(user=user, program=program)
        if not cache[program.pk]:
            return None
        value = getattr(instance, self.source, None)
        return None if value is None else int(value)


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


class ApiViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    """Base of every resource: signed in (token or session) and holding a role (S1); every
    POST takes an ``Idempotency-Key`` (``cascada.api.idempotency``)."""

    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasRole]


@extend_schema_field(COUNT_SCHEMA)
class CellField(serializers.Field):
    """A count already released (``core.privacy.Cell``): its JSON form, "<k" or null."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        from cascada.core.privacy import Cell

        return value.as_json() if isinstance(value, Cell) else value
