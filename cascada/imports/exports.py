"""What every export shares: the ``Export`` it returns, the capability and format check,
the organization filter, and values in the reader's language.

Each app writes its own exports beside its data (``registry/exports.py``,
``trainings/exports.py``, ``cascade/exports.py``); every file is written by ``formats``
(``cell``: what a spreadsheet cell may hold).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError

from .formats import EXTENSIONS, FORMATS

CHUNK = 2000
YES_NO = {True: pgettext_lazy("export value", "Yes"), False: pgettext_lazy("export value", "No")}


@dataclass
class Export:
    kind: str
    headers: list[str]
    rows: Iterator[list[Any]]
    count: int
    filename: str


def export_check(user: Any, fmt: str) -> None:
    if not scope.has(user, Cap.EXPORT):
        raise PermissionDeniedError()
    if fmt not in FORMATS:
        raise ApplicationError(_("Unknown format."), extra={"field": "format"})


def export_filename(kind: str, fmt: str) -> str:
    return f"{kind}.{EXTENSIONS[fmt]}"


def org_filter(user: Any, organization_id: Any) -> int | None:
    """The organization an export is limited to, or None; one the user may not export
    from is a 404, as everywhere (S2)."""
    if organization_id in (None, ""):
        return None
    try:
        org = int(organization_id)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    if org not in scope.org_ids(user, Cap.EXPORT):
        raise NotFoundError()
    return org


def headers(columns: list[tuple[str, Any]]) -> list[str]:
    return [str(label) for _key, label in columns]


def labels(choices: Any) -> dict[Any, str]:
    """A model field's choices as text in the active language (a value without a label
    stays itself)."""
    return {value: str(label) for value, label in choices}


def word(words: dict[Any, str], value: Any) -> Any:
    return words.get(value, value)


def yes_no() -> dict[bool, str]:
    return {key: str(text) for key, text in YES_NO.items()}
