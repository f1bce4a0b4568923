"""The text of a cell and the small value parsers every import shares: text cleaned of
what nobody sees, sex, dates, years, whole numbers, statuses and roles, turning what
people type in Spanish or English into Cascada's values. ``ValueProblem`` says what is
wrong with one value (a code of ``messages``)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

# Control characters and characters nobody sees: zero-width spaces and joiners, word
# joiner, byte-order mark, soft hyphen, bidirectional marks, embeddings and isolates.
# Pasted from web pages, PDFs and WhatsApp, they make "Ana" and "Ana\u200b" two people.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
# Every other kind of space (no-break, thin, ideographic, tab, line breaks in a cell).
_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """Text as it was meant: invisible and control characters removed, every kind of space
    (NBSP, tabs, line breaks inside a cell) made one space, trimmed. Applied to every text
    cell an importer reads."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", value)).strip()


def normalize_text(value: str) -> str:
    """Accents removed, casefolded, spaces collapsed: 'Año  Nacimiento' -> 'ano nacimiento'."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


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
    return clean_text(str(value))


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
