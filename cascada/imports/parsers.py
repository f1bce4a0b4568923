"""Reading spreadsheets people actually send: CSV from Excel in any common encoding or
delimiter, and XLSX. Rows are streamed, never loaded whole, and numbered as the user sees
them in the spreadsheet (the header is row 1).

Files can be hostile (a 1 MB XLSX whose shared strings expand to hundreds of MB, a small
file with a hundred thousand rows), so every read is bounded by ``Limits`` and each limit
is checked while reading, before the expensive part: the file size first, then an XLSX's
declared member sizes and compression ratios before openpyxl opens it, then rows, empty
rows, columns and cell length as rows stream. Going over a limit is a ``FileProblem``
saying which limit and where; the import stops and writes nothing.

Which sheet of a workbook is read, and where its table starts, is decided here too
(``open_table``'s ``sheet`` and ``matches``). The value parsers are in ``values``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from charset_normalizer import from_bytes

# The value parsers live in ``values``; importers may take them from here too.
from .values import (  # noqa: F401
    ATTENDANCE,
    ENROLMENT,
    ROLES,
    SEXES,
    ValueProblem,
    cell_text,
    clean_text,
    normalize_text,
    parse_attendance_status,
    parse_date,
    parse_enrolment_status,
    parse_int,
    parse_roles,
    parse_sex,
    shown,
)

SAMPLE_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
csv.field_size_limit(1024 * 1024)
MB = 1024 * 1024
# Members smaller than this may compress as well as they like (Apache POI's grace size).
RATIO_GRACE_BYTES = 100 * 1024


@dataclass(frozen=True)
class Limits:
    """What one import file may hold. Each has a setting (``LIMIT_SETTINGS``)."""

    # A national roster in one file (issue 8: files run as background jobs): 100,000 rows
    # of people with every column are ~12 MB of CSV.
    max_bytes: int = 25 * MB  # the file as uploaded, CSV or XLSX
    max_rows: int = 100_000  # data rows, the header and empty rows apart
    max_blank_rows: int = 20_000  # empty rows (Excel keeps formatted empty rows)
    max_columns: int = 200  # columns of the header row
    max_cell_chars: int = 1_000  # characters in one cell
    max_expanded_bytes: int = 50 * MB  # XLSX: all parts once decompressed (declared sizes)
    max_ratio: int = 100  # XLSX: decompressed / compressed size of one part
    max_members: int = 1_000  # XLSX: parts in the zip


LIMIT_SETTINGS = {
    "max_bytes": "CASCADA_IMPORT_MAX_BYTES",
    "max_rows": "CASCADA_IMPORT_MAX_ROWS",
    "max_blank_rows": "CASCADA_IMPORT_MAX_BLANK_ROWS",
    "max_columns": "CASCADA_IMPORT_MAX_COLUMNS",
    "max_cell_chars": "CASCADA_IMPORT_MAX_CELL_CHARS",
    "max_expanded_bytes": "CASCADA_IMPORT_MAX_EXPANDED_BYTES",
    "max_ratio": "CASCADA_IMPORT_MAX_RATIO",
    "max_members": "CASCADA_IMPORT_MAX_MEMBERS",
}


def import_limits() -> Limits:
    """The limits in force: the defaults above unless a setting says otherwise."""
    from django.conf import settings

    return Limits(
        **{
            name: int(getattr(settings, setting, getattr(Limits, name)))
            for name, setting in LIMIT_SETTINGS.items()
        }
    )


def human_size(n: int) -> str:
    """Bytes as people read them: 10 MB, 1.5 MB, 800 KB, 12 bytes (same in Spanish)."""
    if n >= MB:
        value = n / MB
        return f"{value:.0f} MB" if value >= 10 or value.is_integer() else f"{value:.1f} MB"
    if n >= 1024:
        return f"{round(n / 1024)} KB"
    return f"{n} bytes"


class FileProblem(Exception):
    """The whole file cannot be read; ``code`` and ``params`` say why (see ``messages``)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number as shown in the spreadsheet, cells)
    close: Callable[[], object] = field(default=lambda: None)  # its result is ignored
    encoding: str = ""
    sheet: str = ""  # the sheet of a workbook that is read
    estimated_rows: int = 0  # for a progress bar only: the declared size, or a guess


# Words that do not tell columns apart: "Fecha de nacimiento" is "fecha nacimiento", and
# "N° DNI", "Nº DNI", "Nro. DNI" and "Número de DNI" are all "dni".
_FILLER_WORDS = {"de", "del", "la", "el", "los", "las", "y", "e"}
_NUMBER_WORDS = {"n", "no", "nro", "nros", "num", "numero", "nr", "number", "nu", "ndeg"}


def header_key(value: Any) -> str:
    """A header as compared with the names a kind accepts: case, accents, punctuation,
    spaces, invisible characters, what is in brackets, "de"/"del" and a leading "N°" or
    "Nro." do not matter."""
    text = normalize_text(clean_text(str(value or "")).replace("°", " ").replace("º", " "))
    # What is in brackets explains the column: "Sexo (M/F)", "Nombre(s)", "Edad (años)".
    text = re.sub(r"\([^)]*\)", " ", text)
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _FILLER_WORDS]
    if len(words) > 1 and words[0] in _NUMBER_WORDS:
        words = words[1:]
    return "_".join(words)


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not clean_text(c)) for c in cells)


# ---------------------------------------------------------------- opening files


HeaderMatch = Callable[[list[str]], bool]
HEADER_SEARCH_ROWS = 10  # title rows an office may put above the table


def open_table(
    stream: IO[bytes],
    filename: str = "",
    limits: Limits | None = None,
    *,
    sheet: str = "",
    matches: HeaderMatch | None = None,
) -> Table:
    """Open a CSV or XLSX file (told apart by content, not by name), within ``limits``
    (``import_limits()`` unless given).

    ``matches`` tells a kind's header row: the table starts at the first of the first rows
    that matches (title rows above it are skipped), and in a workbook the sheet read is
    ``sheet`` when named, else the first visible sheet whose headers match; several
    sheets and none matching is a ``FileProblem`` listing them, never a silent guess."""
    limits = limits or import_limits()
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > limits.max_bytes:
        raise FileProblem("file_too_large", size=human_size(size), max=human_size(limits.max_bytes))
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise FileProblem("empty_file")
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(stream, limits, sheet=sheet, matches=matches)
    if head.startswith(OLE_MAGIC):
        raise FileProblem("old_xls")
    return _open_csv(stream, limits, matches=matches, size=size)


def check_zip(stream: IO[bytes], limits: Limits) -> None:
    """Refuse a zip bomb from its directory alone, before anything is decompressed: too
    many parts, a part decompressing more than ``max_ratio`` times its size, or parts
    adding up to more than ``max_expanded_bytes``. The declared sizes can be trusted as
    upper bounds: Python's zipfile stops every part at its declared size (and then fails
    its checksum), and openpyxl reads through it."""
    from zipfile import BadZipFile, ZipFile

    try:
        with ZipFile(stream) as archive:
            members = archive.infolist()
    except (BadZipFile, OSError, ValueError, EOFError):
        raise FileProblem("bad_xlsx") from None
    finally:
        stream.seek(0)
    if len(members) > limits.max_members:
        raise FileProblem("xlsx_too_many_parts", count=len(members), max=limits.max_members)
    total = 0
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE_BYTES and ratio > limits.max_ratio:
            raise FileProblem(
                "xlsx_ratio", part=info.filename[:80], ratio=int(ratio), max=limits.max_ratio
            )
        total += info.file_size
        if total > limits.max_expanded_bytes:
            raise FileProblem(
                "xlsx_too_large", part=info.filename[:80], max=human_size(limits.max_expanded_bytes)
            )


def _open_xlsx(
    stream: IO[bytes], limits: Limits, *, sheet: str = "", matches: HeaderMatch | None = None
) -> Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip(stream, limits)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheets = list(workbook.worksheets)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError):
        raise FileProblem("bad_xlsx") from None
    try:
        chosen, headers, start, declared = _choose_sheet(sheets, limits, sheet, matches)
    except FileProblem:
        workbook.close()
        raise
    except Exception:  # openpyxl raises many types on damaged files
        workbook.close()
        raise FileProblem("bad_xlsx") from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Cells right of the header belong to no column: they are not even built.
        data = chosen.iter_rows(min_row=start + 1, max_col=len(headers), values_only=True)
        try:
            yield from _limited(enumerate(data, start + 1), headers, limits)
        except FileProblem:
            raise
        except Exception:
            raise FileProblem("bad_xlsx") from None

    return Table(
        headers=headers,
        rows=rows(),
        close=workbook.close,
        encoding="xlsx",
        sheet=chosen.title,
        estimated_rows=max(0, min(declared, limits.max_rows) - start),
    )


def _sheet_names(sheets: list[Any]) -> str:
    from django.utils.translation import pgettext

    hidden = pgettext("a sheet of a workbook", "hidden")

    def name(ws: Any) -> str:
        shown_ = getattr(ws, "sheet_state", "visible") == "visible"
        return f"“{ws.title}”" + ("" if shown_ else f" ({hidden})")

    return ", ".join(name(ws) for ws in sheets)


def _sheet_header(ws: Any, limits: Limits, matches: HeaderMatch | None) -> tuple[list[str], int]:
    # The <dimension> a file declares may be forged ("A1:XFD1048576"): openpyxl would pad
    # every row to it and add empty rows up to it. Read what the sheet really holds.
    ws.reset_dimensions()
    # One column more than allowed, to tell an over-wide header from a full one.
    raw = enumerate(ws.iter_rows(values_only=True, max_col=limits.max_columns + 1), 1)
    return _header_row(raw, limits, matches)


def _choose_sheet(
    sheets: list[Any], limits: Limits, wanted: str, matches: HeaderMatch | None
) -> tuple[Any, list[str], int, int]:
    """The sheet to read, its headers, its header row and its declared last row."""
    if not sheets:
        raise FileProblem("bad_xlsx")
    if wanted:
        key = normalize_text(wanted)
        found = [ws for ws in sheets if normalize_text(ws.title) == key]
        if not found:
            raise FileProblem("unknown_sheet", sheet=wanted[:40], sheets=_sheet_names(sheets))
        candidates = found
    else:
        candidates = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not candidates:
            raise FileProblem("no_visible_sheet", sheets=_sheet_names(sheets))
    first: tuple[Any, list[str], int, int] | None = None
    for ws in candidates:
        declared = ws.max_row or 0  # before reset_dimensions: the declared size
        try:
            headers, start = _sheet_header(ws, limits, matches)
        except FileProblem as problem:
            if problem.code != "empty_file" or wanted or len(candidates) == 1:
                raise
            continue  # an empty sheet beside the table
        if matches is None or wanted or matches(headers):
            return ws, headers, start, declared
        first = first or (ws, headers, start, declared)
    if first is not None and len(candidates) == 1 and len(sheets) == 1:
        # One sheet only: read it, and its missing columns are named to the user.
        return first
    if first is None:
        raise FileProblem("empty_file")
    raise FileProblem("no_matching_sheet", sheets=_sheet_names(sheets))


def _header_row(
    raw: Iterator[tuple[int, Any]], limits: Limits, matches: HeaderMatch | None
) -> tuple[list[str], int]:
    """The header row: the first non-empty row, or with ``matches`` the first of the first
    ``HEADER_SEARCH_ROWS`` non-empty rows that matches (a title above the table is not a
    header). ``raw`` is left just after the header row when it was found by ``matches``
    or is the first non-empty row."""
    first = _first_row(raw, limits)
    if matches is None or matches(first[0]):
        return first
    for _ in range(HEADER_SEARCH_ROWS - 1):
        try:
            candidate = _first_row(raw, limits)
        except FileProblem as problem:
            if problem.code == "empty_file":
                break
            raise
        if matches(candidate[0]):
            return candidate
    return first


def _first_row(raw: Iterator[tuple[int, Any]], limits: Limits) -> tuple[list[str], int]:
    for number, cells in raw:
        cells = list(cells)
        if not _blank(cells):
            while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
                cells.pop()
            if len(cells) > limits.max_columns:
                raise FileProblem("too_many_columns", row=number, max=limits.max_columns)
            headers = [clean_text(str(c)) if c is not None else "" for c in cells]
            _check_cells(number, headers, headers, limits)
            return headers, number
        if number > limits.max_blank_rows:
            raise FileProblem("too_many_blank_rows", row=number, max=limits.max_blank_rows)
    raise FileProblem("empty_file")


def _column_name(headers: list[str], index: int) -> str:
    from openpyxl.utils import get_column_letter

    label = headers[index] if index < len(headers) else ""
    return label[:40] or get_column_letter(index + 1)


def _check_cells(number: int, cells: list[Any], headers: list[str], limits: Limits) -> None:
    for i, value in enumerate(cells):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise FileProblem(
                "cell_too_long",
                row=number,
                column=_column_name(headers, i),
                max=limits.max_cell_chars,
            )


def _limited(
    raw: Iterator[tuple[int, Any]], headers: list[str], limits: Limits
) -> Iterator[tuple[int, list[Any]]]:
    """Data rows (blank ones skipped, keeping their numbers), cut to the header's width,
    stopping with a ``FileProblem`` at the first row over a limit."""
    width = len(headers)
    data = blank = 0
    for number, cells in raw:
        cells = list(cells[:width])
        if _blank(cells):
            blank += 1
            if blank > limits.max_blank_rows:
                raise FileProblem("too_many_blank_rows", row=number, max=limits.max_blank_rows)
            continue
        data += 1
        if data > limits.max_rows:
            raise FileProblem("too_many_rows", row=number, max=limits.max_rows)
        _check_cells(number, cells, headers, limits)
        yield number, cells


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) first, then what charset-normalizer finds among the
    encodings spreadsheets are saved in; Excel's 'CSV' in Spanish Windows is cp1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero.
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.9:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.9:
            return "utf-16-be"
        raise FileProblem("not_a_table")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in sample:
        raise FileProblem("not_a_table")
    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "iso8859_15"]).best()
    if best is None:
        raise FileProblem("not_a_table")
    encoding = best.encoding
    # Spanish text in cp1252 and Latin-1 differ only in rarely used characters; cp1252
    # is what Excel writes, and it reads Latin-1 letters the same way.
    return "cp1252" if encoding in {"latin_1", "iso8859_15", "iso8859_1"} else encoding


def sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_csv(
    stream: IO[bytes], limits: Limits, *, matches: HeaderMatch | None = None, size: int = 0
) -> Table:
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not sample.strip(b" \r\n\t\xef\xbb\xbf"):
        raise FileProblem("empty_file")
    encoding = detect_encoding(sample)
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if not encoding.startswith("utf-16") and control > len(sample) // 100 + 2:
        raise FileProblem("not_a_table")
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        first_line = text.readline()
        while first_line and not first_line.strip():
            first_line = text.readline()
    except UnicodeError:
        raise FileProblem("encoding", row=1) from None
    delimiter = sniff_delimiter(first_line)
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    if matches is not None:
        # Look for the header among the first rows, then read again from the start up to it.
        headers, start = _header_row(_csv_records(reader), limits, matches)
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        raw = _csv_records(reader)
        for _ in range(start):
            next(raw)
    else:
        raw = _csv_records(reader)
        headers, start = _first_row(raw, limits)
    lines = sample.count(b"\n") or 1
    estimate = int(lines * max(size, len(sample)) / max(len(sample), 1)) - start
    return Table(
        headers=headers,
        rows=_limited(raw, headers, limits),
        close=lambda: text.detach(),
        encoding=encoding,
        estimated_rows=max(0, min(estimate, limits.max_rows)),
    )


def _csv_records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeError:
            raise FileProblem("encoding", row=number + 1) from None
        except csv.Error:
            raise FileProblem("bad_csv", row=number + 1) from None
        number += 1
        yield number, cells
