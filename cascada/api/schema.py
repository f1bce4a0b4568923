"""The OpenAPI schema's error responses, added once for every operation.

Views declare what is particular to them (their success, a 409 for a duplicate, a 400
whose meaning they explain); ``AutoSchema`` adds every error the API can answer with,
in the one error shape (``cascada.api.exceptions``) and as ``application/json`` only, also
for actions whose success is a file:

- 400 when the operation reads a body or query parameters;
- 401 for every operation (a missing, wrong or expired token);
- 403 when it needs more than being signed in (a role, a capability) or takes the web
  session (CSRF);
- 404 when its path holds an id (unknown, another organization's, or out of range);
- 405 for every operation (the other methods on its path);
- 415 when it reads a body (a media type it cannot parse);
- for every POST that writes: the optional ``Idempotency-Key`` header, 400 (a malformed
  key) and 422 (the key was used for another request): ``cascada.api.idempotency``.

Times are described as DRF writes them (``HH:MM:SS``, no offset), not as JSON Schema's
``format: time``, which requires an offset.

``tests/api/test_schema.py`` checks every operation has them; S21 (schemathesis) checks
the API answers nothing undocumented.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from .idempotency import PARAMETER as IDEMPOTENCY_KEY
from .idempotency import REUSED_DESCRIPTION, IdempotentPostMixin

DESCRIPTIONS = {
    "400": "Invalid input: `error.fields` holds the messages of each field.",
    "401": "Not signed in, or the token is wrong or has expired.",
    "403": "Your role may not do this.",
    "404": "Not found or not yours.",
    "405": "Method not allowed on this path.",
    "415": "Unsupported media type for the request body.",
    "422": REUSED_DESCRIPTION,
}


# DRF writes times as ``HH:MM:SS`` without an offset; JSON Schema's ``format: time`` (RFC
# 3339) requires one, so the schema states the real shape instead.
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema = {**schema, "pattern": TIME_PATTERN, "example": "18:30:00"}
            del schema["format"]
        return schema

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._idempotent():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _idempotent(self) -> bool:
        """A POST of an ``ApiViewSet`` that is not a read: takes ``Idempotency-Key``."""
        view = self.view
        return (
            self.method == "POST"
            and isinstance(view, IdempotentPostMixin)
            and getattr(view, "action", None) not in view.idempotency_exempt
        )

    def error_codes(self) -> list[str]:
        codes = ["401", "405"]
        if self._has_input():
            codes += ["400", "415"] if self._has_body() else ["400"]
        if self._idempotent():
            codes = sorted({*codes, "400", "422"})
        if self._may_forbid():
            codes.append("403")
        if "{" in self.path:
            codes.append("404")
        return sorted(codes)

    def _may_forbid(self) -> bool:
        """403: a permission beyond being signed in, or CSRF (session sign-in)."""
        plain = (AllowAny, IsAuthenticated)
        if any(not isinstance(p, plain) for p in self.view.get_permissions()):
            return True
        return any(isinstance(a, SessionAuthentication) for a in self.view.get_authenticators())

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None

    def _has_input(self) -> bool:
        if self._has_body():
            return True
        if self.method not in ("GET", "HEAD", "DELETE"):
            return False
        parameters = self._get_parameters()
        return any(p.get("in") == "query" for p in parameters)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        from .common import ErrorSerializer

        responses = dict(super()._get_response_bodies(direction))
        for code in self.error_codes():
            if code in responses:
                continue
            response = OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code])
            responses[code] = self._get_response_for_code(
                response, code, ["application/json"], direction
            )
        return responses
