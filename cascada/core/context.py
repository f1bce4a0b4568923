"""Who is acting and from where, for the audit trail (S10).

The web middleware and the API set it per request; the CLI sets it per command. Services
read it so that they can record "from where" without importing any interface.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ActorContext:
    source: str = "system"  # web, api, cli, system
    address: str = ""


_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar(
    "cascada_actor_context",
    default=ActorContext(),  # noqa: B039  (frozen dataclass: immutable)
)


def current() -> ActorContext:
    return _current.get()


@contextmanager
def acting(source: str, address: str = "") -> Iterator[ActorContext]:
    token = _current.set(ActorContext(source=source, address=address))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
