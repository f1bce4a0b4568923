"""Integers in API query strings, checked once before they reach the database.

Every integer an API view reads from ``query_params`` goes through
``cascada.core.converters.query_int`` (the one parser the web uses too): through
``QueryIdField`` in a filter serializer, ``query_param`` in a view, or ``Pagination`` for
``limit`` and ``offset``. A value that is not a whole number inside the range answers 400
in the error shape, with the parameter as the field (``{"fields": {"cohort": [...]}}``),
never a database error.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from cascada.core.converters import (
    MAX_ID,
    MAX_INT,
    InvalidQueryParameter,
    bounded_int,
    query_int,
)

OUT_OF_RANGE = _("Enter a whole number from %(minimum)s to %(maximum)s.")


def _invalid(exc: InvalidQueryParameter) -> serializers.ValidationError:
    message = OUT_OF_RANGE % {"minimum": exc.minimum, "maximum": exc.maximum}
    return serializers.ValidationError({exc.name: [message]})


def query_param(
    request: Request, name: str, *, minimum: int = 0, maximum: int = MAX_INT
) -> int | None:
    """The integer query parameter ``name``, ``None`` when absent; 400 when invalid."""
    try:
        return query_int(request.query_params, name, minimum=minimum, maximum=maximum)
    except InvalidQueryParameter as exc:
        raise _invalid(exc) from None


def query_id(request: Request, name: str) -> int | None:
    """An object id from the query string (1 .. 2**63 - 1), ``None`` when absent."""
    return query_param(request, name, minimum=1, maximum=MAX_ID)


class QueryIdField(serializers.IntegerField):
    """An object id in a filter serializer, through the same parser as ``query_id``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return bounded_int(str(data), minimum=1, maximum=MAX_ID)
        except ValueError:
            message = OUT_OF_RANGE % {"minimum": 1, "maximum": MAX_ID}
            raise serializers.ValidationError(message) from None


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` (50 by default, at most ``max_limit``), strict: a value that is
    not a whole number in range answers 400 instead of being ignored or reaching the
    database as an out-of-range ``LIMIT``/``OFFSET``."""

    max_limit = 1000
    max_offset = MAX_INT

    def get_limit(self, request: Request) -> int | None:
        value = query_param(request, self.limit_query_param, minimum=1, maximum=self.max_limit)
        return self.default_limit if value is None else value

    def get_offset(self, request: Request) -> int:
        value = query_param(request, self.offset_query_param, minimum=0, maximum=self.max_offset)
        return value or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        bounds = {
            self.limit_query_param: (1, self.max_limit),
            self.offset_query_param: (0, self.max_offset),
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] = {**parameter["schema"], "minimum": low, "maximum": high}
        return parameters
