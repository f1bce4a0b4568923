"""The one error type of the application.

Services raise ``ApplicationError`` (or Django's ``ValidationError`` from ``full_clean``);
every interface turns it into its own shape: a form error, an API error body, a CLI message.
Messages are lazy translations so that each user reads them in their language.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(self, message: Any, *, code: str = "invalid", extra: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDeniedError(ApplicationError):
    def __init__(self, message: Any = None, **kwargs: Any):
        from django.utils.translation import gettext_lazy as _

        super().__init__(
            message or _("You do not have permission to do this."),
            code="permission_denied",
            **kwargs,
        )


class NotFoundError(ApplicationError):
    def __init__(self, message: Any = None, **kwargs: Any):
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("Not found."), code="not_found", **kwargs)
