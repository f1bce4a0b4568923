"""The XLSForm of a survey round: converted by pyxform and checked by ODK Validate (Java),
bilingual, consent first, the respondent's code, option codes (never scores) as choice
values, and the same form as an .xlsx workbook."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from cascada.core.errors import ApplicationError
from cascada.measurement import services, xlsform
from cascada.measurement.models import Instrument, InstrumentVersion, Item
from cascada.measurement.shipped import AGREE3, DHS_OPTIONS, GEM_ITEMS
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
ES, EN = "Español (es)", "English (en)"


def shipped(code: str) -> InstrumentVersion:
    return Instrument.objects.get(code=code, organization=None).versions.get()


@pytest.fixture
def cohort(org):
    return make_cohort(program=make_program(owner=org), sessions=0, name="Cohorte Lima 1")


def make_round(cohort, code="gem", **kw):
    return services.round_create(
        actor=None,
        cohort=cohort,
        version=shipped(code),
        kind=kw.pop("kind", "baseline"),
        opens_on=dt.date(2026, 3, 2),
        **kw,
    )


def binds(xml: str) -> dict[str, dict[str, str]]:
    root = ET.fromstring(xml)
    return {b.get("nodeset"): b.attrib for b in root.iter(f"{XF}bind")}


def translations(xml: str) -> dict[str, dict[str, str]]:
    """language -> text id -> text."""
    root = ET.fromstring(xml)
    return {
        t.get("lang"): {
            text.get("id"): "".join(text.find(f"{XF}value").itertext())
            for text in t.iter(f"{XF}text")
        }
        for t in root.iter(f"{XF}translation")
    }


def choice_values(root: ET.Element, ref: str) -> list[str]:
    """The values a select offers: pyxform puts a list in a secondary instance that the
    select's itemset reads (``instance('agree3')/root/item``)."""
    select = next(s for s in root.iter(f"{XF}select1") if s.get("ref") == ref)
    nodeset = select.find(f"{XF}itemset").get("nodeset")
    list_id = nodeset.split("'")[1]
    instance = next(i for i in root.iter(f"{XF}instance") if i.get("id") == list_id)
    return [item.find(f"{XF}name").text for item in instance.iter(f"{XF}item")]


def names(rows) -> list[str]:
    return [r.get("name", "") for r in rows["survey"]]


def test_gem_form_passes_odk_validate_bilingual_with_consent(cohort):
    survey = make_round(cohort)
    xml = xlsform.xform_xml(survey, validate=True)  # ODK Validate through Java
    b = binds(xml)
    codes = [code for code, *_ in GEM_ITEMS]
    assert len(codes) == 24
    for code in codes:
        bind = b[f"/data/items/{code}"]
        # Unanswered is allowed (the scoring prorates up to 2 missing).
        assert bind.get("required") in (None, "false()")
        # S15: no question about violence without consent.
        assert "/data/consent" in bind["relevant"] and "'yes'" in bind["relevant"]
    assert "/data/consent" in b["/data/items"]["relevant"]
    assert b["/data/consent"]["required"] == "true()"
    assert "relevant" not in b["/data/consent"]

    # The person's pseudonymous code, checked against Cascada's code alphabet.
    code_bind = b["/data/participant_code"]
    assert code_bind["required"] == "true()"
    assert "regex(" in code_bind["constraint"] and "{8}" in code_bind["constraint"]
    assert "/data/consent" in code_bind["relevant"]
    assert "/data/self_code" not in b

    # The round's id, as a constant, for the import to check.
    assert b["/data/cascada_round"]["calculate"] == str(survey.pk)

    texts = translations(xml)
    assert set(texts) == {ES, EN}
    first_es, first_en = GEM_ITEMS[0][4], GEM_ITEMS[0][2]
    assert texts[ES]["/data/items/gem_decides_sex:label"] == first_es
    assert texts[EN]["/data/items/gem_decides_sex:label"] == first_en
    assert texts[ES]["/data/participant_code:jr:constraintMsg"].startswith("El código")
    assert texts[EN]["/data/participant_code:jr:constraintMsg"].startswith("The code")
    root = ET.fromstring(xml)
    default = [t for t in root.iter(f"{XF}translation") if t.get("default")]
    assert [t.get("lang") for t in default] == [ES]

    # Settings: the form id and a version naming the instrument version and the round.
    instance = root.find(f"{H}head/{XF}model/{XF}instance")[0]
    assert instance.get("id") == f"cascada_round_{survey.pk}"
    assert instance.get("version").startswith(f"v1-{survey.pk}-")
    title = root.find(f"{H}head/{H}title").text
    assert (
        title
        == "Escala GEM (Escala de Hombres con Equidad de Género) · Línea de base · Cohorte Lima 1"
    )


def test_rows_order_consent_respondent_items_and_no_warnings(cohort):
    survey = make_round(cohort)
    rows = xlsform.xlsform_rows(survey)
    order = names(rows)
    assert order[:3] == ["intro", "consent", "consent_declined"]
    assert order.index("participant_code") < order.index("items")
    items = [r for r in rows["survey"] if r["type"].startswith("select_one agree3")]
    assert [r["name"] for r in items] == [code for code, *_ in GEM_ITEMS]
    assert all(r["required"] == "no" for r in items)
    # Only the consent question is asked before consent.
    asked = [r for r in rows["survey"] if r["type"] not in ("note", "end_group", "calculate")]
    assert [r["name"] for r in asked if "relevant" not in r] == ["consent"]
    # Every cell has its column in the workbook.
    for sheet, columns in (
        ("survey", xlsform.SURVEY_COLUMNS),
        ("choices", xlsform.CHOICES_COLUMNS),
        ("settings", xlsform.SETTINGS_COLUMNS),
    ):
        assert {k for r in rows[sheet] for k in r} <= set(columns), sheet
    consent = [c for c in rows["choices"] if c["list_name"] == "cascada_consent"]
    assert [c["name"] for c in consent] == ["yes", "no"]
    settings = rows["settings"][0]
    assert settings["default_language"] == ES
    assert settings["form_id"] == f"cascada_round_{survey.pk}"
    warnings: list[str] = []
    convert(xlsform=rows, warnings=warnings)
    assert warnings == []


def test_anonymous_round_asks_no_code_and_computes_self_code(cohort):
    survey = make_round(cohort, anonymous=True)
    rows = xlsform.xlsform_rows(survey)
    order = names(rows)
    assert "participant_code" not in order
    parts = ["code_mother", "code_day", "code_last"]
    for part in parts:
        row = rows["survey"][order.index(part)]
        assert row["required"] == "yes" and row["constraint"]
        assert row["relevant"] == "${consent} = 'yes'"
    calc = rows["survey"][order.index("self_code")]
    assert calc["type"] == "calculate"
    assert all(f"${{{p}}}" in calc["calculation"] for p in parts)
    # Never a name: only letters of names are asked.
    assert not any("name" in n for n in order)

    xml = xlsform.xform_xml(survey, validate=True)  # the XPath checked by ODK Validate
    b = binds(xml)
    assert "/data/participant_code" not in b
    assert "concat(" in b["/data/self_code"]["calculate"]
    assert "/data/code_day" in b["/data/self_code"]["calculate"]
    assert b["/data/code_day"]["type"] == "int"


def test_dhs_form_converts_with_its_choices(cohort):
    survey = make_round(cohort, code="dhs-wife-beating", kind="follow_up", label="6 meses")
    rows = xlsform.xlsform_rows(survey)
    dk = [c for c in rows["choices"] if c["list_name"] == "yes_no_dk"]
    assert [c["name"] for c in dk] == [code for code, *_ in DHS_OPTIONS]
    assert dk[2][f"label::{ES}"] == "No sabe" and dk[2][f"label::{EN}"] == "Don't know"
    assert "Seguimiento (6 meses)" in rows["settings"][0]["form_title"]

    xml = xlsform.xform_xml(survey, validate=True)
    b = binds(xml)
    items = [n for n in b if n.startswith("/data/items/")]
    assert len(items) == 5
    root = ET.fromstring(xml)
    selects = [s for s in root.iter(f"{XF}select1") if s.get("ref", "").startswith("/data/items/")]
    assert len(selects) == 5
    for select in selects:
        assert choice_values(root, select.get("ref")) == ["yes", "no", "dont_know"]
    texts = translations(xml)
    assert "Sí" in texts[ES].values() and "Yes" in texts[EN].values()


def test_xlsx_workbook_opens_and_converts_to_the_same_xform(cohort):
    survey = make_round(cohort)
    data = xlsform.xlsform_xlsx(survey)
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    rows = xlsform.xlsform_rows(survey)
    survey_sheet = list(book["survey"].iter_rows(values_only=True))
    assert list(survey_sheet[0]) == list(xlsform.SURVEY_COLUMNS)
    assert len(survey_sheet) == len(rows["survey"]) + 1
    settings = list(book["settings"].iter_rows(values_only=True))
    assert settings[1][1] == f"cascada_round_{survey.pk}"
    assert settings[1][3] == ES

    warnings: list[str] = []
    result = convert(xlsform=data, warnings=warnings)
    assert warnings == []
    assert result.xform == xlsform.xform_xml(survey)


def test_xlsx_writes_text_never_a_formula(cohort):
    survey = make_round(cohort)
    Item.objects.filter(version=survey.version, code="gem_gay_friend").update(
        text_es='=HYPERLINK("http://x")'
    )
    book = load_workbook(io.BytesIO(xlsform.xlsform_xlsx(survey)))
    cells = [
        c for row in book["survey"].iter_rows() for c in row if c.value == '=HYPERLINK("http://x")'
    ]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_choices_carry_option_codes_never_scores(cohort):
    """The direction (7 reverse-coded items) belongs to scoring.py: the form gives the
    same agree3 list of option codes to every item, and no choice value is a score."""
    survey = make_round(cohort)
    rows = xlsform.xlsform_rows(survey)
    agree3 = [c for c in rows["choices"] if c["list_name"] == "agree3"]
    assert [c["name"] for c in agree3] == [code for code, *_ in AGREE3]
    scores = {str(score) for *_, score in AGREE3}
    assert not scores & {c["name"] for c in agree3}
    assert not any(c["name"].lstrip("-").isdigit() for c in agree3)
    # Reverse-coded (equitable) and inequitable items share one list: nothing reversed.
    types = {r["type"] for r in rows["survey"] if r["name"].startswith("gem_")}
    assert types == {"select_one agree3"}
    xml = xlsform.xform_xml(survey)
    root = ET.fromstring(xml)
    for code, *_ in GEM_ITEMS:
        assert choice_values(root, f"/data/items/{code}") == ["agree", "partly", "disagree"]
    assert choice_values(root, "/data/consent") == ["yes", "no"]


def test_version_names_instrument_version_and_changes_with_the_form(cohort):
    survey = make_round(cohort)
    before = xlsform.xlsform_rows(survey)["settings"][0]["version"]
    assert before.startswith(f"v1-{survey.pk}-")
    assert xlsform.xlsform_rows(survey)["settings"][0]["version"] == before  # deterministic
    InstrumentVersion.objects.filter(pk=survey.version_id).update(number=2)
    survey.refresh_from_db()
    after = xlsform.xlsform_rows(survey)["settings"][0]["version"]
    assert after.startswith(f"v2-{survey.pk}-")
    cohort.name = "Cohorte Lima 2"
    cohort.save()
    survey.refresh_from_db()
    assert xlsform.xlsform_rows(survey)["settings"][0]["version"] != after


def test_english_text_missing_falls_back_to_spanish(cohort):
    survey = make_round(cohort)
    Item.objects.filter(version=survey.version, code="gem_gay_friend").update(text_en="")
    row = next(r for r in xlsform.xlsform_rows(survey)["survey"] if r["name"] == "gem_gay_friend")
    assert row[f"label::{EN}"] == row[f"label::{ES}"] == "Nunca tendría un amigo gay."


def test_item_code_that_cannot_name_a_question_is_refused(cohort):
    survey = make_round(cohort)
    Item.objects.filter(version=survey.version, code="gem_gay_friend").update(code="1-gay")
    with pytest.raises(ApplicationError) as info:
        xlsform.xlsform_rows(survey)
    assert info.value.code == "item_code" and info.value.extra["codes"] == ["1-gay"]
    Item.objects.filter(version=survey.version, code="1-gay").update(code="consent")
    with pytest.raises(ApplicationError):
        xlsform.xlsform_rows(survey)


def test_hyphenated_item_code_is_accepted(cohort):
    survey = make_round(cohort)
    Item.objects.filter(version=survey.version, code="gem_gay_friend").update(code="gem-gay-friend")
    assert "/data/items/gem-gay-friend" in binds(xlsform.xform_xml(survey))


def test_pyxform_refusal_is_an_application_error(cohort):
    survey = make_round(cohort)
    Item.objects.filter(version=survey.version, code="gem_gay_friend").update(
        text_es="Texto con ${nada} dentro"
    )
    with pytest.raises(ApplicationError) as info:
        xlsform.xform_xml(survey)
    assert info.value.code == "xlsform"
    assert "nada" in info.value.extra["detail"]
