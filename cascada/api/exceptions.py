"""One error shape for the whole API.

Every error body is ``{"error": {"code", "message", "fields"?, "detail"?}}``:

- ``code``: a stable machine-readable code (``invalid``, ``not_found``, ``frozen``,
  ``duplicate_person``, ``permission_denied``, ``not_authenticated``, ...);
- ``message``: a sentence for people, in the user's language;
- ``fields``: for input errors, ``{field: [messages]}``;
- ``detail``: extra data a client can act on (e.g. the codes of matching people).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError

# Application error codes that are not "bad input" (400).
STATUS_BY_CODE = {
    "duplicate_person": status.HTTP_409_CONFLICT,
    "permission_denied": status.HTTP_403_FORBIDDEN,
    "not_found": status.HTTP_404_NOT_FOUND,
}


def error_body(
    code: str, message: Any, *, fields: Any = None, detail: Any = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    if detail:
        body["detail"] = detail
    return {"error": body}


def _application_error(exc: ApplicationError) -> Response:
    extra = dict(exc.extra)
    fields = None
    field = extra.pop("field", None)
    if field:
        fields = {str(field): [str(exc.message)]}
    return Response(
        error_body(exc.code, exc.message, fields=fields, detail=extra or None),
        status=STATUS_BY_CODE.get(exc.code, status.HTTP_400_BAD_REQUEST),
    )


def _first_message(data: Any) -> str:
    """The first message of a DRF validation error, prefixed with its field."""
    if isinstance(data, dict):
        for key, value in data.items():
            inner = _first_message(value)
            if inner:
                return inner if key == "non_field_errors" else f"{key}: {inner}"
    elif isinstance(data, list):
        for value in data:
            inner = _first_message(value)
            if inner:
                return inner
    elif data:
        return str(data)
    return ""


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFoundError | Http404):
        return Response(error_body("not_found", _("Not found.")), status=404)
    if isinstance(exc, PermissionDeniedError):
        return Response(error_body("permission_denied", exc.message), status=403)
    if isinstance(exc, ApplicationError):
        return _application_error(exc)
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            error_body("invalid", "; ".join(exc.messages), fields=fields),
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        message = _first_message(fields) or _("Invalid input.")
        response.data = error_body("invalid", message, fields=fields)
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), detail)
    return response
