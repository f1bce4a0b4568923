"""One error shape for the whole API.

Every error body is ``{"error": {"code", "message", "fields"?, "detail"?}}``:

- ``code``: a stable machine-readable code (``invalid``, ``not_found``, ``frozen``,
  ``duplicate_person``, ``permission_denied``, ``not_authenticated``, ...);
- ``message``: a sentence for people, in the user's language;
- ``fields``: for input errors, ``{field: [messages]}``; an error about an item of a list
  or dict field names the item in its message (``{"roles": ["1: ..."]}``);
- ``detail``: extra data a client can act on (e.g. the codes of matching people).

An exception no handler knows is logged (with its traceback, to the server log only) and
answers 500 in the same shape, without any of its text. Errors are always rendered as
JSON, also by actions whose success is a file (the certificate PDF). Errors Django raises
before or outside a DRF view under ``/api/`` (an unknown URL, an id too large for the
database) get the same shape from ``api_error_response`` (``cascada.config.errors``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError

# Application error codes that are not "bad input" (400).
STATUS_BY_CODE = {
    "duplicate_person": status.HTTP_409_CONFLICT,
    "person_in_use": status.HTTP_409_CONFLICT,
    "permission_denied": status.HTTP_403_FORBIDDEN,
    "not_found": status.HTTP_404_NOT_FOUND,
    # The same Idempotency-Key with another request (cascada.api.idempotency).
    "idempotency_key_reused": status.HTTP_422_UNPROCESSABLE_ENTITY,
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


def flatten_fields(data: Any) -> dict[str, list[str]]:
    """DRF's validation errors as ``{field: [messages]}``, also for errors inside an item of
    a list or dict field, or of a nested object: those come keyed by position
    (``{"roles": {"1": ["..."]}}``) and become messages that name it
    (``{"roles": ["1: ..."]}``), so every client reads one shape."""
    out: dict[str, list[str]] = {}

    def messages(value: Any, where: str) -> list[str]:
        if isinstance(value, dict):
            return [m for key, inner in value.items() for m in messages(inner, _at(where, key))]
        if isinstance(value, list):
            if any(isinstance(v, dict | list) for v in value):
                return [m for i, inner in enumerate(value) for m in messages(inner, _at(where, i))]
            return [m for inner in value for m in messages(inner, where)]
        if value in (None, ""):
            return []
        return [f"{where}: {value}" if where else str(value)]

    items = data.items() if isinstance(data, dict) else [("non_field_errors", data)]
    for field, value in items:
        out[str(field)] = messages(value, "")
    return out


def _at(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def server_error_body() -> dict[str, Any]:
    return error_body(
        "server_error", _("Something went wrong on our side. The team has been told.")
    )


def api_error_response(status_code: int) -> JsonResponse:
    """The error shape for errors Django answers itself under ``/api/`` (no DRF view ran:
    an unknown URL, a path parameter the converters refuse, a failure in middleware)."""
    bodies = {
        400: ("bad_request", _("The request could not be understood.")),
        403: ("permission_denied", _("You do not have permission to do this.")),
        404: ("not_found", _("Not found.")),
    }
    if status_code in bodies:
        code, message = bodies[status_code]
        return JsonResponse(error_body(code, message), status=status_code)
    return JsonResponse(server_error_body(), status=status_code)


def _unhandled(exc: Exception, context: dict[str, Any]) -> Response:
    """A bug: log it (traceback in the server log, as Django logs a 500) and answer 500 in
    the error shape, with none of the exception's text."""
    request = getattr(context.get("request"), "_request", None)
    path = request.path if isinstance(request, HttpRequest) else "?"
    logging.getLogger("django.request").error(
        "Internal Server Error: %s",
        path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": request},
    )
    # Error reporters listen to this signal, as for any other 500 Django answers.
    got_request_exception.send(sender=None, request=request)
    set_rollback()
    return Response(server_error_body(), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _as_json(response: Response | None, context: dict[str, Any]) -> Response | None:
    """Render errors as JSON even where the action's success is a file (PDF)."""
    request = context.get("request")
    if response is not None and request is not None:
        renderer = getattr(request, "accepted_renderer", None)
        if not isinstance(renderer, JSONRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
    return response


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
    return _as_json(_handle(exc, context), context)


def _handle(exc: Exception, context: dict[str, Any]) -> Response | None:
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
        return _unhandled(exc, context)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_fields(data if isinstance(data, dict) else {"non_field_errors": data})
        message = _first_message(fields) or _("Invalid input.")
        response.data = error_body("invalid", message, fields=fields)
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), detail)
    return response
