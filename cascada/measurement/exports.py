"""A round's scores as a spreadsheet (CSV, CSV for Excel in Spanish, XLSX), for those who
may read respondents' answers (``selectors.response_list_reveal``: audited). One row per
respondent: the pseudonymous code (never a name), the total, each subscale, the category,
how many items were answered, and each item's answer as the option's code. Cells are
written by ``imports.formats`` (safe against formulas however the sheet splits them)."""

from __future__ import annotations

import io
from typing import Any

from cascada.imports.formats import DIALECTS, csv_write, xlsx_write

from .models import Round
from .scoring import Spec
from .selectors import response_list_reveal


def scores_export(*, user: Any, survey: Round, fmt: str) -> bytes:
    spec = Spec.of(survey.version)
    items = [i.code for i in spec.items]
    headers = [
        "respondent",
        "source",
        "submitted_at",
        "total",
        *[f"subscale_{s}" for s in spec.subscales],
        "category",
        "answered",
        *items,
    ]
    rows = [
        [
            r.person.code if r.person is not None else "",
            r.source,
            r.submitted_at.date().isoformat() if r.submitted_at else "",
            r.total,
            *[r.subscales.get(s) for s in spec.subscales],
            r.category,
            r.answered,
            *[r.answers.get(code, "") for code in items],
        ]
        for r in response_list_reveal(user=user, survey=survey).order_by("person__code", "pk")
    ]
    if fmt == "xlsx":
        out = io.BytesIO()
        xlsx_write(headers, rows, out, title=f"ronda-{survey.pk}")
        return out.getvalue()
    text = io.StringIO()
    csv_write(headers, rows, text, DIALECTS[fmt])
    return text.getvalue().encode("utf-8")  # the dialect writes the BOM Excel needs
