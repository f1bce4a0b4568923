"""``Idempotency-Key``: an API create sent again answers with its first answer
(``cascada.core.idempotency``, docs/decisions/idempotency.md).

Every POST of an ``ApiViewSet`` (except the reads that use POST, ``idempotency_exempt``)
accepts an optional ``Idempotency-Key`` header: a client-chosen string, unique per
operation (a UUID), up to 255 visible ASCII characters. With it:

- the first request runs and its successful answer (2xx: status and body) is kept for
  ``keep_for()`` (24 hours), the body encrypted (S13);
- the same key with the same method, path and body answers with that answer again, with
  ``Idempotent-Replayed: true``; nothing is written twice. A copy sent while the first
  runs waits for it;
- the same key with another method, path or body is refused: 422
  ``idempotency_key_reused``;
- an answer that is an error keeps nothing: the client corrects the request and sends it
  again with the same key.

Without the header a POST runs as before (every create still checks its own rules, e.g.
enrolling twice returns the same enrolment).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cascada.core.errors import ApplicationError
from cascada.core.idempotency import Claim, Kind, Outcome, Replay, fingerprint, perform_once

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
REUSED = "idempotency_key_reused"

PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=KEY.pattern,
    description=(
        "Optional. A key of your choice (a UUID), new for each operation. Sent again with "
        "the same request, the first answer comes back (header `Idempotent-Replayed: true`) "
        "and nothing is written twice; with another request: 422 `idempotency_key_reused`. "
        "Kept 24 hours."
    ),
)
REUSED_DESCRIPTION = (
    "This `Idempotency-Key` was already used with another request (method, path or body)."
)


def key_reused() -> ApplicationError:
    return ApplicationError(
        gettext_lazy("This Idempotency-Key was already used for another request. Use a new key."),
        code=REUSED,
    )


def _canonical(data: Any) -> str:
    if hasattr(data, "lists"):  # a QueryDict (form-encoded or multipart)
        data = dict(data.lists())
    return json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)


class IdempotentPostMixin:
    """Wraps the handler of every POST that carries ``Idempotency-Key`` (``initial`` runs
    after authentication, so the key is the signed-in user's)."""

    idempotency_exempt: tuple[str, ...] = ()
    post: Callable[..., Any]  # set by ``as_view`` for the POST of the routed action

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        key = request.headers.get(HEADER)
        action_name = getattr(self, "action", None)
        user_id = request.user.pk
        if request.method != "POST" or key is None or action_name in self.idempotency_exempt:
            return
        if user_id is None:  # pragma: no cover - every ApiViewSet requires a signed-in user
            return
        if not KEY.match(key):
            raise serializers.ValidationError(
                {HEADER: [_("Use 1 to 255 visible ASCII characters, e.g. a UUID.")]}
            )
        handler = self.post
        digest = fingerprint("POST", request.path, _canonical(request.data))
        claim = Claim(kind=Kind.API, value=key, fingerprint=digest)

        def once(request: Request, *args: Any, **kwargs: Any) -> Any:
            def action() -> tuple[Any, Outcome | None]:
                response = handler(request, *args, **kwargs)
                if not 200 <= response.status_code < 300 or not isinstance(response, Response):
                    return response, None
                body = JSONRenderer().render(response.data).decode("utf-8")
                return response, Outcome(status=response.status_code, body=body)

            result = perform_once(user_id=user_id, claims=[claim], action=action)
            if isinstance(result, Replay):
                if not result.same_content:
                    raise key_reused()
                data = json.loads(result.outcome.body) if result.outcome.body else None
                return Response(data, status=result.outcome.status, headers={REPLAYED: "true"})
            return result

        self.post = once
