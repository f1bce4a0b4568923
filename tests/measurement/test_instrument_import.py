"""An organization's own instrument from an XLSForm workbook: the Uganda adaptation of the
GEM Scale (binary: do not agree = 1, else 0), a reverse-coded item, a subscale, a note and
a code question that are not items, and the problems a real form has."""

from __future__ import annotations

import io

import openpyxl
import pytest

from cascada.accounts.roles import Role
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.measurement.instrument_import import instrument_from_xlsform
from cascada.measurement.scoring import Spec, score
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db


def workbook(survey, choices, settings=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    for row in choices:
        choice_sheet.append(row)
    if settings:
        settings_sheet = book.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


UGANDA_SURVEY = [
    ["type", "name", "label::Español (es)", "label::English (en)", "cascada_reverse",
     "cascada_subscale"],
    ["note", "intro", "Le leeremos unas frases.", "We will read some statements.", "", ""],
    ["text", "participant_code", "Código", "Code", "", ""],
    ["select_one acuerdo", "u_decides", "El hombre decide.", "The man decides.", "", "violencia"],
    ["select_one acuerdo", "u_beaten", "A veces merece golpes.", "Sometimes deserves it.", "",
     "violencia"],
    ["select_one acuerdo", "u_together", "Deciden juntos.", "They decide together.", "yes", ""],
]  # fmt: skip
UGANDA_CHOICES = [
    ["list_name", "name", "label::Español (es)", "label::English (en)", "cascada_score"],
    ["acuerdo", "agree", "De acuerdo", "Agree", 0],
    ["acuerdo", "partly", "En parte", "Partly", 0],
    ["acuerdo", "disagree", "En desacuerdo", "Disagree", 1],
    ["acuerdo", "dk", "No sabe", "Don't know", None],
]


def test_an_adaptation_with_its_own_scores_becomes_a_draft_instrument(org):
    data = workbook(
        UGANDA_SURVEY, UGANDA_CHOICES, [["form_title", "form_id"], ["GEM Uganda", "gem_ug"]]
    )
    version = instrument_from_xlsform(actor=None, organization=org, data=data)
    assert version.status == "draft" and version.instrument.code == "gem_ug"
    assert list(version.items.values_list("code", flat=True)) == [
        "u_decides",
        "u_beaten",
        "u_together",
    ]
    assert "intro" in version.notes and "participant_code" in version.notes
    spec = Spec.of(version)
    # Disagree with the two inequitable items (1 + 1); agree with the reversed one: the
    # binary scale reversed gives agree = 1 there too.
    result = score(spec, {"u_decides": "disagree", "u_beaten": "disagree", "u_together": "agree"})
    assert result.total == 3 and result.subscales == {"violencia": 2.0}
    assert (
        score(spec, {"u_decides": "dk", "u_beaten": "agree", "u_together": "agree"}).total is None
    )


def test_choice_names_that_are_numbers_are_their_own_scores(org):
    survey = [["type", "name", "label"], ["select_one likert", "q1", "Una frase"]]
    choices = [["list_name", "name", "label"], ["likert", "1", "Nada"], ["likert", "4", "Mucho"]]
    version = instrument_from_xlsform(actor=None, organization=org, data=workbook(survey, choices))
    assert Spec.of(version).total_range() == (1, 4)


def test_every_problem_of_the_form_is_named_and_nothing_is_written(org):
    survey = [
        ["type", "name", "label"],
        ["select_one missing_list", "q1", "Frase"],
        ["select_one words", "q2", "Frase"],
        ["select_one words", "2bad", "Frase"],
    ]
    choices = [["list_name", "name", "label"], ["words", "yes", "Sí"], ["words", "no", "No"]]
    with pytest.raises(ApplicationError) as raised:
        instrument_from_xlsform(actor=None, organization=org, data=workbook(survey, choices))
    text = str(raised.value)
    assert "missing_list" in text and "words" in text and "2bad" in text
    from cascada.measurement.models import Instrument

    assert not Instrument.objects.filter(organization=org).exists()


def test_a_file_that_is_not_a_workbook(org):
    with pytest.raises(ApplicationError, match="XLSForm"):
        instrument_from_xlsform(actor=None, organization=org, data=b"nombre,apellido\n")


def test_only_those_who_manage_measurement_may(org):
    viewer = make_user(organization=org, role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        instrument_from_xlsform(
            actor=viewer, organization=org, data=workbook(UGANDA_SURVEY, UGANDA_CHOICES)
        )
