"""Writing exports as CSV (streamed) or XLSX (write-only workbook), row by row.

Every spreadsheet Cascada writes (people, enrolment and attendance exports, the cascade
report on the web and in the CLI) goes through ``cell``: the one place that decides what
a cell may hold, so a name typed as ``=CMD|' /C calc'!A0`` is shown, never run.

Three formats: ``csv`` (comma, ISO dates, a dot for decimals: for programs), ``csv_es``
("Excel en español": semicolon, dd/mm/yyyy, a comma for decimals, as Excel set to
Spanish opens a CSV with a double click) and ``xlsx``. Every CSV is UTF-8 with a BOM.
Headers and values arrive already translated (``registry.exports``, ``trainings.exports``,
``cascade.exports``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

FORMATS = ("csv", "csv_es", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv_es": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "csv_es": "csv", "xlsx": "xlsx"}


@dataclass(frozen=True)
class Dialect:
    """How a CSV separates cells and writes dates and decimals."""

    delimiter: str = ","
    day_first: bool = False
    decimal_comma: bool = False


STANDARD = Dialect()
EXCEL_ES = Dialect(delimiter=";", day_first=True, decimal_comma=True)
DIALECTS = {"csv": STANDARD, "csv_es": EXCEL_ES}
# OWASP "CSV injection": a cell starting with one of these is run as a formula by Excel,
# LibreOffice or Google Sheets (tab and carriage return too, as some of them trim them).
# The full-width forms are included because some spreadsheets in Asian locales take them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A spreadsheet may split a cell where the reader's delimiter falls (a CSV opened with
# another separator, "Text to columns", a paste that breaks lines): every piece that would
# then start with a formula character is neutralised too, with the same apostrophe.
_SPLIT_FORMULA = re.compile(r"([,;|\t\r\n]\s*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])")
# Characters XML 1.0 cannot hold: openpyxl refuses them (a server error) and a CSV reader
# shows them as garbage. They carry no meaning in a name or a label.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell(value: Any, dialect: Dialect = STANDARD) -> Any:
    """A value as a spreadsheet should show it: the one escaping rule of every CSV and
    XLSX Cascada writes. Text that a spreadsheet would run as a formula, even after
    leading spaces (`` =1+1``), gets a leading apostrophe, which spreadsheets show as text
    (OWASP's rule for CSV injection), and so does every piece after a separator
    (``,``, ``;``, ``|``, tab, line break) that would start a formula once a spreadsheet
    splits the cell there (``a;=HYPERLINK(…)`` is written ``a;'=HYPERLINK(…)``);
    control characters are dropped. Dates are ISO, or
    dd/mm/yyyy (with the time after it) in the Spanish-Excel dialect, which also writes
    decimals with a comma."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if dialect.day_first else value.isoformat()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if dialect.day_first else value.isoformat()
    if isinstance(value, float) and dialect.decimal_comma:
        return repr(value).replace(".", ",")
    if isinstance(value, str):
        value = _split_safe(_CONTROL.sub("", value))
        if value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START):
            return "'" + value
    return value


def _split_safe(value: str) -> str:
    """Neutralise the pieces after the first visible character (a formula at the start
    is the leading rule's: one apostrophe, before everything)."""
    start = len(value) - len(value.lstrip()) + 1
    return value[:start] + _SPLIT_FORMULA.sub(r"\1'", value[start:])


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    headers: list[str], rows: Iterable[list[Any]], dialect: Dialect = STANDARD
) -> Iterator[str]:
    """CSV text, one line at a time; starts with a BOM so Excel reads UTF-8 correctly."""
    writer = csv.writer(_Echo(), delimiter=dialect.delimiter)
    yield "\ufeff" + writer.writerow([cell(v, dialect) for v in headers])
    for row in rows:
        yield writer.writerow([cell(v, dialect) for v in row])


def csv_write(
    headers: list[str], rows: Iterable[list[Any]], target: IO[str], dialect: Dialect = STANDARD
) -> None:
    for line in csv_lines(headers, rows, dialect):
        target.write(line)


def csv_bytes(headers: list[str], rows: Iterable[list[Any]], dialect: Dialect = STANDARD) -> bytes:
    """The whole CSV at once (small tables such as the cascade report), with the BOM."""
    return "".join(csv_lines(headers, rows, dialect)).encode("utf-8")


def xlsx_write(
    headers: list[str],
    rows: Iterable[list[Any]],
    target: IO[bytes] | str,
    *,
    title: str | None = None,
) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append([cell(v) for v in headers])
    for row in rows:
        sheet.append([cell(v) for v in row])
    workbook.save(target)
