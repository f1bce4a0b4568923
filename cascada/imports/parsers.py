"""Reading spreadsheets people actually send: CSV from Excel in any common encoding or
delimiter, and XLSX. Rows are streamed, never loaded whole, and numbered as the user sees
them in the spreadsheet (the header is row 1).

Files can be hostile (a 1 MB XLSX whose shared strings expand to hundreds of MB, a small
file with a hundred thousand rows), so every read is bounded by ``Limits`` and each limit
is checked while reading, before the expensive part: the file size first, then an XLSX's
declared member sizes and compression ratios before openpyxl opens it, then rows, empty
rows, columns and cell length as rows stream. Going over a limit is a ``FileProblem``
saying which limit and where; the import stops and writes nothing.

Also the small value parsers every import shares (sex, dates, years, statuses), which
turn what people type in Spanish or English into Cascada's values.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from charset_normalizer import from_bytes

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

    max_bytes: int = 10 * MB  # the file as uploaded, CSV or XLSX
    max_rows: int = 20_000  # data rows, the header and empty rows apart
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


def normalize_text(value: str) -> str:
    """Accents removed, casefolded, spaces collapsed: 'Año  Nacimiento' -> 'ano nacimiento'."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def header_key(value: Any) -> str:
    text = normalize_text(str(value or ""))
    text = re.sub(r"[^a-z0-9]+", "_", text)
    return text.strip("_")


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# ---------------------------------------------------------------- opening files


def open_table(stream: IO[bytes], filename: str = "", limits: Limits | None = None) -> Table:
    """Open a CSV or XLSX file (told apart by content, not by name), within ``limits``
    (``import_limits()`` unless given)."""
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
        return _open_xlsx(stream, limits)
    if head.startswith(OLE_MAGIC):
        raise FileProblem("old_xls")
    return _open_csv(stream, limits)


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


def _open_xlsx(stream: IO[bytes], limits: Limits) -> Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip(stream, limits)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError):
        raise FileProblem("bad_xlsx") from None
    # The <dimension> a file declares may be forged ("A1:XFD1048576"): openpyxl would pad
    # every row to it and add empty rows up to it. Read what the sheet really holds.
    sheet.reset_dimensions()

    try:
        # One column more than allowed, to tell an over-wide header from a full one.
        raw = enumerate(sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1), 1)
        headers, start = _first_row(raw, limits)
    except FileProblem:
        workbook.close()
        raise
    except Exception:  # openpyxl raises many types on damaged files
        workbook.close()
        raise FileProblem("bad_xlsx") from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Cells right of the header belong to no column: they are not even built.
        data = sheet.iter_rows(min_row=start + 1, max_col=len(headers), values_only=True)
        try:
            yield from _limited(enumerate(data, start + 1), headers, limits)
        except FileProblem:
            raise
        except Exception:
            raise FileProblem("bad_xlsx") from None

    return Table(headers=headers, rows=rows(), close=workbook.close, encoding="xlsx")


def _first_row(raw: Iterator[tuple[int, Any]], limits: Limits) -> tuple[list[str], int]:
    for number, cells in raw:
        cells = list(cells)
        if not _blank(cells):
            while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
                cells.pop()
            if len(cells) > limits.max_columns:
                raise FileProblem("too_many_columns", row=number, max=limits.max_columns)
            headers = [str(c).strip() if c is not None else "" for c in cells]
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


def _open_csv(stream: IO[bytes], limits: Limits) -> Table:
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
    raw = _csv_records(reader)
    headers, _start = _first_row(raw, limits)
    return Table(
        headers=headers,
        rows=_limited(raw, headers, limits),
        close=lambda: text.detach(),
        encoding=encoding,
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


# ---------------------------------------------------------------- values


class ValueProblem(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def cell_text(value: Any) -> str:
    """A cell as text; Excel numbers that are really codes lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def shown(value: Any, limit: int = 30) -> str:
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


SEXES = {
    "female": {"f", "female", "femenino", "femenina", "mujer", "w", "woman", "fem"},
    "male": {"m", "male", "masculino", "hombre", "varon", "h", "man", "masc"},
    "other": {"o", "x", "other", "otro", "otra", "no binario", "non binary", "nonbinary"},
    "not_stated": {
        "",
        "ns",
        "nd",
        "-",
        "not stated",
        "no indica",
        "no precisa",
        "prefiere no decir",
        "prefer not to say",
        "sin dato",
        "desconocido",
        "unknown",
    },
}
_SEX_LOOKUP = {alias: value for value, aliases in SEXES.items() for alias in aliases}


def parse_sex(value: Any) -> str:
    key = normalize_text(cell_text(value)).rstrip(".")
    try:
        return _SEX_LOOKUP[key]
    except KeyError:
        raise ValueProblem("bad_sex", value=shown(value)) from None


ATTENDANCE = {
    "present": {
        "present",
        "presente",
        "p",
        "asistio",
        "asistencia",
        "si",
        "yes",
        "x",
        "1",
        "a tiempo",
    },
    "absent": {"absent", "ausente", "a", "falta", "falto", "no", "0", "inasistencia", "f"},
    "excused": {
        "excused",
        "justificado",
        "justificada",
        "j",
        "falta justificada",
        "ausencia justificada",
        "permiso",
        "e",
    },
    "makeup": {
        "makeup",
        "make-up",
        "make up",
        "recuperacion",
        "recupero",
        "recuperada",
        "recuperado",
        "r",
    },
}
_ATTENDANCE_LOOKUP = {alias: value for value, aliases in ATTENDANCE.items() for alias in aliases}


def parse_attendance_status(value: Any) -> str:
    key = normalize_text(cell_text(value)).rstrip(".")
    try:
        return _ATTENDANCE_LOOKUP[key]
    except KeyError:
        raise ValueProblem("bad_status", value=shown(value)) from None


ENROLMENT = {
    "enrolled": {
        "",
        "enrolled",
        "inscrito",
        "inscrita",
        "matriculado",
        "matriculada",
        "activo",
        "activa",
        "active",
    },
    "withdrawn": {"withdrawn", "retirado", "retirada", "baja", "desertor", "desertora", "abandono"},
}
_ENROLMENT_LOOKUP = {alias: value for value, aliases in ENROLMENT.items() for alias in aliases}


def parse_enrolment_status(value: Any) -> str:
    key = normalize_text(cell_text(value)).rstrip(".")
    try:
        return _ENROLMENT_LOOKUP[key]
    except KeyError:
        raise ValueProblem("bad_enrolment_status", value=shown(value)) from None


ROLES = {
    "participant": {"participant", "participante"},
    "promoter": {"promoter", "promotor", "promotora"},
    "facilitator": {"facilitator", "facilitador", "facilitadora"},
    "trainer": {"trainer", "capacitador", "capacitadora"},
    "mentor": {"mentor", "mentora"},
    "activist": {"activist", "activista"},
    "researcher": {"researcher", "investigador", "investigadora"},
}
_ROLE_LOOKUP = {alias: value for value, aliases in ROLES.items() for alias in aliases}


def parse_roles(value: Any) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[,;/|]", cell_text(value)):
        key = normalize_text(part)
        if not key:
            continue
        try:
            role = _ROLE_LOOKUP[key]
        except KeyError:
            raise ValueProblem("bad_role", value=shown(part)) from None
        if role not in out:
            out.append(role)
    return out


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueProblem("bad_number", value=shown(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)) if "." in text else int(text)
    raise ValueProblem("bad_number", value=shown(value))


EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?: .*)?$")


def parse_date(value: Any) -> dt.date:
    """Day first: 05/03/2026 is the 5th of March. Also ISO dates, two-digit years and
    Excel serial numbers (days since 1899-12-30)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value, value)
    text = cell_text(value)
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            year = int(m[3])
            if len(m[3]) == 2:
                year += 2000
            return dt.date(year, int(m[2]), int(m[1]))
    except ValueError:
        raise ValueProblem("bad_date", value=shown(value)) from None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial(float(text), value)
    raise ValueProblem("bad_date", value=shown(value))


def _serial(number: float, original: Any) -> dt.date:
    if not 1 <= number < 2958466:
        raise ValueProblem("bad_date", value=shown(original))
    return EXCEL_EPOCH + dt.timedelta(days=int(number))
