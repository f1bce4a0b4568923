"""What each import problem means, in the reader's language.

Problems are stored as a code and parameters (on ``ImportJob.errors``) and turned into
text when shown, so each user reads them in their own language. The problems of the file
and of values any import reads are here; each kind of import adds the problems of its own
rows when it is registered (``kinds.register``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Any] = {
    # the whole file
    "empty_file": _("The file is empty."),
    "no_rows": _("The file has column headers but no rows."),
    "not_a_table": _("This file is neither a CSV nor an Excel (.xlsx) file."),
    "old_xls": _(
        "Old Excel .xls files cannot be read: save the file as .xlsx or CSV and try again."
    ),
    "bad_xlsx": _("This Excel file is damaged or cannot be read: save it again as .xlsx or CSV."),
    "bad_csv": _("The CSV file is malformed around row %(row)s (an unclosed quote?)."),
    "encoding": _(
        "The characters of the file cannot be read (around row %(row)s): save it as "
        "'CSV UTF-8' or as .xlsx and try again."
    ),
    "missing_columns": _("Required columns are missing: %(columns)s."),
    "unknown_columns": _(
        "These columns hold data but are not columns this import reads: %(columns)s. "
        "Rename them to the expected names, or delete them, and upload the file again."
    ),
    "unknown_sheet": _("The workbook has no sheet named “%(sheet)s”. Its sheets: %(sheets)s."),
    "no_visible_sheet": _(
        "Every sheet of this workbook is hidden (%(sheets)s): choose the sheet to read by its name."
    ),
    "no_matching_sheet": _(
        "No visible sheet of this workbook has the columns of this import. Its sheets: "
        "%(sheets)s. Choose the sheet to read by its name, or check its column names."
    ),
    # limits (parsers.Limits): which one, and where
    "file_too_large": _(
        "The file is too large (%(size)s; at most %(max)s): split it into smaller files."
    ),
    "xlsx_too_many_parts": _(
        "This Excel file has too many internal parts (%(count)s; at most %(max)s): save it "
        "again as .xlsx or CSV with only the table."
    ),
    "xlsx_ratio": _(
        "This Excel file would expand %(ratio)s times its size when opened (part "
        "%(part)s; at most %(max)s times), which suggests a damaged or hostile file: save "
        "it again as .xlsx or CSV."
    ),
    "xlsx_too_large": _(
        "This Excel file would take more than %(max)s once opened (at part %(part)s): "
        "split it into smaller files or save it as CSV."
    ),
    "too_many_columns": _("Row %(row)s has more than %(max)s columns: keep only the table."),
    "too_many_rows": _(
        "The file has more than %(max)s rows (stopped at row %(row)s): split it into files "
        "of at most %(max)s rows."
    ),
    "too_many_blank_rows": _(
        "The file has more than %(max)s empty rows (stopped at row %(row)s): delete the "
        "empty rows and try again."
    ),
    "cell_too_long": _(
        "Row %(row)s, column “%(column)s”: a cell holds more than %(max)s characters."
    ),
    "write_failed": _("Row %(row)s could not be saved (%(reason)s). Nothing was imported."),
    "unexpected": _("An unexpected problem stopped the import. Nothing was imported."),
    # why a commit stopped part way (``ImportJob.commit_problem``)
    "commit_cancelled": _(
        "The import was stopped before row %(row)s: the rows before it were imported, the "
        "others were not."
    ),
    "commit_new_errors": _(
        "New problems were found at row %(row)s while importing, so the import stopped "
        "before writing that part of the file. Review them below."
    ),
    "commit_write_failed": _(
        "Row %(row)s could not be saved (%(reason)s): the import stopped before it."
    ),
    "commit_unexpected": _("An unexpected problem stopped the import."),
    # one cell
    "required": _("This value is required."),
    "too_long": _("Too long: at most %(max)s characters."),
    "bad_sex": _("Unknown sex “%(value)s”: use F, M, other, or leave it blank."),
    "bad_number": _("“%(value)s” is not a whole number."),
    "bad_year": _("“%(value)s” is not a year."),
    "future_year": _("Birth year %(value)s is in the future."),
    "old_year": _("Birth year %(value)s is before 1900."),
    "bad_age": _("Age must be a whole number between 0 and 120."),
    "bad_date": _("“%(value)s” is not a date: write it as day/month/year."),
    "unknown_place": _("Unknown place code “%(value)s”."),
    "bad_id_number": _("An ID number holds only letters and digits, at most 20."),
    "bad_role": _("Unknown role “%(value)s”."),
    "bad_status": _(
        "Unknown attendance status “%(value)s”: use present, absent, excused or make-up."
    ),
    "bad_enrolment_status": _("Unknown enrolment status “%(value)s”: use enrolled or withdrawn."),
    "duplicate_row": _("The same person as row %(other)s."),
    # the rows of each kind are described by the kind (``kinds.ImportKind.messages``)
}


def register_messages(messages: Mapping[str, Any]) -> None:
    """Add the problems of a kind of import (``kinds.register``). A code may be registered
    twice only with the same text."""
    for code, text in messages.items():
        current = MESSAGES.get(code)
        if current is not None and str(current) != str(text):
            raise ValueError(f"Import message {code!r} is already registered with other text.")
        MESSAGES[code] = text


def describe(code: str, params: dict[str, Any] | None = None) -> str:
    """The message for a problem code, translated now, in the active language."""
    template = MESSAGES.get(code)
    if template is None:
        return gettext("Invalid value.")
    text = str(template)
    try:
        return text % (params or {}) if "%(" in text else text
    except (KeyError, ValueError, TypeError):
        return text
