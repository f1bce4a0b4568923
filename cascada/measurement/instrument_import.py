"""An organization's own instrument from an XLSForm file (the format its M&E officer
already writes for ODK Collect and KoboToolbox; docs/decisions/measurement.md).

- Every ``select_one <list>`` question of the ``survey`` sheet becomes an item: its
  ``name`` the item code, ``label::Español (es)`` (or ``label``) its Spanish text,
  ``label::English (en)`` its English text. Other question types are not items (notes,
  the respondent's code, consent); they are listed back, not dropped silently.
- Three optional columns say how it scores: ``cascada_reverse`` (yes: reverse-coded),
  ``cascada_subscale`` (the subscale's code), ``cascada_scored`` (no: asked, not counted).
- The ``choices`` sheet gives the answers: ``list_name``, ``name`` (the option code),
  labels, and ``cascada_score`` (blank: not scored, like "don't know"). Without that
  column, choice names that are whole numbers are their own scores.
- ``settings``: ``form_title`` names the instrument and ``form_id`` its code.

The result is a draft version of a new instrument of the organization (or the next
version of the instrument with that code): its items are checked and published on the
version page, with its missing-answer and category rules.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.imports.values import clean_text
from cascada.registry.models import Organization

from .models import (
    Instrument,
    InstrumentVersion,
    Item,
    ResponseOption,
    Subscale,
    VersionStatus,
    Wording,
)

YES = {"yes", "si", "sí", "true", "1", "y"}
NO = {"no", "false", "0", "n"}


def _sheet(book: Any, name: str) -> list[dict[str, str]]:
    if name not in book.sheetnames:
        return []
    rows = list(book[name].iter_rows(values_only=True))
    if not rows:
        return []
    headers = [clean_text(str(h or "")).strip().lower() for h in rows[0]]
    out = []
    for row in rows[1:]:
        values = {
            h: clean_text(str(v)).strip() if v is not None else ""
            for h, v in zip(headers, row, strict=False)
            if h
        }
        if any(values.values()):
            out.append(values)
    return out


def _label(row: dict[str, str], language: str) -> str:
    for key, value in row.items():
        if key.startswith("label") and language in key and value:
            return value
    return ""


def _spanish(row: dict[str, str]) -> str:
    return _label(row, "(es)") or _label(row, "español") or row.get("label", "")


def instrument_from_xlsform(
    *, actor: Any, organization: Organization, data: bytes
) -> InstrumentVersion:
    """A draft version from an XLSForm workbook, or an ``ApplicationError`` listing every
    problem with its sheet, row and column. Nothing is written unless all is well."""
    if actor is not None and organization.pk not in scope.org_ids(actor, Cap.MANAGE_MEASUREMENT):
        raise PermissionDeniedError()
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # not a workbook: any of openpyxl's many errors
        raise ApplicationError(
            _("This is not an XLSForm workbook (.xlsx) that can be read."), code="not_xlsform"
        ) from exc
    survey, choices, settings = (
        _sheet(book, "survey"),
        _sheet(book, "choices"),
        _sheet(book, "settings"),
    )
    problems: list[str] = []
    if not survey:
        problems.append(str(_("The workbook has no “survey” sheet with questions.")))
    options: dict[str, list[tuple[str, str, str, int | None]]] = {}
    for n, row in enumerate(choices, start=2):
        listed, name = row.get("list_name", ""), row.get("name", "")
        if not listed or not name:
            continue
        raw = row.get("cascada_score", "")
        score: int | None
        if "cascada_score" in row:
            score = int(raw) if re.fullmatch(r"-?\d+", raw) else None
            if raw and score is None:
                problems.append(
                    str(
                        _("choices, row %(row)s, cascada_score: “%(value)s” is not a whole number.")
                    )
                    % {"row": n, "value": raw[:20]}
                )
        else:
            score = int(name) if re.fullmatch(r"-?\d+", name) else None
        options.setdefault(listed, []).append(
            (name, _spanish(row) or name, _label(row, "(en)"), score)
        )
    items: list[dict[str, Any]] = []
    skipped: list[str] = []
    unscored: set[str] = set()
    selects = 0
    for n, row in enumerate(survey, start=2):
        kind = row.get("type", "").split()
        name = row.get("name", "")
        if len(kind) == 2 and kind[0] == "select_one":
            selects += 1
            scale = kind[1]
            text = _spanish(row)
            if not re.fullmatch(r"[A-Za-z_][\w.-]{0,39}", name):
                problems.append(
                    str(
                        _("survey, row %(row)s: “%(name)s” is not a question name XLSForm accepts.")
                    )
                    % {"row": n, "name": name[:40]}
                )
                continue
            if scale not in options:
                problems.append(
                    str(_("survey, row %(row)s: the list “%(list)s” is not in the choices sheet."))
                    % {"row": n, "list": scale}
                )
                continue
            if not any(score is not None for *_x, score in options[scale]):
                if scale not in unscored:
                    unscored.add(scale)
                    problems.append(
                        str(
                            _(
                                "choices, list “%(list)s”: no answer has a score (add a "
                                "cascada_score column, or use numbers as choice names)."
                            )
                        )
                        % {"list": scale}
                    )
                continue
            if not text:
                problems.append(
                    str(_("survey, row %(row)s: the question “%(name)s” has no label."))
                    % {"row": n, "name": name}
                )
                continue
            items.append(
                {
                    "code": name[:40],  # as the form names it: exports carry it
                    "text_es": text,
                    "text_en": _label(row, "(en)"),
                    "scale": slugify(scale)[:40],
                    "reverse": row.get("cascada_reverse", "").lower() in YES,
                    "scored": row.get("cascada_scored", "").lower() not in NO,
                    "subscale": slugify(row.get("cascada_subscale", ""))[:40],
                }
            )
        elif name and kind and kind[0] not in ("begin_group", "end_group", "begin", "end"):
            skipped.append(name)
    if not selects and survey:
        problems.append(str(_("The form has no select_one question: nothing can be scored.")))
    codes = [i["code"] for i in items]
    if len(set(codes)) != len(codes):
        problems.append(str(_("Two questions have the same name.")))
    if problems:
        raise ApplicationError(" ".join(problems), code="bad_xlsform")
    setting = settings[0] if settings else {}
    title = setting.get("form_title") or str(_("Own instrument"))
    code = slugify(setting.get("form_id", "") or title)[:40] or "instrumento"
    with transaction.atomic():
        instrument, _created = Instrument.objects.get_or_create(
            organization=organization, code=code, defaults={"name_es": title[:200]}
        )
        latest = instrument.versions.order_by("-number").values_list("number", flat=True).first()
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            number=(latest or 0) + 1,
            status=VersionStatus.DRAFT,
            higher_means_es=str(_("a higher total")),
            higher_means_en="a higher total",
            category_rule={"kind": "equal_thirds"},
            notes=(
                str(_("From an XLSForm. Questions that are not items: %(names)s."))
                % {"names": ", ".join(skipped)}
                if skipped
                else ""
            ),
        )
        subscales: dict[str, Subscale] = {}
        for item in items:
            if item["subscale"] and item["subscale"] not in subscales:
                subscales[item["subscale"]] = Subscale.objects.create(
                    version=version,
                    code=item["subscale"],
                    name_es=item["subscale"],
                    position=len(subscales),
                )
        used = {i["scale"] for i in items}
        ResponseOption.objects.bulk_create(
            ResponseOption(
                version=version,
                scale=slugify(scale)[:40],
                code=name[:40],  # the choice name: what exports hold as the answer
                label_es=es[:120],
                label_en=en[:120],
                score=score,
                position=n,
            )
            for scale, listed in options.items()
            if slugify(scale)[:40] in used
            for n, (name, es, en, score) in enumerate(listed)
        )
        Item.objects.bulk_create(
            Item(
                version=version,
                position=n,
                code=i["code"],
                text_es=i["text_es"],
                text_en=i["text_en"],
                wording_es=Wording.OWN,
                wording_en=Wording.OWN,
                scale=i["scale"],
                reverse=i["reverse"],
                scored=i["scored"],
                subscale=subscales.get(i["subscale"]),
            )
            for n, i in enumerate(items, start=1)
        )
        audit_record(actor=actor, action="create", target=version, detail={"code": code})
    return version
