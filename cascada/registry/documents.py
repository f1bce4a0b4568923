"""ID documents: the one place their rules live (docs/decisions/documents.md).

``normalise(kind, value)`` turns what a person typed, or what a spreadsheet cell holds,
into the canonical number of that document, or raises ``DocumentError`` with a reason
code and a translatable message. The person form, the API and the people importer all
reach it through ``registry.services`` (``person_create``, ``person_update``) or call it
directly (the importer, per row). ``lookup_value`` is what the keyed hash
``Identity.national_id_hash`` is computed from; ``lookup_values`` gives the candidates for
a search text whose document type is unknown.

- Peru, DNI: 8 digits. The card prints a check digit after a hyphen (RENIEC's mod 11 with
  weights 3, 2, 7, 6, 5, 4, 3, 2, as a digit or a letter A–K): accepted and verified when
  given, never stored.
- Peru, carné de extranjería: 9 digits (cards issued by Migraciones); 6 to 12 letters and
  digits on older cards, kept as printed.
- Bolivia, cédula de identidad: 5 to 10 digits, an optional SEGIP complement (a digit and
  a letter, "1234567-1A") and an optional issuing department (LP, CB, SC, OR, PT, CH, TJ,
  BE, PD). The department is kept but is not part of the look-up key.
- Passport: 6 to 12 letters and digits, at least one digit.
- Other: letters, digits and hyphens, at most 20.

Spreadsheets: a number cell is repaired only when nothing was lost (a DNI that lost its
leading zeros is padded back to 8 digits; ``1.2345678E+07`` holds all eight digits), and
refused with the reason otherwise. Error parameters never hold the number itself (import
errors are stored on the job, S11).
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError

DNI = "dni"
CE = "ce"
CI = "ci"
PASSPORT = "passport"
OTHER = "other"
KINDS = (DNI, CE, CI, PASSPORT, OTHER)

DNI_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
DNI_CHECK_DIGITS = "65432110987"
DNI_CHECK_LETTERS = "KJIHGFEDCBA"

CI_DEPARTMENTS = ("LP", "CB", "SC", "OR", "PT", "CH", "TJ", "BE", "PD")
# Spellings seen on forms for the same departments.
CI_DEPARTMENT_ALIASES = {"CBBA": "CB", "SCZ": "SC", "BN": "BE", "PA": "PD", "CHQ": "CH"}

# A double holds every integer up to 2**53 exactly; 15 digits is what Excel keeps.
EXCEL_DIGITS = 15

REASONS: dict[str, Any] = {
    "unknown_document": _("Unknown ID document type."),
    "dni_short": _(
        "A DNI has 8 digits; this one has %(count)s. If a spreadsheet removed its leading "
        "zeros, type the number as text, with the zeros."
    ),
    "dni_long": _("A DNI has 8 digits; this one has %(count)s."),
    "dni_digits": _("A DNI holds only digits (and, after a hyphen, the check digit of the card)."),
    "dni_check": _(
        "The check digit after the hyphen does not match this DNI: compare the number with "
        "the card."
    ),
    "ce_format": _(
        "A foreigner's card (carné de extranjería) number has 9 digits, or 6 to 12 letters "
        "and digits on older cards."
    ),
    "ce_excel_zeros": _(
        "A spreadsheet stored this foreigner's card number as a number and may have removed "
        "its leading zeros: format the column as Text and type the number as printed."
    ),
    "ci_format": _(
        "A Bolivian identity card (CI) number has 5 to 10 digits, then optionally its "
        "complement (a digit and a letter) and the department, e.g. 1234567-1A LP."
    ),
    "passport_format": _(
        "A passport number has 6 to 12 letters and digits, at least one of them a digit."
    ),
    "other_format": _("An ID number holds only letters, digits and hyphens, at most 20."),
    "excel_digits_lost": _(
        "A spreadsheet wrote this number in scientific notation (like 1.23457E+07) and its "
        "last digits were lost: format the column as Text, type the number again and export "
        "the file once more."
    ),
    "excel_not_whole": _(
        "This ID number has decimals: a spreadsheet treated it as a number. Format the "
        "column as Text and type the number again."
    ),
}


class DocumentError(ApplicationError):
    """An ID number that breaks its document's rules. ``reason`` is a key of ``REASONS``
    and ``params`` its parameters (counts, never the number)."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(
            describe(reason, params),
            code="invalid_document",
            extra={"field": "national_id", "reason": reason},
        )
        self.reason = reason
        self.params = params


def describe(reason: str, params: dict[str, Any] | None = None) -> str:
    """The message of a reason, in the active language."""
    text = str(REASONS.get(reason, REASONS["other_format"]))
    return text % params if params and "%(" in text else text


def dni_check_characters(number: str) -> str:
    """The two forms of a DNI's check character (a digit and a letter), for 8 digits."""
    total = sum(w * int(d) for w, d in zip(DNI_WEIGHTS, number, strict=True)) % 11
    return DNI_CHECK_DIGITS[total] + DNI_CHECK_LETTERS[total]


# ---------------------------------------------------------------- spreadsheet repair

_E_NOTATION = re.compile(r"^(\d+)(?:[.,](\d*))?E\+?(\d{1,2})$")
_WHOLE_WITH_ZEROS = re.compile(r"^(\d+)[.,]0+$")


def _from_cell(value: Any) -> tuple[str, bool]:
    """The text of a value and whether it was a number in a spreadsheet (so it may have
    lost leading zeros). Refuses numbers whose digits did not all survive."""
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise DocumentError("excel_not_whole")
        whole = int(value)
        if len(str(abs(whole))) > EXCEL_DIGITS:
            raise DocumentError("excel_digits_lost")
        return str(whole), True
    text = str(value).strip().upper()
    m = _E_NOTATION.match(text.replace(" ", ""))
    if m:
        head, tail, exponent = m.group(1), m.group(2) or "", int(m.group(3))
        if len(tail) > exponent:
            raise DocumentError("excel_not_whole")
        if len(tail) < exponent:  # the zeros Excel would append are guesses, not digits
            raise DocumentError("excel_digits_lost")
        return (head + tail).lstrip("0") or "0", True
    m = _WHOLE_WITH_ZEROS.match(text)
    if m:
        return m.group(1), True
    return text, False


# ---------------------------------------------------------------- per document


def _dni(text: str, numeric: bool) -> str:
    compact = re.sub(r"[\s.]", "", text)
    m = re.fullmatch(r"(\d{8})-?([0-9A-K])", compact)
    if m and not numeric:
        number, check = m.groups()
        if check not in dni_check_characters(number):
            if "-" in compact:
                raise DocumentError("dni_check")
            raise DocumentError("dni_long", count=len(compact))
        return number
    if "-" in compact and re.fullmatch(r"\d+-[0-9A-Z]", compact):
        digits = compact.split("-")[0]
        raise DocumentError("dni_short" if len(digits) < 8 else "dni_long", count=len(digits))
    if not compact.isdigit():
        raise DocumentError("dni_digits")
    if len(compact) > 8:
        raise DocumentError("dni_long", count=len(compact))
    if len(compact) < 8:
        if not numeric:
            raise DocumentError("dni_short", count=len(compact))
        return compact.zfill(8)  # the leading zeros a number cell dropped: lossless
    return compact


def _ce(text: str, numeric: bool) -> str:
    compact = re.sub(r"[\s.\-]", "", text)
    if numeric and len(compact) < 9:
        raise DocumentError("ce_excel_zeros")
    if re.fullmatch(r"\d{9}", compact) or (
        re.fullmatch(r"[A-Z0-9]{6,12}", compact) and any(c.isdigit() for c in compact)
    ):
        return compact
    raise DocumentError("ce_format")


_CI = re.compile(
    r"^(?P<number>\d{5,10})"
    r"(?:-?(?P<complement>\d[A-Z]))?"
    r"(?:-?(?P<department>[A-Z]{2,4}))?$"
)


def _ci(text: str, numeric: bool) -> str:
    compact = re.sub(r"[\s.]", "", text).replace("EXP", "")
    m = _CI.match(compact)
    if not m:
        raise DocumentError("ci_format")
    number, complement, department = m.group("number", "complement", "department")
    if department:
        department = CI_DEPARTMENT_ALIASES.get(department, department)
        if department not in CI_DEPARTMENTS:
            raise DocumentError("ci_format")
    out = number + (f"-{complement}" if complement else "")
    return f"{out} {department}" if department else out


def _passport(text: str, numeric: bool) -> str:
    compact = re.sub(r"[\s.\-]", "", text)
    if re.fullmatch(r"[A-Z0-9]{6,12}", compact) and any(c.isdigit() for c in compact):
        return compact
    raise DocumentError("passport_format")


def _other(text: str, numeric: bool) -> str:
    compact = re.sub(r"[\s.]", "", text)
    if re.fullmatch(r"[A-Z0-9\-]{1,20}", compact):
        return compact
    raise DocumentError("other_format")


_RULES = {DNI: _dni, CE: _ce, CI: _ci, PASSPORT: _passport, OTHER: _other}


def normalise(kind: str, value: Any) -> str:
    """The canonical number of a ``kind`` document (``IdDocument`` values), "" for a blank
    value; ``DocumentError`` when the value breaks the rules or a spreadsheet lost
    digits. ``value`` may be a spreadsheet cell (int or float)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    rule = _RULES.get(kind)
    if rule is None:
        raise DocumentError("unknown_document")
    text, numeric = _from_cell(value)
    return rule(text, numeric)


def lookup_value(kind: str, canonical: str) -> str:
    """What the keyed hash of a canonical number is computed from: the number itself, but a
    Bolivian CI without its issuing department (the same card, whether or not the
    department was written)."""
    if kind == CI:
        return canonical.split(" ")[0]
    return canonical


def lookup_values(text: str) -> set[str]:
    """The look-up values a search text may stand for, whatever its document type: for
    "12345678-1" the DNI 12345678, for "1234567 LP" the CI 1234567, and the text as it
    was typed (upper case, without spaces) for numbers stored before these rules."""
    out: set[str] = set()
    raw = re.sub(r"\s", "", (text or "").upper())
    if raw:
        out.add(raw)
    for kind in KINDS:
        try:
            canonical = normalise(kind, text)
        except DocumentError:
            continue
        if canonical:
            out.add(lookup_value(kind, canonical))
    return out


def reference_value(kind: str, value: Any) -> str:
    """The look-up value of a number that refers to someone already registered when its
    document type is not given (enrolment and attendance imports): the number by the rules
    of ``kind`` (the organization's national card) when it meets them, else as written
    (a foreigner's card, a passport). A spreadsheet that lost digits is still refused."""
    try:
        return lookup_value(kind, normalise(kind, value))
    except DocumentError as exc:
        if exc.reason.startswith("excel_"):
            raise
    text, _numeric = _from_cell(value)
    return re.sub(r"[\s.]", "", text)
