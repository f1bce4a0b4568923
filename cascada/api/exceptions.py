"""One error shape for the whole API: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFoundError):
        exc = exceptions.NotFound(str(exc.message))
    elif isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(str(exc.message))
    elif isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"code": exc.code, "message": str(exc.message)}
        if exc.extra:
            body["detail"] = {k: v for k, v in exc.extra.items()}
        return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            {"error": {"code": "invalid", "message": "; ".join(exc.messages), "fields": fields}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"error": {"code": "invalid", "message": "Invalid input.", "fields": data}}
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(exc, "default_code", "error")
        response.data = {"error": {"code": code, "message": str(detail)}}
    return response
