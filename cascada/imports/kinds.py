"""The one table of import kinds: what each kind of file holds and who writes it.

``imports`` sits below the apps whose data it imports, so it never names them: each app
declares its kinds (``ImportKind``) beside its importers and registers them in its
``AppConfig.ready()``. Everything that offers a choice of kind (the upload form, the CLI,
``ImportJob.kind``'s choices, the permission check) reads this table.

A kind says:

- ``key``: what ``ImportJob.kind`` stores (at most 12 characters, never renamed);
- ``label``: how the kind is named to the user (lazy, translated when shown);
- ``importer``: the ``importer.Importer`` subclass that checks and writes rows, as a
  dotted path (imported when first used) or the class itself;
- ``capability``: what the user needs, besides ``Cap.IMPORT``, in the target
  organization (``accounts.roles.Cap``);
- ``columns``: canonical field -> the headers accepted for it (compared by
  ``parsers.header_key``: case, accents, spaces and punctuation do not matter); the first
  header names a missing column to the user;
- ``required``: groups of fields of which at least one must be a column;
- ``messages``: the row problems this kind reports, code -> lazy text, merged into
  ``messages.MESSAGES`` when the kind is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .importer import Importer

MAX_KEY = 12


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: Any
    importer: str | type[Importer]
    capability: str
    columns: Mapping[str, Sequence[str]]
    required: Sequence[tuple[str, ...]] = ()
    messages: Mapping[str, Any] = field(default_factory=dict)

    def importer_class(self) -> type[Importer]:
        if isinstance(self.importer, str):
            module, _dot, name = self.importer.rpartition(".")
            cls: type[Importer] = getattr(import_module(module), name)
            return cls
        return self.importer

    def accepts(self, header: str) -> str | None:
        """The field a header stands for in this kind, or ``None``."""
        from .parsers import header_key

        return _aliases(self).get(header_key(header))


_KINDS: dict[str, ImportKind] = {}
_ALIASES: dict[str, dict[str, str]] = {}


def _aliases(kind: ImportKind) -> dict[str, str]:
    from .parsers import header_key

    if kind.key not in _ALIASES:
        _ALIASES[kind.key] = {
            header_key(alias): name for name, names in kind.columns.items() for alias in names
        }
    return _ALIASES[kind.key]


def register(kind: ImportKind) -> None:
    """Add a kind to the table (from an ``AppConfig.ready()``). Registering the same kind
    again is harmless (``ready()`` may run twice in tests); another kind under a key
    already taken is a programming error."""
    from .messages import register_messages

    if len(kind.key) > MAX_KEY:
        raise ValueError(f"Import kind key {kind.key!r} is longer than {MAX_KEY} characters.")
    current = _KINDS.get(kind.key)
    if current is not None and current != kind:
        raise ValueError(f"Import kind {kind.key!r} is already registered.")
    _KINDS[kind.key] = kind
    _ALIASES.pop(kind.key, None)
    register_messages(kind.messages)


def get(key: str) -> ImportKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[ImportKind]:
    """Every registered kind, in the order the apps registered them."""
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, Any]]:
    """``ImportJob.kind``'s choices (a callable, so a new kind needs no migration)."""
    return [(k.key, k.label) for k in _KINDS.values()]


def header_matcher(kind: ImportKind) -> Callable[[list[str]], bool]:
    """Whether a row of headers is this kind's table: it names every required group."""

    def matches(headers: list[str]) -> bool:
        fields = {kind.accepts(h) for h in headers}
        return all(any(f in fields for f in group) for group in kind.required) and bool(
            fields - {None}
        )

    return matches
