"""News going up the layers: typed hooks.

A lower app declares a hook in its own ``hooks.py`` with the event it carries (a frozen
dataclass); the apps above it subscribe in their ``AppConfig.ready()``. Sending is
synchronous and runs in the caller's transaction: when a receiver fails, the write that
sent the news is rolled back with it. Calls go down directly; only news goes up.

    # registry/hooks.py (the lower app declares)
    @dataclass(frozen=True)
    class PersonMerged:
        actor: Any
        kept: Person
        merged: Person

    person_merged: Hook[PersonMerged] = Hook("registry.person_merged")

    # trainings/apps.py (the higher app subscribes)
    def ready(self) -> None:
        from cascada.registry.hooks import person_merged
        from . import receivers
        person_merged.subscribe(receivers.person_merged)

Every hook is listed by ``Hook.declared()``; ``tests/test_hooks.py`` checks the wiring
(who answers what), so a receiver that is lost fails a test rather than leaving rows behind.

Questions going up: ``Question`` is the read-side twin of ``Hook``. A lower app that needs
an answer only a higher app's rows hold (the registry asks "which people does this user
reach through your cohorts?") declares a question; the higher apps answer it in
``ready()``. Asking needs no transaction. The asker combines the answers so that a lost
answer makes the result smaller, never larger (people reached are OR-ed: a lost answer
hides people, it never shows more). ``Question.declared()`` lists them for the same test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from django.db import transaction

E = TypeVar("E")

Receiver = Callable[[E], object]


class _Channel(Generic[E]):
    """What hooks and questions share: a unique name and receivers in subscription order."""

    _names: ClassVar[set[str]] = set()

    def __init__(self, name: str) -> None:
        if name in _Channel._names:
            raise ValueError(f"hook {name!r} is declared twice")
        _Channel._names.add(name)
        self.name = name
        self._receivers: list[Receiver[E]] = []

    def subscribe(self, receiver: Receiver[E]) -> Receiver[E]:
        """Add ``receiver`` (idempotent: ``ready()`` may run twice in tests)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    @property
    def receivers(self) -> tuple[str, ...]:
        """Dotted names of the receivers, for the wiring test and the docs."""
        return tuple(f"{r.__module__}.{r.__qualname__}" for r in self._receivers)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: {len(self._receivers)} receivers>"


class Hook(_Channel[E]):
    """A named piece of news of type ``E``; receivers run in subscription order."""

    _all: ClassVar[dict[str, Hook[object]]] = {}

    def __init__(self, name: str) -> None:
        super().__init__(name)
        Hook._all[name] = self  # type: ignore[assignment]

    @classmethod
    def declared(cls) -> dict[str, Hook[object]]:
        return dict(cls._all)

    def send(self, event: E) -> list[object]:
        """Tell every receiver, in the caller's transaction; their answers, in order.

        Must be called inside a transaction (``transaction.atomic``): the news and what
        the receivers write commit together or not at all."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"hook {self.name} sent outside a transaction")
        return [receiver(event) for receiver in list(self._receivers)]


class Question(_Channel[E]):
    """A named question of type ``E`` that the apps above answer; answers in subscription
    order. The asker decides how answers combine (always so that a lost answer narrows)."""

    _all: ClassVar[dict[str, Question[object]]] = {}

    def __init__(self, name: str) -> None:
        super().__init__(name)
        Question._all[name] = self  # type: ignore[assignment]

    @classmethod
    def declared(cls) -> dict[str, Question[object]]:
        return dict(cls._all)

    def ask(self, question: E) -> list[object]:
        """Every answer, in order (``None`` answers left out)."""
        answers = (receiver(question) for receiver in list(self._receivers))
        return [answer for answer in answers if answer is not None]
