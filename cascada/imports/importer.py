"""The base of every importer: columns bound to fields, cells read, row errors, rows seen
twice in one file, and the one created/updated/unchanged diff.

An importer lives with the data it writes (``registry/importers.py``,
``trainings/importers.py``) and subclasses ``Importer``:

- ``check(batch)`` reads a batch of rows (with one query per look-up, never one per row),
  reports row errors through ``error`` and returns one ``Planned`` per good row: what it
  would do to what is stored (``CREATE``, ``UPDATE`` or ``UNCHANGED``, see ``diff``) and
  what ``write`` needs for it. It never writes.
- ``write(items)`` writes the created and updated items of one batch through the app's
  services (capability, validation, audit), raising ``WriteFailed`` naming the row when a
  service refuses one.
- ``finish()`` runs once after the last batch (work that spans batches, such as
  recomputing completion); it must be safe to run again.

The runner (``runner.py``) batches rows, counts the plans and decides what is written.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cascada.core.crypto import keyed_hasher

from .kinds import ImportKind
from .parsers import FileProblem, cell_text, clean_text, header_key
from .report import CREATE, UNCHANGED, UPDATE, ImportReport

T = TypeVar("T")


@dataclass
class Planned(Generic[T]):
    """What one good row would do: ``action`` is ``CREATE``, ``UPDATE`` or ``UNCHANGED``;
    ``item`` is what ``write`` needs (unused when unchanged)."""

    row: int
    action: str
    item: T | None = None


def diff(current: Any, new: Any) -> str:
    """The one rule of the diff: nothing stored is a creation, the same value stored
    changes nothing, another value is an update."""
    if current is None:
        return CREATE
    return UNCHANGED if current == new else UPDATE


class WriteFailed(Exception):
    """A service refused a row that the checks let through (the data changed meanwhile)."""

    def __init__(self, row: int, reason: str):
        super().__init__(reason)
        self.row = row
        self.reason = reason


class Hasher:
    """``keyed_hash`` for many values: the HMAC key is prepared once, not once per row
    (``cascada.core.crypto.keyed_hasher``, same output as ``keyed_hash``)."""

    def __init__(self) -> None:
        self._hash = keyed_hasher()

    def __call__(self, value: str) -> str:
        return self._hash(value)


def batched(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# Columns that only number the rows ("N°", "#", "Item"): read as nothing, on purpose.
ROW_NUMBER_HEADERS = {"", "n", "no", "nro", "num", "numero", "item", "orden", "n_orden"}


class Importer:
    def __init__(self, *, actor: Any, organization: Any, report: ImportReport, kind: ImportKind):
        self.actor = actor
        self.organization = organization
        self.report = report
        self.kind = kind
        self.index: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        # Columns that are no field of this kind: an error as soon as one holds data.
        self.unread: dict[int, str] = {}
        self.unread_with_data: dict[int, str] = {}
        self.row_failed = False
        self.hash = Hasher()
        self._seen: dict[Hashable, int] = {}

    # ---------------------------------------------------------------- columns

    def bind(self, headers: list[str]) -> None:
        for i, header in enumerate(headers):
            name = self.kind.accepts(header)
            if name is None or name in self.index:
                self.unread[i] = header.strip() or _letter(i)
                if header.strip():
                    self.report.ignored_columns.append(header.strip())
                continue
            self.index[name] = i
            self.labels[name] = header.strip()
        missing = [group for group in self.kind.required if not any(f in self.index for f in group)]
        if missing:
            names = [
                " / ".join(f"{self.kind.columns[f][0]} ({f})" for f in group) for group in missing
            ]
            raise FileProblem("missing_columns", columns="; ".join(names))

    def note_unread(self, cells: list[Any]) -> None:
        """Remember the unread columns that hold data (a row-number column holding whole
        numbers is read as nothing on purpose)."""
        for i, label in self.unread.items():
            if i in self.unread_with_data or i >= len(cells):
                continue
            value = cells[i]
            if value is None or (isinstance(value, str) and not clean_text(value)):
                continue
            if header_key(label) in ROW_NUMBER_HEADERS and cell_text(value).isdigit():
                continue
            self.unread_with_data[i] = label

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.index.get(name)
        if i is None or i >= len(cells):
            return None
        value = cells[i]
        if isinstance(value, str):
            return clean_text(value) or None
        return value

    # ---------------------------------------------------------------- row errors

    def error(self, row: int, name: str, code: str, /, **params: Any) -> None:
        self.row_failed = True
        self.report.add_error(row, self.labels.get(name, name), code, params)

    def first_seen(self, key: Hashable, row: int) -> int | None:
        """The earlier row of this file with the same ``key``, or ``None`` (and ``row`` is
        remembered): the one check of rows given twice."""
        other = self._seen.get(key)
        if other is None:
            self._seen[key] = row
        return other

    # ---------------------------------------------------------------- the work

    def check(self, batch: list[tuple[int, list[Any]]]) -> list[Planned[Any]]:
        raise NotImplementedError

    def write(self, items: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        return None


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
