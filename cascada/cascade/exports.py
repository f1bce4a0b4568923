"""The cascade's figures as a table, and that table as CSV or XLSX bytes.

Takes figures already passed through ``selectors.figures_present``: exports never see
more than the page does (S17). The files are written by ``cascada.imports.formats``, whose
``cell`` escapes text a spreadsheet would run as a formula (a program named ``=CMD…``)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from cascada.imports.formats import csv_bytes, xlsx_write

HEADER = ["section", "key", "enrolled", "completed", "share", "extra"]


def _s(value: Any) -> Any:
    if value is None:
        return ""
    as_json = getattr(value, "as_json", None)
    return as_json() if as_json else (value if isinstance(value, int | float) else str(value))


def report_rows(shown: dict[str, Any], *, title: str) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["title", title, "", "", "", ""],
        [
            "reach",
            _("people reached"),
            _s(shown["enrolled"]),
            _s(shown["completed"]),
            shown["completion"],
            "",
        ],
        ["reach", _("merely enrolled"), _s(shown["merely_enrolled"]), "", "", ""],
        ["reach", _("contacts"), "", "", "", _s(shown["contacts"])],
        ["reach", _("multiplier"), "", "", "", shown["multiplier"]],
        [
            "trainers",
            _("trained trainers who ran a cohort"),
            _s(shown["trained_trainers"]),
            _s(shown["replicating"]),
            shown["replication_rate"],
            "",
        ],
        [
            "trainers",
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
                "generation",
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
                "department",
                d["department"],
                _s(d["enrolled"]),
                _s(d["completed"]),
                d["completion"],
                "",
            ]
        )
    for s in shown["by_sex"]:
        rows.append(["sex", str(s["label"]), "", _s(s["completed"]), "", ""])
    for a in shown["by_age"]:
        rows.append(["age", str(a["label"]), "", _s(a["completed"]), "", ""])
    rows.append(["thin", _("idle trained trainers"), "", "", "", _s(shown["idle_trainers"])])
    rows.append(
        [
            "thin",
            _("cohorts on another curriculum version"),
            "",
            "",
            "",
            _s(shown["version_mismatch_cohorts"]),
        ]
    )
    rows.append(
        [
            "thin",
            _("cohorts run without a completed ToT"),
            "",
            "",
            "",
            _s(shown["uncertified_cohorts"]),
        ]
    )
    return rows


def as_csv(rows: list[list[Any]]) -> bytes:
    return csv_bytes(HEADER, rows)


def as_xlsx(rows: list[list[Any]]) -> bytes:
    out = io.BytesIO()
    xlsx_write(HEADER, rows, out, title="cascade")
    return out.getvalue()


def as_table(rows: list[list[Any]]) -> str:
    table = [HEADER, *[[str(v) for v in r] for r in rows]]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) for r in table
    )
