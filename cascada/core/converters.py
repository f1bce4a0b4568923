"""Integers from URLs, checked before they reach the database.

A number too large for the column (``/people/99999999999999999999999/``) makes SQLite
raise ``OverflowError`` and PostgreSQL ``integer out of range``: a server error where the
answer is "not found" or "invalid". Every integer taken from a URL goes through here once:

- path parameters through the converters registered below, ``<id:pk>`` for primary keys
  (``BigAutoField``: 1 .. 2**63 - 1) and ``<smallint:generation>`` for values stored in a
  ``PositiveSmallIntegerField`` (0 .. 32767). A value outside the range does not match the
  route, so Django answers 404 (the API in its JSON shape);
- query-string integers through ``query_int`` / ``query_id``, which raise
  ``InvalidQueryParameter`` (a ``ValueError``): the API answers 400 in its error shape, a
  web page treats the filter as not given, or answers 404.

Importing this module registers the converters; every URL module that uses them imports it.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1  # BigAutoField; PostgreSQL bigint
MAX_INT = 2**31 - 1  # IntegerField; PostgreSQL integer
MAX_SMALLINT = 32767  # PositiveSmallIntegerField; PostgreSQL smallint


class InvalidQueryParameter(ValueError):
    def __init__(self, name: str, minimum: int, maximum: int) -> None:
        super().__init__(f"{name} must be a whole number from {minimum} to {maximum}")
        self.name = name
        self.minimum = minimum
        self.maximum = maximum


def bounded_int(raw: str, *, minimum: int, maximum: int) -> int:
    """``raw`` as an int when it is plain decimal digits (an optional ``-``) inside the
    range; ``ValueError`` otherwise. Lengths are checked before ``int()`` so no huge string
    is ever converted."""
    text = raw.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        raise ValueError(raw)
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValueError(raw)
    return value


def query_int(params: object, name: str, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """The integer ``name`` of a query string (``request.GET`` or DRF's ``query_params``),
    ``None`` when absent or empty, ``InvalidQueryParameter`` when it is not a whole number
    inside ``minimum .. maximum``."""
    raw = params.get(name) if hasattr(params, "get") else None
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return bounded_int(str(raw), minimum=minimum, maximum=maximum)
    except ValueError:
        raise InvalidQueryParameter(name, minimum, maximum) from None


def query_id(params: object, name: str) -> int | None:
    """An object id from a query string (see ``query_int``)."""
    return query_int(params, name, minimum=1, maximum=MAX_ID)


class IdConverter:
    """``<id:pk>``: a primary key, 1 .. 2**63 - 1."""

    regex = "[0-9]{1,19}"
    minimum = 1
    maximum = MAX_ID

    def to_python(self, value: str) -> int:
        return bounded_int(value, minimum=self.minimum, maximum=self.maximum)

    def to_url(self, value: object) -> str:
        return str(bounded_int(str(value), minimum=self.minimum, maximum=self.maximum))


class SmallIntConverter(IdConverter):
    """``<smallint:name>``: a value of a ``PositiveSmallIntegerField``, 0 .. 32767."""

    regex = "[0-9]{1,5}"
    minimum = 0
    maximum = MAX_SMALLINT


register_converter(IdConverter, "id")
register_converter(SmallIntConverter, "smallint")
