"""The one table of job kinds. An app that owns a kind of work registers it from its
``AppConfig.ready()``; ``jobs`` never imports the apps above it.

    # imports/apps.py
    def ready(self) -> None:
        from cascada.jobs.kinds import JobKind, register
        register(JobKind(key="import_commit", label=_("Import"), capability=Cap.IMPORT,
                         handler="cascada.imports.jobs.commit", lane="imports"))

A handler is ``handler(ctx: JobContext) -> dict | None``: it does the work as
``ctx.actor``, reports ``ctx.progress(done, total)``, stops when ``ctx.cancelled()``
(raising ``JobCancelled``), and returns the result (ids, counts, codes: JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cascada.core.errors import ApplicationError


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str | Promise
    handler: str  # dotted path, imported when the job runs
    capability: str  # cascada.accounts.roles.Cap: checked when asked and again when run
    # Jobs of the same lane in one organization run one at a time, oldest first; the
    # others wait with a message. Empty: no waiting.
    lane: str = ""

    def load_handler(self) -> Callable[[Any], Any]:
        handler: Callable[[Any], Any] = import_string(self.handler)
        return handler


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add ``kind`` to the table. Registering the same kind again is harmless (``ready()``
    may run twice in tests); another kind under a taken key is a programming error."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {kind.key!r} is registered twice, differently")
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(key, None)


def get(key: str) -> JobKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise ApplicationError(
            _("Unknown kind of job: %(kind)s.") % {"kind": key}, code="job_kind_unknown"
        ) from None


def registered() -> dict[str, JobKind]:
    return dict(_KINDS)
