"""What each import problem means, in the reader's language.

Problems are stored as a code and parameters (on ``ImportJob.errors``) and turned into
text when shown, so each user reads them in their own language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cascada.registry.documents import REASONS as DOCUMENT_REASONS

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
    "duplicate_enrolment": _("The same person and cohort as row %(other)s."),
    "duplicate_mark": _("The same person and session as row %(other)s."),
    # Only ever a person the importer may see (ADR 0005).
    "id_registered": _(
        "This ID number is already registered (person %(code)s): check whether it is the "
        "same person."
    ),
    "id_conflict": _(
        "This ID number belongs to person %(code)s, registered with another name or sex: "
        "nothing was changed. Check the number; if it is right, correct that person's "
        "record first."
    ),
    "possible_duplicate": _(
        "A person with the same name, birth year and place is already registered (person %(code)s)."
    ),
    "unknown_person_code": _("No person with code “%(value)s” in this organization."),
    "unknown_person": _("No person with this code or ID number."),
    "person_required": _("Give the person's code or ID number."),
    "unknown_cohort": _("Unknown cohort “%(value)s”."),
    "session_required": _("Give the session number or the session date."),
    "unknown_session": _("Cohort %(cohort)s has no session %(value)s."),
    "ambiguous_session": _(
        "Cohort %(cohort)s has several sessions on %(value)s: give the session number."
    ),
    "session_closed": _(
        "Session %(value)s was cancelled or has only a headcount: names cannot be recorded."
    ),
    "not_enrolled": _("This person is not enrolled in cohort %(cohort)s."),
    "session_future": _("Session %(value)s is on %(date)s: attendance is recorded from that day."),
    # the rules of each ID document (registry.documents), by their reason codes
    **DOCUMENT_REASONS,
}


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
