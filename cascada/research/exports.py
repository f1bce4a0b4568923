"""The study's analysis as one XLSX workbook, for the study's members only (it holds
excerpts of the transcripts, S3): the framework matrix (codings and participants per
site × stratum), its excerpts, the code co-occurrence matrix, the two generations per
code, and the coders' agreement. Every cell goes through ``imports.formats.cell`` (text
a spreadsheet would run as a formula is shown, never run); headers are in the user's
language. The export writes one audit row with counts only, never a word of a
transcript (S11)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from cascada.audit.services import audit_record
from cascada.core.errors import NotFoundError
from cascada.imports.formats import cell

from .analysis import cooccurrence, framework_matrix, generations, study_reliability
from .models import Study
from .selectors import reads_transcripts

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet: Worksheet, row: int, column: int, value: Any, **style: Any) -> None:
    target = sheet.cell(row=row, column=column, value=cell(value))
    for key, val in style.items():
        setattr(target, key, val)


def _line(sheet: Worksheet, row: int, values: list[Any], **style: Any) -> None:
    for column, value in enumerate(values, start=1):
        _put(sheet, row, column, value, **style)


def _code_name(sheet: Worksheet, row: int, name: str, depth: int) -> None:
    _put(sheet, row, 1, name, alignment=Alignment(indent=depth))


def analysis_xlsx(*, user: Any, study: Study) -> bytes:
    """The workbook (members only: ``NotFoundError`` for anyone else)."""
    if not reads_transcripts(user, study):
        raise NotFoundError()
    matrix = framework_matrix(user=user, study=study, excerpts=None)
    co = cooccurrence(user=user, study=study)
    generation_rows = generations(user=user, study=study)
    agreement = study_reliability(user=user, study=study)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Matrix")
    # Two header rows: the site × stratum over its two figures.
    _put(sheet, 1, 1, _("Code"), font=BOLD)
    for i, column in enumerate(matrix.columns):
        at = 2 + 2 * i
        _put(sheet, 1, at, f"{column.site.name} · {column.stratum.name}", font=BOLD)
        sheet.merge_cells(start_row=1, start_column=at, end_row=1, end_column=at + 1)
    total_at = 2 + 2 * len(matrix.columns)
    _put(sheet, 1, total_at, _("Total"), font=BOLD)
    sheet.merge_cells(start_row=1, start_column=total_at, end_row=1, end_column=total_at + 1)
    _put(sheet, 1, total_at + 2, _("Unattributed codings"), font=BOLD)
    figures = [_("Codings"), _("Participants")]
    for i in range(len(matrix.columns) + 1):
        _put(sheet, 2, 2 + 2 * i, figures[0], font=BOLD)
        _put(sheet, 2, 3 + 2 * i, figures[1], font=BOLD)
    row = 3
    for line in matrix.rows:
        _code_name(sheet, row, line.code.name, line.depth)
        for i, item in enumerate((*line.cells, line.total)):
            _put(sheet, row, 2 + 2 * i, item.references)
            _put(sheet, row, 3 + 2 * i, item.participants)
        _put(sheet, row, total_at + 2, line.unattributed)
        row += 1
    _put(sheet, row, 1, _("Total"), font=BOLD)
    for i, item in enumerate((*matrix.column_totals, matrix.total)):
        _put(sheet, row, 2 + 2 * i, item.references, font=BOLD)
        _put(sheet, row, 3 + 2 * i, item.participants, font=BOLD)
    _put(sheet, row, total_at + 2, matrix.unattributed, font=BOLD)
    row += 1
    _put(sheet, row, 1, _("Participants with a transcript"))
    for i, column in enumerate(matrix.columns):
        _put(sheet, row, 3 + 2 * i, column.took_part)
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = "B3"

    quotes = book.create_sheet(_("Excerpts"))
    _line(
        quotes,
        1,
        [
            _("Code"),
            _("Site"),
            _("Age group"),
            _("Participants"),
            _("Transcript"),
            _("Coding"),
            _("Excerpt"),
        ],
        font=BOLD,
    )
    row = 2
    excerpts = 0
    for line in matrix.rows:
        for column, item in zip(matrix.columns, line.cells, strict=True):
            for excerpt in item.excerpts:
                _line(
                    quotes,
                    row,
                    [
                        line.code.name,
                        column.site.name,
                        column.stratum.name,
                        ", ".join(excerpt.participants),
                        excerpt.transcript_name,
                        excerpt.coding_id,
                    ],
                )
                _put(quotes, row, 7, excerpt.text, alignment=WRAP)
                row += 1
                excerpts += 1
    quotes.column_dimensions["A"].width = 30
    quotes.column_dimensions["G"].width = 90

    pairs = book.create_sheet(_("Co-occurrence"))
    _put(pairs, 1, 1, _("Code"), font=BOLD)
    for j, code in enumerate(co.codes):
        _put(pairs, 1, 2 + j, code.name, font=BOLD)
    for i, (code, depth) in enumerate(zip(co.codes, co.depths, strict=True)):
        _code_name(pairs, 2 + i, code.name, depth)
        for j, count in enumerate(co.counts[i]):
            _put(pairs, 2 + i, 2 + j, count)
    pairs.column_dimensions["A"].width = 40

    ages = book.create_sheet(_("Generations"))
    strata = generation_rows[0].shares if generation_rows else ()
    headers: list[Any] = [_("Code")]
    for share in strata:
        name = share.stratum.name
        headers += [
            _("%(group)s: mention it") % {"group": name},
            _("%(group)s: took part") % {"group": name},
            _("%(group)s: share") % {"group": name},
        ]
    headers.append(_("Difference (percentage points)"))
    _line(ages, 1, headers, font=BOLD)
    for r, generation in enumerate(generation_rows, start=2):
        _code_name(ages, r, generation.code.name, generation.depth)
        for k, share in enumerate(generation.shares):
            at = 2 + 3 * k
            _put(ages, r, at, share.mentioned)
            _put(ages, r, at + 1, share.took_part)
            _put(ages, r, at + 2, share.share, number_format="0.0%")
        _put(ages, r, 2 + 3 * len(generation.shares), generation.difference, number_format="0.0")
    ages.column_dimensions["A"].width = 40

    agree = book.create_sheet(_("Reliability"))
    _line(
        agree,
        1,
        [_("Code"), _("Units"), _("Agreement"), _("Cohen's kappa"), _("Krippendorff's alpha")],
        font=BOLD,
    )
    if agreement is None:
        _put(agree, 2, 1, _("No double-coded transcript has two coders yet."))
    else:
        entries = [(str(c.code), c) for c in agreement.per_code]  # Code rows: their name
        entries.append((_("All codes"), agreement.overall))
        for r, (name, entry) in enumerate(entries, start=2):
            _put(agree, r, 1, name, font=BOLD if entry.code is None else Font())
            _put(agree, r, 2, entry.units)
            _put(agree, r, 3, entry.agreement, number_format="0.0%")
            _put(agree, r, 4, entry.kappa, number_format="0.00")
            _put(agree, r, 5, entry.alpha, number_format="0.00")
    agree.column_dimensions["A"].width = 40

    out = io.BytesIO()
    book.save(out)
    # Counts only: never a code's name or a word of a transcript (S11).
    audit_record(
        actor=user,
        action="export",
        target=study,
        detail={
            "kind": "analysis",
            "format": "xlsx",
            "codes": len(matrix.rows),
            "codings": matrix.total.references,
            "excerpts": excerpts,
        },
    )
    return out.getvalue()
