"""The rules of each ID document (``registry.documents``), with real-looking numbers, and
what a spreadsheet may have done to them."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cascada.registry.documents import DocumentError, lookup_value, lookup_values, normalise


def reason(kind, value):
    with pytest.raises(DocumentError) as caught:
        normalise(kind, value)
    assert caught.value.extra["field"] == "national_id"
    return caught.value.reason


def check_characters(number: str) -> dict[str, str]:
    """RENIEC's check character, computed here apart from the code under test."""
    total = sum(int(d) * w for d, w in zip(number, [3, 2, 7, 6, 5, 4, 3, 2], strict=True))
    index = total % 11
    return {"digit": "65432110987"[index], "letter": "KJIHGFEDCBA"[index]}


# ---------------------------------------------------------------- Peru: DNI


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("10117410", "10117410"),
        (" 4000 0001 ", "40000001"),
        ("10117410-2", "10117410"),  # the check digit printed on the card
        ("10117410-g", "10117410"),  # older cards print it as a letter
        ("101174102", "10117410"),
        ("12345678-1", "12345678"),
        ("40000001 - 3", "40000001"),
    ],
)
def test_a_dni_is_stored_as_its_8_digits(typed, stored):
    assert normalise("dni", typed) == stored


@pytest.mark.parametrize(
    "typed, why",
    [
        ("1011741", "dni_short"),  # the bug: 7 digits were accepted
        ("123456789", "dni_long"),
        ("1234567890", "dni_long"),
        ("10117410-3", "dni_check"),
        ("10117410-A", "dni_check"),
        ("1011741A", "dni_digits"),
        ("D-10117410", "dni_digits"),
        ("1011741-0", "dni_short"),
    ],
)
def test_a_dni_that_breaks_the_rules_is_refused_with_the_reason(typed, why):
    assert reason("dni", typed) == why


def test_the_reason_says_how_many_digits_were_given():
    with translation.override("en"), pytest.raises(DocumentError) as caught:
        normalise("dni", "1011741")
    assert "8 digits; this one has 7" in str(caught.value)


@given(st.from_regex(r"\A[0-9]{8}\Z"))
def test_every_dni_with_its_own_check_digit_is_accepted_and_any_other_refused(number):
    right = check_characters(number)
    assert normalise("dni", f"{number}-{right['digit']}") == number
    assert normalise("dni", f"{number}-{right['letter']}") == number
    for wrong in "0123456789":
        if wrong != right["digit"]:
            assert reason("dni", f"{number}-{wrong}") == "dni_check"


# ---------------------------------------------------------------- spreadsheets


@given(st.integers(min_value=1, max_value=99_999_999))
def test_a_dni_that_a_number_cell_cut_short_gets_its_zeros_back(n):
    # Excel keeps 01234567 typed in a number cell as 1234567: nothing else was lost.
    assert normalise("dni", n) == f"{n:08d}"
    assert normalise("dni", float(n)) == f"{n:08d}"


def test_a_short_dni_typed_as_text_is_not_padded():
    # Text keeps zeros: seven digits typed as text are a mistake, not Excel's doing.
    assert reason("dni", "1234567") == "dni_short"


@pytest.mark.parametrize(
    "cell, stored",
    [
        ("1.2345678E+07", "12345678"),
        ("1,2345678E+07", "12345678"),  # Spanish Excel
        ("1.0117410E7", "10117410"),
        ("12345678.0", "12345678"),
    ],
)
def test_scientific_notation_is_repaired_when_every_digit_survived(cell, stored):
    assert normalise("dni", cell) == stored


@pytest.mark.parametrize(
    "cell, why",
    [
        ("1.23457E+07", "excel_digits_lost"),  # Excel showed 6 of the 8 digits
        ("4E+07", "excel_digits_lost"),
        ("1.23456789E+07", "excel_not_whole"),
        (12345678.5, "excel_not_whole"),
        (float("nan"), "excel_not_whole"),
        (1.2345678901234567e19, "excel_digits_lost"),
    ],
)
def test_a_number_a_spreadsheet_damaged_is_refused_saying_why(cell, why):
    assert reason("dni", cell) == why


def test_the_reason_never_repeats_the_number():
    with pytest.raises(DocumentError) as caught:
        normalise("dni", "1.23457E+07")
    assert "12345" not in str(caught.value) and caught.value.params == {}


# ---------------------------------------------------------------- Peru: carné de extranjería


@pytest.mark.parametrize(
    "typed, stored",
    [("001234567", "001234567"), ("000-123-456", "000123456"), ("N-1234567", "N1234567")],
)
def test_a_foreigners_card(typed, stored):
    assert normalise("ce", typed) == stored


@pytest.mark.parametrize(
    "typed, why",
    [
        ("12345", "ce_format"),
        ("1234567890123", "ce_format"),
        ("ABCDEFGHI", "ce_format"),
        (1234567, "ce_excel_zeros"),  # a number cell: were zeros dropped? cannot tell
    ],
)
def test_a_foreigners_card_that_breaks_the_rules(typed, why):
    assert reason("ce", typed) == why


# ---------------------------------------------------------------- Bolivia: cédula de identidad


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("4789123", "4789123"),
        ("12345", "12345"),
        ("1234567-1A", "1234567-1A"),  # SEGIP complement
        ("1234567 1a", "1234567-1A"),
        ("4789123 LP", "4789123 LP"),
        ("4789123 L.P.", "4789123 LP"),
        ("4789123 Cbba", "4789123 CB"),
        ("1234567-1A SC", "1234567-1A SC"),
        (4789123, "4789123"),
    ],
)
def test_a_bolivian_identity_card(typed, stored):
    assert normalise("ci", typed) == stored


@pytest.mark.parametrize(
    "typed", ["1234", "12345678901", "4789123 XX", "4789123-AA", "CI4789123", "4789123-1A-LP-X"]
)
def test_a_bolivian_identity_card_that_breaks_the_rules(typed):
    assert reason("ci", typed) == "ci_format"


def test_the_same_card_is_found_with_or_without_its_department():
    assert lookup_value("ci", normalise("ci", "4789123 LP")) == lookup_value(
        "ci", normalise("ci", "4789123")
    )
    assert lookup_value("ci", normalise("ci", "4789123-1A")) != lookup_value(
        "ci", normalise("ci", "4789123")
    )


# ---------------------------------------------------------------- passport and other


@pytest.mark.parametrize("typed, stored", [("pe 123456", "PE123456"), ("B12345678", "B12345678")])
def test_a_passport(typed, stored):
    assert normalise("passport", typed) == stored


@pytest.mark.parametrize("typed", ["AB123", "ABCDEFGH", "1234567890ABC", "12345678/9"])
def test_a_passport_that_breaks_the_rules(typed):
    assert reason("passport", typed) == "passport_format"


def test_other_documents_and_unknown_types():
    assert normalise("other", "rn-2024-15") == "RN-2024-15"
    assert reason("other", "número: 15") == "other_format"
    assert reason("libreta", "123456") == "unknown_document"
    assert normalise("dni", "  ") == "" and normalise("ci", None) == ""


def test_a_search_text_stands_for_the_number_under_each_document():
    assert {"10117410", "10117410-2"} <= lookup_values("10117410-2")
    assert "4789123" in lookup_values("4789123 LP")
