"""A survey round as an XLSForm, for KoboToolbox and ODK Central (docs/decisions/measurement.md).

``xlsform_rows(round)`` builds the form's sheets (survey, choices, settings) as rows of
cells, bilingual Spanish/English (``label::Español (es)``, ``label::English (en)``,
Spanish the default); ``xform_xml`` converts them with pyxform, ``xlsform_xlsx`` writes
them as a workbook a coordinator uploads to KoboToolbox or ODK Central.

The form, in order:

- ``intro``: a note introducing the questionnaire (no name is ever asked);
- ``consent``: select_one yes/no, required (S15). Every other question is relevant only
  when it is ``yes``; with ``no`` a note thanks the person and the form ends empty;
- the respondent, for a round with person records: ``participant_code``, the person's
  pseudonymous code (8 characters of Cascada's code alphabet: digits and capital letters
  without I, L, O, U). For an **anonymous** round, three short questions make a
  self-generated code instead: ``code_mother`` (the first two letters of the mother's
  first name), ``code_day`` (the day of the month of the respondent's birth, 1-31) and
  ``code_last`` (the last letter of the respondent's own first name); ``self_code`` is
  their concatenation, the day written with two digits (``MA07S``). Cascada keeps only a
  keyed hash of it (``services.self_code_key``: case and accents ignored);
- the group ``items``: one ``select_one <scale>`` per item, in position order, named by
  the item code, not required (an unanswered item is missing, as the scoring allows);
- ``cascada_round``: a calculate holding the round's id, so an import can check that a
  file belongs to the round.

Choices: one list per response scale (``list_name`` = the scale), whose ``name`` is the
option code, never its score: an export with "XML values" gives the option codes that
``Response.answers`` stores, and the scoring (reverse-coded items included) stays in
``scoring.py``. The consent list is ``cascada_consent``, ``yes``/``no``.

Settings: ``form_id`` ``cascada_round_<id>``; ``version`` ``v<version number>-<round
id>-<8 hex digits of a hash of the form>``, so that it changes whenever the form does
(a new instrument version, a renamed cohort), as ODK Central requires of a new upload.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError
from cascada.core.models import ALPHABET

from .models import Item, ResponseOption, Round

ES = "Español (es)"
EN = "English (en)"
DEFAULT_LANGUAGE = ES

# Field names an import reads.
CONSENT = "consent"
CONSENT_LIST = "cascada_consent"
CONSENT_YES = "yes"
CONSENT_NO = "no"
PARTICIPANT_CODE = "participant_code"
SELF_CODE = "self_code"
SELF_CODE_PARTS = ("code_mother", "code_day", "code_last")
ROUND_FIELD = "cascada_round"
ITEMS_GROUP = "items"
RESERVED_NAMES = frozenset(
    {
        "intro",
        "consent_declined",
        "code_intro",
        CONSENT,
        PARTICIPANT_CODE,
        SELF_CODE,
        *SELF_CODE_PARTS,
        ROUND_FIELD,
        ITEMS_GROUP,
        "meta",
        "instanceID",
    }
)

PERSON_CODE_LENGTH = 8  # registry.models.person_code
PERSON_CODE_REGEX = f"^[{ALPHABET}]{{{PERSON_CODE_LENGTH}}}$"

# The column order of the workbook; the rows carry only the cells they fill.
SURVEY_COLUMNS = (
    "type",
    "name",
    f"label::{ES}",
    f"label::{EN}",
    f"hint::{ES}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{ES}",
    f"constraint_message::{EN}",
    "calculation",
)
CHOICES_COLUMNS = ("list_name", "name", f"label::{ES}", f"label::{EN}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language")

# Names pyxform accepts (it refuses one starting with a digit, which a slug may do).
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Characters XML 1.0 cannot hold (openpyxl refuses them too).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The round kinds in the form's title, in Spanish whatever the user's language (the
# title is one text in the field tool).
KIND_ES = {"baseline": "Línea de base", "endline": "Línea final", "follow_up": "Seguimiento"}

YES_CONSENTED = f"${{{CONSENT}}} = '{CONSENT_YES}'"

Row = dict[str, str]


def _clean(value: str) -> str:
    return _CONTROL.sub("", value or "").strip()


def _labels(es: str, en: str, kind: str = "label") -> Row:
    """Both languages; a text without its English falls back to the Spanish (better
    than the "-" a field tool would show)."""
    es, en = _clean(es), _clean(en)
    return {f"{kind}::{ES}": es, f"{kind}::{EN}": en or es}


def _question(type_: str, name: str, es: str, en: str, **cells: str) -> Row:
    row = {"type": type_, "name": name, **_labels(es, en)}
    row.update({k: v for k, v in cells.items() if v})
    return row


def _hint(es: str, en: str) -> Row:
    return _labels(es, en, "hint")


def _constraint(expression: str, es: str, en: str) -> Row:
    return {"constraint": expression, **_labels(es, en, "constraint_message")}


def _respondent_rows(survey: Round) -> list[Row]:
    if not survey.anonymous:
        return [
            _question(
                "text",
                PARTICIPANT_CODE,
                "Código de participante",
                "Participant code",
                required="yes",
                relevant=YES_CONSENTED,
                **_hint(
                    "Las 8 letras y números de su código en el programa, tal como se los "
                    "dio el equipo.",
                    "The 8 letters and digits of your programme code, as the team gave it to you.",
                ),
                **_constraint(
                    f"regex(., '{PERSON_CODE_REGEX}')",
                    "El código tiene 8 caracteres: números y letras mayúsculas.",
                    "The code has 8 characters: digits and capital letters.",
                ),
            )
        ]
    mother, day, last = SELF_CODE_PARTS
    padded_day = f"if(${{{day}}} < 10, concat('0', ${{{day}}}), ${{{day}}})"
    return [
        {
            "type": "note",
            "name": "code_intro",
            **_labels(
                "Para unir sus respuestas de antes y después sin pedir su nombre, "
                "responda estas tres preguntas. Son las mismas cada vez.",
                "To link your answers before and after without asking your name, answer "
                "these three questions. They are the same every time.",
            ),
            "relevant": YES_CONSENTED,
        },
        _question(
            "text",
            mother,
            "Las dos primeras letras del primer nombre de su madre",
            "The first two letters of your mother's first name",
            required="yes",
            relevant=YES_CONSENTED,
            **_hint("Por ejemplo, María: MA.", "For example, María: MA."),
            **_constraint(
                r"regex(., '^[^0-9\s]{2}$')",
                "Escriba dos letras.",
                "Write two letters.",
            ),
        ),
        _question(
            "integer",
            day,
            "El día del mes en que usted nació",
            "The day of the month you were born",
            required="yes",
            relevant=YES_CONSENTED,
            **_hint("Por ejemplo, si nació el 7 de marzo: 7.", "For example, born on 7 March: 7."),
            **_constraint(
                ". >= 1 and . <= 31",
                "Un día entre 1 y 31.",
                "A day between 1 and 31.",
            ),
        ),
        _question(
            "text",
            last,
            "La última letra de su primer nombre",
            "The last letter of your first name",
            required="yes",
            relevant=YES_CONSENTED,
            **_hint("Por ejemplo, Carlos: S.", "For example, Carlos: S."),
            **_constraint(
                r"regex(., '^[^0-9\s]$')",
                "Escriba una letra.",
                "Write one letter.",
            ),
        ),
        {
            "type": "calculate",
            "name": SELF_CODE,
            "calculation": f"concat(${{{mother}}}, {padded_day}, ${{{last}}})",
            "relevant": YES_CONSENTED,
        },
    ]


def _check(items: list[Item], options: list[ResponseOption]) -> None:
    if not items:
        raise ApplicationError(
            _("This instrument version has no items: there is nothing to ask."),
            code="no_items",
        )
    bad = [i.code for i in items if not _XML_NAME.match(i.code) or i.code in RESERVED_NAMES]
    if bad:
        raise ApplicationError(
            _(
                "These item codes cannot name a question in a form (they must start with a "
                "letter and not be a name the form uses itself): %(codes)s."
            )
            % {"codes": ", ".join(bad)},
            code="item_code",
            extra={"codes": bad},
        )
    scales = {o.scale for o in options}
    missing = sorted({i.scale for i in items} - scales)
    if missing:
        raise ApplicationError(
            _("These response scales have no options: %(scales)s.")
            % {"scales": ", ".join(missing)},
            code="scale_without_options",
        )
    if CONSENT_LIST in scales:
        raise ApplicationError(
            _("A response scale may not be called “%(name)s”.") % {"name": CONSENT_LIST},
            code="scale_name",
        )


def xlsform_rows(survey: Round) -> dict[str, list[dict[str, str]]]:
    """The XLSForm of ``survey``: {"survey": rows, "choices": rows, "settings": [row]},
    each row a dict of the cells it fills (column name -> text)."""
    version = survey.version
    instrument = version.instrument
    items = list(version.items.order_by("position", "pk"))
    options = list(version.options.order_by("scale", "position", "pk"))
    _check(items, options)

    rows: list[Row] = [
        {
            "type": "note",
            "name": "intro",
            **_labels(
                "Le pediremos su opinión sobre algunas frases. No hay respuestas correctas "
                "ni incorrectas. No le preguntaremos su nombre y sus respuestas son "
                "confidenciales.",
                "We will ask your opinion about some statements. There are no right or "
                "wrong answers. We will not ask your name and your answers are "
                "confidential.",
            ),
        },
        _question(
            f"select_one {CONSENT_LIST}",
            CONSENT,
            "¿Acepta responder este cuestionario? Algunas preguntas tratan sobre la "
            "violencia. Puede dejar preguntas sin responder y terminar cuando quiera.",
            "Do you agree to answer this questionnaire? Some questions are about "
            "violence. You may leave questions unanswered and stop at any time.",
            required="yes",
        ),
        {
            "type": "note",
            "name": "consent_declined",
            **_labels("Gracias por su tiempo.", "Thank you for your time."),
            "relevant": f"${{{CONSENT}}} = '{CONSENT_NO}'",
        },
        *_respondent_rows(survey),
        {
            "type": "begin_group",
            "name": ITEMS_GROUP,
            **_labels("Cuestionario", "Questionnaire"),
            "relevant": YES_CONSENTED,
        },
        *(
            _question(
                f"select_one {item.scale}",
                item.code,
                item.text_es,
                item.text_en,
                required="no",
                relevant=YES_CONSENTED,
            )
            for item in items
        ),
        {"type": "end_group", "name": ITEMS_GROUP},
        {"type": "calculate", "name": ROUND_FIELD, "calculation": str(survey.pk)},
    ]

    used = {i.scale for i in items}
    choices: list[Row] = [
        {"list_name": CONSENT_LIST, "name": CONSENT_YES, **_labels("Sí, acepto", "Yes, I agree")},
        {"list_name": CONSENT_LIST, "name": CONSENT_NO, **_labels("No acepto", "No, I do not")},
    ]
    choices += [
        {"list_name": o.scale, "name": o.code, **_labels(o.label_es, o.label_en)}
        for o in options
        if o.scale in used
    ]

    kind = KIND_ES.get(survey.kind, survey.get_kind_display())
    if survey.label:
        kind = f"{kind} ({_clean(survey.label)})"
    settings: Row = {
        "form_title": " · ".join((_clean(instrument.name_es), kind, _clean(survey.cohort.name))),
        "form_id": f"cascada_round_{survey.pk}",
        "default_language": DEFAULT_LANGUAGE,
    }
    digest = hashlib.sha256(
        json.dumps([rows, choices, settings], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:8]
    settings["version"] = f"v{version.number}-{survey.pk}-{digest}"
    return {"survey": rows, "choices": choices, "settings": [settings]}


def xform_xml(survey: Round, *, validate: bool = False) -> str:
    """The XForm (XML) of ``survey``, converted by pyxform; with ``validate`` also
    checked by ODK Validate (Java, a few seconds)."""
    return _convert(xlsform_rows(survey), validate=validate)


def _convert(xlsform: Any, *, validate: bool) -> str:
    from pyxform.errors import PyXFormError
    from pyxform.validators.odk_validate import ODKValidateError
    from pyxform.xls2xform import convert

    try:
        return convert(xlsform=xlsform, validate=validate).xform
    except (PyXFormError, ODKValidateError) as exc:
        raise ApplicationError(
            _("The survey form could not be built: %(detail)s") % {"detail": exc},
            code="xlsform",
            extra={"detail": str(exc)},
        ) from exc
    except OSError as exc:  # java missing: raised by pyxform before ODK Validate runs
        raise ApplicationError(
            _("The survey form could not be checked: %(detail)s") % {"detail": exc},
            code="xlsform_validator",
            extra={"detail": str(exc)},
        ) from exc


def xlsform_xlsx(survey: Round) -> bytes:
    """The XLSForm of ``survey`` as an .xlsx workbook (sheets survey, choices,
    settings), for upload to KoboToolbox or ODK Central."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    sheets = xlsform_rows(survey)
    workbook = Workbook(write_only=True)
    for name, columns in (
        ("survey", SURVEY_COLUMNS),
        ("choices", CHOICES_COLUMNS),
        ("settings", SETTINGS_COLUMNS),
    ):
        sheet = workbook.create_sheet(title=name)
        sheet.append(list(columns))
        for row in sheets[name]:
            cells = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=row.get(column, ""))
                # Text, never a formula, even if it starts with "=" (exactly what
                # pyxform should read: no apostrophe added).
                cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
