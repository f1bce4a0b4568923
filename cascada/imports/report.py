"""What an import found and did: row errors, the problem of the whole file, and the one
count of rows created, updated and unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .messages import describe

MAX_LISTED_ERRORS = 1000

# What a checked row would do to what is stored (``Importer.check``).
CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


@dataclass
class ImportReport:
    kind: str
    total_rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_error: dict[str, Any] | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    rows_with_errors: set[int] = field(default_factory=set)
    sheet: str = ""

    def add_error(self, row: int, column: str, code: str, params: dict[str, Any]) -> None:
        self.error_count += 1
        self.rows_with_errors.add(row)
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"row": row, "column": column, "code": code, "params": params})

    def count(self, action: str) -> None:
        """The one place a checked row is counted as created, updated or unchanged."""
        if action == CREATE:
            self.created += 1
        elif action == UPDATE:
            self.updated += 1
        elif action == UNCHANGED:
            self.unchanged += 1
        else:
            raise ValueError(f"Unknown row action {action!r}.")

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    @property
    def file_error_text(self) -> str:
        if not self.file_error:
            return ""
        return describe(self.file_error["code"], self.file_error.get("params"))

    def error_rows(self) -> list[tuple[int, str, str]]:
        return [(e["row"], e["column"], describe(e["code"], e["params"])) for e in self.errors]
