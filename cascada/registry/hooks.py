"""The registry's news for the apps above it (``core/hooks.py`` explains hooks).

Every app above the registry that holds rows about a person answers the three hooks in its
``AppConfig.ready()`` (in ``<app>/arco.py`` for the last two): ``person_merged`` moves its
rows from the duplicate to the record kept; ``person_erased`` removes (or strips of anything
that identifies the person) its rows, files and generated exports, keeping the counts that
aggregates are built from; ``person_exported`` returns its rows about the person for the
person's copy of their data (S14, ARCO, docs/decisions/arco.md). Apps below the registry
(``audit``, ``imports``, ``core``) cannot hear a registry hook: ``registry/arco.py`` calls
their ``arco`` functions directly.

Two questions go up too (``core.hooks.Question``): the registry decides who sees a person
and whose identity a user may read (``registry/selectors.py``), but people also reach a
user through rows of the apps above (enrolled in a cohort of a shared program). Those apps
answer ``people_reached`` and ``organizations_reached`` with a filter; the registry OR-s the
answers with its own rule, so a lost answer shows fewer people, never more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cascada.core.hooks import Hook, Question

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


@dataclass(frozen=True)
class PersonExported:
    """Everything held about ``person`` is being gathered for the person (ARCO access and
    portability, ``registry.arco.person_export_reveal``). Each receiver returns
    ``{section: JSON-ready data}`` about its own rows; other people appear by code only."""

    actor: Any
    person: Person
    # Receivers add the records whose audit trail belongs in the copy, as
    # ``(target_type, id)`` (e.g. the person's enrolments); the registry lists their events.
    audit_targets: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PeopleChanged:
    """What aggregates count of these people changed: their consent to aggregate reporting
    (S15), their sex, birth year or place. The indicators mark their figures for refilling."""

    person_ids: tuple[int, ...]


person_merged: Hook[PersonMerged] = Hook("registry.person_merged")
person_erased: Hook[PersonErased] = Hook("registry.person_erased")
person_exported: Hook[PersonExported] = Hook("registry.person_exported")
people_changed: Hook[PeopleChanged] = Hook("registry.people_changed")


def people_changed_send(person_ids: Any) -> None:
    """Tell the apps above, in a transaction of its own when the caller has none."""
    from django.db import transaction

    ids = tuple(sorted({int(pk) for pk in person_ids}))
    if ids:
        with transaction.atomic():
            people_changed.send(PeopleChanged(person_ids=ids))


@dataclass(frozen=True)
class PeopleReached:
    """Which people does ``user``, through ``cap``, reach by your rows? Answer a ``Q`` on
    ``Person`` (or ``None``). With ``belonging``, only people who *belong* to an
    organization where the user holds ``cap`` (the identity rule: enrolled in a program it
    owns or partners in; facilitating does not make a person belong). ``person_ids``, when
    given, are the only candidates (answers may narrow their subqueries to them)."""

    user: Any
    cap: str
    belonging: bool = False
    person_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class OrganizationsReached:
    """Which other organizations does a member of ``org_ids`` see by your rows (partners
    of a shared program)? Answer a ``Q`` on ``Organization`` (or ``None``)."""

    user: Any
    org_ids: frozenset[int]


people_reached: Question[PeopleReached] = Question("registry.people_reached")
organizations_reached: Question[OrganizationsReached] = Question("registry.organizations_reached")
