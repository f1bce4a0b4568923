"""The cascade's figures as a table, and that table as CSV or XLSX bytes.

Takes figures already passed through ``selectors.figures_present``: exports never see
more than the page does (S17). The files are written by ``cascada.imports.formats``, whose
``cell`` escapes text a spreadsheet would run as a formula (a program named ``=CMD…``).

Headers, section names and labels are in the active language. A count held back or not
published (``Cell.withheld``/``unpublished``) reads "—", as on the page; a small count
"<5"; a share that cannot be given "–"; a cell that does not apply to its row is empty."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from cascada.core.privacy import Cell
from cascada.imports.formats import STANDARD, Dialect, csv_bytes, xlsx_write

HEADER = [
    pgettext_lazy("cascade export header", "section"),
    pgettext_lazy("cascade export header", "key"),
    pgettext_lazy("cascade export header", "enrolled"),
    pgettext_lazy("cascade export header", "completed"),
    pgettext_lazy("cascade export header", "share"),
    pgettext_lazy("cascade export header", "extra"),
]
HELD_BACK = "—"


def _header() -> list[str]:
    return [str(h) for h in HEADER]


def _section(key: str) -> str:
    sections = {
        "title": pgettext("cascade export section", "title"),
        "reach": pgettext("cascade export section", "reach"),
        "trainers": pgettext("cascade export section", "trainers"),
        "generation": pgettext("cascade export section", "generation"),
        "department": pgettext("cascade export section", "department"),
        "sex": pgettext("cascade export section", "sex"),
        "age": pgettext("cascade export section", "age"),
        "thin": pgettext("cascade export section", "thin"),
    }
    return sections[key]


def _s(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Cell) and (value.withheld or value.unpublished):
        return HELD_BACK
    as_json = getattr(value, "as_json", None)
    return as_json() if as_json else (value if isinstance(value, int | float) else str(value))


def report_rows(shown: dict[str, Any], *, title: str) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_section("title"), title, "", "", "", ""],
        [
            _section("reach"),
            _("people reached"),
            _s(shown["enrolled"]),
            _s(shown["completed"]),
            shown["completion"],
            "",
        ],
        [_section("reach"), _("merely enrolled"), _s(shown["merely_enrolled"]), "", "", ""],
        [_section("reach"), _("contacts"), "", "", "", _s(shown["contacts"])],
        [_section("reach"), _("multiplier"), "", "", "", shown["multiplier"]],
        [
            _section("trainers"),
            _("trained trainers who ran a cohort"),
            _s(shown["trained_trainers"]),
            _s(shown["replicating"]),
            shown["replication_rate"],
            "",
        ],
        [
            _section("trainers"),
            _("median days to first cohort"),
            "",
            "",
            "",
            _s(shown["median_days_to_first_cohort"]),
        ],
    ]
    for lv in shown["levels"]:
        rows.append(
            [
                _section("generation"),
                lv["generation"],
                _s(lv["enrolled"]),
                _s(lv["completed"]),
                lv["completion"],
                lv["replication"],
            ]
        )
    for d in shown["departments"]:
        rows.append(
            [
                _section("department"),
                d["department"],
                _s(d["enrolled"]),
                _s(d["completed"]),
                d["completion"],
                "",
            ]
        )
    for s in shown["by_sex"]:
        rows.append([_section("sex"), str(s["label"]), "", _s(s["completed"]), "", ""])
    for a in shown["by_age"]:
        rows.append([_section("age"), str(a["label"]), "", _s(a["completed"]), "", ""])
    rows.append(
        [_section("thin"), _("idle trained trainers"), "", "", "", _s(shown["idle_trainers"])]
    )
    rows.append(
        [
            _section("thin"),
            _("cohorts on another curriculum version"),
            "",
            "",
            "",
            _s(shown["version_mismatch_cohorts"]),
        ]
    )
    rows.append(
        [
            _section("thin"),
            _("cohorts run without a completed ToT"),
            "",
            "",
            "",
            _s(shown["uncertified_cohorts"]),
        ]
    )
    return rows


def as_csv(rows: list[list[Any]], dialect: Dialect = STANDARD) -> bytes:
    return csv_bytes(_header(), rows, dialect)


def as_xlsx(rows: list[list[Any]]) -> bytes:
    out = io.BytesIO()
    xlsx_write(_header(), rows, out, title="cascade")
    return out.getvalue()


def as_table(rows: list[list[Any]]) -> str:
    table = [_header(), *[[str(v) for v in r] for r in rows]]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) for r in table
    )
