"""The export of anonymised microdata of a program (S18, issue 14): one row per
participant, for an analyst outside the organization, with no identifier and no place
finer than the department (docs/decisions/microdata.md).

- **Who**: a user with ``Cap.EXPORT`` in the program's *owner* organization (M&E
  officers, coordinators, administrators); anyone else gets a 404, partners the program
  is shared with included (their own participants are the owner's rows too). Audited as
  ``microdata_export`` with counts only.
- **Whom**: people enrolled (not withdrawn) in a cohort of the program, started in the
  period when one is asked, who consented to aggregate reporting
  (``registry.consent.reportable``, S15). Court-ordered programs are refused.
- **What**: sex, age band, department, generation, kind of cohort, sessions attended,
  completion, certification as a trainer and a cohort run since, the GEM score before and
  after (both rounds answered) and the DHS wife-beating items before and after; the
  organization's name, a letter, or nothing; the program's name only with names. Never a
  code, an id, a name, an ID number, a year of birth, a date, a cohort or a free text.
- **Row number**: 1..n after shuffling the rows, new in every export: two files cannot be
  linked through it.
- **Small groups** (``protect``): departments and organizations with k rows or fewer are
  pooled ("Other departments"), then the rows whose combination of the characteristics
  someone could know from outside (the *key*) is shared by k rows or fewer lose those
  characteristics one by one ("Withheld"), and rows still alone are left out. k is
  ``core.privacy.threshold``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.cascade.selectors import AGE_BANDS
from cascada.core.errors import ApplicationError, NotFoundError
from cascada.core.privacy import threshold
from cascada.imports.exports import export_check, yes_no
from cascada.imports.formats import CONTENT_TYPES, DIALECTS, EXTENSIONS, cell, csv_bytes
from cascada.registry.models import Organization, Place, Sex
from cascada.trainings.models import CohortKind, Program
from cascada.trainings.selectors import program_list

from .. import periods
from .codebook import (
    LETTERS,
    NAMES,
    NONE,
    Column,
    codebook,
    codebook_headers,
    columns,
    letter,
    not_recorded,
    other_department,
    other_organization,
    withheld_word,
)
from .rows import OTHER, UNKNOWN, WITHHELD, Person, people_read, protect


@dataclass
class Microdata:
    """An export ready to write: translated headers, rows and codebook."""

    fmt: str
    headers: list[str]
    rows: list[list[Any]]
    codebook: list[list[str]]
    left_out: int
    k: int
    filename: str
    period: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]


# ---------------------------------------------------------------- who, and whether


def microdata_program(*, user: Any, pk: Any) -> Program:
    """The program whose microdata ``user`` may export: ``Cap.EXPORT`` in its owner
    organization. Anything else is a 404 (S2), as a program one cannot see."""
    try:
        return program_list(user=user, cap=Cap.EXPORT).get(
            pk=pk, owner_id__in=scope.org_ids(user, Cap.EXPORT)
        )
    except (Program.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def may_export_microdata(*, user: Any, program: Program) -> bool:
    """Whether to offer the link to the microdata page (the same rule as
    ``microdata_program``, for a program already in hand)."""
    return scope.has(user, Cap.EXPORT, program.owner_id)


def microdata_refusal(program: Program) -> str | None:
    """Why a program's microdata is not offered at all, or None."""
    if program.is_court_mandated:
        return _(
            "This program works with men in criminal proceedings: its microdata is not "
            "exported, even anonymised. A man in such a group can be recognised from few "
            "details, and his answers could reach his case. Use the program's indicator "
            "tables, which go through the small-number protection."
        )
    return None


def small_group_k(program: Program) -> int:
    """The k of the small-group rule: ``core.privacy.threshold`` (S17's k)."""
    return threshold(court=program.is_court_mandated)


def _period_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    if not period:
        return None
    try:
        return periods.bounds(period)
    except ValueError:
        raise ApplicationError(
            _(
                "Unknown period: write a year (2025), a quarter (2025Q2), a half (2025S1) or a month (202503)."
            ),
            code="period",
            extra={"field": "period"},
        ) from None


# ---------------------------------------------------------------- the export


def _options(fmt: str, organizations: str) -> None:
    if fmt not in DIALECTS and fmt != "xlsx":
        raise ApplicationError(_("Unknown format."), code="format", extra={"field": "format"})
    if organizations not in (NAMES, LETTERS, NONE):
        raise ApplicationError(
            _("Choose what to do with the organizations' names."),
            code="organizations",
            extra={"field": "organizations"},
        )


def microdata_export(
    *,
    user: Any,
    program: Program,
    fmt: str = "xlsx",
    organizations: str = NONE,
    period: str = "",
    today: dt.date | None = None,
    rng: random.Random | None = None,
) -> Microdata:
    """The program's anonymised microdata for ``user`` (who got ``program`` from
    ``microdata_program``), audited. ``rng`` orders the rows and draws the letters (a
    system source by default: not reproducible, on purpose)."""
    export_check(user, fmt)
    if not scope.has(user, Cap.EXPORT, program.owner_id):
        raise NotFoundError()
    _options(fmt, organizations)
    refusal = microdata_refusal(program)
    if refusal:
        raise ApplicationError(refusal, code="court_program")
    bounds = _period_bounds(period)
    today = today or timezone.localdate()
    rng = rng or secrets.SystemRandom()
    cohorts = program.cohorts.all()
    if bounds is not None:
        cohorts = cohorts.filter(start_date__range=bounds)
    k = small_group_k(program)
    with_org = organizations in (NAMES, LETTERS)
    people = list(people_read(cohorts, today).values())
    kept, left_out = protect(people, k=k, with_organization=with_org)
    rng.shuffle(kept)
    org_names = _organization_words(kept, organizations, rng)
    departments = dict(
        Place.objects.filter(
            pk__in={p.department for p in kept if isinstance(p.department, int)}
        ).values_list("pk", "name")
    )
    cols = columns(organizations)
    rows = [_row(n, p, cols, departments, org_names, program) for n, p in enumerate(kept, start=1)]
    audit_record(
        actor=user,
        action="microdata_export",
        target=program,
        # Counts and options only (S11): the period is a DHIS2 key, a safe short code.
        detail={
            "format": fmt,
            "count": len(rows),
            "left_out": left_out,
            "names": organizations == NAMES,
            "letters": organizations == LETTERS,
            "filter": period or None,
        },
    )
    name = pgettext("file name", "microdata")
    filename = f"{name}-{period}" if period else name
    notes = [
        _(
            "Anonymised microdata: one row per participant who consented to aggregate "
            "reporting. No names, codes, ID numbers, years of birth or dates."
        ),
        _(
            "Small groups (k = %(k)s): departments and organizations with %(k)s people or "
            "fewer are pooled; characteristics shared by %(k)s people or fewer are "
            "withheld; people still alone in their group are left out (here: %(left)s)."
        )
        % {"k": k, "left": left_out},
    ]
    if period:
        notes.append(
            _("Period: cohorts started in %(period)s.") % {"period": periods.label(period)}
        )
    return Microdata(
        fmt=fmt,
        headers=[str(c.header) for c in cols],
        rows=rows,
        codebook=codebook(organizations),
        left_out=left_out,
        k=k,
        filename=f"{filename}.{EXTENSIONS[fmt]}",
        period=period,
        notes=notes,
    )


def _organization_words(
    kept: list[Person], organizations: str, rng: random.Random
) -> dict[Any, str]:
    ids = sorted({p.organization for p in kept if isinstance(p.organization, int)})
    words: dict[Any, str] = {OTHER: other_organization()}
    if organizations == NAMES:
        words.update(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif organizations == LETTERS:
        rng.shuffle(ids)
        words.update({pk: letter(n) for n, pk in enumerate(ids)})
    return words


def _row(
    n: int,
    p: Person,
    cols: list[Column],
    departments: dict[int, str],
    org_names: dict[Any, str],
    program: Program,
) -> list[Any]:
    yes = yes_no()
    sexes = {value: str(label) for value, label in Sex.choices}
    kinds = {value: str(label) for value, label in CohortKind.choices}
    withheld = withheld_word()

    def shown(value: Any, words: dict[Any, str] | None = None) -> Any:
        if value == WITHHELD:
            return withheld
        return words.get(value, value) if words is not None else value

    def score(value: float | None) -> float | str:
        return "" if value is None else round(value, 2)

    both = p.gem_before is not None and p.gem_after is not None
    values: dict[str, Any] = {
        "row": n,
        "sex": shown(p.sex, sexes),
        "age_band": shown(p.age_band, {"unknown": str(dict(AGE_BANDS)["unknown"])}),
        "department": shown(
            p.department,
            {**departments, OTHER: other_department(), UNKNOWN: not_recorded()},
        ),
        "generation": shown(p.generation),
        "kind": shown(p.kind, kinds),
        "sessions": p.sessions,
        "completed": yes[p.completed],
        "certified": withheld if p.certified is None else yes[p.certified],
        "ran": withheld if p.certified is None else yes[p.ran],
        "gem_before": score(p.gem_before) if both else "",
        "gem_after": score(p.gem_after) if both else "",
        "gem_change": score(p.gem_after - p.gem_before) if both else "",  # type: ignore[operator]
        "justify_before": "" if p.justify_before is None else yes[p.justify_before],
        "justify_after": "" if p.justify_after is None else yes[p.justify_after],
        "organization": org_names.get(p.organization, withheld),
        "program": program.name,
    }
    return [values[c.key] for c in cols]


# ---------------------------------------------------------------- files


def microdata_bytes(data: Microdata) -> bytes:
    """The file: CSV in its dialect (the codebook apart: ``codebook_bytes``), or a
    workbook with the data and the codebook. Every cell through ``formats.cell``."""
    if data.fmt in DIALECTS:
        return csv_bytes(data.headers, data.rows, DIALECTS[data.fmt])
    return _xlsx(data)


def codebook_bytes(organizations: str, fmt: str) -> bytes:
    """The codebook alone, as CSV (for a CSV export)."""
    _options(fmt if fmt in DIALECTS else "csv", organizations)
    dialect = DIALECTS.get(fmt, DIALECTS["csv"])
    return csv_bytes(codebook_headers(), codebook(organizations), dialect)


def _xlsx(data: Microdata) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=pgettext("sheet name", "data"))
    sheet.append([cell(v) for v in data.headers])
    for row in data.rows:
        sheet.append([cell(v) for v in row])
    book = workbook.create_sheet(title=pgettext("sheet name", "codebook"))
    book.append([cell(v) for v in codebook_headers()])
    for line in data.codebook:
        book.append([cell(v) for v in line])
    book.append([])
    for note in data.notes:
        book.append([cell(note)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
