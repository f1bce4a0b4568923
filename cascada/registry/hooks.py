"""The registry's news for the apps above it (``core/hooks.py`` explains hooks).

Every app that holds rows about a person answers both hooks in its ``AppConfig.ready()``:
``person_merged`` moves its rows from the duplicate to the record kept; ``person_erased``
removes (or strips of anything that identifies the person) its rows, files and generated
exports, keeping the counts that aggregates are built from (S14, ARCO, docs/decisions/arco.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cascada.core.hooks import Hook

if TYPE_CHECKING:
    from cascada.registry.models import Person


@dataclass(frozen=True)
class PersonMerged:
    """``merged`` was folded into ``kept``; each receiver moves its own rows and returns
    ``{label: number moved}`` for the merge's summary."""

    actor: Any
    kept: Person
    merged: Person


@dataclass(frozen=True)
class PersonErased:
    """``person`` is being erased at the person's request; receivers run before the
    registry strips the person's own record, inside the same transaction. Each returns
    ``{label: number of rows removed or stripped}`` for the erasure's receipt."""

    actor: Any
    person: Person
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


person_merged: Hook[PersonMerged] = Hook("registry.person_merged")
person_erased: Hook[PersonErased] = Hook("registry.person_erased")
